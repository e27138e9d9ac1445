//! `turnout check`: data-quality warnings to fix before a meeting, each with the rows or files
//! concerned and how to fix it. Warnings never stop anything; `--strict` makes them fail scripts.

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, Timelike};
use chrono_tz::Tz;
use rusqlite::{Connection, params};

mod imports;
mod numbers;

use super::progress::{self, Verdict};
use crate::campaigns;
use crate::dates::{Period, week_label, week_start};
use crate::goals;

#[derive(Debug, Clone)]
pub struct Warning {
    /// A short, stable name for the kind of problem (JSON key `check`).
    pub check: &'static str,
    pub subject: String,
    pub detail: String,
    pub fix: String,
}

/// Local hours before which an event or send almost surely has a time-zone mistake.
const NIGHT_ENDS: u32 = 6;

pub fn check(
    conn: &Connection,
    org_tz: Tz,
    today: NaiveDate,
    period: &Period,
) -> Result<Vec<Warning>> {
    let mut warnings = Vec::new();
    attendance_never_recorded(conn, today, &mut warnings)?;
    night_times(conn, org_tz, &mut warnings)?;
    imports::unmatched_codes(conn, &mut warnings)?;
    numbers::in_no_campaign(conn, &mut warnings)?;
    imports::rejected_rows(conn, &mut warnings)?;
    imports::import_notes(conn, &mut warnings)?;
    imports::actions_without_people(conn, &mut warnings)?;
    numbers::snapshot_totals_on_one_day(conn, &mut warnings)?;
    numbers::logged_beside_imported(conn, &mut warnings)?;
    silent_weeks(conn, today, period, &mut warnings)?;
    for goal in goals::list(conn, &[])? {
        let progress = progress::progress(conn, &goal, today)?;
        if progress.verdict == Verdict::NoData && today >= goal.from {
            warnings.push(Warning {
                check: "goal without data",
                subject: format!(
                    "{} goal: {} {} by {}",
                    goal.campaign_slug,
                    crate::output::plain_number(goal.target),
                    goal.metric,
                    goal.by
                ),
                detail: format!("no {} recorded since {}", goal.metric, goal.from),
                fix: format!(
                    "import the export that counts {} or log it weekly (turnout log {} {}=N)",
                    goal.metric, goal.campaign_slug, goal.metric
                ),
            });
        }
    }
    Ok(warnings)
}

fn attendance_never_recorded(
    conn: &Connection,
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT e.platform, e.external_id, e.title, e.starts_local,
                sum(a.metric = 'rsvps'), sum(a.metric IN ('attended', 'no_shows'))
         FROM event e JOIN action a ON a.event_id = e.id
         WHERE e.starts_local IS NOT NULL AND e.starts_local < ?1
         GROUP BY e.id HAVING sum(a.metric = 'rsvps') > 0 AND sum(a.metric IN ('attended', 'no_shows')) = 0
         ORDER BY e.starts_local",
    )?;
    let rows = stmt.query_map(params![today.to_string()], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<String>>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, i64>(4)?,
        ))
    })?;
    for row in rows {
        let (platform, id, title, day, rsvps) = row?;
        warnings.push(Warning {
            check: "attendance not recorded",
            subject: format!("{platform} event {id}{} on {day}", title.map(|t| format!(" ({t})")).unwrap_or_default()),
            detail: format!("{rsvps} RSVP(s), and nobody marked as attended or absent: the show-up rate leaves them out as unknown"),
            fix: format!("mark attendance in {platform}, then import its export again"),
        });
    }
    Ok(())
}

fn night_times(conn: &Connection, org_tz: Tz, warnings: &mut Vec<Warning>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT 'event', platform, external_id, starts_at FROM event WHERE starts_at IS NOT NULL
         UNION ALL SELECT 'send', platform, external_id, sent_at FROM effort WHERE sent_at IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (what, platform, id, at) = row?;
        let Ok(instant) = DateTime::parse_from_rfc3339(&at) else {
            continue;
        };
        let local = instant.with_timezone(&org_tz);
        if local.hour() < NIGHT_ENDS {
            warnings.push(Warning {
                check: "time looks shifted",
                subject: format!("{platform} {what} {id}"),
                detail: format!(
                    "it {} at {} local time ({}), which usually means a time read in the wrong zone",
                    if what == "event" { "starts" } else { "went out" },
                    local.format("%H:%M on %Y-%m-%d"),
                    org_tz.name()
                ),
                fix: "check the organization's zone (turnout config get timezone) and the export's; import it again with --tz ZONE if its times carry no offset".to_string(),
            });
        }
    }
    Ok(())
}

/// Complete weeks of an active campaign with no number at all.
fn silent_weeks(
    conn: &Connection,
    today: NaiveDate,
    period: &Period,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let this_week = week_start(today);
    for campaign in campaigns::list(conn)? {
        let Some(start) = campaign.start else {
            continue;
        };
        let last = campaign
            .end
            .map_or(this_week, |end| end.min(this_week - Duration::days(1)));
        let mut week = week_start(period.begin.unwrap_or(start).max(start));
        let stop = period
            .end
            .map_or(last, |end| end.min(last + Duration::days(1)));
        let mut silent = Vec::new();
        while week + Duration::days(6) < this_week && week <= stop {
            let count: i64 = conn.query_row(
                "SELECT count(*) FROM fact WHERE campaign_id = ?1 AND period_start >= ?2 AND period_start < ?3",
                params![campaign.id, week.to_string(), (week + Duration::weeks(1)).to_string()],
                |row| row.get(0),
            )?;
            if count == 0 {
                silent.push(week_label(week));
            }
            week += Duration::weeks(1);
        }
        if !silent.is_empty() {
            warnings.push(Warning {
                check: "weeks without data",
                subject: campaign.slug.clone(),
                detail: format!("no numbers at all in {}", silent.join(", ")),
                fix: format!(
                    "import that week's exports or log it (turnout log {} --week {} calls=N ...)",
                    campaign.slug, silent[0]
                ),
            });
        }
    }
    Ok(())
}
