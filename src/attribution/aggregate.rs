//! Aggregate effects, for when only weekly numbers exist: the outcome regressed on each channel's
//! activity carried over a few weeks (geometric adstock, the normalised weighted average of the
//! last weeks with weights alpha^s, as in Google's Meridian), with non-negative effects and
//! block-bootstrap intervals over weeks (95% for all channels together). Too few weeks for the
//! channels is "not enough evidence".

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use rusqlite::{Connection, params};

use crate::dates::week_start;

/// Weeks of carry-over in the adstock.
pub const LAGS: usize = 4;
/// Decays tried when none is given.
pub const DECAYS: [f64; 6] = [0.0, 0.2, 0.4, 0.6, 0.8, 0.9];
const BOOTSTRAP: usize = 800;
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

#[derive(Debug, Clone)]
pub struct ChannelEffect {
    pub channel: String,
    pub unit: String,
    /// Outcome actions per 1,000 units of activity, with its 95% bootstrap interval; none when
    /// the channel's activity hardly changes from week to week (its effect cannot be told apart
    /// from the baseline).
    pub per_thousand: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
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

#[derive(Debug, Clone)]
pub enum Estimate {
    NotEnough {
        weeks: usize,
        needed: usize,
    },
    Effects {
        decay: f64,
        effects: Vec<ChannelEffect>,
    },
}

/// Weeks with a number for the campaign, from its first to its last.
pub fn load(conn: &Connection, campaign_id: i64, outcome: &str) -> Result<Series> {
    let mut stmt = conn.prepare(
        "SELECT metric, channel, period_start, sum(value) FROM fact
         WHERE campaign_id = ?1 GROUP BY 1, 2, 3",
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

/// The normalised weighted average of this and the last `LAGS` weeks, weights decay^s.
pub fn adstock(x: &[f64], decay: f64) -> Vec<f64> {
    (0..x.len())
        .map(|t| {
            let (mut sum, mut weights) = (0.0, 0.0);
            for s in 0..=LAGS.min(t) {
                let w = decay.powi(s as i32);
                sum += w * x[t - s];
                weights += w;
            }
            sum / weights
        })
        .collect()
}

/// Least squares with an unconstrained intercept and non-negative slopes (coordinate descent
/// on centred columns). Returns (intercept, slopes, residual sum of squares).
pub fn nnls(columns: &[Vec<f64>], y: &[f64], rows: &[usize]) -> (f64, Vec<f64>, f64) {
    let n = rows.len() as f64;
    let mean = |v: &[f64]| rows.iter().map(|&r| v[r]).sum::<f64>() / n;
    let y_mean = mean(y);
    let x_means: Vec<f64> = columns.iter().map(|c| mean(c)).collect();
    let norms: Vec<f64> = columns
        .iter()
        .zip(&x_means)
        .map(|(c, m)| rows.iter().map(|&r| (c[r] - m).powi(2)).sum())
        .collect();
    let mut beta = vec![0.0; columns.len()];
    let mut residual: Vec<f64> = rows.iter().map(|&r| y[r] - y_mean).collect();
    for _ in 0..500 {
        let mut moved: f64 = 0.0;
        for (j, column) in columns.iter().enumerate() {
            if norms[j] <= 0.0 {
                continue;
            }
            let gradient: f64 = rows
                .iter()
                .zip(&residual)
                .map(|(&r, e)| (column[r] - x_means[j]) * e)
                .sum();
            let updated = (beta[j] + gradient / norms[j]).max(0.0);
            let delta = updated - beta[j];
            if delta != 0.0 {
                for (k, &r) in rows.iter().enumerate() {
                    residual[k] -= delta * (column[r] - x_means[j]);
                }
                beta[j] = updated;
                moved = moved.max(delta.abs() * norms[j].sqrt());
            }
        }
        if moved < 1e-10 {
            break;
        }
    }
    let intercept = y_mean - beta.iter().zip(&x_means).map(|(b, m)| b * m).sum::<f64>();
    let sse = residual.iter().map(|e| e * e).sum();
    (intercept, beta, sse)
}

/// Estimates each channel's effect, with 95% moving-block bootstrap intervals over weeks.
pub fn estimate(series: &Series, decay: Option<f64>, seed: u64) -> Estimate {
    let weeks = series.weeks.len();
    let needed = 4 * (series.channels.len() + 1) + LAGS;
    if series.channels.is_empty() || weeks < needed {
        return Estimate::NotEnough { weeks, needed };
    }
    let all: Vec<usize> = (0..weeks).collect();
    let varying: Vec<usize> = (0..series.channels.len())
        .filter(|&j| variation(&series.channels[j].2) >= STEADY)
        .collect();
    let fit = |d: f64| {
        let columns: Vec<Vec<f64>> = varying
            .iter()
            .map(|&j| adstock(&series.channels[j].2, d))
            .collect();
        let (_, beta, sse) = nnls(&columns, &series.outcome, &all);
        (columns, beta, sse)
    };
    let decay = decay.unwrap_or_else(|| {
        DECAYS
            .iter()
            .copied()
            .min_by(|a, b| fit(*a).2.total_cmp(&fit(*b).2))
            .unwrap_or(0.0)
    });
    let (columns, beta, _) = fit(decay);
    let mut rng = SplitMix(seed);
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(BOOTSTRAP); beta.len()];
    let blocks = weeks.saturating_sub(BLOCK) + 1;
    for _ in 0..BOOTSTRAP {
        let mut rows = Vec::with_capacity(weeks);
        while rows.len() < weeks {
            let start = (rng.next_f64() * blocks as f64) as usize;
            rows.extend((start..start + BLOCK).take(weeks - rows.len()));
        }
        let (_, b, _) = nnls(&columns, &series.outcome, &rows);
        for (j, value) in b.into_iter().enumerate() {
            draws[j].push(value);
        }
    }
    // Simultaneous 95% intervals (Bonferroni over channels): with several channels, a plain 95%
    // interval per channel would claim some effect by chance too often.
    let tail = 0.025 / varying.len().max(1) as f64;
    let effects = series
        .channels
        .iter()
        .enumerate()
        .map(|(c, (channel, unit, _))| {
            let Some(j) = varying.iter().position(|&v| v == c) else {
                return ChannelEffect {
                    channel: channel.clone(),
                    unit: unit.clone(),
                    per_thousand: None,
                    low: None,
                    high: None,
                };
            };
            let mut d = draws[j].clone();
            d.sort_by(f64::total_cmp);
            let at = |q: f64| d[((q * (d.len() - 1) as f64).round() as usize).min(d.len() - 1)];
            ChannelEffect {
                channel: channel.clone(),
                unit: unit.clone(),
                per_thousand: Some(beta[j] * 1000.0),
                low: Some(at(tail) * 1000.0),
                high: Some(at(1.0 - tail) * 1000.0),
            }
        })
        .collect();
    Estimate::Effects { decay, effects }
}

/// The answer in words.
pub fn verdict(effect: &ChannelEffect, outcome: &str) -> String {
    match (effect.per_thousand, effect.low, effect.high) {
        (Some(estimate), Some(low), Some(high)) if low > 0.0 => format!(
            "raised {outcome} by {estimate:.2} per 1,000 {} ({low:.2} to {high:.2})",
            effect.unit
        ),
        (Some(_), Some(low), Some(high)) => format!(
            "no evidence of an effect ({low:.2} to {high:.2} per 1,000 {})",
            effect.unit
        ),
        _ => format!(
            "not enough evidence: its {} hardly change from week to week",
            effect.unit
        ),
    }
}

/// A small deterministic generator (SplitMix64), so the same data gives the same intervals.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.next_f64().max(1e-300);
        let v = self.next_f64();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simulate(seed: u64, email_effect: f64, weeks: usize) -> Series {
        let mut rng = SplitMix(seed.wrapping_mul(7919).wrapping_add(17));
        let email: Vec<f64> = (0..weeks)
            .map(|_| 2000.0 + 6000.0 * rng.next_f64())
            .collect();
        let sms: Vec<f64> = (0..weeks).map(|_| 3000.0 * rng.next_f64()).collect();
        let carried = adstock(&email, 0.4);
        let outcome = (0..weeks)
            .map(|t| 20.0 + email_effect * carried[t] + 3.0 * rng.normal())
            .collect();
        Series {
            weeks: (0..weeks)
                .map(|w| NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + Duration::weeks(w as i64))
                .collect(),
            outcome,
            channels: vec![
                ("email".into(), "emails sent".into(), email),
                ("sms".into(), "texts sent".into(), sms),
            ],
        }
    }

    #[test]
    fn adstock_is_a_normalised_weighted_average() {
        let x = adstock(&[10.0, 0.0, 0.0], 0.5);
        // Week 2: (0 + 0.5 x 0 + 0.25 x 10) / 1.75.
        assert!((x[2] - 2.5 / 1.75).abs() < 1e-12);
        assert_eq!(x[0], 10.0);
    }

    #[test]
    fn a_planted_effect_is_covered_and_none_is_no_evidence() {
        // 100 seeds of a year of weeks: email adds 4 actions per 1,000 sent, sms nothing.
        let mut covered = 0;
        let mut quiet = 0;
        for seed in 0..100 {
            match estimate(&simulate(seed, 0.004, 52), Some(0.4), seed) {
                Estimate::Effects { effects, .. } => {
                    if effects[0].low.unwrap() <= 4.0 && 4.0 <= effects[0].high.unwrap() {
                        covered += 1;
                    }
                }
                Estimate::NotEnough { .. } => panic!("52 weeks is enough"),
            }
            match estimate(&simulate(seed, 0.0, 52), None, seed) {
                Estimate::Effects { effects, .. } => {
                    if effects
                        .iter()
                        .all(|e| verdict(e, "sign-ups").starts_with("no evidence"))
                    {
                        quiet += 1;
                    }
                }
                Estimate::NotEnough { .. } => panic!("52 weeks is enough"),
            }
        }
        assert!(
            covered >= 90,
            "the interval covered the planted effect in {covered} of 100 seeds"
        );
        assert!(
            quiet >= 90,
            "no evidence in {quiet} of 100 seeds without an effect"
        );
    }

    #[test]
    fn a_steady_channel_is_not_enough_evidence() {
        let mut series = simulate(2, 0.004, 52);
        series.channels[1].2 = vec![1000.0; 52];
        let Estimate::Effects { effects, .. } = estimate(&series, Some(0.4), 2) else {
            panic!()
        };
        assert!(effects[1].per_thousand.is_none());
        assert!(verdict(&effects[1], "sign-ups").starts_with("not enough evidence"));
        assert!(effects[0].per_thousand.is_some());
    }

    #[test]
    fn too_few_weeks_is_not_enough_evidence() {
        assert!(matches!(
            estimate(&simulate(1, 0.004, 8), None, 1),
            Estimate::NotEnough { weeks: 8, .. }
        ));
    }
}
