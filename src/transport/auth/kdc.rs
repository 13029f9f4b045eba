//! Talking to the Kerberos KDC on sspi's behalf: sspi is sans-I/O here (its
//! own HTTP client is turned off), so each AS/TGS exchange it yields is sent
//! by this module over TCP (or UDP), with a deadline on every wait.
//!
//! Owns KDC addressing (`--kdc HOST[:PORT]` → `tcp://HOST:PORT`) and the
//! RFC 4120 §7.2.2 framing on TCP, which sspi has already applied to the
//! request bytes. Knows nothing of HTTP or WS-Man.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

use sspi::network_client::NetworkClient;
use sspi::{NetworkProtocol, NetworkRequest};

use super::{AuthError, AuthFailure};

/// The largest KDC reply accepted.
const MAX_REPLY: usize = 1 << 20;

/// Sends KDC requests with timeouts.
#[derive(Debug, Clone)]
pub struct KdcClient {
    /// Deadline for connecting and for each read and write.
    pub timeout: Duration,
}

/// `host`, `host:port`, `tcp://host:port` or `udp://host` → a KDC URL.
pub fn kdc_url(text: &str) -> Option<url::Url> {
    let text = text.trim();
    if text.contains("://") {
        url::Url::parse(text).ok()
    } else {
        url::Url::parse(&format!("tcp://{text}")).ok()
    }
}

/// The `--kdc` option as a KDC URL: `None` when not given, an error that
/// names the option when it is not a host, `host:port` or URL.
pub fn kdc_option(text: Option<&str>) -> Result<Option<url::Url>, AuthError> {
    text.map(|text| {
        kdc_url(text).ok_or_else(|| {
            AuthError::new(
                AuthFailure::KdcUnreachable,
                format!("the KDC '{text}' is not a host, host:port or tcp://host:port"),
            )
        })
    })
    .transpose()
}

fn failure(text: String) -> sspi::Error {
    sspi::Error::new(sspi::ErrorKind::NoAuthenticatingAuthority, text)
}

impl KdcClient {
    fn address(request: &NetworkRequest) -> sspi::Result<Vec<std::net::SocketAddr>> {
        let host = request
            .url
            .host_str()
            .ok_or_else(|| failure("the KDC address has no host".into()))?;
        let port = request.url.port().unwrap_or(88);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        (host, port)
            .to_socket_addrs()
            .map(Iterator::collect)
            .map_err(|e| failure(format!("cannot resolve the KDC {host}: {e}")))
    }

    fn tcp(&self, request: &NetworkRequest) -> sspi::Result<Vec<u8>> {
        let mut last = failure(format!("no address for the KDC {}", request.url));
        for addr in Self::address(request)? {
            match TcpStream::connect_timeout(&addr, self.timeout) {
                Ok(mut stream) => {
                    let io = |e: std::io::Error| failure(format!("the KDC {addr}: {e}"));
                    stream.set_read_timeout(Some(self.timeout)).map_err(io)?;
                    stream.set_write_timeout(Some(self.timeout)).map_err(io)?;
                    stream.write_all(&request.data).map_err(io)?;
                    let mut len = [0u8; 4];
                    stream.read_exact(&mut len).map_err(io)?;
                    let size = u32::from_be_bytes(len) as usize;
                    if size > MAX_REPLY {
                        return Err(failure(format!("the KDC {addr} sent a {size}-byte reply")));
                    }
                    let mut reply = vec![0u8; size + 4];
                    reply[..4].copy_from_slice(&len);
                    stream.read_exact(&mut reply[4..]).map_err(io)?;
                    return Ok(reply);
                }
                Err(e) => last = failure(format!("cannot connect to the KDC {addr}: {e}")),
            }
        }
        Err(last)
    }

    fn udp(&self, request: &NetworkRequest) -> sspi::Result<Vec<u8>> {
        let addrs = Self::address(request)?;
        let addr = addrs
            .first()
            .ok_or_else(|| failure(format!("no address for the KDC {}", request.url)))?;
        let local = if addr.is_ipv6() {
            "[::]:0"
        } else {
            "0.0.0.0:0"
        };
        let io = |e: std::io::Error| failure(format!("the KDC {addr}: {e}"));
        let socket = UdpSocket::bind(local).map_err(io)?;
        socket.set_read_timeout(Some(self.timeout)).map_err(io)?;
        socket.send_to(&request.data, addr).map_err(io)?;
        let mut buf = vec![0u8; 65536];
        let n = socket.recv(&mut buf).map_err(io)?;
        buf.truncate(n);
        Ok(buf)
    }
}

impl NetworkClient for KdcClient {
    fn send(&self, request: &NetworkRequest) -> sspi::Result<Vec<u8>> {
        match request.protocol {
            NetworkProtocol::Tcp => self.tcp(request),
            NetworkProtocol::Udp => self.udp(request),
            NetworkProtocol::Http | NetworkProtocol::Https => Err(sspi::Error::new(
                sspi::ErrorKind::UnsupportedFunction,
                "KDC proxies (KKDCP over HTTP) are not supported; name the KDC itself",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kdc_addresses() {
        assert_eq!(kdc_url("kdc1").unwrap().as_str(), "tcp://kdc1");
        assert_eq!(kdc_url("kdc1:8888").unwrap().port(), Some(8888));
        assert_eq!(kdc_url("udp://kdc1").unwrap().scheme(), "udp");
        assert_eq!(
            kdc_url("127.0.0.1:88").unwrap().host_str(),
            Some("127.0.0.1")
        );
    }
}
