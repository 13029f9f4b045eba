//! How an XML element reads as data: properties, arrays, nulls, embedded
//! objects and endpoint references. The JSON and table formats share these
//! rules (documented in `winrm help json`); the text and XML formats show
//! the XML as it is and do not use them.
//!
//! The rules, in short:
//! - an element with child elements is an object, unless it is an endpoint
//!   reference (`Address` + `ReferenceParameters`), which is an EPR;
//! - `xsi:nil="true"` is null;
//! - a CIM date or interval wrapper (`<cim:Datetime>` and its kin) is the
//!   string inside it;
//! - anything else is its text, exactly as sent;
//! - a property is an array when its element repeats, or when a hint says
//!   so (see [`ArrayHints`]).

use std::collections::{HashMap, HashSet};

use crate::protocol::model::Element;
use crate::protocol::ns;

/// Namespace of the `cim:Location` EPR WMI appends to instances, and of
/// the CIM datetime wrappers.
pub const CIM_COMMON: &str = "http://schemas.dmtf.org/wbem/wscim/1/common";
/// Namespace of WMI's `cim:Location` element.
const BASE_NS: &str = "http://schemas.dmtf.org/wbem/wsman/1/base";
/// Windows' configuration namespace; its sub-resources extend it.
const CONFIG_NS: &str = "http://schemas.microsoft.com/wbem/wsman/1/config";

/// The elements DSP0230 wraps a CIM datetime or interval in.
const DATETIME_WRAPPERS: [&str; 5] = ["Datetime", "Interval", "Date", "Time", "CIMDateTime"];

/// Which single elements still count as arrays.
///
/// A provider that declares a property as an array but has one value sends
/// one element, which looks like a scalar. These tell the two apart:
/// - the names the user gave with `--array`;
/// - the `IsNullArray` / `IsEmptyArray` markers that Windows and OMI add
///   when the client asks for `msftwinrm:UsePreciseArrays`;
/// - an `xsi:type` whose local part ends in `Array`;
/// - the arrays of Windows' own schemas that often hold one value:
///   `ListeningOn` in `winrm/config` and `SecurityProfileName` in identify.
#[derive(Debug, Clone, Default)]
pub struct ArrayHints {
    names: Vec<String>,
}

impl ArrayHints {
    /// Hints with the user's property names (matched without regard to case).
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        ArrayHints {
            names: names.into_iter().collect(),
        }
    }

    /// Whether a property whose first element is `element` is an array.
    pub fn is_array(&self, element: &Element) -> bool {
        let name = &element.name;
        if self
            .names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&name.local))
        {
            return true;
        }
        if array_marker(element).is_some() {
            return true;
        }
        if let Some(t) = element.attribute(Some(ns::XSI), "type") {
            let local = t.rsplit(':').next().unwrap_or(t);
            if local.len() > 5 && local.ends_with("Array") {
                return true;
            }
        }
        let namespace = name.namespace.as_deref().unwrap_or("");
        (name.local == "ListeningOn" && namespace.starts_with(CONFIG_NS))
            || (name.local == "SecurityProfileName" && namespace == ns::IDENTITY)
    }
}

/// The UsePreciseArrays marker on an element: `Some(true)` for a null
/// array, `Some(false)` for an empty one.
pub fn array_marker(element: &Element) -> Option<bool> {
    element.attributes.iter().find_map(|a| {
        let on = a.value.trim().eq_ignore_ascii_case("true");
        match a.name.local.as_str() {
            "IsNullArray" if on => Some(true),
            "IsEmptyArray" if on => Some(false),
            _ => None,
        }
    })
}

/// What one element is, as data.
#[derive(Debug, Clone, Copy)]
pub enum Shape<'e> {
    /// `xsi:nil="true"`.
    Null,
    /// A string value (possibly empty).
    Text(&'e str),
    /// An endpoint reference.
    Epr(&'e Element),
    /// An object with properties.
    Object(&'e Element),
}

/// Classifies `element` by the rules in the module documentation.
pub fn shape(element: &Element) -> Shape<'_> {
    if element.is_nil() {
        return Shape::Null;
    }
    if element.children.is_empty() {
        return Shape::Text(element.text_or_empty());
    }
    if element.is_epr() {
        return Shape::Epr(element);
    }
    // A reference property wrapped in its own EndpointReference (iDRAC's
    // method outputs) is that reference.
    if let [only] = element.children.as_slice()
        && only.name.is(ns::ADDRESSING, "EndpointReference")
        && only.is_epr()
    {
        return Shape::Epr(only);
    }

    if let [only] = element.children.as_slice()
        && only.children.is_empty()
        && only.name.namespace.as_deref() == Some(CIM_COMMON)
        && DATETIME_WRAPPERS.contains(&only.name.local.as_str())
    {
        return Shape::Text(only.text_or_empty());
    }
    Shape::Object(element)
}

/// One property of an object: every child element with the same name
/// (local name and namespace), in document order (a name that repeats
/// apart from its first run still makes one property, at its first place).
#[derive(Debug, Clone, Copy)]
pub struct Property<'e> {
    /// The property's name.
    pub name: &'e str,
    /// The first element of the property.
    pub first: &'e Element,
    parent: &'e Element,
    start: usize,
    /// How many elements carry this name.
    pub count: usize,
    /// An earlier property has the same local name in another namespace,
    /// so this one is keyed by its qualified name (see [`Property::key`]).
    qualified: bool,
}

