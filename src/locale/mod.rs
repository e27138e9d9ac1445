//! How an organization writes numbers and dates: a BCP 47 tag (`uk-UA`, `de-DE`, `fr-FR`,
//! `en-US`) and what it implies, from CLDR's conventions: the decimal mark, what goes between
//! thousands, whether the day or the month comes first, and the country phones are dialled in.
//!
//! Without a locale, nothing that reads two ways is guessed: `1.000` (a thousand in Germany,
//! one in the US) and `03/04/2026` (3 April or March 4) are refused with both readings and the
//! fix. One exception keeps the files of US tools importing as they always did: `1,000` is a
//! thousand. `number` and `day` read one cell; the messages name the real cause.

use chrono::NaiveDate;

pub mod evidence;

/// What goes between groups of thousands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Comma,
    Point,
    /// A space: plain, no-break (U+00A0) or narrow no-break (U+202F), as Excel writes them.
    Space,
    /// `'` or `’` (Switzerland).
    Apostrophe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
    YearFirst,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locale {
    /// The tag as it is written canonically (`uk-UA`).
    pub tag: String,
    pub decimal: char,
    pub grouping: Grouping,
    pub dates: DateOrder,
    /// The region's ISO 3166 code, from the tag or the language's main country.
    pub country: Option<String>,
}

/// Languages whose decimal mark is a point (the rest of those below use a comma).
const POINT_DECIMAL: &[&str] = &[
    "en", "zh", "ja", "ko", "he", "th", "hi", "ms", "fil", "ga", "mt", "sw",
];
/// Comma-decimal languages that put a point between thousands (the others put a space).
const POINT_GROUPING: &[&str] = &[
    "de", "es", "it", "nl", "pt", "da", "id", "tr", "el", "ro", "sl", "hr", "sr", "vi", "ca", "is",
];
/// Comma-decimal languages that put a space between thousands.
const SPACE_GROUPING: &[&str] = &[
    "fr", "uk", "ru", "pl", "cs", "sk", "sv", "fi", "nb", "nn", "no", "hu", "bg", "lt", "lv", "et",
    "be", "kk", "ka", "hy", "az", "uz", "ky", "mk", "sq",
];
/// Regions whose conventions differ from their language's (CLDR).
const REGION_OVERRIDES: &[(&str, char, Grouping)] = &[
    ("es-MX", '.', Grouping::Comma),
    ("es-US", '.', Grouping::Comma),
    ("pt-PT", ',', Grouping::Space),
    ("de-CH", '.', Grouping::Apostrophe),
    ("de-LI", '.', Grouping::Apostrophe),
    ("fr-CH", '.', Grouping::Apostrophe),
    ("it-CH", '.', Grouping::Apostrophe),
    ("en-ZA", ',', Grouping::Space),
    ("fr-CA", ',', Grouping::Space),
];
/// Regions that write the month first; year-first languages.
const MONTH_FIRST_REGIONS: &[&str] = &["US", "PH", "FM", "MH", "PW", "AS", "GU", "PR", "UM"];
const YEAR_FIRST_LANGUAGES: &[&str] = &["zh", "ja", "ko", "hu", "lt", "mn"];
/// A language's main country, for a tag without a region (`uk` -> UA).
const MAIN_COUNTRY: &[(&str, &str)] = &[
    ("uk", "UA"),
    ("de", "DE"),
    ("fr", "FR"),
    ("es", "ES"),
    ("it", "IT"),
    ("pt", "PT"),
    ("nl", "NL"),
    ("pl", "PL"),
    ("ru", "RU"),
    ("cs", "CZ"),
    ("sk", "SK"),
    ("sv", "SE"),
    ("da", "DK"),
    ("fi", "FI"),
    ("nb", "NO"),
    ("hu", "HU"),
    ("ro", "RO"),
    ("bg", "BG"),
    ("el", "GR"),
    ("tr", "TR"),
    ("ka", "GE"),
    ("lt", "LT"),
    ("lv", "LV"),
    ("et", "EE"),
    ("hr", "HR"),
    ("sl", "SI"),
    ("sr", "RS"),
    ("ja", "JP"),
    ("ko", "KR"),
];

