//! Our stdin for a command on several hosts: read once, by one thread, as
//! it comes, and given whole to every host, each reading at its own pace.
//!
//! Hosts start at once, without waiting for the end of stdin (a pipe that
//! never closes, such as ssh's without `-n`, must not keep a command that
//! reads nothing from starting). A host started later, when `--parallel`
//! holds it back, still gets everything from the first byte, so what was
//! read is kept, up to [`LIMIT`]; beyond it every host still reading
//! stdin fails with a clear error, as memory must stay bounded.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// The most of our stdin a command on several hosts is given.
pub const LIMIT: usize = 16 << 20;
/// The piece the reader thread reads at a time.
const READ_CHUNK: usize = 64 << 10;

/// Our stdin, shared by the hosts of a fleet. Cloning gives another handle
/// to the same bytes; the reading starts with the first host's first read.
#[derive(Clone, Default)]
pub struct SharedStdin(Arc<Inner>);

#[derive(Default)]
struct Inner {
    state: Mutex<State>,
    /// Signalled when bytes or the end arrive.
    grown: Condvar,
    /// The reader thread was started.
    started: OnceLock<()>,
}

#[derive(Default)]
struct State {
    bytes: Vec<u8>,
    end: Option<End>,
}

/// How stdin ended.
#[derive(Clone)]
enum End {
    /// End of file.
    Eof,
    /// More than [`LIMIT`] bytes.
    TooMuch,
    /// A read failed.
    Failed(String),
}

/// What a host gets when it asks for more.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// The next bytes.
    Data(Vec<u8>),
    /// Nothing more came in the time given; stdin is still open.
    Waiting,
    /// End of file: all was read.
    End,
}

impl std::fmt::Debug for SharedStdin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedStdin")
    }
}

impl PartialEq for SharedStdin {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SharedStdin {}

impl SharedStdin {
    /// A reader starting at the first byte, for one host.
    pub fn reader(&self) -> SharedReader {
        let inner = Arc::clone(&self.0);
        self.0.started.get_or_init(|| {
            let source = Arc::clone(&inner);
            // Detached: it may block on a pipe that never ends; the
            // process exits without waiting for it.
            let spawned = std::thread::Builder::new()
                .name("winrm-stdin".into())
                .spawn(move || source.fill(std::io::stdin().lock()));
            if let Err(e) = spawned {
                inner.end(End::Failed(e.to_string()));
            }
        });
        SharedReader {
            shared: self.clone(),
            offset: 0,
        }
    }

    #[cfg(test)]
    fn from_reader(source: impl std::io::Read + Send + 'static) -> SharedStdin {
        let shared = SharedStdin::default();
        shared.0.started.get_or_init(|| {
            let inner = Arc::clone(&shared.0);
            std::thread::spawn(move || inner.fill(source));
        });
        shared
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads `source` to its end (or the limit) into the shared bytes.
    fn fill(&self, mut source: impl std::io::Read) {
        let mut piece = vec![0; READ_CHUNK];
        loop {
            match source.read(&mut piece) {
                Ok(0) => return self.end(End::Eof),
                Ok(n) => {
                    let mut state = self.lock();
                    if state.bytes.len() + n > LIMIT {
                        drop(state);
                        return self.end(End::TooMuch);
                    }
                    state.bytes.extend_from_slice(&piece[..n]);
                    drop(state);
                    self.grown.notify_all();
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return self.end(End::Failed(e.to_string())),
            }
        }
    }

    fn end(&self, end: End) {
        self.lock().end = Some(end);
        self.grown.notify_all();
    }
}

/// One host's place in the shared stdin.
pub struct SharedReader {
    shared: SharedStdin,
    offset: usize,
}

impl SharedReader {
    /// Up to `most` bytes past what this host was given, waiting at most
    /// `patience` for them.
    pub fn next(&mut self, most: usize, patience: Duration) -> anyhow::Result<Next> {
        let inner = &self.shared.0;
        let mut state = inner.lock();
        if state.bytes.len() == self.offset && state.end.is_none() {
            state = inner
                .grown
                .wait_timeout(state, patience)
                .map_or_else(|e| e.into_inner().0, |(state, _)| state);
        }
        if let Some(End::TooMuch) = state.end {
            anyhow::bail!(
                "stdin holds more than {} MiB, too much to send to several hosts; add \
                 --no-stdin, or copy the data to the hosts first",
                LIMIT >> 20
            );
        }
        if state.bytes.len() > self.offset {
            let end = state.bytes.len().min(self.offset + most.max(1));
            let data = state.bytes[self.offset..end].to_vec();
            self.offset = end;
            return Ok(Next::Data(data));
        }
        match &state.end {
            None => Ok(Next::Waiting),
            Some(End::Eof | End::TooMuch) => Ok(Next::End),
            Some(End::Failed(e)) => anyhow::bail!("cannot read stdin: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(reader: &mut SharedReader, most: usize) -> anyhow::Result<Vec<u8>> {
        let mut all = Vec::new();
        loop {
            match reader.next(most, Duration::from_secs(5))? {
                Next::Data(bytes) => all.extend_from_slice(&bytes),
                Next::Waiting => {}
                Next::End => return Ok(all),
            }
        }
    }

    #[test]
    fn every_reader_gets_everything_from_the_start() {
        let text = b"apple\nbanana\ncherry\n".repeat(1000);
        let shared = SharedStdin::from_reader(std::io::Cursor::new(text.clone()));
        let mut first = shared.reader();
        assert_eq!(drain(&mut first, 7).unwrap(), text);
        // A host started after the end still gets it all.
        assert_eq!(drain(&mut shared.reader(), 4096).unwrap(), text);
    }

    #[test]
    fn an_open_stdin_does_not_hold_a_reader() {
        let (pipe, _keep) = std::io::pipe().unwrap();
        let shared = SharedStdin::from_reader(pipe);
        let mut reader = shared.reader();
        assert_eq!(
            reader.next(10, Duration::from_millis(10)).unwrap(),
            Next::Waiting
        );
    }

    #[test]
    fn more_than_the_limit_is_refused() {
        let shared = SharedStdin::from_reader(std::io::repeat(b'y'));
        let e = drain(&mut shared.reader(), 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("more than 16 MiB") && e.contains("--no-stdin"),
            "{e}"
        );
    }
}
