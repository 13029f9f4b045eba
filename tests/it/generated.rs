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

#[path = "../../src/cli/help.rs"]
#[allow(dead_code)]
mod help;

#[path = "../../src/cli/compat.rs"]
#[allow(dead_code)]
mod compat;

/// Sections of winrm.1 beyond what clap knows: winrm.cmd's switch
/// spellings, the output formats and JSON shape, exit codes and the
/// environment, taken from the same help topics `winrm help` prints.
fn extra_sections(out: &mut Vec<u8>, command: &clap::Command) {
    let mut roff = String::new();
    roff.push_str(".SH \"VERBS AND ALIASES\"\n.nf\n");
    for verb in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let aliases: Vec<&str> = verb.get_visible_aliases().collect();
        let about = verb.get_about().map(|a| a.to_string()).unwrap_or_default();
        let aliases = if aliases.is_empty() {
            String::new()
        } else {
            format!(" ({})", aliases.join(", "))
        };
        roff.push_str(&format!("  {}{aliases}: {about}\n", verb.get_name()));
    }
    roff.push_str(".fi\n");
    roff.push_str(".SH \"WINRM.CMD SWITCHES\"\n");
    roff.push_str(
        "Every switch may also be written as winrm.cmd writes it: \\fB\\-name:value\\fR or \
         \\fB/name:value\\fR, in any case. Each spelling and the option it stands for:\n",
    );
    roff.push_str(".nf\n");
    for switch in compat::switches() {
        for name in &switch.names {
            roff.push_str(&format!("  \\-{name:<22} \\-\\-{}\n", switch.long));
        }
    }
    roff.push_str(".fi\n");
    for (title, topic) in [
        ("OUTPUT FORMATS", "formats"),
        ("JSON OUTPUT", "json"),
        ("EXIT STATUS", "exit"),
        ("ENVIRONMENT", "env"),
    ] {
        let text = help::topic(topic).expect("a help topic");
        roff.push_str(&format!(".SH \"{title}\"\n.nf\n"));
        // The topic's first line is its own heading; the section has one.
        for line in text.lines().skip(1) {
            let line = line.replace('\\', "\\e");
            if line.starts_with(['.', '\'']) {
                roff.push_str("\\&");
            }
            roff.push_str(&line);
            roff.push('\n');
        }
        roff.push_str(".fi\n");
    }
    out.extend_from_slice(roff.as_bytes());
}

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
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(&mut page).expect("render winrm.1");
    man.render_name_section(&mut page).expect("render winrm.1");
    man.render_synopsis_section(&mut page)
        .expect("render winrm.1");
    man.render_description_section(&mut page)
        .expect("render winrm.1");
    man.render_options_section(&mut page)
        .expect("render winrm.1");
    man.render_subcommands_section(&mut page)
        .expect("render winrm.1");
    man.render_extra_section(&mut page).expect("render winrm.1");
    extra_sections(&mut page, &command);

    man.render_version_section(&mut page)
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
