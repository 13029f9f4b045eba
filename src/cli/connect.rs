//! A plan's connection → a ready [`Session`] for one target.
//!
//! The only place that may prompt: [`credentials`] turns the planned
//! credential source into credentials once per run (a typed password is
//! asked for on a terminal, never without one), and [`session`] builds the
//! transport and session for a target with them. Validation happened in
//! the plan; what can still fail here is local setup the transport checks
//! (CA files, certificates) and the prompt.

use std::io::IsTerminal;

use winrm::session::Session;
use winrm::transport::auth::{AuthFailure, Method};
use winrm::transport::{Credentials, HttpOptions, HttpTransport, Proof, Secret, Trace};

use super::UsageError;
use super::plan::{AuthPlan, ConnectionPlan, CredentialSource, Target};

/// The credentials the plan calls for, asking for a password on the
/// terminal when it said so. `place` names where they are for in the
/// prompt (the endpoint, or how many hosts); a fleet asks once and shares
/// the answer.
pub fn credentials(auth: &AuthPlan, place: &str) -> anyhow::Result<Option<Credentials>> {
    if let CredentialSource::TicketCache = auth.credential {
        // No user: the default cache's principal logs on.
        return Ok(Some(Credentials {
            username: auth.user.clone().unwrap_or_default(),
            proof: Proof::TicketCache,
        }));
    }
    if let CredentialSource::TicketCacheIfAny = auth.credential {
        // Only a valid ticket counts; anything else leaves the run
        // anonymous, as it was before ticket caches.
        let found = winrm::transport::auth::gssapi::cached_identity(None).is_ok();
        return Ok(found.then(|| Credentials {
            username: String::new(),
            proof: Proof::TicketCache,
        }));
    }
    let Some(user) = auth.user.clone() else {
        return Ok(None);
    };
    let proof = match &auth.credential {
        CredentialSource::Password(password) => Proof::Password(password.clone()),
        CredentialSource::Keytab(path) => Proof::Keytab(path.clone()),
        CredentialSource::Prompt => Proof::Password(prompt(&user, place, None)?),
        CredentialSource::TicketCacheOrPrompt => {
            match winrm::transport::auth::gssapi::cached_identity(Some(&user)) {
                Ok(_) => Proof::TicketCache,
                // Where tickets exist but not this one, say kinit is a way
                // out; without the library, the password is the only one.
                Err(why) if why.failure == AuthFailure::NoLibrary => {
                    Proof::Password(prompt(&user, place, None)?)
                }
                Err(why) => Proof::Password(prompt(&user, place, Some(&why.detail))?),
            }
        }
        CredentialSource::TicketCache => Proof::TicketCache,
        CredentialSource::None
        | CredentialSource::TicketCacheIfAny
        | CredentialSource::Certificate { .. } => return Ok(None),
    };
    // A server may echo the password, or the Basic header's base64 of it,
    // in a page or a reply; neither may reach the screen.
    if let Proof::Password(password) = &proof {
        winrm::terminal::conceal(password.expose());
        let basic = winrm::transport::auth::basic::authorization(&user, password);
        winrm::terminal::conceal(basic.trim_start_matches("Basic "));
    }
    Ok(Some(Credentials {
        username: user,
        proof,
    }))
}

/// Asks on the controlling terminal, as ssh and sudo do, so a run whose
/// stdin is a pipe or a file (`cmd | winrm ...`, a `while read` loop) can
/// still be prompted; with no terminal at all, never. `no_ticket` says why
/// the user's Kerberos ticket could not be used instead.
fn prompt(user: &str, place: &str, no_ticket: Option<&str>) -> anyhow::Result<Secret> {
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok();
    if !terminal && !std::io::stdin().is_terminal() {
        let ticket = match no_ticket {
            Some(why) => format!(", or kinit {user} first ({why})"),
            None => String::new(),
        };
        return Err(UsageError::new(format!(
            "no password for {user}: set WINRM_PASSWORD, use --password-file FILE, \
             or run on a terminal to be prompted{ticket}"
        ))
        .into());
    }
    let text = format!("Password for {user} at {place}: ");
    let typed = rpassword::prompt_password(text)
        .map_err(|e| UsageError::new(format!("cannot read the password from the terminal: {e}")))?;
    Ok(Secret::new(typed))
}

/// The session for `target`. With `debug`, every exchange is traced to
/// stderr.
pub fn session(
    plan: &ConnectionPlan,
    target: &Target,
    credentials: Option<Credentials>,
    debug: bool,
) -> anyhow::Result<Session> {
    let http = HttpOptions {
        endpoint: target.endpoint.clone(),
        tls: plan.tls.clone(),
        connect_timeout: plan.connect_timeout,
        reply_timeout: plan.reply_timeout,
        max_reply_bytes: plan.max_reply_bytes,
        method: method_for(plan.auth.method, credentials.as_ref()),
        credentials,
        allow_unencrypted: plan.allow_unencrypted,
        auth: plan.mechanism.clone(),
        proxy: target.proxy.clone(),
    };
    let mut transport = HttpTransport::new(http).map_err(winrm::Error::from)?;
    if debug {
        transport.set_trace(Trace::new(Box::new(std::io::stderr())));
    }
    Ok(Session::new(Box::new(transport), plan.session.clone()))
}

/// The method to log on with: the plan's, except that a run the plan left
/// without one logs on by Negotiate when a cached ticket was found for it
/// ([`CredentialSource::TicketCacheIfAny`]).
fn method_for(planned: Method, credentials: Option<&Credentials>) -> Method {
    match credentials {
        Some(c) if planned == Method::None && matches!(c.proof, Proof::TicketCache) => {
            Method::Negotiate
        }
        _ => planned,
    }
}
