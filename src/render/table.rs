//! The `table` format (comfy-table).
//!
//! An enumeration is one table: rows are instances, columns are
//! properties, chosen and ordered by the rules in [`super::cells`] (or
//! `--columns`), as many as fit the width. A single result (get, set,
//! invoke, identify) is a two-column table of property paths
//! (`Client.Auth.Basic`) and values.
//!
//! A table never gets wider than [`Fit::width`]. In a pipe every row is
//! one line, so `grep` finds whole rows: cells too long for their column
//! are cut and end in a marker (`…`, or `~` without a UTF-8 locale). On a
//! terminal, columns chosen with `--columns` and property/value tables
//! wrap their cells instead, so nothing is lost; automatically chosen
//! columns are cut there too. Borders are box drawing under a UTF-8
//! locale and ASCII otherwise ([`Fit::utf8`]).
//!
//! Columns and their widths are settled on the first 100 rows; the table
//! then streams a block per page like the other formats, so memory stays
//! flat. An enumeration without items prints nothing, unless `--columns`
//! named the columns: then it prints their header.

use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width, presets};
use unicode_width::UnicodeWidthStr;

use crate::protocol::model::Element;

use super::cells::{first_columns, host_first, item_cells, single_rows, with_host};
use super::shape::ArrayHints;

/// The widest an automatically chosen column gets.
const MAX_CELL: usize = 40;

/// How a table fits the output.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    /// The width to fit, in columns.
    pub width: u16,
    /// Wrap cells that do not fit (on a terminal); otherwise rows stay on
    /// one line for `grep`.
    pub wrap: bool,
    /// Whether the output's charset is UTF-8 (the locale says so): box
    /// drawing and `…`; otherwise ASCII borders and `~`.
    pub utf8: bool,
}

impl Fit {
    /// What ends a cut cell: one column wide either way, so a table has the
    /// same layout in both charsets.
    fn marker(self) -> char {
        if self.utf8 { '…' } else { '~' }
    }
}

/// Rows looked at before the columns are settled: enough to judge widths,
/// few enough to show the first rows at once.
const SAMPLE: usize = 100;
/// The widest a column chosen with `--columns` gets before its cells wrap.
const MAX_CHOSEN: usize = 60;

/// Collects enumeration rows and prints them as one table, a block at a
/// time: the header and column widths are fixed after the first
/// [`SAMPLE`] rows, then each page's rows follow as they arrive, so memory
/// stays flat however long the enumeration.
#[derive(Debug)]
pub struct TableBuilder {
    /// Column names, in display order.
    columns: Vec<String>,
    /// Who chose the columns, and whether they are final.
    choice: Choice,
    /// Which user-chosen columns matched a property at least once.
    matched: Vec<bool>,
    /// Rows not printed yet.
    rows: Vec<Vec<String>>,
    fit: Fit,
    /// Content width of each column, once the header is out.
    widths: Option<Vec<usize>>,
    /// Rows name the host they came from, in a first column (a fleet).
    host_column: bool,
    /// A row was added (without one, no column can have matched).
    any_row: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    /// `--columns`: shown as given; long cells wrap.
    User,
    /// Still sampling the first rows; every property is kept.
    Sampling,
    /// Chosen from the sample to fit; cells cut to their column.
    Settled,
}

impl TableBuilder {
    /// A builder showing `columns` (case-insensitive property names), or
    /// choosing columns itself to fit when `None`; with `host_column`, a
    /// first `Host` column holds the host each row came from.
    pub fn new(columns: Option<Vec<String>>, fit: Fit, host_column: bool) -> Self {
        let (choice, mut columns) = match columns {
            Some(columns) => (Choice::User, columns),
            None => (Choice::Sampling, Vec::new()),
        };
        let mut matched = vec![false; columns.len()];
        if choice == Choice::User && host_column {
            host_first(&mut columns, true);
            matched.insert(0, true);
        }
        TableBuilder {
            matched,
            columns,
            choice,
            rows: Vec::new(),
            fit,
            widths: None,
            host_column,
            any_row: false,
        }
    }

