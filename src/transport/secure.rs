//! Connection-bound authentication as the HTTP layer runs it: the
//! handshake (started with the first request, never waiting for a 401
//! challenge, since OMI sends none), sealing over plain HTTP, channel
//! binding over HTTPS, and the one re-authentication a run allows when the
//! server forgets the context (401 mid-run) or drops the connection.
//!
//! Owns the rule that a handshake's legs all travel on one TCP connection,
//! and that only a request marked repeatable is resent after a broken
//! connection (a 401 means the server did not process it, so that one is
//! always resent). Mechanisms come in as [`SecurityContext`]s; nothing here
//! knows NTLM from Kerberos.

use base64::Engine as _;

use super::auth::credssp::CredSspContext;
use super::auth::gssapi::GssContext;
use super::auth::negotiate::{SspiContext, kerberos_service};
use super::auth::{AuthError, AuthFailure, Method, Proof, SecurityContext};
use super::connection::{channel_binding, probe_certificate};
use super::encryption;
use super::{HttpOptions, HttpTransport, Leg, Reply, Request, TransportError};

/// The most legs a handshake may take (NTLM: 2, Kerberos: 1 or 2,
/// SPNEGO with mechListMIC: 3, CredSSP: 2 or 3 of TLS, then 3 or more of
/// TSRequests).
const MAX_LEGS: usize = 12;

/// The state of connection-bound authentication for one transport.
pub(crate) struct Secure {
    context: Box<dyn SecurityContext>,
    /// The connection the context was established on.
    established: Option<u64>,
    /// Seal messages (plain HTTP, unless `-unencrypted`).
    seal: bool,
    https: bool,
    host: String,
    port: u16,
    /// Handshakes done so far (tests and `--debug` can read it).
    pub handshakes: u32,
}

/// A mechanism failure during the handshake (sealing failures are
/// [`TransportError::Sealing`], made where messages are sealed).
fn auth_error(url: &str, e: AuthError) -> TransportError {
    TransportError::Auth {
        url: url.to_string(),
        failure: e.failure,
        reason: e.detail,
    }
}

impl Secure {
    /// Prepares the context for `options.method`; nothing is sent yet.
    pub fn new(options: &HttpOptions, https: bool) -> Result<Self, TransportError> {
        let credentials = options.credentials.as_ref().ok_or_else(|| {
            TransportError::Config(format!(
                "{} authentication needs a user name and password",
                options.method.name()
            ))
        })?;
        // The service principal is HTTP/host (IPv6 in brackets, as before).
        let endpoint = &options.endpoint;
        let host = if endpoint.host().contains(':') {
            format!("[{}]", endpoint.host())
        } else {
            endpoint.host().to_string()
        };
        let port = endpoint.port();
        let context: Box<dyn SecurityContext> = match options.method {
            Method::Negotiate | Method::Kerberos
                if matches!(credentials.proof, Proof::TicketCache) =>
            {
                let spn = kerberos_service(&host, port, &options.auth)
                    .map_err(|e| auth_error(endpoint.url(), e))?;
                let principal = Some(credentials.username.as_str()).filter(|u| !u.is_empty());
                Box::new(
                    GssContext::new(options.method, principal, &spn)
                        .map_err(|e| auth_error(endpoint.url(), e))?,
                )
            }
            Method::Negotiate | Method::Kerberos | Method::Ntlm => Box::new(
                SspiContext::new(
                    options.method,
                    &credentials.username,
                    &credentials.proof,
                    &host,
                    port,
                    &options.auth,
                    options.connect_timeout,
                )
                .map_err(|e| auth_error(endpoint.url(), e))?,
            ),
            Method::CredSsp => Box::new(
                CredSspContext::new(
                    &credentials.username,
                    &credentials.proof,
                    &host,
                    port,
                    &options.auth,
                    options.connect_timeout,
                )
                .map_err(|e| auth_error(endpoint.url(), e))?,
            ),
            other => {
                return Err(TransportError::Config(format!(
                    "{} is not a connection-bound method",
                    other.name()
                )));
            }
        };
        Ok(Secure {
            context,
            established: None,
            seal: !https && !options.allow_unencrypted,
            https,
            host,
            port,
            handshakes: 0,
        })
    }
}

/// Why one attempt failed.
enum Failure {
    /// The server answered 401: it did not process the request.
    Unauthorized(Leg),
    /// The connection broke: the server may or may not have processed it.
    Broken(TransportError),
    /// Anything else: report it.
    Fatal(TransportError),
}

