//! `turnout config`: organization-wide settings (time zone, default country).

use anyhow::Result;

use super::Context;
use super::flags::FormatArgs;
use crate::output::{Cell, Column, Report, Section};
use crate::store::settings::{self, SETTINGS};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Change a setting, e.g. `turnout config set timezone America/Los_Angeles`
    Set {
        /// The setting: timezone, locale, default_country, aggregates_only (turnout config list)
        key: String,
        /// Its new value, e.g. America/Los_Angeles or uk-UA
        value: String,
    },
    /// Show one setting
    Get {
        /// The setting, e.g. timezone
        key: String,
    },
    /// Show every setting with its value and meaning
    List(FormatArgs),
}

pub fn run(context: &Context, command: ConfigCommand) -> Result<()> {
    let store = context.open()?;
    let conn = store.conn();
    match command {
        ConfigCommand::Set { key, value } => {
            let had_data = store.holds_numbers()?;
            let stored = settings::set(conn, &key, &value)?;
            println!("{key} = {stored}");
            if key == settings::TIMEZONE && had_data {
                context.note(
                    "Numbers already imported keep the days they were given; re-import files with timestamps to re-date them in the new zone.",
                );
            }
        }
        ConfigCommand::Get { key } => println!("{}", settings::get(conn, &key)?),
        ConfigCommand::List(format) => {
            let mut section = Section::new(
                "",
                vec![
                    Column::new("key", "Setting"),
                    Column::new("value", "Value"),
                    Column::new("default", "Default"),
                    Column::new("description", "Meaning"),
                ],
            );
            for spec in SETTINGS {
                section.push(vec![
                    Cell::text(spec.key),
                    Cell::text(settings::get(conn, spec.key)?),
                    Cell::text(spec.default),
                    Cell::text(spec.description),
                ]);
            }
            context.print(&Report::single("Settings", section), format.format)?;
        }
    }
    Ok(())
}
