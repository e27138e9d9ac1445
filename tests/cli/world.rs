//! Files as organizers outside the US save them (issue 19): the organization's locale, a
//! profile that pins its delimiter, encoding and locale, and text kept in its own alphabet.
//! The corpus (`tests/corpus/cases.toml`) holds the files; these tests hold what the corpus
//! cannot say: settings, user profiles and what the database keeps.

use std::path::Path;

use predicates::prelude::*;

use crate::common::{Sandbox, csv_rows, import_counts, ledger_rows, number};

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

#[test]
fn ukrainian_phones_in_every_form_are_one_person_and_unreadable_ones_are_listed() {
    let sandbox = Sandbox::with_campaign();
    sandbox.ok(&["config", "set", "locale", "uk-UA"]);
    let poll = sandbox.write(
        "poll.csv",
        "time,channel,question,answer,phone\n\
         2026-10-05 10:00:00,sms,Q1,yes,067 123 45 02\n\
         2026-10-05 11:00:00,sms,Q1,no,+380 67 123 4503\n\
         2026-10-05 12:00:00,sms,Q1,yes,380671234504\n\
         2026-10-05 13:00:00,sms,Q1,yes,\"3,80671E+11\"\n\
         2026-10-05 14:00:00,sms,Q1,no,555-0102\n",
    );
    let rows = sandbox.json(&[
        "import",
        poll.to_str().unwrap(),
        "--campaign",
        "fair-rent-now",
        "--today",
        TODAY,
    ]);
    // Every row imports; the two phones that are no phone count as no one, and say so.
    assert_eq!(import_counts(&rows[0]), [5, 5, 0, 0, 0, 0]);
    assert_eq!(rows[0]["dropped_identifiers"], 2);
    assert_eq!(total(&sandbox, "responses"), 5.0);
    let id = rows[0]["import_id"].to_string();
    let listed: Vec<(u64, String, String)> = ledger_rows(&sandbox, &id)
        .into_iter()
        .filter(|(_, outcome, _, _)| outcome == "dropped")
        .map(|(line, _, column, reason)| (line, column, reason))
        .collect();
    let reason = "this phone number could not be read, so the row counts as no one; write them with their country code (+380...), or set the country of numbers without one: turnout config set default_country UA";
    assert_eq!(
        listed,
        vec![
            (5, "phone".to_string(), reason.to_string()),
            (6, "phone".to_string(), reason.to_string())
        ]
    );
    // The same people in a CiviCRM listing, their numbers written another way.
    let civicrm = sandbox.write(
        "participants.csv",
        "Participant Name,Event ID,Status,Email,Phone,Registration Date,Event Start Date,Participant ID\n\
         A,Збори,Registered,,(067) 123-45-02,2026-10-06 09:00,2026-10-12 18:00,1\n\
         B,Збори,Registered,,+38 067 123 45 03,2026-10-06 10:00,2026-10-12 18:00,2\n\
         C,Збори,Registered,,00380671234504,2026-10-06 11:00,2026-10-12 18:00,3\n",
    );
    let rows = sandbox.json(&[
        "import",
        civicrm.to_str().unwrap(),
        "--campaign",
        "fair-rent-now",
        "--today",
        TODAY,
    ]);
    assert_eq!(import_counts(&rows[0]), [3, 3, 0, 0, 0, 0]);
    assert_eq!(rows[0]["dropped_identifiers"], 0);
    let out = sandbox.path("out");
    sandbox.ok(&["export", out.to_str().unwrap()]);
    let (_, people) = csv_rows(&out.join("person.csv"));
    let (_, identifiers) = csv_rows(&out.join("person_identifier.csv"));
    assert_eq!(
        (people.len(), identifiers.len()),
        (3, 3),
        "three people, one phone each"
    );
}

