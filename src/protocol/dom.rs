//! The parsing primitives every reader shares: bytes → text → a roxmltree
//! document → the owned [`model`](super::model) tree.
//!
//! Owns decoding (UTF-8, UTF-16 with or without BOM, as the HTTP charset or
//! the BOM says), XML parsing with the limits every reply gets (DTDs
//! refused, so entity expansion cannot happen; node count and depth
//! capped), sharing namespace URIs within a document, converting a
//! roxmltree element into an [`Element`], and small lookups on nodes. It is
//! a leaf: it knows the model and the namespace names, and nothing of
//! SOAP, replies, faults, enumerations or errors beyond its own
//! [`Malformed`]. Readers (faults, pages, replies) build on it; it never
//! calls them.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use roxmltree::{Document, Node, ParsingOptions};

use super::model::{Attribute, CompactString, Element, Name};
use super::ns;

/// The most XML nodes one reply may hold (a 512 KB envelope holds far fewer).
pub(crate) const MAX_NODES: u32 = 4_000_000;
/// The deepest element nesting we accept (WS-Man replies are shallow).
pub(crate) const MAX_DEPTH: usize = 200;

/// Text that is not a well-formed XML document in a known encoding, or
/// one beyond our limits. It holds the whole message; the protocol layer
/// reports it as `ProtocolError::Malformed` with the same words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Malformed {}

/// Decodes reply bytes to text. The BOM wins over the declared charset; a
/// declared UTF-16 without BOM is taken as little-endian, as Windows sends it.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Result<String, Malformed> {
    decode_borrowed(bytes, content_type).map(Cow::into_owned)
}

/// [`decode`] without copying UTF-8 text.
pub fn decode_borrowed<'b>(
    bytes: &'b [u8],
    content_type: Option<&str>,
) -> Result<Cow<'b, str>, Malformed> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes).map(Cow::Owned);
    }
    let charset = content_type.and_then(charset_of).unwrap_or_default();
    match charset.as_str() {
        "utf-16" | "utf-16le" => utf16(bytes, u16::from_le_bytes).map(Cow::Owned),
        "utf-16be" => utf16(bytes, u16::from_be_bytes).map(Cow::Owned),
        _ => utf8(bytes),
    }
}

/// The lowercased `charset` parameter of a Content-Type value.
pub fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
    })
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, Malformed> {
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        Malformed(format!(
            "not valid UTF-8 (bad byte at offset {})",
            e.valid_up_to()
        ))
    })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, Malformed> {
    if !bytes.len().is_multiple_of(2) {
        return Err(Malformed(
            "declared UTF-16 but has an odd number of bytes".into(),
        ));
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| Malformed("not valid UTF-16".into()))
}

/// Parses XML text with the limits every reply gets.
pub fn parse_document(text: &str) -> Result<Document<'_>, Malformed> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    // An XML declaration naming UTF-16 is fine once we have decoded the text.
    Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => Malformed(
            "XML with a DTD, which WS-Management forbids; refused without expanding it".into(),
        ),
        other => Malformed(format!("not well-formed XML: {other}")),
    })
}

/// The first child element named `{namespace}local`.
pub fn child<'a, 'i>(node: Node<'a, 'i>, namespace: &str, local: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.has_tag_name((namespace, local)))
}

