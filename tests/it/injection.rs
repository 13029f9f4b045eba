//! Fault injection: servers that answer wrongly, stop half-way, stall,
//! stream without end, or try XML tricks. Each case is one request, and
//! each must end with one `winrm: error:` line on stderr, the documented
//! exit code, no panic, no password, and within a bounded time; a reply
//! beyond the size cap is refused without being read to its end. The
//! simpler peers (refused, silent, HTML 200, empty 500, truncated XML,
//! redirect, oversized with Content-Length) live in `faults` and
//! `transport`.

use std::time::Duration;

use crate::support::raw::{RawServer, Step, soap_envelope};
use crate::support::{Cmd, Run};

const PASSWORD: &str = "Fi4-inject-Pw";
const SOAP: &str = "application/soap+xml;charset=UTF-8";
const GET_RESPONSE: &str = "http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse";
/// The whole case, connection to exit, must end well within this.
const BOUND: Duration = Duration::from_secs(20);

/// `winrm get winrm/config/client` against the server, with a short
/// timeout, a small MaxEnvelopeSize and a password to hide.
fn get(server: &RawServer, timeout_ms: u32) -> Run {
    let run = run_with(
        server,
        &[
            "get",
            "winrm/config/client",
            &format!("-timeout:{timeout_ms}"),
            "--max-envelope-size",
            "8192",
        ],
    );
    assert!(run.elapsed < BOUND, "took {:?}\n{run:?}", run.elapsed);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

/// One line of error, first on stderr (hints may follow on their own lines).
#[track_caller]
fn one_error_line(run: &Run) {
    let errors = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("winrm: error:"))
        .count();
    assert!(
        errors == 1 && run.stderr.starts_with("winrm: error:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .lines()
            .all(|l| l.starts_with("winrm: error:") || l.starts_with("hint:")),
        "{}",
        run.stderr
    );
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    text.encode_utf16()
        .for_each(|u| bytes.extend(u.to_le_bytes()));
    bytes
}

fn utf16be_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFE, 0xFF];
    text.encode_utf16()
        .for_each(|u| bytes.extend(u.to_be_bytes()));
    bytes
}

const BILLION_LAUGHS: &str = concat!(
    r#"<?xml version="1.0"?><!DOCTYPE s:Envelope ["#,
    r#"<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">"#,
    r#"<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">"#,
    r#"<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">"#,
    r#"<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>"#,
    r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x>&h;</x></s:Body></s:Envelope>"#
);

const EXTERNAL_ENTITY: &str = concat!(
    r#"<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "file:///etc/passwd">]>"#,
    r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x>&x;</x></s:Body></s:Envelope>"#
);

#[test]
fn bad_replies_end_in_one_clear_line() {
    // (what, the reply, exit code, stderr fragment)
    let cases: Vec<(&str, Step, i32, &str)> = vec![
        (
            "an HTML error page with 500",
            Step::answer(
                "500 Internal Server Error",
                "text/html",
                b"<html><body><h1>Runtime Error</h1></body></html>",
            ),
            5,
            "HTTP 500 without a WS-Man fault: <html><body><h1>Runtime Error",
        ),
        (
            "a DTD with nested entities (billion laughs)",
            Step::answer("200 OK", SOAP, BILLION_LAUGHS.as_bytes()),
            5,
            "refused without expanding it",
        ),
        (
            "an external entity",
            Step::answer("200 OK", SOAP, EXTERNAL_ENTITY.as_bytes()),
            5,
            "DTD",
        ),
        (
            "invalid UTF-8",
            Step::answer(
                "200 OK",
                SOAP,
                b"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><x>\xC3\x28\xFF</x></s:Body></s:Envelope>",
            ),
            5,
            "not valid UTF-8",
        ),
        (
            "UTF-16 with an odd number of bytes",
            Step::answer(
                "200 OK",
                "application/soap+xml;charset=UTF-16",
                &[utf16le("<s:Envelope/>", true), vec![0x3C]].concat(),
            ),
            5,
            "odd number of bytes",
        ),
        (
            "the connection closing half-way through the headers",
            Step::Cut(b"HTTP/1.1 200 OK\r\nContent-Ty".to_vec()),
            4,
            "closed the connection",
        ),
        (
            "the connection closing half-way through the body",
            Step::Cut(
                [
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: 4000\r\n\r\n".as_slice(),
                    &[b' '; 1500],
                ]
                .concat(),
            ),
            4,
            "before the reply was complete",
        ),
        (
            "401 whatever is sent",
            Step::answer(
                "401 Unauthorized",
                "text/plain",
                b"Access is denied.",
            ),
            3,
            "refused the credentials (HTTP 401)",
        ),
    ];
    for (what, step, code, fragment) in cases {
        let server = RawServer::script(move |_, _| step.clone());
        let run = get(&server, 2000);
        assert_eq!(run.code, Some(code), "{what}\n{run:?}");
        assert!(run.stderr.contains(fragment), "{what}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{what}");
        one_error_line(&run);
        assert_eq!(server.requests(), 1, "{what}: sent once, never repeated");
    }
}

