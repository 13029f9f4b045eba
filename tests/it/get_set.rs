//! `get` and `set`: the winrm.cmd text layout of real resources, selectors
//! and fragments on the wire, and `set` as Get → change → Put of the whole
//! resource (never a Put when a name is wrong).

use crate::support::{Cmd, TempDir, actions, listener, with_action};

const CLIENT_NS: &str = "http://schemas.microsoft.com/wbem/wsman/1/config/client";
const SERVICE_URI: &str = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service";

#[test]
fn get_winrm_config_text_layout() {
    let server = listener();
    let run = Cmd::to(&server, &["get", "winrm/config"]).run();
    run.ok();
    let lines = run.lines();
    assert_eq!(lines[0], "Config");
    run.line("    Client")
        .line("        Auth")
        .line("        DefaultPorts")
        .line("            HTTP = 5985")
        .line("            HTTPS = 5986")
        .line("    Service")
        .line("    Winrs");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("    MaxEnvelopeSizekb = ")),
        "{}",
        run.stdout
    );
    assert!(
        lines.iter().any(|l| l.ends_with(r#" [Source="GPO"]"#)),
        "a policy-set value shows its source\n{}",
        run.stdout
    );
    for line in &lines[1..] {
        let indent = line.len() - line.trim_start().len();
        assert!(indent % 4 == 0 && indent > 0, "indent of {line:?}");
        assert!(!line.contains("cfg:"), "no prefixes in text: {line:?}");
    }
    let requests = server.requests();
    assert_eq!(actions(&requests), ["Get"]);
    assert_eq!(
        requests[0].resource_uri.as_deref(),
        Some("http://schemas.microsoft.com/wbem/wsman/1/config")
    );
}

#[test]
fn get_one_service_by_selector() {
    let server = listener();
    let run = Cmd::to(&server, &["get", "wmicimv2/Win32_Service?Name=Spooler"]).run();
    run.ok();
    assert_eq!(run.lines()[0], "Win32_Service");
    run.line("    Name = Spooler");
    assert!(
        run.lines().iter().any(|l| l.starts_with("    State = ")),
        "{}",
        run.stdout
    );
    let r = &server.requests()[0];
    assert_eq!(r.resource_uri.as_deref(), Some(SERVICE_URI));
    assert!(
        r.body.contains(
            r#"<w:SelectorSet><w:Selector Name="Name">Spooler</w:Selector></w:SelectorSet>"#
        ),
        "{}",
        r.body
    );
}

#[test]
fn get_a_singleton_joins_repeated_values() {
    let server = listener();
    let run = Cmd::to(&server, &["get", "wmicimv2/Win32_OperatingSystem"]).run();
    run.ok();
    assert_eq!(run.lines()[0], "Win32_OperatingSystem");
    let languages = run
        .lines()
        .into_iter()
        .find(|l| l.starts_with("    MUILanguages = "))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no MUILanguages line\n{}", run.stdout));
    assert!(languages.contains(", "), "{languages}");
    assert_eq!(run.stdout.matches("MUILanguages").count(), 1);
    assert!(!server.requests()[0].body.contains("SelectorSet"));
}

#[test]
fn get_a_fragment() {
    let server = listener();
    let state = Cmd::to(&server, &["get", "wmicimv2/Win32_Service?Name=Spooler"])
        .run()
        .lines()
        .into_iter()
        .find_map(|l| l.strip_prefix("    State = ").map(str::to_string))
        .expect("State");
    let run = Cmd::to(
        &server,
        &[
            "get",
            "wmicimv2/Win32_Service?Name=Spooler",
            "-fragment:State/text()",
        ],
    )
    .run();
    run.ok();
    assert!(
        run.stdout.contains(&state),
        "the fragment's value ({state}) must be shown\n{}",
        run.stdout
    );
    let xml = Cmd::to(
        &server,
        &[
            "get",
            "wmicimv2/Win32_Service?Name=Spooler",
            "-fragment:State/text()",
            "-format:xml",
        ],
    )
    .run();
    xml.ok().stdout_has("XmlFragment").stdout_has(&state);
    let r = with_action(&server.requests(), "Get")[1].clone();
    assert!(
        r.body.contains(
            r#"<w:FragmentTransfer s:mustUnderstand="true">State/text()</w:FragmentTransfer>"#
        ),
        "{}",
        r.body
    );
}

#[test]
fn set_persists_and_puts_the_whole_resource() {
    let server = listener();
    let before = Cmd::to(&server, &["get", "winrm/config/client"]).run();
    before.ok();
    let run = Cmd::to(
        &server,
        &["set", "winrm/config/client", r#"@{TrustedHosts="*"}"#],
    )
    .run();
    run.ok();
    assert_eq!(run.lines()[0], "Client");
    run.line("    TrustedHosts = *");

    let after = Cmd::to(&server, &["get", "winrm/config/client"]).run();
    after.ok().line("    TrustedHosts = *");
    // Everything else is unchanged.
    let others = |text: &str| {
        text.lines()
            .filter(|l| !l.trim_start().starts_with("TrustedHosts"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(others(&after.stdout), others(&before.stdout));

    let requests = server.requests();
    assert_eq!(actions(&requests), ["Get", "Get", "Put", "Get"]);
    let put = &requests[2];
    assert_eq!(
        put.connection, requests[1].connection,
        "Get and Put share a connection"
    );
    assert!(put.body.contains("TrustedHosts>*</"), "{}", put.body);
    assert!(put.body.contains(CLIENT_NS), "{}", put.body);
    for property in [
        "NetworkDelayms",
        "URLPrefix",
        "AllowUnencrypted",
        "DefaultPorts",
    ] {
        assert!(
            put.body.contains(property),
            "the Put lacks {property}: {}",
            put.body
        );
    }
}

#[test]
fn set_with_an_unknown_property_sends_no_put() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &["set", "winrm/config/client", r#"@{NoSuchThing="1"}"#],
    )
    .run();
    run.code(2)
        .stderr_has("no property named 'NoSuchThing'")
        .stderr_has("TrustedHosts");
    assert_eq!(run.stdout, "");
    assert_eq!(actions(&server.requests()), ["Get"]);
    // Names are case-sensitive, as for WMI.
    Cmd::to(
        &server,
        &["set", "winrm/config/client", r#"@{trustedhosts="x"}"#],
    )
    .run()
    .code(2);
    // A container cannot be set as a value.
    Cmd::to(&server, &["set", "winrm/config/client", r#"@{Auth="x"}"#])
        .run()
        .code(2)
        .stderr_has("container");
    assert!(with_action(&server.requests(), "Put").is_empty());
}

#[test]
fn set_null_sends_xsi_nil() {
    let server = listener();
    Cmd::to(
        &server,
        &["set", "winrm/config/client", r#"@{TrustedHosts="a"}"#],
    )
    .run()
    .ok();
    Cmd::to(
        &server,
        &["set", "winrm/config/client", "@{TrustedHosts=$null}"],
    )
    .run()
    .ok();
    let puts = with_action(&server.requests(), "Put")
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    let body = &puts[1].body;
    let doc = winrm::internals::parse_document(body).expect("XML");
    let hosts = doc
        .descendants()
        .find(|n| n.has_tag_name((CLIENT_NS, "TrustedHosts")))
        .expect("TrustedHosts in the Put");
    assert_eq!(
        hosts.attribute(("http://www.w3.org/2001/XMLSchema-instance", "nil")),
        Some("true"),
        "{body}"
    );
    assert_eq!(hosts.text(), None, "{body}");
}

#[test]
fn set_from_a_file() {
    let server = listener();
    let xml = Cmd::to(&server, &["get", "winrm/config/client", "-format:xml"]).run();
    xml.ok();
    let doc = winrm::internals::parse_document(xml.stdout.trim()).expect("xml");
    let hosts = doc
        .descendants()
        .find(|n| n.has_tag_name((CLIENT_NS, "TrustedHosts")))
        .expect("TrustedHosts");
    let prefix = hosts.lookup_prefix(CLIENT_NS).unwrap_or("cfg");
    let range = hosts.range();
    let replaced = format!(
        "{}<{prefix}:TrustedHosts>from-file</{prefix}:TrustedHosts>{}",
        &xml.stdout[..range.start],
        xml.stdout[range.end..].trim_end()
    );
    let dir = TempDir::new("set-file");
    let file = dir.write(
        "client.xml",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{replaced}\n").as_bytes(),
    );
    let run = Cmd::to(
        &server,
        &[
            "set",
            "winrm/config/client",
            &format!("-file:{}", file.display()),
        ],
    )
    .run();
    run.ok().line("    TrustedHosts = from-file");
    Cmd::to(&server, &["get", "winrm/config/client"])
        .run()
        .ok()
        .line("    TrustedHosts = from-file");
    let requests = server.requests();
    assert_eq!(
        actions(&requests),
        ["Get", "Put", "Get"],
        "-file: is Put as is"
    );
    assert!(
        !requests[1].body.contains("<?xml"),
        "no XML declaration inside the Body"
    );
}

#[test]
fn set_on_a_policy_value_is_a_fault() {
    let server = listener();
    let line = r#"    IPv4Filter = * [Source="GPO"]"#;
    Cmd::to(&server, &["get", "winrm/config/service"])
        .run()
        .ok()
        .line(line);
    let run = Cmd::to(
        &server,
        &[
            "set",
            "winrm/config/service",
            r#"@{IPv4Filter="10.0.0.0-10.0.0.9"}"#,
        ],
    )
    .run();
    run.code(1)
        .stderr_line("WSManFault")
        .stderr_has("Group Policy")
        .stderr_has("Error number:  -2144108406 0x8033808A");
    assert_eq!(run.stdout, "");
    Cmd::to(&server, &["get", "winrm/config/service"])
        .run()
        .ok()
        .line(line);
    assert_eq!(actions(&server.requests()), ["Get", "Get", "Put", "Get"]);
}

/// With a text() fragment the one key must name the selected property;
/// anything else is refused before the Put.
#[test]
fn set_with_a_fragment_checks_the_property_name() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "set",
            "winrm/config/client",
            "-fragment:TrustedHosts/text()",
            r#"@{Bogus="zzz"}"#,
        ],
    )
    .run();
    run.code(2)
        .stderr_has("selects 'TrustedHosts', not 'Bogus'");
    assert!(!actions(&server.requests()).contains(&"Put".to_string()));
}
