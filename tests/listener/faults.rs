//! SOAP 1.2 faults shaped like Windows WinRM's: HTTP 500, `s:Code` with a
//! subcode, `s:Reason`, and an `s:Detail` carrying `w:FaultDetail` and the
//! Microsoft `f:WSManFault Code=".." Machine=".."` element (optionally with a
//! WMI `f:ProviderFault` and `__ExtendedStatus`). One constructor per kind
//! of fault the listener sends; the numeric codes live in `codes`. The
//! reason/message texts are our own wording: only the codes, subcodes and
//! element shapes follow Windows.

use super::codes as code;
use super::xml::{NS_CIM, NS_FAULT, NS_XSI, esc};

pub const ACTION_WSMAN: &str = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault";
pub const ACTION_ADDRESSING: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault";
pub const ACTION_TRANSFER: &str = "http://schemas.xmlsoap.org/ws/2004/09/transfer/fault";
pub const ACTION_ENUMERATION: &str = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault";
const DETAIL: &str = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/";

/// What goes inside `f:Message`.
#[derive(Debug, Clone)]
pub enum Message {
    Text(String),
    /// Already-escaped XML for the inside of `f:Message` (the WinRS
    /// plug-in's text-only `f:ProviderFault`, built in `shell_faults`).
    Raw(String),
    /// Already-escaped XML that takes the place of the whole `f:WSManFault`
    /// (Windows sends `p:MSFT_WmiError` there for the shell quota fault).
    Replace(String),
    /// A WMI provider error: `f:ProviderFault` wrapping a nested WSManFault
    /// and, when present, an `f:ExtendedError` with `__ExtendedStatus`.
    Wmi {
        inner_code: u32,
        text: String,
        operation: &'static str,
        parameter: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub action: &'static str,
    pub code: &'static str,
    pub subcode: Option<&'static str>,
    pub reason: String,
    /// Some Windows faults carry `xml:lang=""` on `s:Text` (fixtures).
    pub empty_lang: bool,
    /// Echo `a:RelatesTo`; Windows omits it when the request was unreadable.
    pub relates: bool,
    pub detail_uri: Option<String>,
    /// `(Code, Message)` of the `f:WSManFault`; None for `s:MustUnderstand`.
    pub wsman: Option<Box<(u32, Message)>>,
    /// `(prefix, local name, namespace)` for `s:NotUnderstood`.
    pub not_understood: Option<Box<(String, String, String)>>,
}

impl Fault {
    pub(super) fn new(
        action: &'static str,
        subcode: &'static str,
        reason: &str,
        code: u32,
        msg: &str,
    ) -> Self {
        Fault {
            action,
            code: "s:Sender",
            subcode: Some(subcode),
            reason: reason.to_string(),
            empty_lang: false,
            relates: true,
            detail_uri: None,
            wsman: Some(Box::new((code, Message::Text(msg.to_string())))),
            not_understood: None,
        }
    }

    pub(super) fn detail(mut self, name: &str) -> Self {
        self.detail_uri = Some(format!("{DETAIL}{name}"));
        self
    }

    pub(super) fn receiver(mut self) -> Self {
        self.code = "s:Receiver";
        self
    }

    /// Request text that is not XML, or has no SOAP Body (fixture
    /// fault-invalid-body-xmllang-empty: no RelatesTo, empty xml:lang).
    pub fn malformed(msg: &str) -> Self {
        let mut f = Self::invalid_header(msg);
        f.relates = false;
        f.empty_lang = true;
        f
    }

    pub fn invalid_header(msg: &str) -> Self {
        Self::new(
            ACTION_ADDRESSING,
            "a:InvalidMessageInformationHeader",
            "The request carries a SOAP header the WS-Management service cannot accept.",
            code::INVALID_HEADER,
            msg,
        )
    }

    pub fn header_required(name: &str) -> Self {
        Self::new(
            ACTION_ADDRESSING,
            "a:MessageInformationHeaderRequired",
            "The request lacks a SOAP header the WS-Management service needs.",
            code::HEADER_REQUIRED,
            &format!("The required SOAP header {name} was not found in the request."),
        )
    }