impl Locale {
    /// Reads a BCP 47 tag: a language, optionally a script and a region (`uk-UA`, `sr-Latn-RS`,
    /// `de_DE` as some systems write it).
    pub fn parse(tag: &str) -> Result<Locale, String> {
        let parts: Vec<&str> = tag.trim().split(['-', '_']).collect();
        let language = parts[0].to_ascii_lowercase();
        let region = parts[1..]
            .iter()
            .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
            .map(|r| r.to_ascii_uppercase());
        let known = POINT_DECIMAL
            .iter()
            .chain(POINT_GROUPING)
            .chain(SPACE_GROUPING)
            .any(|l| *l == language);
        if !known {
            return Err(format!(
                "'{tag}' is not a locale turnout knows: use a language and country tag such as uk-UA, de-DE, fr-FR, es-MX or en-US"
            ));
        }
        let canonical = match &region {
            Some(region) => format!("{language}-{region}"),
            None => language.clone(),
        };
        let (decimal, grouping) = match REGION_OVERRIDES.iter().find(|(t, _, _)| *t == canonical) {
            Some((_, decimal, grouping)) => (*decimal, *grouping),
            None if POINT_DECIMAL.contains(&language.as_str()) => ('.', Grouping::Comma),
            None if POINT_GROUPING.contains(&language.as_str()) => (',', Grouping::Point),
            None => (',', Grouping::Space),
        };
        let dates = if YEAR_FIRST_LANGUAGES.contains(&language.as_str()) {
            DateOrder::YearFirst
        } else if region
            .as_deref()
            .is_some_and(|r| MONTH_FIRST_REGIONS.contains(&r))
            || (language == "en" && region.is_none())
        {
            DateOrder::MonthFirst
        } else {
            DateOrder::DayFirst
        };
        let country = region.clone().or_else(|| {
            MAIN_COUNTRY
                .iter()
                .find(|(l, _)| *l == language)
                .map(|(_, c)| c.to_string())
        });
        Ok(Locale {
            tag: canonical,
            decimal,
            grouping,
            dates,
            country,
        })
    }

    /// The conventions a column of a file showed by itself (see `evidence`), where no locale
    /// says them: a decimal comma puts a point between thousands, a decimal point a comma.
    pub fn shown_by_column(decimal: Option<char>, dates: Option<DateOrder>) -> Locale {
        let decimal = decimal.unwrap_or('.');
        Locale {
            tag: "shown by the column".to_string(),
            decimal,
            grouping: if decimal == ',' {
                Grouping::Point
            } else {
                Grouping::Comma
            },
            dates: dates.unwrap_or(DateOrder::YearFirst),
            country: None,
        }
    }

    fn group_char(&self) -> Option<char> {
        match self.grouping {
            Grouping::Comma => Some(','),
            Grouping::Point => Some('.'),
            Grouping::Space | Grouping::Apostrophe => None,
        }
    }
}

/// The fix every ambiguity message ends with.
const SET_LOCALE: &str = "set the organization's locale (turnout config set locale de-DE, uk-UA, en-US...) or pass --locale";

/// Reads a number as written under `locale` (or none): `1 234,5`, `1.234,5`, `1,234.5`,
/// `12,50`, `45,54 %` (the caller strips units). Returns the number in plain form (`1234.5`),
/// or why it cannot be read.
pub fn number(text: &str, locale: Option<&Locale>) -> Result<String, String> {
    let text = text.trim();
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest.trim_start()),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    let spaced = body.contains(is_gap);
    let body = without_spaced_groups(body)?;
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return Err(String::new());
    }
    let commas = body.matches(',').count();
    let points = body.matches('.').count();
    let plain = match (commas, points) {
        (0, 0) => body,
        (_, 0) if commas > 1 => grouped(&body, ',')?,
        (0, _) if points > 1 => grouped(&body, '.')?,
        // Thousands already apart by spaces: the one mark is the decimal mark.
        (1, 0) | (0, 1) if spaced => body.replace(',', "."),
        (1, 0) | (0, 1) => one_mark(&body, locale).map_err(|why| why.replace(&body, text))?,
        _ => {
            // Both: the last is the decimal mark, the other separates thousands.
            let decimal = if body.rfind(',') > body.rfind('.') {
                ','
            } else {
                '.'
            };
            let group = if decimal == ',' { '.' } else { ',' };
            let (whole, fraction) = body.rsplit_once(decimal).unwrap_or((&body, ""));
            if fraction.contains(group) {
                return Err(String::new());
            }
            format!("{}.{fraction}", grouped(whole, group)?)
        }
    };
    Ok(format!("{sign}{plain}"))
}

