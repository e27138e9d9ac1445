//! `turnout lift`: an effort's real effect, from a holdout group deliberately not sent it.

use anyhow::{Context as _, Result, bail};

use super::Context;
use crate::attribution::{self, lift};
use crate::campaigns;
use crate::cli::LiftArgs;
use crate::error::UsageError;
use crate::output::{Cell, Column, Report, Section};
use crate::people::{Hasher, IdKind, normalize_email, normalize_phone};
use crate::report::funnel::find_effort;
use crate::store::settings;

pub fn run(context: &Context, args: LiftArgs) -> Result<()> {
    let window = attribution::parse_duration(&args.window)
        .map_err(|e| UsageError(format!("--window: {e:#}")))?;
    let store = context.open()?;
    let conn = store.conn();
    let campaign = campaigns::get(conn, &args.campaign)?;
    let effort = find_effort(conn, &campaign, &args.effort)?;
    let outcome = match args.outcome.as_deref() {
        Some(name) => Some(
            crate::metrics::Vocabulary::load(conn)?
                .resolve(name)?
                .name
                .clone(),
        ),
        None => None,
    };
    let has_people: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM person)", [], |row| row.get(0))?;
    if !has_people {
        bail!(
            "this database holds no people yet; import the per-person exports of the effort and its results first"
        );
    }
    let hasher = Hasher::open(store.path(), true)?;
    let country = settings::get(conn, "default_country")?;
    let hashes = read_holdout(&args.holdout, &hasher, &country)?;

    let result = lift::measure(
        conn,
        campaign.id,
        effort.id,
        &hashes,
        outcome.as_deref(),
        window,
    )?;
    let d = result.difference;
    let what = outcome.clone().unwrap_or_else(|| "actions".to_string());
    let mut section = Section::new(
        "",
        vec![
            Column::new("group", "Group"),
            Column::new("people", "People"),
            Column::new("acted", "Acted"),
            Column::new("rate", "Rate"),
        ],
    );
    section.push(vec![
        Cell::text("sent"),
        Cell::Int(result.sent as i64),
        Cell::Int(result.acted_sent as i64),
        Cell::Percent(d.rate_sent * 100.0),
    ]);
    section.push(vec![
        Cell::text("held out"),
        Cell::Int(result.held as i64),
        Cell::Int(result.acted_held as i64),
        Cell::Percent(d.rate_held * 100.0),
    ]);
    let mut summary = Section::new(
        "Lift",
        vec![
            Column::new("effort", "Effort"),
            Column::new("difference", "Difference (points)"),
            Column::new("low", "95% low"),
            Column::new("high", "95% high"),
            Column::new("verdict", "In words"),
        ],
    );
    summary.push(vec![
        Cell::text(&effort.external_id),
        Cell::Number(d.difference * 100.0),
        Cell::Number(d.low * 100.0),
        Cell::Number(d.high * 100.0),
        Cell::text(lift::verdict(&d, &what)),
    ]);
    let mut groups = section;
    groups.name = "Groups".to_string();
    let mut report = Report::new(format!(
        "Lift of {} on {what}: {} ({})",
        effort.external_id, campaign.name, campaign.slug
    ));
    report
        .context
        .push(format!("{what} within {} after the send", args.window));
    report.sections.extend([groups, summary]);
    if result.overlap > 0 {
        report.footnotes.push(format!(
            "{} held-out identifier(s) were sent the effort anyway and are left out of both groups.",
            result.overlap
        ));
    }
    report.footnotes.push(
        "The interval is Newcombe's hybrid score interval for a difference of proportions (95%). An effect is claimed only when it excludes zero."
            .to_string(),
    );
    context.print(&report, args.format.format)
}

/// The hashes of the emails and phones in a holdout CSV (a column named like email or phone, or
/// a single column of either).
fn read_holdout(path: &std::path::Path, hasher: &Hasher, country: &str) -> Result<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read the holdout file {}", path.display()))?;
    let header: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let email = header.iter().position(|h| h.contains("email"));
    let phone = header
        .iter()
        .position(|h| h.contains("phone") || h == "cell" || h.contains("mobile"));
    let mut hashes = Vec::new();
    // A file of bare identifiers has one as its "header".
    let mut first = header.clone();
    let bare = email.is_none() && phone.is_none();
    let mut push = |text: &str| {
        if let Some(e) = normalize_email(text) {
            hashes.push(hasher.hash(IdKind::Email, &e));
        } else if let Some(p) = normalize_phone(text, country) {
            hashes.push(hasher.hash(IdKind::Phone, &p));
        }
    };
    if bare {
        for cell in first.drain(..) {
            push(&cell);
        }
    }
    for record in reader.records() {
        let record = record?;
        if bare {
            record.iter().for_each(&mut push);
            continue;
        }
        for column in [email, phone].into_iter().flatten() {
            if let Some(text) = record.get(column) {
                push(text);
            }
        }
    }
    if hashes.is_empty() {
        bail!(
            "{} holds no email address or phone number; give a CSV with an email or phone column",
            path.display()
        );
    }
    Ok(hashes)
}
