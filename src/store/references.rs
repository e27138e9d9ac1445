//! Checking every reference between tables in one pass per reference, for writes made with
//! SQLite's per-row foreign-key checks off (a bulk import: three lookups for each of a million
//! rows cost more than a fifth of its time; checking each distinct value once costs a second or
//! less, and the lookup indexes it reads were just built).

use std::collections::HashMap;

use anyhow::{Result, bail};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};

/// Parent keys below this are checked by bits (16 MiB of them at most).
const MAX_KEY_BITS: i64 = 1 << 27;

/// Fails, naming the table, column and the missing parent, if any row refers to a row that does
/// not exist. The references are read from the schema, so a new table is checked too.
pub fn check_references(conn: &Connection) -> Result<()> {
    check_references_except(conn, &[])
}

/// The same, but for the tables whose new rows the caller has checked already.
pub fn check_references_except(conn: &Connection, checked: &[&str]) -> Result<()> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut parents = ParentKeys::default();
    for table in tables.iter().filter(|t| !checked.contains(&t.as_str())) {
        // (id, column, parent table, parent column or none for its primary key)
        let references: Vec<(i64, String, String, Option<String>)> = conn
            .prepare("SELECT id, \"from\", \"table\", \"to\" FROM pragma_foreign_key_list(?1)")?
            .query_map([&table], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (id, column, parent, parent_column) in &references {
            let missing: i64 = if references.iter().filter(|r| r.0 == *id).count() > 1 {
                // A reference over several columns: SQLite's own check, row by row.
                conn.query_row(
                    "SELECT count(*) FROM pragma_foreign_key_check(?1) WHERE fkid = ?2",
                    rusqlite::params![table, id],
                    |row| row.get(0),
                )?
            } else {
                // No column named: the parent's primary key (its rowid when it declares none).
                let parent_column = match parent_column {
                    Some(name) => name.clone(),
                    None => conn
                        .query_row(
                            "SELECT name FROM pragma_table_info(?1) WHERE pk = 1",
                            [parent],
                            |row| row.get(0),
                        )
                        .optional()?
                        .unwrap_or_else(|| "rowid".to_string()),
                };
                match parents.missing(conn, table, column, parent, &parent_column)? {
                    Some(missing) => missing,
                    None => missing_by_lookup(conn, table, column, parent, &parent_column)?,
                }
            };
            if missing > 0 {
                bail!(
                    "{table}.{column} names a {parent} that does not exist ({missing} reference(s)), so nothing was written. \
                     This is a fault in turnout, not in your file: please report it with the file"
                );
            }
        }
    }
    Ok(())
}

/// The keys of each parent table as bits, read once for all the columns that name it: a
/// column's values are then checked in one pass over it, with no lookup in the parent (the
/// 200,000 identifiers of a first import: 18-30 ms, against 46-78 ms looking each one up).
#[derive(Default)]
struct ParentKeys {
    /// (table, column) -> one bit per key, or none when a key is not a small whole number.
    bits: HashMap<(String, String), Option<Vec<u64>>>,
}

impl ParentKeys {
    /// How many of the column's values name no parent, or none when they cannot be checked by
    /// bits (a key or value that is not a whole number from 0 to `MAX_KEY_BITS`).
    fn missing(
        &mut self,
        conn: &Connection,
        table: &str,
        column: &str,
        parent: &str,
        parent_column: &str,
    ) -> Result<Option<i64>> {
        let key = (parent.to_string(), parent_column.to_string());
        if !self.bits.contains_key(&key) {
            let bits = key_bits(conn, parent, parent_column)?;
            self.bits.insert(key.clone(), bits);
        }
        let Some(Some(bits)) = self.bits.get(&key) else {
            return Ok(None);
        };
        let mut values = conn.prepare(&format!(
            "SELECT \"{column}\" FROM \"{table}\" WHERE \"{column}\" IS NOT NULL"
        ))?;
        let mut rows = values.query([])?;
        let mut missing = 0;
        while let Some(row) = rows.next()? {
            let ValueRef::Integer(value) = row.get_ref(0)? else {
                return Ok(None);
            };
            let named = usize::try_from(value)
                .ok()
                .and_then(|v| bits.get(v / 64).map(|word| word & (1 << (v % 64)) != 0));
            missing += i64::from(named != Some(true));
        }
        Ok(Some(missing))
    }
}

