//! The render layer: the model → what the user reads.
//!
//! [`Format`] names the output formats; [`Printer`] writes single results and
//! streamed lists to the `Write` it is given; the caller flushes at page
//! boundaries (see [`Printer::flush`]) so an enumeration shows up as it
//! arrives. Renderers are pure: no environment, no terminal queries, no
//! network; the caller decides colour and width and passes them in
//! [`RenderOptions`]. One module per format: [`text`] (winrm.cmd's layout),
//! [`xml`] (as received, or pretty), [`json`] (JSON and JSON Lines) and
//! [`table`], and [`delimited`] (csv and tsv); [`shape`] holds the data
//! rules JSON, tables and delimited rows share, and `cells` the column
//! rules of the last two.

mod cells;
pub mod command;
pub mod delimited;
pub mod hosts;
pub mod json;
pub mod shape;
pub mod table;
pub mod text;
pub mod xml;

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use crate::protocol::model::Element;

pub use shape::ArrayHints;
pub use table::Fit;

/// An output format (`-format:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// winrm.cmd's text layout (the default).
    #[default]
    Text,
    /// The body element as XML, compact.
    Xml,
    /// The body element as indented XML.
    Pretty,
    /// JSON: one object per result; an enumeration is one array.
    Json,
    /// JSON Lines: one compact object per line.
    Jsonl,
    /// A table: instances as rows, properties as columns.
    Table,
    /// Comma-separated values (RFC 4180 quoting), one line per item.
    Csv,
    /// Tab-separated values (tabs and line breaks escaped), one line per
    /// item.
    Tsv,
}

impl Format {
    /// Every format with its `-format:` name, then the aliases.
    pub const ALL: [(Format, &'static str); 9] = [
        (Format::Text, "text"),
        (Format::Xml, "xml"),
        (Format::Pretty, "pretty"),
        (Format::Json, "json"),
        (Format::Jsonl, "jsonl"),
        (Format::Table, "table"),
        (Format::Csv, "csv"),
        (Format::Tsv, "tsv"),
        (Format::Jsonl, "ndjson"),
    ];

    /// Parses a `-format:` value; a leading `#` is ignored, as winrm.cmd does.
    pub fn parse(text: &str) -> Option<Format> {
        let name = text.trim().trim_start_matches('#');
        Format::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(f, _)| *f)
    }

    /// The `-format:` name.
    pub fn name(self) -> &'static str {
        Format::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("text", |(_, n)| n)
    }

    /// Whether this is one of the JSON formats.
    pub fn is_json(self) -> bool {
        matches!(self, Format::Json | Format::Jsonl)
    }

    /// Whether this format has rows and columns (`--columns` applies).
    pub fn has_columns(self) -> bool {
        matches!(self, Format::Table | Format::Csv | Format::Tsv)
    }

    /// The separator of a delimited format.
    fn delimiter(self) -> Option<delimited::Delimiter> {
        match self {
            Format::Csv => Some(delimited::Delimiter::Comma),
            Format::Tsv => Some(delimited::Delimiter::Tab),
            _ => None,
        }
    }
}

/// ANSI colour codes for the parts of the output, or empty strings.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Property names and JSON keys.
    pub key: &'static str,
    /// String values.
    pub string: &'static str,
    /// `null`.
    pub null: &'static str,
    /// Back to normal.
    pub reset: &'static str,
}

impl Palette {
    /// No colour.
    pub const PLAIN: Palette = Palette {
        key: "",
        string: "",
        null: "",
        reset: "",
    };
    /// Colours close to jq's: blue keys, green strings, grey null.
    pub const COLOR: Palette = Palette {
        key: "\x1b[1;34m",
        string: "\x1b[32m",
        null: "\x1b[90m",
        reset: "\x1b[0m",
    };
}

impl Default for Palette {
    fn default() -> Self {
        Palette::PLAIN
    }
}