/// Sends `request` over an authenticated (and, on HTTP, sealed) connection.
pub(crate) fn send(t: &mut HttpTransport, request: &Request) -> Result<Reply, TransportError> {
    let mut retried = false;
    loop {
        let fresh = secure(t).established.is_none();
        if fresh && let Outcome::Answered(leg) = handshake_with_retry(t)? {
            return t.finish(leg, true);
        }
        match attempt(t, request) {
            Ok(reply) => return Ok(reply),
            // A handshake just made, refused at once: the credentials (or
            // the channel binding) are not accepted; do not loop.
            Err(Failure::Unauthorized(leg)) if fresh || retried => {
                return Err(t
                    .finish(leg, true)
                    .err()
                    .unwrap_or_else(|| TransportError::Config("401 without an error".into())));
            }
            Err(Failure::Unauthorized(_)) => {}
            Err(Failure::Broken(e)) if retried || !request.repeatable => return Err(e),
            Err(Failure::Broken(_)) => {}
            Err(Failure::Fatal(e)) => return Err(e),
        }
        // The server forgot our context or dropped the connection:
        // authenticate again, once, and resend.
        retried = true;
        secure(t).established = None;
    }
}

fn secure(t: &mut HttpTransport) -> &mut Secure {
    // send() is only called when the transport has a Secure.
    t.secure.as_mut().expect("secure transport")
}

fn is_broken(e: &TransportError) -> bool {
    matches!(
        e,
        TransportError::Io { .. } | TransportError::NoReply { .. }
    )
}

/// A handshake, retried once when its legs were split across connections
/// or the pooled connection had been closed.
fn handshake_with_retry(t: &mut HttpTransport) -> Result<Outcome, TransportError> {
    match handshake(t) {
        Err(e) if is_broken(&e) => handshake(t),
        other => other,
    }
}

/// How a handshake ended.
enum Outcome {
    /// The context is established on this connection.
    Established,
    /// The server answered without taking part (no token, not 401): an
    /// endpoint that ignores authentication, or no WS-Man server at all.
    /// Its answer is the reply.
    Answered(Leg),
}

fn handshake(t: &mut HttpTransport) -> Result<Outcome, TransportError> {
    let url = t.options.endpoint.url().to_string();
    let binding = if secure(t).https
        && secure(t).context.wants_channel_binding()
        && !t.options.auth.no_channel_binding
    {
        let cert = match t.log.peer() {
            Some(cert) => cert,
            None => {
                let config = t.tls.clone().ok_or_else(|| {
                    TransportError::Config("HTTPS without a TLS configuration".into())
                })?;
                let (host, port) = (secure(t).host.clone(), secure(t).port);
                probe_certificate(&host, port, config, t.options.connect_timeout)
                    .map_err(|io| t.map_io(io))?
            }
        };
        Some(channel_binding(&cert))
    } else {
        None
    };
    let s = secure(t);
    s.handshakes += 1;
    let scheme = s.context.scheme();
    let chosen = (s.handshakes == 1).then(|| s.context.describe());
    if let (Some(trace), Some(chosen)) = (t.trace.as_mut(), chosen)
        && !chosen.is_empty()
    {
        trace.note(&chosen);
    }
    let s = secure(t);
    s.context
        .restart(binding.as_deref())
        .map_err(|e| auth_error(&url, e))?;
    let mut step = s.context.step(None).map_err(|e| auth_error(&url, e))?;
    let mut connection = None;
    for _ in 0..MAX_LEGS {
        let Some(token) = step.token.take() else {
            return Err(auth_error(
                &url,
                AuthError::new(
                    AuthFailure::Other,
                    "the mechanism produced no token to send",
                ),
            ));
        };
        let header = format!(
            "{scheme} {}",
            base64::engine::general_purpose::STANDARD.encode(token)
        );
        let leg = t.leg(
            b"",
            Some("application/soap+xml;charset=UTF-8"),
            &[],
            Some(&header),
        )?;
        if *connection.get_or_insert(leg.connection) != leg.connection {
            return Err(TransportError::Io {
                url,
                reason: "the server closed the connection during the authentication handshake"
                    .into(),
            });
        }
        let ours = leg.challenges.iter().find_map(|c| {
            let (word, rest) = c.trim().split_once(' ')?;
            word.eq_ignore_ascii_case(scheme).then(|| rest.trim())
        });
        let server_token = match ours {
            Some(text) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(|_| {
                        auth_error(
                            &url,
                            AuthError::new(
                                AuthFailure::Malformed,
                                format!("the server's {scheme} token is not valid base64"),
                            ),
                        )
                    })?,
            ),
            None => None,
        };
        if leg.status == 401 && server_token.is_none() {
            let offered = super::offered(&leg.challenges);
            if !offered.is_empty() && !offered.iter().any(|o| o.eq_ignore_ascii_case(scheme)) {
                // The same mechanism under another word (`NTLM`): start
                // over in the server's word, on the same connection.
                if secure(t)
                    .context
                    .adapt_scheme(&offered)
                    .map_err(|e| auth_error(&url, e))?
                {
                    return handshake(t);
                }
                return Err(TransportError::Auth {
                    url,
                    failure: AuthFailure::NotOffered,
                    reason: format!(
                        "the server does not offer {scheme}; it offers: {}",
                        offered.join(", ")
                    ),
                });
            }
            return Err(TransportError::AuthRefused {
                url,
                offered,
                sent_credentials: true,
                method: t.options.method,
            });
        }
        if leg.status != 401 && server_token.is_none() && !step.complete {
            // Over HTTP the conversation is to be sealed: a clear-text
            // answer now is nobody's word we can trust (anyone on the path
            // could have written it), so it is refused, never shown.
            if secure(t).seal {
                return Err(TransportError::Sealing {
                    url,
                    reason: format!(
                        "the server answered HTTP {} in clear text during the {scheme} \
                         handshake, where only a sealed reply is accepted",
                        leg.status
                    ),
                });
            }
            return Ok(Outcome::Answered(leg));
        }
        let s = secure(t);
        if server_token.is_some() || !step.complete {
            step = s
                .context
                .step(server_token.as_deref())
                .map_err(|e| auth_error(&url, e))?;
        }
        if leg.status != 401 {
            if !step.complete {
                return Err(auth_error(
                    &url,
                    AuthError::new(
                        AuthFailure::Integrity,
                        format!(
                            "the server answered HTTP {} before the {scheme} handshake completed",
                            leg.status
                        ),
                    ),
                ));
            }
            s.established = Some(leg.connection);
            return Ok(Outcome::Established);
        }
    }
    Err(auth_error(
        &url,
        AuthError::new(AuthFailure::Other, "the handshake did not finish"),
    ))
}

