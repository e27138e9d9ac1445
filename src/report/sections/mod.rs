//! Report sections more than one command shows (goals, import counts, the calendar's week, matrix
//! and warnings): built once here, so every front end composes the same tables.

pub mod calendar;
pub mod goals;
pub mod imports;
