//! turnout's entry point: parse the command line, run, print the error once, set the exit code
//! (0 ok, 1 runtime or input error, 2 usage error).

use std::process::ExitCode;

use turnout::error::{UsageError, is_broken_pipe};

// mimalloc: a million-row import allocates and frees a few small strings per row on two threads;
// with it the import took 9.2 to 9.8 s against 10.7 to 11.3 s with the system allocator (peak
// memory 57 MiB against 43 MiB, within the 64 MiB the import is allowed). Its version 2 (the
// `v2` feature) returns freed memory to the system after 10 ms; version 3 holds it for a second,
// which lifted the import's peak to 67-71 MiB at the same speed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_huge_pages();
    let cli = turnout::cli::parse();
    let db = turnout::store::resolve_db_path(cli.db.as_deref());
    match turnout::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            if let Some(advice) = turnout::error::database_advice(&err, &db) {
                eprintln!("  what to do: {advice}");
            }
            if err.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// mimalloc asks Linux to back its arena with 2 MiB pages (transparent huge pages): a page
/// touched anywhere in such a stretch then holds all 2 MiB, and an import's memory reads
/// 10-25 MiB more than it uses. Turned off for the whole process before anything is read.
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and touches no memory of ours;
    // a kernel without it returns an error, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}
