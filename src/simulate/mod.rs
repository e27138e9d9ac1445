//! A synthetic organisation, written as real-format exports with effects planted in them, for
//! tests, demos and benchmarks: its member list (Action Network's report download, which joins
//! each member's email and phone), weekly Mailchimp sends (campaigns report and granular opens),
//! weekly Spoke texts, Mobilize RSVPs, ActBlue donations (its core columns) and a CallPower call
//! log. The same seed gives the same files, byte for byte.
//!
//! The model: people differ in engagement (Mailchimp's 1-5 star MEMBER_RATING): the engaged open
//! more and act more, as real members do, so openers act more than others even when an email
//! does nothing. Each week every person has a base chance of RSVPing (1% times their engagement).
//! People emailed that week add the planted email effect (whether or not they open), people
//! texted add the sms effect. An RSVP happens Wednesday to Saturday, after that week's sends
//! (Tuesday email, Monday texts), so a 7-day window after a send holds exactly its week's RSVPs.
//!
//! Some people are held out of every email: a random tenth (`lists/holdout.csv`), or, with an
//! experiment, the holdout `turnout holdout draw` makes of `lists/audience.csv` with the same seed
//! (the simulation draws it the same way). `lists/` also holds each send's list of recipients.
//! Nothing in `lists/` is an export to import. `weekly` writes weekly numbers only.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::experiment::{audience, draw};
use crate::stats::SplitMix;

pub mod weekly;

pub const START: &str = "2026-09-07";
/// The weekly chance of an RSVP with no outreach, for a member of average engagement.
pub const BASE_RATE: f64 = 0.01;
/// The first email's web id; week N's is this plus N - 1.
pub const FIRST_WEB_ID: usize = 100_000;
/// Where the lists (audience, holdout, recipients) go, inside the output folder.
pub const LISTS: &str = "lists";
/// The experiment's name and strata, as the printed `turnout holdout draw` uses them.
pub const EXPERIMENT: &str = "sim";
pub const STRATA: &str = "MEMBER_RATING";
const HOLDOUT_SHARE: f64 = 0.1;
const TEXTED_SHARE: f64 = 0.5;
/// The share of weeks with an email (the first week always has one).
const EMAIL_WEEKS: f64 = 0.7;
/// Engagement by MEMBER_RATING (1 to 5 stars): how common it is, the chance of opening an email,
/// and how much more (or less) often than average such a member acts.
const RATING_SHARE: [f64; 5] = [0.2, 0.25, 0.25, 0.2, 0.1];
const OPEN_CHANCE: [f64; 5] = [0.05, 0.15, 0.35, 0.6, 0.85];
const ACTION_FACTOR: [f64; 5] = [0.15, 0.4, 0.9, 1.8, 3.5];

pub struct Plan {
    pub people: usize,
    pub weeks: usize,
    pub seed: u64,
    /// Planted effects: channel (email, sms) -> added weekly RSVP probability.
    pub effects: BTreeMap<String, f64>,
    /// With an experiment: the share `turnout holdout draw` holds out of `lists/audience.csv`.
    pub experiment_share: Option<f64>,
}

/// Parses `email=0.02`.
pub fn parse_effect(text: &str) -> Result<(String, f64)> {
    let Some((channel, size)) = text.split_once('=') else {
        bail!(
            "'{text}' is not an effect; write CHANNEL=SIZE, e.g. email=0.02 (2 points more RSVPs a week)"
        );
    };
    let channel = channel.trim().to_lowercase();
    if channel != "email" && channel != "sms" {
        bail!("the simulation plants effects on email and sms; found '{channel}'");
    }
    match size.trim().parse::<f64>() {
        Ok(v) if (0.0..=0.5).contains(&v) => Ok((channel, v)),
        _ => bail!(
            "the effect size must be a probability between 0 and 0.5, e.g. email=0.02; found '{size}'"
        ),
    }
}

fn email_of(i: usize) -> String {
    format!("sim{i:06}@example.org")
}

fn phone_of(i: usize) -> String {
    // 555-01xx numbers are the only ones reserved for fiction; a simulation needs more, so these
    // use the rest of the 555 exchange (unassigned) of a real area code: libphonenumber, which
    // reads every phone, refuses an invented area code.
    format!("+1510555{:04}", i % 10_000)
}

fn at(day: NaiveDate, seconds: i64) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).expect("midnight") + Duration::seconds(seconds)
}

/// A member of the simulated organisation.
struct Person {
    /// 0 to 4 (one to five stars).
    rating: usize,
    held_out: bool,
}

fn rating(rng: &mut SplitMix) -> usize {
    let mut u = rng.next_f64();
    for (i, share) in RATING_SHARE.iter().enumerate() {
        if u < *share {
            return i;
        }
        u -= share;
    }
    RATING_SHARE.len() - 1
}

