//! NTLM, Kerberos and Negotiate (SPNEGO) security contexts over Devolutions'
//! pure-Rust `sspi`: the handshake tokens, channel bindings, and MS-WSMV
//! sealing with the established context.
//!
//! Owns the choice of sspi package per `-a:` method, the SPN, the KDC
//! setting and the translation of sspi's errors into [`AuthFailure`]s. KDC
//! traffic goes through [`KdcClient`]; nothing here touches HTTP.

use sspi::{
    AuthIdentity, BufferType, ClientRequestFlags, CredentialUse, Credentials, DataRepresentation,
    EncryptionFlags, KdcResolution, Kerberos, KerberosConfig, Negotiate, NegotiateConfig, Ntlm,
    SecurityBuffer, SecurityBufferRef, SecurityStatus, Sspi, SspiImpl, Username,
};

use super::choice::{Choice, Mechanism};
use super::kdc::{KdcClient, kdc_option};
use super::principal::{downlevel_name, local_name, principal_name, short};
use super::{AuthError, AuthFailure, AuthOptions, Method, Proof, SecurityContext, Step};
use crate::transport::encryption::Sealer;
use crate::transport::endpoint::is_address;
use crate::transport::secret::Secret;

/// The protocol string for SPNEGO (Negotiate, NTLM) sealing.
pub const SPNEGO_PROTOCOL: &str = "application/HTTP-SPNEGO-session-encrypted";
/// The protocol string when the `Kerberos` scheme authenticated.
pub const KERBEROS_PROTOCOL: &str = "application/HTTP-Kerberos-session-encrypted";

/// The protocol a sealed message names: Kerberos's own, or SPNEGO's for
/// Negotiate and NTLM, whichever library made the context.
pub(super) fn sealing_protocol(method: Method) -> &'static str {
    if method == Method::Kerberos {
        KERBEROS_PROTOCOL
    } else {
        SPNEGO_PROTOCOL
    }
}

/// The sspi package behind a context.
enum Package {
    Ntlm(Box<Ntlm>, Option<sspi::AuthIdentityBuffers>),
    Kerberos(Box<Kerberos>, Option<sspi::CredentialsBuffers>),
    Negotiate(Box<Negotiate>, Option<sspi::CredentialsBuffers>),
    /// Before the first restart.
    Idle,
}

/// Settings needed to rebuild the context for each new connection.
struct Setup {
    method: Method,
    username: String,
    key: UserKey,
    spn: String,
    kdc: Option<url::Url>,
    computer: String,
    /// Negotiate's mechanism, decided before the first token.
    choice: Option<Choice>,
}

/// What the context proves the user's identity with.
enum UserKey {
    Password(Secret),
    /// The user's Kerberos key, read from a keytab.
    Keytab(super::keytab::KeytabKey),
}

/// A Negotiate, Kerberos or NTLM context (one per TCP connection).
pub struct SspiContext {
    setup: Setup,
    package: Package,
    kdc: KdcClient,
    binding: Option<Vec<u8>>,
    complete: bool,
    /// The user name was rewritten from `user@REALM` to `REALM\user` after
    /// the KDC did not know it as an enterprise name.
    downlevel: bool,
    /// NTLM travels under the `NTLM` scheme: the server offers that, not
    /// `Negotiate`.
    ntlm_scheme: bool,
}

impl std::fmt::Debug for SspiContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SspiContext")
            .field("method", &self.setup.method)
            .field("spn", &self.setup.spn)
            .finish_non_exhaustive()
    }
}

