//! TLS for HTTPS endpoints: the rustls client configuration and the ureq
//! connector that applies it.
//!
//! Owns which certificates are trusted (the system's roots plus `--cacert`)
//! and the two separate relaxations winrm.cmd offers: `-skipCAcheck` (accept
//! a certificate no trusted root vouches for, but still check its name) and
//! `-skipCNcheck` (accept a name mismatch, but still require a trusted chain),
//! and the client certificate `-a:certificate` presents (`--cert`, `--key`).
//! We plug our own connector into ureq's `unversioned` transport API because
//! ureq's built-in one takes no custom verifier; that API is why ureq is
//! pinned exactly in Cargo.toml. Nothing here knows WS-Man.

use std::fmt;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::{CertificateError, ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
    TransportAdapter,
};

use super::error::TransportError;

/// How the server's certificate is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Accept a certificate that no trusted root vouches for.
    pub skip_ca_check: bool,
    /// Accept a certificate whose names do not include the host.
    pub skip_cn_check: bool,
    /// Extra trusted roots, PEM.
    pub ca_file: Option<PathBuf>,
    /// The client certificate (chain) and its private key, PEM files.
    pub client_identity: Option<(PathBuf, PathBuf)>,
    /// Accept exactly the server certificates with these fingerprints, CA
    /// and name unchecked; any other is refused before anything is sent.
    pub pins: Vec<Pin>,
}

/// A server certificate's fingerprint to accept (`--pin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pin {
    /// SHA-256 of the certificate.
    Sha256([u8; 32]),
    /// SHA-1 of the certificate: Windows' thumbprint, as
    /// winrm/config/listener and iDRAC show it.
    Sha1([u8; 20]),
}

impl Pin {
    /// Parses `sha256:HEX`, `sha1:HEX`, or bare hex (40 digits: a SHA-1
    /// thumbprint; 64: SHA-256). Colons and spaces between the digits are
    /// allowed, as certificate viewers print them.
    ///
    /// # Errors
    ///
    /// What is wrong with the text, in a few words.
    pub fn parse(text: &str) -> Result<Pin, String> {
        let lower = text.trim().to_ascii_lowercase();
        let (kind, digits) = match lower.split_once(':') {
            Some((kind @ ("sha256" | "sha1"), rest)) => (Some(kind), rest),
            _ => (None, lower.as_str()),
        };
        let hex: String = digits.chars().filter(|c| !matches!(c, ':' | ' ')).collect();
        if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) || hex.len() % 2 == 1 {
            return Err("is not a hexadecimal fingerprint".into());
        }
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
            .collect();
        match (kind, bytes.len()) {
            (Some("sha256") | None, 32) => Ok(Pin::Sha256(bytes.try_into().unwrap_or([0; 32]))),
            (Some("sha1") | None, 20) => Ok(Pin::Sha1(bytes.try_into().unwrap_or([0; 20]))),
            (Some(kind), n) => Err(format!("has {n} bytes, not a {kind} fingerprint")),
            (None, n) => Err(format!(
                "has {n} bytes: give a SHA-256 (32 bytes) or SHA-1 thumbprint (20 bytes)"
            )),
        }
    }

    fn matches(&self, certificate: &[u8]) -> bool {
        use sha1::Digest as _;
        match self {
            Pin::Sha256(want) => sha2::Sha256::digest(certificate).as_slice() == want,
            Pin::Sha1(want) => sha1::Sha1::digest(certificate).as_slice() == want,
        }
    }
}

/// A server certificate that matched none of the pins: its fingerprints,
/// so the user can compare them with the ones they expected.
#[derive(Debug)]
pub struct PinMismatch {
    /// SHA-256, `AB:CD:…`.
    pub sha256: String,
    /// SHA-1 (Windows' thumbprint), upper-case hex.
    pub sha1: String,
}

impl fmt::Display for PinMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the server's certificate matches no --pin (it is sha256:{}, thumbprint sha1:{})",
            self.sha256, self.sha1
        )
    }
}

impl std::error::Error for PinMismatch {}

#[cfg(test)]
mod pin_tests {
    use super::Pin;

    #[test]
    fn pins_parse_as_viewers_print_them() {
        let sha1 = "A1B2C3D4E5F60718293A4B5C6D7E8F9001122334";
        assert!(matches!(Pin::parse(sha1), Ok(Pin::Sha1(_))));
        assert_eq!(
            Pin::parse(&format!("sha1:{}", sha1.to_lowercase())),
            Pin::parse(sha1)
        );
        let sha256 = "AB:".repeat(31) + "AB";
        assert!(matches!(
            Pin::parse(&format!("SHA256:{sha256}")),
            Ok(Pin::Sha256(_))
        ));
        assert!(matches!(Pin::parse(&"cd ".repeat(32)), Ok(Pin::Sha256(_))));
        for bad in ["", "sha256:", "sha1:zz", "abc", "sha256:AB", "md5:00"] {
            assert!(Pin::parse(bad).is_err(), "{bad}");
        }
    }
}

