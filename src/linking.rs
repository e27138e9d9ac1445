//! Linking rows to campaigns by the codes they carry: UTM parameters in links, ActBlue refcodes,
//! Action Network and Mobilize source codes. Campaigns claim codes exactly or with globs
//! (`fair-rent-*`); matching ignores case, because tools change it (`FAIR_RENT`, `fair_rent`).

use anyhow::Result;
use rusqlite::{Connection, params};

/// Every code every campaign claims, ready to match.
#[derive(Debug, Clone, Default)]
pub struct CodeMatcher {
    /// (lower-cased pattern, campaign id), exact patterns first so they win over globs.
    patterns: Vec<(String, i64)>,
}

impl CodeMatcher {
    pub fn load(conn: &Connection) -> Result<CodeMatcher> {
        let mut stmt = conn.prepare("SELECT pattern, campaign_id FROM campaign_code")?;
        let mut patterns: Vec<(String, i64)> = stmt
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?.to_lowercase(), row.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        patterns.sort_by_key(|(p, _)| (p.contains(['*', '?']), std::cmp::Reverse(p.len())));
        Ok(CodeMatcher { patterns })
    }

    /// The campaign that claims `code`, if any.
    pub fn campaign_for(&self, code: &str) -> Option<i64> {
        let code = code.trim().to_lowercase();
        if code.is_empty() {
            return None;
        }
        self.patterns
            .iter()
            .find(|(pattern, _)| glob_match(pattern, &code))
            .map(|(_, id)| *id)
    }
}

/// `*` matches any run of characters, `?` one character; everything else literally.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The query parameters that carry campaign codes, most specific first.
pub const CODE_PARAMETERS: &[&str] = &["utm_campaign", "refcode", "source", "utm_source"];

/// The links in a piece of text (a URL cell, a message body).
pub fn links_in(text: &str) -> Vec<url::Url> {
    text.split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .filter(|word| word.starts_with("http://") || word.starts_with("https://"))
        .filter_map(|word| url::Url::parse(word.trim_end_matches(['.', ',', ')', ';'])).ok())
        .collect()
}

/// The value of query parameter `name` in the first link of `text` that has it.
pub fn link_parameter(text: &str, name: &str) -> Option<String> {
    links_in(text).iter().find_map(|link| {
        link.query_pairs()
            .find(|(key, value)| key.eq_ignore_ascii_case(name) && !value.trim().is_empty())
            .map(|(_, value)| value.trim().to_string())
    })
}

/// The codes a cell carries: for text with links, their code parameters (`utm_campaign` first);
/// otherwise the cell itself.
pub fn codes_in(text: &str) -> Vec<String> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let links = links_in(text);
    if links.is_empty() {
        // A referrer JSON object ({"utm_campaign": "..."}) or a bare code.
        if text.starts_with('{')
            && let Ok(serde_json::Value::Object(map)) =
                serde_json::from_str::<serde_json::Value>(text)
        {
            return CODE_PARAMETERS
                .iter()
                .filter_map(|key| map.get(*key).and_then(|v| v.as_str()))
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().to_string())
                .collect();
        }
        // A bare code is one word; free text without links (a reply, a caption) carries none.
        if text.chars().any(char::is_whitespace) || text.chars().count() > 100 {
            return Vec::new();
        }
        return vec![text.to_string()];
    }
    link_codes_of(&links)
}

/// Only the codes in the links of a piece of free text.
pub fn link_codes(text: &str) -> Vec<String> {
    link_codes_of(&links_in(text))
}

