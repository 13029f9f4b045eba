//! Authentication schemes, as the HTTP layer applies them.
//!
//! The session asks for a [`Method`] and supplies [`Credentials`]; only this
//! module turns them into `Authorization` headers and security contexts.
//! Stateless schemes (Basic, the certificate header, Digest) produce a
//! header per request; connection-bound mechanisms (NTLM, Kerberos,
//! Negotiate) implement [`SecurityContext`], which the HTTP layer drives
//! through a handshake and then uses to seal messages. The session and
//! protocol layers never learn which mechanism is in use.

pub mod basic;
pub mod choice;
pub mod credssp;
mod credssp_tls;
pub mod digest;
#[allow(unsafe_code)] // the C calls into the system GSSAPI library
pub mod gssapi;
pub mod kdc;
pub mod keytab;
pub mod negotiate;
pub(crate) mod ntlm_challenge;
mod principal;

use std::path::PathBuf;

use super::encryption::Sealer;
use super::secret::Secret;

/// The authentication scheme winrm.cmd's `-a:` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// No credentials (`-a:none`).
    None,
    /// HTTP Basic.
    Basic,
    /// Digest (Intel AMT).
    Digest,
    /// SPNEGO: Kerberos, else NTLM.
    Negotiate,
    /// Raw Kerberos.
    Kerberos,
    /// NTLM inside Negotiate.
    Ntlm,
    /// CredSSP.
    CredSsp,
    /// TLS client certificate.
    Certificate,
}

impl Method {
    /// Every method with its `-a:` spelling.
    pub const ALL: [(Method, &'static str); 8] = [
        (Method::None, "none"),
        (Method::Basic, "basic"),
        (Method::Digest, "digest"),
        (Method::Negotiate, "negotiate"),
        (Method::Kerberos, "kerberos"),
        (Method::Ntlm, "ntlm"),
        (Method::CredSsp, "credssp"),
        (Method::Certificate, "certificate"),
    ];

    /// Parses an `-a:` value, case-insensitively.
    pub fn parse(text: &str) -> Option<Method> {
        Method::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(text.trim()))
            .map(|(m, _)| *m)
    }

    /// The `-a:` spelling.
    pub fn name(self) -> &'static str {
        Method::ALL
            .iter()
            .find(|(m, _)| *m == self)
            .map_or("none", |(_, n)| n)
    }

    /// Whether the method is a connection-bound security context that can
    /// seal messages over plain HTTP.
    pub fn seals(self) -> bool {
        matches!(
            self,
            Method::Negotiate | Method::Kerberos | Method::Ntlm | Method::CredSsp
        )
    }
}

/// A user and what proves who they are.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// `user`, `DOMAIN\user` or `user@REALM`; empty with a ticket cache
    /// when no user was named (the default cache's principal logs on).
    pub username: String,
    /// The password, or where the user's key is.
    pub proof: Proof,
}

/// What proves the user's identity.
#[derive(Debug, Clone)]
pub enum Proof {
    /// A password (every method can use one).
    Password(Secret),
    /// A keytab file holding the user's Kerberos key (Kerberos and
    /// Negotiate only; no password exists).
    Keytab(PathBuf),
    /// The ticket `kinit` left in the user's credential cache (Kerberos
    /// and Negotiate only, through the system GSSAPI library): the
    /// default cache, or the one holding the user's principal when a
    /// user is named.
    TicketCache,
}

impl Credentials {
    /// A user with a password.
    pub fn with_password(username: impl Into<String>, password: Secret) -> Self {
        Credentials {
            username: username.into(),
            proof: Proof::Password(password),
        }
    }

    /// The password, when that is the proof.
    pub fn password(&self) -> Option<&Secret> {
        match &self.proof {
            Proof::Password(p) => Some(p),
            Proof::Keytab(_) | Proof::TicketCache => None,
        }
    }
}

