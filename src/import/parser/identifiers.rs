//! The people a row names, as keyed hashes. An export names the same people on many rows (a
//! million opens, two hundred thousand people), so each identifier is normalized and hashed
//! once and remembered: a bounded cache of the cells seen, emptied when full, which keeps
//! memory flat however long the file is.
//!
//! A cell is remembered by a 128-bit fingerprint of its text (two 64-bit hashes, seeded at
//! random for each file), not by a copy of the text: no allocation per cell. Two different
//! cells share a fingerprint about once in 10^28 files of a million rows.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher as _};

use foldhash::quality::RandomState;

use crate::import::model::PersonIds;
use crate::people::{
    Hasher, IdHash, IdKind, normalize_email, normalize_phone, normalize_platform_id,
};

/// How many cells are remembered when rows need nothing but the people's hashes (touches):
/// as many as the writer remembers people (`resolver::people`), in the 2^18 slots of a map
/// made that size at once (about 10 MiB; a map grown to it would hold both sizes for a moment).
/// A million opens of 200,000 people then normalize and hash each email once, not on 84% of
/// the rows as a cache of 32,768 did.
const REMEMBERED: usize = 229_000;
/// How many when rows also carry their identifiers' part of their identity (a few strings
/// each).
const REMEMBERED_WITH_ROW_HASHES: usize = 8_192;

#[derive(Clone)]
struct RowHashes {
    row: Option<String>,
    legacy: Option<String>,
}

/// A cell's fingerprint: two independent hashes of its kind and text, as bytes, so that an
/// entry of the map (fingerprint and hash, 33 bytes) needs no padding: 200,000 of them are
/// 8.6 MiB, not 12.6.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Fingerprint([u8; 16]);

impl std::hash::Hash for Fingerprint {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (first, _) = self.0.split_at(8);
        state.write_u64(u64::from_le_bytes(first.try_into().expect("8 bytes")));
    }
}

/// A fingerprint is already a hash: the map uses its first half as it is.
#[derive(Default)]
struct FirstHalf(u64);

impl std::hash::Hasher for FirstHalf {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub struct Identifiers {
    hasher: Hasher,
    default_country: String,
    /// The profile's platform: the namespace of the ids the tool gives people.
    platform: String,
    /// Whether rows need the identifiers' part of their identity (actions and numbers do;
    /// touches are their own identity).
    row_hashes: bool,
    /// The database may hold rows written before schema version 3 (see `Hasher::legacy_row_hash`).
    legacy: bool,
    /// The cell's fingerprint → its hash, or none when it cannot be read as an email or phone.
    seen: RefCell<HashMap<Fingerprint, Option<IdHash>, BuildHasherDefault<FirstHalf>>>,
    /// The cell's fingerprint → the identifier's part of row identities, when rows need it.
    rows_seen: RefCell<HashMap<Fingerprint, RowHashes, BuildHasherDefault<FirstHalf>>>,
    remembered: usize,
    seeds: (RandomState, RandomState),
}

impl Identifiers {
    pub fn new(
        hasher: Hasher,
        default_country: &str,
        platform: &str,
        row_hashes: bool,
        legacy: bool,
    ) -> Self {
        let remembered = if row_hashes {
            REMEMBERED_WITH_ROW_HASHES
        } else {
            REMEMBERED
        };
        Identifiers {
            hasher,
            default_country: default_country.to_string(),
            platform: platform.to_string(),
            row_hashes,
            legacy: legacy && row_hashes,
            seen: RefCell::new(HashMap::with_capacity_and_hasher(
                remembered,
                BuildHasherDefault::default(),
            )),
            rows_seen: RefCell::new(HashMap::default()),
            remembered,
            seeds: (RandomState::default(), RandomState::default()),
        }
    }

    fn fingerprint(&self, kind: IdKind, text: &str) -> Fingerprint {
        let half = |seed: &RandomState| {
            let mut hasher = seed.build_hasher();
            hasher.write_u8(kind as u8);
            hasher.write(text.as_bytes());
            hasher.finish()
        };
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&half(&self.seeds.0).to_le_bytes());
        bytes[8..].copy_from_slice(&half(&self.seeds.1).to_le_bytes());
        Fingerprint(bytes)
    }

