//! `turnout demo`: build the demo database from the bundled samples and show where the campaign
//! stands. Uses `--db` if given, else ./turnout-demo.db (never $TURNOUT_DB, so a real database
//! named there is never replaced).

use std::path::PathBuf;

use anyhow::Result;

use super::Context;
use crate::attribution::design::{self, Design, LiftRequest};
use crate::campaigns;
use crate::dates::{parse_date, week_label};
use crate::demo::{self, CAMPAIGN, DEMO_TODAY, Step};
use crate::output::{Cell, Column, Format, Report, Section, plain_number};
use crate::people::Hasher;
use crate::report::funnel::find_effort;
use crate::report::lift::{points, summary_section};
use crate::report::progress::PACE_DEFINITIONS;
use crate::report::sections::{self, goals::progress_section};
use crate::report::totals::{self, TotalsBy, TotalsQuery};

pub fn run(context: &Context, format: Format) -> Result<()> {
    let path = context
        .db_flag
        .clone()
        .unwrap_or_else(|| PathBuf::from(demo::DEFAULT_PATH));
    let today = match context.today_flag {
        Some(today) => today,
        None => parse_date(DEMO_TODAY)?,
    };
    context.note(&format!(
        "Building the demo database {} ...",
        path.display()
    ));
    let store = demo::build(&path, today, &mut |step| {
        match step {
        Step::Created => context.note("  created, time zone America/Los_Angeles"),
        Step::Campaign(slug) => context.note(&format!("  campaign {slug}")),
        Step::Goal(goal) => context.note(&format!(
            "  goal: {} {} by {}",
            plain_number(goal.target),
            goal.metric,
            goal.by
        )),
        Step::Drew(e) => context.note(&format!(
            "  drew experiment {}: {} to send, {} held out at random (seed {}, balanced within each {})",
            e.name,
            e.send,
            e.held_out,
            e.seed,
            e.strata.as_deref().unwrap_or("-")
        )),
        Step::Imported(report) => {
            let c = report.counts;
            context.note(&format!(
                "  imported {} ({}): {} rows read, {} inserted, {} updated, {} unchanged, {} rejected, {} skipped",
                report.file, report.profile, c.rows_read, c.inserted, c.updated, c.unchanged, c.rejected, c.skipped
            ));
        }
        Step::Logged(outcome) => {
            let values: Vec<String> = outcome
                .values
                .iter()
                .map(|v| match v.previous {
                    Some(previous) => format!(
                        "{}={} (corrected from {})",
                        v.metric,
                        plain_number(v.value),
                        plain_number(previous)
                    ),
                    None => format!("{}={}", v.metric, plain_number(v.value)),
                })
                .collect();
            context.note(&format!(
                "  logged by hand for {}: {}",
                week_label(outcome.week),
                values.join(", ")
            ));
        }
    }
    })?;
    let conn = store.conn();
    let campaign = campaigns::get(conn, CAMPAIGN)?;

    let mut report = Report::new(format!("{} ({}): demo", campaign.name, campaign.slug));
    report.context.push(context.report_context(&store, today)?);
    report
        .sections
        .push(progress_section(conn, &[campaign.id], today)?);
    let mut results = Section::new(
        "Totals to date",
        vec![
            Column::new("metric", "Metric"),
            Column::new("family", "Family"),
            Column::new("value", "Value"),
        ],
    );
    let rows = totals::totals(
        conn,
        &TotalsQuery {
            campaign_ids: vec![campaign.id],
            by: None::<TotalsBy>,
            period: crate::dates::Period {
                begin: None,
                end: today.succ_opt(),
            },
            ..TotalsQuery::default()
        },
    )?;
    let vocabulary = crate::metrics::Vocabulary::load(conn)?;
    let tz = crate::store::settings::timezone(conn)?;
    for row in rows {
        let family = vocabulary
            .find(&row.metric)
            .map(|m| m.family.as_str())
            .unwrap_or("");
        results.push(vec![
            Cell::text(row.metric),
            Cell::text(family),
            Cell::Number(row.value),
        ]);
    }
    report.sections.push(results);
    report
        .sections
        .push(what_drove(&store, &campaign, tz, &mut report.footnotes)?);
    report
        .sections
        .push(crate::report::methods::section(conn, campaign.id, "rsvps")?);
    report
        .footnotes
        .push(crate::report::methods::FOOTNOTE.to_string());
    // The publishing plan against what went out, around the town hall.
    let town_hall_week = parse_date("2026-09-21")?;
    let mut week = sections::calendar::week_section(conn, tz, town_hall_week, today, format)?;
    week.name = "Calendar 2026-W39".to_string();
    report.sections.push(week);
    let mut matrix = sections::calendar::matrix_section(conn, tz, None, None, None, today)?;
    matrix.name = "Publishing matrix".to_string();
    report.sections.push(matrix);
    let limits = crate::calendar::CheckLimits {
        quiet_days: 14,
        max_asks: 3,
        per_days: 4,
    };
    report.sections.push(sections::calendar::warnings_section(
        &crate::calendar::plan_warnings(conn, tz, today, &limits)?,
    ));
    report.footnotes.push(PACE_DEFINITIONS.to_string());
    report.footnotes.push(format!(
        "The demo is set on {today}. Explore it with, e.g.: turnout --db {} --today {today} totals --by week",
        path.display()
    ));
    context.print(&report, format)
}

/// The experiment's lift on RSVPs: the one causal answer the demo's data holds.
fn what_drove(
    store: &crate::store::Store,
    campaign: &campaigns::Campaign,
    tz: chrono_tz::Tz,
    footnotes: &mut Vec<String>,
) -> Result<Section> {
    let conn = store.conn();
    let effort = find_effort(conn, campaign, demo::EXPERIMENT_EFFORT)?;
    let lift = design::measure(
        conn,
        &LiftRequest {
            campaign_id: campaign.id,
            design: Design::Experiment(demo::EXPERIMENT),
            effort_id: Some(effort.id),
            metrics: vec!["rsvps".to_string()],
            from: None,
            window: 14 * 86_400,
            hasher: &Hasher::open(store.path(), true)?,
            country: "US",
            recognise: &crate::experiment::audience::by_names,
            tz,
        },
    )?;
    if let Some(cace) = lift.result.cace {
        footnotes.push(format!(
            "What drove the results: the assembly invite was sent to {} members and withheld from {} drawn at random, so the difference in RSVPs within 14 days is its effect (intention to treat). Among those it reached ({}), the effect is {} points: the complier average causal effect. Measure it yourself with: turnout lift {} --experiment {} --effort {} --outcome rsvps",
            lift.result.counts.sent.people,
            lift.result.counts.held.people,
            lift.result.reach.map_or("-", |r| r.basis),
            points(cace.estimate),
            campaign.slug,
            demo::EXPERIMENT,
            demo::EXPERIMENT_EFFORT
        ));
    }
    Ok(summary_section(
        &[(demo::EXPERIMENT, demo::EXPERIMENT_EFFORT, &lift)],
        "rsvps",
    ))
}
