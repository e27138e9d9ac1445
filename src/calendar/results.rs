//! What each planned item became: the send it matched, that send's delivered, opens and clicks,
//! and for an item that asks for a result, the actions carrying the send's own code (direct)
//! and those whose last touch in the 7 days before was the send (last touch: a rule for
//! sharing credit, not a measured effect).

use std::collections::{BTreeSet, HashMap};

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use rusqlite::{Connection, params};

use super::{PlanItem, Sent, Status, list, matching, sent};
use crate::attribution::{self, By, Model, Options, TouchKind};
use crate::metrics::{Family, Vocabulary};

/// One item and what it became.
pub struct ItemResult {
    pub item: PlanItem,
    pub sent: Option<Sent>,
    pub status: Status,
    pub delivered: Option<f64>,
    pub unique_opens: Option<f64>,
    pub unique_clicks: Option<f64>,
    /// (direct, last touch) for an item with a goal that was sent.
    pub credit: Option<(f64, f64)>,
}

/// The items planned in [begin, end) and what each became.
pub fn results(
    conn: &Connection,
    tz: Tz,
    begin: Option<NaiveDate>,
    end: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Vec<ItemResult>> {
    let items = list(conn, begin, end)?;
    let (Some(first), Some(last)) = (
        items.iter().map(|i| i.day).min(),
        items.iter().map(|i| i.day).max(),
    ) else {
        return Ok(Vec::new());
    };
    let sends = sent(
        conn,
        tz,
        first - Duration::days(1),
        last + Duration::days(2),
    )?;
    let matching = matching(items, sends, today);
    let goals: BTreeSet<String> = matching
        .items
        .iter()
        .filter_map(|(i, _, _)| i.goal.clone())
        .collect();
    let last_touch = last_touch_credit(conn, &goals)?;
    let mut metric_sum =
        conn.prepare("SELECT sum(value) FROM fact WHERE effort_id = ?1 AND metric = ?2")?;
    let mut direct_sum =
        conn.prepare("SELECT sum(amount) FROM action WHERE source_code = ?1 AND metric = ?2")?;
    let mut results = Vec::with_capacity(matching.items.len());
    for (item, sent, status) in matching.items {
        let mut value = |metric: &str| -> Result<Option<f64>> {
            Ok(match &sent {
                Some(s) => metric_sum.query_row(params![s.effort_id, metric], |r| r.get(0))?,
                None => None,
            })
        };
        let delivered = value("delivered")?;
        let unique_opens = value("unique_opens")?;
        let unique_clicks = value("unique_clicks")?;
        let credit = match (&sent, &item.goal) {
            (Some(s), Some(goal)) => {
                let direct: Option<f64> =
                    direct_sum.query_row(params![s.external_id, goal], |r| r.get(0))?;
                let last = last_touch
                    .get(&(goal.clone(), s.external_id.clone()))
                    .copied();
                Some((direct.unwrap_or(0.0), last.unwrap_or(0.0)))
            }
            _ => None,
        };
        results.push(ItemResult {
            item,
            sent,
            status,
            delivered,
            unique_opens,
            unique_clicks,
            credit,
        });
    }
    Ok(results)
}

/// Last-touch credit per (goal, effort), for each goal that is a result.
fn last_touch_credit(
    conn: &Connection,
    goals: &BTreeSet<String>,
) -> Result<HashMap<(String, String), f64>> {
    let vocabulary = Vocabulary::load(conn)?;
    let mut credit_of = HashMap::new();
    for goal in goals.iter().filter(|g| {
        vocabulary
            .find(g)
            .is_some_and(|m| m.family == Family::Result)
    }) {
        let options = Options {
            campaign_id: None,
            outcome: goal.clone(),
            window: 7 * 86_400,
            half_life: 7 * 86_400,
            by: By::Effort,
            touch: TouchKind::Any,
            period: None,
        };
        let evidence = attribution::load(conn, &options)?;
        for credit in attribution::credit(&evidence, &[Model::Last], options.half_life) {
            credit_of.insert((goal.clone(), credit.key), credit.credit);
        }
    }
    Ok(credit_of)
}
