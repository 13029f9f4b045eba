//! The TLS session inside CredSSP (MS-CSSP §3.1.5 step 1), run in memory:
//! records go in and out as byte buffers that travel in `Authorization:
//! CredSSP` headers during the handshake and, afterwards, in MS-WSMV
//! sealed bodies.
//!
//! The server's certificate here is usually self-signed and is not checked
//! against any root: CredSSP proves the server with the inner NTLM or
//! Kerberos exchange, bound to this TLS session by the server's echo of its
//! public key (`pubKeyAuth`, verified by sspi). The handshake signatures
//! are still verified, so the server must hold the key it shows. Knows no
//! HTTP and no CredSSP messages.

use std::io::{Read as _, Write as _};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::{ClientConfig, ClientConnection, ProtocolVersion};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// Accepts any certificate; verifies the handshake signatures.
#[derive(Debug)]
struct KeyHolder {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for KeyHolder {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // MS-CSSP: the certificate is bound by pubKeyAuth, not by a CA.
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The client configuration: TLS 1.2 or 1.3 with AES-GCM only (what
/// SChannel offers, and the suites whose trailer length MS-WSMV framing
/// can state), no session resumption (each handshake shows the
/// certificate anew).
pub fn config() -> Result<Arc<ClientConfig>, String> {
    let mut provider = rustls::crypto::ring::default_provider();
    provider
        .cipher_suites
        .retain(|s| format!("{:?}", s.suite()).contains("_AES_"));
    let algorithms = provider.signature_verification_algorithms;
    let mut config = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("TLS setup for CredSSP failed: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(KeyHolder { algorithms }))
        .with_no_client_auth();
    config.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(config))
}

/// A TLS client whose records are byte buffers.
pub struct MemoryTls {
    conn: ClientConnection,
}

impl MemoryTls {
    /// Starts a session to `host` (the SNI; an address sends none).
    pub fn new(config: Arc<ClientConfig>, host: &str) -> Result<Self, String> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(bare.to_string())
            .or_else(|_| ServerName::try_from("winrm"))
            .map_err(|e| format!("no TLS name for {bare}: {e}"))?;
        let conn = ClientConnection::new(config, name).map_err(|e| e.to_string())?;
        Ok(MemoryTls { conn })
    }

    /// Whether the TLS handshake is still under way.
    pub fn handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    /// Takes every record rustls wants to send.
    pub fn drain(&mut self) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        while self.conn.wants_write() {
            self.conn.write_tls(&mut out).map_err(|e| e.to_string())?;
        }
        Ok(out)
    }

    /// Feeds records from the server and returns the application data
    /// they carried. Any record that does not decrypt or verify fails.
    pub fn feed(&mut self, mut records: &[u8]) -> Result<Vec<u8>, String> {
        let mut plain = Vec::new();
        loop {
            if !records.is_empty() {
                self.conn
                    .read_tls(&mut records)
                    .map_err(|e| e.to_string())?;
            }
            self.conn.process_new_packets().map_err(|e| e.to_string())?;
            let mut reader = self.conn.reader();
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => plain.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e.to_string()),
                }
            }
            if records.is_empty() {
                return Ok(plain);
            }
        }
    }

    /// Encrypts `plaintext` into records (at most 16 KiB of plaintext
    /// each, so one record per CredSSP chunk).
    pub fn seal(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, String> {
        if self.handshaking() {
            return Err("the CredSSP TLS session is not established".into());
        }
        self.conn
            .writer()
            .write_all(plaintext)
            .map_err(|e| e.to_string())?;
        self.drain()
    }

    /// Seals one MS-WSMV part: (the first [`MemoryTls::trailer_length`]
    /// bytes of the record, the rest), as SChannel-based peers split it.
    pub fn seal_part(&mut self, plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
        let mut record = self.seal(plaintext)?;
        let payload = record.split_off(self.trailer_length().min(record.len()));
        Ok((record, payload))
    }

    /// Opens one MS-WSMV part: the two pieces are one TLS record again.
    pub fn open_part(&mut self, header: &[u8], payload: &[u8]) -> Result<Vec<u8>, String> {
        let mut records = Vec::with_capacity(header.len() + payload.len());
        records.extend_from_slice(header);
        records.extend_from_slice(payload);
        self.feed(&records)
    }

    /// The DER certificate the server showed.
    pub fn peer_certificate(&self) -> Option<Vec<u8>> {
        self.conn
            .peer_certificates()
            .and_then(|chain| chain.first())
            .map(|c| c.to_vec())
    }

    /// How many bytes of a sealed record MS-WSMV puts before the length
    /// prefix's split: what SChannel calls the stream trailer (AES-GCM's
    /// 16-byte tag; TLS 1.3 adds the inner content type).
    pub fn trailer_length(&self) -> usize {
        trailer_length(self.conn.protocol_version())
    }
}

/// [`MemoryTls::trailer_length`] for a protocol version.
pub fn trailer_length(version: Option<ProtocolVersion>) -> usize {
    match version {
        Some(ProtocolVersion::TLSv1_3) => 17,
        _ => 16,
    }
}

/// Reads one DER header at `at`: (tag, content start, content length).
fn der_header(der: &[u8], at: usize) -> Option<(u8, usize, usize)> {
    let tag = *der.get(at)?;
    let first = *der.get(at + 1)?;
    if first < 0x80 {
        return Some((tag, at + 2, usize::from(first)));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return None;
    }
    let mut len = 0usize;
    for i in 0..count {
        len = (len << 8) | usize::from(*der.get(at + 2 + i)?);
    }
    Some((tag, at + 2 + count, len))
}

