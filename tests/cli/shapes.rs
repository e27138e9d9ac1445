//! The time shape of a file: CallPower's statistics are snapshots (totals since the start, as of
//! the download), GA4's reports are totals over a period. Numbers worked out by hand from the
//! samples: `callpower-export-2026-10-25.csv` completes 1,300 calls (Peter Vance 178), and
//! `callpower-export.csv`, the download a week later, 1,530 (Peter Vance 210).

use serde_json::Value;

use crate::common::{Sandbox, import_counts, number, one_row, sample};

const TODAY: &str = "2026-11-04"; // a Wednesday, in 2026-W45

fn import(sandbox: &Sandbox, file: &str, extra: &[&str]) -> Value {
    let path = sample(file);
    let mut args = vec![
        "import",
        path.to_str().unwrap(),
        "--campaign",
        "fair-rent-now",
        "--today",
        TODAY,
    ];
    args.extend_from_slice(extra);
    sandbox.json(&args)[0].clone()
}

/// What a command prints, its notes included (they go to stderr).
fn said(sandbox: &Sandbox, args: &[&str]) -> String {
    let out = sandbox.cmd().args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

fn calls_by_week(sandbox: &Sandbox) -> Vec<(String, String, f64)> {
    sandbox
        .json(&[
            "totals", "--metric", "calls", "--by", "week", "--today", TODAY,
        ])
        .iter()
        .map(|r| {
            (
                r["week"].as_str().unwrap().to_string(),
                r["covers"].as_str().unwrap_or("").to_string(),
                number(&r["value"]),
            )
        })
        .collect()
}

fn calls_total(sandbox: &Sandbox) -> f64 {
    let rows = sandbox.json(&["totals", "--metric", "calls", "--today", TODAY]);
    number(&one_row(&rows, &[("metric", "calls")])["value"])
}

fn week(label: &str, covers: &str, value: f64) -> (String, String, f64) {
    (label.to_string(), covers.to_string(), value)
}

#[test]
fn two_snapshots_a_week_apart_give_each_week_its_own_calls() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    import(
        &sandbox,
        "callpower-export-2026-10-25.csv",
        &["--as-of", "2026-10-25"],
    );
    let newer = import(&sandbox, "callpower-export.csv", &["--as-of", "2026-11-01"]);
    assert_eq!(import_counts(&newer), [12, 12, 0, 0, 0, 0], "{newer}");
    // The first download counts everything up to Oct 25 (W43); the week after gets the 230
    // made in it; the total is the newer download's.
    assert_eq!(
        calls_by_week(&sandbox),
        vec![
            week("2026-W43", "since the start, to 2026-10-25", 1300.0),
            week("2026-W44", "", 230.0),
        ]
    );
    assert_eq!(calls_total(&sandbox), 1530.0);
    // The same download again, on another day, with or without --as-of: nothing changes.
    for extra in [
        &[][..],
        &["--as-of", "2026-11-03"][..],
        &["--date", "2026-11-01"][..],
    ] {
        let again = import(&sandbox, "callpower-export.csv", extra);
        assert_eq!(import_counts(&again), [12, 0, 0, 12, 0, 0], "{again}");
        assert!(number(&again["same_as"]) > 0.0, "{again}");
    }
    assert_eq!(calls_total(&sandbox), 1530.0);
    assert_eq!(calls_by_week(&sandbox).len(), 2);

    // The goal's pace comes from the snapshots' difference, not from the first one's total:
    // the four weeks before W45 are W41-W44, but the pace starts after Oct 25: 230 in 7 days.
    sandbox.ok(&[
        "goal",
        "set",
        "fair-rent-now",
        "calls",
        "2000",
        "--by",
        "2026-11-15",
        "--from",
        "2026-09-07",
        "--today",
        TODAY,
    ]);
    let goals = sandbox.json(&["goal", "list", "--today", TODAY]);
    let goal = one_row(&goals, &[("metric", "calls")]);
    assert_eq!(number(&goal["done"]), 1530.0);
    assert!(
        (number(&goal["recent_per_week"]) - 230.0).abs() < 1e-9,
        "{goal}"
    );
    // 1,530 + 230 x 11 days / 7 = 1,891.4 < 2,000.
    assert_eq!(goal["verdict"], "behind");

    // The week's digest compares weeks: W44's 230 against W43's nothing, and says where the
    // 1,300 are.
    let digest = sandbox.json(&["digest", "--week", "2026-W44", "--today", TODAY]);
    let calls = one_row(&digest, &[("section", "Results"), ("metric", "calls")]);
    assert_eq!(number(&calls["this_period"]), 230.0);
    assert_eq!(number(&calls["last_period"]), 0.0);
    let table = sandbox.ok(&["digest", "--week", "2026-W43", "--today", TODAY]);
    assert!(
        table.contains("so not in this week: fair-rent-now calls 1300"),
        "{table}"
    );
}

