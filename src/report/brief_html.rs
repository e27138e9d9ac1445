//! The brief as one self-contained HTML page: inline CSS and SVG charts, no JavaScript, no network
//! requests, no web fonts. Every chart has a title, axis labels and a table with the same numbers,
//! and nothing is told by colour alone (bars carry their numbers, verdicts are words, the pace
//! marker is dashed). Colours are dark enough on white to pass WCAG AA.

use std::fmt::Write as _;

use super::brief::{
    Brief, CampaignBrief, WEEKLY_MILESTONES, driver_words, mask_small_counts, small,
};
use crate::output::plain_number;

const INK: &str = "#1a1a1a";
const BLUE: &str = "#1f4e79"; // 8.6:1 on white
const ORANGE: &str = "#a33c00"; // 6.0:1 on white
const GREY: &str = "#595959"; // 7.0:1 on white

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn num(value: f64, aggregates_only: bool) -> String {
    small(value, aggregates_only).map_or_else(|| group(value), str::to_string)
}

/// 1530 -> "1,530".
fn group(value: f64) -> String {
    let text = plain_number(value);
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let negative = int.starts_with('-');
    let digits: Vec<char> = int.trim_start_matches('-').chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*c);
    }
    format!(
        "{}{out}{}",
        if negative { "-" } else { "" },
        frac.map(|f| format!(".{f}")).unwrap_or_default()
    )
}

