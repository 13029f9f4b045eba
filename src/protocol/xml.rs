//! Writing XML text: escaping, and serialising an [`Element`] tree.
//!
//! Used by the envelope builder (a Set puts back the resource it read) and by
//! the `xml`/`pretty` renderers, so both write elements the same way. Prefixes
//! are kept as the server sent them. It parses nothing: reading is
//! [`dom`](super::dom)'s.

use super::model::{Element, Name};
use std::fmt::Write as _;

/// Appends `text` to `out` with `& < > " '` escaped: safe in content (for
/// attribute values, [`escape_attribute_into`] also keeps whitespace).
pub fn escape_into(out: &mut String, text: &str) {
    // DEL and C1 controls (UTF-8 0xC2 0x80..0x9F) go as references: XML
    // allows them raw, but some terminals act on U+009B as on ESC [.
    let needs = |b: u8| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | b'\r' | 0x7F | 0xC2);
    // Most values need no escaping: push them whole.
    if !text.bytes().fold(false, |any, b| any | needs(b)) {
        out.push_str(text);
        return;
    }
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let escaped = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&apos;",
            // Carriage returns would be normalised away by the reader.
            '\r' => "&#13;",
            '\u{7f}'..='\u{9f}' => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        if escaped.is_empty() {
            let _ = write!(out, "&#x{:X};", u32::from(c));
        } else {
            out.push_str(escaped);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&text[start..]);
}

/// Appends an attribute value to `out`: escaped as [`escape_into`] does,
/// plus tabs and line feeds as character references, because a reader
/// turns them into spaces in attribute values (XML 1.0 §3.3.3) and the
/// value would come back changed.
pub fn escape_attribute_into(out: &mut String, value: &str) {
    // Runs between tabs and line feeds go through escape_into whole.
    let mut start = 0;
    for (i, b) in value.bytes().enumerate() {
        let reference = match b {
            b'\t' => "&#9;",
            b'\n' => "&#10;",
            _ => continue,
        };
        escape_into(out, &value[start..i]);
        out.push_str(reference);
        start = i + 1;
    }
    escape_into(out, &value[start..]);
}

/// `text` escaped, as a new string.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

fn qname(out: &mut String, name: &Name) {
    if let Some(prefix) = &name.prefix {
        out.push_str(prefix);
        out.push(':');
    }
    out.push_str(&name.local);
}

/// Serialises `element` into `out`. With `indent`, children go on their own
/// lines indented by that many spaces per level (leaves stay on one line);
/// without, the output is compact.
pub fn write_element(out: &mut String, element: &Element, indent: Option<usize>) {
    write_at(out, element, indent, 0, false);
}

/// Like [`write_element`] with indentation, starting `depth` levels in
/// (for items inside a wrapper element).
pub fn write_element_nested(out: &mut String, element: &Element, step: usize, depth: usize) {
    out.extend(std::iter::repeat_n(' ', step * depth));
    write_at(out, element, Some(step), depth, false);
}

/// `nested`: the element is a child, so with indentation it starts on a
/// new line.
fn write_at(
    out: &mut String,
    element: &Element,
    indent: Option<usize>,
    depth: usize,
    nested: bool,
) {
    if let (Some(step), true) = (indent, nested) {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', step * depth));
    }
    out.push('<');
    qname(out, &element.name);
    for (prefix, uri) in &element.namespaces {
        match prefix {
            Some(p) => {
                out.push_str(" xmlns:");
                out.push_str(p);
                out.push_str("=\"");
            }

            None => out.push_str(" xmlns=\""),
        }
        escape_attribute_into(out, uri);
        out.push('"');
    }
    for attribute in &element.attributes {
        out.push(' ');
        qname(out, &attribute.name);
        out.push_str("=\"");
        escape_attribute_into(out, &attribute.value);
        out.push('"');
    }
    if element.children.is_empty() && element.text.as_deref().is_none_or(str::is_empty) {
        out.push_str("/>");
        return;
    }
    out.push('>');
    if let Some(text) = &element.text {
        escape_into(out, text);
    }
    for c in &element.children {
        write_at(out, c, indent, depth + 1, true);
    }
    if let (Some(step), false) = (indent, element.children.is_empty()) {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', step * depth));
    }
    out.push_str("</");
    qname(out, &element.name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::dom::{element_from_node, parse_document};

    /// Found by the `reply` fuzz target: a tab or line feed in an attribute
    /// came back as a space once written out and read again (what `set`
    /// does with the resource it read).
    #[test]
    fn attribute_whitespace_survives_a_round_trip() {
        let doc = parse_document(
            r#"<p:A xmlns:p="urn:a" x="1&#9;2&#10;3&#13;4"><p:B y="&#9;">t&#9;u</p:B></p:A>"#,
        )
        .expect("parses");
        let element = element_from_node(doc.root_element()).expect("converts");
        let mut text = String::new();
        write_element(&mut text, &element, None);
        assert_eq!(
            text,
            r#"<p:A xmlns:p="urn:a" x="1&#9;2&#10;3&#13;4"><p:B y="&#9;">t	u</p:B></p:A>"#
        );
        let again = parse_document(&text).expect("parses again");
        let back = element_from_node(again.root_element()).expect("converts");
        assert_eq!(back, element);
    }
}
