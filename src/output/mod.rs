//! The one renderer: every listing and report becomes a `Report` and is written here as a table
//! (for people), CSV, JSON or Markdown (for tools and meeting notes).
//!
//! JSON is an array of objects with snake_case keys and numbers as numbers; a report with several
//! sections gives each row a `section` key. CSV text cells that a spreadsheet would run as a
//! formula are neutralised (OWASP CSV injection); numbers stay numbers.

pub mod progress;
mod table;

use std::io::{self, Write};

use clap::ValueEnum;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
    Markdown,
}

/// One cell of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number that may have a fraction; shown with up to two decimals.
    Number(f64),
    /// A percentage in points (45.5 means 45.5%).
    Percent(f64),
    /// No value: shown as the given text in tables, null in JSON, empty in CSV.
    Missing(&'static str),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    pub fn opt_text(value: Option<impl Into<String>>, missing: &'static str) -> Cell {
        match value {
            Some(v) => Cell::Text(v.into()),
            None => Cell::Missing(missing),
        }
    }

    pub fn opt_number(value: Option<f64>, missing: &'static str) -> Cell {
        match value {
            Some(v) => Cell::Number(v),
            None => Cell::Missing(missing),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Number(_) | Cell::Percent(_))
    }

    /// How the cell reads in a table or Markdown: thousands separators, trimmed decimals.
    fn for_people(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Int(n) => group_thousands(&n.to_string()),
            Cell::Number(x) => group_thousands(&plain_number(*x)),
            // Small rates keep two decimals, so 0.03% does not read as 0%.
            Cell::Percent(x) if x.abs() < 1.0 && *x != 0.0 => {
                format!("{}%", trim_decimals(format!("{x:.2}")))
            }
            Cell::Percent(x) => format!("{}%", trim_decimals(format!("{x:.1}"))),
            Cell::Missing(text) => text.to_string(),
        }
    }

    /// How the cell reads in CSV: plain numbers, empty for missing, formulas neutralised.
    fn for_csv(&self) -> String {
        match self {
            Cell::Text(text) => neutralise_formula(text),
            Cell::Int(n) => n.to_string(),
            Cell::Number(x) | Cell::Percent(x) => plain_number(*x),
            Cell::Missing(_) => String::new(),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Cell::Text(text) => Value::String(text.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Number(x) | Cell::Percent(x) => json_number(*x),
            Cell::Missing(_) => Value::Null,
        }
    }
}

/// A column: its JSON/CSV key and its heading for people.
#[derive(Debug, Clone)]
pub struct Column {
    pub key: String,
    pub label: String,
    /// False for columns only tools need (full hashes, raw error text): kept out of tables and
    /// Markdown, present in CSV and JSON.
    pub for_people: bool,
    /// A column that repeats what the title says (the campaign of a one-campaign report): tables
    /// and Markdown leave it out when every row has the same value.
    pub context: bool,
}

impl Column {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Column {
        Column {
            key: key.into(),
            label: label.into(),
            for_people: true,
            context: false,
        }
    }

    /// A column tables drop when all its rows agree (see `context`).
    pub fn context(key: impl Into<String>, label: impl Into<String>) -> Column {
        Column {
            context: true,
            ..Column::new(key, label)
        }
    }

    /// A column for CSV and JSON only.
    pub fn tools_only(key: impl Into<String>, label: impl Into<String>) -> Column {
        Column {
            for_people: false,
            ..Column::new(key, label)
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    /// The `section` value in JSON/CSV and the heading for people; empty for a lone section.
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// What people see instead of an empty table.
    pub empty: String,
}

impl Section {
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> Section {
        Section {
            name: name.into(),
            columns,
            rows: Vec::new(),
            empty: "No rows.".to_string(),
        }
    }

    pub fn with_empty(mut self, message: impl Into<String>) -> Section {
        self.empty = message.into();
        self
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }
}

/// A whole report: a title and context lines for people, its sections, and footnotes.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub title: String,
    /// Lines under the title: time zone, "as of", period.
    pub context: Vec<String>,
    pub sections: Vec<Section>,
    pub footnotes: Vec<String>,
}

impl Report {
    pub fn new(title: impl Into<String>) -> Report {
        Report {
            title: title.into(),
            ..Report::default()
        }
    }

    pub fn single(title: impl Into<String>, section: Section) -> Report {
        let mut report = Report::new(title);
        report.sections.push(section);
        report
    }
}

pub fn render(report: &Report, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => table::render_table(report, out),
        Format::Markdown => render_markdown(report, out),
        Format::Csv => render_csv(report, out),
        Format::Json => render_json(report, out),
    }
}

/// The indices of the columns tables and Markdown show.
pub(super) fn people_columns(section: &Section) -> Vec<usize> {
    (0..section.columns.len())
        .filter(|&i| section.columns[i].for_people)
        .filter(|&i| {
            !section.columns[i].context
                || section.rows.windows(2).any(|pair| pair[0][i] != pair[1][i])
        })
        .collect()
}

/// Columns whose cells are all numbers (or missing) are right-aligned.
pub(super) fn numeric_columns(section: &Section) -> Vec<usize> {
    (0..section.columns.len())
        .filter(|&i| {
            section.rows.iter().any(|r| r[i].is_numeric())
                && section
                    .rows
                    .iter()
                    .all(|r| r[i].is_numeric() || matches!(r[i], Cell::Missing(_)))
        })
        .collect()
}

