//! Every command's default table on the demo, compared whole with its transcript in
//! `tests/transcripts/` (see `common::transcript`). The demo is set on 2026-11-02.

use crate::common::transcript::{assert_transcript, normalised};
use crate::common::{bare_cmd, demo};

/// (transcript name, command line after `turnout --db DEMO --today 2026-11-02`).
const COMMANDS: &[(&str, &[&str])] = &[
    ("report", &["report"]),
    ("report-weekly", &["report", "--weekly"]),
    ("totals", &["totals"]),
    ("totals-by-week", &["totals", "--by", "week"]),
    ("funnel", &["funnel", "fair-rent-now"]),
    ("goal-list", &["goal", "list"]),
    ("campaign-list", &["campaign", "list"]),
    ("campaign-show", &["campaign", "show", "fair-rent-now"]),
    ("digest", &["digest"]),
    (
        "drivers",
        &["drivers", "fair-rent-now", "--outcome", "rsvps"],
    ),
    (
        "lift",
        &[
            "lift",
            "fair-rent-now",
            "--experiment",
            "assembly-invite",
            "--outcome",
            "rsvps",
        ],
    ),
    ("holdout-list", &["holdout", "list"]),
    ("check", &["check"]),
    ("codes", &["codes"]),
    ("imports", &["imports"]),
    ("log-history", &["log", "--history"]),
    ("cost-list", &["cost", "list"]),
    ("brief", &["brief"]),
    ("calendar-list", &["calendar", "list"]),
    ("calendar-week", &["calendar", "week", "2026-W39"]),
    ("calendar-matrix", &["calendar", "matrix"]),
    ("calendar-check", &["calendar", "check"]),
    ("calendar-results", &["calendar", "results"]),
    ("audience-list", &["audience", "list"]),
    ("metric-list", &["metric", "list"]),
    ("profiles-list", &["profiles", "list"]),
    ("config-list", &["config", "list"]),
];

#[test]
fn every_commands_default_table_on_the_demo_is_its_transcript() {
    let sandbox = demo();
    for (name, args) in COMMANDS {
        let output = bare_cmd()
            .current_dir(sandbox.dir.path())
            .arg("--db")
            .arg(sandbox.db())
            .args(["--today", "2026-11-02"])
            .args(*args)
            .output()
            .expect("run turnout");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).expect("utf-8");
        assert_transcript(name, &normalised(&stdout, sandbox.dir.path()));
    }
}

#[test]
fn the_top_level_help_is_its_transcript() {
    let output = bare_cmd().arg("--help").output().expect("run turnout");
    assert_transcript("help", &String::from_utf8(output.stdout).expect("utf-8"));
}

#[test]
fn a_narrow_terminal_gets_tables_that_fit_it_in_blocks_of_weeks() {
    let sandbox = demo();
    for columns in ["80", "100", "120"] {
        for (name, args) in COMMANDS {
            let output = bare_cmd()
                .current_dir(sandbox.dir.path())
                .env("COLUMNS", columns)
                .arg("--db")
                .arg(sandbox.db())
                .args(["--today", "2026-11-02"])
                .args(*args)
                .output()
                .expect("run turnout");
            let stdout = String::from_utf8(output.stdout).expect("utf-8");
            assert!(!stdout.contains('\u{1b}'), "{name}: colour in a pipe");
            let width: usize = columns.parse().unwrap();
            for line in stdout.lines() {
                assert!(
                    line.chars().count() <= width,
                    "{name} at COLUMNS={columns}: a line of {} columns: {line}",
                    line.chars().count()
                );
            }
        }
    }
    let output = bare_cmd()
        .current_dir(sandbox.dir.path())
        .env("COLUMNS", "80")
        .arg("--db")
        .arg(sandbox.db())
        .args(["--today", "2026-11-02", "report", "--weekly"])
        .output()
        .unwrap();
    assert_transcript(
        "report-weekly-80-columns",
        &normalised(
            &String::from_utf8(output.stdout).unwrap(),
            sandbox.dir.path(),
        ),
    );
}
