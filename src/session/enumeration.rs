//! A running enumeration as an iterator: Pull until the end, one page in
//! memory at a time, Release if dropped early.

use std::collections::VecDeque;

use super::{Error, RequestOptions, ResourceUri, Session};
use crate::protocol::enumerate::{self as enumeration, Enumerator};
use crate::protocol::model::Element;
use crate::protocol::ns;

/// A running enumeration: an iterator over its items.
pub struct Enumeration<'s> {
    pub(super) session: &'s mut Session,
    pub(super) resource: ResourceUri,
    pub(super) request: RequestOptions,
    pub(super) state: Enumerator,
    pub(super) pending: VecDeque<Element>,
}

impl Enumeration<'_> {
    /// Whether the items of the current page are all handed out, so the
    /// next item needs another round trip.
    pub fn page_done(&self) -> bool {
        self.pending.is_empty()
    }

    fn pull(&mut self) -> Result<(), Error> {
        let Some(body) = self.state.next_pull() else {
            return Ok(());
        };
        let page = self.session.call_with(
            ns::ACTION_PULL,
            &self.resource,
            &self.request,
            &body,
            enumeration::read_page,
        );
        let url = self.session.url().to_string();
        match page.and_then(|p| {
            self.state
                .take(p)
                .map_err(|e| Error::from_protocol(e, &url))
        }) {
            Ok(items) => {
                self.pending = items.into();
                Ok(())
            }
            Err(e) => {
                // The context may be gone; never pull or release it again.
                self.state.finish();
                Err(e)
            }
        }
    }
}

impl Iterator for Enumeration<'_> {
    type Item = Result<Element, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        // Empty pages are legal mid-sequence: keep pulling until items or
        // the end arrive.
        while self.pending.is_empty() {
            if self.state.is_finished() {
                return None;
            }
            if let Err(e) = self.pull() {
                return Some(Err(e));
            }
        }
        self.pending.pop_front().map(Ok)
    }
}

impl Drop for Enumeration<'_> {
    fn drop(&mut self) {
        // Stopped early: release the server's context (best effort).
        if let Some(body) = self.state.release() {
            self.state.finish();
            let _ = self.session.call_with(
                ns::ACTION_RELEASE,
                &self.resource,
                &self.request,
                &body,
                |_| Ok(()),
            );
        }
    }
}
