//! Large-file imports: an unchanged file recognised by the ledger without reading its rows, and
//! the bulk path (reference checks once at the end, lookup indexes built afterwards) giving
//! exactly the outcome of the row-by-row path.

use std::path::Path;

use serde_json::Value;

use crate::common::{Sandbox, bare_cmd, import_counts as counts, ledger_rows};

const TODAY: &str = "2026-10-14";

/// A Mailchimp granular-opens export: `rows` opens by 60 people over three days, in time order,
/// with the rows listed in `repeats` written twice (as exports sometimes do) and one row whose
/// timestamp cannot be read.
fn opens_file(rows: usize, repeats: &[usize]) -> String {
    let mut text = String::from("Timestamp,Email\n");
    let mut state: u64 = 7;
    for i in 0..rows {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let person = (state >> 33) % 60;
        let second = i * 600 + (state >> 50) as usize % 300;
        let line = format!(
            "2026-09-{:02} {:02}:{:02}:{:02},member{person}@example.org\n",
            15 + second / 86_400,
            second / 3600 % 24,
            second / 60 % 60,
            second % 60
        );
        text.push_str(&line);
        if repeats.contains(&i) {
            text.push_str(&line);
        }
        if i == rows / 2 {
            text.push_str("last Tuesday,member1@example.org\n");
        }
    }
    text
}

fn import(sandbox: &Sandbox, file: &Path, bulk: bool) -> Value {
    let mut cmd = sandbox.cmd();
    if bulk {
        cmd.env("TURNOUT_BULK_ROWS", "1");
    }
    let output = cmd
        .args(["import", file.to_str().unwrap(), "--today", TODAY])
        .args(["--format", "json"])
        .output()
        .expect("run turnout");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON");
    rows[0].clone()
}

/// The rejected and skipped rows of one import: (line, outcome, reason).
fn issues(sandbox: &Sandbox, import_id: i64) -> Vec<(i64, String, String)> {
    ledger_rows(sandbox, &import_id.to_string())
        .into_iter()
        .map(|(line, outcome, _, reason)| (line as i64, outcome, reason))
        .collect()
}

