//! The WinRS shell resource (`windows/shell/cmd`, and `windows/shell` for
//! Get/Delete/Enumerate) as Windows answers it: Create → ResourceCreated +
//! `rsp:Shell`, Command → CommandId, Send (stdin), Receive (long-poll, base64
//! `rsp:Stream`s, CommandState Running/Done + ExitCode), Signal (ctrl_c,
//! ctrl_break, terminate, PowerShell's crtl_c) and Delete. Requests reach
//! this module without the listener's state lock held (`soap::handle`), so a
//! Receive may wait while other connections work. Reply layouts follow the
//! captures in `tests/fixtures/windows/shell`.

use std::time::{Duration, Instant};

use base64::Engine;

use super::faults::Fault;
use super::http::Charset;
use super::shell::{Received, Shell, Shells};
use super::shell_commands::{direct_program, program};
use super::shell_faults as faults;
use super::shell_program::{Env, Program, Step, Stream};
use super::soap::{Ns, Reply, Req, SHELL_URI, TRANSFER, Target, resolve};
use super::xml::{child, elements, esc, is, new_uuid, parse_duration, text};
use super::{Config, Shared, State};

pub const CMD_URI: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd";
const NS_RSP: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell";
const STATE: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/";
/// Room left in a Receive reply for the envelope and the closing elements.
const RECEIVE_OVERHEAD: usize = 4096;

/// The service settings a shell request obeys, read under the state lock.
pub struct Policy {
    allow: bool,
    max_shells: usize,
    max_wait: Duration,
}

impl Policy {
    /// Config switches and the `winrm/config/winrs` tree both apply.
    pub fn from_state(st: &State, cfg: &Config) -> Policy {
        Policy {
            allow: cfg.allow_remote_shell_access && st.config.allow_remote_shell_access(),
            max_shells: cfg.max_shells_per_user.min(st.config.max_shells_per_user()),
            max_wait: Duration::from_millis(st.config.max_timeout_ms()),
        }
    }
}

/// Requests this module answers (enumerations stay with `enumeration`).
pub fn owns(req: &Req) -> bool {
    matches!(resolve(&req.resource_uri), Target::Shell)
        && !req
            .action
            .starts_with("http://schemas.xmlsoap.org/ws/2004/09/enumeration/")
}

pub fn route(shared: &Shared, req: &Req, policy: &Policy) -> Result<Reply, Fault> {
    let shells = &shared.shells;
    let machine = shared.cfg.machine.as_str();
    let is_cmd = req.resource_uri.eq_ignore_ascii_case(CMD_URI);
    let any_shell = is_cmd || req.resource_uri.eq_ignore_ascii_case(SHELL_URI);
    if let Some(op) = req.action.strip_prefix(TRANSFER) {
        return match op {
            "Create" if is_cmd => create(shared, req, policy),
            "Delete" if any_shell => {
                let id = req.selector("ShellId").unwrap_or("");
                if !shells.remove(id) {
                    return Err(faults::invalid_shell(machine));
                }
                let action = format!("{TRANSFER}DeleteResponse");
                Ok(Reply::new(Ns::Plain, action, ""))
            }
            "Get" if any_shell => {
                let shell = shell_of(shells, req, machine)?;
                let action = format!("{TRANSFER}GetResponse");
                Ok(Reply::new(Ns::Transfer, action, item(&shell)))
            }
            _ if is_cmd || any_shell => Err(Fault::action_not_supported(&req.action)),
            _ => Err(Fault::invalid_resource_uri(&req.resource_uri)),
        };
    }
    let Some(op) = req.action.strip_prefix(&format!("{SHELL_URI}/")) else {
        return Err(Fault::action_not_supported(&req.action));
    };
    if !is_cmd {
        return Err(Fault::invalid_resource_uri(&req.resource_uri));
    }
    let shell = shell_of(shells, req, machine)?;
    let body = req
        .body
        .filter(|b| b.tag_name().namespace() == Some(NS_RSP));
    let reply = |ns, name: &str, body: String| Reply::new(ns, format!("{SHELL_URI}/{name}"), body);
    match (op, body) {
        ("Command", Some(b)) if is(b, NS_RSP, "CommandLine") => {
            let id = command(&shell, req, b)?;
            let body = format!(
                "<rsp:CommandResponse><rsp:CommandId>{}</rsp:CommandId></rsp:CommandResponse>",
                esc(&id)
            );
            Ok(reply(Ns::Shell, "CommandResponse", body))
        }
        ("Send", Some(b)) if is(b, NS_RSP, "Send") => {
            for stream in elements(b).filter(|s| is(*s, NS_RSP, "Stream")) {
                let id = stream
                    .attribute("CommandId")
                    .ok_or_else(faults::parameter_incorrect)?;
                let cmd = shell
                    .command(id)
                    .filter(|c| c.alive())
                    .ok_or_else(faults::invalid_command_id)?;
                let data = base64::engine::general_purpose::STANDARD
                    .decode(text(stream))
                    .map_err(|_| faults::parameter_incorrect())?;
                let end = stream
                    .attribute("End")
                    .is_some_and(|e| e.eq_ignore_ascii_case("true"));
                cmd.send(&data, end);
            }
            Ok(reply(
                Ns::Shell,
                "SendResponse",
                "<rsp:SendResponse/>".into(),
            ))
        }
        ("Receive", Some(b)) if is(b, NS_RSP, "Receive") => receive(&shell, req, b, policy),
        ("Signal", Some(b)) if is(b, NS_RSP, "Signal") => {
            let code = child(b, NS_RSP, "Code").map(text).unwrap_or_default();
            shells.record_signal(&code);
            let id = b.attribute("CommandId").unwrap_or("");
            let cmd = shell.command(id).ok_or_else(faults::invalid_command_id)?;
            let lower = code.to_ascii_lowercase();
            let last = lower.rsplit('/').next().unwrap_or("");
            match last {
                "terminate" => shell.forget(id),
                "ctrl_c" | "crtl_c" | "ctrl_break" => cmd.interrupt(),
                _ => return Err(faults::parameter_incorrect()),
            }
            Ok(reply(
                Ns::Shell,
                "SignalResponse",
                "<rsp:SignalResponse/>".into(),
            ))
        }
        _ => Err(Fault::schema(&format!(
            "The Body of a {op} request is not what WinRS expects."
        ))),
    }
}

