//! Writing the publishing plan: what goes out when, on which channel, for which goal.

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};

use crate::import::model::{Applied, PlanRecord, RowIssue};

/// Writes one item of a publishing plan, as new, changed or unchanged by its identity.
pub fn write(
    conn: &Connection,
    import_id: i64,
    record: &PlanRecord,
    line: u64,
) -> Result<Result<Applied, RowIssue>> {
    type StoredPlan = (
        i64,
        Option<i64>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<i64>,
    );
    let existing: Option<StoredPlan> = conn
        .prepare_cached(
            "SELECT id, campaign_id, day, time, goal, owner, import_id, import_line FROM plan_item WHERE source_key = ?1",
        )?
        .query_row(params![record.source_key], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?))
        })
        .optional()?;
    let day = record.day.to_string();
    match existing {
        None => {
            conn
                .prepare_cached(
                    "INSERT INTO plan_item (campaign_id, day, time, channel, audience, title, goal, owner, source_key,
                                            import_id, import_line, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    record.campaign_id,
                    day,
                    record.time,
                    record.channel,
                    record.audience,
                    record.title,
                    record.goal,
                    record.owner,
                    record.source_key,
                    import_id,
                    line as i64,
                    crate::store::now_utc()
                ])?;
            Ok(Ok(Applied::Inserted))
        }
        Some((.., Some(import), Some(first_line))) if import == import_id => {
            Ok(Err(RowIssue::repeat_of(line, first_line)))
        }
        Some((id, campaign, old_day, time, goal, owner, _, _)) => {
            let same = campaign == record.campaign_id
                && old_day == day
                && time == record.time
                && goal == record.goal
                && owner == record.owner;
            conn.prepare_cached(
                "UPDATE plan_item SET campaign_id = ?1, day = ?2, time = ?3, goal = ?4, owner = ?5,
                                          import_id = ?6, import_line = ?7 WHERE id = ?8",
            )?
            .execute(params![
                record.campaign_id,
                day,
                record.time,
                record.goal,
                record.owner,
                import_id,
                line as i64,
                id
            ])?;
            Ok(Ok(if same {
                Applied::Unchanged
            } else {
                Applied::Updated
            }))
        }
    }
}
