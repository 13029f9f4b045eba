//! The protocol layer: WS-Management messages as data.
//!
//! Builds request envelopes ([`envelope`]), parses replies and faults
//! ([`reply`], [`fault`]) into the neutral [`model`], and drives enumerations
//! without doing I/O ([`enumerate`]). Nothing here opens a socket or knows
//! about HTTP statuses; the session layer moves the bytes.

pub mod build;
pub mod codes;
pub mod dom;
pub mod enumerate;
pub mod envelope;
pub mod error;
pub mod fault;
pub mod model;
pub mod ns;
pub mod reply;
pub mod xml;

pub use error::ProtocolError;
pub use fault::Fault;
pub use model::{Attribute, Element, Name};