/// The audience as Mailchimp's audience export writes it.
fn audience_file(people: &[Person]) -> Result<String> {
    let mut text = String::from(
        "Email Address,First Name,Last Name,Address,Phone Number,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS\n",
    );
    for (i, person) in people.iter().enumerate() {
        writeln!(
            text,
            "{},Sim,Member{i},,{},{},2026-01-05 10:00:00,,2026-01-05 10:01:00,,,,,,,US,CA,2026-01-05 10:01:00,{},,,\"Simulated\"",
            email_of(i),
            &phone_of(i)[2..],
            person.rating + 1,
            100_000_000 + i
        )?;
    }
    Ok(text)
}

/// Writes the files into `dir` and returns their paths.
pub fn write(plan: &Plan, dir: &Path) -> Result<Vec<PathBuf>> {
    if plan.people == 0 || plan.people > 10_000 {
        bail!("--people must be between 1 and 10,000 (phone numbers repeat beyond that)");
    }
    if plan.weeks == 0 || plan.weeks > 104 {
        bail!("--weeks must be between 1 and 104");
    }
    let lists = dir.join(LISTS);
    std::fs::create_dir_all(&lists)
        .with_context(|| format!("cannot create {}", lists.display()))?;
    let mut rng = SplitMix(
        plan.seed
            .wrapping_mul(0x2545_F491_4F6C_DD1D)
            .wrapping_add(1),
    );
    let mut people: Vec<Person> = (0..plan.people)
        .map(|_| Person {
            rating: rating(&mut rng),
            held_out: false,
        })
        .collect();
    let audience = audience_file(&people)?;
    let mut files = Vec::new();
    // The organization's list, as Action Network's report download gives it: each member's email
    // and phone together, so turnout knows them as one person in every tool.
    let mut list = String::from("uuid,first_name,last_name,email,Phone Number\n");
    for i in 0..people.len() {
        writeln!(
            list,
            "sim-{i:06},Sim,Member{i},{},{}",
            email_of(i),
            &phone_of(i)[2..]
        )?;
    }
    let list_path = dir.join("actionnetwork-people.csv");
    std::fs::write(&list_path, list)?;
    files.push(list_path);
    let audience_path = lists.join("audience.csv");
    std::fs::write(&audience_path, &audience)?;
    files.push(audience_path.clone());
    match plan.experiment_share {
        Some(share) => {
            // The same draw `turnout holdout draw` makes of this file with this seed.
            let list = audience::parse_with_names(
                audience_path.display().to_string(),
                audience.into_bytes(),
                Some(STRATA),
                "US",
            )?;
            let drawn = draw::draw(&list, share, plan.seed)?;
            for unit in &drawn.units {
                people[unit.rows[0]].held_out = unit.held_out;
            }
        }
        None => {
            let mut holdout = String::from("email\n");
            for (i, person) in people.iter_mut().enumerate() {
                person.held_out = rng.next_f64() < HOLDOUT_SHARE;
                if person.held_out {
                    writeln!(holdout, "{}", email_of(i))?;
                }
            }
            let path = lists.join("holdout.csv");
            std::fs::write(&path, holdout)?;
            files.push(path);
        }
    }
    files.extend(write_weeks(plan, dir, &people, &mut rng)?);
    files.sort();
    Ok(files)
}

