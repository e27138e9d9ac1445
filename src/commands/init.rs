//! `turnout init`: create the database now rather than on first use, and say where it is.

use anyhow::Result;

use super::Context;

pub fn run(context: &Context) -> Result<()> {
    let path = context.db_path();
    let existed = path.exists();
    let store = context.open()?;
    let verb = if existed { "Already set up" } else { "Created" };
    println!(
        "{verb}: {} (schema version {}).",
        store.path().display(),
        store.schema_version()?
    );
    if !existed {
        context.note(
            "Next: set your time zone (turnout config set timezone America/Los_Angeles) and add a campaign \
             (turnout campaign add SLUG --name \"...\").",
        );
    }
    Ok(())
}
