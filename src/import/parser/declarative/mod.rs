//! Profiles written as data: a `ProfileSpec` (see `spec.rs`) bound to a file's header becomes a
//! row parser that reads typed cells, applies skip rules, links the row to a campaign, and turns
//! it into records (effort metrics, touches, actions, events, people) for the writer.
//!
//! This file holds the profile and how it meets a file (recognising it, binding its fields to
//! columns and constants); `parser` the row parser; `values` the typed cells; `metrics`,
//! `people` and `schedule` the records each kind of the profile's records makes of a row;
//! `notes` what the parser tells the user once the file has been read; `evidence` what the
//! file's first rows show of how its columns write days and numbers.

mod evidence;
mod metrics;
mod notes;
mod parser;
mod people;
mod schedule;
mod values;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use csv::ByteRecord;

use crate::import::model::spec::{FieldSpec, FieldType, ProfileSpec, RecordSpec};
use crate::import::model::{Profile, ReadContext, RowParser, show_header};
use crate::import::parser::identifiers::Identifiers;
use crate::people::Hasher;
use parser::DeclarativeParser;
use values::{Val, is_unknown, read_value};

pub use notes::IDENTIFIERS_DROPPED;

/// Where a profile came from, for `turnout profiles list`.
#[derive(Debug, Clone)]
pub enum Origin {
    BuiltIn,
    File(std::path::PathBuf),
}

pub struct DeclarativeProfile {
    pub spec: ProfileSpec,
    pub origin: Origin,
}

impl DeclarativeProfile {
    fn required_fields(&self) -> impl Iterator<Item = (&String, &FieldSpec)> {
        self.spec.fields.iter().filter(|(_, f)| f.required)
    }

    fn needs_people(&self) -> bool {
        self.spec.records.iter().any(|r| {
            matches!(
                r,
                RecordSpec::Touch { .. }
                    | RecordSpec::Person { .. }
                    | RecordSpec::Action { email: Some(_), .. }
                    | RecordSpec::Action { phone: Some(_), .. }
                    | RecordSpec::Action {
                        platform_id: Some(_),
                        ..
                    }
            )
        })
    }

    /// How many cells a row of a file without a header has: the last position a field names.
    fn positional_width(&self) -> usize {
        self.spec
            .fields
            .values()
            .filter_map(|f| f.position)
            .max()
            .unwrap_or(0)
    }

    /// field -> column index, for the fields read from a column (by position or by header);
    /// and, per header cell, whether a field reads it.
    fn columns(&self, header: &[String]) -> (BTreeMap<String, usize>, Vec<bool>) {
        let mut columns = BTreeMap::new();
        let mut used = vec![false; header.len()];
        for (name, field) in &self.spec.fields {
            if let Some(position) = field.position {
                columns.insert(name.clone(), position - 1);
            } else if !field.headers.is_empty()
                && let Some(index) = find_header(header, &field.headers)
            {
                columns.insert(name.clone(), index);
                used[index] = true;
            }
        }
        (columns, used)
    }

