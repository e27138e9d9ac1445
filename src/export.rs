//! Data that outlives the tool: every table written as UTF-8 CSV (for people and spreadsheets,
//! formulas neutralised) and as JSON (typed, exact, what `restore` reads), with `schema.sql`, a
//! `manifest.json` of row counts and SHA-256 sums, and a README. The hash key is left out unless
//! asked for. `restore` checks the manifest before it writes anything.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, params_from_iter};
use serde_json::{Map, Number, json};
use sha2::{Digest, Sha256};

use crate::output::neutralise_formula;
use crate::people::key_path;
use crate::store::{self, SCHEMA_VERSION, Store};

const MANIFEST: &str = "manifest.json";
const KEY_FILE: &str = "turnout.db.key";

/// One exported table: its name and how many rows.
pub struct Exported {
    pub table: String,
    pub rows: usize,
}

fn tables(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let names = stmt
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

fn sha256_of(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

pub fn export(store: &Store, dir: &Path, with_key: bool) -> Result<Vec<Exported>> {
    if dir.exists() && !dir.is_dir() {
        bail!(
            "{} is a file, not a folder; export into a new or empty folder, e.g. turnout export turnout-export",
            dir.display()
        );
    }
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{} already holds files; export into a new or empty folder so nothing is mixed up",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let conn = store.conn();
    let mut exported = Vec::new();
    let mut files: Vec<(String, usize)> = Vec::new();
    for table in tables(conn)? {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
            .or_else(|_| conn.prepare(&format!("SELECT * FROM \"{table}\"")))?;
        let columns: Vec<String> = stmt.column_names().map(|c| c.to_string()).collect();
        let mut csv = csv::Writer::from_path(dir.join(format!("{table}.csv")))?;
        csv.write_record(&columns)?;
        let mut json_rows: Vec<serde_json::Value> = Vec::new();
        let mut rows = stmt.query([])?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            let mut record = Vec::with_capacity(columns.len());
            let mut object = Map::new();
            for (i, column) in columns.iter().enumerate() {
                let (text, value) = match row.get_ref(i)? {
                    ValueRef::Null => (String::new(), serde_json::Value::Null),
                    ValueRef::Integer(n) => (n.to_string(), json!(n)),
                    ValueRef::Real(x) => (
                        crate::output::plain_number(x),
                        Number::from_f64(x)
                            .map_or(serde_json::Value::Null, serde_json::Value::Number),
                    ),
                    ValueRef::Text(t) => {
                        let t = String::from_utf8_lossy(t).into_owned();
                        (neutralise_formula(&t), serde_json::Value::String(t))
                    }
                    ValueRef::Blob(b) => (hex::encode(b), json!({ "blob_hex": hex::encode(b) })),
                };
                record.push(text);
                object.insert(column.clone(), value);
            }
            csv.write_record(&record)?;
            json_rows.push(serde_json::Value::Object(object));
            count += 1;
        }
        csv.flush()?;
        let json_path = dir.join(format!("{table}.json"));
        std::fs::write(&json_path, serde_json::to_string_pretty(&json_rows)? + "\n")?;
        files.push((format!("{table}.csv"), count));
        files.push((format!("{table}.json"), count));
        exported.push(Exported { table, rows: count });
    }
    // The schema, as SQLite holds it (tables, indexes, views), in creation order so every table
    // comes after the tables it references.
    let mut schema = String::from("-- turnout schema, as exported; PRAGMA user_version = ");
    let _ = writeln!(schema, "{SCHEMA_VERSION}");
    let mut stmt = conn.prepare(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
         ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid",
    )?;
    for sql in stmt.query_map([], |row| row.get::<_, String>(0))? {
        let _ = writeln!(schema, "{};\n", sql?);
    }
    std::fs::write(dir.join("schema.sql"), schema)?;
    files.push(("schema.sql".to_string(), 0));
    std::fs::write(dir.join("README.md"), readme(&exported, with_key))?;
    files.push(("README.md".to_string(), 0));
    if with_key {
        let key = key_path(store.path());
        if !key.exists() {
            bail!(
                "--with-key: this database has no key file ({}); export without it",
                key.display()
            );
        }
        std::fs::copy(&key, dir.join(KEY_FILE))?;
        files.push((KEY_FILE.to_string(), 1));
    }
    let mut entries = Vec::new();
    for (name, rows) in &files {
        entries.push(json!({ "file": name, "rows": rows, "sha256": sha256_of(&dir.join(name))? }));
    }
    let manifest = json!({
        "turnout_version": env!("CARGO_PKG_VERSION"),
        "schema_version": SCHEMA_VERSION,
        "exported_at": store::now_utc(),
        "files": entries,
    });
    std::fs::write(
        dir.join(MANIFEST),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    Ok(exported)
}

fn readme(tables: &[Exported], with_key: bool) -> String {
    let mut text = String::from(
        "# A turnout export\n\n\
         Everything in one turnout database, in open formats. Each table is here twice:\n\n\
         - `TABLE.csv`: UTF-8, RFC 4180, a header row, empty cells for missing values. Text that a\n  \
           spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) has a\n  \
           leading apostrophe; numbers are plain numbers.\n\
         - `TABLE.json`: an array of objects, one per row, with exact types (null, integers, decimals,\n  \
           text): what `turnout restore` reads, losslessly.\n\n\
         `schema.sql` creates the same tables, indexes and views; `manifest.json` lists every file with\n\
         its row count and SHA-256, so a changed or missing file is noticed. People appear only as keyed\n\
         hashes (`person_identifier.hash`); ",
    );
    text.push_str(if with_key {
        "the key that made them is `turnout.db.key`: keep it apart from the data.\n\n"
    } else {
        "the key that made them is not included (export with --with-key to include it).\n\n"
    });
    text.push_str("Restore with: `turnout restore THIS_FOLDER --db new.db`\n\n## Tables\n\n| table | rows | what it holds |\n|---|---|---|\n");
    for t in tables {
        let _ = writeln!(
            text,
            "| `{}` | {} | {} |",
            t.table,
            t.rows,
            describe(&t.table)
        );
    }
    text.push_str(
        "\n## Loading elsewhere\n\n\
         DuckDB: `CREATE TABLE campaign AS SELECT * FROM read_csv('campaign.csv');` (and so on per table).\n\n\
         PostgreSQL: run the CREATE TABLE statements of `schema.sql` (in dependency order) without\n\
         SQLite's STRICT, WITHOUT ROWID and COLLATE NOCASE, then `\\copy TABLE FROM 'TABLE.csv' CSV HEADER`\n\
         per table in the same order.\n",
    );
    text
}

fn describe(table: &str) -> &'static str {
    match table {
        "setting" => "organization settings (time zone, default country)",
        "metric" => "the metric vocabulary: name, family (result or milestone), unit, definition",
        "campaign" => "campaigns: slug, name, team, dates",
        "campaign_code" => "the codes (exact or glob) each campaign claims",
        "effort" => {
            "sends, posts, text campaigns: channel, platform, id, title, audience, send time"
        }
        "import" => {
            "the import ledger: file, sha256, profile, counts of rows read, inserted, updated, unchanged, rejected, skipped"
        }
        "import_issue" => {
            "every rejected or skipped row of every import, and every email or phone a written row named that could not be read (dropped), with its line, column and reason"
        }
        "log_entry" | "log_value" => "numbers logged by hand, with what each correction replaced",
        "metric_value" => "aggregate numbers per campaign, effort, channel, day or week",
        "goal" => "goals: target, start, deadline",
        "person" => "people (ids only)",
        "person_identifier" => "keyed hashes of people's emails and phones",
        "forgotten" => "tombstones: hashes of people who asked to be forgotten",
        "event" => "events and timeslots",
        "touch" => {
            "a person's contact with an effort: the effort, the moment (seconds since 1970, UTC), the person and the kind (see touch_kind)"
        }
        "touch_kind" => {
            "the kinds of touch by their code: 0 opened, 1 clicked, 2 sent, 3 delivered, 4 replied"
        }
        "import_effort" => "which efforts each import wrote touches of, and how many",
        "action" => "offline actions: RSVPs, attendance, calls, donations",
        "touch_fact" | "action_fact" | "aggregate_presence" => {
            "sums kept for fast reports (rebuilt by imports)"
        }
        "cost" => "money and staff time spent",
        "plan_item" => "the publishing calendar",
        "audience_map" => "exported audience names and the organization's own",
        "experiment" => {
            "randomised experiments: the audience file drawn from, share held out, seed, strata"
        }
        "experiment_member" => {
            "who each experiment assigned to be sent or held out (by member number)"
        }
        "experiment_identifier" => "keyed hashes of each experiment member's emails and phones",
        "snapshot_value" => {
            "every snapshot of a cumulative total read (CallPower's statistics), per counter and day; whether it set the counter's numbers"
        }
        "effort_alias" => {
            "other names an export gives an effort (Mailchimp's web id for its Unique Id)"
        }
        _ => "",
    }
}

/// Rebuilds a database at `db_path` from an export, after checking every file of the manifest.
pub fn restore(dir: &Path, db_path: &Path) -> Result<Vec<Exported>> {
    if db_path.exists() {
        bail!(
            "{} already exists; restore into a new file (--db NEW.db) so nothing is overwritten",
            db_path.display()
        );
    }
    let manifest_path = dir.join(MANIFEST);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).with_context(|| {
            format!(
                "{} has no {MANIFEST}: is it a turnout export?",
                dir.display()
            )
        })?)
        .with_context(|| format!("{} is not valid JSON", manifest_path.display()))?;
    let version = manifest["schema_version"].as_i64().unwrap_or(0);
    if !(1..=SCHEMA_VERSION).contains(&version) {
        bail!(
            "the export has schema version {version} and this turnout knows up to {SCHEMA_VERSION}; restore it with the turnout that made it (or a newer one)"
        );
    }
    let files = manifest["files"].as_array().cloned().unwrap_or_default();
    for entry in &files {
        let name = entry["file"].as_str().unwrap_or_default();
        let path = dir.join(name);
        if !path.exists() {
            bail!(
                "{name} is listed in the manifest but missing from {}; nothing was restored",
                dir.display()
            );
        }
        if sha256_of(&path)? != entry["sha256"].as_str().unwrap_or_default() {
            bail!(
                "{name} was changed since the export (its SHA-256 differs from the manifest); nothing was restored"
            );
        }
    }
    if db_path.exists() {
        bail!(
            "{} already exists; restore into a new file so nothing is overwritten",
            db_path.display()
        );
    }
    // An older export fills the tables as its turnout had them; the migrations since then run
    // after, as they would have on that turnout's database.
    let mut store = Store::open_at_version(db_path, version)?;
    let result = fill(&mut store, dir, &files).and_then(|restored| {
        store.migrate()?;
        Ok(restored)
    });
    if result.is_err() {
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
        }
    }
    let restored = result?;
    if dir.join(KEY_FILE).exists() {
        std::fs::copy(dir.join(KEY_FILE), key_path(db_path))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(key_path(db_path), std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(restored)
}

fn fill(store: &mut Store, dir: &Path, files: &[serde_json::Value]) -> Result<Vec<Exported>> {
    let conn = store.conn_mut();
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let tx = conn.transaction()?;
    let names = tables(&tx)?;
    for table in &names {
        tx.execute(&format!("DELETE FROM \"{table}\""), [])?;
    }
    let mut restored = Vec::new();
    for table in &names {
        let file: PathBuf = dir.join(format!("{table}.json"));
        let listed = files
            .iter()
            .any(|f| f["file"].as_str() == Some(&format!("{table}.json")));
        if !listed {
            bail!("the export has no {table}.json in its manifest; it was made by another turnout");
        }
        let rows: Vec<Map<String, serde_json::Value>> =
            serde_json::from_str(&std::fs::read_to_string(&file)?)
                .with_context(|| format!("{} is not a turnout table export", file.display()))?;
        for row in &rows {
            let columns: Vec<&String> = row.keys().collect();
            let sql = format!(
                "INSERT INTO \"{table}\" ({}) VALUES ({})",
                columns
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
                vec!["?"; columns.len()].join(", ")
            );
            let values: Vec<Value> = row
                .values()
                .map(|v| match v {
                    serde_json::Value::Null => Value::Null,
                    serde_json::Value::Bool(b) => Value::Integer(*b as i64),
                    serde_json::Value::Number(n) => match n.as_i64() {
                        Some(i) if !n.is_f64() => Value::Integer(i),
                        _ => Value::Real(n.as_f64().unwrap_or(0.0)),
                    },
                    serde_json::Value::String(s) => Value::Text(s.clone()),
                    serde_json::Value::Object(blob) => match blob
                        .get("blob_hex")
                        .and_then(|h| h.as_str())
                        .and_then(|h| hex::decode(h).ok())
                    {
                        Some(bytes) => Value::Blob(bytes),
                        None => Value::Text(serde_json::Value::Object(blob.clone()).to_string()),
                    },
                    other => Value::Text(other.to_string()),
                })
                .collect();
            tx.prepare_cached(&sql)?.execute(params_from_iter(values))?;
        }
        restored.push(Exported {
            table: table.clone(),
            rows: rows.len(),
        });
    }
    tx.commit()?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let problems: i64 =
        conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| {
            row.get(0)
        })?;
    if problems > 0 {
        bail!("the restored data has {problems} broken reference(s); the export is inconsistent");
    }
    Ok(restored)
}
