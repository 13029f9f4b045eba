//! Negotiate and NTLM against an acceptor we did not write: pyspnego, inside
//! `tests/auth/listener.py`, which checks and builds the MS-WSMV sealing
//! itself and forwards the SOAP to the simulated Windows listener. Its log
//! says which TCP connection carried each handshake leg and each request.
//!
//! Needs python3 with pyspnego (and cryptography). Outside CI a developer
//! without them gets a loud skip; under CI=true a missing package fails.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Cmd, Config, Listener, TempDir};

const USER: &str = "CORP\\alice";
const PASSWORD: &str = "Pa55-word!";
const PYTHON: &str = "/usr/bin/python3";

/// Whether the acceptor's packages are here; panics under CI when not.
fn available() -> bool {
    let ok = Command::new(PYTHON)
        .args(["-c", "import spnego, cryptography"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{PYTHON} lacks pyspnego or cryptography; .ci/run must install them");
        }
        let mut err = std::io::stderr();
        let _ = writeln!(
            err,
            "\n*** SKIPPED auth test: {PYTHON} lacks pyspnego/cryptography \
             (apt-get install python3-cryptography python3-pip; pip install pyspnego) ***\n"
        );
    }
    ok
}

/// The Python front and the Rust backend behind it.
struct Front {
    child: Child,
    port: u16,
    log: PathBuf,
    https: bool,
    dir: TempDir,
    _backend: Listener,
}

impl Drop for Front {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throw-away CA and a `localhost` certificate it signs, as PEM files.
fn certificates(dir: &TempDir) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".into()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    (
        dir.write("ca.pem", ca_cert.pem().as_bytes()),
        dir.write("cert.pem", cert.pem().as_bytes()),
        dir.write("key.pem", key.serialize_pem().as_bytes()),
    )
}

impl Front {
    fn start(https: bool, services: usize, extra: &[&str]) -> Front {
        let backend = Listener::start(Config {
            services,
            ..Config::default()
        })
        .expect("start the backend");
        let dir = TempDir::new("auth");
        let users = dir.write("users", format!("CORP:alice:{PASSWORD}\n").as_bytes());
        let ready = dir.write("ready", b"");
        std::fs::remove_file(&ready).unwrap();
        let log = dir.write("log", b"");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/auth/listener.py");
        let mut cmd = Command::new(PYTHON);
        cmd.arg(script)
            .arg("--backend")
            .arg(backend.http_url())
            .arg("--ready-file")
            .arg(&ready)
            .arg("--log")
            .arg(&log)
            .args(extra)
            .env("NTLM_USER_FILE", &users)
            .stdout(Stdio::null());
        if https {
            let (_, cert, key) = certificates(&dir);
            cmd.arg("--cert").arg(cert).arg("--key").arg(key);
        }
        let child = cmd.spawn().expect("start listener.py");
        let start = Instant::now();
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&ready)
                && let Ok(port) = text.trim().parse()
            {
                break port;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "listener.py did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Front {
            child,
            port,
            log,
            https,
            dir,
            _backend: backend,
        }
    }

    /// `winrm ARGS -r:URL -u:CORP\alice -a:METHOD` with the password set.
    fn cmd(&self, method: &str, args: &[&str]) -> Cmd {
        let url = if self.https {
            format!("-r:https://localhost:{}/wsman", self.port)
        } else {
            format!("-r:http://127.0.0.1:{}/wsman", self.port)
        };
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend([url, format!("-u:{USER}"), format!("-a:{method}")]);
        if self.https {
            all.push("--cacert".into());
            all.push(self.dir.path().join("ca.pem").display().to_string());
        }
        Cmd::new(&all).env("WINRM_PASSWORD", PASSWORD)
    }

    /// (connection, event, line) for every logged event.
    fn events(&self) -> Vec<(u64, String, String)> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .map(|line| {
                let field = |name: &str| {
                    let key = format!("\"{name}\": ");
                    let at = line.find(&key).map(|i| i + key.len()).unwrap_or(line.len());
                    let rest = line[at..].trim_start_matches('"');
                    let end = rest.find(['"', ',', '}']).unwrap_or(rest.len());
                    rest[..end].to_string()
                };
                (
                    field("conn").parse().unwrap_or(0),
                    field("event"),
                    line.to_string(),
                )
            })
            .collect()
    }

    fn count(&self, event: &str) -> usize {
        self.events().iter().filter(|(_, e, _)| e == event).count()
    }

    /// Every handshake leg travelled on the connection that then carried
    /// its requests.
    fn assert_no_crossing(&self) {
        let events = self.events();
        for (conn, event, line) in &events {
            if event == "soap" {
                assert!(
                    events
                        .iter()
                        .any(|(c, e, _)| c == conn && e == "authenticated"),
                    "a request on a connection that never authenticated: {line}"
                );
            }
            if event == "authenticated" {
                let legs = events
                    .iter()
                    .filter(|(c, e, _)| c == conn && e == "leg")
                    .count();
                assert!(legs >= 1, "authenticated without legs on connection {conn}");
            }
        }
    }
}

