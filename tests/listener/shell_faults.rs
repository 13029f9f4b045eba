//! The faults a Windows WinRS shell sends, shaped after the captured
//! fixtures named on each constructor (codes, subcodes, detail elements and,
//! because the fixtures hold them, the English texts too).

use super::codes as code;
use super::faults::{ACTION_WSMAN, Fault, Message};
use super::xml::{NS_FAULT, esc};

const SELECTORS_REASON: &str = "The WS-Management service cannot process the request because the \
                                request contained invalid selectors for the resource.";

/// The WinRS plug-in's text-only `f:ProviderFault`.
fn cmd_plugin(text: &str) -> Message {
    Message::Raw(format!(
        "<f:ProviderFault provider=\"Shell cmd plugin\" \
         path=\"%systemroot%\\system32\\winrscmd.dll\">{} </f:ProviderFault>",
        esc(text)
    ))
}

/// A Receive that saw nothing new within its OperationTimeout; clients poll
/// again (fixture fault-timedout-receive).
pub fn timed_out() -> Fault {
    let text = "The WS-Management service cannot complete the operation within the time \
                specified in OperationTimeout. ";
    Fault::new(
        ACTION_WSMAN,
        "w:TimedOut",
        text,
        code::OPERATION_TIMEDOUT,
        text,
    )
    .receiver()
}

/// A CommandId the shell does not know, or a command already finished and
/// reported (fixture fault-invalid-command-id).
pub fn invalid_command_id() -> Fault {
    Fault::new(
        ACTION_WSMAN,
        "w:InvalidSelectors",
        SELECTORS_REASON,
        code::SHELL_INVALID_SELECTORS,
        "The Windows Remote Shell received a request to perform an operation on a command \
         identifier that does not exist. Either the command has completed execution or the \
         client specified an invalid command identifier.",
    )
    .detail("UnexpectedSelectors")
}

/// A ShellId that does not name an open shell (fixture
/// fault-invalid-selectors-nested-providerfault: the shell provider wraps
/// a second WSManFault).
pub fn invalid_shell(machine: &str) -> Fault {
    let mut f = Fault::new(
        ACTION_WSMAN,
        "w:InvalidSelectors",
        SELECTORS_REASON,
        code::SHELL_INVALID_SELECTORS,
        "",
    )
    .detail("UnexpectedSelectors");
    let inner = format!(
        "<f:ProviderFault provider=\"Shell provider\" path=\"%systemroot%\\system32\\WsmSvc.dll\">\
         <f:WSManFault xmlns:f=\"{NS_FAULT}\" Code=\"{}\" Machine=\"{}\"><f:Message>{} \
         </f:Message></f:WSManFault></f:ProviderFault>",
        code::SHELL_INVALID_SELECTORS,
        esc(machine),
        SELECTORS_REASON
    );
    f.wsman = Some(Box::new((
        code::SHELL_INVALID_SELECTORS,
        Message::Raw(inner),
    )));
    f
}

/// WINRS_SKIP_CMD_SHELL with a program that cannot be found (fixture
/// fault-internalerror-file-not-found).
pub fn file_not_found() -> Fault {
    let text = "The system cannot find the file specified.";
    let mut f = Fault::new(
        ACTION_WSMAN,
        "w:InternalError",
        text,
        code::FILE_NOT_FOUND,
        "",
    )
    .receiver();
    f.wsman = Some(Box::new((code::FILE_NOT_FOUND, cmd_plugin(text))));
    f
}

/// A Receive or Send without a CommandId, or a bad value in one (fixture
/// fault-invalid-parameter-87).
pub fn parameter_incorrect() -> Fault {
    let text = "The parameter is incorrect.";
    let mut f = Fault::new(
        ACTION_WSMAN,
        "w:InvalidParameter",
        text,
        code::WIN32_INVALID_PARAMETER,
        "",
    )
    .detail("InvalidValue");
    f.wsman = Some(Box::new((code::WIN32_INVALID_PARAMETER, cmd_plugin(text))));
    f
}

/// More shells than MaxShellsPerUser (fixture fault-quotalimit-msft-wmierror:
/// `w:QuotaLimit` carrying `p:MSFT_WmiError` instead of a WSManFault, and no
/// RelatesTo; the texts are the fixture's with our limit in place of 30).
pub fn quota(max: usize) -> Fault {
    let reason = "The WS-Management service cannot process the request. The maximum number of \
                  concurrent shells for this user has been exceeded. Close existing shells or \
                  raise the quota for this user.";
    let message = format!(
        "The WS-Management service cannot process the request. This user is allowed a maximum \
         number of {max} concurrent shells, which has been exceeded. Close existing shells or \
         raise the quota for this user. "
    );
    let mut f = Fault::new(
        ACTION_WSMAN,
        "w:QuotaLimit",
        reason,
        code::QUOTA_MAX_SHELLS,
        "",
    );
    f.relates = false;
    let nil = |name: &str, ty: &str| format!("<p:{name} xsi:nil=\"true\" xsi:type=\"cim:{ty}\"/>");
    let val =
        |name: &str, ty: &str, v: &str| format!("<p:{name} xsi:type=\"cim:{ty}\">{v}</p:{name}>");
    let fields = [
        val("CIMStatusCode", "cimUnsignedInt", "27"),
        nil("CIMStatusCodeDescription", "cimString"),
        nil("ErrorSource", "cimString"),
        val("ErrorSourceFormat", "cimUnsignedShort", "0"),
        val("ErrorType", "cimUnsignedShort", "0"),
        val("Message", "cimString", &esc(&message)),
        val("MessageID", "cimString", "HRESULT 0x803381a5"),
        nil("OtherErrorSourceFormat", "cimString"),
        nil("OtherErrorType", "cimString"),
        nil("OwningEntity", "cimString"),
        val("PerceivedSeverity", "cimUnsignedShort", "0"),
        val("ProbableCause", "cimUnsignedShort", "0"),
        nil("ProbableCauseDescription", "cimString"),
        val("error_Category", "cimUnsignedInt", "30"),
        val(
            "error_Code",
            "cimUnsignedInt",
            &code::QUOTA_MAX_SHELLS.to_string(),
        ),
        val("error_Type", "cimString", "HRESULT"),
        val("error_WindowsErrorMessage", "cimString", &esc(&message)),
    ];
    let detail = format!(
        "<p:MSFT_WmiError b:IsCIM_Error=\"true\" \
         xmlns:b=\"http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd\" \
         xmlns:cim=\"http://schemas.dmtf.org/wbem/wscim/1/common\" \
         xmlns:p=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError\" \
         xsi:type=\"p:MSFT_WmiError_Type\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">{}</p:MSFT_WmiError>",
        fields.concat()
    );
    f.wsman = Some(Box::new((code::QUOTA_MAX_SHELLS, Message::Replace(detail))));
    f
}

/// AllowRemoteShellAccess is false; also every request to a host whose
/// account has no rights (`Config::deny_access`). No capture of this fault
/// is at hand: the code is Win32 ERROR_ACCESS_DENIED, which `winrs` reports
/// as "Winrs error:Access is denied."; subcode and layout follow the other
/// WSManFaults above.
pub fn access_denied() -> Fault {
    Fault::new(
        ACTION_WSMAN,
        "w:AccessDenied",
        "Access is denied.",
        code::WIN32_ACCESS_DENIED,
        "Access is denied.",
    )
}
