//! `delete`: WS-Transfer Delete; prints nothing on success.

use crate::cli::plan::Request;
use winrm::session::Session;

pub fn run(session: &mut Session, request: &Request) -> anyhow::Result<u8> {
    session.delete(&request.resource, &request.options)?;
    Ok(0)
}
