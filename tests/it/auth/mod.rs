//! Authentication against acceptors we did not write: pyspnego (NTLM,
//! Negotiate, CredSSP), MIT Kerberos (a real KDC and GSSAPI acceptor on loopback),
//! and TLS servers that demand a client certificate.

mod certificate;
mod credssp;
mod exec;
pub(crate) mod front;
mod kerberos;
mod negotiate_choice;
mod ntlm;
mod realm;
mod ticket_cache;
