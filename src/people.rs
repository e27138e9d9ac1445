//! People, only as keyed hashes. An email or phone is normalized (trimmed lower-case email; E.164
//! phone, with the organization's default country for national numbers) and replaced by its
//! HMAC-SHA256 under a random key kept in a file beside the database (`turnout.db.key`, mode
//! 0600), never inside it: a database shared on its own cannot be reversed by hashing guesses.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const KEY_BYTES: usize = 32;

/// An identifier kind, as stored in `person_identifier.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    Email,
    Phone,
    /// The id a tool gives a person (NGP VAN's VANID), in the tool's namespace.
    Platform,
}

impl IdKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Email => "email",
            IdKind::Phone => "phone",
            IdKind::Platform => "platform",
        }
    }
}

/// A tool's id for a person, in the tool's namespace (`van:1234567`): trimmed, lower-cased;
/// `None` when blank. The same id from another tool is another person.
pub fn normalize_platform_id(platform: &str, text: &str) -> Option<String> {
    let id = text.trim();
    (!id.is_empty()).then(|| format!("{}:{}", platform.to_lowercase(), id.to_lowercase()))
}

/// Lower-cased, trimmed; `None` when it is not an email address at all.
pub fn normalize_email(text: &str) -> Option<String> {
    let email = text
        .trim()
        .trim_matches(|c| c == '<' || c == '>')
        .to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c == ',');
    valid.then_some(email)
}

/// Whether phones can be read with `code` as their country: any ISO 3166 region
/// libphonenumber's metadata has.
pub fn known_country(code: &str) -> bool {
    country(code).is_some()
}

fn country(code: &str) -> Option<phonenumber::country::Id> {
    code.trim().to_ascii_uppercase().parse().ok()
}

/// E.164 (`+380671234502`), or `None` when the text cannot be a valid phone number, read with
/// libphonenumber's metadata: national forms (`067 123 45 02`, `(510) 555-0104`) in
/// `default_country`, international ones with `+` or `00` in any country, and digits written
/// with their country code but no `+` (`380671234505`) when they are a valid number that way
/// and not in `default_country`. Punctuation, spaces and an extension (`x12`) are ignored.
/// What Excel makes of a long number (`3,80671E+11`) has lost its last digits: never a phone.
pub fn normalize_phone(text: &str, default_country: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.contains(['E', 'e']) && text.chars().any(|c| c == ',' || c == '.') {
        return None;
    }
    let international = match text.strip_prefix("00") {
        Some(rest) => Some(format!("+{rest}")),
        None => text.starts_with('+').then(|| text.to_string()),
    };
    let valid = |region: Option<phonenumber::country::Id>, text: &str| {
        phonenumber::parse(region, text)
            .ok()
            .filter(phonenumber::is_valid)
            .map(|n| n.format().mode(phonenumber::Mode::E164).to_string())
    };
    if let Some(international) = international {
        return valid(None, &international);
    }
    if let Some(national) = valid(country(default_country), text) {
        return Some(national);
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let only_digits_and_punctuation = text
        .chars()
        .all(|c| c.is_ascii_digit() || " -.()/".contains(c));
    if only_digits_and_punctuation && digits.len() >= 8 {
        return valid(None, &format!("+{digits}"));
    }
    None
}

/// Where a database's hash key lives: beside it, named after it.
pub fn key_path(db_path: &Path) -> PathBuf {
    let mut name = db_path.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// An identifier as stored: the first 128 bits of its keyed hash (16 bytes, where the hex of
/// the whole hash took 64 characters and an index beside it). Two people sharing one would take
/// some 10^19 identifiers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdHash(pub [u8; ID_HASH_BYTES]);

pub const ID_HASH_BYTES: usize = 16;

impl IdHash {
    fn of(full: &[u8]) -> IdHash {
        let mut bytes = [0u8; ID_HASH_BYTES];
        bytes.copy_from_slice(&full[..ID_HASH_BYTES]);
        IdHash(bytes)
    }

    pub fn hex(&self) -> String {
        hex(&self.0)
    }

    /// The first 128 bits as one number (a cache key).
    pub fn as_u128(&self) -> u128 {
        u128::from_be_bytes(self.0)
    }
}

impl std::fmt::Debug for IdHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdHash({})", self.hex())
    }
}

/// Bound as it is stored: `email` or `phone`.
impl rusqlite::ToSql for IdKind {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(
            rusqlite::types::ValueRef::Text(self.as_str().as_bytes()),
        ))
    }
}