    /// The fields with one value for the whole file: a line above the header (`preamble`), or
    /// a part of the file's name (`file_name`).
    fn constants(
        &self,
        context: &ReadContext,
        zone: Tz,
    ) -> Result<BTreeMap<String, Val<'static>>, String> {
        let locale = locale_of(&self.spec, context);
        if let Some((unknown, _)) = context
            .set
            .iter()
            .find(|(name, _)| !self.spec.fields.contains_key(name))
        {
            let names: Vec<&str> = self.spec.fields.keys().map(String::as_str).collect();
            return Err(format!(
                "--set {unknown}=...: the profile {} has no field '{unknown}'; its fields are {}",
                self.spec.name,
                names.join(", ")
            ));
        }
        let mut constants = BTreeMap::new();
        let mut not_given = Vec::new();
        for (name, field) in &self.spec.fields {
            let given = context.set.iter().rev().find(|(set, _)| set == name);
            if let Some(text) = given.map(|(_, value)| value).or(field.value.as_ref()) {
                let value =
                    read_value(field, text, zone, locale.as_ref()).map_err(|(expected, _)| {
                        match given {
                            Some(_) => format!("--set {name}={text}: '{text}' is not {expected}"),
                            None => format!(
                                "the profile gives '{name}' the value '{text}', which is not {expected}: correct its value = \"...\", or give another with --set {name}=..."
                            ),
                        }
                    })?;
                if field.required && value == Val::Unknown {
                    not_given.push(match field.kind {
                        FieldType::Date => format!("--set {name}=YYYY-MM-DD"),
                        FieldType::Time => format!("--set {name}=YYYY-MM-DDTHH:MM"),
                        _ => format!("--set {name}=VALUE"),
                    });
                }
                constants.insert(name.clone(), value.into_owned());
                continue;
            }
            if field.position.is_some() || !field.headers.is_empty() {
                // Read from a column (see `columns`).
                continue;
            }
            if let Some(label) = &field.preamble {
                let text = preamble_text(context, label);
                let value = read_value(field, &text, zone, locale.as_ref())
                    .map_err(|(expected, _)| format!("the line '{label}' above the header should hold {expected}, but it holds '{text}'"))?;
                constants.insert(name.clone(), value.into_owned());
            } else if let Some(part) = &field.file_name {
                let id = file_name_id(&context.file_name);
                let numeric = !id.is_empty() && id.chars().all(|c| c.is_ascii_digit());
                let value = match part.as_str() {
                    "web-id" if !numeric => Val::Unknown,
                    _ => Val::Text(std::borrow::Cow::Owned(id)),
                };
                constants.insert(name.clone(), value);
            }
        }
        if !not_given.is_empty() {
            return Err(format!(
                "this export does not say everything the profile {} needs: give it with {}",
                self.spec.name,
                not_given.join(" ")
            ));
        }
        Ok(constants)
    }

    /// The hasher of the people rows name, when the profile's records name anyone.
    fn identifiers(&self, context: &ReadContext) -> Result<Option<Identifiers>, String> {
        if !self.needs_people() {
            return Ok(None);
        }
        // Touches are their own identity; other records carry their people in theirs.
        let row_hashes = self
            .spec
            .records
            .iter()
            .any(|record| !matches!(record, RecordSpec::Touch { .. }));
        let hasher = Hasher::open_with(&context.db_path, context.has_people, context.new_key)
            .map_err(|e| format!("{e:#}"))?;
        Ok(Some(Identifiers::new(
            hasher,
            &context.default_country,
            &self.spec.platform,
            row_hashes,
            context.legacy_identities,
        )))
    }

    /// The header's named cells no field reads (none for a file without a header).
    fn unused_columns(&self, header: &[String], used: &[bool]) -> Vec<String> {
        if !self.spec.header {
            return Vec::new();
        }
        header
            .iter()
            .zip(used)
            .filter(|(h, used)| !**used && !h.is_empty())
            .map(|(h, _)| h.clone())
            .collect()
    }
}

/// The header cell that matches one of `names`, compared ignoring case and extra spaces.
fn find_header(header: &[String], names: &[String]) -> Option<usize> {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    names
        .iter()
        .find_map(|name| header.iter().position(|h| norm(h) == norm(name)))
}

impl Profile for DeclarativeProfile {
    fn name(&self) -> &str {
        &self.spec.name
    }

    fn origin(&self) -> String {
        match &self.origin {
            Origin::BuiltIn => "built-in".to_string(),
            Origin::File(path) => path.display().to_string(),
        }
    }

    fn spec(&self) -> Option<&ProfileSpec> {
        Some(&self.spec)
    }

    fn description(&self) -> String {
        format!("{}: {}", self.spec.tool, self.spec.description)
    }

    fn headerless(&self) -> bool {
        !self.spec.header
    }

    fn key_value_marker(&self) -> Option<&str> {
        self.spec.key_value.as_deref()
    }

    fn specificity(&self) -> usize {
        self.required_fields().count()
    }

    fn missing(&self, header: &[String]) -> Vec<String> {
        if !self.spec.header {
            return vec!["(a file without a header)".to_string()];
        }
        self.required_fields()
            .filter(|(_, f)| !f.headers.is_empty() && find_header(header, &f.headers).is_none())
            .map(|(_, f)| f.headers[0].clone())
            .collect()
    }

