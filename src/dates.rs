//! Dates, ISO weeks and report periods, as organizers write them.
//!
//! Weeks are ISO weeks (Monday start) written `2026-W41`; a weekly number is dated on the Monday
//! that starts its week. Report periods follow hledger: `--begin` is inclusive, `--end` exclusive,
//! and either may be a day, a week, a month (`2026-10`) or a year (`2026`).

use anyhow::{Result, bail};
use chrono::{Datelike, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

/// Parses `YYYY-MM-DD`.
/// An instant as stored: RFC 3339 in UTC (`2026-09-08T07:45:07+00:00`), the same text as
/// chrono's `to_rfc3339`, written without its general formatter (imports write millions).
pub fn rfc3339_utc(at: &chrono::DateTime<Utc>) -> String {
    use chrono::Timelike;
    if at.nanosecond() != 0 {
        return at.to_rfc3339();
    }
    let mut text = iso_date(at.date_naive());
    let (h, m, s) = (at.hour(), at.minute(), at.second());
    for (separator, value) in [('T', h), (':', m), (':', s)] {
        text.push(separator);
        text.push(char::from(b'0' + (value / 10) as u8));
        text.push(char::from(b'0' + (value % 10) as u8));
    }
    text.push_str("+00:00");
    text
}

/// Seconds since 1970 of a stored instant (RFC 3339), as SQLite's `unixepoch` gives them. The
/// form turnout writes (`2026-09-08T07:45:07+00:00`) is read directly: reports read millions.
pub fn epoch_seconds(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() == 25 && text.ends_with("+00:00") && b[10] == b'T' {
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            b[range].iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if b[4] == b'-' && b[7] == b'-' && b[13] == b':' && b[16] == b':' {
            return NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?
                .and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)
                .map(|t| t.and_utc().timestamp());
        }
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    // Without an offset, UTC, as SQLite reads it (`datetime()` writes `2026-09-01 00:00:00`).
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d",
    ]
    .iter()
    .find_map(|format| {
        chrono::NaiveDateTime::parse_from_str(text, format)
            .ok()
            .or_else(|| {
                NaiveDate::parse_from_str(text, format)
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            })
    })
    .map(|t| t.and_utc().timestamp())
}

/// A day as stored: `YYYY-MM-DD`.
pub fn iso_date(day: NaiveDate) -> String {
    let year = day.year();
    if !(0..=9999).contains(&year) {
        return day.to_string();
    }
    let mut text = String::with_capacity(25);
    for (value, width) in [(year as u32, 4), (day.month(), 2), (day.day(), 2)] {
        if width == 2 {
            text.push('-');
        }
        let mut digits = [b'0'; 4];
        let mut rest = value;
        for slot in digits[..width].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        text.push_str(std::str::from_utf8(&digits[..width]).expect("ASCII digits"));
    }
    text
}

pub fn parse_date(text: &str) -> Result<NaiveDate> {
    let text = text.trim();
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if text.len() == 10 => Ok(date),
        _ => bail!(
            "'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-10-30{}",
            did_you_mean(text)
        ),
    }
}

/// For a day written another way (`10/13/2026`, `13.10.2026`): the ISO day it is, or both
/// when it reads two ways (`03/04/2026`); empty when it is no day at all.
fn did_you_mean(text: &str) -> String {
    use crate::locale::{DateOrder, Locale, day};
    let read = |order| day(text, Some(&Locale::shown_by_column(None, Some(order))));
    match (read(DateOrder::MonthFirst), read(DateOrder::DayFirst)) {
        (Ok(Some(m)), Ok(Some(d))) if m != d => {
            format!("; did you mean {m} (the month first, as in the US) or {d} (the day first)?")
        }
        (Ok(Some(day)), _) | (_, Ok(Some(day))) => format!("; did you mean {day}?"),
        _ => String::new(),
    }
}

/// Parses an ISO week `YYYY-Www` (e.g. `2026-W41`) to the Monday that starts it.
pub fn parse_week(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let (year, week) = text.split_once(['W', 'w'])?;
    let year: i32 = year.strip_suffix('-').unwrap_or(year).parse().ok()?;
    if week.len() != 2 || !week.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let week: u32 = week.parse().ok()?;
    NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
}

/// A week as a flag gives it: an ISO week (`2026-W41`), or a week of the current year (`W41`,
/// resolved against `--today`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekArg {
    Iso(NaiveDate),
    OfYear(u32),
}

impl WeekArg {
    /// Reads a week flag, with an error that says how to write one.
    pub fn parse(text: &str) -> Result<WeekArg> {
        let text = text.trim();
        if let Some(monday) = parse_week(text) {
            return Ok(WeekArg::Iso(monday));
        }
        let number = text
            .strip_prefix(['W', 'w'])
            .and_then(|n| n.parse::<u32>().ok());
        match number {
            Some(week @ 1..=53) => Ok(WeekArg::OfYear(week)),
            _ => bail!(
                "'{text}' is not an ISO week; write it as YYYY-Www, e.g. 2026-W41, or W41 for this year's (weeks start on Monday)"
            ),
        }
    }

