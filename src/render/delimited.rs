//! The `csv` and `tsv` formats: one line per item, for spreadsheets,
//! `cut`, `awk` and databases.
//!
//! Columns follow the table's rules ([`super::cells`]): `--columns`
//! chooses and orders them, otherwise the key properties come first, then
//! the descriptive ones, then every other property seen. Unlike a table,
//! nothing is ever cut and no column is left out for width. A single
//! result (get, set, invoke, identify) is one row whose columns are its
//! property paths (`Client.Auth.Basic`).
//!
//! The columns are settled on the first [`SAMPLE`] items, which wait
//! until then (or the end); later items print as they arrive, each
//! reduced to the settled columns, so memory stays flat. A property first
//! seen after the sample is not shown: name it with `--columns`.
//!
//! Encoding: csv follows RFC 4180, except that lines end in `\n` (what
//! Unix tools expect): a field holding a comma, a double quote, CR or LF
//! is wrapped in double quotes, with its quotes doubled. tsv has no
//! quoting: a tab, LF or CR inside a value is written as `\t`, `\n` or
//! `\r`. A backslash stays as it is (Windows paths are full of them), so
//! a value that already held `\t` reads back the same as a tab. In both,
//! other control characters (escape sequences from a hostile server)
//! become `�`.
//!
//! A header line comes first unless the caller turns it off; an
//! enumeration without items prints only that header, when the columns
//! are known (`--columns`), and nothing otherwise.

use crate::protocol::model::Element;

use super::cells::{first_columns, host_first, item_cells, single_rows, with_host};
use super::shape::ArrayHints;

/// Items looked at before the columns are settled, as for tables.
const SAMPLE: usize = 100;

/// Which separator, and how values are escaped for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    /// Commas, RFC 4180 quoting.
    Comma,
    /// Tabs, backslash escapes.
    Tab,
}

/// Turns items into delimited lines, settling the columns on the first
/// [`SAMPLE`] of them.
#[derive(Debug)]
pub struct DelimitedWriter {
    delimiter: Delimiter,
    header: bool,
    /// Column names, in order.
    columns: Vec<String>,
    /// Whether the user named the columns.
    chosen: bool,
    /// Which columns matched a property at least once (chosen columns).
    matched: Vec<bool>,
    /// Items waiting for the columns to settle, as their (name, value)
    /// cells.
    pending: Vec<Vec<(String, String)>>,
    settled: bool,
    /// Rows name the host they came from, in a first column (a fleet).
    host_column: bool,
    /// A row was added (without one, no column can have matched).
    any_row: bool,
}

impl DelimitedWriter {
    /// A writer with the user's `columns` (case-insensitive property
    /// names), or choosing its own when `None`; `header` prints the
    /// column names first; with `host_column`, a first `Host` column
    /// holds the host each row came from.
    pub fn new(
        delimiter: Delimiter,
        columns: Option<Vec<String>>,
        header: bool,
        host_column: bool,
    ) -> Self {
        let chosen = columns.is_some();
        let mut columns = columns.unwrap_or_default();
        let mut matched = vec![false; columns.len()];
        if chosen && host_column {
            host_first(&mut columns, true);
            matched.insert(0, true);
        }
        DelimitedWriter {
            delimiter,
            header,
            matched,
            columns,
            chosen,
            pending: Vec::new(),
            settled: false,
            host_column,
            any_row: false,
        }
    }

    /// Adds one enumeration item; `host` names where it came from, for
    /// the host column. What is ready to print goes to `out`.
    pub fn add(
        &mut self,
        item: &Element,
        hints: &ArrayHints,
        host: Option<&str>,
        out: &mut String,
    ) {
        let cells = with_host(item_cells(item, hints), self.host(host));
        self.add_cells(item, cells, out);
    }

