//! Numbers from a row: an `effort_metrics` record (numbers about one send or post) and a
//! `metrics` record (numbers not tied to one effort), each a `MetricRecord` per metric the row
//! holds a number for.

use chrono::NaiveDate;

use super::parser::{DeclarativeParser, Made};
use super::values::{Row, Val, short};
use crate::channels;
use crate::dates::DayRange;
use crate::import::model::shape::{self, Moment};
use crate::import::model::spec::RecordSpec;
use crate::import::model::{EffortInfo, EffortKey, MetricRecord, Record, RowIssue, Span};
use crate::import::parser::cells::Grain;

impl DeclarativeParser {
    /// Numbers about one piece of outreach, dated on its `date` field, else its `sent_at`.
    pub(super) fn effort_metrics(
        &self,
        spec: &RecordSpec,
        row: &Row,
        line: u64,
        campaign_id: Option<i64>,
    ) -> Result<Made, RowIssue> {
        let RecordSpec::EffortMetrics {
            channel,
            effort,
            title,
            audience,
            sent_at,
            date,
            metrics,
            ..
        } = spec
        else {
            unreachable!("effort_metrics is given an effort_metrics record");
        };
        let Some(effort_id) = self.text_of(row, effort) else {
            let column = self.columns.get(effort).copied();
            return Err(self.issue(line, column, "an id", "", "this row has no id for its send or post, so its numbers cannot be kept apart from others".to_string()));
        };
        let channel = channels::parse(channel).ok();
        let sent = sent_at
            .as_ref()
            .and_then(|f| row.get(f))
            .and_then(|v| match v {
                Val::Time(t) => Some(*t),
                _ => None,
            });
        let day = self.day_of(row, date.as_ref().or(sent_at.as_ref()));
        let key = EffortKey {
            platform: self.spec.platform.clone(),
            alias: None,
            external_id: effort_id,
            column: self.columns.get(effort).map(|c| c + 1),
            info: EffortInfo {
                title: title
                    .as_ref()
                    .and_then(|f| self.text_of(row, f))
                    .map(|t| short(&t)),
                audience: audience.as_ref().and_then(|f| self.text_of(row, f)),
                sent_at: sent.map(|t| t.to_rfc3339()),
            },
        };
        let mut records = Vec::new();
        for (metric, field) in metrics {
            if let Some(Val::Num(value)) = row.get(field) {
                records.push(Record::Metric(MetricRecord {
                    campaign_id,
                    effort: Some(key.clone()),
                    channel,
                    metric: metric.clone(),
                    grain: Grain::Day,
                    date: day,
                    source_code: None,
                    detail: None,
                    value: *value,
                    span: Span::Own,
                }));
            }
        }
        Ok(Made::Many(records))
    }

    /// Numbers not tied to one effort, placed by the import's moment (see `placement`).
    pub(super) fn metrics(
        &self,
        spec: &RecordSpec,
        row: &Row,
        line: u64,
        campaign_id: Option<i64>,
        code: Option<&String>,
    ) -> Result<Made, RowIssue> {
        let RecordSpec::Metrics {
            channel,
            date,
            end_date,
            detail,
            source,
            metrics,
            ..
        } = spec
        else {
            unreachable!("metrics is given a metrics record");
        };
        let (day, grain, span) = self.placement(row, line, date, end_date)?;
        let detail = detail.as_ref().and_then(|f| self.text_of(row, f));
        let source = source
            .as_ref()
            .and_then(|f| self.text_of(row, f))
            .or(code.cloned());
        let channel = channel.as_deref().and_then(|c| channels::parse(c).ok());
        let mut records = Vec::new();
        for (metric, field) in metrics {
            if let Some(Val::Num(value)) = row.get(field) {
                records.push(Record::Metric(MetricRecord {
                    campaign_id,
                    effort: None,
                    channel,
                    metric: metric.clone(),
                    grain,
                    date: day,
                    source_code: source.clone(),
                    detail: detail.clone(),
                    value: *value,
                    span,
                }));
            }
        }
        Ok(Made::Many(records))
    }

    /// The day, grain and span of a `metrics` record's numbers: the row's own day for
    /// events, the `as of` day for a snapshot, or the period the file (or `--date`) gives.
    fn placement(
        &self,
        row: &Row,
        line: u64,
        date: &Option<String>,
        end_date: &Option<String>,
    ) -> Result<(NaiveDate, Grain, Span), RowIssue> {
        let placed = match self.moment {
            Moment::Events => {
                let week = date
                    .as_ref()
                    .and_then(|f| row.get(f))
                    .is_some_and(|v| matches!(v, Val::Week(_)));
                let grain = if week { Grain::Week } else { Grain::Day };
                (self.day_of(row, date.as_ref()), grain, Span::Own)
            }
            Moment::AsOf { day, .. } => (day, Grain::Day, Span::Snapshot),
            Moment::Period { given, date: day } => {
                let day_in = |field: &Option<String>| match field.as_ref().and_then(|f| row.get(f))
                {
                    Some(Val::Date(d) | Val::Week(d)) => Some(*d),
                    Some(Val::Time(t)) => Some(t.with_timezone(&self.org_tz).date_naive()),
                    _ => None,
                };
                let file = day_in(date)
                    .zip(day_in(end_date))
                    .map(|(first, last)| DayRange { first, last });
                let range = shape::period_of(file, given, day)
                    .map_err(|reason| self.issue(line, None, "a period", "", reason))?;
                shape::placement(range)
            }
        };
        Ok(placed)
    }
}