#[test]
fn a_workbook_and_a_tab_delimited_save_give_the_csvs_numbers() {
    let workbooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/workbooks");
    let csv = crate::common::sample("mailchimp-campaign-reports.csv");
    let totals = |file: &Path, extra: &[&str]| {
        let sandbox = Sandbox::with_campaign();
        let mut args = vec![
            "import",
            file.to_str().unwrap(),
            "--campaign",
            "fair-rent-now",
        ];
        args.extend(extra);
        let output = sandbox
            .cmd()
            .args(&args)
            .args(["--today", TODAY])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        let totals = sandbox.json(&["totals", "--campaign", "fair-rent-now", "--today", TODAY]);
        (totals, stderr)
    };
    let (expected, _) = totals(&csv, &[]);
    assert!(expected.len() > 3, "{expected:?}");
    let workbook = workbooks.join("mailchimp-campaign-reports.xlsx");
    let (from_workbook, said) = totals(&workbook, &["--sheet", "campaigns"]);
    assert_eq!(from_workbook, expected);
    assert!(
        said.contains("read the sheet 'Campaigns' of 2 ('Notes', 'Campaigns')"),
        "{said}"
    );
    // Its rates are percentages again (0.3398 shown as 33.98%): no rate disagrees with its counts.
    assert!(!said.contains("rate differs"), "{said}");
    // Excel 97-2003 (BIFF8) and LibreOffice's .ods, made by make.py: their percentages come as
    // the fractions the cells hold, and agree with the counts as such.
    for other in [
        "mailchimp-campaign-reports.xls",
        "mailchimp-campaign-reports.ods",
    ] {
        let (from_other, said) = totals(&workbooks.join(other), &[]);
        assert_eq!(from_other, expected, "{other}");
        assert!(!said.contains("rate differs"), "{other}: {said}");
    }
    let (from_tabs, said) = totals(&workbooks.join("mailchimp-campaign-reports-tab.txt"), &[]);
    assert_eq!(from_tabs, expected);
    assert!(said.contains("fields separated by tabs"), "{said}");
    // The first sheet is notes someone added: refused, naming the sheets to choose from.
    let sandbox = Sandbox::with_campaign();
    sandbox
        .cmd()
        .args(["import", workbook.to_str().unwrap(), "--today", TODAY])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "turnout read the sheet 'Notes' of 2 ('Notes', 'Campaigns'); choose another with --sheet NAME",
        ));
}

#[test]
fn a_reports_errors_name_the_line_its_value_is_on_whatever_the_line_ends() {
    let report = std::fs::read_to_string(crate::common::fixture("mailchimp-campaign-report.csv"))
        .unwrap()
        .replace("\"Total Opens:\",\"57\"", "\"Total Opens:\",\"many\"");
    let line = report.lines().position(|l| l.contains("many")).unwrap() + 1;
    assert_eq!(line, 13);
    for (name, text) in [
        ("lf.csv", report.clone()),
        ("crlf.csv", report.replace('\n', "\r\n")),
    ] {
        let sandbox = Sandbox::with_campaign();
        let file = sandbox.write(name, &text);
        sandbox
            .cmd()
            .args(["import", file.to_str().unwrap(), "--campaign", "fair-rent-now", "--today", TODAY])
            .assert()
            .stderr(predicate::str::contains(
                "  line 13, column 10 (Total Opens): 'many' is not a whole number of zero or more, e.g. 1,234\n",
            ));
    }
}

#[test]
fn a_profile_header_row_looks_past_title_lines_of_many_cells() {
    let sandbox = Sandbox::with_campaign();
    let profile = "name = \"doorknock-sheet\"\ntool = \"A canvass spreadsheet\"\n\
        description = \"Doors per day, two title lines above the header\"\nplatform = \"doorknock\"\n\
        header_row = 3\n\n[fields]\nday = { headers = [\"Day\"], required = true, type = \"date\" }\n\
        doors = { headers = [\"Doors\"], required = true, type = \"count\" }\n\n[[records]]\n\
        kind = \"metrics\"\nchannel = \"field\"\ndate = \"day\"\nmetrics = { doors = \"doors\" }\n";
    // Excel's line ends; the titles have two cells each, so they look like no header at all.
    let file = sandbox.write(
        "doors.csv",
        "Eastside canvass,October 2026\r\nTeam,Kyiv\r\nDay,Doors\r\n2026-10-05,40\r\n\
         2026-10-06,many\r\n2026-10-07,25\r\n",
    );
    let file = file.to_str().unwrap();
    let with_profile = sandbox.write("doors.toml", profile);
    let import = |args: &[&str]| {
        let mut all = vec![
            "import",
            file,
            "--campaign",
            "fair-rent-now",
            "--today",
            TODAY,
        ];
        all.extend(args);
        sandbox
            .cmd()
            .args(&all)
            .assert()
            .success()
            .stderr(predicate::str::contains(
                "  line 5, column 2 (Doors): 'many' is not a whole number of zero or more, e.g. 1,234\n",
            ))
    };
    import(&["--profile", with_profile.to_str().unwrap(), "--dry-run"]);
    assert_eq!(total(&sandbox, "doors"), 0.0);
    // Beside the database, the profile recognises the file by its header on line 3.
    std::fs::create_dir_all(sandbox.path("profiles")).unwrap();
    std::fs::write(sandbox.path("profiles/doorknock-sheet.toml"), profile).unwrap();
    import(&[]);
    assert_eq!(total(&sandbox, "doors"), 65.0);
}

