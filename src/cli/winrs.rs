//! winrs.exe's command line, for the binary invoked as `winrs` (a link to
//! `winrm`): `winrs -r:srv01 -u:admin ipconfig /all` becomes
//! `winrm exec --remote srv01 --username admin -- ipconfig /all`.
//!
//! winrs.exe takes its switches first (`-name:value` or `/name:value`, any
//! case, each name abbreviable down to the letters shown in brackets:
//! `-r[emote]`, `-un[encrypted]`), then the command line. Its names that
//! mean something else in winrm.cmd (`-a` is -allowdelegate, `-t` is a
//! timeout in seconds) are translated here; any other switch (winrm's own
//! authentication and TLS switches, `-auth:basic`, `-skipCAcheck`) passes
//! on to the winrm.cmd dialect unchanged.

use std::ffi::OsString;

use super::UsageError;

/// winrs.exe's switches: (shortest form, full name, winrm's option, takes
/// a value).
const SWITCHES: &[(&str, &str, &str, bool)] = &[
    ("r", "remote", "--remote", true),
    ("un", "unencrypted", "--unencrypted", false),
    ("u", "username", "--username", true),
    ("p", "password", "--password", true),
    ("t", "timeout", "--timeout", true),
    ("d", "directory", "--directory", true),
    ("env", "environment", "--env", true),
    ("noe", "noecho", "--no-echo", false),
    ("nop", "noprofile", "--no-profile", false),
    ("a", "allowdelegate", "--allow-delegate", false),
    ("comp", "compression", "--compression", false),
    ("ssl", "ssl", "--use-ssl", false),
    ("usessl", "usessl", "--use-ssl", false),
];

/// Whether the program was started under the name `winrs`.
pub fn invoked_as_winrs(argv0: Option<&OsString>) -> bool {
    argv0
        .map(std::path::Path::new)
        .and_then(|p| p.file_stem())
        .is_some_and(|stem| stem.eq_ignore_ascii_case("winrs"))
}

/// winrs.exe's arguments → winrm's `exec` arguments.
pub fn translate(args: Vec<OsString>) -> Result<Vec<OsString>, UsageError> {
    let mut out = vec![OsString::from("exec")];
    let mut args = args.into_iter();
    for arg in args.by_ref() {
        let Some(token) = arg.to_str() else {
            out.push(OsString::from("--"));
            out.push(arg);
            break;
        };
        if token == "--" {
            out.push(arg);
            break;
        }
        let Some(body) = token.strip_prefix(['-', '/']).filter(|b| !b.is_empty()) else {
            // The command line starts here.
            out.push(OsString::from("--"));
            out.push(arg);
            break;
        };
        if body == "?" {
            return Ok(vec![OsString::from("help"), OsString::from("exec")]);
        }
        let (name, value) = match body.split_once(':') {
            Some((name, value)) => (name, Some(value)),
            None => (body, None),
        };
        let lower = name.to_ascii_lowercase();
        let found = SWITCHES
            .iter()
            .find(|(short, full, _, _)| lower.starts_with(short) && full.starts_with(&lower));
        let Some((_, full, option, takes_value)) = found else {
            // One of winrm's own switches, in winrm.cmd's dialect.
            out.push(arg);
            continue;
        };
        out.push(OsString::from(*option));
        match (takes_value, value) {
            (false, None) => {}
            (false, Some(_)) => {
                return Err(UsageError::new(format!("winrs -{full} takes no value")));
            }
            (true, Some(value)) if *full == "timeout" => out.push(seconds_to_ms(value)?.into()),
            (true, Some(value)) => out.push(OsString::from(value)),
            (true, None) => {
                return Err(UsageError::new(format!(
                    "winrs -{full} needs a value, e.g. -{full}:VALUE"
                )));
            }
        }
    }
    out.extend(args);
    Ok(out)
}

/// winrs.exe's -timeout is in seconds; winrm's in milliseconds.
fn seconds_to_ms(value: &str) -> Result<String, UsageError> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|s| s.checked_mul(1000))
        .map(|ms| ms.to_string())
        .ok_or_else(|| {
            UsageError::new(format!(
                "winrs -timeout '{value}' is not a number of seconds"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(args: &[&str]) -> Vec<String> {
        translate(args.iter().map(OsString::from).collect())
            .unwrap()
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn winrs_lines_become_exec_lines() {
        assert_eq!(
            words(&["-r:srv01", "-u:admin", "-p:pw", "ipconfig", "/all"]),
            [
                "exec",
                "--remote",
                "srv01",
                "--username",
                "admin",
                "--password",
                "pw",
                "--",
                "ipconfig",
                "/all"
            ]
        );
        assert_eq!(
            words(&[
                "/REMOTE:h",
                "-un",
                "-t:30",
                "-env:A=1",
                "-nop",
                "-d:C:\\x",
                "dir"
            ]),
            [
                "exec",
                "--remote",
                "h",
                "--unencrypted",
                "--timeout",
                "30000",
                "--env",
                "A=1",
                "--no-profile",
                "--directory",
                "C:\\x",
                "--",
                "dir"
            ]
        );
        // winrm's own switches pass on in winrm.cmd's dialect.
        assert_eq!(
            words(&["-r:h", "-auth:basic", "-ssl", "hostname"]),
            [
                "exec",
                "--remote",
                "h",
                "-auth:basic",
                "--use-ssl",
                "--",
                "hostname"
            ]
        );
        assert_eq!(words(&["-?"]), ["help", "exec"]);
    }

    #[test]
    fn bad_winrs_switches_are_named() {
        let e = translate(vec!["-r".into(), "x".into()]).unwrap_err();
        assert!(e.to_string().contains("-remote needs a value"), "{e}");
        let e = translate(vec!["-t:soon".into()]).unwrap_err();
        assert!(e.to_string().contains("seconds"), "{e}");
        assert!(invoked_as_winrs(Some(&OsString::from("/usr/bin/winrs"))));
        assert!(!invoked_as_winrs(Some(&OsString::from("winrm"))));
    }
}