fn attempt(t: &mut HttpTransport, request: &Request) -> Result<Reply, Failure> {
    let url = t.options.endpoint.url().to_string();
    let s = secure(t);
    let sealed;
    let (body, content_type): (&[u8], String) = if s.seal {
        sealed = encryption::seal(s.context.as_mut(), request.content_type, request.body).map_err(
            |e| {
                Failure::Fatal(TransportError::Sealing {
                    url: url.clone(),
                    reason: e.0,
                })
            },
        )?;
        (&sealed.1, sealed.0.clone())
    } else {
        (request.body, request.content_type.to_string())
    };
    let inner = s.seal.then_some((request.body, request.content_type));
    let sealing = s.seal;
    let leg = match t.sealed_leg(body, Some(&content_type), request.headers, None, inner) {
        Ok(leg) => leg,
        Err(e) if is_broken(&e) => return Err(Failure::Broken(e)),
        // An answer in clear text to a sealed request: its status is said,
        // but not its words, which anyone on the path could have written.
        Err(TransportError::AnsweredEarly { url, status, .. }) if sealing => {
            return Err(Failure::Fatal(TransportError::AnsweredEarly {
                url,
                status,
                detail: None,
            }));
        }
        Err(e) => return Err(Failure::Fatal(e)),
    };
    if leg.status == 401 {
        return Err(Failure::Unauthorized(leg));
    }
    let s = secure(t);
    if !s.seal || leg.body.is_empty() {
        return t.finish(leg, true).map_err(Failure::Fatal);
    }
    let reply_type = leg.content_type.clone().unwrap_or_default();
    if !encryption::is_sealed(&reply_type) {
        return Err(Failure::Fatal(TransportError::Sealing {
            url,
            reason: format!(
                "the server answered HTTP {} in clear text to a sealed request",
                leg.status
            ),
        }));
    }
    let (original, plain) = encryption::unseal(s.context.as_mut(), &reply_type, &leg.body)
        .map_err(|e| Failure::Fatal(TransportError::Sealing { url, reason: e.0 }))?;
    if let Some(trace) = t.trace.as_mut() {
        trace.inside('<', &plain, Some(&original));
    }
    let mut reply = t.finish(leg, true).map_err(Failure::Fatal)?;
    reply.content_type = Some(original);
    reply.body = plain;
    Ok(reply)
}