#[test]
fn an_html_500_gets_no_allow_unencrypted_hint() {
    // That hint is for Windows' *empty* 500; an error page says something else.
    let server = RawServer::script(|_, _| {
        Step::answer(
            "500 Internal Server Error",
            "text/html",
            b"<html>Runtime Error</html>",
        )
    });
    let run = get(&server, 2000);
    run.code(5);
    assert!(!run.stderr.contains("AllowUnencrypted"), "{}", run.stderr);
}

#[test]
fn utf16_replies_with_and_without_a_bom() {
    let body = r#"<p:Client xmlns:p="urn:client"><p:Name>Café ☕</p:Name></p:Client>"#;
    type Encoder = fn(&str) -> Vec<u8>;
    let encodings: [(&str, Encoder); 3] = [
        ("application/soap+xml;charset=UTF-16", |t| utf16le(t, true)),
        ("application/soap+xml;charset=UTF-16", |t| utf16le(t, false)),
        ("application/soap+xml", utf16be_bom),
    ];
    for (content_type, encode) in encodings {
        let server = RawServer::script(move |_, request| {
            let xml = soap_envelope(request, GET_RESPONSE, body).replacen(
                "<s:Envelope",
                r#"<?xml version="1.0" encoding="UTF-16"?><s:Envelope"#,
                1,
            );
            Step::answer("200 OK", content_type, &encode(&xml))
        });
        get(&server, 2000).ok().line("    Name = Café ☕");
    }
}

/// A head announcing `length` bytes (or chunked, or neither), then
/// endless spaces, `pause` apart.
fn endless(framing: &str, chunk: Vec<u8>, pause: Duration) -> RawServer {
    let head = format!("HTTP/1.1 200 OK\r\nContent-Type: {SOAP}\r\n{framing}\r\n").into_bytes();
    RawServer::script(move |_, _| Step::Stream {
        head: head.clone(),
        chunk: chunk.clone(),
        pause,
    })
}

/// A chunk of HTTP chunked encoding holding `size` spaces.
fn http_chunk(size: usize) -> Vec<u8> {
    [
        format!("{size:X}\r\n").as_bytes(),
        &vec![b' '; size],
        b"\r\n",
    ]
    .concat()
}

#[test]
fn an_endless_reply_is_refused_without_reading_it_all() {
    // With MaxEnvelopeSize 8192 the client accepts about 100 KB; the
    // servers offer 1 GiB and more, as fast as the client reads.
    let cases = [
        ("Content-Length: 1073741824\r\n", vec![b' '; 64 * 1024]),
        ("Transfer-Encoding: chunked\r\n", http_chunk(64 * 1024)),
        ("Connection: close\r\n", vec![b' '; 64 * 1024]),
    ];
    for (framing, chunk) in cases {
        let server = endless(framing, chunk, Duration::ZERO);
        let run = get(&server, 2000);
        run.code(5)
            .stderr_has("larger than")
            .stderr_has("refused without reading it all");
        one_error_line(&run);
        let written = server.written();
        assert!(
            written < 32 << 20,
            "{framing}: the server got {written} bytes out before the client stopped"
        );
    }
}

