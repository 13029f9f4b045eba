//! A running enumeration as an iterator: Pull until the end, one page in
//! memory at a time, Release if dropped early.
//!
//! Empty pages are legal mid-sequence (a server still working answers
//! with none when the operation timeout passes), but one that answers
//! empty at once, again and again, would have us Pull as fast as the
//! network allows. After a few such pages the client waits between Pulls,
//! doubling up to half a second, until items come again. An enumeration
//! that never ends is bounded: by 100 empty pages in a row (an error), by
//! `--limit N` items, or by a [`Cancel`] (Ctrl-C), which is looked at
//! between pages, empty ones too. The last two release the server's
//! context.

use std::time::{Duration, Instant};

use super::{Cancel, Error, RequestOptions, ResourceUri, Session};
use crate::protocol::enumerate::Enumerator;
use crate::protocol::model::Element;
use crate::protocol::ns;

/// A running enumeration: an iterator over its items.
pub struct Enumeration<'s> {
    pub(super) session: &'s mut Session,
    pub(super) resource: ResourceUri,
    pub(super) request: RequestOptions,
    pub(super) state: Enumerator,
    /// The current page's items not handed out yet; each is moved out as
    /// it is handed out, so the caller can drop it at once.
    pub(super) pending: thin_vec::IntoIter<Element>,
    /// Set once the iteration has ended (the end, or an error).
    pub(super) stopped: bool,
    /// Empty pages in a row that came back at once.
    pub(super) empty_streak: u32,
    /// Stops the iteration (before the next Pull) once cancelled.
    pub(super) cancel: Option<Cancel>,
}

/// A page that took less than this to come back did not wait for anything.
const PROMPT_REPLY: Duration = Duration::from_millis(100);
/// Prompt empty pages tolerated before the client waits between Pulls.
const EMPTY_PAGES_BEFORE_WAITING: u32 = 3;
/// The first wait, doubled at each further prompt empty page.
const FIRST_WAIT: Duration = Duration::from_millis(10);
/// The longest wait between two Pulls.
const LONGEST_WAIT: Duration = Duration::from_millis(500);

/// How long to wait before the next Pull, after `streak` prompt empty
/// pages in a row.
fn wait_before_pull(streak: u32) -> Duration {
    match streak.checked_sub(EMPTY_PAGES_BEFORE_WAITING) {
        None => Duration::ZERO,
        Some(n) => FIRST_WAIT.saturating_mul(1 << n.min(16)).min(LONGEST_WAIT),
    }
}

impl Enumeration<'_> {
    /// Ends the iteration before the next Pull once `cancel` is
    /// cancelled; the context is then released when this is dropped.
    pub fn stop_on(mut self, cancel: Cancel) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// Whether the items of the current page are all handed out, so the
    /// next item needs another round trip.
    pub fn page_done(&self) -> bool {
        self.pending.len() == 0
    }

    fn pull(&mut self) -> Result<(), Error> {
        let Some(body) = self.state.next_pull() else {
            return Ok(());
        };
        std::thread::sleep(wait_before_pull(self.empty_streak));
        let sent = Instant::now();
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
        self.empty_streak = match (items.is_empty(), sent.elapsed() < PROMPT_REPLY) {
            (false, _) => 0,
            (true, true) => self.empty_streak.saturating_add(1),
            (true, false) => self.empty_streak,
        };
        self.pending = items.into_iter();
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
        while self.pending.len() == 0 {
            if self.state.is_finished() {
                self.stopped = true;
                let url = self.session.url();
                return self
                    .state
                    .take_truncation()
                    .map(|e| Err(Error::from_protocol(e, url)));
            }
            if self.cancel.as_ref().is_some_and(Cancel::is_cancelled) {
                self.stopped = true;
                return None;
            }
            if let Err(e) = self.pull() {
                // One error ends the iteration.
                self.stopped = true;
                return Some(Err(e));
            }
        }
        self.pending.next().map(Ok)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_a_few_prompt_empty_pages_and_stay_bounded() {
        let waits: Vec<u128> = (0..12).map(|n| wait_before_pull(n).as_millis()).collect();
        assert_eq!(waits, [0, 0, 0, 10, 20, 40, 80, 160, 320, 500, 500, 500]);
        assert_eq!(wait_before_pull(u32::MAX), LONGEST_WAIT);
    }
}
