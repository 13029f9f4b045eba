//! Naming the targets (a file, stdin), bad fleet switches, hosts side by
//! side, and a host whose output outgrows memory.

use std::collections::BTreeSet;
use std::time::Duration;

use super::{Fleet, fleet_cmd, records};
use crate::support::{Cmd, Config, Listener, PASSWORD, TempDir};

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
fn memory_stays_bounded_however_much_each_host_prints() {
    const HOSTS: usize = 4;
    let listeners: Vec<Listener> = (0..HOSTS)
        .map(|n| {
            Listener::start(Config {
                machine: format!("BIG-{n}"),
                services: 5000,
                ..Config::default()
            })
            .expect("start")
        })
        .collect();
    let labels: Vec<String> = listeners.iter().map(Listener::http_url).collect();
    let args = ["enumerate", "wmicimv2/Win32_Service"];
    let Some((small, baseline)) =
        fleet_cmd(&labels[..1], &[&args[..], &["--limit", "1"]].concat()).run_measuring_memory()
    else {
        return;
    };
    small.code(0);
    // Text holds each host's output until the host is done.
    let Some((run, peak)) = fleet_cmd(&labels, &args).run_measuring_memory() else {
        return;
    };
    run.code(0);
    let printed = run.stdout.len() as u64 / 1024;
    let cost = peak.saturating_sub(baseline);
    eprintln!("{HOSTS} hosts printed {printed} KiB; peak {peak} KiB, {cost} KiB over one item");
    assert!(printed > 8 * 1024, "{printed} KiB: enough to matter");
    assert!(
        cost < printed / 2,
        "the hosts' output ({printed} KiB) was held in memory: {cost} KiB"
    );
}

#[test]
fn a_stalled_host_holds_up_no_other() {
    let stalled = crate::support::raw::RawServer::start(crate::support::raw::Behaviour::Silent);
    let listeners: Vec<Listener> = (0..3).map(|_| crate::support::listener()).collect();
    let mut labels = vec![stalled.url()];
    labels.extend(listeners.iter().map(Listener::http_url));
    // Two workers: one is held by the stalled host (listed first) for
    // its whole timeout; the other serves every other host meanwhile.
    let mut child = fleet_cmd(
        &labels,
        &["id", "-format:jsonl", "-timeout:1000", "--parallel", "2"],
    )
    .spawn();
    let started = std::time::Instant::now();
    let stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut arrivals = Vec::new();
    for line in std::io::BufRead::lines(stdout) {
        let line = line.expect("a line");
        arrivals.push((started.elapsed(), line));
    }
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(4), "the stalled host timed out");
    let (answered, timed_out): (Vec<_>, Vec<_>) = arrivals
        .iter()
        .partition(|(_, line)| !line.contains("\"error\""));
    assert_eq!(answered.len(), 3, "{arrivals:?}");
    assert_eq!(timed_out.len(), 1, "{arrivals:?}");
    // The stalled host costs its own timeout (1 s + the 5 s margin); the
    // others answered long before it gave up.
    let waited = timed_out[0].0;
    assert!(waited >= Duration::from_secs(5), "{waited:?}");
    for (when, line) in &answered {
        assert!(*when + Duration::from_secs(3) < waited, "{when:?}: {line}");
    }
}

#[test]
fn one_endpoint_spelled_two_ways_runs_once() {
    let listeners: Vec<Listener> = (0..2).map(|_| crate::support::listener()).collect();
    let port = |n: usize| listeners[n].http_port();
    let labels = [
        format!("127.0.0.1:{}", port(0)),
        listeners[1].http_url(),
        // The same two again, spelled otherwise: scheme case, default
        // path, explicit path.
        format!("HTTP://127.0.0.1:{}", port(0)),
        format!("127.0.0.1:{}", port(1)),
        format!("http://127.0.0.1:{}/wsman", port(0)),
    ];
    let run = fleet_cmd(
        &labels,
        &["get", "wmicimv2/Win32_OperatingSystem", "-format:jsonl"],
    )
    .run();
    run.code(0).stderr_line("winrm: 2 of 2 hosts succeeded");
    let hosts: Vec<String> = records(&run.stdout, &labels)
        .iter()
        .map(|r| r["@host"].as_str().unwrap_or_default().to_string())
        .collect();
    // Each under its first spelling.
    assert_eq!(hosts.len(), 2, "{}", run.stdout);
    assert!(
        hosts.contains(&labels[0]) && hosts.contains(&labels[1]),
        "{hosts:?}"
    );
    for listener in &listeners {
        let gets = crate::support::with_action(&listener.requests(), "Get").len();
        assert_eq!(gets, 1, "one Get per endpoint");
    }
}

