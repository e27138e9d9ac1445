//! `turnout definitions`: the ledger of what every number means: formula, unit, how repeats and
//! machine opens are counted, family, and which export columns feed it.

use anyhow::{Result, bail};

use super::Context;
use super::flags::{FormatArgs, PeriodArgs};
use crate::attribution::lift;
use crate::import;
use crate::metrics::Vocabulary;
use crate::output::{Cell, Column, Report, Section};
use crate::report::rates::RATES;
use clap::Args;

#[derive(Debug, Args)]
pub struct DefinitionsArgs {
    /// Only this metric or rate (e.g. unique_opens, show_up_rate)
    pub metric: Option<String>,
    /// Accepted like every report's (definitions do not change with the period)
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// How repeats are counted, for the metrics where it matters.
fn counting_rule(metric: &str) -> &'static str {
    match metric {
        "unique_opens" => {
            "each person once per send; includes machine opens (Apple Mail Privacy Protection) where the tool does not separate them"
        }
        "opens" => {
            "every open, repeats included; includes machine opens where the tool does not separate them"
        }
        "unique_clicks" => "each person once per send",
        "clicks" | "link_clicks" => "every click, repeats included",
        "reach" => "people, each once",
        "impressions" | "views" => "every showing, repeats included",
        "unsubscribes" => "each person once",
        "opt_outs" => "each person once (texts: a STOP reply)",
        "rsvps" => "one per sign-up that was not cancelled",
        "attended" | "no_shows" => "one per RSVP whose attendance was recorded",
        "cancellations" => "one per cancelled sign-up; not counted as RSVPs",
        "donations" => "one per contribution line item",
        "donation_amount" => "money, summed",
        "calls" => {
            "one per completed call; from a snapshot of totals (CallPower's statistics), the increase since the counter's previous snapshot, dated on the newer one's day (the first counts everything up to its day and belongs to no single week)"
        }
        "sessions" => {
            "every session; a report over a period (GA4) counts once, on its first day, and belongs to no single week when it covers more than one"
        }
        "sent" => "messages or posts; per person where only per-person exports exist",
        _ => "summed as the tools report it",
    }
}

pub fn run(context: &Context, args: DefinitionsArgs) -> Result<()> {
    let store = context.open()?;
    let conn = store.conn();
    let vocabulary = Vocabulary::load(conn)?;
    let sources = import::metric_sources(&store)?;
    let wanted = args.metric.as_deref().map(str::trim);
    if let Some(name) = wanted
        && vocabulary.find(name).is_none()
        && !RATES.iter().any(|r| r.name == name)
        && !lift::DEFINITIONS.iter().any(|(n, _, _)| *n == name)
    {
        bail!(
            "{}; rates: {}; estimates: {}",
            vocabulary.unknown_message(name),
            RATES.iter().map(|r| r.name).collect::<Vec<_>>().join(", "),
            lift::DEFINITIONS
                .iter()
                .map(|(n, _, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut section = Section::new(
        "",
        vec![
            Column::new("name", "Name"),
            Column::new("kind", "Kind"),
            Column::new("family", "Family"),
            Column::new("unit", "Unit"),
            Column::new("definition", "Definition"),
            Column::new("counting", "Counting"),
            Column::new("sources", "Fed by"),
        ],
    );
    for metric in vocabulary.all() {
        if wanted.is_some_and(|w| w != metric.name) {
            continue;
        }
        let fed_by = sources
            .get(&metric.name)
            .map(|s| s.join("; "))
            .unwrap_or_default();
        section.push(vec![
            Cell::text(&metric.name),
            Cell::text("metric"),
            Cell::text(metric.family.as_str()),
            Cell::text(metric.unit.as_str()),
            Cell::text(&metric.description),
            Cell::text(counting_rule(&metric.name)),
            Cell::text(if fed_by.is_empty() {
                "turnout-metrics, turnout log".to_string()
            } else {
                format!("{fed_by}; turnout-metrics, turnout log")
            }),
        ]);
    }
    for rate in RATES {
        if wanted.is_some_and(|w| w != rate.name) {
            continue;
        }
        section.push(vec![
            Cell::text(rate.name),
            Cell::text("rate"),
            Cell::text("rate"),
            Cell::text("percent"),
            Cell::text(rate.definition),
            Cell::text("n/a when the denominator is zero"),
            Cell::text(format!(
                "{} / {}",
                rate.numerator.join(" + "),
                rate.denominator.join(" + ")
            )),
        ]);
    }
    for (name, definition, counting) in lift::DEFINITIONS {
        if wanted.is_some_and(|w| w != *name) {
            continue;
        }
        section.push(vec![
            Cell::text(*name),
            Cell::text("estimate"),
            Cell::text("experiment"),
            Cell::text("points"),
            Cell::text(*definition),
            Cell::text(*counting),
            Cell::text("turnout lift, turnout holdout"),
        ]);
    }
    let mut report = Report::single("Definitions", section);
    report.footnotes.push(
        "Results are field outcomes (what people did), listed first in every report; milestones are comms metrics on the way."
            .to_string(),
    );
    context.print(&report, args.format.format)
}
