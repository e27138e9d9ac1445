//! The words and tables of a lift, shared by `turnout lift` and the demo: the two groups, the
//! intention-to-treat difference with what it could detect, and the notes that say what was
//! compared, over what time, and what to check (reach, sample ratio, held-out people sent anyway,
//! actions that reached no campaign, a window not over yet).

use chrono::TimeZone;
use chrono_tz::Tz;

use crate::attribution::design::{Lift, SentGroup};
use crate::attribution::lift;
use crate::output::{Cell, Column, Report, Section};

/// What a lift report is about.
pub struct LiftContext<'a> {
    /// The campaign's name and slug.
    pub campaign: (&'a str, &'a str),
    /// The effort's id, or the experiment's name.
    pub subject: &'a str,
    /// The effort's label, when there is an effort.
    pub label: Option<&'a str>,
    /// The outcome's name, or "actions" for every result that is an action.
    pub outcome: &'a str,
    pub named_outcome: bool,
    /// The window as the user wrote it ("14d").
    pub window: &'a str,
    pub tz: Tz,
    /// The end of today, unix seconds: a window ending later is not over.
    pub end_of_today: i64,
}

/// The whole `turnout lift` report.
pub fn report(lift: &Lift, context: &LiftContext) -> Report {
    let (name, slug) = context.campaign;
    let mut report = Report::new(format!(
        "Lift of {} on {}: {name} ({slug})",
        context.label.unwrap_or(context.subject),
        context.outcome
    ));
    report.context.push(design_line(lift, context.subject));
    report.context.push(counted_line(
        lift,
        context.named_outcome,
        slug,
        context.window,
        context.tz,
    ));
    report.sections.push(groups_section(lift));
    report.sections.push(lift_section(
        lift,
        context.subject,
        context.label,
        context.outcome,
    ));
    report.footnotes = footnotes(lift, slug, context.end_of_today, context.tz);
    report
}

/// The end of a day in a zone, as unix seconds.
pub fn end_of_day(day: chrono::NaiveDate, tz: Tz) -> i64 {
    let next = day
        .succ_opt()
        .unwrap_or(day)
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    tz.from_local_datetime(&next)
        .earliest()
        .map_or(i64::MAX, |t| t.timestamp())
}

pub fn points(x: f64) -> String {
    format!("{:.1}", x * 100.0)
}

fn local(at: i64, tz: Tz) -> String {
    tz.timestamp_opt(at, 0).single().map_or_else(
        || at.to_string(),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    )
}

fn design_line(lift: &Lift, subject: &str) -> String {
    let (sent, held) = (lift.result.counts.sent, lift.result.counts.held);
    match (lift.sent_group, &lift.experiment) {
        (SentGroup::Assigned, Some(e)) => format!(
            "Intention to treat: everyone experiment {} assigned ({} to send, {} held out; {:.0}% held out at random on {}), whether or not they opened.",
            e.name,
            sent.people,
            held.people,
            e.share * 100.0,
            &e.drawn_at[..10.min(e.drawn_at.len())]
        ),
        (SentGroup::SendList, _) => format!(
            "Everyone on the send list ({}) against everyone in the holdout file ({}), whether or not they opened. A cause only if the holdout was drawn at random.",
            sent.people, held.people
        ),
        _ => format!(
            "Everyone the exports record as sent {subject} ({}) against everyone in the holdout file ({}), whether or not they opened. A cause only if the holdout was drawn at random.",
            sent.people, held.people
        ),
    }
}

fn counted_line(lift: &Lift, named: bool, slug: &str, window: &str, tz: Tz) -> String {
    let what = if named {
        lift.result
            .counts
            .metrics_seen
            .first()
            .cloned()
            .unwrap_or_else(|| "the outcome".into())
    } else {
        let seen = &lift.result.counts.metrics_seen;
        format!(
            "any result that is an action ({}; cancellations and no-shows never count)",
            if seen.is_empty() {
                "none recorded in the window".to_string()
            } else {
                format!("seen: {}", seen.join(", "))
            }
        )
    };
    format!(
        "Counted: people with {what} linked to {slug}, from {} ({}) to {} ({window} later).",
        local(lift.start, tz),
        lift.start_basis,
        local(lift.end, tz),
    )
}