#[test]
fn a_notepad_targets_file_with_a_byte_order_mark_and_crlf_works() {
    let listeners: Vec<Listener> = (0..2).map(|_| crate::support::listener()).collect();
    let labels: Vec<String> = listeners.iter().map(Listener::http_url).collect();
    let dir = TempDir::new("fleet-bom");
    let text = format!("\u{feff}# hosts\r\n{}\r\n\r\n{}\r\n", labels[0], labels[1]);
    let file = dir.write("hosts.txt", text.as_bytes());
    for target in [format!("-r:@{}", file.display()), "-r:@-".to_string()] {
        let run = Cmd::new(&["identify", "-format:jsonl", &target])
            .args(&["-u:demo", "-a:basic", "-unencrypted"])
            .env("WINRM_PASSWORD", PASSWORD)
            .stdin(text.clone())
            .run();
        run.code(0).stderr_line("winrm: 2 of 2 hosts succeeded");
        let hosts: BTreeSet<String> = records(&run.stdout, &labels)
            .iter()
            .map(|r| r["@host"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(hosts, labels.iter().cloned().collect(), "{target}");
    }
}

#[test]
fn commas_in_a_url_query_keep_one_target() {
    let listener = crate::support::listener();
    let url = format!("{}?PSVersion=5.1,x", listener.http_url());
    let run = Cmd::new(&["identify", &format!("-r:{url}"), "-a:none"]).run();
    // One target: the single-host output, no fleet summary.
    run.code(0).line("IdentifyResponse");
    assert!(!run.stdout.contains("=== "), "{}", run.stdout);
    assert!(!run.stderr.contains("hosts succeeded"), "{}", run.stderr);
}

#[test]
fn a_list_of_100_000_targets_is_read_at_once() {
    // Not a benchmark: reading the list must be linear. Checking each
    // name against all before it took over a minute for this many.
    let dir = TempDir::new("fleet-many");
    let list: String = (0..100_000).map(|n| format!("h{n}.example\n")).collect();
    let file = dir.write("hosts.txt", list.as_bytes());
    // --spn with several targets is refused once the list is read, before
    // anything is sent.
    let run = Cmd::new(&[
        "identify",
        &format!("-r:@{}", file.display()),
        "--spn",
        "HTTP/x",
    ])
    .run();
    run.code(2)
        .stderr_has("--spn names one host's service principal");
    assert!(run.elapsed < Duration::from_secs(15), "{:?}", run.elapsed);
}

#[test]
fn a_low_open_file_limit_does_not_fail_hosts() {
    // A shell whose soft limit on open files is low (macOS starts at 256;
    // here 24): forty hosts at once need a socket each, and more for the
    // output they hold.
    const HOSTS: usize = 40;
    let listeners: Vec<Listener> = (0..HOSTS)
        .map(|_| {
            Listener::start(Config {
                reply_delay: Duration::from_millis(300),
                ..Config::default()
            })
            .expect("start")
        })
        .collect();
    let labels: Vec<String> = listeners.iter().map(Listener::http_url).collect();
    let targets = format!("-r:{}", labels.join(","));
    let under = |ulimit: &str| {
        Cmd::new(&[
            "-c",
            &format!("ulimit {ulimit} && exec \"$0\" \"$@\""),
            env!("CARGO_BIN_EXE_winrm"),
            "get",
            "wmicimv2/Win32_OperatingSystem",
            "-format:json",
            "--parallel",
            "40",
            &targets,
            "-u:demo",
            "-a:basic",
            "-unencrypted",
        ])
        .program(std::path::Path::new("/bin/sh"))
        .env("WINRM_PASSWORD", PASSWORD)
        .run()
    };
    // The soft limit is raised as far as the fleet needs.
    let run = under("-Sn 24");
    run.code(0)
        .stderr_line(&format!("winrm: {HOSTS} of {HOSTS} hosts succeeded"));
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // The hard limit is low too: fewer hosts at a time, and a warning.
    let run = under("-n 100");
    run.code(0)
        .stderr_line(&format!("winrm: {HOSTS} of {HOSTS} hosts succeeded"))
        .stderr_line(
            "winrm: warning: 40 hosts at a time need about 184 open files and the limit is \
             100 (ulimit -Hn); running 12 at a time (raise the limit, or lower --parallel)",
        );
}
