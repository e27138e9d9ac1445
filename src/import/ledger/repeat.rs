//! An import of a file an earlier import already took, unchanged: its ledger entry, written
//! without reading the rows again.

use std::collections::BTreeMap;

use anyhow::Result;
use rusqlite::{TransactionBehavior, params};

use crate::import::model::{ImportObserver, ImportOptions, ImportReport, Outcome};
use crate::import::source::reuse;
use crate::store::now_utc;

/// A file found unchanged since an earlier import (see `reuse`).
pub(crate) struct Repeat {
    pub name: String,
    pub path: Option<std::path::PathBuf>,
    pub profile_name: String,
    pub sha256: String,
    pub context_hash: String,
    pub earlier: reuse::Earlier,
    pub notes: Vec<String>,
    pub encoding: String,
    pub delimiter: char,
}

/// Records an import of a file that an earlier import already took, unchanged: a ledger entry
/// with the earlier outcome (its rows unchanged, its rejected and skipped rows again), written
/// without reading the rows.
pub(crate) fn record_repeat(
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
    let mut dropped_identifiers = 0;
    for (outcome, issue) in super::issues(&tx, import_id)? {
        if outcome == "skipped" {
            *skipped.entry(issue.reason).or_default() += 1;
        } else if outcome == "dropped" {
            dropped_identifiers += 1;
        } else if rejected_sample.len() < super::tally::REJECTED_SAMPLE {
            rejected_sample.push(issue);
        }
    }
    let codes_note = crate::linking::unmatched_codes_note(&tx, earlier.owner)?;
    let outcome = super::conclude(tx, options, &counts)?;
    observer.finished();
    let mut notes = repeat.notes;
    notes.extend(codes_note);
    notes.extend(
        earlier
            .notes
            .iter()
            .flat_map(|n| n.lines().map(str::to_string)),
    );
    let mut said = std::collections::HashSet::new();
    notes.retain(|note| said.insert(note.clone()));
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
        encoding: repeat.encoding,
        delimiter: repeat.delimiter,
        refusal: None,
        dropped_identifiers,
    })
}
