//! Ctrl-C (and SIGTERM, SIGHUP): each press counts on the run's [`Cancel`]
//! handle, and the work stops at its next safe point (an enumeration after
//! the page in flight, releasing the server's context so it does not
//! linger; a remote command gets Ctrl-C, then terminate). Past `patience`
//! presses the process exits at once.

use std::io::IsTerminal;

use winrm::session::Cancel;

use super::output::thousands;
use super::plan::Verb;

/// The exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report).
pub const EXIT_INTERRUPTED: u8 = 130;

/// What Ctrl-C says: the notice for each press, then what the press after
/// them does.
pub type Notices = (&'static [&'static str], &'static str);

/// The one table of what Ctrl-C says, for `verb` on one host or on a
/// fleet (`fleet`), side by side so the two cannot drift apart. `None`: on
/// one host the verb has no safe point, and ends at once as any command
/// does.
pub fn notices(verb: &Verb, fleet: bool) -> Option<Notices> {
    Some(match (verb, fleet) {
        (Verb::Enumerate(..), false) => (
            &["stopping after this page (Ctrl-C again to quit at once)"],
            "quit at once; the enumeration context is left to expire on the server",
        ),
        (Verb::Enumerate(..), true) => (
            &[
                "stopping: no more hosts are started, and each enumeration stops after its \
                 page (Ctrl-C again to quit at once)",
            ],
            "quit at once; open enumerations are left to expire on the servers",
        ),
        (Verb::Exec(_), false) => (
            &[
                "sending Ctrl-C to the remote command (again to terminate it)",
                "terminating the remote command (again to quit at once, which may leave the \
                 shell open)",
            ],
            "quit at once; the remote shell may stay open until its idle timeout",
        ),
        (Verb::Exec(_), true) => (
            &[
                "stopping: no more hosts are started; sending Ctrl-C to the remote commands \
                 (again to terminate them)",
                "terminating the remote commands (again to quit at once, which may leave \
                 shells open)",
            ],
            "quit at once; remote shells may stay open until their idle timeout",
        ),
        (_, false) => return None,
        (_, true) => (
            &[
                "stopping: no more hosts are started; waiting for the requests in flight \
                 (Ctrl-C again to quit at once)",
            ],
            "quit at once",
        ),
    })
}

/// Installs the handler: each press cancels `cancel` once more and prints
/// the notice for that press (`notices[0]` for the first); the press after
/// the last notice prints `quit` and exits at once. Each line replaces a
/// progress line on a terminal rather than running on after it. Failing
/// to install the handler only loses the graceful stop, so the error is
/// ignored. A process has one handler; install it once.
pub fn install(cancel: Cancel, notices: &'static [&'static str], quit: &'static str) {
    let _ = ctrlc::set_handler(move || {
        let before = cancel.cancel() as usize;
        let erase = if std::io::stderr().is_terminal() {
            "\r\x1b[K"
        } else {
            ""
        };
        match notices.get(before) {
            Some(notice) => say!("{erase}winrm: {notice}"),
            None => {
                say!("{erase}winrm: {quit}");
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
        }
    });
}

/// The error a run stopped by Ctrl-C ends with.
#[derive(Debug)]
pub enum Interrupted {
    /// An enumeration, after this many items; its context was released.
    Enumeration {
        /// Items printed before stopping.
        items: usize,
    },
    /// A remote command, signalled; its shell was deleted.
    Command,
}

impl Interrupted {
    /// Items printed before stopping, for an enumeration.
    pub fn items(&self) -> Option<usize> {
        match self {
            Interrupted::Enumeration { items } => Some(*items),
            Interrupted::Command => None,
        }
    }
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Interrupted::Enumeration { items } => {
                let noun = if *items == 1 { "item" } else { "items" };
                write!(
                    f,
                    "interrupted after {} {noun}; the enumeration was released",
                    thousands(*items)
                )
            }
            Interrupted::Command => {
                f.write_str("interrupted; the remote command was signalled and its shell deleted")
            }
        }
    }
}

impl std::error::Error for Interrupted {}
