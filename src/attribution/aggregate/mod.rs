//! The weekly model, for when only weekly numbers exist: the outcome regressed on each channel's
//! activity carried over a few weeks (geometric adstock, the normalised weighted average of the
//! last weeks with weights alpha^s, as in Google's Meridian), on top of a baseline that can move
//! (a trend with knots, as Meridian's time knots and Robyn's trend term, fitted to the outcome's
//! own course), by least squares, with moving-block bootstrap intervals over weeks (95% for all
//! estimates together, each sample choosing its own trend and carry-over). A channel that only
//! moved with the trend, or that moved together with another, is said to be so rather than
//! credited. It shows association over time, not cause. Too few weeks for the channels is "not
//! enough evidence".

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use rusqlite::{Connection, params};

pub use super::regression::{LAGS, adstock};
use super::regression::{Residualizer, baseline, correlation, explained_by, ols};
use crate::dates::week_start;
pub use crate::stats::SplitMix;

/// Decays tried when none is given.
pub const DECAYS: [f64; 6] = [0.0, 0.2, 0.4, 0.6, 0.8, 0.9];
const BOOTSTRAP: usize = 400;
const BLOCK: usize = 4;

/// What counts as a channel's activity in a week, and what its effect is per 1,000 of.
pub const ACTIVITY: &[(&str, &str, &str)] = &[
    ("email", "sent", "emails sent"),
    ("sms", "sent", "texts sent"),
    ("social", "impressions", "impressions"),
    ("ads", "impressions", "ad impressions"),
    ("web", "sessions", "web sessions"),
];

/// Weekly series: the outcome, and each channel's activity.
#[derive(Debug, Clone)]
pub struct Series {
    pub weeks: Vec<NaiveDate>,
    pub outcome: Vec<f64>,
    /// (channel, unit, activity per week)
    pub channels: Vec<(String, String, Vec<f64>)>,
}

/// Below this coefficient of variation, a channel's weekly activity is too steady to estimate.
const STEADY: f64 = 0.05;

fn variation(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return 0.0;
    }
    (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt() / mean
}

/// Weeks with a number for the campaign, from its first to its last.
pub fn load(conn: &Connection, campaign_id: i64, outcome: &str) -> Result<Series> {
    let mut stmt = conn.prepare(
        // A number that covers more than its week (a snapshot's total since the start) is no
        // week's number.
        "SELECT metric, channel, period_start, sum(value) FROM fact
         WHERE campaign_id = ?1 AND in_one_week GROUP BY 1, 2, 3",
    )?;
    let rows: Vec<(String, Option<String>, String, f64)> = stmt
        .query_map(params![campaign_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let days: Vec<NaiveDate> = rows
        .iter()
        .filter_map(|r| NaiveDate::parse_from_str(&r.2, "%Y-%m-%d").ok())
        .collect();
    let (Some(first), Some(last)) = (days.iter().min(), days.iter().max()) else {
        return Ok(Series {
            weeks: Vec::new(),
            outcome: Vec::new(),
            channels: Vec::new(),
        });
    };
    let mut weeks = Vec::new();
    let mut week = week_start(*first);
    while week <= *last {
        weeks.push(week);
        week += Duration::weeks(1);
    }
    let index = |day: &str| {
        NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .ok()
            .and_then(|d| weeks.iter().position(|w| *w == week_start(d)))
    };
    let mut outcome_series = vec![0.0; weeks.len()];
    let mut channels: Vec<(String, String, Vec<f64>)> = Vec::new();
    for (metric, channel, day, value) in &rows {
        let Some(i) = index(day) else { continue };
        if metric == outcome {
            outcome_series[i] += value;
        }
        if let Some(channel) = channel
            && let Some((_, _, unit)) = ACTIVITY
                .iter()
                .find(|(c, m, _)| c == channel && m == metric)
        {
            let position = match channels.iter().position(|(c, _, _)| c == channel) {
                Some(p) => p,
                None => {
                    channels.push((channel.clone(), unit.to_string(), vec![0.0; weeks.len()]));
                    channels.len() - 1
                }
            };
            channels[position].2[i] += value;
        }
    }
    channels.retain(|(_, _, x)| x.iter().any(|v| *v > 0.0));
    Ok(Series {
        weeks,
        outcome: outcome_series,
        channels,
    })
}

/// How a channel's effect could be estimated.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// On its own.
    Estimated,
    /// Its activity hardly changes from week to week.
    Steady,
    /// Its carried-over activity has nearly the baseline's shape: this share of its variation.
    WithTrend { explained: f64 },
    /// It moved together with other channels (correlation above 0.8, or a variance inflation
    /// above 5, once the baseline is out): only their combined effect is estimated.
    Together { with: Vec<String>, correlation: f64 },
    /// The combined effect of channels that moved together.
    Combined { members: Vec<String> },
}

#[derive(Debug, Clone)]
pub struct ChannelEffect {
    pub channel: String,
    pub unit: String,
    /// Outcome actions per 1,000 units of activity (negative when they fell as it rose), with its
    /// 95% bootstrap interval (for all the estimates together); none when the effect cannot be
    /// estimated (see `status`).
    pub per_thousand: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub status: Status,
}

#[derive(Debug, Clone)]
pub enum Estimate {
    NotEnough {
        weeks: usize,
        needed: usize,
    },
    Effects {
        /// The carry-over chosen on all the weeks (each bootstrap sample chooses its own).
        decay: f64,
        /// Knots of the baseline's trend, chosen by the data (0: a straight line).
        knots: usize,
        effects: Vec<ChannelEffect>,
    },
}

/// From this share of its variation explained by the trend, a channel cannot be told apart.
const WITH_TREND: f64 = 0.9;
/// Channels whose carried-over activity correlates above this (baseline out) moved together.
const TOGETHER: f64 = 0.8;
/// ... or whose variance inflation is above this.
const INFLATION: f64 = 5.0;

/// What the model fits: one regressor per channel, or per group of channels that moved
/// together (the sum of their carried-over activity), on top of the baseline.
struct Design<'a> {
    series: &'a Series,
    groups: Vec<Vec<usize>>,
}

