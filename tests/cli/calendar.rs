//! `turnout calendar` and `turnout audience`: the demo's Fair Rent Now plan against what went out.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, demo, number, one_row, sample};

const TODAY: &str = "2026-11-02";

#[test]
fn the_sample_plan_gives_exactly_its_warnings() {
    let sandbox = demo();
    let rows = sandbox.json(&["calendar", "check", "--today", TODAY]);
    let checks: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["check"].as_str().unwrap(), r["subject"].as_str().unwrap()))
        .collect();
    // The plan: 9 items Sep 8 - Oct 2. Members are asked (rsvps, signups) on Sep 22 by email and by
    // text, Sep 23 and Sep 25: 4 asks within 4 days. Nothing went out on Sep 22-24 but the Sep 22
    // send, so the Sep 23 "Town hall tonight" was missed. Mailchimp's Sep 29 send (#7) was never
    // planned. Nothing else: members hear something every week.
    assert_eq!(
        checks,
        [
            ("asked too often", "audience members"),
            (
                "planned, never sent",
                "#7 2026-09-23 10:00 email to members: Town hall tonight"
            ),
            (
                "sent, never planned",
                "email 5b592a5d21 2026-09-29 Fair Rent Now #7"
            ),
        ]
    );
    assert!(
        rows[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("4 asks in 4 days (more than 3): #5, #6, #7, #8")
    );
    // Looser limits: no over-asking; a tighter silence limit flags the quiet days before Sep 8... none.
    let relaxed = sandbox.json(&["calendar", "check", "--max-asks", "4", "--today", TODAY]);
    assert!(relaxed.iter().all(|r| r["check"] != "asked too often"));
    sandbox
        .cmd()
        .args(["calendar", "check", "--strict", "--today", TODAY])
        .assert()
        .code(1);
}

