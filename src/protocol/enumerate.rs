//! The WS-Enumeration conversation as a sans-I/O state machine.
//!
//! [`Enumerator`] takes each page (read by [`page`](super::page)), hands
//! back its items, and says what to send next: a Pull with the latest
//! context, nothing (the sequence ended), or a Release when the caller
//! stops early. The rules that trip clients up live here (DSP0226 §8,
//! protocol notes §4): stop only on `EndOfSequence`, never merely on an
//! empty page; always use the most recent context; an empty context next
//! to `EndOfSequence` means done. It reads no XML and sends nothing.

use super::envelope;
use super::error::ProtocolError;
use super::model::{Element, ThinVec};
use super::page::Page;

/// Where an enumeration stands between round trips.
#[derive(Debug)]
pub struct Enumerator {
    context: Option<String>,
    finished: bool,
    max_elements: u32,
    empty_pages: u32,
    truncated: bool,
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
            truncated: false,
        }
    }

    /// Takes a page; returns its items.
    pub fn take(&mut self, page: Page) -> Result<ThinVec<Element>, ProtocolError> {
        // Each reply's context replaces the last one; a context is never
        // reused. Without EndOfSequence and without a new context there is
        // nothing left to pull with, so that is the end as well.
        self.context = page.context;
        if page.end_of_sequence {
            self.finished = true;
        } else if self.context.is_none() {
            // Nothing to pull with, yet no EndOfSequence: the results may
            // be incomplete. Deliver this page, then say so.
            self.finished = true;
            self.truncated = true;
        }
        if page.items.is_empty() && !self.finished {
            self.empty_pages += 1;
            if self.empty_pages >= MAX_EMPTY_PAGES {
                // Still open: the caller should Release it.
                return Err(ProtocolError::Unexpected(format!(
                    "the server sent {MAX_EMPTY_PAGES} empty pages in a row without ending the enumeration"
                )));
            }
        } else {
            self.empty_pages = 0;
        }
        Ok(page.items)
    }

    /// Once, after the last page: the error for a sequence that stopped
    /// without EndOfSequence.
    pub fn take_truncation(&mut self) -> Option<ProtocolError> {
        std::mem::take(&mut self.truncated).then(|| {
            ProtocolError::Unexpected(
                "the server stopped the enumeration without EndOfSequence or a context to \
                 continue with; the results may be incomplete"
                    .into(),
            )
        })
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
            items: std::iter::repeat_n(Element::default(), items).collect(),
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
    fn a_reply_without_context_or_end_is_delivered_then_reported() {
        let mut e = Enumerator::new(10);
        e.take(page(1, Some("c1"), false)).unwrap();
        // Never reuse c1: stop, deliver the page, then report truncation.
        assert_eq!(e.take(page(1, None, false)).unwrap().len(), 1);
        assert!(e.is_finished());
        assert!(e.next_pull().is_none());
        assert!(e.take_truncation().is_some());
        assert!(e.take_truncation().is_none());
    }

    #[test]
    fn endless_empty_pages_are_an_error_and_leave_the_context_to_release() {
        let mut e = Enumerator::new(10);
        for _ in 0..MAX_EMPTY_PAGES - 1 {
            e.take(page(0, Some("c"), false)).unwrap();
        }
        assert!(e.take(page(0, Some("c"), false)).is_err());
        assert!(e.release().is_some());
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