/// What the caller knows about the output: colour, width, and the user's
/// column and array choices.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Colour codes to use (plain unless stdout is a terminal and colour
    /// is allowed).
    pub palette: Palette,
    /// How tables fit the output.
    pub fit: Fit,
    /// The columns the user chose (`--columns`), for tables, csv and tsv.
    pub columns: Option<Vec<String>>,
    /// Whether csv and tsv start with a header line (not `--no-header`).
    pub header: bool,
    /// Which single properties are arrays (JSON and tables).
    pub arrays: ArrayHints,
    /// The host the results came from, when there are several (a fleet):
    /// tables, csv and tsv show it in a first `Host` column.
    pub host: Option<String>,
    /// The one table every host of a fleet adds its rows to (see
    /// [`SharedTable`]); `None` gives each printer its own.
    pub shared_table: Option<SharedTable>,
    /// The one csv or tsv writer every host of a fleet adds its rows to
    /// (see [`SharedDelimited`]); `None` gives each printer its own.
    pub shared_delimited: Option<SharedDelimited>,
}

/// Rows that several hosts' printers add to one output (a fleet), each
/// with its host in a first column: the table, or the csv/tsv writer.
pub trait SharedRows {
    /// Writes the rows not printed yet (and a header still owed).
    fn finish(&mut self, out: &mut String);
    /// The `--columns` names that matched no property of any row.
    fn unmatched(&self) -> Vec<&str>;
}

impl SharedRows for table::TableBuilder {
    fn finish(&mut self, out: &mut String) {
        table::TableBuilder::finish(self, out);
    }
    fn unmatched(&self) -> Vec<&str> {
        table::TableBuilder::unmatched(self)
    }
}

impl SharedRows for delimited::DelimitedWriter {
    fn finish(&mut self, out: &mut String) {
        delimited::DelimitedWriter::finish(self, out);
    }
    fn unmatched(&self) -> Vec<&str> {
        delimited::DelimitedWriter::unmatched(self)
    }
}

/// One output for the results of several hosts (a fleet). Each host's
/// printer adds rows (single results too, a row each) and writes out the
/// rows that are ready when it flushes, holding the output so that blocks
/// keep their order and the header goes out before any row; columns are
/// settled on the first rows of all hosts together. Whoever runs the fleet
/// prints the rest with [`Shared::finish`] at the end.
#[derive(Debug)]
pub struct Shared<W>(Arc<Mutex<W>>);

impl<W> Clone for Shared<W> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

/// The one table of a fleet.
pub type SharedTable = Shared<table::TableBuilder>;
/// The one csv or tsv writer of a fleet.
pub type SharedDelimited = Shared<delimited::DelimitedWriter>;

impl SharedTable {
    /// A table showing `columns` (or choosing its own), fitted to `fit`.
    pub fn new(columns: Option<Vec<String>>, fit: Fit) -> Self {
        Shared(Arc::new(Mutex::new(table::TableBuilder::new(
            columns, fit, true,
        ))))
    }
}

impl SharedDelimited {
    /// A writer of `format` (csv or tsv) showing `columns` (or choosing
    /// its own), with a header line unless `header` is false.
    pub fn new(format: Format, columns: Option<Vec<String>>, header: bool) -> Self {
        let delimiter = format.delimiter().unwrap_or(delimited::Delimiter::Comma);
        Shared(Arc::new(Mutex::new(delimited::DelimitedWriter::new(
            delimiter, columns, header, true,
        ))))
    }
}

impl<W: SharedRows> Shared<W> {
    fn lock(&self) -> std::sync::MutexGuard<'_, W> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the rows not printed yet and closes the output.
    pub fn finish(&self, out: &mut String) {
        self.lock().finish(out);
    }

    /// The `--columns` names that matched no property of any host's rows
    /// (none when no host added a row).
    pub fn unmatched_columns(&self) -> Vec<String> {
        self.lock()
            .unmatched()
            .into_iter()
            .map(str::to_string)
            .collect()
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            palette: Palette::PLAIN,
            fit: Fit {
                width: 80,
                wrap: false,
                utf8: true,
            },
            columns: None,
            header: true,
            arrays: ArrayHints::default(),
            host: None,
            shared_table: None,
            shared_delimited: None,
        }
    }
}

