//! Reply text → [`Element`] tree in one pass, for the hot path
//! (enumeration pages).
//!
//! The roxmltree path ([`dom`](super::dom)) parses a whole document and
//! then copies the nodes it needs into the owned model; for a 10,000-item
//! enumeration that DOM plus the second walk cost more than everything
//! else together. Here
//! quick-xml tokenizes the text and we build the owned [`Element`]s straight
//! from its events, tracking namespace scopes as we go.
//!
//! The result must be exactly what the roxmltree path gives: the same names,
//! namespace URIs, prefixes as sent, attributes, text, the same per-element
//! namespace declarations, and for each element at the `standalone` depth
//! the inherited declarations it needs to stand alone. So this builder takes
//! only the plain, common shape of a reply and answers `None` for anything
//! else — a comment, a processing instruction, a DTD, a non-ASCII or odd
//! name, a namespace corner case, an error of any kind — and the caller then
//! lets roxmltree decide, with its errors. quick-xml is more lenient than
//! roxmltree in a few places (names, spaces between attributes, `]]>` in
//! text, characters XML forbids); those are checked here so nothing it
//! accepts is something roxmltree would refuse. `tests/it/differential.rs`
//! and the `differential` fuzz target hold the two paths to that.

use std::borrow::Cow;
use std::sync::Arc;

use quick_xml::escape::{resolve_predefined_entity, unescape};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::dom::{
    FewSet, Interner, MAX_ATTRIBUTES, MAX_DECLARATIONS, MAX_DEPTH, MAX_IN_SCOPE, MAX_NODES,
    Malformed, element_budget, too_many_attributes, too_many_declarations, too_many_elements,
    too_many_in_scope,
};
use super::model::{Attribute, CompactString, Element, Name, ThinVec};
use super::ns;

const XMLNS_URI: &str = "http://www.w3.org/2000/xmlns/";

/// Builds the whole document, or `None` when roxmltree must decide.
/// Elements at depth `standalone` (the root is at 0) also get the inherited
/// declarations their subtree uses, as
/// [`element_from_node`](super::dom::element_from_node) gives them.
///
/// A reply beyond the counts [`dom`](super::dom) limits (attributes per
/// tag, namespaces in scope, declarations) is refused here with the words
/// [`parse_document`](super::dom::parse_document) uses, not handed on:
/// roxmltree would spend a long time before its own count refused it.
pub fn build(text: &str, standalone: usize) -> Result<Option<Element>, Malformed> {
    let mut refused = None;
    let built = build_counted(text, standalone, &mut refused);
    match refused {
        Some(e) => Err(e),
        None => Ok(built),
    }
}

fn build_counted(
    text: &str,
    standalone: usize,
    refused: &mut Option<Malformed>,
) -> Option<Element> {
    let elements_budget = element_budget(text.len());
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if has_forbidden_chars(text) {
        return None;
    }
    let mut reader = Reader::from_str(text);
    // Defaults kept on purpose: end names are checked, `<a/>` stays one
    // event, text is not trimmed.
    let mut b = Builder {
        text,
        standalone,
        interner: Interner::default(),
        scopes: Vec::new(),
        frames: Vec::new(),
        children: ThinVec::new(),
        used: FewSet::default(),
        nodes: 0,
        root: None,
        elements: 0,
        elements_budget,
        raw_attributes: Vec::new(),
        declarations: 0,
        own: FewSet::default(),
        names: FewSet::default(),
        refused,
    };

    let mut first = true;
    loop {
        let event = reader.read_event().ok()?;
        let at_start = std::mem::take(&mut first);
        let inside = !b.frames.is_empty();
        match event {
            Event::Start(e) if b.root.is_none() => b.start(&e, false)?,
            Event::Empty(e) if b.root.is_none() => b.start(&e, true)?,
            Event::End(_) => b.close()?,
            Event::Text(t) if inside => b.text(within(text, &t)?)?,
            Event::CData(t) if inside => b.cdata(within(text, &t)?)?,
            Event::GeneralRef(r) if inside => b.reference(&r)?,
            // Layout around the root.
            Event::Text(t) if t.iter().all(|b| is_space(*b)) => {}
            Event::Decl(d) if at_start => declaration_is_valid(within(text, &d)?)?,
            Event::Eof if !inside => return b.root,
            // Comments, instructions, DTDs, markup after the root, text
            // outside it, or an early end: roxmltree's call.
            _ => return None,
        }
    }
}

