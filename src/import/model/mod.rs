//! The import's shared vocabulary, at the bottom of the pipeline: every stage uses these types
//! and none of them uses a stage.

pub mod context;
pub mod issue;
pub mod profile;
pub mod records;
pub mod report;
pub mod shape;
pub mod spec;

pub(crate) use context::ReadContext;
pub use issue::RowIssue;
pub use profile::{Layout, ProfileInfo};
pub(crate) use profile::{Profile, RowParser, show_header};
pub use records::{
    ActionRecord, Applied, EffortInfo, EffortKey, EventRecord, Grain, MetricRecord, PersonIds,
    PlanRecord, Span, TouchRecord,
};
pub(crate) use records::{Record, Records, RowOutcome};
pub use report::{Counts, ImportObserver, ImportOptions, ImportReport, Outcome, Silent};
