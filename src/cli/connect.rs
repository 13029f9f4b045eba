//! Connection switches → a ready [`Session`]: endpoint, authentication
//! method, credentials (from the switches, the environment, a file, or a
//! prompt on a terminal; never a prompt without one), TLS and timeouts.

use std::io::IsTerminal;
use std::time::Duration;

use winrm::session::{Encoding, Session, SessionOptions};
use winrm::transport::{
    AuthOptions, Credentials, HttpOptions, HttpTransport, Method, Proxy, Secret, TlsOptions, Trace,
    proxy,
};

use super::UsageError;
use super::args::ConnectionArgs;
use super::target::endpoint_url;

/// How long to wait for a TCP and TLS connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// How much longer than the OperationTimeout to wait for a reply: the server
/// may hold a request for the whole OperationTimeout before answering.
/// Windows' client allows its NetworkDelayms (5 s) the same way.
const REPLY_MARGIN: Duration = Duration::from_secs(5);
/// The smallest MaxEnvelopeSize that still fits a fault (DSP0226 R6.2-3).
const MIN_ENVELOPE: u32 = 8192;

/// Builds the session the switches describe, and says which authentication
/// method it uses (identify without credentials asks for the
/// unauthenticated answer). With `debug`, every exchange is traced to
/// stderr.
pub fn session(args: &mut ConnectionArgs, debug: bool) -> anyhow::Result<(Session, Method)> {
    reject_windows_only(args)?;
    let url = endpoint_url(args.remote.as_deref(), args.use_ssl)?;
    let username = args
        .username
        .clone()
        .or_else(|| std::env::var("WINRM_USER").ok().filter(|u| !u.is_empty()));
    if username.as_deref().is_some_and(|u| u.trim().is_empty()) {
        return Err(UsageError::new("-u is empty; give a user name, e.g. -u:Administrator").into());
    }

    let method = match args.auth.as_deref() {
        Some(name) => Method::parse(name).ok_or_else(|| {
            let names: Vec<&str> = Method::ALL.iter().map(|(_, n)| *n).collect();
            UsageError::new(format!(
                "unknown authentication method '{name}'; choose one of: {}",
                names.join(", ")
            ))
        })?,
        // winrm.cmd's default: Kerberos in a domain, NTLM otherwise.
        None if username.is_some() => Method::Negotiate,
        None if args.cert.is_some() => Method::Certificate,
        None => Method::None,
    };
    let client_identity = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) if method == Method::Certificate => {
            Some((cert.clone(), key.clone()))
        }
        (None, None) if method == Method::Certificate => {
            return Err(UsageError::new(
                "-a:certificate needs the client certificate and its key: --cert FILE --key FILE (PEM)",
            )
            .into());
        }
        (None, None) => None,
        _ if method != Method::Certificate => {
            return Err(UsageError::new("--cert and --key go with -a:certificate").into());
        }
        _ => {
            return Err(UsageError::new(
                "-a:certificate needs both --cert FILE and --key FILE (PEM)",
            )
            .into());
        }
    };
    let credentials = match method {
        // The certificate is the credential.
        Method::Certificate => None,
        Method::None => {
            if args.username.is_some() || args.password.is_some() {
                return Err(UsageError::new(
                    "-a:none sends no credentials; drop -u/-p or choose -a:basic",
                )
                .into());
            }
            None
        }
        _ => {
            let username = username.ok_or_else(|| {
                UsageError::new(format!(
                    "-a:{} needs a user name: give -u:USER or set WINRM_USER",
                    method.name()
                ))
            })?;
            // With --keytab the key is the credential (read by the
            // transport); there is no password to ask for.
            let password = match args.keytab {
                Some(_) if matches!(method, Method::Kerberos | Method::Negotiate) => {
                    Secret::new(String::new())
                }
                Some(_) => {
                    return Err(
                        UsageError::new("--keytab goes with -a:kerberos or -a:negotiate").into(),
                    );
                }
                None => password(args, &username, &url)?,
            };
            Some(Credentials { username, password })
        }
    };

    let operation_timeout = Duration::from_millis(args.timeout.unwrap_or(60_000));
    if operation_timeout.is_zero() {
        return Err(UsageError::new("-timeout must be more than 0 milliseconds").into());
    }
    let max_envelope_size = args.max_envelope_size.unwrap_or(512_000);
    if max_envelope_size < MIN_ENVELOPE {
        return Err(UsageError::new(format!(
            "--max-envelope-size {max_envelope_size} is too small; servers need at least {MIN_ENVELOPE} bytes"
        ))
        .into());
    }
    let encoding = match args
        .encoding
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("utf-8" | "utf8") => Encoding::Utf8,
        Some("utf-16" | "utf16") => Encoding::Utf16,
        Some(other) => {
            return Err(UsageError::new(format!(
                "unknown encoding '{other}'; choose utf-8 or utf-16"
            ))
            .into());
        }
    };
    let options = SessionOptions {
        max_envelope_size,
        operation_timeout,
        locale: Some(args.locale.clone().unwrap_or_else(|| "en-US".into())),
        data_locale: args.data_locale.clone(),
        encoding,
    };
    let proxy = proxy_for(args, &url)?;
    let http = HttpOptions {
        url,
        tls: TlsOptions {
            skip_ca_check: args.skip_ca_check,
            skip_cn_check: args.skip_cn_check,
            ca_file: args.cacert.clone(),
            client_identity,
        },
        connect_timeout: CONNECT_TIMEOUT,
        reply_timeout: operation_timeout + REPLY_MARGIN,
        // UTF-16 doubles the bytes of an envelope; leave room for servers
        // that overshoot a little. Anything bigger is refused unread.
        max_reply_bytes: u64::from(max_envelope_size) * 4 + 65_536,
        method,
        credentials,
        allow_unencrypted: args.unencrypted,
        auth: AuthOptions {
            kdc: args.kdc.clone(),
            spn: args.spn.clone(),
            spn_port: args.spn_port,
            keytab: args.keytab.clone(),
            no_channel_binding: args.no_channel_binding,
        },
        proxy,
    };
    let mut transport = HttpTransport::new(http).map_err(winrm::Error::from)?;
    if debug {
        transport.set_trace(Trace::new(Box::new(std::io::stderr())));
    }

    Ok((Session::new(Box::new(transport), options), method))
}

