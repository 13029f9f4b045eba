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
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::Hash;
use std::sync::Arc;

use roxmltree::{Document, Node, ParsingOptions};

use super::model::{Attribute, CompactString, Element, Name, ThinVec};
use super::ns;

/// The most XML nodes one reply may hold (a 512 KB envelope holds far fewer).
pub(crate) const MAX_NODES: u32 = 4_000_000;
/// The deepest element nesting we accept (WS-Man replies are shallow).
pub(crate) const MAX_DEPTH: usize = 200;
/// The most attributes one start tag may hold, namespace declarations
/// included. WS-Man elements carry a handful; roxmltree checks each new
/// attribute against the tag's others, so this bounds that square.
pub(crate) const MAX_ATTRIBUTES: usize = 1_024;
/// The most namespace prefixes in scope at one element (replies use about
/// a dozen). roxmltree compares an element's scope with its parent's when
/// it declares anything, so this bounds that square too.
pub(crate) const MAX_IN_SCOPE: usize = 128;
/// The most namespace declarations one reply may hold. Pages repeat a few
/// on every item (Windows: three, about 170 bytes), so this is far above a
/// 512 KB page; with [`MAX_IN_SCOPE`] it bounds the scope comparisons.
pub(crate) const MAX_DECLARATIONS: usize = 16_384;

/// Bytes of reply per element that a reply must at least average once it
/// holds more than [`FEW_ELEMENTS`]. Real replies average 50 or more
/// (`<p:Name>Spooler</p:Name>`); a flood of `<a/>` averages 4. An element
/// costs the model about 112 bytes, an item's own declarations 64 more,
/// and on roxmltree's path its document about 140 more (the element and
/// the text beside it), so this keeps a reply under the default cap (2 MB)
/// within 64 MiB however it is shaped: memory that follows what arrived.
pub(crate) const BYTES_PER_ELEMENT: usize = 16;
/// Elements any reply may hold, however short.
pub(crate) const FEW_ELEMENTS: usize = 100_000;

/// The most elements a reply of `len` bytes may hold.
pub(crate) fn element_budget(len: usize) -> usize {
    (len / BYTES_PER_ELEMENT).max(FEW_ELEMENTS)
}

/// The words for a reply beyond its [`element_budget`].
pub(crate) fn too_many_elements(budget: usize) -> Malformed {
    Malformed(format!(
        "the reply holds more than {budget} elements, over one per {BYTES_PER_ELEMENT} bytes \
         (real replies hold one per 50 bytes or more); refused to keep memory bounded"
    ))
}

/// The words for a start tag beyond [`MAX_ATTRIBUTES`]; the builder uses
/// them too, so both paths refuse alike.
pub(crate) fn too_many_attributes() -> Malformed {
    Malformed(format!(
        "the reply has an element with more than {MAX_ATTRIBUTES} attributes"
    ))
}

/// The words for an element beyond [`MAX_IN_SCOPE`].
pub(crate) fn too_many_in_scope() -> Malformed {
    Malformed(format!(
        "the reply has an element with more than {MAX_IN_SCOPE} namespace prefixes in scope"
    ))
}

/// The words for a reply beyond [`MAX_DECLARATIONS`].
pub(crate) fn too_many_declarations() -> Malformed {
    Malformed(format!(
        "the reply declares more than {MAX_DECLARATIONS} namespaces"
    ))
}

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
    // roxmltree's own checks are quadratic in attributes per tag and in
    // namespaces in scope, and it offers no limit on either: count first.
    check_counts(text)?;
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