/// A number with one `,` or one `.`: a decimal mark, or a separator of thousands when three
/// digits follow it (`1,000`, `1.000`), which reads two ways.
fn one_mark(body: &str, locale: Option<&Locale>) -> Result<String, String> {
    let mark = if body.contains(',') { ',' } else { '.' };
    let (whole, after) = body.split_once(mark).unwrap_or((body, ""));
    let could_group = after.len() == 3
        && (1..=3).contains(&whole.len())
        && !whole.starts_with('0')
        && !whole.is_empty();
    let as_decimal = format!("{}.{after}", if whole.is_empty() { "0" } else { whole });
    let as_thousands = format!("{whole}{after}");
    match locale {
        Some(locale) if locale.decimal == mark => Ok(as_decimal),
        Some(locale) if locale.group_char() == Some(mark) && could_group => Ok(as_thousands),
        Some(locale) if locale.group_char() == Some(mark) => Ok(as_decimal),
        // A mark the locale does not use at all (a point under uk-UA): a decimal point,
        // unless it could as well separate thousands.
        Some(_) if !could_group => Ok(as_decimal),
        None if mark == ',' && could_group => Ok(as_thousands),
        None if mark == '.' && !could_group => Ok(as_decimal),
        None if mark == ',' => Err(format!(
            "'{body}' has a decimal comma, which turnout reads only under a locale that writes one: {SET_LOCALE}"
        )),
        _ => Err(format!(
            "'{body}' reads two ways: {} (a '{mark}' between thousands, as in {}) or {} (a decimal {}, as in {}); {SET_LOCALE}",
            plain_shown(&as_thousands),
            if mark == '.' { "de-DE" } else { "en-US" },
            plain_shown(&as_decimal),
            if mark == '.' { "point" } else { "comma" },
            if mark == '.' { "en-US" } else { "de-DE" },
        )),
    }
}

fn plain_shown(plain: &str) -> String {
    if !plain.contains('.') {
        return plain.to_string();
    }
    plain
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

/// `1,234,567` -> `1234567`, when every group after the first has three digits.
fn grouped(whole: &str, group: char) -> Result<String, String> {
    let mut parts = whole.split(group);
    let first = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    if first.is_empty() || first.len() > 3 || rest.iter().any(|g| g.len() != 3) {
        return Err(format!(
            "'{whole}' has a '{group}' where a separator of thousands cannot be (groups of three digits)"
        ));
    }
    Ok(std::iter::once(first).chain(rest).collect())
}

/// Takes out spaces (plain, no-break, narrow no-break) and apostrophes between groups of three
/// digits: `1 234 567,5` -> `1234567,5`.
pub(crate) fn is_gap(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’')
}

fn without_spaced_groups(body: &str) -> Result<String, String> {
    if !body.contains(is_gap) {
        return Ok(body.to_string());
    }
    let whole_end = body.find([',', '.']).unwrap_or(body.len());
    let (whole, rest) = body.split_at(whole_end);
    if rest.contains(is_gap) {
        return Err(String::new());
    }
    let groups: Vec<&str> = whole.split(is_gap).collect();
    let well_formed =
        groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|g| g.len() == 3);
    if !well_formed {
        return Err(String::new());
    }
    Ok(format!("{}{rest}", groups.concat()))
}

