//! Kerberos and SPNEGO through the system's GSS-API library, for single
//! sign-on: the ticket `kinit` left in the user's credential cache (FILE,
//! DIR, KEYRING, KCM: whatever the library reads), which the pure-Rust
//! `sspi` cannot use. Loaded at run time ([`ffi`]); when the library is
//! missing, the caller says so and how to install it.
//!
//! Owns the credential (the default cache, or the cache of the principal
//! `-u` names), the service name, the handshake with channel bindings, and
//! MS-WSMV sealing with `gss_wrap_iov` (header, data, padding): the header
//! becomes the part's signature and data plus padding its payload, as
//! Windows and pyspnego frame it. Failures become typed [`AuthFailure`]s
//! ([`status`]). No ticket, key or token is ever put in a message.

mod ffi;
mod platform;
mod status;

use super::{AuthError, AuthFailure, Method, SecurityContext, Step};
use crate::transport::encryption::Sealer;

use ffi::{Buffer, Gss};

/// Who the cached credential belongs to and how long it lasts.
#[derive(Debug, Clone)]
pub struct CachedIdentity {
    /// The principal, `user@REALM`.
    pub principal: String,
    /// Seconds the ticket-granting ticket is still valid.
    pub lifetime: u32,
    /// The library that read it.
    pub library: String,
}

/// The cache the user's environment selects, for messages.
pub fn cache_name() -> String {
    match std::env::var("KRB5CCNAME") {
        Ok(name) if !name.is_empty() => name,
        _ => "the default ticket cache".into(),
    }
}

/// The library, or the failure that says what to install.
fn gss() -> Result<&'static Gss, AuthError> {
    ffi::library().map_err(|tried| {
        AuthError::new(
            AuthFailure::NoLibrary,
            format!(
                "logging on with the Kerberos ticket cache needs the system GSSAPI library, \
                 which could not be loaded ({tried})"
            ),
        )
    })
}

