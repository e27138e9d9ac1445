//! What a user asks of an import, and what it tells them back: the options, the accounting of
//! every row, how it ended, and the hooks through which a front end follows it.

use anyhow::Result;
use chrono::NaiveDate;
use chrono_tz::Tz;
use csv::ByteRecord;

use super::issue::RowIssue;
use super::shape;

/// What the user asked for on the command line, for every file of one `turnout import`.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub profile: Option<String>,
    pub campaign: Option<String>,
    pub dry_run: bool,
    pub strict: bool,
    /// The zone of timestamps that carry no offset (`--tz`); else the profile's, else the org's.
    pub tz: Option<Tz>,
    /// `--date`, `--as-of` and `--period` (or `--begin`/`--end`): see `shape`.
    pub time: shape::TimeFlags,
    pub today: NaiveDate,
    /// List the columns a profile ignores.
    pub verbose: bool,
    /// Start a new hash key when it is missing (`--new-key`).
    pub new_key: bool,
    /// `--locale`: how this file writes numbers and dates, over the profile's and the
    /// organization's.
    pub locale: Option<crate::locale::Locale>,
    /// `--sheet`: the sheet of a workbook to read (default: the first).
    pub sheet: Option<String>,
    /// `--set FIELD=VALUE`: a profile's field given one value for every row of these files.
    pub set: Vec<(String, String)>,
}

impl ImportOptions {
    /// Every file read as it is, on `today`: its profile found by its header, nothing set.
    pub fn new(today: NaiveDate) -> ImportOptions {
        ImportOptions {
            profile: None,
            campaign: None,
            dry_run: false,
            strict: false,
            tz: None,
            time: shape::TimeFlags::default(),
            today,
            verbose: false,
            new_key: false,
            locale: None,
            sheet: None,
            set: Vec::new(),
        }
    }
}

/// How every row read was accounted for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub rows_read: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub skipped: u64,
}

impl Counts {
    /// The accounting identity every import must satisfy.
    pub fn balances(&self) -> bool {
        self.rows_read
            == self.inserted + self.updated + self.unchanged + self.rejected + self.skipped
    }
}

/// How an import ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Written to the database.
    Imported,
    /// `--dry-run`: counted, then rolled back.
    DryRun,
    /// `--strict` and some row was rejected: rolled back.
    StrictRefused,
    /// Every row was rejected: rolled back (see `ImportReport::refusal`).
    AllRejected,
}

#[derive(Debug, Clone)]
pub struct ImportReport {
    pub file: String,
    pub profile: String,
    pub sha256: String,
    /// The ledger id, when the import was written.
    pub import_id: Option<i64>,
    /// The earlier import this file was found unchanged since (its rows were not read again).
    pub same_as: Option<i64>,
    pub counts: Counts,
    pub outcome: Outcome,
    /// The first rejected rows, for the summary (all of them are in the ledger and `--rejects`).
    pub rejected_sample: Vec<RowIssue>,
    /// Skipped rows grouped by reason.
    pub skipped_reasons: Vec<(String, u64)>,
    /// Things the user should know about how rows were read (dates assumed, rows unlinked...).
    pub notes: Vec<String>,
    /// The text encoding the file was read in (`UTF-8`, `Windows-1251`, `UTF-16LE`).
    pub encoding: String,
    /// The character between its fields.
    pub delimiter: char,
    /// Why the file was refused whole, when every row was rejected: the likely cause, with
    /// the fix.
    pub refusal: Option<String>,
    /// Emails and phones on written rows that could not be read: those rows count as no one
    /// (the ledger lists them, outcome `dropped`).
    pub dropped_identifiers: u64,
}

/// Hooks for the front end: progress and the rejects file. Domain code never prints.
pub trait ImportObserver {
    fn started(&mut self, _source: &str, _len: Option<u64>) {}
    fn progress(&mut self, _bytes_read: u64) {}
    fn header(&mut self, _header: &ByteRecord) -> Result<()> {
        Ok(())
    }
    fn rejected(&mut self, _issue: &RowIssue, _record: &ByteRecord) -> Result<()> {
        Ok(())
    }
    /// Whether the rejected rows themselves are wanted (`--rejects`): then a file is always read
    /// row by row, even when it was imported before unchanged.
    fn wants_rejected_rows(&self) -> bool {
        false
    }
    fn finished(&mut self) {}
}

/// An observer that does nothing (the demo, tests).
pub struct Silent;
impl ImportObserver for Silent {}
