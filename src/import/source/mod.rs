//! Where an import's bytes come from, read once: hashed (sha256 for the ledger) and counted (for
//! the progress bar) as they stream past, and sniffed first so that a ZIP, a spreadsheet, UTF-16
//! text or binary data is refused with a fix instead of being read as garbage rows.

pub mod reuse;
mod workbook;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Result, bail};
use sha2::{Digest, Sha256};

/// An import's input: a file on disk, or bytes shipped inside the binary (the demo's samples).
pub struct ImportSource {
    /// The name users see in summaries and errors (the path as they typed it).
    pub name: String,
    /// The absolute path, when the input is a file.
    pub path: Option<PathBuf>,
    /// Size in bytes, when known, for the progress bar.
    pub len: Option<u64>,
    reader: Box<dyn Read + Send>,
    /// The bytes, when shipped inside the binary (so the input can be read again).
    embedded: Option<&'static [u8]>,
}

impl ImportSource {
    pub fn open(path: &Path) -> Result<ImportSource> {
        let name = path.display().to_string();
        if path.is_dir() {
            bail!(
                "cannot import {name}: it is a folder. Name the CSV files inside it instead, e.g. {name}/*.csv"
            );
        }
        let file = match File::open(path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                bail!(
                    "cannot import {name}: there is no such file. Check the name and the folder you are in"
                )
            }
            Err(err) if err.kind() == io::ErrorKind::PermissionDenied => {
                bail!(
                    "cannot import {name}: permission denied. Check the file's permissions (ls -l) or copy it somewhere you can read"
                )
            }
            Err(err) => bail!("cannot import {name}: {err}"),
        };
        let len = file.metadata().ok().map(|m| m.len());
        Ok(ImportSource {
            name,
            path: Some(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())),
            len,
            reader: Box::new(file),
            embedded: None,
        })
    }

    /// The same input, to be read again from its start (a profile chosen by the header asks
    /// for another encoding or delimiter than the ones found).
    pub fn again(&self) -> Result<ImportSource> {
        match (self.embedded, &self.path) {
            (Some(bytes), _) => Ok(ImportSource::from_bytes(&self.name, bytes)),
            (None, Some(path)) => {
                let mut again = ImportSource::open(path)?;
                again.name = self.name.clone();
                Ok(again)
            }
            (None, None) => bail!("cannot read {} again", self.name),
        }
    }

    pub fn from_bytes(name: &str, bytes: &'static [u8]) -> ImportSource {
        ImportSource {
            name: name.to_string(),
            path: None,
            len: Some(bytes.len() as u64),
            reader: Box::new(bytes),
            embedded: Some(bytes),
        }
    }

    /// Wraps the input for reading: returns a buffered reader of its bytes (the reader decodes
    /// them), and the tap that reports bytes read so far and, at the end, the sha256 of the
    /// whole input.
    ///
    /// A workbook (`.xlsx`, `.xls`, `.ods`) is read whole (the tap sees its bytes) and its sheet,
    /// `sheet` or the first, handed on as CSV text; the notes say which sheet it was.
    pub(super) fn into_reader(self, sheet: Option<&str>) -> Result<Input> {
        let tap = Tap::new();
        let mut reader =
            BufReader::with_capacity(READ_BUFFER, TappedReader::new(self.reader, &tap));
        let head = match reader.fill_buf() {
            Ok(head) => head,
            Err(err) => bail!("cannot read {}: {err}", self.name),
        };
        if workbook::may_be_workbook(head) {
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes)?;
            let sheet = workbook::read_sheet(bytes, sheet, &self.name)?;
            // Its text is counted and hashed no more: the ledger keeps the workbook's sha256.
            let text = TappedReader::new(Box::new(io::Cursor::new(sheet.csv)), &Tap::new());
            return Ok(Input {
                reader: BufReader::with_capacity(READ_BUFFER, text),
                tap,
                notes: sheet.note.into_iter().collect(),
                percentages_unmarked: !sheet.percentages_shown,
            });
        }
        if sheet.is_some() {
            bail!(
                "cannot import {}: --sheet is for workbooks (.xlsx, .xls, .ods), and this is a text file",
                self.name
            );
        }
        sniff_import(&self.name, head)?;
        Ok(Input {
            reader,
            tap,
            notes: Vec::new(),
            percentages_unmarked: false,
        })
    }
}

/// The input as the reader takes it (see `ImportSource::into_reader`).
pub(super) struct Input {
    pub(super) reader: BufReader<TappedReader>,
    pub(super) tap: Tap,
    /// What the source stage says of it (the sheet of a workbook it read).
    pub(super) notes: Vec<String>,
    /// A workbook that does not say which cells are shown as percentages (`.xls`, `.ods`).
    pub(super) percentages_unmarked: bool,
}

