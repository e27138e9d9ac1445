//! Importing real tools' exports: every sample as the tool writes it, linked to campaigns by the
//! codes it carries, people joined across tools by their hashed email and phone.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, column_sum, csv_rows, file_bytes, fixture, number, one_row, sample};

const TODAY: &str = "2026-11-02";

/// (sample, expected profile, rows the tool writes that are skipped on purpose)
const SAMPLES: &[(&str, &str, u64)] = &[
    ("mailchimp-campaign-reports.csv", "mailchimp-campaigns", 0),
    (
        "mailchimp-account-export/granular_activity/opens/7412204_fair-rent-now-4.csv",
        "mailchimp-opens",
        0,
    ),
    (
        "mailchimp-account-export/granular_activity/opens/7412205_fair-rent-now-5.csv",
        "mailchimp-opens",
        0,
    ),
    (
        "mailchimp-account-export/granular_activity/opens/7412206_fair-rent-now-6.csv",
        "mailchimp-opens",
        0,
    ),
    (
        "mailchimp-account-export/granular_activity/clicks/7412204_fair-rent-now-4.csv",
        "mailchimp-clicks",
        0,
    ),
    (
        "mailchimp-account-export/granular_activity/clicks/7412205_fair-rent-now-5.csv",
        "mailchimp-clicks",
        0,
    ),
    (
        "mailchimp-account-export/granular_activity/clicks/7412206_fair-rent-now-6.csv",
        "mailchimp-clicks",
        0,
    ),
    ("mobilize-timeslots-sql-mirror.csv", "mobilize-timeslots", 0),
    (
        "mobilize-participations-sql-mirror.csv",
        "mobilize-participations",
        0,
    ),
    ("actblue-contributions.csv", "actblue-contributions", 0),
    (
        "actionnetwork-report-download.csv",
        "actionnetwork-report",
        0,
    ),
    ("spoke-campaign-contacts-export.csv", "spoke-contacts", 0),
    // One text failed to send (ERROR): skipped, with that reason.
    ("spoke-campaign-messages-export.csv", "spoke-messages", 1),
    ("x-tweet-activity-metrics.csv", "x-tweets", 0),
    ("meta-facebook-page-posts.csv", "facebook-posts", 0),
    // GA4's totals row.
    (
        "ga4-traffic-acquisition-session-campaign.csv",
        "ga4-acquisition",
        1,
    ),
    ("callpower-export.csv", "callpower-targets", 0),
];

fn with_campaign() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.ok(&["config", "set", "timezone", "America/Los_Angeles"]);
    sandbox.ok(&[
        "campaign",
        "add",
        "fair-rent-now",
        "--name",
        "Fair Rent Now",
        "--start",
        "2026-09-07",
        "--end",
        "2026-11-15",
        "--code",
        "fair-rent-*",
        "--code",
        "*-fair_rent*",
        "--code",
        "em_*",
        "--code",
        "sms_*",
        "--code",
        "fb_*",
    ]);
    sandbox
}

fn import(sandbox: &Sandbox, path: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "import",
        path.to_str().unwrap(),
        "--today",
        TODAY,
        "--date",
        "2026-11-01",
    ];
    args.extend_from_slice(extra);
    let rows = sandbox.json(&args);
    assert_eq!(rows.len(), 1);
    rows[0].clone()
}

fn counts(row: &Value) -> [u64; 6] {
    [
        "rows_read",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "skipped",
    ]
    .map(|k| row[k].as_u64().unwrap())
}

#[test]
fn every_sample_imports_whole_and_again_changes_nothing() {
    let sandbox = with_campaign();
    for (name, profile, skipped) in SAMPLES {
        let path = sample(name);
        let (_, data_rows) = csv_rows(&path);
        let row = import(&sandbox, &path, &[]);
        assert_eq!(
            row["profile"], *profile,
            "{name} was read as {}",
            row["profile"]
        );
        let [read, inserted, updated, unchanged, rejected, skip] = counts(&row);
        assert_eq!(
            read,
            data_rows.len() as u64,
            "{name}: every data row is read"
        );
        assert_eq!(rejected, 0, "{name}: no row rejected");
        assert_eq!(skip, *skipped, "{name}: skipped rows");
        assert_eq!(
            read,
            inserted + updated + unchanged + rejected + skip,
            "{name}: every row accounted for"
        );
    }
    // All again: nothing changes.
    for (name, _, skipped) in SAMPLES {
        let row = import(&sandbox, &sample(name), &[]);
        let [read, inserted, updated, unchanged, rejected, skip] = counts(&row);
        assert_eq!(
            (inserted, updated, rejected, skip),
            (0, 0, 0, *skipped),
            "{name} changed on re-import"
        );
        assert_eq!(unchanged + skip, read, "{name}");
    }
}

