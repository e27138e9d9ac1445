//! Efforts as rows name them: found by the platform's id (or another name the platform gives
//! it), created when new, and checked against what is known of them (one channel, one campaign).

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};

use crate::import::model::{EffortInfo, EffortKey, RowIssue};

/// An effort as the import knows it.
#[derive(Debug, Clone)]
pub struct KnownEffort {
    pub id: i64,
    pub campaign_id: Option<i64>,
    /// Shared, not copied: the effort is looked up for every row of its file.
    pub channel: std::rc::Rc<str>,
}

/// An effort as a file names it (platform, id), and what is known of it.
struct NamedEffort {
    platform: String,
    external_id: String,
    effort: KnownEffort,
}

/// The efforts one file names (a file names few, however many rows it has), and what finding
/// them changed, for the writer to pass on.
#[derive(Default)]
pub struct Efforts {
    named: Vec<NamedEffort>,
    /// Efforts folded into others (from, into), since last taken.
    merged: Vec<(i64, i64)>,
    /// Whether an effort was linked to a campaign, since last taken.
    linked: bool,
}

impl Efforts {
    /// Forgets what this import found (its rows were rolled back).
    pub fn forget(&mut self) {
        self.named.clear();
    }

    /// Efforts folded into others since last asked: (from, into).
    pub fn take_merged(&mut self) -> Vec<(i64, i64)> {
        std::mem::take(&mut self.merged)
    }

    /// Whether an effort was linked to a campaign since last asked.
    pub fn take_linked(&mut self) -> bool {
        std::mem::take(&mut self.linked)
    }

    /// Whether the effort a row names, and its other name, were found before: then finding it
    /// again changes nothing stored.
    pub fn settled(&self, key: &EffortKey) -> bool {
        self.known_effort(&key.platform, &key.external_id).is_some()
            && key
                .alias
                .as_deref()
                .is_none_or(|alias| self.known_effort(&key.platform, alias).is_some())
    }

    /// Finds or creates the effort a row names, checking it agrees with what is known of it.
    pub fn effort(
        &mut self,
        conn: &Connection,
        key: &EffortKey,
        channel: Option<&'static str>,
        campaign_id: Option<i64>,
        line: u64,
    ) -> Result<Result<KnownEffort, RowIssue>> {
        let known = match self.known_effort(&key.platform, &key.external_id) {
            Some(known) => Some(known),
            None => stored_effort(conn, key)?,
        };
        let effort = match known {
            Some(effort) => match self.check(conn, effort, key, channel, campaign_id, line)? {
                Ok(effort) => effort,
                Err(issue) => return Ok(Err(issue)),
            },
            None => match create(conn, key, channel, campaign_id, line)? {
                Ok(effort) => effort,
                Err(issue) => return Ok(Err(issue)),
            },
        };
        self.remember_effort(&key.platform, &key.external_id, &effort);
        if let Some(alias) = key.alias.as_deref()
            && alias != key.external_id
            && self.known_effort(&key.platform, alias).is_none()
        {
            self.alias(conn, &key.platform, alias, &effort)?;
        }
        Ok(Ok(effort))
    }

    /// A known effort, checked against the row: one channel, one campaign (an effort first
    /// seen without a campaign is linked once a row names one), and what the row says of it.
    fn check(
        &mut self,
        conn: &Connection,
        mut effort: KnownEffort,
        key: &EffortKey,
        channel: Option<&'static str>,
        campaign_id: Option<i64>,
        line: u64,
    ) -> Result<Result<KnownEffort, RowIssue>> {
        if let Some(channel) = channel
            && channel != &*effort.channel
        {
            return Ok(Err(reject(
                key,
                line,
                format!("channel {}", effort.channel),
                format!("channel {channel}"),
                format!(
                    "the effort '{}' was recorded on the {} channel, but this row says {channel}; one effort goes out on one channel",
                    key.external_id, effort.channel
                ),
            )));
        }
        match (effort.campaign_id, campaign_id) {
            (Some(owner), Some(row_campaign)) if owner != row_campaign => {
                return Ok(Err(reject(
                    key,
                    line,
                    "the effort's own campaign".to_string(),
                    "another campaign".to_string(),
                    format!(
                        "the effort '{}' belongs to another campaign ({}); one effort serves one campaign. Give this one its own effort id",
                        key.external_id,
                        campaign_slug(conn, owner)?
                    ),
                )));
            }
            (None, Some(row_campaign)) => {
                conn.prepare_cached("UPDATE effort SET campaign_id = ?1 WHERE id = ?2")?
                    .execute(params![row_campaign, effort.id])?;
                self.linked = true;
                effort.campaign_id = Some(row_campaign);
            }
            _ => {}
        }
        if key.info != EffortInfo::default() {
            conn.prepare_cached(
                "UPDATE effort SET title = coalesce(?1, title), audience = coalesce(?2, audience),
                                   sent_at = coalesce(?3, sent_at) WHERE id = ?4",
            )?
            .execute(params![
                key.info.title,
                key.info.audience,
                key.info.sent_at,
                effort.id
            ])?;
        }
        Ok(Ok(effort))
    }

