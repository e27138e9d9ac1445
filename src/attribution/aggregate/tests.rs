//! The weekly model against series with a planted truth: coverage at 26 and 52 weeks, a common
//! trend not credited, channels that move together said to, the chosen decay carried into the
//! intervals.

use super::*;

/// Weekly series: emails vary around 5,000 a week, texts around 1,500; the outcome is a
/// baseline of 20 (rising with `trend` from 1x to 3x over the weeks), plus the planted effects
/// on activity carried over at 0.3, plus noise. `together`: texts follow emails.
struct World {
    weeks: usize,
    email: f64,
    sms: f64,
    trend: bool,
    together: bool,
}

fn simulate(seed: u64, world: &World) -> Series {
    let mut rng = SplitMix(seed.wrapping_mul(7919).wrapping_add(17));
    let n = world.weeks;
    let driver: Vec<f64> = (0..n)
        .map(|t| {
            if world.trend {
                1.0 + 2.0 * (t as f64 / (n - 1) as f64).powi(2)
            } else {
                1.0
            }
        })
        .collect();
    let email: Vec<f64> = (0..n)
        .map(|t| (2000.0 + 6000.0 * rng.next_f64()) * driver[t])
        .collect();
    let sms: Vec<f64> = (0..n)
        .map(|t| {
            if world.together {
                0.3 * email[t] * (1.0 + 0.05 * rng.normal())
            } else {
                3000.0 * rng.next_f64() * driver[t]
            }
        })
        .collect();
    let (e, s) = (adstock(&email, 0.3), adstock(&sms, 0.3));
    let outcome = (0..n)
        .map(|t| rng.poisson(20.0 * driver[t] + world.email * e[t] + world.sms * s[t]))
        .collect();
    Series {
        weeks: (0..n)
            .map(|w| NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + Duration::weeks(w as i64))
            .collect(),
        outcome,
        channels: vec![
            ("email".into(), "emails sent".into(), email),
            ("sms".into(), "texts sent".into(), sms),
        ],
    }
}

fn effects(series: &Series, seed: u64) -> Vec<ChannelEffect> {
    match estimate(series, None, seed) {
        Estimate::Effects { effects, .. } => effects,
        Estimate::NotEnough { .. } => panic!("enough weeks"),
    }
}

fn covers(effect: &ChannelEffect, truth: f64) -> bool {
    effect.low.unwrap() <= truth && truth <= effect.high.unwrap()
}

// Thirty seeds each, to keep the test suite quick; bench/validate.py runs a hundred through the
// command line (VALIDATION.md).

#[test]
fn planted_effects_are_covered_at_26_and_52_weeks() {
    // Email adds 2 actions per 1,000 sent, texts 4 per 1,000.
    for weeks in [26, 52] {
        let world = World {
            weeks,
            email: 0.002,
            sms: 0.004,
            trend: false,
            together: false,
        };
        let (mut email, mut sms) = (0, 0);
        for seed in 0..30 {
            let found = effects(&simulate(seed, &world), seed);
            email += usize::from(covers(&found[0], 2.0));
            sms += usize::from(covers(&found[1], 4.0));
        }
        assert!(
            email >= 27 && sms >= 27,
            "{weeks} weeks: email {email}, sms {sms}"
        );
    }
}

#[test]
fn a_common_trend_is_not_credited() {
    // A vote approaching raises emails, texts and the outcome alike; no channel does anything.
    let world = World {
        weeks: 52,
        email: 0.0,
        sms: 0.0,
        trend: true,
        together: false,
    };
    let mut quiet = 0;
    for seed in 0..30 {
        let found = effects(&simulate(seed, &world), seed);
        quiet += usize::from(
            found
                .iter()
                .all(|e| !verdict(e, "rsvps").contains("moved with rsvps")),
        );
    }
    assert!(quiet >= 27, "no credit in {quiet} of 30");
}

#[test]
fn channels_that_move_together_are_said_to() {
    let world = World {
        weeks: 52,
        email: 0.002,
        sms: 0.004,
        trend: false,
        together: true,
    };
    let mut warned = 0;
    for seed in 0..30 {
        let found = effects(&simulate(seed, &world), seed);
        warned += usize::from(
            matches!(found[0].status, Status::Together { .. })
                && found.iter().any(|e| e.channel == "email + sms"),
        );
    }
    assert!(warned >= 27, "warned in {warned} of 30");
    let found = effects(&simulate(1, &world), 1);
    assert!(verdict(&found[0], "rsvps").starts_with("moved together with sms (correlation 0.9"));
}

#[test]
fn a_chosen_decay_widens_the_interval_it_is_uncertain_about() {
    // The same weeks, with the carry-over fixed at the one the data chose, and chosen again
    // in every bootstrap sample: the second interval carries that choice, so it is wider,
    // in total and for most series.
    let world = World {
        weeks: 26,
        email: 0.002,
        sms: 0.004,
        trend: false,
        together: false,
    };
    let (mut wider, mut chosen_total, mut fixed_total) = (0, 0.0, 0.0);
    for seed in 0..20 {
        let series = simulate(seed, &world);
        let Estimate::Effects { decay, effects, .. } = estimate(&series, None, seed) else {
            panic!("enough weeks")
        };
        let Estimate::Effects { effects: fixed, .. } = estimate(&series, Some(decay), seed) else {
            panic!("enough weeks")
        };
        let width = |e: &ChannelEffect| e.high.unwrap() - e.low.unwrap();
        chosen_total += width(&effects[0]);
        fixed_total += width(&fixed[0]);
        wider += usize::from(width(&effects[0]) > width(&fixed[0]));
    }
    assert!(
        chosen_total > fixed_total,
        "{chosen_total} against {fixed_total}"
    );
    assert!(wider >= 12, "wider in {wider} of 20");
}

#[test]
fn a_steady_channel_is_not_enough_evidence() {
    let world = World {
        weeks: 52,
        email: 0.002,
        sms: 0.0,
        trend: false,
        together: false,
    };
    let mut series = simulate(2, &world);
    series.channels[1].2 = vec![1000.0; 52];
    let found = effects(&series, 2);
    assert!(found[1].per_thousand.is_none());
    assert!(verdict(&found[1], "sign-ups").starts_with("not enough evidence"));
    assert!(found[0].per_thousand.is_some());
}

#[test]
fn too_few_weeks_is_not_enough_evidence() {
    let world = World {
        weeks: 8,
        email: 0.002,
        sms: 0.0,
        trend: false,
        together: false,
    };
    assert!(matches!(
        estimate(&simulate(1, &world), None, 1),
        Estimate::NotEnough { weeks: 8, .. }
    ));
}

#[test]
fn the_words_never_say_raised() {
    let effect = ChannelEffect {
        channel: "email".into(),
        unit: "emails sent".into(),
        per_thousand: Some(2.5),
        low: Some(0.4),
        high: Some(4.6),
        status: Status::Estimated,
    };
    assert_eq!(
        verdict(&effect, "rsvps"),
        "moved with rsvps: about 2.50 more per 1,000 emails sent (0.40 to 4.60); an association over time, not a cause"
    );
}
