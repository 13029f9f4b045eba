//! The SOAP/WS-Management layer: reads the request envelope (namespaces
//! matched by URI), validates headers the way Windows does (missing or bad
//! addressing headers, mustUnderstand, DataLocale, OperationTimeout,
//! MaxEnvelopeSize, FragmentTransfer), routes by Action and ResourceURI, and
//! wraps results in Windows-style reply envelopes (prefixes s a x n w p).

use super::faults::Fault;
use super::http::{Charset, wire_len};
use super::xml::{
    ANONYMOUS, NS_ADDR, NS_IDENTITY, NS_SOAP, NS_WSMAN, NS_WSMV, child, elements, esc, is,
    must_understand, new_uuid, parse_duration, text,
};
use super::{Shared, State, config, enumeration, listeners, winrs, wmi};

pub const TRANSFER: &str = "http://schemas.xmlsoap.org/ws/2004/09/transfer/";
pub const ENUMERATION: &str = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/";
pub const CONFIG_URI: &str = "http://schemas.microsoft.com/wbem/wsman/1/config";
pub const CIMV2_URI: &str = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/";
pub const SHELL_URI: &str = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell";
pub const XPATH_DIALECT: &str = "http://www.w3.org/TR/1999/REC-xpath-19991116";

/// Which namespace declarations a reply envelope carries (Windows varies them).
#[derive(Clone, Copy)]
pub enum Ns {
    Transfer,
    Enumeration,
    Plain,
    /// Shell Create/Command/Send/Signal replies: `x` and `rsp`.
    Shell,
    /// Shell Receive replies: `rsp` without `x`.
    ShellReceive,
}

/// A successful reply before it is put in an envelope.
pub struct Reply {
    pub ns: Ns,
    pub action: String,
    pub body: String,
    /// Extra header elements (e.g. `w:TotalItemsCountEstimate`).
    pub headers: String,
}

impl Reply {
    pub fn new(ns: Ns, action: impl Into<String>, body: impl Into<String>) -> Self {
        Reply {
            ns,
            action: action.into(),
            body: body.into(),
            headers: String::new(),
        }
    }
}

pub struct Fragment {
    pub path: String,
}

/// Everything the resource handlers need to know about one request.
pub struct Req<'a, 'i> {
    pub charset: Charset,
    pub message_id: String,
    pub action: String,
    pub resource_uri: String,
    /// Text selectors in order; names as sent.
    pub selectors: Vec<(String, String)>,
    /// Reply size limit in bytes (already capped by MaxEnvelopeSizekb).
    pub max_envelope: usize,
    pub fragment: Option<Fragment>,
    pub total_estimate: bool,
    /// First element child of `s:Body`, if any.
    pub body: Option<roxmltree::Node<'a, 'i>>,
    /// `a:To` as sent (Windows echoes it as the Address of a new shell).
    pub to: String,
    /// OperationTimeout in seconds, when the request set one.
    pub operation_timeout: Option<f64>,
    /// `w:OptionSet` options (name, value) in order.
    pub options: Vec<(String, String)>,
}

