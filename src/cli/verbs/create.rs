//! `create`: WS-Transfer Create; prints the new instance's reference.

use std::io::Write;

use winrm::session::Session;

use super::print_reply;
use crate::cli::plan::{OutputPlan, Request};

pub fn run(
    session: &mut Session,
    request: &Request,
    body: &str,
    output: &OutputPlan,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let reply = session.create(&request.resource, &request.options, body)?;
    print_reply(output, out, reply.as_ref())
}
