//! What goes in a row: the cells of an enumeration item, the order its
//! columns come in, and the property/value rows of a single result.
//!
//! The table and the delimited (csv, tsv) formats share these rules so
//! the same `--columns` and the same defaults pick the same data; how a
//! cell is then cut, quoted or escaped is each format's business. Nested
//! values are compact: arrays joined by `, `, objects as `{A=1, B=2}`,
//! references as `Class?Key=Value`.

use crate::protocol::model::Element;
use crate::protocol::ns;

use super::shape::{self, ArrayHints, Epr, Shape, attribute_matters, location, properties};

/// Names that identify an instance, tried when the server sends no
/// reference to take the keys from.
const KEY_NAMES: [&str; 6] = [
    "Name",
    "InstanceID",
    "DeviceID",
    "Handle",
    "ProcessId",
    "Id",
];
/// Names that describe an instance, shown next.
const DESCRIPTIVE_NAMES: [&str; 9] = [
    "DisplayName",
    "ElementName",
    "State",
    "Status",
    "StartMode",
    "EnabledState",
    "HealthState",
    "Address",
    "Transport",
];

/// The `(path, value)` rows of a single result (get, set, invoke,
/// identify): nested properties become paths like `Client.Auth.Basic`.
pub(super) fn single_rows(element: &Element, hints: &ArrayHints) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let instance = item_instance(element);
    match shape::shape(instance) {
        Shape::Object(e) => {
            if let Some(source) = source_of(e) {
                rows.push(("(source)".to_string(), source));
            }
            flatten(&mut rows, "", e, hints);
        }
        Shape::Epr(e) => flatten_epr(&mut rows, "", e),
        Shape::Null => rows.push((instance.name.local.to_string(), String::new())),
        Shape::Text(t) => rows.push((instance.name.local.to_string(), t.trim().to_string())),
    }
    rows
}

/// The instance inside an ObjectAndEPR `Item`, or the element itself.
/// The chosen columns (`--columns`) that matched no property: most likely
/// misspelt, worth a warning.
pub(super) fn unmatched<'c>(columns: &'c [String], matched: &[bool]) -> Vec<&'c str> {
    columns
        .iter()
        .zip(matched)
        .filter(|(_, m)| !**m)
        .map(|(c, _)| c.as_str())
        .collect()
}

fn item_instance(item: &Element) -> &Element {
    if item.name.is(ns::WSMAN, "Item") {
        item.children.iter().find(|c| !c.is_epr()).unwrap_or(item)
    } else {
        item
    }
}

/// The item's own reference: the EPR in an ObjectAndEPR `Item`, or WMI's
/// `cim:Location`.
fn item_reference(item: &Element) -> Option<&Element> {
    if item.name.is(ns::WSMAN, "Item") {
        return item.children.iter().find(|c| c.is_epr());
    }
    location(item)
}

/// (column, cell) pairs for one enumeration item.
pub(super) fn item_cells(item: &Element, hints: &ArrayHints) -> Vec<(String, String)> {
    let instance = item_instance(item);
    match shape::shape(instance) {
        Shape::Object(e) => properties(e)
            .map(|p| (p.key().into_owned(), property_cell(&p, hints)))
            .collect(),
        Shape::Epr(e) => {
            let epr = Epr::of(e);
            let mut cells = vec![(
                "ResourceURI".to_string(),
                epr.resource_uri.unwrap_or("").to_string(),
            )];
            for (name, selector) in epr.selectors() {
                cells.push((name.to_string(), selector_cell(selector)));
            }
            cells
        }
        Shape::Null => vec![(instance.name.local.to_string(), String::new())],
        Shape::Text(t) => vec![(instance.name.local.to_string(), t.trim().to_string())],
    }
}

/// The column order for the first item: keys, descriptive names, the rest.
/// The name of the column that says which host a row came from (a fleet).
pub(super) const HOST_COLUMN: &str = "Host";

/// `cells` with the host's cell first, when rows name their host.
pub(super) fn with_host(
    mut cells: Vec<(String, String)>,
    host: Option<&str>,
) -> Vec<(String, String)> {
    if let Some(host) = host {
        cells.insert(0, (HOST_COLUMN.to_string(), host.to_string()));
    }
    cells
}

/// Puts the host column first, when rows name their host.
pub(super) fn host_first(columns: &mut Vec<String>, named: bool) {
    if !named {
        return;
    }
    columns.retain(|c| c != HOST_COLUMN);
    columns.insert(0, HOST_COLUMN.to_string());
}

