//! `turnout demo`: the first command in the README must work on a fresh clone.

use predicates::prelude::*;

use crate::common::{Sandbox, bare_cmd, number, one_row};

#[test]
fn demo_builds_a_database_and_shows_progress() {
    let sandbox = Sandbox::new();
    let output = bare_cmd()
        .current_dir(sandbox.dir.path())
        .args(["demo", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(sandbox.path("turnout-demo.db").exists());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("imported imports/samples/fair-rent-now-email.csv"),
        "{stderr}"
    );
    assert!(
        stderr.contains("calls=310 (corrected from 290)"),
        "{stderr}"
    );

    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let calls = one_row(&rows, &[("section", "Goals"), ("metric", "calls")]);
    // Sample weeks W38-W41 (40+95+260+390) plus this week's corrected 310.
    assert_eq!(number(&calls["done"]), 1095.0);
    assert_eq!(calls["verdict"], "on track");
    let rsvps = one_row(&rows, &[("section", "Goals"), ("metric", "rsvps")]);
    assert_eq!(rsvps["verdict"], "behind");

    // The demo database answers the other commands; every row was accounted for.
    let db = sandbox.path("turnout-demo.db");
    let ledger = sandbox.json_with_db(&db, &["imports"]);
    assert_eq!(ledger.len(), 2);
    for row in &ledger {
        let read = number(&row["rows_read"]);
        let accounted: f64 = ["inserted", "updated", "unchanged", "rejected", "skipped"]
            .iter()
            .map(|k| number(&row[*k]))
            .sum();
        assert_eq!(read, accounted);
    }

    // Running it again replaces it (same numbers, not doubled).
    let again = bare_cmd()
        .current_dir(sandbox.dir.path())
        .args(["demo", "--format", "json"])
        .output()
        .unwrap();
    assert!(again.status.success());
    assert_eq!(again.stdout, output.stdout);
}

#[test]
fn demo_never_replaces_a_real_database() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    let before = std::fs::read(sandbox.db()).unwrap();
    sandbox
        .cmd()
        .arg("demo")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a demo database"));
    assert_eq!(before, std::fs::read(sandbox.db()).unwrap());
    // TURNOUT_DB is ignored by the demo: it writes ./turnout-demo.db.
    bare_cmd()
        .current_dir(sandbox.dir.path())
        .env("TURNOUT_DB", sandbox.db())
        .args(["demo", "--quiet"])
        .assert()
        .success();
    assert_eq!(before, std::fs::read(sandbox.db()).unwrap());
}
