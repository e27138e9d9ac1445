//! `turnout drivers` and `turnout lift` on a small hand-made case, every credit worked out by hand.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, number, one_row};

const TODAY: &str = "2026-10-20";

/// Four people. P1 (p1@, 510-555-0141) is texted Oct 1 17:00 and opens an email Oct 3 09:00,
/// then RSVPs Oct 4 12:00 from the email's link. P2 (p2@, 0142) is texted Oct 1 and RSVPs Oct 2
/// 12:00 from the text. P3 (0143) is texted and does nothing. P4 (p4@) RSVPs Oct 5 untouched.
fn case() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "campaign", "add", "fall-ask", "--name", "Fall Ask", "--code", "fall-*",
    ]);
    let texts = sandbox.write(
        "texts-messages.csv",
        "campaign_contact_id,campaign_id,user_number,contact_number,is_from_contact,send_status,attempted_at,text,error_code\n\
         1,41,+15105550190,+15105550141,false,DELIVERED,2026-10-01T17:00:00.000Z,\"RSVP: https://x.org/e?utm_campaign=fall-ask&utm_medium=sms\",\n\
         2,41,+15105550190,+15105550142,false,DELIVERED,2026-10-01T17:00:00.000Z,\"RSVP: https://x.org/e?utm_campaign=fall-ask&utm_medium=sms\",\n\
         3,41,+15105550190,+15105550143,false,DELIVERED,2026-10-01T17:00:00.000Z,\"RSVP: https://x.org/e?utm_campaign=fall-ask&utm_medium=sms\",\n",
    );
    let opens = sandbox.write(
        "777_fall-ask-email.csv",
        "Timestamp,Email\n2026-10-03 09:00:00,p1@example.org\n",
    );
    let rsvps = sandbox.write(
        "participations.csv",
        "id,event_id,timeslot_id,status,attended,created_date,modified_date,user__email_address,user__phone_number,referrer__utm_medium,referrer__utm_campaign\n\
         1,90,900,REGISTERED,,2026-10-04 12:00:00+00,2026-10-04 12:00:00+00,p1@example.org,5105550141,email,fall-ask\n\
         2,90,900,REGISTERED,,2026-10-02 12:00:00+00,2026-10-02 12:00:00+00,p2@example.org,5105550142,sms,fall-ask\n\
         3,90,900,REGISTERED,,2026-10-05 12:00:00+00,2026-10-05 12:00:00+00,p4@example.org,,,fall-ask\n",
    );
    for (file, extra) in [
        (&texts, vec![]),
        (&opens, vec!["--campaign", "fall-ask"]),
        (&rsvps, vec![]),
    ] {
        let mut args = vec!["import", file.to_str().unwrap(), "--today", TODAY];
        args.extend(extra);
        sandbox.ok(&args);
    }
    sandbox
}

fn credit(rows: &[Value], key: &str, model: &str) -> f64 {
    rows.iter()
        .filter(|r| r["key"] == key && r["model"] == model)
        .map(|r| number(&r["credit"]))
        .sum()
}

