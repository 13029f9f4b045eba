//! Every hint: what to try next, in this command line's words (its
//! switches and verbs), keyed by the library's typed errors and by the
//! server's error numbers. The library itself says only what happened; a
//! program using it has no switches to suggest.

mod codes;

use winrm::session::ErrorKind;
use winrm::transport::auth::AuthFailure;
use winrm::transport::error::{ConnectCause, TlsProblem};
use winrm::transport::{Method, TransportError};

pub use codes::for_code;

/// The hint under every usage error that does not already name a help
/// topic.
pub const USAGE: &str = "run 'winrm help' or 'winrm help switches'";

/// The hint under a switch or argument the verb does not take.
pub const VERB_USAGE: &str = "'winrm help VERB' shows what each verb takes";

/// The warning for `--columns` names that matched no property (most
/// likely misspelt), on one line; `None` when all matched.
pub fn unmatched_columns(columns: &[String]) -> Option<String> {
    if columns.is_empty() {
        return None;
    }
    let names: Vec<String> = columns.iter().map(|c| format!("'{c}'")).collect();
    Some(format!(
        "winrm: warning: no item has the column(s) {}; property names are case-insensitive, \
         and -format:json shows them all",
        names.join(", ")
    ))
}

/// The warning when the open-file limit holds a fleet to fewer hosts at a
/// time than asked: `asked` hosts need about `needed` files, the limit
/// (which could not be raised further) is `limit`.
pub fn parallel_capped(asked: usize, running: usize, needed: u64, limit: u64) -> String {
    format!(
        "winrm: warning: {asked} hosts at a time need about {needed} open files and the \
         limit is {limit} (ulimit -Hn); running {running} at a time (raise the limit, or \
         lower --parallel)"
    )
}

/// What to try when a fleet cannot make a file for a host's output: out
/// of open files is not the folder's fault.
pub fn spool_file(error: &std::io::Error) -> &'static str {
    use rustix::io::Errno;
    match Errno::from_io_error(error) {
        Some(Errno::MFILE | Errno::NFILE) => "too many files are open; lower --parallel",
        _ => "set TMPDIR to a writable folder",
    }
}

