//! `turnout calendar`: plan items, import a plan, and see the plan against what was sent: the
//! week view, the audience x channel matrix, checks, results, and an ICS export.

use anyhow::{Context as _, Result, bail};
use std::path::PathBuf;

use super::flags::{FormatArgs, PeriodArgs};
use super::{Context, period_flags};
use crate::calendar::{self, CheckLimits, NewItem};
use crate::dates::{week_label, week_start};
use crate::import::ImportOptions;
use crate::output::Report;
use crate::report::sections::calendar::{
    MATRIX_LEGEND, RESULTS_LEGEND, WEEK_LEGEND, item_cells, item_section, matrix_section,
    results_section, warnings_section, week_section,
};
use crate::store::settings;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Plan an item: `turnout calendar add 2026-10-13 --time 18:00 --channel email --audience members --title "..."`
    Add {
        /// The day (YYYY-MM-DD)
        #[arg(value_parser = super::flags::day)]
        date: chrono::NaiveDate,
        /// Time of day, HH:MM in the organization's zone
        #[arg(long)]
        time: Option<String>,
        #[arg(long)]
        channel: String,
        /// Who it is for, in the organization's words (members, volunteers, donors...)
        #[arg(long)]
        audience: String,
        #[arg(long, value_name = "SLUG")]
        campaign: Option<String>,
        #[arg(long)]
        title: String,
        /// The metric it asks for (an ask when it is a result: calls, rsvps...)
        #[arg(long, value_name = "METRIC", value_parser = super::flags::metric)]
        goal: Option<String>,
        /// Who is responsible
        #[arg(long)]
        owner: Option<String>,
    },
    /// Import a plan: CSV with date,time,channel,audience,campaign,title,goal,owner
    Import(CalendarImportArgs),
    /// Every planned item
    List {
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Remove an item
    Remove {
        /// The item's number, as calendar list shows it
        id: i64,
    },
    /// One week as days x channels: planned, sent, sent-unplanned, missed
    Week {
        /// The ISO week, e.g. 2026-W41, or W41 for this year's (default: this week)
        #[arg(value_parser = super::flags::week)]
        week: Option<crate::dates::WeekArg>,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Audiences x channels: items planned and sent per period
    Matrix {
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Warnings: silent audiences, over-asked audiences, collisions, missed and unplanned sends
    Check {
        /// An audience hearing nothing for more days than this is flagged
        #[arg(long, default_value_t = 14)]
        quiet_days: i64,
        /// More asks (items whose goal is a result) than this ...
        #[arg(long, default_value_t = 3)]
        max_asks: usize,
        /// ... within this many days is too many
        #[arg(long, default_value_t = 4)]
        per_days: i64,
        /// Exit 1 if there is any warning
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Each planned item with what was actually sent and what it drove
    Results {
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Write the plan as an ICS calendar for Google, Outlook or Apple calendars
    Ics {
        /// The .ics file to write
        file: std::path::PathBuf,
        #[arg(long, value_name = "SLUG")]
        campaign: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct CalendarImportArgs {
    #[arg(required = true, value_name = "FILE")]
    /// Plan files: CSV with date,time,channel,audience,campaign,title,goal,owner
    pub files: Vec<PathBuf>,
    /// Read and count everything, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Write rejected rows to this CSV
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Refuse the whole file if any row is rejected
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, command: CalendarCommand) -> Result<()> {
    if let CalendarCommand::Import(args) = command {
        return import_plan(context, args);
    }
    let store = context.open()?;
    let conn = store.conn();
    let today = context.today(&store)?;
    let tz = settings::timezone(conn)?;
    match command {
        CalendarCommand::Import(_) => unreachable!("handled above"),
        CalendarCommand::Add {
            date,
            time,
            channel,
            audience,
            campaign,
            title,
            goal,
            owner,
        } => {
            let item = calendar::add(
                conn,
                NewItem {
                    day: date,
                    time: time.as_deref(),
                    channel: &channel,
                    audience: &audience,
                    campaign: campaign.as_deref(),
                    title: &title,
                    goal: goal.as_deref(),
                    owner: owner.as_deref(),
                },
            )?;
            println!(
                "Planned #{}: {} {} to {}: {}",
                item.id, item.day, item.channel, item.audience, item.title
            );
        }
        CalendarCommand::Remove { id } => {
            let item = calendar::remove(conn, id)?;
            println!(
                "Removed #{id}: {} {} to {}: {}",
                item.day, item.channel, item.audience, item.title
            );
        }
        CalendarCommand::List { period, format } => {
            let (period, _) = period_flags(&period)?;
            let mut section = item_section("");
            for item in calendar::list(conn, period.begin, period.end)? {
                section.push(item_cells(&item, None));
            }
            context.print(&Report::single("Calendar", section), format.format)?;
        }
        CalendarCommand::Week { week, format } => {
            let monday = match week {
                Some(week) => week.monday(today)?,
                None => week_start(today),
            };
            let mut report = Report::new(format!("Calendar {}", week_label(monday)));
            report.context.push(context.report_context(&store, today)?);
            report
                .sections
                .push(week_section(conn, tz, monday, today, format.format)?);
            report.footnotes.push(WEEK_LEGEND.to_string());
            context.print(&report, format.format)?;
        }
        CalendarCommand::Matrix { period, format } => {
            let (period, interval) = period_flags(&period)?;
            let mut report = Report::new("Publishing matrix");
            report.context.push(context.report_context(&store, today)?);
            report.sections.push(matrix_section(
                conn,
                tz,
                period.begin,
                period.end,
                interval,
                today,
            )?);
            report.footnotes.push(MATRIX_LEGEND.to_string());
            context.print(&report, format.format)?;
        }
        CalendarCommand::Check {
            quiet_days,
            max_asks,
            per_days,
            strict,
            format,
        } => {
            let limits = CheckLimits {
                quiet_days,
                max_asks,
                per_days,
            };
            let warnings = calendar::plan_warnings(conn, tz, today, &limits)?;
            let mut report = Report::new("Calendar checks");
            report.context.push(context.report_context(&store, today)?);
            report.sections.push(warnings_section(&warnings));
            context.print(&report, format.format)?;
            if strict && !warnings.is_empty() {
                bail!("{} calendar warning(s) (--strict)", warnings.len());
            }
        }
        CalendarCommand::Results { period, format } => {
            let (period, _) = period_flags(&period)?;
            let mut report = Report::new("Calendar results");
            report.context.push(context.report_context(&store, today)?);
            let results = calendar::results(conn, tz, period.begin, period.end, today)?;
            let labels = crate::efforts::all(conn, tz)?;
            report.sections.push(results_section(&results, &labels));
            report.footnotes.push(RESULTS_LEGEND.to_string());
            context.print(&report, format.format)?;
        }
        CalendarCommand::Ics { file, campaign } => {
            let campaign_id = match campaign.as_deref() {
                Some(slug) => Some(crate::campaigns::get(conn, slug)?.id),
                None => None,
            };
            let items: Vec<_> = calendar::list(conn, None, None)?
                .into_iter()
                .filter(|i| campaign_id.is_none() || i.campaign_id == campaign_id)
                .collect();
            let stamp = chrono::Utc::now();
            std::fs::write(&file, calendar::ics(&items, tz, stamp))
                .with_context(|| format!("cannot write {}", file.display()))?;
            println!(
                "Wrote {} item(s) to {} (import it into Google, Outlook or Apple calendars; re-exports update the same events).",
                items.len(),
                file.display()
            );
        }
    }
    Ok(())
}

/// A plan is imported like any export, with its profile, accounting and ledger.
fn import_plan(context: &Context, args: CalendarImportArgs) -> Result<()> {
    let mut store = context.open()?;
    let options = ImportOptions {
        profile: Some("turnout-calendar".to_string()),
        dry_run: args.dry_run,
        strict: args.strict,
        ..ImportOptions::new(context.today(&store)?)
    };
    context.import_files(
        &mut store,
        &args.files,
        &options,
        args.rejects.as_deref(),
        args.format.format,
    )
}
