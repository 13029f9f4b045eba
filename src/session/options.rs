//! Plain data with defaults: what a session and each request are asked to
//! do. No parsing of command lines here; the CLI fills these in.

use std::time::Duration;

pub use crate::protocol::envelope::{Association, Filter, Fragment, OptionValue};

/// The encoding of request bodies (`-encoding:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8, the default.
    #[default]
    Utf8,
    /// UTF-16 little-endian with a BOM, as Windows writes it.
    Utf16,
}

/// Settings that hold for every request of a session.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// `wsman:MaxEnvelopeSize`: the largest reply envelope, in bytes.
    /// Windows' own client asks for 512000.
    pub max_envelope_size: u32,
    /// `wsman:OperationTimeout`. Windows' client default is 60 s.
    pub operation_timeout: Duration,
    /// `wsman:Locale` (`en-US` by default, as Windows sends).
    pub locale: Option<String>,
    /// `wsmv:DataLocale`, when asked for.
    pub data_locale: Option<String>,
    /// Request body encoding.
    pub encoding: Encoding,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            max_envelope_size: 512_000,
            operation_timeout: Duration::from_secs(60),
            locale: Some("en-US".into()),
            data_locale: None,
            encoding: Encoding::Utf8,
        }
    }
}

/// Per-request extras: provider options and fragment transfer.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// `wsman:OptionSet` entries (`-options:{K="V"}`, `--option K=V`).
    pub options: Vec<OptionValue>,
    /// `wsman:FragmentTransfer` (`-fragment:`).
    pub fragment: Option<Fragment>,
}

/// What an enumeration returns per item (`-ReturnType:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReturnType {
    /// The objects (the default).
    #[default]
    Object,
    /// Endpoint references only.
    Epr,
    /// Each object with its endpoint reference.
    ObjectAndEpr,
}

/// How to enumerate.
#[derive(Debug, Clone)]
pub struct EnumerateOptions {
    /// Items per object (`-ReturnType:`).
    pub return_type: ReturnType,
    /// Only instances of the class itself (`-Shallow`).
    pub shallow: bool,
    /// Base-class properties only (`-BasePropertiesOnly`; ignored with shallow).
    pub base_properties_only: bool,
    /// The filter, if any.
    pub filter: Option<Filter>,
    /// Ask for the first page in the EnumerateResponse (saves a round trip).
    pub optimize: bool,
    /// Items per page. Always sent: a Pull without it returns one item.
    pub max_elements: u32,
}

impl Default for EnumerateOptions {
    fn default() -> Self {
        EnumerateOptions {
            return_type: ReturnType::Object,
            shallow: false,
            base_properties_only: false,
            filter: None,
            optimize: true,
            max_elements: 100,
        }
    }
}
