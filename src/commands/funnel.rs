//! `turnout funnel`: from messages sent to people acting, each step with its rates and source.

use anyhow::Result;

use super::flags::{FormatArgs, PeriodArgs};
use super::{Context, period_flags};
use crate::campaigns;
use crate::output::{Cell, Column, Report, Section};
use crate::report::campaign::window;
use crate::report::funnel::{self, find_effort};
use crate::report::periods::buckets;
use clap::Args;

#[derive(Debug, Args)]
pub struct FunnelArgs {
    /// The campaign, e.g. fair-rent-now
    pub campaign: String,
    /// Only this effort (a send, a text campaign, a post): its id as `turnout totals --by effort` shows it
    #[arg(long, value_name = "ID")]
    pub effort: Option<String>,
    /// The result the funnel ends in (default rsvps, then attended): signups, calls, donations...
    #[arg(long, value_name = "METRIC", value_parser = super::flags::metric)]
    pub outcome: Option<String>,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, args: FunnelArgs) -> Result<()> {
    let (period, interval) = period_flags(&args.period)?;
    let store = context.open()?;
    let conn = store.conn();
    let today = context.today(&store)?;
    let campaign = campaigns::get(conn, &args.campaign)?;
    let effort = match args.effort.as_deref() {
        Some(id) => Some(find_effort(conn, &campaign, id)?),
        None => None,
    };
    let (begin, end) = window(conn, &campaign, &period, today)?;
    let outcome = args.outcome.as_deref().unwrap_or("rsvps");
    // With --weekly/--monthly, each step's count per period, then the whole period's funnel.
    let columns = interval.map(|i| buckets(begin, end, i)).unwrap_or_default();
    let begin = columns.first().map_or(begin, |b| b.start);
    let steps = funnel::funnel(conn, &campaign, effort.as_ref(), outcome, begin, end)?;
    let mut per_period = Vec::new();
    for bucket in &columns {
        per_period.push(funnel::funnel(
            conn,
            &campaign,
            effort.as_ref(),
            outcome,
            bucket.start,
            bucket.end.min(end),
        )?);
    }

    let mut header = vec![Column::new("step", "Step")];
    header.extend(
        columns
            .iter()
            .map(|b| Column::new(b.label.clone(), b.label.clone())),
    );
    header.extend([
        Column::new("count", if columns.is_empty() { "Count" } else { "Total" }),
        Column::new("step_rate", "Of previous"),
        Column::new("cumulative_rate", "Of first"),
        Column::new("show_up_rate", "Show-up"),
        Column::new("source", "From"),
    ]);
    let mut section = Section::new("", header);
    for (index, step) in steps.iter().enumerate() {
        let mut cells = vec![Cell::text(&step.metric)];
        cells.extend(per_period.iter().map(|p| Cell::Number(p[index].count)));
        cells.extend([
            Cell::Number(step.count),
            step.step_rate.map_or(Cell::Missing("n/a"), Cell::Percent),
            step.cumulative_rate
                .map_or(Cell::Missing("n/a"), Cell::Percent),
            step.show_up_rate.map_or(Cell::Missing(""), Cell::Percent),
            Cell::text(&step.source),
        ]);
        section.push(cells);
    }
    let title = match &effort {
        Some(e) => format!(
            "Funnel: {} ({}), effort {} ({})",
            campaign.name, campaign.slug, e.label, e.external_id
        ),
        None => format!("Funnel: {} ({})", campaign.name, campaign.slug),
    };
    let mut report = Report::single(title, section);
    report.context.push(context.report_context(&store, today)?);
    report
        .context
        .push(format!("Period: {begin} to {end} (end exclusive)"));
    report.footnotes.push(
        "aggregate: the tools' own counts (e.g. Mailchimp's campaigns report); person-level: counted from per-person exports \
         (unique steps count each person once), used where a tool gave no aggregate; actions: every result recorded for the campaign; direct codes: results carrying the effort's own code."
            .to_string(),
    );
    report.footnotes.push(
        "Of previous: this step / the step before. Of first: this step / the first step with data. Steps from different channels \
         (emails delivered, texts sent) are summed, so read an email-only funnel with --effort."
            .to_string(),
    );
    context.print(&report, args.format.format)
}
