//! The Windows Remote Shell (WinRS, MS-WSMV 3.1.4.5–3.1.4.15) as data: the
//! bodies and option sets of Create, Command, Send, Receive and Signal, and
//! readers for what comes back (the ShellId, the CommandId, output chunks,
//! the command's state and exit code). No I/O, no state: the session drives
//! a shell with these, through the one envelope builder.
//!
//! Bodies declare the `rsp:` namespace themselves, so the envelope stays the
//! same for every resource. Replies are read from the owned model, matched
//! by namespace URI, never by prefix.

use std::fmt::Write as _;
use std::time::Duration;

use super::envelope::OptionValue;
use super::error::ProtocolError;
use super::model::Element;
use super::ns;
use super::xml::{escape, escape_attribute_into};

/// The shell namespace (`rsp:`).
pub const NS: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell";
/// The cmd.exe shell resource.
pub const RESOURCE_CMD: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd";
/// Run a command in a shell.
pub const ACTION_COMMAND: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command";
/// Send input to a command.
pub const ACTION_SEND: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send";
/// Receive a command's output.
pub const ACTION_RECEIVE: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive";
/// Signal a command.
pub const ACTION_SIGNAL: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal";
/// The state of a command that has ended.
const STATE_DONE: &str =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done";
/// The WSManFault code of a Receive that found no output within the
/// OperationTimeout (ERROR_WSMAN_OPERATION_TIMEDOUT): poll again.
pub const RECEIVE_TIMED_OUT: u32 = 0x8033_8029;

/// How a shell is set up (Create).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShellOptions {
    /// The working directory of every command (`-d:`).
    pub working_directory: Option<String>,
    /// Environment variables (`-env:NAME=VALUE`), in order.
    pub environment: Vec<(String, String)>,
    /// Close the shell after this long without a request.
    pub idle_timeout: Option<Duration>,
    /// Do not load the user profile (`WINRS_NOPROFILE`).
    pub no_profile: bool,
    /// The console code page output is encoded in (`WINRS_CODEPAGE`);
    /// 65001 is UTF-8.
    pub codepage: Option<u32>,
}

/// How one command is started (Command).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandOptions {
    /// Start the program directly, not through cmd.exe
    /// (`WINRS_SKIP_CMD_SHELL`).
    pub skip_cmd_shell: bool,
    /// Tell the program its stdin is a console (`WINRS_CONSOLEMODE_STDIN`),
    /// which interactive programs want.
    pub console_stdin: bool,
}

/// A signal for a running command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C: the program may stop gracefully.
    CtrlC,
    /// End the command now.
    Terminate,
}

impl Signal {
    fn uri(self) -> &'static str {
        match self {
            Signal::CtrlC => {
                "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c"
            }
            Signal::Terminate => {
                "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate"
            }
        }
    }
}

/// An output stream of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// What one Receive brought. Reading the next Receive into the same value
/// reuses its memory: a command's output comes in hundreds of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    /// Each piece of output in the order it came: its stream and where its
    /// bytes are in `data`.
    pieces: Vec<(Stream, std::ops::Range<usize>)>,
    /// The output's bytes, in the shell's code page.
    data: Vec<u8>,
    /// The exit code once the command is done; `None` while it runs.
    pub exit_code: Option<i64>,
    /// The command is done (its state said so).
    pub done: bool,
}

impl Received {
    /// The output, piece by piece, in the order it came.
    pub fn chunks(&self) -> impl Iterator<Item = (Stream, &[u8])> + '_ {
        self.pieces
            .iter()
            .map(|(stream, range)| (*stream, &self.data[range.clone()]))
    }

    /// Whether it brought no output.
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// Forgets what it held, keeping the memory.
    pub(crate) fn clear(&mut self) {
        self.pieces.clear();
        self.data.clear();
        self.exit_code = None;
        self.done = false;
    }
}