#[test]
fn totals_hold_the_counts_each_file_holds() {
    let sandbox = with_campaign();
    import(
        &sandbox,
        &sample("mailchimp-campaign-reports.csv"),
        &["--campaign", "fair-rent-now"],
    );
    import(
        &sandbox,
        &fixture("mailchimp-account-export-granular-opens.csv"),
        &["--campaign", "fair-rent-now"],
    );
    import(
        &sandbox,
        &sample("callpower-export.csv"),
        &["--campaign", "fair-rent-now"],
    );
    import(&sandbox, &sample("actblue-contributions.csv"), &[]);
    import(
        &sandbox,
        &sample("ga4-traffic-acquisition-session-campaign.csv"),
        &[],
    );
    let rows = sandbox.json(&["totals", "--campaign", "fair-rent-now", "--today", TODAY]);
    let total = |metric: &str| number(&one_row(&rows, &[("metric", metric)])["value"]);

    let report = sample("mailchimp-campaign-reports.csv");
    // The send report is the count of record: the granular opens file does not add to it.
    assert_eq!(total("unique_opens"), column_sum(&report, "Unique Opens"));
    assert_eq!(total("opens"), column_sum(&report, "Total Opens"));
    assert_eq!(total("sent"), column_sum(&report, "Total Recipients"));
    assert_eq!(
        total("delivered"),
        column_sum(&report, "Successful Deliveries")
    );
    assert_eq!(
        total("calls"),
        column_sum(&sample("callpower-export.csv"), "Completed")
    );

    // ActBlue rows link by refcode: only the ones the campaign claims.
    let (header, donations) = csv_rows(&sample("actblue-contributions.csv"));
    let refcode = header.iter().position(|h| h == "Reference Code").unwrap();
    let amount = header.iter().position(|h| h == "Amount").unwrap();
    let linked: Vec<&Vec<String>> = donations
        .iter()
        .filter(|r| {
            ["em_", "sms_", "fb_"]
                .iter()
                .any(|p| r[refcode].starts_with(p))
        })
        .collect();
    assert!(!linked.is_empty() && linked.len() < donations.len());
    assert_eq!(total("donations"), linked.len() as f64);
    let linked_amount: f64 = linked
        .iter()
        .map(|r| r[amount].parse::<f64>().unwrap())
        .sum();
    assert!((total("donation_amount") - linked_amount).abs() < 0.001);

    // GA4: only the session campaigns the campaign claims: fair-rent-now, fair-rent-now-es, and
    // Mailchimp's 8b1d3c9f0a-FAIR_RENT_TOWN_HALL (matched by the glob *-fair_rent*, ignoring case).
    let (ga_header, ga_rows) = csv_rows(&sample("ga4-traffic-acquisition-session-campaign.csv"));
    let sessions = ga_header.iter().position(|h| h == "Sessions").unwrap();
    let claimed: f64 = ga_rows
        .iter()
        .filter(|r| r[0].starts_with("fair-rent-") || r[0].to_lowercase().contains("-fair_rent"))
        .map(|r| r[sessions].parse::<f64>().unwrap())
        .sum();
    assert_eq!(total("sessions"), claimed);

    // The rest are listed, never dropped.
    let unmatched = sandbox.json(&["codes", "--unmatched"]);
    let codes: Vec<&str> = unmatched
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"rally-1015"), "{codes:?}");
    // GA's (direct), (organic) and (referral) are traffic without a campaign code, never a code
    // to claim.
    assert!(!codes.iter().any(|c| c.starts_with('(')), "{codes:?}");
    assert!(!codes.contains(&"fair-rent-now"), "{codes:?}");
}

fn person_sources(sandbox: &Sandbox) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT group_concat(source, ' ') FROM (
                 SELECT DISTINCT t.person_id AS person, e.platform AS source FROM touch t JOIN effort e ON e.id = t.effort_id
                 UNION SELECT DISTINCT person_id, metric FROM action WHERE person_id IS NOT NULL
                 ORDER BY 2)
             GROUP BY person ORDER BY person",
        )
        .unwrap();
    stmt.query_map([], |row| row.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap().split(' ').map(str::to_string).collect())
        .collect()
}

