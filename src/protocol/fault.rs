//! SOAP 1.2 faults as WS-Management servers send them → [`Fault`].
//!
//! One parser for every dialect seen in the field: Windows' `WSManFault`
//! detail (with nested `ProviderFault`s), OMI's `CIM_Error`, Windows'
//! `MSFT_WmiError`, and the bare Code/Reason of openwsman and Intel AMT. It
//! extracts facts (codes, machine, message, provider) and keeps the detail
//! element for renderers; it writes no sentences of its own.
//!
//! It reads the roxmltree node through [`dom`](super::dom)'s primitives
//! rather than the model, because a subcode is a QName whose prefix
//! resolves in the node's scope and a message may be text beside child
//! elements, neither of which the model keeps. It knows nothing of the
//! envelope around the fault (the dispatcher found it) or of other
//! readers.

use roxmltree::Node;

use super::codes;
use super::dom::{child, element_from_node, own_text};
use super::model::Element;
use super::ns;

/// A fault returned by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `wsa:Action` of the fault message, if any.
    pub action: Option<String>,
    /// SOAP code local name: `Sender` or `Receiver` (or `MustUnderstand`…).
    pub code: String,
    /// Subcode local name, e.g. `InvalidSelectors`, `DestinationUnreachable`.
    pub subcode: Option<String>,
    /// Subcode namespace URI.
    pub subcode_namespace: Option<String>,
    /// `s:Reason/s:Text`, trimmed.
    pub reason: Option<String>,
    /// `WSManFault/@Code` (a Win32 error or HRESULT), or a CIM error's
    /// `error_Code`.
    pub wsman_code: Option<u32>,
    /// `WSManFault/@Machine`.
    pub machine: Option<String>,
    /// The most specific message: the innermost WSManFault message, a CIM
    /// error's Message, else the reason.
    pub message: Option<String>,
    /// `ProviderFault/@provider` and `@path`, when a provider failed.
    pub provider: Option<(String, String)>,
    /// `w:FaultDetail` URI.
    pub fault_detail: Option<String>,
    /// `CIMStatusCode` from a CIM error detail (OMI, WMI).
    pub cim_status: Option<u32>,
    /// The detail element to show (`WSManFault`, `CIM_Error`,
    /// `MSFT_WmiError`), if the server sent one.
    pub detail: Option<Element>,
}

impl Fault {
    /// Extracts a fault from an `s:Fault` element.
    pub(crate) fn from_node(fault: Node, action: Option<&str>) -> Fault {
        let code_node = child(fault, ns::SOAP, "Code");
        let code = code_node
            .and_then(|c| child(c, ns::SOAP, "Value"))
            .and_then(|v| qname_local(v))
            .unwrap_or_else(|| "Unknown".to_string());
        let subcode_value = code_node
            .and_then(|c| child(c, ns::SOAP, "Subcode"))
            .and_then(|s| child(s, ns::SOAP, "Value"));
        let subcode = subcode_value.and_then(qname_local);
        let subcode_namespace = subcode_value.and_then(|v| {
            let text = v.text()?.trim();
            let prefix = text.split_once(':').map(|(p, _)| p);
            v.lookup_namespace_uri(prefix).map(str::to_string)
        });
        let reason = child(fault, ns::SOAP, "Reason")
            .and_then(|r| child(r, ns::SOAP, "Text"))
            .and_then(|t| t.text())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string);

        let mut out = Fault {
            action: action.map(str::to_string),
            code,
            subcode,
            subcode_namespace,
            reason: reason.clone(),
            wsman_code: None,
            machine: None,
            message: None,
            provider: None,
            fault_detail: None,
            cim_status: None,
            detail: None,
        };

