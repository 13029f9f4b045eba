//! MS-WSMV message encryption (§2.2.9.1): the `multipart/encrypted` body
//! that carries a SOAP message sealed by the authentication context over
//! plain HTTP.
//!
//! This module owns the framing only: building and reading the MIME parts,
//! the `OriginalContent` length check, the u32 signature-length prefix and
//! CredSSP's 16 KiB `multipart/x-multi-encrypted` chunking. The
//! cryptography is the [`Sealer`]'s (the negotiated security context). The
//! functions are pure, so they can be fuzzed and unit-tested without a
//! network. Knows no HTTP and no XML.

use std::fmt;

/// The MIME boundary every known client and server uses.
pub const BOUNDARY: &str = "Encrypted Boundary";
/// CredSSP seals at most this many plaintext bytes per part.
pub const CREDSSP_CHUNK: usize = 16384;
/// A signature longer than this is not from any known mechanism.
const MAX_SIGNATURE: usize = 64 * 1024;

/// A security context able to seal and unseal WinRM messages.
pub trait Sealer {
    /// The `protocol=` value: `application/HTTP-SPNEGO-session-encrypted`,
    /// `...-Kerberos-...` or `...-CredSSP-...`.
    fn protocol(&self) -> &'static str;
    /// The largest plaintext sealed in one part (`Some` for CredSSP).
    fn chunk_size(&self) -> Option<usize>;
    /// Seals `plaintext`: returns (signature/header, encrypted payload).
    fn seal(&mut self, plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String>;
    /// Verifies and decrypts one part. Fails on any tampering.
    fn unseal(&mut self, signature: &[u8], payload: &[u8]) -> Result<Vec<u8>, String>;
}

/// Why a sealed message could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptionError(pub String);

impl fmt::Display for EncryptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EncryptionError {}

fn err<T>(text: impl Into<String>) -> Result<T, EncryptionError> {
    Err(EncryptionError(text.into()))
}

/// One sealed part as it travels: the plaintext length announced in
/// `OriginalContent`, the mechanism's signature, and the encrypted bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// The inner `Content-Type` of the metadata part (the protocol string).
    pub protocol: &'a str,
    /// The original content type (`application/soap+xml;charset=UTF-8`).
    pub original_type: &'a str,
    /// The announced plaintext length.
    pub length: usize,
    /// The signature (NTLM), wrap token header (Kerberos) or TLS trailer
    /// length's worth of record (CredSSP).
    pub signature: &'a [u8],
    /// The encrypted bytes.
    pub payload: &'a [u8],
}

/// Whether a reply's Content-Type says it is sealed.
pub fn is_sealed(content_type: &str) -> bool {
    let lower = content_type.trim_start().to_ascii_lowercase();
    lower.starts_with("multipart/encrypted") || lower.starts_with("multipart/x-multi-encrypted")
}

/// The Content-Type header of a sealed request.
pub fn content_type(protocol: &str, multi: bool) -> String {
    let kind = if multi {
        "multipart/x-multi-encrypted"
    } else {
        "multipart/encrypted"
    };
    format!("{kind};protocol=\"{protocol}\";boundary=\"{BOUNDARY}\"")
}

