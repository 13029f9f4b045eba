//! Stopping a fleet: Ctrl-C starts no more hosts, deletes every open
//! shell and releases every enumeration; a closed stdout ends it quietly.

use std::time::{Duration, Instant};

use super::{fleet_cmd, records};
use crate::support::{Config, Listener};

#[test]
fn ctrl_c_stops_new_hosts_and_deletes_every_open_shell() {
    let listeners: Vec<Listener> = (0..6)
        .map(|n| {
            Listener::start(Config {
                machine: format!("WIN-{n:02}"),
                ..Config::default()
            })
            .expect("start")
        })
        .collect();
    let labels: Vec<String> = listeners.iter().map(Listener::http_url).collect();
    let mut child = fleet_cmd(&labels, &["exec", "--parallel", "4", "timeout", "/t", "30"]).spawn();
    let started = Instant::now();
    let running = |l: &Listener| {
        l.requests()
            .iter()
            .any(|r| r.action.as_deref().is_some_and(|a| a.ends_with("/Receive")))
    };
    while listeners.iter().filter(|l| running(l)).count() < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "commands did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    assert!(stderr.contains("; 2 not started (interrupted)"), "{stderr}");
    for listener in &listeners {
        assert_eq!(listener.open_shells(), 0, "a shell was left open");
    }
    let signalled = listeners.iter().filter(|l| !l.signals().is_empty()).count();
    assert_eq!(signalled, 4, "each running command got Ctrl-C");
    let untouched = listeners.iter().filter(|l| l.requests().is_empty()).count();
    assert_eq!(untouched, 2, "no host is started after Ctrl-C");
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn ctrl_c_releases_every_enumeration_in_flight() {
    let listeners: Vec<Listener> = (0..4)
        .map(|_| {
            Listener::start(Config {
                reply_delay: Duration::from_millis(100),
                ..Config::default()
            })
            .expect("start")
        })
        .collect();
    let labels: Vec<String> = listeners.iter().map(Listener::http_url).collect();
    let mut child = fleet_cmd(
        &labels,
        &[
            "enumerate",
            "wmicimv2/Win32_Service",
            "--max-elements",
            "2",
            "-format:jsonl",
        ],
    )
    .spawn();
    let started = Instant::now();
    let pulling = |l: &Listener| crate::support::with_action(&l.requests(), "Pull").len() >= 2;
    while !listeners.iter().all(pulling) {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "enumerations did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().expect("stdout"), &mut stdout)
        .expect("read stdout");
    assert_eq!(child.wait().expect("wait").code(), Some(130));
    for listener in &listeners {
        let sent = crate::support::actions(&listener.requests());
        assert_eq!(sent.last().map(String::as_str), Some("Release"), "{sent:?}");
        assert!(sent.len() < 30, "stopped pulling: {sent:?}");
    }
    // What was printed is whole records, each naming its host, and each
    // host's interruption is a record too.
    let records = records(&stdout, &labels);
    let stopped = records
        .iter()
        .filter(|r| r["error"]["kind"] == "interrupted")
        .count();
    assert_eq!(stopped, 4, "{stdout}");
}

#[test]
fn a_closed_stdout_stops_the_fleet_quietly() {
    let listeners: Vec<Listener> = (0..3).map(|_| crate::support::listener()).collect();
    let labels: Vec<String> = listeners.iter().map(Listener::http_url).collect();
    let mut child = fleet_cmd(
        &labels,
        &["enumerate", "wmicimv2/Win32_Service", "-format:jsonl"],
    )
    .spawn();
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("some output");
    drop(stdout);
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "a closed pipe is not a failure");
}

#[test]
fn ctrl_c_after_a_closed_stdout_is_still_a_first_press() {
    // `winrm enumerate -r:a,b ... | head -1`: head is gone, a stalled host
    // is still waited for, and the user presses Ctrl-C once.
    let healthy = Listener::start(Config {
        reply_delay: Duration::from_millis(100),
        ..Config::default()
    })
    .expect("start");
    let stalled = crate::support::raw::RawServer::start(crate::support::raw::Behaviour::Silent);
    let labels = [healthy.http_url(), stalled.url()];
    let mut child = fleet_cmd(
        &labels,
        &[
            "enumerate",
            "wmicimv2/Win32_Service",
            "--max-elements",
            "2",
            "-format:jsonl",
            super::SHORT_TIMEOUT,
        ],
    )
    .spawn();
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("some output");
    drop(stdout);
    // The healthy host's next page finds nobody reading and releases its
    // enumeration.
    let started = Instant::now();
    while !crate::support::actions(&healthy.requests()).contains(&"Release".to_string()) {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the closed stdout was not noticed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let status = child.wait().expect("wait");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    assert!(
        stderr.contains("winrm: stopping: no more hosts are started"),
        "{stderr}"
    );
    assert!(!stderr.contains("quit at once;"), "{stderr}");
    assert!(
        stderr.contains("winrm: 1 of 2 hosts succeeded"),
        "the fleet ended as it does, with its summary\n{stderr}"
    );
    // Ctrl-C was pressed: the run exits 130, whatever its hosts came to.
    assert_eq!(status.code(), Some(130), "{stderr}");
}

#[test]
fn hosts_not_started_before_ctrl_c_are_records_too() {
    let listeners: Vec<Listener> = (0..4)
        .map(|_| {
            Listener::start(Config {
                reply_delay: Duration::from_millis(100),
                ..Config::default()
            })
            .expect("start")
        })
        .collect();
    let labels: Vec<String> = listeners.iter().map(Listener::http_url).collect();
    let pulls = |l: &Listener| crate::support::with_action(&l.requests(), "Pull").len();
    for format in ["-format:jsonl", "-format:json"] {
        let before: Vec<usize> = listeners.iter().map(pulls).collect();
        let mut child = fleet_cmd(
            &labels,
            &[
                "enumerate",
                "wmicimv2/Win32_Service",
                "--max-elements",
                "2",
                "--parallel",
                "2",
                format,
            ],
        )
        .spawn();
        let started = Instant::now();
        let pulling = |(l, before): (&Listener, &usize)| pulls(l) >= before + 2;
        while listeners
            .iter()
            .zip(&before)
            .filter(|&p| pulling(p))
            .count()
            < 2
        {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "enumerations did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let status = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let mut stdout = String::new();
        std::io::Read::read_to_string(&mut child.stdout.take().expect("stdout"), &mut stdout)
            .expect("read stdout");
        assert_eq!(child.wait().expect("wait").code(), Some(130));
        let errors: Vec<serde_json::Value> = if format == "-format:json" {
            let hosts: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON array");
            hosts
                .as_array()
                .expect("an array")
                .iter()
                .map(|host| {
                    let mut error = host["error"].clone();
                    error["@host"] = host["@host"].clone();
                    error
                })
                .collect()
        } else {
            records(&stdout, &labels)
                .into_iter()
                .filter_map(|r| {
                    let mut error = r.get("error")?.clone();
                    error["@host"] = r["@host"].clone();
                    Some(error)
                })
                .collect()
        };
        assert_eq!(errors.len(), 4, "a record per host\n{stdout}");
        let mut hosts: Vec<&str> = errors.iter().filter_map(|e| e["@host"].as_str()).collect();
        hosts.sort_unstable();
        let mut expected: Vec<&str> = labels.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(hosts, expected, "{stdout}");
        for error in &errors {
            assert_eq!(error["kind"], "interrupted", "{stdout}");
            assert_eq!(error["exitCode"], 130, "{stdout}");
        }
        let not_started = errors
            .iter()
            .filter(|e| {
                e["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("not started"))
            })
            .count();
        assert_eq!(not_started, 2, "{stdout}");
    }
}