#[test]
fn week_view_marks_sent_missed_and_unplanned() {
    let sandbox = demo();
    let rows = sandbox.json(&["calendar", "week", "2026-W39", "--today", TODAY]);
    let status = |day: &str, channel: &str, item_starts: &str| -> String {
        rows.iter()
            .find(|r| {
                r["date"] == day
                    && r["channel"] == channel
                    && r["item"].as_str().unwrap().starts_with(item_starts)
            })
            .map(|r| r["status"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {day} {channel} {item_starts} in {rows:#?}"))
    };
    // Mailchimp #5 went out Sep 22 at 11:15 as planned; Spoke's texts at 17:05 (planned 17:00).
    assert_eq!(status("2026-09-22", "email", "Town hall Thursday"), "sent");
    assert_eq!(status("2026-09-22", "sms", "Town hall reminder"), "sent");
    assert_eq!(status("2026-09-23", "email", "Town hall tonight"), "missed");
    assert_eq!(status("2026-09-25", "email", "We knocked"), "sent");
    let sms = rows.iter().find(|r| r["channel"] == "sms").unwrap();
    assert_eq!(sms["time"], "17:05", "the time it actually went out");
    // Posts were not in the plan's channels: shown as sent, not flagged.
    assert!(
        rows.iter()
            .filter(|r| r["channel"] == "social")
            .all(|r| r["status"] == "sent")
    );
    let week40 = sandbox.json(&["calendar", "week", "2026-W40", "--today", TODAY]);
    let unplanned = one_row(&week40, &[("status", "sent-unplanned")]);
    assert_eq!(unplanned["date"], "2026-09-29");
    let table = sandbox.ok(&["calendar", "week", "2026-W39", "--today", TODAY]);
    assert!(
        table.contains("[missed]") && table.contains("Tue Sep 22"),
        "{table}"
    );
}

#[test]
fn matrix_counts_planned_and_sent_per_audience_and_channel() {
    let sandbox = demo();
    let rows = sandbox.json(&[
        "calendar",
        "matrix",
        "--begin",
        "2026-09-07",
        "--end",
        "2026-10-05",
        "--today",
        TODAY,
    ]);
    let members = one_row(&rows, &[("audience", "members")]);
    // 8 email items; Mailchimp sent 8 emails to "Eastside Tenants Union" (mapped to members) from
    // Sep 8 to Oct 2; 1 text planned and sent.
    assert_eq!(
        (
            number(&members["email_planned"]),
            number(&members["email_sent"])
        ),
        (8.0, 8.0)
    );
    assert_eq!(
        (
            number(&members["sms_planned"]),
            number(&members["sms_sent"])
        ),
        (1.0, 1.0)
    );
    let weekly = sandbox.json(&[
        "calendar",
        "matrix",
        "--begin",
        "2026-09-07",
        "--end",
        "2026-10-05",
        "--weekly",
        "--today",
        TODAY,
    ]);
    let w39 = one_row(&weekly, &[("audience", "members"), ("period", "2026-W39")]);
    // Sep 21-27: planned Sep 22, Sep 23, Sep 25 emails; sent Sep 22 and Sep 25.
    assert_eq!(
        (number(&w39["email_planned"]), number(&w39["email_sent"])),
        (3.0, 2.0)
    );
}

#[test]
fn results_show_what_each_planned_item_drove() {
    let sandbox = demo();
    let rows = sandbox.json(&["calendar", "results", "--today", TODAY]);
    assert_eq!(rows.len(), 9);
    let first = one_row(&rows, &[("title", "Rents are going up again")]);
    assert_eq!(first["status"], "sent");
    assert_eq!(first["effort"], "e759dabd68");
    // Mailchimp's report for #1: 5,245 delivered, 1,782 unique opens, 375 unique clicks.
    assert_eq!(
        (
            number(&first["delivered"]),
            number(&first["unique_opens"]),
            number(&first["unique_clicks"])
        ),
        (5245.0, 1782.0, 375.0)
    );
    let missed = one_row(&rows, &[("title", "Town hall tonight")]);
    assert_eq!(missed["status"], "missed");
    assert!(missed["effort"].is_null());
}

#[test]
fn items_are_added_listed_imported_and_removed() {
    let sandbox = Sandbox::new();
    sandbox.fair_rent_now();
    let out = sandbox.ok(&[
        "calendar",
        "add",
        "2026-10-13",
        "--time",
        "18:00",
        "--channel",
        "email",
        "--audience",
        "members",
        "--campaign",
        "fair-rent-now",
        "--title",
        "Council vote: call now",
        "--goal",
        "calls",
        "--owner",
        "comms",
    ]);
    assert!(
        out.contains("Planned #1: 2026-10-13 email to members: Council vote: call now"),
        "{out}"
    );
    sandbox
        .cmd()
        .args([
            "calendar",
            "add",
            "2026-10-13",
            "--channel",
            "emial",
            "--audience",
            "x",
            "--title",
            "y",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean 'email'"));
    sandbox
        .cmd()
        .args([
            "calendar",
            "add",
            "2026-10-13",
            "--time",
            "6pm",
            "--channel",
            "email",
            "--audience",
            "x",
            "--title",
            "y",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("HH:MM"));
    // The plan imports like any export: counted, and re-importing changes nothing.
    let plan = sample("fair-rent-now-plan.csv");
    let first: Vec<Value> = sandbox.json(&[
        "calendar",
        "import",
        plan.to_str().unwrap(),
        "--today",
        TODAY,
    ]);
    assert_eq!(
        (first[0]["profile"].as_str(), first[0]["inserted"].as_u64()),
        (Some("turnout-calendar"), Some(9))
    );
    let again = sandbox.json(&[
        "calendar",
        "import",
        plan.to_str().unwrap(),
        "--today",
        TODAY,
    ]);
    assert_eq!(again[0]["unchanged"], 9);
    let bad = sandbox.write("plan.csv", "date,time,channel,audience,title,goal\n2026-10-20,25:00,email,members,x,calls\n2026-10-21,,pigeon,members,y,\n2026-10-22,,email,members,z,cals\n2026-10-23,,sms,members,ok,rsvps\n");
    let rows = sandbox.json(&[
        "calendar",
        "import",
        bad.to_str().unwrap(),
        "--today",
        TODAY,
    ]);
    assert_eq!(
        (rows[0]["inserted"].as_u64(), rows[0]["rejected"].as_u64()),
        (Some(1), Some(3))
    );
    let listed = sandbox.json(&["calendar", "list", "--begin", "2026-10-01"]);
    assert_eq!(
        listed.len(),
        3,
        "Oct 2 from the sample, Oct 13 added, Oct 23 imported"
    );
    sandbox.ok(&["calendar", "remove", "1"]);
    assert_eq!(
        sandbox
            .json(&["calendar", "list", "--begin", "2026-10-01"])
            .len(),
        2
    );
    sandbox
        .cmd()
        .args(["calendar", "remove", "99"])
        .assert()
        .code(1);

    sandbox.ok(&["audience", "map", "Eastside Tenants Union", "members"]);
    let out = sandbox.ok(&["audience", "map", "Eastside Tenants Union", "tenants"]);
    assert!(out.contains("(was members)"), "{out}");
    assert_eq!(
        sandbox.json(&["audience", "list"])[0]["audience"],
        "tenants"
    );
}

#[test]
fn ics_export_parses_back_with_stable_uids() {
    let sandbox = demo();
    sandbox.ok(&[
        "calendar",
        "add",
        "2026-11-12",
        "--channel",
        "email",
        "--audience",
        "members",
        "--campaign",
        "fair-rent-now",
        "--title",
        "Assembly; bring a neighbor, \"please\"\nsecond line",
    ]);
    let file = sandbox.path("plan.ics");
    sandbox.ok(&[
        "calendar",
        "ics",
        file.to_str().unwrap(),
        "--campaign",
        "fair-rent-now",
    ]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.split("\r\n").all(|line| line.len() <= 75),
        "lines are folded at 75 octets"
    );
    let calendars: Vec<_> =
        ical::IcalParser::new(std::io::BufReader::new(text.as_bytes())).collect();
    assert_eq!(calendars.len(), 1);
    let calendar = calendars
        .into_iter()
        .next()
        .unwrap()
        .expect("a valid calendar");
    assert_eq!(calendar.events.len(), 10);
    let property = |event: &ical::parser::ical::component::IcalEvent, name: &str| {
        event
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    // The Sep 22 email at 11:15 in Oakland is 18:15 UTC.
    let town_hall = calendar
        .events
        .iter()
        .find(|e| property(e, "SUMMARY").contains("Town hall Thursday"))
        .unwrap();
    assert_eq!(property(town_hall, "DTSTART"), "20260922T181500Z");
    let assembly = calendar
        .events
        .iter()
        .find(|e| property(e, "SUMMARY").contains("Assembly"))
        .unwrap();
    assert_eq!(
        property(assembly, "DTSTART"),
        "20261112",
        "an item without a time is a whole day"
    );
    assert_eq!(
        property(assembly, "SUMMARY"),
        "[email] Assembly\\; bring a neighbor\\, \"please\"\\nsecond line"
    );
    // Exporting again keeps every UID, so calendars update events instead of duplicating them.
    let uids = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("UID:"))
            .map(str::to_string)
            .collect()
    };
    sandbox.ok(&[
        "calendar",
        "ics",
        file.to_str().unwrap(),
        "--campaign",
        "fair-rent-now",
    ]);
    assert_eq!(uids(&text), uids(&std::fs::read_to_string(&file).unwrap()));
}
