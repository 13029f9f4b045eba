//! The `winrm/config` tree (Config, Client, Service, Winrs and their Auth /
//! DefaultPorts containers) with Get, Put and fragment Get/Put. Names are
//! matched case-insensitively as on Windows; values are validated by kind.

use super::State;
use super::faults::Fault;
use super::soap::{CONFIG_URI, Ns, Reply, Req, TRANSFER};
use super::xml::{NS_WSMAN, NS_XSI, elements, esc, esc_into, is, text};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Bool,
    /// Unsigned 32-bit number with a minimum.
    UInt(u64),
    Text,
    Choice(&'static [&'static str]),
}

/// One element of the tree: a leaf (with a value) or a container.
#[derive(Clone, Debug)]
pub struct Node {
    pub name: &'static str,
    pub value: String,
    pub kind: Kind,
    /// Shown with `Source="GPO"`; Put may not change it.
    pub gpo: bool,
    pub children: Vec<Node>,
}

fn leaf(name: &'static str, kind: Kind, value: &str) -> Node {
    Node {
        name,
        value: value.to_string(),
        kind,
        gpo: false,
        children: Vec::new(),
    }
}

fn group(name: &'static str, children: Vec<Node>) -> Node {
    Node {
        name,
        value: String::new(),
        kind: Kind::Text,
        gpo: false,
        children,
    }
}

const B: Kind = Kind::Bool;
const N: Kind = Kind::UInt(0);
const T: Kind = Kind::Text;

