//! CredSSP (MS-CSSP) as WinRM speaks it: a TLS session run inside
//! `Authorization: CredSSP` headers, SPNEGO (NTLM or Kerberos) carried in
//! TSRequest messages through that session, the server's public-key echo
//! verified, and the user's credentials delegated; afterwards the same TLS
//! session seals messages (MS-WSMV `application/HTTP-CredSSP-session-encrypted`).
//!
//! sspi's [`CredSspClient`] builds and checks the TSRequests (including
//! pubKeyAuth); [`MemoryTls`] carries them. Owns the order of the legs and
//! the translation of failures into [`AuthFailure`]s; nothing here touches
//! HTTP.

use sspi::credssp::{ClientMode, ClientState, CredSspClient, CredSspMode, TsRequest};
use sspi::ntlm::NtlmConfig;
use sspi::{AuthIdentity, KdcResolution, KerberosConfig, NegotiateConfig, Username};

use super::credssp_tls::{self, MemoryTls};
use super::kdc::{KdcClient, kdc_option};
use super::negotiate::service_principal;
use super::principal::{local_name, short};
use super::{AuthError, AuthFailure, AuthOptions, Proof, SecurityContext, Step};
use crate::transport::encryption::{CREDSSP_CHUNK, Sealer};
use crate::transport::secret::Secret;

/// The protocol string for CredSSP sealing.
pub const CREDSSP_PROTOCOL: &str = "application/HTTP-CredSSP-session-encrypted";

/// Where a handshake stands.
enum Phase {
    /// Before the first restart.
    Idle,
    /// TLS records are being exchanged.
    Tls,
    /// TSRequests are being exchanged through the TLS session.
    Exchange(Box<CredSspClient>),
    /// The credentials went out; the session seals from now on.
    Done,
}

/// A CredSSP context (one per TCP connection).
pub struct CredSspContext {
    username: String,
    password: Secret,
    spn: String,
    host: String,
    kdc_url: Option<url::Url>,
    computer: String,
    kdc: KdcClient,
    config: std::sync::Arc<rustls::ClientConfig>,
    tls: Option<MemoryTls>,
    phase: Phase,
}

impl std::fmt::Debug for CredSspContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredSspContext")
            .field("spn", &self.spn)
            .finish_non_exhaustive()
    }
}

fn other(detail: impl Into<String>) -> AuthError {
    AuthError::new(AuthFailure::Other, detail)
}

impl CredSspContext {
    /// Prepares a context to `host`; nothing is sent yet.
    pub fn new(
        username: &str,
        proof: &Proof,
        host: &str,
        port: u16,
        options: &AuthOptions,
        timeout: std::time::Duration,
    ) -> Result<Self, AuthError> {
        Username::parse(username).map_err(|e| {
            other(format!(
                "the user name is not valid ({e}); write user, DOMAIN\\user or user@REALM"
            ))
        })?;
        let Proof::Password(password) = proof else {
            return Err(other(
                "CredSSP delegates a password, so a keytab does not apply",
            ));
        };
        let password = password.clone();
        let kdc_url = kdc_option(options.kdc.as_deref())?;
        Ok(CredSspContext {
            username: username.to_string(),
            password,
            spn: service_principal(host, port, options),
            host: host.to_string(),
            kdc_url,
            computer: local_name(),
            kdc: KdcClient { timeout },
            config: credssp_tls::config().map_err(other)?,
            tls: None,
            phase: Phase::Idle,
        })
    }

    fn tls(&mut self) -> Result<&mut MemoryTls, AuthError> {
        self.tls
            .as_mut()
            .ok_or_else(|| other("the CredSSP context was not started"))
    }

    /// The TLS handshake is over: build the CredSSP client bound to the
    /// server's public key.
    fn start_exchange(&mut self) -> Result<Box<CredSspClient>, AuthError> {
        let cert = self
            .tls()?
            .peer_certificate()
            .ok_or_else(|| integrity("the server showed no certificate inside CredSSP"))?;
        let public_key = credssp_tls::subject_public_key(&cert)
            .ok_or_else(|| integrity("the server's CredSSP certificate could not be read"))?;
        let username =
            Username::parse(&self.username).map_err(|e| other(format!("bad user name: {e}")))?;
        let identity = AuthIdentity {
            username,
            password: self.password.expose().to_string().into(),
        };
        // NTLM unless a KDC is named (--kdc) or sspi finds one for the
        // user's realm: then Kerberos, still inside SPNEGO.
        let protocol: Box<dyn sspi::negotiate::ProtocolConfig> = match &self.kdc_url {
            Some(url) => Box::new(KerberosConfig {
                kdc_resolution: KdcResolution::KdcUrl(Some(url.clone())),
                client_computer_name: self.computer.clone(),
            }),
            None => Box::new(NtlmConfig::new(self.computer.clone())),
        };
        let mode =
            ClientMode::Negotiate(NegotiateConfig::new(protocol, None, self.computer.clone()));
        CredSspClient::new(
            public_key,
            sspi::Credentials::AuthIdentity(identity),
            CredSspMode::WithCredentials,
            mode,
            self.spn.clone(),
        )
        .map(Box::new)
        .map_err(|e| classify(&e))
    }

