//! A cancellation handle: cheap to clone, shared between whoever asks a
//! run to stop (a Ctrl-C handler, a fan-out over many hosts) and the code
//! that stops at its next safe point (an enumeration between pages, which
//! then releases its context; a remote shell, which turns it into a
//! signal). It never interrupts a request in flight.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Asks work to stop at its next safe point. It counts the requests, so
/// work can escalate: a remote command gets Ctrl-C on the first, and is
/// terminated on the second.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicU32>);

impl Cancel {
    /// A handle nobody has cancelled yet.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Asks every holder of this handle to stop. Returns how many times it
    /// had been asked before (0 the first time; 1 on a second Ctrl-C).
    pub fn cancel(&self) -> u32 {
        self.0.fetch_add(1, Ordering::SeqCst)
    }

    /// Whether stopping was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.requests() > 0
    }

    /// How many times stopping was asked for.
    pub fn requests(&self) -> u32 {
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
        assert_eq!(cancel.cancel(), 0);
        assert!(seen_by_worker.is_cancelled());
        assert_eq!(cancel.cancel(), 1, "a second request reports the first");
        assert_eq!(seen_by_worker.requests(), 2);
    }
}
