//! Touch counts kept in memory while an import writes the touches of sends that had none: the
//! same sums `store::summaries` counts from the table (touches per send, kind and day; people
//! whose first open or click of a send fell on each day), without reading every row back.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt};
use rusqlite::Connection;

use crate::store::summaries::EffortCounts;
use crate::store::touch_kinds::{CLICKED, OPENED};

/// The most first-day cells kept, over every (effort, opened or clicked) lane: 8 MiB. A lane
/// has a cell per person id up to the highest it meets, so an import that would need more (a
/// database of millions of people) falls back to counting the table at the end.
const MAX_FIRST_DAY_CELLS: usize = 4 << 20;

pub struct TouchCounts {
    /// (effort id, kind code, day) → touches.
    per_day: HashMap<(i64, i64, NaiveDate), u64>,
    /// Per (effort, opened or clicked) lane, indexed by person id: the person's first day there
    /// as days since 2000-01-01 plus one (0: none yet; two bytes last until 2179). Person ids
    /// are dense, so a vector beats a map of a million entries: no hashing, and an eighth of
    /// the memory to miss in.
    first_day: Vec<Lane>,
    cells: usize,
}

struct Lane {
    effort_id: i64,
    clicked: bool,
    days: Vec<u16>,
}

impl Default for TouchCounts {
    fn default() -> TouchCounts {
        TouchCounts {
            per_day: HashMap::new(),
            first_day: Vec::new(),
            cells: 0,
        }
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date")
}

impl TouchCounts {
    /// Counts one touch (its kind's stored code). False when it cannot be counted in memory
    /// (too many people): the caller then drops these counts and counts the table instead.
    pub fn add(&mut self, effort_id: i64, kind: i64, person_id: i64, day: NaiveDate) -> bool {
        *self.per_day.entry((effort_id, kind, day)).or_default() += 1;
        if kind != OPENED && kind != CLICKED {
            return true;
        }
        let Ok(person) = usize::try_from(person_id) else {
            return false;
        };
        let Some(stored) = u16::try_from((day - epoch()).num_days() + 1)
            .ok()
            .filter(|&d| d > 0)
        else {
            return false;
        };
        let clicked = kind == CLICKED;
        let lane = match self
            .first_day
            .iter()
            .position(|l| l.effort_id == effort_id && l.clicked == clicked)
        {
            Some(lane) => lane,
            None => {
                self.first_day.push(Lane {
                    effort_id,
                    clicked,
                    days: Vec::new(),
                });
                self.first_day.len() - 1
            }
        };
        let days = &mut self.first_day[lane].days;
        if person >= days.len() {
            let grown = (person + 1).max(days.len() * 3 / 2);
            if self.cells - days.len() + grown > MAX_FIRST_DAY_CELLS {
                return false;
            }
            self.cells += grown - days.len();
            days.resize(grown, 0);
        }
        let first = &mut days[person];
        if *first == 0 || stored < *first {
            *first = stored;
        }
        true
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
        for lane in &self.first_day {
            let kind = if lane.clicked { CLICKED } else { OPENED };
            let counts = by_effort.entry(lane.effort_id).or_default();
            for day in lane.first_days() {
                *counts.first_days.entry((kind, day)).or_default() += 1;
            }
        }
        for (effort, counts) in &by_effort {
            counts.write(conn, *effort)?;
        }
        Ok(by_effort.into_keys().collect())
    }
}

impl Lane {
    /// The first day of each person met in this lane.
    fn first_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.days
            .iter()
            .filter(|&&d| d > 0)
            .map(|&d| epoch() + chrono::Duration::days(i64::from(d) - 1))
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
        assert!(counts.add(7, OPENED, 4, day(6)));
        assert!(counts.add(7, crate::store::touch_kinds::SENT, 2, day(1)));
        assert_eq!(counts.per_day[&(7, OPENED, day(3))], 1);
        let lanes: Vec<(i64, bool, Vec<NaiveDate>)> = counts
            .first_day
            .iter()
            .map(|lane| (lane.effort_id, lane.clicked, lane.first_days().collect()))
            .collect();
        assert_eq!(
            lanes,
            vec![
                (7, false, vec![day(2), day(6)]),
                (7, true, vec![day(4)]),
                (9, false, vec![day(5)]),
            ]
        );
    }

    #[test]
    fn what_cannot_be_kept_is_refused() {
        let mut counts = TouchCounts::default();
        assert!(!counts.add(1, OPENED, MAX_FIRST_DAY_CELLS as i64, day(1)));
        assert!(!counts.add(1, OPENED, -1, day(1)));
        let before_2000 = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap();
        assert!(!counts.add(1, OPENED, 1, before_2000));
    }
}
