//! The channels outreach goes out on. Canonical names only, so reports group the same way
//! whatever tool the numbers came from.

use anyhow::{Result, bail};

pub const CHANNELS: &[&str] = &[
    "email", "sms", "social", "web", "ads", "phone", "field", "poll", "other",
];

/// Checks a channel name (case-insensitive) and returns its canonical spelling.
pub fn parse(text: &str) -> Result<&'static str> {
    // Compared without a lowercased copy: every touch of a file names its channel.
    let text_trimmed = text.trim();
    if let Some(channel) = CHANNELS
        .iter()
        .find(|c| c.eq_ignore_ascii_case(text_trimmed))
    {
        return Ok(channel);
    }
    bail!("{}", unknown_message(text))
}

pub fn unknown_message(text: &str) -> String {
    let lower = text.trim().to_ascii_lowercase();
    let closest = CHANNELS
        .iter()
        .map(|c| (strsim::jaro_winkler(&lower, c), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default();
    format!(
        "'{}' is not a channel{closest}; use one of {}",
        text.trim(),
        CHANNELS.join(", ")
    )
}
