//! `turnout digest`: the organization-wide weekly roll-up for a joint meeting.

use anyhow::Result;
use chrono::{Datelike, Duration};

use super::flags::{FormatArgs, PeriodArgs};
use super::{Context, period_flags};
use crate::dates::{week_label, week_start};
use crate::output::{Cell, Column, Report, Section};
use crate::report::digest;
use crate::report::periods::{Interval, buckets};
use crate::report::progress::PACE_DEFINITIONS;
use crate::report::quality;
use crate::store::settings;
use clap::Args;

#[derive(Debug, Args)]
pub struct DigestArgs {
    /// The ISO week, e.g. 2026-W41, or W41 for this year's (default: the last complete week)
    #[arg(long, value_parser = super::flags::week)]
    pub week: Option<crate::dates::WeekArg>,
    /// --begin/--end choose the period instead of --week; --monthly rolls up a month instead
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, args: DigestArgs) -> Result<()> {
    let (period, interval) = period_flags(&args.period)?;
    let store = context.open()?;
    let conn = store.conn();
    let today = context.today(&store)?;
    let week = args.week.map(|w| w.monday(today)).transpose()?;
    let monthly = interval == Some(Interval::Monthly);
    let (begin, end) = match (week, period.begin) {
        // --monthly: the month holding --week (or --begin), else the last complete month,
        // against the month before.
        (w, b) if monthly => {
            let anchor = w
                .or(b)
                .unwrap_or_else(|| today.with_day(1).unwrap_or(today) - Duration::days(1));
            let start = anchor.with_day(1).unwrap_or(anchor);
            let next = buckets(start, start + Duration::days(1), Interval::Monthly)
                .first()
                .map_or(start + Duration::days(31), |b| b.end);
            (start, next)
        }
        (Some(monday), _) => (monday, monday + Duration::weeks(1)),
        (None, Some(begin)) => (begin, period.end.unwrap_or(today + Duration::days(1))),
        // The last complete week.
        (None, None) => {
            let monday = week_start(today) - Duration::weeks(1);
            (monday, monday + Duration::weeks(1))
        }
    };
    // The period before: the previous calendar month, else the same length before.
    let previous = if monthly {
        let last_month_day = begin - Duration::days(1);
        last_month_day.with_day(1).unwrap_or(last_month_day)
    } else {
        begin - (end - begin)
    };
    let data = digest::digest(conn, previous, begin, end, today)?;
    let label = if monthly {
        crate::dates::month_label(begin)
    } else if week.is_some() || period.begin.is_none() {
        week_label(begin)
    } else {
        format!("{begin} to {end}")
    };
    let (this_label, last_label) = if monthly {
        ("This month", "Month before")
    } else if week.is_some() || period.begin.is_none() {
        ("This week", "Week before")
    } else {
        ("This period", "Period before")
    };

    let mut results = Section::new(
        "Results",
        vec![
            Column::new("campaign", "Campaign"),
            Column::new("team", "Team"),
            Column::new("metric", "Result"),
            Column::new("this_period", this_label),
            Column::new("last_period", last_label),
            Column::new("delta", "Change"),
        ],
    )
    .with_empty("No results recorded in these two weeks.");
    for line in &data.results {
        results.push(vec![
            Cell::text(&line.campaign),
            Cell::opt_text(line.team.as_deref(), "-"),
            Cell::text(&line.metric),
            Cell::Number(line.this_period),
            Cell::Number(line.last_period),
            Cell::Number(line.this_period - line.last_period),
        ]);
    }
    let goals = crate::report::sections::goals::progress_rows(&data.goals, "Goals");
    let mut efforts = Section::new(
        "Efforts",
        vec![
            Column::tools_only("day", "Day"),
            Column::new("campaign", "Campaign"),
            Column::tools_only("channel", "Channel"),
            Column::tools_only("effort", "Effort"),
            Column::tools_only("title", "Title"),
            Column::new("label", "Effort"),
            Column::new("direct_results", "Coded results"),
        ],
    )
    .with_empty("No sends or posts this week.");
    let labels = crate::efforts::labels_by_external_id(conn, settings::timezone(conn)?)?;
    for effort in &data.efforts {
        let direct = effort
            .direct_results
            .iter()
            .map(|(m, v)| format!("{m} {}", crate::output::plain_number(*v)))
            .collect::<Vec<_>>()
            .join(", ");
        efforts.push(vec![
            Cell::text(effort.day.to_string()),
            Cell::opt_text(effort.campaign.as_deref(), "(no campaign)"),
            Cell::text(&effort.channel),
            Cell::text(&effort.effort),
            Cell::opt_text(effort.title.as_deref(), ""),
            Cell::text(
                labels
                    .get(&effort.effort)
                    .cloned()
                    .unwrap_or_else(|| effort.effort.clone()),
            ),
            Cell::text(if direct.is_empty() {
                "-".to_string()
            } else {
                direct
            }),
        ]);
    }
    let warnings = quality::check(conn, settings::timezone(conn)?, today, &Default::default())?;

    let mut report = Report::new(format!("Digest: {label}"));
    report.context.push(context.report_context(&store, today)?);
    report.context.push(format!(
        "{} to {} (end exclusive), against {previous} to {}",
        data.begin, data.end, data.begin
    ));
    report.sections.extend([results, goals, efforts]);
    report.footnotes.push(
        "Results are field outcomes, by campaign and team; nobody is ranked. Goal verdicts stand as of the period's last day."
            .to_string(),
    );
    report.footnotes.push(PACE_DEFINITIONS.to_string());
    if !data.spanning.is_empty() {
        let shown: Vec<String> = data
            .spanning
            .iter()
            .map(|(campaign, metric, value)| {
                format!(
                    "{campaign} {metric} {}",
                    crate::output::plain_number(*value)
                )
            })
            .collect();
        report.footnotes.push(format!(
            "Dated in this period but counting more than it (a snapshot's total since the start, a report over several weeks), so not in {}: {}.",
            this_label.to_lowercase(),
            shown.join(", ")
        ));
    }
    report.footnotes.push(if warnings.is_empty() {
        "Data checks: no warnings.".to_string()
    } else {
        format!(
            "Data checks: {} warning(s); see them with: turnout check",
            warnings.len()
        )
    });
    context.print(&report, args.format.format)
}
