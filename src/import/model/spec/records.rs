//! What a profile makes of each row: its records (numbers, touches, actions, events, people,
//! plan items), and the conditions that say when a row makes one.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    /// The value is one of these (ignoring case).
    #[serde(default, rename = "in")]
    pub one_of: Option<Vec<String>>,
    /// The value is none of these (ignoring case); an unknown value is none of them.
    #[serde(default)]
    pub not_in: Option<Vec<String>>,
    /// A `bool` field is true (or false).
    #[serde(default)]
    pub is: Option<bool>,
    /// The value is unknown (or known).
    #[serde(default)]
    pub blank: Option<bool>,
    /// A `date` or `time` field's day is before the import's day (or, with `false`, is not):
    /// whether the event has passed. An unknown value holds neither.
    #[serde(default)]
    pub passed: Option<bool>,
}

/// What one row yields. Every record may have `when` conditions; fields are named by key.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RecordSpec {
    /// Numbers about one piece of outreach (a send, a post), dated on `date` (default `sent_at`).
    EffortMetrics {
        #[serde(default)]
        when: Vec<Condition>,
        channel: String,
        effort: String,
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        audience: Option<String>,
        #[serde(default)]
        sent_at: Option<String>,
        #[serde(default)]
        date: Option<String>,
        /// metric name -> field
        metrics: BTreeMap<String, String>,
    },
    /// Numbers not tied to one effort (a day of account totals, calls per target, sessions per
    /// campaign code), dated on `date` (default `--date`, else the import day).
    Metrics {
        #[serde(default)]
        when: Vec<Condition>,
        #[serde(default)]
        channel: Option<String>,
        #[serde(default)]
        date: Option<String>,
        /// For a `period` profile: the field holding the period's last day (`date` its first).
        #[serde(default)]
        end_date: Option<String>,
        /// A breakdown the file has (a call target): one number per detail per day.
        #[serde(default)]
        detail: Option<String>,
        /// A code the numbers are attributed to.
        #[serde(default)]
        source: Option<String>,
        metrics: BTreeMap<String, String>,
    },
    /// A person's contact with an effort: sent, delivered, opened, clicked or replied.
    Touch {
        #[serde(default)]
        when: Vec<Condition>,
        touch: String,
        channel: String,
        effort: String,
        time: String,
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        phone: Option<String>,
        /// Fields that identify the row in the export (default: effort, person, kind, time).
        #[serde(default)]
        key: Vec<String>,
        /// A field holding another id of the same effort on the platform (Mailchimp's web id,
        /// beside the Unique Id of its links): rows naming either are one effort.
        #[serde(default)]
        alias: Option<String>,
    },
    /// One offline action (an RSVP, an attendance, a call, a donation, a response).
    Action {
        #[serde(default)]
        when: Vec<Condition>,
        metric: String,
        time: String,
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        phone: Option<String>,
        /// A field of type `platform-id`: the tool's own id for the person (a VANID).
        #[serde(default)]
        platform_id: Option<String>,
        /// The amount (money for `donation_amount`); default 1.
        #[serde(default)]
        amount: Option<String>,
        /// The event (or timeslot) it happened at.
        #[serde(default)]
        event: Option<String>,
        /// Date it on its event's start when the event is known (attendance).
        #[serde(default)]
        at_event_start: bool,
        #[serde(default)]
        channel: Option<String>,
        /// A field naming the channel the action came through (a UTM medium such as email or
        /// sms); values that are not channels are left blank.
        #[serde(default)]
        channel_from: Option<String>,
        #[serde(default)]
        key: Vec<String>,
    },
    /// An event or timeslot people RSVP to and attend.
    Event {
        #[serde(default)]
        when: Vec<Condition>,
        event: String,
        #[serde(default)]
        starts: Option<String>,
        #[serde(default)]
        title: Option<String>,
    },
    /// An item of the publishing plan: what goes out when, on which channel, to which audience.
    Plan {
        #[serde(default)]
        when: Vec<Condition>,
        date: String,
        #[serde(default)]
        time: Option<String>,
        /// The field holding the channel (checked against turnout's channels).
        channel: String,
        audience: String,
        title: String,
        /// The field holding the metric the item asks for.
        #[serde(default)]
        goal: Option<String>,
        #[serde(default)]
        owner: Option<String>,
    },
    /// A person known to the tool (a list member); links their email, phone and the tool's id.
    Person {
        #[serde(default)]
        when: Vec<Condition>,
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        phone: Option<String>,
        #[serde(default)]
        platform_id: Option<String>,
    },
}

