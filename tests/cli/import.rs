//! `turnout import`: every row accounted for, re-imports that change nothing, overlapping exports
//! that update, bad rows with their reasons, and refused files that leave the database untouched.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, file_bytes, number, one_row};

const TODAY: &str = "2026-10-14";
const HEADER: &str = "date,campaign,channel,effort,metric,value,source\n";

/// Three email sends' numbers, as an export on Oct 7 would have them.
const FIRST_EXPORT: &str = "\
2026-09-15,fair-rent-now,email,em_0915_townhall,sent,5289,
2026-09-15,fair-rent-now,email,em_0915_townhall,unique_opens,1506,
2026-09-15,fair-rent-now,email,em_0915_townhall,unique_clicks,130,
2026-10-02,fair-rent-now,email,em_1002_vote,sent,5432,
2026-10-02,fair-rent-now,email,em_1002_vote,unique_opens,1650,
2026-10-02,fair-rent-now,email,em_1002_vote,unique_clicks,240,
2026-W40,fair-rent-now,,,rsvps,45,em_1002_vote
";

/// The Oct 14 export: the Oct 2 send has more opens and clicks since, and there is a new send.
const SECOND_EXPORT: &str = "\
2026-09-15,fair-rent-now,email,em_0915_townhall,sent,5289,
2026-09-15,fair-rent-now,email,em_0915_townhall,unique_opens,1506,
2026-09-15,fair-rent-now,email,em_0915_townhall,unique_clicks,130,
2026-10-02,fair-rent-now,email,em_1002_vote,sent,5432,
2026-10-02,fair-rent-now,email,em_1002_vote,unique_opens,1692,
2026-10-02,fair-rent-now,email,em_1002_vote,unique_clicks,251,
2026-10-13,fair-rent-now,email,em_1013_3days,sent,5557,
2026-10-13,fair-rent-now,email,em_1013_3days,unique_opens,2014,
";

fn import_json(sandbox: &Sandbox, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    all.extend(["--today", TODAY]);
    sandbox.json(&all)
}

fn counts(row: &Value) -> [f64; 6] {
    [
        "rows_read",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "skipped",
    ]
    .map(|k| number(&row[k]))
}

fn total(sandbox: &Sandbox, metric: &str) -> f64 {
    let rows = sandbox.json(&["totals", "--metric", metric, "--today", TODAY]);
    rows.iter().map(|r| number(&r["value"])).sum()
}

