//! How touch kinds are stored: as small numbers (schema 008's `touch_kind` table lists them),
//! numbered so that the commonest (opens, then clicks) take no space in a row.

/// The kinds, by their stored code.
pub const KINDS: [&str; 5] = ["opened", "clicked", "sent", "delivered", "replied"];

pub const OPENED: i64 = 0;
pub const CLICKED: i64 = 1;
pub const SENT: i64 = 2;
pub const DELIVERED: i64 = 3;
pub const REPLIED: i64 = 4;

/// The stored code of a kind named in a profile (`opened`, `sent`...).
pub fn code(kind: &str) -> Option<i64> {
    KINDS.iter().position(|k| *k == kind).map(|i| i as i64)
}

/// The name of a stored code.
pub fn name(code: i64) -> Option<&'static str> {
    usize::try_from(code)
        .ok()
        .and_then(|i| KINDS.get(i))
        .copied()
}

/// The metric a kind's touches count as, per day.
pub fn metric(code: i64) -> Option<&'static str> {
    match code {
        OPENED => Some("opens"),
        CLICKED => Some("clicks"),
        SENT => Some("sent"),
        DELIVERED => Some("delivered"),
        REPLIED => Some("replies"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_agree_with_the_schema() {
        for (i, kind) in KINDS.iter().enumerate() {
            assert_eq!(code(kind), Some(i as i64));
            assert_eq!(name(i as i64), Some(*kind));
        }
        assert_eq!(code("bounced"), None);
        let schema = include_str!("../../schema/008_compact_store.sql");
        for (i, kind) in KINDS.iter().enumerate() {
            assert!(schema.contains(&format!("({i}, '{kind}')")), "{kind}");
        }
    }
}
