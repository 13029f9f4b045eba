//! What goes over the wire, as the listener recorded it: one kept-alive
//! connection per run, Basic credentials on the first request, the HTTP
//! headers WinRM expects, `wsa:To` and unique MessageIDs; and a reply that
//! answers another message is refused.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use winrm::internals::parse_document;

use crate::support::raw::{Behaviour, RawServer};
use crate::support::{Cmd, PASSWORD, Recorded, USER, listener};

const ADDRESSING: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
const WSMV: &str = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd";

/// The text of the first header element `{ns}local` of a recorded request.
fn header_text(request: &Recorded, ns: &str, local: &str) -> Option<String> {
    let doc = parse_document(&request.body).expect("request is XML");
    doc.descendants()
        .find(|n| n.has_tag_name((ns, local)))
        .and_then(|n| n.text())
        .map(str::to_string)
}

#[test]
fn one_connection_for_every_request_of_a_run() {
    let server = listener();
    Cmd::to(
        &server,
        &["set", "winrm/config/client", r#"@{TrustedHosts="h1"}"#],
    )
    .run()
    .ok();
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "Get then Put");
    assert_eq!(server.connections(), 1);
    assert!(
        requests
            .iter()
            .all(|r| r.connection == requests[0].connection)
    );

    // Each run opens its own connection.
    Cmd::to(&server, &["get", "winrm/config/client"]).run().ok();
    assert_eq!(server.connections(), 2);
}

#[test]
fn basic_credentials_go_with_the_first_request() {
    let server = listener();
    Cmd::to(&server, &["get", "winrm/config/client"]).run().ok();
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "no 401 round trip: {requests:#?}");
    let pair = format!("{USER}:{PASSWORD}");
    let expected = format!("Basic {}", STANDARD.encode(pair.as_bytes()));
    assert_eq!(requests[0].header("authorization"), Some(expected.as_str()));
}

#[test]
fn http_headers() {
    let server = listener();
    Cmd::to(&server, &["get", "winrm/config/client"]).run().ok();
    let r = &server.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/wsman");
    assert_eq!(
        r.header("content-type"),
        Some("application/soap+xml;charset=UTF-8")
    );
    let agent = r.header("user-agent").unwrap_or_default();
    assert!(agent.starts_with("winrm"), "User-Agent: {agent:?}");
    assert_eq!(
        r.header("content-length")
            .and_then(|l| l.parse::<usize>().ok()),
        Some(r.body.len()),
        "Content-Length, never chunked"
    );
    assert!(r.header("transfer-encoding").is_none());
    assert_eq!(r.header("wsmanidentify"), None);
}

#[test]
fn addressing_headers_per_request() {
    let server = listener();
    Cmd::to(
        &server,
        &[
            "enumerate",
            "wmicimv2/Win32_Service",
            "--max-elements",
            "40",
        ],
    )
    .run()
    .ok();
    let requests = server.requests();
    assert!(requests.len() >= 3, "Enumerate + Pulls: {}", requests.len());
    let mut ids = HashSet::new();
    let mut sessions = HashSet::new();
    for r in &requests {
        assert_eq!(
            header_text(r, ADDRESSING, "To").as_deref(),
            Some(server.http_url().as_str())
        );
        let id = r.message_id.clone().expect("MessageID");
        assert!(is_uuid(&id), "{id}");
        assert!(ids.insert(id.clone()), "MessageID {id} sent twice");
        sessions.insert(header_text(r, WSMV, "SessionId").expect("SessionId"));
    }
    assert_eq!(sessions.len(), 1, "one SessionId for the whole run");
    assert!(!ids.contains(sessions.iter().next().expect("one")));
}

#[test]
fn reply_to_another_message_is_refused() {
    let body = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse</a:Action><a:RelatesTo>uuid:11111111-2222-4333-8444-555555555555</a:RelatesTo></s:Header><s:Body><cfg:Client xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config/client"><cfg:URLPrefix>wsman</cfg:URLPrefix></cfg:Client></s:Body></s:Envelope>"#;
    let server = RawServer::answering("200 OK", "application/soap+xml;charset=UTF-8", body);
    let run = Cmd::new(&[
        "get",
        "winrm/config/client",
        &format!("-r:{}", server.url()),
        "-a:none",
    ])
    .run();
    run.code(5)
        .stderr_has("uuid:11111111-2222-4333-8444-555555555555")
        .stderr_has("not the request we sent");
    assert_eq!(run.stdout, "", "nothing from a reply to someone else");
}

/// A reply that does not say which request it answers could be anyone's.
#[test]
fn reply_without_relates_to_is_refused() {
    let body = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse</a:Action></s:Header><s:Body><cfg:Client xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config/client"><cfg:URLPrefix>wsman</cfg:URLPrefix></cfg:Client></s:Body></s:Envelope>"#;
    let server = RawServer::answering("200 OK", "application/soap+xml;charset=UTF-8", body);
    let run = Cmd::new(&[
        "get",
        "winrm/config/client",
        &format!("-r:{}", server.url()),
        "-a:none",
    ])
    .run();
    run.code(5).stderr_has("has no RelatesTo");
    assert_eq!(run.stdout, "");
}