#[test]
fn people_link_across_tools_whatever_the_order() {
    let files = [
        "mailchimp-account-export/granular_activity/opens/7412204_fair-rent-now-4.csv",
        "mailchimp-account-export/granular_activity/opens/7412205_fair-rent-now-5.csv",
        "mailchimp-account-export/granular_activity/opens/7412206_fair-rent-now-6.csv",
        "spoke-campaign-messages-export.csv",
        "mobilize-participations-sql-mirror.csv",
        "actblue-contributions.csv",
        "actionnetwork-report-download.csv",
        "spoke-campaign-contacts-export.csv",
    ];
    let forward = with_campaign();
    for name in files {
        import(&forward, &sample(name), &[]);
    }
    let backward = with_campaign();
    for name in files.iter().rev() {
        import(&backward, &sample(name), &[]);
    }
    let mut people = person_sources(&forward);
    let mut reversed = person_sources(&backward);
    people.sort();
    reversed.sort();
    assert_eq!(
        people, reversed,
        "the same people whatever the import order"
    );
    // Someone opened an email, got a text, RSVPed and gave: one person, four tools.
    assert!(
        people
            .iter()
            .any(|p| ["mailchimp", "spoke", "rsvps", "donations"]
                .iter()
                .all(|s| p.contains(&s.to_string()))),
        "{people:?}"
    );

    // Hashes only: no email or phone is stored, and the key lives beside the database.
    let key = forward.path("turnout.db.key");
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let db = String::from_utf8_lossy(&file_bytes(&forward.db())).to_string();
    assert!(!db.contains("@example."), "an email address was stored");
    assert!(!db.contains("5105550104"), "a phone number was stored");
}