/// The SPN for `host` (and `port` when `-SPNPort`), unless one was given.
pub fn service_principal(host: &str, port: u16, options: &AuthOptions) -> String {
    if let Some(spn) = &options.spn {
        return spn.clone();
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if options.spn_port {
        format!("HTTP/{host}:{port}")
    } else {
        format!("HTTP/{host}")
    }
}

/// The SPN Kerberos asks its ticket for: an IP address cannot name a
/// service principal unless `--spn` does.
pub fn kerberos_service(host: &str, port: u16, options: &AuthOptions) -> Result<String, AuthError> {
    if options.spn.is_none() && is_address(host) {
        return Err(AuthError::new(
            AuthFailure::UnknownService,
            format!(
                "Kerberos needs the server's name, not the address {host}: \
                 connect by its fully qualified domain name, or name the service principal"
            ),
        ));
    }
    Ok(service_principal(host, port, options))
}

impl SspiContext {
    /// Prepares a context for `method` (Negotiate, Kerberos or NTLM) to
    /// `host`. Fails early where Kerberos cannot work (an IP address).
    pub fn new(
        method: Method,
        username: &str,
        proof: &Proof,
        host: &str,
        port: u16,
        options: &AuthOptions,
        timeout: std::time::Duration,
    ) -> Result<Self, AuthError> {
        let choice = (method == Method::Negotiate)
            .then(|| super::choice::negotiate(username, proof, host, options));
        let kerberos = choice
            .as_ref()
            .is_some_and(|c| c.mechanism == Mechanism::Kerberos);
        if method == Method::Kerberos || kerberos {
            kerberos_service(host, port, options)?;
        }
        Username::parse(username).map_err(|e| {
            AuthError::new(
                AuthFailure::Other,
                format!("the user name is not valid ({e}); write user, DOMAIN\\user or user@REALM"),
            )
        })?;
        let kdc = match choice.as_ref().and_then(|c| c.kdc.clone()) {
            Some(found) => Some(found),
            None => kdc_option(options.kdc.as_deref())?,
        };
        let key = match proof {
            Proof::Password(password) => UserKey::Password(password.clone()),
            Proof::Keytab(_) if method == Method::Ntlm => {
                return Err(AuthError::new(
                    AuthFailure::Other,
                    "a keytab holds Kerberos keys; NTLM needs the password",
                ));
            }
            Proof::TicketCache => {
                return Err(AuthError::new(
                    AuthFailure::Other,
                    "a ticket cache logs on through the system GSSAPI library, not sspi",
                ));
            }
            Proof::Keytab(path) => UserKey::Keytab(
                super::keytab::load(path, &principal_name(username))
                    .map_err(|e| AuthError::new(AuthFailure::BadCredentials, e))?,
            ),
        };
        Ok(SspiContext {
            setup: Setup {
                key,
                method,
                username: username.to_string(),
                spn: service_principal(host, port, options),
                kdc,
                computer: local_name(),
                choice,
            },
            package: Package::Idle,
            kdc: KdcClient { timeout },
            binding: None,
            complete: false,
            downlevel: false,
            ntlm_scheme: false,
        })
    }

    /// sspi's credentials: the user and password, or the keytab's key.
    fn credentials(&self) -> Result<Credentials, sspi::Error> {
        let invalid = |e: String| sspi::Error::new(sspi::ErrorKind::InvalidParameter, e);
        let key = match &self.setup.key {
            UserKey::Password(password) => {
                let username = Username::parse(&self.setup.username)
                    .map_err(|e| invalid(format!("bad user name: {e}")))?;
                return Ok(Credentials::AuthIdentity(AuthIdentity {
                    username,
                    password: password.expose().to_string().into(),
                }));
            }
            UserKey::Keytab(key) => key,
        };
        let principal = Username::parse(&downlevel_name(&key.principal).unwrap_or_default())
            .map_err(|e| sspi::Error::new(sspi::ErrorKind::InvalidParameter, e.to_string()))?;
        let enctype = picky_krb::crypto::CipherSuite::try_from(usize::from(key.enctype))
            .map_err(|e| sspi::Error::new(sspi::ErrorKind::InvalidParameter, e.to_string()))?;
        Ok(Credentials::Keytab(sspi::KeytabIdentity {
            principal,
            key: key.key.clone().into(),
            key_enctype: enctype,
        }))
    }

    fn kerberos_config(&self) -> KerberosConfig {
        KerberosConfig {
            kdc_resolution: KdcResolution::KdcUrl(self.setup.kdc.clone()),
            client_computer_name: self.setup.computer.clone(),
        }
    }

    fn build(&self) -> Result<Package, sspi::Error> {
        let data = self.credentials()?;
        Ok(match self.setup.method {
            Method::Ntlm => {
                // New refuses a keytab for NTLM, so this is the password.
                let Credentials::AuthIdentity(identity) = &data else {
                    return Err(sspi::Error::new(
                        sspi::ErrorKind::InvalidParameter,
                        "NTLM needs the password",
                    ));
                };
                let mut ntlm =
                    Ntlm::with_config(sspi::ntlm::NtlmConfig::new(self.setup.computer.clone()));
                let creds = ntlm
                    .acquire_credentials_handle()
                    .with_credential_use(CredentialUse::Outbound)
                    .with_auth_data(identity)
                    .execute(&mut ntlm)?
                    .credentials_handle;
                Package::Ntlm(Box::new(ntlm), creds)
            }
            Method::Kerberos => {
                let mut krb = Kerberos::new_client_from_config(self.kerberos_config())?;
                let creds = krb
                    .acquire_credentials_handle()
                    .with_credential_use(CredentialUse::Outbound)
                    .with_auth_data(&data)
                    .execute(&mut krb)?
                    .credentials_handle;
                Package::Kerberos(Box::new(krb), creds)
            }
            _ => {
                // Only the chosen mechanism is enabled: no silent NTLM
                // after a Kerberos failure, no Kerberos attempt that
                // cannot work.
                let packages = match self.setup.choice.as_ref().map(|c| c.mechanism) {
                    Some(Mechanism::Ntlm) => "ntlm,!kerberos",
                    _ => "kerberos,!ntlm",
                };
                let config = NegotiateConfig::new(
                    Box::new(self.kerberos_config()),
                    Some(packages.to_string()),
                    self.setup.computer.clone(),
                );
                let mut neg = Negotiate::new_client(config)?;
                let creds = neg
                    .acquire_credentials_handle()
                    .with_credential_use(CredentialUse::Outbound)
                    .with_auth_data(&data)
                    .execute(&mut neg)?
                    .credentials_handle;
                Package::Negotiate(Box::new(neg), creds)
            }
        })
    }
}

/// The flags every WinRM client asks for: sealing needs confidentiality
/// and integrity; mutual authentication proves the server.
fn flags() -> ClientRequestFlags {
    ClientRequestFlags::MUTUAL_AUTH
        | ClientRequestFlags::CONFIDENTIALITY
        | ClientRequestFlags::INTEGRITY
        | ClientRequestFlags::REPLAY_DETECT
        | ClientRequestFlags::SEQUENCE_DETECT
}

/// One `InitializeSecurityContext` call on any package.
fn init<S>(
    package: &mut S,
    creds: &mut S::CredentialsHandle,
    spn: &str,
    input: &mut [SecurityBuffer],
    kdc: &KdcClient,
) -> Result<(Vec<u8>, SecurityStatus), sspi::Error>
where
    S: Sspi + SspiImpl,
{
    let mut output = vec![SecurityBuffer::new(Vec::new(), BufferType::Token)];
    let status = {
        let mut builder = package
            .initialize_security_context()
            .with_credentials_handle(creds)
            .with_context_requirements(flags())
            .with_target_data_representation(DataRepresentation::Native)
            .with_target_name(spn)
            .with_input(input)
            .with_output(&mut output);
        package
            .initialize_security_context_impl(&mut builder)?
            .resolve_with_client(kdc)?
            .status
    };
    if matches!(
        status,
        SecurityStatus::CompleteNeeded | SecurityStatus::CompleteAndContinue
    ) {
        package.complete_auth_token(&mut output)?;
    }
    let token = output.pop().map(|b| b.buffer).unwrap_or_default();
    Ok((token, status))
}

/// SEC_CHANNEL_BINDINGS with only application data (RFC 5929 for TLS).
fn channel_bindings(application_data: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    let len = application_data.len() as u32;
    out[24..28].copy_from_slice(&len.to_le_bytes());
    out[28..32].copy_from_slice(&32u32.to_le_bytes());
    out.extend_from_slice(application_data);
    out
}

fn encrypt<S: Sspi>(package: &mut S, plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>), sspi::Error> {
    let trailer = package.query_context_sizes()?.security_trailer as usize;
    let mut token = vec![0u8; trailer];
    let mut data = plaintext.to_vec();
    let token_len = {
        let mut buffers = [
            SecurityBufferRef::token_buf(&mut token),
            SecurityBufferRef::data_buf(&mut data),
        ];
        package.encrypt_message(EncryptionFlags::empty(), &mut buffers)?;
        buffers[0].buf_len()
    };
    token.truncate(token_len);
    Ok((token, data))
}

fn decrypt<S: Sspi>(
    package: &mut S,
    signature: &[u8],
    payload: &[u8],
) -> Result<Vec<u8>, sspi::Error> {
    let mut token = signature.to_vec();
    let mut data = payload.to_vec();
    let len = {
        let mut buffers = [
            SecurityBufferRef::token_buf(&mut token),
            SecurityBufferRef::data_buf(&mut data),
        ];
        package.decrypt_message(&mut buffers)?;
        buffers[1].data().len()
    };
    data.truncate(len);
    Ok(data)
}

impl SecurityContext for SspiContext {
    fn scheme(&self) -> &'static str {
        if self.setup.method == Method::Kerberos {
            "Kerberos"
        } else if self.ntlm_scheme {
            "NTLM"
        } else {
            "Negotiate"
        }
    }

    fn describe(&self) -> String {
        let proof = match self.setup.key {
            UserKey::Password(_) => "password",
            UserKey::Keytab(_) => "keytab key",
        };
        let user = &self.setup.username;
        match (&self.setup.choice, self.setup.method) {
            (Some(choice), _) => {
                format!("auth: Negotiate chose {}; {user}'s {proof}", choice.reason)
            }
            (None, Method::Kerberos) => format!("auth: Kerberos with {user}'s {proof}"),
            _ => format!("auth: NTLM with {user}'s {proof}"),
        }
    }

    fn adapt_scheme(&mut self, offered: &[String]) -> Result<bool, AuthError> {
        if !offered.iter().any(|o| o.eq_ignore_ascii_case("NTLM")) {
            return Ok(false);
        }
        match self.setup.method {
            // The same raw NTLM tokens, under the word the server uses.
            Method::Ntlm if !self.ntlm_scheme => {
                self.ntlm_scheme = true;
                Ok(true)
            }
            // Falling back on a server's word alone would let a forged
            // challenge steer Negotiate away from Kerberos.
            Method::Negotiate => Err(AuthError::new(
                AuthFailure::NotOffered,
                format!(
                    "the server does not offer Negotiate, only NTLM on its own (it offers: {}); \
                     Negotiate does not fall back to it unasked, so ask for NTLM by name",
                    offered.join(", ")
                ),
            )),
            _ => Ok(false),
        }
    }

    fn restart(&mut self, channel_binding: Option<&[u8]>) -> Result<(), AuthError> {
        self.package = self.build().map_err(|e| self.classify(&e))?;
        self.binding = channel_binding.map(channel_bindings);
        self.complete = false;
        Ok(())
    }

    fn step(&mut self, server_token: Option<&[u8]>) -> Result<Step, AuthError> {
        if self.complete {
            // A final token after completion (a mutual-auth answer we have
            // already taken) is harmless; anything else is out of order.
            return Ok(Step {
                token: None,
                complete: true,
            });
        }
        if let Some(token) = server_token
            && (self.setup.method == Method::Ntlm
                || token.starts_with(super::ntlm_challenge::SIGNATURE))
        {
            super::ntlm_challenge::check(token).map_err(|why| {
                AuthError::new(
                    AuthFailure::Malformed,
                    format!("the server's NTLM challenge is malformed: {why}"),
                )
            })?;
        }
        let mut input = vec![SecurityBuffer::new(
            server_token.unwrap_or_default().to_vec(),
            BufferType::Token,
        )];
        if let Some(binding) = &self.binding {
            input.push(SecurityBuffer::new(
                binding.clone(),
                BufferType::ChannelBindings,
            ));
        }
        let spn = self.setup.spn.clone();
        let result = match &mut self.package {
            Package::Ntlm(p, c) => init(p.as_mut(), c, &spn, &mut input, &self.kdc),
            Package::Kerberos(p, c) => init(p.as_mut(), c, &spn, &mut input, &self.kdc),
            Package::Negotiate(p, c) => init(p.as_mut(), c, &spn, &mut input, &self.kdc),
            Package::Idle => {
                return Err(AuthError::new(
                    AuthFailure::Other,
                    "the context was not started",
                ));
            }
        };
        let (token, status) = match result.map_err(|e| self.classify(&e)) {
            Err(e) if e.failure == AuthFailure::UnknownAccount && server_token.is_none() => {
                // `user@REALM` goes to the KDC as an enterprise name, which
                // Active Directory resolves and MIT does not: ask again for
                // the plain principal `user` in `REALM`.
                let Some(downlevel) = downlevel_name(&self.setup.username) else {
                    return Err(e);
                };
                if self.downlevel {
                    return Err(e);
                }
                self.downlevel = true;
                self.setup.username = downlevel;
                self.package = self.build().map_err(|e| self.classify(&e))?;
                return self.step(None);
            }
            other => other?,
        };
        self.complete = status == SecurityStatus::Ok;
        Ok(Step {
            token: (!token.is_empty()).then_some(token),
            complete: self.complete,
        })
    }
}

