//! Checks of the numbers themselves: numbers no campaign counts, snapshot totals piled on one
//! day, hand-logged weeks that add to imported ones.

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, params};

use super::Warning;
use crate::dates::week_label;
use crate::metrics::Vocabulary;
use crate::output::plain_number;
use crate::weekly_log::imported_in_week;

/// The profiles (or, for touches, platforms) whose rows of `metric` reached no campaign.
fn unlinked_sources(conn: &Connection, metric: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.profile FROM metric_value mv JOIN import i ON i.id = mv.import_id
         WHERE mv.campaign_id IS NULL AND mv.metric = ?1
         UNION SELECT i.profile FROM action a JOIN import i ON i.id = a.import_id
         WHERE a.campaign_id IS NULL
           AND (a.metric = ?1 OR (?1 = 'donation_amount' AND a.metric = 'donations'))
         UNION SELECT e.platform FROM touch_fact tf JOIN effort e ON e.id = tf.effort_id
         WHERE e.campaign_id IS NULL AND tf.metric = ?1
         ORDER BY 1",
    )?;
    Ok(stmt
        .query_map(params![metric], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Numbers that reached no campaign, per metric with its count, one warning per source: no
/// campaign's report counts them. Traffic an analytics tool files under `(direct)` and the like
/// has no campaign code by nature and is left out.
pub fn in_no_campaign(conn: &Connection, warnings: &mut Vec<Warning>) -> Result<()> {
    let vocabulary = Vocabulary::load(conn)?;
    let mut stmt = conn.prepare(
        "SELECT metric, sum(value), sum(source_code IS NOT NULL) FROM fact
         WHERE campaign_id IS NULL AND ifnull(source_code, '') NOT LIKE '(%)'
         GROUP BY metric",
    )?;
    let mut rows: Vec<(String, f64, i64)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    rows.sort_by_key(|(metric, _, _)| vocabulary.order(metric));
    // (sources, [metric counts], any coded), in the order sources first appear.
    let mut by_source: Vec<(String, Vec<String>, bool)> = Vec::new();
    for (metric, value, coded) in rows {
        if value == 0.0 {
            continue;
        }
        let sources = unlinked_sources(conn, &metric)?.join(", ");
        let count = format!("{} {metric}", plain_number(value));
        match by_source.iter_mut().find(|(s, _, _)| *s == sources) {
            Some((_, counts, any_coded)) => {
                counts.push(count);
                *any_coded |= coded > 0;
            }
            None => by_source.push((sources, vec![count], coded > 0)),
        }
    }
    for (sources, counts, coded) in by_source {
        warnings.push(Warning {
            check: "numbers in no campaign",
            subject: if sources.is_empty() {
                "numbers from no file".to_string()
            } else {
                sources
            },
            detail: format!(
                "{} reached no campaign, so no campaign's report counts them",
                counts.join(", ")
            ),
            fix: if coded {
                "claim their codes (the unmatched code warnings name them) or import the files again with --campaign SLUG; ignore them if they belong to no campaign".to_string()
            } else {
                "import the files again with --campaign SLUG (they carry no code to link them by); ignore them if they belong to no campaign".to_string()
            },
        });
    }
    Ok(())
}

/// A snapshot's first total counts everything since the start but sits on its day: when the
/// campaign ran before that day, its earlier weeks cannot be told apart.
pub fn snapshot_totals_on_one_day(conn: &Connection, warnings: &mut Vec<Warning>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT c.slug, mv.metric, mv.period_start, sum(mv.value), min(i.id), i.profile
         FROM metric_value mv
         JOIN campaign c ON c.id = mv.campaign_id
         JOIN import i ON i.id = mv.import_id
         WHERE mv.since_start = 1 AND mv.value > 0
           AND (c.start_date < mv.period_start
                OR EXISTS (SELECT 1 FROM fact o WHERE o.campaign_id = mv.campaign_id
                                                  AND o.period_start < mv.period_start))
         GROUP BY 1, 2, 3 ORDER BY 1, 3, 2",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, f64>(3)?,
            row.get::<_, i64>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;
    for row in rows {
        let (campaign, metric, day, value, import, profile) = row?;
        warnings.push(Warning {
            check: "snapshot total on one day",
            subject: format!("{campaign} {metric} as of {day}"),
            detail: format!(
                "{} {metric} from a {profile} snapshot (import {import}) count everything since the start but sit on {day}, and {campaign} ran before then: the weeks before cannot be told apart, so week-by-week numbers and paces leave them out (totals count them)",
                plain_number(value)
            ),
            fix: "import earlier downloads with --as-of the day each was downloaded, if you have them; from now on import each week's download (turnout import FILE --as-of DATE), and each week gets its own".to_string(),
        });
    }
    Ok(())
}

/// Where a logged number would be read as a week's whole total, which imported rows of the
/// same campaign, week and metric it adds to.
fn imported_sources(
    conn: &Connection,
    campaign_id: i64,
    week: NaiveDate,
    metric: &str,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.profile FROM metric_value mv JOIN import i ON i.id = mv.import_id
         WHERE mv.origin = 'import' AND mv.campaign_id = ?1 AND mv.metric = ?2
           AND mv.period_start >= ?3 AND mv.period_start < date(?3, '+7 days')
         UNION SELECT i.profile FROM action a JOIN import i ON i.id = a.import_id
         WHERE a.campaign_id = ?1 AND a.metric = ?2
           AND a.local_date >= ?3 AND a.local_date < date(?3, '+7 days')
         ORDER BY 1",
    )?;
    Ok(stmt
        .query_map(params![campaign_id, metric, week.to_string()], |row| {
            row.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// A number logged by hand for a week that imports also count: reports add the two. Right when
/// the logged number is only what the imports miss; twice counted when it is the week's whole
/// total, which `--includes-imports` says.
pub fn logged_beside_imported(conn: &Connection, warnings: &mut Vec<Warning>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.slug, mv.period_start, mv.channel, mv.metric, mv.value
         FROM metric_value mv JOIN campaign c ON c.id = mv.campaign_id
         WHERE mv.origin = 'log' AND mv.includes_imports = 0
         ORDER BY c.slug, mv.period_start, mv.metric, ifnull(mv.channel, '')",
    )?;
    let logged: Vec<(i64, String, String, Option<String>, String, f64)> = stmt
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (campaign_id, slug, week, channel, metric, value) in logged {
        let Ok(week) = week.parse::<NaiveDate>() else {
            continue;
        };
        let imported = imported_in_week(conn, campaign_id, week, &metric)?;
        if imported == 0.0 {
            continue;
        }
        let sources = imported_sources(conn, campaign_id, week, &metric)?;
        let label = week_label(week);
        let channel_flag = channel
            .as_deref()
            .map(|c| format!(" --channel {c}"))
            .unwrap_or_default();
        warnings.push(Warning {
            check: "logged beside imported",
            subject: format!("{slug} {label} {metric}"),
            detail: format!(
                "logged {} by hand{}, and imports ({}) hold {} for the same week: reports add them, {}",
                plain_number(value),
                channel.map(|c| format!(" ({c})")).unwrap_or_default(),
                if sources.is_empty() { "touches".to_string() } else { sources.join(", ") },
                plain_number(imported),
                plain_number(value + imported)
            ),
            fix: format!(
                "if {} is the week's whole total, log it again as such: turnout log {slug} --week {label}{channel_flag} {metric}={} --includes-imports; if it counts only what the imports miss, nothing to do",
                plain_number(value),
                plain_number(value)
            ),
        });
    }
    Ok(())
}
