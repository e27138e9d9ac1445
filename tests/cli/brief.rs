//! `turnout brief`: the joint-meeting page, as text and as HTML rendered in a real browser.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{demo, number, one_row};

const TODAY: &str = "2026-11-02";

#[test]
fn brief_leads_with_results_and_says_what_drove_them() {
    let sandbox = demo();
    let rows = sandbox.json(&["brief", "--week", "2026-W41", "--today", TODAY]);
    let sections: Vec<&str> = rows
        .iter()
        .map(|r| r["section"].as_str().unwrap())
        .collect();
    let order = [
        "Results vs goals",
        "What drove them",
        "Milestones beside results",
        "Warnings",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|s| sections.iter().position(|x| x == s).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    // W41 (Oct 5-11): 5 RSVPs; the rsvps goal (40 by Nov 15) had 24 by Oct 11, on track.
    let rsvps = one_row(
        &rows,
        &[("section", "Results vs goals"), ("metric", "rsvps")],
    );
    assert_eq!(number(&rsvps["this_period"]), 5.0);
    assert_eq!(number(&rsvps["done"]), 24.0);
    assert_eq!(rsvps["verdict"], "on track");
    // What drove them covers the week's own 5 RSVPs: direct codes by channel (UTM medium) add
    // up to them, and the words say so.
    let drivers: Vec<_> = rows
        .iter()
        .filter(|r| r["section"] == "What drove them")
        .collect();
    let direct: f64 = drivers.iter().map(|r| number(&r["direct"])).sum();
    assert_eq!(direct, 5.0);
    assert!(
        drivers.iter().all(|r| {
            r["words"]
                .as_str()
                .unwrap()
                .contains("of 5 rsvps in 2026-W41")
        }),
        "{drivers:?}"
    );
    assert!(drivers.iter().any(|r| {
        r["words"]
            .as_str()
            .unwrap()
            .ends_with("Rules share credit, they do not show cause")
    }));
    // The calendar has nothing after the plan's last item (Oct 2): it says so instead of vanishing.
    let table = sandbox.ok(&["brief", "--week", "2026-W41", "--today", TODAY]);
    assert!(
        table.contains("Nothing planned for the next two weeks"),
        "{table}"
    );
}

#[test]
fn what_drove_them_is_about_the_briefs_own_period() {
    let sandbox = demo();
    // W38 (Sep 14-20): 8 RSVPs, by hand from mobilize-participations-sql-mirror.csv (created
    // in that week in Oakland, linked to fair-rent-now). W43 (Oct 19-25): 25, 22 of them the
    // assembly invite's (assembly-invite/mobilize-participations-assembly.csv).
    for (week, rsvps) in [("2026-W38", 8.0), ("2026-W43", 25.0)] {
        let rows = sandbox.json(&["brief", "--week", week, "--today", TODAY]);
        let result = one_row(
            &rows,
            &[("section", "Results vs goals"), ("metric", "rsvps")],
        );
        assert_eq!(number(&result["this_period"]), rsvps, "{week}");
        let drivers: Vec<_> = rows
            .iter()
            .filter(|r| r["section"] == "What drove them")
            .collect();
        let direct: f64 = drivers.iter().map(|r| number(&r["direct"])).sum();
        assert_eq!(direct, rsvps, "{week}: direct codes split the week's RSVPs");
        let said = format!("of {rsvps} rsvps in {week}");
        assert!(
            drivers
                .iter()
                .all(|r| r["words"].as_str().unwrap().contains(&said)),
            "{drivers:?}"
        );
    }
    // A week with no RSVPs (W36, before the campaign) says so rather than explaining the
    // campaign's.
    let rows = sandbox.json(&["brief", "--week", "2026-W36", "--today", TODAY]);
    assert!(rows.iter().all(|r| r["section"] != "What drove them"));
    let table = sandbox.ok(&["brief", "--week", "2026-W36", "--today", TODAY]);
    assert!(
        table.contains("No result in this period to explain."),
        "{table}"
    );
}

#[test]
fn aggregates_only_hides_small_counts() {
    let sandbox = demo();
    let rows = sandbox.json(&[
        "brief",
        "--week",
        "2026-W41",
        "--aggregates-only",
        "--today",
        TODAY,
    ]);
    // 4 attended in W41 is a small cell: shown as <5.
    let attended = one_row(
        &rows,
        &[("section", "Results vs goals"), ("metric", "attended")],
    );
    assert_eq!(attended["this_period"], "<5");
    let signups = one_row(
        &rows,
        &[("section", "Results vs goals"), ("metric", "signups")],
    );
    assert_eq!(number(&signups["this_period"]), 52.0);
    // No count from 1 to 4 anywhere: not in a cell, not in a sentence, in any section, for a
    // week of few RSVPs (W38: 8) and a quiet one (W43's field numbers).
    for week in ["2026-W38", "2026-W41", "2026-W43"] {
        let rows = sandbox.json(&[
            "brief",
            "--week",
            week,
            "--aggregates-only",
            "--today",
            TODAY,
        ]);
        for row in &rows {
            for (key, value) in row.as_object().unwrap() {
                if let Some(n) = value.as_f64() {
                    let derived = ["target", "percent", "needed_per_week", "recent_per_week"];
                    assert!(
                        !(n > 0.0 && n < 5.0)
                            || derived.contains(&key.as_str()) && n.fract() != 0.0,
                        "{week}: {key} = {n} in {row}"
                    );
                }
                if let Some(text) = value.as_str() {
                    let masked = text.replace("<5", "");
                    for word in masked.split(|c: char| c.is_whitespace() || "()".contains(c)) {
                        let word = word.trim_end_matches([',', ';', '.', ':']);
                        assert!(
                            !matches!(word, "1" | "2" | "3" | "4"),
                            "{week}: '{word}' in {key}: {text}"
                        );
                    }
                }
            }
        }
    }
    // The setting makes it the default.
    sandbox.ok(&["config", "set", "aggregates_only", "true"]);
    let html = sandbox.path("brief.html");
    sandbox.ok(&[
        "brief",
        "--week",
        "2026-W41",
        "--html",
        html.to_str().unwrap(),
        "--today",
        TODAY,
    ]);
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(
        text.contains("Mode: aggregates only"),
        "the footer says which mode made it"
    );
}

/// The HTML is one file: no scripts, no network, no web fonts.
fn check_self_contained(text: &str) {
    for forbidden in [
        "<script",
        "http://",
        "https://",
        "@import",
        "url(",
        "@font-face",
        "<link",
    ] {
        assert!(
            !text.contains(forbidden),
            "the page must not contain {forbidden}"
        );
    }
    assert!(
        text.contains("<svg") && text.contains("<title"),
        "charts with titles"
    );
    assert!(text.contains("<table"), "table fallbacks");
}

fn browser() -> Option<PathBuf> {
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
    })
}

