//! Errors → what the user reads on stderr, and the exit code.
//!
//! Exit codes (documented in the README and `winrm help exit`): 0 ok, 1 the
//! server returned a WS-Man fault, 2 usage or bad input, 3 authentication
//! refused, 4 connection, TLS or timeout, 5 the reply was not valid WS-Man,
//! 130 stopped by Ctrl-C.
//! A closed stdout pipe (`| head`) ends the run quietly with 0. Faults print
//! as winrm.cmd does (the WSManFault, then `Error number:`); everything else
//! is one `winrm: error:` line and, where a classic cause is likely, a
//! `hint:` line naming our switches (from `cli::hints`). Two steps: a pure
//! [`classify`] (error → [`Report`]: kind, exit code, message, hint), then
//! [`emit`], which prints a report, for one host among many if need be.
//! Nothing here retries or talks to the network.

use std::io::Write;
use std::process::ExitCode;

use winrm::protocol::model::{Element, Name};
use winrm::protocol::{Fault, codes};
use winrm::render::json::{self, JsonWriter};
use winrm::render::{ArrayHints, Format, Palette, Printer};

use crate::cli::UsageError;
use crate::cli::args::Cli;
use crate::cli::hints;
use crate::cli::interrupt::{EXIT_INTERRUPTED, Interrupted};
use crate::cli::verbs::Incomplete;

const EXIT_FAULT: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_AUTH: u8 = 3;
const EXIT_CONNECTION: u8 = 4;
const EXIT_BAD_REPLY: u8 = 5;
/// Any failure of winrm itself during `exec`.
const EXIT_EXEC_FAILED: u8 = 255;

/// The output format asked for, validated.
pub fn format(cli: &Cli) -> Result<Format, String> {
    match cli.output.format.as_deref() {
        None => Ok(Format::Text),
        Some(name) => Format::parse(name).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|(_, n)| *n).collect();
            format!(
                "unknown format '{name}'; choose one of: {}",
                names.join(", ")
            )
        }),
    }
}

/// The output format named on the command line, read before it is
/// parsed, so that a usage error can answer in JSON when JSON was asked
/// for. Looks only at format switches, in either style.
pub fn format_in(argv: &[std::ffi::OsString]) -> Format {
    // The spellings come from the switch table, so a new alias of --format
    // counts here too: -format:X and /f:X (winrm.cmd), --format X and
    // --format=X (and clap's aliases), -o X, -o=X and -o:X.
    let Some(switch) = crate::cli::compat::switch("format") else {
        return Format::Text;
    };
    let mut separate: Vec<String> = std::iter::once(&switch.long)
        .chain(&switch.aliases)
        .map(|long| format!("--{}", long.to_ascii_lowercase()))
        .collect();
    let mut prefixes: Vec<String> = separate.iter().map(|s| format!("{s}=")).collect();
    for name in &switch.names {
        let name = name.to_ascii_lowercase();
        prefixes.extend([format!("-{name}:"), format!("/{name}:")]);
    }
    if let Some(short) = switch.short {
        let short = format!("-{}", short.to_ascii_lowercase());
        prefixes.extend([format!("{short}="), format!("{short}:")]);
        separate.push(short);
    }
    let mut value_next = false;
    let mut found = Format::Text;
    for arg in argv.iter().filter_map(|a| a.to_str()) {
        if std::mem::take(&mut value_next) {
            found = Format::parse(arg).unwrap_or(found);
            continue;
        }
        let lower = arg.to_ascii_lowercase();
        if separate.contains(&lower) {
            value_next = true;
            continue;
        }
        if let Some(value) = prefixes.iter().find_map(|p| lower.strip_prefix(p.as_str())) {
            found = Format::parse(value).unwrap_or(found);
        }
    }
    found
}

/// A usage error found before clap (winrm.cmd switch syntax) or after it.
pub fn usage(message: &str, style: Style) -> ExitCode {
    let format = style.format;
    let code = style.exit(EXIT_USAGE);
    let hint = (!message.contains("winrm help")).then_some(hints::USAGE);
    if format.is_json() {
        json_error("usage", code, message, hint);
    } else {
        print_error(message, hint, style.color);
    }
    ExitCode::from(code)
}

