//! The `--rejects` file: each rejected row as it was, after four columns saying where it came
//! from and why, so it can be fixed in a spreadsheet and imported again.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use csv::ByteRecord;

use super::RowIssue;

/// The `--rejects` file: each rejected row as it was, after four columns saying where it came
/// from and why, so it can be fixed in a spreadsheet and imported again (turnout ignores the extra
/// columns). Files with different headers go to numbered siblings (`rejects-2.csv`).
pub struct RejectsSink {
    path: PathBuf,
    /// One writer per distinct header, in the order they were met.
    outputs: Vec<RejectsOutput>,
    current: Option<usize>,
}

struct RejectsOutput {
    header: ByteRecord,
    path: PathBuf,
    writer: Option<csv::Writer<BufWriter<File>>>,
    rows: u64,
}

const REJECT_COLUMNS: [&str; 4] = [
    "rejected_file",
    "rejected_line",
    "rejected_column",
    "rejected_reason",
];

/// `rejects.csv` -> `rejects-2.csv`.
fn numbered_sibling(path: &Path, number: usize) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "rejects".to_string());
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{number}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{number}"),
    };
    path.with_file_name(name)
}

impl RejectsSink {
    /// Starts afresh: a rejects file left from an earlier run would otherwise look like this run's.
    pub fn new(path: &Path) -> Result<RejectsSink> {
        if path.is_file() {
            std::fs::remove_file(path)
                .with_context(|| format!("cannot replace the rejects file {}", path.display()))?;
        }
        Ok(RejectsSink {
            path: path.to_path_buf(),
            outputs: Vec::new(),
            current: None,
        })
    }

    pub fn begin_file(&mut self, header: &ByteRecord) -> Result<()> {
        if let Some(index) = self.outputs.iter().position(|o| o.header == *header) {
            self.current = Some(index);
            return Ok(());
        }
        let path = match self.outputs.len() {
            0 => self.path.clone(),
            n => numbered_sibling(&self.path, n + 1),
        };
        self.outputs.push(RejectsOutput {
            header: header.clone(),
            path,
            writer: None,
            rows: 0,
        });
        self.current = Some(self.outputs.len() - 1);
        Ok(())
    }

    pub fn write(&mut self, file: &str, issue: &RowIssue, record: &ByteRecord) -> Result<()> {
        let Some(output) = self.current.and_then(|i| self.outputs.get_mut(i)) else {
            return Ok(());
        };
        if output.writer.is_none() {
            // Created on the first rejected row, so a clean import leaves no empty file behind.
            let file = File::create(&output.path).with_context(|| {
                format!("cannot write the rejects file {}", output.path.display())
            })?;
            let mut writer = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(BufWriter::new(file));
            let mut header = ByteRecord::new();
            for column in REJECT_COLUMNS {
                header.push_field(column.as_bytes());
            }
            header.extend(output.header.iter());
            writer.write_byte_record(&header)?;
            output.writer = Some(writer);
        }
        let writer = output.writer.as_mut().expect("created above");
        let mut row = ByteRecord::new();
        row.push_field(file.as_bytes());
        row.push_field(issue.line.to_string().as_bytes());
        row.push_field(
            issue
                .column_number
                .map(|n| n.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        row.push_field(issue.reason.as_bytes());
        row.extend(record.iter());
        writer.write_byte_record(&row)?;
        output.rows += 1;
        Ok(())
    }

    /// Flushes every file; returns each written path with its row count.
    pub fn finish(self) -> Result<Vec<(PathBuf, u64)>> {
        let mut written = Vec::new();
        for output in self.outputs {
            if let Some(mut writer) = output.writer {
                writer.flush().with_context(|| {
                    format!("cannot write the rejects file {}", output.path.display())
                })?;
                written.push((output.path, output.rows));
            }
        }
        Ok(written)
    }
}