    fn accepts_first_row(&self, record: &ByteRecord, context: &ReadContext) -> bool {
        if self.spec.header {
            return false;
        }
        if record.len() != self.positional_width() {
            return false;
        }
        let zone = zone_of(&self.spec, context);
        let locale = locale_of(&self.spec, context);
        self.required_fields().all(|(_, field)| {
            let Some(position) = field.position else {
                return true;
            };
            let text = std::str::from_utf8(record.get(position - 1).unwrap_or_default())
                .unwrap_or("")
                .trim();
            !is_unknown(field, text)
                && matches!(read_value(field, text, zone, locale.as_ref()), Ok(v) if !matches!(v, Val::Unknown))
        })
    }

    fn bind(&self, header: &[String], context: &ReadContext) -> Result<Box<dyn RowParser>, String> {
        let missing = self.missing(header);
        if self.spec.header && !missing.is_empty() {
            return Err(format!(
                "expected the columns {}, but the file's header ({}) lacks {}. Check that this is the right export, or leave out --profile to let turnout recognise it",
                self.required_fields()
                    .map(|(_, f)| f.headers.first().cloned().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(", "),
                show_header(header),
                missing.join(", ")
            ));
        }
        let zone = zone_of(&self.spec, context);
        let (mut columns, used) = self.columns(header);
        let constants = self.constants(context, zone)?;
        // A value given on import wins over the file's column.
        columns.retain(|name, _| !constants.contains_key(name));
        let identifiers = self.identifiers(context)?;
        let ignored = self.unused_columns(header, &used);
        Ok(Box::new(DeclarativeParser {
            spec: std::sync::Arc::new(self.spec.clone()),
            names: self.spec.fields.keys().cloned().collect(),
            header: header.to_vec(),
            width: if self.spec.header {
                header.len()
            } else {
                self.positional_width()
            },
            slot_columns: self
                .spec
                .fields
                .keys()
                .map(|name| columns.get(name).copied())
                .collect(),
            columns,
            constants: std::sync::Arc::new(constants),
            zone,
            org_tz: context.org_tz,
            locale: locale_of(&self.spec, context),
            column_shown: Vec::new(),
            column_warnings: Vec::new(),
            unmarked_percent: Vec::new(),
            percentages_unmarked: context.percentages_unmarked,
            default_country: context.default_country.clone(),
            identifiers,
            matcher: context.matcher.clone(),
            campaigns: context.campaigns.clone(),
            campaign_override: context.campaign_override.as_ref().map(|(_, id)| *id),
            moment: context.moment,
            undated_date: context.date_override.unwrap_or(context.today),
            today: context.today,
            date_given: context.date_override.is_some(),
            bounds: (
                NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date"),
                context.today + chrono::Duration::days(366),
            ),
            ignored: if context.verbose { ignored } else { Vec::new() },
            undated_rows: Default::default(),
            unreadable: Default::default(),
            dropped: Default::default(),
            rate_mismatches: Default::default(),
            vocabulary_names: context
                .vocabulary
                .all()
                .iter()
                .map(|m| m.name.clone())
                .collect(),
            forgotten: context.forgotten.clone(),
        }))
    }
}

/// `--locale`, else the profile's (checked when it was loaded), else the organization's.
fn locale_of(spec: &ProfileSpec, context: &ReadContext) -> Option<crate::locale::Locale> {
    context
        .locale_override
        .clone()
        .or_else(|| {
            spec.locale
                .as_deref()
                .and_then(|tag| crate::locale::Locale::parse(tag).ok())
        })
        .or_else(|| context.org_locale.clone())
}

fn zone_of(spec: &ProfileSpec, context: &ReadContext) -> Tz {
    context.source_tz.unwrap_or_else(|| {
        if spec.time_zone == "organization" {
            context.org_tz
        } else {
            spec.time_zone.parse().unwrap_or(context.org_tz)
        }
    })
}

/// The text after `label` on the first line above the header that begins with it (a leading
/// `#` aside); empty when no line does.
fn preamble_text(context: &ReadContext, label: &str) -> String {
    context
        .preamble
        .iter()
        .find_map(|line| {
            let line = line.trim_start_matches('#').trim();
            line.strip_prefix(label).map(|rest| rest.trim().to_string())
        })
        .unwrap_or_default()
}

/// `123456_fair-rent.csv` -> `123456`; `opens.csv` -> `opens`.
fn file_name_id(file_name: &str) -> String {
    let base = std::path::Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match base.split_once('_') {
        Some((id, _)) if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) => id.to_string(),
        _ => base,
    }
}
