//! Where each host's output goes in a fleet, so that hosts working at the
//! same time never mix their lines: the [`Board`] owns stdout and stderr
//! (one host writes at a time), and hands each host a pair of
//! [`HostWriter`]s that the verb writes to as it would to stdout and
//! stderr.
//!
//! A writer either passes whole lines through as they come, each named
//! after its host (JSON Lines records get `"@host"`; a command's text
//! lines get `HOST: ` in front, as pdsh does), or holds the host's output
//! until the host is done and then prints it whole, framed (see
//! [`winrm::render::hosts`]). What is held stays in memory up to
//! [`SPOOL_AFTER`] bytes per host, and [`MEMORY_BUDGET`] for all hosts
//! together, and goes to an unlinked temporary file beyond, so memory is
//! bounded however much a host prints and however many run at once.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use winrm::render::hosts;
use winrm::render::{Format, SharedDelimited, SharedTable};

use crate::report::{self, Report, Style};

/// A host's held output stays in memory up to this many bytes...
const SPOOL_AFTER: usize = 256 << 10;
/// ... while all hosts' held output together stays under this; beyond
/// it, a host's output goes to a file however little it is, so memory
/// does not grow with `--parallel`.
const MEMORY_BUDGET: usize = 8 << 20;
/// A text line longer than this is passed on in pieces (a program that
/// prints without line breaks must not fill memory).
const LINE_LIMIT: usize = 64 << 10;
/// The piece read back from a spool file at a time.
const COPY_CHUNK: usize = 64 << 10;

/// How a host's output reaches the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Held, then printed whole in the format's frame.
    Grouped,
    /// Line by line as it comes, each line named after its host.
    Lines,
    /// Straight through as it comes: rows of the one table (or csv, tsv)
    /// all hosts share, which name their host themselves.
    Direct,
}

/// The outputs all hosts add their rows to, closed at the end.
#[derive(Default)]
pub struct Shared {
    /// `-format:table`.
    pub table: Option<SharedTable>,
    /// `-format:csv` and `-format:tsv`.
    pub delimited: Option<SharedDelimited>,
}

/// stdout and stderr, shared by the hosts of a fleet.
pub struct Board {
    format: Format,
    layout: Layout,
    style: Style,
    /// The table or csv every host adds its rows to.
    shared: Shared,
    /// What the hosts' held output takes in memory.
    budget: Budget,
    state: Mutex<State>,
    /// The reader of stdout went away (`| head`): the fleet stops. A
    /// flag of its own, not a Ctrl-C press: the user's first real press
    /// must still be a first press.
    closed: AtomicBool,
}

/// What the frame needs to know about what was printed before.
#[derive(Default)]
struct State {
    /// Host blocks printed so far.
    blocks: usize,
}

/// Which of our streams a writer feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

impl Board {
    /// A board for output in `format`, laid out as `layout`; `shared`:
    /// the table or csv the hosts share, closed at the end.
    pub fn new(format: Format, layout: Layout, shared: Shared, style: Style) -> Self {
        Board {
            format,
            layout,
            style,
            shared,
            budget: Budget::new(MEMORY_BUDGET),
            state: Mutex::new(State::default()),
            closed: AtomicBool::new(false),
        }
    }

    /// Whether the reader of stdout went away.
    pub fn closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts the document (XML's root element).
    pub fn open(&self) {
        if matches!(self.format, Format::Xml | Format::Pretty) {
            let _guard = self.lock();
            let _ = self.write(Stream::Out, hosts::XML_OPEN.as_bytes());
        }
    }

    /// Ends the document (the JSON array, XML's root element, the
    /// table's last rows).
    pub fn close(&self) {
        let state = self.lock();
        let mut end = String::new();
        match self.format {
            Format::Json => end.push_str(hosts::json_close(state.blocks > 0)),
            Format::Xml | Format::Pretty => end.push_str(hosts::XML_CLOSE),
            _ => {
                if let Some(table) = &self.shared.table {
                    table.finish(&mut end);
                }
                if let Some(delimited) = &self.shared.delimited {
                    delimited.finish(&mut end);
                }
            }
        }
        if !end.is_empty() && !self.closed() {
            let _ = self.write(Stream::Out, end.as_bytes());
        }
        // The columns of the one table (or csv) all hosts shared: a name
        // that matched nothing is said once.
        let unmatched = match (&self.shared.table, &self.shared.delimited) {
            (Some(table), _) => table.unmatched_columns(),
            (None, Some(delimited)) => delimited.unmatched_columns(),
            (None, None) => Vec::new(),
        };
        if let Some(warning) = crate::cli::hints::unmatched_columns(&unmatched) {
            let _ = self.write(Stream::Err, format!("{warning}\n").as_bytes());
        }
    }

    /// The writers for one host's stdout and stderr.
    pub fn host<'b>(&'b self, label: &'b str) -> (HostWriter<'b>, HostWriter<'b>) {
        let writer = |stream| HostWriter {
            board: self,
            label,
            stream,
            held: Spool::new(&self.budget),
            partial: Vec::new(),
        };
        (writer(Stream::Out), writer(Stream::Err))
    }

