//! Request bodies the way winrm.cmd builds them: `@{...}` input for create
//! and invoke, action URIs, file bodies, and the Get-change-Put edit of
//! `set`.

use super::{Error, ResourceUri};
use crate::protocol::model::{Attribute, Element, Name};
use crate::protocol::ns;
use crate::protocol::{dom, envelope};

/// The body winrm.cmd builds for `create URI @{...}`: the root is the
/// class name (last URI segment), in the resource's namespace.
pub fn create_input(
    resource: &ResourceUri,
    pairs: &[(String, Option<String>)],
) -> Result<String, Error> {
    check_names(pairs)?;
    Ok(envelope::input_body(
        &xml_name(resource.class_name()),
        &resource.uri,
        pairs,
    ))
}

/// The body winrm.cmd builds for `invoke METHOD URI @{...}`: `METHOD_INPUT`
/// in the resource's namespace.
pub fn invoke_input(
    method: &str,
    resource: &ResourceUri,
    pairs: &[(String, Option<String>)],
) -> Result<String, Error> {
    check_names(pairs)?;
    let method = method.rsplit('/').next().unwrap_or(method);
    Ok(envelope::input_body(
        &format!("{}_INPUT", xml_name(method)),
        &resource.uri,
        pairs,
    ))
}

/// Each key becomes an element name, so it must be one (an XML NCName:
/// no ':', not starting with a digit).
fn check_names(pairs: &[(String, Option<String>)]) -> Result<(), Error> {
    for (key, _) in pairs {
        let mut chars = key.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
        let rest_ok = chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !(first_ok && rest_ok) {
            return Err(Error::input(format!(
                "'{key}' cannot be a property name: names start with a letter or '_' and \
                 hold only letters, digits, '_', '-' and '.'"
            )));
        }
    }
    Ok(())
}

/// The action URI of a custom method: a method that already holds a '/'
/// is a full action URI (openwsman's rule), else it is appended to the
/// resource URI.
pub fn action_uri(method: &str, resource_uri: &str) -> String {
    if method.contains('/') {
        method.to_string()
    } else {
        format!("{}/{}", resource_uri.trim_end_matches('/'), method)
    }
}

/// A request body read from a file: decoded (UTF-8 or UTF-16 by BOM),
/// without BOM or XML declaration, and checked to be one well-formed XML
/// element, so a bad file fails here rather than as a malformed envelope.
pub fn body_from_bytes(bytes: &[u8]) -> Result<String, Error> {
    let text = dom::decode(bytes, None).map_err(|e| Error::input(format!("the body is {e}")))?;
    checked_body(&text).map(str::to_string)
}

/// The body without BOM or XML declaration, once checked to be a single
/// well-formed XML element (no DTD).
pub(super) fn checked_body(body: &str) -> Result<&str, Error> {
    let body = strip_declaration(body);
    if body.trim().is_empty() {
        return Err(Error::input(
            "the body is empty; it must hold one XML element",
        ));
    }
    dom::parse_document(body)
        .map(|_| body)
        .map_err(|e| Error::input(format!("the body is {e}")))
}

/// Keeps only characters an XML element name may hold, so a strange URI
/// cannot produce a malformed body.
fn xml_name(text: &str) -> String {
    let name: String = text
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    match name.chars().next() {
        Some(c) if c.is_alphabetic() || c == '_' => name,
        _ => format!("_{name}"),
    }
}

/// File bodies may start with a BOM or an XML declaration, neither of which
/// is allowed inside a SOAP Body.
pub(super) fn strip_declaration(body: &str) -> &str {
    let body = body.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with("<?xml")
        && let Some(end) = body.find("?>")
    {
        return body[end + 2..].trim_start();
    }
    body
}

/// The set semantics of winrm.vbs: each key names exactly one direct child
/// (ignoring `cim:Location`), which must hold text only.
/// `fragment` is the `-fragment:` expression the resource was read with.
pub(super) fn apply_changes(
    root: &mut Element,
    changes: &[(String, Option<String>)],
    fragment: Option<&str>,
) -> Result<(), Error> {
    let root_name = root.name.local.clone();
    // A text() fragment comes back as a bare XmlFragment holding the text:
    // the one key must name the property the fragment selects.
    if let (true, Some(expression)) = (root.children.is_empty(), fragment) {
        let target = fragment_target(expression);
        return match changes {
            [(key, value)] if key == target => {
                root.text = value.as_deref().map(Into::into);
                Ok(())
            }
            [(key, _)] => Err(Error::input(format!(
                "the fragment {expression} selects '{target}', not '{key}'"
            ))),
            _ => Err(Error::input(format!(
                "the fragment {expression} selects one value; give exactly one property"
            ))),
        };
    }
    for (key, value) in changes {
        let matches: Vec<usize> = root
            .children
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.name.local == *key
                    && !(c.name.local == "Location"
                        && c.name.namespace.as_deref()
                            == Some("http://schemas.dmtf.org/wbem/wsman/1/base"))
            })
            .map(|(i, _)| i)
            .collect();
        let index = match matches.as_slice() {
            [one] => *one,
            [] => {
                let names: Vec<&str> = root
                    .children
                    .iter()
                    .filter(|c| c.children.is_empty())
                    .map(|c| c.name.local.as_str())
                    .collect();
                let known = if names.is_empty() {
                    String::new()
                } else {
                    format!("; it has: {}", names.join(", "))
                };
                return Err(Error::input(format!(
                    "{root_name} has no property named '{key}' (names are case-sensitive){known}"
                )));
            }
            _ => {
                return Err(Error::input(format!(
                    "{root_name} has {} properties named '{key}'; set cannot tell which to change",
                    matches.len()
                )));
            }
        };
        let target = &mut root.children[index];
        if !target.children.is_empty() {
            return Err(Error::input(format!(
                "'{key}' in {root_name} is a container, not a value; \
                 set its properties through its own URI (for example winrm/config/client/auth)"
            )));
        }
        target
            .attributes
            .retain(|a| !(a.name.local == "nil" && a.name.namespace.as_deref() == Some(ns::XSI)));
        match value {
            Some(v) => target.text = Some(v.as_str().into()),
            None => {
                target.text = None;
                let prefix = xsi_prefix(root);
                let target = &mut root.children[index];
                target.attributes.push(Attribute {
                    name: Name {
                        local: "nil".into(),
                        namespace: Some(ns::XSI.into()),
                        prefix: Some(prefix.into()),
                    },
                    value: "true".into(),
                });
            }
        }
    }
    Ok(())
}

/// The property a fragment expression selects: `Auth/Basic/text()` → `Basic`.
fn fragment_target(expression: &str) -> &str {
    let path = expression.trim().trim_end_matches("/text()");
    path.rsplit('/').next().unwrap_or(path)
}

/// The prefix bound to the XSI namespace on the root, declaring `xsi` if
/// the document had none.
fn xsi_prefix(root: &mut Element) -> String {
    if let Some((Some(prefix), _)) = root.namespaces.iter().find(|(_, uri)| &**uri == ns::XSI) {
        return prefix.to_string();
    }
    let taken = root
        .namespaces
        .iter()
        .any(|(p, _)| p.as_deref() == Some("xsi"));
    let prefix = if taken { "xsi_" } else { "xsi" }.to_string();
    root.namespaces
        .push((Some(prefix.as_str().into()), ns::XSI.into()));

    prefix
}
