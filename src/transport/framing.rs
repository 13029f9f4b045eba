//! Reading what came back when it was not a well-formed HTTP reply: bytes
//! that begin a TLS record (the port expects HTTPS), bytes that are not
//! HTTP at all, HTTP whose framing is broken, and an answer the server sent
//! before it had read the whole request. Pure: bytes and ureq's parse
//! errors in, sentences out. Server bytes are shown escaped, never raw.

/// How many bytes of a reply that is not HTTP are shown.
const SHOWN: usize = 24;

/// Whether `first` begins a TLS record: a handshake (0x16) or alert (0x15)
/// with a TLS/SSL 3.x version (0x03 0x00..=0x04). A TLS server that hears
/// plain HTTP answers with an alert, or its hello.
pub fn looks_like_tls(first: &[u8]) -> bool {
    matches!(first, [0x15 | 0x16, 0x03, 0x00..=0x04, ..])
}

/// What was wrong with a reply ureq could not read as HTTP, as a clause
/// after "not valid HTTP: ". `first` is the reply's first bytes.
pub fn describe(error: &ureq_proto::Error, first: &[u8]) -> String {
    use ureq_proto::Error as E;
    match error {
        E::ChunkLenNotAscii | E::ChunkLenNotANumber => {
            "its chunked body has a chunk length that is not a hexadecimal number".into()
        }
        E::ChunkExpectedCrLf => "its chunked body lacks the line break that ends a chunk".into(),
        E::TooManyContentLengthHeaders => "it has conflicting Content-Length headers".into(),
        E::BadContentLengthHeader => "its Content-Length header is not a number".into(),
        E::ConflictingBodyHeaders => {
            "it has both Content-Length and Transfer-Encoding headers".into()
        }
        E::HttpParseTooManyHeaders => "it has more headers than a reply may have".into(),
        _ if !first.starts_with(b"HTTP/") => not_http(first),
        E::UnsupportedVersion => {
            format!(
                "its status line names an unknown HTTP version ({})",
                escaped(first)
            )
        }
        E::HttpParseFail(why) | E::BadHeader(why) => {
            format!("its status line or a header is malformed ({why})")
        }
        other => format!("it breaks HTTP's framing ({other})"),
    }
}

/// "it began with …", for a reply that is not HTTP at all.
pub fn not_http(first: &[u8]) -> String {
    if first.is_empty() {
        "it is empty".into()
    } else {
        format!("it began with {}", escaped(first))
    }
}

/// Up to [`SHOWN`] bytes in double quotes: printable ASCII as itself,
/// anything else as `\xNN`, so nothing reaches the terminal raw.
fn escaped(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in bytes.iter().take(SHOWN) {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02X}")),
        }
    }
    if bytes.len() > SHOWN {
        out.push('…');
    }
    out.push('"');
    out
}

/// An answer that arrived while the request was still being sent: its
/// status and, if its body is text, the start of it.
#[derive(Debug, PartialEq, Eq)]
pub struct EarlyAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The start of the body, on one line, when it is text.
    pub detail: Option<String>,
}

/// Reads an early answer's status line and body start; `None` when the
/// bytes do not begin with an HTTP status line.
pub fn early_answer(bytes: &[u8]) -> Option<EarlyAnswer> {
    let line_end = bytes.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&bytes[..line_end]).ok()?;
    let mut words = line.split(' ');
    let version = words.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let status = words
        .next()
        .filter(|s| s.len() == 3)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..600).contains(s))?;
    let body = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|end| &bytes[end + 4..])
        .unwrap_or_default();
    Some(EarlyAnswer {
        status,
        detail: text_start(body),
    })
}

/// The first 200 characters of a body, on one line (whitespace collapsed,
/// bytes that are not UTF-8 shown as `�`), for error messages; `None` for
/// an empty one. The session shows an HTTP error page's start with it too.
pub(crate) fn text_start(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return None;
    }
    let mut short: String = line.chars().take(200).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    Some(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_records_are_told_from_text() {
        assert!(looks_like_tls(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]));
        assert!(looks_like_tls(&[0x16, 0x03, 0x01, 0x02, 0x00]));
        assert!(!looks_like_tls(b"HTTP/1.1 200 OK"));
        assert!(!looks_like_tls(&[0x16, 0x04, 0x01]));
        assert!(!looks_like_tls(&[0x15]));
        assert!(!looks_like_tls(b"SSH-2.0-OpenSSH_9.2"));
    }

    #[test]
    fn replies_that_are_not_http_are_shown_escaped() {
        let text = describe(
            &ureq_proto::Error::HttpParseFail("invalid HTTP version".into()),
            b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n\x1b[2J",
        );
        assert_eq!(text, r#"it began with "SSH-2.0-OpenSSH_9.2p1 De…""#);
        assert_eq!(
            not_http(b"\x1b]0;x\x07\"\\"),
            r#"it began with "\x1B]0;x\x07\"\\""#
        );
        assert_eq!(not_http(b""), "it is empty");
        let chunked = describe(&ureq_proto::Error::ChunkLenNotANumber, b"HTTP/1.1 200 OK");
        assert!(chunked.contains("chunk length"), "{chunked}");
    }

    #[test]
    fn an_early_answer_gives_its_status_and_text() {
        let answer = early_answer(
            b"HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 9\r\n\r\nToo  big\n",
        )
        .unwrap();
        assert_eq!(answer.status, 413);
        assert_eq!(answer.detail.as_deref(), Some("Too big"));
        let bare = early_answer(b"HTTP/1.0 500 \r\n\r\n").unwrap();
        assert_eq!((bare.status, bare.detail), (500, None));
        assert_eq!(early_answer(b"HTTP/1.1 4133 x\r\n"), None);
        assert_eq!(early_answer(b"garbage\r\n"), None);
        assert_eq!(early_answer(b"HTTP/1.1 413"), None);
    }
}