#[test]
fn a_wide_sheet_of_weeks_gives_each_number_for_its_whole_week() {
    let sandbox = Sandbox::with_campaign();
    let profile = sandbox.write(
        "field-weeks.toml",
        "name = \"field-weeks\"\ntool = \"A field team's sheet\"\n\
         description = \"One row per week, one column per number\"\nplatform = \"field-sheet\"\n\n\
         [fields]\nweek = { headers = [\"Week\"], required = true, type = \"date\" }\n\
         doors = { headers = [\"Doors\"], required = true, type = \"count\" }\n\
         calls = { headers = [\"Calls\"], type = \"count\" }\n\n[[records]]\nkind = \"metrics\"\n\
         channel = \"field\"\ndate = \"week\"\nmetrics = { doors = \"doors\", calls = \"calls\" }\n",
    );
    // Week 42's calls are blank: unknown, not zero, so no number is kept for them.
    let file = sandbox.write(
        "weeks.csv",
        "Week,Doors,Calls\n2026-W41,300,120\n2026-W42,280,\n",
    );
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
    let weekly: Vec<(String, String, f64)> = sandbox
        .json(&[
            "totals",
            "--by",
            "week",
            "--campaign",
            "fair-rent-now",
            "--today",
            TODAY,
        ])
        .iter()
        .map(|row| {
            (
                row["metric"].as_str().unwrap().to_string(),
                row["week"].as_str().unwrap().to_string(),
                number(&row["value"]),
            )
        })
        .collect();
    assert_eq!(
        weekly,
        vec![
            ("calls".to_string(), "2026-W41".to_string(), 120.0),
            ("doors".to_string(), "2026-W41".to_string(), 300.0),
            ("doors".to_string(), "2026-W42".to_string(), 280.0),
        ]
    );
}

#[test]
fn a_vanid_links_one_voter_across_vans_files() {
    let sandbox = Sandbox::with_campaign();
    let import = |file: &str| {
        let rows = sandbox.json(&[
            "import",
            file,
            "--campaign",
            "fair-rent-now",
            "--today",
            TODAY,
        ]);
        assert_eq!(rows[0]["profile"], "van-contact-history");
        import_counts(&rows[0])
    };
    // Five voters contacted (100231-100235); the text message makes no number and no person.
    assert_eq!(
        import(&corpus("van-contact-history.xls")),
        [6, 5, 0, 0, 0, 1]
    );
    // A week later the phone bank reaches 100232 again, and a new voter, 100237: as VAN writes
    // it, UTF-16 with tabs.
    let text = "Voter File VANID\tContact Name\tDate Canvassed\tResult\tContact Type\tCanvassed By\r\n\
                100232\tChen, Li\t10/19/2026\tCanvassed\tPhone\tLuis Tanaka\r\n\
                100237\tWu, Mei\t10/19/2026\tNot Home\tPhone\tLuis Tanaka\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let later = sandbox.write("ContactHistory-2026-10-19.xls", bytes);
    assert_eq!(import(later.to_str().unwrap()), [2, 2, 0, 0, 0, 0]);
    assert_eq!(total(&sandbox, "calls"), 4.0);
    assert_eq!(total(&sandbox, "conversations"), 4.0);
    // Six voters, not seven: 100232 is one person in both files, known by a hash of "van:100232".
    let out = sandbox.path("out");
    sandbox.ok(&["export", out.to_str().unwrap()]);
    let (_, people) = csv_rows(&out.join("person.csv"));
    let (header, identifiers) = csv_rows(&out.join("person_identifier.csv"));
    let kind = header.iter().position(|h| h == "kind").unwrap();
    assert_eq!(people.len(), 6);
    assert_eq!(
        identifiers
            .iter()
            .map(|row| row[kind].as_str())
            .collect::<Vec<_>>(),
        vec!["platform"; 6]
    );
}

