//! Fuzz target: the winrm.cmd argument normaliser, on any argv (arguments
//! split at NUL bytes; invalid UTF-8 kept as raw bytes). It must never
//! panic, and its errors must never echo a value (it may be a password).

#![no_main]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use libfuzzer_sys::fuzz_target;

#[path = "../../src/cli/compat.rs"]
#[allow(dead_code)]
mod compat;

fuzz_target!(|data: &[u8]| {
    let args: Vec<OsString> = data
        .split(|b| *b == 0)
        .map(|a| OsString::from_vec(a.to_vec()))
        .collect();
    if let Err(e) = compat::normalize(args.clone()) {
        // A value is whatever follows the first ':' of a switch; a long
        // enough one must not show up in the message (unless a switch name
        // the message may name holds the same text).
        let names: Vec<&str> = args
            .iter()
            .filter_map(|a| a.to_str())
            .map(|t| t.split(':').next().unwrap_or(t))
            .chain(compat::switch_names().flat_map(|(n, l)| [n, l]))
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