    /// Writes to our stdout or stderr and flushes; the caller holds the
    /// lock. A closed stdout stops the fleet (see [`Board::closed`]).
    fn write(&self, stream: Stream, bytes: &[u8]) -> io::Result<()> {
        let result = match stream {
            Stream::Out => {
                let mut out = io::stdout().lock();
                out.write_all(bytes).and_then(|()| out.flush())
            }
            Stream::Err => {
                // stderr may be full or closed; that stops nothing.
                let mut err = io::stderr().lock();
                let _ = err.write_all(bytes).and_then(|()| err.flush());
                Ok(())
            }
        };
        if let Err(e) = &result
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            self.closed.store(true, Ordering::SeqCst);
        }
        result
    }

    /// Ends one host: what it still holds is printed, framed, with its
    /// failure (`report`) where the format puts failures, all while no
    /// other host may write.
    pub fn finish(
        &self,
        mut out: HostWriter<'_>,
        mut err: HostWriter<'_>,
        report: Option<&Report>,
    ) {
        let label = out.label;
        let mut state = self.lock();
        let _ = out.pass_partial_line();
        let _ = err.pass_partial_line();
        if self.layout == Layout::Grouped && !self.closed() {
            let _ = self.print_block(&mut state, &mut out, report);
            if !err.held.is_empty() {
                let _ = self.write(Stream::Err, hosts::text_header(label).as_bytes());
                let _ = err.held.drain(|bytes| self.write(Stream::Err, bytes));
            }
        }
        let Some(report) = report else { return };
        match (self.format, self.layout) {
            (Format::Json, Layout::Grouped) => {} // inside the host's object
            (Format::Json | Format::Jsonl, _) => {
                let mut line = report::json_record(report, Some(label));
                line.push('\n');
                let _ = self.write(Stream::Out, line.as_bytes());
            }
            _ => report::emit(report, self.style, Some(&hosts::shown(label))),
        }
    }

    /// Records a host that was never started (the run was interrupted),
    /// in the formats where each host has a record: json, jsonl and xml.
    /// Elsewhere the summary's count says it.
    pub fn skipped(&self, label: &str) {
        if !matches!(
            self.format,
            Format::Json | Format::Jsonl | Format::Xml | Format::Pretty
        ) {
            return;
        }
        let (out, err) = self.host(label);
        self.finish(out, err, Some(&report::not_started()));
    }

    /// A grouped host's output in the format's frame.
    fn print_block(
        &self,
        state: &mut State,
        out: &mut HostWriter<'_>,
        report: Option<&Report>,
    ) -> io::Result<()> {
        let label = out.label;
        let held = &mut out.held;
        let first = state.blocks == 0;
        match self.format {
            Format::Json => {
                state.blocks += 1;
                self.write(Stream::Out, hosts::json_host_open(label, first).as_bytes())?;
                if !held.is_empty() {
                    self.write(Stream::Out, hosts::JSON_RESULT.as_bytes())?;
                    let mut indent = hosts::Reindent::default();
                    let mut piece = Vec::with_capacity(COPY_CHUNK + COPY_CHUNK / 4);
                    held.drain(|bytes| {
                        piece.clear();
                        indent.push(bytes, &mut piece);
                        self.write(Stream::Out, &piece)
                    })?;
                } else if report.is_none() {
                    self.write(Stream::Out, hosts::JSON_NO_RESULT.as_bytes())?;
                }
                if let Some(report) = report {
                    let error = hosts::json_host_error(&report::error_object(report));
                    self.write(Stream::Out, error.as_bytes())?;
                }
                self.write(Stream::Out, hosts::JSON_HOST_CLOSE.as_bytes())
            }
            Format::Xml | Format::Pretty => {
                state.blocks += 1;
                self.write(Stream::Out, hosts::xml_host_open(label).as_bytes())?;
                held.drain(|bytes| self.write(Stream::Out, bytes))?;
                if let Some(report) = report {
                    let error = hosts::xml_host_error(report.kind, report.exit, &report.message);
                    self.write(Stream::Out, error.as_bytes())?;
                }
                self.write(Stream::Out, hosts::XML_HOST_CLOSE.as_bytes())
            }
            Format::Text if !held.is_empty() => {
                let gap = if first { "" } else { "\n" };
                state.blocks += 1;
                let header = format!("{gap}{}", hosts::text_header(label));
                self.write(Stream::Out, header.as_bytes())?;
                let mut last = b'\n';
                held.drain(|bytes| {
                    last = bytes.last().copied().unwrap_or(last);
                    self.write(Stream::Out, bytes)
                })?;
                if last != b'\n' {
                    self.write(Stream::Out, b"\n")?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// One host's stdout or stderr, as the verb sees it.
pub struct HostWriter<'b> {
    board: &'b Board,
    label: &'b str,
    stream: Stream,
    /// Grouped: everything so far.
    held: Spool<'b>,
    /// Lines: the start of a line whose end has not come yet.
    partial: Vec<u8>,
}

impl HostWriter<'_> {
    /// JSON Lines get `"@host"`; text lines a `HOST: ` prefix.
    fn named_lines(&self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len() + 64);
        let prefix = hosts::line_prefix(self.label);
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            if self.board.format == Format::Jsonl && self.stream == Stream::Out {
                let text = String::from_utf8_lossy(line);
                out.extend_from_slice(hosts::jsonl_record(&text, self.label).as_bytes());
            } else {
                out.extend_from_slice(prefix.as_bytes());
                out.extend_from_slice(line);
                if !line.ends_with(b"\n") {
                    out.push(b'\n');
                }
            }
        }
        out
    }

    /// Passes on whole lines (and an overlong piece of one).
    fn pass_lines(&mut self) -> io::Result<()> {
        let whole = match self.partial.iter().rposition(|&b| b == b'\n') {
            Some(end) => end + 1,
            None if self.partial.len() > LINE_LIMIT && self.board.format != Format::Jsonl => {
                self.partial.len()
            }
            None => return Ok(()),
        };
        let rest = self.partial.split_off(whole);
        let lines = std::mem::replace(&mut self.partial, rest);
        let named = self.named_lines(&lines);
        let _guard = self.board.lock();
        self.board.write(self.stream, &named)
    }

    /// Passes on what is left of a last line without its line break; the
    /// caller holds the board's lock.
    fn pass_partial_line(&mut self) -> io::Result<()> {
        if self.partial.is_empty() {
            return Ok(());
        }
        let lines = std::mem::take(&mut self.partial);
        let named = self.named_lines(&lines);
        self.board.write(self.stream, &named)
    }
}

