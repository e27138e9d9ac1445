//! Checking every reference between tables in one pass per reference, for writes made with
//! SQLite's per-row foreign-key checks off (a bulk import: three lookups for each of a million
//! rows cost more than a fifth of its time; checking each distinct value once costs a second or
//! less, and the lookup indexes it reads were just built).

use anyhow::{Result, bail};
use rusqlite::{Connection, OptionalExtension};

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
                // Each value once when an index lists them in order; otherwise row by row
                // against the parent's key (a DISTINCT would first sort the whole column: for
                // 200,000 identifiers, three times as long).
                let distinct = if leads_an_index(conn, table, column)? {
                    "DISTINCT"
                } else {
                    ""
                };
                conn.query_row(
                    &format!(
                        "SELECT count(*) FROM (SELECT {distinct} \"{column}\" AS v FROM \"{table}\"
                                               WHERE \"{column}\" IS NOT NULL)
                         WHERE v NOT IN (SELECT \"{parent_column}\" FROM \"{parent}\")"
                    ),
                    [],
                    |row| row.get(0),
                )?
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
