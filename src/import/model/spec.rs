//! The profile file format: how a tool's export is recognised and read, as plain TOML data
//! (`imports/profiles/*.toml`, user profiles beside the database or given with `--profile`).
//! `imports/README.md` documents it; `check` validates a profile and points at the line to fix.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::channels;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// What users pass to `--profile`, e.g. `mailchimp-campaigns`.
    pub name: String,
    /// The tool that writes the file, e.g. "Mailchimp".
    pub tool: String,
    /// Which of the tool's exports this is and how to get it.
    pub description: String,
    /// Where the layout comes from (a vendor page, an open-source reader of the file).
    #[serde(default)]
    pub provenance: Option<String>,
    /// The namespace of the tool's ids (efforts, events), e.g. `mailchimp`.
    pub platform: String,
    /// Zone of timestamps without an offset: `organization` (the default) or an IANA name.
    #[serde(default = "organization")]
    pub time_zone: String,
    /// False for files whose first line is already data; fields then name their `position`.
    #[serde(default = "yes")]
    pub header: bool,
    /// For a one-record report written as `"Label:","value"` lines: its first line (e.g.
    /// "Email Campaign Report"). Fields then name labels (without the colon) as headers, and
    /// `Links` holds every URL of the link table after it.
    #[serde(default)]
    pub key_value: Option<String>,
    /// The columns (and derived values) the profile reads, by the names records use.
    pub fields: BTreeMap<String, FieldSpec>,
    /// Fields whose values are campaign codes (or text and links carrying them), in order.
    #[serde(default)]
    pub codes: Vec<String>,
    /// A field holding a campaign slug.
    #[serde(default)]
    pub campaign: Option<String>,
    /// Rows to skip, with the reason shown to users (a totals row, a not-yet-sent contact).
    #[serde(default)]
    pub skip: Vec<SkipRule>,
    /// How the file's numbers sit in time: dated `events` (the default), a `cumulative` total
    /// (counts since the start, as of the download) or a `period` total (counts over a range).
    #[serde(default)]
    pub shape: Shape,
    /// What each row yields.
    pub records: Vec<RecordSpec>,
    /// Rates the file prints itself, recomputed from its counts as a check.
    #[serde(default)]
    pub rates: Vec<RateCheck>,
}

fn organization() -> String {
    "organization".to_string()
}

fn yes() -> bool {
    true
}

/// How a file's numbers sit in time (see `import::shape`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// Each row is dated by its own columns (or `--date`).
    #[default]
    Events,
    /// Totals since the start, as of the day the file was downloaded (`--as-of`).
    Cumulative,
    /// Totals over a range the file states or the user gives (`--period`, `--begin`/`--end`).
    Period,
}

