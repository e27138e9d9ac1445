//! The two groups a lift compares, read from the database: everyone assigned to be sent against
//! everyone held out (intention to treat), who of them acted in the window, and what the exports
//! recorded of the effort for each of them (sent, delivered, opened). Never the openers alone:
//! people who open are the people who act anyway, so comparing them with a holdout credits the
//! email with its openers' enthusiasm.

use std::collections::{BTreeSet, HashMap, HashSet};

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};

use crate::people::IdHash;
use crate::store::touch_kinds::{CLICKED, DELIVERED, OPENED, REPLIED, SENT};

/// One person of a group, as the person ids their identifiers are known by here (none when they
/// never appeared in an import: they did not act).
#[derive(Debug, Clone)]
pub struct Unit {
    pub held_out: bool,
    pub persons: Vec<i64>,
}

/// Looks each person's identifier hashes up among imported people.
pub fn units_from_hashes(conn: &Connection, people: &[(bool, Vec<IdHash>)]) -> Result<Vec<Unit>> {
    let mut lookup = conn.prepare("SELECT person_id FROM person_identifier WHERE hash = ?1")?;
    let mut units = Vec::with_capacity(people.len());
    for (held_out, hashes) in people {
        let mut persons = Vec::new();
        for hash in hashes {
            if let Some(person) = lookup
                .query_row(params![hash], |row| row.get::<_, i64>(0))
                .optional()?
                && !persons.contains(&person)
            {
                persons.push(person);
            }
        }
        units.push(Unit {
            held_out: *held_out,
            persons,
        });
    }
    Ok(units)
}

/// What the exports recorded of one effort, per person.
#[derive(Debug, Default)]
pub struct EffortRecord {
    /// People with a `sent` or `delivered` touch (or a reply, which needs the message).
    pub sent: HashSet<i64>,
    /// People with an `opened` or `clicked` touch.
    pub opened: HashSet<i64>,
    /// The tool's own totals for the effort: sent, delivered and unique opens.
    pub total_sent: Option<f64>,
    pub total_delivered: Option<f64>,
    pub total_unique_opens: Option<f64>,
}

impl EffortRecord {
    pub fn load(conn: &Connection, effort_id: i64) -> Result<EffortRecord> {
        let mut record = EffortRecord::default();
        let mut stmt = conn.prepare("SELECT person_id, kind FROM touch WHERE effort_id = ?1")?;
        let mut rows = stmt.query(params![effort_id])?;
        while let Some(row) = rows.next()? {
            let person: i64 = row.get(0)?;
            match row.get::<_, i64>(1)? {
                OPENED | CLICKED => record.opened.insert(person),
                _ => record.sent.insert(person),
            };
        }
        let mut totals = conn.prepare(
            "SELECT metric, sum(value) FROM metric_value WHERE effort_id = ?1
             AND metric IN ('sent', 'delivered', 'unique_opens') GROUP BY metric",
        )?;
        let mut rows = totals.query(params![effort_id])?;
        while let Some(row) = rows.next()? {
            let value: f64 = row.get(1)?;
            match row.get_ref(0)?.as_str()? {
                "sent" => record.total_sent = Some(value),
                "delivered" => record.total_delivered = Some(value),
                _ => record.total_unique_opens = Some(value),
            }
        }
        Ok(record)
    }

    pub fn knows_who_was_sent(&self) -> bool {
        !self.sent.is_empty()
    }
}

/// When the effort went out, as unix seconds, and what that time is.
pub fn effort_start(conn: &Connection, effort_id: i64) -> Result<Option<(i64, &'static str)>> {
    let sent_at: Option<i64> = conn
        .query_row(
            "SELECT unixepoch(sent_at) FROM effort WHERE id = ?1",
            params![effort_id],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    if let Some(at) = sent_at {
        return Ok(Some((at, "the effort's send time")));
    }
    let first = |kinds: &str| -> Result<Option<i64>> {
        Ok(conn.query_row(
            &format!("SELECT min(at) FROM touch WHERE effort_id = ?1 AND kind IN ({kinds})"),
            params![effort_id],
            |row| row.get(0),
        )?)
    };
    let codes = |kinds: &[i64]| {
        kinds
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(at) = first(&codes(&[SENT, DELIVERED]))? {
        return Ok(Some((at, "the effort's first recorded send")));
    }
    Ok(first(&codes(&[OPENED, CLICKED, REPLIED]))?.map(|at| {
        (
            at,
            "the effort's first recorded open or click: its export gives no send time",
        )
    }))
}

/// How one group did.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GroupCounts {
    pub people: usize,
    pub acted: usize,
    /// People the exports record as sent the effort.
    pub recorded_sent: usize,
    /// People the exports record as having opened or clicked it.
    pub opened: usize,
    /// People who took a counted action in the window that reached no campaign (not counted).
    pub unlinked: usize,
}

/// Both groups, counted.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub sent: GroupCounts,
    pub held: GroupCounts,
    /// The counted metrics that somebody in either group took.
    pub metrics_seen: Vec<String>,
}