impl Req<'_, '_> {
    /// Value of a selector, name compared case-insensitively.
    pub fn selector(&self, name: &str) -> Option<&str> {
        self.selectors
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Value of an option, name compared case-insensitively.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Puts a reply body in an envelope, enforcing MaxEnvelopeSize.
    pub fn envelope(&self, reply: &Reply) -> Result<String, Fault> {
        let xml = envelope(reply, &self.message_id);
        let size = wire_len(&xml, self.charset);
        if size > self.max_envelope {
            return Err(Fault::encoding_limit(size, self.max_envelope));
        }
        Ok(xml)
    }
}

/// Builds a reply envelope like Windows (no XML declaration, no newline).
pub fn envelope(reply: &Reply, relates_to: &str) -> String {
    let ns = match reply.ns {
        Ns::Transfer | Ns::Shell => " xmlns:x=\"http://schemas.xmlsoap.org/ws/2004/09/transfer\"",
        Ns::Enumeration => " xmlns:n=\"http://schemas.xmlsoap.org/ws/2004/09/enumeration\"",
        Ns::Plain | Ns::ShellReceive => "",
    };
    // Windows declares rsp between w and p (fixtures windows/shell/*).
    let rsp = match reply.ns {
        Ns::Shell | Ns::ShellReceive => {
            " xmlns:rsp=\"http://schemas.microsoft.com/wbem/wsman/1/windows/shell\""
        }
        _ => "",
    };
    let mut s = String::with_capacity(reply.body.len() + 900);
    s.push_str(
        "<s:Envelope xml:lang=\"en-US\" xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" \
         xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\"",
    );
    s.push_str(ns);
    s.push_str(" xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\"");
    s.push_str(rsp);
    s.push_str(
        " xmlns:p=\"http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd\"><s:Header><a:Action>",
    );
    s.push_str(&esc(&reply.action));
    s.push_str("</a:Action><a:MessageID>");
    s.push_str(&new_uuid());
    s.push_str("</a:MessageID><a:To>");
    s.push_str(ANONYMOUS);
    s.push_str("</a:To><a:RelatesTo>");
    s.push_str(&esc(relates_to));
    s.push_str("</a:RelatesTo>");
    s.push_str(&reply.headers);
    s.push_str("</s:Header><s:Body>");
    s.push_str(&reply.body);
    s.push_str("</s:Body></s:Envelope>");
    s
}

/// (Action, ResourceURI, MessageID) for the request log, best effort.
pub fn record_fields(
    doc: &roxmltree::Document,
) -> (Option<String>, Option<String>, Option<String>) {
    let root = doc.root_element();
    let Some(header) = child(root, NS_SOAP, "Header") else {
        return (None, None, None);
    };
    let get = |ns: &str, name: &str| child(header, ns, name).map(text);
    (
        get(NS_ADDR, "Action"),
        get(NS_WSMAN, "ResourceURI"),
        get(NS_ADDR, "MessageID"),
    )
}

pub fn is_identify(doc: &roxmltree::Document) -> bool {
    let root = doc.root_element();
    is(root, NS_SOAP, "Envelope")
        && child(root, NS_SOAP, "Body")
            .and_then(|b| elements(b).next())
            .is_some_and(|b| is(b, NS_IDENTITY, "Identify"))
}

/// IdentifyResponse; the anonymous form hides the OS version and profiles.
pub fn identify_reply(shared: &Shared, authenticated: bool) -> String {
    let (version, profiles) = if authenticated {
        let st = shared.state();
        let mut p = String::new();
        let base = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/";
        let mut names = Vec::new();
        if st.config.basic_enabled() {
            names.extend(["http/basic", "https/basic"]);
        }
        if st.config.kerberos_enabled() {
            names.extend(["http/spnego-kerberos", "https/spnego-kerberos"]);
        }
        names.sort_unstable();
        if !names.is_empty() {
            p.push_str("<wsmid:SecurityProfiles>");
            for n in names {
                p.push_str(&format!(
                    "<wsmid:SecurityProfileName>{base}{n}</wsmid:SecurityProfileName>"
                ));
            }
            p.push_str("</wsmid:SecurityProfiles>");
        }
        ("OS: 10.0.17763 SP: 0.0 Stack: 3.0", p)
    } else {
        ("OS: 0.0.0 SP: 0.0 Stack: 3.0", String::new())
    };
    let (open, header) = if authenticated {
        ("<s:Envelope xml:lang=\"en-US\"", "<s:Header></s:Header>")
    } else {
        ("<s:Envelope", "<s:Header/>")
    };
    format!(
        "{open} xmlns:s=\"{NS_SOAP}\">{header}<s:Body><wsmid:IdentifyResponse \
         xmlns:wsmid=\"{NS_IDENTITY}\"><wsmid:ProtocolVersion>{NS_WSMAN}</wsmid:ProtocolVersion>\
         <wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor><wsmid:ProductVersion>\
         {version}</wsmid:ProductVersion>{profiles}</wsmid:IdentifyResponse></s:Body></s:Envelope>"
    )
}

/// Handles an authenticated SOAP request; returns (HTTP status, envelope).
pub fn handle(shared: &Shared, doc: &roxmltree::Document, charset: Charset) -> (u16, String) {
    let machine = shared.cfg.machine.as_str();
    let root = doc.root_element();
    let header = child(root, NS_SOAP, "Header");
    let message_id = header
        .and_then(|h| child(h, NS_ADDR, "MessageID"))
        .map(text);
    let fail = |f: Fault| (500, f.envelope(&new_uuid(), message_id.as_deref(), machine));
    if !is(root, NS_SOAP, "Envelope") {
        return fail(Fault::malformed(
            "The root element is not a SOAP 1.2 Envelope.",
        ));
    }
    let Some(body) = child(root, NS_SOAP, "Body") else {
        return fail(Fault::malformed("The SOAP message has no Body element."));
    };
    if shared.cfg.deny_access {
        return fail(super::shell_faults::access_denied());
    }
    if elements(body)
        .next()
        .is_some_and(|b| is(b, NS_IDENTITY, "Identify"))
    {
        return (200, identify_reply(shared, true));
    }
    let mut st = shared.state();
    let req = match parse(header, body, charset, &st) {
        Ok(r) => r,
        Err(f) => return fail(f),
    };
    if winrs::owns(&req) {
        // A Receive may wait for output: the shells live outside the state
        // lock, so this request must not hold it.
        let policy = winrs::Policy::from_state(&st, &shared.cfg);
        drop(st);
        return match winrs::route(shared, &req, &policy).and_then(|r| req.envelope(&r)) {
            Ok(xml) => (200, xml),
            Err(f) => fail(f),
        };
    }
    match route(&req, &mut st).and_then(|reply| req.envelope(&reply)) {
        Ok(xml) => (200, xml),
        Err(f) => fail(f),
    }
}

fn parse<'a, 'i>(
    header: Option<roxmltree::Node<'a, 'i>>,
    body: roxmltree::Node<'a, 'i>,
    charset: Charset,
    st: &State,
) -> Result<Req<'a, 'i>, Fault> {
    let header = header.ok_or_else(|| Fault::header_required("Header"))?;
    for h in elements(header) {
        if must_understand(h) && !known_header(h) {
            let name = h.tag_name();
            let prefix = h
                .lookup_prefix(name.namespace().unwrap_or(""))
                .unwrap_or("");
            return Err(Fault::must_understand(
                prefix,
                name.name(),
                name.namespace().unwrap_or(""),
            ));
        }
    }
    let get = |ns: &str, name: &str| child(header, ns, name);
    let message_id = get(NS_ADDR, "MessageID")
        .map(text)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Fault::header_required("MessageID"))?;
    let action = get(NS_ADDR, "Action")
        .map(text)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Fault::header_required("Action"))?;
    get(NS_ADDR, "To").ok_or_else(|| Fault::header_required("To"))?;
    let reply_to = get(NS_ADDR, "ReplyTo").ok_or_else(|| Fault::header_required("ReplyTo"))?;
    for addr_holder in [Some(reply_to), get(NS_ADDR, "FaultTo")]
        .into_iter()
        .flatten()
    {
        // MS-WSMV spells the anonymous URI with and without a final slash.
        let addr = child(addr_holder, NS_ADDR, "Address").map(text);
        if addr.as_deref().map(|a| a.trim_end_matches('/')) != Some(ANONYMOUS) {
            return Err(Fault::addressing_mode());
        }
    }
    if get(NS_WSMV, "DataLocale").is_some_and(must_understand) {
        return Err(Fault::unsupported_feature(
            "DataLocale",
            "DataLocale must be sent with mustUnderstand=\"false\".",
        ));
    }
    let operation_timeout = match get(NS_WSMAN, "OperationTimeout").map(text) {
        None => None,
        Some(t) => Some(parse_duration(&t).ok_or_else(|| {
            Fault::invalid_header(&format!(
                "The OperationTimeout header holds an invalid duration: {t}."
            ))
        })?),
    };
    let service_max = st.config.max_envelope_bytes();
    let max_envelope = match get(NS_WSMAN, "MaxEnvelopeSize").map(text) {
        None => service_max,
        Some(t) => {
            let n: usize = t.parse().map_err(|_| {
                Fault::invalid_header(&format!("MaxEnvelopeSize '{t}' is not a number."))
            })?;
            if n < 8192 {
                return Err(Fault::min_envelope(n));
            }
            // Windows caps the client's value at its own MaxEnvelopeSizekb.
            n.min(service_max)
        }
    };
    let fragment = match get(NS_WSMAN, "FragmentTransfer") {
        None => None,
        Some(f) => {
            if !must_understand(f) {
                return Err(Fault::invalid_header(
                    "FragmentTransfer must be marked mustUnderstand=\"true\".",
                ));
            }
            if let Some(d) = f.attribute("Dialect")
                && d != XPATH_DIALECT
            {
                return Err(Fault::fragment_dialect(d));
            }
            Some(Fragment { path: text(f) })
        }
    };
    let mut selectors = Vec::new();
    if let Some(set) = get(NS_WSMAN, "SelectorSet") {
        for s in elements(set).filter(|s| is(*s, NS_WSMAN, "Selector")) {
            let name = s.attribute("Name").unwrap_or("").to_string();
            if selectors
                .iter()
                .any(|(n, _): &(String, String)| n.eq_ignore_ascii_case(&name))
            {
                return Err(Fault::invalid_selectors(
                    "DuplicateSelectors",
                    &format!("The selector {name} appears more than once."),
                ));
            }
            selectors.push((name, text(s)));
        }
    }
    Ok(Req {
        charset,
        message_id,
        action,
        resource_uri: get(NS_WSMAN, "ResourceURI").map(text).unwrap_or_default(),
        selectors,
        max_envelope,
        fragment,
        total_estimate: get(NS_WSMAN, "RequestTotalItemsCountEstimate").is_some(),
        body: elements(body).next(),
        to: get(NS_ADDR, "To").map(text).unwrap_or_default(),
        operation_timeout,
        options: get(NS_WSMAN, "OptionSet")
            .map(|set| {
                elements(set)
                    .filter(|o| is(*o, NS_WSMAN, "Option"))
                    .map(|o| (o.attribute("Name").unwrap_or("").to_string(), text(o)))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Headers this service processes (anything else marked mustUnderstand
/// gets `s:MustUnderstand`; names are case-sensitive).
fn known_header(h: roxmltree::Node) -> bool {
    let ns = h.tag_name().namespace().unwrap_or("");
    let name = h.tag_name().name();
    match ns {
        NS_ADDR => matches!(name, "To" | "Action" | "MessageID" | "ReplyTo" | "FaultTo"),
        NS_WSMAN => matches!(
            name,
            "ResourceURI"
                | "MaxEnvelopeSize"
                | "OperationTimeout"
                | "Locale"
                | "SelectorSet"
                | "OptionSet"
                | "FragmentTransfer"
                | "RequestTotalItemsCountEstimate"
        ),
        NS_WSMV => matches!(
            name,
            "DataLocale" | "SessionId" | "OperationID" | "SequenceId"
        ),
        _ => false,
    }
}

/// Where a resource URI points (config URIs are case-insensitive, WMI
/// class names case-sensitive).
pub enum Target {
    Config(Vec<String>),
    Listener,
    WmiClass(String),
    WmiNamespace,
    Shell,
    Unknown,
}

pub fn resolve(uri: &str) -> Target {
    let lower = uri.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix(CONFIG_URI) {
        if rest.is_empty() {
            return Target::Config(Vec::new());
        }
        let Some(rest) = rest.strip_prefix('/') else {
            return Target::Unknown;
        };
        if rest == "listener" {
            return Target::Listener;
        }
        return Target::Config(rest.split('/').map(str::to_string).collect());
    }
    if lower.starts_with(&CIMV2_URI.to_ascii_lowercase()) {
        let class = &uri[CIMV2_URI.len()..];
        return match class {
            "*" => Target::WmiNamespace,
            c if !c.is_empty() && !c.contains('/') => Target::WmiClass(c.to_string()),
            _ => Target::Unknown,
        };
    }
    if lower == SHELL_URI || lower.starts_with(&format!("{SHELL_URI}/")) {
        return Target::Shell;
    }
    Target::Unknown
}

fn route(req: &Req, st: &mut State) -> Result<Reply, Fault> {
    let op = req.action.as_str();
    if let Some(e) = op.strip_prefix(ENUMERATION) {
        return match e {
            "Enumerate" => enumeration::enumerate(req, st),
            "Pull" => enumeration::pull(req, st),
            "Release" => enumeration::release(req, st),
            _ => Err(Fault::action_not_supported(op)),
        };
    }
    let target = resolve(&req.resource_uri);
    if let Target::Unknown = target {
        return Err(Fault::invalid_resource_uri(&req.resource_uri));
    }
    let transfer = op.strip_prefix(TRANSFER);
    match (target, transfer) {
        (Target::Config(path), Some(t)) => config::transfer(req, st, &path, t),
        (Target::Listener, Some(t)) => listeners::transfer(req, st, t),
        (Target::WmiClass(class), Some(t)) => wmi::transfer(req, st, &class, t),
        (Target::WmiClass(class), None) => match op.strip_prefix(req.resource_uri.as_str()) {
            Some(m) if m.len() > 1 && m.starts_with('/') => wmi::invoke(req, st, &class, &m[1..]),
            _ => Err(Fault::action_not_supported(op)),
        },
        _ => Err(Fault::action_not_supported(op)),
    }
}
