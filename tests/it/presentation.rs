//! What people see beyond the data: tables against the listener and their
//! switches, JSON of a long enumeration, `--array`, colour and NO_COLOR,
//! the progress line (on a pseudo-terminal from script(1)), and the
//! `--debug` trace with its redactions.

use std::process::Command;

use serde_json::Value;

use crate::support::{Cmd, Config, Listener, PASSWORD, listener};

const SERVICE: &str = "wmicimv2/Win32_Service";

#[test]
fn table_picks_key_and_descriptive_columns_to_fit() {
    let server = listener();
    let run = Cmd::to(&server, &["e", SERVICE, "-format:table"])
        .env("COLUMNS", "80")
        .env("LANG", "C.UTF-8")
        .run();
    run.ok();
    let lines = run.lines();
    let header: Vec<&str> = lines[1]
        .split(['│', '┆'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(header[0], "Name", "{}", run.stdout);
    assert!(header.contains(&"State"), "{}", run.stdout);
    assert!(
        lines.iter().all(|l| l.chars().count() <= 80),
        "{}",
        run.stdout
    );
    // Header, rule lines and one row per service.
    assert_eq!(lines.len(), 120 + 4, "{}", run.stdout);
    assert!(lines[3].contains("Spooler"), "{}", lines[3]);
}

#[test]
fn columns_choose_and_order_exactly() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "e",
            SERVICE,
            "-format:table",
            "-columns:state,Name",
            "--max-elements",
            "7",
        ],
    )
    .env("LANG", "C.UTF-8")
    .run();
    run.ok();
    let lines = run.lines();
    assert_eq!(lines[1], "│ State   ┆ Name               │");
    assert_eq!(lines[3], "│ Running ┆ Spooler            │");

    // --property is the same switch.
    let same = Cmd::to(
        &server,
        &["e", SERVICE, "-o", "table", "--property", "state,Name"],
    )
    .env("LANG", "C.UTF-8")
    .run();
    assert_eq!(same.stdout, run.stdout);
}

#[test]
fn a_misspelt_column_warns_and_columns_need_a_table() {
    let server = listener();
    Cmd::to(
        &server,
        &["e", SERVICE, "-format:table", "--columns", "Name,Stat"],
    )
    .run()
    .code(0)
    .stderr_has("no item has the column(s) 'Stat'");
    Cmd::to(&server, &["e", SERVICE, "--columns", "Name"])
        .run()
        .code(2)
        .stderr_has("add -format:table");
}

#[test]
fn get_as_a_table_is_property_value_rows() {
    let server = listener();
    let run = Cmd::to(&server, &["get", "winrm/config", "-format:table"])
        .env("LANG", "C.UTF-8")
        .run();
    run.ok();
    run.stdout_has("│ Client.Auth.Basic ")
        .stdout_has("│ Service.IPv4Filter ")
        .stdout_has("[Source=\"GPO\"]");
}

/// The display width of a line (box drawing and `…` count one column).
fn display_width(line: &str) -> usize {
    line.chars().count()
}

#[test]
fn a_piped_table_with_columns_fits_columns_one_line_per_row() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "e",
            SERVICE,
            "-format:table",
            "--columns",
            "Name,DisplayName,State,StartMode",
        ],
    )
    .env("COLUMNS", "40")
    .env("LANG", "C.UTF-8")
    .run();
    run.ok();
    let lines = run.lines();
    // Top border, header, rule, a line per service, bottom border: no
    // row spills onto a second line.
    assert_eq!(lines.len(), 120 + 4, "{}", run.stdout);
    assert!(
        lines.iter().all(|l| display_width(l) <= 40),
        "{}",
        run.stdout
    );
    let spooler = lines
        .iter()
        .find(|l| l.contains("Spooler"))
        .expect("Spooler's row");
    assert!(spooler.contains("Running"), "{spooler}");
    // Cut cells say so.
    assert!(run.stdout.contains('…'), "{}", run.stdout);
}

#[test]
fn get_as_a_table_fits_columns_and_80_in_a_pipe() {
    let server = listener();
    let get = ["get", "winrm/config", "-format:table"];
    for (columns, width) in [(Some("80"), 80), (Some("50"), 50), (None, 80)] {
        let mut cmd = Cmd::to(&server, &get).env("LANG", "C.UTF-8");
        if let Some(c) = columns {
            cmd = cmd.env("COLUMNS", c);
        }
        let run = cmd.run();
        run.ok();
        assert!(
            run.lines().iter().all(|l| display_width(l) <= width),
            "{width}:\n{}",
            run.stdout
        );
        // Still one line per property, so grep finds it.
        run.stdout_has("│ Client.Auth.Basic ");
    }
}

