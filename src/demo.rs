//! The demo database: the "Fair Rent Now" campaign of a fictional tenants' union in Oakland,
//! built from the sample exports in `imports/samples/` (embedded in the binary, so the demo runs
//! anywhere): Mailchimp, Mobilize, ActBlue, Action Network, Spoke, X, Facebook, GA4 and CallPower
//! files as those tools write them, plus weekly field numbers in turnout's own format.
//!
//! The story is set on Monday 2026-11-02, the day the exports were taken: the council vote has
//! happened, and the campaign now builds toward its November assembly. One week is also logged by
//! hand (then corrected once), so every path of the import and the log is exercised. The comms
//! team's publishing plan (`fair-rent-now-plan.csv`) sits beside what went out: most items sent
//! as planned, one missed (Sep 23), one send never planned (Sep 29), and members asked four times
//! in four days around the town hall.

use std::path::Path;

use anyhow::{Result, bail};
use chrono::NaiveDate;

use crate::campaigns::{self, CampaignFields};
use crate::dates::parse_date;
use crate::experiment::{self, Recording, audience, draw};
use crate::goals::{self, GoalRequest};
use crate::import::{self, ImportOptions, ImportReport, ImportSource, Silent};
use crate::people::Hasher;
use crate::store::{self, Store, settings};
use crate::weekly_log::{self, LogRequest};

pub const DEFAULT_PATH: &str = "turnout-demo.db";
pub const DEMO_TODAY: &str = "2026-11-02";
pub const CAMPAIGN: &str = "fair-rent-now";

/// One bundled sample and how the demo imports it.
pub struct Sample {
    pub name: &'static str,
    pub bytes: &'static [u8],
    /// `--campaign`, for exports whose rows carry no code (a post, a send report).
    pub campaign: bool,
    /// `--date`, for snapshot exports without dates of their own.
    pub date: Option<&'static str>,
}

macro_rules! sample {
    ($file:literal, $campaign:expr, $date:expr) => {
        Sample {
            name: concat!("imports/samples/", $file),
            bytes: include_bytes!(concat!("../imports/samples/", $file)),
            campaign: $campaign,
            date: $date,
        }
    };
}

/// Every sample, in an order a real team might import them (any order gives the same result).
pub const SAMPLES: &[Sample] = &[
    sample!("mailchimp-campaign-reports.csv", true, None),
    sample!("assembly-invite/mailchimp-campaign-report.csv", true, None),
    // Opens before clicks: the opens files are named by web id, and each clicks file, whose
    // links carry the send's Unique Id, folds its send's opens into the report's effort.
    sample!(
        "mailchimp-account-export/granular_activity/opens/7412204_fair-rent-now-4.csv",
        true,
        None
    ),
    sample!(
        "mailchimp-account-export/granular_activity/opens/7412205_fair-rent-now-5.csv",
        true,
        None
    ),
    sample!(
        "mailchimp-account-export/granular_activity/opens/7412206_fair-rent-now-6.csv",
        true,
        None
    ),
    sample!(
        "mailchimp-account-export/granular_activity/clicks/7412204_fair-rent-now-4.csv",
        false,
        None
    ),
    sample!(
        "mailchimp-account-export/granular_activity/clicks/7412205_fair-rent-now-5.csv",
        false,
        None
    ),
    sample!(
        "mailchimp-account-export/granular_activity/clicks/7412206_fair-rent-now-6.csv",
        false,
        None
    ),
    sample!("mobilize-timeslots-sql-mirror.csv", false, None),
    sample!("mobilize-participations-sql-mirror.csv", false, None),
    sample!(
        "assembly-invite/mobilize-participations-assembly.csv",
        true,
        None
    ),
    sample!("actblue-contributions.csv", false, None),
    sample!("actionnetwork-report-download.csv", false, None),
    sample!("spoke-campaign-contacts-export.csv", false, None),
    sample!("spoke-campaign-messages-export.csv", false, None),
    sample!("x-tweet-activity-metrics.csv", true, None),
    sample!("meta-facebook-page-posts.csv", true, None),
    sample!("ga4-traffic-acquisition-session-campaign.csv", false, None),
    // Two downloads of CallPower's statistics a week apart: snapshots, so the week between them
    // gets the calls made in it.
    sample!("callpower-export-2026-10-25.csv", true, Some("2026-10-25")),
    sample!("callpower-export.csv", true, Some("2026-11-01")),
    sample!("fair-rent-now-field-weekly.csv", false, None),
    sample!("fair-rent-now-plan.csv", false, None),
];

