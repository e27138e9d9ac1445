//! The accounting of one import's rows as they are written: every row read is inserted,
//! updated, unchanged, rejected or skipped, and each rejected or skipped row is kept with why.

use std::collections::BTreeMap;

use anyhow::Result;
use csv::ByteRecord;

use crate::import::model::{Applied, Counts, ImportObserver, RowIssue};
use crate::import::writer::Writer;

/// The first rejected rows shown in the summary (all of them are in the ledger).
pub const REJECTED_SAMPLE: usize = 20;

#[derive(Default)]
pub struct Tally {
    pub counts: Counts,
    /// The first rejected rows, in file order once the import is done.
    pub rejected_sample: Vec<RowIssue>,
    /// Skipped rows by reason.
    pub skipped: BTreeMap<String, u64>,
}

impl Tally {
    pub fn applied(&mut self, applied: Applied) {
        match applied {
            Applied::Inserted => self.counts.inserted += 1,
            Applied::Updated => self.counts.updated += 1,
            Applied::Unchanged => self.counts.unchanged += 1,
        }
    }

    pub fn skipped(&mut self, writer: &Writer, line: u64, reason: String) -> Result<()> {
        self.counts.skipped += 1;
        writer.record_issue(&RowIssue::skipped(line, &reason), "skipped")?;
        *self.skipped.entry(reason).or_default() += 1;
        Ok(())
    }

    pub fn rejected(
        &mut self,
        writer: &Writer,
        observer: &mut dyn ImportObserver,
        issue: RowIssue,
        record: &ByteRecord,
    ) -> Result<()> {
        self.counts.rejected += 1;
        writer.record_issue(&issue, "rejected")?;
        observer.rejected(&issue, record)?;
        if self.rejected_sample.len() < REJECTED_SAMPLE {
            self.rejected_sample.push(issue);
        }
        Ok(())
    }
}