#[test]
fn a_database_with_people_refuses_new_people_without_its_key() {
    let sandbox = with_campaign();
    import(&sandbox, &sample("actblue-contributions.csv"), &[]);
    std::fs::remove_file(sandbox.path("turnout.db.key")).unwrap();
    let before = file_bytes(&sandbox.db());
    sandbox
        .cmd()
        .args([
            "import",
            sample("spoke-campaign-contacts-export.csv")
                .to_str()
                .unwrap(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("key"))
        .stderr(predicate::str::contains("missing"));
    assert_eq!(before, file_bytes(&sandbox.db()));
    // Aggregate files need no key.
    import(&sandbox, &sample("callpower-export.csv"), &[]);
}

#[test]
fn layouts_the_samples_do_not_show_are_read_too() {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "campaign",
        "add",
        "bus-lanes-now",
        "--name",
        "Bus Lanes Now",
        "--code",
        "bus-lanes-*",
    ]);
    let today = "2026-06-20";
    let cases: &[(&str, &str, [u64; 6])] = &[
        (
            "mailchimp-campaigns-list.csv",
            "mailchimp-campaigns",
            [2, 2, 0, 0, 0, 0],
        ),
        // One send's own report, the same send as the first row above: unchanged, and its
        // per-link rows are skipped because the totals count them.
        (
            "mailchimp-campaign-report.csv",
            "mailchimp-campaign-report",
            [4, 0, 0, 1, 0, 3],
        ),
        (
            "spoke-v9-contacts.csv",
            "spoke-contacts",
            [3, 3, 0, 0, 0, 0],
        ),
        (
            "spoke-v9-messages.csv",
            "spoke-messages",
            [4, 4, 0, 0, 0, 0],
        ),
        (
            "spoke-rewired-messages.csv",
            "spoke-messages",
            [2, 1, 0, 0, 0, 1],
        ),
        ("x-posts.csv", "x-posts", [2, 2, 0, 0, 0, 0]),
        ("x-overview.csv", "x-overview", [3, 3, 0, 0, 0, 0]),
        ("instagram-posts.csv", "instagram-posts", [2, 2, 0, 0, 0, 0]),
        (
            "civicrm-mailings.csv",
            "civicrm-mailings",
            [2, 2, 0, 0, 0, 0],
        ),
        (
            "civicrm-participants.csv",
            "civicrm-participants",
            [4, 4, 0, 0, 0, 0],
        ),
        (
            "callpower-log-campaign-7.csv",
            "callpower-calls",
            [4, 4, 0, 0, 0, 0],
        ),
        ("poll-responses.csv", "poll-responses", [4, 3, 0, 0, 0, 1]),
    ];
    for (name, profile, expected) in cases {
        let rows = sandbox.json(&["import", fixture(name).to_str().unwrap(), "--today", today]);
        assert_eq!(rows[0]["profile"], *profile, "{name}");
        assert_eq!(counts(&rows[0]), *expected, "{name}");
    }
    let totals = sandbox.json(&["totals", "--today", today]);
    let value = |campaign: Option<&str>, metric: &str| -> f64 {
        totals
            .iter()
            .filter(|r| r["metric"] == metric && r["campaign"].as_str() == campaign)
            .map(|r| number(&r["value"]))
            .sum()
    };
    // Older Mailchimp report: List instead of Audience, GA columns with n/a.
    assert_eq!(
        value(None, "unique_opens"),
        column_sum(&fixture("mailchimp-campaigns-list.csv"), "Unique Opens")
            + column_sum(&fixture("civicrm-mailings.csv"), "Unique Opens")
    );
    // Spoke texts link by the UTM code in their links; the failed one is skipped.
    assert_eq!(value(Some("bus-lanes-now"), "sent"), 3.0);
    let by_channel = sandbox.json(&[
        "totals", "--by", "channel", "--metric", "replies", "--today", today,
    ]);
    assert_eq!(
        number(
            &one_row(
                &by_channel,
                &[("campaign", "bus-lanes-now"), ("channel", "sms")]
            )["value"]
        ),
        2.0
    );
    // The X post whose link carries the campaign's code is linked; the other is not.
    assert_eq!(
        number(
            &one_row(
                &by_channel,
                &[("campaign", "bus-lanes-now"), ("channel", "social")]
            )["value"]
        ),
        7.0
    );
    // CiviCRM statuses: Attended and No-show were RSVPs; Cancelled is not.
    assert_eq!(value(None, "rsvps"), 3.0);
    assert_eq!(value(None, "attended"), 1.0);
    assert_eq!(value(None, "no_shows"), 1.0);
    assert_eq!(value(None, "cancellations"), 1.0);
    // A CallPower call with a withheld number is still a call.
    assert_eq!(value(None, "calls"), 4.0);
    // Poll responses by channel; an empty answer is not a response.
    assert_eq!(value(Some("bus-lanes-now"), "responses"), 3.0);
    // Every follow in the X overview, X posts and Instagram files is counted once, linked or not.
    assert_eq!(
        value(None, "follows") + value(Some("bus-lanes-now"), "follows"),
        column_sum(&fixture("x-overview.csv"), "New follows")
            + column_sum(&fixture("x-posts.csv"), "New follows")
            + column_sum(&fixture("instagram-posts.csv"), "Follows")
    );
}

#[test]
fn a_users_own_profile_reads_a_tool_turnout_does_not_know() {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "campaign",
        "add",
        "fair-rent-now",
        "--name",
        "Fair Rent Now",
        "--code",
        "fair-rent-*",
    ]);
    let profile = r#"
name = "doorknock-app"
tool = "DoorKnock"
description = "Canvass results, one row per shift"
platform = "doorknock"
codes = ["turf_code"]

[fields]
shift_date = { headers = ["Shift Date"], required = true, type = "date", formats = ["%m/%d/%Y"] }
doors = { headers = ["Doors Knocked"], required = true, type = "count" }
conversations = { headers = ["Conversations"], type = "count" }
pledges = { headers = ["Pledges"], type = "count", blank_is_zero = true }
turf_code = { headers = ["Turf"] }