/// The exports, week by week.
fn write_weeks(
    plan: &Plan,
    dir: &Path,
    people: &[Person],
    rng: &mut SplitMix,
) -> Result<Vec<PathBuf>> {
    let start = NaiveDate::parse_from_str(START, "%Y-%m-%d").expect("valid date");
    let email_effect = plan.effects.get("email").copied().unwrap_or(0.0);
    let sms_effect = plan.effects.get("sms").copied().unwrap_or(0.0);
    let mut report = String::from(
        "Title,Subject,Audience,\"Send Date\",\"Send Weekday\",\"Total Recipients\",\"Successful Deliveries\",\"Soft Bounces\",\"Hard Bounces\",\"Total Bounces\",\"Times Forwarded\",\"Forwarded Opens\",\"Unique Opens\",\"Open Rate\",\"Total Opens\",\"Unique Clicks\",\"Click Rate\",\"Total Clicks\",Unsubscribes,\"Abuse Complaints\",\"Times Liked on Facebook\",\"Folder Id\",\"Unique Id\",\"Total Orders\",\"Total Gross Sales\",\"Total Revenue\"\n",
    );
    let mut texts = String::from(
        "campaign_contact_id,campaign_id,user_number,contact_number,is_from_contact,send_status,attempted_at,text,error_code\r\n",
    );
    let mut rsvps = String::from(
        "id,created_date,modified_date,user__email_address,user__phone_number,event_id,timeslot_id,status,attended,referrer__utm_source,referrer__utm_medium,referrer__utm_campaign\n",
    );
    let mut calls = String::new();
    let mut donations =
        String::from("Receipt ID,Date,Amount,Recipient,Reference Code,Donor Email,Donor Phone\n");
    let mut files = Vec::new();
    let mut participation = 0usize;
    for week in 0..plan.weeks {
        let monday = start + Duration::weeks(week as i64);
        let tuesday = monday + Duration::days(1);
        let send_time = at(tuesday, 10 * 3600);
        let text_time = at(monday, 17 * 3600);
        let web_id = FIRST_WEB_ID + week;
        let unique_id = format!(
            "{:010x}",
            plan.seed.wrapping_mul(1_000_003).wrapping_add(week as u64) & 0xff_ffff_ffff
        );
        let mut opens = String::from("Timestamp,Email\n");
        let mut recipients = String::from("Email Address\n");
        let (mut sent, mut opened) = (0usize, 0usize);
        // Activity varies from week to week, as real programmes do (and as the aggregate model
        // needs): some weeks have no email, and a different share of people is texted.
        let email_week = week == 0 || rng.next_f64() < EMAIL_WEEKS;
        let texted_share = TEXTED_SHARE * (0.4 + 1.2 * rng.next_f64());
        for (i, person) in people.iter().enumerate() {
            let emailed = email_week && !person.held_out;
            let texted = rng.next_f64() < texted_share;
            if emailed {
                sent += 1;
                writeln!(recipients, "{}", email_of(i))?;
                if rng.next_f64() < OPEN_CHANCE[person.rating] {
                    opened += 1;
                    let when =
                        send_time + Duration::seconds((rng.next_f64() * 20.0 * 3600.0) as i64);
                    writeln!(
                        opens,
                        "{},{}",
                        when.format("%Y-%m-%d %H:%M:%S"),
                        email_of(i)
                    )?;
                }
            }
            if texted {
                participation += 1;
                write!(
                    texts,
                    "{participation},{},+15105550190,{},false,DELIVERED,{}.000Z,\"RSVP for the assembly: https://example.org/a?utm_campaign=sim&utm_medium=sms\",\r\n",
                    500 + week,
                    phone_of(i),
                    text_time.format("%Y-%m-%dT%H:%M:%S")
                )?;
            }
            let chance = BASE_RATE * ACTION_FACTOR[person.rating]
                + if emailed { email_effect } else { 0.0 }
                + if texted { sms_effect } else { 0.0 };
            if rng.next_f64() < 0.002 {
                let when = at(monday, (rng.next_f64() * 7.0 * 86_400.0) as i64);
                writeln!(
                    donations,
                    "SIM{:07},{},{}.00,Simulated Union PAC,,{},{}",
                    participation + week * plan.people + i,
                    when.format("%Y-%m-%d %H:%M:%S"),
                    5 + (rng.next_f64() * 50.0) as u32,
                    email_of(i),
                    &phone_of(i)[2..]
                )?;
            }
            if rng.next_f64() < chance {
                participation += 1;
                // Wednesday to Saturday, after the week's sends.
                let when = at(
                    monday + Duration::days(2),
                    (rng.next_f64() * 4.0 * 86_400.0) as i64,
                );
                let attended = if rng.next_f64() < 0.7 { "t" } else { "f" };
                writeln!(
                    rsvps,
                    "{participation},{when}+00,{when}+00,{},{},7000,{},REGISTERED,{attended},,,sim",
                    email_of(i),
                    &phone_of(i)[2..],
                    70_000 + week,
                    when = when.format("%Y-%m-%d %H:%M:%S"),
                )?;
            }
        }
        if email_week {
            let open_rate = if sent > 0 {
                opened as f64 / sent as f64 * 100.0
            } else {
                0.0
            };
            writeln!(
                report,
                "\"Sim week {n}\",\"Week {n}\",\"Simulated Union\",\"{}\",{},{sent},{sent},0,0,0,0,0,{opened},{open_rate:.2}%,{opened},0,0.00%,0,0,0,0,0,{unique_id},0,0,0",
                send_time.format("%b %d, %Y %I:%M %P"),
                tuesday.format("%A"),
                n = week + 1
            )?;
            let opens_path = dir.join(format!("{web_id}_sim-week-{}.csv", week + 1));
            std::fs::write(&opens_path, opens)?;
            files.push(opens_path);
            let sent_path = dir.join(LISTS).join(format!("sent-{web_id}.csv"));
            std::fs::write(&sent_path, recipients)?;
            files.push(sent_path);
        }
        // A few calls a week, some with the number withheld.
        let weekly_calls = (plan.people as f64 * 0.01 * (0.5 + rng.next_f64())) as usize;
        for _ in 0..weekly_calls {
            let when = at(monday, (rng.next_f64() * 7.0 * 86_400.0) as i64);
            let person = (rng.next_f64() * plan.people as f64) as usize;
            if rng.next_f64() < 0.1 {
                writeln!(calls, "{}+00:00,,", when.format("%Y-%m-%d %H:%M:%S"))?;
            } else {
                writeln!(
                    calls,
                    "{}+00:00,{},94601",
                    when.format("%Y-%m-%d %H:%M:%S"),
                    phone_of(person)
                )?;
            }
        }
    }
    for (name, body) in [
        ("mailchimp-campaigns.csv", report),
        ("spoke-messages.csv", texts),
        ("mobilize-participations.csv", rsvps),
        ("callpower-log-campaign-1.csv", calls),
        ("actblue-contributions.csv", donations),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, body)?;
        files.push(path);
    }
    Ok(files)
}