/// Builds the body from sealed parts. Inner header lines carry no leading
/// tab: OMI rejects one, and MIME parsers (Windows' included) accept none.
pub fn encode(parts: &[Part]) -> Vec<u8> {
    let size: usize = parts
        .iter()
        .map(|p| p.signature.len() + p.payload.len() + 256)
        .sum();
    let mut body = Vec::with_capacity(size);
    for part in parts {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Type: {}\r\nOriginalContent: type={};Length={}\r\n\
                 --{BOUNDARY}\r\nContent-Type: application/octet-stream\r\n",
                part.protocol, part.original_type, part.length
            )
            .as_bytes(),
        );
        // A signature never approaches 4 GiB; the cast is checked by the
        // caller's MAX_SIGNATURE-sized mechanisms.
        body.extend_from_slice(&(part.signature.len() as u32).to_le_bytes());
        body.extend_from_slice(part.signature);
        body.extend_from_slice(part.payload);
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The boundary a Content-Type names (default [`BOUNDARY`]).
fn boundary_of(content_type: &str) -> String {
    for param in content_type.split(';').skip(1) {
        if let Some((name, value)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("boundary")
        {
            return value.trim().trim_matches('"').to_string();
        }
    }
    BOUNDARY.to_string()
}

/// Finds the next delimiter (`--BOUNDARY`, also `-- BOUNDARY` as Exchange
/// writes it) at or after `from`: returns (start, end).
fn find_delimiter(body: &[u8], boundary: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut at = from;
    while at < body.len() {
        let rel = body.get(at..)?.windows(2).position(|w| w == b"--")?;
        let start = at + rel;
        let mut cursor = start + 2;
        if body.get(cursor) == Some(&b' ') {
            cursor += 1;
        }
        if body.get(cursor..)?.starts_with(boundary) {
            return Some((start, cursor + boundary.len()));
        }
        at = start + 1;
    }
    None
}

fn skip_crlf(body: &[u8], at: usize) -> usize {
    if body.get(at..).is_some_and(|rest| rest.starts_with(b"\r\n")) {
        at + 2
    } else {
        at
    }
}

/// Reads `Name: value` header lines (leading whitespace allowed).
fn headers(block: &[u8]) -> Result<Vec<(String, &str)>, EncryptionError> {
    let text = std::str::from_utf8(block)
        .map_err(|_| EncryptionError("a part header is not text".into()))?;
    let mut out = Vec::new();
    for line in text.split("\r\n").map(str::trim).filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return err(format!("a part header line has no colon: {line:.60}"));
        };
        out.push((name.trim().to_ascii_lowercase(), value.trim()));
    }
    Ok(out)
}

/// Splits a sealed body into its parts, checking the framing (not the
/// cryptography).
pub fn decode<'a>(content_type: &str, body: &'a [u8]) -> Result<Vec<Part<'a>>, EncryptionError> {
    let boundary = boundary_of(content_type);
    let boundary = boundary.as_bytes();
    let Some((first, mut pos)) = find_delimiter(body, boundary, 0) else {
        return err("the sealed body has no boundary");
    };
    if body[..first].iter().any(|b| !b.is_ascii_whitespace()) {
        return err("the sealed body has bytes before its first boundary");
    }
    let mut parts = Vec::new();
    loop {
        pos = skip_crlf(body, pos);
        let Some((meta_end, data_start)) = find_delimiter(body, boundary, pos) else {
            return err("the sealed body ends inside a metadata part");
        };
        let meta = headers(&body[pos..meta_end])?;
        let get = |name: &str| meta.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
        let protocol = get("content-type").unwrap_or("");
        let original = get("originalcontent")
            .ok_or_else(|| EncryptionError("a sealed part has no OriginalContent".into()))?;
        let (original_type, length) = original_content(original)?;

        // The data part: one header line, then the binary blob up to the
        // next delimiter.
        let line_start = skip_crlf(body, data_start);
        let Some(line_len) = body[line_start..].windows(2).position(|w| w == b"\r\n") else {
            return err("the sealed body ends inside a data part header");
        };
        let line = &body[line_start..line_start + line_len];
        let line = String::from_utf8_lossy(line).trim().to_ascii_lowercase();
        if !line.starts_with("content-type:") || !line.contains("application/octet-stream") {
            return err("a sealed data part is not application/octet-stream");
        }
        let blob_start = line_start + line_len + 2;
        let Some((blob_end, after)) = find_delimiter(body, boundary, blob_start) else {
            return err("the sealed body has no closing boundary");
        };
        let blob = &body[blob_start..blob_end];
        let Some((len_bytes, rest)) = blob.split_first_chunk::<4>() else {
            return err("a sealed data part is shorter than its length prefix");
        };
        let sig_len = u32::from_le_bytes(*len_bytes) as usize;
        if sig_len > MAX_SIGNATURE || sig_len > rest.len() {
            return err(format!(
                "a sealed data part announces a {sig_len}-byte signature in {} bytes",
                rest.len()
            ));
        }
        let (signature, payload) = rest.split_at(sig_len);
        parts.push(Part {
            protocol,
            original_type,
            length,
            signature,
            payload,
        });
        if body.get(after..).is_some_and(|r| r.starts_with(b"--")) {
            return Ok(parts);
        }
        pos = after;
    }
}

