//! Rule-based person-level models: how one action's credit is split over the touches before it.
//! Each returns (key, weight) per touch, the weights summing to 1.

use super::{Model, Touch};

pub fn weights(
    model: Model,
    touches: &[Touch],
    action_at: i64,
    half_life: i64,
) -> Vec<(usize, f64)> {
    let n = touches.len();
    if n == 0 {
        return Vec::new();
    }
    match model {
        Model::Last => vec![(touches[n - 1].key, 1.0)],
        Model::First => vec![(touches[0].key, 1.0)],
        Model::Linear => touches.iter().map(|t| (t.key, 1.0 / n as f64)).collect(),
        Model::TimeDecay => {
            // A touch half a half-life before the action weighs 2^-0.5 of one at the action.
            let raw: Vec<f64> = touches
                .iter()
                .map(|t| 0.5f64.powf((action_at - t.at) as f64 / half_life.max(1) as f64))
                .collect();
            let total: f64 = raw.iter().sum();
            touches
                .iter()
                .zip(raw)
                .map(|(t, w)| (t.key, w / total))
                .collect()
        }
        Model::Position => match n {
            1 => vec![(touches[0].key, 1.0)],
            2 => vec![(touches[0].key, 0.5), (touches[1].key, 0.5)],
            _ => {
                // 40% to the first, 40% to the last, 20% spread over the middle.
                let middle = 0.2 / (n - 2) as f64;
                touches
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (t.key, if i == 0 || i == n - 1 { 0.4 } else { middle }))
                    .collect()
            }
        },
        Model::Direct | Model::Markov => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn path() -> Vec<Touch> {
        // A person texted 6 days, emailed 4 days and texted again 1 day before acting.
        vec![
            Touch {
                key: 0,
                at: -6 * DAY,
            },
            Touch {
                key: 1,
                at: -4 * DAY,
            },
            Touch { key: 0, at: -DAY },
        ]
    }

    fn per_key(w: Vec<(usize, f64)>) -> [f64; 2] {
        let mut out = [0.0; 2];
        for (k, v) in w {
            out[k] += v;
        }
        out
    }

    #[test]
    fn rules_split_one_action_as_written() {
        assert_eq!(
            per_key(weights(Model::Last, &path(), 0, 7 * DAY)),
            [1.0, 0.0]
        );
        assert_eq!(
            per_key(weights(Model::First, &path(), 0, 7 * DAY)),
            [1.0, 0.0]
        );
        let linear = per_key(weights(Model::Linear, &path(), 0, 7 * DAY));
        assert!((linear[0] - 2.0 / 3.0).abs() < 1e-12 && (linear[1] - 1.0 / 3.0).abs() < 1e-12);
        // Position: 40% first (sms), 20% middle (email), 40% last (sms).
        let position = per_key(weights(Model::Position, &path(), 0, 7 * DAY));
        assert!((position[0] - 0.8).abs() < 1e-12 && (position[1] - 0.2).abs() < 1e-12);
        // Time-decay, half-life 2 days: weights 2^-3, 2^-2, 2^-0.5 = 0.125, 0.25, 0.7071;
        // email's share is 0.25 / 1.0821 = 0.2310.
        let decay = per_key(weights(Model::TimeDecay, &path(), 0, 2 * DAY));
        assert!((decay[1] - 0.25 / (0.125 + 0.25 + 0.5f64.sqrt())).abs() < 1e-12);
        assert!((decay[0] + decay[1] - 1.0).abs() < 1e-12);
        // Two touches: half each under position.
        let two = per_key(weights(Model::Position, &path()[..2], 0, DAY));
        assert_eq!(two, [0.5, 0.5]);
    }
}
