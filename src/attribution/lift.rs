//! Holdout lift: when part of an audience was held out of an effort at random, the difference in
//! action rates between everyone assigned to be sent and everyone held out (intention to treat) is
//! its real effect. The 95% interval of the difference is Newcombe's hybrid score interval
//! (method 10), built from Wilson intervals, which behaves at small counts and rates near zero
//! where the textbook formula does not. `groups` counts the groups; this file works the answer out.

use super::groups::{Counts, EffortRecord};
use crate::experiment::power::{SAMPLE_RATIO_ALERT, minimum_detectable_effect, sample_ratio_p};
pub use crate::stats::{Difference, newcombe, wilson};

/// What each number a lift shows means, for `turnout definitions`: (name, definition, counting).
pub const DEFINITIONS: &[(&str, &str, &str)] = &[
    (
        "lift",
        "The share of people who acted among everyone assigned to be sent, minus the share among everyone held out at random (intention to treat), in points, with Newcombe's 95% interval; an effect is claimed only when the interval excludes zero",
        "people, each once: acted = took a counted result linked to the campaign within the window; never only the openers",
    ),
    (
        "cace",
        "The effect on those the effort reached (complier average causal effect): lift / (share of the sent reached - share of the held out reached), the interval scaled the same way",
        "reached = opened or clicked per person, else recorded as sent, else the tool's unique opens (or deliveries) over the people sent",
    ),
    (
        "mde_points",
        "The smallest true difference the groups show as an effect 80% of the time (two-sided 5%): where the lift's own interval excludes zero that often, summed over every count the groups can have; about (1.96 + 0.84) x sqrt(p(1 - p)(1/sent + 1/held out)) for large groups, more at small counts",
        "p is the rate both groups acted at together (holdout power: the base rate given); the sent group acts at p plus the effect",
    ),
    (
        "sample_ratio_p",
        "The chi-square p-value of the group sizes against the drawn share; below 0.001, the experiment did not run as drawn (the holdout mailed, the list filtered)",
        "the people recorded as sent the effort, else the tool's count of messages sent, else the groups as drawn",
    ),
];

/// The answer in words: an effect only when the whole interval is on one side of zero, and a
/// "no evidence" always says what these groups could have seen (`mde`, the minimum detectable
/// effect; none when nobody acted at all).
pub fn verdict(d: &Difference, outcome: &str, mde: Option<f64>) -> String {
    let points = |x: f64| format!("{:.1}", x * 100.0);
    if d.low > 0.0 {
        format!(
            "raised {outcome} by {} points ({} to {})",
            points(d.difference),
            points(d.low),
            points(d.high)
        )
    } else if d.high < 0.0 {
        format!(
            "lowered {outcome} by {} points ({} to {})",
            points(-d.difference),
            points(d.low),
            points(d.high)
        )
    } else {
        let seen = match mde {
            Some(mde) => format!(
                "with these groups an effect smaller than {} points could not be detected",
                points(mde)
            ),
            None => {
                "nobody in either group acted, so these groups cannot show anything yet".to_string()
            }
        };
        format!(
            "no evidence of an effect ({} to {}); {seen}",
            points(d.low),
            points(d.high)
        )
    }
}

/// How much of a group the effort reached, and by what record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    pub sent_rate: f64,
    pub held_rate: f64,
    pub basis: &'static str,
}

/// The effect on those actually reached (the complier average causal effect, ITT / the
/// difference in reach), with the ITT interval scaled the same way (the reach rate, measured on
/// the whole group, is treated as known).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cace {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// Group sizes against the drawn share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleRatio {
    pub observed_sent: f64,
    pub observed_unsent: f64,
    pub share: f64,
    pub p: f64,
    pub basis: &'static str,
}

impl SampleRatio {
    pub fn mismatch(&self) -> bool {
        self.p < SAMPLE_RATIO_ALERT
    }
}

/// A lift, worked out.
#[derive(Debug, Clone)]
pub struct LiftResult {
    pub counts: Counts,
    pub difference: Difference,
    /// The minimum detectable effect at the rate both groups had together (none when nobody acted).
    pub mde: Option<f64>,
    pub reach: Option<Reach>,
    pub cace: Option<Cace>,
    pub sample_ratio: Option<SampleRatio>,
}

