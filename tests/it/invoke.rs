//! `invoke`: a method's `_OUTPUT` with its ReturnValue (non-zero is not a
//! fault), the `@{}` and `-file:` bodies on the wire, and unknown methods.

use crate::support::{Cmd, Listener, TempDir, listener, with_action};

const SERVICE_NS: &str = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service";

/// The first service the listener reports in `state`.
fn service_in_state(server: &Listener, state: &str) -> String {
    let run = Cmd::to(
        server,
        &[
            "enumerate",
            "wmicimv2/*",
            &format!("-filter:select Name from Win32_Service where State='{state}'"),
        ],
    )
    .run();
    run.ok();
    run.lines()
        .into_iter()
        .find_map(|l| l.strip_prefix("    Name = "))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no {state} service\n{}", run.stdout))
}

fn state_of(server: &Listener, name: &str) -> String {
    let run = Cmd::to(
        server,
        &["get", &format!("wmicimv2/Win32_Service?Name={name}")],
    )
    .run();
    run.ok();
    run.lines()
        .into_iter()
        .find_map(|l| l.strip_prefix("    State = "))
        .map(str::to_string)
        .expect("State")
}

#[test]
fn start_a_stopped_service() {
    let server = listener();
    let name = service_in_state(&server, "Stopped");
    let run = Cmd::to(
        &server,
        &[
            "invoke",
            "StartService",
            &format!("wmicimv2/Win32_Service?Name={name}"),
        ],
    )
    .run();
    run.ok();
    assert_eq!(run.stdout, "StartService_OUTPUT\n    ReturnValue = 0\n");
    assert_eq!(state_of(&server, &name), "Running");

    let invoke = with_action(&server.requests(), "StartService")[0].clone();
    assert_eq!(
        invoke.action.as_deref(),
        Some(format!("{SERVICE_NS}/StartService").as_str())
    );
    assert!(
        invoke.body.contains(&format!(
            r#"<p:StartService_INPUT xmlns:p="{SERVICE_NS}"/>"#
        )),
        "{}",
        invoke.body
    );
    assert!(
        invoke
            .body
            .contains(&format!(r#"<w:Selector Name="Name">{name}</w:Selector>"#))
    );
}

#[test]
fn start_a_running_service_returns_10_without_a_fault() {
    let server = listener();
    let name = service_in_state(&server, "Running");
    let run = Cmd::to(
        &server,
        &[
            "i",
            "StartService",
            &format!("wmicimv2/Win32_Service?Name={name}"),
        ],
    )
    .run();
    run.ok();
    run.line("StartService_OUTPUT").line("    ReturnValue = 10");
}

#[test]
fn stop_with_an_input_hash() {
    let server = listener();
    let name = service_in_state(&server, "Running");
    Cmd::to(
        &server,
        &[
            "invoke",
            "StopService",
            &format!("wmicimv2/Win32_Service?Name={name}"),
            "@{}",
        ],
    )
    .run()
    .ok()
    .line("    ReturnValue = 0");
    assert_eq!(state_of(&server, &name), "Stopped");
    let invoke = with_action(&server.requests(), "StopService")[0].clone();
    assert!(
        invoke
            .body
            .contains(&format!(r#"<p:StopService_INPUT xmlns:p="{SERVICE_NS}""#)),
        "{}",
        invoke.body
    );
}

#[test]
fn invoke_with_a_file_body() {
    let server = listener();
    let name = service_in_state(&server, "Stopped");
    let dir = TempDir::new("invoke");
    let file = dir.write(
        "start.xml",
        format!("<?xml version=\"1.0\"?>\n<p:StartService_INPUT xmlns:p=\"{SERVICE_NS}\"></p:StartService_INPUT>\n")
            .as_bytes(),
    );
    Cmd::to(
        &server,
        &[
            "invoke",
            "StartService",
            &format!("wmicimv2/Win32_Service?Name={name}"),
            &format!("-file:{}", file.display()),
        ],
    )
    .run()
    .ok()
    .line("    ReturnValue = 0");
    let invoke = with_action(&server.requests(), "StartService")[0].clone();
    assert!(
        invoke.body.contains(&format!(
            "<s:Body><p:StartService_INPUT xmlns:p=\"{SERVICE_NS}\"></p:StartService_INPUT>"
        )),
        "the file goes in as it is, minus its XML declaration: {}",
        invoke.body
    );
}

#[test]
fn unknown_method_is_a_fault() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "invoke",
            "FlyToTheMoon",
            "wmicimv2/Win32_Service?Name=Spooler",
        ],
    )
    .run();
    run.code(1)
        .stderr_has("WSManFault")
        .stderr_has("Error number:");
    assert_eq!(run.stdout, "");
}

#[test]
fn both_hash_and_file_is_a_usage_error() {
    let server = listener();
    let dir = TempDir::new("invoke-both");
    let file = dir.write("x.xml", b"<x/>");
    Cmd::to(
        &server,
        &[
            "invoke",
            "StopService",
            "wmicimv2/Win32_Service?Name=Spooler",
            r#"@{A="1"}"#,
            &format!("-file:{}", file.display()),
        ],
    )
    .run()
    .code(2)
    .stderr_has("not both");
    Cmd::to(
        &server,
        &[
            "invoke",
            "StopService",
            "wmicimv2/Win32_Service?Name=Spooler",
            "-file:/nonexistent.xml",
        ],
    )
    .run()
    .code(2)
    .stderr_has("/nonexistent.xml");
    assert!(server.requests().is_empty());
}

#[test]
fn invoke_with_a_utf16_file_body() {
    let server = listener();
    let name = service_in_state(&server, "Stopped");
    let xml = format!(r#"<p:StartService_INPUT xmlns:p="{SERVICE_NS}"/>"#);
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(xml.encode_utf16().flat_map(u16::to_le_bytes));
    let dir = TempDir::new("invoke-utf16");
    let file = dir.write("start.xml", &bytes);
    Cmd::to(
        &server,
        &[
            "invoke",
            "StartService",
            &format!("wmicimv2/Win32_Service?Name={name}"),
            &format!("-file:{}", file.display()),
        ],
    )
    .run()
    .ok()
    .line("    ReturnValue = 0");
    let invoke = with_action(&server.requests(), "StartService")[0].clone();
    assert!(invoke.body.contains(&xml), "{}", invoke.body);
}