#[test]
fn a_reply_that_trickles_in_times_out() {
    // 100 bytes every 50 ms is far below the cap before the deadline: the
    // client's own timeout (-timeout plus its margin) must end it.
    let server = endless(
        "Connection: close\r\n",
        vec![b' '; 100],
        Duration::from_millis(50),
    );
    let run = get(&server, 500);
    run.code(4).stderr_has("did not answer");
    one_error_line(&run);
    assert_eq!(server.requests(), 1);
}

/// `winrm ARGS` against the server, with the usual switches.
fn run_with(server: &RawServer, args: &[&str]) -> Run {
    let run = Cmd::new(args)
        .args(&[
            format!("-r:{}", server.url()),
            "-u:demo".into(),
            "-a:basic".into(),
            "-unencrypted".into(),
        ])
        .env("WINRM_PASSWORD", PASSWORD)
        .run();
    run.hides(PASSWORD);
    run
}

/// No escape sequence a server sends reaches the terminal: not ESC, BEL
/// or C1's CSI (U+009B), in errors, faults or any output format.
#[test]
fn nothing_from_the_server_reaches_the_terminal_raw() {
    let raw = |text: &str| text.contains(['\u{1b}', '\u{7}', '\u{9b}']);
    // An HTML 500 that would retitle the window and clear the screen.
    let html = "<html>\u{1b}]0;owned\u{7}\u{1b}[2J bad gateway</html>";
    let server = RawServer::answering("500 Internal Server Error", "text/html", html);
    let run = get(&server, 5000);
    run.code(5);
    assert!(!raw(&run.stderr), "{:?}", run.stderr);
    // A property whose value carries C1's CSI, in every format.
    let value = "evil\u{9b}31m value";
    for format in ["text", "xml", "pretty", "json", "jsonl", "table", "csv"] {
        let body = format!(
            r#"<p:Client xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/config/client"><p:Name>{value}</p:Name></p:Client>"#
        );
        let server = RawServer::script(move |_, request| Step::soap(request, GET_RESPONSE, &body));
        let run = run_with(
            &server,
            &["get", "winrm/config/client", &format!("-format:{format}")],
        );
        run.code(0);
        assert!(!raw(&run.stdout), "{format}: {:?}", run.stdout);
        assert!(run.stdout.contains("evil"), "{format}: {:?}", run.stdout);
    }
}

/// A server answering every request with a SOAP fault whose Reason is
/// `reason`.
fn faulting_with(reason: &str) -> RawServer {
    let fault = format!(
        concat!(
            r#"<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code>"#,
            r#"<s:Reason><s:Text xml:lang="en-US">{}</s:Text></s:Reason></s:Fault>"#
        ),
        reason
    );
    RawServer::script(move |_, request| {
        Step::answer(
            "500 Error",
            SOAP,
            soap_envelope(request, GET_RESPONSE, &fault).as_bytes(),
        )
    })
}

/// Server text in an error is one bounded line: a megabyte of fault reason
/// or of RelatesTo is not printed whole.
#[test]
fn server_text_in_errors_is_bounded() {
    let reason = "r".repeat(1_000_000);
    let server = faulting_with(&reason);
    for format in ["text", "json"] {
        let run = run_with(
            &server,
            &["get", "winrm/config/client", &format!("-format:{format}")],
        );
        run.code(1);
        assert!(
            run.stderr.len() < 10_000,
            "{format}: {} bytes",
            run.stderr.len()
        );
        assert!(
            run.stderr.contains("more characters)"),
            "{format}: {}",
            &run.stderr[..200]
        );
    }
    let relates_to = "x".repeat(1_500_000);
    let body = format!(
        concat!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" "#,
            r#"xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">"#,
            "<s:Header><a:RelatesTo>{}</a:RelatesTo></s:Header><s:Body/></s:Envelope>"
        ),
        relates_to
    );
    let server = RawServer::answering("200 OK", SOAP, &body);
    let run = run_with(
        &server,
        &[
            "get",
            "winrm/config/client",
            "--max-envelope-size",
            "1000000",
        ],
    );
    run.code(5);
    assert!(run.stderr.len() < 10_000, "{} bytes", run.stderr.len());
}

