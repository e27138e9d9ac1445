//! `turnout brief`: the joint-meeting page, as a report (table, Markdown, JSON, CSV) and, with
//! `--html FILE`, as one self-contained HTML file with charts.

use anyhow::{Context as _, Result};
use chrono::Duration;
use std::path::PathBuf;

use super::Context;
use super::flags::{FormatArgs, RangeArgs};
use crate::campaigns::{self, Campaign};
use crate::dates::{Period, week_label, week_start};
use crate::error::UsageError;
use crate::output::{Cell, Column, Format, Report, Section};
use crate::report::brief::{
    self, Brief, WEEKLY_MILESTONES, driver_words, mask_small_counts, small,
};
use crate::report::brief_html;
use crate::store::settings;
use clap::Args;

#[derive(Debug, Args)]
pub struct BriefArgs {
    /// The ISO week, e.g. 2026-W41, or W41 for this year's (default: the last complete week)
    #[arg(long, value_parser = super::flags::week, conflicts_with_all = ["begin", "end"])]
    pub week: Option<crate::dates::WeekArg>,
    #[command(flatten)]
    pub range: RangeArgs,
    /// Only these campaigns (repeatable; default: every campaign)
    #[arg(long = "campaign", value_name = "SLUG")]
    pub campaigns: Vec<String>,
    /// Also write the page as one self-contained HTML file with charts
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Aggregates only: counts below 5 shown as <5 (default: the aggregates_only setting)
    #[arg(long)]
    pub aggregates_only: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, args: BriefArgs) -> Result<()> {
    let period = Period::from_args(args.range.begin.as_deref(), args.range.end.as_deref())
        .map_err(|e| UsageError(format!("{e:#}")))?;
    let store = context.open()?;
    let conn = store.conn();
    let today = context.today(&store)?;
    let week = args.week.map(|w| w.monday(today)).transpose()?;
    let tz = settings::timezone(conn)?;
    let (begin, end, label) = match (week, period.begin) {
        (Some(monday), _) => (monday, monday + Duration::weeks(1), week_label(monday)),
        (None, Some(begin)) => {
            let end = period.end.unwrap_or(today + Duration::days(1));
            (begin, end, format!("{begin} to {end}"))
        }
        (None, None) => {
            let monday = week_start(today) - Duration::weeks(1);
            (monday, monday + Duration::weeks(1), week_label(monday))
        }
    };
    let chosen: Vec<Campaign> = if args.campaigns.is_empty() {
        campaigns::list(conn)?
    } else {
        args.campaigns
            .iter()
            .map(|s| campaigns::get(conn, s))
            .collect::<Result<_>>()?
    };
    let aggregates_only = args.aggregates_only || settings::get(conn, "aggregates_only")? == "true";
    let data = brief::build(conn, tz, &chosen, begin, end, today, aggregates_only)?;
    let title = format!("Brief: {label}");
    let context_line = context.report_context(&store, today)?;
    if let Some(path) = &args.html {
        let html = brief_html::render(&data, &title, &context_line);
        std::fs::write(path, html).with_context(|| format!("cannot write {}", path.display()))?;
        // The page is in the file: the terminal gets only where it is.
        println!(
            "Wrote {} (one self-contained file: open it in a browser, print it, or project it).",
            path.display()
        );
        return Ok(());
    }
    let mut report = Report::new(title);
    report.context.push(context_line);
    report.context.push(format!(
        "{begin} to {end} (end exclusive); goals as of {}{}",
        data.as_of,
        if aggregates_only {
            "; aggregates only (counts below 5 shown as <5)"
        } else {
            ""
        }
    ));
    report.sections.extend(sections(&data, args.format.format));
    report.footnotes.extend(brief::short_footnotes(&data));
    context.print(&report, args.format.format)
}

fn count(value: f64, aggregates_only: bool) -> Cell {
    match small(value, aggregates_only) {
        Some(text) => Cell::text(text),
        None => Cell::Number(value),
    }
}

/// Weeks of milestones beside results the brief shows (the report shows them all).
const RECENT_WEEKS: usize = 4;

