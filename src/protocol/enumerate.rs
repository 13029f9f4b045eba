//! The WS-Enumeration conversation as a sans-I/O state machine.
//!
//! [`Enumerator`] takes each EnumerateResponse / PullResponse, hands back the
//! page's items, and says what to send next: a Pull with the latest context,
//! nothing (the sequence ended), or a Release when the caller stops early.
//! The rules that trip clients up live here (DSP0226 §8, protocol notes §4):
//! stop only on `EndOfSequence` (in the wsman or wsen namespace, as a direct
//! child of the response), never merely on an empty page; always use the
//! most recent context; an empty context next to `EndOfSequence` means done.
//! It sends nothing itself.

use roxmltree::Node;

use super::envelope;
use super::error::ProtocolError;
use super::model::Element;
use super::ns;
use super::reply::element_from_node;

/// One page of an enumeration.
#[derive(Debug, Default)]
pub struct Page {
    /// The items, in order.
    pub items: Vec<Element>,
    /// The context to pull with next, if the server gave one.
    pub context: Option<String>,
    /// Whether the server said `EndOfSequence`.
    pub end_of_sequence: bool,
}

/// Reads an `EnumerateResponse` or `PullResponse` element.
pub fn read_page(response: Option<Node>) -> Result<Page, ProtocolError> {
    let response = response.ok_or_else(|| {
        ProtocolError::Unexpected("the enumeration reply has an empty SOAP Body".into())
    })?;
    let name = response.tag_name();
    let known = name.namespace() == Some(ns::ENUMERATION)
        && matches!(name.name(), "EnumerateResponse" | "PullResponse");
    if !known {
        return Err(ProtocolError::Unexpected(format!(
            "expected an EnumerateResponse or PullResponse, got <{}>",
            name.name()
        )));
    }
    let mut page = Page::default();
    for c in response.children().filter(Node::is_element) {
        let in_enum_ns = matches!(c.tag_name().namespace(), Some(ns::ENUMERATION | ns::WSMAN));
        if !in_enum_ns {
            continue;
        }
        match c.tag_name().name() {
            "EnumerationContext" => {
                page.context = c
                    .text()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string);
            }
            "Items" => {
                for item in c.children().filter(Node::is_element) {
                    page.items.push(element_from_node(item)?);
                }
            }
            "EndOfSequence" => page.end_of_sequence = true,
            _ => {}
        }
    }
    Ok(page)
}

/// Where an enumeration stands between round trips.
#[derive(Debug)]
pub struct Enumerator {
    context: Option<String>,
    finished: bool,
    max_elements: u32,
    empty_pages: u32,
}

/// Empty pages in a row that we accept before calling the server broken:
/// legal one at a time, but an endless run would loop forever.
const MAX_EMPTY_PAGES: u32 = 100;

impl Enumerator {
    /// A new enumeration that will pull `max_elements` items at a time.
    pub fn new(max_elements: u32) -> Self {
        Enumerator {
            context: None,
            finished: false,
            max_elements: max_elements.max(1),
            empty_pages: 0,
        }
    }

    /// Takes a page; returns its items.
    pub fn take(&mut self, page: Page) -> Result<Vec<Element>, ProtocolError> {
        // Each reply's context replaces the last one; a context is never
        // reused. Without EndOfSequence and without a new context there is
        // nothing left to pull with, so that is the end as well.
        self.context = page.context;
        if page.end_of_sequence || self.context.is_none() {
            self.finished = true;
        }
        if page.items.is_empty() && !self.finished {
            self.empty_pages += 1;
            if self.empty_pages >= MAX_EMPTY_PAGES {
                self.finished = true;
                return Err(ProtocolError::Unexpected(format!(
                    "the server sent {MAX_EMPTY_PAGES} empty pages in a row without ending the enumeration"
                )));
            }
        } else {
            self.empty_pages = 0;
        }
        Ok(page.items)
    }

    /// Whether the server has sent everything.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The next Pull body, or None when the sequence has ended.
    pub fn next_pull(&self) -> Option<String> {
        if self.finished {
            return None;
        }
        self.context
            .as_deref()
            .map(|c| envelope::pull(c, self.max_elements))
    }

    /// The Release body for an enumeration abandoned before its end.
    pub fn release(&self) -> Option<String> {
        if self.finished {
            return None;
        }
        self.context.as_deref().map(envelope::release)
    }

    /// Marks the enumeration as over (after a Release or a failure), so it is
    /// neither pulled nor released again.
    pub fn finish(&mut self) {
        self.finished = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: usize, context: Option<&str>, end: bool) -> Page {
        Page {
            items: vec![Element::default(); items],
            context: context.map(str::to_string),
            end_of_sequence: end,
        }
    }

    #[test]
    fn pulls_with_the_latest_context_until_the_end() {
        let mut e = Enumerator::new(10);
        assert_eq!(e.take(page(2, Some("c1"), false)).unwrap().len(), 2);
        assert!(e.next_pull().unwrap().contains(">c1<"));
        e.take(page(0, Some("c2"), false)).unwrap();
        assert!(e.next_pull().unwrap().contains(">c2<"));
        // Windows: an empty context next to EndOfSequence.
        e.take(page(1, None, true)).unwrap();
        assert!(e.is_finished() && e.next_pull().is_none() && e.release().is_none());
    }

    #[test]
    fn a_reply_without_context_ends_rather_than_reusing_the_old_one() {
        let mut e = Enumerator::new(10);
        e.take(page(1, Some("c1"), false)).unwrap();
        e.take(page(1, None, false)).unwrap();
        assert!(e.is_finished());
        assert!(e.next_pull().is_none());
    }

    #[test]
    fn endless_empty_pages_are_an_error() {
        let mut e = Enumerator::new(10);
        for _ in 0..MAX_EMPTY_PAGES - 1 {
            e.take(page(0, Some("c"), false)).unwrap();
        }
        assert!(e.take(page(0, Some("c"), false)).is_err());
        assert!(e.is_finished());
    }

    #[test]
    fn release_only_while_a_context_is_open() {
        let mut e = Enumerator::new(10);
        e.take(page(1, Some("c1"), false)).unwrap();
        assert!(e.release().unwrap().contains("<n:Release>"));
        e.finish();
        assert!(e.release().is_none());
    }
}
