//! `get`: WS-Transfer Get of one instance.

use std::io::Write;

use winrm::session::Session;

use super::print_reply;
use crate::cli::plan::{OutputPlan, Request};

pub fn run(
    session: &mut Session,
    request: &Request,
    output: &OutputPlan,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let reply = session.get(&request.resource, &request.options)?;
    print_reply(output, out, Some(&reply))
}
