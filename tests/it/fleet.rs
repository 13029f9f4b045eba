//! Fleets: one command against many targets. Every verb runs across a
//! mix of healthy listeners (each with its own computer name), dead hosts
//! (a refused port, a socket that accepts and never answers), a host that
//! refuses the password and one that answers every request with a fault;
//! the tests check that each host's output stays whole and names its
//! host, that failures are records too, the summary, the exit rule,
//! Ctrl-C cleanup, targets from a file and from stdin, and that hosts run
//! side by side rather than one after the other.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::support::raw::{RawServer, Step, soap_envelope};
use crate::support::{Cmd, Config, Listener, PASSWORD, TempDir};

/// Healthy listeners in the mixed fleet.
const HEALTHY: usize = 16;
/// The reply timeout of runs with a stalled host: short, so the stalled
/// host costs little (the client waits this plus its 5 s margin).
const SHORT_TIMEOUT: &str = "-timeout:1000";

/// A WSManFault for any request, as a Windows host that is shutting down
/// answers.
fn fault_server() -> RawServer {
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
const REFUSED: [&str; 2] = ["127.0.0.1:1", "127.0.0.2:1"];

/// What each unhealthy target should come to: its JSON error kind and
/// exit code.
struct Expected {
    label: String,
    kind: &'static str,
    exit: i64,
}

/// The mixed fleet: the servers stay up while it lives.
struct Fleet {
    healthy: Vec<Listener>,
    _others: (Vec<Listener>, Vec<RawServer>),
    failing: Vec<Expected>,
}

impl Fleet {
    fn new(stalled: bool) -> Fleet {
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
    fn healthy_labels(&self) -> Vec<String> {
        self.healthy
            .iter()
            .map(|l| format!("127.0.0.1:{}", l.http_port()))
            .collect()
    }

    fn all_labels(&self) -> Vec<String> {
        let mut labels = self.healthy_labels();
        labels.extend(self.failing.iter().map(|f| f.label.clone()));
        labels
    }

    /// `winrm ARGS` against every target, as one comma list.
    fn cmd(&self, args: &[&str]) -> Cmd {
        fleet_cmd(&self.all_labels(), args)
    }
}

/// `winrm VERB -r:A,B,... -u:demo -a:basic -unencrypted ARGS...`: the
/// switches before the verb's arguments, since exec's command takes the
/// rest of the line.
fn fleet_cmd(labels: &[String], args: &[&str]) -> Cmd {
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
fn records(stdout: &str, labels: &[String]) -> Vec<serde_json::Value> {
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
fn check_error_records(fleet: &Fleet, run: &crate::support::Run, records: &[serde_json::Value]) {
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
fn check_summary(fleet: &Fleet, run: &crate::support::Run) {
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

#[test]
fn every_verb_runs_across_a_mixed_fleet_with_host_named_records() {
    let fleet = Fleet::new(true);
    let labels = fleet.all_labels();
    const LISTENER: &str = "winrm/config/Listener?Address=*+Transport=HTTPS";
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("identify", vec!["identify"]),
        ("get", vec!["get", "wmicimv2/Win32_OperatingSystem"]),
        (
            "set",
            vec!["set", "winrm/config/client", r#"@{TrustedHosts="*"}"#],
        ),
        ("create", vec!["create", LISTENER, r#"@{Hostname="a"}"#]),
        ("enumerate", vec!["enumerate", "wmicimv2/Win32_Service"]),
        (
            "invoke",
            vec![
                "invoke",
                "StartService",
                "wmicimv2/Win32_Service?Name=Spooler",
            ],
        ),
        ("exec", vec!["exec", "--no-stdin", "hostname"]),
    ];
    // Side by side: the stalled host costs each run its timeout.
    let results: Vec<(&str, crate::support::Run)> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|(name, args)| {
                let mut args = args.clone();
                // Before the verb's own words: exec's command is the rest.
                args.splice(1..1, ["-format:jsonl", SHORT_TIMEOUT]);
                let cmd = fleet.cmd(&args);
                scope.spawn(move || (*name, cmd.run()))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("run"))
            .collect()
    });
    for (name, run) in &results {
        let records = records(&run.stdout, &labels);
        check_error_records(&fleet, run, &records);
        check_summary(&fleet, run);
        // Refused logons rank above the rest; exec's failures are 255.
        run.code(if *name == "exec" { 255 } else { 3 });
        let answered: BTreeSet<&str> = records
            .iter()
            .filter(|r| r.get("error").is_none())
            .filter_map(|r| r["@host"].as_str())
            .collect();
        let healthy = fleet.healthy_labels();
        let expected: BTreeSet<&str> = healthy.iter().map(String::as_str).collect();
        assert_eq!(answered, expected, "{name}: every healthy host answered");
    }
    let by_name = |wanted: &str| &results.iter().find(|(n, _)| *n == wanted).expect("ran").1;
    // Each host's own machine answered, under its own name.
    for (n, listener) in fleet.healthy.iter().enumerate() {
        let label = format!("127.0.0.1:{}", listener.http_port());
        let line = format!(
            "{{\"@host\":\"{label}\",\"stream\":\"stdout\",\"text\":\"WIN-{n:02}\\r\\n\"}}"
        );
        by_name("exec").line(&line);
        let get = records(&by_name("get").stdout, &labels);
        let mine = get
            .iter()
            .find(|r| r["@host"] == label.as_str())
            .expect("a record");
        assert_eq!(mine["CSName"], format!("WIN-{n:02}"));
        let exit = format!("{{\"@host\":\"{label}\",\"exitCode\":0}}");
        by_name("exec").line(&exit);
    }
    let services = records(&by_name("enumerate").stdout, &labels);
    assert_eq!(
        services.iter().filter(|r| r.get("Name").is_some()).count(),
        HEALTHY * 120,
        "every host's every service"
    );

    // Delete what create made, across the same fleet (no stalled host
    // this time: its timeout was proven above).
    let run = fleet_cmd(
        &fleet.all_labels()[..HEALTHY + 4],
        &["delete", LISTENER, "-format:jsonl"],
    )
    .run();
    let records = records(&run.stdout, &labels);
    assert_eq!(records.len(), 4, "delete prints only the failures");
    assert!(records.iter().all(|r| r.get("error").is_some()));
    run.code(3).stderr_line(&format!(
        "winrm: {HEALTHY} of {} hosts succeeded",
        HEALTHY + 4
    ));
}

#[test]
fn text_output_is_grouped_under_a_header_per_host() {
    let fleet = Fleet::new(false);
    let run = fleet.cmd(&["enumerate", "wmicimv2/Win32_Service"]).run();
    run.code(3);
    let mut blocks = 0;
    for block in run.stdout.split("=== ").skip(1) {
        let (label, body) = block.split_once(" ===\n").expect("a header line");
        let n = fleet
            .healthy_labels()
            .iter()
            .position(|l| l == label)
            .expect("a healthy host");
        let machine = format!("WIN-{n:02}");
        // Every SystemName in the block is that host's: nothing mixed in.
        let names: Vec<&str> = body
            .lines()
            .filter_map(|l| l.trim().strip_prefix("SystemName = "))
            .collect();
        assert_eq!(names.len(), 120, "{label}");
        assert!(names.iter().all(|m| *m == machine), "{label}: {names:?}");
        blocks += 1;
    }
    assert_eq!(blocks, HEALTHY);
    // Failures on stderr, named, with the usual hint, then the summary.
    for expected in &fleet.failing {
        let named = format!("{}:", expected.label);
        assert!(run.stderr.contains(&named), "{named}\n{}", run.stderr);
    }
    check_summary(&fleet, &run);
}

#[test]
fn json_is_one_array_of_host_objects() {
    let fleet = Fleet::new(false);
    let run = fleet
        .cmd(&["get", "wmicimv2/Win32_OperatingSystem", "-format:json"])
        .run();
    run.code(3);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let hosts = value.as_array().expect("an array");
    assert_eq!(hosts.len(), fleet.all_labels().len());
    for host in hosts {
        let label = host["@host"].as_str().expect("@host");
        match fleet.failing.iter().find(|f| f.label == label) {
            Some(expected) => {
                assert_eq!(host["error"]["kind"], expected.kind);
                assert!(host.get("result").is_none(), "{host}");
            }
            None => {
                assert!(
                    host["result"]["CSName"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("WIN-"))
                );
                assert!(host.get("error").is_none());
            }
        }
    }
    // exec: each host's remote exit code is in its object.
    let labels = fleet.healthy_labels();
    let run = fleet_cmd(&labels[..3], &["exec", "-format:json", "exit /b 3"]).run();
    run.code(3);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    for host in value.as_array().expect("array") {
        assert_eq!(host["result"]["exitCode"], 3, "{host}");
    }
    run.stderr_line(&format!(
        "winrm: {}: failed: the remote command exited with 3",
        labels[0]
    ))
    .stderr_line("winrm: 0 of 3 hosts succeeded");
}

#[test]
fn tables_and_csv_lead_with_the_host() {
    let fleet = Fleet::new(false);
    let labels = fleet.healthy_labels();
    let run = fleet_cmd(
        &labels[..3],
        &[
            "enumerate",
            "wmicimv2/Win32_Service",
            "-format:csv",
            "--columns",
            "Name,SystemName",
        ],
    )
    .run();
    run.code(0);
    let lines = run.lines();
    assert_eq!(lines[0], "Host,Name,SystemName");
    assert_eq!(lines.len(), 1 + 3 * 120, "one header, every row");
    for line in &lines[1..] {
        let host = line.split(',').next().expect("a host");
        let n = labels.iter().position(|l| l == host).expect("a host");
        assert!(line.ends_with(&format!(",WIN-{n:02}")), "{line}");
    }
    // One table for the fleet: a row per host for a single result.
    let run = fleet_cmd(
        &labels[..3],
        &[
            "get",
            "wmicimv2/Win32_OperatingSystem",
            "-format:table",
            "--columns",
            "CSName",
        ],
    )
    .run();
    run.code(0);
    let rows: Vec<Vec<&str>> = run
        .lines()
        .iter()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches(['|', ' '])
                .split('|')
                .map(str::trim)
                .collect()
        })
        .collect();
    assert_eq!(rows[0], ["Host", "CSName"], "{}", run.stdout);
    assert_eq!(rows.len(), 4, "a header and a row per host\n{}", run.stdout);
    for row in &rows[1..] {
        let n = labels.iter().position(|l| l == row[0]).expect("a host");
        assert_eq!(row[1], format!("WIN-{n:02}"));
    }
    let run = fleet_cmd(
        &labels[..2],
        &["enumerate", "wmicimv2/Win32_Service", "-format:table"],
    )
    .run();
    run.code(0);
    // ASCII borders: the run has no UTF-8 locale.
    let headers = run.lines().iter().filter(|l| l.contains("| Name")).count();
    assert_eq!(headers, 1, "one table\n{}", run.stdout);
    assert!(run.lines()[1].starts_with("| Host"), "{}", run.stdout);
    for label in &labels[..2] {
        let mine = run
            .lines()
            .iter()
            .filter(|l| l.contains(label.as_str()))
            .count();
        assert_eq!(mine, 120, "{label}");
    }
}

#[test]
fn exec_prefixes_each_line_with_its_host_or_groups_them() {
    let fleet = Fleet::new(false);
    let labels = fleet.healthy_labels();
    let run = fleet_cmd(&labels[..4], &["exec", "ping", "-n", "3", "127.0.0.1"]).run();
    run.code(0);
    for line in run.lines() {
        let (host, _) = line.split_once(": ").expect("HOST: line");
        assert!(labels[..4].iter().any(|l| l == host), "{line}");
    }
    for label in &labels[..4] {
        let mine = run
            .lines()
            .iter()
            .filter(|l| l.starts_with(&format!("{label}: ")))
            .count();
        assert!(mine >= 4, "{label}: {}", run.stdout);
    }
    let run = fleet_cmd(
        &labels[..4],
        &["exec", "--group", "ping", "-n", "3", "127.0.0.1"],
    )
    .run();
    run.code(0);
    let headers: Vec<&str> = run
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("=== "))
        .collect();
    assert_eq!(headers.len(), 4, "{}", run.stdout);
    for block in run.stdout.split("=== ").skip(1) {
        assert!(block.contains("Reply from 127.0.0.1"), "{block}");
        assert!(!block.lines().skip(1).any(|l| l.starts_with("127.0.0.1:")));
    }
}

#[test]
fn hosts_run_side_by_side() {
    let delay = Duration::from_millis(300);
    let listeners: Vec<Listener> = (0..20)
        .map(|_| {
            Listener::start(Config {
                reply_delay: delay,
                ..Config::default()
            })
            .expect("start")
        })
        .collect();
    let labels: Vec<String> = listeners.iter().map(Listener::http_url).collect();
    let args = ["get", "wmicimv2/Win32_OperatingSystem"];
    let single = fleet_cmd(&labels[..1], &args).run();
    single.ok();
    let run = fleet_cmd(&labels, &[&args[..], &["--parallel", "20"]].concat()).run();
    run.code(0).stderr_line("winrm: 20 of 20 hosts succeeded");
    // Behaviour, not a benchmark: one after the other would take 20 times
    // the single run; side by side takes about as long as one.
    assert!(
        run.elapsed < single.elapsed * 3 + Duration::from_secs(1),
        "20 hosts took {:?}, one took {:?}",
        run.elapsed,
        single.elapsed
    );
    assert!(run.elapsed < delay * 20 / 2, "{:?}", run.elapsed);
    // --parallel 1 is one after the other.
    let run = fleet_cmd(&labels[..4], &[&args[..], &["--parallel", "1"]].concat()).run();
    run.code(0);
    assert!(run.elapsed >= delay * 4, "{:?}", run.elapsed);
}

#[test]
fn targets_from_a_file_and_from_stdin() {
    let fleet = Fleet::new(false);
    let labels = fleet.healthy_labels();
    let dir = TempDir::new("fleet");
    let file = dir.write(
        "hosts.txt",
        format!(
            "# web tier\n{}\n\n  {}  \n# {}\n",
            labels[0], labels[1], labels[2]
        )
        .as_bytes(),
    );
    let run = Cmd::new(&[
        "identify",
        "-format:jsonl",
        &format!("-r:@{}", file.display()),
    ])
    .args(&["-r", &labels[3], "-u:demo", "-a:basic", "-unencrypted"])
    .env("WINRM_PASSWORD", PASSWORD)
    .run();
    run.code(0);
    let hosts: BTreeSet<String> = records(&run.stdout, &labels)
        .iter()
        .map(|r| r["@host"].as_str().unwrap_or_default().to_string())
        .collect();
    let expected: BTreeSet<String> = [&labels[0], &labels[1], &labels[3]]
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(hosts, expected, "the commented-out host is skipped");

    let stdin = format!("{}\n{}\n", labels[4], labels[5]);
    let run = Cmd::new(&[
        "identify",
        "-format:jsonl",
        "-r:@-",
        "-u:demo",
        "-a:basic",
        "-un",
    ])
    .env("WINRM_PASSWORD", PASSWORD)
    .stdin(stdin.clone())
    .run();
    run.code(0).stderr_line("winrm: 2 of 2 hosts succeeded");
    assert_eq!(records(&run.stdout, &labels).len(), 2);

    // The command's input cannot come from stdin too.
    let run = Cmd::new(&["exec", "-r:@-", "-u:demo", "-a:basic", "-un", "hostname"])
        .env("WINRM_PASSWORD", PASSWORD)
        .stdin(stdin.clone())
        .run();
    run.code(255)
        .stderr_has("-r:@- reads the targets from stdin")
        .stderr_has("--no-stdin");
    let run = Cmd::new(&[
        "exec",
        "-r:@-",
        "-u:demo",
        "-a:basic",
        "-un",
        "--no-stdin",
        "hostname",
    ])
    .env("WINRM_PASSWORD", PASSWORD)
    .stdin(stdin)
    .run();
    run.code(0);
    assert!(
        run.stdout.contains(&format!("{}: WIN-04", labels[4])),
        "{}",
        run.stdout
    );
}

#[test]
fn bad_fleet_switches_are_usage_errors() {
    for (args, message) in [
        (
            vec!["identify", "-r:a,b", "--parallel", "0"],
            "--parallel 0 is out of range",
        ),
        (
            vec!["identify", "-r:a,b", "--spn", "HTTP/a"],
            "--spn names one host",
        ),
        (
            vec!["identify", "-r:@/no/such/list"],
            "cannot read the targets file /no/such/list",
        ),
        (vec!["identify", "-r:a,b:99999"], "the port '99999'"),
    ] {
        Cmd::new(&args).run().code(2).stderr_has(message);
    }
}

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
fn a_big_host_output_is_held_in_a_file_and_printed_whole() {
    let listeners: Vec<Listener> = (0..3)
        .map(|n| {
            Listener::start(Config {
                machine: format!("BIG-{n}"),
                services: 600,
                ..Config::default()
            })
            .expect("start")
        })
        .collect();
    let labels: Vec<String> = listeners.iter().map(Listener::http_url).collect();
    let run = fleet_cmd(
        &labels,
        &["enumerate", "wmicimv2/Win32_Service", "-format:json"],
    )
    .run();
    run.code(0);
    assert!(
        run.stdout.len() > 3 * (256 << 10),
        "beyond the memory bound"
    );
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("one document");
    for host in value.as_array().expect("array") {
        let items = host["result"].as_array().expect("items");
        assert_eq!(items.len(), 600);
        let machine = items[0]["SystemName"].as_str().expect("a name");
        assert!(
            items.iter().all(|i| i["SystemName"] == machine),
            "one host per object"
        );
    }
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
