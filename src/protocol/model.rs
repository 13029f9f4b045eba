//! The neutral tree that replies are parsed into and renderers read.
//!
//! An [`Element`] is one XML element of a reply body: a resource instance, an
//! `IdentifyResponse`, a `ResourceCreated` EPR, a method's `_OUTPUT`, or a
//! fault detail. It keeps what the renderers need (names, namespace URIs and
//! the prefixes they were sent with, attributes, text, nil, children) and
//! nothing of the document it came from, so a page of an enumeration can be
//! dropped while its items live on. It knows no XML syntax and no output
//! format, and imports nothing of ours but [`ns`]: every
//! reader and writer builds on it.

use std::sync::Arc;

pub use compact_str::CompactString;
pub use thin_vec::{ThinVec, thin_vec};

use super::ns;

/// A qualified name as received.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Name {
    /// The local part (`Win32_Service`). Names and short values are
    /// [`CompactString`]s: kept inline up to 24 bytes, so a page of
    /// instances costs few allocations.
    pub local: CompactString,
    /// The namespace URI, if the name is qualified.
    pub namespace: Option<Arc<str>>,
    /// The prefix the sender used (`p`), kept so XML output looks as sent.
    pub prefix: Option<CompactString>,
}

impl Name {
    /// Whether this name is `{namespace}local`.
    pub fn is(&self, namespace: &str, local: &str) -> bool {
        self.local == local && self.namespace.as_deref() == Some(namespace)
    }
}

/// An attribute of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute's name.
    pub name: Name,
    /// Its value, with entities resolved.
    pub value: CompactString,
}

/// One XML element of a reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// The element's name.
    pub name: Name,
    /// Attributes, in document order (namespace declarations excluded).
    pub attributes: ThinVec<Attribute>,
    /// Namespace declarations to write on this element when serialising:
    /// `(prefix, uri)`, `None` for the default namespace.
    pub namespaces: ThinVec<(Option<CompactString>, Arc<str>)>,
    /// The text of a leaf; `None` for an empty element or one with children.
    pub text: Option<CompactString>,
    /// Child elements in document order.
    pub children: ThinVec<Element>,
}

impl Element {
    /// Whether the element carries `xsi:nil="true"`.
    pub fn is_nil(&self) -> bool {
        self.attribute(Some(ns::XSI), "nil")
            .is_some_and(|v| v.trim() == "true" || v.trim() == "1")
    }

    /// The value of the attribute `{namespace}local` (`None` namespace for an
    /// unqualified attribute).
    pub fn attribute(&self, namespace: Option<&str>, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name.local == local && a.name.namespace.as_deref() == namespace)
            .map(|a| a.value.as_str())
    }

    /// The first child named `{namespace}local`.
    pub fn child(&self, namespace: &str, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name.is(namespace, local))
    }

    /// The first child with this local name, whatever its namespace.
    pub fn child_local(&self, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name.local == local)
    }

    /// The element's text, or "" when it has none.
    pub fn text_or_empty(&self) -> &str {
        self.text.as_deref().unwrap_or("")
    }

    /// Whether this element is a WS-Addressing endpoint reference: it has an
    /// `Address` and a `ReferenceParameters` child in the addressing namespace.
    pub fn is_epr(&self) -> bool {
        self.child(ns::ADDRESSING, "Address").is_some()
            && self.child(ns::ADDRESSING, "ReferenceParameters").is_some()
    }
}