fn hex(bytes: &[u8], separator: &str) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(separator)
}

/// The client certificate chain and key from PEM files, with errors that
/// name the file and what it should hold. The key is never printed.
fn client_identity(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TransportError> {
    let read = |path: &std::path::Path, what: &str| {
        std::fs::read(path).map_err(|e| {
            TransportError::Config(format!("cannot read the {what} {}: {e}", path.display()))
        })
    };
    let pem = read(cert, "client certificate")?;
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            TransportError::Config(format!(
                "the client certificate {} is not valid PEM: {e}",
                cert.display()
            ))
        })?;
    if chain.is_empty() {
        return Err(TransportError::Config(format!(
            "{} holds no certificate (expected -----BEGIN CERTIFICATE-----)",
            cert.display()
        )));
    }
    let pem = read(key, "private key")?;
    let key = PrivateKeyDer::from_pem_slice(&pem).map_err(|_| {
        TransportError::Config(format!(
            "{} holds no usable private key (expected -----BEGIN PRIVATE KEY-----, \
             RSA PRIVATE KEY or EC PRIVATE KEY, unencrypted)",
            key.display()
        ))
    })?;
    Ok((chain, key))
}

/// Builds the rustls client configuration for `options`.
pub fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    // A machine without a readable system store still works with --cacert.
    let system = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(system.certs);
    if let Some(path) = &options.ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            TransportError::Config(format!("cannot read the CA file {}: {e}", path.display()))
        })?;
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| {
                TransportError::Config(format!(
                    "the CA file {} is not valid PEM: {e}",
                    path.display()
                ))
            })?;
            roots.add(cert).map_err(|e| {
                TransportError::Config(format!(
                    "the CA file {} holds a certificate rustls cannot use: {e}",
                    path.display()
                ))
            })?;
            added += 1;
        }
        if added == 0 {
            return Err(TransportError::Config(format!(
                "the CA file {} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)",
                path.display()
            )));
        }
    }
    let chain = if roots.is_empty() {
        None
    } else {
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| {
                    TransportError::Config(format!("cannot set up TLS verification: {e}"))
                })?;
        Some(verifier)
    };
    let verifier = Verifier {
        chain,
        pins: options.pins.clone(),
        skip_ca_check: options.skip_ca_check,
        skip_cn_check: options.skip_cn_check,
        algorithms: provider.signature_verification_algorithms,
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::Config(format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let config = match &options.client_identity {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => {
            let (chain, key) = client_identity(cert, key)?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                TransportError::Config(format!(
                    "the client certificate {} and its key do not go together: {e}",
                    cert.display()
                ))
            })?
        }
    };
    Ok(Arc::new(config))
}

/// Checks chain and name separately, so each can be waived on its own.
#[derive(Debug)]
struct Verifier {
    chain: Option<Arc<WebPkiServerVerifier>>,
    pins: Vec<Pin>,
    skip_ca_check: bool,
    skip_cn_check: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

fn is_name_error(e: &CertificateError) -> bool {
    matches!(
        e,
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
    )
}

/// The refusals -skipCAcheck waives.
pub(crate) fn is_trust_error(e: &CertificateError) -> bool {
    matches!(
        e,
        CertificateError::UnknownIssuer
            | CertificateError::BadSignature
            | CertificateError::UnhandledCriticalExtension
            | CertificateError::UnknownRevocationStatus
            | CertificateError::Other(_)
    )
}

impl Verifier {
    fn check_name(
        &self,
        end_entity: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.skip_cn_check {
            return Ok(ServerCertVerified::assertion());
        }
        let cert = webpki::EndEntityCert::try_from(end_entity)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        cert.verify_is_valid_for_subject_name(server_name)
            .map(|()| ServerCertVerified::assertion())
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::NotValidForName))
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // A pinned certificate is the one the user named: nothing else to
        // check, and nothing else to accept.
        if !self.pins.is_empty() {
            use sha1::Digest as _;
            let der = end_entity.as_ref();
            if self.pins.iter().any(|pin| pin.matches(der)) {
                return Ok(ServerCertVerified::assertion());
            }
            return Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                rustls::OtherError(Arc::new(PinMismatch {
                    sha256: hex(&sha2::Sha256::digest(der), ":"),
                    sha1: hex(&sha1::Sha1::digest(der), ""),
                })),
            )));
        }
        let verdict = match &self.chain {
            Some(chain) => {
                chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        };
        match verdict {
            Ok(ok) => Ok(ok),
            Err(rustls::Error::InvalidCertificate(e))
                if is_name_error(&e) && self.skip_cn_check =>
            {
                Ok(ServerCertVerified::assertion())
            }
            Err(rustls::Error::InvalidCertificate(e)) if is_name_error(&e) => {
                Err(WrongName::error(end_entity, false))
            }
            Err(rustls::Error::InvalidCertificate(e)) if is_trust_error(&e) => {
                let name = self.check_name(end_entity, server_name);
                match (self.skip_ca_check, name) {
                    (true, Ok(ok)) => Ok(ok),
                    (true, Err(_)) => Err(WrongName::error(end_entity, false)),
                    // Say both at once, so the user fixes both in one go.
                    (false, Err(_)) => Err(WrongName::error(end_entity, true)),
                    (false, Ok(_)) => Err(rustls::Error::InvalidCertificate(e)),
                }
            }
            Err(e) => Err(e),
        }
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

/// A certificate issued for other names (and perhaps not signed by a
/// trusted root either): what it names and its thumbprint, so the user can
/// connect by a right name or recognise the certificate.
#[derive(Debug)]
pub struct WrongName {
    /// The DNS names the certificate holds.
    pub names: Vec<String>,
    /// SHA-1 of the certificate, upper-case hex: Windows' thumbprint, as
    /// winrm/config/listener and iDRAC show it.
    pub thumbprint: String,
    /// Its issuer is not trusted either.
    pub untrusted: bool,
}

impl WrongName {
    fn error(end_entity: &CertificateDer<'_>, untrusted: bool) -> rustls::Error {
        use sha1::Digest as _;
        let names = webpki::EndEntityCert::try_from(end_entity)
            .map(|cert| cert.valid_dns_names().map(str::to_string).collect())
            .unwrap_or_default();
        let thumbprint = hex(&sha1::Sha1::digest(end_entity.as_ref()), "");
        rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::new(
            WrongName {
                names,
                thumbprint,
                untrusted,
            },
        ))))
    }
}

