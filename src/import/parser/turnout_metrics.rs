//! `turnout-metrics`: turnout's own long format, one number per row.
//!
//! ```text
//! date,campaign,channel,effort,metric,value,source
//! 2026-09-15,fair-rent-now,email,em_0915_townhall,unique_opens,1184,
//! 2026-W41,fair-rent-now,,,calls,120,
//! ```
//! Only `metric` and `value` are required: a file without dates takes `--date` (else the import
//! day), and one without campaigns takes `--campaign` (else its rows stay unlinked, never dropped).
//! Columns are matched case-insensitively in any order; unknown columns are ignored.

use chrono::NaiveDate;
use csv::ByteRecord;

use super::cells::{DateBounds, DatedCell, Grain, parse_dated};
use super::evidence::{ColumnShown, Convention, SAMPLE_ROWS, column_texts, learn_column};
use crate::channels;
use crate::import::model::{EffortKey, MetricRecord};
use crate::import::model::{Profile, ProfileInfo, RowParser, show_header};
use crate::import::model::{ReadContext, Record, RowIssue, RowOutcome};
use crate::metrics::{Metric, Vocabulary};
use crate::values::parse_value_in;

pub static INFO: ProfileInfo = ProfileInfo {
    name: "turnout-metrics",
    description: "turnout's own long format: date,campaign,channel,effort,metric,value[,source]",
    required: &["metric", "value"],
    optional: &["date", "campaign", "channel", "effort", "source"],
};

/// Efforts named in this format live in turnout's own namespace.
const PLATFORM: &str = "turnout";

pub struct TurnoutMetrics;

impl Profile for TurnoutMetrics {
    fn name(&self) -> &str {
        INFO.name
    }

    fn description(&self) -> String {
        format!("turnout: {}", INFO.description)
    }

    fn specificity(&self) -> usize {
        INFO.required.len()
    }

    fn missing(&self, header: &[String]) -> Vec<String> {
        INFO.missing(header)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    fn bind(&self, header: &[String], context: &ReadContext) -> Result<Box<dyn RowParser>, String> {
        let missing = INFO.missing(header);
        if !missing.is_empty() {
            return Err(format!(
                "expected a header with the columns {} (and optionally {}), but the file's header is {}; it lacks {}. \
                 Check that this is the right file; if it comes from another tool, leave out --profile so turnout can recognise it",
                INFO.required.join(", "),
                INFO.optional.join(", "),
                show_header(header),
                missing.join(", ")
            ));
        }
        let find = |name: &str| -> Result<Option<usize>, String> {
            let positions: Vec<usize> = header
                .iter()
                .enumerate()
                .filter(|(_, h)| h.eq_ignore_ascii_case(name))
                .map(|(i, _)| i)
                .collect();
            match positions.as_slice() {
                [] => Ok(None),
                [one] => Ok(Some(*one)),
                [first, second, ..] => Err(format!(
                    "the column '{name}' appears more than once (columns {} and {}); keep one and rename or remove the other",
                    first + 1,
                    second + 1
                )),
            }
        };
        let required = |name: &str| -> Result<usize, String> {
            find(name)?.ok_or_else(|| format!("the column '{name}' is missing"))
        };
        Ok(Box::new(MetricsParser {
            width: header.len(),
            header: header.to_vec(),
            date: find("date")?,
            campaign: find("campaign")?,
            channel: find("channel")?,
            effort: find("effort")?,
            metric: required("metric")?,
            value: required("value")?,
            source: find("source")?,
            vocabulary: context.vocabulary.clone(),
            campaigns: context.campaigns.clone(),
            campaign_override: context.campaign_override.clone(),
            org_tz: context.org_tz,
            source_tz: context.source_tz.unwrap_or(context.org_tz),
            tz_given: context.source_tz.is_some(),
            undated_date: context.date_override.unwrap_or(context.today),
            date_given: context.date_override.is_some(),
            bounds: DateBounds::around(context.today),
            locale: context
                .locale_override
                .clone()
                .or_else(|| context.org_locale.clone()),
            value_shown: None,
            date_shown: None,
            column_warnings: Vec::new(),
            undated_rows: 0,
            unlinked_rows: 0,
            overridden_rows: 0,
            timestamps_seen: 0,
        }))
    }
}

struct MetricsParser {
    width: usize,
    header: Vec<String>,
    date: Option<usize>,
    campaign: Option<usize>,
    channel: Option<usize>,
    effort: Option<usize>,
    metric: usize,
    value: usize,
    source: Option<usize>,
    vocabulary: Vocabulary,
    campaigns: std::collections::BTreeMap<String, i64>,
    campaign_override: Option<(String, i64)>,
    org_tz: chrono_tz::Tz,
    source_tz: chrono_tz::Tz,
    tz_given: bool,
    undated_date: NaiveDate,
    date_given: bool,
    bounds: DateBounds,
    /// How the file writes numbers and dates (`--locale`, else the organization's).
    locale: Option<crate::locale::Locale>,
    /// What the value and date columns' first rows showed of how they write numbers and
    /// days, to read by where no locale says (see `evidence`).
    value_shown: Option<ColumnShown>,
    date_shown: Option<ColumnShown>,
    column_warnings: Vec<String>,
    undated_rows: u64,
    unlinked_rows: u64,
    overridden_rows: u64,
    timestamps_seen: u64,
}

impl MetricsParser {
    fn issue(
        &self,
        line: u64,
        column: usize,
        expected: &str,
        found: &str,
        reason: String,
    ) -> RowIssue {
        RowIssue {
            line,
            column_number: Some(column + 1),
            column_name: self.header.get(column).cloned(),
            expected: Some(expected.to_string()),
            found: Some(found.to_string()),
            reason,
        }
    }

