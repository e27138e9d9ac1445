//! `turnout goal`: progress, pace and verdicts computed from logged numbers.

use predicates::prelude::*;

use serde_json::Value;

use crate::common::{Sandbox, number, one_row};

const TODAY: &str = "2026-10-14"; // a Wednesday, in 2026-W42

/// Weekly calls logged by hand, W38 to W42.
const WEEKLY_CALLS: [(&str, f64); 5] = [
    ("2026-W38", 40.0),
    ("2026-W39", 95.0),
    ("2026-W40", 260.0),
    ("2026-W41", 390.0),
    ("2026-W42", 310.0),
];

fn with_calls() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    for (week, calls) in WEEKLY_CALLS {
        sandbox.ok(&[
            "log",
            "fair-rent-now",
            &format!("calls={calls}"),
            "--week",
            week,
            "--today",
            TODAY,
        ]);
    }
    sandbox
}

#[test]
fn progress_and_pace_follow_the_definitions() {
    let sandbox = with_calls();
    let out = sandbox.ok(&[
        "goal",
        "set",
        "fair-rent-now",
        "calls",
        "1,500",
        "--by",
        "2026-10-30",
        "--today",
        TODAY,
    ]);
    assert!(
        out.contains("Goal set: fair-rent-now 1500 calls from 2026-09-07 to 2026-10-30"),
        "{out}"
    );

    let rows = sandbox.json(&["goal", "list", "--today", TODAY]);
    let goal = one_row(&rows, &[("metric", "calls")]);
    let done: f64 = WEEKLY_CALLS.iter().map(|(_, c)| c).sum();
    assert_eq!(number(&goal["target"]), 1500.0);
    assert_eq!(number(&goal["done"]), done);
    assert!((number(&goal["percent"]) - done / 1500.0 * 100.0).abs() < 0.01);
    // 2026-10-14 to 2026-10-30
    assert_eq!(number(&goal["days_left"]), 16.0);
    assert!((number(&goal["needed_per_week"]) - (1500.0 - done) / 16.0 * 7.0).abs() < 0.01);
    // The last four complete weeks before W42: W38 to W41.
    let recent: f64 = WEEKLY_CALLS[..4].iter().map(|(_, c)| c).sum::<f64>() / 4.0;
    assert!((number(&goal["recent_per_week"]) - recent).abs() < 0.01);
    assert_eq!(goal["verdict"], "on track");

    let table = sandbox.ok(&["goal", "list", "--today", TODAY]);
    assert!(
        table.contains("Time zone: UTC · as of 2026-10-14"),
        "{table}"
    );
    assert!(table.contains("on track"), "{table}");
    assert!(
        table.contains("Recent/wk averages the last four complete ISO weeks"),
        "{table}"
    );
}

#[test]
fn verdicts_cover_behind_met_missed_and_no_data() {
    let sandbox = with_calls();
    sandbox.ok(&[
        "goal",
        "set",
        "fair-rent-now",
        "calls",
        "3000",
        "--by",
        "2026-10-30",
        "--today",
        TODAY,
    ]);
    sandbox.ok(&[
        "goal",
        "set",
        "fair-rent-now",
        "rsvps",
        "300",
        "--by",
        "2026-10-15",
        "--today",
        TODAY,
    ]);
    let rows = sandbox.json(&["goal", "list", "--today", TODAY]);
    assert_eq!(one_row(&rows, &[("metric", "calls")])["verdict"], "behind");
    assert_eq!(one_row(&rows, &[("metric", "rsvps")])["verdict"], "no data");
    // Results are listed in the vocabulary's order: rsvps before calls.
    assert_eq!(rows[0]["metric"], "rsvps");

    // Changing a goal says what it was.
    let out = sandbox.ok(&[
        "goal",
        "set",
        "fair-rent-now",
        "calls",
        "1000",
        "--by",
        "2026-10-30",
        "--today",
        TODAY,
    ]);
    assert!(
        out.contains("was 3000 by 2026-10-30, now 1000 by 2026-10-30"),
        "{out}"
    );
    let rows = sandbox.json(&["goal", "list", "--today", TODAY]);
    assert_eq!(one_row(&rows, &[("metric", "calls")])["verdict"], "met");

    sandbox.ok(&[
        "log",
        "fair-rent-now",
        "rsvps=120",
        "--week",
        "2026-W41",
        "--today",
        TODAY,
    ]);
    let rows = sandbox.json(&["goal", "list", "--today", "2026-11-05"]);
    let rsvps = one_row(&rows, &[("metric", "rsvps")]);
    assert_eq!(rsvps["verdict"], "missed");
    assert_eq!(number(&rsvps["days_left"]), 0.0);
    assert!(rsvps["needed_per_week"].is_null());

    sandbox.ok(&["goal", "remove", "fair-rent-now", "rsvps"]);
    let rows = sandbox.json(&["goal", "list", "--today", TODAY]);
    assert_eq!(rows.len(), 1);
}

#[test]
fn bad_goals_are_refused_with_the_reason() {
    let sandbox = with_calls();
    sandbox
        .cmd()
        .args([
            "goal",
            "set",
            "fair-rent-now",
            "cals",
            "100",
            "--by",
            "2026-10-30",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean 'calls'"));
    sandbox
        .cmd()
        .args([
            "goal",
            "set",
            "fair-rent-now",
            "calls",
            "-5",
            "--by",
            "2026-10-30",
        ])
        .assert()
        .code(1);
    sandbox
        .cmd()
        .args([
            "goal",
            "set",
            "fair-rent-now",
            "calls",
            "100",
            "--by",
            "2026-08-01",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("before it starts counting"));
    sandbox
        .cmd()
        .args([
            "goal",
            "set",
            "fair-rent-now",
            "calls",
            "100",
            "--by",
            "Oct 30",
        ])
        .assert()
        .code(2);
}

#[test]
fn one_goal_on_one_day_has_one_verdict_everywhere() {
    // Every command that shows a goal computes it with one function and says the day it is as
    // of; a digest or brief of a past week is as of that week's last day. On Sunday 2026-11-01,
    // the last day of W44, all six agree on every demo goal.
    let sandbox = crate::common::demo();
    let day = "2026-11-01";
    let demo_db = sandbox.path("again.db");
    let verdicts = |rows: &[Value]| -> Vec<(String, String, String)> {
        let mut v: Vec<(String, String, String)> = rows
            .iter()
            .filter(|r| r["verdict"].is_string() && r["as_of"].is_string())
            .map(|r| {
                (
                    r["metric"].as_str().unwrap().to_string(),
                    r["verdict"].as_str().unwrap().to_string(),
                    r["as_of"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let expected = verdicts(&sandbox.json(&["goal", "list", "--today", day]));
    assert_eq!(expected.len(), 5, "{expected:?}");
    assert!(expected.iter().all(|(_, _, as_of)| as_of == day));
    for args in [
        vec!["campaign", "show", "fair-rent-now"],
        vec!["report", "fair-rent-now"],
        vec!["digest", "--week", "2026-W44"],
        vec!["brief", "--week", "2026-W44"],
    ] {
        let mut all = args.clone();
        all.extend(["--today", day]);
        assert_eq!(verdicts(&sandbox.json(&all)), expected, "{args:?}");
    }
    let demo = sandbox.json_with_db(&demo_db, &["demo", "--today", day]);
    assert_eq!(verdicts(&demo), expected, "demo");
}