/// Share of pixels that are not (near) white in a PNG screenshot.
fn ink(path: &Path) -> f64 {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buffer[..info.buffer_size()];
    let total = pixels.len() / channels;
    let inked = pixels
        .chunks(channels)
        .filter(|p| p.iter().take(3).any(|v| *v < 200))
        .count();
    inked as f64 / total as f64
}

#[test]
fn the_html_page_renders_in_a_real_browser() {
    let sandbox = demo();
    let html = sandbox.path("brief.html");
    sandbox.ok(&[
        "brief",
        "--week",
        "2026-W41",
        "--html",
        html.to_str().unwrap(),
        "--today",
        TODAY,
    ]);
    let text = std::fs::read_to_string(&html).unwrap();
    check_self_contained(&text);
    assert!(
        text.contains("24 of 40 (60%) · on track"),
        "the rsvps goal bar's label"
    );
    assert!(text.contains("Mode: full detail"));

    let Some(chromium) = browser() else {
        if std::env::var_os("TURNOUT_REQUIRE_BROWSER").is_some() {
            panic!("TURNOUT_REQUIRE_BROWSER is set but no Chromium was found on PATH");
        }
        eprintln!(
            "SKIPPED the browser check: no Chromium on PATH (install the Debian package chromium; .ci/run does)"
        );
        return;
    };
    let url = format!("file://{}", html.display());
    let screenshot = sandbox.path("brief.png");
    let shot = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,2400",
        ])
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&url)
        .output()
        .expect("run chromium");
    assert!(
        screenshot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let share = ink(&screenshot);
    assert!(
        share > 0.02,
        "the screenshot is blank ({share:.4} of pixels inked)"
    );
    let dom = Command::new(&chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(&url)
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("Brief: 2026-W41"), "{dom}");
    assert!(
        dom.contains(r#"data-metric="rsvps">5<"#),
        "W41's RSVPs in the rendered DOM"
    );
    assert!(dom.contains("24 of 40 (60%) · on track"));
    // The weekly unique opens of W41: Mailchimp #9 (1,651) and #10 (2,002).
    assert!(dom.contains(">3,653<"), "W41's unique opens in the chart");

    // On paper, on A4 and on Letter alike: the campaign on one sheet of its own (so no heading is
    // left at the foot of a page), then one for the calendar, warnings and definitions.
    let print = |name: &str, html: String| {
        let page = sandbox.path(&format!("{name}.html"));
        std::fs::write(&page, html).unwrap();
        let pdf = sandbox.path(&format!("{name}.pdf"));
        let printed = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("run chromium");
        let bytes = std::fs::read(&pdf)
            .unwrap_or_else(|_| panic!("no PDF: {}", String::from_utf8_lossy(&printed.stderr)));
        pdf_pages(&bytes)
    };
    for size in ["A4", "letter"] {
        let sized = text.replace("size: auto", &format!("size: {size}"));
        assert_eq!(print(size, sized.clone()), 2, "the brief printed on {size}");
        let campaign_only = sized.replace(
            "section.campaign { break-after: page; }",
            "section.appendix, footer { display: none; }",
        );
        assert_ne!(campaign_only, sized, "the print style names its sections");
        assert_eq!(
            print(&format!("{size}-campaign"), campaign_only),
            1,
            "the campaign alone printed on {size}"
        );
    }
}

/// The page count a PDF's page tree gives (`/Count N` of its root `/Pages`: the largest count).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Count ")
        .filter_map(|(at, key)| {
            let digits: String = text[at + key.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .max()
        .expect("a page tree with a count")
}
