//! Failures as users meet them: WS-Man faults from the listener (exit 1,
//! winrm.cmd's `WSManFault` + `Error number:` on stderr), and everything
//! below WS-Man: refused connections, TLS names and issuers, a server that
//! never answers, HTML, an empty 500. Passwords never show in any of it.

use std::time::Duration;

use crate::support::raw::{Behaviour, RawServer, closed_port};
use crate::support::{Cmd, PASSWORD, Run, USER, https_listener, listener};

/// A password distinctive enough to spot anywhere in the output.
const SECRET: &str = "Zq9-s3cret-Pw";

/// `winrm ARGS -r:URL -u:demo -unencrypted`, password SECRET.
fn against(url: &str, args: &[&str]) -> Run {
    let run = Cmd::new(args)
        .args(&[&format!("-r:{url}"), "-u:demo", "-a:basic", "-unencrypted"])
        .env("WINRM_PASSWORD", SECRET)
        .run();
    run.hides(SECRET);
    run
}

#[test]
fn cannot_process_filter_prints_the_wsman_fault() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "enumerate",
            "wmicimv2/*",
            "-filter:select * from Win32_NoSuchClass",
        ],
    )
    .run();
    run.code(1).hides(PASSWORD);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr.lines().next(),
        Some("WSManFault"),
        "{}",
        run.stderr
    );
    run.stderr_line("Error number:  -2144108518 0x8033801A")
        .stderr_has("    Message");
}

#[test]
fn a_fault_asked_for_as_a_table_prints_in_the_text_layout() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "get",
            "wmicimv2/Win32_Service?Name=NoSuchService",
            "-format:table",
        ],
    )
    .run();
    run.code(1);
    assert_eq!(
        run.stderr.lines().next(),
        Some("WSManFault"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Property"), "{}", run.stderr);
    assert!(run.stderr.contains("\nError number:"), "{}", run.stderr);
}

#[test]
fn unknown_resource_uri_is_a_fault() {
    let server = listener();
    let run = Cmd::to(&server, &["get", "wmicimv2/Win32_NoSuchClass"]).run();
    run.code(1);
    assert_eq!(
        run.stderr.lines().next(),
        Some("WSManFault"),
        "{}",
        run.stderr
    );
    run.stderr_has("Error number:  -");
    let run = Cmd::to(&server, &["get", "http://example.com/not/a/resource"]).run();
    run.code(1).stderr_has("Error number:  -");
}

#[test]
fn invalid_selectors_are_a_fault() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &["get", "wmicimv2/Win32_Service?NoSuchKey=Spooler"],
    )
    .run();
    run.code(1).stderr_has("WSManFault").stderr_has("selector");
    run.stderr_line("Error number:  -2144108483 0x8033803D");
}

#[test]
fn xml_format_applies_to_the_fault_too() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &["get", "wmicimv2/Win32_Service?NoSuchKey=x", "-format:xml"],
    )
    .run();
    run.code(1);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.contains("WSManFault") && first.starts_with('<'),
        "{}",
        run.stderr
    );
    run.stderr_has("Error number:  -");
}

#[test]
fn connection_refused() {
    let url = format!("http://127.0.0.1:{}/wsman", closed_port());
    let run = against(&url, &["identify"]);
    run.code(4)
        .stderr_has("cannot connect to")
        .stderr_has("refused")
        .stderr_has("hint:");
    assert_eq!(run.stdout, "");
}

#[test]
fn silent_server_times_out_within_bounds() {
    let server = RawServer::start(Behaviour::Silent);
    let run = against(&server.url(), &["get", "winrm/config", "-timeout:1000"]);
    run.code(4)
        .stderr_has("did not answer")
        .stderr_has("-timeout");
    assert!(
        run.elapsed < Duration::from_secs(30),
        "took {:?}",
        run.elapsed
    );
    assert_eq!(server.requests(), 1);
}

#[test]
fn html_instead_of_soap() {
    let server = RawServer::answering(
        "200 OK",
        "text/html",
        "<html><head><title>IIS</title></head><body>Welcome</body></html>",
    );
    let run = against(&server.url(), &["get", "winrm/config"]);
    run.code(5)
        .stderr_has("not valid WS-Management")
        .stderr_has("hint:")
        .stderr_has("/wsman");
}

