//! Writing one file's records inside its transaction, and classifying each row as inserted,
//! updated or unchanged by the identity of what it measures.
//!
//! A value's identity is (campaign, effort, channel, metric, day or week, source). The row that
//! last wrote or confirmed a value is remembered (import id and line), which is also how a row
//! that repeats an earlier row of the *same* file is caught without holding the file in memory.

use std::collections::HashMap;

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::cells::Grain;
use super::{Record, RowIssue};

/// An effort as a row names it: the platform's namespace and the platform's id for it.
#[derive(Debug, Clone)]
pub struct EffortKey {
    pub platform: &'static str,
    pub external_id: String,
    /// The 1-based column the id came from, for error messages.
    pub column: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct MetricRecord {
    pub campaign_id: Option<i64>,
    pub effort: Option<EffortKey>,
    pub channel: Option<&'static str>,
    pub metric: String,
    pub grain: Grain,
    pub date: NaiveDate,
    pub source_code: Option<String>,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Inserted,
    Updated,
    Unchanged,
}

#[derive(Debug, Clone)]
struct KnownEffort {
    id: i64,
    campaign_id: Option<i64>,
    channel: String,
}

pub struct Writer<'c> {
    conn: &'c Connection,
    import_id: i64,
    /// Efforts seen in this file; there are few efforts per file, however many rows.
    efforts: HashMap<(&'static str, String), KnownEffort>,
}

/// Values closer than this are the same number (exports print floats with varying digits).
const SAME_VALUE: f64 = 1e-9;

impl<'c> Writer<'c> {
    pub fn new(conn: &'c Connection, import_id: i64) -> Writer<'c> {
        Writer {
            conn,
            import_id,
            efforts: HashMap::new(),
        }
    }

    /// Writes all records of one row, or none of them: the outer error is a database failure
    /// (the whole import stops), the inner one a reason to reject this row.
    pub fn apply_row(
        &mut self,
        records: &[Record],
        line: u64,
    ) -> Result<Result<Applied, RowIssue>> {
        if records.len() == 1 {
            return self.apply(&records[0], line);
        }
        self.conn.execute_batch("SAVEPOINT row")?;
        let mut outcome = Applied::Unchanged;
        for record in records {
            match self.apply(record, line)? {
                Ok(applied) => outcome = strongest(outcome, applied),
                Err(issue) => {
                    self.conn.execute_batch("ROLLBACK TO row; RELEASE row")?;
                    // Efforts created by the rolled-back part of the row are gone again.
                    self.efforts.clear();
                    return Ok(Err(issue));
                }
            }
        }
        self.conn.execute_batch("RELEASE row")?;
        Ok(Ok(outcome))
    }

    fn apply(&mut self, record: &Record, line: u64) -> Result<Result<Applied, RowIssue>> {
        match record {
            Record::Metric(metric) => self.apply_metric(metric, line),
        }
    }

    fn apply_metric(
        &mut self,
        record: &MetricRecord,
        line: u64,
    ) -> Result<Result<Applied, RowIssue>> {
        let (effort_id, channel) = match &record.effort {
            Some(key) => match self.effort(key, record, line)? {
                Ok(effort) => (Some(effort.id), Some(effort.channel)),
                Err(issue) => return Ok(Err(issue)),
            },
            None => (None, record.channel.map(str::to_string)),
        };
        let date = record.date.to_string();
        let existing: Option<(i64, f64, Option<i64>, Option<i64>)> = self
            .conn
            .prepare_cached(
                "SELECT id, value, import_id, import_line FROM metric_value
                 WHERE origin = 'import' AND ifnull(campaign_id, 0) = ?1 AND ifnull(effort_id, 0) = ?2
                   AND ifnull(channel, '') = ?3 AND metric = ?4 AND grain = ?5 AND period_start = ?6
                   AND ifnull(source_code, '') = ?7",
            )?
            .query_row(
                params![
                    record.campaign_id.unwrap_or(0),
                    effort_id.unwrap_or(0),
                    channel.as_deref().unwrap_or(""),
                    record.metric,
                    record.grain.as_str(),
                    date,
                    record.source_code.as_deref().unwrap_or("")
                ],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;

        let Some((id, old_value, old_import, old_line)) = existing else {
            self.conn
                .prepare_cached(
                    "INSERT INTO metric_value (origin, campaign_id, effort_id, channel, metric, grain,
                                               period_start, source_code, value, import_id, import_line)
                     VALUES ('import', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![
                    record.campaign_id,
                    effort_id,
                    channel,
                    record.metric,
                    record.grain.as_str(),
                    date,
                    record.source_code,
                    record.value,
                    self.import_id,
                    line as i64
                ])?;
            return Ok(Ok(Applied::Inserted));
        };

        if old_import == Some(self.import_id) {
            return Ok(Err(RowIssue {
                line,
                column_number: None,
                column_name: None,
                expected: Some(
                    "one row per date, campaign, channel, effort, metric and source".to_string(),
                ),
                found: Some(format!("a repeat of line {}", old_line.unwrap_or(0))),
                reason: format!(
                    "this row repeats line {} (same date, campaign, channel, effort, metric and source), so it would count twice; \
                     keep one of them, or tell them apart with the source column",
                    old_line.unwrap_or(0)
                ),
            }));
        }
        let applied = if (old_value - record.value).abs() < SAME_VALUE {
            Applied::Unchanged
        } else {
            Applied::Updated
        };
        // An unchanged value is still marked as confirmed by this import and line: that is the
        // provenance users see, and what catches a repeat later in the same file.
        self.conn
            .prepare_cached(
                "UPDATE metric_value SET value = ?1, import_id = ?2, import_line = ?3 WHERE id = ?4",
            )?
            .execute(params![record.value, self.import_id, line as i64, id])?;
        Ok(Ok(applied))
    }

    /// Finds or creates the effort a row names, checking it agrees with what is known of it.
    fn effort(
        &mut self,
        key: &EffortKey,
        record: &MetricRecord,
        line: u64,
    ) -> Result<Result<KnownEffort, RowIssue>> {
        let cache_key = (key.platform, key.external_id.clone());
        let known = match self.efforts.get(&cache_key) {
            Some(known) => Some(known.clone()),
            None => self
                .conn
                .prepare_cached(
                    "SELECT id, campaign_id, channel FROM effort WHERE platform = ?1 AND external_id = ?2",
                )?
                .query_row(params![key.platform, key.external_id], |row| {
                    Ok(KnownEffort {
                        id: row.get(0)?,
                        campaign_id: row.get(1)?,
                        channel: row.get(2)?,
                    })
                })
                .optional()?,
        };
        let reject = |expected: String, found: String, reason: String| RowIssue {
            line,
            column_number: key.column,
            column_name: Some("effort".to_string()),
            expected: Some(expected),
            found: Some(found),
            reason,
        };
        let effort = match known {
            Some(mut effort) => {
                if let Some(channel) = record.channel
                    && channel != effort.channel
                {
                    return Ok(Err(reject(
                        format!("channel {}", effort.channel),
                        format!("channel {channel}"),
                        format!(
                            "the effort '{}' was recorded on the {} channel, but this row says {channel}; one effort goes out on one channel",
                            key.external_id, effort.channel
                        ),
                    )));
                }
                match (effort.campaign_id, record.campaign_id) {
                    (Some(owner), Some(row_campaign)) if owner != row_campaign => {
                        return Ok(Err(reject(
                            "the effort's own campaign".to_string(),
                            "another campaign".to_string(),
                            format!(
                                "the effort '{}' belongs to another campaign ({}); one effort serves one campaign. Give this one its own effort id",
                                key.external_id,
                                self.campaign_slug(owner)?
                            ),
                        )));
                    }
                    (None, Some(row_campaign)) => {
                        // An effort first seen without a campaign is linked once a row names one.
                        self.conn
                            .prepare_cached("UPDATE effort SET campaign_id = ?1 WHERE id = ?2")?
                            .execute(params![row_campaign, effort.id])?;
                        effort.campaign_id = Some(row_campaign);
                    }
                    _ => {}
                }
                effort
            }
            None => {
                let Some(channel) = record.channel else {
                    return Ok(Err(reject(
                        "a channel for a new effort".to_string(),
                        "a blank channel".to_string(),
                        format!(
                            "the effort '{}' is new and this row gives no channel; fill the channel column (email, sms, social...)",
                            key.external_id
                        ),
                    )));
                };
                self.conn
                    .prepare_cached(
                        "INSERT INTO effort (campaign_id, channel, platform, external_id) VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![record.campaign_id, channel, key.platform, key.external_id])?;
                KnownEffort {
                    id: self.conn.last_insert_rowid(),
                    campaign_id: record.campaign_id,
                    channel: channel.to_string(),
                }
            }
        };
        self.efforts.insert(cache_key, effort.clone());
        Ok(Ok(effort))
    }

    fn campaign_slug(&self, id: i64) -> Result<String> {
        Ok(self.conn.query_row(
            "SELECT slug FROM campaign WHERE id = ?1",
            params![id],
            |row| row.get(0),
        )?)
    }

    pub fn record_issue(&self, issue: &RowIssue, outcome: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO import_issue (import_id, line, outcome, column_number, column_name, expected, found, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                self.import_id,
                issue.line as i64,
                outcome,
                issue.column_number.map(|n| n as i64),
                issue.column_name,
                issue.expected,
                issue.found,
                issue.reason
            ])?;
        Ok(())
    }
}

/// Inserted beats updated beats unchanged, for a row made of several records.
fn strongest(a: Applied, b: Applied) -> Applied {
    use Applied::*;
    match (a, b) {
        (Inserted, _) | (_, Inserted) => Inserted,
        (Updated, _) | (_, Updated) => Updated,
        _ => Unchanged,
    }
}
