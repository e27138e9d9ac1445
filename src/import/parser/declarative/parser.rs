//! The row parser a bound profile becomes: `DeclarativeParser`, what it knows of the file, how it
//! reads a row's cells, applies skip rules and links the row to a campaign, and `parse`, which
//! hands each of the profile's records to the file that makes that kind (`metrics`, `people`,
//! `schedule`).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use csv::ByteRecord;

use super::values::{Row, Val, read_value};
use crate::import::model::shape::Moment;
use crate::import::model::spec::{Condition, FieldSpec, FieldType, ProfileSpec, RecordSpec};
use crate::import::model::{PersonIds, Record, RowIssue, RowOutcome, RowParser};
use crate::import::parser::identifiers::Identifiers;
use crate::linking::{CodeMatcher, codes_in, link_parameter};

/// A row is read with `&self` only: the few things the parser keeps as it goes (undated values,
/// unreadable identifiers, rates that disagree) are in cells. A row then borrows the profile
/// as it is; taking a shared copy of it (an atomic count) on every row cost 5% of an import.
pub(super) struct DeclarativeParser {
    pub(super) spec: Arc<ProfileSpec>,
    /// The profile's field names, sorted: a row holds a value per name (see `Row`).
    pub(super) names: Arc<[String]>,
    pub(super) header: Vec<String>,
    pub(super) width: usize,
    /// field -> column index
    pub(super) columns: BTreeMap<String, usize>,
    /// The same, by the field's place in `names` (and in the profile's fields): each row's
    /// cells are read without looking a name up.
    pub(super) slot_columns: Vec<Option<usize>>,
    /// fields with one value for the whole file (preamble, file name)
    pub(super) constants: Arc<BTreeMap<String, Val<'static>>>,
    pub(super) zone: Tz,
    pub(super) org_tz: Tz,
    /// How the file writes numbers and dates: `--locale`, else the profile's, else the
    /// organization's; none when unknown (then values that read two ways are rejected).
    pub(super) locale: Option<crate::locale::Locale>,
    /// Per field (by its place in `names`): what its column's first rows showed of how it
    /// writes days or numbers, to read by where no locale says (see `evidence`).
    pub(super) column_shown: Vec<Option<crate::import::parser::evidence::ColumnShown>>,
    /// Columns that showed two ways of writing, or one the locale contradicts.
    pub(super) column_warnings: Vec<String>,
    /// Per field: a percentage a record keeps, from an `.xls` or `.ods` sheet, whose column
    /// holds no value above 1 (so a bare 0.3398 reads two ways; see `evidence`).
    pub(super) unmarked_percent: Vec<bool>,
    /// The file is an `.xls` or `.ods` sheet (see `ReadContext::percentages_unmarked`).
    pub(super) percentages_unmarked: bool,
    pub(super) default_country: String,
    /// The people rows name, hashed (none when the profile names no one).
    pub(super) identifiers: Option<Identifiers>,
    pub(super) matcher: CodeMatcher,
    pub(super) campaigns: BTreeMap<String, i64>,
    pub(super) campaign_override: Option<i64>,
    pub(super) moment: Moment,
    pub(super) undated_date: NaiveDate,
    /// The import's day (`--today`): whether an event has passed.
    pub(super) today: NaiveDate,
    pub(super) date_given: bool,
    pub(super) bounds: (NaiveDate, NaiveDate),
    pub(super) ignored: Vec<String>,
    pub(super) undated_rows: Cell<u64>,
    /// Per column of emails or phones: cells that could not be read as one (the row counts,
    /// but as no one), and the first line with one. Never the value itself.
    pub(super) unreadable: RefCell<BTreeMap<String, (FieldType, u64, u64)>>,
    /// The same cells of the row being parsed, for the ledger (see `RowParser::take_dropped`).
    pub(super) dropped: RefCell<Vec<RowIssue>>,
    pub(super) rate_mismatches: RefCell<Vec<String>>,
    /// Metric names, for plan items' goals.
    pub(super) vocabulary_names: Vec<String>,
    pub(super) forgotten: std::collections::HashSet<crate::people::IdHash>,
}

/// What one of the profile's records made of a row.
// Returned and unpacked at once, never kept: boxing the one record would cost an allocation
// per row, which a file of a million touches feels.
#[allow(clippy::large_enum_variant)]
pub(super) enum Made {
    /// Nothing: the row lacks what this record needs; the row's other records go on.
    Nothing,
    One(Record),
    Many(Vec<Record>),
    /// The whole row is skipped, for this reason: none of its records are kept.
    SkipRow(String),
}

