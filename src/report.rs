//! Errors → what the user reads on stderr, and the exit code.
//!
//! Exit codes (documented in the README and `winrm help exit`): 0 ok, 1 the
//! server returned a WS-Man fault, 2 usage or bad input, 3 authentication
//! refused, 4 connection, TLS or timeout, 5 the reply was not valid WS-Man,
//! 130 stopped by Ctrl-C.
//! A closed stdout pipe (`| head`) ends the run quietly with 0. Faults print
//! as winrm.cmd does (the WSManFault, then `Error number:`); everything else
//! is one `winrm: error:` line and, where a classic cause is likely, a
//! `hint:` line naming our switches. Nothing here retries or talks to the
//! network.

use std::io::Write;
use std::process::ExitCode;

use winrm::protocol::model::{Element, Name};
use winrm::protocol::{Fault, codes};
use winrm::render::json::{self, JsonWriter};
use winrm::render::{ArrayHints, Format, Palette, Printer};

use winrm::session::ErrorKind;
use winrm::transport::auth::AuthFailure;
use winrm::transport::{Method, TransportError};

use crate::cli::UsageError;
use crate::cli::args::Cli;
use crate::cli::interrupt::{EXIT_INTERRUPTED, Interrupted};
use crate::cli::run::Incomplete;

const EXIT_FAULT: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_AUTH: u8 = 3;
const EXIT_CONNECTION: u8 = 4;
const EXIT_BAD_REPLY: u8 = 5;

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
pub fn usage(message: &str, format: Format) -> ExitCode {
    let hint =
        (!message.contains("winrm help")).then_some("run 'winrm help' or 'winrm help switches'");
    if format.is_json() {
        json_error("usage", EXIT_USAGE, message, hint, |_| {});
    } else {
        print_error(message, hint);
    }
    ExitCode::from(EXIT_USAGE)
}

/// A clap error: help and version print to stdout with 0, the rest exit 2
/// (as one JSON line when JSON was asked for).
pub fn clap(error: clap::Error, format: Format) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let hint = "'winrm help VERB' shows what each verb takes";
    // Clap's own advice for an unknown argument ("use -- to pass it as a
    // value") misleads here: the switch exists, just not for this verb.
    if error.kind() == ErrorKind::UnknownArgument
        && let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg)
    {
        let message = if arg.starts_with('@') {
            "unexpected @{...} input: this verb takes none, or it was given twice".to_string()
        } else if arg.starts_with('-') {
            let name = arg.split('=').next().unwrap_or(arg);
            format!("'{name}' is not a switch of this verb")
        } else {
            // Not echoed: a stray word is often a password whose switch
            // lost it (`-p: secret`, with a space).
            "an unexpected extra word was given (not shown, in case it is a secret); values go \
             after their switch: -p:VALUE or --password VALUE"
                .to_string()
        };
        if format.is_json() {
            json_error("usage", EXIT_USAGE, &message, Some(hint), |_| {});
            return ExitCode::from(EXIT_USAGE);
        }
        eprintln!("winrm: error: {message}");
        if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
            eprintln!("{}", usage.to_string().trim_end());
        }
        eprintln!("hint: {hint}");
        return ExitCode::from(EXIT_USAGE);
    }
    let code = error.exit_code();
    if code == 0 {
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
        json_error("usage", EXIT_USAGE, &message.join(" "), Some(hint), |_| {});
    } else {
        let _ = error.print();
    }
    ExitCode::from(EXIT_USAGE)
}

