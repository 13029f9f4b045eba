//! Reply bytes → the [`model`](super::model) tree.
//!
//! Owns decoding (UTF-8, UTF-16 with or without BOM, as the HTTP charset or
//! the BOM says), XML parsing with roxmltree (DTDs refused, so entity
//! expansion cannot happen; node count and depth capped), the SOAP envelope
//! checks (`Envelope`, `Body`, `RelatesTo` against the `MessageID` we sent),
//! and turning a `Fault` body into [`Fault`]. It knows no HTTP and no output
//! formats.

use std::borrow::Cow;
use std::sync::Arc;

use roxmltree::{Document, Node, ParsingOptions};

use super::build;
use super::enumerate::{Page, page_from_element};
use super::error::ProtocolError;
use super::fault::Fault;
use super::model::{Attribute, CompactString, Element, Name};
use super::ns;

/// The most XML nodes one reply may hold (a 512 KB envelope holds far fewer).
pub(crate) const MAX_NODES: u32 = 4_000_000;
/// The deepest element nesting we accept (WS-Man replies are shallow).
pub(crate) const MAX_DEPTH: usize = 200;

/// A parsed, non-fault reply.
#[derive(Debug, Clone)]
pub struct Reply {
    /// `wsa:Action` of the reply, if sent.
    pub action: Option<String>,
    /// The first element inside `s:Body`, if any (Delete and Release have none).
    pub body: Option<Element>,
}

/// Decodes reply bytes to text. The BOM wins over the declared charset; a
/// declared UTF-16 without BOM is taken as little-endian, as Windows sends it.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Result<String, ProtocolError> {
    decode_borrowed(bytes, content_type).map(Cow::into_owned)
}

/// [`decode`] without copying UTF-8 text.
pub fn decode_borrowed<'b>(
    bytes: &'b [u8],
    content_type: Option<&str>,
) -> Result<Cow<'b, str>, ProtocolError> {
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

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, ProtocolError> {
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        ProtocolError::Malformed(format!(
            "not valid UTF-8 (bad byte at offset {})",
            e.valid_up_to()
        ))
    })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, ProtocolError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ProtocolError::Malformed(
            "declared UTF-16 but has an odd number of bytes".into(),
        ));
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| ProtocolError::Malformed("not valid UTF-16".into()))
}

/// Parses XML text with the limits every reply gets.
pub fn parse_document(text: &str) -> Result<Document<'_>, ProtocolError> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    // An XML declaration naming UTF-16 is fine once we have decoded the text.
    Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => ProtocolError::Malformed(
            "XML with a DTD, which WS-Management forbids; refused without expanding it".into(),
        ),
        other => ProtocolError::Malformed(format!("not well-formed XML: {other}")),
    })
}

/// Parses a whole reply: checks the envelope, turns a SOAP fault into
/// [`ProtocolError::Fault`], checks `RelatesTo` against `message_id`, and
/// converts the first element of the body.
pub fn parse_reply(
    bytes: &[u8],
    content_type: Option<&str>,
    message_id: &str,
) -> Result<Reply, ProtocolError> {
    parse_reply_with(bytes, content_type, message_id, |body| {
        let body = match body {
            Some(node) => Some(element_from_node(node)?),
            None => None,
        };
        Ok(body)
    })
    .map(|(action, body)| Reply { action, body })
}

/// Like [`parse_reply`], but hands the body's first element to `read` while
/// the document is alive, so callers can pick items out without converting
/// the whole body. Returns the reply's action and what `read` returned.
pub fn parse_reply_with<T>(
    bytes: &[u8],
    content_type: Option<&str>,
    message_id: &str,
    read: impl FnOnce(Option<Node>) -> Result<T, ProtocolError>,
) -> Result<(Option<String>, T), ProtocolError> {
    let text = decode_borrowed(bytes, content_type)?;
    parse_text_with(&text, message_id, read)
}

/// [`parse_reply_with`] on text already decoded.
fn parse_text_with<T>(
    text: &str,
    message_id: &str,
    read: impl FnOnce(Option<Node>) -> Result<T, ProtocolError>,
) -> Result<(Option<String>, T), ProtocolError> {
    let doc = parse_document(text)?;
    let envelope = doc.root_element();
    if !envelope.has_tag_name((ns::SOAP, "Envelope")) {
        return Err(ProtocolError::NotSoap(format!(
            "the reply's root element is <{}>, not a SOAP 1.2 Envelope",
            envelope.tag_name().name()
        )));
    }
    let header = child(envelope, ns::SOAP, "Header");
    let body = child(envelope, ns::SOAP, "Body")
        .ok_or_else(|| ProtocolError::NotSoap("the reply's SOAP envelope has no Body".into()))?;
    let action = header
        .and_then(|h| child(h, ns::ADDRESSING, "Action"))
        .and_then(|a| a.text())
        .map(|a| a.trim().to_string());
    let first = body.children().find(Node::is_element);

    if let Some(fault) = first.filter(|n| n.has_tag_name((ns::SOAP, "Fault"))) {
        return Err(ProtocolError::Fault(Box::new(Fault::from_node(
            fault,
            action.as_deref(),
        ))));
    }

    let relates_to = header
        .and_then(|h| child(h, ns::ADDRESSING, "RelatesTo"))
        .and_then(|r| r.text())
        .map(str::trim);
    check_relates_to(relates_to, message_id)?;
    Ok((action, read(first)?))
}

