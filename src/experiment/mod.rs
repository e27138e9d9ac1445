//! Experiments by design: before a send, every person of an audience file is assigned at random to
//! be sent or held out (`draw`), the two lists are written for the tool, and the draw is recorded
//! here (people as keyed hashes only), so that `turnout lift --experiment` compares everyone
//! assigned: the only comparison that shows cause. `power` says what a draw can detect.

pub mod audience;
pub mod draw;
pub mod power;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::people::{Hasher, IdHash};
use crate::store::{Store, now_utc};
use audience::ListFile;
use draw::{Draw, StratumSplit};

/// A recorded draw.
#[derive(Debug, Clone)]
pub struct Experiment {
    pub id: i64,
    pub name: String,
    pub campaign_id: Option<i64>,
    pub campaign: Option<String>,
    /// The share held out.
    pub share: f64,
    pub seed: u64,
    pub strata: Option<String>,
    pub file_name: String,
    pub file_sha256: String,
    pub rows_read: usize,
    pub unreadable: usize,
    /// UTC, RFC 3339.
    pub drawn_at: String,
    pub send: usize,
    pub held_out: usize,
    /// The send that went to the send group, once linked.
    pub effort_id: Option<i64>,
}

/// One person of a recorded draw, as the hashes of their identifiers.
#[derive(Debug, Clone)]
pub struct Member {
    pub held_out: bool,
    pub hashes: Vec<IdHash>,
}

/// What `turnout holdout draw` is asked to do.
pub struct DrawRequest<'a> {
    pub name: &'a str,
    pub file: &'a Path,
    pub share: f64,
    pub seed: u64,
    pub strata: Option<&'a str>,
    pub campaign_id: Option<i64>,
    pub send_path: &'a Path,
    pub holdout_path: &'a Path,
    pub replace: bool,
    /// Reads national phone numbers.
    pub country: &'a str,
    /// Which columns hold the people, when an import profile knows the file.
    pub recognise: audience::Recognise<'a>,
}

/// A draw made and recorded.
pub struct DrawOutcome {
    pub experiment: Experiment,
    pub list: ListFile,
    pub draw: Draw,
    /// People who asked to be forgotten: in the files, but not recorded.
    pub forgotten: usize,
    pub replaced: bool,
}

const SELECT: &str = "SELECT e.id, e.name, e.campaign_id, c.slug, e.share, e.seed, e.strata,
        e.file_name, e.file_sha256, e.rows_read, e.unreadable, e.drawn_at,
        (SELECT count(*) FROM experiment_member m WHERE m.experiment_id = e.id AND m.assigned = 'send'),
        (SELECT count(*) FROM experiment_member m WHERE m.experiment_id = e.id AND m.assigned = 'holdout'),
        e.effort_id
    FROM experiment e LEFT JOIN campaign c ON c.id = e.campaign_id";

fn from_row(row: &rusqlite::Row) -> rusqlite::Result<Experiment> {
    Ok(Experiment {
        id: row.get(0)?,
        name: row.get(1)?,
        campaign_id: row.get(2)?,
        campaign: row.get(3)?,
        share: row.get(4)?,
        seed: row.get::<_, i64>(5)? as u64,
        strata: row.get(6)?,
        file_name: row.get(7)?,
        file_sha256: row.get(8)?,
        rows_read: row.get::<_, i64>(9)? as usize,
        unreadable: row.get::<_, i64>(10)? as usize,
        drawn_at: row.get(11)?,
        send: row.get::<_, i64>(12)? as usize,
        held_out: row.get::<_, i64>(13)? as usize,
        effort_id: row.get(14)?,
    })
}

pub fn list(conn: &Connection) -> Result<Vec<Experiment>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY e.drawn_at, e.id"))?;
    let experiments = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(experiments)
}

pub fn find(conn: &Connection, name: &str) -> Result<Option<Experiment>> {
    Ok(conn
        .query_row(
            &format!("{SELECT} WHERE e.name = ?1"),
            params![name.trim()],
            from_row,
        )
        .optional()?)
}

