//! Enumeration filters over the CIM repository: a WQL subset (`SELECT * |
//! a, b FROM Class [WHERE ...]` with = <> != < <= > >= LIKE, IS [NOT] NULL,
//! AND/OR/NOT and parentheses, case-insensitive keywords and string
//! comparison), the SelectorFilter dialect (property equality), and the
//! DSP0227 association filter (AssociatedInstances / AssociationInstances)
//! over the Win32_DependentService graph.

use super::cim::{Repo, Val};
use super::soap::Target;
use super::soap::resolve;
use super::xml::{NS_ADDR, NS_CIMBINDING, NS_WSMAN, child, elements, is, text};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Sym(&'static str),
}

fn tokenize(q: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            out.push(Tok::Num(chars[start..i].iter().collect()));
        } else if c == '\'' || c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated string literal".into()),
                    Some('\\') if chars.get(i + 1).is_some() => {
                        s.push(chars[i + 1]);
                        i += 2;
                    }
                    Some(&q2) if q2 == c => {
                        i += 1;
                        break;
                    }
                    Some(&other) => {
                        s.push(other);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let sym = match two.as_str() {
                "<>" => Some("<>"),
                "!=" => Some("<>"),
                "<=" => Some("<="),
                ">=" => Some(">="),
                _ => None,
            };
            if let Some(s) = sym {
                out.push(Tok::Sym(s));
                i += 2;
                continue;
            }
            let one = match c {
                '=' => "=",
                '<' => "<",
                '>' => ">",
                '(' => "(",
                ')' => ")",
                ',' => ",",
                '*' => "*",
                _ => return Err(format!("unexpected character '{c}'")),
            };
            out.push(Tok::Sym(one));
            i += 1;
        }
    }
    Ok(out)
}

#[derive(Debug, Clone)]
pub enum Lit {
    Str(String),
    Num(String),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
}

/// A WHERE condition; `P` is a property name before binding and a property
/// index after.
#[derive(Debug, Clone)]
pub enum Cond<P> {
    Cmp(P, Op, Lit),
    IsNull(P, bool),
    And(Box<Cond<P>>, Box<Cond<P>>),
    Or(Box<Cond<P>>, Box<Cond<P>>),
    Not(Box<Cond<P>>),
}

pub struct Wql {
    /// None = `*`.
    pub props: Option<Vec<String>>,
    pub class: String,
    pub cond: Option<Cond<String>>,
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn keyword(&mut self, kw: &str) -> bool {
        if let Some(Tok::Ident(w)) = self.peek()
            && w.eq_ignore_ascii_case(kw)
        {
            self.pos += 1;
            return true;
        }
        false
    }

