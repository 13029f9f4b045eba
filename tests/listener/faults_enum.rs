//! The WS-Enumeration faults (context, mode, dialect, filter), kept apart
//! from `faults` so each file stays readable; same shapes and rules.

use super::codes as code;
use super::faults::{ACTION_ENUMERATION, Fault, Message};

impl Fault {
    pub fn invalid_context() -> Self {
        Self::new(
            ACTION_ENUMERATION,
            "n:InvalidEnumerationContext",
            "The enumeration context is not valid: it finished, was released, expired or never \
             existed. Start a new enumeration.",
            code::INVALID_ENUMERATION_CONTEXT,
            "The enumeration context is unknown to the service.",
        )
        .receiver()
    }

    pub fn enumeration_mode(mode: &str) -> Self {
        let mut f = Self::unsupported_feature(
            "EnumerationMode",
            &format!("The enumeration mode '{mode}' is not supported."),
        );
        if let Some((c, _)) = f.wsman.as_deref_mut() {
            *c = code::ENUMERATION_MODE_UNSUPPORTED;
        }
        f
    }

    pub fn dialect_unavailable(dialect: &str) -> Self {
        Self::new(
            ACTION_ENUMERATION,
            "n:FilterDialectRequestedUnavailable",
            "The filter dialect is not supported for this resource.",
            code::FILTER_DIALECT_UNAVAILABLE,
            &format!("The filter dialect '{dialect}' is not supported for this resource."),
        )
    }

    pub fn filtering_not_supported() -> Self {
        Self::new(
            ACTION_ENUMERATION,
            "n:FilteringNotSupported",
            "This resource cannot be enumerated with a filter.",
            code::FILTERING_NOT_SUPPORTED,
            "Remove the filter and enumerate again.",
        )
    }

    /// WQL/selector/association filter the WMI layer rejects (fixture
    /// fault-cannotprocessfilter-extendedstatus).
    pub fn cannot_process_filter(inner_code: u32, text: &str, query: Option<&str>) -> Self {
        let mut f = Self::new(
            ACTION_ENUMERATION,
            "n:CannotProcessFilter",
            "The filter could not be processed by the data source: it is missing or invalid.",
            code::CANNOT_PROCESS_FILTER,
            text,
        );
        f.wsman = Some(Box::new((
            code::CANNOT_PROCESS_FILTER,
            Message::Wmi {
                inner_code,
                text: text.into(),
                operation: "ExecQuery",
                parameter: query.map(str::to_string),
            },
        )));
        f
    }
}
