//! The `--debug` trace: every HTTP exchange, as sent and received, written
//! to a sink the caller gives (the binary passes stderr).
//!
//! What is never written: the value of `Authorization`,
//! `Proxy-Authorization`, `WWW-Authenticate` tokens and cookies (only the
//! scheme and the length show), the bytes of an encrypted payload, and any
//! occurrence of the user's password in a body. Bodies are shown as text,
//! decoded from UTF-8 or UTF-16, exactly as they went over the wire; a
//! sealed body is shown decrypted after its length, marked as sealed.

use std::io::Write;
use std::time::Instant;

use super::Secret;

/// Headers whose values are credentials or tokens: only the scheme shows.
const AUTH_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "www-authenticate",
    "proxy-authenticate",
];
/// Headers whose whole value is secret.
const COOKIE_HEADERS: [&str; 2] = ["set-cookie", "cookie"];
/// What a redacted value or password reads as.
const REDACTED: &str = "[redacted]";

/// A sink for the trace, and the secrets to keep out of it.
pub struct Trace {
    sink: Box<dyn Write + Send>,
    secrets: Vec<Secret>,
    sent_at: Option<Instant>,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Trace")
    }
}

impl Trace {
    /// A trace writing to `sink`.
    pub fn new(sink: Box<dyn Write + Send>) -> Self {
        Trace {
            sink,
            secrets: Vec::new(),
            sent_at: None,
        }
    }

    /// Keeps `secret` out of every body the trace shows, as typed and as
    /// XML writes it (`&` → `&amp;`...).
    pub fn hide(&mut self, secret: &Secret) {
        let plain = secret.expose();
        if plain.is_empty() {
            return;
        }
        let escaped = plain
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;");
        if escaped != plain {
            self.secrets.push(Secret::new(escaped));
        }
        self.secrets.push(secret.clone());
    }

    /// Writes a request about to be sent. `body` is `None` when it is
    /// encrypted (only its length shows).
    pub fn request(&mut self, url: &str, headers: &[(&str, &str)], body: Body) {
        self.sent_at = Some(Instant::now());
        let mut text = format!("> POST {url}\n");
        for (name, value) in headers {
            // A server that echoes what we sent must not show it either.
            if AUTH_HEADERS.contains(&name.to_ascii_lowercase().as_str())
                && let Some((_, credential)) = value.split_once(' ')
                && credential.len() >= 8
                && !self.secrets.iter().any(|s| s.expose() == credential)
            {
                self.secrets.push(Secret::new(credential));
            }
            push_header(&mut text, '>', name, value);
        }
        self.body(text, body);
    }

    /// Writes a reply as received.
    pub fn reply(&mut self, status: u16, headers: &[(String, String)], body: Body) {
        let elapsed = self
            .sent_at
            .take()
            .map(|t| format!(" ({:.3} s)", t.elapsed().as_secs_f64()))
            .unwrap_or_default();
        let mut text = format!("< HTTP {status}{elapsed}\n");
        for (name, value) in headers {
            push_header(&mut text, '<', name, value);
        }
        self.body(text, body);
    }

    /// Writes what a sealed body held, decrypted, marked as sealed on the
    /// wire: the envelope is what a reader of the trace wants, and it goes
    /// through the same redaction as any body.
    pub fn inside(&mut self, arrow: char, bytes: &[u8], content_type: Option<&str>) {
        let text = format!("{arrow} (sealed on the wire; decrypted:)\n");
        self.body(
            text,
            Body::Plain {
                bytes,
                content_type,
            },
        );
    }

    /// Notes a decision the client took (which mechanism, and why). The
    /// text is the client's own, never a token or a key.
    pub fn note(&mut self, what: &str) {
        let _ = writeln!(self.sink, "* {what}\n");
        let _ = self.sink.flush();
    }

    /// Notes an exchange that ended without a reply.
    pub fn failed(&mut self, what: &str) {
        self.sent_at = None;
        let _ = writeln!(self.sink, "< no reply: {what}\n");
        let _ = self.sink.flush();
    }

    fn body(&mut self, mut text: String, body: Body) {
        match body {
            Body::Plain { bytes: [], .. } => text.push_str("(no body)\n"),

            Body::Plain {
                bytes,
                content_type,
            } => {
                text.push('\n');
                // What a server sent reaches the terminal defused.
                let mut shown = crate::terminal::safe(&decode(bytes, content_type)).into_owned();
                for secret in &self.secrets {
                    shown = shown.replace(secret.expose(), REDACTED);
                }
                text.push_str(shown.trim_end());
                text.push('\n');
            }
            Body::Encrypted { length } => {
                text.push_str(&format!(
                    "\n[encrypted payload, {length} bytes; shown decrypted below when it could be]\n"
                ));
            }
        }
        text.push('\n');
        let _ = self.sink.write_all(text.as_bytes());
        let _ = self.sink.flush();
    }
}

