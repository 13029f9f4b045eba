//! Rewrites winrm.cmd's switch syntax (`-r:HOST`, `/u:NAME`, `-unencrypted`,
//! `-format:#pretty`) into the GNU long options the clap definition understands
//! (`--remote=HOST`, `--username=NAME`, ...), before clap sees argv.
//!
//! This module owns the table of winrm.cmd switch names and aliases and
//! nothing else: it does not check values, does not know which operation
//! allows which switch, and leaves positionals (operations, resource URIs,
//! `@{...}` hashes, negative error codes) exactly as they were.

use std::ffi::OsString;
use std::fmt;

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

/// Whether a switch is a bare flag or needs `:value`.
#[derive(Clone, Copy)]
enum Arity {
    Flag,
    /// Takes a value; the text is a placeholder used in "needs a value" errors.
    Value(&'static str),
}

/// One winrm.cmd switch: its documented name, exact aliases (winrm.cmd has
/// no prefix matching) and the long option it becomes.
struct Switch {
    name: &'static str,
    aliases: &'static [&'static str],
    long: &'static str,
    arity: Arity,
}

const fn flag(name: &'static str, aliases: &'static [&'static str], long: &'static str) -> Switch {
    Switch {
        name,
        aliases,
        long,
        arity: Arity::Flag,
    }
}

const fn value(
    name: &'static str,
    aliases: &'static [&'static str],
    long: &'static str,
    placeholder: &'static str,
) -> Switch {
    Switch {
        name,
        aliases,
        long,
        arity: Arity::Value(placeholder),
    }
}

/// Every switch winrm.cmd knows, then our extensions. Names are spelled as
/// winrm.cmd's help spells them; matching ignores case.
static SWITCHES: &[Switch] = &[
    value("remote", &["r", "machine"], "remote", "HOST"),
    flag("unencrypted", &["un"], "unencrypted"),
    flag("usessl", &["ssl"], "use-ssl"),
    value("encoding", &[], "encoding", "utf-8"),
    value("format", &["f"], "format", "pretty"),
    value("authentication", &["a", "auth"], "auth", "basic"),
    value("username", &["u"], "username", "USER"),
    value("password", &["p"], "password", "PASSWORD"),
    value("certificate", &["c"], "certificate", "THUMBPRINT"),
    flag("defaultCreds", &[], "default-creds"),
    flag("SPNPort", &[], "spn-port"),
    value("timeout", &[], "timeout", "MILLISECONDS"),
    flag("skipCAcheck", &[], "skip-ca-check"),
    flag("skipCNcheck", &[], "skip-cn-check"),
    flag("skipRevocationcheck", &[], "skip-revocation-check"),
    value("proxyaccess", &["pac"], "proxy-access", "no_proxy"),
    value("proxyauth", &["pa"], "proxy-auth", "basic"),
    value("proxyusername", &["pu"], "proxy-username", "USER"),
    value("proxypassword", &["pp"], "proxy-password", "PASSWORD"),
    value("options", &[], "options", "{Key=\"value\"}"),
    value("fragment", &[], "fragment", "XPATH"),
    value("dialect", &[], "dialect", "wql"),
    value("filter", &[], "filter", "EXPRESSION"),
    flag("associations", &[], "associations"),
    value("ReturnType", &[], "return-type", "epr"),
    flag("Shallow", &[], "shallow"),
    flag("BasePropertiesOnly", &[], "base-properties-only"),
    value("file", &[], "file", "PATH"),
    flag("quiet", &["q"], "quiet"),
    value("transport", &[], "transport", "https"),
    flag("force", &[], "force"),
    // Extensions: not in winrm.cmd, spelled in the same style.
    value("locale", &[], "locale", "en-US"),
    value("dataLocale", &[], "data-locale", "en-US"),
    value("maxEnvelopeSize", &[], "max-envelope-size", "BYTES"),
    value("cacert", &[], "cacert", "PATH"),
    value("proxy", &[], "proxy", "http://HOST:PORT"),
    value("spn", &[], "spn", "SPN"),
    value("kdc", &[], "kdc", "HOST"),
    value("columns", &["property"], "columns", "NAME,NAME"),
    value("array", &[], "array", "NAME,NAME"),
    value("color", &["colour"], "color", "never"),
    flag("debug", &[], "debug"),
];

impl Switch {
    fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }
}

/// Every winrm.cmd switch spelling (documented name first, then its aliases)
/// with the long option it maps to, in table order; for help text.
pub fn switch_names() -> impl Iterator<Item = (&'static str, &'static str)> {
    SWITCHES
        .iter()
        .flat_map(|s| s.names().map(move |n| (n, s.long)))
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

/// Every verb and alias winrm.cmd accepts, in lowercase.
const VERBS: &[&str] = &[
    "identify",
    "id",
    "get",
    "g",
    "set",
    "s",
    "put",
    "p",
    "create",
    "c",
    "delete",
    "d",
    "enumerate",
    "e",
    "enum",
    "invoke",
    "i",
    "help",
    "helpmsg",
    "quickconfig",
    "qc",
    "configsddl",
];

/// Our GNU long options that take their value as the next word, besides
/// the long forms of the table's value switches.
const GNU_VALUE_OPTIONS: &[&str] = &["password-file", "option", "max-elements", "property"];

/// Whether `--long` takes its value as the next word (`--remote HOST`).
/// Anything that looks like a password option counts, even misspelt or in
/// capitals (`--pass`, `--PASSWORD`): clap will refuse the option, and the
/// word after it must not be echoed as an unknown switch.
fn takes_value(long: &str) -> bool {
    GNU_VALUE_OPTIONS.contains(&long)
        || long.to_ascii_lowercase().contains("pass")
        || SWITCHES
            .iter()
            .any(|s| s.long == long && matches!(s.arity, Arity::Value(_)))
}

/// The long option a winrm.cmd switch name (or alias) maps to: `p` →
/// `password`. For help topics named by a switch.
pub fn long_name(name: &str) -> Option<&'static str> {
    lookup(name).map(|s| s.long)
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
    for arg in args {
        let Some(token) = arg.to_str() else {
            value_next = false;
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
        if token == "-o" {
            value_next = true;
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
                if VERBS.contains(&lower.as_str()) {
                    // After `help`, a switch name is the topic: `help -r:`.
                    value_next = lower == "help";

                    out.push(OsString::from(lower));
                    continue;
                }
            }
            out.push(arg);
            continue;
        }
        out.push(rewrite(token)?.map_or(arg, OsString::from));
    }
    out.extend(hashes);
    Ok(out)
}

