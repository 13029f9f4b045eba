//! `-a:digest` end to end: the real binary against the listener in its
//! AMT-style Digest mode (`Config::digest`): one 401 per run, then one
//! nonce with a counting `nc` on one connection; a stale nonce retried once
//! with the fresh one; a wrong password refused with exit 3 and never shown;
//! and a server without Digest named as such, with what it offers.

use std::time::{Duration, Instant};

use crate::support::raw::{Behaviour, RawServer};
use crate::support::{Cmd, Config, DigestConfig, Listener, PASSWORD, Recorded, USER, actions};

const SERVICE: &str = "wmicimv2/Win32_Service";

/// A listener that speaks Digest only, like Intel AMT.
fn amt(services: usize, stale_after: Option<u32>) -> Listener {
    Listener::start(Config {
        services,
        digest: Some(DigestConfig {
            stale_after,
            ..DigestConfig::default()
        }),
        ..Config::default()
    })
    .expect("start the Digest listener")
}

/// `winrm ARGS -r:URL -u:demo -a:digest` with the password in the
/// environment; plain HTTP and no `-unencrypted`.
fn digest(server: &Listener, args: &[&str]) -> Cmd {
    Cmd::new(args)
        .args(&[
            format!("-r:{}", server.http_url()),
            format!("-u:{USER}"),
            "-a:digest".into(),
        ])
        .env("WINRM_PASSWORD", PASSWORD)
}

/// The `nc` of every request, `None` for those without Digest.
fn counts(requests: &[Recorded]) -> Vec<Option<u32>> {
    requests.iter().map(|r| r.digest_nc).collect()
}

#[test]
fn identify_and_get_over_plain_http_without_unencrypted() {
    let server = amt(120, None);
    digest(&server, &["id"])
        .run()
        .ok()
        .stdout_has("ProtocolVersion = http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd");
    assert_eq!(counts(&server.requests()), [None, Some(1)]);
    assert_eq!(server.digest_stats().challenges, 1);

    digest(&server, &["get", &format!("{SERVICE}?Name=Spooler")])
        .run()
        .ok()
        .line("    State = Running");
    let requests = server.requests();
    assert_eq!(counts(&requests[2..]), [None, Some(1)]);
    let header = requests[3].header("authorization").unwrap_or_default();
    for part in [
        "Digest username=\"demo\"",
        "realm=\"Digest:5D1C0A3F9B7E4C21A8F60E2D47B93C15\"",
        "uri=\"/wsman\"",
        "qop=auth",
        "nc=00000001",
    ] {
        assert!(header.contains(part), "{part} missing: {header}");
    }
    assert!(!header.contains(PASSWORD), "{header}");
}

#[test]
fn a_hundred_pages_share_one_nonce_on_one_connection() {
    let server = amt(1000, None);
    let run = digest(&server, &["enumerate", SERVICE, "--max-elements", "10"]).run();
    run.ok();
    assert_eq!(
        run.lines()
            .iter()
            .filter(|l| **l == "Win32_Service")
            .count(),
        1000
    );
    let requests = server.requests();
    let sent = actions(&requests);
    assert!(sent.len() >= 101, "Enumerate + 100 Pulls: {sent:?}");
    assert_eq!(server.connections(), 1);
    assert_eq!(server.digest_stats().challenges, 1, "one 401 per run");
    // The unauthenticated first try, then the same Enumerate with nc=1,
    // then every request counts up on the same nonce.
    let nc = counts(&requests);
    assert_eq!(nc[0], None);
    let expected: Vec<Option<u32>> = (1..nc.len() as u32).map(Some).collect();
    assert_eq!(nc[1..], expected[..]);
    assert_eq!(requests[0].body, requests[1].body, "the 401 leg is resent");
    fn nonce(r: &Recorded) -> Option<&str> {
        let h = r.header("authorization")?;
        h.split("nonce=\"").nth(1)?.split('"').next()
    }
    assert!(
        requests[2..]
            .iter()
            .all(|r| nonce(r) == nonce(&requests[1]))
    );
}

