//! `turnout totals`: summed values per campaign and metric, optionally broken down by week, month,
//! channel, effort or source code, over an hledger-style period (begin inclusive, end exclusive).

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, params_from_iter, types::Value};

use crate::dates::{Period, month_label, week_label};
use crate::metrics::Vocabulary;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalsBy {
    Week,
    Month,
    Channel,
    Effort,
    Source,
}

impl TotalsBy {
    /// The JSON key and column name of the breakdown.
    pub fn key(self) -> &'static str {
        match self {
            TotalsBy::Week => "week",
            TotalsBy::Month => "month",
            TotalsBy::Channel => "channel",
            TotalsBy::Effort => "effort",
            TotalsBy::Source => "source",
        }
    }
}

#[derive(Debug, Default)]
pub struct TotalsQuery {
    pub campaign_ids: Vec<i64>,
    pub metrics: Vec<String>,
    pub by: Option<TotalsBy>,
    pub period: Period,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TotalRow {
    /// None for numbers not linked to any campaign.
    pub campaign: Option<String>,
    pub metric: String,
    /// The breakdown value; None where the numbers carry none (no channel, no effort...).
    pub key: Option<String>,
    /// By week or month: what a number covers when that is more than its week or month (a
    /// snapshot's total since the start, a report over several weeks).
    pub covers: Option<String>,
    pub value: f64,
}

/// (campaign, metric, breakdown, covers) of a total.
type RowKey = (Option<String>, String, Option<String>, Option<String>);

pub fn totals(conn: &Connection, query: &TotalsQuery) -> Result<Vec<TotalRow>> {
    let key_expr = match query.by {
        None => "NULL",
        Some(TotalsBy::Week | TotalsBy::Month) => "mv.period_start",
        Some(TotalsBy::Channel) => "mv.channel",
        Some(TotalsBy::Effort) => "e.external_id",
        Some(TotalsBy::Source) => "mv.source_code",
    };
    let mut sql = format!(
        "SELECT c.slug, mv.metric, {key_expr}, sum(mv.value), mv.period_end, mv.since_start
         FROM fact mv
         LEFT JOIN campaign c ON c.id = mv.campaign_id
         LEFT JOIN effort e ON e.id = mv.effort_id
         WHERE 1 = 1"
    );
    let mut args: Vec<Value> = Vec::new();
    if let Some(begin) = query.period.begin {
        sql.push_str(" AND mv.period_start >= ?");
        args.push(Value::Text(begin.to_string()));
    }
    if let Some(end) = query.period.end {
        sql.push_str(" AND mv.period_start < ?");
        args.push(Value::Text(end.to_string()));
    }
    if !query.campaign_ids.is_empty() {
        sql.push_str(&format!(
            " AND mv.campaign_id IN ({})",
            placeholders(query.campaign_ids.len())
        ));
        args.extend(query.campaign_ids.iter().map(|id| Value::Integer(*id)));
    }
    if !query.metrics.is_empty() {
        sql.push_str(&format!(
            " AND mv.metric IN ({})",
            placeholders(query.metrics.len())
        ));
        args.extend(query.metrics.iter().map(|m| Value::Text(m.clone())));
    }
    sql.push_str(" GROUP BY 1, 2, 3, 5, 6");

    // Week and month buckets are folded here from per-day sums, so one SQL shape serves all.
    let mut sums: BTreeMap<RowKey, f64> = BTreeMap::new();
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(row) = rows.next()? {
        let campaign: Option<String> = row.get(0)?;
        let metric: String = row.get(1)?;
        let raw_key: Option<String> = row.get(2)?;
        let value: f64 = row.get(3)?;
        let period_end = row
            .get::<_, Option<String>>(4)?
            .as_deref()
            .and_then(parse_day);
        let since_start: bool = row.get(5)?;
        let day = raw_key.as_deref().and_then(parse_day);
        let (key, covers) = match (query.by, day) {
            (Some(TotalsBy::Week | TotalsBy::Month), Some(day)) => {
                let (bucket, covers) = bucket_label(query.by, day, period_end, since_start);
                (Some(bucket), covers)
            }
            (Some(TotalsBy::Week | TotalsBy::Month), None) => (None, None),
            _ => (raw_key, None),
        };
        *sums.entry((campaign, metric, key, covers)).or_default() += value;
    }

    let vocabulary = Vocabulary::load(conn)?;
    let mut result: Vec<TotalRow> = sums
        .into_iter()
        .map(|((campaign, metric, key, covers), value)| TotalRow {
            campaign,
            metric,
            key,
            covers,
            value,
        })
        .collect();
    // Campaigns by slug (unlinked numbers last), results before milestones, then the breakdown.
    result.sort_by(|a, b| {
        (a.campaign.is_none(), &a.campaign)
            .cmp(&(b.campaign.is_none(), &b.campaign))
            .then(
                vocabulary
                    .order(&a.metric)
                    .cmp(&vocabulary.order(&b.metric)),
            )
            .then(a.key.is_none().cmp(&b.key.is_none()))
            .then(a.key.cmp(&b.key))
            .then(a.covers.cmp(&b.covers))
    });
    Ok(result)
}

/// The week or month of a number, and what it covers when that is more (a period total, a
/// snapshot's first total): shown beside it rather than spread or silently piled on one week.
fn bucket_label(
    by: Option<TotalsBy>,
    day: NaiveDate,
    period_end: Option<NaiveDate>,
    since_start: bool,
) -> (String, Option<String>) {
    let label = |d: NaiveDate| match by {
        Some(TotalsBy::Month) => month_label(d),
        _ => week_label(d),
    };
    let covers = if since_start {
        Some(format!("since the start, to {day}"))
    } else {
        period_end
            .filter(|end| label(*end) != label(day))
            .map(|end| format!("{day} to {end}"))
    };
    (label(day), covers)
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn placeholders(count: usize) -> String {
    vec!["?"; count].join(", ")
}
