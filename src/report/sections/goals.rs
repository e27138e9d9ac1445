//! Goals with their progress and pace, as every report shows them: `goal list`, `campaign show`,
//! `report`, `digest` and `demo`.

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::Connection;

use crate::goals;
use crate::output::{Cell, Column, Section};
use crate::report::progress;

/// Goals with progress and pace as of `today`: shared by `goal list`, `campaign show` and `demo`.
pub fn progress_section(
    conn: &Connection,
    campaign_ids: &[i64],
    today: NaiveDate,
) -> Result<Section> {
    let progress = goals::list(conn, campaign_ids)?
        .iter()
        .map(|goal| progress::progress(conn, goal, today))
        .collect::<Result<Vec<_>>>()?;
    Ok(progress_rows(&progress, "Goals"))
}

/// A goals table, as every report shows it.
pub fn progress_rows(progress: &[progress::Progress], name: &str) -> Section {
    let mut section = Section::new(
        name,
        vec![
            Column::context("campaign", "Campaign"),
            Column::new("metric", "Result"),
            Column::new("target", "Target"),
            Column::new("done", "Done"),
            Column::new("percent", "%"),
            Column::new("by", "By"),
            Column::new("days_left", "Days"),
            Column::new("needed_per_week", "Need/wk"),
            Column::new("recent_per_week", "Recent/wk"),
            Column::new("verdict", "Verdict"),
            Column::tools_only("as_of", "As of"),
        ],
    )
    .with_empty(
        "No goals yet. Set one with: turnout goal set CAMPAIGN METRIC TARGET --by YYYY-MM-DD",
    );
    for p in progress {
        section.push(vec![
            Cell::text(&p.goal.campaign_slug),
            Cell::text(&p.goal.metric),
            Cell::Number(p.goal.target),
            Cell::Number(p.done),
            Cell::Percent(p.percent),
            Cell::text(p.goal.by.to_string()),
            Cell::Int(p.days_left),
            Cell::opt_number(p.needed_per_week, "past due"),
            Cell::opt_number(p.recent_per_week, "not started"),
            Cell::text(p.verdict.as_str()),
            Cell::text(p.as_of.to_string()),
        ]);
    }
    section
}
