//! Writing one file's records inside its transaction, and classifying each row as inserted,
//! updated or unchanged by the identity of what it measures.
//!
//! A value's identity is (campaign, effort, channel, metric, day or week, source). The row that
//! last wrote or confirmed a value is remembered (import id and line), which is also how a row
//! that repeats an earlier row of the *same* file is caught without holding the file in memory.

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, params};

mod spans;
mod touch_counts;
mod touches;

use crate::dates::DayRange;
use crate::import::model::{
    ActionRecord, Applied, EffortInfo, EffortKey, EventRecord, Grain, MetricRecord, PersonIds,
    PlanRecord, Record, RowIssue, Span, TouchRecord,
};
use crate::people::{IdHash, IdKind};
use crate::store::summaries;
use spans::SnapshotTally;
use touches::Touches;

/// (id, value, import id, import line, campaign id) of a stored number.
type StoredValue = (i64, f64, Option<i64>, Option<i64>, Option<i64>);
/// When an event starts: the instant, and the day in the organization's zone.
type EventStart = Option<(DateTime<Utc>, NaiveDate)>;
/// (id, start, title, campaign id) of a stored event.
type StoredEvent = (i64, Option<String>, Option<String>, Option<i64>);

#[derive(Debug, Clone)]
struct KnownEffort {
    id: i64,
    campaign_id: Option<i64>,
    /// Shared, not copied: the effort is looked up for every row of its file.
    channel: std::rc::Rc<str>,
}

/// An effort as a file names it (platform, id), and what is known of it.
struct NamedEffort {
    platform: String,
    external_id: String,
    effort: KnownEffort,
}

pub struct Writer<'c> {
    conn: &'c Connection,
    import_id: i64,
    /// Efforts seen in this file; there are few efforts per file, however many rows.
    efforts: Vec<NamedEffort>,
    profile: String,
    conflicts: Vec<String>,
    /// Whether this import wrote numbers about efforts (which decides whose touches count).
    wrote_effort_values: bool,
    /// (campaign id or 0, day) whose action sums this import changed.
    action_days: std::collections::BTreeSet<(i64, String)>,
    /// Who each identifier hash (as one number) belongs to, as far as this import has
    /// looked: people recur on many rows of an export, and a lookup in memory is far cheaper
    /// than one in the identifier index. Cleared whenever people are merged.
    known_people: foldhash::HashMap<u128, i64>,
    /// Whether `known_people` holds every stored identifier (the table was empty when a bulk
    /// import began, and the cache was never cleared since): then a person it does not know is
    /// new, with no need to look in the table.
    known_people_complete: bool,
    /// Stored rows (numbers, actions, plan items) this import wrote or confirmed; its touches
    /// are counted per send instead (`import_effort`).
    rows_owned: u64,
    /// The indexes dropped for a bulk import (their `CREATE INDEX` statements), built again
    /// before anything reads through them.
    deferred_indexes: Vec<String>,
    /// The touches this import writes, and what they change.
    touches: Touches,
    /// The organization's zone, in which touches are counted per day.
    zone: Tz,
    /// What this import's snapshots did, for its summary.
    snapshots: SnapshotTally,
    /// The days this import's period totals cover, first to last.
    periods: PeriodsSeen,
}

