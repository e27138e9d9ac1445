//! Lists of people: the audience an experiment is drawn from, and the holdout and send lists it
//! writes or is given. Any CSV with an email or phone column reads as one (a Mailchimp audience
//! export, Spoke contacts, a CiviCRM or Action Network list), and so does a bare list of emails or
//! phones without a header. Every row keeps its raw bytes, so the files written from a list are
//! the input's own header and rows, byte for byte, ready to upload back to the tool.

use std::ops::Range;
use std::path::Path;

use anyhow::{Context, Result, bail};

pub use crate::import::Recognised;
use crate::people::{IdKind, normalize_email, normalize_phone};

/// A column holding emails or phones.
#[derive(Debug, Clone)]
pub struct IdColumn {
    pub index: usize,
    pub kind: IdKind,
    pub name: String,
}

/// One data row of a list.
#[derive(Debug, Clone)]
pub struct ListRow {
    /// The line the row starts on, as an editor counts them.
    pub line: u64,
    /// The row's bytes in the file, its line ending included.
    pub raw: Range<usize>,
    /// Its readable identifiers, normalized (lower-case emails, E.164 phones).
    pub ids: Vec<(IdKind, String)>,
    /// The value of the strata column, when one was asked for.
    pub stratum: Option<String>,
}

/// A list file, read whole (audiences are thousands of rows, not millions).
#[derive(Debug)]
pub struct ListFile {
    pub name: String,
    /// The import profile that recognised the file, when one did.
    pub profile: Option<String>,
    pub bytes: Vec<u8>,
    /// The header line's bytes (a byte-order mark included); empty for a bare list.
    pub header: Range<usize>,
    pub columns: Vec<String>,
    pub id_columns: Vec<IdColumn>,
    pub rows: Vec<ListRow>,
    /// Lines of rows with no readable email or phone.
    pub unreadable: Vec<u64>,
    /// The line ending the file uses, for a last row that has none.
    pub line_ending: &'static [u8],
}