pub const TOUCH_KINDS: &[&str] = &["sent", "delivered", "opened", "clicked", "replied"];

impl RecordSpec {
    pub fn conditions(&self) -> &[Condition] {
        match self {
            RecordSpec::EffortMetrics { when, .. }
            | RecordSpec::Metrics { when, .. }
            | RecordSpec::Touch { when, .. }
            | RecordSpec::Action { when, .. }
            | RecordSpec::Event { when, .. }
            | RecordSpec::Plan { when, .. }
            | RecordSpec::Person { when, .. } => when,
        }
    }

    /// Every field the record reads: the optional ones it names, then those it always reads.
    pub fn fields(&self) -> Vec<&str> {
        let mut fields: Vec<&str> = self
            .optional_fields()
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        fields.extend(self.required_fields());
        fields
    }

    /// The record's optional fields, each named or not.
    fn optional_fields(&self) -> Vec<&Option<String>> {
        match self {
            RecordSpec::EffortMetrics {
                title,
                audience,
                sent_at,
                date,
                ..
            } => vec![title, audience, sent_at, date],
            RecordSpec::Metrics {
                date,
                end_date,
                detail,
                source,
                ..
            } => vec![date, end_date, detail, source],
            RecordSpec::Touch {
                email,
                phone,
                alias,
                ..
            } => vec![email, phone, alias],
            RecordSpec::Action {
                email,
                phone,
                platform_id,
                amount,
                event,
                channel_from,
                ..
            } => vec![email, phone, platform_id, amount, event, channel_from],
            RecordSpec::Event { starts, title, .. } => vec![starts, title],
            RecordSpec::Plan {
                time, goal, owner, ..
            } => vec![time, goal, owner],
            RecordSpec::Person {
                email,
                phone,
                platform_id,
                ..
            } => vec![email, phone, platform_id],
        }
    }

    /// The fields the record always reads, its metrics' and its key's among them.
    fn required_fields(&self) -> Vec<&str> {
        match self {
            RecordSpec::EffortMetrics {
                effort, metrics, ..
            } => {
                let mut fields = vec![effort.as_str()];
                fields.extend(metrics.values().map(String::as_str));
                fields
            }
            RecordSpec::Metrics { metrics, .. } => metrics.values().map(String::as_str).collect(),
            RecordSpec::Touch {
                effort, time, key, ..
            } => {
                let mut fields = vec![effort.as_str(), time.as_str()];
                fields.extend(key.iter().map(String::as_str));
                fields
            }
            RecordSpec::Action { time, key, .. } => {
                let mut fields = vec![time.as_str()];
                fields.extend(key.iter().map(String::as_str));
                fields
            }
            RecordSpec::Event { event, .. } => vec![event.as_str()],
            RecordSpec::Plan {
                date,
                channel,
                audience,
                title,
                ..
            } => vec![
                date.as_str(),
                channel.as_str(),
                audience.as_str(),
                title.as_str(),
            ],
            RecordSpec::Person { .. } => Vec::new(),
        }
    }

    pub fn channel(&self) -> Option<&str> {
        match self {
            RecordSpec::EffortMetrics { channel, .. } | RecordSpec::Touch { channel, .. } => {
                Some(channel)
            }
            RecordSpec::Metrics { channel, .. } | RecordSpec::Action { channel, .. } => {
                channel.as_deref()
            }
            _ => None,
        }
    }

    pub fn metric_names(&self) -> Vec<&str> {
        match self {
            RecordSpec::EffortMetrics { metrics, .. } | RecordSpec::Metrics { metrics, .. } => {
                metrics.keys().map(String::as_str).collect()
            }
            RecordSpec::Action { metric, .. } => vec![metric],
            _ => Vec::new(),
        }
    }
}
