//! `turnout imports`: the import ledger, and one import's rejected and skipped rows.

use anyhow::{Result, bail};

use super::Context;
use super::flags::FormatArgs;
use crate::import;
use crate::output::{Cell, Column, Report, Section};
use crate::report::sections::imports::{count_cells, count_columns};
use clap::Args;

#[derive(Debug, Args)]
pub struct ImportsArgs {
    /// Show one import with every row it rejected or skipped
    pub id: Option<i64>,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, args: ImportsArgs) -> Result<()> {
    let store = context.open()?;
    let conn = store.conn();
    let entries = import::ledger(conn, args.id)?;
    if let Some(id) = args.id
        && entries.is_empty()
    {
        bail!("there is no import {id}; list them with: turnout imports");
    }

    let mut ledger = Section::new(
        "Imports",
        vec![
            Column::new("import_id", "Import"),
            Column::new("file", "File"),
            Column::new("profile", "Profile"),
            Column::new("campaign", "Campaign"),
            Column::new("covers", "Covers"),
            Column::new("finished_at", "Finished (UTC)"),
        ]
        .into_iter()
        .chain(count_columns())
        .chain([Column::tools_only("sha256", "SHA-256")])
        .collect(),
    )
    .with_empty("Nothing imported yet. Import a file with: turnout import FILE.csv");
    for entry in &entries {
        let mut cells = vec![
            Cell::Int(entry.id),
            Cell::text(&entry.file_name),
            Cell::text(&entry.profile),
            Cell::opt_text(entry.campaign.as_deref(), "-"),
            Cell::opt_text(entry.covers.as_deref(), ""),
            Cell::opt_text(entry.finished_at.as_deref(), "-"),
        ];
        cells.extend(count_cells(&entry.counts));
        cells.push(Cell::text(&entry.sha256));
        ledger.push(cells);
    }

    let mut report = Report::new("Import ledger");
    report.sections.push(ledger);
    if let Some(id) = args.id {
        let mut rows = Section::new(
            "Rows not imported",
            vec![
                Column::new("line", "Line"),
                Column::new("outcome", "Outcome"),
                Column::new("column", "Column"),
                Column::new("column_name", "Column name"),
                Column::new("expected", "Expected"),
                Column::new("found", "Found"),
                Column::new("reason", "Reason"),
            ],
        )
        .with_empty("Every row of this import was written.");
        for (outcome, issue) in import::issues(conn, id)? {
            rows.push(vec![
                Cell::Int(issue.line as i64),
                Cell::text(outcome),
                issue
                    .column_number
                    .map_or(Cell::Missing("-"), |n| Cell::Int(n as i64)),
                Cell::opt_text(issue.column_name, "-"),
                Cell::opt_text(issue.expected, "-"),
                Cell::opt_text(issue.found, "-"),
                Cell::text(issue.reason),
            ]);
        }
        report.sections.push(rows);
    }
    context.print(&report, args.format.format)
}
