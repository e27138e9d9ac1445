//! The time shape of a file: which day or range its numbers are for.
//!
//! A profile says whether its rows are dated `events`, a `cumulative` total (counts since the
//! start, as of the day the file was downloaded) or a `period` total (counts over a range). The
//! user says which moment or range a file without dates covers: `--as-of` for a snapshot,
//! `--period` or `--begin`/`--end` for a period; `--date` keeps its meaning (for a snapshot it is
//! `--as-of`, for a period a single day). How a snapshot's numbers become each week's own is the
//! writer's (`snapshots`).

use chrono::NaiveDate;

use super::records::Grain;
use super::records::Span;
use super::spec::Shape;
use crate::dates::DayRange;

/// The day or range the user gave for a file, from the import's flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeFlags {
    /// `--date`: the day of rows that carry none.
    pub date: Option<NaiveDate>,
    /// `--as-of`: the day a snapshot was downloaded.
    pub as_of: Option<NaiveDate>,
    /// `--period`, or `--begin` with `--end`.
    pub period: Option<DayRange>,
}

/// Which moment or range a file's numbers are for, once profile and flags are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// Rows date themselves; rows without a date take `--date`, else the import day.
    Events,
    /// Totals since the start, as of `day`; `given` is false when it is the import day.
    AsOf { day: NaiveDate, given: bool },
    /// Totals over a range: the one the user gave with `--period` or `--begin`/`--end`, which
    /// must agree with the file's own dates if it has them; `--date` a day, for a file without.
    Period {
        given: Option<DayRange>,
        date: Option<NaiveDate>,
    },
}

impl Moment {
    pub fn shape(self) -> Shape {
        match self {
            Moment::Events => Shape::Events,
            Moment::AsOf { .. } => Shape::Cumulative,
            Moment::Period { .. } => Shape::Period,
        }
    }

    /// What the import summary says about the moment, when there is something to say.
    pub fn note(self) -> Option<String> {
        match self {
            Moment::AsOf { day, given: false } => Some(format!(
                "a snapshot (totals since the start) as of {day}, the import day; if it was downloaded another day, say so with --as-of DATE"
            )),
            Moment::AsOf { day, given: true } => {
                Some(format!("a snapshot (totals since the start) as of {day}"))
            }
            // Said with the days the rows turned out to cover.
            Moment::Events | Moment::Period { .. } => None,
        }
    }
}

/// The moment a file of this profile's shape covers, given the user's flags and today; an error
/// says which flag fits the file instead.
pub fn resolve(
    shape: Shape,
    profile: &str,
    flags: TimeFlags,
    today: NaiveDate,
) -> Result<Moment, String> {
    match shape {
        Shape::Events => {
            if flags.as_of.is_some() {
                return Err(format!(
                    "--as-of is for a snapshot (a file of totals since the start); {profile}'s rows carry their own dates. Leave --as-of out (use --date for rows without a date)"
                ));
            }
            if flags.period.is_some() {
                return Err(format!(
                    "--period, --begin and --end are for a file of totals over a period; {profile}'s rows carry their own dates. Leave them out (use --date for rows without a date)"
                ));
            }
            Ok(Moment::Events)
        }
        Shape::Cumulative => {
            if flags.period.is_some() {
                return Err(format!(
                    "{profile} is a snapshot: totals since the start, as of the day it was downloaded. Give that day with --as-of DATE instead of --period, --begin or --end"
                ));
            }
            match (flags.as_of, flags.date) {
                (Some(as_of), Some(date)) if as_of != date => Err(format!(
                    "--as-of {as_of} and --date {date} disagree; for a snapshot they mean the same (the day it was downloaded), so give one"
                )),
                (Some(day), _) | (None, Some(day)) => Ok(Moment::AsOf { day, given: true }),
                (None, None) => Ok(Moment::AsOf {
                    day: today,
                    given: false,
                }),
            }
        }
        Shape::Period => {
            if flags.as_of.is_some() {
                return Err(format!(
                    "{profile} holds totals over a period, not a snapshot; give the period with --period (2026-W43, 2026-10 or 2026-10-05) or --begin and --end"
                ));
            }
            if flags.period.is_some() && flags.date.is_some() {
                return Err(
                    "--date and --period both say which days the file covers; give one".to_string(),
                );
            }
            Ok(Moment::Period {
                given: flags.period,
                date: flags.date,
            })
        }
    }
}