#[test]
fn unauthenticated_requests_carry_no_credentials() {
    let server = listener();
    let run = Cmd::new(&[
        "get",
        "winrm/config/client",
        &format!("-r:{}", server.http_url()),
    ])
    .run();
    run.code(3).stderr_has("401");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("authorization"), None);
}

fn is_uuid(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("uuid:") else {
        return false;
    };
    let groups: Vec<&str> = rest.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && rest.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[test]
fn redirects_are_not_followed() {
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        // The target is another server: it must hear nothing, above all
        // not the credentials.
        let target = RawServer::answering("200 OK", "application/soap+xml", "<x/>");
        let redirect = RawServer::start(Behaviour::Reply(
            format!(
                "HTTP/1.1 {status}\r\nLocation: {}\r\nContent-Length: 0\r\n\r\n",
                target.url().replace("127.0.0.1", "localhost")
            )
            .into_bytes(),
        ));
        let run = Cmd::new(&[
            "get",
            "winrm/config",
            &format!("-r:{}", redirect.url()),
            "-u:demo",
            "-a:basic",
            "-unencrypted",
        ])
        .env("WINRM_PASSWORD", PASSWORD)
        .run();
        let code = &status[..3];
        run.code(5)
            .stderr_has(&format!("HTTP {code}"))
            .stderr_has("not followed")
            .hides(PASSWORD);
        assert_eq!(redirect.requests(), 1, "{status}");
        assert_eq!(
            target.requests(),
            0,
            "{status}: credentials never follow a redirect"
        );
    }
}

#[test]
fn oversized_replies_are_refused() {
    let huge = format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x>{}</x></s:Body></s:Envelope>"#,
        "y".repeat(400_000)
    );
    let server = RawServer::answering("200 OK", "application/soap+xml;charset=UTF-8", &huge);
    let run = Cmd::new(&[
        "get",
        "winrm/config",
        &format!("-r:{}", server.url()),
        "-a:none",
        "--max-envelope-size",
        "8192",
    ])
    .run();
    run.code(5).stderr_has("larger than").stderr_has("hint:");
}

#[test]
fn options_locales_and_timeout_on_the_wire() {
    let server = listener();
    Cmd::to(&server, &["get", "wmicimv2/Win32_Service?Name=Spooler"])
        .run()
        .ok();
    Cmd::to(
        &server,
        &[
            "get",
            "wmicimv2/Win32_Service?Name=Spooler",
            r#"-options:{wmi:ShowExtensions="true";Empty=$null}"#,
            "--option",
            "Extra=1",
            "-locale:de-DE",
            "-dataLocale:fr-FR",
            "-timeout:1500",
        ],
    )
    .run()
    .ok();
    let requests = server.requests();
    let plain = &requests[0].body;
    assert!(
        plain.contains("<w:OperationTimeout>PT60.000S</w:OperationTimeout>"),
        "{plain}"
    );
    assert!(plain.contains(r#"<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>"#));
    assert!(!plain.contains("DataLocale") && !plain.contains("OptionSet"));
    assert!(
        plain.contains(r#"<w:MaxEnvelopeSize s:mustUnderstand="true">512000</w:MaxEnvelopeSize>"#)
    );
    let body = &requests[1].body;
    for fragment in [
        "<w:OperationTimeout>PT1.500S</w:OperationTimeout>",
        r#"<w:Locale xml:lang="de-DE" s:mustUnderstand="false"/>"#,
        r#"<p:DataLocale xml:lang="fr-FR" s:mustUnderstand="false"/>"#,
        r#"<w:Option Name="wmi:ShowExtensions">true</w:Option>"#,
        r#"<w:Option Name="Empty" xsi:nil="true"/>"#,
        r#"<w:Option Name="Extra">1</w:Option>"#,
    ] {
        assert!(body.contains(fragment), "{fragment} missing from {body}");
    }
    // The same option twice is refused before anything is sent.
    Cmd::to(
        &server,
        &[
            "get",
            "winrm/config",
            r#"-options:{A="1"}"#,
            "--option",
            "a=2",
        ],
    )
    .run()
    .code(2)
    .stderr_has("given twice");
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn wsa_to_is_the_url_whatever_form_r_took() {
    let server = listener();
    let port = server.http_port();
    for target in [
        format!("127.0.0.1:{port}"),
        format!("http://127.0.0.1:{port}"),
        format!("HTTP://127.0.0.1:{port}/wsman"),
    ] {
        Cmd::new(&[
            "get",
            "winrm/config/client",
            &format!("-r:{target}"),
            "-u:demo",
            "-a:basic",
            "-unencrypted",
        ])
        .env("WINRM_PASSWORD", PASSWORD)
        .run()
        .ok();
    }
    for r in server.requests() {
        assert_eq!(header_text(&r, ADDRESSING, "To"), Some(server.http_url()));
    }
}
