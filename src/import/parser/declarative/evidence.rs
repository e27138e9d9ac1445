//! The profile's columns learnt from the file's first rows (see `parser::evidence`): its day
//! and number fields, each by its column.

use csv::ByteRecord;

use super::parser::DeclarativeParser;
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
