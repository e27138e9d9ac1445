//! The character between a file's fields. Excel in most of Europe saves "CSV" with `;` (the
//! comma is the decimal mark there), CiviCRM uses the site's field separator, "Unicode Text" and
//! NGP VAN use tabs, a few tools `|`. The delimiter is the profile's (`delimiter`), else the one
//! of these that splits the file's first lines into the same number of fields, line after line.

/// The delimiters looked for, in the order a tie goes.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Lines looked at.
const LINES: usize = 20;

/// The delimiter of a file whose text starts with `head` (comment lines, `#...`, aside).
pub fn detect(head: &[u8]) -> u8 {
    let lines = first_lines(head);
    let mut best = (0usize, b',');
    for candidate in CANDIDATES {
        let counts: Vec<usize> = lines.iter().map(|line| count(line, candidate)).collect();
        // The lines that agree with the widest: a title line above the header has none.
        let Some(&widest) = counts.iter().max() else {
            continue;
        };
        if widest == 0 {
            continue;
        }
        let agreeing = counts.iter().filter(|&&n| n == widest).count();
        if agreeing > best.0 {
            best = (agreeing, candidate);
        }
    }
    best.1
}

/// How `delimiter` is written in a summary.
pub fn describe(delimiter: u8) -> &'static str {
    match delimiter {
        b',' => "commas",
        b';' => "semicolons",
        b'\t' => "tabs",
        b'|' => "vertical bars (|)",
        _ => "an unusual character",
    }
}

/// The first lines of the text that are not comments, with quoted line breaks kept inside
/// their line. A last line cut short by the end of `head` is left out unless it is the only one.
fn first_lines(head: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (at, &byte) in head.iter().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                let line = &head[start..at];
                if !line.starts_with(b"#") && !line.iter().all(u8::is_ascii_whitespace) {
                    lines.push(line);
                }
                start = at + 1;
                if lines.len() == LINES {
                    return lines;
                }
            }
            _ => {}
        }
    }
    if lines.is_empty() && start < head.len() {
        lines.push(&head[start..]);
    }
    lines
}

/// How many times `delimiter` appears in `line` outside quotes.
fn count(line: &[u8], delimiter: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for &byte in line {
        if byte == b'"' {
            quoted = !quoted;
        } else if byte == delimiter && !quoted {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_that_splits_every_line_alike() {
        assert_eq!(detect(b"Timestamp,Email\n2026-09-01,a@b.org\n"), b',');
        // Decimal commas inside a semicolon file.
        assert_eq!(detect(b"metric;value\ndoors;1,5\ncalls;2,25\n"), b';');
        assert_eq!(detect(b"Name\tDate\tResult\nA\t1\tCanvassed\n"), b'\t');
        assert_eq!(detect(b"a|b|c\n1|2|3\n"), b'|');
        // Quoted cells may hold the others, and line breaks.
        assert_eq!(detect(b"\"a;b\",c\n\"x\ny;z\",2\n"), b',');
        // A title line above the header, and a comment line.
        assert_eq!(
            detect(b"# exported\nPosts report\nDate;Reach;Clicks\n1;2;3\n"),
            b';'
        );
        // One column: commas, the default.
        assert_eq!(detect(b"Email\na@b.org\n"), b',');
    }
}
