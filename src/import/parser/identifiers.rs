//! The people a row names, as keyed hashes. An export names the same people on many rows (a
//! million opens, two hundred thousand people), so each identifier is normalized and hashed
//! once and remembered: a bounded cache of the identifiers seen last, emptied when full, which
//! keeps memory flat however long the file is.

use std::cell::RefCell;

use foldhash::HashMap;

use crate::import::model::PersonIds;
use crate::people::{Hasher, IdHash, IdKind, normalize_email, normalize_phone};

/// How many identifiers are remembered (about 4 MiB).
const REMEMBERED: usize = 8_192;

/// What one identifier, as written in the file, hashes to. None when it cannot be read as an
/// email or phone.
#[derive(Clone)]
struct Hashed {
    hash: IdHash,
    row: Option<String>,
    legacy: Option<String>,
}

pub struct Identifiers {
    hasher: Hasher,
    default_country: String,
    /// Whether rows need the identifiers' part of their identity (actions and numbers do;
    /// touches are their own identity).
    row_hashes: bool,
    /// The database may hold rows written before schema version 3 (see `Hasher::legacy_row_hash`).
    legacy: bool,
    /// Per kind (emails, then phones): the cell as written → its hashes.
    seen: RefCell<[HashMap<String, Option<Hashed>>; 2]>,
}

impl Identifiers {
    pub fn new(hasher: Hasher, default_country: &str, row_hashes: bool, legacy: bool) -> Self {
        Identifiers {
            hasher,
            default_country: default_country.to_string(),
            row_hashes,
            legacy: legacy && row_hashes,
            seen: RefCell::new([HashMap::default(), HashMap::default()]),
        }
    }

    /// The hashed identifiers of one person, from the cells as written.
    pub fn person(&self, email: Option<&str>, phone: Option<&str>) -> PersonIds {
        let mut ids = PersonIds::default();
        for (kind, text) in [(IdKind::Email, email), (IdKind::Phone, phone)] {
            if let Some(text) = text
                && let Some(hashed) = self.hashed(kind, text)
            {
                ids.hashes.push((kind, hashed.hash));
                ids.row_hashes.extend(hashed.row);
                ids.legacy_row_hashes.extend(hashed.legacy);
            }
        }
        ids
    }

    fn hashed(&self, kind: IdKind, text: &str) -> Option<Hashed> {
        let mut all = self.seen.borrow_mut();
        let seen = &mut all[match kind {
            IdKind::Email => 0,
            IdKind::Phone => 1,
        }];
        if let Some(known) = seen.get(text) {
            return known.clone();
        }
        let normalized = match kind {
            IdKind::Email => normalize_email(text),
            IdKind::Phone => normalize_phone(text, &self.default_country),
        };
        let hashed = normalized.map(|id| Hashed {
            hash: self.hasher.hash(kind, &id),
            row: self.row_hashes.then(|| self.hasher.row_hash(kind, &id)),
            legacy: self.legacy.then(|| self.hasher.legacy_row_hash(kind, &id)),
        });
        if seen.len() >= REMEMBERED {
            seen.clear();
        }
        seen.insert(text.to_string(), hashed.clone());
        hashed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identifiers(row_hashes: bool) -> (tempfile::TempDir, Identifiers) {
        let dir = tempfile::tempdir().unwrap();
        let hasher = Hasher::open(&dir.path().join("t.db"), false).unwrap();
        (dir, Identifiers::new(hasher, "US", row_hashes, false))
    }

    #[test]
    fn an_identifier_hashes_the_same_from_memory_as_the_first_time() {
        let (_dir, ids) = identifiers(true);
        let first = ids.person(Some(" Alex@Example.org"), Some("(555) 010-2000"));
        let again = ids.person(Some(" Alex@Example.org"), Some("(555) 010-2000"));
        assert_eq!(first.hashes, again.hashes);
        assert_eq!(first.row_hashes, again.row_hashes);
        assert_eq!(first.hashes.len(), 2);
        assert_eq!(first.row_hashes.len(), 2);
        // Written differently, the same email: the same person.
        let other = ids.person(Some("alex@example.org"), None);
        assert_eq!(other.hashes[0], first.hashes[0]);
    }

    #[test]
    fn unreadable_cells_name_no_one_and_touches_need_no_row_hashes() {
        let (_dir, ids) = identifiers(false);
        let person = ids.person(Some("not an email"), Some("12"));
        assert!(person.hashes.is_empty());
        let person = ids.person(Some("alex@example.org"), None);
        assert_eq!(person.hashes.len(), 1);
        assert!(person.row_hashes.is_empty());
    }
}
