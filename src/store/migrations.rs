//! Schema migrations: the numbered files in `schema/`, embedded in the binary.
//!
//! `PRAGMA user_version` holds how many have been applied. Each runs in its own immediate
//! transaction, and the version is re-read inside it, so two processes opening a fresh database
//! at once cannot both apply the same migration.

use anyhow::{Context, Result};
use rusqlite::{Connection, TransactionBehavior};

/// Every migration in order; the schema version is their count. Append only: never edit one that
/// has shipped.
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "001_initial.sql",
        include_str!("../../schema/001_initial.sql"),
    ),
    (
        "002_calendar.sql",
        include_str!("../../schema/002_calendar.sql"),
    ),
    (
        "003_forgotten.sql",
        include_str!("../../schema/003_forgotten.sql"),
    ),
    (
        "004_faster_imports.sql",
        include_str!("../../schema/004_faster_imports.sql"),
    ),
    (
        "005_faster_appends.sql",
        include_str!("../../schema/005_faster_appends.sql"),
    ),
    (
        "006_experiments_and_effort_names.sql",
        include_str!("../../schema/006_experiments_and_effort_names.sql"),
    ),
    (
        "007_time_shapes_and_whole_weeks.sql",
        include_str!("../../schema/007_time_shapes_and_whole_weeks.sql"),
    ),
    (
        "008_compact_store.sql",
        include_str!("../../schema/008_compact_store.sql"),
    ),
    (
        "009_dropped_identifiers_and_conversations.sql",
        include_str!("../../schema/009_dropped_identifiers_and_conversations.sql"),
    ),
    (
        "010_platform_identifiers.sql",
        include_str!("../../schema/010_platform_identifiers.sql"),
    ),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Applies the migrations up to schema version `target` (a restore fills an older export's
/// tables at the version that wrote them, then brings them up to date).
pub(super) fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current >= target {
        return Ok(());
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().take(target as usize) {
        let version = index as i64 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if applied >= version {
            continue;
        }
        tx.execute_batch(sql)
            .with_context(|| format!("schema migration {name} failed"))?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_cleanly_and_set_the_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        // Running again is a no-op.
        migrate(&mut conn).unwrap();
        let metrics: i64 = conn
            .query_row("SELECT count(*) FROM metric WHERE builtin = 1", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(metrics, 38);
    }

    #[test]
    fn migration_files_are_numbered_in_order() {
        for (index, (name, _)) in MIGRATIONS.iter().enumerate() {
            let number: usize = name[..3].parse().unwrap();
            assert_eq!(number, index + 1, "{name} is out of order");
        }
    }

    #[test]
    fn every_schema_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = MIGRATIONS
            .iter()
            .map(|(name, _)| name.to_string())
            .collect();
        assert_eq!(on_disk, embedded);
    }
}
