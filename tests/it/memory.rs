//! Replies built to use memory: pages of tiny items under the default
//! reply cap (2 MB), shaped for the one-pass builder and for roxmltree's
//! path (a comment sends a reply there). Each must cost memory in
//! proportion to what arrived (issue 12, item 2: 450,000 empty items in
//! 1.8 MB took 147 MB), so each run's peak resident memory is measured,
//! beside a run that reads one small page with the same binary: the
//! difference is what the reply cost.

use crate::support::Cmd;
use crate::support::raw::{RawServer, Step};

const ENUMERATE_RESPONSE: &str =
    "http://schemas.xmlsoap.org/ws/2004/09/enumeration/EnumerateResponse";

/// What a reply under the default cap may cost beyond a small one: the
/// densest shapes it accepts cost about 44 MiB (measured 2026-12-06), so a
/// build with the old model (over 100 MiB) fails here.
const REPLY_BUDGET_KIB: u64 = 48 * 1024;

/// A server answering every Enumerate with one page of `items` (inside
/// `w:Items`, with `p` bound to `urn:p` on the response) and the end.
fn page_of(items: String) -> RawServer {
    RawServer::script(move |_, request| {
        let body = format!(
            "<n:EnumerateResponse xmlns:p=\"urn:p\"><n:EnumerationContext/>\
             <w:Items>{items}</w:Items><w:EndOfSequence/></n:EnumerateResponse>"
        );
        Step::soap(request, ENUMERATE_RESPONSE, &body)
    })
}

/// `winrm e` against `server` as JSON Lines (one line per item), with the
/// default reply cap; the run and its peak memory in KiB.
fn enumerate(server: &RawServer) -> Option<(crate::support::Run, u64)> {
    Cmd::new(&[
        "e",
        "wmicimv2/Win32_Thing",
        &format!("-r:{}", server.url()),
        "-a:none",
        "-format:jsonl",
    ])
    .run_measuring_memory()
}

#[test]
fn dense_pages_cost_memory_in_proportion_to_their_size() {
    let Some((small, baseline)) = enumerate(&page_of("<p:X>1</p:X>".into())) else {
        return;
    };
    small.ok();

    // 131,000 items of 16 bytes: 2.1 MB, just under the default cap, and
    // as dense as a reply may be (one element per 16 bytes).
    let count = 131_000;
    let shapes = [
        ("empty", "<X/>            "),
        ("prefixed", "<p:X/>          "),
        ("with text", "<X>a</X>        "),
    ];
    for (what, item) in shapes {
        for (path, lead) in [("builder", ""), ("roxmltree", "<!-- c -->")] {
            let items = format!("{lead}{}", item.repeat(count));
            let Some((run, peak)) = enumerate(&page_of(items)) else {
                return;
            };
            run.ok();
            assert_eq!(run.lines().len(), count, "{what} items, {path}");
            let cost = peak.saturating_sub(baseline);
            assert!(
                cost < REPLY_BUDGET_KIB,
                "{what} items on the {path} path cost {cost} KiB beyond a small page"
            );
        }
    }
}

#[test]
fn floods_of_elements_are_refused_before_they_cost_memory() {
    let Some((small, baseline)) = enumerate(&page_of("<p:X>1</p:X>".into())) else {
        return;
    };
    small.ok();
    // 4 and 6 bytes an element: no WS-Management reply is that dense.
    for item in ["<X/>", "<p:X/>"] {
        for lead in ["", "<!-- c -->"] {
            let items = format!("{lead}{}", item.repeat(2_000_000 / item.len()));
            let Some((run, peak)) = enumerate(&page_of(items)) else {
                return;
            };
            run.code(5)
                .stderr_has("elements, over one per 16 bytes")
                .stderr_has("refused to keep memory bounded");
            assert!(run.stdout.is_empty(), "{}", run.stdout);
            let cost = peak.saturating_sub(baseline);
            assert!(cost < REPLY_BUDGET_KIB, "{item} {lead}: {cost} KiB");
        }
    }
}
