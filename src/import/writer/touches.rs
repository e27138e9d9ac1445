//! Writing touches: one person's contact with one send. A touch is its own identity (send,
//! moment, person, kind: the table's key), so writing one is a single insert that does nothing
//! when the touch is stored.
//!
//! A touch already stored is unchanged when it was stored before this import (the file, or an
//! overlapping one, was imported before), and rejected as a repeat when an earlier row of this
//! very file wrote it. For a send with no touches before this import, every stored touch is this
//! file's; for the others, the touches this file has written so far are kept aside in a
//! temporary table, so the same file read again gives the same outcome as the first time. The counts per day of sends that
//! had no touches are kept in memory as rows arrive; the others are counted from the table at
//! the end. People merged during the import take their touches with them at the end, in one
//! pass, rather than one pass over the table per merge.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Result;
use chrono_tz::Tz;
use rusqlite::{Connection, params};

use super::touch_batch::{Taken, TouchBatch};
use super::touch_counts::TouchCounts;
use crate::import::model::{Applied, RowIssue, TouchRecord};
use crate::store::summaries;

/// Person ids this far are checked by bits (16 MiB of them at most; ids count up from 1).
const MAX_PERSON_BITS: usize = 1 << 27;

const INSERT: &str = "INSERT INTO touch (effort_id, at, person_id, kind) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT DO NOTHING";
const SEEN: &str =
    "INSERT INTO temp.seen_touch (effort_id, at, person_id, kind) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT DO NOTHING";

pub struct Touches<'c> {
    /// The insert, prepared once: a million rows make a million calls.
    insert: Option<rusqlite::Statement<'c>>,
    /// Touches of sends that had none before, written many at a time.
    batch: TouchBatch<'c>,
    /// Per send: whether it had touches before this import.
    had_touches: HashMap<i64, bool>,
    /// Touches this import added, per send (the ledger's `import_effort`).
    added: BTreeMap<i64, u64>,
    /// The counts of sends that had no touches before, kept as rows arrive; none once they may
    /// not be exact (too many people, a merge).
    counted: Option<TouchCounts>,
    /// Sends to count from the table at the end.
    recount: BTreeSet<i64>,
    /// People merged into others during the import: from → into.
    merged: BTreeMap<i64, i64>,
    /// Whether the temporary table of this file's touches (of sends that had touches) exists.
    seen_table: bool,
    /// The people this import wrote touches for, one bit per person id, so that its touches'
    /// references are checked without reading every touch back; none when that cannot be
    /// exact (a row rolled back, an id beyond the bits), and the table is checked instead.
    people: Option<Vec<u64>>,
}

impl Default for Touches<'_> {
    fn default() -> Self {
        Touches {
            insert: None,
            batch: TouchBatch::default(),
            had_touches: HashMap::new(),
            added: BTreeMap::new(),
            counted: Some(TouchCounts::default()),
            recount: BTreeSet::new(),
            merged: BTreeMap::new(),
            seen_table: false,
            people: Some(Vec::new()),
        }
    }
}

/// Why a row that repeats an earlier one of its file is rejected.
fn repeat(line: u64) -> RowIssue {
    RowIssue {
        line,
        column_number: None,
        column_name: None,
        expected: Some("one row per person, send, kind and second".to_string()),
        found: Some("a repeat of an earlier row".to_string()),
        reason: "this row records the same touch as an earlier row of this file (same person, send, kind and second), so it would count twice".to_string(),
    }
}

