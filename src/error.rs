//! Error kinds that change the exit code. Everything else is a plain `anyhow::Error` with words
//! for people, and exits 1.

/// The command line itself is wrong (a malformed date, a missing argument): exit 2, like clap's
/// own usage errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl From<anyhow::Error> for UsageError {
    fn from(err: anyhow::Error) -> UsageError {
        UsageError(format!("{err:#}"))
    }
}

/// Whether an error is only a closed pipe (`turnout totals | head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// What to do about an error SQLite reported, in words for people, when the error is one of the
/// few that a user can fix: another writer holding the database, a damaged file, a read-only
/// file or a full disk. `db` is the database the command used.
pub fn database_advice(err: &anyhow::Error, db: &std::path::Path) -> Option<String> {
    use rusqlite::ErrorCode;
    let code = err
        .chain()
        .find_map(|cause| match cause.downcast_ref::<rusqlite::Error>() {
            Some(rusqlite::Error::SqliteFailure(failure, _)) => Some(failure.code),
            _ => None,
        })?;
    let db = db.display();
    match code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Some(format!(
            "another turnout command (or another program) is writing to {db}, and turnout waited {} s for it. \
             Nothing was written. Run the command again when the other one has finished \
             (set TURNOUT_BUSY_TIMEOUT=seconds to wait longer)",
            crate::store::busy_timeout().as_secs_f64()
        )),
        ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => Some(format!(
            "{db} is damaged (it may have been cut short by a failed copy or a full disk). \
             Keep it as it is, and rebuild from your latest export with: turnout restore EXPORT_DIR --db new.db, \
             or re-import the original files into a new database"
        )),
        ErrorCode::ReadOnly => Some(format!(
            "{db} (or its folder) cannot be written. Check its permissions with ls -l, \
             or copy it somewhere you can write and pass --db"
        )),
        ErrorCode::DiskFull => Some(format!(
            "the disk holding {db} is full. Nothing was written; free some space and run the command again"
        )),
        ErrorCode::CannotOpen => Some(format!(
            "{db} cannot be opened. Check that its folder exists and that you can write there"
        )),
        _ => None,
    }
}
