//! What can go wrong below WS-Man: connecting, TLS, timeouts, HTTP, and
//! authentication. No XML here; errors carry no credentials. Each variant
//! carries the facts a caller needs to decide what to say (why a connection
//! failed, what the proxy answered, what was wrong with a certificate) as
//! types, and a message in neutral words: no switch names, no advice that
//! only a command line could give.

/// A failure of the HTTP layer.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The local setup is wrong (unreadable CA file, bad URL, ...).
    #[error("{0}")]
    Config(String),
    /// Basic would send the password in clear over plain HTTP, and the
    /// caller did not allow unencrypted traffic.
    #[error("refusing to send a Basic password unencrypted to {url}")]
    UnencryptedBasic {
        /// The endpoint.
        url: String,
    },
    /// No TCP connection could be made.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// The endpoint.
        url: String,
        /// Why, in a few words.
        reason: String,
        /// Why, as a fact.
        cause: ConnectCause,
    },
    /// The TLS handshake failed (certificate, protocol).
    #[error("TLS with {url} failed: {reason}")]
    Tls {
        /// The endpoint.
        url: String,
        /// Why, in a few words.
        reason: String,
        /// The failure is about the certificate's issuer (trusting its CA
        /// would help).
        untrusted: bool,
        /// The failure is about the certificate's names.
        wrong_name: bool,
        /// What else was wrong, when it is one of the classic cases.
        problem: TlsProblem,
    },
    /// The other side does not speak what the URL's scheme says: plain HTTP
    /// answered on a TLS port's URL, or the reverse.
    #[error("{url}: {}", if *.tls_expected {
        "the server did not answer with TLS (is that port plain HTTP?)"
    } else {
        "the answer is not HTTP (is that port expecting HTTPS?)"
    })]
    WrongScheme {
        /// The endpoint.
        url: String,
        /// The URL is https:// (so the server should have spoken TLS).
        tls_expected: bool,
    },
    /// The server's reply is not HTTP, or breaks HTTP's framing (a bad
    /// status line, contradictory lengths, broken chunked encoding).
    #[error("the reply from {url} is not valid HTTP: {reason}")]
    NotHttp {
        /// The endpoint.
        url: String,
        /// What was wrong, in a sentence (the server's bytes shown
        /// escaped).
        reason: String,
        /// It began as HTTP (a status line), so it is its framing that is
        /// broken, not the port that speaks something else.
        began_as_http: bool,
    },
    /// The server answered with an HTTP error before it had read the whole
    /// request (typically 413 for a body it will not take), and closed the
    /// connection.
    #[error("{url} answered HTTP {status}{} before the request was fully sent{}",
        status_name(*.status), detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    AnsweredEarly {
        /// The endpoint.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body, if it was text.
        detail: Option<String>,
    },
    /// A connect, send or receive deadline passed.
    #[error("{url} did not answer within {seconds} s ({stage})")]
    Timeout {
        /// The endpoint.
        url: String,
        /// The deadline that passed, in seconds.
        seconds: u64,
        /// Which stage: connecting, sending, waiting for the reply.
        stage: &'static str,
    },
    /// The connection broke mid-exchange.
    #[error("the connection to {url} failed: {reason}")]
    Io {
        /// The endpoint.
        url: String,
        /// Why.
        reason: String,
    },
    /// The connection closed or was reset before a single byte of the reply
    /// arrived (typically a kept-alive connection the server had already
    /// dropped). The server may or may not have seen the request.
    #[error("the connection to {url} failed before any reply arrived: {reason}")]
    NoReply {
        /// The endpoint.
        url: String,
        /// Why.
        reason: String,
    },
    /// The proxy could not be reached, or would not open a tunnel to the
    /// endpoint.
    #[error("cannot reach {url} through the proxy {proxy}: {reason}")]
    Proxy {
        /// The endpoint.
        url: String,
        /// The proxy URL, without credentials.
        proxy: String,
        /// Why.
        reason: String,
        /// The proxy's HTTP status, when it answered the CONNECT with one
        /// (407: it wants a login).
        status: Option<u16>,
    },
    /// The server refused our credentials (HTTP 401).
    #[error("{url} refused the credentials (HTTP 401){}", offered_list(.offered))]
    AuthRefused {
        /// The endpoint.
        url: String,
        /// The schemes the server offered in WWW-Authenticate.
        offered: Vec<String>,
        /// Whether we sent credentials at all.
        sent_credentials: bool,
        /// The method we authenticated with (for the hint).
        method: crate::transport::auth::Method,
    },
    /// Authentication failed before the server could judge the
    /// credentials, or the mechanism reported why (KDC, clock, binding).
    #[error("authentication to {url} failed: {reason}")]
    Auth {
        /// The endpoint.
        url: String,
        /// The class of failure, for hints and exit codes.
        failure: crate::transport::auth::AuthFailure,
        /// What happened, free of secrets.
        reason: String,
    },
    /// A sealed (MS-WSMV encrypted) message could not be built, or a reply
    /// failed verification: it is refused, never used.
    #[error("the encrypted reply from {url} was refused: {reason}")]
    Sealing {
        /// The endpoint.
        url: String,
        /// Why.
        reason: String,
    },
    /// The reply is bigger than we accept.
    #[error("the reply from {url} is larger than {limit} bytes; refused without reading it all")]
    TooLarge {
        /// The endpoint.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// The server encoded its reply (gzip, deflate, ...) though the request
    /// asked for none (`Accept-Encoding: identity`): the bytes are not the
    /// XML they claim to be.
    #[error(
        "the server compressed its reply from {url} (Content-Encoding: {encoding}) though none \
         was asked for; the server or a proxy in between must send it uncompressed"
    )]
    Encoded {
        /// The endpoint.
        url: String,
        /// The Content-Encoding header's value.
        encoding: String,
    },
    /// The server redirected us; we never follow (credentials must not
    /// travel to another host).
    #[error("{url} answered HTTP {status} redirecting to {location}; redirects are not followed")]
    Redirect {
        /// The endpoint.
        url: String,
        /// The 3xx status.
        status: u16,
        /// The Location header.
        location: String,
    },
}

/// Why a TCP connection could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectCause {
    /// Nothing listens on that port (the host answered with a reset).
    Refused,
    /// The host name does not resolve.
    NoSuchHost,
    /// Anything else (unreachable, filtered).
    Other,
}

/// A TLS failure beyond the server certificate's issuer and names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsProblem {
    /// Nothing more specific than the flags say.
    None,
    /// The server refused our client certificate, or wants one.
    ClientCertificate,
    /// The server's certificate has expired.
    Expired,
    /// The server's certificate is not the pinned one.
    PinMismatch,
    /// The server presents a CA certificate as its own (as many
    /// self-signed device certificates do): trusting its CA cannot help.
    CaAsServer,
}

/// ` Request Entity Too Large` for 413: the standard name, never the
/// server's own words.
pub(crate) fn status_name(status: u16) -> String {
    ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

fn offered_list(offered: &[String]) -> String {
    if offered.is_empty() {
        String::new()
    } else {
        format!("; it offers: {}", offered.join(", "))
    }
}
