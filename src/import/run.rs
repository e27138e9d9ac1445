//! The pipeline, one file at a time: source (bytes, checksum, a file seen before) -> reader
//! (header, layout, records) -> parser (the profile's typed records) -> resolver (people,
//! efforts) -> writer (each kind of record, inside one transaction) -> ledger (the accounting of
//! every row).
//! Rows are read and parsed on a second thread while the rows before them are written.

use anyhow::Result;
use rusqlite::{Connection, Transaction, TransactionBehavior, params};

use super::bind::{BoundFile, open_and_bind};
use super::ledger::{self, Closing, Repeat, Tally};
use super::model::shape::Moment;
use super::model::{ImportObserver, ImportOptions, ImportReport, Outcome, RowOutcome, RowParser};
use super::reader::{READ_AHEAD_BATCHES, ReadRow, RowReader};
use super::source::reuse::{self, Earlier};
use super::source::{ImportSource, Tap};
use super::writer::Writer;
use crate::store::Store;

/// The page cache an import may use, in KiB (peak memory stays under 64 MiB).
const IMPORT_CACHE_KIB: i64 = 8 * 1024;
/// Rows between two progress reports.
const PROGRESS_EVERY: u64 = 4096;

/// Imports one file. Returns a report when the file was read (even with rejected rows); returns
/// an error, with nothing written, when the file cannot be read as its profile at all.
pub fn import(
    store: &mut Store,
    source: ImportSource,
    options: &ImportOptions,
    observer: &mut dyn ImportObserver,
) -> Result<ImportReport> {
    let result = import_file(store, source, options, observer);
    // A bulk import turns SQLite's per-row reference checks off for its transaction: whatever
    // became of it, they are on again for what the command does next.
    let restored = store.conn().pragma_update(None, "foreign_keys", true);
    let report = result?;
    restored?;
    Ok(report)
}

/// The pipeline's stages, top to bottom: open and bind the file, take a file seen before from
/// its earlier import, else write its rows.
fn import_file(
    store: &mut Store,
    source: ImportSource,
    options: &ImportOptions,
    observer: &mut dyn ImportObserver,
) -> Result<ImportReport> {
    observer.started(&source.name, source.len);
    let bound = open_and_bind(store, source, options)?;
    observer.header(&bound.file.header)?;

    let conn = store.conn_mut();
    let context_hash = reuse::fingerprint(
        conn,
        &bound.profile_name,
        &bound.profile_text,
        options,
        &bound.context,
    )?;
    if let Some(earlier) = reuse::earlier_import(
        conn,
        bound.path.as_deref(),
        &bound.profile_name,
        &context_hash,
        &bound.context,
        &*observer,
    )? {
        return import_seen_before(conn, options, observer, bound, context_hash, earlier);
    }
    write_file(conn, options, observer, bound, context_hash)
}

/// Records a file an earlier import already took, unchanged, without reading its rows.
fn import_seen_before(
    conn: &mut Connection,
    options: &ImportOptions,
    observer: &mut dyn ImportObserver,
    bound: BoundFile,
    context_hash: String,
    seen: (String, Earlier, Vec<String>),
) -> Result<ImportReport> {
    let (sha256, earlier, seen_notes) = seen;
    let mut notes = bound.source_notes.clone();
    notes.extend(bound.file.notes());
    notes.extend(seen_notes);
    notes.extend(bound.parser.notes());
    let repeat = Repeat {
        encoding: bound.file.decoding.name(),
        delimiter: char::from(bound.file.delimiter),
        name: bound.name,
        path: bound.path,
        profile_name: bound.profile_name,
        sha256,
        context_hash,
        earlier,
        notes,
    };
    ledger::record_repeat(conn, options, observer, repeat)
}

