//! User, realm and host names as Kerberos and NTLM need them: the
//! enterprise-name fallback (`user@REALM` → `REALM\user`), the principal a
//! keytab is searched for, this machine's name for NTLM, and sspi's error
//! text trimmed to one line. No I/O but reading /etc/hostname.

/// sspi's description up to its ASN.1 dump.
pub(crate) fn short(description: &str) -> String {
    description
        .split(". Additional error")
        .next()
        .unwrap_or(description)
        .to_string()
}

/// `REALM\user` → `user@REALM` (how a keytab names the principal);
/// other forms unchanged.
pub(crate) fn principal_name(username: &str) -> String {
    match username.split_once('\\') {
        Some((realm, user)) => format!("{user}@{}", realm.to_ascii_uppercase()),
        None => username.to_string(),
    }
}

/// `user@realm` → `REALM\user`; `None` for other forms.
pub(crate) fn downlevel_name(username: &str) -> Option<String> {
    let (user, realm) = username.rsplit_once('@')?;
    if user.is_empty() || realm.is_empty() || user.contains('\\') {
        return None;
    }
    Some(format!("{}\\{user}", realm.to_ascii_uppercase()))
}

/// This machine's short name, for NTLM's workstation field.
pub(crate) fn local_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .and_then(|h| h.split('.').next().map(|s| s.trim().to_string()))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "WINRM-RS".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enterprise_names_fall_back_to_principals() {
        assert_eq!(
            downlevel_name("alice@winrm.test").as_deref(),
            Some("WINRM.TEST\\alice")
        );
        assert_eq!(downlevel_name("CORP\\alice"), None);
        assert_eq!(downlevel_name("alice"), None);
        assert_eq!(
            short("no such user. Additional error text: X"),
            "no such user"
        );
    }
}