/// Works a lift out from the two groups' counts: the intention-to-treat difference, what it could
/// detect, the effect on those reached when the effort's reach is known, and (when the share was
/// drawn) whether the groups are the size the draw made them.
pub fn analyse(counts: Counts, share: Option<f64>, effort: Option<&EffortRecord>) -> LiftResult {
    let (sent, held) = (counts.sent, counts.held);
    let difference = newcombe(
        sent.acted as f64,
        sent.people as f64,
        held.acted as f64,
        held.people as f64,
    );
    let total = (sent.people + held.people) as f64;
    let pooled = (sent.acted + held.acted) as f64 / total;
    let mde = (pooled > 0.0)
        .then(|| minimum_detectable_effect(pooled, sent.people as f64, held.people as f64))
        .flatten();
    let reach = effort.and_then(|e| reach(&counts, e));
    let cace = reach.and_then(|r| {
        let reached = r.sent_rate - r.held_rate;
        (reached > 0.0).then(|| Cace {
            estimate: difference.difference / reached,
            low: difference.low / reached,
            high: difference.high / reached,
        })
    });
    let sample_ratio = share.map(|share| {
        let (observed_sent, basis) = match effort {
            Some(e) if e.knows_who_was_sent() => (
                (sent.recorded_sent + held.recorded_sent) as f64,
                "by the people recorded as sent the effort",
            ),
            Some(EffortRecord {
                total_sent: Some(s),
                ..
            }) => (*s, "by the tool's count of messages sent"),
            _ => (sent.people as f64, "the groups as drawn"),
        };
        let observed_unsent = (total - observed_sent).max(0.0);
        let p = if observed_sent > total {
            0.0
        } else {
            sample_ratio_p(observed_sent, observed_unsent, share)
        };
        SampleRatio {
            observed_sent,
            observed_unsent,
            share,
            p,
            basis,
        }
    });
    LiftResult {
        counts,
        difference,
        mde,
        reach,
        cace,
        sample_ratio,
    }
}