#[test]
fn import_then_reimport_then_overlapping_export() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    let first = sandbox.write("frn-2026-10-07.csv", format!("{HEADER}{FIRST_EXPORT}"));
    let second = sandbox.write("frn-2026-10-14.csv", format!("{HEADER}{SECOND_EXPORT}"));

    let rows = import_json(&sandbox, &[first.to_str().unwrap()]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["profile"], "turnout-metrics");
    assert_eq!(rows[0]["status"], "imported");
    assert_eq!(counts(&rows[0]), [7.0, 7.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(rows[0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(total(&sandbox, "unique_opens"), 1506.0 + 1650.0);

    // The same file again: nothing new, nothing counted twice.
    let rows = import_json(&sandbox, &[first.to_str().unwrap()]);
    assert_eq!(counts(&rows[0]), [7.0, 0.0, 0.0, 7.0, 0.0, 0.0]);
    assert_eq!(total(&sandbox, "unique_opens"), 1506.0 + 1650.0);

    // A newer export overlapping the first: changed numbers replace, new ones add.
    let rows = import_json(&sandbox, &[second.to_str().unwrap()]);
    assert_eq!(counts(&rows[0]), [8.0, 2.0, 2.0, 4.0, 0.0, 0.0]);
    assert_eq!(total(&sandbox, "unique_opens"), 1506.0 + 1692.0 + 2014.0);
    assert_eq!(total(&sandbox, "unique_clicks"), 130.0 + 251.0);
    assert_eq!(total(&sandbox, "sent"), 5289.0 + 5432.0 + 5557.0);
    // Rows only the first export had stay.
    assert_eq!(total(&sandbox, "rsvps"), 45.0);

    let by_effort = sandbox.json(&[
        "totals",
        "--by",
        "effort",
        "--metric",
        "unique_opens",
        "--today",
        TODAY,
    ]);
    assert_eq!(
        number(&one_row(&by_effort, &[("effort", "em_1002_vote")])["value"]),
        1692.0
    );
    let by_source = sandbox.json(&[
        "totals", "--by", "source", "--metric", "rsvps", "--today", TODAY,
    ]);
    assert_eq!(
        number(&one_row(&by_source, &[("source", "em_1002_vote")])["value"]),
        45.0
    );

    let ledger = sandbox.json(&["imports"]);
    assert_eq!(ledger.len(), 3);
    assert!(
        ledger[2]["file"]
            .as_str()
            .unwrap()
            .ends_with("frn-2026-10-14.csv")
    );
    assert_eq!(number(&ledger[2]["updated"]), 2.0);
}

#[test]
fn the_same_file_twice_in_one_command_counts_once() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    let file = sandbox.write("frn.csv", format!("{HEADER}{FIRST_EXPORT}"));
    let path = file.to_str().unwrap();
    let rows = import_json(&sandbox, &[path, path]);
    assert_eq!(counts(&rows[0]), [7.0, 7.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(counts(&rows[1]), [7.0, 0.0, 0.0, 7.0, 0.0, 0.0]);
    assert_eq!(total(&sandbox, "sent"), 5289.0 + 5432.0);
}

const BAD_ROWS: &str = "\
2026-10-05,fair-rent-now,email,em1,sent,100,
2026-10-05,fair-rent-now,email,em1,unique_opens,abc,
2026-13-05,fair-rent-now,email,em1,clicks,5,
2026-10-05,fair-rent-now,emial,em1,clicks,5,
2026-10-05,fair-rent-nw,email,em1,clicks,5,
2026-10-05,fair-rent-now,email,em1,opnes,5,
2026-10-05,fair-rent-now,email,em1,opens,-5,
2026-10-05,fair-rent-now,email
1999-10-05,fair-rent-now,email,em1,opens,5,
2026-10-05,fair-rent-now,email,em1,unique_clicks,n/a,
,,,,,,
2026-10-06,fair-rent-now,email,em1,unique_clicks,12,
";

#[test]
fn bad_rows_are_rejected_with_line_column_and_reason_and_the_rest_imports() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    let file = sandbox.write("bad.csv", format!("{HEADER}{BAD_ROWS}"));
    let rejects = sandbox.path("rejects.csv");
    let output = sandbox
        .cmd()
        .args([
            "import",
            file.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
            "--format",
            "json",
            "--today",
            TODAY,
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "bad rows do not fail the import");
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    // 12 rows: 2 inserted, 8 rejected, 2 skipped (n/a value, blank row).
    assert_eq!(counts(&rows[0]), [12.0, 2.0, 0.0, 0.0, 8.0, 2.0]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    for expected in [
        "line 3, column 6 (value): 'abc' is not a value for unique_opens",
        "line 4, column 1 (date): '2026-13-05' is not a usable date",
        "line 5, column 3 (channel): 'emial' is not a channel (did you mean 'email'?)",
        "line 6, column 2 (campaign): there is no campaign 'fair-rent-nw'",
        "line 7, column 5 (metric): 'opnes' is not a known metric; did you mean 'opens'?",
        "line 8, column 6 (value): '-5' is not a value for opens",
        "line 9: this row has 3 fields but the header has 7",
        "line 10, column 1 (date): '1999-10-05' is not a usable date: expected a date between 2000-01-01",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(stderr.contains("Wrote 8 rejected row(s)"), "{stderr}");

    // The rejects file: where, why, and the row as it was, ready to fix and re-import.
    let text = std::fs::read_to_string(&rejects).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "rejected_file,rejected_line,rejected_column,rejected_reason,date,campaign,channel,effort,metric,value,source"
        )
    );
    let first = lines.next().unwrap();
    assert!(
        first.contains(",3,6,")
            && first.ends_with("2026-10-05,fair-rent-now,email,em1,unique_opens,abc,"),
        "{first}"
    );
    assert_eq!(text.lines().count(), 9);

    // Fixing a rejected row and importing the rejects file adds just that row.
    let fixed = text.replace("unique_opens,abc,", "unique_opens,40,");
    let fixed_path = sandbox.write("fixed.csv", fixed);
    let rows = import_json(&sandbox, &[fixed_path.to_str().unwrap()]);
    assert_eq!(number(&rows[0]["inserted"]), 1.0);
    assert_eq!(number(&rows[0]["rejected"]), 7.0);
    assert_eq!(total(&sandbox, "unique_opens"), 40.0);

    // The ledger keeps every rejected and skipped row with its reason.
    let ledger = sandbox.json(&["imports", "1"]);
    let issues: Vec<&Value> = ledger
        .iter()
        .filter(|r| r["section"] == "Rows not imported")
        .collect();
    assert_eq!(issues.len(), 10);
    let value_issue = one_row(
        &ledger,
        &[
            ("section", "Rows not imported"),
            ("column_name", "value"),
            ("found", "abc"),
        ],
    );
    assert_eq!(number(&value_issue["line"]), 3.0);
    assert_eq!(value_issue["outcome"], "rejected");
    let skipped: Vec<&&Value> = issues
        .iter()
        .filter(|r| r["outcome"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 2);
}

#[test]
fn a_hash_line_in_a_file_without_a_header_is_a_skipped_row_not_a_lost_one() {
    // Lines starting with # are set aside as comments before the profile is known (GA4 writes
    // them above its header); in CallPower's header-less log such a line is a row, so it is
    // counted and skipped with its reason, never silently lost.
    let sandbox = Sandbox::new();
    let file = sandbox.write(
        "callpower-log.csv",
        "# note\n2026-09-04 12:40:49,+15105550100,94607\n",
    );
    let rows = import_json(
        &sandbox,
        &[file.to_str().unwrap(), "--profile", "callpower-calls"],
    );
    assert_eq!(counts(&rows[0]), [2.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    let id = rows[0]["import_id"].to_string();
    assert_eq!(
        crate::common::ledger_rows(&sandbox, &id),
        [(
            1,
            "skipped".to_string(),
            String::new(),
            "a line starting with # (read as a comment, not a row)".to_string()
        )]
    );
}

#[test]
fn dry_run_and_strict_write_nothing() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    let good = sandbox.write("good.csv", format!("{HEADER}{FIRST_EXPORT}"));
    let bad = sandbox.write("bad.csv", format!("{HEADER}{BAD_ROWS}"));

    let rows = import_json(&sandbox, &["--dry-run", good.to_str().unwrap()]);
    assert_eq!(rows[0]["status"], "dry-run");
    assert_eq!(counts(&rows[0]), [7.0, 7.0, 0.0, 0.0, 0.0, 0.0]);
    assert!(rows[0]["import_id"].is_null());
    assert!(sandbox.json(&["imports"]).is_empty());
    assert_eq!(total(&sandbox, "sent"), 0.0);

    let output = sandbox
        .cmd()
        .args([
            "import",
            "--strict",
            bad.to_str().unwrap(),
            good.to_str().unwrap(),
            "--format",
            "json",
            "--today",
            TODAY,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows[0]["status"], "strict-refused");
    assert_eq!(number(&rows[0]["rejected"]), 8.0);
    // The other file still imports.
    assert_eq!(rows[1]["status"], "imported");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--strict refused the whole file"));
    let ledger = sandbox.json(&["imports"]);
    assert_eq!(ledger.len(), 1);
    assert!(ledger[0]["file"].as_str().unwrap().ends_with("good.csv"));
}

#[test]
fn refused_files_leave_the_database_byte_identical() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    let good = sandbox.write("good.csv", format!("{HEADER}{FIRST_EXPORT}"));
    sandbox.ok(&["import", good.to_str().unwrap(), "--today", TODAY]);
    std::fs::create_dir(sandbox.path("exports")).unwrap();
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (
            sandbox.write("other-tool.csv", "Title,Subject,Send Date\nx,y,z\n"),
            "does not recognise its header ('Title', 'Subject', 'Send Date')",
        ),
        (sandbox.write("empty.csv", ""), "is empty"),
        (
            sandbox.write(
                "header-wrong.csv",
                "date,metric,amount\n2026-10-05,calls,5\n",
            ),
            "needs the columns: value",
        ),
        (
            sandbox.write("export.csv", b"PK\x03\x04\x14\x00\x00\x00rest-of-zip"),
            "ZIP",
        ),
        (
            sandbox.write("binary.csv", [0u8, 159, 146, 150, 0, 1, 2, 3, 0, 0]),
            "binary data",
        ),
        (sandbox.path("exports"), "is a folder"),
        (sandbox.path("missing.csv"), "no such file"),
    ];
    // Close every connection so the main file holds everything, then compare bytes.
    let before = file_bytes(&sandbox.db());
    for (path, message) in &cases {
        sandbox
            .cmd()
            .args(["import", path.to_str().unwrap(), "--today", TODAY])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(*message))
            .stderr(predicate::str::contains("nothing from them was written"));
        assert_eq!(
            before,
            file_bytes(&sandbox.db()),
            "{} changed the database",
            path.display()
        );
    }
    // In JSON a refused file says so, with no counts, and the other files still import.
    let output = sandbox
        .cmd()
        .args([
            "import",
            "empty.csv",
            "good.csv",
            "--format",
            "json",
            "--today",
            TODAY,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows[0]["status"], "refused");
    assert!(rows[0]["rows_read"].is_null());
    assert!(rows[0]["error"].as_str().unwrap().contains("is empty"));
    assert_eq!(rows[1]["status"], "imported");
    assert_eq!(counts(&rows[1]), [7.0, 0.0, 0.0, 7.0, 0.0, 0.0]);
    let before = file_bytes(&sandbox.db());

    // Asking for the wrong profile is refused the same way.
    sandbox
        .cmd()
        .args([
            "import",
            "--profile",
            "no-such-profile",
            good.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no import profile called 'no-such-profile'",
        ));
    assert_eq!(before, file_bytes(&sandbox.db()));
    assert_eq!(sandbox.json(&["imports"]).len(), 2);
}

#[test]
fn real_world_file_shapes_are_accepted() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    // A BOM, CRLF line ends, columns in another order and case, no source column.
    let text = "\u{feff}Metric,Value,Date,Campaign\r\ncalls,120,2026-W41,fair-rent-now\r\nrsvps,40,2026-W41,fair-rent-now\r\n";
    let file = sandbox.write("excel.csv", text);
    let rows = import_json(&sandbox, &[file.to_str().unwrap()]);
    assert_eq!(counts(&rows[0]), [2.0, 2.0, 0.0, 0.0, 0.0, 0.0]);
    let by_week = sandbox.json(&[
        "totals", "--by", "week", "--metric", "calls", "--today", TODAY,
    ]);
    assert_eq!(
        one_row(&by_week, &[("metric", "calls")])["week"],
        "2026-W41"
    );

    // A header-only file: zero rows, fine.
    let empty = sandbox.write("header-only.csv", HEADER);
    let rows = import_json(&sandbox, &[empty.to_str().unwrap()]);
    assert_eq!(counts(&rows[0]), [0.0; 6]);
}

#[test]
fn campaign_date_and_time_zone_options() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    sandbox.ok(&["config", "set", "timezone", "America/Los_Angeles"]);
    // No campaign, no date column: unlinked rows kept, dated --date.
    let file = sandbox.write("snapshot.csv", "metric,value\nfollows,42\n");
    let output = sandbox
        .cmd()
        .args([
            "import",
            file.to_str().unwrap(),
            "--date",
            "2026-10-10",
            "--today",
            TODAY,
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("pass --campaign SLUG to link them"));
    let rows = sandbox.json(&["totals", "--by", "week", "--today", TODAY]);
    let follows = one_row(&rows, &[("metric", "follows")]);
    assert!(follows["campaign"].is_null());
    assert_eq!(follows["week"], "2026-W41");
    assert_eq!(number(&follows["value"]), 42.0);

    // The same file with --campaign links the row it had left unlinked: updated, not added twice.
    let rows = import_json(
        &sandbox,
        &[
            file.to_str().unwrap(),
            "--campaign",
            "fair-rent-now",
            "--date",
            "2026-10-10",
        ],
    );
    assert_eq!(counts(&rows[0]), [1.0, 0.0, 1.0, 0.0, 0.0, 0.0]);
    let all = sandbox.json(&["totals", "--metric", "follows", "--today", TODAY]);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["campaign"], "fair-rent-now");
    assert_eq!(number(&all[0]["value"]), 42.0);

    // Timestamps: a UTC instant late on Oct 6 is still Oct 5 in Oakland; --tz reads local times.
    let times = sandbox.write(
        "times.csv",
        "date,campaign,channel,effort,metric,value\n\
         2026-10-05T02:30:00Z,fair-rent-now,sms,sms_1004,sent,900\n\
         2026-10-12 01:00,fair-rent-now,sms,sms_1011,sent,800\n",
    );
    sandbox.ok(&[
        "import",
        times.to_str().unwrap(),
        "--tz",
        "UTC",
        "--today",
        TODAY,
    ]);
    let by_week = sandbox.json(&[
        "totals", "--by", "week", "--metric", "sent", "--today", TODAY,
    ]);
    // Both fall on Sunday evenings in Oakland: W40 and W41.
    assert_eq!(
        number(&one_row(&by_week, &[("week", "2026-W40")])["value"]),
        900.0
    );
    assert_eq!(
        number(&one_row(&by_week, &[("week", "2026-W41")])["value"]),
        800.0
    );

    sandbox
        .cmd()
        .args(["import", times.to_str().unwrap(), "--tz", "Oakland"])
        .assert()
        .code(2);
    sandbox
        .cmd()
        .args(["import", times.to_str().unwrap(), "--date", "10/10/2026"])
        .assert()
        .code(2);
}

#[test]
fn the_summary_table_is_for_people() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    sandbox.write("frn.csv", format!("{HEADER}{FIRST_EXPORT}"));
    let out = sandbox.ok(&["import", "frn.csv", "--today", TODAY]);
    assert!(
        out.contains("│ frn.csv │ turnout-metrics │ imported │"),
        "{out}"
    );
    assert!(out.contains("Added"), "{out}");
    assert!(
        !out.contains("SHA-256"),
        "hashes are for tools, not the table: {out}"
    );
}
