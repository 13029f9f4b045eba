//! `-r:` → the endpoint URL, with winrm.cmd's defaults (reference §4): a
//! bare host gets `http://HOST:5985/wsman` (5986 and https with -usessl);
//! an explicit `http://` or `https://` without a port gets 80 or 443; the
//! path defaults to `/wsman`; IPv6 literals go in brackets.

use super::UsageError;

/// The endpoint URL for `remote` (None: the local machine).
pub fn endpoint_url(remote: Option<&str>, use_ssl: bool) -> Result<String, UsageError> {
    let remote = remote.map(str::trim).unwrap_or("localhost");
    if remote.is_empty() {
        return Err(UsageError::new(
            "-remote needs a host, e.g. -r:server01 or -r:https://server01:5986",
        ));
    }
    let (scheme, rest, explicit) = match remote.split_once("://") {
        Some((scheme, rest)) => {
            let scheme = scheme.to_ascii_lowercase();
            if scheme != "http" && scheme != "https" {
                return Err(UsageError::new(format!(
                    "-remote has the scheme '{scheme}://'; use http:// or https://"
                )));
            }
            if use_ssl && scheme == "http" {
                return Err(UsageError::new(
                    "-usessl conflicts with an http:// target; drop one of them",
                ));
            }
            (scheme, rest, true)
        }
        None => (
            if use_ssl { "https" } else { "http" }.to_string(),
            remote,
            false,
        ),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    // Never echo this: the part before '@' may be a password (anywhere in
    // the string: `http://admin:p/w@host` puts it past the first '/').
    if remote.contains('@') {
        return Err(UsageError::new(
            "credentials in -remote are not supported (and would show in the process list); \
             give -u:USER and the password through WINRM_PASSWORD, --password-file or the prompt",
        ));
    }
    let (host, port) = split_host_port(authority)?;
    let host_ok = !host.is_empty()
        && (host.starts_with('[')
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')));
    if !host_ok {
        return Err(UsageError::new(format!(
            "-remote '{remote}' does not name a host; use HOST, HOST:PORT or a URL"
        )));
    }
    let port = match port {
        Some(p) => p,
        None if explicit => {
            if scheme == "https" {
                443
            } else {
                80
            }
        }
        None if scheme == "https" => 5986,
        None => 5985,
    };
    let path = if path.is_empty() || path == "/" {
        "/wsman"
    } else {
        path
    };
    Ok(format!("{scheme}://{host}:{port}{path}"))
}

/// Splits `host[:port]`, `[v6][:port]`, or a bare IPv6 literal (several
/// colons, no brackets), returning the host ready for a URL.
fn split_host_port(authority: &str) -> Result<(String, Option<u16>), UsageError> {
    let bad_port = |p: &str| {
        UsageError::new(format!(
            "the port '{p}' in -remote is not a number from 1 to 65535"
        ))
    };
    let parse_port = |p: &str| match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(bad_port(p)),
        Ok(n) => Ok(n),
    };
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| {
            UsageError::new("an IPv6 address in -remote is missing its closing ']'")
        })?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(parse_port(p)?),
            None if after.is_empty() => None,
            None => return Err(bad_port(after)),
        };
        return Ok((format!("[{host}]"), port));
    }
    if authority.matches(':').count() > 1 {
        // A bare IPv6 literal cannot carry a port.
        return match authority.parse::<std::net::Ipv6Addr>() {
            Ok(_) => Ok((format!("[{authority}]"), None)),
            Err(_) => Err(UsageError::new(format!(
                "-remote '{authority}' is neither HOST:PORT nor an IPv6 address \
                 (write IPv6 with a port as [ADDRESS]:PORT)"
            ))),
        };
    }
    match authority.split_once(':') {
        Some((host, port)) => Ok((host.to_string(), Some(parse_port(port)?))),
        None => Ok((authority.to_string(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::endpoint_url;

    fn url(r: &str, ssl: bool) -> String {
        endpoint_url(Some(r), ssl).unwrap()
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
        assert_eq!(
            endpoint_url(None, false).unwrap(),
            "http://localhost:5985/wsman"
        );
        assert_eq!(url("https://h:5986", true), "https://h:5986/wsman");
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
            "http://:5985",
            "u@h",
            "h%20x",
            "h:5985:1",
            "http://u:secret@h",
        ] {
            assert!(endpoint_url(Some(bad), false).is_err(), "{bad}");
        }
        assert!(endpoint_url(Some("http://h"), true).is_err());
        let secret = endpoint_url(Some("http://u:SECRET@h"), false).unwrap_err();
        assert!(!secret.to_string().contains("SECRET"));
    }
}