/// A clap error: help and version print to stdout with 0, the rest exit 2
/// (as one JSON line when JSON was asked for).
pub fn clap(error: clap::Error, style: Style) -> ExitCode {
    let format = style.format;
    let code = style.exit(EXIT_USAGE);
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let hint = hints::VERB_USAGE;
    // Clap's own advice for an unknown argument ("use -- to pass it as a
    // value") misleads here: the switch exists, just not for this verb.
    if error.kind() == ErrorKind::UnknownArgument
        && let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg)
    {
        let message = if arg.starts_with('@') {
            "unexpected @{...} input: this verb takes none, or it was given twice".to_string()
        } else if arg.starts_with('-') {
            let name = arg.split('=').next().unwrap_or(arg);
            let long = name.trim_start_matches('-');
            if crate::cli::compat::switch(long).is_some() {
                format!("'{name}' is not a switch of this verb")
            } else {
                // The same did-you-mean as winrm.cmd spellings get.
                let guess = crate::cli::compat::closest(
                    long,
                    crate::cli::compat::switches()
                        .iter()
                        .map(|s| s.long.as_str()),
                )
                .map(|g| format!(" (did you mean '--{g}'?)"))
                .unwrap_or_default();
                format!("unknown switch '{name}'{guess}; run 'winrm help switches' for the list")
            }
        } else {
            // Not echoed: a stray word is often a password whose switch
            // lost it (`-p: secret`, with a space).
            "an unexpected extra word was given (not shown, in case it is a secret); values go \
             after their switch: -p:VALUE or --password VALUE"
                .to_string()
        };
        if format.is_json() {
            json_error("usage", code, &message, Some(hint));
            return ExitCode::from(code);
        }
        let (red, cyan, reset) = paint(style.color);
        say!("winrm: {red}error:{reset} {message}");
        if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
            say!("{}", usage.to_string().trim_end());
        }
        say!("{cyan}hint:{reset} {hint}");
        return ExitCode::from(code);
    }
    if error.kind() == ErrorKind::InvalidSubcommand
        && let Some(ContextValue::String(verb)) = error.get(ContextKind::InvalidSubcommand)
    {
        let command = <crate::cli::args::Cli as clap::CommandFactory>::command();
        let verbs: Vec<&str> = command
            .get_subcommands()
            .filter(|v| !v.is_hide_set())
            .map(clap::Command::get_name)
            .collect();
        let guess = crate::cli::compat::closest(verb, verbs.iter().copied())
            .map(|g| format!(" (did you mean '{g}'?)"))
            .unwrap_or_default();
        let message = format!(
            "unknown verb '{verb}'{guess}; the verbs are: {}",
            verbs.join(", ")
        );
        if format.is_json() {
            json_error("usage", code, &message, Some(hints::USAGE));
        } else {
            print_error(&message, Some(hints::USAGE), style.color);
        }
        return ExitCode::from(code);
    }
    let clap_code = error.exit_code();
    if clap_code == 0 {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    if format.is_json() {
        // Clap's message up to its usage block, on one line.
        let text = error.render().to_string();
        let message: Vec<&str> = text
            .lines()
            .take_while(|l| !l.trim().is_empty())
            .map(|l| l.trim().trim_start_matches("error: "))
            .collect();
        json_error("usage", code, &message.join(" "), Some(hint));
    } else {
        let _ = error.print();
    }
    ExitCode::from(code)
}

/// What a failed run comes to, decided without printing anything: the
/// JSON `kind`, the exit code, the message and the hint.
#[derive(Debug)]
pub struct Report<'e> {
    /// `fault`, `usage`, `auth`, `connection`, `bad-reply`, `interrupted`,
    /// `local` or `error` (the JSON error's `kind`).
    pub kind: &'static str,
    /// The exit code.
    pub exit: u8,
    /// What went wrong, on one line.
    pub message: String,
    /// What to try, when a classic cause is likely.
    pub hint: Option<String>,
    /// Items printed before an enumeration was cut short.
    pub items: Option<usize>,
    /// The server's fault, printed in winrm.cmd's layout.
    pub fault: Option<&'e Fault>,
}

/// The longest message shown, in characters: server text in it (a fault's
/// reason, a mismatched RelatesTo, an HTML page) is cut past this.
const MESSAGE_LIMIT: usize = 2000;

