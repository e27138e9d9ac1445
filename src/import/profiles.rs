//! Import profiles: how to recognise a file by its header and read its rows. A profile binds to
//! a header (finding its columns) and then turns each row into records.
//!
//! Choosing: `--profile NAME` names one; otherwise the header decides, and the profile whose
//! required columns match most specifically wins. No match is an error that shows the file's
//! header and what the closest profile is missing.

use anyhow::{Result, bail};
use csv::ByteRecord;

use super::turnout_metrics::TurnoutMetrics;
use super::{ReadContext, RowIssue, RowOutcome};

/// A profile that has found its columns in a header and can read rows.
pub(crate) trait RowParser {
    fn parse(&mut self, record: &ByteRecord, line: u64) -> Result<RowOutcome, RowIssue>;
    /// What the user should know once the file has been read.
    fn notes(&self) -> Vec<String>;
}

pub(crate) trait Profile: Sync {
    fn info(&self) -> &ProfileInfo;
    fn name(&self) -> &'static str {
        self.info().name
    }
    /// Finds the profile's columns in a header, or says which required ones are missing.
    fn bind(&self, header: &[String], context: &ReadContext) -> Result<Box<dyn RowParser>, String>;
}

/// What `turnout profiles` and detection need to know about a profile.
#[derive(Debug)]
pub struct ProfileInfo {
    pub name: &'static str,
    pub description: &'static str,
    /// Columns that must all be present (compared case-insensitively, trimmed).
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
}

impl ProfileInfo {
    /// The required columns a header lacks.
    pub fn missing(&self, header: &[String]) -> Vec<&'static str> {
        self.required
            .iter()
            .filter(|column| !header.iter().any(|h| h.eq_ignore_ascii_case(column)))
            .copied()
            .collect()
    }
}

static TURNOUT_METRICS: TurnoutMetrics = TurnoutMetrics;

/// Every built-in profile.
pub static PROFILES: &[&ProfileInfo] = &[&super::turnout_metrics::INFO];

fn all() -> Vec<&'static dyn Profile> {
    vec![&TURNOUT_METRICS]
}

pub(crate) fn choose(
    requested: Option<&str>,
    header: &[String],
    file: &str,
) -> Result<&'static dyn Profile> {
    let profiles = all();
    if let Some(name) = requested {
        let name = name.trim();
        return match profiles.iter().find(|p| p.name() == name) {
            Some(profile) => Ok(*profile),
            None => bail!(
                "there is no import profile called '{name}'. Profiles: {}",
                profiles
                    .iter()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
    }
    let mut candidates: Vec<&'static dyn Profile> = profiles
        .iter()
        .copied()
        .filter(|p| p.info().missing(header).is_empty())
        .collect();
    // The most specific match wins: a header that satisfies a profile needing more columns is
    // more surely that profile's.
    candidates.sort_by_key(|p| std::cmp::Reverse(p.info().required.len()));
    match candidates.as_slice() {
        [] => {
            let closest = profiles
                .iter()
                .min_by_key(|p| p.info().missing(header).len())
                .map(|p| {
                    format!(
                        " The closest profile, {}, needs the columns: {}.",
                        p.name(),
                        p.info().missing(header).join(", ")
                    )
                })
                .unwrap_or_default();
            bail!(
                "cannot import {file}: turnout does not recognise its header ({}).{closest} \
                 If it is turnout's own format, the header must have at least the columns metric and value, e.g. \
                 date,campaign,channel,effort,metric,value,source",
                show_header(header)
            )
        }
        [first, second, ..] if first.info().required.len() == second.info().required.len() => {
            bail!(
                "cannot import {file}: its header fits more than one profile ({}); choose one with --profile",
                candidates
                    .iter()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        [first, ..] => Ok(*first),
    }
}

/// A header as people can read it, shortened when very wide.
pub(crate) fn show_header(header: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut shown: Vec<String> = header
        .iter()
        .take(SHOWN)
        .map(|h| format!("'{h}'"))
        .collect();
    if header.len() > SHOWN {
        shown.push(format!("and {} more", header.len() - SHOWN));
    }
    if shown.is_empty() {
        "an empty line".to_string()
    } else {
        shown.join(", ")
    }
}
