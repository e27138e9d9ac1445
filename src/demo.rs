//! The demo database: the "Fair Rent Now" campaign of a fictional tenants' union, built from the
//! sample files in `imports/samples/` (embedded in the binary, so the demo runs anywhere).
//!
//! The story is set on Wednesday 2026-10-14, the day before the council rally: five weeks of
//! email sends and weekly field numbers are imported, and this week's numbers so far are logged by
//! hand (then corrected once), so every path of the foundation is exercised.

use std::path::Path;

use anyhow::{Result, bail};
use chrono::NaiveDate;

use crate::campaigns::{self, CampaignFields};
use crate::dates::parse_date;
use crate::goals::{self, GoalRequest};
use crate::import::{self, ImportOptions, ImportReport, ImportSource, Silent};
use crate::store::{self, Store, settings};
use crate::weekly_log::{self, LogRequest};

pub const DEFAULT_PATH: &str = "turnout-demo.db";
pub const DEMO_TODAY: &str = "2026-10-14";
pub const CAMPAIGN: &str = "fair-rent-now";

/// The sample files, in the order they are imported.
pub const SAMPLES: &[(&str, &[u8])] = &[
    (
        "imports/samples/fair-rent-now-email.csv",
        include_bytes!("../imports/samples/fair-rent-now-email.csv"),
    ),
    (
        "imports/samples/fair-rent-now-field-weekly.csv",
        include_bytes!("../imports/samples/fair-rent-now-field-weekly.csv"),
    ),
];

/// One step of building the demo, for the front end to show.
pub enum Step<'a> {
    Created,
    Campaign(&'a str),
    Goal(&'a goals::Goal),
    Imported(&'a ImportReport),
    Logged(&'a weekly_log::LogOutcome),
}

/// Builds the demo database at `path`, replacing an earlier demo database there. Anything else at
/// `path` is left alone and refused: the demo must never delete someone's real data.
pub fn build(path: &Path, today: NaiveDate, on_step: &mut dyn FnMut(Step)) -> Result<Store> {
    if path.exists() {
        if !store::is_demo_database(path) {
            bail!(
                "{} already exists and is not a demo database, so the demo will not replace it. \
                 Choose another file with --db, e.g. turnout demo --db {DEFAULT_PATH}",
                path.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{}{suffix}", path.display());
            if Path::new(&file).exists() {
                std::fs::remove_file(&file)?;
            }
        }
    }
    let mut store = Store::open(path)?;
    store::mark_as_demo(store.conn())?;
    settings::set(store.conn(), settings::TIMEZONE, "America/Los_Angeles")?;
    on_step(Step::Created);

    campaigns::add(
        store.conn(),
        CAMPAIGN,
        CampaignFields {
            name: Some("Fair Rent Now".to_string()),
            team: Some("Eastside Tenants Union".to_string()),
            start: Some(parse_date("2026-09-07")?),
            end: Some(parse_date("2026-11-01")?),
            add_codes: vec![
                "fair-rent-*".to_string(),
                "em_*".to_string(),
                "sms_*".to_string(),
                "fb_*".to_string(),
            ],
            remove_codes: Vec::new(),
        },
    )?;
    on_step(Step::Campaign(CAMPAIGN));

    for (metric, target, by) in [
        ("calls", 1500.0, "2026-10-30"),
        ("rsvps", 300.0, "2026-10-15"),
        ("attended", 300.0, "2026-11-01"),
        ("signups", 250.0, "2026-11-01"),
    ] {
        let (goal, _) = goals::set(
            store.conn(),
            GoalRequest {
                campaign: CAMPAIGN,
                metric,
                target,
                by: parse_date(by)?,
                from: None,
            },
            today,
        )?;
        on_step(Step::Goal(&goal));
    }

    let options = ImportOptions {
        profile: None,
        campaign: None,
        dry_run: false,
        strict: false,
        tz: None,
        date: None,
        today,
        verbose: false,
    };
    for (name, bytes) in SAMPLES {
        let report = import::import(
            &mut store,
            ImportSource::from_bytes(name, bytes),
            &options,
            &mut Silent,
        )?;
        on_step(Step::Imported(&report));
    }

    // This week so far, typed in by a field organizer from sign-in sheets; then a correction,
    // because one phone bank's tally came in late. The correction replaces, never adds.
    let this_week = parse_date("2026-10-12")?;
    for assignments in [
        vec!["calls=290", "rsvps=48", "signups=12"],
        vec!["calls=310"],
    ] {
        let outcome = weekly_log::log(
            store.conn(),
            LogRequest {
                campaign: CAMPAIGN.to_string(),
                week: this_week,
                channel: None,
                assignments: assignments.iter().map(|a| a.to_string()).collect(),
                note: Some("from the sign-in sheets".to_string()),
            },
            today.max(this_week),
        )?;
        on_step(Step::Logged(&outcome));
    }
    Ok(store)
}
