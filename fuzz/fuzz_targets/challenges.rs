//! Fuzz target: what a hostile server sends below WS-Man that the client
//! reads itself: a `WWW-Authenticate: Digest` value, an NTLM challenge, an
//! answer that came before the request was fully sent, and the start of a
//! reply that is not HTTP. None may panic; a refusal names its scheme; a
//! status is a real one; the bytes shown are escaped (no control
//! character reaches the terminal) and bounded.

#![no_main]

use libfuzzer_sys::fuzz_target;
use winrm::internals::challenges;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for header in [format!("Digest {text}"), text.to_string()] {
        if let Some(Err(refusal)) = challenges::digest(&header) {
            assert!(refusal.detail.starts_with("the server's Digest challenge "));
            assert!(refusal.detail.chars().count() < 300, "{}", refusal.detail);
        }
    }
    if let Err(why) = challenges::ntlm(data) {
        assert!(!why.is_empty());
    }
    if let Some(answer) = challenges::early_answer(data) {
        assert!((100..600).contains(&answer.status));
        assert!(answer.detail.is_none_or(|d| d.chars().count() <= 201));
    }
    let shown = challenges::not_http(&data[..data.len().min(32)]);
    assert!(!shown.contains(|c: char| c.is_control()), "{shown:?}");
    assert!(shown.len() < 200);
});
