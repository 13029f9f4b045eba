//! The automation layer: a [`Session`] with one method per WS-Management
//! operation, usable from any Rust program.
//!
//! A session owns a [`Transport`] and the settings every request shares
//! (MaxEnvelopeSize, OperationTimeout, Locale, SessionId, encoding). Each
//! method builds one envelope through the protocol layer, sends it, checks
//! the reply answers it, and returns the neutral model. `set` is winrm.cmd's
//! Get, change, Put; `enumerate` streams pages through a lazy iterator. It
//! also decides which requests are safe to send again when a connection
//! drops before any reply byte (Identify, Get, the first Enumerate, a
//! shell's Receive; never a change, never a command). No clap, no terminal, no output formats here.

mod cancel;
mod enumeration;
pub mod error;
mod input;
pub mod options;
pub mod resource;
pub mod shell;

use crate::protocol::dom::element_from_node;
use crate::protocol::enumerate::Enumerator;
use crate::protocol::envelope::{self, Addressing, EnumerateBody, Envelope};
use crate::protocol::model::Element;
use crate::protocol::page::Page;
use crate::protocol::reply;
use crate::protocol::{ProtocolError, ns, xml};
use crate::transport::{self, Transport};

pub use crate::protocol::shell::{CommandOptions, Received, ShellOptions, Signal, Stream};
pub use cancel::Cancel;
pub use enumeration::Enumeration;
pub use error::{Error, ErrorKind};
pub use input::{action_uri, body_from_bytes, create_input, invoke_input};
use input::{apply_changes, checked_body, strip_declaration};
pub use options::{
    Association, Encoding, EnumerateOptions, Filter, Fragment, OptionValue, RequestOptions,
    ReturnType, SessionOptions,
};
pub use resource::ResourceUri;
pub use shell::{Command, Shell};

