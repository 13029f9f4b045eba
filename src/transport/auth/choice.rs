//! Which mechanism `-a:negotiate` runs with a password or keytab: Kerberos
//! whenever it can work, NTLM only when it cannot, decided before the
//! first token and said in `--debug`. Windows behaves the same way, and
//! NTLM is being retired, so a silent fall back to NTLM after a Kerberos
//! failure (sspi's default) would hide the real error (a wrong password,
//! a skewed clock) behind a second, confusing one.
//!
//! Kerberos can work when the host is a name (not an IP address, unless
//! `--spn` names the service), the user names a realm (`user@REALM`,
//! `REALM\user`), and the realm's KDC is known: `--kdc`, krb5.conf
//! (`$KRB5_CONFIG`), or DNS SRV records where sspi can look them up
//! (macOS). No I/O beyond reading krb5.conf.

use super::kdc::kdc_url;
use super::{AuthOptions, Proof};
use crate::transport::endpoint::is_address;

/// The mechanism inside Negotiate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// Kerberos, with no NTLM fallback.
    Kerberos,
    /// NTLM, Kerberos being impossible.
    Ntlm,
}

/// The mechanism, the KDC Kerberos will use, and why (for `--debug`).
#[derive(Debug, Clone)]
pub struct Choice {
    /// What runs.
    pub mechanism: Mechanism,
    /// The KDC found for the realm (Kerberos only).
    pub kdc: Option<url::Url>,
    /// Why, in a few words.
    pub reason: String,
}

/// The realm a user name names: `user@realm` or `REALM\user`, upper-case
/// as Kerberos realms conventionally are.
pub(crate) fn realm_of(username: &str) -> Option<String> {
    if let Some((realm, user)) = username.split_once('\\') {
        return (!realm.is_empty() && !user.is_empty() && realm != ".")
            .then(|| realm.to_ascii_uppercase());
    }
    let (user, realm) = username.rsplit_once('@')?;
    (!user.is_empty() && !realm.is_empty()).then(|| realm.to_ascii_uppercase())
}

/// Decides for `-a:negotiate` with `username` and `proof` to `host`.
pub fn negotiate(username: &str, proof: &Proof, host: &str, options: &AuthOptions) -> Choice {
    let ntlm = |reason: String| Choice {
        mechanism: Mechanism::Ntlm,
        kdc: None,
        reason,
    };
    let keytab = matches!(proof, Proof::Keytab(_));
    if options.spn.is_none() && is_address(host) && !keytab {
        return ntlm(format!(
            "NTLM, because {host} is an IP address, which names no Kerberos service \
             (connect by name, or give --spn, for Kerberos)"
        ));
    }
    let Some(realm) = realm_of(username) else {
        return ntlm(format!(
            "NTLM, because the user name {username} names no realm \
             (write user@REALM or REALM\\user for Kerberos)"
        ));
    };
    if let Some(kdc) = options.kdc.as_deref().and_then(kdc_url) {
        return Choice {
            mechanism: Mechanism::Kerberos,
            reason: format!("Kerberos, with the KDC {kdc} given by --kdc for {realm}"),
            kdc: Some(kdc),
        };
    }
    match sspi::detect_kdc_url(&realm) {
        Some(kdc) => Choice {
            mechanism: Mechanism::Kerberos,
            reason: format!(
                "Kerberos, because the KDC of {realm} is known ({kdc}, from krb5.conf or DNS)"
            ),
            kdc: Some(kdc),
        },
        // A keytab holds Kerberos keys only: Kerberos, and its own error
        // says the KDC is missing.
        None if keytab => Choice {
            mechanism: Mechanism::Kerberos,
            kdc: None,
            reason: format!("Kerberos, because a keytab holds Kerberos keys only ({realm})"),
        },
        None => ntlm(format!(
            "NTLM, because no KDC is known for the realm {realm} \
             (none in krb5.conf, --kdc or DNS)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::secret::Secret;

    #[test]
    fn realms_from_user_names() {
        assert_eq!(
            realm_of("alice@corp.example").as_deref(),
            Some("CORP.EXAMPLE")
        );
        assert_eq!(realm_of("CORP\\alice").as_deref(), Some("CORP"));
        assert_eq!(realm_of("alice"), None);
        assert_eq!(realm_of(".\\alice"), None);
    }

    #[test]
    fn ntlm_only_when_kerberos_cannot_work() {
        let password = Proof::Password(Secret::new("p"));
        let mut options = AuthOptions::default();
        let by_ip = negotiate("alice@CORP.EXAMPLE", &password, "192.0.2.7", &options);
        assert_eq!(by_ip.mechanism, Mechanism::Ntlm);
        assert!(by_ip.reason.contains("IP address"), "{}", by_ip.reason);
        let no_realm = negotiate("alice", &password, "srv.corp.example", &options);
        assert_eq!(no_realm.mechanism, Mechanism::Ntlm);
        options.kdc = Some("kdc.corp.example:88".into());
        let given = negotiate("CORP\\alice", &password, "srv.corp.example", &options);
        assert_eq!(given.mechanism, Mechanism::Kerberos);
        assert!(given.reason.contains("--kdc"), "{}", given.reason);
        options.spn = Some("HTTP/srv.corp.example".into());
        let named = negotiate("alice@corp.example", &password, "192.0.2.7", &options);
        assert_eq!(named.mechanism, Mechanism::Kerberos);
    }
}
