//! `turnout report`: each campaign on one page, results first (with goals and pace), then comms
//! milestones by channel, the rates between them, and cost per result.

use anyhow::Result;

use super::flags::{FormatArgs, PeriodArgs};
use super::{Context, period_flags};
use crate::campaigns::{self, Campaign};
use crate::output::{Cell, Column, Report, Section, plain_number};
use crate::report::campaign::{self, CampaignReport, Line};
use crate::report::progress::PACE_DEFINITIONS;
use crate::report::rates::RATES;
use clap::Args;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Campaigns to report on (default: every campaign)
    #[arg(value_name = "CAMPAIGN")]
    pub campaigns: Vec<String>,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, args: ReportArgs) -> Result<()> {
    let (period, interval) = period_flags(&args.period)?;
    let store = context.open()?;
    let conn = store.conn();
    let today = context.today(&store)?;
    let chosen: Vec<Campaign> = if args.campaigns.is_empty() {
        campaigns::list(conn)?
    } else {
        args.campaigns
            .iter()
            .map(|slug| campaigns::get(conn, slug))
            .collect::<Result<_>>()?
    };
    let mut report = Report::new(match chosen.as_slice() {
        [one] => format!("{} ({})", one.name, one.slug),
        _ => "Campaign report".to_string(),
    });
    report.context.push(context.report_context(&store, today)?);
    if chosen.is_empty() {
        report.sections.push(
            Section::new("", vec![Column::context("campaign", "Campaign")]).with_empty(
                "No campaigns yet. Add one with: turnout campaign add SLUG --name \"...\"",
            ),
        );
    }
    let mut attendance_notes = Vec::new();
    for campaign in &chosen {
        let data = campaign::build(conn, campaign, &period, interval, today)?;
        if chosen.len() == 1 {
            report.context.push(format!(
                "Period: {} to {} (end exclusive; to date means on or before {today})",
                data.begin, data.end
            ));
        }
        let prefix = if chosen.len() > 1 {
            format!("{}: ", campaign.slug)
        } else {
            String::new()
        };
        report.sections.push(results_section(&data, &prefix));
        report
            .sections
            .push(crate::report::sections::goals::progress_rows(
                &data.goals,
                &format!("{prefix}Goals"),
            ));
        report.sections.push(milestones_section(&data, &prefix));
        report.sections.push(rates_section(&data, &prefix));
        if let Some(section) = costs_section(&data, &prefix) {
            report.sections.push(section);
        }
        let total = |m: &str| {
            data.results
                .iter()
                .find(|l| l.metric == m)
                .map_or(0.0, |l| l.total)
        };
        if !data.spanning.is_empty() {
            let shown: Vec<String> = data
                .spanning
                .iter()
                .map(|(metric, value)| format!("{metric} {}", plain_number(*value)))
                .collect();
            attendance_notes.push(format!(
                "{}: in the Total but in no single column, since each covers more than one (a snapshot's total since the start, a report over several weeks): {}.",
                campaign.slug,
                shown.join(", ")
            ));
        }
        if total("rsvps") > 0.0 || total("cancellations") > 0.0 {
            attendance_notes.push(format!(
                "{}: {} RSVPs; attendance recorded for {} ({} attended, {} no-shows), never recorded for {} (unknown, not no-shows); {} cancellations (not RSVPs).",
                campaign.slug,
                plain_number(total("rsvps")),
                plain_number(total("attended") + total("no_shows")),
                plain_number(total("attended")),
                plain_number(total("no_shows")),
                plain_number(data.attendance_unknown),
                plain_number(total("cancellations")),
            ));
        }
    }
    report.footnotes.push(
        "Results are field outcomes (what people did); milestones are comms metrics on the way. See every definition with: turnout definitions"
            .to_string(),
    );
    report.footnotes.push(PACE_DEFINITIONS.to_string());
    for rate in RATES {
        report
            .footnotes
            .push(format!("{}: {}.", rate.label, rate.definition));
    }
    report.footnotes.extend(attendance_notes);
    context.print(&report, args.format.format)
}