/// A reply compressed though the request asked for none is named for what
/// it is, not reported as a reply that is not XML.
#[test]
fn an_unrequested_gzip_reply_is_named() {
    // The gzip magic and a few bytes: what a compressing proxy would send.
    let body = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xb3\x01\x00";
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml;charset=UTF-8\r\n\
         Content-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let server = RawServer::start(Behaviour::Reply([head.as_bytes(), body].concat()));
    let run = against(&server.url(), &["get", "winrm/config"]);
    run.code(5)
        .stderr_has("the server compressed its reply from http://127.0.0.1:");
    run.stderr_has("(Content-Encoding: gzip) though none was asked for");
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("winrm:"))
            .count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn html_error_page_with_404() {
    let server = RawServer::answering("404 Not Found", "text/html", "<html>nope</html>");
    let run = against(&server.url(), &["get", "winrm/config"]);
    run.code(5).stderr_has("404").stderr_has("/wsman");
}

#[test]
fn empty_500_suggests_allow_unencrypted() {
    let server = RawServer::answering("500 Internal Server Error", "", "");
    let run = against(&server.url(), &["get", "winrm/config"]);
    run.code(5).stderr_has("500").stderr_has("AllowUnencrypted");
}

#[test]
fn truncated_xml() {
    let body = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><p:Config xmlns:p="urn:x"><p:A>1</p:A>"#;
    let server = RawServer::answering("200 OK", "application/soap+xml;charset=UTF-8", body);
    against(&server.url(), &["get", "winrm/config"])
        .code(5)
        .stderr_has("not well-formed");
}

#[test]
fn not_xml_at_all() {
    let server = RawServer::answering("200 OK", "application/soap+xml", "this is not xml");
    against(&server.url(), &["get", "winrm/config"])
        .code(5)
        .stderr_has("not valid WS-Management");
}

/// `winrm id -r:URL -u:demo` over HTTPS with extra switches.
fn https(url: &str, extra: &[&str]) -> Run {
    let run = Cmd::new(&[
        "identify",
        &format!("-r:{url}"),
        &format!("-u:{USER}"),
        "-a:basic",
    ])
    .args(extra)
    .env("WINRM_PASSWORD", PASSWORD)
    .run();
    run.hides(PASSWORD);
    run
}

#[test]
fn https_certificate_checks() {
    let server = https_listener();
    let localhost = server.https_url().expect("https url");
    let port = server.https_port().expect("https port");
    let by_ip = format!("https://127.0.0.1:{port}/wsman");
    let ca = server.ca_pem_path().expect("CA file");
    let ca = ca.to_str().expect("UTF-8 path");

    // Untrusted issuer: the hint names both ways out.
    https(&localhost, &[])
        .code(4)
        .stderr_has("--cacert")
        .stderr_has("-skipCAcheck");
    // Trusted, but the certificate names only localhost: the error says
    // which names it holds and its thumbprint (Windows' SHA-1 form).
    let run = https(&by_ip, &["--cacert", ca]);
    run.code(4)
        .stderr_has("not valid for this host name (it names localhost; thumbprint ")
        .stderr_has("-skipCNcheck");
    let thumbprint = run
        .stderr
        .split("thumbprint ")
        .nth(1)
        .and_then(|t| t.split(')').next())
        .unwrap_or_default();
    assert!(
        thumbprint.len() == 40 && thumbprint.chars().all(|c| c.is_ascii_hexdigit()),
        "{thumbprint}"
    );

    https(&localhost, &["--cacert", ca])
        .ok()
        .line("IdentifyResponse");
    https(&localhost, &["-skipCAcheck"])
        .ok()
        .line("IdentifyResponse");
    https(&by_ip, &["-skipCNcheck", "--cacert", ca])
        .ok()
        .line("IdentifyResponse");
    https(&by_ip, &["-skipCAcheck", "-skipCNcheck"])
        .ok()
        .line("IdentifyResponse");
    // Each switch waives one check only.
    https(&localhost, &["-skipCNcheck"])
        .code(4)
        .stderr_has("-skipCAcheck");
    https(&by_ip, &["-skipCAcheck"])
        .code(4)
        .stderr_has("-skipCNcheck");

    let requests = server.requests();
    assert!(!requests.is_empty());
    // Basic over HTTPS needs no -unencrypted, and the password did travel.
    assert!(requests.iter().all(|r| r.header("authorization").is_some()));
}

/// A self-signed certificate reached by IP fails both checks; the hint
/// must name both switches, or the user fixes one problem only to meet the
/// next.
#[test]
fn https_by_ip_to_an_untrusted_certificate_hints_both_checks() {
    let server = https_listener();
    let port = server.https_port().expect("https port");
    https(&format!("https://127.0.0.1:{port}/wsman"), &[])
        .code(4)
        .stderr_has("-skipCAcheck")
        .stderr_has("-skipCNcheck");
}

