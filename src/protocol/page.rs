//! An enumeration page: the body of an EnumerateResponse or PullResponse
//! → [`Page`] (items, context, end of sequence).
//!
//! Two readers of one set of rules. [`page_from_element`] reads a response
//! the one-pass [`build`](super::build) made, on the hot path of long
//! enumerations; [`read_page`] reads a roxmltree node, for every reply the
//! builder leaves to roxmltree, and is the reference the differential
//! tests hold the fast path to. What counts as a part of the page, how a
//! context is read, and every error message are written once, below, for
//! both. Built on [`dom`](super::dom) and the model only; it knows no
//! envelope (the dispatcher checked it) and no enumeration state.

use roxmltree::Node;

use super::dom::{NodeInterner, element_from_node_in};
use super::error::ProtocolError;
use super::model::{Element, ThinVec};
use super::ns;

/// One page of an enumeration.
#[derive(Debug, Default)]
pub struct Page {
    /// The items, in order.
    pub items: ThinVec<Element>,
    /// The context to pull with next, if the server gave one.
    pub context: Option<String>,
    /// Whether the server said `EndOfSequence`.
    pub end_of_sequence: bool,
}

/// Reads the `expected` response element (`EnumerateResponse` or
/// `PullResponse`).
pub fn read_page(response: Option<Node>, expected: &str) -> Result<Page, ProtocolError> {
    let response = response.ok_or_else(empty_body)?;
    let name = response.tag_name();
    check_response(name.namespace(), name.name(), expected)?;

    let mut page = Page::default();
    for c in response.children().filter(Node::is_element) {
        match part(c.tag_name().namespace(), c.tag_name().name()) {
            Some(Part::Context) => page.context = context(c.text()),
            Some(Part::Items) => {
                // At its size: doubling past a page's worth of items would
                // leave up to half of the largest allocation unused.
                let items = c.children().filter(Node::is_element);
                page.items.reserve_exact(items.clone().count());
                let mut interner = NodeInterner::default();
                for item in items {
                    page.items.push(element_from_node_in(item, &mut interner)?);
                }
            }
            Some(Part::End) => page.end_of_sequence = true,
            None => {}
        }
    }
    Ok(page)
}

/// [`read_page`] over a response already built as an [`Element`] (by
/// [`build`](super::build)). `None` when roxmltree must decide (an
/// `EnumerationContext` with child elements, whose text roxmltree reads
/// differently).
pub(crate) fn page_from_element(
    response: Option<Element>,
    expected: &str,
) -> Option<Result<Page, ProtocolError>> {
    let Some(response) = response else {
        return Some(Err(empty_body()));
    };
    let name = &response.name;
    if let Err(e) = check_response(name.namespace.as_deref(), &name.local, expected) {
        return Some(Err(e));
    }
    let mut page = Page::default();
    for c in response.children {
        match part(c.name.namespace.as_deref(), &c.name.local) {
            Some(Part::Context) => {
                if !c.children.is_empty() {
                    return None;
                }
                page.context = context(c.text.as_deref());
            }
            // The builder made each item standalone already: moved, not copied.
            Some(Part::Items) if page.items.is_empty() => page.items = c.children,
            Some(Part::Items) => page.items.extend(c.children),
            Some(Part::End) => page.end_of_sequence = true,
            None => {}
        }
    }
    Some(Ok(page))
}

fn empty_body() -> ProtocolError {
    ProtocolError::Unexpected("the enumeration reply has an empty SOAP Body".into())
}

/// The body's first element must be the `expected` response.
fn check_response(
    namespace: Option<&str>,
    local: &str,
    expected: &str,
) -> Result<(), ProtocolError> {
    if namespace == Some(ns::ENUMERATION) && local == expected {
        return Ok(());
    }
    Err(ProtocolError::Unexpected(format!(
        "expected an {expected}, got <{local}>"
    )))
}

/// What a child of the response is to its page.
enum Part {
    Context,
    Items,
    End,
}

/// A child of the response, by its name. Servers put the parts in the
/// enumeration or the wsman namespace; anything else is not the page's.
fn part(namespace: Option<&str>, local: &str) -> Option<Part> {
    if !matches!(namespace, Some(ns::ENUMERATION | ns::WSMAN)) {
        return None;
    }
    match local {
        "EnumerationContext" => Some(Part::Context),
        "Items" => Some(Part::Items),
        "EndOfSequence" => Some(Part::End),
        _ => None,
    }
}

/// The context to pull with next, from `EnumerationContext`'s text:
/// trimmed, and an empty one (Windows sends it beside `EndOfSequence`) is
/// no context.
fn context(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}