impl rusqlite::ToSql for IdHash {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(
            rusqlite::types::ValueRef::Blob(&self.0),
        ))
    }
}

impl rusqlite::types::FromSql for IdHash {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let bytes = value.as_blob()?;
        if bytes.len() != ID_HASH_BYTES {
            return Err(rusqlite::types::FromSqlError::InvalidBlobSize {
                expected_size: ID_HASH_BYTES,
                blob_size: bytes.len(),
            });
        }
        Ok(IdHash::of(bytes))
    }
}

/// Hashes identifiers with the database's key. The key file holds one key per line: the first
/// made with the database, one more after each `turnout key rotate`. A stored hash is the first
/// key's HMAC, re-keyed by each later key in turn, so rotating rehashes what is stored without
/// needing anyone's email. Keys on lines that begin `t:` were added after hashes were shortened
/// to 128 bits (schema 8): they re-key the short hash, as rotating one stored can only do; the
/// keys before them re-key the whole one. Row identities (which row of an export is which) use
/// the first key only, so files imported before a rotation are still recognised after it.
#[derive(Clone)]
pub struct Hasher {
    keys: Vec<Vec<u8>>,
    /// How many of `keys` (the first ones) re-key the whole hash, before it is shortened.
    whole: usize,
    /// Each key's HMAC state after absorbing the key: cloning it saves two SHA-256 blocks per
    /// hash, which matters when an import hashes millions of rows.
    keyed: Vec<Hmac<Sha256>>,
}

/// Marks a key added after hashes were shortened.
const SHORT_KEY: &str = "t:";

fn keyed(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length")
}

/// A short hash re-keyed by a later key.
fn rekey(keyed: &Hmac<Sha256>, hash: IdHash) -> IdHash {
    let mut mac = keyed.clone();
    mac.update(hash.hex().as_bytes());
    IdHash::of(&mac.finalize().into_bytes())
}

fn hmac_hex(keyed: &Hmac<Sha256>, parts: &[&[u8]]) -> String {
    let mut mac = keyed.clone();
    for part in parts {
        mac.update(part);
    }
    hex(&mac.finalize().into_bytes())
}

impl Hasher {
    /// Reads the key, or creates it when the database holds no people yet (or when `new_key`
    /// says to start over). A missing key for a database that already has people is an error:
    /// new hashes would never match the old ones.
    pub fn open(db_path: &Path, has_people: bool) -> Result<Hasher> {
        Hasher::open_with(db_path, has_people, false)
    }

    pub fn open_with(db_path: &Path, has_people: bool, new_key: bool) -> Result<Hasher> {
        let path = key_path(db_path);
        if path.exists() {
            return Hasher::read(&path);
        }
        if has_people && !new_key {
            bail!(
                "the hash key {} is missing, and this database already holds people hashed with it. \
                 Joins across new imports need the key: restore it from your backup, or start a new key \
                 with --new-key and lose linkage to the people already stored",
                path.display()
            );
        }
        create_key(&path)?;
        Hasher::read(&path)
    }

    fn read(path: &Path) -> Result<Hasher> {
        let text = fs::read_to_string(path)
            .with_context(|| format!("cannot read the hash key {}", path.display()))?;
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let whole = lines
            .iter()
            .position(|l| l.starts_with(SHORT_KEY))
            .unwrap_or(lines.len());
        let keys: Option<Vec<Vec<u8>>> = lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let hex = if i >= whole {
                    line.strip_prefix(SHORT_KEY)?
                } else {
                    line
                };
                decode_hex(hex).filter(|k| k.len() == KEY_BYTES)
            })
            .collect();
        match keys {
            Some(keys) if !keys.is_empty() && whole > 0 => Ok(Hasher {
                keyed: keys.iter().map(|k| keyed(k)).collect(),
                whole,
                keys,
            }),
            _ => bail!(
                "the hash key {} is damaged (expected lines of {} hex characters); restore it from a backup",
                path.display(),
                KEY_BYTES * 2
            ),
        }
    }

    /// The stored hash of an identifier.
    pub fn hash(&self, kind: IdKind, normalized: &str) -> IdHash {
        if self.whole == 1 {
            // No key re-keys the whole hash: the first key's HMAC, shortened, without the
            // round trip through hex.
            let mut mac = self.keyed[0].clone();
            mac.update(kind.as_str().as_bytes());
            mac.update(b":");
            mac.update(normalized.as_bytes());
            let short = IdHash::of(&mac.finalize().into_bytes());
            return self.keyed[1..].iter().fold(short, |h, key| rekey(key, h));
        }
        let whole = self.keyed[1..self.whole]
            .iter()
            .fold(self.legacy_row_hash(kind, normalized), |h, key| {
                hmac_hex(key, &[h.as_bytes()])
            });
        let short = IdHash::of(&decode_hex(&whole).expect("hex of a hash"));
        self.keyed[self.whole..]
            .iter()
            .fold(short, |h, key| rekey(key, h))
    }

    /// The first key's hash of an identifier: the stored hash before any rotation, and the
    /// identifier's part of a row's identity as turnout wrote it before schema version 3 (used
    /// to recognise rows imported back then).
    pub fn legacy_row_hash(&self, kind: IdKind, normalized: &str) -> String {
        hmac_hex(
            &self.keyed[0],
            &[kind.as_str().as_bytes(), b":", normalized.as_bytes()],
        )
    }

    /// The identifier's part of a row's identity (stable across rotations).
    pub fn row_hash(&self, kind: IdKind, normalized: &str) -> String {
        hmac_hex(
            &self.keyed[0],
            &[
                b"row:",
                kind.as_str().as_bytes(),
                b":",
                normalized.as_bytes(),
            ],
        )
    }

    /// How many times the key was rotated.
    pub fn rotations(&self) -> usize {
        self.keys.len() - 1
    }
}