impl<'e> Property<'e> {
    /// Every element of the property.
    pub fn elements(&self) -> impl Iterator<Item = &'e Element> + 'e {
        let first = self.first;
        // `take`: a lone element's scan ends at itself, not at the last child.
        self.parent.children[self.start..]
            .iter()
            .filter(move |c| {
                c.name.local == first.name.local && c.name.namespace == first.name.namespace
            })
            .take(self.count)
    }

    /// Whether the property is an array: more than one element, or a hint.
    pub fn is_array(&self, hints: &ArrayHints) -> bool {
        self.count > 1 || hints.is_array(self.first)
    }

    /// The key the property goes under: its local name, or `prefix:local`
    /// when another namespace already took the local name.
    pub fn key(&self) -> std::borrow::Cow<'e, str> {
        if !self.qualified {
            return self.name.into();
        }
        let name = &self.first.name;
        match (&name.prefix, &name.namespace) {
            (Some(prefix), _) => format!("{prefix}:{}", name.local).into(),
            (None, Some(ns)) => format!("{{{ns}}}{}", name.local).into(),
            (None, None) => self.name.into(),
        }
    }
}

/// The properties of an object element, in document order. WMI's trailing
/// `cim:Location` is not a property (see [`location`]).
pub fn properties(element: &Element) -> impl Iterator<Item = Property<'_>> {
    let kids = &element.children;
    // An object has a few dozen properties: pairs of small fingerprints
    // are cheapest. A hostile one with thousands of names would make that
    // quadratic, so past a few dozen names are grouped by hashing.
    let groups = if kids.len() > 64 {
        hashed_groups(kids)
    } else {
        paired_groups(kids)
    };
    groups.into_iter().filter_map(move |(i, qualified, count)| {
        let child = &kids[i];
        (!is_location(child)).then(|| Property {
            name: child.name.local.as_str(),
            first: child,
            parent: element,
            start: i,
            count,
            qualified,
        })
    })
}

/// For each name's first element: its index, whether an earlier element
/// has its local name in another namespace, and how many elements share
/// its name. By comparing pairs of fingerprints, then names.
fn paired_groups(kids: &[Element]) -> Vec<(usize, bool, usize)> {
    let prints: Vec<u32> = kids.iter().map(|k| fingerprint(&k.name.local)).collect();
    let mut groups = Vec::new();
    'kids: for (i, child) in kids.iter().enumerate() {
        let name = &child.name;
        let print = prints[i];
        let mut qualified = false;
        for (j, earlier) in kids[..i].iter().enumerate() {
            if prints[j] == print && earlier.name.local == name.local {
                if earlier.name.namespace == name.namespace {
                    continue 'kids;
                }
                qualified = true;
            }
        }
        let count = 1 + kids[i + 1..]
            .iter()
            .zip(&prints[i + 1..])
            .filter(|(k, p)| {
                **p == print && k.name.local == name.local && k.name.namespace == name.namespace
            })
            .count();
        groups.push((i, qualified, count));
    }
    groups
}

/// [`paired_groups`] by hashing, in one pass.
fn hashed_groups(kids: &[Element]) -> Vec<(usize, bool, usize)> {
    let mut index: HashMap<(&str, Option<&str>), usize> = HashMap::new();
    let mut locals: HashSet<&str> = HashSet::new();
    let mut groups: Vec<(usize, bool, usize)> = Vec::new();
    for (i, child) in kids.iter().enumerate() {
        let local = child.name.local.as_str();
        let key = (local, child.name.namespace.as_deref());
        match index.get(&key) {
            Some(&g) => groups[g].2 += 1,
            None => {
                index.insert(key, groups.len());
                groups.push((i, !locals.insert(local), 1));
            }
        }
    }
    groups
}

/// Length, first and last byte of a name: equal names have equal
/// fingerprints, and most different names do not.
fn fingerprint(name: &str) -> u32 {
    let bytes = name.as_bytes();
    let first = bytes.first().copied().unwrap_or(0);
    let last = bytes.last().copied().unwrap_or(0);
    ((bytes.len() as u32) << 16) | (u32::from(first) << 8) | u32::from(last)
}

/// WMI's `cim:Location`: the instance's own endpoint reference.
pub fn location(element: &Element) -> Option<&Element> {
    element.children.iter().find(|c| is_location(c))
}

fn is_location(e: &Element) -> bool {
    e.name.local == "Location" && e.name.namespace.as_deref() == Some(BASE_NS)
}

/// The parts of an endpoint reference.
#[derive(Debug, Clone, Copy)]
pub struct Epr<'e> {
    /// `wsa:Address`.
    pub address: &'e str,
    /// `wsman:ResourceURI`, if present.
    pub resource_uri: Option<&'e str>,
    /// `wsman:SelectorSet`, if present.
    pub selector_set: Option<&'e Element>,
}

