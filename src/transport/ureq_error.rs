//! ureq's and rustls' failures → [`TransportError`]s that say what failed
//! and what to try: timeouts name their stage, TLS failures say whether the
//! issuer or the name was refused (so the CLI can suggest -skipCAcheck or
//! -skipCNcheck), HTTP spoken to a TLS port (or the reverse) is named, and
//! so is a reply that is not HTTP, or that came before the request was
//! fully sent.
//! Knows nothing of authentication or WS-Man.

use super::error::{ConnectCause, TlsProblem};
use super::{HttpTransport, Method, TransportError, framing, tls};

impl HttpTransport {
    pub(crate) fn map_error(&self, error: ureq::Error) -> TransportError {
        if let Some(blamed) = super::proxy::blame(
            self.options.proxy.as_ref(),
            self.options.endpoint.url(),
            &error,
        ) {
            return blamed;
        }
        let url = self.options.endpoint.url().to_string();
        // The server answered and hung up while the request was going out
        // (413 for an upload it will not take): its answer, not the broken
        // write, is the news.
        if let Some(answer) = self
            .received
            .take_early()
            .and_then(|bytes| framing::early_answer(&bytes))
        {
            return TransportError::AnsweredEarly {
                url,
                status: answer.status,
                detail: answer.detail,
            };
        }
        match error {
            ureq::Error::Timeout(which) => {
                use ureq::Timeout;
                let (stage, limit) = match which {
                    Timeout::Resolve | Timeout::Connect => {
                        ("connecting", self.options.connect_timeout)
                    }
                    Timeout::SendRequest | Timeout::SendBody | Timeout::PerWrite => {
                        ("sending the request", self.options.reply_timeout)
                    }
                    _ => ("waiting for the reply", self.options.reply_timeout),
                };
                TransportError::Timeout {
                    url,
                    seconds: limit.as_secs().max(1),
                    stage,
                }
            }
            ureq::Error::HostNotFound => TransportError::Connect {
                url,
                reason: "the host name does not resolve".into(),
                cause: ConnectCause::NoSuchHost,
            },
            ureq::Error::ConnectionFailed => TransportError::Connect {
                url,
                reason: "connection failed".into(),
                cause: ConnectCause::Other,
            },
            ureq::Error::BodyExceedsLimit(limit) => TransportError::TooLarge { url, limit },
            ureq::Error::Tls(reason) => TransportError::Tls {
                url,
                reason: reason.to_string(),
                untrusted: false,
                wrong_name: false,
                problem: TlsProblem::None,
            },
            ureq::Error::Io(io) => self.map_io(io),
            ureq::Error::BadUri(reason) => {
                TransportError::Config(format!("the endpoint URL is not valid: {reason}"))
            }
            // A TLS record where an HTTP status line belongs: HTTP spoken
            // to a TLS port. Anything else is named for what it is.
            ureq::Error::Protocol(e) => {
                let first = self.received.first();
                if framing::looks_like_tls(&first) && !self.options.endpoint.is_https() {
                    TransportError::WrongScheme {
                        url,
                        tls_expected: false,
                    }
                } else {
                    TransportError::NotHttp {
                        url,
                        reason: framing::describe(&e, &first),
                        began_as_http: first.starts_with(b"HTTP/"),
                    }
                }
            }
            ureq::Error::LargeResponseHeader(_, limit) => TransportError::NotHttp {
                url,
                reason: format!("its headers run past {limit} bytes"),
                began_as_http: self.received.first().starts_with(b"HTTP/"),
            },
            other => TransportError::Io {
                url,
                reason: other.to_string(),
            },
        }
    }

    pub(crate) fn map_io(&self, io: std::io::Error) -> TransportError {
        use std::io::ErrorKind;
        let url = self.options.endpoint.url().to_string();
        if let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
            return tls_error(url, tls);
        }
        // The system resolver's failures arrive as plain I/O errors.
        if io.to_string().contains("failed to lookup address") {
            return TransportError::Connect {
                url,
                reason: "the host name does not resolve".into(),
                cause: ConnectCause::NoSuchHost,
            };
        }

        match io.kind() {
            ErrorKind::ConnectionRefused => TransportError::Connect {
                url,
                reason: "connection refused".into(),
                cause: ConnectCause::Refused,
            },
            ErrorKind::TimedOut | ErrorKind::WouldBlock => TransportError::Timeout {
                url,
                seconds: self.options.reply_timeout.as_secs().max(1),
                stage: "waiting for the reply",
            },
            // Not a byte of the reply yet: typically a kept-alive connection
            // the server had closed. The session may send it again.
            ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof
                if self.received.bytes() == self.received_before
                    && self.options.method != Method::Certificate =>
            {
                TransportError::NoReply {
                    url,
                    reason: "the server closed the connection".into(),
                }
            }
            // With TLS 1.3 a refused client certificate often shows only
            // as a reset: the server's alert is lost with the connection.
            ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
                if self.options.method == Method::Certificate =>
            {
                TransportError::Io {
                    url,
                    reason: "the server closed the connection; it may have refused the client \
                             certificate (is it signed by a CA the server trusts for clients?)"
                        .into(),
                }
            }
            ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
                TransportError::Io {
                    url,
                    reason: "the server closed the connection".into(),
                }
            }
            ErrorKind::UnexpectedEof => TransportError::Io {
                url,
                reason: "the server closed the connection before the reply was complete".into(),
            },
            _ => TransportError::Io {
                url,
                reason: io.to_string(),
            },
        }
    }
}

