//! The SQLite store: where a database lives, how it is opened, and its schema version.
//!
//! Opening checks the schema version *before* touching anything, so a database written by a newer
//! turnout is refused unchanged. WAL mode and a busy timeout let a second process wait its turn
//! instead of failing.

mod migrations;
mod references;
pub mod settings;
pub mod summaries;
pub mod touch_kinds;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags};

pub use migrations::{MIGRATIONS, SCHEMA_VERSION};
pub use references::{check_references, check_references_except};

/// How long a command waits for another process's write to finish before giving up, unless
/// `TURNOUT_BUSY_TIMEOUT` (seconds) says otherwise.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The wait for another writer: `TURNOUT_BUSY_TIMEOUT` seconds when set to a number, else 30 s.
pub fn busy_timeout() -> Duration {
    std::env::var("TURNOUT_BUSY_TIMEOUT")
        .ok()
        .and_then(|text| text.trim().parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(BUSY_TIMEOUT)
}

/// The default database file when neither `--db` nor `TURNOUT_DB` names one.
pub const DEFAULT_DB: &str = "turnout.db";

/// An open turnout database, migrated to the current schema.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the database at `path`, creating it (and its schema) on first use.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_at_version(path, SCHEMA_VERSION)
    }

    /// Opens or creates the database with its schema brought only up to version `target` (for a
    /// restore of an export an older turnout wrote; `migrate` then brings it up to date).
    pub fn open_at_version(path: &Path, target: i64) -> Result<Store> {
        if path.is_dir() {
            bail!(
                "{} is a folder, not a database file. Pass a file name, e.g. --db {}",
                path.display(),
                path.join(DEFAULT_DB).display()
            );
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            bail!(
                "cannot create the database {}: the folder {} does not exist. Create it first or choose another --db path",
                path.display(),
                parent.display()
            );
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open the database {}", path.display()))?;
        conn.busy_timeout(busy_timeout())?;

        // Reading the version is the first thing that touches the file: it fails cleanly on a file
        // that is not SQLite, and it writes nothing.
        let timeout = busy_timeout();
        let version: i64 = retry_busy(timeout, || {
            conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        })
        .map_err(|err| not_a_database(path, err))?;
        if version > SCHEMA_VERSION {
            bail!(
                "{} was written by a newer turnout (schema version {version}; this turnout knows up to {SCHEMA_VERSION}). \
                 Upgrade turnout to use it; the database was not changed.",
                path.display()
            );
        }

        let journal: String = retry_busy(timeout, || {
            conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        })
        .map_err(|err| not_a_database(path, err))?;
        if !journal.eq_ignore_ascii_case("wal") {
            // Some file systems (network shares) cannot do WAL; the default journal still works.
            conn.pragma_update(None, "journal_mode", "DELETE")?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;

        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        migrations::migrate_to(&mut store.conn, target)
            .with_context(|| format!("cannot prepare the database {}", path.display()))?;
        Ok(store)
    }

    /// Applies the migrations this database has not had yet.
    pub fn migrate(&mut self) -> Result<()> {
        migrations::migrate(&mut self.conn)
            .with_context(|| format!("cannot upgrade the database {}", self.path.display()))
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Whether anyone has been imported (their hashes need the key that hashed them).
    pub fn holds_people(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM person)", [], |row| row.get(0))?)
    }

    /// Whether any number has been imported or logged.
    pub fn holds_numbers(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM metric_value)", [], |row| {
                row.get(0)
            })?)
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?)
    }
}

/// Runs a first read of the database again while SQLite says it is busy, until `timeout`.
/// SQLite answers "busy" at once, without waiting for the busy timeout, when another command is
/// turning a brand-new database into WAL mode: two imports started together into a new
/// database would otherwise see one of them fail.
fn retry_busy<T>(
    timeout: Duration,
    mut read: impl FnMut() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let start = std::time::Instant::now();
    loop {
        match read() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && start.elapsed() < timeout =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn not_a_database(path: &Path, err: rusqlite::Error) -> anyhow::Error {
    let is_notadb = matches!(
        &err,
        rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::NotADatabase
    );
    if is_notadb {
        anyhow::anyhow!(
            "{} is not a turnout database (it is not an SQLite file, or it is damaged). \
             Check --db or TURNOUT_DB; the file was not changed.",
            path.display()
        )
    } else {
        anyhow::Error::new(err).context(format!("cannot read the database {}", path.display()))
    }
}

/// The setting that marks a database built by `turnout demo`, so the demo may replace it and
/// never replaces anything else.
const DEMO_MARK: &str = "demo_database";

pub fn mark_as_demo(conn: &Connection) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO setting (key, value) VALUES (?1, 'yes')",
        rusqlite::params![DEMO_MARK],
    )?;
    Ok(())
}

/// Whether the file at `path` is a database `turnout demo` built (read-only check).
pub fn is_demo_database(path: &Path) -> bool {
    let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return false;
    };
    conn.query_row(
        "SELECT value FROM setting WHERE key = ?1",
        rusqlite::params![DEMO_MARK],
        |row| row.get::<_, String>(0),
    )
    .is_ok_and(|value| value == "yes")
}

/// The database path a command uses: `--db`, else `TURNOUT_DB`, else `./turnout.db`.
pub fn resolve_db_path(flag: Option<&Path>) -> PathBuf {
    if let Some(path) = flag {
        return path.to_path_buf();
    }
    match std::env::var_os("TURNOUT_DB") {
        Some(value) if !value.is_empty() => PathBuf::from(value),
        _ => PathBuf::from(DEFAULT_DB),
    }
}

/// The current UTC instant as RFC 3339 text, the form every stored instant takes.
pub fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
