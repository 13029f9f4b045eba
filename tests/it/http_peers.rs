//! HTTP peers that misbehave below WS-Man: one that answers an upload with
//! an error before reading it all and hangs up, replies that are not HTTP
//! (a TLS alert, an SSH banner) or break HTTP's framing (bad status line,
//! broken chunked encoding, conflicting lengths), and authentication
//! challenges the client cannot answer (Digest variants it does not speak,
//! a malformed NTLM challenge). Each must end in one `winrm: error:` line
//! that says what the server did, the documented exit code, and a hint only
//! where one helps.

use crate::support::raw::{RawServer, Step, action};
use crate::support::{Cmd, Run, TempDir};

const PASSWORD: &str = "Hp7-peers-Pw";

/// `winrm ARGS -r:URL -u:demo -a:basic -unencrypted`, password hidden.
fn winrm(server: &RawServer, args: &[&str]) -> Run {
    let run = Cmd::new(args)
        .args(&[
            format!("-r:{}", server.url()),
            "-u:demo".into(),
            "-a:basic".into(),
            "-unencrypted".into(),
            "-timeout:5000".into(),
        ])
        .env("WINRM_PASSWORD", PASSWORD)
        .run();
    run.hides(PASSWORD);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

/// One `winrm: error:` line first, then only hints.
#[track_caller]
fn one_error_line(run: &Run) {
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines
            .first()
            .is_some_and(|l| l.starts_with("winrm: error:"))
            && lines[1..].iter().all(|l| l.starts_with("hint:")),
        "{}",
        run.stderr
    );
}

/// A `-file:` body of about `size` bytes: one element of XML.
fn large_body(dir: &TempDir, size: usize) -> String {
    let text = format!(
        r#"<p:Big_INPUT xmlns:p="urn:big"><p:Data>{}</p:Data></p:Big_INPUT>"#,
        "x".repeat(size)
    );
    dir.write("big.xml", text.as_bytes()).display().to_string()
}

#[test]
fn an_error_answered_before_the_upload_ends_is_reported_as_that_status() {
    let dir = TempDir::new("early");
    let file = large_body(&dir, 16 << 20);
    let page = b"<html><body>Request Entity Too Large</body></html>";
    // (status line, the verb's arguments, exit code, what stderr names)
    let cases: [(&str, Vec<String>, i32, &str); 4] = [
        (
            "413 Request Entity Too Large",
            vec!["invoke".into(), "Big".into(), "urn:big/Thing".into()],
            5,
            "answered HTTP 413 Payload Too Large before the request was fully sent: \
             <html><body>Request Entity Too Large</body></html>",
        ),
        (
            "413 Request Entity Too Large",
            vec!["set".into(), "urn:big/Thing".into()],
            5,
            "answered HTTP 413 Payload Too Large before the request was fully sent",
        ),
        (
            "400 Bad Request",
            vec!["invoke".into(), "Big".into(), "urn:big/Thing".into()],
            5,
            "answered HTTP 400 Bad Request before the request was fully sent",
        ),
        (
            "500 Internal Server Error",
            vec!["invoke".into(), "Big".into(), "urn:big/Thing".into()],
            5,
            "answered HTTP 500 Internal Server Error before the request was fully sent",
        ),
    ];
    for (status, verb, code, expected) in cases {
        let reply = [
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                page.len()
            )
            .as_bytes(),
            page,
        ]
        .concat();
        // Reads 64 KiB of the 16 MiB (more than the sockets can buffer), answers,
        // and closes.
        let server = RawServer::early(64 << 10, reply, |_, _| Step::Hangup);
        let mut args: Vec<&str> = verb.iter().map(String::as_str).collect();
        let switch = format!("-file:{file}");
        args.push(&switch);
        let run = winrm(&server, &args);
        run.code(code).stderr_has(expected);
        one_error_line(&run);
        assert!(
            !run.stderr.contains("closed the connection"),
            "{status}: {}",
            run.stderr
        );
        assert_eq!(server.requests(), 1, "{status}: sent once, never repeated");
        if status.starts_with("413") {
            run.stderr_has("hint: the server will not take a request this large");
        }
    }
}

