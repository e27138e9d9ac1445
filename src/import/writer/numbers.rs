//! Writing numbers (a metric's value for a day or week, a send, a channel, a source): each
//! classified as inserted, updated or unchanged by the identity of what it measures.
//!
//! A value's identity is (campaign, effort, channel, metric, day or week, source). The row that
//! last wrote or confirmed a value is remembered (import id and line), which is also how a row
//! that repeats an earlier row of the *same* file is caught without holding the file in memory.

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::spans::{self, SnapshotTally};
use crate::dates::DayRange;
use crate::import::model::{Applied, Grain, MetricRecord, RowIssue, Span};

/// (id, value, import id, import line, campaign id) of a stored number.
type StoredValue = (i64, f64, Option<i64>, Option<i64>, Option<i64>);

/// The conflicts kept for `turnout check`, at most.
const MAX_CONFLICTS: usize = 20;
/// Values closer than this are the same number (exports print floats with varying digits).
pub const SAME_VALUE: f64 = 1e-9;

/// The first and last day an import's period totals cover.
#[derive(Debug, Default, Clone, Copy)]
pub struct PeriodsSeen {
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

/// What one import's numbers did beyond their rows.
pub struct Numbers {
    import_id: i64,
    profile: String,
    /// Numbers another kind of export gave differently.
    pub conflicts: Vec<String>,
    /// What this import's snapshots did, for its summary.
    pub snapshots: SnapshotTally,
    /// The days this import's period totals cover, first to last.
    pub periods: PeriodsSeen,
}

impl Numbers {
    pub fn new(import_id: i64, profile: &str) -> Numbers {
        Numbers {
            import_id,
            profile: profile.to_string(),
            conflicts: Vec::new(),
            snapshots: SnapshotTally::default(),
            periods: PeriodsSeen::default(),
        }
    }

    /// Writes one number of an effort (or none) through a channel (or none).
    pub fn write(
        &mut self,
        conn: &Connection,
        record: &MetricRecord,
        effort_id: Option<i64>,
        channel: Option<String>,
        line: u64,
    ) -> Result<Result<Applied, RowIssue>> {
        // The last day a period total covers, when that is beyond its own day or week.
        let period_end = match record.span {
            Span::Own => None,
            Span::Snapshot => {
                return spans::apply_snapshot(
                    conn,
                    self.import_id,
                    line,
                    record,
                    &mut self.snapshots,
                );
            }
            Span::Period { last } => match self.period(conn, record, channel.as_deref(), last)? {
                Ok(end) => end,
                Err(other) => {
                    let range = DayRange {
                        first: record.date,
                        last,
                    };
                    return Ok(Err(spans::overlap_issue(line, record, range, other)));
                }
            },
        };
        let number = NewNumber {
            record,
            effort_id,
            channel,
            date: record.date.to_string(),
            period_end,
            line,
        };
        let Some(found) = stored(
            conn,
            record,
            effort_id,
            number.channel.as_deref(),
            &number.date,
        )?
        else {
            self.insert(conn, &number)?;
            return Ok(Ok(Applied::Inserted));
        };
        self.update(conn, &number, found)
    }

    /// Adds a number not stored before.
    fn insert(&self, conn: &Connection, number: &NewNumber) -> Result<()> {
        let record = number.record;
        conn.prepare_cached(
            "INSERT INTO metric_value (origin, campaign_id, effort_id, channel, metric, grain,
                                           period_start, source_code, detail, value, import_id, import_line,
                                           period_end)
                 VALUES ('import', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?11, ?8, ?9, ?10, ?12)",
        )?
        .execute(params![
            record.campaign_id,
            number.effort_id,
            number.channel,
            record.metric,
            record.grain.as_str(),
            number.date,
            record.source_code,
            record.value,
            self.import_id,
            number.line as i64,
            record.detail,
            number.period_end
        ])?;
        Ok(())
    }

    /// Writes a number over the stored one it is: a repeat of an earlier row of this file is
    /// refused; otherwise it is unchanged, or updated (a new value, or now linked to its
    /// campaign), and a value another kind of export gave differently is kept as a conflict.
    fn update(
        &mut self,
        conn: &Connection,
        number: &NewNumber,
        found: Found,
    ) -> Result<Result<Applied, RowIssue>> {
        let record = number.record;
        let Found {
            id,
            value: old_value,
            import: old_import,
            line: old_line,
            relink,
        } = found;
        if old_import == Some(self.import_id) {
            return Ok(Err(repeat(number.line, old_line.unwrap_or(0))));
        }
        let differs = (old_value - record.value).abs() >= SAME_VALUE;
        if differs && let Some(old_import) = old_import {
            self.note_conflict(conn, record, old_import, old_value, &number.date)?;
        }
        if relink {
            conn.prepare_cached("UPDATE metric_value SET campaign_id = ?1 WHERE id = ?2")?
                .execute(params![record.campaign_id, id])?;
        }
        // An unchanged value is still marked as confirmed by this import and line: that is the
        // provenance users see, and what catches a repeat later in the same file.
        conn.prepare_cached(
            "UPDATE metric_value SET value = ?1, import_id = ?2, import_line = ?3,
                    period_end = ifnull(?5, period_end) WHERE id = ?4",
        )?
        .execute(params![
            record.value,
            self.import_id,
            number.line as i64,
            id,
            number.period_end
        ])?;
        Ok(Ok(if !differs && !relink {
            Applied::Unchanged
        } else {
            Applied::Updated
        }))
    }