/// The range a row of period totals covers: the file's own (from its date fields), else the
/// one the user gave, else `--date`'s day. When the file's and the user's range differ, the
/// row could be read two ways, so it is refused with both.
pub fn period_of(
    file: Option<DayRange>,
    given: Option<DayRange>,
    date: Option<NaiveDate>,
) -> Result<DayRange, String> {
    match (file, given) {
        (Some(file), Some(given)) if file != given => Err(format!(
            "the file says it covers {}, the command line says {}; import it without --period/--begin/--end to use the file's own dates, or export the period you meant",
            file.describe(),
            given.describe()
        )),
        (Some(range), _) | (None, Some(range)) => Ok(range),
        (None, None) => date.map(|day| DayRange { first: day, last: day }).ok_or_else(|| {
            "this file of totals over a period does not say which period; give it with --period (2026-W43, 2026-10 or 2026-10-05) or --begin and --end".to_string()
        }),
    }
}

/// How a period total is stored: an ISO week as a week, anything else on its first day, with
/// its last day beside it (so week-by-week numbers know to leave out one longer than a week).
pub fn placement(range: DayRange) -> (NaiveDate, Grain, Span) {
    let grain = if range.is_iso_week() {
        Grain::Week
    } else {
        Grain::Day
    };
    (range.first, grain, Span::Period { last: range.last })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_snapshot_is_as_of_the_day_given_else_today() {
        let today = day("2026-11-09");
        let flags = TimeFlags {
            date: Some(day("2026-11-01")),
            ..TimeFlags::default()
        };
        assert_eq!(
            resolve(Shape::Cumulative, "callpower-targets", flags, today),
            Ok(Moment::AsOf {
                day: day("2026-11-01"),
                given: true
            })
        );
        assert_eq!(
            resolve(
                Shape::Cumulative,
                "callpower-targets",
                TimeFlags::default(),
                today
            ),
            Ok(Moment::AsOf {
                day: today,
                given: false
            })
        );
        let both = TimeFlags {
            date: Some(day("2026-11-01")),
            as_of: Some(day("2026-11-02")),
            period: None,
        };
        let err = resolve(Shape::Cumulative, "callpower-targets", both, today).unwrap_err();
        assert!(err.contains("disagree"), "{err}");
    }

    #[test]
    fn a_period_is_the_files_own_else_the_one_given_and_never_both_when_they_differ() {
        let range = |first: &str, last: &str| DayRange {
            first: day(first),
            last: day(last),
        };
        let file = range("2026-09-07", "2026-11-01");
        assert_eq!(
            period_of(Some(file), None, Some(day("2026-11-01"))),
            Ok(file)
        );
        assert_eq!(period_of(Some(file), Some(file), None), Ok(file));
        let week = range("2026-10-19", "2026-10-25");
        let err = period_of(Some(file), Some(week), None).unwrap_err();
        assert!(
            err.contains("2026-09-07 to 2026-11-01") && err.contains("2026-W43"),
            "{err}"
        );
        assert_eq!(period_of(None, Some(week), None), Ok(week));
        assert_eq!(
            period_of(None, None, Some(day("2026-10-05"))),
            Ok(range("2026-10-05", "2026-10-05"))
        );
        assert!(
            period_of(None, None, None)
                .unwrap_err()
                .contains("--period")
        );
    }

    #[test]
    fn flags_that_do_not_fit_the_file_say_which_do() {
        let today = day("2026-11-09");
        let period = TimeFlags {
            period: Some(DayRange {
                first: day("2026-10-19"),
                last: day("2026-10-25"),
            }),
            ..TimeFlags::default()
        };
        let err = resolve(Shape::Cumulative, "callpower-targets", period, today).unwrap_err();
        assert!(err.contains("--as-of DATE instead"), "{err}");
        let err = resolve(Shape::Events, "mobilize-participations", period, today).unwrap_err();
        assert!(err.contains("carry their own dates"), "{err}");
        assert_eq!(
            resolve(Shape::Period, "ga4-acquisition", period, today),
            Ok(Moment::Period {
                given: period.period,
                date: None
            })
        );
    }
}
