//! `turnout import`: read files into the store, one transaction per file, and account for every
//! row. Shows a progress bar for big files (on a terminal only), writes rejected rows to
//! `--rejects`, prints a summary per file, and exits 1 if any file was refused.

use std::fs::File;
use std::io::{BufWriter, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use csv::ByteRecord;
use indicatif::{ProgressBar, ProgressStyle};

use super::flags::FormatArgs;
use super::imports::{count_cells, count_columns};
use super::{Context, date_flag};
use crate::dates::DayRange;
use crate::error::{UsageError, database_advice};
use crate::import::shape::TimeFlags;
use crate::import::{
    self, ImportObserver, ImportOptions, ImportReport, ImportSource, Outcome, RowIssue,
};
use crate::output::{Cell, Column, Format, Report, Section};
use crate::store::settings;
use clap::Args;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV files to import, each in its own transaction
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read the files with this profile instead of recognising them by their header
    #[arg(long)]
    pub profile: Option<String>,
    /// Link every row to this campaign
    #[arg(long, value_name = "SLUG")]
    pub campaign: Option<String>,
    /// Read and count everything, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Write rejected rows to this CSV (the original columns plus line and reason), to fix and re-import
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Time zone of timestamps that carry no offset (default: the profile's, else the organization's)
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// How these files write numbers and dates, e.g. uk-UA, de-DE, en-US (default: the profile's, else `turnout config get locale`)
    #[arg(long, value_name = "TAG", value_parser = crate::locale::Locale::parse)]
    pub locale: Option<crate::locale::Locale>,
    /// The sheet of a workbook (.xlsx, .xls, .ods) to read (default: the first)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Give one of the profile's fields this value on every row, e.g. --set event_date=2026-10-20 (repeat for more)
    #[arg(long, value_name = "FIELD=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
    /// Date for rows that carry none; for a snapshot it is --as-of; default: the import day
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// The day a snapshot (totals since the start, e.g. CallPower's statistics) was downloaded; default: the import day
    #[arg(long, value_name = "DATE", conflicts_with_all = ["period", "begin", "end"])]
    pub as_of: Option<String>,
    /// The period a file of totals covers, when it does not say: a day (2026-10-05), week (2026-W43) or month (2026-10)
    #[arg(long, value_name = "PERIOD", conflicts_with_all = ["begin", "end"])]
    pub period: Option<String>,
    /// With --end: the first day a file of totals covers
    #[arg(long, value_name = "DATE", requires = "end")]
    pub begin: Option<String>,
    /// With --begin: the day after the last one a file of totals covers (exclusive, as in reports)
    #[arg(long, value_name = "DATE", requires = "begin")]
    pub end: Option<String>,
    /// Refuse the whole file if any row is rejected (nothing is written)
    #[arg(long)]
    pub strict: bool,
    /// Also list the columns the profile does not use
    #[arg(long, short)]
    pub verbose: bool,
    /// The hash key is lost: start a new one (people imported from now on are not linked to those before)
    #[arg(long)]
    pub new_key: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `--set FIELD=VALUE`, as a pair.
fn parse_set(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((field, value)) if !field.trim().is_empty() => {
            Ok((field.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!(
            "'{text}' is not FIELD=VALUE: write it as --set event_date=2026-10-20"
        )),
    }
}

/// Files smaller than this import too fast for a progress bar to help.
const PROGRESS_MIN_BYTES: u64 = 1024 * 1024;
/// How many rejected rows per file are listed on screen (all of them go to `--rejects`).
const REJECTS_SHOWN: usize = 10;

pub fn run(context: &Context, args: ImportArgs) -> Result<()> {
    let tz = match args.tz.as_deref() {
        Some(zone) => {
            Some(settings::parse_timezone(zone).map_err(|e| UsageError(format!("--tz: {e:#}")))?)
        }
        None => None,
    };
    let period = match (&args.period, &args.begin, &args.end) {
        (Some(text), _, _) => {
            Some(DayRange::parse(text).map_err(|e| UsageError(format!("--period: {e:#}")))?)
        }
        (None, Some(begin), Some(end)) => {
            Some(DayRange::from_bounds(begin, end).map_err(|e| UsageError(format!("{e:#}")))?)
        }
        _ => None,
    };
    let time = TimeFlags {
        date: date_flag("date", args.date.as_deref())?,
        as_of: date_flag("as-of", args.as_of.as_deref())?,
        period,
    };
    let mut store = context.open()?;
    let options = ImportOptions {
        profile: args.profile.clone(),
        campaign: args.campaign.clone(),
        dry_run: args.dry_run,
        strict: args.strict,
        tz,
        time,
        today: context.today(&store)?,
        verbose: args.verbose,
        new_key: args.new_key,
        locale: args.locale.clone(),
        sheet: args.sheet.clone(),
        set: args.set.clone(),
    };
    let mut rejects = match &args.rejects {
        Some(path) => Some(RejectsSink::new(path)?),
        None => None,
    };
    let show_progress = !context.quiet && std::io::stderr().is_terminal();

    let mut results: Vec<FileResult> = Vec::new();
    for path in &args.files {
        let mut observer = Observer {
            bar: None,
            show_progress,
            rejects: rejects.as_mut(),
            file: path.display().to_string(),
        };
        let result = ImportSource::open(path)
            .and_then(|source| import::import(&mut store, source, &options, &mut observer));
        drop(observer);
        match result {
            Ok(report) => {
                explain(context, &report);
                results.push(FileResult::Read(Box::new(report)));
            }
            Err(err) => {
                let file = path.display().to_string();
                let mut error = format!("{err:#}");
                if !error.contains(&file) {
                    error = format!("cannot import {file}: {error}");
                }
                eprintln!("error: {error}");
                if let Some(advice) = database_advice(&err, store.path()) {
                    eprintln!("  what to do: {advice}");
                    error = format!("{error}. What to do: {advice}");
                }
                results.push(FileResult::Refused { file, error });
            }
        }
    }

    if let Some(sink) = rejects {
        for (path, rows) in sink.finish()? {
            context.note(&format!(
                "Wrote {rows} rejected row(s) to {}: fix them there and import that file again.",
                path.display()
            ));
        }
    }
    context.print(&summary(&results, args.dry_run), args.format.format)?;
    if args.format.format == Format::Table && args.dry_run {
        context.note("Dry run: nothing was written.");
    }

    let refused = results.iter().filter(|r| r.refused()).count();
    if refused > 0 {
        return Err(anyhow!(
            "{refused} of {} file(s) were refused and nothing from them was written; the messages above say why",
            results.len()
        ));
    }
    Ok(())
}

enum FileResult {
    Read(Box<ImportReport>),
    Refused { file: String, error: String },
}

impl FileResult {
    fn refused(&self) -> bool {
        match self {
            FileResult::Read(report) => {
                matches!(
                    report.outcome,
                    Outcome::StrictRefused | Outcome::AllRejected
                )
            }
            FileResult::Refused { .. } => true,
        }
    }
}

/// Rejected rows, skip reasons and notes, on stderr, so stdout stays the summary.
fn explain(context: &Context, report: &ImportReport) {
    let counts = &report.counts;
    if counts.rejected > 0 {
        eprintln!(
            "{}: {} row(s) rejected{}",
            report.file,
            counts.rejected,
            match report.outcome {
                Outcome::StrictRefused => "; --strict refused the whole file, nothing was written",
                Outcome::AllRejected => "; that is every row, so nothing was written",
                _ => "",
            }
        );
        for issue in report.rejected_sample.iter().take(REJECTS_SHOWN) {
            eprintln!("  {}", issue.describe());
        }
        if counts.rejected as usize > REJECTS_SHOWN {
            eprintln!(
                "  ... and {} more; see them all with: turnout imports {} (or use --rejects FILE)",
                counts.rejected as usize - REJECTS_SHOWN,
                report
                    .import_id
                    .map(|id| id.to_string())
                    .unwrap_or_else(|| "ID".to_string())
            );
        }
    }
    for (reason, count) in &report.skipped_reasons {
        context.note(&format!(
            "{}: skipped {count} row(s): {reason}",
            report.file
        ));
    }
    for note in &report.notes {
        context.note(&format!("{}: {note}", report.file));
    }
    if let Some(cause) = &report.refusal {
        eprintln!("{}: refused, every row was rejected: {cause}", report.file);
    }
}

fn summary(results: &[FileResult], dry_run: bool) -> Report {
    let mut section = Section::new(
        "",
        vec![
            Column::new("file", "File"),
            Column::new("profile", "Profile"),
            Column::new("status", "Status"),
        ]
        .into_iter()
        .chain(count_columns())
        .chain([
            Column::tools_only("import_id", "Import"),
            Column::tools_only("same_as", "Same as import"),
            Column::tools_only("sha256", "SHA-256"),
            Column::tools_only("encoding", "Encoding"),
            Column::tools_only("delimiter", "Delimiter"),
            Column::tools_only("dropped_identifiers", "Identifiers dropped"),
            Column::tools_only("error", "Error"),
        ])
        .collect(),
    );
    for result in results {
        match result {
            FileResult::Read(report) => {
                let status = match report.outcome {
                    Outcome::Imported => "imported",
                    Outcome::DryRun => "dry-run",
                    Outcome::StrictRefused => "strict-refused",
                    Outcome::AllRejected => "refused",
                };
                let mut cells = vec![
                    Cell::text(&report.file),
                    Cell::text(&report.profile),
                    Cell::text(status),
                ];
                cells.extend(count_cells(&report.counts));
                cells.extend([
                    report.import_id.map_or(Cell::Missing("-"), Cell::Int),
                    report.same_as.map_or(Cell::Missing("-"), Cell::Int),
                    Cell::text(&report.sha256),
                    Cell::text(&report.encoding),
                    Cell::text(report.delimiter.to_string()),
                    Cell::Int(report.dropped_identifiers as i64),
                    report
                        .refusal
                        .as_deref()
                        .map_or(Cell::Missing(""), Cell::text),
                ]);
                section.push(cells);
            }
            FileResult::Refused { file, error } => {
                // Nothing was read into the database, so no counts: null in JSON, "-" for people.
                let mut cells = vec![Cell::text(file), Cell::Missing("-"), Cell::text("refused")];
                cells.extend(std::iter::repeat_n(Cell::Missing("-"), 12));
                cells.push(Cell::text(error));
                section.push(cells);
            }
        }
    }
    let mut report = Report::single(
        if dry_run {
            "Import (dry run)"
        } else {
            "Import"
        },
        section,
    );
    report.footnotes.push(
        "Every row read is inserted, updated, unchanged, rejected or skipped. Re-importing a file leaves its rows unchanged."
            .to_string(),
    );
    report
}

/// Progress and rejects, wired to the import as it runs.
struct Observer<'a> {
    bar: Option<ProgressBar>,
    show_progress: bool,
    rejects: Option<&'a mut RejectsSink>,
    file: String,
}

impl ImportObserver for Observer<'_> {
    fn wants_rejected_rows(&self) -> bool {
        self.rejects.is_some()
    }
    fn started(&mut self, source: &str, len: Option<u64>) {
        if let Some(len) = len.filter(|&len| self.show_progress && len >= PROGRESS_MIN_BYTES) {
            let bar = ProgressBar::new(len);
            if let Ok(style) =
                ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta} left)")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(source.to_string());
            self.bar = Some(bar);
        }
    }

    fn progress(&mut self, bytes_read: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes_read);
        }
    }

    fn header(&mut self, header: &ByteRecord) -> Result<()> {
        if let Some(sink) = self.rejects.as_deref_mut() {
            sink.begin_file(header)?;
        }
        Ok(())
    }

    fn rejected(&mut self, issue: &RowIssue, record: &ByteRecord) -> Result<()> {
        if let Some(sink) = self.rejects.as_deref_mut() {
            sink.write(&self.file, issue, record)?;
        }
        Ok(())
    }

    fn finished(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Observer<'_> {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// The `--rejects` file: each rejected row as it was, after four columns saying where it came
/// from and why, so it can be fixed in a spreadsheet and imported again (turnout ignores the extra
/// columns). Files with different headers go to numbered siblings (`rejects-2.csv`).
struct RejectsSink {
    path: PathBuf,
    /// One writer per distinct header, in the order they were met.
    outputs: Vec<RejectsOutput>,
    current: Option<usize>,
}

struct RejectsOutput {
    header: ByteRecord,
    path: PathBuf,
    writer: Option<csv::Writer<BufWriter<File>>>,
    rows: u64,
}

const REJECT_COLUMNS: [&str; 4] = [
    "rejected_file",
    "rejected_line",
    "rejected_column",
    "rejected_reason",
];

impl RejectsSink {
    /// Starts afresh: a rejects file left from an earlier run would otherwise look like this run's.
    fn new(path: &Path) -> Result<RejectsSink> {
        if path.is_file() {
            std::fs::remove_file(path)
                .with_context(|| format!("cannot replace the rejects file {}", path.display()))?;
        }
        Ok(RejectsSink {
            path: path.to_path_buf(),
            outputs: Vec::new(),
            current: None,
        })
    }

    fn begin_file(&mut self, header: &ByteRecord) -> Result<()> {
        if let Some(index) = self.outputs.iter().position(|o| o.header == *header) {
            self.current = Some(index);
            return Ok(());
        }
        let path = match self.outputs.len() {
            0 => self.path.clone(),
            n => numbered_sibling(&self.path, n + 1),
        };
        self.outputs.push(RejectsOutput {
            header: header.clone(),
            path,
            writer: None,
            rows: 0,
        });
        self.current = Some(self.outputs.len() - 1);
        Ok(())
    }

    fn write(&mut self, file: &str, issue: &RowIssue, record: &ByteRecord) -> Result<()> {
        let Some(output) = self.current.and_then(|i| self.outputs.get_mut(i)) else {
            return Ok(());
        };
        if output.writer.is_none() {
            // Created on the first rejected row, so a clean import leaves no empty file behind.
            let file = File::create(&output.path).with_context(|| {
                format!("cannot write the rejects file {}", output.path.display())
            })?;
            let mut writer = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(BufWriter::new(file));
            let mut header = ByteRecord::new();
            for column in REJECT_COLUMNS {
                header.push_field(column.as_bytes());
            }
            header.extend(output.header.iter());
            writer.write_byte_record(&header)?;
            output.writer = Some(writer);
        }
        let writer = output.writer.as_mut().expect("created above");
        let mut row = ByteRecord::new();
        row.push_field(file.as_bytes());
        row.push_field(issue.line.to_string().as_bytes());
        row.push_field(
            issue
                .column_number
                .map(|n| n.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        row.push_field(issue.reason.as_bytes());
        row.extend(record.iter());
        writer.write_byte_record(&row)?;
        output.rows += 1;
        Ok(())
    }

    /// Flushes every file; returns each written path with its row count.
    fn finish(self) -> Result<Vec<(PathBuf, u64)>> {
        let mut written = Vec::new();
        for output in self.outputs {
            if let Some(mut writer) = output.writer {
                writer.flush().with_context(|| {
                    format!("cannot write the rejects file {}", output.path.display())
                })?;
                written.push((output.path, output.rows));
            }
        }
        Ok(written)
    }
}

/// `rejects.csv` -> `rejects-2.csv`.
fn numbered_sibling(path: &Path, number: usize) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "rejects".to_string());
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{number}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{number}"),
    };
    path.with_file_name(name)
}
