//! `exec`: a command in a remote cmd shell, its output streamed to ours as
//! it arrives (byte for byte), our stdin streamed to it, and its exit code
//! as ours (see [`exit_status`]).
//!
//! One thread drives the session: it sends whatever stdin is ready, then
//! asks for output, waiting at most [`RECEIVE_WAIT`] so that Ctrl-C and
//! typed input are acted on promptly. A second thread only reads our stdin
//! into a small bounded queue, so memory stays flat however much is piped
//! in. The first Ctrl-C (or SIGTERM) sends the remote Ctrl-C, the second
//! terminates the command; leaving in any way drops the command and the
//! shell, which terminate and delete them on the server.

use std::io::{Read, Write};

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};
use winrm::render::command::CommandPrinter;

use winrm::session::{Cancel, Session, Signal, Stream};

use crate::cli::fleet::{Next, SharedReader};
use crate::cli::interrupt::Interrupted;
use crate::cli::plan::OutputPlan;
use crate::cli::plan::exec::{Exec, Stdin};

/// The longest one Receive waits for output before asking again.
const RECEIVE_WAIT: Duration = Duration::from_secs(1);
/// How long a Receive waits while stdin is still flowing in.
const BUSY_WAIT: Duration = Duration::from_millis(100);
/// The longest stretch spent sending stdin before asking for output (and
/// looking for a Ctrl-C) again.
const STDIN_BUDGET: Duration = Duration::from_millis(500);
/// How long to wait for more of our stdin before asking for output, while
/// stdin is still open: long enough for a pipe to refill, short enough
/// that output keeps flowing.
const STDIN_PATIENCE: Duration = Duration::from_millis(20);
/// Chunks of stdin queued ahead of the sender: bounds memory.
const STDIN_QUEUE: usize = 2;

/// The exit status for a remote exit code: 0–254 as they are; 255 is
/// winrm's own failure (as ssh's), so 255, negative and larger codes
/// (0xC000013A after Ctrl-C) become 254, with the real code on stderr.
pub fn exit_status(code: i64) -> (u8, Option<String>) {
    match u8::try_from(code) {
        Ok(status) if status < 255 => (status, None),
        _ => {
            // Windows exit codes are 32-bit; show them as Windows does.
            let hex = format!("{:#X}", code as u32);
            (
                254,
                Some(format!(
                    "the remote command exited with {code} ({hex}); winrm exits 254 for codes \
                     outside 0-254"
                )),
            )
        }
    }
}

pub fn run(
    session: &mut Session,
    exec: &Exec,
    output: &OutputPlan,
    cancel: &Cancel,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let mut shell = session.open_shell(&exec.shell)?;
    shell.set_receive_wait(RECEIVE_WAIT);
    let mut command = shell.run(&exec.program, &exec.arguments, &exec.command)?;
    let chunk = command.send_size();

    let mut input = match &exec.stdin {
        Stdin::Closed => {
            command.send(&[], true)?;
            None
        }
        Stdin::Bytes(bytes) => {
            let mut pieces = bytes.chunks(chunk).peekable();
            while let Some(piece) = pieces.next() {
                command.send(piece, pieces.peek().is_none())?;
            }
            if bytes.is_empty() {
                command.send(&[], true)?;
            }
            None
        }
        Stdin::Forward => Some(Input::Own(spawn_stdin_reader(chunk))),
        Stdin::Shared(shared) => Some(Input::Shared(shared.reader())),
    };

    let mut printer = CommandPrinter::new(output.format, out, err);
    // PowerShell's stderr is one CLIXML document: decoded when complete.
    let mut clixml = exec.powershell.then(Vec::new);
    let mut signalled = 0;
    loop {
        // Stdin first, for a bounded while: a source that never pauses
        // must not keep Ctrl-C and the command's output waiting.
        let mut more_input = false;
        if let Some(source) = &mut input {
            match pump_stdin(&mut command, source, cancel)? {
                Pumped::Open { busy } => more_input = busy,
                Pumped::Closed => input = None,
            }
        }
        let wanted = cancel.requests();
        if wanted > signalled {
            let signal = if wanted == 1 {
                Signal::CtrlC
            } else {
                Signal::Terminate
            };
            signalled = wanted;
            // Stopping was asked for: no more input, and a signal that
            // fails (the command ending meanwhile, say) ends the run too.
            input = None;
            if command.signal(signal).is_err() {
                break;
            }
        }
        // While stdin still flows, ask for output without waiting long.
        command.set_receive_wait(if more_input { BUSY_WAIT } else { RECEIVE_WAIT });
        let asked = Instant::now();
        let received = command.receive()?;
        for (stream, bytes) in received.chunks() {
            match (stream, &mut clixml) {
                (Stream::Stderr, Some(buffer)) => buffer.extend_from_slice(bytes),
                _ => printer.chunk(stream, bytes)?,
            }
        }
        if received.done {
            break;
        }
        // A server that answers "nothing yet" at once, again and again,
        // must not spin us.
        if received.is_empty() && asked.elapsed() < BUSY_WAIT / 2 {
            std::thread::sleep(BUSY_WAIT);
        }
    }
    let code = command.exit_code();
    drop(command);
    // The output first: whatever becomes of the Delete, it is printed.
    if let Some(buffer) = clixml {
        printer.chunk(
            Stream::Stderr,
            &winrm::protocol::clixml::plain_text(&buffer),
        )?;
    }
    printer.finish(code)?;
    drop(printer);
    // Notes go where the command's stderr goes: on several hosts, that
    // names the host.
    if let Err(e) = shell.close() {
        let _ = writeln!(
            err,
            "winrm: warning: the remote shell was not deleted ({e}); the server closes it \
             after its idle timeout"
        );
    }
    if signalled > 0 {
        return Err(Interrupted::Command.into());
    }
    let (status, note) = match code {
        Some(code) => exit_status(code),
        None => (
            254,
            Some("the server reported no exit code; winrm exits 254".to_string()),
        ),
    };
    if let Some(note) = note {
        let _ = writeln!(err, "winrm: {note}");
    }
    Ok(status)
}

