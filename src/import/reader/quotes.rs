//! Cells and read errors that mean the file, not the row, is broken: a quote never closed, a
//! line the CSV reader cannot get past.

use csv::ByteRecord;

use crate::import::model::RowIssue;

/// The last record of a file whose cell swallowed the rest of the file: a quote was opened and
/// never closed, so every line after it was read as text. Such a cell ends with the file's last
/// line break, which a cell whose quote was closed practically never does.
pub(super) fn unclosed_quote(
    record: &ByteRecord,
    line: u64,
    header: &[String],
) -> Option<RowIssue> {
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
pub(super) fn reading_stopped(
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

pub(super) fn ends_with_line_break(cell: &[u8]) -> bool {
    // The last byte first: on the hot path almost every cell stops there.
    matches!(cell.last(), Some(b'\n' | b'\r')) && cell.contains(&b'\n')
}

pub(super) fn may_be_unclosed(record: &ByteRecord) -> bool {
    record.iter().any(ends_with_line_break)
}