/// The Create body: a `rsp:Shell` with stdin and both output streams.
pub fn create_body(options: &ShellOptions) -> String {
    let mut out = format!("<rsp:Shell xmlns:rsp=\"{NS}\">");
    if let Some(dir) = &options.working_directory {
        let _ = write!(
            out,
            "<rsp:WorkingDirectory>{}</rsp:WorkingDirectory>",
            escape(dir)
        );
    }
    if !options.environment.is_empty() {
        out.push_str("<rsp:Environment>");
        for (name, value) in &options.environment {
            out.push_str("<rsp:Variable Name=\"");
            escape_attribute_into(&mut out, name);
            let _ = write!(out, "\">{}</rsp:Variable>", escape(value));
        }
        out.push_str("</rsp:Environment>");
    }
    if let Some(idle) = options.idle_timeout {
        let _ = write!(
            out,
            "<rsp:IdleTimeOut>PT{}.{:03}S</rsp:IdleTimeOut>",
            idle.as_secs(),
            idle.subsec_millis()
        );
    }
    out.push_str("<rsp:InputStreams>stdin</rsp:InputStreams>");
    out.push_str("<rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>");
    out
}

/// The Create option set.
pub fn create_options(options: &ShellOptions) -> Vec<OptionValue> {
    let mut set = vec![OptionValue {
        name: "WINRS_NOPROFILE".into(),
        value: Some(bool_text(options.no_profile).into()),
    }];
    if let Some(codepage) = options.codepage {
        set.push(OptionValue {
            name: "WINRS_CODEPAGE".into(),
            value: Some(codepage.to_string()),
        });
    }
    set
}

/// The Command body: the program and its arguments, each sent as given.
pub fn command_body(command: &str, arguments: &[String]) -> String {
    let mut out = format!(
        "<rsp:CommandLine xmlns:rsp=\"{NS}\"><rsp:Command>{}</rsp:Command>",
        escape(command)
    );
    for argument in arguments {
        let _ = write!(out, "<rsp:Arguments>{}</rsp:Arguments>", escape(argument));
    }
    out.push_str("</rsp:CommandLine>");
    out
}

/// The Command option set.
pub fn command_options(options: &CommandOptions) -> Vec<OptionValue> {
    vec![
        OptionValue {
            name: "WINRS_CONSOLEMODE_STDIN".into(),
            value: Some(bool_text(options.console_stdin).into()),
        },
        OptionValue {
            name: "WINRS_SKIP_CMD_SHELL".into(),
            value: Some(bool_text(options.skip_cmd_shell).into()),
        },
    ]
}

/// The Send body: `data` for the command's stdin, base64; `end` closes it.
pub fn send_body(command_id: &str, data: &[u8], end: bool) -> String {
    let mut out = String::new();
    send_body_into(&mut out, command_id, data, end);
    out
}

/// [`send_body`] written after what `out` holds.
pub fn send_body_into(out: &mut String, command_id: &str, data: &[u8], end: bool) {
    out.reserve(send_body_size(data.len()));
    let _ = write!(
        out,
        "<rsp:Send xmlns:rsp=\"{NS}\"><rsp:Stream Name=\"stdin\" CommandId=\""
    );
    escape_attribute_into(out, command_id);
    out.push('"');
    if end {
        out.push_str(" End=\"true\"");
    }
    out.push('>');
    base64_simd::STANDARD.encode_append(data, out);
    out.push_str("</rsp:Stream></rsp:Send>");
}

/// About how long the Send body for `data_len` bytes of input is.
pub fn send_body_size(data_len: usize) -> usize {
    data_len.div_ceil(3) * 4 + 256
}

/// How many input bytes one Send may carry when requests may be
/// `max_envelope_size` bytes: base64 grows data by 4/3, and the envelope
/// around it takes a few KiB at most.
pub fn send_chunk_size(max_envelope_size: u32) -> usize {
    const ENVELOPE_ROOM: usize = 4096;
    let room = (max_envelope_size as usize).saturating_sub(ENVELOPE_ROOM);
    (room / 4 * 3).max(1024)
}

/// The Receive body: both output streams of `command_id`.
pub fn receive_body(command_id: &str) -> String {
    let mut out = format!("<rsp:Receive xmlns:rsp=\"{NS}\"><rsp:DesiredStream CommandId=\"");
    escape_attribute_into(&mut out, command_id);
    out.push_str("\">stdout stderr</rsp:DesiredStream></rsp:Receive>");
    out
}

