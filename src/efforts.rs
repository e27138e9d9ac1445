//! Efforts named for people. A send, a text campaign or a post is stored under the id its tool
//! gives it (`e759dabd68`, `318`), which nobody in a meeting recognises; its label says when it
//! went out, on which channel, and what it was: "2026-09-08 email: Fair Rent Now #1",
//! "2026-09-22 sms: texting campaign 318". `--effort` takes the id or the start of a label.

use std::collections::HashMap;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::Connection;

use crate::campaigns::Campaign;

/// One effort with its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub channel: String,
    pub platform: String,
    pub external_id: String,
    pub label: String,
}

/// The longest a label's name part gets before it is cut.
const NAME_CHARS: usize = 60;

/// "2026-09-08 email: Fair Rent Now #1": the day it went out, its channel, and its title (a
/// leading copy of the day left out), or what the tool calls it.
pub fn label(
    day: Option<NaiveDate>,
    channel: &str,
    platform: &str,
    external_id: &str,
    title: Option<&str>,
) -> String {
    let mut name = match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(title) => {
            let day_text = day.map(|d| d.to_string()).unwrap_or_default();
            title
                .strip_prefix(&day_text)
                .filter(|_| !day_text.is_empty())
                .map_or(title, str::trim_start)
                .to_string()
        }
        None => match platform {
            "spoke" => format!("texting campaign {external_id}"),
            "mailchimp" => format!("send {external_id}"),
            other => format!("{other} {external_id}"),
        },
    };
    if name.chars().count() > NAME_CHARS {
        name = name.chars().take(NAME_CHARS - 3).collect::<String>() + "...";
    }
    match day {
        Some(day) => format!("{day} {channel}: {name}"),
        None => format!("{channel}: {name}"),
    }
}

/// Every effort with its label, by id. The day is the send's own time in the organization's
/// zone, else its first recorded touch, else its first number.
pub fn all(conn: &Connection, tz: Tz) -> Result<HashMap<i64, Named>> {
    let mut stmt = conn.prepare(
        "SELECT e.id, e.campaign_id, e.channel, e.platform, e.external_id, e.title, e.sent_at,
                (SELECT min(at) FROM touch t WHERE t.effort_id = e.id),
                (SELECT min(period_start) FROM metric_value v WHERE v.effort_id = e.id)
         FROM effort e",
    )?;
    let mut named = HashMap::new();
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let sent_at: Option<String> = row.get(6)?;
        let first_touch: Option<i64> = row.get(7)?;
        let first_number: Option<String> = row.get(8)?;
        let day = sent_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&tz).date_naive())
            .or_else(|| {
                first_touch
                    .and_then(|at| chrono::DateTime::from_timestamp(at, 0))
                    .map(|t| t.with_timezone(&tz).date_naive())
            })
            .or_else(|| first_number.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()));
        let (channel, platform, external_id): (String, String, String) =
            (row.get(2)?, row.get(3)?, row.get(4)?);
        let title: Option<String> = row.get(5)?;
        let id: i64 = row.get(0)?;
        named.insert(
            id,
            Named {
                id,
                campaign_id: row.get(1)?,
                label: label(day, &channel, &platform, &external_id, title.as_deref()),
                channel,
                platform,
                external_id,
            },
        );
    }
    Ok(named)
}

/// Labels by the id the tool gives an effort (what reports key efforts by).
pub fn labels_by_external_id(conn: &Connection, tz: Tz) -> Result<HashMap<String, String>> {
    Ok(all(conn, tz)?
        .into_values()
        .map(|n| (n.external_id, n.label))
        .collect())
}

/// The campaign's effort that `text` names: its id exactly, else the one effort whose label
/// starts with it (ignoring case), so `--effort "2026-09-15 email"` works as well as
/// `--effort c4707c33e9`.
pub fn find(conn: &Connection, tz: Tz, campaign: &Campaign, text: &str) -> Result<Named> {
    let text = text.trim();
    let mut efforts: Vec<Named> = all(conn, tz)?
        .into_values()
        .filter(|n| n.campaign_id.is_none_or(|c| c == campaign.id))
        .collect();
    efforts.sort_by(|a, b| {
        (a.campaign_id.is_none(), &a.label).cmp(&(b.campaign_id.is_none(), &b.label))
    });
    if let Some(exact) = efforts.iter().find(|n| n.external_id == text) {
        return Ok(exact.clone());
    }
    let lower = text.to_lowercase();
    let matching: Vec<&Named> = efforts
        .iter()
        .filter(|n| n.label.to_lowercase().starts_with(&lower))
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        [] => bail!(
            "{} has no effort '{text}' (by id or the start of its label); see its efforts with: turnout totals --campaign {} --by effort",
            campaign.slug,
            campaign.slug
        ),
        many => bail!(
            "'{text}' starts the label of {} efforts of {}: {}; give more of the label, or the id",
            many.len(),
            campaign.slug,
            many.iter()
                .take(6)
                .map(|n| format!("{} ({})", n.label, n.external_id))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_like_a_meeting_says_them() {
        let day = NaiveDate::from_ymd_opt(2026, 9, 8);
        assert_eq!(
            label(
                day,
                "email",
                "mailchimp",
                "e759dabd68",
                Some("2026-09-08 Fair Rent Now #1")
            ),
            "2026-09-08 email: Fair Rent Now #1"
        );
        assert_eq!(
            label(day, "sms", "spoke", "318", None),
            "2026-09-08 sms: texting campaign 318"
        );
        assert_eq!(
            label(None, "social", "x", "1", Some(&"a".repeat(80))),
            format!("social: {}...", "a".repeat(57))
        );
    }
}
