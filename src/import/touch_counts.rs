//! Touch counts kept in memory while a bulk import appends to an empty touch table: the same
//! sums `writer::rebuild_summaries` counts from the table (touches per effort, kind and day;
//! people whose first open or click of an effort fell on each day), without reading every
//! appended row back and sorting it twice.

use std::collections::BTreeSet;
use std::collections::hash_map::Entry;

use anyhow::Result;
use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt};
use rusqlite::{Connection, params};

use crate::dates::iso_date;

/// The most (effort, opened or clicked, person) first days kept: about 9 MiB. An import that
/// would need more falls back to counting the table at the end.
const MAX_FIRST_DAYS: usize = 400_000;
/// Person ids and effort slots share one 64-bit key (see `first_day_key`).
const PERSON_BITS: u32 = 40;
const MAX_EFFORT_SLOTS: usize = 1 << 22;

const KINDS: [&str; 5] = ["sent", "delivered", "opened", "clicked", "replied"];

pub struct TouchCounts {
    /// (effort id, kind, day) → touches.
    per_day: HashMap<(i64, &'static str, NaiveDate), u64>,
    /// (effort slot, opened or clicked, person id), packed → the first day.
    first_day: HashMap<u64, NaiveDate>,
    /// Effort ids in the order first seen: an effort's slot is its place here.
    efforts: Vec<i64>,
}

impl Default for TouchCounts {
    fn default() -> TouchCounts {
        TouchCounts {
            per_day: HashMap::new(),
            first_day: HashMap::new(),
            efforts: Vec::new(),
        }
    }
}

/// The metric a touch kind counts as (as `rebuild_summaries` names it).
fn metric_of(kind: &str) -> &str {
    match kind {
        "opened" => "opens",
        "clicked" => "clicks",
        "replied" => "replies",
        other => other,
    }
}

impl TouchCounts {
    /// Counts one touch. False when it cannot be counted in memory (a kind it does not know,
    /// too many people): the caller then drops these counts and counts the table instead.
    pub fn add(&mut self, effort_id: i64, kind: &str, person_id: i64, day: NaiveDate) -> bool {
        let Some(kind) = KINDS.iter().copied().find(|k| *k == kind) else {
            return false;
        };
        *self.per_day.entry((effort_id, kind, day)).or_default() += 1;
        if kind != "opened" && kind != "clicked" {
            return true;
        }
        let Some(key) = self.first_day_key(effort_id, kind == "clicked", person_id) else {
            return false;
        };
        let full = self.first_day.len() >= MAX_FIRST_DAYS;
        match self.first_day.entry(key) {
            Entry::Occupied(mut first) => {
                if day < *first.get() {
                    first.insert(day);
                }
            }
            Entry::Vacant(_) if full => return false,
            Entry::Vacant(slot) => {
                slot.insert(day);
            }
        }
        true
    }

    fn first_day_key(&mut self, effort_id: i64, clicked: bool, person_id: i64) -> Option<u64> {
        let slot = match self.efforts.iter().position(|&e| e == effort_id) {
            Some(slot) => slot,
            None => {
                self.efforts.push(effort_id);
                self.efforts.len() - 1
            }
        };
        let person = u64::try_from(person_id).ok()?;
        if slot >= MAX_EFFORT_SLOTS || person >= 1 << PERSON_BITS {
            return None;
        }
        Some((slot as u64) << (PERSON_BITS + 1) | (clicked as u64) << PERSON_BITS | person)
    }

    /// Replaces the efforts' rows of `touch_fact` with these counts; returns the efforts.
    pub fn write(self, conn: &Connection) -> Result<BTreeSet<i64>> {
        let efforts: BTreeSet<i64> = self.per_day.keys().map(|(effort, _, _)| *effort).collect();
        for effort_id in &efforts {
            conn.prepare_cached("DELETE FROM touch_fact WHERE effort_id = ?1")?
                .execute(params![effort_id])?;
        }
        let mut unique: HashMap<(i64, &str, NaiveDate), u64> = HashMap::new();
        for (key, day) in &self.first_day {
            let slot = (key >> (PERSON_BITS + 1)) as usize;
            let metric = if key >> PERSON_BITS & 1 == 1 {
                "unique_clicks"
            } else {
                "unique_opens"
            };
            *unique
                .entry((self.efforts[slot], metric, *day))
                .or_default() += 1;
        }
        let rows = self
            .per_day
            .iter()
            .map(|((effort, kind, day), n)| (*effort, metric_of(kind), *day, *n))
            .chain(
                unique
                    .iter()
                    .map(|((effort, metric, day), n)| (*effort, *metric, *day, *n)),
            );
        let mut insert = conn.prepare_cached(
            "INSERT INTO touch_fact (effort_id, metric, period_start, value) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (effort, metric, day, n) in rows {
            insert.execute(params![effort, metric, iso_date(day), n as f64])?;
        }
        Ok(efforts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 9, d).unwrap()
    }

    #[test]
    fn first_days_are_per_effort_kind_and_person() {
        let mut counts = TouchCounts::default();
        assert!(counts.add(7, "opened", 1, day(3)));
        assert!(counts.add(7, "opened", 1, day(2)));
        assert!(counts.add(7, "clicked", 1, day(4)));
        assert!(counts.add(9, "opened", 1, day(5)));
        assert!(counts.add(7, "sent", 2, day(1)));
        assert_eq!(counts.first_day.len(), 3);
        assert_eq!(counts.per_day[&(7, "opened", day(3))], 1);
        let firsts: Vec<NaiveDate> = {
            let mut v: Vec<NaiveDate> = counts.first_day.values().copied().collect();
            v.sort();
            v
        };
        assert_eq!(firsts, vec![day(2), day(4), day(5)]);
    }

    #[test]
    fn what_cannot_be_kept_is_refused() {
        let mut counts = TouchCounts::default();
        assert!(!counts.add(1, "bounced", 1, day(1)));
        assert!(!counts.add(1, "opened", 1 << PERSON_BITS, day(1)));
        assert!(!counts.add(1, "opened", -1, day(1)));
    }
}