fn groups_section(lift: &Lift) -> Section {
    let mut section = Section::new(
        "Groups",
        vec![
            Column::new("group", "Group"),
            Column::new("people", "People"),
            Column::new("acted", "Acted"),
            Column::new("rate", "Rate"),
        ],
    );
    let d = lift.result.difference;
    let counts = &lift.result.counts;
    for (name, group, rate) in [
        ("sent", counts.sent, d.rate_sent),
        ("held out", counts.held, d.rate_held),
    ] {
        section.push(vec![
            Cell::text(name),
            Cell::Int(group.people as i64),
            Cell::Int(group.acted as i64),
            Cell::Percent(rate * 100.0),
        ]);
    }
    section
}

pub fn lift_section(lift: &Lift, subject: &str, label: Option<&str>, outcome: &str) -> Section {
    let r = &lift.result;
    let d = r.difference;
    let mut section = Section::new(
        "Lift",
        vec![
            Column::tools_only("effort", "Effort"),
            Column::new("label", "Effort"),
            Column::new("difference", "Difference (points)"),
            Column::new("low", "95% low"),
            Column::new("high", "95% high"),
            Column::new("mde_points", "Detectable (points)"),
            Column::new("verdict", "In words"),
            Column::tools_only("cace", "Effect on those reached (points)"),
            Column::tools_only("cace_low", "Reached: 95% low"),
            Column::tools_only("cace_high", "Reached: 95% high"),
            Column::tools_only("reach", "Reach of the sent group (%)"),
            Column::tools_only("reach_basis", "Reach: by"),
            Column::tools_only("sample_ratio_p", "Sample ratio p"),
            Column::tools_only("counted", "Metrics counted"),
        ],
    );
    let points = |x: f64| Cell::Number(x * 100.0);
    let opt = |x: Option<f64>| x.map_or(Cell::Missing("-"), points);
    section.push(vec![
        Cell::text(subject),
        Cell::text(label.unwrap_or(subject)),
        points(d.difference),
        points(d.low),
        points(d.high),
        opt(r.mde),
        Cell::text(lift::verdict(&d, outcome, r.mde)),
        opt(r.cace.map(|c| c.estimate)),
        opt(r.cace.map(|c| c.low)),
        opt(r.cace.map(|c| c.high)),
        opt(r.reach.map(|reach| reach.sent_rate)),
        Cell::opt_text(r.reach.map(|reach| reach.basis), "-"),
        Cell::opt_number(r.sample_ratio.map(|s| s.p), "-"),
        Cell::text(r.counts.metrics_seen.join(", ")),
    ]);
    section
}

