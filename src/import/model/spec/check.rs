//! Checking a profile once it parses: every field readable from one place, every reference to
//! a field, channel, metric and touch kind known, each problem with its line.

use super::{
    Condition, FieldSpec, FieldType, ProfileSpec, RecordSpec, Shape, SpecError, TOUCH_KINDS,
};
use crate::channels;

pub(super) fn check(
    spec: &ProfileSpec,
    text: &str,
    metric_known: &dyn Fn(&str) -> bool,
) -> Vec<SpecError> {
    let mut errors = Vec::new();
    check_names(spec, text, &mut errors);
    for (name, field) in &spec.fields {
        check_field(spec, text, name, field, &mut errors);
    }
    check_references(spec, text, &mut errors);
    check_records(spec, text, metric_known, &mut errors);
    check_types(spec, text, &mut errors);
    match spec.header_row {
        Some(0) => field_ref_error(&mut errors, text, "header_row", "header_row = 0: the first line is 1".to_string()),
        Some(_) if !spec.header => field_ref_error(&mut errors, text, "header_row", "header_row names the header's line, but header = false says the file has none: keep one of them".to_string()),
        _ => {}
    }
    if spec.records.is_empty() {
        errors.push(SpecError {
            line: None,
            message: "the profile yields nothing: add at least one [[records]] table".to_string(),
        });
    }
    errors
}

/// The profile's name and time zone.
fn check_names(spec: &ProfileSpec, text: &str, errors: &mut Vec<SpecError>) {
    let valid_name = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    };
    if !valid_name(&spec.name) {
        field_ref_error(
            errors,
            text,
            "name",
            format!(
                "the name '{}' must be lower-case letters, digits and hyphens, e.g. mytool-contacts",
                spec.name
            ),
        );
    }
    if let Some(delimiter) = &spec.delimiter
        && spec.delimiter_byte().is_none()
    {
        field_ref_error(
            errors,
            text,
            "delimiter",
            format!(
                "the delimiter '{delimiter}' is not one turnout reads; use \",\", \";\", \"\\t\" or \"|\""
            ),
        );
    }
    if let Some(label) = &spec.encoding
        && encoding_rs::Encoding::for_label(label.trim().as_bytes()).is_none()
    {
        field_ref_error(
            errors,
            text,
            "encoding",
            format!(
                "'{label}' is not a text encoding; use a name such as utf-8, utf-16le, windows-1251 or windows-1252"
            ),
        );
    }
    if let Some(tag) = &spec.locale
        && let Err(message) = crate::locale::Locale::parse(tag)
    {
        field_ref_error(errors, text, "locale", message);
    }
    if spec.time_zone != "organization" && spec.time_zone.parse::<chrono_tz::Tz>().is_err() {
        field_ref_error(
            errors,
            text,
            "time_zone",
            format!(
                "'{}' is not a time zone; use an IANA name such as America/New_York, UTC, or \"organization\"",
                spec.time_zone
            ),
        );
    }
}

/// One field: read from exactly one place, and that place fits the file's layout.
fn check_field(
    spec: &ProfileSpec,
    text: &str,
    name: &str,
    field: &FieldSpec,
    errors: &mut Vec<SpecError>,
) {
    let at = format!("[fields.{name}]");
    let needle = if text.contains(&at) {
        at
    } else {
        format!("{name} =")
    };
    check_one_place(text, &needle, name, field, errors);
    check_fits_layout(spec, text, &needle, name, field, errors);
    check_derived(spec, text, &needle, name, field, errors);
}

/// A field gives exactly one place to read it.
fn check_one_place(
    text: &str,
    needle: &str,
    name: &str,
    field: &FieldSpec,
    errors: &mut Vec<SpecError>,
) {
    let sources = [
        !field.headers.is_empty(),
        field.position.is_some(),
        field.from.is_some(),
        field.preamble.is_some(),
        field.file_name.is_some(),
        field.value.is_some(),
    ];
    match sources.iter().filter(|s| **s).count() {
        0 => field_ref_error(
            errors,
            text,
            needle,
            format!(
                "the field '{name}' says nowhere to read it: give headers = [\"...\"], position = N, from = \"field\" with param, preamble = \"Label:\", file_name = \"leading-id\" or value = \"...\" (\"\" for one given on import with --set)"
            ),
        ),
        1 => {}
        _ => field_ref_error(
            errors,
            text,
            needle,
            format!(
                "the field '{name}' gives more than one place to read it; keep one of headers, position, from, preamble, file_name, value"
            ),
        ),
    }
}

