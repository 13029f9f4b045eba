//! Every captured message in `tests/fixtures` through the library: replies
//! parse to a body or a fault (never a panic), requests are XML, faults give
//! their codes and messages, enumeration pages give the right items, context
//! and end, and the text/xml renderers print what winrm.cmd users expect.

use winrm::internals::{Page, decode, parse_document, parse_reply, parse_reply_with, read_page};
use winrm::protocol::{Element, Fault, ProtocolError};
use winrm::render::{Format, Printer};

use crate::support::{all_fixtures, fixture};

const UTF8: &str = "application/soap+xml;charset=UTF-8";
const UTF16: &str = "application/soap+xml;charset=UTF-16";

/// Splits a raw HTTP response into (Content-Type, body), undoing chunked
/// transfer encoding.
fn split_http(raw: &[u8]) -> (Option<String>, Vec<u8>) {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let body = &raw[end + 4..];
    let header = |name: &str| {
        head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let chunked = header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_vec()
    };
    (header("content-type"), body)
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("hex chunk size");
        rest = &rest[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// A response fixture's body bytes and Content-Type.
fn response(name: &str) -> (Vec<u8>, String) {
    let raw = fixture(name);
    if name.ends_with(".http") {
        let (content_type, body) = split_http(&raw);
        return (body, content_type.unwrap_or_else(|| UTF8.into()));
    }
    let content_type = if name.contains("utf16") { UTF16 } else { UTF8 };
    (raw, content_type.into())
}

fn body_of(name: &str) -> Element {
    let (bytes, content_type) = response(name);
    match parse_reply(&bytes, Some(&content_type), "") {
        Ok(reply) => reply.body.unwrap_or_else(|| panic!("{name}: empty body")),
        Err(e) => panic!("{name}: {e}"),
    }
}

fn fault_of(name: &str) -> Fault {
    let (bytes, content_type) = response(name);
    match parse_reply(&bytes, Some(&content_type), "") {
        Err(ProtocolError::Fault(fault)) => *fault,
        other => panic!("{name}: expected a fault, got {other:?}"),
    }
}

fn page_of(name: &str) -> Page {
    let (bytes, content_type) = response(name);
    parse_reply_with(&bytes, Some(&content_type), "", |node| {
        read_page(node, "EnumerateResponse").or_else(|_| read_page(node, "PullResponse"))
    })
    .unwrap_or_else(|e| panic!("{name}: {e}"))
    .1
}

fn is_request(name: &str) -> bool {
    name.ends_with(".request.xml") || name.ends_with(".req.xml")
}

fn is_response(name: &str) -> bool {
    name.ends_with(".response.xml") || name.ends_with(".resp.xml") || name.ends_with(".http")
}

/// A response is a fault when its name says so, except OMI's enumeration
/// of an unknown class, which succeeds (the fault comes on the Pull).
fn expects_fault(name: &str) -> bool {
    name.contains("fault") && !name.ends_with("12-enumerate-unknown-class-fault.resp.xml")
}

fn render(element: &Element, format: Format) -> String {
    let mut out = Vec::new();
    let mut printer = Printer::new(format, &mut out);
    printer.single(element).expect("render");
    drop(printer);
    String::from_utf8(out).expect("UTF-8 output")
}

#[test]
fn every_response_parses_to_a_body_or_a_fault() {
    let names: Vec<String> = all_fixtures()
        .into_iter()
        .filter(|n| is_response(n))
        .collect();
    assert!(names.len() > 50, "only {} responses found", names.len());
    let mut failures = Vec::new();
    for name in &names {
        let (bytes, content_type) = response(name);
        let result = std::panic::catch_unwind(|| parse_reply(&bytes, Some(&content_type), ""));
        let outcome = match result {
            Err(_) => Err("panicked".to_string()),
            // OMI answers some requests with an empty 500: nothing to parse.
            Ok(Err(ProtocolError::Malformed(_))) if bytes.is_empty() => Ok(()),
            Ok(Err(ProtocolError::Fault(f))) if expects_fault(name) => {
                if f.message.is_none() && f.subcode.is_none() {
                    Err(format!("fault without message or subcode: {f:?}"))
                } else {
                    Ok(())
                }
            }
            Ok(Ok(_)) if !expects_fault(name) => Ok(()),
            Ok(other) => Err(format!("{other:?}")),
        };
        if let Err(why) = outcome {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_request_is_xml() {
    let names: Vec<String> = all_fixtures()
        .into_iter()
        .filter(|n| is_request(n))
        .collect();
    assert!(names.len() > 20, "only {} requests found", names.len());
    // Two requests are malformed on purpose: they provoked the fault fixtures.
    let malformed = [
        "fault-malformed-request.request.xml",
        "14-malformed-xml.req.xml",
    ];
    for name in &names {
        let bytes = fixture(name);
        let content_type = if name.contains("utf16") { UTF16 } else { UTF8 };
        let text = decode(&bytes, Some(content_type)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let parsed = parse_document(&text);
        if malformed.iter().any(|m| name.ends_with(m)) {
            assert!(parsed.is_err(), "{name} should not parse");
        } else {
            let doc = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(doc.root_element().tag_name().name(), "Envelope", "{name}");
        }
    }
}

#[test]
fn the_bare_body_fragment_is_not_mistaken_for_an_envelope() {
    let bytes = fixture("windows/identify-authenticated-ws2008sp2.body-fragment.xml");
    match parse_reply(&bytes, Some(UTF8), "") {
        Err(ProtocolError::NotSoap(_)) => {}
        other => panic!("expected NotSoap, got {other:?}"),
    }
}

#[test]
fn utf16_identify_decodes() {
    let body = body_of("openwsman/identify-utf16.response.xml");
    assert_eq!(body.name.local, "IdentifyResponse");
    let vendor = body
        .child_local("ProductVendor")
        .map(Element::text_or_empty);
    assert_eq!(vendor, Some("Openwsman Project"));
    // The same reply without a charset: the BOM alone must be enough.
    let bytes = fixture("openwsman/identify-utf16.response.xml");
    assert!(parse_reply(&bytes, None, "").is_ok());
}

#[test]
fn http_fixtures_decode_after_dechunking() {
    let amt = body_of("amt/get-amt-generalsettings.response.http");
    assert_eq!(amt.name.local, "AMT_GeneralSettings");
    let realm = amt.child_local("DigestRealm").map(Element::text_or_empty);
    assert_eq!(realm, Some("Digest:62FFAC181B3F3457C5B3894ED21F3E6E"));
    assert_eq!(
        amt,
        body_of("amt/get-amt-generalsettings.response.xml"),
        "the .http and the .xml capture hold the same message"
    );
    let identify = body_of("openwsman/identify.response.http");
    assert_eq!(identify.name.local, "IdentifyResponse");
}

#[test]
fn windows_cannot_process_filter_fault() {
    let f = fault_of("windows/fault-cannotprocessfilter-extendedstatus.response.xml");
    assert_eq!(f.code, "Sender");
    assert_eq!(f.subcode.as_deref(), Some("CannotProcessFilter"));
    assert_eq!(f.wsman_code, Some(2150858778));
    assert_eq!(f.machine.as_deref(), Some("localhost"));
    assert_eq!(
        f.message.as_deref(),
        Some("The specified class does not exist in the given namespace.")
    );
    let (provider, path) = f.provider.clone().expect("provider");
    assert_eq!(provider, "WMI Provider");
    assert_eq!(path, r"%systemroot%\system32\WsmWmiPl.dll");
    assert_eq!(
        f.detail.as_ref().map(|d| d.name.local.as_str()),
        Some("WSManFault")
    );
}

#[test]
fn nested_provider_fault_gives_the_inner_message() {
    let f = fault_of("windows/fault-invalid-selectors-nested-providerfault.response.xml");
    assert_eq!(f.subcode.as_deref(), Some("InvalidSelectors"));
    assert_eq!(f.subcode_qname().as_deref(), Some("wsman:InvalidSelectors"));
    assert_eq!(f.wsman_code, Some(2150858843));
    assert_eq!(
        f.fault_detail.as_deref(),
        Some("http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors")
    );
    assert_eq!(
        f.message.as_deref(),
        Some(
            "The WS-Management service cannot process the request because the request \
             contained invalid selectors for the resource."
        )
    );
    assert_eq!(
        f.provider.as_ref().map(|p| p.0.as_str()),
        Some("Shell provider")
    );
}

#[test]
fn omi_cim_error_fault() {
    let f = fault_of("omi-live/09-get-msft_person-cimerror-fault.resp.xml");
    assert_eq!(f.code, "Receiver");
    assert_eq!(f.subcode.as_deref(), Some("InternalError"));
    assert_eq!(f.cim_status, Some(28));
    assert_eq!(f.message.as_deref(), Some("This is a test CIM Error"));
    assert_eq!(
        f.detail.as_ref().map(|d| d.name.local.as_str()),
        Some("CIM_Error")
    );
}

#[test]
fn amt_already_exists_fault() {
    let f = fault_of("amt/fault-already-exists.response.xml");
    assert_eq!(f.code, "Sender");
    assert_eq!(f.subcode.as_deref(), Some("AlreadyExists"));
    assert_eq!(
        f.subcode_namespace.as_deref(),
        Some("http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd")
    );
    assert_eq!(f.wsman_code, None);
    assert_eq!(
        f.message.as_deref(),
        Some("The sender attempted to create a resource which already exists.")
    );
}

#[test]
fn other_fault_shapes() {
    let f = fault_of("windows/fault-mustunderstand-notunderstood.response.xml");
    assert_eq!(f.code, "MustUnderstand");
    let f = fault_of("windows/fault-quotalimit-msft-wmierror.response.xml");
    assert_eq!(f.subcode.as_deref(), Some("QuotaLimit"));
    assert!(f.message.is_some());
    let f = fault_of("openwsman/fault-destination-unreachable-invalid-resourceuri.response.xml");
    assert_eq!(
        f.subcode_qname().as_deref(),
        Some("wsa:DestinationUnreachable")
    );
    let f = fault_of("windows/fault-invalid-parameter-87.response.xml");
    assert_eq!(f.wsman_code, Some(87));
    let f = fault_of("windows/fault-timedout-receive.response.xml");
    assert_eq!(f.wsman_code, Some(2150858793));
    assert_eq!(f.subcode.as_deref(), Some("TimedOut"));
}

#[test]
fn enumeration_pages() {
    // (fixture, items, context, end of sequence)
    let cases: [(&str, usize, Option<&str>, bool); 12] = [
        (
            "windows/enumerate-shell-commands-selectorfilter-empty.response.xml",
            0,
            None,
            true,
        ),
        (
            "windows/enumerate-shells-optimized.response.xml",
            2,
            None,
            true,
        ),
        (
            "windows/enumerate-wql-win32-process.response.xml",
            2,
            Some("uuid:12AE5286-91FE-48F3-937E-0C22FF1AD7A1"),
            false,
        ),
        ("windows/pull-wql-win32-process.response.xml", 1, None, true),
        (
            "amt/pull-amt-8021xcredentialcontext-empty.response.xml",
            0,
            None,
            true,
        ),
        ("amt/pull-cim-softwareidentity.response.xml", 11, None, true),
        (
            "idrac/enumerate-dcim-biosenumeration-large.response.xml",
            66,
            None,
            true,
        ),
        (
            "wiseman/enumerate-optimized.response.xml",
            1,
            Some("c0081c39-b43e-451f-9967-810608f94780"),
            false,
        ),
        (
            "omi-live/02-enumerate-omi_identify.resp.xml",
            0,
            Some("1164378112"),
            false,
        ),
        (
            "omi-live/03-pull-omi_identify.resp.xml",
            1,
            Some("1164378112"),
            true,
        ),
        (
            "omi-live/04-enumerate-optimized-xyz_number.resp.xml",
            3,
            Some("600178688"),
            false,
        ),
        (
            "omi-live/05-pull-xyz_number.resp.xml",
            2,
            Some("600178688"),
            false,
        ),
    ];
    for (name, items, context, end) in cases {
        let page = page_of(name);
        assert_eq!(page.items.len(), items, "{name}: items");
        assert_eq!(page.context.as_deref(), context, "{name}: context");
        assert_eq!(page.end_of_sequence, end, "{name}: EndOfSequence");
    }
}

#[test]
fn enumeration_items_keep_their_order_and_names() {
    let page = page_of("omi-live/04-enumerate-optimized-xyz_number.resp.xml");
    let numbers: Vec<&str> = page
        .items
        .iter()
        .map(|i| i.child_local("Number").map_or("?", Element::text_or_empty))
        .collect();
    assert_eq!(numbers, ["0", "1", "2"]);
    let page = page_of("idrac/enumerate-dcim-biosenumeration-large.response.xml");
    assert!(
        page.items
            .iter()
            .all(|i| i.name.local == "DCIM_BIOSEnumeration")
    );
    let first = page.items[0]
        .child_local("AttributeName")
        .map(Element::text_or_empty);
    assert_eq!(first, Some("MemTest"));
}

#[test]
fn non_enumeration_bodies_are_refused_by_read_page() {
    let (bytes, ct) = response("windows/get-shell.response.xml");
    let result = parse_reply_with(&bytes, Some(&ct), "", |n| read_page(n, "PullResponse"));

    assert!(
        matches!(result, Err(ProtocolError::Unexpected(_))),
        "{result:?}"
    );
}

#[test]
fn text_layout_of_winrm_config() {
    let body = body_of("windows/get-winrm-config-maxenv32kb.response.xml");
    let expected = "\
Config
    MaxEnvelopeSizekb = 32
    MaxTimeoutms = 60000
    MaxBatchItems = 32000
    MaxProviderRequests = 4294967295
    Client
        NetworkDelayms = 5000
        URLPrefix = wsman
        AllowUnencrypted = false
        Auth
            Basic = true
            Digest = true
            Kerberos = true
            Negotiate = true
            Certificate = true
            CredSSP = false
        DefaultPorts
            HTTP = 5985
            HTTPS = 5986
        TrustedHosts
    Service
        RootSDDL = O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)
        MaxConcurrentOperations = 4294967295
        MaxConcurrentOperationsPerUser = 1500
        EnumerationTimeoutms = 240000
        MaxConnections = 300
        MaxPacketRetrievalTimeSeconds = 120
        AllowUnencrypted = true
        Auth
            Basic = true
            Kerberos = true
            Negotiate = true
            Certificate = true
            CredSSP = true
            CbtHardeningLevel = Strict
        DefaultPorts
            HTTP = 5985
            HTTPS = 5986
        IPv4Filter = *
        IPv6Filter = *
        EnableCompatibilityHttpListener = false
        EnableCompatibilityHttpsListener = false
        CertificateThumbprint
        AllowRemoteAccess = true
    Winrs
        AllowRemoteShellAccess = true
        IdleTimeout = 7200000
        MaxConcurrentUsers = 2147483647
        MaxShellRunTime = 2147483647
        MaxProcessesPerShell = 2147483647
        MaxMemoryPerShellMB = 2147483647
        MaxShellsPerUser = 2147483647
";
    assert_eq!(render(&body, Format::Text), expected);
    // The pretty-printed capture of the same resource reads the same way.
    let pretty = body_of("windows/get-winrm-config-allowunencrypted.response.xml");
    let text = render(&pretty, Format::Text);
    assert!(
        text.starts_with("Config\n    MaxEnvelopeSizekb = 500\n"),
        "{text}"
    );
    assert!(text.contains("\n        TrustedHosts\n"), "{text}");
}

#[test]
fn text_layout_of_identify_nil_and_repeats() {
    let id = body_of("windows/identify-authenticated-ws2012r2.response.xml");
    assert_eq!(
        render(&id, Format::Text),
        "IdentifyResponse
    ProtocolVersion = http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd
    ProductVendor = Microsoft Corporation
    ProductVersion = OS: 6.3.9600 SP: 0.0 Stack: 3.0
    SecurityProfiles
        SecurityProfileName = http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic, \
http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/spnego-kerberos
"
    );
    let omi = page_of("omi-live/03-pull-omi_identify.resp.xml");
    let text = render(&omi.items[0], Format::Text);
    assert!(
        text.starts_with("OMI_Identify\n    InstanceID = 2FDB5542"),
        "{text}"
    );
    assert!(
        text.contains("\n    ConfigNameSpaces = interop, root-check, root-cimv2, root-omi\n"),
        "{text}"
    );
    let bios = page_of("idrac/enumerate-dcim-biosenumeration-large.response.xml");
    let text = render(&bios.items[0], Format::Text);
    assert!(text.contains("\n    Dependency = null\n"), "{text}");
    assert!(text.contains("\n    PendingValue = null\n"), "{text}");
}

#[test]
fn text_layout_of_an_epr_puts_selectors_on_one_line() {
    let job = body_of("idrac/invoke-createconfigjob-ok.response.xml");
    assert_eq!(
        render(&job, Format::Text),
        "CreateConfigJob_OUTPUT
    Job
        EndpointReference
            Address = http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous
            ReferenceParameters
                ResourceURI = http://schemas.dell.com/wbem/wscim/1/cim-schema/2/DCIM_LifecycleJob
                SelectorSet
                    Selector: InstanceID = JID_442507917525, __cimnamespace = root/dcim
    ReturnValue = 4096
"
    );
}

#[test]
fn text_layout_leaves_out_cim_location() {
    let page = page_of("windows/enumerate-wql-win32-process.response.xml");
    for item in &page.items {
        let text = render(item, Format::Text);
        assert!(!text.contains("Location"), "{text}");
        assert!(!text.contains("ReferenceParameters"), "{text}");
    }
}

/// Namespace declarations in scope on `node`: (prefix, uri).
fn declared(node: roxmltree::Node) -> Vec<(Option<String>, String)> {
    node.namespaces()
        .map(|n| (n.name().map(str::to_string), n.uri().to_string()))
        .collect()
}

#[test]
fn xml_of_an_item_carries_the_namespaces_it_uses() {
    let page = page_of("idrac/enumerate-dcim-biosenumeration-large.response.xml");
    for format in [Format::Xml, Format::Pretty] {
        let xml = render(&page.items[0], format);
        let doc = parse_document(&xml).unwrap_or_else(|e| panic!("{format:?}: {e}\n{xml}"));
        let root = doc.root_element();
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://schemas.dell.com/wbem/wscim/1/cim-schema/2/DCIM_BIOSEnumeration")
        );
        let nil = root
            .descendants()
            .find(|n| n.tag_name().name() == "Dependency")
            .expect("Dependency");
        assert_eq!(
            nil.attribute(("http://www.w3.org/2001/XMLSchema-instance", "nil")),
            Some("true"),
            "{xml}"
        );
        let ns = declared(root);
        assert!(ns.contains(&(
            Some("n1".into()),
            root.tag_name().namespace().unwrap_or("").into()
        )));
        assert!(
            !xml.contains("xmlns:wsen"),
            "unused declarations are dropped: {xml}"
        );
    }
}

#[test]
fn xml_of_a_body_reparses_and_pretty_is_indented() {
    let body = body_of("windows/get-winrm-config-maxenv32kb.response.xml");
    let compact = render(&body, Format::Xml);
    assert_eq!(compact.lines().count(), 1, "{compact}");
    assert!(compact.starts_with(
        r#"<cfg:Config xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config">"#
    ));
    let pretty = render(&body, Format::Pretty);
    assert!(
        pretty.contains("\n  <cfg:MaxEnvelopeSizekb>32</cfg:MaxEnvelopeSizekb>\n"),
        "{pretty}"
    );
    assert!(
        pretty.contains("\n    <cfg:NetworkDelayms>5000</cfg:NetworkDelayms>\n"),
        "{pretty}"
    );
    for xml in [&compact, &pretty] {
        let doc = parse_document(xml).expect("re-parses");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "Config");
        let leaves = |d: &roxmltree::Document| {
            d.descendants()
                .filter(|n| n.is_element() && !n.children().any(|c| c.is_element()))
                .map(|n| {
                    (
                        n.tag_name().name().to_string(),
                        n.text().unwrap_or("").to_string(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let original = decode(
            &fixture("windows/get-winrm-config-maxenv32kb.response.xml"),
            None,
        )
        .expect("decode");
        let original = parse_document(&original).expect("parse");
        let body = original
            .descendants()
            .find(|n| {
                n.has_tag_name(("http://schemas.microsoft.com/wbem/wsman/1/config", "Config"))
            })
            .expect("Config");
        let expected: Vec<_> = body
            .descendants()
            .filter(|n| n.is_element() && !n.children().any(|c| c.is_element()))
            .map(|n| {
                (
                    n.tag_name().name().to_string(),
                    n.text().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(leaves(&doc), expected, "same leaves and values");
    }
}

#[test]
fn xml_of_an_omi_item_keeps_xsi_type_prefixes() {
    // xsi:type="cim:cimString" names a prefix in content: it must stay declared.
    let f = fault_of("omi-live/09-get-msft_person-cimerror-fault.resp.xml");
    let detail = f.detail.expect("detail");
    let xml = render(&detail, Format::Xml);
    let doc = parse_document(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let root = doc.root_element();
    let ns = declared(root);
    assert!(
        ns.contains(&(
            Some("cim".into()),
            "http://schemas.dmtf.org/wbem/wscim/1/common".into()
        )),
        "{xml}"
    );
}
