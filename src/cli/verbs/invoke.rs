//! `invoke`: a custom action (a CIM method); prints `ACTION_OUTPUT`.

use std::io::Write;

use winrm::session::Session;

use super::print_reply;
use crate::cli::plan::{OutputPlan, Request};

pub fn run(
    session: &mut Session,
    action: &str,
    request: &Request,
    input: &str,
    output: &OutputPlan,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let reply = session.invoke(action, &request.resource, &request.options, input)?;
    print_reply(output, out, reply.as_ref())
}
