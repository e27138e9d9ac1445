//! What an experiment can see, and whether it ran as drawn: the minimum detectable effect and the
//! power for two proportions (80% power, two-sided 5%), and the sample-ratio check of group sizes
//! against the drawn share (a chi-square test, as experimentation platforms such as GrowthBook run
//! it). All effects are differences of proportions (0.01 is one percentage point).

/// The two-sided 5% critical value of the standard normal.
pub const Z_95: f64 = 1.959_963_984_540_054;
/// The standard normal quantile of 80% (the power the minimum detectable effect is stated at).
pub const Z_POWER_80: f64 = 0.841_621_233_572_914_3;
/// Below this p-value, group sizes say the experiment did not run as drawn.
pub const SAMPLE_RATIO_ALERT: f64 = 0.001;

/// The complementary error function (Numerical Recipes' `erfcc`, fractional error below 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The standard normal distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard error of a difference of two proportions at a common `rate`.
fn standard_error(rate: f64, sent: f64, held: f64) -> f64 {
    (rate * (1.0 - rate) * (1.0 / sent + 1.0 / held)).sqrt()
}

/// The smallest true difference these groups detect 80% of the time (two-sided 5%), when the
/// action rate is `rate`: (1.96 + 0.84) x sqrt(p(1 - p)(1/n1 + 1/n0)).
pub fn minimum_detectable_effect(rate: f64, sent: f64, held: f64) -> f64 {
    (Z_95 + Z_POWER_80) * standard_error(rate, sent, held)
}

/// The chance that a true difference `effect` is detected (two-sided 5%).
pub fn power(rate: f64, effect: f64, sent: f64, held: f64) -> f64 {
    let se = standard_error(rate, sent, held);
    if se == 0.0 {
        return if effect == 0.0 { 0.05 } else { 1.0 };
    }
    let z = effect.abs() / se;
    normal_cdf(z - Z_95) + normal_cdf(-z - Z_95)
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

    #[test]
    fn the_normal_distribution_at_known_points() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(Z_95) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(Z_POWER_80) - 0.8).abs() < 1e-6);
        assert!((normal_cdf(-3.0) - 0.001_349_898).abs() < 1e-7);
    }

    #[test]
    fn the_minimum_detectable_effect_of_the_domain_example() {
        // 8,000 sent, 2,000 held out, 2% base rate: sqrt(0.02 x 0.98 x (1/8000 + 1/2000))
        // = sqrt(0.0196 x 0.000625) = 0.0035; x 2.8016 = 0.0098 (about one point).
        let mde = minimum_detectable_effect(0.02, 8000.0, 2000.0);
        assert!((mde - 0.0035 * (Z_95 + Z_POWER_80)).abs() < 1e-12, "{mde}");
        assert!((mde * 100.0 - 0.9806).abs() < 1e-3);
        // At that effect the power is 80% (plus the far tail, 0.0000...).
        assert!((power(0.02, mde, 8000.0, 2000.0) - 0.8).abs() < 1e-4);
        // No effect: the test's own 5%.
        assert!((power(0.02, 0.0, 8000.0, 2000.0) - 0.05).abs() < 1e-6);
        // Twice the MDE: z = 2 x 2.8016 - 1.96 = 3.643, power 0.99987.
        assert!((power(0.02, 2.0 * mde, 8000.0, 2000.0) - 0.999_865).abs() < 1e-5);
    }

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