/// The experiment of that name, or an error listing the ones there are.
pub fn get(conn: &Connection, name: &str) -> Result<Experiment> {
    if let Some(experiment) = find(conn, name)? {
        return Ok(experiment);
    }
    let names: Vec<String> = list(conn)?.into_iter().map(|e| e.name).collect();
    if names.is_empty() {
        bail!(
            "there is no experiment '{}': none has been drawn yet. Draw one before the send with: turnout holdout draw AUDIENCE.csv --name NAME --send SEND.csv --holdout HOLD.csv",
            name.trim()
        );
    }
    bail!(
        "there is no experiment '{}'; the experiments are: {} (see turnout holdout list)",
        name.trim(),
        names.join(", ")
    )
}

/// The people of a list file (a holdout or send list), each as the keyed hashes of their emails and
/// phones; rows sharing an identifier are one person.
pub fn read_people(
    path: &Path,
    hasher: &Hasher,
    country: &str,
    recognise: audience::Recognise,
) -> Result<Vec<Vec<IdHash>>> {
    let list = audience::read(
        path,
        &audience::ReadOptions {
            strata: None,
            country,
            recognise,
        },
    )?;
    let people: Vec<Vec<IdHash>> = draw::units(&list)
        .into_iter()
        .map(|unit| {
            unit.ids
                .iter()
                .map(|(kind, value)| hasher.hash(*kind, value))
                .collect()
        })
        .collect();
    if people.is_empty() {
        bail!(
            "{} holds no email address or phone number turnout can read; give a CSV with an email or phone column",
            path.display()
        );
    }
    Ok(people)
}

/// Records which send went to an experiment's send group.
pub fn link(conn: &Connection, experiment_id: i64, effort_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE experiment SET effort_id = ?2 WHERE id = ?1",
        params![experiment_id, effort_id],
    )?;
    Ok(())
}

/// The people each linked experiment assigned to be sent, by effort: (effort id, the hashes of
/// each member's identifiers), for the rules that share credit.
pub fn linked_sends(conn: &Connection) -> Result<Vec<(i64, Vec<Vec<IdHash>>)>> {
    let mut sends = Vec::new();
    for experiment in list(conn)? {
        let Some(effort) = experiment.effort_id else {
            continue;
        };
        let members = members(conn, experiment.id)?
            .into_iter()
            .filter(|m| !m.held_out)
            .map(|m| m.hashes)
            .collect();
        sends.push((effort, members));
    }
    Ok(sends)
}

/// Each member of a draw with the hashes of their identifiers.
pub fn members(conn: &Connection, experiment_id: i64) -> Result<Vec<Member>> {
    let mut stmt = conn.prepare(
        "SELECT m.member, m.assigned = 'holdout', i.hash FROM experiment_member m
         LEFT JOIN experiment_identifier i ON i.experiment_id = m.experiment_id AND i.member = m.member
         WHERE m.experiment_id = ?1 ORDER BY m.member",
    )?;
    let mut members: Vec<Member> = Vec::new();
    let mut last = None;
    let mut rows = stmt.query(params![experiment_id])?;
    while let Some(row) = rows.next()? {
        let member: i64 = row.get(0)?;
        if last != Some(member) {
            members.push(Member {
                held_out: row.get(1)?,
                hashes: Vec::new(),
            });
            last = Some(member);
        }
        if let Some(hash) = row.get::<_, Option<IdHash>>(2)? {
            members.last_mut().expect("pushed").hashes.push(hash);
        }
    }
    Ok(members)
}

