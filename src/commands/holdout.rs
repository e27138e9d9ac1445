//! `turnout holdout`: experiments by design. `draw` assigns an audience at random before a send
//! and writes the send and holdout files; `list` and `show` say what was drawn; `power` says what
//! an experiment of a given size can detect.

use anyhow::{Result, bail};
use std::path::PathBuf;

use super::Context;
use super::flags::FormatArgs;
use crate::campaigns;
use crate::error::UsageError;
use crate::experiment::power::{minimum_detectable_effect, power};
use crate::experiment::{self, DrawRequest, Experiment};
use crate::import;
use crate::output::{Cell, Column, Report, Section};
use crate::people::Hasher;
use crate::report::funnel::find_effort;
use crate::store::settings;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum HoldoutCommand {
    /// Assign everyone in an audience file at random, before the send: a file to send to and a
    /// file to hold out, recorded for `turnout lift --experiment`
    Draw(HoldoutDrawArgs),
    /// Every experiment drawn
    List(FormatArgs),
    /// One experiment: its groups, seed, strata balance and when it was drawn
    Show {
        /// The experiment's name
        name: String,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// What an experiment can detect: the minimum detectable effect, or the power for an effect
    Power(HoldoutPowerArgs),
    /// Say which send went to an experiment's send group, once it is imported: the rules then
    /// count everyone sent it (not only its openers), and lift measures it by default
    Link {
        /// The experiment's name
        name: String,
        /// The send: its id, or the start of its label
        #[arg(long, value_name = "ID")]
        effort: String,
    },
}

#[derive(Debug, Args)]
pub struct HoldoutDrawArgs {
    /// The audience: a Mailchimp audience export, Spoke contacts, a CiviCRM or Action Network
    /// list, or any CSV with an email or phone column
    pub file: PathBuf,
    /// A name for the experiment, e.g. assembly-invite
    #[arg(long)]
    pub name: String,
    /// The share of people held out, between 0 and 1
    #[arg(long, default_value_t = 0.2)]
    pub share: f64,
    /// The same seed on the same file draws the same people (default: a random seed, printed)
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
    /// Where to write the people to send to (the input's own header and rows)
    #[arg(long, value_name = "FILE")]
    pub send: PathBuf,
    /// Where to write the people held out (never upload this one)
    #[arg(long, value_name = "FILE")]
    pub holdout: PathBuf,
    /// The campaign the experiment is for
    #[arg(long, value_name = "SLUG")]
    pub campaign: Option<String>,
    /// A column to balance within, e.g. MEMBER_RATING (prior engagement)
    #[arg(long, value_name = "COLUMN")]
    pub strata: Option<String>,
    /// Draw again under a name already used, writing over its files
    #[arg(long)]
    pub replace: bool,
    /// The action rate expected without the send, in percent, for the smallest detectable effect
    /// (default: shown at 1, 2, 5 and 10%)
    #[arg(long, value_name = "PERCENT")]
    pub base_rate: Option<String>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
pub struct HoldoutPowerArgs {
    /// Everyone in the experiment, sent and held out
    #[arg(long)]
    pub people: u64,
    /// The share held out, between 0 and 1
    #[arg(long, default_value_t = 0.2)]
    pub share: f64,
    /// The action rate without the send, in percent (2 means 2%)
    #[arg(long, value_name = "PERCENT")]
    pub base_rate: String,
    /// An effect in percentage points (1 means from 2% to 3%): gives the power to detect it
    #[arg(long, value_name = "POINTS", allow_hyphen_values = true)]
    pub effect: Option<String>,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// The base rates the draw's summary shows the smallest detectable effect at, in percent.
const BASE_RATES: [f64; 4] = [1.0, 2.0, 5.0, 10.0];

pub fn run(context: &Context, command: HoldoutCommand) -> Result<()> {
    match command {
        HoldoutCommand::Draw(args) => draw(context, args),
        HoldoutCommand::List(format) => {
            let store = context.open()?;
            let mut section = Section::new("", experiment_columns())
                .with_empty("No experiments yet. Draw one before a send: turnout holdout draw AUDIENCE.csv --name NAME --send SEND.csv --holdout HOLD.csv");
            for e in experiment::list(store.conn())? {
                section.push(experiment_cells(&e));
            }
            context.print(&Report::single("Experiments", section), format.format)
        }
        HoldoutCommand::Show { name, format } => {
            let store = context.open()?;
            let e = experiment::get(store.conn(), &name)?;
            let mut report = Report::new(format!("Experiment {}", e.name));
            report.context.push(format!(
                "Drawn {} from {} ({} rows; sha256 {}), {} held out at random with seed {}{}.",
                e.drawn_at,
                e.file_name,
                e.rows_read,
                &e.file_sha256[..12],
                percent(e.share),
                e.seed,
                e.strata
                    .as_ref()
                    .map(|s| format!(", balanced within each {s}"))
                    .unwrap_or_default()
            ));
            let mut summary = Section::new("Experiment", experiment_columns());
            summary.push(experiment_cells(&e));
            let mut strata = Section::new(
                "Strata",
                vec![
                    Column::new("stratum", "Stratum"),
                    Column::new("send", "Send"),
                    Column::new("held_out", "Held out"),
                    Column::new("held_share", "Held out %"),
                ],
            );
            for split in experiment::strata(store.conn(), e.id)? {
                let people = split.send + split.held_out;
                strata.push(vec![
                    Cell::text(if split.stratum.is_empty() {
                        "everyone"
                    } else {
                        &split.stratum
                    }),
                    Cell::Int(split.send as i64),
                    Cell::Int(split.held_out as i64),
                    Cell::Percent(split.held_out as f64 / people.max(1) as f64 * 100.0),
                ]);
            }
            report.sections.extend([summary, strata]);
            if e.unreadable > 0 {
                report.footnotes.push(format!(
                    "{} row(s) of the file had no readable email or phone and are in neither group.",
                    e.unreadable
                ));
            }
            context.print(&report, format.format)
        }
        HoldoutCommand::Power(args) => power_report(context, args),
        HoldoutCommand::Link { name, effort } => {
            let store = context.open()?;
            let conn = store.conn();
            let e = experiment::get(conn, &name)?;
            let Some(slug) = e.campaign.as_deref() else {
                bail!(
                    "experiment '{}' was drawn without a campaign, so its send cannot be looked up; draw it again with --campaign SLUG --replace",
                    e.name
                );
            };
            let campaign = campaigns::get(conn, slug)?;
            let send = find_effort(conn, &campaign, &effort)?;
            experiment::link(conn, e.id, send.id)?;
            println!(
                "Linked experiment {} to {} ({}): its {} people to send count as sent it in turnout drivers, and turnout lift {} --experiment {} measures it.",
                e.name, send.label, send.external_id, e.send, slug, e.name
            );
            Ok(())
        }
    }
}

fn draw(context: &Context, args: HoldoutDrawArgs) -> Result<()> {
    let base_rates = match args.base_rate.as_deref() {
        Some(text) => vec![percentage("--base-rate", text)?],
        None => BASE_RATES.to_vec(),
    };
    let seed = match args.seed {
        Some(seed) => seed,
        None => random_seed()?,
    };
    let mut store = context.open()?;
    let campaign = match args.campaign.as_deref() {
        Some(slug) => Some(campaigns::get(store.conn(), slug)?),
        None => None,
    };
    let hasher = Hasher::open(store.path(), store.holds_people()?)?;
    let country = settings::get(store.conn(), "default_country")?;
    let people = import::PersonColumns::load(&store)?;
    let outcome = experiment::draw_and_record(
        &mut store,
        &hasher,
        &DrawRequest {
            name: &args.name,
            file: &args.file,
            share: args.share,
            seed,
            strata: args.strata.as_deref(),
            campaign_id: campaign.as_ref().map(|c| c.id),
            send_path: &args.send,
            holdout_path: &args.holdout,
            replace: args.replace,
            country: &country,
            recognise: &|header| Ok(people.find(header)),
        },
    )?;
    let (e, list, draw) = (&outcome.experiment, &outcome.list, &outcome.draw);
    let mut report = Report::new(format!(
        "Holdout '{}' drawn from {}",
        e.name,
        args.file.display()
    ));
    report.context.push(format!(
        "{} rows read{}: {} people, known by {}.",
        e.rows_read,
        list.profile
            .as_ref()
            .map(|p| format!(" (read as {p})"))
            .unwrap_or_default(),
        draw.units.len(),
        list.describe_columns()
    ));
    report.context.push(format!(
        "{} held out at random (seed {seed}){}.",
        percent(e.share),
        e.strata
            .as_ref()
            .map(|s| format!(", balanced within each {s} ({} strata)", draw.strata.len()))
            .unwrap_or_default()
    ));
    let mut groups = Section::new(
        "Groups",
        vec![
            Column::new("group", "Group"),
            Column::new("people", "People"),
            Column::new("file", "File"),
        ],
    );
    groups.push(vec![
        Cell::text("send"),
        Cell::Int(draw.send() as i64),
        Cell::text(args.send.display().to_string()),
    ]);
    groups.push(vec![
        Cell::text("held out"),
        Cell::Int(draw.held_out() as i64),
        Cell::text(args.holdout.display().to_string()),
    ]);
    let mut detectable = Section::new(
        "Smallest detectable effect",
        vec![
            Column::new("base_rate", "If the action rate without the send is"),
            Column::new("mde_points", "Smallest effect these groups detect (points)"),
        ],
    );
    for rate in base_rates {
        let mde =
            minimum_detectable_effect(rate / 100.0, draw.send() as f64, draw.held_out() as f64);
        detectable.push(vec![
            Cell::Percent(rate),
            mde.map_or(Cell::Missing("too few people"), |m| Cell::Number(m * 100.0)),
        ]);
    }
    report.sections.extend([groups, detectable]);
    let campaign_slug = campaign.as_ref().map_or("CAMPAIGN", |c| c.slug.as_str());
    report.footnotes.push(format!(
        "Upload {} to the tool as the send's audience; never send to {}. After the send, import the tool's exports and measure it with: turnout lift {campaign_slug} --experiment {} --effort ID --outcome rsvps",
        args.send.display(),
        args.holdout.display(),
        e.name
    ));
    report.footnotes.push(
        "The smallest detectable effect is the smallest true difference these groups show as an effect 80% of the time (two-sided 5%), by the lift's own interval: about (1.96 + 0.84) x sqrt(p(1 - p)(1/sent + 1/held out)) for large groups, more for small counts.".to_string(),
    );
    if !list.unreadable.is_empty() {
        report.footnotes.push(format!(
            "{} row(s) have no readable email or phone and are in neither file (line{} {}).",
            list.unreadable.len(),
            if list.unreadable.len() == 1 { "" } else { "s" },
            lines(&list.unreadable)
        ));
    }
    if outcome.forgotten > 0 {
        report.footnotes.push(format!(
            "{} person(s) in the files asked to be forgotten: they are not recorded, so no lift counts them.",
            outcome.forgotten
        ));
    }
    if outcome.replaced {
        report
            .footnotes
            .push(format!("This replaces the earlier draw named {}.", e.name));
    }
    context.print(&report, args.format.format)
}

fn power_report(context: &Context, args: HoldoutPowerArgs) -> Result<()> {
    if !(args.share > 0.0 && args.share < 1.0) {
        return Err(UsageError(format!(
            "--share must be between 0 and 1 (0.2 holds out a fifth); found {}",
            args.share
        ))
        .into());
    }
    let held = (args.people as f64 * args.share).round();
    let sent = args.people as f64 - held;
    if held < 1.0 || sent < 1.0 {
        return Err(UsageError(format!(
            "--people {} with --share {} leaves a group empty",
            args.people, args.share
        ))
        .into());
    }
    let base = percentage("--base-rate", &args.base_rate)?;
    let mde = minimum_detectable_effect(base / 100.0, sent, held);
    let mut columns = vec![
        Column::new("people", "People"),
        Column::new("sent", "Sent"),
        Column::new("held_out", "Held out"),
        Column::new("base_rate", "Base rate"),
        Column::new("mde_points", "Smallest detectable effect (points)"),
    ];
    let mut row = vec![
        Cell::Int(args.people as i64),
        Cell::Int(sent as i64),
        Cell::Int(held as i64),
        Cell::Percent(base),
        mde.map_or(Cell::Missing("too few people"), |m| Cell::Number(m * 100.0)),
    ];
    if let Some(text) = args.effect.as_deref() {
        let effect = points("--effect", text)?;
        if !(0.0..=100.0).contains(&(base + effect)) {
            return Err(UsageError(format!(
                "--effect {text}: a base rate of {base}% moved by {effect} points is not a rate"
            ))
            .into());
        }
        columns.push(Column::new("effect_points", "Effect (points)"));
        columns.push(Column::new("power", "Power"));
        row.push(Cell::Number(effect));
        row.push(Cell::Percent(
            power(base / 100.0, effect / 100.0, sent, held) * 100.0,
        ));
    }
    let mut section = Section::new("", columns);
    section.push(row);
    let mut report = Report::single("Power of a holdout experiment", section);
    report.footnotes.push(
        "The power is the chance that a true effect of that size shows as an effect (the lift's 95% interval excludes zero), summed over every count the groups can have; the smallest detectable effect is where it reaches 80%: about (1.96 + 0.84) x sqrt(p(1 - p)(1/sent + 1/held out)) for large groups, more for small counts.".to_string(),
    );
    context.print(&report, args.format.format)
}

fn experiment_columns() -> Vec<Column> {
    vec![
        Column::new("name", "Name"),
        Column::new("campaign", "Campaign"),
        Column::new("send", "Send"),
        Column::new("held_out", "Held out"),
        Column::new("share", "Share"),
        Column::new("seed", "Seed"),
        Column::new("strata", "Strata"),
        Column::new("drawn", "Drawn"),
        Column::tools_only("drawn_at", "Drawn at"),
        Column::tools_only("file", "File"),
        Column::tools_only("sha256", "SHA-256"),
        Column::tools_only("rows_read", "Rows read"),
        Column::tools_only("unreadable", "Rows without email or phone"),
    ]
}

fn experiment_cells(e: &Experiment) -> Vec<Cell> {
    vec![
        Cell::text(&e.name),
        Cell::opt_text(e.campaign.as_deref(), "-"),
        Cell::Int(e.send as i64),
        Cell::Int(e.held_out as i64),
        Cell::Number(e.share),
        Cell::Int(e.seed as i64),
        Cell::opt_text(e.strata.as_deref(), "-"),
        Cell::text(&e.drawn_at[..10.min(e.drawn_at.len())]),
        Cell::text(&e.drawn_at),
        Cell::text(&e.file_name),
        Cell::text(&e.file_sha256),
        Cell::Int(e.rows_read as i64),
        Cell::Int(e.unreadable as i64),
    ]
}

/// A rate in percent: `2`, `2%` or `2.5`, above 0 and below 100.
fn percentage(flag: &str, text: &str) -> Result<f64> {
    let value = points(flag, text)?;
    if !(value > 0.0 && value < 100.0) {
        bail!(UsageError(format!(
            "{flag} {text}: give a rate in percent, above 0 and below 100 (2 means 2%)"
        )));
    }
    Ok(value)
}

/// Percentage points: `1`, `-0.5`, `1.5%`.
fn points(flag: &str, text: &str) -> Result<f64> {
    match text.trim().trim_end_matches('%').trim().parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => bail!(UsageError(format!(
            "{flag} {text}: give a number of percentage points, e.g. 2 or 1.5"
        ))),
    }
}

fn random_seed() -> Result<u64> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("cannot draw a random seed: {e}"))?;
    Ok(u32::from_le_bytes(bytes) as u64)
}

fn percent(share: f64) -> String {
    let text = format!("{:.1}", share * 100.0);
    format!("{}%", text.trim_end_matches(".0"))
}

/// "3, 8, 12 and 40 more".
fn lines(numbers: &[u64]) -> String {
    const SHOWN: usize = 10;
    let mut text = numbers
        .iter()
        .take(SHOWN)
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if numbers.len() > SHOWN {
        text.push_str(&format!(" and {} more", numbers.len() - SHOWN));
    }
    text
}