    /// The hashed identifiers of one person, from the cells as written: an email, a phone, the
    /// tool's id for them.
    pub fn person(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
        platform_id: Option<&str>,
    ) -> PersonIds {
        let mut ids = PersonIds::default();
        let cells = [
            (IdKind::Email, email),
            (IdKind::Phone, phone),
            (IdKind::Platform, platform_id),
        ];
        for (kind, text) in cells {
            let Some(text) = text else { continue };
            self.with_hashed(kind, text, |hash, rows| {
                if let Some(hash) = hash {
                    ids.hashes.push((kind, hash));
                }
                if let Some(rows) = rows {
                    ids.row_hashes.extend(rows.row.clone());
                    ids.legacy_row_hashes.extend(rows.legacy.clone());
                }
            });
        }
        ids
    }

    /// Looks up, ahead of parsing their rows, the cells of a few records. Each lookup misses the
    /// CPU's caches (the map is several MiB); made one after another with nothing between, the
    /// processor waits for several at once, and the rows then find them in the cache.
    pub fn warm<'a>(&self, cells: impl Iterator<Item = (IdKind, &'a str)>) {
        let seen = self.seen.borrow();
        let mut known = 0usize;
        for (kind, text) in cells {
            known += usize::from(seen.contains_key(&self.fingerprint(kind, text)));
        }
        std::hint::black_box(known);
    }

    /// Whether a cell can be read as an email or phone (remembered, as its hash is).
    pub fn readable(&self, kind: IdKind, text: &str) -> bool {
        self.with_hashed(kind, text, |hash, _| hash.is_some())
    }

    /// Hands what the cell hashes to (none when unreadable), and its part of row identities
    /// when rows need them, to `use_it`: from memory when the same text was seen lately.
    fn with_hashed<R>(
        &self,
        kind: IdKind,
        text: &str,
        use_it: impl FnOnce(Option<IdHash>, Option<&RowHashes>) -> R,
    ) -> R {
        let fingerprint = self.fingerprint(kind, text);
        let mut seen = self.seen.borrow_mut();
        let mut rows_seen = self.rows_seen.borrow_mut();
        if let Some(&known) = seen.get(&fingerprint) {
            return use_it(known, rows_seen.get(&fingerprint));
        }
        let normalized = match kind {
            IdKind::Email => normalize_email(text),
            IdKind::Phone => normalize_phone(text, &self.default_country),
            IdKind::Platform => normalize_platform_id(&self.platform, text),
        };
        if seen.len() >= self.remembered {
            seen.clear();
            rows_seen.clear();
        }
        let hash = normalized.as_ref().map(|id| self.hasher.hash(kind, id));
        seen.insert(fingerprint, hash);
        let rows = match normalized {
            Some(id) if self.row_hashes => {
                Some(&*rows_seen.entry(fingerprint).or_insert(RowHashes {
                    row: Some(self.hasher.row_hash(kind, &id)),
                    legacy: self.legacy.then(|| self.hasher.legacy_row_hash(kind, &id)),
                }))
            }
            _ => None,
        };
        use_it(hash, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identifiers(row_hashes: bool) -> (tempfile::TempDir, Identifiers) {
        let dir = tempfile::tempdir().unwrap();
        let hasher = Hasher::open(&dir.path().join("t.db"), false).unwrap();
        (
            dir,
            Identifiers::new(hasher, "US", "test", row_hashes, false),
        )
    }

    #[test]
    fn an_identifier_hashes_the_same_from_memory_as_the_first_time() {
        let (_dir, ids) = identifiers(true);
        let first = ids.person(Some(" Alex@Example.org"), Some("(510) 555-0120"), None);
        let again = ids.person(Some(" Alex@Example.org"), Some("(510) 555-0120"), None);
        assert_eq!(first.hashes, again.hashes);
        assert_eq!(first.row_hashes, again.row_hashes);
        assert_eq!(first.hashes.len(), 2);
        assert_eq!(first.row_hashes.len(), 2);
        // Written differently, the same email: the same person.
        let other = ids.person(Some("alex@example.org"), None, None);
        assert_eq!(other.hashes[0], first.hashes[0]);
    }

    #[test]
    fn unreadable_cells_name_no_one_and_touches_need_no_row_hashes() {
        let (_dir, ids) = identifiers(false);
        let person = ids.person(Some("not an email"), Some("12"), None);
        assert!(person.hashes.is_empty());
        let person = ids.person(Some("alex@example.org"), None, None);
        assert_eq!(person.hashes.len(), 1);
        assert!(person.row_hashes.is_empty());
    }
}
