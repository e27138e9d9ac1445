//! The statistics turnout's estimates rest on, kept apart so every estimate uses the same ones:
//! the normal distribution, Wilson's interval for a proportion, Newcombe's hybrid score interval
//! for a difference of two proportions (method 10 of Newcombe 1998, which behaves at small counts
//! and rates near zero where the textbook formula does not), and binomial probabilities, for the
//! power of that interval computed exactly rather than by a normal approximation.

/// The two-sided 5% critical value of the standard normal.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// The complementary error function (Numerical Recipes' `erfcc`, fractional error below 1.2e-7).
pub fn erfc(x: f64) -> f64 {
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

/// Wilson's score interval for a proportion.
pub fn wilson(successes: f64, n: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    let p = successes / n;
    let z2 = Z_95 * Z_95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z_95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The difference of two proportions with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    pub rate_sent: f64,
    pub rate_held: f64,
    pub difference: f64,
    pub low: f64,
    pub high: f64,
}

pub fn newcombe(acted_sent: f64, sent: f64, acted_held: f64, held: f64) -> Difference {
    let p1 = if sent > 0.0 { acted_sent / sent } else { 0.0 };
    let p0 = if held > 0.0 { acted_held / held } else { 0.0 };
    let (l1, u1) = wilson(acted_sent, sent);
    let (l0, u0) = wilson(acted_held, held);
    let d = p1 - p0;
    Difference {
        rate_sent: p1,
        rate_held: p0,
        difference: d,
        low: d - ((p1 - l1).powi(2) + (u0 - p0).powi(2)).sqrt(),
        high: d + ((u1 - p1).powi(2) + (p0 - l0).powi(2)).sqrt(),
    }
}

/// The binomial distribution over the counts that hold all but a negligible share of its mass.
pub struct Binomial {
    /// The first count held.
    pub start: u64,
    /// P(X = start + i).
    pub probabilities: Vec<f64>,
    /// P(X <= start + i).
    cumulative: Vec<f64>,
}

impl Binomial {
    pub fn new(n: u64, p: f64) -> Binomial {
        if p <= 0.0 || p >= 1.0 || n == 0 {
            let at = if p >= 1.0 { n } else { 0 };
            return Binomial {
                start: at,
                probabilities: vec![1.0],
                cumulative: vec![1.0],
            };
        }
        let mean = n as f64 * p;
        let spread = 9.0 * (mean * (1.0 - p)).sqrt() + 5.0;
        let start = (mean - spread).floor().max(0.0) as u64;
        let end = ((mean + spread).ceil() as u64).min(n);
        // Relative weights from the mode outward (no factorials, no underflow), then normalised.
        let mode = ((n as f64 + 1.0) * p).floor().min(n as f64) as u64;
        let mode = mode.clamp(start, end);
        let mut weights = vec![0.0; (end - start + 1) as usize];
        let odds = p / (1.0 - p);
        weights[(mode - start) as usize] = 1.0;
        for k in mode..end {
            let i = (k - start) as usize;
            weights[i + 1] = weights[i] * (n - k) as f64 / (k + 1) as f64 * odds;
        }
        for k in (start + 1..=mode).rev() {
            let i = (k - start) as usize;
            weights[i - 1] = weights[i] * k as f64 / ((n - k + 1) as f64 * odds);
        }
        let total: f64 = weights.iter().sum();
        let probabilities: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let mut running = 0.0;
        let cumulative = probabilities
            .iter()
            .map(|p| {
                running += p;
                running
            })
            .collect();
        Binomial {
            start,
            probabilities,
            cumulative,
        }
    }

    pub fn end(&self) -> u64 {
        self.start + self.probabilities.len() as u64 - 1
    }

    /// P(X <= k).
    pub fn cdf(&self, k: i64) -> f64 {
        if k < self.start as i64 {
            0.0
        } else if k >= self.end() as i64 {
            1.0
        } else {
            self.cumulative[(k - self.start as i64) as usize]
        }
    }
}

/// The chance that Newcombe's 95% interval excludes zero (either way) when `sent` people act with
/// probability `p_sent` and `held` people with `p_held`: summed over the counts each group can
/// have. For each count of the sent group, the interval's low end falls as the held-out count
/// rises, so the counts that show an effect are found by bisection.
pub fn newcombe_power(p_sent: f64, sent: u64, p_held: f64, held: u64) -> f64 {
    if sent == 0 || held == 0 {
        return 0.0;
    }
    let f1 = Binomial::new(sent, p_sent);
    let f0 = Binomial::new(held, p_held);
    let interval = |a: u64, b: u64| newcombe(a as f64, sent as f64, b as f64, held as f64);
    let mut total = 0.0;
    for (i, &probability) in f1.probabilities.iter().enumerate() {
        let a = f1.start + i as u64;
        // The last held-out count with low > 0, and the first with high < 0.
        let last_up = last_true(f0.start, f0.end(), |b| interval(a, b).low > 0.0);
        let first_down = first_true(f0.start, f0.end(), |b| interval(a, b).high < 0.0);
        let up = last_up.map_or(0.0, |b| f0.cdf(b as i64));
        let down = first_down.map_or(0.0, |b| 1.0 - f0.cdf(b as i64 - 1));
        total += probability * (up + down);
    }
    total.min(1.0)
}

/// The largest x in [lo, hi] with `test(x)`, for a test true up to some point and false after.
fn last_true(lo: u64, hi: u64, test: impl Fn(u64) -> bool) -> Option<u64> {
    if !test(lo) {
        return None;
    }
    if test(hi) {
        return Some(hi);
    }
    // test(yes) holds, test(no) does not.
    let (mut yes, mut no) = (lo, hi);
    while no - yes > 1 {
        let mid = yes + (no - yes) / 2;
        if test(mid) {
            yes = mid;
        } else {
            no = mid;
        }
    }
    Some(yes)
}

/// The smallest x in [lo, hi] with `test(x)`, for a test false up to some point and true after.
fn first_true(lo: u64, hi: u64, test: impl Fn(u64) -> bool) -> Option<u64> {
    if !test(hi) {
        return None;
    }
    if test(lo) {
        return Some(lo);
    }
    let (mut no, mut yes) = (lo, hi);
    while yes - no > 1 {
        let mid = no + (yes - no) / 2;
        if test(mid) {
            yes = mid;
        } else {
            no = mid;
        }
    }
    Some(yes)
}

/// A small deterministic generator (SplitMix64), so the same data and seed give the same answer.
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

    /// A Poisson draw with mean `mean` (by inversion up to a mean of 50, above it a rounded
    /// normal draw).
    pub fn poisson(&mut self, mean: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        if mean > 50.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0);
        }
        let (mut k, mut p, mut cumulative) = (0.0, (-mean).exp(), 0.0);
        let u = self.next_f64();
        loop {
            cumulative += p;
            if u <= cumulative || k > 1000.0 {
                return k;
            }
            k += 1.0;
            p *= mean / k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_distribution_at_known_points() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(Z_95) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(0.841_621_233_572_914_3) - 0.8).abs() < 1e-6);
        assert!((normal_cdf(-3.0) - 0.001_349_898).abs() < 1e-7);
    }

    #[test]
    fn wilson_and_newcombe_match_published_values() {
        // Newcombe (1998), example (a): 56/70 vs 48/80: difference 0.2, interval 0.0524 to 0.3339.
        let d = newcombe(56.0, 70.0, 48.0, 80.0);
        assert!((d.difference - 0.2).abs() < 1e-12);
        assert!((d.low - 0.0524).abs() < 5e-4, "{d:?}");
        assert!((d.high - 0.3339).abs() < 5e-4, "{d:?}");
        // Wilson for 0 of 10: 0 to 0.2775.
        let (low, high) = wilson(0.0, 10.0);
        assert_eq!(low, 0.0);
        assert!((high - 0.2775).abs() < 5e-4);
    }

    #[test]
    fn binomial_probabilities_sum_to_one_and_match_the_formula() {
        // P(X = 2) for n = 10, p = 0.3: 45 x 0.09 x 0.7^8 = 0.233474.
        let b = Binomial::new(10, 0.3);
        assert!((b.probabilities[(2 - b.start) as usize] - 0.233_474_4).abs() < 1e-6);
        assert!((b.cdf(10) - 1.0).abs() < 1e-12);
        // A million trials at 2%: no underflow, mean 20,000.
        let big = Binomial::new(1_000_000, 0.02);
        let mean: f64 = big
            .probabilities
            .iter()
            .enumerate()
            .map(|(i, p)| (big.start + i as u64) as f64 * p)
            .sum();
        assert!((mean - 20_000.0).abs() < 1e-6, "{mean}");
    }

    #[test]
    fn the_power_of_newcombes_interval_summed_exactly() {
        // Against every pair of counts, summed by brute force for small groups.
        let (n1, n0, p1, p0) = (60u64, 30u64, 0.25, 0.08);
        let f1 = Binomial::new(n1, p1);
        let f0 = Binomial::new(n0, p0);
        let mut brute = 0.0;
        for a in 0..=n1 {
            for b in 0..=n0 {
                let d = newcombe(a as f64, n1 as f64, b as f64, n0 as f64);
                if d.low > 0.0 || d.high < 0.0 {
                    let pa = if a >= f1.start && a <= f1.end() {
                        f1.probabilities[(a - f1.start) as usize]
                    } else {
                        0.0
                    };
                    let pb = if b >= f0.start && b <= f0.end() {
                        f0.probabilities[(b - f0.start) as usize]
                    } else {
                        0.0
                    };
                    brute += pa * pb;
                }
            }
        }
        assert!((newcombe_power(p1, n1, p0, n0) - brute).abs() < 1e-9);
        // 3,200 sent and 800 held out at 1.065%, a 1.26-point effect: 0.642 (a normal
        // approximation says 0.80; the interval is wider at these small counts).
        let power = newcombe_power(0.010_65 + 0.0126, 3200, 0.010_65, 800);
        assert!((power - 0.6416).abs() < 1e-3, "{power}");
        // No effect: a little under the nominal 5%, since the interval is a little conservative.
        let null = newcombe_power(0.010_65, 3200, 0.010_65, 800);
        assert!((null - 0.0471).abs() < 1e-3, "{null}");
    }
}
