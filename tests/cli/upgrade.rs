//! Databases written by earlier turnout versions (`tests/fixtures/schema-vN/`, one per schema
//! version in the repository's history) migrate to the current schema and keep their numbers:
//! every report gives what that version gave, and importing the same exports again adds nothing.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Sandbox, fixture, number, sample};

/// The reports each fixture folder holds, as (file, arguments), all run with `--today 2026-10-20`.
const REPORTS: &[(&str, &[&str])] = &[
    ("totals.json", &["totals"]),
    ("totals-by-week.json", &["totals", "--by", "week"]),
    ("funnel.json", &["funnel", "fair-rent-now"]),
    ("report.json", &["report", "fair-rent-now"]),
    (
        "drivers.json",
        &[
            "drivers",
            "fair-rent-now",
            "--outcome",
            "rsvps",
            "--model",
            "all",
        ],
    ),
];

fn fixture_dir(version: i64) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/schema-v{version}"))
}

/// A sandbox holding a copy of the fixture database and its key.
fn copy_of(version: i64) -> Sandbox {
    let sandbox = Sandbox::new();
    let dir = fixture_dir(version);
    std::fs::copy(dir.join("turnout.db"), sandbox.db()).unwrap();
    std::fs::copy(dir.join("turnout.db.key"), sandbox.path("turnout.db.key")).unwrap();
    sandbox
}

fn schema_version(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap()
}

fn current_schema_version() -> i64 {
    let sandbox = Sandbox::initialised();
    sandbox.ok(&["totals"]);
    schema_version(&sandbox.db())
}

/// A report as the fixture's turnout gave it (its JSON file) and as this turnout gives it now.
fn report_then_and_now(
    sandbox: &Sandbox,
    version: i64,
    file: &str,
    args: &[&str],
) -> (Value, Value) {
    let expected: Value =
        serde_json::from_slice(&std::fs::read(fixture_dir(version).join(file)).unwrap()).unwrap();
    let mut all = args.to_vec();
    all.extend(["--today", "2026-10-20"]);
    (expected, Value::Array(sandbox.json(&all)))
}