/// Who of the people in `units` acted: took one of `metrics`, linked to the campaign, between
/// `start` and `end` (unix seconds, inclusive).
pub fn count(
    conn: &Connection,
    units: &[Unit],
    campaign_id: i64,
    metrics: &[String],
    (start, end): (i64, i64),
    effort: Option<&EffortRecord>,
) -> Result<Counts> {
    let wanted: HashSet<&str> = metrics.iter().map(String::as_str).collect();
    let members: HashSet<i64> = units
        .iter()
        .flat_map(|u| u.persons.iter().copied())
        .collect();
    let mut acted: HashSet<i64> = HashSet::new();
    let mut unlinked: HashSet<i64> = HashSet::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut stmt = conn.prepare(
        "SELECT person_id, metric, campaign_id FROM action
         WHERE person_id IS NOT NULL AND unixepoch(at) >= ?1 AND unixepoch(at) <= ?2",
    )?;
    let mut rows = stmt.query(params![start, end])?;
    while let Some(row) = rows.next()? {
        let person: i64 = row.get(0)?;
        let metric = row.get_ref(1)?.as_str()?;
        if !members.contains(&person) || !wanted.contains(metric) {
            continue;
        }
        match row.get::<_, Option<i64>>(2)? {
            Some(id) if id == campaign_id => {
                acted.insert(person);
                seen.insert(metric.to_string());
            }
            None => {
                unlinked.insert(person);
            }
            Some(_) => {}
        }
    }
    let mut counts = Counts::default();
    for unit in units {
        let group = if unit.held_out {
            &mut counts.held
        } else {
            &mut counts.sent
        };
        let any = |set: &HashSet<i64>| unit.persons.iter().any(|p| set.contains(p));
        group.people += 1;
        group.acted += usize::from(any(&acted));
        group.unlinked += usize::from(!any(&acted) && any(&unlinked));
        if let Some(effort) = effort {
            group.recorded_sent += usize::from(any(&effort.sent));
            group.opened += usize::from(any(&effort.opened));
        }
    }
    counts.metrics_seen = metrics
        .iter()
        .filter(|m| seen.contains(*m))
        .cloned()
        .collect();
    Ok(counts)
}

/// The held-out people of a holdout file plus, as the sent group, the people recorded as sent the
/// effort (each a person of their own). Someone in both stays held out: that is what was drawn.
pub fn with_recorded_sends(held: Vec<Unit>, effort: &EffortRecord) -> Vec<Unit> {
    let held_persons: HashSet<i64> = held
        .iter()
        .flat_map(|u| u.persons.iter().copied())
        .collect();
    let mut sent: Vec<i64> = effort
        .sent
        .iter()
        .copied()
        .filter(|p| !held_persons.contains(p))
        .collect();
    sent.sort_unstable();
    let mut units = held;
    units.extend(sent.into_iter().map(|p| Unit {
        held_out: false,
        persons: vec![p],
    }));
    units
}

/// The held-out people of a holdout file plus the people of a send list. Someone on both lists
/// stays held out, and is counted as sent anyway.
pub fn with_send_list(held: Vec<Unit>, sent: Vec<Unit>) -> (Vec<Unit>, usize) {
    let held_persons: HashSet<i64> = held
        .iter()
        .flat_map(|u| u.persons.iter().copied())
        .collect();
    let mut both = 0;
    let mut units = held;
    for unit in sent {
        if unit.persons.iter().any(|p| held_persons.contains(p)) {
            both += 1;
        } else {
            units.push(Unit {
                held_out: false,
                ..unit
            });
        }
    }
    (units, both)
}

/// Each person's identifiers in a list file that has several rows per person: merged by the
/// person ids they share, so a holdout file listing one person's email and phone apart is one.
pub fn merge_by_person(units: Vec<Unit>) -> Vec<Unit> {
    let mut owner: HashMap<i64, usize> = HashMap::new();
    let mut merged: Vec<Unit> = Vec::new();
    for unit in units {
        match unit.persons.iter().find_map(|p| owner.get(p).copied()) {
            Some(i) => {
                for p in unit.persons {
                    if !merged[i].persons.contains(&p) {
                        owner.insert(p, i);
                        merged[i].persons.push(p);
                    }
                }
            }
            None => {
                for &p in &unit.persons {
                    owner.insert(p, merged.len());
                }
                merged.push(unit);
            }
        }
    }
    merged
}
