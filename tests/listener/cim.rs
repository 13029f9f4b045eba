//! A tiny in-memory CIM repository for `root/cimv2`: classes with ordered
//! properties, instances with typed values, and their WS-Man XML form as the
//! Windows WMI plug-in writes it (`p:Class_Type`, `xsi:nil`, `cim:Datetime`,
//! repeated elements for arrays, EPR-valued references). The full XML of
//! every instance is cached so large enumerations are only string copies.

use std::collections::HashMap;
use std::sync::Arc;

use super::soap::CIMV2_URI;
use super::xml::{NS_BASE, NS_CIM, NS_XSI, epr, epr_body, esc_into};

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    /// Integers kept as their decimal text.
    Num(String),
    Bool(bool),
    Nil,
    Datetime(String),
    Array(Vec<String>),
    /// Reference to another instance: (class name, key value of `Name`).
    Ref(String, String),
}

impl Val {
    pub fn str(s: &str) -> Val {
        Val::Str(s.to_string())
    }

    pub fn num(n: impl ToString) -> Val {
        Val::Num(n.to_string())
    }

    /// Text form used by filters (None for null).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Val::Str(s) | Val::Num(s) | Val::Datetime(s) => Some(s.clone()),
            Val::Bool(b) => Some(b.to_string()),
            Val::Nil => None,
            Val::Array(a) => Some(a.join(",")),
            Val::Ref(c, k) => Some(format!("{c}.Name=\"{k}\"")),
        }
    }
}

pub struct Class {
    pub name: &'static str,
    pub props: Vec<&'static str>,
    /// Key property names (all Name-keyed here, except associations).
    pub keys: Vec<&'static str>,
    /// Get without selectors returns the only instance (Win32_OperatingSystem).
    pub singleton: bool,
    pub instances: Vec<Instance>,
    /// Lowercased value of `Name` -> instance index.
    pub index: HashMap<String, usize>,
}

pub struct Instance {
    pub vals: Vec<Val>,
    /// Cached full serialisation (no cim:Location), shared with enumeration
    /// contexts so a snapshot of 10,000 instances costs pointers, not copies.
    pub xml: Arc<str>,
}

impl Class {
    pub fn new(name: &'static str, props: &[&'static str], keys: &[&'static str]) -> Class {
        Class {
            name,
            props: props.to_vec(),
            keys: keys.to_vec(),
            singleton: false,
            instances: Vec::new(),
            index: HashMap::new(),
        }
    }

    pub fn uri(&self) -> String {
        format!("{CIMV2_URI}{}", self.name)
    }

    pub fn prop(&self, name: &str) -> Option<usize> {
        self.props.iter().position(|p| p.eq_ignore_ascii_case(name))
    }

    /// Exact (case-sensitive) property index, as WMI fragments require.
    pub fn prop_exact(&self, name: &str) -> Option<usize> {
        self.props.iter().position(|p| *p == name)
    }

    pub fn push(&mut self, vals: Vec<Val>) {
        debug_assert_eq!(vals.len(), self.props.len());
        if let Some(name) = self.prop("Name").and_then(|i| vals[i].as_text()) {
            self.index
                .insert(name.to_ascii_lowercase(), self.instances.len());
        }
        let mut inst = Instance {
            vals,
            xml: Arc::from(""),
        };
        inst.xml = Arc::from(self.render(&inst, None));
        self.instances.push(inst);
    }

    /// Re-renders an instance after its values changed.
    pub fn refresh(&mut self, i: usize) {
        let xml = self.render(&self.instances[i], None);
        self.instances[i].xml = Arc::from(xml);
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.index.get(&name.to_ascii_lowercase()).copied()
    }

    pub fn set(&mut self, i: usize, prop: &str, v: Val) {
        if let Some(p) = self.prop(prop) {
            self.instances[i].vals[p] = v;
        }
    }

    pub fn get(&self, i: usize, prop: &str) -> &Val {
        self.prop(prop)
            .map(|p| &self.instances[i].vals[p])
            .unwrap_or(&Val::Nil)
    }

