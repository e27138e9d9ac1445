//! `turnout import`: read files into the store, one transaction per file, and account for every
//! row. Shows a progress bar for big files (on a terminal only), writes rejected rows to
//! `--rejects`, prints a summary per file, and exits 1 if any file was refused.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Context;
use super::flags::FormatArgs;
use crate::dates::DayRange;
use crate::error::UsageError;
use crate::import::ImportOptions;
use crate::import::shape::TimeFlags;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV files to import, each in its own transaction
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read the files with this profile instead of recognising them by their header
    #[arg(long)]
    pub profile: Option<String>,
    /// Link every row to this campaign
    #[arg(long, value_name = "SLUG")]
    pub campaign: Option<String>,
    /// Read and count everything, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Write rejected rows to this CSV (the original columns plus line and reason), to fix and re-import
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Time zone of timestamps that carry no offset (default: the profile's, else the organization's)
    #[arg(long, value_name = "ZONE", value_parser = super::flags::time_zone)]
    pub tz: Option<chrono_tz::Tz>,
    /// How these files write numbers and dates, e.g. uk-UA, de-DE, en-US (default: the profile's, else `turnout config get locale`)
    #[arg(long, value_name = "TAG", value_parser = crate::locale::Locale::parse)]
    pub locale: Option<crate::locale::Locale>,
    /// The sheet of a workbook (.xlsx, .xls, .ods) to read (default: the first)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Give one of the profile's fields this value on every row, e.g. --set event_date=2026-10-20 (repeat for more)
    #[arg(long, value_name = "FIELD=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
    /// Date for rows that carry none; for a snapshot it is --as-of; default: the import day
    #[arg(long, value_name = "DATE", value_parser = super::flags::day)]
    pub date: Option<chrono::NaiveDate>,
    /// The day a snapshot (totals since the start, e.g. CallPower's statistics) was downloaded; default: the import day
    #[arg(long, value_name = "DATE", conflicts_with_all = ["period", "begin", "end"], value_parser = super::flags::day)]
    pub as_of: Option<chrono::NaiveDate>,
    /// The period a file of totals covers, when it does not say: a day (2026-10-05), week (2026-W43) or month (2026-10)
    #[arg(long, value_name = "PERIOD", conflicts_with_all = ["begin", "end"])]
    pub period: Option<String>,
    /// With --end: the first day a file of totals covers
    #[arg(long, value_name = "DATE", requires = "end")]
    pub begin: Option<String>,
    /// With --begin: the day after the last one a file of totals covers (exclusive, as in reports)
    #[arg(long, value_name = "DATE", requires = "begin")]
    pub end: Option<String>,
    /// Refuse the whole file if any row is rejected (nothing is written)
    #[arg(long)]
    pub strict: bool,
    /// Also list the columns the profile does not use
    #[arg(long, short)]
    pub verbose: bool,
    /// The hash key is lost: start a new one (people imported from now on are not linked to those before)
    #[arg(long)]
    pub new_key: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `--set FIELD=VALUE`, as a pair.
fn parse_set(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((field, value)) if !field.trim().is_empty() => {
            Ok((field.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!(
            "'{text}' is not FIELD=VALUE: write it as --set event_date=2026-10-20"
        )),
    }
}

pub fn run(context: &Context, args: ImportArgs) -> Result<()> {
    let tz = args.tz;
    let period = match (&args.period, &args.begin, &args.end) {
        (Some(text), _, _) => {
            Some(DayRange::parse(text).map_err(|e| UsageError(format!("--period: {e:#}")))?)
        }
        (None, Some(begin), Some(end)) => {
            Some(DayRange::from_bounds(begin, end).map_err(|e| UsageError(format!("{e:#}")))?)
        }
        _ => None,
    };
    let time = TimeFlags {
        date: args.date,
        as_of: args.as_of,
        period,
    };
    let mut store = context.open()?;
    let options = ImportOptions {
        profile: args.profile.clone(),
        campaign: args.campaign.clone(),
        dry_run: args.dry_run,
        strict: args.strict,
        tz,
        time,
        today: context.today(&store)?,
        verbose: args.verbose,
        new_key: args.new_key,
        locale: args.locale.clone(),
        sheet: args.sheet.clone(),
        set: args.set.clone(),
    };
    context.import_files(
        &mut store,
        &args.files,
        &options,
        args.rejects.as_deref(),
        args.format.format,
    )
}