impl<'e> Epr<'e> {
    /// Reads an EPR element (or `ResourceCreated`, which has the same shape).
    pub fn of(element: &'e Element) -> Epr<'e> {
        let address = element
            .child(ns::ADDRESSING, "Address")
            .map_or("", |a| a.text_or_empty().trim());
        let parameters = element.child(ns::ADDRESSING, "ReferenceParameters");
        let resource_uri = parameters
            .and_then(|p| p.child(ns::WSMAN, "ResourceURI"))
            .map(|r| r.text_or_empty().trim());
        let selector_set = parameters.and_then(|p| p.child(ns::WSMAN, "SelectorSet"));
        Epr {
            address,
            resource_uri,
            selector_set,
        }
    }

    /// The selectors: name, and the selector element (its value is its
    /// text, or a nested EPR).
    pub fn selectors(&self) -> impl Iterator<Item = (&'e str, &'e Element)> + 'e {
        self.selector_set
            .into_iter()
            .flat_map(|s| s.children.iter())
            .filter(|s| s.name.local == "Selector")
            .map(|s| (s.attribute(None, "Name").unwrap_or(""), s))
    }
}

/// The EPR nested in a selector, if its value is a reference.
pub fn selector_reference(selector: &Element) -> Option<&Element> {
    selector
        .children
        .iter()
        .find(|c| c.is_epr())
        .or_else(|| selector.is_epr().then_some(selector))
}

/// Whether an element has attributes that carry data.
pub fn has_data_attributes(element: &Element) -> bool {
    element
        .attributes
        .iter()
        .any(|a| attribute_matters(&a.name))
}

/// Whether an attribute says something about the data (`Source="GPO"`),
/// as opposed to XML plumbing (`xsi:type`, `xml:lang`, array markers).
pub fn attribute_matters(name: &crate::protocol::model::Name) -> bool {
    let namespace = name.namespace.as_deref();
    if namespace == Some(ns::XSI) || namespace == Some(ns::XML) {
        return false;
    }
    !matches!(name.local.as_str(), "IsNullArray" | "IsEmptyArray")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::reply::parse_reply;

    fn parse(body: &str) -> Element {
        let xml = format!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common"><s:Body>{body}</s:Body></s:Envelope>"#
        );
        parse_reply(xml.as_bytes(), None, "").unwrap().body.unwrap()
    }

    #[test]
    fn properties_merge_repeats_in_first_place() {
        let e = parse("<p:X xmlns:p=\"u\"><p:A>1</p:A><p:B/><p:A>2</p:A><p:C>3</p:C></p:X>");
        let props: Vec<(&str, usize)> = properties(&e).map(|p| (p.name, p.count)).collect();
        assert_eq!(props, [("A", 2), ("B", 1), ("C", 1)]);
        let a = properties(&e).next().unwrap();
        let values: Vec<&str> = a.elements().map(|e| e.text_or_empty()).collect();
        assert_eq!(values, ["1", "2"]);
    }

    #[test]
    fn same_local_name_in_two_namespaces_is_two_properties() {
        let e = parse(
            "<p:X xmlns:p=\"u\" xmlns:q=\"v\"><p:Name>one</p:Name><q:Name>two</q:Name></p:X>",
        );
        let keys: Vec<String> = properties(&e).map(|p| p.key().into_owned()).collect();
        assert_eq!(keys, ["Name", "q:Name"]);
        assert!(properties(&e).all(|p| p.count == 1));
    }

    #[test]
    fn shapes() {
        let e = parse(concat!(
            "<p:X xmlns:p=\"u\"><p:N xsi:nil=\"true\"/><p:T> padded </p:T>",
            "<p:D><cim:Datetime>2024-01-01T00:00:00Z</cim:Datetime></p:D>",
            "<p:O><p:In>1</p:In></p:O></p:X>"
        ));
        let kids = &e.children;
        assert!(matches!(shape(&kids[0]), Shape::Null));
        assert!(matches!(shape(&kids[1]), Shape::Text(" padded ")));
        assert!(matches!(
            shape(&kids[2]),
            Shape::Text("2024-01-01T00:00:00Z")
        ));
        assert!(matches!(shape(&kids[3]), Shape::Object(_)));
    }

    #[test]
    fn array_hints() {
        let e = parse(concat!(
            "<p:X xmlns:p=\"u\" xmlns:m=\"http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd\">",
            "<p:Marked m:IsEmptyArray=\"true\"/><p:Typed xsi:type=\"cim:cimStringArray\">a</p:Typed>",
            "<p:Plain>a</p:Plain><p:Named>a</p:Named></p:X>"
        ));
        let hints = ArrayHints::new(["named".to_string()]);
        let arrays: Vec<bool> = e.children.iter().map(|c| hints.is_array(c)).collect();
        assert_eq!(arrays, [true, true, false, true]);
        assert_eq!(array_marker(&e.children[0]), Some(false));
    }
}
