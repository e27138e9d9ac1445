//! Campaigns: the thread that links every number. A campaign has a short slug people type, a
//! display name, an optional team and dates, and the source codes it claims (exact values or
//! globs such as `fair-rent-*`), which later link tools' rows to it.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::now_utc;

#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub team: Option<String>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub codes: Vec<String>,
}

/// What `campaign add` and `campaign edit` may set. `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct CampaignFields {
    pub name: Option<String>,
    pub team: Option<String>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub add_codes: Vec<String>,
    pub remove_codes: Vec<String>,
}

pub fn check_slug(slug: &str) -> Result<()> {
    let valid = !slug.is_empty()
        && slug.len() <= 60
        && slug.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        bail!(
            "'{slug}' cannot be a campaign slug: use lower-case letters, digits and hyphens, e.g. fair-rent-now"
        );
    }
    Ok(())
}

fn check_code(code: &str) -> Result<String> {
    let code = code.trim();
    if code.is_empty() || code.chars().any(|c| c.is_control()) {
        bail!("a campaign code cannot be empty or contain control characters");
    }
    if code.chars().all(|c| c == '*' || c == '?') {
        bail!("the code '{code}' would claim every code; give at least one fixed character");
    }
    Ok(code.to_string())
}

fn check_dates(start: Option<NaiveDate>, end: Option<NaiveDate>) -> Result<()> {
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        bail!("the campaign would end ({e}) before it starts ({s}); check --start and --end");
    }
    Ok(())
}

pub fn add(conn: &Connection, slug: &str, fields: CampaignFields) -> Result<Campaign> {
    check_slug(slug)?;
    if find(conn, slug)?.is_some() {
        bail!(
            "a campaign called '{slug}' already exists. Change it with: turnout campaign edit {slug} ..."
        );
    }
    let Some(name) = fields
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        bail!("a campaign needs a name: --name \"Fair Rent Now\"");
    };
    check_dates(fields.start, fields.end)?;
    let codes = fields
        .add_codes
        .iter()
        .map(|c| check_code(c))
        .collect::<Result<Vec<_>>>()?;
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO campaign (slug, name, team, start_date, end_date, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            slug,
            name,
            fields.team.as_deref().map(str::trim).filter(|t| !t.is_empty()),
            fields.start.map(|d| d.to_string()),
            fields.end.map(|d| d.to_string()),
            now_utc()
        ],
    )?;
    let id = tx.last_insert_rowid();
    for code in &codes {
        claim_code(&tx, id, slug, code)?;
    }
    tx.commit()?;
    get(conn, slug)
}

pub fn edit(conn: &Connection, slug: &str, fields: CampaignFields) -> Result<Campaign> {
    let current = get(conn, slug)?;
    let start = fields.start.or(current.start);
    let end = fields.end.or(current.end);
    check_dates(start, end)?;
    let tx = conn.unchecked_transaction()?;
    if let Some(name) = fields.name.as_deref().map(str::trim) {
        if name.is_empty() {
            bail!("a campaign's name cannot be empty");
        }
        tx.execute(
            "UPDATE campaign SET name = ?1 WHERE id = ?2",
            params![name, current.id],
        )?;
    }
    if let Some(team) = fields.team.as_deref().map(str::trim) {
        let team = Some(team).filter(|t| !t.is_empty());
        tx.execute(
            "UPDATE campaign SET team = ?1 WHERE id = ?2",
            params![team, current.id],
        )?;
    }
    tx.execute(
        "UPDATE campaign SET start_date = ?1, end_date = ?2 WHERE id = ?3",
        params![
            start.map(|d| d.to_string()),
            end.map(|d| d.to_string()),
            current.id
        ],
    )?;
    for code in &fields.remove_codes {
        let removed = tx.execute(
            "DELETE FROM campaign_code WHERE campaign_id = ?1 AND pattern = ?2",
            params![current.id, code.trim()],
        )?;
        if removed == 0 {
            bail!(
                "{slug} does not claim the code '{}'; it claims: {}",
                code.trim(),
                list_or_none(&current.codes)
            );
        }
    }
    for code in &fields.add_codes {
        let code = check_code(code)?;
        if !current.codes.contains(&code) {
            claim_code(&tx, current.id, slug, &code)?;
        }
    }
    tx.commit()?;
    get(conn, slug)
}

