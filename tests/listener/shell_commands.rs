//! A tiny cmd.exe: splits a command line on `&`, `&&` and `||`, expands
//! `%VAR%`, honours `1>&2`, `2>&1`, `>nul` and `2>nul`, and knows a handful of
//! built-ins and programs, each scripted (no process ever runs on the host):
//! echo, cd, set, type con, exit, cmd /c, hostname, whoami, `bigout N` (a
//! test helper writing N bytes), the programs of `shell_tools` (ipconfig,
//! ping, timeout, findstr, sort, more) and powershell (`shell_ps`). Output
//! mimics Windows Server's English text, with CRLF line ends.

use super::shell_program::{Env, Filter, Join, Program, Step, Stream};
use super::shell_tools::{findstr, ipconfig, ping, timeout};

/// What cmd.exe prints for a name it cannot run.
pub fn not_recognized(name: &str) -> String {
    format!(
        "'{name}' is not recognized as an internal or external command,\r\n\
         operable program or batch file.\r\n"
    )
}

/// Programs (not cmd built-ins) the simulated host has, by file name
/// without `.exe`; only these run with WINRS_SKIP_CMD_SHELL.
const PROGRAMS: &[&str] = &[
    "cmd",
    "hostname",
    "whoami",
    "ipconfig",
    "ping",
    "findstr",
    "more",
    "sort",
    "timeout",
    "powershell",
    "bigout",
];

/// The program a WINRS_SKIP_CMD_SHELL command names, if it exists. Without
/// cmd.exe Windows does not search PATH, so only a full path finds it (fixture
/// fault-internalerror-file-not-found: a bare `powershell.exe` fails).
pub fn direct_program(command: &str) -> Option<String> {
    let path = command.trim().trim_matches('"');
    let bytes = path.as_bytes();
    let absolute = bytes.len() > 3 && bytes[1] == b':' && (bytes[2] == b'\\' || bytes[2] == b'/');
    let name = base_name(path);
    (absolute && PROGRAMS.contains(&name.as_str())).then_some(name)
}

/// `C:\Windows\System32\PING.EXE` → `ping`.
fn base_name(word: &str) -> String {
    let file = word.rsplit(['\\', '/']).next().unwrap_or(word);
    let lower = file.to_ascii_lowercase();
    lower.strip_suffix(".exe").unwrap_or(&lower).to_string()
}

/// `%NAME%` → its value; unknown names stay as written (as in `cmd /c`).
pub fn expand_vars(line: &str, env: &Env) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('%') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('%') {
            Some(end) if end > 0 => match env.var(&after[..end]) {
                Some(v) => {
                    out.push_str(v);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push('%');
                    rest = after;
                }
            },
            _ => {
                out.push('%');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits on `&`, `&&`, `||` outside double quotes.
pub fn split_list(line: &str) -> Vec<(Join, String)> {
    let mut out = Vec::new();
    let mut join = Join::Always;
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            // `>&2` / `2>&1` are redirections, not separators.
            '&' if current.ends_with('>') => current.push(c),
            '&' | '|' if !quoted => {
                let next = if chars.peek() == Some(&c) {
                    chars.next();
                    if c == '&' { Join::IfOk } else { Join::IfFailed }
                } else if c == '&' {
                    Join::Always
                } else {
                    // A pipe: not simulated; treat as a plain separator.
                    Join::Always
                };
                out.push((join, std::mem::take(&mut current)));
                join = next;
            }
            _ => current.push(c),
        }
    }
    out.push((join, current));
    out.retain(|(_, c)| !c.trim().is_empty());
    out
}

/// Where each stream goes after redirections.
#[derive(Clone, Copy)]
struct Route {
    stdout: Option<Stream>,
    stderr: Option<Stream>,
}

