//! Helpers shared by the integration tests: a throwaway database per test, and the binary run
//! against it with a clean environment.

pub mod transcript;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A temporary folder holding one test's database and files.
pub struct Sandbox {
    pub dir: TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: TempDir::new().expect("temp dir"),
        }
    }

    /// A sandbox with an empty database (`turnout init`): commands that only read refuse a
    /// database that is not there.
    pub fn initialised() -> Sandbox {
        let sandbox = Sandbox::new();
        sandbox.ok(&["-q", "init"]);
        sandbox
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("turnout.db")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file into the sandbox and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write file");
        path
    }

    /// The binary, run in the sandbox with `--db` pointing at its database.
    pub fn cmd(&self) -> Command {
        let mut cmd = bare_cmd();
        cmd.current_dir(self.dir.path()).arg("--db").arg(self.db());
        cmd
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.cmd().args(args).output().expect("run turnout");
        assert!(
            output.status.success(),
            "turnout {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8 stdout")
    }

    /// Runs a command with `--format json` and parses its array.
    pub fn json(&self, args: &[&str]) -> Vec<Value> {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--format", "json"]);
        let text = self.ok(&all);
        match serde_json::from_str(&text) {
            Ok(Value::Array(rows)) => rows,
            other => panic!("expected a JSON array from {args:?}, got {other:?}: {text}"),
        }
    }

    /// `--format json` against another database file.
    pub fn json_with_db(&self, db: &Path, args: &[&str]) -> Vec<Value> {
        let output = bare_cmd()
            .current_dir(self.dir.path())
            .arg("--db")
            .arg(db)
            .args(args)
            .args(["--format", "json"])
            .output()
            .expect("run turnout");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Vec<Value>>(&output.stdout).expect("JSON array")
    }

    /// A sandbox whose database holds only the campaign fair-rent-now (no dates).
    pub fn with_campaign() -> Sandbox {
        let sandbox = Sandbox::new();
        sandbox.ok(&[
            "campaign",
            "add",
            "fair-rent-now",
            "--name",
            "Fair Rent Now",
        ]);
        sandbox
    }

    /// Sets up the campaign most tests use.
    pub fn fair_rent_now(&self) {
        self.ok(&[
            "campaign",
            "add",
            "fair-rent-now",
            "--name",
            "Fair Rent Now",
            "--start",
            "2026-09-07",
            "--end",
            "2026-11-01",
        ]);
    }
}

/// A sandbox whose database `turnout demo` built from every sample.
pub fn demo() -> Sandbox {
    let sandbox = Sandbox::new();
    bare_cmd()
        .current_dir(sandbox.dir.path())
        .arg("--db")
        .arg(sandbox.db())
        .args(["demo", "--quiet"])
        .assert()
        .success();
    sandbox
}

/// The binary with an environment that cannot leak the developer's settings into a test.
pub fn bare_cmd() -> Command {
    let mut cmd = Command::cargo_bin("turnout").expect("binary built");
    cmd.env_remove("TURNOUT_DB").env_remove("COLUMNS");
    cmd
}

/// The one row matching every (key, value) pair.
pub fn one_row<'a>(rows: &'a [Value], matches: &[(&str, &str)]) -> &'a Value {
    let found: Vec<&Value> = rows
        .iter()
        .filter(|r| matches.iter().all(|(k, v)| r[*k] == *v))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one row matching {matches:?} in {rows:#?}"
    );
    found[0]
}

/// An import summary's counts: [read, inserted, updated, unchanged, rejected, skipped].
pub fn import_counts(row: &Value) -> [u64; 6] {
    [
        "rows_read",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "skipped",
    ]
    .map(|k| {
        row[k]
            .as_u64()
            .unwrap_or_else(|| panic!("no count {k} in {row}"))
    })
}

/// One import's rows in its ledger (`turnout imports ID`): (line, outcome, column, reason), in
/// file order; outcome `rejected`, `skipped` or `dropped` (an email or phone that could not be
/// read).
pub fn ledger_rows(sandbox: &Sandbox, import_id: &str) -> Vec<(u64, String, String, String)> {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
    sandbox
        .json(&["imports", import_id])
        .iter()
        .filter(|r| r["section"] == "Rows not imported")
        .map(|r| {
            let line = number(&r["line"]) as u64;
            (
                line,
                text(&r["outcome"]),
                text(&r["column_name"]),
                text(&r["reason"]),
            )
        })
        .collect()
}

pub fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

pub fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}

/// A file in `imports/samples/`.
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("imports/samples")
        .join(name)
}

/// A file in `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The data rows of a CSV file (after `#` comment lines and the header), read with the csv crate
/// so tests compute expected numbers from the files themselves.
pub fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("read sample");
    let text = text.trim_start_matches('\u{feff}');
    let body: String = text
        .split_inclusive('\n')
        .skip_while(|line| line.starts_with('#'))
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(body.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The sum of one column (blank cells count as zero; thousands separators and `.0` are allowed).
pub fn column_sum(path: &Path, column: &str) -> f64 {
    let (header, rows) = csv_rows(path);
    let index = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {}", path.display()));
    rows.iter()
        .map(|r| r[index].replace(',', "").parse::<f64>().unwrap_or(0.0))
        .sum()
}
