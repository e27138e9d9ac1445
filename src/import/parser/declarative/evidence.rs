//! The profile's columns learnt from the file's first rows (see `parser::evidence`): its day
//! and number fields, each by its column.

use csv::ByteRecord;

use super::parser::DeclarativeParser;
use super::values::Val;
use crate::import::model::spec::{FieldSpec, FieldType};
use crate::import::parser::evidence::{Convention, column_texts, learn_column};

fn convention(field: &FieldSpec) -> Option<Convention> {
    match field.kind {
        // A profile's own formats say how its days are written.
        FieldType::Date | FieldType::Time if field.formats.is_empty() => Some(Convention::Days),
        FieldType::Count
        | FieldType::Number
        | FieldType::Amount
        | FieldType::Percent
        | FieldType::Fraction => Some(Convention::Decimals),
        _ => None,
    }
}

impl DeclarativeParser {
    /// In an `.xls` or `.ods` sheet a bare `0.3398` is 33.98% shown as a percentage, or
    /// 0.3398%: those workbooks do not say how a cell is shown. A percentage a record keeps is
    /// refused with both readings, unless its column holds a value above 1 (then it holds
    /// percentages as numbers). Rates only checked against counts read either way (`notes`).
    pub(super) fn fraction_or_points<'t>(
        &self,
        slot: usize,
        text: &str,
        value: Val<'t>,
    ) -> Result<Val<'t>, (String, String)> {
        match value {
            Val::Num(n)
                if n > 0.0
                    && n <= 1.0
                    && !text.contains('%')
                    && self.unmarked_percent.get(slot).copied().unwrap_or(false) =>
            {
                // Without the float's noise: 0.33340000000000003 is 0.3334.
                let shown = |x: f64| {
                    let text = format!("{x:.10}");
                    text.trim_end_matches('0').trim_end_matches('.').to_string()
                };
                Err((
                    "a percentage, e.g. 33.98%".to_string(),
                    format!(
                        "'{}' reads two ways in an .xls or .ods sheet, which does not say how its cells are shown: {}% (a cell shown as a percentage holds its fraction) or {}%; save the sheet as .xlsx or \"CSV UTF-8\" and import that",
                        shown(n),
                        shown(n * 100.0),
                        shown(n)
                    ),
                ))
            }
            value => Ok(value),
        }
    }

    /// Per field: whether it is a percentage a record keeps, from an `.xls` or `.ods` sheet,
    /// in a column of the sample with no value above 1.
    fn unmarked_percentages(&self, sample: &[(&ByteRecord, u64)]) -> Vec<bool> {
        let kept: Vec<&str> = self.spec.records.iter().flat_map(|r| r.fields()).collect();
        self.names
            .iter()
            .zip(self.spec.fields.values().zip(&self.slot_columns))
            .map(|(name, (field, column))| {
                let Some(column) = column.filter(|_| {
                    self.percentages_unmarked
                        && field.kind == FieldType::Percent
                        && kept.contains(&name.as_str())
                }) else {
                    return false;
                };
                !column_texts(sample, column).any(|(text, _)| {
                    !text.contains('%')
                        && crate::locale::number(text, None)
                            .ok()
                            .and_then(|n| n.parse::<f64>().ok())
                            .is_some_and(|n| n > 1.0)
                })
            })
            .collect()
    }

    pub(super) fn wants_sample(&self) -> bool {
        self.spec
            .fields
            .values()
            .zip(&self.slot_columns)
            .any(|(field, column)| column.is_some() && convention(field).is_some())
    }

    /// Learns each day or number column from the sample, field by field.
    pub(super) fn learn_columns(&mut self, sample: &[(&ByteRecord, u64)]) {
        let mut shown = Vec::with_capacity(self.slot_columns.len());
        let mut warnings = Vec::new();
        for (field, column) in self.spec.fields.values().zip(&self.slot_columns) {
            let (Some(column), Some(convention)) = (*column, convention(field)) else {
                shown.push(None);
                continue;
            };
            let header = self
                .header
                .get(column)
                .cloned()
                .unwrap_or_else(|| format!("column {}", column + 1));
            shown.push(learn_column(
                &header,
                convention,
                column_texts(sample, column),
                self.locale.as_ref(),
                &mut warnings,
            ));
        }
        self.column_shown = shown;
        self.column_warnings = warnings;
        self.unmarked_percent = self.unmarked_percentages(sample);
    }

    /// How values that read two ways were read, column by column: for the import's notes.
    pub(super) fn column_notes(&self) -> Vec<String> {
        self.column_shown
            .iter()
            .flatten()
            .filter_map(|shown| shown.note())
            .collect()
    }
}