impl Report<'_> {
    fn new(kind: &'static str, exit: u8, message: String) -> Self {
        // One line, defused: it may quote whatever a server sent.
        let message = match winrm::terminal::one_line(&message, MESSAGE_LIMIT) {
            std::borrow::Cow::Borrowed(_) => message,
            std::borrow::Cow::Owned(safe) => safe,
        };
        Report {
            kind,
            exit,
            message,
            hint: None,
            items: None,
            fault: None,
        }
    }
}

/// How failures are reported: in the format asked for, and with the exit
/// codes of a remote command when the run is one (see [`Style::exit`]).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// The output format asked for.
    pub format: Format,
    /// The run is `exec`: its exit status is the remote command's.
    pub exec: bool,
    /// Colour `error:` and `hint:` (`--color`, stderr a terminal, NO_COLOR).
    pub color: bool,
}

impl Style {
    /// The exit code for a failure of winrm itself. For `exec` every such
    /// failure is 255, as ssh does, so it never passes for the remote
    /// command's own status; Ctrl-C stays 130.
    pub fn exit(self, code: u8) -> u8 {
        if self.exec && code != 0 && code != EXIT_INTERRUPTED {
            EXIT_EXEC_FAILED
        } else {
            code
        }
    }
}

/// The exit code of a run over several hosts, from the code each host's
/// run would have exited with on its own (0 for success): 0 when all
/// succeeded, otherwise the most severe of them. Ctrl-C (130) comes first.
/// Then, for `exec`, a failure of winrm itself on any host (255), else the
/// largest remote exit status, as `pdsh -S` does. For the other verbs:
/// usage or local trouble (2), refused credentials (3), replies that are
/// not WS-Man (5), unreachable hosts (4), then faults (1): what is likely
/// wrong for every host before what is wrong with one.
pub fn fleet_exit(codes: &[u8], exec: bool) -> u8 {
    let severity = |code: u8| -> u16 {
        match code {
            0 => 0,
            EXIT_INTERRUPTED => 1000,
            _ if exec && code == EXIT_EXEC_FAILED => 999,
            _ if exec => u16::from(code),
            EXIT_FAULT => 1,
            EXIT_CONNECTION => 2,
            EXIT_BAD_REPLY => 3,
            EXIT_AUTH => 4,
            EXIT_USAGE => 5,
            // No verb exits otherwise; rank any newcomer above a fault.
            other => 1 + u16::from(other).min(4),
        }
    };
    codes
        .iter()
        .copied()
        .max_by_key(|&code| severity(code))
        .unwrap_or(0)
}

/// How one host of a fleet ended, for [`fleet_summary`].
#[derive(Debug)]
pub enum HostEnd<'e> {
    /// Never started: the run was interrupted first.
    NotStarted,
    /// The verb ran to its end with this exit code (a remote command's).
    Exited(u8),
    /// The verb failed (see [`host_report`]; `None`: a closed stdout,
    /// nobody's failure).
    Failed(Option<Report<'e>>),
}

/// The end of a fleet: a line per failed host, the count, and the exit
/// code.
#[derive(Debug, PartialEq, Eq)]
pub struct FleetSummary {
    /// `winrm: HOST: failed: CAUSE (hint: …)` lines, then `winrm: N of M
    /// hosts succeeded`, with the hosts not started when there are some.
    pub lines: Vec<String>,
    /// The run's exit code (see [`fleet_exit`]).
    pub exit: u8,
}

/// A failed host's report in a fleet, with the exit code its own run
/// would have had (`style`: exec's failures are 255).
pub fn host_report(error: &anyhow::Error, https: bool, style: Style) -> Option<Report<'_>> {
    classify(error, https).map(|mut report| {
        report.exit = style.exit(report.exit);
        report
    })
}