impl Shape {
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Events => "events",
            Shape::Cumulative => "cumulative",
            Shape::Period => "period",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldType {
    /// Kept as written (ids, names, codes).
    #[default]
    Text,
    /// A whole number of zero or more; `1,234` and `424.0` are accepted.
    Count,
    /// Any number, fractions allowed.
    Number,
    /// Money: `$1,234.50`.
    Amount,
    /// A percentage: `33.98%` or `33.98`.
    Percent,
    /// A share between 0 and 1: `0.6325`.
    Fraction,
    /// `t`/`f`, `true`/`false`, `1`/`0`, `yes`/`no`.
    Bool,
    /// A point in time; see `formats` and the profile's `time_zone`.
    Time,
    /// A calendar day; see `formats`.
    Date,
    /// An email address (hashed, never stored).
    Email,
    /// A phone number (hashed, never stored).
    Phone,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Header names this field may have, any of them (compared ignoring case and spaces around).
    #[serde(default)]
    pub headers: Vec<String>,
    /// The 1-based column, for files without a header.
    #[serde(default)]
    pub position: Option<usize>,
    /// A file without this column is not this profile's.
    #[serde(default)]
    pub required: bool,
    #[serde(rename = "type", default)]
    pub kind: FieldType,
    /// chrono formats tried in order for `time` and `date` (common ISO forms are always tried).
    #[serde(default)]
    pub formats: Vec<String>,
    /// Cell values meaning "not known" (default: empty, `-`, `n/a`, `N/A`, `NA`, `null`).
    #[serde(default)]
    pub unknown: Option<Vec<String>>,
    /// An empty cell means zero rather than unknown (exports that leave zero counts blank).
    #[serde(default)]
    pub blank_is_zero: bool,
    /// Free text (a message, a caption): as a code field, only the codes in its links count.
    #[serde(default)]
    pub links_only: bool,
    /// Derived: the value of the query parameter `param` in the links of field `from`.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub param: Option<String>,
    /// Derived: the value after this label in the comment lines above the header.
    #[serde(default)]
    pub preamble: Option<String>,
    /// Derived from the file's name: `web-id` is the part before the first `_` when it is a
    /// number (Mailchimp's web id), else blank; `leading-id` is the same, falling back to the
    /// name without its extension.
    #[serde(default)]
    pub file_name: Option<String>,
}

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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipRule {
    pub when: Vec<Condition>,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateCheck {
    /// The field with the printed rate (a `percent` or `fraction`).
    pub field: String,
    pub numerator: String,
    pub denominator: String,
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
    /// A person known to the tool (a list member); links their email and phone.
    Person {
        #[serde(default)]
        when: Vec<Condition>,
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        phone: Option<String>,
    },
}

pub const TOUCH_KINDS: &[&str] = &["sent", "delivered", "opened", "clicked", "replied"];

/// A problem in a profile file, with the line it is on (1-based) where it can be found.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

/// Parses and checks a profile. `metric_known` says whether a metric name is in the vocabulary.
pub fn parse(
    text: &str,
    metric_known: &dyn Fn(&str) -> bool,
) -> Result<ProfileSpec, Vec<SpecError>> {
    let spec: ProfileSpec = toml::from_str(text).map_err(|err| {
        vec![SpecError {
            line: err.span().map(|span| line_of_offset(text, span.start)),
            message: err.message().trim().to_string(),
        }]
    })?;
    let errors = check(&spec, text, metric_known);
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

fn check(spec: &ProfileSpec, text: &str, metric_known: &dyn Fn(&str) -> bool) -> Vec<SpecError> {
    let mut errors = Vec::new();
    let valid_name = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    };
    if !valid_name(&spec.name) {
        field_ref_error(
            &mut errors,
            text,
            "name",
            format!(
                "the name '{}' must be lower-case letters, digits and hyphens, e.g. mytool-contacts",
                spec.name
            ),
        );
    }
    if spec.time_zone != "organization" && spec.time_zone.parse::<chrono_tz::Tz>().is_err() {
        field_ref_error(
            &mut errors,
            text,
            "time_zone",
            format!(
                "'{}' is not a time zone; use an IANA name such as America/New_York, UTC, or \"organization\"",
                spec.time_zone
            ),
        );
    }
    let known = |field: &str| spec.fields.contains_key(field);
    for (name, field) in &spec.fields {
        let sources = [
            !field.headers.is_empty(),
            field.position.is_some(),
            field.from.is_some(),
            field.preamble.is_some(),
            field.file_name.is_some(),
        ];
        let at = format!("[fields.{name}]");
        let needle = if text.contains(&at) {
            at
        } else {
            format!("{name} =")
        };
        match sources.iter().filter(|s| **s).count() {
            0 => field_ref_error(
                &mut errors,
                text,
                &needle,
                format!(
                    "the field '{name}' says nowhere to read it: give headers = [\"...\"], position = N, from = \"field\" with param, preamble = \"Label:\" or file_name = \"leading-id\""
                ),
            ),
            1 => {}
            _ => field_ref_error(
                &mut errors,
                text,
                &needle,
                format!(
                    "the field '{name}' gives more than one place to read it; keep one of headers, position, from, preamble, file_name"
                ),
            ),
        }
        if spec.header && field.position.is_some() {
            field_ref_error(
                &mut errors,
                text,
                &needle,
                format!(
                    "the field '{name}' has a position, but the profile reads a header; set header = false for files without one, or use headers = [...]"
                ),
            );
        }
        if !spec.header && !field.headers.is_empty() {
            field_ref_error(
                &mut errors,
                text,
                &needle,
                format!(
                    "the field '{name}' names headers, but the profile says the file has none (header = false); use position = N"
                ),
            );
        }
        if let Some(from) = &field.from {
            if !known(from) {
                field_ref_error(
                    &mut errors,
                    text,
                    &needle,
                    format!(
                        "the field '{name}' is read from '{from}', which is not a field of this profile"
                    ),
                );
            }
            if field.param.is_none() {
                field_ref_error(
                    &mut errors,
                    text,
                    &needle,
                    format!(
                        "the field '{name}' is read from '{from}' but names no param; add param = \"utm_campaign\" (or another query parameter)"
                    ),
                );
            }
        }
        if let Some(part) = &field.file_name
            && part != "leading-id"
            && part != "web-id"
        {
            field_ref_error(
                &mut errors,
                text,
                &needle,
                format!(
                    "file_name = \"{part}\" is not known; use file_name = \"leading-id\" or \"web-id\""
                ),
            );
        }
    }
    if !spec.fields.values().any(|f| f.required) {
        field_ref_error(&mut errors, text, "[fields", "no field is required = true, so any file would match this profile; mark the columns that identify the export as required".to_string());
    }
    let field_ref = |errors: &mut Vec<SpecError>, field: &str, role: &str| {
        if !known(field) {
            field_ref_error(
                errors,
                text,
                &format!("\"{field}\""),
                format!("{role} names the field '{field}', which is not defined under [fields]"),
            );
        }
    };
    for code in &spec.codes {
        field_ref(&mut errors, code, "codes");
    }
    if let Some(campaign) = &spec.campaign {
        field_ref(&mut errors, campaign, "campaign");
    }
    for rule in &spec.skip {
        for condition in &rule.when {
            field_ref(&mut errors, &condition.field, "a skip rule");
        }
    }
    for rate in &spec.rates {
        for field in [&rate.field, &rate.numerator, &rate.denominator] {
            field_ref(&mut errors, field, "a rate check");
        }
    }
    let mut channel_errors = Vec::new();
    let mut metric_errors = Vec::new();
    for record in &spec.records {
        for condition in record.conditions() {
            field_ref(&mut errors, &condition.field, "a record's when");
        }
        for field in record.fields() {
            field_ref(&mut errors, field, "a record");
        }
        if let Some(channel) = record.channel()
            && channels::parse(channel).is_err()
        {
            channel_errors.push(channel.to_string());
        }
        for metric in record.metric_names() {
            if !metric_known(metric) {
                metric_errors.push(metric.to_string());
            }
        }
        // A snapshot or a period total counts many people at once: only plain numbers have one.
        if spec.shape != Shape::Events && !matches!(record, RecordSpec::Metrics { .. }) {
            field_ref_error(
                &mut errors,
                text,
                "shape",
                format!(
                    "shape = \"{}\" fits only kind = \"metrics\" records (numbers, not people's touches or actions); use shape = \"events\" or change the records",
                    spec.shape.as_str()
                ),
            );
        }
        if let RecordSpec::Metrics {
            end_date: Some(_), ..
        } = record
            && spec.shape != Shape::Period
        {
            field_ref_error(
                &mut errors,
                text,
                "end_date",
                "end_date is the last day of a period total; it needs shape = \"period\""
                    .to_string(),
            );
        }
        if let RecordSpec::Touch { touch, .. } = record
            && !TOUCH_KINDS.contains(&touch.as_str())
        {
            field_ref_error(
                &mut errors,
                text,
                touch,
                format!(
                    "touch = \"{touch}\" is not a touch kind; use one of {}",
                    TOUCH_KINDS.join(", ")
                ),
            );
        }
    }
    for channel in channel_errors {
        field_ref_error(
            &mut errors,
            text,
            &channel,
            channels::unknown_message(&channel),
        );
    }
    for metric in metric_errors {
        field_ref_error(
            &mut errors,
            text,
            &metric,
            format!(
                "'{metric}' is not a known metric; see turnout metric list, or add it with turnout metric add"
            ),
        );
    }
    if spec.records.is_empty() {
        errors.push(SpecError {
            line: None,
            message: "the profile yields nothing: add at least one [[records]] table".to_string(),
        });
    }
    errors
}

fn field_ref_error(errors: &mut Vec<SpecError>, text: &str, needle: &str, message: String) {
    errors.push(SpecError {
        line: find_line(text, needle),
        message,
    });
}

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

    /// Every field the record reads.
    pub fn fields(&self) -> Vec<&str> {
        fn add<'a>(fields: &mut Vec<&'a str>, f: &'a Option<String>) {
            if let Some(f) = f {
                fields.push(f);
            }
        }
        let mut fields: Vec<&str> = Vec::new();
        match self {
            RecordSpec::EffortMetrics {
                effort,
                title,
                audience,
                sent_at,
                date,
                metrics,
                ..
            } => {
                add(&mut fields, title);
                add(&mut fields, audience);
                add(&mut fields, sent_at);
                add(&mut fields, date);
                fields.push(effort);
                fields.extend(metrics.values().map(String::as_str));
            }
            RecordSpec::Metrics {
                date,
                end_date,
                detail,
                source,
                metrics,
                ..
            } => {
                add(&mut fields, date);
                add(&mut fields, end_date);
                add(&mut fields, detail);
                add(&mut fields, source);
                fields.extend(metrics.values().map(String::as_str));
            }
            RecordSpec::Touch {
                effort,
                time,
                email,
                phone,
                key,
                alias,
                ..
            } => {
                add(&mut fields, email);
                add(&mut fields, phone);
                add(&mut fields, alias);
                fields.push(effort);
                fields.push(time);
                fields.extend(key.iter().map(String::as_str));
            }
            RecordSpec::Action {
                time,
                email,
                phone,
                amount,
                event,
                channel_from,
                key,
                ..
            } => {
                add(&mut fields, email);
                add(&mut fields, phone);
                add(&mut fields, amount);
                add(&mut fields, event);
                add(&mut fields, channel_from);
                fields.push(time);
                fields.extend(key.iter().map(String::as_str));
            }
            RecordSpec::Event {
                event,
                starts,
                title,
                ..
            } => {
                add(&mut fields, starts);
                add(&mut fields, title);
                fields.push(event);
            }
            RecordSpec::Plan {
                date,
                time,
                channel,
                audience,
                title,
                goal,
                owner,
                ..
            } => {
                add(&mut fields, time);
                add(&mut fields, goal);
                add(&mut fields, owner);
                fields.extend([
                    date.as_str(),
                    channel.as_str(),
                    audience.as_str(),
                    title.as_str(),
                ]);
            }
            RecordSpec::Person { email, phone, .. } => {
                add(&mut fields, email);
                add(&mut fields, phone);
            }
        }
        fields
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

fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The first line holding `needle`, for pointing at a mistake.
fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|i| i + 1)
}