impl Node {
    fn find(&self, name: &str) -> Option<&Node> {
        self.children
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    fn find_mut(&mut self, name: &str) -> Option<&mut Node> {
        self.children
            .iter_mut()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    fn is_group(&self) -> bool {
        !self.children.is_empty()
    }

    /// Serialises the node with prefix `cfg` (or none for fragments).
    fn render(&self, out: &mut String, prefix: &str) {
        let gpo = if self.gpo { " Source=\"GPO\"" } else { "" };
        out.push_str(&format!("<{prefix}{}{gpo}>", self.name));
        if self.is_group() {
            for c in &self.children {
                c.render(out, prefix);
            }
        } else {
            esc_into(out, &self.value);
        }
        out.push_str(&format!("</{prefix}{}>", self.name));
    }
}

pub struct Tree {
    pub root: Node,
}

impl Tree {
    /// Defaults of a Windows Server 2019 host with Basic and unencrypted
    /// traffic enabled (what a test listener needs), IPv4Filter set by GPO.
    pub fn default_tree() -> Tree {
        let cbt = Kind::Choice(&["None", "Relaxed", "Strict"]);
        let mut ipv4 = leaf("IPv4Filter", T, "*");
        ipv4.gpo = true;
        let client = group(
            "Client",
            vec![
                leaf("NetworkDelayms", N, "5000"),
                leaf("URLPrefix", T, "wsman"),
                leaf("AllowUnencrypted", B, "false"),
                group(
                    "Auth",
                    vec![
                        leaf("Basic", B, "true"),
                        leaf("Digest", B, "true"),
                        leaf("Kerberos", B, "true"),
                        leaf("Negotiate", B, "true"),
                        leaf("Certificate", B, "true"),
                        leaf("CredSSP", B, "false"),
                    ],
                ),
                group(
                    "DefaultPorts",
                    vec![leaf("HTTP", N, "5985"), leaf("HTTPS", N, "5986")],
                ),
                leaf("TrustedHosts", T, ""),
            ],
        );
        let service = group(
            "Service",
            vec![
                leaf(
                    "RootSDDL",
                    T,
                    "O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)",
                ),
                leaf("MaxConcurrentOperations", N, "4294967295"),
                leaf("MaxConcurrentOperationsPerUser", N, "1500"),
                leaf("EnumerationTimeoutms", N, "240000"),
                leaf("MaxConnections", N, "300"),
                leaf("MaxPacketRetrievalTimeSeconds", N, "120"),
                leaf("AllowUnencrypted", B, "true"),
                group(
                    "Auth",
                    vec![
                        leaf("Basic", B, "true"),
                        leaf("Kerberos", B, "true"),
                        leaf("Negotiate", B, "true"),
                        leaf("Certificate", B, "false"),
                        leaf("CredSSP", B, "false"),
                        leaf("CbtHardeningLevel", cbt, "Relaxed"),
                    ],
                ),
                group(
                    "DefaultPorts",
                    vec![leaf("HTTP", N, "5985"), leaf("HTTPS", N, "5986")],
                ),
                ipv4,
                leaf("IPv6Filter", T, "*"),
                leaf("EnableCompatibilityHttpListener", B, "false"),
                leaf("EnableCompatibilityHttpsListener", B, "false"),
                leaf("CertificateThumbprint", T, ""),
                leaf("AllowRemoteAccess", B, "true"),
            ],
        );
        let winrs = group(
            "Winrs",
            vec![
                leaf("AllowRemoteShellAccess", B, "true"),
                leaf("IdleTimeout", N, "7200000"),
                leaf("MaxConcurrentUsers", N, "2147483647"),
                leaf("MaxShellRunTime", N, "2147483647"),
                leaf("MaxProcessesPerShell", N, "2147483647"),
                leaf("MaxMemoryPerShellMB", N, "2147483647"),
                leaf("MaxShellsPerUser", N, "2147483647"),
            ],
        );
        let root = group(
            "Config",
            vec![
                leaf("MaxEnvelopeSizekb", Kind::UInt(32), "500"),
                leaf("MaxTimeoutms", Kind::UInt(500), "60000"),
                leaf("MaxBatchItems", Kind::UInt(1), "32000"),
                leaf("MaxProviderRequests", N, "4294967295"),
                client,
                service,
                winrs,
            ],
        );
        Tree { root }
    }

    fn value(&self, path: &[&str]) -> &str {
        let mut node = &self.root;
        for p in path {
            match node.find(p) {
                Some(n) => node = n,
                None => return "",
            }
        }
        &node.value
    }

    fn number(&self, path: &[&str], default: u64) -> u64 {
        self.value(path).parse().unwrap_or(default)
    }

    pub fn allow_unencrypted(&self) -> bool {
        self.value(&["Service", "AllowUnencrypted"]) == "true"
    }

    pub fn basic_enabled(&self) -> bool {
        self.value(&["Service", "Auth", "Basic"]) == "true"
    }

    pub fn kerberos_enabled(&self) -> bool {
        self.value(&["Service", "Auth", "Kerberos"]) == "true"
            || self.value(&["Service", "Auth", "Negotiate"]) == "true"
    }

    pub fn max_envelope_bytes(&self) -> usize {
        (self.number(&["MaxEnvelopeSizekb"], 500) as usize).saturating_mul(1024)
    }

    pub fn max_batch_items(&self) -> usize {
        self.number(&["MaxBatchItems"], 32000) as usize
    }

    pub fn allow_remote_shell_access(&self) -> bool {
        self.value(&["Winrs", "AllowRemoteShellAccess"]) != "false"
    }

    pub fn max_shells_per_user(&self) -> usize {
        self.number(&["Winrs", "MaxShellsPerUser"], 30) as usize
    }

    pub fn max_timeout_ms(&self) -> u64 {
        self.number(&["MaxTimeoutms"], 60000)
    }

    pub fn enumeration_timeout_ms(&self) -> u64 {
        self.number(&["Service", "EnumerationTimeoutms"], 240000)
    }
}

/// Resource URI and root node of a config path (e.g. ["service", "auth"]).
fn locate<'t>(tree: &'t mut Tree, path: &[String]) -> Option<(String, &'t mut Node)> {
    let mut node = &mut tree.root;
    let mut uri = CONFIG_URI.to_string();
    for seg in path {
        node = node.find_mut(seg).filter(|n| n.is_group())?;
        uri.push('/');
        uri.push_str(&node.name.to_ascii_lowercase());
    }
    Some((uri, node))
}

pub fn transfer(req: &Req, st: &mut State, path: &[String], op: &str) -> Result<Reply, Fault> {
    let Some((uri, node)) = locate(&mut st.config, path) else {
        return Err(Fault::invalid_resource_uri(&req.resource_uri));
    };
    if !req.selectors.is_empty() {
        return Err(Fault::invalid_selectors(
            "UnexpectedSelectors",
            "Configuration resources take no selectors.",
        ));
    }
    let reply_action = format!("{TRANSFER}{op}Response");
    match op {
        "Get" => {
            let body = match &req.fragment {
                Some(f) => fragment_get(node, &f.path)?,
                None => render_resource(node, &uri),
            };
            Ok(Reply::new(Ns::Transfer, reply_action, body))
        }
        "Put" => {
            let input = req.body.ok_or_else(|| {
                Fault::schema("The Put request has no resource element in its Body.")
            })?;
            let body = match &req.fragment {
                Some(f) => fragment_put(node, &f.path, input)?,
                None => {
                    if !input.tag_name().name().eq_ignore_ascii_case(node.name) {
                        return Err(Fault::schema(&format!(
                            "The Put body must be a {} element.",
                            node.name
                        )));
                    }
                    let mut changes = Vec::new();
                    collect_changes(node, input, &mut Vec::new(), &mut changes)?;
                    apply(node, changes);
                    render_resource(node, &uri)
                }
            };
            Ok(Reply::new(Ns::Transfer, reply_action, body))
        }
        _ => Err(Fault::action_not_supported(&req.action)),
    }
}

fn render_resource(node: &Node, uri: &str) -> String {
    let mut out = String::with_capacity(2048);
    out.push_str(&format!("<cfg:{} xmlns:cfg=\"{}\">", node.name, esc(uri)));
    for c in &node.children {
        c.render(&mut out, "cfg:");
    }
    out.push_str(&format!("</cfg:{}>", node.name));
    out
}

/// Splits `A/B/text()` into (["A","B"], wants_text).
fn split_fragment(path: &str) -> (Vec<&str>, bool) {
    let mut segs: Vec<&str> = path
        .trim()
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let text = segs.last() == Some(&"text()");
    if text {
        segs.pop();
    }
    (segs, text)
}

fn fragment_target<'n>(node: &'n mut Node, path: &str) -> Result<(&'n mut Node, bool), Fault> {
    let (segs, want_text) = split_fragment(path);
    if segs.is_empty() {
        return Err(Fault::invalid_fragment(path));
    }
    let mut target = node;
    for s in &segs {
        target = target
            .find_mut(s)
            .ok_or_else(|| Fault::invalid_fragment(path))?;
    }
    if want_text && target.is_group() {
        return Err(Fault::invalid_fragment(path));
    }
    Ok((target, want_text))
}

