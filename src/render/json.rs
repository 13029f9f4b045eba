//! The `json` and `jsonl` formats: one stable shape for every verb,
//! documented in `winrm help json` and the man page.
//!
//! - A result is an object. Its keys are the property names in document
//!   order, plus metadata keys that start with `@` (an XML name never
//!   does, so they cannot clash): `@class` (the element's local name, on
//!   every top-level object), `@epr` (the instance's own reference, from
//!   `-ReturnType:ObjectAndEPR` or WMI's `cim:Location`), `@attributes`
//!   (attributes that carry data, such as `Source="GPO"`, keyed by property
//!   name, an array of one object or null per element for a repeated
//!   property; a top-level object's own are under `@self`) and `@value` (a
//!   result that is a bare value, such as a `text()` fragment).
//! - A property whose local name another namespace already used in the
//!   same object is keyed `prefix:Name`.
//! - Values are strings exactly as sent, `null` for `xsi:nil`, arrays for
//!   repeated properties and for the hints in [`ArrayHints`], objects for
//!   embedded instances, and EPR objects `{"Address", "ResourceURI",
//!   "Selectors"}` for references.
//!
//! Pure: model in, text out. `json` is indented two spaces; `jsonl` is one
//! compact line per result.

use crate::protocol::model::Element;
use crate::protocol::ns;

use super::Palette;
use super::shape::{
    self, ArrayHints, Epr, Shape, array_marker, attribute_matters, has_data_attributes, location,
    properties, selector_reference,
};

/// Writes JSON into a string, indented or compact.
pub struct JsonWriter<'a> {
    out: &'a mut String,
    pretty: bool,
    palette: Palette,
    hints: &'a ArrayHints,
}

impl<'a> JsonWriter<'a> {
    /// A writer appending to `out`.
    pub fn new(out: &'a mut String, pretty: bool, palette: Palette, hints: &'a ArrayHints) -> Self {
        JsonWriter {
            out,
            pretty,
            palette,
            hints,
        }
    }

    /// Writes one result (an instance, an identify reply, a method's
    /// output, a created resource's EPR, an enumeration item) at `depth`.
    pub fn result(&mut self, element: &Element, depth: usize) {
        let class = element.name.local.as_str();
        // -ReturnType:ObjectAndEPR wraps each instance and its EPR in an Item.
        if element.name.is(ns::WSMAN, "Item") {
            let epr = element.children.iter().find(|c| c.is_epr());
            let instance = element.children.iter().find(|c| !c.is_epr());
            match (instance, epr) {
                (Some(instance), _) => self.object(instance, depth, true, epr),
                (None, Some(epr)) => self.epr(epr, depth, Some(class)),
                (None, None) => self.bare(class, None, depth),
            }
            return;
        }
        match shape::shape(element) {
            Shape::Object(e) => self.object(e, depth, true, None),
            Shape::Epr(e) => self.epr(e, depth, Some(class)),
            Shape::Null => self.bare(class, None, depth),
            Shape::Text(text) => self.bare(class, Some(text), depth),
        }
    }

    /// Writes `{"@class": …, "@value": …}` for a result that is a value.
    fn bare(&mut self, class: &str, value: Option<&str>, depth: usize) {
        let mut first = true;
        self.out.push('{');
        self.key(&mut first, depth + 1, "@class");
        self.string(class);
        self.key(&mut first, depth + 1, "@value");
        match value {
            Some(v) => self.string(v),
            None => self.null(),
        }
        self.close(first, depth, '}');
    }

    fn object(&mut self, element: &Element, depth: usize, top: bool, epr: Option<&Element>) {
        let mut first = true;
        self.out.push('{');
        if top {
            self.key(&mut first, depth + 1, "@class");
            self.string(&element.name.local);
        }
        let mut attributes = top && has_data_attributes(element);
        for property in properties(element) {
            attributes |= property.elements().any(has_data_attributes);
            self.key(&mut first, depth + 1, &property.key());
            if !property.is_array(self.hints) {
                self.value(property.first, depth + 1);
                continue;
            }
            match (property.count, array_marker(property.first)) {
                (1, Some(true)) => self.null(),
                (1, Some(false)) => self.out.push_str("[]"),
                _ => {
                    let mut first_item = true;
                    self.out.push('[');
                    for item in property.elements() {
                        self.separator(&mut first_item, depth + 2);
                        self.value(item, depth + 2);
                    }
                    self.close(first_item, depth + 1, ']');
                }
            }
        }
        if attributes {
            self.key(&mut first, depth + 1, "@attributes");
            self.attributes(element, top, depth + 1);
        }
        if let Some(reference) = epr.or_else(|| location(element)) {
            self.key(&mut first, depth + 1, "@epr");
            self.epr(reference, depth + 1, None);
        }
        self.close(first, depth, '}');
    }

