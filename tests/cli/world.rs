//! Files as organizers outside the US save them (issue 19): the organization's locale, a
//! profile that pins its delimiter, encoding and locale, and text kept in its own alphabet.
//! The corpus (`tests/corpus/cases.toml`) holds the files; these tests hold what the corpus
//! cannot say: settings, user profiles and what the database keeps.

use std::path::Path;

use predicates::prelude::*;

use crate::common::{Sandbox, csv_rows, import_counts, number};

const TODAY: &str = "2026-10-20";

fn corpus(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name)
        .display()
        .to_string()
}

fn total(sandbox: &Sandbox, metric: &str) -> f64 {
    sandbox
        .json(&["totals", "--campaign", "fair-rent-now", "--today", TODAY])
        .iter()
        .find(|row| row["metric"] == metric)
        .map(|row| number(&row["value"]))
        .unwrap_or(0.0)
}

#[test]
fn the_organizations_locale_reads_its_files_and_cyrillic_is_kept() {
    let sandbox = Sandbox::with_campaign();
    sandbox
        .cmd()
        .args(["config", "set", "locale", "xx-YY"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "'xx-YY' is not a locale turnout knows: use a language and country tag such as uk-UA",
        ));
    assert_eq!(
        sandbox.ok(&["config", "set", "locale", "uk-ua"]),
        "locale = uk-UA\n"
    );
    // dd/mm/yyyy dates read two ways without a locale; under uk-UA the day comes first.
    let file = corpus("civicrm-participants-utf8-bom-semicolon.csv");
    let rows = sandbox.json(&[
        "import",
        &file,
        "--campaign",
        "fair-rent-now",
        "--today",
        TODAY,
    ]);
    assert_eq!(import_counts(&rows[0]), [5, 5, 0, 0, 0, 0]);
    assert_eq!(total(&sandbox, "rsvps"), 4.0);
    assert_eq!(total(&sandbox, "attended"), 2.0);
    // The event's title, from a Windows-1251 file, is kept in its own letters.
    let cp1251 = corpus("civicrm-participants-cp1251-semicolon.csv");
    sandbox.ok(&[
        "import",
        &cp1251,
        "--campaign",
        "fair-rent-now",
        "--today",
        TODAY,
    ]);
    let out = sandbox.path("out");
    sandbox.ok(&["export", out.to_str().unwrap()]);
    let (header, events) = csv_rows(&out.join("event.csv"));
    let title = header
        .iter()
        .position(|h| h == "title")
        .expect("a title column");
    let starts = header
        .iter()
        .position(|h| h == "starts_at")
        .expect("starts_at");
    assert_eq!(
        events.len(),
        1,
        "one event, the same in both files: {events:?}"
    );
    assert_eq!(events[0][title], "Збори мешканців, Поділ");
    // 12 October 2026, 18:00 in the organization's zone (UTC by default).
    assert!(events[0][starts].starts_with("2026-10-12"), "{events:?}");
}

#[test]
fn a_profile_pins_its_delimiter_encoding_and_locale() {
    let sandbox = Sandbox::with_campaign();
    let profile = sandbox.write(
        "kyiv-doors.toml",
        r#"name = "kyiv-doors"
tool = "A canvassing spreadsheet"
description = "Doors knocked per day, as the Kyiv team saves it from Excel"
platform = "kyiv-sheet"
delimiter = ";"
encoding = "windows-1251"
locale = "uk-UA"

[fields]
day = { headers = ["Дата"], required = true, type = "date" }
doors = { headers = ["Двері"], required = true, type = "count" }
share = { headers = ["Частка"], type = "percent" }

[[records]]
kind = "metrics"
date = "day"
metrics = { doors = "doors" }
"#,
    );
    let (bytes, _, _) = encoding_rs::WINDOWS_1251
        .encode("Дата;Двері;Частка\r\n05.10.2026;1 200;45,5 %\r\n12.10.2026;\u{a0}980;50 %\r\n");
    let file = sandbox.write("двері.csv", bytes);
    let rows = sandbox.json(&[
        "import",
        file.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
        "--campaign",
        "fair-rent-now",
        "--today",
        TODAY,
    ]);
    assert_eq!(import_counts(&rows[0]), [2, 2, 0, 0, 0, 0]);
    assert_eq!(rows[0]["encoding"], "Windows-1251");
    assert_eq!(rows[0]["delimiter"], ";");
    assert_eq!(total(&sandbox, "doors"), 2180.0);
    // Checked like any profile: a pin turnout cannot read is named with its line.
    let broken = sandbox.write(
        "broken.toml",
        std::fs::read_to_string(&profile)
            .unwrap()
            .replace("delimiter = \";\"", "delimiter = \"::\""),
    );
    sandbox
        .cmd()
        .args(["profiles", "check", broken.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "broken.toml:5: the delimiter '::' is not one turnout reads; use \",\", \";\", \"\\t\" or \"|\"\n",
        ));
}
