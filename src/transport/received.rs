//! What of the reply has arrived: a ureq connector layer that counts the
//! bytes read from the endpoint's connections, keeps the first few of each
//! exchange, and keeps a reply the server sent before the request was
//! fully written.
//!
//! A kept-alive connection the server has already dropped fails the next
//! request before a single byte of reply comes back; a failure after some
//! of the reply arrived is different (the server did act on the request).
//! The transport reports which one happened, so the session can decide
//! whether repeating the request is safe. The first bytes tell a TLS
//! record from garbage when the reply is not HTTP. And a server that
//! refuses an upload (413) answers and closes while the body is still
//! going out: the write fails, but the answer is already in the socket,
//! so it is read then, before ureq drops the connection. This layer only
//! records: it knows nothing of requests, retries or WS-Man. Bytes spoken
//! to a proxy (its answer to CONNECT) are not recorded, only the
//! endpoint's.

use std::fmt;
use std::io::ErrorKind;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::endpoint::Endpoint;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// How many of an exchange's first bytes are kept: enough to tell a TLS
/// record or an HTTP status line, and to show what else began the reply.
const FIRST_BYTES: usize = 32;

/// The most of an early answer kept: its status line, headers and the
/// start of its body.
const EARLY_BYTES: usize = 16 << 10;

/// What has been received from the endpoint, shared with the transport.
#[derive(Debug, Clone, Default)]
pub struct Received(Arc<Shared>);

#[derive(Debug, Default)]
struct Shared {
    bytes: AtomicU64,
    kept: Mutex<Kept>,
}

/// The bytes kept for the exchange in flight.
#[derive(Debug, Default)]
struct Kept {
    /// The first bytes received since [`Received::start`].
    first: Vec<u8>,
    /// What had arrived when writing the request failed.
    early: Option<Vec<u8>>,
}

impl Received {
    /// Bytes received so far, on every connection of the agent.
    pub fn bytes(&self) -> u64 {
        self.0.bytes.load(Ordering::Relaxed)
    }

    /// A new exchange begins: forget the last one's bytes.
    pub fn start(&self) {
        *self.kept() = Kept::default();
    }

    /// The first bytes of the reply to the exchange in flight.
    pub fn first(&self) -> Vec<u8> {
        self.kept().first.clone()
    }

    /// What the server had sent when writing the request failed (a reply
    /// to a request it would not read to the end), if anything.
    pub fn take_early(&self) -> Option<Vec<u8>> {
        self.kept().early.take().filter(|b| !b.is_empty())
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        // The data stays consistent whatever panicked while holding it.
        self.0.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn add(&self, new: &[u8]) {
        self.0.bytes.fetch_add(new.len() as u64, Ordering::Relaxed);
        let mut kept = self.kept();
        let room = FIRST_BYTES.saturating_sub(kept.first.len());
        kept.first.extend_from_slice(&new[..room.min(new.len())]);
    }
}

/// Wraps every connection to `authority` so its reads are counted.
pub struct CountingConnector {
    received: Received,
    /// `host:port` of the endpoint; connections elsewhere (a proxy) are
    /// passed through uncounted.
    authority: String,
}

impl CountingConnector {
    /// Counts into `received` the bytes read from connections to
    /// `endpoint`.
    pub fn new(received: Received, endpoint: &Endpoint) -> Self {
        CountingConnector {
            received,
            authority: endpoint.authority(),
        }
    }
}

/// `host:port` of a URI ureq connects to, lowercased, with the scheme's
/// default port filled in: the form [`Endpoint::authority`] has.
fn authority_of(uri: &ureq::http::Uri) -> String {
    let default = if uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("https"))
    {
        443
    } else {
        80
    };
    let host = uri.host().unwrap_or_default().to_ascii_lowercase();
    format!("{host}:{}", uri.port_u16().unwrap_or(default))
}

impl fmt::Debug for CountingConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountingConnector").finish()
    }
}

impl<In: Transport> Connector<In> for CountingConnector {
    type Out = ureq::unversioned::transport::Either<In, Counting<In>>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        use ureq::unversioned::transport::Either;
        let Some(transport) = chained else {
            return Ok(None);
        };
        if authority_of(details.uri) != self.authority {
            return Ok(Some(Either::A(transport)));
        }
        Ok(Some(Either::B(Counting {
            inner: transport,
            received: self.received.clone(),
        })))
    }
}

/// A connection whose reads are counted.
pub struct Counting<T> {
    inner: T,
    received: Received,
}

impl<T: Transport> Counting<T> {
    /// The server closed the connection while the request was going out:
    /// what it sent before closing (typically `HTTP/1.1 413 …`) is still
    /// readable from the socket, and a peer that hung up answers at once,
    /// so this reads until the end, an error or [`EARLY_BYTES`].
    fn keep_early_answer(&mut self, timeout: NextTimeout) {
        let mut seen = self.inner.buffers().input().len();
        while seen < EARLY_BYTES {
            match self.inner.await_input(timeout) {
                Ok(true) => {}
                Ok(false) | Err(_) => break,
            }
            let input = self.inner.buffers().input();
            if input.len() <= seen {
                break;
            }
            self.received.add(&input[seen..]);
            seen = input.len();
        }
        let input = self.inner.buffers().input();
        self.received.kept().early = Some(input[..input.len().min(EARLY_BYTES)].to_vec());
    }
}

impl<T> fmt::Debug for Counting<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Counting").finish()
    }
}

impl<T: Transport> Transport for Counting<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let result = self.inner.transmit_output(amount, timeout);
        if let Err(ureq::Error::Io(io)) = &result
            && matches!(
                io.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe | ErrorKind::ConnectionAborted
            )
        {
            self.keep_early_answer(timeout);
        }
        result
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let before = self.inner.buffers().input().len();
        let progress = self.inner.await_input(timeout)?;
        let input = self.inner.buffers().input();
        self.received.add(&input[before.min(input.len())..]);
        Ok(progress)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::authority_of;
    use crate::transport::Endpoint;

    fn of(uri: &str) -> String {
        authority_of(&uri.parse().unwrap())
    }

    #[test]
    fn authorities_compare_with_default_ports() {
        assert_eq!(of("http://Srv01/wsman"), "srv01:80");
        assert_eq!(of("https://srv01/wsman"), "srv01:443");
        assert_eq!(of("http://127.0.0.1:5985/wsman"), "127.0.0.1:5985");
        assert_eq!(of("https://[::1]/wsman"), "[::1]:443");
        assert_eq!(of("https://[::1]:5986"), "[::1]:5986");
        assert_eq!(of("http://u:p@proxy:3128/"), "proxy:3128");
        for target in ["https://[::1]/wsman", "http://Srv01:5985", "srv01"] {
            let endpoint: Endpoint = target.parse().unwrap();
            assert_eq!(of(endpoint.url()), endpoint.authority(), "{target}");
        }
    }
}
