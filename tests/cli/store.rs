//! The database file: where it lives, its schema version, and what is refused.

use predicates::prelude::*;

use crate::common::{Sandbox, bare_cmd, file_bytes};

#[test]
fn db_path_comes_from_flag_then_env_then_current_folder() {
    let sandbox = Sandbox::new();
    // --db
    sandbox.ok(&["init"]);
    assert!(sandbox.db().exists());

    // TURNOUT_DB
    let from_env = sandbox.path("from-env.db");
    bare_cmd()
        .current_dir(sandbox.dir.path())
        .env("TURNOUT_DB", &from_env)
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("Created"));
    assert!(from_env.exists());

    // ./turnout.db
    let folder = sandbox.path("work");
    std::fs::create_dir(&folder).unwrap();
    bare_cmd()
        .current_dir(&folder)
        .arg("init")
        .assert()
        .success();
    assert!(folder.join("turnout.db").exists());

    // init again says so and changes nothing it should not
    bare_cmd()
        .current_dir(&folder)
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("Already set up"));
}

#[test]
fn a_database_from_a_newer_turnout_is_refused_untouched() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    {
        let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = file_bytes(&sandbox.db());
    sandbox
        .cmd()
        .args(["campaign", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("newer turnout"))
        .stderr(predicate::str::contains("schema version 99"));
    sandbox
        .cmd()
        .args([
            "log",
            "fair-rent-now",
            "calls=5",
            "--week",
            "2026-W41",
            "--today",
            "2026-10-14",
        ])
        .assert()
        .code(1);
    assert_eq!(
        before,
        file_bytes(&sandbox.db()),
        "the newer database was changed"
    );
    assert!(
        !sandbox.path("turnout.db-wal").exists()
            || file_bytes(&sandbox.path("turnout.db-wal")).is_empty()
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let sandbox = Sandbox::new();
    let not_db = sandbox.write("notes.db", "this is a text file, not SQLite\n".repeat(200));
    let before = file_bytes(&not_db);
    bare_cmd()
        .arg("--db")
        .arg(&not_db)
        .args(["campaign", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a turnout database"));
    assert_eq!(before, file_bytes(&not_db));
}

#[test]
fn a_database_in_a_missing_folder_is_a_clear_error() {
    let sandbox = Sandbox::new();
    bare_cmd()
        .arg("--db")
        .arg(sandbox.path("no/such/folder/t.db"))
        .arg("init")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn the_schema_version_and_wal_mode_are_set() {
    let sandbox = Sandbox::new();
    sandbox.ok(&["init"]);
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert!(version >= 1);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn the_time_zone_setting_shows_in_report_headers() {
    let sandbox = Sandbox::initialised();
    let out = sandbox.ok(&["totals", "--today", "2026-10-14"]);
    assert!(out.contains("Time zone: UTC · as of 2026-10-14"), "{out}");
    sandbox.ok(&["config", "set", "timezone", "America/Los_Angeles"]);
    assert_eq!(
        sandbox.ok(&["config", "get", "timezone"]).trim(),
        "America/Los_Angeles"
    );
    let out = sandbox.ok(&["totals", "--today", "2026-10-14"]);
    assert!(out.contains("Time zone: America/Los_Angeles"), "{out}");
    sandbox
        .cmd()
        .args(["config", "set", "timezone", "Mars/Olympus"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Mars/Olympus"));
}

#[test]
fn usage_errors_exit_2_and_input_errors_exit_1() {
    let sandbox = Sandbox::new();
    // Each usage error is clap's, whole: the value, the flag, what to write and the fix.
    let usage = |args: &[&str], message: &str| {
        sandbox
            .cmd()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(message.to_string());
    };
    usage(
        &["--today", "14/10/2026", "totals"],
        "error: invalid value '14/10/2026' for '--today <DATE>': '14/10/2026' is not a date; write it as YYYY-MM-DD, e.g. 2026-10-30; did you mean 2026-10-14?\n\nFor more information, try '--help'.\n",
    );
    usage(
        &["totals", "--begin", "10/13/2026"],
        "error: invalid value '10/13/2026' for '--begin <DATE>': '10/13/2026' is not a date or period; write a day (2026-10-05), a week (2026-W41), a month (2026-10) or a year (2026); did you mean 2026-10-13?\n\nFor more information, try '--help'.\n",
    );
    usage(
        &["totals", "--begin", "03/04/2026"],
        "error: invalid value '03/04/2026' for '--begin <DATE>': '03/04/2026' is not a date or period; write a day (2026-10-05), a week (2026-W41), a month (2026-10) or a year (2026); did you mean 2026-03-04 (the month first, as in the US) or 2026-04-03 (the day first)?\n\nFor more information, try '--help'.\n",
    );
    usage(
        &["totals", "--begin", "last week"],
        "error: invalid value 'last week' for '--begin <DATE>': 'last week' is not a date or period; write a day (2026-10-05), a week (2026-W41), a month (2026-10) or a year (2026)\n\nFor more information, try '--help'.\n",
    );
    usage(
        &["log", "--week", "W60", "x", "calls=1"],
        "error: invalid value 'W60' for '--week <WEEK>': 'W60' is not an ISO week; write it as YYYY-Www, e.g. 2026-W41, or W41 for this year's (weeks start on Monday)\n\nFor more information, try '--help'.\n",
    );
    usage(
        &["drivers", "--outcome", "Unique Opens"],
        "error: invalid value 'Unique Opens' for '--outcome <METRIC>': 'Unique Opens' cannot be a metric name: use lower-case letters, digits and underscores, starting with a letter (did you mean unique_opens?)\n\nFor more information, try '--help'.\n",
    );
    usage(
        &["goal", "set", "x", "RSVPs", "40", "--by", "2026-11-15"],
        "error: invalid value 'RSVPs' for '<METRIC>': 'RSVPs' cannot be a metric name: use lower-case letters, digits and underscores, starting with a letter (did you mean rsvps?)\n\nFor more information, try '--help'.\n",
    );
    usage(
        &["drivers", "--outcome", "rsvps", "--model", "u-shaped"],
        "error: invalid value 'u-shaped' for '--model <MODEL>'\n  [possible values: all, direct, last, first, linear, time-decay, position, markov]\n\nFor more information, try '--help'.\n",
    );
    usage(
        &["reprot"],
        "error: unrecognized command 'reprot'\n\n  tip: did you mean 'report'? (turnout --help lists them all)\n",
    );
    usage(
        &["campaign", "ad", "x"],
        "error: unrecognized command 'ad'\n\n  tip: did you mean 'add'? (turnout campaign --help lists them all)\n",
    );
    sandbox.cmd().args(["no-such-command"]).assert().code(2);
    // W41 is week 41 of --today's year.
    sandbox.ok(&["campaign", "add", "x", "--name", "X"]);
    let logged = sandbox.ok(&[
        "log",
        "x",
        "calls=1",
        "--week",
        "W41",
        "--today",
        "2026-10-20",
    ]);
    assert!(
        logged.starts_with("Logged for x, 2026-W41 (week of 2026-10-05):"),
        "{logged}"
    );
    sandbox
        .cmd()
        .args(["campaign", "show", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no campaign 'nope'"));
}

#[test]
fn a_command_that_only_reads_never_creates_a_database() {
    let sandbox = Sandbox::new();
    let typo = sandbox.path("demo.bd");
    for args in [
        vec!["report", "fair-rent-now"],
        vec!["totals"],
        vec!["imports"],
        vec!["brief"],
        vec!["check"],
        vec!["campaign", "list"],
        vec!["config", "get", "timezone"],
        vec!["import", "x.csv", "--dry-run"],
        vec!["log", "--history"],
    ] {
        crate::common::bare_cmd()
            .current_dir(sandbox.dir.path())
            .args(["--db", typo.to_str().unwrap()])
            .args(&args)
            .assert()
            .code(1)
            .stdout("")
            .stderr(format!(
                "error: no turnout database at {}: create one with turnout init, or check --db / TURNOUT_DB\n",
                typo.display()
            ));
        assert!(!typo.exists(), "{args:?} created {}", typo.display());
    }
    // In the wrong folder, without --db: nothing is created there either.
    let out = crate::common::bare_cmd()
        .current_dir(sandbox.dir.path())
        .arg("totals")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no turnout database at turnout.db: create one with turnout init, or check --db / TURNOUT_DB\n"
    );
    assert!(!sandbox.path("turnout.db").exists());
    // Commands that write still create it.
    sandbox.ok(&[
        "campaign",
        "add",
        "fair-rent-now",
        "--name",
        "Fair Rent Now",
    ]);
    assert!(sandbox.db().exists());
}

/// The errors people meet on a database that exists, each whole: what is wrong, what there is,
/// and the command that fixes it. Exit 1, nothing on stdout.
#[test]
fn input_errors_say_what_is_wrong_and_how_to_fix_it() {
    let sandbox = crate::common::demo();
    let metrics = "Results: rsvps, attended, no_shows, calls, signups, signatures, shifts, doors, cards, pledges, votes, donations, donation_amount, cancellations, conversations. Milestones: sent, delivered, bounces, unique_opens, opens, unique_clicks, clicks, unsubscribes, complaints, impressions, reach, views, engagements, likes, reactions, comments, shares, follows, link_clicks, replies, opt_outs, sessions, responses. Add your own with: turnout metric add NAME --result (or --milestone) --description \"...\"";
    let file = sandbox.path("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["report", "fair-rent-nwo"],
            "error: there is no campaign 'fair-rent-nwo'. Did you mean 'fair-rent-now'? Campaigns: fair-rent-now. Create a new one with: turnout campaign add fair-rent-nwo --name \"...\"".to_string(),
        ),
        (
            vec!["drivers", "fair-rent-now", "--outcome", "house_visits"],
            format!("error: 'house_visits' is not a known metric. {metrics}"),
        ),
        (
            vec!["log", "fair-rent-now", "cals=3"],
            format!("error: 'cals' is not a known metric; did you mean 'calls'? {metrics}"),
        ),
        (
            vec!["log", "fair-rent-now", "calls=abc"],
            "error: calls: expected a whole number of zero or more (e.g. 120), found 'abc'".to_string(),
        ),
        (
            vec!["metric", "add", "calls", "--milestone", "--description", "x"],
            "error: the metric 'calls' already exists (a result: Completed calls to targets (elected officials, voters))".to_string(),
        ),
        (
            vec!["goal", "remove", "fair-rent-now", "doors"],
            "error: fair-rent-now has no goal for doors".to_string(),
        ),
        (
            vec!["lift", "fair-rent-now", "--experiment", "assembly-invitee"],
            "error: there is no experiment 'assembly-invitee'; the experiments are: assembly-invite (see turnout holdout list)".to_string(),
        ),
        (
            vec!["calendar", "remove", "999"],
            "error: there is no calendar item 999; see them with: turnout calendar list".to_string(),
        ),
        (
            vec!["campaign", "add", "fair-rent-now", "--name", "X"],
            "error: a campaign called 'fair-rent-now' already exists. Change it with: turnout campaign edit fair-rent-now ...".to_string(),
        ),
        (
            vec!["export", file.to_str().unwrap()],
            format!("error: {} is a file, not a folder; export into a new or empty folder, e.g. turnout export turnout-export", file.display()),
        ),
    ];
    for (args, message) in cases {
        sandbox
            .cmd()
            .args(&args)
            .assert()
            .code(1)
            .stdout("")
            .stderr(format!("{message}\n"));
    }
    // An import's table of files goes to stdout; why a file was refused goes to stderr.
    sandbox
        .cmd()
        .args(["import", "nofile.csv"])
        .assert()
        .code(1)
        .stderr("error: cannot import nofile.csv: there is no such file. Check the name and the folder you are in\nerror: 1 of 1 file(s) were refused and nothing from them was written; the messages above say why\n");
}
