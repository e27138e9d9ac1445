//! The command line: `Cli` and the `Command` list, the single list of what turnout can do, each
//! command handed to its front end in `commands/`. Each command's flags live beside its `run`
//! (`commands/report.rs` holds `ReportArgs`); flags many share are in `commands/flags.rs`. Doc
//! comments are the help text.

use std::path::PathBuf;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub mod help;

use crate::commands::audience::{self, AudienceCommand};
use crate::commands::brief::{self, BriefArgs};
use crate::commands::calendar::{self, CalendarCommand};
use crate::commands::campaign::{self, CampaignCommand};
use crate::commands::check::{self, CheckArgs};
use crate::commands::codes::{self, CodesArgs};
use crate::commands::config::{self, ConfigCommand};
use crate::commands::cost::{self, CostCommand};
use crate::commands::definitions::{self, DefinitionsArgs};
use crate::commands::digest::{self, DigestArgs};
use crate::commands::drivers::{self, DriversArgs};
use crate::commands::flags::FormatArgs;
use crate::commands::funnel::{self, FunnelArgs};
use crate::commands::goal::{self, GoalCommand};
use crate::commands::holdout::{self, HoldoutCommand};
use crate::commands::import::{self, ImportArgs};
use crate::commands::imports::{self, ImportsArgs};
use crate::commands::key::{self, KeyCommand};
use crate::commands::lift::{self, LiftArgs};
use crate::commands::log::{self, LogArgs};
use crate::commands::metric::{self, MetricCommand};
use crate::commands::profiles::{self, ProfilesCommand};
use crate::commands::report::{self, ReportArgs};
use crate::commands::simulate::{self, SimulateArgs};
use crate::commands::totals::{self, TotalsArgs};
use crate::commands::{Context, demo, export, init};

#[derive(Debug, Parser)]
#[command(
    name = "turnout",
    version,
    about = "Link digital outreach to offline action: import campaign numbers, track goals, report results.",
    after_help = "The database is --db PATH, else $TURNOUT_DB, else ./turnout.db (created by init or the first\n\
                  command that writes).\n\
                  Exit codes: 0 ok, 1 runtime or input error, 2 usage error."
)]
pub struct Cli {
    /// The database file (default: $TURNOUT_DB, else ./turnout.db)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Stand-in for today's date (YYYY-MM-DD): "to date", pace and default weeks are computed as of it
    #[arg(long, global = true, value_name = "DATE", value_parser = crate::commands::flags::day)]
    pub today: Option<chrono::NaiveDate>,

    /// Hide progress bars and notes
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (any command that writes creates it too; one that only reads never does)
    Init,
    /// Organization-wide settings: timezone, default_country
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Set up and look at campaigns
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Measurable goals: "800 calls by Oct 30"
    #[command(subcommand)]
    Goal(GoalCommand),
    /// Log a week's numbers by hand (logging a week again corrects it)
    Log(LogArgs),
    /// Import CSV files (every row is accounted for; re-importing never double-counts)
    Import(ImportArgs),
    /// The import ledger: what was imported when, and every row that was rejected or skipped
    Imports(ImportsArgs),
    /// Import profiles: the tools' exports turnout can read, and checking your own
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// Source codes, UTM campaigns and refcodes seen in imports, and the campaign each links to
    Codes(CodesArgs),
    /// Summed numbers per campaign and metric, optionally by week, month, channel, effort or source
    Totals(TotalsArgs),
    /// The metric vocabulary: results (field) and milestones (comms)
    #[command(subcommand)]
    Metric(MetricCommand),
    /// A campaign on one page: results and goals first, milestones by channel, rates, costs
    Report(ReportArgs),
    /// Sent, delivered, opened, clicked, acted, attended: each step's count and rate
    Funnel(FunnelArgs),
    /// What every metric and rate means, how it is counted, and which export columns feed it
    Definitions(DefinitionsArgs),
    /// Data-quality warnings to fix before a meeting (exit 0; --strict exits 1 if any)
    Check(CheckArgs),
    /// What campaigns spend, in money or staff time, for cost per result
    #[command(subcommand)]
    Cost(CostCommand),
    /// The organization's week: results vs last week, goal verdicts, the week's efforts, warnings
    Digest(DigestArgs),
    /// Which digital efforts drove an offline result: direct codes and attribution models side by side
    Drivers(DriversArgs),
    /// Randomised experiments: draw a holdout before a send, see what it can detect
    #[command(subcommand)]
    Holdout(HoldoutCommand),
    /// An effort's real effect: everyone assigned to be sent against everyone held out
    Lift(LiftArgs),
    /// Write a synthetic organisation as real-format exports, with effects planted in them
    Simulate(SimulateArgs),
    /// Everything in open formats: every table as CSV and JSON, the schema, a manifest and a README
    Export {
        /// A new or empty folder
        dir: PathBuf,
        /// Include the hash key (keep it apart from the data)
        #[arg(long)]
        with_key: bool,
    },
    /// Rebuild a database from an export (into --db, which must not exist yet)
    Restore {
        /// The export folder
        dir: PathBuf,
    },
    /// Remove a person's touches, actions and hashes everywhere, and keep them out of later imports
    Forget {
        /// Their email address or phone number
        identifier: String,
        /// Do it (without --yes, only say what would be removed)
        #[arg(long)]
        yes: bool,
    },
    /// The hash key that turns emails and phones into hashes
    #[command(subcommand)]
    Key(KeyCommand),
    /// The one page for a joint meeting: results, drivers, milestones, calendar, warnings (also as HTML)
    Brief(BriefArgs),
    /// The publishing calendar: what goes out when, on which channel, to which audience
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// The organization's audience names, and the names tools export for them
    #[command(subcommand)]
    Audience(AudienceCommand),
    /// Build a demo database (default ./turnout-demo.db, replaced each run) from the bundled sample data and show its progress
    Demo(FormatArgs),
    /// Print the shell's completion script for turnout's commands and flags
    Completions {
        /// The shell: bash, zsh, fish, powershell or elvish
        shell: clap_complete::Shell,
    },
    /// Print turnout's manual page (roff), for man
    Man,
}

