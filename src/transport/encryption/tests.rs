//! Framing tests with a toy sealer: XOR "encryption" and an additive
//! checksum as the signature, enough to prove that every byte is checked.

use super::*;

struct Toy {
    chunk: Option<usize>,
    sealed: usize,
}

impl Toy {
    fn new(chunk: Option<usize>) -> Self {
        Toy { chunk, sealed: 0 }
    }
}

fn checksum(data: &[u8]) -> [u8; 4] {
    data.iter()
        .fold(0u32, |s, b| s.wrapping_mul(31).wrapping_add(u32::from(*b)))
        .to_le_bytes()
}

impl Sealer for Toy {
    fn protocol(&self) -> &'static str {
        "application/HTTP-SPNEGO-session-encrypted"
    }
    fn chunk_size(&self) -> Option<usize> {
        self.chunk
    }
    fn seal(&mut self, plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
        self.sealed += 1;
        let payload: Vec<u8> = plaintext.iter().map(|b| b ^ 0x5A).collect();
        Ok((checksum(plaintext).to_vec(), payload))
    }
    fn unseal(&mut self, signature: &[u8], payload: &[u8]) -> Result<Vec<u8>, String> {
        let plain: Vec<u8> = payload.iter().map(|b| b ^ 0x5A).collect();
        if signature != checksum(&plain) {
            return Err("bad signature".into());
        }
        Ok(plain)
    }
}

const SOAP: &str = "application/soap+xml;charset=UTF-8";

/// Replaces every `from` with `to`, byte-wise (bodies are binary).
fn replace(body: &[u8], from: &str, to: &str) -> Vec<u8> {
    let (from, to) = (from.as_bytes(), to.as_bytes());
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn layout_is_the_documented_one() {
    let mut toy = Toy::new(None);
    let (ct, body) = seal(&mut toy, SOAP, b"<a/>").unwrap();
    assert_eq!(
        ct,
        "multipart/encrypted;protocol=\"application/HTTP-SPNEGO-session-encrypted\";boundary=\"Encrypted Boundary\""
    );
    let mut expected =
        b"--Encrypted Boundary\r\nContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n\
OriginalContent: type=application/soap+xml;charset=UTF-8;Length=4\r\n--Encrypted Boundary\r\n\
Content-Type: application/octet-stream\r\n\x04\x00\x00\x00"
            .to_vec();
    expected.extend_from_slice(&checksum(b"<a/>"));
    expected.extend(b"<a/>".iter().map(|b| b ^ 0x5A));
    expected.extend_from_slice(b"--Encrypted Boundary--\r\n");
    assert_eq!(body, expected);
}

#[test]
fn round_trip() {
    let mut toy = Toy::new(None);
    let text = "<s:Envelope>héllo -- Encrypted</s:Envelope>".as_bytes();
    let (ct, body) = seal(&mut toy, SOAP, text).unwrap();
    let (original, plain) = unseal(&mut toy, &ct, &body).unwrap();
    assert_eq!(original, SOAP);
    assert_eq!(plain, text);
}

#[test]
fn credssp_chunks_of_16_kib() {
    let mut toy = Toy::new(Some(CREDSSP_CHUNK));
    let text = vec![b'x'; CREDSSP_CHUNK * 2 + 10];
    let (ct, body) = seal(&mut toy, SOAP, &text).unwrap();
    assert!(ct.starts_with("multipart/x-multi-encrypted;"), "{ct}");
    assert_eq!(toy.sealed, 3);
    let parts = decode(&ct, &body).unwrap();
    let lengths: Vec<usize> = parts.iter().map(|p| p.length).collect();
    assert_eq!(lengths, [CREDSSP_CHUNK, CREDSSP_CHUNK, 10]);
    assert_eq!(unseal(&mut toy, &ct, &body).unwrap().1, text);
    // One chunk only: plain multipart/encrypted.
    let (ct, _) = seal(&mut toy, SOAP, &text[..CREDSSP_CHUNK]).unwrap();
    assert!(ct.starts_with("multipart/encrypted;"), "{ct}");
}

#[test]
fn a_flipped_byte_anywhere_in_the_blob_is_refused() {
    let mut toy = Toy::new(None);
    let (ct, body) = seal(&mut toy, SOAP, b"<reply>ok</reply>").unwrap();
    let blob_start = body
        .windows(14)
        .position(|w| w == b"octet-stream\r\n")
        .unwrap()
        + 14;
    let blob_end = body.len() - b"--Encrypted Boundary--\r\n".len();
    for at in blob_start + 4..blob_end {
        let mut bad = body.clone();
        bad[at] ^= 1;
        assert!(
            unseal(&mut toy, &ct, &bad).is_err(),
            "byte {at} not checked"
        );
    }
}

#[test]
fn wrong_length_is_refused() {
    let mut toy = Toy::new(None);
    let (ct, body) = seal(&mut toy, SOAP, b"12345").unwrap();
    let text = replace(&body, "Length=5", "Length=6");
    let e = unseal(&mut toy, &ct, &text).unwrap_err();
    assert!(e.0.contains("announced 6 bytes but held 5"), "{e}");
}

#[test]
fn other_protocol_is_refused() {
    let mut toy = Toy::new(None);
    let (ct, body) = seal(&mut toy, SOAP, b"12345").unwrap();
    let text = replace(&body, "SPNEGO", "Kerberos");
    assert!(unseal(&mut toy, &ct, &text).is_err());
}

#[test]
fn tabs_and_exchange_boundary_spacing_are_read() {
    let mut toy = Toy::new(None);
    let (ct, body) = seal(&mut toy, SOAP, b"abc").unwrap();
    let text = replace(&body, "\r\nContent-Type", "\r\n\tContent-Type");
    let text = replace(&text, "\r\nOriginalContent", "\r\n\tOriginalContent");
    let text = replace(
        &text,
        "--Encrypted Boundary\r\n",
        "-- Encrypted Boundary\r\n",
    );
    assert_eq!(unseal(&mut toy, &ct, &text).unwrap().1, b"abc");
}

#[test]
fn malformed_bodies_are_errors_not_panics() {
    let mut toy = Toy::new(None);
    let (ct, body) = seal(&mut toy, SOAP, b"<a>payload</a>").unwrap();
    for cut in 0..body.len() {
        let _ = decode(&ct, &body[..cut]);
        let _ = unseal(&mut toy, &ct, &body[..cut]);
    }
    assert!(decode(&ct, b"").is_err());
    assert!(decode(&ct, b"garbage--Encrypted Boundary--\r\n").is_err());
    // A signature length past the end of the part.
    let huge = replace(&body, "stream\r\n\x04", "stream\r\n\x7f");
    assert!(decode(&ct, &huge).is_err());
}

#[test]
fn content_type_detection() {
    assert!(is_sealed("multipart/encrypted;protocol=\"x\""));
    assert!(is_sealed("Multipart/X-Multi-Encrypted;protocol=\"x\""));
    assert!(!is_sealed("application/soap+xml;charset=UTF-8"));
}
