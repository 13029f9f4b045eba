//! A cancellation handle: cheap to clone, shared between whoever asks a
//! run to stop (a Ctrl-C handler, a fan-out over many hosts) and the code
//! that stops at its next safe point (an enumeration between pages, which
//! then releases its context; a remote shell, which turns it into a
//! signal). It never interrupts a request in flight.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Asks work to stop at its next safe point.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A handle nobody has cancelled yet.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Asks every holder of this handle to stop. Returns whether it had
    /// been asked before (a second Ctrl-C, say).
    pub fn cancel(&self) -> bool {
        self.0.swap(true, Ordering::SeqCst)
    }

    /// Whether stopping was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::Cancel;

    #[test]
    fn clones_share_the_request() {
        let cancel = Cancel::new();
        let seen_by_worker = cancel.clone();
        assert!(!seen_by_worker.is_cancelled());
        assert!(!cancel.cancel());
        assert!(seen_by_worker.is_cancelled());
        assert!(cancel.cancel(), "a second request reports the first");
    }
}