    /// The trimmed text of a cell; a cell that is not UTF-8 rejects the row.
    fn cell<'r>(
        &self,
        record: &'r ByteRecord,
        line: u64,
        column: usize,
    ) -> Result<&'r str, RowIssue> {
        let bytes = record.get(column).unwrap_or_default();
        std::str::from_utf8(bytes).map(str::trim).map_err(|_| {
            self.issue(
                line,
                column,
                "UTF-8 text",
                &String::from_utf8_lossy(bytes),
                "this cell is not UTF-8 text; re-save the file as \"CSV UTF-8\"".to_string(),
            )
        })
    }

    fn optional_cell<'r>(
        &self,
        record: &'r ByteRecord,
        line: u64,
        column: Option<usize>,
    ) -> Result<Option<&'r str>, RowIssue> {
        match column {
            Some(column) => Ok(Some(self.cell(record, line, column)?).filter(|c| !c.is_empty())),
            None => Ok(None),
        }
    }
}

/// Cells that mean "no number here" rather than zero.
fn is_unknown(text: &str) -> bool {
    text.is_empty()
        || text == "-"
        || text.eq_ignore_ascii_case("n/a")
        || text.eq_ignore_ascii_case("na")
}

/// A row's metric and its value, once both are known.
struct Measurement {
    metric: String,
    value: f64,
}

impl MetricsParser {
    /// The row's metric and value; `None` when the value is blank or '-' (unknown, not zero).
    fn measurement(&self, record: &ByteRecord, line: u64) -> Result<Option<Measurement>, RowIssue> {
        let metric_text = self.cell(record, line, self.metric)?;
        let value_text = self.cell(record, line, self.value)?;
        let metric = self.known_metric(metric_text, line)?;
        if is_unknown(value_text) {
            return Ok(None);
        }
        let read = |locale: Option<&crate::locale::Locale>| {
            parse_value_in(value_text, metric.unit, locale)
        };
        let value = match (read(self.locale.as_ref()), &self.value_shown) {
            (Err(refused), Some(shown)) => shown.read_again(refused, |l| read(Some(l))),
            (read, _) => read,
        };
        let value = value.map_err(|e| {
            let reason = match &e.reason {
                Some(why) => format!("{why} (a value for {})", metric.name),
                None => format!(
                    "'{}' is not a value for {}: expected {}",
                    e.found, metric.name, e.expected
                ),
            };
            self.issue(line, self.value, &e.expected, &e.found, reason)
        })?;
        Ok(Some(Measurement {
            metric: metric.name.clone(),
            value,
        }))
    }

