//! Report periods (hledger style): `--begin` inclusive, `--end` exclusive, "to date" meaning on
//! or before `--today`, and `--weekly` / `--monthly` columns snapped to ISO weeks and months.

use chrono::{Datelike, Duration, NaiveDate};

use crate::dates::{month_label, week_label, week_start};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Weekly,
    Monthly,
}

/// One column of a periodic report: its label and `[start, end)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn next_month(date: NaiveDate) -> NaiveDate {
    let start = month_start(date);
    let (year, month) = if start.month() == 12 {
        (start.year() + 1, 1)
    } else {
        (start.year(), start.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(start)
}

/// The weeks or months covering `[begin, end)`, snapped to whole periods.
pub fn buckets(begin: NaiveDate, end: NaiveDate, interval: Interval) -> Vec<Bucket> {
    let mut out = Vec::new();
    let mut start = match interval {
        Interval::Weekly => week_start(begin),
        Interval::Monthly => month_start(begin),
    };
    while start < end {
        let next = match interval {
            Interval::Weekly => start + Duration::weeks(1),
            Interval::Monthly => next_month(start),
        };
        out.push(Bucket {
            label: match interval {
                Interval::Weekly => week_label(start),
                Interval::Monthly => month_label(start),
            },
            start,
            end: next,
        });
        start = next;
    }
    out
}

/// The index of the bucket holding `day`.
pub fn bucket_of(buckets: &[Bucket], day: NaiveDate) -> Option<usize> {
    buckets.iter().position(|b| b.start <= day && day < b.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_and_months_snap_to_their_boundaries() {
        let weeks = buckets(d("2026-10-07"), d("2026-10-20"), Interval::Weekly);
        let labels: Vec<&str> = weeks.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["2026-W41", "2026-W42", "2026-W43"]);
        assert_eq!(weeks[0].start, d("2026-10-05"));
        let months = buckets(d("2026-09-07"), d("2026-11-02"), Interval::Monthly);
        let labels: Vec<&str> = months.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["2026-09", "2026-10", "2026-11"]);
        assert_eq!(bucket_of(&months, d("2026-10-31")), Some(1));
        let december = buckets(d("2026-12-15"), d("2027-01-02"), Interval::Monthly);
        assert_eq!(december[1].start, d("2027-01-01"));
    }
}