    /// The Monday that starts it; `W41` is week 41 of `today`'s ISO year.
    pub fn monday(self, today: NaiveDate) -> Result<NaiveDate> {
        match self {
            WeekArg::Iso(monday) => Ok(monday),
            WeekArg::OfYear(week) => {
                let year = today.iso_week().year();
                match NaiveDate::from_isoywd_opt(year, week, Weekday::Mon) {
                    Some(monday) => Ok(monday),
                    None => bail!("{year} has no week {week}: its last is week 52"),
                }
            }
        }
    }
}

/// The Monday that starts the ISO week holding `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    let offset = date.weekday().num_days_from_monday() as i64;
    date - chrono::Duration::days(offset)
}

/// `2026-W41` for any day of that ISO week.
pub fn week_label(date: NaiveDate) -> String {
    let week = date.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// `2026-10` for any day of that month.
pub fn month_label(date: NaiveDate) -> String {
    format!("{}-{:02}", date.year(), date.month())
}

/// The first day of a period boundary written as a day, an ISO week, a month or a year.
pub fn parse_period_start(text: &str) -> Result<NaiveDate> {
    let trimmed = text.trim();
    if let Some(monday) = parse_week(trimmed) {
        return Ok(monday);
    }
    if let Ok(date) = parse_date(trimmed) {
        return Ok(date);
    }
    if trimmed.len() == 7
        && let Ok(date) = NaiveDate::parse_from_str(&format!("{trimmed}-01"), "%Y-%m-%d")
    {
        return Ok(date);
    }
    if trimmed.len() == 4
        && let Ok(year) = trimmed.parse::<i32>()
        && let Some(date) = NaiveDate::from_ymd_opt(year, 1, 1)
    {
        return Ok(date);
    }
    bail!(
        "'{trimmed}' is not a date or period; write a day (2026-10-05), a week (2026-W41), a month (2026-10) or a year (2026){}",
        did_you_mean(trimmed)
    )
}

/// Today's date in the organization's time zone.
pub fn today_in(tz: Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}

/// A half-open range of days `[begin, end)`; either side may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub begin: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl Period {
    pub fn from_args(begin: Option<&str>, end: Option<&str>) -> Result<Period> {
        let period = Period {
            begin: begin.map(parse_period_start).transpose()?,
            end: end.map(parse_period_start).transpose()?,
        };
        if let (Some(b), Some(e)) = (period.begin, period.end)
            && e <= b
        {
            bail!(
                "--end {e} is not after --begin {b}; --end is exclusive, so to see one day use --begin {b} --end {}",
                b.succ_opt().unwrap_or(b)
            );
        }
        Ok(period)
    }

    /// Words for a report header, e.g. "2026-09-07 to 2026-11-02 (end exclusive)".
    pub fn describe(&self) -> String {
        match (self.begin, self.end) {
            (None, None) => "all dates".to_string(),
            (Some(b), None) => format!("from {b}"),
            (None, Some(e)) => format!("before {e}"),
            (Some(b), Some(e)) => format!("{b} to {e} (end exclusive)"),
        }
    }
}

