//! Front ends: one file per subcommand. Each turns parsed arguments into a domain call and renders
//! the result; this is the only layer that prints.

mod audience;
mod brief;
mod calendar;
mod campaign;
mod check;
mod codes;
mod config;
mod cost;
mod definitions;
mod demo;
mod digest;
mod drivers;
mod export;
mod funnel;
mod goal;
mod holdout;
mod import;
mod imports;
mod init;
mod key;
mod lift;
mod log;
mod metric;
mod profiles;
mod report;
mod simulate;
mod totals;

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;

use crate::cli::{Cli, Command};
use crate::dates::{self, parse_date};
use crate::error::UsageError;
use crate::output::{self, Format, Report};
use crate::store::{self, Store, settings};

/// What every command shares: where the database is, what "today" is, how chatty to be.
pub struct Context {
    pub db_flag: Option<PathBuf>,
    pub today_flag: Option<NaiveDate>,
    pub quiet: bool,
    /// Whether the command may create the database when there is none (see `creates_database`).
    pub may_create: bool,
}

impl Context {
    pub fn db_path(&self) -> PathBuf {
        store::resolve_db_path(self.db_flag.as_deref())
    }

    /// The database; a command that only reads refuses a path where there is none, rather
    /// than create an empty one there (a typo in --db, the wrong folder).
    pub fn open(&self) -> Result<Store> {
        let path = self.db_path();
        if !self.may_create && !path.exists() {
            anyhow::bail!(
                "no turnout database at {}: create one with turnout init, or check --db / TURNOUT_DB",
                path.display()
            );
        }
        Store::open(&path)
    }

    /// `--today`, else today's date in the organization's time zone.
    pub fn today(&self, store: &Store) -> Result<NaiveDate> {
        match self.today_flag {
            Some(today) => Ok(today),
            None => Ok(dates::today_in(settings::timezone(store.conn())?)),
        }
    }

    /// The line every report carries under its title.
    pub fn report_context(&self, store: &Store, today: NaiveDate) -> Result<String> {
        Ok(format!(
            "Time zone: {} · as of {today}",
            settings::timezone(store.conn())?.name()
        ))
    }

    /// Writes a report to stdout.
    pub fn print(&self, report: &Report, format: Format) -> Result<()> {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        output::render(report, format, &mut out)?;
        out.flush()?;
        Ok(())
    }

    /// A message for people, on stderr, unless --quiet.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
}

pub fn run(cli: Cli) -> Result<()> {
    let today_flag = match cli.today.as_deref() {
        Some(text) => Some(parse_date(text).map_err(UsageError::from)?),
        None => None,
    };
    let context = Context {
        db_flag: cli.db,
        today_flag,
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
    }
}

/// Whether a command writes, and so may create the database where there is none: setting up,
/// importing, logging, adding. The rest only read, and refuse a missing database.
fn creates_database(command: &Command) -> bool {
    use crate::cli::{
        AudienceCommand, CalendarCommand, CampaignCommand, ConfigCommand, CostCommand, GoalCommand,
        HoldoutCommand, MetricCommand,
    };
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

/// The report period and its interval from the shared flags; malformed ones are usage errors.
fn period_flags(
    args: &crate::cli::PeriodArgs,
) -> Result<(dates::Period, Option<crate::report::periods::Interval>)> {
    use crate::report::periods::Interval;
    let period = dates::Period::from_args(args.begin.as_deref(), args.end.as_deref())
        .map_err(|e| UsageError(format!("{e:#}")))?;
    let interval = if args.weekly {
        Some(Interval::Weekly)
    } else if args.monthly {
        Some(Interval::Monthly)
    } else {
        None
    };
    Ok((period, interval))
}

/// Parses an optional date flag; a malformed one is a usage error (exit 2).
fn date_flag(flag: &str, text: Option<&str>) -> Result<Option<NaiveDate>> {
    match text {
        Some(text) => Ok(Some(
            parse_date(text).map_err(|e| UsageError(format!("--{flag}: {e}")))?,
        )),
        None => Ok(None),
    }
}