/// One open element.
struct Frame {
    /// Its in-scope namespaces: `scopes[scope.0..scope.1]`.
    scope: (usize, usize),
    /// Whether it declared namespaces (truncate to `scope.0` on close).
    declared: bool,
    /// Where its finished children start in `Builder::children`.
    children_start: usize,
}

struct Builder<'a, 'r> {
    text: &'a str,
    standalone: usize,
    interner: Interner,
    /// Namespace scopes as roxmltree keeps them: an element that declares
    /// anything gets its declarations followed by the parent's entries it
    /// does not override, so a lookup reads one slice.
    scopes: Vec<(Option<&'a str>, Arc<str>)>,
    frames: Vec<Frame>,
    /// Open elements, each followed by its finished children. Kept in one
    /// place so each element's `children` is allocated once, at its size,
    /// and an element is moved once, into its parent.
    children: ThinVec<Element>,
    /// Prefixes used inside the current standalone element.
    used: FewSet<Option<&'a str>>,
    nodes: u32,
    root: Option<Element>,
    /// Elements so far, against the reply's
    /// [`element_budget`](super::dom::element_budget).
    elements: usize,
    elements_budget: usize,
    /// The current start tag's other attributes (prefix, local name,
    /// value), a buffer reused from tag to tag.
    raw_attributes: Vec<(Option<&'a str>, &'a str, Cow<'a, str>)>,
    /// Namespace declarations so far, against [`MAX_DECLARATIONS`].
    declarations: usize,
    /// The prefixes the current start tag declares.
    own: FewSet<Option<&'a str>>,
    /// The current start tag's attribute names so far (namespace by its
    /// shared copy's address, local name), to find a repeated one.
    names: FewSet<(usize, &'a str)>,
    /// Why the reply is refused, when it is beyond a limit.
    refused: &'r mut Option<Malformed>,
}

impl<'a> Builder<'a, '_> {
    /// Refuses the reply: `None`, so the build stops, with the reason kept.
    fn refuse(&mut self, why: Malformed) -> Option<()> {
        *self.refused = Some(why);
        None
    }

    fn count_node(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes < MAX_NODES).then_some(())
    }

    fn start(&mut self, tag: &BytesStart, empty: bool) -> Option<()> {
        self.count_node()?;
        // Counted before the attributes, as `dom` counts.
        self.elements += 1;
        if self.elements > self.elements_budget {
            return self.refuse(too_many_elements(self.elements_budget));
        }
        let depth = self.frames.len();
        // Deep nesting is rare and has its own error: roxmltree's path.
        if depth > self.standalone + MAX_DEPTH {
            return None;
        }
        let (prefix, local) = qname(within(self.text, tag.name().as_ref())?)?;

        // Attributes: names and values as written, declarations apart.
        let mut raw = std::mem::take(&mut self.raw_attributes);
        let scope_start = self.scopes.len();
        let mut declared = false;
        let mut count = 0;
        self.own.clear();
        let mut attributes = tag.attributes();
        attributes.with_checks(false); // duplicates are checked below, by expanded name
        for attribute in attributes {
            // Counted as `dom` counts, in the same order, so a reply past
            // two limits names the same one on both paths.
            let attribute = attribute.ok()?;
            count += 1;
            if count > MAX_ATTRIBUTES {
                return self.refuse(too_many_attributes());
            }
            let key = within(self.text, attribute.key.as_ref())?;
            if key == "xmlns" || key.starts_with("xmlns:") {
                self.declarations += 1;
                if self.declarations > MAX_DECLARATIONS {
                    return self.refuse(too_many_declarations());
                }
            }
            let (aprefix, alocal) = qname(key)?;
            let value_raw = within(self.text, &attribute.value)?;
            // XML wants a space after each value (quick-xml does not).
            let after =
                value_raw.as_ptr() as usize - self.text.as_ptr() as usize + value_raw.len() + 1;
            if !matches!(
                self.text.as_bytes().get(after),
                Some(b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>')
            ) || value_raw.contains('<')
            {
                return None;
            }
            // XML reads a value with its tabs and line ends (CR LF as one)
            // as spaces, then resolves references (so `&#9;` stays a tab).
            let value = if value_raw
                .bytes()
                .any(|c| matches!(c, b'&' | b'\t' | b'\n' | b'\r'))
            {
                let spaced = value_raw
                    .replace("\r\n", " ")
                    .replace(['\t', '\n', '\r'], " ");
                let value = unescape(&spaced).ok()?;

                if has_forbidden_chars(&value) {
                    return None;
                }
                Cow::Owned(value.into_owned())
            } else {
                Cow::Borrowed(value_raw)
            };
            match (aprefix, alocal) {
                (Some("xmlns"), p) => {
                    // Declaring or undeclaring the reserved prefixes, or an
                    // empty URI: corner cases for roxmltree.
                    if matches!(p, "xml" | "xmlns") || matches!(&*value, "" | ns::XML | XMLNS_URI) {
                        return None;
                    }
                    self.declare(Some(p), &value)?;
                    declared = true;
                }
                (None, "xmlns") => {
                    if matches!(&*value, "" | ns::XML | XMLNS_URI) {
                        return None;
                    }
                    self.declare(None, &value)?;
                    declared = true;
                }
                (Some(_), "xmlns") => return None,
                _ => raw.push((aprefix, alocal, value)),
            }
        }

        let parent_scope = self.frames.last().map(|f| f.scope);
        let own_end = self.scopes.len();
        let scope = if declared {
            if let Some((start, end)) = parent_scope {
                for i in start..end {
                    if !self.own.contains(&self.scopes[i].0) {
                        let inherited = self.scopes[i].clone();
                        self.scopes.push(inherited);
                    }
                }
            }
            if self.scopes.len() - scope_start > MAX_IN_SCOPE {
                return self.refuse(too_many_in_scope());
            }
            (scope_start, self.scopes.len())
        } else {
            parent_scope.unwrap_or((scope_start, scope_start))
        };

        // Children mostly share their parent's prefix: then, unless this
        // element declares something, they share its namespace too, and
        // copying both beats looking the prefix up and building it again.
        let parent = match self.frames.last() {
            Some(frame) if !declared => self.children.get(frame.children_start - 1),
            _ => None,
        };
        let (namespace, prefix_name) = match parent {
            Some(p) if same_prefix(p.name.prefix.as_deref(), prefix) => {
                (p.name.namespace.clone(), p.name.prefix.clone())
            }
            _ => (self.lookup(scope, prefix)?, prefix.map(CompactString::new)),
        };
        if depth == self.standalone {
            self.used.clear();
        }
        if depth >= self.standalone {
            self.used.insert(prefix);
        }
        let mut attributes = ThinVec::with_capacity(raw.len());
        self.names.clear();
        for (aprefix, alocal, value) in raw.drain(..) {
            let namespace = match aprefix {
                None => None,
                Some("xml") => Some(self.interner.get(ns::XML)),
                Some(p) => Some(self.lookup(scope, Some(p))??),
            };
            // Namespaces are shared copies: one address per URI.
            let address = namespace.as_ref().map_or(0, |u| u.as_ptr() as usize);
            if !self.names.insert((address, alocal)) {
                return None;
            }
            if depth >= self.standalone {
                if aprefix.is_some() {
                    self.used.insert(aprefix);
                }
                // xsi:type names a type by QName: its prefix is used too
                // (a value with references in it is too odd to bother).
                if alocal == "type" && namespace.as_deref() == Some(ns::XSI) {
                    let Cow::Borrowed(value) = value else {
                        return None;
                    };
                    self.used.insert(value.split_once(':').map(|(p, _)| p));
                }
            }
            attributes.push(Attribute {
                name: Name {
                    local: CompactString::new(alocal),
                    namespace,
                    prefix: aprefix.map(CompactString::new),
                },
                value: CompactString::new(&value),
            });
        }
        self.raw_attributes = raw;

        // Declarations new on this element compared with its parent: the
        // inherited entries are the parent's own, so only this tag's need
        // looking up there.
        let namespaces = if declared {
            let parent = match parent_scope {
                Some((s, e)) => &self.scopes[s..e],
                None => &[],
            };
            let mut by_prefix = std::collections::HashMap::new();
            if parent.len() > 16 {
                by_prefix.extend(parent.iter().map(|(q, v)| (*q, v)));
            }
            let in_parent = |p: Option<&str>, u: &Arc<str>| match by_prefix.is_empty() {
                true => parent
                    .iter()
                    .any(|(q, v)| Arc::ptr_eq(u, v) && same_prefix(*q, p)),
                false => by_prefix.get(&p).is_some_and(|v| Arc::ptr_eq(u, v)),
            };
            self.scopes[scope.0..own_end]
                .iter()
                .filter(|(p, u)| !in_parent(*p, u))
                .map(|(p, u)| (p.map(CompactString::new), u.clone()))
                .collect()
        } else {
            ThinVec::new()
        };
        self.frames.push(Frame {
            scope,
            declared,
            children_start: self.children.len() + 1,
        });
        self.children.push(Element {
            name: Name {
                local: CompactString::new(local),
                namespace,
                prefix: prefix_name,
            },
            attributes,
            namespaces,

            text: None,
            children: ThinVec::new(),
        });
        if empty {
            self.close()?;
        }
        Some(())
    }

    /// Adds a declaration to the scope being built from `scope_start`.
    fn declare(&mut self, prefix: Option<&'a str>, uri: &str) -> Option<()> {
        if !self.own.insert(prefix) {
            return None;
        }
        let uri = self.interner.get(uri);
        self.scopes.push((prefix, uri));
        Some(())
    }

    /// The namespace of `prefix` in `scope`: `Some(None)` for no prefix and
    /// no default namespace, `None` for an undeclared prefix.
    #[inline(always)]
    fn lookup(&self, scope: (usize, usize), prefix: Option<&str>) -> Option<Option<Arc<str>>> {
        let found = self.scopes[scope.0..scope.1]
            .iter()
            .find(|(p, _)| same_prefix(*p, prefix));
        match (found, prefix) {
            (Some((_, uri)), _) => Some(Some(uri.clone())),
            (None, None) => Some(None),
            (None, Some(_)) => None,
        }
    }

    /// The element whose text a run adds to: the innermost open one while
    /// it has no children (text beside children is layout).
    fn text_target(&mut self) -> Option<&mut Element> {
        let frame = self.frames.last()?;
        if self.children.len() != frame.children_start {
            return None;
        }
        self.children.last_mut()
    }

    fn text(&mut self, raw: &str) -> Option<()> {
        // quick-xml lets `]]>` through in text; XML does not. Text runs are
        // short: one branch-free pass looks for both bytes of interest.
        let (cr, gt) = raw.bytes().fold((false, false), |(cr, gt), b| {
            (cr | (b == b'\r'), gt | (b == b'>'))
        });
        if gt && raw.contains("]]>") {
            return None;
        }

        self.count_node()?;
        if let Some(e) = self.text_target() {
            push_normalized(&mut e.text, raw, cr);
        }
        Some(())
    }

    fn cdata(&mut self, raw: &str) -> Option<()> {
        self.count_node()?;
        if let Some(e) = self.text_target() {
            push_normalized(&mut e.text, raw, raw.contains('\r'));
        }
        Some(())
    }

    /// `&amp;`, `&#13;`: the five predefined entities and character
    /// references; any other entity is roxmltree's to refuse.
    fn reference(&mut self, reference: &quick_xml::events::BytesRef) -> Option<()> {
        let mut utf8 = [0; 4];
        let resolved: &str = match reference.resolve_char_ref().ok()? {
            Some(c) if is_xml_char(c) => c.encode_utf8(&mut utf8),
            Some(_) => return None,
            None => resolve_predefined_entity(std::str::from_utf8(reference).ok()?)?,
        };
        if let Some(e) = self.text_target() {
            e.text
                .get_or_insert_with(CompactString::default)
                .push_str(resolved);
        }
        Some(())
    }

    /// The finished children from `start` on, moved out of the stack.
    /// Usually they are few: one allocation at their size and one bulk
    /// move. When they outnumber what stays (the items of a page, the
    /// root's children), the stack's own allocation becomes theirs and
    /// the few that stay move to a new one, so a page never exists twice
    /// in memory. Each element moves to a new stack at most once per
    /// level, as the part it is in is the smaller one: linear overall.
    fn take_children(&mut self, start: usize) -> ThinVec<Element> {
        if start > self.children.len() - start {
            return self.children.split_off(start);
        }
        let mut kids = std::mem::take(&mut self.children);
        self.children = kids.drain(..start).collect();
        kids.shrink_to_fit();
        kids
    }

    fn close(&mut self) -> Option<()> {
        let frame = self.frames.pop()?;
        let depth = self.frames.len();
        let start = frame.children_start;
        let kids = (self.children.len() > start).then(|| self.take_children(start));

        // The frame's element sits right before its children.
        let element = self.children.last_mut()?;
        if let Some(kids) = kids {
            element.text = None;
            element.children = kids;
        }
        if depth == self.standalone {
            let mut inherited = Vec::new();
            for (p, uri) in &self.scopes[frame.scope.0..frame.scope.1] {
                if !self.used.contains(p) {
                    continue;
                }
                let declared = element.namespaces.iter().any(|(q, _)| q.as_deref() == *p);
                if !declared {
                    inherited.push((p.map(CompactString::new), uri.clone()));
                }
            }
            // At its size: a page of standalone items holds one each.
            element.namespaces.reserve_exact(inherited.len());
            element.namespaces.extend(inherited);
        }
        if self.frames.is_empty() {
            self.root = self.children.pop();
        }
        if frame.declared {
            self.scopes.truncate(frame.scope.0);
        }
        Some(())
    }
}

/// The text `part` covers: quick-xml lends slices of the text it reads, so
/// `part` lies inside `text` and this finds where. `None` if it does not
/// (an owned buffer) or cuts a character.
fn within<'a>(text: &'a str, part: &[u8]) -> Option<&'a str> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    text.get(start..start.checked_add(part.len())?)
}