/// A field read by position needs a file without a header, one read by header a file with one.
fn check_fits_layout(
    spec: &ProfileSpec,
    text: &str,
    needle: &str,
    name: &str,
    field: &FieldSpec,
    errors: &mut Vec<SpecError>,
) {
    if spec.header && field.position.is_some() {
        field_ref_error(
            errors,
            text,
            needle,
            format!(
                "the field '{name}' has a position, but the profile reads a header; set header = false for files without one, or use headers = [...]"
            ),
        );
    }
    if !spec.header && !field.headers.is_empty() {
        field_ref_error(
            errors,
            text,
            needle,
            format!(
                "the field '{name}' names headers, but the profile says the file has none (header = false); use position = N"
            ),
        );
    }
}

/// A field read from another field names a defined field and a param; one read from the file
/// name names a known part of it.
fn check_derived(
    spec: &ProfileSpec,
    text: &str,
    needle: &str,
    name: &str,
    field: &FieldSpec,
    errors: &mut Vec<SpecError>,
) {
    let known = |field: &str| spec.fields.contains_key(field);
    if let Some(from) = &field.from {
        if !known(from) {
            field_ref_error(
                errors,
                text,
                needle,
                format!(
                    "the field '{name}' is read from '{from}', which is not a field of this profile"
                ),
            );
        }
        if field.param.is_none() {
            field_ref_error(
                errors,
                text,
                needle,
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
            errors,
            text,
            needle,
            format!(
                "file_name = \"{part}\" is not known; use file_name = \"leading-id\" or \"web-id\""
            ),
        );
    }
}

/// Every field that codes, the campaign, skip rules and rate checks name is defined.
fn check_references(spec: &ProfileSpec, text: &str, errors: &mut Vec<SpecError>) {
    if !spec.fields.values().any(|f| f.required) {
        field_ref_error(errors, text, "[fields", "no field is required = true, so any file would match this profile; mark the columns that identify the export as required".to_string());
    }
    for code in &spec.codes {
        field_ref(spec, text, errors, code, "codes");
    }
    if let Some(campaign) = &spec.campaign {
        field_ref(spec, text, errors, campaign, "campaign");
    }
    for rule in &spec.skip {
        for condition in &rule.when {
            field_ref(spec, text, errors, &condition.field, "a skip rule");
            check_passed(spec, text, errors, condition);
        }
    }
    for rate in &spec.rates {
        for field in [&rate.field, &rate.numerator, &rate.denominator] {
            field_ref(spec, text, errors, field, "a rate check");
        }
    }
}

/// Every record: its fields defined, its channel, metrics and touch kind known, and what the
/// file's time shape allows.
fn check_records(
    spec: &ProfileSpec,
    text: &str,
    metric_known: &dyn Fn(&str) -> bool,
    errors: &mut Vec<SpecError>,
) {
    let mut channel_errors = Vec::new();
    let mut metric_errors = Vec::new();
    for record in &spec.records {
        for condition in record.conditions() {
            field_ref(spec, text, errors, &condition.field, "a record's when");
            check_passed(spec, text, errors, condition);
        }
        for field in record.fields() {
            field_ref(spec, text, errors, field, "a record");
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
                errors,
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
                errors,
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
                errors,
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
        field_ref_error(errors, text, &channel, channels::unknown_message(&channel));
    }
    for metric in metric_errors {
        field_ref_error(
            errors,
            text,
            &metric,
            format!(
                "'{metric}' is not a known metric; see turnout metric list, or add it with turnout metric add"
            ),
        );
    }
}

const NUMBERS: &[FieldType] = &[
    FieldType::Count,
    FieldType::Number,
    FieldType::Amount,
    FieldType::Percent,
    FieldType::Fraction,
];
const MOMENTS: &[FieldType] = &[FieldType::Date, FieldType::Time];

/// Every field a record reads as a number, a day or time, an email or a phone has that type: a
/// date read as a count of doors would reject every row of every file.
fn check_types(spec: &ProfileSpec, text: &str, errors: &mut Vec<SpecError>) {
    for record in &spec.records {
        for (field, role, allowed) in typed_uses(record) {
            let Some(defined) = spec.fields.get(field) else {
                continue; // named in `check_references`
            };
            if !allowed.contains(&defined.kind) {
                let wanted: Vec<&str> = allowed.iter().map(|k| k.name()).collect();
                field_ref_error(
                    errors,
                    text,
                    &format!("{field} ="),
                    format!(
                        "the field '{field}' is of type {}, but a record reads it as {role}: give it type = \"{}\"",
                        defined.kind.name(),
                        wanted.join("\" or \"")
                    ),
                );
            }
        }
    }
}

/// (field, what the record reads it as, the types that fit) for one record.
type TypedUse<'r> = (&'r str, &'static str, &'static [FieldType]);

fn typed_uses<'r>(record: &'r RecordSpec) -> Vec<TypedUse<'r>> {
    let mut uses: Vec<TypedUse<'r>> = Vec::new();
    let mut add = |field: Option<&'r String>, role: &'static str, allowed: &'static [FieldType]| {
        if let Some(field) = field {
            uses.push((field.as_str(), role, allowed));
        }
    };
    let (email, phone) = match record {
        RecordSpec::EffortMetrics { date, metrics, .. } => {
            add(date.as_ref(), "a date", MOMENTS);
            metrics
                .values()
                .for_each(|f| add(Some(f), "a number", NUMBERS));
            (None, None)
        }
        RecordSpec::Metrics {
            date,
            end_date,
            metrics,
            ..
        } => {
            add(date.as_ref(), "a date", MOMENTS);
            add(end_date.as_ref(), "a date", MOMENTS);
            metrics
                .values()
                .for_each(|f| add(Some(f), "a number", NUMBERS));
            (None, None)
        }
        RecordSpec::Touch {
            time, email, phone, ..
        } => {
            add(Some(time), "a time", MOMENTS);
            (email.as_ref(), phone.as_ref())
        }
        RecordSpec::Action {
            time,
            amount,
            email,
            phone,
            platform_id,
            ..
        } => {
            add(Some(time), "a time", MOMENTS);
            add(amount.as_ref(), "an amount", NUMBERS);
            add(
                platform_id.as_ref(),
                "a person's id in the tool",
                &[FieldType::PlatformId],
            );
            (email.as_ref(), phone.as_ref())
        }
        RecordSpec::Event { starts, .. } => {
            add(starts.as_ref(), "a time", MOMENTS);
            (None, None)
        }
        RecordSpec::Plan { date, .. } => {
            add(Some(date), "a date", MOMENTS);
            (None, None)
        }
        RecordSpec::Person {
            email,
            phone,
            platform_id,
            ..
        } => {
            add(
                platform_id.as_ref(),
                "a person's id in the tool",
                &[FieldType::PlatformId],
            );
            (email.as_ref(), phone.as_ref())
        }
    };
    add(email, "an email address", &[FieldType::Email]);
    add(phone, "a phone number", &[FieldType::Phone]);
    uses
}

