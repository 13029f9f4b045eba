//! Output formats end to end: text by default, `-format:xml` is the body
//! element alone (no envelope) and re-parses, `-format:pretty` is indented;
//! and `-encoding:utf-16` requests work and reach the server as UTF-16.

use winrm::internals::parse_document;

use crate::support::{Cmd, listener};

#[test]
fn text_is_the_default() {
    let server = listener();
    let default = Cmd::to(&server, &["get", "winrm/config"]).run();
    default.ok();
    assert_eq!(default.lines()[0], "Config");
    let text = Cmd::to(&server, &["get", "winrm/config", "-format:text"]).run();
    assert_eq!(text.stdout, default.stdout);
    assert!(default.lines()[1..].iter().all(|l| l.starts_with("    ")));
}

#[test]
fn xml_is_the_body_element_only() {
    let server = listener();
    let run = Cmd::to(&server, &["get", "winrm/config", "-format:xml"]).run();
    run.ok();
    assert_eq!(run.lines().len(), 1, "compact: {}", run.stdout);
    for soap in ["<s:Envelope", "<s:Header", "<s:Body", "MessageID"] {
        assert!(!run.stdout.contains(soap), "{soap} in {}", run.stdout);
    }
    let doc = parse_document(&run.stdout).expect("re-parses");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "Config");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://schemas.microsoft.com/wbem/wsman/1/config")
    );
}

#[test]
fn pretty_is_indented_xml() {
    let server = listener();
    let xml = Cmd::to(&server, &["get", "winrm/config", "-format:xml"]).run();
    let pretty = Cmd::to(&server, &["get", "winrm/config", "-format:pretty"]).run();
    pretty.ok();
    let lines = pretty.lines();
    assert!(lines.len() > 10, "{}", pretty.stdout);
    assert!(lines[0].starts_with("<cfg:Config"), "{}", pretty.stdout);
    assert!(lines[1].starts_with("  <"), "{}", pretty.stdout);
    assert!(
        lines.iter().any(|l| l.starts_with("    <")),
        "nested levels"
    );
    assert_eq!(lines.last(), Some(&"</cfg:Config>"));
    // Same content as the compact form, whitespace aside.
    let squeeze = |s: &str| s.lines().map(str::trim).collect::<String>();
    assert_eq!(squeeze(&pretty.stdout), squeeze(&xml.stdout));
}

#[test]
fn identify_in_every_format() {
    let server = listener();
    let url = format!("-r:{}", server.http_url());
    let xml = Cmd::new(&["id", &url, "-a:none", "-format:xml"]).run();
    xml.ok();
    let doc = parse_document(&xml.stdout).expect("re-parses");
    assert_eq!(
        doc.root_element().tag_name().namespace(),
        Some("http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd")
    );
    Cmd::new(&["id", &url, "-a:none", "-format:pretty"])
        .run()
        .ok()
        .stdout_has("\n  <");
}

#[test]
fn utf16_requests_end_to_end() {
    let server = listener();
    let utf8 = Cmd::to(&server, &["get", "wmicimv2/Win32_Service?Name=Spooler"]).run();
    let utf16 = Cmd::to(
        &server,
        &[
            "get",
            "wmicimv2/Win32_Service?Name=Spooler",
            "-encoding:utf-16",
        ],
    )
    .run();
    utf16.ok();
    assert_eq!(utf16.stdout, utf8.stdout);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[0].charset.eq_ignore_ascii_case("utf-8"),
        "{}",
        requests[0].charset
    );
    assert!(
        requests[1].charset.eq_ignore_ascii_case("utf-16"),
        "{}",
        requests[1].charset
    );
    assert_eq!(
        requests[1].header("content-type"),
        Some("application/soap+xml;charset=UTF-16")
    );
    assert_eq!(requests[1].action, requests[0].action);
    assert_eq!(requests[1].resource_uri, requests[0].resource_uri);
    // The decoded body is the same envelope apart from its MessageID.
    assert!(
        requests[1]
            .body
            .contains("<w:Selector Name=\"Name\">Spooler</w:Selector>")
    );
}

#[test]
fn utf16_enumeration_and_set() {
    let server = listener();
    Cmd::to(
        &server,
        &[
            "e",
            "wmicimv2/Win32_Service",
            "-encoding:UTF-16",
            "--max-elements",
            "50",
        ],
    )
    .run()
    .ok()
    .line("    Name = Spooler");
    Cmd::to(
        &server,
        &[
            "set",
            "winrm/config/client",
            r#"@{TrustedHosts="ü-host"}"#,
            "-encoding:utf-16",
        ],
    )
    .run()
    .ok()
    .line("    TrustedHosts = ü-host");
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.charset.eq_ignore_ascii_case("utf-16"))
    );
}
