//! A synthetic organisation, written as real-format exports with effects planted in them, for
//! tests, demos and benchmarks: weekly Mailchimp sends (campaigns report and granular opens),
//! weekly Spoke texts, Mobilize RSVPs, ActBlue donations (its core columns) and a CallPower call
//! log. The same seed
//! gives the same files, byte for byte.
//!
//! The model: each week every person has a base chance of RSVPing. People emailed that week (and
//! not in the email holdout) add the planted email effect, people texted add the sms effect. An
//! RSVP happens Wednesday to Saturday, after that week's sends (Tuesday email, Monday texts), so a
//! 7-day window after a send holds exactly its week's RSVPs. A tenth of people are held out of
//! every email (`holdout.csv`), so `turnout lift` can measure the email effect.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::attribution::aggregate::SplitMix;

pub const START: &str = "2026-09-07";
/// The weekly chance of an RSVP with no outreach.
pub const BASE_RATE: f64 = 0.01;
const HOLDOUT_SHARE: f64 = 0.1;
const TEXTED_SHARE: f64 = 0.5;
/// The share of weeks with an email (the first week always has one).
const EMAIL_WEEKS: f64 = 0.7;
const OPEN_RATE: f64 = 0.35;

pub struct Plan {
    pub people: usize,
    pub weeks: usize,
    pub seed: u64,
    /// Planted effects: channel (email, sms) -> added weekly RSVP probability.
    pub effects: BTreeMap<String, f64>,
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
    // use the 555 exchange of an invented area code.
    format!("+1999555{:04}", i % 10_000)
}

fn at(day: NaiveDate, seconds: i64) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).expect("midnight") + Duration::seconds(seconds)
}

/// Writes the files into `dir` and returns their paths.
pub fn write(plan: &Plan, dir: &Path) -> Result<Vec<PathBuf>> {
    if plan.people == 0 || plan.people > 10_000 {
        bail!("--people must be between 1 and 10,000 (phone numbers repeat beyond that)");
    }
    if plan.weeks == 0 || plan.weeks > 104 {
        bail!("--weeks must be between 1 and 104");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut rng = SplitMix(
        plan.seed
            .wrapping_mul(0x2545_F491_4F6C_DD1D)
            .wrapping_add(1),
    );
    let start = NaiveDate::parse_from_str(START, "%Y-%m-%d").expect("valid date");
    let email_effect = plan.effects.get("email").copied().unwrap_or(0.0);
    let sms_effect = plan.effects.get("sms").copied().unwrap_or(0.0);
    let held: Vec<bool> = (0..plan.people)
        .map(|_| rng.next_f64() < HOLDOUT_SHARE)
        .collect();

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
        let web_id = 100_000 + week;
        let unique_id = format!(
            "{:010x}",
            plan.seed.wrapping_mul(1_000_003).wrapping_add(week as u64) & 0xff_ffff_ffff
        );
        let mut opens = String::from("Timestamp,Email\n");
        let (mut recipients, mut opened) = (0usize, 0usize);
        // Activity varies from week to week, as real programmes do (and as the aggregate model
        // needs): some weeks have no email, and a different share of people is texted.
        let email_week = week == 0 || rng.next_f64() < EMAIL_WEEKS;
        let texted_share = TEXTED_SHARE * (0.4 + 1.2 * rng.next_f64());
        for (person, is_held) in held.iter().enumerate() {
            let emailed = email_week && !is_held;
            let texted = rng.next_f64() < texted_share;
            if emailed {
                recipients += 1;
                if rng.next_f64() < OPEN_RATE {
                    opened += 1;
                    let when =
                        send_time + Duration::seconds((rng.next_f64() * 20.0 * 3600.0) as i64);
                    writeln!(
                        opens,
                        "{},{}",
                        when.format("%Y-%m-%d %H:%M:%S"),
                        email_of(person)
                    )?;
                }
            }
            if texted {
                participation += 1;
                write!(
                    texts,
                    "{participation},{},+15105550190,{},false,DELIVERED,{}.000Z,\"RSVP for the assembly: https://example.org/a?utm_campaign=sim&utm_medium=sms\",\r\n",
                    500 + week,
                    phone_of(person),
                    text_time.format("%Y-%m-%dT%H:%M:%S")
                )?;
            }
            let chance = BASE_RATE
                + if emailed { email_effect } else { 0.0 }
                + if texted { sms_effect } else { 0.0 };
            if rng.next_f64() < 0.002 {
                let when = at(monday, (rng.next_f64() * 7.0 * 86_400.0) as i64);
                writeln!(
                    donations,
                    "SIM{:07},{},{}.00,Simulated Union PAC,,{},{}",
                    participation + week * plan.people + person,
                    when.format("%Y-%m-%d %H:%M:%S"),
                    5 + (rng.next_f64() * 50.0) as u32,
                    email_of(person),
                    &phone_of(person)[2..]
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
                    email_of(person),
                    &phone_of(person)[2..],
                    70_000 + week,
                    when = when.format("%Y-%m-%d %H:%M:%S"),
                )?;
            }
        }
        let open_rate = if recipients > 0 {
            opened as f64 / recipients as f64 * 100.0
        } else {
            0.0
        };
        if email_week {
            writeln!(
                report,
                "\"Sim week {n}\",\"Week {n}\",\"Simulated Union\",\"{}\",{},{recipients},{recipients},0,0,0,0,0,{opened},{open_rate:.2}%,{opened},0,0.00%,0,0,0,0,0,{unique_id},0,0,0",
                send_time.format("%b %d, %Y %I:%M %P"),
                tuesday.format("%A"),
                n = week + 1
            )?;
            let opens_path = dir.join(format!("{web_id}_sim-week-{}.csv", week + 1));
            std::fs::write(&opens_path, opens)?;
            files.push(opens_path);
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
    let mut holdout = String::from("email\n");
    for (person, is_held) in held.iter().enumerate() {
        if *is_held {
            writeln!(holdout, "{}", email_of(person))?;
        }
    }
    for (name, body) in [
        ("mailchimp-campaigns.csv", report),
        ("spoke-messages.csv", texts),
        ("mobilize-participations.csv", rsvps),
        ("callpower-log-campaign-1.csv", calls),
        ("actblue-contributions.csv", donations),
        ("holdout.csv", holdout),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, body)?;
        files.push(path);
    }
    files.sort();
    Ok(files)
}