/// Columns for the periods (when periodic) and the total.
fn value_columns(data: &CampaignReport) -> Vec<Column> {
    let mut columns: Vec<Column> = data
        .buckets
        .iter()
        .map(|b| Column::new(b.label.clone(), b.label.clone()))
        .collect();
    columns.push(Column::new(
        "total",
        if data.buckets.is_empty() {
            "To date"
        } else {
            "Total"
        },
    ));
    columns
}

fn value_cells(line: &Line) -> Vec<Cell> {
    let mut cells: Vec<Cell> = line.by_period.iter().map(|v| Cell::Number(*v)).collect();
    cells.push(Cell::Number(line.total));
    cells
}

fn results_section(data: &CampaignReport, prefix: &str) -> Section {
    let mut columns = vec![
        Column::context("campaign", "Campaign"),
        Column::new("metric", "Result"),
    ];
    columns.extend(value_columns(data));
    let mut section = Section::new(format!("{prefix}Results"), columns)
        .with_empty("No results recorded in this period. Import the field tools' exports or log a week: turnout log CAMPAIGN calls=120");
    for line in &data.results {
        let mut cells = vec![Cell::text(&data.campaign.slug), Cell::text(&line.metric)];
        cells.extend(value_cells(line));
        section.push(cells);
    }
    section
}

fn milestones_section(data: &CampaignReport, prefix: &str) -> Section {
    let mut columns = vec![
        Column::context("campaign", "Campaign"),
        Column::new("metric", "Milestone"),
        Column::new("channel", "Channel"),
    ];
    columns.extend(value_columns(data));
    let mut section = Section::new(format!("{prefix}Milestones by channel"), columns)
        .with_empty("No comms numbers in this period.");
    for line in &data.milestones {
        let mut cells = vec![
            Cell::text(&data.campaign.slug),
            Cell::text(&line.metric),
            Cell::opt_text(line.channel.as_deref(), "-"),
        ];
        cells.extend(value_cells(line));
        section.push(cells);
    }
    section
}

fn rates_section(data: &CampaignReport, prefix: &str) -> Section {
    let mut section = Section::new(
        format!("{prefix}Rates"),
        vec![
            Column::context("campaign", "Campaign"),
            Column::new("rate", "Rate"),
            Column::new("value", "Value"),
            Column::new("numerator", "Of"),
            Column::new("denominator", "Out of"),
            Column::tools_only("unknown", "RSVPs never marked"),
            Column::tools_only("cancellations", "Cancellations"),
        ],
    );
    let total = |metric: &str| {
        data.results
            .iter()
            .find(|l| l.metric == metric)
            .map_or(0.0, |l| l.total)
    };
    for rate in &data.rates {
        // The show-up rate's RSVPs whose attendance is unknown, and the cancellations, which are
        // not RSVPs: both left out of its denominator, both said.
        let (unknown, cancellations) = if rate.name == "show_up_rate" {
            (
                Cell::Number((total("rsvps") - rate.denominator).max(0.0)),
                Cell::Number(total("cancellations")),
            )
        } else {
            (Cell::Missing("-"), Cell::Missing("-"))
        };
        section.push(vec![
            Cell::text(&data.campaign.slug),
            Cell::text(rate.name),
            rate.percent.map_or(Cell::Missing("n/a"), Cell::Percent),
            Cell::Number(rate.numerator),
            Cell::Number(rate.denominator),
            unknown,
            cancellations,
        ]);
    }
    section
}

fn costs_section(data: &CampaignReport, prefix: &str) -> Option<Section> {
    let cost = data.cost?;
    let mut section = Section::new(
        format!("{prefix}Cost per result"),
        vec![
            Column::context("campaign", "Campaign"),
            Column::new("metric", "Result"),
            Column::new("count", "Count"),
            Column::new("cost", "Cost"),
            Column::new("cost_per", "Cost per"),
        ],
    );
    for line in data
        .results
        .iter()
        .filter(|l| !["donation_amount", "cancellations", "no_shows"].contains(&l.metric.as_str()))
    {
        section.push(vec![
            Cell::text(&data.campaign.slug),
            Cell::text(&line.metric),
            Cell::Number(line.total),
            Cell::Number(cost),
            if line.total > 0.0 {
                Cell::Number(cost / line.total)
            } else {
                Cell::Missing("n/a")
            },
        ]);
    }
    Some(section)
}
