//! The render layer: the model → what the user reads.
//!
//! [`Format`] names the output formats; [`Printer`] writes single results and
//! streamed lists to the `Write` it is given; the caller flushes at page
//! boundaries (see [`Printer::flush`]) so an enumeration shows up as it
//! arrives. Renderers are pure: no environment,
//! no terminal queries, no network. One module per format: [`text`]
//! (winrm.cmd's layout) and [`xml`] (as received, or pretty).

pub mod text;
pub mod xml;

use std::io::{self, Write};

use crate::protocol::model::Element;

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
}

impl Format {
    /// Every format with its `-format:` name.
    pub const ALL: [(Format, &'static str); 3] = [
        (Format::Text, "text"),
        (Format::Xml, "xml"),
        (Format::Pretty, "pretty"),
    ];

    /// Parses a `-format:` value; a leading `#` is ignored, as winrm.cmd does.
    pub fn parse(text: &str) -> Option<Format> {
        let name = text.trim().trim_start_matches('#');
        Format::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(f, _)| *f)
    }
}

/// Writes results in one format.
pub struct Printer<'w> {
    format: Format,
    out: &'w mut dyn Write,
    items: usize,
    buffer: String,
}

impl<'w> Printer<'w> {
    /// A printer writing `format` to `out`.
    pub fn new(format: Format, out: &'w mut dyn Write) -> Self {
        Printer {
            format,
            out,
            items: 0,
            buffer: String::with_capacity(4096),
        }
    }

    /// Writes one result (get, set, create, invoke, identify).
    pub fn single(&mut self, element: &Element) -> io::Result<()> {
        self.buffer.clear();
        match self.format {
            Format::Text => text::write(&mut self.buffer, element),
            Format::Xml => xml::write(&mut self.buffer, element, false),
            Format::Pretty => xml::write(&mut self.buffer, element, true),
        }
        self.out.write_all(self.buffer.as_bytes())
    }

    /// Writes one item of a list (an enumeration), with what goes before
    /// it: the opening wrapper for the first, a separator for the others.
    pub fn item(&mut self, element: &Element) -> io::Result<()> {
        self.buffer.clear();
        let first = self.items == 0;
        self.items += 1;
        match self.format {
            Format::Text => {
                if !first {
                    self.buffer.push('\n');
                }
                text::write(&mut self.buffer, element);
            }
            Format::Xml | Format::Pretty => {
                if first {
                    xml::open_results(&mut self.buffer);
                }
                xml::write_item(&mut self.buffer, element, self.format == Format::Pretty);
            }
        }
        self.out.write_all(self.buffer.as_bytes())
    }

    /// Ends a list (closes the XML wrapper; an empty list still gets one).
    pub fn finish_list(&mut self) -> io::Result<()> {
        self.buffer.clear();
        if matches!(self.format, Format::Xml | Format::Pretty) {
            if self.items == 0 {
                xml::open_results(&mut self.buffer);
            }
            xml::close_results(&mut self.buffer);
        }
        self.out.write_all(self.buffer.as_bytes())?;
        self.out.flush()
    }

    /// Pushes what was written out to the terminal or pipe.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// How many list items were written.
    pub fn items(&self) -> usize {
        self.items
    }
}