/// What the stdin reader hands over: a buffer and how much of it was read.
enum Piece {
    Data(Vec<u8>, usize),
    End,
    Failed(std::io::Error),
}

/// Where the command's stdin comes from: our stdin, read for this command
/// alone, or shared by the hosts of a fleet.
enum Input {
    Own(StdinQueue),
    Shared(SharedReader),
}

/// The reader's queue of pieces, and the way buffers go back to it to be
/// filled again (so reading 100 MB allocates three buffers, not 400).
struct StdinQueue {
    pieces: Receiver<Piece>,
    empties: SyncSender<Vec<u8>>,
}

fn spawn_stdin_reader(chunk: usize) -> StdinQueue {
    let (tx, pieces) = mpsc::sync_channel(STDIN_QUEUE);
    let (empties, recycled) = mpsc::sync_channel(STDIN_QUEUE + 1);
    // Detached: it may block on a terminal read after the command ended;
    // the process exits without waiting for it.
    std::thread::spawn(move || read_stdin(&tx, &recycled, chunk));
    StdinQueue { pieces, empties }
}

fn read_stdin(tx: &SyncSender<Piece>, recycled: &Receiver<Vec<u8>>, chunk: usize) {
    let mut stdin = std::io::stdin().lock();
    loop {
        let mut buffer = recycled.try_recv().unwrap_or_else(|_| vec![0; chunk]);
        // A read returns what is there: a typed line goes at once.
        let piece = match stdin.read(&mut buffer) {
            Ok(0) => Piece::End,
            Ok(n) => Piece::Data(buffer, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => Piece::Failed(e),
        };
        let last = !matches!(piece, Piece::Data(..));
        if tx.send(piece).is_err() || last {
            return;
        }
    }
}

enum Pumped {
    /// Stdin is still open; `busy`: more may be waiting already.
    Open {
        busy: bool,
    },
    Closed,
}

/// Sends whatever stdin is ready, for at most [`STDIN_BUDGET`], and not
/// after a Ctrl-C.
fn pump_stdin(
    command: &mut winrm::session::Command<'_, '_>,
    input: &mut Input,
    cancel: &Cancel,
) -> anyhow::Result<Pumped> {
    let started = Instant::now();
    let chunk = command.send_size();
    loop {
        if cancel.is_cancelled() || started.elapsed() >= STDIN_BUDGET {
            return Ok(Pumped::Open { busy: true });
        }
        let piece = match input {
            Input::Own(queue) => match queue.pieces.recv_timeout(STDIN_PATIENCE) {
                Ok(piece) => Some(piece),
                Err(RecvTimeoutError::Disconnected) => Some(Piece::End),
                Err(RecvTimeoutError::Timeout) => None,
            },
            Input::Shared(reader) => match reader.next(chunk, STDIN_PATIENCE) {
                Ok(Next::Data(bytes)) => {
                    let n = bytes.len();
                    Some(Piece::Data(bytes, n))
                }
                Ok(Next::End) => Some(Piece::End),
                Ok(Next::Waiting) => None,
                Err(e) => {
                    // Tell the command its input ended, then fail.
                    command.send(&[], true)?;
                    return Err(e);
                }
            },
        };
        match piece {
            Some(Piece::Data(buffer, n)) => {
                command.send(&buffer[..n], false)?;
                if let Input::Own(queue) = input {
                    // The reader may be gone (it sent its last piece).
                    let _ = queue.empties.try_send(buffer);
                }
            }
            Some(Piece::End) => {
                command.send(&[], true)?;
                return Ok(Pumped::Closed);
            }
            Some(Piece::Failed(e)) => {
                command.send(&[], true)?;
                return Err(anyhow::Error::from(e).context("cannot read stdin"));
            }
            None => return Ok(Pumped::Open { busy: false }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exit_status;

    #[test]
    fn remote_exit_codes_map_to_ours() {
        assert_eq!(exit_status(0), (0, None));
        assert_eq!(exit_status(1), (1, None));
        assert_eq!(exit_status(254), (254, None));
        let (status, note) = exit_status(255);
        assert_eq!(status, 254);
        assert!(note.unwrap().contains("255 (0xFF)"));
        let (status, note) = exit_status(-1_073_741_510);
        assert_eq!(status, 254);
        assert!(note.unwrap().contains("0xC000013A"), "Ctrl-C's NTSTATUS");
        assert_eq!(exit_status(3_221_225_786).0, 254);
    }
}
