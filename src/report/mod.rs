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
pub mod totals;

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, params};

/// Sum and row count of one metric for one campaign over `[begin, end)`.
pub fn sum_metric(
    conn: &Connection,
    campaign_id: i64,
    metric: &str,
    begin: NaiveDate,
    end: NaiveDate,
) -> Result<(f64, i64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT ifnull(sum(value), 0), count(*) FROM fact
         WHERE campaign_id = ?1 AND metric = ?2 AND period_start >= ?3 AND period_start < ?4",
    )?;
    Ok(stmt.query_row(
        params![campaign_id, metric, begin.to_string(), end.to_string()],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?)
}
