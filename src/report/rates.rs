//! The rates that tie comms milestones to field results. Each states its numerator and
//! denominator; a zero denominator gives no rate ("n/a"), never NaN.

use std::collections::BTreeMap;

/// One rate: which metrics it divides, over which channel, and what it means.
pub struct RateSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub numerator: &'static [&'static str],
    pub denominator: &'static [&'static str],
    /// Only numbers of this channel (email rates are about email).
    pub channel: Option<&'static str>,
    pub definition: &'static str,
}

/// Results that count as someone acting (for action rate and actions per click).
pub const ACTIONS: &[&str] = &[
    "rsvps",
    "signups",
    "signatures",
    "pledges",
    "donations",
    "calls",
];

pub const RATES: &[RateSpec] = &[
    RateSpec {
        name: "open_rate",
        label: "Open rate",
        numerator: &["unique_opens"],
        denominator: &["delivered"],
        channel: Some("email"),
        definition: "unique opens / emails delivered (email only; vendors count machine opens, so it reads high)",
    },
    RateSpec {
        name: "click_rate",
        label: "Click rate",
        numerator: &["unique_clicks"],
        denominator: &["delivered"],
        channel: Some("email"),
        definition: "unique clicks / emails delivered (email only)",
    },
    RateSpec {
        name: "click_to_open",
        label: "Click-to-open",
        numerator: &["unique_clicks"],
        denominator: &["unique_opens"],
        channel: Some("email"),
        definition: "unique clicks / unique opens (email only)",
    },
    RateSpec {
        name: "action_rate",
        label: "Action rate",
        numerator: ACTIONS,
        denominator: &["delivered", "sent"],
        channel: None,
        definition: "actions (rsvps + signups + signatures + pledges + donations + calls) / messages delivered, or sent where a channel reports no deliveries",
    },
    RateSpec {
        name: "actions_per_click",
        label: "Actions per click",
        numerator: ACTIONS,
        denominator: &["unique_clicks", "link_clicks"],
        channel: None,
        definition: "actions (as above) / clicks (unique email clicks + social link clicks)",
    },
    RateSpec {
        name: "show_up_rate",
        label: "Show-up rate",
        numerator: &["attended"],
        denominator: &["attended", "no_shows"],
        channel: None,
        definition: "attended / RSVPs whose attendance was recorded (attended + no-shows); RSVPs never marked are unknown, not no-shows; cancellations are not RSVPs",
    },
];

/// Sums per (metric, channel) over a period, as the rates need them.
pub type Sums = BTreeMap<(String, Option<String>), f64>;

/// A computed rate.
#[derive(Debug, Clone)]
pub struct RateValue {
    pub name: &'static str,
    pub label: &'static str,
    pub numerator: f64,
    pub denominator: f64,
    /// In percent; `None` when the denominator is zero.
    pub percent: Option<f64>,
    pub definition: &'static str,
}

fn sum(sums: &Sums, metrics: &[&str], channel: Option<&str>) -> f64 {
    sums.iter()
        .filter(|((metric, ch), _)| {
            metrics.contains(&metric.as_str()) && channel.is_none_or(|c| ch.as_deref() == Some(c))
        })
        .map(|(_, v)| v)
        .sum()
}

/// Every rate over `sums`. The action-rate denominator takes deliveries where a channel has
/// them and sends where it has only those (texts), so no message is counted twice.
pub fn compute(sums: &Sums) -> Vec<RateValue> {
    RATES
        .iter()
        .map(|spec| {
            let numerator = sum(sums, spec.numerator, spec.channel);
            let denominator = if spec.name == "action_rate" {
                messages_reached(sums)
            } else {
                sum(sums, spec.denominator, spec.channel)
            };
            RateValue {
                name: spec.name,
                label: spec.label,
                numerator,
                denominator,
                percent: (denominator > 0.0).then(|| numerator / denominator * 100.0),
                definition: spec.definition,
            }
        })
        .collect()
}

/// Messages delivered, per channel, or sent where that channel reports no deliveries.
fn messages_reached(sums: &Sums) -> f64 {
    let channels: std::collections::BTreeSet<Option<String>> =
        sums.keys().map(|(_, c)| c.clone()).collect();
    channels
        .iter()
        .map(|channel| {
            let of = |metric: &str| {
                sums.get(&(metric.to_string(), channel.clone()))
                    .copied()
                    .unwrap_or(0.0)
            };
            if of("delivered") > 0.0 {
                of("delivered")
            } else {
                of("sent")
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(entries: &[(&str, Option<&str>, f64)]) -> Sums {
        entries
            .iter()
            .map(|(m, c, v)| ((m.to_string(), c.map(str::to_string)), *v))
            .collect()
    }

    #[test]
    fn rates_divide_the_right_things_and_never_by_zero() {
        let s = sums(&[
            ("delivered", Some("email"), 1000.0),
            ("unique_opens", Some("email"), 400.0),
            ("unique_clicks", Some("email"), 50.0),
            ("sent", Some("sms"), 200.0),
            ("sent", Some("email"), 1010.0),
            ("impressions", Some("social"), 5000.0),
            ("rsvps", None, 30.0),
            ("attended", None, 18.0),
            ("no_shows", None, 6.0),
        ]);
        let rates = compute(&s);
        let rate = |name: &str| rates.iter().find(|r| r.name == name).unwrap();
        assert_eq!(rate("open_rate").percent, Some(40.0));
        assert_eq!(rate("click_to_open").percent, Some(12.5));
        // 30 RSVPs over 1,000 emails delivered and 200 texts sent.
        assert_eq!(rate("action_rate").denominator, 1200.0);
        assert_eq!(rate("actions_per_click").percent, Some(60.0));
        // 18 of the 24 whose attendance was recorded.
        assert_eq!(rate("show_up_rate").percent, Some(75.0));
        let empty = compute(&Sums::new());
        assert!(empty.iter().all(|r| r.percent.is_none()));
    }
}
