//! Ctrl-C: the first press cancels the run's [`Cancel`] handle, and the
//! work stops at its next safe point (an enumeration after the page in
//! flight, releasing the server's context so it does not linger); a second
//! press exits at once.

use winrm::session::Cancel;

/// The exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Installs the handler: Ctrl-C cancels `cancel` and prints `notice`.
/// Failing to install it only loses the graceful stop, so the error is
/// ignored. A process has one handler; install it once.
pub fn install(cancel: Cancel, notice: &'static str) {
    let _ = ctrlc::set_handler(move || {
        if cancel.cancel() {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        eprintln!("winrm: {notice}");
    });
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