#[test]
fn borders_are_box_drawing_only_under_a_utf8_locale() {
    let server = listener();
    let table = |env: &[(&str, &str)]| {
        let mut cmd = Cmd::to(
            &server,
            &[
                "e",
                SERVICE,
                "-format:table",
                "--columns",
                "Name,State",
                "--max-elements",
                "3",
            ],
        );
        for (k, v) in env {
            cmd = cmd.env(k, v);
        }
        let run = cmd.run();
        run.ok();
        run.stdout
    };
    let ascii = table(&[("LANG", "C")]);
    assert!(ascii.is_ascii(), "{ascii}");
    assert!(ascii.starts_with("+-"), "{ascii}");
    assert!(ascii.contains("| Spooler "), "{ascii}");
    assert_eq!(table(&[]), ascii, "no locale at all is ASCII too");
    let utf8 = table(&[("LANG", "C.UTF-8")]);
    assert!(utf8.starts_with('┌'), "{utf8}");
    assert!(utf8.contains("│ Spooler "), "{utf8}");
    // LC_ALL, then LC_CTYPE, then LANG.
    assert_eq!(table(&[("LC_ALL", "C"), ("LANG", "C.UTF-8")]), ascii);
    assert_eq!(table(&[("LC_CTYPE", "en_US.utf8"), ("LANG", "C")]), utf8);
}

#[test]
fn an_empty_enumeration_prints_the_chosen_columns_header() {
    let server = listener();
    let none = "-filter:select * from Win32_Service where Name = 'nope'";
    let run = |format: &str, more: &[&str]| {
        let run = Cmd::to(&server, &["e", SERVICE, none, "-format", format])
            .args(more)
            .run();
        run.ok();
        run.stdout
    };
    assert_eq!(
        run("table", &["--columns", "Name,State"]),
        "+------+-------+\n| Name | State |\n+==============+\n+------+-------+\n"
    );
    assert_eq!(run("csv", &["--columns", "Name,State"]), "Name,State\n");
    assert_eq!(run("tsv", &["--columns", "Name,State"]), "Name\tState\n");
    // Without --columns nothing is known about the columns: no output.
    assert_eq!(run("table", &[]), "");
    assert_eq!(run("csv", &[]), "");
}

#[test]
fn csv_of_an_enumeration_is_a_header_and_a_line_per_item() {
    let server = listener();
    let run = Cmd::to(&server, &["e", SERVICE, "-format:csv"]).run();
    run.ok();
    let lines = run.lines();
    assert_eq!(lines.len(), 120 + 1, "{}", run.stdout);
    assert!(
        lines[0].starts_with("Name,DisplayName,State,"),
        "{}",
        lines[0]
    );
    // A value with a comma is quoted, so it stays one field.
    let wuauserv = lines
        .iter()
        .find(|l| l.starts_with("wuauserv,"))
        .expect("a row");
    assert!(
        wuauserv.contains(",\"Finds, downloads and installs updates.\","),
        "{wuauserv}"
    );
    Cmd::to(&server, &["e", SERVICE, "-format:table", "--no-header"])
        .run()
        .code(2)
        .stderr_has("--no-header applies to -format:csv and tsv");
}

#[test]
fn json_of_a_long_enumeration_is_one_valid_array() {
    let server = Listener::start(Config {
        services: 2500,
        ..Config::default()
    })
    .expect("listener");
    let run = Cmd::to(
        &server,
        &["e", SERVICE, "-format:json", "--max-elements", "37"],
    )
    .run();
    run.ok();
    let items: Vec<Value> = serde_json::from_str(&run.stdout).expect("one JSON array");
    assert_eq!(items.len(), 2500);
    assert_eq!(items[2499]["@class"], "Win32_Service");
    let names: std::collections::HashSet<&str> =
        items.iter().filter_map(|i| i["Name"].as_str()).collect();
    assert_eq!(names.len(), 2500, "every item once");
}

#[test]
fn empty_enumeration_is_an_empty_array() {
    let server = listener();
    let run = Cmd::to(
        &server,
        &[
            "e",
            SERVICE,
            "-filter:select * from Win32_Service where Name = 'nope'",
            "-o",
            "json",
        ],
    )
    .run();
    run.ok();
    assert_eq!(run.stdout, "[]\n");
}

