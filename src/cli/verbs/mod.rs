//! One small file per verb: a [`Plan`] → the session calls → the printer.
//!
//! [`run`] connects (credentials resolved once, then a session for the
//! target) and hands the session to the verb. Verbs never parse switches,
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

use super::connect;
use super::plan::{OutputPlan, Plan, Verb};

/// Runs the plan, writing results to `out`; returns the exit code.
pub fn run(plan: Plan, out: &mut dyn Write) -> anyhow::Result<u8> {
    let Plan {
        verb,
        output,
        connection,
        ..
    } = plan;
    let session = match &connection {
        None => None,
        Some(connection) => {
            // One target today; the plan holds a list for many hosts.
            let target = &connection.targets[0];
            let credentials = connect::credentials(&connection.auth, target)?;
            Some(connect::session(
                connection,
                target,
                credentials,
                output.debug,
            )?)
        }
    };
    match (verb, session) {
        (Verb::Help(topic), _) => help::help(topic.as_deref(), out),
        (Verb::Helpmsg(code), _) => help::helpmsg(code, out),
        (Verb::Generate(kind, verb), _) => {
            crate::cli::generate::write(kind, verb.as_deref(), out)?;
            Ok(0)
        }
        (Verb::WindowsOnly, _) => help::windows_only(),
        (verb, Some(mut session)) => {
            let anonymous = connection
                .as_ref()
                .is_some_and(|c| c.auth.method == winrm::transport::Method::None);
            match verb {
                Verb::Identify => identify::run(&mut session, anonymous, &output, out),
                Verb::Get(request) => get::run(&mut session, &request, &output, out),
                Verb::Set(request, change) => {
                    set::run(&mut session, &request, change, &output, out)
                }
                Verb::Create(request, body) => {
                    create::run(&mut session, &request, &body, &output, out)
                }
                Verb::Delete(request) => delete::run(&mut session, &request),
                Verb::Invoke {
                    action,
                    request,
                    input,
                } => invoke::run(&mut session, &action, &request, &input, &output, out),
                Verb::Enumerate(request, options, limit) => {
                    enumerate::run(&mut session, &request, &options, limit, &output, out)
                }
                Verb::Exec(exec) => exec::run(&mut session, exec, &output, out),
                Verb::Help(_) | Verb::Helpmsg(_) | Verb::Generate(..) | Verb::WindowsOnly => Ok(0),
            }
        }
        // The plan gives every network verb a connection.
        (_, None) => Ok(0),
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