#[test]
fn an_older_snapshot_after_a_newer_one_is_recorded_and_changes_nothing() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    import(&sandbox, "callpower-export.csv", &["--as-of", "2026-11-01"]);
    let out = said(
        &sandbox,
        &[
            "import",
            sample("callpower-export-2026-10-25.csv").to_str().unwrap(),
            "--campaign",
            "fair-rent-now",
            "--as-of",
            "2026-10-25",
            "--today",
            TODAY,
        ],
    );
    assert!(
        out.contains(
            "12 row(s) are older than the snapshot already imported (as of 2026-11-01): recorded, and they change nothing"
        ),
        "{out}"
    );
    let ledger = sandbox.json(&["imports"]);
    assert_eq!(
        import_counts(&ledger[1]),
        [12, 0, 0, 12, 0, 0],
        "{ledger:?}"
    );
    assert_eq!(
        calls_by_week(&sandbox),
        vec![week("2026-W44", "since the start, to 2026-11-01", 1530.0)]
    );
}

#[test]
fn a_snapshot_is_as_of_the_import_day_unless_told_and_a_falling_counter_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    let out = said(
        &sandbox,
        &[
            "import",
            sample("callpower-export-2026-10-25.csv").to_str().unwrap(),
            "--campaign",
            "fair-rent-now",
            "--today",
            TODAY,
        ],
    );
    assert!(
        out.contains("a snapshot (totals since the start) as of 2026-11-04, the import day; if it was downloaded another day, say so with --as-of DATE"),
        "{out}"
    );
    // A download whose Peter Vance total is below the last one's cannot be a total since the
    // start: both readings are said, and the row is refused.
    let lower = std::fs::read_to_string(sample("callpower-export.csv"))
        .unwrap()
        .replace("Peter Vance,District 4,210", "Peter Vance,District 4,150");
    let file = sandbox.write("callpower-range.csv", lower);
    let row = &sandbox.json(&[
        "import",
        file.to_str().unwrap(),
        "--campaign",
        "fair-rent-now",
        "--as-of",
        "2026-11-11",
        "--today",
        "2026-11-11",
    ])[0];
    assert_eq!(import_counts(row), [12, 11, 0, 0, 1, 0], "{row}");
    let issues = sandbox.json(&["imports", &row["import_id"].to_string()]);
    let issue = one_row(&issues, &[("outcome", "rejected")]);
    let reason = issue["reason"].as_str().unwrap();
    assert!(
        reason
            .contains("calls for Peter Vance is 150 as of 2026-11-11, below 178 as of 2026-11-04")
            && reason.contains("--period or --begin/--end"),
        "{reason}"
    );
    // Flags that do not fit the file are refused, saying which do.
    let events = sandbox
        .cmd()
        .args([
            "import",
            sample("mobilize-participations-sql-mirror.csv")
                .to_str()
                .unwrap(),
            "--as-of",
            "2026-11-01",
        ])
        .output()
        .unwrap();
    assert!(!events.status.success());
    assert!(
        String::from_utf8_lossy(&events.stderr).contains("rows carry their own dates"),
        "{events:?}"
    );
}

/// The GA4 sample with its date range set to `start`..`end` (YYYYMMDD) and fair-rent-now's
/// sessions set to `sessions`.
fn ga4(sandbox: &Sandbox, name: &str, start: &str, end: &str, sessions: u32) -> String {
    let text = std::fs::read_to_string(sample("ga4-traffic-acquisition-session-campaign.csv"))
        .unwrap()
        .replace("Start date: 20260907", &format!("Start date: {start}"))
        .replace("End date: 20261101", &format!("End date: {end}"))
        .replace(
            "\nfair-rent-now,2231,",
            &format!("\nfair-rent-now,{sessions},"),
        );
    sandbox.write(name, text).to_str().unwrap().to_string()
}

fn sessions_by_week(sandbox: &Sandbox) -> Vec<(String, String, f64)> {
    sandbox
        .json(&[
            "totals",
            "--campaign",
            "fair-rent-now",
            "--metric",
            "sessions",
            "--by",
            "week",
            "--today",
            TODAY,
        ])
        .iter()
        .map(|r| {
            (
                r["week"].as_str().unwrap().to_string(),
                r["covers"].as_str().unwrap_or("").to_string(),
                number(&r["value"]),
            )
        })
        .collect()
}

