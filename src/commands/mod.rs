//! Front ends: one file per subcommand. Each turns parsed arguments into a domain call and renders
//! the result; this is the only layer that prints.

pub mod audience;
pub mod brief;
pub mod calendar;
pub mod campaign;
pub mod check;
pub mod codes;
pub mod config;
pub mod cost;
pub mod definitions;
pub mod demo;
pub mod digest;
pub mod drivers;
pub mod export;
pub mod flags;
pub mod funnel;
pub mod goal;
pub mod holdout;
pub mod import;
pub mod imports;
pub mod init;
pub mod key;
pub mod lift;
pub mod log;
pub mod metric;
pub mod profiles;
pub mod report;
pub mod simulate;
pub mod totals;

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;

use crate::dates;
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

    /// What an import has to say of a file, on stderr as each file is done: rejected rows and
    /// refusals always, notes unless --quiet.
    pub fn say(&self, outcome: &crate::import::FileOutcome) {
        for said in crate::report::sections::imports::explain(outcome) {
            if said.always {
                eprintln!("{}", said.text);
            } else {
                self.note(&said.text);
            }
        }
    }

    /// Imports files one by one (a progress bar on a terminal, what each file has to say as it
    /// is done), then accounts for them all (see `account_for`).
    pub fn import_files(
        &self,
        store: &mut Store,
        files: &[PathBuf],
        options: &crate::import::ImportOptions,
        rejects: Option<&std::path::Path>,
        format: Format,
    ) -> Result<()> {
        use std::io::IsTerminal;
        let mut bar = output::progress::Bar::new(!self.quiet && io::stderr().is_terminal());
        let batch = crate::import::import_files(
            store,
            files,
            options,
            rejects,
            &mut bar,
            &mut |outcome| self.say(outcome),
        )?;
        self.account_for(&batch, options.dry_run, format)
    }

    /// The end of an import: the rejects files written, the summary of every file, and exit 1
    /// when any file was refused.
    fn account_for(
        &self,
        batch: &crate::import::Batch,
        dry_run: bool,
        format: Format,
    ) -> Result<()> {
        for (path, rows) in &batch.rejects_written {
            self.note(&format!(
                "Wrote {rows} rejected row(s) to {}: fix them there and import that file again.",
                path.display()
            ));
        }
        let summary = crate::report::sections::imports::summary(&batch.files, dry_run);
        self.print(&summary, format)?;
        if format == Format::Table && dry_run {
            self.note("Dry run: nothing was written.");
        }
        let refused = batch.files.iter().filter(|f| f.refused()).count();
        if refused > 0 {
            anyhow::bail!(
                "{refused} of {} file(s) were refused and nothing from them was written; the messages above say why",
                batch.files.len()
            );
        }
        Ok(())
    }

    /// A message for people, on stderr, unless --quiet.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
}

/// The report period and its interval from the shared flags; malformed ones are usage errors.
fn period_flags(
    args: &flags::PeriodArgs,
) -> Result<(dates::Period, Option<crate::report::periods::Interval>)> {
    use crate::report::periods::Interval;
    let period = dates::Period::from_args(args.range.begin.as_deref(), args.range.end.as_deref())
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