#[test]
fn ntlm_and_negotiate_seal_every_message_over_http() {
    if !available() {
        return;
    }
    for method in ["ntlm", "negotiate"] {
        let front = Front::start(false, 120, &[]);
        front
            .cmd(method, &["get", "wmicimv2/Win32_Service?Name=Spooler"])
            .run()
            .ok()
            .stdout_has("Name = Spooler")
            .hides(PASSWORD);
        let events = front.events();
        assert!(
            events
                .iter()
                .any(|(_, e, l)| e == "soap" && l.contains("\"sealed\": true"))
        );
        assert!(
            !events
                .iter()
                .any(|(_, e, l)| e == "soap" && l.contains("\"sealed\": false"))
        );
        assert_eq!(front.count("authenticated"), 1);
        front.assert_no_crossing();
    }
}

#[test]
fn a_hundred_pages_authenticate_exactly_once() {
    if !available() {
        return;
    }
    let front = Front::start(false, 100, &[]);
    let run = front
        .cmd(
            "negotiate",
            &["e", "wmicimv2/Win32_Service", "--max-elements", "1"],
        )
        .run();
    run.ok();
    let items = run
        .lines()
        .iter()
        .filter(|l| **l == "Win32_Service")
        .count();
    assert_eq!(items, 100);
    assert_eq!(front.count("authenticated"), 1, "{:?}", front.events());
    // Enumerate + 100 Pulls (the last one says EndOfSequence) at most.
    assert!(front.count("soap") >= 100);
    let conns: std::collections::BTreeSet<u64> = front
        .events()
        .iter()
        .filter(|(_, e, _)| e == "soap")
        .map(|(c, _, _)| *c)
        .collect();
    assert_eq!(conns.len(), 1, "requests spread over connections {conns:?}");
    front.assert_no_crossing();
}

#[test]
fn https_carries_the_channel_binding_and_no_sealing() {
    if !available() {
        return;
    }
    for method in ["ntlm", "negotiate"] {
        let front = Front::start(true, 120, &[]);
        front.cmd(method, &["id"]).run().ok();
        let events = front.events();
        assert!(
            events
                .iter()
                .any(|(_, e, l)| e == "soap" && l.contains("\"sealed\": false"))
        );
        assert_eq!(front.count("authenticated"), 1);
        front.assert_no_crossing();
    }
    // A server expecting another certificate's binding (a man in the
    // middle, as Strict CBT sees it) refuses us.
    let front = Front::start(true, 120, &["--wrong-binding"]);
    front.cmd("ntlm", &["id"]).run().code(3);
    assert!(
        front
            .events()
            .iter()
            .any(|(_, _, l)| l.contains("BadBindings"))
    );
}

#[test]
fn a_wrong_password_exits_3_without_echoing_it() {
    if !available() {
        return;
    }
    let front = Front::start(false, 120, &[]);
    front
        .cmd("negotiate", &["id"])
        .env("WINRM_PASSWORD", "not-the-password")
        .run()
        .code(3)
        .stderr_has("refused the credentials")
        .hides("not-the-password");
    assert_eq!(front.count("authenticated"), 0);
}

#[test]
fn a_tampered_reply_is_refused() {
    if !available() {
        return;
    }
    let front = Front::start(false, 120, &["--tamper", "2"]);
    front
        .cmd(
            "ntlm",
            &["e", "wmicimv2/Win32_Service", "--max-elements", "10"],
        )
        .run()
        .code(5)
        .stderr_has("encrypted reply")
        .stderr_has("refused");
    assert_eq!(front.count("tampered"), 1);
}

#[test]
fn a_closed_connection_is_reauthenticated_once_for_safe_requests_only() {
    if !available() {
        return;
    }
    // A Get is safe to repeat: authenticate again on a new connection and
    // resend.
    let front = Front::start(false, 120, &["--close-after", "1"]);
    front
        .cmd("negotiate", &["get", "wmicimv2/Win32_Service?Name=Spooler"])
        .run()
        .ok()
        .stdout_has("Name = Spooler");
    assert_eq!(front.count("authenticated"), 2, "{:?}", front.events());
    front.assert_no_crossing();

    // A Pull is not: the run stops with a clear error.
    let front = Front::start(false, 120, &["--close-after", "3"]);
    front
        .cmd(
            "ntlm",
            &["e", "wmicimv2/Win32_Service", "--max-elements", "5"],
        )
        .run()
        .code(4)
        .stderr_has("closed the connection");
    assert_eq!(front.count("authenticated"), 1);
}
