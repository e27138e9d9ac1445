//! The summary tables reports read instead of every row: touches counted per send, kind and day
//! (`touch_fact`), actions summed per campaign, day, metric, channel and code (`action_fact`),
//! and which tools gave their own aggregates for which campaigns (`aggregate_presence`). Imports
//! bring them up to date for what they changed; so does `turnout forget`.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use rusqlite::{Connection, params};

use super::touch_kinds::{self, CLICKED, OPENED};

/// Counts of one send's touches: (kind code, day) → touches, and (kind, day) → people whose
/// first touch of that kind fell on that day (opens and clicks only).
#[derive(Debug, Default)]
pub struct EffortCounts {
    pub per_day: BTreeMap<(i64, NaiveDate), u64>,
    pub first_days: BTreeMap<(i64, NaiveDate), u64>,
}

impl EffortCounts {
    /// Writes these counts as the send's rows of `touch_fact`, replacing what it had.
    pub fn write(&self, conn: &Connection, effort_id: i64) -> Result<()> {
        conn.prepare_cached("DELETE FROM touch_fact WHERE effort_id = ?1")?
            .execute(params![effort_id])?;
        let mut insert = conn.prepare_cached(
            "INSERT INTO touch_fact (effort_id, metric, period_start, value) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (&(kind, day), &count) in &self.per_day {
            if let Some(metric) = touch_kinds::metric(kind) {
                insert.execute(params![effort_id, metric, day.to_string(), count as f64])?;
            }
        }
        for (&(kind, day), &count) in &self.first_days {
            let metric = if kind == OPENED {
                "unique_opens"
            } else {
                "unique_clicks"
            };
            insert.execute(params![effort_id, metric, day.to_string(), count as f64])?;
        }
        Ok(())
    }
}

/// The local day of moments read in time order, converting only when a day ends: a send's
/// million opens span a few dozen days.
struct Days {
    zone: Tz,
    /// [start, end) in seconds, and its day.
    current: Option<(i64, i64, NaiveDate)>,
}

impl Days {
    fn new(zone: Tz) -> Days {
        Days {
            zone,
            current: None,
        }
    }

    fn of(&mut self, at: i64) -> NaiveDate {
        if let Some((start, end, day)) = self.current
            && at >= start
            && at < end
        {
            return day;
        }
        let Some(instant) = DateTime::from_timestamp(at, 0) else {
            return NaiveDate::default();
        };
        let day = instant.with_timezone(&self.zone).date_naive();
        let bound = |d: NaiveDate| {
            self.zone
                .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
                .earliest()
                .map(|t| t.timestamp())
        };
        match (bound(day), bound(day + Duration::days(1))) {
            (Some(start), Some(end)) if start <= at && at < end => {
                self.current = Some((start, end, day));
            }
            _ => self.current = None,
        }
        day
    }
}

/// Counts one send's stored touches.
pub fn count_effort(conn: &Connection, zone: Tz, effort_id: i64) -> Result<EffortCounts> {
    let mut counts = EffortCounts::default();
    let mut firsts: HashMap<(i64, i64), NaiveDate> = HashMap::new();
    let mut days = Days::new(zone);
    let mut stmt =
        conn.prepare_cached("SELECT at, person_id, kind FROM touch WHERE effort_id = ?1")?;
    let mut rows = stmt.query(params![effort_id])?;
    while let Some(row) = rows.next()? {
        let (at, person, kind): (i64, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let day = days.of(at);
        *counts.per_day.entry((kind, day)).or_default() += 1;
        if kind == OPENED || kind == CLICKED {
            // Rows come in time order: a person's first is the first one seen.
            firsts.entry((kind, person)).or_insert(day);
        }
    }
    for ((kind, _), day) in firsts {
        *counts.first_days.entry((kind, day)).or_default() += 1;
    }
    Ok(counts)
}

/// Rebuilds the summaries of `efforts` (their touch counts), of the (campaign or 0, day) pairs
/// in `days` (their action sums), and, when `presence`, which tools gave aggregates.
pub fn rebuild(
    conn: &Connection,
    zone: Tz,
    efforts: impl IntoIterator<Item = i64>,
    days: impl IntoIterator<Item = (i64, String)>,
    presence: bool,
) -> Result<()> {
    let mut presence = presence;
    for effort_id in efforts {
        count_effort(conn, zone, effort_id)?.write(conn, effort_id)?;
        presence = true;
    }
    for (campaign_id, day) in days {
        conn.prepare_cached(
            "DELETE FROM action_fact WHERE ifnull(campaign_id, 0) = ?1 AND period_start = ?2",
        )?
        .execute(params![campaign_id, day])?;
        conn.prepare_cached(
            "INSERT INTO action_fact (campaign_id, period_start, metric, channel, source_code, value)
             SELECT campaign_id, local_date, metric, channel, source_code, sum(amount) FROM action
             WHERE ifnull(campaign_id, 0) = ?1 AND local_date = ?2
             GROUP BY metric, channel, source_code",
        )?
        .execute(params![campaign_id, day])?;
    }
    if presence {
        conn.execute_batch(
            "DELETE FROM aggregate_presence;
             INSERT INTO aggregate_presence (platform, campaign_id, metric)
             SELECT DISTINCT e.platform, ifnull(mv.campaign_id, 0), mv.metric
             FROM metric_value mv JOIN effort e ON e.id = mv.effort_id
             WHERE mv.origin = 'import';",
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_falls_on_its_local_day_across_midnight_and_clock_changes() {
        let zone: Tz = "America/Los_Angeles".parse().unwrap();
        let mut days = Days::new(zone);
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().timestamp();
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        // 23:59 and 00:00 Pacific; then Sunday 2026-11-01, when clocks go back an hour.
        assert_eq!(days.of(at("2026-10-31T06:59:00Z")), day("2026-10-30"));
        assert_eq!(days.of(at("2026-10-31T07:00:00Z")), day("2026-10-31"));
        assert_eq!(days.of(at("2026-11-01T06:59:59Z")), day("2026-10-31"));
        assert_eq!(days.of(at("2026-11-02T07:59:59Z")), day("2026-11-01"));
        assert_eq!(days.of(at("2026-11-02T08:00:00Z")), day("2026-11-02"));
        // Back in time: converted again.
        assert_eq!(days.of(at("2026-10-31T06:59:00Z")), day("2026-10-30"));
    }
}