/// Runs the command the line asked for, with what every command shares.
pub fn run(cli: Cli) -> Result<()> {
    let context = Context {
        db_flag: cli.db,
        today_flag: cli.today,
        quiet: cli.quiet,
        may_create: creates_database(&cli.command),
    };
    match cli.command {
        Command::Init => init::run(&context),
        Command::Config(command) => config::run(&context, command),
        Command::Campaign(command) => campaign::run(&context, command),
        Command::Goal(command) => goal::run(&context, command),
        Command::Log(args) => log::run(&context, args),
        Command::Import(args) => import::run(&context, args),
        Command::Imports(args) => imports::run(&context, args),
        Command::Profiles(command) => profiles::run(&context, command),
        Command::Codes(args) => codes::run(&context, args),
        Command::Totals(args) => totals::run(&context, args),
        Command::Metric(command) => metric::run(&context, command),
        Command::Report(args) => report::run(&context, args),
        Command::Funnel(args) => funnel::run(&context, args),
        Command::Definitions(args) => definitions::run(&context, args),
        Command::Check(args) => check::run(&context, args),
        Command::Cost(command) => cost::run(&context, command),
        Command::Digest(args) => digest::run(&context, args),
        Command::Drivers(args) => drivers::run(&context, args),
        Command::Holdout(command) => holdout::run(&context, command),
        Command::Lift(args) => lift::run(&context, args),
        Command::Simulate(args) => simulate::run(&context, args),
        Command::Brief(args) => brief::run(&context, args),
        Command::Export { dir, with_key } => export::export(&context, &dir, with_key),
        Command::Restore { dir } => export::restore(&context, &dir),
        Command::Forget { identifier, yes } => export::forget(&context, &identifier, yes),
        Command::Key(command) => key::run(&context, command),
        Command::Calendar(command) => calendar::run(&context, command),
        Command::Audience(command) => audience::run(&context, command),
        Command::Demo(format) => demo::run(&context, format.format),
        Command::Completions { shell } => {
            let mut command = help::teach(Cli::command());
            clap_complete::generate(shell, &mut command, "turnout", &mut std::io::stdout());
            Ok(())
        }
        Command::Man => {
            clap_mangen::Man::new(help::teach(Cli::command())).render(&mut std::io::stdout())?;
            Ok(())
        }
    }
}

/// Whether a command writes, and so may create the database where there is none: setting up,
/// importing, logging, adding. The rest only read, and refuse a missing database.
fn creates_database(command: &Command) -> bool {
    match command {
        Command::Init | Command::Demo(_) | Command::Restore { .. } => true,
        Command::Import(args) => !args.dry_run,
        Command::Log(args) => !args.history,
        Command::Config(command) => matches!(command, ConfigCommand::Set { .. }),
        Command::Campaign(command) => matches!(command, CampaignCommand::Add { .. }),
        Command::Goal(command) => matches!(command, GoalCommand::Set { .. }),
        Command::Metric(command) => matches!(command, MetricCommand::Add { .. }),
        Command::Cost(command) => matches!(command, CostCommand::Add { .. }),
        Command::Holdout(command) => matches!(command, HoldoutCommand::Draw(_)),
        Command::Audience(command) => matches!(command, AudienceCommand::Map { .. }),
        Command::Calendar(command) => {
            matches!(
                command,
                CalendarCommand::Add { .. } | CalendarCommand::Import(_)
            )
        }
        _ => false,
    }
}

/// The command line as typed, parsed; a usage error exits 2 with clap's message, and a
/// mistyped command with the nearest one first (`reprot` is `report`: clap would offer
/// `restore` first).
pub fn parse() -> Cli {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let parsed = help::teach(Cli::command())
        .try_get_matches_from(std::env::args_os())
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let err = match parsed {
        Ok(cli) => return cli,
        Err(err) => err,
    };
    if err.kind() == ErrorKind::InvalidSubcommand
        && let Some(ContextValue::String(typed)) = err.get(ContextKind::InvalidSubcommand)
        && let Some((path, nearest)) = nearest_command(typed, std::env::args().skip(1))
    {
        eprintln!(
            "error: unrecognized command '{typed}'\n\n  tip: did you mean '{nearest}'? (turnout {path}--help lists them all)"
        );
        std::process::exit(2);
    }
    err.exit()
}

/// The command nearest to `typed` among those where it was typed (`turnout campaign ad`:
/// among campaign's), by edit distance with swapped letters as one edit; and the commands
/// before it.
fn nearest_command(typed: &str, args: impl Iterator<Item = String>) -> Option<(String, String)> {
    use clap::CommandFactory;
    let mut level = Cli::command();
    let mut path = String::new();
    for arg in args {
        if arg == typed {
            break;
        }
        if let Some(sub) = level.find_subcommand(&arg).cloned() {
            path.push_str(&arg);
            path.push(' ');
            level = sub;
        }
    }
    let nearest = level
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|name| name != "help")
        .min_by_key(|name| {
            (
                strsim::osa_distance(typed, name),
                name.len().abs_diff(typed.len()),
            )
        })?;
    (strsim::osa_distance(typed, &nearest) <= typed.len().div_ceil(2)).then_some((path, nearest))
}