/// Adds a new key to the chain and rehashes every stored hash with it, in one transaction. The
/// previous key file is kept as `<key>.previous` until the new one is in place.
pub fn rotate(conn: &mut rusqlite::Connection, db_path: &Path) -> Result<usize> {
    let path = key_path(db_path);
    let hasher = Hasher::read(&path)?;
    let mut key = [0u8; KEY_BYTES];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("cannot make a random key: {e}"))?;
    let mut text = String::new();
    for (i, k) in hasher.keys.iter().enumerate() {
        if i >= hasher.whole {
            text.push_str(SHORT_KEY);
        }
        text.push_str(&hex(k));
        text.push('\n');
    }
    text.push_str(SHORT_KEY);
    text.push_str(&hex(&key));
    text.push('\n');
    let temporary = path.with_extension(format!("key.{}.tmp", std::process::id()));
    write_private(&temporary, &text)?;
    let tx = conn.transaction()?;
    let mut count = 0;
    let new_key = keyed(&key);
    for table in ["person_identifier", "forgotten", "experiment_identifier"] {
        let hashes: Vec<IdHash> = tx
            .prepare(&format!("SELECT DISTINCT hash FROM {table}"))?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut update = tx.prepare(&format!("UPDATE {table} SET hash = ?1 WHERE hash = ?2"))?;
        for old in &hashes {
            update.execute(rusqlite::params![rekey(&new_key, *old), old])?;
            count += 1;
        }
    }
    fs::copy(&path, path.with_extension("key.previous"))?;
    fs::rename(&temporary, &path)
        .with_context(|| format!("cannot replace the hash key {}", path.display()))?;
    if let Err(err) = tx.commit() {
        // Put the old key back: the database still holds hashes made with it.
        let _ = fs::copy(path.with_extension("key.previous"), &path);
        return Err(err.into());
    }
    let _ = fs::remove_file(path.with_extension("key.previous"));
    Ok(count)
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write the hash key {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// Writes a new random key atomically: to a temporary file first, then linked into place, so
/// two processes starting at once end up with the same key and neither sees half a file.
fn create_key(path: &Path) -> Result<()> {
    let mut key = [0u8; KEY_BYTES];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("cannot make a random key: {e}"))?;
    let temporary = path.with_extension(format!("key.{}.tmp", std::process::id()));
    {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&temporary)
            .with_context(|| format!("cannot write the hash key {}", temporary.display()))?;
        file.write_all(hex(&key).as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
    }
    // hard_link fails if another process made the key first; then theirs is the key.
    let linked = fs::hard_link(&temporary, path);
    let _ = fs::remove_file(&temporary);
    match linked {
        Ok(()) => Ok(()),
        Err(_) if path.exists() => Ok(()),
        Err(err) => {
            Err(err).with_context(|| format!("cannot create the hash key {}", path.display()))
        }
    }
}

