//! Recognising a file that was imported before and has not changed since, so that importing it
//! again (a script run twice, a folder re-imported every week) costs one read of the file
//! instead of a walk through every row, with the same outcome a full import would have.
//!
//! The same outcome is guaranteed by three checks, all of which must hold:
//! - the file's bytes are the same (sha256) and so is everything else that decides how it is
//!   read (the context fingerprint: turnout version, profile, file name, options, today's date,
//!   and the campaigns, codes, metrics, settings and forgotten people in the database);
//! - the earlier import finished and was written (not a dry run);
//! - every row it wrote or confirmed still names it: no later import (an overlapping newer
//!   export) has overwritten or re-confirmed any of them, and `forget` removed none of them.
//!
//! If any check fails the file is imported row by row, as always.

use anyhow::Result;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::import::model::shape::Moment;
use crate::import::model::spec::Shape;
use crate::import::model::{Counts, ImportObserver, ImportOptions, ReadContext};

/// The tables whose rows record which import wrote them (`import_id`).
/// Touches are counted per send instead (`import_effort`).
const OWNED_TABLES: [&str; 3] = ["action", "metric_value", "plan_item"];

/// The tables whose contents change how a file's rows are read and linked.
const CONTEXT_TABLES: [&str; 6] = [
    "setting",
    "metric",
    "campaign",
    "campaign_code",
    "audience_map",
    "forgotten",
];

/// A hash of everything besides the file's bytes that decides what importing it does.
pub(crate) fn fingerprint(
    conn: &Connection,
    profile_name: &str,
    profile_text: &str,
    options: &ImportOptions,
    context: &ReadContext,
) -> Result<String> {
    let mut hasher = Sha256::new();
    let mut part = |text: &str| {
        hasher.update(text.as_bytes());
        hasher.update([0x1f]);
    };
    part(env!("CARGO_PKG_VERSION"));
    part(profile_name);
    part(profile_text);
    part(&context.file_name);
    part(&format!(
        "{:?}|{:?}|{:?}|{:?}|{}",
        context.campaign_override.as_ref().map(|(_, id)| id),
        options.tz,
        options.time,
        options.set,
        // Rows without a date take today's; dates are checked against a window around today.
        options.today
    ));
    for table in CONTEXT_TABLES {
        part(table);
        // Tables kept in key order (WITHOUT ROWID) are read in that order.
        let order = if table == "forgotten" {
            "hash"
        } else {
            "rowid"
        };
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))?;
        let columns = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..columns {
                part(&match row.get_ref(i)? {
                    ValueRef::Null => "\u{0}".to_string(),
                    ValueRef::Integer(n) => n.to_string(),
                    ValueRef::Real(x) => x.to_string(),
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    ValueRef::Blob(b) => hex::encode(b),
                });
            }
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Whether an import of this profile with this context has ever finished: only then is the
/// file worth hashing before it is read.
pub(crate) fn any_candidate(conn: &Connection, profile: &str, context: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM import
                        WHERE profile = ?1 AND context = ?2 AND finished_at IS NOT NULL)",
        params![profile, context],
        |row| row.get(0),
    )?)
}

/// An earlier import whose outcome importing this file again would repeat exactly.
pub(crate) struct Earlier {
    /// The import whose rows these are (the first of a chain of unchanged re-imports).
    pub owner: i64,
    pub counts: Counts,
    pub notes: Option<String>,
}

/// An import's ledger entry: how many rows it owned, its counts and its notes.
fn outcome_of(conn: &Connection, import_id: i64) -> Result<(Option<i64>, Counts, Option<String>)> {
    Ok(conn.query_row(
        "SELECT rows_owned, rows_read, inserted, updated, unchanged, rejected, skipped, notes
         FROM import WHERE id = ?1",
        params![import_id],
        |row| {
            Ok((
                row.get(0)?,
                Counts {
                    rows_read: row.get::<_, i64>(1)? as u64,
                    inserted: row.get::<_, i64>(2)? as u64,
                    updated: row.get::<_, i64>(3)? as u64,
                    unchanged: row.get::<_, i64>(4)? as u64,
                    rejected: row.get::<_, i64>(5)? as u64,
                    skipped: row.get::<_, i64>(6)? as u64,
                },
                row.get(7)?,
            ))
        },
    )?)
}