/// Splits a QName into prefix and local part, for plain ASCII names only
/// (`[A-Za-z_][A-Za-z0-9._-]*`, one optional colon); anything else is
/// left to roxmltree, which knows the full XML name rules.
fn qname(name: &str) -> Option<(Option<&str>, &str)> {
    let bytes = name.as_bytes();
    let mut colon = None;
    for (i, &b) in bytes.iter().enumerate() {
        if NAME_BYTES[usize::from(b)] == 0 {
            if b != b':' || colon.is_some() {
                return None;
            }
            colon = Some(i);
        }
    }
    let starts = |part: &[u8]| {
        part.first()
            .is_some_and(|b| NAME_BYTES[usize::from(*b)] == 1)
    };
    match colon {
        Some(c) if starts(&bytes[..c]) && starts(&bytes[c + 1..]) => {
            Some((Some(&name[..c]), &name[c + 1..]))
        }
        None if starts(bytes) => Some((None, name)),
        _ => None,
    }
}

/// ASCII name bytes: 1 = may start a name part (and continue one), 2 = may
/// only continue one, 0 = anything else (the colon included).
static NAME_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        table[i] = if b.is_ascii_alphabetic() || b == b'_' {
            1
        } else if b.is_ascii_digit() || b == b'-' || b == b'.' {
            2
        } else {
            0
        };
        i += 1;
    }
    table
};