impl fmt::Display for WrongName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the server's certificate is ")?;
        if self.untrusted {
            f.write_str("not signed by a trusted authority and ")?;
        }
        f.write_str("not valid for this host name")?;
        if self.names.is_empty() {
            f.write_str(" (it names no host")?;
        } else {
            write!(f, " (it names {}", self.names.join(", "))?;
        }
        write!(f, "; thumbprint {})", self.thumbprint)
    }
}

impl std::error::Error for WrongName {}

/// A ureq connector that wraps the TCP transport in TLS with our config.
pub struct TlsConnector {
    config: Option<Arc<ClientConfig>>,
    log: Option<Arc<super::connection::ConnectionLog>>,
}

impl TlsConnector {
    /// A connector using `config` for every HTTPS connection (`None` for an
    /// agent that only speaks plain HTTP).
    pub fn new(config: Option<Arc<ClientConfig>>) -> Self {
        TlsConnector { config, log: None }
    }

    /// Records each new connection's server certificate in `log` (for
    /// channel binding).
    pub fn recording(mut self, log: Arc<super::connection::ConnectionLog>) -> Self {
        self.log = Some(log);
        self
    }
}

impl fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConnector").finish()
    }
}

impl<In: Transport> Connector<In> for TlsConnector {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details
            .uri
            .host()
            .ok_or(ureq::Error::Tls("the URL has no host name"))?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(bare.to_string())
            .map_err(|_| ureq::Error::Tls("the host is not a valid TLS server name"))?;
        let config = self.config.clone().ok_or(ureq::Error::Tls(
            "this agent was set up for plain HTTP only",
        ))?;
        let mut conn = ClientConnection::new(config, name)
            .map_err(|e| ureq::Error::Io(std::io::Error::other(e)))?;
        let mut socket = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        socket.set_timeout(details.timeout);
        conn.complete_io(&mut socket)?;
        if let Some(log) = &self.log {
            log.set_peer(
                conn.peer_certificates()
                    .and_then(|chain| chain.first())
                    .map(|cert| cert.to_vec()),
            );
        }
        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(TlsTransport {
            buffers,
            stream: StreamOwned { conn, sock: socket },
            write_failed: false,
        })))
    }
}

/// A TLS stream as a ureq transport.
pub struct TlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
    /// A write failed (the server closed while the request went out):
    /// from now on reads must not try to send the records still queued.
    write_failed: bool,
}

/// What the server sent before it closed, read without sending anything:
/// after a failed write rustls still holds records it could not send, and
/// a plain read would try to send them first and fail again, losing the
/// server's answer (a 413 to an upload it would not take).
fn read_without_writing(
    stream: &mut StreamOwned<ClientConnection, TransportAdapter>,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    let mut ended = false;
    loop {
        // Records rustls took in while the write was failing come first.
        stream
            .conn
            .process_new_packets()
            .map_err(std::io::Error::other)?;
        match stream.conn.reader().read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && ended => return Ok(0),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            done => return done,
        }
        ended = stream.conn.read_tls(&mut stream.sock)? == 0;
    }
}

impl fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsTransport").finish()
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        // Flushed, so a server gone mid-request shows here, while sending,
        // as it would on plain TCP: rustls' own write keeps what it could
        // not send and reports nothing.
        if let Err(e) = self
            .stream
            .write_all(output)
            .and_then(|()| self.stream.flush())
        {
            self.write_failed = true;
            return Err(e.into());
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = if self.write_failed {
            read_without_writing(&mut self.stream, input)?
        } else {
            self.stream.read(input)?
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}