/// Removes `1>&2`, `>&2`, `2>&1`, `>nul`, `1>nul`, `2>nul` (outside quotes)
/// and says where the streams go. The blank before a redirection stays, as
/// cmd keeps it: `echo err 1>&2` writes "err ".
fn redirections(command: &str) -> (String, Route) {
    let mut route = Route {
        stdout: Some(Stream::Stdout),
        stderr: Some(Stream::Stderr),
    };
    let mut text = String::new();
    let mut quoted = false;
    let mut i = 0;
    let b = command.as_bytes();
    while i < b.len() {
        let c = b[i];
        if c == b'"' {
            quoted = !quoted;
        }
        let starts =
            !quoted && (c == b'>' || ((c == b'1' || c == b'2') && b.get(i + 1) == Some(&b'>')));
        if starts {
            let fd = if c == b'2' { 2 } else { 1 };
            let op = if c == b'>' { i } else { i + 1 };
            let target = &command[op + 1..];
            let (len, to) = if target.starts_with("&1") {
                (2, Some(Stream::Stdout))
            } else if target.starts_with("&2") {
                (2, Some(Stream::Stderr))
            } else if target.len() >= 3 && target[..3].eq_ignore_ascii_case("nul") {
                (3, None)
            } else {
                (
                    0,
                    Some(if fd == 1 {
                        Stream::Stdout
                    } else {
                        Stream::Stderr
                    }),
                )
            };
            if fd == 1 {
                route.stdout = to;
            } else {
                route.stderr = to;
            }
            i = op + 1 + len;
            continue;
        }
        text.push(c as char);
        i += 1;
    }
    // Byte-wise copy above is only right for ASCII; fall back otherwise.
    if !command.is_ascii() {
        return (command.to_string(), route);
    }
    (text, route)
}

/// One command of a list → its steps.
pub fn expand(command: &str, env: &mut Env) -> Vec<Step> {
    let (text, route) = redirections(command);
    let text = text.trim_start().trim_start_matches('@');
    let (word, rest) = split_word(text);
    let lower = word.to_ascii_lowercase();
    let steps = if lower == "echo" || lower.starts_with("echo.") || lower.starts_with("echo:") {
        echo(text, env)
    } else {
        match lower.as_str() {
            "cd" | "chdir" => cd(rest, env),
            "set" => set(rest, env),
            "type" => type_file(rest, env),
            "exit" => exit(rest),
            _ => program(&base_name(word), word, rest, env),
        }
    };
    steps
        .into_iter()
        .filter_map(|s| match s {
            Step::Out(stream, bytes) => {
                let to = match stream {
                    Stream::Stdout => route.stdout,
                    Stream::Stderr => route.stderr,
                };
                to.map(|t| Step::Out(t, bytes))
            }
            other => Some(other),
        })
        .collect()
}

/// A program by name (also reached directly with WINRS_SKIP_CMD_SHELL).
pub fn program(name: &str, typed: &str, args: &str, env: &mut Env) -> Vec<Step> {
    let ok = |text: String, env: &Env| vec![env.out(Stream::Stdout, &text), Step::Level(0)];
    match name {
        "cmd" => cmd(args, env),
        "hostname" => ok(format!("{}\r\n", env.machine), env),
        "whoami" => ok(
            format!(
                "{}\\{}\r\n",
                env.machine.to_lowercase(),
                env.user.to_lowercase()
            ),
            env,
        ),
        "ipconfig" => ok(ipconfig(args, env), env),
        "ping" => ping(args, env),
        "findstr" => findstr(args, env),
        "more" => vec![Step::Filter(Filter::More)],
        "sort" => vec![Step::Filter(Filter::Sort)],
        "timeout" => timeout(args, env),
        "powershell" => super::shell_ps::start(args, env),
        "bigout" => match args.trim().parse::<u64>() {
            Ok(n) => vec![Step::Big(n), Step::Level(0)],
            Err(_) => vec![
                env.out(Stream::Stderr, "usage: bigout BYTES\r\n"),
                Step::Level(1),
            ],
        },
        _ => vec![
            env.out(Stream::Stderr, &not_recognized(typed)),
            Step::Level(1),
        ],
    }
}

/// The first blank-separated word and the rest (leading blanks removed).
fn split_word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.find([' ', '\t']) {
        Some(i) => (&text[..i], text[i..].trim_start()),
        None => (text, ""),
    }
}

