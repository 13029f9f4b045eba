//! A fleet: one verb against several targets, `--parallel` hosts at a
//! time.
//!
//! Each host gets its own session (connection, authentication, deadlines)
//! in a worker thread of a bounded pool; the credentials are resolved
//! once, before the first host, and shared. Each host runs the same verb
//! code as a single-host run ([`verbs::perform`]); only its stdout and
//! stderr differ: writers from the [`sink::Board`], which keep hosts'
//! output apart. A dead host costs its own timeout and nothing more.
//!
//! Ctrl-C stops handing out hosts; the hosts in flight stop at their safe
//! point (an enumeration after its page, releasing it; a remote command
//! is signalled and its shell deleted). At the end, stderr gets a line per
//! failed host and the count, and the exit code follows
//! [`report::fleet_summary`].

mod limits;
mod sink;
mod stdin;

pub use stdin::{Next, SharedReader, SharedStdin};

use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use winrm::render::{Format, SharedDelimited, SharedTable};
use winrm::session::Cancel;
use winrm::transport::Credentials;

use super::interrupt;
use super::plan::{ConnectionPlan, OutputPlan, Plan, Target, Verb};
use super::{connect, verbs};
use crate::report::{self, HostEnd, Style};
use sink::{Board, HostWriter, Layout, Shared};

/// How one host ended: the verb's exit code, or its error.
type Outcome = anyhow::Result<u8>;

/// Runs the plan's verb on each of its targets; prints a summary on
/// stderr and returns the fleet's exit code.
pub fn run(plan: Plan, style: Style) -> ExitCode {
    let Plan {
        verb,
        output,
        connection,
        ..
    } = plan;
    let Some(connection) = connection else {
        return ExitCode::SUCCESS;
    };
    let hosts = connection.targets.len();
    let credentials = match connect::credentials(&connection.auth, &format!("{hosts} hosts")) {
        Ok(credentials) => credentials,
        Err(e) => return report::error(&e, style, false),
    };
    let cancel = Cancel::new();
    if let Some((notices, quit)) = interrupt::notices(&verb, true) {
        interrupt::install(cancel.clone(), notices, quit);
    }

    let exec_group = matches!(&verb, Verb::Exec(exec) if exec.group);
    let layout = match output.format {
        Format::Jsonl => Layout::Lines,
        Format::Text if matches!(verb, Verb::Exec(_)) && !exec_group => Layout::Lines,
        Format::Table | Format::Csv | Format::Tsv => Layout::Direct,
        _ => Layout::Grouped,
    };
    let mut output = output;
    let table = (output.format == Format::Table)
        .then(|| SharedTable::new(output.render.columns.clone(), output.render.fit));
    output.render.shared_table = table.clone();
    let delimited = matches!(output.format, Format::Csv | Format::Tsv).then(|| {
        let render = &output.render;
        SharedDelimited::new(output.format, render.columns.clone(), render.header)
    });
    output.render.shared_delimited = delimited.clone();
    let board = Board::new(output.format, layout, Shared { table, delimited }, style);
    let fleet = Fleet {
        verb: &verb,
        connection: &connection,
        credentials: &credentials,
        output: &output,
        cancel: &cancel,
        board: &board,
        style,
        next: AtomicUsize::new(0),
        outcomes: Mutex::new((0..hosts).map(|_| None).collect()),
    };
    board.open();
    let asked = connection.parallel.min(hosts);
    let (parallel, capped) = limits::fit(asked);
    if let Some(limit) = capped {
        let needed = limits::files_for(asked);
        say!(
            "{}",
            crate::cli::hints::parallel_capped(asked, parallel, needed, limit)
        );
    }
    std::thread::scope(|scope| {
        let mut started = 0;
        for n in 0..parallel {
            let worker = std::thread::Builder::new().name(format!("winrm-host-{n}"));
            if worker.spawn_scoped(scope, || fleet.work()).is_ok() {
                started += 1;
            }
        }
        // No thread to be had: the hosts go one by one on this one.
        if started == 0 {
            fleet.work();
        }
    });
    let outcomes = fleet
        .outcomes
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    // Hosts never started are records too (the error kind "interrupted").
    if !board.closed() {
        for (target, outcome) in connection.targets.iter().zip(&outcomes) {
            if outcome.is_none() {
                board.skipped(&target.label);
            }
        }
    }
    board.close();
    if board.closed() && !cancel.is_cancelled() {
        // The reader of stdout had enough (`| head`): a success.
        return ExitCode::SUCCESS;
    }
    let interrupted = cancel.is_cancelled();
    ExitCode::from(summarize(
        &connection.targets,
        &outcomes,
        style,
        interrupted,
    ))
}

/// What every worker shares.
struct Fleet<'a> {
    verb: &'a Verb,
    connection: &'a ConnectionPlan,
    credentials: &'a Option<Credentials>,
    output: &'a OutputPlan,
    cancel: &'a Cancel,
    board: &'a Board,
    /// How failures are reported (exec's exit codes among them).
    style: Style,
    /// The next target to start.
    next: AtomicUsize,
    /// Each target's outcome, by position; `None`: not started.
    outcomes: Mutex<Vec<Option<Outcome>>>,
}

impl Fleet<'_> {
    /// Takes targets one after the other until none is left or the fleet
    /// is stopped (Ctrl-C, or nobody reads stdout any more).
    fn work(&self) {
        while !self.cancel.is_cancelled() && !self.board.closed() {
            let index = self.next.fetch_add(1, Ordering::SeqCst);
            let Some(target) = self.connection.targets.get(index) else {
                return;
            };
            let outcome = self.host(target);
            if let Some(slot) = self
                .outcomes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_mut(index)
            {
                *slot = Some(outcome);
            }
        }
    }

    /// Runs the verb on one host, then prints what it still holds.
    fn host(&self, target: &Target) -> Outcome {
        let mut output = self.output.clone();
        output.progress = false;
        if output.format.has_columns() {
            output.render.host = Some(target.label.clone());
        }
        let (mut out, mut err) = self.board.host(&target.label);
        let outcome = self.perform(target, &output, &mut out, &mut err);
        let report = match &outcome {
            Ok(_) => None,
            Err(e) => report::host_report(e, target.endpoint.is_https(), self.style),
        };
        self.board.finish(out, err, report.as_ref());
        outcome
    }

    fn perform(
        &self,
        target: &Target,
        output: &OutputPlan,
        out: &mut HostWriter<'_>,
        err: &mut HostWriter<'_>,
    ) -> Outcome {
        let mut session = connect::session(
            self.connection,
            target,
            self.credentials.clone(),
            output.debug,
        )?;
        verbs::perform(
            self.verb,
            &mut session,
            self.connection,
            output,
            self.cancel,
            out,
            err,
        )
    }
}

/// Prints a line per failed host and the count on stderr; returns the
/// exit code (decided by [`report::fleet_summary`]).
fn summarize(
    targets: &[Target],
    outcomes: &[Option<Outcome>],
    style: Style,
    interrupted: bool,
) -> u8 {
    let hosts: Vec<_> = targets
        .iter()
        .zip(outcomes)
        .map(|(target, outcome)| {
            let end = match outcome {
                None => HostEnd::NotStarted,
                Some(Ok(code)) => HostEnd::Exited(*code),
                Some(Err(e)) => {
                    HostEnd::Failed(report::host_report(e, target.endpoint.is_https(), style))
                }
            };
            (winrm::render::hosts::shown(&target.label), end)
        })
        .collect();
    let summary = report::fleet_summary(&hosts, style, interrupted);
    say!("{}", summary.lines.join("\n"));
    summary.exit
}
