//! Import profiles: how to recognise a file and read its rows. turnout's own format is written in
//! Rust (`turnout_metrics`); every tool's export is a TOML profile (`spec`, `declarative`): the
//! built-in ones from `imports/profiles/` (embedded), plus users' own in `<database folder>/profiles/`
//! or named by path with `--profile ./mytool.toml`.
//!
//! Choosing: `--profile` names one; otherwise the header decides, and the profile whose required
//! columns match most specifically wins (the clicks header `Timestamp,Email,Url` is a superset of
//! the opens header). Files without a header are recognised by the shape of their first row.

pub mod catalog;
pub mod cells;
pub mod declarative;
pub mod evidence;
mod identifiers;
mod turnout_metrics;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use csv::ByteRecord;

use crate::import::model::spec::{self, SpecError};
use crate::import::model::{Layout, Profile, ReadContext, show_header};
use crate::metrics::Vocabulary;
use declarative::{DeclarativeProfile, Origin};
use turnout_metrics::TurnoutMetrics;

/// The built-in profile files, embedded so the binary stands alone.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "mailchimp-campaigns",
        include_str!("../../../imports/profiles/mailchimp-campaigns.toml"),
    ),
    (
        "mailchimp-opens",
        include_str!("../../../imports/profiles/mailchimp-opens.toml"),
    ),
    (
        "mailchimp-clicks",
        include_str!("../../../imports/profiles/mailchimp-clicks.toml"),
    ),
    (
        "mailchimp-campaign-report",
        include_str!("../../../imports/profiles/mailchimp-campaign-report.toml"),
    ),
    (
        "mailchimp-members",
        include_str!("../../../imports/profiles/mailchimp-members.toml"),
    ),
    (
        "mobilize-participations",
        include_str!("../../../imports/profiles/mobilize-participations.toml"),
    ),
    (
        "mobilize-timeslots",
        include_str!("../../../imports/profiles/mobilize-timeslots.toml"),
    ),
    (
        "actionnetwork-report",
        include_str!("../../../imports/profiles/actionnetwork-report.toml"),
    ),
    (
        "actblue-contributions",
        include_str!("../../../imports/profiles/actblue-contributions.toml"),
    ),
    (
        "spoke-contacts",
        include_str!("../../../imports/profiles/spoke-contacts.toml"),
    ),
    (
        "spoke-messages",
        include_str!("../../../imports/profiles/spoke-messages.toml"),
    ),
    (
        "x-tweets",
        include_str!("../../../imports/profiles/x-tweets.toml"),
    ),
    (
        "x-posts",
        include_str!("../../../imports/profiles/x-posts.toml"),
    ),
    (
        "x-overview",
        include_str!("../../../imports/profiles/x-overview.toml"),
    ),
    (
        "facebook-posts",
        include_str!("../../../imports/profiles/facebook-posts.toml"),
    ),
    (
        "instagram-posts",
        include_str!("../../../imports/profiles/instagram-posts.toml"),
    ),
    (
        "ga4-acquisition",
        include_str!("../../../imports/profiles/ga4-acquisition.toml"),
    ),
    (
        "callpower-targets",
        include_str!("../../../imports/profiles/callpower-targets.toml"),
    ),
    (
        "callpower-calls",
        include_str!("../../../imports/profiles/callpower-calls.toml"),
    ),
    (
        "civicrm-mailings",
        include_str!("../../../imports/profiles/civicrm-mailings.toml"),
    ),
    (
        "civicrm-participants",
        include_str!("../../../imports/profiles/civicrm-participants.toml"),
    ),
    (
        "eventbrite-attendees",
        include_str!("../../../imports/profiles/eventbrite-attendees.toml"),
    ),
    (
        "turnout-calendar",
        include_str!("../../../imports/profiles/turnout-calendar.toml"),
    ),
    (
        "poll-responses",
        include_str!("../../../imports/profiles/poll-responses.toml"),
    ),
    (
        "van-contact-history",
        include_str!("../../../imports/profiles/van-contact-history.toml"),
    ),
    (
        "youtube-content",
        include_str!("../../../imports/profiles/youtube-content.toml"),
    ),
];

/// Every profile available to one import.
pub(crate) struct Registry {
    profiles: Vec<Box<dyn Profile>>,
}

/// One entry of `turnout profiles list`.
pub struct ProfileSummary {
    pub name: String,
    pub description: String,
    pub origin: String,
}

