//! `enumerate`: every item, in order, page by page over one connection;
//! filters (WQL, selector, association), return types and polymorphism on
//! the wire; xml wrapping; an early stop (`| head`) is quiet and releases
//! the context; and a 10,000-instance enumeration.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use winrm::internals::parse_document;

use crate::support::{Cmd, Config, Listener, Recorded, actions, listener, with_action};

const SERVICE: &str = "wmicimv2/Win32_Service";

/// The `Name = ...` value of each item's top level, in output order.
fn names(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("    Name = "))
        .map(str::to_string)
        .collect()
}

/// The text of `{*}local` inside a recorded request body.
fn body_text(request: &Recorded, local: &str) -> Option<String> {
    let doc = parse_document(&request.body).expect("XML request");
    let body = doc.descendants().find(|n| n.tag_name().name() == "Body")?;
    body.descendants()
        .find(|n| n.tag_name().name() == local)
        .map(|n| n.text().unwrap_or("").to_string())
}

#[test]
fn every_service_in_order_one_connection() {
    let server = listener();
    let run = Cmd::to(&server, &["enumerate", SERVICE, "--max-elements", "10"]).run();
    run.ok();
    let got = names(&run.stdout);
    assert_eq!(got.len(), 120, "{} names", got.len());
    assert_eq!(&got[..2], ["Spooler", "WinRM"]);
    let distinct: std::collections::HashSet<_> = got.iter().collect();
    assert_eq!(distinct.len(), 120, "no item twice");

    // Blocks: a header line, properties, one blank line between blocks.
    let blocks: Vec<&str> = run.stdout.split("\n\n").collect();
    assert_eq!(blocks.len(), 120);
    assert!(blocks.iter().all(|b| b.starts_with("Win32_Service\n")));
    assert!(!run.stdout.ends_with("\n\n"));

    let requests = server.requests();
    let sent = actions(&requests);
    assert_eq!(sent[0], "Enumerate");
    let pulls = with_action(&requests, "Pull");
    assert_eq!(pulls.len(), 11, "{sent:?}");
    assert_eq!(sent.len(), 12, "no Release after the end: {sent:?}");
    assert_eq!(
        body_text(&requests[0], "MaxElements").as_deref(),
        Some("10")
    );
    assert!(requests[0].body.contains("<w:OptimizeEnumeration/>"));
    for pull in &pulls {
        assert_eq!(body_text(pull, "MaxElements").as_deref(), Some("10"));
        let context = body_text(pull, "EnumerationContext").unwrap_or_default();
        assert!(!context.is_empty(), "Pull without a context");
        assert_eq!(pull.resource_uri, requests[0].resource_uri);
    }
    assert_eq!(server.connections(), 1, "one TCP connection for the run");

    // The same items as one big page.
    let single = Cmd::to(&server, &["e", SERVICE, "--max-elements", "500"]).run();
    assert_eq!(single.stdout, run.stdout);
}

#[test]
fn without_optimization_every_item_comes_by_pull() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "enumerate",
            SERVICE,
            "--max-elements",
            "50",
            "--no-optimize",
        ],
    )
    .run();
    run.ok();
    assert_eq!(names(&run.stdout).len(), 120);
    let requests = server.requests();
    assert!(!requests[0].body.contains("OptimizeEnumeration"));
    assert_eq!(
        with_action(&requests, "Pull").len(),
        3,
        "{:?}",
        actions(&requests)
    );
}

#[test]
fn wql_filter() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "enumerate",
            "wmicimv2/*",
            "-filter:select * from Win32_Service where State='Stopped'",
        ],
    )
    .run();
    run.ok();
    let states: Vec<&str> = run
        .lines()
        .into_iter()
        .filter_map(|l| l.strip_prefix("    State = "))
        .collect();
    assert!(!states.is_empty());
    assert!(states.iter().all(|s| *s == "Stopped"), "{states:?}");
    assert_eq!(states.len(), names(&run.stdout).len());
    let r = &server.requests()[0];
    assert_eq!(
        r.resource_uri.as_deref(),
        Some("http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/*")
    );
    assert!(
        r.body.contains(
            r#"<w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">select * from Win32_Service where State=&apos;Stopped&apos;</w:Filter>"#
        ),
        "{}",
        r.body
    );
}

