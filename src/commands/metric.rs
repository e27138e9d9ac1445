//! `turnout metric`: the vocabulary of results and milestones, and adding your own.

use anyhow::Result;

use super::Context;
use super::flags::FormatArgs;
use crate::metrics::{self, Family, Unit, Vocabulary};
use crate::output::{Cell, Column, Report, Section};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum MetricCommand {
    /// Every metric with its family (result or milestone), unit and meaning
    List(FormatArgs),
    /// Add your organization's own metric: `turnout metric add house_meetings --result --description "..."`
    Add {
        /// The new metric's name: lower-case letters, digits and _ (house_meetings)
        #[arg(value_parser = super::flags::metric)]
        name: String,
        /// A field outcome (shown first in reports)
        #[arg(
            long,
            conflicts_with = "milestone",
            required_unless_present = "milestone"
        )]
        result: bool,
        /// A comms metric on the way to results
        #[arg(long)]
        milestone: bool,
        /// Measured in money rather than counted
        #[arg(long)]
        amount: bool,
        /// What it counts, in a sentence
        #[arg(long)]
        description: String,
    },
}

pub fn run(context: &Context, command: MetricCommand) -> Result<()> {
    let store = context.open()?;
    let conn = store.conn();
    match command {
        MetricCommand::List(format) => {
            let mut section = Section::new(
                "",
                vec![
                    Column::new("name", "Metric"),
                    Column::new("family", "Family"),
                    Column::new("unit", "Unit"),
                    Column::new("origin", "Origin"),
                    Column::new("description", "Meaning"),
                ],
            );
            for metric in Vocabulary::load(conn)?.all() {
                section.push(vec![
                    Cell::text(&metric.name),
                    Cell::text(metric.family.as_str()),
                    Cell::text(metric.unit.as_str()),
                    Cell::text(if metric.builtin { "built-in" } else { "custom" }),
                    Cell::text(&metric.description),
                ]);
            }
            let mut report = Report::single("Metrics", section);
            report.footnotes.push(
                "Results are field outcomes (what people did); milestones are comms metrics on the way. Reports list results first."
                    .to_string(),
            );
            context.print(&report, format.format)?;
        }
        MetricCommand::Add {
            name,
            result,
            milestone: _,
            amount,
            description,
        } => {
            let family = if result {
                Family::Result
            } else {
                Family::Milestone
            };
            let unit = if amount { Unit::Amount } else { Unit::Count };
            let metric = metrics::add(conn, &name, family, unit, &description)?;
            println!("Added the {} '{}'.", metric.family.as_str(), metric.name);
        }
    }
    Ok(())
}
