//! `turnout goal`: set, list and remove measurable goals, with progress and pace.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::Connection;

use super::flags::FormatArgs;
use super::{Context, date_flag};
use crate::campaigns;
use crate::goals::{self, GoalChange, GoalRequest};
use crate::metrics::{Unit, Vocabulary};
use crate::output::{Cell, Column, Report, Section, plain_number};
use crate::report::progress::{self, PACE_DEFINITIONS};
use crate::values::parse_value;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum GoalCommand {
    /// Set (or change) a goal: `turnout goal set fair-rent-now calls 800 --by 2026-10-30`
    Set {
        campaign: String,
        metric: String,
        /// The number to reach, e.g. 800
        #[arg(allow_hyphen_values = true)]
        target: String,
        /// Deadline, inclusive (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        by: String,
        /// When counting starts (default: the campaign's start, else today)
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
    },
    /// Goals with progress and pace as of today
    List {
        /// Only this campaign's goals (repeatable)
        #[arg(long = "campaign", value_name = "SLUG")]
        campaigns: Vec<String>,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Remove a goal
    Remove { campaign: String, metric: String },
}

pub fn run(context: &Context, command: GoalCommand) -> Result<()> {
    let store = context.open()?;
    let conn = store.conn();
    let today = context.today(&store)?;
    match command {
        GoalCommand::Set {
            campaign,
            metric,
            target,
            by,
            from,
        } => {
            let by = date_flag("by", Some(&by))?.expect("--by is required");
            let from = date_flag("from", from.as_deref())?;
            let unit = Vocabulary::load(conn)?.resolve(&metric)?.unit;
            let target = parse_target(&target, unit)?;
            let (goal, change) = goals::set(
                conn,
                GoalRequest {
                    campaign: &campaign,
                    metric: &metric,
                    target,
                    by,
                    from,
                },
                today,
            )?;
            match change {
                GoalChange::Created => println!(
                    "Goal set: {} {} {} from {} to {}.",
                    goal.campaign_slug,
                    plain_number(goal.target),
                    goal.metric,
                    goal.from,
                    goal.by
                ),
                GoalChange::Changed {
                    previous_target,
                    previous_by,
                } => println!(
                    "Goal changed: {} {} was {} by {}, now {} by {} (counting from {}).",
                    goal.campaign_slug,
                    goal.metric,
                    plain_number(previous_target),
                    previous_by,
                    plain_number(goal.target),
                    goal.by,
                    goal.from
                ),
            }
        }
        GoalCommand::List { campaigns, format } => {
            let mut ids = Vec::new();
            for slug in &campaigns {
                ids.push(campaigns::get(conn, slug)?.id);
            }
            let mut report = Report::new("Goals");
            report.context.push(context.report_context(&store, today)?);
            report.sections.push(progress_section(conn, &ids, today)?);
            report.footnotes.push(PACE_DEFINITIONS.to_string());
            context.print(&report, format.format)?;
        }
        GoalCommand::Remove { campaign, metric } => {
            goals::remove(conn, &campaign, &metric)?;
            println!("Removed the {metric} goal of {campaign}.");
        }
    }
    Ok(())
}

fn parse_target(text: &str, unit: Unit) -> Result<f64> {
    match parse_value(text, unit) {
        Ok(value) if value > 0.0 => Ok(value),
        Ok(value) => bail!(
            "a goal's target must be above zero; found {}",
            plain_number(value)
        ),
        Err(err) => bail!("the target {err}"),
    }
}

/// Goals with progress and pace as of `today`: shared by `goal list`, `campaign show` and `demo`.
pub(super) fn progress_section(
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
pub(super) fn progress_rows(progress: &[progress::Progress], name: &str) -> Section {
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
