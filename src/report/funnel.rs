//! `turnout funnel`: sent -> delivered -> unique opens -> unique clicks -> the outcome (RSVPs by
//! default, then attended), each step's count, its rate from the step before, and its rate from
//! the top. Counts come from the tools' own aggregates where they give them and from person-level
//! data (distinct people touched) where they do not; each step says which.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::campaigns::Campaign;
use crate::metrics::{Family, Vocabulary};

#[derive(Debug, Clone)]
pub struct Step {
    pub metric: String,
    pub count: f64,
    /// Where the count comes from: "aggregate", "person-level", "aggregate + person-level", "actions",
    /// "direct codes", or "no data".
    pub source: String,
    /// count / the previous step's count.
    pub step_rate: Option<f64>,
    /// count / the first step's count.
    pub cumulative_rate: Option<f64>,
    /// For the attended step: the show-up rate as every report defines it, attended / RSVPs
    /// whose attendance was recorded (attended + no-shows), beside its step rate (attended /
    /// all RSVPs, the unknown ones included).
    pub show_up_rate: Option<f64>,
}

/// An effort a report is narrowed to.
pub struct EffortScope {
    pub id: i64,
    pub external_id: String,
    /// What people call it: "2026-09-15 email: The council listens when we show up".
    pub label: String,
}

/// An effort by its database id (an experiment's linked send).
pub fn effort_by_id(conn: &Connection, id: i64) -> Result<EffortScope> {
    let tz = crate::store::settings::timezone(conn)?;
    match crate::efforts::all(conn, tz)?.remove(&id) {
        Some(named) => Ok(EffortScope {
            id: named.id,
            external_id: named.external_id,
            label: named.label,
        }),
        None => bail!("there is no effort {id}"),
    }
}

/// The campaign's effort named by its id or the start of its label.
pub fn find_effort(conn: &Connection, campaign: &Campaign, text: &str) -> Result<EffortScope> {
    let tz = crate::store::settings::timezone(conn)?;
    let named = crate::efforts::find(conn, tz, campaign, text)?;
    Ok(EffortScope {
        id: named.id,
        external_id: named.external_id,
        label: named.label,
    })
}

const COMMS_STEPS: &[&str] = &["sent", "delivered", "unique_opens", "unique_clicks"];

pub fn funnel(
    conn: &Connection,
    campaign: &Campaign,
    effort: Option<&EffortScope>,
    outcome: &str,
    begin: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<Step>> {
    let vocabulary = Vocabulary::load(conn)?;
    let outcome_metric = vocabulary.resolve(outcome)?;
    if outcome_metric.family != Family::Result {
        bail!(
            "--outcome {} is a comms milestone; a funnel ends in a result such as rsvps, signups, calls or donations",
            outcome_metric.name
        );
    }
    let mut metrics: Vec<&str> = COMMS_STEPS.to_vec();
    metrics.push(&outcome_metric.name);
    if outcome_metric.name == "rsvps" {
        metrics.push("attended");
    }

    let mut steps: Vec<Step> = Vec::new();
    for metric in metrics {
        let (count, source) = if COMMS_STEPS.contains(&metric) {
            let aggregate = sum(
                conn,
                "metric_value",
                campaign.id,
                effort.map(|e| e.id),
                metric,
                begin,
                end,
            )?;
            let all = sum(
                conn,
                "fact",
                campaign.id,
                effort.map(|e| e.id),
                metric,
                begin,
                end,
            )?;
            let people = all - aggregate;
            let source = match (aggregate > 0.0, people > 0.0) {
                (true, true) => "aggregate + person-level",
                (true, false) => "aggregate",
                (false, true) => "person-level",
                (false, false) => "no data",
            };
            (all, source.to_string())
        } else if let Some(effort) = effort {
            // One effort's results are the actions that carry its code.
            let count: f64 = conn.query_row(
                "SELECT ifnull(sum(amount), 0) FROM action
                 WHERE campaign_id = ?1 AND metric = ?2 AND source_code = ?3
                   AND local_date >= ?4 AND local_date < ?5",
                params![
                    campaign.id,
                    metric,
                    effort.external_id,
                    begin.to_string(),
                    end.to_string()
                ],
                |row| row.get(0),
            )?;
            (count, "direct codes".to_string())
        } else {
            let count = sum(conn, "fact", campaign.id, None, metric, begin, end)?;
            (
                count,
                if count > 0.0 { "actions" } else { "no data" }.to_string(),
            )
        };
        let show_up_rate = if metric == "attended" {
            let no_shows = match effort {
                Some(_) => 0.0,
                None => sum(conn, "fact", campaign.id, None, "no_shows", begin, end)?,
            };
            (count + no_shows > 0.0).then(|| count / (count + no_shows) * 100.0)
        } else {
            None
        };
        steps.push(Step {
            metric: metric.to_string(),
            count,
            source,
            step_rate: None,
            cumulative_rate: None,
            show_up_rate,
        });
    }
    let first = steps.iter().find(|s| s.count > 0.0).map(|s| s.count);
    for i in 0..steps.len() {
        let previous = if i == 0 {
            None
        } else {
            Some(steps[i - 1].count)
        };
        let count = steps[i].count;
        steps[i].step_rate = previous.filter(|p| *p > 0.0).map(|p| count / p * 100.0);
        steps[i].cumulative_rate = first.filter(|f| *f > 0.0).map(|f| count / f * 100.0);
    }
    Ok(steps)
}

fn sum(
    conn: &Connection,
    table: &str,
    campaign_id: i64,
    effort_id: Option<i64>,
    metric: &str,
    begin: NaiveDate,
    end: NaiveDate,
) -> Result<f64> {
    // `table` is one of two fixed names, never user input.
    let sql = format!(
        "SELECT ifnull(sum(value), 0) FROM {table}
         WHERE campaign_id = ?1 AND (?2 IS NULL OR effort_id = ?2) AND metric = ?3
           AND period_start >= ?4 AND period_start < ?5"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            campaign_id,
            effort_id,
            metric,
            begin.to_string(),
            end.to_string()
        ],
        |row| row.get(0),
    )?)
}
