//! The profile file format: how a tool's export is recognised and read, as plain TOML data
//! (`imports/profiles/*.toml`, user profiles beside the database or given with `--profile`).
//! `imports/README.md` documents it; `check` validates a profile and points at the line to fix.

mod check;
mod records;

pub use records::{Condition, RecordSpec, TOUCH_KINDS};

use std::collections::BTreeMap;

use serde::Deserialize;

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
    /// The line the header is on (the first line is 1), when the tool writes title lines above
    /// it; without it, one or two title lines of a single cell are looked past.
    #[serde(default)]
    pub header_row: Option<u64>,
    /// The character between fields, when the tool always uses one: `","`, `";"`, `"\t"` or
    /// `"|"`. Without it, turnout finds it in the file.
    #[serde(default)]
    pub delimiter: Option<String>,
    /// The text encoding, when the tool always writes one (`utf-16le`, `windows-1251`; any
    /// label of the WHATWG Encoding Standard). Without it, turnout finds it in the file.
    #[serde(default)]
    pub encoding: Option<String>,
    /// How the tool writes numbers and dates whatever the organization's locale (a BCP 47 tag,
    /// e.g. `en-US` for a US tool's export).
    #[serde(default)]
    pub locale: Option<String>,
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

impl ProfileSpec {
    /// The delimiter the profile pins, as a byte (checked by `check`).
    pub fn delimiter_byte(&self) -> Option<u8> {
        self.delimiter.as_deref().and_then(delimiter_byte)
    }
}

/// `","`, `";"`, `"\t"` (or a real tab), `"|"` as a byte; none for anything else.
fn delimiter_byte(text: &str) -> Option<u8> {
    match text {
        "," => Some(b','),
        ";" => Some(b';'),
        "\t" | "\\t" | "tab" => Some(b'\t'),
        "|" => Some(b'|'),
        _ => None,
    }
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
    /// The id the tool gives a person (NGP VAN's VANID): hashed with the profile's platform,
    /// never stored, so the same person links across the tool's files.
    PlatformId,
}

impl FieldType {
    /// The type as a profile writes it (`type = "platform-id"`).
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Count => "count",
            FieldType::Number => "number",
            FieldType::Amount => "amount",
            FieldType::Percent => "percent",
            FieldType::Fraction => "fraction",
            FieldType::Bool => "bool",
            FieldType::Time => "time",
            FieldType::Date => "date",
            FieldType::PlatformId => "platform-id",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
        }
    }

    /// The kind of identifier a field of this type holds, if it holds one.
    pub fn identifier(self) -> Option<crate::people::IdKind> {
        match self {
            FieldType::Email => Some(crate::people::IdKind::Email),
            FieldType::Phone => Some(crate::people::IdKind::Phone),
            FieldType::PlatformId => Some(crate::people::IdKind::Platform),
            _ => None,
        }
    }
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
    /// A constant: every row has this value (an event, a channel or a campaign that the file
    /// does not name). `turnout import --set FIELD=VALUE` gives it, or overrides it, for one
    /// import.
    #[serde(default)]
    pub value: Option<String>,
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
            line: err
                .span()
                .map(|span| check::line_of_offset(text, span.start)),
            message: err.message().trim().to_string(),
        }]
    })?;
    let errors = check::check(&spec, text, metric_known);
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}