impl DeclarativeParser {
    pub(super) fn issue(
        &self,
        line: u64,
        column: Option<usize>,
        expected: &str,
        found: &str,
        reason: String,
    ) -> RowIssue {
        RowIssue {
            line,
            column_number: column.map(|c| c + 1),
            column_name: column
                .and_then(|c| self.header.get(c).cloned())
                .or_else(|| column.map(|c| format!("column {}", c + 1))),
            expected: Some(expected.to_string()),
            found: Some(found.to_string()),
            reason,
        }
    }

    /// A cell read as the locale writes it; when none says and the cell reads two ways, as the
    /// rest of its column shows.
    fn read_cell<'t>(
        &self,
        slot: usize,
        field: &FieldSpec,
        text: &'t str,
    ) -> Result<Val<'t>, (String, String)> {
        let refused = match read_value(field, text, self.zone, self.locale.as_ref()) {
            Ok(value) => return self.fraction_or_points(slot, text, value),
            Err(refused) => refused,
        };
        match self.column_shown.get(slot) {
            Some(Some(shown)) => shown.read_again(refused, |locale| {
                read_value(field, text, self.zone, Some(locale))
            }),
            _ => Err(refused),
        }
    }

    fn read_row<'r>(
        &self,
        names: &'r [String],
        constants: &'r BTreeMap<String, Val<'static>>,
        record: &'r ByteRecord,
        line: u64,
    ) -> Result<Row<'r>, RowIssue> {
        let mut row = Row::new(names);
        for (name, value) in constants {
            row.set(name, value.view());
        }
        let fields = self.spec.fields.values().zip(&self.slot_columns);
        for (slot, (field, &column)) in fields.enumerate() {
            let Some(column) = column else { continue };
            let bytes = record.get(column).unwrap_or_default();
            let text = std::str::from_utf8(bytes).map(str::trim).map_err(|_| {
                self.issue(
                    line,
                    Some(column),
                    "UTF-8 text",
                    &String::from_utf8_lossy(bytes),
                    "this cell is not UTF-8 text; re-save the file as \"CSV UTF-8\"".to_string(),
                )
            })?;
            let value = self
                .read_cell(slot, field, text)
                .map_err(|(expected, why)| {
                    let reason = if why.is_empty() {
                        format!("'{text}' is not {expected}")
                    } else {
                        why
                    };
                    self.issue(line, Some(column), &expected, text, reason)
                })?;
            if let Val::Time(t) = &value {
                let day = t.with_timezone(&self.org_tz).date_naive();
                if day < self.bounds.0 || day > self.bounds.1 {
                    return Err(self.issue(
                        line,
                        Some(column),
                        &format!("a date between {} and {}", self.bounds.0, self.bounds.1),
                        text,
                        format!("'{text}' is not a plausible date: expected one between {} and {} (a year from today)", self.bounds.0, self.bounds.1),
                    ));
                }
            }
            row.set_at(slot, value);
        }
        // Derived fields: a query parameter of the links in another field.
        for (name, field) in &self.spec.fields {
            if let (Some(from), Some(param)) = (&field.from, &field.param) {
                let value = row
                    .get(from)
                    .and_then(Val::text)
                    .and_then(|text| link_parameter(text, param))
                    .map(|text| Val::Text(Cow::Owned(text)))
                    .unwrap_or(Val::Unknown);
                row.set(name, value);
            }
        }
        Ok(row)
    }

    fn holds(&self, row: &Row, conditions: &[Condition]) -> bool {
        conditions.iter().all(|c| {
            let value = row.get(&c.field).unwrap_or(&Val::Unknown);
            let text = value.canonical();
            if let Some(blank) = c.blank
                && (*value == Val::Unknown) != blank
            {
                return false;
            }
            if let Some(is) = c.is
                && *value != Val::Bool(is)
            {
                return false;
            }
            if let Some(passed) = c.passed {
                // A week has passed once its Sunday has.
                let day = match value {
                    Val::Time(t) => Some(t.with_timezone(&self.org_tz).date_naive()),
                    Val::Week(monday) => Some(*monday + chrono::Duration::days(6)),
                    other => other.day(),
                };
                if day.is_none_or(|day| (day < self.today) != passed) {
                    return false;
                }
            }
            if let Some(values) = &c.one_of
                && (*value == Val::Unknown || !values.iter().any(|v| v.eq_ignore_ascii_case(&text)))
            {
                return false;
            }
            if let Some(values) = &c.not_in
                && *value != Val::Unknown
                && values.iter().any(|v| v.eq_ignore_ascii_case(&text))
            {
                return false;
            }
            true
        })
    }

    /// Whether conditions hold on the cells as written, when every one is about a text field
    /// read from a column (none otherwise: they wait for the typed row).
    fn holds_as_written(&self, record: &ByteRecord, conditions: &[Condition]) -> Option<bool> {
        let mut all = true;
        for c in conditions {
            let field = self.spec.fields.get(&c.field)?;
            let column = *self.columns.get(&c.field)?;
            if field.kind != FieldType::Text || c.is.is_some() || c.passed.is_some() {
                return None;
            }
            let text = std::str::from_utf8(record.get(column).unwrap_or_default())
                .ok()?
                .trim();
            let unknown = super::values::is_unknown(field, text);
            let holds = c.blank.is_none_or(|blank| unknown == blank)
                && c.one_of.as_ref().is_none_or(|values| {
                    !unknown && values.iter().any(|v| v.eq_ignore_ascii_case(text))
                })
                && c.not_in.as_ref().is_none_or(|values| {
                    unknown || !values.iter().any(|v| v.eq_ignore_ascii_case(text))
                });
            all &= holds;
        }
        Some(all)
    }

    /// The campaign, by `--campaign`, then the codes the row carries, then a campaign column.
    /// Also returns the first code seen (kept on the row so unmatched codes can be listed).
    fn campaign(&self, row: &Row) -> (Option<i64>, Option<String>) {
        let mut first_code = None;
        let mut found = None;
        for field in &self.spec.codes {
            let Some(text) = row.get(field).map(Val::canonical) else {
                continue;
            };
            for code in codes_in(&text) {
                if first_code.is_none() {
                    first_code = Some(code.clone());
                }
                if found.is_none() {
                    found = self.matcher.campaign_for(&code);
                }
            }
        }
        let from_column = self
            .spec
            .campaign
            .as_ref()
            .and_then(|f| row.get(f))
            .and_then(Val::text)
            .and_then(|slug| self.campaigns.get(&slug.to_lowercase()).copied());
        let campaign = self.campaign_override.or(found).or(from_column);
        (campaign, first_code)
    }

    pub(super) fn text_of(&self, row: &Row, field: &str) -> Option<String> {
        match row.get(field) {
            Some(Val::Unknown) | None => None,
            Some(v) => Some(v.canonical()),
        }
    }

    /// A day for a dated record: the field's day in the organization's zone, else `--date`.
    pub(super) fn day_of(&self, row: &Row, field: Option<&String>) -> NaiveDate {
        match field.and_then(|f| row.get(f)) {
            Some(Val::Time(t)) => t.with_timezone(&self.org_tz).date_naive(),
            Some(Val::Date(d) | Val::Week(d)) => *d,
            _ => {
                self.undated_rows.set(self.undated_rows.get() + 1);
                self.undated_date
            }
        }
    }

    pub(super) fn time_of(&self, row: &Row, field: Option<&String>) -> DateTime<Utc> {
        match field.and_then(|f| row.get(f)) {
            Some(Val::Time(t)) => *t,
            Some(Val::Date(d) | Val::Week(d)) => self.midday(*d),
            _ => {
                self.undated_rows.set(self.undated_rows.get() + 1);
                self.midday(self.undated_date)
            }
        }
    }

    pub(super) fn midday(&self, day: NaiveDate) -> DateTime<Utc> {
        let noon = day.and_hms_opt(12, 0, 0).expect("valid time");
        self.org_tz
            .from_local_datetime(&noon)
            .earliest()
            .map(|t| t.to_utc())
            .unwrap_or_else(|| Utc.from_utc_datetime(&noon))
    }

    pub(super) fn person(
        &self,
        row: &Row,
        email: Option<&String>,
        phone: Option<&String>,
        platform_id: Option<&String>,
    ) -> PersonIds {
        let Some(identifiers) = &self.identifiers else {
            return PersonIds::default();
        };
        let cell = |field: Option<&String>| field.and_then(|f| row.get(f)).and_then(Val::text);
        identifiers.person(cell(email), cell(phone), cell(platform_id))
    }

    fn mentions_forgotten(&self, row: &Row) -> bool {
        self.spec.records.iter().any(|record| {
            let (email, phone, platform_id) = match record {
                RecordSpec::Touch { email, phone, .. } => (email.as_ref(), phone.as_ref(), None),
                RecordSpec::Action {
                    email,
                    phone,
                    platform_id,
                    ..
                }
                | RecordSpec::Person {
                    email,
                    phone,
                    platform_id,
                    ..
                } => (email.as_ref(), phone.as_ref(), platform_id.as_ref()),
                _ => (None, None, None),
            };
            self.person(row, email, phone, platform_id)
                .hashes
                .iter()
                .any(|(_, h)| self.forgotten.contains(h))
        })
    }

    /// What one of the profile's records (the `index`th) makes of a row, by its kind.
    fn make(
        &self,
        spec: &RecordSpec,
        index: usize,
        row: &Row,
        line: u64,
        campaign_id: Option<i64>,
        code: Option<&String>,
    ) -> Result<Made, RowIssue> {
        match spec {
            RecordSpec::EffortMetrics { .. } => self.effort_metrics(spec, row, line, campaign_id),
            RecordSpec::Metrics { .. } => self.metrics(spec, row, line, campaign_id, code),
            RecordSpec::Touch { .. } => self.touch(spec, row, line, campaign_id),
            RecordSpec::Action { .. } => self.action(spec, index, row, campaign_id, code),
            RecordSpec::Event { .. } => Ok(self.event(spec, row, campaign_id)),
            RecordSpec::Plan { .. } => self.plan(spec, row, line, campaign_id),
            RecordSpec::Person { .. } => Ok(self.person_record(spec, row)),
        }
    }
}