    pub fn must_understand(prefix: &str, local: &str, ns: &str) -> Self {
        Fault {
            action: ACTION_ADDRESSING,
            code: "s:MustUnderstand",
            subcode: None,
            reason: "A header marked mustUnderstand is not supported by this WS-Management \
                     service implementation."
                .to_string(),
            empty_lang: true,
            relates: true,
            detail_uri: None,
            wsman: None,
            not_understood: Some(Box::new((
                prefix.to_string(),
                local.to_string(),
                ns.to_string(),
            ))),
        }
    }

    pub fn unsupported_feature(detail: &str, msg: &str) -> Self {
        Self::new(
            ACTION_WSMAN,
            "w:UnsupportedFeature",
            "The WS-Management service does not support a feature the request asks for.",
            code::UNSUPPORTED_FEATURE,
            msg,
        )
        .detail(detail)
    }

    pub fn addressing_mode() -> Self {
        let mut f = Self::unsupported_feature(
            "AddressingMode",
            "Replies can only go back on the same connection (anonymous ReplyTo/FaultTo).",
        );
        f.wsman = Some(Box::new((
            code::UNSUPPORTED_ADDRESSING_MODE,
            Message::Text("Only the anonymous reply address is supported.".into()),
        )));
        f
    }

    pub fn action_not_supported(action: &str) -> Self {
        Self::new(
            ACTION_ADDRESSING,
            "a:ActionNotSupported",
            "The WS-Management service does not support the requested action for this resource.",
            code::ACTION_NOT_SUPPORTED,
            &format!("The action {action} is not supported by this resource."),
        )
    }

    /// Unknown resource URI (not in the catalog).
    pub fn invalid_resource_uri(uri: &str) -> Self {
        Self::new(
            ACTION_ADDRESSING,
            "a:DestinationUnreachable",
            "The resource URI is missing or does not name a resource this service knows.",
            code::INVALID_RESOURCE_URI,
            &format!("No resource with the URI '{uri}' is registered with the service."),
        )
        .detail("InvalidResourceURI")
    }

    /// Known resource, but no instance matches (Windows answers a missing
    /// WMI instance or listener with DestinationUnreachable + 0x80338000).
    pub fn not_found() -> Self {
        Self::new(
            ACTION_ADDRESSING,
            "a:DestinationUnreachable",
            "The service found no resource for the given resource URI and selectors.",
            code::RESOURCE_NOT_FOUND,
            "No instance matches the resource URI and selectors of the request.",
        )
    }

    /// [`Fault::not_found`] as reported through the WMI plug-in, with the
    /// provider's own fault nested inside.
    pub fn not_found_wmi(operation: &'static str, text: &str) -> Self {
        let mut f = Self::not_found();
        f.wsman = Some(Box::new((
            code::RESOURCE_NOT_FOUND,
            Message::Wmi {
                inner_code: code::RESOURCE_NOT_FOUND,
                text: text.into(),
                operation,
                parameter: None,
            },
        )));
        f
    }

    pub fn invalid_selectors(detail: &str, msg: &str) -> Self {
        Self::new(
            ACTION_WSMAN,
            "w:InvalidSelectors",
            "The selectors in the request are not valid for this resource.",
            code::INVALID_SELECTORS,
            msg,
        )
        .detail(detail)
    }

    pub fn schema(msg: &str) -> Self {
        Self::new(
            ACTION_WSMAN,
            "w:SchemaValidationError",
            "The SOAP message does not follow the XML schema expected for this operation.",
            code::SCHEMA_VALIDATION,
            msg,
        )
    }

    pub fn invalid_values(msg: &str) -> Self {
        Self::new(
            ACTION_TRANSFER,
            "x:InvalidRepresentation",
            "The XML sent for this resource contains values the resource cannot take.",
            code::INVALID_XML_VALUES,
            msg,
        )
        .detail("InvalidValues")
    }

    pub fn cannot_change_keys(msg: &str) -> Self {
        let mut f = Self::invalid_values(msg);
        f.wsman = Some(Box::new((
            code::CANNOT_CHANGE_KEYS,
            Message::Text(msg.into()),
        )));
        f
    }