/// A request's body: text, or a writer that puts it in place.
enum Body<'b> {
    Text(&'b str),
    Written(usize, &'b mut dyn FnMut(&mut String)),
}

/// A conversation with one WS-Management endpoint.
pub struct Session {
    transport: Box<dyn Transport + Send>,
    options: SessionOptions,
    session_id: String,
    next_id: Box<dyn FnMut() -> String + Send>,
    /// The last request's text, kept so the next one reuses its memory: a
    /// remote command's stdin goes out in envelopes of hundreds of KiB.
    scratch: String,
}

impl Session {
    /// A session over `transport`.
    pub fn new(transport: Box<dyn Transport + Send>, options: SessionOptions) -> Self {
        Session {
            transport,
            options,
            session_id: random_uuid(),
            next_id: Box::new(random_uuid),
            scratch: String::new(),
        }
    }

    /// Replaces the MessageID source (for byte-exact tests). Each call must
    /// return a fresh `uuid:...`.
    pub fn with_message_ids(mut self, ids: impl FnMut() -> String + Send + 'static) -> Self {
        self.next_id = Box::new(ids);
        self.session_id = (self.next_id)();
        self
    }

    /// The settings in force.
    pub fn options(&self) -> &SessionOptions {
        &self.options
    }

    /// The endpoint URL.
    pub fn url(&self) -> &str {
        self.transport.url()
    }

    /// WS-Man Identify. With `unauthenticated`, asks the server to answer
    /// without checking credentials (Windows' `WSMANIDENTIFY` header).
    pub fn identify(&mut self, unauthenticated: bool) -> Result<Element, Error> {
        let xml = envelope::identify();
        let body = self.exchange(xml, "", unauthenticated, true)?;
        let body = self.require_body(body, "IdentifyResponse")?;
        if body.name.local != "IdentifyResponse" {
            return Err(self.bad_reply(format!(
                "expected an IdentifyResponse, got <{}>",
                body.name.local
            )));
        }
        Ok(body)
    }

    /// WS-Transfer Get.
    pub fn get(
        &mut self,
        resource: &ResourceUri,
        request: &RequestOptions,
    ) -> Result<Element, Error> {
        let body = self.call(ns::ACTION_GET, resource, request, "")?;
        self.require_body(body, "resource")
    }

    /// WS-Transfer Put of a whole body. Returns what the server sent back
    /// (Windows returns the updated resource; the spec allows nothing).
    pub fn put(
        &mut self,
        resource: &ResourceUri,
        request: &RequestOptions,
        body: &str,
    ) -> Result<Option<Element>, Error> {
        self.call(ns::ACTION_PUT, resource, request, checked_body(body)?)
    }

    /// winrm.cmd's `set` with `@{...}`: Get the resource, change the named
    /// properties (direct children of the root, matched by local name), Put
    /// the whole resource back. Nothing is sent for the Put unless every
    /// name matched exactly one text-only property.
    pub fn set(
        &mut self,
        resource: &ResourceUri,
        request: &RequestOptions,
        changes: &[(String, Option<String>)],
    ) -> Result<Option<Element>, Error> {
        if changes.is_empty() {
            return Err(Error::input("set needs at least one property to change"));
        }
        let mut current = self.get(resource, request)?;
        let fragment = request.fragment.as_ref().map(|f| f.expression.as_str());
        apply_changes(&mut current, changes, fragment)?;
        let mut body = String::new();
        xml::write_element(&mut body, &current, None);
        self.call(ns::ACTION_PUT, resource, request, &body)
    }

    /// WS-Transfer Create. Returns the `ResourceCreated` EPR (and whatever
    /// else the server put in the body).
    pub fn create(
        &mut self,
        resource: &ResourceUri,
        request: &RequestOptions,
        body: &str,
    ) -> Result<Option<Element>, Error> {
        self.call(ns::ACTION_CREATE, resource, request, checked_body(body)?)
    }

    /// WS-Transfer Delete.
    pub fn delete(
        &mut self,
        resource: &ResourceUri,
        request: &RequestOptions,
    ) -> Result<(), Error> {
        self.call(ns::ACTION_DELETE, resource, request, "")?;
        Ok(())
    }

    /// A custom action: `method` on the resource (`URI/method`, or `method`
    /// itself when it is already a URI). Returns the `_OUTPUT` element.
    pub fn invoke(
        &mut self,
        method: &str,
        resource: &ResourceUri,
        request: &RequestOptions,
        body: &str,
    ) -> Result<Option<Element>, Error> {
        let action = action_uri(method, &resource.uri);
        // An empty method input is still an element: `<p:M_INPUT/>`.
        let default_body;
        let body = if strip_declaration(body).is_empty() {
            default_body = invoke_input(method, resource, &[])?;
            default_body.as_str()
        } else {
            checked_body(body)?
        };

        self.call(&action, resource, request, body)
    }

    /// WS-Enumeration: Enumerate, then Pull until EndOfSequence. Items come
    /// lazily, one page in memory at a time; dropping the iterator before the
    /// end sends a Release.
    pub fn enumerate<'s>(
        &'s mut self,
        resource: &ResourceUri,
        request: &RequestOptions,
        options: &EnumerateOptions,
    ) -> Result<Enumeration<'s>, Error> {
        let body = EnumerateBody {
            optimize: options.optimize,
            max_elements: options.max_elements,
            mode: match options.return_type {
                ReturnType::Object => None,
                ReturnType::Epr => Some("EnumerateEPR"),
                ReturnType::ObjectAndEpr => Some("EnumerateObjectAndEPR"),
            },
            polymorphism: if options.shallow {
                Some("None")
            } else if options.base_properties_only {
                Some("ExcludeSubClassProperties")
            } else {
                None
            },
            filter: options.filter.clone(),
        }
        .to_xml();
        let mut state = Enumerator::new(options.max_elements);
        let page = self.call_page(
            ns::ACTION_ENUMERATE,
            resource,
            request,
            &body,
            "EnumerateResponse",
        )?;
        let items = state
            .take(page)
            .map_err(|e| Error::from_protocol(e, self.transport.url()))?
            .into_iter();
        // Pull and Release name the same resource, selectors (OMI needs
        // __cimnamespace) and options as the Enumerate.
        let follow_up = RequestOptions {
            options: request.options.clone(),
            fragment: None,
        };
        Ok(Enumeration {
            session: self,
            resource: resource.clone(),
            request: follow_up,
            state,
            pending: items,
            stopped: false,
            empty_streak: 0,
            cancel: None,
        })
    }

    /// Sends an addressed request and converts the reply's body.
    fn call(
        &mut self,
        action: &str,
        resource: &ResourceUri,
        request: &RequestOptions,
        body: &str,
    ) -> Result<Option<Element>, Error> {
        self.call_with(action, resource, request, body, whole_body)
    }

    /// Sends an addressed request; `read` picks what it needs from the body.
    fn call_with<T>(
        &mut self,
        action: &str,
        resource: &ResourceUri,
        request: &RequestOptions,
        body: &str,
        read: impl FnOnce(Option<roxmltree::Node>) -> Result<T, ProtocolError>,
    ) -> Result<T, Error> {
        let (raw, message_id) = self.send_addressed(action, resource, request, body)?;
        self.parse(&raw, &message_id, read)
    }

    /// Sends an Enumerate or Pull and reads the `expected` response page
    /// in one pass ([`reply::parse_page`]).
    pub(crate) fn call_page(
        &mut self,
        action: &str,
        resource: &ResourceUri,
        request: &RequestOptions,
        body: &str,
        expected: &str,
    ) -> Result<Page, Error> {
        self.call_parsed(
            action,
            resource,
            request,
            body,
            |bytes, content_type, id| reply::parse_page(bytes, content_type, id, expected),
        )
    }

    /// Like [`Session::call`], reading the reply in one pass when it can
    /// ([`reply::parse_reply_fast`]): for replies that carry much text.
    pub(crate) fn call_fast(
        &mut self,
        action: &str,
        resource: &ResourceUri,
        request: &RequestOptions,
        body: &str,
    ) -> Result<Option<Element>, Error> {
        self.call_parsed(
            action,
            resource,
            request,
            body,
            |bytes, content_type, id| {
                reply::parse_reply_fast(bytes, content_type, id)
                    .map(|reply| (reply.action, reply.body))
            },
        )
    }

    /// Sends an addressed request and reads its reply with `parse` (body,
    /// content type, MessageID sent) into something owned, so the reply's
    /// buffer goes back to the transport for the next one.
    fn call_parsed<T>(
        &mut self,
        action: &str,
        resource: &ResourceUri,
        request: &RequestOptions,
        body: &str,
        parse: impl FnOnce(&[u8], Option<&str>, &str) -> Result<(Option<String>, T), ProtocolError>,
    ) -> Result<T, Error> {
        let (raw, message_id) = self.send_addressed(action, resource, request, body)?;
        let read = self.check_status(&raw, |raw| {
            parse(&raw.body, raw.content_type.as_deref(), &message_id)
        });
        self.transport.recycle(raw.body);
        read
    }

    /// Builds the addressed envelope for `action`, sends it, and returns
    /// the raw reply with the MessageID it must answer.
    fn send_addressed(
        &mut self,
        action: &str,
        resource: &ResourceUri,
        request: &RequestOptions,
        body: &str,
    ) -> Result<(transport::Reply, String), Error> {
        self.send_addressed_body(action, resource, request, Body::Text(body))
    }

    /// Like [`Session::call`], with the body written straight into the
    /// request by `write` (`size`: about how many bytes it writes): for
    /// large bodies, such as a remote command's stdin, written once.
    pub(crate) fn call_writing(
        &mut self,
        action: &str,
        resource: &ResourceUri,
        request: &RequestOptions,
        size: usize,
        write: &mut dyn FnMut(&mut String),
    ) -> Result<Option<Element>, Error> {
        let (raw, message_id) =
            self.send_addressed_body(action, resource, request, Body::Written(size, write))?;
        self.parse(&raw, &message_id, whole_body)
    }

    fn send_addressed_body(
        &mut self,
        action: &str,
        resource: &ResourceUri,
        request: &RequestOptions,
        body: Body<'_>,
    ) -> Result<(transport::Reply, String), Error> {
        let message_id = (self.next_id)();
        let url = self.transport.url().to_string();
        let envelope = Envelope {
            action,
            addressing: Addressing {
                to: &url,
                message_id: &message_id,
                max_envelope_size: self.options.max_envelope_size,
                operation_timeout_ms: self.options.operation_timeout.as_millis() as u64,
                locale: self.options.locale.as_deref(),
                data_locale: self.options.data_locale.as_deref(),
                session_id: Some(&self.session_id),
            },
            resource_uri: &resource.uri,
            selectors: &resource.selectors,
            options: &request.options,
            fragment: request.fragment.as_ref(),
            body: match body {
                Body::Text(text) => text,
                Body::Written(..) => "",
            },
        };
        let mut xml = std::mem::take(&mut self.scratch);
        xml.clear();
        match body {
            Body::Text(_) => envelope.write_into(&mut xml),
            Body::Written(size, write) => envelope.write_with_body(&mut xml, size, write),
        }
        let raw = self.send(&xml, false, repeatable(action), action == ns::ACTION_PULL);
        self.scratch = xml;
        let raw = raw?;
        Ok((raw, message_id))
    }

    /// Sends a request without addressing (Identify) and converts the body.
    fn exchange(
        &mut self,
        xml: String,
        message_id: &str,
        unauthenticated: bool,
        repeatable: bool,
    ) -> Result<Option<Element>, Error> {
        let raw = self.send(&xml, unauthenticated, repeatable, false)?;
        self.parse(&raw, message_id, whole_body)
    }

    /// Sends one request. A `repeatable` one may be sent once more by the
    /// transport if the connection breaks before any reply byte arrives (a
    /// kept-alive connection the server had dropped); anything else is sent
    /// once, except that a `resend_if_stale` one (Pull) is resent when the
    /// kept-alive connection it went out on had been dropped.
    fn send(
        &mut self,
        xml: &str,
        unauthenticated: bool,
        repeatable: bool,
        resend_if_stale: bool,
    ) -> Result<transport::Reply, Error> {
        let utf16;
        let (bytes, content_type) = match self.options.encoding {
            Encoding::Utf8 => (xml.as_bytes(), "application/soap+xml;charset=UTF-8"),
            Encoding::Utf16 => {
                let mut bytes = vec![0xFF, 0xFE];
                for unit in xml.encode_utf16() {
                    bytes.extend_from_slice(&unit.to_le_bytes());
                }
                utf16 = bytes;
                (utf16.as_slice(), "application/soap+xml;charset=UTF-16")
            }
        };
        // MS-WSMV §3.1.4.1.23: an Identify with this header and no
        // credentials is answered without authentication.
        let identify_header = [("WSMANIDENTIFY", "unauthenticated")];
        let request = transport::Request {
            body: bytes,
            content_type,
            anonymous: unauthenticated,
            headers: if unauthenticated {
                &identify_header
            } else {
                &[]
            },
            repeatable,
            resend_if_stale,
        };

        Ok(self.transport.send(&request)?)
    }

    /// Turns an HTTP reply into the body, a fault, or a clear error. A SOAP
    /// fault is looked for whatever the status: Windows sends faults with
    /// 500, openwsman with 400/503 and sometimes 200.
    fn parse<T>(
        &self,
        raw: &transport::Reply,
        message_id: &str,
        read: impl FnOnce(Option<roxmltree::Node>) -> Result<T, ProtocolError>,
    ) -> Result<T, Error> {
        self.check_status(raw, |raw| {
            reply::parse_reply_with(&raw.body, raw.content_type.as_deref(), message_id, read)
        })
    }

    /// The status and empty-body checks of [`Session::parse`] around
    /// `parse_body`.
    fn check_status<T>(
        &self,
        raw: &transport::Reply,
        parse_body: impl FnOnce(&transport::Reply) -> Result<(Option<String>, T), ProtocolError>,
    ) -> Result<T, Error> {
        let url = self.transport.url();
        let ok_status = (200..300).contains(&raw.status);
        if raw.body.iter().all(u8::is_ascii_whitespace) {
            return Err(if ok_status {
                Error::new(
                    ErrorKind::Unexpected(format!("HTTP {} with an empty body", raw.status)),
                    url,
                )
            } else {
                Error::new(
                    ErrorKind::Http {
                        status: raw.status,
                        detail: None,
                    },
                    url,
                )
            });
        }
        let parsed = parse_body(raw);
        match parsed {
            Err(ProtocolError::Fault(fault)) => Err(Error::new(ErrorKind::Fault(fault), url)),
            // A fault, or any reply, that answers another request: that is
            // what is wrong with it, whatever the status.
            Err(wrong @ ProtocolError::WrongRelatesTo { .. }) => {
                Err(Error::from_protocol(wrong, url))
            }
            _ if !ok_status => Err(Error::new(
                ErrorKind::Http {
                    status: raw.status,
                    detail: crate::transport::framing::text_start(&raw.body),
                },
                url,
            )),
            Ok((_, value)) => Ok(value),
            Err(other) => Err(Error::from_protocol(other, url)),
        }
    }

    fn require_body(&self, body: Option<Element>, what: &str) -> Result<Element, Error> {
        body.ok_or_else(|| {
            Error::new(
                ErrorKind::Unexpected(format!("the SOAP Body is empty; expected the {what}")),
                self.transport.url(),
            )
        })
    }

    fn bad_reply(&self, why: String) -> Error {
        Error::new(ErrorKind::BadReply(why), self.transport.url())
    }

    /// A protocol reader's complaint about a reply from this endpoint.
    fn protocol_error(&self, error: ProtocolError) -> Error {
        Error::from_protocol(error, self.transport.url())
    }
}