/// cmd's echo: everything after the one delimiter that follows `echo`.
fn echo(text: &str, env: &Env) -> Vec<Step> {
    let after = &text[4..];
    let line = match after.chars().next() {
        None => "ECHO is on.".to_string(),
        Some(_) if after.trim().is_empty() => "ECHO is on.".to_string(),
        Some(_) => after[1..].to_string(),
    };
    vec![
        env.out(Stream::Stdout, &format!("{line}\r\n")),
        Step::Level(0),
    ]
}

fn cd(arg: &str, env: &mut Env) -> Vec<Step> {
    let arg = arg.trim().trim_matches('"');
    if arg.is_empty() {
        return vec![
            env.out(Stream::Stdout, &format!("{}\r\n", env.cwd)),
            Step::Level(0),
        ];
    }
    let arg = arg
        .strip_prefix("/d ")
        .or(arg.strip_prefix("/D "))
        .unwrap_or(arg);
    env.cwd = if arg.as_bytes().get(1) == Some(&b':') {
        arg.to_string()
    } else {
        format!("{}\\{arg}", env.cwd.trim_end_matches('\\'))
    };
    vec![Step::Level(0)]
}

fn set(arg: &str, env: &mut Env) -> Vec<Step> {
    let arg = arg.trim();
    if let Some((name, value)) = arg.split_once('=') {
        env.set_var(name, value);
        return vec![Step::Level(0)];
    }
    let mut vars: Vec<&(String, String)> = env
        .vars
        .iter()
        .filter(|(n, _)| {
            n.to_ascii_lowercase()
                .starts_with(&arg.to_ascii_lowercase())
        })
        .collect();
    if vars.is_empty() {
        let msg = format!("Environment variable {arg} not defined\r\n");
        return vec![env.out(Stream::Stderr, &msg), Step::Level(1)];
    }
    vars.sort_by_key(|(n, _)| n.to_ascii_lowercase());
    let text: String = vars.iter().map(|(n, v)| format!("{n}={v}\r\n")).collect();
    vec![env.out(Stream::Stdout, &text), Step::Level(0)]
}

fn type_file(arg: &str, env: &Env) -> Vec<Step> {
    if arg.trim().eq_ignore_ascii_case("con") {
        return vec![Step::Copy, Step::Level(0)];
    }
    vec![
        env.out(
            Stream::Stderr,
            "The system cannot find the file specified.\r\n",
        ),
        Step::Level(1),
    ]
}

/// `exit`, `exit N`, `exit /b N`: a 32-bit code, negative ones wrapping as
/// Windows' DWORD exit codes do.
fn exit(arg: &str) -> Vec<Step> {
    let mut words = arg.split_whitespace();
    let mut first = words.next();
    if first.is_some_and(|w| w.eq_ignore_ascii_case("/b")) {
        first = words.next();
    }
    match first.and_then(|w| w.parse::<i64>().ok()) {
        Some(n) => vec![Step::Exit(n as u32)],
        None => vec![Step::Exit(0)],
    }
}

/// `cmd /c LINE` runs LINE in a child cmd; `/k` or nothing is not simulated.
fn cmd(args: &str, env: &Env) -> Vec<Step> {
    let (flag, rest) = split_word(args);
    if flag.is_empty() {
        // Interactive: the banner, the prompt, then whatever is typed.
        let banner = format!(
            "Microsoft Windows [Version 10.0.17763.1]\r\n(c) 2018 Microsoft Corporation. \
             All rights reserved.\r\n\r\n{}>",
            env.cwd
        );
        return vec![
            Step::Out(Stream::Stdout, env.encode(&banner)),
            Step::Console,
        ];
    }
    if !flag.eq_ignore_ascii_case("/c") {
        return vec![Step::Level(0)];
    }
    // Trailing blanks stay: `cmd /c echo out & ...` prints "out ".
    let mut line = rest.trim_start();
    let quoted = line.trim_end();
    if quoted.len() >= 2 && quoted.starts_with('"') && quoted.ends_with('"') {
        line = &quoted[1..quoted.len() - 1];
    }
    let child = Program::cmd(
        line,
        env.clone(),
        std::time::Duration::ZERO,
        std::time::Instant::now(),
    );
    vec![Step::Sub(Box::new(child))]
}
