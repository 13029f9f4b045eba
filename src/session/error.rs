//! The public error of the session API: opaque, and answers questions.
//!
//! Callers ask `is_fault()`, `is_auth()`, `is_connection()`… rather than
//! matching on layers. No flag names or hints here: library users have no
//! flags; the CLI adds hints.

use std::fmt;

use crate::protocol::{Fault, ProtocolError};
use crate::transport::TransportError;
use crate::transport::auth::AuthFailure;

/// What kind of failure an [`Error`] is.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The HTTP layer failed (connect, TLS, timeout, 401, size cap).
    Transport(TransportError),
    /// The server answered with a WS-Man fault.
    Fault(Box<Fault>),
    /// The reply is not valid WS-Management.
    BadReply(String),
    /// A valid reply, but not to the request we sent (RelatesTo).
    WrongReply(String),
    /// A SOAP reply that breaks a WS-Management rule (a missing element, an
    /// enumeration that stops without ending).
    Unexpected(String),
    /// The server answered an HTTP error without a SOAP fault.
    Http {
        /// The status code.
        status: u16,
        /// What the body said, shortened, if it was text.
        detail: Option<String>,
    },
    /// The request could not be made from the input given.
    Input(String),
}

/// An error from a [`Session`](super::Session) operation.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    url: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, url: &str) -> Self {
        Error {
            kind,
            url: url.to_string(),
        }
    }

    pub(crate) fn input(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Input(message.into()), "")
    }

    pub(crate) fn from_protocol(error: ProtocolError, url: &str) -> Self {
        let kind = match error {
            ProtocolError::Fault(fault) => ErrorKind::Fault(fault),
            wrong @ ProtocolError::WrongRelatesTo { .. } => {
                ErrorKind::WrongReply(wrong.to_string())
            }
            ProtocolError::Unexpected(why) => ErrorKind::Unexpected(why),
            other => ErrorKind::BadReply(other.to_string()),
        };
        Error::new(kind, url)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The endpoint involved, when there was one.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The fault, when the server returned one.
    pub fn fault(&self) -> Option<&Fault> {
        match &self.kind {
            ErrorKind::Fault(f) => Some(f),
            _ => None,
        }
    }

    /// Whether the server returned a WS-Man fault.
    pub fn is_fault(&self) -> bool {
        self.fault().is_some()
    }

    /// Whether the server (or the KDC) refused our credentials, or
    /// authentication could not go ahead.
    pub fn is_auth(&self) -> bool {
        match &self.kind {
            ErrorKind::Transport(
                TransportError::AuthRefused { .. }
                | TransportError::AnsweredEarly { status: 401, .. },
            ) => true,
            ErrorKind::Transport(TransportError::Auth { failure, .. }) => {
                *failure != AuthFailure::KdcUnreachable
            }
            _ => false,
        }
    }

    /// Whether a deadline passed.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Transport(TransportError::Timeout { .. })
        )
    }

    /// Whether connecting, TLS, or the connection itself failed (or timed out).
    pub fn is_connection(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Transport(
                TransportError::Connect { .. }
                    | TransportError::Tls { .. }
                    | TransportError::WrongScheme { .. }
                    | TransportError::Timeout { .. }
                    | TransportError::Io { .. }
                    | TransportError::NoReply { .. }
                    | TransportError::Proxy { .. }
                    | TransportError::Auth {
                        failure: AuthFailure::KdcUnreachable,
                        ..
                    }
            )
        )
    }

    /// Whether the reply was not valid WS-Man (including HTTP errors
    /// without a fault, oversized replies, redirects, and an HTTP error
    /// answered before the request was fully sent).
    pub fn is_bad_reply(&self) -> bool {
        if let ErrorKind::Transport(TransportError::AnsweredEarly { status, .. }) = self.kind {
            return status != 401;
        }
        matches!(
            self.kind,
            ErrorKind::BadReply(_)
                | ErrorKind::WrongReply(_)
                | ErrorKind::Unexpected(_)
                | ErrorKind::Http { .. }
                | ErrorKind::Transport(
                    TransportError::TooLarge { .. }
                        | TransportError::Encoded { .. }
                        | TransportError::NotHttp { .. }
                        | TransportError::Redirect { .. }
                        | TransportError::Sealing { .. }
                )
        )
    }

    /// Whether the input (arguments, files) was wrong, or the local setup.
    pub fn is_input(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Input(_)
                | ErrorKind::Transport(
                    TransportError::Config(_) | TransportError::UnencryptedBasic { .. }
                )
        )
    }

    /// The transport error, if that is what this is.
    pub fn transport(&self) -> Option<&TransportError> {
        match &self.kind {
            ErrorKind::Transport(t) => Some(t),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Transport(e) => write!(f, "{e}"),
            ErrorKind::Fault(fault) => {
                write!(f, "the server returned a fault")?;
                if let Some(q) = fault.subcode_qname() {
                    write!(f, " ({q})")?;
                }
                if let Some(m) = &fault.message {
                    write!(f, ": {m}")?;
                }
                Ok(())
            }
            ErrorKind::BadReply(why) | ErrorKind::WrongReply(why) | ErrorKind::Unexpected(why) => {
                write!(
                    f,
                    "the reply from {} is not valid WS-Management: {why}",
                    self.url
                )
            }
            ErrorKind::Http { status, detail } => {
                write!(
                    f,
                    "{} answered HTTP {status} without a WS-Man fault",
                    self.url
                )?;
                if let Some(d) = detail {
                    write!(f, ": {d}")?;
                }
                Ok(())
            }
            ErrorKind::Input(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        let url = match &e {
            TransportError::Connect { url, .. }
            | TransportError::Tls { url, .. }
            | TransportError::WrongScheme { url, .. }
            | TransportError::Timeout { url, .. }
            | TransportError::Io { url, .. }
            | TransportError::NoReply { url, .. }
            | TransportError::Proxy { url, .. }
            | TransportError::AuthRefused { url, .. }
            | TransportError::Auth { url, .. }
            | TransportError::Sealing { url, .. }
            | TransportError::TooLarge { url, .. }
            | TransportError::Encoded { url, .. }
            | TransportError::NotHttp { url, .. }
            | TransportError::AnsweredEarly { url, .. }
            | TransportError::Redirect { url, .. } => url.clone(),
            TransportError::UnencryptedBasic { url } => url.clone(),
            TransportError::Config(_) => String::new(),
        };
        Error::new(ErrorKind::Transport(e), &url)
    }
}
