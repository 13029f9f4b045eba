//! Safe retries, counted at the server: a request that is sure to change
//! nothing (Identify, Get, the Enumerate that opens an enumeration) is sent
//! once more when the connection drops before any reply byte, as a stale
//! kept-alive connection does; Put, Create, Delete and custom actions never
//! are, and a Pull only when it went out on a reused kept-alive connection
//! (never on a new one). An enumeration cut mid-way says how many items it
//! printed.

use crate::support::raw::{RawServer, Step, action, soap_envelope};
use crate::support::{Cmd, Run};

const PASSWORD: &str = "Rt7-retry-Pw";
const ENUMERATION: &str = "http://schemas.xmlsoap.org/ws/2004/09/enumeration";
const CONFIG: &str =
    r#"<p:Client xmlns:p="urn:client"><p:URLPrefix>wsman</p:URLPrefix></p:Client>"#;

/// `winrm ARGS -r:URL -u:demo -unencrypted`, with a password to hide.
fn against(server: &RawServer, args: &[&str]) -> Run {
    let run = Cmd::new(args)
        .args(&[
            &format!("-r:{}", server.url()),
            "-u:demo",
            "-a:basic",
            "-unencrypted",
        ])
        .args(&["-timeout:3000"])
        .env("WINRM_PASSWORD", PASSWORD)
        .run();
    run.hides(PASSWORD);
    run
}

fn get_response(request: &str) -> Step {
    Step::soap(
        request,
        "http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse",
        CONFIG,
    )
}

#[test]
fn get_and_identify_are_sent_again_after_a_drop_before_any_reply() {
    // The first connection is dropped unanswered; the retry goes through.
    let server = RawServer::script(|n, body| match n {
        1 => Step::Hangup,
        _ => get_response(body),
    });
    against(&server, &["get", "winrm/config/client"])
        .ok()
        .line("    URLPrefix = wsman");
    assert_eq!(server.requests(), 2, "one retry");
    assert_eq!(server.connections(), 2, "on a new connection");

    let identify = r#"<i:IdentifyResponse xmlns:i="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><i:ProductVendor>Retry Corp</i:ProductVendor></i:IdentifyResponse>"#;
    let server = RawServer::script(move |n, body| match n {
        1 => Step::Hangup,
        _ => Step::answer(
            "200 OK",
            "application/soap+xml;charset=UTF-8",
            soap_envelope(body, "", identify).as_bytes(),
        ),
    });
    Cmd::new(&["id", &format!("-r:{}", server.url()), "-a:none"])
        .run()
        .ok()
        .line("    ProductVendor = Retry Corp");
    assert_eq!(server.requests(), 2);
}

#[test]
fn a_retry_happens_once_only() {
    let server = RawServer::script(|_, _| Step::Hangup);
    let run = against(&server, &["get", "winrm/config/client"]);
    run.code(4)
        .stderr_has("before any reply arrived")
        .stderr_has("closed the connection");
    assert_eq!(
        run.stderr
            .lines()
            .next()
            .map(|l| l.starts_with("winrm: error:")),
        Some(true)
    );
    assert_eq!(server.requests(), 2, "the first try and one retry");
}

#[test]
fn a_reply_cut_after_it_started_is_not_retried() {
    let server = RawServer::script(|_, _| {
        Step::Cut(b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: 900\r\n\r\n<s:Envelope".to_vec())
    });
    let run = against(&server, &["get", "winrm/config/client"]);
    run.code(4).stderr_has("before the reply was complete");
    assert_eq!(server.requests(), 1, "the server had started answering");
}

#[test]
fn changes_are_never_sent_twice() {
    let cases: [&[&str]; 4] = [
        &["put", "winrm/config/client", "-file:BODY"],
        &[
            "create",
            "winrm/config/Listener?Address=*+Transport=HTTP",
            r#"@{Enabled="true"}"#,
        ],
        &["delete", "winrm/config/Listener?Address=*+Transport=HTTP"],
        &[
            "invoke",
            "StopService",
            "wmicimv2/Win32_Service?Name=Spooler",
        ],
    ];
    let dir = crate::support::TempDir::new("retry");
    let body = dir.write("body.xml", CONFIG.as_bytes());
    let body = format!("-file:{}", body.display());
    for args in cases {
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "-file:BODY" { body.as_str() } else { a })
            .collect();
        let server = RawServer::script(|_, _| Step::Hangup);
        let run = against(&server, &args);
        run.code(4).stderr_has("before any reply arrived");
        assert_eq!(server.requests(), 1, "{args:?} was repeated");
    }
}

