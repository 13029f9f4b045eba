//! What a run reads from the process's surroundings: environment
//! variables and whether stdout is a terminal. Gathered in one place so the
//! plan can be built, and tested, from any surroundings.

use std::collections::HashMap;
use std::io::IsTerminal;

/// The environment a plan is built in.
pub struct Environment {
    /// The variables whose names and values are UTF-8 (none of ours is
    /// anything else).
    vars: HashMap<String, String>,
    /// Whether stdout is a terminal (colour, table wrapping).
    pub stdout_is_terminal: bool,
    /// Whether stdin is a terminal (`exec` without a command is then an
    /// interactive shell).
    pub stdin_is_terminal: bool,
    /// The terminal's width, when stdout is one.
    pub terminal_width: Option<u16>,
}

impl Environment {
    /// This process's environment.
    pub fn current() -> Self {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        Environment {
            stdin_is_terminal: std::io::stdin().is_terminal(),
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            stdout_is_terminal,
            terminal_width: stdout_is_terminal
                .then(terminal_size::terminal_size)
                .flatten()
                .map(|(terminal_size::Width(w), _)| w),
        }
    }

    /// Made-up surroundings: these variables, no terminal.
    #[cfg(test)]
    pub fn fake(vars: &[(&str, &str)]) -> Self {
        Environment {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            stdout_is_terminal: false,
            stdin_is_terminal: false,
            terminal_width: None,
        }
    }

    /// A variable's value; empty counts as unset.
    pub fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).filter(|v| !v.is_empty()).cloned()
    }
}
