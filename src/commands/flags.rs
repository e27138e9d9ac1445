//! Flags many commands share: the output format and the report period.

use clap::Args;

use crate::output::Format;

#[derive(Debug, Clone, Copy, Args, Default)]
pub struct FormatArgs {
    /// Output format: table for people; csv, json or markdown for tools and notes
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// The period every report takes, hledger style.
#[derive(Debug, Clone, Args, Default)]
pub struct PeriodArgs {
    /// First day included (a date, 2026-W41, 2026-10 or 2026)
    #[arg(long, value_name = "DATE")]
    pub begin: Option<String>,
    /// First day NOT included (hledger style: --end is exclusive)
    #[arg(long, value_name = "DATE")]
    pub end: Option<String>,
    /// One column per ISO week, plus a total
    #[arg(long, conflicts_with = "monthly")]
    pub weekly: bool,
    /// One column per month, plus a total
    #[arg(long)]
    pub monthly: bool,
}
