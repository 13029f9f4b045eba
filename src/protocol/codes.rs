//! Built-in table of `WinRM`, WS-Management and related Windows error numbers.
//!
//! Windows' `winrm helpmsg` asks the operating system's message tables for
//! the text of an error number; those tables do not exist on Linux or macOS.
//! This module carries a portable replacement: for each known number, the
//! constant's symbolic name (as published in the Windows SDK headers) and a
//! one-sentence summary of what it means. What to try next names switches,
//! so it lives with the command line (`cli/hints`). All wording here is
//! our own.
//!
//! It also owns the two number formats users meet: parsing what they type
//! (`2150858778`, `-2144108526`, `0x8033801A`) and printing winrm.cmd's
//! `Error number:` form (signed decimal plus hex).
//!
//! The module knows nothing about faults, XML or the command line; callers
//! look a code up and decide how to present it.

/// One known error number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// The 32-bit value as it appears in a `WSManFault` `Code` attribute.
    pub code: u32,
    /// The symbolic name from the Windows headers, e.g.
    /// `"ERROR_WSMAN_INVALID_SELECTORS"`; for Win32 errors wrapped in an
    /// HRESULT without a name of their own, `HRESULT_FROM_WIN32(NAME)`.
    pub name: &'static str,
    /// What the error means, in one sentence.
    pub summary: &'static str,
}

/// Looks a code up (exact match on the 32-bit value).
///
/// Returns `None` for numbers the table does not know.
#[must_use]
pub fn lookup(code: u32) -> Option<&'static ErrorCode> {
    CODES
        .binary_search_by_key(&code, |entry| entry.code)
        .ok()
        .and_then(|index| CODES.get(index))
}

/// All known codes, sorted by value (binary-searched by [`lookup`]).
#[must_use]
pub fn all() -> &'static [ErrorCode] {
    CODES
}

/// The three input forms, quoted in every parse error.
const ACCEPTED_FORMS: &str =
    "use decimal (2150858778), negative decimal (-2144108526) or hex (0x8033801A)";

/// Parses how users type codes: decimal (`2150858778`), negative decimal
/// (`-2144108526`, read as a two's complement 32-bit value), or hex
/// (`0x80338012` or `0X...`, digits in either case).
///
/// Surrounding whitespace is ignored.
///
/// # Errors
///
/// Returns a message for empty input, anything that is not one of the
/// three forms, and values outside 32 bits; it says what was wrong and
/// shows the accepted forms.
pub fn parse_code(text: &str) -> Result<u32, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(format!("missing error number: {ACCEPTED_FORMS}"));
    }
    let bad = |why: &str| format!("invalid error number '{trimmed}': {why}; {ACCEPTED_FORMS}");
    if let Some(hex) = trimmed
        .strip_prefix("0x")
        .or_else(|| trimmed.strip_prefix("0X"))
    {
        if hex.is_empty() {
            return Err(bad("no digits after 0x"));
        }
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("not a hex number"));
        }
        let digits = hex.trim_start_matches('0');
        if digits.len() > 8 {
            return Err(bad("larger than 32 bits (0xFFFFFFFF)"));
        }
        return u32::from_str_radix(hex, 16).map_err(|_| bad("not a hex number"));
    }
    if let Some(magnitude) = trimmed.strip_prefix('-') {
        if magnitude.is_empty() || !magnitude.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("not a number"));
        }
        let value = magnitude
            .parse::<u32>()
            .ok()
            .filter(|m| *m <= 0x8000_0000)
            .ok_or_else(|| bad("smaller than -2147483648"))?;
        // Two's complement: -N is 2^32 - N in 32 bits (and -0 is 0).
        return Ok(value.wrapping_neg());
    }
    if !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("not a number"));
    }
    trimmed
        .parse::<u64>()
        .ok()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| bad("larger than 4294967295"))
}

/// The DMTF name of a CIM status code (DSP0200), as OMI and WMI put it in a
/// CIM error's `CIMStatusCode`.
#[must_use]
pub fn cim_status_name(code: u32) -> Option<&'static str> {
    const NAMES: [&str; 28] = [
        "CIM_ERR_FAILED",
        "CIM_ERR_ACCESS_DENIED",
        "CIM_ERR_INVALID_NAMESPACE",
        "CIM_ERR_INVALID_PARAMETER",
        "CIM_ERR_INVALID_CLASS",
        "CIM_ERR_NOT_FOUND",
        "CIM_ERR_NOT_SUPPORTED",
        "CIM_ERR_CLASS_HAS_CHILDREN",
        "CIM_ERR_CLASS_HAS_INSTANCES",
        "CIM_ERR_INVALID_SUPERCLASS",
        "CIM_ERR_ALREADY_EXISTS",
        "CIM_ERR_NO_SUCH_PROPERTY",
        "CIM_ERR_TYPE_MISMATCH",
        "CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED",
        "CIM_ERR_INVALID_QUERY",
        "CIM_ERR_METHOD_NOT_AVAILABLE",
        "CIM_ERR_METHOD_NOT_FOUND",
        "CIM_ERR_UNEXPECTED_RESPONSE",
        "CIM_ERR_INVALID_RESPONSE_DESTINATION",
        "CIM_ERR_NAMESPACE_NOT_EMPTY",
        "CIM_ERR_INVALID_ENUMERATION_CONTEXT",
        "CIM_ERR_INVALID_OPERATION_TIMEOUT",
        "CIM_ERR_PULL_HAS_BEEN_ABANDONED",
        "CIM_ERR_PULL_CANNOT_BE_ABANDONED",
        "CIM_ERR_FILTERED_ENUMERATION_NOT_SUPPORTED",
        "CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED",
        "CIM_ERR_SERVER_LIMITS_EXCEEDED",
        "CIM_ERR_SERVER_IS_SHUTTING_DOWN",
    ];
    let index = usize::try_from(code).ok()?.checked_sub(1)?;
    NAMES.get(index).copied()
}

/// winrm.cmd's `Error number:` form: the signed 32-bit decimal, a space,
/// then `0x` and uppercase hex without leading zeros, e.g.
/// `-2144108526 0x80338012`. Codes below `0x80000000` print as themselves
/// (`5 0x5`).
#[must_use]
pub fn signed_and_hex(code: u32) -> String {
    let signed = i32::from_ne_bytes(code.to_ne_bytes());
    format!("{signed} {code:#X}")
}

