//! Honouring a person's request to be forgotten: their touches, actions, hashes and places in
//! experiments go, everywhere (the tools' aggregate numbers stay: they never named anyone), and a tombstone of their hashes
//! makes later imports of old files skip their rows ("forgotten") instead of bringing them back.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use rusqlite::{OptionalExtension, params};

use crate::people::{Hasher, IdHash, IdKind, normalize_email, normalize_phone};
use crate::store::summaries;
use crate::store::{Store, now_utc, settings};

/// What forgetting someone removes (or would remove).
#[derive(Debug, Clone, Default)]
pub struct Forgetting {
    /// Whether anyone was known by the identifier.
    pub known: bool,
    pub identifiers: usize,
    pub touches: usize,
    pub actions: usize,
    /// Places in experiments' groups.
    pub experiments: usize,
    pub applied: bool,
}

pub fn forget(store: &mut Store, identifier: &str, apply: bool) -> Result<Forgetting> {
    let conn = store.conn();
    let country = settings::get(conn, "default_country")?;
    let (kind, normalized) = if let Some(email) = normalize_email(identifier) {
        (IdKind::Email, email)
    } else if let Some(phone) = normalize_phone(identifier, &country) {
        (IdKind::Phone, phone)
    } else {
        bail!("'{identifier}' is neither an email address nor a phone number");
    };
    let has_people: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM person)", [], |row| row.get(0))?;
    let hasher = Hasher::open(store.path(), has_people)?;
    let hash = hasher.hash(kind, &normalized);
    let person: Option<i64> = conn
        .query_row(
            "SELECT person_id FROM person_identifier WHERE hash = ?1",
            params![hash],
            |row| row.get(0),
        )
        .optional()?;
    let mut result = Forgetting::default();
    let mut identifiers: Vec<(IdHash, String)> = vec![(hash, kind.as_str().to_string())];
    if let Some(person) = person {
        result.known = true;
        identifiers = conn
            .prepare("SELECT hash, kind FROM person_identifier WHERE person_id = ?1")?
            .query_map(params![person], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        result.identifiers = identifiers.len();
        result.touches = conn.query_row(
            "SELECT count(*) FROM touch WHERE person_id = ?1",
            params![person],
            |r| r.get::<_, i64>(0),
        )? as usize;
        result.actions = conn.query_row(
            "SELECT count(*) FROM action WHERE person_id = ?1",
            params![person],
            |r| r.get::<_, i64>(0),
        )? as usize;
    }
    let hashes: Vec<IdHash> = identifiers.iter().map(|(hash, _)| *hash).collect();
    let (memberships, member_ids) = crate::experiment::memberships(conn, &hashes)?;
    result.experiments = memberships.len();
    result.known |= !memberships.is_empty();
    for id in member_ids {
        if !identifiers.contains(&id) {
            identifiers.push(id);
        }
    }
    if !apply {
        return Ok(result);
    }
    let tx = store.conn_mut().transaction()?;
    if let Some(person) = person {
        let efforts: BTreeSet<i64> = tx
            .prepare("SELECT DISTINCT effort_id FROM touch WHERE person_id = ?1")?
            .query_map(params![person], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let days: BTreeSet<(i64, String)> = tx
            .prepare("SELECT DISTINCT ifnull(campaign_id, 0), local_date FROM action WHERE person_id = ?1")?
            .query_map(params![person], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute("DELETE FROM touch WHERE person_id = ?1", params![person])?;
        tx.execute("DELETE FROM action WHERE person_id = ?1", params![person])?;
        tx.execute(
            "DELETE FROM person_identifier WHERE person_id = ?1",
            params![person],
        )?;
        tx.execute("DELETE FROM person WHERE id = ?1", params![person])?;
        summaries::rebuild(&tx, settings::timezone(&tx)?, efforts, days, false)?;
    }
    crate::experiment::forget(&tx, &memberships)?;
    for (hash, kind) in &identifiers {
        tx.execute(
            "INSERT OR IGNORE INTO forgotten (hash, kind, forgotten_at) VALUES (?1, ?2, ?3)",
            params![hash, kind, now_utc()],
        )?;
    }
    tx.commit()?;
    result.applied = true;
    Ok(result)
}