impl ListFile {
    /// How the identifier columns read, for summaries: "Email Address (email), Phone (phone)".
    pub fn describe_columns(&self) -> String {
        if self.header.is_empty() {
            return "a bare list of emails and phones".to_string();
        }
        self.id_columns
            .iter()
            .map(|c| format!("'{}'", c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Writes the header and the given rows (indexes into `rows`), in the order given.
    pub fn write_rows(&self, indexes: &[usize], path: &Path) -> Result<()> {
        let mut out = Vec::with_capacity(self.bytes.len());
        out.extend_from_slice(&self.bytes[self.header.clone()]);
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.extend_from_slice(self.line_ending);
        }
        for &i in indexes {
            let raw = &self.bytes[self.rows[i].raw.clone()];
            out.extend_from_slice(raw);
            if !raw.ends_with(b"\n") {
                out.extend_from_slice(self.line_ending);
            }
        }
        std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// Whether a header names a column of people's emails or phones (`Email`, `Email Address`,
/// `Phone`, `cell`, `mobile`...), for files no profile knows. Columns of the people who send
/// (a texter's, a sender's) are not the audience.
fn id_kind(header: &str) -> Option<IdKind> {
    let h = header.trim().to_lowercase();
    if ["texter", "sender", "organizer", "owner", "staff"]
        .iter()
        .any(|who| h.contains(who))
    {
        return None;
    }
    if h.contains("email") || h.contains("e-mail") {
        Some(IdKind::Email)
    } else if h.contains("phone")
        || h.contains("mobile")
        || h == "cell"
        || h.ends_with("[cell]")
        || h == "tel"
        || h == "telephone"
    {
        Some(IdKind::Phone)
    } else {
        None
    }
}

fn identifier(text: &str, kind: Option<IdKind>, country: &str) -> Option<(IdKind, String)> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if kind != Some(IdKind::Phone)
        && let Some(email) = normalize_email(text)
    {
        return Some((IdKind::Email, email));
    }
    if kind != Some(IdKind::Email)
        && let Some(phone) = normalize_phone(text, country)
    {
        return Some((IdKind::Phone, phone));
    }
    None
}

/// Which columns of a header hold people's emails and phones, when an import profile knows it.
pub type Recognise<'a> = &'a dyn Fn(&[String]) -> Result<Recognised>;

/// Recognises nothing: columns are found by their names alone.
pub fn by_names(_: &[String]) -> Result<Recognised> {
    Ok(None)
}

/// How a list is read: the strata column whose value each row keeps (compared ignoring case and
/// spaces around), the country of national phone numbers, and the profiles that know the file.
pub struct ReadOptions<'a> {
    pub strata: Option<&'a str>,
    pub country: &'a str,
    pub recognise: Recognise<'a>,
}

/// Reads a list file.
pub fn read(path: &Path, options: &ReadOptions) -> Result<ListFile> {
    let name = path.display().to_string();
    if path.is_dir() {
        bail!("cannot read {name}: it is a folder; name the CSV file inside it");
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            bail!(
                "cannot read {name}: there is no such file. Check the name and the folder you are in"
            )
        }
        Err(err) => bail!("cannot read {name}: {err}"),
    };
    crate::import::sniff(&name, "read", &bytes)?;
    parse(name, bytes, options)
}

/// Reads a list by its column names alone (a Mailchimp audience export's `Email Address` and
/// `Phone Number`, as its profile also reads them).
pub fn parse_with_names(
    name: String,
    bytes: Vec<u8>,
    strata: Option<&str>,
    country: &str,
) -> Result<ListFile> {
    parse(
        name,
        bytes,
        &ReadOptions {
            strata,
            country,
            recognise: &by_names,
        },
    )
}

pub fn parse(name: String, bytes: Vec<u8>, options: &ReadOptions) -> Result<ListFile> {
    let (strata, country) = (options.strata, options.country);
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[start..]);
    let mut record = csv::ByteRecord::new();
    let mut records: Vec<(u64, Range<usize>, Vec<String>)> = Vec::new();
    // Lines as an editor counts them, whatever the line endings: line breaks before the record.
    let (mut line, mut counted) = (1u64, 0usize);
    loop {
        let begin = reader.position().byte() as usize;
        let more = reader
            .read_byte_record(&mut record)
            .with_context(|| format!("{name} is not a CSV file turnout can read"))?;
        if !more {
            break;
        }
        let end = reader.position().byte() as usize;
        let cells = record
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        // A record starts after any blank lines the reader skipped before it.
        let mut from = begin;
        while from < end && matches!(bytes[start + from], b'\r' | b'\n') {
            from += 1;
        }
        line += bytes[start + counted..start + from]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        counted = from;
        records.push((line, start + from..start + end, cells));
    }
    let Some((_, header_raw, header)) = records.first().cloned() else {
        bail!("{name} is empty: a list has a header line and one row per person");
    };
    let line_ending: &'static [u8] = if bytes[header_raw.clone()].ends_with(b"\r\n") {
        b"\r\n"
    } else {
        b"\n"
    };
    let profile = (options.recognise)(&header)?;
    if let Some((profile, columns)) = &profile
        && columns.is_empty()
    {
        bail!(
            "{name} is a {profile} export, which names no one (it has no email or phone of a person); give a list of people, such as an audience export"
        );
    }
    let mut id_columns: Vec<IdColumn> = match &profile {
        Some((_, columns)) => columns
            .iter()
            .map(|&(index, kind)| IdColumn {
                index,
                kind,
                name: header[index].trim().to_string(),
            })
            .collect(),
        None => header
            .iter()
            .enumerate()
            .filter_map(|(index, h)| {
                id_kind(h).map(|kind| IdColumn {
                    index,
                    kind,
                    name: h.trim().to_string(),
                })
            })
            .collect(),
    };
    // No identifier column by name: a bare list whose first line is already a person.
    let bare = id_columns.is_empty()
        && header
            .iter()
            .any(|cell| identifier(cell, None, country).is_some());
    if id_columns.is_empty() && !bare {
        bail!(
            "{name} has no email or phone column (its header: {}). Give a list with a column named like \
             Email, Email Address, Phone or cell, as the tools export them",
            header
                .iter()
                .map(|h| format!("'{h}'"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let strata_index = match strata {
        Some(column) if bare => {
            bail!("--strata {column}: {name} has no header, so it has no columns to balance on")
        }
        Some(column) => Some(
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(column.trim()))
                .with_context(|| {
                    format!(
                        "--strata {column}: {name} has no such column; its columns are {}",
                        header
                            .iter()
                            .map(|h| format!("'{}'", h.trim()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?,
        ),
        None => None,
    };
    let (header_raw, data) = if bare {
        (start..start, &records[..])
    } else {
        (
            if start == 3 {
                0..header_raw.end
            } else {
                header_raw
            },
            &records[1..],
        )
    };
    if bare {
        id_columns = Vec::new();
    }
    let mut rows = Vec::with_capacity(data.len());
    let mut unreadable = Vec::new();
    for (line, raw, cells) in data {
        let ids: Vec<(IdKind, String)> = if bare {
            cells
                .iter()
                .filter_map(|cell| identifier(cell, None, country))
                .collect()
        } else {
            id_columns
                .iter()
                .filter_map(|column| {
                    cells
                        .get(column.index)
                        .and_then(|cell| identifier(cell, Some(column.kind), country))
                })
                .collect()
        };
        if ids.is_empty() {
            unreadable.push(*line);
            continue;
        }
        let stratum = strata_index.map(|i| cells.get(i).map_or("", |c| c.trim()).to_string());
        rows.push(ListRow {
            line: *line,
            raw: raw.clone(),
            ids,
            stratum,
        });
    }
    Ok(ListFile {
        profile: profile.map(|(name, _)| name),
        name,
        columns: if bare { Vec::new() } else { header },
        bytes,
        header: header_raw,
        id_columns,
        rows,
        unreadable,
        line_ending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(strata: Option<&str>) -> ReadOptions<'_> {
        ReadOptions {
            strata,
            country: "US",
            recognise: &by_names,
        }
    }

    fn list(text: &str, strata: Option<&str>) -> ListFile {
        parse("t.csv".into(), text.as_bytes().to_vec(), &options(strata)).unwrap()
    }

    #[test]
    fn finds_identifier_columns_and_keeps_each_row_as_written() {
        let text = "\u{feff}Email Address,First Name,Phone Number,MEMBER_RATING\r\n\
                    a@example.org,Ann,,5\r\n\
                    \"B@Example.org\",\"Bo, Jr\",(510) 555-0101,2\r\n\
                    ,Cy,n/a,3\r\n";
        let file = list(text, Some("member_rating"));
        assert_eq!(file.describe_columns(), "'Email Address', 'Phone Number'");
        assert_eq!(file.rows.len(), 2);
        assert_eq!(file.unreadable, vec![4]);
        assert_eq!(file.rows[1].line, 3);
        assert_eq!(
            file.rows[1].ids,
            vec![
                (IdKind::Email, "b@example.org".to_string()),
                (IdKind::Phone, "+15105550101".to_string())
            ]
        );
        assert_eq!(file.rows[1].stratum.as_deref(), Some("2"));
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        file.write_rows(&[1], &out).unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "\u{feff}Email Address,First Name,Phone Number,MEMBER_RATING\r\n\
             \"B@Example.org\",\"Bo, Jr\",(510) 555-0101,2\r\n"
        );
    }

    #[test]
    fn a_bare_list_has_no_header_and_a_last_row_gets_a_line_ending() {
        let file = list("a@example.org\nb@example.org", None);
        assert_eq!(file.rows.len(), 2);
        assert!(file.header.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        file.write_rows(&[1, 0], &out).unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "b@example.org\na@example.org\n"
        );
    }

    #[test]
    fn a_file_without_identifiers_or_strata_column_is_refused_with_its_columns() {
        let err = parse(
            "t.csv".into(),
            b"name,zip\nAnn,94601\n".to_vec(),
            &options(None),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("has no email or phone column (its header: 'name', 'zip')"),
            "{err}"
        );
        let err = parse(
            "t.csv".into(),
            b"email,rating\na@example.org,1\n".to_vec(),
            &options(Some("stars")),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "--strata stars: t.csv has no such column; its columns are 'email', 'rating'"
        );
    }
}
