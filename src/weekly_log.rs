//! Numbers logged by hand, a week at a time (`turnout log`).
//!
//! Logging the same campaign, week, channel and metric again is a correction: the new value
//! replaces the old one in the totals, and the old one stays in the history with who-replaced-what,
//! so a number typed twice is never counted twice.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use crate::campaigns;
use crate::dates::{parse_date, week_label, week_start};
use crate::metrics::Vocabulary;
use crate::store::now_utc;
use crate::values::parse_value_in;

pub struct LogRequest {
    pub campaign: String,
    pub week: NaiveDate,
    pub channel: Option<&'static str>,
    /// `metric=value` pairs as typed.
    pub assignments: Vec<String>,
    pub note: Option<String>,
    /// `--includes-imports`: each number is its week's whole total, so reports count it instead
    /// of the imported rows of the same campaign, week and metric.
    pub includes_imports: bool,
}

#[derive(Debug, Clone)]
pub struct LoggedValue {
    pub metric: String,
    pub value: f64,
    /// The value this entry replaced, if the week already had one.
    pub previous: Option<f64>,
    /// What imports hold for the same campaign, week and metric: replaced by this number in
    /// reports with `--includes-imports`, added to it without.
    pub imported: f64,
}

pub struct LogOutcome {
    pub campaign: String,
    pub week: NaiveDate,
    pub values: Vec<LoggedValue>,
}

/// Splits `calls=120` into a known metric and a checked value, written as the organization's
/// locale writes numbers (`doors=1.000` is a thousand under de-DE, and refused without one).
fn parse_assignment(
    vocabulary: &Vocabulary,
    locale: Option<&crate::locale::Locale>,
    text: &str,
) -> Result<(String, f64)> {
    let Some((name, value)) = text.split_once('=') else {
        bail!("'{text}' is not a number to log; write METRIC=VALUE, e.g. calls=120");
    };
    let metric = vocabulary.resolve(name)?;
    let value = parse_value_in(value, metric.unit, locale)
        .map_err(|e| anyhow::anyhow!("{}: {e}", metric.name))?;
    Ok((metric.name.clone(), value))
}

pub fn log(conn: &Connection, request: LogRequest, today: NaiveDate) -> Result<LogOutcome> {
    let campaign = campaigns::get(conn, &request.campaign)?;
    let week = week_start(request.week);
    if week > today {
        bail!(
            "{} has not started yet (today is {today}); log numbers for a week once it has begun",
            week_label(week)
        );
    }
    if week < parse_date("2000-01-03")? {
        bail!("{} is too long ago to be a campaign week", week_label(week));
    }
    let vocabulary = Vocabulary::load(conn)?;
    let locale = crate::store::settings::locale(conn)?;
    let mut parsed: Vec<(String, f64)> = Vec::new();
    for text in &request.assignments {
        let (metric, value) = parse_assignment(&vocabulary, locale.as_ref(), text)?;
        if parsed.iter().any(|(m, _)| *m == metric) {
            bail!("{metric} is given twice; log each metric once per command");
        }
        parsed.push((metric, value));
    }
    if parsed.is_empty() {
        bail!("nothing to log; give at least one METRIC=VALUE, e.g. calls=120");
    }

    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO log_entry (campaign_id, week_start, channel, note, entered_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            campaign.id,
            week.to_string(),
            request.channel,
            request.note.as_deref().map(str::trim).filter(|n| !n.is_empty()),
            now_utc()
        ],
    )?;
    let entry_id = tx.last_insert_rowid();
    let mut values = Vec::new();
    for (metric, value) in parsed {
        let existing: Option<(i64, f64)> = tx
            .query_row(
                "SELECT id, value FROM metric_value
                 WHERE origin = 'log' AND ifnull(campaign_id, 0) = ?1 AND ifnull(effort_id, 0) = 0
                   AND ifnull(channel, '') = ?2 AND metric = ?3 AND grain = 'week'
                   AND period_start = ?4 AND ifnull(source_code, '') = ''",
                params![
                    campaign.id,
                    request.channel.unwrap_or(""),
                    metric,
                    week.to_string()
                ],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let whole = request.includes_imports;
        match existing {
            Some((id, _)) => {
                tx.execute(
                    "UPDATE metric_value SET value = ?1, log_entry_id = ?2, includes_imports = ?3 WHERE id = ?4",
                    params![value, entry_id, whole, id],
                )?;
            }
            None => {
                tx.execute(
                    "INSERT INTO metric_value (origin, campaign_id, channel, metric, grain, period_start, value,
                                               log_entry_id, includes_imports)
                     VALUES ('log', ?1, ?2, ?3, 'week', ?4, ?5, ?6, ?7)",
                    params![campaign.id, request.channel, metric, week.to_string(), value, entry_id, whole],
                )?;
            }
        }
        let previous = existing.map(|(_, v)| v);
        tx.execute(
            "INSERT INTO log_value (log_entry_id, metric, value, previous_value, includes_imports)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![entry_id, metric, value, previous, whole],
        )?;
        let imported = imported_in_week(&tx, campaign.id, week, &metric)?;
        values.push(LoggedValue {
            metric,
            value,
            previous,
            imported,
        });
    }
    tx.commit()?;
    Ok(LogOutcome {
        campaign: campaign.slug,
        week,
        values,
    })
}

