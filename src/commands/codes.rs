//! `turnout codes`: the codes imported rows carry (UTM campaigns, refcodes, source codes) and the
//! campaign each links to; `--unmatched` lists the ones no campaign claims yet.

use anyhow::Result;

use super::Context;
use super::flags::FormatArgs;
use crate::output::{Cell, Column, Report, Section};
use clap::Args;

#[derive(Debug, Args)]
pub struct CodesArgs {
    /// Only codes no campaign claims (rows kept unlinked)
    #[arg(long)]
    pub unmatched: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, args: CodesArgs) -> Result<()> {
    let store = context.open()?;
    let mut section = Section::new(
        "",
        vec![
            Column::new("code", "Code"),
            Column::new("campaign", "Campaign"),
            Column::new("rows", "Rows"),
        ],
    )
    .with_empty(if args.unmatched {
        "Every code seen is claimed by a campaign."
    } else {
        "No imported row carries a code yet."
    });
    for code in crate::linking::code_uses(
        store.conn(),
        crate::linking::CodeFilter {
            unmatched_only: args.unmatched,
            import_id: None,
        },
    )? {
        section.push(vec![
            Cell::text(code.code),
            Cell::opt_text(code.campaign, "(none)"),
            Cell::Int(code.rows),
        ]);
    }
    let title = if args.unmatched {
        "Codes no campaign claims"
    } else {
        "Codes"
    };
    let mut report = Report::single(title, section);
    report.footnotes.push(
        "Rows whose codes no campaign claims are kept, unlinked. Claim a code (exact, or a glob like 'fair-rent-*') with: \
         turnout campaign edit SLUG --code CODE, then import the file again to link its rows."
            .to_string(),
    );
    context.print(&report, args.format.format)
}
