//! Reports of one record written as `"Label:","value"` lines, not as a table.

use anyhow::{Context as _, Result};
use csv::ByteRecord;

/// A one-record report written as `"Label:","value"` lines (Mailchimp's single-campaign
/// report), with a table of links after it.
pub(super) struct KeyValueReport {
    pub labels: Vec<String>,
    pub values: ByteRecord,
    pub line: u64,
    /// The line of each value (the link table's cell: its first link's), for errors.
    pub value_lines: Vec<u64>,
    /// The lines of the link table's rows.
    pub link_lines: Vec<u64>,
}

pub(super) fn read_key_value<R: std::io::Read>(
    csv: &mut csv::Reader<R>,
    preamble_lines: u64,
    name: &str,
) -> Result<KeyValueReport> {
    let mut labels = Vec::new();
    let mut values = ByteRecord::new();
    let mut links = Vec::new();
    let mut link_lines = Vec::new();
    let mut value_lines = Vec::new();
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
            value_lines.push(line);
        }
    }
    // The links, in one cell, so a profile can read codes and ids from them.
    labels.push("Links".to_string());
    values.push_field(links.join(" ").as_bytes());
    value_lines.push(
        link_lines
            .first()
            .copied()
            .unwrap_or(line_after(&value_lines)),
    );
    Ok(KeyValueReport {
        labels,
        values,
        line: first_line.unwrap_or(2),
        value_lines,
        link_lines,
    })
}

fn line_after(lines: &[u64]) -> u64 {
    lines.last().map_or(2, |line| line + 1)
}
