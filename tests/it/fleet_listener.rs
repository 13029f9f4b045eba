//! The simulated fleet (`listener --endpoints N`, `tests/listener/fleet.rs`):
//! many hosts in one process, each answering as its own machine, some
//! misbehaving on purpose. Clients we did not write, pywinrm and pypsrp,
//! drive every endpoint of the demo program (`tests/fleet_peers.py`), so the
//! fleet `winrm -r:@FILE` is tested against answers like real hosts'; the
//! accept loops are checked to serve 250 endpoints at once and give their
//! threads and file descriptors back.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::auth::front::{PYTHON, python_has, skip_or_fail};
use crate::support::{Behaviour, Cmd, Config, Fleet, PASSWORD, TempDir, USER};

/// The demo program, built beside the `winrm` binary by `cargo test` (and
/// `cargo build --example listener`); None, with a note, when it is
/// missing or older than its sources.
fn listener_program() -> Option<PathBuf> {
    let bin = Path::new(env!("CARGO_BIN_EXE_winrm"));
    let program = bin.parent()?.join("examples").join("listener");
    let built = std::fs::metadata(&program).and_then(|m| m.modified()).ok();
    let sources = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/listener"));
    let newest_source = std::fs::read_dir(sources)
        .expect("list tests/listener")
        .flatten()
        .filter_map(|e| e.metadata().and_then(|m| m.modified()).ok())
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    match built {
        Some(t) if t >= newest_source => Some(program),
        Some(_) => {
            skip_or_fail(&format!(
                "{} is older than tests/listener (cargo build --example listener)",
                program.display()
            ));
            None
        }
        None => {
            skip_or_fail(&format!(
                "{} is not built (cargo build --example listener)",
                program.display()
            ));
            None
        }
    }
}

/// The demo program serving a fleet; killed when dropped.
struct FleetProcess {
    child: Child,
    /// The URLs of its targets file, in order.
    targets: Vec<String>,
    targets_file: PathBuf,
    _dir: TempDir,
}