/// Reads a day written with its parts in a locale's order: `13.10.2026`, `13/10/2026`,
/// `10/13/2026`, `13-10-2026`. None when the text is not of that shape; an error when it
/// reads two ways and no locale says which.
pub fn day(text: &str, locale: Option<&Locale>) -> Result<Option<NaiveDate>, String> {
    let parts: Vec<&str> = text.split(['.', '/', '-']).collect();
    let [a, b, year] = parts.as_slice() else {
        return Ok(None);
    };
    let number = |s: &str| (1..=2).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
    if !number(a) || !number(b) || year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let (a, b, year): (u32, u32, i32) = (
        a.parse().unwrap_or(0),
        b.parse().unwrap_or(0),
        year.parse().unwrap_or(0),
    );
    let day_first = NaiveDate::from_ymd_opt(year, b, a);
    let month_first = NaiveDate::from_ymd_opt(year, a, b);
    // Nobody writes the month first between dots.
    let dotted = text.contains('.');
    let order = locale.map(|l| l.dates);
    match (day_first, month_first) {
        (Some(d), None) => Ok(Some(d)),
        (None, Some(m)) => Ok(Some(m)),
        (None, None) => Ok(None),
        (Some(d), Some(m)) if d == m || dotted => Ok(Some(d)),
        (Some(d), Some(m)) => match order {
            Some(DateOrder::MonthFirst) => Ok(Some(m)),
            Some(_) => Ok(Some(d)),
            None => Err(format!(
                "'{text}' reads two ways: {} (the day first, as in uk-UA or en-GB) or {} (the month first, as in en-US); {SET_LOCALE}",
                d.format("%-d %B %Y"),
                m.format("%B %-d, %Y"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(tag: &str) -> Locale {
        Locale::parse(tag).unwrap()
    }

    #[test]
    fn tags_give_marks_order_and_country() {
        let uk = at("uk-ua");
        assert_eq!(
            (uk.tag.as_str(), uk.decimal, uk.grouping),
            ("uk-UA", ',', Grouping::Space)
        );
        assert_eq!(
            (uk.dates, uk.country.as_deref()),
            (DateOrder::DayFirst, Some("UA"))
        );
        let de = at("de_DE");
        assert_eq!((de.decimal, de.grouping), (',', Grouping::Point));
        let us = at("en-US");
        assert_eq!(
            (us.decimal, us.grouping, us.dates),
            ('.', Grouping::Comma, DateOrder::MonthFirst)
        );
        assert_eq!(at("en-GB").dates, DateOrder::DayFirst);
        assert_eq!(at("es-MX").decimal, '.');
        assert_eq!(at("fr").country.as_deref(), Some("FR"));
        assert!(Locale::parse("xx-YY").unwrap_err().contains("uk-UA, de-DE"));
    }

    #[test]
    fn numbers_read_one_way_or_are_refused_with_both_readings() {
        let (de, uk, us) = (at("de-DE"), at("uk-UA"), at("en-US"));
        assert_eq!(number("1.000", Some(&de)).unwrap(), "1000");
        assert_eq!(number("1.000", Some(&us)).unwrap(), "1.000");
        assert_eq!(number("1.234,5", None).unwrap(), "1234.5");
        assert_eq!(number("1,234.5", None).unwrap(), "1234.5");
        assert_eq!(number("1\u{a0}234", Some(&uk)).unwrap(), "1234");
        assert_eq!(number("1 234,50", None).unwrap(), "1234.50");
        assert_eq!(number("12,50", Some(&de)).unwrap(), "12.50");
        assert_eq!(number("45,54", Some(&uk)).unwrap(), "45.54");
        assert_eq!(number("1,000", None).unwrap(), "1000");
        assert_eq!(number("2.5", None).unwrap(), "2.5");
        assert_eq!(number("0.625", None).unwrap(), "0.625");
        assert_eq!(number("-3", None).unwrap(), "-3");
        let two = number("1.000", None).unwrap_err();
        assert!(
            two.contains("reads two ways: 1000") && two.contains("or 1 (a decimal point"),
            "{two}"
        );
        assert!(number("1,5", None).unwrap_err().contains("decimal comma"));
        assert!(
            number("1.000", Some(&uk))
                .unwrap_err()
                .contains("reads two ways")
        );
        assert!(number("12,34,5", None).is_err());
        assert!(number("1 23", None).is_err());
    }

    #[test]
    fn days_are_read_in_the_locales_order() {
        let d = |y, m, d| Some(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(day("13.10.2026", None).unwrap(), d(2026, 10, 13));
        assert_eq!(day("13/10/2026", None).unwrap(), d(2026, 10, 13));
        assert_eq!(day("10/13/2026", None).unwrap(), d(2026, 10, 13));
        assert_eq!(
            day("03/04/2026", Some(&at("uk-UA"))).unwrap(),
            d(2026, 4, 3)
        );
        assert_eq!(
            day("03/04/2026", Some(&at("en-US"))).unwrap(),
            d(2026, 3, 4)
        );
        assert_eq!(day("03.04.2026", None).unwrap(), d(2026, 4, 3));
        let two = day("03/04/2026", None).unwrap_err();
        assert!(
            two.contains("3 April 2026") && two.contains("March 4, 2026"),
            "{two}"
        );
        assert_eq!(day("2026-10-13", None).unwrap(), None);
        assert_eq!(day("Sep 08", None).unwrap(), None);
    }
}