#[test]
fn wql_select_list() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "e",
            "wmicimv2/*",
            "-filter:select Name,State from Win32_Service",
            "-dialect:wql",
        ],
    )
    .run();
    run.ok();
    assert_eq!(names(&run.stdout).len(), 120);
    for line in run.lines() {
        let property = line.trim().split(" = ").next().unwrap_or_default();
        assert!(
            line.is_empty() || !line.starts_with("    ") || ["Name", "State"].contains(&property),
            "only the selected properties: {line:?}"
        );
    }
}

#[test]
fn selector_filter() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "enumerate",
            SERVICE,
            "-dialect:selector",
            r#"-filter:{State="Running"}"#,
        ],
    )
    .run();
    run.ok();
    let count = names(&run.stdout).len();
    assert!(count > 0 && count < 120, "{count}");
    assert_eq!(run.stdout.matches("    State = Running").count(), count);
    let r = &server.requests()[0];
    assert!(
        r.body.contains(
            r#"<w:Filter Dialect="http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter"><w:SelectorSet><w:Selector Name="State">Running</w:Selector></w:SelectorSet></w:Filter>"#
        ),
        "{}",
        r.body
    );
}

#[test]
fn association_filter() {
    let server = listener();
    let filter = "-filter:{Object=Win32_Service?Name=WinRM;AssociationClassName=Win32_DependentService;\
                  ResultClassName=Win32_Service;ResultRole=Antecedent;Role=Dependent}";
    let run = Cmd::to(
        &server,
        &["enumerate", "wmicimv2/*", "-dialect:association", filter],
    )
    .run();
    run.ok();
    // WinRM depends on RpcSs and on the HTTP driver, which is no Win32_Service.
    assert_eq!(names(&run.stdout), ["RpcSs"]);
    let body = &server.requests()[0].body;
    for fragment in [
        r#"Dialect="http://schemas.dmtf.org/wbem/wsman/1/cimbinding/AssociationFilter""#,
        "<b:AssociatedInstances><b:Object>",
        "<w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service</w:ResourceURI>",
        r#"<w:Selector Name="Name">WinRM</w:Selector>"#,
        "<b:AssociationClassName>Win32_DependentService</b:AssociationClassName><b:Role>Dependent</b:Role>\
         <b:ResultClassName>Win32_Service</b:ResultClassName><b:ResultRole>Antecedent</b:ResultRole>",
    ] {
        assert!(body.contains(fragment), "{fragment}\n{body}");
    }
    // -associations asks for the association instances themselves.
    let run = Cmd::to(
        &server,
        &[
            "enumerate",
            "wmicimv2/*",
            "-dialect:association",
            "-associations",
            "-filter:{Object=Win32_Service?Name=WinRM;ResultClassName=Win32_DependentService;Role=Dependent}",
        ],
    )
    .run();
    run.ok();
    assert_eq!(run.lines()[0], "Win32_DependentService");
    assert_eq!(run.stdout.matches("Selector: Name = WinRM").count(), 2);
    run.line("    Antecedent").line("    Dependent");
    assert!(
        server.requests()[1]
            .body
            .contains("<b:AssociationInstances>")
    );
}

#[test]
fn return_type_epr() {
    let server = listener();
    let run = Cmd::to(&server, &["enumerate", SERVICE, "-ReturnType:epr"]).run();
    run.ok();
    assert_eq!(run.lines()[0], "EndpointReference");
    run.line("    Address = http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous")
        .line("    ReferenceParameters")
        .line(
            "        ResourceURI = http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service",
        )
        .line("            Selector: Name = Spooler");
    assert_eq!(run.stdout.matches("EndpointReference\n").count(), 120);
    assert!(
        server.requests()[0]
            .body
            .contains("<w:EnumerationMode>EnumerateEPR</w:EnumerationMode>")
    );
}