/// A closed range of days, both ends counted: the days a file of period totals covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl DayRange {
    /// `--period`: a day (2026-10-05), an ISO week (2026-W43), a month (2026-10) or a year.
    pub fn parse(text: &str) -> Result<DayRange> {
        let first = parse_period_start(text)?;
        let trimmed = text.trim();
        let next = if parse_week(trimmed).is_some() {
            first + chrono::Duration::weeks(1)
        } else if trimmed.len() == 7 {
            first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(first)
        } else if trimmed.len() == 4 {
            first
                .checked_add_months(chrono::Months::new(12))
                .unwrap_or(first)
        } else {
            first + chrono::Duration::days(1)
        };
        Ok(DayRange {
            first,
            last: next - chrono::Duration::days(1),
        })
    }

    /// `--begin` and `--end` (exclusive, as in every report).
    pub fn from_bounds(begin: &str, end: &str) -> Result<DayRange> {
        let period = Period::from_args(Some(begin), Some(end))?;
        let (Some(first), Some(end)) = (period.begin, period.end) else {
            bail!("give both --begin and --end");
        };
        Ok(DayRange {
            first,
            last: end - chrono::Duration::days(1),
        })
    }

    pub fn is_iso_week(&self) -> bool {
        week_start(self.first) == self.first && self.last == self.first + chrono::Duration::days(6)
    }

    /// Words for people: `2026-W43`, `2026-10`, `2026-10-05`, else `2026-09-07 to 2026-11-01`.
    pub fn describe(&self) -> String {
        let month_end = self
            .first
            .checked_add_months(chrono::Months::new(1))
            .map(|d| d - chrono::Duration::days(1));
        if self.first == self.last {
            self.first.to_string()
        } else if self.is_iso_week() {
            week_label(self.first)
        } else if self.first.day() == 1 && month_end == Some(self.last) {
            month_label(self.first)
        } else {
            format!("{} to {}", self.first, self.last)
        }
    }

    pub fn overlaps(&self, other: &DayRange) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    #[test]
    fn stored_text_matches_chronos_own() {
        use chrono::TimeZone;
        for (y, mo, da, h, mi, se) in [
            (2026, 9, 8, 7, 45, 7),
            (2000, 1, 1, 0, 0, 0),
            (2031, 12, 31, 23, 59, 59),
        ] {
            let at = Utc.with_ymd_and_hms(y, mo, da, h, mi, se).unwrap();
            assert_eq!(rfc3339_utc(&at), at.to_rfc3339());
            assert_eq!(iso_date(at.date_naive()), at.date_naive().to_string());
        }
        let fractional = Utc.timestamp_millis_opt(1_788_220_800_250).unwrap();
        assert_eq!(rfc3339_utc(&fractional), fractional.to_rfc3339());
        for text in [
            "2026-09-08T07:45:07+00:00",
            "2026-09-08T07:45:07.250+00:00",
            "2026-09-08T09:45:07+02:00",
        ] {
            let chrono_reads = chrono::DateTime::parse_from_rfc3339(text)
                .unwrap()
                .timestamp();
            assert_eq!(epoch_seconds(text), Some(chrono_reads), "{text}");
        }
        assert_eq!(epoch_seconds("2026-02-30T07:45:07+00:00"), None);
        // What SQLite's unixepoch() reads as UTC.
        let utc = chrono::DateTime::parse_from_rfc3339("2026-09-01T10:30:00+00:00")
            .unwrap()
            .timestamp();
        assert_eq!(epoch_seconds("2026-09-01 10:30:00"), Some(utc));
        assert_eq!(epoch_seconds("2026-09-01T10:30:00"), Some(utc));
        assert_eq!(epoch_seconds("2026-09-01"), Some(utc - 37_800));
        assert_eq!(epoch_seconds("last Tuesday"), None);
    }

    #[test]
    fn weeks_are_iso_weeks_starting_monday() {
        assert_eq!(parse_week("2026-W41"), Some(d("2026-10-05")));
        assert_eq!(parse_week("2026w41"), Some(d("2026-10-05")));
        assert_eq!(parse_week("2026-W1"), None);
        assert_eq!(parse_week("2026-W54"), None);
        // ISO week 1 of 2027 starts in 2027-01-04; 2026-12-31 is in 2026-W53.
        assert_eq!(week_label(d("2026-12-31")), "2026-W53");
        assert_eq!(week_label(d("2027-01-03")), "2026-W53");
        assert_eq!(week_start(d("2026-10-11")), d("2026-10-05"));
        assert_eq!(week_start(d("2026-10-05")), d("2026-10-05"));
    }

    #[test]
    fn period_boundaries_accept_days_weeks_months_years() {
        assert_eq!(parse_period_start("2026-10-05").unwrap(), d("2026-10-05"));
        assert_eq!(parse_period_start("2026-W41").unwrap(), d("2026-10-05"));
        assert_eq!(parse_period_start("2026-10").unwrap(), d("2026-10-01"));
        assert_eq!(parse_period_start("2026").unwrap(), d("2026-01-01"));
        assert!(parse_period_start("next tuesday").is_err());
        assert!(parse_date("2026-1-5").is_err());
        assert!(Period::from_args(Some("2026-10-05"), Some("2026-10-05")).is_err());
    }

    #[test]
    fn a_files_period_is_a_day_week_month_or_range() {
        let range = |first: &str, last: &str| DayRange {
            first: d(first),
            last: d(last),
        };
        assert_eq!(
            DayRange::parse("2026-W43").unwrap(),
            range("2026-10-19", "2026-10-25")
        );
        assert_eq!(
            DayRange::parse("2026-02").unwrap(),
            range("2026-02-01", "2026-02-28")
        );
        assert_eq!(
            DayRange::parse("2026-10-05").unwrap(),
            range("2026-10-05", "2026-10-05")
        );
        assert_eq!(
            DayRange::from_bounds("2026-09-07", "2026-11-02").unwrap(),
            range("2026-09-07", "2026-11-01")
        );
        assert_eq!(range("2026-10-19", "2026-10-25").describe(), "2026-W43");
        assert_eq!(range("2026-10-01", "2026-10-31").describe(), "2026-10");
        assert_eq!(
            range("2026-09-07", "2026-11-01").describe(),
            "2026-09-07 to 2026-11-01"
        );
        assert!(range("2026-10-01", "2026-10-31").overlaps(&range("2026-10-31", "2026-11-06")));
        assert!(!range("2026-10-01", "2026-10-31").overlaps(&range("2026-11-01", "2026-11-30")));
    }
}
