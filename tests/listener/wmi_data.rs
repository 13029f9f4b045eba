//! The simulated contents of `root/cimv2`: Win32_Service (a realistic first
//! set, then generated `Svc0001`... up to the configured count),
//! Win32_SystemDriver, Win32_OperatingSystem (one instance) and
//! Win32_DependentService built from each service's dependency list.
//! Everything is deterministic so tests can assert on values.

use super::cim::{Class, Repo, Val};

pub const SERVICE_PROPS: &[&str] = &[
    "AcceptPause",
    "AcceptStop",
    "Caption",
    "CheckPoint",
    "CreationClassName",
    "DelayedAutoStart",
    "Description",
    "DesktopInteract",
    "DisplayName",
    "ErrorControl",
    "ExitCode",
    "InstallDate",
    "Name",
    "PathName",
    "ProcessId",
    "ServiceSpecificExitCode",
    "ServiceType",
    "Started",
    "StartMode",
    "StartName",
    "State",
    "Status",
    "SystemCreationClassName",
    "SystemName",
    "TagId",
    "WaitHint",
];

const DRIVER_PROPS: &[&str] = &[
    "AcceptPause",
    "AcceptStop",
    "Caption",
    "CreationClassName",
    "Description",
    "DesktopInteract",
    "DisplayName",
    "ErrorControl",
    "ExitCode",
    "InstallDate",
    "Name",
    "PathName",
    "ServiceSpecificExitCode",
    "ServiceType",
    "Started",
    "StartMode",
    "StartName",
    "State",
    "Status",
    "SystemCreationClassName",
    "SystemName",
    "TagId",
];

const LS: &str = "NT AUTHORITY\\LocalService";
const NS: &str = "NT AUTHORITY\\NetworkService";
const SYS: &str = "LocalSystem";

/// name, display name, description (our own words), binary path, start mode,
/// running, account, shared process, stoppable, dependencies.
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    bool,
    bool,
    &'static [&'static str],
);