/// A request with a MessageID must get a reply that names it (DSP0226
/// R5.4.4); otherwise the reply could belong to another request.
fn check_relates_to(relates_to: Option<&str>, message_id: &str) -> Result<(), ProtocolError> {
    if !message_id.is_empty() {
        match relates_to {
            Some(got) if same_message_id(got, message_id) => {}
            got => {
                return Err(ProtocolError::WrongRelatesTo {
                    sent: message_id.to_string(),
                    got: got.unwrap_or_default().to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Parses an EnumerateResponse or PullResponse (`expected`) into a
/// [`Page`]: what `parse_reply_with(…, |n| read_page(n, expected))` gives,
/// in one pass with [`build`] instead of roxmltree plus a conversion.
/// Faults, and any reply the builder leaves to roxmltree (comments,
/// unusual XML, anything malformed), go through the roxmltree path, so they
/// get exactly its results and errors.
pub fn parse_page(
    bytes: &[u8],
    content_type: Option<&str>,
    message_id: &str,
    expected: &str,
) -> Result<(Option<String>, Page), ProtocolError> {
    let text = decode_borrowed(bytes, content_type)?;
    if let Some(done) = fast_page(&text, message_id, expected) {
        return done;
    }
    parse_text_with(&text, message_id, |n| {
        super::enumerate::read_page(n, expected)
    })
}

/// The one-pass path of [`parse_page`]; `None` when roxmltree must decide.
fn fast_page(
    text: &str,
    message_id: &str,
    expected: &str,
) -> Option<Result<(Option<String>, Page), ProtocolError>> {
    // Items are Envelope/Body/Response/Items/item: depth 4.
    let mut envelope = build::build(text, 4)?;
    if !envelope.name.is(ns::SOAP, "Envelope") {
        return None;
    }
    let header = envelope.child(ns::SOAP, "Header");
    let body_index = envelope
        .children
        .iter()
        .position(|c| c.name.is(ns::SOAP, "Body"))?;
    // roxmltree's `text()` is the text before the first child: the same
    // for a leaf, something else otherwise.
    let leaf_text = |e: &Element| -> Option<Option<String>> {
        if !e.children.is_empty() {
            return None;
        }
        Some(e.text.as_deref().map(|t| t.trim().to_string()))
    };
    let action = match header.and_then(|h| h.child(ns::ADDRESSING, "Action")) {
        Some(a) => leaf_text(a)?,
        None => None,
    };
    let relates_to = match header.and_then(|h| h.child(ns::ADDRESSING, "RelatesTo")) {
        Some(r) => leaf_text(r)?,
        None => None,
    };
    let body = envelope.children.swap_remove(body_index);
    if body
        .children
        .first()
        .is_some_and(|f| f.name.is(ns::SOAP, "Fault"))
    {
        return None;
    }
    if let Err(e) = check_relates_to(relates_to.as_deref(), message_id) {
        return Some(Err(e));
    }
    let response = body.children.into_iter().next();
    page_from_element(response, expected).map(|r| r.map(|page| (action, page)))
}

/// Servers differ in case and in `uuid:` versus `urn:uuid:`; the identity is
/// the UUID itself.
fn same_message_id(a: &str, b: &str) -> bool {
    fn core(id: &str) -> &str {
        id.trim_start_matches("urn:").trim_start_matches("uuid:")
    }
    core(a).eq_ignore_ascii_case(core(b))
}

/// The first child element named `{namespace}local`.
pub fn child<'a, 'i>(node: Node<'a, 'i>, namespace: &str, local: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.has_tag_name((namespace, local)))
}

/// Converts a roxmltree element and its subtree into an owned [`Element`].
/// The top element gets every inherited namespace declaration its subtree
/// uses, so it serialises as a standalone document.
pub fn element_from_node(node: Node) -> Result<Element, ProtocolError> {
    let mut interner = Interner::default();
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

/// The model's [`Interner`](super::model::Interner), first asked by the
/// address where roxmltree keeps the URI (it stores each once per
/// document), which skips the string compare.
#[derive(Default)]
struct Interner {
    by_address: Vec<((usize, usize), Arc<str>)>,
    shared: super::model::Interner,
}

impl Interner {
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

fn convert(node: Node, interner: &mut Interner, depth: usize) -> Result<Element, ProtocolError> {
    if depth > MAX_DEPTH {
        return Err(ProtocolError::Malformed(format!(
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

    const OK: &str = concat!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:p="urn:x">"#,
        "<s:Header><a:RelatesTo>uuid:ABC</a:RelatesTo></s:Header>",
        r#"<s:Body><p:Thing><p:Name>x</p:Name></p:Thing></s:Body></s:Envelope>"#
    );

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
    fn checks_relates_to_and_keeps_namespaces() {
        let reply = parse_reply(OK.as_bytes(), None, "urn:uuid:abc").unwrap();
        let body = reply.body.unwrap();
        assert_eq!(body.name.local, "Thing");
        // The item declares the prefix it inherited from the envelope.
        assert!(
            body.namespaces
                .iter()
                .any(|(p, u)| p.as_deref() == Some("p") && &**u == "urn:x")
        );
        assert!(matches!(
            parse_reply(OK.as_bytes(), None, "uuid:OTHER"),
            Err(ProtocolError::WrongRelatesTo { .. })
        ));
    }

    #[test]
    fn refuses_dtds_and_non_soap() {
        let dtd = r#"<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>"#;
        assert!(
            matches!(parse_reply(dtd.as_bytes(), None, ""), Err(ProtocolError::Malformed(m)) if m.contains("DTD"))
        );
        assert!(matches!(
            parse_reply(b"<html/>", None, ""),
            Err(ProtocolError::NotSoap(_))
        ));
        assert!(matches!(
            parse_reply(b"<a><b></a>", None, ""),
            Err(ProtocolError::Malformed(_))
        ));
    }
}