fn shell_of(shells: &Shells, req: &Req, machine: &str) -> Result<std::sync::Arc<Shell>, Fault> {
    req.selector("ShellId")
        .and_then(|id| shells.get(id))
        .ok_or_else(|| faults::invalid_shell(machine))
}

fn bare_uuid() -> String {
    new_uuid().trim_start_matches("uuid:").to_string()
}

fn create(shared: &Shared, req: &Req, policy: &Policy) -> Result<Reply, Fault> {
    let cfg = &shared.cfg;
    if !policy.allow {
        return Err(faults::access_denied());
    }
    if shared.shells.count() >= policy.max_shells {
        return Err(faults::quota(policy.max_shells));
    }
    let body = req
        .body
        .filter(|b| is(*b, NS_RSP, "Shell"))
        .ok_or_else(|| Fault::schema("The Body of a shell Create must hold rsp:Shell."))?;
    let get = |name: &str| child(body, NS_RSP, name).map(text);
    let variables: Vec<(String, String)> = child(body, NS_RSP, "Environment")
        .map(|e| {
            elements(e)
                .filter(|v| is(*v, NS_RSP, "Variable"))
                .map(|v| {
                    (
                        v.attribute("Name").unwrap_or("").to_string(),
                        v.text().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let codepage = match req.option("WINRS_CODEPAGE") {
        None => 65001,
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| faults::parameter_incorrect())?,
    };
    let profile = format!("C:\\Users\\{}", cfg.user);
    let mut env = Env {
        machine: cfg.machine.clone(),
        user: cfg.user.clone(),
        cwd: get("WorkingDirectory")
            .filter(|d| !d.is_empty())
            .unwrap_or(profile.clone()),
        vars: default_vars(cfg, &profile),
        codepage,
    };
    for (name, value) in &variables {
        env.set_var(name, value);
    }
    let idle = get("IdleTimeOut")
        .and_then(|t| parse_duration(&t))
        .map_or(Duration::from_secs(7200), Duration::from_secs_f64);
    let id = body
        .attribute("ShellId")
        .map_or_else(bare_uuid, str::to_string);
    if shared.shells.get(&id).is_some() {
        return Err(Fault::already_exists());
    }
    let no_profile = req
        .option("WINRS_NOPROFILE")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let streams = (
        get("InputStreams").unwrap_or_else(|| "stdin".into()),
        get("OutputStreams").unwrap_or_else(|| "stdout stderr".into()),
    );
    let shell = shared.shells.insert(Shell::new(
        id,
        CMD_URI,
        &cfg.user,
        streams,
        idle,
        no_profile,
        variables,
        env,
        cfg.shell_tick,
    ));
    // Windows echoes the request's To as the shell's address (fixture
    // cmd-create.response), then describes the shell.
    let mut body = format!(
        "<x:ResourceCreated><a:Address>{}</a:Address><a:ReferenceParameters><w:ResourceURI>\
         {CMD_URI}</w:ResourceURI><w:SelectorSet><w:Selector Name=\"ShellId\">{}</w:Selector>\
         </w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>",
        esc(&req.to),
        esc(&shell.id)
    );
    body.push_str(&describe(&shell, false));
    Ok(Reply::new(
        Ns::Shell,
        format!("{TRANSFER}CreateResponse"),
        body,
    ))
}

/// What a fresh WinRS process inherits on a Windows Server.
fn default_vars(cfg: &Config, profile: &str) -> Vec<(String, String)> {
    let windir = "C:\\Windows";
    [
        ("ALLUSERSPROFILE", "C:\\ProgramData".to_string()),
        ("APPDATA", format!("{profile}\\AppData\\Roaming")),
        ("COMPUTERNAME", cfg.machine.clone()),
        ("ComSpec", format!("{windir}\\system32\\cmd.exe")),
        ("HOMEDRIVE", "C:".into()),
        ("HOMEPATH", profile.trim_start_matches("C:").to_string()),
        ("NUMBER_OF_PROCESSORS", "2".into()),
        ("OS", "Windows_NT".into()),
        (
            "Path",
            format!("{windir}\\system32;{windir};{windir}\\System32\\WindowsPowerShell\\v1.0\\"),
        ),
        (
            "PATHEXT",
            ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC".into(),
        ),
        ("PROCESSOR_ARCHITECTURE", "AMD64".into()),
        ("PROMPT", "$P$G".into()),
        ("SystemDrive", "C:".into()),
        ("SystemRoot", windir.into()),
        ("TEMP", format!("{profile}\\AppData\\Local\\Temp")),
        ("TMP", format!("{profile}\\AppData\\Local\\Temp")),
        ("USERDOMAIN", cfg.machine.clone()),
        ("USERNAME", cfg.user.clone()),
        ("USERPROFILE", profile.to_string()),
        ("windir", windir.into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// `P0DT0H0M9S`, Windows' form for ShellRunTime/ShellInactivity.
fn span(d: Duration) -> String {
    let s = d.as_secs();
    format!(
        "P{}DT{}H{}M{}S",
        s / 86_400,
        s / 3600 % 24,
        s / 60 % 60,
        s % 60
    )
}

/// The `rsp:Shell` element: the short form of a CreateResponse (fixture
/// cmd-create.response) or the long one of Get/Enumerate (get-shell).
fn describe(shell: &Shell, long: bool) -> String {
    let mut s = format!(
        "<rsp:Shell xmlns:rsp=\"{NS_RSP}\"><rsp:ShellId>{}</rsp:ShellId><rsp:ResourceUri>{}</rsp:ResourceUri>\
         <rsp:Owner>{}</rsp:Owner><rsp:ClientIP>127.0.0.1</rsp:ClientIP>",
        esc(&shell.id),
        esc(&shell.resource_uri),
        esc(&shell.owner)
    );
    if long {
        s.push_str(&format!(
            "<rsp:ProcessId>{}</rsp:ProcessId>",
            4000 + shell.id.len()
        ));
    } else if !shell.variables.is_empty() {
        s.push_str("<rsp:Environment>");
        for (name, value) in &shell.variables {
            // Windows drops backslashes from echoed names (fixture
            // cmd-create-environment.response).
            s.push_str(&format!(
                "<rsp:Variable Name=\"{}\">{}</rsp:Variable>",
                esc(&name.replace('\\', "")),
                esc(value)
            ));
        }
        s.push_str("</rsp:Environment>");
    }
    s.push_str(&format!(
        "<rsp:IdleTimeOut>PT{:.3}S</rsp:IdleTimeOut><rsp:InputStreams>{}</rsp:InputStreams>\
         <rsp:OutputStreams>{}</rsp:OutputStreams>",
        shell.idle_timeout.as_secs_f64(),
        esc(&shell.input_streams),
        esc(&shell.output_streams)
    ));
    if long {
        let profile = if shell.no_profile { "No" } else { "Yes" };
        s.push_str(&format!(
            "<rsp:MaxIdleTimeOut>PT2147483.647S</rsp:MaxIdleTimeOut><rsp:Locale>en-US</rsp:Locale>\
             <rsp:DataLocale>en-US</rsp:DataLocale><rsp:CompressionMode>NoCompression</rsp:CompressionMode>\
             <rsp:ProfileLoaded>{profile}</rsp:ProfileLoaded><rsp:Encoding>UTF8</rsp:Encoding>\
             <rsp:BufferMode>Block</rsp:BufferMode><rsp:State>Connected</rsp:State>"
        ));
    }
    s.push_str(&format!(
        "<rsp:ShellRunTime>{}</rsp:ShellRunTime><rsp:ShellInactivity>{}</rsp:ShellInactivity>",
        span(shell.created.elapsed()),
        span(shell.inactive_for())
    ));
    if long {
        s.push_str(&format!(
            "<rsp:MemoryUsed>12MB</rsp:MemoryUsed><rsp:ChildProcesses>{}</rsp:ChildProcesses>",
            shell.running()
        ));
    }
    s.push_str("</rsp:Shell>");
    s
}

/// A Get reply body or enumeration item for one shell.
pub fn item(shell: &Shell) -> String {
    describe(shell, true)
}

/// The enumeration items of `windows/shell` (every shell) or
/// `windows/shell/cmd` (those of that resource).
pub fn items(shells: &Shells, uri: &str) -> Vec<String> {
    shells
        .list()
        .iter()
        .filter(|s| uri.eq_ignore_ascii_case(SHELL_URI) || s.resource_uri.eq_ignore_ascii_case(uri))
        .map(|s| item(s))
        .collect()
}

fn command(shell: &Shell, req: &Req, line: roxmltree::Node) -> Result<String, Fault> {
    let exe = child(line, NS_RSP, "Command").map(text).unwrap_or_default();
    let args: Vec<String> = elements(line)
        .filter(|a| is(*a, NS_RSP, "Arguments"))
        .map(|a| a.text().unwrap_or("").to_string())
        .collect();
    let joined = args.join(" ");
    let skip = req
        .option("WINRS_SKIP_CMD_SHELL")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let now = Instant::now();
    let mut env = shell.env.clone();
    let prog = if skip {
        let name = direct_program(&exe).ok_or_else(faults::file_not_found)?;
        let steps: Vec<Step> = program(&name, &exe, &joined, &mut env);
        Program::steps(steps, env, shell.tick, now)
    } else {
        let full = if joined.is_empty() {
            exe
        } else {
            format!("{exe} {joined}")
        };
        Program::cmd(&full, env, shell.tick, now)
    };
    let id = line
        .attribute("CommandId")
        .map_or_else(bare_uuid, str::to_string);
    if shell.command(&id).is_some() {
        return Err(Fault::already_exists());
    }
    shell.start(id.clone(), prog);
    Ok(id)
}

fn receive(
    shell: &Shell,
    req: &Req,
    body: roxmltree::Node,
    policy: &Policy,
) -> Result<Reply, Fault> {
    let desired = child(body, NS_RSP, "DesiredStream").ok_or_else(faults::parameter_incorrect)?;
    let id = desired
        .attribute("CommandId")
        .ok_or_else(faults::parameter_incorrect)?;
    let cmd = shell.command(id).ok_or_else(faults::invalid_command_id)?;
    let names = text(desired);
    let wanted: Vec<Stream> = [Stream::Stdout, Stream::Stderr]
        .into_iter()
        .filter(|s| {
            names
                .split_whitespace()
                .any(|n| n.eq_ignore_ascii_case(s.name()))
        })
        .collect();
    let wait = req
        .operation_timeout
        .map_or(policy.max_wait, Duration::from_secs_f64)
        .min(policy.max_wait);
    // Base64 grows 4/3 and UTF-16 doubles every character.
    let unit = if matches!(req.charset, Charset::Utf16) {
        2
    } else {
        1
    };
    let budget = req.max_envelope.saturating_sub(RECEIVE_OVERHEAD) / unit / 4 * 3;
    let (chunks, done) = match cmd.receive(Instant::now() + wait, budget, &wanted) {
        Received::TimedOut => return Err(faults::timed_out()),
        Received::Gone => return Err(faults::invalid_command_id()),
        Received::Output(chunks, done) => (chunks, done),
    };
    let cid = esc(&cmd.id);
    let mut s = String::from("<rsp:ReceiveResponse>");
    let b64 = base64::engine::general_purpose::STANDARD;
    for (stream, bytes) in &chunks {
        s.push_str(&format!(
            "<rsp:Stream Name=\"{}\" CommandId=\"{cid}\">{}</rsp:Stream>",
            stream.name(),
            b64.encode(bytes)
        ));
    }
    match done {
        Some(code) => {
            // The fixture's last reply: an empty End="true" Stream per
            // stream, then Done with the exit code as an unsigned DWORD.
            for stream in &wanted {
                s.push_str(&format!(
                    "<rsp:Stream Name=\"{}\" CommandId=\"{cid}\" End=\"true\"></rsp:Stream>",
                    stream.name()
                ));
            }
            s.push_str(&format!(
                "<rsp:CommandState CommandId=\"{cid}\" State=\"{STATE}Done\"><rsp:ExitCode>{code}</rsp:ExitCode></rsp:CommandState>"
            ));
        }
        None => s.push_str(&format!(
            "<rsp:CommandState CommandId=\"{cid}\" State=\"{STATE}Running\"></rsp:CommandState>"
        )),
    }
    s.push_str("</rsp:ReceiveResponse>");
    Ok(Reply::new(
        Ns::ShellReceive,
        format!("{SHELL_URI}/ReceiveResponse"),
        s,
    ))
}
