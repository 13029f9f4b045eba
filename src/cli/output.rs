//! What the terminal allows: colour, table width and the progress line.
//!
//! Turns the output switches and the environment (is stdout a terminal,
//! NO_COLOR, COLUMNS, the locale's charset) into the [`RenderOptions`] the pure renderers take,
//! and draws the enumeration progress line on stderr. Nothing here formats
//! results.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use winrm::render::{ArrayHints, Fit, Format, Palette, RenderOptions};

use super::UsageError;
use super::args::OutputArgs;
use super::environment::Environment;

/// The width tables fit when the output is not a terminal and COLUMNS is
/// not set: the classic terminal width, which a pager, a mail or a log
/// viewer shows without wrapping.
const PIPE_WIDTH: u16 = 80;
/// How long an enumeration runs before the progress line appears: short
/// ones never show it.
const PROGRESS_AFTER: Duration = Duration::from_millis(500);

/// The render options the switches and the terminal call for.
pub fn render_options(
    args: &OutputArgs,
    format: Format,
    env: &Environment,
) -> Result<RenderOptions, UsageError> {
    let columns = split_names(&args.columns);
    if !columns.is_empty() && !format.has_columns() {
        return Err(UsageError::new(
            "--columns chooses table, csv and tsv columns; add -format:table (or csv, tsv)",
        ));
    }
    if args.no_header && !matches!(format, Format::Csv | Format::Tsv) {
        return Err(UsageError::new(
            "--no-header applies to -format:csv and tsv",
        ));
    }
    let arrays = split_names(&args.array);
    if !(arrays.is_empty() || format.is_json() || format.has_columns()) {
        return Err(UsageError::new(
            "--array applies to -format:json, jsonl, table, csv and tsv",
        ));
    }
    let terminal = env.stdout_is_terminal;
    let no_color = env.var("NO_COLOR").is_some();
    let palette = if color_wanted(args.color.as_deref(), terminal)? && !no_color {
        Palette::COLOR
    } else {
        Palette::PLAIN
    };
    Ok(RenderOptions {
        // Tables and XML are not coloured: the palette serves text and JSON.
        palette: if matches!(format, Format::Text | Format::Json | Format::Jsonl) {
            palette
        } else {
            Palette::PLAIN
        },
        fit: Fit {
            width: width(env),
            wrap: terminal,
            utf8: utf8_locale(env),
        },
        columns: (!columns.is_empty()).then_some(columns),
        header: !args.no_header,
        arrays: ArrayHints::new(arrays),
        host: None,
        shared_table: None,
        shared_delimited: None,
    })
}

/// `--columns A,B --columns C` → `[A, B, C]`.
fn split_names(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// Colour follows `--color` (auto by default): never with NO_COLOR set
/// (<https://no-color.org>), otherwise only on a terminal unless the user
/// said `always`.
fn color_wanted(when: Option<&str>, terminal: bool) -> Result<bool, UsageError> {
    let when = when.map(str::to_ascii_lowercase);
    let asked = match when.as_deref() {
        None | Some("auto") => terminal,
        Some("always") => true,
        Some("never") => false,
        Some(other) => {
            return Err(UsageError::new(format!(
                "unknown --color '{other}'; choose auto, always or never"
            )));
        }
    };
    Ok(asked)
}

/// Whether NO_COLOR is set to something (<https://no-color.org>).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether "winrm: error:" on stderr is coloured: `--color` governs it as
/// it does stdout (auto: when stderr is a terminal), and NO_COLOR always
/// switches colour off. An unknown `--color` is reported elsewhere; here
/// it counts as auto.
pub fn stderr_color(when: Option<&str>) -> bool {
    let terminal = std::io::stderr().is_terminal();
    color_wanted(when, terminal).unwrap_or(terminal) && !no_color()
}

/// The terminal's width, else COLUMNS, else [`PIPE_WIDTH`].
fn width(env: &Environment) -> u16 {
    if let Some(w) = env.terminal_width {
        return w.max(20);
    }
    env.var("COLUMNS")
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w >= 20)
        .unwrap_or(PIPE_WIDTH)
}

/// Whether the locale's charset is UTF-8, as the C library decides it:
/// the first of LC_ALL, LC_CTYPE and LANG that is set names it. Unset, or
/// C/POSIX, means ASCII.
fn utf8_locale(env: &Environment) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| env.var(name))
        .is_some_and(|locale| {
            let locale = locale.to_ascii_lowercase();
            locale.contains("utf-8") || locale.contains("utf8")
        })
}

/// The "1,200 items, 3 pages…" line on stderr during a long enumeration.
///
/// Shown only when stderr is a terminal and the items are not already
/// scrolling past on that terminal (stdout redirected); never in pipes.
/// It is erased when the enumeration ends, however it ends.
pub struct Progress {
    enabled: bool,
    started: Instant,
    pages: usize,
    shown: bool,
}

impl Progress {
    /// A progress line for an enumeration; none while `--debug` traces to
    /// the same stderr.
    pub fn new(debug: bool) -> Self {
        let stdout_scrolls = std::io::stdout().is_terminal();
        Progress {
            enabled: std::io::stderr().is_terminal() && !stdout_scrolls && !debug,

            started: Instant::now(),
            pages: 0,
            shown: false,
        }
    }

    /// Counts a page; redraws the line once the enumeration has run long
    /// enough to deserve one.
    pub fn page(&mut self, items: usize) {
        self.pages += 1;
        if !self.enabled || self.started.elapsed() < PROGRESS_AFTER {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{}\x1b[K", describe(items, self.pages));
        let _ = err.flush();
        self.shown = true;
    }

    /// Erases the line, if it was drawn.
    pub fn clear(&mut self) {
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
            self.shown = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

/// `1,200 items, 3 pages…`
fn describe(items: usize, pages: usize) -> String {
    let noun = |n: usize, one: &str, many: &str| {
        format!("{} {}", thousands(n), if n == 1 { one } else { many })
    };
    format!(
        "{}, {}…",
        noun(items, "item", "items"),
        noun(pages, "page", "pages")
    )
}

/// `1200` → `1,200`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_wording() {
        assert_eq!(describe(1200, 3), "1,200 items, 3 pages…");
        assert_eq!(describe(1, 1), "1 item, 1 page…");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn the_first_locale_variable_set_decides_the_charset() {
        let utf8 = |vars: &[(&str, &str)]| utf8_locale(&Environment::fake(vars));
        assert!(utf8(&[("LANG", "C.UTF-8")]));
        assert!(utf8(&[("LANG", "de_DE.utf8")]));
        assert!(!utf8(&[("LANG", "C")]));
        assert!(!utf8(&[]));
        assert!(!utf8(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")]));
        assert!(utf8(&[("LC_CTYPE", "en_US.UTF-8"), ("LANG", "C")]));
        // Empty counts as unset.
        assert!(utf8(&[("LC_ALL", ""), ("LANG", "en_US.UTF-8")]));
    }

    #[test]
    fn pipes_fit_80_columns_unless_columns_says_otherwise() {
        assert_eq!(width(&Environment::fake(&[])), 80);
        assert_eq!(width(&Environment::fake(&[("COLUMNS", "40")])), 40);
    }

    #[test]
    fn names_split_on_commas() {
        let given = vec!["Name, State".to_string(), "StartMode".to_string()];
        assert_eq!(split_names(&given), ["Name", "State", "StartMode"]);
    }
}