fn render_markdown(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !report.title.is_empty() {
        writeln!(out, "### {}", escape_markdown(&report.title))?;
        writeln!(out)?;
    }
    for line in &report.context {
        writeln!(out, "_{}_  ", escape_markdown(line))?;
    }
    if !report.context.is_empty() {
        writeln!(out)?;
    }
    for section in &report.sections {
        if !section.name.is_empty() && report.sections.len() > 1 {
            writeln!(out, "#### {}", escape_markdown(&section.name))?;
            writeln!(out)?;
        }
        if section.rows.is_empty() {
            writeln!(out, "{}", escape_markdown(&section.empty))?;
            writeln!(out)?;
            continue;
        }
        let numeric = numeric_columns(section);
        let shown = people_columns(section);
        let labels: Vec<String> = shown
            .iter()
            .map(|&i| escape_cell(&section.columns[i].label))
            .collect();
        writeln!(out, "| {} |", labels.join(" | "))?;
        let rule: Vec<&str> = shown
            .iter()
            .map(|i| if numeric.contains(i) { "---:" } else { "---" })
            .collect();
        writeln!(out, "| {} |", rule.join(" | "))?;
        for row in &section.rows {
            let cells: Vec<String> = shown
                .iter()
                .map(|&i| escape_cell(&row[i].for_people()))
                .collect();
            writeln!(out, "| {} |", cells.join(" | "))?;
        }
        writeln!(out)?;
    }
    for note in &report.footnotes {
        writeln!(out, "{}  ", escape_markdown(note))?;
    }
    Ok(())
}

fn render_csv(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let sectioned = report.sections.len() > 1;
    let keys = all_keys(report);
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<&str> = Vec::new();
    if sectioned {
        header.push("section");
    }
    header.extend(keys.iter().copied());
    writer.write_record(&header)?;
    for section in &report.sections {
        for row in &section.rows {
            let mut record: Vec<String> = Vec::with_capacity(header.len());
            if sectioned {
                record.push(neutralise_formula(&section.name));
            }
            for key in &keys {
                let cell = section
                    .columns
                    .iter()
                    .position(|c| c.key == *key)
                    .map(|i| row[i].for_csv())
                    .unwrap_or_default();
                record.push(cell);
            }
            writer.write_record(&record)?;
        }
    }
    writer.flush()?;
    Ok(())
}

fn render_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let sectioned = report.sections.len() > 1;
    let mut rows: Vec<Value> = Vec::new();
    for section in &report.sections {
        for row in &section.rows {
            let mut object = Map::new();
            if sectioned {
                object.insert("section".to_string(), Value::String(section.name.clone()));
            }
            for (column, cell) in section.columns.iter().zip(row) {
                object.insert(column.key.to_string(), cell.to_json());
            }
            rows.push(Value::Object(object));
        }
    }
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)?;
    Ok(())
}

/// Every column key across sections, in order of first appearance.
fn all_keys(report: &Report) -> Vec<&str> {
    let mut keys: Vec<&str> = Vec::new();
    for section in &report.sections {
        for column in &section.columns {
            if !keys.contains(&column.key.as_str()) {
                keys.push(&column.key);
            }
        }
    }
    keys
}

/// A number as people write it: 800, 12.5, 0.33.
pub fn plain_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        trim_decimals(format!("{x:.2}"))
    }
}

fn trim_decimals(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn json_number(x: f64) -> Value {
    if !x.is_finite() {
        Value::Null
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        Value::from(x as i64)
    } else {
        // Round to the precision people see, so JSON and tables agree.
        Value::from((x * 10_000.0).round() / 10_000.0)
    }
}

/// `1234567.5` -> `1,234,567.5`.
fn group_thousands(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    if !whole.chars().all(|c| c.is_ascii_digit()) {
        return text.to_string();
    }
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Prefixes a text cell that a spreadsheet would run as a formula with a single quote.
pub fn neutralise_formula(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn escape_cell(text: &str) -> String {
    escape_markdown(text).replace('|', "\\|").replace('\n', " ")
}

fn escape_markdown(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut section = Section::new(
            "",
            vec![
                Column::new("campaign", "Campaign"),
                Column::new("value", "Value"),
            ],
        );
        section.push(vec![Cell::text("=HYPERLINK(\"x\")"), Cell::Number(1234.5)]);
        section.push(vec![Cell::text("plain"), Cell::Number(-3.0)]);
        Report::single("Totals", section)
    }

    fn rendered(format: Format) -> String {
        let mut out = Vec::new();
        render(&sample(), format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_keeps_numbers_as_numbers() {
        let value: Value = serde_json::from_str(&rendered(Format::Json)).unwrap();
        assert_eq!(value[0]["value"], serde_json::json!(1234.5));
        assert_eq!(value[1]["value"], serde_json::json!(-3));
        assert_eq!(value[0]["campaign"], "=HYPERLINK(\"x\")");
    }

    #[test]
    fn csv_neutralises_formulas_but_not_negative_numbers() {
        let text = rendered(Format::Csv);
        assert_eq!(
            text,
            "campaign,value\n\"'=HYPERLINK(\"\"x\"\")\",1234.5\nplain,-3\n"
        );
    }

    #[test]
    fn people_formats_group_thousands() {
        assert!(rendered(Format::Table).contains("1,234.5"));
        let markdown = rendered(Format::Markdown);
        assert!(markdown.contains("| Campaign | Value |\n| --- | ---: |"));
        assert_eq!(group_thousands("-1234567"), "-1,234,567");
        assert_eq!(plain_number(0.126), "0.13");
    }
}
