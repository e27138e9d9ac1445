//! Profiles written as data: a `ProfileSpec` (see `spec.rs`) bound to a file's header becomes a
//! row parser that reads typed cells, applies skip rules, links the row to a campaign, and turns
//! it into records (effort metrics, touches, actions, events, people) for the writer.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use csv::ByteRecord;
use sha2::{Digest, Sha256};

use super::cells::{Grain, parse_timestamp};
use super::identifiers::Identifiers;
use crate::dates::DayRange;
use crate::import::model::shape::{self, Moment};
use crate::import::model::spec::{Condition, FieldSpec, FieldType, ProfileSpec, RecordSpec};
use crate::import::model::{
    ActionRecord, EffortInfo, EffortKey, EventRecord, MetricRecord, PersonIds, PlanRecord, Span,
    TouchRecord,
};
use crate::import::model::{Profile, RowParser, show_header};
use crate::import::model::{ReadContext, Record, RowIssue, RowOutcome};
use crate::store::touch_kinds;

/// How much of a row's sha256 identifies it (see `source_key`).
const SOURCE_KEY_BYTES: usize = 16;
use crate::channels;
use crate::linking::{CodeMatcher, codes_in, link_parameter};
use crate::output::plain_number;
use crate::people::{Hasher, normalize_email, normalize_phone};
use crate::values::parse_value;

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