/// What imports hold for a campaign's metric in the week starting `week` (whether or not a
/// logged whole total replaces them in reports).
pub fn imported_in_week(
    conn: &Connection,
    campaign_id: i64,
    week: NaiveDate,
    metric: &str,
) -> Result<f64> {
    Ok(conn.query_row(
        "SELECT ifnull(sum(value), 0) FROM fact_as_stored
         WHERE origin = 'import' AND campaign_id = ?1 AND metric = ?2
           AND period_start >= ?3 AND period_start < date(?3, '+7 days')",
        params![campaign_id, metric, week.to_string()],
        |row| row.get(0),
    )?)
}

/// One logged number, as `turnout log --history` shows it.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub campaign: String,
    pub week: NaiveDate,
    pub channel: Option<String>,
    pub metric: String,
    pub value: f64,
    pub previous: Option<f64>,
    /// Whether this entry's value is the one the totals use now.
    pub current: bool,
    pub entered_at: String,
    pub note: Option<String>,
}

pub fn history(
    conn: &Connection,
    campaign_id: Option<i64>,
    week: Option<NaiveDate>,
) -> Result<Vec<HistoryRow>> {
    let mut stmt = conn.prepare(
        "SELECT c.slug, le.week_start, le.channel, lv.metric, lv.value, lv.previous_value,
                EXISTS (SELECT 1 FROM metric_value mv
                        WHERE mv.log_entry_id = le.id AND mv.metric = lv.metric AND mv.origin = 'log'),
                le.entered_at, le.note
         FROM log_value lv
         JOIN log_entry le ON le.id = lv.log_entry_id
         JOIN campaign c ON c.id = le.campaign_id
         WHERE (?1 IS NULL OR le.campaign_id = ?1) AND (?2 IS NULL OR le.week_start = ?2)
         ORDER BY c.slug, le.week_start, lv.metric, le.id",
    )?;
    let rows = stmt
        .query_map(
            params![campaign_id, week.map(|w| week_start(w).to_string())],
            |row| {
                let week: String = row.get(1)?;
                Ok(HistoryRow {
                    campaign: row.get(0)?,
                    week: campaigns::parse_stored_date(Some(week)).unwrap_or_default(),
                    channel: row.get(2)?,
                    metric: row.get(3)?,
                    value: row.get(4)?,
                    previous: row.get(5)?,
                    current: row.get(6)?,
                    entered_at: row.get(7)?,
                    note: row.get(8)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
