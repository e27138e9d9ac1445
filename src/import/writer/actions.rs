//! Writing actions (an RSVP, a donation, a call, a sign-up: one person doing one thing): each
//! found by its identity in the export, so re-importing a file never counts it twice.

use std::collections::BTreeSet;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::numbers::SAME_VALUE;
use crate::import::model::{ActionRecord, Applied, RowIssue};

/// (campaign id or 0, day) whose action sums an import changed.
pub type ActionDays = BTreeSet<(i64, String)>;
/// When an event starts: the instant, and the day in the organization's zone.
type EventStart = Option<(DateTime<Utc>, NaiveDate)>;

/// Writes one action of a person (or no one), as new, changed or unchanged by its identity
/// (`source_key`).
pub fn write(
    conn: &Connection,
    import_id: i64,
    days: &mut ActionDays,
    record: &ActionRecord,
    person: Option<i64>,
    line: u64,
) -> Result<Result<Applied, RowIssue>> {
    if let Some(legacy) = &record.legacy_source_key {
        rekey_legacy(conn, legacy, &record.source_key)?;
    }
    let placed = place(conn, record)?;
    days.insert((
        record.campaign_id.unwrap_or(0),
        placed.local_date.to_string(),
    ));
    let action = NewAction {
        record,
        person,
        at: placed.at.to_rfc3339(),
        local_date: placed.local_date,
        event_id: placed.event_id,
        import_id,
        line,
    };
    match stored(conn, &record.source_key)? {
        None => {
            insert(conn, &action)?;
            Ok(Ok(Applied::Inserted))
        }
        Some(StoredAction {
            import_id: Some(import),
            import_line: Some(first_line),
            ..
        }) if import == import_id => Ok(Err(RowIssue::repeat_of(line, first_line))),
        Some(old) => Ok(Ok(update(conn, days, &action, &old)?)),
    }
}

/// When and at which event an action happened.
struct Placed {
    at: DateTime<Utc>,
    local_date: NaiveDate,
    event_id: Option<i64>,
}

/// The action's event (created bare if unknown) and its time: the event's start when the
/// record asks for it and the start is known, else the record's own.
fn place(conn: &Connection, record: &ActionRecord) -> Result<Placed> {
    let mut at = record.at;
    let mut local_date = record.local_date;
    let event_id = match &record.event {
        Some((platform, external_id)) => {
            let (id, starts) = event_for_action(conn, platform, external_id, record.campaign_id)?;
            if record.at_event_start
                && let Some((starts_at, starts_local)) = starts
            {
                at = starts_at;
                local_date = starts_local;
            }
            Some(id)
        }
        None => None,
    };
    Ok(Placed {
        at,
        local_date,
        event_id,
    })
}

/// One action as this row writes it.
struct NewAction<'a> {
    record: &'a ActionRecord,
    person: Option<i64>,
    /// The instant, as RFC 3339 text.
    at: String,
    local_date: NaiveDate,
    event_id: Option<i64>,
    import_id: i64,
    line: u64,
}

/// An action as stored, found by its identity.
struct StoredAction {
    id: i64,
    campaign_id: Option<i64>,
    person_id: Option<i64>,
    at: String,
    amount: f64,
    source_code: Option<String>,
    event_id: Option<i64>,
    /// The import and line that last wrote it.
    import_id: Option<i64>,
    import_line: Option<i64>,
}

/// The stored action with this identity, if any.
fn stored(conn: &Connection, source_key: &str) -> Result<Option<StoredAction>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, campaign_id, person_id, at, amount, source_code, event_id, import_id, import_line
             FROM action WHERE source_key = ?1",
        )?
        .query_row(params![source_key], |row| {
            Ok(StoredAction {
                id: row.get(0)?,
                campaign_id: row.get(1)?,
                person_id: row.get(2)?,
                at: row.get(3)?,
                amount: row.get(4)?,
                source_code: row.get(5)?,
                event_id: row.get(6)?,
                import_id: row.get(7)?,
                import_line: row.get(8)?,
            })
        })
        .optional()?)
}

/// Adds an action not stored before.
fn insert(conn: &Connection, action: &NewAction) -> Result<()> {
    let record = action.record;
    conn
        .prepare_cached(
            "INSERT INTO action (campaign_id, person_id, metric, at, local_date, amount, channel, source_code,
                                         event_id, source_key, import_id, import_line)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            record.campaign_id,
            action.person,
            record.metric,
            action.at,
            action.local_date.to_string(),
            record.amount,
            record.channel,
            record.source_code,
            action.event_id,
            record.source_key,
            action.import_id,
            action.line as i64
        ])?;
    Ok(())
}

/// Writes an action over its stored self (an earlier import's): unchanged when it says the
/// same, else updated; the day it was counted on before changes its sum too.
fn update(
    conn: &Connection,
    days: &mut ActionDays,
    action: &NewAction,
    old: &StoredAction,
) -> Result<Applied> {
    let record = action.record;
    let old_day: Option<String> = conn
        .prepare_cached("SELECT local_date FROM action WHERE id = ?1")?
        .query_row(params![old.id], |row| row.get(0))
        .optional()?;
    if let Some(old_day) = old_day {
        days.insert((old.campaign_id.unwrap_or(0), old_day));
    }
    let same = old.campaign_id == record.campaign_id
        && old.person_id == action.person
        && old.at == action.at
        && (old.amount - record.amount).abs() < SAME_VALUE
        && old.source_code == record.source_code
        && old.event_id == action.event_id;
    conn
        .prepare_cached(
            "UPDATE action SET campaign_id = ?1, person_id = ?2, at = ?3, local_date = ?4, amount = ?5,
                                       source_code = ?6, event_id = ?7, import_id = ?8, import_line = ?9 WHERE id = ?10",
        )?
        .execute(params![
            record.campaign_id,
            action.person,
            action.at,
            action.local_date.to_string(),
            record.amount,
            record.source_code,
            action.event_id,
            action.import_id,
            action.line as i64,
            old.id
        ])?;
    Ok(if same {
        Applied::Unchanged
    } else {
        Applied::Updated
    })
}

/// The event an action names, created bare if its own export has not been imported yet.
fn event_for_action(
    conn: &Connection,
    platform: &str,
    external_id: &str,
    campaign_id: Option<i64>,
) -> Result<(i64, EventStart)> {
    let found: Option<(i64, Option<String>, Option<String>)> = conn
        .prepare_cached("SELECT id, starts_at, starts_local FROM event WHERE platform = ?1 AND external_id = ?2")?
        .query_row(params![platform, external_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    if let Some((id, starts_at, starts_local)) = found {
        let starts = starts_at
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .zip(starts_local.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
            .map(|(t, d)| (t.to_utc(), d));
        return Ok((id, starts));
    }
    conn.prepare_cached(
        "INSERT INTO event (campaign_id, platform, external_id) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![campaign_id, platform, external_id])?;
    Ok((conn.last_insert_rowid(), None))
}

/// Gives a row imported before schema version 3 its current identity, so importing its file
/// again finds it instead of adding it twice. (Version 3 changed how people enter a row's
/// identity; the old identity cannot be recomputed without the export, so rows are re-keyed
/// as their files come back.) When both identities are stored, the newer row stays.
fn rekey_legacy(conn: &Connection, legacy: &str, current: &str) -> Result<()> {
    conn.prepare_cached("UPDATE OR IGNORE action SET source_key = ?2 WHERE source_key = ?1")?
        .execute(params![legacy, current])?;
    Ok(())
}
