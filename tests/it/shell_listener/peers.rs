//! pywinrm and pypsrp, clients known to work against Windows, drive the
//! listener's shell through `tests/shell_peers.py` (which asserts what they
//! read); here the listener's side is checked: no shell left open, and the
//! signals each client sends (facts `winrm exec` must match).

use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::{SHELL, start};
use crate::auth::front::{PYTHON, python_has};
use crate::support::{Config, Listener, PASSWORD};

/// Runs `tests/shell_peers.py CLIENT` against a fresh listener; returns it
/// (for the signal log) or None when the Python modules are missing.
fn peers(client: &str) -> Option<Listener> {
    if !python_has("winrm, pypsrp", "pip install pywinrm pypsrp") {
        return None;
    }
    let server = start(Config {
        shell_tick: Duration::from_millis(200),
        ..Config::default()
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/shell_peers.py");
    let mut child = Command::new(PYTHON)
        .args([script, client, &server.http_port().to_string()])
        .env("WINRM_PASSWORD", PASSWORD)
        .env("SHELL_TICK", "0.2")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start shell_peers.py");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "shell_peers.py {client} failed\n--- stdout\n{stdout}--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprint!("{stdout}");
    assert_eq!(server.open_shells(), 0, "{client} left a shell open");
    Some(server)
}

#[test]
fn pywinrm_runs_commands_in_the_shell() {
    let Some(server) = peers("pywinrm") else {
        return;
    };
    // cleanup_command sends terminate after every command.
    let signals = server.signals();
    assert!(signals.len() >= 20, "{signals:?}");
    assert!(
        signals
            .iter()
            .all(|s| s == &format!("{SHELL}/signal/terminate")),
        "{signals:?}"
    );
}

#[test]
fn pypsrp_runs_processes_in_the_shell() {
    let Some(server) = peers("pypsrp") else {
        return;
    };
    let signals = server.signals();
    // execute_cmd ends with ctrl_c; the Ctrl-C scenario sends ctrl_c then
    // pypsrp's capitalised Terminate.
    assert!(signals[0].ends_with("/signal/ctrl_c"), "{signals:?}");
    assert!(
        signals
            .windows(2)
            .any(|w| w[0].ends_with("/signal/ctrl_c") && w[1].ends_with("/signal/Terminate")),
        "{signals:?}"
    );
}