/// The table, sorted by `code` with no duplicates (checked by a unit test).
static CODES: &[ErrorCode] = &[
    ErrorCode {
        code: 2,
        name: "ERROR_FILE_NOT_FOUND",
        summary: "A file named in the request, or needed by the provider on the target, does not exist there.",
    },
    ErrorCode {
        code: 5,
        name: "ERROR_ACCESS_DENIED",
        summary: "The account the request runs as lacks permission for this resource or action.",
    },
    ErrorCode {
        code: 53,
        name: "ERROR_BAD_NETPATH",
        summary: "The network path given to the target could not be reached from the target.",
    },
    ErrorCode {
        code: 87,
        name: "ERROR_INVALID_PARAMETER",
        summary: "The target rejected one of the values passed to the operation.",
    },
    ErrorCode {
        code: 206,
        name: "ERROR_FILENAME_EXCED_RANGE",
        summary: "A file name or command line passed to the target is longer than Windows accepts.",
    },
    ErrorCode {
        code: 1311,
        name: "ERROR_NO_LOGON_SERVERS",
        summary: "No domain controller could be reached to check the credentials.",
    },
    ErrorCode {
        code: 1326,
        name: "ERROR_LOGON_FAILURE",
        summary: "The user name or password was not accepted.",
    },
    ErrorCode {
        code: 1327,
        name: "ERROR_ACCOUNT_RESTRICTION",
        summary: "The account is valid but policy stops it logging on this way, for example a blank password.",
    },
    ErrorCode {
        code: 1330,
        name: "ERROR_PASSWORD_EXPIRED",
        summary: "The account's password has expired.",
    },
    ErrorCode {
        code: 1331,
        name: "ERROR_ACCOUNT_DISABLED",
        summary: "The account is disabled.",
    },
    ErrorCode {
        code: 1355,
        name: "ERROR_NO_SUCH_DOMAIN",
        summary: "The domain named in the user name is not known to the target.",
    },
    ErrorCode {
        code: 1359,
        name: "ERROR_INTERNAL_ERROR",
        summary: "Something failed inside the service or its provider, without a more precise reason.",
    },
    ErrorCode {
        code: 1396,

        name: "ERROR_WRONG_TARGET_NAME",
        summary: "Kerberos found the service account name for the target to be wrong.",
    },
    ErrorCode {
        code: 1460,
        name: "ERROR_TIMEOUT",
        summary: "An operation did not finish within the time allowed.",
    },
    ErrorCode {
        code: 1722,
        name: "RPC_S_SERVER_UNAVAILABLE",
        summary: "The target could not reach an RPC server it needed while handling the request.",
    },
    ErrorCode {
        code: 1793,
        name: "ERROR_ACCOUNT_EXPIRED",
        summary: "The account has expired.",
    },
    ErrorCode {
        code: 1909,
        name: "ERROR_ACCOUNT_LOCKED_OUT",
        summary: "The account is locked out, usually after too many bad passwords.",
    },
    ErrorCode {
        code: 12002,
        name: "ERROR_WINHTTP_TIMEOUT",
        summary: "The HTTP request to the endpoint timed out.",
    },
    ErrorCode {
        code: 12007,
        name: "ERROR_WINHTTP_NAME_NOT_RESOLVED",
        summary: "The host name in the endpoint address could not be resolved.",
    },
    ErrorCode {
        code: 12029,
        name: "ERROR_WINHTTP_CANNOT_CONNECT",
        summary: "No connection could be opened to the endpoint.",
    },
    ErrorCode {
        code: 12030,
        name: "ERROR_WINHTTP_CONNECTION_ERROR",
        summary: "The connection to the endpoint was reset or closed unexpectedly.",
    },
    ErrorCode {
        code: 12175,
        name: "ERROR_WINHTTP_SECURE_FAILURE",
        summary: "The TLS certificate presented by the endpoint was not accepted.",
    },
    ErrorCode {
        code: 0x8000_4005,
        name: "E_FAIL",
        summary: "An unspecified failure was reported, with no more precise code.",
    },
    ErrorCode {
        code: 0x8004_1001,
        name: "WBEM_E_FAILED",
        summary: "WMI on the target reported a general failure.",
    },
    ErrorCode {
        code: 0x8004_1002,
        name: "WBEM_E_NOT_FOUND",
        summary: "WMI found no object matching the class and selectors given.",
    },
    ErrorCode {
        code: 0x8004_1003,
        name: "WBEM_E_ACCESS_DENIED",
        summary: "WMI refused the request for the connecting account.",
    },
    ErrorCode {
        code: 0x8004_1008,
        name: "WBEM_E_INVALID_PARAMETER",
        summary: "A WMI method or call received a parameter it does not accept.",
    },
    ErrorCode {
        code: 0x8004_100C,
        name: "WBEM_E_NOT_SUPPORTED",
        summary: "The WMI provider does not implement the requested operation.",
    },
    ErrorCode {
        code: 0x8004_100E,
        name: "WBEM_E_INVALID_NAMESPACE",
        summary: "The WMI namespace in the resource URI does not exist.",
    },
    ErrorCode {
        code: 0x8004_1010,
        name: "WBEM_E_INVALID_CLASS",
        summary: "The WMI class named in the resource URI does not exist in that namespace.",
    },
    ErrorCode {
        code: 0x8004_1013,
        name: "WBEM_E_PROVIDER_LOAD_FAILURE",
        summary: "The WMI provider behind the class could not be loaded on the target.",
    },
    ErrorCode {
        code: 0x8004_1017,
        name: "WBEM_E_INVALID_QUERY",
        summary: "The WQL query is not valid.",
    },
    ErrorCode {
        code: 0x8004_1019,
        name: "WBEM_E_ALREADY_EXISTS",
        summary: "WMI already holds an object with the same keys.",
    },
    ErrorCode {
        code: 0x8004_102E,
        name: "WBEM_E_INVALID_METHOD",
        summary: "The class has no method with the requested name.",
    },
    ErrorCode {
        code: 0x8004_102F,
        name: "WBEM_E_INVALID_METHOD_PARAMETERS",
        summary: "The input given to a WMI method does not match its parameters.",
    },
    ErrorCode {
        code: 0x8007_0002,
        name: "HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)",
        summary: "A file, key or object the request depends on does not exist on the target.",
    },
    ErrorCode {
        code: 0x8007_0005,
        name: "E_ACCESSDENIED",
        summary: "The account the request runs as lacks permission for this resource or action.",
    },
    ErrorCode {
        code: 0x8007_0035,
        name: "HRESULT_FROM_WIN32(ERROR_BAD_NETPATH)",
        summary: "The network path could not be found.",
    },
    ErrorCode {
        code: 0x8007_0057,
        name: "E_INVALIDARG",
        summary: "The target rejected one of the values passed to the operation.",
    },
    ErrorCode {
        code: 0x8007_00CE,
        name: "HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE)",
        summary: "A file name or command line passed to the target is longer than Windows accepts.",
    },
    ErrorCode {
        code: 0x8007_052E,
        name: "HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)",
        summary: "The user name or password was not accepted.",
    },
    ErrorCode {
        code: 0x8007_05B4,
        name: "HRESULT_FROM_WIN32(ERROR_TIMEOUT)",
        summary: "An operation did not finish within the time allowed.",
    },
    ErrorCode {
        code: 0x8007_06BA,
        name: "HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE)",
        summary: "An RPC server needed to complete the request could not be reached.",
    },
    ErrorCode {
        code: 0x8007_2EE2,
        name: "HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT)",
        summary: "The HTTP request to the endpoint timed out.",
    },
    ErrorCode {
        code: 0x8007_2EE7,
        name: "HRESULT_FROM_WIN32(ERROR_WINHTTP_NAME_NOT_RESOLVED)",
        summary: "The host name in the endpoint address could not be resolved.",
    },
    ErrorCode {
        code: 0x8007_2EFD,
        name: "HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CONNECT)",
        summary: "No connection could be opened to the endpoint.",
    },
    ErrorCode {
        code: 0x8007_2EFE,
        name: "HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR)",
        summary: "The connection to the endpoint was reset or closed unexpectedly.",
    },
    ErrorCode {
        code: 0x8007_2F05,
        name: "HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_CERT_DATE_INVALID)",
        summary: "The endpoint's TLS certificate has expired or is not yet valid.",
    },
    ErrorCode {
        code: 0x8007_2F06,
        name: "HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_CERT_CN_INVALID)",
        summary: "The endpoint's TLS certificate was issued for a different host name.",
    },
    ErrorCode {
        code: 0x8007_2F0D,
        name: "HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_INVALID_CA)",
        summary: "The endpoint's TLS certificate was signed by an authority that is not trusted.",
    },
    ErrorCode {
        code: 0x8007_2F8F,
        name: "HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_FAILURE)",
        summary: "The TLS certificate presented by the endpoint was not accepted.",
    },
    ErrorCode {
        code: 0x8009_0302,
        name: "SEC_E_UNSUPPORTED_FUNCTION",
        summary: "The security package was asked for something it cannot do, often a TLS or auth setting mismatch.",
    },
    ErrorCode {
        code: 0x8009_0304,
        name: "SEC_E_INTERNAL_ERROR",
        summary: "The security subsystem failed internally, for example the Local Security Authority could not be reached.",
    },
    ErrorCode {
        code: 0x8009_0308,
        name: "SEC_E_INVALID_TOKEN",
        summary: "An authentication or TLS token handed to the security package was malformed.",
    },
    ErrorCode {
        code: 0x8009_030C,
        name: "SEC_E_LOGON_DENIED",
        summary: "The logon was refused: wrong user name or password, or the account may not log on.",
    },
    ErrorCode {
        code: 0x8009_030D,
        name: "SEC_E_UNKNOWN_CREDENTIALS",
        summary: "The credentials supplied were not recognised by the security package.",
    },
    ErrorCode {
        code: 0x8009_030E,
        name: "SEC_E_NO_CREDENTIALS",
        summary: "No credentials were available for the chosen security package.",
    },
    ErrorCode {
        code: 0x8009_0311,
        name: "SEC_E_NO_AUTHENTICATING_AUTHORITY",
        summary: "No authority, such as a domain controller or KDC, could be reached to authenticate.",
    },
    ErrorCode {
        code: 0x8009_0322,
        name: "SEC_E_WRONG_PRINCIPAL",
        summary: "The server's identity did not match the name it was asked for (wrong SPN or certificate name).",
    },
    ErrorCode {
        code: 0x8009_0324,
        name: "SEC_E_TIME_SKEW",
        summary: "The clocks of client and server differ too much for Kerberos.",
    },
    ErrorCode {
        code: 0x8009_0325,
        name: "SEC_E_UNTRUSTED_ROOT",
        summary: "The server's certificate chains to a root that is not trusted.",
    },
    ErrorCode {
        code: 0x8009_0327,
        name: "SEC_E_CERT_UNKNOWN",
        summary: "An unknown problem was found with the certificate.",
    },
    ErrorCode {
        code: 0x8009_0328,
        name: "SEC_E_CERT_EXPIRED",
        summary: "The certificate has expired.",
    },
    ErrorCode {
        code: 0x8033_8000,
        name: "ERROR_WSMAN_RESOURCE_NOT_FOUND",
        summary: "Nothing matches this resource URI and these selectors on the target.",
    },
    ErrorCode {
        code: 0x8033_8001,
        name: "ERROR_WSMAN_INVALID_ACTIONURI",
        summary: "The action URI in the request is not one the service understands.",
    },
    ErrorCode {
        code: 0x8033_8002,
        name: "ERROR_WSMAN_INVALID_URI",
        summary: "The service could not make sense of the resource URI, or none was sent.",
    },
    ErrorCode {
        code: 0x8033_8003,
        name: "ERROR_WSMAN_PROVIDER_FAILURE",
        summary: "The plugin or provider that serves the resource failed internally.",
    },
    ErrorCode {
        code: 0x8033_8005,
        name: "ERROR_WSMAN_CONFIG_CORRUPTED",
        summary: "The WinRM configuration on the target is damaged.",
    },
    ErrorCode {
        code: 0x8033_8006,
        name: "ERROR_WSMAN_PULL_IN_PROGRESS",
        summary: "A Pull was sent while another Pull on the same enumeration was still running.",
    },
    ErrorCode {
        code: 0x8033_8007,
        name: "ERROR_WSMAN_ENUMERATION_CLOSED",
        summary: "This enumeration is over (completed or cancelled) and cannot be pulled from.",
    },
    ErrorCode {
        code: 0x8033_800C,
        name: "ERROR_WSMAN_UNSUPPORTED_TIMEOUT",
        summary: "The operation timeout asked for is below what the service allows.",
    },
    ErrorCode {
        code: 0x8033_800D,
        name: "ERROR_WSMAN_SOAP_VERSION_MISMATCH",
        summary: "The service does not speak the SOAP version used in the request.",
    },
    ErrorCode {
        code: 0x8033_800E,
        name: "ERROR_WSMAN_SOAP_DATA_ENCODING_UNKNOWN",
        summary: "The request's character encoding is one the service cannot read.",
    },
    ErrorCode {
        code: 0x8033_800F,
        name: "ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER",
        summary: "The service rejected at least one of the request's SOAP headers.",
    },
    ErrorCode {
        code: 0x8033_8010,
        name: "ERROR_WSMAN_SOAP_FAULT_MUST_UNDERSTAND",
        summary: "The service met a header marked mustUnderstand that it does not support.",
    },
    ErrorCode {
        code: 0x8033_8011,
        name: "ERROR_WSMAN_MESSAGE_INFORMATION_HEADER_REQUIRED",
        summary: "The request lacks a SOAP header the service requires.",
    },
    ErrorCode {
        code: 0x8033_8012,
        name: "ERROR_WSMAN_DESTINATION_UNREACHABLE",
        summary: "The client could not get a WS-Management service to answer at the destination.",
    },
    ErrorCode {
        code: 0x8033_8013,
        name: "ERROR_WSMAN_ACTION_NOT_SUPPORTED",
        summary: "The requested operation is not one this resource offers.",
    },
    ErrorCode {
        code: 0x8033_8014,
        name: "ERROR_WSMAN_ENDPOINT_UNAVAILABLE",
        summary: "The resource exists but is offline or unavailable right now.",
    },
    ErrorCode {
        code: 0x8033_8015,
        name: "ERROR_WSMAN_INVALID_REPRESENTATION",
        summary: "The XML body sent with put or create does not fit the resource's schema.",
    },
    ErrorCode {
        code: 0x8033_8016,
        name: "ERROR_WSMAN_ENUMERATE_INVALID_EXPIRATION_TIME",
        summary: "The enumeration expiry time in the request is zero or in the past.",
    },
    ErrorCode {
        code: 0x8033_8017,
        name: "ERROR_WSMAN_ENUMERATE_UNSUPPORTED_EXPIRATION_TIME",
        summary: "The data source cannot honour an expiry time on an enumeration.",
    },
    ErrorCode {
        code: 0x8033_8018,
        name: "ERROR_WSMAN_ENUMERATE_FILTERING_NOT_SUPPORTED",
        summary: "Filtering is not available for this resource.",
    },
    ErrorCode {
        code: 0x8033_8019,
        name: "ERROR_WSMAN_ENUMERATE_FILTER_DIALECT_REQUESTED_UNAVAILABLE",
        summary: "The filter's dialect is not one this resource understands.",
    },
    ErrorCode {
        code: 0x8033_801A,
        name: "ERROR_WSMAN_ENUMERATE_CANNOT_PROCESS_FILTER",
        summary: "The filter could not be applied: it is missing, malformed, or names an unknown class.",
    },
    ErrorCode {
        code: 0x8033_801B,
        name: "ERROR_WSMAN_ENUMERATE_INVALID_ENUMERATION_CONTEXT",
        summary: "The enumeration context is unknown to the service, often because it expired.",
    },
    ErrorCode {
        code: 0x8033_801C,
        name: "ERROR_WSMAN_ENUMERATE_TIMED_OUT",
        summary: "A Pull returned no items within its time limit, but the enumeration is still open.",
    },
    ErrorCode {
        code: 0x8033_801D,
        name: "ERROR_WSMAN_ENUMERATE_UNABLE_TO_RENEW",
        summary: "The service could not extend the life of the enumeration.",
    },
    ErrorCode {
        code: 0x8033_8026,
        name: "ERROR_WSMAN_ENVELOPE_TOO_LARGE",
        summary: "The response would be larger than the allowed maximum size.",
    },
    ErrorCode {
        code: 0x8033_8027,
        name: "ERROR_WSMAN_INVALID_SOAP_BODY",
        summary: "The request has no usable SOAP body.",
    },
    ErrorCode {
        code: 0x8033_8029,
        name: "ERROR_WSMAN_OPERATION_TIMEDOUT",
        summary: "The OperationTimeout of the request ran out before the work was done.",
    },
    ErrorCode {
        code: 0x8033_802C,
        name: "ERROR_WSMAN_UNSUPPORTED_ENCODING",
        summary: "The request used a character encoding the service cannot read.",
    },
    ErrorCode {
        code: 0x8033_802D,
        name: "ERROR_WSMAN_URI_LIMIT",
        summary: "A URI in the request exceeds the service's length limit.",
    },
    ErrorCode {
        code: 0x8033_802F,
        name: "ERROR_WSMAN_INVALID_BATCH_PARAMETER",
        summary: "The enumeration batch settings in the request are not valid.",
    },
    ErrorCode {
        code: 0x8033_8031,
        name: "ERROR_WSMAN_ACTION_MISMATCH",
        summary: "The requested action does not fit the resource addressed.",
    },
    ErrorCode {
        code: 0x8033_8032,
        name: "ERROR_WSMAN_CONCURRENCY",
        summary: "The resource is locked by another operation.",
    },
    ErrorCode {
        code: 0x8033_8033,
        name: "ERROR_WSMAN_ALREADY_EXISTS",
        summary: "Create was asked for a resource that already exists.",
    },
    ErrorCode {
        code: 0x8033_8035,
        name: "ERROR_WSMAN_ENCODING_LIMIT",
        summary: "The request goes beyond a size or count limit of the service, such as the envelope size.",
    },
    ErrorCode {
        code: 0x8033_8036,
        name: "ERROR_WSMAN_FAILED_AUTHENTICATION",
        summary: "The server refused the credentials sent with the request.",
    },
    ErrorCode {
        code: 0x8033_8037,
        name: "ERROR_WSMAN_INCOMPATIBLE_EPR",
        summary: "An endpoint reference in the request is in a form the service cannot handle.",
    },
    ErrorCode {
        code: 0x8033_8039,
        name: "ERROR_WSMAN_INVALID_OPTIONS",
        summary: "One or more -options names or values are not valid for this resource.",
    },
    ErrorCode {
        code: 0x8033_803A,
        name: "ERROR_WSMAN_INVALID_PARAMETER",
        summary: "The service rejected one of the operation's parameters.",
    },
    ErrorCode {
        code: 0x8033_803B,
        name: "ERROR_WSMAN_INVALID_RESOURCE_URI",
        summary: "The service could not make sense of the resource URI, or none was sent.",
    },
    ErrorCode {
        code: 0x8033_803C,
        name: "ERROR_WSMAN_INVALID_SYSTEM",
        summary: "The request's System URI is missing or not valid.",
    },
    ErrorCode {
        code: 0x8033_803D,
        name: "ERROR_WSMAN_INVALID_SELECTORS",
        summary: "The selectors do not identify an instance of this resource: wrong names, values or count.",
    },
    ErrorCode {
        code: 0x8033_803E,
        name: "ERROR_WSMAN_METADATA_REDIRECT",
        summary: "The requested metadata lives at another address.",
    },
    ErrorCode {
        code: 0x8033_803F,
        name: "ERROR_WSMAN_QUOTA_LIMIT",
        summary: "The service is busy or a per-user quota has been reached.",
    },
    ErrorCode {
        code: 0x8033_8040,
        name: "ERROR_WSMAN_RENAME_FAILURE",
        summary: "The resource could not be renamed with the selectors given.",
    },
    ErrorCode {
        code: 0x8033_8041,
        name: "ERROR_WSMAN_SCHEMA_VALIDATION_ERROR",
        summary: "The request XML does not match the schema the service expects, e.g. a required body element is missing.",
    },
    ErrorCode {
        code: 0x8033_8042,
        name: "ERROR_WSMAN_UNSUPPORTED_FEATURE",
        summary: "The request uses a WS-Management feature this service does not support.",
    },
    ErrorCode {
        code: 0x8033_8043,
        name: "ERROR_WSMAN_INVALID_XML",
        summary: "The XML in the request is not well-formed.",
    },
    ErrorCode {
        code: 0x8033_8044,
        name: "ERROR_WSMAN_INVALID_KEY",
        summary: "A selector in the URI is not a key of this resource.",
    },
    ErrorCode {
        code: 0x8033_8046,
        name: "ERROR_WSMAN_SYSTEM_NOT_FOUND",
        summary: "No system matching the request's system address is known to the service.",
    },
    ErrorCode {
        code: 0x8033_8047,
        name: "ERROR_WSMAN_MAX_ENVELOPE_SIZE",
        summary: "The maximum envelope size asked for in the request is too large for the service.",
    },
    ErrorCode {
        code: 0x8033_8048,
        name: "ERROR_WSMAN_MAX_ENVELOPE_SIZE_EXCEEDED",
        summary: "The reply would exceed the maximum envelope size the client asked for.",
    },
    ErrorCode {
        code: 0x8033_8049,
        name: "ERROR_WSMAN_SERVER_ENVELOPE_LIMIT",
        summary: "The reply would exceed the service's own envelope size limit.",
    },
    ErrorCode {
        code: 0x8033_804A,
        name: "ERROR_WSMAN_SELECTOR_LIMIT",
        summary: "The URI has more selectors than the service accepts.",
    },
    ErrorCode {
        code: 0x8033_804B,
        name: "ERROR_WSMAN_OPTION_LIMIT",
        summary: "The request carries more options than the service accepts.",
    },
    ErrorCode {
        code: 0x8033_804C,
        name: "ERROR_WSMAN_CHARACTER_SET",
        summary: "The request is written in a character set other than UTF-8 or UTF-16.",
    },
    ErrorCode {
        code: 0x8033_804F,
        name: "ERROR_WSMAN_FILTERING_REQUIRED",
        summary: "The service does not support the filter dialect used.",
    },
    ErrorCode {
        code: 0x8033_8051,
        name: "ERROR_WSMAN_OPTIONS_NOT_SUPPORTED",
        summary: "The provider cannot honour an option that the request marked as mandatory.",
    },
    ErrorCode {
        code: 0x8033_8052,
        name: "ERROR_WSMAN_OPTIONS_INVALID_NAME",
        summary: "The request names an option the service does not recognise.",
    },
    ErrorCode {
        code: 0x8033_8053,
        name: "ERROR_WSMAN_OPTIONS_INVALID_VALUE",
        summary: "One of the option values was refused.",
    },
    ErrorCode {
        code: 0x8033_8054,
        name: "ERROR_WSMAN_PARAMETER_TYPE_MISMATCH",
        summary: "A parameter has the wrong type, for example text where a number is required.",
    },
    ErrorCode {
        code: 0x8033_8055,
        name: "ERROR_WSMAN_INVALID_PARAMETER_NAME",
        summary: "The request uses a parameter name the operation does not have.",
    },
    ErrorCode {
        code: 0x8033_8056,
        name: "ERROR_WSMAN_INVALID_XML_VALUES",
        summary: "The target rejected one or more values in the request body.",
    },
    ErrorCode {
        code: 0x8033_8057,
        name: "ERROR_WSMAN_INVALID_XML_MISSING_VALUES",
        summary: "The request XML leaves out values the operation needs.",
    },
    ErrorCode {
        code: 0x8033_8058,
        name: "ERROR_WSMAN_INVALID_XML_NAMESPACE",
        summary: "The XML namespace of the input body does not match the resource.",
    },
    ErrorCode {
        code: 0x8033_8059,
        name: "ERROR_WSMAN_INVALID_XML_FRAGMENT",
        summary: "The fragment sent or addressed in the request could not be used.",
    },
    ErrorCode {
        code: 0x8033_805A,
        name: "ERROR_WSMAN_INSUFFCIENT_SELECTORS",
        summary: "Not all key selectors needed to identify one instance were given.",
    },
    ErrorCode {
        code: 0x8033_805B,
        name: "ERROR_WSMAN_UNEXPECTED_SELECTORS",
        summary: "Some selectors in the request do not belong to this resource.",
    },
    ErrorCode {
        code: 0x8033_805C,
        name: "ERROR_WSMAN_SELECTOR_TYPEMISMATCH",
        summary: "A selector's value cannot be converted to the type of its key.",
    },
    ErrorCode {
        code: 0x8033_805D,
        name: "ERROR_WSMAN_INVALID_SELECTOR_VALUE",
        summary: "One of the selector values was rejected.",
    },
    ErrorCode {
        code: 0x8033_805E,
        name: "ERROR_WSMAN_AMBIGUOUS_SELECTORS",
        summary: "The selectors match more than one instance.",
    },
    ErrorCode {
        code: 0x8033_805F,
        name: "ERROR_WSMAN_DUPLICATE_SELECTORS",
        summary: "The same selector appears more than once.",
    },
    ErrorCode {
        code: 0x8033_8067,
        name: "ERROR_WSMAN_LOCALE_NOT_SUPPORTED",
        summary: "The locale requested is not available on the service.",
    },
    ErrorCode {
        code: 0x8033_806E,
        name: "ERROR_WSMAN_MAXENVELOPE_SIZE_NOT_SUPPORTED",
        summary: "The service does not accept the MaxEnvelopeSize value sent.",
    },
    ErrorCode {
        code: 0x8033_8070,
        name: "ERROR_WSMAN_FILTERING_REQUIRED_NOT_SUPPORTED",
        summary: "This resource cannot be enumerated without a filter.",
    },
    ErrorCode {
        code: 0x8033_8074,
        name: "ERROR_WSMAN_BAD_METHOD",
        summary: "The web server refused the HTTP method (POST) used for WS-Management.",
    },
    ErrorCode {
        code: 0x8033_8075,
        name: "ERROR_WSMAN_UNSUPPORTED_MEDIA",
        summary: "The server refused the request's content type.",
    },
    ErrorCode {
        code: 0x8033_8076,
        name: "ERROR_WSMAN_UNSUPPORTED_ADDRESSING_MODE",
        summary: "The request uses a WS-Addressing mode the service cannot handle.",
    },
    ErrorCode {
        code: 0x8033_8077,
        name: "ERROR_WSMAN_FRAGMENT_TRANSFER_NOT_SUPPORTED",
        summary: "The service does not support fragment-level get or put.",
    },
    ErrorCode {
        code: 0x8033_8079,
        name: "ERROR_WSMAN_CONNECTOR_GET",
        summary: "No plugin on the service claims this resource URI.",
    },
    ErrorCode {
        code: 0x8033_807A,
        name: "ERROR_WSMAN_URI_QUERY_STRING_SYNTAX_ERROR",
        summary: "The selector part of the resource URI (after '?') could not be parsed.",
    },
    ErrorCode {
        code: 0x8033_807E,
        name: "ERROR_WSMAN_MIN_ENVELOPE_SIZE",
        summary: "The maximum envelope size in the request is below the service's minimum.",
    },
    ErrorCode {
        code: 0x8033_8081,
        name: "ERROR_WSMAN_INVALID_TIMEOUT_HEADER",
        summary: "The service could not read the OperationTimeout value of the request.",
    },
    ErrorCode {
        code: 0x8033_8082,
        name: "ERROR_WSMAN_CERT_NOT_FOUND",
        summary: "No certificate with the given thumbprint exists in the target's certificate store.",
    },
    ErrorCode {
        code: 0x8033_8083,
        name: "ERROR_WSMAN_PLUGIN_FAILED",
        summary: "The data source behind the resource returned no result for the request.",
    },
    ErrorCode {
        code: 0x8033_8084,
        name: "ERROR_WSMAN_ENUMERATION_INVALID",
        summary: "A Pull failed earlier, and the enumeration cannot continue after that.",
    },
    ErrorCode {
        code: 0x8033_8086,
        name: "ERROR_WSMAN_ENUMERATION_MODE_UNSUPPORTED",
        summary: "The -ReturnType mode asked for is not available for this resource.",
    },
    ErrorCode {
        code: 0x8033_8087,
        name: "ERROR_WSMAN_MUSTUNDERSTAND_ON_LOCALE_UNSUPPORTED",
        summary: "The service cannot promise that all data comes back in the locale requested.",
    },
    ErrorCode {
        code: 0x8033_8089,
        name: "ERROR_WSMAN_LISTENER_ADDRESS_INVALID",
        summary: "The Address selector of a listener is not in a form WinRM accepts.",
    },
    ErrorCode {
        code: 0x8033_808A,
        name: "ERROR_WSMAN_CONFIG_CANNOT_CHANGE_GPO_CONTROLLED_SETTING",
        summary: "The setting is controlled by Group Policy and cannot be changed directly.",
    },
    ErrorCode {
        code: 0x8033_8090,
        name: "ERROR_WSMAN_FRAGMENT_DIALECT_REQUESTED_UNAVAILABLE",
        summary: "This resource does not understand the fragment dialect given with -dialect.",
    },
    ErrorCode {
        code: 0x8033_8091,
        name: "ERROR_WSMAN_MISSING_FRAGMENT_PATH",
        summary: "A fragment dialect was given without a fragment path.",
    },
    ErrorCode {
        code: 0x8033_8092,
        name: "ERROR_WSMAN_INVALID_FRAGMENT_DIALECT",
        summary: "The dialect given for the fragment is not a known dialect.",
    },
    ErrorCode {
        code: 0x8033_8093,
        name: "ERROR_WSMAN_INVALID_FRAGMENT_PATH",
        summary: "The -fragment path does not select anything valid in this resource.",
    },
    ErrorCode {
        code: 0x8033_809A,
        name: "ERROR_WSMAN_PROVIDER_LOAD_FAILED",
        summary: "The plugin that serves this resource could not be loaded on the target.",
    },
    ErrorCode {
        code: 0x8033_809F,
        name: "ERROR_WSMAN_INVALID_HOSTNAME_PATTERN",
        summary: "An entry in TrustedHosts is neither a valid host name nor a valid wildcard pattern.",
    },
    ErrorCode {
        code: 0x8033_80D7,
        name: "ERROR_WSMAN_CLIENT_UNENCRYPTED_HTTP_ONLY",
        summary: "-unencrypted was combined with HTTPS, where it has no meaning.",
    },
    ErrorCode {
        code: 0x8033_80D8,
        name: "ERROR_WSMAN_CANNOT_USE_CERTIFICATES_FOR_HTTP",
        summary: "Certificate authentication needs HTTPS.",
    },
    ErrorCode {
        code: 0x8033_80D9,
        name: "ERROR_WSMAN_CONNECTIONSTR_INVALID",
        summary: "The -r address is not of the form [http|https://]host[:port][/prefix].",
    },
    ErrorCode {
        code: 0x8033_80DA,
        name: "ERROR_WSMAN_TRANSPORT_NOT_SUPPORTED",
        summary: "The address names a transport other than http or https.",
    },
    ErrorCode {
        code: 0x8033_80DB,
        name: "ERROR_WSMAN_PORT_INVALID",
        summary: "The port in the address is not a number from 1 to 65535.",
    },
    ErrorCode {
        code: 0x8033_80DE,
        name: "ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED",
        summary: "The Windows client's configuration forbids sending unencrypted messages.",
    },
    ErrorCode {
        code: 0x8033_80DF,
        name: "ERROR_WSMAN_CLIENT_BASIC_AUTHENTICATION_DISABLED",
        summary: "The Windows client's configuration does not allow Basic authentication.",
    },
    ErrorCode {
        code: 0x8033_80E4,
        name: "ERROR_WSMAN_SERVER_NOT_TRUSTED",
        summary: "Without Kerberos the client will only talk to hosts it trusts: HTTPS or a TrustedHosts entry.",
    },
    ErrorCode {
        code: 0x8033_80E5,
        name: "ERROR_WSMAN_EXPLICIT_CREDENTIALS_REQUIRED",
        summary: "Default credentials cannot be used with Negotiate over HTTP to this host.",
    },
    ErrorCode {
        code: 0x8033_80ED,
        name: "ERROR_WSMAN_CANNOT_CHANGE_KEYS",
        summary: "The input changes key properties, which would change the instance's identity.",
    },
    ErrorCode {
        code: 0x8033_80F1,
        name: "ERROR_WSMAN_RESPONSE_INVALID_ENUMERATION_CONTEXT",
        summary: "The reply to an enumeration carried no usable enumeration context.",
    },
    ErrorCode {
        code: 0x8033_80F4,
        name: "ERROR_WSMAN_RESPONSE_NO_SOAP_HEADER_BODY",
        summary: "The reply had no SOAP header or body.",
    },
    ErrorCode {
        code: 0x8033_80F5,
        name: "ERROR_WSMAN_HTTP_NO_RESPONSE_DATA",
        summary: "The server sent no data back.",
    },
    ErrorCode {
        code: 0x8033_80F6,
        name: "ERROR_WSMAN_RESPONSE_INVALID_SOAP_FAULT",
        summary: "The server sent a SOAP fault that could not be read.",
    },
    ErrorCode {
        code: 0x8033_80F7,
        name: "ERROR_WSMAN_HTTP_INVALID_CONTENT_TYPE_IN_RESPONSE_DATA",
        summary: "The server's reply has a content type that is not SOAP.",
    },
    ErrorCode {
        code: 0x8033_80F9,
        name: "ERROR_WSMAN_CANNOT_DECRYPT",
        summary: "A sealed message from the server could not be unsealed.",
    },
    ErrorCode {
        code: 0x8033_80FA,
        name: "ERROR_WSMAN_INVALID_URI_WMI_SINGLETON",
        summary: "An operation on one WMI instance (get, set, delete, invoke) needs its key selectors unless the class is a singleton.",
    },
    ErrorCode {
        code: 0x8033_80FB,
        name: "ERROR_WSMAN_INVALID_URI_WMI_ENUM_WQL",
        summary: "A WQL filter needs a resource URI that ends in /* (a namespace, not a class).",
    },
    ErrorCode {
        code: 0x8033_8102,
        name: "ERROR_WSMAN_WMI_PROVIDER_NOT_CAPABLE",
        summary: "The WMI provider behind this class does not implement the operation.",
    },
    ErrorCode {
        code: 0x8033_8103,
        name: "ERROR_WSMAN_WMI_INVALID_VALUE",
        summary: "WMI or its provider handed back a value that WinRM could not represent.",
    },
    ErrorCode {
        code: 0x8033_8104,
        name: "ERROR_WSMAN_WMI_SVC_ACCESS_DENIED",
        summary: "The WMI service refused access to the connecting account.",
    },
    ErrorCode {
        code: 0x8033_8105,
        name: "ERROR_WSMAN_WMI_PROVIDER_ACCESS_DENIED",
        summary: "The WMI provider refused access to the connecting account.",
    },
    ErrorCode {
        code: 0x8033_8106,
        name: "ERROR_WSMAN_WMI_CANNOT_CONNECT_ACCESS_DENIED",
        summary: "Connecting to the WMI namespace was refused.",
    },
    ErrorCode {
        code: 0x8033_8107,
        name: "ERROR_WSMAN_INVALID_FILTER_XML",
        summary: "The filter could not be read as XML.",
    },
    ErrorCode {
        code: 0x8033_8108,
        name: "ERROR_WSMAN_ENUMERATE_WMI_INVALID_KEY",
        summary: "An enumerate URI for a WMI class carried selectors, which enumeration does not allow.",
    },
    ErrorCode {
        code: 0x8033_8109,
        name: "ERROR_WSMAN_INVALID_FRAGMENT_PATH_BLANK",
        summary: "The fragment path is empty.",
    },
    ErrorCode {
        code: 0x8033_810A,
        name: "ERROR_WSMAN_INVALID_CHARACTERS_IN_RESPONSE",
        summary: "The reply contained characters that are not allowed in XML.",
    },
    ErrorCode {
        code: 0x8033_810B,
        name: "ERROR_WSMAN_KERBEROS_IPADDRESS",
        summary: "The target was given as an IP address, and Kerberos needs a host name.",
    },
    ErrorCode {
        code: 0x8033_810C,
        name: "ERROR_WSMAN_CLIENT_WORKGROUP_NO_KERBEROS",
        summary: "Kerberos with the current logon cannot be used because the client is not in a domain.",
    },
    ErrorCode {
        code: 0x8033_810E,
        name: "ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST",
        summary: "Kerberos, the Windows default, cannot be used with localhost or a loopback address as the target.",
    },
    ErrorCode {
        code: 0x8033_810F,
        name: "ERROR_WSMAN_UNKNOWN_HTTP_STATUS_RETURNED",
        summary: "The server answered with an HTTP status WinRM does not expect.",
    },
    ErrorCode {
        code: 0x8033_8110,
        name: "ERROR_WSMAN_UNSUPPORTED_HTTP_STATUS_REDIRECT",
        summary: "The server answered with an HTTP redirect, which is not followed.",
    },
    ErrorCode {
        code: 0x8033_8111,
        name: "ERROR_WSMAN_HTTP_REQUEST_TOO_LARGE_STATUS",
        summary: "The server refused the request as too large.",
    },
    ErrorCode {
        code: 0x8033_8112,
        name: "ERROR_WSMAN_HTTP_SERVICE_UNAVAILABLE_STATUS",
        summary: "The server answered that the service is unavailable (HTTP 503).",
    },
    ErrorCode {
        code: 0x8033_8113,
        name: "ERROR_WSMAN_HTTP_NOT_FOUND_STATUS",
        summary: "The server answered that the URL was not found (HTTP 404).",
    },
    ErrorCode {
        code: 0x8033_8118,
        name: "ERROR_WSMAN_INVALID_SELECTOR_NAME",
        summary: "One of the selector names was rejected.",
    },
    ErrorCode {
        code: 0x8033_811A,
        name: "ERROR_WSMAN_ENDPOINT_UNAVAILABLE_INVALID_VALUE",
        summary: "The selector values match no known resource, or the resource is offline.",
    },
    ErrorCode {
        code: 0x8033_811E,
        name: "ERROR_WSMAN_WMI_PROVIDER_INVALID_PARAMETER",
        summary: "The WMI provider rejected a parameter.",
    },
    ErrorCode {
        code: 0x8033_8122,
        name: "ERROR_WSMAN_CANNOT_PROCESS_FILTER",
        summary: "The filter was rejected: missing, malformed or too complex for the data source.",
    },
    ErrorCode {
        code: 0x8033_8126,
        name: "ERROR_WSMAN_NETWORK_TIMEDOUT",
        summary: "The network request timed out before the server answered.",
    },
    ErrorCode {
        code: 0x8033_8169,
        name: "ERROR_WSMAN_PUBLIC_FIREWALL_PROFILE_ACTIVE",
        summary: "A network on the target is set to the Public profile, so setting up remoting was refused.",
    },
    ErrorCode {
        code: 0x8033_816D,
        name: "ERROR_WSMAN_INVALID_PROVIDER_RESPONSE",
        summary: "The provider reported failure but gave no error code.",
    },
    ErrorCode {
        code: 0x8033_8170,
        name: "ERROR_WSMAN_HTTP_STATUS_SERVER_ERROR",
        summary: "The server answered with HTTP 500 and no usable fault.",
    },
    ErrorCode {
        code: 0x8033_8171,
        name: "ERROR_WSMAN_HTTP_STATUS_BAD_REQUEST",
        summary: "The server answered with HTTP 400 (bad request).",
    },
    ErrorCode {
        code: 0x8033_8173,
        name: "ERROR_WSMAN_HTML_ERROR",
        summary: "The server answered with an HTML error page instead of SOAP.",
    },
    ErrorCode {
        code: 0x8033_81A5,
        name: "ERROR_WSMAN_QUOTA_MAX_SHELLS",
        summary: "The limit on open shells has been reached.",
    },
    ErrorCode {
        code: 0x8033_81A6,
        name: "ERROR_WSMAN_QUOTA_MAX_OPERATIONS",
        summary: "The limit on concurrent operations has been reached.",
    },
    ErrorCode {
        code: 0x8033_81A7,
        name: "ERROR_WSMAN_QUOTA_USER",
        summary: "The connecting user has reached a per-user quota.",
    },
    ErrorCode {
        code: 0x8033_81A8,
        name: "ERROR_WSMAN_QUOTA_SYSTEM",
        summary: "A system-wide quota of the service has been reached.",
    },
    ErrorCode {
        code: 0x8033_81AB,
        name: "ERROR_WSMAN_QUOTA_MAX_SHELLUSERS",
        summary: "Too many users are running shell operations at once.",
    },
    ErrorCode {
        code: 0x8033_81AC,
        name: "ERROR_WSMAN_REMOTESHELLS_NOT_ALLOWED",
        summary: "Remote shell access is turned off on the target.",
    },
    ErrorCode {
        code: 0x8033_81AD,
        name: "ERROR_WSMAN_PULL_PARAMS_NOT_SAME_AS_ENUM",
        summary: "A Pull used different size limits from the Enumerate that opened it.",
    },
    ErrorCode {
        code: 0x8033_81B9,
        name: "ERROR_WSMAN_NAME_NOT_RESOLVED",
        summary: "The host name of the target could not be resolved.",
    },
    ErrorCode {
        code: 0x8033_81BA,
        name: "ERROR_WSMAN_SSL_CONNECTION_ABORTED",
        summary: "The TLS connection was cut off during setup.",
    },
    ErrorCode {
        code: 0x8033_81BB,
        name: "ERROR_WSMAN_DEFAULTAUTH_IPADDRESS",
        summary: "With the target given as an IP address, default authentication needs HTTPS or a TrustedHosts entry, plus explicit credentials.",
    },
    ErrorCode {
        code: 0x8033_81BE,
        name: "ERROR_WSMAN_INVALID_USESSL_PARAM",
        summary: "SSL was requested while the address names plain http.",
    },
    ErrorCode {
        code: 0x8033_81DD,
        name: "ERROR_WSMAN_SERVICE_REMOTE_ACCESS_DISABLED",
        summary: "The service on the target is set to refuse requests from other machines.",
    },
    ErrorCode {
        code: 0x8033_81E3,
        name: "ERROR_WSMAN_REMOTE_CONNECTION_NOT_ALLOWED",
        summary: "The plugin behind this resource is set to refuse remote connections.",
    },
    ErrorCode {
        code: 0x8033_81F0,
        name: "ERROR_WSMAN_MUTUAL_AUTH_FAILED",
        summary: "The server's identity could not be verified during mutual authentication.",
    },
    ErrorCode {
        code: 0x8033_81F8,
        name: "ERROR_WSMAN_DESTINATION_INVALID",
        summary: "The destination must be a host name or IP address, not a URL.",
    },
    ErrorCode {
        code: 0x8033_81F9,
        name: "ERROR_WSMAN_UNSUPPORTED_FEATURE_IDENTIFY",
        summary: "This server has no answer for Identify requests.",
    },
    ErrorCode {
        code: 0x8033_81FA,
        name: "ERROR_WSMAN_CLIENT_SESSION_UNUSABLE",
        summary: "The session can no longer be used, for example after the service restarted.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_without_duplicates() {
        for pair in CODES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} ({:#X}) must come before {} ({:#X})",
                pair[0].name,
                pair[0].code,
                pair[1].name,
                pair[1].code
            );
        }
    }

    #[test]
    fn table_is_large_enough_and_well_formed() {
        assert!(CODES.len() >= 80, "only {} codes", CODES.len());
        for entry in CODES {
            assert!(!entry.name.is_empty());
            assert!(
                entry
                    .name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "_()".contains(c)),
                "odd name {}",
                entry.name
            );
            assert!(entry.summary.ends_with('.'), "{}", entry.name);
        }
        let mut names: Vec<&str> = CODES.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CODES.len(), "duplicate names");
    }

    #[test]
    fn wsman_codes_sit_in_the_winrm_facility() {
        for entry in CODES.iter().filter(|e| e.name.starts_with("ERROR_WSMAN_")) {
            assert!(
                (0x8033_8000..=0x8033_81FF).contains(&entry.code),
                "{} is {:#X}",
                entry.name,
                entry.code
            );
        }
    }

    #[test]
    fn well_known_codes_have_the_published_values() {
        let expect = [
            (2_150_858_752, "ERROR_WSMAN_RESOURCE_NOT_FOUND"),
            (
                2_150_858_767,
                "ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER",
            ),
            (0x8033_8012, "ERROR_WSMAN_DESTINATION_UNREACHABLE"),
            (2_150_858_778, "ERROR_WSMAN_ENUMERATE_CANNOT_PROCESS_FILTER"),
            (0x8033_8029, "ERROR_WSMAN_OPERATION_TIMEDOUT"),
            (2_150_858_813, "ERROR_WSMAN_INVALID_SELECTORS"),
            (2_150_858_817, "ERROR_WSMAN_SCHEMA_VALIDATION_ERROR"),
            (2_150_858_843, "ERROR_WSMAN_UNEXPECTED_SELECTORS"),
            (0x8033_8126, "ERROR_WSMAN_NETWORK_TIMEDOUT"),
            (5, "ERROR_ACCESS_DENIED"),
            (87, "ERROR_INVALID_PARAMETER"),
            (1326, "ERROR_LOGON_FAILURE"),
            (2_147_942_402, "HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)"),
            (0x8007_0005, "E_ACCESSDENIED"),
            (0x8007_0057, "E_INVALIDARG"),
            (0x8007_05B4, "HRESULT_FROM_WIN32(ERROR_TIMEOUT)"),
            (0x8009_0322, "SEC_E_WRONG_PRINCIPAL"),
            (0x8009_030E, "SEC_E_NO_CREDENTIALS"),
            (0x8009_0311, "SEC_E_NO_AUTHENTICATING_AUTHORITY"),
            (0x8009_030C, "SEC_E_LOGON_DENIED"),
            (0x8009_0308, "SEC_E_INVALID_TOKEN"),
            (0x8004_1002, "WBEM_E_NOT_FOUND"),
            (0x8004_1010, "WBEM_E_INVALID_CLASS"),
            (0x8004_1013, "WBEM_E_PROVIDER_LOAD_FAILURE"),
            (0x8004_1017, "WBEM_E_INVALID_QUERY"),
        ];
        for (code, name) in expect {
            let found = lookup(code).map(|e| e.name);
            assert_eq!(found, Some(name), "code {code:#X}");
        }
    }

    #[test]
    fn lookup_misses_unknown_codes() {
        assert!(lookup(0).is_none());
        assert!(lookup(0x8033_8004).is_none());
        assert!(lookup(u32::MAX).is_none());
    }

    #[test]
    fn all_returns_the_table() {
        assert_eq!(all().len(), CODES.len());
    }

    #[test]
    fn parse_decimal() {
        assert_eq!(parse_code("2150858778"), Ok(0x8033_801A));
        assert_eq!(parse_code("5"), Ok(5));
        assert_eq!(parse_code("0"), Ok(0));
        assert_eq!(parse_code("4294967295"), Ok(u32::MAX));
        assert_eq!(parse_code("007"), Ok(7));
    }

    #[test]
    fn parse_negative_decimal() {
        assert_eq!(parse_code("-2144108526"), Ok(0x8033_8012));
        assert_eq!(parse_code("-1"), Ok(u32::MAX));
        assert_eq!(parse_code("-2147483648"), Ok(0x8000_0000));
        assert_eq!(parse_code("-0"), Ok(0));
    }

    #[test]
    fn parse_hex() {
        assert_eq!(parse_code("0x80338012"), Ok(0x8033_8012));
        assert_eq!(parse_code("0X80338012"), Ok(0x8033_8012));
        assert_eq!(parse_code("0x8033801a"), Ok(0x8033_801A));
        assert_eq!(parse_code("0x5"), Ok(5));
        assert_eq!(parse_code("0xFFFFFFFF"), Ok(u32::MAX));
        assert_eq!(parse_code("0x0000000080338012"), Ok(0x8033_8012));
    }

    #[test]
    fn parse_trims_whitespace() {
        assert_eq!(parse_code("  2150858778\n"), Ok(0x8033_801A));
        assert_eq!(parse_code("\t0x5 "), Ok(5));
        assert_eq!(parse_code(" -1 "), Ok(u32::MAX));
    }

    #[test]
    fn parse_rejects_out_of_range() {
        for text in [
            "4294967296",
            "99999999999999999999999",
            "-2147483649",
            "0x100000000",
        ] {
            let err = parse_code(text).expect_err(text);
            assert!(err.contains(text), "{err}");
        }
    }

    #[test]
    fn parse_rejects_garbage() {
        for text in [
            "abc", "12ab", "0x", "0X", "0xg1", "-", "--5", "+5", "0x-5", "1 2", "5.0", "-0x5",
        ] {
            let err = parse_code(text).expect_err(text);
            assert!(err.contains("0x8033801A"), "{text}: {err}");
            assert!(err.contains("-2144108526"), "{text}: {err}");
            assert!(err.contains("2150858778"), "{text}: {err}");
        }
    }

    #[test]
    fn parse_rejects_empty() {
        for text in ["", "   ", "\n"] {
            let err = parse_code(text).expect_err("empty");
            assert!(err.starts_with("missing error number"), "{err}");
            assert!(err.contains("0x8033801A"), "{err}");
        }
    }

    #[test]
    fn parse_error_for_bare_0x_says_why() {
        let err = parse_code("0x").expect_err("0x");
        assert!(err.contains("no digits"), "{err}");
    }

    #[test]
    fn cim_status_names_follow_dsp0200() {
        assert_eq!(cim_status_name(1), Some("CIM_ERR_FAILED"));
        assert_eq!(cim_status_name(6), Some("CIM_ERR_NOT_FOUND"));
        assert_eq!(cim_status_name(28), Some("CIM_ERR_SERVER_IS_SHUTTING_DOWN"));
        assert_eq!(cim_status_name(0), None);
        assert_eq!(cim_status_name(29), None);
    }

    #[test]
    fn signed_and_hex_matches_winrm_cmd() {
        assert_eq!(signed_and_hex(2_150_858_770), "-2144108526 0x80338012");
        assert_eq!(signed_and_hex(5), "5 0x5");
        assert_eq!(signed_and_hex(0), "0 0x0");
        assert_eq!(signed_and_hex(0x8000_0000), "-2147483648 0x80000000");
        assert_eq!(signed_and_hex(u32::MAX), "-1 0xFFFFFFFF");
        assert_eq!(signed_and_hex(0x7FFF_FFFF), "2147483647 0x7FFFFFFF");
        assert_eq!(signed_and_hex(0x8033_801A), "-2144108518 0x8033801A");
    }

    #[test]
    fn parse_and_print_round_trip() {
        for entry in CODES {
            let printed = signed_and_hex(entry.code);
            let (signed, hex) = printed.split_once(' ').expect("two parts");
            assert_eq!(parse_code(signed), Ok(entry.code));
            assert_eq!(parse_code(hex), Ok(entry.code));
            assert_eq!(parse_code(&entry.code.to_string()), Ok(entry.code));
        }
    }
}
