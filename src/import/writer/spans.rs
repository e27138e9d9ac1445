//! Writing numbers that cover more than their day: a counter's snapshots (cumulative totals) and
//! period totals.
//!
//! A counter is what one row of a snapshot counts (its campaign, channel, metric, source code and
//! detail, e.g. a call target). Every snapshot read is kept in `snapshot_value`; the counter's
//! numbers in `metric_value` are the increases between the snapshots applied, each dated on the
//! newer snapshot's day, the first one being everything counted up to its day (`since_start`).
//! So two weekly downloads give each week its own calls, and the counter's total is the newest
//! snapshot's. A snapshot older than the counter's newest is recorded and changes nothing.
//!
//! A period total replaces the same source's total for the same period, adds to other periods,
//! and is refused when it overlaps a different period of the same source (counting both would
//! count the overlap twice).

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use crate::dates::DayRange;
use crate::import::model::{Applied, MetricRecord, RowIssue};
use crate::output::plain_number;

/// Values closer than this are the same number.
const SAME_VALUE: f64 = 1e-9;

/// What one import's snapshots did, for its summary.
#[derive(Debug, Default)]
pub struct SnapshotTally {
    /// Rows older than their counter's newest snapshot: recorded, counted nowhere.
    pub older: u64,
    /// The newest snapshot day those rows gave way to.
    pub newer_day: Option<NaiveDate>,
    /// Counters whose snapshot this import moved to a campaign they had not been linked to.
    pub relinked: u64,
}

impl SnapshotTally {
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.older > 0 {
            notes.push(format!(
                "{} row(s) are older than the snapshot already imported (as of {}): recorded, and they change nothing",
                self.older,
                self.newer_day.map(|d| d.to_string()).unwrap_or_default()
            ));
        }
        notes
    }
}

/// One applied snapshot of a counter.
struct Point {
    id: i64,
    as_of: NaiveDate,
    value: f64,
    import_id: i64,
    import_line: i64,
    campaign_id: Option<i64>,
}

