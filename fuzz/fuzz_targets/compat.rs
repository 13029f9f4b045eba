//! Fuzz target: the winrm.cmd argument normaliser, on any argv (arguments
//! split at NUL bytes; invalid UTF-8 kept as raw bytes). It must never
//! panic, its errors must never echo a value (it may be a password), and
//! its output must pass through it unchanged.

#![no_main]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use libfuzzer_sys::fuzz_target;

// compat derives its switch table from the clap definition (`super::args`),
// so both files are compiled in, side by side, as in the binary's `cli`.
#[path = "../../src/cli/args.rs"]
#[allow(dead_code)]
mod args;

#[path = "../../src/cli/compat.rs"]
#[allow(dead_code)]
mod compat;

fuzz_target!(|data: &[u8]| {
    let args: Vec<OsString> = data
        .split(|b| *b == 0)
        .map(|a| OsString::from_vec(a.to_vec()))
        .collect();
    let normalized = compat::normalize(args.clone());
    // What comes out is already in GNU form: a second pass changes nothing.
    if let Ok(out) = &normalized {
        assert_eq!(
            compat::normalize(out.clone()).as_ref(),
            Ok(out),
            "not idempotent on {args:?}"
        );
    }
    if let Err(e) = normalized {
        // A value is whatever follows the first ':' of a switch; a long
        // enough one must not show up in the message (unless a switch name
        // the message may name holds the same text).
        let names: Vec<&str> = args
            .iter()
            .filter_map(|a| a.to_str())
            .map(|t| t.split(':').next().unwrap_or(t))
            .chain(
                compat::switches()
                    .iter()
                    .flat_map(|s| s.names.iter().chain([&s.long]).map(String::as_str)),
            )
            .collect();
        for arg in &args {
            let Some(text) = arg.to_str() else { continue };
            if let Some((_, value)) = text.split_once(':')
                && value.len() >= 12
                && text.starts_with(['-', '/'])
                && !names.iter().any(|n| n.contains(value))
            {
                assert!(
                    !e.message.contains(value),
                    "the error echoes the value {value:?}: {}",
                    e.message
                );
            }
        }
    }
    for arg in &args {
        if let Some(text) = arg.to_str() {
            let _ = compat::long_name(text);
        }
    }
});