impl<'c> Touches<'c> {
    /// Writes one touch of `effort_id` by `person_id`.
    pub fn write(
        &mut self,
        conn: &'c Connection,
        effort_id: i64,
        person_id: i64,
        record: &TouchRecord,
        line: u64,
    ) -> Result<Result<Applied, RowIssue>> {
        let had = match self.had_touches.get(&effort_id) {
            Some(&had) => had,
            None => {
                let had: bool = conn
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM touch WHERE effort_id = ?1)")?
                    .query_row(params![effort_id], |row| row.get(0))?;
                self.had_touches.insert(effort_id, had);
                had
            }
        };
        if !had && self.batch.enabled() {
            match self
                .batch
                .take(conn, [effort_id, record.at, person_id, record.kind])?
            {
                Taken::Repeat => return Ok(Err(repeat(line))),
                Taken::Queued => {
                    self.inserted(effort_id, person_id, record, had);
                    return Ok(Ok(Applied::Inserted));
                }
                Taken::OutOfOrder => {}
            }
        }
        let touch = params![effort_id, record.at, person_id, record.kind];
        if had {
            if !self.seen_table {
                conn.execute_batch(
                    "CREATE TEMP TABLE seen_touch (
                         effort_id INTEGER, at INTEGER, person_id INTEGER, kind INTEGER,
                         PRIMARY KEY (effort_id, at, person_id, kind)) WITHOUT ROWID",
                )?;
                self.seen_table = true;
            }
            let first_time = conn.prepare_cached(SEEN)?.execute(touch)?;
            if first_time == 0 {
                return Ok(Err(repeat(line)));
            }
        }
        let insert = match &mut self.insert {
            Some(insert) => insert,
            None => self.insert.insert(conn.prepare(INSERT)?),
        };
        let inserted = insert.execute(touch)?;
        if inserted == 0 {
            return Ok(if had {
                Ok(Applied::Unchanged)
            } else {
                Err(repeat(line))
            });
        }
        self.inserted(effort_id, person_id, record, had);
        Ok(Ok(Applied::Inserted))
    }

    /// Keeps account of a touch this import adds.
    fn inserted(&mut self, effort_id: i64, person_id: i64, record: &TouchRecord, had: bool) {
        *self.added.entry(effort_id).or_default() += 1;
        self.referenced(person_id);
        if had {
            self.recount.insert(effort_id);
        } else if let Some(counted) = &mut self.counted
            && !counted.add(effort_id, record.kind, person_id, record.local_date)
        {
            // Too many people to keep in memory: the table is counted at the end instead.
            self.counted = None;
        }
    }

    /// Writes the touches waiting in the batch: before anything reads or moves touches, and
    /// before a row of several records begins (so that rolling it back takes only its own).
    pub fn flush(&mut self, conn: &'c Connection) -> Result<()> {
        self.batch.flush(conn)
    }

    /// A row was rolled back after some of its touches were written: the counts kept in memory
    /// may hold them.
    pub fn rolled_back(&mut self) {
        self.counted = None;
        self.people = None;
        self.batch.rolled_back();
    }

    /// Notes that a touch names this person.
    fn referenced(&mut self, person_id: i64) {
        let Some(bits) = &mut self.people else {
            return;
        };
        match usize::try_from(person_id) {
            Ok(id) if id < MAX_PERSON_BITS => {
                if id / 64 >= bits.len() {
                    bits.resize(id / 64 + 1, 0);
                }
                bits[id / 64] |= 1 << (id % 64);
            }
            _ => self.people = None,
        }
    }

    /// Person `from` was merged into `into`: their touches move at the end.
    pub fn merge_people(&mut self, from: i64, into: i64) {
        for target in self.merged.values_mut() {
            if *target == from {
                *target = into;
            }
        }
        self.merged.insert(from, into);
        self.counted = None;
    }

    /// Send `from` was folded into `into` (another name of the same send).
    pub fn merge_efforts(&mut self, from: i64, into: i64) {
        let had = self.had_touches.remove(&from).unwrap_or(true);
        *self.had_touches.entry(into).or_insert(true) |= had;
        if let Some(added) = self.added.remove(&from) {
            *self.added.entry(into).or_default() += added;
        }
        self.recount.remove(&from);
        self.recount.insert(into);
        self.counted = None;
    }

    /// Moves merged people's touches, brings the counts of every send this import changed up to
    /// date, and records how many touches it added to each. Returns the sends counted, and
    /// whether the touches this import wrote had their references checked (see `check`).
    pub fn finish(
        mut self,
        conn: &'c Connection,
        import_id: i64,
        zone: Tz,
    ) -> Result<(BTreeSet<i64>, bool)> {
        self.batch.flush(conn)?;
        if self.seen_table {
            conn.execute_batch("DROP TABLE temp.seen_touch")?;
        }
        let mut recount = std::mem::take(&mut self.recount);
        if !self.merged.is_empty() {
            recount.extend(move_merged_touches(conn, &self.merged)?);
        }
        let checked = self.check(conn)?;
        let mut counted_sends = BTreeSet::new();
        match self.counted {
            Some(counted) => counted_sends.extend(counted.write(conn)?),
            None => recount.extend(self.added.keys().copied()),
        }
        for effort_id in &recount {
            summaries::count_effort(conn, zone, *effort_id)?.write(conn, *effort_id)?;
        }
        let mut record = conn.prepare_cached(
            "INSERT INTO import_effort (import_id, effort_id, touches) VALUES (?1, ?2, ?3)",
        )?;
        for (effort_id, touches) in &self.added {
            record.execute(params![import_id, effort_id, *touches as i64])?;
        }
        counted_sends.extend(recount);
        Ok((counted_sends, checked))
    }

    /// Checks that every person and send the touches of this import name exists (SQLite's own
    /// checks are off for a bulk import): one read of the people's ids, not of every touch.
    /// False when it could not be done exactly; then the caller checks the whole table.
    fn check(&mut self, conn: &Connection) -> Result<bool> {
        let Some(mut named) = self.people.take() else {
            return Ok(false);
        };
        // A merged person's touches now name the one they were merged into.
        for (&from, &into) in &self.merged {
            let (Ok(from), Ok(into)) = (usize::try_from(from), usize::try_from(into)) else {
                return Ok(false);
            };
            if named
                .get(from / 64)
                .is_some_and(|w| w & (1 << (from % 64)) != 0)
            {
                named[from / 64] &= !(1 << (from % 64));
                if into >= MAX_PERSON_BITS {
                    return Ok(false);
                }
                if into / 64 >= named.len() {
                    named.resize(into / 64 + 1, 0);
                }
                named[into / 64] |= 1 << (into % 64);
            }
        }
        let mut stored = vec![0u64; named.len()];
        let mut ids = conn.prepare("SELECT id FROM person WHERE id < ?1")?;
        let mut rows = ids.query(params![(named.len() * 64) as i64])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            if let Ok(id) = usize::try_from(id) {
                stored[id / 64] |= 1 << (id % 64);
            }
        }
        let missing: u32 = named
            .iter()
            .zip(&stored)
            .map(|(n, s)| (n & !s).count_ones())
            .sum();
        let mut send = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM effort WHERE id = ?1)")?;
        let mut missing_sends = 0;
        for effort_id in self.added.keys() {
            if !send.query_row(params![effort_id], |row| row.get::<_, bool>(0))? {
                missing_sends += 1;
            }
        }
        if missing > 0 || missing_sends > 0 {
            anyhow::bail!(
                "touch names {missing} person row(s) and {missing_sends} effort row(s) that do not exist, so nothing was written. \
                 This is a fault in turnout, not in your file: please report it with the file"
            );
        }
        Ok(true)
    }
}