/// Writes results in one format.
pub struct Printer<'w> {
    format: Format,
    options: RenderOptions,
    out: &'w mut dyn Write,
    items: usize,
    buffer: String,
    table: Option<table::TableBuilder>,
    delimited: Option<delimited::DelimitedWriter>,
}

impl<'w> Printer<'w> {
    /// A printer writing `format` to `out` with default options.
    pub fn new(format: Format, out: &'w mut dyn Write) -> Self {
        Printer::with_options(format, RenderOptions::default(), out)
    }

    /// A printer writing `format` to `out`.
    pub fn with_options(format: Format, options: RenderOptions, out: &'w mut dyn Write) -> Self {
        Printer {
            format,
            options,
            out,
            items: 0,
            buffer: String::with_capacity(4096),
            table: None,
            delimited: None,
        }
    }

    /// Writes one result (get, set, create, invoke, identify).
    pub fn single(&mut self, element: &Element) -> io::Result<()> {
        let element = &*crate::terminal::redacted_element(element);
        self.buffer.clear();
        let options = &self.options;
        if let (Format::Table, Some(shared)) = (self.format, &options.shared_table) {
            shared
                .lock()
                .add(element, &options.arrays, options.host.as_deref());
            return Ok(());
        }
        if let Some(shared) = &options.shared_delimited {
            // Written while the writer is held: the header goes out first.
            let mut writer = shared.lock();
            let host = options.host.as_deref();
            writer.add_single(element, &options.arrays, host, &mut self.buffer);
            return self.out.write_all(self.buffer.as_bytes());
        }
        match self.format {
            Format::Text => text::write(&mut self.buffer, element, options.palette),
            Format::Xml => xml::write(&mut self.buffer, element, false),
            Format::Pretty => xml::write(&mut self.buffer, element, true),
            Format::Json | Format::Jsonl => {
                let pretty = self.format == Format::Json;
                json::JsonWriter::new(&mut self.buffer, pretty, options.palette, &options.arrays)
                    .result(element, 0);
                self.buffer.push('\n');
            }
            Format::Table => table::write_single(
                &mut self.buffer,
                element,
                &options.arrays,
                options.fit,
                options.host.as_deref(),
            ),
            Format::Csv | Format::Tsv => {
                let writer = delimited_writer(&mut self.delimited, self.format, options);
                let host = options.host.as_deref();
                writer.add_single(element, &options.arrays, host, &mut self.buffer);
                writer.finish(&mut self.buffer);
            }
        }
        self.out.write_all(self.buffer.as_bytes())
    }

    /// Writes one item of a list (an enumeration), with what goes before
    /// it: the opening wrapper for the first, a separator for the others.
    /// Tables collect the item; their rows go out at [`Printer::flush`].
    pub fn item(&mut self, element: &Element) -> io::Result<()> {
        let element = &*crate::terminal::redacted_element(element);
        self.buffer.clear();
        let first = self.items == 0;
        self.items += 1;
        let options = &self.options;
        match self.format {
            Format::Text => {
                if !first {
                    self.buffer.push('\n');
                }
                text::write(&mut self.buffer, element, options.palette);
            }
            Format::Xml | Format::Pretty => {
                if first {
                    xml::open_results(&mut self.buffer);
                }
                xml::write_item(&mut self.buffer, element, self.format == Format::Pretty);
            }
            Format::Json => {
                self.buffer.push_str(if first { "[\n  " } else { ",\n  " });
                json::JsonWriter::new(&mut self.buffer, true, options.palette, &options.arrays)
                    .result(element, 1);
            }
            Format::Jsonl => {
                json::JsonWriter::new(&mut self.buffer, false, options.palette, &options.arrays)
                    .result(element, 0);
                self.buffer.push('\n');
            }
            Format::Table => {
                let host = options.host.as_deref();
                if let Some(shared) = &options.shared_table {
                    shared.lock().add(element, &options.arrays, host);
                    return Ok(());
                }
                table_builder(&mut self.table, options).add(element, &options.arrays, host);
                return Ok(());
            }
            Format::Csv | Format::Tsv => {
                let host = options.host.as_deref();
                if let Some(shared) = &options.shared_delimited {
                    // Written while the writer is held: the header goes
                    // out first.
                    let mut writer = shared.lock();
                    writer.add(element, &options.arrays, host, &mut self.buffer);
                    return self.out.write_all(self.buffer.as_bytes());
                }
                delimited_writer(&mut self.delimited, self.format, options).add(
                    element,
                    &options.arrays,
                    host,
                    &mut self.buffer,
                );
            }
        }
        self.out.write_all(self.buffer.as_bytes())
    }