/// Translates one token, or returns `None` to keep it as it is.
fn rewrite(token: &str) -> Result<Option<String>, CompatError> {
    let body = match token.strip_prefix(['-', '/']) {
        Some(body) if !body.starts_with('-') => body,
        _ => return Ok(None),
    };
    let slash = token.starts_with('/');
    let (name, value) = match body.split_once(':') {
        Some((name, value)) => (name, Some(value)),
        None => (body, None),
    };
    // A digit means a negative number (`winrm helpmsg -2144108526`); an empty
    // or odd name is not ours to judge, so clap gets it unchanged.
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '?') {
        return Ok(None);
    }
    if name == "?" {
        return match value {
            None => Ok(Some("--help".to_string())),
            Some(_) => Err(message("switch '-?' takes no value")),
        };
    }
    if let Some(switch) = lookup(name) {
        return apply(switch, value).map(Some);
    }
    if slash {
        // Not a switch we know, so probably a path-like positional.
        return Ok(None);
    }
    if let ("o", Some(value)) = (name, value) {
        // winrm.cmd habits applied to our own short option: `-o:json`.
        return Ok(Some(format!("-o={value}")));
    }
    if is_gnu_short(body) {
        return Ok(None);
    }
    Err(unknown(name))
}

fn lookup(name: &str) -> Option<&'static Switch> {
    SWITCHES
        .iter()
        .find(|s| s.names().any(|n| n.eq_ignore_ascii_case(name)))
}

fn apply(switch: &Switch, value: Option<&str>) -> Result<String, CompatError> {
    let name = switch.name;
    match (switch.arity, value) {
        (Arity::Flag, None) => Ok(format!("--{}", switch.long)),
        (Arity::Flag, Some(_)) => Err(message(format!("switch '-{name}' takes no value"))),
        // The `=` form keeps values that start with '-' from looking like options.
        (Arity::Value(_), Some(value)) => {
            let value = unquote(name, value)?;
            Ok(format!("--{}={value}", switch.long))
        }
        (Arity::Value(placeholder), None) => Err(message(format!(
            "switch '-{name}' needs a value, e.g. -{name}:{placeholder}"
        ))),
    }
}

/// Our GNU short options as winrm.cmd never spells them: `-h`, `-V` (also
/// stacked), `-o` and `-o` glued to its value (`-ojson`, `-o=json`).
fn is_gnu_short(body: &str) -> bool {
    let stacked_flags = !body.is_empty() && body.chars().all(|c| matches!(c, 'h' | 'V' | 'v'));

    let output = body == "o"
        || body
            .strip_prefix('o')
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '='));
    stacked_flags || output
}

fn unknown(name: &str) -> CompatError {
    // `-r=HOST` is a near miss worth its own message; show only the name part,
    // because whatever follows '=' may be a password.
    let (name, after_equals) = match name.split_once('=') {
        Some((name, _)) => (name, true),
        None => (name, false),
    };
    if let Some(switch) = lookup(name).filter(|_| after_equals) {
        let shown = switch.name;
        return message(match switch.arity {
            Arity::Flag => format!("switch '-{shown}' takes no value"),
            Arity::Value(p) => {
                format!("switch '-{shown}' takes its value after ':', e.g. -{shown}:{p}")
            }
        });
    }
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
    let typed = typed.to_ascii_lowercase();
    let typed_len = typed.chars().count();
    switch_names()
        .filter_map(|(name, _)| {
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
            ("-r", "switch '-remote' needs a value, e.g. -remote:HOST"),
            (
                "/u",
                "switch '-username' needs a value, e.g. -username:USER",
            ),
            ("-unencrypted:yes", "switch '-unencrypted' takes no value"),
            ("-q:", "switch '-quiet' takes no value"),
            ("-?:x", "switch '-?' takes no value"),
            (
                "-r=h",
                "switch '-remote' takes its value after ':', e.g. -remote:HOST",
            ),
            ("-ssl=1", "switch '-usessl' takes no value"),
        ];
        for (input, expected) in cases {
            assert_eq!(fails(input), expected, "{input:?}");
        }
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
        for token in "-passwrd:hunter2 -passwrd=hunter2 -p=hunter2 -un:hunter2".split(' ') {
            assert!(!fails(token).contains("hunter2"), "{token}");
        }
    }

    #[test]
    fn table_is_consistent() {
        let names: Vec<String> = switch_names()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        for (i, name) in names.iter().enumerate() {
            assert!(!names.iter().take(i).any(|n| n == name), "duplicate {name}");
        }
        // Lookup ignores case and runs first, so these would shadow our short options.
        assert!(!names.iter().any(|n| ["h", "v", "o"].contains(&n.as_str())));
        assert!(switch_names().all(|(_, l)| l.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
        assert_eq!(switch_names().next(), Some(("remote", "remote")));
        assert!(switch_names().any(|pair| pair == ("pp", "proxy-password")));
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
