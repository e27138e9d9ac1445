//! Transcripts: a command's whole output compared with the text expected of it, kept in
//! `tests/transcripts/NAME.txt`, with a diff on failure (just's and ripgrep's tests are the
//! models). `TURNOUT_BLESS=1 cargo test` writes the expected texts afresh from what the commands
//! print now: read the diff in review before committing it.

use std::path::{Path, PathBuf};

fn expected_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/transcripts")
        .join(format!("{name}.txt"))
}

/// What varies from run to run written as a placeholder: the moment of an import or a log
/// entry (`2026-12-02T19:49:14Z` -> `[time]`), and the test's own folder (`[sandbox]`).
pub fn normalised(text: &str, sandbox: &Path) -> String {
    let text = text.replace(&sandbox.display().to_string(), "[sandbox]");
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if is_moment(&bytes[i..]) {
            out.push_str("[time]");
            i += 20;
        } else {
            let c = text[i..].chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SSZ` at the start of `b`.
fn is_moment(b: &[u8]) -> bool {
    const SHAPE: &[u8; 20] = b"dddd-dd-ddTdd:dd:ddZ";
    b.len() >= 20
        && SHAPE.iter().zip(b).all(|(s, c)| {
            if *s == b'd' {
                c.is_ascii_digit()
            } else {
                s == c
            }
        })
}

/// Compares `actual` with the transcript `name`, showing a unified diff when they differ.
pub fn assert_transcript(name: &str, actual: &str) {
    let path = expected_path(name);
    if std::env::var_os("TURNOUT_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("transcripts folder");
        std::fs::write(&path, actual).expect("write transcript");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no transcript {}: write it with TURNOUT_BLESS=1 cargo test, then read it",
            path.display()
        )
    });
    if expected != actual {
        let diff = similar::TextDiff::from_lines(&expected, actual)
            .unified_diff()
            .header(&format!("expected ({})", path.display()), "actual")
            .to_string();
        panic!("`{name}` printed something else than its transcript:\n{diff}");
    }
}
