//! `turnout audience`: the organization's audience names and the exported names that map to them.

use anyhow::Result;

use super::Context;
use super::flags::FormatArgs;
use crate::calendar;
use crate::output::{Cell, Column, Report, Section};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum AudienceCommand {
    /// Map an exported audience name to yours: `turnout audience map "Eastside Tenants Union" members`
    Map {
        /// The audience's name as a tool exports it, e.g. "Eastside Tenants Union"
        exported: String,
        /// The organization's own name for it, e.g. members
        audience: String,
    },
    /// Every mapping
    List(FormatArgs),
}

pub fn run(context: &Context, command: AudienceCommand) -> Result<()> {
    let store = context.open()?;
    let conn = store.conn();
    match command {
        AudienceCommand::Map { exported, audience } => {
            match calendar::map_audience(conn, &exported, &audience)? {
                Some(previous) if previous != audience.trim() => println!(
                    "\"{}\" is now {} (was {previous}).",
                    exported.trim(),
                    audience.trim()
                ),
                _ => println!("\"{}\" is {}.", exported.trim(), audience.trim()),
            }
        }
        AudienceCommand::List(format) => {
            let mut section = Section::new(
                "",
                vec![Column::new("exported", "Exported as"), Column::new("audience", "Audience")],
            )
            .with_empty("No mappings yet. Add one with: turnout audience map \"Eastside Tenants Union\" members");
            for (exported, audience) in calendar::audience_maps(conn)? {
                section.push(vec![Cell::text(exported), Cell::text(audience)]);
            }
            context.print(&Report::single("Audiences", section), format.format)?;
        }
    }
    Ok(())
}
