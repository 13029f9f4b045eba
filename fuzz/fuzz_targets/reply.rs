//! Fuzz target: reply bytes from a hostile server through everything that
//! reads them: decoding (charset from a Content-Type picked by the first
//! byte), XML parsing, the SOAP checks, fault extraction (and its error
//! number), enumeration pages, and every output format (text, xml, pretty,
//! json, jsonl, table) of what came out.
//! Every element must also survive being written back as XML (what `set`
//! does) with its content unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use winrm::internals::{
    Enumerator, element_from_node, parse_document, parse_reply_with, read_page, write_element,
};
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

/// The same content: names by namespace URI (prefixes may differ),
/// attributes in any order, text (absent and empty alike), children.
fn same(a: &Element, b: &Element) -> bool {
    let key = |e: &Element| {
        let mut attributes: Vec<_> = e
            .attributes
            .iter()
            .map(|x| {
                (
                    x.name.local.clone(),
                    x.name.namespace.clone(),
                    x.value.clone(),
                )
            })
            .collect();
        attributes.sort();
        (
            e.name.local.clone(),
            e.name.namespace.clone(),
            e.text.clone().unwrap_or_default(),
            attributes,
        )
    };
    key(a) == key(b)
        && a.children.len() == b.children.len()
        && a.children.iter().zip(&b.children).all(|(x, y)| same(x, y))
}

/// What `set` sends back is what it read: the element written as XML
/// parses again, to the same content.
fn round_trip(element: &Element) {
    let mut text = String::new();
    write_element(&mut text, element, None);
    let doc = parse_document(&text).unwrap_or_else(|e| panic!("{e}: we wrote {text:?}"));
    let back =
        element_from_node(doc.root_element()).unwrap_or_else(|e| panic!("{e}: we wrote {text:?}"));
    assert!(
        same(element, &back),
        "{element:?}\nbecame {back:?}\nvia {text:?}"
    );
}

fn render(element: &Element) {
    round_trip(element);
    for (format, _) in Format::ALL {
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
        node.map(element_from_node)
            .transpose()
            .map_err(ProtocolError::from)
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
