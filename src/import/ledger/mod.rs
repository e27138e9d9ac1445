//! The ledger: one entry per import, with the accounting of every row it read and the rows it
//! rejected or skipped, kept for `turnout imports` and `turnout check`.

mod all_rejected;
mod repeat;
mod tally;

pub(crate) use all_rejected::likely_cause;
pub(crate) use repeat::{Repeat, record_repeat};
pub(crate) use tally::Tally;

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, Transaction, params};

use crate::import::model::{Counts, ImportOptions, Outcome, ReadContext, RowIssue};
use crate::store::now_utc;

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

/// Commits an import's transaction, or rolls it back for `--dry-run`, for `--strict` when rows
/// were rejected, and when every row was (see `all_rejected`); says which.
pub(crate) fn conclude(
    tx: rusqlite::Transaction,
    options: &ImportOptions,
    counts: &Counts,
) -> Result<Outcome> {
    let rejected = counts.rejected;
    let outcome = if rejected > 0 && rejected == counts.rows_read {
        Outcome::AllRejected
    } else if options.strict && rejected > 0 {
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

/// Opens the ledger entry of an import about to write its rows; returns its id.
pub(crate) fn open_entry(
    tx: &Transaction,
    name: &str,
    path: Option<&std::path::Path>,
    profile_name: &str,
    context: &ReadContext,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO import (file_name, file_path, sha256, profile, campaign_id, started_at)
         VALUES (?1, ?2, '', ?3, ?4, ?5)",
        params![
            name,
            path.map(|p| p.display().to_string()),
            profile_name,
            context.campaign_override.as_ref().map(|(_, id)| *id),
            now_utc()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// How an import's rows came out, for its ledger entry.
pub(crate) struct Closing<'a> {
    pub sha256: &'a str,
    pub counts: Counts,
    /// Warnings worth keeping for `turnout check`.
    pub warnings: &'a [String],
    pub rows_owned: i64,
    pub context_hash: &'a str,
}

/// Completes the ledger entry once every row is written.
pub(crate) fn close_entry(conn: &Connection, import_id: i64, closing: Closing) -> Result<()> {
    let counts = closing.counts;
    conn.execute(
        "UPDATE import SET sha256 = ?1, finished_at = ?2, rows_read = ?3, inserted = ?4, updated = ?5,
                unchanged = ?6, rejected = ?7, skipped = ?8, notes = ?10, rows_owned = ?11, context = ?12
         WHERE id = ?9",
        params![
            closing.sha256,
            now_utc(),
            counts.rows_read as i64,
            counts.inserted as i64,
            counts.updated as i64,
            counts.unchanged as i64,
            counts.rejected as i64,
            counts.skipped as i64,
            import_id,
            (!closing.warnings.is_empty()).then(|| closing.warnings.join("\n")),
            closing.rows_owned,
            closing.context_hash
        ],
    )?;
    Ok(())
}
