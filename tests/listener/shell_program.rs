//! How a scripted WinRS command runs: a [`Program`] is a queue of [`Step`]s
//! (output, pauses, reads of stdin, an exit code) that the shell advances
//! whenever a Receive or Send looks at it, so nothing runs on the host and
//! no thread is spent per command. Time is measured in ticks (one second on
//! Windows, `Config::shell_tick` here) from the moment the command started,
//! so `ping` streams one line per tick however late the client polls.
//!
//! What each command line turns into lives in `shell_commands` (cmd.exe)
//! and `shell_ps` (powershell.exe); this file knows no command names.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::shell_commands;

/// NTSTATUS STATUS_CONTROL_C_EXIT 0xC000013A: the exit code of a console
/// program stopped by Ctrl-C (cmd reports it as -1073741510).
pub const CTRL_C_EXIT: u32 = 0xC000_013A;

/// `bigout` hands out at most this much before the client drains it, so
/// memory stays flat however many bytes were asked for.
const BIG_PIECE: usize = 256 * 1024;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// What a command can see of its shell; commands may change their copy
/// (`cd`, `set NAME=VALUE`) without touching the shell's.
#[derive(Clone, Debug)]
pub struct Env {
    pub machine: String,
    pub user: String,
    pub cwd: String,
    /// Environment variables (defaults plus the Create's), names unique
    /// ignoring case.
    pub vars: Vec<(String, String)>,
    pub codepage: u32,
}

impl Env {
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn set_var(&mut self, name: &str, value: &str) {
        self.vars.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if !value.is_empty() {
            self.vars.push((name.to_string(), value.to_string()));
        }
    }

    /// Text in the shell's code page (65001 = UTF-8, 437 = OEM US; others
    /// are treated as UTF-8).
    pub fn encode(&self, text: &str) -> Vec<u8> {
        if self.codepage != 437 {
            return text.as_bytes().to_vec();
        }
        text.chars()
            .map(|c| match c {
                '\0'..='\x7f' => c as u8,
                _ => CP437_HIGH
                    .chars()
                    .position(|h| h == c)
                    .map_or(b'?', |i| 0x80 + i as u8),
            })
            .collect()
    }

    /// Bytes from the client (stdin) as text, in the shell's code page.
    pub fn decode(&self, bytes: &[u8]) -> String {
        if self.codepage != 437 {
            return String::from_utf8_lossy(bytes).into_owned();
        }
        bytes
            .iter()
            .map(|&b| match b {
                0..=0x7f => b as char,
                _ => CP437_HIGH.chars().nth(usize::from(b - 0x80)).unwrap_or('?'),
            })
            .collect()
    }

    /// A step writing `text` to `stream`, encoded.
    pub fn out(&self, stream: Stream, text: &str) -> Step {
        Step::Out(stream, self.encode(text))
    }
}

/// Code page 437, bytes 0x80..=0xFF (the IBM PC character set).
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";

/// Something that must happen when stdin has ended.
pub enum Filter {
    /// `findstr`: lines containing any word (or the /C: string).
    Findstr {
        words: Vec<String>,
        ignore_case: bool,
        invert: bool,
    },
    Sort,
    More,
    /// PowerShell reading its script or `$input` from stdin.
    Ps(super::shell_ps::PsRun),
}

pub enum Step {
    Out(Stream, Vec<u8>),
    /// Pause for this many ticks.
    Wait(u32),
    /// Sets the errorlevel (the exit code unless something later changes it).
    Level(u32),
    /// Ends the whole program with this exit code (`exit`).
    Exit(u32),
    /// Reads stdin to its end, then runs the filter.
    Filter(Filter),
    /// Copies stdin to stdout as it arrives, until its end (`type con`).
    Copy,
    /// This many bytes of stdout, as fast as the client takes them.
    Big(u64),
    /// A child `cmd /c ...`: its `exit` only sets our errorlevel.
    Sub(Box<Program>),
    /// An interactive cmd.exe: runs each line typed on stdin, then prints
    /// the prompt again, until `exit` or the end of stdin.
    Console,
}

/// How a command in a `&` / `&&` / `||` list is joined to the one before.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Join {
    Always,
    IfOk,
    IfFailed,
}

/// The command's pipes as the shell holds them.
#[derive(Default)]
pub struct Io {
    /// Output not yet received, in the order written (same-stream chunks
    /// merged).
    pub out: VecDeque<(Stream, Vec<u8>)>,
    pub out_len: usize,
    pub stdin: Vec<u8>,
    pub stdin_closed: bool,
}

impl Io {
    pub fn push(&mut self, stream: Stream, bytes: Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        self.out_len += bytes.len();
        match self.out.back_mut() {
            Some((s, b)) if *s == stream => b.extend_from_slice(&bytes),
            _ => self.out.push_back((stream, bytes)),
        }
    }
}

/// Why [`Program::advance`] stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum Poll {
    /// Finished with this exit code.
    Done(u32),
    /// Nothing more before this moment.
    Wake(Instant),
    /// Waiting for stdin (or its end).
    Input,
    /// Output is piling up: let the client take it first.
    Full,
}