/// One bit per key of the parent, or none when a key is not a whole number below `MAX_KEY_BITS`.
fn key_bits(conn: &Connection, parent: &str, parent_column: &str) -> Result<Option<Vec<u64>>> {
    let mut keys = conn.prepare(&format!("SELECT \"{parent_column}\" FROM \"{parent}\""))?;
    let mut rows = keys.query([])?;
    let mut bits: Vec<u64> = Vec::new();
    while let Some(row) = rows.next()? {
        let ValueRef::Integer(key) = row.get_ref(0)? else {
            return Ok(None);
        };
        if !(0..MAX_KEY_BITS).contains(&key) {
            return Ok(None);
        }
        let key = key as usize;
        if key / 64 >= bits.len() {
            bits.resize(key / 64 + 1, 0);
        }
        bits[key / 64] |= 1 << (key % 64);
    }
    Ok(Some(bits))
}

/// How many of the column's values name no parent, looked up in the parent's key.
fn missing_by_lookup(
    conn: &Connection,
    table: &str,
    column: &str,
    parent: &str,
    parent_column: &str,
) -> Result<i64> {
    // Each value once when an index lists them in order; otherwise row by row against the
    // parent's key (a DISTINCT would first sort the whole column: for 200,000 identifiers,
    // three times as long).
    let distinct = if leads_an_index(conn, table, column)? {
        "DISTINCT"
    } else {
        ""
    };
    Ok(conn.query_row(
        &format!(
            "SELECT count(*) FROM (SELECT {distinct} \"{column}\" AS v FROM \"{table}\"
                                               WHERE \"{column}\" IS NOT NULL)
                         WHERE v NOT IN (SELECT \"{parent_column}\" FROM \"{parent}\")"
        ),
        [],
        |row| row.get(0),
    )?)
}

/// Whether an index of the table starts with this column.
fn leads_an_index(conn: &Connection, table: &str, column: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM pragma_index_list(?1) AS l, pragma_index_info(l.name) AS i
             WHERE i.seqno = 0 AND i.name = ?2",
            [table, column],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_parent_is_named() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE person (id INTEGER PRIMARY KEY);
             CREATE TABLE metric (name TEXT PRIMARY KEY) WITHOUT ROWID;
             CREATE TABLE touch (id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES person (id),
                                 metric TEXT REFERENCES metric, other INTEGER REFERENCES person);
             INSERT INTO person VALUES (1), (2);
             INSERT INTO metric VALUES ('opens');
             INSERT INTO touch VALUES (1, 1, 'opens', NULL), (2, 2, NULL, 2), (3, NULL, 'opens', 1);",
        )
        .unwrap();
        check_references(&conn).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF; INSERT INTO touch VALUES (4, 3, 'opens', 1);",
        )
        .unwrap();
        let err = check_references(&conn).unwrap_err().to_string();
        assert!(
            err.contains("touch.person_id names a person that does not exist (1 reference(s))"),
            "{err}"
        );
        // Beyond the parent's highest key, and below zero: missing too.
        conn.execute_batch("INSERT INTO touch VALUES (6, 1000, 'opens', 1), (7, -1, 'opens', 1);")
            .unwrap();
        let err = check_references(&conn).unwrap_err().to_string();
        assert!(
            err.contains("touch.person_id names a person that does not exist (3 reference(s))"),
            "{err}"
        );
        conn.execute_batch("DELETE FROM touch WHERE id IN (6, 7);")
            .unwrap();
        conn.execute_batch(
            "DELETE FROM touch WHERE id = 4; INSERT INTO touch VALUES (5, 1, 'clicks', 1);",
        )
        .unwrap();
        let err = check_references(&conn).unwrap_err().to_string();
        assert!(
            err.contains("touch.metric names a metric that does not exist (1 reference(s))"),
            "{err}"
        );
    }
}
