//! `turnout totals`: sums per campaign and metric, broken down, over hledger-style periods.

use predicates::prelude::*;

use crate::common::{Sandbox, number, one_row};

const TODAY: &str = "2026-10-14";

fn sample() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    sandbox.ok(&["campaign", "add", "bus-lanes", "--name", "Bus Lanes Now"]);
    let file = sandbox.write(
        "numbers.csv",
        "date,campaign,channel,effort,metric,value,source\n\
         2026-09-29,fair-rent-now,email,em_0929,unique_opens,1503,\n\
         2026-10-02,fair-rent-now,email,em_1002,unique_opens,1692,\n\
         2026-10-06,fair-rent-now,sms,sms_1006,sent,900,\n\
         2026-W40,fair-rent-now,,,calls,260,\n\
         2026-W41,fair-rent-now,,,calls,390,\n\
         2026-W41,fair-rent-now,email,,rsvps,33,em_1002\n\
         2026-W41,fair-rent-now,sms,,rsvps,21,sms_1006\n\
         2026-W41,bus-lanes,,,signatures,75,\n",
    );
    sandbox.ok(&["import", file.to_str().unwrap(), "--today", TODAY]);
    sandbox
}

#[test]
fn totals_per_campaign_and_metric_results_first() {
    let sandbox = sample();
    let rows = sandbox.json(&["totals", "--today", TODAY]);
    let frn: Vec<_> = rows
        .iter()
        .filter(|r| r["campaign"] == "fair-rent-now")
        .collect();
    let metrics: Vec<&str> = frn.iter().map(|r| r["metric"].as_str().unwrap()).collect();
    assert_eq!(
        metrics,
        ["rsvps", "calls", "sent", "unique_opens"],
        "results first"
    );
    assert_eq!(
        number(&one_row(&rows, &[("metric", "calls")])["value"]),
        260.0 + 390.0
    );
    assert_eq!(
        number(&one_row(&rows, &[("metric", "rsvps")])["value"]),
        33.0 + 21.0
    );
    assert_eq!(one_row(&rows, &[("metric", "calls")])["family"], "result");
    assert_eq!(
        number(&one_row(&rows, &[("campaign", "bus-lanes")])["value"]),
        75.0
    );
    // No grand-total row in JSON.
    assert!(rows.iter().all(|r| !r["campaign"].is_null()));
    assert_eq!(rows.len(), 5);
}

#[test]
fn totals_by_week_month_channel_effort_and_source() {
    let sandbox = sample();
    let q = |args: &[&str]| {
        let mut all = vec!["totals", "--campaign", "fair-rent-now", "--today", TODAY];
        all.extend_from_slice(args);
        sandbox.json(&all)
    };
    let weeks = q(&["--by", "week", "--metric", "unique_opens"]);
    assert_eq!(
        number(&one_row(&weeks, &[("week", "2026-W40")])["value"]),
        1503.0 + 1692.0
    );
    let months = q(&["--by", "month", "--metric", "unique_opens"]);
    assert_eq!(
        number(&one_row(&months, &[("month", "2026-09")])["value"]),
        1503.0
    );
    assert_eq!(
        number(&one_row(&months, &[("month", "2026-10")])["value"]),
        1692.0
    );
    let channels = q(&["--by", "channel", "--metric", "rsvps"]);
    assert_eq!(
        number(&one_row(&channels, &[("channel", "sms")])["value"]),
        21.0
    );
    let efforts = q(&["--by", "effort"]);
    assert_eq!(
        number(&one_row(&efforts, &[("effort", "sms_1006")])["value"]),
        900.0
    );
    assert!(one_row(&efforts, &[("metric", "calls")])["effort"].is_null());
    let sources = q(&["--by", "source", "--metric", "rsvps"]);
    assert_eq!(
        number(&one_row(&sources, &[("source", "em_1002")])["value"]),
        33.0
    );
}

#[test]
fn begin_is_inclusive_and_end_exclusive() {
    let sandbox = sample();
    let rows = sandbox.json(&[
        "totals",
        "--metric",
        "unique_opens",
        "--begin",
        "2026-10",
        "--today",
        TODAY,
    ]);
    assert_eq!(number(&rows[0]["value"]), 1692.0);
    let rows = sandbox.json(&[
        "totals",
        "--metric",
        "unique_opens",
        "--end",
        "2026-10-02",
        "--today",
        TODAY,
    ]);
    assert_eq!(number(&rows[0]["value"]), 1503.0);
    let rows = sandbox.json(&[
        "totals", "--metric", "calls", "--begin", "2026-W41", "--end", "2026-W42", "--today", TODAY,
    ]);
    assert_eq!(number(&rows[0]["value"]), 390.0);
    let table = sandbox.ok(&[
        "totals", "--begin", "2026-W41", "--end", "2026-W42", "--today", TODAY,
    ]);
    assert!(
        table.contains("Period: 2026-10-05 to 2026-10-12 (end exclusive)"),
        "{table}"
    );
    sandbox
        .cmd()
        .args(["totals", "--begin", "2026-10-12", "--end", "2026-10-05"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--end is exclusive"));
}

#[test]
fn unknown_metrics_and_campaigns_are_errors_that_help() {
    let sandbox = sample();
    sandbox
        .cmd()
        .args(["totals", "--metric", "rsvp"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean 'rsvps'"))
        .stderr(predicate::str::contains("calls"));
    sandbox
        .cmd()
        .args(["totals", "--campaign", "fair-rent"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("fair-rent-now"));
}

#[test]
fn csv_and_markdown_output() {
    let sandbox = sample();
    let csv = sandbox.ok(&[
        "totals", "--by", "week", "--metric", "calls", "--format", "csv", "--today", TODAY,
    ]);
    assert_eq!(
        csv,
        "campaign,metric,family,week,value\nfair-rent-now,calls,result,2026-W40,260\nfair-rent-now,calls,result,2026-W41,390\n"
    );
    let markdown = sandbox.ok(&[
        "totals", "--metric", "calls", "--format", "markdown", "--today", TODAY,
    ]);
    assert!(
        markdown.contains("| fair-rent-now | calls | result | 650 |"),
        "{markdown}"
    );
}