    fn sym(&mut self, s: &'static str) -> bool {
        if self.peek() == Some(&Tok::Sym(s)) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn ident(&mut self, what: &str) -> Result<String, String> {
        match self.next() {
            Some(Tok::Ident(s)) => Ok(s),
            _ => Err(format!("expected {what}")),
        }
    }

    fn or(&mut self) -> Result<Cond<String>, String> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            left = Cond::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Cond<String>, String> {
        let mut left = self.not()?;
        while self.keyword("AND") {
            left = Cond::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Cond<String>, String> {
        if self.keyword("NOT") {
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        if self.sym("(") {
            let c = self.or()?;
            if !self.sym(")") {
                return Err("missing ')'".into());
            }
            return Ok(c);
        }
        let prop = self.ident("a property name")?;
        if self.keyword("IS") {
            let negated = self.keyword("NOT");
            if !self.keyword("NULL") {
                return Err("expected NULL after IS".into());
            }
            return Ok(Cond::IsNull(prop, negated));
        }
        let op = match self.next() {
            Some(Tok::Sym("=")) => Op::Eq,
            Some(Tok::Sym("<>")) => Op::Ne,
            Some(Tok::Sym("<")) => Op::Lt,
            Some(Tok::Sym("<=")) => Op::Le,
            Some(Tok::Sym(">")) => Op::Gt,
            Some(Tok::Sym(">=")) => Op::Ge,
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("LIKE") => Op::Like,
            _ => return Err(format!("expected a comparison operator after {prop}")),
        };
        let lit = match self.next() {
            Some(Tok::Str(s)) => Lit::Str(s),
            Some(Tok::Num(n)) => Lit::Num(n),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("TRUE") => Lit::Bool(true),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("FALSE") => Lit::Bool(false),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("NULL") => Lit::Null,
            _ => return Err(format!("expected a value after the operator for {prop}")),
        };
        Ok(Cond::Cmp(prop, op, lit))
    }
}

pub fn parse_wql(q: &str) -> Result<Wql, String> {
    let mut p = Parser {
        toks: tokenize(q)?,
        pos: 0,
    };
    if !p.keyword("SELECT") {
        return Err("the query must start with SELECT".into());
    }
    let props = if p.sym("*") {
        None
    } else {
        let mut v = vec![p.ident("a property name or *")?];
        while p.sym(",") {
            v.push(p.ident("a property name")?);
        }
        Some(v)
    };
    if !p.keyword("FROM") {
        return Err("expected FROM".into());
    }
    let class = p.ident("a class name")?;
    let cond = if p.keyword("WHERE") {
        Some(p.or()?)
    } else {
        None
    };
    if p.peek().is_some() {
        return Err("unexpected text after the query".into());
    }
    Ok(Wql { props, class, cond })
}

/// Replaces property names by indices; Err names the unknown property.
pub fn bind(c: &Cond<String>, find: &dyn Fn(&str) -> Option<usize>) -> Result<Cond<usize>, String> {
    let idx = |p: &String| find(p).ok_or_else(|| p.clone());
    Ok(match c {
        Cond::Cmp(p, op, l) => Cond::Cmp(idx(p)?, *op, l.clone()),
        Cond::IsNull(p, n) => Cond::IsNull(idx(p)?, *n),
        Cond::And(a, b) => Cond::And(Box::new(bind(a, find)?), Box::new(bind(b, find)?)),
        Cond::Or(a, b) => Cond::Or(Box::new(bind(a, find)?), Box::new(bind(b, find)?)),
        Cond::Not(a) => Cond::Not(Box::new(bind(a, find)?)),
    })
}

pub fn eval(c: &Cond<usize>, vals: &[Val]) -> bool {
    match c {
        Cond::And(a, b) => eval(a, vals) && eval(b, vals),
        Cond::Or(a, b) => eval(a, vals) || eval(b, vals),
        Cond::Not(a) => !eval(a, vals),
        Cond::IsNull(p, negated) => (vals[*p] == Val::Nil) != *negated,
        Cond::Cmp(p, op, lit) => compare(&vals[*p], *op, lit),
    }
}

fn compare(v: &Val, op: Op, lit: &Lit) -> bool {
    let Some(left) = v.as_text() else {
        // NULL only equals NULL.
        return matches!((op, lit), (Op::Eq, Lit::Null));
    };
    let right = match lit {
        Lit::Null => return op == Op::Ne,
        Lit::Str(s) | Lit::Num(s) => s.clone(),
        Lit::Bool(b) => b.to_string(),
    };
    if op == Op::Like {
        return like(&left.to_lowercase(), &right.to_lowercase());
    }
    let ord = match (left.parse::<f64>(), right.parse::<f64>()) {
        (Ok(a), Ok(b)) => a.partial_cmp(&b),
        _ => Some(left.to_lowercase().cmp(&right.to_lowercase())),
    };
    let Some(ord) = ord else { return false };
    match op {
        Op::Eq => ord.is_eq(),
        Op::Ne => ord.is_ne(),
        Op::Lt => ord.is_lt(),
        Op::Le => ord.is_le(),
        Op::Gt => ord.is_gt(),
        Op::Ge => ord.is_ge(),
        Op::Like => false,
    }
}

/// SQL LIKE with `%` and `_` (iterative, no backtracking blow-up).
fn like(s: &str, pat: &str) -> bool {
    let s: Vec<char> = s.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while i < s.len() {
        if j < p.len() && (p[j] == '_' || p[j] == s[i]) {
            i += 1;
            j += 1;
        } else if j < p.len() && p[j] == '%' {
            star = Some(j);
            mark = i;
            j += 1;
        } else if let Some(st) = star {
            j = st + 1;
            mark += 1;
            i = mark;
        } else {
            return false;
        }
    }
    p[j..].iter().all(|&c| c == '%')
}

/// SelectorFilter body: `w:SelectorSet/w:Selector Name=..` pairs ANDed.
pub fn selector_filter(filter: roxmltree::Node) -> Option<Cond<String>> {
    let set = child(filter, NS_WSMAN, "SelectorSet")?;
    let mut cond: Option<Cond<String>> = None;
    for s in elements(set).filter(|s| is(*s, NS_WSMAN, "Selector")) {
        let c = Cond::Cmp(
            s.attribute("Name").unwrap_or("").to_string(),
            Op::Eq,
            Lit::Str(text(s)),
        );
        cond = Some(match cond {
            None => c,
            Some(prev) => Cond::And(Box::new(prev), Box::new(c)),
        });
    }
    cond
}

pub struct Assoc {
    /// true = AssociatedInstances, false = AssociationInstances.
    pub associated: bool,
    pub object_class: String,
    pub object_name: Option<String>,
    pub assoc_class: Option<String>,
    pub role: Option<String>,
    pub result_class: Option<String>,
    pub result_role: Option<String>,
    pub include: Vec<String>,
}

pub fn parse_assoc(filter: roxmltree::Node) -> Result<Assoc, String> {
    let (node, associated) = if let Some(n) = child(filter, NS_CIMBINDING, "AssociatedInstances") {
        (n, true)
    } else if let Some(n) = child(filter, NS_CIMBINDING, "AssociationInstances") {
        (n, false)
    } else {
        return Err("the filter holds neither AssociatedInstances nor AssociationInstances".into());
    };
    let object = child(node, NS_CIMBINDING, "Object").ok_or("the filter has no Object")?;
    let params = child(object, NS_ADDR, "ReferenceParameters").unwrap_or(object);
    let uri = child(params, NS_WSMAN, "ResourceURI")
        .map(text)
        .ok_or("the Object has no ResourceURI")?;
    let Target::WmiClass(object_class) = resolve(&uri) else {
        return Err(format!("the Object URI {uri} is not a root/cimv2 class"));
    };
    let object_name = child(params, NS_WSMAN, "SelectorSet").and_then(|set| {
        elements(set)
            .find(|s| {
                s.attribute("Name")
                    .is_some_and(|n| n.eq_ignore_ascii_case("Name"))
            })
            .map(text)
    });
    let opt = |name: &str| {
        child(node, NS_CIMBINDING, name)
            .map(text)
            .filter(|t| !t.is_empty())
    };
    Ok(Assoc {
        associated,
        object_class,
        object_name,
        assoc_class: opt("AssociationClassName"),
        role: opt("Role"),
        result_class: opt("ResultClassName"),
        result_role: opt("ResultRole"),
        include: elements(node)
            .filter(|e| is(*e, NS_CIMBINDING, "IncludeResultProperty"))
            .map(text)
            .collect(),
    })
}

fn class_matches(filter: &Option<String>, actual: &str, base: &[&str]) -> bool {
    match filter {
        None => true,
        Some(f) => f.eq_ignore_ascii_case(actual) || base.iter().any(|b| f.eq_ignore_ascii_case(b)),
    }
}

fn role_is(filter: &Option<String>, role: &str) -> bool {
    filter.as_ref().is_none_or(|r| r.eq_ignore_ascii_case(role))
}

/// Runs an association filter; returns (class index, instance index) of
/// every result. Err = the Object does not exist.
pub fn run_assoc(repo: &Repo, a: &Assoc) -> Result<Vec<(usize, usize)>, String> {
    let ci = repo
        .class(&a.object_class)
        .ok_or_else(|| format!("the class {} does not exist", a.object_class))?;
    let class = &repo.classes[ci];
    let ii = match &a.object_name {
        Some(n) => class.find(n),
        None if class.singleton => Some(0),
        None => None,
    }
    .ok_or("the Object instance does not exist")?;
    let source = (ci, ii);
    let link_class = repo.class("Win32_DependentService").unwrap_or(usize::MAX);
    let assoc_ok = class_matches(
        &a.assoc_class,
        "Win32_DependentService",
        &["CIM_Dependency"],
    );
    let mut out = Vec::new();
    if !assoc_ok {
        return Ok(out);
    }
    for (n, (ante, dep)) in repo.links.iter().enumerate() {
        // (source role, result role, result)
        let hit = if *dep == source {
            Some(("Dependent", "Antecedent", *ante))
        } else if *ante == source {
            Some(("Antecedent", "Dependent", *dep))
        } else {
            None
        };
        let Some((src_role, res_role, result)) = hit else {
            continue;
        };
        if !role_is(&a.role, src_role) {
            continue;
        }
        if a.associated {
            let rc = repo.classes[result.0].name;
            if role_is(&a.result_role, res_role)
                && class_matches(&a.result_class, rc, &["CIM_Service", "Win32_BaseService"])
                && !out.contains(&result)
            {
                out.push(result);
            }
        } else if class_matches(
            &a.result_class,
            "Win32_DependentService",
            &["CIM_Dependency"],
        ) {
            out.push((link_class, n));
        }
    }
    Ok(out)
}
