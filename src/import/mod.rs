//! Importing files: the path every export takes into the store.
//!
//! The rules that make numbers trustworthy live here, once, for every profile:
//! - a file is read as a stream (constant memory) inside ONE transaction, with prepared statements;
//! - every row read is accounted for: inserted, updated, unchanged, rejected or skipped, and
//!   `rows_read` is their sum; rejected and skipped rows are kept with their reasons;
//! - a row's identity (campaign, effort, channel, metric, day or week, source) decides whether it
//!   is new, changed or unchanged, so re-importing a file, or a newer overlapping export, never
//!   counts anything twice;
//! - a file that cannot be read as its profile is refused whole and the database is left exactly
//!   as it was; `--dry-run` and `--strict` failures roll the transaction back.

mod model;
mod parser;
mod source;
mod writer;

use std::collections::{BTreeMap, VecDeque};

use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use std::io::{BufRead, BufReader};
use std::sync::mpsc::{Receiver, SyncSender};

use csv::ByteRecord;
use rusqlite::{TransactionBehavior, params};

use crate::campaigns;
use crate::metrics::Vocabulary;
use crate::store::{Store, now_utc, settings};
use model::spec::Shape;
use model::{Layout, ReadContext, RowOutcome, RowParser};
use parser as profiles;
use source::reuse;

pub use model::shape;
pub use model::spec;
pub use model::{
    Counts, Grain, ImportObserver, ImportOptions, ImportReport, Outcome, ProfileInfo, RowIssue,
    Silent,
};
pub use parser::declarative::IDENTIFIERS_DROPPED;
pub use parser::{BUILT_IN, ProfileSummary};
pub use source::{ImportSource, sniff};

/// The last record of a file whose cell swallowed the rest of the file: a quote was opened and
/// never closed, so every line after it was read as text. Such a cell ends with the file's last
/// line break, which a cell whose quote was closed practically never does.
fn unclosed_quote(record: &ByteRecord, line: u64, header: &[String]) -> Option<RowIssue> {
    let (index, cell) = record
        .iter()
        .enumerate()
        .find(|(_, cell)| ends_with_line_break(cell))?;
    let last_line = line + record.iter().flatten().filter(|&&b| b == b'\n').count() as u64 - 1;
    Some(RowIssue {
        line,
        column_number: Some(index + 1),
        column_name: header.get(index).cloned(),
        expected: Some("a closing quote (\") at the end of this cell".to_string()),
        found: Some(format!(
            "{} bytes running to the end of the file",
            cell.len()
        )),
        reason: format!(
            "a quote opened in this cell is never closed, so lines {line} to {last_line} were read as one cell; \
             add the closing quote (or remove the opening one) and import the file again"
        ),
    })
}

/// A file the CSV reader could not go on reading (a line too long, a read failure): refused.
fn reading_stopped(
    name: &str,
    err: &csv::Error,
    fallback_line: u64,
    preamble_lines: u64,
) -> anyhow::Error {
    let line = err.position().map(|p| p.line()).unwrap_or(fallback_line) + preamble_lines;
    anyhow::anyhow!(
        "cannot import {name}: reading stopped near line {line}: {err}. Nothing was imported from this file"
    )
}

fn ends_with_line_break(cell: &[u8]) -> bool {
    // The last byte first: on the hot path almost every cell stops there.
    matches!(cell.last(), Some(b'\n' | b'\r')) && cell.contains(&b'\n')
}

fn may_be_unclosed(record: &ByteRecord) -> bool {
    record.iter().any(ends_with_line_break)
}

/// The page cache an import may use, in KiB (peak memory stays under 64 MiB).
const IMPORT_CACHE_KIB: i64 = 8 * 1024;

const REJECTED_SAMPLE: usize = 20;
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