/// The Receive option set: keep the shell alive while output is awaited.
pub fn receive_options() -> Vec<OptionValue> {
    vec![OptionValue {
        name: "WSMAN_CMDSHELL_OPTION_KEEPALIVE".into(),
        value: Some("TRUE".into()),
    }]
}

/// The Signal body.
pub fn signal_body(command_id: &str, signal: Signal) -> String {
    let mut out = format!("<rsp:Signal xmlns:rsp=\"{NS}\" CommandId=\"");
    escape_attribute_into(&mut out, command_id);
    let _ = write!(out, "\"><rsp:Code>{}</rsp:Code></rsp:Signal>", signal.uri());
    out
}

/// The ShellId a Create answered with: the `ShellId` selector of the
/// `ResourceCreated` reference, else `rsp:Shell/rsp:ShellId` (a server
/// that answers with the shell alone). `body` is the first element of the
/// reply's Body.
pub fn shell_id(body: &Element) -> Result<String, ProtocolError> {
    let id = if body.name.is(ns::TRANSFER, "ResourceCreated") {
        reference_selector(body, "ShellId")
    } else if body.name.is(NS, "Shell") {
        body.child(NS, "ShellId")
            .map(|id| id.text_or_empty().trim().to_string())
            .filter(|id| !id.is_empty())
    } else {
        None
    };
    id.ok_or_else(|| ProtocolError::Unexpected("the CreateResponse names no ShellId".into()))
}

fn reference_selector(created: &Element, name: &str) -> Option<String> {
    let set = created
        .child(ns::ADDRESSING, "ReferenceParameters")?
        .child(ns::WSMAN, "SelectorSet")?;
    set.children
        .iter()
        .filter(|s| s.name.is(ns::WSMAN, "Selector"))
        .find(|s| s.attribute(None, "Name") == Some(name))
        .map(|s| s.text_or_empty().trim().to_string())
        .filter(|id| !id.is_empty())
}

/// The CommandId of a CommandResponse.
pub fn command_id(body: &Element) -> Result<String, ProtocolError> {
    if !body.name.is(NS, "CommandResponse") {
        return Err(ProtocolError::Unexpected(format!(
            "expected a CommandResponse, got <{}>",
            body.name.local
        )));
    }
    body.child(NS, "CommandId")
        .map(|id| id.text_or_empty().trim().to_string())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ProtocolError::Unexpected("the CommandResponse has no CommandId".into()))
}

/// Reads a ReceiveResponse: the output of `command_id`, in order, and its
/// state. Streams of other commands are ignored; text that is not base64
/// is refused.
pub fn read_receive(body: &Element, command_id: &str) -> Result<Received, ProtocolError> {
    let mut received = Received::default();
    read_receive_into(body, command_id, &mut received)?;
    Ok(received)
}

/// [`read_receive`] into `received`, replacing what it held.
pub fn read_receive_into(
    body: &Element,
    command_id: &str,
    received: &mut Received,
) -> Result<(), ProtocolError> {
    received.clear();
    if !body.name.is(NS, "ReceiveResponse") {
        return Err(ProtocolError::Unexpected(format!(
            "expected a ReceiveResponse, got <{}>",
            body.name.local
        )));
    }
    let ours = |e: &Element| {
        e.attribute(None, "CommandId")
            .is_none_or(|id| id.eq_ignore_ascii_case(command_id))
    };
    for child in body.children.iter().filter(|c| ours(c)) {
        if child.name.is(NS, "Stream") {
            let stream = match child.attribute(None, "Name") {
                Some("stdout") => Stream::Stdout,
                Some("stderr") => Stream::Stderr,
                // pr_stdout and friends are PowerShell remoting's.
                _ => continue,
            };
            let text = child.text_or_empty();
            if text.is_empty() {
                continue;
            }
            let start = received.data.len();
            decode_base64_into(text, &mut received.data).ok_or_else(|| {
                ProtocolError::Unexpected("a Stream of the ReceiveResponse is not base64".into())
            })?;
            if received.data.len() > start {
                received.pieces.push((stream, start..received.data.len()));
            }
        } else if child.name.is(NS, "CommandState") {
            received.done = child.attribute(None, "State") == Some(STATE_DONE);
            if let Some(code) = child.child(NS, "ExitCode") {
                let text = code.text_or_empty().trim();
                let value: i64 = text.parse().map_err(|_| {
                    ProtocolError::Unexpected(format!("the ExitCode '{text}' is not a number"))
                })?;
                received.exit_code = Some(signed_exit_code(value));
            }
        }
    }
    Ok(())
}