/// Sums up a fleet; pure. `hosts`: each host as shown and how it ended;
/// `interrupted`: Ctrl-C was pressed, so the run exits 130 whatever its
/// hosts came to.
pub fn fleet_summary<L: AsRef<str>>(
    hosts: &[(L, HostEnd)],
    style: Style,
    interrupted: bool,
) -> FleetSummary {
    let mut lines = Vec::new();
    let mut codes = Vec::with_capacity(hosts.len());
    let (mut succeeded, mut not_started) = (0usize, 0usize);
    for (label, end) in hosts {
        let label = label.as_ref();
        let code = match end {
            HostEnd::NotStarted => {
                not_started += 1;
                EXIT_INTERRUPTED
            }
            HostEnd::Exited(0) | HostEnd::Failed(None) => 0,
            HostEnd::Exited(code) => {
                lines.push(format!(
                    "winrm: {label}: failed: the remote command exited with {code}"
                ));
                *code
            }
            HostEnd::Failed(Some(report)) => {
                let hint = report
                    .hint
                    .as_deref()
                    .map(|h| format!(" (hint: {h})"))
                    .unwrap_or_default();
                lines.push(format!("winrm: {label}: failed: {}{hint}", report.message));
                report.exit
            }
        };
        if code == 0 {
            succeeded += 1;
        }
        codes.push(code);
    }
    let skipped = if not_started > 0 {
        format!("; {not_started} not started (interrupted)")
    } else {
        String::new()
    };
    lines.push(format!(
        "winrm: {succeeded} of {} hosts succeeded{skipped}",
        hosts.len()
    ));
    let exit = if interrupted {
        EXIT_INTERRUPTED
    } else {
        fleet_exit(&codes, style.exec)
    };
    FleetSummary { lines, exit }
}

/// The report of a fleet's host that was never started because the run
/// was interrupted first: a record like any failure (json, jsonl, xml).
pub fn not_started() -> Report<'static> {
    Report::new(
        "interrupted",
        EXIT_INTERRUPTED,
        "not started: the run was interrupted first".into(),
    )
}

/// Reports a failed run on stderr and picks the exit code. `https` says
/// whether the endpoint was HTTPS (some hints differ).
pub fn error(error: &anyhow::Error, style: Style, https: bool) -> ExitCode {
    match host_report(error, https, style) {
        None => ExitCode::SUCCESS,
        Some(report) => {
            emit(&report, style, None);
            ExitCode::from(report.exit)
        }
    }
}

/// Classifies a failed run; pure. None when there is nothing to report: a
/// closed stdout pipe (`| head`) means the reader had enough, a success.
pub fn classify(error: &anyhow::Error, https: bool) -> Option<Report<'_>> {
    if is_broken_pipe(error) {
        return None;
    }
    if let Some(stopped) = error.downcast_ref::<Interrupted>() {
        let mut report = Report::new("interrupted", EXIT_INTERRUPTED, stopped.to_string());
        report.items = stopped.items();
        return Some(report);
    }
    if let Some(usage) = error.downcast_ref::<UsageError>() {
        return Some(Report::new("usage", EXIT_USAGE, usage.to_string()));
    }
    let Some(e) = error.downcast_ref::<winrm::Error>() else {
        // What is left are local failures, such as writing the output to a
        // full disk: not the server's fault, so not exit 1.
        let message = match error.downcast_ref::<std::io::Error>() {
            Some(io) => format!("cannot write the output: {io}"),
            None => format!("{error:#}"),
        };
        return Some(Report::new("local", EXIT_USAGE, message));
    };
    let incomplete = error.downcast_ref::<Incomplete>();
    if let Some(fault) = e.fault() {
        let message = fault
            .message
            .as_deref()
            .or(fault.reason.as_deref())
            .unwrap_or("the server returned a fault")
            .trim()
            .to_string();
        let mut report = Report::new("fault", EXIT_FAULT, message);
        report.fault = Some(fault);
        report.items = incomplete.map(|i| i.items);
        report.hint = fault
            .error_code()
            .and_then(hints::for_code)
            .map(str::to_string);
        return Some(report);
    }
    let (kind, code) = if e.is_auth() {
        ("auth", EXIT_AUTH)
    } else if e.is_connection() {
        ("connection", EXIT_CONNECTION)
    } else if e.is_bad_reply() {
        ("bad-reply", EXIT_BAD_REPLY)
    } else if e.is_input() {
        ("usage", EXIT_USAGE)
    } else {
        ("error", EXIT_FAULT)
    };
    let message = match incomplete {
        Some(incomplete) => format!("{e} ({incomplete})"),
        None => e.to_string(),
    };
    let mut report = Report::new(kind, code, message);
    report.hint = hints::for_error(e, https);
    report.items = incomplete.map(|i| i.items);
    Some(report)
}

