//! What can be wrong with a reply, seen from the protocol layer.
//!
//! No sockets and no HTTP statuses here: the transport reports those. The
//! parsing primitives report [`Malformed`] in their own type (they are a
//! leaf and cannot name this one); it converts here, words unchanged.

use super::dom::Malformed;
use super::fault::Fault;

fn relates_to_message(sent: &str, got: &str) -> String {
    if got.is_empty() {
        format!("the reply has no RelatesTo, so it cannot be matched to our request {sent}")
    } else {
        format!("the reply answers message {got}, not the request we sent ({sent})")
    }
}

/// A reply the protocol layer could not accept.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// The server answered with a SOAP fault.
    #[error("the server returned a fault: {}", .0.message.as_deref().unwrap_or("(no message)"))]
    Fault(Box<Fault>),
    /// The bytes are not well-formed XML in a known encoding.
    #[error("{0}")]
    Malformed(String),
    /// Well-formed XML, but not a SOAP 1.2 envelope.
    #[error("{0}")]
    NotSoap(String),
    /// A SOAP envelope that lacks what this operation's reply must hold.
    #[error("{0}")]
    Unexpected(String),
    /// The reply answers another request (or does not say which).
    #[error("{}", relates_to_message(.sent, .got))]
    WrongRelatesTo {
        /// Our MessageID.
        sent: String,
        /// Their RelatesTo.
        got: String,
    },
}

/// Text the parsing primitives refused is a malformed reply, in their words.
impl From<Malformed> for ProtocolError {
    fn from(e: Malformed) -> Self {
        ProtocolError::Malformed(e.0)
    }
}