[[records]]
kind = "metrics"
channel = "field"
date = "shift_date"
source = "turf_code"
metrics = { doors = "doors", pledges = "pledges" }
"#;
    let profile_path = sandbox.write("doorknock.toml", profile);
    let file = sandbox.write(
        "shifts.csv",
        "Shift Date,Turf,Doors Knocked,Conversations,Pledges,Canvasser\n\
         10/03/2026,fair-rent-eastlake,120,34,9,Sam\n\
         10/04/2026,fair-rent-fruitvale,95,20,,Lee\n\
         10/04/2026,bus-downtown,60,11,2,Ari\n",
    );
    sandbox.ok(&["profiles", "check", profile_path.to_str().unwrap()]);
    let rows = sandbox.json(&[
        "import",
        file.to_str().unwrap(),
        "--profile",
        profile_path.to_str().unwrap(),
        "--today",
        "2026-10-14",
    ]);
    assert_eq!(rows[0]["profile"], "doorknock-app");
    assert_eq!(
        counts(&rows[0]),
        [3, 5, 0, 0, 0, 0].map(|n| if n == 5 { 3 } else { n })
    );
    let totals = sandbox.json(&[
        "totals",
        "--campaign",
        "fair-rent-now",
        "--today",
        "2026-10-14",
    ]);
    assert_eq!(
        number(&one_row(&totals, &[("metric", "doors")])["value"]),
        215.0
    );
    assert_eq!(
        number(&one_row(&totals, &[("metric", "pledges")])["value"]),
        9.0
    );

    // Placed in <database folder>/profiles/, it is found by the file's header alone.
    std::fs::create_dir(sandbox.path("profiles")).unwrap();
    std::fs::copy(&profile_path, sandbox.path("profiles/doorknock.toml")).unwrap();
    let listed = sandbox.json(&["profiles", "list"]);
    assert!(
        one_row(&listed, &[("name", "doorknock-app")])["origin"]
            .as_str()
            .unwrap()
            .ends_with("doorknock.toml")
    );
    let rows = sandbox.json(&["import", file.to_str().unwrap(), "--today", "2026-10-14"]);
    assert_eq!(rows[0]["profile"], "doorknock-app");
    assert_eq!(rows[0]["unchanged"], 3);
}

