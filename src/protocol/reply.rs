//! The reply dispatcher: bytes → envelope → header checks → body or fault.
//!
//! Checks that a reply is a SOAP 1.2 `Envelope` with a `Body`, turns a
//! `Fault` body into [`ProtocolError::Fault`], checks `RelatesTo` against
//! the `MessageID` we sent, and hands the body to the reader the caller
//! names: the whole first element ([`parse_reply`]), any reader of the
//! document ([`parse_reply_with`]), or an enumeration page
//! ([`parse_page`], which tries the one-pass [`build`] first). The parsing
//! primitives are [`dom`](super::dom)'s and the body readers are
//! [`fault`](super::fault)'s and [`page`](super::page)'s; this
//! module only routes, and nothing in the protocol layer imports it. It
//! knows no HTTP and no output formats.

use roxmltree::Node;

use super::build;
use super::dom::{child, decode_borrowed, element_from_node, parse_document};
use super::error::ProtocolError;
use super::fault::Fault;
use super::model::Element;
use super::ns;
use super::page::{self, Page};

/// A parsed, non-fault reply.
#[derive(Debug, Clone)]
pub struct Reply {
    /// `wsa:Action` of the reply, if sent.
    pub action: Option<String>,
    /// The first element inside `s:Body`, if any (Delete and Release have none).
    pub body: Option<Element>,
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

    let relates_to = header
        .and_then(|h| child(h, ns::ADDRESSING, "RelatesTo"))
        .and_then(|r| r.text())
        .map(str::trim);
    if let Some(fault) = first.filter(|n| n.has_tag_name((ns::SOAP, "Fault"))) {
        // A fault that names another request is not ours to report; one
        // naming none is (Windows sends some without RelatesTo).
        if relates_to.is_some() {
            check_relates_to(relates_to, message_id)?;
        }
        return Err(ProtocolError::Fault(Box::new(Fault::from_node(
            fault,
            action.as_deref(),
        ))));
    }
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
/// in one pass with the builder (`build`) instead of roxmltree plus a
/// conversion. Faults, and any reply the builder leaves to roxmltree
/// (comments, unusual XML, anything malformed), go through the roxmltree
/// path, so they get exactly its results and errors.
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
    parse_text_with(&text, message_id, |n| page::read_page(n, expected))
}

/// What [`parse_reply`] gives, in one pass with the builder when the reply
/// allows (see [`parse_page`]): for replies that carry much text in one
/// element, such as a WinRS ReceiveResponse's output streams.
pub fn parse_reply_fast(
    bytes: &[u8],
    content_type: Option<&str>,
    message_id: &str,
) -> Result<Reply, ProtocolError> {
    let text = decode_borrowed(bytes, content_type)?;
    if let Some(done) = fast_envelope(&text, message_id, 2) {
        return done.map(|(action, body)| Reply { action, body });
    }
    parse_text_with(&text, message_id, |body| {
        body.map(element_from_node)
            .transpose()
            .map_err(ProtocolError::from)
    })
    .map(|(action, body)| Reply { action, body })
}

/// The one-pass path of [`parse_page`]; `None` when roxmltree must decide.
fn fast_page(
    text: &str,
    message_id: &str,
    expected: &str,
) -> Option<Result<(Option<String>, Page), ProtocolError>> {
    // Items are Envelope/Body/Response/Items/item: depth 4.
    let (action, response) = match fast_envelope(text, message_id, 4)? {
        Ok(parts) => parts,
        Err(e) => return Some(Err(e)),
    };
    page::page_from_element(response, expected).map(|r| r.map(|page| (action, page)))
}

/// A reply's `wsa:Action` and the first element of its body.
type ActionAndBody = (Option<String>, Option<Element>);

/// The envelope checks of [`parse_text_with`] on the builder's tree: the
/// reply's action and the first element of its body, built to stand alone
/// at `standalone` depth. `None` when roxmltree must decide (a fault, an
/// unusual envelope, anything the builder declines).
fn fast_envelope(
    text: &str,
    message_id: &str,
    standalone: usize,
) -> Option<Result<ActionAndBody, ProtocolError>> {
    let mut envelope = match build::build(text, standalone) {
        Ok(built) => built?,
        Err(refused) => return Some(Err(refused.into())),
    };
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
    Some(Ok((action, body.children.into_iter().next())))
}

/// Servers differ in case and in `uuid:` versus `urn:uuid:`; the identity is
/// the UUID itself.
fn same_message_id(a: &str, b: &str) -> bool {
    fn core(id: &str) -> &str {
        id.trim_start_matches("urn:").trim_start_matches("uuid:")
    }
    core(a).eq_ignore_ascii_case(core(b))
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