fn import_file(
    store: &mut Store,
    source: ImportSource,
    options: &ImportOptions,
    observer: &mut dyn ImportObserver,
) -> Result<ImportReport> {
    let name = source.name.clone();
    let path = source.path.clone();
    let source_len = source.len;
    observer.started(&name, source.len);

    let mut context = read_context(store, options, &name)?;
    let vocabulary = Vocabulary::load(store.conn())?;
    let mut registry = profiles::Registry::load(&vocabulary, store.path())?;
    let requested = match options.profile.as_deref() {
        Some(text) if text.ends_with(".toml") || text.contains('/') || text.contains('\\') => {
            Some(registry.add_file(std::path::Path::new(text), &vocabulary)?)
        }
        other => other.map(str::to_string),
    };
    let (mut reader, tap) = source.into_reader()?;
    // Comment lines above the header (GA4 writes nine) are kept for profiles that read them.
    let mut preamble_lines = 0u64;
    loop {
        let buffer = reader.fill_buf()?;
        if !buffer.starts_with(b"#") {
            break;
        }
        let mut line = Vec::new();
        reader.read_until(b'\n', &mut line)?;
        context
            .preamble
            .push(String::from_utf8_lossy(&line).trim_end().to_string());
        preamble_lines += 1;
    }
    // The CSV reader numbers the records of a file with Windows line ends (\r\n) one line
    // short after the first (BurntSushi/rust-csv#395): rows are numbered as people see them.
    let crlf_lag = {
        let buffer = reader.fill_buf()?;
        let first_end = buffer.iter().position(|b| *b == b'\n');
        u64::from(first_end.is_some_and(|end| end > 0 && buffer[end - 1] == b'\r'))
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);

    let mut header = ByteRecord::new();
    let has_header = csv
        .read_byte_record(&mut header)
        .with_context(|| format!("cannot read {name}"))?;
    if !has_header {
        bail!(
            "cannot import {name}: it has no header line. Export it again from the tool, with column names on the first line"
        );
    }
    let header_names: Vec<String> = header
        .iter()
        .map(|cell| String::from_utf8_lossy(cell).trim().to_string())
        .collect();
    let (profile, layout) = registry.choose(
        requested.as_deref(),
        &header_names,
        &header,
        &name,
        &context,
    )?;
    // Records to read before (or, for a key/value report, instead of) the rest of the file:
    // (record, line, a reason to skip it without parsing).
    let mut queued: VecDeque<(ByteRecord, u64, Option<String>)> = VecDeque::new();
    let bound_header: Vec<String> = match layout {
        Layout::Header => header_names.clone(),
        Layout::Headerless => {
            // The first record is data in a file without a header.
            queued.push_back((header.clone(), 1 + preamble_lines, None));
            Vec::new()
        }
        Layout::KeyValue => {
            let report = read_key_value(&mut csv, preamble_lines, &name)?;
            queued.push_back((report.values, report.line, None));
            for line in report.link_lines {
                queued.push_back((
                    ByteRecord::new(),
                    line,
                    Some(
                        "a link's clicks (the report's totals above already count them)"
                            .to_string(),
                    ),
                ));
            }
            report.labels
        }
    };
    let only_queued = layout == Layout::KeyValue;
    context.moment = shape::resolve(
        profile.spec().map(|s| s.shape).unwrap_or_default(),
        profile.name(),
        options.time,
        options.today,
    )
    .map_err(|message| anyhow::anyhow!("cannot import {name}: {message}"))?;
    let parser = profile.bind(&bound_header, &context).map_err(|message| {
        anyhow::anyhow!("cannot import {name} as {}: {message}", profile.name())
    })?;
    let profile_name = profile.name().to_string();
    observer.header(&header)?;

    let conn = store.conn_mut();
    let profile_text = format!("{}|{:?}", profile.origin(), profile.spec());
    let context_hash = reuse::fingerprint(conn, &profile_name, &profile_text, options, &context)?;
    let moment = context.moment;
    if let Some((sha256, earlier, notes)) = earlier_import(
        conn,
        path.as_deref(),
        &profile_name,
        &context_hash,
        &context,
        &*observer,
    )? {
        let mut notes = notes;
        notes.extend(parser.notes());
        return record_repeat(
            conn,
            options,
            observer,
            Repeat {
                name,
                path,
                profile_name,
                sha256,
                context_hash,
                earlier,
                notes,
            },
        );
    }
    // A bigger page cache than SQLite's 2 MiB default keeps the indexes an import walks in
    // memory; without it, pages spill to the WAL and are read back thousands of times.
    conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
    // A bulk import writes with SQLite's per-row foreign-key checks off (three lookups for each
    // touch cost a fifth of the import) and checks every reference once before it commits. The
    // setting only changes outside a transaction; `import` turns it on again afterwards.
    let bulk_tables: Vec<&str> = match source_len {
        Some(len) => ["touch", "action"]
            .into_iter()
            .filter_map(|table| {
                is_bulk(conn, table, len)
                    .map(|bulk| bulk.then_some(table))
                    .transpose()
            })
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let check_references_at_end = !bulk_tables.is_empty();
    conn.pragma_update(None, "foreign_keys", !check_references_at_end)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO import (file_name, file_path, sha256, profile, campaign_id, started_at)
         VALUES (?1, ?2, '', ?3, ?4, ?5)",
        params![
            name,
            path.as_ref().map(|p| p.display().to_string()),
            profile_name,
            context.campaign_override.as_ref().map(|(_, id)| *id),
            now_utc()
        ],
    )?;
    let import_id = tx.last_insert_rowid();

    let mut writer = writer::Writer::new(&tx, import_id, &profile_name, context.org_tz)?;
    for table in bulk_tables {
        writer.defer_indexes(table)?;
    }
    let mut counts = Counts::default();
    let mut rejected_sample = Vec::new();
    let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
    // Rows are read and parsed on a second thread while the rows before them are written: the
    // CSV, the times and the keyed hashes cost about as much as the database work, and a laptop
    // has more than one core. Rows go across in batches (the hand-over costs little) through a
    // bounded channel (memory stays flat however far ahead reading gets).
    let (sender, receiver) =
        std::sync::mpsc::sync_channel::<Result<Vec<ReadRow>>>(READ_AHEAD_BATCHES);
    let (finished, returned) = std::sync::mpsc::sync_channel::<Vec<ReadRow>>(READ_AHEAD_BATCHES);
    let rows = RowReader {
        csv,
        parser,
        queued,
        only_queued,
        preamble_lines: preamble_lines + crlf_lag,
        name: &name,
        header_names: &header_names,
    };
    let parser = std::thread::scope(|scope| -> Result<Box<dyn RowParser>> {
        let reading = std::thread::Builder::new()
            .name("import-reader".to_string())
            .spawn_scoped(scope, move || rows.read_all(&sender, &returned))?;
        let written = (|| -> Result<()> {
            for batch in &receiver {
                let mut batch = batch?;
                for row in &mut batch {
                    let line = row.line;
                    counts.rows_read += 1;
                    if counts.rows_read % PROGRESS_EVERY == 0 {
                        observer.progress(tap.bytes_read());
                    }

                    let issue = match &mut row.outcome {
                        Ok(RowOutcome::Skip(reason)) => {
                            counts.skipped += 1;
                            writer.record_issue(
                                &RowIssue {
                                    line,
                                    column_number: None,
                                    column_name: None,
                                    expected: None,
                                    found: None,
                                    reason: reason.clone(),
                                },
                                "skipped",
                            )?;
                            *skipped.entry(std::mem::take(reason)).or_default() += 1;
                            continue;
                        }
                        Ok(RowOutcome::Records(records)) => {
                            match writer.apply_row(records, line)? {
                                Ok(applied) => {
                                    match applied {
                                        model::Applied::Inserted => counts.inserted += 1,
                                        model::Applied::Updated => counts.updated += 1,
                                        model::Applied::Unchanged => counts.unchanged += 1,
                                    }
                                    continue;
                                }
                                Err(issue) => issue,
                            }
                        }
                        Err(issue) => issue.clone(),
                    };
                    counts.rejected += 1;
                    writer.record_issue(&issue, "rejected")?;
                    observer.rejected(&issue, &row.record)?;
                    if rejected_sample.len() < REJECTED_SAMPLE {
                        rejected_sample.push(issue);
                    }
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
    })?;
    writer.finish()?;
    rejected_sample.sort_by_key(|issue| issue.line);
    observer.progress(tap.bytes_read());
    observer.finished();
    // Warnings worth keeping for `turnout check`: printed rates that disagree with their counts,
    // numbers another kind of export gave differently.
    let mut warnings = parser.warnings();
    warnings.extend(
        writer
            .conflicts()
            .iter()
            .map(|c| format!("a number another export gave differently: {c}")),
    );
    let rows_owned = writer.rows_owned() as i64;
    let mut shape_notes: Vec<String> = moment.note().into_iter().collect();
    shape_notes.extend(writer.snapshots().notes());
    // Built from the rows as written (a row's effort may have linked it), by the rule
    // `turnout codes --unmatched` uses.
    let codes_note = crate::linking::unmatched_codes_note(&tx, import_id)?;
    let (period_begin, period_end) = match moment {
        shape::Moment::Period { .. } => (writer.periods().first, writer.periods().last),
        _ => (None, None),
    };
    if let (Some(first), Some(last)) = (period_begin, period_end) {
        shape_notes.push(format!(
            "totals over {}",
            crate::dates::DayRange { first, last }.describe()
        ));
    }
    tx.execute(
        "UPDATE import SET shape = ?1, as_of = ?2, period_begin = ?3, period_end = ?4 WHERE id = ?5",
        params![
            moment.shape().as_str(),
            match moment {
                shape::Moment::AsOf { day, .. } => Some(day.to_string()),
                _ => None,
            },
            period_begin.map(|d| d.to_string()),
            period_end.map(|d| d.to_string()),
            import_id
        ],
    )?;
    drop(writer);
    if check_references_at_end {
        crate::store::check_references(&tx)?;
    }

    let sha256 = tap.sha256_hex();
    tx.execute(
        "UPDATE import SET sha256 = ?1, finished_at = ?2, rows_read = ?3, inserted = ?4, updated = ?5,
                unchanged = ?6, rejected = ?7, skipped = ?8, notes = ?10, rows_owned = ?11, context = ?12
         WHERE id = ?9",
        params![
            sha256,
            now_utc(),
            counts.rows_read as i64,
            counts.inserted as i64,
            counts.updated as i64,
            counts.unchanged as i64,
            counts.rejected as i64,
            counts.skipped as i64,
            import_id,
            (!warnings.is_empty()).then(|| warnings.join("\n")),
            rows_owned,
            context_hash
        ],
    )?;
    debug_assert!(counts.balances());

    let outcome = conclude(tx, options, counts.rejected)?;

    Ok(ImportReport {
        file: name,
        profile: profile_name,
        sha256,
        import_id: (outcome == Outcome::Imported).then_some(import_id),
        same_as: None,
        counts,
        outcome,
        rejected_sample,
        skipped_reasons: skipped.into_iter().collect(),
        notes: {
            // The parser's notes already hold its own warnings; add the writer's.
            let own = parser.warnings().len();
            let mut notes = shape_notes;
            notes.extend(parser.notes());
            notes.extend(codes_note);
            notes.extend(warnings.into_iter().skip(own));
            notes
        },
    })
}

/// One row as read and parsed, ready to be written.
struct ReadRow {
    record: ByteRecord,
    line: u64,
    outcome: Result<RowOutcome, RowIssue>,
}

/// Rows handed from the reading thread to the writing one at a time.
const READ_BATCH: usize = 512;
/// Batches the reading thread may be ahead of the writing one.
const READ_AHEAD_BATCHES: usize = 4;

/// The reading half of an import: the CSV reader and the profile's parser, on their own thread.
struct RowReader<'a> {
    csv: csv::Reader<BufReader<source::TappedReader>>,
    parser: Box<dyn RowParser>,
    /// Records to read before (or, for a key/value report, instead of) the rest of the file:
    /// (record, line, a reason to skip it without parsing).
    queued: VecDeque<(ByteRecord, u64, Option<String>)>,
    only_queued: bool,
    preamble_lines: u64,
    name: &'a str,
    header_names: &'a [String],
}

impl RowReader<'_> {
    /// Reads and parses every row, sending them in batches; a read error that stops the file is
    /// sent last. Stops early when the writing side hangs up. Returns the parser, whose notes
    /// and warnings are read afterwards.
    fn read_all(
        mut self,
        sender: &SyncSender<Result<Vec<ReadRow>>>,
        returned: &Receiver<Vec<ReadRow>>,
    ) -> Box<dyn RowParser> {
        let mut batch = Vec::with_capacity(READ_BATCH);
        let mut rows_read = 0u64;
        loop {
            let row = match self.next_row(rows_read) {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(err) => {
                    let _ = sender.send(Ok(batch));
                    let _ = sender.send(Err(err));
                    return self.parser;
                }
            };
            rows_read += 1;
            batch.push(row);
            if batch.len() == READ_BATCH {
                // A batch the writing side is done with is emptied here (its rows freed by
                // the thread that allocated them) and filled again.
                let empty = match returned.try_recv() {
                    Ok(mut done) => {
                        done.clear();
                        done
                    }
                    Err(_) => Vec::with_capacity(READ_BATCH),
                };
                let full = std::mem::replace(&mut batch, empty);
                if sender.send(Ok(full)).is_err() {
                    return self.parser;
                }
            }
        }
        let _ = sender.send(Ok(batch));
        self.parser
    }

    /// The next row, read and parsed; none at the end of the file.
    fn next_row(&mut self, rows_read: u64) -> Result<Option<ReadRow>> {
        let mut record = ByteRecord::new();
        let mut unclosed: Option<RowIssue> = None;
        let preamble_lines = self.preamble_lines;
        let (line, forced_skip) =
            if let Some((queued_record, line, reason)) = self.queued.pop_front() {
                record = queued_record;
                (line, reason)
            } else if self.only_queued {
                return Ok(None);
            } else {
                match self.csv.read_byte_record(&mut record) {
                    Ok(true) => {}
                    Ok(false) => return Ok(None),
                    Err(err) => {
                        return Err(reading_stopped(
                            self.name,
                            &err,
                            rows_read + 2,
                            preamble_lines,
                        ));
                    }
                }
                let line = record.position().map(|p| p.line()).unwrap_or(1) + preamble_lines;
                // A cell that ends with a line break may have swallowed the rest of the file: it has
                // when nothing follows it (then it is rejected below).
                if may_be_unclosed(&record) {
                    let mut next = ByteRecord::new();
                    match self.csv.read_byte_record(&mut next) {
                        Ok(false) => unclosed = unclosed_quote(&record, line, self.header_names),
                        Ok(true) => {
                            let next_line =
                                next.position().map(|p| p.line()).unwrap_or(0) + preamble_lines;
                            self.queued.push_back((next, next_line, None));
                        }
                        Err(err) => {
                            return Err(reading_stopped(
                                self.name,
                                &err,
                                rows_read + 3,
                                preamble_lines,
                            ));
                        }
                    }
                }
                (line, None)
            };
        let outcome = if let Some(reason) = forced_skip {
            Ok(RowOutcome::Skip(reason))
        } else if let Some(issue) = unclosed {
            Err(issue)
        } else if record
            .iter()
            .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
        {
            Ok(RowOutcome::Skip("blank row".to_string()))
        } else {
            self.parser.parse(&record, line)
        };
        Ok(Some(ReadRow {
            record,
            line,
            outcome,
        }))
    }
}

/// Commits an import's transaction, or rolls it back for `--dry-run`, and for `--strict` when
/// rows were rejected; says which.
fn conclude(tx: rusqlite::Transaction, options: &ImportOptions, rejected: u64) -> Result<Outcome> {
    let outcome = if options.strict && rejected > 0 {
        Outcome::StrictRefused
    } else if options.dry_run {
        Outcome::DryRun
    } else {
        Outcome::Imported
    };
    if outcome == Outcome::Imported {
        tx.commit()?;
    } else {
        tx.rollback()?;
    }
    Ok(outcome)
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

/// An earlier import whose outcome importing this file again would repeat: (the file's sha256,
/// the import, a note to say so). A snapshot or a period total is the same download whatever
/// the day or flags; any other file must match in bytes and context, its rows untouched since.
fn earlier_import(
    conn: &rusqlite::Connection,
    path: Option<&std::path::Path>,
    profile_name: &str,
    context_hash: &str,
    context: &ReadContext,
    observer: &dyn ImportObserver,
) -> Result<Option<(String, reuse::Earlier, Vec<String>)>> {
    let Some(file) = path else {
        return Ok(None);
    };
    let moment = context.moment;
    if moment != shape::Moment::Events {
        let sha256 = reuse::file_sha256(file)?;
        let campaign_id = context.campaign_override.as_ref().map(|(_, id)| *id);
        let earlier = reuse::find_same_download(conn, &sha256, profile_name, campaign_id)?;
        return Ok(earlier.map(|earlier| {
            let note = format!(
                "the same file as import {}: nothing changed. A new download has new numbers; import that one{}",
                earlier.owner,
                if moment.shape() == Shape::Cumulative {
                    " with the day it was downloaded (--as-of DATE)"
                } else {
                    ""
                }
            );
            (sha256, earlier, vec![note])
        }));
    }
    if observer.wants_rejected_rows() || !reuse::any_candidate(conn, profile_name, context_hash)? {
        return Ok(None);
    }
    let sha256 = reuse::file_sha256(file)?;
    let earlier = reuse::find(conn, &sha256, profile_name, context_hash)?;
    Ok(earlier.map(|earlier| (sha256, earlier, Vec::new())))
}

/// A file found unchanged since an earlier import (see `reuse`).
struct Repeat {
    name: String,
    path: Option<std::path::PathBuf>,
    profile_name: String,
    sha256: String,
    context_hash: String,
    earlier: reuse::Earlier,
    notes: Vec<String>,
}

/// Records an import of a file that an earlier import already took, unchanged: a ledger entry
/// with the earlier outcome (its rows unchanged, its rejected and skipped rows again), written
/// without reading the rows.
fn record_repeat(
    conn: &mut rusqlite::Connection,
    options: &ImportOptions,
    observer: &mut dyn ImportObserver,
    repeat: Repeat,
) -> Result<ImportReport> {
    let earlier = &repeat.earlier;
    let counts = reuse::repeated_counts(&earlier.counts);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let started = now_utc();
    tx.execute(
        "INSERT INTO import (file_name, file_path, sha256, profile, campaign_id, started_at, finished_at,
                             rows_read, inserted, updated, unchanged, rejected, skipped, notes,
                             rows_owned, context, same_as)
         SELECT ?1, ?2, ?3, ?4, campaign_id, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, notes, 0, ?12, ?13
         FROM import WHERE id = ?13",
        params![
            repeat.name,
            repeat.path.as_ref().map(|p| p.display().to_string()),
            repeat.sha256,
            repeat.profile_name,
            started,
            counts.rows_read as i64,
            counts.inserted as i64,
            counts.updated as i64,
            counts.unchanged as i64,
            counts.rejected as i64,
            counts.skipped as i64,
            repeat.context_hash,
            earlier.owner
        ],
    )?;
    let import_id = tx.last_insert_rowid();
    reuse::copy_issues(&tx, earlier.owner, import_id)?;
    let mut rejected_sample = Vec::new();
    let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
    for (outcome, issue) in issues(&tx, import_id)? {
        if outcome == "skipped" {
            *skipped.entry(issue.reason).or_default() += 1;
        } else if rejected_sample.len() < REJECTED_SAMPLE {
            rejected_sample.push(issue);
        }
    }
    let codes_note = crate::linking::unmatched_codes_note(&tx, earlier.owner)?;
    let outcome = conclude(tx, options, counts.rejected)?;
    observer.finished();
    let mut notes = repeat.notes;
    notes.extend(codes_note);
    notes.extend(
        earlier
            .notes
            .iter()
            .flat_map(|n| n.lines().map(str::to_string)),
    );
    notes.dedup();
    Ok(ImportReport {
        file: repeat.name,
        profile: repeat.profile_name,
        sha256: repeat.sha256,
        import_id: (outcome == Outcome::Imported).then_some(import_id),
        same_as: Some(earlier.owner),
        counts,
        outcome,
        rejected_sample,
        skipped_reasons: skipped.into_iter().collect(),
        notes,
    })
}

/// A one-record report written as `"Label:","value"` lines (Mailchimp's single-campaign
/// report), with a table of links after it.
struct KeyValueReport {
    labels: Vec<String>,
    values: ByteRecord,
    line: u64,
    /// The lines of the link table's rows.
    link_lines: Vec<u64>,
}

fn read_key_value<R: std::io::Read>(
    csv: &mut csv::Reader<R>,
    preamble_lines: u64,
    name: &str,
) -> Result<KeyValueReport> {
    let mut labels = Vec::new();
    let mut values = ByteRecord::new();
    let mut links = Vec::new();
    let mut link_lines = Vec::new();
    let mut first_line = None;
    let mut in_links = false;
    let mut record = ByteRecord::new();
    while csv
        .read_byte_record(&mut record)
        .with_context(|| format!("cannot read {name}"))?
    {
        let line = record.position().map(|p| p.line()).unwrap_or(0) + preamble_lines;
        let cells: Vec<String> = record
            .iter()
            .map(|c| String::from_utf8_lossy(c).trim().to_string())
            .collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if in_links {
            if cells[0].starts_with("http") {
                links.push(cells[0].clone());
                link_lines.push(line);
            }
            continue;
        }
        if cells[0].eq_ignore_ascii_case("URL") {
            in_links = true;
            continue;
        }
        if cells.len() >= 2 && cells[0].ends_with(':') {
            first_line.get_or_insert(line);
            labels.push(cells[0].trim_end_matches(':').trim().to_string());
            values.push_field(cells[1].as_bytes());
        }
    }
    // The links, in one cell, so a profile can read codes and ids from them.
    labels.push("Links".to_string());
    values.push_field(links.join(" ").as_bytes());
    Ok(KeyValueReport {
        labels,
        values,
        line: first_line.unwrap_or(2),
        link_lines,
    })
}

fn read_context(store: &Store, options: &ImportOptions, file_name: &str) -> Result<ReadContext> {
    let conn = store.conn();
    let mut campaigns_by_slug = BTreeMap::new();
    for campaign in campaigns::list(conn)? {
        campaigns_by_slug.insert(campaign.slug.to_lowercase(), campaign.id);
    }
    let campaign_override = match &options.campaign {
        Some(slug) => {
            let campaign = campaigns::get(conn, slug)?;
            Some((campaign.slug, campaign.id))
        }
        None => None,
    };
    Ok(ReadContext {
        vocabulary: Vocabulary::load(conn)?,
        campaigns: campaigns_by_slug,
        campaign_override,
        org_tz: settings::timezone(conn)?,
        source_tz: options.tz,
        date_override: options.time.date,
        moment: shape::Moment::Events,
        today: options.today,
        verbose: options.verbose,
        matcher: crate::linking::CodeMatcher::load(conn)?,
        default_country: settings::get(conn, "default_country")?,
        db_path: store.path().to_path_buf(),
        has_people: conn.query_row("SELECT EXISTS (SELECT 1 FROM person)", [], |row| row.get(0))?,
        legacy_identities: conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM import WHERE context IS NULL)",
            [],
            |row| row.get(0),
        )?,
        file_name: file_name.to_string(),
        preamble: Vec::new(),
        forgotten: conn
            .prepare("SELECT hash FROM forgotten")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?,
        new_key: options.new_key,
    })
}