impl Registry {
    /// The built-in profiles, then users' own from `<database folder>/profiles/` (a user profile
    /// with a built-in's name replaces it).
    pub fn load(vocabulary: &Vocabulary, db_path: &Path) -> Result<Registry> {
        let known = |m: &str| vocabulary.find(m).is_some();
        let mut profiles: Vec<Box<dyn Profile>> = vec![Box::new(TurnoutMetrics)];
        for (name, text) in BUILT_IN {
            let spec = spec::parse(text, &known).map_err(|errors| {
                anyhow::anyhow!(
                    "the built-in profile {name} is broken: {}",
                    join_errors(&errors)
                )
            })?;
            profiles.push(Box::new(DeclarativeProfile {
                spec,
                origin: Origin::BuiltIn,
            }));
        }
        for path in user_profile_paths(db_path) {
            let profile = load_file(&path, &known)?;
            profiles.retain(|p| p.name() != profile.spec.name);
            profiles.push(Box::new(profile));
        }
        Ok(Registry { profiles })
    }

    /// The profile `--profile` asks for, by name; a path (`./mytool.toml`) is read first.
    pub fn requested(
        &mut self,
        profile: Option<&str>,
        vocabulary: &Vocabulary,
    ) -> Result<Option<String>> {
        Ok(match profile {
            Some(text) if text.ends_with(".toml") || text.contains('/') || text.contains('\\') => {
                Some(self.add_file(Path::new(text), vocabulary)?)
            }
            other => other.map(str::to_string),
        })
    }

    /// Adds a profile named by path (`--profile ./mytool.toml`) and returns its name.
    pub fn add_file(&mut self, path: &Path, vocabulary: &Vocabulary) -> Result<String> {
        let profile = load_file(path, &|m: &str| vocabulary.find(m).is_some())?;
        let name = profile.spec.name.clone();
        self.profiles.retain(|p| p.name() != name);
        self.profiles.push(Box::new(profile));
        Ok(name)
    }

    pub fn summaries(&self) -> Vec<ProfileSummary> {
        self.profiles
            .iter()
            .map(|p| ProfileSummary {
                name: p.name().to_string(),
                description: p.description(),
                origin: p.origin(),
            })
            .collect()
    }

    pub fn get(&self, name: &str) -> Option<&dyn Profile> {
        self.profiles
            .iter()
            .find(|p| p.name() == name)
            .map(|p| p.as_ref())
    }

    /// The furthest line a profile puts its header on (`header_row`), if any does.
    pub fn furthest_header_row(&self) -> Option<u64> {
        self.profiles
            .iter()
            .filter_map(|p| p.spec().and_then(|s| s.header_row))
            .max()
    }

    pub fn names(&self) -> Vec<&str> {
        self.profiles.iter().map(|p| p.name()).collect()
    }

    /// The profile a header fits best (its required columns all there, the most of them), if
    /// exactly one fits best.
    pub fn recognise(&self, header: &[String]) -> Option<&dyn Profile> {
        let mut fits: Vec<&dyn Profile> = self
            .profiles
            .iter()
            .map(|p| p.as_ref())
            .filter(|p| {
                p.key_value_marker().is_none() && !p.headerless() && p.missing(header).is_empty()
            })
            .collect();
        fits.sort_by_key(|p| std::cmp::Reverse(p.specificity()));
        match fits.as_slice() {
            [first, second, ..] if first.specificity() == second.specificity() => None,
            [first, ..] => Some(*first),
            [] => None,
        }
    }

    /// The profile for a file: the one asked for, or the one its header (or first row) fits.
    /// Returns the profile and whether the first record is data rather than a header.
    pub fn choose(
        &self,
        requested: Option<&str>,
        header: &[String],
        first_record: &ByteRecord,
        file: &str,
        context: &ReadContext,
    ) -> Result<(&dyn Profile, Layout)> {
        if let Some(name) = requested {
            return self.named(name);
        }
        if let Some(profile) = self.fitting_header(header, file)? {
            return Ok((profile, Layout::Header));
        }
        if let Some(profile) = self.fitting_first_row(first_record, file, context)? {
            return Ok((profile, Layout::Headerless));
        }
        if let Some(profile) = self.key_value_report(header) {
            return Ok((profile, Layout::KeyValue));
        }
        Err(self.unrecognised(header, file))
    }