#[test]
fn an_early_answer_over_https_is_read_through_tls() {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let dir = TempDir::new("early-tls");
    let file = large_body(&dir, 16 << 20);
    let issued = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
        .expect("self-signed certificate");
    let page = b"Too big";
    let reply = [
        format!(
            "HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: text/plain\r\n\
             Content-Length: {}\r\n\r\n",
            page.len()
        )
        .as_bytes(),
        page,
    ]
    .concat();
    let peer = crate::support::tls_peer::TlsPeer::early(
        vec![issued.cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(issued.signing_key.serialize_der())),
        64 << 10,
        reply,
    );
    let run = Cmd::new(&[
        "invoke".to_string(),
        "Big".into(),
        "urn:big/Thing".into(),
        format!("-file:{file}"),
        format!("-r:{}", peer.url()),
        "-u:demo".into(),
        "-a:basic".into(),
        "-skipCAcheck".into(),
    ])
    .env("WINRM_PASSWORD", PASSWORD)
    .run();
    run.code(5)
        .stderr_has(
            "answered HTTP 413 Payload Too Large before the request was fully sent: Too big",
        )
        .hides(PASSWORD);
    one_error_line(&run);
    assert_eq!(peer.requests(), 1);
}

#[test]
fn https_is_suggested_only_when_the_reply_is_tls() {
    // A TLS alert (protocol_version), as a TLS port answers plain HTTP.
    let tls_alert = b"\x15\x03\x03\x00\x02\x02\x46".to_vec();
    let server = RawServer::script(move |_, _| Step::Cut(tls_alert.clone()));
    let run = winrm(&server, &["id"]);
    run.code(4)
        .stderr_has("the answer is not HTTP (is that port expecting HTTPS?)")
        .stderr_has("hint: try https:// or -usessl");
    one_error_line(&run);

    // (what, the reply, exit code, what stderr says)
    let cases: [(&str, &[u8], i32, &str); 6] = [
        (
            "an SSH server",
            b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
            5,
            r#"is not valid HTTP: it began with "SSH-2.0-OpenSSH_9.2p1 De…""#,
        ),
        (
            "escape sequences where a status line belongs",
            b"\x1b]0;owned\x07\x1b[2J hello\r\n\r\n",
            5,
            r#"is not valid HTTP: it began with "\x1B]0;owned\x07\x1B[2J hello\x0D\x0A\x0D\x0A""#,
        ),
        (
            "a malformed status line",
            b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n",
            5,
            "is not valid HTTP: its status line or a header is malformed",
        ),
        (
            "broken chunked encoding",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\n\
              Transfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
            5,
            "is not valid HTTP: its chunked body has a chunk length that is not a hexadecimal \
             number",
        ),
        (
            "two different Content-Lengths",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
            5,
            "is not valid HTTP: it has conflicting Content-Length headers",
        ),
        (
            "a Content-Length that is not a number",
            b"HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\nhello",
            5,
            "is not valid HTTP: its Content-Length header is not a number",
        ),
    ];
    for (what, reply, code, expected) in cases {
        let server = RawServer::script(move |_, _| Step::Cut(reply.to_vec()));
        let run = winrm(&server, &["id"]);
        assert_eq!(run.code, Some(code), "{what}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{what}: {}", run.stderr);
        assert!(
            !run.stderr.contains("expecting HTTPS") && !run.stderr.contains("try https"),
            "{what}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains('\u{1b}'), "{what}: {:?}", run.stderr);
        // The port hint for what is not HTTP at all; none for an HTTP
        // server's broken framing, which nothing on our side can change.
        assert_eq!(
            run.stderr
                .contains("hint: check that -r names a WinRM listener's port"),
            !reply.starts_with(b"HTTP/"),
            "{what}: {}",
            run.stderr
        );
        one_error_line(&run);
    }
}

#[test]
fn a_digest_challenge_the_client_cannot_answer_says_why() {
    // (the challenge, what stderr says, the hint's start)
    let unsupported = "hint: the server wants a form of this method the client does not speak";
    let broken = "hint: the server, or a proxy in between that rewrites headers, sent a broken";
    let cases = [
        (
            r#"Digest realm="AMT", nonce="n1", qop="auth", algorithm=SHA-512-256"#,
            "the server's Digest challenge asks for the algorithm SHA-512-256; this client \
             answers MD5 only",
            unsupported,
        ),
        (
            r#"Digest realm="AMT", nonce="n1", algorithm="ROT13""#,
            "the server's Digest challenge asks for an unknown algorithm ROT13",
            unsupported,
        ),
        (
            r#"Digest realm="AMT", nonce="n1", qop="auth-int""#,
            "the server's Digest challenge offers only qop=auth-int",
            unsupported,
        ),
        (
            r#"Digest realm="AMT", qop="auth""#,
            "the server's Digest challenge has no nonce",
            broken,
        ),
        (
            r#"Digest nonce="n1", qop="auth""#,
            "the server's Digest challenge has no realm",
            broken,
        ),
        (
            r#"Digest realm="AMT, nonce=n1"#,
            "the server's Digest challenge is malformed",
            broken,
        ),
    ];
    for (challenge, expected, hint) in cases {
        let reply = format!(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: {challenge}\r\n\
             Content-Length: 0\r\n\r\n"
        )
        .into_bytes();
        let server = RawServer::script(move |_, _| Step::Reply(reply.clone()));
        let run = Cmd::new(&[
            "id".to_string(),
            format!("-r:{}", server.url()),
            "-u:demo".into(),
            "-a:digest".into(),
        ])
        .env("WINRM_PASSWORD", PASSWORD)
        .run();
        run.code(3)
            .stderr_has(expected)
            .stderr_has(hint)
            .hides(PASSWORD);
        one_error_line(&run);
        assert!(
            !run.stderr.contains("refused the credentials"),
            "{}",
            run.stderr
        );
        assert_eq!(
            server.requests(),
            1,
            "{challenge}: nothing to answer it with"
        );
    }
}

/// An NTLM CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2) whose target information
/// is `info`, placed at `info_at` (`None`: right after the fixed part).
fn ntlm_challenge(kind: u32, info: &[u8], info_at: Option<u32>) -> Vec<u8> {
    let mut out = b"NTLMSSP\0".to_vec();
    out.extend(kind.to_le_bytes());
    out.extend([0, 0, 0, 0, 56, 0, 0, 0]); // no target name
    out.extend(0xE289_8215u32.to_le_bytes());
    out.extend([0x11; 8]); // the server challenge
    out.extend([0; 8]);
    let length = (info.len() as u16).to_le_bytes();
    out.extend(length);
    out.extend(length);
    out.extend(info_at.unwrap_or(56).to_le_bytes());
    out.extend([10, 0, 0x63, 0x45, 0, 0, 0, 15]); // version
    out.extend(info);
    out
}

#[test]
fn a_malformed_ntlm_challenge_is_a_sentence() {
    use base64::Engine as _;
    // MsvAvNbDomainName "CORP", then MsvAvEOL.
    let info = b"\x02\x00\x08\x00C\x00O\x00R\x00P\x00\x00\x00\x00\x00";
    let good = ntlm_challenge(2, info, None);
    // (what, the Negotiate header's value, what stderr says)
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "cut short",
            base64::engine::general_purpose::STANDARD.encode(&good[..20]),
            "the server's NTLM challenge is malformed: it is cut short (20 bytes, where the \
             fixed part alone takes 48)",
        ),
        (
            "a wrong signature",
            base64::engine::general_purpose::STANDARD
                .encode([b"NTLMSSX".as_slice(), &good[7..]].concat()),
            "the server's NTLM challenge is malformed: it does not begin with the NTLMSSP \
             signature",
        ),
        (
            "another message type",
            base64::engine::general_purpose::STANDARD.encode(ntlm_challenge(3, info, None)),
            "the server's NTLM challenge is malformed: it is NTLM message type 3, not a \
             challenge (2)",
        ),
        (
            "target information beyond the message",
            base64::engine::general_purpose::STANDARD.encode(ntlm_challenge(2, info, Some(5000))),
            "the server's NTLM challenge is malformed: its target information (16 bytes at \
             offset 5000) lies outside the message (72 bytes)",
        ),
        (
            "an entry longer than the list",
            base64::engine::general_purpose::STANDARD.encode(ntlm_challenge(
                2,
                b"\x02\x00\xC8\x00AB",
                None,
            )),
            "the server's NTLM challenge is malformed: an entry of its target information (id \
             2, 200 bytes) runs past the end of the list",
        ),
        (
            "not base64",
            "%%%not-base64%%%".into(),
            "the server's Negotiate token is not valid base64",
        ),
    ];
    for (what, token, expected) in cases {
        let reply = format!(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate {token}\r\n\
             Content-Length: 0\r\n\r\n"
        )
        .into_bytes();
        let server = RawServer::script(move |_, _| Step::Reply(reply.clone()));
        let run = Cmd::new(&[
            "id".to_string(),
            format!("-r:{}", server.url()),
            "-u:CORP\\alice".into(),
            "-a:ntlm".into(),
        ])
        .env("WINRM_PASSWORD", PASSWORD)
        .run();
        assert_eq!(run.code, Some(3), "{what}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{what}: {}", run.stderr);
        run.stderr_has("hint: the server, or a proxy in between that rewrites headers, sent a broken challenge")
            .hides(PASSWORD);
        assert!(!run.stderr.contains("IO error"), "{what}: {}", run.stderr);
        one_error_line(&run);
    }
}

