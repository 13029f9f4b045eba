//! Fuzz target: the MS-WSMV `multipart/encrypted` framing a hostile server
//! controls. Any body split into parts must never panic; what decodes must
//! encode back into a body that decodes to the same parts; and sealing any
//! plaintext with a stand-in mechanism, then unsealing it, must give the
//! plaintext back (chunked into 16 KiB parts when the mechanism asks).

#![no_main]

use libfuzzer_sys::fuzz_target;
use winrm::transport::encryption::{self, Sealer};

/// A stand-in mechanism: XOR with a key byte, written as hex, and a one-byte
/// checksum as the signature, so tampering is caught and the framing is
/// what is tested. (Hex keeps `--` out of the payload: the framing finds
/// parts by their boundary line, which real ciphertext contains with a
/// chance of about 2^-160, but a transparent stand-in easily could.)
struct Xor {
    key: u8,
    chunk: Option<usize>,
}

impl Sealer for Xor {
    fn protocol(&self) -> &'static str {
        "application/HTTP-SPNEGO-session-encrypted"
    }
    fn chunk_size(&self) -> Option<usize> {
        self.chunk
    }
    fn seal(&mut self, plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
        let sum = plaintext.iter().fold(0u8, |a, b| a.wrapping_add(*b));
        let hex = plaintext
            .iter()
            .flat_map(|b| format!("{:02x}", b ^ self.key).into_bytes())
            .collect();
        Ok((vec![sum], hex))
    }
    fn unseal(&mut self, signature: &[u8], payload: &[u8]) -> Result<Vec<u8>, String> {
        let text = std::str::from_utf8(payload).map_err(|_| "not hex")?;
        if text.len() % 2 != 0 {
            return Err("odd hex".into());
        }
        let plain = (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map(|b| b ^ self.key))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| "not hex")?;
        let sum = plain.iter().fold(0u8, |a, b| a.wrapping_add(*b));
        if signature != [sum] {
            return Err("bad signature".into());
        }
        Ok(plain)
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = encryption::content_type(
        "application/HTTP-SPNEGO-session-encrypted",
        selector & 1 == 1,
    );

    // Whatever a server sends: parts, or an error, never a panic.
    if let Ok(parts) = encryption::decode(&content_type, body) {
        let again = encryption::encode(&parts);
        let reparsed = encryption::decode(&content_type, &again).expect("our own framing decodes");
        assert_eq!(reparsed, parts);
    }
    let mut sealer = Xor {
        key: selector,
        chunk: (selector & 2 == 2).then_some(encryption::CREDSSP_CHUNK),
    };
    let _ = encryption::unseal(&mut sealer, &content_type, body);

    // Sealing any plaintext and opening it again gives it back.
    let (sealed_type, sealed) =
        encryption::seal(&mut sealer, "application/soap+xml;charset=UTF-8", body).expect("seal");

    let (original, plain) = encryption::unseal(&mut sealer, &sealed_type, &sealed).expect("unseal");
    assert_eq!(original, "application/soap+xml;charset=UTF-8");
    assert_eq!(plain, body);
});