#[test]
fn https_usessl_and_unreadable_cacert() {
    let server = https_listener();
    let port = server.https_port().expect("https port");
    https(&format!("localhost:{port}"), &["-usessl", "-skipCAcheck"])
        .ok()
        .line("IdentifyResponse");
    https(
        &server.https_url().expect("url"),
        &["--cacert", "/nonexistent/ca.pem"],
    )
    .code(2)
    .stderr_has("/nonexistent/ca.pem");
    let dir = crate::support::TempDir::new("bad-ca");
    let bad = dir.write("ca.pem", b"not a certificate\n");
    https(
        &server.https_url().expect("url"),
        &["--cacert", bad.to_str().expect("UTF-8 path")],
    )
    .code(2)
    .stderr_has("PEM");
}

#[test]
fn plain_http_to_an_https_port_fails_cleanly() {
    let server = https_listener();
    let port = server.https_port().expect("https port");
    let run = against(&format!("http://localhost:{port}/wsman"), &["identify"]);
    assert!(matches!(run.code, Some(4 | 5)), "{run:?}");
    assert!(run.stderr.starts_with("winrm: error:"), "{}", run.stderr);
}

#[test]
fn server_hangs_up_without_answering() {
    let server = RawServer::start(Behaviour::Hangup);
    let run = against(&server.url(), &["get", "winrm/config"]);
    run.code(4).stderr_has("closed the connection");
}

#[test]
fn service_refusing_unencrypted_traffic() {
    let server = https_listener();
    Cmd::to(
        &server,
        &[
            "set",
            "winrm/config/service",
            r#"@{AllowUnencrypted="false"}"#,
        ],
    )
    .run()
    .ok()
    .line("    AllowUnencrypted = false");
    // Plain HTTP now gets Windows' bare 500.
    let run = Cmd::to(&server, &["get", "winrm/config"]).run();
    run.code(5)
        .stderr_has("HTTP 500")
        .stderr_has("AllowUnencrypted")
        .hides(PASSWORD);
    // HTTPS still works.
    let ca = server.ca_pem_path().expect("CA");
    Cmd::new(&[
        "get",
        "winrm/config/service",
        &format!("-r:{}", server.https_url().expect("url")),
        "-u:demo",
        "-a:basic",
        "--cacert",
        ca.to_str().expect("UTF-8 path"),
    ])
    .env("WINRM_PASSWORD", PASSWORD)
    .run()
    .ok()
    .line("    AllowUnencrypted = false");
}

#[test]
fn enumeration_context_expiring_mid_way() {
    let server = listener();
    Cmd::to(
        &server,
        &[
            "set",
            "winrm/config/service",
            r#"@{EnumerationTimeoutms="0"}"#,
        ],
    )
    .run()
    .ok();
    let run = Cmd::to(
        &server,
        &[
            "enumerate",
            "wmicimv2/Win32_Service",
            "--max-elements",
            "10",
        ],
    )
    .run();
    run.code(1)
        .stderr_has("WSManFault")
        .stderr_line("Error number:  -2144108517 0x8033801B");
    // The first page was printed before the failure.
    assert_eq!(
        run.lines()
            .iter()
            .filter(|l| **l == "Win32_Service")
            .count(),
        10,
        "{}",
        run.stdout
    );
    let sent = crate::support::actions(&server.requests());
    assert_eq!(
        sent,
        ["Get", "Put", "Enumerate", "Pull"],
        "a dead context is neither pulled again nor released"
    );
}

