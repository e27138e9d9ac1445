//! What a file's first rows show of how a column writes days and numbers (see
//! `locale::evidence`), learnt before any row is parsed. Without a locale, a value that reads
//! two ways is read the way the rest of its column shows, and the import says so; a column
//! that shows two ways, or one the locale contradicts, is a warning kept for `turnout check`.

use std::cell::Cell;

use csv::ByteRecord;

use crate::locale::evidence::{Shown, decimal_shown, order_shown};
use crate::locale::{DateOrder, Locale};

/// The rows a file's columns are learnt from before any is parsed: enough for a day above 12
/// to turn up in all but the shortest spans of dates.
pub const SAMPLE_ROWS: usize = 5_000;

/// Which of its conventions a column's values can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    Days,
    Decimals,
}

/// What one column showed: the conventions it reads values by when they read two ways and
/// no locale says, and how many it read so.
pub struct ColumnShown {
    header: String,
    locale: Locale,
    what: &'static str,
    text: String,
    line: u64,
    used: Cell<u64>,
}

/// The trimmed texts of a column in the sample, with their lines.
pub fn column_texts<'s>(
    sample: &'s [(&'s ByteRecord, u64)],
    column: usize,
) -> impl Iterator<Item = (&'s str, u64)> + 's {
    sample.iter().filter_map(move |(record, line)| {
        let text = std::str::from_utf8(record.get(column)?).ok()?.trim();
        Some((text, *line))
    })
}

fn order_words(order: DateOrder) -> &'static str {
    match order {
        DateOrder::MonthFirst => "the month first",
        _ => "the day first",
    }
}

fn mark_words(mark: char) -> &'static str {
    if mark == ',' {
        "a decimal comma"
    } else {
        "a decimal point"
    }
}

/// What a column's values come to: the conventions to read it by (only where no locale says
/// them); a warning when it shows two, or one the locale contradicts.
pub fn learn_column<'s>(
    header: &str,
    convention: Convention,
    texts: impl Iterator<Item = (&'s str, u64)>,
    locale: Option<&Locale>,
    warnings: &mut Vec<String>,
) -> Option<ColumnShown> {
    match convention {
        Convention::Days => {
            let mut days = Shown::default();
            texts.for_each(|(text, line)| days.see(order_shown(text), line, text));
            let reads = locale.map(|l| order_words(l.dates));
            judge(header, &days, reads, warnings, |order| {
                (
                    order_words(order),
                    Locale::shown_by_column(None, Some(order)),
                )
            })
        }
        Convention::Decimals => {
            let mut marks = Shown::default();
            texts.for_each(|(text, line)| marks.see(decimal_shown(text), line, text));
            let reads = locale.map(|l| mark_words(l.decimal));
            judge(header, &marks, reads, warnings, |mark| {
                (mark_words(mark), Locale::shown_by_column(Some(mark), None))
            })
        }
    }
    .filter(|_| locale.is_none())
}

fn judge<T: PartialEq + Copy>(
    header: &str,
    shown: &Shown<T>,
    locale_reads: Option<&'static str>,
    warnings: &mut Vec<String>,
    describe: impl Fn(T) -> (&'static str, Locale),
) -> Option<ColumnShown> {
    if let Some((first, contrary)) = shown.contradiction() {
        warnings.push(format!(
            "column '{header}' writes its values two ways: '{}' on line {} shows {}, '{}' on line {} {}; check that the column holds one tool's values",
            first.text,
            first.line,
            describe(first.shown).0,
            contrary.text,
            contrary.line,
            describe(contrary.shown).0,
        ));
        return None;
    }
    let sighting = shown.verdict()?;
    let (what, locale) = describe(sighting.shown);
    if let Some(reads) = locale_reads.filter(|reads| *reads != what) {
        warnings.push(format!(
            "column '{header}' writes {what} ('{}' on line {}), but the locale writes {reads}, and its values that read two ways were read so: check the locale (--locale, or turnout config set locale)",
            sighting.text, sighting.line
        ));
    }
    Some(ColumnShown {
        header: header.to_string(),
        locale,
        what,
        text: sighting.text.clone(),
        line: sighting.line,
        used: Cell::new(0),
    })
}

impl ColumnShown {
    /// A value read again by the column's conventions, after the locale's reading refused it
    /// (the first refusal stands when this one fails too).
    pub fn read_again<T, E>(
        &self,
        refused: E,
        read: impl FnOnce(&Locale) -> Result<T, E>,
    ) -> Result<T, E> {
        match read(&self.locale) {
            Ok(value) => {
                self.used.set(self.used.get() + 1);
                Ok(value)
            }
            Err(_) => Err(refused),
        }
    }

    /// How the column's values that read two ways were read, when any did: for the notes.
    pub fn note(&self) -> Option<String> {
        let used = self.used.get();
        (used > 0).then(|| format!(
            "{used} value(s) in column '{}' read two ways and were read with {}, as '{}' on line {} of the same column shows; to say so yourself, set the organization's locale (turnout config set locale de-DE, uk-UA, en-US...) or pass --locale",
            self.header, self.what, self.text, self.line
        ))
    }
}
