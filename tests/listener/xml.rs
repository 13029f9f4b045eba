//! Small XML helpers shared by every reply builder: namespace URIs, text
//! escaping, roxmltree look-ups by (namespace URI, local name), and the
//! `uuid:` identifiers Windows puts in MessageID and enumeration contexts,
//! and xs:duration values (OperationTimeout, IdleTimeOut).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub const NS_SOAP: &str = "http://www.w3.org/2003/05/soap-envelope";
pub const NS_ADDR: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
pub const NS_WSMAN: &str = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd";
pub const NS_WSMV: &str = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd";
pub const NS_ENUM: &str = "http://schemas.xmlsoap.org/ws/2004/09/enumeration";
pub const NS_IDENTITY: &str = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd";
pub const NS_CIMBINDING: &str = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd";
pub const NS_CIM: &str = "http://schemas.dmtf.org/wbem/wscim/1/common";
pub const NS_BASE: &str = "http://schemas.dmtf.org/wbem/wsman/1/base";
pub const NS_FAULT: &str = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault";
pub const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
pub const ANONYMOUS: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";

/// Escapes text for element content and double-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    esc_into(&mut out, s);
    out
}

/// Same as [`esc`] but appends to an existing buffer (hot path of enumerations).
pub fn esc_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
}

/// First element child with this namespace URI and local name.
pub fn child<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    ns: &str,
    name: &str,
) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|c| is(*c, ns, name))
}

/// True when `node` is an element named `{ns}name`.
pub fn is(node: roxmltree::Node, ns: &str, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace().unwrap_or("") == ns
}

/// Element children only (skips whitespace and comments).
pub fn elements<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.children().filter(|c| c.is_element())
}

/// Concatenated text of the direct text children, trimmed like Windows does
/// for header values.
pub fn text(node: roxmltree::Node) -> String {
    let mut s = String::new();
    for c in node.children() {
        if c.is_text() {
            s.push_str(c.text().unwrap_or(""));
        }
    }
    s.trim().to_string()
}

/// Value of `s:mustUnderstand` as a boolean ("true" or "1").
pub fn must_understand(node: roxmltree::Node) -> bool {
    matches!(
        node.attribute((NS_SOAP, "mustUnderstand")),
        Some("true") | Some("1")
    )
}

static UUID_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A random-looking version-4 UUID in Windows' uppercase form, prefixed
/// `uuid:`. Not cryptographic: it only has to be unique within a run.
pub fn new_uuid() -> String {
    let n = UUID_COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut a = splitmix(nanos ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut b = splitmix(a ^ u64::from(std::process::id()) ^ n);
    a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000; // version 4
    b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000; // RFC 4122 variant
    format!(
        "uuid:{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFFF,
        b >> 48,
        b & 0xFFFF_FFFF_FFFF
    )
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The inside of an endpoint reference (`a:Address` + `a:ReferenceParameters`
/// with `w:ResourceURI` and `w:SelectorSet`) as Windows writes it, using the
/// envelope's `a` and `w` prefixes.
pub fn epr_body(out: &mut String, resource_uri: &str, selectors: &[(&str, &str)]) {
    out.push_str("<a:Address>");
    out.push_str(ANONYMOUS);
    out.push_str("</a:Address><a:ReferenceParameters><w:ResourceURI>");
    esc_into(out, resource_uri);
    out.push_str("</w:ResourceURI><w:SelectorSet>");
    for (name, value) in selectors {
        out.push_str("<w:Selector Name=\"");
        esc_into(out, name);
        out.push_str("\">");
        esc_into(out, value);
        out.push_str("</w:Selector>");
    }
    out.push_str("</w:SelectorSet></a:ReferenceParameters>");
}

/// A whole EPR element: `<wrapper>` + [`epr_body`] + `</wrapper>`.
pub fn epr(wrapper: &str, resource_uri: &str, selectors: &[(&str, &str)]) -> String {
    let mut s = String::with_capacity(320);
    s.push('<');
    s.push_str(wrapper);
    s.push('>');
    epr_body(&mut s, resource_uri, selectors);
    s.push_str("</");
    s.push_str(wrapper);
    s.push('>');
    s
}

/// xs:duration as used for OperationTimeout (`PT60.000S`, `PT20S`,
/// `P1DT2H`, ...). None for negative or malformed values.
pub fn parse_duration(s: &str) -> Option<f64> {
    let rest = s.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut total = 0.0;
    let mut any = false;
    let mut scan = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut num = String::new();
        let mut idx = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                num.push(c);
                continue;
            }
            let pos = units[idx..].iter().position(|(u, _)| *u == c)?;
            let v: f64 = num.parse().ok()?;
            total += v * units[idx + pos].1;
            idx += pos + 1;
            num.clear();
            any = true;
        }
        num.is_empty().then_some(())
    };
    scan(
        date,
        &[('Y', 31_536_000.0), ('M', 2_592_000.0), ('D', 86_400.0)],
    )?;
    if let Some(t) = time {
        scan(t, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    any.then_some(total)
}