/// The earlier import of the same bytes in the same context whose rows are all still as it
/// left them, if there is one.
pub(crate) fn find(
    conn: &Connection,
    sha256: &str,
    profile: &str,
    context: &str,
) -> Result<Option<Earlier>> {
    let latest: Option<(i64, Option<i64>)> = conn
        .query_row(
            "SELECT id, same_as FROM import
             WHERE sha256 = ?1 AND profile = ?2 AND context = ?3 AND finished_at IS NOT NULL
             ORDER BY id DESC LIMIT 1",
            params![sha256, profile, context],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((latest, same_as)) = latest else {
        return Ok(None);
    };
    let owner = same_as.unwrap_or(latest);
    let (rows_owned, counts, notes) = outcome_of(conn, owner)?;
    let Some(rows_owned) = rows_owned else {
        return Ok(None);
    };
    let mut still_owned = 0i64;
    for table in OWNED_TABLES {
        still_owned += conn.query_row(
            &format!("SELECT count(*) FROM {table} WHERE import_id = ?1"),
            params![owner],
            |row| row.get::<_, i64>(0),
        )?;
    }
    // Its touches are as it left them while no later import has written touches of its sends.
    let touches_taken: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM import_effort mine
                        JOIN import_effort later ON later.effort_id = mine.effort_id
                                                AND later.import_id > mine.import_id
                        WHERE mine.import_id = ?1)",
        params![owner],
        |row| row.get(0),
    )?;
    Ok(
        (still_owned == rows_owned && !touches_taken).then_some(Earlier {
            owner,
            counts,
            notes,
        }),
    )
}

/// The earlier import of the same bytes with the same profile, whatever the day or flags: for a
/// snapshot or a period total, the same file is the same download, so importing it again on
/// another day (or with another `--as-of`) must change nothing rather than date it anew.
pub(crate) fn find_same_download(
    conn: &Connection,
    sha256: &str,
    profile: &str,
    campaign_id: Option<i64>,
) -> Result<Option<Earlier>> {
    let found: Option<(i64, Option<i64>)> = conn
        .query_row(
            "SELECT id, same_as FROM import
             WHERE sha256 = ?1 AND profile = ?2 AND finished_at IS NOT NULL
               -- A file first imported unlinked and now given a campaign is read again, which
               -- links its rows instead of copying them.
               AND (?3 IS NULL OR campaign_id IS ?3)
             ORDER BY id DESC LIMIT 1",
            params![sha256, profile, campaign_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((latest, same_as)) = found else {
        return Ok(None);
    };
    let owner = same_as.unwrap_or(latest);
    let (_, counts, notes) = outcome_of(conn, owner)?;
    Ok(Some(Earlier {
        owner,
        counts,
        notes,
    }))
}

/// What the earlier import's outcome is when the same file comes again: every row it took is
/// unchanged, and the rows it rejected or skipped are rejected or skipped again, for the same
/// reasons.
pub(crate) fn repeated_counts(earlier: &Counts) -> Counts {
    Counts {
        rows_read: earlier.rows_read,
        inserted: 0,
        updated: 0,
        unchanged: earlier.inserted + earlier.updated + earlier.unchanged,
        rejected: earlier.rejected,
        skipped: earlier.skipped,
    }
}

/// Copies the earlier import's rejected and skipped rows to the new ledger entry, so that every
/// import's own rows are accounted for in the ledger.
pub(crate) fn copy_issues(conn: &Connection, from: i64, to: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO import_issue (import_id, line, outcome, column_number, column_name, expected, found, reason)
         SELECT ?2, line, outcome, column_number, column_name, expected, found, reason
         FROM import_issue WHERE import_id = ?1 ORDER BY rowid",
        params![from, to],
    )?;
    Ok(())
}

/// The sha256 of a file, read in one pass.
pub(crate) fn file_sha256(path: &std::path::Path) -> Result<String> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// An earlier import whose outcome importing this file again would repeat: (the file's sha256,
/// the import, a note to say so). A snapshot or a period total is the same download whatever
/// the day or flags; any other file must match in bytes and context, its rows untouched since.
pub(crate) fn earlier_import(
    conn: &rusqlite::Connection,
    path: Option<&std::path::Path>,
    profile_name: &str,
    context_hash: &str,
    context: &ReadContext,
    observer: &dyn ImportObserver,
) -> Result<Option<(String, Earlier, Vec<String>)>> {
    let Some(file) = path else {
        return Ok(None);
    };
    let moment = context.moment;
    if moment != Moment::Events {
        let sha256 = file_sha256(file)?;
        let campaign_id = context.campaign_override.as_ref().map(|(_, id)| *id);
        let earlier = find_same_download(conn, &sha256, profile_name, campaign_id)?;
        return Ok(earlier.map(|earlier| {
            let note = format!(
                "the same file as import {}: nothing changed. A new download has new numbers; import that one{}",
                earlier.owner,
                if moment.shape() == Shape::Cumulative {
                    " with the day it was downloaded (--as-of DATE)"
                } else {
                    ""
                }
            );
            (sha256, earlier, vec![note])
        }));
    }
    if observer.wants_rejected_rows() || !any_candidate(conn, profile_name, context_hash)? {
        return Ok(None);
    }
    let sha256 = file_sha256(file)?;
    let earlier = find(conn, &sha256, profile_name, context_hash)?;
    Ok(earlier.map(|earlier| (sha256, earlier, Vec::new())))
}
