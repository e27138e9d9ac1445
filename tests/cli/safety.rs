//! Crash safety and concurrent use: an import killed with SIGKILL at random moments leaves the
//! database as it was before or as it is after, never between; two imports at once both land
//! (into a brand-new database too); a writer that cannot get in says so after a deadline; a report
//! run during an import sees one consistent state.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Sandbox, number};

/// A Mailchimp granular-opens export of `rows` opens by `people` people, distinct per `tag`.
fn opens_export(rows: usize, people: usize, tag: &str) -> String {
    let mut text = String::from("Timestamp,Email\n");
    for i in 0..rows {
        text.push_str(&format!(
            "2026-09-{:02} {:02}:{:02}:{:02},{tag}{}@example.org\n",
            1 + i % 28,
            i / 3600 % 24,
            i / 60 % 60,
            i % 60,
            i % people
        ));
    }
    text
}

/// What a database holds, table by table, after checking that SQLite finds it intact.
fn state(db: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(check, "ok", "{} is damaged", db.display());
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables
        .into_iter()
        .map(|table| {
            let count = conn
                .query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |row| {
                    row.get(0)
                })
                .unwrap();
            (table, count)
        })
        .collect()
}

/// A database with the campaign and a first import of `rows` opens linked to it.
fn with_first_import(rows: usize) -> Sandbox {
    let sandbox = Sandbox::with_campaign();
    let first = sandbox.write("first.csv", opens_export(rows, 100, "a"));
    sandbox.ok(&linked_import(&first));
    sandbox
}

/// The arguments that import `file` linked to the campaign.
fn linked_import(file: &Path) -> Vec<&str> {
    vec![
        "import",
        file.to_str().unwrap(),
        "--campaign",
        "fair-rent-now",
        "-q",
    ]
}

/// The built binary as a plain child process (so it can be killed).
fn spawn(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("turnout"));
    cmd.env_remove("TURNOUT_DB")
        .arg("--db")
        .arg(db)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.spawn().expect("start turnout")
}

fn copy_database(from: &Sandbox, to: &Path) {
    std::fs::copy(from.db(), to).unwrap();
    let key =
        |db: &Path| db.with_file_name(format!("{}.key", db.file_name().unwrap().to_string_lossy()));
    std::fs::copy(key(&from.db()), key(to)).unwrap();
}

/// A small deterministic generator: the kill moments differ between trials, not between runs.
struct Moments(u64);
impl Moments {
    fn next_fraction(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % 10_000) as f64 / 10_000.0
    }
}

#[test]
fn an_import_killed_at_random_moments_leaves_the_state_before_or_after() {
    let base = with_first_import(300);
    let big = base.write("big.csv", opens_export(8_000, 2_500, "b"));
    let import = linked_import(&big);
    // Half the trials take the bulk path (indexes dropped and rebuilt inside the transaction),
    // half go row by row.
    let paths: [(&str, &str); 2] = [
        ("TURNOUT_BULK_ROWS", "1"),
        ("TURNOUT_BULK_ROWS", "100000000"),
    ];

    let before = state(&base.db());
    let mut after = Vec::new();
    let mut duration = Vec::new();
    for env in paths {
        let db = base.path(&format!("full-{}.db", env.1));
        copy_database(&base, &db);
        let started = Instant::now();
        let status = spawn(&db, &import, &[env]).wait().unwrap();
        assert!(status.success());
        duration.push(started.elapsed());
        after.push(state(&db));
    }
    assert_eq!(after[0], after[1], "the bulk and row-by-row paths differ");
    assert_ne!(before, after[0]);

    let mut moments = Moments(0x2545_F491_4F6C_DD1D);
    let (mut saw_before, mut saw_after) = (0, 0);
    for trial in 0..20 {
        let path = trial % 2;
        let db = base.path(&format!("trial-{trial}.db"));
        copy_database(&base, &db);
        let mut child = spawn(&db, &import, &[paths[path]]);
        let wait = duration[path].mul_f64(1.1 * moments.next_fraction());
        std::thread::sleep(wait);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let found = state(&db);
        let mut rerun_gives = after[path].clone();
        if found == before {
            saw_before += 1;
        } else if found == after[path] {
            saw_after += 1;
            // Running it again finds every row unchanged and adds only its ledger entry.
            for (table, count) in &mut rerun_gives {
                if table == "import" {
                    *count += 1;
                }
            }
        } else {
            panic!(
                "trial {trial} (killed after {wait:?}) left a state between before and after: {found:?}"
            );
        }
        // And the import still completes afterwards.
        let status = spawn(&db, &import, &[paths[path]]).wait().unwrap();
        assert!(status.success());
        assert_eq!(
            state(&db),
            rerun_gives,
            "trial {trial}: re-running the import"
        );
    }
    assert!(saw_before > 0, "no kill landed before the import committed");
    eprintln!("kill -9 trials: {saw_before} left the state before, {saw_after} the state after");
}

