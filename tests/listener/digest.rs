//! HTTP Digest the way Intel AMT answers it (opt-in with `Config::digest`):
//! a 401 carrying `WWW-Authenticate: Digest realm="Digest:<32 hex>",
//! nonce="<base64>", stale="false", qop="auth"` and nothing else, then
//! RFC 7616 §3.4 verification of each `Authorization: Digest …` with MD5 and
//! `qop=auth`: HA1 = MD5(user:realm:password), HA2 = MD5(method:uri),
//! response = MD5(HA1:nonce:nc:cnonce:auth:HA2).
//!
//! One nonce serves many requests; a nonce count already seen with that
//! nonce is a replay and is refused. After `stale_after` accepted uses (or
//! when the test calls `expire`), the nonce is stale: a request that is
//! otherwise correct gets `stale="true"` and a fresh nonce, which tells the
//! client to retry without asking the user again.
//!
//! Knows nothing of SOAP; `mod.rs` calls [`Server::check`] before it looks at
//! the body and [`Server::challenge`] to build the 401.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use base64::Engine as _;
use md5::{Digest as _, Md5};

use super::http::Response;

/// How the simulated AMT runs Digest.
#[derive(Clone, Debug)]
pub struct DigestConfig {
    /// The protection space, `Digest:` + 32 upper-case hex digits on AMT.
    pub realm: String,
    /// A nonce turns stale after this many accepted requests.
    pub stale_after: Option<u32>,
}

impl Default for DigestConfig {
    fn default() -> Self {
        DigestConfig {
            realm: "Digest:5D1C0A3F9B7E4C21A8F60E2D47B93C15".into(),
            stale_after: None,
        }
    }
}

/// What the server made of one request's credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Correct digest over a live nonce with a new nonce count.
    Accepted,
    /// Correct digest, but over a nonce that has expired.
    Stale,
    /// Missing, malformed, wrong, replayed or over an unknown nonce.
    Refused,
}

/// One issued nonce.
#[derive(Default)]
struct Nonce {
    /// Nonce counts accepted so far.
    seen: HashSet<u32>,
    stale: bool,
}

/// Counters the tests read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DigestStats {
    /// Every 401 sent.
    pub challenges: usize,
    /// The 401s that said `stale="true"`.
    pub stale: usize,
    /// Requests refused because their nonce count was already used.
    pub replays: usize,
}

#[derive(Default)]
struct Inner {
    nonces: HashMap<String, Nonce>,
    stats: DigestStats,
}

/// The Digest state of one listener.
pub struct Server {
    cfg: DigestConfig,
    user: String,
    password: String,
    inner: Mutex<Inner>,
}

impl Server {
    pub fn new(cfg: DigestConfig, user: &str, password: &str) -> Server {
        Server {
            cfg,
            user: user.into(),
            password: password.into(),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn stats(&self) -> DigestStats {
        self.inner().stats
    }

    /// Makes every nonce issued so far stale.
    pub fn expire(&self) {
        for nonce in self.inner().nonces.values_mut() {
            nonce.stale = true;
        }
    }

    /// Judges an `Authorization` header sent with `method` to `uri` (the
    /// request target as it arrived).
    pub fn check(&self, header: Option<&str>, method: &str, uri: &str) -> Verdict {
        let Some(fields) = header.and_then(authorization_fields) else {
            return Verdict::Refused;
        };
        let get = |name: &str| fields.get(name).map(String::as_str);
        let (Some(user), Some(realm), Some(nonce), Some(signed_uri), Some(response)) = (
            get("username"),
            get("realm"),
            get("nonce"),
            get("uri"),
            get("response"),
        ) else {
            return Verdict::Refused;
        };
        let (Some("auth"), Some(nc_text), Some(cnonce)) = (get("qop"), get("nc"), get("cnonce"))
        else {
            return Verdict::Refused;
        };
        let algorithm_ok = get("algorithm").is_none_or(|a| a.eq_ignore_ascii_case("md5"));
        let Some(nc) = parse_nc(nc_text) else {
            return Verdict::Refused;
        };
        if !algorithm_ok
            || user != self.user
            || realm != self.cfg.realm
            || signed_uri != uri
            || cnonce.is_empty()
        {
            return Verdict::Refused;
        }
        let ha1 = md5_hex(&format!("{user}:{realm}:{}", self.password));
        let ha2 = md5_hex(&format!("{method}:{signed_uri}"));
        let expected = md5_hex(&format!("{ha1}:{nonce}:{nc_text}:{cnonce}:auth:{ha2}"));
        if !response.eq_ignore_ascii_case(&expected) {
            return Verdict::Refused;
        }
        let mut inner = self.inner();
        let Inner { nonces, stats } = &mut *inner;
        let Some(state) = nonces.get_mut(nonce) else {
            return Verdict::Refused;
        };
        if state.stale {
            return Verdict::Stale;
        }
        if !state.seen.insert(nc) {
            stats.replays += 1;
            return Verdict::Refused;
        }
        if self
            .cfg
            .stale_after
            .is_some_and(|limit| state.seen.len() >= limit as usize)
        {
            state.stale = true;
        }
        Verdict::Accepted
    }

    /// A 401 with a fresh nonce; `stale` tells the client its digest was
    /// right but the nonce had expired.
    pub fn challenge(&self, stale: bool) -> Response {
        let mut bytes = [0u8; 20];
        // A failed random source would only make nonces predictable in a
        // test server; fall back to a counter-derived value.
        if getrandom::fill(&mut bytes).is_err() {
            bytes[..8].copy_from_slice(&(self.stats().challenges as u64).to_be_bytes());
        }
        let nonce = base64::engine::general_purpose::STANDARD.encode(bytes);
        let mut inner = self.inner();
        inner.nonces.insert(nonce.clone(), Nonce::default());
        inner.stats.challenges += 1;
        if stale {
            inner.stats.stale += 1;
        }
        let mut resp = Response::empty(401);
        resp.headers.push((
            "WWW-Authenticate".into(),
            format!(
                "Digest realm=\"{}\", nonce=\"{nonce}\", stale=\"{stale}\", qop=\"auth\"",
                self.cfg.realm
            ),
        ));
        resp.headers
            .push(("Content-Type".into(), "text/html".into()));
        resp.body = b"<html><body>Unauthorized</body></html>".to_vec();
        resp
    }
}

/// The nonce count of a Digest `Authorization` header (for the record),
/// 0 when it names none; `None` when the header is not Digest.
pub fn nc_of(header: Option<&str>) -> Option<u32> {
    let fields = authorization_fields(header?)?;
    Some(fields.get("nc").and_then(|n| parse_nc(n)).unwrap_or(0))
}

/// `nc` is exactly 8 hex digits (RFC 7616 §3.4).
fn parse_nc(text: &str) -> Option<u32> {
    if text.len() != 8 {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The parameters of `Digest k=v, k="v", …` (names lowercased, quoted
/// values unescaped); `None` for another scheme or broken syntax.
fn authorization_fields(header: &str) -> Option<HashMap<String, String>> {
    let (scheme, mut rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut out = HashMap::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Some(out);
        }
        let (name, after) = rest.split_once('=')?;
        let name = name.trim().to_ascii_lowercase();
        let after = after.trim_start();
        let value;
        if let Some(quoted) = after.strip_prefix('"') {
            let mut text = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
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
            rest = &quoted[end?..];
        } else {
            let end = after.find(',').unwrap_or(after.len());
            value = after[..end].trim().to_string();
            rest = &after[end..];
        }
        if out.insert(name, value).is_some() {
            return None;
        }
    }
}