/// An exit code as Windows programs see it (%ERRORLEVEL%): a 32-bit
/// signed number. Windows sends the DWORD unsigned (4294967295 for -1,
/// 3221225786 for 0xC000013A); a signed value is taken as it is.
fn signed_exit_code(value: i64) -> i64 {
    match u32::try_from(value) {
        Ok(unsigned) => i64::from(unsigned as i32),
        Err(_) => value,
    }
}

/// Base64 as Windows writes it, tolerating the line breaks and missing
/// padding some servers allow themselves (tried only when the strict
/// decode fails, so output costs one pass). SIMD: a command's output is
/// all base64, and decoding it was the client's largest cost.
fn decode_base64_into(text: &str, out: &mut Vec<u8>) -> Option<()> {
    let start = out.len();
    if base64_simd::STANDARD.decode_append(text, out).is_ok() {
        return Some(());
    }
    out.truncate(start);
    let bytes = base64_simd::forgiving_decode_to_vec(text.as_bytes()).ok()?;
    out.extend_from_slice(&bytes);
    Some(())
}

fn bool_text(value: bool) -> &'static str {
    if value { "TRUE" } else { "FALSE" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_escape_what_they_carry() {
        assert_eq!(
            command_body("cmd.exe", &["/c".into(), "echo <a&b>".into()]),
            format!(
                "<rsp:CommandLine xmlns:rsp=\"{NS}\"><rsp:Command>cmd.exe</rsp:Command>\
                 <rsp:Arguments>/c</rsp:Arguments><rsp:Arguments>echo &lt;a&amp;b&gt;</rsp:Arguments>\
                 </rsp:CommandLine>"
            )
        );
        let create = create_body(&ShellOptions {
            working_directory: Some("C:\\Temp".into()),
            environment: vec![("A\"B".into(), "1<2".into())],
            idle_timeout: Some(Duration::from_millis(1500)),
            ..ShellOptions::default()
        });
        assert!(create.contains("<rsp:WorkingDirectory>C:\\Temp</rsp:WorkingDirectory>"));
        assert!(create.contains("<rsp:Variable Name=\"A&quot;B\">1&lt;2</rsp:Variable>"));
        assert!(create.contains("<rsp:IdleTimeOut>PT1.500S</rsp:IdleTimeOut>"));
        assert_eq!(
            send_body("C1", b"hi", true),
            format!(
                "<rsp:Send xmlns:rsp=\"{NS}\"><rsp:Stream Name=\"stdin\" CommandId=\"C1\" \
                 End=\"true\">aGk=</rsp:Stream></rsp:Send>"
            )
        );
        assert!(
            signal_body("C1", Signal::CtrlC).ends_with("signal/ctrl_c</rsp:Code></rsp:Signal>")
        );
    }

    #[test]
    fn exit_codes_read_as_windows_programs_see_them() {
        assert_eq!(signed_exit_code(0), 0);
        assert_eq!(signed_exit_code(3), 3);
        assert_eq!(signed_exit_code(4_294_967_295), -1);
        assert_eq!(signed_exit_code(3_221_225_786), -1_073_741_510);
        assert_eq!(signed_exit_code(-5), -5);
    }

    #[test]
    fn a_send_fits_the_envelope() {
        let chunk = send_chunk_size(512_000);
        let body = send_body(
            "00000000-0000-0000-0000-000000000000",
            &vec![0; chunk],
            false,
        );
        assert!(body.len() + 3000 < 512_000, "{}", body.len());
        assert!(chunk > 300_000);
        assert_eq!(send_chunk_size(100), 1024);
    }
}