/// Prefix equality without a call to `memcmp`: prefixes are a few bytes.
#[inline]
fn same_prefix(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y),
        (None, None) => true,
        _ => false,
    }
}

/// Whether the XML declaration (`<?xml …?>` without the angle brackets'
/// `<?`/`?>`) is one roxmltree accepts: it checks it, on just the
/// declaration and an empty root.
fn declaration_is_valid(declaration: &str) -> Option<()> {
    let probe = format!("<?{declaration}?><a/>");
    roxmltree::Document::parse(&probe).ok().map(|_| ())
}

/// Adds `raw` to `out` with its line ends as XML reads them (CR LF and a
/// lone CR become LF); `has_cr` says whether there are any.
fn push_normalized(out: &mut Option<CompactString>, raw: &str, has_cr: bool) {
    let raw: Cow<str> = if has_cr {
        Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(raw)
    };
    match out {
        Some(text) => text.push_str(&raw),
        None => *out = Some(CompactString::new(&raw)),
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `text` holds a character XML 1.0 forbids (controls other than
/// tab, LF and CR; U+FFFE and U+FFFF), which quick-xml does not check.
fn has_forbidden_chars(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Most chunks hold no byte below 0x20 and no 0xEF: test 64 at a time
    // (the compiler vectorises this), look closer only where one does.
    bytes.chunks(64).enumerate().any(|(n, chunk)| {
        let suspect = chunk
            .iter()
            .fold(false, |any, &b| any | (b < 0x20) | (b == 0xEF));
        suspect
            && chunk.iter().enumerate().any(|(j, &b)| match b {
                b'\t' | b'\n' | b'\r' => false,
                0..0x20 => true,
                0xEF => {
                    let i = n * 64 + j;
                    bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
                }
                _ => false,
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITEM: &str = concat!(
        r#"<p:S xmlns:p="urn:p" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
        r#"<p:A>x</p:A><p:B xsi:nil="true"/></p:S>"#
    );

    #[test]
    fn builds_names_text_attributes_and_declarations() {
        let root = build(ITEM, 0).ok().flatten().expect("built");
        assert_eq!(root.name.local, "S");
        assert_eq!(root.name.prefix.as_deref(), Some("p"));
        assert_eq!(root.name.namespace.as_deref(), Some("urn:p"));
        assert_eq!(root.namespaces.len(), 2);
        assert_eq!(root.children[0].text.as_deref(), Some("x"));
        assert!(root.children[1].is_nil());
        assert!(root.children[1].namespaces.is_empty());
    }

    #[test]
    fn reads_line_ends_and_references_as_xml_does() {
        // A lone CR is a line feed even right before a reference, where
        // roxmltree keeps it; `&#13;` is a CR.
        let root = build("<a>1\r\n2\r3\r&amp;&#13;<![CDATA[\r\n]]></a>", 0)
            .ok()
            .flatten()
            .expect("built");
        assert_eq!(root.text.as_deref(), Some("1\n2\n3\n&\r\n"));
        let root = build("<a b=\"1\r\n2\t3&#9;4\"/>", 0)
            .ok()
            .flatten()
            .expect("built");
        assert_eq!(root.attribute(None, "b"), Some("1 2 3\t4"));
    }

    #[test]
    fn leaves_what_it_does_not_handle_to_roxmltree() {
        for text in [
            "<a><!-- c --></a>",
            "<a><?pi x?></a>",
            "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            "<a>&x;</a>",
            "<a>]]></a>",
            "<a x=\"1\"y=\"2\"/>",
            "<a x=\"1\" x=\"2\"/>",
            "<q:a/>",
            "<é/>",
            "<a>\u{1}</a>",
            "<a>&#0;</a>",
            "<a></b>",
            "<a>",
            "<a/><b/>",
            "x<a/>",
            "<a xmlns:p=\"\"/>",
        ] {
            assert!(matches!(build(text, 0), Ok(None)), "{text:?} was built");
        }
    }
}