const DEFAULT_UNKNOWN: &[&str] = &["", "-", "n/a", "na", "null", "none", "--"];

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
            )
        })
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
        let width = self
            .spec
            .fields
            .values()
            .filter_map(|f| f.position)
            .max()
            .unwrap_or(0);
        if record.len() != width {
            return false;
        }
        let zone = zone_of(&self.spec, context);
        self.required_fields().all(|(_, field)| {
            let Some(position) = field.position else {
                return true;
            };
            let text = std::str::from_utf8(record.get(position - 1).unwrap_or_default())
                .unwrap_or("")
                .trim();
            !is_unknown(field, text)
                && matches!(read_value(field, text, zone), Ok(v) if !matches!(v, Val::Unknown))
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
        let mut columns = BTreeMap::new();
        let mut constants = BTreeMap::new();
        let mut used = vec![false; header.len()];
        for (name, field) in &self.spec.fields {
            if let Some(position) = field.position {
                columns.insert(name.clone(), position - 1);
            } else if !field.headers.is_empty() {
                if let Some(index) = find_header(header, &field.headers) {
                    columns.insert(name.clone(), index);
                    used[index] = true;
                }
            } else if let Some(label) = &field.preamble {
                let text = context
                    .preamble
                    .iter()
                    .find_map(|line| {
                        let line = line.trim_start_matches('#').trim();
                        line.strip_prefix(label.as_str())
                            .map(|rest| rest.trim().to_string())
                    })
                    .unwrap_or_default();
                let value = read_value(field, &text, zone)
                    .map_err(|(expected, _)| format!("the line '{label}' above the header should hold {expected}, but it holds '{text}'"))?;
                constants.insert(name.clone(), value);
            } else if let Some(part) = &field.file_name {
                let id = file_name_id(&context.file_name);
                let numeric = !id.is_empty() && id.chars().all(|c| c.is_ascii_digit());
                let value = match part.as_str() {
                    "web-id" if !numeric => Val::Unknown,
                    _ => Val::Text(id),
                };
                constants.insert(name.clone(), value);
            }
        }
        // Touches are their own identity; other records carry their people in theirs.
        let row_hashes = self
            .spec
            .records
            .iter()
            .any(|record| !matches!(record, RecordSpec::Touch { .. }));
        let identifiers = if self.needs_people() {
            let hasher = Hasher::open_with(&context.db_path, context.has_people, context.new_key)
                .map_err(|e| format!("{e:#}"))?;
            Some(Identifiers::new(
                hasher,
                &context.default_country,
                row_hashes,
                context.legacy_identities,
            ))
        } else {
            None
        };
        let ignored: Vec<String> = if self.spec.header {
            header
                .iter()
                .zip(&used)
                .filter(|(h, used)| !**used && !h.is_empty())
                .map(|(h, _)| h.clone())
                .collect()
        } else {
            Vec::new()
        };
        Ok(Box::new(DeclarativeParser {
            spec: std::sync::Arc::new(self.spec.clone()),
            header: header.to_vec(),
            width: if self.spec.header {
                header.len()
            } else {
                self.spec
                    .fields
                    .values()
                    .filter_map(|f| f.position)
                    .max()
                    .unwrap_or(0)
            },
            columns,
            constants,
            zone,
            org_tz: context.org_tz,
            default_country: context.default_country.clone(),
            identifiers,
            matcher: context.matcher.clone(),
            campaigns: context.campaigns.clone(),
            campaign_override: context.campaign_override.as_ref().map(|(_, id)| *id),
            moment: context.moment,
            undated_date: context.date_override.unwrap_or(context.today),
            date_given: context.date_override.is_some(),
            bounds: (
                NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date"),
                context.today + chrono::Duration::days(366),
            ),
            ignored: if context.verbose { ignored } else { Vec::new() },
            undated_rows: 0,
            unreadable: BTreeMap::new(),
            rate_mismatches: Vec::new(),
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

fn zone_of(spec: &ProfileSpec, context: &ReadContext) -> Tz {
    context.source_tz.unwrap_or_else(|| {
        if spec.time_zone == "organization" {
            context.org_tz
        } else {
            spec.time_zone.parse().unwrap_or(context.org_tz)
        }
    })
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

/// A cell, read as its field's type.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Unknown,
    Text(String),
    Num(f64),
    Bool(bool),
    Time(DateTime<Utc>),
    Date(NaiveDate),
}

impl Val {
    fn text(&self) -> Option<&str> {
        match self {
            Val::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The value as text, for identity keys and codes.
    fn canonical(&self) -> String {
        match self {
            Val::Unknown => String::new(),
            Val::Text(t) => t.clone(),
            Val::Num(n) => plain_number(*n),
            Val::Bool(b) => b.to_string(),
            Val::Time(t) => t.to_rfc3339(),
            Val::Date(d) => d.to_string(),
        }
    }
}

fn is_unknown(field: &FieldSpec, text: &str) -> bool {
    if text.is_empty() {
        return !field.blank_is_zero;
    }
    match &field.unknown {
        Some(values) => values.iter().any(|v| v.eq_ignore_ascii_case(text)),
        None => DEFAULT_UNKNOWN.iter().any(|v| v.eq_ignore_ascii_case(text)),
    }
}

/// Reads one cell. The error is (what was expected, why).
fn read_value(field: &FieldSpec, text: &str, zone: Tz) -> Result<Val, (String, String)> {
    if text.is_empty() && field.blank_is_zero {
        return Ok(Val::Num(0.0));
    }
    if is_unknown(field, text) {
        return Ok(Val::Unknown);
    }
    let fail = |expected: &str| Err((expected.to_string(), String::new()));
    match field.kind {
        FieldType::Text => Ok(Val::Text(text.to_string())),
        FieldType::Email => Ok(Val::Text(text.to_string())),
        FieldType::Phone => Ok(Val::Text(text.to_string())),
        FieldType::Count => {
            // "1,234", "424.0"; Mailchimp single reports add a rate: "141 (8.1%)".
            let number = text.split(" (").next().unwrap_or(text);
            parse_value(number, crate::metrics::Unit::Count)
                .map(Val::Num)
                .or_else(|_| fail("a whole number of zero or more, e.g. 1,234"))
        }
        FieldType::Amount => {
            let cleaned: String = text
                .chars()
                .filter(|c| !matches!(c, '$' | '€' | '£' | ' '))
                .collect();
            parse_value(&cleaned, crate::metrics::Unit::Amount)
                .map(Val::Num)
                .or_else(|_| fail("an amount of money of zero or more, e.g. 25.00"))
        }
        FieldType::Number | FieldType::Fraction => match text.replace(',', "").parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Val::Num(n)),
            _ => fail("a number, e.g. 0.6325"),
        },
        FieldType::Percent => {
            let number = text.trim_end_matches('%').trim();
            match number.replace(',', "").parse::<f64>() {
                Ok(n) if n.is_finite() && (0.0..=100.0).contains(&n) => Ok(Val::Num(n)),
                Ok(_) => fail("a percentage between 0% and 100%"),
                Err(_) => fail("a percentage, e.g. 33.98%"),
            }
        }
        FieldType::Bool => match text.to_lowercase().as_str() {
            "t" | "true" | "1" | "yes" | "y" => Ok(Val::Bool(true)),
            "f" | "false" | "0" | "no" | "n" => Ok(Val::Bool(false)),
            _ => fail("true or false (t/f, 1/0, yes/no)"),
        },
        FieldType::Time => {
            for format in &field.formats {
                if let Ok(t) = DateTime::parse_from_str(text, format) {
                    return Ok(Val::Time(t.to_utc()));
                }
                if let Ok(local) = NaiveDateTime::parse_from_str(text, format)
                    && let Some(t) = zone.from_local_datetime(&local).earliest()
                {
                    return Ok(Val::Time(t.to_utc()));
                }
            }
            match parse_timestamp(text, zone) {
                Some(t) => Ok(Val::Time(t)),
                None => fail(&format!(
                    "a date and time{}",
                    field
                        .formats
                        .first()
                        .map(|f| format!(" like {}", example_time(f)))
                        .unwrap_or_else(|| " like 2026-10-05 18:30:00".to_string())
                )),
            }
        }
        FieldType::Date => {
            for format in field.formats.iter().map(String::as_str).chain(["%Y-%m-%d"]) {
                if let Ok(d) = NaiveDate::parse_from_str(text, format) {
                    return Ok(Val::Date(d));
                }
            }
            fail("a date, e.g. 2026-10-05")
        }
    }
}

fn example_time(format: &str) -> String {
    let sample = NaiveDate::from_ymd_opt(2026, 10, 5)
        .and_then(|d| d.and_hms_opt(18, 30, 0))
        .expect("valid time");
    let mut text = String::new();
    use std::fmt::Write as _;
    if write!(text, "{}", sample.format(format)).is_err() {
        return format.to_string();
    }
    text
}

struct DeclarativeParser {
    /// Shared, so each row can walk its records while the parser changes its own state.
    spec: std::sync::Arc<ProfileSpec>,
    header: Vec<String>,
    width: usize,
    /// field -> column index
    columns: BTreeMap<String, usize>,
    /// fields with one value for the whole file (preamble, file name)
    constants: BTreeMap<String, Val>,
    zone: Tz,
    org_tz: Tz,
    default_country: String,
    /// The people rows name, hashed (none when the profile names no one).
    identifiers: Option<Identifiers>,
    matcher: CodeMatcher,
    campaigns: BTreeMap<String, i64>,
    campaign_override: Option<i64>,
    moment: Moment,
    undated_date: NaiveDate,
    date_given: bool,
    bounds: (NaiveDate, NaiveDate),
    ignored: Vec<String>,
    undated_rows: u64,
    /// Per column of emails or phones: cells that could not be read as one (the row counts,
    /// but as no one), and the first line with one. Never the value itself.
    unreadable: BTreeMap<String, (FieldType, u64, u64)>,
    rate_mismatches: Vec<String>,
    /// Metric names, for plan items' goals.
    vocabulary_names: Vec<String>,
    forgotten: std::collections::HashSet<crate::people::IdHash>,
}

type Row = BTreeMap<String, Val>;

impl DeclarativeParser {
    fn issue(
        &self,
        line: u64,
        column: Option<usize>,
        expected: &str,
        found: &str,
        reason: String,
    ) -> RowIssue {
        RowIssue {
            line,
            column_number: column.map(|c| c + 1),
            column_name: column
                .and_then(|c| self.header.get(c).cloned())
                .or_else(|| column.map(|c| format!("column {}", c + 1))),
            expected: Some(expected.to_string()),
            found: Some(found.to_string()),
            reason,
        }
    }

    fn read_row(&self, record: &ByteRecord, line: u64) -> Result<Row, RowIssue> {
        let mut row: Row = self.constants.clone();
        for (name, &column) in &self.columns {
            let field = &self.spec.fields[name];
            let bytes = record.get(column).unwrap_or_default();
            let text = std::str::from_utf8(bytes).map(str::trim).map_err(|_| {
                self.issue(
                    line,
                    Some(column),
                    "UTF-8 text",
                    &String::from_utf8_lossy(bytes),
                    "this cell is not UTF-8 text; re-save the file as \"CSV UTF-8\"".to_string(),
                )
            })?;
            let value = read_value(field, text, self.zone).map_err(|(expected, _)| {
                self.issue(
                    line,
                    Some(column),
                    &expected,
                    text,
                    format!("'{text}' is not {expected}"),
                )
            })?;
            if let Val::Time(t) = &value {
                let day = t.with_timezone(&self.org_tz).date_naive();
                if day < self.bounds.0 || day > self.bounds.1 {
                    return Err(self.issue(
                        line,
                        Some(column),
                        &format!("a date between {} and {}", self.bounds.0, self.bounds.1),
                        text,
                        format!("'{text}' is not a plausible date: expected one between {} and {} (a year from today)", self.bounds.0, self.bounds.1),
                    ));
                }
            }
            row.insert(name.clone(), value);
        }
        // Derived fields: a query parameter of the links in another field.
        for (name, field) in &self.spec.fields {
            if let (Some(from), Some(param)) = (&field.from, &field.param) {
                let value = row
                    .get(from)
                    .and_then(Val::text)
                    .and_then(|text| link_parameter(text, param))
                    .map(Val::Text)
                    .unwrap_or(Val::Unknown);
                row.insert(name.clone(), value);
            }
        }
        Ok(row)
    }

    fn holds(&self, row: &Row, conditions: &[Condition]) -> bool {
        conditions.iter().all(|c| {
            let value = row.get(&c.field).unwrap_or(&Val::Unknown);
            let text = value.canonical();
            if let Some(blank) = c.blank
                && (*value == Val::Unknown) != blank
            {
                return false;
            }
            if let Some(is) = c.is
                && *value != Val::Bool(is)
            {
                return false;
            }
            if let Some(values) = &c.one_of
                && (*value == Val::Unknown || !values.iter().any(|v| v.eq_ignore_ascii_case(&text)))
            {
                return false;
            }
            if let Some(values) = &c.not_in
                && *value != Val::Unknown
                && values.iter().any(|v| v.eq_ignore_ascii_case(&text))
            {
                return false;
            }
            true
        })
    }

    /// The campaign, by `--campaign`, then the codes the row carries, then a campaign column.
    /// Also returns the first code seen (kept on the row so unmatched codes can be listed).
    fn campaign(&mut self, row: &Row) -> (Option<i64>, Option<String>) {
        let mut first_code = None;
        let mut found = None;
        for field in &self.spec.codes {
            let Some(text) = row.get(field).map(Val::canonical) else {
                continue;
            };
            for code in codes_in(&text) {
                if first_code.is_none() {
                    first_code = Some(code.clone());
                }
                if found.is_none() {
                    found = self.matcher.campaign_for(&code);
                }
            }
        }
        let from_column = self
            .spec
            .campaign
            .as_ref()
            .and_then(|f| row.get(f))
            .and_then(Val::text)
            .and_then(|slug| self.campaigns.get(&slug.to_lowercase()).copied());
        let campaign = self.campaign_override.or(found).or(from_column);
        (campaign, first_code)
    }

    fn text_of(&self, row: &Row, field: &str) -> Option<String> {
        match row.get(field) {
            Some(Val::Unknown) | None => None,
            Some(v) => Some(v.canonical()),
        }
    }

    /// A day for a dated record: the field's day in the organization's zone, else `--date`.
    fn day_of(&mut self, row: &Row, field: Option<&String>) -> NaiveDate {
        match field.and_then(|f| row.get(f)) {
            Some(Val::Time(t)) => t.with_timezone(&self.org_tz).date_naive(),
            Some(Val::Date(d)) => *d,
            _ => {
                self.undated_rows += 1;
                self.undated_date
            }
        }
    }

    fn time_of(&mut self, row: &Row, field: Option<&String>) -> DateTime<Utc> {
        match field.and_then(|f| row.get(f)) {
            Some(Val::Time(t)) => *t,
            Some(Val::Date(d)) => self.midday(*d),
            _ => {
                self.undated_rows += 1;
                self.midday(self.undated_date)
            }
        }
    }

    fn midday(&self, day: NaiveDate) -> DateTime<Utc> {
        let noon = day.and_hms_opt(12, 0, 0).expect("valid time");
        self.org_tz
            .from_local_datetime(&noon)
            .earliest()
            .map(|t| t.to_utc())
            .unwrap_or_else(|| Utc.from_utc_datetime(&noon))
    }

    /// Counts emails and phones that cannot be read as one: dropping them silently would hide
    /// people from every rule and lift.
    fn note_unreadable_people(&mut self, row: &Row, line: u64) {
        let spec = std::sync::Arc::clone(&self.spec);
        for (name, field) in &spec.fields {
            let readable = match (field.kind, row.get(name).and_then(Val::text)) {
                (FieldType::Email, Some(text)) => normalize_email(text).is_some(),
                (FieldType::Phone, Some(text)) => {
                    normalize_phone(text, &self.default_country).is_some()
                }
                _ => true,
            };
            if !readable {
                let column = self
                    .columns
                    .get(name)
                    .and_then(|c| self.header.get(*c).cloned())
                    .unwrap_or_else(|| name.clone());
                let entry = self
                    .unreadable
                    .entry(column)
                    .or_insert((field.kind, 0, line));
                entry.1 += 1;
            }
        }
    }

    fn person(&self, row: &Row, email: Option<&String>, phone: Option<&String>) -> PersonIds {
        let Some(identifiers) = &self.identifiers else {
            return PersonIds::default();
        };
        let cell = |field: Option<&String>| field.and_then(|f| row.get(f)).and_then(Val::text);
        identifiers.person(cell(email), cell(phone))
    }

    fn mentions_forgotten(&self, row: &Row) -> bool {
        self.spec.records.iter().any(|record| {
            let (email, phone) = match record {
                RecordSpec::Touch { email, phone, .. }
                | RecordSpec::Action { email, phone, .. }
                | RecordSpec::Person { email, phone, .. } => (email.as_ref(), phone.as_ref()),
                _ => (None, None),
            };
            self.person(row, email, phone)
                .hashes
                .iter()
                .any(|(_, h)| self.forgotten.contains(h))
        })
    }

    /// A stable hash of what identifies a row's record in its export: the first 128 bits of a
    /// sha256, in hex. Plenty to tell rows apart (two of a billion rows share one with odds
    /// of 1 in 10^20), and half the size of the whole hash in the table and its unique index,
    /// which every imported row is filed into.
    fn source_key(&self, index: usize, row: &Row, fields: &[&str], person: &PersonIds) -> String {
        self.identity(index, row, fields, &person.row_hashes)
    }

    /// The row's identity as turnout wrote it before schema version 3, for rows about people in
    /// a database that may hold rows from then.
    fn legacy_source_key(
        &self,
        index: usize,
        row: &Row,
        fields: &[&str],
        person: &PersonIds,
    ) -> Option<String> {
        (!person.legacy_row_hashes.is_empty())
            .then(|| self.identity(index, row, fields, &person.legacy_row_hashes))
    }

    fn identity(
        &self,
        index: usize,
        row: &Row,
        fields: &[&str],
        person_hashes: &[String],
    ) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.spec.platform.as_bytes());
        hasher.update([0x1f]);
        hasher.update(index.to_string().as_bytes());
        for field in fields {
            let field_spec = self.spec.fields.get(*field);
            let is_person = matches!(
                field_spec.map(|f| f.kind),
                Some(FieldType::Email | FieldType::Phone)
            );
            hasher.update([0x1f]);
            if is_person {
                // Identify by the person's row hashes (stable across key rotations), never by
                // the raw address.
                for hash in person_hashes {
                    hasher.update(hash.as_bytes());
                }
            } else {
                hasher.update(
                    row.get(*field)
                        .map(Val::canonical)
                        .unwrap_or_default()
                        .as_bytes(),
                );
            }
        }
        crate::people::hex(&hasher.finalize()[..SOURCE_KEY_BYTES])
    }

    fn check_rates(&mut self, row: &Row, line: u64) {
        for rate in &self.spec.rates {
            let (Some(Val::Num(printed)), Some(Val::Num(top)), Some(Val::Num(bottom))) = (
                row.get(&rate.field),
                row.get(&rate.numerator),
                row.get(&rate.denominator),
            ) else {
                continue;
            };
            if *bottom == 0.0 {
                continue;
            }
            let is_percent = self.spec.fields[&rate.field].kind == FieldType::Percent;
            let computed = top / bottom * if is_percent { 100.0 } else { 1.0 };
            // Within the printed precision: half a unit of the last printed digit.
            let printed_text = self
                .columns
                .get(&rate.field)
                .map(|_| plain_number(*printed))
                .unwrap_or_default();
            let decimals = printed_text
                .split('.')
                .nth(1)
                .map(str::len)
                .unwrap_or(0)
                .max(2) as i32;
            let tolerance = 0.5 * 10f64.powi(-decimals) + 1e-9;
            if (computed - printed).abs() > tolerance && self.rate_mismatches.len() < 5 {
                let header = |f: &str| {
                    self.columns
                        .get(f)
                        .and_then(|c| self.header.get(*c).cloned())
                        .unwrap_or_else(|| f.to_string())
                };
                self.rate_mismatches.push(format!(
                    "line {line}: {} says {}{} but {} / {} is {:.*}{}",
                    header(&rate.field),
                    plain_number(*printed),
                    if is_percent { "%" } else { "" },
                    header(&rate.numerator),
                    header(&rate.denominator),
                    decimals as usize,
                    computed,
                    if is_percent { "%" } else { "" },
                ));
            }
        }
    }
}

impl RowParser for DeclarativeParser {
    fn parse(&mut self, record: &ByteRecord, line: u64) -> Result<RowOutcome, RowIssue> {
        if record.len() != self.width {
            let expected_from = if self.spec.header {
                "the header has"
            } else {
                "the profile expects"
            };
            return Err(RowIssue::ragged(
                line,
                record.len(),
                self.width,
                expected_from,
            ));
        }
        let row = self.read_row(record, line)?;
        for rule in &self.spec.skip {
            if self.holds(&row, &rule.when) {
                return Ok(RowOutcome::Skip(rule.reason.clone()));
            }
        }
        self.check_rates(&row, line);
        self.note_unreadable_people(&row, line);
        let (campaign_id, code) = self.campaign(&row);
        // A person who asked to be forgotten stays forgotten, whatever file comes in.
        if !self.forgotten.is_empty() && self.mentions_forgotten(&row) {
            return Ok(RowOutcome::Skip("forgotten".to_string()));
        }

        let mut records = Vec::new();
        let profile = std::sync::Arc::clone(&self.spec);
        for (index, spec) in profile.records.iter().enumerate() {
            if !self.holds(&row, spec.conditions()) {
                continue;
            }
            match spec {
                RecordSpec::EffortMetrics {
                    channel,
                    effort,
                    title,
                    audience,
                    sent_at,
                    date,
                    metrics,
                    ..
                } => {
                    let Some(effort_id) = self.text_of(&row, effort) else {
                        let column = self.columns.get(effort).copied();
                        return Err(self.issue(line, column, "an id", "", "this row has no id for its send or post, so its numbers cannot be kept apart from others".to_string()));
                    };
                    let channel = channels::parse(channel).ok();
                    let sent = sent_at
                        .as_ref()
                        .and_then(|f| row.get(f))
                        .and_then(|v| match v {
                            Val::Time(t) => Some(*t),
                            _ => None,
                        });
                    let day = self.day_of(&row, date.as_ref().or(sent_at.as_ref()));
                    let key = EffortKey {
                        platform: self.spec.platform.clone(),
                        alias: None,
                        external_id: effort_id,
                        column: self.columns.get(effort).map(|c| c + 1),
                        info: EffortInfo {
                            title: title
                                .as_ref()
                                .and_then(|f| self.text_of(&row, f))
                                .map(|t| short(&t)),
                            audience: audience.as_ref().and_then(|f| self.text_of(&row, f)),
                            sent_at: sent.map(|t| t.to_rfc3339()),
                        },
                    };
                    for (metric, field) in metrics {
                        if let Some(Val::Num(value)) = row.get(field) {
                            records.push(Record::Metric(MetricRecord {
                                campaign_id,
                                effort: Some(key.clone()),
                                channel,
                                metric: metric.clone(),
                                grain: Grain::Day,
                                date: day,
                                source_code: None,
                                detail: None,
                                value: *value,
                                span: Span::Own,
                            }));
                        }
                    }
                }
                RecordSpec::Metrics {
                    channel,
                    date,
                    end_date,
                    detail,
                    source,
                    metrics,
                    ..
                } => {
                    let (day, grain, span) = match self.moment {
                        Moment::Events => (self.day_of(&row, date.as_ref()), Grain::Day, Span::Own),
                        Moment::AsOf { day, .. } => (day, Grain::Day, Span::Snapshot),
                        Moment::Period { given, date: day } => {
                            let day_in = |field: &Option<String>| match field
                                .as_ref()
                                .and_then(|f| row.get(f))
                            {
                                Some(Val::Date(d)) => Some(*d),
                                Some(Val::Time(t)) => {
                                    Some(t.with_timezone(&self.org_tz).date_naive())
                                }
                                _ => None,
                            };
                            let file = day_in(date)
                                .zip(day_in(end_date))
                                .map(|(first, last)| DayRange { first, last });
                            let range = shape::period_of(file, given, day)
                                .map_err(|reason| self.issue(line, None, "a period", "", reason))?;
                            shape::placement(range)
                        }
                    };
                    let detail = detail.as_ref().and_then(|f| self.text_of(&row, f));
                    let source = source
                        .as_ref()
                        .and_then(|f| self.text_of(&row, f))
                        .or(code.clone());
                    let channel = channel.as_deref().and_then(|c| channels::parse(c).ok());
                    for (metric, field) in metrics {
                        if let Some(Val::Num(value)) = row.get(field) {
                            records.push(Record::Metric(MetricRecord {
                                campaign_id,
                                effort: None,
                                channel,
                                metric: metric.clone(),
                                grain,
                                date: day,
                                source_code: source.clone(),
                                detail: detail.clone(),
                                value: *value,
                                span,
                            }));
                        }
                    }
                }
                RecordSpec::Touch {
                    touch,
                    channel,
                    effort,
                    time,
                    email,
                    phone,
                    key: _,
                    alias,
                    ..
                } => {
                    let person = self.person(&row, email.as_ref(), phone.as_ref());
                    if person.hashes.is_empty() {
                        return Ok(RowOutcome::Skip(
                            "no usable email or phone, so the contact cannot be tied to a person"
                                .to_string(),
                        ));
                    }
                    let Some(effort_id) = self.text_of(&row, effort) else {
                        let column = self.columns.get(effort).copied();
                        return Err(self.issue(
                            line,
                            column,
                            "the id of the send",
                            "",
                            "this row does not say which send it belongs to".to_string(),
                        ));
                    };
                    let at = self.time_of(&row, Some(time));
                    records.push(Record::Touch(TouchRecord {
                        person,
                        effort: EffortKey {
                            platform: self.spec.platform.clone(),
                            alias: alias
                                .as_ref()
                                .and_then(|f| self.text_of(&row, f))
                                .filter(|a| *a != effort_id),
                            external_id: effort_id,
                            column: self.columns.get(effort).map(|c| c + 1),
                            info: EffortInfo::default(),
                        },
                        channel: channels::parse(channel).unwrap_or("other"),
                        campaign_id,
                        kind: touch_kinds::code(touch).unwrap_or(touch_kinds::OPENED),
                        at: at.timestamp(),
                        local_date: at.with_timezone(&self.org_tz).date_naive(),
                    }));
                }
                RecordSpec::Action {
                    metric,
                    time,
                    email,
                    phone,
                    amount,
                    event,
                    at_event_start,
                    channel,
                    channel_from,
                    key,
                    ..
                } => {
                    let person = self.person(&row, email.as_ref(), phone.as_ref());
                    let at = self.time_of(&row, Some(time));
                    let amount = match amount.as_ref().and_then(|f| row.get(f)) {
                        Some(Val::Num(n)) => *n,
                        Some(_) | None if amount.is_some() => continue,
                        _ => 1.0,
                    };
                    let mut fields: Vec<&str> = key.iter().map(String::as_str).collect();
                    if fields.is_empty() {
                        fields = vec![time.as_str()];
                        fields.extend(email.as_deref());
                        fields.extend(phone.as_deref());
                        fields.extend(event.as_deref());
                    }
                    let source_key = self.source_key(index, &row, &fields, &person);
                    let legacy_source_key = self.legacy_source_key(index, &row, &fields, &person);
                    records.push(Record::Action(ActionRecord {
                        person,
                        campaign_id,
                        metric: metric.clone(),
                        at,
                        local_date: at.with_timezone(&self.org_tz).date_naive(),
                        amount,
                        channel: channel
                            .as_deref()
                            .or(channel_from
                                .as_ref()
                                .and_then(|f| row.get(f))
                                .and_then(Val::text))
                            .and_then(|c| channels::parse(c).ok()),
                        source_code: code.clone(),
                        event: event
                            .as_ref()
                            .and_then(|f| self.text_of(&row, f))
                            .map(|id| (self.spec.platform.clone(), id)),
                        at_event_start: *at_event_start,
                        source_key,
                        legacy_source_key,
                    }));
                }
                RecordSpec::Event {
                    event,
                    starts,
                    title,
                    ..
                } => {
                    let Some(id) = self.text_of(&row, event) else {
                        continue;
                    };
                    let starts_at =
                        starts
                            .as_ref()
                            .and_then(|f| row.get(f))
                            .and_then(|v| match v {
                                Val::Time(t) => Some(*t),
                                _ => None,
                            });
                    records.push(Record::Event(EventRecord {
                        platform: self.spec.platform.clone(),
                        external_id: id,
                        campaign_id,
                        title: title
                            .as_ref()
                            .and_then(|f| self.text_of(&row, f))
                            .map(|t| short(&t)),
                        starts_at,
                        starts_local: starts_at.map(|t| t.with_timezone(&self.org_tz).date_naive()),
                    }));
                }
                RecordSpec::Plan {
                    date,
                    time,
                    channel,
                    audience,
                    title,
                    goal,
                    owner,
                    ..
                } => {
                    let text = |f: &String| self.text_of(&row, f);
                    let column = |f: &String| self.columns.get(f).copied();
                    let day = match row.get(date) {
                        Some(Val::Date(d)) => *d,
                        Some(Val::Time(t)) => t.with_timezone(&self.org_tz).date_naive(),
                        _ => {
                            return Err(self.issue(
                                line,
                                column(date),
                                "a date, e.g. 2026-10-13",
                                "",
                                "this plan item has no date".to_string(),
                            ));
                        }
                    };
                    let time_column = time.as_ref().and_then(column);
                    let time = time.as_ref().and_then(text);
                    if let Some(t) = &time
                        && chrono::NaiveTime::parse_from_str(t, "%H:%M").is_err()
                    {
                        return Err(self.issue(
                            line,
                            time_column,
                            "a time of day as HH:MM, e.g. 18:00",
                            t,
                            format!("'{t}' is not a time of day; write it as HH:MM, e.g. 18:00"),
                        ));
                    }
                    let channel_text = text(channel).unwrap_or_default();
                    let Ok(channel) = channels::parse(&channel_text) else {
                        return Err(self.issue(
                            line,
                            column(channel),
                            "a channel",
                            &channel_text,
                            channels::unknown_message(&channel_text),
                        ));
                    };
                    let Some(audience) = text(audience) else {
                        return Err(self.issue(
                            line,
                            column(audience),
                            "an audience",
                            "",
                            "say who the item is for (the audience column), e.g. members"
                                .to_string(),
                        ));
                    };
                    let Some(title) = text(title) else {
                        return Err(self.issue(
                            line,
                            column(title),
                            "a title",
                            "",
                            "give the item a title".to_string(),
                        ));
                    };
                    let goal = match goal.as_ref().and_then(text) {
                        Some(name) => {
                            match self
                                .vocabulary_names
                                .iter()
                                .find(|m| m.eq_ignore_ascii_case(&name))
                            {
                                Some(m) => Some(m.clone()),
                                None => {
                                    let column = goal.as_ref().and_then(column);
                                    return Err(self.issue(line, column, "a metric", &name, format!("'{name}' is not a known metric; see turnout metric list")));
                                }
                            }
                        }
                        None => None,
                    };
                    let mut hasher = Sha256::new();
                    for part in [
                        campaign_id.map(|c| c.to_string()).unwrap_or_default(),
                        day.to_string(),
                        channel.to_string(),
                        audience.to_lowercase(),
                        title.clone(),
                    ] {
                        hasher.update(part.as_bytes());
                        hasher.update([0x1f]);
                    }
                    let source_key = crate::people::hex(&hasher.finalize());
                    records.push(Record::Plan(PlanRecord {
                        campaign_id,
                        day,
                        time,
                        channel,
                        audience,
                        title: short(&title),
                        goal,
                        owner: owner.as_ref().and_then(text),
                        source_key,
                    }));
                }
                RecordSpec::Person { email, phone, .. } => {
                    let person = self.person(&row, email.as_ref(), phone.as_ref());
                    if person.hashes.is_empty() {
                        return Ok(RowOutcome::Skip("no usable email or phone".to_string()));
                    }
                    records.push(Record::Person(person));
                }
            }
        }
        if records.is_empty() {
            return Ok(RowOutcome::Skip(
                "no numbers in this row (every count is blank or unknown)".to_string(),
            ));
        }
        Ok(RowOutcome::Records(records))
    }

    fn warnings(&self) -> Vec<String> {
        let mut warnings: Vec<String> = self
            .rate_mismatches
            .iter()
            .map(|m| format!("the file's own rate differs from its counts, {m}"))
            .collect();
        for (column, (kind, count, first_line)) in &self.unreadable {
            let (what, fix) = if *kind == FieldType::Phone {
                (
                    "phone number(s)",
                    "write them with their country code (+380...), or set the country of numbers without one: turnout config set default_country UA",
                )
            } else {
                (
                    "email address(es)",
                    "correct them in the tool and export again",
                )
            };
            warnings.push(format!(
                "{IDENTIFIERS_DROPPED} {count} {what} in column '{column}' could not be read (the first on line {first_line}): their rows count, but as no one, so no rule or lift sees them; {fix}"
            ));
        }
        warnings
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.undated_rows > 0 {
            notes.push(if self.date_given {
                format!("{} value(s) carried no date of their own and were dated {} (--date)", self.undated_rows, self.undated_date)
            } else {
                format!(
                    "{} value(s) carried no date of their own and were dated {} (the import day; pass --date to choose another)",
                    self.undated_rows, self.undated_date
                )
            });
        }
        notes.extend(self.warnings());
        if !self.ignored.is_empty() {
            notes.push(format!(
                "columns this profile does not use (ignored): {}",
                self.ignored.join(", ")
            ));
        }
        notes
    }
}

/// How a warning about emails or phones that could not be read begins (`check` names it).
pub const IDENTIFIERS_DROPPED: &str = "identifiers dropped:";

/// Titles are kept short: they name a send or post, they are not its content.
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    if line.chars().count() > 80 {
        format!("{}...", line.chars().take(77).collect::<String>())
    } else {
        line.to_string()
    }
}
