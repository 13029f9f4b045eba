//! # winrm: a WS-Management client
//!
//! The library behind the `winrm` command line, usable from any Rust
//! program. It is built in layers, like the WinRM client stack:
//!
//! - [`session`]: the automation layer. A [`Session`] has one method per
//!   WS-Management operation: `identify`, `get`, `put`, `set` (Get, change,
//!   Put), `create`, `delete`, `invoke`, and `enumerate` (a lazy iterator).
//! - [`protocol`]: envelopes, replies and faults as data; no I/O.
//! - [`transport`]: HTTP/HTTPS over ureq and rustls, authentication.
//! - [`render`]: the output formats, listed in [`Format::ALL`]: text
//!   (winrm.cmd's layout), xml, pretty (indented xml), json, jsonl (JSON
//!   Lines), table, csv and tsv; and a remote command's output
//!   (`render::command`).
//!
//! ```no_run
//! use winrm::session::{RequestOptions, ResourceUri, Session, SessionOptions};
//! use winrm::transport::{Credentials, HttpOptions, HttpTransport, Method, Secret, TlsOptions};
//! use std::time::Duration;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let transport = HttpTransport::new(HttpOptions {
//!     endpoint: "https://server01:5986/wsman".parse()?,
//!     tls: TlsOptions::default(),
//!     connect_timeout: Duration::from_secs(20),
//!     reply_timeout: Duration::from_secs(70),
//!     max_reply_bytes: 4 << 20,
//!     method: Method::Negotiate,
//!     credentials: Some(Credentials::with_password(
//!         "admin",
//!         Secret::new(std::env::var("WINRM_PASSWORD")?),
//!     )),
//!     allow_unencrypted: false,
//!     auth: Default::default(),
//!     proxy: None,
//! })?;
//! let mut session = Session::new(Box::new(transport), SessionOptions::default());
//!
//! let spooler = ResourceUri::parse("wmicimv2/Win32_Service?Name=spooler")?;
//! let instance = session.get(&spooler, &RequestOptions::default())?;
//! println!("{}", instance.child_local("State").map_or("?", |s| s.text_or_empty()));
//!
//! let services = ResourceUri::parse("wmicimv2/Win32_Service")?;
//! for item in session.enumerate(&services, &RequestOptions::default(), &Default::default())? {
//!     let item = item?;
//!     println!("{}", item.child_local("Name").map_or("?", |n| n.text_or_empty()));
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Remote commands go through a shell, deleted on the server when it drops:
//!
//! ```no_run
//! # fn run(session: &mut winrm::Session) -> Result<(), winrm::Error> {
//! use winrm::session::{CommandOptions, ShellOptions, Stream};
//! let mut shell = session.open_shell(&ShellOptions::default())?;
//! let mut command = shell.run("ipconfig", &["/all".into()], &CommandOptions::default())?;
//! command.send(b"", true)?; // no stdin
//! let code = command.wait(|stream, bytes| match stream {
//!     Stream::Stdout => print!("{}", String::from_utf8_lossy(bytes)),
//!     Stream::Stderr => eprint!("{}", String::from_utf8_lossy(bytes)),
//! })?;
//! println!("exit code {code:?}");
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]
// No unsafe code, except the one module that calls the system GSSAPI
// library (`transport/auth/gssapi`), which allows it for itself.
#![deny(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod protocol;
pub mod render;
pub mod session;
pub mod terminal;
pub mod transport;

pub use protocol::{Element, Fault};

/// Not API: the protocol layer's internals, for this crate's integration
/// tests and fuzz targets (which compare the one-pass page builder with the
/// roxmltree path, and check envelopes byte for byte). Nothing here is
/// stable; library users want [`session`], [`protocol`] and [`render`].
#[doc(hidden)]
pub mod internals {
    pub use crate::protocol::build::build;
    pub use crate::protocol::dom::{Malformed, decode, element_from_node, parse_document};
    pub use crate::protocol::enumerate::Enumerator;
    pub use crate::protocol::page::{Page, read_page};
    pub use crate::protocol::reply::{
        Reply, parse_page, parse_reply, parse_reply_fast, parse_reply_with,
    };
    pub use crate::protocol::xml::write_element;

    /// What a server sends below WS-Man that this client reads itself:
    /// Digest and NTLM challenges, and replies that are not HTTP or came
    /// before the request was fully sent.
    pub mod challenges {
        pub use crate::transport::auth::digest::parse_challenge as digest;
        pub use crate::transport::auth::ntlm_challenge::check as ntlm;
        pub use crate::transport::framing::{EarlyAnswer, early_answer, not_http};
    }

    /// The request envelopes and bodies, as the session writes them.
    pub mod envelope {
        pub use crate::protocol::envelope::{
            Addressing, Association, EnumerateBody, Envelope, Filter, Fragment, OptionValue,
            identify, input_body, pull, release,
        };
    }
}
pub use render::Format;
pub use session::{Error, ResourceUri, Session};
