//! `turnout lift`: an effort's real effect, from people held out of it at random: everyone
//! assigned to be sent against everyone held out (intention to treat), with what the groups could
//! detect, the effect on those reached where reach is known, and the sample-ratio check.

use anyhow::Result;
use std::path::PathBuf;

use super::Context;
use super::flags::FormatArgs;
use crate::attribution;
use crate::attribution::design::{self, Design, LiftRequest};
use crate::campaigns;
use crate::error::UsageError;
use crate::import;
use crate::metrics::Vocabulary;
use crate::people::Hasher;
use crate::report::funnel::find_effort;
use crate::report::lift::{LiftContext, end_of_day, report};
use crate::store::settings;
use clap::Args;

#[derive(Debug, Args)]
pub struct LiftArgs {
    /// The campaign whose results are counted (its slug)
    pub campaign: String,
    /// The experiment drawn with `turnout holdout draw`: everyone it assigned is compared
    #[arg(long, value_name = "NAME", conflicts_with_all = ["holdout", "sent"])]
    pub experiment: Option<String>,
    /// The effort sent to everyone but the holdout (needed with --holdout; with --experiment it
    /// starts the window at its send and gives its reach)
    #[arg(long, value_name = "ID", required_unless_present = "experiment")]
    pub effort: Option<String>,
    /// The people deliberately not sent it: a CSV with an email or phone column
    #[arg(long, value_name = "FILE", required_unless_present = "experiment")]
    pub holdout: Option<PathBuf>,
    /// With --holdout: the list the effort was sent to (e.g. the file uploaded to the tool)
    #[arg(long, value_name = "FILE", requires = "holdout")]
    pub sent: Option<PathBuf>,
    /// The result to compare (default: any result that is an action: no cancellations or no-shows)
    #[arg(long, value_name = "METRIC", value_parser = super::flags::metric)]
    pub outcome: Option<String>,
    /// With --experiment and no --effort: the day the window starts (default: the draw)
    #[arg(long, value_name = "DATE", conflicts_with = "effort", value_parser = super::flags::day)]
    pub from: Option<chrono::NaiveDate>,
    /// How long after the send an action counts
    #[arg(long, default_value = "14d", value_name = "DURATION", value_parser = super::flags::duration)]
    pub window: String,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, args: LiftArgs) -> Result<()> {
    // Read by its value parser: reading it again cannot fail.
    let window = attribution::parse_duration(&args.window)?;
    let from = args.from;
    let store = context.open()?;
    let conn = store.conn();
    let campaign = campaigns::get(conn, &args.campaign)?;
    // With an experiment linked to its send, that send is the default effort.
    let linked = match args.experiment.as_deref() {
        Some(name) if args.effort.is_none() && args.from.is_none() => {
            crate::experiment::get(conn, name)?.effort_id
        }
        _ => None,
    };
    let effort = match (args.effort.as_deref(), linked) {
        (Some(id), _) => Some(find_effort(conn, &campaign, id)?),
        (None, Some(id)) => Some(crate::report::funnel::effort_by_id(conn, id)?),
        (None, None) => None,
    };
    let vocabulary = Vocabulary::load(conn)?;
    let (metrics, named) = match args.outcome.as_deref() {
        Some(name) => (vec![vocabulary.resolve(name)?.name.clone()], true),
        None => (
            vocabulary
                .acting_results()
                .into_iter()
                .map(String::from)
                .collect(),
            false,
        ),
    };
    if !store.holds_people()? {
        anyhow::bail!(
            "this database holds no people yet; import the per-person exports of the results (e.g. Mobilize participations) first"
        );
    }
    let hasher = Hasher::open(store.path(), true)?;
    let country = settings::get(conn, "default_country")?;
    let tz = settings::timezone(conn)?;
    let people = import::PersonColumns::load(&store)?;
    let design = match (&args.experiment, &args.holdout) {
        (Some(name), _) => Design::Experiment(name),
        (None, Some(holdout)) => Design::HoldoutFile {
            holdout,
            sent: args.sent.as_deref(),
        },
        (None, None) => {
            return Err(UsageError("give --experiment NAME, or --holdout FILE".into()).into());
        }
    };
    let lift = design::measure(
        conn,
        &LiftRequest {
            campaign_id: campaign.id,
            design,
            effort_id: effort.as_ref().map(|e| e.id),
            metrics,
            from,
            window,
            hasher: &hasher,
            country: &country,
            recognise: &|header| Ok(people.find(header)),
            tz,
        },
    )?;
    let outcome = if named {
        args.outcome
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_string()
    } else {
        "actions".to_string()
    };
    let subject = match (&effort, &lift.experiment) {
        (Some(effort), _) => effort.external_id.clone(),
        (None, Some(experiment)) => format!("experiment {}", experiment.name),
        (None, None) => "the effort".to_string(),
    };
    let today = context.today(&store)?;
    let report = report(
        &lift,
        &LiftContext {
            campaign: (&campaign.name, &campaign.slug),
            subject: &subject,
            label: effort.as_ref().map(|e| e.label.as_str()),
            outcome: &outcome,
            named_outcome: named,
            window: &args.window,
            tz,
            end_of_today: end_of_day(today, tz),
        },
    );
    context.print(&report, args.format.format)
}