/// An imported name, released on drop.
struct OwnedName(&'static Gss, ffi::Name);

impl Drop for OwnedName {
    fn drop(&mut self) {
        if !self.1.is_null() {
            let mut minor = 0;
            // SAFETY: imported by this library.
            unsafe { (self.0.release_name)(&mut minor, &mut self.1) };
        }
    }
}

fn import(gss: &'static Gss, text: &str, kind: &'static ffi::Oid) -> Result<OwnedName, AuthError> {
    let mut bytes = text.as_bytes().to_vec();
    let buffer = Buffer::of(&mut bytes);
    let mut name = std::ptr::null_mut();
    let mut minor = 0;
    // SAFETY: RFC 2744 prototype; the library copies the bytes.
    let major = unsafe { (gss.import_name)(&mut minor, &buffer, kind, &mut name) };
    if ffi::is_error(major) {
        return Err(AuthError::new(
            AuthFailure::Other,
            format!(
                "the name '{text}' is not valid: {}",
                gss.describe(major, minor)
            ),
        ));
    }
    Ok(OwnedName(gss, name))
}

/// A credential handle, released on drop.
struct OwnedCred(&'static Gss, ffi::Cred);

impl Drop for OwnedCred {
    fn drop(&mut self) {
        if !self.1.is_null() {
            let mut minor = 0;
            // SAFETY: acquired from this library.
            unsafe { (self.0.release_cred)(&mut minor, &mut self.1) };
        }
    }
}

/// What a credential offers the server, as `--debug` says it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Offer {
    /// Kerberos itself, no SPNEGO.
    Kerberos,
    /// SPNEGO restricted to Kerberos by `gss_set_neg_mechs` (MIT).
    SpnegoKerberosOnly,
    /// SPNEGO from a library with no `gss_set_neg_mechs` (Heimdal 7): it
    /// offers what it holds credentials for, which from a ticket cache is
    /// Kerberos.
    SpnegoUnrestricted,
    /// SPNEGO whose restriction the library refused, in its words: it may
    /// also offer any other mechanism it holds credentials for.
    SpnegoRestrictionFailed(String),
}

impl Offer {
    fn describe(&self) -> String {
        match self {
            Offer::Kerberos => "Kerberos".into(),
            Offer::SpnegoKerberosOnly => "Negotiate offering Kerberos only".into(),
            Offer::SpnegoUnrestricted => "Negotiate with Kerberos".into(),
            Offer::SpnegoRestrictionFailed(why) => format!(
                "Negotiate offering every mechanism the library holds credentials for \
                 (restricting it to Kerberos failed: {why})"
            ),
        }
    }
}

/// The initiator credential from the cache: the default one, or the one
/// holding `principal` (which picks that principal's cache in a DIR or
/// KCM collection). For SPNEGO it is a SPNEGO credential (Heimdal's
/// SPNEGO takes no other) that offers Kerberos only where the library
/// can say so; the [`Offer`] says what it does offer.
fn acquire(
    gss: &'static Gss,
    principal: Option<&str>,
    spnego: bool,
) -> Result<(OwnedCred, Offer), AuthError> {
    // `REALM\user` is how Windows writes `user@REALM`.
    let principal = principal.map(super::principal::principal_name);
    let principal = principal.as_deref();
    let name = principal
        .map(|p| import(gss, p, &ffi::NT_KRB5_PRINCIPAL))
        .transpose()?;
    let krb5 = ffi::OidSet {
        count: 1,
        elements: &ffi::KRB5,
    };
    let mechs = ffi::OidSet {
        count: 1,
        elements: if spnego { &ffi::SPNEGO } else { &ffi::KRB5 },
    };
    let mut cred = std::ptr::null_mut();
    let mut minor = 0;
    // SAFETY: RFC 2744 prototype; the handle is owned by OwnedCred.
    let major = unsafe {
        (gss.acquire_cred)(
            &mut minor,
            name.as_ref().map_or(std::ptr::null_mut(), |n| n.1),
            ffi::INDEFINITE,
            &mechs,
            ffi::INITIATE,
            &mut cred,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    if ffi::is_error(major) {
        return Err(status::classify(
            gss,
            major,
            minor,
            &status::Situation::cache(principal),
        ));
    }
    let cred = OwnedCred(gss, cred);
    let offer = match (spnego, gss.set_neg_mechs) {
        (false, _) => Offer::Kerberos,
        (true, None) => Offer::SpnegoUnrestricted,
        (true, Some(set_neg_mechs)) => {
            // SAFETY: RFC 4178 extension prototype (MIT); the set is copied.
            let major = unsafe { set_neg_mechs(&mut minor, cred.1, &krb5) };
            if ffi::is_error(major) {
                Offer::SpnegoRestrictionFailed(gss.describe(major, minor))
            } else {
                Offer::SpnegoKerberosOnly
            }
        }
    };
    Ok((cred, offer))
}

/// Who the credential belongs to and its remaining lifetime.
fn inquire(gss: &'static Gss, cred: &OwnedCred) -> Result<CachedIdentity, AuthError> {
    let mut name = std::ptr::null_mut();
    let mut lifetime = 0u32;
    let mut minor = 0;
    // SAFETY: RFC 2744 prototype; the name is owned by OwnedName.
    let major = unsafe {
        (gss.inquire_cred)(
            &mut minor,
            cred.1,
            &mut name,
            &mut lifetime,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    let name = OwnedName(gss, name);
    if ffi::is_error(major) {
        return Err(status::classify(
            gss,
            major,
            minor,
            &status::Situation::cache(None),
        ));
    }
    let mut text = Buffer::EMPTY;
    // SAFETY: RFC 2744 prototype; the buffer is released below.
    let major = unsafe { (gss.display_name)(&mut minor, name.1, &mut text, std::ptr::null_mut()) };
    let principal = if ffi::is_error(major) {
        String::new()
    } else {
        // SAFETY: filled by the library.
        let bytes = unsafe { text.to_vec() };
        gss.release(&mut text);
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Ok(CachedIdentity {
        principal,
        lifetime,
        library: gss.path.clone(),
    })
}

/// The cached credential for `principal` (or the default one) with a
/// ticket still valid: what `klist` would show. Fails with the reason
/// (no library, no cache, expired) otherwise.
pub fn cached_identity(principal: Option<&str>) -> Result<CachedIdentity, AuthError> {
    valid_credential(principal, false).map(|(_, _, identity)| identity)
}

/// The credential, what it offers, and who it is, when its ticket is
/// still valid.
fn valid_credential(
    principal: Option<&str>,
    spnego: bool,
) -> Result<(OwnedCred, Offer, CachedIdentity), AuthError> {
    let gss = gss()?;
    let (cred, offer) = acquire(gss, principal, spnego)?;
    let identity = inquire(gss, &cred)?;
    if identity.lifetime == 0 {
        return Err(status::expired(Some(&identity.principal)));
    }
    Ok((cred, offer, identity))
}

/// The GSS-API name of a service principal: `SERVICE/host` as a host-based
/// service (`SERVICE@host`, so the library maps the host to its realm);
/// anything else (a port, an explicit realm) as a Kerberos principal.
fn service_name(spn: &str) -> (String, &'static ffi::Oid) {
    match spn.split_once('/') {
        Some((service, host)) if !host.contains([':', '@', '/']) && !service.is_empty() => {
            (format!("{service}@{host}"), &ffi::NT_HOSTBASED_SERVICE)
        }
        _ => (spn.to_string(), &ffi::NT_KRB5_PRINCIPAL),
    }
}

/// A Kerberos or SPNEGO context through the system library, on the
/// ticket cache (one per TCP connection, like the sspi one).
pub struct GssContext {
    gss: &'static Gss,
    method: Method,
    spn: String,
    target: OwnedName,
    cred: OwnedCred,
    offer: Offer,
    identity: CachedIdentity,
    context: ffi::Ctx,
    binding: Option<Vec<u8>>,
    complete: bool,
}

// SAFETY: the handles are only used through `&mut self`, one thread at a
// time; MIT's and Heimdal's contexts and credentials are not tied to the
// thread that made them.
unsafe impl Send for GssContext {}

impl std::fmt::Debug for GssContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GssContext")
            .field("method", &self.method)
            .field("spn", &self.spn)
            .finish_non_exhaustive()
    }
}

impl GssContext {
    /// A context for `method` (Kerberos, or Negotiate offering Kerberos
    /// only) to the service `spn`, with the cached credential of
    /// `principal` (the default cache's when `None`).
    pub fn new(method: Method, principal: Option<&str>, spn: &str) -> Result<Self, AuthError> {
        let (cred, offer, identity) = valid_credential(principal, method != Method::Kerberos)?;
        let gss = cred.0;
        let (name, kind) = service_name(spn);
        let target = import(gss, &name, kind)?;
        Ok(GssContext {
            gss,
            method,
            spn: spn.to_string(),
            target,
            cred,
            offer,
            identity,
            context: std::ptr::null_mut(),
            binding: None,
            complete: false,
        })
    }

    /// Who logs on, from which cache, through which library (`--debug`).
    pub fn identity(&self) -> &CachedIdentity {
        &self.identity
    }

    fn mechanism(&self) -> &'static ffi::Oid {
        if self.method == Method::Kerberos {
            &ffi::KRB5
        } else {
            &ffi::SPNEGO
        }
    }

    fn delete(&mut self) {
        if !self.context.is_null() {
            let mut minor = 0;
            // SAFETY: the context came from gss_init_sec_context.
            unsafe {
                (self.gss.delete_sec_context)(&mut minor, &mut self.context, std::ptr::null_mut())
            };
            self.context = std::ptr::null_mut();
        }
    }
}

impl Drop for GssContext {
    fn drop(&mut self) {
        self.delete();
    }
}

impl SecurityContext for GssContext {
    fn scheme(&self) -> &'static str {
        if self.method == Method::Kerberos {
            "Kerberos"
        } else {
            "Negotiate"
        }
    }

    fn describe(&self) -> String {
        format!(
            "auth: {} for {}, with the ticket of {} from the ticket cache ({}; \
             valid {} s more), through {}",
            self.offer.describe(),
            self.spn,
            self.identity.principal,
            cache_name(),
            self.identity.lifetime,
            self.identity.library
        )
    }

    fn restart(&mut self, channel_binding: Option<&[u8]>) -> Result<(), AuthError> {
        self.delete();
        self.binding = channel_binding.map(<[u8]>::to_vec);
        self.complete = false;
        Ok(())
    }

    fn step(&mut self, server_token: Option<&[u8]>) -> Result<Step, AuthError> {
        if self.complete {
            return Ok(Step {
                token: None,
                complete: true,
            });
        }
        let mut binding_bytes = self.binding.clone();
        let bindings = binding_bytes.as_mut().map(|data| ffi::ChannelBindings {
            initiator_addrtype: 0,
            initiator_address: Buffer::EMPTY,
            acceptor_addrtype: 0,
            acceptor_address: Buffer::EMPTY,
            application_data: Buffer::of(data),
        });
        let mut input_bytes = server_token.map(<[u8]>::to_vec);
        let input = input_bytes.as_mut().map(|t| Buffer::of(t));
        let mut output = Buffer::EMPTY;
        let mut minor = 0;
        let mut flags = 0u32;
        // SAFETY: RFC 2744 prototype; every pointer outlives the call, the
        // output buffer is released below.
        let major = unsafe {
            (self.gss.init_sec_context)(
                &mut minor,
                self.cred.1,
                &mut self.context,
                self.target.1,
                self.mechanism(),
                ffi::MUTUAL_FLAG
                    | ffi::REPLAY_FLAG
                    | ffi::SEQUENCE_FLAG
                    | ffi::CONF_FLAG
                    | ffi::INTEG_FLAG,
                0,
                bindings.as_ref().map_or(std::ptr::null(), |b| b),
                input.as_ref().map_or(std::ptr::null(), |b| b),
                std::ptr::null_mut(),
                &mut output,
                &mut flags,
                std::ptr::null_mut(),
            )
        };
        // SAFETY: filled by the library (or left empty).
        let token = unsafe { output.to_vec() };
        self.gss.release(&mut output);
        if ffi::is_error(major) {
            self.delete();
            return Err(status::classify(
                self.gss,
                major,
                minor,
                &status::Situation::handshake(&self.identity.principal, &self.spn),
            ));
        }
        self.complete = major & ffi::CONTINUE_NEEDED == 0;
        if self.complete
            && flags & (ffi::CONF_FLAG | ffi::INTEG_FLAG) != ffi::CONF_FLAG | ffi::INTEG_FLAG
        {
            return Err(AuthError::new(
                AuthFailure::Integrity,
                "the Kerberos logon completed without confidentiality and integrity, \
                 which sealing needs",
            ));
        }
        Ok(Step {
            token: (!token.is_empty()).then_some(token),
            complete: self.complete,
        })
    }
}

impl GssContext {
    /// Calls `gss_wrap_iov` or `gss_wrap_iov_length` (same prototype) on
    /// the header, data and padding buffers, with confidentiality asked.
    fn wrap(
        &self,
        function: ffi::WrapIov,
        iov: &mut [ffi::IovBuffer; 3],
        confidential: &mut i32,
    ) -> Result<(), String> {
        let mut minor = 0;
        // SAFETY: RFC 4121 IOV prototype; every buffer is ours, empty or as
        // long as the library asked (the length call writes lengths only).
        let major = unsafe {
            function(
                &mut minor,
                self.context,
                1,
                0,
                confidential,
                iov.as_mut_ptr(),
                3,
            )
        };
        if ffi::is_error(major) {
            return Err(self.gss.describe(major, minor));
        }
        Ok(())
    }
}

impl Sealer for GssContext {
    fn protocol(&self) -> &'static str {
        super::negotiate::sealing_protocol(self.method)
    }

    fn chunk_size(&self) -> Option<usize> {
        None
    }

    fn seal(&mut self, plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
        if self.context.is_null() {
            return Err("no security context".into());
        }
        let mut data = plaintext.to_vec();
        let mut iov = [
            ffi::IovBuffer {
                kind: ffi::IOV_HEADER,
                buffer: Buffer::EMPTY,
            },
            ffi::IovBuffer {
                kind: ffi::IOV_DATA,
                buffer: Buffer::of(&mut data),
            },
            ffi::IovBuffer {
                kind: ffi::IOV_PADDING,
                buffer: Buffer::EMPTY,
            },
        ];
        let mut confidential = 0i32;
        // First the lengths the library wants, then the wrap itself into
        // buffers of those lengths.
        self.wrap(self.gss.wrap_iov_length, &mut iov, &mut confidential)?;
        let mut header = vec![0u8; iov[0].buffer.length];
        let mut padding = vec![0u8; iov[2].buffer.length];
        iov[0].buffer = Buffer::of(&mut header);
        iov[1].buffer = Buffer::of(&mut data);
        iov[2].buffer = Buffer::of(&mut padding);
        self.wrap(self.gss.wrap_iov, &mut iov, &mut confidential)?;
        if confidential == 0 {
            return Err("the library did not encrypt the message".into());
        }
        data.extend_from_slice(&padding);
        Ok((header, data))
    }

    fn unseal(&mut self, signature: &[u8], payload: &[u8]) -> Result<Vec<u8>, String> {
        if self.context.is_null() {
            return Err("no security context".into());
        }
        let mut header = signature.to_vec();
        let mut data = payload.to_vec();
        let mut iov = [
            ffi::IovBuffer {
                kind: ffi::IOV_HEADER,
                buffer: Buffer::of(&mut header),
            },
            ffi::IovBuffer {
                kind: ffi::IOV_DATA,
                buffer: Buffer::of(&mut data),
            },
        ];
        let mut minor = 0;
        let mut confidential = 0i32;
        let mut qop = 0u32;
        // SAFETY: RFC 4121 IOV prototype; the data is decrypted in place.
        let major = unsafe {
            (self.gss.unwrap_iov)(
                &mut minor,
                self.context,
                &mut confidential,
                &mut qop,
                iov.as_mut_ptr(),
                2,
            )
        };
        if ffi::is_error(major) {
            return Err(self.gss.describe(major, minor));
        }
        if confidential == 0 {
            return Err("the reply was signed but not encrypted".into());
        }
        let length = iov[1].buffer.length.min(data.len());
        data.truncate(length);
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_says_what_the_credential_offers() {
        assert_eq!(Offer::Kerberos.describe(), "Kerberos");
        assert_eq!(
            Offer::SpnegoKerberosOnly.describe(),
            "Negotiate offering Kerberos only"
        );
        assert_eq!(
            Offer::SpnegoUnrestricted.describe(),
            "Negotiate with Kerberos"
        );
        // A refused restriction never claims "Kerberos only".
        let failed = Offer::SpnegoRestrictionFailed("An invalid mechanism".into()).describe();
        assert!(!failed.contains("Kerberos only"), "{failed}");
        assert!(failed.contains("every mechanism"), "{failed}");
        assert!(failed.contains("An invalid mechanism"), "{failed}");
    }

    #[test]
    fn service_names() {
        let (name, kind) = service_name("HTTP/srv.corp.example");
        assert_eq!(name, "HTTP@srv.corp.example");
        assert!(std::ptr::eq(kind, &ffi::NT_HOSTBASED_SERVICE));
        let (name, kind) = service_name("HTTP/srv.corp.example:5985");
        assert_eq!(name, "HTTP/srv.corp.example:5985");
        assert!(std::ptr::eq(kind, &ffi::NT_KRB5_PRINCIPAL));
        let (name, _) = service_name("WSMAN/srv@CORP.EXAMPLE");
        assert_eq!(name, "WSMAN/srv@CORP.EXAMPLE");
    }
}
