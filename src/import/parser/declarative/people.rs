//! Records about people from a row: a `touch` (a person's contact with an effort), an `action`
//! (an RSVP, an attendance, a donation...), a `person` (a list member), and the stable key that
//! identifies an action's row in its export.

use sha2::{Digest, Sha256};

use super::parser::{DeclarativeParser, Made};
use super::values::{Row, Val};
use crate::channels;
use crate::import::model::spec::{FieldType, RecordSpec};
use crate::import::model::{
    ActionRecord, EffortInfo, EffortKey, PersonIds, Record, RowIssue, TouchRecord,
};
use crate::store::touch_kinds;

/// How much of a row's sha256 identifies it (see `source_key`).
const SOURCE_KEY_BYTES: usize = 16;

impl DeclarativeParser {
    /// A person's contact with an effort. A row that names no one it can read is skipped whole.
    pub(super) fn touch(
        &self,
        spec: &RecordSpec,
        row: &Row,
        line: u64,
        campaign_id: Option<i64>,
    ) -> Result<Made, RowIssue> {
        let RecordSpec::Touch {
            touch,
            channel,
            effort,
            time,
            email,
            phone,
            key: _,
            alias,
            ..
        } = spec
        else {
            unreachable!("touch is given a touch record");
        };
        let person = self.person(row, email.as_ref(), phone.as_ref(), None);
        if person.hashes.is_empty() {
            return Ok(Made::SkipRow(
                "no usable email or phone, so the contact cannot be tied to a person".to_string(),
            ));
        }
        let Some(effort_id) = self.text_of(row, effort) else {
            let column = self.columns.get(effort).copied();
            return Err(self.issue(
                line,
                column,
                "the id of the send",
                "",
                "this row does not say which send it belongs to".to_string(),
            ));
        };
        let at = self.time_of(row, Some(time));
        Ok(Made::One(Record::Touch(TouchRecord {
            person,
            effort: EffortKey {
                platform: self.spec.platform.clone(),
                alias: alias
                    .as_ref()
                    .and_then(|f| self.text_of(row, f))
                    .filter(|a| *a != effort_id),
                external_id: effort_id,
                column: self.columns.get(effort).map(|c| c + 1),
                info: EffortInfo::default(),
            },
            channel: channels::parse(channel).unwrap_or("other"),
            campaign_id,
            kind: touch_kinds::code(touch).unwrap_or(touch_kinds::OPENED),
            at: at.timestamp(),
            local_date: at.with_timezone(&self.org_tz).date_naive(),
        })))
    }

    /// One offline action. With an `amount` field, a row without a number there makes none.
    pub(super) fn action(
        &self,
        spec: &RecordSpec,
        index: usize,
        row: &Row,
        campaign_id: Option<i64>,
        code: Option<&String>,
    ) -> Result<Made, RowIssue> {
        let RecordSpec::Action {
            metric,
            time,
            email,
            phone,
            platform_id,
            amount,
            event,
            at_event_start,
            channel,
            channel_from,
            key,
            ..
        } = spec
        else {
            unreachable!("action is given an action record");
        };
        let person = self.person(row, email.as_ref(), phone.as_ref(), platform_id.as_ref());
        let at = self.time_of(row, Some(time));
        let amount = match amount.as_ref().and_then(|f| row.get(f)) {
            Some(Val::Num(n)) => *n,
            Some(_) | None if amount.is_some() => return Ok(Made::Nothing),
            _ => 1.0,
        };
        let mut fields: Vec<&str> = key.iter().map(String::as_str).collect();
        if fields.is_empty() {
            fields = vec![time.as_str()];
            fields.extend(email.as_deref());
            fields.extend(phone.as_deref());
            fields.extend(event.as_deref());
        }
        let source_key = self.source_key(index, row, &fields, &person);
        let legacy_source_key = self.legacy_source_key(index, row, &fields, &person);
        Ok(Made::One(Record::Action(ActionRecord {
            person,
            campaign_id,
            metric: metric.clone(),
            at,
            local_date: at.with_timezone(&self.org_tz).date_naive(),
            amount,
            channel: channel
                .as_deref()
                .or(channel_from
                    .as_ref()
                    .and_then(|f| row.get(f))
                    .and_then(Val::text))
                .and_then(|c| channels::parse(c).ok()),
            source_code: code.cloned(),
            event: event
                .as_ref()
                .and_then(|f| self.text_of(row, f))
                .map(|id| (self.spec.platform.clone(), id)),
            at_event_start: *at_event_start,
            source_key,
            legacy_source_key,
        })))
    }

    /// A person known to the tool. A row that names no one it can read is skipped whole.
    pub(super) fn person_record(&self, spec: &RecordSpec, row: &Row) -> Made {
        let RecordSpec::Person {
            email,
            phone,
            platform_id,
            ..
        } = spec
        else {
            unreachable!("person_record is given a person record");
        };
        let person = self.person(row, email.as_ref(), phone.as_ref(), platform_id.as_ref());
        if person.hashes.is_empty() {
            return Made::SkipRow("no usable email or phone".to_string());
        }
        Made::One(Record::Person(person))
    }

    /// A stable hash of what identifies a row's record in its export: the first 128 bits of a
    /// sha256, in hex. Plenty to tell rows apart (two of a billion rows share one with odds
    /// of 1 in 10^20), and half the size of the whole hash in the table and its unique index,
    /// which every imported row is filed into.
    fn source_key(&self, index: usize, row: &Row, fields: &[&str], person: &PersonIds) -> String {
        self.identity(index, row, fields, &person.row_hashes)
    }

    /// The row's identity as turnout wrote it before schema version 3, for rows about people in
    /// a database that may hold rows from then.
    fn legacy_source_key(
        &self,
        index: usize,
        row: &Row,
        fields: &[&str],
        person: &PersonIds,
    ) -> Option<String> {
        (!person.legacy_row_hashes.is_empty())
            .then(|| self.identity(index, row, fields, &person.legacy_row_hashes))
    }

    fn identity(
        &self,
        index: usize,
        row: &Row,
        fields: &[&str],
        person_hashes: &[String],
    ) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.spec.platform.as_bytes());
        hasher.update([0x1f]);
        hasher.update(index.to_string().as_bytes());
        for field in fields {
            let field_spec = self.spec.fields.get(*field);
            let is_person = matches!(
                field_spec.map(|f| f.kind),
                Some(FieldType::Email | FieldType::Phone)
            );
            hasher.update([0x1f]);
            if is_person {
                // Identify by the person's row hashes (stable across key rotations), never by
                // the raw address.
                for hash in person_hashes {
                    hasher.update(hash.as_bytes());
                }
            } else {
                hasher.update(
                    row.get(field)
                        .map(Val::canonical)
                        .unwrap_or_default()
                        .as_bytes(),
                );
            }
        }
        crate::people::hex(&hasher.finalize()[..SOURCE_KEY_BYTES])
    }
}