#[rustfmt::skip]
const SERVICES: &[Spec] = &[
    ("Spooler", "Print Spooler", "Queues print jobs and talks to printers.", "C:\\Windows\\System32\\spoolsv.exe", "Auto", true, SYS, false, true, &["RPCSS", "http"]),
    ("WinRM", "Windows Remote Management (WS-Management)", "Answers WS-Management requests for remote management.", "C:\\Windows\\System32\\svchost.exe -k NetworkService -p", "Auto", true, NS, true, true, &["RPCSS", "HTTP"]),
    ("wuauserv", "Windows Update", "Finds, downloads and installs updates.", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p", "Manual", false, SYS, true, true, &["rpcss"]),
    ("W32Time", "Windows Time", "Keeps the clock in step with time servers.", "C:\\Windows\\system32\\svchost.exe -k LocalService", "Manual", true, LS, true, true, &[]),
    ("BITS", "Background Intelligent Transfer Service", "Moves files in the background using idle bandwidth.", "C:\\Windows\\System32\\svchost.exe -k netsvcs -p", "Manual", false, SYS, true, true, &["RpcSs"]),
    ("Dnscache", "DNS Client", "Caches DNS answers and registers this computer's name.", "C:\\Windows\\system32\\svchost.exe -k NetworkService -p", "Auto", true, NS, true, false, &["nsi"]),
    ("EventLog", "Windows Event Log", "Stores and serves event log entries.", "C:\\Windows\\System32\\svchost.exe -k LocalServiceNetworkRestricted -p", "Auto", true, LS, true, false, &[]),
    ("LanmanServer", "Server", "Shares files and printers over the network.", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p", "Auto", true, SYS, true, true, &["SamSS", "Srv2"]),
    ("LanmanWorkstation", "Workstation", "Makes client connections to network shares.", "C:\\Windows\\System32\\svchost.exe -k NetworkService -p", "Auto", true, NS, true, true, &["Bowser", "MRxSmb20", "NSI"]),
    ("RpcSs", "Remote Procedure Call (RPC)", "Hosts the COM and DCOM server infrastructure.", "C:\\Windows\\system32\\svchost.exe -k rpcss -p", "Auto", true, NS, true, false, &["RpcEptMapper", "DcomLaunch"]),
    ("RpcEptMapper", "RPC Endpoint Mapper", "Maps RPC interface identifiers to endpoints.", "C:\\Windows\\system32\\svchost.exe -k RPCSS -p", "Auto", true, NS, true, false, &[]),
    ("DcomLaunch", "DCOM Server Process Launcher", "Starts COM and DCOM servers on request.", "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p", "Auto", true, SYS, true, false, &[]),
    ("nsi", "Network Store Interface Service", "Tells programs about network configuration changes.", "C:\\Windows\\system32\\svchost.exe -k LocalService -p", "Auto", true, LS, true, true, &["rpcss", "nsiproxy"]),
    ("SamSS", "Security Accounts Manager", "Signals other services that the account database is ready.", "C:\\Windows\\system32\\lsass.exe", "Auto", true, SYS, true, false, &["RPCSS"]),
    ("Schedule", "Task Scheduler", "Runs tasks at set times or on events.", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p", "Auto", true, SYS, true, false, &["RPCSS", "SystemEventsBroker"]),
    ("SystemEventsBroker", "System Events Broker", "Delivers system events to background tasks.", "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p", "Auto", true, SYS, true, false, &["RpcEptMapper", "RpcSs"]),
    ("Netlogon", "Netlogon", "Keeps the secure channel to a domain controller.", "C:\\Windows\\system32\\lsass.exe", "Manual", false, SYS, true, true, &["LanmanWorkstation"]),
    ("TermService", "Remote Desktop Services", "Accepts interactive remote desktop sessions.", "C:\\Windows\\System32\\svchost.exe -k NetworkService", "Manual", true, NS, true, true, &["RPCSS"]),
    ("BFE", "Base Filtering Engine", "Manages firewall and IPsec filtering policies.", "C:\\Windows\\system32\\svchost.exe -k LocalServiceNoNetworkFirewall -p", "Auto", true, LS, true, false, &["RpcSs"]),
    ("MpsSvc", "Windows Defender Firewall", "Filters network traffic to protect the computer.", "C:\\Windows\\system32\\svchost.exe -k LocalServiceNoNetworkFirewall -p", "Auto", true, LS, true, false, &["BFE"]),
    ("CryptSvc", "Cryptographic Services", "Maintains catalog databases and root certificates.", "C:\\Windows\\system32\\svchost.exe -k NetworkService -p", "Auto", true, NS, true, true, &["RpcSs"]),
    ("Winmgmt", "Windows Management Instrumentation", "Serves WMI management data and operations.", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p", "Auto", true, SYS, true, true, &["RPCSS"]),
    ("Dhcp", "DHCP Client", "Obtains and renews IP addresses for this computer.", "C:\\Windows\\system32\\svchost.exe -k LocalServiceNetworkRestricted -p", "Auto", true, LS, true, true, &["Afd", "NSI"]),
    ("PlugPlay", "Plug and Play", "Recognises and configures hardware changes.", "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p", "Manual", true, SYS, true, false, &[]),
    ("ProfSvc", "User Profile Service", "Loads and unloads user profiles.", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p", "Auto", true, SYS, true, false, &["RpcSs"]),
    ("gpsvc", "Group Policy Client", "Applies settings configured by administrators.", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p", "Auto", true, SYS, true, false, &["RPCSS"]),
    ("TrustedInstaller", "Windows Modules Installer", "Installs and removes Windows updates and components.", "C:\\Windows\\servicing\\TrustedInstaller.exe", "Manual", false, SYS, false, true, &[]),
    ("VSS", "Volume Shadow Copy", "Creates shadow copies of volumes for backups.", "C:\\Windows\\system32\\vssvc.exe", "Manual", false, SYS, false, true, &["RPCSS"]),
    ("Appinfo", "Application Information", "Runs programs with extra administrative privileges.", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p", "Manual", true, SYS, true, true, &["RpcSs", "ProfSvc"]),
    ("AudioSrv", "Windows Audio", "Manages audio for Windows programs.", "C:\\Windows\\System32\\svchost.exe -k LocalServiceNetworkRestricted -p", "Manual", false, LS, true, true, &["RpcSs"]),
    ("WSearch", "Windows Search", "Indexes files, e-mail and other content.", "C:\\Windows\\system32\\SearchIndexer.exe /Embedding", "Disabled", false, SYS, false, true, &["RPCSS"]),
];

/// name, display name, description, binary, start mode.
#[rustfmt::skip]
const DRIVERS: &[(&str, &str, &str, &str)] = &[
    ("HTTP", "HTTP Service", "Kernel-mode HTTP listener used by HTTP.sys.", "system32\\drivers\\HTTP.sys"),
    ("Tcpip", "TCP/IP Protocol Driver", "The TCP/IP network stack.", "system32\\drivers\\tcpip.sys"),
    ("Afd", "Ancillary Function Driver for Winsock", "Kernel support for Winsock.", "system32\\drivers\\afd.sys"),
    ("Srv2", "Server SMB 2.xxx Driver", "SMB 2 server protocol driver.", "System32\\DRIVERS\\srv2.sys"),
    ("MRxSmb20", "SMB 2.0 MiniRedirector", "SMB 2 client redirector.", "system32\\DRIVERS\\mrxsmb20.sys"),
    ("Bowser", "Browser", "Network browser support driver.", "system32\\DRIVERS\\bowser.sys"),
    ("nsiproxy", "NSI Proxy Service Driver", "Kernel side of the network store interface.", "system32\\drivers\\nsiproxy.sys"),
];

pub fn build(count: usize, machine: &str) -> Repo {
    let mut services = Class::new("Win32_Service", SERVICE_PROPS, &["Name"]);
    let mut deps: Vec<Vec<&'static str>> = Vec::new();
    for (i, s) in SERVICES.iter().take(count).enumerate() {
        let (name, display, desc, path, mode, running, account, shared, stoppable, d) = *s;
        let kind = if shared {
            "Share Process"
        } else {
            "Own Process"
        };
        let pid = if running { 400 + 52 * i as u32 } else { 0 };
        let svc = service(name, display, desc, path, mode, running, account, kind, pid);
        services.push(with_accept(svc, running && stoppable, machine));
        deps.push(d.to_vec());
    }
    for n in SERVICES.len()..count {
        let i = n - SERVICES.len() + 1;
        let mode = ["Auto", "Manual", "Auto", "Manual", "Disabled"][i % 5];
        let running = mode == "Auto" || i.is_multiple_of(7) && mode == "Manual";
        let name = format!("Svc{i:04}");
        let display = format!("Test Service {i:04}");
        let desc = format!("Generated service number {i} of the test listener.");
        let path = format!("C:\\Program Files\\TestServices\\svc{i:04}.exe");
        let pid = if running { 6000 + 4 * i as u32 } else { 0 };
        let svc = service(
            &name,
            &display,
            &desc,
            &path,
            mode,
            running,
            SYS,
            "Own Process",
            pid,
        );
        services.push(with_accept(svc, running, machine));
        deps.push(if i.is_multiple_of(10) {
            vec!["RpcSs"]
        } else {
            Vec::new()
        });
    }

    let mut drivers = Class::new("Win32_SystemDriver", DRIVER_PROPS, &["Name"]);
    for (i, (name, display, desc, path)) in DRIVERS.iter().enumerate() {
        drivers.push(vec![
            Val::Bool(false),
            Val::Bool(true),
            Val::str(display),
            Val::str("Win32_SystemDriver"),
            Val::str(desc),
            Val::Bool(false),
            Val::str(display),
            Val::str("Normal"),
            Val::num(0),
            Val::Nil,
            Val::str(name),
            Val::Str(format!("C:\\Windows\\{path}")),
            Val::num(0),
            Val::str("Kernel Driver"),
            Val::Bool(true),
            Val::str(if i < 3 { "System" } else { "Manual" }),
            Val::str(""),
            Val::str("Running"),
            Val::str("OK"),
            Val::str("Win32_ComputerSystem"),
            Val::str(machine),
            Val::num(0),
        ]);
    }

    let mut repo = Repo {
        classes: vec![services, drivers, operating_system(machine)],
        links: Vec::new(),
    };
    // Resolve dependency names the way the Service Control Manager does
    // (case-insensitively, services first, then drivers).
    for (i, names) in deps.iter().enumerate() {
        for d in names {
            let target = repo.classes[0]
                .find(d)
                .map(|j| (0, j))
                .or_else(|| repo.classes[1].find(d).map(|j| (1, j)));
            if let Some(t) = target {
                repo.links.push((t, (0, i)));
            }
        }
    }
    let mut dependent = Class::new(
        "Win32_DependentService",
        &["Antecedent", "Dependent", "TypeOfDependency"],
        &["Antecedent", "Dependent"],
    );
    for ((ac, ai), (dc, di)) in repo.links.clone() {
        let a = &repo.classes[ac];
        let d = &repo.classes[dc];
        let a_name = a.get(ai, "Name").as_text().unwrap_or_default();
        let d_name = d.get(di, "Name").as_text().unwrap_or_default();
        dependent.push(vec![
            Val::Ref(a.name.to_string(), a_name),
            Val::Ref(d.name.to_string(), d_name),
            Val::Nil,
        ]);
    }
    repo.classes.push(dependent);
    repo
}

#[allow(clippy::too_many_arguments)]
fn service(
    name: &str,
    display: &str,
    desc: &str,
    path: &str,
    mode: &str,
    running: bool,
    account: &str,
    kind: &str,
    pid: u32,
) -> Vec<Val> {
    vec![
        Val::Bool(false),
        Val::Bool(false), // AcceptStop, filled by with_accept
        Val::str(display),
        Val::num(0),
        Val::str("Win32_Service"),
        Val::Bool(false),
        Val::str(desc),
        Val::Bool(false),
        Val::str(display),
        Val::str(if mode == "Disabled" {
            "Ignore"
        } else {
            "Normal"
        }),
        Val::num(if running { 0 } else { 1077 }),
        Val::Nil,
        Val::str(name),
        Val::str(path),
        Val::num(pid),
        Val::num(0),
        Val::str(kind),
        Val::Bool(running),
        Val::str(mode),
        Val::str(account),
        Val::str(if running { "Running" } else { "Stopped" }),
        Val::str("OK"),
        Val::str("Win32_ComputerSystem"),
        Val::str(""), // SystemName, filled by with_accept
        Val::num(0),
        Val::num(0),
    ]
}

fn with_accept(mut vals: Vec<Val>, accept_stop: bool, machine: &str) -> Vec<Val> {
    vals[1] = Val::Bool(accept_stop);
    vals[23] = Val::str(machine);
    vals
}

/// Whether StopService may stop this service (RpcSs and friends refuse).
pub fn stoppable(name: &str) -> bool {
    SERVICES
        .iter()
        .find(|s| s.0.eq_ignore_ascii_case(name))
        .is_none_or(|s| s.8)
}

fn operating_system(machine: &str) -> Class {
    #[rustfmt::skip]
    let props: Vec<(&'static str, Val)> = vec![
        ("BootDevice", Val::str("\\Device\\HarddiskVolume1")),
        ("BuildNumber", Val::str("17763")),
        ("BuildType", Val::str("Multiprocessor Free")),
        ("Caption", Val::str("Microsoft Windows Server 2019 Datacenter")),
        ("CodeSet", Val::str("1252")),
        ("CountryCode", Val::str("1")),
        ("CreationClassName", Val::str("Win32_OperatingSystem")),
        ("CSCreationClassName", Val::str("Win32_ComputerSystem")),
        ("CSDVersion", Val::Nil),
        ("CSName", Val::str(machine)),
        ("CurrentTimeZone", Val::num(0)),
        ("Debug", Val::Bool(false)),
        ("Description", Val::str("")),
        ("Distributed", Val::Bool(false)),
        ("EncryptionLevel", Val::num(256)),
        ("ForegroundApplicationBoost", Val::num(2)),
        ("FreePhysicalMemory", Val::num(6_291_456)),
        ("FreeSpaceInPagingFiles", Val::num(1_310_720)),
        ("FreeVirtualMemory", Val::num(7_340_032)),
        ("InstallDate", Val::Datetime("2026-10-20T14:03:11+00:00".into())),
        ("LastBootUpTime", Val::Datetime("2026-11-01T08:00:00.5+00:00".into())),
        ("LocalDateTime", Val::Datetime("2026-11-01T12:00:00.25+00:00".into())),
        ("Locale", Val::str("0409")),
        ("Manufacturer", Val::str("Microsoft Corporation")),
        ("MaxNumberOfProcesses", Val::num(4_294_967_295u32)),
        ("MaxProcessMemorySize", Val::num(137_438_953_344u64)),
        ("MUILanguages", Val::Array(vec!["en-US".into(), "de-DE".into()])),
        ("Name", Val::str("Microsoft Windows Server 2019 Datacenter|C:\\Windows|\\Device\\Harddisk0\\Partition2")),
        ("NumberOfLicensedUsers", Val::num(0)),
        ("NumberOfProcesses", Val::num(87)),
        ("NumberOfUsers", Val::num(2)),
        ("OperatingSystemSKU", Val::num(8)),
        ("Organization", Val::str("")),
        ("OSArchitecture", Val::str("64-bit")),
        ("OSLanguage", Val::num(1033)),
        ("OSProductSuite", Val::num(400)),
        ("OSType", Val::num(18)),
        ("OtherTypeDescription", Val::Nil),
        ("PortableOperatingSystem", Val::Bool(false)),
        ("Primary", Val::Bool(true)),
        ("ProductType", Val::num(3)),
        ("RegisteredUser", Val::str("Windows User")),
        ("SerialNumber", Val::str("00430-00000-00000-AA000")),
        ("ServicePackMajorVersion", Val::num(0)),
        ("ServicePackMinorVersion", Val::num(0)),
        ("SizeStoredInPagingFiles", Val::num(1_310_720)),
        ("Status", Val::str("OK")),
        ("SuiteMask", Val::num(400)),
        ("SystemDevice", Val::str("\\Device\\HarddiskVolume2")),
        ("SystemDirectory", Val::str("C:\\Windows\\system32")),
        ("SystemDrive", Val::str("C:")),
        ("TotalVirtualMemorySize", Val::num(9_699_328)),
        ("TotalVisibleMemorySize", Val::num(8_388_608)),
        ("Version", Val::str("10.0.17763")),
        ("WindowsDirectory", Val::str("C:\\Windows")),
    ];
    let names: Vec<&'static str> = props.iter().map(|(n, _)| *n).collect();
    let mut class = Class::new("Win32_OperatingSystem", &names, &["Name"]);
    class.singleton = true;
    class.push(props.into_iter().map(|(_, v)| v).collect());
    class
}
