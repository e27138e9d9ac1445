//! Property tests of the import, run in-process through the library (thousands of imports would
//! take minutes as separate processes): arbitrary bytes and arbitrary CSV through every profile
//! never panic and account for every row; importing a file twice equals importing it once; and
//! for files that do not overlap, A then B equals B then A.

use std::path::PathBuf;

use chrono::NaiveDate;
use proptest::prelude::*;
use tempfile::TempDir;
use turnout::import::{self, ImportOptions, ImportReport, ImportSource, Silent};
use turnout::store::Store;

/// One fixed key for every database here, so people hash the same way in each and databases can
/// be compared.
const KEY: &str = "6b6579206f6620746865207072f0706572747920746573747320283332206229";

struct Db {
    dir: TempDir,
    store: Store,
}

impl Db {
    fn new() -> Db {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("turnout.db");
        std::fs::write(dir.path().join("turnout.db.key"), format!("{KEY}\n")).unwrap();
        let store = Store::open(&path).unwrap();
        store
            .conn()
            .execute(
                "INSERT INTO campaign (slug, name, created_at) VALUES ('fair-rent-now', 'Fair Rent Now', '2026-09-01T00:00:00Z')",
                [],
            )
            .unwrap();
        Db { dir, store }
    }

    /// Imports `bytes` as the file `name` (Mailchimp's granular exports name their send in it).
    fn import(
        &mut self,
        name: &str,
        bytes: &[u8],
        profile: Option<&str>,
    ) -> anyhow::Result<ImportReport> {
        let path: PathBuf = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let options = ImportOptions {
            profile: profile.map(str::to_string),
            campaign: None,
            dry_run: false,
            strict: false,
            tz: None,
            time: Default::default(),
            today: NaiveDate::from_ymd_opt(2026, 10, 20).unwrap(),
            verbose: false,
            new_key: false,
            locale: None,
            sheet: None,
            set: Vec::new(),
        };
        let source = ImportSource::open(&path)?;
        import::import(&mut self.store, source, &options, &mut Silent)
    }

    fn ledger_size(&self) -> i64 {
        self.store
            .conn()
            .query_row("SELECT count(*) FROM import", [], |row| row.get(0))
            .unwrap()
    }

    /// Everything imported, without the ids that depend on the order rows arrived in.
    fn content(&self) -> Vec<String> {
        let queries = [
            "SELECT 'touch', t.kind, t.at, e.platform, e.external_id,
                    (SELECT hex(min(hash)) FROM person_identifier WHERE person_id = t.person_id)
             FROM touch t JOIN effort e ON e.id = t.effort_id",
            "SELECT 'person', (SELECT group_concat(hex(hash), ' ') FROM
                    (SELECT hash FROM person_identifier i WHERE i.person_id = p.id ORDER BY hash))
             FROM person p",
            "SELECT 'fact', e.platform, e.external_id, f.metric, f.period_start, f.value
             FROM touch_fact f JOIN effort e ON e.id = f.effort_id",
            "SELECT 'value', campaign_id, channel, metric, grain, period_start, value FROM metric_value",
        ];
        let mut rows = Vec::new();
        for sql in queries {
            let mut statement = self.store.conn().prepare(sql).unwrap();
            let width = statement.column_count();
            let found = statement
                .query_map([], |row| {
                    let cells: Vec<String> = (0..width)
                        .map(|i| {
                            row.get_ref(i).map(|value| match value {
                                rusqlite::types::ValueRef::Null => "NULL".to_string(),
                                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                                rusqlite::types::ValueRef::Real(x) => x.to_string(),
                                rusqlite::types::ValueRef::Text(t)
                                | rusqlite::types::ValueRef::Blob(t) => {
                                    String::from_utf8_lossy(t).into_owned()
                                }
                            })
                        })
                        .collect::<Result<_, _>>()?;
                    Ok(cells.join("|"))
                })
                .unwrap()
                .map(Result::unwrap);
            rows.extend(found);
        }
        rows.sort();
        rows
    }
}

/// Every profile's name, whether its file has a header, and the column names it reads.
fn profiles() -> Vec<(String, bool, Vec<String>)> {
    let db = Db::new();
    import::profile_summaries(&db.store)
        .unwrap()
        .into_iter()
        .map(|summary| {
            if summary.name == "turnout-metrics" {
                let columns = [
                    "date", "campaign", "channel", "effort", "metric", "value", "source",
                ];
                return (summary.name, true, columns.map(str::to_string).to_vec());
            }
            let (spec, _) = import::profile_spec(&db.store, &summary.name).unwrap();
            let columns = spec
                .fields
                .values()
                .filter_map(|field| field.headers.first().cloned())
                .collect();
            (summary.name, spec.header, columns)
        })
        .collect()
}

/// Cells like the ones real exports hold, and hostile ones.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "2026-(09|10)-[0-2][1-9] [01][0-9]:[0-5][0-9]:[0-5][0-9]",
        "2026-(09|10)-[0-2][1-9]",
        "2026-W(3[6-9]|4[0-4])",
        "[0-9]{1,5}",
        "[0-9]{1,2}\\.[0-9]{2}%",
        "-[0-9]{1,3}",
        "[a-z]{1,8}@example\\.(org|com)",
        "\\+1510555[0-9]{4}",
        "(fair-rent-now|em_0915|sms_0923|email|sms|field|doors|calls|rsvps|opens|DELIVERED|true|false)",
        Just(String::new()),
        Just("-".to_string()),
        Just("=1+2".to_string()),
        "\\PC{0,16}",
    ]
}