/// The WinRS answers a scripted shell gives: a shell, a command, output
/// that never ends, and the acknowledgements of Signal and Delete.
fn shell_step(request: &str) -> Step {
    const SHELL: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell";
    const TRANSFER: &str = "http://schemas.xmlsoap.org/ws/2004/09/transfer";
    let rsp = format!(r#"xmlns:rsp="{SHELL}""#);
    let (action, body) = match action(request).unwrap_or_default() {
        "Create" => (
            format!("{TRANSFER}/CreateResponse"),
            format!(
                r#"<x:ResourceCreated xmlns:x="{TRANSFER}"><a:Address>http://h/wsman</a:Address><a:ReferenceParameters><w:ResourceURI>{SHELL}/cmd</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">S1</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>"#
            ),
        ),
        "Command" => (
            format!("{SHELL}/CommandResponse"),
            format!(
                "<rsp:CommandResponse {rsp}><rsp:CommandId>C1</rsp:CommandId></rsp:CommandResponse>"
            ),
        ),
        "Receive" => (
            format!("{SHELL}/ReceiveResponse"),
            format!(
                r#"<rsp:ReceiveResponse {rsp}><rsp:CommandState CommandId="C1" State="{SHELL}/CommandState/Running"/></rsp:ReceiveResponse>"#
            ),
        ),
        "Signal" => (
            format!("{SHELL}/SignalResponse"),
            format!("<rsp:SignalResponse {rsp}/>"),
        ),
        other => (format!("{TRANSFER}/{other}Response"), String::new()),
    };
    Step::soap(request, &action, &body)
}

#[test]
fn an_early_answer_to_exec_stdin_ends_the_run_and_deletes_the_shell() {
    let page = b"Request Entity Too Large";
    let reply = [
        format!(
            "HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: text/plain\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            page.len()
        )
        .as_bytes(),
        page,
    ]
    .concat();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let server = RawServer::early(64 << 10, reply, move |_, request| {
        let name = action(request).unwrap_or_default().to_string();
        log.lock().unwrap().push(name);
        shell_step(request)
    });
    let run = Cmd::new(&[
        "exec".to_string(),
        format!("-r:{}", server.url()),
        "-u:demo".into(),
        "-a:basic".into(),
        "-unencrypted".into(),
        "--max-envelope-size".into(),
        (8 << 20).to_string(),
        "findstr".into(),
        "x".into(),
    ])
    .env("WINRM_PASSWORD", PASSWORD)
    .stdin(vec![b'x'; 4 << 20])
    .run();
    // A Send small enough for the socket's buffers is written whole, and
    // the 413 read as a reply; a larger one fails to write and the answer
    // is read from the socket. Either way the status is what is reported.
    run.code(255)
        .stderr_has("answered HTTP 413")
        .hides(PASSWORD);
    assert!(
        !run.stderr.contains("closed the connection"),
        "{}",
        run.stderr
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.first().map(String::as_str), Some("Create"), "{seen:?}");
    assert_eq!(
        seen.last().map(String::as_str),
        Some("Delete"),
        "the shell is deleted after the failure: {seen:?}"
    );
}
