//! The publishing calendar: what is planned to go out when, on which channel and to which
//! audience, next to what was actually sent (efforts imported from real exports). Items are
//! matched to sends by channel and campaign, nearest time within a day, title similarity to break
//! ties; the rest is planned (still to come), missed (its day passed with no send) or a send that
//! was never planned.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, params};

use crate::campaigns;
use crate::channels;
use crate::metrics::{Family, Vocabulary};
use crate::store::now_utc;

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

/// An ICS (RFC 5545) calendar of the items: UTC times (so no zone definitions are needed),
/// stable UIDs so importing it again updates events instead of duplicating them, escaped text,
/// and lines folded at 75 octets.
pub fn ics(items: &[PlanItem], tz: Tz, stamp: DateTime<chrono::Utc>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//turnout//publishing calendar//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-TIMEZONE:{}", tz.name()),
    ];
    for item in items {
        let uid = match &item.source_key {
            Some(key) => format!("plan-{}@turnout", &key[..key.len().min(32)]),
            None => format!("plan-{}@turnout", item.id),
        };
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{uid}"));
        lines.push(format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%SZ")));
        match item.time {
            Some(time) => {
                let local = item.day.and_time(time);
                let start = tz
                    .from_local_datetime(&local)
                    .earliest()
                    .map(|t| t.to_utc())
                    .unwrap_or_else(|| chrono::Utc.from_utc_datetime(&local));
                lines.push(format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ")));
                lines.push(format!(
                    "DTEND:{}",
                    (start + Duration::minutes(30)).format("%Y%m%dT%H%M%SZ")
                ));
            }
            None => {
                lines.push(format!("DTSTART;VALUE=DATE:{}", item.day.format("%Y%m%d")));
                lines.push(format!(
                    "DTEND;VALUE=DATE:{}",
                    (item.day + Duration::days(1)).format("%Y%m%d")
                ));
            }
        }
        lines.push(format!(
            "SUMMARY:{}",
            escape(&format!("[{}] {}", item.channel, item.title))
        ));
        let mut description = format!("Channel: {}\nAudience: {}", item.channel, item.audience);
        if let Some(campaign) = &item.campaign {
            description.push_str(&format!("\nCampaign: {campaign}"));
        }
        if let Some(goal) = &item.goal {
            description.push_str(&format!("\nGoal: {goal}"));
        }
        if let Some(owner) = &item.owner {
            description.push_str(&format!("\nOwner: {owner}"));
        }
        lines.push(format!("DESCRIPTION:{}", escape(&description)));
        lines.push(format!("CATEGORIES:{}", escape(&item.channel)));
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect::<Vec<_>>().join("")
}

/// TEXT escaping (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets, never inside a UTF-8 character, with CRLF endings.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ics_text_is_escaped_and_folded() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let long = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded}");
        assert_eq!(folded.replace("\r\n ", ""), format!("{long}\r\n"));
    }
}
