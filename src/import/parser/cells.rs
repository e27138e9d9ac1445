//! Reading one cell of an export: dates, weeks and timestamps, with the source time zone applied
//! and the organization's zone deciding the day. Errors carry what was expected and what was found.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::dates::parse_week;

pub use crate::import::model::Grain;

/// A cell read as a date: the day (or the Monday of the week) in the organization's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatedCell {
    pub date: NaiveDate,
    pub grain: Grain,
    /// True when the cell was a timestamp (so a `--tz` applied to it).
    pub was_timestamp: bool,
}

/// How far from today a date may plausibly be; anything outside is a typo or a broken export.
pub struct DateBounds {
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
}

impl DateBounds {
    /// From 2000-01-01 to a year after today.
    pub fn around(today: NaiveDate) -> DateBounds {
        DateBounds {
            earliest: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(today),
            latest: today + Duration::days(366),
        }
    }
}

pub const DATE_FORMS: &str = "a date (2026-10-05), an ISO week (2026-W41) or a time (2026-10-05 18:30 or 2026-10-05T18:30:00Z)";

/// Reads `YYYY-MM-DD`, `YYYY-Www`, or a timestamp. Timestamps without an offset are in
/// `source_tz`; the result's day is taken in `org_tz`.
pub fn parse_dated(
    text: &str,
    source_tz: Tz,
    org_tz: Tz,
    bounds: &DateBounds,
) -> Result<DatedCell, String> {
    let text = text.trim();
    let cell = if let Some(monday) = parse_week(text) {
        DatedCell {
            date: monday,
            grain: Grain::Week,
            was_timestamp: false,
        }
    } else if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && text.len() == 10
    {
        DatedCell {
            date,
            grain: Grain::Day,
            was_timestamp: false,
        }
    } else if let Some(instant) = parse_timestamp(text, source_tz) {
        DatedCell {
            date: instant.with_timezone(&org_tz).date_naive(),
            grain: Grain::Day,
            was_timestamp: true,
        }
    } else {
        return Err(format!("expected {DATE_FORMS}"));
    };
    if cell.date < bounds.earliest || cell.date > bounds.latest {
        return Err(format!(
            "expected a date between {} and {} (a year from today)",
            bounds.earliest, bounds.latest
        ));
    }
    Ok(cell)
}

/// A timestamp with an explicit offset (RFC 3339, `+00` style), or a local one in `source_tz`.
pub(crate) fn parse_timestamp(text: &str, source_tz: Tz) -> Option<DateTime<chrono::Utc>> {
    if let Some(local) = plain_iso_timestamp(text) {
        return source_tz
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.to_utc());
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.to_utc());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y-%m-%d %H:%M%#z",
        "%Y-%m-%dT%H:%M:%S%.f%#z",
    ] {
        if let Ok(instant) = DateTime::parse_from_str(text, format) {
            return Some(instant.to_utc());
        }
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            // A local time that a clock change skipped or repeated takes the earlier reading.
            return source_tz
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.to_utc());
        }
    }
    None
}

/// `YYYY-MM-DD HH:MM:SS` (or with a `T`), the shape most exports use, read without chrono's
/// format machinery: an import reads millions of these. Anything else returns None and goes
/// through the general formats.
fn plain_iso_timestamp(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b' ' || b[10] == b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?.and_hms_opt(
        number(11..13)?,
        number(14..16)?,
        number(17..19)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_shape_reads_as_the_general_formats_do() {
        for text in [
            "2026-09-08 07:45:07",
            "2026-09-08T23:59:59",
            "2024-02-29 12:00:00",
        ] {
            let general =
                NaiveDateTime::parse_from_str(&text.replace('T', " "), "%Y-%m-%d %H:%M:%S");
            assert_eq!(plain_iso_timestamp(text), general.ok(), "{text}");
        }
        for text in [
            "2026-02-30 07:45:07",
            "2026-09-08 24:00:00",
            "2026-09-08 07:45",
            "２026-09-08 07:45:07",
            "2026-09-08 07:45:07Z",
        ] {
            assert_eq!(plain_iso_timestamp(text), None, "{text}");
        }
    }

    fn bounds() -> DateBounds {
        DateBounds::around(NaiveDate::from_ymd_opt(2026, 10, 14).unwrap())
    }

    #[test]
    fn reads_days_weeks_and_timestamps() {
        let utc = chrono_tz::UTC;
        let la = chrono_tz::America::Los_Angeles;
        let day = parse_dated("2026-10-05", utc, la, &bounds()).unwrap();
        assert_eq!(
            (day.date.to_string(), day.grain),
            ("2026-10-05".into(), Grain::Day)
        );
        let week = parse_dated("2026-W41", utc, la, &bounds()).unwrap();
        assert_eq!(
            (week.date.to_string(), week.grain),
            ("2026-10-05".into(), Grain::Week)
        );
        // 03:00 UTC on Oct 6 is still Oct 5 in Los Angeles.
        let late = parse_dated("2026-10-06T03:00:00Z", utc, la, &bounds()).unwrap();
        assert_eq!(late.date.to_string(), "2026-10-05");
        // A local time in the source zone: 23:30 in New York is 20:30 in Los Angeles, same day.
        let ny = parse_dated(
            "2026-10-05 23:30",
            chrono_tz::America::New_York,
            la,
            &bounds(),
        )
        .unwrap();
        assert_eq!(ny.date.to_string(), "2026-10-05");
        let pg = parse_dated("2026-09-18 07:48:59.593476+00", utc, utc, &bounds()).unwrap();
        assert_eq!(pg.date.to_string(), "2026-09-18");
    }

    #[test]
    fn refuses_implausible_dates() {
        let utc = chrono_tz::UTC;
        assert!(parse_dated("1999-12-31", utc, utc, &bounds()).is_err());
        assert!(parse_dated("2030-01-01", utc, utc, &bounds()).is_err());
        assert!(parse_dated("10/05/2026", utc, utc, &bounds()).is_err());
        assert!(parse_dated("2026-02-30", utc, utc, &bounds()).is_err());
    }
}
