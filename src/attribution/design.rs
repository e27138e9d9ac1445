//! Which people a lift compares, and over what time. A drawn experiment gives both groups as the
//! draw assigned them. A holdout file made elsewhere needs the people the effort was sent to: a
//! send list, the sends the exports record per person, or the experiment that drew this holdout.
//! When the exports know only who opened or clicked, the lift is refused: comparing openers with
//! a holdout credits the email with its openers' enthusiasm.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use rusqlite::Connection;

use super::groups::{self, EffortRecord, Unit};
use super::lift::{LiftResult, analyse};
use crate::experiment::audience::Recognise;
use crate::experiment::{self, Experiment};
use crate::people::Hasher;
use crate::people::IdHash;

/// How the two groups are known.
pub enum Design<'a> {
    /// A draw recorded by `turnout holdout draw`.
    Experiment(&'a str),
    /// A holdout file, and optionally the list the effort was sent to.
    HoldoutFile {
        holdout: &'a Path,
        sent: Option<&'a Path>,
    },
}

pub struct LiftRequest<'a> {
    pub campaign_id: i64,
    pub design: Design<'a>,
    pub effort_id: Option<i64>,
    /// The metrics that count as acting.
    pub metrics: Vec<String>,
    /// Where the window starts when there is no effort: a day in the organization's zone.
    pub from: Option<NaiveDate>,
    /// Seconds.
    pub window: i64,
    pub hasher: &'a Hasher,
    pub country: &'a str,
    /// Which columns of a holdout or send list hold the people, when an import profile knows it.
    pub recognise: Recognise<'a>,
    pub tz: Tz,
}

/// Where the sent group came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentGroup {
    /// Everyone the draw assigned to be sent.
    Assigned,
    /// The people of the send list.
    SendList,
    /// The people the exports record as sent the effort.
    RecordedSends,
}

/// A lift with what it compared.
pub struct Lift {
    pub result: LiftResult,
    pub experiment: Option<Experiment>,
    pub sent_group: SentGroup,
    /// The window, unix seconds, and what its start is.
    pub start: i64,
    pub end: i64,
    pub start_basis: String,
    /// Held-out people the effort reached anyway (recorded as sent or opened, or on the send list).
    pub held_out_but_sent: usize,
}

/// Measures a lift.
pub fn measure(conn: &Connection, request: &LiftRequest) -> Result<Lift> {
    let effort = match request.effort_id {
        Some(id) => Some(EffortRecord::load(conn, id)?),
        None => None,
    };
    let (units, experiment, sent_group, listed_both) = match request.design {
        Design::Experiment(name) => {
            let experiment = experiment::get(conn, name)?;
            if let Some(owner) = experiment.campaign_id
                && owner != request.campaign_id
            {
                bail!(
                    "experiment '{}' was drawn for campaign {}; run the lift for that campaign",
                    experiment.name,
                    experiment.campaign.as_deref().unwrap_or("?")
                );
            }
            let units = experiment_units(conn, &experiment)?;
            (units, Some(experiment), SentGroup::Assigned, 0)
        }
        Design::HoldoutFile { holdout, sent } => {
            let effort = effort.as_ref().context("a holdout file needs --effort")?;
            holdout_units(conn, request, holdout, sent, effort)?
        }
    };
    let held: usize = units.iter().filter(|u| u.held_out).count();
    if held == 0 {
        bail!("nobody is left in the held-out group, so there is nothing to compare with");
    }
    if held == units.len() {
        bail!("nobody is in the sent group, so there is nothing to compare");
    }
    let (start, start_basis) = window_start(conn, request, experiment.as_ref())?;
    let end = start + request.window;
    let counts = groups::count(
        conn,
        &units,
        request.campaign_id,
        &request.metrics,
        (start, end),
        effort.as_ref(),
    )?;
    let held_out_but_sent = listed_both
        + units
            .iter()
            .filter(|u| u.held_out)
            .filter(|u| {
                effort.as_ref().is_some_and(|e| {
                    u.persons
                        .iter()
                        .any(|p| e.sent.contains(p) || e.opened.contains(p))
                })
            })
            .count();
    let share = experiment.as_ref().map(|e| e.share);
    Ok(Lift {
        result: analyse(counts, share, effort.as_ref()),
        experiment,
        sent_group,
        start,
        end,
        start_basis,
        held_out_but_sent,
    })
}

