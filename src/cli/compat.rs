//! Rewrites winrm.cmd's switch syntax (`-r:HOST`, `/u:NAME`, `-unencrypted`,
//! `-format:#pretty`) into the GNU long options the clap definition understands
//! (`--remote=HOST`, `--username=NAME`, ...), before clap sees argv.
//!
//! The switch table is not kept here: [`switches`] derives it from clap's own
//! metadata for [`Cli`] (each long option, its aliases, whether it takes a
//! value), so a new option in args.rs gets its winrm.cmd spellings with no
//! second list to update. This module does not check values, does not know
//! which operation allows which switch, and leaves positionals (operations,
//! resource URIs, `@{...}` hashes, negative error codes) exactly as they were.

use std::ffi::OsString;
use std::fmt;
use std::sync::OnceLock;

use clap::{ArgAction, CommandFactory as _};

use super::args::Cli;

/// A switch that cannot be translated; `message` says why and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompatError {
    /// A lowercase phrase; never contains the switch's value (it may be a password).
    pub message: String,
}

impl fmt::Display for CompatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CompatError {}

/// One long option of the clap definition, with the winrm.cmd spellings
/// derived from it.
#[derive(Debug)]
pub struct Switch {
    /// The GNU long name clap knows (`use-ssl`); every spelling becomes
    /// `--long` or `--long=VALUE`.
    pub long: String,
    /// Every winrm.cmd name, matched in any case, never empty: first the
    /// one-word form of the long name (`usessl`; an alias that differs from
    /// it only in case, such as `skipCAcheck`, gives it its capitals), then
    /// the long name itself when it has dashes, then the other clap aliases.
    pub names: Vec<String>,
    /// The value's placeholder (`HOST|URL`), or `None` for a flag.
    pub value: Option<String>,
    /// The GNU short option (`o` for `-o FORMAT`), if any.
    pub short: Option<char>,
    /// The clap aliases, which clap also accepts as `--alias`.
    pub aliases: Vec<String>,
    /// The option's help text, as `--help` shows it.
    pub help: String,
    /// Hidden from `--help`: accepted for winrm.cmd scripts.
    pub hidden: bool,
    /// The verbs that take the switch; empty for the global ones.
    pub verbs: Vec<String>,
}

impl Switch {
    /// The name error messages and help print: `remote`, `usessl`, `skipCAcheck`.
    pub fn name(&self) -> &str {
        self.names
            .first()
            .map_or(self.long.as_str(), String::as_str)
    }

    fn from_arg(arg: &clap::Arg, long: &str, verb: Option<&str>) -> Switch {
        let aliases: Vec<String> = arg
            .get_all_aliases()
            .unwrap_or_default()
            .into_iter()
            .map(String::from)
            .collect();
        // winrm.cmd writes its switches as one word (-skipCAcheck, -usessl).
        let one_word = long.replace('-', "");
        let first = aliases
            .iter()
            .find(|a| a.eq_ignore_ascii_case(&one_word))
            .cloned()
            .unwrap_or(one_word);
        let mut names = vec![first];
        for name in std::iter::once(long).chain(aliases.iter().map(String::as_str)) {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                names.push(name.to_string());
            }
        }
        // Clap prints a value without a value_name as its id in capitals.
        let value = arg.get_action().takes_values().then(|| {
            arg.get_value_names()
                .and_then(|names| names.first())
                .map_or_else(
                    || arg.get_id().as_str().to_ascii_uppercase(),
                    |n| n.to_string(),
                )
        });
        Switch {
            long: long.to_string(),
            names,
            value,
            short: arg.get_short(),
            aliases,
            help: arg.get_help().map(ToString::to_string).unwrap_or_default(),
            hidden: arg.is_hide_set(),
            verbs: verb.map(String::from).into_iter().collect(),
        }
    }
}

