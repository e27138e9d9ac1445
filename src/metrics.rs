//! The metric vocabulary: canonical names, each a milestone (comms) or a result (field).
//!
//! The built-in names are seeded by the schema; organizations add their own with
//! `turnout metric add`. Every name a user types is checked here, so a typo is an error that
//! suggests the closest known name instead of a silently empty report.

use std::collections::HashMap;

use anyhow::{Result, bail};
use rusqlite::{Connection, params};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Result,
    Milestone,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Result => "result",
            Family::Milestone => "milestone",
        }
    }

    fn parse(text: &str) -> Family {
        if text == "result" {
            Family::Result
        } else {
            Family::Milestone
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Amount,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Amount => "amount",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Metric {
    pub name: String,
    pub family: Family,
    pub unit: Unit,
    pub description: String,
    pub builtin: bool,
    pub position: i64,
}

/// Results that record someone not acting: a cancelled RSVP, a no-show.
pub const NOT_ACTING: &[&str] = &["cancellations", "no_shows"];

/// The whole vocabulary, loaded once per command: results first, then milestones.
#[derive(Clone)]
pub struct Vocabulary {
    metrics: Vec<Metric>,
    by_name: HashMap<String, usize>,
}

impl Vocabulary {
    pub fn load(conn: &Connection) -> Result<Vocabulary> {
        let mut stmt = conn.prepare(
            "SELECT name, family, unit, description, builtin, position FROM metric
             ORDER BY CASE family WHEN 'result' THEN 0 ELSE 1 END, position, name",
        )?;
        let metrics: Vec<Metric> = stmt
            .query_map([], |row| {
                Ok(Metric {
                    name: row.get(0)?,
                    family: Family::parse(&row.get::<_, String>(1)?),
                    unit: if row.get::<_, String>(2)? == "amount" {
                        Unit::Amount
                    } else {
                        Unit::Count
                    },
                    description: row.get(3)?,
                    builtin: row.get(4)?,
                    position: row.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let by_name = metrics
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), i))
            .collect();
        Ok(Vocabulary { metrics, by_name })
    }

    pub fn all(&self) -> &[Metric] {
        &self.metrics
    }

    pub fn find(&self, name: &str) -> Option<&Metric> {
        self.by_name.get(name).map(|&i| &self.metrics[i])
    }

    /// Looks a user-typed name up, or explains that it is unknown and what was probably meant.
    pub fn resolve(&self, name: &str) -> Result<&Metric> {
        let normalized = name.trim().to_ascii_lowercase();
        if let Some(metric) = self.find(&normalized) {
            return Ok(metric);
        }
        bail!("{}", self.unknown_message(name))
    }

    /// "unknown metric 'cals': did you mean 'calls'? ..." for errors and rejected rows alike.
    pub fn unknown_message(&self, name: &str) -> String {
        let mut message = format!("'{}' is not a known metric", name.trim());
        match self.closest(name) {
            Some(closest) => message.push_str(&format!("; did you mean '{closest}'?")),
            None => message.push('.'),
        }
        let results: Vec<&str> = self.names_of(Family::Result);
        let milestones: Vec<&str> = self.names_of(Family::Milestone);
        message.push_str(&format!(
            " Results: {}. Milestones: {}. Add your own with: turnout metric add NAME --result (or --milestone) --description \"...\"",
            results.join(", "),
            milestones.join(", ")
        ));
        message
    }

    fn names_of(&self, family: Family) -> Vec<&str> {
        self.metrics
            .iter()
            .filter(|m| m.family == family)
            .map(|m| m.name.as_str())
            .collect()
    }

    /// The known name closest to `name`, if any is close enough to be a plausible typo.
    pub fn closest(&self, name: &str) -> Option<&str> {
        let name = name.trim().to_ascii_lowercase();
        self.metrics
            .iter()
            .map(|m| (strsim::jaro_winkler(&name, &m.name), m.name.as_str()))
            .filter(|(score, _)| *score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, name)| name)
    }

    /// The results that are something a person did: counted results, without the ones that
    /// record not acting (cancellations, no-shows) and without amounts (money is not people).
    /// "Who acted" counts these, and only these, unless a metric is named.
    pub fn acting_results(&self) -> Vec<&str> {
        self.metrics
            .iter()
            .filter(|m| {
                m.family == Family::Result
                    && m.unit == Unit::Count
                    && !NOT_ACTING.contains(&m.name.as_str())
            })
            .map(|m| m.name.as_str())
            .collect()
    }

    /// Sort key that puts results before milestones, in vocabulary order.
    pub fn order(&self, name: &str) -> (u8, i64) {
        match self.find(name) {
            Some(m) => (if m.family == Family::Result { 0 } else { 1 }, m.position),
            None => (2, i64::MAX),
        }
    }
}

/// A metric's name as written, trimmed, if it can be one: lower-case letters, digits and
/// underscores, starting with a letter, at most 40. Otherwise what to write instead, e.g.
/// `Unique Opens` suggests `unique_opens`.
pub fn check_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if check_name_shape(name) {
        return Ok(name);
    }
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let suggestion = words.join("_");
    let fix = if check_name_shape(&suggestion) {
        format!("did you mean {suggestion}?")
    } else {
        "e.g. house_meetings".to_string()
    };
    Err(format!(
        "'{name}' cannot be a metric name: use lower-case letters, digits and underscores, starting with a letter ({fix})"
    ))
}

/// Lower-case letters, digits and underscores, starting with a letter, at most 40.
fn check_name_shape(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Adds an organization's own metric.
pub fn add(
    conn: &Connection,
    name: &str,
    family: Family,
    unit: Unit,
    description: &str,
) -> Result<Metric> {
    let name = check_name(name).map_err(anyhow::Error::msg)?;
    let vocabulary = Vocabulary::load(conn)?;
    if let Some(existing) = vocabulary.find(name) {
        bail!(
            "the metric '{name}' already exists (a {}: {})",
            existing.family.as_str(),
            existing.description
        );
    }
    let position: i64 = conn.query_row(
        "SELECT max(1000, ifnull(max(position), 0) + 1) FROM metric",
        [],
        |row| row.get(0),
    )?;
    conn.execute(
        "INSERT INTO metric (name, family, unit, description, builtin, position) VALUES (?1, ?2, ?3, ?4, 0, ?5)",
        params![name, family.as_str(), unit.as_str(), description.trim(), position],
    )?;
    Ok(Metric {
        name: name.to_string(),
        family,
        unit,
        description: description.trim().to_string(),
        builtin: false,
        position,
    })
}