/// Gives merged people's touches to the people they were merged into (a touch both had is kept
/// once) and removes the merged people. Returns the sends whose touches changed hands.
fn move_merged_touches(conn: &Connection, merged: &BTreeMap<i64, i64>) -> Result<Vec<i64>> {
    conn.execute_batch(
        "CREATE TEMP TABLE merged_person (from_id INTEGER PRIMARY KEY, into_id INTEGER NOT NULL)",
    )?;
    {
        let mut insert =
            conn.prepare("INSERT INTO temp.merged_person (from_id, into_id) VALUES (?1, ?2)")?;
        for (from, into) in merged {
            insert.execute(params![from, into])?;
        }
    }
    let efforts: Vec<i64> = conn
        .prepare(
            "SELECT DISTINCT effort_id FROM touch
             WHERE person_id IN (SELECT from_id FROM temp.merged_person)",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute_batch(
        "UPDATE OR IGNORE touch
         SET person_id = (SELECT into_id FROM temp.merged_person WHERE from_id = touch.person_id)
         WHERE person_id IN (SELECT from_id FROM temp.merged_person);
         DELETE FROM touch WHERE person_id IN (SELECT from_id FROM temp.merged_person);
         DELETE FROM person WHERE id IN (SELECT from_id FROM temp.merged_person);
         DROP TABLE temp.merged_person;",
    )?;
    Ok(efforts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE person (id INTEGER PRIMARY KEY);
             CREATE TABLE effort (id INTEGER PRIMARY KEY);
             INSERT INTO person (id) VALUES (1), (2), (70);
             INSERT INTO effort (id) VALUES (5);",
        )
        .unwrap();
        conn
    }

    #[test]
    fn the_people_and_sends_touches_name_are_checked_merges_included() {
        let conn = store();
        let mut touches = Touches::default();
        for person in [1, 2, 70] {
            touches.referenced(person);
        }
        touches.added.insert(5, 3);
        // Person 3 was merged into 2 (and deleted): its touches name 2 now.
        touches.referenced(3);
        touches.merged.insert(3, 2);
        assert!(touches.check(&conn).unwrap());
    }

    #[test]
    fn a_missing_person_or_send_stops_the_import() {
        let conn = store();
        let mut touches = Touches::default();
        touches.referenced(4);
        touches.added.insert(5, 1);
        let err = touches.check(&conn).unwrap_err().to_string();
        assert!(
            err.contains("names 1 person row(s) and 0 effort row(s)"),
            "{err}"
        );
        let mut touches = Touches::default();
        touches.referenced(1);
        touches.added.insert(6, 1);
        let err = touches.check(&conn).unwrap_err().to_string();
        assert!(
            err.contains("names 0 person row(s) and 1 effort row(s)"),
            "{err}"
        );
    }

    #[test]
    fn after_a_rolled_back_row_the_table_is_checked_instead() {
        let conn = store();
        let mut touches = Touches::default();
        touches.referenced(4);
        touches.rolled_back();
        assert!(!touches.check(&conn).unwrap());
    }
}