impl Write for HostWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.board.closed() && self.stream == Stream::Out {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        match self.board.layout {
            Layout::Grouped => self.held.write_all(bytes)?,
            Layout::Lines => {
                self.partial.extend_from_slice(bytes);
                self.pass_lines()?;
            }
            Layout::Direct => {
                let _guard = self.board.lock();
                self.board.write(self.stream, bytes)?;
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The memory all hosts' held output may take together.
struct Budget {
    limit: usize,
    held: AtomicUsize,
}

impl Budget {
    fn new(limit: usize) -> Self {
        Budget {
            limit,
            held: AtomicUsize::new(0),
        }
    }

    /// Takes `n` bytes from the budget, if they are left.
    fn take(&self, n: usize) -> bool {
        self.held
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |held| {
                held.checked_add(n).filter(|&after| after <= self.limit)
            })
            .is_ok()
    }

    /// Gives `n` bytes taken before back.
    fn give_back(&self, n: usize) {
        self.held.fetch_sub(n, Ordering::SeqCst);
    }
}

/// Bytes held for later: in memory up to [`SPOOL_AFTER`] (and while the
/// fleet's [`Budget`] lasts), then in a temporary file that has no name
/// (it is unlinked as soon as it is made, so nothing is left behind,
/// however the run ends).
struct Spool<'b> {
    budget: &'b Budget,
    memory: Vec<u8>,
    file: Option<File>,
}

impl<'b> Spool<'b> {
    fn new(budget: &'b Budget) -> Self {
        Spool {
            budget,
            memory: Vec::new(),
            file: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.memory.is_empty() && self.file.is_none()
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.file.is_none()
            && self.memory.len() + bytes.len() <= SPOOL_AFTER
            && self.budget.take(bytes.len())
        {
            self.memory.extend_from_slice(bytes);
            return Ok(());
        }
        let file = match &mut self.file {
            Some(file) => file,
            None => {
                let mut file = spool_file()?;
                file.write_all(&self.memory)?;
                self.release_memory();
                self.file.insert(file)
            }
        };
        file.write_all(bytes)
    }

    /// Empties the memory part, giving its bytes back to the budget.
    fn release_memory(&mut self) {
        self.budget.give_back(self.memory.len());
        self.memory = Vec::new();
    }

    /// Hands everything held to `sink`, a piece at a time, and empties.
    fn drain(&mut self, mut sink: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        if !self.memory.is_empty() {
            let result = sink(&self.memory);
            self.release_memory();
            result?;
        }
        if let Some(mut file) = self.file.take() {
            file.rewind()?;
            let mut piece = vec![0; COPY_CHUNK];
            loop {
                let n = file.read(&mut piece)?;
                if n == 0 {
                    break;
                }
                sink(&piece[..n])?;
            }
        }
        Ok(())
    }
}

impl Drop for Spool<'_> {
    fn drop(&mut self) {
        self.release_memory();
    }
}

/// A new temporary file, readable by us only, already unlinked.
fn spool_file() -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir();
    loop {
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("winrm-fleet-{}-{n}", std::process::id()));
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(file) => {
                std::fs::remove_file(&path)?;
                return Ok(file);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                let hint = crate::cli::hints::spool_file(&e);
                return Err(io::Error::new(
                    e.kind(),
                    format!(
                        "cannot hold a host's output in {}: {e} ({hint})",
                        dir.display()
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hosts_share_one_memory_budget() {
        let budget = Budget::new(1000);
        let mut first = Spool::new(&budget);
        let mut second = Spool::new(&budget);
        first.write_all(&[b'a'; 600]).unwrap();
        assert!(first.file.is_none(), "within the budget: memory");
        second.write_all(&[b'b'; 600]).unwrap();
        assert!(second.file.is_some(), "past the budget: a file");
        assert_eq!(budget.held.load(Ordering::SeqCst), 600);
        let mut got = Vec::new();
        first
            .drain(|bytes| {
                got.extend_from_slice(bytes);
                Ok(())
            })
            .unwrap();
        assert_eq!(got, [b'a'; 600]);
        assert_eq!(budget.held.load(Ordering::SeqCst), 0, "given back");
        let mut third = Spool::new(&budget);
        third.write_all(&[b'c'; 900]).unwrap();
        drop(third);
        assert_eq!(budget.held.load(Ordering::SeqCst), 0, "given back on drop");
    }

    #[test]
    fn a_spool_keeps_order_across_memory_and_file() {
        let budget = Budget::new(MEMORY_BUDGET);
        let mut spool = Spool::new(&budget);
        let line = vec![b'x'; 1000];
        let mut expected = Vec::new();
        for i in 0..600 {
            spool.write_all(&line).unwrap();
            spool.write_all(format!("{i}\n").as_bytes()).unwrap();
            expected.extend_from_slice(&line);
            expected.extend_from_slice(format!("{i}\n").as_bytes());
        }
        assert!(spool.file.is_some(), "beyond the bound, a file holds it");
        assert!(spool.memory.len() <= SPOOL_AFTER);
        let mut got = Vec::new();
        spool
            .drain(|bytes| {
                got.extend_from_slice(bytes);
                Ok(())
            })
            .unwrap();
        assert_eq!(got, expected);
        assert!(spool.is_empty());
    }
}
