//! The accounting of one import's rows as they are written: every row read is inserted,
//! updated, unchanged, rejected or skipped, and each rejected or skipped row is kept with why.

use std::collections::BTreeMap;

use anyhow::Result;
use csv::ByteRecord;

use crate::import::model::{Applied, Counts, ImportObserver, RowIssue};
use rusqlite::{Connection, params};

/// The first rejected rows shown in the summary (all of them are in the ledger).
pub const REJECTED_SAMPLE: usize = 20;

pub struct Tally<'c> {
    conn: &'c Connection,
    import_id: i64,
    pub counts: Counts,
    /// The first rejected rows, in file order once the import is done.
    pub rejected_sample: Vec<RowIssue>,
    /// Skipped rows by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Emails and phones that could not be read on rows that were written (as no one).
    pub dropped_identifiers: u64,
}

impl<'c> Tally<'c> {
    pub fn new(conn: &'c Connection, import_id: i64) -> Self {
        Tally {
            conn,
            import_id,
            counts: Counts::default(),
            rejected_sample: Vec::new(),
            skipped: BTreeMap::new(),
            dropped_identifiers: 0,
        }
    }

    /// Keeps in the ledger an email or phone a written row named but could not be read.
    pub fn dropped(&mut self, issue: &RowIssue) -> Result<()> {
        self.dropped_identifiers += 1;
        self.record_issue(issue, "dropped")
    }

    pub fn applied(&mut self, applied: Applied) {
        match applied {
            Applied::Inserted => self.counts.inserted += 1,
            Applied::Updated => self.counts.updated += 1,
            Applied::Unchanged => self.counts.unchanged += 1,
        }
    }

    pub fn skipped(&mut self, line: u64, reason: String) -> Result<()> {
        self.counts.skipped += 1;
        self.record_issue(&RowIssue::skipped(line, &reason), "skipped")?;
        *self.skipped.entry(reason).or_default() += 1;
        Ok(())
    }

    pub fn rejected(
        &mut self,
        observer: &mut dyn ImportObserver,
        issue: RowIssue,
        record: &ByteRecord,
    ) -> Result<()> {
        self.counts.rejected += 1;
        self.record_issue(&issue, "rejected")?;
        observer.rejected(&issue, record)?;
        if self.rejected_sample.len() < REJECTED_SAMPLE {
            self.rejected_sample.push(issue);
        }
        Ok(())
    }

    /// Keeps a rejected, skipped or dropped row in the ledger, with why.
    fn record_issue(&self, issue: &RowIssue, outcome: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO import_issue (import_id, line, outcome, column_number, column_name, expected, found, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                self.import_id,
                issue.line as i64,
                outcome,
                issue.column_number.map(|n| n as i64),
                issue.column_name,
                issue.expected,
                issue.found,
                issue.reason
            ])?;
        Ok(())
    }
}