    /// The profile `--profile` names, and the layout it reads.
    fn named(&self, name: &str) -> Result<(&dyn Profile, Layout)> {
        let name = name.trim();
        match self.profiles.iter().find(|p| p.name() == name) {
            Some(profile) => Ok((profile.as_ref(), layout_of(profile.as_ref()))),
            None => bail!(
                "there is no import profile called '{name}'. Profiles: {}. A profile file is named by its path, e.g. --profile ./mytool.toml",
                self.names().join(", ")
            ),
        }
    }

    /// The profile with a header whose required columns the header has, the most of them;
    /// an error when two fit equally well.
    fn fitting_header(&self, header: &[String], file: &str) -> Result<Option<&dyn Profile>> {
        let mut candidates: Vec<&dyn Profile> = self
            .profiles
            .iter()
            .map(|p| p.as_ref())
            .filter(|p| layout_of(*p) == Layout::Header && p.missing(header).is_empty())
            .collect();
        candidates.sort_by_key(|p| std::cmp::Reverse(p.specificity()));
        match candidates.as_slice() {
            [first, second, ..] if first.specificity() == second.specificity() => {
                let tied: Vec<&str> = candidates
                    .iter()
                    .filter(|p| p.specificity() == first.specificity())
                    .map(|p| p.name())
                    .collect();
                bail!(
                    "cannot import {file}: its header fits more than one profile ({}); choose one with --profile",
                    tied.join(", ")
                )
            }
            [first, ..] => Ok(Some(*first)),
            [] => Ok(None),
        }
    }

    /// The profile for files without a header that accepts the first row, if exactly one does;
    /// an error when more than one does.
    fn fitting_first_row(
        &self,
        first_record: &ByteRecord,
        file: &str,
        context: &ReadContext,
    ) -> Result<Option<&dyn Profile>> {
        let shaped: Vec<&dyn Profile> = self
            .profiles
            .iter()
            .map(|p| p.as_ref())
            .filter(|p| p.headerless() && p.accepts_first_row(first_record, context))
            .collect();
        match shaped.as_slice() {
            [one] => Ok(Some(*one)),
            [_, _, ..] => bail!(
                "cannot import {file}: its first row fits more than one profile for files without a header ({}); choose one with --profile",
                shaped
                    .iter()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            [] => Ok(None),
        }
    }

    /// The key/value report profile whose marker is the file's only header cell.
    fn key_value_report(&self, header: &[String]) -> Option<&dyn Profile> {
        self.profiles
            .iter()
            .find(|p| {
                p.key_value_marker().is_some_and(|marker| {
                    header.len() == 1 && header[0].eq_ignore_ascii_case(marker)
                })
            })
            .map(|p| p.as_ref())
    }

    /// The error for a header no profile fits, naming the closest profile and what it lacks.
    fn unrecognised(&self, header: &[String], file: &str) -> anyhow::Error {
        let closest = self
            .profiles
            .iter()
            .filter(|p| layout_of(p.as_ref()) == Layout::Header)
            .min_by_key(|p| (p.missing(header).len(), std::cmp::Reverse(p.specificity())))
            .map(|p| {
                format!(
                    " The closest profile, {}, needs the columns: {}.",
                    p.name(),
                    p.missing(header).join(", ")
                )
            })
            .unwrap_or_default();
        anyhow::anyhow!(
            "cannot import {file}: turnout does not recognise its header ({}).{closest} \
             See the profiles with: turnout profiles list; for a tool turnout does not know, write a profile (imports/README.md) \
             and pass it with --profile ./mytool.toml",
            show_header(header)
        )
    }
}

/// How a profile reads a file: as a key/value report, without a header, or with one.
fn layout_of(p: &dyn Profile) -> Layout {
    if p.key_value_marker().is_some() {
        Layout::KeyValue
    } else if p.headerless() {
        Layout::Headerless
    } else {
        Layout::Header
    }
}

pub(crate) fn load_file(path: &Path, known: &dyn Fn(&str) -> bool) -> Result<DeclarativeProfile> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the profile {}: {e}", path.display()))?;
    let spec = spec::parse(&text, known).map_err(|errors| {
        anyhow::anyhow!(
            "the profile {} has problems: {}. Check it with: turnout profiles check {}",
            path.display(),
            join_errors(&errors),
            path.display()
        )
    })?;
    Ok(DeclarativeProfile {
        spec,
        origin: Origin::File(path.to_path_buf()),
    })
}

fn join_errors(errors: &[SpecError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// `*.toml` in `<database folder>/profiles/`, in name order.
pub fn user_profile_paths(db_path: &Path) -> Vec<PathBuf> {
    let folder = db_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("profiles");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
}
