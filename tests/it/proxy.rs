//! Proxies, through a small CONNECT proxy run by the test: `-proxy:` and
//! the environment (`http_proxy` for http://, `https_proxy` for https://),
//! the proxy's login sent as Proxy-Authorization and never printed,
//! `no_proxy` and `-proxyaccess:no_proxy` going direct, and a wrong or
//! unwilling proxy ending in one clear line and exit 4.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::support::proxy::TestProxy;
use crate::support::raw::closed_port;
use crate::support::{Cmd, PASSWORD, Run, https_listener, listener};

/// The proxy's own password: must never show.
const PROXY_SECRET: &str = "Px9-pr0xy-Pw";

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

fn hides_secrets(run: &Run) {
    run.hides(PROXY_SECRET).hides(PASSWORD);
}

#[test]
fn plain_http_through_the_proxy_switch() {
    let server = listener();
    let proxy = TestProxy::start(None);
    for switch in [
        format!("-proxy:{}", proxy.url()),
        format!("--proxy={}", proxy.url()),
    ] {
        let run = Cmd::to(&server, &["get", "winrm/config/client"])
            .args(&[switch])
            .run();
        run.ok().stdout_has("TrustedHosts");
        hides_secrets(&run);
    }
    let seen = proxy.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let expected = format!("CONNECT 127.0.0.1:{} HTTP/1.1", server.http_port());
    assert!(seen.iter().all(|s| s.request_line == expected), "{seen:?}");
    assert!(seen.iter().all(|s| s.authorization.is_none()));
    assert_eq!(
        server.requests().len(),
        2,
        "the listener answered through the tunnel"
    );
}

#[test]
fn https_through_the_environment_with_a_proxy_login() {
    let server = https_listener();
    let login = basic("pxuser", PROXY_SECRET);
    let proxy = TestProxy::start(Some(login.clone()));
    let ca = server.ca_pem_path().expect("CA");
    let port = server.https_port().expect("https port");
    let run = Cmd::new(&[
        "get",
        "winrm/config/client",
        &format!("-r:{}", server.https_url().expect("url")),
        "-u:demo",
        "-a:basic",
        "--cacert",
        ca.to_str().expect("UTF-8 path"),
    ])
    .env("WINRM_PASSWORD", PASSWORD)
    .env(
        "HTTPS_PROXY",
        &format!("http://pxuser:{PROXY_SECRET}@127.0.0.1:{}", proxy.port()),
    )
    // The http:// variable is for http:// endpoints only.
    .env("http_proxy", &format!("http://127.0.0.1:{}", closed_port()))
    .run();
    run.ok().stdout_has("TrustedHosts");
    hides_secrets(&run);
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        seen[0].request_line,
        format!("CONNECT localhost:{port} HTTP/1.1")
    );
    assert_eq!(seen[0].authorization.as_deref(), Some(login.as_str()));
    // TLS ran end to end: the listener saw the WinRM password, the proxy
    // saw only the CONNECT.
    assert!(server.requests()[0].header("authorization").is_some());
}

#[test]
fn no_proxy_and_proxyaccess_go_direct() {
    let server = listener();
    let proxy = TestProxy::start(None);
    for no_proxy in ["127.0.0.1", "localhost,127.0.0.1", "*"] {
        Cmd::to(&server, &["get", "winrm/config/client"])
            .env("http_proxy", &proxy.url())
            .env("NO_PROXY", no_proxy)
            .run()
            .ok();
    }
    Cmd::to(
        &server,
        &["get", "winrm/config/client", "-proxyaccess:no_proxy"],
    )
    .env("HTTP_PROXY", &proxy.url())
    .run()
    .ok();
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
    assert_eq!(server.requests().len(), 4);
    // A list that does not name the host leaves the proxy in use.
    Cmd::to(&server, &["get", "winrm/config/client"])
        .env("http_proxy", &proxy.url())
        .env("no_proxy", "other.example,10.1.2.3")
        .run()
        .ok();
    assert_eq!(proxy.seen().len(), 1);
}

/// One `winrm: error:` line naming the proxy without its login, then a
/// hint; exit 4.
#[track_caller]
fn proxy_failure(run: &Run, fragment: &str) {
    run.code(4)
        .stderr_has("through the proxy")
        .stderr_has(fragment)
        .stderr_has("hint:");
    hides_secrets(run);
    assert_eq!(run.stdout, "");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(lines[0].starts_with("winrm: error:"), "{}", run.stderr);
}

#[test]
fn a_wrong_or_unwilling_proxy_is_one_clear_error() {
    let server = listener();
    // Nothing listens where the proxy should be.
    let dead = format!("http://pxuser:{PROXY_SECRET}@127.0.0.1:{}", closed_port());
    let run = Cmd::to(
        &server,
        &["get", "winrm/config/client", &format!("--proxy={dead}")],
    )
    .run();
    proxy_failure(&run, "refused");
    assert!(
        run.stderr.contains("http://***@127.0.0.1:"),
        "{}",
        run.stderr
    );

    // A proxy that wants a login it did not get.
    let proxy = TestProxy::start(Some(basic("pxuser", PROXY_SECRET)));
    let wrong = format!(
        "http://pxuser:not-{PROXY_SECRET}@127.0.0.1:{}",
        proxy.port()
    );
    let run = Cmd::to(&server, &["get", "winrm/config/client"])
        .env("http_proxy", &wrong)
        .run();
    proxy_failure(&run, "it answered HTTP 407 Proxy Authentication Required");
    assert!(!run.stderr.contains("407 407"), "{}", run.stderr);
    run.stderr_has("USER:PASSWORD@");

    // A proxy that cannot reach the endpoint.
    let proxy = TestProxy::start(None);
    let run = Cmd::new(&[
        "id",
        &format!("-r:http://127.0.0.1:{}/wsman", closed_port()),
        "-a:none",
        &format!("-proxy:{}", proxy.url()),
    ])
    .run();
    proxy_failure(&run, "it answered HTTP 502 Bad Gateway");
    assert!(server.requests().is_empty());
}

#[test]
fn bad_proxy_settings_are_usage_errors() {
    let server = listener();
    let cases = [
        (
            format!("-proxy:socks5://u:{PROXY_SECRET}@127.0.0.1:1080"),
            "SOCKS",
        ),
        (format!("-proxy:http://u:{PROXY_SECRET}@"), "no host"),
        (
            "-proxyaccess:ie_settings".to_string(),
            "Windows proxy settings",
        ),
        (format!("-proxypassword:{PROXY_SECRET}"), "in its URL"),
    ];
    for (switch, fragment) in cases {
        let run = Cmd::to(&server, &["get", "winrm/config/client", &switch]).run();
        run.code(2).stderr_has(fragment);
        hides_secrets(&run);
    }
    assert!(server.requests().is_empty());
}