/// A body, as the trace may show it.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    /// Readable bytes and their Content-Type.
    Plain {
        /// The bytes.
        bytes: &'a [u8],
        /// The Content-Type header, for the charset.
        content_type: Option<&'a str>,
    },
    /// An encrypted payload of this many bytes.
    Encrypted {
        /// Its length in bytes.
        length: usize,
    },
}

fn push_header(text: &mut String, arrow: char, name: &str, value: &str) {
    let name = &*crate::terminal::one_line(name, 200);
    let value = &*crate::terminal::one_line(value, 2000);
    text.push(arrow);
    text.push(' ');
    text.push_str(name);
    text.push_str(": ");
    let lower = name.to_ascii_lowercase();
    if COOKIE_HEADERS.contains(&lower.as_str()) {
        text.push_str(REDACTED);
    } else if AUTH_HEADERS.contains(&lower.as_str()) {
        // The scheme says which method was used; the rest is the secret
        // (not even its length, which would tell a Basic password's).
        match value.split_once(' ') {
            Some((scheme, _)) => {
                text.push_str(scheme);
                text.push(' ');
                text.push_str(REDACTED);
            }
            None if value.len() <= 12 && value.chars().all(|c| c.is_ascii_alphabetic()) => {
                text.push_str(value)
            }
            None => text.push_str(REDACTED),
        }
    } else {
        text.push_str(value);
    }
    text.push('\n');
}

/// Bytes as text: UTF-16 when a BOM or the charset says so, else UTF-8
/// (invalid sequences shown as U+FFFD).
fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    let charset_16 = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("utf-16"));
    let (big_endian, body) = match bytes {
        [0xFE, 0xFF, rest @ ..] => (true, rest),
        [0xFF, 0xFE, rest @ ..] => (false, rest),
        _ if charset_16 => (false, bytes),
        _ => return String::from_utf8_lossy(bytes).into_owned(),
    };
    let units = body.chunks(2).map(|pair| match pair {
        [a, b] if big_endian => u16::from_be_bytes([*a, *b]),
        [a, b] => u16::from_le_bytes([*a, *b]),
        _ => 0xFFFD,
    });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn credentials_and_passwords_never_show() {
        let sink = Shared::default();
        let mut trace = Trace::new(Box::new(sink.clone()));
        trace.hide(&Secret::new("hunter2"));
        trace.request(
            "http://h:5985/wsman",
            &[
                ("Content-Type", "application/soap+xml;charset=UTF-8"),
                ("Authorization", "Basic dXNlcjpodW50ZXIy"),
            ],
            Body::Plain {
                bytes: b"<Password>hunter2</Password>",
                content_type: None,
            },
        );
        trace.reply(
            401,
            &[("WWW-Authenticate".into(), "Negotiate abcdef".into())],
            Body::Encrypted { length: 42 },
        );
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("dXNlcjpodW50ZXIy"), "{text}");
        assert!(!text.contains("abcdef"), "{text}");
        assert!(
            text.contains("> Authorization: Basic [redacted]\n"),
            "{text}"
        );

        assert!(text.contains("<Password>[redacted]</Password>"), "{text}");
        assert!(
            text.contains("[encrypted payload, 42 bytes; shown decrypted below when it could be]"),
            "{text}"
        );
    }

    #[test]
    fn cookies_and_escaped_passwords_never_show() {
        let sink = Shared::default();
        let mut trace = Trace::new(Box::new(sink.clone()));
        trace.hide(&Secret::new("p&ss<1>"));
        trace.reply(
            200,
            &[
                ("Set-Cookie".into(), "SESSIONID=s3cr3tcookie; Path=/".into()),
                ("Proxy-Authenticate".into(), "Basic realm=\"p\"".into()),
            ],
            Body::Plain {
                bytes: b"<X>p&amp;ss&lt;1&gt;</X><Y>p&ss<1></Y>",
                content_type: None,
            },
        );
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(!text.contains("s3cr3tcookie"), "{text}");
        assert!(!text.contains("SESSIONID"), "{text}");
        assert!(!text.contains("p&amp;ss"), "{text}");
        assert!(!text.contains("p&ss"), "{text}");
        assert!(text.contains("< Set-Cookie: [redacted]"), "{text}");
        assert!(
            text.contains("< Proxy-Authenticate: Basic [redacted]"),
            "{text}"
        );
    }

    #[test]
    fn utf16_bodies_are_decoded() {
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("<a/>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&bytes, None), "<a/>");
    }
}