fn experiment_units(conn: &Connection, experiment: &Experiment) -> Result<Vec<Unit>> {
    let members: Vec<(bool, Vec<IdHash>)> = experiment::members(conn, experiment.id)?
        .into_iter()
        .map(|m| (m.held_out, m.hashes))
        .collect();
    groups::units_from_hashes(conn, &members)
}

type Groups = (Vec<Unit>, Option<Experiment>, SentGroup, usize);

fn holdout_units(
    conn: &Connection,
    request: &LiftRequest,
    holdout: &Path,
    sent: Option<&Path>,
    effort: &EffortRecord,
) -> Result<Groups> {
    let held_people =
        experiment::read_people(holdout, request.hasher, request.country, request.recognise)?;
    let held_hashes: HashSet<&IdHash> = held_people.iter().flatten().collect();
    let tagged: Vec<(bool, Vec<IdHash>)> = held_people.iter().map(|h| (true, h.clone())).collect();
    let held = groups::merge_by_person(groups::units_from_hashes(conn, &tagged)?);
    if let Some(path) = sent {
        let sent_people: Vec<(bool, Vec<IdHash>)> =
            experiment::read_people(path, request.hasher, request.country, request.recognise)?
                .into_iter()
                .map(|h| (false, h))
                .collect();
        let sent = groups::merge_by_person(groups::units_from_hashes(conn, &sent_people)?);
        let (units, both) = groups::with_send_list(held, sent);
        return Ok((units, None, SentGroup::SendList, both));
    }
    if effort.knows_who_was_sent() {
        let units = groups::with_recorded_sends(held, effort);
        return Ok((units, None, SentGroup::RecordedSends, 0));
    }
    // The experiment whose held-out group these people are.
    for experiment in experiment::list(conn)? {
        let members = experiment::members(conn, experiment.id)?;
        let matched = members
            .iter()
            .filter(|m| m.held_out && m.hashes.iter().any(|h| held_hashes.contains(h)))
            .count();
        if matched * 2 > held_people.len() {
            let units = experiment_units(conn, &experiment)?;
            return Ok((units, Some(experiment), SentGroup::Assigned, 0));
        }
    }
    if !effort.opened.is_empty() {
        bail!(
            "turnout knows who opened or clicked this effort, but not who it was sent to, so it will not \
             compare it with the holdout: comparing openers with the holdout credits the email with its \
             openers' enthusiasm (the people who open are the people who act anyway). Give the list it was \
             sent to with --sent FILE (the file uploaded to the tool as its audience, or the tool's \"sent to\" \
             export), or draw the next holdout with turnout holdout draw and measure it with --experiment NAME"
        );
    }
    bail!(
        "nobody is recorded as sent this effort; give the list it was sent to with --sent FILE, or import \
         its per-person export (e.g. Spoke messages) first"
    )
}

fn window_start(
    conn: &Connection,
    request: &LiftRequest,
    experiment: Option<&Experiment>,
) -> Result<(i64, String)> {
    if let Some(effort) = request.effort_id {
        return match groups::effort_start(conn, effort)? {
            Some((at, basis)) => Ok((at, basis.to_string())),
            None => bail!(
                "the effort has no send time and no touches, so the window has no start; import its export first"
            ),
        };
    }
    if let Some(day) = request.from {
        let midnight = day.and_hms_opt(0, 0, 0).expect("midnight");
        let at = request
            .tz
            .from_local_datetime(&midnight)
            .earliest()
            .map_or(midnight.and_utc().timestamp(), |t| t.timestamp());
        return Ok((at, format!("--from {day}")));
    }
    let experiment = experiment.context("give --effort or --from to start the window")?;
    let at = chrono::DateTime::parse_from_rfc3339(&experiment.drawn_at)
        .with_context(|| format!("the draw time {} cannot be read", experiment.drawn_at))?
        .timestamp();
    Ok((at, "the draw".to_string()))
}