#[test]
fn a_stale_nonce_is_answered_with_the_new_one() {
    let server = amt(1000, Some(25));
    digest(&server, &["enumerate", SERVICE, "--max-elements", "10"])
        .run()
        .ok();
    let stats = server.digest_stats();
    let requests = server.requests();
    // About 100 requests at 25 per nonce: a few stale answers.
    assert!(stats.stale >= 3, "{stats:?}");
    assert_eq!(stats.challenges, 1 + stats.stale);
    assert_eq!(stats.replays, 0);
    assert_eq!(server.connections(), 1);
    let nc = counts(&requests);
    for (i, pair) in nc.windows(2).enumerate() {
        if pair[0] == Some(26) {
            // The refused request goes again, once, on the fresh nonce.
            assert_eq!(pair[1], Some(1), "{nc:?}");
            assert_eq!(requests[i].body, requests[i + 1].body);
        }
    }
    let refused = nc.iter().filter(|n| **n == Some(26)).count();
    assert_eq!(refused, stats.stale, "{nc:?}");
    assert!(nc.iter().all(|n| n.is_none_or(|n| n <= 26)), "{nc:?}");
}

#[test]
fn a_nonce_expired_by_the_server_mid_run_is_replaced() {
    let server = Listener::start(Config {
        services: 1000,
        reply_delay: Duration::from_millis(5),
        digest: Some(DigestConfig::default()),
        ..Config::default()
    })
    .expect("listener");
    let child = digest(&server, &["enumerate", SERVICE, "--max-elements", "10"]).spawn();
    let started = Instant::now();
    while server.requests().len() < 10 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(2));
    }
    server.expire_digest_nonces();
    let output = child.wait_with_output().expect("wait for winrm");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(server.digest_stats().stale, 1);
    assert_eq!(server.digest_stats().challenges, 2);
}

#[test]
fn a_wrong_password_exits_3_and_is_never_shown() {
    let server = amt(120, None);
    for debug in [false, true] {
        let mut cmd = digest(&server, &["get", &format!("{SERVICE}?Name=Spooler")])
            .env("WINRM_PASSWORD", "not-the-password");
        if debug {
            cmd = cmd.args(&["--debug"]);
        }
        let before = server.requests().len();
        let run = cmd.run();
        run.code(3)
            .hides("not-the-password")
            .hides(PASSWORD)
            .stderr_has("refused the credentials (HTTP 401)")
            .stderr_has("check the user name and password");
        if debug {
            run.stderr_has("> Authorization: Digest [redacted]");
        }
        assert_eq!(
            server.requests().len() - before,
            2,
            "the first try and one answer to the challenge, no more"
        );
    }
    assert_eq!(server.digest_stats().replays, 0);
}

#[test]
fn a_server_without_digest_is_named_with_what_it_offers() {
    let head = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"OPENWSMAN\"\r\n\
                Content-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\nError: 401";
    let basic_only = RawServer::start(Behaviour::Reply(head.as_bytes().to_vec()));
    let url = format!("-r:{}", basic_only.url());
    let run = Cmd::new(&["id", &url, "-u:admin", "-a:digest"])
        .env("WINRM_PASSWORD", PASSWORD)
        .run();
    run.code(3)
        .hides(PASSWORD)
        .stderr_has("does not offer Digest; it offers: Basic")
        .stderr_has("choose one of the methods the server offers with -a:");

    // The Windows listener: Negotiate, Kerberos and Basic.
    let windows = crate::support::listener();
    digest(&windows, &["id"])
        .run()
        .code(3)
        .stderr_has("it offers: Negotiate, Kerberos, Basic");
}

/// Posts `body` to the listener with this `Authorization` on a new
/// connection; returns the status line.
fn post_raw(server: &Listener, authorization: &str, body: &str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", server.http_port())).expect("connect");
    let request = format!(
        "POST /wsman HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {authorization}\r\n\
         Content-Type: application/soap+xml;charset=UTF-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut status = String::new();
    BufReader::new(stream)
        .read_line(&mut status)
        .expect("status line");
    status.trim_end().to_string()
}

#[test]
fn the_listener_refuses_a_replayed_or_forged_digest() {
    let server = amt(120, None);
    digest(&server, &["id"]).run().ok();
    let sent = server.requests()[1].clone();
    let header = sent.header("authorization").unwrap_or_default().to_string();
    // The same nonce count again: a replay.
    assert_eq!(
        post_raw(&server, &header, &sent.body),
        "HTTP/1.1 401 Unauthorized"
    );
    assert_eq!(server.digest_stats().replays, 1);
    // A fresh count without recomputing the response: a forgery.
    let forged = header.replace("nc=00000001", "nc=00000002");
    assert_eq!(
        post_raw(&server, &forged, &sent.body),
        "HTTP/1.1 401 Unauthorized"
    );
    // Signed for another path.
    let moved = header.replace("uri=\"/wsman\"", "uri=\"/other\"");
    assert_eq!(
        post_raw(&server, &moved, &sent.body),
        "HTTP/1.1 401 Unauthorized"
    );
    assert_eq!(server.digest_stats().replays, 1);
}