/// Counts what [`parse_document`] cannot limit (elements for the reply's
/// size, attributes per tag, namespaces in scope, declarations per reply)
/// in one cheap pass over the
/// markup, in document order and attribute order, as the builder counts, so
/// both refuse a reply with the same words. Markup it cannot read is left
/// to roxmltree, which stops there too.
fn check_counts(text: &str) -> Result<(), Malformed> {
    let bytes = text.as_bytes();
    let budget = element_budget(text.len());
    let mut elements = 0;
    // Bindings in scope, innermost last; each open element's first one.
    let mut bindings: Vec<Option<&str>> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut bound: HashMap<Option<&str>, u32> = HashMap::new();
    let mut declarations = 0;
    let mut at = 0;
    let skip_to = |from: usize, end: &str| text[from..].find(end).map(|i| from + i + end.len());
    while let Some(lt) = text[at..].find('<').map(|i| at + i) {
        let rest = &text[lt + 1..];
        let next = if rest.starts_with("!--") {
            skip_to(lt, "-->")
        } else if rest.starts_with("![CDATA[") {
            skip_to(lt, "]]>")
        } else if rest.starts_with('?') {
            skip_to(lt, "?>")
        } else if rest.starts_with('!') {
            // A DTD: refused by roxmltree before anything it declares counts.
            return Ok(());
        } else if rest.starts_with('/') {
            if let Some(first) = open.pop() {
                unbind(&mut bound, bindings.drain(first..));
            }
            skip_to(lt, ">")
        } else {
            elements += 1;
            if elements > budget {
                return Err(too_many_elements(budget));
            }
            let first = bindings.len();
            let mut i = lt + 1;
            while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>')
            {
                i += 1;
            }
            let mut attributes = 0;
            let empty = loop {
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(b'>') => break false,
                    Some(b'/') => break true,
                    None => return Ok(()),
                    _ => {}
                }
                let name_start = i;
                while i < bytes.len()
                    && !matches!(bytes[i], b'=' | b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/')
                {
                    i += 1;
                }
                let name = &text[name_start..i];
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'=') {
                    i += 1;
                }
                let Some(&quote @ (b'"' | b'\'')) = bytes.get(i) else {
                    return Ok(());
                };
                let Some(len) = bytes[i + 1..].iter().position(|&b| b == quote) else {
                    return Ok(());
                };
                i += len + 2;
                attributes += 1;
                if attributes > MAX_ATTRIBUTES {
                    return Err(too_many_attributes());
                }
                let prefix = match name.strip_prefix("xmlns") {
                    Some("") => None,
                    Some(p) => match p.strip_prefix(':') {
                        Some(p) => Some(p),
                        None => continue,
                    },
                    None => continue,
                };
                declarations += 1;
                if declarations > MAX_DECLARATIONS {
                    return Err(too_many_declarations());
                }
                bindings.push(prefix);
                *bound.entry(prefix).or_default() += 1;
            };
            if bound.len() > MAX_IN_SCOPE {
                return Err(too_many_in_scope());
            }
            if empty {
                unbind(&mut bound, bindings.drain(first..));
            } else {
                open.push(first);
            }
            skip_to(i, ">")
        };
        let Some(next) = next else {
            return Ok(());
        };
        at = next;
    }
    Ok(())
}

