//! HTTP Digest (RFC 2617 with MD5 and `qop=auth`), as Intel AMT speaks it:
//! parsing the challenge leniently (AMT's spacing after commas varies, its
//! realm looks like `Digest:…`), and answering with a nonce count so one
//! nonce serves many requests until the server calls it stale.
//!
//! Pure: no I/O; the HTTP layer feeds challenges and asks for headers.

use md5::{Digest as _, Md5};

use super::{AuthError, AuthFailure, Credentials};

/// A server's Digest challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The protection space (`Digest:2E5F…` on AMT).
    pub realm: String,
    /// The server nonce.
    pub nonce: String,
    /// Echoed back unchanged.
    pub opaque: Option<String>,
    /// The server offered `qop=auth`.
    pub qop_auth: bool,
    /// The server says our last nonce expired (retry, not a refusal).
    pub stale: bool,
}

/// Splits `a=1, b="x, y",c=z` into pairs, honouring quotes; `None` when
/// the text is not such a list (a bare word, an unterminated quote).
fn params(text: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let name = rest[..eq]
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == ',') {
            return None;
        }
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            // A quoted-string may hold `\"` and `\\` (RFC 7230 §3.2.6).
            let mut text = String::new();
            let mut end = None;
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => text.extend(chars.next().map(|(_, c)| c)),
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => text.push(c),
                }
            }
            value = text;
            rest = quoted.get(end?..).unwrap_or("");
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        rest = rest.trim_start().trim_start_matches(',').trim_start();
        out.push((name, value));
    }
    Some(out)
}

/// Reads a `WWW-Authenticate: Digest …` value: `None` if it is another
/// scheme; otherwise the challenge, or why this client cannot answer it
/// (malformed, or a variant it does not speak).
pub fn parse_challenge(header: &str) -> Option<Result<Challenge, AuthError>> {
    let header = header.trim();
    let (scheme, rest) = header
        .split_once(char::is_whitespace)
        .unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    Some(read_challenge(rest).map_err(|(failure, why)| {
        AuthError::new(failure, format!("the server's Digest challenge {why}"))
    }))
}

fn read_challenge(rest: &str) -> Result<Challenge, (AuthFailure, String)> {
    let malformed = |why: &str| (AuthFailure::Malformed, why.to_string());
    // Every parameter is name=value; an unterminated quote or a bare word
    // is a header this parser would only guess at.
    let pairs = params(rest)
        .filter(|pairs| !pairs.is_empty())
        .ok_or_else(|| malformed("is malformed (it is not a list of name=value parameters)"))?;
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    if let Some(algorithm) = get("algorithm")
        && !algorithm.eq_ignore_ascii_case("md5")
    {
        let known = [
            "MD5-sess",
            "SHA-256",
            "SHA-256-sess",
            "SHA-512-256",
            "SHA-512-256-sess",
        ];
        let what = if known.iter().any(|k| k.eq_ignore_ascii_case(&algorithm)) {
            "the algorithm"
        } else {
            "an unknown algorithm"
        };
        return Err((
            AuthFailure::Unsupported,
            format!(
                "asks for {what} {}; this client answers MD5 only",
                shown(&algorithm)
            ),
        ));
    }
    let nonce = get("nonce")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| malformed("has no nonce"))?;
    let realm = get("realm").ok_or_else(|| malformed("has no realm"))?;
    let qop = get("qop");
    let qop_auth = qop
        .as_deref()
        .is_some_and(|q| q.split(',').any(|v| v.trim().eq_ignore_ascii_case("auth")));
    if let Some(qop) = qop.filter(|_| !qop_auth) {
        return Err((
            AuthFailure::Unsupported,
            format!(
                "offers only qop={}; this client protects the credentials (qop=auth), not the \
                 message body (auth-int)",
                shown(&qop)
            ),
        ));
    }
    Ok(Challenge {
        realm,
        nonce,
        opaque: get("opaque"),
        qop_auth,
        stale: get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true")),
    })
}