/// Prints a report on stderr: one JSON line when JSON was asked for;
/// otherwise winrm.cmd's fault layout, or `winrm: error:` and `hint:`.
/// `host` names the target when a run covers several.
pub fn emit(report: &Report, style: Style, host: Option<&str>) {
    let format = style.format;
    if format.is_json() {
        let mut line = json_record(report, host);
        line.push('\n');
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
        return;
    }
    let about = host.map(|h| format!("{h}: ")).unwrap_or_default();
    match report.fault {
        Some(fault) => {
            if let Some(host) = host {
                say!("winrm: {host}:");
            }
            print_fault(fault, report.hint.as_deref(), format);
            if let Some(items) = report.items {
                say!("winrm: {about}{}", Incomplete { items });
            }
        }
        None if report.kind == "interrupted" => say!("winrm: {about}{}", report.message),
        None => print_error(
            &format!("{about}{}", report.message),
            report.hint.as_deref(),
            style.color,
        ),
    }
}

/// `winrm: error: …` and `hint: …`, coloured when `color`.
fn print_error(message: &str, hint: Option<&str>, color: bool) {
    let message = winrm::terminal::one_line(message, MESSAGE_LIMIT);
    let (red, cyan, reset) = paint(color);
    say!("winrm: {red}error:{reset} {message}");
    if let Some(hint) = hint {
        say!("{cyan}hint:{reset} {hint}");
    }
}

/// The colours of `error:` and `hint:`, or none.
fn paint(color: bool) -> (&'static str, &'static str, &'static str) {
    if color {
        ("\x1b[1;31m", "\x1b[36m", "\x1b[0m")
    } else {
        ("", "", "")
    }
}

/// Builds the members of a JSON error object.
struct ErrorFields {
    out: String,
}

impl ErrorFields {
    fn key(&mut self, key: &str) {
        self.out.push(',');
        json::escape_into(&mut self.out, key);
        self.out.push(':');
    }

    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        json::escape_into(&mut self.out, value);
    }

    fn number(&mut self, key: &str, value: i64) {
        self.key(key);
        self.out.push_str(&value.to_string());
    }
}

/// `{"error":{…}}`, or `{"@host":HOST,"error":{…}}`, on one line without
/// its newline: a failure as a JSON record (see [`error_object`]).
pub fn json_record(report: &Report, host: Option<&str>) -> String {
    let mut out = String::from("{");
    if let Some(host) = host {
        json::escape_into(&mut out, "@host");
        out.push(':');
        json::escape_into(&mut out, host);
        out.push(',');
    }
    out.push_str("\"error\":");
    out.push_str(&error_object(report));
    out.push('}');
    out
}

/// The JSON error object of a report on one line:
/// `{"kind":…,"exitCode":…,"message":…,"hint":…,…}`, with a fault's parts
/// for a fault and the item count for a cut-short enumeration.
pub fn error_object(report: &Report) -> String {
    let items = report.items.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    match report.fault {
        Some(fault) => json_fault(fault, report.exit, report.hint.as_deref()),
        None => error_fields(
            report.kind,
            report.exit,
            &report.message,
            report.hint.as_deref(),
            |w| {
                if let Some(items) = items {
                    w.number("items", items);
                }
            },
        ),
    }
}