pub struct Program {
    pub env: Env,
    pending: VecDeque<(Join, String)>,
    steps: VecDeque<Step>,
    level: u32,
    exit: Option<u32>,
    /// When the current step began (pauses count from here).
    clock: Instant,
    tick: Duration,
}

impl Program {
    /// A cmd.exe command line (`cmd /c LINE`, as WinRS runs it).
    pub fn cmd(line: &str, env: Env, tick: Duration, now: Instant) -> Program {
        let line = shell_commands::expand_vars(line, &env);
        Program {
            pending: shell_commands::split_list(&line).into(),
            ..Self::steps(Vec::new(), env, tick, now)
        }
    }

    /// Ready-made steps (a program started without cmd.exe).
    pub fn steps(steps: Vec<Step>, env: Env, tick: Duration, now: Instant) -> Program {
        Program {
            env,
            pending: VecDeque::new(),
            steps: steps.into(),
            level: 0,
            exit: None,
            clock: now,
            tick,
        }
    }

    /// Runs every step that can run by `now`.
    pub fn advance(&mut self, now: Instant, io: &mut Io) -> Poll {
        let mut typed: Option<String> = None;
        loop {
            if let Some(code) = self.exit {
                return Poll::Done(code);
            }
            let Some(step) = self.steps.front_mut() else {
                match self.pending.pop_front() {
                    None => self.exit = Some(self.level),
                    Some((join, command)) => {
                        let run = match join {
                            Join::Always => true,
                            Join::IfOk => self.level == 0,
                            Join::IfFailed => self.level != 0,
                        };
                        if run {
                            let steps = shell_commands::expand(&command, &mut self.env);
                            self.steps.extend(steps);
                        }
                    }
                }
                continue;
            };
            match step {
                Step::Wait(ticks) => {
                    let due = self
                        .clock
                        .checked_add(self.tick.saturating_mul(*ticks))
                        .unwrap_or(now + Duration::from_secs(86_400));
                    if due > now {
                        return Poll::Wake(due);
                    }
                    self.clock = due;
                }
                Step::Copy => {
                    let bytes = std::mem::take(&mut io.stdin);
                    io.push(Stream::Stdout, bytes);
                    if !io.stdin_closed {
                        return Poll::Input;
                    }
                    self.clock = now;
                }
                Step::Filter(_) if !io.stdin_closed => return Poll::Input,
                Step::Console => {
                    if let Some(end) = io.stdin.iter().position(|&b| b == b'\n') {
                        let line: Vec<u8> = io.stdin.drain(..=end).collect();
                        typed = Some(String::from_utf8_lossy(&line).trim().to_string());
                    } else if io.stdin_closed {
                        self.exit = Some(self.level);
                        continue;
                    } else {
                        return Poll::Input;
                    }
                }
                Step::Big(left) => {
                    if io.out_len >= BIG_PIECE {
                        return Poll::Full;
                    }
                    let n = (*left).min(BIG_PIECE as u64) as usize;
                    *left -= n as u64;
                    let line =
                        b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n";
                    let bytes = line.iter().copied().cycle().take(n).collect();
                    io.push(Stream::Stdout, bytes);
                    if *left > 0 {
                        continue;
                    }
                }
                Step::Sub(child) => {
                    if child.tick.is_zero() {
                        // Adopted now: the child's pauses count from here.
                        child.tick = self.tick;
                        child.clock = self.clock;
                    }
                    match child.advance(now, io) {
                        Poll::Done(code) => self.level = code,
                        other => return other,
                    }
                }
                _ => {}
            }
            if let Some(line) = typed.take() {
                if line.eq_ignore_ascii_case("exit") {
                    self.exit = Some(self.level);
                    continue;
                }
                // The line's output, then the prompt; the console stays.
                let prompt = self.env.encode(&format!("\r\n{}>", self.env.cwd));
                self.steps.push_front(Step::Out(Stream::Stdout, prompt));
                let child = Program::cmd(&line, self.env.clone(), Duration::ZERO, now);
                self.steps.push_front(Step::Sub(Box::new(child)));
                continue;
            }
            // The front step is finished (or instantaneous): retire it.
            match self.steps.pop_front() {
                Some(Step::Out(stream, bytes)) => io.push(stream, bytes),
                Some(Step::Level(code)) => self.level = code,
                Some(Step::Exit(code)) => self.exit = Some(code),
                Some(Step::Filter(filter)) => {
                    let stdin = std::mem::take(&mut io.stdin);
                    let steps = super::shell_tools::filter(filter, &stdin, &self.env);
                    for s in steps.into_iter().rev() {
                        self.steps.push_front(s);
                    }
                    self.clock = now;
                }
                _ => {}
            }
        }
    }

    /// Ctrl-C: whatever runs stops, cmd echoes `^C`, and the exit code is
    /// STATUS_CONTROL_C_EXIT. A finished program ignores it.
    pub fn interrupt(&mut self, io: &mut Io) {
        if self.exit.is_some() {
            return;
        }
        self.steps.clear();
        self.pending.clear();
        io.push(Stream::Stdout, b"^C".to_vec());
        self.exit = Some(CTRL_C_EXIT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_page_437_has_128_high_characters() {
        assert_eq!(CP437_HIGH.chars().count(), 128);
    }
}