#[test]
fn return_type_object_and_epr() {
    let server = listener();
    let run = Cmd::to(&server, &["enumerate", SERVICE, "-returntype:ObjectAndEPR"]).run();
    run.ok();
    assert_eq!(run.lines()[0], "Item");
    run.line("    Win32_Service")
        .line("        Name = Spooler")
        .line("    EndpointReference");
    assert!(run.stdout.contains("Selector: Name = Spooler"));
    assert_eq!(run.stdout.matches("\nItem\n").count(), 119);
    assert!(
        server.requests()[0]
            .body
            .contains("<w:EnumerationMode>EnumerateObjectAndEPR</w:EnumerationMode>")
    );
}

#[test]
fn polymorphism_switches_reach_the_wire() {
    let server = listener();
    Cmd::to(&server, &["enumerate", SERVICE, "-Shallow"])
        .run()
        .ok();
    Cmd::to(&server, &["enumerate", SERVICE, "-BasePropertiesOnly"])
        .run()
        .ok();
    let enumerates = with_action(&server.requests(), "Enumerate")
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(
        body_text(&enumerates[0], "PolymorphismMode").as_deref(),
        Some("None")
    );
    assert_eq!(
        body_text(&enumerates[1], "PolymorphismMode").as_deref(),
        Some("ExcludeSubClassProperties")
    );
}

#[test]
fn xml_format_wraps_the_items() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &["enumerate", SERVICE, "-format:xml", "--max-elements", "25"],
    )
    .run();
    run.ok();
    let lines = run.lines();
    assert_eq!(
        lines[0],
        r#"<wsman:Results xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman/results">"#
    );
    assert_eq!(lines.last(), Some(&"</wsman:Results>"));
    let doc = parse_document(&run.stdout).expect("one XML document");
    let items: Vec<_> = doc
        .root_element()
        .children()
        .filter(|n| n.is_element())
        .collect();
    assert_eq!(items.len(), 120);
    assert!(items.iter().all(|i| i.tag_name().namespace()
        == Some("http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service")));

    let pretty = Cmd::to(&server, &["enumerate", SERVICE, "-format:pretty"]).run();
    pretty.ok();
    assert!(
        pretty.lines()[1].starts_with("  <"),
        "{}",
        pretty.lines()[1]
    );
    parse_document(&pretty.stdout).expect("pretty is one XML document too");

    // No items: still a well-formed (empty) wrapper.
    let empty = Cmd::to(
        &server,
        &[
            "enumerate",
            SERVICE,
            "-dialect:selector",
            r#"-filter:{State="NoSuchState"}"#,
            "-format:xml",
        ],
    )
    .run();
    empty.ok();
    assert_eq!(
        empty.stdout,
        "<wsman:Results xmlns:wsman=\"http://schemas.dmtf.org/wbem/wsman/1/wsman/results\">\n</wsman:Results>\n"
    );
    Cmd::to(
        &server,
        &[
            "enumerate",
            SERVICE,
            "-dialect:selector",
            r#"-filter:{State="NoSuchState"}"#,
        ],
    )
    .run()
    .ok();
}

#[test]
fn early_stop_like_head_is_quiet() {
    for (format, first_line) in [
        ("text", "Win32_Service\n"),
        ("jsonl", "{\"@class\":\"Win32_Service\","),
    ] {
        early_stop_is_quiet(format, first_line);
    }
}

fn early_stop_is_quiet(format: &str, first_line: &str) {
    let server = Listener::start(Config {
        services: 3000,
        ..Config::default()
    })
    .expect("listener");
    let mut child = Cmd::to(&server, &["enumerate", SERVICE, "--max-elements", "20"])
        .args(&[format!("-format:{format}")])
        .spawn();
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut first = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        reader.read_line(&mut line).expect("a line");
        first.push(line);
    }
    drop(reader);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "winrm did not stop"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    assert!(first[0].starts_with(first_line), "{}", first[0]);

    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "", "quiet on a closed pipe");
    let sent = actions(&server.requests());
    assert!(sent.len() < 150, "stopped pulling: {} requests", sent.len());
    assert_eq!(sent.last().map(String::as_str), Some("Release"), "{sent:?}");
}

#[test]
fn ten_thousand_instances() {
    let server = Listener::start(Config {
        services: 10_000,
        ..Config::default()
    })
    .expect("listener");
    let run = Cmd::to(&server, &["enumerate", SERVICE]).run();
    run.ok();
    let got = names(&run.stdout);
    assert_eq!(got.len(), 10_000);
    assert_eq!(
        run.lines()
            .iter()
            .filter(|l| **l == "Win32_Service")
            .count(),
        10_000
    );
    assert_eq!(server.connections(), 1);
    let pulls = with_action(&server.requests(), "Pull").len();
    assert_eq!(pulls, 99, "default MaxElements is 100");
}

