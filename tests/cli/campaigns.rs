//! `turnout campaign` and `turnout metric`.

use predicates::prelude::*;

use crate::common::{Sandbox, one_row};

#[test]
fn campaigns_are_added_edited_listed_and_shown() {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "campaign",
        "add",
        "fair-rent-now",
        "--name",
        "Fair Rent Now",
        "--team",
        "Eastside Tenants Union",
        "--start",
        "2026-09-07",
        "--end",
        "2026-11-01",
        "--code",
        "fair-rent-*",
        "--code",
        "em_0915_townhall",
    ]);
    sandbox.ok(&["campaign", "add", "bus-lanes", "--name", "Bus Lanes Now"]);
    let rows = sandbox.json(&["campaign", "list"]);
    assert_eq!(rows.len(), 2);
    let frn = one_row(&rows, &[("slug", "fair-rent-now")]);
    assert_eq!(frn["name"], "Fair Rent Now");
    assert_eq!(frn["team"], "Eastside Tenants Union");
    assert_eq!(frn["start"], "2026-09-07");
    assert_eq!(frn["codes"], "em_0915_townhall fair-rent-*");

    sandbox.ok(&[
        "campaign",
        "edit",
        "bus-lanes",
        "--end",
        "2026-12-15",
        "--code",
        "bus-*",
    ]);
    let rows = sandbox.json(&["campaign", "list"]);
    let bus = one_row(&rows, &[("slug", "bus-lanes")]);
    assert_eq!(bus["end"], "2026-12-15");
    assert!(bus["start"].is_null());

    // A code can belong to one campaign only.
    sandbox
        .cmd()
        .args([
            "campaign",
            "edit",
            "bus-lanes",
            "--code",
            "em_0915_townhall",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "already claimed by the campaign 'fair-rent-now'",
        ));
    // Duplicates and bad slugs are refused with the fix.
    sandbox
        .cmd()
        .args(["campaign", "add", "fair-rent-now", "--name", "Again"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists"));
    sandbox
        .cmd()
        .args(["campaign", "add", "Fair Rent", "--name", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("lower-case"));
    sandbox
        .cmd()
        .args([
            "campaign",
            "add",
            "late",
            "--name",
            "Late",
            "--start",
            "2026-10-01",
            "--end",
            "2026-09-01",
        ])
        .assert()
        .code(1);

    let show = sandbox.ok(&["campaign", "show", "fair-rent-now", "--today", "2026-10-14"]);
    assert!(show.contains("Fair Rent Now (fair-rent-now)"), "{show}");
    assert!(show.contains("No goals yet"), "{show}");
    sandbox
        .cmd()
        .args(["campaign", "show", "fair-rent-nw"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Did you mean 'fair-rent-now'?"));
}

#[test]
fn every_listing_renders_in_every_format() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    let csv = sandbox.ok(&["campaign", "list", "--format", "csv"]);
    assert_eq!(
        csv.lines().next(),
        Some("slug,name,team,start,end,codes"),
        "{csv}"
    );
    assert!(
        csv.contains("fair-rent-now,Fair Rent Now,,2026-09-07,2026-11-01,"),
        "{csv}"
    );
    let markdown = sandbox.ok(&["campaign", "list", "--format", "markdown"]);
    assert!(markdown.contains("| Slug | Name |"), "{markdown}");
    assert!(
        markdown.contains("| fair-rent-now | Fair Rent Now |"),
        "{markdown}"
    );
    let table = sandbox.ok(&["campaign", "list"]);
    assert!(table.contains("│ fair-rent-now │"), "{table}");
}

#[test]
fn metrics_have_a_vocabulary_and_custom_ones_can_be_added() {
    let sandbox = Sandbox::initialised();
    let rows = sandbox.json(&["metric", "list"]);
    assert_eq!(rows.len(), 38);
    assert_eq!(rows[0]["family"], "result", "results come first");
    assert_eq!(
        one_row(&rows, &[("name", "unique_opens")])["family"],
        "milestone"
    );
    assert_eq!(one_row(&rows, &[("name", "calls")])["family"], "result");

    sandbox.ok(&[
        "metric",
        "add",
        "house_meetings",
        "--result",
        "--description",
        "House meetings held",
    ]);
    let rows = sandbox.json(&["metric", "list"]);
    assert_eq!(rows.len(), 39);
    let custom = one_row(&rows, &[("name", "house_meetings")]);
    assert_eq!(custom["family"], "result");
    assert_eq!(custom["origin"], "custom");
    sandbox.fair_rent_now();
    sandbox.ok(&[
        "log",
        "fair-rent-now",
        "house_meetings=3",
        "--week",
        "2026-W41",
        "--today",
        "2026-10-14",
    ]);

    sandbox
        .cmd()
        .args([
            "metric",
            "add",
            "calls",
            "--milestone",
            "--description",
            "x",
        ])
        .assert()
        .code(1);
    sandbox
        .cmd()
        .args(["metric", "add", "thing", "--description", "neither family"])
        .assert()
        .code(2);
}