/// Every stored touch, as text, in identity order: its send, moment, kind and its person's
/// identifiers.
fn touches(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT e.external_id, t.at, t.kind,
                    (SELECT group_concat(hex(hash)) FROM
                        (SELECT hash FROM person_identifier WHERE person_id = t.person_id ORDER BY hash))
             FROM touch t JOIN effort e ON e.id = t.effort_id ORDER BY 1, 2, 3, 4",
        )
        .unwrap();
    stmt.query_map([], |row| {
        Ok(format!(
            "{}|{}|{}|{}",
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, Option<String>>(3)?.unwrap_or_default()
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

/// Both databases of a comparison hash people with the same key, so their rows compare equal:
/// the first one's key is kept, and given to the second before it imports anything.
fn share_key(sandbox: &Sandbox, key: &mut Option<Vec<u8>>) {
    let path = sandbox.path("turnout.db.key");
    match key {
        Some(bytes) if !path.exists() => std::fs::write(&path, bytes).unwrap(),
        None if path.exists() => *key = Some(std::fs::read(&path).unwrap()),
        _ => {}
    }
}

/// Compares two lists, naming the first difference instead of printing both whole.
fn assert_same(left: &[String], right: &[String], what: &str) {
    assert_eq!(left.len(), right.len(), "{what}: how many");
    if let Some((a, b)) = left.iter().zip(right).find(|(a, b)| a != b) {
        panic!("{what} differ: {a} vs {b}");
    }
}

fn index_names(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name")
        .unwrap();
    stmt.query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn touch_facts(db: &Path) -> Vec<(String, String, f64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT metric, period_start, value FROM touch_fact ORDER BY 1, 2")
        .unwrap();
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn an_unchanged_file_is_recognised_and_a_changed_database_is_not_fooled() {
    let sandbox = Sandbox::new();
    let first = sandbox.write("4829105_rent-board-vote.csv", opens_file(300, &[10, 200]));
    let row = import(&sandbox, &first, false);
    let [read, inserted, _, _, rejected, _] = counts(&row);
    assert_eq!((read, inserted, rejected), (303, 300, 3));
    assert!(row["same_as"].is_null());
    let original = row["import_id"].as_i64().unwrap();

    // The same file again: recognised, with the earlier outcome, and its rejected rows kept.
    let again = import(&sandbox, &first, false);
    assert_eq!(counts(&again), [303, 0, 0, 300, 3, 0]);
    assert_eq!(again["same_as"].as_i64(), Some(original));
    let again_id = again["import_id"].as_i64().unwrap();
    assert_eq!(issues(&sandbox, again_id), issues(&sandbox, original));
    assert_eq!(issues(&sandbox, again_id).len(), 3);
    assert_eq!(touches(&sandbox.db()).len(), 300);

    // A newer, overlapping export (20 more opens): read row by row. It takes over the rows
    // it shares with the first file.
    let mut newer_text = opens_file(300, &[10, 200]);
    for i in 0..20 {
        newer_text.push_str(&format!(
            "2026-09-18 12:{i:02}:00,member{}@example.org\n",
            i % 7
        ));
    }
    let newer = sandbox.write("4829105_rent-board-vote-2.csv", newer_text);
    let row = import(&sandbox, &newer, false);
    assert_eq!(counts(&row), [323, 20, 0, 300, 3, 0]);
    assert!(row["same_as"].is_null());
    assert_eq!(touches(&sandbox.db()).len(), 320);

    // The first file again: its rows now name the newer import, so it is read row by row,
    // and changes nothing.
    let row = import(&sandbox, &first, false);
    assert_eq!(counts(&row), [303, 0, 0, 300, 3, 0]);
    assert!(row["same_as"].is_null());
    // ...after which it owns them again and is recognised.
    let owner = row["import_id"].as_i64().unwrap();
    let row = import(&sandbox, &first, false);
    assert_eq!(row["same_as"].as_i64(), Some(owner));

    // Someone asks to be forgotten: the database changed, so the file is read again and
    // their rows are skipped.
    sandbox.ok(&["forget", "member3@example.org", "--yes"]);
    let row = import(&sandbox, &first, false);
    assert!(row["same_as"].is_null());
    let [read, inserted, updated, unchanged, rejected, skipped] = counts(&row);
    assert!(skipped > 0, "member3's rows are skipped");
    assert_eq!(inserted, 0);
    assert_eq!(read, inserted + updated + unchanged + rejected + skipped);
    assert!(
        touches(&sandbox.db()).len() < 320,
        "forget removed member3's touches"
    );

    // A dry run of a recognised file writes nothing either.
    let before = sandbox.json(&["imports"]).len();
    sandbox.ok(&["import", first.to_str().unwrap(), "--today", TODAY]);
    let output = sandbox
        .cmd()
        .args([
            "import",
            first.to_str().unwrap(),
            "--today",
            TODAY,
            "--dry-run",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let dry: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(dry[0]["same_as"].is_i64());
    assert!(dry[0]["import_id"].is_null());
    assert_eq!(sandbox.json(&["imports"]).len(), before + 1);
}

/// What one import of `opens_file(500, repeats)` left, row by row and then in bulk: (counts,
/// rejected rows, stored touches, index names, touch counts).
type Outcome = (
    [u64; 6],
    Vec<(i64, String, String)>,
    Vec<String>,
    Vec<String>,
    Vec<(String, String, f64)>,
);

fn row_by_row_and_bulk(repeats: &[usize]) -> (Outcome, Outcome) {
    let text = opens_file(500, repeats);
    let mut results = Vec::new();
    let mut key: Option<Vec<u8>> = None;
    for bulk in [false, true] {
        let sandbox = Sandbox::new();
        share_key(&sandbox, &mut key);
        let file = sandbox.write("5512093_bulk-check.csv", &text);
        let row = import(&sandbox, &file, bulk);
        let id = row["import_id"].as_i64().unwrap();
        // The bulk path writes with SQLite's per-row reference checks off and checks them at
        // the end: every reference holds either way.
        let broken: i64 = rusqlite::Connection::open(sandbox.db())
            .unwrap()
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(broken, 0);
        results.push((
            counts(&row),
            issues(&sandbox, id),
            touches(&sandbox.db()),
            index_names(&sandbox.db()),
            touch_facts(&sandbox.db()),
        ));
        share_key(&sandbox, &mut key);
    }
    let bulk = results.pop().unwrap();
    (results.pop().unwrap(), bulk)
}

#[test]
fn the_bulk_path_gives_the_row_by_row_outcome() {
    // With rows repeated (found when the unique index is built) and without (the touch counts
    // are then the ones kept in memory while appending).
    for repeats in [&[3, 250, 499][..], &[]] {
        let (row_by_row, bulk) = row_by_row_and_bulk(repeats);
        let n = repeats.len() as u64;
        let expected_counts = [501 + n, 500, 0, 0, 1 + n, 0];
        assert_eq!(row_by_row.0, expected_counts);
        assert_eq!(bulk.0, row_by_row.0, "counts");
        assert_eq!(bulk.1, row_by_row.1, "rejected rows and their reasons");
        assert_eq!(bulk.1.len(), 1 + repeats.len());
        let repeat_reasons = bulk
            .1
            .iter()
            .filter(|(_, _, r)| r.contains("the same touch as an earlier row of this file"));
        assert_eq!(repeat_reasons.count(), repeats.len());
        assert_same(&bulk.2, &row_by_row.2, "stored touches");
        assert_eq!(bulk.3, row_by_row.3, "every index is there afterwards");
        // A touch is its own key: the table needs no index beside it.
        assert!(
            !bulk.3.iter().any(|name| name.starts_with("touch")),
            "{:?}",
            bulk.3
        );
        assert_eq!(bulk.4, row_by_row.4, "opens per day");
        let unique: f64 = bulk
            .4
            .iter()
            .filter(|(metric, _, _)| metric == "unique_opens")
            .map(|(_, _, n)| n)
            .sum();
        assert_eq!(
            unique, 60.0,
            "60 people opened, each counted on their first day"
        );
    }
}

/// A tool whose touches carry both an email and a phone: a row that names two known people
/// merges them (their touches move at the end). The outcome is still the row-by-row one.
#[test]
fn people_merged_during_a_bulk_import_keep_every_touch() {
    let profile = r#"
name = "phonebank-dials"
tool = "Phonebank"
description = "One row per call made"
platform = "phonebank"
time_zone = "UTC"

[fields]
list = { headers = ["List"], required = true }
called_at = { headers = ["Called At"], required = true, type = "time" }
email = { headers = ["Email"], type = "email" }
phone = { headers = ["Phone"], type = "phone" }

[[records]]
kind = "touch"
touch = "sent"
channel = "phone"
effort = "list"
time = "called_at"
email = "email"
phone = "phone"
key = ["list", "called_at", "email", "phone"]
"#;
    let calls = "List,Called At,Email,Phone\n\
        L1,2026-09-20 10:00:00,ana@example.org,+15105550101\n\
        L1,2026-09-20 10:05:00,ben@example.org,+15105550102\n\
        L1,2026-09-20 10:05:00,ben@example.org,+15105550102\n\
        L1,2026-09-20 10:10:00,ana@example.org,+15105550102\n\
        L1,2026-09-20 10:00:00,ana@example.org,+15105550101\n\
        L1,2026-09-20 10:20:00,cy@example.org,+15105550103\n";
    let mut results = Vec::new();
    let mut key: Option<Vec<u8>> = None;
    for bulk in [false, true] {
        let sandbox = Sandbox::new();
        share_key(&sandbox, &mut key);
        let profile_path = sandbox.write("phonebank.toml", profile);
        let file = sandbox.write("dials.csv", calls);
        let mut cmd = bare_cmd();
        cmd.current_dir(sandbox.dir.path())
            .arg("--db")
            .arg(sandbox.db());
        if bulk {
            cmd.env("TURNOUT_BULK_ROWS", "1");
        }
        let output = cmd
            .args(["import", file.to_str().unwrap(), "--today", TODAY])
            .args(["--profile", profile_path.to_str().unwrap()])
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        let id = rows[0]["import_id"].as_i64().unwrap();
        let people: i64 = rusqlite::Connection::open(sandbox.db())
            .unwrap()
            .query_row("SELECT count(*) FROM person", [], |row| row.get(0))
            .unwrap();
        results.push((
            counts(&rows[0]),
            issues(&sandbox, id),
            touches(&sandbox.db()),
            people,
        ));
        share_key(&sandbox, &mut key);
    }
    // Ana and Ben became one person at line 5; lines 4 and 6 repeat lines 3 and 2.
    assert_eq!(results[0].0, [6, 4, 0, 0, 2, 0]);
    assert_eq!(results[0].3, 2);
    assert_eq!(results[1].0, results[0].0, "counts");
    assert_eq!(results[1].1, results[0].1, "rejected rows");
    assert_same(&results[1].2, &results[0].2, "stored touches");
    assert_eq!(results[1].3, results[0].3, "people");
}

/// Touches of a new send are written many at a time, and a repeat found as its row arrives:
/// in memory for the second being read, by the table for a row that goes back in time.
#[test]
fn repeats_are_found_in_rows_out_of_time_order_too() {
    let text = "Timestamp,Email\n\
         2026-09-15 10:00:00,a@example.org\n\
         2026-09-15 10:00:05,b@example.org\n\
         2026-09-15 10:00:00,a@example.org\n\
         2026-09-15 10:00:01,c@example.org\n\
         2026-09-15 10:00:05,b@example.org\n\
         2026-09-15 10:00:05,a@example.org\n\
         2026-09-15 10:00:01,c@example.org\n";
    for bulk in [false, true] {
        let sandbox = Sandbox::new();
        let file = sandbox.write("5512094_order-check.csv", text);
        let row = import(&sandbox, &file, bulk);
        // Lines 2, 3, 5 and 7 are new; 4 repeats 2 (back in time), 6 repeats 3 (the same
        // second), 8 repeats 5 (back in time).
        assert_eq!(counts(&row), [7, 4, 0, 0, 3, 0], "bulk: {bulk}");
        let lines: Vec<i64> = issues(&sandbox, row["import_id"].as_i64().unwrap())
            .iter()
            .map(|(line, outcome, reason)| {
                assert_eq!(outcome, "rejected");
                assert!(reason.contains("the same touch as an earlier row of this file"));
                *line
            })
            .collect();
        assert_eq!(lines, vec![4, 6, 8]);
        assert_eq!(touches(&sandbox.db()).len(), 4);
    }
}
