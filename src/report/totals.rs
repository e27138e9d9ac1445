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
    pub value: f64,
}

pub fn totals(conn: &Connection, query: &TotalsQuery) -> Result<Vec<TotalRow>> {
    let key_expr = match query.by {
        None => "NULL",
        Some(TotalsBy::Week | TotalsBy::Month) => "mv.period_start",
        Some(TotalsBy::Channel) => "mv.channel",
        Some(TotalsBy::Effort) => "e.external_id",
        Some(TotalsBy::Source) => "mv.source_code",
    };
    let mut sql = format!(
        "SELECT c.slug, mv.metric, {key_expr}, sum(mv.value)
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
    sql.push_str(" GROUP BY 1, 2, 3");

    // Week and month buckets are folded here from per-day sums, so one SQL shape serves all.
    let mut sums: BTreeMap<(Option<String>, String, Option<String>), f64> = BTreeMap::new();
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(row) = rows.next()? {
        let campaign: Option<String> = row.get(0)?;
        let metric: String = row.get(1)?;
        let raw_key: Option<String> = row.get(2)?;
        let value: f64 = row.get(3)?;
        let key = match query.by {
            Some(TotalsBy::Week) => raw_key.as_deref().and_then(parse_day).map(week_label),
            Some(TotalsBy::Month) => raw_key.as_deref().and_then(parse_day).map(month_label),
            _ => raw_key,
        };
        *sums.entry((campaign, metric, key)).or_default() += value;
    }

    let vocabulary = Vocabulary::load(conn)?;
    let mut result: Vec<TotalRow> = sums
        .into_iter()
        .map(|((campaign, metric, key), value)| TotalRow {
            campaign,
            metric,
            key,
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
    });
    Ok(result)
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn placeholders(count: usize) -> String {
    vec!["?"; count].join(", ")
}
