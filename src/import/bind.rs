//! Opening and binding a file, before any row is read: its bytes decoded, its header read, its
//! profile chosen (the one asked for, or the one its header fits, past a title line or two),
//! read again if the profile pins another encoding or delimiter, and bound to the header
//! against what the database knows (`ReadContext`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;

use super::model::shape;
use super::model::{ImportOptions, Layout, Profile, ReadContext, RowParser};
use super::parser::Registry;
use super::reader::{self, LaidOut, OpenedFile, Pins};
use super::source::{ImportSource, Tap};
use crate::campaigns;
use crate::metrics::Vocabulary;
use crate::store::{Store, settings};

/// A file opened, its profile chosen and bound to its header, ready for its rows to be read.
pub(super) struct BoundFile {
    /// What the source stage says of the input (the sheet of a workbook it read).
    pub(super) source_notes: Vec<String>,
    pub(super) name: String,
    pub(super) path: Option<PathBuf>,
    pub(super) source_len: Option<u64>,
    pub(super) context: ReadContext,
    pub(super) file: OpenedFile,
    pub(super) laid_out: LaidOut,
    pub(super) parser: Box<dyn RowParser>,
    pub(super) profile_name: String,
    /// The profile as text (where it comes from and what it says), for the file's fingerprint.
    pub(super) profile_text: String,
    pub(super) tap: Tap,
}

/// Opens the file, reads its header, chooses its profile (the one asked for, or the one it
/// fits) and binds the profile to the header.
pub(super) fn open_and_bind(
    store: &Store,
    source: ImportSource,
    options: &ImportOptions,
) -> Result<BoundFile> {
    let name = source.name.clone();
    let path = source.path.clone();
    let source_len = source.len;
    let mut context = read_context(store, options, &name)?;
    let vocabulary = Vocabulary::load(store.conn())?;
    let mut registry = Registry::load(&vocabulary, store.path())?;
    let requested = registry.requested(options.profile.as_deref(), &vocabulary)?;
    let requested_pins = requested
        .as_deref()
        .and_then(|n| registry.get(n))
        .map(pins_of)
        .unwrap_or_default();
    let again = source.again();
    let input = source.into_reader(options.sheet.as_deref())?;
    let (mut tap, source_notes) = (input.tap, input.notes);
    context.percentages_unmarked = input.percentages_unmarked;
    let mut file = reader::open(input.reader, &name, &mut context.preamble, requested_pins)?;
    let (profile, layout) = choose(
        &registry,
        requested.as_deref(),
        &mut file,
        &name,
        &mut context,
    )
    .map_err(|refusal| match source_notes.first() {
        // A workbook's first sheet may not be the export: say which others there are.
        Some(sheets) => anyhow::anyhow!("{refusal:#}; turnout {sheets}"),
        None => refusal,
    })?;
    let pins = pins_of(profile);
    if !file.agrees_with(pins) {
        // The profile, found by the header, says how its files are written: read it so.
        let titles = file.title_lines;
        context.preamble.clear();
        let input = again?.into_reader(options.sheet.as_deref())?;
        file = reader::open(input.reader, &name, &mut context.preamble, pins)?;
        tap = input.tap;
        while file.title_lines < titles && file.next_header(&mut context.preamble)? {}
    }
    let laid_out = reader::lay_out(&mut file, layout, &name)?;
    context.moment = shape::resolve(
        profile.spec().map(|s| s.shape).unwrap_or_default(),
        profile.name(),
        options.time,
        options.today,
    )
    .map_err(|message| anyhow::anyhow!("cannot import {name}: {message}"))?;
    let parser = profile
        .bind(&laid_out.bound_header, &context)
        .map_err(|message| {
            anyhow::anyhow!("cannot import {name} as {}: {message}", profile.name())
        })?;
    let profile_name = profile.name().to_string();
    let profile_text = format!("{}|{:?}", profile.origin(), profile.spec());
    Ok(BoundFile {
        source_notes,
        name,
        path,
        source_len,
        context,
        file,
        laid_out,
        parser,
        profile_name,
        profile_text,
        tap,
    })
}

/// How many title lines above the header are looked past (Meta and LinkedIn write one or two).
const MOST_TITLE_LINES: usize = 5;

/// The profile for a file, the one asked for or the one its header fits. A header no profile
/// fits, made of one cell, may be a title above the real header: the next lines are tried.
fn choose<'r>(
    registry: &'r Registry,
    requested: Option<&str>,
    file: &mut OpenedFile,
    name: &str,
    context: &mut ReadContext,
) -> Result<(&'r dyn Profile, Layout)> {
    // A profile asked for that puts its header further down: the lines above are its titles.
    let asked_row = requested
        .and_then(|name| registry.get(name))
        .and_then(|profile| profile.spec())
        .and_then(|spec| spec.header_row);
    while asked_row.is_some_and(|row| file.header_line() < row)
        && file.next_header(&mut context.preamble)?
    {}
    // Without --profile, lines down to the furthest `header_row` of any profile are tried too,
    // whatever their cells.
    let furthest_row = registry.furthest_header_row().unwrap_or(0);
    let mut first_refusal = None;
    for _ in 0..=MOST_TITLE_LINES.max(furthest_row as usize) {
        match registry.choose(requested, &file.header_names, &file.header, name, context) {
            Ok(found) => return Ok(found),
            Err(refusal) => {
                first_refusal.get_or_insert(refusal);
                let may_be_title = requested.is_none()
                    && (file.header.len() <= 1 || file.header_line() < furthest_row);
                if !may_be_title || !file.next_header(&mut context.preamble)? {
                    break;
                }
            }
        }
    }
    Err(first_refusal.expect("at least one refusal"))
}

/// What a profile pins about how its files are written.
fn pins_of(profile: &dyn Profile) -> Pins {
    let spec = profile.spec();
    Pins {
        encoding: spec
            .and_then(|s| s.encoding.as_deref())
            .and_then(reader::decoding::by_label),
        delimiter: spec.and_then(|s| s.delimiter_byte()),
    }
}

fn read_context(store: &Store, options: &ImportOptions, file_name: &str) -> Result<ReadContext> {
    let conn = store.conn();
    let mut campaigns_by_slug = BTreeMap::new();
    for campaign in campaigns::list(conn)? {
        campaigns_by_slug.insert(campaign.slug.to_lowercase(), campaign.id);
    }
    let campaign_override = match &options.campaign {
        Some(slug) => {
            let campaign = campaigns::get(conn, slug)?;
            Some((campaign.slug, campaign.id))
        }
        None => None,
    };
    Ok(ReadContext {
        vocabulary: Vocabulary::load(conn)?,
        campaigns: campaigns_by_slug,
        campaign_override,
        org_tz: settings::timezone(conn)?,
        source_tz: options.tz,
        date_override: options.time.date,
        moment: shape::Moment::Events,
        today: options.today,
        verbose: options.verbose,
        matcher: crate::linking::CodeMatcher::load(conn)?,
        default_country: settings::phone_country(conn)?,
        db_path: store.path().to_path_buf(),
        has_people: store.holds_people()?,
        legacy_identities: conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM import WHERE context IS NULL)",
            [],
            |row| row.get(0),
        )?,
        file_name: file_name.to_string(),
        preamble: Vec::new(),
        forgotten: conn
            .prepare("SELECT hash FROM forgotten")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?,
        new_key: options.new_key,
        locale_override: options.locale.clone(),
        org_locale: settings::locale(conn)?,
        set: options.set.clone(),
        percentages_unmarked: false,
    })
}