#[test]
fn two_imports_into_a_brand_new_database_both_land() {
    for round in 0..3 {
        let sandbox = Sandbox::new();
        // Both files hold the person shared0@example.org: one key must hash them both.
        let first = sandbox.write("first.csv", opens_export(2_000, 400, "shared"));
        let second = sandbox.write(
            "second.csv",
            opens_export(1_500, 300, "shared").replace("2026-09-", "2026-10-"),
        );
        assert!(!sandbox.db().exists());
        let mut a = spawn(
            &sandbox.db(),
            &["import", first.to_str().unwrap(), "-q"],
            &[],
        );
        let mut b = spawn(
            &sandbox.db(),
            &["import", second.to_str().unwrap(), "-q"],
            &[],
        );
        for (name, child) in [("first", &mut a), ("second", &mut b)] {
            let output = child.wait().unwrap();
            let mut stderr = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
            assert!(
                output.success(),
                "round {round}: the {name} import failed: {stderr}"
            );
        }
        let state: std::collections::BTreeMap<String, i64> =
            state(&sandbox.db()).into_iter().collect();
        assert_eq!(state["import"], 2, "round {round}");
        assert_eq!(state["touch"], 3_500, "round {round}");
        // 400 people, of whom the second file's 300 are the first 300: one key hashed both.
        assert_eq!(state["person"], 400, "round {round}");
    }
}

/// Holds the database's write lock, as another writer would, until dropped.
fn hold_write_lock(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn
}

#[test]
fn a_writer_waits_its_turn_and_says_what_to_do_after_the_deadline() {
    let sandbox = Sandbox::with_campaign();
    let file = sandbox.write("opens.csv", opens_export(50, 20, "w"));
    let import = linked_import(&file);

    // Held for a moment: the import waits, then lands.
    let lock = hold_write_lock(&sandbox.db());
    let child = spawn(&sandbox.db(), &import, &[]);
    std::thread::sleep(Duration::from_millis(700));
    lock.execute_batch("ROLLBACK").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let landed = state(&sandbox.db());

    // Held past the deadline: refused, with what to do, and nothing written.
    let lock = hold_write_lock(&sandbox.db());
    let other = sandbox.write("more.csv", opens_export(50, 20, "x"));
    let output = spawn(
        &sandbox.db(),
        &["import", other.to_str().unwrap()],
        &[("TURNOUT_BUSY_TIMEOUT", "0.5")],
    )
    .wait_with_output()
    .unwrap();
    drop(lock);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("more.csv"), "{stderr}");
    assert!(
        stderr.contains("another turnout command (or another program) is writing to"),
        "{stderr}"
    );
    assert!(stderr.contains("waited 0.5 s"), "{stderr}");
    assert!(stderr.contains("Run the command again"), "{stderr}");
    assert_eq!(state(&sandbox.db()), landed);
}

#[test]
fn a_report_during_an_import_sees_the_state_before_or_after() {
    let sandbox = with_first_import(500);
    let opens = |sandbox: &Sandbox| {
        let rows = sandbox.json(&["totals", "--metric", "opens"]);
        rows.first().map(|row| number(&row["value"])).unwrap_or(0.0)
    };
    let before = opens(&sandbox);
    let big = sandbox.write("big.csv", opens_export(8_000, 2_500, "b"));
    let mut child = spawn(&sandbox.db(), &linked_import(&big), &[]);
    let mut during = Vec::new();
    while child.try_wait().unwrap().is_none() {
        during.push(opens(&sandbox));
    }
    assert!(child.wait().unwrap().success());
    let after = opens(&sandbox);
    assert_eq!(after, before + 8_000.0);
    assert!(!during.is_empty(), "the import ended before any report ran");
    for seen in &during {
        assert!(
            *seen == before || *seen == after,
            "a report saw {seen} opens, between {before} and {after}"
        );
    }
}