    /// A period total: the last day it covers when beyond its own day or week, or the stored
    /// period it overlaps (refused).
    fn period(
        &mut self,
        conn: &Connection,
        record: &MetricRecord,
        channel: Option<&str>,
        last: NaiveDate,
    ) -> Result<Result<Option<String>, (DayRange, f64, i64)>> {
        let range = DayRange {
            first: record.date,
            last,
        };
        if let Some(other) = spans::overlapping_period(conn, record, channel, range)? {
            return Ok(Err(other));
        }
        let own_last = match record.grain {
            Grain::Day => record.date,
            Grain::Week => record.date + chrono::Duration::days(6),
        };
        self.periods.first = self
            .periods
            .first
            .min(Some(record.date))
            .or(Some(record.date));
        self.periods.last = self.periods.last.max(Some(last));
        Ok(Ok((last > own_last).then(|| last.to_string())))
    }

    /// Keeps, for `turnout check`, a number of an effort that another kind of export gave
    /// differently.
    fn note_conflict(
        &mut self,
        conn: &Connection,
        record: &MetricRecord,
        old_import: i64,
        old_value: f64,
        date: &str,
    ) -> Result<()> {
        let Some(effort) = &record.effort else {
            return Ok(());
        };
        if self.conflicts.len() >= MAX_CONFLICTS {
            return Ok(());
        }
        let old_profile: Option<String> = conn
            .prepare_cached("SELECT profile FROM import WHERE id = ?1")?
            .query_row(params![old_import], |row| row.get(0))
            .optional()?;
        if let Some(old_profile) = old_profile.filter(|p| *p != self.profile) {
            self.conflicts.push(format!(
                "{} of {} {} on {}: {old_profile} said {}, {} says {}",
                record.metric,
                effort.platform,
                effort.external_id,
                date,
                crate::output::plain_number(old_value),
                self.profile,
                crate::output::plain_number(record.value)
            ));
        }
        Ok(())
    }
}

/// One number as a row writes it.
struct NewNumber<'a> {
    record: &'a MetricRecord,
    effort_id: Option<i64>,
    channel: Option<String>,
    /// The record's day (or week's first day), as text.
    date: String,
    /// The last day a period total covers, when that is beyond its own day or week.
    period_end: Option<String>,
    line: u64,
}

/// A stored number a row's number is.
struct Found {
    id: i64,
    value: f64,
    /// The import and line that last wrote or confirmed it.
    import: Option<i64>,
    line: Option<i64>,
    /// Whether to link it to the row's campaign now.
    relink: bool,
}

/// The stored number this one is, if any.
fn stored(
    conn: &Connection,
    record: &MetricRecord,
    effort_id: Option<i64>,
    channel: Option<&str>,
    date: &str,
) -> Result<Option<Found>> {
    // The same number, whether or not it was linked to a campaign before: a file imported
    // again after its campaign claimed a code (or with --campaign) links the rows it had
    // left unlinked, instead of counting them a second time.
    let candidates: Vec<StoredValue> = conn
        .prepare_cached(
            "SELECT id, value, import_id, import_line, campaign_id FROM metric_value
             WHERE origin = 'import' AND ifnull(effort_id, 0) = ?1 AND metric = ?2
               AND period_start = ?3 AND grain = ?4 AND ifnull(channel, '') = ?5
               AND ifnull(source_code, '') = ?6 AND ifnull(detail, '') = ?7",
        )?
        .query_map(
            params![
                effort_id.unwrap_or(0),
                record.metric,
                date,
                record.grain.as_str(),
                channel.unwrap_or(""),
                record.source_code.as_deref().unwrap_or(""),
                record.detail.as_deref().unwrap_or("")
            ],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    let exact = candidates
        .iter()
        .find(|c| c.4.unwrap_or(0) == record.campaign_id.unwrap_or(0));
    // Without an exact match, a single number under another linking is this one: left
    // unlinked before and linked now, or linked before and imported now without a campaign.
    // A number linked to another campaign is another number.
    let other = match candidates.as_slice() {
        [one] if one.4.is_none() || record.campaign_id.is_none() => Some(one),
        _ => None,
    };
    Ok(exact.or(other).map(|c| Found {
        id: c.0,
        value: c.1,
        import: c.2,
        line: c.3,
        relink: c.4.is_none() && record.campaign_id.is_some(),
    }))
}

fn repeat(line: u64, old_line: i64) -> RowIssue {
    RowIssue {
        line,
        column_number: None,
        column_name: None,
        expected: Some(
            "one row per date, campaign, channel, effort, metric and source".to_string(),
        ),
        found: Some(format!("a repeat of line {old_line}")),
        reason: format!(
            "this row repeats line {old_line} (same date, campaign, channel, effort, metric and source), so it would count twice; \
             keep one of them, or tell them apart with the source column"
        ),
    }
}
