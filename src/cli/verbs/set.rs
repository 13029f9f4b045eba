//! `set`: winrm.cmd's Get, change, Put for `@{...}`, or a Put of a whole
//! body from `-file:`.

use std::io::Write;

use winrm::session::Session;

use super::print_reply;
use crate::cli::plan::{Change, OutputPlan, Request};

pub fn run(
    session: &mut Session,
    request: &Request,
    change: &Change,
    output: &OutputPlan,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let reply = match change {
        Change::Pairs(pairs) => session.set(&request.resource, &request.options, pairs)?,
        Change::Body(text) => session.put(&request.resource, &request.options, text)?,
    };
    print_reply(output, out, reply.as_ref())
}
