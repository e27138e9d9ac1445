//! `turnout holdout` and `turnout lift`: an experiment drawn before the send, measured as intention
//! to treat (everyone assigned, never the openers), with the numbers worked out by hand.

use predicates::prelude::*;

use crate::common::{Sandbox, bare_cmd, number, one_row};

/// A Mailchimp audience export of 200 members, a hundred rated 1 star and a hundred 2 stars, with
/// one row that has no email and one member listed twice (202 rows, 200 people).
fn audience() -> String {
    let mut text = String::from("Email Address,First Name,MEMBER_RATING\r\n");
    for i in 0..200 {
        text.push_str(&format!("m{i:03}@example.org,M{i},{}\r\n", 1 + i % 2));
        if i == 5 {
            text.push_str(",Nobody,1\r\n");
        }
    }
    text.push_str("M005@Example.org,M5 again,2\r\n");
    text
}

/// The emails of a list written by the draw (its first column), in order.
fn emails(sandbox: &Sandbox, name: &str) -> Vec<String> {
    std::fs::read_to_string(sandbox.path(name))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_lowercase())
        .collect()
}

/// Text as one line, whatever the table wrapped.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `turnout holdout draw` of the audience as the experiment fall-invite, with `extra` flags.
fn draw_with(
    sandbox: &Sandbox,
    seed: &str,
    send: &str,
    hold: &str,
    extra: &[&str],
) -> Vec<serde_json::Value> {
    let mut args = vec![
        "holdout",
        "draw",
        "audience.csv",
        "--name",
        "fall-invite",
        "--share",
        "0.2",
        "--seed",
        seed,
        "--strata",
        "MEMBER_RATING",
        "--campaign",
        "fall",
        "--send",
        send,
        "--holdout",
        hold,
    ];
    args.extend(extra);
    sandbox.json(&args)
}

fn draw(sandbox: &Sandbox, seed: &str, send: &str, hold: &str) -> Vec<serde_json::Value> {
    draw_with(sandbox, seed, send, hold, &[])
}

fn draw_again(sandbox: &Sandbox, seed: &str, send: &str, hold: &str) {
    draw_with(sandbox, seed, send, hold, &["--replace"]);
}

fn fall() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "campaign",
        "add",
        "fall",
        "--name",
        "Fall",
        "--code",
        "fall",
        "--start",
        "2026-10-01",
        "--end",
        "2026-11-30",
    ]);
    sandbox.write("audience.csv", audience());
    sandbox
}