fn reject_windows_only(args: &ConnectionArgs) -> Result<(), UsageError> {
    if args.certificate.is_some() {
        return Err(UsageError::new(
            "-certificate takes a Windows certificate-store thumbprint, which does not exist here; \
             client certificates (-a:certificate with PEM files) are coming",
        ));
    }
    if args.default_creds {
        return Err(UsageError::new(
            "-defaultCreds uses the Windows logon session, which does not exist here; give -u and a password",
        ));
    }
    if args.proxy_auth.is_some() || args.proxy_username.is_some() || args.proxy_password.is_some() {
        return Err(UsageError::new(
            "give the proxy's user and password in its URL instead: \
             -proxy:http://USER:PASSWORD@HOST:PORT, or https_proxy/http_proxy in the environment \
             (see 'winrm help remoting')",
        ));
    }
    Ok(())
}

/// The proxy to go through: none with -proxyaccess:no_proxy; else
/// -proxy, or the environment's (see [`proxy::select`]).
fn proxy_for(args: &ConnectionArgs, url: &str) -> anyhow::Result<Option<Proxy>> {
    match args.proxy_access.as_deref() {
        Some(access) if access.eq_ignore_ascii_case("no_proxy") => {
            if args.proxy.is_some() {
                return Err(UsageError::new(
                    "-proxyaccess:no_proxy and -proxy contradict each other; give one",
                )
                .into());
            }
            return Ok(None);
        }
        Some(access) => {
            return Err(UsageError::new(format!(
                "-proxyaccess:{access} reads Windows proxy settings, which do not exist here; \
                 give -proxy:URL or set https_proxy/http_proxy (or -proxyaccess:no_proxy)"
            ))
            .into());
        }
        None => {}
    }
    proxy::select(args.proxy.as_deref(), url, |name| std::env::var(name).ok())
        .map_err(|e| UsageError::new(e.to_string()).into())
}

/// The password: -p, then --password-file (explicit switches win), then
/// $WINRM_PASSWORD, then a prompt if there is a terminal.
fn password(args: &mut ConnectionArgs, username: &str, url: &str) -> anyhow::Result<Secret> {
    // Moved, not copied, so the one copy is zeroed when the Secret drops.
    if let Some(p) = args.password.take() {
        return Ok(Secret::new(p));
    }

    if let Some(path) = &args.password_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            UsageError::new(format!(
                "cannot read the password file {}: {e}",
                path.display()
            ))
        })?;
        let first = text.lines().next().unwrap_or("");
        if first.is_empty() {
            return Err(UsageError::new(format!(
                "the password file {} is empty; put the password on its first line",
                path.display()
            ))
            .into());
        }
        return Ok(Secret::new(first.to_string()));
    }
    // An empty variable counts as unset, as for WINRM_USER.
    if let Some(p) = std::env::var("WINRM_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Ok(Secret::new(p));
    }
    if std::io::stdin().is_terminal() {
        let prompt = format!("Password for {username} at {url}: ");
        let typed = rpassword::prompt_password(prompt).map_err(|e| {
            UsageError::new(format!("cannot read the password from the terminal: {e}"))
        })?;
        return Ok(Secret::new(typed));
    }
    Err(UsageError::new(format!(
        "no password for {username}: set WINRM_PASSWORD, use --password-file FILE, \
         or run on a terminal to be prompted"
    ))
    .into())
}