/// A field something names must be defined.
fn field_ref(spec: &ProfileSpec, text: &str, errors: &mut Vec<SpecError>, field: &str, role: &str) {
    if !spec.fields.contains_key(field) {
        field_ref_error(
            errors,
            text,
            &format!("\"{field}\""),
            format!("{role} names the field '{field}', which is not defined under [fields]"),
        );
    }
}

/// `passed` asks whether a day is over: only a `date` or `time` field has one.
fn check_passed(
    spec: &ProfileSpec,
    text: &str,
    errors: &mut Vec<SpecError>,
    condition: &Condition,
) {
    let Some(field) = spec.fields.get(&condition.field) else {
        return;
    };
    if condition.passed.is_some() && !matches!(field.kind, FieldType::Date | FieldType::Time) {
        field_ref_error(
            errors,
            text,
            "passed",
            format!(
                "passed = ... asks whether the day in '{}' is over, but that field is not a date or time: give it type = \"date\" or \"time\"",
                condition.field
            ),
        );
    }
}

fn field_ref_error(errors: &mut Vec<SpecError>, text: &str, needle: &str, message: String) {
    errors.push(SpecError {
        line: find_line(text, needle),
        message,
    });
}

pub(super) fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The first line holding `needle`, for pointing at a mistake.
fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|i| i + 1)
}
