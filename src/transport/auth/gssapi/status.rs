//! GSS-API status codes → typed [`AuthFailure`]s with one line that says
//! what went wrong in the user's terms (which cache, which principal,
//! which service). The library's own words (`gss_display_status`) are
//! kept at the end of the line for what we do not recognise.
//!
//! Minor codes are Kerberos `com_err` values (MIT and Heimdal share the
//! KDC and AP error numbers, RFC 4120 §7.5.9, at the krb5 table's base);
//! the cache errors differ between libraries, so those are recognised by
//! the major code and the library's text.

use super::ffi::{self, Gss};
use super::{AuthError, AuthFailure, cache_name};

/// The krb5 com_err table's base (`ERROR_TABLE_BASE_krb5`).
const KRB5_BASE: i64 = -1_765_328_384;

fn krb5(code: i64) -> u32 {
    // Two's complement, as the C library returns the negative code.
    (KRB5_BASE + code) as u32
}

/// RFC 2744 routine errors.
const NO_CRED: u32 = 7;
const CREDENTIALS_EXPIRED: u32 = 11;
const BAD_NAME: u32 = 2;

/// Where the failure happened, for the message.
pub(super) enum Situation<'a> {
    /// Reading the cache, for this principal (or the default one).
    Cache(Option<&'a str>),
    /// The handshake: the cached principal and the service asked for.
    Handshake { principal: &'a str, spn: &'a str },
}

impl<'a> Situation<'a> {
    pub(super) fn cache(principal: Option<&'a str>) -> Self {
        Situation::Cache(principal)
    }
    pub(super) fn handshake(principal: &'a str, spn: &'a str) -> Self {
        Situation::Handshake { principal, spn }
    }
}

/// The ticket in the cache (of `principal`, when known) has expired.
pub(super) fn expired(principal: Option<&str>) -> AuthError {
    let whose = principal.map(|p| format!(" of {p}")).unwrap_or_default();
    AuthError::new(
        AuthFailure::TicketExpired,
        format!("the Kerberos ticket{whose} in {} has expired", cache_name()),
    )
}

/// Classifies a failed call.
pub(super) fn classify(gss: &Gss, major: u32, minor: u32, at: &Situation) -> AuthError {
    classify_text(major, minor, &gss.describe(major, minor), at)
}

/// [`classify`] on the library's words, testable without a library.
fn classify_text(major: u32, minor: u32, text: &str, at: &Situation) -> AuthError {
    let lower = text.to_ascii_lowercase();
    let routine = ffi::routine_error(major);
    let cache = cache_name();
    if minor == krb5(37) || lower.contains("clock skew") {
        return AuthError::new(
            AuthFailure::ClockSkew,
            "this computer's clock and the KDC's differ by more than the realm allows",
        );
    }
    if routine == CREDENTIALS_EXPIRED || minor == krb5(32) || lower.contains("expired") {
        let principal = match at {
            Situation::Cache(p) => *p,
            Situation::Handshake { principal, .. } => Some(*principal),
        };
        return expired(principal);
    }
    let unknown_server = minor == krb5(7)
        || lower.contains("not found in kerberos database")
        || (lower.contains("unknown") && lower.contains("server"));
    if let (true, Situation::Handshake { principal, spn }) = (unknown_server, at) {
        // A TGS request for krbtgt/SERVICE-REALM@USER-REALM that the
        // user's KDC does not know: no trust path between the realms.
        if lower.contains("krbtgt/") {
            let realm = principal.rsplit_once('@').map_or("", |(_, r)| r);
            return AuthError::new(
                AuthFailure::WrongRealm,
                format!(
                    "the ticket in {cache} is for {principal}, and the realm {realm} \
                     cannot issue tickets for {spn}'s realm ({})",
                    library_words(text)
                ),
            );
        }
        return AuthError::new(
            AuthFailure::UnknownService,
            format!("the KDC does not know the service principal {spn}"),
        );
    }
    if lower.contains("cannot find kdc") || lower.contains("cannot contact any kdc") {
        return AuthError::new(
            AuthFailure::KdcUnreachable,
            format!("no KDC could be reached: {}", library_words(text)),
        );
    }
    match at {
        Situation::Cache(Some(principal)) if routine == NO_CRED || routine == BAD_NAME => {
            AuthError::new(
                AuthFailure::NoTicket,
                format!(
                    "no Kerberos ticket for {principal} in {cache} ({})",
                    library_words(text)
                ),
            )
        }
        Situation::Cache(None) if routine == NO_CRED => AuthError::new(
            AuthFailure::NoTicket,
            format!("no Kerberos ticket in {cache} ({})", library_words(text)),
        ),
        _ => AuthError::new(AuthFailure::Other, library_words(text)),
    }
}

/// The library's text, or its absence said plainly.
fn library_words(text: &str) -> String {
    if text.is_empty() {
        "the GSSAPI library gave no reason".into()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILURE: u32 = 13 << 16;

    #[test]
    fn library_words_become_typed_failures() {
        let at = Situation::handshake("alice@CORP.EXAMPLE", "HTTP/srv.corp.example");
        let skew = classify_text(FAILURE, krb5(37), "Clock skew too great", &at);
        assert_eq!(skew.failure, AuthFailure::ClockSkew);
        let heimdal = classify_text(FAILURE, 0, "Server (HTTP/srv@X) unknown", &at);
        assert_eq!(heimdal.failure, AuthFailure::UnknownService);
        assert!(heimdal.detail.contains("HTTP/srv.corp.example"));
        let realm = classify_text(
            FAILURE,
            krb5(7),
            "Server krbtgt/SRV.EXAMPLE@CORP.EXAMPLE not found in Kerberos database",
            &at,
        );
        assert_eq!(realm.failure, AuthFailure::WrongRealm);
        assert!(
            realm.detail.contains("alice@CORP.EXAMPLE"),
            "{}",
            realm.detail
        );
        let expired = classify_text(CREDENTIALS_EXPIRED << 16, 0, "", &Situation::cache(None));
        assert_eq!(expired.failure, AuthFailure::TicketExpired);
        let none = classify_text(
            NO_CRED << 16,
            0,
            "No Kerberos credentials available",
            &Situation::cache(None),
        );
        assert_eq!(none.failure, AuthFailure::NoTicket);
        let other = classify_text(FAILURE, 0, "", &at);
        assert_eq!(other.detail, "the GSSAPI library gave no reason");
    }

    #[test]
    fn kdc_error_codes_sit_at_the_krb5_base() {
        // KRB5KRB_AP_ERR_SKEW as MIT's krb5_err.h spells it.
        assert_eq!(krb5(37) as i32, -1_765_328_347);
        assert_eq!(krb5(7), 0x96c7_3a07);
    }
}
