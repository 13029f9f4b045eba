//! Where a WS-Management service listens, parsed once: scheme, host, port
//! and path, with winrm.cmd's defaults. Everything that needs a part of the
//! endpoint (the URL for `wsa:To`, the SPN's host and port, the path Digest
//! signs, the `no_proxy` match, the connection's authority) asks this type
//! instead of re-reading a string.
//!
//! The defaults (reference §4): a bare host gets `http://HOST:5985/wsman`
//! (`https` and 5986 when HTTPS is asked for); an explicit `http://` or
//! `https://` without a port gets 80 or 443; the path defaults to `/wsman`;
//! IPv6 literals are written in brackets. Errors are facts without switch
//! names; the command line words them.

use std::fmt;

/// HTTP or HTTPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP (WinRM's default port 5985).
    Http,
    /// HTTP over TLS (WinRM's default port 5986).
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A parsed endpoint. Its URL is built once and borrowed everywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: Scheme,
    /// The host as typed, IPv6 without brackets.
    host: String,
    port: u16,
    path: String,
    url: String,
}

/// Why a target does not name an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// Nothing was given.
    #[error("the target is empty")]
    Empty,
    /// A scheme other than http or https.
    #[error("the scheme '{0}://' is neither http:// nor https://")]
    Scheme(String),
    /// `http://` while HTTPS was required.
    #[error("an http:// target conflicts with requiring HTTPS")]
    HttpsConflict,
    /// `user:password@host`: never echoed, it may hold a password.
    #[error("the target carries credentials")]
    Credentials,
    /// The host part is empty or has characters no host name has.
    #[error("'{0}' does not name a host")]
    NotAHost(String),
    /// The port is not a number from 1 to 65535.
    #[error("the port '{0}' is not a number from 1 to 65535")]
    Port(String),
    /// `[v6` without its `]`.
    #[error("an IPv6 address is missing its closing ']'")]
    UnclosedIpv6,
    /// Several colons that are not an IPv6 address.
    #[error("'{0}' is neither HOST:PORT nor an IPv6 address")]
    Ambiguous(String),
}