/// Lowercase hex, written into one buffer: `hex::encode` builds its string a character at a
/// time, which showed in the profile of a million-row import (three hashes a row).
pub fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 2];
    hex::encode_to_slice(bytes, &mut out).expect("a buffer twice the length");
    String::from_utf8(out).expect("hex digits are ASCII")
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    hex::decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email(" Alex@Example.ORG "),
            Some("alex@example.org".to_string())
        );
        assert_eq!(normalize_email("not an email"), None);
        assert_eq!(normalize_email("a@b"), None);
    }

    #[test]
    fn phones_become_e164() {
        for text in [
            "5105550104",
            "(510) 555-0104",
            "510.555.0104",
            "+1 510 555 0104",
            "1-510-555-0104",
        ] {
            assert_eq!(
                normalize_phone(text, "US"),
                Some("+15105550104".to_string()),
                "{text}"
            );
        }
        assert_eq!(
            normalize_phone("020 7946 0018", "GB"),
            Some("+442079460018".to_string())
        );
        assert_eq!(
            normalize_phone("+44 20 7946 0018", "US"),
            Some("+442079460018".to_string())
        );
        assert_eq!(normalize_phone("555-0104", "US"), None);
        assert_eq!(normalize_phone("call me", "US"), None);
    }

    #[test]
    fn ukrainian_phones_in_every_common_form_are_one_number() {
        let one = Some("+380671234502".to_string());
        for (text, country) in [
            ("0671234502", "UA"),
            ("067 123 45 02", "UA"),
            ("(067) 123-45-02", "UA"),
            ("+380 67 123 4502", "US"),
            ("+38 (067) 123-45-02", "US"),
            ("00380671234502", "DE"),
            ("380671234502", "US"),
            ("380 67 123 45 02", "UA"),
        ] {
            assert_eq!(
                normalize_phone(text, country),
                one,
                "{text} under {country}"
            );
        }
        // Under the US default a Ukrainian national form is not a US number either.
        assert_eq!(normalize_phone("0671234502", "US"), None);
        // Excel's 3,80671E+11 has lost the number's last digits.
        assert_eq!(normalize_phone("3,80671E+11", "UA"), None);
        assert_eq!(normalize_phone("3.80671E+11", "UA"), None);
        assert!(known_country("ua") && known_country("DE") && !known_country("XX"));
    }

    #[test]
    fn the_key_is_created_once_and_hashes_are_stable() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let first = Hasher::open(&db, false).unwrap();
        let second = Hasher::open(&db, true).unwrap();
        let a = first.hash(IdKind::Email, "alex@example.org");
        assert_eq!(a, second.hash(IdKind::Email, "alex@example.org"));
        assert_ne!(a, first.hash(IdKind::Phone, "alex@example.org"));
        assert_eq!(a.hex().len(), 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(key_path(&db)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::remove_file(key_path(&db)).unwrap();
        assert!(Hasher::open(&db, true).is_err());
    }

    #[test]
    fn a_short_hash_is_the_whole_hash_cut_and_later_keys_rekey_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let (k0, k1, k2) = ([1u8; KEY_BYTES], [2u8; KEY_BYTES], [3u8; KEY_BYTES]);
        // A database rotated once before hashes were shortened: both keys re-key the whole hash.
        fs::write(key_path(&db), format!("{}\n{}\n", hex(&k0), hex(&k1))).unwrap();
        let whole = hmac_hex(
            &keyed(&k1),
            &[hmac_hex(&keyed(&k0), &[b"email:", b"alex@example.org"]).as_bytes()],
        );
        let hasher = Hasher::open(&db, true).unwrap();
        let short = hasher.hash(IdKind::Email, "alex@example.org");
        assert_eq!(short.hex(), whole[..32]);
        // Rotated since: the new key re-keys the short hash, as `rotate` does to stored ones.
        fs::write(
            key_path(&db),
            format!("{}\n{}\nt:{}\n", hex(&k0), hex(&k1), hex(&k2)),
        )
        .unwrap();
        let rotated = Hasher::open(&db, true).unwrap();
        assert_eq!(
            rotated.hash(IdKind::Email, "alex@example.org"),
            rekey(&keyed(&k2), short)
        );
        assert_eq!(rotated.rotations(), 2);
        // Never rotated: the first key's HMAC, cut.
        fs::write(key_path(&db), format!("{}\n", hex(&k0))).unwrap();
        let fresh = Hasher::open(&db, true).unwrap();
        assert_eq!(
            fresh.hash(IdKind::Email, "alex@example.org").hex(),
            hmac_hex(&keyed(&k0), &[b"email:", b"alex@example.org"])[..32]
        );
    }
}