impl FleetProcess {
    /// `listener --endpoints ... ARGS --port 0 --targets-file PATH`, once the
    /// targets file is written (every endpoint serving).
    fn start(args: &[&str]) -> Option<FleetProcess> {
        let program = listener_program()?;
        let dir = TempDir::new("fleet");
        let targets_file = dir.path().join("targets");
        let mut child = Command::new(program)
            .args(args)
            .args(["--port", "0", "--targets-file"])
            .arg(&targets_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the listener program");
        let started = Instant::now();
        while !targets_file.exists() {
            if let Some(status) = child.try_wait().expect("wait") {
                let mut err = String::new();
                let _ = child.stderr.take().map(|mut s| s.read_to_string(&mut err));
                panic!("the listener exited ({status}) before serving:\n{err}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the listener wrote no targets file within 30 s"
            );
            thread::sleep(Duration::from_millis(20));
        }
        let text = std::fs::read_to_string(&targets_file).expect("read the targets file");
        Some(FleetProcess {
            child,
            targets: text.lines().map(str::to_string).collect(),
            targets_file,
            _dir: dir,
        })
    }

    /// (threads, open sockets) of the listener process now. Sockets, not
    /// every descriptor: the child inherits whatever the test runner left
    /// open (cargo's jobserver pipe, say).
    fn threads_and_sockets(&self) -> (usize, usize) {
        let proc_dir = PathBuf::from(format!("/proc/{}", self.child.id()));
        let status = std::fs::read_to_string(proc_dir.join("status")).expect("read status");
        let threads = status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("a Threads: line");
        let sockets = std::fs::read_dir(proc_dir.join("fd"))
            .expect("list fd")
            .flatten()
            .filter(|e| {
                std::fs::read_link(e.path())
                    .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
            })
            .count();
        (threads, sockets)
    }

    /// Waits up to 10 s for at most `threads` threads and `sockets` open
    /// sockets; returns what it saw last.
    fn settles_to(&self, threads: usize, sockets: usize) -> (usize, usize) {
        let started = Instant::now();
        loop {
            let seen = self.threads_and_sockets();
            if (seen.0 <= threads && seen.1 <= sockets)
                || started.elapsed() > Duration::from_secs(10)
            {
                return seen;
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for FleetProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `fleet_peers.py CLIENT TARGETS`: one line per endpoint, in order.
fn peer_lines(client: &str, targets: &Path) -> Child {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fleet_peers.py");
    Command::new(PYTHON)
        .args([script, client])
        .arg(targets)
        .env("WINRM_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start fleet_peers.py")
}

/// Waits (at most 120 s) for a peer run and returns its stdout lines.
fn finish(client: &str, mut child: Child) -> Vec<String> {
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "fleet_peers.py {client} failed\n--- stdout\n{stdout}--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().map(str::to_string).collect()
}

#[test]
fn pywinrm_and_pypsrp_find_each_endpoint_its_own_host() {
    if !python_has("winrm, pypsrp", "pip install pywinrm pypsrp") {
        return;
    }
    // 15 healthy, then one of each misbehaviour, in the documented order.
    let Some(fleet) = FleetProcess::start(&[
        "--endpoints",
        "20",
        "--services",
        "5",
        "--slow",
        "1",
        "--slow-ms",
        "300",
        "--wrong-password",
        "1",
        "--fault",
        "1",
        "--stall",
        "1",
        "--dead",
        "1",
    ]) else {
        return;
    };
    assert_eq!(fleet.targets.len(), 20, "{:?}", fleet.targets);
    let pywinrm = peer_lines("pywinrm", &fleet.targets_file);
    let pypsrp = peer_lines("pypsrp", &fleet.targets_file);
    let (pywinrm, pypsrp) = (finish("pywinrm", pywinrm), finish("pypsrp", pypsrp));

    for (i, url) in fleet.targets.iter().enumerate() {
        let name = format!("WIN-{:04}", i + 1);
        let (by_pywinrm, by_pypsrp) = match i + 1 {
            // The healthy ones and the slow one: Win32_OperatingSystem's
            // CSName, and (pywinrm) what `hostname` prints in a WinRS shell.
            1..=16 => (format!("ok {name} {name}"), format!("ok {name}")),
            17 => ("unauthorized".into(), "unauthorized".into()),
            18 => ("fault 5".into(), "fault 5".into()),
            19 => ("timeout".into(), "timeout".into()),
            _ => ("refused".into(), "refused".into()),
        };
        assert_eq!(
            pywinrm[i],
            format!("{url} {by_pywinrm}"),
            "pywinrm: {pywinrm:#?}"
        );
        assert_eq!(
            pypsrp[i],
            format!("{url} {by_pypsrp}"),
            "pypsrp: {pypsrp:#?}"
        );
    }
    // The clients are gone: one accept thread per live endpoint plus the
    // main thread, and just the listening sockets.
    let (threads, sockets) = fleet.settles_to(19 + 1, 19);
    assert!(
        threads <= 20 && sockets <= 19,
        "the listener kept {threads} threads and {sockets} sockets"
    );
}

#[test]
fn two_hundred_fifty_endpoints_serve_at_once_and_give_threads_back() {
    if !Path::new("/proc/self/status").exists() {
        skip_or_fail("no /proc to count the listener's threads in");
        return;
    }
    let Some(fleet) = FleetProcess::start(&["--endpoints", "250", "--services", "3"]) else {
        return;
    };
    assert_eq!(fleet.targets.len(), 250);
    // One connection to every endpoint, all open at once, each asked for
    // something: every one answers (401: the request has no credentials).
    let mut connections: Vec<TcpStream> = fleet
        .targets
        .iter()
        .map(|url| {
            let addr = url
                .trim_start_matches("http://")
                .trim_end_matches("/wsman")
                .parse()
                .expect("a socket address");
            let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
                .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .expect("read timeout");
            stream
        })
        .collect();
    for stream in &mut connections {
        stream
            .write_all(b"POST /wsman HTTP/1.1\r\nHost: fleet\r\nContent-Length: 0\r\n\r\n")
            .expect("send");
    }
    for (stream, url) in connections.iter_mut().zip(&fleet.targets) {
        let mut head = [0u8; 12];
        stream
            .read_exact(&mut head)
            .unwrap_or_else(|e| panic!("{url} did not answer: {e}"));
        assert_eq!(&head, b"HTTP/1.1 401", "{url}");
    }
    let (threads, sockets) = fleet.threads_and_sockets();
    assert!(
        threads > 250 + 250 && sockets == 250 + 250,
        "250 kept-alive connections, yet {threads} threads and {sockets} sockets"
    );
    drop(connections);
    let (threads, sockets) = fleet.settles_to(250 + 1, 250);
    assert!(
        threads <= 251 && sockets <= 250,
        "after the clients left, the listener kept {threads} threads and {sockets} sockets"
    );
    // And each endpoint is its own host.
    for i in [0, 124, 249] {
        Cmd::new(&["get", "wmicimv2/Win32_OperatingSystem"])
            .args(&[
                format!("-r:{}", fleet.targets[i]),
                format!("-u:{USER}"),
                "-a:basic".into(),
                "-unencrypted".into(),
            ])
            .env("WINRM_PASSWORD", PASSWORD)
            .run()
            .ok()
            .line(&format!("    CSName = WIN-{:04}", i + 1));
    }
}

#[test]
fn each_misbehaviour_reaches_winrm_as_from_a_real_host() {
    let plan = [
        Behaviour::Healthy,
        Behaviour::WrongPassword,
        Behaviour::Fault,
        Behaviour::Stall,
        Behaviour::Dead,
    ];
    let base = Config {
        machine: "SRV".into(),
        services: 3,
        ..Config::default()
    };
    let fleet = Fleet::start(&base, 0, &plan).expect("start the fleet");
    let get = |i: usize| {
        Cmd::new(&["get", "wmicimv2/Win32_OperatingSystem", "-timeout:1000"])
            .args(&[
                format!("-r:{}", fleet.endpoints()[i].url),
                format!("-u:{USER}"),
                "-a:basic".into(),
                "-unencrypted".into(),
            ])
            .env("WINRM_PASSWORD", PASSWORD)
            .run()
    };
    assert_eq!(fleet.endpoints()[0].machine, "SRV-0001");
    get(0).ok().line("    CSName = SRV-0001");
    // The exit codes a single-host run documents (`winrm help exit`).
    let refused = get(1);
    refused.code(3);
    assert!(refused.stderr.contains("(HTTP 401)"), "{}", refused.stderr);
    let fault = get(2);
    fault.code(1);
    assert!(
        fault.stderr.contains("Access is denied"),
        "{}",
        fault.stderr
    );
    let stalled = get(3);
    stalled.code(4);
    assert!(
        stalled.stderr.contains("did not answer"),
        "{}",
        stalled.stderr
    );
    let dead = get(4);
    dead.code(4);
    assert!(
        dead.stderr.contains("connection refused"),
        "{}",
        dead.stderr
    );
    // What each endpoint saw: the fault endpoint was asked (and refused),
    // the stalled one accepted a connection and recorded nothing.
    assert_eq!(fleet.requests(2).len(), 1);
    assert_eq!(fleet.connections(3), 1);
    assert!(fleet.requests(3).is_empty());
}

#[test]
fn the_listener_program_refuses_a_mix_larger_than_the_fleet() {
    let Some(program) = listener_program() else {
        return;
    };
    let out = Command::new(program)
        .args(["--endpoints", "3", "--dead", "2", "--stall", "2"])
        .stdin(Stdio::null())
        .output()
        .expect("run the listener program");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: 4 misbehaving endpoints asked for, but --endpoints is 3\n"),
        "{stderr}"
    );
}

/// Whether `program` answers `--version`.
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `tests/fleet_split.sh MODE`: the README's example for splitting a fleet
/// across machines, run as written against a simulated fleet.
fn split_example(mode: &str) {
    let Some(listener) = listener_program() else {
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fleet_split.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(mode)
        .arg(env!("CARGO_BIN_EXE_winrm"))
        .arg(listener)
        .stdin(Stdio::null())
        .output()
        .expect("run fleet_split.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.starts_with(&format!("ok {mode}: 40 hosts")),
        "fleet_split.sh {mode}\n--- stdout\n{stdout}--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_readme_gnu_parallel_example_splits_a_fleet() {
    if !installed("parallel") || !installed("jq") {
        skip_or_fail("GNU parallel or jq is missing (apt-get install parallel jq)");
        return;
    }
    split_example("parallel");
}

/// Ansible is large and not in CI: this runs where a developer has it.
#[test]
fn the_readme_ansible_example_splits_a_fleet() {
    if !installed("ansible-playbook") || !installed("jq") {
        eprintln!(
            "\n*** SKIPPED: ansible-playbook or jq is missing (apt-get install ansible-core) ***\n"
        );
        return;
    }
    split_example("ansible");
}
