//! `turnout log`: a week's numbers typed by hand; logging a week again corrects it.

use anyhow::Result;

use super::Context;
use super::flags::FormatArgs;
use crate::campaigns;
use crate::channels;
use crate::dates::{week_label, week_start};
use crate::error::UsageError;
use crate::output::{Cell, Column, Report, Section, plain_number};
use crate::weekly_log::{self, LogRequest};
use clap::Args;

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The campaign
    pub campaign: Option<String>,
    /// Numbers as METRIC=VALUE, e.g. calls=120 rsvps=40
    #[arg(value_name = "METRIC=VALUE")]
    pub values: Vec<String>,
    /// The ISO week, e.g. 2026-W41, or W41 for this year's (default: this week)
    #[arg(long, value_parser = super::flags::week)]
    pub week: Option<crate::dates::WeekArg>,
    /// The channel these numbers belong to, if any (email, sms, social, ...)
    #[arg(long)]
    pub channel: Option<String>,
    /// A note kept with the entry ("counted from sign-in sheets")
    #[arg(long)]
    pub note: Option<String>,
    /// Each number is the week's whole total, imported rows included: reports count it instead of the imported rows of the same campaign, week and metric (without it, logged and imported numbers add)
    #[arg(long)]
    pub includes_imports: bool,
    /// Show every logged number, including the ones later corrected
    #[arg(long)]
    pub history: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, args: LogArgs) -> Result<()> {
    if args.history {
        return history(context, &args);
    }
    let Some(campaign) = args.campaign.clone() else {
        return Err(UsageError(
            "say which campaign and what to log, e.g. turnout log fair-rent-now calls=120 rsvps=40 --week 2026-W41"
                .to_string(),
        )
        .into());
    };
    if args.values.is_empty() {
        return Err(UsageError(format!(
            "nothing to log for {campaign}; give METRIC=VALUE pairs, e.g. turnout log {campaign} calls=120"
        ))
        .into());
    }
    let store = context.open()?;
    let conn = store.conn();
    let today = context.today(&store)?;
    let week = args.week.map(|w| w.monday(today)).transpose()?;
    let channel = args.channel.as_deref().map(channels::parse).transpose()?;
    let outcome = weekly_log::log(
        conn,
        LogRequest {
            campaign,
            week: week.unwrap_or(week_start(today)),
            channel,
            assignments: args.values.clone(),
            note: args.note.clone(),
            includes_imports: args.includes_imports,
        },
        today,
    )?;
    let channel_words = channel.map(|c| format!(" ({c})")).unwrap_or_default();
    println!(
        "Logged for {}, {} (week of {}){channel_words}:",
        outcome.campaign,
        week_label(outcome.week),
        outcome.week
    );
    for value in &outcome.values {
        match value.previous {
            Some(previous) if previous == value.value => println!(
                "  {} = {} (unchanged)",
                value.metric,
                plain_number(value.value)
            ),
            Some(previous) => println!(
                "  {} = {} (corrected; was {})",
                value.metric,
                plain_number(value.value),
                plain_number(previous)
            ),
            None => println!("  {} = {}", value.metric, plain_number(value.value)),
        }
        if value.imported > 0.0 {
            if args.includes_imports {
                println!(
                    "    the week's whole total: reports count it instead of the {} imported (those rows stay stored)",
                    plain_number(value.imported)
                );
            } else {
                println!(
                    "    imports hold {} more for this week, so reports count {}. If {} is the week's whole total, log it again with --includes-imports",
                    plain_number(value.imported),
                    plain_number(value.imported + value.value),
                    plain_number(value.value)
                );
            }
        }
    }
    Ok(())
}

fn history(context: &Context, args: &LogArgs) -> Result<()> {
    let store = context.open()?;
    let conn = store.conn();
    let week = match args.week {
        Some(week) => Some(week.monday(context.today(&store)?)?),
        None => None,
    };
    let campaign_id = match args.campaign.as_deref() {
        Some(slug) => Some(campaigns::get(conn, slug)?.id),
        None => None,
    };
    let mut section = Section::new(
        "",
        vec![
            Column::new("campaign", "Campaign"),
            Column::new("week", "Week"),
            Column::new("channel", "Channel"),
            Column::new("metric", "Metric"),
            Column::new("value", "Value"),
            Column::new("previous", "Replaced"),
            Column::new("current", "In totals"),
            Column::new("entered_at", "Entered (UTC)"),
            Column::new("note", "Note"),
        ],
    )
    .with_empty(
        "Nothing logged yet. Log a week with: turnout log CAMPAIGN calls=120 --week 2026-W41",
    );
    for row in weekly_log::history(conn, campaign_id, week)? {
        section.push(vec![
            Cell::text(row.campaign),
            Cell::text(week_label(row.week)),
            Cell::opt_text(row.channel, "-"),
            Cell::text(row.metric),
            Cell::Number(row.value),
            Cell::opt_number(row.previous, "-"),
            Cell::text(if row.current { "yes" } else { "no (corrected)" }),
            Cell::text(row.entered_at),
            Cell::opt_text(row.note, ""),
        ]);
    }
    let mut report = Report::single("Logged numbers", section);
    report.footnotes.push(
        "Logging the same campaign, week, channel and metric again replaces the number in totals; earlier entries stay here."
            .to_string(),
    );
    context.print(&report, args.format.format)
}
