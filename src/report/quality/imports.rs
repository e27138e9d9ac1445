//! Checks of what imports did: codes nobody claims, rows rejected, emails and phones that could
//! not be read, exports that disagree, actions that name no one.

use anyhow::Result;
use rusqlite::Connection;

use super::Warning;
use crate::import::IDENTIFIERS_DROPPED;
use crate::linking::{CodeFilter, code_uses};
use crate::output::plain_number;

/// Codes on stored rows that no campaign claims (never GA's `(direct)` and the like, which are
/// no campaign's), counted in export rows, by the rule `turnout codes --unmatched` uses.
pub fn unmatched_codes(conn: &Connection, warnings: &mut Vec<Warning>) -> Result<()> {
    let filter = CodeFilter {
        unmatched_only: true,
        import_id: None,
    };
    for code in code_uses(conn, filter)? {
        warnings.push(Warning {
            check: "unmatched code",
            subject: format!("code '{}'", code.code),
            detail: format!(
                "{} row(s) carry it and no campaign claims it, so they are not in any campaign's numbers",
                code.rows
            ),
            fix: format!(
                "claim it (turnout campaign edit SLUG --code '{}') and import its files again, or ignore it if it belongs to no campaign",
                code.code
            ),
        });
    }
    Ok(())
}

/// The latest import of each file that rejected rows: those rows are in no number.
pub fn rejected_rows(conn: &Connection, warnings: &mut Vec<Warning>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT i.id, i.file_name, i.rows_read, i.rejected,
                (SELECT line || ': ' || reason FROM import_issue
                 WHERE import_id = i.id AND outcome = 'rejected' ORDER BY line LIMIT 1)
         FROM import i
         WHERE i.rejected > 0 AND i.id = (SELECT max(id) FROM import j WHERE j.file_name = i.file_name)
         ORDER BY i.id",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, Option<String>>(4)?,
        ))
    })?;
    for row in rows {
        let (id, file, read, rejected, first) = row?;
        let all = if rejected == read {
            " (all of them)"
        } else {
            ""
        };
        warnings.push(Warning {
            check: "rows rejected",
            subject: file,
            detail: format!(
                "{rejected} of {read} row(s) rejected{all}, so they are in no number{}",
                first.map(|f| format!("; the first, line {f}")).unwrap_or_default()
            ),
            fix: format!(
                "see every rejected row and why with turnout imports {id}; fix them (--rejects FILE writes them out) and import the file again"
            ),
        });
    }
    Ok(())
}

/// Warnings imports kept (printed rates that disagree with their counts, numbers two exports
/// gave differently, emails or phones that could not be read); the latest import of each file
/// speaks for it.
pub fn import_notes(conn: &Connection, warnings: &mut Vec<Warning>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, file_name, notes FROM import i
         WHERE notes IS NOT NULL AND id = (SELECT max(id) FROM import j WHERE j.file_name = i.file_name)
         ORDER BY id",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (id, file, notes) = row?;
        for note in notes.lines() {
            let (check, detail, fix) = if let Some(rest) = note.strip_prefix(IDENTIFIERS_DROPPED) {
                (
                    "identifiers dropped",
                    rest.trim().to_string(),
                    format!(
                        "see the rows with turnout imports {id}; fix them in the tool and import the export again"
                    ),
                )
            } else if note.contains("rate differs") {
                (
                    "rate disagrees",
                    note.to_string(),
                    "the tool's printed rate and its counts disagree: trust the counts (reports recompute every rate), and check the export was not edited".to_string(),
                )
            } else {
                (
                    "exports disagree",
                    note.to_string(),
                    "two exports give different numbers for the same send; the later import is kept. Check which export is right and import it last".to_string(),
                )
            };
            warnings.push(Warning {
                check,
                subject: file.clone(),
                detail,
                fix,
            });
        }
    }
    Ok(())
}

/// Actions that name no one: they count in totals, but no rule and no lift can see who took them.
pub fn actions_without_people(conn: &Connection, warnings: &mut Vec<Warning>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT metric, count(*) FROM action WHERE person_id IS NULL
         GROUP BY metric ORDER BY count(*) DESC, metric",
    )?;
    let counts: Vec<(String, i64)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if counts.is_empty() {
        return Ok(());
    }
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    warnings.push(Warning {
        check: "actions without a person",
        subject: counts
            .iter()
            .map(|(metric, n)| format!("{} {metric}", plain_number(*n as f64)))
            .collect::<Vec<_>>()
            .join(", "),
        detail: format!(
            "{total} action(s) carry no email or phone turnout could read: they count in totals, but the rules credit them to no digital touch and no lift counts them"
        ),
        fix: "export them with the person's email or phone where the tool has it (turnout imports ID lists the rows)".to_string(),
    });
    Ok(())
}