impl Design<'_> {
    fn regressors(&self, decay: f64) -> Vec<Vec<f64>> {
        self.groups
            .iter()
            .map(|group| {
                let mut sum = vec![0.0; self.series.weeks.len()];
                for &c in group {
                    let carried = adstock(&self.series.channels[c].2, decay);
                    sum.iter_mut().zip(carried).for_each(|(s, v)| *s += v);
                }
                sum
            })
            .collect()
    }

    /// The fit at one decay over the residualizer's rows: slopes and residual sum of squares.
    fn fit(&self, residualizer: &Residualizer, decay: f64) -> (Vec<f64>, f64) {
        let columns: Vec<Vec<f64>> = self
            .regressors(decay)
            .iter()
            .map(|x| residualizer.residuals(x))
            .collect();
        ols(&columns, &residualizer.residuals(&self.series.outcome))
    }

    /// The decay (given, or the best of the grid) and its fit.
    fn best(&self, residualizer: &Residualizer, decay: Option<f64>) -> (f64, Vec<f64>, f64) {
        let candidates: Vec<f64> = match decay {
            Some(d) => vec![d],
            None => DECAYS.to_vec(),
        };
        candidates
            .into_iter()
            .map(|d| {
                let (beta, sse) = self.fit(residualizer, d);
                (d, beta, sse)
            })
            .min_by(|a, b| a.2.total_cmp(&b.2))
            .expect("at least one decay")
    }
}

/// The knots of the baseline's trend over some rows: the number that describes the outcome's own
/// course over the weeks best by Akaike's criterion, fitted on the outcome alone (as Robyn fits
/// its trend before the channels). With the channels in, a channel that rose with a common driver
/// would take the curve's place, and the driver would be credited to it.
fn trend_over(series: &Series, rows: &[usize]) -> Residualizer {
    let weeks = series.weeks.len();
    (0..=(weeks / 8).min(5))
        .map(|knots| Residualizer::new(&baseline(weeks, knots), rows))
        .min_by(|a, b| {
            let aic = |r: &Residualizer| {
                let sse: f64 = r.residuals(&series.outcome).iter().map(|e| e * e).sum();
                let n = rows.len() as f64;
                n * (sse.max(1e-12) / n).ln() + 2.0 * r.rank() as f64
            };
            aic(a).total_cmp(&aic(b))
        })
        .expect("at least a straight line")
}

