//! Touch counts kept in memory while an import writes the touches of sends that had none: the
//! same sums `store::summaries` counts from the table (touches per send, kind and day; people
//! whose first open or click of a send fell on each day), without reading every row back.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt};
use rusqlite::Connection;

use crate::store::summaries::EffortCounts;
use crate::store::touch_kinds::{CLICKED, OPENED};

/// The most (effort, opened or clicked, person) first days kept: about 9 MiB. An import that
/// would need more falls back to counting the table at the end.
const MAX_FIRST_DAYS: usize = 400_000;
/// Person ids and effort slots share one 64-bit key (see `first_day_key`).
const PERSON_BITS: u32 = 40;
const MAX_EFFORT_SLOTS: usize = 1 << 22;

pub struct TouchCounts {
    /// (effort id, kind code, day) → touches.
    per_day: HashMap<(i64, i64, NaiveDate), u64>,
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

impl TouchCounts {
    /// Counts one touch (its kind's stored code). False when it cannot be counted in memory
    /// (too many people): the caller then drops these counts and counts the table instead.
    pub fn add(&mut self, effort_id: i64, kind: i64, person_id: i64, day: NaiveDate) -> bool {
        *self.per_day.entry((effort_id, kind, day)).or_default() += 1;
        if kind != OPENED && kind != CLICKED {
            return true;
        }
        let Some(key) = self.first_day_key(effort_id, kind == CLICKED, person_id) else {
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
        let mut by_effort: BTreeMap<i64, EffortCounts> = BTreeMap::new();
        for ((effort, kind, day), n) in self.per_day {
            *by_effort
                .entry(effort)
                .or_default()
                .per_day
                .entry((kind, day))
                .or_default() += n;
        }
        for (key, day) in self.first_day {
            let slot = (key >> (PERSON_BITS + 1)) as usize;
            let kind = if key >> PERSON_BITS & 1 == 1 {
                CLICKED
            } else {
                OPENED
            };
            *by_effort
                .entry(self.efforts[slot])
                .or_default()
                .first_days
                .entry((kind, day))
                .or_default() += 1;
        }
        for (effort, counts) in &by_effort {
            counts.write(conn, *effort)?;
        }
        Ok(by_effort.into_keys().collect())
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
        assert!(counts.add(7, OPENED, 1, day(3)));
        assert!(counts.add(7, OPENED, 1, day(2)));
        assert!(counts.add(7, CLICKED, 1, day(4)));
        assert!(counts.add(9, OPENED, 1, day(5)));
        assert!(counts.add(7, crate::store::touch_kinds::SENT, 2, day(1)));
        assert_eq!(counts.first_day.len(), 3);
        assert_eq!(counts.per_day[&(7, OPENED, day(3))], 1);
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
        assert!(!counts.add(1, OPENED, 1 << PERSON_BITS, day(1)));
        assert!(!counts.add(1, OPENED, -1, day(1)));
    }
}