    pub fn invalid_fragment(path: &str) -> Self {
        Self::new(
            ACTION_TRANSFER,
            "x:InvalidRepresentation",
            "The fragment expression does not select a property of this resource.",
            code::INVALID_FRAGMENT_PATH,
            &format!(
                "The fragment path '{path}' is not valid here; property names must match \
                 the resource exactly."
            ),
        )
        .detail("InvalidFragment")
    }

    pub fn fragment_dialect(dialect: &str) -> Self {
        Self::new(
            ACTION_WSMAN,
            "w:FragmentDialectNotSupported",
            "The fragment dialect of the request is not supported.",
            code::FRAGMENT_DIALECT,
            &format!("The fragment dialect '{dialect}' is not supported for this resource."),
        )
    }

    pub fn gpo_controlled(name: &str) -> Self {
        Self::new(
            ACTION_WSMAN,
            "w:AccessDenied",
            "The setting is managed by Group Policy and cannot be changed here.",
            code::GPO_CONTROLLED,
            &format!(
                "{name} is set by a Group Policy; set that policy to Not Configured before \
                 changing it."
            ),
        )
    }

    pub fn already_exists() -> Self {
        Self::new(
            ACTION_WSMAN,
            "w:AlreadyExists",
            "The resource to be created exists already.",
            code::ALREADY_EXISTS,
            "A resource with these selectors exists already; delete it first or use Put.",
        )
    }

    pub fn invalid_parameter(msg: &str) -> Self {
        Self::new(
            ACTION_WSMAN,
            "w:InvalidParameter",
            "A parameter of the operation is not valid.",
            code::INVALID_PARAMETER,
            msg,
        )
        .detail("InvalidValue")
    }

    pub fn encoding_limit(size: usize, max: usize) -> Self {
        Self::new(
            ACTION_WSMAN,
            "w:EncodingLimit",
            "The reply would be larger than the MaxEnvelopeSize of the request.",
            code::MAX_ENVELOPE_SIZE_EXCEEDED,
            &format!("The reply needs {size} bytes but the request allows at most {max}."),
        )
        .detail("MaxEnvelopeSize")
    }

    pub fn min_envelope(max: usize) -> Self {
        Self::new(
            ACTION_WSMAN,
            "w:EncodingLimit",
            "The MaxEnvelopeSize of the request is below the smallest size the service accepts.",
            code::MIN_ENVELOPE_SIZE,
            &format!("MaxEnvelopeSize {max} is smaller than the minimum of 8192 bytes."),
        )
        .detail("MinimumEnvelopeLimit")
    }

    /// A WMI call the provider refuses (e.g. PutInstance on Win32_Service).
    pub fn wmi_not_capable(operation: &'static str, text: &str) -> Self {
        let mut f = Self::new(
            ACTION_WSMAN,
            "w:InternalError",
            "The WMI provider cannot carry out the requested operation.",
            code::WBEM_NOT_CAPABLE,
            text,
        )
        .receiver();
        f.wsman = Some(Box::new((
            code::WBEM_NOT_CAPABLE,
            Message::Wmi {
                inner_code: code::WBEM_NOT_CAPABLE,
                text: text.into(),
                operation,
                parameter: None,
            },
        )));
        f
    }