fn write_csv(header: Option<&[String]>, rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    if let Some(header) = header {
        writer.write_record(header).unwrap();
    }
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.into_inner().unwrap()
}

/// A granular-opens export of the given (day, minute, person) rows.
fn opens(rows: &[(u32, u32, u32)]) -> Vec<u8> {
    let mut text = String::from("Timestamp,Email\n");
    for (day, minute, person) in rows {
        text.push_str(&format!(
            "2026-09-{day:02} {:02}:{:02}:00,person{person}@example.org\n",
            minute / 60,
            minute % 60
        ));
    }
    text.into_bytes()
}

/// A hand-logged weekly sheet of the given (week, metric, value) rows.
fn weekly(rows: &[(u32, usize, i64)]) -> Vec<u8> {
    let metrics = ["doors", "calls", "signups", "rsvps"];
    let mut text = String::from("date,campaign,metric,value\n");
    for (week, metric, value) in rows {
        text.push_str(&format!(
            "2026-W{week},fair-rent-now,{},{value}\n",
            metrics[*metric]
        ));
    }
    text.into_bytes()
}

fn accounted(report: &ImportReport) -> bool {
    report.counts.balances()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_and_a_refusal_writes_nothing(
        bytes in prop::collection::vec(any::<u8>(), 0..3000),
        printable in "[ -~\n\r\t]{0,800}",
    ) {
        // Every profile, and recognition by header.
        let names: Vec<Option<String>> = std::iter::once(None)
            .chain(profiles().into_iter().map(|(name, _, _)| Some(name)))
            .collect();
        let mut db = Db::new();
        for input in [bytes, printable.into_bytes()] {
            for name in &names {
                let ledger = db.ledger_size();
                match db.import("export.csv", &input, name.as_deref()) {
                    Ok(report) => prop_assert!(accounted(&report), "{:?}", report.counts),
                    Err(_) => prop_assert_eq!(db.ledger_size(), ledger),
                }
            }
        }
    }

    #[test]
    fn arbitrary_csv_through_every_profile_accounts_for_every_row(
        keep in prop::collection::vec(prop::bool::weighted(0.85), 40),
        rows in prop::collection::vec(prop::collection::vec(cell(), 1..12), 0..25),
    ) {
        let mut db = Db::new();
        for (name, has_header, columns) in profiles() {
            // Most columns kept (a missing required one refuses the file), in the profile's order.
            let header: Vec<String> = columns
                .iter()
                .zip(keep.iter().cycle())
                .filter(|(_, keep)| **keep || columns.len() < 3)
                .map(|(column, _)| column.clone())
                .collect();
            let bytes = write_csv(has_header.then_some(header.as_slice()), &rows);
            let ledger = db.ledger_size();
            match db.import("export.csv", &bytes, Some(&name)) {
                Ok(report) => {
                    prop_assert!(accounted(&report), "{name}: {:?}", report.counts);
                    if name != "mailchimp-campaign-report" {
                        // Key/value reports fold their lines into one row; every other layout
                        // reads each record as a row.
                        prop_assert_eq!(report.counts.rows_read as usize, rows.len(), "{}", name);
                    }
                }
                Err(_) => prop_assert_eq!(db.ledger_size(), ledger),
            }
        }
    }

    #[test]
    fn importing_a_file_twice_equals_importing_it_once(
        opens_rows in prop::collection::vec((1u32..29, 0u32..1440, 0u32..40), 0..60),
        weekly_rows in prop::collection::vec((36u32..45, 0usize..4, 0i64..500), 0..20),
    ) {
        for bytes in [opens(&opens_rows), weekly(&weekly_rows)] {
            let mut once = Db::new();
            let first = once.import("4e1b27_export.csv", &bytes, None).unwrap();
            let mut twice = Db::new();
            twice.import("4e1b27_export.csv", &bytes, None).unwrap();
            let second = twice.import("4e1b27_export.csv", &bytes, None).unwrap();
            prop_assert_eq!(second.counts.inserted + second.counts.updated, 0);
            prop_assert_eq!(second.counts.rejected, first.counts.rejected);
            prop_assert!(accounted(&second));
            prop_assert_eq!(once.content(), twice.content());
        }
    }

    #[test]
    fn non_overlapping_files_give_the_same_result_in_either_order(
        a_rows in prop::collection::vec((1u32..15, 0u32..1440, 0u32..40), 0..50),
        b_rows in prop::collection::vec((15u32..29, 0u32..1440, 0u32..40), 0..50),
        a_weeks in prop::collection::vec((36u32..40, 0usize..4, 0i64..500), 0..12),
        b_weeks in prop::collection::vec((40u32..45, 0usize..4, 0i64..500), 0..12),
    ) {
        let pairs = [(opens(&a_rows), opens(&b_rows)), (weekly(&a_weeks), weekly(&b_weeks))];
        for (a, b) in pairs {
            let mut forward = Db::new();
            forward.import("4e1b27_first.csv", &a, None).unwrap();
            forward.import("9c02d1_second.csv", &b, None).unwrap();
            let mut backward = Db::new();
            backward.import("9c02d1_second.csv", &b, None).unwrap();
            backward.import("4e1b27_first.csv", &a, None).unwrap();
            prop_assert_eq!(forward.content(), backward.content());
        }
    }
}
