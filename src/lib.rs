//! turnout: link digital outreach (emails, texts, posts) to offline action (turnout, calls,
//! sign-ups) by campaign, in one SQLite database.
//!
//! Layout: `cli` defines the command line; `commands` holds one thin front end per subcommand and
//! is the only place that prints; `output` renders every report; the rest are domain modules that
//! return data and errors: `store` (the database and its schema), `campaigns`, `goals`,
//! `metrics`, `weekly_log`, `import`, `report`, `demo` (the bundled demo database), plus small helpers (`dates`, `values`, `channels`).

pub mod attribution;
pub mod calendar;
pub mod campaigns;
pub mod channels;
pub mod cli;
pub mod commands;
pub mod costs;
pub mod dates;
pub mod demo;
pub mod efforts;
pub mod error;
pub mod experiment;
pub mod export;
pub mod goals;
pub mod import;
pub mod linking;
pub mod locale;
pub mod metrics;
pub mod output;
pub mod people;
pub mod privacy;
pub mod report;
pub mod simulate;
pub mod stats;
pub mod store;
pub mod values;
pub mod weekly_log;