impl RowParser for DeclarativeParser {
    fn parse(&mut self, record: &ByteRecord, line: u64) -> Result<RowOutcome, RowIssue> {
        if record.len() != self.width {
            let expected_from = if self.spec.header {
                "the header has"
            } else {
                "the profile expects"
            };
            return Err(RowIssue::ragged(
                line,
                record.len(),
                self.width,
                expected_from,
            ));
        }
        let profile = &self.spec;
        // A rule on text alone (a Total row) is tried on the cells as written first: such a row
        // is skipped even when its other cells would not read (a date column saying "Total").
        for rule in &profile.skip {
            if self.holds_as_written(record, &rule.when) == Some(true) {
                return Ok(RowOutcome::Skip(rule.reason.clone()));
            }
        }
        let row = self.read_row(&self.names, &self.constants, record, line)?;
        for rule in &self.spec.skip {
            if self.holds(&row, &rule.when) {
                return Ok(RowOutcome::Skip(rule.reason.clone()));
            }
        }
        self.check_rates(&row, line);
        self.note_unreadable_people(&row, line);
        let (campaign_id, code) = self.campaign(&row);
        // A person who asked to be forgotten stays forgotten, whatever file comes in.
        if !self.forgotten.is_empty() && self.mentions_forgotten(&row) {
            return Ok(RowOutcome::Skip("forgotten".to_string()));
        }

        let mut records = crate::import::model::Records::new();
        for (index, spec) in profile.records.iter().enumerate() {
            if !self.holds(&row, spec.conditions()) {
                continue;
            }
            match self.make(spec, index, &row, line, campaign_id, code.as_ref())? {
                Made::Nothing => {}
                Made::One(made) => records.push(made),
                Made::Many(made) => records.extend(made),
                Made::SkipRow(reason) => return Ok(RowOutcome::Skip(reason)),
            }
        }
        if records.is_empty() {
            return Ok(RowOutcome::Skip(
                "no numbers in this row (every count is blank or unknown)".to_string(),
            ));
        }
        Ok(RowOutcome::Records(records))
    }

    fn warnings(&self) -> Vec<String> {
        self.collected_warnings()
    }

    fn notes(&self) -> Vec<String> {
        self.collected_notes()
    }

    fn take_dropped(&mut self) -> Vec<RowIssue> {
        self.dropped.take()
    }

    fn sample_rows(&self) -> usize {
        if self.wants_sample() {
            crate::import::parser::evidence::SAMPLE_ROWS
        } else {
            0
        }
    }

    fn learn(&mut self, sample: &[(&ByteRecord, u64)]) {
        self.learn_columns(sample);
    }

    fn warm(&self, records: &[&ByteRecord]) {
        let Some(identifiers) = &self.identifiers else {
            return;
        };
        let fields = self.spec.fields.values().zip(&self.slot_columns);
        for (field, column) in fields {
            let (Some(kind), Some(column)) = (field.kind.identifier(), *column) else {
                continue;
            };
            identifiers.warm(records.iter().filter_map(|record| {
                let text = std::str::from_utf8(record.get(column)?).ok()?;
                Some((kind, text.trim()))
            }));
        }
    }
}
