//! The weekly simulation: only weekly numbers, as an organization logs them by hand, written in
//! turnout's own format (`weekly-numbers.csv`), for the weekly model (`drivers --aggregate`).
//!
//! Each week the list of `people` gets some emails (0.4 to 1.6 a person) and texts (0.1 to 0.7
//! a person), at random. RSVPs are Poisson around a baseline of 1% of the list a week plus the
//! planted effects on the activity carried over at 0.3 a week (the normalised adstock the model
//! uses: `--effect email=0.002` is 2 RSVPs per 1,000 emails). `trend`: a vote approaching, which
//! raises the baseline and every channel's activity alike from 1x to 3x over the weeks, while the
//! channels themselves do only what is planted. `together`: texts go out with the emails (a third
//! of them, give or take 5%), so the two cannot be told apart.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};

use super::{BASE_RATE, Plan, START};
use crate::attribution::regression::adstock;
use crate::dates::week_label;
use crate::stats::SplitMix;

/// The carry-over the planted effects act through.
pub const CARRY_OVER: f64 = 0.3;

/// How the weeks behave, besides the plan's effects.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape {
    pub trend: bool,
    pub together: bool,
}

pub fn write(plan: &Plan, shape: Shape, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut rng = SplitMix(
        plan.seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(7),
    );
    let weeks = plan.weeks;
    let people = plan.people as f64;
    let driver: Vec<f64> = (0..weeks)
        .map(|t| {
            if shape.trend && weeks > 1 {
                1.0 + 2.0 * (t as f64 / (weeks - 1) as f64).powi(2)
            } else {
                1.0
            }
        })
        .collect();
    let email: Vec<f64> = (0..weeks)
        .map(|t| (people * (0.4 + 1.2 * rng.next_f64()) * driver[t]).round())
        .collect();
    let sms: Vec<f64> = (0..weeks)
        .map(|t| {
            if shape.together {
                (email[t] / 3.0 * (1.0 + 0.05 * rng.normal())).round()
            } else {
                (people * (0.1 + 0.6 * rng.next_f64()) * driver[t]).round()
            }
        })
        .collect();
    let effect = |channel: &str| plan.effects.get(channel).copied().unwrap_or(0.0);
    let (carried_email, carried_sms) = (adstock(&email, CARRY_OVER), adstock(&sms, CARRY_OVER));
    let start = NaiveDate::parse_from_str(START, "%Y-%m-%d").expect("valid date");
    let mut text = String::from("date,campaign,channel,effort,metric,value,source\n");
    for t in 0..weeks {
        let week = week_label(start + Duration::weeks(t as i64));
        let mean = people * BASE_RATE * driver[t]
            + effect("email") * carried_email[t]
            + effect("sms") * carried_sms[t];
        let rsvps = rng.poisson(mean);
        writeln!(text, "{week},sim,email,,sent,{},simulated", email[t])?;
        writeln!(text, "{week},sim,sms,,sent,{},simulated", sms[t])?;
        writeln!(text, "{week},sim,,,rsvps,{rsvps},simulated")?;
    }
    let path = dir.join("weekly-numbers.csv");
    std::fs::write(&path, text)?;
    Ok(vec![path])
}