/// `{"error":{"kind":…,"exitCode":…,"message":…,"hint":…,…}}` on one line,
/// on stderr.
fn json_error(kind: &str, exit: u8, message: &str, hint: Option<&str>) {
    let line = format!(
        "{{\"error\":{}}}\n",
        error_fields(kind, exit, message, hint, |_| {})
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// `{"kind":…,"exitCode":…,"message":…,"hint":…,…}`.
fn error_fields(
    kind: &str,
    exit: u8,
    message: &str,
    hint: Option<&str>,
    extra: impl FnOnce(&mut ErrorFields),
) -> String {
    let mut fields = ErrorFields {
        out: String::from("{\"kind\":"),
    };
    json::escape_into(&mut fields.out, kind);
    fields.number("exitCode", i64::from(exit));
    fields.string("message", message);
    if let Some(hint) = hint {
        fields.string("hint", hint);
    }
    extra(&mut fields);
    fields.out.push('}');
    fields.out
}

/// A fault as a JSON error object: the SOAP fault's parts, the error
/// number, and the WSManFault (or provider detail) as a nested object.
fn json_fault(fault: &Fault, exit: u8, hint: Option<&str>) -> String {
    let message = fault
        .message
        .as_deref()
        .or(fault.reason.as_deref())
        .unwrap_or("the server returned a fault");
    let message = winrm::terminal::one_line(message.trim(), MESSAGE_LIMIT);
    let number = fault.error_code();
    let entry = number.and_then(codes::lookup);
    error_fields("fault", exit, &message, hint, |w| {
        w.string("code", &fault.code);
        if let Some(subcode) = fault.subcode_qname() {
            w.string("subcode", &subcode);
        }
        if let Some(reason) = &fault.reason {
            w.string(
                "reason",
                &winrm::terminal::one_line(reason.trim(), MESSAGE_LIMIT),
            );
        }
        if let Some(machine) = &fault.machine {
            w.string("machine", machine);
        }
        if let Some(number) = number {
            // Signed, as winrm.cmd prints it (an HRESULT).
            w.number("errorNumber", i64::from(number as i32));
            w.string("errorHex", &format!("0x{number:08X}"));
        }
        if let Some(entry) = entry {
            w.string("errorName", entry.name);
            w.string("errorText", entry.summary);
        }
        if let Some(detail) = &fault.detail {
            w.key("detail");
            let hints = ArrayHints::default();
            JsonWriter::new(&mut w.out, false, Palette::PLAIN, &hints).result(detail, 0);
        }
    })
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// winrm.cmd's fault layout: the WSManFault in the chosen format, then the
/// error number and what it means.
fn print_fault(fault: &Fault, hint: Option<&str>, format: Format) {
    let mut detail = match &fault.detail {
        Some(d) if is_wsman_fault(d) => d.clone(),
        _ => synthesized(fault),
    };
    // A hostile server's megabyte of fault text would bury the message.
    winrm::terminal::rewrite_texts(&mut detail, &|text| {
        winrm::terminal::cut(text, MESSAGE_LIMIT)
    });
    // A table (or csv) of one fault's properties reads worse than its text
    // layout, which is what winrm.cmd shows; XML asked for stays XML.
    let format = match format {
        Format::Table | Format::Csv | Format::Tsv => Format::Text,
        other => other,
    };
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    let _ = Printer::new(format, &mut err).single(&detail);
    let code = fault.error_code();
    if let Some(code) = code {
        let _ = writeln!(err, "\nError number:  {}", codes::signed_and_hex(code));
        match codes::lookup(code) {
            Some(entry) => {
                let _ = writeln!(err, "{}", entry.summary);
                if let Some(hint) = hint {
                    let _ = writeln!(err, "hint: {hint}");
                }
            }
            None => {
                if let Some(reason) = &fault.reason {
                    let _ = writeln!(err, "{}", winrm::terminal::one_line(reason, MESSAGE_LIMIT));
                }
            }
        }
        // The provider's own error, inside (WMI's 0x80041017 for bad WQL):
        // often the more telling of the two.
        for inner in inner_codes(&detail, code) {
            let _ = writeln!(err, "Inner error number:  {}", codes::signed_and_hex(inner));
            if let Some(entry) = codes::lookup(inner) {
                let _ = writeln!(err, "{}: {}", entry.name, entry.summary);
            }
        }
    }
}

/// The `Code` of every WSManFault nested in `detail` that differs from the
/// outer `code`, once each, outermost first.
fn inner_codes(detail: &Element, code: u32) -> Vec<u32> {
    fn walk(e: &Element, out: &mut Vec<u32>) {
        for child in &e.children {
            if is_wsman_fault(child)
                && let Some(inner) = child
                    .attribute(None, "Code")
                    .and_then(|c| c.trim().parse::<u32>().ok())
                && !out.contains(&inner)
            {
                out.push(inner);
            }
            walk(child, out);
        }
    }
    let mut found = vec![code];
    walk(detail, &mut found);
    found.remove(0);
    found
}

fn is_wsman_fault(e: &Element) -> bool {
    e.name.local == "WSManFault"
}

/// A WSManFault-shaped element for servers that send only Code and Reason
/// (openwsman, AMT) or a CIM error (OMI).
fn synthesized(fault: &Fault) -> Element {
    let leaf = |name: &str, value: &str| Element {
        name: Name {
            local: name.into(),
            namespace: None,
            prefix: None,
        },
        text: Some(value.into()),
        ..Element::default()
    };
    let mut root = Element {
        name: Name {
            local: "WSManFault".into(),
            namespace: None,
            prefix: None,
        },
        ..Element::default()
    };
    root.children.push(leaf(
        "Message",
        fault
            .message
            .as_deref()
            .unwrap_or("(the server gave no message)"),
    ));
    if let Some(q) = fault.subcode_qname() {
        root.children.push(leaf("Subcode", &q));
    }
    // The server's own words, when they say more than the message (OMI:
    // "CIM ERROR:NOT_FOUND: The requested object cannot be found.").
    if let Some(reason) = fault
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| Some(*r) != fault.message.as_deref().map(str::trim))
    {
        root.children.push(leaf("Reason", reason));
    }
    if let Some(status) = fault.cim_status {
        let shown = match codes::cim_status_name(status) {
            Some(name) => format!("{status} ({name})"),
            None => status.to_string(),
        };
        root.children.push(leaf("CIMStatusCode", &shown));
    }
    if let Some(detail) = &fault.fault_detail {
        root.children.push(leaf("FaultDetail", detail));
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(exec: bool) -> Style {
        Style {
            format: Format::Text,
            exec,
            color: false,
        }
    }

    #[test]
    fn a_fleet_summary_names_each_failed_host_and_counts() {
        let refused = anyhow::Error::from(UsageError::new("bad switch"));
        let hosts = [
            ("a", HostEnd::Exited(0)),
            (
                "b",
                HostEnd::Failed(host_report(&refused, false, style(false))),
            ),
            ("c", HostEnd::Failed(None)),
            ("d", HostEnd::NotStarted),
        ];
        let summary = fleet_summary(&hosts, style(false), false);
        assert_eq!(
            summary.lines,
            [
                "winrm: b: failed: bad switch",
                "winrm: 2 of 4 hosts succeeded; 1 not started (interrupted)"
            ]
        );
        assert_eq!(summary.exit, 130, "a host not started: interrupted");
        let hosts = [("a", HostEnd::Exited(3)), ("b", HostEnd::Exited(0))];
        let summary = fleet_summary(&hosts, style(true), false);
        assert_eq!(
            summary.lines,
            [
                "winrm: a: failed: the remote command exited with 3",
                "winrm: 1 of 2 hosts succeeded"
            ]
        );
        assert_eq!(summary.exit, 3);
        // exec: winrm's own failure is 255.
        let hosts = [(
            "a",
            HostEnd::Failed(host_report(&refused, false, style(true))),
        )];
        assert_eq!(fleet_summary(&hosts, style(true), false).exit, 255);
        // Ctrl-C was pressed: 130, even when every host had finished.
        let hosts = [("a", HostEnd::Exited(0))];
        let summary = fleet_summary(&hosts, style(false), true);
        assert_eq!(summary.exit, 130);
        assert_eq!(summary.lines, ["winrm: 1 of 1 hosts succeeded"]);
    }

    #[test]
    fn a_fleet_exits_with_its_worst_failure() {
        assert_eq!(fleet_exit(&[0, 0, 0], false), 0);
        assert_eq!(fleet_exit(&[], false), 0);
        assert_eq!(fleet_exit(&[0, 1, 0], false), 1);
        assert_eq!(
            fleet_exit(&[1, 4, 0], false),
            4,
            "unreachable beats a fault"
        );
        assert_eq!(
            fleet_exit(&[4, 5, 1], false),
            5,
            "not WS-Man beats unreachable"
        );
        assert_eq!(
            fleet_exit(&[5, 3, 4], false),
            3,
            "refused logons beat the rest"
        );
        assert_eq!(fleet_exit(&[3, 2, 1], false), 2, "usage beats everything");
        assert_eq!(fleet_exit(&[2, 130, 0], false), 130, "Ctrl-C comes first");
    }

    #[test]
    fn a_fleet_of_commands_exits_with_the_largest_remote_status() {
        assert_eq!(fleet_exit(&[0, 3, 1], true), 3);
        assert_eq!(fleet_exit(&[0, 254, 7], true), 254);
        assert_eq!(
            fleet_exit(&[254, 255, 0], true),
            255,
            "winrm's own failure wins"
        );
        assert_eq!(fleet_exit(&[255, 130], true), 130);
        assert_eq!(fleet_exit(&[0, 0], true), 0);
    }
}
