//! The HTTP layer: bytes in, status + content type + bytes out.
//!
//! [`Transport`] is the seam the session talks through; [`HttpTransport`]
//! implements it over one ureq agent (HTTP/1.1, keep-alive, our own TLS
//! connector) with authentication applied from [`auth`]. It owns timeouts,
//! the reply size cap, redirect refusal, and the policy that Basic never goes
//! over plain HTTP unless the user said `-unencrypted`. It knows no XML, no
//! actions and no faults: a 500 with a SOAP body is a normal reply here.

pub mod auth;
pub mod connection;
pub mod encryption;
pub mod endpoint;
pub mod error;
pub(crate) mod framing;
pub mod proxy;
mod received;
mod resolver;
pub mod secret;
mod secure;
pub mod tls;
pub mod trace;
mod ureq_error;

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use ureq::unversioned::transport::{ConnectProxyConnector, Connector, TcpConnector};

pub use auth::{AuthOptions, Credentials, Method, Proof};
pub use endpoint::{Endpoint, EndpointError, Scheme};
pub use error::TransportError;
pub use proxy::Proxy;
pub use secret::Secret;
pub use tls::TlsOptions;
pub use trace::Trace;

/// The `Authorization` value for client-certificate authentication
/// (DSP0226 security profile `https/mutual`; WinRM maps the TLS client
/// certificate to a local account).
pub const CERTIFICATE_PROFILE: &str =
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual";

/// One request to send.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The body bytes, already encoded.
    pub body: &'a [u8],
    /// The Content-Type header value.
    pub content_type: &'a str,
    /// Send no credentials with this request, whatever the method.
    pub anonymous: bool,
    /// Extra HTTP headers (name, value).
    pub headers: &'a [(&'a str, &'a str)],
    /// Sending it twice does no harm (Identify, Get, Enumerate): after a
    /// broken connection the transport may re-authenticate and resend it.
    pub repeatable: bool,
    /// Sent on a kept-alive connection that turns out to be dead before any
    /// reply byte, it goes once more on a new connection (Pull: the server
    /// closing an idle connection as it went out is far likelier than the
    /// server taking the request and then hanging up without a word).
    pub resend_if_stale: bool,
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// The Content-Type header, if any.
    pub content_type: Option<String>,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// Sends one request and returns the reply. The session's only view of the
/// network, so tests can stand a stub in its place.
pub trait Transport {
    /// Sends `request` and waits for the whole reply.
    fn send(&mut self, request: &Request) -> Result<Reply, TransportError>;
    /// The endpoint URL, as used in `wsa:To`.
    fn url(&self) -> &str;
    /// Hands a reply's body back once it has been read, so the next reply
    /// can reuse its memory (a remote command's output comes in hundreds
    /// of replies of hundreds of KiB). Optional.
    fn recycle(&mut self, _body: Vec<u8>) {}
}

/// How to reach and authenticate to an endpoint.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Where the service listens (`http://host:5985/wsman`).
    pub endpoint: Endpoint,
    /// Certificate checks for HTTPS.
    pub tls: TlsOptions,
    /// How long to wait for the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// How long to wait for a reply once the request is sent. Must exceed
    /// the WS-Man OperationTimeout, since the server may legitimately hold
    /// the request that long.
    pub reply_timeout: Duration,
    /// The largest reply body accepted, in bytes.
    pub max_reply_bytes: u64,
    /// The authentication method.
    pub method: Method,
    /// Credentials, for methods that need them.
    pub credentials: Option<Credentials>,
    /// The user allowed unencrypted traffic (`-unencrypted`).
    pub allow_unencrypted: bool,
    /// Kerberos and SPN settings.
    pub auth: AuthOptions,
    /// The proxy to go through, if any ([`proxy::select`] picks it).
    pub proxy: Option<Proxy>,
}

/// The production transport: one ureq agent, so connections are kept alive
/// and reused for every request of a run.
pub struct HttpTransport {
    agent: ureq::Agent,
    options: HttpOptions,
    /// The Authorization header value, kept as a secret.
    authorization: Option<Secret>,
    /// Connection-bound authentication and sealing, when the method is one.
    secure: Option<secure::Secure>,
    /// Digest state, for `-a:digest`.
    digest: Option<auth::digest::DigestState>,
    /// Which connection each request used.
    log: Arc<connection::ConnectionLog>,
    /// The TLS configuration (HTTPS only), for the certificate probe.
    tls: Option<Arc<rustls::ClientConfig>>,
    /// Where `--debug` writes each exchange.
    trace: Option<Trace>,
    /// Bytes received from the endpoint, and the count when the exchange
    /// in flight started: equal means no reply byte has arrived.
    received: received::Received,
    received_before: u64,
    /// A body handed back by [`Transport::recycle`], for the next reply.
    spare: Vec<u8>,
}

