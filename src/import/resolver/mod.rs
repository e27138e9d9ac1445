//! The resolver stage: who and what a row's records are about, as stored ids. People by their
//! hashed identifiers, efforts by the platform's ids; what resolving changed (people joined,
//! efforts folded, an effort linked to its campaign) is handed to the writer.

mod efforts;
mod held_people;
mod people;

pub use efforts::{Efforts, KnownEffort};
pub use people::People;