    /// `<p:Class ...>` with all properties, or only `only` (a WQL select list
    /// or IncludeResultProperty), in class order.
    pub fn render(&self, inst: &Instance, only: Option<&[usize]>) -> String {
        let mut s = String::with_capacity(2048);
        let uri = self.uri();
        s.push_str(&format!(
            "<p:{0} xmlns:xsi=\"{NS_XSI}\" xmlns:p=\"{uri}\" xmlns:cim=\"{NS_CIM}\" \
             xsi:type=\"p:{0}_Type\">",
            self.name
        ));
        for (i, (name, v)) in self.props.iter().zip(&inst.vals).enumerate() {
            if only.is_some_and(|o| !o.contains(&i)) {
                continue;
            }
            render_prop(&mut s, name, v);
        }
        s.push_str(&format!("</p:{}>", self.name));
        s
    }

    /// Object XML for item `i`, cached when no projection applies.
    pub fn object(&self, i: usize, only: Option<&[usize]>) -> Arc<str> {
        match only {
            None => self.instances[i].xml.clone(),
            Some(o) => Arc::from(self.render(&self.instances[i], Some(o))),
        }
    }

    /// Selector pairs that address instance `i`.
    pub fn selectors(&self, i: usize) -> Vec<(&'static str, String)> {
        self.keys
            .iter()
            .map(|k| (*k, self.get(i, k).as_text().unwrap_or_default()))
            .collect()
    }

    pub fn epr(&self, i: usize, wrapper: &str) -> String {
        let sel = self.selectors(i);
        let pairs: Vec<(&str, &str)> = sel.iter().map(|(k, v)| (*k, v.as_str())).collect();
        epr(wrapper, &self.uri(), &pairs)
    }

    /// Instance as returned by Get: the object plus a trailing `cim:Location`
    /// EPR in the wsman/1/base namespace (winrm.vbs skips that element when
    /// it edits an object, which shows Windows sends it).
    pub fn get_xml(&self, i: usize) -> String {
        let mut xml = self.instances[i].xml.to_string();
        let close = format!("</p:{}>", self.name);
        xml.truncate(xml.len() - close.len());
        let sel = self.selectors(i);
        let pairs: Vec<(&str, &str)> = sel.iter().map(|(k, v)| (*k, v.as_str())).collect();
        xml.push_str(&format!("<cim:Location xmlns:cim=\"{NS_BASE}\">"));
        epr_body(&mut xml, &self.uri(), &pairs);
        xml.push_str("</cim:Location>");
        xml.push_str(&close);
        xml
    }
}

fn render_prop(s: &mut String, name: &str, v: &Val) {
    match v {
        Val::Nil => s.push_str(&format!("<p:{name} xsi:nil=\"true\"/>")),
        Val::Array(items) => {
            for item in items {
                s.push_str(&format!("<p:{name}>"));
                esc_into(s, item);
                s.push_str(&format!("</p:{name}>"));
            }
        }
        Val::Datetime(d) => {
            s.push_str(&format!("<p:{name}><cim:Datetime>"));
            esc_into(s, d);
            s.push_str(&format!("</cim:Datetime></p:{name}>"));
        }
        Val::Ref(class, key) => {
            s.push_str(&format!("<p:{name}>"));
            epr_body(s, &format!("{CIMV2_URI}{class}"), &[("Name", key)]);
            s.push_str(&format!("</p:{name}>"));
        }
        Val::Str(t) | Val::Num(t) => {
            s.push_str(&format!("<p:{name}>"));
            esc_into(s, t);
            s.push_str(&format!("</p:{name}>"));
        }
        Val::Bool(b) => s.push_str(&format!("<p:{name}>{b}</p:{name}>")),
    }
}

/// All classes plus the dependency graph behind Win32_DependentService.
pub struct Repo {
    pub classes: Vec<Class>,
    /// (antecedent, dependent) as (class index, instance index) pairs.
    pub links: Vec<((usize, usize), (usize, usize))>,
}

impl Repo {
    pub fn class(&self, name: &str) -> Option<usize> {
        self.classes.iter().position(|c| c.name == name)
    }

    /// Case-insensitive lookup, as WQL FROM clauses are.
    pub fn class_ci(&self, name: &str) -> Option<usize> {
        self.classes
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }
}