/// The classic causes, named with our switches.
pub fn for_error(e: &winrm::Error, https: bool) -> Option<String> {
    match e.kind() {
        ErrorKind::Transport(t) => match t {
            TransportError::Connect {
                cause: ConnectCause::Refused,
                ..
            } => Some(
                if https {
                    "is an HTTPS listener configured on that port? WinRM's HTTPS port is 5986 \
                     (-usessl); plain HTTP is 5985"
                } else {
                    "is WinRM listening there? run 'winrm quickconfig' on the Windows host; \
                     for HTTPS use -usessl or -r:https://HOST:5986"
                }
                .into(),
            ),
            TransportError::UnencryptedBasic { .. } => Some(
                "use HTTPS (-usessl or -r:https://HOST:5986), or allow it explicitly with -unencrypted"
                    .into(),
            ),
            TransportError::Connect { .. } => {

                Some("check the host name in -r and that the network allows the port".into())
            }
            // Trusting its CA (--cacert) cannot help: a CA certificate is
            // refused as a server's whoever signed it.
            TransportError::Tls {
                problem: TlsProblem::CaAsServer,
                ..
            } => Some(
                "self-signed device certificates often look like this: accept it with \
                 -skipCAcheck, or give the listener a certificate its CA issued for this host"
                    .into(),
            ),
            // No switch accepts an expired certificate.
            TransportError::Tls {
                problem: TlsProblem::Expired,
                ..
            } => Some(
                "the certificate must be renewed on the server (or this computer's clock is \
                 wrong)"
                    .into(),
            ),
            TransportError::Tls {
                untrusted: true,
                wrong_name: true,
                ..
            } => Some(
                "trust the server's CA with --cacert FILE (or -skipCAcheck), and connect by a name \
                 the certificate lists (or add -skipCNcheck)"
                    .into(),
            ),
            TransportError::Tls {
                untrusted: true, ..
            } => Some(
                "trust the server's CA with --cacert FILE, or accept it anyway with -skipCAcheck"
                    .into(),
            ),
            TransportError::Tls {
                wrong_name: true, ..
            } => Some(
                "connect by a name the certificate lists, or accept the mismatch with -skipCNcheck"
                    .into(),
            ),
            TransportError::Tls {
                problem: TlsProblem::ClientCertificate,
                ..
            } => Some(
                "present a certificate the server's CA signed: -a:certificate --cert FILE --key FILE"
                    .into(),
            ),
            TransportError::Tls {
                problem: TlsProblem::PinMismatch,
                ..
            } => Some(
                "compare the fingerprints with the host's certificate (winrm/config/listener shows \
                 its CertificateThumbprint); if the certificate was renewed, pin the new one"
                    .into(),
            ),
            TransportError::WrongScheme {
                tls_expected: false,
                ..
            } => Some("try https:// or -usessl".into()),
            TransportError::WrongScheme {
                tls_expected: true, ..
            } => Some("try http:// or port 5985".into()),
            // -timeout governs the reply, not the connect (fixed at 20 s):
            // suggesting it for a host that never accepted would not help.
            TransportError::Timeout {
                stage: "connecting",
                ..
            } => Some(
                "nothing accepted the connection (the connect timeout is fixed); check the host \
                 and port in -r, and any firewall between"
                    .into(),
            ),
            TransportError::Timeout { .. } => Some(
                "the server may be slow or unreachable; raise -timeout:MS, or check -r".into(),
            ),
            TransportError::AuthRefused {
                sent_credentials: true,
                method,
                ..
            } => Some(refused(*method, https)),
            TransportError::AuthRefused { offered, .. } => Some(wants_credentials(offered)),
            TransportError::Auth { failure, .. } => auth(*failure, https),
            TransportError::TooLarge { .. } => Some(
                "the server sent more than it was allowed (--max-envelope-size); for an \
                 enumeration, ask for fewer items per reply with --max-elements"
                    .into(),
            ),
            TransportError::Proxy {
                status: Some(407), ..
            } => Some(
                "the proxy wants a login: give it in the proxy URL, \
                 -proxy:http://USER:PASSWORD@HOST:PORT (or in https_proxy/http_proxy)"
                    .into(),
            ),
            TransportError::Proxy { .. } => Some(
                "check -proxy (or https_proxy/http_proxy in the environment); hosts listed in \
                 no_proxy are reached directly, and -proxyaccess:no_proxy ignores every proxy"
                    .into(),
            ),
            TransportError::AnsweredEarly { status: 413, .. } => Some(
                "the server will not take a request this large: send less at once (a smaller \
                 -file:); a Windows host sets its limit in winrm/config MaxEnvelopeSizekb"
                    .into(),
            ),
            TransportError::AnsweredEarly { status: 401, .. } => {
                Some("check the user name and password, and the method given with -a:".into())
            }
            // Broken framing from an HTTP server: nothing on our side to
            // change, so no hint.
            TransportError::NotHttp {
                began_as_http: false,
                ..
            } => Some(
                "check that -r names a WinRM listener's port (5985 for HTTP, 5986 for HTTPS); a \
                 proxy or load balancer in between may also be at fault"
                    .into(),
            ),
            TransportError::Redirect { .. } => {
                Some("point -r at the final URL yourself if you trust it".into())
            }
            _ => None,
        },
        ErrorKind::Http { status, detail } => match status {
            500 if !https && detail.is_none() => Some(
                "a Windows service answers an empty 500 when it refuses unencrypted traffic \
                 (AllowUnencrypted=false); use HTTPS (-usessl)"
                    .into(),
            ),
            404 => Some(
                "the URL path is wrong; WinRM listens on /wsman (give the path in -r if it differs)"
                    .into(),
            ),
            415 => Some("the server does not accept SOAP here; is this a WS-Man endpoint?".into()),
            _ => None,
        },
        ErrorKind::WrongReply(_) => Some(
            "something between us and the server (a proxy or load balancer) may be mixing up replies"
                .into(),
        ),
        ErrorKind::BadReply(_) => {

            Some("is -r pointing at a WS-Management endpoint (usually /wsman)?".into())
        }
        _ => None,
    }
}

/// What to give when the server answered 401 to a run that sent no
/// credentials (no -u, no -a): Identify, which stays anonymous even when a
/// Kerberos ticket is cached (iDRAC, AMT and OMI answer it so), or a run
/// that found no valid ticket. Where the server offers Negotiate or
/// Kerberos, or says nothing of what it offers, the way to use a ticket is
/// named too.
fn wants_credentials(offered: &[String]) -> String {
    let kerberos = offered.is_empty()
        || offered
            .iter()
            .any(|s| s.eq_ignore_ascii_case("negotiate") || s.eq_ignore_ascii_case("kerberos"));
    let user = "the server wants credentials: give -u:USER (and -a: to pick a method)";
    if kerberos {
        format!("{user}, or -defaultCreds to log on with your Kerberos ticket (kinit)")
    } else {
        user.to_string()
    }
}

