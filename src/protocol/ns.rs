//! Namespace and action URIs of WS-Management (DMTF DSP0226) and Microsoft's
//! extensions (MS-WSMV).
//!
//! Replies are always matched by namespace URI, never by prefix: Windows says
//! `s:`/`w:`, openwsman `SOAP-ENV:`/`wsman:`, AMT single letters, OMI a
//! default namespace. This module only names things; it parses nothing.

/// SOAP 1.2 envelope.
pub const SOAP: &str = "http://www.w3.org/2003/05/soap-envelope";
/// WS-Addressing (2004/08), used by every WS-Man implementation.
pub const ADDRESSING: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
/// DMTF WS-Management.
pub const WSMAN: &str = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd";
/// Microsoft's WS-Management extensions (DataLocale, SessionId).
pub const WSMV: &str = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd";
/// WS-Transfer.
pub const TRANSFER: &str = "http://schemas.xmlsoap.org/ws/2004/09/transfer";
/// WS-Enumeration.
pub const ENUMERATION: &str = "http://schemas.xmlsoap.org/ws/2004/09/enumeration";
/// WS-Man Identify (note: `identity`, not `identify`).
pub const IDENTITY: &str = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd";
/// CIM binding (association filters, DSP0227).
pub const CIMBINDING: &str = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd";
/// Microsoft's fault detail (`WSManFault`), Vista and later.
pub const WSMAN_FAULT: &str = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault";
/// Microsoft's fault detail as Windows Server 2003 R2 spelled it.
pub const WSMAN_FAULT_2005: &str = "http://schemas.microsoft.com/ws/2005/06/wsmanfault";
/// XML Schema instance (`xsi:nil`, `xsi:type`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The `xml:` prefix, bound by definition.
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// The anonymous reply address every request names.
pub const ANONYMOUS: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";

/// WS-Transfer Get.
pub const ACTION_GET: &str = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get";
/// WS-Transfer Put.
pub const ACTION_PUT: &str = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Put";
/// WS-Transfer Create.
pub const ACTION_CREATE: &str = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create";
/// WS-Transfer Delete.
pub const ACTION_DELETE: &str = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete";
/// WS-Enumeration Enumerate.
pub const ACTION_ENUMERATE: &str = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate";
/// WS-Enumeration Pull.
pub const ACTION_PULL: &str = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull";
/// WS-Enumeration Release.
pub const ACTION_RELEASE: &str = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Release";

/// WQL filter dialect (Windows WMI, iDRAC).
pub const DIALECT_WQL: &str = "http://schemas.microsoft.com/wbem/wsman/1/WQL";
/// CQL filter dialect (DSP0202).
pub const DIALECT_CQL: &str = "http://schemas.dmtf.org/wbem/cql/1/dsp0202.pdf";
/// Selector filter dialect.
pub const DIALECT_SELECTOR: &str = "http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter";
/// Association filter dialect, spelled as winrm.cmd sends it (iDRAC and
/// Windows accept it; openwsman spells it `associationFilter`).
pub const DIALECT_ASSOCIATION: &str =
    "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/AssociationFilter";
/// XPath 1.0, the default fragment dialect.
pub const DIALECT_XPATH: &str = "http://www.w3.org/TR/1999/REC-xpath-19991116";

/// Whether `uri` is one of the namespaces Microsoft used for `WSManFault`.
pub fn is_wsman_fault(uri: &str) -> bool {
    uri == WSMAN_FAULT || uri == WSMAN_FAULT_2005
}