/// Records that a campaign claims a code; an exact code already claimed elsewhere is refused,
/// because a row carrying it could not say which campaign it belongs to.
fn claim_code(conn: &Connection, campaign_id: i64, slug: &str, code: &str) -> Result<()> {
    let owner: Option<String> = conn
        .query_row(
            "SELECT c.slug FROM campaign_code cc JOIN campaign c ON c.id = cc.campaign_id
             WHERE cc.pattern = ?1 AND cc.campaign_id <> ?2",
            params![code, campaign_id],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(owner) = owner {
        bail!(
            "the code '{code}' is already claimed by the campaign '{owner}'; a code can belong to one campaign only. \
             Remove it there first (turnout campaign edit {owner} --remove-code '{code}') or give {slug} a different code"
        );
    }
    conn.execute(
        "INSERT INTO campaign_code (campaign_id, pattern) VALUES (?1, ?2)",
        params![campaign_id, code],
    )?;
    Ok(())
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "no codes".to_string()
    } else {
        items.join(", ")
    }
}

pub fn find(conn: &Connection, slug: &str) -> Result<Option<Campaign>> {
    let row = conn
        .query_row(
            "SELECT id, slug, name, team, start_date, end_date FROM campaign WHERE slug = ?1",
            params![slug.trim()],
            row_to_campaign,
        )
        .optional()?;
    match row {
        Some(mut campaign) => {
            campaign.codes = codes_of(conn, campaign.id)?;
            Ok(Some(campaign))
        }
        None => Ok(None),
    }
}

/// The campaign called `slug`, or an error that lists the campaigns that do exist.
pub fn get(conn: &Connection, slug: &str) -> Result<Campaign> {
    if let Some(campaign) = find(conn, slug)? {
        return Ok(campaign);
    }
    bail!("{}", unknown_message(conn, slug)?)
}

pub fn unknown_message(conn: &Connection, slug: &str) -> Result<String> {
    let slugs: Vec<String> = list(conn)?.into_iter().map(|c| c.slug).collect();
    let slug = slug.trim();
    Ok(if slugs.is_empty() {
        format!(
            "there is no campaign '{slug}' (no campaigns yet). Create it with: turnout campaign add {slug} --name \"...\""
        )
    } else {
        let closest = slugs
            .iter()
            .map(|s| (strsim::jaro_winkler(slug, s), s))
            .filter(|(score, _)| *score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, s)| format!(" Did you mean '{s}'?"))
            .unwrap_or_default();
        format!(
            "there is no campaign '{slug}'.{closest} Campaigns: {}. Create a new one with: turnout campaign add {slug} --name \"...\"",
            slugs.join(", ")
        )
    })
}

pub fn list(conn: &Connection) -> Result<Vec<Campaign>> {
    let mut stmt = conn
        .prepare("SELECT id, slug, name, team, start_date, end_date FROM campaign ORDER BY slug")?;
    let mut campaigns: Vec<Campaign> = stmt
        .query_map([], row_to_campaign)?
        .collect::<rusqlite::Result<_>>()?;
    for campaign in &mut campaigns {
        campaign.codes = codes_of(conn, campaign.id)?;
    }
    Ok(campaigns)
}

fn codes_of(conn: &Connection, campaign_id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT pattern FROM campaign_code WHERE campaign_id = ?1 ORDER BY pattern",
    )?;
    let codes = stmt
        .query_map(params![campaign_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(codes)
}

fn row_to_campaign(row: &rusqlite::Row) -> rusqlite::Result<Campaign> {
    Ok(Campaign {
        id: row.get(0)?,
        slug: row.get(1)?,
        name: row.get(2)?,
        team: row.get(3)?,
        start: parse_stored_date(row.get(4)?),
        end: parse_stored_date(row.get(5)?),
        codes: Vec::new(),
    })
}

/// Dates are written by turnout itself as YYYY-MM-DD, so a parse failure means "no date".
pub fn parse_stored_date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok())
}

/// Totals of what the store holds for a campaign, for `campaign show`.
pub struct CampaignActivity {
    pub values: i64,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub efforts: i64,
    pub goals: i64,
}

pub fn activity(conn: &Connection, campaign_id: i64) -> Result<CampaignActivity> {
    let (values, first_date, last_date) = conn.query_row(
        "SELECT count(*), min(period_start), max(period_start) FROM fact WHERE campaign_id = ?1",
        params![campaign_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let efforts = conn.query_row(
        "SELECT count(*) FROM effort WHERE campaign_id = ?1",
        params![campaign_id],
        |row| row.get(0),
    )?;
    let goals = conn.query_row(
        "SELECT count(*) FROM goal WHERE campaign_id = ?1",
        params![campaign_id],
        |row| row.get(0),
    )?;
    Ok(CampaignActivity {
        values,
        first_date,
        last_date,
        efforts,
        goals,
    })
}
