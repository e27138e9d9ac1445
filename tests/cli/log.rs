//! `turnout log`: weekly numbers by hand; a second entry for the same week corrects the first.

use predicates::prelude::*;

use crate::common::{Sandbox, number, one_row};

const TODAY: &str = "2026-10-14";

#[test]
fn logging_a_week_again_corrects_it_instead_of_adding() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    let out = sandbox.ok(&[
        "log",
        "fair-rent-now",
        "calls=120",
        "rsvps=40",
        "--week",
        "2026-W41",
        "--note",
        "phone bank tally",
        "--today",
        TODAY,
    ]);
    assert!(
        out.contains("Logged for fair-rent-now, 2026-W41 (week of 2026-10-05)"),
        "{out}"
    );
    assert!(out.contains("calls = 120"), "{out}");

    let out = sandbox.ok(&[
        "log",
        "fair-rent-now",
        "calls=135",
        "--week",
        "2026-W41",
        "--today",
        TODAY,
    ]);
    assert!(out.contains("calls = 135 (corrected; was 120)"), "{out}");

    let totals = sandbox.json(&["totals", "--today", TODAY]);
    assert_eq!(
        number(&one_row(&totals, &[("metric", "calls")])["value"]),
        135.0
    );
    assert_eq!(
        number(&one_row(&totals, &[("metric", "rsvps")])["value"]),
        40.0
    );

    // Another week adds; the history keeps the replaced number.
    sandbox.ok(&[
        "log",
        "fair-rent-now",
        "calls=80",
        "--week",
        "2026-W42",
        "--today",
        TODAY,
    ]);
    let totals = sandbox.json(&["totals", "--today", TODAY]);
    assert_eq!(
        number(&one_row(&totals, &[("metric", "calls")])["value"]),
        135.0 + 80.0
    );

    let history = sandbox.json(&["log", "--history", "fair-rent-now"]);
    let calls_w41: Vec<_> = history
        .iter()
        .filter(|r| r["metric"] == "calls" && r["week"] == "2026-W41")
        .collect();
    assert_eq!(calls_w41.len(), 2);
    assert_eq!(number(&calls_w41[0]["value"]), 120.0);
    assert_eq!(calls_w41[0]["current"], "no (corrected)");
    assert_eq!(calls_w41[0]["note"], "phone bank tally");
    assert_eq!(number(&calls_w41[1]["value"]), 135.0);
    assert_eq!(number(&calls_w41[1]["previous"]), 120.0);
    assert_eq!(calls_w41[1]["current"], "yes");

    let only_w42 = sandbox.json(&["log", "--history", "--week", "2026-W42"]);
    assert_eq!(only_w42.len(), 1);
}

#[test]
fn a_channel_keeps_its_own_number() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    sandbox.ok(&[
        "log",
        "fair-rent-now",
        "rsvps=10",
        "--channel",
        "sms",
        "--week",
        "2026-W41",
        "--today",
        TODAY,
    ]);
    sandbox.ok(&[
        "log",
        "fair-rent-now",
        "rsvps=25",
        "--channel",
        "email",
        "--week",
        "2026-W41",
        "--today",
        TODAY,
    ]);
    let rows = sandbox.json(&["totals", "--by", "channel", "--today", TODAY]);
    assert_eq!(
        number(&one_row(&rows, &[("channel", "sms")])["value"]),
        10.0
    );
    assert_eq!(
        number(&one_row(&rows, &[("channel", "email")])["value"]),
        25.0
    );
}

#[test]
fn the_week_defaults_to_this_week() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    sandbox.ok(&["log", "fair-rent-now", "calls=7", "--today", TODAY]);
    let rows = sandbox.json(&["totals", "--by", "week", "--today", TODAY]);
    assert_eq!(one_row(&rows, &[("metric", "calls")])["week"], "2026-W42");
}

#[test]
fn bad_logs_change_nothing_and_say_why() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    for (args, code, message) in [
        (
            vec!["log", "fair-rent-now", "cals=5"],
            1,
            "did you mean 'calls'",
        ),
        (vec!["log", "fair-rent-now", "calls=lots"], 1, "calls"),
        (vec!["log", "fair-rent-now", "calls=-3"], 1, "calls"),
        (vec!["log", "fair-rent-now", "calls"], 1, "METRIC=VALUE"),
        (
            vec!["log", "fair-rent-now", "calls=1", "calls=2"],
            1,
            "twice",
        ),
        (
            vec!["log", "fair-rent-now", "calls=5", "--week", "2026-W50"],
            1,
            "has not started yet",
        ),
        (
            vec!["log", "fair-rent-now", "calls=5", "--channel", "pigeon"],
            1,
            "not a channel",
        ),
        (vec!["log", "fair-rent-nw", "calls=5"], 1, "no campaign"),
        (vec!["log", "fair-rent-now"], 2, "METRIC=VALUE"),
        (vec!["log"], 2, "which campaign"),
    ] {
        let mut all = args.clone();
        all.extend(["--today", TODAY]);
        sandbox
            .cmd()
            .args(&all)
            .assert()
            .code(code)
            .stderr(predicate::str::contains(message));
    }
    // Nothing was written by any of them (a row with both good and bad values included).
    sandbox
        .cmd()
        .args([
            "log",
            "fair-rent-now",
            "calls=5",
            "rsvps=x",
            "--today",
            TODAY,
        ])
        .assert()
        .code(1);
    let rows = sandbox.json(&["totals", "--today", TODAY]);
    assert!(rows.is_empty(), "{rows:?}");
}

#[test]
fn numbers_are_logged_as_the_organizations_locale_writes_them() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    let log = |value: &str| {
        sandbox
            .cmd()
            .args([
                "log",
                "fair-rent-now",
                value,
                "--week",
                "2026-W41",
                "--today",
                TODAY,
            ])
            .assert()
    };
    // Without a locale, a thousand or one: refused with both readings.
    log("doors=1.000").code(1).stderr(predicate::str::contains(
        "doors: expected a whole number of zero or more (e.g. 120): '1.000' reads two ways: 1000 (a '.' between thousands, as in de-DE) or 1 (a decimal point, as in en-US)",
    ));
    sandbox.ok(&["config", "set", "locale", "de-DE"]);
    log("doors=1.000").success();
    let totals = sandbox.json(&["totals", "--campaign", "fair-rent-now", "--today", TODAY]);
    assert_eq!(
        number(&one_row(&totals, &[("metric", "doors")])["value"]),
        1000.0
    );
}
