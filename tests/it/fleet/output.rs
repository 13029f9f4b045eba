//! What a fleet prints: every verb with host-named records, grouped text,
//! one JSON array, a Host column, exec's prefixed or grouped lines.

use std::collections::BTreeSet;

use super::{
    Fleet, HEALTHY, SHORT_TIMEOUT, check_error_records, check_summary, fleet_cmd, records,
};

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
fn exec_gives_every_host_all_of_a_piped_stdin() {
    let fleet = Fleet::new(false);
    let labels = fleet.healthy_labels();
    let run = fleet_cmd(&labels[..3], &["exec", "findstr", "b"])
        .stdin("apple\nbanana\ncherry\nblueberry\n")
        .run();
    run.code(0);
    for label in &labels[..3] {
        run.line(&format!("{label}: banana"))
            .line(&format!("{label}: blueberry"));
    }
    assert_eq!(run.lines().len(), 6, "{}", run.stdout);
}

#[test]
fn csv_rows_of_hosts_with_different_properties_stay_under_their_columns() {
    // A Windows listener answers an anonymous Identify with three
    // properties; this server (as openwsman does) with a fourth.
    let windows =
        crate::support::Listener::start(crate::support::Config::default()).expect("start");
    let other = crate::support::raw::RawServer::script(|_, request| {
        crate::support::raw::Step::soap(
            request,
            "",
            concat!(
                r#"<wsmid:IdentifyResponse xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">"#,
                "<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion>",
                "<wsmid:ProductVendor>Openwsman Project</wsmid:ProductVendor>",
                "<wsmid:ProductVersion>2.6.5</wsmid:ProductVersion>",
                "<wsmid:SecurityProfiles><wsmid:SecurityProfileName>http://schemas.dmtf.org/",
                "wbem/wsman/1/wsman/secprofile/http/basic</wsmid:SecurityProfileName>",
                "</wsmid:SecurityProfiles></wsmid:IdentifyResponse>"
            ),
        )
    });
    let labels = [windows.http_url(), other.url()];
    for (format, separator) in [("-format:csv", ','), ("-format:tsv", '\t')] {
        let run = crate::support::Cmd::new(&[
            "id".to_string(),
            format!("-r:{}", labels.join(",")),
            "-a:none".into(),
            format.into(),
        ])
        .run();
        run.code(0);
        let lines = run.lines();
        assert_eq!(
            lines.len(),
            3,
            "a header and a row per host\n{}",
            run.stdout
        );
        let header: Vec<&str> = lines[0].split(separator).collect();
        assert_eq!(header[0], "Host", "{}", run.stdout);
        let column = |name: &str| {
            header
                .iter()
                .position(|c| c.ends_with(name))
                .unwrap_or_else(|| panic!("no {name} column\n{}", run.stdout))
        };
        let (vendor, profile) = (column("ProductVendor"), column("SecurityProfileName"));
        for line in &lines[1..] {
            let fields: Vec<&str> = line.split(separator).collect();
            assert_eq!(fields.len(), header.len(), "{}", run.stdout);
            let (expected_vendor, has_profile) = if fields[0] == labels[0] {
                ("Microsoft Corporation", false)
            } else {
                assert_eq!(fields[0], labels[1], "{}", run.stdout);
                ("Openwsman Project", true)
            };
            assert_eq!(fields[vendor], expected_vendor, "{}", run.stdout);
            assert_eq!(
                fields[profile].ends_with("http/basic"),
                has_profile,
                "{}",
                run.stdout
            );
        }
    }
}

#[test]
fn exec_on_several_hosts_starts_without_waiting_for_the_end_of_stdin() {
    use std::io::{Read as _, Write as _};
    use std::time::{Duration, Instant};
    let fleet = Fleet::new(false);
    let labels = fleet.healthy_labels();
    // `ssh host winrm exec ...` without -n: stdin stays open, and the
    // command does not read it.
    let mut child = fleet_cmd(&labels[..3], &["exec", "hostname"]).spawn_with_stdin();
    let stdin = child.stdin.take().expect("stdin");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("no host started while stdin stayed open");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .expect("stdout");
    assert!(status.success(), "{status:?}\n{stdout}");
    for (n, label) in labels[..3].iter().enumerate() {
        assert!(
            stdout.contains(&format!("{label}: WIN-{n:02}\r\n")),
            "{label}\n{stdout}"
        );
    }
    drop(stdin);

    // Input that comes in bits, long after the start, reaches every host.
    let mut child = fleet_cmd(&labels[..3], &["exec", "findstr", "b"]).spawn_with_stdin();
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"apple\nbanana\n").expect("write");
    std::thread::sleep(Duration::from_millis(500));
    stdin.write_all(b"cherry\nblueberry\n").expect("write");
    drop(stdin);
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    for label in &labels[..3] {
        for fruit in ["banana", "blueberry"] {
            assert!(stdout.contains(&format!("{label}: {fruit}")), "{stdout}");
        }
    }
    assert_eq!(stdout.lines().count(), 6, "{stdout}");
}

#[test]
fn an_unknown_column_is_warned_about_once_for_the_fleet() {
    let fleet = Fleet::new(false);
    let labels = fleet.healthy_labels();
    for format in ["-format:csv", "-format:tsv", "-format:table"] {
        let run = fleet_cmd(
            &labels[..3],
            &[
                "enumerate",
                "wmicimv2/Win32_Service",
                format,
                "--columns",
                "Name,Bogus",
            ],
        )
        .run();
        run.code(0);
        let warnings: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains("warning: no item has the column"))
            .collect();
        assert_eq!(
            warnings,
            [
                "winrm: warning: no item has the column(s) 'Bogus'; property names are \
              case-insensitive, and -format:json shows them all"
            ],
            "{format}\n{}",
            run.stderr
        );
    }
}
