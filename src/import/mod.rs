//! Importing files: the path every export takes into the store.
//!
//! The rules that make numbers trustworthy live here, once, for every profile:
//! - a file is read as a stream (constant memory) inside ONE transaction, with prepared statements;
//! - every row read is accounted for: inserted, updated, unchanged, rejected or skipped, and
//!   `rows_read` is their sum; rejected and skipped rows are kept with their reasons;
//! - a row's identity (campaign, effort, channel, metric, day or week, source) decides whether it
//!   is new, changed or unchanged, so re-importing a file, or a newer overlapping export, never
//!   counts anything twice;
//! - a file that cannot be read as its profile is refused whole and the database is left exactly
//!   as it was; `--dry-run` and `--strict` failures roll the transaction back.
//!
//! The stages, in the order a file passes them (`run` drives them): `source` (bytes, checksum,
//! a file seen before) -> `reader` (header, layout, records) -> `parser` (profiles: typed
//! records) -> `resolver` (people, efforts) -> `writer` (each kind of record) -> `ledger` (the
//! accounting). `bind` opens a file and binds its profile before any row is read.
//! `model` holds what they share, at the bottom: none of its files uses a stage.

mod batch;
mod bind;
mod ledger;
mod model;
mod parser;
mod reader;
mod rejects;
mod resolver;
mod run;
mod source;
mod writer;

pub use batch::{Batch, FileOutcome, import_files};
pub use ledger::{LedgerEntry, issues, ledger};
pub use model::shape;
pub use model::spec;
pub use model::{
    Counts, Grain, ImportObserver, ImportOptions, ImportReport, Outcome, ProfileInfo, RowIssue,
    Silent,
};
pub use parser::catalog::{
    PersonColumns, Recognised, check_profile, metric_sources, profile_spec, profile_summaries,
};
pub use parser::declarative::IDENTIFIERS_DROPPED;
pub use parser::{BUILT_IN, ProfileSummary};
pub use run::import;
pub use source::{ImportSource, sniff};