/// Mechanism settings beyond the user and password.
#[derive(Debug, Clone, Default)]
pub struct AuthOptions {
    /// The KDC (`host` or `host:port`), instead of krb5.conf's.
    pub kdc: Option<String>,
    /// The service principal name, instead of `HTTP/<host>`.
    pub spn: Option<String>,
    /// Add the port to the default SPN (`HTTP/<host>:<port>`, `-SPNPort`).
    pub spn_port: bool,
    /// Send no TLS channel binding over HTTPS (for acceptors that refuse
    /// any).
    pub no_channel_binding: bool,
}

/// Why authentication failed, classified so the CLI can say what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// The server (or KDC) refused the user name or password.
    BadCredentials,
    /// The KDC does not know the account.
    UnknownAccount,
    /// The KDC does not know the service principal (wrong host name).
    UnknownService,
    /// Client and KDC clocks differ too much.
    ClockSkew,
    /// No KDC could be reached or found.
    KdcUnreachable,
    /// The server did not accept the channel binding.
    ChannelBinding,
    /// The server does not offer the mechanism asked for.
    NotOffered,
    /// The server's tokens or sealed replies did not verify.
    Integrity,
    /// The ticket cache is missing or empty, or holds no ticket for the
    /// user asked for.
    NoTicket,
    /// The cached ticket has expired.
    TicketExpired,
    /// The cached ticket is for a realm with no trust path to the
    /// service's.
    WrongRealm,
    /// The system GSSAPI library, needed for the ticket cache, is not
    /// installed.
    NoLibrary,
    /// The server's challenge is malformed (cut short, a bad signature,
    /// fields out of range, missing what the scheme requires).
    Malformed,
    /// The server asks for a variant of the method this client does not
    /// implement (a Digest algorithm other than MD5, `qop=auth-int` only).
    Unsupported,
    /// Anything else the mechanism reported.
    Other,
}

/// A mechanism-level failure: the class and a one-line description free of
/// secrets.
#[derive(Debug, Clone)]
pub struct AuthError {
    /// What kind of failure.
    pub failure: AuthFailure,
    /// What happened, in a few words.
    pub detail: String,
}

impl AuthError {
    /// A failure of the given class.
    pub fn new(failure: AuthFailure, detail: impl Into<String>) -> Self {
        AuthError {
            failure,
            detail: detail.into(),
        }
    }
}

/// One step of a handshake.
#[derive(Debug)]
pub struct Step {
    /// The token to send in `Authorization: <scheme> <base64>`, if any.
    pub token: Option<Vec<u8>>,
    /// The context is established: no more tokens are expected.
    pub complete: bool,
}

/// A connection-bound security context (NTLM, Kerberos, Negotiate,
/// CredSSP): a handshake on one TCP connection, then sealing.
pub trait SecurityContext: Sealer + Send {
    /// The word in `Authorization:` and `WWW-Authenticate:` headers
    /// (`Negotiate`, `Kerberos`, `CredSSP`).
    fn scheme(&self) -> &'static str;
    /// Whether the handshake binds itself to the HTTPS channel with
    /// RFC 5929's `tls-server-end-point` (CredSSP binds to its own inner
    /// TLS session instead).
    fn wants_channel_binding(&self) -> bool {
        true
    }
    /// Which mechanism this context runs and why it was chosen, for the
    /// `--debug` trace (no secrets).
    fn describe(&self) -> String {
        String::new()
    }
    /// The server offers none of [`SecurityContext::scheme`]'s word (it
    /// lists `offered`). True when the context speaks the same mechanism
    /// under a word offered there and has switched to it for the next
    /// handshake (raw NTLM as `NTLM` rather than `Negotiate`); an error
    /// when it must not.
    fn adapt_scheme(&mut self, _offered: &[String]) -> Result<bool, AuthError> {
        Ok(false)
    }
    /// Forgets any state and prepares a new handshake, bound to the TLS
    /// channel when `channel_binding` holds its application data
    /// (`tls-server-end-point:` + hash).
    fn restart(&mut self, channel_binding: Option<&[u8]>) -> Result<(), AuthError>;
    /// Takes the server's token (`None` to start) and returns the next step.
    fn step(&mut self, server_token: Option<&[u8]>) -> Result<Step, AuthError>;
}
