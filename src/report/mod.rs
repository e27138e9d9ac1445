//! Reports: numbers read back out of the store. Each report returns plain data; front ends turn
//! it into a table, CSV, JSON or Markdown through `output`.

pub mod brief;
pub mod brief_html;
pub mod campaign;
pub mod digest;
pub mod funnel;
pub mod lift;
pub mod methods;
pub mod periods;
pub mod progress;
pub mod quality;
pub mod rates;
pub mod sections;
pub mod totals;

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, params};

/// Which of a campaign's numbers a sum counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Every number dated in the range.
    All,
    /// Only numbers that belong to one week: not a snapshot's total since the start, nor a
    /// total over several weeks (for paces and week-by-week comparisons).
    WeekByWeek,
}

/// Sum and row count of one metric for one campaign over `[begin, end)`.
pub fn sum_metric(
    conn: &Connection,
    campaign_id: i64,
    metric: &str,
    (begin, end): (NaiveDate, NaiveDate),
    counted: Counted,
) -> Result<(f64, i64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT ifnull(sum(value), 0), count(*) FROM fact
         WHERE campaign_id = ?1 AND metric = ?2 AND period_start >= ?3 AND period_start < ?4
           AND (?5 OR in_one_week)",
    )?;
    Ok(stmt.query_row(
        params![
            campaign_id,
            metric,
            begin.to_string(),
            end.to_string(),
            counted == Counted::All
        ],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?)
}

/// The last day before `end` on which a snapshot's total since the start of this campaign's
/// metric sits: a pace can only be measured from the day after it.
pub fn last_total_since_start(
    conn: &Connection,
    campaign_id: i64,
    metric: &str,
    end: NaiveDate,
) -> Result<Option<NaiveDate>> {
    let day: Option<String> = conn
        .prepare_cached(
            "SELECT max(period_start) FROM fact
             WHERE campaign_id = ?1 AND metric = ?2 AND since_start = 1 AND period_start < ?3",
        )?
        .query_row(params![campaign_id, metric, end.to_string()], |row| {
            row.get(0)
        })?;
    Ok(day.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}