    /// Records another name of an effort. An effort already created under that name (from a
    /// file read first: Mailchimp's opens file, named by web id, before its clicks file, whose
    /// links carry the Unique Id) is folded into this one, its touches and numbers with it.
    fn alias(
        &mut self,
        conn: &Connection,
        platform: &str,
        alias: &str,
        effort: &KnownEffort,
    ) -> Result<()> {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO effort_alias (platform, alias, effort_id) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![platform, alias, effort.id])?;
        let named: Option<i64> = conn
            .prepare_cached("SELECT id FROM effort WHERE platform = ?1 AND external_id = ?2")?
            .query_row(params![platform, alias], |row| row.get(0))
            .optional()?;
        if let Some(from) = named
            && from != effort.id
        {
            merge_efforts(conn, from, effort.id)?;
            self.named.retain(|named| named.effort.id != from);
            self.merged.push((from, effort.id));
        }
        self.remember_effort(platform, alias, effort);
        Ok(())
    }

    /// The effort this file names so (a file names few efforts, however many rows it has).
    fn known_effort(&self, platform: &str, external_id: &str) -> Option<KnownEffort> {
        self.named
            .iter()
            .find(|named| named.platform == platform && named.external_id == external_id)
            .map(|named| named.effort.clone())
    }

    fn remember_effort(&mut self, platform: &str, external_id: &str, effort: &KnownEffort) {
        match self
            .named
            .iter_mut()
            .find(|named| named.platform == platform && named.external_id == external_id)
        {
            Some(named) => named.effort = effort.clone(),
            None => self.named.push(NamedEffort {
                platform: platform.to_string(),
                external_id: external_id.to_string(),
                effort: effort.clone(),
            }),
        }
    }
}

/// The effort by its id, or by another name an export gave it.
fn stored_effort(conn: &Connection, key: &EffortKey) -> Result<Option<KnownEffort>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, campaign_id, channel FROM effort WHERE platform = ?1 AND external_id = ?2
             UNION ALL
             SELECT e.id, e.campaign_id, e.channel FROM effort_alias a JOIN effort e ON e.id = a.effort_id
             WHERE a.platform = ?1 AND a.alias = ?2
             LIMIT 1",
        )?
        .query_row(params![key.platform, key.external_id], |row| {
            Ok(KnownEffort {
                id: row.get(0)?,
                campaign_id: row.get(1)?,
                channel: row.get(2)?,
            })
        })
        .optional()?)
}

/// A new effort; refused without a channel.
fn create(
    conn: &Connection,
    key: &EffortKey,
    channel: Option<&'static str>,
    campaign_id: Option<i64>,
    line: u64,
) -> Result<Result<KnownEffort, RowIssue>> {
    let Some(channel) = channel else {
        return Ok(Err(reject(
            key,
            line,
            "a channel for a new effort".to_string(),
            "a blank channel".to_string(),
            format!(
                "the effort '{}' is new and this row gives no channel; fill the channel column (email, sms, social...)",
                key.external_id
            ),
        )));
    };
    conn.prepare_cached(
        "INSERT INTO effort (campaign_id, channel, platform, external_id, title, audience, sent_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        campaign_id,
        channel,
        key.platform,
        key.external_id,
        key.info.title,
        key.info.audience,
        key.info.sent_at
    ])?;
    Ok(Ok(KnownEffort {
        id: conn.last_insert_rowid(),
        campaign_id,
        channel: channel.into(),
    }))
}

fn reject(key: &EffortKey, line: u64, expected: String, found: String, reason: String) -> RowIssue {
    RowIssue {
        line,
        column_number: key.column,
        column_name: Some("effort".to_string()),
        expected: Some(expected),
        found: Some(found),
        reason,
    }
}

fn campaign_slug(conn: &Connection, id: i64) -> Result<String> {
    Ok(conn.query_row(
        "SELECT slug FROM campaign WHERE id = ?1",
        params![id],
        |row| row.get(0),
    )?)
}

/// Folds effort `from` into effort `into`: its touches, numbers, costs and names move, and it
/// goes. The caller rebuilds the touch counts of `into`.
fn merge_efforts(conn: &Connection, from: i64, into: i64) -> Result<()> {
    // A touch both names of the send hold is kept once.
    conn.execute(
        "UPDATE OR IGNORE touch SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute("DELETE FROM touch WHERE effort_id = ?1", params![from])?;
    conn.execute(
        "UPDATE OR IGNORE import_effort SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute(
        "DELETE FROM import_effort WHERE effort_id = ?1",
        params![from],
    )?;
    // A number both efforts hold for the same day stays as `into` has it.
    conn.execute(
        "UPDATE OR IGNORE metric_value SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute(
        "DELETE FROM metric_value WHERE effort_id = ?1",
        params![from],
    )?;
    conn.execute(
        "UPDATE cost SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute(
        "UPDATE experiment SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute(
        "UPDATE OR IGNORE effort_alias SET effort_id = ?2 WHERE effort_id = ?1",
        params![from, into],
    )?;
    conn.execute("DELETE FROM touch_fact WHERE effort_id = ?1", params![from])?;
    conn.execute("DELETE FROM effort WHERE id = ?1", params![from])?;
    Ok(())
}
