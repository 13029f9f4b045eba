//! Proxies: which one (if any) a connection goes through, and how it is
//! shown.
//!
//! Owns the proxy URL (its credentials kept as a [`Secret`] and never
//! shown), the choice between an explicit proxy and the environment's
//! `https_proxy` / `http_proxy` / `all_proxy` (by the endpoint's scheme),
//! and the `no_proxy` list. The environment is read through a function the
//! caller passes, so the library never reads it behind anyone's back.
//! Every proxy is spoken to with HTTP CONNECT (ureq's proxy support), for
//! http:// and https:// endpoints alike; TLS to an https:// endpoint runs
//! inside the tunnel, end to end.

use std::fmt;

use super::endpoint::Endpoint;
use super::error::TransportError;
use super::secret::Secret;

/// A proxy to reach the endpoint through.
#[derive(Clone)]
pub struct Proxy {
    /// The URL as given, credentials included.
    url: Secret,
    /// The URL without credentials, for messages.
    shown: String,
}

impl Proxy {
    /// Parses `http://[USER:PASSWORD@]HOST[:PORT]` (or `https://`, for a
    /// proxy spoken to over TLS; no scheme means http). Credentials are
    /// percent-encoded in the URL.
    ///
    /// # Errors
    ///
    /// Another scheme (SOCKS is not built in), or no host. The message
    /// shows the URL without its credentials.
    pub fn parse(text: &str) -> Result<Proxy, TransportError> {
        let full = if text.contains("://") {
            text.to_string()
        } else {
            format!("http://{text}")
        };
        // Messages show the text as given, minus any credentials.
        let bad = |why: &str| TransportError::Config(format!("the proxy {} {why}", redact(text)));
        let url = match url::Url::parse(&full) {
            Ok(url) => url,
            Err(url::ParseError::EmptyHost) => return Err(bad("has no host name")),
            Err(_) => return Err(bad("is not a valid URL")),
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad(
                "is not an http:// or https:// URL (SOCKS proxies are not supported)",
            ));
        }
        let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
            return Err(bad("has no host name"));
        };
        let login = if url.username().is_empty() && url.password().is_none() {
            ""
        } else {
            "***@"
        };
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let path = Some(url.path()).filter(|p| *p != "/").unwrap_or_default();
        let shown = format!("{}://{login}{host}{port}{path}", url.scheme());
        // Let ureq judge the rest now, so a bad URL is a usage error before
        // anything is sent.
        ureq::Proxy::new(&full).map_err(|_| bad("is not a valid URL"))?;
        Ok(Proxy {
            url: Secret::new(full),
            shown,
        })
    }

    /// The URL without credentials: safe for messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The ureq setting.
    pub(crate) fn to_ureq(&self) -> Result<ureq::Proxy, TransportError> {
        ureq::Proxy::new(self.url.expose()).map_err(|_| {
            TransportError::Config(format!("the proxy {} is not a valid URL", self.shown))
        })
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Proxy").field(&self.shown).finish()
    }
}

impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// Text that failed to parse as a URL, with anything like
/// `user:password@` replaced by `***@`, so a message can quote it.
fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_string(),
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{authority}{tail}"),
        None => format!("{authority}{tail}"),
    }
}

/// The error to report when `error` happened while going through `proxy`
/// to `url`: connecting can only have failed at the proxy, and a refused
/// CONNECT is the proxy's answer. None for anything else.
pub(crate) fn blame(
    proxy: Option<&Proxy>,
    url: &str,
    error: &ureq::Error,
) -> Option<TransportError> {
    let proxy = proxy?;
    let mut status = None;
    let reason = match error {
        ureq::Error::ConnectProxyFailed(why) => match why.strip_prefix("proxy server responded ") {
            Some(answer) => {
                // ureq writes the code twice ("407/407"): say it once, with
                // its standard name.
                status = answer
                    .split('/')
                    .next()
                    .and_then(|c| c.trim().parse::<u16>().ok());
                match status {
                    Some(code) => {
                        format!("it answered HTTP {code}{}", super::error::status_name(code))
                    }
                    None => format!("it answered {answer}"),
                }
            }
            None => why.clone(),
        },
        ureq::Error::HostNotFound => "the proxy's host name does not resolve".into(),
        ureq::Error::ConnectionFailed => "cannot connect to the proxy".into(),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "the proxy refused the connection".into()
        }
        ureq::Error::Io(io) if io.to_string().contains("failed to lookup address") => {
            "the proxy's host name does not resolve".into()
        }
        _ => return None,
    };
    Some(TransportError::Proxy {
        url: url.to_string(),
        proxy: proxy.shown().to_string(),
        reason,
        status,
    })
}

