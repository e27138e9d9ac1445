//! Holdout lift: when part of an audience was deliberately not sent an effort, the difference in
//! action rates between people sent and people held out is its real effect. The 95% interval of
//! the difference is Newcombe's hybrid score interval (method 10), built from Wilson intervals,
//! which behaves at small counts and rates near zero where the textbook formula does not.

use std::collections::HashSet;

use anyhow::{Result, bail};
use rusqlite::{Connection, OptionalExtension, params};

const Z95: f64 = 1.959_963_984_540_054;

/// Wilson's score interval for a proportion.
pub fn wilson(successes: f64, n: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    let p = successes / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
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

/// The answer in words: an effect only when the whole interval is on one side of zero.
pub fn verdict(d: &Difference, outcome: &str) -> String {
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
        format!(
            "no evidence of an effect ({} to {})",
            points(d.low),
            points(d.high)
        )
    }
}

pub struct LiftResult {
    pub sent: usize,
    pub acted_sent: usize,
    pub held: usize,
    pub acted_held: usize,
    /// Held-out people who were sent the effort anyway (left out of both groups).
    pub overlap: usize,
    pub difference: Difference,
}

/// Compares people sent `effort_id` with the held-out people (their identifier hashes): who took
/// an `outcome` action (any result when `None`) in `window` seconds after the send.
pub fn measure(
    conn: &Connection,
    campaign_id: i64,
    effort_id: i64,
    holdout_hashes: &[String],
    outcome: Option<&str>,
    window: i64,
) -> Result<LiftResult> {
    let send: Option<i64> = conn
        .query_row(
            "SELECT coalesce(unixepoch(e.sent_at), (SELECT min(unixepoch(at)) FROM touch WHERE effort_id = e.id))
             FROM effort e WHERE e.id = ?1",
            params![effort_id],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    let Some(send) = send else {
        bail!("the effort has no send time and no touches, so there is nothing to compare");
    };
    let mut stmt = conn.prepare("SELECT DISTINCT person_id FROM touch WHERE effort_id = ?1")?;
    let sent: HashSet<i64> = stmt
        .query_map(params![effort_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if sent.is_empty() {
        bail!(
            "nobody is recorded as sent this effort; import its per-person export (e.g. Spoke messages, Mailchimp activity) first"
        );
    }
    // Held-out people: the listed identifiers, as people (several identifiers may be one person;
    // an identifier seen nowhere is still a person who did not act).
    let mut held: HashSet<i64> = HashSet::new();
    let mut unknown = 0usize;
    let mut overlap = 0usize;
    let mut lookup = conn.prepare("SELECT person_id FROM person_identifier WHERE hash = ?1")?;
    let mut seen_hashes = HashSet::new();
    for hash in holdout_hashes {
        if !seen_hashes.insert(hash) {
            continue;
        }
        match lookup
            .query_row(params![hash], |row| row.get::<_, i64>(0))
            .optional()?
        {
            Some(person) if sent.contains(&person) => overlap += 1,
            Some(person) => {
                held.insert(person);
            }
            None => unknown += 1,
        }
    }
    let mut acted_stmt = conn.prepare(
        "SELECT DISTINCT a.person_id FROM action a JOIN metric m ON m.name = a.metric
         WHERE a.campaign_id = ?1 AND a.person_id IS NOT NULL
           AND unixepoch(a.at) >= ?2 AND unixepoch(a.at) <= ?3
           AND (?4 IS NULL AND m.family = 'result' AND a.metric <> 'donation_amount' OR a.metric = ?4)",
    )?;
    let acted: HashSet<i64> = acted_stmt
        .query_map(params![campaign_id, send, send + window, outcome], |row| {
            row.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?;
    let acted_sent = sent.iter().filter(|p| acted.contains(p)).count();
    let acted_held = held.iter().filter(|p| acted.contains(p)).count();
    let held_total = held.len() + unknown;
    if held_total == 0 {
        bail!(
            "no one in the holdout file is left once people who were sent the effort anyway are taken out"
        );
    }
    Ok(LiftResult {
        sent: sent.len(),
        acted_sent,
        held: held_total,
        acted_held,
        overlap,
        difference: newcombe(
            acted_sent as f64,
            sent.len() as f64,
            acted_held as f64,
            held_total as f64,
        ),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

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
            if verdict(&null, "sign-ups").starts_with("no evidence") {
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

    #[test]
    fn verdicts_read_as_sentences() {
        let up = newcombe(120.0, 1000.0, 80.0, 1000.0);
        assert!(
            verdict(&up, "sign-ups").starts_with("raised sign-ups by 4.0 points ("),
            "{}",
            verdict(&up, "sign-ups")
        );
        let none = newcombe(50.0, 1000.0, 48.0, 1000.0);
        assert!(verdict(&none, "sign-ups").starts_with("no evidence of an effect ("));
    }
}
