//! Fleets: one command against many targets. The tests run every verb
//! across a mix of healthy listeners (each with its own computer name),
//! dead hosts (a refused port, a socket that accepts and never answers), a
//! host that refuses the password and one that answers every request with
//! a fault. `output` checks that each host's output stays whole and names
//! its host, that failures are records too, the summary and the exit rule;
//! `targets` the ways of naming targets, bad switches, memory and that
//! hosts run side by side; `stop` Ctrl-C and a closed stdout. This file
//! holds the fleet they share.

mod output;
mod stop;
mod targets;

use std::time::Duration;

use crate::support::raw::{RawServer, Step, soap_envelope};
use crate::support::{Cmd, Config, Listener, PASSWORD};

/// Healthy listeners in the mixed fleet.
pub const HEALTHY: usize = 16;
/// The reply timeout of runs with a stalled host: short, so the stalled
/// host costs little (the client waits this plus its 5 s margin).
pub const SHORT_TIMEOUT: &str = "-timeout:1000";

/// A WSManFault for any request, as a Windows host that is shutting down
/// answers.
pub fn fault_server() -> RawServer {
    RawServer::script(|_, request| {
        let body = concat!(
            "<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode>",
            "<s:Value>w:InternalError</s:Value></s:Subcode></s:Code>",
            "<s:Reason><s:Text xml:lang=\"en-US\">The service is shutting down.</s:Text>",
            "</s:Reason><s:Detail><f:WSManFault ",
            "xmlns:f=\"http://schemas.microsoft.com/wbem/wsman/1/wsmanfault\" ",
            "Code=\"1115\" Machine=\"FAULTY\"><f:Message>A system shutdown is in ",
            "progress.</f:Message></f:WSManFault></s:Detail></s:Fault>"
        );
        let envelope = soap_envelope(
            request,
            "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault",
            body,
        );
        Step::answer(
            "500 Internal Server Error",
            "application/soap+xml;charset=UTF-8",
            envelope.as_bytes(),
        )
    })
}

/// Targets nothing listens on: port 1 needs root to serve, so no other
/// test can take it meanwhile (a freed ephemeral port could be).
pub const REFUSED: [&str; 2] = ["127.0.0.1:1", "127.0.0.2:1"];

/// What each unhealthy target should come to: its JSON error kind and
/// exit code.
pub struct Expected {
    pub label: String,
    pub kind: &'static str,
    pub exit: i64,
}

/// The mixed fleet: the servers stay up while it lives.
pub struct Fleet {
    pub healthy: Vec<Listener>,
    _others: (Vec<Listener>, Vec<RawServer>),
    pub failing: Vec<Expected>,
}

impl Fleet {
    pub fn new(stalled: bool) -> Fleet {
        let healthy: Vec<Listener> = (0..HEALTHY)
            .map(|n| {
                Listener::start(Config {
                    machine: format!("WIN-{n:02}"),
                    shell_tick: Duration::from_millis(50),
                    ..Config::default()
                })
                .expect("start a listener")
            })
            .collect();
        let wrong_password = Listener::start(Config {
            password: "another-password".into(),
            ..Config::default()
        })
        .expect("start");
        let faulty = fault_server();
        let mut failing = vec![
            Expected {
                label: REFUSED[0].into(),
                kind: "connection",
                exit: 4,
            },
            Expected {
                label: REFUSED[1].into(),
                kind: "connection",
                exit: 4,
            },
            Expected {
                label: wrong_password.http_url(),
                kind: "auth",
                exit: 3,
            },
            Expected {
                label: faulty.url(),
                kind: "fault",
                exit: 1,
            },
        ];
        let mut raw = vec![faulty];
        if stalled {
            let silent = RawServer::start(crate::support::raw::Behaviour::Silent);
            failing.push(Expected {
                label: silent.url(),
                kind: "connection",
                exit: 4,
            });
            raw.push(silent);
        }
        Fleet {
            healthy,
            _others: (vec![wrong_password], raw),
            failing,
        }
    }

    /// Healthy targets written as HOST:PORT, the others as URLs or
    /// HOST:PORT: labels must come back exactly as written.
    pub fn healthy_labels(&self) -> Vec<String> {
        self.healthy
            .iter()
            .map(|l| format!("127.0.0.1:{}", l.http_port()))
            .collect()
    }

    pub fn all_labels(&self) -> Vec<String> {
        let mut labels = self.healthy_labels();
        labels.extend(self.failing.iter().map(|f| f.label.clone()));
        labels
    }

    /// `winrm ARGS` against every target, as one comma list.
    pub fn cmd(&self, args: &[&str]) -> Cmd {
        fleet_cmd(&self.all_labels(), args)
    }
}

/// `winrm VERB -r:A,B,... -u:demo -a:basic -unencrypted ARGS...`: the
/// switches before the verb's arguments, since exec's command takes the
/// rest of the line.
pub fn fleet_cmd(labels: &[String], args: &[&str]) -> Cmd {
    Cmd::new(&args[..1])
        .args(&[
            format!("-r:{}", labels.join(",")),
            "-u:demo".into(),
            "-a:basic".into(),
            "-unencrypted".into(),
        ])
        .args(&args[1..])
        .env("WINRM_PASSWORD", PASSWORD)
}

/// Every stdout line as JSON, each with an `@host` among `labels`.
#[track_caller]
pub fn records(stdout: &str, labels: &[String]) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            let host = value["@host"].as_str().expect("every record has @host");
            assert!(labels.iter().any(|l| l == host), "unknown @host {host}");
            value
        })
        .collect()
}

/// Checks the error records: one per failed host, of the right kind.
#[track_caller]
pub fn check_error_records(
    fleet: &Fleet,
    run: &crate::support::Run,
    records: &[serde_json::Value],
) {
    for expected in &fleet.failing {
        let errors: Vec<&serde_json::Value> = records
            .iter()
            .filter(|r| r["@host"] == expected.label.as_str() && r.get("error").is_some())
            .collect();
        assert_eq!(
            errors.len(),
            1,
            "{}: {:?}\n{}",
            expected.label,
            run.args,
            run.stdout
        );
        assert_eq!(
            errors[0]["error"]["kind"], expected.kind,
            "{}",
            expected.label
        );
        let exec = run.args.first().is_some_and(|a| a == "exec");
        assert_eq!(
            errors[0]["error"]["exitCode"],
            if exec { 255 } else { expected.exit }
        );
    }
}

/// Checks the summary: a line per failed host and the count.
#[track_caller]
pub fn check_summary(fleet: &Fleet, run: &crate::support::Run) {
    for expected in &fleet.failing {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with(&format!("winrm: {}: failed: ", expected.label))),
            "no summary line for {}\n{}",
            expected.label,
            run.stderr
        );
    }
    let total = fleet.all_labels().len();
    run.stderr_line(&format!(
        "winrm: {} of {total} hosts succeeded",
        total - fleet.failing.len()
    ));
}