    /// Renders the whole envelope (namespace set as in Windows faults).
    pub fn envelope(&self, message_id: &str, relates_to: Option<&str>, machine: &str) -> String {
        let mut s = String::with_capacity(1500);
        s.push_str(
            "<s:Envelope xml:lang=\"en-US\" xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" \
             xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" \
             xmlns:x=\"http://schemas.xmlsoap.org/ws/2004/09/transfer\" \
             xmlns:e=\"http://schemas.xmlsoap.org/ws/2004/08/eventing\" \
             xmlns:n=\"http://schemas.xmlsoap.org/ws/2004/09/enumeration\" \
             xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\" \
             xmlns:p=\"http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd\"><s:Header><a:Action>",
        );
        s.push_str(self.action);
        s.push_str("</a:Action><a:MessageID>");
        s.push_str(message_id);
        s.push_str("</a:MessageID><a:To>");
        s.push_str(super::xml::ANONYMOUS);
        s.push_str("</a:To>");
        if let (true, Some(r)) = (self.relates, relates_to) {
            s.push_str(&format!("<a:RelatesTo>{}</a:RelatesTo>", esc(r)));
        }
        if let Some((prefix, local, ns)) = self.not_understood.as_deref() {
            let prefix = if prefix.is_empty() { "ns" } else { prefix };
            s.push_str(&format!(
                "<s:NotUnderstood qname=\"{}:{}\" xmlns:{}=\"{}\"/>",
                esc(prefix),
                esc(local),
                esc(prefix),
                esc(ns)
            ));
        }
        s.push_str("</s:Header><s:Body><s:Fault><s:Code><s:Value>");
        s.push_str(self.code);
        s.push_str("</s:Value>");
        if let Some(sub) = self.subcode {
            s.push_str(&format!("<s:Subcode><s:Value>{sub}</s:Value></s:Subcode>"));
        }
        let lang = if self.empty_lang { "" } else { "en-US" };
        s.push_str(&format!(
            "</s:Code><s:Reason><s:Text xml:lang=\"{lang}\">{} </s:Text></s:Reason>",
            esc(&self.reason)
        ));
        if self.detail_uri.is_some() || self.wsman.is_some() {
            s.push_str("<s:Detail>");
            if let Some(d) = &self.detail_uri {
                s.push_str(&format!("<w:FaultDetail>{}</w:FaultDetail>", esc(d)));
            }
            match self.wsman.as_deref() {
                Some((_, Message::Replace(xml))) => s.push_str(xml),
                Some((code, message)) => s.push_str(&wsman_fault(
                    *code,
                    machine,
                    &render_message(message, machine),
                )),
                None => {}
            }
            s.push_str("</s:Detail>");
        }
        s.push_str("</s:Fault></s:Body></s:Envelope>");
        s
    }
}

fn wsman_fault(code: u32, machine: &str, message_inner: &str) -> String {
    format!(
        "<f:WSManFault xmlns:f=\"{NS_FAULT}\" Code=\"{code}\" Machine=\"{}\">\
         <f:Message>{message_inner}</f:Message></f:WSManFault>",
        esc(machine)
    )
}

fn render_message(m: &Message, machine: &str) -> String {
    match m {
        Message::Text(t) => format!("{} ", esc(t)),
        Message::Raw(xml) | Message::Replace(xml) => xml.clone(),
        Message::Wmi {
            inner_code,
            text,
            operation,
            parameter,
        } => {
            let inner = wsman_fault(*inner_code, machine, &format!("{} ", esc(text)));
            let mut s = format!(
                "<f:ProviderFault provider=\"WMI Provider\" \
                 path=\"%systemroot%\\system32\\WsmWmiPl.dll\">{inner}"
            );
            s.push_str("<f:ExtendedError>");
            s.push_str(&extended_status(operation, parameter.as_deref()));
            s.push_str("</f:ExtendedError></f:ProviderFault>");
            s
        }
    }
}

/// WMI's `__ExtendedStatus` instance, as the WMI plug-in attaches it.
fn extended_status(operation: &str, parameter: Option<&str>) -> String {
    let param = match parameter {
        Some(p) => format!("<p:ParameterInfo>{}</p:ParameterInfo>", esc(p)),
        None => "<p:ParameterInfo xsi:nil=\"true\"/>".to_string(),
    };
    format!(
        "<p:__ExtendedStatus xmlns:p=\"http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/\
         __ExtendedStatus\" xmlns:xsi=\"{NS_XSI}\" xmlns:cim=\"{NS_CIM}\" \
         xsi:type=\"p:__ExtendedStatus_Type\"><p:Description xsi:nil=\"true\"/><p:Operation>\
         {operation}</p:Operation>{param}<p:ProviderName>WinMgmt</p:ProviderName>\
         <p:StatusCode xsi:nil=\"true\"/></p:__ExtendedStatus>"
    )
}
