//! What the parser tells the user beyond its records: rates the file prints that disagree with
//! its own counts, emails and phones that could not be read, undated values and unused columns.
//! Collected row by row, written once the file has been read.

use super::parser::DeclarativeParser;
use super::values::{Row, Val};
use crate::import::model::RowIssue;
use crate::import::model::spec::FieldType;
use crate::output::plain_number;
use crate::people::{IdKind, normalize_email, normalize_phone};

/// How a warning about emails or phones that could not be read begins (`check` names it).
pub const IDENTIFIERS_DROPPED: &str = "identifiers dropped:";

const PHONE_FIX: &str = "write them with their country code (+380...), or set the country of numbers without one: turnout config set default_country UA";
const EMAIL_FIX: &str = "correct them in the tool and export again";

impl DeclarativeParser {
    /// Keeps the first five rows where a rate the file prints differs from the one its counts
    /// give by more than the printed precision.
    pub(super) fn check_rates(&self, row: &Row, line: u64) {
        for rate in &self.spec.rates {
            let (Some(Val::Num(printed)), Some(Val::Num(top)), Some(Val::Num(bottom))) = (
                row.get(&rate.field),
                row.get(&rate.numerator),
                row.get(&rate.denominator),
            ) else {
                continue;
            };
            if *bottom == 0.0 {
                continue;
            }
            let is_percent = self.spec.fields[&rate.field].kind == FieldType::Percent;
            let computed = top / bottom * if is_percent { 100.0 } else { 1.0 };
            // Within the printed precision: half a unit of the last printed digit.
            let printed_text = self
                .columns
                .get(&rate.field)
                .map(|_| plain_number(*printed))
                .unwrap_or_default();
            let decimals = printed_text
                .split('.')
                .nth(1)
                .map(str::len)
                .unwrap_or(0)
                .max(2) as i32;
            let tolerance = 0.5 * 10f64.powi(-decimals) + 1e-9;
            // An .xls or .ods cell shown as 33.98% holds 0.3398 (those workbooks do not say
            // how a cell is shown): when the row's own counts give that fraction, it agrees.
            let a_fraction_shown_as_percent = is_percent
                && *printed <= 1.0
                && (computed - printed * 100.0).abs() <= tolerance * 100.0;
            if (computed - printed).abs() > tolerance
                && !a_fraction_shown_as_percent
                && self.rate_mismatches.borrow().len() < 5
            {
                let header = |f: &str| {
                    self.columns
                        .get(f)
                        .and_then(|c| self.header.get(*c).cloned())
                        .unwrap_or_else(|| f.to_string())
                };
                self.rate_mismatches.borrow_mut().push(format!(
                    "line {line}: {} says {}{} but {} / {} is {:.*}{}",
                    header(&rate.field),
                    plain_number(*printed),
                    if is_percent { "%" } else { "" },
                    header(&rate.numerator),
                    header(&rate.denominator),
                    decimals as usize,
                    computed,
                    if is_percent { "%" } else { "" },
                ));
            }
        }
    }

    /// Counts emails and phones that cannot be read as one: dropping them silently would hide
    /// people from every rule and lift.
    pub(super) fn note_unreadable_people(&self, row: &Row, line: u64) {
        for (name, field) in &self.spec.fields {
            let Some(kind) = field.kind.identifier() else {
                continue;
            };
            let Some(text) = row.get(name).and_then(Val::text) else {
                continue;
            };
            // The identifiers remember each cell they have read: asking them does not read
            // the same email a second time on every row.
            let readable = match &self.identifiers {
                Some(identifiers) => identifiers.readable(kind, text),
                None => match kind {
                    IdKind::Email => normalize_email(text).is_some(),
                    IdKind::Phone => normalize_phone(text, &self.default_country).is_some(),
                    IdKind::Platform => !text.trim().is_empty(),
                },
            };
            if !readable {
                let index = self.columns.get(name).copied();
                let column = index
                    .and_then(|c| self.header.get(c).cloned())
                    .unwrap_or_else(|| name.clone());
                let (expected, fix) = if field.kind == FieldType::Phone {
                    ("a phone number", PHONE_FIX)
                } else {
                    ("an email address", EMAIL_FIX)
                };
                // Never the value itself: the ledger holds no one's identifiers.
                self.dropped.borrow_mut().push(RowIssue {
                    line,
                    column_number: index.map(|c| c + 1),
                    column_name: Some(column.clone()),
                    expected: Some(expected.to_string()),
                    found: None,
                    reason: format!(
                        "this {} could not be read, so the row counts as no one; {fix}",
                        &expected[expected.find(' ').map_or(0, |i| i + 1)..]
                    ),
                });
                let mut unreadable = self.unreadable.borrow_mut();
                let entry = unreadable.entry(column).or_insert((field.kind, 0, line));
                entry.1 += 1;
            }
        }
    }

    /// The warnings kept with the import for `turnout check`: rates that disagree, people who
    /// could not be read.
    pub(super) fn collected_warnings(&self) -> Vec<String> {
        let mut warnings: Vec<String> = self
            .rate_mismatches
            .borrow()
            .iter()
            .map(|m| format!("the file's own rate differs from its counts, {m}"))
            .collect();
        for (column, (kind, count, first_line)) in self.unreadable.borrow().iter() {
            let (what, fix) = if *kind == FieldType::Phone {
                ("phone number(s)", PHONE_FIX)
            } else {
                ("email address(es)", EMAIL_FIX)
            };
            warnings.push(format!(
                "{IDENTIFIERS_DROPPED} {count} {what} in column '{column}' could not be read (the first on line {first_line}): their rows count, but as no one, so no rule or lift sees them; {fix}"
            ));
        }
        warnings.extend(self.column_warnings.iter().cloned());
        warnings
    }

    /// Everything the user should know once the file has been read: undated values, the
    /// warnings, and (when verbose) the columns the profile does not use.
    pub(super) fn collected_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let undated_rows = self.undated_rows.get();
        if undated_rows > 0 {
            notes.push(if self.date_given {
                format!("{} value(s) carried no date of their own and were dated {} (--date)", undated_rows, self.undated_date)
            } else {
                format!(
                    "{} value(s) carried no date of their own and were dated {} (the import day; pass --date to choose another)",
                    undated_rows, self.undated_date
                )
            });
        }
        notes.extend(self.column_notes());
        notes.extend(self.collected_warnings());
        if !self.ignored.is_empty() {
            notes.push(format!(
                "columns this profile does not use (ignored): {}",
                self.ignored.join(", ")
            ));
        }
        notes
    }
}
