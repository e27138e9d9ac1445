//! Progress and pace against a goal, as of a given day.
//!
//! Definitions (stated in every report that shows them):
//! - done to date: the sum of the goal's metric for its campaign, dated from the goal's start
//!   through the earlier of today and the deadline (both inclusive);
//! - needed per week: what is left, spread over the days from tomorrow to the deadline;
//! - recent per week: the average of the last four complete ISO weeks before this one (fewer if
//!   the goal is younger; the days so far if it started this week), counting only numbers that
//!   belong to one week: for a snapshot export, the window starts after its first snapshot (whose
//!   total counts since the start), and with nothing after it the pace is the average since the
//!   goal began;
//! - verdict: `met` once done reaches the target; `no data` with nothing recorded yet; `missed`
//!   after a deadline that was not met; else `on track` when the recent pace would reach the target
//!   by the deadline, `behind` when it would not.

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use rusqlite::Connection;

use super::{Counted, last_total_since_start, sum_metric};
use crate::dates::week_start;
use crate::goals::Goal;

/// The footnote every progress table carries, so nobody has to guess what the columns mean.
pub const PACE_DEFINITIONS: &str = "Done counts the goal's metric from its start through today (or the deadline). \
Need/wk spreads what is left over the days to the deadline. Recent/wk averages the last four complete ISO weeks \
(for a snapshot export, the increases since its first snapshot; with one snapshot, the average since the goal began). \
On track means the recent pace reaches the target by the deadline.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    OnTrack,
    Behind,
    Met,
    Missed,
    NoData,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::OnTrack => "on track",
            Verdict::Behind => "behind",
            Verdict::Met => "met",
            Verdict::Missed => "missed",
            Verdict::NoData => "no data",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Progress {
    pub goal: Goal,
    /// The day the progress is as of: every report says it, so two reports of one goal on one
    /// day give one verdict.
    pub as_of: NaiveDate,
    pub done: f64,
    /// done / target × 100.
    pub percent: f64,
    /// Days after today up to and including the deadline (0 once it is today or past).
    pub days_left: i64,
    pub needed_per_week: Option<f64>,
    pub recent_per_week: Option<f64>,
    pub verdict: Verdict,
}

pub fn progress(conn: &Connection, goal: &Goal, today: NaiveDate) -> Result<Progress> {
    let counted_through = today.min(goal.by);
    let (done, rows) = if counted_through < goal.from {
        (0.0, 0)
    } else {
        sum_metric(
            conn,
            goal.campaign_id,
            &goal.metric,
            (goal.from, counted_through + Duration::days(1)),
            Counted::All,
        )?
    };
    let days_left = (goal.by - today).num_days().max(0);
    let remaining = (goal.target - done).max(0.0);
    let needed_per_week = if remaining == 0.0 {
        Some(0.0)
    } else if today > goal.by {
        None
    } else {
        Some(remaining / days_left.max(1) as f64 * 7.0)
    };
    let recent_per_week = recent_rate(conn, goal, today)?;
    let verdict = if done >= goal.target {
        Verdict::Met
    } else if rows == 0 {
        Verdict::NoData
    } else if today > goal.by {
        Verdict::Missed
    } else {
        let pace = recent_per_week.unwrap_or(0.0);
        if done + pace * days_left as f64 / 7.0 >= goal.target {
            Verdict::OnTrack
        } else {
            Verdict::Behind
        }
    };
    Ok(Progress {
        goal: goal.clone(),
        as_of: today,
        done,
        percent: done / goal.target * 100.0,
        days_left,
        needed_per_week,
        recent_per_week,
        verdict,
    })
}

/// Average per week over the last four complete weeks before this one, inside the goal's span.
/// Only numbers that belong to one week count: a snapshot's total since the start is not a
/// week's pace, so the window starts after it (the increases of later snapshots are the pace);
/// with nothing after it, the pace is the average since the goal began.
fn recent_rate(conn: &Connection, goal: &Goal, today: NaiveDate) -> Result<Option<f64>> {
    if today < goal.from {
        return Ok(None);
    }
    let this_monday = week_start(today);
    let window_end = this_monday.min(goal.by + Duration::days(1));
    let window_begin = goal.from.max(this_monday - Duration::weeks(4));
    let (mut begin, end) = if window_end > window_begin {
        (window_begin, window_end)
    } else {
        // The goal started this week: use the days so far.
        (goal.from, today.min(goal.by) + Duration::days(1))
    };
    if let Some(day) = last_total_since_start(conn, goal.campaign_id, &goal.metric, end)? {
        begin = begin.max(day + Duration::days(1));
        if begin >= end {
            let through = today.min(goal.by) + Duration::days(1);
            let days = (through - goal.from).num_days();
            let (done, _) = sum_metric(
                conn,
                goal.campaign_id,
                &goal.metric,
                (goal.from, through),
                Counted::All,
            )?;
            return Ok((days > 0).then(|| done / days as f64 * 7.0));
        }
    }
    let days = (end - begin).num_days();
    if days <= 0 {
        return Ok(None);
    }
    let (sum, _) = sum_metric(
        conn,
        goal.campaign_id,
        &goal.metric,
        (begin, end),
        Counted::WeekByWeek,
    )?;
    Ok(Some(sum / days as f64 * 7.0))
}