    /// `@attributes`: the object's own under `@self` (top level only; a
    /// nested object's are in its parent's, under its property key), then
    /// each property's, as one object, or an array with one object (or
    /// null) per element when the property repeats.
    fn attributes(&mut self, element: &Element, top: bool, depth: usize) {
        let mut first = true;
        self.out.push('{');
        if top && has_data_attributes(element) {
            self.key(&mut first, depth + 1, "@self");
            self.attribute_set(element, depth + 1);
        }
        for property in properties(element) {
            if !property.elements().any(has_data_attributes) {
                continue;
            }
            self.key(&mut first, depth + 1, &property.key());
            if property.count == 1 {
                self.attribute_set(property.first, depth + 1);
                continue;
            }
            let mut inner = true;
            self.out.push('[');
            for item in property.elements() {
                self.separator(&mut inner, depth + 2);
                if has_data_attributes(item) {
                    self.attribute_set(item, depth + 2);
                } else {
                    self.null();
                }
            }
            self.close(inner, depth + 1, ']');
        }
        self.close(first, depth, '}');
    }

    /// `{"Source": "GPO"}`; a namespaced attribute is keyed `prefix:name`.
    fn attribute_set(&mut self, element: &Element, depth: usize) {
        let mut inner = true;
        self.out.push('{');
        for attribute in element
            .attributes
            .iter()
            .filter(|a| attribute_matters(&a.name))
        {
            let name = &attribute.name;
            match (&name.namespace, &name.prefix) {
                (Some(_), Some(prefix)) => {
                    self.key(&mut inner, depth + 1, &format!("{prefix}:{}", name.local))
                }
                _ => self.key(&mut inner, depth + 1, &name.local),
            }
            self.string(&attribute.value);
        }
        self.close(inner, depth, '}');
    }

    fn value(&mut self, element: &Element, depth: usize) {
        match shape::shape(element) {
            Shape::Null => self.null(),
            Shape::Text(text) => self.string(text),
            Shape::Epr(e) => self.epr(e, depth, None),
            Shape::Object(e) => self.object(e, depth, false, None),
        }
    }

    fn epr(&mut self, element: &Element, depth: usize, class: Option<&str>) {
        let epr = Epr::of(element);
        let mut first = true;
        self.out.push('{');
        if let Some(class) = class {
            self.key(&mut first, depth + 1, "@class");
            self.string(class);
        }
        self.key(&mut first, depth + 1, "Address");
        self.string(epr.address);
        self.key(&mut first, depth + 1, "ResourceURI");
        match epr.resource_uri {
            Some(uri) => self.string(uri),
            None => self.null(),
        }
        self.key(&mut first, depth + 1, "Selectors");
        let mut inner = true;
        self.out.push('{');
        for (name, selector) in epr.selectors() {
            self.key(&mut inner, depth + 2, name);
            match selector_reference(selector) {
                Some(reference) => self.epr(reference, depth + 2, None),
                None => self.string(selector.text_or_empty()),
            }
        }
        self.close(inner, depth + 1, '}');
        self.close(first, depth, '}');
    }

    /// Starts the next member of an object or array: a comma after the
    /// first, then a new line indented to `depth` when pretty.
    pub fn separator(&mut self, first: &mut bool, depth: usize) {
        if !*first {
            self.out.push(',');
        }
        *first = false;
        self.newline(depth);
    }

    fn key(&mut self, first: &mut bool, depth: usize, key: &str) {
        self.separator(first, depth);
        self.out.push_str(self.palette.key);
        escape_into(self.out, key);
        self.out.push_str(self.palette.reset);
        self.out.push(':');
        if self.pretty {
            self.out.push(' ');
        }
    }

    /// Closes an object or array opened at `depth`.
    pub fn close(&mut self, empty: bool, depth: usize, bracket: char) {
        if !empty {
            self.newline(depth);
        }
        self.out.push(bracket);
    }