/// One past import, as the ledger holds it.
#[derive(Debug, Clone)]
pub struct LedgerEntry {
    pub id: i64,
    pub file_name: String,
    pub profile: String,
    pub sha256: String,
    pub campaign: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub counts: Counts,
    /// For a snapshot, "as of DAY"; for period totals, the period.
    pub covers: Option<String>,
}

pub fn ledger(conn: &rusqlite::Connection, id: Option<i64>) -> Result<Vec<LedgerEntry>> {
    let mut stmt = conn.prepare(
        "SELECT i.id, i.file_name, i.profile, i.sha256, c.slug, i.started_at, i.finished_at,
                i.rows_read, i.inserted, i.updated, i.unchanged, i.rejected, i.skipped,
                i.as_of, i.period_begin, i.period_end
         FROM import i LEFT JOIN campaign c ON c.id = i.campaign_id
         WHERE ?1 IS NULL OR i.id = ?1 ORDER BY i.id",
    )?;
    let entries = stmt
        .query_map(params![id], |row| {
            Ok(LedgerEntry {
                id: row.get(0)?,
                file_name: row.get(1)?,
                profile: row.get(2)?,
                sha256: row.get(3)?,
                campaign: row.get(4)?,
                started_at: row.get(5)?,
                finished_at: row.get(6)?,
                counts: Counts {
                    rows_read: row.get::<_, i64>(7)? as u64,
                    inserted: row.get::<_, i64>(8)? as u64,
                    updated: row.get::<_, i64>(9)? as u64,
                    unchanged: row.get::<_, i64>(10)? as u64,
                    rejected: row.get::<_, i64>(11)? as u64,
                    skipped: row.get::<_, i64>(12)? as u64,
                },
                covers: covers(row.get(13)?, row.get(14)?, row.get(15)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(entries)
}

/// What a snapshot or a file of period totals covers, in words.
fn covers(as_of: Option<String>, begin: Option<String>, end: Option<String>) -> Option<String> {
    let day = |text: Option<String>| text.and_then(|t| t.parse::<NaiveDate>().ok());
    match (day(as_of), day(begin), day(end)) {
        (Some(as_of), _, _) => Some(format!("as of {as_of}")),
        (None, Some(first), Some(last)) => Some(crate::dates::DayRange { first, last }.describe()),
        _ => None,
    }
}

/// The rows one import rejected or skipped, in file order.
pub fn issues(conn: &rusqlite::Connection, import_id: i64) -> Result<Vec<(String, RowIssue)>> {
    let mut stmt = conn.prepare(
        "SELECT outcome, line, column_number, column_name, expected, found, reason
         FROM import_issue WHERE import_id = ?1 ORDER BY line",
    )?;
    let rows = stmt
        .query_map(params![import_id], |row| {
            Ok((
                row.get(0)?,
                RowIssue {
                    line: row.get::<_, i64>(1)? as u64,
                    column_number: row.get::<_, Option<i64>>(2)?.map(|n| n as usize),
                    column_name: row.get(3)?,
                    expected: row.get(4)?,
                    found: row.get(5)?,
                    reason: row.get(6)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Every profile this database can use: built-in ones, then the user's own.
pub fn profile_summaries(store: &Store) -> Result<Vec<ProfileSummary>> {
    let vocabulary = Vocabulary::load(store.conn())?;
    Ok(profiles::Registry::load(&vocabulary, store.path())?.summaries())
}

/// One profile, by name or by the path of its file.
pub fn profile_spec(store: &Store, name: &str) -> Result<(spec::ProfileSpec, String)> {
    let vocabulary = Vocabulary::load(store.conn())?;
    let mut registry = profiles::Registry::load(&vocabulary, store.path())?;
    let name = if name.ends_with(".toml") || name.contains('/') {
        registry.add_file(std::path::Path::new(name), &vocabulary)?
    } else {
        name.to_string()
    };
    match registry.get(&name) {
        Some(profile) => match profile.spec() {
            Some(spec) => Ok((spec.clone(), profile.origin())),
            None => bail!(
                "{name} is turnout's own format, built into turnout: columns date,campaign,channel,effort,metric,value,source (see imports/README.md)"
            ),
        },
        None => bail!(
            "there is no import profile called '{name}'. Profiles: {}",
            registry.names().join(", ")
        ),
    }
}

/// The import profile that knows a file, by name, and the (column, kind) of each of its people's
/// emails and phones.
pub type Recognised = Option<(String, Vec<(usize, crate::people::IdKind)>)>;

/// Finds, in a header an import profile recognises, the columns that hold people's emails and
/// phones as the profile declares them. (A Spoke contacts file also holds its texters' emails and
/// phones; only the profile knows which columns are the people.)
pub struct PersonColumns {
    registry: profiles::Registry,
}

impl PersonColumns {
    pub fn load(store: &Store) -> Result<PersonColumns> {
        let vocabulary = Vocabulary::load(store.conn())?;
        Ok(PersonColumns {
            registry: profiles::Registry::load(&vocabulary, store.path())?,
        })
    }

    /// The recognising profile's name and each (column, kind), none of them when the export
    /// names no one; nothing when no profile recognises the header.
    pub fn find(&self, header: &[String]) -> Recognised {
        use crate::people::IdKind;
        let profile = self.registry.recognise(header)?;
        let spec = profile.spec()?;
        let mut columns = Vec::new();
        for field in spec.fields.values() {
            let kind = match field.kind {
                spec::FieldType::Email => IdKind::Email,
                spec::FieldType::Phone => IdKind::Phone,
                _ => continue,
            };
            if let Some(index) = header.iter().position(|h| {
                field
                    .headers
                    .iter()
                    .any(|name| h.trim().eq_ignore_ascii_case(name.trim()))
            }) && !columns.contains(&(index, kind))
            {
                columns.push((index, kind));
            }
        }
        columns.sort_unstable();
        Some((profile.name().to_string(), columns))
    }
}

/// Checks a profile file: the parsed profile, or every problem with its line.
pub fn check_profile(
    store: &Store,
    path: &std::path::Path,
) -> Result<std::result::Result<spec::ProfileSpec, Vec<spec::SpecError>>> {
    let vocabulary = Vocabulary::load(store.conn())?;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the profile {}", path.display()))?;
    Ok(spec::parse(&text, &|m: &str| vocabulary.find(m).is_some()))
}

/// For each metric, the export columns that feed it ("mailchimp-campaigns: Unique Opens"), from
/// every profile this database can use.
pub fn metric_sources(store: &Store) -> Result<BTreeMap<String, Vec<String>>> {
    use spec::RecordSpec;
    let vocabulary = Vocabulary::load(store.conn())?;
    let registry = profiles::Registry::load(&vocabulary, store.path())?;
    let mut sources: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |metric: &str, text: String| {
        let list = sources.entry(metric.to_string()).or_default();
        if !list.contains(&text) {
            list.push(text);
        }
    };
    for name in registry.names() {
        let Some(spec) = registry.get(name).and_then(|p| p.spec()) else {
            continue;
        };
        let column = |field: &str| {
            spec.fields
                .get(field)
                .and_then(|f| f.headers.first().cloned())
                .unwrap_or_else(|| field.to_string())
        };
        for record in &spec.records {
            match record {
                RecordSpec::EffortMetrics { metrics, .. } | RecordSpec::Metrics { metrics, .. } => {
                    for (metric, field) in metrics {
                        add(metric, format!("{}: {}", spec.name, column(field)));
                    }
                }
                RecordSpec::Action { metric, .. } => {
                    add(metric, format!("{}: one per row", spec.name));
                }
                RecordSpec::Touch { touch, .. } => {
                    let metrics: &[&str] = match touch.as_str() {
                        "opened" => &["opens", "unique_opens"],
                        "clicked" => &["clicks", "unique_clicks"],
                        "replied" => &["replies"],
                        "delivered" => &["delivered"],
                        _ => &["sent"],
                    };
                    for metric in metrics {
                        add(metric, format!("{}: per person ({touch})", spec.name));
                    }
                }
                RecordSpec::Event { .. } | RecordSpec::Person { .. } | RecordSpec::Plan { .. } => {}
            }
        }
    }
    Ok(sources)
}