/// Writes the file's rows in one transaction, accounts for each in its ledger entry, and
/// commits (or not, as the options say).
fn write_file(
    conn: &mut Connection,
    options: &ImportOptions,
    observer: &mut dyn ImportObserver,
    bound: BoundFile,
    context_hash: String,
) -> Result<ImportReport> {
    let mut reading_notes = bound.source_notes.clone();
    reading_notes.extend(bound.file.notes());
    let (encoding, delimiter) = (bound.file.decoding.name(), char::from(bound.file.delimiter));
    let bulk_tables = prepare_bulk(conn, bound.source_len)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let import_id = ledger::open_entry(
        &tx,
        &bound.name,
        bound.path.as_deref(),
        &bound.profile_name,
        &bound.context,
    )?;
    let mut writer = Writer::new(&tx, import_id, &bound.profile_name, bound.context.org_tz)?;
    for table in &bulk_tables {
        writer.defer_indexes(table)?;
    }
    if !bulk_tables.is_empty() {
        writer.hold_new_people()?;
    }
    let rows = RowReader::new(bound.file, bound.laid_out, bound.parser, &bound.name);
    let mut tally = Tally::new(&tx, import_id);
    let parser = write_rows(rows, &mut writer, &mut tally, observer, &bound.tap)?;
    writer.finish()?;
    tally.rejected_sample.sort_by_key(|issue| issue.line);
    observer.progress(bound.tap.bytes_read());
    observer.finished();

    let mut summary = summarize(&tx, &writer, &*parser, bound.context.moment, import_id)?;
    summary.notes.splice(0..0, reading_notes);
    let rows_owned = writer.rows_owned() as i64;
    let checked_tables = writer.checked_tables();
    drop(writer);
    if !bulk_tables.is_empty() {
        // The indexes were built in a small cache (see `Writer::finish`); the check reads the
        // tables back through the import's own.
        tx.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        crate::store::check_references_except(&tx, checked_tables)?;
    }
    let sha256 = bound.tap.sha256_hex();
    let closing = Closing {
        sha256: &sha256,
        counts: tally.counts,
        warnings: &summary.warnings,
        rows_owned,
        context_hash: &context_hash,
    };
    ledger::close_entry(&tx, import_id, closing)?;
    let Tally {
        counts,
        rejected_sample,
        skipped,
        dropped_identifiers,
        ..
    } = tally;
    debug_assert!(counts.balances());
    let outcome = ledger::conclude(tx, options, &counts)?;
    let refusal = (outcome == Outcome::AllRejected)
        .then(|| ledger::likely_cause(&rejected_sample, &bound.profile_name, delimiter));
    Ok(ImportReport {
        file: bound.name,
        profile: bound.profile_name,
        sha256,
        import_id: (outcome == Outcome::Imported).then_some(import_id),
        same_as: None,
        counts,
        outcome,
        rejected_sample,
        skipped_reasons: skipped.into_iter().collect(),
        notes: summary.notes,
        encoding,
        delimiter,
        refusal,
        dropped_identifiers,
    })
}

/// Settings for a file big enough to be a bulk import; returns the tables it writes in bulk.
fn prepare_bulk(conn: &Connection, source_len: Option<u64>) -> Result<Vec<&'static str>> {
    // A bigger page cache than SQLite's 2 MiB default keeps the indexes an import walks in
    // memory; without it, pages spill to the WAL and are read back thousands of times.
    conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
    // A bulk import writes with SQLite's per-row foreign-key checks off (three lookups for each
    // touch cost a fifth of the import) and checks every reference once before it commits. The
    // setting only changes outside a transaction; `import` turns it on again afterwards.
    let mut bulk_tables = Vec::new();
    if let Some(len) = source_len {
        for table in ["touch", "action"] {
            if is_bulk(conn, table, len)? {
                bulk_tables.push(table);
            }
        }
    }
    conn.pragma_update(None, "foreign_keys", bulk_tables.is_empty())?;
    Ok(bulk_tables)
}