/// A reply body's first element, converted whole (most replies).
fn whole_body(node: Option<roxmltree::Node>) -> Result<Option<Element>, ProtocolError> {
    node.map(element_from_node)
        .transpose()
        .map_err(ProtocolError::from)
}

/// Whether a request may be sent a second time when the first attempt
/// failed before any reply byte arrived. Only requests that change nothing
/// on the server qualify: Get, the Enumerate that opens an enumeration (a
/// repeated one at worst leaves an unused context to expire), and a shell's
/// Receive (a connection dropped while idle is the usual cause; the command
/// keeps running and the next Receive brings its output). Put, Create,
/// Delete, custom actions, Pull (it moves the cursor), Release, and a
/// shell's Command, Send and Signal are never repeated: the server may have
/// acted on the first one, and a command must never run twice (a Pull's
/// one exception, a reused connection found dead, is `resend_if_stale`).
fn repeatable(action: &str) -> bool {
    action == ns::ACTION_GET
        || action == ns::ACTION_ENUMERATE
        || action == crate::protocol::shell::ACTION_RECEIVE
}

/// A random (version 4) UUID as `uuid:XXXXXXXX-...`, uppercase like Windows.
pub fn random_uuid() -> String {
    let mut b = [0u8; 16];
    // Without an OS random source, fall back to the clock plus a counter:
    // MessageIDs must be unique, not secret.
    if getrandom::fill(&mut b).is_err() {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default();
        let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        b[..8].copy_from_slice(&nanos.to_le_bytes());
        b[8..].copy_from_slice(&count.to_le_bytes());
    }
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    format!(
        "uuid:{:02X}{:02X}{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
        b[0],
        b[1],
        b[2],
        b[3],
        b[4],
        b[5],
        b[6],
        b[7],
        b[8],
        b[9],
        b[10],
        b[11],
        b[12],
        b[13],
        b[14],
        b[15]
    )
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::transport::{Reply, Request, TransportError};

    /// A session (and so its transport) can move to another thread: many
    /// hosts are worked on in parallel, one session each.
    #[test]
    fn sessions_and_http_transports_are_send() {
        fn send<T: Send>() {}
        send::<Session>();
        send::<crate::transport::HttpTransport>();
        send::<Cancel>();
    }

    /// A transport whose connection always drops before any reply byte;
    /// it records whether each request was marked repeatable.
    struct Dropping(Arc<Mutex<Vec<bool>>>);

    impl Transport for Dropping {
        fn send(&mut self, request: &Request) -> Result<Reply, TransportError> {
            if let Ok(mut seen) = self.0.lock() {
                seen.push(request.repeatable);
            }
            Err(TransportError::NoReply {
                url: "http://srv/wsman".into(),
                reason: "the server closed the connection".into(),
            })
        }

        fn url(&self) -> &str {
            "http://srv/wsman"
        }
    }

    /// The repeatable flag of each request `operation` sent.
    fn marks(operation: impl FnOnce(&mut Session) -> Result<(), Error>) -> Vec<bool> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut session = Session::new(Box::new(Dropping(seen.clone())), SessionOptions::default());
        let error = operation(&mut session).expect_err("the transport always fails");
        assert!(error.is_connection(), "{error}");
        seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    #[test]
    fn only_requests_that_change_nothing_are_marked_repeatable() {
        let uri = ResourceUri::parse("winrm/config/client").expect("uri");
        let none = RequestOptions::default();
        let body = "<p:Client xmlns:p=\"urn:x\"/>";
        assert_eq!(marks(|s| s.identify(true).map(drop)), [true]);
        assert_eq!(marks(|s| s.get(&uri, &none).map(drop)), [true]);
        assert_eq!(
            marks(|s| s
                .enumerate(&uri, &none, &EnumerateOptions::default())
                .map(drop)),
            [true]
        );
        assert_eq!(marks(|s| s.put(&uri, &none, body).map(drop)), [false]);
        assert_eq!(marks(|s| s.create(&uri, &none, body).map(drop)), [false]);
        assert_eq!(marks(|s| s.delete(&uri, &none)), [false]);
        assert_eq!(
            marks(|s| s.invoke("Stop", &uri, &none, "").map(drop)),
            [false]
        );
        // set fails at its Get and never reaches the Put.
        let change = [("A".to_string(), Some("1".to_string()))];
        assert_eq!(marks(|s| s.set(&uri, &none, &change).map(drop)), [true]);
        // Opening a shell is a Create: never repeated.
        assert_eq!(
            marks(|s| s.open_shell(&ShellOptions::default()).map(drop)),
            [false]
        );
        assert!(repeatable(crate::protocol::shell::ACTION_RECEIVE));
        for action in [
            crate::protocol::shell::ACTION_COMMAND,
            crate::protocol::shell::ACTION_SEND,
            crate::protocol::shell::ACTION_SIGNAL,
        ] {
            assert!(!repeatable(action), "{action}");
        }
    }
}
