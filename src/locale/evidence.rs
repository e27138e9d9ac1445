//! What a column shows of its own conventions, value by value: a day above 12 can only be the
//! day (`13/04/2026`), and a mark followed by other than three digits can only be a decimal
//! mark (`12,50`, `1.234,5`). A column written by one tool writes all its values one way, so a
//! value that reads two ways in it is read the way its neighbours show; a column that shows
//! both ways shows nothing.

use super::{DateOrder, is_gap};

/// The order of a day's parts that `text` shows by itself (`13/04/2026`: the day first), or
/// none when it reads either way or is not a day written with slashes or dashes. A time after
/// the day (`13/04/2026 18:30`) is looked past.
pub fn order_shown(text: &str) -> Option<DateOrder> {
    let day = text.trim().split([' ', 'T']).next()?;
    let parts: Vec<&str> = day.split(['/', '-']).collect();
    let [a, b, year] = parts.as_slice() else {
        return None;
    };
    let part = |s: &str| -> Option<u32> {
        ((1..=2).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (a, b) = (part(a)?, part(b)?);
    if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match (a, b) {
        (13..=31, 1..=12) => Some(DateOrder::DayFirst),
        (1..=12, 13..=31) => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

/// The decimal mark that a number as written shows by itself: the last of two different marks
/// (`1.234,5`), a mark repeated between thousands leaves the other (`1.234.567` -> `,`), or
/// one mark not followed by exactly three digits (`12,50`, `0.5`). None when it reads either
/// way (`1.000`) or has no mark. Units around the number (`$`, `%`, ` (8.1%)`) are looked past.
pub fn decimal_shown(text: &str) -> Option<char> {
    let number = text.split(" (").next().unwrap_or(text);
    let body: String = number
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, ',' | '.') || is_gap(*c))
        .collect();
    let body = body.trim_matches(is_gap);
    if body.is_empty() || !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (commas, points) = (body.matches(',').count(), body.matches('.').count());
    let other = |mark: char| if mark == ',' { '.' } else { ',' };
    match (commas, points) {
        (0, 0) => None,
        (c, p) if c > 0 && p > 0 => body.chars().rev().find(|c| matches!(c, ',' | '.')),
        (c, 0) if c > 1 => Some(other(',')),
        (0, p) if p > 1 => Some(other('.')),
        _ => {
            let mark = if commas == 1 { ',' } else { '.' };
            let (whole, after) = body.split_once(mark)?;
            let whole = whole.trim_matches(is_gap);
            let could_group = after.len() == 3
                && (1..=3).contains(&whole.len())
                && !whole.starts_with('0')
                && !whole.contains(is_gap);
            (!could_group).then_some(mark)
        }
    }
}

/// Where a column showed a convention: the value and its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting<T> {
    pub shown: T,
    pub line: u64,
    pub text: String,
}

/// What a column's values show, gathered value by value: the first that showed a convention
/// and the first that showed another.
#[derive(Debug, Clone)]
pub struct Shown<T> {
    first: Option<Sighting<T>>,
    contrary: Option<Sighting<T>>,
}

impl<T> Default for Shown<T> {
    fn default() -> Self {
        Shown {
            first: None,
            contrary: None,
        }
    }
}

impl<T: PartialEq + Copy> Shown<T> {
    pub fn see(&mut self, shown: Option<T>, line: u64, text: &str) {
        let Some(shown) = shown else { return };
        let sighting = || Sighting {
            shown,
            line,
            text: text.to_string(),
        };
        match &self.first {
            None => self.first = Some(sighting()),
            Some(first) if first.shown != shown && self.contrary.is_none() => {
                self.contrary = Some(sighting())
            }
            Some(_) => {}
        }
    }

    /// The one convention the column showed; none when it showed none, or two.
    pub fn verdict(&self) -> Option<&Sighting<T>> {
        self.first.as_ref().filter(|_| self.contrary.is_none())
    }

    /// Both conventions, when the column showed two.
    pub fn contradiction(&self) -> Option<(&Sighting<T>, &Sighting<T>)> {
        self.first.as_ref().zip(self.contrary.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_above_twelve_shows_the_order() {
        assert_eq!(order_shown("13/04/2026"), Some(DateOrder::DayFirst));
        assert_eq!(order_shown("04/13/2026 18:30"), Some(DateOrder::MonthFirst));
        assert_eq!(order_shown("13-04-2026"), Some(DateOrder::DayFirst));
        assert_eq!(order_shown("03/04/2026"), None);
        assert_eq!(order_shown("13.04.2026"), None);
        assert_eq!(order_shown("2026-04-13"), None);
        assert_eq!(order_shown("32/04/2026"), None);
    }

    #[test]
    fn a_mark_not_before_three_digits_is_the_decimal_mark() {
        assert_eq!(decimal_shown("12,50"), Some(','));
        assert_eq!(decimal_shown("1.234,5"), Some(','));
        assert_eq!(decimal_shown("1,234.5"), Some('.'));
        assert_eq!(decimal_shown("1.234.567"), Some(','));
        assert_eq!(decimal_shown("1,234,567"), Some('.'));
        assert_eq!(decimal_shown("0,500"), Some(','));
        assert_eq!(decimal_shown("1 234,500"), Some(','));
        assert_eq!(decimal_shown("$25.00"), Some('.'));
        assert_eq!(decimal_shown("45,54 %"), Some(','));
        assert_eq!(decimal_shown("141 (8.1%)"), None);
        assert_eq!(decimal_shown("1.000"), None);
        assert_eq!(decimal_shown("1,000"), None);
        assert_eq!(decimal_shown("1000"), None);
        assert_eq!(decimal_shown("n/a"), None);
    }

    #[test]
    fn a_column_showing_two_ways_shows_nothing() {
        let mut shown = Shown::default();
        shown.see(None, 2, "03/04/2026");
        shown.see(Some(DateOrder::DayFirst), 3, "13/04/2026");
        assert_eq!(shown.verdict().map(|s| s.line), Some(3));
        shown.see(Some(DateOrder::DayFirst), 4, "14/04/2026");
        shown.see(Some(DateOrder::MonthFirst), 5, "04/15/2026");
        assert!(shown.verdict().is_none());
        let (first, contrary) = shown.contradiction().unwrap();
        assert_eq!((first.line, contrary.line), (3, 5));
    }
}