/// The report keeps its numbers: every row the older turnout gave is still there, in order, with
/// the same value for every key it had. Reports may since have gained keys (an effort's `label`)
/// and sections (what the rules can see); those are not compared.
fn assert_keeps(expected: &Value, found: &Value, what: &str) {
    let expected = expected.as_array().expect("a JSON array");
    let found = found.as_array().expect("a JSON array");
    let section = |row: &Value| {
        row.get("section")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let first = found.first().and_then(section);
    let kept: Vec<&Value> = match expected.first().map(section) {
        Some(Some(_)) => {
            let sections: Vec<Option<String>> = expected.iter().map(section).collect();
            found
                .iter()
                .filter(|r| sections.contains(&section(r)))
                .collect()
        }
        _ => found.iter().filter(|r| section(r) == first).collect(),
    };
    assert_eq!(
        kept.len(),
        expected.len(),
        "{what}: the rows differ: {found:#?}"
    );
    for (old, new) in expected.iter().zip(kept) {
        for (key, value) in old.as_object().expect("a row") {
            assert_eq!(&new[key], value, "{what}: {key} changed in {new}");
        }
    }
}

#[test]
fn there_is_a_fixture_for_every_older_schema_version() {
    let current = current_schema_version();
    for version in 1..current {
        let db = fixture_dir(version).join("turnout.db");
        assert!(
            db.exists(),
            "no fixture database for schema version {version}: see tests/fixtures/README.md"
        );
        assert_eq!(schema_version(&db), version, "{}", db.display());
    }
}

#[test]
fn every_older_database_migrates_and_keeps_its_numbers() {
    let current = current_schema_version();
    for version in 1..current {
        let sandbox = copy_of(version);
        for (file, args) in REPORTS {
            let (expected, found) = report_then_and_now(&sandbox, version, file, args);
            assert_keeps(
                &expected,
                &found,
                &format!(
                    "schema v{version}: `turnout {}` after the upgrade",
                    args.join(" ")
                ),
            );
        }
        assert_eq!(schema_version(&sandbox.db()), current);
    }
}

#[test]
fn exports_imported_before_an_upgrade_are_recognised_after_it() {
    let current = current_schema_version();
    // As `turnout demo` imported them: (file, linked with --campaign, --date). The Mailchimp
    // activity files were one opens and one clicks file then (now in tests/fixtures/).
    let samples: &[(&str, bool, Option<&str>)] = &[
        ("mailchimp-campaign-reports.csv", true, None),
        ("mailchimp-account-export-granular-opens.csv", true, None),
        ("mailchimp-account-export-granular-clicks.csv", false, None),
        ("mobilize-timeslots-sql-mirror.csv", false, None),
        ("mobilize-participations-sql-mirror.csv", false, None),
        ("actblue-contributions.csv", false, None),
        ("actionnetwork-report-download.csv", false, None),
        ("spoke-campaign-contacts-export.csv", false, None),
        ("spoke-campaign-messages-export.csv", false, None),
        ("x-tweet-activity-metrics.csv", true, None),
        ("meta-facebook-page-posts.csv", true, None),
        ("ga4-traffic-acquisition-session-campaign.csv", false, None),
        ("callpower-export.csv", true, Some("2026-11-01")),
        ("fair-rent-now-field-weekly.csv", false, None),
    ];
    // From schema 6 the demo imported the activity as three sends' files, and the assembly
    // invite's experiment.
    let split: &[(&str, bool, Option<&str>)] = &[
        ("mailchimp-campaign-reports.csv", true, None),
        ("assembly-invite/mailchimp-campaign-report.csv", true, None),
        (
            "mailchimp-account-export/granular_activity/opens/7412204_fair-rent-now-4.csv",
            true,
            None,
        ),
        (
            "mailchimp-account-export/granular_activity/clicks/7412204_fair-rent-now-4.csv",
            false,
            None,
        ),
        (
            "assembly-invite/mobilize-participations-assembly.csv",
            true,
            None,
        ),
    ];
    for version in 1..current {
        let sandbox = copy_of(version);
        let before = sandbox.json(&["totals", "--today", "2026-10-20"]);
        let these: Vec<&(&str, bool, Option<&str>)> = if version >= 6 {
            split
                .iter()
                .chain(samples.iter().filter(|(n, _, _)| !n.contains("granular")))
                .collect()
        } else {
            samples.iter().collect()
        };
        for (name, linked, date) in these {
            let path = if name.contains("granular-") {
                fixture(name)
            } else {
                sample(name)
            };
            let mut args = vec!["import", path.to_str().unwrap()];
            if *linked {
                args.extend(["--campaign", "fair-rent-now"]);
            }
            if let Some(date) = date {
                args.extend(["--date", date]);
            }
            let row = &sandbox.json(&args)[0];
            // What this turnout reads that turnouts before schema 6 did not: the 2 contacts of
            // Spoke's contacts export who opted out (an opt-out each, added now).
            let newly_read = if *name == "spoke-campaign-contacts-export.csv" && version < 6 {
                2.0
            } else {
                0.0
            };
            let added = number(&row["inserted"]) + number(&row["updated"]);
            assert_eq!(
                added, newly_read,
                "schema v{version}: re-importing {name} added or changed rows: {row}"
            );
            let read = number(&row["rows_read"]);
            let not_imported = number(&row["rejected"]) + number(&row["skipped"]);
            assert_eq!(
                number(&row["unchanged"]),
                read - not_imported - newly_read,
                "{row}"
            );
        }
        let after = sandbox.json(&["totals", "--today", "2026-10-20"]);
        let without_opt_outs = |rows: &[Value]| -> Vec<Value> {
            rows.iter()
                .filter(|r| r["metric"] != "opt_outs")
                .cloned()
                .collect()
        };
        assert_eq!(
            without_opt_outs(&after),
            without_opt_outs(&before),
            "schema v{version}: totals changed"
        );
        let opt_outs: f64 = after
            .iter()
            .filter(|r| r["metric"] == "opt_outs")
            .map(|r| number(&r["value"]))
            .sum();
        assert_eq!(opt_outs, 2.0, "schema v{version}");
    }
}

#[test]
fn an_export_written_by_an_older_turnout_restores_and_keeps_its_numbers() {
    // `schema-v4/export/` is `turnout export --with-key` of the v4 fixture, by the same turnout.
    let version = 4;
    let export = fixture_dir(version).join("export");
    let sandbox = Sandbox::new();
    let out = sandbox.ok(&["restore", export.to_str().unwrap()]);
    assert!(out.contains("Restored"), "{out}");
    assert_eq!(schema_version(&sandbox.db()), current_schema_version());
    for (file, args) in REPORTS {
        let (expected, found) = report_then_and_now(&sandbox, version, file, args);
        assert_keeps(
            &expected,
            &found,
            &format!(
                "`turnout {}` after restoring the v{version} export",
                args.join(" ")
            ),
        );
    }
    // The key came with the export: the same files imported again add nothing.
    let opens = fixture("mailchimp-account-export-granular-opens.csv");
    let row = &sandbox.json(&[
        "import",
        opens.to_str().unwrap(),
        "--campaign",
        "fair-rent-now",
    ])[0];
    assert_eq!(
        number(&row["inserted"]) + number(&row["updated"]),
        0.0,
        "{row}"
    );
    assert!(number(&row["unchanged"]) > 0.0, "{row}");
}