    /// Runs one TSRequest through the client and seals its answer.
    fn exchange(
        &mut self,
        mut client: Box<CredSspClient>,
        request: TsRequest,
    ) -> Result<Step, AuthError> {
        let state = client
            .process(request)
            .resolve_with_client(&self.kdc)
            .map_err(|e| classify(&e))?;
        let (answer, last) = match state {
            ClientState::ReplyNeeded(ts) => (ts, false),
            ClientState::FinalMessage(ts) => (ts, true),
        };
        let mut bytes = Vec::new();
        answer
            .encode_ts_request(&mut bytes)
            .map_err(|e| other(format!("a TSRequest could not be encoded: {e}")))?;
        let token = self.tls()?.seal(&bytes).map_err(other)?;
        self.phase = if last {
            Phase::Done
        } else {
            Phase::Exchange(client)
        };
        Ok(Step {
            token: Some(token),
            complete: last,
        })
    }
}

fn integrity(detail: impl Into<String>) -> AuthError {
    AuthError::new(AuthFailure::Integrity, detail)
}

/// sspi's error → our class and a one-line description. A TSRequest with
/// an NTSTATUS is the server's verdict on the inner authentication.
fn classify(error: &sspi::Error) -> AuthError {
    use sspi::ErrorKind as K;
    if let Some(status) = error.nstatus {
        // STATUS_LOGON_FAILURE, STATUS_WRONG_PASSWORD, STATUS_NO_SUCH_USER,
        // STATUS_ACCOUNT_DISABLED, STATUS_ACCOUNT_LOCKED_OUT...
        let name = status.name().unwrap_or("an NTSTATUS");
        return AuthError::new(
            AuthFailure::BadCredentials,
            format!(
                "the server refused the user name or password inside CredSSP ({name}, 0x{:08X})",
                status.0
            ),
        );
    }
    let failure = match error.error_type {
        K::LogonDenied => AuthFailure::BadCredentials,
        K::TimeSkew => AuthFailure::ClockSkew,
        K::NoAuthenticatingAuthority => AuthFailure::KdcUnreachable,
        K::MessageAltered | K::InvalidToken | K::OutOfSequence => AuthFailure::Integrity,
        _ => AuthFailure::Other,
    };
    AuthError::new(failure, format!("CredSSP: {}", short(&error.description)))
}

impl SecurityContext for CredSspContext {
    fn scheme(&self) -> &'static str {
        "CredSSP"
    }

    fn wants_channel_binding(&self) -> bool {
        // The public-key echo binds CredSSP to its own TLS session.
        false
    }

    fn restart(&mut self, _channel_binding: Option<&[u8]>) -> Result<(), AuthError> {
        self.tls = Some(MemoryTls::new(self.config.clone(), &self.host).map_err(other)?);
        self.phase = Phase::Tls;
        Ok(())
    }

    fn step(&mut self, server_token: Option<&[u8]>) -> Result<Step, AuthError> {
        match std::mem::replace(&mut self.phase, Phase::Idle) {
            Phase::Idle => Err(other("the CredSSP context was not started")),
            Phase::Done => {
                self.phase = Phase::Done;
                Ok(Step {
                    token: None,
                    complete: true,
                })
            }
            Phase::Tls => {
                let tls = self.tls()?;
                if let Some(token) = server_token {
                    let early = tls.feed(token).map_err(|e| {
                        integrity(format!("the TLS handshake inside CredSSP failed: {e}"))
                    })?;
                    if !early.is_empty() {
                        return Err(integrity(
                            "the server sent data before the CredSSP TLS handshake ended",
                        ));
                    }
                }
                let out = tls.drain().map_err(other)?;
                if !out.is_empty() {
                    self.phase = Phase::Tls;
                    return Ok(Step {
                        token: Some(out),
                        complete: false,
                    });
                }
                if tls.handshaking() {
                    return Err(integrity(
                        "the server's TLS handshake inside CredSSP stalled",
                    ));
                }
                let client = self.start_exchange()?;
                self.exchange(client, TsRequest::default())
            }
            Phase::Exchange(client) => {
                let token = server_token
                    .ok_or_else(|| integrity("the server sent no CredSSP token to answer"))?;
                let plain = self
                    .tls()?
                    .feed(token)
                    .map_err(|e| integrity(format!("a CredSSP message did not decrypt: {e}")))?;
                let request = TsRequest::from_buffer(&plain)
                    .map_err(|e| integrity(format!("the server's TSRequest is malformed: {e}")))?;
                self.exchange(client, request)
            }
        }
    }
}

impl Sealer for CredSspContext {
    fn protocol(&self) -> &'static str {
        CREDSSP_PROTOCOL
    }

    fn chunk_size(&self) -> Option<usize> {
        Some(CREDSSP_CHUNK)
    }

    fn seal(&mut self, plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
        let tls = self.tls.as_mut().ok_or("no security context")?;
        tls.seal_part(plaintext)
    }

    fn unseal(&mut self, signature: &[u8], payload: &[u8]) -> Result<Vec<u8>, String> {
        let tls = self.tls.as_mut().ok_or("no security context")?;
        tls.open_part(signature, payload)
    }
}
