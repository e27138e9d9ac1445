//! `turnout brief`: the one page for a joint meeting of comms and field teams, in this order:
//! results against goals, what drove the period's results (direct codes, then the range across
//! the rules that share credit), comms milestones beside the results week by week, the next two weeks of the calendar
//! with its warnings, and data-quality warnings. Every part says "no data yet" rather than
//! vanishing. The data here feeds the text report and the HTML page alike.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use rusqlite::Connection;

use super::campaign::daily_sums;
use super::funnel::{self, Step};
use super::progress::PACE_DEFINITIONS;
use super::progress::{self, Progress};
use super::quality;
use super::rates::RATES;
use crate::attribution::{self, By, Model, NO_TOUCH, Options, TouchKind, coverage};
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
    /// Whether the exports record people for the channel (else the rules cannot credit it).
    pub seen: bool,
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
    /// The period as a meeting says it: "2026-W41", or "2026-09-01 to 2026-09-30".
    pub period_label: String,
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
    let instant = |day: NaiveDate| {
        let midnight = day.and_hms_opt(0, 0, 0).expect("midnight");
        tz.from_local_datetime(&midnight)
            .earliest()
            .map_or(midnight.and_utc().timestamp(), |t| t.timestamp())
    };
    let (from, to) = (instant(begin), instant(end));
    let period_label = if end - begin == Duration::weeks(1) && week_start(begin) == begin {
        week_label(begin)
    } else {
        format!("{begin} to {}", end - Duration::days(1))
    };
    let mut campaigns = Vec::new();
    for campaign in chosen {
        let mut results: BTreeMap<String, f64> = BTreeMap::new();
        for sum in daily_sums(conn, campaign.id, begin, end)? {
            if vocabulary
                .find(&sum.metric)
                .is_some_and(|m| m.family == Family::Result)
            {
                *results.entry(sum.metric).or_default() += sum.value;
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
            Some(metric) => drivers_for(conn, campaign.id, metric, (from, to))?,
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
        let in_weeks = daily_sums(
            conn,
            campaign.id,
            first_week,
            last_week + Duration::weeks(1),
        )?;
        // A number that covers more than its week belongs to none of them.
        for sum in in_weeks.into_iter().filter(|s| s.in_one_week) {
            let index = ((week_start(sum.day) - first_week).num_days() / 7) as usize;
            if let Some(week) = weeks.get_mut(index) {
                *week.values.entry(sum.metric).or_default() += sum.value;
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
        period_label,
        as_of,
        campaigns,
        upcoming,
        calendar_warnings,
        data_warnings,
        matrix,
        aggregates_only,
    })
}

/// Every rule's credit per channel for one outcome's actions in the period, reduced to direct
/// codes and the range across the rules.
fn drivers_for(
    conn: &Connection,
    campaign_id: i64,
    outcome: &str,
    period: (i64, i64),
) -> Result<(usize, Vec<Driver>)> {
    let options = Options {
        campaign_id: Some(campaign_id),
        outcome: outcome.to_string(),
        window: 7 * 86_400,
        half_life: 7 * 86_400,
        by: By::Channel,
        touch: TouchKind::Any,
        period: Some(period),
    };
    let evidence = attribution::load(conn, &options)?;
    if evidence.converting.is_empty() {
        return Ok((0, Vec::new()));
    }
    let credits = attribution::credit(&evidence, &Model::ALL, options.half_life);
    let seen: Vec<String> = coverage::coverage(conn, Some(campaign_id))?
        .into_iter()
        .filter(|c| c.people > 0)
        .map(|c| c.channel)
        .collect();
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
                seen: key == NO_TOUCH || seen.contains(&key),
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

/// A count in words, "<5" for 1 to 4 when only aggregates may be shown.
fn shown(value: f64, aggregates_only: bool) -> String {
    small(value, aggregates_only).map_or_else(|| format!("{value:.0}"), str::to_string)
}

/// What the rules say, in words: a rule for sharing credit among recorded touches, not a cause.
pub fn driver_words(
    driver: &Driver,
    outcome: &str,
    actions: usize,
    period: &str,
    aggregates_only: bool,
) -> String {
    let n = |v: f64| shown(v, aggregates_only);
    let of = format!("of {} {outcome} in {period}", n(actions as f64));
    if driver.key == NO_TOUCH {
        return format!(
            "{} to {} {of} had no recorded digital touch in the 7 days before",
            n(driver.low),
            n(driver.high)
        );
    }
    if !driver.seen {
        return format!(
            "{}: no person-level data, so the rules cannot credit it; {} {of} carry its direct code",
            driver.key,
            n(driver.direct)
        );
    }
    format!(
        "{}: the rules give it between {} and {} {of}; {} carry its direct code. Rules share credit, they do not show cause",
        driver.key,
        n(driver.low),
        n(driver.high),
        n(driver.direct)
    )
}

/// Text for a meeting that may see only aggregates: every standalone count from 1 to 4 becomes
/// "<5" (item numbers like #4, dates and times are left alone).
pub fn mask_small_counts(text: &str, aggregates_only: bool) -> String {
    if !aggregates_only {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            let digit_after = chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
            // Part of something bigger: a number like 1,200 or 1.5, a date, a time, #4, W41.
            let joined_before =
                before.is_some_and(|c| c.is_alphanumeric() || "#-:/.,_".contains(c));
            let joined_after = after.is_some_and(|c| {
                c.is_alphanumeric() || "#-:/_%".contains(c) || (".,".contains(c) && digit_after)
            });
            let token: String = chars[start..i].iter().collect();
            let small = matches!(token.as_str(), "1" | "2" | "3" | "4");
            if small && !joined_before && !joined_after {
                out.push_str("<5");
            } else {
                out.push_str(&token);
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// A count as a meeting may show it: below 5 it becomes "<5" when only aggregates may be shown.
pub fn small(value: f64, aggregates_only: bool) -> Option<&'static str> {
    (aggregates_only && value > 0.0 && value < 5.0).then_some("<5")
}

/// The definitions of every number the brief shows, and which mode made it.
/// The notes under the brief on a terminal: what its words mean in brief, and the commands
/// that hold the detail (the HTML page carries the full `footnotes`).
pub fn short_footnotes(data: &Brief) -> Vec<String> {
    vec![
        "Results are field outcomes; milestones are comms metrics on the way. More: turnout report --weekly, goal list (pace), definitions, check (fixes).".to_string(),
        format!(
            "What drove them ({}): direct codes are results carrying an effort's code; rules share credit among touches of the 7 days before. Not causes: only an experiment shows cause (turnout lift).",
            data.period_label
        ),
        if data.aggregates_only {
            "Aggregates only: counts below 5 are shown as <5.".to_string()
        } else {
            "Full detail: small counts are shown as they are (--aggregates-only to hide them).".to_string()
        },
    ]
}

pub fn footnotes(data: &Brief) -> Vec<String> {
    let mut notes = vec![
        "Results are field outcomes; milestones are comms metrics on the way. Every definition: turnout definitions".to_string(),
        PACE_DEFINITIONS.to_string(),
        format!(
            "What drove them covers the results of {} only. Direct codes: results carrying a code an effort owns, or the channel \
             they came through. The rules (last, first, linear, time-decay, position, Markov) share each result's credit among the \
             person's touches the exports record in the 7 days before: they are rules, not estimates of what an effort caused, and \
             they cannot see a channel whose exports name no one. Only an experiment shows cause (turnout holdout draw, turnout lift).",
            data.period_label
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_in_sentences_are_masked_and_nothing_else() {
        assert_eq!(
            mask_small_counts(
                "4 asks in 3 days (more than 2): #5, #6; 1,200 doors, 2.5%, W41, 2026-10-04 09:30",
                true
            ),
            "<5 asks in <5 days (more than <5): #5, #6; 1,200 doors, 2.5%, W41, 2026-10-04 09:30"
        );
        assert_eq!(mask_small_counts("4 RSVP(s)", false), "4 RSVP(s)");
    }
}