pub(super) fn first_columns(item: &Element, cells: &[(String, String)]) -> Vec<String> {
    let has = |name: &str| cells.iter().any(|(n, _)| n == name);
    let mut columns: Vec<String> = Vec::new();
    let push = |name: &str, columns: &mut Vec<String>| {
        if has(name) && !columns.iter().any(|c| c == name) {
            columns.push(name.to_string());
        }
    };
    match item_reference(item) {
        Some(reference) => {
            for (name, _) in Epr::of(reference).selectors() {
                push(name, &mut columns);
            }
        }
        // Without a reference, the first identifying name that is present.
        None => {
            if let Some(name) = KEY_NAMES.iter().find(|n| has(n)) {
                push(name, &mut columns);
            }
        }
    }
    for name in DESCRIPTIVE_NAMES {
        push(name, &mut columns);
    }
    for (name, _) in cells {
        push(name, &mut columns);
    }
    columns
}

fn property_cell(property: &shape::Property, hints: &ArrayHints) -> String {
    if property.is_array(hints) {
        let values: Vec<String> = property
            .elements()
            .filter(|e| !e.is_nil())
            .map(compact)
            .collect();
        values.join(", ")
    } else {
        compact(property.first)
    }
}

/// One value on one line.
fn compact(element: &Element) -> String {
    match shape::shape(element) {
        Shape::Null => String::new(),
        Shape::Text(t) => t.trim().to_string(),
        Shape::Epr(e) => compact_epr(e),
        Shape::Object(e) => {
            let parts: Vec<String> = properties(e)
                .map(|p| {
                    let values: Vec<String> = p.elements().map(compact).collect();
                    format!("{}={}", p.key(), values.join(", "))
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// `Class?Key=Value+Other=Value`, as winrm's own URI syntax writes it.
fn compact_epr(element: &Element) -> String {
    let epr = Epr::of(element);
    let class = epr
        .resource_uri
        .map_or(epr.address, |u| u.rsplit('/').next().unwrap_or(u));
    let selectors: Vec<String> = epr
        .selectors()
        .map(|(name, s)| format!("{name}={}", selector_cell(s)))
        .collect();
    if selectors.is_empty() {
        class.to_string()
    } else {
        format!("{class}?{}", selectors.join("+"))
    }
}

fn selector_cell(selector: &Element) -> String {
    match shape::selector_reference(selector) {
        Some(reference) => format!("({})", compact_epr(reference)),
        None => selector.text_or_empty().trim().to_string(),
    }
}

/// Rows of `path = value` for every property below `element`.
fn flatten(rows: &mut Vec<(String, String)>, prefix: &str, element: &Element, hints: &ArrayHints) {
    for property in properties(element) {
        let path = format!("{prefix}{}", property.key());
        let objects = property
            .elements()
            .all(|e| matches!(shape::shape(e), Shape::Object(_)));
        if objects {
            let many = property.count > 1;
            for (i, e) in property.elements().enumerate() {
                let here = if many {
                    format!("{path}[{i}]")
                } else {
                    path.clone()
                };
                if let Some(source) = source_of(e) {
                    rows.push((here.clone(), source));
                }
                flatten(rows, &format!("{here}."), e, hints);
            }
            continue;
        }
        if let (false, Shape::Epr(e)) = (property.count > 1, shape::shape(property.first)) {
            flatten_epr(rows, &format!("{path}."), e);
            continue;
        }
        // A repeated value whose elements carry attributes: a row each, so
        // each keeps its own.
        if property.count > 1 && property.elements().any(shape::has_data_attributes) {
            for (i, e) in property.elements().enumerate() {
                let mut value = compact(e);
                if let Some(source) = source_of(e) {
                    if !value.is_empty() {
                        value.push(' ');
                    }
                    value.push_str(&source);
                }
                rows.push((format!("{path}[{i}]"), value));
            }
            continue;
        }
        let mut value = property_cell(&property, hints);
        if let Some(source) = source_of(property.first) {
            if !value.is_empty() {
                value.push(' ');
            }
            value.push_str(&source);
        }
        rows.push((path, value));
    }
}

fn flatten_epr(rows: &mut Vec<(String, String)>, prefix: &str, element: &Element) {
    let epr = Epr::of(element);
    rows.push((format!("{prefix}Address"), epr.address.to_string()));
    rows.push((
        format!("{prefix}ResourceURI"),
        epr.resource_uri.unwrap_or("").to_string(),
    ));
    for (name, selector) in epr.selectors() {
        rows.push((format!("{prefix}Selectors.{name}"), selector_cell(selector)));
    }
}

/// ` [Source="GPO"]`-style note for the attributes that carry data.
fn source_of(element: &Element) -> Option<String> {
    let notes: Vec<String> = element
        .attributes
        .iter()
        .filter(|a| attribute_matters(&a.name))
        .map(|a| format!("{}=\"{}\"", a.name.local, a.value))
        .collect();
    (!notes.is_empty()).then(|| format!("[{}]", notes.join(" ")))
}
