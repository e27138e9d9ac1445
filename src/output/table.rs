//! Reports as tables for people: fitted to the terminal's width, cells wrapped between words,
//! a table too wide split into blocks of columns, verdicts in colour on a terminal only.

use std::io::{self, Write};

use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::{Alignment, Format, Style};

use super::{Cell, Report, Section, numeric_columns, people_columns};

/// The width tables are wrapped to when neither `COLUMNS` nor the terminal says.
const DEFAULT_WIDTH: usize = 100;

/// Narrower than this, a table cannot show a label and a number side by side.
const NARROWEST_WIDTH: usize = 40;

/// The width to fit: `COLUMNS`, else the terminal's, else 100.
fn table_width() -> usize {
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok());
    let from_terminal = || terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| w.0 as usize);
    from_env
        .or_else(from_terminal)
        .unwrap_or(DEFAULT_WIDTH)
        .max(NARROWEST_WIDTH)
}

/// Verdicts in colour, on a terminal only: never in a pipe or a file, never under `NO_COLOR`.
fn colour_wanted() -> bool {
    use std::io::IsTerminal;
    io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// The colour of a verdict, by its words.
fn verdict_colour(text: &str) -> Option<tabled::settings::Color> {
    use tabled::settings::Color;
    match text {
        "met" | "on track" => Some(Color::FG_GREEN),
        "behind" => Some(Color::FG_YELLOW),
        "missed" => Some(Color::FG_RED),
        _ => None,
    }
}

pub(super) fn render_table(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let width = table_width();
    let colour = colour_wanted();
    if !report.title.is_empty() {
        for line in wrap_words(&report.title, width) {
            writeln!(out, "{line}")?;
        }
    }
    for line in &report.context {
        for wrapped in wrap_words(line, width) {
            writeln!(out, "{wrapped}")?;
        }
    }
    for section in &report.sections {
        if !report.title.is_empty() || !report.context.is_empty() || !section.name.is_empty() {
            writeln!(out)?;
        }
        if !section.name.is_empty() && report.sections.len() > 1 {
            writeln!(out, "{}", section.name)?;
        }
        if section.rows.is_empty() {
            for line in wrap_words(&section.empty, width) {
                writeln!(out, "{line}")?;
            }
            continue;
        }
        let shown = people_columns(section);
        let mut table = build_table(section, &shown, width, colour);
        if table.total_width() > width {
            // Too many columns to fit: blocks of them, each repeating the row labels (hledger).
            let blocks = column_blocks(section, &shown, width);
            if blocks.len() > 1 {
                for (n, block) in blocks.iter().enumerate() {
                    if n > 0 {
                        writeln!(out)?;
                    }
                    writeln!(out, "{}", build_table(section, block, width, colour))?;
                }
                continue;
            }
            table = build_table(section, &shown, width, colour);
        }
        writeln!(out, "{table}")?;
    }
    if !report.footnotes.is_empty() {
        writeln!(out)?;
        for note in &report.footnotes {
            for line in wrap_words(note, width) {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(())
}

/// One table of the section's `shown` columns, numbers right-aligned, prose narrowed to fit
/// `width`, verdicts coloured when `colour`.
fn build_table(section: &Section, shown: &[usize], width: usize, colour: bool) -> tabled::Table {
    let mut builder = Builder::default();
    builder.push_record(shown.iter().map(|&i| section.columns[i].label.clone()));
    for row in &section.rows {
        builder.push_record(shown.iter().map(|&i| row[i].for_people()));
    }
    let mut table = builder.build();
    table.with(Style::rounded());
    let numeric = numeric_columns(section);
    for (position, index) in shown.iter().enumerate() {
        if numeric.contains(index) {
            table.modify(Columns::one(position), Alignment::right());
        }
        if colour && section.columns[*index].key == "verdict" {
            for (r, row) in section.rows.iter().enumerate() {
                if let Some(c) = verdict_colour(&row[*index].for_people()) {
                    table.modify(tabled::settings::object::Cell::new(r + 1, position), c);
                }
            }
        }
    }
    fit_width(&mut table, section, shown, width);
    table
}

/// The shown columns in blocks that each fit `width`: the leading columns that label the rows
/// (text, not numbers) in every block, the rest as many to a block as fit.
fn column_blocks(section: &Section, shown: &[usize], width: usize) -> Vec<Vec<usize>> {
    let numeric = numeric_columns(section);
    let mut labels: Vec<usize> = shown
        .iter()
        .copied()
        .take_while(|i| !numeric.contains(i))
        .collect();
    if labels.len() == shown.len() || labels.is_empty() {
        // All text, or numbers from the start (an id): the first column labels the rows.
        labels = shown.iter().copied().take(1).collect();
    }
    let rest = &shown[labels.len()..];
    // Each column's width as drawn: its widest cell, one space each side and a border.
    let drawn = |i: usize| {
        section
            .rows
            .iter()
            .map(|r| r[i].for_people().chars().count())
            .chain([section.columns[i].label.chars().count()])
            .max()
            .unwrap_or(0)
            + 3
    };
    let mut label_width: usize = 1 + labels.iter().map(|&i| drawn(i)).sum::<usize>();
    let rest =
        if labels.len() > 1 && label_width + drawn(rest.first().copied().unwrap_or(0)) > width {
            // The labels alone leave no room: the first labels the rows, the others are blocks too.
            labels.truncate(1);
            label_width = 1 + drawn(labels[0]);
            &shown[1..]
        } else {
            rest
        };
    let mut blocks = Vec::new();
    let mut block = labels.clone();
    let mut used = label_width;
    for &i in rest {
        if block.len() > labels.len() && used + drawn(i) > width {
            blocks.push(std::mem::replace(&mut block, labels.clone()));
            used = label_width;
        }
        block.push(i);
        used += drawn(i);
    }
    if block.len() > labels.len() || blocks.is_empty() {
        blocks.push(block);
    }
    blocks
}

/// Splits text into lines of at most `width` characters, at spaces; a longer word is split by
/// `split_long_word`.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        for (n, piece) in split_long_word(word, width).into_iter().enumerate() {
            // The pieces of one word are never joined by a space: each after the first starts
            // a line.
            let fits = line.chars().count() + 1 + piece.chars().count() <= width;
            if !line.is_empty() && (n > 0 || !fits) {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&piece);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A cell's text wrapped to `width`, its own line breaks kept.
fn rewrap(text: &str, width: usize) -> String {
    text.lines()
        .flat_map(|line| wrap_words(line, width))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A word longer than the width (a file's path, a list without spaces) in pieces that fit:
/// broken after a `/` where it can be, so each piece of a path stays a whole folder or name.
fn split_long_word(word: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut pieces = Vec::new();
    let mut rest: Vec<char> = word.chars().collect();
    while rest.len() > width {
        let cut = rest[..width]
            .iter()
            .rposition(|c| *c == '/')
            .map_or(width, |slash| slash + 1);
        pieces.push(rest.drain(..cut).collect());
    }
    pieces.push(rest.into_iter().collect());
    pieces
}

/// Narrows the columns of prose (cells with spaces: titles, reasons, fixes) so a wide table fits
/// `width`, wrapping at spaces and never inside a word; ids, paths and numbers are never
/// broken. A table that still does not fit is split into blocks of columns (`column_blocks`).
fn fit_width(table: &mut tabled::Table, section: &Section, shown: &[usize], width: usize) {
    const NARROWEST: usize = 16;
    let mut excess = table.total_width().saturating_sub(width);
    if excess == 0 {
        return;
    }
    let mut prose: Vec<(usize, usize, usize)> = shown
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            section
                .rows
                .iter()
                .any(|r| matches!(&r[**i], Cell::Text(t) if t.contains(' ')))
        })
        .map(|(position, &i)| {
            let texts = || {
                section
                    .rows
                    .iter()
                    .map(|r| r[i].for_people())
                    .chain([section.columns[i].label.clone()])
            };
            let widest = texts().map(|t| t.chars().count()).max().unwrap_or(0);
            // A cell is wrapped between words only: never narrower than its longest word.
            let longest_word = texts()
                .flat_map(|t| {
                    t.split_whitespace()
                        .map(|w| w.chars().count())
                        .collect::<Vec<_>>()
                })
                .max()
                .unwrap_or(0);
            (position, widest, longest_word)
        })
        .collect();
    prose.sort_by_key(|(_, widest, _)| std::cmp::Reverse(*widest));
    let mut narrowed = std::collections::HashMap::new();
    for (position, width, longest_word) in prose {
        let narrowest = NARROWEST.max(longest_word);
        if excess == 0 || width <= narrowest {
            continue;
        }
        let target = width.saturating_sub(excess).max(narrowest);
        excess -= width - target;
        narrowed.insert(position, target);
        // Our own wrapping, not tabled's keep_words: that one starts a wrapped line with the
        // space it broke at.
        table.modify(
            Columns::one(position),
            Format::content(move |text| rewrap(text, target)),
        );
    }
    // Still too wide: a long token (a file's path, a list without spaces) wraps where it
    // must, never below 40.
    let mut excess = table.total_width().saturating_sub(width);
    if excess > 0 {
        for (position, &i) in shown.iter().enumerate() {
            let widest = narrowed.get(&position).copied().unwrap_or_else(|| {
                section
                    .rows
                    .iter()
                    .map(|r| r[i].for_people().chars().count())
                    .max()
                    .unwrap_or(0)
            });
            if excess == 0 || widest <= 40 || numeric_columns(section).contains(&i) {
                continue;
            }
            let target = widest.saturating_sub(excess).max(40);
            excess -= widest - target;
            table.modify(
                Columns::one(position),
                Format::content(move |text| rewrap(text, target)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_at_spaces_and_never_start_with_one() {
        assert_eq!(
            wrap_words("1 row(s) carry it and no campaign claims it", 17),
            ["1 row(s) carry it", "and no campaign", "claims it"]
        );
    }

    #[test]
    fn a_long_path_breaks_after_a_folder() {
        let path = "imports/samples/mailchimp-account-export/granular_activity/opens/7412204_fair-rent-now-4.csv";
        assert_eq!(
            wrap_words(path, 70),
            [
                "imports/samples/mailchimp-account-export/granular_activity/opens/",
                "7412204_fair-rent-now-4.csv"
            ]
        );
        // A name longer than the width has no folder to break after: it breaks where it must.
        assert_eq!(
            wrap_words("see abcdefghij/klm", 8),
            ["see", "abcdefgh", "ij/klm"]
        );
    }
}
