//! `turnout profiles`: the exports turnout can read (`list`, `show`) and checking a profile file
//! someone wrote for a tool turnout does not know yet (`check`).

use anyhow::{Result, bail};
use std::path::PathBuf;

use super::Context;
use super::flags::FormatArgs;
use crate::import::{self, spec::RecordSpec};
use crate::output::{Cell, Column, Report, Section};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// Every profile: built-in ones and your own (in <database folder>/profiles/)
    List(FormatArgs),
    /// One profile: the columns it reads, what they mean, and what it records
    Show {
        /// A profile name, or the path of a profile file
        name: String,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Check a profile file you wrote; problems are shown with their line
    Check {
        /// The profile file, e.g. ./mytool.toml
        file: PathBuf,
    },
}

pub fn run(context: &Context, command: ProfilesCommand) -> Result<()> {
    let store = context.open()?;
    match command {
        ProfilesCommand::List(format) => {
            let mut section = Section::new(
                "",
                vec![
                    Column::new("name", "Profile"),
                    Column::new("description", "Reads"),
                    Column::new("origin", "From"),
                ],
            );
            for profile in import::profile_summaries(&store)? {
                section.push(vec![
                    Cell::text(profile.name),
                    Cell::text(profile.description),
                    Cell::text(profile.origin),
                ]);
            }
            let mut report = Report::single("Import profiles", section);
            report.footnotes.push(
                "turnout import FILE picks the profile from the file's header; --profile NAME (or --profile ./mytool.toml) chooses one."
                    .to_string(),
            );
            context.print(&report, format.format)?;
        }
        ProfilesCommand::Show { name, format } => {
            let (spec, origin) = import::profile_spec(&store, &name)?;
            let mut report = Report::new(format!("{} ({})", spec.name, spec.tool));
            report.context.push(spec.description.clone());
            report.context.push(format!("From: {origin}"));
            let mut fields = Section::new(
                "Columns",
                vec![
                    Column::new("field", "Field"),
                    Column::new("columns", "Read from"),
                    Column::new("type", "Type"),
                    Column::new("required", "Required"),
                ],
            );
            for (name, field) in &spec.fields {
                let source = if let Some(position) = field.position {
                    format!("column {position}")
                } else if let (Some(from), Some(param)) = (&field.from, &field.param) {
                    format!("{param} in the links of {from}")
                } else if let Some(label) = &field.preamble {
                    format!("the line '{label}' above the header")
                } else if field.file_name.is_some() {
                    "the file's name".to_string()
                } else if let Some(value) = field.value.as_deref() {
                    match value {
                        "" => format!("--set {name}=... on import"),
                        value => format!("'{value}' (or --set {name}=...)"),
                    }
                } else {
                    field.headers.join(" | ")
                };
                fields.push(vec![
                    Cell::text(name),
                    Cell::text(source),
                    Cell::text(field.kind.name()),
                    Cell::text(if field.required { "yes" } else { "" }),
                ]);
            }
            report.sections.push(fields);
            let mut records = Section::new(
                "Records",
                vec![Column::new("kind", "Yields"), Column::new("detail", "What")],
            );
            for record in &spec.records {
                let (kind, detail) = describe_record(record);
                records.push(vec![Cell::text(kind), Cell::text(detail)]);
            }
            report.sections.push(records);
            if let Some(provenance) = &spec.provenance {
                report
                    .footnotes
                    .push(format!("Layout source: {provenance}"));
            }
            context.print(&report, format.format)?;
        }
        ProfilesCommand::Check { file } => match import::check_profile(&store, &file)? {
            Ok(spec) => println!(
                "{}: the profile {} is fine ({} fields, {} records). Use it with: turnout import FILE --profile {}",
                file.display(),
                spec.name,
                spec.fields.len(),
                spec.records.len(),
                file.display()
            ),
            Err(errors) => {
                for error in &errors {
                    match error.line {
                        Some(line) => eprintln!("{}:{line}: {}", file.display(), error.message),
                        None => eprintln!("{}: {}", file.display(), error.message),
                    }
                }
                bail!(
                    "{} has {} problem(s); the format is described in imports/README.md",
                    file.display(),
                    errors.len()
                );
            }
        },
    }
    Ok(())
}

fn describe_record(record: &RecordSpec) -> (&'static str, String) {
    let metrics = |m: &std::collections::BTreeMap<String, String>| {
        m.iter()
            .map(|(metric, field)| format!("{metric} <- {field}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match record {
        RecordSpec::EffortMetrics {
            channel,
            effort,
            metrics: m,
            ..
        } => (
            "effort metrics",
            format!("{channel} effort {effort}: {}", metrics(m)),
        ),
        RecordSpec::Metrics {
            metrics: m, detail, ..
        } => (
            "metrics",
            format!(
                "{}{}",
                metrics(m),
                detail
                    .as_ref()
                    .map(|d| format!(" per {d}"))
                    .unwrap_or_default()
            ),
        ),
        RecordSpec::Touch {
            touch,
            channel,
            effort,
            ..
        } => (
            "touch",
            format!("{touch} ({channel}) per person and effort {effort}"),
        ),
        RecordSpec::Action { metric, .. } => ("action", format!("one {metric} per row")),
        RecordSpec::Event { event, .. } => ("event", format!("event {event}")),
        RecordSpec::Plan { .. } => ("plan", "an item of the publishing calendar".to_string()),
        RecordSpec::Person { .. } => (
            "person",
            "links the email and phone of one person".to_string(),
        ),
    }
}
