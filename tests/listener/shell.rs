//! The open WinRS shells and their commands, kept outside the listener's
//! global state lock: each command has its own `Mutex` + `Condvar`, so a
//! Receive can long-poll (wait up to its OperationTimeout for output) while
//! a Send, Signal or Delete for the same shell arrives on another
//! connection. Every wait has a deadline. This file owns the bookkeeping;
//! the SOAP side is `winrs`, what commands print is `shell_program` and its
//! interpreters.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::shell_program::{Env, Io, Poll, Program, Stream};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every open shell, plus what tests ask about afterwards.
#[derive(Default)]
pub struct Shells {
    open: Mutex<Vec<Arc<Shell>>>,
    /// Signal codes in arrival order, as sent.
    signals: Mutex<Vec<String>>,
}

/// What a Create asked for, echoed in Create/Get/Enumerate replies.
pub struct Shell {
    pub id: String,
    pub resource_uri: String,
    pub owner: String,
    pub input_streams: String,
    pub output_streams: String,
    pub idle_timeout: Duration,
    pub no_profile: bool,
    /// The Create's variables, for the echo in the CreateResponse.
    pub variables: Vec<(String, String)>,
    /// What commands start with (defaults + variables, directory, code page).
    pub env: Env,
    pub tick: Duration,
    pub created: Instant,
    last_used: Mutex<Instant>,
    commands: Mutex<Vec<Arc<Command>>>,
}

impl Shells {
    pub fn count(&self) -> usize {
        self.sweep();
        lock(&self.open).len()
    }

    pub fn list(&self) -> Vec<Arc<Shell>> {
        self.sweep();
        lock(&self.open).clone()
    }

    pub fn insert(&self, shell: Shell) -> Arc<Shell> {
        let shell = Arc::new(shell);
        lock(&self.open).push(shell.clone());
        shell
    }

    /// The shell with this id (compared ignoring case), marked as used.
    pub fn get(&self, id: &str) -> Option<Arc<Shell>> {
        let found = lock(&self.open)
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(id))
            .cloned()?;
        *lock(&found.last_used) = Instant::now();
        Some(found)
    }

    /// Closes a shell: its commands stop and any Receive waiting on them
    /// returns at once.
    pub fn remove(&self, id: &str) -> bool {
        let removed = {
            let mut open = lock(&self.open);
            let at = open.iter().position(|s| s.id.eq_ignore_ascii_case(id));
            at.map(|i| open.remove(i))
        };
        match removed {
            Some(shell) => {
                shell.close();
                true
            }
            None => false,
        }
    }

    /// Closes every shell (the listener is going away).
    pub fn close_all(&self) {
        let all = std::mem::take(&mut *lock(&self.open));
        for shell in all {
            shell.close();
        }
    }

    pub fn record_signal(&self, code: &str) {
        lock(&self.signals).push(code.to_string());
    }

    pub fn signals(&self) -> Vec<String> {
        lock(&self.signals).clone()
    }

    /// Windows drops shells left idle longer than their IdleTimeOut.
    fn sweep(&self) {
        let now = Instant::now();
        let expired: Vec<Arc<Shell>> = {
            let mut open = lock(&self.open);
            let (gone, keep) = std::mem::take(&mut *open)
                .into_iter()
                .partition(|s| now.duration_since(*lock(&s.last_used)) > s.idle_timeout);
            *open = keep;
            gone
        };
        for shell in expired {
            shell.close();
        }
    }
}

impl Shell {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        resource_uri: &str,
        owner: &str,
        streams: (String, String),
        idle_timeout: Duration,
        no_profile: bool,
        variables: Vec<(String, String)>,
        env: Env,
        tick: Duration,
    ) -> Shell {
        let now = Instant::now();
        Shell {
            id,
            resource_uri: resource_uri.to_string(),
            owner: owner.to_string(),
            input_streams: streams.0,
            output_streams: streams.1,
            idle_timeout,
            no_profile,
            variables,
            env,
            tick,
            created: now,
            last_used: Mutex::new(now),
            commands: Mutex::new(Vec::new()),
        }
    }

    pub fn inactive_for(&self) -> Duration {
        lock(&self.last_used).elapsed()
    }

    /// Commands that have not finished yet (Windows' ChildProcesses).
    pub fn running(&self) -> usize {
        lock(&self.commands)
            .iter()
            .filter(|c| lock(&c.state).exit.is_none())
            .count()
    }

    pub fn start(&self, id: String, program: Program) -> Arc<Command> {
        let command = Arc::new(Command {
            id,
            state: Mutex::new(State {
                program,
                io: Io::default(),
                exit: None,
                done_sent: false,
                gone: false,
            }),
            wake: Condvar::new(),
        });
        lock(&self.commands).push(command.clone());
        command
    }

    pub fn command(&self, id: &str) -> Option<Arc<Command>> {
        lock(&self.commands)
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(id))
            .cloned()
    }

    /// The terminate signal: the command is forgotten.
    pub fn forget(&self, id: &str) {
        let mut commands = lock(&self.commands);
        if let Some(i) = commands.iter().position(|c| c.id.eq_ignore_ascii_case(id)) {
            commands.remove(i).kill();
        }
    }

    fn close(&self) {
        for command in std::mem::take(&mut *lock(&self.commands)) {
            command.kill();
        }
    }
}

