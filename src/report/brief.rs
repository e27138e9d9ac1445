//! `turnout brief`: the one page for a joint meeting of comms and field teams, in this order:
//! results against goals, what drove them (direct codes, then the range across attribution
//! models), comms milestones beside the results week by week, the next two weeks of the calendar
//! with its warnings, and data-quality warnings. Every part says "no data yet" rather than
//! vanishing. The data here feeds the text report and the HTML page alike.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use rusqlite::Connection;

use super::campaign::daily_sums;
use super::funnel::{self, Step};
use super::progress::PACE_DEFINITIONS;
use super::progress::{self, Progress};
use super::quality;
use super::rates::RATES;
use crate::attribution::{self, By, Model, NO_TOUCH, Options, TouchKind};
use crate::calendar::{self, CheckLimits, PlanItem, Status};
use crate::campaigns::Campaign;
use crate::dates::{week_label, week_start};
use crate::goals;
use crate::metrics::{Family, Vocabulary};

/// One channel's credit for an outcome: what direct codes give it, and the lowest and highest
/// credit any model gives it.
#[derive(Debug, Clone)]
pub struct Driver {
    pub key: String,
    pub direct: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone)]
pub struct Week {
    pub label: String,
    pub start: NaiveDate,
    /// metric -> value
    pub values: BTreeMap<String, f64>,
}

pub struct CampaignBrief {
    pub campaign: Campaign,
    /// Results in the period, results-first order.
    pub results: Vec<(String, f64)>,
    pub goals: Vec<Progress>,
    pub outcome: Option<String>,
    pub actions: usize,
    pub drivers: Vec<Driver>,
    pub funnel: Vec<Step>,
    pub weeks: Vec<Week>,
}

pub struct Brief {
    pub begin: NaiveDate,
    pub end: NaiveDate,
    pub as_of: NaiveDate,
    pub campaigns: Vec<CampaignBrief>,
    pub upcoming: Vec<(PlanItem, Status)>,
    pub calendar_warnings: Vec<calendar::Warning>,
    pub data_warnings: Vec<quality::Warning>,
    /// (audience, channel) -> (planned, sent), over the period and the two weeks after it.
    pub matrix: BTreeMap<(String, String), (i64, i64)>,
    pub aggregates_only: bool,
}

/// Milestones shown beside the results, week by week.
pub const WEEKLY_MILESTONES: &[&str] = &["delivered", "unique_opens", "unique_clicks"];
const WEEKS_SHOWN: i64 = 8;

pub fn build(
    conn: &Connection,
    tz: Tz,
    chosen: &[Campaign],
    begin: NaiveDate,
    end: NaiveDate,
    today: NaiveDate,
    aggregates_only: bool,
) -> Result<Brief> {
    let vocabulary = Vocabulary::load(conn)?;
    let as_of = (end - Duration::days(1)).min(today);
    let mut campaigns = Vec::new();
    for campaign in chosen {
        let mut results: BTreeMap<String, f64> = BTreeMap::new();
        for (metric, _, _, value) in daily_sums(conn, campaign.id, begin, end)? {
            if vocabulary
                .find(&metric)
                .is_some_and(|m| m.family == Family::Result)
            {
                *results.entry(metric).or_default() += value;
            }
        }
        let mut results: Vec<(String, f64)> = results.into_iter().collect();
        results.sort_by_key(|(m, _)| vocabulary.order(m));
        let goals = goals::list(conn, &[campaign.id])?
            .iter()
            .map(|g| progress::progress(conn, g, as_of))
            .collect::<Result<Vec<_>>>()?;
        // The outcome to explain: the first goal's, else the first result recorded.
        let outcome = goals
            .iter()
            .map(|p| p.goal.metric.clone())
            .find(|m| m != "donation_amount")
            .or_else(|| results.first().map(|(m, _)| m.clone()));
        let (actions, drivers) = match &outcome {
            Some(metric) => drivers_for(conn, campaign.id, metric)?,
            None => (0, Vec::new()),
        };
        let funnel_outcome = outcome.clone().unwrap_or_else(|| "rsvps".to_string());
        let start = campaign.start.unwrap_or(begin).min(begin);
        let funnel = funnel::funnel(conn, campaign, None, &funnel_outcome, start, end)?;
        // Eight weeks up to the period's end.
        let last_week = week_start(as_of);
        let first_week = last_week - Duration::weeks(WEEKS_SHOWN - 1);
        let mut weeks: Vec<Week> = (0..WEEKS_SHOWN)
            .map(|i| {
                let start = first_week + Duration::weeks(i);
                Week {
                    label: week_label(start),
                    start,
                    values: BTreeMap::new(),
                }
            })
            .collect();
        for (metric, _, day, value) in daily_sums(
            conn,
            campaign.id,
            first_week,
            last_week + Duration::weeks(1),
        )? {
            let index = ((week_start(day) - first_week).num_days() / 7) as usize;
            if let Some(week) = weeks.get_mut(index) {
                *week.values.entry(metric).or_default() += value;
            }
        }
        campaigns.push(CampaignBrief {
            campaign: campaign.clone(),
            results,
            goals,
            outcome,
            actions,
            drivers,
            funnel,
            weeks,
        });
    }

    // The calendar: the two weeks after the period, and its warnings.
    let horizon = end + Duration::weeks(2);
    let items = calendar::list(conn, Some(end), Some(horizon))?;
    let sends = calendar::sent(
        conn,
        tz,
        end - Duration::days(1),
        horizon + Duration::days(1),
    )?;
    let upcoming: Vec<(PlanItem, Status)> = calendar::matching(items, sends, today)
        .items
        .into_iter()
        .map(|(item, _, status)| (item, status))
        .collect();
    let all_items = calendar::list(conn, None, None)?;
    let calendar_warnings = match (
        all_items.iter().map(|i| i.day).min(),
        all_items.iter().map(|i| i.day).max(),
    ) {
        (Some(first), Some(last)) => {
            let until = (last + Duration::days(2)).max(today + Duration::days(1));
            let matching = calendar::matching(
                all_items.clone(),
                calendar::sent(conn, tz, first - Duration::days(1), until)?,
                today,
            );
            let limits = CheckLimits {
                quiet_days: 14,
                max_asks: 3,
                per_days: 4,
            };
            calendar::check(conn, &matching, &limits, today)?
        }
        _ => Vec::new(),
    };
    let mut matrix: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    let window_items = calendar::list(conn, Some(begin), Some(horizon))?;
    let matching = calendar::matching(
        window_items,
        calendar::sent(conn, tz, begin, horizon)?,
        today,
    );
    for (item, sent, _) in &matching.items {
        matrix
            .entry((item.audience.clone(), item.channel.clone()))
            .or_default()
            .0 += 1;
        if sent.is_some() {
            matrix
                .entry((item.audience.clone(), item.channel.clone()))
                .or_default()
                .1 += 1;
        }
    }
    for send in &matching.unplanned {
        matrix
            .entry((send.audience.clone(), send.channel.clone()))
            .or_default()
            .1 += 1;
    }
    let data_warnings = quality::check(
        conn,
        tz,
        today,
        &crate::dates::Period {
            begin: Some(begin),
            end: Some(end),
        },
    )?;
    Ok(Brief {
        begin,
        end,
        as_of,
        campaigns,
        upcoming,
        calendar_warnings,
        data_warnings,
        matrix,
        aggregates_only,
    })
}

