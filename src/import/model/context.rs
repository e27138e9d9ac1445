//! What every row of one file is read against, fixed before the first row.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::shape;
use crate::metrics::Vocabulary;

/// Everything a profile needs to read rows, fixed for the whole file.
pub(crate) struct ReadContext {
    pub vocabulary: Vocabulary,
    /// Campaign slug -> id, for rows that name their campaign.
    pub campaigns: BTreeMap<String, i64>,
    /// `--campaign`, resolved.
    pub campaign_override: Option<(String, i64)>,
    pub org_tz: Tz,
    pub source_tz: Option<Tz>,
    pub date_override: Option<NaiveDate>,
    /// The day or range the file's numbers are for, once its profile is known.
    pub moment: shape::Moment,
    pub today: NaiveDate,
    pub verbose: bool,
    pub matcher: crate::linking::CodeMatcher,
    pub default_country: String,
    /// The database file, whose hash key sits beside it.
    pub db_path: std::path::PathBuf,
    pub has_people: bool,
    /// Some import predates schema version 4 (its ledger entry has no context), so rows may
    /// carry the identity turnout gave them before version 3: see `Writer::rekey_legacy`.
    pub legacy_identities: bool,
    /// The file's name as given, for profiles that read an id from it.
    pub file_name: String,
    /// Comment lines above the header (`# Start date: 20260907`).
    pub preamble: Vec<String>,
    /// Hashes of people who asked to be forgotten: their rows are skipped.
    pub forgotten: std::collections::HashSet<crate::people::IdHash>,
    /// `--new-key`: start a new hash key when it is missing (linkage to stored people is lost).
    pub new_key: bool,
    /// `--locale`, which wins over the profile's `locale`, which wins over `org_locale`.
    pub locale_override: Option<crate::locale::Locale>,
    pub org_locale: Option<crate::locale::Locale>,
    /// `--set FIELD=VALUE`: fields given one value for the whole file.
    pub set: Vec<(String, String)>,
    /// The file is a workbook that does not say which cells are shown as percentages (`.xls`,
    /// `.ods`): a bare 0.3398 may be 33.98% or 0.3398%.
    pub percentages_unmarked: bool,
}