#[test]
fn profile_mistakes_point_at_their_line() {
    let sandbox = Sandbox::initialised();
    let broken = sandbox.write(
        "broken.toml",
        "name = \"my tool\"\ntool = \"x\"\ndescription = \"y\"\nplatform = \"x\"\n\n[fields]\nn = { headers = [\"N\"], type = \"count\", required = true }\n\n[[records]]\nkind = \"metrics\"\nchannel = \"emial\"\nmetrics = { callz = \"n\" }\n",
    );
    sandbox
        .cmd()
        .args(["profiles", "check", broken.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "broken.toml:1: the name 'my tool'",
        ))
        .stderr(predicate::str::contains(
            "broken.toml:11: 'emial' is not a channel (did you mean 'email'?)",
        ))
        .stderr(predicate::str::contains(
            "broken.toml:12: 'callz' is not a known metric",
        ));
    let syntax = sandbox.write("syntax.toml", "name = \"x\"\n[fields\n");
    sandbox
        .cmd()
        .args(["profiles", "check", syntax.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("syntax.toml:2:"));
}

#[test]
fn a_wrong_profile_is_refused_and_ambiguity_is_named() {
    let sandbox = with_campaign();
    let report = sample("mailchimp-campaign-reports.csv");
    let before = file_bytes(&sandbox.db());
    sandbox
        .cmd()
        .args([
            "import",
            report.to_str().unwrap(),
            "--profile",
            "mailchimp-opens",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("as mailchimp-opens"))
        .stderr(predicate::str::contains("lacks Email, Timestamp"));
    assert_eq!(before, file_bytes(&sandbox.db()));

    // The clicks header is a superset of the opens header: clicks wins.
    let clicks = sandbox.json(&[
        "import",
        fixture("mailchimp-account-export-granular-clicks.csv")
            .to_str()
            .unwrap(),
        "--dry-run",
    ]);
    assert_eq!(clicks[0]["profile"], "mailchimp-clicks");

    // Two profiles that fit equally: an error naming both.
    std::fs::create_dir(sandbox.path("profiles")).unwrap();
    for name in ["one", "two"] {
        sandbox.write(
            &format!("profiles/{name}.toml"),
            format!(
                "name = \"{name}\"\ntool = \"t\"\ndescription = \"d\"\nplatform = \"p\"\n\n[fields]\na = {{ headers = [\"Alpha\"], required = true, type = \"count\" }}\nb = {{ headers = [\"Beta\"], required = true }}\n\n[[records]]\nkind = \"metrics\"\nmetrics = {{ calls = \"a\" }}\n"
            ),
        );
    }
    let file = sandbox.write("ab.csv", "Alpha,Beta\n1,x\n");
    sandbox
        .cmd()
        .args(["import", file.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "fits more than one profile (one, two)",
        ));
}

#[test]
fn a_printed_rate_that_disagrees_with_its_counts_is_flagged() {
    let sandbox = Sandbox::new();
    let text = std::fs::read_to_string(sample("mailchimp-campaign-reports.csv")).unwrap();
    // The first send: 1782 unique opens of 5245 deliveries is 33.98%; say 35.00% instead.
    let edited = text.replacen("33.98%", "35.00%", 1);
    let file = sandbox.write("campaigns.csv", edited);
    let output = sandbox
        .cmd()
        .args(["import", file.to_str().unwrap(), "--today", TODAY])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Open Rate says 35% but Unique Opens / Successful Deliveries is 33.98%"),
        "{stderr}"
    );
    assert!(!stderr.contains("Click Rate says"), "{stderr}");
}

#[test]
fn verbose_lists_ignored_columns_and_show_describes_a_profile() {
    let sandbox = with_campaign();
    let output = sandbox
        .cmd()
        .args([
            "import",
            "-v",
            sample("callpower-export.csv").to_str().unwrap(),
            "--date",
            "2026-11-01",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("columns this profile does not use (ignored): District, Failed, No Answer, Canceled, Unknown"),
        "{stderr}"
    );
    let shown = sandbox.json(&["profiles", "show", "mobilize-participations"]);
    let attended = one_row(&shown, &[("section", "Columns"), ("field", "attended")]);
    assert_eq!(attended["type"], "bool");
    assert_eq!(attended["required"], "yes");
    let records: Vec<&Value> = shown.iter().filter(|r| r["section"] == "Records").collect();
    assert_eq!(records.len(), 4);
}

#[test]
fn spoke_opt_outs_are_counted_in_every_layout() {
    // v10+ (the sample: snake_case columns, optOutCampaign true on 2 contacts, dated by
    // optedOut, Sep 23), v0.1-v9.2 (bracketed: contact[optOut] true on 1 of 3, no date, so on
    // the import's --date, Nov 1), and all camelCase (optOut true on 2 of 3).
    let sandbox = with_campaign();
    for (file, expected) in [
        (sample("spoke-campaign-contacts-export.csv"), 2.0),
        (fixture("spoke-v9-contacts.csv"), 1.0),
        (fixture("spoke-camel-contacts.csv"), 2.0),
    ] {
        let before = opt_outs(&sandbox);
        let row = import(&sandbox, &file, &["--campaign", "fair-rent-now"]);
        assert_eq!(row["profile"], "spoke-contacts", "{}", file.display());
        assert_eq!(opt_outs(&sandbox) - before, expected, "{}", file.display());
    }
    // Each opt-out belongs to its contact's person (the phone is known).
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let without: i64 = conn
        .query_row(
            "SELECT count(*) FROM action WHERE metric = 'opt_outs' AND person_id IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(without, 0);
    let weeks = sandbox.json(&[
        "totals", "--metric", "opt_outs", "--by", "week", "--today", TODAY,
    ]);
    let w39 = one_row(&weeks, &[("week", "2026-W39")]);
    assert_eq!(number(&w39["value"]), 2.0, "the sample's, on Sep 23");
}

fn opt_outs(sandbox: &Sandbox) -> f64 {
    sandbox
        .json(&["totals", "--metric", "opt_outs", "--today", TODAY])
        .iter()
        .map(|r| number(&r["value"]))
        .sum()
}

#[test]
fn a_field_read_as_another_type_than_its_own_is_named_with_its_line() {
    let sandbox = Sandbox::initialised();
    let profile = sandbox.write(
        "shifts.toml",
        r#"name = "shifts"
tool = "A sheet"
description = "Doors per day"
platform = "sheet"

[fields]
day = { headers = ["Day"], required = true, type = "date" }
doors = { headers = ["Doors"], required = true }

[[records]]
kind = "metrics"
date = "doors"
metrics = { doors = "day" }
"#,
    );
    let output = sandbox
        .cmd()
        .args(["profiles", "check", profile.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let path = profile.display();
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "{path}:8: the field 'doors' is of type text, but a record reads it as a date: give it type = \"date\" or \"time\"\n\
             {path}:7: the field 'day' is of type date, but a record reads it as a number: give it type = \"count\" or \"number\" or \"amount\" or \"percent\" or \"fraction\"\n\
             error: {path} has 2 problem(s); the format is described in imports/README.md\n"
        )
    );
}
