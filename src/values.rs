//! Reading the numbers people type or export: counts and amounts, with errors that say what was
//! expected and what was found. Shared by `log` and every import.

use crate::metrics::Unit;

/// Why a cell could not be read as a metric value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueError {
    pub expected: String,
    pub found: String,
    /// The real cause, when it is more than the wrong shape (a decimal comma, two readings).
    pub reason: Option<String>,
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.reason {
            Some(reason) => write!(f, "expected {}: {reason}", self.expected),
            None => write!(f, "expected {}, found '{}'", self.expected, self.found),
        }
    }
}

/// Parses a value for a metric of the given unit. Counts are whole numbers of zero or more;
/// amounts may have decimals. Thousands separators (`1,200`) are accepted because spreadsheets
/// write them.
pub fn parse_value(text: &str, unit: Unit) -> Result<f64, ValueError> {
    parse_value_in(text, unit, None)
}

/// The same, for a number written under `locale` (see `locale::number`).
pub fn parse_value_in(
    text: &str,
    unit: Unit,
    locale: Option<&crate::locale::Locale>,
) -> Result<f64, ValueError> {
    let trimmed = text.trim();
    let expected = match unit {
        Unit::Count => "a whole number of zero or more (e.g. 120)",
        Unit::Amount => "an amount of zero or more (e.g. 84.50)",
    };
    let error = || ValueError {
        expected: expected.to_string(),
        found: trimmed.to_string(),
        reason: None,
    };
    // "1,50" is a European 1.50 or a typo, "1.000" a thousand or one: never guessed.
    let cleaned = crate::locale::number(trimmed, locale).map_err(|why| ValueError {
        reason: (!why.is_empty()).then_some(why),
        ..error()
    })?;
    let unsigned = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    if unsigned.is_empty() || !unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return Err(error());
    }
    let value: f64 = unsigned.parse().map_err(|_| error())?;
    if !value.is_finite() || value < 0.0 {
        return Err(error());
    }
    if unit == Unit::Count && value.fract() != 0.0 {
        return Err(error());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_whole_and_not_negative() {
        assert_eq!(parse_value("120", Unit::Count), Ok(120.0));
        assert_eq!(parse_value(" 1,200 ", Unit::Count), Ok(1200.0));
        assert_eq!(parse_value("1,234,567", Unit::Count), Ok(1234567.0));
        assert_eq!(parse_value("12,345.50", Unit::Amount), Ok(12345.5));
        assert!(parse_value("1,50", Unit::Amount).is_err());
        assert!(parse_value("1,2,3", Unit::Count).is_err());
        assert!(parse_value(",100", Unit::Count).is_err());
        assert_eq!(parse_value("424.0", Unit::Count), Ok(424.0));
        assert!(parse_value("12.5", Unit::Count).is_err());
        assert!(parse_value("-3", Unit::Count).is_err());
        assert!(parse_value("many", Unit::Count).is_err());
        assert!(parse_value("", Unit::Count).is_err());
        assert!(parse_value("NaN", Unit::Count).is_err());
        assert!(parse_value("inf", Unit::Count).is_err());
        assert_eq!(parse_value("84.50", Unit::Amount), Ok(84.5));
    }
}
