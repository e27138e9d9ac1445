//! The publishing calendar: what is planned to go out when, on which channel and to which
//! audience, next to what was actually sent (efforts imported from real exports). Items are
//! matched to sends by channel and campaign, nearest time within a day, title similarity to break
//! ties; the rest is planned (still to come), missed (its day passed with no send) or a send that
//! was never planned.

use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, params};

use crate::campaigns;
use crate::channels;
use crate::metrics::Vocabulary;
use crate::store::now_utc;

mod checks;
mod ics;
mod results;

pub use checks::{CheckLimits, Warning, check, plan_warnings};
pub use ics::ics;
pub use results::{ItemResult, results};

#[derive(Debug, Clone, PartialEq)]
pub struct PlanItem {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub campaign: Option<String>,
    pub day: NaiveDate,
    pub time: Option<NaiveTime>,
    pub channel: String,
    pub audience: String,
    pub title: String,
    pub goal: Option<String>,
    pub owner: Option<String>,
    pub source_key: Option<String>,
}

pub struct NewItem<'a> {
    pub day: NaiveDate,
    pub time: Option<&'a str>,
    pub channel: &'a str,
    pub audience: &'a str,
    pub campaign: Option<&'a str>,
    pub title: &'a str,
    pub goal: Option<&'a str>,
    pub owner: Option<&'a str>,
}

pub fn add(conn: &Connection, item: NewItem) -> Result<PlanItem> {
    let channel = channels::parse(item.channel)?;
    let campaign = match item.campaign {
        Some(slug) => Some(campaigns::get(conn, slug)?),
        None => None,
    };
    let time = match item.time {
        Some(t) => Some(NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| {
            anyhow::anyhow!("'{t}' is not a time of day; write it as HH:MM, e.g. 18:00")
        })?),
        None => None,
    };
    let goal = match item.goal {
        Some(name) => Some(Vocabulary::load(conn)?.resolve(name)?.name.clone()),
        None => None,
    };
    let audience = item.audience.trim();
    let title = item.title.trim();
    if audience.is_empty() || title.is_empty() {
        bail!("a calendar item needs an --audience and a --title");
    }
    conn.execute(
        "INSERT INTO plan_item (campaign_id, day, time, channel, audience, title, goal, owner, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            campaign.as_ref().map(|c| c.id),
            item.day.to_string(),
            time.map(|t| t.format("%H:%M").to_string()),
            channel,
            audience,
            title,
            goal,
            item.owner.map(str::trim).filter(|o| !o.is_empty()),
            now_utc()
        ],
    )?;
    let id = conn.last_insert_rowid();
    Ok(list(conn, None, None)?
        .into_iter()
        .find(|i| i.id == id)
        .expect("just inserted"))
}

pub fn remove(conn: &Connection, id: i64) -> Result<PlanItem> {
    let Some(item) = list(conn, None, None)?.into_iter().find(|i| i.id == id) else {
        bail!("there is no calendar item {id}; see them with: turnout calendar list");
    };
    conn.execute("DELETE FROM plan_item WHERE id = ?1", params![id])?;
    Ok(item)
}

/// Items dated in `[begin, end)` (either open), by day and time.
pub fn list(
    conn: &Connection,
    begin: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Result<Vec<PlanItem>> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.campaign_id, c.slug, p.day, p.time, p.channel, p.audience, p.title, p.goal, p.owner, p.source_key
         FROM plan_item p LEFT JOIN campaign c ON c.id = p.campaign_id
         WHERE (?1 IS NULL OR p.day >= ?1) AND (?2 IS NULL OR p.day < ?2)
         ORDER BY p.day, p.time IS NOT NULL, p.time, p.id",
    )?;
    let items = stmt
        .query_map(
            params![begin.map(|d| d.to_string()), end.map(|d| d.to_string())],
            |row| {
                let day: String = row.get(3)?;
                let time: Option<String> = row.get(4)?;
                Ok(PlanItem {
                    id: row.get(0)?,
                    campaign_id: row.get(1)?,
                    campaign: row.get(2)?,
                    day: campaigns::parse_stored_date(Some(day)).unwrap_or_default(),
                    time: time.and_then(|t| NaiveTime::parse_from_str(&t, "%H:%M").ok()),
                    channel: row.get(5)?,
                    audience: row.get(6)?,
                    title: row.get(7)?,
                    goal: row.get(8)?,
                    owner: row.get(9)?,
                    source_key: row.get(10)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(items)
}

/// Maps an audience name a tool exports to the organization's own.
pub fn map_audience(conn: &Connection, exported: &str, audience: &str) -> Result<Option<String>> {
    let (exported, audience) = (exported.trim(), audience.trim());
    if exported.is_empty() || audience.is_empty() {
        bail!("give both names: turnout audience map \"Eastside Tenants Union\" members");
    }
    let previous: Option<String> = conn
        .query_row(
            "SELECT audience FROM audience_map WHERE exported = ?1",
            params![exported],
            |row| row.get(0),
        )
        .optional()?;
    conn.execute(
        "INSERT INTO audience_map (exported, audience) VALUES (?1, ?2)
         ON CONFLICT (exported) DO UPDATE SET audience = excluded.audience",
        params![exported, audience],
    )?;
    Ok(previous)
}

pub fn audience_maps(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare("SELECT exported, audience FROM audience_map ORDER BY audience, exported")?;
    let rows = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// An effort that went out, as the calendar sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub effort_id: i64,
    pub external_id: String,
    pub campaign_id: Option<i64>,
    pub channel: String,
    pub title: Option<String>,
    /// The organization's audience name (mapped), or the exported name, or "(unknown)".
    pub audience: String,
    pub day: NaiveDate,
    pub time: Option<NaiveTime>,
}

/// Efforts that went out in `[begin, end)`: at their send time, else their first touch, else
/// their first dated number.
pub fn sent(conn: &Connection, tz: Tz, begin: NaiveDate, end: NaiveDate) -> Result<Vec<Sent>> {
    let mut stmt = conn.prepare(
        "SELECT e.id, e.external_id, e.campaign_id, e.channel, e.title, coalesce(m.audience, e.audience),
                coalesce(e.sent_at,
                         (SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', min(at), 'unixepoch')
                          FROM touch WHERE effort_id = e.id)),
                (SELECT min(period_start) FROM metric_value WHERE effort_id = e.id)
         FROM effort e LEFT JOIN audience_map m ON m.exported = e.audience",
    )?;
    let mut out = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let at: Option<String> = row.get(6)?;
        let first_day: Option<String> = row.get(7)?;
        let (day, time) = match at
            .as_deref()
            .and_then(|a| DateTime::parse_from_rfc3339(a).ok())
        {
            Some(instant) => {
                let local = instant.with_timezone(&tz);
                (local.date_naive(), Some(local.time()))
            }
            None => match campaigns::parse_stored_date(first_day) {
                Some(day) => (day, None),
                None => continue,
            },
        };
        if day < begin || day >= end {
            continue;
        }
        out.push(Sent {
            effort_id: row.get(0)?,
            external_id: row.get(1)?,
            campaign_id: row.get(2)?,
            channel: row.get(3)?,
            title: row.get(4)?,
            audience: row
                .get::<_, Option<String>>(5)?
                .unwrap_or_else(|| "(unknown)".to_string()),
            day,
            time,
        });
    }
    out.sort_by_key(|s| (s.day, s.time, s.effort_id));
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Still to come.
    Planned,
    /// Planned and sent.
    Sent,
    /// Its day passed and nothing matching went out.
    Missed,
    /// Sent, but never planned.
    SentUnplanned,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Sent => "sent",
            Status::Missed => "missed",
            Status::SentUnplanned => "sent-unplanned",
        }
    }
}

