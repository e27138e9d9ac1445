//! Eventbrite's Attendee Summary report (issue 19): a report of one event that does not name
//! it or say when it was, so both are given on import (`--set`), and a ticket still "Attending"
//! once the event is over counts as a no-show instead of lifting the show-up rate to 100%.
//! The sample has 7 tickets: 3 Checked In, 2 Attending, 1 Not Attending, 1 Deleted.

use predicates::prelude::*;

use crate::common::{Sandbox, fixture, import_counts, number};

fn totals(sandbox: &Sandbox, today: &str) -> Vec<(String, f64)> {
    sandbox
        .json(&["totals", "--campaign", "fair-rent-now", "--today", today])
        .iter()
        .map(|row| {
            (
                row["metric"].as_str().unwrap().to_string(),
                number(&row["value"]),
            )
        })
        .collect()
}

fn import(sandbox: &Sandbox, today: &str) -> [u64; 6] {
    let file = fixture("eventbrite-attendee-summary.csv");
    let rows = sandbox.json(&[
        "import",
        file.to_str().unwrap(),
        "--campaign",
        "fair-rent-now",
        "--set",
        "event=Tenant assembly",
        "--set",
        "event_date=2026-10-20",
        "--today",
        today,
    ]);
    assert_eq!(rows[0]["profile"], "eventbrite-attendees");
    import_counts(&rows[0])
}

fn metrics(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
    pairs.iter().map(|(m, v)| (m.to_string(), *v)).collect()
}

#[test]
fn after_the_event_attending_tickets_are_no_shows() {
    let sandbox = Sandbox::with_campaign();
    // Every row is an action besides the event itself: 7 read, 7 added.
    assert_eq!(import(&sandbox, "2026-10-25"), [7, 7, 0, 0, 0, 0]);
    // rsvps: the 3 checked in and the 2 still attending; the 2 not attending or deleted cancelled.
    assert_eq!(
        totals(&sandbox, "2026-10-25"),
        metrics(&[
            ("rsvps", 5.0),
            ("attended", 3.0),
            ("no_shows", 2.0),
            ("cancellations", 2.0)
        ])
    );
    // The report's show-up rate: 3 of 5, with the 2 cancellations beside it.
    let report = sandbox.json(&["report", "fair-rent-now", "--today", "2026-10-25"]);
    let show_up = report
        .iter()
        .find(|row| row["rate"] == "show_up_rate")
        .expect("a show-up rate");
    assert_eq!(
        (
            number(&show_up["numerator"]),
            number(&show_up["denominator"]),
            number(&show_up["value"]),
            number(&show_up["cancellations"])
        ),
        (3.0, 5.0, 60.0, 2.0)
    );
}

#[test]
fn before_the_event_attending_tickets_are_only_rsvps() {
    let sandbox = Sandbox::with_campaign();
    assert_eq!(import(&sandbox, "2026-10-15"), [7, 7, 0, 0, 0, 0]);
    assert_eq!(
        totals(&sandbox, "2026-10-15"),
        metrics(&[("rsvps", 5.0), ("attended", 3.0), ("cancellations", 2.0)])
    );
}

#[test]
fn without_the_event_and_its_day_the_report_is_refused_with_the_flags_to_give() {
    let sandbox = Sandbox::with_campaign();
    let file = fixture("eventbrite-attendee-summary.csv");
    sandbox
        .cmd()
        .args(["import", file.to_str().unwrap(), "--campaign", "fair-rent-now"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "this export does not say everything the profile eventbrite-attendees needs: give it with --set event=VALUE --set event_date=YYYY-MM-DD",
        ));
    sandbox
        .cmd()
        .args(["import", file.to_str().unwrap(), "--set", "evnt=x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--set evnt=...: the profile eventbrite-attendees has no field 'evnt'; its fields are attendee, email, event, event_date, order, order_date, phone, status",
        ));
    sandbox
        .cmd()
        .args(["import", file.to_str().unwrap(), "--set", "event_date"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "'event_date' is not FIELD=VALUE: write it as --set event_date=2026-10-20",
        ));
    assert!(sandbox.json(&["imports"]).is_empty());
}

#[test]
fn profiles_check_refuses_passed_on_a_field_without_a_day() {
    let sandbox = Sandbox::initialised();
    let profile = sandbox.write(
        "bad-events.toml",
        "name = \"bad-events\"\ntool = \"X\"\ndescription = \"x\"\nplatform = \"x\"\n\n[fields]\n\
         status = { headers = [\"Status\"], required = true }\nday = { headers = [\"Day\"] }\n\n\
         [[records]]\nkind = \"action\"\nwhen = [{ field = \"day\", passed = true }]\n\
         metric = \"no_shows\"\ntime = \"day\"\nkey = [\"status\"]\n",
    );
    let path = profile.display().to_string();
    sandbox
        .cmd()
        .args(["profiles", "check", &path])
        .assert()
        .code(1)
        .stdout("")
        .stderr(format!(
            "{path}:12: passed = ... asks whether the day in 'day' is over, but that field is not a date or time: give it type = \"date\" or \"time\"\n\
             {path}:8: the field 'day' is of type text, but a record reads it as a time: give it type = \"date\" or \"time\"\n\
             error: {path} has 2 problem(s); the format is described in imports/README.md\n"
        ));
}

#[test]
fn profiles_show_says_which_fields_are_given_on_import() {
    let sandbox = Sandbox::initialised();
    let shown = sandbox.ok(&["profiles", "show", "eventbrite-attendees"]);
    for line in [
        "│ event      │ --set event=... on import      │ text  │ yes      │",
        "│ event_date │ --set event_date=... on import │ date  │ yes      │",
    ] {
        assert!(shown.contains(line), "{shown}");
    }
}
