//! `turnout report`: one campaign on one page, results first: field outcomes with their goals,
//! comms milestones by channel, the rates that tie them together, and cost per result.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use rusqlite::{Connection, params};

use super::periods::{Bucket, Interval, bucket_of, buckets};
use super::progress::{self, Progress};
use super::rates::{self, RateValue, Sums};
use crate::campaigns::{Campaign, parse_stored_date};
use crate::costs;
use crate::dates::Period;
use crate::goals;
use crate::metrics::{Family, Vocabulary};

/// A metric's numbers in the report: per period (when periodic) and in total.
#[derive(Debug, Clone)]
pub struct Line {
    pub metric: String,
    pub channel: Option<String>,
    pub by_period: Vec<f64>,
    pub total: f64,
}

#[derive(Debug, Clone)]
pub struct CampaignReport {
    pub campaign: Campaign,
    /// `[begin, end)`: the period asked for, ending no later than today.
    pub begin: NaiveDate,
    pub end: NaiveDate,
    pub buckets: Vec<Bucket>,
    pub results: Vec<Line>,
    pub milestones: Vec<Line>,
    pub goals: Vec<Progress>,
    pub rates: Vec<RateValue>,
    /// RSVPs whose attendance was never recorded.
    pub attendance_unknown: f64,
    /// Money spent in the period, when the campaign records costs.
    pub cost: Option<f64>,
    /// Per metric, what the week or month columns leave out because it covers more than one
    /// (counted in the totals).
    pub spanning: Vec<(String, f64)>,
}

/// The report's window: `--begin` (else the campaign's start, else its first number) to `--end`,
/// never past today.
pub fn window(
    conn: &Connection,
    campaign: &Campaign,
    period: &Period,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate)> {
    let first: Option<String> = conn.query_row(
        "SELECT min(period_start) FROM fact WHERE campaign_id = ?1",
        params![campaign.id],
        |row| row.get(0),
    )?;
    let first = parse_stored_date(first);
    let tomorrow = today + Duration::days(1);
    let begin = period
        .begin
        .or_else(|| match (campaign.start, first) {
            (Some(s), Some(f)) => Some(s.min(f)),
            (s, f) => s.or(f),
        })
        .unwrap_or(today)
        .min(tomorrow);
    let end = period.end.unwrap_or(tomorrow).min(tomorrow).max(begin);
    Ok((begin, end))
}

/// A campaign's numbers of one metric and channel on one day, summed.
#[derive(Debug, Clone)]
pub struct DailySum {
    pub metric: String,
    pub channel: Option<String>,
    pub day: NaiveDate,
    pub value: f64,
    /// False for numbers that cover more than the week they are dated in (a snapshot's total
    /// since the start, a report over several weeks): totals count them, week-by-week columns
    /// leave them out.
    pub in_one_week: bool,
}

/// Sums per (metric, channel, day) of a campaign over `[begin, end)`.
pub fn daily_sums(
    conn: &Connection,
    campaign_id: i64,
    begin: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<DailySum>> {
    let mut stmt = conn.prepare_cached(
        "SELECT metric, channel, period_start, sum(value), in_one_week FROM fact
         WHERE campaign_id = ?1 AND period_start >= ?2 AND period_start < ?3
         GROUP BY 1, 2, 3, 5",
    )?;
    let rows = stmt
        .query_map(
            params![campaign_id, begin.to_string(), end.to_string()],
            |row| {
                let day: String = row.get(2)?;
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    parse_stored_date(Some(day)),
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )?
        .filter_map(|r| match r {
            Ok((metric, channel, Some(day), value, in_one_week)) => Some(Ok(DailySum {
                metric,
                channel,
                day,
                value,
                in_one_week,
            })),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn build(
    conn: &Connection,
    campaign: &Campaign,
    period: &Period,
    interval: Option<Interval>,
    today: NaiveDate,
) -> Result<CampaignReport> {
    let vocabulary = Vocabulary::load(conn)?;
    let (mut begin, end) = window(conn, campaign, period, today)?;
    let columns = interval.map(|i| buckets(begin, end, i)).unwrap_or_default();
    // Like hledger, a periodic report widens its start to a whole first week or month.
    if let Some(first) = columns.first() {
        begin = first.start;
    }

    let mut by_metric: BTreeMap<String, Line> = BTreeMap::new();
    let mut by_channel: BTreeMap<(String, Option<String>), Line> = BTreeMap::new();
    let mut sums = Sums::new();
    let mut spanning: BTreeMap<String, f64> = BTreeMap::new();
    let blank = |metric: &str, channel: Option<String>| Line {
        metric: metric.to_string(),
        channel,
        by_period: vec![0.0; columns.len()],
        total: 0.0,
    };
    for DailySum {
        metric,
        channel,
        day,
        value,
        in_one_week,
    } in daily_sums(conn, campaign.id, begin, end)?
    {
        *sums.entry((metric.clone(), channel.clone())).or_default() += value;
        let bucket = bucket_of(&columns, day).filter(|_| in_one_week);
        if !in_one_week && !columns.is_empty() {
            *spanning.entry(metric.clone()).or_default() += value;
        }
        let family = vocabulary.find(&metric).map(|m| m.family);
        let line = if family == Some(Family::Result) {
            by_metric
                .entry(metric.clone())
                .or_insert_with(|| blank(&metric, None))
        } else {
            by_channel
                .entry((metric.clone(), channel.clone()))
                .or_insert_with(|| blank(&metric, channel.clone()))
        };
        line.total += value;
        if let Some(i) = bucket {
            line.by_period[i] += value;
        }
    }
    let order = |line: &Line| (vocabulary.order(&line.metric), line.channel.clone());
    let mut results: Vec<Line> = by_metric.into_values().collect();
    results.sort_by_key(order);
    let mut milestones: Vec<Line> = by_channel.into_values().collect();
    milestones.sort_by_key(order);

    let goals = goals::list(conn, &[campaign.id])?
        .iter()
        .map(|goal| progress::progress(conn, goal, today))
        .collect::<Result<Vec<_>>>()?;
    let total = |metric: &str| {
        results
            .iter()
            .find(|l| l.metric == metric)
            .map_or(0.0, |l| l.total)
    };
    let attendance_unknown = (total("rsvps") - total("attended") - total("no_shows")).max(0.0);
    Ok(CampaignReport {
        campaign: campaign.clone(),
        begin,
        end,
        buckets: columns,
        rates: rates::compute(&sums),
        results,
        milestones,
        goals,
        attendance_unknown,
        cost: costs::total(conn, campaign.id, begin, end)?,
        spanning: spanning.into_iter().collect(),
    })
}
