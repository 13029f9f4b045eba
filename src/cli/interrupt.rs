//! Ctrl-C during an enumeration: the first press stops after the page in
//! flight and releases the server's enumeration context (so it does not
//! linger until it expires); a second press exits at once.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Installs the handler. Failing to install it only loses the graceful
/// stop, so the error is ignored.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        eprintln!("winrm: stopping after this page (Ctrl-C again to quit at once)");
    });
}

/// Whether the user asked to stop.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// The error a stopped enumeration ends with.
#[derive(Debug)]
pub struct Interrupted {
    /// Items printed before stopping.
    pub items: usize,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "interrupted after {} items; the enumeration was released",
            self.items
        )
    }
}

impl std::error::Error for Interrupted {}
