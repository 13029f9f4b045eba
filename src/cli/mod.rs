//! The application layer: the command line.
//!
//! `compat` rewrites winrm.cmd switches, `args` is the clap definition,
//! `hash` the `@{}` grammar, `target` and `connect` turn switches into a
//! session, `run` executes one verb, `output` decides colour, width and the
//! progress line, `help` holds the help topics, `generate` writes the man
//! pages and completions, `interrupt` handles Ctrl-C.
//! Clap types stay here; the library never sees them.

pub mod args;
pub mod compat;
pub mod connect;
pub mod generate;
pub mod hash;
pub mod help;
pub mod interrupt;
pub mod output;

pub mod run;
pub mod target;

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
