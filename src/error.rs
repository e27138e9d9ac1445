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