/// What to check when the server answered 401 to our credentials.
fn refused(method: Method, https: bool) -> String {
    match method {
        Method::Basic => "check the user name and password; Windows accepts Basic only for local \
                          accounts and only when winrm/config/service/auth Basic is true"
            .into(),
        Method::Digest => "check the user name and password (Digest is for Intel AMT; Windows \
                           does not offer it)"
            .into(),
        Method::Kerberos | Method::Negotiate if https => {
            "check the user name and password; the server also refuses a logon whose TLS \
             channel binding names another certificate than its own (TLS intercepted on the way)"
                .into()
        }
        Method::Ntlm | Method::Negotiate => "check the user name and password; local accounts \
                                             are written HOST\\user or .\\user, domain accounts \
                                             DOMAIN\\user"
            .into(),
        Method::Certificate => "the server did not map the client certificate to an account \
                                (winrm/config/service/certmapping) or Certificate auth is off"
            .into(),
        _ => "check the user name and password".into(),
    }
}

/// What to do about a failure the mechanism (or the KDC) reported.
fn auth(failure: AuthFailure, https: bool) -> Option<String> {
    Some(
        match failure {
            AuthFailure::BadCredentials => {
                "check the password (and that the account is not locked)"
            }
            AuthFailure::UnknownAccount => {
                "check the user name: user@REALM or REALM\\user, in the realm the KDC serves"
            }
            AuthFailure::UnknownService => {
                "connect by the name the server is registered under (HTTP/<that name> must exist \
                 in the realm), or name the principal with --spn; -SPNPort adds the port"
            }
            AuthFailure::ClockSkew => "set this computer's clock (NTP); Kerberos allows 5 minutes",
            AuthFailure::KdcUnreachable => {
                "check the realm's kdc entry in krb5.conf ($KRB5_CONFIG), or give --kdc HOST[:PORT]"
            }
            AuthFailure::ChannelBinding if https => {
                "the server refused the TLS channel binding: the certificate it bound to is \
                 not the one this client saw, so something may be intercepting TLS"
            }
            AuthFailure::NotOffered => "choose one of the methods the server offers with -a:",
            AuthFailure::NoTicket => {
                "run kinit user@REALM first (klist shows what the cache holds), \
                 or give -u and a password"
            }
            AuthFailure::TicketExpired => {
                "run kinit again for a fresh ticket (klist shows its expiry)"
            }
            AuthFailure::WrongRealm => {
                "kinit as a user of the server's realm (-u picks that principal's cache), \
                 or ask for a trust between the realms"
            }
            AuthFailure::NoLibrary => {
                "install the Kerberos GSSAPI library (Debian/Ubuntu: libgssapi-krb5-2, \
                 Fedora/RHEL: krb5-libs; macOS has it built in), or give -u and a password"
            }
            AuthFailure::Unsupported => {
                "the server wants a form of this method the client does not speak; choose \
                 another method the server offers with -a: ('winrm help auth' lists them)"
            }
            AuthFailure::Malformed => {
                "the server, or a proxy in between that rewrites headers, sent a broken \
                 challenge; if it persists, choose another method with -a:"
            }
            AuthFailure::Integrity => {
                "the server's authentication token did not verify: something may be tampering \
                 with the connection"
            }
            _ => return None,
        }
        .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout(stage: &'static str) -> Option<String> {
        let error = winrm::Error::from(TransportError::Timeout {
            url: "http://host:5985/wsman".into(),
            seconds: 20,
            stage,
        });
        for_error(&error, false)
    }

    #[test]
    fn an_anonymous_401_names_the_ticket_only_where_kerberos_is_offered() {
        let hint = |offered: &[&str]| {
            let error = winrm::Error::from(TransportError::AuthRefused {
                url: "http://host:5985/wsman".into(),
                offered: offered.iter().map(|s| s.to_string()).collect(),
                sent_credentials: false,
                method: Method::None,
            });
            for_error(&error, false).unwrap_or_default()
        };
        for offered in [&["Negotiate", "Kerberos"][..], &["Kerberos"], &[]] {
            let text = hint(offered);
            assert!(text.contains("give -u:USER"), "{offered:?}: {text}");
            assert!(text.contains("-defaultCreds"), "{offered:?}: {text}");
        }
        // iDRAC, AMT: a ticket cannot help there.
        for offered in [&["Basic"][..], &["Digest"]] {
            let text = hint(offered);
            assert!(text.contains("give -u:USER"), "{offered:?}: {text}");
            assert!(!text.contains("-defaultCreds"), "{offered:?}: {text}");
        }
    }

    #[test]
    fn a_connect_timeout_does_not_suggest_raising_timeout() {
        let connecting = timeout("connecting").unwrap();
        assert!(!connecting.contains("-timeout"), "{connecting}");
        assert!(connecting.contains("-r"), "{connecting}");
        let waiting = timeout("waiting for the reply").unwrap();
        assert!(waiting.contains("raise -timeout"), "{waiting}");
    }
}
