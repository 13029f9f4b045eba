//! Golden envelopes: every request shape the builder can emit, byte-exact,
//! with fixed MessageIDs, against `tests/golden/envelopes/<verb>-<case>.xml`.
//! `SNAPSHOTS=overwrite cargo test --test it envelopes` rewrites the files;
//! review the diff before committing.
//!
//! The second half drives a real [`Session`] over a stub transport that
//! replays fixtures, so the envelopes a session composes (Get then Put for
//! `set`, Enumerate then Pull with the latest context) are golden too.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use winrm::internals::envelope::{
    self, Addressing, Association, EnumerateBody, Envelope, Filter, Fragment, OptionValue,
};
use winrm::internals::parse_document;
use winrm::protocol::ns;
use winrm::session::{EnumerateOptions, RequestOptions, ResourceUri, Session, SessionOptions};
use winrm::transport::{Reply, Request, Transport, TransportError};

use crate::support::fixture;

const TO: &str = "http://server01:5985/wsman";
const ID: &str = "uuid:00000000-0000-4000-8000-000000000001";
const SESSION: &str = "uuid:00000000-0000-4000-8000-0000000000AA";
const SERVICE: &str = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service";
const CIMV2_ALL: &str = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/*";
const LISTENER: &str = "http://schemas.microsoft.com/wbem/wsman/1/config/listener";

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/envelopes")
        .join(format!("{name}.xml"))
}

/// Compares `actual` with the golden file, or rewrites it under
/// `SNAPSHOTS=overwrite`.
#[track_caller]
fn golden(name: &str, actual: &str) {
    parse_document(actual).unwrap_or_else(|e| panic!("{name}: not well-formed: {e}\n{actual}"));
    let path = golden_path(name);
    if crate::support::golden::overwriting() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create golden dir");
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\nrun `SNAPSHOTS=overwrite cargo test --test it envelopes` to create it",
            path.display()
        )
    });
    if expected != actual {
        let at = expected
            .bytes()
            .zip(actual.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.len().min(actual.len()));
        let around = |s: &str| {
            let bytes = &s.as_bytes()[at.saturating_sub(60)..(at + 60).min(s.len())];
            String::from_utf8_lossy(bytes).into_owned()
        };
        panic!(
            "{name}: differs from {} at byte {at}\n  golden: …{}…\n  actual: …{}…\n\
             (SNAPSHOTS=overwrite rewrites it; review the diff)",
            path.display(),
            around(&expected),
            around(actual)
        );
    }
}

fn addressing() -> Addressing<'static> {
    Addressing {
        to: TO,
        message_id: ID,
        max_envelope_size: 512_000,
        operation_timeout_ms: 60_000,
        locale: Some("en-US"),
        data_locale: None,
        session_id: Some(SESSION),
    }
}

fn request(action: &str, resource: &str, body: &str) -> String {
    Envelope {
        action,
        addressing: addressing(),
        resource_uri: resource,
        selectors: &[],
        options: &[],
        fragment: None,
        body,
    }
    .to_xml()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn identify() {
    golden("identify-plain", &envelope::identify());
}

#[test]
fn get() {
    let selectors = pairs(&[("Name", "Spooler")]);
    let base = Envelope {
        action: ns::ACTION_GET,
        addressing: addressing(),
        resource_uri: SERVICE,
        selectors: &selectors,
        options: &[],
        fragment: None,
        body: "",
    };
    golden("get-selector", &base.to_xml());

    let fragment = Fragment {
        expression: "State/text()".into(),
        dialect: None,
    };
    golden(
        "get-fragment",
        &Envelope {
            fragment: Some(&fragment),
            ..base.clone()
        }
        .to_xml(),
    );

    let options = [
        OptionValue {
            name: "wmi:ShowExtensions".into(),
            value: Some("true".into()),
        },
        OptionValue {
            name: "Empty".into(),
            value: None,
        },
    ];
    let awkward = pairs(&[("Name", r#"a&b<c>"d'e"#)]);
    let mut addressing = addressing();
    addressing.data_locale = Some("de-DE");
    addressing.operation_timeout_ms = 1_050;
    golden(
        "get-options-escaping-datalocale",
        &Envelope {
            addressing,
            selectors: &awkward,
            options: &options,
            ..base
        }
        .to_xml(),
    );

    golden(
        "get-config",
        &request(
            ns::ACTION_GET,
            "http://schemas.microsoft.com/wbem/wsman/1/config",
            "",
        ),
    );
}

#[test]
fn put_create_delete() {
    let body = r#"<cfg:Client xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config/client"><cfg:TrustedHosts>*</cfg:TrustedHosts></cfg:Client>"#;
    golden(
        "put-client",
        &request(
            ns::ACTION_PUT,
            "http://schemas.microsoft.com/wbem/wsman/1/config/client",
            body,
        ),
    );

    let selectors = pairs(&[("Address", "*"), ("Transport", "HTTPS")]);
    let input = envelope::input_body(
        "Listener",
        LISTENER,
        &[
            ("Hostname".into(), Some("srv01.corp".into())),
            ("CertificateThumbprint".into(), None),
        ],
    );
    let create = Envelope {
        action: ns::ACTION_CREATE,
        addressing: addressing(),
        resource_uri: LISTENER,
        selectors: &selectors,
        options: &[],
        fragment: None,
        body: &input,
    };
    golden("create-listener", &create.to_xml());
    golden(
        "delete-listener",
        &Envelope {
            action: ns::ACTION_DELETE,
            body: "",
            ..create
        }
        .to_xml(),
    );
}

#[test]
fn enumerate() {
    let optimized = EnumerateBody {
        optimize: true,
        max_elements: 100,
        ..EnumerateBody::default()
    };
    golden(
        "enumerate-optimized",
        &request(ns::ACTION_ENUMERATE, SERVICE, &optimized.to_xml()),
    );

    let plain = EnumerateBody {
        optimize: false,
        max_elements: 100,
        mode: Some("EnumerateEPR"),
        polymorphism: Some("None"),
        filter: None,
    };
    golden(
        "enumerate-epr-shallow",
        &request(ns::ACTION_ENUMERATE, SERVICE, &plain.to_xml()),
    );

    let both = EnumerateBody {
        mode: Some("EnumerateObjectAndEPR"),
        polymorphism: Some("ExcludeSubClassProperties"),
        ..optimized.clone()
    };
    golden(
        "enumerate-objectandepr-basepropertiesonly",
        &request(ns::ACTION_ENUMERATE, SERVICE, &both.to_xml()),
    );

    let wql = EnumerateBody {
        filter: Some(Filter::Text {
            dialect: ns::DIALECT_WQL.into(),
            expression: "select * from Win32_Service where State='Stopped' and Name<>\"x\"".into(),
        }),
        ..optimized.clone()
    };
    golden(
        "enumerate-wql",
        &request(ns::ACTION_ENUMERATE, CIMV2_ALL, &wql.to_xml()),
    );

    let selector = EnumerateBody {
        filter: Some(Filter::Selectors(pairs(&[("State", "Running")]))),
        ..optimized.clone()
    };
    golden(
        "enumerate-selector-filter",
        &request(ns::ACTION_ENUMERATE, SERVICE, &selector.to_xml()),
    );

    for (case, instances) in [("associated", false), ("association-instances", true)] {
        let association = EnumerateBody {
            filter: Some(Filter::Association(Association {
                dialect: ns::DIALECT_ASSOCIATION.into(),
                association_instances: instances,
                object_uri: SERVICE.into(),
                object_selectors: pairs(&[("Name", "WinRM")]),
                fields: vec![
                    ("AssociationClassName", "Win32_DependentService".into()),
                    ("Role", "Dependent".into()),
                    ("ResultClassName", "Win32_Service".into()),
                    ("ResultRole", "Antecedent".into()),
                ],
            })),
            ..optimized.clone()
        };
        golden(
            &format!("enumerate-{case}"),
            &request(ns::ACTION_ENUMERATE, CIMV2_ALL, &association.to_xml()),
        );
    }

    golden(
        "pull-context",
        &request(
            ns::ACTION_PULL,
            SERVICE,
            &envelope::pull("uuid:6C1B52D0-6F0A-4C5E-9E0B-0A6E3C0B9D11", 10),
        ),
    );
    golden(
        "release-context",
        &request(
            ns::ACTION_RELEASE,
            SERVICE,
            &envelope::release("uuid:6C1B52D0-6F0A-4C5E-9E0B-0A6E3C0B9D11"),
        ),
    );
}

#[test]
fn invoke() {
    let selectors = pairs(&[("Name", "Spooler")]);
    let empty = envelope::input_body("StopService_INPUT", SERVICE, &[]);
    assert_eq!(
        empty,
        format!(r#"<p:StopService_INPUT xmlns:p="{SERVICE}"/>"#),
        "an empty method input is one empty element"
    );
    golden(
        "invoke-stopservice",
        &Envelope {
            action: &format!("{SERVICE}/StopService"),
            addressing: addressing(),
            resource_uri: SERVICE,
            selectors: &selectors,
            options: &[],
            fragment: None,
            body: &empty,
        }
        .to_xml(),
    );
    let process = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Process";
    let input = envelope::input_body(
        "Create_INPUT",
        process,
        &[
            (
                "CommandLine".into(),
                Some(r#"cmd /c echo a&b > "c.txt""#.into()),
            ),
            ("CurrentDirectory".into(), Some(r"C:\Windows".into())),
            ("ProcessStartupInformation".into(), None),
        ],
    );
    golden(
        "invoke-create-process",
        &request(&format!("{process}/Create"), process, &input),
    );
}

/// A transport that records what it is sent and answers with the given
/// fixtures, rewriting each reply's RelatesTo to the request's MessageID.
struct Replay {
    replies: VecDeque<Vec<u8>>,
    sent: Arc<Mutex<Vec<String>>>,
}

impl Transport for Replay {
    fn send(&mut self, request: &Request) -> Result<Reply, TransportError> {
        let text = String::from_utf8(request.body.to_vec()).expect("UTF-8 request");
        self.sent.lock().expect("lock").push(text);
        let body = self.replies.pop_front().expect("a scripted reply");
        Ok(Reply {
            status: 200,
            content_type: Some("application/soap+xml;charset=UTF-8".into()),
            body,
        })
    }

    fn url(&self) -> &str {
        TO
    }
}

/// A reply envelope around `body`, relating to the n-th fixed MessageID.
fn reply(n: usize, action: &str, body: &str) -> Vec<u8> {
    format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><s:Header><a:Action>{action}</a:Action><a:RelatesTo>{}</a:RelatesTo></s:Header><s:Body>{body}</s:Body></s:Envelope>"#,
        fixed_id(n)
    )
    .into_bytes()
}

fn fixed_id(n: usize) -> String {
    format!("uuid:00000000-0000-4000-8000-{n:012}")
}

fn session(replies: Vec<Vec<u8>>) -> (Session, Arc<Mutex<Vec<String>>>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let transport = Replay {
        replies: replies.into(),
        sent: sent.clone(),
    };
    let mut n = 0;
    let options = SessionOptions {
        operation_timeout: Duration::from_secs(20),
        ..SessionOptions::default()
    };
    let session = Session::new(Box::new(transport), options).with_message_ids(move || {
        let id = fixed_id(n);
        n += 1;
        id
    });
    (session, sent)
}

#[test]
fn session_set_is_get_then_put_of_the_whole_resource() {
    let client = r#"<cfg:Client xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config/client" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><cfg:NetworkDelayms>5000</cfg:NetworkDelayms><cfg:TrustedHosts></cfg:TrustedHosts><cfg:Note xsi:nil="true"/></cfg:Client>"#;
    // MessageID 0 names the session, so the Get is 1 and the Put is 2.
    let (mut session, sent) = session(vec![
        reply(
            1,
            "http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse",
            client,
        ),
        reply(
            2,
            "http://schemas.xmlsoap.org/ws/2004/09/transfer/PutResponse",
            client,
        ),
    ]);
    let resource = ResourceUri::parse("winrm/config/client").expect("uri");
    session
        .set(
            &resource,
            &RequestOptions::default(),
            &[
                ("TrustedHosts".into(), Some("*".into())),
                ("NetworkDelayms".into(), None),
                ("Note".into(), Some("set".into())),
            ],
        )
        .expect("set");
    let sent = sent.lock().expect("lock");
    assert_eq!(sent.len(), 2);
    golden("set-session-get", &sent[0]);
    golden("set-session-put", &sent[1]);
}

#[test]
fn session_enumeration_pulls_with_the_latest_context() {
    let item = |n: u32| format!(r#"<p:X xmlns:p="http://example.com/X"><p:N>{n}</p:N></p:X>"#);
    let enum_ns = "http://schemas.xmlsoap.org/ws/2004/09/enumeration";
    let (mut session, sent) = session(vec![
        reply(
            1,
            &format!("{enum_ns}/EnumerateResponse"),
            &format!(
                r#"<n:EnumerateResponse xmlns:n="{enum_ns}" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><n:EnumerationContext>ctx-1</n:EnumerationContext><w:Items>{}{}</w:Items></n:EnumerateResponse>"#,
                item(1),
                item(2)
            ),
        ),
        // An empty page mid-sequence is not the end.
        reply(
            2,
            &format!("{enum_ns}/PullResponse"),
            &format!(
                r#"<n:PullResponse xmlns:n="{enum_ns}"><n:EnumerationContext>ctx-2</n:EnumerationContext><n:Items/></n:PullResponse>"#
            ),
        ),
        reply(
            3,
            &format!("{enum_ns}/PullResponse"),
            &format!(
                r#"<n:PullResponse xmlns:n="{enum_ns}"><n:Items>{}</n:Items><n:EndOfSequence/></n:PullResponse>"#,
                item(3)
            ),
        ),
    ]);
    let resource = ResourceUri::parse("http://example.com/X").expect("uri");
    let options = EnumerateOptions {
        max_elements: 2,
        ..EnumerateOptions::default()
    };
    let items: Vec<String> = session
        .enumerate(&resource, &RequestOptions::default(), &options)
        .expect("enumerate")
        .map(|i| {
            let i = i.expect("item");
            i.child_local("N")
                .map(|n| n.text_or_empty().to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(items, ["1", "2", "3"]);
    let sent = sent.lock().expect("lock");
    assert_eq!(
        sent.len(),
        3,
        "Enumerate + 2 Pulls, no Release after the end"
    );
    golden("enumerate-session", &sent[0]);
    golden("pull-session-first", &sent[1]);
    golden("pull-session-latest-context", &sent[2]);
    assert!(sent[1].contains("<n:EnumerationContext>ctx-1</n:EnumerationContext>"));
    assert!(sent[2].contains("<n:EnumerationContext>ctx-2</n:EnumerationContext>"));
}

#[test]
fn session_releases_an_abandoned_enumeration() {
    let page = fixture("omi-live/04-enumerate-optimized-xyz_number.resp.xml");
    let page = String::from_utf8(page)
        .expect("UTF-8")
        .replace("uuid:0F4C4B6E-0001-4000-8000-000000000004", &fixed_id(1));
    let release = reply(
        2,
        "http://schemas.xmlsoap.org/ws/2004/09/enumeration/ReleaseResponse",
        "",
    );
    let (mut session, sent) = session(vec![page.into_bytes(), release]);
    let resource = ResourceUri::parse("http://example.com/XYZ_Number").expect("uri");
    let mut items = session
        .enumerate(
            &resource,
            &RequestOptions::default(),
            &EnumerateOptions::default(),
        )
        .expect("enumerate");
    assert!(items.next().is_some());
    drop(items);
    let sent = sent.lock().expect("lock");
    assert_eq!(sent.len(), 2, "Enumerate, then Release");
    golden("release-session-abandoned", &sent[1]);
    assert!(sent[1].contains("<n:EnumerationContext>600178688</n:EnumerationContext>"));
}