/// One HTTP exchange as the authentication logic sees it.
#[derive(Debug)]
pub(crate) struct Leg {
    /// HTTP status.
    pub status: u16,
    /// The Content-Type header.
    pub content_type: Option<String>,
    /// Every WWW-Authenticate header value.
    pub challenges: Vec<String>,
    /// The Location header (redirects).
    pub location: Option<String>,
    /// The body.
    pub body: Vec<u8>,
    /// The number of the TCP connection it travelled on.
    pub connection: u64,
}

impl HttpTransport {
    /// Prepares a transport; nothing is sent until the first request.
    pub fn new(options: HttpOptions) -> Result<Self, TransportError> {
        let https = options.endpoint.is_https();
        let mut secure = None;
        let mut digest = None;
        let authorization = match options.method {
            Method::None => None,
            Method::Basic => {
                if !https && !options.allow_unencrypted {
                    return Err(TransportError::UnencryptedBasic {
                        url: options.endpoint.url().to_string(),
                    });
                }
                let credentials = options.credentials.as_ref().ok_or_else(|| {
                    TransportError::Config("Basic authentication needs a user name".into())
                })?;
                let password = credentials.password().ok_or_else(|| {
                    TransportError::Config("Basic authentication needs a password".into())
                })?;
                Some(Secret::new(auth::basic::authorization(
                    &credentials.username,
                    password,
                )))
            }
            Method::Digest => {
                if options
                    .credentials
                    .as_ref()
                    .and_then(Credentials::password)
                    .is_none()
                {
                    return Err(TransportError::Config(
                        "Digest authentication needs a user name and password".into(),
                    ));
                }
                digest = Some(auth::digest::DigestState::default());
                None
            }
            Method::Certificate => {
                if !https {
                    return Err(TransportError::Config(format!(
                        "client-certificate authentication happens in the TLS handshake, so it \
                         needs HTTPS; {} is plain HTTP",
                        options.endpoint
                    )));
                }
                if options.tls.client_identity.is_none() {
                    return Err(TransportError::Config(
                        "client-certificate authentication needs the certificate and its key"
                            .into(),
                    ));
                }
                // MS-WSMV: the header that asks WinRM to map the TLS
                // client certificate to an account.
                Some(Secret::new(CERTIFICATE_PROFILE.to_string()))
            }
            method if method.seals() => {
                secure = Some(secure::Secure::new(&options, https)?);
                None
            }
            other => {
                return Err(TransportError::Config(format!(
                    "the authentication method '{}' is not supported yet",
                    other.name()
                )));
            }
        };

        // Loading and parsing the system's roots costs milliseconds; plain
        // HTTP never needs them.
        let tls = if https {
            Some(tls::client_config(&options.tls)?)
        } else {
            None
        };
        let config = ureq::Agent::config_builder()
            // Faults arrive as HTTP 500 with a SOAP body: not an error here.
            .http_status_as_error(false)
            // Credentials must never follow a redirect to another host.
            .max_redirects(0)
            // Name lookup can hang as long as a dead DNS server lets it.
            .timeout_resolve(Some(options.connect_timeout))
            .timeout_connect(Some(options.connect_timeout))
            .timeout_send_request(Some(options.reply_timeout))
            .timeout_send_body(Some(options.reply_timeout))
            .timeout_recv_response(Some(options.reply_timeout))
            .timeout_recv_body(Some(options.reply_timeout))
            .user_agent("winrm-rs/".to_string() + env!("CARGO_PKG_VERSION"))
            // IIS-hosted endpoints compress unless told not to.
            .accept_encoding("identity")
            .accept("application/soap+xml")
            .proxy(options.proxy.as_ref().map(Proxy::to_ureq).transpose()?)
            .build();
        let log = Arc::new(connection::ConnectionLog::default());
        let received = received::Received::default();
        let connector =
            ().chain(ConnectProxyConnector::default())
                .chain(TcpConnector::default())
                .chain(tls::TlsConnector::new(tls.clone()).recording(log.clone()))
                .chain(connection::Counter(log.clone()))
                .chain(received::CountingConnector::new(
                    received.clone(),
                    &options.endpoint,
                ));
        let agent =
            ureq::Agent::with_parts(config, connector, resolver::CachingResolver::default());
        Ok(HttpTransport {
            agent,
            options,
            authorization,
            secure,
            digest,
            log,
            tls,
            trace: None,
            received,
            received_before: 0,
            spare: Vec::new(),
        })
    }

    /// Writes every exchange to `trace` from now on, with the password
    /// kept out of it.
    pub fn set_trace(&mut self, mut trace: Trace) {
        if let Some(password) = self.options.credentials.as_ref().and_then(|c| c.password()) {
            trace.hide(password);
        }
        self.trace = Some(trace);
    }

