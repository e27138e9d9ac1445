//! Touches of a send that had none before this import, written in batches: one statement for
//! many rows instead of one a row. Whether a row repeats an earlier one of its file is still
//! known as the row arrives. Exports list touches in time order, so a repeat (the same person,
//! kind and second) can only be among the touches of the second being read, kept in memory.
//! A row that goes back in time is written alone (the batch first), and the table answers.

use foldhash::{HashMap, HashMapExt, HashSet};

use anyhow::{Result, bail};
use rusqlite::{Connection, Statement};

/// Touches written by one statement.
const BATCH: usize = 128;

const INSERT_ONE: &str =
    "INSERT INTO touch (effort_id, at, person_id, kind) VALUES (?1, ?2, ?3, ?4)";

/// (effort id, second, person id, kind code).
pub type TouchKey = [i64; 4];

/// What became of a touch handed to the batch.
pub enum Taken {
    /// Queued: it will be written (no earlier row of the file has it).
    Queued,
    /// An earlier row of this file has it.
    Repeat,
    /// Earlier than the send's latest second: the batch was written, and the row must be
    /// written alone.
    OutOfOrder,
}

/// The second a send's touches have reached, and who touched it in that second, how.
#[derive(Default)]
struct Second {
    at: Option<i64>,
    seen: HashSet<(i64, i64)>,
}

pub struct TouchBatch<'c> {
    pending: Vec<TouchKey>,
    /// Per send (only sends with no touches before this import come here).
    seconds: HashMap<i64, Second>,
    statement: Option<Statement<'c>>,
    /// Off after a row was rolled back (what was seen may no longer be stored).
    enabled: bool,
}

impl Default for TouchBatch<'_> {
    fn default() -> Self {
        TouchBatch {
            pending: Vec::with_capacity(BATCH),
            seconds: HashMap::new(),
            statement: None,
            enabled: true,
        }
    }
}

impl<'c> TouchBatch<'c> {
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Takes one touch of a send that had none before this import.
    pub fn take(&mut self, conn: &'c Connection, touch: TouchKey) -> Result<Taken> {
        let [effort_id, at, person_id, kind] = touch;
        let second = self.seconds.entry(effort_id).or_default();
        match second.at {
            Some(latest) if at < latest => {
                self.flush(conn)?;
                return Ok(Taken::OutOfOrder);
            }
            Some(latest) if at == latest => {}
            _ => {
                second.at = Some(at);
                second.seen.clear();
            }
        }
        if !second.seen.insert((person_id, kind)) {
            return Ok(Taken::Repeat);
        }
        self.pending.push(touch);
        if self.pending.len() == BATCH {
            self.flush(conn)?;
        }
        Ok(Taken::Queued)
    }

    /// Writes the queued touches.
    pub fn flush(&mut self, conn: &'c Connection) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let written = if self.pending.len() == BATCH {
            let statement = match &mut self.statement {
                Some(statement) => statement,
                None => {
                    let rows = vec!["(?, ?, ?, ?)"; BATCH].join(", ");
                    let sql =
                        format!("INSERT INTO touch (effort_id, at, person_id, kind) VALUES {rows}");
                    self.statement.insert(conn.prepare(&sql)?)
                }
            };
            statement.execute(rusqlite::params_from_iter(self.pending.iter().flatten()))?
        } else {
            let mut one = conn.prepare_cached(INSERT_ONE)?;
            let mut written = 0;
            for touch in &self.pending {
                written += one.execute(*touch)?;
            }
            written
        };
        if written != self.pending.len() {
            bail!(
                "{} touches were queued but {written} written: a fault in turnout",
                self.pending.len()
            );
        }
        self.pending.clear();
        Ok(())
    }

    /// The row being written was rolled back: its queued touches go (the batch was written
    /// before the row began), and every later touch is written alone.
    pub fn rolled_back(&mut self) {
        self.pending.clear();
        self.seconds.clear();
        self.enabled = false;
    }
}
