//! The hostile-input corpus (`tests/corpus/`, described case by case in its `cases.toml`), plus
//! the inputs that are built at test time: a folder, a missing file, databases that are not SQLite
//! or were cut short, a 100 MB line, an unreadable file and a read-only database.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::common::{Sandbox, bare_cmd, file_bytes, import_counts, number};

const TODAY: &str = "2026-10-20";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    file: String,
    why: String,
    expect: Expect,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    message: Vec<String>,
    counts: Option<[u64; 6]>,
    #[serde(default)]
    rejected: Vec<(u64, String)>,
    #[serde(default)]
    skipped: Vec<(u64, String)>,
    #[serde(default)]
    totals: BTreeMap<String, f64>,
    #[serde(default)]
    twice: bool,
    /// How the summary says the file was read (`encoding`, `delimiter` in its JSON).
    read_as: Option<ReadAs>,
    /// Texts the notes on stderr must hold.
    #[serde(default)]
    notes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadAs {
    encoding: String,
    delimiter: String,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Expect {
    Refused,
    Imported,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(corpus_dir().join("cases.toml")).expect("cases.toml");
    toml::from_str(&text).expect("cases.toml parses")
}

#[test]
fn every_corpus_file_has_a_case_and_there_are_at_least_40_inputs() {
    let manifest = manifest();
    let mentioned: Vec<String> = manifest
        .case
        .iter()
        .flat_map(|case| {
            std::iter::once(case.file.clone()).chain(
                case.args
                    .iter()
                    .filter_map(|arg| arg.strip_prefix("{corpus}/").map(str::to_string)),
            )
        })
        .collect();
    let mut files = 0;
    for entry in std::fs::read_dir(corpus_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == "cases.toml" {
            continue;
        }
        files += 1;
        assert!(
            mentioned.contains(&name),
            "tests/corpus/{name} has no case in cases.toml"
        );
    }
    for case in &manifest.case {
        assert!(
            !case.why.is_empty(),
            "{}: say why the input is real",
            case.file
        );
    }
    // The corpus files plus the seven inputs built at test time below.
    assert!(files + 7 >= 40, "only {} hostile inputs", files + 7);
}

#[test]
fn every_corpus_case_has_its_expected_outcome() {
    let mut failures = Vec::new();
    for case in manifest().case {
        if let Err(problem) = run_case(&case) {
            failures.push(format!("{} ({}): {problem}", case.file, case.why));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn run_case(case: &Case) -> Result<(), String> {
    let sandbox = Sandbox::with_campaign();
    let path = corpus_dir().join(&case.file);
    let corpus = corpus_dir().display().to_string();
    let mut args: Vec<String> = vec!["import".into(), path.display().to_string()];
    if case.twice {
        args.push(path.display().to_string());
    }
    args.extend(case.args.iter().map(|arg| arg.replace("{corpus}", &corpus)));
    args.extend([
        "--today".into(),
        TODAY.into(),
        "--format".into(),
        "json".into(),
    ]);

    let before = file_bytes(&sandbox.db());
    let output = sandbox.cmd().args(&args).output().expect("run turnout");
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    if stderr.contains("panicked") {
        return Err(format!("panicked: {stderr}"));
    }
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout)
        .map_err(|err| format!("no JSON summary ({err}); stderr: {stderr}"))?;
    match case.expect {
        Expect::Refused => {
            if output.status.code() != Some(1) {
                return Err(format!("expected exit 1, got {:?}", output.status.code()));
            }
            if !stderr.contains(&case.file) {
                return Err(format!("the message does not name the file: {stderr}"));
            }
            for text in &case.message {
                if !stderr.contains(text.as_str()) {
                    return Err(format!("the message lacks {text:?}: {stderr}"));
                }
            }
            if !stderr.contains("nothing") {
                return Err(format!(
                    "the message does not say nothing was written: {stderr}"
                ));
            }
            if file_bytes(&sandbox.db()) != before {
                return Err("the database changed".into());
            }
            if !sandbox.json(&["imports"]).is_empty() {
                return Err("the ledger gained an entry".into());
            }
        }
        Expect::Imported => {
            if !output.status.success() {
                return Err(format!("expected success: {stderr}"));
            }
            check_counts(case, &rows)?;
            check_read_as(case, &rows[0])?;
            for text in &case.notes {
                if !stderr.contains(text.as_str()) {
                    return Err(format!("the notes lack {text:?}: {stderr}"));
                }
            }
            check_ledger(case, &sandbox, &rows[0])?;
            check_totals(case, &sandbox)?;
        }
    }
    Ok(())
}

fn check_counts(case: &Case, rows: &[Value]) -> Result<(), String> {
    let expected = case.counts.ok_or("an imported case needs counts")?;
    let first = import_counts(&rows[0]);
    if first != expected {
        return Err(format!("counts {first:?}, expected {expected:?}"));
    }
    let [read, inserted, updated, unchanged, rejected, skipped] = first;
    if read != inserted + updated + unchanged + rejected + skipped {
        return Err(format!("{first:?} does not account for every row"));
    }
    if case.twice {
        let second = import_counts(&rows[1]);
        let all_unchanged = [read, 0, 0, read - rejected - skipped, rejected, skipped];
        if second != all_unchanged {
            return Err(format!(
                "the second listing gave {second:?}, expected {all_unchanged:?}"
            ));
        }
    }
    Ok(())
}

fn check_read_as(case: &Case, summary: &Value) -> Result<(), String> {
    let Some(read_as) = &case.read_as else {
        return Ok(());
    };
    let found = (
        summary["encoding"].as_str().unwrap_or_default(),
        summary["delimiter"].as_str().unwrap_or_default(),
    );
    if found != (read_as.encoding.as_str(), read_as.delimiter.as_str()) {
        return Err(format!("read as {found:?}, expected {read_as:?}"));
    }
    Ok(())
}

/// The ledger lists exactly the rows the case names, at those lines, with those reasons.
fn check_ledger(case: &Case, sandbox: &Sandbox, summary: &Value) -> Result<(), String> {
    let id = number(&summary["import_id"]).to_string();
    let rows = sandbox.json(&["imports", &id]);
    for (outcome, expected) in [("rejected", &case.rejected), ("skipped", &case.skipped)] {
        let found: Vec<(u64, String)> = rows
            .iter()
            .filter(|row| row["outcome"] == outcome)
            .map(|row| {
                (
                    number(&row["line"]) as u64,
                    row["reason"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let matches = found.len() == expected.len()
            && found
                .iter()
                .zip(expected.iter())
                .all(|((line, reason), (want_line, want))| {
                    line == want_line && reason.contains(want)
                });
        if !matches {
            return Err(format!("{outcome} rows {found:?}, expected {expected:?}"));
        }
    }
    Ok(())
}

fn check_totals(case: &Case, sandbox: &Sandbox) -> Result<(), String> {
    let totals = sandbox.json(&["totals", "--campaign", "fair-rent-now", "--today", TODAY]);
    for (metric, expected) in &case.totals {
        let value = totals
            .iter()
            .find(|row| row["metric"] == metric.as_str())
            .map(|row| number(&row["value"]))
            .unwrap_or(0.0);
        if (value - expected).abs() > 1e-9 {
            return Err(format!("total {metric} = {value}, expected {expected}"));
        }
    }
    Ok(())
}

/// Runs an import that must be refused with every text in `message`, leaving the database as it
/// was.
fn assert_refused(sandbox: &Sandbox, file: &Path, message: &[&str]) {
    let before = file_bytes(&sandbox.db());
    let output = sandbox
        .cmd()
        .arg("import")
        .arg(file)
        .output()
        .expect("run turnout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for text in message {
        assert!(stderr.contains(text), "expected {text:?} in: {stderr}");
    }
    assert_eq!(before, file_bytes(&sandbox.db()), "the database changed");
}

#[test]
fn a_folder_a_missing_file_and_a_100_mb_line_are_refused() {
    let sandbox = Sandbox::with_campaign();
    std::fs::create_dir(sandbox.path("exports")).unwrap();
    assert_refused(
        &sandbox,
        &sandbox.path("exports"),
        &["exports: it is a folder", "Name the CSV files inside it"],
    );
    assert_refused(
        &sandbox,
        &sandbox.path("opens-september.csv"),
        &[
            "opens-september.csv: there is no such file",
            "Check the name",
        ],
    );
    // 100 MB with no line break, written here rather than committed.
    let long = sandbox.path("one-long-line.csv");
    let mut file = std::fs::File::create(&long).unwrap();
    let chunk = vec![b'a'; 1024 * 1024];
    for _ in 0..100 {
        file.write_all(&chunk).unwrap();
    }
    drop(file);
    assert_refused(
        &sandbox,
        &long,
        &[
            "one-long-line.csv",
            "line 1 is longer than 16 MiB with no line break",
            "export it again",
        ],
    );
}

#[test]
fn databases_that_are_not_sqlite_or_are_cut_short_are_refused_untouched() {
    let sandbox = Sandbox::with_campaign();
    // A text file passed as the database.
    let notes = sandbox.write("notes.db", "Fair Rent Now: call list\n");
    let output = bare_cmd()
        .args(["--db", notes.to_str().unwrap(), "totals"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a turnout database"), "{stderr}");
    assert_eq!(file_bytes(&notes), b"Fair Rent Now: call list\n");

    // A database cut short (a copy that ran out of space): the first two pages only.
    let full = crate::common::demo();
    let cut = sandbox.path("cut.db");
    let bytes = file_bytes(&full.db());
    std::fs::write(&cut, &bytes[..8192]).unwrap();
    let output = bare_cmd()
        .args(["--db", cut.to_str().unwrap(), "totals"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("cut.db is damaged"), "{stderr}");
    assert!(stderr.contains("turnout restore"), "{stderr}");
    assert_eq!(file_bytes(&cut), &bytes[..8192]);
}

/// Permission checks mean nothing to root, which CI runs as: there the binary runs as the user
/// `nobody` (with util-linux's `setpriv`), and where that is impossible the test says it skipped.
fn as_unprivileged_user(sandbox: &Sandbox) -> Option<assert_cmd::Command> {
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0");
    if !is_root {
        return Some(sandbox.cmd());
    }
    // The binary is copied into the (world-readable) sandbox, since the checkout it was built
    // in may be closed to other users, then tried once as `nobody`.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(sandbox.dir.path(), std::fs::Permissions::from_mode(0o777)).ok()?;
    let binary = sandbox.path("turnout-as-nobody");
    if !binary.exists() {
        std::fs::copy(assert_cmd::cargo::cargo_bin("turnout"), &binary).ok()?;
        std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).ok()?;
    }
    let as_nobody = || {
        let mut cmd = assert_cmd::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary)
            .current_dir(sandbox.dir.path())
            .env_remove("TURNOUT_DB");
        cmd
    };
    let works = as_nobody()
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !works {
        return None;
    }
    let mut cmd = as_nobody();
    cmd.arg("--db").arg(sandbox.db());
    Some(cmd)
}

fn skipped(what: &str) {
    // Written past the test harness's capture, so the skip is visible in every run.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {what}: running as root, which can read and write any file, and cannot run turnout as the user nobody (setpriv)"
    );
}

#[test]
fn an_unreadable_file_and_a_read_only_database_are_refused_with_a_fix() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    let Some(mut first) = as_unprivileged_user(&sandbox) else {
        skipped("the unreadable-file and read-only-database checks");
        return;
    };
    // The database is made by the same user that then cannot read the file.
    first
        .args([
            "campaign",
            "add",
            "fair-rent-now",
            "--name",
            "Fair Rent Now",
        ])
        .assert()
        .success();
    let file = sandbox.write(
        "opens.csv",
        "Timestamp,Email\n2026-09-18 10:53:53,a@example.com\n",
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    let before = file_bytes(&sandbox.db());
    let refused_import = || {
        let output = as_unprivileged_user(&sandbox)
            .unwrap()
            .args(["import", "opens.csv"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let stderr = refused_import();
    assert!(stderr.contains("opens.csv: permission denied"), "{stderr}");
    assert!(stderr.contains("Check the file's permissions"), "{stderr}");
    assert_eq!(before, file_bytes(&sandbox.db()));

    // A database the user may read but not write.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(sandbox.db(), std::fs::Permissions::from_mode(0o444)).unwrap();
    let stderr = refused_import();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("cannot be written"), "{stderr}");
    assert!(stderr.contains("ls -l"), "{stderr}");
    assert_eq!(before, file_bytes(&sandbox.db()));
}
