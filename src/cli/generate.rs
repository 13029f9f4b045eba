//! `winrm generate`: the man pages and shell completions, written to stdout
//! from the clap definition, for packagers and for the committed copies in
//! completions/ and man/ (tests/it/generated.rs checks those are current).
//!
//! The man page adds, after what clap knows, the verbs with their aliases,
//! every winrm.cmd spelling from compat's switch table, and the help topics
//! on formats, JSON, exit codes and the environment. No network, no files.

use std::io::Write;

use clap::builder::PossibleValuesParser;
use clap::{Arg, Command, CommandFactory as _};
use clap_complete::Shell;
use winrm::render::Format;
use winrm::transport::Method;

use super::args::{Cli, Generated};
use super::{UsageError, compat, help};

/// Writes what `kind` names to `out`; `verb` picks a verb's own man page.
///
/// # Errors
///
/// A verb that does not exist (or is given to a completion script), or a
/// failed write.
pub fn write(kind: Generated, verb: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    let shell = match kind {
        Generated::Man => return man(verb, out),
        Generated::CompleteBash => Shell::Bash,
        Generated::CompleteZsh => Shell::Zsh,
        Generated::CompleteFish => Shell::Fish,
        Generated::CompletePowershell => Shell::PowerShell,
        Generated::CompleteElvish => Shell::Elvish,
    };
    if verb.is_some() {
        return Err(UsageError::new(
            "a completion script covers every verb; name a verb only with 'winrm generate man'",
        )
        .into());
    }
    // Into memory first: clap_complete panics when its writer fails, and a
    // closed pipe must end the run quietly instead.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut for_completion(), "winrm", &mut script);
    if shell == Shell::Bash {
        script = bash_fixups(&String::from_utf8_lossy(&script)).into_bytes();
    }
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}

/// The command line as a completion script should offer it: without the
/// hidden verbs and switches (the generators list them all), and with the
/// values each option takes.
///
/// Clap has no way to drop an argument or a verb, so the commands are built
/// again from the visible parts. The values are set here and not in args.rs
/// because a value parser there would also validate: the plan stage checks
/// these strings itself, with its own messages.
fn for_completion() -> Command {
    let full = Cli::command();
    let hidden: Vec<&str> = full
        .get_subcommands()
        .filter(|v| v.is_hide_set())
        .map(Command::get_name)
        .collect();
    let mut command = visible(&full, &hidden).disable_help_subcommand(true);
    if let Some(version) = full.get_version() {
        command = command.version(leak(version));
    }
    command
}

/// A copy of `command` with only its visible arguments and verbs, each
/// argument given its completion values.
fn visible(command: &Command, hidden_verbs: &[&str]) -> Command {
    let mut copy = Command::new(leak(command.get_name()))
        .visible_aliases(command.get_visible_aliases().map(leak))
        .args(
            command
                .get_arguments()
                .filter(|a| !a.is_hide_set())
                .map(|a| with_values(a.clone(), hidden_verbs)),
        )
        .subcommands(
            command
                .get_subcommands()
                .filter(|v| !v.is_hide_set())
                .map(|v| visible(v, hidden_verbs)),
        );
    if let Some(about) = command.get_about() {
        copy = copy.about(about.clone());
    }
    copy
}

/// Clap (without its `string` feature) names commands only with `'static`
/// strings; this process writes one script and exits, so the few names it
/// copies may as well live until then.
fn leak(name: &str) -> &'static str {
    Box::leak(name.to_owned().into_boxed_str())
}

/// `arg` with the words a shell should offer for its value, when there is a
/// fixed list: the library's own tables where it has one, else the words
/// the plan stage (src/cli/plan/) accepts.
fn with_values(arg: Arg, hidden_verbs: &[&str]) -> Arg {
    let values: Vec<&'static str> = match arg.get_id().as_str() {
        "auth" => Method::ALL.iter().map(|(_, n)| *n).collect(),
        "format" => Format::ALL.iter().map(|(_, n)| *n).collect(),
        "color" => vec!["auto", "always", "never"],
        "return_type" => vec!["object", "epr", "objectandepr"],
        "encoding" => vec!["utf-8", "utf-16"],
        // Topics that name a verb hidden from completion stay unoffered.
        "topic" => help::TOPICS
            .iter()
            .copied()
            .filter(|t| !hidden_verbs.contains(t))
            .collect(),
        _ => return arg,
    };
    arg.value_parser(PossibleValuesParser::new(values))
}

/// Bash, beyond what clap_complete writes: words that are not options
/// (verbs, help topics) come first, as they are what is usually typed
/// there, and host name options complete host names (the generator offers
/// files for them).
fn bash_fixups(script: &str) -> String {
    let mut fixed = String::with_capacity(script.len());
    for line in script.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let Some(words) = trimmed
            .trim_end()
            .strip_prefix("opts=\"")
            .and_then(|w| w.strip_suffix('"'))
        else {
            fixed.push_str(line);
            continue;
        };
        let indent = &line[..line.len() - trimmed.len()];
        let (options, others): (Vec<&str>, Vec<&str>) =
            words.split(' ').partition(|w| w.starts_with('-'));
        let words: Vec<&str> = others.into_iter().chain(options).collect();
        fixed.push_str(&format!("{indent}opts=\"{}\"\n", words.join(" ")));
    }
    for host in ["--remote", "--kdc"] {
        fixed = fixed.replace(
            &format!("{host})\n                    COMPREPLY=($(compgen -f \"${{cur}}\"))"),
            &format!(
                "{host})\n                    COMPREPLY=($(compgen -A hostname -- \"${{cur}}\"))"
            ),
        );
    }
    fixed
}

/// winrm.1, or winrm-VERB.1 for one visible verb.
fn man(verb: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    let command = Cli::command();
    if let Some(verb) = verb {
        let visible = || command.get_subcommands().filter(|s| !s.is_hide_set());
        let Some(sub) = visible().find(|s| s.get_name() == verb) else {
            let names: Vec<&str> = visible().map(clap::Command::get_name).collect();
            return Err(UsageError::new(format!(
                "no man page for verb '{verb}'; choose one of: {}",
                names.join(", ")
            ))
            .into());
        };
        let name = format!("winrm-{}", sub.get_name());
        let page = sub
            .clone()
            .display_name(name)
            .bin_name(format!("winrm {}", sub.get_name()));
        clap_mangen::Man::new(page).render(out)?;
        out.flush()?;
        return Ok(());
    }
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    man.render_extra_section(out)?;
    out.write_all(extra_sections(&command).as_bytes())?;
    man.render_version_section(out)?;
    out.flush()?;
    Ok(())
}

/// Sections of winrm.1 beyond what clap knows: the verbs' aliases,
/// winrm.cmd's switch spellings, and the help topics on output formats, the
/// JSON shape, exit codes and the environment.
fn extra_sections(command: &clap::Command) -> String {
    let mut roff = String::from(".SH \"VERBS AND ALIASES\"\n.nf\n");
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
    roff.push_str(".fi\n.SH \"WINRM.CMD SWITCHES\"\n");
    roff.push_str(
        "Every switch may also be written as winrm.cmd writes it: \\fB\\-name:value\\fR or \
         \\fB/name:value\\fR, in any case, where name is the long option (\\fB\\-use\\-ssl\\fR), \
         the long option in one word (\\fB\\-usessl\\fR) or one of winrm.cmd's short forms. \
         Each spelling and the option it stands for:\n",
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
        let text = help::topic(topic).unwrap_or_default();
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
    roff
}
