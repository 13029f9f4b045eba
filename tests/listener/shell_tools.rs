//! The programs of the simulated host that are not cmd built-ins, as cmd
//! (or a WINRS_SKIP_CMD_SHELL command) starts them: ipconfig, ping,
//! timeout, and the stdin filters findstr, sort and more. Their text is
//! Windows Server's English output with CRLF line ends.

use super::shell_program::{Env, Filter, Step, Stream};

pub fn ipconfig(args: &str, env: &Env) -> String {
    let all = args
        .split_whitespace()
        .any(|a| a.eq_ignore_ascii_case("/all"));
    let mut s = String::from("\r\nWindows IP Configuration\r\n\r\n");
    if all {
        s.push_str(&format!(
            "   Host Name . . . . . . . . . . . . : {}\r\n\
             \x20  Primary Dns Suffix  . . . . . . . : \r\n\
             \x20  Node Type . . . . . . . . . . . . : Hybrid\r\n\
             \x20  IP Routing Enabled. . . . . . . . : No\r\n\r\n",
            env.machine
        ));
    }
    s.push_str(
        "\r\nEthernet adapter Ethernet:\r\n\r\n\
         \x20  Connection-specific DNS Suffix  . : \r\n\
         \x20  IPv4 Address. . . . . . . . . . . : 10.0.2.15\r\n\
         \x20  Subnet Mask . . . . . . . . . . . : 255.255.255.0\r\n\
         \x20  Default Gateway . . . . . . . . . : 10.0.2.2\r\n",
    );
    s
}

/// `ping [-n N] HOST`: the first reply at once, then one per tick.
pub fn ping(args: &str, env: &Env) -> Vec<Step> {
    let mut count = 4u32;
    let mut host = None;
    let mut words = args.split_whitespace();
    while let Some(w) = words.next() {
        if w.eq_ignore_ascii_case("-n") || w.eq_ignore_ascii_case("/n") {
            count = words
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(4)
                .max(1);
        } else if !w.starts_with(['-', '/']) {
            host = Some(w);
        }
    }
    let Some(host) = host else {
        return vec![
            env.out(Stream::Stdout, "IP address must be specified.\r\n"),
            Step::Level(1),
        ];
    };
    let known = ["127.0.0.1", "localhost", "::1"];
    if !known.iter().any(|k| k.eq_ignore_ascii_case(host))
        && !host.eq_ignore_ascii_case(&env.machine)
    {
        let msg = format!(
            "Ping request could not find host {host}. Please check the name and try again.\r\n"
        );
        return vec![env.out(Stream::Stdout, &msg), Step::Level(1)];
    }
    let mut steps = vec![env.out(
        Stream::Stdout,
        "\r\nPinging 127.0.0.1 with 32 bytes of data:\r\n",
    )];
    for i in 0..count {
        if i > 0 {
            steps.push(Step::Wait(1));
        }
        steps.push(env.out(
            Stream::Stdout,
            "Reply from 127.0.0.1: bytes=32 time<1ms TTL=128\r\n",
        ));
    }
    steps.push(env.out(
        Stream::Stdout,
        &format!(
            "\r\nPing statistics for 127.0.0.1:\r\n    Packets: Sent = {count}, Received = {count}, \
             Lost = 0 (0% loss),\r\nApproximate round trip times in milli-seconds:\r\n    \
             Minimum = 0ms, Maximum = 0ms, Average = 0ms\r\n"
        ),
    ));
    steps.push(Step::Level(0));
    steps
}

/// `timeout /t N`: waits N ticks (Ctrl-C or terminate end it sooner).
pub fn timeout(args: &str, env: &Env) -> Vec<Step> {
    let mut words = args.split_whitespace();
    let mut secs = None;
    while let Some(w) = words.next() {
        if w.eq_ignore_ascii_case("/t") {
            secs = words.next().and_then(|n| n.parse::<i64>().ok());
        } else if let Ok(n) = w.parse::<i64>() {
            secs = Some(n);
        }
    }
    let Some(secs) = secs else {
        let msg = "ERROR: Invalid syntax. Default option is not allowed more than '1' time(s).\r\n\
                   Type \"TIMEOUT /?\" for usage.\r\n";
        return vec![env.out(Stream::Stderr, msg), Step::Level(1)];
    };
    let ticks = if secs < 0 {
        u32::MAX
    } else {
        secs.min(99_999) as u32
    };
    vec![
        env.out(
            Stream::Stdout,
            &format!("\r\nWaiting for {secs} seconds, press a key to continue ..."),
        ),
        Step::Wait(ticks),
        env.out(Stream::Stdout, "\r\n"),
        Step::Level(0),
    ]
}

/// `findstr [/I] [/V] [/C:text] WORDS`: arguments only; stdin comes later.
pub fn findstr(args: &str, env: &Env) -> Vec<Step> {
    let mut ignore_case = false;
    let mut invert = false;
    let mut words = Vec::new();
    for w in shell_words(args) {
        let lower = w.to_ascii_lowercase();
        if lower == "/i" {
            ignore_case = true;
        } else if lower == "/v" {
            invert = true;
        } else if let Some(text) = w.strip_prefix("/C:").or(w.strip_prefix("/c:")) {
            words.push(text.to_string());
        } else if words.is_empty() {
            words.extend(w.split_whitespace().map(str::to_string));
        }
    }
    if words.is_empty() {
        return vec![
            env.out(Stream::Stderr, "FINDSTR: Bad command line\r\n"),
            Step::Level(2),
        ];
    }
    vec![Step::Filter(Filter::Findstr {
        words,
        ignore_case,
        invert,
    })]
}

/// Blank-separated words, double quotes grouping (and removed).
pub fn shell_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' | '\t' if !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            _ => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Lines of stdin without their line ends.
fn lines(stdin: &[u8], env: &Env) -> Vec<String> {
    let text = env.decode(stdin);
    let mut out: Vec<String> = text
        .split('\n')
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect();
    if out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// Runs a filter over the whole of stdin.
pub fn filter(filter: Filter, stdin: &[u8], env: &Env) -> Vec<Step> {
    let crlf = |ls: Vec<String>| ls.iter().map(|l| format!("{l}\r\n")).collect::<String>();
    match filter {
        Filter::More => vec![
            env.out(Stream::Stdout, &crlf(lines(stdin, env))),
            Step::Level(0),
        ],
        Filter::Sort => {
            let mut ls = lines(stdin, env);
            ls.sort_by_key(|l| l.to_lowercase());
            vec![env.out(Stream::Stdout, &crlf(ls)), Step::Level(0)]
        }
        Filter::Findstr {
            words,
            ignore_case,
            invert,
        } => {
            let fold = |s: &str| {
                if ignore_case {
                    s.to_lowercase()
                } else {
                    s.to_string()
                }
            };
            let hits: Vec<String> = lines(stdin, env)
                .into_iter()
                .filter(|l| words.iter().any(|w| fold(l).contains(&fold(w))) != invert)
                .collect();
            let level = if hits.is_empty() { 1 } else { 0 };
            vec![env.out(Stream::Stdout, &crlf(hits)), Step::Level(level)]
        }
        Filter::Ps(run) => run.run(Some(stdin), env),
    }
}