#[test]
fn array_forces_single_values_into_arrays() {
    let server = listener();
    let get = [
        "get",
        "wmicimv2/Win32_Service?Name=Spooler",
        "-format:jsonl",
    ];
    let plain: Value = serde_json::from_str(&Cmd::to(&server, &get).run().stdout).expect("JSON");
    assert_eq!(plain["State"], "Running");
    let run = Cmd::to(&server, &get)
        .args(&["--array", "state,name"])
        .run();
    let forced: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(forced["State"], serde_json::json!(["Running"]));
    assert_eq!(forced["Name"], serde_json::json!(["Spooler"]));
    Cmd::to(&server, &["get", "winrm/config", "--array", "X"])
        .run()
        .code(2)
        .stderr_has("--array applies to");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_and_never_with_no_color() {
    let server = listener();
    let get = ["get", "wmicimv2/Win32_Service?Name=Spooler"];
    let piped = Cmd::to(&server, &get).args(&["-o", "json"]).run();
    assert!(!piped.stdout.contains('\x1b'), "no colour in a pipe");
    let always = Cmd::to(&server, &get)
        .args(&["-o", "json", "--color", "always"])
        .run();
    assert!(
        always.stdout.contains("\x1b[1;34m\"State\"\x1b[0m"),
        "{}",
        always.stdout
    );
    let no_color = Cmd::to(&server, &get)
        .args(&["-o", "json", "--color", "always"])
        .env("NO_COLOR", "1")
        .run();
    assert!(!no_color.stdout.contains('\x1b'), "NO_COLOR wins");
    Cmd::to(&server, &get)
        .args(&["--color", "sometimes"])
        .run()
        .code(2)
        .stderr_has("choose auto, always or never");
}

/// Runs `winrm ARGS` under script(1), so stdout and stderr are a terminal;
/// returns what the terminal showed. `None` without script(1) outside CI.
fn on_a_terminal(shell_command: &str, env: &[(&str, &str)]) -> Option<String> {
    if Command::new("script").arg("--version").output().is_err() {
        assert!(std::env::var("CI").is_err(), "script(1) is missing in CI");
        eprintln!("\n*** SKIPPED: script(1) is not installed; terminal behaviour NOT tested ***\n");
        return None;
    }
    let mut command = Command::new("script");
    command
        .args(["-qec", shell_command, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERM", "xterm");
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().expect("run script");
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn a_terminal_gets_colour_unless_no_color() {
    let server = listener();
    let line = format!(
        "'{}' get wmicimv2/Win32_Service?Name=Spooler -r:{} -u:demo -a:basic -unencrypted",
        env!("CARGO_BIN_EXE_winrm"),
        server.http_url()
    );
    let env = [("WINRM_PASSWORD", PASSWORD)];
    let Some(shown) = on_a_terminal(&line, &env) else {
        return;
    };
    assert!(
        shown.contains("\x1b[1;34mState\x1b[0m = Running"),
        "{shown:?}"
    );
    let env = [("WINRM_PASSWORD", PASSWORD), ("NO_COLOR", "1")];
    let shown = on_a_terminal(&line, &env).unwrap_or_default();
    assert!(!shown.contains('\x1b'), "{shown:?}");
    assert!(shown.contains("State = Running"), "{shown:?}");
}

#[test]
fn progress_shows_on_a_terminal_only_while_stdout_is_elsewhere() {
    // 20 pages, each 50 ms late: a second in all, well past the half
    // second after which the line appears, however fast the machine.
    let server = Listener::start(Config {
        services: 400,
        reply_delay: std::time::Duration::from_millis(50),
        ..Config::default()
    })
    .expect("listener");
    let line = format!(
        "'{}' e {SERVICE} -r:{} -u:demo -a:basic -unencrypted --max-elements 20 -o jsonl > /dev/null",
        env!("CARGO_BIN_EXE_winrm"),
        server.http_url()
    );
    let env = [("WINRM_PASSWORD", PASSWORD)];
    let Some(shown) = on_a_terminal(&line, &env) else {
        return;
    };
    assert!(shown.contains(" items, "), "{shown:?}");
    assert!(shown.contains(" pages…"), "{shown:?}");
    // The line is erased at the end.
    assert!(shown.ends_with("\r\x1b[K"), "{shown:?}");
    // In a pipe, never.
    let piped = Cmd::to(
        &server,
        &["e", SERVICE, "--max-elements", "20", "-o", "jsonl"],
    )
    .run();
    piped.ok();
    assert_eq!(piped.stderr, "");
}

#[test]
fn debug_traces_each_exchange_with_credentials_redacted() {
    let server = listener();
    for switch in ["--debug", "-v", "-debug"] {
        let run = Cmd::to(
            &server,
            &["get", "wmicimv2/Win32_Service?Name=Spooler", switch],
        )
        .run();
        run.code(0).hides(PASSWORD);
        run.stderr_has("> POST http://127.0.0.1:")
            .stderr_has("> Authorization: Basic [redacted]")
            .stderr_has("transfer/Get</a:Action>")
            .stderr_has("< HTTP 200")
            .stderr_has("<p:State>Running</p:State>");
        // The trace is on stderr only: stdout is the usual result.
        run.line("Win32_Service");
    }
}

#[test]
fn debug_hides_a_password_inside_a_body_and_traces_failures() {
    let server = listener();
    // The password appears in a request body here (an odd but possible
    // thing to type); the trace must not show it.
    let run = Cmd::to(
        &server,
        &[
            "invoke",
            "Change",
            "wmicimv2/Win32_Service?Name=Spooler",
            &format!("@{{StartPassword=\"{PASSWORD}\"}}"),
            "--debug",
        ],
    )
    .run();
    run.hides(PASSWORD);
    run.stderr_has("<p:StartPassword>[redacted]</p:StartPassword>");
    let refused = Cmd::new(&["id", "-r:http://127.0.0.1:9/wsman", "-a:none", "--debug"]).run();
    refused.code(4).stderr_has("< no reply: ");
}

#[test]
fn errors_are_json_when_json_was_asked_for() {
    let run = Cmd::new(&[
        "id",
        "-r:http://127.0.0.1:9/wsman",
        "-a:none",
        "-o",
        "jsonl",
    ])
    .run();
    run.code(4);
    let error: Value = serde_json::from_str(run.stderr.trim()).expect("JSON error");
    assert_eq!(error["error"]["kind"], "connection");
    assert_eq!(error["error"]["exitCode"], 4);
    assert!(error["error"]["hint"].is_string(), "{error}");
}

#[test]
fn color_governs_stderr_too() {
    let refused = ["get", "winrm/config", "-r:127.0.0.1:1", "-a:none"];
    // In a pipe: plain unless asked.
    let plain = Cmd::new(&refused).run();
    plain.code(4);
    assert!(!plain.stderr.contains('\x1b'), "{:?}", plain.stderr);
    let always = Cmd::new(&refused).args(&["--color", "always"]).run();
    assert!(
        always.stderr.contains("\x1b[1;31merror:\x1b[0m")
            && always.stderr.contains("\x1b[36mhint:\x1b[0m"),
        "{:?}",
        always.stderr
    );
    let no_color = Cmd::new(&refused)
        .args(&["--color", "always"])
        .env("NO_COLOR", "1")
        .run();
    assert!(!no_color.stderr.contains('\x1b'), "NO_COLOR wins");
    // On a terminal: coloured unless told never.
    let line = format!(
        "'{}' get winrm/config -r:127.0.0.1:1 -a:none",
        env!("CARGO_BIN_EXE_winrm")
    );
    let Some(shown) = on_a_terminal(&line, &[]) else {
        return;
    };
    assert!(shown.contains("\x1b[1;31merror:"), "{shown:?}");
    let shown = on_a_terminal(&format!("{line} --color never"), &[]).unwrap_or_default();
    assert!(!shown.contains('\x1b'), "{shown:?}");
    assert!(shown.contains("winrm: error: cannot connect"), "{shown:?}");
}

#[test]
fn the_password_prompt_uses_the_terminal_when_stdin_is_a_pipe() {
    use std::io::Write as _;
    use std::process::Stdio;
    if Command::new("script").arg("--version").output().is_err() {
        assert!(std::env::var("CI").is_err(), "script(1) is missing in CI");
        return;
    }
    let server = listener();
    // Inside script(1) there is a controlling terminal, but winrm's stdin
    // is a pipe (`true | winrm ...`), as in `while read h; do ...; done`.
    let line = format!(
        "true | '{}' get winrm/config/client -r:{} -u:demo -a:basic -unencrypted --color never",
        env!("CARGO_BIN_EXE_winrm"),
        server.http_url()
    );
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run script");
    let mut typed = child.stdin.take().expect("stdin");
    typed
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .expect("type");
    drop(typed);
    let output = child.wait_with_output().expect("output");
    let shown = String::from_utf8_lossy(&output.stdout).replace('\r', "");
    assert!(shown.contains("Password for demo at "), "{shown}");
    assert!(shown.contains("NetworkDelayms = 5000"), "{shown}");
}
