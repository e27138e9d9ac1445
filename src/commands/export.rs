//! `turnout export`, `turnout restore` and `turnout forget`: data that outlives the tool, and a
//! person's right to be forgotten.

use std::path::Path;

use anyhow::Result;

use super::Context;
use crate::export;
use crate::privacy;

pub fn export(context: &Context, dir: &Path, with_key: bool) -> Result<()> {
    let store = context.open()?;
    let tables = export::export(&store, dir, with_key)?;
    let rows: usize = tables.iter().map(|t| t.rows).sum();
    println!(
        "Exported {} tables ({rows} rows) to {} as CSV and JSON, with schema.sql, manifest.json and README.md{}.",
        tables.len(),
        dir.display(),
        if with_key {
            ", and the hash key"
        } else {
            " (the hash key is not included; add --with-key to include it)"
        }
    );
    Ok(())
}

pub fn restore(context: &Context, dir: &Path) -> Result<()> {
    let path = context.db_path();
    let tables = export::restore(dir, &path)?;
    let rows: usize = tables.iter().map(|t| t.rows).sum();
    println!(
        "Restored {} tables ({rows} rows) into {}.",
        tables.len(),
        path.display()
    );
    Ok(())
}

pub fn forget(context: &Context, identifier: &str, yes: bool) -> Result<()> {
    let mut store = context.open()?;
    let result = privacy::forget(&mut store, identifier, yes)?;
    let what = if result.known {
        let mut what = format!(
            "{} identifier(s), {} touch(es) and {} action(s)",
            result.identifiers, result.touches, result.actions
        );
        if result.experiments > 0 {
            what.push_str(&format!(
                ", and their place in {} experiment(s)",
                result.experiments
            ));
        }
        what
    } else {
        "nobody is known by it here".to_string()
    };
    if result.applied {
        println!(
            "Forgot {identifier}: removed {what}. Later imports will skip their rows (reason: forgotten). \
             The tools' aggregate numbers, which name no one, stay."
        );
    } else {
        println!(
            "Would forget {identifier}: {what}. Nothing was removed; run again with --yes to do it."
        );
    }
    Ok(())
}