#[test]
fn set_gets_again_but_never_puts_again() {
    // The Get is answered on a kept-alive connection, which the server
    // then drops as the Put arrives: exactly what a stale connection does.
    let server = RawServer::script(|_, body| match action(body) {
        Some("Get") => get_response(body),
        _ => Step::Hangup,
    });
    let run = against(
        &server,
        &["set", "winrm/config/client", r#"@{URLPrefix="x"}"#],
    );
    run.code(4).stderr_has("before any reply arrived");
    assert_eq!(run.stdout, "");
    assert_eq!(server.requests(), 2, "Get, then one Put and no second");
}

/// An EnumerateResponse or PullResponse holding `names` as items.
fn page(request: &str, response: &str, names: &[&str], context: Option<&str>) -> Step {
    let items: String = names
        .iter()
        .map(|n| format!(r#"<p:Svc xmlns:p="urn:svc"><p:Name>{n}</p:Name></p:Svc>"#))
        .collect();
    let context = context
        .map(|c| format!("<n:EnumerationContext>{c}</n:EnumerationContext>"))
        .unwrap_or_default();
    let end = if context.is_empty() {
        "<w:EndOfSequence/>"
    } else {
        ""
    };
    Step::soap(
        request,
        &format!("{ENUMERATION}/{response}"),
        &format!("<n:{response}>{context}<w:Items>{items}</w:Items>{end}</n:{response}>"),
    )
}

/// `step` (a whole reply) saying `Connection: close`, so the next request
/// goes out on a new connection.
fn closing(step: Step) -> Step {
    match step {
        Step::Reply(bytes) => {
            let text = String::from_utf8_lossy(&bytes).replacen(
                "HTTP/1.1 200 OK\r\n",
                "HTTP/1.1 200 OK\r\nConnection: close\r\n",
                1,
            );
            Step::Cut(text.into_bytes())
        }
        other => other,
    }
}

#[test]
fn the_first_enumerate_is_retried() {
    let server = RawServer::script(|n, body| match (n, action(body)) {
        (1, _) => Step::Hangup,
        (_, Some("Enumerate")) => page(body, "EnumerateResponse", &["A"], Some("ctx-1")),
        _ => page(body, "PullResponse", &["B"], None),
    });
    let run = against(&server, &["enumerate", "wmicimv2/Win32_Service"]);
    run.ok().line("    Name = A").line("    Name = B");
    assert_eq!(server.requests(), 3, "Enumerate twice, then Pull");
}

#[test]
fn an_enumeration_cut_mid_way_says_how_much_was_printed() {
    let server = RawServer::script(|_, body| match action(body) {
        Some("Enumerate") => closing(page(
            body,
            "EnumerateResponse",
            &["A", "B", "C"],
            Some("ctx-1"),
        )),
        _ => Step::Hangup,
    });
    let run = against(&server, &["enumerate", "wmicimv2/Win32_Service"]);
    run.code(4)
        .line("    Name = C")
        .stderr_has("before any reply arrived")
        .stderr_has("the enumeration stopped after 3 items; the list is incomplete");
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("winrm:"))
            .count(),
        1,
        "{}",
        run.stderr
    );
    assert_eq!(
        server.requests(),
        2,
        "a Pull is never repeated, nor released"
    );
}

#[test]
fn a_cut_json_enumeration_stays_valid_and_counts_its_items() {
    let server = RawServer::script(|_, body| match action(body) {
        Some("Enumerate") => closing(page(body, "EnumerateResponse", &["A", "B"], Some("ctx-1"))),
        _ => Step::Hangup,
    });
    let run = against(
        &server,
        &["enumerate", "wmicimv2/Win32_Service", "-format:json"],
    );
    run.code(4);
    // The array printed so far is closed, so it still parses.
    let stdout = run.stdout.trim();
    assert!(stdout.starts_with('[') && stdout.ends_with(']'), "{stdout}");
    assert_eq!(stdout.matches("\"Name\"").count(), 2, "{stdout}");
    // The error is one JSON object that says how many items came first.
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    run.stderr_has("\"kind\":\"connection\"")
        .stderr_has("\"items\":2")
        .stderr_has("stopped after 2 items");
}

/// A server that answers every Pull at once with an empty page does not
/// get Pulled as fast as the network allows: after a few, the client
/// waits between Pulls. The items that do come are all printed.
#[test]
fn prompt_empty_pages_slow_the_pulls_down() {
    // One item every 10 pages, then the end after 30.
    let server = RawServer::script(|n, body| match action(body) {
        Some("Enumerate") => page(body, "EnumerateResponse", &[], Some("ctx-1")),
        _ if n == 31 => page(body, "PullResponse", &["last"], None),
        _ if n % 10 == 0 => page(body, "PullResponse", &["some"], Some("ctx-1")),
        _ => page(body, "PullResponse", &[], Some("ctx-1")),
    });
    let run = against(&server, &["enumerate", "wmicimv2/Win32_Service"]);
    run.ok().line("    Name = last");
    assert_eq!(
        run.stdout.matches("Name = some").count(),
        3,
        "{}",
        run.stdout
    );
    assert_eq!(server.requests(), 31);

    // Empty forever: in 1.5 s, a spinning client sends thousands of Pulls;
    // this one, a handful, and Ctrl-C (here SIGINT) still releases.
    let server = RawServer::script(|_, body| match action(body) {
        Some("Enumerate") => page(body, "EnumerateResponse", &[], Some("ctx-1")),
        Some("Release") => Step::soap(
            body,
            "http://schemas.xmlsoap.org/ws/2004/09/enumeration/ReleaseResponse",
            "",
        ),
        _ => page(body, "PullResponse", &[], Some("ctx-1")),
    });
    let child = Cmd::new(&["enumerate", "wmicimv2/Win32_Service"])
        .args(&[
            &format!("-r:{}", server.url()),
            "-u:demo",
            "-a:basic",
            "-unencrypted",
        ])
        .env("WINRM_PASSWORD", PASSWORD)
        .spawn();
    // Measured from the first Pull, so a slow start (a loaded machine)
    // cannot pass for a slow client.
    let started = std::time::Instant::now();
    while server.requests() < 2 {
        assert!(started.elapsed().as_secs() < 20, "no Pull within 20 s");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let first = server.requests();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let pulls = server.requests() - first;
    assert!(pulls <= 20, "{pulls} Pulls in 1.5 s");
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let output = child.wait_with_output().expect("wait for winrm");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the enumeration was released"), "{stderr}");
}

/// A server that closes a kept-alive connection while it sits idle, without
/// saying `Connection: close`, as the client sends the Pull on it: the Pull
/// goes once more on a new connection and the enumeration completes. (The
/// second request meets a hang-up, as it does when the close and the Pull
/// cross; a close that arrives first is seen before sending.)
#[test]
fn a_pull_on_a_connection_the_server_closed_while_idle_is_sent_again() {
    let server = RawServer::script(|n, body| match (n, action(body)) {
        (_, Some("Enumerate")) => page(body, "EnumerateResponse", &["A"], Some("ctx-1")),
        (2, _) => Step::Hangup,
        _ => page(body, "PullResponse", &["B"], None),
    });
    let run = against(&server, &["enumerate", "wmicimv2/Win32_Service"]);
    run.ok().line("    Name = A").line("    Name = B");
    assert_eq!(server.requests(), 3, "Enumerate, then the Pull twice");
    assert_eq!(
        server.connections(),
        2,
        "the second Pull on a new connection"
    );
}