    /// The metric a cell names: blank or unknown names reject the row (with the closest name).
    fn known_metric(&self, metric_text: &str, line: u64) -> Result<&Metric, RowIssue> {
        if metric_text.is_empty() {
            return Err(self.issue(
                line,
                self.metric,
                "a metric name such as calls or unique_opens",
                "",
                "the metric is blank".to_string(),
            ));
        }
        let Some(metric) = self.vocabulary.find(&metric_text.to_ascii_lowercase()) else {
            let hint = self
                .vocabulary
                .closest(metric_text)
                .map(|c| format!("; did you mean '{c}'?"))
                .unwrap_or_else(|| {
                    "; see turnout metric list, or add it with turnout metric add".to_string()
                });
            return Err(self.issue(
                line,
                self.metric,
                "a known metric name (turnout metric list)",
                metric_text,
                format!("'{metric_text}' is not a known metric{hint}"),
            ));
        };
        Ok(metric)
    }

    /// A date cell: ISO forms, else a day in the locale's order (`13.10.2026`). The error is
    /// (what was expected, why).
    fn date_cell(&self, text: &str) -> Result<DatedCell, (String, String)> {
        let iso = parse_dated(text, self.source_tz, self.org_tz, &self.bounds);
        let Err(expected) = iso else {
            return iso.map_err(|e| (e, String::new()));
        };
        let day = |locale: Option<&crate::locale::Locale>| crate::locale::day(text.trim(), locale);
        let day = match (day(self.locale.as_ref()), &self.date_shown) {
            (Err(refused), Some(shown)) => shown.read_again(refused, |l| day(Some(l))),
            (day, _) => day,
        };
        match day {
            Ok(Some(date)) if date >= self.bounds.earliest && date <= self.bounds.latest => {
                Ok(DatedCell {
                    date,
                    grain: Grain::Day,
                    was_timestamp: false,
                })
            }
            Err(why) => Err((expected, why)),
            _ => Err((
                expected.clone(),
                format!("'{text}' is not a usable date: {expected}"),
            )),
        }
    }

    /// The row's day (or week): its date cell, else the undated day; counts what it saw.
    fn dated(&mut self, record: &ByteRecord, line: u64) -> Result<DatedCell, RowIssue> {
        let dated = match self.optional_cell(record, line, self.date)? {
            Some(text) => {
                let column = self.date.unwrap_or_default();
                self.date_cell(text).map_err(|(expected, reason)| {
                    self.issue(line, column, &expected, text, reason)
                })?
            }
            None => {
                self.undated_rows += 1;
                DatedCell {
                    date: self.undated_date,
                    grain: Grain::Day,
                    was_timestamp: false,
                }
            }
        };
        if dated.was_timestamp {
            self.timestamps_seen += 1;
        }
        Ok(dated)
    }

    /// The row's campaign: `--campaign` first, else the campaign cell's slug, else none
    /// (unlinked); counts the rows overridden and unlinked.
    fn campaign_id(&mut self, record: &ByteRecord, line: u64) -> Result<Option<i64>, RowIssue> {
        let campaign_cell = self.optional_cell(record, line, self.campaign)?;
        let campaign_id = match (&self.campaign_override, campaign_cell) {
            (Some((slug, id)), cell) => {
                if cell.is_some_and(|c| !c.eq_ignore_ascii_case(slug)) {
                    self.overridden_rows += 1;
                }
                Some(*id)
            }
            (None, Some(slug)) => match self.campaigns.get(&slug.to_ascii_lowercase()) {
                Some(id) => Some(*id),
                None => {
                    let column = self.campaign.unwrap_or_default();
                    return Err(self.issue(
                        line,
                        column,
                        "the slug of a campaign set up with turnout campaign add",
                        slug,
                        format!(
                            "there is no campaign '{slug}'; create it (turnout campaign add {} --name \"...\") or correct the cell",
                            slug.to_ascii_lowercase()
                        ),
                    ));
                }
            },
            (None, None) => {
                self.unlinked_rows += 1;
                None
            }
        };
        Ok(campaign_id)
    }

