//! Name lookup that remembers its answer for the run.
//!
//! ureq resolves the host before every request, even one that goes out on
//! a kept-alive connection, and with a lookup timeout set its default
//! resolver does each lookup on a new thread. A 10,000-item enumeration is
//! a hundred requests to one host, so a thread each cost more than the
//! lookups. [`CachingResolver`] asks [`DefaultResolver`] once per scheme,
//! host and port (with the timeout) and answers later requests from memory.
//! It knows no WS-Management.

use std::sync::Mutex;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// [`DefaultResolver`] plus a memory of the last answer.
#[derive(Debug, Default)]
pub struct CachingResolver {
    inner: DefaultResolver,
    /// `(scheme://authority, addresses)` of the last successful lookup.
    last: Mutex<Option<(String, ResolvedSocketAddrs)>>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or_default(),
            uri.authority().map(|a| a.as_str()).unwrap_or_default()
        );
        if let Ok(last) = self.last.lock()
            && let Some((k, addrs)) = last.as_ref()
            && *k == key
        {
            return Ok(addrs.clone());
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        if let Ok(mut last) = self.last.lock() {
            *last = Some((key, addrs.clone()));
        }
        Ok(addrs)
    }
}