/// Every long option of the clap definition, as winrm.cmd may spell it: the
/// global options in definition order, then each verb's, each option once
/// (with every verb that takes it). Built on first use.
pub fn switches() -> &'static [Switch] {
    static TABLE: OnceLock<Vec<Switch>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let command = Cli::command();
        let mut table = Vec::new();
        add_switches(&command, None, &mut table);
        for verb in command.get_subcommands() {
            add_switches(verb, Some(verb.get_name()), &mut table);
        }
        table
    })
}

/// Adds a command's long options to the table (clap's own help and version
/// stay out: `-?` is winrm.cmd's spelling for help).
fn add_switches(command: &clap::Command, verb: Option<&str>, table: &mut Vec<Switch>) {
    for arg in command.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if matches!(
            arg.get_action(),
            ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version
        ) {
            continue;
        }
        match table.iter_mut().find(|s| s.long == long) {
            Some(known) => known.verbs.extend(verb.map(String::from)),
            None => table.push(Switch::from_arg(arg, long, verb)),
        }
    }
}

/// The switch whose GNU long name is `long`.
pub fn switch(long: &str) -> Option<&'static Switch> {
    switches().iter().find(|s| s.long == long)
}

/// Every verb and alias, visible or hidden, in lowercase.
fn verbs() -> &'static [String] {
    static VERBS: OnceLock<Vec<String>> = OnceLock::new();
    VERBS.get_or_init(|| {
        let command = Cli::command();
        command
            .get_subcommands()
            .flat_map(|verb| {
                let aliases = verb.get_all_aliases().map(str::to_ascii_lowercase);
                std::iter::once(verb.get_name().to_ascii_lowercase()).chain(aliases)
            })
            .collect()
    })
}

/// The GNU short options, of flags (with clap's `-h` and `-V`) and of
/// options that take a value (`-o`); winrm.cmd never spells these.
fn gnu_shorts() -> (Vec<char>, Vec<char>) {
    let mut flags = vec!['h', 'V'];
    let mut values = Vec::new();
    for switch in switches() {
        match (switch.short, &switch.value) {
            (Some(c), None) => flags.push(c),
            (Some(c), Some(_)) => values.push(c),
            (None, _) => {}
        }
    }
    (flags, values)
}

/// winrm.cmd strips one pair of double quotes around a switch value
/// (`-filter:"select ..."` pasted inside single quotes keeps them on Unix)
/// and refuses an opening quote without a closing one.
fn unquote<'v>(name: &str, value: &'v str) -> Result<&'v str, CompatError> {
    match value.strip_prefix('"') {
        None => Ok(value),
        Some(rest) => rest.strip_suffix('"').ok_or_else(|| {
            message(format!(
                "the value of '-{name}' opens a double quote but does not close it"
            ))
        }),
    }
}

/// Whether `--long` takes its value as the next word (`--remote HOST`).
/// Anything that looks like a password option counts, even misspelt or in
/// capitals (`--pass`, `--PASSWORD`): clap will refuse the option, and the
/// word after it must not be echoed as an unknown switch.
fn takes_value(long: &str) -> bool {
    long.to_ascii_lowercase().contains("pass")
        || switches()
            .iter()
            .any(|s| s.value.is_some() && (s.long == long || s.aliases.iter().any(|a| a == long)))
}

/// The long option a winrm.cmd switch name (or alias) maps to: `p` →
/// `password`. For help topics named by a switch.
pub fn long_name(name: &str) -> Option<&'static str> {
    lookup(name).map(|s| s.long.as_str())
}

