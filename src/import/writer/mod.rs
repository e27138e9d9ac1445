//! The writer stage: one file's records written inside its transaction, each row classified as
//! inserted, updated or unchanged by the identity of what it records. One file per kind of
//! record (numbers, touches, actions, events, plan items); people and efforts come from the
//! resolver. The derived tables (per-day facts) are the store's to rebuild (`store::summaries`).

mod actions;
mod events;
mod numbers;
mod plans;
mod spans;
mod touch_batch;
mod touch_counts;
mod touches;

use anyhow::Result;
use chrono_tz::Tz;
use rusqlite::{Connection, params};

use crate::import::model::{
    ActionRecord, Applied, EffortKey, MetricRecord, PersonIds, Record, RowIssue, TouchRecord,
};
use crate::import::resolver::{Efforts, KnownEffort, People};
use crate::store::summaries;
use actions::ActionDays;
use numbers::Numbers;
pub use numbers::PeriodsSeen;
pub use spans::SnapshotTally;
use touches::Touches;

pub struct Writer<'c> {
    conn: &'c Connection,
    import_id: i64,
    /// Who rows name, and the efforts they name.
    people: People,
    efforts: Efforts,
    /// The touches this import writes, and what they change.
    touches: Touches<'c>,
    /// What this import's numbers did beyond their rows.
    numbers: Numbers,
    /// Whether this import wrote numbers about efforts (which decides whose touches count).
    wrote_effort_values: bool,
    /// (campaign id or 0, day) whose action sums this import changed.
    action_days: ActionDays,
    /// Stored rows (numbers, actions, plan items) this import wrote or confirmed; its touches
    /// are counted per send instead (`import_effort`).
    rows_owned: u64,
    /// The indexes dropped for a bulk import (their `CREATE INDEX` statements), built again
    /// before anything reads through them.
    deferred_indexes: Vec<String>,
    /// The organization's zone, in which touches are counted per day.
    zone: Tz,
    /// Whether the references of the touches this import wrote were checked as they were
    /// written (see `Touches::check`).
    touches_checked: bool,
}

impl<'c> Writer<'c> {
    pub fn new(
        conn: &'c Connection,
        import_id: i64,
        profile: &str,
        zone: Tz,
    ) -> Result<Writer<'c>> {
        Ok(Writer {
            conn,
            import_id,
            people: People::new(conn)?,
            efforts: Efforts::default(),
            touches: Touches::default(),
            numbers: Numbers::new(import_id, profile),
            wrote_effort_values: false,
            action_days: ActionDays::new(),
            rows_owned: 0,
            deferred_indexes: Vec::new(),
            zone,
            touches_checked: false,
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

    /// For a bulk import, whose references are checked once before it commits: new people
    /// are written in batches (see `resolver::People::hold_new`).
    pub fn hold_new_people(&mut self) -> Result<()> {
        self.people.hold_new(self.conn)
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
        self.people.finish(self.conn)?;
        if !self.deferred_indexes.is_empty() {
            // The indexes are built by sorting every row: SQLite may sort on two threads, in less
            // cache each (together they stay within the import's memory).
            self.conn.pragma_update(None, "threads", 2)?;
            self.conn.pragma_update(None, "cache_size", -2048)?;
        }
        self.restore_indexes()?;
        let touches = std::mem::take(&mut self.touches);
        let (counted, checked) = touches.finish(self.conn, self.import_id, self.zone)?;
        self.touches_checked = checked;
        summaries::rebuild(
            self.conn,
            self.zone,
            [],
            std::mem::take(&mut self.action_days),
            self.wrote_effort_values || !counted.is_empty(),
        )?;
        Ok(())
    }

    /// Tables whose references the writer has checked already: a bulk import checks the others.
    pub fn checked_tables(&self) -> &'static [&'static str] {
        if self.touches_checked {
            &["touch"]
        } else {
            &[]
        }
    }

    pub fn conflicts(&self) -> &[String] {
        &self.numbers.conflicts
    }

    pub fn snapshots(&self) -> &SnapshotTally {
        &self.numbers.snapshots
    }

    pub fn periods(&self) -> PeriodsSeen {
        self.numbers.periods
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
        // Touches and people waiting in their batches are written first: rolling the row back
        // takes only its own.
        self.touches.flush(self.conn)?;
        self.people.pause(self.conn)?;
        let outcome = self.apply_in_savepoint(records, line)?;
        self.people.resume(self.conn)?;
        Ok(outcome)
    }

    fn apply_in_savepoint(
        &mut self,
        records: &[Record],
        line: u64,
    ) -> Result<Result<Applied, RowIssue>> {
        self.conn.execute_batch("SAVEPOINT row")?;
        let mut outcome = Applied::Unchanged;
        for record in records {
            match self.apply(record, line)? {
                Ok(applied) => outcome = strongest(outcome, applied),
                Err(issue) => {
                    self.conn.execute_batch("ROLLBACK TO row; RELEASE row")?;
                    // Efforts and people created by the rolled-back part of the row are gone again,
                    // and so are touches already counted.
                    self.efforts.forget();
                    self.people.forget();
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
            Record::Event(event) => events::write(self.conn, &mut self.action_days, event).map(Ok),
            Record::Person(ids) => Ok(Ok(self.person(ids)?.1)),
            Record::Plan(plan) => plans::write(self.conn, self.import_id, plan, line),
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
        if effort_id.is_some() {
            self.wrote_effort_values = true;
        }
        self.numbers
            .write(self.conn, record, effort_id, channel, line)
    }

    fn apply_action(
        &mut self,
        record: &ActionRecord,
        line: u64,
    ) -> Result<Result<Applied, RowIssue>> {
        let (person, _) = self.person(&record.person)?;
        actions::write(
            self.conn,
            self.import_id,
            &mut self.action_days,
            record,
            person,
            line,
        )
    }

    /// The effort a row names (see `resolver`); what finding it changed goes to the touches.
    fn effort(
        &mut self,
        key: &EffortKey,
        channel: Option<&'static str>,
        campaign_id: Option<i64>,
        line: u64,
    ) -> Result<Result<KnownEffort, RowIssue>> {
        if !self.efforts.settled(key) {
            // Finding an effort may fold another into it, touches included: none may wait.
            self.touches.flush(self.conn)?;
        }
        let effort = self
            .efforts
            .effort(self.conn, key, channel, campaign_id, line)?;
        for (from, into) in self.efforts.take_merged() {
            self.touches.merge_efforts(from, into);
        }
        if self.efforts.take_linked() {
            self.wrote_effort_values = true;
        }
        Ok(effort)
    }

    /// Readies the memory of the people these records name (see `People::warm`).
    pub fn warm<'a>(&self, records: impl Iterator<Item = &'a Record>) {
        self.people.warm(records.filter_map(|record| match record {
            Record::Touch(touch) => Some(&touch.person),
            Record::Action(action) => Some(&action.person),
            _ => None,
        }));
    }

    /// The person a row names (see `resolver`); people joined take their touches with them.
    fn person(&mut self, ids: &PersonIds) -> Result<(Option<i64>, Applied)> {
        let person = self.people.person(self.conn, ids)?;
        for (from, into) in self.people.take_merged() {
            self.touches.merge_people(from, into);
        }
        Ok(person)
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
