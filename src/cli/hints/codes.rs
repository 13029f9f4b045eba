//! What to try when the server answers with a WinRM or Windows error
//! number: advice keyed by the number, in the words of this command line
//! (its switches, its verbs). The library's table (`protocol::codes`) says
//! what a number means; this one says what to do about it.

/// The advice for an error number, if there is any.
pub fn for_code(code: u32) -> Option<&'static str> {
    let index = HINTS.binary_search_by_key(&code, |(c, _)| *c).ok()?;
    HINTS.get(index).map(|(_, hint)| *hint)
}

/// (error number, advice), sorted by number; each number is one
/// `protocol::codes` knows (checked by a unit test).
static HINTS: &[(u32, &str)] = &[
    // ERROR_FILE_NOT_FOUND
    (
        2,
        "Check paths inside the input (@{...} or -file) as the target sees them, not as this machine sees them.",
    ),
    // ERROR_ACCESS_DENIED
    (
        5,
        "Use an account in the target's local Administrators group, or grant rights to the resource; for config URIs an admin account is always needed.",
    ),
    // ERROR_BAD_NETPATH
    (
        53,
        "A provider on the target tried to reach another machine; check that name from the target itself.",
    ),
    // ERROR_INVALID_PARAMETER
    (
        87,
        "Compare property names and values in @{...} or -file with the class definition; names are case-sensitive for WMI.",
    ),
    // ERROR_FILENAME_EXCED_RANGE
    (
        206,
        "Shorten the path or command, or move long arguments into a script file on the target.",
    ),
    // ERROR_NO_LOGON_SERVERS
    (
        1311,
        "Check the target's domain connectivity, or use a local account on the target with -a:basic.",
    ),
    // ERROR_LOGON_FAILURE
    (
        1326,
        "Re-check -u and the password; write a domain account as DOMAIN\\user or user@domain.",
    ),
    // ERROR_ACCOUNT_RESTRICTION
    (
        1327,
        "Set a password on the account or use another account.",
    ),
    // ERROR_PASSWORD_EXPIRED
    (
        1330,
        "Change the password through another channel first, then retry.",
    ),
    // ERROR_ACCOUNT_DISABLED
    (
        1331,
        "Enable the account on the target or in the domain, or use another one.",
    ),
    // ERROR_NO_SUCH_DOMAIN
    (
        1355,
        "Check the DOMAIN part of -u; for a local account use the machine name or .\\user.",
    ),
    // ERROR_INTERNAL_ERROR
    (
        1359,
        "The fault's message and provider detail say more; retry, and check the service's own logs.",
    ),
    // ERROR_WRONG_TARGET_NAME
    (
        1396,
        "Connect by the name registered for the host (its FQDN), not an alias or IP address.",
    ),
    // ERROR_TIMEOUT
    (
        1460,
        "Raise -timeout, or narrow the request (a filter or a single instance) so it finishes sooner.",
    ),
    // RPC_S_SERVER_UNAVAILABLE
    (
        1722,
        "A provider on the target talks to another service or machine over RPC; check that it is running and reachable.",
    ),
    // ERROR_ACCOUNT_EXPIRED
    (
        1793,
        "Extend the account's expiry date or use another account.",
    ),
    // ERROR_ACCOUNT_LOCKED_OUT
    (
        1909,
        "Wait for the lockout to clear or have it unlocked, then check the stored password.",
    ),
    // ERROR_WINHTTP_TIMEOUT
    (
        12002,
        "Check that the port is open end to end, then raise -timeout for slow operations.",
    ),
    // ERROR_WINHTTP_NAME_NOT_RESOLVED
    (12007, "Check the host in -r, or use its IP address."),
    // ERROR_WINHTTP_CANNOT_CONNECT
    (
        12029,
        "Check host and port in -r (5985 for http, 5986 for -usessl) and any firewall in between.",
    ),
    // ERROR_WINHTTP_CONNECTION_ERROR
    (
        12030,
        "This often means an HTTP/HTTPS mismatch; try -usessl, or drop it.",
    ),
    // ERROR_WINHTTP_SECURE_FAILURE
    (
        12175,
        "Trust the issuing CA with --cacert FILE, or for a lab box use -skipCAcheck -skipCNcheck.",
    ),
    // E_FAIL
    (
        0x8000_4005,
        "Look at the Message text of the fault, and at the target's event logs.",
    ),
    // WBEM_E_FAILED
    (
        0x8004_1001,
        "Check the provider's own message in the fault, and the WMI-Activity event log on the target.",
    ),
    // WBEM_E_NOT_FOUND
    (
        0x8004_1002,
        "List the instances with winrm enumerate and copy the key values from there.",
    ),
    // WBEM_E_ACCESS_DENIED
    (
        0x8004_1003,
        "Grant the account rights on the WMI namespace (wmimgmt.msc on the target) or use an admin account.",
    ),
    // WBEM_E_INVALID_PARAMETER
    (
        0x8004_1008,
        "Check the method's input names and types in the class definition.",
    ),
    // WBEM_E_NOT_SUPPORTED
    (
        0x8004_100C,
        "Many classes are read-only: use get or enumerate, or the class's own methods with invoke.",
    ),
    // WBEM_E_INVALID_NAMESPACE
    (
        0x8004_100E,
        "Check the path after wmi/ (for example wmi/root/cimv2/...) or the __cimnamespace selector.",
    ),
    // WBEM_E_INVALID_CLASS
    (
        0x8004_1010,
        "Check the spelling and case of the class name and the namespace it lives in.",
    ),
    // WBEM_E_PROVIDER_LOAD_FAILURE
    (
        0x8004_1013,
        "The problem is on the target; check its WMI-Activity event log and the provider's installation.",
    ),
    // WBEM_E_INVALID_QUERY
    (
        0x8004_1017,
        "Check the -filter syntax; quote strings in the query with single quotes.",
    ),
    // WBEM_E_ALREADY_EXISTS
    (
        0x8004_1019,
        "Use set to change the existing object, or delete it first.",
    ),
    // WBEM_E_INVALID_METHOD
    (
        0x8004_102E,
        "Method names are case-sensitive; check the ACTION given to invoke.",
    ),
    // WBEM_E_INVALID_METHOD_PARAMETERS
    (
        0x8004_102F,
        "Check the names and types of the @{...} keys against the method's input parameters.",
    ),
    // HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)
    (
        0x8007_0002,
        "Check names and paths as the target sees them.",
    ),
    // E_ACCESSDENIED
    (
        0x8007_0005,
        "Use an account in the target's local Administrators group, or grant rights to the resource.",
    ),
    // HRESULT_FROM_WIN32(ERROR_BAD_NETPATH)
    (
        0x8007_0035,
        "Check the host name, and that the target can reach any share it is asked to use.",
    ),
    // E_INVALIDARG
    (
        0x8007_0057,
        "Compare property names and values in @{...} or -file with the class definition.",
    ),
    // HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE)
    (
        0x8007_00CE,
        "Shorten the path or command, or put long arguments in a script file on the target.",
    ),
    // HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)
    (
        0x8007_052E,
        "Re-check -u and the password; write a domain account as DOMAIN\\user.",
    ),
    // HRESULT_FROM_WIN32(ERROR_TIMEOUT)
    (
        0x8007_05B4,
        "Raise -timeout, or narrow the request so it finishes sooner.",
    ),
    // HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE)
    (
        0x8007_06BA,
        "Check that the service the provider depends on is running on the target.",
    ),
    // HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT)
    (
        0x8007_2EE2,
        "Check that the port is open end to end, then raise -timeout for slow operations.",
    ),
    // HRESULT_FROM_WIN32(ERROR_WINHTTP_NAME_NOT_RESOLVED)
    (0x8007_2EE7, "Check the host in -r, or use its IP address."),
    // HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CONNECT)
    (
        0x8007_2EFD,
        "Check host and port in -r (5985 for http, 5986 for -usessl) and any firewall in between.",
    ),
    // HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR)
    (
        0x8007_2EFE,
        "This often means an HTTP/HTTPS mismatch; try -usessl, or drop it.",
    ),
    // HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_CERT_DATE_INVALID)
    (
        0x8007_2F05,
        "Renew the certificate on the target, or check this machine's clock.",
    ),
    // HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_CERT_CN_INVALID)
    (
        0x8007_2F06,
        "Connect using the name in the certificate, or add -skipCNcheck.",
    ),
    // HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_INVALID_CA)
    (
        0x8007_2F0D,
        "Pass the issuing CA with --cacert FILE, or add -skipCAcheck for a lab box.",
    ),
    // HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_FAILURE)
    (
        0x8007_2F8F,
        "Trust the issuing CA with --cacert FILE, or for a lab box use -skipCAcheck -skipCNcheck.",
    ),
    // SEC_E_UNSUPPORTED_FUNCTION
    (
        0x8009_0302,
        "Check that client and server share a TLS version and an authentication scheme.",
    ),
    // SEC_E_INTERNAL_ERROR
    (
        0x8009_0304,
        "Retry; if it persists, check the target's System event log.",
    ),
    // SEC_E_INVALID_TOKEN
    (
        0x8009_0308,
        "Often a TLS problem: check -usessl against the port, and the certificate on the target.",
    ),
    // SEC_E_LOGON_DENIED
    (
        0x8009_030C,
        "Re-check -u and the password; for Basic the account must be local to the target.",
    ),
    // SEC_E_UNKNOWN_CREDENTIALS
    (
        0x8009_030D,
        "Re-check -u and the password, and the -a scheme.",
    ),
    // SEC_E_NO_CREDENTIALS
    (
        0x8009_030E,
        "Pass -u and a password (or WINRM_USER / WINRM_PASSWORD); for Kerberos, obtain a ticket first.",
    ),
    // SEC_E_NO_AUTHENTICATING_AUTHORITY
    (
        0x8009_0311,
        "Check DNS and network access to the domain controllers, or use a local account with -a:basic.",
    ),
    // SEC_E_WRONG_PRINCIPAL
    (
        0x8009_0322,
        "Connect by the host's real FQDN; check the HTTP/ and WSMAN/ SPNs or the certificate's name.",
    ),
    // SEC_E_TIME_SKEW
    (
        0x8009_0324,
        "Sync both clocks (NTP); Kerberos allows about five minutes of skew.",
    ),
    // SEC_E_UNTRUSTED_ROOT
    (
        0x8009_0325,
        "Trust the issuing CA with --cacert FILE, or add -skipCAcheck for a lab box.",
    ),
    // SEC_E_CERT_UNKNOWN
    (
        0x8009_0327,
        "Inspect the certificate on the target (usage, chain, key).",
    ),
    // SEC_E_CERT_EXPIRED
    (
        0x8009_0328,
        "Renew the certificate on the target, or check the clocks.",
    ),
    // ERROR_WSMAN_RESOURCE_NOT_FOUND
    (
        0x8033_8000,
        "Check the URI and the selector values; enumerate the class to see which instances exist.",
    ),
    // ERROR_WSMAN_INVALID_ACTIONURI
    (
        0x8033_8001,
        "For invoke, check the method name given as ACTION.",
    ),
    // ERROR_WSMAN_INVALID_URI
    (
        0x8033_8002,
        "See winrm help uris for URI forms and aliases.",
    ),
    // ERROR_WSMAN_PROVIDER_FAILURE
    (
        0x8033_8003,
        "Look for a ProviderFault in the fault text and at the target's event logs.",
    ),
    // ERROR_WSMAN_CONFIG_CORRUPTED
    (
        0x8033_8005,
        "On the target run: winrm invoke Restore winrm/config @{} and then re-apply your settings.",
    ),
    // ERROR_WSMAN_PULL_IN_PROGRESS
    (
        0x8033_8006,
        "Retry; run one enumeration at a time per context.",
    ),
    // ERROR_WSMAN_ENUMERATION_CLOSED
    (0x8033_8007, "Start the enumerate again."),
    // ERROR_WSMAN_UNSUPPORTED_TIMEOUT
    (0x8033_800C, "Raise -timeout (milliseconds)."),
    // ERROR_WSMAN_SOAP_VERSION_MISMATCH
    (
        0x8033_800D,
        "The endpoint may not be WS-Management at all; check the -r URL and path.",
    ),
    // ERROR_WSMAN_SOAP_DATA_ENCODING_UNKNOWN
    (0x8033_800E, "Try -encoding:utf-8."),
    // ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER
    (
        0x8033_800F,
        "Drop extension switches such as -locale or -maxenvelopesize and try again.",
    ),
    // ERROR_WSMAN_SOAP_FAULT_MUST_UNDERSTAND
    (
        0x8033_8010,
        "Drop optional switches (-locale, -fragment, -options) and retry.",
    ),
    // ERROR_WSMAN_MESSAGE_INFORMATION_HEADER_REQUIRED
    (
        0x8033_8011,
        "Report the command line as a bug: the client built a message the service could not read.",
    ),
    // ERROR_WSMAN_DESTINATION_UNREACHABLE
    (
        0x8033_8012,
        "Check -r, the port, and that WinRM is running and listening on the target (on Windows: winrm quickconfig there).",
    ),
    // ERROR_WSMAN_ACTION_NOT_SUPPORTED
    (
        0x8033_8013,
        "Some resources are read-only or enumerate-only; check what the class offers.",
    ),
    // ERROR_WSMAN_ENDPOINT_UNAVAILABLE
    (
        0x8033_8014,
        "Retry later, or check the service behind the resource on the target.",
    ),
    // ERROR_WSMAN_INVALID_REPRESENTATION
    (
        0x8033_8015,
        "Start from the output of winrm get URI -format:xml and edit that.",
    ),
    // ERROR_WSMAN_ENUMERATE_FILTERING_NOT_SUPPORTED
    (0x8033_8018, "Remove -filter and filter the output locally."),
    // ERROR_WSMAN_ENUMERATE_FILTER_DIALECT_REQUESTED_UNAVAILABLE
    (
        0x8033_8019,
        "Try another -dialect (wql, selector, association) or drop the filter.",
    ),
    // ERROR_WSMAN_ENUMERATE_CANNOT_PROCESS_FILTER
    (
        0x8033_801A,
        "Check the -filter text and the class name in the URI; with WQL use a wmi/.../* URI.",
    ),
    // ERROR_WSMAN_ENUMERATE_INVALID_ENUMERATION_CONTEXT
    (
        0x8033_801B,
        "Start the enumerate again; long pauses between pulls let contexts expire.",
    ),
    // ERROR_WSMAN_ENUMERATE_TIMED_OUT
    (
        0x8033_801C,
        "Pull again; if it keeps happening, raise -timeout.",
    ),
    // ERROR_WSMAN_ENUMERATE_UNABLE_TO_RENEW
    (0x8033_801D, "Start the enumerate again."),
    // ERROR_WSMAN_ENVELOPE_TOO_LARGE
    (
        0x8033_8026,
        "Raise the limit with -maxenvelopesize, or on the target: winrm set winrm/config @{MaxEnvelopeSizekb=\"8192\"}",
    ),
    // ERROR_WSMAN_INVALID_SOAP_BODY
    (
        0x8033_8027,
        "For set, create and invoke, check the @{...} input or the -file contents.",
    ),
    // ERROR_WSMAN_OPERATION_TIMEDOUT
    (
        0x8033_8029,
        "Raise -timeout (milliseconds); the service also caps it with its own MaxTimeoutms.",
    ),
    // ERROR_WSMAN_UNSUPPORTED_ENCODING
    (0x8033_802C, "Use -encoding:utf-8 (or utf-16)."),
    // ERROR_WSMAN_URI_LIMIT
    (0x8033_802D, "Shorten the resource URI or its selectors."),
    // ERROR_WSMAN_ACTION_MISMATCH
    (
        0x8033_8031,
        "Check that the verb suits the resource, for example invoke with a method the class has.",
    ),
    // ERROR_WSMAN_CONCURRENCY
    (0x8033_8032, "Retry in a moment."),
    // ERROR_WSMAN_ALREADY_EXISTS
    (0x8033_8033, "Use set to change it, or delete it first."),
    // ERROR_WSMAN_ENCODING_LIMIT
    (
        0x8033_8035,
        "Send less per request, or on the target raise the limit: winrm set winrm/config @{MaxEnvelopeSizekb=\"8192\"}",
    ),
    // ERROR_WSMAN_FAILED_AUTHENTICATION
    (0x8033_8036, "Check -u, the password and -a."),
    // ERROR_WSMAN_INVALID_OPTIONS
    (
        0x8033_8039,
        "Check the spelling of the -options keys and which values the provider accepts.",
    ),
    // ERROR_WSMAN_INVALID_PARAMETER
    (
        0x8033_803A,
        "Check the property names and values in @{...} or the -file body.",
    ),
    // ERROR_WSMAN_INVALID_RESOURCE_URI
    (
        0x8033_803B,
        "See winrm help uris for URI forms and aliases.",
    ),
    // ERROR_WSMAN_INVALID_SELECTORS
    (
        0x8033_803D,
        "Use the key properties of the class as selectors, e.g. wmicimv2/Win32_Service?Name=spooler.",
    ),
    // ERROR_WSMAN_QUOTA_LIMIT
    (
        0x8033_803F,
        "Retry later, or raise the quotas under winrm/config/service on the target.",
    ),
    // ERROR_WSMAN_SCHEMA_VALIDATION_ERROR
    (
        0x8033_8041,
        "For -file bodies, compare with winrm get URI -format:xml.",
    ),
    // ERROR_WSMAN_UNSUPPORTED_FEATURE
    (
        0x8033_8042,
        "Drop optional switches (-locale, -fragment, -ReturnType, -options) one by one.",
    ),
    // ERROR_WSMAN_INVALID_XML
    (0x8033_8043, "Check the -file body with an XML linter."),
    // ERROR_WSMAN_INVALID_KEY
    (
        0x8033_8044,
        "Remove the extra ?Name=Value parts from the URI.",
    ),
    // ERROR_WSMAN_MAX_ENVELOPE_SIZE
    (0x8033_8047, "Lower -maxenvelopesize."),
    // ERROR_WSMAN_MAX_ENVELOPE_SIZE_EXCEEDED
    (
        0x8033_8048,
        "Raise -maxenvelopesize, or fetch less per request (a filter or a -fragment).",
    ),
    // ERROR_WSMAN_SERVER_ENVELOPE_LIMIT
    (
        0x8033_8049,
        "On the target: winrm set winrm/config @{MaxEnvelopeSizekb=\"8192\"}",
    ),
    // ERROR_WSMAN_SELECTOR_LIMIT
    (0x8033_804A, "Use only the key properties as selectors."),
    // ERROR_WSMAN_OPTION_LIMIT
    (0x8033_804B, "Pass fewer -options."),
    // ERROR_WSMAN_CHARACTER_SET
    (0x8033_804C, "Use -encoding:utf-8 (or utf-16)."),
    // ERROR_WSMAN_FILTERING_REQUIRED
    (0x8033_804F, "Try another -dialect, or drop -filter."),
    // ERROR_WSMAN_OPTIONS_NOT_SUPPORTED
    (
        0x8033_8051,
        "Remove the -options entry the provider does not know.",
    ),
    // ERROR_WSMAN_OPTIONS_INVALID_NAME
    (0x8033_8052, "Check the keys given in -options."),
    // ERROR_WSMAN_OPTIONS_INVALID_VALUE
    (0x8033_8053, "Check the values given in -options."),
    // ERROR_WSMAN_PARAMETER_TYPE_MISMATCH
    (
        0x8033_8054,
        "Check the value types in @{...} or -file against the class definition.",
    ),
    // ERROR_WSMAN_INVALID_PARAMETER_NAME
    (
        0x8033_8055,
        "Names are case-sensitive for WMI; check them against the class or method.",
    ),
    // ERROR_WSMAN_INVALID_XML_VALUES
    (0x8033_8056, "Check the values in @{...} or -file."),
    // ERROR_WSMAN_INVALID_XML_MISSING_VALUES
    (
        0x8033_8057,
        "Supply every required property or method parameter.",
    ),
    // ERROR_WSMAN_INVALID_XML_NAMESPACE
    (
        0x8033_8058,
        "The root element's namespace must equal the resource URI (without ?selectors).",
    ),
    // ERROR_WSMAN_INVALID_XML_FRAGMENT
    (0x8033_8059, "Check -fragment and the body sent with it."),
    // ERROR_WSMAN_INSUFFCIENT_SELECTORS
    (
        0x8033_805A,
        "Add the missing key properties to the URI as ?Key=Value+Key2=Value2.",
    ),
    // ERROR_WSMAN_UNEXPECTED_SELECTORS
    (
        0x8033_805B,
        "Remove selectors that are not keys of the class; check their spelling.",
    ),
    // ERROR_WSMAN_SELECTOR_TYPEMISMATCH
    (0x8033_805C, "Check that numeric keys are given as numbers."),
    // ERROR_WSMAN_INVALID_SELECTOR_VALUE
    (
        0x8033_805D,
        "Check the selector values; quote the whole URI if they contain spaces.",
    ),
    // ERROR_WSMAN_AMBIGUOUS_SELECTORS
    (
        0x8033_805E,
        "Add more key selectors so that exactly one instance matches.",
    ),
    // ERROR_WSMAN_DUPLICATE_SELECTORS
    (0x8033_805F, "Give each ?Name=Value only once."),
    // ERROR_WSMAN_LOCALE_NOT_SUPPORTED
    (0x8033_8067, "Drop -locale or pick a locale the target has."),
    // ERROR_WSMAN_MAXENVELOPE_SIZE_NOT_SUPPORTED
    (0x8033_806E, "Adjust or drop -maxenvelopesize."),
    // ERROR_WSMAN_FILTERING_REQUIRED_NOT_SUPPORTED
    (
        0x8033_8070,
        "Add a -filter (for WMI, a WQL query on a wmi/.../* URI).",
    ),
    // ERROR_WSMAN_BAD_METHOD
    (
        0x8033_8074,
        "The URL probably does not point at a WS-Management endpoint; check the path in -r.",
    ),
    // ERROR_WSMAN_UNSUPPORTED_MEDIA
    (0x8033_8075, "Try -encoding:utf-8."),
    // ERROR_WSMAN_FRAGMENT_TRANSFER_NOT_SUPPORTED
    (
        0x8033_8077,
        "Drop -fragment and work on the whole resource.",
    ),
    // ERROR_WSMAN_CONNECTOR_GET
    (
        0x8033_8079,
        "Check the resource URI prefix; the plugin for it may not be installed on the target.",
    ),
    // ERROR_WSMAN_URI_QUERY_STRING_SYNTAX_ERROR
    (
        0x8033_807A,
        "Write selectors as URI?Name=Value+Other=Value2 and quote the URI for the shell.",
    ),
    // ERROR_WSMAN_MIN_ENVELOPE_SIZE
    (0x8033_807E, "Raise -maxenvelopesize or drop it."),
    // ERROR_WSMAN_INVALID_TIMEOUT_HEADER
    (
        0x8033_8081,
        "Give -timeout as a plain number of milliseconds.",
    ),
    // ERROR_WSMAN_CERT_NOT_FOUND
    (
        0x8033_8082,
        "Check the CertificateThumbprint value used on the target.",
    ),
    // ERROR_WSMAN_PLUGIN_FAILED
    (
        0x8033_8083,
        "Look for a ProviderFault in the fault text and at the target's event logs.",
    ),
    // ERROR_WSMAN_ENUMERATION_INVALID
    (0x8033_8084, "Start the enumerate again."),
    // ERROR_WSMAN_ENUMERATION_MODE_UNSUPPORTED
    (0x8033_8086, "Drop -ReturnType or use -ReturnType:object."),
    // ERROR_WSMAN_MUSTUNDERSTAND_ON_LOCALE_UNSUPPORTED
    (0x8033_8087, "Drop -locale."),
    // ERROR_WSMAN_LISTENER_ADDRESS_INVALID
    (
        0x8033_8089,
        "Use Address=* or IP:a.b.c.d or MAC:xx-xx-... in the Listener selectors.",
    ),
    // ERROR_WSMAN_CONFIG_CANNOT_CHANGE_GPO_CONTROLLED_SETTING
    (
        0x8033_808A,
        "Change the Group Policy object that sets it; winrm get shows such values with [Source=\"GPO\"].",
    ),
    // ERROR_WSMAN_FRAGMENT_DIALECT_REQUESTED_UNAVAILABLE
    (0x8033_8090, "Drop -dialect when using -fragment."),
    // ERROR_WSMAN_MISSING_FRAGMENT_PATH
    (0x8033_8091, "Add -fragment:PATH, or drop -dialect."),
    // ERROR_WSMAN_INVALID_FRAGMENT_DIALECT
    (0x8033_8092, "Drop -dialect when using -fragment."),
    // ERROR_WSMAN_INVALID_FRAGMENT_PATH
    (
        0x8033_8093,
        "Property names in -fragment are case-sensitive, e.g. -fragment:'Status/text()' (quoted for the shell).",
    ),
    // ERROR_WSMAN_PROVIDER_LOAD_FAILED
    (
        0x8033_809A,
        "The problem is on the target; check its event logs and the plugin configuration.",
    ),
    // ERROR_WSMAN_INVALID_HOSTNAME_PATTERN
    (
        0x8033_809F,
        "Use comma-separated names, IPs or wildcards, e.g. @{TrustedHosts=\"srv1,*.corp\"}.",
    ),
    // ERROR_WSMAN_CLIENT_UNENCRYPTED_HTTP_ONLY
    (
        0x8033_80D7,
        "Drop -unencrypted when using https or -usessl.",
    ),
    // ERROR_WSMAN_CANNOT_USE_CERTIFICATES_FOR_HTTP
    (0x8033_80D8, "Use -usessl or an https:// address."),
    // ERROR_WSMAN_CONNECTIONSTR_INVALID
    (
        0x8033_80D9,
        "Write IPv6 addresses in brackets, e.g. -r:https://[fe80::1]:5986.",
    ),
    // ERROR_WSMAN_TRANSPORT_NOT_SUPPORTED
    (0x8033_80DA, "Use http:// or https:// in -r."),
    // ERROR_WSMAN_PORT_INVALID
    (0x8033_80DB, "Fix the :port part of -r."),
    // ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED
    (
        0x8033_80DE,
        "Use -usessl, or -unencrypted (a Windows client also needs AllowUnencrypted=\"true\" in winrm/config/client).",
    ),
    // ERROR_WSMAN_CLIENT_BASIC_AUTHENTICATION_DISABLED
    (
        0x8033_80DF,
        "Choose another -a scheme, or enable Basic in the client configuration.",
    ),
    // ERROR_WSMAN_SERVER_NOT_TRUSTED
    (
        0x8033_80E4,
        "Use -usessl, or add the host to TrustedHosts on the Windows client that raised this.",
    ),
    // ERROR_WSMAN_EXPLICIT_CREDENTIALS_REQUIRED
    (0x8033_80E5, "Give -u and a password."),
    // ERROR_WSMAN_CANNOT_CHANGE_KEYS
    (
        0x8033_80ED,
        "Leave key properties out of the set input; create a new instance instead.",
    ),
    // ERROR_WSMAN_RESPONSE_INVALID_ENUMERATION_CONTEXT
    (
        0x8033_80F1,
        "The server's reply is malformed; report it to the server's vendor.",
    ),
    // ERROR_WSMAN_RESPONSE_NO_SOAP_HEADER_BODY
    (
        0x8033_80F4,
        "Check that -r points at a WS-Management endpoint.",
    ),
    // ERROR_WSMAN_HTTP_NO_RESPONSE_DATA
    (
        0x8033_80F5,
        "Check the port and that the endpoint speaks WS-Management.",
    ),
    // ERROR_WSMAN_RESPONSE_INVALID_SOAP_FAULT
    (
        0x8033_80F6,
        "Check that -r points at a WS-Management endpoint.",
    ),
    // ERROR_WSMAN_HTTP_INVALID_CONTENT_TYPE_IN_RESPONSE_DATA
    (
        0x8033_80F7,
        "The URL probably reaches a web page or proxy, not WS-Management; check the path in -r.",
    ),
    // ERROR_WSMAN_CANNOT_DECRYPT
    (0x8033_80F9, "Retry; if it persists, use HTTPS (-usessl)."),
    // ERROR_WSMAN_INVALID_URI_WMI_SINGLETON
    (
        0x8033_80FA,
        "Add the key selectors (?Name=Value) or use enumerate.",
    ),
    // ERROR_WSMAN_INVALID_URI_WMI_ENUM_WQL
    (
        0x8033_80FB,
        "Use e.g. wmicimv2/* -filter:\"select * from Win32_Service\".",
    ),
    // ERROR_WSMAN_WMI_PROVIDER_NOT_CAPABLE
    (
        0x8033_8102,
        "Many classes are read-only; use their methods with invoke instead of set.",
    ),
    // ERROR_WSMAN_WMI_INVALID_VALUE
    (
        0x8033_8103,
        "Check the property types in the class definition.",
    ),
    // ERROR_WSMAN_WMI_SVC_ACCESS_DENIED
    (
        0x8033_8104,
        "Use an admin account, or grant the account rights in WMI on the target.",
    ),
    // ERROR_WSMAN_WMI_PROVIDER_ACCESS_DENIED
    (
        0x8033_8105,
        "Use an admin account, or grant the account rights to the resource.",
    ),
    // ERROR_WSMAN_WMI_CANNOT_CONNECT_ACCESS_DENIED
    (
        0x8033_8106,
        "Grant the account rights on the namespace (wmimgmt.msc on the target).",
    ),
    // ERROR_WSMAN_INVALID_FILTER_XML
    (
        0x8033_8107,
        "Check the -filter text, especially quotes and braces.",
    ),
    // ERROR_WSMAN_ENUMERATE_WMI_INVALID_KEY
    (
        0x8033_8108,
        "Remove the selectors from the URI when enumerating.",
    ),
    // ERROR_WSMAN_INVALID_FRAGMENT_PATH_BLANK
    (
        0x8033_8109,
        "Give a value: -fragment:Name or -fragment:'Name/text()'.",
    ),
    // ERROR_WSMAN_INVALID_CHARACTERS_IN_RESPONSE
    (
        0x8033_810A,
        "The provider on the target returned bad data; try a -fragment or a narrower filter.",
    ),
    // ERROR_WSMAN_KERBEROS_IPADDRESS
    (
        0x8033_810B,
        "Use the host's DNS name, or another scheme over HTTPS.",
    ),
    // ERROR_WSMAN_CLIENT_WORKGROUP_NO_KERBEROS
    (
        0x8033_810C,
        "Use -a:basic with a local account on the target.",
    ),
    // ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST
    (
        0x8033_810E,
        "Name the host by its DNS name, or choose another scheme with -a.",
    ),
    // ERROR_WSMAN_UNKNOWN_HTTP_STATUS_RETURNED
    (
        0x8033_810F,
        "Check that -r points at a WS-Management endpoint.",
    ),
    // ERROR_WSMAN_UNSUPPORTED_HTTP_STATUS_REDIRECT
    (0x8033_8110, "Use the redirect target as -r directly."),
    // ERROR_WSMAN_HTTP_REQUEST_TOO_LARGE_STATUS
    (
        0x8033_8111,
        "Send a smaller body, or raise MaxEnvelopeSizekb on the target.",
    ),
    // ERROR_WSMAN_HTTP_SERVICE_UNAVAILABLE_STATUS
    (
        0x8033_8112,
        "Check that the WinRM service is running on the target, then retry.",
    ),
    // ERROR_WSMAN_HTTP_NOT_FOUND_STATUS
    (
        0x8033_8113,
        "Check the path in -r: it is usually /wsman (iDRAC, AMT, OMI and Windows alike).",
    ),
    // ERROR_WSMAN_INVALID_SELECTOR_NAME
    (
        0x8033_8118,
        "Selector names are letters, digits and underscores, as in ?Name=Value.",
    ),
    // ERROR_WSMAN_ENDPOINT_UNAVAILABLE_INVALID_VALUE
    (
        0x8033_811A,
        "Check the selector values (for shells, the ShellId); retry later if the resource was offline.",
    ),
    // ERROR_WSMAN_WMI_PROVIDER_INVALID_PARAMETER
    (
        0x8033_811E,
        "Check the @{...} names and values against the method's input parameters.",
    ),
    // ERROR_WSMAN_CANNOT_PROCESS_FILTER
    (0x8033_8122, "Check -filter and -dialect."),
    // ERROR_WSMAN_NETWORK_TIMEDOUT
    (
        0x8033_8126,
        "Check that the host is up and the port open; raise -timeout for slow operations.",
    ),
    // ERROR_WSMAN_PUBLIC_FIREWALL_PROFILE_ACTIVE
    (
        0x8033_8169,
        "On the target, switch that network to the Private or Domain profile, then run winrm quickconfig there.",
    ),
    // ERROR_WSMAN_INVALID_PROVIDER_RESPONSE
    (
        0x8033_816D,
        "Look at the target's event logs for the provider behind the resource.",
    ),
    // ERROR_WSMAN_HTTP_STATUS_SERVER_ERROR
    (
        0x8033_8170,
        "Often means the body was refused, e.g. plain HTTP when the service requires encryption; try -usessl.",
    ),
    // ERROR_WSMAN_HTTP_STATUS_BAD_REQUEST
    (0x8033_8171, "Check -encoding and the input body."),
    // ERROR_WSMAN_HTML_ERROR
    (
        0x8033_8173,
        "The URL probably reaches a web server or proxy, not WS-Management; check the path in -r.",
    ),
    // ERROR_WSMAN_QUOTA_MAX_SHELLS
    (
        0x8033_81A5,
        "Close unused shells, or raise MaxShellsPerUser under winrm/config/winrs on the target.",
    ),
    // ERROR_WSMAN_QUOTA_MAX_OPERATIONS
    (
        0x8033_81A6,
        "Retry later, or raise the limit under winrm/config/service on the target.",
    ),
    // ERROR_WSMAN_QUOTA_USER
    (
        0x8033_81A7,
        "Retry later, or raise the per-user quotas on the target.",
    ),
    // ERROR_WSMAN_QUOTA_SYSTEM
    (
        0x8033_81A8,
        "Retry later, or raise the quotas under winrm/config on the target.",
    ),
    // ERROR_WSMAN_QUOTA_MAX_SHELLUSERS
    (
        0x8033_81AB,
        "Retry later, or raise MaxConcurrentUsers under winrm/config/winrs on the target.",
    ),
    // ERROR_WSMAN_REMOTESHELLS_NOT_ALLOWED
    (
        0x8033_81AC,
        "On the target: winrm set winrm/config/winrs @{AllowRemoteShellAccess=\"true\"}",
    ),
    // ERROR_WSMAN_PULL_PARAMS_NOT_SAME_AS_ENUM
    (
        0x8033_81AD,
        "Keep -maxenvelopesize the same for the whole enumeration; report it if it persists.",
    ),
    // ERROR_WSMAN_NAME_NOT_RESOLVED
    (0x8033_81B9, "Check the host in -r, or use its IP address."),
    // ERROR_WSMAN_SSL_CONNECTION_ABORTED
    (
        0x8033_81BA,
        "Check that the port has an HTTPS listener, or drop -usessl.",
    ),
    // ERROR_WSMAN_DEFAULTAUTH_IPADDRESS
    (
        0x8033_81BB,
        "Use the host's DNS name, or -usessl with -u, or pick a scheme with -a.",
    ),
    // ERROR_WSMAN_INVALID_USESSL_PARAM
    (
        0x8033_81BE,
        "Use either -usessl or an https:// address in -r, not -usessl with http://.",
    ),
    // ERROR_WSMAN_SERVICE_REMOTE_ACCESS_DISABLED
    (
        0x8033_81DD,
        "Allow remote access in the target's WinRM configuration or policy.",
    ),
    // ERROR_WSMAN_REMOTE_CONNECTION_NOT_ALLOWED
    (
        0x8033_81E3,
        "Allow remote access in the plugin's configuration on the target (under winrm/config/plugin).",
    ),
    // ERROR_WSMAN_MUTUAL_AUTH_FAILED
    (
        0x8033_81F0,
        "Connect by the host's real DNS name and check its SPN and certificate.",
    ),
    // ERROR_WSMAN_DESTINATION_INVALID
    (
        0x8033_81F8,
        "Put IPv6 addresses in brackets, e.g. -r:[fe80::1].",
    ),
    // ERROR_WSMAN_UNSUPPORTED_FEATURE_IDENTIFY
    (
        0x8033_81F9,
        "Skip winrm identify and go straight to get or enumerate.",
    ),
    // ERROR_WSMAN_CLIENT_SESSION_UNUSABLE
    (
        0x8033_81FA,
        "Run the command again; it opens a new session.",
    ),
];

#[cfg(test)]
mod tests {
    use super::{HINTS, for_code};
    use winrm::protocol::codes;

    #[test]
    fn every_hint_is_for_a_known_number_in_order() {
        for pair in HINTS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{:#X} out of order", pair[1].0);
        }
        for (code, hint) in HINTS {
            assert!(codes::lookup(*code).is_some(), "{code:#X} is not in codes");
            assert!(!hint.trim().is_empty(), "{code:#X}");
        }
        assert!(for_code(5).is_some_and(|h| h.contains("Administrators")));
        assert_eq!(for_code(0xDEAD_BEEF), None);
    }
}