fn fragment_get(node: &mut Node, path: &str) -> Result<String, Fault> {
    let (target, want_text) = fragment_target(node, path)?;
    let mut out = String::from("<w:XmlFragment>");
    if want_text {
        esc_into(&mut out, &target.value);
    } else {
        target.render(&mut out, "");
    }
    out.push_str("</w:XmlFragment>");
    Ok(out)
}

fn fragment_put(node: &mut Node, path: &str, input: roxmltree::Node) -> Result<String, Fault> {
    if !is(input, NS_WSMAN, "XmlFragment") {
        return Err(Fault::schema("A fragment Put needs a w:XmlFragment body."));
    }
    let (target, want_text) = fragment_target(node, path)?;
    let mut changes = Vec::new();
    if want_text {
        changes.push((Vec::new(), check_value(target, input)?));
    } else {
        let el = elements(input)
            .find(|e| e.tag_name().name().eq_ignore_ascii_case(target.name))
            .ok_or_else(|| Fault::invalid_fragment(path))?;
        if target.is_group() {
            collect_changes(target, el, &mut Vec::new(), &mut changes)?;
        } else {
            changes.push((Vec::new(), check_value(target, el)?));
        }
    }
    apply(target, changes);
    let mut out = String::from("<w:XmlFragment>");
    if want_text {
        esc_into(&mut out, &target.value);
    } else {
        target.render(&mut out, "");
    }
    out.push_str("</w:XmlFragment>");
    Ok(out)
}

type Change = (Vec<&'static str>, String);

/// Validates a Put body against the node; nothing changes unless every
/// element is acceptable.
fn collect_changes(
    node: &Node,
    input: roxmltree::Node,
    path: &mut Vec<&'static str>,
    out: &mut Vec<Change>,
) -> Result<(), Fault> {
    for el in elements(input) {
        let name = el.tag_name().name();
        let Some(target) = node.find(name) else {
            return Err(Fault::schema(&format!(
                "The element {name} is not a setting of {}.",
                node.name
            )));
        };
        path.push(target.name);
        if target.is_group() {
            collect_changes(target, el, path, out)?;
        } else {
            out.push((path.clone(), check_value(target, el)?));
        }
        path.pop();
    }
    Ok(())
}

/// Checks and normalises one new value (booleans are case-insensitive).
fn check_value(target: &Node, el: roxmltree::Node) -> Result<String, Fault> {
    let nil = el.attribute((NS_XSI, "nil")) == Some("true");
    let raw = if nil { String::new() } else { text(el) };
    let bad = || {
        Fault::invalid_values(&format!(
            "'{raw}' is not a valid value for {}.",
            target.name
        ))
    };
    let value = match target.kind {
        Kind::Bool => match raw.to_ascii_lowercase().as_str() {
            v @ ("true" | "false") => v.to_string(),
            _ => return Err(bad()),
        },
        Kind::UInt(min) => match raw.parse::<u64>() {
            Ok(n) if n >= min && n <= u64::from(u32::MAX) => n.to_string(),
            _ => return Err(bad()),
        },
        Kind::Choice(options) => options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(&raw))
            .map(|o| o.to_string())
            .ok_or_else(bad)?,
        Kind::Text => raw.clone(),
    };
    if target.gpo && value != target.value {
        return Err(Fault::gpo_controlled(target.name));
    }
    Ok(value)
}

fn apply(node: &mut Node, changes: Vec<Change>) {
    for (path, value) in changes {
        if let Some(target) = descend(node, &path) {
            target.value = value;
        }
    }
}

fn descend<'n>(node: &'n mut Node, path: &[&str]) -> Option<&'n mut Node> {
    match path.split_first() {
        None => Some(node),
        Some((first, rest)) => descend(node.find_mut(first)?, rest),
    }
}