impl Endpoint {
    /// Parses a target as winrm.cmd's `-r` takes it: `HOST`, `HOST:PORT`,
    /// `[V6]:PORT`, a bare IPv6 address, or an `http(s)://` URL. With
    /// `require_https`, a bare host defaults to HTTPS on 5986.
    ///
    /// # Errors
    ///
    /// See [`EndpointError`]; no message repeats what came before an `@`.
    pub fn parse(target: &str, require_https: bool) -> Result<Endpoint, EndpointError> {
        let target = target.trim();
        if target.is_empty() {
            return Err(EndpointError::Empty);
        }
        let (scheme, rest, explicit) = match target.split_once("://") {
            Some((scheme, rest)) => {
                let scheme = match scheme.to_ascii_lowercase().as_str() {
                    "http" if require_https => return Err(EndpointError::HttpsConflict),
                    "http" => Scheme::Http,
                    "https" => Scheme::Https,
                    other => return Err(EndpointError::Scheme(other.to_string())),
                };
                (scheme, rest, true)
            }
            None if require_https => (Scheme::Https, target, false),
            None => (Scheme::Http, target, false),
        };
        // Anywhere in the string: `http://admin:p/w@host` puts the
        // password past the first '/'.
        if target.contains('@') {
            return Err(EndpointError::Credentials);
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (host, port) = split_host_port(authority)?;
        let plain_name = host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if host.is_empty() || !(host.contains(':') || plain_name) {
            return Err(EndpointError::NotAHost(target.to_string()));
        }
        let port = port.unwrap_or(match (scheme, explicit) {
            (Scheme::Https, true) => 443,
            (Scheme::Http, true) => 80,
            (Scheme::Https, false) => 5986,
            (Scheme::Http, false) => 5985,
        });
        let path = if path.is_empty() || path == "/" {
            "/wsman"
        } else {
            path
        };
        Ok(Endpoint::new(scheme, host, port, path))
    }

    fn new(scheme: Scheme, host: String, port: u16, path: &str) -> Endpoint {
        let url = if host.contains(':') {
            format!("{}://[{host}]:{port}{path}", scheme.as_str())
        } else {
            format!("{}://{host}:{port}{path}", scheme.as_str())
        };
        Endpoint {
            scheme,
            host,
            port,
            path: path.to_string(),
            url,
        }
    }

    /// HTTP or HTTPS.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether this is an `https://` endpoint.
    pub fn is_https(&self) -> bool {
        self.scheme == Scheme::Https
    }

    /// The host as given, IPv6 without brackets (what a service principal
    /// name and `no_proxy` use).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the host is an IP address rather than a name: such a host
    /// names no Kerberos service, so Negotiate to it runs NTLM.
    pub fn host_is_address(&self) -> bool {
        is_address(&self.host)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The path (`/wsman`): what Digest signs.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// `host:port` lowercased, IPv6 in brackets: what identifies a
    /// connection to this endpoint.
    pub fn authority(&self) -> String {
        let host = self.host.to_ascii_lowercase();
        if host.contains(':') {
            format!("[{host}]:{}", self.port)
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// The whole URL (`http://host:5985/wsman`), as `wsa:To` carries it.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Whether `host` is an IPv4 or IPv6 literal (IPv6 with or without its
/// brackets).
pub fn is_address(host: &str) -> bool {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok()
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

impl std::str::FromStr for Endpoint {
    type Err = EndpointError;

    /// [`Endpoint::parse`] without requiring HTTPS.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Endpoint::parse(s, false)
    }
}

/// Splits `host[:port]`, `[v6][:port]` or a bare IPv6 literal (several
/// colons, no brackets; it cannot carry a port). IPv6 hosts come back
/// without brackets.
fn split_host_port(authority: &str) -> Result<(String, Option<u16>), EndpointError> {
    let parse_port = |p: &str| match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(EndpointError::Port(p.to_string())),
        Ok(n) => Ok(n),
    };
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or(EndpointError::UnclosedIpv6)?;
        if host.parse::<std::net::Ipv6Addr>().is_err() && !host.contains('%') {
            return Err(EndpointError::NotAHost(authority.to_string()));
        }
        let port = match after.strip_prefix(':') {
            Some(p) => Some(parse_port(p)?),
            None if after.is_empty() => None,
            None => return Err(EndpointError::Port(after.to_string())),
        };
        return Ok((host.to_string(), port));
    }
    if authority.matches(':').count() > 1 {
        return match authority.parse::<std::net::Ipv6Addr>() {
            Ok(_) => Ok((authority.to_string(), None)),
            Err(_) => Err(EndpointError::Ambiguous(authority.to_string())),
        };
    }
    match authority.split_once(':') {
        Some((host, port)) => Ok((host.to_string(), Some(parse_port(port)?))),
        None => Ok((authority.to_string(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::{Endpoint, EndpointError};

    fn url(target: &str, https: bool) -> String {
        Endpoint::parse(target, https).unwrap().url().to_string()
    }

    #[test]
    fn winrm_cmd_defaults() {
        assert_eq!(url("srv1", false), "http://srv1:5985/wsman");
        assert_eq!(url("srv1", true), "https://srv1:5986/wsman");
        assert_eq!(url("https://srv1", false), "https://srv1:443/wsman");
        assert_eq!(url("http://srv1", false), "http://srv1:80/wsman");
        assert_eq!(url("srv1:1270", false), "http://srv1:1270/wsman");
        assert_eq!(url("HTTPS://idrac/wsman", false), "https://idrac:443/wsman");
        assert_eq!(
            url("https://[fe80::1]:444/path", false),
            "https://[fe80::1]:444/path"
        );
        assert_eq!(url("fe80::1", false), "http://[fe80::1]:5985/wsman");
        assert_eq!(url("[::1]:5985", false), "http://[::1]:5985/wsman");
        assert_eq!(url("https://h:5986", true), "https://h:5986/wsman");
    }

    #[test]
    fn parts() {
        let e = Endpoint::parse("https://[FE80::1]:444/x/y", false).unwrap();
        assert!(e.is_https());
        assert_eq!(e.host(), "FE80::1");
        assert_eq!(e.port(), 444);
        assert_eq!(e.path(), "/x/y");
        assert_eq!(e.authority(), "[fe80::1]:444");
        let e: Endpoint = "Srv01".parse().unwrap();
        assert_eq!(e.authority(), "srv01:5985");
        assert_eq!(e.path(), "/wsman");
    }

    #[test]
    fn rejects_bad_targets() {
        for bad in [
            "",
            "ftp://x",
            "h:0",
            "h:99999",
            "h:x",
            "[::1",
            "[nothost]:1",
            "http://:5985",
            "u@h",
            "h%20x",
            "h:5985:1",
            "http://u:secret@h",
        ] {
            assert!(Endpoint::parse(bad, false).is_err(), "{bad}");
        }
        assert_eq!(
            Endpoint::parse("http://h", true),
            Err(EndpointError::HttpsConflict)
        );
        let secret = Endpoint::parse("http://u:SECRET@h", false).unwrap_err();
        assert!(!secret.to_string().contains("SECRET"));
    }
}
