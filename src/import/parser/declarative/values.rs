//! A row's cells as typed values: `Val`, how a cell is read as its field's type (`read_value`),
//! which texts mean "unknown", and the short form titles are kept in.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::import::model::spec::{FieldSpec, FieldType};
use crate::import::parser::cells::parse_timestamp;
use crate::locale::Locale;
use crate::output::plain_number;
use crate::values::parse_value_in;

const DEFAULT_UNKNOWN: &[&str] = &["", "-", "n/a", "na", "null", "none", "--"];

/// A cell, read as its field's type. Text borrows the file's record (or the parser's constants)
/// where it can: a million rows should not cost a million copies of each cell.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val<'a> {
    Unknown,
    Text(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    Time(DateTime<Utc>),
    Date(NaiveDate),
    /// An ISO week (`2026-W41`) in a `date` field, by its Monday: a sheet of one row per week
    /// gives each number for the whole week.
    Week(NaiveDate),
}

/// One row, read: a value per field of the profile (in the order of `names`, the profile's
/// field names, sorted), or none for a field the file does not have.
pub(super) struct Row<'a> {
    names: &'a [String],
    values: Vec<Option<Val<'a>>>,
}

impl<'a> Row<'a> {
    pub(super) fn new(names: &'a [String]) -> Row<'a> {
        Row {
            names,
            values: vec![None; names.len()],
        }
    }

    pub(super) fn get(&self, name: &str) -> Option<&Val<'a>> {
        let index = self.index(name)?;
        self.values[index].as_ref()
    }

    /// Sets a field's value; the field is one of the profile's.
    pub(super) fn set(&mut self, name: &str, value: Val<'a>) {
        let index = self.index(name).expect("a field of the profile");
        self.values[index] = Some(value);
    }

    /// Sets the value of the field at this place of the profile's (sorted) field names.
    pub(super) fn set_at(&mut self, index: usize, value: Val<'a>) {
        self.values[index] = Some(value);
    }

    // A profile has a handful of fields: a scan that compares lengths first touches fewer
    // bytes than a binary search comparing every name on its way.
    fn index(&self, name: &str) -> Option<usize> {
        self.names
            .iter()
            .position(|n| n.len() == name.len() && n.as_bytes() == name.as_bytes())
    }
}

impl<'a> Val<'a> {
    pub(super) fn text(&self) -> Option<&str> {
        match self {
            Val::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The same value, borrowing this one's text.
    pub(super) fn view(&self) -> Val<'_> {
        match self {
            Val::Text(t) => Val::Text(Cow::Borrowed(t)),
            Val::Unknown => Val::Unknown,
            Val::Num(n) => Val::Num(*n),
            Val::Bool(b) => Val::Bool(*b),
            Val::Time(t) => Val::Time(*t),
            Val::Date(d) => Val::Date(*d),
            Val::Week(d) => Val::Week(*d),
        }
    }

    /// The same value, owning its text.
    pub(super) fn into_owned(self) -> Val<'static> {
        match self {
            Val::Text(t) => Val::Text(Cow::Owned(t.into_owned())),
            Val::Unknown => Val::Unknown,
            Val::Num(n) => Val::Num(n),
            Val::Bool(b) => Val::Bool(b),
            Val::Time(t) => Val::Time(t),
            Val::Date(d) => Val::Date(d),
            Val::Week(d) => Val::Week(d),
        }
    }

    /// The day of a date, or the Monday of a week.
    pub(super) fn day(&self) -> Option<NaiveDate> {
        match self {
            Val::Date(d) | Val::Week(d) => Some(*d),
            _ => None,
        }
    }

    /// The value as text, for identity keys and codes.
    pub(super) fn canonical(&self) -> String {
        match self {
            Val::Unknown => String::new(),
            Val::Text(t) => t.to_string(),
            Val::Num(n) => plain_number(*n),
            Val::Bool(b) => b.to_string(),
            Val::Time(t) => t.to_rfc3339(),
            Val::Date(d) => d.to_string(),
            Val::Week(d) => crate::dates::week_label(*d),
        }
    }
}

pub(super) fn is_unknown(field: &FieldSpec, text: &str) -> bool {
    if text.is_empty() {
        return !field.blank_is_zero;
    }
    match &field.unknown {
        Some(values) => values.iter().any(|v| v.eq_ignore_ascii_case(text)),
        None => DEFAULT_UNKNOWN.iter().any(|v| v.eq_ignore_ascii_case(text)),
    }
}