/// `type=application/soap+xml;charset=UTF-8;Length=123` → (type, 123).
fn original_content(value: &str) -> Result<(&str, usize), EncryptionError> {
    let mut length = None;
    let mut kind_end = value.len();
    for (offset, piece) in value.match_indices(';') {
        let rest = &value[offset + piece.len()..];
        if let Some((name, number)) = rest.split_once('=')
            && name.trim().eq_ignore_ascii_case("length")
        {
            let digits = number.split(';').next().unwrap_or("").trim();
            length = digits.parse::<usize>().ok();
            kind_end = offset;
        }
    }
    let length =
        length.ok_or_else(|| EncryptionError("OriginalContent has no valid Length".into()))?;
    let kind = value[..kind_end].trim();
    let kind = kind.strip_prefix("type=").unwrap_or(kind);
    Ok((kind, length))
}

/// Seals a request body: returns the Content-Type header and the body.
pub fn seal(
    sealer: &mut dyn Sealer,
    content_type: &str,
    body: &[u8],
) -> Result<(String, Vec<u8>), EncryptionError> {
    let chunk = sealer.chunk_size().unwrap_or(usize::MAX).max(1);
    let protocol = sealer.protocol();
    let mut sealed = Vec::new();
    let mut chunks: Vec<&[u8]> = body.chunks(chunk).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    for piece in &chunks {
        let (signature, payload) = sealer.seal(piece).map_err(EncryptionError)?;
        sealed.push((piece.len(), signature, payload));
    }
    let parts: Vec<Part> = sealed
        .iter()
        .map(|(length, signature, payload)| Part {
            protocol,
            original_type: content_type,
            length: *length,
            signature,
            payload,
        })
        .collect();
    Ok((content_type_for(protocol, parts.len()), encode(&parts)))
}

fn content_type_for(protocol: &str, parts: usize) -> String {
    content_type(protocol, parts > 1)
}

/// Verifies and decrypts a sealed reply: returns the original Content-Type
/// and the plaintext. Any part that fails verification, or whose plaintext
/// length differs from the announced one, fails the whole reply.
pub fn unseal(
    sealer: &mut dyn Sealer,
    content_type: &str,
    body: &[u8],
) -> Result<(String, Vec<u8>), EncryptionError> {
    let parts = decode(content_type, body)?;
    let expected = sealer.protocol();
    let mut plain = Vec::new();
    let mut original = String::new();
    for part in parts {
        if !part.protocol.eq_ignore_ascii_case(expected) {
            return err(format!(
                "the reply is sealed with {} but this connection uses {expected}",
                part.protocol
            ));
        }
        let mut opened = sealer
            .unseal(part.signature, part.payload)
            .map_err(|e| EncryptionError(format!("the sealed reply failed verification: {e}")))?;
        // Kerberos with RC4 pads; Length then counts the padding too.
        if opened.len() > part.length {
            opened.truncate(part.length);
        }
        if opened.len() != part.length {
            return err(format!(
                "the sealed reply announced {} bytes but held {}",
                part.length,
                opened.len()
            ));
        }
        plain.extend_from_slice(&opened);
        original = part.original_type.to_string();
    }
    Ok((original, plain))
}

#[cfg(test)]
mod tests;