fn link_codes_of(links: &[url::Url]) -> Vec<String> {
    let mut codes = Vec::new();
    for parameter in CODE_PARAMETERS {
        for link in links {
            for (key, value) in link.query_pairs() {
                if key.eq_ignore_ascii_case(parameter) && !value.trim().is_empty() {
                    let value = value.trim().to_string();
                    if !codes.contains(&value) {
                        codes.push(value);
                    }
                }
            }
        }
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_shells() {
        assert!(glob_match("fair-rent-*", "fair-rent-now"));
        assert!(glob_match("fair-rent-*", "fair-rent-"));
        assert!(!glob_match("fair-rent-*", "fair-rents"));
        assert!(glob_match("em_????_*", "em_0915_townhall"));
        assert!(glob_match("*fair_rent*", "16aa51fa22-fair_rent"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
    }

    #[test]
    fn codes_come_from_links_json_or_the_cell() {
        let message = "Can you come? https://mobil.ze/fr15?utm_source=spoke&utm_medium=sms&utm_campaign=fair-rent-now, thanks";
        assert_eq!(codes_in(message), ["fair-rent-now", "spoke"]);
        assert_eq!(
            link_parameter(
                "https://x.org/a?utm_campaign=x&mc_cid=16aa51fa22&mc_eid=[UNIQID]",
                "mc_cid"
            ),
            Some("16aa51fa22".to_string())
        );
        assert_eq!(codes_in("em_0915_townhall"), ["em_0915_townhall"]);
        assert_eq!(
            codes_in(r#"{"utm_campaign": "fair-rent-now", "utm_source": ""}"#),
            ["fair-rent-now"]
        );
        assert!(codes_in("  ").is_empty());
        assert!(codes_in("Yes! I'll be there, can I bring my neighbor?").is_empty());
        assert!(
            codes_in("STOP").len() == 1,
            "one word is a code (it may match nothing)"
        );
    }
}

/// Values an analytics tool puts where a campaign code would be when there is none: GA's
/// `(direct)`, `(not set)`, `(organic)`, `(referral)`, `(none)`, `(other)`. They are never codes
/// to claim; traffic under them has no campaign code.
pub fn is_no_campaign_code(code: &str) -> bool {
    let code = code.trim();
    code.len() > 2 && code.starts_with('(') && code.ends_with(')')
}

/// A code seen in imported rows, the campaign it links to, and how many rows carry it.
pub struct CodeUse {
    pub code: String,
    pub campaign: Option<String>,
    /// Rows of the exports that carry it (a donation and its amount are one row).
    pub rows: i64,
}

/// Which stored codes to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct CodeFilter {
    /// Only codes on rows no campaign claims.
    pub unmatched_only: bool,
    /// Only the rows one import wrote or confirmed.
    pub import_id: Option<i64>,
}

/// The codes stored rows carry, by campaign, counted in export rows. `turnout codes`, `check`
/// and the import summary all read this, so they name the same codes with the same counts.
pub fn code_uses(conn: &Connection, filter: CodeFilter) -> Result<Vec<CodeUse>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.source_code, c.slug, count(DISTINCT u.import_id || ':' || u.import_line) FROM (
             SELECT source_code, campaign_id, import_id, import_line FROM action
             UNION ALL SELECT source_code, campaign_id, import_id, import_line FROM metric_value
                       WHERE origin = 'import'
         ) u LEFT JOIN campaign c ON c.id = u.campaign_id
         WHERE u.source_code IS NOT NULL AND (?1 = 0 OR u.campaign_id IS NULL)
           AND (?2 IS NULL OR u.import_id = ?2)
         GROUP BY 1, 2 ORDER BY 3 DESC, 1",
    )?;
    let rows = stmt
        .query_map(
            params![filter.unmatched_only as i64, filter.import_id],
            |row| {
                Ok(CodeUse {
                    code: row.get(0)?,
                    campaign: row.get(1)?,
                    rows: row.get(2)?,
                })
            },
        )?
        .filter(|r| !r.as_ref().is_ok_and(|u| is_no_campaign_code(&u.code)))
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The import summary's note about codes its rows carry that no campaign claims, or nothing.
pub fn unmatched_codes_note(conn: &Connection, import_id: i64) -> Result<Option<String>> {
    let codes = code_uses(
        conn,
        CodeFilter {
            unmatched_only: true,
            import_id: Some(import_id),
        },
    )?;
    if codes.is_empty() {
        return Ok(None);
    }
    let shown: Vec<String> = codes
        .iter()
        .take(5)
        .map(|c| format!("'{}' ({})", c.code, c.rows))
        .collect();
    Ok(Some(format!(
        "rows with codes no campaign claims were kept unlinked: {}{}. Claim them with turnout campaign edit SLUG --code CODE; see all with turnout codes --unmatched",
        shown.join(", "),
        if codes.len() > 5 { ", ..." } else { "" }
    )))
}
