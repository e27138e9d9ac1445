//! `turnout totals`: summed numbers per campaign and metric, optionally broken down.

use anyhow::Result;

use super::Context;
use super::flags::{FormatArgs, RangeArgs};
use crate::campaigns;
use crate::dates::Period;
use crate::error::UsageError;
use crate::metrics::Vocabulary;
use crate::output::{Cell, Column, Report, Section};
use crate::report::totals::{self, TotalsBy, TotalsQuery};
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TotalsByArg {
    Week,
    Month,
    Channel,
    Effort,
    Source,
}

#[derive(Debug, Args)]
pub struct TotalsArgs {
    /// Only this campaign (repeatable)
    #[arg(long = "campaign", value_name = "SLUG")]
    pub campaigns: Vec<String>,
    /// Only this metric (repeatable)
    #[arg(long = "metric", value_name = "NAME")]
    pub metrics: Vec<String>,
    /// Break the totals down
    #[arg(long, value_enum)]
    pub by: Option<TotalsByArg>,
    #[command(flatten)]
    pub range: RangeArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, args: TotalsArgs) -> Result<()> {
    let period = Period::from_args(args.range.begin.as_deref(), args.range.end.as_deref())
        .map_err(|e| UsageError(format!("{e:#}")))?;
    let store = context.open()?;
    let conn = store.conn();
    let today = context.today(&store)?;
    let vocabulary = Vocabulary::load(conn)?;

    let mut query = TotalsQuery {
        period,
        by: args.by.map(|by| match by {
            TotalsByArg::Week => TotalsBy::Week,
            TotalsByArg::Month => TotalsBy::Month,
            TotalsByArg::Channel => TotalsBy::Channel,
            TotalsByArg::Effort => TotalsBy::Effort,
            TotalsByArg::Source => TotalsBy::Source,
        }),
        ..TotalsQuery::default()
    };
    for slug in &args.campaigns {
        query.campaign_ids.push(campaigns::get(conn, slug)?.id);
    }
    for name in &args.metrics {
        query.metrics.push(vocabulary.resolve(name)?.name.clone());
    }

    let mut columns = vec![
        Column::new("campaign", "Campaign"),
        Column::new("metric", "Metric"),
        Column::new("family", "Family"),
    ];
    let by_effort = query.by == Some(TotalsBy::Effort);
    if let Some(by) = query.by {
        if by_effort {
            // Efforts by their labels for people; their ids stay in `effort`.
            columns.push(Column::tools_only(by.key(), capitalise(by.key())));
            columns.push(Column::new("label", "Effort"));
        } else {
            columns.push(Column::new(by.key(), capitalise(by.key())));
        }
    }
    let labels = if by_effort {
        crate::efforts::labels_by_external_id(conn, crate::store::settings::timezone(conn)?)?
    } else {
        Default::default()
    };
    let rows = totals::totals(conn, &query)?;
    let any_covers = rows.iter().any(|r| r.covers.is_some());
    if any_covers {
        columns.push(Column::new("covers", "Covers"));
    }
    columns.push(Column::new("value", "Value"));
    let mut section = Section::new("", columns)
        .with_empty("No numbers for this selection. Import a file (turnout import FILE) or log a week (turnout log CAMPAIGN calls=120).");
    for row in rows {
        let family = vocabulary
            .find(&row.metric)
            .map(|m| m.family.as_str())
            .unwrap_or("milestone");
        let mut cells = vec![
            Cell::opt_text(row.campaign, "(no campaign)"),
            Cell::text(row.metric),
            Cell::text(family),
        ];
        if query.by.is_some() {
            if by_effort {
                let label = row.key.as_ref().and_then(|k| labels.get(k)).cloned();
                cells.push(Cell::opt_text(row.key.clone(), "-"));
                cells.push(Cell::opt_text(label, "-"));
            } else {
                cells.push(Cell::opt_text(row.key, "-"));
            }
        }
        if any_covers {
            cells.push(Cell::opt_text(row.covers, ""));
        }
        cells.push(Cell::Number(row.value));
        section.push(cells);
    }

    let mut report = Report::single("Totals", section);
    report.context.push(context.report_context(&store, today)?);
    report
        .context
        .push(format!("Period: {}", period.describe()));
    report.footnotes.push(
        "Results (field outcomes) come before milestones (comms metrics). Numbers logged or imported per week count on their week's Monday."
            .to_string(),
    );
    if any_covers {
        report.footnotes.push(
            "Covers: a number that counts more than its week or month (a snapshot's total since the start, a report over several weeks) is shown where it is dated, with what it covers; week-by-week paces leave it out.".to_string(),
        );
    }
    context.print(&report, args.format.format)
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