fn sections(data: &Brief, format: Format) -> Vec<Section> {
    let a = data.aggregates_only;
    let mut results = Section::new(
        "Results vs goals",
        vec![
            Column::context("campaign", "Campaign"),
            Column::new("metric", "Result"),
            Column::new("this_period", "This period"),
            Column::new("target", "Target"),
            Column::new("done", "Done"),
            Column::new("percent", "%"),
            Column::new("needed_per_week", "Need/wk"),
            Column::new("recent_per_week", "Recent/wk"),
            Column::new("verdict", "Verdict"),
            Column::tools_only("as_of", "As of"),
        ],
    )
    .with_empty("No results or goals yet.");
    let mut drivers = Section::new(
        "What drove them",
        vec![
            Column::context("campaign", "Campaign"),
            Column::new("outcome", "Result"),
            Column::new("key", "Channel"),
            Column::new("direct", "Direct codes"),
            Column::new("low", "Rules: lowest"),
            Column::new("high", "highest"),
            // The caveat each row would repeat is said once, in the footnotes.
            Column::tools_only("words", "In words"),
        ],
    )
    .with_empty("No result in this period to explain.");
    let mut weekly = Section::new(
        "Milestones beside results",
        vec![
            Column::context("campaign", "Campaign"),
            Column::new("week", "Week"),
        ]
        .into_iter()
        .chain(WEEKLY_MILESTONES.iter().map(|m| Column::new(*m, *m)))
        .chain([Column::new("results", "Results")])
        .collect(),
    )
    .with_empty("No data yet.");
    for c in &data.campaigns {
        let slug = &c.campaign.slug;
        let mut metrics: Vec<&str> = c.results.iter().map(|(m, _)| m.as_str()).collect();
        for p in &c.goals {
            if !metrics.contains(&p.goal.metric.as_str()) {
                metrics.push(&p.goal.metric);
            }
        }
        for metric in metrics {
            let value = c
                .results
                .iter()
                .find(|(m, _)| m == metric)
                .map_or(0.0, |(_, v)| *v);
            let goal = c.goals.iter().find(|p| p.goal.metric == metric);
            results.push(vec![
                Cell::text(slug),
                Cell::text(metric),
                count(value, a),
                goal.map_or(Cell::Missing("-"), |p| Cell::Number(p.goal.target)),
                goal.map_or(Cell::Missing("-"), |p| count(p.done, a)),
                // A percent of a target gives a small count away.
                goal.map_or(Cell::Missing("-"), |p| {
                    if small(p.done, a).is_some() {
                        Cell::text("<5")
                    } else {
                        Cell::Percent(p.percent)
                    }
                }),
                goal.and_then(|p| p.needed_per_week)
                    .map_or(Cell::Missing("-"), |v| count(v, a)),
                goal.and_then(|p| p.recent_per_week)
                    .map_or(Cell::Missing("-"), |v| count(v, a)),
                goal.map_or(Cell::Missing("-"), |p| Cell::text(p.verdict.as_str())),
                goal.map_or(Cell::Missing("-"), |p| Cell::text(p.as_of.to_string())),
            ]);
        }
        if let Some(outcome) = &c.outcome {
            for d in &c.drivers {
                let rule = |v: f64| {
                    if d.seen {
                        count(v, a)
                    } else {
                        Cell::Missing("no data")
                    }
                };
                drivers.push(vec![
                    Cell::text(slug),
                    Cell::text(outcome),
                    Cell::text(&d.key),
                    count(d.direct, a),
                    rule(d.low),
                    rule(d.high),
                    Cell::text(driver_words(d, outcome, c.actions, &data.period_label, a)),
                ]);
            }
        }
        // The last four weeks keep the page to a screen; every week: turnout report --weekly.
        for week in &c.weeks[c.weeks.len().saturating_sub(RECENT_WEEKS)..] {
            let mut cells = vec![Cell::text(slug), Cell::text(&week.label)];
            for m in WEEKLY_MILESTONES {
                cells.push(count(week.values.get(*m).copied().unwrap_or(0.0), a));
            }
            let shown: Vec<String> = c
                .results
                .iter()
                .map(|(m, _)| m)
                .chain(c.goals.iter().map(|p| &p.goal.metric))
                .filter(|m| *m != "donation_amount")
                .filter(|m| {
                    c.weeks
                        .iter()
                        .any(|w| w.values.get(*m).is_some_and(|v| *v > 0.0))
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|m| {
                    let v = week.values.get(m).copied().unwrap_or(0.0);
                    format!(
                        "{m} {}",
                        small(v, a).map_or_else(|| crate::output::plain_number(v), str::to_string)
                    )
                })
                .collect();
            cells.push(Cell::text(shown.join(", ")));
            weekly.push(cells);
        }
    }
    let mut upcoming = Section::new(
        "Next two weeks",
        vec![
            Column::new("date", "Day"),
            Column::new("time", "Time"),
            Column::new("channel", "Channel"),
            Column::new("audience", "Audience"),
            Column::new("title", "Title"),
            Column::new("goal", "Goal"),
            Column::new("status", "Status"),
        ],
    )
    .with_empty("Nothing planned for the next two weeks. Plan with: turnout calendar add ...");
    for (item, status) in &data.upcoming {
        upcoming.push(vec![
            Cell::text(item.day.to_string()),
            Cell::opt_text(item.time.map(|t| t.format("%H:%M").to_string()), "-"),
            Cell::text(&item.channel),
            Cell::text(&item.audience),
            Cell::text(&item.title),
            Cell::opt_text(item.goal.as_deref(), "-"),
            Cell::text(status.as_str()),
        ]);
    }
    let mut warnings = Section::new(
        "Warnings",
        vec![
            Column::new("kind", "From"),
            Column::new("check", "Check"),
            Column::new("subject", "What"),
            // On one page the fixes are behind turnout check and turnout calendar check.
            Column::tools_only("fix", "How to fix"),
        ],
    )
    .with_empty("No warnings.");
    let masked = |text: &str| Cell::text(mask_small_counts(text, a));
    for w in &data.calendar_warnings {
        warnings.push(vec![
            Cell::text("calendar"),
            Cell::text(w.check),
            masked(&w.subject),
            masked(&w.fix),
        ]);
    }
    for w in &data.data_warnings {
        warnings.push(vec![
            Cell::text("data"),
            Cell::text(w.check),
            masked(&w.subject),
            masked(&w.fix),
        ]);
    }
    if matches!(format, Format::Table | Format::Markdown) {
        warnings = one_row_per_check(warnings);
    }
    vec![results, drivers, weekly, upcoming, warnings]
}

/// For people, the warnings of one check share a row, so the page stays one screen; CSV and JSON
/// keep a row per warning with its fix.
fn one_row_per_check(mut warnings: Section) -> Section {
    let rows = std::mem::take(&mut warnings.rows);
    for row in rows {
        let same_check = |last: &Vec<Cell>| last[0] == row[0] && last[1] == row[1];
        match warnings.rows.last_mut() {
            Some(last) if same_check(last) => {
                if let (Cell::Text(joined), Cell::Text(subject)) = (&mut last[2], &row[2]) {
                    joined.push_str("; ");
                    joined.push_str(subject);
                }
            }
            _ => warnings.rows.push(row),
        }
    }
    warnings
}