/// Every model's credit per channel for one outcome, reduced to direct codes and the range.
fn drivers_for(conn: &Connection, campaign_id: i64, outcome: &str) -> Result<(usize, Vec<Driver>)> {
    let options = Options {
        campaign_id: Some(campaign_id),
        outcome: outcome.to_string(),
        window: 7 * 86_400,
        half_life: 7 * 86_400,
        by: By::Channel,
        touch: TouchKind::Any,
    };
    let evidence = attribution::load(conn, &options)?;
    let credits = attribution::credit(&evidence, &Model::ALL, options.half_life);
    let mut keys: Vec<String> = credits.iter().map(|c| c.key.clone()).collect();
    keys.sort();
    keys.dedup();
    let mut drivers: Vec<Driver> = keys
        .into_iter()
        .map(|key| {
            let of = |model: Model| {
                credits
                    .iter()
                    .find(|c| c.key == key && c.model == model)
                    .map_or(0.0, |c| c.credit)
            };
            let modelled: Vec<f64> = Model::ALL
                .iter()
                .filter(|m| **m != Model::Direct)
                .map(|m| of(*m))
                .collect();
            Driver {
                direct: of(Model::Direct),
                low: modelled.iter().copied().fold(f64::INFINITY, f64::min),
                high: modelled.iter().copied().fold(0.0, f64::max),
                key,
            }
        })
        .collect();
    drivers.sort_by(|a, b| {
        (a.key == NO_TOUCH)
            .cmp(&(b.key == NO_TOUCH))
            .then(b.high.total_cmp(&a.high))
    });
    Ok((evidence.converting.len(), drivers))
}

/// The uncertainty, said in words.
pub fn driver_words(driver: &Driver, outcome: &str, actions: usize) -> String {
    if driver.key == NO_TOUCH {
        return format!(
            "{:.0} to {:.0} of {actions} {outcome} had no digital touch in the 7 days before",
            driver.low, driver.high
        );
    }
    let spread = if (driver.high - driver.low) < 0.5 {
        "the models agree".to_string()
    } else {
        "depending on the model".to_string()
    };
    format!(
        "{}: between {:.0} and {:.0} of {actions} {outcome}, {spread}; {:.0} carry its direct code. Only a holdout would show cause",
        driver.key, driver.low, driver.high, driver.direct
    )
}

/// A count as a meeting may show it: below 5 it becomes "<5" when only aggregates may be shown.
pub fn small(value: f64, aggregates_only: bool) -> Option<&'static str> {
    (aggregates_only && value > 0.0 && value < 5.0).then_some("<5")
}

/// The definitions of every number the brief shows, and which mode made it.
pub fn footnotes(data: &Brief) -> Vec<String> {
    let mut notes = vec![
        "Results are field outcomes; milestones are comms metrics on the way. Every definition: turnout definitions".to_string(),
        PACE_DEFINITIONS.to_string(),
        "Direct codes: results carrying a code an effort owns, or the channel they came through. Models: last, first, linear, \
         time-decay, position and Markov credit over each person's touches in the 7 days before; their range is the honest \
         uncertainty, and only a holdout (turnout lift) shows cause."
            .to_string(),
        "delivered: messages delivered; unique_opens: people who opened (machine opens included where tools do not separate them); \
         unique_clicks: people who clicked."
            .to_string(),
    ];
    if let Some(rate) = RATES.iter().find(|r| r.name == "show_up_rate") {
        notes.push(format!("{}: {}.", rate.label, rate.definition));
    }
    notes.push(if data.aggregates_only {
        "Aggregates only: no person-level rows; counts below 5 are shown as <5.".to_string()
    } else {
        "Full detail: small counts are shown as they are (use --aggregates-only for a wider audience).".to_string()
    });
    notes
}
