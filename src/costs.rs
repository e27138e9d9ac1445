//! What campaigns spend: money (SMS segments, ads, printing) and staff time at an hourly rate,
//! because even a free social account costs someone's hours. Reports divide it by results.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use crate::campaigns;
use crate::store::now_utc;

#[derive(Debug, Clone)]
pub struct CostEntry {
    pub id: i64,
    pub campaign: String,
    pub effort: Option<String>,
    pub date: NaiveDate,
    pub amount: f64,
    pub hours: Option<f64>,
    pub rate: Option<f64>,
    pub what: String,
}

/// Money, or hours at a rate (both is a mistake: say which).
pub enum Spend {
    Money(f64),
    Time { hours: f64, rate: f64 },
}

pub fn add(
    conn: &Connection,
    campaign: &str,
    date: NaiveDate,
    spend: Spend,
    what: &str,
    effort: Option<&str>,
) -> Result<CostEntry> {
    let campaign = campaigns::get(conn, campaign)?;
    let what = what.trim();
    if what.is_empty() {
        bail!("say what the cost was for: --what \"SMS segments\"");
    }
    let (amount, hours, rate) = match spend {
        Spend::Money(amount) => (amount, None, None),
        Spend::Time { hours, rate } => (hours * rate, Some(hours), Some(rate)),
    };
    for (name, value) in [("amount", Some(amount)), ("hours", hours), ("rate", rate)] {
        if let Some(value) = value
            && !(value.is_finite() && value >= 0.0)
        {
            bail!("the {name} must be a number of zero or more; found {value}");
        }
    }
    let effort_id = match effort {
        Some(id) => Some(find_effort(conn, id)?),
        None => None,
    };
    conn.execute(
        "INSERT INTO cost (campaign_id, effort_id, date, amount, hours, rate, what, entered_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            campaign.id,
            effort_id,
            date.to_string(),
            amount,
            hours,
            rate,
            what,
            now_utc()
        ],
    )?;
    let id = conn.last_insert_rowid();
    Ok(CostEntry {
        id,
        campaign: campaign.slug,
        effort: effort.map(str::to_string),
        date,
        amount,
        hours,
        rate,
        what: what.to_string(),
    })
}

fn find_effort(conn: &Connection, external_id: &str) -> Result<i64> {
    let mut stmt = conn.prepare("SELECT id, platform FROM effort WHERE external_id = ?1")?;
    let found: Vec<(i64, String)> = stmt
        .query_map(params![external_id.trim()], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    match found.as_slice() {
        [(id, _)] => Ok(*id),
        [] => bail!(
            "there is no effort '{external_id}'. Efforts are the sends and posts imported from exports; see their ids with: turnout totals --by effort"
        ),
        many => bail!(
            "'{external_id}' names efforts on several platforms ({}); costs can only be tied to one",
            many.iter()
                .map(|(_, p)| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub fn list(conn: &Connection, campaign_id: Option<i64>) -> Result<Vec<CostEntry>> {
    let mut stmt = conn.prepare(
        "SELECT k.id, c.slug, e.external_id, k.date, k.amount, k.hours, k.rate, k.what
         FROM cost k JOIN campaign c ON c.id = k.campaign_id LEFT JOIN effort e ON e.id = k.effort_id
         WHERE ?1 IS NULL OR k.campaign_id = ?1 ORDER BY c.slug, k.date, k.id",
    )?;
    let rows = stmt
        .query_map(params![campaign_id], |row| {
            let date: String = row.get(3)?;
            Ok(CostEntry {
                id: row.get(0)?,
                campaign: row.get(1)?,
                effort: row.get(2)?,
                date: campaigns::parse_stored_date(Some(date)).unwrap_or_default(),
                amount: row.get(4)?,
                hours: row.get(5)?,
                rate: row.get(6)?,
                what: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Money spent by a campaign over `[begin, end)`; `None` when it has recorded no costs at all.
pub fn total(
    conn: &Connection,
    campaign_id: i64,
    begin: NaiveDate,
    end: NaiveDate,
) -> Result<Option<f64>> {
    let any: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM cost WHERE campaign_id = ?1 LIMIT 1",
            params![campaign_id],
            |row| row.get(0),
        )
        .optional()?;
    if any.is_none() {
        return Ok(None);
    }
    Ok(Some(conn.query_row(
        "SELECT ifnull(sum(amount), 0) FROM cost WHERE campaign_id = ?1 AND date >= ?2 AND date < ?3",
        params![campaign_id, begin.to_string(), end.to_string()],
        |row| row.get(0),
    )?))
}
