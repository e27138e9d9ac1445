//! The reader stage: a file's bytes as CSV records, with its preamble, header and layout found,
//! and every row numbered as people see it.

pub mod decoding;
pub mod delimiter;
mod key_value;
mod quotes;
mod rows;

pub use decoding::{Decoding, TextReader};
pub use rows::{READ_AHEAD_BATCHES, ReadRow, RowReader};

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};

use anyhow::{Context as _, Result, bail};
use csv::ByteRecord;

use crate::import::model::Layout;
use crate::import::source::TappedReader;

/// A file opened for reading: its header read, the rest still to come.
pub struct OpenedFile {
    pub csv: csv::Reader<BufReader<TextReader>>,
    /// The encoding it is read in, and the character between its fields.
    pub decoding: Decoding,
    pub delimiter: u8,
    pub header: ByteRecord,
    /// The header's cells as text, trimmed.
    pub header_names: Vec<String>,
    /// Comment lines above the header (which the CSV reader never sees).
    pub preamble_lines: u64,
    /// Title lines above the header (read as records, see `next_header`).
    pub title_lines: u64,
    /// 1 when the file ends its lines with \r\n (see `open`).
    pub crlf_lag: u64,
}

/// Records to read before (or, for a key/value report, instead of) the rest of the file, and
/// the header a profile binds to.
pub struct LaidOut {
    /// (record, line, a reason to skip it without parsing).
    pub queued: VecDeque<(ByteRecord, u64, Option<String>)>,
    pub only_queued: bool,
    pub bound_header: Vec<String>,
    /// For a key/value report, the line of each cell of its one record: an error in a cell
    /// names the line the value is on.
    pub cell_lines: Vec<u64>,
}

/// How much of a file's text the delimiter is looked for in.
const DELIMITER_SAMPLE: usize = 64 * 1024;

/// How a profile says its files are written, where it says so.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pins {
    pub encoding: Option<&'static encoding_rs::Encoding>,
    pub delimiter: Option<u8>,
}

impl OpenedFile {
    /// Whether the file was read as `pins` ask.
    pub fn agrees_with(&self, pins: Pins) -> bool {
        pins.encoding.is_none_or(|e| e == self.decoding.encoding)
            && pins.delimiter.is_none_or(|d| d == self.delimiter)
    }

    /// What the summary says of how the file was read: nothing for UTF-8 with commas.
    pub fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self.decoding.note().into_iter().collect();
        if self.delimiter != b',' {
            notes.push(format!(
                "fields separated by {}",
                delimiter::describe(self.delimiter)
            ));
        }
        notes
    }

    /// The line the header is on, as an editor numbers it.
    pub fn header_line(&self) -> u64 {
        self.preamble_lines + self.title_lines + 1
    }

    /// Takes the header line for a title above the real header (Meta and LinkedIn downloads
    /// put one there): it joins the preamble, and the next line is read as the header. False
    /// at the end of the file.
    pub fn next_header(&mut self, preamble: &mut Vec<String>) -> Result<bool> {
        let mut next = ByteRecord::new();
        if !self.csv.read_byte_record(&mut next)? {
            return Ok(false);
        }
        preamble.push(self.header_names.join(" "));
        self.title_lines += 1;
        self.header_names = header_names(&next);
        self.header = next;
        Ok(true)
    }
}

/// Reads the preamble (kept in `preamble`: GA4 writes nine comment lines) and the header line,
/// having found the file's encoding and delimiter (or taken the profile's).
pub fn open(
    mut raw: BufReader<TappedReader>,
    name: &str,
    preamble: &mut Vec<String>,
    pins: Pins,
) -> Result<OpenedFile> {
    let decoding = decoding::choose(raw.fill_buf()?, pins.encoding);
    let mut text = TextReader::new(raw, decoding);
    let delimiter = match pins.delimiter {
        Some(delimiter) => delimiter,
        None => delimiter::detect(text.peek(DELIMITER_SAMPLE)?),
    };
    let mut reader = BufReader::with_capacity(256 * 1024, text);
    let mut preamble_lines = 0u64;
    loop {
        let buffer = reader.fill_buf()?;
        if !buffer.starts_with(b"#") {
            break;
        }
        let mut line = Vec::new();
        reader.read_until(b'\n', &mut line)?;
        preamble.push(String::from_utf8_lossy(&line).trim_end().to_string());
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
        .delimiter(delimiter)
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
    Ok(OpenedFile {
        csv,
        decoding,
        delimiter,
        header_names: header_names(&header),
        header,
        preamble_lines,
        title_lines: 0,
        crlf_lag,
    })
}

fn header_names(header: &ByteRecord) -> Vec<String> {
    header
        .iter()
        .map(|cell| String::from_utf8_lossy(cell).trim().to_string())
        .collect()
}

/// What the chosen profile's layout makes of the file's first lines.
pub fn lay_out(file: &mut OpenedFile, layout: Layout, name: &str) -> Result<LaidOut> {
    let mut queued = VecDeque::new();
    let mut cell_lines = Vec::new();
    let bound_header = match layout {
        Layout::Header => file.header_names.clone(),
        Layout::Headerless => {
            // Lines starting with # were set aside as comments before the layout was known;
            // in a file without a header they are rows, so each is accounted for as skipped.
            for line in 1..=file.preamble_lines {
                let reason = "a line starting with # (read as a comment, not a row)";
                queued.push_back((ByteRecord::new(), line, Some(reason.to_string())));
            }
            // The first record is data in a file without a header.
            queued.push_back((file.header.clone(), 1 + file.preamble_lines, None));
            Vec::new()
        }
        Layout::KeyValue => {
            // The CSV reader counts the lines of a file with \r\n one short (see `open`).
            let lines_before = file.preamble_lines + file.crlf_lag;
            let report = key_value::read_key_value(&mut file.csv, lines_before, name)?;
            cell_lines = report.value_lines;
            queued.push_back((report.values, report.line, None));
            for line in report.link_lines {
                let reason = "a link's clicks (the report's totals above already count them)";
                queued.push_back((ByteRecord::new(), line, Some(reason.to_string())));
            }
            report.labels
        }
    };
    Ok(LaidOut {
        queued,
        only_queued: layout == Layout::KeyValue,
        bound_header,
        cell_lines,
    })
}