#[test]
fn period_files_add_per_period_and_replace_within_one() {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "campaign",
        "add",
        "fair-rent-now",
        "--name",
        "Fair Rent Now",
        "--code",
        "fair-rent-now",
    ]);
    let import = |file: &str| sandbox.json(&["import", file, "--today", TODAY])[0].clone();
    let w43 = ga4(&sandbox, "ga4-w43.csv", "20261019", "20261025", 300);
    let w44 = ga4(&sandbox, "ga4-w44.csv", "20261026", "20261101", 410);
    import(&w43);
    import(&w44);
    assert_eq!(
        sessions_by_week(&sandbox),
        vec![week("2026-W43", "", 300.0), week("2026-W44", "", 410.0)]
    );
    // W44 downloaded again later, with more sessions counted: it replaces, never adds.
    let w44_again = ga4(&sandbox, "ga4-w44-later.csv", "20261026", "20261101", 420);
    let row = import(&w44_again);
    assert_eq!(number(&row["rejected"]), 0.0, "{row}");
    assert_eq!(
        sessions_by_week(&sandbox),
        vec![week("2026-W43", "", 300.0), week("2026-W44", "", 420.0)]
    );
    // The whole autumn's report overlaps both weeks: counting it too would count them twice.
    let row = import(
        sample("ga4-traffic-acquisition-session-campaign.csv")
            .to_str()
            .unwrap(),
    );
    assert_eq!(number(&row["inserted"]), 0.0, "{row}");
    assert_eq!(number(&row["rejected"]), 13.0, "{row}");
    let issues = sandbox.json(&["imports", &row["import_id"].to_string()]);
    assert!(
        issues.iter().any(|i| i["reason"].as_str().unwrap_or("").contains(
            "sessions for 'fair-rent-now' over 2026-09-07 to 2026-11-01 overlaps the 300 over 2026-W43"
        )),
        "{issues:?}"
    );
    // A report over more than a week shows what it covers by week, and no week-by-week view
    // counts it.
    let fresh = Sandbox::new();
    fresh.ok(&[
        "campaign",
        "add",
        "fair-rent-now",
        "--name",
        "Fair Rent Now",
        "--code",
        "fair-rent-now",
    ]);
    fresh.ok(&[
        "import",
        sample("ga4-traffic-acquisition-session-campaign.csv")
            .to_str()
            .unwrap(),
        "--today",
        TODAY,
    ]);
    assert_eq!(
        sessions_by_week(&fresh),
        vec![week("2026-W37", "2026-09-07 to 2026-11-01", 2231.0)]
    );
    // A file that states its period and a --period that says otherwise: both readings, refused.
    let text = said(
        &fresh,
        &["import", &w43, "--period", "2026-W44", "--today", TODAY],
    );
    assert!(
        text.contains("the file says it covers 2026-W43, the command line says 2026-W44"),
        "{text}"
    );
}

#[test]
fn a_logged_week_beside_imported_rows_is_warned_and_includes_imports_resolves_it() {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "campaign",
        "add",
        "fair-rent-now",
        "--name",
        "Fair Rent Now",
        "--code",
        "fair-rent-now",
    ]);
    sandbox.ok(&[
        "import",
        sample("mobilize-participations-sql-mirror.csv")
            .to_str()
            .unwrap(),
        "--today",
        TODAY,
    ]);
    let rsvps_w41 = |sandbox: &Sandbox| {
        let rows = sandbox.json(&[
            "totals",
            "--campaign",
            "fair-rent-now",
            "--metric",
            "rsvps",
            "--by",
            "week",
            "--today",
            TODAY,
        ]);
        number(&one_row(&rows, &[("week", "2026-W41")])["value"])
    };
    // Mobilize has 5 RSVPs to fair-rent-now events in W41.
    assert_eq!(rsvps_w41(&sandbox), 5.0);
    let out = said(
        &sandbox,
        &[
            "log",
            "fair-rent-now",
            "--week",
            "2026-W41",
            "rsvps=40",
            "--today",
            TODAY,
        ],
    );
    assert!(
        out.contains("imports hold 5 more for this week, so reports count 45"),
        "{out}"
    );
    assert_eq!(rsvps_w41(&sandbox), 45.0);
    let checks = sandbox.json(&["check", "--today", TODAY]);
    let overlap = one_row(&checks, &[("check", "logged beside imported")]);
    assert_eq!(overlap["subject"], "fair-rent-now 2026-W41 rsvps");
    assert_eq!(
        overlap["detail"],
        "logged 40 by hand, and imports (mobilize-participations) hold 5 for the same week: reports add them, 45"
    );
    assert!(
        overlap["fix"]
            .as_str()
            .unwrap()
            .contains("turnout log fair-rent-now --week 2026-W41 rsvps=40 --includes-imports"),
        "{overlap}"
    );

    // Logged as the week's whole total, it counts instead of the imported rows, which stay.
    sandbox.ok(&[
        "log",
        "fair-rent-now",
        "--week",
        "2026-W41",
        "rsvps=40",
        "--includes-imports",
        "--today",
        TODAY,
    ]);
    assert_eq!(rsvps_w41(&sandbox), 40.0);
    let checks = sandbox.json(&["check", "--today", TODAY]);
    assert!(
        checks
            .iter()
            .all(|c| c["check"] != "logged beside imported"),
        "{checks:?}"
    );
    // Other weeks keep their imported RSVPs.
    let rows = sandbox.json(&[
        "totals",
        "--campaign",
        "fair-rent-now",
        "--metric",
        "rsvps",
        "--by",
        "week",
        "--today",
        TODAY,
    ]);
    assert_eq!(
        number(&one_row(&rows, &[("week", "2026-W40")])["value"]),
        1.0
    );
}