#[test]
fn small_envelopes_cut_pages_but_lose_nothing() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "enumerate",
            SERVICE,
            "--max-elements",
            "100",
            "--max-envelope-size",
            "8192",
        ],
    )
    .run();
    run.ok();
    assert_eq!(names(&run.stdout).len(), 120);
    let requests = server.requests();
    assert!(
        with_action(&requests, "Pull").len() > 10,
        "8 KB envelopes hold only a few services each: {:?}",
        actions(&requests)
    );
    assert!(requests.iter().all(|r| {
        r.body
            .contains("<w:MaxEnvelopeSize s:mustUnderstand=\"true\">8192</w:MaxEnvelopeSize>")
    }));
}

#[test]
fn listeners_and_empty_enumerations() {
    let server = listener();
    let run = Cmd::to(&server, &["enumerate", "winrm/config/listener"]).run();
    run.ok();
    assert_eq!(run.lines()[0], "Listener");
    run.line("    Address = *").line("    Transport = HTTP");
    // No open shells: nothing at all in text, an empty wrapper in xml.
    Cmd::to(&server, &["enumerate", "shell/cmd"]).run().ok();
    assert_eq!(
        Cmd::to(&server, &["enumerate", "shell/cmd"]).run().stdout,
        ""
    );
}

/// Ctrl-C stops after the page in flight, releases the context, says how
/// many items were printed, and exits 130.
#[cfg(unix)]
#[test]
fn ctrl_c_releases_the_enumeration() {
    let server = Listener::start(Config {
        services: 20_000,
        ..Config::default()
    })
    .expect("listener");
    let mut child = Cmd::to(&server, &["enumerate", SERVICE, "--max-elements", "5"]).spawn();
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("a first line");
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    // Keep draining stdout so the child never blocks on a full pipe.
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).expect("stdout");
    let status = child.wait().expect("wait");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("the enumeration was released"), "{stderr}");
    let printed = 1 + rest.lines().filter(|l| *l == "Win32_Service").count();
    // Counts read as the progress line writes them: 12,645.
    let digits = printed.to_string();
    let grouped: String = digits
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let comma = i > 0 && (digits.len() - i) % 3 == 0;
            comma.then_some(',').into_iter().chain(std::iter::once(c))
        })
        .collect();
    assert!(
        stderr.contains(&format!("interrupted after {grouped} items")),
        "{stderr}"
    );
    let sent = actions(&server.requests());
    assert_eq!(sent.last().map(String::as_str), Some("Release"), "{sent:?}");
}

#[test]
fn limit_stops_after_n_items_and_releases() {
    let server = Listener::start(Config {
        services: 50,
        ..Config::default()
    })
    .expect("listener");
    let run = Cmd::to(
        &server,
        &["enumerate", SERVICE, "--limit", "7", "-format:jsonl"],
    )
    .run();
    run.ok();
    assert_eq!(run.stdout.lines().count(), 7, "{}", run.stdout);
    let sent = actions(&server.requests());
    assert_eq!(sent.last().map(String::as_str), Some("Release"), "{sent:?}");
    // No page asked for more than the items wanted.
    let enumerate = server
        .requests()
        .into_iter()
        .find(|r| {
            r.action
                .as_deref()
                .is_some_and(|a| a.ends_with("/Enumerate"))
        })
        .expect("an Enumerate");
    assert!(
        enumerate.body.contains("<w:MaxElements>7</w:MaxElements>"),
        "{}",
        enumerate.body
    );
    // A limit past the end is just the whole list.
    let all = Cmd::to(
        &server,
        &["enumerate", SERVICE, "--limit", "1000", "-format:jsonl"],
    )
    .run();
    all.ok();
    assert_eq!(all.stdout.lines().count(), 50);
    Cmd::to(&server, &["enumerate", SERVICE, "--limit", "0"])
        .run()
        .code(2)
        .stderr_has("--limit must be at least 1");
}
