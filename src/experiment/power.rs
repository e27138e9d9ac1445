//! What an experiment can see, and whether it ran as drawn: the power of the lift's own test and
//! the minimum detectable effect (80% power, two-sided 5%), and the sample-ratio check of group
//! sizes against the drawn share (a chi-square test, as experimentation platforms such as
//! GrowthBook run it). All effects are differences of proportions (0.01 is one percentage point).

use crate::stats::{erfc, newcombe_power};

/// The power the minimum detectable effect is stated at.
pub const POWER: f64 = 0.8;
/// Below this p-value, group sizes say the experiment did not run as drawn.
pub const SAMPLE_RATIO_ALERT: f64 = 0.001;

/// The chance that a true difference `effect` shows as an effect, when people not sent act at
/// `rate`: the chance that the lift's own interval (Newcombe's, 95%) excludes zero, summed over
/// every count the two groups can have. At small counts this is well below what the textbook
/// normal approximation says (for 3,200 and 800 people at 1%, 64% where it says 80%).
pub fn power(rate: f64, effect: f64, sent: f64, held: f64) -> f64 {
    newcombe_power(
        (rate + effect).clamp(0.0, 1.0),
        sent.round() as u64,
        rate,
        held.round() as u64,
    )
}

/// The smallest true difference these groups detect 80% of the time (two-sided 5%), when people
/// not sent act at `rate`; none when no difference is detected that often (groups too small).
/// It is about (1.96 + 0.84) x sqrt(p(1 - p)(1/sent + 1/held out)) when the groups are large.
pub fn minimum_detectable_effect(rate: f64, sent: f64, held: f64) -> Option<f64> {
    let largest = 1.0 - rate;
    if power(rate, largest, sent, held) < POWER {
        return None;
    }
    let (mut low, mut high) = (0.0, largest);
    while high - low > 1e-7 {
        let mid = (low + high) / 2.0;
        if power(rate, mid, sent, held) >= POWER {
            high = mid;
        } else {
            low = mid;
        }
    }
    Some(high)
}

/// The p-value of the group sizes against the drawn share (`share` held out): chi-square with one
/// degree of freedom.
pub fn sample_ratio_p(sent: f64, held: f64, share: f64) -> f64 {
    let total = sent + held;
    if total <= 0.0 {
        return 1.0;
    }
    let expected_held = total * share;
    let expected_sent = total - expected_held;
    let chi2 = (sent - expected_sent).powi(2) / expected_sent
        + (held - expected_held).powi(2) / expected_held;
    erfc((chi2 / 2.0).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The expected values come from an independent computation (the same sum over both groups'
    // counts, written in Python from the formulas of Newcombe 1998), not from this code.

    #[test]
    fn the_minimum_detectable_effect_of_the_domain_example() {
        // 8,000 sent, 2,000 held out, 2% base rate: "about one point" by the normal
        // approximation (0.98); the interval's own power reaches 80% at 1.13 points.
        let mde = minimum_detectable_effect(0.02, 8000.0, 2000.0).unwrap();
        assert!((mde * 100.0 - MDE_DOMAIN).abs() < 2e-3, "{mde}");
        assert!((power(0.02, mde, 8000.0, 2000.0) - 0.8).abs() < 1e-4);
        // No effect: about the test's own 5%.
        let null = power(0.02, 0.0, 8000.0, 2000.0);
        assert!((null - 0.05).abs() < 0.01, "{null}");
        // One point: 70.2%.
        assert!((power(0.02, 0.01, 8000.0, 2000.0) - POWER_DOMAIN).abs() < 1e-3);
        // One person in each group: not even a rise from 2% to 100% shows (1 of 1 against 0 of 1
        // has the interval -0.12 to 1).
        assert_eq!(minimum_detectable_effect(0.02, 1.0, 1.0), None);
    }

    const MDE_DOMAIN: f64 = 1.1321;
    const POWER_DOMAIN: f64 = 0.7019;

    #[test]
    fn sample_ratio_mismatch_by_hand() {
        // 4,000 : 1,000 at a 20% holdout is exactly as drawn.
        assert!((sample_ratio_p(4000.0, 1000.0, 0.2) - 1.0).abs() < 1e-7);
        // 4,100 : 900: 100^2/4000 + 100^2/1000 = 12.5; p = erfc(sqrt(6.25)) = erfc(2.5) = 0.000407.
        let p = sample_ratio_p(4100.0, 900.0, 0.2);
        assert!((p - 0.000_406_952).abs() < 1e-7, "{p}");
        assert!(p < SAMPLE_RATIO_ALERT);
        // 4,050 : 950: 0.625 + 2.5 = 3.125; p = erfc(1.25) = 0.0771: no alarm.
        let p = sample_ratio_p(4050.0, 950.0, 0.2);
        assert!((p - 0.077_099_87).abs() < 1e-6, "{p}");
    }
}
