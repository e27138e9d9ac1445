//! What a profile is to the rest of the import: something that recognises a file by its header
//! and binds to it, giving a row parser.

use anyhow::Result;
use csv::ByteRecord;

use super::context::ReadContext;
use super::issue::RowIssue;
use super::records::RowOutcome;
use super::spec;

/// A profile that has found its columns in a header and can read rows (on the reading thread,
/// while the rows before are written).
pub(crate) trait RowParser: Send {
    fn parse(&mut self, record: &ByteRecord, line: u64) -> Result<RowOutcome, RowIssue>;
    /// What the user should know once the file has been read.
    fn notes(&self) -> Vec<String>;
    /// The notes worth keeping with the import for `turnout check` (rates that disagree).
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
    /// The emails and phones the row just parsed named but that could not be read (the row
    /// still counts, as no one): for the ledger.
    fn take_dropped(&mut self) -> Vec<RowIssue> {
        Vec::new()
    }
    /// Readies what parsing these records, next, will look up (see `Identifiers::warm`).
    fn warm(&self, _records: &[&ByteRecord]) {}
    /// How many of the file's first rows the parser wants to see before it parses any, to
    /// learn what its columns show of how the file writes days and numbers (see `learn`).
    fn sample_rows(&self) -> usize {
        0
    }
    /// Learns from the file's first rows (each with its line), before any is parsed.
    fn learn(&mut self, _sample: &[(&ByteRecord, u64)]) {}
}

pub(crate) trait Profile {
    fn name(&self) -> &str;
    fn description(&self) -> String;
    /// How many columns must match: the more, the surer a match.
    fn specificity(&self) -> usize;
    /// The required columns a header lacks.
    fn missing(&self, header: &[String]) -> Vec<String>;
    /// "built-in", or the file it was read from.
    fn origin(&self) -> String {
        "built-in".to_string()
    }
    /// The profile as data, for `turnout profiles show` (none for turnout's own format).
    fn spec(&self) -> Option<&spec::ProfileSpec> {
        None
    }
    /// Files without a header line.
    fn headerless(&self) -> bool {
        false
    }
    /// For one-record reports of `"Label:","value"` lines: the file's first line.
    fn key_value_marker(&self) -> Option<&str> {
        None
    }
    /// For headerless profiles: whether a first row has this profile's shape.
    fn accepts_first_row(&self, _record: &ByteRecord, _context: &ReadContext) -> bool {
        false
    }
    /// Finds the profile's columns in a header, or says which required ones are missing.
    fn bind(&self, header: &[String], context: &ReadContext) -> Result<Box<dyn RowParser>, String>;
}

/// What `turnout profiles list` shows about a profile.
#[derive(Debug)]
pub struct ProfileInfo {
    pub name: &'static str,
    pub description: &'static str,
    /// Columns that must all be present (compared case-insensitively, trimmed).
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
}

impl ProfileInfo {
    /// The required columns a header lacks.
    pub fn missing(&self, header: &[String]) -> Vec<&'static str> {
        self.required
            .iter()
            .filter(|column| !header.iter().any(|h| h.eq_ignore_ascii_case(column)))
            .copied()
            .collect()
    }
}

/// How a file's rows are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A header line, then one row per record.
    Header,
    /// No header: the first line is already data.
    Headerless,
    /// `"Label:","value"` lines making one record (and a link table after it).
    KeyValue,
}

/// A header as people can read it, shortened when very wide.
pub(crate) fn show_header(header: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut shown: Vec<String> = header
        .iter()
        .take(SHOWN)
        .map(|h| format!("'{h}'"))
        .collect();
    if header.len() > SHOWN {
        shown.push(format!("and {} more", header.len() - SHOWN));
    }
    if shown.is_empty() {
        "an empty line".to_string()
    } else {
        shown.join(", ")
    }
}
