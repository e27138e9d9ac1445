//! Text in the encoding a tool or Excel saved it in, read as UTF-8. Excel in most of the world
//! saves "CSV" in the system's code page (Windows-1251 for Cyrillic, 1252 for Western Europe),
//! "Unicode Text" as UTF-16, and "CSV UTF-8" with a byte-order mark. The encoding is, in order:
//! the byte-order mark's, the profile's (`encoding`), UTF-8 when the file's start is valid
//! UTF-8, else the guess of `chardetng` (the detector Firefox uses) over the file's start.

use std::io::{self, BufRead, BufReader, Read};

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8};
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

use crate::import::source::TappedReader;

/// How the encoding was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// The file starts with a byte-order mark.
    ByteOrderMark,
    /// The profile says so.
    Pinned,
    /// The file's start is valid UTF-8 (or plain ASCII).
    ValidUtf8,
    /// Guessed from the letters of the file's start.
    Guessed,
}

/// The encoding a file is read in, and how it was found.
#[derive(Debug, Clone, Copy)]
pub struct Decoding {
    pub encoding: &'static Encoding,
    pub found: Found,
}

impl Decoding {
    /// What the import summary says of it: nothing for UTF-8, the common case.
    pub fn note(&self) -> Option<String> {
        if self.encoding == UTF_8 {
            return None;
        }
        let how = match self.found {
            Found::ByteOrderMark => "from its byte-order mark",
            Found::Pinned => "as its profile says",
            Found::ValidUtf8 | Found::Guessed => "detected",
        };
        Some(format!("read as {} text ({how})", self.name()))
    }

    /// The encoding's name as people know it (`Windows-1251`, `UTF-16LE`).
    pub fn name(&self) -> String {
        display_name(self.encoding)
    }
}

/// `windows-1251` -> `Windows-1251`; `UTF-16LE` as it is.
pub fn display_name(encoding: &'static Encoding) -> String {
    let name = encoding.name();
    match name.strip_prefix("windows-") {
        Some(page) => format!("Windows-{page}"),
        None => name.to_string(),
    }
}

/// The encoding named in a profile (any label the WHATWG Encoding Standard knows: `utf-8`,
/// `windows-1251`, `cp1252`, `utf-16le`, `latin1`...).
pub fn by_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Chooses the encoding of a file from its first bytes.
pub fn choose(head: &[u8], pinned: Option<&'static Encoding>) -> Decoding {
    if let Some((encoding, _)) = Encoding::for_bom(head) {
        return Decoding {
            encoding,
            found: Found::ByteOrderMark,
        };
    }
    if let Some(encoding) = pinned {
        return Decoding {
            encoding,
            found: Found::Pinned,
        };
    }
    match std::str::from_utf8(head) {
        // A character cut in two at the end of what was read is still UTF-8.
        Err(error) if error.error_len().is_some() => {
            let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
            detector.feed(head, true);
            Decoding {
                encoding: detector.guess(None, Utf8Detection::Deny),
                found: Found::Guessed,
            }
        }
        _ => Decoding {
            encoding: UTF_8,
            found: Found::ValidUtf8,
        },
    }
}

/// A file's text as UTF-8: UTF-8 passes through untouched (a cell that is not UTF-8 is still
/// rejected with its line), any other encoding is converted as it streams.
pub struct TextReader {
    /// Text read ahead by `peek`, given out first.
    ahead: io::Cursor<Vec<u8>>,
    source: Source,
}

enum Source {
    Utf8(BufReader<TappedReader>),
    Converted(Box<DecodeReaderBytes<BufReader<TappedReader>, Vec<u8>>>),
}

impl TextReader {
    pub fn new(mut raw: BufReader<TappedReader>, decoding: Decoding) -> TextReader {
        let source = if decoding.encoding == UTF_8 {
            if decoding.found == Found::ByteOrderMark {
                raw.consume(3);
            }
            Source::Utf8(raw)
        } else {
            Source::Converted(Box::new(
                DecodeReaderBytesBuilder::new()
                    .encoding(Some(decoding.encoding))
                    .bom_override(true)
                    .strip_bom(true)
                    .build(raw),
            ))
        };
        TextReader {
            ahead: io::Cursor::new(Vec::new()),
            source,
        }
    }

    /// The text's first `len` bytes (fewer when it is shorter), still to be read.
    pub fn peek(&mut self, len: usize) -> io::Result<&[u8]> {
        let mut ahead = std::mem::take(self.ahead.get_mut());
        let start = ahead.len();
        ahead.resize(len.max(start), 0);
        let mut filled = start;
        while filled < len {
            match self.read_source(&mut ahead[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        ahead.truncate(filled);
        self.ahead = io::Cursor::new(ahead);
        Ok(self.ahead.get_ref())
    }

    fn read_source(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.source {
            Source::Utf8(reader) => reader.read(buf),
            Source::Converted(reader) => reader.read(buf),
        }
    }
}

impl Read for TextReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if (self.ahead.position() as usize) < self.ahead.get_ref().len() {
            return self.ahead.read(buf);
        }
        self.read_source(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_found_by_mark_profile_validity_and_guess() {
        let utf16 = choose(b"\xFF\xFEa\0,\0", None);
        assert_eq!(
            (utf16.name(), utf16.found),
            ("UTF-16LE".to_string(), Found::ByteOrderMark)
        );
        assert_eq!(choose(b"\xEF\xBB\xBFa,b", None).found, Found::ByteOrderMark);
        assert_eq!(choose("Ім'я,b".as_bytes(), None).found, Found::ValidUtf8);
        // "Прізвище;Ім'я;Телефон" as Windows-1251 saves it.
        let (cp1251, _, _) =
            encoding_rs::WINDOWS_1251.encode("Прізвище;Ім'я;Телефон\nШевченко;Олена;067\n");
        let guessed = choose(&cp1251, None);
        assert_eq!(
            (guessed.name(), guessed.found),
            ("Windows-1251".to_string(), Found::Guessed)
        );
        let pinned = choose(&cp1251, by_label("cp1251"));
        assert_eq!(
            (pinned.name(), pinned.found),
            ("Windows-1251".to_string(), Found::Pinned)
        );
        assert_eq!(
            pinned.note().as_deref(),
            Some("read as Windows-1251 text (as its profile says)")
        );
        // A character cut in two at the end of what was read is not a reason to guess.
        assert_eq!(
            choose(&"Олена".as_bytes()[..3], None).found,
            Found::ValidUtf8
        );
    }
}
