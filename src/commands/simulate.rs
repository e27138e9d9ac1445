//! `turnout simulate`: a synthetic organisation as real-format exports, with planted effects, and
//! the commands that explore it, as they work.

use anyhow::Result;

use super::Context;
use crate::error::UsageError;
use crate::simulate::{self, EXPERIMENT, FIRST_WEB_ID, LISTS, Plan, STRATA, weekly};
use clap::Args;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The folder to write the files into (created if needed)
    #[arg(long, value_name = "DIR")]
    pub out: std::path::PathBuf,
    /// How many people
    #[arg(long, default_value_t = 2000)]
    pub people: usize,
    /// How many weeks, from Monday 2026-09-07
    #[arg(long, default_value_t = 8)]
    pub weeks: usize,
    /// The same seed writes the same files
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A planted effect, e.g. email=0.02: people emailed that week RSVP 2 points more often (repeatable)
    #[arg(long = "effect", value_name = "CHANNEL=SIZE", value_parser = super::flags::effect)]
    pub effects: Vec<(String, f64)>,
    /// Run a drawn experiment: hold out of every email the people `turnout holdout draw` holds
    /// out of lists/audience.csv with the same seed, at this share (default 0.2)
    #[arg(long, value_name = "SHARE", num_args = 0..=1, default_missing_value = "0.2")]
    pub experiment: Option<f64>,
    /// Weekly numbers only (weekly-numbers.csv, turnout's own format), for drivers --aggregate:
    /// the effects are RSVPs per email or text sent (email=0.002: 2 per 1,000)
    #[arg(long, conflicts_with = "experiment")]
    pub weekly: bool,
    /// With --weekly: a vote approaching raises the baseline and every channel's activity alike
    #[arg(long, requires = "weekly")]
    pub trend: bool,
    /// With --weekly: texts go out with the emails, so the two move together
    #[arg(long, requires = "weekly")]
    pub together: bool,
}

pub fn run(context: &Context, args: SimulateArgs) -> Result<()> {
    let effects: std::collections::BTreeMap<String, f64> = args.effects.iter().cloned().collect();
    if let Some(share) = args.experiment
        && !(share > 0.0 && share < 1.0)
    {
        return Err(UsageError(format!(
            "--experiment: the share held out must be between 0 and 1, e.g. 0.2; found {share}"
        ))
        .into());
    }
    let plan = Plan {
        people: args.people,
        weeks: args.weeks,
        seed: args.seed,
        effects,
        experiment_share: args.experiment,
    };
    if args.weekly {
        return weekly(context, &plan, &args);
    }
    let files = simulate::write(&plan, &args.out)?;
    println!(
        "Wrote {} files for {} people over {} weeks (seed {}) to {}:",
        files.len(),
        plan.people,
        plan.weeks,
        plan.seed,
        args.out.display()
    );
    for file in &files {
        println!("  {}", file.display());
    }
    let dir = args.out.display();
    let lists = format!("{dir}/{LISTS}");
    context.note(&format!(
        "Planted: base {} RSVP chance a week for a member of average engagement (engaged members open and act more){}.",
        simulate::BASE_RATE,
        plan.effects
            .iter()
            .map(|(c, v)| format!(", +{v} for people reached by {c} that week"))
            .collect::<String>(),
    ));
    let mut steps = vec!["turnout campaign add sim --name Simulated --code sim".to_string()];
    let lift = match plan.experiment_share {
        Some(share) => {
            steps.push(format!(
                "turnout holdout draw {lists}/audience.csv --name {EXPERIMENT} --share {share} --seed {} --strata {STRATA} --campaign sim --send {lists}/send.csv --holdout {lists}/hold.csv",
                plan.seed
            ));
            format!(
                "turnout lift sim --experiment {EXPERIMENT} --effort {FIRST_WEB_ID} --outcome rsvps --window 7d"
            )
        }
        None => format!(
            "turnout lift sim --effort {FIRST_WEB_ID} --holdout {lists}/holdout.csv --sent {lists}/sent-{FIRST_WEB_ID}.csv --outcome rsvps --window 7d"
        ),
    };
    steps.push(format!("turnout import --campaign sim {dir}/*.csv"));
    steps.push("turnout drivers sim --outcome rsvps".to_string());
    steps.push(lift);
    context.note(&format!(
        "Explore them (the files in {lists}/ are lists for lift, not exports to import):\n  {}",
        steps.join("\n  ")
    ));
    Ok(())
}

/// `--weekly`: weekly numbers only, and the commands for the weekly model.
fn weekly(context: &Context, plan: &Plan, args: &SimulateArgs) -> Result<()> {
    let shape = weekly::Shape {
        trend: args.trend,
        together: args.together,
    };
    let files = weekly::write(plan, shape, &args.out)?;
    println!(
        "Wrote weekly numbers for a list of {} over {} weeks (seed {}) to {}",
        plan.people,
        plan.weeks,
        plan.seed,
        files[0].display()
    );
    context.note(&format!(
        "Planted: a baseline of {} RSVPs a week{}{}, and RSVPs per email or text sent, carried over at {} a week:{}. Explore them:\n  \
         turnout campaign add sim --name Simulated\n  turnout import {}\n  turnout drivers sim --aggregate --outcome rsvps",
        plan.people as f64 * simulate::BASE_RATE,
        if args.trend { ", rising with a common driver to 3x" } else { "" },
        if args.together { "; texts go out with the emails" } else { "" },
        weekly::CARRY_OVER,
        if plan.effects.is_empty() {
            " none".to_string()
        } else {
            plan.effects
                .iter()
                .map(|(c, v)| format!(" {c} {v}"))
                .collect::<String>()
        },
        files[0].display()
    ));
    Ok(())
}
