//! Records of what is scheduled, from a row: an `event` (or timeslot) people RSVP to and attend,
//! and a `plan` item (what goes out when, on which channel, to which audience), checked cell by
//! cell so a wrong cell is reported on its own line.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::parser::{DeclarativeParser, Made};
use super::values::{Row, Val, short};
use crate::channels;
use crate::import::model::spec::RecordSpec;
use crate::import::model::{EventRecord, PlanRecord, Record, RowIssue};

impl DeclarativeParser {
    /// An event or timeslot. A row without the event's id makes none.
    pub(super) fn event(&self, spec: &RecordSpec, row: &Row, campaign_id: Option<i64>) -> Made {
        let RecordSpec::Event {
            event,
            starts,
            title,
            ..
        } = spec
        else {
            unreachable!("event is given an event record");
        };
        let Some(id) = self.text_of(row, event) else {
            return Made::Nothing;
        };
        // A day without a time (an event's date given on import) starts at midday.
        let starts_at = starts
            .as_ref()
            .and_then(|f| row.get(f))
            .and_then(|v| match v {
                Val::Time(t) => Some(*t),
                Val::Date(d) | Val::Week(d) => Some(self.midday(*d)),
                _ => None,
            });
        Made::One(Record::Event(EventRecord {
            platform: self.spec.platform.clone(),
            external_id: id,
            campaign_id,
            title: title
                .as_ref()
                .and_then(|f| self.text_of(row, f))
                .map(|t| short(&t)),
            starts_at,
            starts_local: starts_at.map(|t| t.with_timezone(&self.org_tz).date_naive()),
        }))
    }

    /// An item of the publishing plan. Its cells are checked in order (date, time, channel,
    /// audience, title, goal); the first that is wrong is the row's issue.
    pub(super) fn plan(
        &self,
        spec: &RecordSpec,
        row: &Row,
        line: u64,
        campaign_id: Option<i64>,
    ) -> Result<Made, RowIssue> {
        let RecordSpec::Plan {
            date,
            time,
            channel,
            audience,
            title,
            goal,
            owner,
            ..
        } = spec
        else {
            unreachable!("plan is given a plan record");
        };
        let text = |f: &String| self.text_of(row, f);
        let column = |f: &String| self.columns.get(f).copied();
        let day = self.plan_day(row, line, date)?;
        let time = self.plan_time(row, line, time.as_ref())?;
        let channel_text = text(channel).unwrap_or_default();
        let Ok(channel) = channels::parse(&channel_text) else {
            return Err(self.issue(
                line,
                column(channel),
                "a channel",
                &channel_text,
                channels::unknown_message(&channel_text),
            ));
        };
        let Some(audience) = text(audience) else {
            return Err(self.issue(
                line,
                column(audience),
                "an audience",
                "",
                "say who the item is for (the audience column), e.g. members".to_string(),
            ));
        };
        let Some(title) = text(title) else {
            return Err(self.issue(
                line,
                column(title),
                "a title",
                "",
                "give the item a title".to_string(),
            ));
        };
        let goal = self.plan_goal(row, line, goal.as_ref())?;
        let source_key = plan_source_key(campaign_id, day, channel, &audience, &title);
        Ok(Made::One(Record::Plan(PlanRecord {
            campaign_id,
            day,
            time,
            channel,
            audience,
            title: short(&title),
            goal,
            owner: owner.as_ref().and_then(text),
            source_key,
        })))
    }

    /// A plan item's day: its date, or the day of its date and time in the organization's zone.
    fn plan_day(&self, row: &Row, line: u64, date: &str) -> Result<NaiveDate, RowIssue> {
        match row.get(date) {
            Some(Val::Date(d) | Val::Week(d)) => Ok(*d),
            Some(Val::Time(t)) => Ok(t.with_timezone(&self.org_tz).date_naive()),
            _ => Err(self.issue(
                line,
                self.columns.get(date).copied(),
                "a date, e.g. 2026-10-13",
                "",
                "this plan item has no date".to_string(),
            )),
        }
    }

    /// A plan item's time of day, when it has one: HH:MM.
    fn plan_time(
        &self,
        row: &Row,
        line: u64,
        time: Option<&String>,
    ) -> Result<Option<String>, RowIssue> {
        let time_column = time.and_then(|f| self.columns.get(f).copied());
        let time = time.and_then(|f| self.text_of(row, f));
        if let Some(t) = &time
            && chrono::NaiveTime::parse_from_str(t, "%H:%M").is_err()
        {
            return Err(self.issue(
                line,
                time_column,
                "a time of day as HH:MM, e.g. 18:00",
                t,
                format!("'{t}' is not a time of day; write it as HH:MM, e.g. 18:00"),
            ));
        }
        Ok(time)
    }

    /// A plan item's goal: a metric the vocabulary knows, written as the vocabulary writes it.
    fn plan_goal(
        &self,
        row: &Row,
        line: u64,
        goal: Option<&String>,
    ) -> Result<Option<String>, RowIssue> {
        let Some(name) = goal.and_then(|f| self.text_of(row, f)) else {
            return Ok(None);
        };
        match self
            .vocabulary_names
            .iter()
            .find(|m| m.eq_ignore_ascii_case(&name))
        {
            Some(m) => Ok(Some(m.clone())),
            None => {
                let column = goal.and_then(|f| self.columns.get(f).copied());
                Err(self.issue(
                    line,
                    column,
                    "a metric",
                    &name,
                    format!("'{name}' is not a known metric; see turnout metric list"),
                ))
            }
        }
    }
}

/// What identifies a plan item: its campaign, day, channel, audience (in any case) and title.
fn plan_source_key(
    campaign_id: Option<i64>,
    day: NaiveDate,
    channel: &str,
    audience: &str,
    title: &str,
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        campaign_id.map(|c| c.to_string()).unwrap_or_default(),
        day.to_string(),
        channel.to_string(),
        audience.to_lowercase(),
        title.to_string(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    crate::people::hex(&hasher.finalize())
}
