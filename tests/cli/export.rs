//! `turnout export`, `restore`, `forget` and `key`: leaving with everything, and being forgotten.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, bare_cmd, demo, number, one_row, sample};

const TODAY: &str = "2026-11-02";

/// Every report, as JSON and as a table.
const REPORTS: &[&[&str]] = &[
    &["totals", "--by", "week"],
    &["report"],
    &["report", "--weekly"],
    &["funnel", "fair-rent-now"],
    &["digest", "--week", "2026-W41"],
    &["drivers", "fair-rent-now", "--outcome", "rsvps"],
    &[
        "drivers",
        "fair-rent-now",
        "--aggregate",
        "--outcome",
        "signups",
    ],
    &["brief", "--week", "2026-W41"],
    &["check"],
    &["codes"],
    &["goal", "list"],
    &["campaign", "show", "fair-rent-now"],
    &["calendar", "week", "2026-W39"],
    &["calendar", "matrix"],
    &["calendar", "check"],
    &["calendar", "results"],
    &["definitions"],
    &["imports"],
    &["log", "--history"],
];

fn output(db: &std::path::Path, args: &[&str], format: &str) -> Vec<u8> {
    let out = bare_cmd()
        .arg("--db")
        .arg(db)
        .args(["--today", TODAY])
        .args(args)
        .args(["--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn export_then_restore_gives_byte_identical_reports() {
    let sandbox = demo();
    sandbox.ok(&[
        "cost",
        "add",
        "fair-rent-now",
        "--date",
        "2026-09-22",
        "--amount",
        "84.50",
        "--what",
        "SMS segments",
    ]);
    let dir = sandbox.path("export");
    let out = sandbox.ok(&["export", dir.to_str().unwrap()]);
    assert!(out.contains("the hash key is not included"), "{out}");
    for file in [
        "manifest.json",
        "schema.sql",
        "README.md",
        "campaign.csv",
        "campaign.json",
        "touch.json",
        "plan_item.csv",
    ] {
        assert!(dir.join(file).exists(), "{file}");
    }
    assert!(!dir.join("turnout.db.key").exists());
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let touch = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "touch.json")
        .unwrap();
    assert_eq!(touch["sha256"].as_str().unwrap().len(), 64);
    let restored = sandbox.path("restored.db");
    bare_cmd()
        .arg("--db")
        .arg(&restored)
        .args(["restore", dir.to_str().unwrap()])
        .assert()
        .success();
    for report in REPORTS {
        for format in ["json", "table"] {
            assert_eq!(
                String::from_utf8_lossy(&output(&sandbox.db(), report, format)),
                String::from_utf8_lossy(&output(&restored, report, format)),
                "{report:?} as {format} differs after restore"
            );
        }
    }
    // The restored database has no key: it reports normally, and importing people says what to do.
    let refused = bare_cmd()
        .arg("--db")
        .arg(&restored)
        .args([
            "import",
            sample("actblue-contributions.csv").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("Joins across new imports need the key") && stderr.contains("--new-key"),
        "{stderr}"
    );
    bare_cmd()
        .arg("--db")
        .arg(&restored)
        .args([
            "import",
            sample("actblue-contributions.csv").to_str().unwrap(),
            "--new-key",
        ])
        .assert()
        .success();
}

#[test]
fn restore_refuses_changed_or_missing_files_and_existing_databases() {
    let sandbox = demo();
    let dir = sandbox.path("export");
    sandbox.ok(&["export", dir.to_str().unwrap(), "--with-key"]);
    assert!(
        dir.join("turnout.db.key").exists(),
        "--with-key includes the key"
    );
    let target = sandbox.path("new.db");
    let restore = || {
        bare_cmd()
            .arg("--db")
            .arg(&target)
            .args(["restore", dir.to_str().unwrap()])
            .assert()
    };
    let campaign = std::fs::read_to_string(dir.join("campaign.json")).unwrap();
    std::fs::write(
        dir.join("campaign.json"),
        campaign.replace("Fair Rent Now", "Fair Rent Later"),
    )
    .unwrap();
    restore().code(1).stderr(predicate::str::contains(
        "campaign.json was changed since the export",
    ));
    assert!(!target.exists(), "nothing was written");
    std::fs::write(dir.join("campaign.json"), &campaign).unwrap();
    std::fs::remove_file(dir.join("goal.csv")).unwrap();
    restore().code(1).stderr(predicate::str::contains(
        "goal.csv is listed in the manifest but missing",
    ));
    sandbox
        .cmd()
        .args(["restore", dir.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists"));
    sandbox
        .cmd()
        .args(["export", dir.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already holds files"));
}

#[test]
fn csv_never_runs_as_a_formula_and_restore_keeps_the_text() {
    let sandbox = Sandbox::new();
    let name = r#"=HYPERLINK("http://x","y")"#;
    sandbox.ok(&["campaign", "add", "evil", "--name", name]);
    sandbox.ok(&[
        "campaign",
        "add",
        "fair-rent-now",
        "--name",
        "Fair Rent Now",
    ]);
    sandbox.ok(&[
        "log",
        "fair-rent-now",
        "doors=880",
        "--week",
        "2026-W40",
        "--today",
        TODAY,
    ]);
    sandbox.ok(&[
        "log",
        "fair-rent-now",
        "doors=540",
        "--week",
        "2026-W41",
        "--today",
        TODAY,
    ]);
    let csv = sandbox.ok(&["campaign", "list", "--format", "csv"]);
    assert!(
        csv.contains(r#"evil,"'=HYPERLINK(""http://x"",""y"")""#),
        "{csv}"
    );
    // A negative delta stays a number.
    let digest = sandbox.ok(&[
        "digest", "--week", "2026-W41", "--format", "csv", "--today", TODAY,
    ]);
    assert!(digest.contains(",540,880,-340,"), "{digest}");
    let dir = sandbox.path("export");
    sandbox.ok(&["export", dir.to_str().unwrap()]);
    let exported = std::fs::read_to_string(dir.join("campaign.csv")).unwrap();
    assert!(exported.contains(r#""'=HYPERLINK("#), "{exported}");
    let restored = sandbox.path("restored.db");
    bare_cmd()
        .arg("--db")
        .arg(&restored)
        .args(["restore", dir.to_str().unwrap()])
        .assert()
        .success();
    let rows: Vec<Value> =
        serde_json::from_slice(&output(&restored, &["campaign", "list"], "json")).unwrap();
    assert_eq!(
        one_row(&rows, &[("slug", "evil")])["name"],
        name,
        "the exact text round-trips"
    );
}

#[test]
fn a_forgotten_person_is_gone_and_stays_gone() {
    let sandbox = demo();
    // alex@example.org (510-555-0100) RSVPed to the town hall and attended (Mobilize), and gave
    // on ActBlue.
    let before = sandbox.json(&["totals", "--campaign", "fair-rent-now", "--today", TODAY]);
    let value =
        |rows: &[Value], metric: &str| number(&one_row(rows, &[("metric", metric)])["value"]);
    let dry = sandbox.ok(&["forget", "alex@example.org"]);
    assert!(
        dry.contains("Would forget alex@example.org") && dry.contains("Nothing was removed"),
        "{dry}"
    );
    assert_eq!(
        value(&before, "rsvps"),
        value(
            &sandbox.json(&["totals", "--campaign", "fair-rent-now", "--today", TODAY]),
            "rsvps"
        )
    );
    let done = sandbox.ok(&["forget", "alex@example.org", "--yes"]);
    assert!(
        done.contains("Forgot alex@example.org: removed 2 identifier(s)"),
        "{done}"
    );
    let after = sandbox.json(&["totals", "--campaign", "fair-rent-now", "--today", TODAY]);
    assert_eq!(value(&after, "rsvps"), value(&before, "rsvps") - 1.0);
    assert_eq!(value(&after, "attended"), value(&before, "attended") - 1.0);
    // The tools' aggregate numbers stay.
    assert_eq!(
        value(&after, "unique_opens"),
        value(&before, "unique_opens")
    );
    // Importing the old file again does not bring them back.
    let rows = sandbox.json(&[
        "import",
        sample("mobilize-participations-sql-mirror.csv")
            .to_str()
            .unwrap(),
        "--today",
        TODAY,
    ]);
    assert_eq!(rows[0]["skipped"], 1);
    assert_eq!(rows[0]["inserted"], 0);
    let ledger = sandbox.json(&["imports", rows[0]["import_id"].to_string().as_str()]);
    assert_eq!(
        one_row(&ledger, &[("section", "Rows not imported")])["reason"],
        "forgotten"
    );
    assert_eq!(
        value(
            &sandbox.json(&["totals", "--campaign", "fair-rent-now", "--today", TODAY]),
            "rsvps"
        ),
        value(&after, "rsvps")
    );
    sandbox
        .cmd()
        .args(["forget", "not an address"])
        .assert()
        .code(1);
}

#[test]
fn the_key_can_be_found_and_rotated_without_losing_anyone() {
    let sandbox = demo();
    let path = sandbox.ok(&["key", "show-path"]);
    assert_eq!(path.trim(), format!("{}.key", sandbox.db().display()));
    let hashes = |sandbox: &Sandbox| -> Vec<String> {
        let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
        let mut stmt = conn
            .prepare("SELECT hex(hash) FROM person_identifier ORDER BY person_id, kind")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(|h| h.unwrap())
            .collect()
    };
    let people = |sandbox: &Sandbox| -> i64 {
        rusqlite::Connection::open(sandbox.db())
            .unwrap()
            .query_row("SELECT count(*) FROM person", [], |r| r.get(0))
            .unwrap()
    };
    let (old, count) = (hashes(&sandbox), people(&sandbox));
    // The experiment's 1,000 members' hashes are rehashed too (they are people as well).
    let drawn: i64 = rusqlite::Connection::open(sandbox.db())
        .unwrap()
        .query_row(
            "SELECT count(DISTINCT hash) FROM experiment_identifier",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(drawn, 1000);
    let out = sandbox.ok(&["key", "rotate"]);
    assert!(
        out.contains(&format!(
            "{} stored hash(es) rehashed",
            old.len() as i64 + drawn
        )),
        "{out}"
    );
    let new = hashes(&sandbox);
    assert_eq!(new.len(), old.len());
    assert!(new.iter().all(|h| !old.contains(h)), "every hash changed");
    // Files imported before the rotation are still recognised, and their people still join.
    let rows = sandbox.json(&[
        "import",
        sample("actblue-contributions.csv").to_str().unwrap(),
        "--today",
        TODAY,
    ]);
    assert_eq!(
        (rows[0]["inserted"].as_u64(), rows[0]["unchanged"].as_u64()),
        (Some(0), Some(24))
    );
    assert_eq!(people(&sandbox), count);
    let forget = sandbox.ok(&["forget", "alex@example.org"]);
    assert!(
        forget.contains("2 identifier(s)"),
        "the rotated hashes still find people: {forget}"
    );
}