#[test]
fn a_profiles_own_values_and_header_row_are_checked() {
    let sandbox = Sandbox::new();
    let head =
        "name = \"field-days\"\ntool = \"A sheet\"\ndescription = \"x\"\nplatform = \"sheet\"\n";
    let body = "\n[fields]\nday = { value = \"last tuesday\", type = \"date\" }\n\
                doors = { headers = [\"Doors\"], required = true, type = \"count\" }\n\n\
                [[records]]\nkind = \"metrics\"\nchannel = \"field\"\ndate = \"day\"\n\
                metrics = { doors = \"doors\" }\n";
    let profile = sandbox.write("field-days.toml", format!("{head}{body}"));
    let file = sandbox.write("days.csv", "Doors\n40\n");
    sandbox
        .cmd()
        .args(["import", file.to_str().unwrap(), "--profile", profile.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(format!(
            "error: cannot import {}: the profile gives 'day' the value 'last tuesday', which is not a date, e.g. 2026-10-05, or a week, e.g. 2026-W41: correct its value = \"...\", or give another with --set day=...\n\
             error: 1 of 1 file(s) were refused and nothing from them was written; the messages above say why\n",
            format_args!("{} as field-days", file.display())
        ));
    // Given on import, a good day wins over the profile's: 40 doors on 5 October.
    sandbox.ok(&[
        "import",
        file.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
        "--set",
        "day=2026-10-05",
        "--today",
        TODAY,
    ]);
    let totals = sandbox.json(&["totals", "--today", TODAY]);
    assert_eq!((totals.len(), number(&totals[0]["value"])), (1, 40.0));
    for (header_row, message) in [
        ("header_row = 0\n", "header_row = 0: the first line is 1"),
        (
            "header = false\nheader_row = 2\n",
            "header_row names the header's line, but header = false says the file has none: keep one of them",
        ),
    ] {
        let path = sandbox.write("rows.toml", format!("{head}{header_row}{body}"));
        sandbox
            .cmd()
            .args(["profiles", "check", path.to_str().unwrap()])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn a_percentage_kept_from_an_xls_or_ods_sheet_is_never_read_a_hundredfold_off() {
    let workbooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/workbooks");
    let profile = r#"name = "board-rates"
tool = "Mailchimp"
description = "Open rates as the board reads them"
platform = "mailchimp"
time_zone = "organization"

[fields]
title = { headers = ["Title"], required = true }
send_date = { headers = ["Send Date"], required = true, type = "time", formats = ["%b %d, %Y %I:%M %p"] }
unique_id = { headers = ["Unique Id"], required = true }
open_rate = { headers = ["Open Rate"], required = true, type = "percent" }

[[records]]
kind = "effort-metrics"
channel = "email"
effort = "unique_id"
title = "title"
sent_at = "send_date"
metrics = { open_rate_shown = "open_rate" }
"#;
    let import = |file: &str, extra: &[&str]| {
        let sandbox = Sandbox::with_campaign();
        let profile = sandbox.write("board-rates.toml", profile);
        sandbox.ok(&[
            "metric",
            "add",
            "open_rate_shown",
            "--milestone",
            "--description",
            "The open rate as the report shows it",
        ]);
        let path = workbooks.join(file);
        let output = sandbox
            .cmd()
            .args(["import", path.to_str().unwrap(), "--profile"])
            .arg(&profile)
            .args(["--campaign", "fair-rent-now", "--today", TODAY])
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        (
            output.status.code(),
            stderr,
            total(&sandbox, "open_rate_shown"),
        )
    };
    // The .xlsx says its rates are shown as percentages: 33.98% is 33.98, as in the CSV.
    let (header, rows) = csv_rows(&crate::common::sample("mailchimp-campaign-reports.csv"));
    let rate = header.iter().position(|h| h == "Open Rate").unwrap();
    let expected: f64 = rows
        .iter()
        .map(|row| row[rate].trim_end_matches('%').parse::<f64>().unwrap())
        .sum();
    assert_eq!(rows.len(), 16);
    let (code, said, from_xlsx) =
        import("mailchimp-campaign-reports.xlsx", &["--sheet", "Campaigns"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        (from_xlsx - expected).abs() < 1e-6,
        "{from_xlsx} vs {expected}"
    );
    // The .xls and .ods hold 0.3398 and do not say it is shown as 33.98%: every row is
    // refused with both readings, and nothing is written.
    for file in [
        "mailchimp-campaign-reports.xls",
        "mailchimp-campaign-reports.ods",
    ] {
        let (code, said, written) = import(file, &[]);
        assert_eq!(code, Some(1), "{file}: {said}");
        assert_eq!(written, 0.0, "{file}");
        assert!(
            said.contains("line 2, column 14 (Open Rate): '0.3398' reads two ways in an .xls or .ods sheet, which does not say how its cells are shown: 33.98% (a cell shown as a percentage holds its fraction) or 0.3398%; save the sheet as .xlsx or \"CSV UTF-8\" and import that"),
            "{file}: {said}"
        );
        assert!(
            said.contains("line 3, column 14 (Open Rate): '0.3334' reads two ways"),
            "{file}: {said}"
        );
    }
}