/// A server that echoes the credentials, in an error page, a fault or a
/// reply, never gets them shown: not the password, not the Basic header's
/// base64, in no format and not in the `--debug` trace.
#[test]
fn credentials_a_server_echoes_are_redacted() {
    use base64::Engine as _;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("demo:{PASSWORD}").as_bytes());
    let echo = format!("login failed for demo:{PASSWORD} (Authorization: Basic {basic})");
    let shown = |run: &Run, what: &str| {
        run.hides(PASSWORD).hides(&basic);
        assert!(
            run.stdout.contains("[redacted]") || run.stderr.contains("[redacted]"),
            "{what}: nothing was redacted\n{}\n{}",
            run.stdout,
            run.stderr
        );
    };

    let page = RawServer::answering("500 Internal Server Error", "text/html", &echo);
    for extra in [None, Some("--debug")] {
        let mut args = vec!["get", "winrm/config/client"];
        args.extend(extra);
        let run = run_with(&page, &args);
        run.code(5);
        shown(&run, "error page");
    }

    let faulting = faulting_with(&echo);
    for format in ["text", "json", "xml"] {
        let run = run_with(
            &faulting,
            &["get", "winrm/config/client", &format!("-format:{format}")],
        );
        run.code(1);
        shown(&run, &format!("fault as {format}"));
    }

    let body = format!(
        r#"<p:Client xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/config/client"><p:Note>{echo}</p:Note></p:Client>"#
    );
    let replying = RawServer::script(move |_, request| Step::soap(request, GET_RESPONSE, &body));
    for format in ["text", "xml", "json", "table", "csv"] {
        let run = run_with(
            &replying,
            &["get", "winrm/config/client", &format!("-format:{format}")],
        );
        run.code(0);
        shown(&run, &format!("reply as {format}"));
        assert!(
            run.stdout.contains("login failed for demo:"),
            "{}",
            run.stdout
        );
    }
}

/// `winrm get` with room for a 2 MB reply, in `format`.
fn get_large(server: &RawServer, format: &str) -> Run {
    let run = run_with(
        server,
        &[
            "get",
            "winrm/config/client",
            &format!("-format:{format}"),
            "--max-envelope-size",
            "600000",
        ],
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

#[test]
fn replies_built_to_be_quadratic_are_refused_or_read_quickly() {
    // Each of these took minutes of CPU before the limits; each must now
    // end (the runner's limit would stop a regression) with a clear reason.
    let prefixes: String = (0..10_000)
        .map(|i| format!(" xmlns:n{i}=\"urn:n{i}\""))
        .collect();
    let children: String = (0..1_000)
        .map(|i| format!("<p:C{i} xmlns:m{i}=\"urn:m{i}\">x</p:C{i}>"))
        .collect();
    let declarations = format!(
        "<p:Client xmlns:p=\"urn:client\"><p:Inner{prefixes}>{children}</p:Inner></p:Client>"
    );
    let attributes: String = (0..200_000).map(|i| format!(" a{i:x}=\"\"")).collect();
    let attributes = format!("<p:Client xmlns:p=\"urn:client\"{attributes}/>");
    for (what, body) in [("declarations", declarations), ("attributes", attributes)] {
        let server = RawServer::script(move |_, request| Step::soap(request, GET_RESPONSE, &body));
        let run = get_large(&server, "text");
        run.code(5).stderr_has("more than 1024 attributes");
        one_error_line(&run);
        assert_eq!(server.requests(), 1, "{what}");
    }

    // 80,000 distinct property names: read and shaped in linear time.
    let properties: String = (0..80_000).map(|i| format!("<p:P{i}>v</p:P{i}>")).collect();
    let body = format!("<p:Client xmlns:p=\"urn:client\">{properties}</p:Client>");
    for format in ["json", "jsonl", "table"] {
        let body = body.clone();
        let server = RawServer::script(move |_, request| Step::soap(request, GET_RESPONSE, &body));
        let run = get_large(&server, format);
        run.ok();
        assert!(run.stdout.contains("P79999"), "{format}");
    }
}