        if let Some(detail) = child(fault, ns::SOAP, "Detail") {
            out.fault_detail = child(detail, ns::WSMAN, "FaultDetail")
                .and_then(|d| d.text())
                .map(|t| t.trim().to_string());
            if let Some(wsman_fault) = detail
                .children()
                .find(|c| c.is_element() && is_wsman_fault(*c))
            {
                out.read_wsman_fault(wsman_fault);
                out.detail = element_from_node(wsman_fault).ok();
            } else if let Some(cim) = detail.children().find(|c| {
                c.is_element()
                    && c.attributes()
                        .any(|a| a.name() == "IsCIM_Error" && a.value() == "true")
            }) {
                out.read_cim_error(cim);
                out.detail = element_from_node(cim).ok();
            }
        }
        if out.message.is_none() {
            out.message = reason;
        }
        out
    }

    fn read_wsman_fault(&mut self, node: Node) {
        self.wsman_code = node.attribute("Code").and_then(|c| c.trim().parse().ok());
        self.machine = node.attribute("Machine").map(str::to_string);
        let Some(message) = node
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == "Message")
        else {
            return;
        };
        if let Some(provider) = message
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == "ProviderFault")
        {
            self.provider = Some((
                provider.attribute("provider").unwrap_or("").to_string(),
                provider.attribute("path").unwrap_or("").to_string(),
            ));
            // The provider's own words: a nested WSManFault's message, or
            // the ProviderFault's text.
            let nested = provider
                .descendants()
                .filter(|d| d.is_element() && is_wsman_fault(*d))
                .filter_map(|d| {
                    d.children()
                        .find(|c| c.is_element() && c.tag_name().name() == "Message")
                })
                .filter_map(own_text)
                .next_back();
            self.message = nested.or_else(|| own_text(provider));
        }
        if self.message.is_none() {
            self.message = own_text(message);
        }
    }

    fn read_cim_error(&mut self, node: Node) {
        let field = |name: &str| {
            node.children()
                .find(|c| c.is_element() && c.tag_name().name() == name)
                .and_then(|c| c.text())
                .map(str::trim)
                .filter(|t| !t.is_empty())
        };
        self.cim_status = field("CIMStatusCode").and_then(|c| c.parse().ok());
        self.wsman_code = field("error_Code").and_then(|c| c.parse().ok());
        self.message = field("Message").map(str::to_string);
    }

    /// The Windows error number: the WSManFault's Code, or for servers that
    /// send only a subcode (openwsman, AMT, OMI) the number Windows reports
    /// for that subcode (WinRM 2.0 and 3.0 report the same condition either
    /// way), so every fault can be looked up.
    pub fn error_code(&self) -> Option<u32> {
        if self.wsman_code.is_some() {
            return self.wsman_code;
        }
        let subcode = self.subcode.as_deref().unwrap_or(&self.code);
        let name = match subcode {
            "AccessDenied" => return Some(5),
            "ActionNotSupported" => "ERROR_WSMAN_ACTION_NOT_SUPPORTED",
            "AlreadyExists" => "ERROR_WSMAN_ALREADY_EXISTS",
            "CannotProcessFilter" => "ERROR_WSMAN_ENUMERATE_CANNOT_PROCESS_FILTER",
            "Concurrency" => "ERROR_WSMAN_CONCURRENCY",
            // Windows itself answers DestinationUnreachable for an unknown
            // resource URI or instance, with these numbers.
            "DestinationUnreachable"
                if self
                    .fault_detail
                    .as_deref()
                    .is_some_and(|d| d.ends_with("/InvalidResourceURI")) =>
            {
                "ERROR_WSMAN_INVALID_RESOURCE_URI"
            }
            "DestinationUnreachable" => "ERROR_WSMAN_RESOURCE_NOT_FOUND",
            "EncodingLimit" => "ERROR_WSMAN_ENCODING_LIMIT",
            "EndpointUnavailable" => "ERROR_WSMAN_ENDPOINT_UNAVAILABLE",
            "FilterDialectRequestedUnavailable" => {
                "ERROR_WSMAN_ENUMERATE_FILTER_DIALECT_REQUESTED_UNAVAILABLE"
            }
            "FilteringNotSupported" => "ERROR_WSMAN_ENUMERATE_FILTERING_NOT_SUPPORTED",
            "FragmentDialectNotSupported" => "ERROR_WSMAN_FRAGMENT_DIALECT_REQUESTED_UNAVAILABLE",
            "InternalError" => "ERROR_INTERNAL_ERROR",
            "InvalidEnumerationContext" => "ERROR_WSMAN_ENUMERATE_INVALID_ENUMERATION_CONTEXT",
            "InvalidMessageInformationHeader" => "ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER",
            "MessageInformationHeaderRequired" => "ERROR_WSMAN_MESSAGE_INFORMATION_HEADER_REQUIRED",
            "InvalidOptions" => "ERROR_WSMAN_INVALID_OPTIONS",
            "InvalidParameter" => "ERROR_WSMAN_INVALID_PARAMETER",
            "InvalidRepresentation" => "ERROR_WSMAN_INVALID_REPRESENTATION",
            "InvalidSelectors" => "ERROR_WSMAN_INVALID_SELECTORS",
            "MustUnderstand" | "NotUnderstood" => "ERROR_WSMAN_SOAP_FAULT_MUST_UNDERSTAND",
            "QuotaLimit" => "ERROR_WSMAN_QUOTA_LIMIT",
            "SchemaValidationError" => "ERROR_WSMAN_SCHEMA_VALIDATION_ERROR",
            "TimedOut" => "ERROR_WSMAN_OPERATION_TIMEDOUT",
            "UnsupportedFeature" => "ERROR_WSMAN_UNSUPPORTED_FEATURE",
            _ => return None,
        };
        codes::all().iter().find(|c| c.name == name).map(|c| c.code)
    }

    /// The fault's identity for people: `w:InvalidSelectors` style, using
    /// the usual prefix for well-known namespaces.
    pub fn subcode_qname(&self) -> Option<String> {
        let local = self.subcode.as_deref()?;
        let prefix = match self.subcode_namespace.as_deref() {
            Some(ns::WSMAN) => "wsman:",
            Some(ns::ADDRESSING) => "wsa:",
            Some(ns::ENUMERATION) => "wsen:",
            Some(ns::TRANSFER) => "wxf:",
            Some(ns::SOAP) => "s:",
            _ => "",
        };
        Some(format!("{prefix}{local}"))
    }
}

fn is_wsman_fault(node: Node) -> bool {
    node.tag_name().name() == "WSManFault"
        && node.tag_name().namespace().is_some_and(ns::is_wsman_fault)
}

/// The local part of a QName held as element text (`w:InvalidSelectors`).
fn qname_local(node: Node) -> Option<String> {
    let text = node.text()?.trim();
    let local = text.rsplit_once(':').map_or(text, |(_, l)| l);
    (!local.is_empty()).then(|| local.to_string())
}