fn tls_error(url: String, error: &rustls::Error) -> TransportError {
    use rustls::{AlertDescription, CertificateError, Error};
    let mut problem = TlsProblem::None;
    let (reason, untrusted, wrong_name) = match error {
        Error::InvalidCertificate(CertificateError::UnknownIssuer) => (
            "the server's certificate is not signed by a trusted authority".to_string(),
            true,
            false,
        ),
        Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => (
            "the server's certificate is not valid for this host name".to_string(),
            false,
            true,
        ),
        Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => {
            problem = TlsProblem::Expired;
            (
                "the server's certificate has expired".to_string(),
                false,
                false,
            )
        }
        Error::InvalidCertificate(CertificateError::Other(other))
            if other.0.downcast_ref::<tls::PinMismatch>().is_some() =>
        {
            problem = TlsProblem::PinMismatch;
            (other.0.to_string(), false, false)
        }
        Error::InvalidCertificate(CertificateError::Other(other))
            if other.0.downcast_ref::<tls::WrongName>().is_some() =>
        {
            let untrusted = other
                .0
                .downcast_ref::<tls::WrongName>()
                .is_some_and(|w| w.untrusted);
            (other.0.to_string(), untrusted, true)
        }
        // Only a refusal -skipCAcheck waives is flagged untrusted, so its hint
        // is not offered for a date or a revocation it would not excuse.
        Error::InvalidCertificate(other) => {
            if let CertificateError::Other(inner) = other
                && let Some(webpki::Error::CaUsedAsEndEntity) = inner.0.downcast_ref()
            {
                problem = TlsProblem::CaAsServer;
            }
            (
                rejected_certificate(other),
                tls::is_trust_error(other),
                false,
            )
        }
        // The server refused (or required) a client certificate.
        Error::AlertReceived(
            alert @ (AlertDescription::CertificateRequired
            | AlertDescription::BadCertificate
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::AccessDenied),
        ) => {
            problem = TlsProblem::ClientCertificate;
            (
                format!(
                    "the server refused the client certificate, or requires one (TLS alert {alert:?})"
                ),
                false,
                false,
            )
        }
        // A TLS hello answered with plain text: an HTTP port.
        Error::InvalidMessage(_) | Error::InappropriateMessage { .. } => {
            return TransportError::WrongScheme {
                url,
                tls_expected: true,
            };
        }
        other => (other.to_string(), false, false),
    };
    TransportError::Tls {
        url,
        reason,
        untrusted,
        wrong_name,
        problem,
    }
}

/// Why the server's certificate was refused, as a sentence: rustls' and
/// webpki's Debug names (`NotValidYetContext { .. }`,
/// `Other(OtherError(CaUsedAsEndEntity))`) mean nothing to a user.
fn rejected_certificate(error: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    let why = match error {
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "is not valid yet (check this computer's clock, or the certificate's start date)"
        }
        C::Expired | C::ExpiredContext { .. } => "has expired",
        C::UnknownIssuer => "is not signed by a trusted authority",
        C::NotValidForName | C::NotValidForNameContext { .. } => "is not valid for this host name",
        C::Revoked => "has been revoked",
        C::BadEncoding => "is malformed",
        C::BadSignature => "has a signature that does not verify",
        C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "is signed with an algorithm this client does not support"
        }
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "is not meant for a TLS server (its extended key usage lacks server authentication)"
        }
        C::UnhandledCriticalExtension => "has a critical extension this client does not know",
        C::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(webpki::Error::CaUsedAsEndEntity) => {
                "is a CA certificate, which a server may not present as its own"
            }
            Some(webpki::Error::EndEntityUsedAsCa) => "chain uses a server certificate as a CA",
            Some(webpki::Error::CertNotValidForName(_)) => "is not valid for this host name",
            Some(webpki::Error::UnsupportedCertVersion) => {
                "has a version this client does not support"
            }
            Some(webpki::Error::InvalidCertValidity) => "has an invalid validity period",
            Some(
                webpki::Error::PathLenConstraintViolated | webpki::Error::NameConstraintViolation,
            ) => "chain breaks a constraint its CA set",
            Some(webpki::Error::RequiredEkuNotFoundContext(_)) => {
                "is not meant for a TLS server (its extended key usage lacks server authentication)"
            }
            _ => "could not be verified",
        },
        _ => "could not be verified",
    };
    format!("the server's certificate {why}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::UnixTime;
    use rustls::{CertificateError, OtherError};
    use std::sync::Arc;

    fn message(error: CertificateError) -> String {
        tls_error(
            "https://h/wsman".into(),
            &rustls::Error::InvalidCertificate(error),
        )
        .to_string()
    }

    #[test]
    fn certificate_refusals_read_as_sentences() {
        let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_000));
        for (error, expected) in [
            (
                CertificateError::NotValidYetContext {
                    time,
                    not_before: time,
                },
                "the server's certificate is not valid yet",
            ),
            (
                CertificateError::Other(OtherError(Arc::new(webpki::Error::CaUsedAsEndEntity))),
                "the server's certificate is a CA certificate, which a server may not present",
            ),
            (
                CertificateError::Revoked,
                "the server's certificate has been revoked",
            ),
            (
                CertificateError::ExpiredContext {
                    time,
                    not_after: time,
                },
                "the server's certificate has expired",
            ),
        ] {
            let untrusted = matches!(
                tls_error(
                    "https://h/wsman".into(),
                    &rustls::Error::InvalidCertificate(error.clone())
                ),
                TransportError::Tls {
                    untrusted: true,
                    ..
                }
            );
            assert_eq!(
                untrusted,
                matches!(error, CertificateError::Other(_)),
                "only the CA refusal is waived by -skipCAcheck: {error:?}"
            );
            let text = message(error);
            assert!(text.contains(expected), "{text}");
            for debug in ["{", "Context", "Other(", "CaUsedAsEndEntity", "UnixTime"] {
                assert!(!text.contains(debug), "{text}");
            }
        }
    }
}
