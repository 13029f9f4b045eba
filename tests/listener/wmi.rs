//! WS-Transfer and custom actions on `wmi/root/cimv2/<Class>` URIs: Get by
//! selectors (or without, for the Win32_OperatingSystem singleton), fragment
//! Get, refused Put, and the Win32_Service StartService/StopService methods
//! that change the instance's State.

use super::State;
use super::cim::{Class, Val};
use super::faults::Fault;
use super::soap::{Ns, Reply, Req, TRANSFER};
use super::wmi_data::stoppable;
use super::xml::{NS_CIM, NS_XSI, esc_into};

/// Finds the class or answers like the WMI plug-in for an unknown class.
fn class_index(st: &State, name: &str, op: &'static str) -> Result<usize, Fault> {
    st.cim.class(name).ok_or_else(|| {
        Fault::not_found_wmi(op, "The class does not exist in namespace root/cimv2.")
    })
}

/// Resolves the selectors of a request to one instance of `class`.
pub fn instance(req: &Req, class: &Class, op: &'static str) -> Result<usize, Fault> {
    let mut name = None;
    for (k, v) in &req.selectors {
        if k.eq_ignore_ascii_case("__cimnamespace") {
            if !v.eq_ignore_ascii_case("root/cimv2") {
                return Err(Fault::invalid_selectors(
                    "InvalidValue",
                    "__cimnamespace does not match the namespace of the resource URI.",
                ));
            }
        } else if class.keys.len() == 1 && k.eq_ignore_ascii_case(class.keys[0]) {
            name = Some(v.as_str());
        } else {
            return Err(Fault::invalid_selectors(
                "UnexpectedSelectors",
                &format!("{k} is not a key property of {}.", class.name),
            ));
        }
    }
    match name {
        Some(n) => class
            .find(n)
            .ok_or_else(|| Fault::not_found_wmi(op, "No instance has the given key values.")),
        None if class.singleton && class.instances.len() == 1 => Ok(0),
        None => Err(Fault::invalid_selectors(
            "InsufficientSelectors",
            &format!(
                "{} instances are addressed by the selector(s) {}.",
                class.name,
                class.keys.join(", ")
            ),
        )),
    }
}

pub fn transfer(req: &Req, st: &mut State, class_name: &str, op: &str) -> Result<Reply, Fault> {
    let ci = class_index(st, class_name, "GetObject")?;
    let class = &st.cim.classes[ci];
    match op {
        "Get" => {
            let i = instance(req, class, "GetObject")?;
            let body = match &req.fragment {
                Some(f) => fragment(class, i, &f.path)?,
                None => class.get_xml(i),
            };
            Ok(Reply::new(
                Ns::Transfer,
                format!("{TRANSFER}GetResponse"),
                body,
            ))
        }
        "Put" => {
            // Look the instance up first so a bad selector is reported as such.
            instance(req, class, "GetObject")?;
            Err(Fault::wmi_not_capable(
                "PutInstance",
                &format!("{} instances cannot be modified through Put.", class.name),
            ))
        }
        _ => Err(Fault::action_not_supported(&req.action)),
    }
}

/// Fragment Get: `Prop` or `Prop/text()`; WMI property names are
/// case-sensitive.
fn fragment(class: &Class, i: usize, path: &str) -> Result<String, Fault> {
    let trimmed = path.trim().trim_start_matches('/');
    let (prop, want_text) = match trimmed.strip_suffix("/text()") {
        Some(p) => (p, true),
        None => (trimmed, false),
    };
    let p = class
        .prop_exact(prop)
        .ok_or_else(|| Fault::invalid_fragment(path))?;
    let v = &class.instances[i].vals[p];
    let mut s = String::from("<w:XmlFragment>");
    if want_text {
        esc_into(&mut s, &v.as_text().unwrap_or_default());
    } else {
        match v {
            Val::Nil => s.push_str(&format!(
                "<{prop} xmlns:xsi=\"{NS_XSI}\" xsi:nil=\"true\"/>"
            )),
            Val::Array(items) => {
                for item in items {
                    s.push_str(&format!("<{prop}>"));
                    esc_into(&mut s, item);
                    s.push_str(&format!("</{prop}>"));
                }
            }
            Val::Datetime(d) => {
                s.push_str(&format!("<{prop}><cim:Datetime xmlns:cim=\"{NS_CIM}\">"));
                esc_into(&mut s, d);
                s.push_str(&format!("</cim:Datetime></{prop}>"));
            }
            other => {
                s.push_str(&format!("<{prop}>"));
                esc_into(&mut s, &other.as_text().unwrap_or_default());
                s.push_str(&format!("</{prop}>"));
            }
        }
    }
    s.push_str("</w:XmlFragment>");
    Ok(s)
}

/// Custom action `<class URI>/<Method>`.
pub fn invoke(req: &Req, st: &mut State, class_name: &str, method: &str) -> Result<Reply, Fault> {
    let ci = class_index(st, class_name, "ExecMethod")?;
    if class_name != "Win32_Service" || !matches!(method, "StartService" | "StopService") {
        return Err(Fault::action_not_supported(&req.action));
    }
    let class = &mut st.cim.classes[ci];
    let i = instance(req, class, "ExecMethod")?;
    let input = format!("{method}_INPUT");
    match req.body {
        Some(b) if b.tag_name().name() == input => {}
        Some(b) => {
            return Err(Fault::schema(&format!(
                "The method input element must be {input}, not {}.",
                b.tag_name().name()
            )));
        }
        None => {
            return Err(Fault::schema(&format!(
                "The Body must contain the {input} element."
            )));
        }
    }
    let running = class.get(i, "State") == &Val::str("Running");
    let name = class.get(i, "Name").as_text().unwrap_or_default();
    // Win32_Service method return codes: 0 success, 5 cannot accept control,
    // 10 already running, 14 disabled.
    let code = match method {
        "StartService" if running => 10,
        "StartService" if class.get(i, "StartMode") == &Val::str("Disabled") => 14,
        "StartService" => {
            class.set(i, "State", Val::str("Running"));
            class.set(i, "Started", Val::Bool(true));
            class.set(i, "AcceptStop", Val::Bool(stoppable(&name)));
            class.set(i, "ExitCode", Val::num(0));
            class.set(i, "ProcessId", Val::num(7000 + 4 * i));
            0
        }
        _ if !running || !stoppable(&name) => 5,
        _ => {
            class.set(i, "State", Val::str("Stopped"));
            class.set(i, "Started", Val::Bool(false));
            class.set(i, "AcceptStop", Val::Bool(false));
            class.set(i, "ExitCode", Val::num(0));
            class.set(i, "ProcessId", Val::num(0));
            0
        }
    };
    class.refresh(i);
    let uri = class.uri();
    let body = format!(
        "<p:{method}_OUTPUT xmlns:xsi=\"{NS_XSI}\" xmlns:p=\"{uri}\" xmlns:cim=\"{NS_CIM}\">\
         <p:ReturnValue>{code}</p:ReturnValue></p:{method}_OUTPUT>"
    );
    Ok(Reply::new(
        Ns::Transfer,
        format!("{}Response", req.action),
        body,
    ))
}
