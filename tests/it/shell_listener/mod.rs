//! The listener's WinRS shell, proved faithful before `winrm exec` relies
//! on it: pywinrm and pypsrp (clients known to work against Windows) drive
//! it through `tests/shell_peers.py`; the captured Windows requests in
//! `tests/fixtures/windows` are replayed at it and its replies must have the
//! shape (elements, attributes, texts Windows wrote) of the captured
//! replies; a Receive long-polls while a Signal or Delete arrives on another
//! connection; and no shell is left open.

mod peers;

use std::io::{Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine;

use crate::support::{Cmd, Config, Listener, PASSWORD, USER, fixture};

const CMD_URI: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd";
pub(super) const SHELL: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell";

pub(super) fn start(config: Config) -> Listener {
    Listener::start(config).expect("start the listener")
}

/// POSTs one envelope on a fresh connection: (HTTP status, body).
fn post(server: &Listener, body: &str) -> (u16, String) {
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", server.http_port())).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let request = format!(
        "POST /wsman HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {auth}\r\n\
         Content-Type: application/soap+xml;charset=UTF-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read the reply");
    let status = reply.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = reply.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_string())
}

fn text(path: &str) -> String {
    String::from_utf8(fixture(path)).expect("UTF-8 fixture")
}

/// The value after `marker` up to the next `end`.
fn between<'a>(xml: &'a str, marker: &str, end: char) -> &'a str {
    let at = xml
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {xml}"))
        + marker.len();
    let len = xml[at..].find(end).expect("terminated");
    &xml[at..at + len]
}

fn shell_id(reply: &str) -> String {
    between(reply, "Name=\"ShellId\">", '<').to_string()
}

/// A captured request aimed at our shell (and command) instead of the
/// captured ones.
fn retarget(request: &str, shell: &str, command: Option<&str>) -> String {
    let mut out = request.replace(between(request, "Name=\"ShellId\">", '<'), shell);
    if let Some(cmd) = command {
        out = out.replace(between(request, "CommandId=\"", '"'), cmd);
    }
    out
}

static NEXT_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

