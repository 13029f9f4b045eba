//! `create` and `delete` of WinRM listeners: the ResourceCreated reference
//! in text layout, AlreadyExists as a fault, Get after Delete as a fault,
//! and a `-file:` body.

use crate::support::{Cmd, TempDir, actions, listener};

const LISTENER_NS: &str = "http://schemas.microsoft.com/wbem/wsman/1/config/listener";
const HTTPS_LISTENER: &str = "winrm/config/Listener?Address=*+Transport=HTTPS";

#[test]
fn create_prints_the_new_reference() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &["create", HTTPS_LISTENER, r#"@{Hostname="srv01.corp";CertificateThumbprint="0123456789ABCDEF0123456789ABCDEF01234567"}"#],
    )
    .run();
    run.ok();
    let lines = run.lines();
    assert_eq!(lines[0], "ResourceCreated");
    assert!(lines[1].starts_with("    Address = "), "{}", run.stdout);
    run.line("    ReferenceParameters")
        .line("        SelectorSet")
        .line("            Selector: Address = *, Transport = HTTPS");
    assert!(
        lines.iter().any(|l| l.starts_with("        ResourceURI = ")
            && l.to_ascii_lowercase().ends_with("/config/listener")),
        "{}",
        run.stdout
    );
    let create = &server.requests()[0];
    assert_eq!(actions(&server.requests()), ["Create"]);
    assert!(
        create.body.contains(
            "<p:Hostname>srv01.corp</p:Hostname><p:CertificateThumbprint>0123456789ABCDEF0123456789ABCDEF01234567</p:CertificateThumbprint>"
        ),
        "{}",
        create.body
    );
    assert!(
        create
            .body
            .contains(r#"<w:Selector Name="Transport">HTTPS</w:Selector>"#)
    );
    assert!(
        create
            .body
            .to_ascii_lowercase()
            .contains(&format!("xmlns:p=\"{LISTENER_NS}\""))
    );

    // It is there now.
    Cmd::to(&server, &["get", HTTPS_LISTENER])
        .run()
        .ok()
        .line("Listener")
        .line("    Hostname = srv01.corp");
}

#[test]
fn create_twice_is_a_fault() {
    let server = listener();
    let args = ["create", HTTPS_LISTENER, r#"@{Hostname="a"}"#];
    Cmd::to(&server, &args).run().ok();
    let run = Cmd::to(&server, &args).run();
    run.code(1)
        .stderr_has("WSManFault")
        .stderr_has("Error number:");
    assert_eq!(run.stdout, "");
}

#[test]
fn delete_then_get_is_a_fault() {
    let server = listener();
    Cmd::to(&server, &["create", HTTPS_LISTENER, r#"@{Hostname="a"}"#])
        .run()
        .ok();
    let deleted = Cmd::to(&server, &["delete", HTTPS_LISTENER]).run();
    deleted.ok();
    assert_eq!(deleted.stdout, "", "delete prints nothing");
    Cmd::to(&server, &["get", HTTPS_LISTENER])
        .run()
        .code(1)
        .stderr_has("WSManFault");
    Cmd::to(&server, &["delete", HTTPS_LISTENER])
        .run()
        .code(1)
        .stderr_has("Error number:");
    assert_eq!(
        actions(&server.requests()),
        ["Create", "Delete", "Get", "Delete"]
    );
}

#[test]
fn create_from_a_file() {
    let server = listener();
    let dir = TempDir::new("create");
    let file = dir.write(
        "listener.xml",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<cfg:Listener xmlns:cfg=\"{LISTENER_NS}\"><cfg:Hostname>from-file</cfg:Hostname></cfg:Listener>\n"
        )
        .as_bytes(),
    );
    Cmd::to(
        &server,
        &["c", HTTPS_LISTENER, &format!("-file:{}", file.display())],
    )
    .run()
    .ok()
    .line("            Selector: Address = *, Transport = HTTPS");
    let create = &server.requests()[0];
    assert!(
        create
            .body
            .contains("<cfg:Hostname>from-file</cfg:Hostname>"),
        "{}",
        create.body
    );
    Cmd::to(&server, &["get", HTTPS_LISTENER])
        .run()
        .ok()
        .line("    Hostname = from-file");
}

#[test]
fn create_without_input_sends_the_empty_resource_as_winrm_cmd_does() {
    // winrm.cmd's own usage: the selectors say what to create.
    for extra in [None, Some("@{}")] {
        let server = listener();
        let mut args = vec!["create", HTTPS_LISTENER];
        args.extend(extra);
        Cmd::to(&server, &args)
            .run()
            .ok()
            .stdout_has("Selector: Address = *, Transport = HTTPS");
        let requests = server.requests();
        let create = requests
            .iter()
            .find(|r| r.action.as_deref().is_some_and(|a| a.ends_with("/Create")))
            .expect("a Create");
        let body = create.body.split("<s:Body>").nth(1).unwrap_or_default();
        assert!(
            body.starts_with(
                "<p:Listener xmlns:p=\"http://schemas.microsoft.com/wbem/wsman/1/config/Listener\"/>"
            ),
            "{extra:?}: {body}"
        );
    }
}
