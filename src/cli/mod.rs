//! The application layer: the command line.
//!
//! argv → `compat` (winrm.cmd switches rewritten) → `args` (the clap
//! definition) → `plan` (validated and typed, with the `environment`) →
//! `verbs` (one file per verb, over a session from `connect`) → the
//! printers; with several targets, `fleet` runs the verb on each host. `hash` is the `@{}` grammar, `output` decides colour, width
//! and the progress line, `help` holds the help topics, `hints` every hint,
//! `generate` writes the man pages and completions, `interrupt` turns
//! Ctrl-C into a cancellation. Clap types stay here; the library never
//! sees them.

pub mod args;
pub mod compat;
pub mod connect;
pub mod environment;
pub mod fleet;
pub mod generate;
pub mod hash;
pub mod help;
pub mod hints;
pub mod interrupt;
pub mod local_file;
pub mod output;
pub mod plan;
pub mod verbs;
pub mod winrs;

use std::fmt;

/// Bad input from the user: a wrong switch value, an unreadable file, a
/// malformed `@{}`. Exit code 2.
#[derive(Debug)]
pub struct UsageError(String);

impl UsageError {
    /// A usage error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        UsageError(message.into())
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}
