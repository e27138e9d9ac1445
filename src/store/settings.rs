//! Organization-wide settings (`turnout config`): each key, its default, and how it is checked.
//!
//! Settings live in the database so that everyone sharing a database shares them; the time zone in
//! particular decides which day and week every number falls in.

use anyhow::{Result, bail};
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, params};

/// A setting users can change, with its default and what it means.
pub struct SettingSpec {
    pub key: &'static str,
    pub default: &'static str,
    pub description: &'static str,
}

pub const SETTINGS: &[SettingSpec] = &[
    SettingSpec {
        key: "timezone",
        default: "UTC",
        description: "The organization's time zone (IANA name, e.g. America/Los_Angeles): days and ISO weeks are counted in it",
    },
    SettingSpec {
        key: "aggregates_only",
        default: "false",
        description: "true: briefs show only aggregates (no person-level rows) and counts below 5 as <5, unless asked otherwise",
    },
    SettingSpec {
        key: "default_country",
        default: "US",
        description: "Country assumed for phone numbers written without a country code (ISO 3166 code); the locale's country when only the locale is set",
    },
    SettingSpec {
        key: "locale",
        default: "",
        description: "How the organization's files write numbers and dates (a BCP 47 tag: uk-UA, de-DE, fr-FR, en-US): the decimal mark, thousands, day or month first. Unset, a value that reads two ways is refused",
    },
];

pub const LOCALE: &str = "locale";

pub const TIMEZONE: &str = "timezone";

fn spec(key: &str) -> Result<&'static SettingSpec> {
    match SETTINGS.iter().find(|s| s.key == key) {
        Some(spec) => Ok(spec),
        None => {
            let known: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
            bail!(
                "there is no setting called '{key}'. Known settings: {}",
                known.join(", ")
            )
        }
    }
}

/// The stored value, or the default when none was set.
pub fn get(conn: &Connection, key: &str) -> Result<String> {
    let spec = spec(key)?;
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM setting WHERE key = ?1",
            params![key],
            |row| row.get(0),
        )
        .optional()?;
    Ok(stored.unwrap_or_else(|| spec.default.to_string()))
}

/// Checks and stores a value; returns the value as stored (normalized).
pub fn set(conn: &Connection, key: &str, value: &str) -> Result<String> {
    spec(key)?;
    let value = value.trim();
    let normalized = match key {
        TIMEZONE => parse_timezone(value)?.name().to_string(),
        "aggregates_only" => match value.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => "true".to_string(),
            "false" | "no" | "off" | "0" => "false".to_string(),
            _ => bail!("aggregates_only is true or false; found '{value}'"),
        },
        LOCALE => {
            crate::locale::Locale::parse(value)
                .map_err(|message| anyhow::anyhow!(message))?
                .tag
        }
        "default_country" => {
            if !crate::people::known_country(value) {
                bail!(
                    "default_country must be a two-letter ISO 3166 country code, such as UA, DE, MX or US; found '{value}'. \
                     Numbers written with + and their country code work whatever this is"
                );
            }
            value.to_ascii_uppercase()
        }
        _ => value.to_string(),
    };
    conn.execute(
        "INSERT INTO setting (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, normalized],
    )?;
    Ok(normalized)
}

/// Whether the value was set explicitly (rather than being the default).
pub fn is_set(conn: &Connection, key: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM setting WHERE key = ?1", params![key], |_| {
            Ok(())
        })
        .optional()?
        .is_some())
}

/// The organization's locale, when one was set.
pub fn locale(conn: &Connection) -> Result<Option<crate::locale::Locale>> {
    let tag = get(conn, LOCALE)?;
    if tag.is_empty() {
        return Ok(None);
    }
    crate::locale::Locale::parse(&tag)
        .map(Some)
        .map_err(|message| anyhow::anyhow!(message))
}

/// The country of phone numbers written without a country code: `default_country` when set,
/// else the locale's country (when turnout knows its numbering), else the default.
pub fn phone_country(conn: &Connection) -> Result<String> {
    if !is_set(conn, "default_country")?
        && let Some(country) = locale(conn)?.and_then(|l| l.country)
        && crate::people::known_country(&country)
    {
        return Ok(country);
    }
    get(conn, "default_country")
}

/// The organization's time zone.
pub fn timezone(conn: &Connection) -> Result<Tz> {
    parse_timezone(&get(conn, TIMEZONE)?)
}

/// Parses an IANA time zone name, with an error that says what one looks like.
pub fn parse_timezone(name: &str) -> Result<Tz> {
    match name.trim().parse::<Tz>() {
        Ok(tz) => Ok(tz),
        Err(_) => bail!(
            "'{name}' is not a time zone turnout knows. Use an IANA name such as UTC, America/New_York, \
             America/Los_Angeles or Europe/London"
        ),
    }
}
