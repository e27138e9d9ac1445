//! Flags many commands share (the output format, the report period) and the parsers of typed
//! values (days, period bounds, weeks): a value that cannot be read is a usage error from clap
//! (exit 2) with the fix, before any command runs.

use chrono::NaiveDate;
use clap::Args;

use crate::dates::{self, WeekArg};
use crate::output::Format;

/// A day, `YYYY-MM-DD` (`10/13/2026` is refused, suggesting `2026-10-13`).
pub fn day(text: &str) -> Result<NaiveDate, String> {
    dates::parse_date(text).map_err(|e| e.to_string())
}

/// A period's bound: a day, an ISO week, a month or a year (kept as written; `dates::Period`
/// reads it).
pub fn period_bound(text: &str) -> Result<String, String> {
    dates::parse_period_start(text)
        .map(|_| text.trim().to_string())
        .map_err(|e| e.to_string())
}

/// A duration, `7d`, `12h` or `30m` (kept as written, for the reports that quote it).
pub fn duration(text: &str) -> Result<String, String> {
    crate::attribution::parse_duration(text)
        .map(|_| text.trim().to_string())
        .map_err(|e| format!("{e:#}"))
}

/// A time zone from the IANA database: `Europe/Kyiv`, `America/Los_Angeles`.
pub fn time_zone(text: &str) -> Result<chrono_tz::Tz, String> {
    crate::store::settings::parse_timezone(text).map_err(|e| format!("{e:#}"))
}

/// A metric's name, `unique_opens` (`Unique Opens` is refused, suggesting `unique_opens`);
/// whether the database knows it is the command's to say.
pub fn metric(text: &str) -> Result<String, String> {
    crate::metrics::check_name(text).map(str::to_string)
}

/// A planted effect, `CHANNEL=SIZE` (`email=0.02`).
pub fn effect(text: &str) -> Result<(String, f64), String> {
    crate::simulate::parse_effect(text).map_err(|e| format!("{e:#}"))
}

/// A week: `2026-W41`, or `W41` for this year's.
pub fn week(text: &str) -> Result<WeekArg, String> {
    WeekArg::parse(text).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Copy, Args, Default)]
pub struct FormatArgs {
    /// Output format: table for people; csv, json or markdown for tools and notes
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// A range of days, hledger style: --begin included, --end not.
#[derive(Debug, Clone, Args, Default)]
pub struct RangeArgs {
    /// First day included (a date, 2026-W41, 2026-10 or 2026)
    #[arg(long, value_name = "DATE", value_parser = period_bound)]
    pub begin: Option<String>,
    /// First day NOT included (hledger style: --end is exclusive)
    #[arg(long, value_name = "DATE", value_parser = period_bound)]
    pub end: Option<String>,
}

/// The period every report takes: a range, and whether to break it into weeks or months.
#[derive(Debug, Clone, Args, Default)]
pub struct PeriodArgs {
    #[command(flatten)]
    pub range: RangeArgs,
    /// One column per ISO week, plus a total
    #[arg(long, conflicts_with = "monthly")]
    pub weekly: bool,
    /// One column per month, plus a total
    #[arg(long)]
    pub monthly: bool,
}