/// The demo's randomised experiment: the invitation to the November 12 assembly, sent on
/// Wednesday October 14 to the members of the buildings with a tenant committee, after a fifth of
/// them were held out at random the day before (`imports/samples/assembly-invite/`).
pub const EXPERIMENT: &str = "assembly-invite";
/// The send, as Mailchimp's campaigns report names it.
pub const EXPERIMENT_EFFORT: &str = "9a4e1c7b52";
pub const EXPERIMENT_SEED: u64 = 1012;
pub const EXPERIMENT_SHARE: f64 = 0.2;
pub const EXPERIMENT_STRATA: &str = "MEMBER_RATING";
const EXPERIMENT_DRAWN_AT: &str = "2026-10-13T17:00:00Z";
const EXPERIMENT_AUDIENCE: (&str, &[u8]) = (
    "imports/samples/assembly-invite/members_export.csv",
    include_bytes!("../imports/samples/assembly-invite/members_export.csv"),
);

/// One step of building the demo, for the front end to show.
pub enum Step<'a> {
    Created,
    Campaign(&'a str),
    Goal(&'a goals::Goal),
    Drew(&'a experiment::Experiment),
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
            end: Some(parse_date("2026-11-15")?),
            // UTM campaigns, ActBlue refcodes and GA4 session campaigns the team used. Mailchimp
            // writes utm_campaign as "<campaign id>-FAIR_RENT...". Two codes are left unclaimed on
            // purpose, to show `turnout codes --unmatched`.
            add_codes: [
                "fair-rent-*",
                "*-fair_rent*",
                "em_*",
                "sms_*",
                "fb_*",
                "rally-1015",
                "council-vote-1015",
                "call-your-councilmember",
                "canvass-recruit",
            ]
            .map(String::from)
            .to_vec(),
            remove_codes: Vec::new(),
        },
    )?;
    on_step(Step::Campaign(CAMPAIGN));

    for (metric, target, by) in [
        ("calls", 1500.0, "2026-11-01"),
        ("rsvps", 40.0, "2026-11-15"),
        ("attended", 30.0, "2026-11-15"),
        ("signups", 400.0, "2026-11-15"),
        ("donations", 30.0, "2026-11-15"),
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

    // The experiment is drawn before its send, as an organizer would.
    let experiment = draw_experiment(&mut store)?;
    on_step(Step::Drew(&experiment));

    for sample in SAMPLES {
        let options = ImportOptions {
            campaign: sample.campaign.then(|| CAMPAIGN.to_string()),
            time: crate::import::shape::TimeFlags {
                date: sample.date.map(parse_date).transpose()?,
                ..Default::default()
            },
            ..ImportOptions::new(today)
        };
        let source = ImportSource::from_bytes(sample.name, sample.bytes);
        let report = import::import(&mut store, source, &options, &mut Silent)?;
        on_step(Step::Imported(&report));
    }

    // Last week's canvass, typed in by a field organizer from the sign-in sheets; then a
    // correction, because one team's sheet came in late. The correction replaces, never adds.
    let this_week = parse_date("2026-10-26")?;
    for assignments in [vec!["doors=640", "signups=31"], vec!["doors=715"]] {
        let outcome = weekly_log::log(
            store.conn(),
            LogRequest {
                campaign: CAMPAIGN.to_string(),
                week: this_week,
                channel: None,
                assignments: assignments.iter().map(|a| a.to_string()).collect(),
                note: Some("from the sign-in sheets".to_string()),
                includes_imports: false,
            },
            today.max(this_week),
        )?;
        on_step(Step::Logged(&outcome));
    }
    // The assembly invite went to the experiment's send group: linked, its 801 count as sent.
    let send = crate::efforts::find(
        store.conn(),
        settings::timezone(store.conn())?,
        &campaigns::get(store.conn(), CAMPAIGN)?,
        EXPERIMENT_EFFORT,
    )?;
    experiment::link(store.conn(), experiment.id, send.id)?;
    // The plan speaks of "members"; Mailchimp calls the same list "Eastside Tenants Union".
    crate::calendar::map_audience(store.conn(), "Eastside Tenants Union", "members")?;
    Ok(store)
}

/// Draws the assembly invite's holdout from the bundled audience, as `turnout holdout draw` does
/// with the same seed (the files beside the audience are that draw's output).
fn draw_experiment(store: &mut Store) -> Result<experiment::Experiment> {
    let (name, bytes) = EXPERIMENT_AUDIENCE;
    let list = audience::parse_with_names(
        name.to_string(),
        bytes.to_vec(),
        Some(EXPERIMENT_STRATA),
        "US",
    )?;
    let drawn = draw::draw(&list, EXPERIMENT_SHARE, EXPERIMENT_SEED)?;
    let hasher = Hasher::open(store.path(), false)?;
    let campaign = campaigns::get(store.conn(), CAMPAIGN)?;
    experiment::record(
        store,
        &hasher,
        &Recording {
            name: EXPERIMENT,
            campaign_id: Some(campaign.id),
            share: EXPERIMENT_SHARE,
            seed: EXPERIMENT_SEED,
            strata: Some(EXPERIMENT_STRATA),
            file_name: "members_export.csv".to_string(),
            drawn_at: EXPERIMENT_DRAWN_AT.to_string(),
        },
        &list,
        &drawn,
        false,
    )?;
    experiment::get(store.conn(), EXPERIMENT)
}
