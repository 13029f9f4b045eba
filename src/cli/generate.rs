//! `winrm generate`: the man pages and shell completions, written to stdout
//! from the clap definition, for packagers and for the committed copies in
//! completions/ and man/ (tests/it/generated.rs checks those are current).
//!
//! The man pages are written by the `man` module; this one picks what to
//! write and prepares the command line for the completion generators. No
//! network, no files.

use std::io::Write;

use clap::builder::PossibleValuesParser;
use clap::{Arg, Command, CommandFactory as _};
use clap_complete::Shell;
use winrm::render::Format;
use winrm::transport::Method;

use super::args::{Cli, Generated};
use super::{UsageError, help};

mod man;

/// Writes what `kind` names to `out`; `verb` picks a verb's own man page.
///
/// # Errors
///
/// A verb that does not exist (or is given to a completion script), or a
/// failed write.
pub fn write(kind: Generated, verb: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    let shell = match kind {
        Generated::Man => return man::write(verb, out),
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
