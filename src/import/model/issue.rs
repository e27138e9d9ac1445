//! A row that was not imported, said for people: where it is, what was expected, what was found,
//! and why.

/// A row that was not imported: where it is, what was expected, what was found, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RowIssue {
    pub line: u64,
    /// 1-based column number, where one column is at fault.
    pub column_number: Option<usize>,
    pub column_name: Option<String>,
    pub expected: Option<String>,
    pub found: Option<String>,
    pub reason: String,
}

impl RowIssue {
    /// A row with more or fewer cells than the file's layout (`expected_from`: "the header has",
    /// "the profile expects").
    pub(crate) fn ragged(
        line: u64,
        found: usize,
        expected: usize,
        expected_from: &str,
    ) -> RowIssue {
        RowIssue {
            line,
            column_number: None,
            column_name: None,
            expected: Some(format!("{expected} {}, like the header", fields(expected))),
            found: Some(format!("{found} {}", fields(found))),
            reason: format!(
                "this row has {found} {} but {expected_from} {expected}; check for a missing or extra comma, or a value with a comma that needs quotes",
                fields(found)
            ),
        }
    }

    /// A row that records the same thing as an earlier row of its file.
    pub fn repeat_of(line: u64, first_line: i64) -> RowIssue {
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

    /// A row skipped for a reason that needs no column (a blank row, a total).
    pub fn skipped(line: u64, reason: &str) -> RowIssue {
        RowIssue {
            line,
            column_number: None,
            column_name: None,
            expected: None,
            found: None,
            reason: reason.to_string(),
        }
    }

    /// "line 7, column 6 (value): expected ..., found '...'" for people.
    pub fn describe(&self) -> String {
        let mut text = format!("line {}", self.line);
        if let Some(number) = self.column_number {
            text.push_str(&format!(", column {number}"));
            if let Some(name) = &self.column_name {
                text.push_str(&format!(" ({name})"));
            }
        }
        text.push_str(": ");
        text.push_str(&self.reason);
        text
    }
}

fn fields(count: usize) -> &'static str {
    if count == 1 { "field" } else { "fields" }
}
