//! The protocol layer: WS-Management messages as data.
//!
//! Builds request envelopes (`envelope`), parses replies and faults into
//! the neutral [`model`], and drives enumerations without doing I/O
//! (`enumerate`). Nothing here opens a socket or knows about HTTP statuses;
//! the session layer moves the bytes.
//!
//! The modules form a one-way graph, leaves first: [`ns`] and [`model`]
//! name things; `dom` holds the parsing primitives (decoding, the capped
//! roxmltree parse, conversion to the model); `build` is the one-pass
//! page builder; the readers (`fault`, `page`) build on those and never
//! on each other; `enumerate` is the state machine over pages; `reply`
//! dispatches a reply to the readers and is imported by no module here.
//! `envelope` and `xml` write requests and are not part of that chain;
//! [`shell`] builds WinRS bodies and reads their replies from the model.
//!
//! Public: the model, [`Fault`], [`ProtocolError`], the namespace names,
//! the WinRS message types and the error-code table. Everything else is the crate's own; the
//! integration tests and fuzz targets reach it through the hidden
//! `winrm::internals`.

pub(crate) mod build;
pub mod clixml;
pub mod codes;
pub(crate) mod dom;
pub(crate) mod enumerate;
pub(crate) mod envelope;
pub(crate) mod error;
pub(crate) mod fault;
pub mod model;
pub mod ns;
pub(crate) mod page;
pub(crate) mod reply;
pub mod shell;
pub(crate) mod xml;

pub use error::ProtocolError;
pub use fault::Fault;
pub use model::{Attribute, Element, Name};
