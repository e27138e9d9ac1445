//! `turnout check`: what to fix before a meeting. Exit 0 with warnings; `--strict` exits 1.

use anyhow::{Result, bail};

use super::flags::{FormatArgs, PeriodArgs};
use super::{Context, period_flags};
use crate::output::{Cell, Column, Report, Section};
use crate::report::quality;
use crate::store::settings;
use clap::Args;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Exit 1 if there is any warning (for scripts)
    #[arg(long)]
    pub strict: bool,
    /// Limits the weeks checked for missing data
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, args: CheckArgs) -> Result<()> {
    let (period, _) = period_flags(&args.period)?;
    let store = context.open()?;
    let conn = store.conn();
    let today = context.today(&store)?;
    let warnings = quality::check(conn, settings::timezone(conn)?, today, &period)?;
    let mut section = Section::new(
        "",
        vec![
            Column::new("check", "Check"),
            Column::new("subject", "What"),
            Column::new("detail", "Found"),
            Column::new("fix", "How to fix"),
        ],
    )
    .with_empty("No warnings: the data looks ready for the meeting.");
    for warning in &warnings {
        section.push(vec![
            Cell::text(warning.check),
            Cell::text(&warning.subject),
            Cell::text(&warning.detail),
            Cell::text(&warning.fix),
        ]);
    }
    let mut report = Report::single("Data checks", section);
    report.context.push(context.report_context(&store, today)?);
    context.print(&report, args.format.format)?;
    if args.strict && !warnings.is_empty() {
        bail!("{} warning(s) (--strict)", warnings.len());
    }
    Ok(())
}
