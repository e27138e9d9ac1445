//! Beside an experiment, what the other methods say about one outcome, each said for what it is:
//! the rules that share credit among recorded touches (with what they can see, channel by
//! channel) and the weekly model (an association over time), so a reader sees how far each goes.

use anyhow::Result;
use rusqlite::Connection;

use crate::attribution::aggregate::{self, Estimate};
use crate::attribution::{self, By, Model, NO_TOUCH, Options, TouchKind, coverage};
use crate::output::{Cell, Column, Section};

/// What a reader needs to know to read the section.
pub const FOOTNOTE: &str = "The rules (last, first, linear, time-decay, position, Markov) share each result's credit among the touches the exports record: rules, not estimates of what an effort caused. The weekly model is an association over time. Only an experiment shows cause.";

/// One row per method and channel: what it says, and what it can see.
pub fn section(conn: &Connection, campaign_id: i64, outcome: &str) -> Result<Section> {
    let mut section = Section::new(
        "What the other methods say",
        vec![
            Column::new("method", "Method"),
            Column::new("channel", "Channel"),
            Column::new("says", "Says"),
            Column::new("sees", "From what it can see"),
        ],
    );
    let options = Options {
        campaign_id: Some(campaign_id),
        outcome: outcome.to_string(),
        window: 7 * 86_400,
        half_life: 7 * 86_400,
        by: By::Channel,
        touch: TouchKind::Any,
        period: None,
    };
    let evidence = attribution::load(conn, &options)?;
    let actions = evidence.converting.len();
    let credits = attribution::credit(&evidence, &Model::ALL, options.half_life);
    let seen = coverage::coverage(conn, Some(campaign_id))?;
    let caution = if actions < coverage::FEW_ACTIONS {
        format!("; only {actions} {outcome}, too few for the shares to say much")
    } else {
        String::new()
    };
    for key in evidence.keys.iter().filter(|k| k.as_str() != NO_TOUCH) {
        let rules: Vec<f64> = Model::ALL
            .iter()
            .filter(|m| **m != Model::Direct)
            .map(|m| {
                credits
                    .iter()
                    .find(|c| &c.key == key && c.model == *m)
                    .map_or(0.0, |c| c.credit)
            })
            .collect();
        let coverage = seen.iter().find(|c| &c.channel == key);
        let says = match coverage {
            Some(c) if c.people > 0 => format!(
                "{:.0} to {:.0} of {actions} {outcome}",
                rules.iter().copied().fold(f64::INFINITY, f64::min),
                rules.iter().copied().fold(0.0, f64::max)
            ),
            _ => "no data".to_string(),
        };
        let sees = coverage.map_or_else(|| "no person-level data".to_string(), |c| c.short());
        section.push(vec![
            Cell::text("rules"),
            Cell::text(key),
            Cell::text(says),
            Cell::text(format!("{sees}{caution}")),
        ]);
    }
    let series = aggregate::load(conn, campaign_id, outcome)?;
    match aggregate::estimate(&series, None, 20_261_125) {
        Estimate::NotEnough { weeks, needed } => section.push(vec![
            Cell::text("weekly model"),
            Cell::text("all"),
            Cell::text(format!(
                "not enough evidence: it needs at least {needed} weeks for {} channel(s)",
                series.channels.len()
            )),
            Cell::text(format!("{weeks} week(s) of numbers")),
        ]),
        Estimate::Effects { effects, .. } => {
            for effect in &effects {
                section.push(vec![
                    Cell::text("weekly model"),
                    Cell::text(&effect.channel),
                    Cell::text(aggregate::verdict(effect, outcome)),
                    Cell::text(format!("{} weeks of numbers", series.weeks.len())),
                ]);
            }
        }
    }
    Ok(section)
}
