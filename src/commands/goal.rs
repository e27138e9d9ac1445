//! `turnout goal`: set, list and remove measurable goals, with progress and pace.

use anyhow::{Result, bail};

use super::Context;
use super::flags::FormatArgs;
use crate::campaigns;
use crate::goals::{self, GoalChange, GoalRequest};
use crate::metrics::{Unit, Vocabulary};
use crate::output::{Report, plain_number};
use crate::report::progress::PACE_DEFINITIONS;
use crate::report::sections::goals::progress_section;
use crate::values::parse_value;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum GoalCommand {
    /// Set (or change) a goal: `turnout goal set fair-rent-now calls 800 --by 2026-10-30`
    Set {
        /// The campaign, e.g. fair-rent-now
        campaign: String,
        /// The metric to reach, e.g. calls or rsvps (turnout metric list)
        #[arg(value_parser = super::flags::metric)]
        metric: String,
        /// The number to reach, e.g. 800
        #[arg(allow_hyphen_values = true)]
        target: String,
        /// Deadline, inclusive (YYYY-MM-DD)
        #[arg(long, value_name = "DATE", value_parser = super::flags::day)]
        by: chrono::NaiveDate,
        /// When counting starts (default: the campaign's start, else today)
        #[arg(long, value_name = "DATE", value_parser = super::flags::day)]
        from: Option<chrono::NaiveDate>,
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
    Remove {
        /// The campaign, e.g. fair-rent-now
        campaign: String,
        /// The goal's metric, e.g. rsvps
        #[arg(value_parser = super::flags::metric)]
        metric: String,
    },
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