/// Takes an element's bindings out of scope as it closes.
fn unbind<'t>(
    bound: &mut HashMap<Option<&'t str>, u32>,
    gone: impl Iterator<Item = Option<&'t str>>,
) {
    for prefix in gone {
        if let Some(n) = bound.get_mut(&prefix) {
            *n -= 1;
            if *n == 0 {
                bound.remove(&prefix);
            }
        }
    }
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
/// a short scan beats hashing, until a hostile one declares thousands.
#[derive(Default)]
pub(crate) struct Interner {
    seen: Vec<Arc<str>>,
    many: HashSet<Arc<str>>,
}

impl Interner {
    /// The shared copy of `uri`.
    pub(crate) fn get(&mut self, uri: &str) -> Arc<str> {
        if let Some(s) = self.seen.iter().find(|s| ***s == *uri) {
            return s.clone();
        }
        if let Some(s) = self.many.get(uri) {
            return s.clone();
        }
        let shared: Arc<str> = Arc::from(uri);
        if self.seen.len() < FEW {
            self.seen.push(shared.clone());
        } else {
            self.many.insert(shared.clone());
        }
        shared
    }
}

/// Up to how many entries a set is a plain scan.
const FEW: usize = 16;

/// A set that is a vector while small (the usual case: a scan of a few
/// entries beats hashing) and hashes once it grows, so hostile replies
/// cannot make its users quadratic.
pub(crate) struct FewSet<T> {
    few: Vec<T>,
    many: HashSet<T>,
}

impl<T> Default for FewSet<T> {
    fn default() -> Self {
        FewSet {
            few: Vec::new(),
            many: HashSet::new(),
        }
    }
}

impl<T: Eq + Hash + Copy> FewSet<T> {
    /// Whether `value` is in the set.
    pub(crate) fn contains(&self, value: &T) -> bool {
        self.few.contains(value) || (!self.many.is_empty() && self.many.contains(value))
    }

    /// Adds `value`; false if it was there already.
    pub(crate) fn insert(&mut self, value: T) -> bool {
        if self.contains(&value) {
            return false;
        }
        if self.few.len() < FEW {
            self.few.push(value);
        } else {
            self.many.insert(value);
        }
        true
    }

    /// Empties the set, keeping its room.
    pub(crate) fn clear(&mut self) {
        self.few.clear();
        self.many.clear();
    }
}

/// Converts a roxmltree element and its subtree into an owned [`Element`].
/// The top element gets every inherited namespace declaration its subtree
/// uses, so it serialises as a standalone document.
pub fn element_from_node(node: Node) -> Result<Element, Malformed> {
    element_from_node_in(node, &mut NodeInterner::default())
}

/// [`element_from_node`] for one of many nodes of a document (the items of
/// a page), which share `interner`'s copies of the namespace URIs.
pub(crate) fn element_from_node_in(
    node: Node,
    interner: &mut NodeInterner,
) -> Result<Element, Malformed> {
    let mut top = convert(node, interner, 0)?;
    let mut used = FewSet::default();
    used_prefixes(&top, &mut used);
    let mut inherited = Vec::new();
    for decl in node.namespaces() {
        let prefix = decl.name();
        if used.contains(&prefix) && !top.namespaces.iter().any(|(p, _)| p.as_deref() == prefix) {
            inherited.push((prefix.map(CompactString::new), interner.get(decl.uri())));
        }
    }
    top.namespaces.reserve_exact(inherited.len());
    top.namespaces.extend(inherited);
    Ok(top)
}

/// An [`Interner`] first asked by the address where roxmltree keeps the
/// URI (it stores each once per document), which skips the string compare.
#[derive(Default)]
pub(crate) struct NodeInterner {
    by_address: Vec<((usize, usize), Arc<str>)>,
    many: HashMap<(usize, usize), Arc<str>>,
    shared: Interner,
}

impl NodeInterner {
    fn get(&mut self, uri: &str) -> Arc<str> {
        let key = (uri.as_ptr() as usize, uri.len());
        if let Some((_, shared)) = self.by_address.iter().find(|(k, _)| *k == key) {
            return shared.clone();
        }
        if let Some(shared) = self.many.get(&key) {
            return shared.clone();
        }
        let shared = self.shared.get(uri);
        if self.by_address.len() < FEW {
            self.by_address.push((key, shared.clone()));
        } else {
            self.many.insert(key, shared.clone());
        }
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
        let mut parent_ns = FewSet::default();
        if let Some(p) = node.parent_element() {
            p.namespaces().for_each(|d| {
                parent_ns.insert((d.name(), d.uri()));
            });
        }
        node.namespaces()
            .filter(|d| !parent_ns.contains(&(d.name(), d.uri())))
            .map(|d| (d.name().map(CompactString::new), interner.get(d.uri())))
            .collect()
    } else {
        ThinVec::new()
    };

    let mut children = ThinVec::with_capacity(node.children().filter(Node::is_element).count());
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
fn used_prefixes<'e>(element: &'e Element, out: &mut FewSet<Option<&'e str>>) {
    let mut add = |p: Option<&'e str>| {
        out.insert(p);
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
    fn both_paths_refuse_past_the_counts_in_the_same_words() {
        let attributes: String = (0..=MAX_ATTRIBUTES).map(|i| format!(" a{i}=''")).collect();
        let scope: String = (0..=MAX_IN_SCOPE)
            .map(|i| format!("<a xmlns:n{i}='u'>"))
            .collect();
        let scope = format!("{scope}{}", "</a>".repeat(MAX_IN_SCOPE + 1));
        let many = format!("<r>{}</r>", "<a xmlns:n='u'/>".repeat(MAX_DECLARATIONS + 1));
        let flood = format!("<r>{}</r>", "<a/>".repeat(FEW_ELEMENTS));
        let flood_budget = element_budget(flood.len());
        for (text, words) in [
            (format!("<a{attributes}/>"), too_many_attributes()),
            (scope, too_many_in_scope()),
            (many, too_many_declarations()),
            (flood, too_many_elements(flood_budget)),
        ] {
            assert_eq!(parse_document(&text).err(), Some(words.clone()));
            assert_eq!(super::super::build::build(&text, 0).err(), Some(words));
        }
    }

    #[test]
    fn the_element_budget_follows_the_size_of_the_reply() {
        // Past the floor, one element per 16 bytes passes on both paths;
        // one more element, in the same bytes, does not.
        let item = "<a/>            ";
        let dense = format!("<r>{}{}</r>", " ".repeat(13), item.repeat(2 * FEW_ELEMENTS));
        assert_eq!(element_budget(dense.len()), 2 * FEW_ELEMENTS + 1);
        assert!(parse_document(&dense).is_ok());
        assert!(matches!(super::super::build::build(&dense, 1), Ok(Some(_))));
        let denser = dense.replacen("    ", "<a/>", 1);
        assert_eq!(denser.len(), dense.len());
        assert!(parse_document(&denser).is_err_and(|e| e.0.contains("elements")));
        assert!(super::super::build::build(&denser, 1).is_err());
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