#[test]
fn every_model_splits_the_rsvps_as_worked_by_hand() {
    let sandbox = case();
    let rows = sandbox.json(&[
        "drivers",
        "fall-ask",
        "--outcome",
        "rsvps",
        "--today",
        TODAY,
    ]);
    let none = "no digital touch";
    // last: P1's email, P2's text, P4 nothing.
    assert_eq!(
        [
            credit(&rows, "email", "last"),
            credit(&rows, "sms", "last"),
            credit(&rows, none, "last")
        ],
        [1.0, 1.0, 1.0]
    );
    // first: both texts.
    assert_eq!(
        [
            credit(&rows, "sms", "first"),
            credit(&rows, "email", "first")
        ],
        [2.0, 0.0]
    );
    // linear and position (two touches: half each): P1 half-half, P2 all to sms.
    for model in ["linear", "position"] {
        assert_eq!(
            [credit(&rows, "sms", model), credit(&rows, "email", model)],
            [1.5, 0.5],
            "{model}"
        );
    }
    // time-decay, half-life 7 days: P1's text is 67 hours old, the email 27 hours:
    // weights 0.5^(67/168) = 0.7587 and 0.5^(27/168) = 0.8946; the email's share is 0.5411.
    let email = 0.5f64.powf(27.0 / 168.0) / (0.5f64.powf(67.0 / 168.0) + 0.5f64.powf(27.0 / 168.0));
    assert!((credit(&rows, "email", "time-decay") - email).abs() < 1e-3);
    assert!((credit(&rows, "sms", "time-decay") - (2.0 - email)).abs() < 1e-3);
    // direct: the channel each RSVP says it came through (UTM medium); P4 carries only the
    // campaign's code, so it is coded to the campaign, not "no digital touch".
    assert_eq!(
        [
            credit(&rows, "email", "direct"),
            credit(&rows, "sms", "direct"),
            credit(&rows, "coded to the campaign, no single effort", "direct"),
            credit(&rows, none, "direct")
        ],
        [1.0, 1.0, 1.0, 0.0]
    );
    // markov: paths sms>email>RSVP, sms>RSVP, sms>null (P3). P(RSVP) = 1/3 + 1/3 = 2/3;
    // without sms 0 (effect 1), without email 1/3 (effect 1/2): 2 RSVPs split 2:1.
    assert!((credit(&rows, "sms", "markov") - 4.0 / 3.0).abs() < 1e-3);
    assert!((credit(&rows, "email", "markov") - 2.0 / 3.0).abs() < 1e-3);
    // Every model's credits sum to the 3 RSVPs; shares (in percentage points) to 100.
    for model in [
        "direct",
        "last",
        "first",
        "linear",
        "time-decay",
        "position",
        "markov",
    ] {
        let total: f64 = rows
            .iter()
            .filter(|r| r["model"] == model)
            .map(|r| number(&r["credit"]))
            .sum();
        let shares: f64 = rows
            .iter()
            .filter(|r| r["model"] == model)
            .map(|r| number(&r["share"]))
            .sum();
        assert!((total - 3.0).abs() < 1e-3, "{model}: {total}");
        assert!(
            (shares - 100.0).abs() < 1e-2,
            "{model}: {shares} (percentage points)"
        );
    }
}