/// A server's word, cut short: it goes into an error line.
fn shown(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

fn md5_hex(text: &str) -> String {
    let digest = Md5::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Digest state for one run: the current challenge and the nonce count.
#[derive(Debug, Default)]
pub struct DigestState {
    challenge: Option<Challenge>,
    count: u32,
}

impl DigestState {
    /// Takes a new challenge (resets the nonce count).
    pub fn set_challenge(&mut self, challenge: Challenge) {
        self.challenge = Some(challenge);
        self.count = 0;
    }

    /// Whether a challenge is known (so requests can carry credentials).
    pub fn ready(&self) -> bool {
        self.challenge.is_some()
    }

    /// The `Authorization` value for one request, or `None` before any
    /// challenge (or without a password: Digest needs one). `cnonce` is the
    /// client nonce (random in production).
    pub fn authorization(
        &mut self,
        credentials: &Credentials,
        method: &str,
        uri: &str,
        cnonce: &str,
    ) -> Option<String> {
        let password = credentials.password()?;
        let c = self.challenge.as_ref()?;
        self.count = self.count.wrapping_add(1);
        let nc = format!("{:08x}", self.count);
        let ha1 = md5_hex(&format!(
            "{}:{}:{}",
            credentials.username,
            c.realm,
            password.expose()
        ));
        let ha2 = md5_hex(&format!("{method}:{uri}"));
        let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let mut header = format!(
            "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", algorithm=MD5",
            quote(&credentials.username),
            quote(&c.realm),
            quote(&c.nonce),
            quote(uri)
        );
        let response = if c.qop_auth {
            header.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
            md5_hex(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", c.nonce))
        } else {
            md5_hex(&format!("{ha1}:{}:{ha2}", c.nonce))
        };
        header.push_str(&format!(", response=\"{response}\""));
        if let Some(opaque) = &c.opaque {
            header.push_str(&format!(", opaque=\"{}\"", quote(opaque)));
        }
        Some(header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::secret::Secret;

    #[test]
    fn rfc_2617_example() {
        let challenge = parse_challenge(
            "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        )
        .unwrap()
        .unwrap();
        assert!(challenge.qop_auth);
        let mut state = DigestState::default();
        state.set_challenge(challenge);
        let creds = Credentials::with_password("Mufasa", Secret::new("Circle Of Life"));
        let h = state
            .authorization(&creds, "GET", "/dir/index.html", "0a4f113b")
            .unwrap();
        assert!(
            h.contains("response=\"6629fae49393a05397450978507c4ef1\""),
            "{h}"
        );
        assert!(h.contains("nc=00000001"), "{h}");
        assert!(!h.contains("Circle"), "password leaked: {h}");
        let h = state
            .authorization(&creds, "GET", "/dir/index.html", "0a4f113b")
            .unwrap();
        assert!(h.contains("nc=00000002"), "{h}");
    }

    #[test]
    fn amt_style_challenge() {
        let c = parse_challenge(
            "Digest realm=\"Digest:A3829B3827DE4D33D4449B366831FD01\",nonce=\"WJgGAAAAAAAAAAAAttQHSGJHLSk=\",stale=\"false\",qop=\"auth\"",
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.realm, "Digest:A3829B3827DE4D33D4449B366831FD01");
        assert_eq!(c.nonce, "WJgGAAAAAAAAAAAAttQHSGJHLSk=");
        assert!(c.qop_auth && !c.stale);
        assert!(parse_challenge("Basic realm=\"x\"").is_none());
        let escaped = parse_challenge(r#"Digest realm="a \"b\", c\\d", nonce="n1", qop="auth""#)
            .unwrap()
            .unwrap();
        assert_eq!(escaped.realm, r#"a "b", c\d"#);
        assert_eq!(escaped.nonce, "n1");
        assert!(escaped.qop_auth);
    }

    #[test]
    fn challenges_it_cannot_answer_say_why() {
        let why = |header: &str| parse_challenge(header).unwrap().unwrap_err().detail;
        assert_eq!(
            why(r#"Digest realm="x""#),
            "the server's Digest challenge has no nonce"
        );
        assert_eq!(
            why(r#"Digest nonce="n", qop="auth""#),
            "the server's Digest challenge has no realm"
        );
        assert!(why(r#"Digest realm=x, nonce=1, algorithm=SHA-256"#).contains("SHA-256"));
        let unknown = why(r#"Digest realm="x", nonce="1", algorithm=ROT13"#);
        assert!(unknown.contains("an unknown algorithm ROT13"), "{unknown}");
        assert!(why(r#"Digest realm="x", nonce="1", qop="auth-int""#).contains("auth-int"));
        for broken in [
            "Digest",
            "Digest   ",
            r#"Digest realm="x, nonce"#,
            "Digest realm nonce",
        ] {
            assert!(why(broken).contains("malformed"), "{broken}");
        }
        // MD5 with qop=auth among others, or no qop at all (RFC 2069), is
        // answered.
        assert!(
            parse_challenge(r#"Digest realm="x", nonce="1", qop="auth-int, auth""#)
                .unwrap()
                .is_ok()
        );
        assert!(
            parse_challenge(r#"Digest realm="x", nonce="1""#)
                .unwrap()
                .is_ok()
        );
        assert!(parse_challenge("Basic realm=\"x\"").is_none());
    }
}