/// Planned items with the sends they matched, and the sends no item claimed.
pub struct Matching {
    pub items: Vec<(PlanItem, Option<Sent>, Status)>,
    pub unplanned: Vec<Sent>,
}

/// How far from its planned day a send still counts as that item.
const TOLERANCE_DAYS: i64 = 1;

/// Minutes between a planned and an actual time (a missing time counts as midday).
fn distance(item: &PlanItem, sent: &Sent) -> i64 {
    let noon = NaiveTime::from_hms_opt(12, 0, 0).expect("noon");
    let planned = item.day.and_time(item.time.unwrap_or(noon));
    let actual = sent.day.and_time(sent.time.unwrap_or(noon));
    (planned - actual).num_minutes().abs()
}

pub fn matching(items: Vec<PlanItem>, sends: Vec<Sent>, today: NaiveDate) -> Matching {
    let mut taken = vec![false; sends.len()];
    let mut out = Vec::new();
    for item in items {
        let best = sends
            .iter()
            .enumerate()
            .filter(|(i, s)| {
                !taken[*i]
                    && s.channel == item.channel
                    && (item.campaign_id.is_none() || s.campaign_id == item.campaign_id)
                    && (s.day - item.day).num_days().abs() <= TOLERANCE_DAYS
            })
            .min_by(|(_, a), (_, b)| {
                let similarity = |s: &Sent| {
                    strsim::jaro_winkler(
                        &item.title.to_lowercase(),
                        &s.title.clone().unwrap_or_default().to_lowercase(),
                    )
                };
                distance(&item, a)
                    .cmp(&distance(&item, b))
                    .then(similarity(b).total_cmp(&similarity(a)))
            })
            .map(|(i, _)| i);
        let matched = best.map(|i| {
            taken[i] = true;
            sends[i].clone()
        });
        let status = match (&matched, item.day < today) {
            (Some(_), _) => Status::Sent,
            (None, true) => Status::Missed,
            (None, false) => Status::Planned,
        };
        out.push((item, matched, status));
    }
    // An effort known only from per-person activity (no title: a granular opens file named by its
    // file) on the day and channel of a send already matched is that send seen through another
    // export, not a second send.
    for (i, send) in sends.iter().enumerate() {
        if !taken[i]
            && send.title.is_none()
            && out.iter().any(|(item, matched, _)| {
                matched
                    .as_ref()
                    .is_some_and(|m| m.day == send.day && m.channel == send.channel)
                    && (item.campaign_id.is_none() || item.campaign_id == send.campaign_id)
            })
        {
            taken[i] = true;
        }
    }
    let unplanned = sends
        .into_iter()
        .zip(taken)
        .filter(|(_, t)| !t)
        .map(|(s, _)| s)
        .collect();
    Matching {
        items: out,
        unplanned,
    }
}

/// Sends a plan should have covered: inside the plan's days, on the channels it plans, for the
/// campaigns it plans (a plan for email says nothing about unplanned posts).
pub fn unplanned_in_scope<'a>(items: &[PlanItem], unplanned: &'a [Sent]) -> Vec<&'a Sent> {
    let (Some(first), Some(last)) = (
        items.iter().map(|i| i.day).min(),
        items.iter().map(|i| i.day).max(),
    ) else {
        return Vec::new();
    };
    unplanned
        .iter()
        .filter(|s| {
            s.day >= first
                && s.day <= last
                && items.iter().any(|i| {
                    i.channel == s.channel
                        && (i.campaign_id.is_none() || i.campaign_id == s.campaign_id)
                })
        })
        .collect()
}
