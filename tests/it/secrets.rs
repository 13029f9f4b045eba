//! Secrets never show: every verb, every output format and every error
//! path the tests can reach (wrong password, refused, timeout, fault, TLS,
//! HTML, redirect, oversized reply, cut connection, proxy failures, usage
//! errors, every authentication method refused), with the password given
//! each way (environment, file, `-p:`), with and without the `--debug`
//! trace. Neither the password, nor the Authorization header value, nor
//! its base64 part may appear on stdout or stderr.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::support::proxy::TestProxy;
use crate::support::raw::{Behaviour, RawServer, Step, closed_port};
use crate::support::{Cmd, Config, Listener, Run, TempDir};

/// The password every server here expects: distinctive enough to find.
const SECRET: &str = "Sx3-t0p-s3cret-Pw";
const USER: &str = "demo";

/// Everything that must never show.
fn forbidden() -> Vec<String> {
    let token = STANDARD.encode(format!("{USER}:{SECRET}"));
    vec![SECRET.to_string(), format!("Basic {token}"), token]
}

#[track_caller]
fn clean(run: &Run) {
    for secret in forbidden() {
        run.hides(&secret);
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// The three ways a password arrives.
fn with_password(cmd: Cmd, way: usize, dir: &TempDir) -> Cmd {
    match way {
        0 => cmd.env("WINRM_PASSWORD", SECRET),
        1 => {
            let file = dir.write("pw", format!("{SECRET}\n").as_bytes());
            cmd.args(&[format!("--password-file={}", file.display())])
        }
        _ => cmd.args(&[format!("-p:{SECRET}")]),
    }
}

/// `winrm ARGS -r:URL -u:demo -unencrypted`, with `-a:basic` unless ARGS
/// name a method.
fn against(url: &str, args: &[&str], way: usize, dir: &TempDir) -> Cmd {
    let mut cmd =
        Cmd::new(args).args(&[&format!("-r:{url}"), &format!("-u:{USER}"), "-unencrypted"]);
    if !args.iter().any(|a| a.starts_with("-a:")) {
        cmd = cmd.args(&["-a:basic"]);
    }
    with_password(cmd, way, dir)
}

#[test]
fn every_verb_and_format_keeps_the_password_hidden() {
    let server = Listener::start(Config {
        password: SECRET.into(),
        ..Config::default()
    })
    .expect("listener");
    let url = server.http_url();
    let dir = TempDir::new("secrets-verbs");
    let body = dir.write(
        "client.xml",
        br#"<cfg:Client xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config/client"><cfg:TrustedHosts>h2</cfg:TrustedHosts></cfg:Client>"#,
    );
    let body = format!("-file:{}", body.display());
    let verbs: [&[&str]; 9] = [
        &["identify"],
        &["get", "winrm/config"],
        &["set", "winrm/config/client", r#"@{TrustedHosts="h1"}"#],
        &["put", "winrm/config/client", &body],
        &[
            "create",
            "winrm/config/Listener?Address=*+Transport=HTTPS",
            r#"@{Hostname="h"}"#,
        ],
        &["delete", "winrm/config/Listener?Address=*+Transport=HTTPS"],
        &[
            "enumerate",
            "wmicimv2/Win32_Service",
            "--max-elements",
            "50",
        ],
        &[
            "invoke",
            "StopService",
            "wmicimv2/Win32_Service?Name=Spooler",
        ],
        &["get", "wmicimv2/Win32_Service?Name=NoSuchService"],
    ];
    for (n, verb) in verbs.iter().enumerate() {
        for format in [
            "-format:text",
            "-format:xml",
            "-format:#pretty",
            "-format:json",
            "--debug",
        ] {
            let run = against(&url, verb, n % 3, &dir).args(&[format]).run();
            assert!(matches!(run.code, Some(0 | 1)), "{verb:?}\n{run:?}");
            clean(&run);
        }
    }
    // The password did travel, so the hiding above was not trivial.
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.header("authorization").is_some())
    );
}

#[test]
fn every_error_path_keeps_the_password_hidden() {
    let dir = TempDir::new("secrets-errors");
    let wrong = Listener::start(Config {
        password: "another-password".into(),
        https: true,
        ..Config::default()
    })
    .expect("listener");
    let silent = RawServer::start(Behaviour::Silent);
    let html = RawServer::answering("500 Internal Server Error", "text/html", "<html>no</html>");
    let redirect = RawServer::start(Behaviour::Reply(
        b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/wsman\r\nContent-Length: 0\r\n\r\n"
            .to_vec(),
    ));
    let hangup = RawServer::script(|_, _| Step::Hangup);
    let endless = RawServer::script(|_, _| Step::Stream {
        head: b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\n\r\n".to_vec(),
        chunk: vec![b' '; 65536],
        pause: Duration::ZERO,
    });
    let proxy = TestProxy::start(Some("Basic bm90OnRoaXM=".into()));
    let refused = format!("http://127.0.0.1:{}/wsman", closed_port());
    let https = wrong.https_url().expect("https url");
    let cases: Vec<(String, Vec<String>)> = vec![
        (wrong.http_url(), vec!["get".into(), "winrm/config".into()]),
        (https.clone(), vec!["get".into(), "winrm/config".into()]),
        (https, vec!["identify".into(), "-skipCAcheck".into()]),
        (
            refused.clone(),
            vec!["enumerate".into(), "wmicimv2/Win32_Service".into()],
        ),
        (
            silent.url(),
            vec!["get".into(), "winrm/config".into(), "-timeout:300".into()],
        ),
        (
            html.url(),
            vec!["set".into(), "winrm/config".into(), r#"@{A="b"}"#.into()],
        ),
        (
            redirect.url(),
            vec![
                "delete".into(),
                "winrm/config/Listener?Address=*+Transport=HTTP".into(),
            ],
        ),
        (
            hangup.url(),
            vec![
                "invoke".into(),
                "StartService".into(),
                "wmicimv2/Win32_Service?Name=x".into(),
            ],
        ),
        (
            endless.url(),
            vec![
                "get".into(),
                "winrm/config".into(),
                "--max-envelope-size=8192".into(),
            ],
        ),
        (
            wrong.http_url(),
            vec![
                "get".into(),
                "winrm/config".into(),
                format!("-proxy:{}", proxy.url()),
            ],
        ),
        (
            wrong.http_url(),
            vec![
                "get".into(),
                "winrm/config".into(),
                format!("-proxy:http://{USER}:{SECRET}@127.0.0.1:{}", closed_port()),
            ],
        ),
        // Usage errors after the password was read, or around it.
        (
            wrong.http_url(),
            vec![
                "get".into(),
                "winrm/config".into(),
                "-nosuchswitch:x".into(),
            ],
        ),
        (
            wrong.http_url(),
            vec![
                "get".into(),
                "winrm/config".into(),
                "-p:".into(),
                SECRET.into(),
            ],
        ),
        (
            wrong.http_url(),
            vec![
                "get".into(),
                "winrm/config".into(),
                "-encoding:klingon".into(),
            ],
        ),
        (
            wrong.http_url(),
            vec!["get".into(), "winrm/config".into(), "-a:digest".into()],
        ),
        (
            refused,
            vec!["set".into(), "winrm/config".into(), "@{broken".into()],
        ),
    ];
    // Every method the listener (Basic only, another password) refuses.
    let methods = ["digest", "ntlm", "negotiate", "credssp", "basic"].map(|m| {
        (
            wrong.http_url(),
            vec!["get".into(), "winrm/config".into(), format!("-a:{m}")],
        )
    });
    let cases: Vec<(String, Vec<String>)> = cases.into_iter().chain(methods).collect();
    for (n, (url, args)) in cases.iter().enumerate() {
        for (way, debug) in [(n % 3, false), ((n + 1) % 3, true)] {
            let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
            if debug {
                args.push("--debug");
            }
            let run = against(url, &args, way, &dir).run();
            assert!(
                run.code.is_some_and(|c| c != 0),
                "{args:?} succeeded?\n{run:?}"
            );
            assert!(!run.stderr.is_empty(), "{args:?}: silent failure");
            clean(&run);
        }
    }
}
