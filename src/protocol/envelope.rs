//! THE envelope builder: every request this client sends is written here.
//!
//! An [`Envelope`] is plain data (action, addressing, resource, selectors,
//! options, fragment, body); [`Envelope::to_xml`] writes the SOAP 1.2 text
//! with every value escaped. The MessageID comes from the caller, so golden
//! tests are byte-exact. Body builders for the operations that have fixed
//! bodies (Identify, Enumerate, Pull, Release, `@{}` input) live here too.
//! Nothing here knows HTTP. Header rules: DSP0226 §5–§8, MS-WSMV §2.2.4.

use std::fmt::Write as _;

use super::ns;
use super::xml::{escape, escape_attribute_into, escape_into};

/// The headers every addressed request carries.
#[derive(Debug, Clone)]
pub struct Addressing<'a> {
    /// `wsa:To`: the endpoint URL.
    pub to: &'a str,
    /// `wsa:MessageID`, `uuid:...`.
    pub message_id: &'a str,
    /// `wsman:MaxEnvelopeSize` in bytes (the largest reply we accept).
    pub max_envelope_size: u32,
    /// `wsman:OperationTimeout` in milliseconds.
    pub operation_timeout_ms: u64,
    /// `wsman:Locale`, e.g. `en-US`.
    pub locale: Option<&'a str>,
    /// `wsmv:DataLocale` (always sent with mustUnderstand="false").
    pub data_locale: Option<&'a str>,
    /// `wsmv:SessionId`, constant for one session.
    pub session_id: Option<&'a str>,
}

/// A `wsman:Option` of the OptionSet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionValue {
    /// Option name.
    pub name: String,
    /// Value; `None` is sent as `xsi:nil="true"`.
    pub value: Option<String>,
}

/// A fragment-transfer expression (`wsman:FragmentTransfer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// The expression, e.g. `Status/text()`.
    pub expression: String,
    /// Its dialect URI, when not the default XPath.
    pub dialect: Option<String>,
}

/// One request envelope.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// `wsa:Action`.
    pub action: &'a str,
    /// Addressing headers.
    pub addressing: Addressing<'a>,
    /// `wsman:ResourceURI` (no `?query`).
    pub resource_uri: &'a str,
    /// `wsman:SelectorSet`, in order.
    pub selectors: &'a [(String, String)],
    /// `wsman:OptionSet`, in order.
    pub options: &'a [OptionValue],
    /// `wsman:FragmentTransfer`.
    pub fragment: Option<&'a Fragment>,
    /// The body content (already XML), or "" for an empty body.
    pub body: &'a str,
}

const ENVELOPE_OPEN: &str = concat!(
    r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope""#,
    r#" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing""#,
    r#" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd""#,
    r#" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd""#,
    r#" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration""#,
    r#" xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd""#,
    r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#
);

