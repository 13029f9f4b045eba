//! Resource URIs as users type them: aliases, selectors, and the rules that
//! turn `wmicimv2/Win32_Service?Name=spooler` into a URI plus a SelectorSet.
//!
//! The alias table is winrm.cmd's: the first path segment of a URI without a
//! scheme names a well-known prefix. Selectors follow `?` and are separated
//! by `+` (winrm.cmd) or `&` (wsmancli). `__cimnamespace` is just a selector.

use std::fmt;

/// winrm.cmd's resource URI aliases.
pub const ALIASES: [(&str, &str); 6] = [
    ("wmi", "http://schemas.microsoft.com/wbem/wsman/1/wmi"),
    (
        "wmicimv2",
        "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2",
    ),
    ("cimv2", "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2"),
    ("winrm", "http://schemas.microsoft.com/wbem/wsman/1"),
    ("wsman", "http://schemas.microsoft.com/wbem/wsman/1"),
    (
        "shell",
        "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    ),
];

/// A resource URI with its selectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceUri {
    /// The full URI, without `?selectors`.
    pub uri: String,
    /// Selectors in the order given.
    pub selectors: Vec<(String, String)>,
}

/// Why a resource URI could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceError(pub String);

impl fmt::Display for ResourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ResourceError {}

impl ResourceUri {
    /// A URI with no selectors, used verbatim.
    pub fn new(uri: impl Into<String>) -> Self {
        ResourceUri {
            uri: uri.into(),
            selectors: Vec::new(),
        }
    }

    /// Parses what a user typed: an alias path or a full URI, then
    /// optional `?Name=Value+Name2=Value2`.
    pub fn parse(text: &str) -> Result<Self, ResourceError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ResourceError(
                "the resource URI is empty; give one such as winrm/config or wmicimv2/Win32_Service".into(),
            ));
        }
        let (path, query) = match text.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (text, None),
        };
        let uri = expand(path)?;
        let mut selectors = Vec::new();
        if let Some(query) = query {
            for part in query.split(['+', '&']).filter(|p| !p.is_empty()) {
                let (name, value) = part.split_once('=').ok_or_else(|| {
                    ResourceError(format!(
                        "the selector '{part}' in '{text}' has no '='; write selectors as ?Name=Value+Other=Value"
                    ))
                })?;
                let name = name.trim();
                if name.is_empty() {
                    return Err(ResourceError(format!(
                        "a selector in '{text}' has no name before '='"
                    )));
                }
                if selectors
                    .iter()
                    .any(|(n, _): &(String, String)| n.eq_ignore_ascii_case(name))
                {
                    return Err(ResourceError(format!(
                        "the selector '{name}' is given twice in '{text}'"
                    )));
                }
                selectors.push((name.to_string(), value.to_string()));
            }
        }
        Ok(ResourceUri { uri, selectors })
    }

    /// The last path segment (the class or resource name), as winrm.cmd
    /// names the root element of a Create body.
    pub fn class_name(&self) -> &str {
        let trimmed = self.uri.trim_end_matches('/');
        trimmed.rsplit('/').next().unwrap_or(trimmed)
    }
}

impl fmt::Display for ResourceUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.uri)?;
        for (i, (name, value)) in self.selectors.iter().enumerate() {
            f.write_str(if i == 0 { "?" } else { "+" })?;
            write!(f, "{name}={value}")?;
        }
        Ok(())
    }
}

/// Whether the text starts with a URI scheme (`http:`, `urn:`...).
fn has_scheme(path: &str) -> bool {
    match path.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

fn expand(path: &str) -> Result<String, ResourceError> {
    if has_scheme(path) {
        return Ok(path.to_string());
    }
    let (first, rest) = match path.split_once('/') {
        Some((f, r)) => (f, Some(r)),
        None => (path, None),
    };
    let Some((_, prefix)) = ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(first))
    else {
        let names: Vec<&str> = ALIASES.iter().map(|(a, _)| *a).collect();
        return Err(ResourceError(format!(
            "'{path}' is neither a full URI nor starts with a known alias ({})",
            names.join(", ")
        )));
    };
    Ok(match rest {
        Some(rest) if !rest.is_empty() => format!("{prefix}/{rest}"),
        _ => prefix.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_aliases_and_selectors() {
        let r = ResourceUri::parse("wmicimv2/Win32_Service?Name=spooler").unwrap();
        assert_eq!(
            r.uri,
            "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service"
        );
        assert_eq!(r.selectors, vec![("Name".into(), "spooler".into())]);
        let r = ResourceUri::parse("winrm/config/Listener?Address=*+Transport=HTTPS").unwrap();
        assert_eq!(
            r.uri,
            "http://schemas.microsoft.com/wbem/wsman/1/config/Listener"
        );
        assert_eq!(r.selectors.len(), 2);
        assert_eq!(r.selectors[1], ("Transport".into(), "HTTPS".into()));
        assert_eq!(
            ResourceUri::parse("WinRM/config").unwrap().uri,
            "http://schemas.microsoft.com/wbem/wsman/1/config"
        );
        assert_eq!(
            ResourceUri::parse("shell").unwrap().uri,
            "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
        );
    }

    #[test]
    fn keeps_full_uris_and_cim_namespace() {
        let r = ResourceUri::parse(
            "http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/OMI_Identify?__cimnamespace=root/omi",
        )
        .unwrap();
        assert_eq!(
            r.uri,
            "http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/OMI_Identify"
        );
        assert_eq!(
            r.selectors,
            vec![("__cimnamespace".into(), "root/omi".into())]
        );
        assert_eq!(r.class_name(), "OMI_Identify");
    }

    #[test]
    fn rejects_unknown_alias_and_bad_selectors() {
        assert!(
            ResourceUri::parse("bogus/thing")
                .unwrap_err()
                .0
                .contains("known alias")
        );
        assert!(
            ResourceUri::parse("wmi/x?Name")
                .unwrap_err()
                .0
                .contains("no '='")
        );
        assert!(
            ResourceUri::parse("wmi/x?A=1+a=2")
                .unwrap_err()
                .0
                .contains("twice")
        );
        assert!(ResourceUri::parse("  ").is_err());
    }
}
