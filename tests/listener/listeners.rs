//! The `winrm/config/listener` instances: Get, Put, Create and Delete by
//! the Address + Transport selectors (Enumerate is in `enumeration`).

use super::State;
use super::faults::Fault;
use super::soap::{Ns, Reply, Req, TRANSFER};
use super::xml::{elements, esc, text};

pub const LISTENER_URI: &str = "http://schemas.microsoft.com/wbem/wsman/1/config/listener";

/// One `winrm/config/listener` instance.
#[derive(Clone, Debug)]
pub struct ListenerRec {
    pub address: String,
    pub transport: String,
    pub port: String,
    pub hostname: String,
    pub enabled: String,
    pub url_prefix: String,
    pub thumbprint: String,
    pub listening_on: Vec<String>,
}

impl ListenerRec {
    pub fn default_http() -> Self {
        ListenerRec {
            address: "*".into(),
            transport: "HTTP".into(),
            port: "5985".into(),
            hostname: String::new(),
            enabled: "true".into(),
            url_prefix: "wsman".into(),
            thumbprint: String::new(),
            listening_on: vec!["127.0.0.1".into(), "::1".into()],
        }
    }

    pub fn render(&self) -> String {
        let mut s = format!("<cfg:Listener xmlns:cfg=\"{LISTENER_URI}\">");
        let fields = [
            ("Address", &self.address),
            ("Transport", &self.transport),
            ("Port", &self.port),
            ("Hostname", &self.hostname),
            ("Enabled", &self.enabled),
            ("URLPrefix", &self.url_prefix),
            ("CertificateThumbprint", &self.thumbprint),
        ];
        let on = self.listening_on.iter().map(|v| ("ListeningOn", v));
        for (name, value) in fields.into_iter().chain(on) {
            s.push_str(&format!("<cfg:{name}>{}</cfg:{name}>", esc(value)));
        }
        s.push_str("</cfg:Listener>");
        s
    }

    pub fn selectors(&self) -> [(&'static str, &str); 2] {
        [("Address", &self.address), ("Transport", &self.transport)]
    }

    fn matches(&self, address: &str, transport: &str) -> bool {
        self.address.eq_ignore_ascii_case(address) && self.transport.eq_ignore_ascii_case(transport)
    }

    /// Applies writable elements of a Create/Put body.
    fn update(&mut self, input: roxmltree::Node, creating: bool) -> Result<(), Fault> {
        for el in elements(input) {
            let name = el.tag_name().name().to_ascii_lowercase();
            let v = text(el);
            let bad = || Fault::invalid_values(&format!("'{v}' is not valid for {name}."));
            match name.as_str() {
                "port" => {
                    let port: u16 = v.parse().map_err(|_| bad())?;
                    if port == 0 {
                        return Err(bad());
                    }
                    self.port = port.to_string();
                }
                "enabled" => match v.to_ascii_lowercase().as_str() {
                    b @ ("true" | "false") => self.enabled = b.to_string(),
                    _ => return Err(bad()),
                },
                "hostname" => self.hostname = v,
                "urlprefix" => self.url_prefix = v,
                "certificatethumbprint" => self.thumbprint = v,
                "listeningon" if !creating => {}
                "address" | "transport" if !creating => {
                    let current = if name == "address" {
                        &self.address
                    } else {
                        &self.transport
                    };
                    if !current.eq_ignore_ascii_case(&v) {
                        return Err(Fault::cannot_change_keys(
                            "Address and Transport identify the listener and cannot be changed.",
                        ));
                    }
                }
                _ => {
                    return Err(Fault::schema(&format!(
                        "The element {} is not a listener setting.",
                        el.tag_name().name()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Address and Transport selectors, validated like Windows.
fn listener_keys(req: &Req) -> Result<(String, String), Fault> {
    for (name, _) in &req.selectors {
        if !name.eq_ignore_ascii_case("Address") && !name.eq_ignore_ascii_case("Transport") {
            return Err(Fault::invalid_selectors(
                "UnexpectedSelectors",
                &format!("The selector {name} is not valid for listeners."),
            ));
        }
    }
    let (Some(address), Some(transport)) = (req.selector("Address"), req.selector("Transport"))
    else {
        return Err(Fault::invalid_selectors(
            "InsufficientSelectors",
            "A listener is identified by both the Address and Transport selectors.",
        ));
    };
    let upper = transport.to_ascii_uppercase();
    let address_ok = address == "*"
        || address.to_ascii_uppercase().starts_with("IP:")
        || address.to_ascii_uppercase().starts_with("MAC:");
    if !address_ok || (upper != "HTTP" && upper != "HTTPS") {
        return Err(Fault::invalid_selectors(
            "InvalidValue",
            "Address must be *, IP:<address> or MAC:<address>; Transport must be HTTP or HTTPS.",
        ));
    }
    Ok((address.to_string(), upper))
}

pub fn transfer(req: &Req, st: &mut State, op: &str) -> Result<Reply, Fault> {
    let (address, transport) = listener_keys(req)?;
    let action = format!("{TRANSFER}{op}Response");
    let found = st
        .listeners
        .iter()
        .position(|l| l.matches(&address, &transport));
    match (op, found) {
        ("Get", Some(i)) => Ok(Reply::new(Ns::Transfer, action, st.listeners[i].render())),
        ("Put", Some(i)) => {
            let input = req
                .body
                .ok_or_else(|| Fault::schema("The Put request has no Listener element."))?;
            let mut updated = st.listeners[i].clone();
            updated.update(input, false)?;
            st.listeners[i] = updated;
            Ok(Reply::new(Ns::Transfer, action, st.listeners[i].render()))
        }
        ("Delete", Some(i)) => {
            st.listeners.remove(i);
            Ok(Reply::new(Ns::Plain, action, ""))
        }
        ("Create", Some(_)) => Err(Fault::already_exists()),
        ("Create", None) => {
            let https = transport == "HTTPS";
            let mut rec = ListenerRec {
                address,
                transport,
                port: if https { "5986" } else { "5985" }.into(),
                ..ListenerRec::default_http()
            };
            if let Some(input) = req.body {
                rec.update(input, true)?;
            }
            let epr = super::xml::epr("x:ResourceCreated", LISTENER_URI, &rec.selectors());
            st.listeners.push(rec);
            Ok(Reply::new(Ns::Transfer, action, epr))
        }
        // Windows reports a listener that does not exist as "resource not
        // found" (0x80338000) for Get, Put and Delete alike.
        ("Get" | "Put" | "Delete", None) => Err(Fault::not_found()),
        _ => Err(Fault::action_not_supported(&req.action)),
    }
}
