//! Whether any reply byte has arrived: a ureq connector layer that counts
//! the bytes read from the endpoint's connections.
//!
//! A kept-alive connection the server has already dropped fails the next
//! request before a single byte of reply comes back; a failure after some
//! of the reply arrived is different (the server did act on the request).
//! The transport reports which one happened, so the session can decide
//! whether repeating the request is safe. This layer only counts: it knows
//! nothing of requests, retries or WS-Man. Bytes spoken to a proxy (its
//! answer to CONNECT) are not counted, only the endpoint's.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::endpoint::Endpoint;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// The shared count of bytes received from the endpoint.
#[derive(Debug, Clone, Default)]
pub struct Received(Arc<AtomicU64>);

impl Received {
    /// Bytes received so far, on every connection of the agent.
    pub fn bytes(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn add(&self, amount: usize) {
        self.0.fetch_add(amount as u64, Ordering::Relaxed);
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
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let before = self.inner.buffers().input().len();
        let progress = self.inner.await_input(timeout)?;
        let after = self.inner.buffers().input().len();
        self.received.add(after.saturating_sub(before));
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
