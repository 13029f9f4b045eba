//! `winrm identify`: authenticated (Basic) and unauthenticated (`-a:none`,
//! the `WSMANIDENTIFY: unauthenticated` header), and a wrong password.

use crate::support::raw::{Behaviour, RawServer};
use crate::support::{Cmd, PASSWORD, listener};

const PROFILES: &str = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile";

#[test]
fn authenticated_identify() {
    let server = listener();
    let run = Cmd::to(&server, &["identify"]).run();
    run.ok().hides(PASSWORD);
    let lines = run.lines();
    assert_eq!(lines[0], "IdentifyResponse");
    run.line("    ProtocolVersion = http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd")
        .line("    ProductVendor = Microsoft Corporation")
        .line("    SecurityProfiles");
    let version = lines
        .iter()
        .find(|l| l.starts_with("    ProductVersion = "))
        .expect("ProductVersion");
    assert!(
        version.contains("OS: ") && !version.contains("OS: 0.0.0"),
        "{version}"
    );
    let profiles = lines
        .iter()
        .find(|l| l.starts_with("        SecurityProfileName = "))
        .expect("one SecurityProfileName line");
    assert!(
        profiles.contains(&format!("{PROFILES}/http/basic")),
        "{profiles}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("SecurityProfileName"))
            .count(),
        1,
        "repeated names are joined on one line"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].header("authorization").is_some());
    assert!(requests[0].body.contains("Identify"));
}

#[test]
fn unauthenticated_identify() {
    let server = listener();
    let url = server.http_url();
    for args in [
        vec!["id".to_string(), format!("-r:{url}"), "-a:none".into()],
        // No user and no -a: nothing to authenticate with, so none.
        vec!["identify".to_string(), format!("-r:{url}")],
    ] {
        let run = Cmd::new(&args).run();
        run.ok().line("IdentifyResponse");
        let version = run
            .lines()
            .into_iter()
            .find(|l| l.starts_with("    ProductVersion = "))
            .map(str::to_string)
            .expect("ProductVersion");
        assert!(version.contains("OS: 0.0.0"), "{version}");
        assert!(!run.stdout.contains("SecurityProfiles"), "{}", run.stdout);
    }
    for r in server.requests() {
        assert_eq!(r.header("wsmanidentify"), Some("unauthenticated"));
        assert_eq!(r.header("authorization"), None);
    }
}

#[test]
fn unauthenticated_identify_over_http_needs_no_unencrypted() {
    let server = listener();
    Cmd::new(&[
        "id",
        &format!("-r:{}", server.http_url()),
        "-a:none",
        "-format:xml",
    ])
    .run()
    .ok()
    .stdout_has("IdentifyResponse");
}

#[test]
fn wrong_password_is_exit_3_with_a_hint() {
    let server = listener();
    let run = Cmd::to(&server, &["identify"])
        .env("WINRM_PASSWORD", "not-the-password")
        .run();
    run.code(3)
        .stderr_has("401")
        .stderr_has("hint:")
        .stderr_has("password")
        .hides("not-the-password");
    assert_eq!(run.stdout, "");
    let url = format!("-r:{}", server.http_url());
    let run = Cmd::new(&["get", "winrm/config", &url, "-u:nobody", "-unencrypted"])
        .env("WINRM_PASSWORD", PASSWORD)
        .run();
    run.code(3).hides(PASSWORD);
}

/// openwsman answers an anonymous Identify with 401 and a Basic challenge.
#[test]
fn anonymous_identify_refused_like_openwsman() {
    let reply = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"OPENWSMAN\"\r\n\
                 Content-Type: text/plain\r\nContent-Length: 10\r\n\r\nError: 401";
    let server = RawServer::start(Behaviour::Reply(reply.as_bytes().to_vec()));
    let run = Cmd::new(&["id", &format!("-r:{}", server.url()), "-a:none"]).run();
    run.code(3)
        .stderr_has("401")
        .stderr_has("it offers: Basic")
        .stderr_has("-u:");
}
