//! How much the rule models can see: per channel, how many people the exports record a touch for
//! (and which kinds: sends, opens, clicks, replies), against how many messages the tools say went
//! out. Email is often known only through opens and clicks, social not at all: the rules share
//! credit among what is recorded, and say so.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use anyhow::Result;
use rusqlite::{Connection, params};

use crate::store::touch_kinds::{self, CLICKED, DELIVERED, OPENED, REPLIED, SENT};

/// Below this many actions, the rules' shares say little.
pub const FEW_ACTIONS: usize = 30;

/// One channel's person-level data.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub channel: String,
    /// People with at least one recorded touch of the channel.
    pub people: usize,
    /// The kinds of touch recorded (sent, delivered, opened, clicked, replied).
    pub kinds: Vec<String>,
    /// Messages or posts the tools say went out on the channel (their own totals).
    pub sent: f64,
}

impl Coverage {
    /// "33 people, opened and clicked only, of 88,504 sent", for a table.
    pub fn short(&self) -> String {
        if self.people == 0 {
            return "no person-level data".to_string();
        }
        let only = if self.kinds.iter().all(|k| k == "opened" || k == "clicked") {
            " only"
        } else {
            ""
        };
        let sent = if self.sent > 0.0 {
            format!(", of {} sent", thousands(self.sent))
        } else {
            String::new()
        };
        format!(
            "{} people, {}{only}{sent}",
            thousands(self.people as f64),
            self.kinds.join(" and ")
        )
    }

    /// "touches known for 36 people (opened, clicked) of 87,726 sent".
    pub fn words(&self) -> String {
        if self.people == 0 {
            return "no person-level data: its exports name no one, so the rules cannot credit it (direct codes still can)".to_string();
        }
        let sent = if self.sent > 0.0 {
            format!(" of {} sent", thousands(self.sent))
        } else {
            String::new()
        };
        let only = if self.kinds.iter().all(|k| k == "opened" || k == "clicked") {
            ", opens and clicks only: people it reached who did not open are not seen"
        } else {
            ""
        };
        format!(
            "touches known for {} people ({}){sent}{only}",
            thousands(self.people as f64),
            self.kinds.join(", ")
        )
    }
}

fn thousands(x: f64) -> String {
    let digits = format!("{}", x.round() as i64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 && c != '-' {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Every channel with touches or sends, for one campaign (or all).
pub fn coverage(conn: &Connection, campaign_id: Option<i64>) -> Result<Vec<Coverage>> {
    let mut channels: Vec<Coverage> = Vec::new();
    fn entry(channels: &mut Vec<Coverage>, channel: String) -> usize {
        match channels.iter().position(|c| c.channel == channel) {
            Some(i) => i,
            None => {
                channels.push(Coverage {
                    channel,
                    people: 0,
                    kinds: Vec::new(),
                    sent: 0.0,
                });
                channels.len() - 1
            }
        }
    }
    // Recorded touches, and the sends of experiments linked to their effort, read once: the
    // people and kinds of each channel are gathered here (SQLite's count(DISTINCT) sorted a
    // million touches for it).
    let mut effort_channel: HashMap<i64, String> = HashMap::new();
    {
        let mut stmt =
            conn.prepare("SELECT id, channel FROM effort WHERE ?1 IS NULL OR campaign_id = ?1")?;
        let mut rows = stmt.query(params![campaign_id])?;
        while let Some(row) = rows.next()? {
            effort_channel.insert(row.get(0)?, row.get(1)?);
        }
    }
    let mut seen: BTreeMap<String, (HashSet<i64>, BTreeSet<i64>)> = BTreeMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT person_id, effort_id, kind FROM touch
         UNION ALL
         SELECT person_id, effort_id, {SENT} FROM ({})",
        super::LINKED_SENDS
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let effort: i64 = row.get(1)?;
        if let Some(channel) = effort_channel.get(&effort) {
            let (people, kinds) = seen.entry(channel.clone()).or_default();
            people.insert(row.get(0)?);
            kinds.insert(row.get(2)?);
        }
    }
    // In the order a message goes: sent, delivered, opened, clicked, replied.
    let order = [SENT, DELIVERED, OPENED, CLICKED, REPLIED];
    for (channel, (people, kinds)) in seen {
        let i = entry(&mut channels, channel);
        channels[i].people = people.len();
        let mut kinds: Vec<i64> = kinds.into_iter().collect();
        kinds.sort_by_key(|kind| order.iter().position(|k| k == kind).unwrap_or(order.len()));
        channels[i].kinds = kinds
            .into_iter()
            .filter_map(touch_kinds::name)
            .map(str::to_string)
            .collect();
    }
    let mut sent = conn.prepare(
        "SELECT channel, sum(value) FROM fact
         WHERE metric = 'sent' AND channel IS NOT NULL AND (?1 IS NULL OR campaign_id = ?1)
         GROUP BY channel ORDER BY channel",
    )?;
    let mut rows = sent.query(params![campaign_id])?;
    let mut found: Vec<(String, f64)> = Vec::new();
    while let Some(row) = rows.next()? {
        found.push((row.get(0)?, row.get(1)?));
    }
    for (channel, total) in found {
        let i = entry(&mut channels, channel);
        channels[i].sent = total;
    }
    const ORDER: [&str; 5] = ["sent", "delivered", "opened", "clicked", "replied"];
    for channel in &mut channels {
        channel
            .kinds
            .sort_by_key(|k| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
    }
    channels.sort_by(|a, b| a.channel.cmp(&b.channel));
    Ok(channels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_says_what_the_rules_can_see() {
        let email = Coverage {
            channel: "email".into(),
            people: 1561,
            kinds: vec!["opened".into(), "clicked".into()],
            sent: 87_726.0,
        };
        assert_eq!(
            email.words(),
            "touches known for 1,561 people (opened, clicked) of 87,726 sent, opens and clicks only: people it reached who did not open are not seen"
        );
        let social = Coverage {
            channel: "social".into(),
            people: 0,
            kinds: Vec::new(),
            sent: 44.0,
        };
        assert!(social.words().starts_with("no person-level data"));
        let sms = Coverage {
            channel: "sms".into(),
            people: 23,
            kinds: vec!["sent".into(), "replied".into()],
            sent: 23.0,
        };
        assert_eq!(
            sms.words(),
            "touches known for 23 people (sent, replied) of 23 sent"
        );
    }
}
