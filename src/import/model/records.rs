//! What a profile makes of a row: typed records, ready to resolve and write, and how writing one
//! came out.

use chrono::{DateTime, NaiveDate, Utc};
use smallvec::SmallVec;

use crate::people::{IdHash, IdKind};

/// Whether a number is for one day or for a whole ISO week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    Day,
    Week,
}

impl Grain {
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
        }
    }
}

/// One row's worth of data, ready to write.
#[derive(Debug, Clone)]
pub(crate) enum Record {
    Metric(MetricRecord),
    Touch(TouchRecord),
    Action(ActionRecord),
    Event(EventRecord),
    Person(PersonIds),
    Plan(PlanRecord),
}

/// A row's records: most rows make one, kept in place rather than in an allocation of its own
/// (a million rows, a million allocations fewer).
pub(crate) type Records = SmallVec<[Record; 1]>;

/// What a profile made of one row.
// The records are kept in place on purpose (see `Records`): rows are reused batch after batch,
// so the size costs no allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum RowOutcome {
    Records(Records),
    Skip(String),
}

/// An effort as a row names it: the platform's namespace and the platform's id for it.
#[derive(Debug, Clone)]
pub struct EffortKey {
    pub platform: String,
    pub external_id: String,
    /// The 1-based column the id came from, for error messages.
    pub column: Option<usize>,
    pub info: EffortInfo,
    /// Another id the platform gives the same effort (Mailchimp's web id beside its Unique Id).
    pub alias: Option<String>,
}

/// What an export says about an effort besides its numbers; kept when given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EffortInfo {
    pub title: Option<String>,
    pub audience: Option<String>,
    pub sent_at: Option<String>,
}

/// The hashed identifiers a row carries for one person: an email, a phone, the tool's id, kept in
/// place (no allocation per row).
#[derive(Debug, Clone, Default)]
pub struct PersonIds {
    pub hashes: SmallVec<[(IdKind, IdHash); 3]>,
    /// The identifiers' part of row identities (see `people::Hasher::row_hash`).
    pub row_hashes: Vec<String>,
    /// The same part as written before schema version 3, when the database may hold such rows.
    pub legacy_row_hashes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TouchRecord {
    pub person: PersonIds,
    pub effort: EffortKey,
    pub channel: &'static str,
    pub campaign_id: Option<i64>,
    /// The kind's stored code (`store::touch_kinds`).
    pub kind: i64,
    /// Seconds since 1970, UTC.
    pub at: i64,
    pub local_date: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct ActionRecord {
    pub person: PersonIds,
    pub campaign_id: Option<i64>,
    pub metric: String,
    pub at: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub amount: f64,
    pub channel: Option<&'static str>,
    pub source_code: Option<String>,
    /// (platform, external id) of the event it happened at.
    pub event: Option<(String, String)>,
    pub at_event_start: bool,
    pub source_key: String,
    /// The row's identity as turnout wrote it before schema version 3 (see `rekey_legacy`).
    pub legacy_source_key: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PlanRecord {
    pub campaign_id: Option<i64>,
    pub day: NaiveDate,
    pub time: Option<String>,
    pub channel: &'static str,
    pub audience: String,
    pub title: String,
    pub goal: Option<String>,
    pub owner: Option<String>,
    pub source_key: String,
}

#[derive(Debug, Clone)]
pub struct EventRecord {
    pub platform: String,
    pub external_id: String,
    pub campaign_id: Option<i64>,
    pub title: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub starts_local: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct MetricRecord {
    pub campaign_id: Option<i64>,
    pub effort: Option<EffortKey>,
    pub channel: Option<&'static str>,
    pub metric: String,
    pub grain: Grain,
    pub date: NaiveDate,
    pub source_code: Option<String>,
    /// A breakdown the export has (a call target).
    pub detail: Option<String>,
    pub value: f64,
    pub span: Span,
}

/// How much a number covers beyond its own day or week (see `import::shape`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Its day (or week).
    Own,
    /// A total over a period, from its date through `last` (a day, a week, or longer).
    Period { last: NaiveDate },
    /// A counter's total since the start, as of its date: what is stored is its increase since
    /// the counter's previous snapshot (see `snapshots`).
    Snapshot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Inserted,
    Updated,
    Unchanged,
}
