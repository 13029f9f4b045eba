//! `identify`: WS-Man Identify, unauthenticated with `-a:none`.

use std::io::Write;

use winrm::session::Session;

use super::print_reply;
use crate::cli::plan::OutputPlan;

pub fn run(
    session: &mut Session,
    anonymous: bool,
    output: &OutputPlan,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let reply = session.identify(anonymous)?;
    print_reply(output, out, Some(&reply))
}
