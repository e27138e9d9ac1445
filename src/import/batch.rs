//! Importing several files in one command, each in its own transaction: what `turnout import`
//! and `turnout calendar import` both do. A file that cannot be read is refused and the next is
//! read; rejected rows go to the `--rejects` file as they are met.

use std::path::{Path, PathBuf};

use anyhow::Result;
use csv::ByteRecord;

use super::rejects::RejectsSink;
use super::{ImportObserver, ImportOptions, ImportReport, ImportSource, Outcome, RowIssue};
use crate::error::database_advice;
use crate::output::progress::Progress;
use crate::store::Store;

/// What became of one file.
pub enum FileOutcome {
    Read(Box<ImportReport>),
    /// Not read at all (missing, not text, no profile fits): why, and what to do when the
    /// database is the cause.
    Refused {
        file: String,
        error: String,
        advice: Option<String>,
    },
}

impl FileOutcome {
    /// Whether nothing of the file was written although it was meant to be.
    pub fn refused(&self) -> bool {
        match self {
            FileOutcome::Read(report) => {
                matches!(
                    report.outcome,
                    Outcome::StrictRefused | Outcome::AllRejected
                )
            }
            FileOutcome::Refused { .. } => true,
        }
    }
}

/// Every file's outcome, and the rejects files written with their row counts.
pub struct Batch {
    pub files: Vec<FileOutcome>,
    pub rejects_written: Vec<(PathBuf, u64)>,
}

/// Imports `paths` one by one; `each` hears of every file as soon as it is done.
pub fn import_files(
    store: &mut Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    rejects: Option<&Path>,
    progress: &mut dyn Progress,
    each: &mut dyn FnMut(&FileOutcome),
) -> Result<Batch> {
    let mut sink = rejects.map(RejectsSink::new).transpose()?;
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let mut observer = Observer {
            progress: &mut *progress,
            rejects: sink.as_mut(),
            file: path.display().to_string(),
        };
        let result = ImportSource::open(path)
            .and_then(|source| super::import(store, source, options, &mut observer));
        observer.progress.finished();
        let outcome = match result {
            Ok(report) => FileOutcome::Read(Box::new(report)),
            Err(err) => {
                let file = path.display().to_string();
                let mut error = format!("{err:#}");
                // The file's name leads, as in every other message about it.
                if !error.contains(&file) {
                    error = format!("cannot import {file}: {error}");
                }
                let advice = database_advice(&err, store.path());
                FileOutcome::Refused {
                    file,
                    error,
                    advice,
                }
            }
        };
        each(&outcome);
        files.push(outcome);
    }
    let rejects_written = match sink {
        Some(sink) => sink.finish()?,
        None => Vec::new(),
    };
    Ok(Batch {
        files,
        rejects_written,
    })
}

/// Progress and rejects, wired to the import as it runs.
struct Observer<'a> {
    progress: &'a mut dyn Progress,
    rejects: Option<&'a mut RejectsSink>,
    file: String,
}

impl ImportObserver for Observer<'_> {
    fn wants_rejected_rows(&self) -> bool {
        self.rejects.is_some()
    }

    fn started(&mut self, source: &str, len: Option<u64>) {
        self.progress.started(source, len);
    }

    fn progress(&mut self, bytes_read: u64) {
        self.progress.advanced(bytes_read);
    }

    fn header(&mut self, header: &ByteRecord) -> Result<()> {
        if let Some(sink) = self.rejects.as_deref_mut() {
            sink.begin_file(header)?;
        }
        Ok(())
    }

    fn rejected(&mut self, issue: &RowIssue, record: &ByteRecord) -> Result<()> {
        if let Some(sink) = self.rejects.as_deref_mut() {
            sink.write(&self.file, issue, record)?;
        }
        Ok(())
    }

    fn finished(&mut self) {
        self.progress.finished();
    }
}
