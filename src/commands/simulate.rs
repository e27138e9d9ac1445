//! `turnout simulate`: a synthetic organisation as real-format exports, with planted effects.

use anyhow::Result;

use super::Context;
use crate::cli::SimulateArgs;
use crate::error::UsageError;
use crate::simulate::{self, Plan};

pub fn run(context: &Context, args: SimulateArgs) -> Result<()> {
    let mut effects = std::collections::BTreeMap::new();
    for text in &args.effects {
        let (channel, size) =
            simulate::parse_effect(text).map_err(|e| UsageError(format!("--effect: {e:#}")))?;
        effects.insert(channel, size);
    }
    let plan = Plan {
        people: args.people,
        weeks: args.weeks,
        seed: args.seed,
        effects,
    };
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
    context.note(&format!(
        "Planted: base {} RSVP chance a week{}. Import them with: turnout import {}/*.csv (holdout.csv is for turnout lift --holdout)",
        simulate::BASE_RATE,
        plan.effects
            .iter()
            .map(|(c, v)| format!(", +{v} for people reached by {c} that week"))
            .collect::<String>(),
        args.out.display()
    ));
    Ok(())
}