/// The counter's snapshots, newest first, for this record's campaign or (when the record names a
/// campaign) left unlinked.
fn applied_points(conn: &Connection, record: &MetricRecord) -> Result<Vec<Point>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, as_of, value, import_id, import_line, campaign_id FROM snapshot_value
         WHERE applied = 1 AND metric = ?1 AND ifnull(campaign_id, 0) IN (?2, 0)
           AND ifnull(channel, '') = ?3 AND ifnull(source_code, '') = ?4 AND ifnull(detail, '') = ?5
         ORDER BY as_of DESC, id DESC",
    )?;
    let rows = stmt.query_map(
        params![
            record.metric,
            record.campaign_id.unwrap_or(0),
            record.channel.unwrap_or(""),
            record.source_code.as_deref().unwrap_or(""),
            record.detail.as_deref().unwrap_or("")
        ],
        |row| {
            Ok(Point {
                id: row.get(0)?,
                as_of: row.get::<_, String>(1)?.parse().unwrap_or_default(),
                value: row.get(2)?,
                import_id: row.get(3)?,
                import_line: row.get(4)?,
                campaign_id: row.get(5)?,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Moves an unlinked counter's snapshots and numbers to the record's campaign: the same counter,
/// imported again once its campaign is known, is not a second copy.
fn relink(conn: &Connection, record: &MetricRecord) -> Result<()> {
    let counter = params![
        record.campaign_id,
        record.metric,
        record.channel.unwrap_or(""),
        record.source_code.as_deref().unwrap_or(""),
        record.detail.as_deref().unwrap_or("")
    ];
    conn.prepare_cached(
        "UPDATE metric_value SET campaign_id = ?1
         WHERE origin = 'import' AND campaign_id IS NULL AND effort_id IS NULL AND metric = ?2
           AND ifnull(channel, '') = ?3 AND ifnull(source_code, '') = ?4 AND ifnull(detail, '') = ?5
           AND period_start IN (SELECT as_of FROM snapshot_value
                                WHERE applied = 1 AND campaign_id IS NULL AND metric = ?2
                                  AND ifnull(channel, '') = ?3 AND ifnull(source_code, '') = ?4
                                  AND ifnull(detail, '') = ?5)",
    )?
    .execute(counter)?;
    conn.prepare_cached(
        "UPDATE snapshot_value SET campaign_id = ?1
         WHERE campaign_id IS NULL AND metric = ?2 AND ifnull(channel, '') = ?3
           AND ifnull(source_code, '') = ?4 AND ifnull(detail, '') = ?5",
    )?
    .execute(counter)?;
    Ok(())
}

fn record_point(
    conn: &Connection,
    import_id: i64,
    line: u64,
    record: &MetricRecord,
    applied: bool,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO snapshot_value (import_id, import_line, campaign_id, channel, metric, source_code,
                                     detail, as_of, value, applied)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        import_id,
        line as i64,
        record.campaign_id,
        record.channel,
        record.metric,
        record.source_code,
        record.detail,
        record.date.to_string(),
        record.value,
        applied as i64
    ])?;
    Ok(())
}

/// Writes the counter's number for a snapshot dated `record.date`: its increase since the
/// counter's previous snapshot (or, for its first, everything counted up to then).
fn write_increase(
    conn: &Connection,
    import_id: i64,
    line: u64,
    record: &MetricRecord,
    increase: f64,
    since_start: bool,
) -> Result<()> {
    let date = record.date.to_string();
    let updated = conn
        .prepare_cached(
            "UPDATE metric_value SET value = ?1, since_start = ?2, import_id = ?3, import_line = ?4
             WHERE origin = 'import' AND ifnull(campaign_id, 0) = ?5 AND effort_id IS NULL
               AND metric = ?6 AND grain = 'day' AND period_start = ?7 AND ifnull(channel, '') = ?8
               AND ifnull(source_code, '') = ?9 AND ifnull(detail, '') = ?10",
        )?
        .execute(params![
            increase,
            since_start as i64,
            import_id,
            line as i64,
            record.campaign_id.unwrap_or(0),
            record.metric,
            date,
            record.channel.unwrap_or(""),
            record.source_code.as_deref().unwrap_or(""),
            record.detail.as_deref().unwrap_or("")
        ])?;
    if updated == 0 {
        conn.prepare_cached(
            "INSERT INTO metric_value (origin, campaign_id, channel, metric, grain, period_start,
                                       source_code, detail, value, import_id, import_line, since_start)
             VALUES ('import', ?1, ?2, ?3, 'day', ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            record.campaign_id,
            record.channel,
            record.metric,
            date,
            record.source_code,
            record.detail,
            increase,
            import_id,
            line as i64,
            since_start as i64
        ])?;
    }
    Ok(())
}

fn what(record: &MetricRecord) -> String {
    match &record.detail {
        Some(detail) => format!("{} for {detail}", record.metric),
        None => record.metric.clone(),
    }
}

/// Applies one counter's snapshot (see the module's comment).
pub fn apply_snapshot(
    conn: &Connection,
    import_id: i64,
    line: u64,
    record: &MetricRecord,
    tally: &mut SnapshotTally,
) -> Result<Result<Applied, RowIssue>> {
    let mut points = applied_points(conn, record)?;
    // The record's own campaign first; an unlinked counter is this one when nothing is linked.
    if points.iter().any(|p| p.campaign_id == record.campaign_id) {
        points.retain(|p| p.campaign_id == record.campaign_id);
    } else if record.campaign_id.is_some() && !points.is_empty() {
        relink(conn, record)?;
        tally.relinked += 1;
    }
    let Some(latest) = points.first() else {
        write_increase(conn, import_id, line, record, record.value, true)?;
        record_point(conn, import_id, line, record, true)?;
        return Ok(Ok(Applied::Inserted));
    };
    if latest.import_id == import_id {
        return Ok(Err(RowIssue {
            line,
            column_number: None,
            column_name: None,
            expected: Some("one row per counter (campaign, metric and detail)".to_string()),
            found: Some(format!("a repeat of line {}", latest.import_line)),
            reason: format!(
                "this row counts {} again (line {} did), so it would count twice; keep one of them",
                what(record),
                latest.import_line
            ),
        }));
    }
    if record.date < latest.as_of {
        record_point(conn, import_id, line, record, false)?;
        tally.older += 1;
        tally.newer_day = tally.newer_day.max(Some(latest.as_of));
        return Ok(Ok(Applied::Unchanged));
    }
    // The same day again is a corrected download of that day: it replaces it.
    let previous = if record.date == latest.as_of {
        points.get(1)
    } else {
        Some(latest)
    };
    if let Some(previous) = previous
        && record.value + SAME_VALUE < previous.value
    {
        return Ok(Err(falls(line, record, previous)));
    }
    let increase = record.value - previous.map_or(0.0, |p| p.value);
    let applied = if record.date == latest.as_of {
        let same = (latest.value - record.value).abs() < SAME_VALUE;
        conn.prepare_cached("UPDATE snapshot_value SET applied = 0 WHERE id = ?1")?
            .execute(params![latest.id])?;
        if same {
            Applied::Unchanged
        } else {
            Applied::Updated
        }
    } else {
        Applied::Inserted
    };
    write_increase(conn, import_id, line, record, increase, previous.is_none())?;
    record_point(conn, import_id, line, record, true)?;
    Ok(Ok(applied))
}

/// A total since the start cannot fall: the row could be a download for a chosen range, or the
/// earlier one could be wrong. Both readings, and the fix for each.
fn falls(line: u64, record: &MetricRecord, previous: &Point) -> RowIssue {
    RowIssue {
        line,
        column_number: None,
        column_name: None,
        expected: Some(format!(
            "at least {} (the snapshot as of {})",
            plain_number(previous.value),
            previous.as_of
        )),
        found: Some(plain_number(record.value)),
        reason: format!(
            "{} is {} as of {}, below {} as of {} (import {}): a total since the start cannot fall. If this download covers a chosen range, import it with --period or --begin/--end; if the earlier one was wrong, see turnout imports {}",
            what(record),
            plain_number(record.value),
            record.date,
            plain_number(previous.value),
            previous.as_of,
            previous.import_id,
            previous.import_id
        ),
    }
}

/// A stored period total of the same source that overlaps `range` without being it: (its range,
/// its value, the import that wrote it).
pub fn overlapping_period(
    conn: &Connection,
    record: &MetricRecord,
    channel: Option<&str>,
    range: DayRange,
) -> Result<Option<(DayRange, f64, i64)>> {
    let found: Option<(String, String, f64, i64)> = conn
        .prepare_cached(
            "SELECT mv.period_start,
                    ifnull(mv.period_end, CASE mv.grain WHEN 'week' THEN date(mv.period_start, '+6 days')
                                                        ELSE mv.period_start END) AS last,
                    mv.value, mv.import_id
             FROM metric_value mv JOIN import i ON i.id = mv.import_id
             WHERE mv.origin = 'import' AND mv.effort_id IS NULL AND mv.metric = ?1
               AND ifnull(mv.campaign_id, 0) = ?2 AND ifnull(mv.channel, '') = ?3
               AND ifnull(mv.source_code, '') = ?4 AND ifnull(mv.detail, '') = ?5
               AND mv.period_start <= ?7 AND last >= ?6
               -- Before schema 7 a period total was dated on its first day alone: that is
               -- the same period when it starts on the same day.
               AND NOT (i.shape IS NULL AND mv.period_start = ?6)
               AND NOT (mv.period_start = ?6 AND last = ?7)
             LIMIT 1",
        )?
        .query_row(
            params![
                record.metric,
                record.campaign_id.unwrap_or(0),
                channel.unwrap_or(""),
                record.source_code.as_deref().unwrap_or(""),
                record.detail.as_deref().unwrap_or(""),
                range.first.to_string(),
                range.last.to_string()
            ],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    Ok(found.and_then(|(first, last, value, import)| {
        Some((
            DayRange {
                first: first.parse().ok()?,
                last: last.parse().ok()?,
            },
            value,
            import,
        ))
    }))
}

/// Why a period total that overlaps another of the same source is refused.
pub fn overlap_issue(
    line: u64,
    record: &MetricRecord,
    range: DayRange,
    other: (DayRange, f64, i64),
) -> RowIssue {
    let (other_range, other_value, other_import) = other;
    let source = record
        .source_code
        .as_deref()
        .map(|s| format!(" for '{s}'"))
        .unwrap_or_default();
    RowIssue {
        line,
        column_number: None,
        column_name: None,
        expected: Some("a period that is already imported, or one that overlaps none".to_string()),
        found: Some(range.describe()),
        reason: format!(
            "{}{source} over {} overlaps the {} over {} (import {other_import}): counting both would count the days they share twice. Import periods that do not overlap (one file per week or month), or the same period again to replace it",
            record.metric,
            range.describe(),
            plain_number(other_value),
            other_range.describe()
        ),
    }
}
