//! The plan as an ICS (RFC 5545) calendar, for Google, Outlook or Apple calendars.

use chrono::{DateTime, Duration, TimeZone};
use chrono_tz::Tz;

use super::PlanItem;

/// An ICS (RFC 5545) calendar of the items: UTC times (so no zone definitions are needed),
/// stable UIDs so importing it again updates events instead of duplicating them, escaped text,
/// and lines folded at 75 octets.
pub fn ics(items: &[PlanItem], tz: Tz, stamp: DateTime<chrono::Utc>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//turnout//publishing calendar//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-TIMEZONE:{}", tz.name()),
    ];
    for item in items {
        let uid = match &item.source_key {
            Some(key) => format!("plan-{}@turnout", &key[..key.len().min(32)]),
            None => format!("plan-{}@turnout", item.id),
        };
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{uid}"));
        lines.push(format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%SZ")));
        match item.time {
            Some(time) => {
                let local = item.day.and_time(time);
                let start = tz
                    .from_local_datetime(&local)
                    .earliest()
                    .map(|t| t.to_utc())
                    .unwrap_or_else(|| chrono::Utc.from_utc_datetime(&local));
                lines.push(format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ")));
                lines.push(format!(
                    "DTEND:{}",
                    (start + Duration::minutes(30)).format("%Y%m%dT%H%M%SZ")
                ));
            }
            None => {
                lines.push(format!("DTSTART;VALUE=DATE:{}", item.day.format("%Y%m%d")));
                lines.push(format!(
                    "DTEND;VALUE=DATE:{}",
                    (item.day + Duration::days(1)).format("%Y%m%d")
                ));
            }
        }
        lines.push(format!(
            "SUMMARY:{}",
            escape(&format!("[{}] {}", item.channel, item.title))
        ));
        let mut description = format!("Channel: {}\nAudience: {}", item.channel, item.audience);
        if let Some(campaign) = &item.campaign {
            description.push_str(&format!("\nCampaign: {campaign}"));
        }
        if let Some(goal) = &item.goal {
            description.push_str(&format!("\nGoal: {goal}"));
        }
        if let Some(owner) = &item.owner {
            description.push_str(&format!("\nOwner: {owner}"));
        }
        lines.push(format!("DESCRIPTION:{}", escape(&description)));
        lines.push(format!("CATEGORIES:{}", escape(&item.channel)));
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect::<Vec<_>>().join("")
}

/// TEXT escaping (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets, never inside a UTF-8 character, with CRLF endings.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
    out
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ics_text_is_escaped_and_folded() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let long = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded}");
        assert_eq!(folded.replace("\r\n ", ""), format!("{long}\r\n"));
    }
}
