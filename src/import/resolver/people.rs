//! People as rows name them: each row's hashed identifiers found among the stored ones, a new
//! person for identifiers never seen, and two people joined when one row names both.

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};

use super::held_people::HeldPeople;
use crate::import::model::{Applied, PersonIds};
use crate::people::{IdHash, IdKind};

/// The most identifiers remembered (about 6.5 MiB, what fits in 2^18 slots of the map): beyond
/// that, memory stays flat and people are looked up in the identifier index instead.
const REMEMBERED: usize = 229_000;

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
    /// New people not yet written (see `held_people`), while holding them is allowed. Every
    /// identifier held is also in `known`, so it is never looked for in the table.
    held: Option<HeldPeople>,
    /// Whether new people may be held (a bulk import, outside a row's savepoint).
    may_hold: bool,
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
            held: None,
            may_hold: false,
        })
    }

    /// From now on, new people are held and written in batches (see `held_people`): only
    /// while SQLite's reference checks are off.
    pub fn hold_new(&mut self, conn: &Connection) -> Result<()> {
        self.may_hold = true;
        self.resume(conn)
    }

    /// Writes the people held, and holds no more until `resume`: a row's savepoint is about
    /// to begin, and rolling it back must take only its own people.
    pub fn pause(&mut self, conn: &Connection) -> Result<()> {
        if let Some(mut held) = self.held.take() {
            held.write(conn)?;
        }
        Ok(())
    }

    /// Holds new people again after `pause`.
    pub fn resume(&mut self, conn: &Connection) -> Result<()> {
        if self.may_hold && self.held.is_none() {
            self.held = Some(HeldPeople::new(conn)?);
        }
        Ok(())
    }

    /// Writes the people held so far.
    fn write_held(&mut self, conn: &Connection) -> Result<()> {
        match &mut self.held {
            Some(held) => held.write(conn),
            None => Ok(()),
        }
    }

    /// Writes the people held, then forgets what this import found: no row is left to read.
    pub fn finish(&mut self, conn: &Connection) -> Result<()> {
        self.write_held(conn)?;
        self.forget();
        Ok(())
    }

    /// Forgets what this import found (its rows were rolled back: none was held, see
    /// `pause`).
    pub fn forget(&mut self) {
        self.known = foldhash::HashMap::default();
        self.complete = false;
    }

    /// People merged into others since last asked: (from, into).
    pub fn take_merged(&mut self) -> Vec<(i64, i64)> {
        std::mem::take(&mut self.merged)
    }

    /// Looks up, ahead of writing them, the people a batch of rows names. Each lookup misses
    /// the CPU's caches (the map is several MiB); made one after another with nothing between,
    /// the processor waits for several at once, and `person` then finds them in the cache.
    pub fn warm<'a>(&self, batch: impl Iterator<Item = &'a PersonIds>) {
        let mut known = 0usize;
        for ids in batch {
            if let [(_, hash)] = ids.hashes.as_slice() {
                known += usize::from(self.known.contains_key(hash));
            }
        }
        std::hint::black_box(known);
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
        let person = match (owners.iter().min(), &mut self.held) {
            (Some(&id), _) => id,
            (None, Some(held)) => {
                applied = Applied::Inserted;
                held.new_person()
            }
            (None, None) => {
                conn.prepare_cached("INSERT INTO person DEFAULT VALUES")?
                    .execute([])?;
                applied = Applied::Inserted;
                conn.last_insert_rowid()
            }
        };
        if owners.len() > 1 {
            // The people joined may be held: they are moved in the tables.
            self.write_held(conn)?;
        }
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
            match &mut self.held {
                Some(held) => held.add_identifier(*hash, *kind, person),
                None => {
                    conn.prepare_cached(
                        "INSERT INTO person_identifier (hash, kind, person_id) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![hash, kind.as_str(), person])?;
                }
            }
            self.remember(conn, hash, person)?;
            if applied == Applied::Unchanged {
                applied = Applied::Updated;
            }
        }
        if self.held.as_ref().is_some_and(HeldPeople::is_full) {
            self.write_held(conn)?;
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
            self.remember(conn, hash, id)?;
        }
        Ok(owner)
    }

    fn remember(&mut self, conn: &Connection, hash: &IdHash, person: i64) -> Result<()> {
        if self.known.len() >= self.limit {
            // Whom it forgets is in the table (the people held are written first): from now
            // on, an identifier it does not know is looked up there.
            self.write_held(conn)?;
            self.forget();
        }
        self.known.insert(*hash, person);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u8) -> PersonIds {
        PersonIds {
            hashes: smallvec::smallvec![(IdKind::Email, IdHash([n; 16]))],
            ..PersonIds::default()
        }
    }

    fn tables() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE person (id INTEGER PRIMARY KEY);
             CREATE TABLE person_identifier (hash BLOB PRIMARY KEY, kind TEXT, person_id INTEGER)
                 WITHOUT ROWID;
             CREATE TABLE action (person_id INTEGER);",
        )
        .unwrap();
        conn
    }

    /// (person ids, identifier rows (first hash byte, person)) as stored.
    fn stored(conn: &Connection) -> (Vec<i64>, Vec<(u8, i64)>) {
        let people = conn
            .prepare("SELECT id FROM person ORDER BY id")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let identifiers = conn
            .prepare("SELECT hash, person_id FROM person_identifier ORDER BY hash")
            .unwrap()
            .query_map([], |row| Ok((row.get::<_, Vec<u8>>(0)?[0], row.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        (people, identifiers)
    }

    fn both(a: u8, b: u8) -> PersonIds {
        PersonIds {
            hashes: smallvec::smallvec![
                (IdKind::Email, IdHash([a; 16])),
                (IdKind::Phone, IdHash([b; 16])),
            ],
            ..PersonIds::default()
        }
    }

    #[test]
    fn people_held_are_written_as_if_written_one_by_one() {
        let conn = tables();
        conn.execute_batch("INSERT INTO person (id) VALUES (7)")
            .unwrap();
        let mut people = People::remembering(&conn, 3).unwrap();
        people.hold_new(&conn).unwrap();
        // New people get the ids SQLite would give them, and nothing is written yet.
        let (eight, applied) = people.person(&conn, &ids(30)).unwrap();
        assert_eq!((eight, applied), (Some(8), Applied::Inserted));
        assert_eq!(people.person(&conn, &ids(20)).unwrap().0, Some(9));
        assert_eq!(
            people.person(&conn, &ids(30)).unwrap(),
            (Some(8), Applied::Unchanged)
        );
        assert_eq!(stored(&conn), (vec![7], vec![]));
        // A row that names two people held joins them: both are written first.
        assert_eq!(
            people.person(&conn, &both(30, 20)).unwrap(),
            (Some(8), Applied::Updated)
        );
        assert_eq!(stored(&conn), (vec![7, 8, 9], vec![(20, 8), (30, 8)]));
        assert_eq!(people.take_merged(), vec![(9, 8)]);
        // Past the memory's limit, the people held are written before it forgets them.
        for n in 40..44 {
            people.person(&conn, &ids(n)).unwrap();
        }
        let (ids_stored, identifiers) = stored(&conn);
        assert!(ids_stored.len() > 3 && identifiers.len() > 2);
        // A row's savepoint: held people are written, and new ones are written at once.
        people.pause(&conn).unwrap();
        assert_eq!(people.person(&conn, &ids(50)).unwrap().0, Some(14));
        assert_eq!(stored(&conn).0.len(), 8);
        people.resume(&conn).unwrap();
        assert_eq!(people.person(&conn, &ids(60)).unwrap().0, Some(15));
        people.finish(&conn).unwrap();
        assert_eq!(stored(&conn).0, vec![7, 8, 9, 10, 11, 12, 13, 14, 15]);
        assert_eq!(stored(&conn).1.len(), 8);
    }

    #[test]
    fn people_forgotten_from_memory_are_found_in_the_table() {
        let conn = tables();
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
