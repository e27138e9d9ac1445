//! Warnings about the plan against what went out: silent audiences, over-asked audiences,
//! collisions, missed and unplanned sends.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use rusqlite::Connection;

use super::{Matching, PlanItem, Status, list, matching, sent, unplanned_in_scope};
use crate::metrics::{Family, Vocabulary};

/// A data-quality warning about the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub check: &'static str,
    pub subject: String,
    pub detail: String,
    pub fix: String,
}

pub struct CheckLimits {
    pub quiet_days: i64,
    pub max_asks: usize,
    pub per_days: i64,
}

fn describe(item: &PlanItem) -> String {
    format!(
        "#{} {}{} {} to {}: {}",
        item.id,
        item.day,
        item.time
            .map(|t| format!(" {}", t.format("%H:%M")))
            .unwrap_or_default(),
        item.channel,
        item.audience,
        item.title
    )
}

pub fn check(
    conn: &Connection,
    matching: &Matching,
    limits: &CheckLimits,
    today: NaiveDate,
) -> Result<Vec<Warning>> {
    let vocabulary = Vocabulary::load(conn)?;
    let items: Vec<&PlanItem> = matching.items.iter().map(|(i, _, _)| i).collect();
    let mut warnings = Vec::new();

    // Asks crowding one audience.
    let mut by_audience: BTreeMap<String, Vec<&PlanItem>> = BTreeMap::new();
    for item in &items {
        by_audience
            .entry(item.audience.to_lowercase())
            .or_default()
            .push(item);
    }
    for (audience, list) in &by_audience {
        let asks: Vec<&&PlanItem> = list
            .iter()
            .filter(|i| {
                i.goal
                    .as_deref()
                    .and_then(|g| vocabulary.find(g))
                    .is_some_and(|m| m.family == Family::Result)
            })
            .collect();
        let mut reported_until = None;
        for (start, first) in asks.iter().enumerate() {
            if reported_until.is_some_and(|u| start < u) {
                continue;
            }
            let window: Vec<&&&PlanItem> = asks[start..]
                .iter()
                .take_while(|i| (i.day - first.day).num_days() < limits.per_days)
                .collect();
            if window.len() > limits.max_asks {
                reported_until = Some(start + window.len());
                warnings.push(Warning {
                    check: "asked too often",
                    subject: format!("audience {}", list[0].audience),
                    detail: format!(
                        "{} asks in {} days (more than {}): {}",
                        window.len(),
                        limits.per_days,
                        limits.max_asks,
                        window.iter().map(|i| format!("#{}", i.id)).collect::<Vec<_>>().join(", ")
                    ),
                    fix: format!("move or merge one of them, or ask {audience} for something else (a milestone, not a result)"),
                });
            }
        }
        // Silences: gaps between what this audience hears, planned or sent.
        let mut days: Vec<NaiveDate> = list.iter().map(|i| i.day).collect();
        days.extend(
            matching
                .items
                .iter()
                .filter_map(|(_, s, _)| s.as_ref())
                .chain(matching.unplanned.iter())
                .filter(|s| s.audience.to_lowercase() == *audience)
                .map(|s| s.day),
        );
        days.sort();
        days.dedup();
        if let (Some(first), Some(last)) = (days.first(), days.last()) {
            let horizon = (*last).max(today.min(*last + Duration::days(limits.quiet_days * 4)));
            let mut previous = *first;
            for day in days.iter().skip(1).copied().chain([horizon]) {
                let gap = (day - previous).num_days();
                if gap > limits.quiet_days {
                    warnings.push(Warning {
                        check: "audience hears nothing",
                        subject: format!("audience {}", list[0].audience),
                        detail: format!("nothing planned or sent from {previous} to {day} ({gap} days, more than {})", limits.quiet_days),
                        fix: "plan something for them in that gap, even a thank-you or an update".to_string(),
                    });
                }
                previous = day;
            }
        }
    }

    // Collisions: the same day, channel and audience.
    let mut slots: BTreeMap<(NaiveDate, String, String), Vec<&PlanItem>> = BTreeMap::new();
    for item in &items {
        slots
            .entry((item.day, item.channel.clone(), item.audience.to_lowercase()))
            .or_default()
            .push(item);
    }
    for ((day, channel, _), list) in &slots {
        if list.len() > 1 {
            warnings.push(Warning {
                check: "items collide",
                subject: format!("{day} {channel} to {}", list[0].audience),
                detail: list
                    .iter()
                    .map(|i| describe(i))
                    .collect::<Vec<_>>()
                    .join("; "),
                fix: "merge them into one message, or move one to another day or channel"
                    .to_string(),
            });
        }
    }

    for (item, _, status) in &matching.items {
        if *status == Status::Missed {
            warnings.push(Warning {
                check: "planned, never sent",
                subject: describe(item),
                detail: format!("no {} went out within a day of {}", item.channel, item.day),
                fix: "import the export that holds it, or remove the item if it was dropped (turnout calendar remove ID)".to_string(),
            });
        }
    }
    let plan: Vec<PlanItem> = matching.items.iter().map(|(i, _, _)| i.clone()).collect();
    for send in unplanned_in_scope(&plan, &matching.unplanned) {
        warnings.push(Warning {
            check: "sent, never planned",
            subject: format!("{} {} {}", send.channel, send.external_id, send.title.clone().unwrap_or_default()),
            detail: format!("went out on {} to {} with no calendar item", send.day, send.audience),
            fix: "add it to the calendar (turnout calendar add ...) so the plan shows what people actually received".to_string(),
        });
    }
    Ok(warnings)
}

/// The warnings about the whole plan: its items against everything sent from the day before
/// its first through today (so an audience reached after the plan ends is not called silent).
pub fn plan_warnings(
    conn: &Connection,
    tz: Tz,
    today: NaiveDate,
    limits: &CheckLimits,
) -> Result<Vec<Warning>> {
    let items = list(conn, None, None)?;
    let (Some(first), Some(last)) = (
        items.iter().map(|i| i.day).min(),
        items.iter().map(|i| i.day).max(),
    ) else {
        return Ok(Vec::new());
    };
    let until = (last + Duration::days(2)).max(today + Duration::days(1));
    let sends = sent(conn, tz, first - Duration::days(1), until)?;
    check(conn, &matching(items, sends, today), limits, today)
}