/// The certificate's subjectPublicKey (the BIT STRING's bytes, without its
/// unused-bits count): the value MS-CSSP's pubKeyAuth binds.
pub fn subject_public_key(cert: &[u8]) -> Option<Vec<u8>> {
    let (_, tbs_seq, _) = der_header(cert, 0)?;
    let (tag, mut at, _) = der_header(cert, tbs_seq)?;
    if tag != 0x30 {
        return None;
    }
    // [0] version (optional), serial, signature, issuer, validity, subject.
    let (tag, _, _) = der_header(cert, at)?;
    let skip = if tag == 0xa0 { 6 } else { 5 };
    for _ in 0..skip {
        let (_, start, len) = der_header(cert, at)?;
        at = start.checked_add(len)?;
    }
    let (tag, spki, _) = der_header(cert, at)?;
    if tag != 0x30 {
        return None;
    }
    let (_, alg, alg_len) = der_header(cert, spki)?;
    let (tag, bits, bits_len) = der_header(cert, alg.checked_add(alg_len)?)?;
    if tag != 0x03 || bits_len == 0 {
        return None;
    }
    cert.get(bits + 1..bits.checked_add(bits_len)?)
        .map(<[u8]>::to_vec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_key_of_a_certificate() {
        for alg in [&rcgen::PKCS_ECDSA_P256_SHA256, &rcgen::PKCS_ED25519] {
            let key = rcgen::KeyPair::generate_for(alg).unwrap();
            let cert = rcgen::CertificateParams::new(vec!["a".into()])
                .unwrap()
                .self_signed(&key)
                .unwrap();
            assert_eq!(
                subject_public_key(cert.der()).as_deref(),
                Some(key.public_key_raw())
            );
        }
        assert_eq!(subject_public_key(b"\x30\x03junk"), None);
        assert_eq!(subject_public_key(b""), None);
    }

    #[test]
    fn trailers() {
        assert_eq!(trailer_length(Some(ProtocolVersion::TLSv1_3)), 17);
        assert_eq!(trailer_length(Some(ProtocolVersion::TLSv1_2)), 16);
    }

    /// A rustls server with a throw-away certificate and a handshake with
    /// it, pumped through buffers.
    fn session(
        version: &'static rustls::SupportedProtocolVersion,
    ) -> (MemoryTls, rustls::ServerConnection, Vec<u8>) {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["srv".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let der = key.serialize_der();
        let server = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls_pki_types::PrivateKeyDer::Pkcs8(der.into()),
        )
        .unwrap();
        let mut server = rustls::ServerConnection::new(Arc::new(server)).unwrap();
        let mut client = MemoryTls::new(config().unwrap(), "srv").unwrap();
        for _ in 0..10 {
            let out = client.drain().unwrap();
            if !out.is_empty() {
                server.read_tls(&mut out.as_slice()).unwrap();
            }
            server.process_new_packets().unwrap();
            let mut back = Vec::new();
            while server.wants_write() {
                server.write_tls(&mut back).unwrap();
            }
            assert!(client.feed(&back).unwrap().is_empty());
        }
        assert!(!client.handshaking() && !server.is_handshaking());
        (client, server, key.public_key_raw().to_vec())
    }

    #[test]
    fn parts_round_trip_and_a_flipped_byte_is_refused() {
        for (version, trailer) in [(&rustls::version::TLS12, 16), (&rustls::version::TLS13, 17)] {
            let (mut client, mut server, public_key) = session(version);
            assert_eq!(client.trailer_length(), trailer);
            let cert = client.peer_certificate().unwrap();
            assert_eq!(subject_public_key(&cert), Some(public_key));

            // A full 16 KiB chunk is one record; the server opens the
            // header and payload put back together.
            let chunk = vec![b'x'; 16384];
            let (header, payload) = client.seal_part(&chunk).unwrap();
            assert_eq!(header.len(), trailer);
            let record = [header, payload].concat();
            assert_eq!(
                u16::from_be_bytes([record[3], record[4]]) as usize,
                record.len() - 5
            );
            let mut rest = record.as_slice();
            while !rest.is_empty() {
                server.read_tls(&mut rest).unwrap();
                server.process_new_packets().unwrap();
            }
            let mut got = vec![0u8; 20000];
            let n = std::io::Read::read(&mut server.reader(), &mut got).unwrap();
            assert_eq!(&got[..n], &chunk[..]);

            let reply = |server: &mut rustls::ServerConnection| {
                server.writer().write_all(b"<reply/>").unwrap();
                let mut back = Vec::new();
                while server.wants_write() {
                    server.write_tls(&mut back).unwrap();
                }
                back
            };
            let back = reply(&mut server);
            let (h, p) = back.split_at(trailer);
            assert_eq!(client.open_part(h, p).unwrap(), b"<reply/>");
            let mut bad = reply(&mut server);
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(client.open_part(&bad[..trailer], &bad[trailer..]).is_err());
        }
    }

    #[test]
    fn config_offers_only_aes_gcm() {
        let config = config().unwrap();
        assert!(
            config
                .crypto_provider()
                .cipher_suites
                .iter()
                .all(|s| format!("{:?}", s.suite()).contains("_GCM_"))
        );
    }
}