    /// A body as the trace may show it: sealed bodies only by length.
    fn traced<'a>(bytes: &'a [u8], content_type: Option<&'a str>) -> trace::Body<'a> {
        if content_type.is_some_and(encryption::is_sealed) {
            trace::Body::Encrypted {
                length: bytes.len(),
            }
        } else {
            trace::Body::Plain {
                bytes,
                content_type,
            }
        }
    }

    /// The number of TCP connections opened so far (each new one meant a
    /// new handshake for connection-bound authentication).
    pub fn connections_opened(&self) -> u64 {
        self.log.current()
    }

    /// One HTTP POST, read to the end (so the connection stays reusable),
    /// with no interpretation of the status.
    pub(crate) fn leg(
        &mut self,
        body: &[u8],
        content_type: Option<&str>,
        headers: &[(&str, &str)],
        authorization: Option<&str>,
    ) -> Result<Leg, TransportError> {
        self.sealed_leg(body, content_type, headers, authorization, None)
    }

    /// [`HttpTransport::leg`] for a sealed body: `inner` is what was sealed
    /// (and its Content-Type), for the `--debug` trace to show after the
    /// encrypted bytes' length.
    pub(crate) fn sealed_leg(
        &mut self,
        body: &[u8],
        content_type: Option<&str>,
        headers: &[(&str, &str)],
        authorization: Option<&str>,
        inner: Option<(&[u8], &str)>,
    ) -> Result<Leg, TransportError> {
        self.received_before = self.received.bytes();
        self.received.start();
        let mut call = self.agent.post(self.options.endpoint.url());
        if let Some(content_type) = content_type {
            call = call.header("Content-Type", content_type);
        }
        for (name, value) in headers {
            call = call.header(*name, *value);
        }
        if let Some(value) = authorization {
            call = call.header("Authorization", value);
        }
        if let Some(trace) = self.trace.as_mut() {
            let mut shown: Vec<(&str, &str)> = Vec::new();
            if let Some(content_type) = content_type {
                shown.push(("Content-Type", content_type));
            }
            shown.extend(headers.iter().copied());
            if let Some(value) = authorization {
                shown.push(("Authorization", value));
            }
            trace.request(
                self.options.endpoint.url(),
                &shown,
                Self::traced(body, content_type),
            );
            if let Some((plain, plain_type)) = inner {
                trace.inside('>', plain, Some(plain_type));
            }
        }
        let mut response = match call.send(body) {
            Ok(response) => response,
            Err(e) => {
                let error = self.map_error(e);
                if let Some(trace) = self.trace.as_mut() {
                    trace.failed(&error.to_string());
                }
                return Err(error);
            }
        };
        let connection = self.log.current();
        let status = response.status().as_u16();
        let traced_headers: Vec<(String, String)> = match self.trace {
            Some(_) => response
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
                .collect(),
            None => Vec::new(),
        };
        let header = |name: &str| {
            response
                .headers()
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let challenges = header("www-authenticate");
        let location = header("location").into_iter().next();
        let content_type = header("content-type").into_iter().next();
        let encoding = header("content-encoding")
            .into_iter()
            .map(|e| e.trim().to_string())
            .find(|e| !e.is_empty() && !e.eq_ignore_ascii_case("identity"));
        let limit = self.options.max_reply_bytes;
        // Sized from Content-Length (never beyond the limit), so a page is
        // not copied through a series of doubling buffers.
        let announced = header("content-length")
            .first()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let mut body = std::mem::take(&mut self.spare);
        body.clear();
        // What the server announces is only a claim: room for at most a few
        // MiB up front, then growth as bytes really arrive.
        const PRESIZE_CAP: u64 = 4 << 20;
        body.reserve(announced.min(limit + 1).min(PRESIZE_CAP) as usize);
        // Read at most limit + 1 bytes: enough to know the reply is too big
        // without holding all of it.
        let read = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .reader()
            .take(limit + 1)
            .read_to_end(&mut body)
            .map_err(|e| match e.downcast::<ureq::Error>() {
                Ok(inner) => self.map_error(inner),
                Err(io) => self.map_io(io),
            });
        if let Some(trace) = self.trace.as_mut() {
            let shown = &body[..body.len().min(limit as usize)];
            trace.reply(
                status,
                &traced_headers,
                Self::traced(shown, content_type.as_deref()),
            );
        }
        read?;
        if body.len() as u64 > limit {
            return Err(TransportError::TooLarge {
                url: self.options.endpoint.url().to_string(),
                limit,
            });
        }
        // Every request says `Accept-Encoding: identity`; a compressed body
        // would otherwise surface as a baffling "not XML".
        if let Some(encoding) = encoding.filter(|_| !body.is_empty()) {
            return Err(TransportError::Encoded {
                url: self.options.endpoint.url().to_string(),
                encoding,
            });
        }
        Ok(Leg {
            status,
            content_type,
            challenges,
            location,
            body,
            connection,
        })
    }

    /// Turns a final leg into a reply: 401 and redirects become errors.
    pub(crate) fn finish(&self, leg: Leg, sent_credentials: bool) -> Result<Reply, TransportError> {
        if leg.status == 401 {
            return Err(TransportError::AuthRefused {
                url: self.options.endpoint.url().to_string(),
                offered: offered(&leg.challenges),
                sent_credentials,
                method: self.options.method,
            });
        }
        if (300..400).contains(&leg.status) {
            return Err(TransportError::Redirect {
                url: self.options.endpoint.url().to_string(),
                status: leg.status,
                location: leg.location.unwrap_or_default(),
            });
        }
        Ok(Reply {
            status: leg.status,
            content_type: leg.content_type,
            body: leg.body,
        })
    }

    /// Basic, none, or Digest: one request (Digest: plus one after a
    /// challenge or a stale nonce).
    fn send_simple(&mut self, request: &Request) -> Result<Reply, TransportError> {
        let basic = self
            .authorization
            .as_ref()
            .filter(|_| !request.anonymous)
            .map(|s| s.expose().to_string());
        let use_digest = self.digest.is_some() && !request.anonymous;
        for _attempt in 0..2 {
            let header = if use_digest {
                self.digest_header()
            } else {
                basic.clone()
            };
            let leg = self.leg(
                request.body,
                Some(request.content_type),
                request.headers,
                header.as_deref(),
            )?;
            if use_digest && leg.status == 401 {
                let mut digests = leg
                    .challenges
                    .iter()
                    .filter_map(|c| auth::digest::parse_challenge(c))
                    .peekable();
                // The first Digest challenge this client can answer; failing
                // that, why the first one cannot be answered.
                let first_refusal = digests.peek().and_then(|d| d.as_ref().err()).cloned();
                let fresh = digests.find_map(Result::ok);
                if fresh.is_none()
                    && let Some(refusal) = first_refusal
                {
                    return Err(TransportError::Auth {
                        url: self.options.endpoint.url().to_string(),
                        failure: refusal.failure,
                        reason: refusal.detail,
                    });
                }
                let offered = offered(&leg.challenges);
                if fresh.is_none()
                    && !offered.is_empty()
                    && !offered.iter().any(|o| o.eq_ignore_ascii_case("digest"))
                {
                    return Err(TransportError::Auth {
                        url: self.options.endpoint.url().to_string(),
                        failure: auth::AuthFailure::NotOffered,
                        reason: format!(
                            "the server does not offer Digest; it offers: {}",
                            offered.join(", ")
                        ),
                    });
                }
                let ready = self.digest.as_ref().is_some_and(|d| d.ready());
                if let (Some(challenge), Some(state)) = (fresh, self.digest.as_mut()) {
                    // A first challenge, or a stale nonce: answer it once.
                    if !ready || challenge.stale {
                        state.set_challenge(challenge);
                        continue;
                    }
                }
            }
            return self.finish(leg, header.is_some());
        }
        Err(TransportError::AuthRefused {
            url: self.options.endpoint.url().to_string(),
            offered: vec!["Digest".into()],
            sent_credentials: true,
            method: Method::Digest,
        })
    }

    fn digest_header(&mut self) -> Option<String> {
        let path = self.options.endpoint.path();
        let credentials = self.options.credentials.as_ref()?;
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).ok()?;
        let cnonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
        self.digest
            .as_mut()?
            .authorization(credentials, "POST", path, &cnonce)
    }
}