#[test]
fn fault_error_numbers_per_case() {
    let server = listener();
    let cases: [(&[&str], &str); 6] = [
        (
            &["get", "wmicimv2/Win32_NoSuchClass"],
            "Error number:  -2144108544 0x80338000",
        ),
        (
            &["get", "wmicimv2/Win32_Service?Name=NoSuchService"],
            "Error number:  -2144108544 0x80338000",
        ),
        (
            &["get", "http://example.com/not/a/resource"],
            "Error number:  -2144108485 0x8033803B",
        ),
        (
            &[
                "invoke",
                "FlyToTheMoon",
                "wmicimv2/Win32_Service?Name=Spooler",
            ],
            "Error number:  -2144108525 0x80338013",
        ),
        (
            &["set", "winrm/config/service", r#"@{IPv4Filter="10.0.0.1"}"#],
            "Error number:  -2144108406 0x8033808A",
        ),
        (
            &["set", "winrm/config", r#"@{MaxEnvelopeSizekb="abc"}"#],
            "Error number:  -2144108458 0x80338056",
        ),
    ];
    for (args, line) in cases {
        let run = Cmd::to(&server, args).run();
        run.code(1).stderr_line(line).stderr_line("WSManFault");
        assert_eq!(run.stdout, "", "{args:?}");
    }
}

/// An HTTP response around a captured fixture body. The capture's
/// RelatesTo names the request it answered, not ours, so it is left out:
/// a fault naming no request is reported, one naming another is refused.
fn replaying(status: &str, fixture: &str, content_type: &str) -> RawServer {
    let body = without_relates_to(crate::support::fixture(fixture));
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    RawServer::start(Behaviour::Reply([head.into_bytes(), body].concat()))
}

#[test]
fn captured_faults_from_other_servers() {
    let soap = "application/soap+xml;charset=UTF-8";
    // (status, fixture, a stderr line)
    let cases = [
        (
            "503 Service Unavailable",
            "openwsman/fault-destination-unreachable-invalid-resourceuri.response.xml",
            // Only a subcode and FaultDetail: numbered as Windows numbers it.
            "Error number:  -2144108485 0x8033803B",
        ),
        (
            "200 (null)",
            "openwsman/fault-mustunderstand.response.xml",
            "WSManFault",
        ),
        (
            "400 Bad Request",
            "amt/fault-already-exists.response.xml",
            "    Message = The sender attempted to create a resource which already exists.",
        ),
        (
            "500 Internal Server Error",
            "omi-live/09-get-msft_person-cimerror-fault.resp.xml",
            "    Message = This is a test CIM Error",
        ),
        (
            "500 Internal Server Error",
            "windows/fault-invalid-selectors-nested-providerfault.response.xml",
            "Error number:  -2144108453 0x8033805B",
        ),
        (
            "500 Internal Server Error",
            "windows/fault-concurrent-operations-en-gb.response.xml",
            "WSManFault",
        ),
    ];
    for (status, fixture, line) in cases {
        let server = replaying(status, fixture, soap);
        let run = against(&server.url(), &["get", "winrm/config"]);
        run.code(1).stderr_line(line);
        assert_eq!(run.stdout, "", "{fixture}");
    }
}

#[test]
fn captured_identify_replies_from_other_servers() {
    // openwsman's status line reads "HTTP/1.1 200 (null)".
    let raw = crate::support::fixture("openwsman/identify.response.http");
    let server = RawServer::start(Behaviour::Reply(raw));
    Cmd::new(&["id", &format!("-r:{}", server.url()), "-a:none"])
        .run()
        .ok()
        .line("    ProductVendor = Openwsman Project")
        .line("    ProductVersion = 2.8");
    let server = replaying(
        "200 OK",
        "openwsman/identify-utf16.response.xml",
        "application/soap+xml;charset=UTF-16",
    );
    Cmd::new(&["id", &format!("-r:{}", server.url()), "-a:none"])
        .run()
        .ok()
        .line("    ProductVendor = Openwsman Project");
    let server = replaying(
        "200 OK",
        "omi-live/01-identify.resp.xml",
        "application/soap+xml;charset=UTF-8",
    );
    Cmd::new(&["id", &format!("-r:{}", server.url()), "-a:none"])
        .run()
        .ok()
        .line("IdentifyResponse");
}

#[test]
fn cim_faults_name_their_status_and_inner_wmi_codes_are_explained() {
    let soap = "application/soap+xml;charset=UTF-8";
    let server = replaying(
        "500 Internal Server Error",
        "omi-live/11-get-msft_person-notfound-fault.resp.xml",
        soap,
    );
    let run = against(&server.url(), &["get", "winrm/config"]);
    run.code(1)
        .stderr_line("    CIMStatusCode = 6 (CIM_ERR_NOT_FOUND)")
        .stderr_line("    Reason = CIM ERROR:NOT_FOUND: The requested object cannot be found.");
    // A WQL syntax error: the outer WinRM number, then WMI's own.
    let server = listener();
    let run = Cmd::to(
        &server,
        &["enumerate", "wmicimv2/*", "-filter:selec * frm x"],
    )
    .run();
    run.code(1)
        .stderr_line("Error number:  -2144108518 0x8033801A")
        .stderr_line("Inner error number:  -2147217385 0x80041017")
        .stderr_line("WBEM_E_INVALID_QUERY: The WQL query is not valid.");
}

#[test]
fn a_pinned_certificate_needs_no_ca_and_any_other_is_refused_before_credentials() {
    let server = https_listener();
    let port = server.https_port().expect("https port");
    let by_ip = format!("https://127.0.0.1:{port}/wsman");
    let wrong = format!("sha256:{}", "00".repeat(32));
    let refused = https(&by_ip, &["--pin", &wrong]);
    refused
        .code(4)
        .stderr_has("matches no --pin (it is sha256:")
        .stderr_has("thumbprint sha1:")
        .stderr_has("CertificateThumbprint");
    assert!(
        server.requests().is_empty(),
        "nothing may be sent to an unpinned server"
    );
    let shown = |prefix: &str, end: char| -> String {
        refused
            .stderr
            .split(prefix)
            .nth(1)
            .and_then(|rest| rest.split(end).next())
            .unwrap_or_default()
            .to_string()
    };
    let sha256 = shown("it is sha256:", ',');
    let sha1 = shown("thumbprint sha1:", ')');
    assert_eq!(sha256.len(), 95, "{sha256}");
    assert_eq!(sha1.len(), 40, "{sha1}");
    // Either fingerprint, in either spelling, lets the run through: by
    // IP, with an untrusted CA, and no -skipCAcheck or -skipCNcheck.
    for pin in [
        format!("sha256:{sha256}"),
        sha1.to_lowercase(),
        format!("sha1:{sha1}"),
    ] {
        https(&by_ip, &["--pin", &wrong, "--pin", &pin])
            .ok()
            .line("IdentifyResponse");
    }
    Cmd::new(&["id", "-r:http://127.0.0.1:1", "--pin", &wrong])
        .run()
        .code(2)
        .stderr_has("--pin checks the server's TLS certificate");
    Cmd::new(&["id", &format!("-r:{by_ip}"), "--pin", "sha256:xyz"])
        .run()
        .code(2)
        .stderr_has("--pin 'sha256:xyz' is not a hexadecimal fingerprint");
}

#[test]
fn a_full_stderr_changes_nothing_but_the_message() {
    // `2>/dev/full`: every write to stderr fails; the exit code must still
    // say what happened, not that winrm crashed (101).
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full")
    };
    for (args, code) in [
        (&["id", "-r:127.0.0.1:1", "-a:none"][..], 4),
        (&["gte"][..], 2),
        (&["get", "winrm/config", "-r:127.0.0.1:1", "--bogus"][..], 2),
    ] {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_winrm"))
            .args(args)
            .env_clear()
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(full())
            .status()
            .expect("run winrm");
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
}

#[test]
fn an_announced_length_is_not_believed_in_advance() {
    // A reply that claims 10^15 bytes must not make us set aside memory
    // for them, however large a reply we would accept.
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml;charset=UTF-8\r\n\
                Content-Length: 1000000000000000\r\n\r\n<s:Envelope";
    let server = RawServer::start(Behaviour::Reply(head.as_bytes().to_vec()));
    let run = against(
        &server.url(),
        &["get", "winrm/config", "-maxenvelopesize:4000000000"],
    );
    let code = run.code.expect("an exit code, not a signal");
    assert!(matches!(code, 4 | 5), "{run:?}");
}

/// `body` without its `RelatesTo` element (the first, if any).
fn without_relates_to(body: Vec<u8>) -> Vec<u8> {
    let Ok(text) = String::from_utf8(body.clone()) else {
        return body;
    };
    let Some(open_end) = text.find("RelatesTo>") else {
        return body;
    };
    let Some(start) = text[..open_end].rfind('<') else {
        return body;
    };
    let after_open = open_end + "RelatesTo>".len();
    let Some(close) = text[after_open..].find("RelatesTo>") else {
        return body;
    };
    let end = after_open + close + "RelatesTo>".len();
    format!("{}{}", &text[..start], &text[end..]).into_bytes()
}

#[test]
fn a_fault_answering_another_request_is_refused() {
    // The capture's RelatesTo names the request it answered, not ours.
    let body = crate::support::fixture("windows/fault-timedout-en-gb.response.xml");
    let head = format!(
        "HTTP/1.1 500 Error\r\nContent-Type: application/soap+xml;charset=UTF-8\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    let server = RawServer::start(Behaviour::Reply([head.into_bytes(), body].concat()));
    let run = against(&server.url(), &["get", "winrm/config"]);
    run.code(5).stderr_has("not the request we sent");
}

#[test]
fn plain_http_to_a_tls_port_and_tls_to_a_plain_port_say_so() {
    let server = https_listener();
    let tls_port = server.https_port().expect("https port");
    Cmd::new(&["id", &format!("-r:http://127.0.0.1:{tls_port}"), "-a:none"])
        .run()
        .code(4)
        .stderr_has("is that port expecting HTTPS?")
        .stderr_has("hint: try https:// or -usessl");
    Cmd::new(&[
        "id",
        &format!("-r:https://127.0.0.1:{}", server.http_port()),
        "-a:none",
    ])
    .run()
    .code(4)
    .stderr_has("did not answer with TLS")
    .stderr_has("hint: try http:// or port 5985");
}
