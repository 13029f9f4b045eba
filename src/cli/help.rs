//! Text for `winrm help [TOPIC]`.
//!
//! Windows' winrm.cmd ships a long built-in help; this module holds our own
//! help, written for an administrator driving Windows hosts, Dell iDRACs,
//! Intel AMT and OMI servers from a Linux or macOS shell. Examples therefore
//! use POSIX shell quoting and keep passwords out of the command line.
//!
//! Each topic is a static string that fits an 80-column terminal, except
//! `switches`, whose list is generated from the switch table (compat's,
//! itself derived from the clap definition) and the auth method and output
//! format names of the library, so it cannot drift from what is accepted.
//! Topic names are matched case-insensitively and accept the same aliases
//! as winrm.cmd's help (operation abbreviations, switch names); an unknown
//! topic yields `None` and the caller prints the general help instead.
//!
//! The module only returns text: it does no I/O.

use std::fmt::Write as _;
use std::sync::OnceLock;

use winrm::render::Format;
use winrm::transport::Method;

use super::compat::{self, Switch};

/// The list of topics, for error messages and completions.
///
/// Every entry is accepted by [`topic`]; aliases (such as `id`, `enum` or
/// `alias`) are accepted too but not listed here.
pub const TOPICS: &[&str] = &[
    "uris",
    "aliases",
    "config",
    "remoting",
    "fleets",
    "auth",
    "input",
    "filters",
    "switches",
    "formats",
    "json",
    "exit",
    "helpmsg",
    "env",
    "identify",
    "get",
    "set",
    "create",
    "delete",
    "enumerate",
    "invoke",
    "exec",
    "quickconfig",
    "configsddl",
    "all",
];

/// Returns the help text for a topic, or `None` when the topic is unknown
/// (the caller then prints the general help plus the list of topics).
///
/// Matching ignores case, surrounding whitespace, leading `-`/`/` and a
/// trailing `:`, so `winrm help -R:` finds the same page as `remoting`.
#[must_use]
pub fn topic(name: &str) -> Option<&'static str> {
    let key = normalize(name);
    let text = match key.as_str() {
        "uris" | "uri" | "resource" | "resources" | "selectors" => URIS,
        "aliases" | "alias" => ALIASES,
        "config" | "configuration" | "trustedhosts" => CONFIG,
        "remoting" | "remote" | "r" | "machine" | "unencrypted" | "un" | "usessl" | "ssl"
        | "use-ssl" | "skipcacheck" | "skip-ca-check" | "skipcncheck" | "skip-cn-check"
        | "cacert" | "https" | "tls" | "proxy" | "proxy-access" | "proxyaccess" => REMOTING,
        "fleets" | "fleet" | "parallel" | "group" | "hosts" | "many" => FLEETS,
        "auth" | "authentication" | "a" | "username" | "u" | "password" | "password-file"
        | "credentials" | "certificate" | "default-creds" | "spn" | "spn-port" | "proxy-auth"
        | "proxy-username" | "proxy-password" => AUTH,
        "input" | "file" | "@{}" | "hash" => INPUT,
        "filters"
        | "filter"
        | "dialect"
        | "returntype"
        | "return-type"
        | "shallow"
        | "basepropertiesonly"
        | "base-properties-only"
        | "associations" => FILTERS,
        "switches" | "switch" => switches(),

        "formats" | "format" | "f" | "output" | "table" | "columns" | "property" | "color"
        | "colour" | "debug" | "v" => FORMATS,
        "json" | "jsonl" | "ndjson" | "array" => JSON,
        "exit" | "exitcodes" | "exit-codes" | "exit-status" => EXIT,
        "helpmsg" | "errors" | "error-codes" => HELPMSG,
        "env" | "environment" => ENV,
        "identify" | "id" => IDENTIFY,
        "get" | "g" => GET,
        "set" | "s" | "put" | "p" => SET,
        "create" | "c" => CREATE,
        "delete" | "d" => DELETE,
        "enumerate" | "e" | "enum" => ENUMERATE,
        "invoke" | "i" => INVOKE,
        "exec" | "x" | "winrs" | "shell" | "powershell" => EXEC,
        "quickconfig" | "qc" | "configsddl" => QUICKCONFIG,
        "all" => all(),
        // Any other switch name finds the list that describes it.
        name if compat::long_name(name).is_some() => switches(),
        _ => return None,
    };
    Some(text)
}

/// Lower-cases a topic name and strips switch decoration (`-r:` → `r`).
fn normalize(name: &str) -> String {
    let trimmed = name.trim();
    if trimmed == "@{}" {
        return trimmed.to_string();
    }
    trimmed
        .trim_start_matches(['-', '/'])
        .trim_end_matches(':')
        .to_ascii_lowercase()
}

/// Every distinct topic once, in reading order, for `winrm help all`.
fn sections() -> [&'static str; 23] {
    [
        URIS,
        ALIASES,
        REMOTING,
        FLEETS,
        AUTH,
        INPUT,
        FILTERS,
        switches(),
        FORMATS,
        JSON,
        EXIT,
        ENV,
        CONFIG,
        IDENTIFY,
        GET,
        SET,
        CREATE,
        DELETE,
        ENUMERATE,
        INVOKE,
        EXEC,
        HELPMSG,
        QUICKCONFIG,
    ]
}

/// All topics concatenated, built once on first use.
fn all() -> &'static str {
    static ALL: OnceLock<String> = OnceLock::new();
    ALL.get_or_init(|| sections().join("\n\n")).as_str()
}

/// Text of `winrm help uris`.
const URIS: &str = r#"winrm help uris -- resource URIs, aliases and selectors

Every operation except identify names a resource URI: the class, instance
or configuration node to act on. Give it in full, or start it with one of
these aliases (the first path segment; case does not matter):

  wmi       http://schemas.microsoft.com/wbem/wsman/1/wmi
  wmicimv2  http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2
  cimv2     http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2
  winrm     http://schemas.microsoft.com/wbem/wsman/1
  wsman     http://schemas.microsoft.com/wbem/wsman/1
  shell     http://schemas.microsoft.com/wbem/wsman/1/windows/shell

