//! Authentication schemes, as the HTTP layer applies them.
//!
//! The session asks for a [`Method`] and supplies [`Credentials`]; only this
//! module turns them into `Authorization` headers. Today: none and Basic.
//! Negotiate, Kerberos, NTLM, CredSSP, Digest and client certificates will
//! plug in here behind the same interface, so the session and protocol
//! layers never learn which mechanism is in use.

pub mod basic;

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

    /// Whether this client can use the method yet.
    pub fn is_supported(self) -> bool {
        matches!(self, Method::None | Method::Basic)
    }
}

/// A user name and password.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// `user`, `DOMAIN\user` or `user@REALM`.
    pub username: String,
    /// The password.
    pub password: Secret,
}