impl Sealer for SspiContext {
    fn protocol(&self) -> &'static str {
        sealing_protocol(self.setup.method)
    }

    fn chunk_size(&self) -> Option<usize> {
        None
    }

    fn seal(&mut self, plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
        let result = match &mut self.package {
            Package::Ntlm(p, _) => encrypt(p.as_mut(), plaintext),
            Package::Kerberos(p, _) => encrypt(p.as_mut(), plaintext),
            Package::Negotiate(p, _) => encrypt(p.as_mut(), plaintext),
            Package::Idle => return Err("no security context".into()),
        };
        result.map_err(|e| e.description)
    }

    fn unseal(&mut self, signature: &[u8], payload: &[u8]) -> Result<Vec<u8>, String> {
        let result = match &mut self.package {
            Package::Ntlm(p, _) => decrypt(p.as_mut(), signature, payload),
            Package::Kerberos(p, _) => decrypt(p.as_mut(), signature, payload),
            Package::Negotiate(p, _) => decrypt(p.as_mut(), signature, payload),
            Package::Idle => return Err("no security context".into()),
        };
        result.map_err(|e| e.description)
    }
}

impl SspiContext {
    /// sspi's error → our class and a one-line description that says what
    /// to do. sspi's descriptions name principals and KDC error codes but
    /// never the password.
    fn classify(&self, error: &sspi::Error) -> AuthError {
        use sspi::ErrorKind as K;
        let text = error.description.to_ascii_lowercase();
        let user = &self.setup.username;
        let failure = if text.contains("preauth") || text.contains("pre-auth") {
            AuthFailure::BadCredentials
        } else if text.contains("client_not_found") || text.contains("c_principal_unknown") {
            AuthFailure::UnknownAccount
        } else if text.contains("s_principal_unknown") || text.contains("server_not_found") {
            AuthFailure::UnknownService
        } else if text.contains("skew") {
            AuthFailure::ClockSkew
        } else {
            match error.error_type {
                K::TimeSkew => AuthFailure::ClockSkew,
                K::NoAuthenticatingAuthority => AuthFailure::KdcUnreachable,
                K::LogonDenied => AuthFailure::BadCredentials,
                K::UnknownCredentials => AuthFailure::UnknownAccount,
                K::MessageAltered | K::InvalidToken | K::OutOfSequence => AuthFailure::Integrity,
                _ => AuthFailure::Other,
            }
        };
        let detail = match failure {
            AuthFailure::BadCredentials => {
                format!("the KDC refused the password of {user} (pre-authentication failed)")
            }
            AuthFailure::UnknownAccount => format!("the account {user} is not known to the KDC"),
            AuthFailure::UnknownService => format!(
                "the KDC does not know the service principal {}",
                self.setup.spn
            ),
            AuthFailure::ClockSkew => {
                "this computer's clock and the KDC's differ by more than the realm allows".into()
            }
            _ => short(&error.description),
        };
        AuthError::new(failure, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spn_forms() {
        let mut o = AuthOptions::default();
        assert_eq!(service_principal("srv.corp", 5985, &o), "HTTP/srv.corp");
        o.spn_port = true;
        assert_eq!(
            service_principal("srv.corp", 5985, &o),
            "HTTP/srv.corp:5985"
        );
        o.spn = Some("WSMAN/srv".into());
        assert_eq!(service_principal("srv.corp", 5985, &o), "WSMAN/srv");
    }

    #[test]
    fn kerberos_refuses_an_ip_address() {
        let e = SspiContext::new(
            Method::Kerberos,
            "u@R",
            &Proof::Password(Secret::new("p")),
            "192.0.2.1",
            5985,
            &AuthOptions::default(),
            std::time::Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(
            e.detail.contains("fully qualified domain name"),
            "{}",
            e.detail
        );
    }

    #[test]
    fn bindings_structure() {
        let b = channel_bindings(b"tls-server-end-point:xyz");
        assert_eq!(b.len(), 32 + 24);
        assert_eq!(&b[24..28], &24u32.to_le_bytes());
        assert_eq!(&b[28..32], &32u32.to_le_bytes());
    }
}