    /// Ends a list: closes the XML wrapper or JSON array (an empty list
    /// still gets one), or prints the table.
    pub fn finish_list(&mut self) -> io::Result<()> {
        self.buffer.clear();
        match self.format {
            Format::Xml | Format::Pretty => {
                if self.items == 0 {
                    xml::open_results(&mut self.buffer);
                }
                xml::close_results(&mut self.buffer);
            }
            Format::Json => self
                .buffer
                .push_str(if self.items == 0 { "[]\n" } else { "\n]\n" }),
            // The fleet closes a shared table; this host's rows are ready.
            Format::Table if self.options.shared_table.is_some() => return self.flush(),
            Format::Csv | Format::Tsv if self.options.shared_delimited.is_some() => {
                return self.flush();
            }
            Format::Table => {
                table_builder(&mut self.table, &self.options).finish(&mut self.buffer);
            }
            Format::Csv | Format::Tsv => {
                delimited_writer(&mut self.delimited, self.format, &self.options)
                    .finish(&mut self.buffer)
            }
            Format::Text | Format::Jsonl => {}
        }
        self.out.write_all(self.buffer.as_bytes())?;
        self.out.flush()
    }

    /// The `--columns` names that matched no property of any item (none
    /// when there was no item to match).
    pub fn unmatched_columns(&self) -> Vec<String> {
        if self.items == 0 {
            return Vec::new();
        }
        let names = match (&self.table, &self.delimited) {
            (Some(t), _) => t.unmatched(),
            (None, Some(d)) => d.unmatched(),
            (None, None) => Vec::new(),
        };
        names.into_iter().map(str::to_string).collect()
    }

    /// Pushes what was written out to the terminal or pipe (for a table,
    /// the rows collected so far, once its columns are settled).
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(table) = &mut self.table {
            self.buffer.clear();
            table.write_ready(&mut self.buffer);
            self.out.write_all(self.buffer.as_bytes())?;
        } else if let (Format::Table, Some(shared)) = (self.format, &self.options.shared_table) {
            // Written while the table is held: blocks go out in order.
            let mut table = shared.lock();
            self.buffer.clear();
            table.write_ready(&mut self.buffer);
            self.out.write_all(self.buffer.as_bytes())?;
            self.out.flush()?;
            return Ok(());
        }
        self.out.flush()
    }

    /// How many list items were written.
    pub fn items(&self) -> usize {
        self.items
    }
}

/// The table in `slot` (a printer's own, not a fleet's), made on first use.
fn table_builder<'s>(
    slot: &'s mut Option<table::TableBuilder>,
    options: &RenderOptions,
) -> &'s mut table::TableBuilder {
    slot.get_or_insert_with(|| {
        table::TableBuilder::new(options.columns.clone(), options.fit, false)
    })
}

/// The csv or tsv writer in `slot`, made on first use.
fn delimited_writer<'s>(
    slot: &'s mut Option<delimited::DelimitedWriter>,
    format: Format,
    options: &RenderOptions,
) -> &'s mut delimited::DelimitedWriter {
    slot.get_or_insert_with(|| {
        let delimiter = format.delimiter().unwrap_or(delimited::Delimiter::Comma);
        delimited::DelimitedWriter::new(
            delimiter,
            options.columns.clone(),
            options.header,
            options.host.is_some(),
        )
    })
}