fn footnotes(lift: &Lift, slug: &str, end_of_today: i64, tz: Tz) -> Vec<String> {
    let r = &lift.result;
    let mut notes = Vec::new();
    if let (Some(cace), Some(reach)) = (r.cace, r.reach) {
        notes.push(format!(
            "Among those reached ({}: {}% of the sent group{}), the effect is {} points ({} to {}): the complier average causal effect, ITT / reach, which assumes the effort did nothing for people it did not reach.",
            reach.basis,
            points(reach.sent_rate),
            if reach.held_rate > 0.0 {
                format!(", {}% of the held out", points(reach.held_rate))
            } else {
                String::new()
            },
            points(cace.estimate),
            points(cace.low),
            points(cace.high)
        ));
    }
    if let Some(ratio) = r.sample_ratio {
        let total = ratio.observed_sent + ratio.observed_unsent;
        if ratio.mismatch() {
            notes.push(format!(
                "Sample ratio mismatch ({}): {:.0} sent and {:.0} not, where a {:.0}% holdout gives about {:.0} and {:.0} (p = {:.1e}, below 0.001). Something broke: the holdout may have been sent to, or the list filtered. The comparison still uses the groups as drawn; check the send before trusting it.",
                ratio.basis,
                ratio.observed_sent,
                ratio.observed_unsent,
                ratio.share * 100.0,
                total * (1.0 - ratio.share),
                total * ratio.share,
                ratio.p
            ));
        } else {
            notes.push(format!(
                "Sample ratio ({}): {:.0} sent and {:.0} not, as a {:.0}% holdout should be (p = {:.2}).",
                ratio.basis,
                ratio.observed_sent,
                ratio.observed_unsent,
                ratio.share * 100.0,
                ratio.p
            ));
        }
    }
    if lift.held_out_but_sent > 0 {
        notes.push(format!(
            "{} held-out people were sent the effort anyway; they stay in the held-out group (that is what was drawn), which makes the difference smaller than the effect.",
            lift.held_out_but_sent
        ));
    }
    let (sent, held) = (r.counts.sent, r.counts.held);
    if sent.unlinked + held.unlinked > 0 {
        notes.push(format!(
            "{} people sent and {} held out took a counted action in the window that reached no campaign, so it is not counted. Link those rows for both groups alike (turnout codes --unmatched, or import them with --campaign {slug}).",
            sent.unlinked, held.unlinked
        ));
    }
    if lift.end > end_of_today {
        notes.push(format!(
            "The window ends {}, after today: actions still to come are not counted yet.",
            local(lift.end, tz)
        ));
    }
    if let Some(mde) = r.mde {
        let pooled = (sent.acted + held.acted) as f64 / (sent.people + held.people) as f64;
        notes.push(format!(
            "Detectable: the smallest true difference these groups show 80% of the time (two-sided 5%), {} points at the rate both groups acted at together ({}%).",
            points(mde),
            points(pooled)
        ));
    }
    notes.push(
        "The interval is Newcombe's hybrid score interval for a difference of proportions (95%). An effect is claimed only when it excludes zero."
            .to_string(),
    );
    notes
}

/// One line per experiment for a campaign's summary (the demo's "What drove the results"): the
/// groups, the difference with its interval, what the groups could detect, and the verdict.
pub fn summary_section(rows: &[(&str, &str, &Lift)], outcome: &str) -> Section {
    let mut section = Section::new(
        "What drove the results",
        vec![
            Column::new("experiment", "Experiment"),
            Column::tools_only("effort", "Effort"),
            Column::new("sent", "Sent: acted"),
            Column::new("held_out", "Held out: acted"),
            Column::tools_only("difference", "Difference (points)"),
            Column::tools_only("low", "95% low"),
            Column::tools_only("high", "95% high"),
            Column::new("mde_points", "Detectable (points)"),
            Column::new("verdict", "In words (points, 95% interval)"),
            Column::tools_only("cace", "Effect on those reached (points)"),
        ],
    )
    .with_empty("No experiment yet: draw one before a send with turnout holdout draw.");
    for (experiment, effort, lift) in rows {
        let r = &lift.result;
        let d = r.difference;
        let group = |g: crate::attribution::groups::GroupCounts, rate: f64| {
            format!("{} of {} ({}%)", g.acted, g.people, points(rate))
        };
        section.push(vec![
            Cell::text(*experiment),
            Cell::text(*effort),
            Cell::text(group(r.counts.sent, d.rate_sent)),
            Cell::text(group(r.counts.held, d.rate_held)),
            Cell::Number(d.difference * 100.0),
            Cell::Number(d.low * 100.0),
            Cell::Number(d.high * 100.0),
            r.mde
                .map_or(Cell::Missing("-"), |m| Cell::Number(m * 100.0)),
            Cell::text(lift::verdict(&d, outcome, r.mde)),
            r.cace
                .map_or(Cell::Missing("-"), |c| Cell::Number(c.estimate * 100.0)),
        ]);
    }
    section
}