#[test]
fn windows_touch_kinds_and_efforts() {
    let sandbox = case();
    // A 2-day window: P1's text (67 hours before) falls out; only the email counts.
    let rows = sandbox.json(&[
        "drivers",
        "fall-ask",
        "--outcome",
        "rsvps",
        "--window",
        "2d",
        "--model",
        "first",
        "--today",
        TODAY,
    ]);
    assert_eq!(credit(&rows, "email", "first"), 1.0);
    // Only opens count as touches: P2's text no longer does.
    let rows = sandbox.json(&[
        "drivers",
        "fall-ask",
        "--outcome",
        "rsvps",
        "--touch",
        "opened",
        "--model",
        "last",
        "--today",
        TODAY,
    ]);
    assert_eq!(credit(&rows, "no digital touch", "last"), 2.0);
    // By effort: the Spoke campaign 41 and the Mailchimp send 777 (from the file's name).
    let rows = sandbox.json(&[
        "drivers",
        "fall-ask",
        "--outcome",
        "rsvps",
        "--by",
        "effort",
        "--model",
        "last",
        "--today",
        TODAY,
    ]);
    assert_eq!(
        [credit(&rows, "777", "last"), credit(&rows, "41", "last")],
        [1.0, 1.0]
    );
    // The table shows one column per model.
    let table = sandbox.ok(&[
        "drivers",
        "fall-ask",
        "--outcome",
        "rsvps",
        "--today",
        TODAY,
    ]);
    assert!(
        table.contains("direct") && table.contains("time-decay") && table.contains("markov"),
        "{table}"
    );
    assert!(table.contains("no digital touch"), "{table}");
    sandbox
        .cmd()
        .args(["drivers", "fall-ask", "--outcome", "unique_opens"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("comms milestone"));
    sandbox
        .cmd()
        .args(["drivers", "--outcome", "rsvps", "--window", "a week"])
        .assert()
        .code(2);
}

#[test]
fn lift_compares_sent_with_held_out() {
    let sandbox = case();
    // Held out: P4 (who RSVPed) and two people turnout never saw.
    let holdout = sandbox.write(
        "holdout.csv",
        "email\np4@example.org\np5@example.org\np6@example.org\n",
    );
    let rows = sandbox.json(&[
        "lift",
        "fall-ask",
        "--effort",
        "41",
        "--holdout",
        holdout.to_str().unwrap(),
        "--outcome",
        "rsvps",
        "--today",
        TODAY,
    ]);
    let sent = one_row(&rows, &[("section", "Groups"), ("group", "sent")]);
    let held = one_row(&rows, &[("section", "Groups"), ("group", "held out")]);
    // Sent P1, P2, P3: two RSVPed within 14 days. Held out 3: one RSVPed.
    assert_eq!(
        (number(&sent["people"]), number(&sent["acted"])),
        (3.0, 2.0)
    );
    assert_eq!(
        (number(&held["people"]), number(&held["acted"])),
        (3.0, 1.0)
    );
    let lift = one_row(&rows, &[("section", "Lift")]);
    assert!((number(&lift["difference"]) - 100.0 / 3.0).abs() < 1e-3);
    assert!(
        lift["verdict"]
            .as_str()
            .unwrap()
            .starts_with("no evidence of an effect ("),
        "{lift}"
    );
    assert!(number(&lift["low"]) < 0.0 && number(&lift["high"]) > 0.0);
}

#[test]
fn aggregate_needs_enough_weeks() {
    let sandbox = case();
    let rows = sandbox.json(&[
        "drivers",
        "fall-ask",
        "--aggregate",
        "--outcome",
        "rsvps",
        "--today",
        TODAY,
    ]);
    assert!(rows.is_empty());
    let table = sandbox.ok(&[
        "drivers",
        "fall-ask",
        "--aggregate",
        "--outcome",
        "rsvps",
        "--today",
        TODAY,
    ]);
    assert!(
        table.contains("Not enough evidence: 2 week(s) of numbers"),
        "{table}"
    );
}

#[test]
fn simulated_data_is_reproducible_and_its_planted_email_effect_is_found() {
    let sandbox = Sandbox::new();
    let simulate = |dir: &str, seed: &str| {
        sandbox.ok(&[
            "simulate",
            "--out",
            dir,
            "--people",
            "10000",
            "--weeks",
            "2",
            "--seed",
            seed,
            "--effect",
            "email=0.05",
        ])
    };
    simulate("a", "3");
    simulate("b", "3");
    simulate("c", "4");
    for name in [
        "mailchimp-campaigns.csv",
        "mobilize-participations.csv",
        "spoke-messages.csv",
        "lists/holdout.csv",
        "lists/sent-100000.csv",
    ] {
        let a = std::fs::read(sandbox.path(&format!("a/{name}"))).unwrap();
        assert_eq!(
            a,
            std::fs::read(sandbox.path(&format!("b/{name}"))).unwrap(),
            "{name}: same seed, same file"
        );
        assert_ne!(
            a,
            std::fs::read(sandbox.path(&format!("c/{name}"))).unwrap(),
            "{name}: another seed, another file"
        );
    }
    sandbox.ok(&[
        "campaign",
        "add",
        "sim",
        "--name",
        "Simulated",
        "--code",
        "sim",
    ]);
    // Every file but the lists (audience, holdout, recipients), which are not exports.
    let mut files: Vec<String> = std::fs::read_dir(sandbox.path("a"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    let mut args = vec!["import", "--campaign", "sim", "--today", "2026-11-20"];
    args.extend(files.iter().map(String::as_str));
    let imported = sandbox.json(&args);
    assert!(
        imported
            .iter()
            .all(|r| r["rejected"] == 0 && r["status"] == "imported"),
        "{imported:?}"
    );
    // The member list joins each member's email (Mailchimp, Mobilize, ActBlue) and phone (Spoke,
    // CallPower): 10,000 members are 10,000 people, not one for each identifier.
    let people: i64 = rusqlite::Connection::open(sandbox.db())
        .unwrap()
        .query_row("SELECT count(*) FROM person", [], |row| row.get(0))
        .unwrap();
    assert_eq!(people, 10_000);
    // Planted: people emailed in a week RSVP 5 points more often (base 1% on average). Everyone
    // the first send went to against the held-out tenth, over the 7 days after the send.
    let holdout = sandbox.path("a/lists/holdout.csv");
    let sent = sandbox.path("a/lists/sent-100000.csv");
    let rows = sandbox.json(&[
        "lift",
        "sim",
        "--effort",
        "100000",
        "--holdout",
        holdout.to_str().unwrap(),
        "--sent",
        sent.to_str().unwrap(),
        "--outcome",
        "rsvps",
        "--window",
        "7d",
    ]);
    let lift = one_row(&rows, &[("section", "Lift")]);
    assert!(
        lift["verdict"]
            .as_str()
            .unwrap()
            .starts_with("raised rsvps by"),
        "{lift}"
    );
    assert!(
        number(&lift["low"]) <= 5.0 && 5.0 <= number(&lift["high"]),
        "{lift}"
    );
}

#[test]
fn aggregate_recovers_a_planted_weekly_effect_from_simulated_exports() {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "simulate", "--out", "sim", "--people", "1000", "--weeks", "30", "--seed", "11",
        "--effect", "sms=0.05",
    ]);
    sandbox.ok(&[
        "campaign",
        "add",
        "sim",
        "--name",
        "Simulated",
        "--code",
        "sim",
    ]);
    let mut args = vec!["import", "--campaign", "sim", "--today", "2027-05-01"];
    let files: Vec<String> = [
        "mailchimp-campaigns.csv",
        "spoke-messages.csv",
        "mobilize-participations.csv",
    ]
    .iter()
    .map(|f| sandbox.path(&format!("sim/{f}")).display().to_string())
    .collect();
    args.extend(files.iter().map(String::as_str));
    sandbox.ok(&args);
    let rows = sandbox.json(&[
        "drivers",
        "sim",
        "--aggregate",
        "--outcome",
        "rsvps",
        "--today",
        "2027-05-01",
    ]);
    // Planted: 5 more RSVPs a week per 100 people texted, i.e. 50 per 1,000 texts; email nothing.
    let sms = one_row(&rows, &[("key", "sms")]);
    assert!(
        number(&sms["low"]) <= 50.0 && 50.0 <= number(&sms["high"]),
        "{sms}"
    );
    assert!(
        sms["verdict"]
            .as_str()
            .unwrap()
            .starts_with("moved with rsvps: about"),
        "{sms}"
    );
    let email = one_row(&rows, &[("key", "email")]);
    assert!(
        email["verdict"]
            .as_str()
            .unwrap()
            .starts_with("no evidence"),
        "{email}"
    );
}

/// Touches per effort id, and the efforts that exist, straight from the database.
fn touches_by_effort(db: &std::path::Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT e.external_id, count(t.at) FROM effort e LEFT JOIN touch t ON t.effort_id = e.id
             WHERE e.channel = 'email' GROUP BY e.id HAVING count(t.at) > 0 ORDER BY 1",
        )
        .unwrap();
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn an_opens_file_named_by_web_id_joins_the_send_its_clicks_name() {
    // Mailchimp names a send by its Unique Id in the campaigns report and in its links (mc_cid),
    // and by its web id in the file names of its granular activity. The clicks file of web id
    // 7412204 links to mc_cid=16aa51fa22: its opens file is the same send, in either order.
    let dir = crate::common::sample("mailchimp-account-export/granular_activity");
    let opens = dir.join("opens/7412204_fair-rent-now-4.csv");
    let clicks = dir.join("clicks/7412204_fair-rent-now-4.csv");
    let report = crate::common::sample("mailchimp-campaign-reports.csv");
    for order in [[&opens, &clicks], [&clicks, &opens]] {
        let sandbox = Sandbox::new();
        sandbox.fair_rent_now();
        sandbox.ok(&[
            "import",
            report.to_str().unwrap(),
            "--campaign",
            "fair-rent-now",
        ]);
        for file in order {
            sandbox.ok(&[
                "import",
                file.to_str().unwrap(),
                "--campaign",
                "fair-rent-now",
            ]);
        }
        // 12 opens and 9 clicks, all on the report's send; no effort named 7412204.
        assert_eq!(
            touches_by_effort(&sandbox.db()),
            [("16aa51fa22".to_string(), 21)]
        );
        // Importing the opens again finds them where they went.
        let again = sandbox.json(&[
            "import",
            opens.to_str().unwrap(),
            "--campaign",
            "fair-rent-now",
        ]);
        assert_eq!(again[0]["inserted"], 0, "{again:?}");
    }
}

#[test]
fn efforts_are_named_for_people_and_found_by_their_labels() {
    let sandbox = crate::common::demo();
    let today = "2026-11-02";
    let by_effort = sandbox.json(&[
        "drivers",
        "fair-rent-now",
        "--outcome",
        "rsvps",
        "--by",
        "effort",
        "--today",
        today,
    ]);
    let send = by_effort.iter().find(|r| r["key"] == "16aa51fa22").unwrap();
    assert_eq!(send["label"], "2026-09-18 email: Fair Rent Now #4");
    let texts = by_effort.iter().find(|r| r["key"] == "318").unwrap();
    assert_eq!(texts["label"], "2026-09-22 sms: texting campaign 318");
    // Direct codes: an RSVP carrying only the campaign's code is coded to the campaign, and
    // "no digital touch" is the same number by effort as by channel.
    let by_channel = sandbox.json(&[
        "drivers",
        "fair-rent-now",
        "--outcome",
        "rsvps",
        "--today",
        today,
    ]);
    let untouched = |rows: &[Value]| credit(rows, "no digital touch", "direct");
    assert_eq!(untouched(&by_effort), untouched(&by_channel));
    assert!(
        credit(
            &by_effort,
            "coded to the campaign, no single effort",
            "direct"
        ) > 0.0
    );
    // totals and funnel name efforts the same way, and --effort takes the start of a label.
    let totals = sandbox.json(&[
        "totals",
        "--campaign",
        "fair-rent-now",
        "--metric",
        "sent",
        "--by",
        "effort",
        "--today",
        today,
    ]);
    let row = one_row(&totals, &[("effort", "16aa51fa22")]);
    assert_eq!(row["label"], "2026-09-18 email: Fair Rent Now #4");
    let funnel = sandbox.ok(&[
        "funnel",
        "fair-rent-now",
        "--effort",
        "2026-09-18 email",
        "--today",
        today,
    ]);
    assert!(
        funnel.starts_with(
            "Funnel: Fair Rent Now (fair-rent-now), effort 2026-09-18 email: Fair Rent Now #4 (16aa51fa22)"
        ),
        "{funnel}"
    );
    sandbox
        .cmd()
        .args([
            "funnel",
            "fair-rent-now",
            "--effort",
            "2026-10-2",
            "--today",
            today,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: '2026-10-2' starts the label of 12 efforts of fair-rent-now:",
        ));
    // What the rules can see: email through opens and clicks, and the sends of the assembly
    // invite (its experiment is linked to it), social not at all.
    let coverage: Vec<&Value> = by_channel
        .iter()
        .filter(|r| r["section"] == "What the rules can see")
        .collect();
    let email = coverage.iter().find(|r| r["channel"] == "email").unwrap();
    assert_eq!(email["kinds"], "sent, opened, clicked");
    let social = coverage.iter().find(|r| r["channel"] == "social").unwrap();
    assert_eq!(social["people"], 0);
    assert!(
        social["coverage"]
            .as_str()
            .unwrap()
            .starts_with("no person-level data")
    );
}
