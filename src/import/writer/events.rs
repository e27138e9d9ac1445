//! Writing events: the timeslots people RSVP to and attend.

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};

use super::actions::ActionDays;
use crate::import::model::{Applied, EventRecord};

/// (id, start, title, campaign id) of a stored event.
type StoredEvent = (i64, Option<String>, Option<String>, Option<i64>);

/// Writes one event (a timeslot), and moves attendance recorded before its start was known
/// to its day.
pub fn write(conn: &Connection, days: &mut ActionDays, record: &EventRecord) -> Result<Applied> {
    let starts_at = record.starts_at.map(|t| t.to_rfc3339());
    let starts_local = record.starts_local.map(|d| d.to_string());
    let found: Option<StoredEvent> = conn
        .prepare_cached("SELECT id, starts_at, title, campaign_id FROM event WHERE platform = ?1 AND external_id = ?2")?
        .query_row(params![record.platform, record.external_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    let (id, applied) = match found {
        None => {
            conn
                .prepare_cached(
                    "INSERT INTO event (campaign_id, platform, external_id, title, starts_at, starts_local)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![record.campaign_id, record.platform, record.external_id, record.title, starts_at, starts_local])?;
            (conn.last_insert_rowid(), Applied::Inserted)
        }
        Some((id, old_start, old_title, old_campaign)) => {
            let title = record.title.clone().or(old_title.clone());
            let campaign = record.campaign_id.or(old_campaign);
            let same = old_start == starts_at && old_title == title && old_campaign == campaign;
            conn
                .prepare_cached(
                    "UPDATE event SET starts_at = ?1, starts_local = ?2, title = ?3, campaign_id = ?4 WHERE id = ?5",
                )?
                .execute(params![starts_at, starts_local, title, campaign, id])?;
            (
                id,
                if same {
                    Applied::Unchanged
                } else {
                    Applied::Updated
                },
            )
        }
    };
    // Attendance recorded before its timeslot was known moves to the timeslot's day.
    if let (Some(at), Some(day)) = (&starts_at, &starts_local) {
        // The sums of the days these actions move from and to change.
        let moved: Vec<(i64, String)> = conn
            .prepare_cached(
                "SELECT DISTINCT ifnull(campaign_id, 0), local_date FROM action
                 WHERE event_id = ?1 AND metric IN ('attended', 'no_shows') AND at <> ?2",
            )?
            .query_map(params![id, at], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (campaign_id, old_day) in moved {
            days.insert((campaign_id, old_day));
            days.insert((campaign_id, day.clone()));
        }
        conn.prepare_cached(
            "UPDATE action SET at = ?1, local_date = ?2
                 WHERE event_id = ?3 AND metric IN ('attended', 'no_shows') AND at <> ?1",
        )?
        .execute(params![at, day, id])?;
    }
    Ok(applied)
}