/// Estimates each channel's association with the outcome over the weeks, on top of a baseline
/// that can move (a trend with knots chosen by the data, so a common driver is not credited to
/// the channel that rose with it), with 95% moving-block bootstrap intervals in which every
/// sample chooses its own trend and carry-over. Slopes are plain least squares, free to be
/// negative: forcing them to be positive made the intervals claim associations that are not
/// there (the bootstrap does not hold at such a boundary).
pub fn estimate(series: &Series, decay: Option<f64>, seed: u64) -> Estimate {
    let weeks = series.weeks.len();
    let needed = 4 * (series.channels.len() + 2) + LAGS;
    if series.channels.is_empty() || weeks < needed {
        return Estimate::NotEnough { weeks, needed };
    }
    let all: Vec<usize> = (0..weeks).collect();
    let mut status: Vec<Status> = series
        .channels
        .iter()
        .map(|(_, _, x)| {
            if variation(x) < STEADY {
                Status::Steady
            } else {
                Status::Estimated
            }
        })
        .collect();
    let live = |status: &[Status]| -> Vec<usize> {
        (0..status.len())
            .filter(|&c| status[c] == Status::Estimated)
            .collect()
    };
    let singles = |status: &[Status]| live(status).into_iter().map(|c| vec![c]).collect();
    let residualizer = trend_over(series, &all);
    let knots = residualizer.rank().saturating_sub(2);
    let carried = |c: usize, decay: f64| adstock(&series.channels[c].2, decay);
    let first_decay = Design {
        series,
        groups: singles(&status),
    }
    .best(&residualizer, decay)
    .0;
    // A channel whose carried-over activity has nearly the trend's shape cannot be told apart.
    for c in live(&status) {
        let explained = explained_by(&residualizer, &carried(c, first_decay));
        if explained >= WITH_TREND {
            status[c] = Status::WithTrend { explained };
        }
    }
    let groups = together(
        &live(&status)
            .into_iter()
            .map(|c| (c, residualizer.residuals(&carried(c, first_decay))))
            .collect::<Vec<_>>(),
    );
    for group in groups.iter().filter(|g| g.len() > 1) {
        for &c in group {
            let others: Vec<usize> = group.iter().copied().filter(|&o| o != c).collect();
            let correlation = others
                .iter()
                .map(|&o| {
                    correlation(
                        &residualizer.residuals(&carried(c, first_decay)),
                        &residualizer.residuals(&carried(o, first_decay)),
                    )
                    .abs()
                })
                .fold(0.0, f64::max);
            status[c] = Status::Together {
                with: others
                    .iter()
                    .map(|&o| series.channels[o].0.clone())
                    .collect(),
                correlation,
            };
        }
    }
    let design = Design { series, groups };
    let (decay_chosen, beta, _) = design.best(&residualizer, decay);
    let draws = bootstrap(&design, decay, seed, beta.len());
    // Simultaneous 95% intervals (Bonferroni over the estimates): with several, a plain 95%
    // interval each would claim some association by chance too often.
    let tail = 0.025 / beta.len().max(1) as f64;
    let interval = |j: usize| {
        let mut d = draws[j].clone();
        d.sort_by(f64::total_cmp);
        let at = |q: f64| d[((q * (d.len() - 1) as f64).round() as usize).min(d.len() - 1)];
        (
            Some(beta[j] * 1000.0),
            Some(at(tail) * 1000.0),
            Some(at(1.0 - tail) * 1000.0),
        )
    };
    let mut effects: Vec<ChannelEffect> = Vec::new();
    for (c, (channel, unit, _)) in series.channels.iter().enumerate() {
        let alone = design.groups.iter().position(|g| g.as_slice() == [c]);
        let (per_thousand, low, high) = match (&status[c], alone) {
            (Status::Estimated, Some(j)) => interval(j),
            _ => (None, None, None),
        };
        effects.push(ChannelEffect {
            channel: channel.clone(),
            unit: unit.clone(),
            per_thousand,
            low,
            high,
            status: status[c].clone(),
        });
    }
    for (j, group) in design.groups.iter().enumerate() {
        if group.len() < 2 {
            continue;
        }
        let names: Vec<String> = group
            .iter()
            .map(|&c| series.channels[c].0.clone())
            .collect();
        let units: Vec<&str> = group
            .iter()
            .map(|&c| series.channels[c].1.as_str())
            .collect();
        let (per_thousand, low, high) = interval(j);
        effects.push(ChannelEffect {
            channel: names.join(" + "),
            unit: units.join(" + "),
            per_thousand,
            low,
            high,
            status: Status::Combined { members: names },
        });
    }
    Estimate::Effects {
        decay: decay_chosen,
        knots,
        effects,
    }
}

