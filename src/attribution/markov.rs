//! The Markov model: a first-order chain over touch paths (start -> keys -> conversion or null),
//! crediting each key by its removal effect: how much less often people convert when that key's
//! state is removed (its visits leading nowhere), normalised so credits sum to the converting
//! actions that had touches.

use std::collections::HashMap;

use super::Evidence;

/// Credits per key, and the number of actions with no touch (credited elsewhere).
pub fn credit(evidence: &Evidence) -> (Vec<f64>, f64) {
    let keys = evidence.keys.len();
    let mut untouched = 0.0;
    let mut paths: Vec<(Vec<usize>, bool)> = Vec::new();
    for path in &evidence.converting {
        if path.touches.is_empty() {
            untouched += 1.0;
        } else {
            paths.push((path.touches.iter().map(|t| t.key).collect(), true));
        }
    }
    for touches in &evidence.non_converting {
        if !touches.is_empty() {
            paths.push((touches.iter().map(|t| t.key).collect(), false));
        }
    }
    let converted = paths.iter().filter(|(_, c)| *c).count() as f64;
    let mut credits = vec![0.0; keys];
    if converted == 0.0 {
        return (credits, untouched);
    }
    let chain = Chain::from_paths(keys, &paths);
    let base = chain.conversion(None);
    let effects: Vec<f64> = (0..keys)
        .map(|k| {
            if base > 0.0 && chain.visited[k] {
                (1.0 - chain.conversion(Some(k)) / base).max(0.0)
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = effects.iter().sum();
    if total > 0.0 {
        for (credit, effect) in credits.iter_mut().zip(&effects) {
            *credit = converted * effect / total;
        }
    } else {
        // No key changes anything (every path converts whatever is removed): share equally.
        let visited = chain.visited.iter().filter(|v| **v).count() as f64;
        for (credit, seen) in credits.iter_mut().zip(&chain.visited) {
            if *seen {
                *credit = converted / visited;
            }
        }
    }
    (credits, untouched)
}

/// States: 0 start, 1..=keys the keys, keys+1 conversion, keys+2 null.
pub struct Chain {
    keys: usize,
    /// Transition probabilities out of each state.
    next: Vec<Vec<(usize, f64)>>,
    visited: Vec<bool>,
}

impl Chain {
    pub fn from_paths(keys: usize, paths: &[(Vec<usize>, bool)]) -> Chain {
        let conv = keys + 1;
        let null = keys + 2;
        let mut counts: HashMap<(usize, usize), f64> = HashMap::new();
        let mut visited = vec![false; keys];
        for (path, converted) in paths {
            let mut from = 0;
            for &k in path {
                visited[k] = true;
                *counts.entry((from, k + 1)).or_default() += 1.0;
                from = k + 1;
            }
            *counts
                .entry((from, if *converted { conv } else { null }))
                .or_default() += 1.0;
        }
        let mut out_totals = vec![0.0; keys + 3];
        for ((from, _), n) in &counts {
            out_totals[*from] += n;
        }
        let mut next = vec![Vec::new(); keys + 3];
        let mut entries: Vec<((usize, usize), f64)> = counts.into_iter().collect();
        entries.sort_by_key(|((f, t), _)| (*f, *t));
        for ((from, to), n) in entries {
            next[from].push((to, n / out_totals[from]));
        }
        Chain {
            keys,
            next,
            visited,
        }
    }

    /// The probability of reaching conversion from the start, with one key's state removed
    /// (reaching it ends the path without converting).
    pub fn conversion(&self, removed: Option<usize>) -> f64 {
        let conv = self.keys + 1;
        let mut value = vec![0.0; self.keys + 3];
        value[conv] = 1.0;
        // Gauss-Seidel sweeps until nothing moves.
        for _ in 0..10_000 {
            let mut change: f64 = 0.0;
            for state in (0..=self.keys).rev() {
                if removed.is_some_and(|r| state == r + 1) {
                    continue;
                }
                let v: f64 = self.next[state].iter().map(|(to, p)| p * value[*to]).sum();
                change = change.max((v - value[state]).abs());
                value[state] = v;
            }
            if change < 1e-13 {
                break;
            }
        }
        value[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_effects_match_a_chain_worked_by_hand() {
        // Keys: 0 = email, 1 = sms. Paths:
        //   email -> conversion;  email -> sms -> conversion;  sms -> null;  email -> null.
        // Transitions: start -> email 3/4, start -> sms 1/4;
        //   email -> conversion 1/3, email -> sms 1/3, email -> null 1/3;  sms -> conversion 1/2, sms -> null 1/2.
        // P(conv) = 3/4 (1/3 + 1/3 x 1/2) + 1/4 x 1/2 = 3/4 x 1/2 + 1/8 = 1/2.
        // Without email: start -> email ends, so P = 1/4 x 1/2 = 1/8: removal effect 1 - (1/8)/(1/2) = 3/4.
        // Without sms: P = 3/4 x 1/3 = 1/4: removal effect 1/2.
        // Two conversions, split 3/4 : 1/2, i.e. 1.2 to email and 0.8 to sms.
        let paths = vec![
            (vec![0], true),
            (vec![0, 1], true),
            (vec![1], false),
            (vec![0], false),
        ];
        let chain = Chain::from_paths(2, &paths);
        assert!((chain.conversion(None) - 0.5).abs() < 1e-12);
        assert!((chain.conversion(Some(0)) - 0.125).abs() < 1e-12);
        assert!((chain.conversion(Some(1)) - 0.25).abs() < 1e-12);

        use super::super::{Evidence, Path, Touch};
        let touch = |key| Touch { key, at: 0 };
        let evidence = Evidence {
            keys: vec!["email".into(), "sms".into()],
            converting: vec![
                Path {
                    at: 1,
                    touches: vec![touch(0)],
                    direct: None,
                    coded: false,
                },
                Path {
                    at: 1,
                    touches: vec![touch(0), touch(1)],
                    direct: None,
                    coded: false,
                },
                Path {
                    at: 1,
                    touches: vec![],
                    direct: None,
                    coded: false,
                },
            ],
            non_converting: vec![vec![touch(1)], vec![touch(0)]],
        };
        let (credits, untouched) = credit(&evidence);
        assert!(
            (credits[0] - 1.2).abs() < 1e-9 && (credits[1] - 0.8).abs() < 1e-9,
            "{credits:?}"
        );
        assert_eq!(untouched, 1.0);
    }
}