const CSS: &str = "
:root { color: #1a1a1a; background: #ffffff; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
       margin: 2rem auto; max-width: 58rem; padding: 0 1rem; line-height: 1.45; font-size: 16px; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid #1f4e79; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
.context { color: #595959; margin: 0; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .95rem; }
th, td { border: 1px solid #bfbfbf; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: .5rem 0 1rem; }
figcaption { font-weight: 600; margin-bottom: .25rem; }
details summary { cursor: pointer; color: #1f4e79; }
.verdict { font-weight: 600; }
.empty { color: #595959; font-style: italic; }
footer { margin-top: 2rem; border-top: 1px solid #bfbfbf; padding-top: .5rem; color: #595959; font-size: .9rem; }
svg text { font-family: inherit; }
svg { max-width: 100%; height: auto; }
.pair { display: flex; gap: 1rem; }
.pair > * { flex: 1 1 0; min-width: 0; }
.pair > table { flex: 0 0 auto; }
@media screen and (max-width: 40rem) { .pair { display: block; } }
/* On paper: one sheet per campaign, then one for the calendar, warnings and definitions.
   The charts carry their numbers, so the tables behind each \"Table\" stay on screen. */
@media print {
  @page { size: auto; margin: 12mm; }
  body { margin: 0; max-width: none; font-size: 9pt; line-height: 1.3; }
  h1 { font-size: 15pt; }
  h2 { font-size: 12pt; margin-top: .8rem; }
  h3 { font-size: 10pt; margin: .6rem 0 .2rem; }
  h1, h2, h3, figcaption { break-after: avoid; }
  figure, table, li { break-inside: avoid; }
  figure { margin: .2rem 0 .4rem; }
  table { font-size: 8.5pt; margin: .2rem 0 .4rem; }
  details { display: none; }
  section.campaign { break-after: page; }
  section.appendix ul { columns: 2; column-gap: 1.5rem; margin: .2rem 0; padding-left: 1rem; }
  section.appendix li { font-size: 7.5pt; }
  footer { margin-top: .8rem; font-size: 8pt; }
}
";

pub fn render(brief: &Brief, title: &str, context_line: &str) -> String {
    let mut h = String::new();
    let a = brief.aggregates_only;
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n<p class=\"context\">{}</p>\n<p class=\"context\">{} to {} (end exclusive); goals as of {}</p>\n</header>\n",
        esc(title),
        esc(title),
        esc(context_line),
        brief.begin,
        brief.end,
        brief.as_of
    );
    if brief.campaigns.is_empty() {
        h.push_str("<p class=\"empty\">No data yet: no campaigns.</p>\n");
    }
    for c in &brief.campaigns {
        h.push_str("<section class=\"campaign\">\n");
        campaign(&mut h, c, a, &brief.period_label);
        h.push_str("</section>\n");
    }
    h.push_str("<section class=\"appendix\">\n");
    // The calendar.
    h.push_str("<h2 id=\"calendar\">Next two weeks</h2>\n");
    if brief.upcoming.is_empty() {
        h.push_str("<p class=\"empty\">No data yet: nothing planned for the next two weeks.</p>\n");
    } else {
        h.push_str("<table><thead><tr><th>Day</th><th>Time</th><th>Channel</th><th>Audience</th><th>Title</th><th>Goal</th><th>Status</th></tr></thead><tbody>\n");
        for (item, status) in &brief.upcoming {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                item.day,
                item.time
                    .map(|t| t.format("%H:%M").to_string())
                    .unwrap_or_default(),
                esc(&item.channel),
                esc(&item.audience),
                esc(&item.title),
                esc(item.goal.as_deref().unwrap_or("-")),
                status.as_str()
            );
        }
        h.push_str("</tbody></table>\n");
    }
    matrix(&mut h, brief);
    // Warnings.
    h.push_str("<h2 id=\"warnings\">Warnings</h2>\n");
    if brief.calendar_warnings.is_empty() && brief.data_warnings.is_empty() {
        h.push_str("<p class=\"empty\">No warnings.</p>\n");
    } else {
        h.push_str("<ul>\n");
        let mask = |text: &str| mask_small_counts(text, brief.aggregates_only);
        for w in &brief.calendar_warnings {
            let _ = writeln!(
                h,
                "<li><strong>Calendar: {}</strong> {}: {}. <em>Fix:</em> {}</li>",
                esc(w.check),
                esc(&mask(&w.subject)),
                esc(&mask(&w.detail)),
                esc(&mask(&w.fix))
            );
        }
        for w in &brief.data_warnings {
            let _ = writeln!(
                h,
                "<li><strong>Data: {}</strong> {}: {}. <em>Fix:</em> {}</li>",
                esc(w.check),
                esc(&mask(&w.subject)),
                esc(&mask(&w.detail)),
                esc(&mask(&w.fix))
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<h2 id=\"definitions\">Definitions</h2>\n<ul>\n");
    for note in super::brief::footnotes(brief) {
        let _ = writeln!(h, "<li>{}</li>", esc(&note));
    }
    h.push_str("</ul>\n</section>\n");
    let _ = write!(
        h,
        "<footer>Made by turnout {} · {} · Mode: {}</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(context_line),
        if a {
            "aggregates only (no person-level rows; counts below 5 shown as &lt;5)"
        } else {
            "full detail (small counts shown as they are)"
        }
    );
    h
}

fn campaign(h: &mut String, c: &CampaignBrief, a: bool, period: &str) {
    let _ = writeln!(
        h,
        "<h2>{} <span class=\"context\">({})</span></h2>",
        esc(&c.campaign.name),
        esc(&c.campaign.slug)
    );
    // Results vs goals.
    h.push_str("<h3>Results vs goals</h3>\n");
    if c.goals.is_empty() && c.results.is_empty() {
        h.push_str("<p class=\"empty\">No data yet: no results or goals.</p>\n");
    }
    h.push_str("<div class=\"pair\">\n");
    if !c.goals.is_empty() {
        let row = 46;
        let height = 30 + row * c.goals.len();
        let _ = write!(
            h,
            "<figure><figcaption>Goal progress and pace</figcaption>\n<svg role=\"img\" aria-labelledby=\"g-{s}\" width=\"760\" height=\"{height}\" viewBox=\"0 0 760 {height}\">\n<title id=\"g-{s}\">Each goal: done so far against its target; the dashed line is where an even pace would be by {}</title>\n<text x=\"200\" y=\"16\" font-size=\"12\" fill=\"{GREY}\">0%</text><text x=\"560\" y=\"16\" font-size=\"12\" fill=\"{GREY}\" text-anchor=\"end\">100% of target</text>\n",
            c.goals
                .first()
                .map(|p| p.goal.by.to_string())
                .unwrap_or_default(),
            s = esc(&c.campaign.slug)
        );
        for (i, p) in c.goals.iter().enumerate() {
            let y = 26 + i * row;
            let width = 360.0;
            let done = (p.done / p.goal.target).clamp(0.0, 1.0) * width;
            let span = (p.goal.by - p.goal.from).num_days().max(1) as f64;
            let elapsed =
                ((p.goal.by - p.goal.from).num_days() - p.days_left).clamp(0, span as i64) as f64;
            let pace = (elapsed / span).clamp(0.0, 1.0) * width;
            let _ = write!(
                h,
                "<text x=\"0\" y=\"{ty}\" font-size=\"14\" fill=\"{INK}\">{metric}</text>\n<rect x=\"200\" y=\"{y}\" width=\"{width}\" height=\"22\" fill=\"#ffffff\" stroke=\"{GREY}\"/>\n<rect x=\"200\" y=\"{y}\" width=\"{done:.1}\" height=\"22\" fill=\"{BLUE}\"/>\n<line x1=\"{px:.1}\" y1=\"{py1}\" x2=\"{px:.1}\" y2=\"{py2}\" stroke=\"{ORANGE}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>\n<text x=\"570\" y=\"{ty}\" font-size=\"13\" fill=\"{INK}\">{done_n} of {target} ({percent:.0}%) · {verdict}</text>\n",
                ty = y + 16,
                metric = esc(&p.goal.metric),
                px = 200.0 + pace,
                py1 = y - 3,
                py2 = y + 25,
                done_n = num(p.done, a),
                target = group(p.goal.target),
                percent = p.percent,
                verdict = p.verdict.as_str(),
            );
        }
        h.push_str("</svg>\n<details><summary>Table</summary>\n<table><thead><tr><th>Result</th><th>Target</th><th>Done</th><th>%</th><th>By</th><th>Need/wk</th><th>Recent/wk</th><th>Verdict</th></tr></thead><tbody>\n");
        for p in &c.goals {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}%</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"verdict\">{}</td></tr>",
                esc(&p.goal.metric),
                group(p.goal.target),
                num(p.done, a),
                p.percent,
                p.goal.by,
                p.needed_per_week.map_or("-".to_string(), group),
                p.recent_per_week.map_or("-".to_string(), group),
                p.verdict.as_str()
            );
        }
        h.push_str("</tbody></table></details></figure>\n");
    }
    if !c.results.is_empty() {
        h.push_str(
            "<table><thead><tr><th>Result this period</th><th>Count</th></tr></thead><tbody>\n",
        );
        for (metric, value) in &c.results {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\" data-metric=\"{}\">{}</td></tr>",
                esc(metric),
                esc(metric),
                num(*value, a)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</div>\n");

    // What drove them, beside the funnel.
    h.push_str("<div class=\"pair\">\n<div>\n<h3>What drove them</h3>\n");
    match (&c.outcome, c.drivers.is_empty()) {
        (Some(outcome), false) => {
            let max = c
                .drivers
                .iter()
                .map(|d| d.high.max(d.direct))
                .fold(1.0, f64::max);
            let row = 34;
            let height = 40 + row * c.drivers.len();
            let _ = write!(
                h,
                "<figure><figcaption>{} in {period} ({} in all): credit by channel, lowest to highest across the rules that share it; the diamond marks direct codes</figcaption>\n<svg role=\"img\" aria-labelledby=\"d-{s}\" width=\"470\" height=\"{height}\" viewBox=\"0 0 470 {height}\">\n<title id=\"d-{s}\">Range of credit across the rules for each channel, with direct codes marked</title>\n<text x=\"130\" y=\"{axis}\" font-size=\"12\" fill=\"{GREY}\">0</text><text x=\"330\" y=\"{axis}\" font-size=\"12\" fill=\"{GREY}\" text-anchor=\"end\">{} {}</text>\n",
                esc(outcome),
                num(c.actions as f64, a),
                num(max, a),
                esc(outcome),
                s = esc(&c.campaign.slug),
                axis = height - 6,
            );
            for (i, d) in c.drivers.iter().enumerate() {
                let y = 16 + i * row;
                let scale = |v: f64| 130.0 + v / max * 200.0;
                let _ = write!(
                    h,
                    "<text x=\"0\" y=\"{ty}\" font-size=\"14\" fill=\"{INK}\">{key}</text>\n<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"{BLUE}\" opacity=\"0.85\"/>\n<path d=\"M {dx:.1} {dy1} l 6 8 l -6 8 l -6 -8 z\" fill=\"{ORANGE}\"/>\n<text x=\"340\" y=\"{ty}\" font-size=\"13\" fill=\"{INK}\">{low} to {high} · direct {direct}</text>\n",
                    ty = y + 13,
                    key = esc(&d.key),
                    x = scale(d.low),
                    w = (scale(d.high) - scale(d.low)).max(2.0),
                    dx = scale(d.direct),
                    dy1 = y,
                    low = num(d.low, a),
                    high = num(d.high, a),
                    direct = num(d.direct, a),
                );
            }
            h.push_str("</svg>\n<ul>\n");
            for d in &c.drivers {
                let _ = writeln!(
                    h,
                    "<li>{}</li>",
                    esc(&driver_words(d, outcome, c.actions, period, a))
                );
            }
            h.push_str("</ul>\n</figure>\n");
        }
        _ => h.push_str(
            "<p class=\"empty\">No data yet: no result has touches or codes to attribute.</p>\n",
        ),
    }

    h.push_str("</div>\n");
    // The funnel.
    if c.funnel.iter().any(|s| s.count > 0.0) {
        let first = c
            .funnel
            .iter()
            .map(|s| s.count)
            .fold(0.0, f64::max)
            .max(1.0);
        let row = 30;
        let height = 10 + row * c.funnel.len();
        let _ = write!(
            h,
            "<figure><figcaption>Funnel, campaign to date (in brackets: % of the step before)</figcaption>\n<svg role=\"img\" aria-labelledby=\"f-{s}\" width=\"470\" height=\"{height}\" viewBox=\"0 0 470 {height}\">\n<title id=\"f-{s}\">From messages sent to people acting: each step's count, bar length on a square-root scale so small steps stay visible</title>\n",
            s = esc(&c.campaign.slug)
        );
        for (i, step) in c.funnel.iter().enumerate() {
            let y = 6 + i * row;
            let width = (step.count / first).sqrt() * 220.0;
            let _ = write!(
                h,
                "<text x=\"0\" y=\"{ty}\" font-size=\"14\" fill=\"{INK}\">{name}</text>\n<rect x=\"110\" y=\"{y}\" width=\"{width:.1}\" height=\"20\" fill=\"{BLUE}\"/>\n<text x=\"{tx:.1}\" y=\"{ty}\" font-size=\"13\" fill=\"{INK}\">{count}{rate}</text>\n",
                ty = y + 15,
                name = esc(&step.metric),
                tx = 118.0 + width,
                count = num(step.count, a),
                rate = step
                    .step_rate
                    .map(|r| format!(" ({r:.1}%)"))
                    .unwrap_or_default(),
            );
        }
        h.push_str("</svg>\n</figure>\n");
    }
    h.push_str("</div>\n");

    // Milestones beside results, week by week.
    h.push_str("<h3>Milestones beside results, week by week</h3>\n");
    let outcome = c.outcome.clone().unwrap_or_else(|| "rsvps".to_string());
    let series = |metric: &str| -> Vec<f64> {
        c.weeks
            .iter()
            .map(|w| w.values.get(metric).copied().unwrap_or(0.0))
            .collect()
    };
    let opens = series("unique_opens");
    let results = series(&outcome);
    if opens.iter().chain(&results).all(|v| *v == 0.0) {
        h.push_str("<p class=\"empty\">No data yet: nothing in these weeks.</p>\n");
    } else {
        h.push_str("<div class=\"pair\">\n");
        for (label, values, colour, dash) in [
            ("unique_opens", &opens, BLUE, ""),
            (
                outcome.as_str(),
                &results,
                ORANGE,
                " stroke-dasharray=\"6 3\"",
            ),
        ] {
            line_chart(
                h,
                &c.campaign.slug,
                label,
                values,
                &c.weeks.iter().map(|w| w.label.clone()).collect::<Vec<_>>(),
                colour,
                dash,
                a,
            );
        }
        h.push_str("</div>\n");
    }
    h.push_str("<details><summary>Table</summary>\n<table><thead><tr><th>Week</th>");
    for m in WEEKLY_MILESTONES {
        let _ = write!(h, "<th>{}</th>", esc(m));
    }
    let _ = writeln!(h, "<th>{}</th></tr></thead><tbody>", esc(&outcome));
    for w in &c.weeks {
        let _ = write!(h, "<tr><td>{}</td>", esc(&w.label));
        for m in WEEKLY_MILESTONES {
            let _ = write!(
                h,
                "<td class=\"n\">{}</td>",
                num(w.values.get(*m).copied().unwrap_or(0.0), a)
            );
        }
        let _ = writeln!(
            h,
            "<td class=\"n\">{}</td></tr>",
            num(w.values.get(&outcome).copied().unwrap_or(0.0), a)
        );
    }
    h.push_str("</tbody></table></details>\n");
}

#[allow(clippy::too_many_arguments)]
fn line_chart(
    h: &mut String,
    slug: &str,
    metric: &str,
    values: &[f64],
    labels: &[String],
    colour: &str,
    dash: &str,
    a: bool,
) {
    let max = values.iter().copied().fold(0.0, f64::max).max(1.0);
    let (left, top, width, height) = (44.0, 20.0, 400.0, 120.0);
    let step = if values.len() > 1 {
        width / (values.len() - 1) as f64
    } else {
        width
    };
    let point = |i: usize, v: f64| (left + i as f64 * step, top + height - v / max * height);
    let path: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (x, y) = point(i, *v);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(
        h,
        "<figure><figcaption>{metric} per week</figcaption>\n<svg role=\"img\" aria-labelledby=\"l-{s}-{m}\" width=\"470\" height=\"190\" viewBox=\"0 0 470 190\">\n<title id=\"l-{s}-{m}\">{metric} per ISO week</title>\n<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"{GREY}\"/>\n<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{bottom}\" stroke=\"{GREY}\"/>\n<text x=\"{lx}\" y=\"{ty}\" font-size=\"12\" fill=\"{GREY}\" text-anchor=\"end\">{maxl}</text>\n<text x=\"{lx}\" y=\"{bottom}\" font-size=\"12\" fill=\"{GREY}\" text-anchor=\"end\">0</text>\n<text x=\"12\" y=\"90\" font-size=\"12\" fill=\"{GREY}\" transform=\"rotate(-90 12 90)\" text-anchor=\"middle\">{metric}</text>\n<polyline points=\"{points}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"3\"{dash}/>\n",
        metric = esc(metric),
        s = esc(slug),
        m = esc(metric),
        bottom = top + height,
        right = left + width,
        lx = left - 6.0,
        ty = top + 4.0,
        maxl = num(max, a),
        points = path.join(" "),
    );
    for (i, v) in values.iter().enumerate() {
        let (x, y) = point(i, *v);
        let _ = write!(
            h,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{colour}\"/>\n<text x=\"{x:.1}\" y=\"{ly:.1}\" font-size=\"11\" fill=\"{INK}\" text-anchor=\"middle\">{value}</text>\n<text x=\"{x:.1}\" y=\"{wy}\" font-size=\"11\" fill=\"{GREY}\" text-anchor=\"middle\">{week}</text>\n",
            ly = y - 8.0,
            value = num(*v, a),
            wy = top + height + 18.0,
            week = esc(labels[i]
                .split_once('-')
                .map_or(labels[i].as_str(), |(_, w)| w)),
        );
    }
    let _ = writeln!(
        h,
        "<text x=\"{}\" y=\"186\" font-size=\"12\" fill=\"{GREY}\" text-anchor=\"middle\">ISO week</text>\n</svg>\n</figure>",
        left + width / 2.0
    );
}

fn matrix(h: &mut String, brief: &Brief) {
    h.push_str("<h2 id=\"matrix\">Audiences and channels</h2>\n");
    if brief.matrix.is_empty() {
        h.push_str("<p class=\"empty\">No data yet: nothing planned or sent in this period and the next two weeks.</p>\n");
        return;
    }
    let mut audiences: Vec<&String> = brief.matrix.keys().map(|(a, _)| a).collect();
    audiences.dedup();
    let mut channels: Vec<&String> = brief.matrix.keys().map(|(_, c)| c).collect();
    channels.sort();
    channels.dedup();
    let max = brief
        .matrix
        .values()
        .map(|(p, s)| (*p).max(*s))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let (cw, rh) = (110.0, 34.0);
    let width = 160.0 + cw * channels.len() as f64;
    let height = 30.0 + rh * audiences.len() as f64;
    let _ = write!(
        h,
        "<figure><figcaption>Items planned / sent, by audience and channel (darker: more)</figcaption>\n<svg role=\"img\" aria-labelledby=\"m-grid\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n<title id=\"m-grid\">Heat grid of audiences by channels; each cell shows items planned / sends that went out</title>\n"
    );
    for (j, channel) in channels.iter().enumerate() {
        let _ = writeln!(
            h,
            "<text x=\"{:.1}\" y=\"18\" font-size=\"13\" fill=\"{INK}\" text-anchor=\"middle\">{}</text>",
            160.0 + cw * j as f64 + cw / 2.0,
            esc(channel)
        );
    }
    for (i, audience) in audiences.iter().enumerate() {
        let y = 26.0 + rh * i as f64;
        let _ = writeln!(
            h,
            "<text x=\"0\" y=\"{:.1}\" font-size=\"13\" fill=\"{INK}\">{}</text>",
            y + 20.0,
            esc(audience)
        );
        for (j, channel) in channels.iter().enumerate() {
            let (planned, sent) = brief
                .matrix
                .get(&((*audience).clone(), (*channel).clone()))
                .copied()
                .unwrap_or((0, 0));
            let level = planned.max(sent) as f64 / max;
            // Light cells take dark text, dark cells white text: contrast either way.
            let (fill, text) = if level > 0.55 {
                (BLUE, "#ffffff")
            } else if level > 0.0 {
                ("#c9d9ec", INK)
            } else {
                ("#ffffff", GREY)
            };
            let x = 160.0 + cw * j as f64;
            let _ = write!(
                h,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"#bfbfbf\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"{text}\" text-anchor=\"middle\">{planned} / {sent}</text>\n",
                cw - 4.0,
                rh - 4.0,
                x + (cw - 4.0) / 2.0,
                y + 20.0,
            );
        }
    }
    h.push_str("</svg>\n<details><summary>Table</summary>\n<table><thead><tr><th>Audience</th><th>Channel</th><th>Planned</th><th>Sent</th></tr></thead><tbody>\n");
    for ((audience, channel), (planned, sent)) in &brief.matrix {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{planned}</td><td class=\"n\">{sent}</td></tr>",
            esc(audience),
            esc(channel)
        );
    }
    h.push_str("</tbody></table></details></figure>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_text_escaped() {
        assert_eq!(group(1530.0), "1,530");
        assert_eq!(group(1234567.5), "1,234,567.5");
        assert_eq!(group(-340.0), "-340");
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(num(3.0, true), "<5");
        assert_eq!(num(3.0, false), "3");
    }
}