/// Reads the rows on a second thread and writes them on this one, accounting for each. The
/// CSV, the times and the keyed hashes cost about as much as the database work, and a laptop
/// has more than one core. Rows go across in batches (the hand-over costs little) through a
/// bounded channel (memory stays flat however far ahead reading gets).
fn write_rows(
    rows: RowReader,
    writer: &mut Writer,
    tally: &mut Tally,
    observer: &mut dyn ImportObserver,
    tap: &Tap,
) -> Result<Box<dyn RowParser>> {
    let (sender, receiver) =
        std::sync::mpsc::sync_channel::<Result<Vec<ReadRow>>>(READ_AHEAD_BATCHES);
    let (finished, returned) = std::sync::mpsc::sync_channel::<Vec<ReadRow>>(READ_AHEAD_BATCHES);
    std::thread::scope(|scope| -> Result<Box<dyn RowParser>> {
        let reading = std::thread::Builder::new()
            .name("import-reader".to_string())
            .spawn_scoped(scope, move || rows.read_all(&sender, &returned))?;
        let written = (|| -> Result<()> {
            for batch in &receiver {
                let mut batch = batch?;
                writer.warm(batch.iter().flat_map(|row| match &row.outcome {
                    Ok(RowOutcome::Records(records)) => records.as_slice(),
                    _ => &[],
                }));
                for row in &mut batch {
                    tally.counts.rows_read += 1;
                    if tally.counts.rows_read.is_multiple_of(PROGRESS_EVERY) {
                        observer.progress(tap.bytes_read());
                    }
                    write_row(row, writer, observer, tally)?;
                }
                // The rows are freed by the thread that made them: freeing them here would
                // make the two threads take turns at the allocator's lock.
                let _ = finished.try_send(batch);
            }
            Ok(())
        })();
        // When writing failed, reading stops at its next batch.
        drop(receiver);
        drop(finished);
        let parser = match reading.join() {
            Ok(parser) => parser,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        written.map(|()| parser)
    })
}

/// Writes one row's records, or records why it was skipped or rejected.
fn write_row(
    row: &mut ReadRow,
    writer: &mut Writer,
    observer: &mut dyn ImportObserver,
    tally: &mut Tally,
) -> Result<()> {
    let issue = match &mut row.outcome {
        Ok(RowOutcome::Skip(reason)) => {
            return tally.skipped(row.line, std::mem::take(reason));
        }
        Ok(RowOutcome::Records(records)) => match writer.apply_row(records, row.line)? {
            Ok(applied) => {
                tally.applied(applied);
                for dropped in &row.dropped {
                    tally.dropped(dropped)?;
                }
                return Ok(());
            }
            Err(issue) => issue,
        },
        Err(issue) => issue.clone(),
    };
    tally.rejected(observer, issue, &row.record)
}

/// What an import says once its rows are written, and keeps for `turnout check`.
struct Summary {
    /// Printed rates that disagree with their counts, numbers another kind of export gave
    /// differently.
    warnings: Vec<String>,
    notes: Vec<String>,
}

/// The import's notes and warnings; records the time shape it read in its ledger entry.
fn summarize(
    tx: &Transaction,
    writer: &Writer,
    parser: &dyn RowParser,
    moment: Moment,
    import_id: i64,
) -> Result<Summary> {
    let mut warnings = parser.warnings();
    // The parser's notes already hold its own warnings; the writer's are added.
    let own = warnings.len();
    warnings.extend(
        writer
            .conflicts()
            .iter()
            .map(|c| format!("a number another export gave differently: {c}")),
    );
    let mut notes: Vec<String> = moment.note().into_iter().collect();
    notes.extend(writer.snapshots().notes());
    let (period_begin, period_end) = match moment {
        Moment::Period { .. } => (writer.periods().first, writer.periods().last),
        _ => (None, None),
    };
    if let (Some(first), Some(last)) = (period_begin, period_end) {
        let range = crate::dates::DayRange { first, last };
        notes.push(format!("totals over {}", range.describe()));
    }
    tx.execute(
        "UPDATE import SET shape = ?1, as_of = ?2, period_begin = ?3, period_end = ?4 WHERE id = ?5",
        params![
            moment.shape().as_str(),
            match moment {
                Moment::AsOf { day, .. } => Some(day.to_string()),
                _ => None,
            },
            period_begin.map(|d| d.to_string()),
            period_end.map(|d| d.to_string()),
            import_id
        ],
    )?;
    notes.extend(parser.notes());
    // Built from the rows as written (a row's effort may have linked it), by the rule
    // `turnout codes --unmatched` uses.
    notes.extend(crate::linking::unmatched_codes_note(tx, import_id)?);
    notes.extend(warnings.iter().skip(own).cloned());
    Ok(Summary { warnings, notes })
}

/// Rows smaller than this are rare in any export; so a file's size over it is a safe guess
/// at the most rows it can hold.
const SMALLEST_ROW_BYTES: u64 = 24;
/// Below this many rows, filing each row into the indexes as it comes is fast enough.
/// `TURNOUT_BULK_ROWS` changes it (the tests use it to take the bulk path with small files).
const BULK_ROWS: u64 = 100_000;

/// Whether a file of `len` bytes may hold so many rows beside what `table` holds that building
/// the table's lookup indexes again afterwards is cheaper than updating them row by row.
fn is_bulk(conn: &rusqlite::Connection, table: &str, len: u64) -> Result<bool> {
    let rows = len / SMALLEST_ROW_BYTES;
    // Whether the table holds as many rows as the file may: counted no further than that.
    let stored: i64 = conn.query_row(
        &format!("SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT ?1)"),
        params![rows.saturating_add(1).min(i64::MAX as u64) as i64],
        |row| row.get(0),
    )?;
    let bulk_rows = std::env::var("TURNOUT_BULK_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(BULK_ROWS);
    Ok(rows >= bulk_rows && rows >= stored as u64)
}
