//! Shell completions (completions/) and man pages (man/) are generated from
//! the clap definition in src/cli/args.rs and committed. This test fails
//! when they are stale; `SNAPSHOTS=overwrite cargo test --test it generated`
//! rewrites them.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

#[path = "../../src/cli/args.rs"]
#[allow(dead_code)]
mod args;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every generated file with what it should hold now.
fn expected() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for (shell, name) in [
        (Shell::Bash, "winrm.bash"),
        (Shell::Zsh, "_winrm"),
        (Shell::Fish, "winrm.fish"),
        (Shell::PowerShell, "winrm.ps1"),
    ] {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut args::Cli::command(), "winrm", &mut out);
        files.push((root().join("completions").join(name), out));
    }
    let command = args::Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut page)
        .expect("render winrm.1");
    files.push((root().join("man/winrm.1"), page));
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("winrm-{}", sub.get_name());
        let mut page = Vec::new();
        let verb = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("winrm {}", sub.get_name()));
        clap_mangen::Man::new(verb)
            .render(&mut page)
            .expect("render a verb's page");
        files.push((root().join("man").join(format!("{name}.1")), page));
    }
    files
}

#[test]
fn generated_completions_and_man_pages_are_current() {
    let overwrite = std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite");
    let mut stale = Vec::new();
    for (path, contents) in expected() {
        let current = std::fs::read(&path).unwrap_or_default();
        if current == contents {
            continue;
        }
        if overwrite {
            std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
                .expect("create the folder");
            std::fs::write(&path, &contents).expect("write a generated file");
        } else {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run `SNAPSHOTS=overwrite cargo test --test it generated`): {stale:?}"
    );
}