/// Rewrites winrm.cmd switches to GNU long options. Input: argv WITHOUT the
/// program name. Output: the rewritten argv.
///
/// `-name[:value]` and `/name[:value]` become `--long` or `--long=value`
/// (everything after the first `:` is the value, case kept); `-?` and `/?`
/// become `--help`. Tokens starting with `--`, `-` alone, `-` followed by a
/// digit, non-UTF-8 tokens, `/` tokens with unknown names (paths) and our own
/// short options (`-h`, `-V`, `-v`, `-o`) pass through; so do the value
/// after a GNU option that takes one, everything after `help`, and
/// everything after a bare `--`. The verb is lowercased (winrm.cmd matches
/// it in any case) and `@{...}` input moves to the end.
///
/// # Errors
///
/// An unknown `-name`, a value switch without `:value`, or a flag given one.
/// The message names the switch but never repeats its value.
pub fn normalize(args: Vec<OsString>) -> Result<Vec<OsString>, CompatError> {
    let mut out = Vec::with_capacity(args.len());
    let mut hashes = Vec::new();
    let mut verbatim = false;
    let mut value_next = false;
    let mut seen_verb = false;
    // After `exec`, the first word that is not a switch starts the remote
    // command: it and everything after it are the command's, untouched
    // (`ipconfig /all` keeps its `/all`), as winrs.exe reads its line.
    let mut command_follows = false;
    // A winrm.cmd switch written without its value, waiting for the next word.
    let mut awaiting: Option<String> = None;
    for arg in args {
        let Some(token) = arg.to_str() else {
            value_next = false;
            awaiting = None;
            if command_follows && !verbatim {
                verbatim = true;
                out.push(OsString::from("--"));
            }
            out.push(arg);
            continue;
        };
        if verbatim {
            out.push(arg);
            continue;
        }
        // The word after `--password`, `-o`... is a value, whatever it
        // looks like (a password may start with '-'): never rewritten,
        // never echoed in an error.
        if value_next {
            value_next = false;
            awaiting = None;
            out.push(arg);
            continue;
        }
        if token == "--" {
            verbatim = true;
            out.push(arg);
            continue;
        }
        if let Some(long) = token.strip_prefix("--") {
            value_next = !long.contains('=') && takes_value(long);
            out.push(arg);
            continue;
        }
        if is_value_short(token) {
            value_next = true;
            out.push(arg);
            continue;
        }
        if command_follows && !token.starts_with(['-', '/']) {
            verbatim = true;
            out.push(OsString::from("--"));
            out.push(arg);
            continue;
        }
        // `@{...}` input may stand anywhere after the verb, as in winrm.cmd;
        // it goes last, after the resource URI, where clap expects it.
        if token.trim_start().starts_with("@{") {
            hashes.push(arg);
            continue;
        }
        if !token.starts_with(['-', '/']) {
            if !seen_verb {
                seen_verb = true;
                // winrm.cmd matches the verb in any case (`winrm GET`).
                let lower = token.to_ascii_lowercase();
                if verbs().contains(&lower) {
                    // After `help`, a switch name is the topic: `help -r:`.
                    value_next = lower == "help";
                    command_follows = matches!(lower.as_str(), "exec" | "x" | "shell");

                    out.push(OsString::from(lower));
                    continue;
                }
            }
            out.push(arg);
            continue;
        }
        match rewrite(token)? {
            None => out.push(arg),
            // `-r host`: the next word is the value, as GNU short
            // options take theirs.
            Some(Rewritten::ValueNext(long)) => {
                value_next = true;
                awaiting = Some(token.to_string());
                out.push(OsString::from(long));
            }
            Some(Rewritten::Whole(text)) => out.push(OsString::from(text)),
        }
    }
    if let Some(token) = awaiting {
        let name = token.trim_start_matches(['-', '/']);
        if let Some(switch) = lookup(name) {
            let shown = switch.name();
            let placeholder = switch.value.as_deref().unwrap_or("VALUE");
            return Err(message(format!(
                "switch '-{shown}' needs a value, e.g. -{shown}:{placeholder}"
            )));
        }
    }
    out.extend(hashes);
    Ok(out)
}