/// The first and last day an import's period totals cover.
#[derive(Debug, Default, Clone, Copy)]
pub struct PeriodsSeen {
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

const MAX_CONFLICTS: usize = 20;

/// Values closer than this are the same number (exports print floats with varying digits).
const SAME_VALUE: f64 = 1e-9;

impl<'c> Writer<'c> {
    pub fn new(
        conn: &'c Connection,
        import_id: i64,
        profile: &str,
        zone: Tz,
    ) -> Result<Writer<'c>> {
        // With no identifier stored yet, a person this import has not met is new: no need to
        // look in the table.
        let no_people: bool = conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM person_identifier)",
            [],
            |row| row.get(0),
        )?;
        Ok(Writer {
            conn,
            import_id,
            profile: profile.to_string(),
            efforts: Vec::new(),
            conflicts: Vec::new(),
            wrote_effort_values: false,
            action_days: Default::default(),
            known_people: foldhash::HashMap::default(),
            known_people_complete: no_people,
            rows_owned: 0,
            deferred_indexes: Vec::new(),
            touches: Touches::default(),
            zone,
            snapshots: SnapshotTally::default(),
            periods: PeriodsSeen::default(),
        })
    }

    /// For an import of many rows into a table that is small beside them: drops the table's
    /// lookup indexes (not the unique ones, which catch repeated rows) so rows are appended
    /// instead of being filed into every index one at a time, and builds them again, in one
    /// sorted pass each, before anything reads through them. All inside the import's
    /// transaction: a failed import leaves them as they were.
    pub fn defer_indexes(&mut self, table: &str) -> Result<()> {
        let statements: Vec<(String, String)> = self
            .conn
            .prepare(
                "SELECT name, sql FROM sqlite_schema
                 WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL
                   AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
            )?
            .query_map(params![table], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, sql) in statements {
            self.conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
            self.deferred_indexes.push(sql);
        }
        Ok(())
    }

    /// Builds the deferred indexes again.
    fn restore_indexes(&mut self) -> Result<()> {
        for sql in std::mem::take(&mut self.deferred_indexes) {
            self.conn.execute_batch(&sql)?;
        }
        Ok(())
    }

    /// Brings the derived tables up to date once every row is written: the touch counts of the
    /// sends this import touched, the action sums of its days, and which tools gave aggregates
    /// for which campaigns.
    pub fn finish(&mut self) -> Result<()> {
        // No row is left to look people up for: the memory goes to sorting instead.
        self.known_people = foldhash::HashMap::default();
        self.known_people_complete = false;
        if !self.deferred_indexes.is_empty() {
            // The indexes are built by sorting every row: SQLite may sort on two threads, in less
            // cache each (together they stay within the import's memory).
            self.conn.pragma_update(None, "threads", 2)?;
            self.conn.pragma_update(None, "cache_size", -2048)?;
        }
        self.restore_indexes()?;
        let touches = std::mem::take(&mut self.touches);
        let counted = touches.finish(self.conn, self.import_id, self.zone)?;
        summaries::rebuild(
            self.conn,
            self.zone,
            [],
            std::mem::take(&mut self.action_days),
            self.wrote_effort_values || !counted.is_empty(),
        )?;
        Ok(())
    }

    pub fn conflicts(&self) -> &[String] {
        &self.conflicts
    }

    pub fn snapshots(&self) -> &SnapshotTally {
        &self.snapshots
    }

    pub fn periods(&self) -> PeriodsSeen {
        self.periods
    }

    /// Writes all records of one row, or none of them: the outer error is a database failure
    /// (the whole import stops), the inner one a reason to reject this row.
    pub fn apply_row(
        &mut self,
        records: &[Record],
        line: u64,
    ) -> Result<Result<Applied, RowIssue>> {
        let outcome = self.apply_all(records, line)?;
        if outcome.is_ok() {
            self.rows_owned += records
                .iter()
                .filter(|r| !matches!(r, Record::Event(_) | Record::Person(_) | Record::Touch(_)))
                .count() as u64;
        }
        Ok(outcome)
    }

    /// How many stored rows name this import as the one that wrote or confirmed them.
    pub fn rows_owned(&self) -> u64 {
        self.rows_owned
    }

    fn apply_all(&mut self, records: &[Record], line: u64) -> Result<Result<Applied, RowIssue>> {
        if records.len() == 1 {
            return self.apply(&records[0], line);
        }
        self.conn.execute_batch("SAVEPOINT row")?;
        let mut outcome = Applied::Unchanged;
        for record in records {
            match self.apply(record, line)? {
                Ok(applied) => outcome = strongest(outcome, applied),
                Err(issue) => {
                    self.conn.execute_batch("ROLLBACK TO row; RELEASE row")?;
                    // Efforts and people created by the rolled-back part of the row are gone again,
                    // and so are touches already counted.
                    self.efforts.clear();
                    self.known_people.clear();
                    self.known_people_complete = false;
                    self.touches.rolled_back();
                    return Ok(Err(issue));
                }
            }
        }
        self.conn.execute_batch("RELEASE row")?;
        Ok(Ok(outcome))
    }

    fn apply(&mut self, record: &Record, line: u64) -> Result<Result<Applied, RowIssue>> {
        match record {
            Record::Metric(metric) => self.apply_metric(metric, line),
            Record::Touch(touch) => self.apply_touch(touch, line),
            Record::Action(action) => self.apply_action(action, line),
            Record::Event(event) => self.apply_event(event).map(Ok),
            Record::Person(ids) => Ok(Ok(self.person(ids)?.1)),
            Record::Plan(plan) => self.apply_plan(plan, line),
        }
    }

    fn apply_metric(
        &mut self,
        record: &MetricRecord,
        line: u64,
    ) -> Result<Result<Applied, RowIssue>> {
        let (effort_id, channel) = match &record.effort {
            Some(key) => match self.effort(key, record.channel, record.campaign_id, line)? {
                Ok(effort) => (Some(effort.id), Some(effort.channel.to_string())),
                Err(issue) => return Ok(Err(issue)),
            },
            None => (None, record.channel.map(str::to_string)),
        };
        let date = record.date.to_string();
        if effort_id.is_some() {
            self.wrote_effort_values = true;
        }
        // The last day a period total covers, when that is beyond its own day or week.
        let mut period_end = None;
        match record.span {
            Span::Own => {}
            Span::Snapshot => {
                return spans::apply_snapshot(
                    self.conn,
                    self.import_id,
                    line,
                    record,
                    &mut self.snapshots,
                );
            }
            Span::Period { last } => {
                let range = DayRange {
                    first: record.date,
                    last,
                };
                if let Some(other) =
                    spans::overlapping_period(self.conn, record, channel.as_deref(), range)?
                {
                    return Ok(Err(spans::overlap_issue(line, record, range, other)));
                }
                let own_last = match record.grain {
                    Grain::Day => record.date,
                    Grain::Week => record.date + chrono::Duration::days(6),
                };
                period_end = (last > own_last).then(|| last.to_string());
                self.periods.first = self
                    .periods
                    .first
                    .min(Some(record.date))
                    .or(Some(record.date));
                self.periods.last = self.periods.last.max(Some(last));
            }
        }
        // The same number, whether or not it was linked to a campaign before: a file imported
        // again after its campaign claimed a code (or with --campaign) links the rows it had
        // left unlinked, instead of counting them a second time.
        let candidates: Vec<StoredValue> = self
            .conn
            .prepare_cached(
                "SELECT id, value, import_id, import_line, campaign_id FROM metric_value
                 WHERE origin = 'import' AND ifnull(effort_id, 0) = ?1 AND metric = ?2
                   AND period_start = ?3 AND grain = ?4 AND ifnull(channel, '') = ?5
                   AND ifnull(source_code, '') = ?6 AND ifnull(detail, '') = ?7",
            )?
            .query_map(
                params![
                    effort_id.unwrap_or(0),
                    record.metric,
                    date,
                    record.grain.as_str(),
                    channel.as_deref().unwrap_or(""),
                    record.source_code.as_deref().unwrap_or(""),
                    record.detail.as_deref().unwrap_or("")
                ],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )?
            .collect::<rusqlite::Result<_>>()?;
        let exact = candidates
            .iter()
            .find(|c| c.4.unwrap_or(0) == record.campaign_id.unwrap_or(0));
        // Without an exact match, a single number under another linking is this one: left
        // unlinked before and linked now, or linked before and imported now without a campaign.
        // A number linked to another campaign is another number.
        let other = match candidates.as_slice() {
            [one] if one.4.is_none() || record.campaign_id.is_none() => Some(one),
            _ => None,
        };
        let chosen = exact.or(other);
        let relink = chosen.is_some_and(|c| c.4.is_none() && record.campaign_id.is_some());
        let existing = chosen.map(|c| (c.0, c.1, c.2, c.3));

        let Some((id, old_value, old_import, old_line)) = existing else {
            self.conn
                .prepare_cached(
                    "INSERT INTO metric_value (origin, campaign_id, effort_id, channel, metric, grain,
                                               period_start, source_code, detail, value, import_id, import_line,
                                               period_end)
                     VALUES ('import', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?11, ?8, ?9, ?10, ?12)",
                )?
                .execute(params![
                    record.campaign_id,
                    effort_id,
                    channel,
                    record.metric,
                    record.grain.as_str(),
                    date,
                    record.source_code,
                    record.value,
                    self.import_id,
                    line as i64,
                    record.detail,
                    period_end
                ])?;
            return Ok(Ok(Applied::Inserted));
        };

        if old_import == Some(self.import_id) {
            return Ok(Err(RowIssue {
                line,
                column_number: None,
                column_name: None,
                expected: Some(
                    "one row per date, campaign, channel, effort, metric and source".to_string(),
                ),
                found: Some(format!("a repeat of line {}", old_line.unwrap_or(0))),
                reason: format!(
                    "this row repeats line {} (same date, campaign, channel, effort, metric and source), so it would count twice; \
                     keep one of them, or tell them apart with the source column",
                    old_line.unwrap_or(0)
                ),
            }));
        }
        let differs = (old_value - record.value).abs() >= SAME_VALUE;
        if differs
            && let (Some(old_import), Some(effort)) = (old_import, &record.effort)
            && self.conflicts.len() < MAX_CONFLICTS
        {
            let old_profile: Option<String> = self
                .conn
                .prepare_cached("SELECT profile FROM import WHERE id = ?1")?
                .query_row(params![old_import], |row| row.get(0))
                .optional()?;
            if let Some(old_profile) = old_profile.filter(|p| *p != self.profile) {
                self.conflicts.push(format!(
                    "{} of {} {} on {}: {old_profile} said {}, {} says {}",
                    record.metric,
                    effort.platform,
                    effort.external_id,
                    date,
                    crate::output::plain_number(old_value),
                    self.profile,
                    crate::output::plain_number(record.value)
                ));
            }
        }
        let applied = if !differs && !relink {
            Applied::Unchanged
        } else {
            Applied::Updated
        };
        if relink {
            self.conn
                .prepare_cached("UPDATE metric_value SET campaign_id = ?1 WHERE id = ?2")?
                .execute(params![record.campaign_id, id])?;
        }
        // An unchanged value is still marked as confirmed by this import and line: that is the
        // provenance users see, and what catches a repeat later in the same file.
        self.conn
            .prepare_cached(
                "UPDATE metric_value SET value = ?1, import_id = ?2, import_line = ?3,
                        period_end = ifnull(?5, period_end) WHERE id = ?4",
            )?
            .execute(params![
                record.value,
                self.import_id,
                line as i64,
                id,
                period_end
            ])?;
        Ok(Ok(applied))
    }

    /// Finds or creates the effort a row names, checking it agrees with what is known of it.
    fn effort(
        &mut self,
        key: &EffortKey,
        channel: Option<&'static str>,
        campaign_id: Option<i64>,
        line: u64,
    ) -> Result<Result<KnownEffort, RowIssue>> {
        let known = match self.known_effort(&key.platform, &key.external_id) {
            Some(known) => Some(known.clone()),
            // The effort by its id, or by another name an export gave it.
            None => self
                .conn
                .prepare_cached(
                    "SELECT id, campaign_id, channel FROM effort WHERE platform = ?1 AND external_id = ?2
                     UNION ALL
                     SELECT e.id, e.campaign_id, e.channel FROM effort_alias a JOIN effort e ON e.id = a.effort_id
                     WHERE a.platform = ?1 AND a.alias = ?2
                     LIMIT 1",
                )?
                .query_row(params![key.platform, key.external_id], |row| {
                    Ok(KnownEffort {
                        id: row.get(0)?,
                        campaign_id: row.get(1)?,
                        channel: row.get(2)?,
                    })
                })
                .optional()?,
        };
        let reject = |expected: String, found: String, reason: String| RowIssue {
            line,
            column_number: key.column,
            column_name: Some("effort".to_string()),
            expected: Some(expected),
            found: Some(found),
            reason,
        };
        let effort = match known {
            Some(mut effort) => {
                if let Some(channel) = channel
                    && channel != &*effort.channel
                {
                    return Ok(Err(reject(
                        format!("channel {}", effort.channel),
                        format!("channel {channel}"),
                        format!(
                            "the effort '{}' was recorded on the {} channel, but this row says {channel}; one effort goes out on one channel",
                            key.external_id, effort.channel
                        ),
                    )));
                }
                match (effort.campaign_id, campaign_id) {
                    (Some(owner), Some(row_campaign)) if owner != row_campaign => {
                        return Ok(Err(reject(
                            "the effort's own campaign".to_string(),
                            "another campaign".to_string(),
                            format!(
                                "the effort '{}' belongs to another campaign ({}); one effort serves one campaign. Give this one its own effort id",
                                key.external_id,
                                self.campaign_slug(owner)?
                            ),
                        )));
                    }
                    (None, Some(row_campaign)) => {
                        // An effort first seen without a campaign is linked once a row names one.
                        self.conn
                            .prepare_cached("UPDATE effort SET campaign_id = ?1 WHERE id = ?2")?
                            .execute(params![row_campaign, effort.id])?;
                        self.wrote_effort_values = true;
                        effort.campaign_id = Some(row_campaign);
                    }
                    _ => {}
                }
                if key.info != EffortInfo::default() {
                    self.conn
                        .prepare_cached(
                            "UPDATE effort SET title = coalesce(?1, title), audience = coalesce(?2, audience),
                                               sent_at = coalesce(?3, sent_at) WHERE id = ?4",
                        )?
                        .execute(params![key.info.title, key.info.audience, key.info.sent_at, effort.id])?;
                }
                effort
            }
            None => {
                let Some(channel) = channel else {
                    return Ok(Err(reject(
                        "a channel for a new effort".to_string(),
                        "a blank channel".to_string(),
                        format!(
                            "the effort '{}' is new and this row gives no channel; fill the channel column (email, sms, social...)",
                            key.external_id
                        ),
                    )));
                };
                self.conn
                    .prepare_cached(
                        "INSERT INTO effort (campaign_id, channel, platform, external_id, title, audience, sent_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(params![
                        campaign_id,
                        channel,
                        key.platform,
                        key.external_id,
                        key.info.title,
                        key.info.audience,
                        key.info.sent_at
                    ])?;
                KnownEffort {
                    id: self.conn.last_insert_rowid(),
                    campaign_id,
                    channel: channel.into(),
                }
            }
        };
        self.remember_effort(&key.platform, &key.external_id, &effort);
        if let Some(alias) = key.alias.as_deref()
            && alias != key.external_id
            && self.known_effort(&key.platform, alias).is_none()
        {
            self.alias(&key.platform, alias, &effort)?;
        }
        Ok(Ok(effort))
    }

    /// Records another name of an effort. An effort already created under that name (from a
    /// file read first: Mailchimp's opens file, named by web id, before its clicks file, whose
    /// links carry the Unique Id) is folded into this one, its touches and numbers with it.
    fn alias(&mut self, platform: &str, alias: &str, effort: &KnownEffort) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO effort_alias (platform, alias, effort_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![platform, alias, effort.id])?;
        let named: Option<i64> = self
            .conn
            .prepare_cached("SELECT id FROM effort WHERE platform = ?1 AND external_id = ?2")?
            .query_row(params![platform, alias], |row| row.get(0))
            .optional()?;
        if let Some(from) = named
            && from != effort.id
        {
            merge_efforts(self.conn, from, effort.id)?;
            self.efforts.retain(|named| named.effort.id != from);
            self.touches.merge_efforts(from, effort.id);
        }
        self.remember_effort(platform, alias, effort);
        Ok(())
    }

    /// The effort this file names so (a file names few efforts, however many rows it has).
    fn known_effort(&self, platform: &str, external_id: &str) -> Option<KnownEffort> {
        self.efforts
            .iter()
            .find(|named| named.platform == platform && named.external_id == external_id)
            .map(|named| named.effort.clone())
    }

    fn remember_effort(&mut self, platform: &str, external_id: &str, effort: &KnownEffort) {
        match self
            .efforts
            .iter_mut()
            .find(|named| named.platform == platform && named.external_id == external_id)
        {
            Some(named) => named.effort = effort.clone(),
            None => self.efforts.push(NamedEffort {
                platform: platform.to_string(),
                external_id: external_id.to_string(),
                effort: effort.clone(),
            }),
        }
    }

    /// The person these identifiers belong to, creating or joining people as needed: a row that
    /// carries two identifiers seen on two different people merges them into one.
    pub fn person(&mut self, ids: &PersonIds) -> Result<(Option<i64>, Applied)> {
        if ids.hashes.is_empty() {
            return Ok((None, Applied::Unchanged));
        }
        let mut owners: Vec<i64> = Vec::new();
        let mut unknown: Vec<&(IdKind, IdHash)> = Vec::new();
        for entry in &ids.hashes {
            let cached = self.known_people.get(&entry.1.as_u128()).copied();
            let owner: Option<i64> = match cached {
                Some(id) => Some(id),
                None if self.known_people_complete => None,
                None => self
                    .conn
                    .prepare_cached("SELECT person_id FROM person_identifier WHERE hash = ?1")?
                    .query_row(params![entry.1], |row| row.get(0))
                    .optional()?,
            };
            if cached.is_none()
                && let Some(id) = owner
            {
                self.known_people.insert(entry.1.as_u128(), id);
            }
            match owner {
                Some(id) => {
                    if !owners.contains(&id) {
                        owners.push(id);
                    }
                }
                None => unknown.push(entry),
            }
        }
        let mut applied = Applied::Unchanged;
        let person = match owners.iter().min() {
            Some(&id) => id,
            None => {
                self.conn
                    .prepare_cached("INSERT INTO person DEFAULT VALUES")?
                    .execute([])?;
                applied = Applied::Inserted;
                self.conn.last_insert_rowid()
            }
        };
        for &other in owners.iter().filter(|&&o| o != person) {
            // Identifiers and actions move now; touches (many, and ordered by send, not by
            // person) move at the end, in one pass for every merge (`Touches::finish`).
            for table in ["person_identifier", "action"] {
                self.conn.execute(
                    &format!("UPDATE {table} SET person_id = ?1 WHERE person_id = ?2"),
                    params![person, other],
                )?;
            }
            self.touches.merge_people(other, person);
            self.known_people.clear();
            self.known_people_complete = false;
            applied = strongest(applied, Applied::Updated);
        }
        for (kind, hash) in unknown {
            self.conn
                .prepare_cached(
                    "INSERT INTO person_identifier (hash, kind, person_id) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![hash, kind.as_str(), person])?;
            self.known_people.insert(hash.as_u128(), person);
            if applied == Applied::Unchanged {
                applied = Applied::Updated;
            }
        }
        Ok((Some(person), applied))
    }

    fn apply_touch(
        &mut self,
        record: &TouchRecord,
        line: u64,
    ) -> Result<Result<Applied, RowIssue>> {
        let effort = match self.effort(
            &record.effort,
            Some(record.channel),
            record.campaign_id,
            line,
        )? {
            Ok(effort) => effort,
            Err(issue) => return Ok(Err(issue)),
        };
        let Some(person) = self.person(&record.person)?.0 else {
            anyhow::bail!("a touch without a person reached the writer (line {line})");
        };
        self.touches
            .write(self.conn, effort.id, person, record, line)
    }

    /// Gives a row imported before schema version 3 its current identity, so importing its file
    /// again finds it instead of adding it twice. (Version 3 changed how people enter a row's
    /// identity; the old identity cannot be recomputed without the export, so rows are re-keyed
    /// as their files come back.) When both identities are stored, the newer row stays.
    fn rekey_legacy(&mut self, legacy: &str, current: &str) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE OR IGNORE action SET source_key = ?2 WHERE source_key = ?1")?
            .execute(params![legacy, current])?;
        Ok(())
    }

    fn apply_action(
        &mut self,
        record: &ActionRecord,
        line: u64,
    ) -> Result<Result<Applied, RowIssue>> {
        if let Some(legacy) = &record.legacy_source_key {
            self.rekey_legacy(legacy, &record.source_key)?;
        }
        let (person, _) = self.person(&record.person)?;
        let mut at = record.at;
        let mut local_date = record.local_date;
        let event_id = match &record.event {
            Some((platform, external_id)) => {
                let (id, starts) =
                    self.event_for_action(platform, external_id, record.campaign_id)?;
                if record.at_event_start
                    && let Some((starts_at, starts_local)) = starts
                {
                    at = starts_at;
                    local_date = starts_local;
                }
                Some(id)
            }
            None => None,
        };
        let at_text = at.to_rfc3339();
        self.action_days
            .insert((record.campaign_id.unwrap_or(0), local_date.to_string()));
        type Existing = (
            i64,
            Option<i64>,
            Option<i64>,
            String,
            f64,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let existing: Option<Existing> = self
            .conn
            .prepare_cached(
                "SELECT id, campaign_id, person_id, at, amount, source_code, event_id, import_id, import_line
                 FROM action WHERE source_key = ?1",
            )?
            .query_row(params![record.source_key], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                    row.get(8)?,
                ))
            })
            .optional()?;
        match existing {
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO action (campaign_id, person_id, metric, at, local_date, amount, channel, source_code,
                                             event_id, source_key, import_id, import_line)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    )?
                    .execute(params![
                        record.campaign_id,
                        person,
                        record.metric,
                        at_text,
                        local_date.to_string(),
                        record.amount,
                        record.channel,
                        record.source_code,
                        event_id,
                        record.source_key,
                        self.import_id,
                        line as i64
                    ])?;
                Ok(Ok(Applied::Inserted))
            }
            Some((.., Some(import), Some(first_line))) if import == self.import_id => {
                Ok(Err(repeat_issue(line, first_line)))
            }
            Some((id, campaign, old_person, old_at, amount, source, event, _, _)) => {
                // The day it was counted on before changes its sum too.
                let old_day: Option<String> = self
                    .conn
                    .prepare_cached("SELECT local_date FROM action WHERE id = ?1")?
                    .query_row(params![id], |row| row.get(0))
                    .optional()?;
                if let Some(old_day) = old_day {
                    self.action_days.insert((campaign.unwrap_or(0), old_day));
                }
                let same = campaign == record.campaign_id
                    && old_person == person
                    && old_at == at_text
                    && (amount - record.amount).abs() < SAME_VALUE
                    && source == record.source_code
                    && event == event_id;
                self.conn
                    .prepare_cached(
                        "UPDATE action SET campaign_id = ?1, person_id = ?2, at = ?3, local_date = ?4, amount = ?5,
                                           source_code = ?6, event_id = ?7, import_id = ?8, import_line = ?9 WHERE id = ?10",
                    )?
                    .execute(params![
                        record.campaign_id,
                        person,
                        at_text,
                        local_date.to_string(),
                        record.amount,
                        record.source_code,
                        event_id,
                        self.import_id,
                        line as i64,
                        id
                    ])?;
                Ok(Ok(if same {
                    Applied::Unchanged
                } else {
                    Applied::Updated
                }))
            }
        }
    }

    /// The event an action names, created bare if its own export has not been imported yet.
    fn event_for_action(
        &mut self,
        platform: &str,
        external_id: &str,
        campaign_id: Option<i64>,
    ) -> Result<(i64, EventStart)> {
        let found: Option<(i64, Option<String>, Option<String>)> = self
            .conn
            .prepare_cached("SELECT id, starts_at, starts_local FROM event WHERE platform = ?1 AND external_id = ?2")?
            .query_row(params![platform, external_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()?;
        if let Some((id, starts_at, starts_local)) = found {
            let starts = starts_at
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .zip(starts_local.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
                .map(|(t, d)| (t.to_utc(), d));
            return Ok((id, starts));
        }
        self.conn
            .prepare_cached(
                "INSERT INTO event (campaign_id, platform, external_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![campaign_id, platform, external_id])?;
        Ok((self.conn.last_insert_rowid(), None))
    }

    fn apply_event(&mut self, record: &EventRecord) -> Result<Applied> {
        let starts_at = record.starts_at.map(|t| t.to_rfc3339());
        let starts_local = record.starts_local.map(|d| d.to_string());
        let found: Option<StoredEvent> = self
            .conn
            .prepare_cached("SELECT id, starts_at, title, campaign_id FROM event WHERE platform = ?1 AND external_id = ?2")?
            .query_row(params![record.platform, record.external_id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .optional()?;
        let (id, applied) = match found {
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO event (campaign_id, platform, external_id, title, starts_at, starts_local)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![record.campaign_id, record.platform, record.external_id, record.title, starts_at, starts_local])?;
                (self.conn.last_insert_rowid(), Applied::Inserted)
            }
            Some((id, old_start, old_title, old_campaign)) => {
                let title = record.title.clone().or(old_title.clone());
                let campaign = record.campaign_id.or(old_campaign);
                let same = old_start == starts_at && old_title == title && old_campaign == campaign;
                self.conn
                    .prepare_cached(
                        "UPDATE event SET starts_at = ?1, starts_local = ?2, title = ?3, campaign_id = ?4 WHERE id = ?5",
                    )?
                    .execute(params![starts_at, starts_local, title, campaign, id])?;
                (
                    id,
                    if same {
                        Applied::Unchanged
                    } else {
                        Applied::Updated
                    },
                )
            }
        };
        // Attendance recorded before its timeslot was known moves to the timeslot's day.
        if let (Some(at), Some(day)) = (&starts_at, &starts_local) {
            // The sums of the days these actions move from and to change.
            let moved: Vec<(i64, String)> = self
                .conn
                .prepare_cached(
                    "SELECT DISTINCT ifnull(campaign_id, 0), local_date FROM action
                     WHERE event_id = ?1 AND metric IN ('attended', 'no_shows') AND at <> ?2",
                )?
                .query_map(params![id, at], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (campaign_id, old_day) in moved {
                self.action_days.insert((campaign_id, old_day));
                self.action_days.insert((campaign_id, day.clone()));
            }
            self.conn
                .prepare_cached(
                    "UPDATE action SET at = ?1, local_date = ?2
                     WHERE event_id = ?3 AND metric IN ('attended', 'no_shows') AND at <> ?1",
                )?
                .execute(params![at, day, id])?;
        }
        Ok(applied)
    }

    fn apply_plan(&mut self, record: &PlanRecord, line: u64) -> Result<Result<Applied, RowIssue>> {
        type StoredPlan = (
            i64,
            Option<i64>,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<i64>,
        );
        let existing: Option<StoredPlan> = self
            .conn
            .prepare_cached(
                "SELECT id, campaign_id, day, time, goal, owner, import_id, import_line FROM plan_item WHERE source_key = ?1",
            )?
            .query_row(params![record.source_key], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?))
            })
            .optional()?;
        let day = record.day.to_string();
        match existing {
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO plan_item (campaign_id, day, time, channel, audience, title, goal, owner, source_key,
                                                import_id, import_line, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    )?
                    .execute(params![
                        record.campaign_id,
                        day,
                        record.time,
                        record.channel,
                        record.audience,
                        record.title,
                        record.goal,
                        record.owner,
                        record.source_key,
                        self.import_id,
                        line as i64,
                        crate::store::now_utc()
                    ])?;
                Ok(Ok(Applied::Inserted))
            }
            Some((.., Some(import), Some(first_line))) if import == self.import_id => {
                Ok(Err(repeat_issue(line, first_line)))
            }
            Some((id, campaign, old_day, time, goal, owner, _, _)) => {
                let same = campaign == record.campaign_id
                    && old_day == day
                    && time == record.time
                    && goal == record.goal
                    && owner == record.owner;
                self.conn
                    .prepare_cached(
                        "UPDATE plan_item SET campaign_id = ?1, day = ?2, time = ?3, goal = ?4, owner = ?5,
                                              import_id = ?6, import_line = ?7 WHERE id = ?8",
                    )?
                    .execute(params![record.campaign_id, day, record.time, record.goal, record.owner, self.import_id, line as i64, id])?;
                Ok(Ok(if same {
                    Applied::Unchanged
                } else {
                    Applied::Updated
                }))
            }
        }
    }

    fn campaign_slug(&self, id: i64) -> Result<String> {
        Ok(self.conn.query_row(
            "SELECT slug FROM campaign WHERE id = ?1",
            params![id],
            |row| row.get(0),
        )?)
    }

    pub fn record_issue(&self, issue: &RowIssue, outcome: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO import_issue (import_id, line, outcome, column_number, column_name, expected, found, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                self.import_id,
                issue.line as i64,
                outcome,
                issue.column_number.map(|n| n as i64),
                issue.column_name,
                issue.expected,
                issue.found,
                issue.reason
            ])?;
        Ok(())
    }
}