/// Reports a failed run and picks the exit code. With a JSON format the
/// report is one JSON object on one line of stderr (see `winrm help json`).
pub fn error(error: &anyhow::Error, format: Format) -> ExitCode {
    if is_broken_pipe(error) {
        return ExitCode::SUCCESS;
    }
    let json = format.is_json();
    if let Some(stopped) = error.downcast_ref::<Interrupted>() {
        if json {
            json_error(
                "interrupted",
                EXIT_INTERRUPTED,
                &stopped.to_string(),
                None,
                |w| {
                    w.number("items", i64::try_from(stopped.items).unwrap_or(i64::MAX));
                },
            );
        } else {
            eprintln!("winrm: {stopped}");
        }
        return ExitCode::from(EXIT_INTERRUPTED);
    }
    if let Some(usage) = error.downcast_ref::<UsageError>() {
        if json {
            json_error("usage", EXIT_USAGE, &usage.to_string(), None, |_| {});
        } else {
            print_error(&usage.to_string(), None);
        }
        return ExitCode::from(EXIT_USAGE);
    }
    let Some(e) = error.downcast_ref::<winrm::Error>() else {
        // What is left are local failures, such as writing the output to a
        // full disk: not the server's fault, so not exit 1.
        let message = match error.downcast_ref::<std::io::Error>() {
            Some(io) => format!("cannot write the output: {io}"),
            None => format!("{error:#}"),
        };
        if json {
            json_error("local", EXIT_USAGE, &message, None, |_| {});
        } else {
            print_error(&message, None);
        }
        return ExitCode::from(EXIT_USAGE);
    };
    let incomplete = error.downcast_ref::<Incomplete>();
    if let Some(fault) = e.fault() {
        if json {
            json_fault(fault);
        } else {
            print_fault(fault, format);
            if let Some(incomplete) = incomplete {
                eprintln!("winrm: {incomplete}");
            }
        }
        return ExitCode::from(EXIT_FAULT);
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
    let hint = hint(e);
    let message = match incomplete {
        Some(incomplete) => format!("{e} ({incomplete})"),
        None => e.to_string(),
    };
    if json {
        json_error(kind, code, &message, hint.as_deref(), |w| {
            if let Some(incomplete) = incomplete {
                w.number("items", i64::try_from(incomplete.items).unwrap_or(i64::MAX));
            }
        });
    } else {
        print_error(&message, hint.as_deref());
    }
    ExitCode::from(code)
}

/// `winrm: error: …` and `hint: …`, coloured on a terminal.
fn print_error(message: &str, hint: Option<&str>) {
    let color = crate::cli::output::stderr_color();
    let (red, cyan, reset) = if color {
        ("\x1b[1;31m", "\x1b[36m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    eprintln!("winrm: {red}error:{reset} {message}");
    if let Some(hint) = hint {
        eprintln!("{cyan}hint:{reset} {hint}");
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

/// `{"error":{"kind":…,"exitCode":…,"message":…,"hint":…,…}}` on one line.
fn json_error(
    kind: &str,
    exit: u8,
    message: &str,
    hint: Option<&str>,
    extra: impl FnOnce(&mut ErrorFields),
) {
    let mut fields = ErrorFields {
        out: String::from("{\"error\":{\"kind\":"),
    };
    json::escape_into(&mut fields.out, kind);
    fields.number("exitCode", i64::from(exit));
    fields.string("message", message);
    if let Some(hint) = hint {
        fields.string("hint", hint);
    }
    extra(&mut fields);
    fields.out.push_str("}}\n");
    let _ = std::io::stderr().lock().write_all(fields.out.as_bytes());
}

/// A fault as a JSON error: the SOAP fault's parts, the error number, and
/// the WSManFault (or provider detail) as a nested object.
fn json_fault(fault: &Fault) {
    let message = fault
        .message
        .as_deref()
        .or(fault.reason.as_deref())
        .unwrap_or("the server returned a fault");
    let number = fault.error_code();
    let entry = number.and_then(codes::lookup);
    json_error(
        "fault",
        EXIT_FAULT,
        message.trim(),
        entry.and_then(|e| e.hint),
        |w| {
            w.string("code", &fault.code);
            if let Some(subcode) = fault.subcode_qname() {
                w.string("subcode", &subcode);
            }
            if let Some(reason) = &fault.reason {
                w.string("reason", reason.trim());
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
        },
    );
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The classic causes, named with our switches.
fn hint(e: &winrm::Error) -> Option<String> {
    let https = e.url().starts_with("https://");
    match e.kind() {
        ErrorKind::Transport(t) => match t {
            TransportError::Connect { reason, .. } if reason.contains("refused") => Some(
                if https {
                    "is an HTTPS listener configured on that port? WinRM's HTTPS port is 5986 \
                     (-usessl); plain HTTP is 5985"
                } else {
                    "is WinRM listening there? run 'winrm quickconfig' on the Windows host; \
                     for HTTPS use -usessl or -r:https://HOST:5986"
                }
                .into(),
            ),
            TransportError::UnencryptedBasic { .. } => Some(
                "use HTTPS (-usessl or -r:https://HOST:5986), or allow it explicitly with -unencrypted"
                    .into(),
            ),
            TransportError::Connect { .. } => {

                Some("check the host name in -r and that the network allows the port".into())
            }
            TransportError::Tls {
                untrusted: true,
                wrong_name: true,
                ..
            } => Some(
                "trust the server's CA with --cacert FILE (or -skipCAcheck), and connect by a name \
                 the certificate lists (or add -skipCNcheck)"
                    .into(),
            ),
            TransportError::Tls {
                untrusted: true, ..
            } => Some(
                "trust the server's CA with --cacert FILE, or accept it anyway with -skipCAcheck"
                    .into(),
            ),
            TransportError::Tls {
                wrong_name: true, ..
            } => Some(
                "connect by a name the certificate lists, or accept the mismatch with -skipCNcheck"
                    .into(),
            ),
            TransportError::Timeout { .. } => Some(
                "the server may be slow or unreachable; raise -timeout:MS, or check -r".into(),
            ),
            TransportError::AuthRefused {
                sent_credentials: true,
                method,
                ..
            } => Some(refused_hint(*method, https)),
            TransportError::AuthRefused { .. } => {
                Some("the server wants credentials: give -u:USER (and -a: to pick a method)".into())
            }
            TransportError::Auth { failure, .. } => auth_hint(*failure, https),
            TransportError::TooLarge { .. } => Some(
                "the server sent more than it was allowed (--max-envelope-size); for an \
                 enumeration, ask for fewer items per reply with --max-elements"
                    .into(),
            ),
            TransportError::Proxy { reason, .. } if reason.contains("407") => Some(
                "the proxy wants a login: give it in the proxy URL, \
                 -proxy:http://USER:PASSWORD@HOST:PORT (or in https_proxy/http_proxy)"
                    .into(),
            ),
            TransportError::Proxy { .. } => Some(
                "check -proxy (or https_proxy/http_proxy in the environment); hosts listed in \
                 no_proxy are reached directly, and -proxyaccess:no_proxy ignores every proxy"
                    .into(),
            ),
            TransportError::Redirect { .. } => {
                Some("point -r at the final URL yourself if you trust it".into())
            }
            _ => None,
        },
        ErrorKind::Http { status, detail } => match status {
            500 if !https && detail.is_none() => Some(
                "a Windows service answers an empty 500 when it refuses unencrypted traffic \
                 (AllowUnencrypted=false); use HTTPS (-usessl)"
                    .into(),
            ),
            404 => Some(
                "the URL path is wrong; WinRM listens on /wsman (give the path in -r if it differs)"
                    .into(),
            ),
            415 => Some("the server does not accept SOAP here; is this a WS-Man endpoint?".into()),
            _ => None,
        },
        ErrorKind::WrongReply(_) => Some(
            "something between us and the server (a proxy or load balancer) may be mixing up replies"
                .into(),
        ),
        ErrorKind::BadReply(_) => {

            Some("is -r pointing at a WS-Management endpoint (usually /wsman)?".into())
        }
        _ => None,
    }
}

/// What to check when the server answered 401 to our credentials.
fn refused_hint(method: Method, https: bool) -> String {
    match method {
        Method::Basic => "check the user name and password; Windows accepts Basic only for local \
                          accounts and only when winrm/config/service/auth Basic is true"
            .into(),
        Method::Digest => "check the user name and password (Digest is for Intel AMT; Windows \
                           does not offer it)"
            .into(),
        Method::Kerberos | Method::Negotiate if https => {
            "check the user name and password; a server that refuses the TLS channel binding \
             (MIT Kerberos, e.g. OMI) needs --no-channel-binding"
                .into()
        }
        Method::Ntlm | Method::Negotiate => "check the user name and password; local accounts \
                                             are written HOST\\user or .\\user, domain accounts \
                                             DOMAIN\\user"
            .into(),
        Method::Certificate => "the server did not map the client certificate to an account \
                                (winrm/config/service/certmapping) or Certificate auth is off"
            .into(),
        _ => "check the user name and password".into(),
    }
}

/// What to do about a failure the mechanism (or the KDC) reported.
fn auth_hint(failure: AuthFailure, https: bool) -> Option<String> {
    Some(
        match failure {
            AuthFailure::BadCredentials => {
                "check the password (and that the account is not locked)"
            }
            AuthFailure::UnknownAccount => {
                "check the user name: user@REALM or REALM\\user, in the realm the KDC serves"
            }
            AuthFailure::UnknownService => {
                "connect by the name the server is registered under (HTTP/<that name> must exist \
                 in the realm), or name the principal with --spn; -SPNPort adds the port"
            }
            AuthFailure::ClockSkew => "set this computer's clock (NTP); Kerberos allows 5 minutes",
            AuthFailure::KdcUnreachable => {
                "check the realm's kdc entry in krb5.conf ($KRB5_CONFIG), or give --kdc HOST[:PORT]"
            }
            AuthFailure::ChannelBinding if https => {
                "the server refused the TLS channel binding; if it is MIT Kerberos (OMI), \
                 try --no-channel-binding"
            }
            AuthFailure::NotOffered => "choose one of the methods the server offers with -a:",
            AuthFailure::Integrity => {
                "the server's authentication token did not verify: something may be tampering \
                 with the connection"
            }
            _ => return None,
        }
        .into(),
    )
}

/// winrm.cmd's fault layout: the WSManFault in the chosen format, then the
/// error number and what it means.
fn print_fault(fault: &Fault, format: Format) {
    let detail = match &fault.detail {
        Some(d) if is_wsman_fault(d) => d.clone(),
        _ => synthesized(fault),
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
                if let Some(hint) = entry.hint {
                    let _ = writeln!(err, "hint: {hint}");
                }
            }
            None => {
                if let Some(reason) = &fault.reason {
                    let _ = writeln!(err, "{reason}");
                }
            }
        }
    }
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
    if let Some(status) = fault.cim_status {
        root.children
            .push(leaf("CIMStatusCode", &status.to_string()));
    }
    if let Some(detail) = &fault.fault_detail {
        root.children.push(leaf("FaultDetail", detail));
    }
    root
}
