//! `turnout demo`: the first command in the README must work on a fresh clone.

use predicates::prelude::*;

use crate::common::{Sandbox, bare_cmd, column_sum, number, one_row, sample};

#[test]
fn demo_builds_a_database_from_every_sample_and_shows_progress() {
    let sandbox = Sandbox::new();
    let output = bare_cmd()
        .current_dir(sandbox.dir.path())
        .args(["demo", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "{stderr}");
    assert!(sandbox.path("turnout-demo.db").exists());
    for (file, profile) in [
        ("mailchimp-campaign-reports.csv", "mailchimp-campaigns"),
        (
            "mobilize-participations-sql-mirror.csv",
            "mobilize-participations",
        ),
        ("spoke-campaign-messages-export.csv", "spoke-messages"),
        ("callpower-export.csv", "callpower-targets"),
        ("fair-rent-now-field-weekly.csv", "turnout-metrics"),
    ] {
        assert!(
            stderr.contains(&format!("imported imports/samples/{file} ({profile})")),
            "{stderr}"
        );
    }
    assert!(
        stderr.contains("doors=715 (corrected from 640)"),
        "{stderr}"
    );

    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let calls = one_row(&rows, &[("section", "Goals"), ("metric", "calls")]);
    // The completed calls of the CallPower export.
    assert_eq!(
        number(&calls["done"]),
        column_sum(&sample("callpower-export.csv"), "Completed")
    );
    assert_eq!(calls["verdict"], "met");
    let rsvps = one_row(&rows, &[("section", "Goals"), ("metric", "rsvps")]);
    assert_eq!(rsvps["verdict"], "behind");
    let opens = one_row(
        &rows,
        &[("section", "Totals to date"), ("metric", "unique_opens")],
    );
    assert_eq!(
        number(&opens["value"]),
        column_sum(&sample("mailchimp-campaign-reports.csv"), "Unique Opens")
    );

    // The demo database answers the other commands; every row was accounted for, none rejected.
    let db = sandbox.path("turnout-demo.db");
    let ledger = sandbox.json_with_db(&db, &["imports"]);
    assert_eq!(ledger.len(), 15, "14 exports and the publishing plan");
    for row in &ledger {
        let read = number(&row["rows_read"]);
        let accounted: f64 = ["inserted", "updated", "unchanged", "rejected", "skipped"]
            .iter()
            .map(|k| number(&row[*k]))
            .sum();
        assert_eq!(read, accounted);
        assert_eq!(number(&row["rejected"]), 0.0, "{row}");
    }
    // Codes left unclaimed on purpose are listed.
    let unmatched = sandbox.json_with_db(&db, &["codes", "--unmatched"]);
    assert!(
        unmatched.iter().any(|r| r["code"] == "november-assembly"),
        "{unmatched:?}"
    );

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
