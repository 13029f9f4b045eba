//! One small file per verb: a [`Plan`] → the session calls → the printer.
//!
//! [`run`] connects (credentials resolved once, then a session for the
//! target) and hands the session to the verb through [`perform`], which
//! the fleet runner calls too, once per host. Verbs never parse switches,
//! build XML or format output themselves; they return the exit code, so a
//! verb whose outcome is a number (a remote command's exit status) can pass
//! it through.

mod create;
mod delete;
mod enumerate;
mod exec;
mod get;
mod help;
mod identify;
mod invoke;
mod set;

pub use enumerate::Incomplete;

use std::io::Write;

use winrm::render::Printer;
use winrm::session::{Cancel, Session};

use super::plan::{ConnectionPlan, OutputPlan, Plan, Verb};
use super::{connect, interrupt};

/// Runs the plan against its one target, writing results to `out`;
/// returns the exit code. (Several targets go to [`crate::cli::fleet`].)
pub fn run(plan: Plan, out: &mut dyn Write) -> anyhow::Result<u8> {
    let Plan {
        verb,
        output,
        connection,
        ..
    } = plan;
    let connection = match (verb, connection) {
        (Verb::Help(topic), _) => return help::help(topic.as_deref(), out),
        (Verb::Helpmsg(code), _) => return help::helpmsg(code, out),
        (Verb::Generate(kind, verb), _) => {
            crate::cli::generate::write(kind, verb.as_deref(), out)?;
            return Ok(0);
        }
        (Verb::WindowsOnly, _) => return help::windows_only(),
        // The plan gives every network verb a connection.
        (_, None) => return Ok(0),
        (verb, Some(connection)) => (verb, connection),
    };
    let (verb, connection) = connection;
    let target = &connection.targets[0];
    let credentials = connect::credentials(&connection.auth, &target.endpoint.to_string())?;
    let mut session = connect::session(&connection, target, credentials, output.debug)?;
    let cancel = Cancel::new();
    // Only the verbs that can stop cleanly take Ctrl-C over; the others
    // end at once, as any command does.
    if let Some((notices, quit)) = interrupt::notices(&verb, false) {
        interrupt::install(cancel.clone(), notices, quit);
    }
    let mut err = std::io::stderr();
    perform(
        &verb,
        &mut session,
        &connection,
        &output,
        &cancel,
        out,
        &mut err,
    )
}

/// Performs a network verb over `session`, writing results to `out` (and
/// a remote command's stderr to `err`); returns the exit code. `cancel`
/// stops an enumeration after its page and signals a remote command. The
/// same for one host or each of many: only `out` and `err` differ.
pub fn perform(
    verb: &Verb,
    session: &mut Session,
    connection: &ConnectionPlan,
    output: &OutputPlan,
    cancel: &Cancel,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let anonymous = connection.auth.method == winrm::transport::Method::None;
    match verb {
        Verb::Identify => identify::run(session, anonymous, output, out),
        Verb::Get(request) => get::run(session, request, output, out),
        Verb::Set(request, change) => set::run(session, request, change, output, out),
        Verb::Create(request, body) => create::run(session, request, body, output, out),
        Verb::Delete(request) => delete::run(session, request),
        Verb::Invoke {
            action,
            request,
            input,
        } => invoke::run(session, action, request, input, output, out),
        Verb::Enumerate(request, options, limit) => enumerate::run(
            session,
            (request, options, *limit),
            output,
            cancel,
            out,
            err,
        ),
        Verb::Exec(exec) => exec::run(session, exec, output, cancel, out, err),
        Verb::Help(_) | Verb::Helpmsg(_) | Verb::Generate(..) | Verb::WindowsOnly => Ok(0),
    }
}

/// Prints a reply that may be absent (a Put or Create may return nothing).
fn print_reply(
    output: &OutputPlan,
    out: &mut dyn Write,
    reply: Option<&winrm::Element>,
) -> anyhow::Result<u8> {
    if let Some(element) = reply {
        let mut printer = Printer::with_options(output.format, output.render.clone(), out);
        printer.single(element)?;
        printer.flush()?;
    }
    Ok(0)
}
