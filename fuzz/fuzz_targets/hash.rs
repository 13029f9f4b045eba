//! Fuzz target: the `@{Key="value"}` / `-options:{...}` grammar and the
//! association-filter form, on any text. Errors must carry a column inside
//! the input (plus one, for "ended early"), and what parses must parse the
//! same once written back in the canonical `@{Key="value";K=$null}` form.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../src/cli/hash.rs"]
#[allow(dead_code)]
mod hash;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let columns = text.chars().count() + 1;
    match hash::parse_hash(text) {
        Ok(pairs) => {
            for (key, _) in &pairs {
                assert!(!key.is_empty(), "empty key from {text:?}");
            }
            // Written back in the canonical form, the pairs parse the same.
            let canonical: Vec<String> = pairs
                .iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("{k}=\"{v}\""),
                    None => format!("{k}=$null"),
                })
                .collect();
            let canonical = format!("@{{{}}}", canonical.join(";"));
            assert_eq!(
                hash::parse_hash(&canonical).as_ref(),
                Ok(&pairs),
                "{text:?} became {canonical:?}"
            );
        }
        Err(e) => assert!(
            (1..=columns).contains(&e.column),
            "column {} outside {text:?}",
            e.column
        ),
    }
    match hash::parse_association(text) {
        Ok(pairs) => {
            for (key, _) in &pairs {
                assert!(!key.is_empty(), "empty key from {text:?}");
            }
        }
        Err(e) => assert!(
            (1..=columns).contains(&e.column),
            "column {} outside {text:?}",
            e.column
        ),
    }
});
