//! The accounting columns every import listing shows (`import`, `imports`): read, inserted,
//! updated, unchanged, rejected, skipped.

use crate::import::{Counts, FileOutcome, ImportReport, Outcome};
use crate::output::{Cell, Column, Report, Section};

/// Rejected rows shown on the terminal per file; the rest are in the ledger.
const REJECTS_SHOWN: usize = 10;

/// The accounting columns every import listing shows, in this order.
pub fn count_columns() -> Vec<Column> {
    vec![
        Column::new("rows_read", "Read"),
        Column::new("inserted", "Added"),
        Column::new("updated", "Updated"),
        Column::new("unchanged", "Unchanged"),
        Column::new("rejected", "Rejected"),
        Column::new("skipped", "Skipped"),
    ]
}

pub fn count_cells(counts: &Counts) -> Vec<Cell> {
    [
        counts.rows_read,
        counts.inserted,
        counts.updated,
        counts.unchanged,
        counts.rejected,
        counts.skipped,
    ]
    .into_iter()
    .map(|n| Cell::Int(n as i64))
    .collect()
}

/// One line about a file, for stderr: `always` ones are shown under --quiet too.
pub struct Said {
    pub text: String,
    pub always: bool,
}

/// What to tell about a file: its rejected rows (the first ten), skip reasons, notes, and why
/// it was refused; on stderr, so stdout stays the summary.
pub fn explain(outcome: &FileOutcome) -> Vec<Said> {
    let always = |text: String| Said { text, always: true };
    let note = |text: String| Said {
        text,
        always: false,
    };
    let report = match outcome {
        FileOutcome::Read(report) => report,
        FileOutcome::Refused { error, advice, .. } => {
            let mut said = vec![always(format!("error: {error}"))];
            said.extend(advice.iter().map(|a| always(format!("  what to do: {a}"))));
            return said;
        }
    };
    let mut said = Vec::new();
    let counts = &report.counts;
    if counts.rejected > 0 {
        said.push(always(format!(
            "{}: {} row(s) rejected{}",
            report.file,
            counts.rejected,
            match report.outcome {
                Outcome::StrictRefused => "; --strict refused the whole file, nothing was written",
                Outcome::AllRejected => "; that is every row, so nothing was written",
                _ => "",
            }
        )));
        for issue in report.rejected_sample.iter().take(REJECTS_SHOWN) {
            said.push(always(format!("  {}", issue.describe())));
        }
        if counts.rejected as usize > REJECTS_SHOWN {
            said.push(always(format!(
                "  ... and {} more; see them all with: turnout imports {} (or use --rejects FILE)",
                counts.rejected as usize - REJECTS_SHOWN,
                report
                    .import_id
                    .map(|id| id.to_string())
                    .unwrap_or_else(|| "ID".to_string())
            )));
        }
    }
    for (reason, count) in &report.skipped_reasons {
        said.push(note(format!(
            "{}: skipped {count} row(s): {reason}",
            report.file
        )));
    }
    for text in &report.notes {
        said.push(note(format!("{}: {text}", report.file)));
    }
    if let Some(cause) = &report.refusal {
        said.push(always(format!(
            "{}: refused, every row was rejected: {cause}",
            report.file
        )));
    }
    said
}

/// The summary: a row per file with its profile, status and counts (tools also get the import
/// id, the file's sha256, how it was read and why it was refused).
pub fn summary(outcomes: &[FileOutcome], dry_run: bool) -> Report {
    let mut section = Section::new(
        "",
        vec![
            Column::new("file", "File"),
            Column::new("profile", "Profile"),
            Column::new("status", "Status"),
        ]
        .into_iter()
        .chain(count_columns())
        .chain([
            Column::tools_only("import_id", "Import"),
            Column::tools_only("same_as", "Same as import"),
            Column::tools_only("sha256", "SHA-256"),
            Column::tools_only("encoding", "Encoding"),
            Column::tools_only("delimiter", "Delimiter"),
            Column::tools_only("dropped_identifiers", "Identifiers dropped"),
            Column::tools_only("error", "Error"),
        ])
        .collect(),
    );
    for outcome in outcomes {
        section.push(match outcome {
            FileOutcome::Read(report) => read_row(report),
            FileOutcome::Refused {
                file,
                error,
                advice,
            } => {
                // Nothing was read into the database, so no counts: null in JSON, "-" for people.
                let mut cells = vec![Cell::text(file), Cell::Missing("-"), Cell::text("refused")];
                cells.extend(std::iter::repeat_n(Cell::Missing("-"), 12));
                cells.push(Cell::text(match advice {
                    Some(advice) => format!("{error}. What to do: {advice}"),
                    None => error.clone(),
                }));
                cells
            }
        });
    }
    let mut report = Report::single(
        if dry_run {
            "Import (dry run)"
        } else {
            "Import"
        },
        section,
    );
    report.footnotes.push(
        "Every row read is inserted, updated, unchanged, rejected or skipped. Re-importing a file leaves its rows unchanged."
            .to_string(),
    );
    report
}

fn read_row(report: &ImportReport) -> Vec<Cell> {
    let status = match report.outcome {
        Outcome::Imported => "imported",
        Outcome::DryRun => "dry-run",
        Outcome::StrictRefused => "strict-refused",
        Outcome::AllRejected => "refused",
    };
    let mut cells = vec![
        Cell::text(&report.file),
        Cell::text(&report.profile),
        Cell::text(status),
    ];
    cells.extend(count_cells(&report.counts));
    cells.extend([
        report.import_id.map_or(Cell::Missing("-"), Cell::Int),
        report.same_as.map_or(Cell::Missing("-"), Cell::Int),
        Cell::text(&report.sha256),
        Cell::text(&report.encoding),
        Cell::text(report.delimiter.to_string()),
        Cell::Int(report.dropped_identifiers as i64),
        report
            .refusal
            .as_deref()
            .map_or(Cell::Missing(""), Cell::text),
    ]);
    cells
}
