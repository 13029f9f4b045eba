//! A running enumeration as an iterator: Pull until the end, one page in
//! memory at a time, Release if dropped early.

use std::collections::VecDeque;

use super::{Error, RequestOptions, ResourceUri, Session};
use crate::protocol::enumerate::Enumerator;
use crate::protocol::model::Element;
use crate::protocol::ns;

/// A running enumeration: an iterator over its items.
pub struct Enumeration<'s> {
    pub(super) session: &'s mut Session,
    pub(super) resource: ResourceUri,
    pub(super) request: RequestOptions,
    pub(super) state: Enumerator,
    pub(super) pending: VecDeque<Element>,
    /// Set once the iteration has ended (the end, or an error).
    pub(super) stopped: bool,
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
        let page = self.session.call_page(
            ns::ACTION_PULL,
            &self.resource,
            &self.request,
            &body,
            "PullResponse",
        );

        let page = match page {
            Ok(page) => page,
            Err(e) => {
                // The server failed the Pull: the context may be gone, so it
                // is neither pulled nor released again.
                self.state.finish();
                return Err(e);
            }
        };
        // A page we refuse leaves the context open, for Drop to release.
        let items = self
            .state
            .take(page)
            .map_err(|e| Error::from_protocol(e, self.session.url()))?;
        self.pending = items.into();
        Ok(())
    }
}

impl Iterator for Enumeration<'_> {
    type Item = Result<Element, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        // Empty pages are legal mid-sequence: keep pulling until items or
        // the end arrive.
        if self.stopped {
            return None;
        }
        while self.pending.is_empty() {
            if self.state.is_finished() {
                self.stopped = true;
                let url = self.session.url();
                return self
                    .state
                    .take_truncation()
                    .map(|e| Err(Error::from_protocol(e, url)));
            }
            if let Err(e) = self.pull() {
                // One error ends the iteration.
                self.stopped = true;
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