    /// Adds a single result as one row. On its own it is the whole
    /// output (header and row: call [`DelimitedWriter::finish`]); in a
    /// fleet's shared writer, each host's result is a row.
    pub fn add_single(
        &mut self,
        element: &Element,
        hints: &ArrayHints,
        host: Option<&str>,
        out: &mut String,
    ) {
        let cells = with_host(single_rows(element, hints), self.host(host));
        self.add_cells(element, cells, out);
    }

    /// The host cell of a row, when rows name their host.
    fn host<'h>(&self, host: Option<&'h str>) -> Option<&'h str> {
        self.host_column.then(|| host.unwrap_or_default())
    }

    fn add_cells(&mut self, item: &Element, cells: Vec<(String, String)>, out: &mut String) {
        self.any_row = true;
        if self.settled {
            self.write_row(&cells, out);
            return;
        }
        if !self.chosen {
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
        self.pending.push(cells);
        if self.pending.len() == SAMPLE {
            self.settle(out);
        }
    }

    /// Fixes the columns (chosen ones take the spelling of the property
    /// they matched) and writes the header and the waiting rows.
    fn settle(&mut self, out: &mut String) {
        self.settled = true;
        for cells in &self.pending {
            for (i, column) in self.columns.iter_mut().enumerate() {
                if let Some(m) = self.matched.get_mut(i)
                    && !*m
                    && let Some((name, _)) =
                        cells.iter().find(|(n, _)| n.eq_ignore_ascii_case(column))
                {
                    *m = true;
                    *column = name.clone();
                }
            }
        }
        if self.header && !self.columns.is_empty() {
            let names: Vec<&str> = self.columns.iter().map(String::as_str).collect();
            self.write_line(&names, out);
        }
        for cells in std::mem::take(&mut self.pending) {
            self.write_row(&cells, out);
        }
    }

    /// Writes what is still waiting (an enumeration shorter than the
    /// sample, or without items).
    pub fn finish(&mut self, out: &mut String) {
        if !self.settled {
            self.settle(out);
        }
    }

    /// The chosen columns that matched no property of any item.
    pub fn unmatched(&self) -> Vec<&str> {
        if !self.any_row {
            return Vec::new();
        }
        super::cells::unmatched(&self.columns, &self.matched)
    }

    fn write_row(&self, cells: &[(String, String)], out: &mut String) {
        let values: Vec<&str> = self
            .columns
            .iter()
            .map(|column| {
                cells
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(column))
                    .map_or("", |(_, v)| v.as_str())
            })
            .collect();
        self.write_line(&values, out);
    }

    fn write_line(&self, fields: &[&str], out: &mut String) {
        for (i, field) in fields.iter().enumerate() {
            match self.delimiter {
                Delimiter::Comma => {
                    if i > 0 {
                        out.push(',');
                    }
                    csv_field(field, out);
                }
                Delimiter::Tab => {
                    if i > 0 {
                        out.push('\t');
                    }
                    tsv_field(field, out);
                }
            }
        }
        out.push('\n');
    }
}

/// RFC 4180: quoted when it holds a separator, a quote or a line break.
fn csv_field(field: &str, out: &mut String) {
    let field = crate::terminal::defused(field);
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&field);
    }
}

/// Tabs and line breaks as backslash escapes, so a row stays one line of
/// tab-separated fields.
fn tsv_field(field: &str, out: &mut String) {
    for c in field.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            // Other control characters could drive the terminal `cat`
            // shows this on.
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(field: &str) -> String {
        let mut out = String::new();
        csv_field(field, &mut out);
        out
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        assert_eq!(csv("plain value"), "plain value");
        assert_eq!(csv("a,b"), "\"a,b\"");
        assert_eq!(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv("cr\r"), "\"cr\r\"");
        assert_eq!(csv(""), "");
    }

    #[test]
    fn tsv_escapes_tabs_and_line_breaks_but_not_backslashes() {
        let mut out = String::new();
        tsv_field("a\tb\r\nC:\\Windows", &mut out);
        assert_eq!(out, "a\\tb\\r\\nC:\\Windows");
    }
}
