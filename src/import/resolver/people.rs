//! People as rows name them: each row's hashed identifiers found among the stored ones, a new
//! person for identifiers never seen, and two people joined when one row names both.

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};

use crate::import::model::{Applied, PersonIds};
use crate::people::{IdHash, IdKind};

/// The most identifiers remembered (about 8 MiB): beyond that, memory stays flat and people are
/// looked up in the identifier index instead.
const REMEMBERED: usize = 250_000;

pub struct People {
    /// Who each identifier hash belongs to, as far as this import has
    /// looked: people recur on many rows of an export, and a lookup in memory is far cheaper
    /// than one in the identifier index. Cleared whenever people are merged.
    known: foldhash::HashMap<IdHash, i64>,
    /// Whether `known` holds every stored identifier (none was stored when the import began,
    /// and the cache was never cleared since): then a person it does not know is new, with no
    /// need to look in the table.
    complete: bool,
    /// People merged into others (from, into), since last taken.
    merged: Vec<(i64, i64)>,
    /// How many identifiers `known` may hold.
    limit: usize,
}

impl People {
    pub fn new(conn: &Connection) -> Result<People> {
        People::remembering(conn, REMEMBERED)
    }

    fn remembering(conn: &Connection, limit: usize) -> Result<People> {
        let none_stored: bool = conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM person_identifier)",
            [],
            |row| row.get(0),
        )?;
        Ok(People {
            known: foldhash::HashMap::default(),
            complete: none_stored,
            merged: Vec::new(),
            limit,
        })
    }

    /// Forgets what this import found (its rows were rolled back, or no row is left to read).
    pub fn forget(&mut self) {
        self.known = foldhash::HashMap::default();
        self.complete = false;
    }

    /// People merged into others since last asked: (from, into).
    pub fn take_merged(&mut self) -> Vec<(i64, i64)> {
        std::mem::take(&mut self.merged)
    }

    /// The person these identifiers belong to, creating or joining people as needed: a row that
    /// carries two identifiers seen on two different people merges them into one.
    pub fn person(&mut self, conn: &Connection, ids: &PersonIds) -> Result<(Option<i64>, Applied)> {
        if ids.hashes.is_empty() {
            return Ok((None, Applied::Unchanged));
        }
        // Most rows name one person already met.
        if let [(_, hash)] = ids.hashes.as_slice()
            && let Some(&id) = self.known.get(hash)
        {
            return Ok((Some(id), Applied::Unchanged));
        }
        let mut owners: Vec<i64> = Vec::new();
        let mut unknown: Vec<&(IdKind, IdHash)> = Vec::new();
        for entry in &ids.hashes {
            match self.owner(conn, &entry.1)? {
                Some(id) if !owners.contains(&id) => owners.push(id),
                Some(_) => {}
                None => unknown.push(entry),
            }
        }
        let mut applied = Applied::Unchanged;
        let person = match owners.iter().min() {
            Some(&id) => id,
            None => {
                conn.prepare_cached("INSERT INTO person DEFAULT VALUES")?
                    .execute([])?;
                applied = Applied::Inserted;
                conn.last_insert_rowid()
            }
        };
        for &other in owners.iter().filter(|&&o| o != person) {
            // Identifiers and actions move now; touches (many, and ordered by send, not by
            // person) move at the end, in one pass for every merge (`Touches::finish`).
            for table in ["person_identifier", "action"] {
                conn.execute(
                    &format!("UPDATE {table} SET person_id = ?1 WHERE person_id = ?2"),
                    params![person, other],
                )?;
            }
            self.merged.push((other, person));
            self.forget();
            applied = Applied::Updated;
        }
        for (kind, hash) in unknown {
            conn.prepare_cached(
                "INSERT INTO person_identifier (hash, kind, person_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![hash, kind.as_str(), person])?;
            self.remember(hash, person);
            if applied == Applied::Unchanged {
                applied = Applied::Updated;
            }
        }
        Ok((Some(person), applied))
    }

    /// Who an identifier belongs to, from memory, else from the table.
    fn owner(&mut self, conn: &Connection, hash: &IdHash) -> Result<Option<i64>> {
        if let Some(&id) = self.known.get(hash) {
            return Ok(Some(id));
        }
        if self.complete {
            return Ok(None);
        }
        let owner: Option<i64> = conn
            .prepare_cached("SELECT person_id FROM person_identifier WHERE hash = ?1")?
            .query_row(params![hash], |row| row.get(0))
            .optional()?;
        if let Some(id) = owner {
            self.remember(hash, id);
        }
        Ok(owner)
    }

    fn remember(&mut self, hash: &IdHash, person: i64) {
        if self.known.len() >= self.limit {
            // Whom it forgets is in the table: from now on, an identifier it does not know is
            // looked up there.
            self.forget();
        }
        self.known.insert(*hash, person);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u8) -> PersonIds {
        PersonIds {
            hashes: vec![(IdKind::Email, IdHash([n; 16]))],
            ..PersonIds::default()
        }
    }

    #[test]
    fn people_forgotten_from_memory_are_found_in_the_table() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE person (id INTEGER PRIMARY KEY);
             CREATE TABLE person_identifier (hash BLOB PRIMARY KEY, kind TEXT, person_id INTEGER)
                 WITHOUT ROWID;",
        )
        .unwrap();
        let mut people = People::remembering(&conn, 2).unwrap();
        let first: Vec<i64> = (1..=5)
            .map(|n| people.person(&conn, &ids(n)).unwrap().0.unwrap())
            .collect();
        assert_eq!(first, vec![1, 2, 3, 4, 5]);
        assert!(people.known.len() <= 2);
        for n in 1..=5u8 {
            let (person, applied) = people.person(&conn, &ids(n)).unwrap();
            assert_eq!(person, Some(i64::from(n)));
            assert_eq!(applied, Applied::Unchanged);
        }
    }
}
