//! `turnout digest`: the organization's week across campaigns and teams: each result this week
//! against last week, goal verdicts, the week's efforts with the results that carry their codes,
//! and how many data warnings there are. Teams and campaigns only: no ranking of people.

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

use super::progress::{self, Progress};
use crate::campaigns::{self, Campaign};
use crate::goals;
use crate::metrics::{Family, Vocabulary};

#[derive(Debug, Clone)]
pub struct ResultLine {
    pub campaign: String,
    pub team: Option<String>,
    pub metric: String,
    pub this_period: f64,
    pub last_period: f64,
}

#[derive(Debug, Clone)]
pub struct EffortLine {
    pub campaign: Option<String>,
    pub channel: String,
    pub effort: String,
    pub title: Option<String>,
    pub day: NaiveDate,
    /// Results whose code is this effort's id, e.g. "donations 2, rsvps 1".
    pub direct_results: Vec<(String, f64)>,
}

pub struct Digest {
    pub begin: NaiveDate,
    pub end: NaiveDate,
    pub results: Vec<ResultLine>,
    pub goals: Vec<Progress>,
    pub efforts: Vec<EffortLine>,
    /// (campaign, metric, value) dated in the period but covering more than it (a snapshot's
    /// total since the start, a report over several weeks): not in the week's numbers.
    pub spanning: Vec<(String, String, f64)>,
}

/// The digest of `[begin, end)` against `[previous, begin)`.
pub fn digest(
    conn: &Connection,
    previous: NaiveDate,
    begin: NaiveDate,
    end: NaiveDate,
    today: NaiveDate,
) -> Result<Digest> {
    let vocabulary = Vocabulary::load(conn)?;
    let mut results = Vec::new();
    let mut spanning = Vec::new();
    let all: Vec<Campaign> = campaigns::list(conn)?;
    for campaign in &all {
        // A week against a week: a number that covers more than its week is said apart.
        let (this, this_spanning) = result_sums(conn, &vocabulary, campaign.id, begin, end)?;
        let (last, _) = result_sums(conn, &vocabulary, campaign.id, previous, begin)?;
        for (metric, value) in this_spanning {
            spanning.push((campaign.slug.clone(), metric, value));
        }
        let mut metrics: Vec<&String> = this.keys().chain(last.keys()).collect();
        metrics.sort_by_key(|m| vocabulary.order(m));
        metrics.dedup();
        for metric in metrics {
            results.push(ResultLine {
                campaign: campaign.slug.clone(),
                team: campaign.team.clone(),
                metric: metric.clone(),
                this_period: this.get(metric).copied().unwrap_or(0.0),
                last_period: last.get(metric).copied().unwrap_or(0.0),
            });
        }
    }
    // Verdicts as they stood at the end of the period (or today, if sooner).
    let as_of = (end - Duration::days(1)).min(today);
    let goals = goals::list(conn, &[])?
        .iter()
        .map(|goal| progress::progress(conn, goal, as_of))
        .collect::<Result<Vec<_>>>()?;
    Ok(Digest {
        begin,
        end,
        results,
        goals,
        efforts: efforts(conn, &vocabulary, begin, end)?,
        spanning,
    })
}

fn result_sums(
    conn: &Connection,
    vocabulary: &Vocabulary,
    campaign_id: i64,
    begin: NaiveDate,
    end: NaiveDate,
) -> Result<(BTreeMap<String, f64>, BTreeMap<String, f64>)> {
    let mut stmt = conn.prepare_cached(
        "SELECT metric, sum(value), in_one_week FROM fact
         WHERE campaign_id = ?1 AND period_start >= ?2 AND period_start < ?3 GROUP BY 1, 3",
    )?;
    let rows = stmt.query_map(
        params![campaign_id, begin.to_string(), end.to_string()],
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, f64>(1)?,
                row.get::<_, bool>(2)?,
            ))
        },
    )?;
    let mut sums = BTreeMap::new();
    let mut spanning = BTreeMap::new();
    for row in rows {
        let (metric, value, in_one_week) = row?;
        if vocabulary
            .find(&metric)
            .is_some_and(|m| m.family == Family::Result)
        {
            let into = if in_one_week {
                &mut sums
            } else {
                &mut spanning
            };
            into.insert(metric, value);
        }
    }
    Ok((sums, spanning))
}

/// Efforts that went out in the period: by their send time, else their first dated number.
fn efforts(
    conn: &Connection,
    vocabulary: &Vocabulary,
    begin: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<EffortLine>> {
    let mut stmt = conn.prepare(
        "SELECT c.slug, e.channel, e.external_id, e.title, d.day FROM effort e
         JOIN (SELECT effort_id, min(period_start) AS day FROM fact WHERE effort_id IS NOT NULL GROUP BY effort_id) d
           ON d.effort_id = e.id
         LEFT JOIN campaign c ON c.id = e.campaign_id
         WHERE d.day >= ?1 AND d.day < ?2
         ORDER BY d.day, c.slug, e.channel, e.external_id",
    )?;
    let rows = stmt.query_map(params![begin.to_string(), end.to_string()], |row| {
        Ok((
            row.get::<_, Option<String>>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, String>(4)?,
        ))
    })?;
    let mut direct = conn.prepare_cached(
        "SELECT metric, sum(amount) FROM action WHERE source_code = ?1 GROUP BY metric",
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (campaign, channel, effort, title, day) = row?;
        let mut direct_results: Vec<(String, f64)> = direct
            .query_map(params![effort], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        direct_results.retain(|(m, _)| m != "donation_amount");
        direct_results.sort_by_key(|(m, _)| vocabulary.order(m));
        out.push(EffortLine {
            campaign,
            channel,
            effort,
            title,
            day: NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap_or(begin),
            direct_results,
        });
    }
    Ok(out)
}
