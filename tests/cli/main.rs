//! Integration tests: the built `turnout` binary run on real-looking files, checking real numbers.
//! One test binary (faster to build); one module per command family.

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
mod reports;
mod safety;
mod shapes;
mod store;
mod totals;
mod transcripts;
mod upgrade;
mod world;
