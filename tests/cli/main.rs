//! Integration tests: the built `turnout` binary run on real-looking files, checking real numbers.
//! One test binary (faster to build); one module per command family, and the property tests of
//! the import, run in-process through the library.

mod common;

mod brief;
mod bulk;
mod calendar;
mod campaigns;
mod corpus;
mod demo;
mod drivers;
mod eventbrite;
mod experiments;
mod export;
mod goals;
mod help;
mod import;
mod log;
mod profiles;
mod properties;
mod reports;
mod safety;
mod shapes;
mod store;
mod totals;
mod transcripts;
mod upgrade;
mod world;
