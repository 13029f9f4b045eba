//! Fuzz target: reply bytes from a hostile server through everything that
//! reads them: decoding (charset from a Content-Type picked by the first
//! byte), XML parsing, the SOAP checks, fault extraction (and its error
//! number), enumeration pages, and every output format of what came out.

#![no_main]

use libfuzzer_sys::fuzz_target;
use winrm::protocol::enumerate::{Enumerator, read_page};
use winrm::protocol::reply::{element_from_node, parse_reply_with};
use winrm::protocol::{Element, Fault, ProtocolError, codes};
use winrm::render::{Format, Printer};

const CONTENT_TYPES: [Option<&str>; 6] = [
    None,
    Some("application/soap+xml;charset=UTF-8"),
    Some("application/soap+xml;charset=UTF-16"),
    Some("application/soap+xml; charset=\"utf-16be\""),
    Some("application/soap+xml;charset=utf-16le"),
    Some("text/html"),
];
/// What the client sent, for the RelatesTo check.
const MESSAGE_ID: &str = "uuid:11111111-2222-4333-8444-555555555555";

fn render(element: &Element) {
    for format in [Format::Text, Format::Xml, Format::Pretty] {
        let mut out = Vec::new();
        let mut printer = Printer::new(format, &mut out);
        let _ = printer.single(element);
        let _ = printer.item(element);
        let _ = printer.finish_list();
    }
}

fn fault(fault: &Fault) {
    let _ = fault.subcode_qname();
    if let Some(code) = fault.error_code() {
        let _ = codes::signed_and_hex(code);
        let _ = codes::lookup(code);
    }
    if let Some(detail) = &fault.detail {
        render(detail);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let message_id = if selector & 0x80 == 0 { MESSAGE_ID } else { "" };

    // A single reply (Get, Put, Create, Invoke, Identify).
    match parse_reply_with(bytes, content_type, message_id, |node| {
        node.map(element_from_node).transpose()
    }) {
        Ok((_, Some(element))) => render(&element),
        Err(ProtocolError::Fault(f)) => fault(&f),
        _ => {}
    }
    // The same bytes as an enumeration page.
    for expected in ["EnumerateResponse", "PullResponse"] {
        if let Ok((_, page)) = parse_reply_with(bytes, content_type, message_id, |node| {
            read_page(node, expected)
        }) {
            let mut state = Enumerator::new(u32::from(selector));
            if let Ok(items) = state.take(page) {
                items.iter().for_each(render);
            }
            let _ = state.next_pull();
            let _ = state.release();
            let _ = state.take_truncation();
        }
    }
});