impl Envelope<'_> {
    /// Writes the envelope as XML text.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write_into(&mut out);
        out
    }

    /// Writes the envelope as XML text after what `out` holds, so a caller
    /// sending many large envelopes can reuse one buffer.
    pub fn write_into(&self, out: &mut String) {
        self.write_head(out, self.body.len());
        if self.body.is_empty() {
            out.push_str("<s:Body/>");
        } else {
            out.push_str("<s:Body>");
            out.push_str(self.body);
            out.push_str("</s:Body>");
        }
        out.push_str("</s:Envelope>");
    }

    /// Like [`Envelope::write_into`], with the body written by `body` in
    /// place (`self.body` is not used): a large body, such as a remote
    /// command's stdin in base64, is then written once, not copied.
    pub fn write_with_body(&self, out: &mut String, size: usize, body: impl FnOnce(&mut String)) {
        self.write_head(out, size);
        out.push_str("<s:Body>");
        body(out);
        out.push_str("</s:Body></s:Envelope>");
    }

    /// Everything up to the Body, with room reserved for `body_size` more.
    fn write_head(&self, out: &mut String, body_size: usize) {
        let a = &self.addressing;
        out.reserve(1400 + body_size);
        out.push_str(ENVELOPE_OPEN);
        out.push_str("<s:Header>");
        tag(out, "a:To", "", a.to);
        tag(
            out,
            "w:ResourceURI",
            r#" s:mustUnderstand="true""#,
            self.resource_uri,
        );
        out.push_str(r#"<a:ReplyTo><a:Address s:mustUnderstand="true">"#);
        out.push_str(ns::ANONYMOUS);
        out.push_str("</a:Address></a:ReplyTo>");
        tag(out, "a:Action", r#" s:mustUnderstand="true""#, self.action);
        let _ = write!(
            out,
            r#"<w:MaxEnvelopeSize s:mustUnderstand="true">{}</w:MaxEnvelopeSize>"#,
            a.max_envelope_size
        );
        tag(out, "a:MessageID", "", a.message_id);
        if let Some(locale) = a.locale {
            let _ = write!(
                out,
                r#"<w:Locale xml:lang="{}" s:mustUnderstand="false"/>"#,
                escape(locale)
            );
        }
        if let Some(locale) = a.data_locale {
            // mustUnderstand must be false: Windows faults on true.
            let _ = write!(
                out,
                r#"<p:DataLocale xml:lang="{}" s:mustUnderstand="false"/>"#,
                escape(locale)
            );
        }
        if let Some(session) = a.session_id {
            tag(out, "p:SessionId", r#" s:mustUnderstand="false""#, session);
        }
        let _ = write!(
            out,
            "<w:OperationTimeout>{}</w:OperationTimeout>",
            duration(a.operation_timeout_ms)
        );
        if !self.selectors.is_empty() {
            out.push_str("<w:SelectorSet>");
            selectors_into(out, self.selectors);
            out.push_str("</w:SelectorSet>");
        }
        if !self.options.is_empty() {
            out.push_str(r#"<w:OptionSet s:mustUnderstand="true">"#);
            for option in self.options {
                out.push_str(r#"<w:Option Name=""#);
                escape_attribute_into(out, &option.name);
                match &option.value {
                    Some(v) => {
                        out.push_str(r#"">"#);
                        escape_into(out, v);
                        out.push_str("</w:Option>");
                    }
                    None => out.push_str(r#"" xsi:nil="true"/>"#),
                }
            }
            out.push_str("</w:OptionSet>");
        }
        if let Some(fragment) = self.fragment {
            // Windows faults unless FragmentTransfer is mustUnderstand="true".
            out.push_str(r#"<w:FragmentTransfer s:mustUnderstand="true""#);
            if let Some(dialect) = &fragment.dialect {
                out.push_str(r#" Dialect=""#);
                escape_attribute_into(out, dialect);
                out.push('"');
            }
            out.push('>');
            escape_into(out, &fragment.expression);
            out.push_str("</w:FragmentTransfer>");
        }
        out.push_str("</s:Header>");
    }
}

fn tag(out: &mut String, name: &str, attributes: &str, text: &str) {
    let _ = write!(out, "<{name}{attributes}>");
    escape_into(out, text);
    let _ = write!(out, "</{name}>");
}

fn selectors_into(out: &mut String, selectors: &[(String, String)]) {
    for (name, value) in selectors {
        out.push_str(r#"<w:Selector Name=""#);
        escape_attribute_into(out, name);
        out.push_str(r#"">"#);
        escape_into(out, value);
        out.push_str("</w:Selector>");
    }
}

/// An xs:duration with three-digit milliseconds, as Windows writes it
/// (`PT60.000S`); openwsman's unpadded `PT1.50S` means 1.5 s, not 1.05 s.
pub fn duration(ms: u64) -> String {
    format!("PT{}.{:03}S", ms / 1000, ms % 1000)
}

/// The Identify request: no addressing headers at all, which every server
/// accepts (DSP0226 §11; Windows' own client sends the same).
pub fn identify() -> String {
    concat!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope""#,
        r#" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">"#,
        "<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>"
    )
    .to_string()
}

/// What an Enumerate asks for (DSP0226 §8.2, DSP0227 for polymorphism).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnumerateBody {
    /// Ask for the first items in the EnumerateResponse itself.
    pub optimize: bool,
    /// Items per response (with `optimize`, and for each Pull).
    pub max_elements: u32,
    /// `EnumerateEPR` / `EnumerateObjectAndEPR`, or None for objects.
    pub mode: Option<&'static str>,
    /// `b:PolymorphismMode`: `None` (shallow) or `ExcludeSubClassProperties`.
    pub polymorphism: Option<&'static str>,
    /// The filter, if any.
    pub filter: Option<Filter>,
}

/// An enumeration filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// A text filter (WQL, CQL, XPath, or any other dialect URI).
    Text {
        /// Dialect URI.
        dialect: String,
        /// The expression.
        expression: String,
    },
    /// Selector filter: property = value pairs.
    Selectors(Vec<(String, String)>),
    /// Association filter (DSP0227 §8).
    Association(Association),
}

/// An association traversal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Association {
    /// Dialect URI (winrm.cmd's `AssociationFilter` spelling by default).
    pub dialect: String,
    /// `AssociationInstances` instead of `AssociatedInstances`.
    pub association_instances: bool,
    /// The source object: resource URI and selectors.
    pub object_uri: String,
    /// The source object's selectors.
    pub object_selectors: Vec<(String, String)>,
    /// AssociationClassName, Role, ResultClassName, ResultRole (in that order), when given.
    pub fields: Vec<(&'static str, String)>,
}

impl EnumerateBody {
    /// Writes the `n:Enumerate` element.
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<n:Enumerate>");
        if self.optimize {
            out.push_str("<w:OptimizeEnumeration/>");
            let _ = write!(out, "<w:MaxElements>{}</w:MaxElements>", self.max_elements);
        }
        if let Some(mode) = self.mode {
            let _ = write!(out, "<w:EnumerationMode>{mode}</w:EnumerationMode>");
        }
        if let Some(mode) = self.polymorphism {
            let _ = write!(out, "<b:PolymorphismMode>{mode}</b:PolymorphismMode>");
        }
        match &self.filter {
            None => {}
            Some(Filter::Text {
                dialect,
                expression,
            }) => {
                out.push_str(r#"<w:Filter Dialect=""#);
                escape_attribute_into(&mut out, dialect);
                out.push_str(r#"">"#);
                escape_into(&mut out, expression);
                out.push_str("</w:Filter>");
            }
            Some(Filter::Selectors(pairs)) => {
                out.push_str(r#"<w:Filter Dialect=""#);
                out.push_str(ns::DIALECT_SELECTOR);
                out.push_str(r#""><w:SelectorSet>"#);
                selectors_into(&mut out, pairs);
                out.push_str("</w:SelectorSet></w:Filter>");
            }
            Some(Filter::Association(a)) => {
                let kind = if a.association_instances {
                    "AssociationInstances"
                } else {
                    "AssociatedInstances"
                };
                out.push_str(r#"<w:Filter Dialect=""#);
                escape_attribute_into(&mut out, &a.dialect);
                let _ = write!(out, r#""><b:{kind}><b:Object><a:Address>"#);
                out.push_str(ns::ANONYMOUS);
                out.push_str("</a:Address><a:ReferenceParameters>");
                tag(&mut out, "w:ResourceURI", "", &a.object_uri);
                out.push_str("<w:SelectorSet>");
                selectors_into(&mut out, &a.object_selectors);
                out.push_str("</w:SelectorSet></a:ReferenceParameters></b:Object>");
                for (name, value) in &a.fields {
                    tag(&mut out, &format!("b:{name}"), "", value);
                }
                let _ = write!(out, "</b:{kind}></w:Filter>");
            }
        }
        out.push_str("</n:Enumerate>");
        out
    }
}

/// The `n:Pull` body. MaxElements is always sent: without it the spec's
/// default is one item per round trip.
pub fn pull(context: &str, max_elements: u32) -> String {
    let mut out = String::from("<n:Pull><n:EnumerationContext>");
    escape_into(&mut out, context);
    let _ = write!(
        out,
        "</n:EnumerationContext><n:MaxElements>{max_elements}</n:MaxElements></n:Pull>"
    );
    out
}

/// The `n:Release` body.
pub fn release(context: &str) -> String {
    let mut out = String::from("<n:Release><n:EnumerationContext>");
    escape_into(&mut out, context);
    out.push_str("</n:EnumerationContext></n:Release>");
    out
}

/// The body winrm.cmd builds from `@{K="V";K2=$null}`: `<p:ROOT xmlns:p=URI>`
/// with one child per pair, `$null` as `xsi:nil`. Names are used as given
/// (WMI names are case-sensitive).
pub fn input_body(root: &str, namespace: &str, pairs: &[(String, Option<String>)]) -> String {
    let mut out = String::new();
    let _ = write!(out, "<p:{root} xmlns:p=\"");
    escape_into(&mut out, namespace);
    out.push('"');
    if pairs.iter().any(|(_, v)| v.is_none()) {
        let _ = write!(out, " xmlns:xsi=\"{}\"", ns::XSI);
    }
    if pairs.is_empty() {
        out.push_str("/>");
        return out;
    }
    out.push('>');
    for (key, value) in pairs {
        match value {
            Some(v) => {
                let _ = write!(out, "<p:{key}>");
                escape_into(&mut out, v);
                let _ = write!(out, "</p:{key}>");
            }
            None => {
                let _ = write!(out, "<p:{key} xsi:nil=\"true\"/>");
            }
        }
    }
    let _ = write!(out, "</p:{root}>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pad_milliseconds() {
        assert_eq!(duration(60_000), "PT60.000S");
        assert_eq!(duration(1_050), "PT1.050S");
        assert_eq!(duration(5), "PT0.005S");
    }

    #[test]
    fn input_body_escapes_and_marks_nil() {
        let body = input_body(
            "StopService_INPUT",
            "http://x/Win32_Service",
            &[("A".into(), Some("<&\"'>".into())), ("B".into(), None)],
        );
        assert_eq!(
            body,
            concat!(
                r#"<p:StopService_INPUT xmlns:p="http://x/Win32_Service" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
                "<p:A>&lt;&amp;&quot;&apos;&gt;</p:A><p:B xsi:nil=\"true\"/></p:StopService_INPUT>"
            )
        );
        assert_eq!(
            input_body("M_INPUT", "u", &[]),
            r#"<p:M_INPUT xmlns:p="u"/>"#
        );
    }

    #[test]
    fn enumerate_body_orders_children() {
        let body = EnumerateBody {
            optimize: true,
            max_elements: 50,
            mode: Some("EnumerateEPR"),
            polymorphism: Some("None"),
            filter: Some(Filter::Text {
                dialect: ns::DIALECT_WQL.into(),
                expression: "select * from X where A='<'".into(),
            }),
        };
        let xml = body.to_xml();
        assert!(xml.starts_with("<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>50</w:MaxElements><w:EnumerationMode>EnumerateEPR</w:EnumerationMode><b:PolymorphismMode>None</b:PolymorphismMode>"));
        assert!(xml.contains("where A=&apos;&lt;&apos;</w:Filter>"));
        assert_eq!(
            EnumerateBody::default().to_xml(),
            "<n:Enumerate></n:Enumerate>"
        );
    }
}