/// Whether the command line runs `exec` (its verb is the first word that
/// is neither a switch nor a switch's value), read before it is parsed so
/// that even a usage error exits as exec's do.
pub fn names_exec(args: &[OsString]) -> bool {
    let mut value_next = false;
    for token in args.iter().filter_map(|a| a.to_str()) {
        if std::mem::take(&mut value_next) {
            continue;
        }
        if let Some(long) = token.strip_prefix("--") {
            value_next = !long.contains('=') && takes_value(long);
            continue;
        }
        if is_value_short(token) {
            value_next = true;
            continue;
        }
        if !token.starts_with(['-', '/']) && !token.starts_with("@{") {
            let verb = token.to_ascii_lowercase();
            return matches!(verb.as_str(), "exec" | "x" | "shell");
        }
    }
    false
}

/// Translates one token, or returns `None` to keep it as it is.
/// A winrm.cmd switch in clap's terms.
enum Rewritten {
    /// The whole option, value included (`--remote=host`).
    Whole(String),
    /// The option, whose value is the next word (`-r host`).
    ValueNext(String),
}

fn rewrite(token: &str) -> Result<Option<Rewritten>, CompatError> {
    let body = match token.strip_prefix(['-', '/']) {
        Some(body) if !body.starts_with('-') => body,
        _ => return Ok(None),
    };
    let slash = token.starts_with('/');
    // winrm.cmd writes `-r:host`; `-r=host` is the GNU habit. Whichever
    // comes first separates the name (`-env:A=B`, `-r=h:5985`).
    let (name, value) = match body.find([':', '=']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let name_only = lookup(name).is_some() && value.is_none();
    // A digit means a negative number (`winrm helpmsg -2144108526`); an empty
    // or odd name is not ours to judge, so clap gets it unchanged.
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '?') {
        return Ok(None);
    }
    if name == "?" {
        return match value {
            None => Ok(Some(Rewritten::Whole("--help".to_string()))),
            Some(_) => Err(message("switch '-?' takes no value")),
        };
    }
    if let Some(switch) = lookup(name) {
        if name_only && switch.value.is_some() {
            return Ok(Some(Rewritten::ValueNext(format!("--{}", switch.long))));
        }
        return apply(switch, value).map(|t| Some(Rewritten::Whole(t)));
    }
    if slash {
        // Not a switch we know, so probably a path-like positional.
        return Ok(None);
    }
    if let Some(value) = value.filter(|_| is_value_short(&format!("-{name}"))) {
        // winrm.cmd habits applied to our own short option: `-o:json`.
        return Ok(Some(Rewritten::Whole(format!("-{name}={value}"))));
    }
    if is_gnu_short(body) {
        return Ok(None);
    }
    Err(unknown(name))
}

/// The switch one of whose names is `name`, in any case.
fn lookup(name: &str) -> Option<&'static Switch> {
    switches()
        .iter()
        .find(|s| s.names.iter().any(|n| n.eq_ignore_ascii_case(name)))
}

fn apply(switch: &Switch, value: Option<&str>) -> Result<String, CompatError> {
    let name = switch.name();
    match (&switch.value, value) {
        (None, None) => Ok(format!("--{}", switch.long)),
        (None, Some(_)) => Err(message(format!("switch '-{name}' takes no value"))),
        // The `=` form keeps values that start with '-' from looking like options.
        (Some(_), Some(value)) => {
            let value = unquote(name, value)?;
            Ok(format!("--{}={value}", switch.long))
        }
        (Some(placeholder), None) => Err(message(format!(
            "switch '-{name}' needs a value, e.g. -{name}:{placeholder}"
        ))),
    }
}

/// Whether `token` is a GNU short option that takes a value (`-o`).
fn is_value_short(token: &str) -> bool {
    let mut chars = token.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some('-'), Some(c), None) => gnu_shorts().1.contains(&c),
        _ => false,
    }
}

/// Our GNU short options as winrm.cmd never spells them: flags such as
/// `-h`, `-V`, `-v` (also stacked), and a value option alone or glued to its
/// value (`-o`, `-ojson`, `-o=json`).
fn is_gnu_short(body: &str) -> bool {
    let (flags, values) = gnu_shorts();
    let stacked_flags = !body.is_empty() && body.chars().all(|c| flags.contains(&c));
    let mut chars = body.chars();
    let glued = chars.next().is_some_and(|c| values.contains(&c)) && {
        let rest = chars.as_str();
        rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '=')
    };
    stacked_flags || glued
}