    /// Adds one enumeration item (or a single result, in a fleet) as a
    /// row; `host` names where it came from, for the host column.
    pub fn add(&mut self, item: &Element, hints: &ArrayHints, host: Option<&str>) {
        let host = self.host_column.then(|| host.unwrap_or_default());
        let cells = with_host(item_cells(item, hints), host);
        self.any_row = true;
        if self.choice == Choice::Sampling {
            if self.columns.is_empty() {
                self.columns = first_columns(item, &cells);
                host_first(&mut self.columns, self.host_column);
            }
            for (name, _) in &cells {
                if !self.columns.iter().any(|c| c == name) {
                    self.columns.push(name.clone());
                }
            }
        }
        let mut row = vec![String::new(); self.columns.len()];
        for (name, value) in cells {
            if let Some(i) = self
                .columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(&name))
            {
                let value = one_line(&value, self.fit.utf8);
                let marker = self.fit.marker();
                row[i] = match (self.choice, &self.widths) {
                    (Choice::Settled, Some(widths)) => cut(&value, widths[i], marker),
                    (Choice::Settled, None) => cut(&value, MAX_CELL, marker),
                    _ => value,
                };
                if let Some(m) = self.matched.get_mut(i)
                    && !*m
                {
                    // The header takes the property's own spelling.
                    *m = true;
                    self.columns[i] = name;
                }
            }
        }
        self.rows.push(row);
        if self.choice == Choice::Sampling && self.rows.len() == SAMPLE {
            self.settle();
        }
    }

    /// Keeps only the columns that fit, in every row so far and to come.
    fn settle(&mut self) {
        let shown = self.fitting_columns(self.fit.width);
        let marker = self.fit.marker();
        self.columns = shown.iter().map(|&i| self.columns[i].clone()).collect();
        for row in &mut self.rows {
            *row = shown
                .iter()
                .map(|&i| cut(row.get(i).map_or("", String::as_str), MAX_CELL, marker))
                .collect();
        }
        self.choice = Choice::Settled;
    }

    /// The chosen columns that matched no property of any row.
    pub fn unmatched(&self) -> Vec<&str> {
        if !self.any_row {
            return Vec::new();
        }
        super::cells::unmatched(&self.columns, &self.matched)
    }

    /// Writes the rows collected so far, once the sample is complete. The
    /// last row is held back so the final block can close the table.
    pub fn write_ready(&mut self, out: &mut String) {
        let sampled = self.widths.is_some() || self.rows.len() >= SAMPLE;
        if !sampled || self.rows.len() < 2 {
            return;
        }
        let last = self.rows.pop();
        self.write_block(out, false);
        self.rows.extend(last);
    }

    /// Writes the remaining rows and closes the table, ending with a
    /// newline. An enumeration without items has only the header of the
    /// columns the user chose, or nothing when no column is known.
    pub fn finish(&mut self, out: &mut String) {
        if self.rows.is_empty() && self.widths.is_none() && self.choice != Choice::User {
            return;
        }
        self.write_block(out, true);
    }

    /// One block of rows with the table's fixed widths: the first has the
    /// top border and header, only the last has the bottom border.
    fn write_block(&mut self, out: &mut String, last: bool) {
        let fit = self.fit;
        if self.choice == Choice::Sampling {
            self.settle();
        }
        let first = self.widths.is_none();
        let widths = self.widths.get_or_insert_with(|| {
            let cap = if self.choice == Choice::User {
                MAX_CHOSEN
            } else {
                MAX_CELL
            };
            self.columns
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let cells = self.rows.iter().map(|r| r.get(i).map_or(0, |c| c.width()));
                    cells.max().unwrap_or(0).min(cap).max(name.width()).max(1)
                })
                .collect()
        });
        if first {
            shrink_to_fit(widths, usize::from(fit.width));
        }
        // Chosen columns wrap on a terminal; everything else is cut.
        let cuts = self.choice == Choice::Settled || !fit.wrap;
        let fitted = |cell: &str, w: usize| {
            if cuts {
                cut(cell, w, fit.marker())
            } else {
                cell.to_string()
            }
        };

        let mut table = new_table(fit);
        if first {
            let names = self.columns.iter().zip(widths.iter());
            table.set_header(names.map(|(name, &w)| fitted(name, w)));
        }
        for row in self.rows.drain(..) {
            table.add_row(
                row.iter()
                    .zip(widths.iter())
                    .map(|(cell, &w)| fitted(cell, w)),
            );
        }
        let constraints = widths.iter().map(|&w| {
            // Fixed widths count the one-space padding on each side.
            let fixed = u16::try_from(w + 2).unwrap_or(u16::MAX);
            ColumnConstraint::Absolute(Width::Fixed(fixed))
        });
        table.set_constraints(constraints);
        let text = table.to_string();
        let lines: Vec<&str> = text.lines().collect();
        // A continuation drops its own top border; all but the last block
        // drop the bottom border, so the blocks read as one table.
        let start = usize::from(!first);
        let end = if last {
            lines.len()
        } else {
            lines.len().saturating_sub(1)
        };
        for line in lines.get(start..end).unwrap_or_default() {
            out.push_str(line);
            out.push('\n');
        }
    }

    /// The leading columns whose (capped) widths fit in `width`; at least
    /// one.
    fn fitting_columns(&self, width: u16) -> Vec<usize> {
        let mut used = 1usize;
        let mut shown = Vec::new();
        for (i, name) in self.columns.iter().enumerate() {
            let cells = self.rows.iter().map(|r| r.get(i).map_or(0, |c| c.width()));
            let widest = cells.max().unwrap_or(0).max(name.width());
            let needed = widest.min(MAX_CELL) + 3;
            if !shown.is_empty() && used + needed > usize::from(width) {
                continue;
            }
            used += needed;
            shown.push(i);
        }
        shown
    }
}