/// The scheme names a server offered in its WWW-Authenticate headers.
pub(crate) fn offered(challenges: &[String]) -> Vec<String> {
    challenges
        .iter()
        .filter_map(|v| v.split_whitespace().next())
        .map(|w| w.trim_end_matches(',').to_string())
        .collect()
}

impl Transport for HttpTransport {
    fn send(&mut self, request: &Request) -> Result<Reply, TransportError> {
        if self.secure.is_some() && !request.anonymous {
            return secure::send(self, request);
        }
        // A dropped kept-alive connection: a request the session marked
        // repeatable goes once more, on a new connection; so does one marked
        // resend_if_stale when it went out on a reused connection (no new
        // one was opened for it).
        let opened = self.log.current();
        match self.send_simple(request) {
            Err(TransportError::NoReply { .. })
                if request.repeatable
                    || (request.resend_if_stale && self.log.current() == opened) =>
            {
                self.send_simple(request)
            }
            other => other,
        }
    }

    fn url(&self) -> &str {
        self.options.endpoint.url()
    }

    fn recycle(&mut self, body: Vec<u8>) {
        // Only what one reply may need: a huge one is not kept.
        if body.capacity() as u64 <= self.options.max_reply_bytes + 1 {
            self.spare = body;
        }
    }
}
