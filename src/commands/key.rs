//! `turnout key`: where the hash key is, and rotating it.

use anyhow::{Result, bail};

use super::Context;
use crate::people::{self, key_path};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Where the key file is (beside the database)
    ShowPath,
    /// Make a new key and rehash every stored hash with it, in one transaction
    Rotate,
}

pub fn run(context: &Context, command: KeyCommand) -> Result<()> {
    match command {
        KeyCommand::ShowPath => {
            let path = key_path(&context.db_path());
            println!("{}", path.display());
            if !path.exists() {
                context
                    .note("(it does not exist yet: it is made when the first people are imported)");
            }
        }
        KeyCommand::Rotate => {
            let mut store = context.open()?;
            let path = key_path(store.path());
            if !path.exists() {
                bail!("there is no hash key at {} to rotate", path.display());
            }
            let count = people::rotate(store.conn_mut(), &context.db_path())?;
            println!(
                "Rotated the hash key: {count} stored hash(es) rehashed. Back up the new {} now: without it, new imports cannot join people to the ones stored.",
                path.display()
            );
        }
    }
    Ok(())
}
