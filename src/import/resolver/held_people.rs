//! People new to the database during a bulk import, written in sorted batches instead of one at
//! a time. A first import of a million opens meets two hundred thousand people: inserting each
//! as it appears, at a random place in the identifier table (ordered by hash), cost a third of
//! the writing thread. Held, a new person is a number given at once; every so often the people
//! are written in one statement and their identifiers in hash order, 128 to a statement.
//!
//! Only while SQLite's reference checks are off (a bulk import checks every reference once
//! before it commits): a touch may name a person not yet written.

use anyhow::Result;
use rusqlite::{Connection, ToSql};

use crate::people::{IdHash, IdKind};

/// Identifiers held before they are written (about 7 MiB): as many as the import remembers
/// people (`people::REMEMBERED`), so a file of 200,000 new people writes them all at once, in
/// one sorted pass that only appends to an empty table (in batches of 65,536 each batch after
/// the first split pages all over the ones before: 9% of the writing thread).
const HELD: usize = 229_000;
/// People written by one statement.
const PEOPLE_BATCH: usize = 512;
/// Identifiers written by one statement.
const BATCH: usize = 128;

pub struct HeldPeople {
    /// The id the next new person gets: one past the highest stored or held.
    next_id: i64,
    /// The first id not yet written.
    first_unwritten: i64,
    /// (hash, person, kind): 32 bytes each.
    identifiers: Vec<(IdHash, i64, IdKind)>,
}

impl HeldPeople {
    pub fn new(conn: &Connection) -> Result<HeldPeople> {
        // What SQLite gives a row inserted without an id: one past the highest.
        let next_id: i64 =
            conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM person", [], |row| {
                row.get(0)
            })?;
        Ok(HeldPeople {
            next_id,
            first_unwritten: next_id,
            identifiers: Vec::with_capacity(HELD),
        })
    }

    /// A new person's id; the person is written with the next batch.
    pub fn new_person(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id - 1
    }

    pub fn add_identifier(&mut self, hash: IdHash, kind: IdKind, person: i64) {
        self.identifiers.push((hash, person, kind));
    }

    pub fn is_full(&self) -> bool {
        self.identifiers.len() >= HELD
    }

    /// Writes the people and identifiers held so far.
    pub fn write(&mut self, conn: &Connection) -> Result<()> {
        if self.next_id > self.first_unwritten {
            // Many to a statement (three times as fast as a recursive query counting them).
            let values = vec!["(?)"; PEOPLE_BATCH].join(", ");
            let mut batch =
                conn.prepare_cached(&format!("INSERT INTO person (id) VALUES {values}"))?;
            let mut one = conn.prepare_cached("INSERT INTO person (id) VALUES (?1)")?;
            let mut first = self.first_unwritten;
            while first < self.next_id {
                let last = (first + PEOPLE_BATCH as i64).min(self.next_id);
                if last - first == PEOPLE_BATCH as i64 {
                    batch.execute(rusqlite::params_from_iter(first..last))?;
                } else {
                    for id in first..last {
                        one.execute([id])?;
                    }
                }
                first = last;
            }
            self.first_unwritten = self.next_id;
        }
        // In the table's order, each lands beside the one before.
        self.identifiers.sort_unstable_by_key(|(hash, _, _)| *hash);
        let mut chunks = self.identifiers.chunks_exact(BATCH);
        let mut batch = conn.prepare_cached(&insert_statement(BATCH))?;
        for chunk in chunks.by_ref() {
            batch.execute(rusqlite::params_from_iter(chunk.iter().flat_map(cells)))?;
        }
        let mut one = conn.prepare_cached(&insert_statement(1))?;
        for identifier in chunks.remainder() {
            one.execute(rusqlite::params_from_iter(cells(identifier)))?;
        }
        self.identifiers.clear();
        Ok(())
    }
}

fn cells((hash, person, kind): &(IdHash, i64, IdKind)) -> [&dyn ToSql; 3] {
    [hash, kind, person]
}

fn insert_statement(rows: usize) -> String {
    let values = vec!["(?, ?, ?)"; rows].join(", ");
    format!("INSERT INTO person_identifier (hash, kind, person_id) VALUES {values}")
}