/// How each stratum of a recorded draw was split, as it stands now.
pub fn strata(conn: &Connection, experiment_id: i64) -> Result<Vec<StratumSplit>> {
    let mut stmt = conn.prepare(
        "SELECT ifnull(stratum, ''), sum(assigned = 'send'), sum(assigned = 'holdout')
         FROM experiment_member WHERE experiment_id = ?1 GROUP BY 1 ORDER BY 1",
    )?;
    let strata = stmt
        .query_map(params![experiment_id], |row| {
            Ok(StratumSplit {
                stratum: row.get(0)?,
                send: row.get::<_, i64>(1)? as usize,
                held_out: row.get::<_, i64>(2)? as usize,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(strata)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// A file beside `path` to write first and rename into place once the draw is recorded.
fn temporary(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

fn check_outputs(request: &DrawRequest) -> Result<()> {
    let (send, hold) = (request.send_path, request.holdout_path);
    if same_file(send, hold) {
        bail!(
            "--send and --holdout are the same file; give two files, e.g. --send send.csv --holdout hold.csv"
        );
    }
    for (flag, path) in [("--send", send), ("--holdout", hold)] {
        if same_file(path, request.file) {
            bail!(
                "{flag} {} is the audience file itself; write the groups to new files",
                path.display()
            );
        }
        if path.exists() && !request.replace {
            bail!(
                "{flag} {} already exists; choose a new file, or add --replace to write over it",
                path.display()
            );
        }
    }
    Ok(())
}

/// Reads the audience, draws the holdout, writes both files and records the draw, all or nothing.
pub fn draw_and_record(
    store: &mut Store,
    hasher: &Hasher,
    request: &DrawRequest,
) -> Result<DrawOutcome> {
    let name = request.name.trim();
    if name.is_empty() {
        bail!("--name: give the experiment a name, e.g. --name assembly-invite");
    }
    let existing = find(store.conn(), name)?;
    if let Some(old) = &existing
        && !request.replace
    {
        bail!(
            "an experiment named '{name}' was drawn on {} ({} to send, {} held out); choose another --name, or add --replace to draw it again",
            &old.drawn_at[..10.min(old.drawn_at.len())],
            old.send,
            old.held_out
        );
    }
    check_outputs(request)?;
    let list = audience::read(
        request.file,
        &audience::ReadOptions {
            strata: request.strata,
            country: request.country,
            recognise: request.recognise,
        },
    )?;
    let draw = draw::draw(&list, request.share, request.seed)?;
    let (send_tmp, hold_tmp) = (
        temporary(request.send_path),
        temporary(request.holdout_path),
    );
    let written = list
        .write_rows(&draw.rows(false), &send_tmp)
        .and_then(|()| list.write_rows(&draw.rows(true), &hold_tmp))
        .and_then(|()| {
            let recording = Recording {
                name,
                campaign_id: request.campaign_id,
                share: request.share,
                seed: request.seed,
                strata: request.strata,
                file_name: request
                    .file
                    .file_name()
                    .map_or(list.name.clone(), |n| n.to_string_lossy().into_owned()),
                drawn_at: now_utc(),
            };
            record(store, hasher, &recording, &list, &draw, existing.is_some())
        });
    let forgotten = match written {
        Ok(forgotten) => forgotten,
        Err(err) => {
            let _ = std::fs::remove_file(&send_tmp);
            let _ = std::fs::remove_file(&hold_tmp);
            return Err(err);
        }
    };
    std::fs::rename(&send_tmp, request.send_path)
        .with_context(|| format!("cannot write {}", request.send_path.display()))?;
    std::fs::rename(&hold_tmp, request.holdout_path)
        .with_context(|| format!("cannot write {}", request.holdout_path.display()))?;
    Ok(DrawOutcome {
        experiment: get(store.conn(), name)?,
        list,
        draw,
        forgotten,
        replaced: existing.is_some(),
    })
}

/// What is recorded of a draw besides its people.
pub struct Recording<'a> {
    pub name: &'a str,
    pub campaign_id: Option<i64>,
    pub share: f64,
    pub seed: u64,
    pub strata: Option<&'a str>,
    /// The audience file's name (without its folder).
    pub file_name: String,
    /// UTC, RFC 3339.
    pub drawn_at: String,
}

/// Records a draw in one transaction (replacing one of the same name when `replace`); returns
/// how many people were left unrecorded because they asked to be forgotten.
pub fn record(
    store: &mut Store,
    hasher: &Hasher,
    recording: &Recording,
    list: &ListFile,
    draw: &Draw,
    replace: bool,
) -> Result<usize> {
    let tx = store.conn_mut().transaction()?;
    if replace {
        tx.execute(
            "DELETE FROM experiment WHERE name = ?1",
            params![recording.name.trim()],
        )?;
    }
    tx.execute(
        "INSERT INTO experiment (name, campaign_id, share, seed, strata, file_name, file_sha256,
                                 rows_read, unreadable, drawn_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            recording.name.trim(),
            recording.campaign_id,
            recording.share,
            recording.seed as i64,
            recording.strata.map(str::trim),
            recording.file_name,
            hex::encode(Sha256::digest(&list.bytes)),
            (list.rows.len() + list.unreadable.len()) as i64,
            list.unreadable.len() as i64,
            recording.drawn_at,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let mut forgotten = 0;
    {
        let mut is_forgotten =
            tx.prepare("SELECT EXISTS (SELECT 1 FROM forgotten WHERE hash = ?1)")?;
        let mut member = tx.prepare(
            "INSERT INTO experiment_member (experiment_id, member, assigned, stratum) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut identifier = tx.prepare(
            "INSERT INTO experiment_identifier (experiment_id, hash, kind, member) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut find_person =
            tx.prepare("SELECT person_id FROM person_identifier WHERE hash = ?1")?;
        let mut new_person = tx.prepare("INSERT INTO person DEFAULT VALUES")?;
        let mut person_identifier = tx.prepare(
            "INSERT OR IGNORE INTO person_identifier (hash, kind, person_id) VALUES (?1, ?2, ?3)",
        )?;
        for (index, unit) in draw.units.iter().enumerate() {
            let hashes: Vec<(IdHash, &str)> = unit
                .ids
                .iter()
                .map(|(kind, value)| (hasher.hash(*kind, value), kind.as_str()))
                .collect();
            let mut asked = false;
            for (hash, _) in &hashes {
                asked |= is_forgotten.query_row(params![hash], |row| row.get::<_, bool>(0))?;
            }
            if asked {
                forgotten += 1;
                continue;
            }
            let number = index as i64 + 1;
            let stratum = unit
                .stratum
                .as_deref()
                .map(|s| if s.is_empty() { draw::BLANK_STRATUM } else { s });
            member.execute(params![
                id,
                number,
                if unit.held_out { "holdout" } else { "send" },
                stratum
            ])?;
            for (hash, kind) in &hashes {
                identifier.execute(params![id, hash, kind, number])?;
            }
            known_as_person(
                &mut find_person,
                &mut new_person,
                &mut person_identifier,
                &hashes,
            )?;
        }
    }
    tx.commit()?;
    Ok(forgotten)
}

/// Makes a drawn member a person, as every list of people does: their identifiers join the person
/// one of them already names, or a new person. (Two people that only this row links stay two:
/// joining them is the import's work, which moves their touches and actions.)
fn known_as_person(
    find: &mut rusqlite::Statement,
    create: &mut rusqlite::Statement,
    add: &mut rusqlite::Statement,
    hashes: &[(IdHash, &str)],
) -> Result<()> {
    let mut person: Option<i64> = None;
    for (hash, _) in hashes {
        if let Some(found) = find
            .query_row(params![hash], |row| row.get::<_, i64>(0))
            .optional()?
        {
            person = Some(found);
            break;
        }
    }
    let person = match person {
        Some(person) => person,
        None => create.insert([])?,
    };
    for (hash, kind) in hashes {
        add.execute(params![hash, kind, person])?;
    }
    Ok(())
}

/// Places in experiments, as (experiment id, member number).
pub type Memberships = BTreeSet<(i64, i64)>;

/// The experiment memberships of the people known by these hashes, with every identifier hash
/// (and its kind) of those members.
pub fn memberships(
    conn: &Connection,
    hashes: &[IdHash],
) -> Result<(Memberships, Vec<(IdHash, String)>)> {
    let mut find = conn.prepare(
        "SELECT DISTINCT experiment_id, member FROM experiment_identifier WHERE hash = ?1",
    )?;
    let mut found = BTreeSet::new();
    for hash in hashes {
        for membership in find.query_map(params![hash], |row| Ok((row.get(0)?, row.get(1)?)))? {
            found.insert(membership?);
        }
    }
    let mut identifiers = conn.prepare(
        "SELECT hash, kind FROM experiment_identifier WHERE experiment_id = ?1 AND member = ?2",
    )?;
    let mut all = Vec::new();
    for (experiment, member) in &found {
        for id in identifiers.query_map(params![experiment, member], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })? {
            all.push(id?);
        }
    }
    Ok((found, all))
}

/// Removes these memberships (a `turnout forget`): the people leave both groups.
pub fn forget(conn: &Connection, memberships: &Memberships) -> Result<()> {
    for (experiment, member) in memberships {
        conn.execute(
            "DELETE FROM experiment_identifier WHERE experiment_id = ?1 AND member = ?2",
            params![experiment, member],
        )?;
        conn.execute(
            "DELETE FROM experiment_member WHERE experiment_id = ?1 AND member = ?2",
            params![experiment, member],
        )?;
    }
    Ok(())
}