pub struct Command {
    pub id: String,
    state: Mutex<State>,
    wake: Condvar,
}

struct State {
    program: Program,
    io: Io,
    exit: Option<u32>,
    /// The final Receive (CommandState Done) went out.
    done_sent: bool,
    /// Terminated or its shell deleted.
    gone: bool,
}

impl State {
    fn advance(&mut self, now: Instant) -> Poll {
        if let Some(code) = self.exit {
            return Poll::Done(code);
        }
        let poll = self.program.advance(now, &mut self.io);
        if let Poll::Done(code) = poll {
            self.exit = Some(code);
        }
        poll
    }
}

/// What one Receive hands back.
pub enum Received {
    /// Output in order (same-stream runs merged); `Some(code)` when the
    /// command has finished and this is the last of its output.
    Output(Vec<(Stream, Vec<u8>)>, Option<u32>),
    /// Nothing new before the deadline.
    TimedOut,
    /// Terminated, finished and already reported, or its shell is gone.
    Gone,
}

impl Command {
    /// Still accepting requests (not terminated, not finished and reported).
    pub fn alive(&self) -> bool {
        let st = lock(&self.state);
        !st.gone && !st.done_sent
    }

    /// Stdin from a Send; `end` closes it.
    pub fn send(&self, bytes: &[u8], end: bool) {
        let mut st = lock(&self.state);
        if st.io.stdin_closed || st.exit.is_some() {
            return;
        }
        st.io.stdin.extend_from_slice(bytes);
        st.io.stdin_closed |= end;
        st.advance(Instant::now());
        self.wake.notify_all();
    }

    /// Ctrl-C (also Ctrl-Break and PowerShell's stop signal).
    pub fn interrupt(&self) {
        let mut st = lock(&self.state);
        if st.exit.is_none() {
            let st = &mut *st;
            st.program.interrupt(&mut st.io);
            st.advance(Instant::now());
        }
        self.wake.notify_all();
    }

    fn kill(&self) {
        lock(&self.state).gone = true;
        self.wake.notify_all();
    }

    /// Waits until there is output, the command ends or `deadline` passes.
    /// Takes at most `budget` bytes; output of streams not in `wanted` is
    /// dropped.
    pub fn receive(&self, deadline: Instant, budget: usize, wanted: &[Stream]) -> Received {
        let mut st = lock(&self.state);
        loop {
            if st.gone || st.done_sent {
                return Received::Gone;
            }
            let now = Instant::now();
            let poll = st.advance(now);
            if !st.io.out.is_empty() || st.exit.is_some() {
                let chunks = take(&mut st.io, budget, wanted);
                let done = if st.io.out.is_empty() { st.exit } else { None };
                st.done_sent = done.is_some();
                return Received::Output(chunks, done);
            }
            if now >= deadline {
                return Received::TimedOut;
            }
            let until = match poll {
                Poll::Wake(t) => t.min(deadline),
                _ => deadline,
            };
            st = self
                .wake
                .wait_timeout(st, until.saturating_duration_since(now))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// What one more `rsp:Stream` element costs, counted against the budget so
/// many small interleaved chunks still fit the MaxEnvelopeSize.
const CHUNK_COST: usize = 160;

/// Takes up to `budget` bytes of output from the front, in order.
fn take(io: &mut Io, budget: usize, wanted: &[Stream]) -> Vec<(Stream, Vec<u8>)> {
    let mut left = budget.max(CHUNK_COST + 1);
    let mut out = Vec::new();
    while left > CHUNK_COST {
        left -= CHUNK_COST;
        let Some((stream, bytes)) = io.out.front_mut() else {
            break;
        };
        let stream = *stream;
        let n = bytes.len().min(left);
        let piece: Vec<u8> = if n == bytes.len() {
            let (_, all) = io.out.pop_front().unwrap_or((stream, Vec::new()));
            all
        } else {
            bytes.drain(..n).collect()
        };
        io.out_len -= piece.len();
        if wanted.contains(&stream) {
            left = left.saturating_sub(piece.len());
            out.push((stream, piece));
        }
    }
    out
}