#[test]
fn a_draw_is_reproducible_from_its_seed_balanced_and_written_as_the_input() {
    let sandbox = fall();
    let rows = draw(&sandbox, "7", "send.csv", "hold.csv");
    // 100 people per stratum, a fifth of each held out: 20 + 20 of 200. The repeated member and
    // the row with no email are accounted for.
    let group = |name: &str| one_row(&rows, &[("section", "Groups"), ("group", name)]).clone();
    assert_eq!(number(&group("send")["people"]), 160.0);
    assert_eq!(number(&group("held out")["people"]), 40.0);
    // The smallest detectable effect at a 2% base rate: 14.85 points, where the lift's interval
    // excludes zero 80% of the time (summed over both groups' counts, computed independently;
    // 6.9 by the normal approximation, which is far off at 40 people and a 2% rate).
    let mde = rows
        .iter()
        .find(|r| r["section"] == "Smallest detectable effect" && number(&r["base_rate"]) == 2.0)
        .unwrap();
    assert!((number(&mde["mde_points"]) - 14.8469).abs() < 2e-3, "{mde}");

    // The files hold the input's own header and rows, byte for byte, each row in one of them.
    let input = audience();
    let send = std::fs::read_to_string(sandbox.path("send.csv")).unwrap();
    let hold = std::fs::read_to_string(sandbox.path("hold.csv")).unwrap();
    let header = "Email Address,First Name,MEMBER_RATING\r\n";
    assert!(send.starts_with(header) && hold.starts_with(header));
    let mut rows_out: Vec<&str> = send.lines().skip(1).chain(hold.lines().skip(1)).collect();
    let mut rows_in: Vec<&str> = input
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with(','))
        .collect();
    rows_out.sort();
    rows_in.sort();
    assert_eq!(rows_out, rows_in);
    // One person, both rows, one group.
    let m005 = |list: &[String]| list.iter().filter(|e| *e == "m005@example.org").count();
    let (sent, held) = (emails(&sandbox, "send.csv"), emails(&sandbox, "hold.csv"));
    assert_eq!(m005(&sent) + m005(&held), 2);
    assert!(m005(&sent) == 2 || m005(&held) == 2);
    // Balanced: 20 of each rating held out.
    let shown = sandbox.json(&["holdout", "show", "fall-invite"]);
    for stratum in ["1", "2"] {
        let split = one_row(&shown, &[("section", "Strata"), ("stratum", stratum)]);
        assert_eq!(
            (number(&split["send"]), number(&split["held_out"])),
            (80.0, 20.0)
        );
    }
    let listed = sandbox.json(&["holdout", "list"]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["seed"], 7);
    assert_eq!(listed[0]["rows_read"], 202);
    assert_eq!(listed[0]["unreadable"], 1);
    assert_eq!(listed[0]["strata"], "MEMBER_RATING");

    // The same seed draws the same people, even from the file sorted another way; another seed
    // draws others. A used name is refused unless --replace.
    sandbox
        .cmd()
        .args([
            "holdout", "draw", "audience.csv", "--name", "fall-invite", "--send", "s2.csv",
            "--holdout", "h2.csv",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::diff(
            "error: an experiment named 'fall-invite' was drawn on ".to_string()
                + listed[0]["drawn"].as_str().unwrap()
                + " (160 to send, 40 held out); choose another --name, or add --replace to draw it again\n",
        ));
    let mut reversed: Vec<&str> = input.lines().collect();
    reversed[1..].reverse();
    sandbox.write("audience.csv", reversed.join("\r\n") + "\r\n");
    draw_again(&sandbox, "7", "s2.csv", "h2.csv");
    let mut again = emails(&sandbox, "h2.csv");
    let mut before = held.clone();
    again.sort();
    before.sort();
    assert_eq!(again, before, "the same seed holds out the same people");
    draw_again(&sandbox, "8", "s3.csv", "h3.csv");
    let mut other = emails(&sandbox, "h3.csv");
    other.sort();
    assert_ne!(other, before, "another seed, other people");
    // Writing over a file needs --replace too.
    sandbox
        .cmd()
        .args([
            "holdout", "draw", "audience.csv", "--name", "another", "--send", "s3.csv",
            "--holdout", "h4.csv",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::diff(
            "error: --send s3.csv already exists; choose a new file, or add --replace to write over it\n",
        ));
}

/// The send's report (Mailchimp's campaigns report, one row) and the RSVPs that followed.
fn world(sandbox: &Sandbox, recipients: u32) {
    sandbox.write(
        &format!("report-{recipients}.csv"),
        format!(
            "Title,Subject,Audience,\"Send Date\",\"Total Recipients\",\"Successful Deliveries\",\"Unique Opens\",\"Unique Id\"\n\
             \"Fall invite\",\"Come to the assembly\",\"Members\",\"Oct 06, 2026 10:00 am\",{recipients},{recipients},64,f00d00cafe\n"
        ),
    );
    sandbox.ok(&[
        "import",
        &format!("report-{recipients}.csv"),
        "--campaign",
        "fall",
        "--today",
        "2026-11-02",
    ]);
}

/// Mobilize participations: 12 of the sent group RSVP within the 14 days, one more only after
/// them, one cancels; of the held out, one RSVPs, one cancels, and one RSVPs through a link that
/// carries no code.
fn rsvps(sandbox: &Sandbox) {
    let (sent, held) = (emails(sandbox, "send.csv"), emails(sandbox, "hold.csv"));
    let mut text = String::from(
        "id,created_date,modified_date,user__email_address,user__phone_number,event_id,timeslot_id,status,attended,referrer__utm_source,referrer__utm_medium,referrer__utm_campaign\n",
    );
    let mut row = |email: &str, day: &str, status: &str, code: &str| {
        let id = 9000 + text.lines().count();
        text.push_str(&format!(
            "{id},{day} 12:00:00+00,{day} 12:00:00+00,{email},,7000,70000,{status},,,,{code}\n"
        ));
    };
    let mut sent_people: Vec<&String> = Vec::new();
    for email in &sent {
        if !sent_people.contains(&email) {
            sent_people.push(email);
        }
    }
    for email in &sent_people[..12] {
        row(email, "2026-10-08", "REGISTERED", "fall");
    }
    row(sent_people[12], "2026-10-30", "REGISTERED", "fall");
    row(sent_people[13], "2026-10-08", "CANCELLED", "fall");
    row(&held[0], "2026-10-09", "REGISTERED", "fall");
    row(&held[1], "2026-10-09", "CANCELLED", "fall");
    // No code: linked to no campaign, so not counted, and said.
    row(&held[2], "2026-10-09", "REGISTERED", "");
    sandbox.write("rsvps.csv", text);
    sandbox.ok(&["import", "rsvps.csv", "--today", "2026-11-02"]);
}

#[test]
fn lift_compares_everyone_assigned_with_its_reach_and_what_it_could_detect() {
    let sandbox = fall();
    draw(&sandbox, "7", "send.csv", "hold.csv");
    world(&sandbox, 160);
    rsvps(&sandbox);
    let lift = |extra: &[&str]| {
        let mut args = vec![
            "lift",
            "fall",
            "--experiment",
            "fall-invite",
            "--effort",
            "f00d00cafe",
            "--today",
            "2026-11-02",
        ];
        args.extend(extra);
        sandbox.json(&args)
    };
    let rows = lift(&["--outcome", "rsvps"]);
    let group = |name: &str| one_row(&rows, &[("section", "Groups"), ("group", name)]).clone();
    // Sent: 12 of 160 RSVPed within 14 days of the send (7.5%); the later RSVP and the
    // cancellation do not count. Held out: 1 of 40 (2.5%).
    assert_eq!(
        (
            number(&group("sent")["people"]),
            number(&group("sent")["acted"])
        ),
        (160.0, 12.0)
    );
    assert_eq!(
        (
            number(&group("held out")["people"]),
            number(&group("held out")["acted"])
        ),
        (40.0, 1.0)
    );
    assert!((number(&group("sent")["rate"]) - 7.5).abs() < 1e-9);
    let summary = one_row(&rows, &[("section", "Lift")]);
    // 7.5 - 2.5 = 5 points; Newcombe: Wilson(12, 160) = 4.35% to 12.66%, Wilson(1, 40) = 0.44% to
    // 12.88%: 5 - sqrt(3.15^2 + 10.38^2) = -5.85 and 5 + sqrt(5.16^2 + 2.06^2) = 10.55.
    assert!((number(&summary["difference"]) - 5.0).abs() < 1e-9);
    assert!((number(&summary["low"]) + 5.8510).abs() < 1e-3, "{summary}");
    assert!(
        (number(&summary["high"]) - 10.5465).abs() < 1e-3,
        "{summary}"
    );
    // Both groups acted at 13 / 200 = 6.5%: the interval's power reaches 80% at 18.17 points.
    assert!((number(&summary["mde_points"]) - 18.1750).abs() < 2e-3);
    assert_eq!(
        summary["verdict"],
        "no evidence of an effect (-5.9 to 10.5); with these groups an effect smaller than 18.2 points could not be detected"
    );
    // Reach: the report's 64 unique opens of the 160 sent, 40%; on those reached, 5 / 0.4.
    assert!((number(&summary["reach"]) - 40.0).abs() < 1e-9);
    assert!((number(&summary["cace"]) - 12.5).abs() < 1e-9);
    assert!((number(&summary["cace_low"]) + 14.6276).abs() < 1e-3);
    assert!((number(&summary["cace_high"]) - 26.3662).abs() < 1e-3);
    // The tool sent 160: as drawn.
    assert!((number(&summary["sample_ratio_p"]) - 1.0).abs() < 1e-6);

    // No --outcome: any result that is an action. The cancellations are not; so the same groups.
    let rows = lift(&[]);
    let summary = one_row(&rows, &[("section", "Lift")]);
    assert!((number(&summary["difference"]) - 5.0).abs() < 1e-9);
    assert_eq!(summary["counted"], "rsvps");
    let table = one_line(&sandbox.ok(&[
        "lift",
        "fall",
        "--experiment",
        "fall-invite",
        "--effort",
        "f00d00cafe",
        "--today",
        "2026-11-02",
    ]));
    assert!(
        table.contains(
            "Counted: people with any result that is an action (seen: rsvps; cancellations and no-shows never count) linked to fall, from 2026-10-06 10:00 (the effort's send time) to 2026-10-20 10:00 (14d later)."
        ),
        "{table}"
    );
    assert!(
        table.contains(
            "Intention to treat: everyone experiment fall-invite assigned (160 to send, 40 held out; 20% held out at random on"
        ),
        "{table}"
    );
    assert!(
        table.contains(
            "0 people sent and 1 held out took a counted action in the window that reached no campaign, so it is not counted."
        ),
        "{table}"
    );

    // A newer report says the send went to all 200: the holdout was mailed. 200 : 0 against
    // 160 : 40 is chi-square 40^2/160 + 40^2/40 = 50, p = 1.5e-12.
    world(&sandbox, 200);
    let rows = lift(&["--outcome", "rsvps"]);
    let summary = one_row(&rows, &[("section", "Lift")]);
    assert!(number(&summary["sample_ratio_p"]) < 1e-11, "{summary}");
    let table = one_line(&sandbox.ok(&[
        "lift",
        "fall",
        "--experiment",
        "fall-invite",
        "--effort",
        "f00d00cafe",
        "--outcome",
        "rsvps",
    ]));
    assert!(
        table.contains(
            "Sample ratio mismatch (by the tool's count of messages sent): 200 sent and 0 not, where a 20% holdout gives about 160 and 40 (p = 1.5e-12, below 0.001). Something broke"
        ),
        "{table}"
    );
}

#[test]
fn openers_are_never_compared_with_a_holdout() {
    // A holdout made by hand (no draw recorded), and an effort whose export says only who opened.
    let sandbox = fall();
    let people: Vec<String> = (0..10).map(|i| format!("p{i}@example.org")).collect();
    sandbox.write("hold.csv", format!("email\n{}\n", people[..2].join("\n")));
    sandbox.write(
        "sent.csv",
        format!("Email Address\n{}\n", people[2..].join("\n")),
    );
    sandbox.write(
        "300001_invite.csv",
        format!(
            "Timestamp,Email\n2026-10-06 11:00:00,{}\n2026-10-06 12:00:00,{}\n",
            people[2], people[3]
        ),
    );
    sandbox.ok(&["import", "300001_invite.csv", "--campaign", "fall"]);
    sandbox.write(
        "rsvps.csv",
        format!(
            "id,created_date,modified_date,user__email_address,user__phone_number,event_id,timeslot_id,status,attended,referrer__utm_source,referrer__utm_medium,referrer__utm_campaign\n\
             1,2026-10-07 12:00:00+00,2026-10-07 12:00:00+00,{},,7000,70000,REGISTERED,,,,fall\n\
             2,2026-10-07 12:00:00+00,2026-10-07 12:00:00+00,{},,7000,70000,REGISTERED,,,,fall\n",
            people[2], people[0]
        ),
    );
    sandbox.ok(&["import", "rsvps.csv"]);
    sandbox
        .cmd()
        .args(["lift", "fall", "--effort", "300001", "--holdout", "hold.csv"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::diff(
            "error: turnout knows who opened or clicked this effort, but not who it was sent to, so it will not \
             compare it with the holdout: comparing openers with the holdout credits the email with its \
             openers' enthusiasm (the people who open are the people who act anyway). Give the list it was \
             sent to with --sent FILE (the file uploaded to the tool as its audience, or the tool's \"sent to\" \
             export), or draw the next holdout with turnout holdout draw and measure it with --experiment NAME\n",
        ));
    // With the list it went to: 1 of 8 sent against 1 of 2 held out; reach 2 of 8 opened.
    let rows = sandbox.json(&[
        "lift",
        "fall",
        "--effort",
        "300001",
        "--holdout",
        "hold.csv",
        "--sent",
        "sent.csv",
    ]);
    let sent = one_row(&rows, &[("section", "Groups"), ("group", "sent")]);
    let held = one_row(&rows, &[("section", "Groups"), ("group", "held out")]);
    assert_eq!(
        (number(&sent["people"]), number(&sent["acted"])),
        (8.0, 1.0)
    );
    assert_eq!(
        (number(&held["people"]), number(&held["acted"])),
        (2.0, 1.0)
    );
    let summary = one_row(&rows, &[("section", "Lift")]);
    assert!((number(&summary["difference"]) + 37.5).abs() < 1e-9);
    assert!((number(&summary["reach"]) - 25.0).abs() < 1e-9);
    assert!(summary["sample_ratio_p"].is_null(), "no drawn share");
}

#[test]
fn power_by_hand() {
    let sandbox = Sandbox::new();
    // 10,000 people, a fifth held out, 2% base rate: the lift's interval excludes zero 80% of the
    // time at 1.13 points, and 70.2% of the time at 1 point (summed over both groups' counts,
    // computed independently; the normal approximation says 0.98 points and 78%).
    let rows = sandbox.json(&[
        "holdout",
        "power",
        "--people",
        "10000",
        "--share",
        "0.2",
        "--base-rate",
        "2",
        "--effect",
        "1",
    ]);
    assert_eq!(
        (rows[0]["sent"].clone(), rows[0]["held_out"].clone()),
        (8000.into(), 2000.into())
    );
    assert!((number(&rows[0]["mde_points"]) - 1.1321).abs() < 2e-3);
    assert!((number(&rows[0]["power"]) - 70.19).abs() < 0.01);
    sandbox
        .cmd()
        .args(["holdout", "power", "--people", "100", "--base-rate", "150"])
        .assert()
        .code(2)
        .stderr(predicate::str::diff(
            "error: --base-rate 150: give a rate in percent, above 0 and below 100 (2 means 2%)\n",
        ));
}

#[test]
fn experiments_are_forgotten_rotated_exported_and_restored() {
    let sandbox = fall();
    draw(&sandbox, "7", "send.csv", "hold.csv");
    world(&sandbox, 160);
    rsvps(&sandbox);
    let lift = |db: &std::path::Path| {
        sandbox.json_with_db(
            db,
            &[
                "lift",
                "fall",
                "--experiment",
                "fall-invite",
                "--effort",
                "f00d00cafe",
                "--outcome",
                "rsvps",
            ],
        )
    };
    let before = lift(&sandbox.db());
    // The key rotates: the experiment's hashes with it, so the lift is unchanged.
    sandbox.ok(&["key", "rotate"]);
    assert_eq!(lift(&sandbox.db()), before);
    // Export and restore keep the draw.
    sandbox.ok(&["export", "out", "--with-key"]);
    let restored = sandbox.path("restored.db");
    bare_cmd()
        .current_dir(sandbox.dir.path())
        .args(["--db", restored.to_str().unwrap(), "restore", "out"])
        .assert()
        .success();
    assert_eq!(lift(&restored), before);
    // Forgetting a held-out person takes them out of the experiment: 39 held out.
    let held = emails(&sandbox, "hold.csv");
    let out = sandbox.ok(&["forget", &held[5], "--yes"]);
    assert!(out.contains("and their place in 1 experiment(s)"), "{out}");
    let shown = sandbox.json(&["holdout", "show", "fall-invite"]);
    let summary = one_row(&shown, &[("section", "Experiment")]);
    assert_eq!(
        (number(&summary["send"]), number(&summary["held_out"])),
        (160.0, 39.0)
    );
}

#[test]
fn the_simulator_runs_the_experiment_turnout_draws_and_engaged_people_open_more() {
    let sandbox = Sandbox::new();
    let out = sandbox.ok(&[
        "simulate",
        "--out",
        "sim",
        "--people",
        "2000",
        "--weeks",
        "1",
        "--seed",
        "5",
        "--experiment",
        "0.25",
    ]);
    assert!(out.contains("sim/lists/audience.csv"), "{out}");
    // The draw it prints, run as printed, holds out exactly the people the simulated send skipped.
    sandbox.ok(&[
        "holdout",
        "draw",
        "sim/lists/audience.csv",
        "--name",
        "sim",
        "--share",
        "0.25",
        "--seed",
        "5",
        "--strata",
        "MEMBER_RATING",
        "--send",
        "sim/lists/send.csv",
        "--holdout",
        "sim/lists/hold.csv",
    ]);
    let mut drawn = emails(&sandbox, "sim/lists/send.csv");
    let mut sent = emails(&sandbox, "sim/lists/sent-100000.csv");
    drawn.sort();
    sent.sort();
    assert_eq!(drawn, sent);
    assert_eq!(emails(&sandbox, "sim/lists/hold.csv").len(), 500);
    // The engaged open more: the share of five-star members among openers is above their share
    // of the audience (10%).
    let audience = std::fs::read_to_string(sandbox.path("sim/lists/audience.csv")).unwrap();
    let five_stars: std::collections::HashSet<&str> = audience
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(5) == Some("5"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let opens = std::fs::read_to_string(sandbox.path("sim/100000_sim-week-1.csv")).unwrap();
    let openers: Vec<&str> = opens
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    let engaged = openers.iter().filter(|e| five_stars.contains(**e)).count();
    let share_of_audience = five_stars.len() as f64 / 2000.0;
    let share_of_openers = engaged as f64 / openers.len() as f64;
    assert!(
        share_of_openers > 2.0 * share_of_audience,
        "{share_of_openers} of openers against {share_of_audience} of the audience"
    );
}

#[test]
fn a_spoke_contacts_export_is_drawn_by_its_contacts_not_its_texters() {
    // Spoke's contacts file also carries each texter's email and cell; the profile knows which
    // columns are the contacts, so the 20 rows are 20 people, not the 6 texters' groups.
    let sandbox = Sandbox::new();
    let file = crate::common::sample("spoke-campaign-contacts-export.csv");
    let rows = sandbox.json(&[
        "holdout",
        "draw",
        file.to_str().unwrap(),
        "--name",
        "texts",
        "--share",
        "0.25",
        "--seed",
        "3",
        "--send",
        "send.csv",
        "--holdout",
        "hold.csv",
    ]);
    let people: f64 = rows
        .iter()
        .filter(|r| r["section"] == "Groups")
        .map(|r| number(&r["people"]))
        .sum();
    assert_eq!(people, 20.0);
    let out = one_line(&sandbox.ok(&[
        "holdout",
        "draw",
        file.to_str().unwrap(),
        "--name",
        "t2",
        "--seed",
        "3",
        "--send",
        "s.csv",
        "--holdout",
        "h.csv",
    ]));
    assert!(
        out.contains("20 rows read (read as spoke-contacts): 20 people, known by 'cell'."),
        "{out}"
    );
}
