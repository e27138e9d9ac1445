//! Goals: specific, measurable targets such as "800 calls by Oct 30". One goal per campaign and
//! metric; setting it again changes it. Progress and pace are computed in `report::progress`.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::campaigns::{self, Campaign, parse_stored_date};
use crate::metrics::Vocabulary;
use crate::store::now_utc;

#[derive(Debug, Clone)]
pub struct Goal {
    pub campaign_id: i64,
    pub campaign_slug: String,
    pub metric: String,
    pub target: f64,
    pub from: NaiveDate,
    pub by: NaiveDate,
}

pub struct GoalRequest<'a> {
    pub campaign: &'a str,
    pub metric: &'a str,
    pub target: f64,
    pub by: NaiveDate,
    pub from: Option<NaiveDate>,
}

/// Whether `set` created a goal or changed an existing one.
pub enum GoalChange {
    Created,
    Changed {
        previous_target: f64,
        previous_by: NaiveDate,
    },
}

/// Sets a goal. `from` defaults to the campaign's start, else to `today`.
pub fn set(
    conn: &Connection,
    request: GoalRequest,
    today: NaiveDate,
) -> Result<(Goal, GoalChange)> {
    let campaign: Campaign = campaigns::get(conn, request.campaign)?;
    let vocabulary = Vocabulary::load(conn)?;
    let metric = vocabulary.resolve(request.metric)?.name.clone();
    if !(request.target.is_finite() && request.target > 0.0) {
        bail!(
            "a goal's target must be a number above zero; found {}",
            request.target
        );
    }
    let from = request.from.or(campaign.start).unwrap_or(today);
    if request.by < from {
        bail!(
            "the goal would be due ({}) before it starts counting ({from}); check --by and --from",
            request.by
        );
    }
    let previous = conn
        .query_row(
            "SELECT target, by_date FROM goal WHERE campaign_id = ?1 AND metric = ?2",
            params![campaign.id, metric],
            |row| Ok((row.get::<_, f64>(0)?, row.get::<_, String>(1)?)),
        )
        .ok();
    conn.execute(
        "INSERT INTO goal (campaign_id, metric, target, from_date, by_date, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (campaign_id, metric) DO UPDATE SET
           target = excluded.target, from_date = excluded.from_date, by_date = excluded.by_date",
        params![
            campaign.id,
            metric,
            request.target,
            from.to_string(),
            request.by.to_string(),
            now_utc()
        ],
    )?;
    let change = match previous {
        None => GoalChange::Created,
        Some((target, by)) => GoalChange::Changed {
            previous_target: target,
            previous_by: parse_stored_date(Some(by)).unwrap_or(request.by),
        },
    };
    let goal = Goal {
        campaign_id: campaign.id,
        campaign_slug: campaign.slug,
        metric,
        target: request.target,
        from,
        by: request.by,
    };
    Ok((goal, change))
}

pub fn remove(conn: &Connection, campaign: &str, metric: &str) -> Result<()> {
    let campaign = campaigns::get(conn, campaign)?;
    let metric = Vocabulary::load(conn)?.resolve(metric)?.name.clone();
    let removed = conn.execute(
        "DELETE FROM goal WHERE campaign_id = ?1 AND metric = ?2",
        params![campaign.id, metric],
    )?;
    if removed == 0 {
        bail!("{} has no goal for {metric}", campaign.slug);
    }
    Ok(())
}

/// Goals, optionally of some campaigns only, ordered by campaign then results-first metric order.
pub fn list(conn: &Connection, campaign_ids: &[i64]) -> Result<Vec<Goal>> {
    let vocabulary = Vocabulary::load(conn)?;
    let mut stmt = conn.prepare(
        "SELECT g.campaign_id, c.slug, g.metric, g.target, g.from_date, g.by_date
         FROM goal g JOIN campaign c ON c.id = g.campaign_id ORDER BY c.slug",
    )?;
    let mut goals: Vec<Goal> = stmt
        .query_map([], |row| {
            let from: String = row.get(4)?;
            let by: String = row.get(5)?;
            Ok(Goal {
                campaign_id: row.get(0)?,
                campaign_slug: row.get(1)?,
                metric: row.get(2)?,
                target: row.get(3)?,
                from: parse_stored_date(Some(from)).unwrap_or_default(),
                by: parse_stored_date(Some(by)).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    goals.retain(|g| campaign_ids.is_empty() || campaign_ids.contains(&g.campaign_id));
    goals.sort_by(|a, b| {
        a.campaign_slug.cmp(&b.campaign_slug).then(
            vocabulary
                .order(&a.metric)
                .cmp(&vocabulary.order(&b.metric)),
        )
    });
    Ok(goals)
}