/// Writes a single result as a property/value table.
///
/// On a terminal the values wrap to fit; in a pipe both columns are cut
/// to fit, one line per property.
pub fn write_single(
    out: &mut String,
    element: &Element,
    hints: &ArrayHints,
    fit: Fit,
    host: Option<&str>,
) {
    let rows: Vec<[String; 2]> = with_host(single_rows(element, hints), host)
        .into_iter()
        .map(|(name, value)| [one_line(&name, fit.utf8), one_line(&value, fit.utf8)])
        .collect();
    let mut table = new_table(fit);
    let header = ["Property", "Value"].map(str::to_string);
    if fit.wrap {
        table.set_header(header);
        table.add_rows(rows);
    } else {
        let mut widths = [0, 1].map(|i| {
            let cells = rows.iter().map(|r| r[i].width());
            cells.max().unwrap_or(0).max(header[i].width())
        });
        shrink_to_fit(&mut widths, usize::from(fit.width));
        let fitted = |row: &[String; 2]| [0, 1].map(|i| cut(&row[i], widths[i], fit.marker()));
        table.set_header(fitted(&header));
        table.add_rows(rows.iter().map(fitted));
    }
    out.push_str(&table.to_string());
    out.push('\n');
}

/// On a terminal, cells wrap to fit its width; in a pipe, every row stays
/// on one line so `grep` sees whole rows.
fn new_table(fit: Fit) -> Table {
    let mut table = Table::new();
    table.load_style(if fit.utf8 {
        presets::UTF8_FULL_CONDENSED
    } else {
        presets::ASCII_FULL_CONDENSED
    });
    table.set_width(fit.width);
    table.set_content_arrangement(if fit.wrap {
        ContentArrangement::Dynamic
    } else {
        ContentArrangement::Disabled
    });
    table
}

/// `text` cut to `max` columns of display width, the last one `marker`.
fn cut(text: &str, max: usize, marker: char) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        used += w;
        cut.push(c);
    }
    cut.push(marker);
    cut
}

/// A cell on one line, and safe for a terminal: line breaks and tabs
/// become spaces, other control characters (a server could send escape
/// sequences) become `�` (`?` outside UTF-8).
fn one_line(text: &str, utf8: bool) -> String {
    let replacement = if utf8 { '\u{FFFD}' } else { '?' };
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => replacement,
            c => c,
        })
        .collect()
}

/// Narrows the widest columns until the table fits `width` (each column
/// costs its content plus three for padding and border, plus one). A
/// column keeps one character, the cut marker, so too many columns for
/// the width still overflow rather than vanish.
fn shrink_to_fit(widths: &mut [usize], width: usize) {
    const NARROWEST: usize = 1;
    loop {
        let total = 1 + widths.iter().map(|w| w + 3).sum::<usize>();
        if total <= width {
            return;
        }
        match widths
            .iter_mut()
            .filter(|w| **w > NARROWEST)
            .max_by_key(|w| **w)
        {
            Some(widest) => *widest -= 1,
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_marks_what_was_dropped() {
        assert_eq!(cut("abcdef", 4, '…'), "abc…");
        assert_eq!(cut("abcdef", 4, '~'), "abc~");
        assert_eq!(cut("abc", 4, '…'), "abc");
        // Wide characters count two columns.
        assert_eq!(cut("日本語テキスト", 7, '…'), "日本語…");
        assert_eq!(cut("日本語テキスト", 7, '…').width(), 7);
    }

    #[test]
    fn cells_stay_on_one_line_and_harmless() {
        assert_eq!(one_line("a\nb\tc\u{1b}[31m", true), "a b c\u{FFFD}[31m");
        assert_eq!(one_line("\u{1b}", false), "?");
    }

    #[test]
    fn chosen_columns_shrink_to_the_terminal() {
        let mut widths = [30, 10, 60];
        shrink_to_fit(&mut widths, 70);
        assert!(
            widths.iter().map(|w| w + 3).sum::<usize>() < 70,
            "{widths:?}"
        );
        assert_eq!(widths[1], 10);
    }
}