/// Reads one cell, its numbers and days as `locale` writes them. The error is (what was
/// expected, the real cause when there is more to say than the wrong shape).
pub(super) fn read_value<'a>(
    field: &FieldSpec,
    text: &'a str,
    zone: Tz,
    locale: Option<&Locale>,
) -> Result<Val<'a>, (String, String)> {
    if text.is_empty() && field.blank_is_zero {
        return Ok(Val::Num(0.0));
    }
    if is_unknown(field, text) {
        return Ok(Val::Unknown);
    }
    let fail = |expected: &str| Err((expected.to_string(), String::new()));
    let because =
        |expected: &str, why: Option<String>| Err((expected.to_string(), why.unwrap_or_default()));
    let number = |text: &str| -> Result<f64, Option<String>> {
        let plain = crate::locale::number(text, locale)
            .map_err(|why| Some(why).filter(|w| !w.is_empty()))?;
        match plain.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err(None),
        }
    };
    match field.kind {
        FieldType::Text | FieldType::Email | FieldType::Phone | FieldType::PlatformId => {
            Ok(Val::Text(Cow::Borrowed(text)))
        }
        FieldType::Count => {
            // "1,234", "424.0"; Mailchimp single reports add a rate: "141 (8.1%)".
            let number = text.split(" (").next().unwrap_or(text);
            parse_value_in(number, crate::metrics::Unit::Count, locale)
                .map(Val::Num)
                .or_else(|e| because("a whole number of zero or more, e.g. 1,234", e.reason))
        }
        FieldType::Amount => {
            let cleaned: String = text
                .chars()
                .filter(|c| !matches!(c, '$' | '€' | '£' | '₴'))
                .collect();
            parse_value_in(cleaned.trim(), crate::metrics::Unit::Amount, locale)
                .map(Val::Num)
                .or_else(|e| because("an amount of money of zero or more, e.g. 25.00", e.reason))
        }
        FieldType::Number | FieldType::Fraction => match number(text) {
            Ok(n) => Ok(Val::Num(n)),
            Err(why) => because("a number, e.g. 0.6325", why),
        },
        FieldType::Percent => match number(text.trim_end_matches('%').trim()) {
            Ok(n) if (0.0..=100.0).contains(&n) => Ok(Val::Num(n)),
            Ok(_) => fail("a percentage between 0% and 100%"),
            Err(why) => because("a percentage, e.g. 33.98%", why),
        },
        FieldType::Bool => match text.to_lowercase().as_str() {
            "t" | "true" | "1" | "yes" | "y" => Ok(Val::Bool(true)),
            "f" | "false" | "0" | "no" | "n" => Ok(Val::Bool(false)),
            _ => fail("true or false (t/f, 1/0, yes/no)"),
        },
        FieldType::Time => read_time(field, text, zone, locale),
        FieldType::Date => {
            if let Some(monday) = crate::dates::parse_week(text) {
                return Ok(Val::Week(monday));
            }
            for format in field.formats.iter().map(String::as_str).chain(["%Y-%m-%d"]) {
                if let Ok(d) = NaiveDate::parse_from_str(text, format) {
                    return Ok(Val::Date(d));
                }
            }
            match crate::locale::day(text, locale) {
                Ok(Some(day)) => Ok(Val::Date(day)),
                Ok(None) => fail("a date, e.g. 2026-10-05, or a week, e.g. 2026-W41"),
                Err(why) => because(
                    "a date, e.g. 2026-10-05, or a week, e.g. 2026-W41",
                    Some(why),
                ),
            }
        }
    }
}

/// A date and time: by the field's formats (with or without an offset; without, in `zone`),
/// then by the shapes turnout knows.
fn read_time(
    field: &FieldSpec,
    text: &str,
    zone: Tz,
    locale: Option<&Locale>,
) -> Result<Val<'static>, (String, String)> {
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
    if let Some(t) = parse_timestamp(text, zone) {
        return Ok(Val::Time(t));
    }
    let why = match local_day_time(text, locale) {
        Ok(Some(local)) => match zone.from_local_datetime(&local).earliest() {
            Some(t) => return Ok(Val::Time(t.to_utc())),
            None => String::new(),
        },
        Ok(None) => String::new(),
        Err(why) => why,
    };
    let expected = format!(
        "a date and time{}",
        field
            .formats
            .first()
            .map(|f| format!(" like {}", example_time(f)))
            .unwrap_or_else(|| " like 2026-10-05 18:30:00".to_string())
    );
    Err((expected, why))
}

/// `13.10.2026 18:30`, `13/10/2026 18:30:05`, `10/13/2026`: a day in the locale's order (see
/// `locale::day`), and the time of day when one follows.
fn local_day_time(text: &str, locale: Option<&Locale>) -> Result<Option<NaiveDateTime>, String> {
    let (day_part, time_part) = match text.split_once([' ', 'T']) {
        Some((day, time)) => (day, Some(time.trim())),
        None => (text, None),
    };
    let Some(day) = crate::locale::day(day_part, locale)? else {
        return Ok(None);
    };
    let time = match time_part {
        None => chrono::NaiveTime::MIN,
        Some(time) => match ["%H:%M:%S", "%H:%M"]
            .iter()
            .find_map(|f| chrono::NaiveTime::parse_from_str(time, f).ok())
        {
            Some(time) => time,
            None => return Ok(None),
        },
    };
    Ok(Some(day.and_time(time)))
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

/// Titles are kept short: they name a send or post, they are not its content.
pub(super) fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    if line.chars().count() > 80 {
        format!("{}...", line.chars().take(77).collect::<String>())
    } else {
        line.to_string()
    }
}