/// The effort's reach in each group: per person where the exports say who opened or who was
/// sent, else from the tool's own totals (which count only the people sent).
fn reach(counts: &Counts, effort: &EffortRecord) -> Option<Reach> {
    let (sent, held) = (counts.sent, counts.held);
    let rate = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    if !effort.opened.is_empty() {
        return Some(Reach {
            sent_rate: rate(sent.opened, sent.people),
            held_rate: rate(held.opened, held.people),
            basis: "opened or clicked",
        });
    }
    if effort.knows_who_was_sent() {
        return Some(Reach {
            sent_rate: rate(sent.recorded_sent, sent.people),
            held_rate: rate(held.recorded_sent, held.people),
            basis: "recorded as sent or delivered",
        });
    }
    let (total, basis) = match (effort.total_unique_opens, effort.total_delivered) {
        (Some(opens), _) => (opens, "opened, by the tool's count of unique opens"),
        (None, Some(delivered)) => (delivered, "delivered, by the tool's count"),
        (None, None) => return None,
    };
    (sent.people > 0).then(|| Reach {
        sent_rate: (total / sent.people as f64).min(1.0),
        held_rate: 0.0,
        basis,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::attribution::groups::GroupCounts;

    /// A small deterministic generator for simulations (SplitMix64).
    pub(crate) struct Rng(u64);

    impl Rng {
        pub(crate) fn new(seed: u64) -> Rng {
            Rng(seed)
        }
        pub(crate) fn next_f64(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        }
        pub(crate) fn binomial(&mut self, n: usize, p: f64) -> f64 {
            (0..n).filter(|_| self.next_f64() < p).count() as f64
        }
    }

    #[test]
    fn planted_lift_is_covered_and_no_effect_says_no_evidence() {
        // 100 seeds, 3,000 people per group, 4% base rate.
        let (n, base, planted) = (3000, 0.04, 0.02);
        let mut covered = 0;
        let mut no_evidence = 0;
        for seed in 0..100 {
            let mut rng = Rng::new(seed);
            let d = newcombe(
                rng.binomial(n, base + planted),
                n as f64,
                rng.binomial(n, base),
                n as f64,
            );
            if d.low <= planted && planted <= d.high {
                covered += 1;
            }
            let null = newcombe(
                rng.binomial(n, base),
                n as f64,
                rng.binomial(n, base),
                n as f64,
            );
            if verdict(&null, "sign-ups", None).starts_with("no evidence") {
                no_evidence += 1;
            }
        }
        assert!(
            covered >= 90,
            "the 95% interval covered the planted lift in {covered} of 100 seeds"
        );
        assert!(
            no_evidence >= 90,
            "no evidence in {no_evidence} of 100 seeds without an effect"
        );
    }

    fn counts(sent: (usize, usize), held: (usize, usize)) -> Counts {
        let group = |(people, acted)| GroupCounts {
            people,
            acted,
            ..GroupCounts::default()
        };
        Counts {
            sent: group(sent),
            held: group(held),
            metrics_seen: vec!["rsvps".to_string()],
        }
    }

    #[test]
    fn intention_to_treat_with_its_reach_and_what_it_could_detect_by_hand() {
        // 600 assigned to be sent, 30 RSVPed (5%); 200 held out, 2 RSVPed (1%). 210 of the 600
        // opened (35%), none of the held out; the tool counted 600 sent, as drawn (25% held out).
        let mut c = counts((600, 30), (200, 2));
        c.sent.opened = 210;
        let effort = EffortRecord {
            opened: [1].into_iter().collect(),
            total_sent: Some(600.0),
            ..EffortRecord::default()
        };
        let lift = analyse(c, Some(0.25), Some(&effort));
        let d = lift.difference;
        assert!((d.difference - 0.04).abs() < 1e-12);
        // Newcombe: 0.04 - sqrt((0.05 - 0.03533)^2 + (0.03572 - 0.01)^2) = 0.01035, and
        // 0.04 + sqrt((0.07049 - 0.05)^2 + (0.01 - 0.00274)^2) = 0.06173.
        assert!((d.low - 0.010_347).abs() < 1e-5, "{d:?}");
        assert!((d.high - 0.061_727).abs() < 1e-5, "{d:?}");
        // Both groups together acted at 32 / 800 = 4%: the interval's power reaches 80% at 5.95
        // points (4.48 by the normal approximation; computed independently, summing over both
        // groups' counts).
        assert!((lift.mde.unwrap() - 0.059_461).abs() < 2e-5);
        // Reached: 35% of the sent; the effect on them is 4 / 0.35 = 11.4 points (3.0 to 17.6).
        let reach = lift.reach.unwrap();
        assert_eq!((reach.sent_rate, reach.held_rate), (0.35, 0.0));
        let cace = lift.cace.unwrap();
        assert!((cace.estimate - 0.114_286).abs() < 1e-5);
        assert!((cace.low - 0.029_562).abs() < 1e-5);
        assert!((cace.high - 0.176_362).abs() < 1e-5);
        let ratio = lift.sample_ratio.unwrap();
        assert_eq!((ratio.observed_sent, ratio.observed_unsent), (600.0, 200.0));
        assert!((ratio.p - 1.0).abs() < 1e-6 && !ratio.mismatch());
        assert_eq!(
            verdict(&d, "rsvps", lift.mde),
            "raised rsvps by 4.0 points (1.0 to 6.2)"
        );
    }

    #[test]
    fn a_holdout_that_was_mailed_is_a_sample_ratio_mismatch() {
        // The tool sent 790 messages to an experiment of 800 drawn with 25% held out: 190 held-out
        // people were mailed. 790 : 10 against 600 : 200 is chi-square 60.2 + 180.5, p ~ 0.
        let c = counts((600, 30), (200, 8));
        let effort = EffortRecord {
            total_sent: Some(790.0),
            ..EffortRecord::default()
        };
        let lift = analyse(c, Some(0.25), Some(&effort));
        let ratio = lift.sample_ratio.unwrap();
        assert_eq!(ratio.basis, "by the tool's count of messages sent");
        assert!(ratio.mismatch(), "{ratio:?}");
        // Recorded per person instead: 580 of the sent and 5 of the held out. 585 : 215 against
        // 600 : 200: 225/600 + 225/200 = 1.5, p = erfc(sqrt(0.75)) = 0.2207, no alarm.
        let mut c = counts((600, 30), (200, 8));
        c.sent.recorded_sent = 580;
        c.held.recorded_sent = 5;
        let effort = EffortRecord {
            sent: (0..585).collect(),
            ..EffortRecord::default()
        };
        let lift = analyse(c, Some(0.25), Some(&effort));
        let ratio = lift.sample_ratio.unwrap();
        assert_eq!((ratio.observed_sent, ratio.observed_unsent), (585.0, 215.0));
        assert!((ratio.p - 0.220_671).abs() < 1e-5, "{ratio:?}");
        // Reach from the sends: 580/600 against 5/200, so the CACE divides by 0.94167.
        let reach = lift.reach.unwrap();
        assert_eq!(reach.basis, "recorded as sent or delivered");
        assert!((reach.sent_rate - reach.held_rate - (580.0 / 600.0 - 0.025)).abs() < 1e-12);
    }

    #[test]
    fn nobody_acting_says_so_instead_of_a_detectable_effect() {
        let lift = analyse(counts((100, 0), (100, 0)), None, None);
        assert_eq!(lift.mde, None);
        assert!(lift.sample_ratio.is_none() && lift.cace.is_none());
        assert_eq!(
            verdict(&lift.difference, "rsvps", lift.mde),
            "no evidence of an effect (-3.7 to 3.7); nobody in either group acted, so these groups cannot show anything yet"
        );
    }

    #[test]
    fn verdicts_read_as_sentences() {
        let up = newcombe(120.0, 1000.0, 80.0, 1000.0);
        assert!(
            verdict(&up, "sign-ups", Some(0.03)).starts_with("raised sign-ups by 4.0 points ("),
            "{}",
            verdict(&up, "sign-ups", Some(0.03))
        );
        let none = newcombe(50.0, 1000.0, 48.0, 1000.0);
        assert_eq!(
            verdict(&none, "sign-ups", Some(0.0271)),
            "no evidence of an effect (-1.7 to 2.1); with these groups an effect smaller than 2.7 points could not be detected"
        );
    }
}