/// Moving-block bootstrap over weeks: the slopes of each sample, every sample choosing its own
/// trend and carry-over again, so the intervals carry those choices too.
fn bootstrap(design: &Design, decay: Option<f64>, seed: u64, slopes: usize) -> Vec<Vec<f64>> {
    let weeks = design.series.weeks.len();
    let mut rng = SplitMix(seed);
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(BOOTSTRAP); slopes];
    let blocks = weeks.saturating_sub(BLOCK) + 1;
    for _ in 0..BOOTSTRAP {
        let mut rows = Vec::with_capacity(weeks);
        while rows.len() < weeks {
            let start = (rng.next_f64() * blocks as f64) as usize;
            rows.extend((start..start + BLOCK).take(weeks - rows.len()));
        }
        let (_, b, _) = design.best(&trend_over(design.series, &rows), decay);
        for (j, value) in b.into_iter().enumerate() {
            draws[j].push(value);
        }
    }
    draws
}

/// Groups of channels (index, carried-over activity with the baseline out) that moved together:
/// a correlation above 0.8 between two, or a variance inflation above 5 for one (which is then
/// grouped with the channel it follows most closely).
fn together(channels: &[(usize, Vec<f64>)]) -> Vec<Vec<usize>> {
    let n = channels.len();
    let mut group_of: Vec<usize> = (0..n).collect();
    let join = |group_of: &mut Vec<usize>, a: usize, b: usize| {
        let (from, to) = (group_of[b], group_of[a]);
        group_of
            .iter_mut()
            .filter(|g| **g == from)
            .for_each(|g| *g = to);
    };
    let r = |a: usize, b: usize| correlation(&channels[a].1, &channels[b].1).abs();
    for a in 0..n {
        for b in a + 1..n {
            if r(a, b) > TOGETHER {
                join(&mut group_of, a, b);
            }
        }
    }
    for a in 0..n {
        let others: Vec<usize> = (0..n).filter(|&b| b != a).collect();
        if others.len() < 2 || inflation(channels, a, &others) <= INFLATION {
            continue;
        }
        if let Some(&b) = others.iter().max_by(|&&x, &&y| r(a, x).total_cmp(&r(a, y))) {
            join(&mut group_of, a, b);
        }
    }
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, (c, _)) in channels.iter().enumerate() {
        match groups.iter_mut().find(|(g, _)| *g == group_of[i]) {
            Some((_, members)) => members.push(*c),
            None => groups.push((group_of[i], vec![*c])),
        }
    }
    groups.into_iter().map(|(_, members)| members).collect()
}

/// 1 / (1 - R^2) of one channel's series regressed on the others' (all with the baseline out).
fn inflation(channels: &[(usize, Vec<f64>)], of: usize, on: &[usize]) -> f64 {
    let columns: Vec<Vec<f64>> = on.iter().map(|&o| channels[o].1.clone()).collect();
    let rows: Vec<usize> = (0..channels[of].1.len()).collect();
    let r = Residualizer::new(&columns, &rows);
    let total: f64 = channels[of].1.iter().map(|v| v * v).sum();
    if total <= 0.0 {
        return 1.0;
    }
    let left: f64 = r.residuals(&channels[of].1).iter().map(|v| v * v).sum();
    1.0 / (left / total).max(1e-12)
}

/// The answer in words: an association over time, never a cause.
pub fn verdict(effect: &ChannelEffect, outcome: &str) -> String {
    let (it, prefix) = match effect.status {
        Status::Combined { .. } => ("them together", "together, "),
        _ => ("it", ""),
    };
    match (&effect.status, effect.per_thousand, effect.low, effect.high) {
        (Status::Steady, ..) => format!(
            "not enough evidence: its {} hardly change from week to week",
            effect.unit
        ),
        (Status::WithTrend { explained }, ..) => format!(
            "moved with the trend: its {} rose and fell with the baseline ({:.0}% of their variation), so its part cannot be told apart from it",
            effect.unit,
            explained * 100.0
        ),
        (Status::Together { with, correlation }, ..) => format!(
            "moved together with {} (correlation {correlation:.2}, the trend taken out): they cannot be told apart, so only their combined effect is estimated",
            with.join(" and ")
        ),
        (_, Some(estimate), Some(low), Some(high)) if low > 0.0 => format!(
            "{prefix}moved with {outcome}: about {estimate:.2} more per 1,000 {} ({low:.2} to {high:.2}); an association over time, not a cause",
            effect.unit
        ),
        (_, Some(estimate), Some(low), Some(high)) if high < 0.0 => format!(
            "{prefix}moved against {outcome}: about {:.2} fewer per 1,000 {} ({low:.2} to {high:.2}); an association over time, not a cause",
            -estimate, effect.unit
        ),
        (_, Some(_), Some(low), Some(high)) => format!(
            "no evidence that {outcome} moved with {it} ({low:.2} to {high:.2} per 1,000 {})",
            effect.unit
        ),
        _ => "not enough evidence".to_string(),
    }
}

#[cfg(test)]
mod tests;
