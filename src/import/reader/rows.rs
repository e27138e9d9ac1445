//! The reading half of an import, on its own thread: records read, parsed by the profile, and
//! handed over in batches.

use std::collections::VecDeque;
use std::io::BufReader;
use std::sync::mpsc::{Receiver, SyncSender};

use anyhow::Result;
use csv::ByteRecord;

use super::quotes::{may_be_unclosed, reading_stopped, unclosed_quote};
use super::{LaidOut, OpenedFile, TextReader};
use crate::import::model::{RowIssue, RowOutcome, RowParser};

/// One row as read and parsed, ready to be written.
pub struct ReadRow {
    pub record: ByteRecord,
    pub line: u64,
    pub outcome: Result<RowOutcome, RowIssue>,
    /// Emails and phones the row names that could not be read (the row counts as no one).
    pub dropped: Vec<RowIssue>,
}

/// A record as read, before the profile parses it.
struct ReadRecord {
    record: ByteRecord,
    line: u64,
    /// A reason to skip it without parsing (see `LaidOut::queued`).
    forced_skip: Option<String>,
    /// A quote opened in it and never closed.
    unclosed: Option<RowIssue>,
}

/// Records read before any of them is parsed (see `RowParser::warm`).
const WARM_ROWS: usize = 32;

/// Rows handed from the reading thread to the writing one at a time.
const READ_BATCH: usize = 512;
/// Batches the reading thread may be ahead of the writing one.
pub const READ_AHEAD_BATCHES: usize = 4;

/// The reading half of an import: the CSV reader and the profile's parser, on their own thread.
pub struct RowReader {
    csv: csv::Reader<BufReader<TextReader>>,
    parser: Box<dyn RowParser>,
    /// Records to read before (or, for a key/value report, instead of) the rest of the file:
    /// (record, line, a reason to skip it without parsing).
    queued: VecDeque<(ByteRecord, u64, Option<String>)>,
    only_queued: bool,
    /// The line of each cell of a key/value report's record (see `LaidOut::cell_lines`).
    cell_lines: Vec<u64>,
    preamble_lines: u64,
    name: String,
    header_names: Vec<String>,
    /// Records of rows the writing side is done with, read into again: a million rows need
    /// not allocate (and grow) a million records.
    spare: Vec<ByteRecord>,
    /// Records read for the parser to learn from (see `RowParser::learn`), not parsed yet, and
    /// the error that stopped reading them, to be returned once they have been.
    sampled: VecDeque<ReadRecord>,
    sample_stop: Option<anyhow::Error>,
}

impl RowReader {
    pub fn new(
        file: OpenedFile,
        laid_out: LaidOut,
        parser: Box<dyn RowParser>,
        name: &str,
    ) -> Self {
        RowReader {
            csv: file.csv,
            parser,
            queued: laid_out.queued,
            only_queued: laid_out.only_queued,
            cell_lines: laid_out.cell_lines,
            preamble_lines: file.preamble_lines + file.crlf_lag,
            name: name.to_string(),
            header_names: file.header_names,
            spare: Vec::new(),
            sampled: VecDeque::new(),
            sample_stop: None,
        }
    }

    /// Shows the parser the file's first rows, when it wants to learn from them.
    fn sample(&mut self) {
        let wanted = self.parser.sample_rows();
        while self.sampled.len() < wanted {
            match self.next_record(self.sampled.len() as u64) {
                Ok(Some(record)) => self.sampled.push_back(record),
                Ok(None) => break,
                Err(err) => {
                    self.sample_stop = Some(err);
                    break;
                }
            }
        }
        if !self.sampled.is_empty() {
            let sample: Vec<(&ByteRecord, u64)> = self
                .sampled
                .iter()
                .filter(|r| r.forced_skip.is_none() && r.unclosed.is_none())
                .map(|r| (&r.record, r.line))
                .collect();
            self.parser.learn(&sample);
        }
    }

    /// The next record: a sampled one, else the next read.
    fn next_unparsed(&mut self, rows_read: u64) -> Result<Option<ReadRecord>> {
        if let Some(record) = self.sampled.pop_front() {
            return Ok(Some(record));
        }
        if let Some(err) = self.sample_stop.take() {
            return Err(err);
        }
        self.next_record(rows_read)
    }

    /// Reads and parses every row, sending them in batches; a read error that stops the file is
    /// sent last. Stops early when the writing side hangs up. Returns the parser, whose notes
    /// and warnings are read afterwards.
    pub fn read_all(
        mut self,
        sender: &SyncSender<Result<Vec<ReadRow>>>,
        returned: &Receiver<Vec<ReadRow>>,
    ) -> Box<dyn RowParser> {
        let mut batch = Vec::with_capacity(READ_BATCH);
        let mut rows_read = 0u64;
        let mut read = Vec::with_capacity(WARM_ROWS);
        self.sample();
        loop {
            // A few records are read before any is parsed, so the parser can ready what they
            // will look up all at once.
            let mut stop = None;
            while read.len() < WARM_ROWS {
                match self.next_unparsed(rows_read + read.len() as u64) {
                    Ok(Some(record)) => read.push(record),
                    Ok(None) => break,
                    Err(err) => {
                        stop = Some(err);
                        break;
                    }
                }
            }
            let last = read.len() < WARM_ROWS;
            self.parser.warm(
                &read
                    .iter()
                    .map(|r: &ReadRecord| &r.record)
                    .collect::<Vec<_>>(),
            );
            for record in read.drain(..) {
                rows_read += 1;
                batch.push(self.parse(record));
                if batch.len() == READ_BATCH {
                    // A batch the writing side is done with is emptied here (its rows freed by
                    // the thread that allocated them) and filled again.
                    let empty = match returned.try_recv() {
                        Ok(mut done) => {
                            self.spare.extend(done.drain(..).map(|row| row.record));
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
            if let Some(err) = stop {
                let _ = sender.send(Ok(batch));
                let _ = sender.send(Err(err));
                return self.parser;
            }
            if last {
                break;
            }
        }
        let _ = sender.send(Ok(batch));
        self.parser
    }

    /// The next record, read; none at the end of the file.
    fn next_record(&mut self, rows_read: u64) -> Result<Option<ReadRecord>> {
        let mut record = self.spare.pop().unwrap_or_default();
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
                            &self.name,
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
                        Ok(false) => unclosed = unclosed_quote(&record, line, &self.header_names),
                        Ok(true) => {
                            let next_line =
                                next.position().map(|p| p.line()).unwrap_or(0) + preamble_lines;
                            self.queued.push_back((next, next_line, None));
                        }
                        Err(err) => {
                            return Err(reading_stopped(
                                &self.name,
                                &err,
                                rows_read + 3,
                                preamble_lines,
                            ));
                        }
                    }
                }
                (line, None)
            };
        Ok(Some(ReadRecord {
            record,
            line,
            forced_skip,
            unclosed,
        }))
    }

    /// A record parsed by the profile: the row handed to the writing side.
    fn parse(&mut self, read: ReadRecord) -> ReadRow {
        let ReadRecord {
            record,
            line,
            forced_skip,
            unclosed,
        } = read;
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
        let mut outcome = outcome;
        if let Err(issue) = &mut outcome
            && let Some(cell_line) = issue
                .column_number
                .and_then(|column| self.cell_lines.get(column - 1))
        {
            issue.line = *cell_line;
        }
        ReadRow {
            record,
            line,
            outcome,
            dropped: self.parser.take_dropped(),
        }
    }
}