fn repeat_issue(line: u64, first_line: i64) -> RowIssue {
    RowIssue {
        line,
        column_number: None,
        column_name: None,
        expected: Some("each event once".to_string()),
        found: Some(format!("a repeat of line {first_line}")),
        reason: format!(
            "this row records the same thing as line {first_line} (same person, effort or event, and time), so it would count twice"
        ),
    }
}

/// Inserted beats updated beats unchanged, for a row made of several records.
fn strongest(a: Applied, b: Applied) -> Applied {
    use Applied::*;
    match (a, b) {
        (Inserted, _) | (_, Inserted) => Inserted,
        (Updated, _) | (_, Updated) => Updated,
        _ => Unchanged,
    }
}

/// Folds effort `from` into effort `into`: its touches, numbers, costs and names move, and it
/// goes. The caller rebuilds the touch counts of `into`.
pub fn merge_efforts(conn: &Connection, from: i64, into: i64) -> Result<()> {
    // A touch both names of the send hold is kept once.
    conn.execute(
        "UPDATE OR IGNORE touch SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute("DELETE FROM touch WHERE effort_id = ?1", params![from])?;
    conn.execute(
        "UPDATE OR IGNORE import_effort SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute(
        "DELETE FROM import_effort WHERE effort_id = ?1",
        params![from],
    )?;
    // A number both efforts hold for the same day stays as `into` has it.
    conn.execute(
        "UPDATE OR IGNORE metric_value SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute(
        "DELETE FROM metric_value WHERE effort_id = ?1",
        params![from],
    )?;
    conn.execute(
        "UPDATE cost SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute(
        "UPDATE experiment SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute(
        "UPDATE OR IGNORE effort_alias SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute("DELETE FROM touch_fact WHERE effort_id = ?1", params![from])?;
    conn.execute("DELETE FROM effort WHERE id = ?1", params![from])?;
    Ok(())
}
