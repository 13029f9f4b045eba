//! The jq one-liners in `winrm help json` and the README run, as written,
//! against the simulated listener, and print what the docs say they print.
//! `winrm` on the PATH is a wrapper adding the listener's address and
//! credentials, so the examples stay as a user types them.
//!
//! jq comes from Debian's package (.ci/run installs it). Without it the
//! test says so loudly and passes, except in CI (CI=true), where a missing
//! jq is a failure.

use std::path::Path;
use std::process::Command;

use crate::support::{Cmd, TempDir, listener};

/// One documented example: the shell command and the lines it prints.
#[derive(Debug)]
struct Example {
    command: String,
    expected: Vec<String>,
}

/// Finds `$ winrm ... | jq ...` examples: continuation lines follow a line
/// ending in `|`; the expected output runs to the next blank line or fence.
fn examples(text: &str) -> Vec<Example> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(start) = lines[i].trim_start().strip_prefix("$ winrm ") else {
            i += 1;
            continue;
        };
        let mut command = format!("winrm {}", start.trim_end());
        i += 1;
        while command.ends_with('|') && i < lines.len() {
            command.push(' ');
            command.push_str(lines[i].trim());
            i += 1;
        }
        let mut expected = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() && !lines[i].starts_with("```") {
            expected.push(lines[i].trim().to_string());
            i += 1;
        }
        if command.contains("| jq") {
            found.push(Example { command, expected });
        }
    }
    found
}

fn have_jq() -> bool {
    let present = Command::new("jq")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        assert!(
            std::env::var("CI").is_err(),
            "jq is missing in CI: .ci/run must install it (apt-get install jq)"
        );
        eprintln!(
            "\n*** SKIPPED: jq is not installed; the documented jq one-liners were NOT run ***\n"
        );
    }
    present
}

fn run_examples(source: &str, text: &str) {
    let examples = examples(text);
    assert!(examples.len() >= 5, "{source}: found {examples:?}");
    let server = listener();
    let bin = TempDir::new("docs-bin");
    let wrapper = format!(
        "#!/bin/sh\nexec '{}' \"$@\" -r:{} -a:basic -unencrypted\n",
        env!("CARGO_BIN_EXE_winrm"),
        server.http_url()
    );
    let path = bin.write("winrm", wrapper.as_bytes());
    make_executable(&path);
    let search = format!(
        "{}:{}",
        path.parent().map(Path::display).expect("a folder"),
        std::env::var("PATH").unwrap_or_default()
    );
    for example in examples {
        let output = Command::new("sh")
            .arg("-c")
            .arg(&example.command)
            .env_clear()
            .env("PATH", &search)
            .env("WINRM_USER", "demo")
            .env("WINRM_PASSWORD", "demo-pass")
            .output()
            .expect("run sh");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let got: Vec<&str> = stdout.lines().collect();
        assert!(
            output.status.success() && got == example.expected,
            "{source}: {}\nexpected {:?}\ngot {:?} (status {})\nstderr: {}",
            example.command,
            example.expected,
            got,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn help_json_one_liners_work() {
    if !have_jq() {
        return;
    }
    let help = Cmd::new(&["help", "json"]).run();
    help.ok();
    run_examples("winrm help json", &help.stdout);
}

#[test]
fn readme_one_liners_work() {
    if !have_jq() {
        return;
    }
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    run_examples("README.md", &readme);
}

#[test]
fn examples_are_found_with_their_output() {
    let text = "  $ winrm g x -format:json |\n    jq .A\n  one\n  two\n\n  $ winrm id\n";
    let found = examples(text);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].command, "winrm g x -format:json | jq .A");
    assert_eq!(found[0].expected, ["one", "two"]);
}