    /// The row's channel, if its channel cell names one; an unknown channel rejects the row.
    fn channel(&self, record: &ByteRecord, line: u64) -> Result<Option<&'static str>, RowIssue> {
        match self.optional_cell(record, line, self.channel)? {
            Some(text) => Ok(Some(channels::parse(text).map_err(|_| {
                self.issue(
                    line,
                    self.channel.unwrap_or_default(),
                    &format!("one of {}", channels::CHANNELS.join(", ")),
                    text,
                    channels::unknown_message(text),
                )
            })?)),
            None => Ok(None),
        }
    }

    /// The effort the row's effort cell names, in turnout's own namespace.
    fn effort(&self, record: &ByteRecord, line: u64) -> Result<Option<EffortKey>, RowIssue> {
        Ok(self
            .optional_cell(record, line, self.effort)?
            .map(|id| EffortKey {
                platform: PLATFORM.to_string(),
                info: Default::default(),
                alias: None,
                external_id: id.to_string(),
                column: self.effort.map(|c| c + 1),
            }))
    }
}

impl RowParser for MetricsParser {
    fn parse(&mut self, record: &ByteRecord, line: u64) -> Result<RowOutcome, RowIssue> {
        if record.len() != self.width {
            return Err(RowIssue::ragged(
                line,
                record.len(),
                self.width,
                "the header has",
            ));
        }

        let Some(measurement) = self.measurement(record, line)? else {
            return Ok(RowOutcome::Skip(
                "the value is blank or '-' (unknown, not zero)".to_string(),
            ));
        };
        let dated = self.dated(record, line)?;
        let campaign_id = self.campaign_id(record, line)?;
        let channel = self.channel(record, line)?;
        let effort = self.effort(record, line)?;
        let source_code = self
            .optional_cell(record, line, self.source)?
            .map(str::to_string);

        Ok(RowOutcome::Records(smallvec::smallvec![Record::Metric(
            MetricRecord {
                campaign_id,
                effort,
                channel,
                metric: measurement.metric,
                grain: dated.grain,
                date: dated.date,
                source_code,
                detail: None,
                value: measurement.value,
                span: crate::import::model::Span::Own,
            }
        )]))
    }

    fn sample_rows(&self) -> usize {
        SAMPLE_ROWS
    }

    fn learn(&mut self, sample: &[(&ByteRecord, u64)]) {
        let mut warnings = Vec::new();
        let header = |column: usize| self.header.get(column).cloned().unwrap_or_default();
        let locale = self.locale.as_ref();
        let value_texts = column_texts(sample, self.value);
        self.value_shown = learn_column(
            &header(self.value),
            Convention::Decimals,
            value_texts,
            locale,
            &mut warnings,
        );
        self.date_shown = self.date.and_then(|date| {
            let texts = column_texts(sample, date);
            learn_column(
                &header(date),
                Convention::Days,
                texts,
                locale,
                &mut warnings,
            )
        });
        self.column_warnings = warnings;
    }

    fn warnings(&self) -> Vec<String> {
        self.column_warnings.clone()
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        notes.extend(
            self.value_shown
                .iter()
                .chain(&self.date_shown)
                .filter_map(ColumnShown::note),
        );
        notes.extend(self.column_warnings.iter().cloned());
        let undated = self.undated_rows;
        if undated > 0 {
            let why = if self.date_given {
                "as --date asked"
            } else {
                "the import day; pass --date to choose another"
            };
            notes.push(format!(
                "{undated} row(s) carried no date of their own and were dated {} ({why})",
                self.undated_date
            ));
        }
        let unlinked = self.unlinked_rows;
        if unlinked > 0 {
            notes.push(format!(
                "{unlinked} row(s) name no campaign and are kept unlinked (shown as '(no campaign)'); pass --campaign SLUG to link them"
            ));
        }
        let overridden = self.overridden_rows;
        if overridden > 0
            && let Some((slug, _)) = &self.campaign_override
        {
            notes.push(format!(
                "{overridden} row(s) named another campaign in their campaign column; --campaign {slug} took precedence"
            ));
        }
        if self.tz_given && self.timestamps_seen == 0 {
            notes.push(
                "--tz had no effect: this file's dates are calendar days, not times of day"
                    .to_string(),
            );
        }
        notes
    }
}