/// The element's own direct text (its text children joined, not its
/// descendants'), trimmed, if not empty.
pub fn own_text(node: Node) -> Option<String> {
    let text: String = node
        .children()
        .filter(Node::is_text)
        .filter_map(|t| t.text())
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Shares namespace URI strings within one document, so each item's names
/// point at one copy instead of many. A reply uses a handful of namespaces:
/// a short scan beats hashing.
#[derive(Default)]
pub(crate) struct Interner {
    seen: Vec<Arc<str>>,
}

impl Interner {
    /// The shared copy of `uri`.
    pub(crate) fn get(&mut self, uri: &str) -> Arc<str> {
        if let Some(s) = self.seen.iter().find(|s| ***s == *uri) {
            return s.clone();
        }
        let shared: Arc<str> = Arc::from(uri);
        self.seen.push(shared.clone());
        shared
    }
}

/// Converts a roxmltree element and its subtree into an owned [`Element`].
/// The top element gets every inherited namespace declaration its subtree
/// uses, so it serialises as a standalone document.
pub fn element_from_node(node: Node) -> Result<Element, Malformed> {
    let mut interner = NodeInterner::default();
    let mut top = convert(node, &mut interner, 0)?;
    let mut used = Vec::new();
    used_prefixes(&top, &mut used);
    let mut inherited = Vec::new();
    for decl in node.namespaces() {
        let prefix = decl.name();
        let declared = top.namespaces.iter().any(|(p, _)| p.as_deref() == prefix);
        if !declared && used.contains(&prefix) {
            inherited.push((prefix.map(CompactString::new), interner.get(decl.uri())));
        }
    }
    top.namespaces.extend(inherited);
    Ok(top)
}

/// An [`Interner`] first asked by the address where roxmltree keeps the
/// URI (it stores each once per document), which skips the string compare.
#[derive(Default)]
struct NodeInterner {
    by_address: Vec<((usize, usize), Arc<str>)>,
    shared: Interner,
}

impl NodeInterner {
    fn get(&mut self, uri: &str) -> Arc<str> {
        let key = (uri.as_ptr() as usize, uri.len());
        if let Some((_, shared)) = self.by_address.iter().find(|(k, _)| *k == key) {
            return shared.clone();
        }
        let shared = self.shared.get(uri);
        self.by_address.push((key, shared.clone()));
        shared
    }
}

fn convert(node: Node, interner: &mut NodeInterner, depth: usize) -> Result<Element, Malformed> {
    if depth > MAX_DEPTH {
        return Err(Malformed(format!(
            "the reply nests elements more than {MAX_DEPTH} deep"
        )));
    }
    let input = node.document().input_text();
    let qname = &input[node.range().start + 1..];
    let qname_end = qname
        .bytes()
        .position(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/'))
        .unwrap_or(qname.len());
    let prefix = qname[..qname_end]
        .split_once(':')
        .map(|(p, _)| CompactString::new(p));

    let attributes = node
        .attributes()
        .map(|a| {
            let raw = &input[a.range_qname()];
            Attribute {
                name: Name {
                    local: CompactString::new(a.name()),
                    namespace: a.namespace().map(|u| interner.get(u)),
                    prefix: raw.split_once(':').map(|(p, _)| CompactString::new(p)),
                },
                value: CompactString::new(a.value()),
            }
        })
        .collect();

    // Declarations that are new on this element compared with its parent.
    // Most elements declare none; only a start tag that says "xmlns" is
    // worth comparing scopes for.
    let namespaces = if start_tag(node).contains("xmlns") {
        let parent_ns: Vec<(Option<&str>, &str)> = node
            .parent_element()
            .map(|p| p.namespaces().map(|d| (d.name(), d.uri())).collect())
            .unwrap_or_default();
        node.namespaces()
            .filter(|d| !parent_ns.contains(&(d.name(), d.uri())))
            .map(|d| (d.name().map(CompactString::new), interner.get(d.uri())))
            .collect()
    } else {
        Vec::new()
    };

    let mut children = Vec::with_capacity(node.children().filter(Node::is_element).count());
    let mut text: Option<CompactString> = None;
    for c in node.children() {
        if c.is_element() {
            children.push(convert(c, interner, depth + 1)?);
        } else if c.is_text()
            && let Some(t) = c.text()
        {
            match &mut text {
                Some(all) => all.push_str(t),
                None => text = Some(CompactString::new(t)),
            }
        }
    }
    // Text between child elements is layout, not data.
    if !children.is_empty() {
        text = None;
    }

    Ok(Element {
        name: Name {
            local: CompactString::new(node.tag_name().name()),
            namespace: node.tag_name().namespace().map(|u| interner.get(u)),
            prefix,
        },
        attributes,
        namespaces,
        text,
        children,
    })
}

/// The text of an element's start tag (up to its closing '>'), searched
/// from after its last attribute so a '>' inside a value cannot cut it.
fn start_tag<'i>(node: Node<'_, 'i>) -> &'i str {
    let input = node.document().input_text();
    let start = node.range().start;
    let after_attributes = node
        .attributes()
        .map(|a| a.range().end)
        .max()
        .unwrap_or(start);
    let end = input[after_attributes..]
        .find('>')
        .map_or(input.len(), |i| after_attributes + i);
    &input[start..end]
}

/// Prefixes the subtree uses in element names, attribute names and
/// `xsi:type` values (a QName in content).
fn used_prefixes<'e>(element: &'e Element, out: &mut Vec<Option<&'e str>>) {
    let mut add = |p: Option<&'e str>| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    add(element.name.prefix.as_deref());
    for a in &element.attributes {
        if let Some(p) = &a.name.prefix {
            add(Some(p));
        }
        if a.name.local == "type" && a.name.namespace.as_deref() == Some(ns::XSI) {
            add(a.value.split_once(':').map(|(p, _)| p));
        }
    }
    for c in &element.children {
        used_prefixes(c, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf16_with_and_without_bom() {
        let text = "<a>é</a>";
        let mut le: Vec<u8> = vec![0xFF, 0xFE];
        text.encode_utf16().for_each(|u| le.extend(u.to_le_bytes()));
        assert_eq!(decode(&le, None).unwrap(), text);
        let bare: Vec<u8> = le[2..].to_vec();
        assert_eq!(
            decode(&bare, Some("application/soap+xml;charset=UTF-16")).unwrap(),
            text
        );
        assert!(decode(&[0xC3], None).is_err());
    }

    #[test]
    fn refuses_dtds_and_deep_nesting() {
        let dtd = r#"<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>"#;
        assert!(parse_document(dtd).is_err_and(|e| e.0.contains("DTD")));
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 2),
            "</a>".repeat(MAX_DEPTH + 2)
        );
        let doc = parse_document(&deep).expect("well-formed");
        assert!(element_from_node(doc.root_element()).is_err_and(|e| e.0.contains("deep")));
    }
}