/// Picks the proxy for `endpoint`: `explicit` if given, else the
/// environment's `https_proxy` or `http_proxy` (by the endpoint's scheme;
/// lowercase first, then uppercase), then `all_proxy`. None when the
/// endpoint's host is on the `no_proxy` list (or there is no proxy).
/// `env` looks a variable up; empty values count as unset.
///
/// # Errors
///
/// A proxy URL that [`Proxy::parse`] refuses.
pub fn select(
    explicit: Option<&str>,
    endpoint: &Endpoint,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Proxy>, TransportError> {
    let var = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| env(n).filter(|v| !v.trim().is_empty()))
    };
    let https = endpoint.is_https();
    let chosen = match explicit {
        Some(url) => Some(url.to_string()),
        None if https => var(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]),
        None => var(&["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]),
    };
    let Some(url) = chosen else {
        return Ok(None);
    };
    let no_proxy = var(&["no_proxy", "NO_PROXY"]).unwrap_or_default();
    if bypassed(&no_proxy, endpoint.host()) {
        return Ok(None);
    }
    Proxy::parse(url.trim()).map(Some)
}

/// Whether `host` matches the `no_proxy` list: comma- or space-separated
/// names, each matching that host and its subdomains (a leading `.` or
/// `*.` is the same), addresses matching exactly, `*` matching everything.
/// A `:port` on an entry is ignored.
pub fn bypassed(no_proxy: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    no_proxy
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = entry.trim_start_matches('*').trim_start_matches('.');
            let entry = match entry.strip_prefix('[') {
                Some(v6) => v6.split(']').next().unwrap_or_default(),
                // One colon is a port; more is an IPv6 address.
                None if entry.matches(':').count() == 1 => {
                    entry.split(':').next().unwrap_or_default()
                }
                None => entry,
            };
            let entry = entry.trim_end_matches('.').to_ascii_lowercase();
            !entry.is_empty()
                && (host == entry
                    || host
                        .strip_suffix(&entry)
                        .is_some_and(|head| head.ends_with('.')))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn chosen(explicit: Option<&str>, endpoint: &str, vars: &'static [(&str, &str)]) -> String {
        let endpoint: Endpoint = endpoint.parse().expect("an endpoint");
        match select(explicit, &endpoint, env(vars)) {
            Ok(Some(p)) => p.shown().to_string(),
            Ok(None) => "direct".into(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn the_scheme_picks_the_variable() {
        let vars: &[(&str, &str)] = &[
            ("HTTP_PROXY", "http://plain:3128"),
            ("https_proxy", "http://tls:3128"),
            ("HTTPS_PROXY", "http://upper:3128"),
        ];
        assert_eq!(
            chosen(None, "http://srv:5985/wsman", vars),
            "http://plain:3128"
        );
        assert_eq!(
            chosen(None, "HTTPS://srv:5986/wsman", vars),
            "http://tls:3128"
        );
        assert_eq!(
            chosen(
                None,
                "http://srv:5985/wsman",
                &[("ALL_PROXY", "http://all:1")]
            ),
            "http://all:1"
        );
        assert_eq!(
            chosen(None, "http://srv/wsman", &[("http_proxy", "  ")]),
            "direct"
        );
        assert_eq!(chosen(None, "http://srv/wsman", &[]), "direct");
        assert_eq!(
            chosen(Some("proxy:8080"), "http://srv/wsman", vars),
            "http://proxy:8080"
        );
    }

    #[test]
    fn no_proxy_lists_hosts_domains_and_addresses() {
        let cases = [
            ("srv01", "srv01", true),
            ("corp.example", "srv01.corp.example", true),
            (".corp.example", "srv01.corp.example", true),
            ("*.corp.example", "corp.example", true),
            ("corp.example", "notcorp.example", false),
            ("localhost, 127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1:5985", "127.0.0.1", true),
            ("::1", "::1", true),
            ("[::1]:5985", "::1", true),
            ("SRV01.", "srv01", true),
            ("*", "anything", true),
            ("", "srv01", false),
            ("other", "srv01", false),
        ];
        for (list, host, expected) in cases {
            assert_eq!(bypassed(list, host), expected, "{list:?} {host:?}");
        }
        let vars: &[(&str, &str)] = &[("http_proxy", "http://p:1"), ("NO_PROXY", "srv01")];
        assert_eq!(chosen(None, "http://SRV01:5985/wsman", vars), "direct");
        assert_eq!(
            chosen(Some("http://p:2"), "http://srv01/wsman", vars),
            "direct"
        );
        assert_eq!(
            chosen(
                None,
                "http://[::1]:5985/wsman",
                &[("http_proxy", "p:1"), ("no_proxy", "::1")]
            ),
            "direct"
        );
    }

    #[test]
    fn credentials_are_never_shown() {
        let p = Proxy::parse("http://bob:s3cr%40t@proxy.corp:3128").expect("valid");
        assert_eq!(p.shown(), "http://***@proxy.corp:3128");
        assert_eq!(format!("{p} {p:?}").matches("s3cr").count(), 0);
        for bad in [
            "socks5://bob:s3cret@proxy:1080",
            "http://bob:s3cret@",
            "http://bob:s3cret@:3128",
            "ftp://bob:s3cret@proxy",
        ] {
            let e = Proxy::parse(bad).expect_err(bad).to_string();
            assert!(!e.contains("s3cret"), "{e}");
            assert!(e.contains("***@"), "{e}");
        }
    }
}
