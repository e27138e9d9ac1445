//! Workbooks (`.xlsx`, `.xls`, `.ods`) read as the CSV text of one sheet, so every profile reads
//! them as it reads an export: the first sheet, or the one `--sheet` names. Numbers are written
//! as the workbook holds them (`1234.5`: no locale), dates and times as ISO (`2026-10-05
//! 18:30:00`), a percentage as the percentage its format shows (a cell holding 0.3398 shown as
//! 33.98% is `33.98%`), error cells (`#DIV/0!`) as they show, so their rows are rejected with a
//! reason.

use std::io::Cursor;

use anyhow::{Result, bail};
use calamine::{Data, Reader, open_workbook_auto_from_rs};

/// Whether the file's first bytes are those of a workbook calamine may read: a ZIP (`.xlsx`,
/// `.ods`) or an OLE compound file (`.xls`). A ZIP that is no workbook is told apart when read.
pub fn may_be_workbook(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"\xD0\xCF\x11\xE0")
}

/// One sheet of a workbook, as CSV text, and a note naming the sheet when there are others.
pub struct Sheet {
    pub csv: Vec<u8>,
    pub note: Option<String>,
    /// Whether the workbook says which cells are shown as percentages (only `.xlsx` does: an
    /// `.xls` or `.ods` cell shown as 33.98% arrives as 0.3398).
    pub percentages_shown: bool,
}

/// Reads the sheet named `wanted` (else the first) of the workbook in `bytes`.
pub fn read_sheet(bytes: Vec<u8>, wanted: Option<&str>, name: &str) -> Result<Sheet> {
    let zip = bytes.starts_with(b"PK");
    let office = bytes
        .windows(19)
        .take(4096)
        .any(|w| w == b"[Content_Types].xml")
        || bytes.windows(8).take(4096).any(|w| w == b"mimetype");
    let mut workbook = match open_workbook_auto_from_rs(Cursor::new(bytes)) {
        Ok(workbook) => workbook,
        Err(err) if zip && office => bail!(
            "cannot import {name}: it is a workbook (.xlsx or .ods), but it cannot be read ({err}). Open it and save it as \"CSV UTF-8\""
        ),
        Err(_) if zip => bail!(
            "cannot import {name}: it is a ZIP archive, not a CSV file or a workbook. Unzip it and import the CSV files inside"
        ),
        Err(err) => bail!(
            "cannot import {name}: it looks like an Excel .xls workbook, but it cannot be read ({err}). Open it and save it as \"CSV UTF-8\""
        ),
    };
    let sheets = workbook.sheet_names();
    let Some(first) = sheets.first().cloned() else {
        bail!("cannot import {name}: the workbook has no sheets");
    };
    let sheet = match wanted {
        Some(wanted) => match sheets
            .iter()
            .find(|s| s.eq_ignore_ascii_case(wanted.trim()))
        {
            Some(found) => found.clone(),
            None => bail!(
                "cannot import {name}: the workbook has no sheet called '{wanted}'; its sheets are {}",
                quoted(&sheets)
            ),
        },
        None => first,
    };
    let range = workbook.worksheet_range(&sheet).map_err(|err| {
        anyhow::anyhow!("cannot import {name}: cannot read the sheet '{sheet}': {err}")
    })?;
    // Only .xlsx says how each cell is shown; the others' percentages stay fractions.
    let percentages_shown = matches!(workbook, calamine::Sheets::Xlsx(_));
    let styles = workbook.worksheet_style(&sheet).ok();
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut writer = csv::Writer::from_writer(Vec::new());
    for (r, row) in range.rows().enumerate() {
        writer.write_record(row.iter().enumerate().map(|(c, cell)| {
            let at = (top + r as u32, left + c as u32);
            let percent = styles
                .as_ref()
                .and_then(|s| s.get(at))
                .and_then(|style| style.number_format.as_ref())
                .is_some_and(|format| format.format_code.contains('%'));
            match cell {
                Data::Float(x) if percent => percentage(*x),
                Data::Int(n) if percent => percentage(*n as f64),
                _ => cell_text(cell),
            }
        }))?;
    }
    let note = (sheets.len() > 1).then(|| {
        format!(
            "read the sheet '{sheet}' of {} ({}); choose another with --sheet NAME",
            sheets.len(),
            quoted(&sheets)
        )
    });
    Ok(Sheet {
        csv: writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?,
        note,
        percentages_shown,
    })
}

fn quoted(sheets: &[String]) -> String {
    sheets
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A fraction shown as a percentage: 0.3398 -> `33.98%` (without the float's noise).
fn percentage(fraction: f64) -> String {
    let text = format!("{:.10}", fraction * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// A cell as text a profile reads.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        Data::Float(x) => x.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(moment) => match moment.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.date().to_string(),
            Some(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => moment.as_f64().to_string(),
        },
        Data::Error(error) => error.to_string(),
    }
}