/// An envelope like the captured pypsrp requests, for steps they lack.
fn envelope(action: &str, shell: &str, timeout: &str, body: &str) -> String {
    format!(
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" \
         xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" \
         xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\" xmlns:rsp=\"{SHELL}\">\
         <s:Header><a:Action>{SHELL}/{action}</a:Action><a:MessageID>uuid:00000000-0000-4000-8000-{:012}</a:MessageID>\
         <a:To>http://127.0.0.1/wsman</a:To><a:ReplyTo><a:Address>\
         http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>\
         <w:ResourceURI>{CMD_URI}</w:ResourceURI><w:OperationTimeout>{timeout}</w:OperationTimeout>\
         <w:SelectorSet><w:Selector Name=\"ShellId\">{shell}</w:Selector></w:SelectorSet>\
         </s:Header><s:Body>{body}</s:Body></s:Envelope>",
        NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

fn run_command(server: &Listener, shell: &str, line: &str) -> String {
    let body = format!("<rsp:CommandLine><rsp:Command>{line}</rsp:Command></rsp:CommandLine>");
    let (status, reply) = post(server, &envelope("Command", shell, "PT20S", &body));
    assert_eq!(status, 200, "{reply}");
    between(&reply, "<rsp:CommandId>", '<').to_string()
}

fn receive(server: &Listener, shell: &str, cmd: &str, timeout: &str) -> (u16, String) {
    let body = format!(
        "<rsp:Receive><rsp:DesiredStream CommandId=\"{cmd}\">stdout stderr</rsp:DesiredStream></rsp:Receive>"
    );
    post(server, &envelope("Receive", shell, timeout, &body))
}

/// Elements, attributes and texts that say what a reply is; identifiers,
/// times and host names that differ between hosts are left out. `texts`
/// false keeps element names only (the reply describes other shells).
fn shape(xml: &str, texts: bool) -> String {
    let doc = roxmltree::Document::parse(xml).expect("well-formed reply");
    let root = doc.root_element();
    let mut ns: Vec<String> = root
        .namespaces()
        .filter(|n| n.name() != Some("xml"))
        .map(|n| format!("xmlns:{}={}", n.name().unwrap_or(""), n.uri()))
        .collect();
    ns.sort();
    let mut out = vec![ns.join(" ")];
    let volatile = [
        "MessageID",
        "RelatesTo",
        "To",
        "ActivityId",
        "ShellId",
        "Selector",
        "CommandId",
        "Owner",
        "ClientIP",
        "ShellRunTime",
        "ShellInactivity",
        "ProcessId",
        "MemoryUsed",
    ];
    fn walk(
        node: roxmltree::Node,
        depth: usize,
        texts: bool,
        volatile: &[&str],
        out: &mut Vec<String>,
    ) {
        for el in node.children().filter(|c| c.is_element()) {
            let name = el.tag_name();
            let header_noise =
                name.name() == "MessageID" && depth == 1 || name.name() == "ActivityId";
            if header_noise || (depth == 1 && name.name() == "To") {
                continue;
            }
            let mut attrs: Vec<String> = el
                .attributes()
                .map(|a| match a.name() {
                    "Name" | "State" | "End" | "provider" | "path" | "Code" => {
                        format!("{}={}", a.name(), a.value())
                    }
                    other => other.to_string(),
                })
                .collect();
            attrs.sort();
            let leaf = !el.children().any(|c| c.is_element());
            let body = match el.text() {
                Some(t) if texts && leaf && !volatile.contains(&name.name()) => t.to_string(),
                _ => String::new(),
            };
            out.push(format!(
                "{}{{{}}}{} [{}] {body}",
                "  ".repeat(depth),
                name.namespace().unwrap_or(""),
                name.name(),
                attrs.join(" ")
            ));
            walk(el, depth + 1, texts, volatile, out);
        }
    }
    walk(root, 0, texts, &volatile, &mut out);
    out.join("\n")
}

#[track_caller]
fn same_shape(reply: &str, fixture_path: &str, texts: bool) {
    assert_eq!(
        shape(reply, texts),
        shape(&text(fixture_path), texts),
        "reply vs {fixture_path}:\n{reply}"
    );
}

#[test]
fn captured_windows_requests_get_windows_shaped_replies() {
    let server = start(Config::default());
    let (status, created) = post(&server, &text("windows/shell/cmd-create.request.xml"));
    assert_eq!(status, 200);
    same_shape(&created, "windows/shell/cmd-create.response.xml", true);
    let shell = shell_id(&created);

    let (_, with_env) = post(
        &server,
        &text("windows/shell/cmd-create-environment.request.xml"),
    );
    same_shape(
        &with_env,
        "windows/shell/cmd-create-environment.response.xml",
        true,
    );

    let command = retarget(&text("windows/shell/cmd-command.request.xml"), &shell, None);
    let (_, reply) = post(&server, &command);
    same_shape(&reply, "windows/shell/cmd-command.response.xml", true);
    let cmd = between(&reply, "<rsp:CommandId>", '<').to_string();

    // `cmd.exe /c echo hi`: one reply with the output, both End markers and
    // Done with exit code 0, byte for byte the captured base64.
    let receive = retarget(
        &text("windows/shell/cmd-receive-done.request.xml"),
        &shell,
        Some(&cmd),
    );
    let (_, reply) = post(&server, &receive);
    same_shape(&reply, "windows/shell/cmd-receive-done.response.xml", true);

    let signal = retarget(
        &text("windows/shell/cmd-signal-terminate.request.xml"),
        &shell,
        Some(&cmd),
    );
    let (_, reply) = post(&server, &signal);
    same_shape(
        &reply,
        "windows/shell/cmd-signal-terminate.response.xml",
        true,
    );

    let typing = run_command(&server, &shell, "type con");
    let send = retarget(
        &text("windows/shell/cmd-send-stdin.request.xml"),
        &shell,
        Some(&typing),
    );
    let (_, reply) = post(&server, &send);
    same_shape(&reply, "windows/shell/cmd-send-stdin.response.xml", true);

    // Get and Enumerate of windows/shell describe shells with the captured
    // elements (the captures are of PowerShell shells, so values differ).
    let get = retarget(&text("windows/get-shell.request.xml"), &shell, None);
    let (_, reply) = post(&server, &get);
    same_shape(&reply, "windows/get-shell.response.xml", false);
    let (_, reply) = post(
        &server,
        &text("windows/enumerate-shells-optimized.request.xml"),
    );
    same_shape(
        &reply,
        "windows/enumerate-shells-optimized.response.xml",
        false,
    );
    assert_eq!(server.open_shells(), 2);

    let delete = retarget(&text("windows/shell/cmd-delete.request.xml"), &shell, None);
    let (_, reply) = post(&server, &delete);
    same_shape(&reply, "windows/shell/cmd-delete.response.xml", true);
    let other = shell_id(&with_env);
    post(
        &server,
        &retarget(&text("windows/shell/cmd-delete.request.xml"), &other, None),
    );
    assert_eq!(server.open_shells(), 0);
}

#[test]
fn shell_faults_have_the_captured_shapes() {
    let server = start(Config::default());
    let shell = shell_id(&post(&server, &text("windows/shell/cmd-create.request.xml")).1);

    let waiting = run_command(&server, &shell, "timeout /t 100");
    receive(&server, &shell, &waiting, "PT1S"); // the "Waiting for" line
    let request = retarget(
        &text("windows/fault-timedout-receive.request.xml"),
        &shell,
        Some(&waiting),
    )
    .replace(">PT10S<", ">PT0.3S<");
    let started = Instant::now();
    let (status, reply) = post(&server, &request);
    assert_eq!(status, 500);
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "no long poll"
    );
    same_shape(&reply, "windows/fault-timedout-receive.response.xml", true);

    let unknown_cmd = retarget(
        &text("windows/fault-invalid-command-id.request.xml"),
        &shell,
        None,
    )
    .replace(
        "http://schemas.microsoft.com/powershell/Microsoft.PowerShell",
        CMD_URI,
    );
    same_shape(
        &post(&server, &unknown_cmd).1,
        "windows/fault-invalid-command-id.response.xml",
        true,
    );

    let unknown_shell = text("windows/fault-invalid-selectors-nested-providerfault.request.xml");
    same_shape(
        &post(&server, &unknown_shell).1,
        "windows/fault-invalid-selectors-nested-providerfault.response.xml",
        true,
    );

    let no_cmd_shell = retarget(
        &text("windows/fault-internalerror-file-not-found.request.xml"),
        &shell,
        None,
    );
    same_shape(
        &post(&server, &no_cmd_shell).1,
        "windows/fault-internalerror-file-not-found.response.xml",
        true,
    );

    let no_command_id = retarget(
        &text("windows/fault-invalid-parameter-87.request.xml"),
        &shell,
        None,
    );
    same_shape(
        &post(&server, &no_command_id).1,
        "windows/fault-invalid-parameter-87.response.xml",
        true,
    );

    // 30 shells a user by default; the 31st is the captured quota fault.
    for _ in 1..30 {
        assert_eq!(
            post(&server, &text("windows/shell/cmd-create.request.xml")).0,
            200
        );
    }
    assert_eq!(server.open_shells(), 30);
    let (status, reply) = post(&server, &text("windows/shell/cmd-create.request.xml"));
    assert_eq!(status, 500);
    same_shape(
        &reply,
        "windows/fault-quotalimit-msft-wmierror.response.xml",
        true,
    );
}

#[test]
fn remote_shell_access_can_be_switched_off() {
    let denied = |server: &Listener| {
        let (status, reply) = post(server, &text("windows/shell/cmd-create.request.xml"));
        assert_eq!(status, 500);
        assert!(
            reply.contains("<s:Value>w:AccessDenied</s:Value>"),
            "{reply}"
        );
        assert!(reply.contains("Code=\"5\""), "{reply}");
        assert_eq!(server.open_shells(), 0);
    };
    denied(&start(Config {
        allow_remote_shell_access: false,
        ..Config::default()
    }));
    let server = start(Config::default());
    Cmd::to(
        &server,
        &[
            "set",
            "winrm/config/winrs",
            "@{AllowRemoteShellAccess=\"false\"}",
        ],
    )
    .run()
    .ok();
    denied(&server);
    // The tree's MaxShellsPerUser applies as well.
    Cmd::to(
        &server,
        &[
            "set",
            "winrm/config/winrs",
            "@{AllowRemoteShellAccess=\"true\";MaxShellsPerUser=\"1\"}",
        ],
    )
    .run()
    .ok();
    assert_eq!(
        post(&server, &text("windows/shell/cmd-create.request.xml")).0,
        200
    );
    let (_, reply) = post(&server, &text("windows/shell/cmd-create.request.xml"));
    assert!(
        reply.contains("maximum number of 1 concurrent shells"),
        "{reply}"
    );
}

#[test]
fn a_waiting_receive_lets_signal_and_delete_through() {
    let server = start(Config::default());
    let shell = shell_id(&post(&server, &text("windows/shell/cmd-create.request.xml")).1);
    let cmd = run_command(&server, &shell, "timeout /t 30");
    receive(&server, &shell, &cmd, "PT1S");
    let started = Instant::now();
    let reply = thread::scope(|s| {
        let waiter = s.spawn(|| receive(&server, &shell, &cmd, "PT20S"));
        thread::sleep(Duration::from_millis(300));
        let ctrl_c = format!(
            "<rsp:Signal CommandId=\"{cmd}\"><rsp:Code>{SHELL}/signal/ctrl_c</rsp:Code></rsp:Signal>"
        );
        assert_eq!(
            post(&server, &envelope("Signal", &shell, "PT20S", &ctrl_c)).0,
            200
        );
        waiter.join().expect("receive thread")
    });
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the Receive was not woken"
    );
    assert_eq!(reply.0, 200, "{}", reply.1);
    assert!(
        reply.1.contains("<rsp:ExitCode>3221225786</rsp:ExitCode>"),
        "{}",
        reply.1
    );
    assert!(
        reply.1.contains(">XkM=</rsp:Stream>"),
        "^C expected: {}",
        reply.1
    );

    let cmd = run_command(&server, &shell, "ping -n 30 127.0.0.1");
    receive(&server, &shell, &cmd, "PT1S");
    let started = Instant::now();
    let reply = thread::scope(|s| {
        let waiter = s.spawn(|| receive(&server, &shell, &cmd, "PT20S"));
        thread::sleep(Duration::from_millis(100));
        let delete = retarget(&text("windows/shell/cmd-delete.request.xml"), &shell, None);
        assert_eq!(post(&server, &delete).0, 200);
        waiter.join().expect("receive thread")
    });
    // The next reply line was due within a second; either way the Receive
    // must not outlive the shell.
    assert!(started.elapsed() < Duration::from_secs(3));
    if reply.0 == 200 {
        assert!(reply.1.contains("Reply from 127.0.0.1"), "{}", reply.1);
    }
    assert_eq!(server.open_shells(), 0);
    assert!(
        server
            .signals()
            .iter()
            .any(|s| s.ends_with("/signal/ctrl_c"))
    );
}

#[test]
fn open_shells_are_listed_by_the_cli() {
    let server = start(Config::default());
    let a = shell_id(&post(&server, &text("windows/shell/cmd-create.request.xml")).1);
    let b = shell_id(&post(&server, &text("windows/shell/cmd-create.request.xml")).1);
    let run = Cmd::to(&server, &["enumerate", "shell"]).run();
    run.ok().stdout_has(&a).stdout_has(&b);
    Cmd::to(&server, &["enumerate", "shell/cmd"])
        .run()
        .ok()
        .stdout_has(&a);
}