    fn newline(&mut self, depth: usize) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str("  ");
            }
        }
    }

    fn string(&mut self, text: &str) {
        self.out.push_str(self.palette.string);
        escape_into(self.out, text);
        self.out.push_str(self.palette.reset);
    }

    fn null(&mut self) {
        self.out.push_str(self.palette.null);
        self.out.push_str("null");
        self.out.push_str(self.palette.reset);
    }
}

/// Appends `text` as a quoted JSON string (RFC 8259 §7).
pub fn escape_into(out: &mut String, text: &str) {
    out.push('"');
    // Most values need no escaping: push them whole. DEL and C1 controls
    // (UTF-8 0xC2 0x80..0x9F) are escaped too, though JSON allows them raw:
    // some terminals act on U+009B as they do on ESC [.
    if !text.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\') | (b == 0x7F) | (b == 0xC2)
    }) {
        out.push_str(text);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if c.is_control() => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        if escaped.is_empty() {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push_str(escaped);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&text[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::reply::parse_reply;

    fn render(body: &str, pretty: bool) -> String {
        let xml = format!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><s:Body>{body}</s:Body></s:Envelope>"#
        );
        let element = parse_reply(xml.as_bytes(), None, "").unwrap().body.unwrap();
        let mut out = String::new();
        let hints = ArrayHints::default();
        JsonWriter::new(&mut out, pretty, Palette::default(), &hints).result(&element, 0);
        out
    }

    #[test]
    fn escapes_control_characters_and_quotes() {
        let mut out = String::new();
        escape_into(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn instance_shape() {
        let out = render(
            concat!(
                "<p:Svc xmlns:p=\"urn:svc\"><p:Name>spooler</p:Name><p:Codes>2</p:Codes>",
                "<p:Codes>5</p:Codes><p:Gone xsi:nil=\"true\"/><p:Empty/>",
                "<p:Basic Source=\"GPO\">true</p:Basic></p:Svc>"
            ),
            false,
        );
        assert_eq!(
            out,
            concat!(
                r#"{"@class":"Svc","Name":"spooler","Codes":["2","5"],"Gone":null,"Empty":"","#,
                r#""Basic":"true","@attributes":{"Basic":{"Source":"GPO"}}}"#
            )
        );
    }

    #[test]
    fn attributes_of_repeats_and_of_the_result_itself() {
        let out = render(
            concat!(
                "<p:Plug xmlns:p=\"u\" Name=\"top\"><p:Capability Type=\"Get\"/>",
                "<p:Capability Type=\"Put\"/><p:Capability/><p:Plug Source=\"GPO\">x</p:Plug></p:Plug>"
            ),
            false,
        );
        assert_eq!(
            out,
            concat!(
                r#"{"@class":"Plug","Capability":["","",""],"Plug":"x","@attributes":{"@self":{"Name":"top"},"#,
                r#""Capability":[{"Type":"Get"},{"Type":"Put"},null],"Plug":{"Source":"GPO"}}}"#
            )
        );
    }

    #[test]
    fn epr_shape_with_nested_reference() {
        let out = render(
            concat!(
                "<x:ResourceCreated xmlns:x=\"http://schemas.xmlsoap.org/ws/2004/09/transfer\">",
                "<a:Address>anon</a:Address><a:ReferenceParameters><w:ResourceURI>u</w:ResourceURI>",
                "<w:SelectorSet><w:Selector Name=\"Address\">*</w:Selector>",
                "<w:Selector Name=\"Ref\"><a:EndpointReference><a:Address>x</a:Address>",
                "<a:ReferenceParameters><w:ResourceURI>v</w:ResourceURI></a:ReferenceParameters>",
                "</a:EndpointReference></w:Selector></w:SelectorSet>",
                "</a:ReferenceParameters></x:ResourceCreated>"
            ),
            false,
        );
        assert_eq!(
            out,
            concat!(
                r#"{"@class":"ResourceCreated","Address":"anon","ResourceURI":"u","Selectors":{"Address":"*","#,
                r#""Ref":{"Address":"x","ResourceURI":"v","Selectors":{}}}}"#
            )
        );
    }

    #[test]
    fn pretty_layout_and_bare_values() {
        assert_eq!(
            render("<p:O xmlns:p=\"u\"><p:A><p:B>1</p:B></p:A></p:O>", true),
            "{\n  \"@class\": \"O\",\n  \"A\": {\n    \"B\": \"1\"\n  }\n}"
        );
        assert_eq!(
            render("<w:XmlFragment>Running</w:XmlFragment>", false),
            r#"{"@class":"XmlFragment","@value":"Running"}"#
        );
    }
}
