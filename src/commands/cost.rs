//! `turnout cost`: record what a campaign spends (money or staff time) and list it.

use anyhow::{Result, bail};

use super::Context;
use super::flags::FormatArgs;
use crate::campaigns;
use crate::costs::{self, Spend};
use crate::metrics::Unit;
use crate::output::{Cell, Column, Report, Section, plain_number};
use crate::values::parse_value;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum CostCommand {
    /// Record a cost: `--amount 84.50`, or staff time as `--hours 6 --rate 25`
    Add {
        /// The campaign it was spent on, e.g. fair-rent-now
        campaign: String,
        /// The day of the cost (YYYY-MM-DD)
        #[arg(long, value_name = "DATE", value_parser = super::flags::day)]
        date: chrono::NaiveDate,
        /// Money spent
        #[arg(long, conflicts_with_all = ["hours", "rate"], required_unless_present = "hours", allow_hyphen_values = true)]
        amount: Option<String>,
        /// Staff hours (with --rate)
        #[arg(long, requires = "rate", allow_hyphen_values = true)]
        hours: Option<String>,
        /// Hourly rate of the staff time
        #[arg(long, requires = "hours", allow_hyphen_values = true)]
        rate: Option<String>,
        /// What it was for, e.g. "SMS segments"
        #[arg(long)]
        what: String,
        /// The effort it paid for, if one
        #[arg(long, value_name = "ID")]
        effort: Option<String>,
    },
    /// Every recorded cost
    List {
        #[arg(long = "campaign", value_name = "SLUG")]
        campaign: Option<String>,
        #[command(flatten)]
        format: FormatArgs,
    },
}

fn number(flag: &str, text: &str) -> Result<f64> {
    let cleaned: String = text.chars().filter(|c| *c != '$').collect();
    match parse_value(&cleaned, Unit::Amount) {
        Ok(value) => Ok(value),
        Err(err) => bail!("--{flag}: {err}"),
    }
}

pub fn run(context: &Context, command: CostCommand) -> Result<()> {
    let store = context.open()?;
    let conn = store.conn();
    match command {
        CostCommand::Add {
            campaign,
            date,
            amount,
            hours,
            rate,
            what,
            effort,
        } => {
            let spend = match (amount, hours, rate) {
                (Some(amount), _, _) => Spend::Money(number("amount", &amount)?),
                (None, Some(hours), Some(rate)) => Spend::Time {
                    hours: number("hours", &hours)?,
                    rate: number("rate", &rate)?,
                },
                _ => bail!("give --amount, or --hours with --rate"),
            };
            let entry = costs::add(conn, &campaign, date, spend, &what, effort.as_deref())?;
            let how = match (entry.hours, entry.rate) {
                (Some(h), Some(r)) => {
                    format!(" ({} hours at {})", plain_number(h), plain_number(r))
                }
                _ => String::new(),
            };
            println!(
                "Recorded {} for {} on {}{how}: {}.",
                plain_number(entry.amount),
                entry.campaign,
                entry.date,
                entry.what
            );
        }
        CostCommand::List { campaign, format } => {
            let campaign_id = match campaign.as_deref() {
                Some(slug) => Some(campaigns::get(conn, slug)?.id),
                None => None,
            };
            let mut section = Section::new(
                "",
                vec![
                    Column::new("campaign", "Campaign"),
                    Column::new("date", "Date"),
                    Column::new("what", "What"),
                    Column::new("effort", "Effort"),
                    Column::new("hours", "Hours"),
                    Column::new("rate", "Rate"),
                    Column::new("amount", "Amount"),
                ],
            )
            .with_empty("No costs yet. Record one with: turnout cost add CAMPAIGN --date YYYY-MM-DD --amount 84.50 --what \"...\"");
            for entry in costs::list(conn, campaign_id)? {
                section.push(vec![
                    Cell::text(entry.campaign),
                    Cell::text(entry.date.to_string()),
                    Cell::text(entry.what),
                    Cell::opt_text(entry.effort, "-"),
                    Cell::opt_number(entry.hours, "-"),
                    Cell::opt_number(entry.rate, "-"),
                    Cell::Number(entry.amount),
                ]);
            }
            context.print(&Report::single("Costs", section), format.format)?;
        }
    }
    Ok(())
}
