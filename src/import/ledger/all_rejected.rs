//! A file whose every row is rejected is refused whole: nothing of it is written, and the
//! refusal names the likely cause. Such a file is almost never bad row by row; it was read the
//! wrong way (another delimiter, numbers or dates written for another country, the wrong
//! profile), and importing none of it with exit 0 would hide that.

use crate::import::model::RowIssue;

/// Why every row of a file may have been rejected, from the rows' own reasons, with the fix.
pub fn likely_cause(rejected: &[RowIssue], profile: &str, delimiter: char) -> String {
    let all = |needle: &str| {
        !rejected.is_empty() && rejected.iter().all(|issue| issue.reason.contains(needle))
    };
    let any = |needle: &str| {
        rejected.iter().any(|issue| {
            issue.reason.contains(needle)
                || issue
                    .expected
                    .as_deref()
                    .is_some_and(|e| e.contains(needle))
        })
    };
    let ragged = |issue: &RowIssue| {
        issue
            .expected
            .as_deref()
            .is_some_and(|e| e.ends_with("like the header"))
    };
    if !rejected.is_empty() && rejected.iter().all(ragged) {
        let shown = match delimiter {
            '\t' => "tabs".to_string(),
            other => format!("'{other}'"),
        };
        format!(
            "no row splits into the header's columns: the file was read with {shown} between fields. \
             If it uses another delimiter, say so in its profile (delimiter = \";\")"
        )
    } else if any("decimal comma") || any("thousands") {
        "its numbers are written for another country (a decimal comma, or '.' between thousands): \
         set the organization's locale (turnout config set locale de-DE) or pass --locale"
            .to_string()
    } else if any("date") {
        "its dates are not written as the profile reads them (day and month in another order?): \
         set the organization's locale (turnout config set locale uk-UA) or pass --locale"
            .to_string()
    } else if all("not UTF-8") {
        "its text is in an encoding turnout could not tell: say it in the profile (encoding = \"windows-1251\") or save the file as \"CSV UTF-8\"".to_string()
    } else {
        format!(
            "check that this is the export the profile {profile} reads, or name the right one with --profile (turnout profiles list)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(reason: &str) -> RowIssue {
        RowIssue::skipped(2, reason)
    }

    #[test]
    fn the_cause_is_read_from_the_reasons() {
        let ragged = RowIssue::ragged(2, 1, 4, "the header has");
        assert!(likely_cause(&[ragged], "p", ';').contains("read with ';' between fields"));
        let comma = issue("'1,5' has a decimal comma: set the locale");
        assert!(likely_cause(&[comma], "p", ',').contains("turnout config set locale de-DE"));
        let date = issue("'13/10/2026' is not a date and time like 2026-10-05 18:30:00");
        assert!(likely_cause(&[date], "p", ',').contains("day and month in another order"));
        let metric = issue("'doorz' is not a known metric");
        assert!(
            likely_cause(&[metric], "turnout-metrics", ',')
                .contains("the profile turnout-metrics reads")
        );
    }
}
