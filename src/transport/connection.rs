//! Which TCP connection carried each request, and what certificate the
//! server showed on it.
//!
//! Connection-bound authentication (NTLM, Kerberos, Negotiate) is only
//! valid on the connection it was made on, so the HTTP layer must know when
//! ureq opened a new one. [`Counter`] sits at the end of ureq's connector
//! chain and numbers every new connection; the TLS connector records the
//! server's certificate, from which [`channel_binding`] derives RFC 5929's
//! `tls-server-end-point`. [`probe_certificate`] fetches that certificate
//! before the first request when the first token must already carry it
//! (Kerberos). Knows no HTTP and no authentication.

use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::{ClientConfig, ClientConnection};
use rustls_pki_types::ServerName;
use sha2::Digest as _;
use ureq::unversioned::transport::{ConnectionDetails, Connector, Transport};

/// Connections opened so far and the latest server certificate.
#[derive(Debug, Default)]
pub struct ConnectionLog {
    opened: AtomicU64,
    peer: Mutex<Option<Vec<u8>>>,
}

impl ConnectionLog {
    /// The number of the connection opened last (1 for the first).
    pub fn current(&self) -> u64 {
        self.opened.load(Ordering::SeqCst)
    }

    /// The DER certificate the server showed on the latest connection.
    pub fn peer(&self) -> Option<Vec<u8>> {
        self.peer.lock().ok().and_then(|p| p.clone())
    }

    /// Records the certificate of the connection being opened.
    pub fn set_peer(&self, der: Option<Vec<u8>>) {
        if let Ok(mut slot) = self.peer.lock() {
            *slot = der;
        }
    }
}

/// Counts the connections ureq opens (pooled reuse does not pass here).
#[derive(Debug)]
pub struct Counter(pub Arc<ConnectionLog>);

impl<In: Transport> Connector<In> for Counter {
    type Out = In;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if chained.is_some() {
            self.0.opened.fetch_add(1, Ordering::SeqCst);
        }
        Ok(chained)
    }
}

/// RFC 5929 `tls-server-end-point:` + the certificate's hash: SHA-256
/// unless the certificate is signed with SHA-384 or SHA-512.
pub fn channel_binding(cert_der: &[u8]) -> Vec<u8> {
    let mut out = b"tls-server-end-point:".to_vec();
    match signature_hash(cert_der) {
        Hash::Sha384 => out.extend_from_slice(&sha2::Sha384::digest(cert_der)),
        Hash::Sha512 => out.extend_from_slice(&sha2::Sha512::digest(cert_der)),
        Hash::Sha256 => out.extend_from_slice(&sha2::Sha256::digest(cert_der)),
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// Reads one DER header at `at`: (content start, content length).
fn der_header(der: &[u8], at: usize) -> Option<(usize, usize)> {
    let first = *der.get(at + 1)?;
    if first < 0x80 {
        return Some((at + 2, usize::from(first)));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return None;
    }
    let mut len = 0usize;
    for i in 0..count {
        len = (len << 8) | usize::from(*der.get(at + 2 + i)?);
    }
    Some((at + 2 + count, len))
}

/// The hash of the certificate's signatureAlgorithm (the second element of
/// the outer SEQUENCE); MD5, SHA-1, SHA-256 and anything unknown → SHA-256.
fn signature_hash(der: &[u8]) -> Hash {
    let find = || -> Option<Vec<u8>> {
        let (body, _) = der_header(der, 0)?;
        let (tbs_body, tbs_len) = der_header(der, body)?;
        let alg = tbs_body + tbs_len;
        let (alg_body, _) = der_header(der, alg)?;
        if *der.get(alg_body)? != 0x06 {
            return None;
        }
        let (oid, oid_len) = der_header(der, alg_body)?;
        der.get(oid..oid + oid_len).map(<[u8]>::to_vec)
    };
    const SHA384: [&[u8]; 2] = [
        // sha384WithRSAEncryption, ecdsa-with-SHA384
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c],
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03],
    ];
    const SHA512: [&[u8]; 2] = [
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d],
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04],
    ];
    match find() {
        Some(oid) if SHA384.contains(&oid.as_slice()) => Hash::Sha384,
        Some(oid) if SHA512.contains(&oid.as_slice()) => Hash::Sha512,
        _ => Hash::Sha256,
    }
}

/// Opens a TLS connection to `host:port` only to read the server's
/// certificate, every wait bounded by `timeout`. TLS failures come back as
/// I/O errors wrapping the rustls error, as ureq reports them.
pub fn probe_certificate(
    host: &str,
    port: u16,
    config: Arc<ClientConfig>,
    timeout: Duration,
) -> Result<Vec<u8>, std::io::Error> {
    use std::io::{Error, ErrorKind};
    let bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    // Name lookup has no timeout of its own: run it aside and stop waiting.
    let (tx, rx) = std::sync::mpsc::channel();
    let lookup = bare.clone();
    std::thread::spawn(move || {
        let _ = tx.send(
            (lookup.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect::<Vec<_>>),
        );
    });
    let addrs = rx
        .recv_timeout(timeout)
        .map_err(|_| Error::new(ErrorKind::TimedOut, "the host name did not resolve in time"))??;
    let addr = addrs
        .first()
        .ok_or_else(|| Error::other("failed to lookup address: the host name has no address"))?;
    let mut sock = TcpStream::connect_timeout(addr, timeout)?;
    sock.set_read_timeout(Some(timeout))?;
    sock.set_write_timeout(Some(timeout))?;
    let name = ServerName::try_from(bare).map_err(Error::other)?;
    let mut conn = ClientConnection::new(config, name).map_err(Error::other)?;
    while conn.is_handshaking() {
        conn.complete_io(&mut sock)?;
    }
    let cert = conn
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|c| c.to_vec())
        .ok_or_else(|| Error::other("the server showed no certificate"))?;
    conn.send_close_notify();
    let _ = conn.complete_io(&mut sock);
    Ok(cert)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_follows_the_signature_algorithm() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["a".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        assert_eq!(signature_hash(cert.der()), Hash::Sha384);
        assert_eq!(channel_binding(cert.der()).len(), 21 + 48);
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["a".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        assert_eq!(signature_hash(cert.der()), Hash::Sha256);
        assert_eq!(channel_binding(cert.der()).len(), 21 + 32);
        assert_eq!(signature_hash(b"\x30\x03junk"), Hash::Sha256);
    }
}