/// Refuses inputs that are not CSV text in UTF-8, saying what they look like and how to get a
/// CSV. `verb` is what could not be done ("import", "read"). (An import reads other encodings:
/// see `sniff_import`.)
pub fn sniff(name: &str, verb: &str, head: &[u8]) -> Result<()> {
    sniff_container(name, verb, head)?;
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        bail!(
            "cannot {verb} {name}: it is UTF-16 text (Excel's \"Unicode Text\"), and turnout reads UTF-8 here. \
             Open it and save it as \"CSV UTF-8\" (in Excel: File > Save As > CSV UTF-8), or convert it: iconv -f UTF-16 -t UTF-8 {name} > fixed.csv"
        );
    }
    sniff_binary(name, verb, head)
}

/// Refuses inputs an import cannot read as text in any encoding.
fn sniff_import(name: &str, head: &[u8]) -> Result<()> {
    sniff_container(name, "import", head)?;
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        // UTF-16: every other byte of plain text is zero (see `reader::decoding`).
        return Ok(());
    }
    sniff_binary(name, "import", head)
}

/// Refuses what is not text at all: nothing, archives, workbooks, web pages.
fn sniff_container(name: &str, verb: &str, head: &[u8]) -> Result<()> {
    if head.is_empty() {
        bail!(
            "cannot {verb} {name}: the file is empty (0 bytes). Export it again from the tool; a CSV has at least a header line"
        );
    }
    if head.starts_with(b"PK\x03\x04") {
        bail!(
            "cannot {verb} {name}: it is a ZIP archive (or an Excel .xlsx workbook), not a CSV file. \
             Unzip it and import the CSV files inside, or open the workbook and save it as \"CSV UTF-8\""
        );
    }
    if head.starts_with(b"\x1f\x8b") {
        bail!(
            "cannot {verb} {name}: it is gzip-compressed. Decompress it first (gunzip {name}) and import the CSV"
        );
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0") {
        bail!(
            "cannot {verb} {name}: it is an old Excel .xls workbook. Open it and save it as \"CSV UTF-8\""
        );
    }
    let sample = &head[..head.len().min(512)];
    let text_start = String::from_utf8_lossy(sample).to_ascii_lowercase();
    let text_start = text_start.trim_start();
    if text_start.starts_with("<!doctype html") || text_start.starts_with("<html") {
        bail!(
            "cannot {verb} {name}: it is a web page (HTML), not a CSV file; the download may have \
             needed you to be logged in. Download the export again from the tool while signed in"
        );
    }
    Ok(())
}

fn sniff_binary(name: &str, verb: &str, head: &[u8]) -> Result<()> {
    if head[..head.len().min(8192)].contains(&0) {
        bail!(
            "cannot {verb} {name}: it holds binary data, not CSV text. Check that this is the exported CSV file and not a different download"
        );
    }
    Ok(())
}

/// How much of the input is read at a time.
const READ_BUFFER: usize = 256 * 1024;

/// Shared view of what the tapped reader has seen (the reader may be on another thread).
#[derive(Clone)]
pub(super) struct Tap {
    bytes: Arc<AtomicU64>,
    hasher: Arc<Mutex<Sha256>>,
}

impl Tap {
    fn new() -> Tap {
        Tap {
            bytes: Arc::new(AtomicU64::new(0)),
            hasher: Arc::new(Mutex::new(Sha256::new())),
        }
    }

    pub fn bytes_read(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// The lowercase hex sha256 of every byte read so far.
    pub fn sha256_hex(&self) -> String {
        let hasher = self
            .hasher
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        hex::encode(hasher.clone().finalize())
    }
}

/// The longest line an export may have. A real CSV line is at most a few kilobytes; a longer one
/// means the file is not CSV (or lost its line breaks), and reading on would hold it all in memory.
pub const MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;

pub(super) struct TappedReader {
    inner: Box<dyn Read + Send>,
    tap: Tap,
    /// Lines begun so far (1-based) and bytes since the last line break, for the long-line guard.
    line: u64,
    line_bytes: u64,
}

impl Read for TappedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.tap.bytes.fetch_add(n as u64, Ordering::Relaxed);
        self.tap
            .hasher
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .update(&buf[..n]);
        self.check_line_lengths(&buf[..n])?;
        Ok(n)
    }
}

impl TappedReader {
    fn new(inner: Box<dyn Read + Send>, tap: &Tap) -> TappedReader {
        TappedReader {
            inner,
            tap: tap.clone(),
            line: 1,
            line_bytes: 0,
        }
    }

    fn check_line_lengths(&mut self, chunk: &[u8]) -> io::Result<()> {
        match chunk.iter().rposition(|&b| b == b'\n' || b == b'\r') {
            Some(at) => {
                self.line += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
                self.line_bytes = (chunk.len() - at - 1) as u64;
            }
            None => self.line_bytes += chunk.len() as u64,
        }
        if self.line_bytes > MAX_LINE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "line {} is longer than {} MiB with no line break, so this is not a CSV export \
                     (or its line breaks were lost). Open it in a text editor to check, or export it again",
                    self.line,
                    MAX_LINE_BYTES / (1024 * 1024)
                ),
            ));
        }
        Ok(())
    }
}
