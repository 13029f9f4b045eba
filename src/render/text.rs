//! winrm.cmd's `text` layout (reference §7.2): the root's local name, then
//! one line per child indented four spaces a level; `Name = value`,
//! `Name = null` for nil, a bare `Name` for empty; consecutive same-named
//! leaves joined by ", "; ` [Source="GPO"]` kept; an EPR's selectors on one
//! `Selector: A = 1, B = 2` line. Pure: model in, text out.

use std::fmt::Write as _;

use super::Palette;
use crate::protocol::model::Element;
use crate::protocol::ns;
use crate::terminal::push_defused;

const INDENT: usize = 4;
/// Namespace of the `cim:Location` EPR WMI appends to instances; winrm.cmd
/// leaves it out of text output.
const BASE_NS: &str = "http://schemas.dmtf.org/wbem/wsman/1/base";

/// Writes `element` in text layout, ending with a newline. The palette
/// colours property names and `null`.
pub fn write(out: &mut String, element: &Element, palette: Palette) {
    name(out, &element.name.local, palette);
    // A root that is itself a value (a `text()` fragment) shows it.
    if is_leaf(element)
        && let Some(value) = value_of(element)
    {
        out.push_str(" = ");
        push_value(out, value, element.is_nil(), palette);
    }
    source_suffix(out, element);
    out.push('\n');
    children(out, element, 1, palette);
}

fn name(out: &mut String, name: &str, palette: Palette) {
    out.push_str(palette.key);
    out.push_str(name);
    out.push_str(palette.reset);
}

fn push_value(out: &mut String, value: &str, nil: bool, palette: Palette) {
    if nil {
        out.push_str(palette.null);
        out.push_str(value);
        out.push_str(palette.reset);
    } else {
        push_defused(out, value);
    }
}

fn source_suffix(out: &mut String, element: &Element) {
    if let Some(source) = element.attribute(None, "Source") {
        let _ = write!(out, " [Source=\"{source}\"]");
    }
}

fn is_leaf(e: &Element) -> bool {
    e.children.is_empty()
}

fn value_of(e: &Element) -> Option<&str> {
    if e.is_nil() {
        Some("null")
    } else {
        // Windows pads some messages with a trailing space, and servers
        // that pretty-print put newlines and indentation around values.
        e.text.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }
}

fn children(out: &mut String, parent: &Element, depth: usize, palette: Palette) {
    let pad = " ".repeat(INDENT * depth);
    let kids = &parent.children;
    let mut i = 0;
    while i < kids.len() {
        let child = &kids[i];
        if child.name.local == "Location" && child.name.namespace.as_deref() == Some(BASE_NS) {
            i += 1;
            continue;
        }
        if child.name.is(ns::WSMAN, "SelectorSet") {
            let selectors: Vec<String> = child
                .children
                .iter()
                .map(|s| {
                    let name = s.attribute(None, "Name").unwrap_or("");
                    if s.is_epr() || !s.children.is_empty() {
                        format!("{name} = (reference)")
                    } else {
                        format!("{name} = {}", s.text_or_empty().trim())
                    }
                })
                .collect();
            out.push_str(&pad);
            name(out, "SelectorSet", palette);
            out.push('\n');
            out.push_str(&pad);
            out.push_str(&" ".repeat(INDENT));
            name(out, "Selector", palette);
            let _ = writeln!(out, ": {}", selectors.join(", "));
            i += 1;
            continue;
        }
        if is_leaf(child) {
            // Collapse a run of same-named leaves into one line.
            let mut values = Vec::new();
            let mut j = i;
            while j < kids.len() && is_leaf(&kids[j]) && kids[j].name == child.name {
                if let Some(v) = value_of(&kids[j]) {
                    values.push(v);
                }
                j += 1;
            }
            out.push_str(&pad);
            name(out, &child.name.local, palette);
            if !values.is_empty() {
                out.push_str(" = ");
                let all_null = values.iter().all(|v| *v == "null") && child.is_nil();
                push_value(out, &values.join(", "), all_null, palette);
            }
            source_suffix(out, child);
            out.push('\n');
            i = j;
        } else {
            out.push_str(&pad);
            name(out, &child.name.local, palette);
            source_suffix(out, child);
            out.push('\n');
            children(out, child, depth + 1, palette);
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::protocol::reply::parse_reply;

    fn render(body: &str) -> String {
        let xml = format!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><s:Body>{body}</s:Body></s:Envelope>"#
        );
        let element = parse_reply(xml.as_bytes(), None, "").unwrap().body.unwrap();
        let mut out = String::new();
        super::write(&mut out, &element, super::Palette::PLAIN);

        out
    }

    #[test]
    fn winrm_cmd_layout() {
        let out = render(concat!(
            "<c:Client xmlns:c=\"urn:cfg\"><c:NetworkDelayms>5000</c:NetworkDelayms>",
            "<c:Auth><c:Basic Source=\"GPO\">true</c:Basic></c:Auth>",
            "<c:TrustedHosts></c:TrustedHosts><c:InstallDate xsi:nil=\"true\"/>",
            "<c:Codes>2</c:Codes><c:Codes>5</c:Codes><c:Codes>8</c:Codes></c:Client>"
        ));
        assert_eq!(
            out,
            "Client\n    NetworkDelayms = 5000\n    Auth\n        Basic = true [Source=\"GPO\"]\n    TrustedHosts\n    InstallDate = null\n    Codes = 2, 5, 8\n"
        );
    }

    #[test]
    fn escape_sequences_from_the_server_are_defused() {
        // XML 1.0 cannot carry ESC, but it can carry C1 controls such as
        // CSI (U+009B), which some terminals obey.
        let out = render("<c:X xmlns:c=\"urn:x\"><c:V>a&#155;2Jb</c:V></c:X>");
        assert_eq!(out, "X\n    V = a\u{FFFD}2Jb\n");
    }

    #[test]
    fn selectors_on_one_line() {
        let out = render(concat!(
            "<x:ResourceCreated xmlns:x=\"http://schemas.xmlsoap.org/ws/2004/09/transfer\">",
            "<a:Address>anon</a:Address><a:ReferenceParameters><w:ResourceURI>u</w:ResourceURI>",
            "<w:SelectorSet><w:Selector Name=\"Address\">*</w:Selector><w:Selector Name=\"Transport\">HTTPS</w:Selector></w:SelectorSet>",
            "</a:ReferenceParameters></x:ResourceCreated>"
        ));
        assert_eq!(
            out,
            "ResourceCreated\n    Address = anon\n    ReferenceParameters\n        ResourceURI = u\n        SelectorSet\n            Selector: Address = *, Transport = HTTPS\n"
        );
    }
}