/// Only the name is shown: whatever followed ':' or '=' may be a password.
fn unknown(name: &str) -> CompatError {
    let hint = suggest(name)
        .map(|s| format!(" (did you mean '-{s}'?)"))
        .unwrap_or_default();
    message(format!(
        "unknown switch '-{name}'{hint}; run 'winrm help switches' for the list"
    ))
}

/// Picks the closest known spelling: within two edits (for names of three or
/// more characters, so `-x` does not suggest `-r`), else one the typed name is
/// a prefix of, or that is a prefix of it. Ties go to table order.
fn suggest(typed: &str) -> Option<&'static str> {
    closest(
        typed,
        switches()
            .iter()
            .flat_map(|s| s.names.iter().map(String::as_str)),
    )
}

/// The candidate `typed` most likely misspells (at most two edits away, or
/// a prefix either way), for "did you mean" lines everywhere.
pub fn closest<'a>(typed: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.to_ascii_lowercase();
    let typed_len = typed.chars().count();
    candidates
        .filter_map(|name| {
            let known = name.to_ascii_lowercase();
            let distance = edit_distance(&typed, &known);
            let rank = if typed_len >= 3 && known.len() >= 3 && distance <= 2 {
                distance
            } else if (typed_len >= 2 && known.starts_with(&typed))
                || (known.len() >= 3 && typed.starts_with(&known))
            {
                3
            } else {
                return None;
            };
            Some((rank, name))
        })
        .min_by_key(|&(rank, _)| rank)
        .map(|(_, name)| name)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, &cb) in b.iter().enumerate() {
            let substitute = previous
                .get(j)
                .map_or(usize::MAX, |d| d + usize::from(ca != cb));
            let delete = previous.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insert = current.get(j).map_or(usize::MAX, |d| d + 1);
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

fn message(text: impl Into<String>) -> CompatError {
    CompatError {
        message: text.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Vec<String>, CompatError> {
        let args = args.iter().map(OsString::from).collect();
        normalize(args).map(|v| {
            v.into_iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect()
        })
    }

    fn one(token: &str) -> String {
        match run(&[token]) {
            Ok(v) if v.len() == 1 => v.concat(),
            other => panic!("{token:?} gave {other:?}"),
        }
    }

    fn fails(token: &str) -> String {
        match run(&[token]) {
            Err(e) => e.to_string(),
            Ok(v) => panic!("{token:?} gave {v:?}"),
        }
    }

    #[test]
    fn rewrites_switches() {
        let cases = [
            ("-r:http://h:5985", "--remote=http://h:5985"),
            ("-Remote:http://h:5985", "--remote=http://h:5985"),
            ("/MACHINE:h", "--remote=h"),
            (
                "-r:https://[fe80::1]:444/wsman",
                "--remote=https://[fe80::1]:444/wsman",
            ),
            ("-p:secret", "--password=secret"),
            ("-pa:basic", "--proxy-auth=basic"),
            ("-pu:x", "--proxy-username=x"),
            ("-pp:x", "--proxy-password=x"),
            ("-pac:no_proxy", "--proxy-access=no_proxy"),
            ("-f:#pretty", "--format=#pretty"),
            ("-c:thumb", "--certificate=thumb"),
            ("-a:basic", "--auth=basic"),
            ("-AUTH:Negotiate", "--auth=Negotiate"),
            ("-q", "--quiet"),
            ("/un", "--unencrypted"),
            ("-ssl", "--use-ssl"),
            ("-skipcacheck", "--skip-ca-check"),
            ("-SkipCNCheck", "--skip-cn-check"),
            ("-returntype:EPR", "--return-type=EPR"),
            ("-u:", "--username="),
            ("-u:-dash", "--username=-dash"),
            (
                "-filter:select * from X where A='b'",
                "--filter=select * from X where A='b'",
            ),
            ("-options:{A=\"b\";C=\"d\"}", "--options={A=\"b\";C=\"d\"}"),
            ("-maxenvelopesize:512000", "--max-envelope-size=512000"),
            ("-?", "--help"),
            ("/?", "--help"),
            // Spellings derived from options that winrm.cmd lacks.
            ("-keytab:k.tab", "--keytab=k.tab"),
            ("-password-file:pw", "--password-file=pw"),
            ("/PasswordFile:pw", "--password-file=pw"),
            ("-cert:c.pem", "--cert=c.pem"),
            ("-key:k.pem", "--key=k.pem"),
            ("-max-elements:5", "--max-elements=5"),
            ("-maxElements:5", "--max-elements=5"),
            ("-use-ssl", "--use-ssl"),
            ("-NoChannelBinding", "--no-channel-binding"),
            ("-option:A=b", "--option=A=b"),
            ("-colour:never", "--color=never"),
            ("-property:Name", "--columns=Name"),
        ];
        for (input, expected) in cases {
            assert_eq!(one(input), expected, "{input:?}");
        }
    }

    #[test]
    fn leaves_other_tokens_alone() {
        let tokens = "get winrm/config @{TrustedHosts=\"*\"} wmicimv2/Win32_Service?Name=spooler \
            -2144108526 - --remote=x --unknown /etc/hosts /x:y -h -V -hV -o -ojson -opt -o=json -:x";
        for token in tokens.split_whitespace().chain([""]) {
            assert_eq!(one(token), token, "{token:?}");
        }
        assert_eq!(run(&["-o", "json", "-h"]).unwrap(), ["-o", "json", "-h"]);
        assert_eq!(one("-o:json"), "-o=json");
    }

    #[test]
    fn double_dash_ends_rewriting() {
        let got = run(&["get", "-r:h", "--", "-r:h", "-bogus", "--"]).unwrap();
        assert_eq!(got, ["get", "--remote=h", "--", "-r:h", "-bogus", "--"]);
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_passes_through() {
        use std::os::unix::ffi::OsStringExt;
        let raw = OsString::from_vec(vec![b'-', b'r', b':', 0xff]);
        assert_eq!(normalize(vec![raw.clone()]).unwrap(), vec![raw]);
    }

    #[test]
    fn value_and_flag_mistakes() {
        let cases = [
            (
                "-r",
                "switch '-remote' needs a value, e.g. -remote:HOST|URL",
            ),
            (
                "/u",
                "switch '-username' needs a value, e.g. -username:USER",
            ),
            ("-unencrypted:yes", "switch '-unencrypted' takes no value"),
            ("-q:", "switch '-quiet' takes no value"),
            ("-?:x", "switch '-?' takes no value"),
            ("-ssl=1", "switch '-usessl' takes no value"),
        ];
        for (input, expected) in cases {
            assert_eq!(fails(input), expected, "{input:?}");
        }
    }

    #[test]
    fn gnu_habits_with_winrm_cmd_names() {
        // `-r host`, `-r=host`: the value after a space or '='.
        assert_eq!(
            run(&[
                "get", "x", "-r", "h1", "-u", "admin", "-a=basic", "-p", "-dash"
            ])
            .unwrap(),
            [
                "get",
                "x",
                "--remote",
                "h1",
                "--username",
                "admin",
                "--auth=basic",
                "--password",
                "-dash"
            ]
        );
        assert_eq!(
            run(&["get", "x", "-r=h:5985", "-env:A=B"]).unwrap(),
            ["get", "x", "--remote=h:5985", "--env=A=B"]
        );
        // A value-taking switch last still needs its value.
        let e = run(&["get", "x", "-r"]).unwrap_err().to_string();
        assert_eq!(e, "switch '-remote' needs a value, e.g. -remote:HOST|URL");
    }

    #[test]
    fn unknown_switches_get_suggestions() {
        let cases = [
            ("-usrname:bob", "-usrname", "-username"),
            ("-remot:h", "-remot", "-remote"),
            ("-formt", "-formt", "-format"),
            ("-encrypted", "-encrypted", "-unencrypted"),
            ("-proxyacess:x", "-proxyacess", "-proxyaccess"),
            ("-usernamex", "-usernamex", "-username"),
            ("-x", "-x", ""),
            ("-zzzzzz", "-zzzzzz", ""),
        ];
        for (input, shown, suggestion) in cases {
            let hint = match suggestion {
                "" => String::new(),
                s => format!(" (did you mean '{s}'?)"),
            };
            let expected =
                format!("unknown switch '{shown}'{hint}; run 'winrm help switches' for the list");
            assert_eq!(fails(input), expected);
        }
    }

    #[test]
    fn errors_never_echo_values() {
        for token in "-passwrd:hunter2 -passwrd=hunter2 -un=hunter2 -un:hunter2".split(' ') {
            assert!(!fails(token).contains("hunter2"), "{token}");
        }
    }

    /// Every option a verb (or the top level) defines, with that verb.
    fn every_option() -> Vec<(Option<String>, clap::Arg)> {
        let command = Cli::command();
        let mut found: Vec<_> = command.get_arguments().map(|a| (None, a.clone())).collect();
        for verb in command.get_subcommands() {
            let name = Some(verb.get_name().to_string());
            found.extend(verb.get_arguments().map(|a| (name.clone(), a.clone())));
        }
        found.retain(|(_, a)| a.get_long().is_some());
        found
    }

    /// The drift test: the table covers every clap long option, with the
    /// same arity and every alias, once.
    #[test]
    fn every_long_option_has_its_spellings() {
        let options = every_option();
        assert!(options.len() >= 40, "too few options: {}", options.len());
        for (verb, arg) in &options {
            let long = arg.get_long().unwrap_or_default();
            let switch = switch(long).unwrap_or_else(|| panic!("--{long} has no switch"));
            assert_eq!(
                switch.value.is_some(),
                arg.get_action().takes_values(),
                "--{long}: flag or value"
            );
            let has = |n: &str| switch.names.iter().any(|k| k.eq_ignore_ascii_case(n));
            assert!(has(long) && has(&long.replace('-', "")), "--{long}");
            for alias in arg.get_all_aliases().unwrap_or_default() {
                assert!(has(alias), "--{long}: alias {alias}");
            }
            if let Some(verb) = verb {
                assert!(switch.verbs.contains(verb), "--{long} in {verb}");
            }
        }
        // And nothing else: each entry is some option's.
        for switch in switches() {
            assert!(
                options
                    .iter()
                    .any(|(_, a)| a.get_long() == Some(&switch.long)),
                "{} is no option",
                switch.long
            );
        }
    }

    #[test]
    fn no_two_switches_share_a_spelling() {
        let mut seen: Vec<(String, &str)> = Vec::new();
        for switch in switches() {
            for name in &switch.names {
                let lower = name.to_ascii_lowercase();
                if let Some((_, other)) = seen.iter().find(|(n, _)| *n == lower) {
                    panic!("-{name} is both --{other} and --{}", switch.long);
                }
                seen.push((lower, &switch.long));
            }
        }
        // Lookup ignores case and runs first, so these would shadow our GNU
        // short options (`-h`, `-V`, `-v`, `-o`) and `-?`.
        let (flags, values) = gnu_shorts();
        for c in flags.iter().chain(&values).chain(&['?']) {
            let short = c.to_ascii_lowercase().to_string();
            assert!(!seen.iter().any(|(n, _)| *n == short), "-{c}");
        }
        assert!(
            seen.iter()
                .all(|(n, _)| n.starts_with(|c: char| c.is_ascii_alphabetic()))
        );
    }

    /// Each spelling, rewritten, is an option clap accepts where it belongs.
    #[test]
    fn every_spelling_reaches_its_option() {
        let command = Cli::command();
        for switch in switches() {
            for name in &switch.names {
                let mut argv = vec!["winrm".to_string()];
                if let Some(verb) = switch.verbs.first() {
                    argv.push(verb.clone());
                    let sub = command.find_subcommand(verb).expect("a verb");
                    // Fill the verb's required positionals.
                    let required = sub
                        .get_positionals()
                        .filter(|a| a.is_required_set())
                        .count();
                    argv.extend(std::iter::repeat_n("x".to_string(), required));
                }
                let token = match switch.value {
                    Some(_) => format!("/{}:1", name.to_ascii_uppercase()),
                    None => format!("-{name}"),
                };
                argv.push(token.clone());
                let rewritten = normalize(argv.iter().skip(1).map(OsString::from).collect())
                    .unwrap_or_else(|e| panic!("{token}: {e}"));
                let expected = match switch.value {
                    Some(_) => format!("--{}=1", switch.long),
                    None => format!("--{}", switch.long),
                };
                assert_eq!(rewritten.last(), Some(&OsString::from(expected)), "{token}");
                let parsed = Cli::command().try_get_matches_from(
                    std::iter::once(OsString::from("winrm")).chain(rewritten),
                );
                assert!(parsed.is_ok(), "{token}: {parsed:?}");
            }
        }
    }

    /// The `[-u: -username:]` notes in args.rs's help are prose; each must
    /// name a real spelling of that same option, with ':' exactly when it
    /// takes a value, and every visible option has one.
    #[test]
    fn help_notes_name_real_spellings() {
        for switch in switches() {
            let note = switch
                .help
                .rsplit_once('[')
                .and_then(|(_, n)| n.strip_suffix(']'));
            let Some(note) = note else {
                assert!(switch.hidden, "--{} has no [-name] note", switch.long);
                continue;
            };
            let note = note.strip_prefix("winrm.cmd:").unwrap_or(note);
            for spelled in note.split_whitespace() {
                let body = spelled.strip_prefix('-').unwrap_or_default();
                let (name, colon) = match body.strip_suffix(':') {
                    Some(name) => (name, true),
                    None => (body, false),
                };
                assert!(
                    lookup(name).is_some_and(|s| s.long == switch.long),
                    "--{}: {spelled} is not its spelling",
                    switch.long
                );
                assert_eq!(
                    colon,
                    switch.value.is_some(),
                    "--{}: {spelled}",
                    switch.long
                );
            }
        }
    }

    #[test]
    fn table_order_and_names() {
        let first = switches().first().map(|s| (s.name(), s.long.as_str()));
        assert_eq!(first, Some(("remote", "remote")));
        let by_name = |n: &str| lookup(n).map(|s| (s.name(), s.long.as_str()));
        assert_eq!(by_name("pp"), Some(("proxypassword", "proxy-password")));
        assert_eq!(
            by_name("SKIPCACHECK"),
            Some(("skipCAcheck", "skip-ca-check"))
        );
        assert_eq!(
            by_name("skip-ca-check"),
            Some(("skipCAcheck", "skip-ca-check"))
        );
        assert_eq!(by_name("a"), Some(("auth", "auth")));
        assert!(
            switches()
                .iter()
                .all(|s| s.long.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        );
        assert!(verbs().iter().any(|v| v == "qc"));
        assert!(verbs().iter().any(|v| v == "enum"));
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("remote", "remote"), 0);
        assert_eq!(edit_distance("usrname", "username"), 1);
        assert_eq!(edit_distance("é", "e"), 1);
    }

    /// Pseudo-random tokens built from switch-like pieces must never panic.
    #[test]
    fn never_panics() {
        let pieces: Vec<&str> = "- / : ? r o v = é 😀 \u{0} 1 p".split(' ').collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let token: String = (0..(seed % 8) as usize)
                .map(|i| pieces[((seed >> (i * 5)) as usize) % pieces.len()])
                .collect();
            let _ = normalize(vec![OsString::from(token)]);
        }
    }
}