So winrm/config/client expands to
http://schemas.microsoft.com/wbem/wsman/1/config/client, and
wmicimv2/Win32_Service means the Win32_Service class in WMI's root/cimv2.
WMI URIs read wmi/NAMESPACE/CLASS, e.g. wmi/root/default/StdRegProv; use
* as the class (wmicimv2/*) for a WQL query, see winrm help filters.

Selectors pick one instance. Add them after '?' as Name=Value pairs joined
by '+'. Quote the URI so the shell leaves '?', '*' and '&' alone:

  'wmicimv2/Win32_Service?Name=spooler'
  'winrm/config/Listener?Address=*+Transport=HTTPS'

The selector __cimnamespace tells a CIM server (OMI, iDRAC, WMI) which
namespace holds a class when the URI itself does not say:

  'cimv2/CIM_RegisteredProfile?__cimnamespace=root/interop'

A URI that starts with http:// is used exactly as typed. Vendors publish
classes under their own prefixes; a shell variable keeps lines short:

  winrm id -r:https://srv01.corp.example:5986 -a:certificate \
      --cert ~/.config/winrm/me.pem --key ~/.config/winrm/me.key

  winrm e wmicimv2/Win32_Service -r:srv01.corp.example -a:kerberos \
      -u:alice@CORP.EXAMPLE --keytab ~/alice.keytab

  DCIM=http://schemas.dell.com/wbem/wscim/1/cim-schema/2    # Dell iDRAC
  AMT=http://intel.com/wbem/wscim/1/amt-schema/1            # Intel AMT
  OMI=http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2  # OMI, Linux
  CIM=http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2     # DMTF classes

  winrm e "$DCIM/DCIM_SystemView?__cimnamespace=root/dcim" ...
  winrm get "$AMT/AMT_GeneralSettings" ...
  winrm e "$OMI/OMI_Identify?__cimnamespace=root/omi" ...
  winrm e "$CIM/CIM_ComputerSystem" ...

The OMI one, written out, is
http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/OMI_Identify
followed by ?__cimnamespace=root/omi.

WMI class, property and method names are case-sensitive; the Windows
configuration URIs (winrm/config/...) are not.
"#;

/// Text of `winrm help aliases`.
const ALIASES: &str = r"winrm help aliases -- short names

Resource URI aliases replace the first segment of a URI:

  wmi       http://schemas.microsoft.com/wbem/wsman/1/wmi
  wmicimv2  http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2
  cimv2     http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2
  winrm     http://schemas.microsoft.com/wbem/wsman/1
  wsman     http://schemas.microsoft.com/wbem/wsman/1
  shell     http://schemas.microsoft.com/wbem/wsman/1/windows/shell

  winrm/config/service  ->  .../wbem/wsman/1/config/service
  shell/cmd             ->  .../wbem/wsman/1/windows/shell/cmd

Operations have abbreviations too:

  identify id    get g    set s, put, p    create c    delete d
  enumerate e, enum    invoke i

Switches have short forms (-r for -remote, -u for -username, ...); see
winrm help switches for the full list.
";

/// Text of `winrm help config`.
const CONFIG: &str = r#"winrm help config -- reading and changing WinRM settings on Windows

A Windows host publishes its WinRM settings as resources under
winrm/config. Read and change them with get and set like any resource,
from here over the network as an administrator of that host. (This client
keeps no configuration of its own: switches and environment variables
decide how it behaves.)

The examples assume WINRM_USER / WINRM_PASSWORD hold a local admin of
srv01 and that srv01 has an HTTPS listener; see winrm help auth and
winrm help remoting.

  winrm get winrm/config -r:https://srv01:5986 -a:basic
  winrm get winrm/config/service -r:https://srv01:5986 -a:basic
  winrm e winrm/config/listener -r:https://srv01:5986 -a:basic

  winrm set winrm/config '@{MaxEnvelopeSizekb="8192"}' \
      -r:https://srv01:5986 -a:basic
  winrm set winrm/config/service/auth '@{Basic="true"}' \
      -r:https://srv01:5986 -a:basic

Nested blocks have their own URIs: Basic lives in .../service/auth, not
in .../service. Put the hash in single quotes (see winrm help input).

TrustedHosts belongs to the Windows client side: it lists the hosts a
Windows machine may talk to without Kerberos. This client ignores it, but
you can still set it on a Windows box, e.g. a jump host:

  winrm set winrm/config/client '@{TrustedHosts="srv01,10.0.0.*"}' \
      -r:https://jump01:5986 -a:basic

Listeners decide where the service accepts requests:

  winrm create 'winrm/config/Listener?Address=*+Transport=HTTPS' \
      '@{Hostname="srv01.corp.example";CertificateThumbprint="AB12..."}' \
      -r:https://srv01:5986 -a:basic
  winrm delete 'winrm/config/Listener?Address=*+Transport=HTTP' \
      -r:https://srv01:5986 -a:basic

Do not delete the listener you are connected through. To put every
setting back to its default:

  winrm invoke Restore winrm/config '@{}' -r:https://srv01:5986 -a:basic
"#;

/// Text of `winrm help remoting`.
const REMOTING: &str = r#"winrm help remoting -- choosing the endpoint

  -r:TARGET  (also -remote:, -machine:, --remote TARGET)

TARGET is [http://|https://]HOST[:PORT][/PATH]. Parts left out are filled
in as follows:

  -r:srv01                    http://srv01:5985/wsman
  -r:srv01 -usessl            https://srv01:5986/wsman
  -r:srv01:8080               http://srv01:8080/wsman
  -r:http://srv01             http://srv01:80/wsman
  -r:https://srv01            https://srv01:443/wsman
  -r:https://srv01:5986       https://srv01:5986/wsman
  -r:http://amt1:16992/wsman  used as given
  -r:[fe80::1]                http://[fe80::1]:5985/wsman

Watch rows 4 and 5: with an explicit http:// or https:// but no port the
port is 80 or 443 (as with winrm.cmd), not 5985/5986. That suits iDRAC
and ESXi (443) but not a default Windows listener: add :5985 or :5986.
Write IPv6 addresses in brackets. Without -r the target is
http://localhost:5985/wsman. Several targets (-r:A,B, -r repeated, or
-r:@FILE) run the command on each: see winrm help fleets.

Transport switches:

  -usessl, -ssl, --use-ssl
      Use HTTPS. Don't combine it with http:// or https:// in -r.
  -unencrypted, -un, --unencrypted
      Allow plain HTTP without message encryption. Required for -a:basic
      over http:// (the password then crosses the network readable).
      A Windows service must also have AllowUnencrypted="true".
  -skipCAcheck, --skip-ca-check
      Accept a certificate from an issuer that is not trusted.
  -skipCNcheck, --skip-cn-check
      Accept a certificate issued for a different host name.
  --cacert FILE
      Trust the CA certificate(s) in the PEM file FILE.
  -pin:HASH, --pin HASH
      Accept only the certificate with this fingerprint (repeatable):
      sha256:HEX, or sha1:HEX, the thumbprint Windows and iDRAC show.

Self-signed certificates (iDRAC, lab Windows boxes) need -skipCAcheck, or
better, --cacert with the issuing certificate, or best, --pin with the
certificate's own fingerprint: a pinned certificate needs neither a
trusted CA nor a matching name, and any other certificate is refused
before a credential is sent. Reaching a host by IP when its certificate
names a host name needs -skipCNcheck (or a pin).

Usual endpoints: Windows 5985/5986, iDRAC https 443, Intel AMT 16992
(http) / 16993 (https), OMI 5985/5986, all with the path /wsman.

Proxies:

  -proxy:URL, --proxy URL
      Go through this HTTP proxy: http://HOST:PORT, with the proxy's own
      user and password as http://USER:PASSWORD@HOST:PORT (percent-encode
      special characters; they are never printed). The proxy is asked to
      CONNECT to the endpoint; TLS to an https:// endpoint runs inside.
  without -proxy
      https_proxy or HTTPS_PROXY for https:// endpoints, http_proxy or
      HTTP_PROXY for http:// ones, then all_proxy or ALL_PROXY.
  no_proxy or NO_PROXY
      Hosts reached directly: names (with their subdomains), addresses,
      or * for all.
  -proxyaccess:no_proxy
      Ignore every proxy setting and connect directly.
"#;

/// Text of `winrm help auth`.
const AUTH: &str = r#"winrm help auth -- logging on

  -a:SCHEME  (also -authentication:, -auth:, --auth SCHEME)

  negotiate  Kerberos when a KDC is known for the user's realm, else NTLM
             (the default when a user name is given, as on Windows)
  kerberos   Kerberos only (connect by the host's FQDN, not its address)
  ntlm       NTLM only (inside the Negotiate header, as Windows sends it;
             in an NTLM header to a server that offers only that)
  certificate  a TLS client certificate, HTTPS only:
             --cert FILE --key FILE (PEM; the key unencrypted)
  credssp    CredSSP: NTLM (or Kerberos) inside a TLS session carried in
             the CredSSP header, then the password is delegated to the
             server (for a second hop): use it only with trusted hosts
  digest     HTTP Digest, MD5 with qop=auth (Intel AMT); a challenge for
             another algorithm or for qop=auth-int only is refused, named
  basic      user name and password in an HTTP header (base64, not secret)
  none       send no credentials; most servers answer identify this way

Over plain http:// negotiate, kerberos, ntlm and credssp encrypt every
message with the logon's keys (MS-WSMV message encryption; credssp with
its TLS session, in 16 KiB parts), so a default Windows host accepts them;
-unencrypted turns that off. Over https:// nothing is sealed, and the TLS
channel binding is sent so CbtHardeningLevel=Strict hosts accept us
(credssp binds to its own TLS session instead). One logon serves the
whole run; if the server forgets it, the client logs on again once.
--no-channel-binding sends no binding, for servers that refuse any.

Kerberos: the realm comes from user@REALM (or REALM\user), the KDC from
krb5.conf ($KRB5_CONFIG) or --kdc HOST[:PORT]; the SPN is HTTP/<host>
(-SPNPort adds the port, --spn SPN replaces it). Instead of a password,
--keytab FILE reads the user's AES key from an MIT keytab.
-a:negotiate uses Kerberos when the realm's KDC is known (--kdc or
krb5.conf) and the host is a name; NTLM only otherwise (--debug says why).

Single sign-on with your kinit ticket (needs the system GSSAPI library):
  kinit alice@CORP.EXAMPLE
  winrm get winrm/config -r:srv.corp.example -a:kerberos
No -u, no password: the ticket in KRB5CCNAME (or the default cache) logs
on; -defaultCreds does the same with Negotiate; -u alice@CORP.EXAMPLE with
no password uses that principal's ticket (but Negotiate to an IP address
runs NTLM, so there the password is asked for). With neither -u nor -a a
valid ticket logs on too, except for Identify, which stays anonymous
(iDRAC, AMT, OMI answer it so): give -defaultCreds to use the ticket there.

User name: -u:USER (also -username:, --username USER) or the variable
WINRM_USER. Basic on Windows works only with local accounts; iDRAC
usually uses root, OMI a local Unix account.

Password, from one of:
  WINRM_PASSWORD       environment variable
  --password-file F    read from file F (keep it chmod 600)
  the prompt           asked on the terminal when nothing else is given
  -p:PASS              discouraged: other users can read it with ps, and
                       it lands in your shell history

Basic over plain http:// also needs -unencrypted, and the Windows service
must allow it (Basic="true" in winrm/config/service/auth and
AllowUnencrypted="true" in winrm/config/service). Prefer HTTPS.

Examples:

  winrm id -r:srv01 -a:none

  export WINRM_USER=Administrator
  read -rs WINRM_PASSWORD; export WINRM_PASSWORD
  winrm get winrm/config -r:https://srv01:5986 -a:basic

  winrm e wmicimv2/Win32_Service -r:srv01 -a:basic -unencrypted \
      -u:Administrator                 # prompts for the password

  winrm id -r:https://srv01.corp.example:5986 -a:certificate \
      --cert ~/.config/winrm/me.pem --key ~/.config/winrm/me.key

  winrm e wmicimv2/Win32_Service -r:srv01.corp.example -a:kerberos \
      -u:alice@CORP.EXAMPLE --keytab ~/alice.keytab

  DCIM=http://schemas.dell.com/wbem/wscim/1/cim-schema/2
  winrm e "$DCIM/DCIM_NICView?__cimnamespace=root/dcim" \
      -r:https://idrac1/wsman -a:basic -u:root \
      --password-file ~/.config/winrm/idrac1.pw -skipCAcheck -skipCNcheck
"#;

/// Text of `winrm help input`.
const INPUT: &str = r#"winrm help input -- property values for set, create and invoke

Input comes either as a hash on the command line or as an XML file.

The hash:  @{KEY="VALUE";KEY2="VALUE2";KEY3=$null}

  - keys use letters, digits, '_' and ':'
  - a value is a double-quoted string, which cannot itself contain '"',
    or $null (any case) to send an explicit nil
  - pairs are separated by ';'; @{} is an empty hash
  - each key may appear once; the order is kept
  - unquoted values are an error: write @{MaxEnvelopeSizekb="8192"},
    not @{MaxEnvelopeSizekb=8192}
  - no nesting: a value cannot be another hash, a list or a reference;
    use -file for those

Your shell removes double quotes and expands $, so put the whole hash in
single quotes:

  winrm set winrm/config/client '@{TrustedHosts="*"}'
  winrm invoke SetInfo URI '@{Name="web01";Comment=$null}'

What the hash becomes:
  set      winrm reads the resource, replaces each named top-level
           property, and writes the whole resource back (Get, then Put)
  create   a body whose root is named after the class in the URI, with
           one child element per key
  invoke   a METHOD_INPUT body with one child element per key

  -file:FILE  (--file FILE)

sends the contents of FILE unchanged as the body. It is used when no hash,
or an empty one, is given. Use it for embedded objects, arrays and
endpoint references, such as the job targets of iDRAC methods. A good
starting point for set is the output of winrm get URI -format:xml.
"#;

/// Text of `winrm help filters`.
const FILTERS: &str = r#"winrm help filters -- narrowing an enumerate

  -filter:EXPR (--filter EXPR)   -dialect:D (--dialect D)

D is wql (the default once a filter is given), selector, association, or
a full dialect URI.

WQL, WMI's query language, runs against a namespace, so end the URI in /*:

  winrm e 'wmicimv2/*' -r:srv01 -a:basic -unencrypted \
      -filter:"select Name,State from Win32_Service where StartMode='Auto'"

Selector filters match property values; the braces use the hash grammar
without the @ (see winrm help input):

  winrm e wmicimv2/Win32_Service -dialect:selector \
      -filter:'{State="Running"}' -r:srv01 -a:basic -unencrypted

Association filters walk from one instance to related ones. The text is
passed on as written: Object= names the start instance (class?selectors,
in the URI's namespace), then optional ResultClassName=,
AssociationClassName=, Role=, ResultRole=, separated by ';'.

  f='{Object=Win32_Service?Name=WinRM;'
  f+='AssociationClassName=Win32_DependentService;'
  f+='ResultClassName=Win32_Service}'
  winrm e 'wmicimv2/*' -dialect:association -filter:"$f" -r:srv01 ...

Add -associations (--associations) to get the association instances
themselves instead of the instances at the other end.

What each item holds, and which classes count:

  -ReturnType:object (--return-type object)
      the instance itself; the default
  -ReturnType:epr (--return-type epr)
      only an endpoint reference: the address and selectors of the
      instance, ready for a later get, set, delete or invoke
  -ReturnType:objectandepr (--return-type objectandepr)
      both
  -Shallow (--shallow)
      only instances of the class in the URI, none of its subclasses
  -BasePropertiesOnly (--base-properties-only)
      subclasses too, but only with the properties the class in the URI
      defines (ignored together with -Shallow)
"#;

/// Text of `winrm help switches`, generated once on first use.
fn switches() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(switches_text).as_str()
}

/// The opening of `winrm help switches`; the list follows.
const SWITCHES_INTRO: &str = "winrm help switches -- every switch, in both styles

winrm accepts winrm.cmd's -name:VALUE style (or /name:VALUE; names in any
case) and the GNU style --name VALUE or --name=VALUE. Every --long-name is
also -long-name:VALUE and, in winrm.cmd's one-word style, -longname:VALUE;
the list shows the one-word name and winrm.cmd's short forms. Switches
follow the positional arguments; the global ones may also come first.
";

/// The choices of a switch whose value the library parses, from the
/// library's own tables: `-a:` methods and `-format:` names.
fn choices(long: &str) -> Option<Vec<&'static str>> {
    match long {
        "auth" => Some(Method::ALL.iter().map(|(_, n)| *n).collect()),
        "format" => Some(Format::ALL.iter().map(|(_, n)| *n).collect()),
        _ => None,
    }
}

/// Builds `winrm help switches` from the switch table, grouped by the verbs
/// that take each switch; hidden switches (kept for winrm.cmd scripts) last.
fn switches_text() -> String {
    let table = compat::switches();
    let mut groups: Vec<(bool, &[String])> = Vec::new();
    for switch in table {
        let key = (switch.hidden, switch.verbs.as_slice());
        if !groups.contains(&key) {
            groups.push(key);
        }
    }
    // Visible before hidden; otherwise table order (global options first).
    groups.sort_by_key(|(hidden, _)| *hidden);
    let mut text = SWITCHES_INTRO.to_string();
    for (hidden, verbs) in groups {
        let heading = match (hidden, verbs) {
            (false, []) => "Every verb:".to_string(),
            (false, verbs) => format!("{}:", verbs.join(", ")),
            (true, []) => "Kept for winrm.cmd scripts (not in --help):".to_string(),
            (true, verbs) => format!("Kept for winrm.cmd scripts, {}:", verbs.join(", ")),
        };
        text.push('\n');
        text.push_str(&heading);
        text.push('\n');
        for switch in table
            .iter()
            .filter(|s| s.hidden == hidden && s.verbs == verbs)
        {
            describe(switch, &mut text);
        }
    }
    text
}

/// One switch: its spellings in both styles, then the first sentence of
/// its help, then its choices when the library defines them.
fn describe(switch: &Switch, text: &mut String) {
    let mut spellings = Vec::new();
    for (i, name) in switch.names.iter().enumerate() {
        // The dashed long name is implied by the rule in the introduction.
        if i > 0 && *name == switch.long && switch.long.contains('-') {
            continue;
        }
        spellings.push(match (&switch.value, i) {
            (Some(value), 0) => format!("-{name}:{value}"),
            (Some(_), _) => format!("-{name}:"),
            (None, _) => format!("-{name}"),
        });
    }
    let gnu = match &switch.value {
        Some(value) => format!("--{} {value}", switch.long),
        None => format!("--{}", switch.long),
    };
    spellings.push(gnu);
    if let (Some(short), Some(value)) = (switch.short, &switch.value) {
        spellings.push(format!("-{short} {value}"));
    }
    wrap(text, "  ", "    ", &spellings.join(", "));
    wrap(text, "      ", "      ", &first_sentence(&switch.help));
    if let Some(choices) = choices(&switch.long) {
        let name = switch.value.as_deref().unwrap_or_default();
        wrap(
            text,
            "      ",
            "        ",
            &format!("{name}: {}", choices.join(", ")),
        );
    }
}

/// The help's first sentence, without the `[-name:]` note that ends it.
fn first_sentence(help: &str) -> String {
    let help = match help.rsplit_once(" [") {
        Some((before, note)) if note.ends_with(']') => before,
        _ => help,
    };
    let mut end = help.len();
    for (i, _) in help.match_indices(". ") {
        if !help[..i].ends_with("e.g") && !help[..i].ends_with("i.e") {
            end = i + 1;
            break;
        }
    }
    help[..end].to_string()
}

/// Appends `words` wrapped at 80 columns: `first` before the first line,
/// `rest` before the others.
fn wrap(text: &mut String, first: &str, rest: &str, words: &str) {
    let mut line = first.to_string();
    let mut empty = true;
    for word in words.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > 80 {
            let _ = writeln!(text, "{line}");
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    if !empty {
        let _ = writeln!(text, "{line}");
    }
}

/// Text of `winrm help formats`.
const FORMATS: &str = r#"winrm help formats -- output formats

  -format:F, -f:F, --format F, -o F

  text    the default; the same layout as winrm.cmd: the element name on
          the first line, then one "Name = value" line per property,
          indented four spaces per level; nil values print as null and
          repeated properties are joined with ", "
  xml     the SOAP body exactly as the server sent it (for enumerate,
          the items wrapped in a single <wsman:Results> element)
  pretty  the same XML, indented for reading
  json    one JSON object per result; enumerate prints one JSON array,
          written as the pages arrive (see 'winrm help json')
  jsonl   JSON Lines (alias ndjson): one compact object per line,
          flushed per page, for jq -c, grep and head
  table   instances as rows, properties as columns; get, set, invoke
          and identify print a property/value table
  csv     comma-separated values: a header line, then one line per
          item; a value with a comma, a quote or a line break is quoted
          ("..." with quotes doubled, RFC 4180); lines end in LF
  tsv     tab-separated values, the same lines; a tab, LF or CR inside a
          value is written \t, \n, \r (backslashes stay as they are)

Tables: --columns Name,State,StartMode (alias --property) picks and
orders the columns; names match in any case. Without it, the key
properties come first, then well-known ones (DisplayName, State...),
then the rest, as many as fit. A table fits the terminal, or $COLUMNS,
or 80 columns in a pipe. In a pipe each row is one line, so grep finds
whole rows: long cells are cut and end in an ellipsis (~ outside a
UTF-8 locale); on a terminal, cells of --columns wrap instead.
Borders are box drawing when the locale is UTF-8 (the first of LC_ALL,
LC_CTYPE, LANG that is set), ASCII otherwise. The columns and their
widths are settled on the first 100 rows; then rows print a page at a
time, like every other format, so memory stays flat.
An enumeration with no items prints only the header of the --columns
given (nothing without --columns: no item, no known column).

csv and tsv: the same columns as a table (--columns, or keys first),
but every property seen in the first 100 items and nothing cut; a
property first seen later is left out unless named with --columns.
--no-header leaves out the header line. A get is one row whose columns
are its property paths (Client.Auth.Basic).

Colour: text and JSON are coloured on a terminal only, never with
NO_COLOR set; --color never|always|auto overrides (NO_COLOR still wins).
An enumeration that runs longer than half a second shows a progress
line on stderr ("1,200 items, 3 pages...") when stderr is a terminal
and the items are not scrolling past on it; never in a pipe.

--debug (-v) prints every HTTP request and reply, headers and envelope,
to stderr. Authorization headers, tokens, encrypted payloads and the
password are replaced by [redacted].

Examples:
  winrm get winrm/config/service -r:srv01 -a:basic -unencrypted -f:pretty
  winrm e wmicimv2/Win32_Service -r:srv01 ... -format:xml > services.xml
  winrm e wmicimv2/Win32_Service -r:srv01 ... -f:table --columns Name,State
  winrm e wmicimv2/Win32_Service -r:srv01 ... -f:csv > services.csv
"#;

/// Text of `winrm help json`.
const JSON: &str = r#"winrm help json -- the JSON shape (-format:json and jsonl)

Every verb prints the same shape, and it will not change without a major
version:

- A result is an object. Its keys are the property names, in the order
  the server sent them. Should two properties share a name in different
  namespaces, the later one is keyed prefix:Name.
- Keys starting with @ are ours and never clash with a property (an XML
  name cannot start with @):
    @class       the element's name: Win32_Service, Config,
                 IdentifyResponse, StartService_OUTPUT, ResourceCreated
    @epr         the instance's own reference (from -ReturnType:
                 ObjectAndEPR, or the cim:Location Windows adds)
    @attributes  attributes that carry data, such as Source="GPO", by
                 property name (for a repeated property, an array with
                 an object or null per element); a result's own are
                 under "@self"; a namespaced one is keyed prefix:name
    @value       the value of a result that is a bare value (a text()
                 fragment)
- Values are strings, exactly as sent: "true", "5985", "0x1F". Nothing is
  guessed; convert in jq with tonumber or == "true".
- xsi:nil="true" is null. An empty element is "".
- A property that repeats is an array. A single value is an array too
  when the server marks it (an xsi:type ending in Array, or the
  IsNullArray/IsEmptyArray markers Windows and OMI add when asked with
  --option msftwinrm:UsePreciseArrays=true), when it is ListeningOn
  (winrm/config) or SecurityProfileName (identify), or when you name it:
  --array IPAddress.
- Text mixed with child elements is layout to WS-Management and is
  dropped; the children are the data.
- An embedded instance is a nested object; a CIM date or interval
  (<cim:Datetime>...) is the string inside it.
- A reference (EPR) is {"Address", "ResourceURI", "Selectors": {...}};
  a selector whose value is a reference holds a nested EPR.
- enumerate prints one array (-format:json) or one object per line
  (-format:jsonl); identify, get, set, create and invoke print one object;
  delete prints nothing.
- Errors: with a JSON format, a failure prints one line on stderr:
  {"error": {"kind", "exitCode", "message", "hint"}}; a fault adds
  "code", "subcode", "reason", "machine", "errorNumber", "errorHex",
  "errorName", "errorText" and "detail" (the WSManFault as an object).
- exec prints its command's output, not instances: -format:json is one
  object when the command ends, {"stdout": "...", "stderr": "...",
  "exitCode": N}; -format:jsonl streams {"stream": "stdout", "text":
  "..."} per piece of output, then {"exitCode": N}. Text is the output
  decoded as UTF-8; exitCode is as Windows programs see it (-1, not
  4294967295), null when the command was stopped.

What it looks like (shortened; from a Windows host):

  winrm get wmicimv2/Win32_Service?Name=Spooler -format:json
  {
    "@class": "Win32_Service",
    "AcceptPause": "false",
    "Name": "Spooler",
    "InstallDate": null,
    "ProcessId": "400",
    "State": "Running",
    "@epr": {
      "Address": "http://schemas.xmlsoap.org/.../role/anonymous",
      "ResourceURI": "http://schemas.microsoft.com/.../cimv2/Win32_Service",
      "Selectors": { "Name": "Spooler" }
    }
  }

  winrm get winrm/config/service -format:json
  { "@class": "Service", "AllowUnencrypted": "false",
    "Auth": { "Basic": "false", "Kerberos": "true", ... },
    "IPv4Filter": "*", ...,
    "@attributes": { "IPv4Filter": { "Source": "GPO" } } }

  winrm e wmicimv2/Win32_Service -ReturnType:EPR -format:jsonl
  {"@class":"EndpointReference","Address":"http://schemas.xmlsoap.org/...",
   "ResourceURI":"http://.../Win32_Service","Selectors":{"Name":"Spooler"}}
  {"@class":"EndpointReference", ... "Selectors":{"Name":"WinRM"}}


jq one-liners (output as the simulated listener answers them):


  $ winrm get wmicimv2/Win32_Service?Name=Spooler -format:json | jq -r .State
  Running

  $ winrm get winrm/config -format:json | jq -r .Service.Auth.Basic
  true

  $ winrm get winrm/config/service -format:json | jq -c '.["@attributes"]'
  {"IPv4Filter":{"Source":"GPO"}}

  $ winrm e wmicimv2/Win32_Service -format:jsonl | jq -c '{Name, State}' |
    head -2
  {"Name":"Spooler","State":"Running"}
  {"Name":"WinRM","State":"Running"}

  $ winrm e wmicimv2/Win32_Service -format:json |
    jq -r '.[] | select(.StartMode == "Manual" and .Started == "true") |
    .Name' | head -2
  W32Time
  TermService

  $ winrm e wmicimv2/Win32_Service -format:json |
    jq '[.[].ProcessId | tonumber] | max'
  6348

  $ winrm e wmicimv2/Win32_Service -ReturnType:EPR -format:jsonl |
    jq -r .Selectors.Name | head -2
  Spooler
  WinRM

  $ winrm e winrm/config/listener -format:json |
    jq -r '.[] | "\(.Transport) \(.Port) \(.ListeningOn | join(" "))"'
  HTTP 5985 127.0.0.1 ::1
"#;

/// Text of `winrm help exit`.
const EXIT: &str = r"winrm help exit -- exit status

  0   success
  1   the server returned a WS-Management fault
  2   usage error or bad input: unknown switch, bad @{...}, unreadable
      or malformed -file, unknown format; also a local failure such as
      writing the output to a full disk
  3   authentication refused
  4   no conversation with the server: connection refused or dropped,
      name not found, TLS failure, proxy failure or timeout
  5   the reply was not valid WS-Management (not SOAP, or unexpected)
130   stopped by Ctrl-C; an enumeration releases its context first, a
      remote command is signalled and its shell deleted

exec (and winrs) exit with the remote command's exit code when it is
0-254. Codes outside that range (255, negative ones, 0xC000013A after
Ctrl-C) become 254, with the real code on stderr. Every failure of winrm
itself (usage, authentication, connection, fault, bad reply) exits 255,
as ssh does, so it never passes for the command's own status; stderr
says which it was.

An enumeration that fails part-way keeps the items it printed and says
on stderr how many there were; the exit status is that of the failure.

Several hosts (winrm help fleets): 0 when every host succeeded, else the
most severe of the codes above that the hosts would have exited with one
by one: 130, then 2, 3, 5, 4, 1. For exec: 130, then 255 when winrm
failed on any host, else the largest remote exit code (as pdsh -S).

A closed pipe (winrm e ... | head) is not an error: exit 0.
winrm.cmd on Windows exits with 1 for every failure, so scripts that only
test for non-zero work with both. For a fault, winrm also prints the
error number; winrm helpmsg explains it.
";

/// Text of `winrm help fleets`.
const FLEETS: &str = r#"winrm help fleets -- one command on many hosts

  winrm VERB ... -r:HOST1,HOST2 -r:HOST3 -r:@FILE [--parallel N]

Several targets make a fleet: the verb runs on each host, up to N hosts at
a time (--parallel, 1 to 1024, default 32), each with its own connection,
authentication and timeouts. A dead or slow host costs its own timeout
and holds up no other. Give targets by repeating -r, as a comma-separated
list, or from a file: -r:@FILE reads one target per line (blank lines and
lines starting with # are skipped); -r:@- reads them from stdin. Each
target is anything one -r takes (HOST, HOST:PORT, a URL); an endpoint
named twice runs once, under its first spelling, however it is spelled
(web01, WEB01:5985 and http://web01:5985/wsman are one). A URL's query
may hold commas: from a URL's ? on, the rest of the -r value (or line) is
that URL, so list other targets before it or in their own -r. The
password is asked for (or read) once and used for every host; Kerberos
asks each host's own HTTP/HOST service ticket, so --spn goes with one
target only.

Output names the host as it was written in -r, and never mixes two hosts'
lines:

  text        each host's output whole under a line '=== HOST ===';
              exec prints each line as it comes as 'HOST: line' (stdout
              and stderr alike, as pdsh does); exec --group prints each
              host's output whole under its header instead
  json        one array, an object per host in the order they finish:
              {"@host": HOST, "result": OUTPUT, "error": ERROR}; result is
              what a single-host run prints (an object, an enumeration's
              array, exec's {"stdout","stderr","exitCode"}) or null when it
              prints nothing; error (the error object of winrm help json)
              only when the host failed
  jsonl       every record gets "@host" first; a failed host adds the
              record {"@host": HOST, "error": {...}}
  table       one table for all hosts, with a first Host column (a row per
              host for get, set, create, invoke and identify)
  csv, tsv    a first Host column; one header line
  xml, pretty one document: <Hosts><Host name="HOST">OUTPUT</Host>...
              </Hosts>, a failure as <Error kind=".." exitCode="..">

A host's output waits in memory until the host is done, up to 256 KiB
(8 MiB for all hosts together), then in an unnamed temporary file
($TMPDIR), so memory stays bounded however much each host prints and
however many run at once; jsonl and exec's prefixed lines stream. Each
host in flight may hold a socket and two such files: the soft open-file
limit is raised as far as needed (up to ulimit -Hn); below that, fewer
hosts run at a time, with a warning.
Failures are printed as they happen (on stderr, named; in json and jsonl
as records on stdout). At the end stderr gets a line per failed host,
HOST: failed: CAUSE (hint: ...), and the count: '47 of 50 hosts
succeeded'. --debug traces every host's exchanges to the same stderr, as
they happen: use it with one host.

Exit status: 0 when every host succeeded; otherwise the most severe of
the codes the hosts would have exited with one by one: 130 (Ctrl-C), then
2 (usage or local), 3 (refused logon), 5 (not WS-Man), 4 (unreachable),
1 (fault). For exec: 130, then 255 when winrm failed on any host, else
the largest remote exit code (as pdsh -S). Ctrl-C starts no more hosts;
enumerations in flight are released and remote commands signalled, their
shells deleted; then winrm exits 130. In json, jsonl and xml, a host never
started is an error record too (kind interrupted, "not started: ...").

exec on several hosts gives every host all of a piped stdin, as it comes:
hosts start at once (a pipe that never closes holds nothing up) and each
sends it on at its own pace. What was read is kept for hosts started
later, up to 16 MiB; beyond that, each host still reading stdin fails
(add --no-stdin, or copy the data to the hosts first). From a terminal,
nothing is sent. -r:@- and a command reading stdin exclude each other:
add --no-stdin, or list the targets in a file.

  winrm get wmicimv2/Win32_OperatingSystem -r:@hosts.txt -format:table \
      --columns Caption,LastBootUpTime
  winrm exec -r:web01,web02,web03 -- ipconfig /flushdns
  getent hosts | awk '/^10\.1\./{print $2}' |
      winrm enumerate wmicimv2/Win32_Service -r:@- -format:jsonl
"#;

/// Text of `winrm help exec`.
const EXEC: &str = r#"winrm help exec -- running a command on the host (WinRS)

  winrm exec [switches] [--] COMMAND [ARGS...]                alias: x
  winrm exec [switches] --powershell 'SCRIPT' | --powershell-file FILE
  winrs -r:HOST [-u:USER] [winrs switches] COMMAND [ARGS...]

Runs COMMAND in a new cmd.exe shell on the host and prints its stdout and
stderr as they arrive, byte for byte (UTF-8 by default: code page 65001).
The first word that is not a switch starts the command; everything after
it is passed on as given, so `winrm exec -r:srv01 ipconfig /all` works.
Our stdin, when it is a pipe or a file, is streamed to the command in
pieces (memory stays flat); --no-stdin sends none.

  -d:PATH, --directory PATH      working directory on the host
  -env:NAME=VALUE, --env ...     environment variable (repeatable)
  -nop, --no-profile             do not load the user profile
  --codepage N                   console code page (437, 850, 65001...)
  --idle-timeout SECONDS         close the shell after that long idle
  --skip-cmd-shell               start the program without cmd.exe
  --no-stdin                     the command sees end of file at once
  --powershell SCRIPT            powershell.exe -EncodedCommand; a script
                                 too long for a command line goes through
                                 stdin; '-' reads the script from stdin
  --powershell-file FILE         the same, from a file
  --group                        several hosts: each host's output whole
                                 under a header, not 'HOST: ' per line

PowerShell's error records (CLIXML on stderr) are printed as the plain
text a console would show; progress records are dropped.

Ctrl-C (or SIGTERM) sends Ctrl-C to the remote command; a second one
terminates it. However the run ends (done, error, Ctrl-C, a closed
stdout pipe), the remote shell is deleted, so it never counts against
MaxShellsPerUser. A long silent command is fine: winrm keeps asking.

Exit status: the command's own (0-254); 254 for other codes, with the
real one on stderr; 255 when winrm itself failed (see winrm help exit).

winrs: linked or copied under the name `winrs`, the binary reads
winrs.exe's command line: -r[emote], -u[sername], -p[assword],
-un[encrypted], -ssl/-usessl, -t[imeout] (seconds), -d[irectory],
-env[ironment]:NAME=VALUE, -noe[cho], -nop[rofile], -comp[ression]
(accepted), -a[llowdelegate] (refused: use -auth:credssp), -?; winrm's
own switches (-auth:basic, -skipCAcheck, --cacert...) work too.

  ln -s "$(command -v winrm)" ~/.local/bin/winrs
  winrs -r:srv01 -u:admin ipconfig /all
  winrm exec -r:https://srv01:5986 -- dir C:\Users
  cat big.csv | winrm exec -r:srv01 findstr /i error
  winrm exec -r:srv01 --powershell 'Get-Service | Where Status -eq Running'
"#;

/// Text of `winrm help helpmsg`.
const HELPMSG: &str = r#"winrm help helpmsg -- explaining an error number

  winrm helpmsg CODE

CODE may be decimal (2150858778), negative decimal (-2144108526, as
winrm.cmd prints it after "Error number:"), or hex (0x8033801A, any case).
The three forms below are the same number:

  winrm helpmsg 2150858770
  winrm helpmsg -2144108526
  winrm helpmsg 0x80338012

winrm prints the constant's name, what it means and what to try. On
Windows helpmsg asks the operating system; here the table is built in and
covers the WinRM/WS-Management codes and the Windows, security and WMI
errors that WinRM faults commonly carry. The number to look up is the
Code of a WSManFault, or the "Error number:" line.
"#;

/// Text of `winrm help env`.
const ENV: &str = r#"winrm help env -- environment variables

  WINRM_USER       user name, used when -u is not given
  WINRM_PASSWORD   password, used when -p and --password-file are not
                   given; safer than -p because ps does not show it
  https_proxy, HTTPS_PROXY
                   the proxy for https:// endpoints, without -proxy
  http_proxy, HTTP_PROXY
                   the proxy for http:// endpoints, without -proxy
  all_proxy, ALL_PROXY
                   the proxy for either, when the one above is unset
  no_proxy, NO_PROXY
                   hosts reached directly: names (with subdomains),
                   addresses, * for all
  KRB5_CONFIG      the krb5.conf naming each realm's KDC (Kerberos and
                   Negotiate), instead of /etc/krb5.conf
  KRB5CCNAME       the Kerberos ticket cache single sign-on reads
                   (kinit's), instead of the default
  WINRM_GSSAPI_LIBRARY
                   the GSSAPI library for single sign-on, instead of
                   libgssapi_krb5.so.2 / libgssapi.so.3 (test knob)
  SSL_CERT_FILE, SSL_CERT_DIR
                   trusted CA certificates, instead of the system's
                   (--cacert adds to them)
  NO_COLOR         any non-empty value: never colour the output
  COLUMNS          the width tables fit when stdout is not a terminal
                   (80 when unset)

The password prompt reads the controlling terminal (/dev/tty), so it
works when stdin is a pipe, and is never shown without a terminal.

Set them for one command or for the whole session:

  WINRM_PASSWORD="$(pass show idrac/root)" winrm e ... -u:root -a:basic

  export WINRM_USER=Administrator
  read -rs WINRM_PASSWORD; export WINRM_PASSWORD
"#;

/// Text of `winrm help identify`.
const IDENTIFY: &str = r"winrm help identify -- is there a WS-Management service?

  winrm identify [-r:TARGET] [-a:none|basic] [switches]      alias: id

Asks the endpoint to describe itself: protocol version, vendor, product
version and, when authenticated, the security profiles it supports. It is
the quickest test that a host is reachable and speaks WS-Management, and
most servers answer it with -a:none.

  winrm id -r:srv01 -a:none                       # Windows, port 5985
  winrm id -r:https://idrac1/wsman -a:none -skipCAcheck -skipCNcheck
  winrm id -r:http://amt1:16992/wsman -a:none     # Intel AMT
  winrm id -r:http://linux01:5985 -a:none         # OMI on Linux
";

/// Text of `winrm help get`.
const GET: &str = r#"winrm help get -- reading one resource

  winrm get URI [-fragment:PATH] [switches]                   alias: g

Reads one instance or configuration node; selectors in the URI pick the
instance. -fragment reads just one part of it. Examples assume WINRM_USER
and WINRM_PASSWORD are set (see winrm help auth).

  winrm get 'wmicimv2/Win32_Service?Name=WinRM' \
      -r:https://srv01:5986 -a:basic
  winrm get wmicimv2/Win32_OperatingSystem -fragment:'Caption/text()' \
      -r:https://srv01:5986 -a:basic

  winrm id -r:https://srv01.corp.example:5986 -a:certificate \
      --cert ~/.config/winrm/me.pem --key ~/.config/winrm/me.key

  winrm e wmicimv2/Win32_Service -r:srv01.corp.example -a:kerberos \
      -u:alice@CORP.EXAMPLE --keytab ~/alice.keytab

  DCIM=http://schemas.dell.com/wbem/wscim/1/cim-schema/2
  winrm get "$DCIM/DCIM_LifecycleJob?InstanceID=JID_001234567890" \
      -r:https://idrac1/wsman -a:basic -u:root -skipCAcheck -skipCNcheck

  AMT=http://intel.com/wbem/wscim/1/amt-schema/1
  winrm get "$AMT/AMT_GeneralSettings" -r:http://amt1:16992/wsman \
      -a:digest -u:admin    # AMT wants Digest; no -unencrypted needed
"#;

/// Text of `winrm help set`.
const SET: &str = r#"winrm help set -- changing a resource

  winrm set URI '@{KEY="VALUE";...}' [switches]    aliases: s, put, p
  winrm set URI -file:FILE [switches]

With a hash, winrm reads the resource, changes the named properties and
writes it back, then prints what the server returned. With -file, FILE is
sent as the new resource. With -fragment:PATH only that part is read and
written. Examples assume WINRM_USER / WINRM_PASSWORD are set.

  winrm set winrm/config '@{MaxEnvelopeSizekb="8192"}' \
      -r:https://srv01:5986 -a:basic
  winrm set winrm/config/service/auth '@{Basic="true"}' \
      -r:https://srv01:5986 -a:basic
  winrm get winrm/config/client -r:https://srv01:5986 -a:basic \
      -format:xml > client.xml          # edit client.xml, then:
  winrm set winrm/config/client -file:client.xml \
      -r:https://srv01:5986 -a:basic
"#;

/// Text of `winrm help create`.
const CREATE: &str = r#"winrm help create -- making a new resource

  winrm create URI ['@{KEY="VALUE";...}' | -file:FILE] [switches]
                                                              alias: c

Creates an instance and prints the reference (selectors) to it. The hash
becomes a body named after the class in the URI; anything richer goes in
-file. Examples assume WINRM_USER / WINRM_PASSWORD are set.

  winrm create 'winrm/config/Listener?Address=*+Transport=HTTPS' \
      '@{Hostname="srv01.corp.example";CertificateThumbprint="AB12..."}' \
      -r:https://srv01:5986 -a:basic

  winrm create shell/cmd -file:shell.xml \
      -r:https://srv01:5986 -a:basic    # opens a cmd shell, prints ShellId

where shell.xml holds an rsp:Shell element naming the input and output
streams (stdin; stdout stderr).
"#;

/// Text of `winrm help delete`.
const DELETE: &str = r"winrm help delete -- removing a resource

  winrm delete URI [switches]                                 alias: d

Deletes the instance the URI and its selectors point at. Nothing is
printed on success. Examples assume WINRM_USER / WINRM_PASSWORD are set.

  winrm delete 'winrm/config/Listener?Address=*+Transport=HTTP' \
      -r:https://srv01:5986 -a:basic
  winrm delete 'shell/cmd?ShellId=0A1B2C3D-0000-4000-8000-000000000001' \
      -r:https://srv01:5986 -a:basic    # close a leftover shell
";

/// Text of `winrm help enumerate`.
const ENUMERATE: &str = r#"winrm help enumerate -- listing instances

  winrm enumerate URI [-filter:EXPR [-dialect:D]] [-ReturnType:T]
        [-Shallow] [-BasePropertiesOnly] [-associations] [switches]
                                                       aliases: e, enum

Lists every instance of a class (or every match of a filter), fetching
them batch by batch until the server says it is done. Filters and return
types are in winrm help filters. Examples assume WINRM_USER and
WINRM_PASSWORD are set.

  winrm e winrm/config/listener -r:https://srv01:5986 -a:basic
  winrm e wmicimv2/Win32_Service -r:srv01 -a:basic -unencrypted

  winrm id -r:https://srv01.corp.example:5986 -a:certificate \
      --cert ~/.config/winrm/me.pem --key ~/.config/winrm/me.key

  winrm e wmicimv2/Win32_Service -r:srv01.corp.example -a:kerberos \
      -u:alice@CORP.EXAMPLE --keytab ~/alice.keytab

  DCIM=http://schemas.dell.com/wbem/wscim/1/cim-schema/2
  winrm e "$DCIM/DCIM_SystemView?__cimnamespace=root/dcim" \
      -r:https://idrac1/wsman -a:basic -u:root -skipCAcheck -skipCNcheck

  OMI=http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2
  winrm e "$OMI/OMI_Identify?__cimnamespace=root/omi" \
      -r:http://linux01:5985 -a:basic -u:root -unencrypted
"#;

/// Text of `winrm help invoke`.
const INVOKE: &str = r#"winrm help invoke -- calling a method

  winrm invoke METHOD URI ['@{KEY="VALUE";...}' | -file:FILE] [switches]
                                                              alias: i

Calls METHOD on the instance (or class) the URI names and prints its
output, usually with a ReturnValue. Method and parameter names are
case-sensitive for WMI. Parameters that are objects or references (such as
the Target of many iDRAC methods) need -file. Examples assume WINRM_USER
and WINRM_PASSWORD are set.

  winrm invoke StopService 'wmicimv2/Win32_Service?Name=spooler' \
      -r:https://srv01:5986 -a:basic
  winrm invoke Create wmicimv2/Win32_Process \
      '@{CommandLine="cmd /c ipconfig > C:\Windows\Temp\ip.txt"}' \
      -r:https://srv01:5986 -a:basic

  winrm id -r:https://srv01.corp.example:5986 -a:certificate \
      --cert ~/.config/winrm/me.pem --key ~/.config/winrm/me.key

  winrm e wmicimv2/Win32_Service -r:srv01.corp.example -a:kerberos \
      -u:alice@CORP.EXAMPLE --keytab ~/alice.keytab

  DCIM=http://schemas.dell.com/wbem/wscim/1/cim-schema/2
  sel='SystemCreationClassName=DCIM_ComputerSystem+CreationClassName='
  sel+='DCIM_LCService+SystemName=DCIM:ComputerSystem+Name=DCIM:LCService'
  winrm i GetRemoteServicesAPIStatus "$DCIM/DCIM_LCService?$sel" \
      -r:https://idrac1/wsman -a:basic -u:root -skipCAcheck -skipCNcheck

iDRAC methods that start a job answer ReturnValue = 4096 with a Job
reference; follow it with winrm get "$DCIM/DCIM_LifecycleJob?InstanceID=...".
"#;

/// Text of `winrm help quickconfig`.
const QUICKCONFIG: &str = r#"winrm help quickconfig -- Windows-only operations

winrm.cmd's quickconfig (qc) sets up the WinRM service on the machine it
runs on, and configsddl opens a Windows permissions dialog. Neither makes
sense from Linux or macOS, so this client does not offer them. Instead:

To turn WinRM on, run this on the Windows host itself, elevated:

  winrm quickconfig                    HTTP listener on 5985
  winrm quickconfig -transport:https   HTTPS listener on 5986; needs a
                                       server-authentication certificate
  Enable-PSRemoting -Force             the PowerShell equivalent

Once the service answers, change its settings from here:

  winrm set winrm/config/service '@{AllowUnencrypted="false"}' \
      -r:https://srv01:5986 -a:basic
  winrm create 'winrm/config/Listener?Address=*+Transport=HTTPS' \
      '@{Hostname="srv01.corp.example";CertificateThumbprint="AB12..."}' \
      -r:https://srv01:5986 -a:basic

Instead of configsddl, read and write the security descriptor (an SDDL
string) directly:

  winrm get winrm/config/service -r:https://srv01:5986 -a:basic
  winrm set winrm/config/service '@{RootSDDL="O:NSG:BAD:P(...)"}' ...

Change RootSDDL with care: a wrong value can lock every remote user out.
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_topic_resolves() {
        for name in TOPICS {
            let text = topic(name).unwrap_or_else(|| panic!("topic {name}"));
            assert!(!text.trim().is_empty(), "{name}");
        }
    }

    /// The topic line under `--help` (and bare `winrm`) names every topic
    /// that is not a verb, in the order of [`TOPICS`].
    #[test]
    fn the_help_footer_lists_the_topics() {
        let command = <crate::cli::args::Cli as clap::CommandFactory>::command();
        let footer = command
            .get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        let line = footer
            .lines()
            .find_map(|l| l.strip_prefix("Topics: winrm help "))
            .expect("a Topics line");
        let listed: Vec<&str> = line.split(" | ").filter(|t| *t != "VERB").collect();
        let verbs: Vec<String> = command
            .get_subcommands()
            .map(|v| v.get_name().to_string())
            .collect();
        let expected: Vec<&str> = TOPICS
            .iter()
            .copied()
            .filter(|t| !verbs.iter().any(|v| v == t) && *t != "configsddl")
            .collect();
        assert_eq!(listed, expected);
    }

    #[test]
    fn topics_have_their_own_heading() {
        for name in TOPICS
            .iter()
            .filter(|n| **n != "all" && **n != "configsddl")
        {
            let text = topic(name).unwrap_or_default();
            let first = text.lines().next().unwrap_or_default();
            assert!(
                first.starts_with(&format!("winrm help {name} ")),
                "{name}: {first}"
            );
        }
    }

    #[test]
    fn aliases_resolve_to_the_same_text() {
        let same = [
            ("id", "identify"),
            ("g", "get"),
            ("s", "set"),
            ("put", "set"),
            ("p", "set"),
            ("c", "create"),
            ("d", "delete"),
            ("e", "enumerate"),
            ("enum", "enumerate"),
            ("i", "invoke"),
            ("alias", "aliases"),
            ("exitcodes", "exit"),
            ("qc", "quickconfig"),
            ("configsddl", "quickconfig"),
            ("username", "auth"),
            ("password", "auth"),
            ("authentication", "auth"),
            ("remote", "remoting"),
            ("unencrypted", "remoting"),
            ("usessl", "remoting"),
            ("file", "input"),
            ("@{}", "input"),
            ("timeout", "switches"),
            ("format", "formats"),
            ("dialect", "filters"),
        ];
        for (alias, canonical) in same {
            assert!(topic(alias).is_some(), "{alias}");
            assert_eq!(topic(alias), topic(canonical), "{alias} -> {canonical}");
        }
    }

    #[test]
    fn lookup_ignores_case_and_switch_decoration() {
        assert_eq!(topic("URIS"), topic("uris"));
        assert_eq!(topic("Enumerate"), topic("enumerate"));
        assert_eq!(topic("  Auth "), topic("auth"));
        assert_eq!(topic("-r:"), topic("remoting"));
        assert_eq!(topic("--use-ssl"), topic("remoting"));
        assert_eq!(topic("/Username"), topic("auth"));
        assert_eq!(topic("-SkipCAcheck"), topic("remoting"));
    }

    #[test]
    fn unknown_topics_are_none() {
        for name in ["", "bogus", "uris2", "-", "@", "help me"] {
            assert!(topic(name).is_none(), "{name}");
        }
    }

    #[test]
    fn no_line_is_longer_than_80_columns() {
        for name in TOPICS {
            for line in topic(name).unwrap_or_default().lines() {
                assert!(
                    line.chars().count() <= 80,
                    "{name}: {} chars: {line}",
                    line.chars().count()
                );
            }
        }
    }

    #[test]
    fn no_tabs_or_trailing_spaces() {
        for section in sections() {
            for line in section.lines() {
                assert!(!line.contains('\t'), "tab in: {line}");
                assert_eq!(line, line.trim_end(), "trailing space in: {line}");
            }
        }
    }

    #[test]
    fn all_contains_every_section_once() {
        let all = topic("all").unwrap_or_default();
        for section in sections() {
            assert_eq!(all.matches(section).count(), 1);
        }
        for name in TOPICS.iter().filter(|n| **n != "all") {
            let text = topic(name).unwrap_or_default();
            assert!(all.contains(text), "{name} missing from all");
        }
    }

    /// The drift test of `winrm help switches`: every option, in both
    /// styles, and every auth method and format name.
    #[test]
    fn switches_lists_every_option_method_and_format() {
        let text = topic("switches").unwrap_or_default();
        let words: Vec<&str> = text
            .split_whitespace()
            .map(|w| w.trim_end_matches(','))
            .collect();
        for switch in compat::switches() {
            let gnu = format!("--{}", switch.long);
            assert!(words.contains(&gnu.as_str()), "{gnu}");
            for (i, name) in switch.names.iter().enumerate() {
                if i > 0 && *name == switch.long && name.contains('-') {
                    continue;
                }
                let shown = match &switch.value {
                    Some(value) if i == 0 => format!("-{name}:{value}"),
                    Some(_) => format!("-{name}:"),
                    None => format!("-{name}"),
                };
                assert!(words.contains(&shown.as_str()), "{shown}");
            }
        }
        let methods = Method::ALL.iter().map(|(_, n)| *n);
        for name in methods.chain(Format::ALL.iter().map(|(_, n)| *n)) {
            assert!(words.contains(&name), "{name}");
        }
    }

    #[test]
    fn examples_keep_passwords_off_the_command_line() {
        for section in sections() {
            for line in section.lines() {
                let trimmed = line.trim_start();
                if trimmed.starts_with("winrm ") {
                    assert!(!line.contains("-p:"), "password in: {line}");
                    assert!(!line.contains("--password "), "password in: {line}");
                }
            }
        }
    }

    #[test]
    fn hashes_in_examples_are_single_quoted() {
        for section in sections() {
            for line in section.lines() {
                let trimmed = line.trim_start();
                let is_example = trimmed.starts_with("winrm ") || trimmed.starts_with('\'');
                if is_example && let Some((before, _)) = line.split_once("@{") {
                    assert!(before.ends_with('\''), "unquoted hash: {line}");
                }
            }
        }
    }
}
