//! The whole command line, defined once: every verb, alias and switch, with
//! its help text. Completions and the man page are generated from this.
//!
//! Clap guidelines for this file: doc comments are the help; the long
//! option names are the GNU spelling that `compat` rewrites winrm.cmd
//! switches into; connection and output options are global so they may
//! stand before or after the verb; no I/O and no XML here.
//!
//! This is the one switch table. `compat` derives every winrm.cmd spelling
//! from it: each long option is also `-long-name:VALUE`, its one-word form
//! `-longname:VALUE`, and `-ALIAS:VALUE` for each clap alias (any case, `/`
//! for `-`). So winrm.cmd's own short names go here as hidden `alias`es
//! (`-r`, `-un`, `-a`); an alias that only recapitalises the one-word form
//! (`skipCAcheck`) is how help prints it. The `[-u: -username:]` notes in
//! the help text are checked against those spellings by compat's tests.
//! This file uses nothing but clap and std: the compat fuzz target includes
//! it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A WS-Management command line: what winrm.cmd is on Windows, for Linux
/// and macOS. Talks to Windows WinRM, Dell iDRAC, Intel AMT, ESXi, OMI and
/// openwsman servers.
#[derive(Debug, Parser)]
#[command(
    name = "winrm",
    version,
    disable_help_subcommand = true,
    after_help = "Both switch styles work and mix freely: -r:HOST -u:USER -a:basic, or \
                  --remote HOST --username USER --auth basic.\n\
                  Topics: winrm help uris | aliases | config | remoting | fleets | auth | \
                  input | filters | switches | formats | json | exit | env | all | VERB\n\
                  Exit codes: 0 ok, 1 fault, 2 usage, 3 auth refused, 4 connection/TLS/timeout, \
                  5 reply not WS-Man, 130 Ctrl-C."
)]
pub struct Cli {
    /// The operation.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Where to connect and how.
    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// How to print results.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The operations (winrm.cmd's verbs and their aliases).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ask the server who it is (WS-Man Identify).
    #[command(visible_alias = "id")]
    Identify,

    /// Read one resource instance.
    #[command(visible_alias = "g")]
    Get {
        /// Resource URI or alias path, with selectors:
        /// wmicimv2/Win32_Service?Name=spooler
        #[arg(value_name = "RESOURCE_URI", allow_hyphen_values = true)]
        resource: String,
        #[command(flatten)]
        request: RequestArgs,
    },

    /// Change properties of a resource (Get, change, Put).
    #[command(visible_aliases = ["s", "put", "p"])]
    Set {
        /// Resource URI or alias path, with selectors.
        #[arg(value_name = "RESOURCE_URI", allow_hyphen_values = true)]
        resource: String,
        /// New values: '@{Name="value";Other=$null}' (quote it for the shell).
        #[arg(value_name = "@{KEY=\"VALUE\"}", allow_hyphen_values = true)]
        input: Option<String>,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        request: RequestArgs,
    },

    /// Create a resource instance; prints the new instance's reference.
    #[command(visible_alias = "c")]
    Create {
        /// Resource URI or alias path, with selectors.
        #[arg(value_name = "RESOURCE_URI", allow_hyphen_values = true)]
        resource: String,
        /// Properties: '@{Name="value"}'.
        #[arg(value_name = "@{KEY=\"VALUE\"}", allow_hyphen_values = true)]
        input: Option<String>,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        request: RequestArgs,
    },

    /// Delete a resource instance.
    #[command(visible_alias = "d")]
    Delete {
        /// Resource URI or alias path, with selectors.
        #[arg(value_name = "RESOURCE_URI", allow_hyphen_values = true)]
        resource: String,
        #[command(flatten)]
        request: RequestArgs,
    },

    /// List the instances of a resource (WS-Enumeration), as they arrive.
    #[command(visible_aliases = ["e", "enum"])]
    Enumerate {
        /// Resource URI or alias path (wmicimv2/* for WQL and associations).
        #[arg(value_name = "RESOURCE_URI", allow_hyphen_values = true)]
        resource: String,
        #[command(flatten)]
        enumeration: EnumerateArgs,
        #[command(flatten)]
        request: RequestArgs,
    },

    /// Run a method (custom action) on a resource; prints its output.
    #[command(visible_alias = "i")]
    Invoke {
        /// The method name (StartService) or a full action URI.
        #[arg(value_name = "ACTION", allow_hyphen_values = true)]
        action: String,
        /// Resource URI or alias path, with selectors.
        #[arg(value_name = "RESOURCE_URI", allow_hyphen_values = true)]
        resource: String,
        /// Method parameters: '@{Name="value"}'.
        #[arg(value_name = "@{KEY=\"VALUE\"}", allow_hyphen_values = true)]
        input: Option<String>,
        #[command(flatten)]
        body: BodyArgs,
        #[command(flatten)]
        request: RequestArgs,
    },

    /// Run a command on the host in a remote cmd shell (WinRS), streaming its
    /// output; exits with the command's exit code.
    #[command(visible_aliases = ["x", "shell"])]
    Exec {
        /// The program and its arguments, passed on as given (everything
        /// after the first word that is not a switch, or after --).
        #[arg(
            value_name = "COMMAND",
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        command: Vec<String>,
        #[command(flatten)]
        exec: ExecArgs,
    },

    /// Show help on a topic: uris, input, filters, switches, auth, remoting,
    /// exit, formats, json, config, or a verb.
    Help {
        /// The topic (a switch name such as -r: works too).
        #[arg(allow_hyphen_values = true)]
        topic: Option<String>,
    },

    /// Explain a WinRM error number (decimal, negative, or 0x hex).
    Helpmsg {
        /// The error number, e.g. 0x80338012 or -2144108526.
        #[arg(allow_hyphen_values = true)]
        code: String,
    },

    /// Windows only: configures the local WinRM service.
    #[command(visible_alias = "qc", hide = true)]
    Quickconfig {
        /// Ignored: the verb is not available off Windows.
        #[arg(long, alias = "q", hide = true)]
        quiet: bool,
        /// Ignored: the verb is not available off Windows.
        #[arg(long, hide = true)]
        force: bool,
        /// Ignored: the verb is not available off Windows.
        #[arg(long, hide = true)]
        transport: Option<String>,
    },

    /// Windows only: edits a resource's access control list.
    #[command(hide = true)]
    Configsddl {
        /// Ignored: the verb is not available off Windows.
        resource: Option<String>,
    },

    /// For packagers: writes a man page or a shell completion script,
    /// generated from this definition, to stdout.
    #[command(hide = true)]
    Generate {
        /// What to write.
        #[arg(value_enum)]
        kind: Generated,
        /// With man: the page of this verb (winrm-get.1) instead of winrm.1.
        #[arg(value_name = "VERB")]
        verb: Option<String>,
    },
}

/// What `winrm generate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Generated {
    /// The man page in roff: winrm.1, or winrm-VERB.1.
    Man,
    /// Completions for bash.
    CompleteBash,
    /// Completions for zsh.
    CompleteZsh,
    /// Completions for fish.
    CompleteFish,
    /// Completions for PowerShell.
    CompletePowershell,
    /// Completions for elvish.
    CompleteElvish,
}

/// Connection, authentication and transport switches.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman).
    /// A bare host means http://HOST:5985/wsman (5986 and https with
    /// --use-ssl); an explicit http:// or https:// without a port means 80 or
    /// 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list
    /// them with commas, or read them one per line from @FILE (@- is stdin;
    /// blank lines and # comments are skipped); see 'winrm help fleets'.
    /// [winrm.cmd: -r: -remote: -machine:]
    #[arg(
        long,
        aliases = ["r", "machine"],
        global = true,
        value_name = "HOST|URL",
        value_hint = clap::ValueHint::Hostname,
        allow_hyphen_values = true
    )]
    pub remote: Vec<String>,

    /// With several targets: how many hosts to work on at a time, each
    /// with its own connection (1 to 1024; default 32). [-parallel:]
    #[arg(long, global = true, value_name = "N", allow_hyphen_values = true)]
    pub parallel: Option<u64>,

    /// User name: user, DOMAIN\user or user@REALM. Defaults to $WINRM_USER.
    /// [-u: -username:]
    #[arg(
        long,
        alias = "u",
        global = true,
        value_name = "USER",
        allow_hyphen_values = true
    )]
    pub username: Option<String>,

    /// Password (visible to other local users in the process list; prefer
    /// $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]
    #[arg(
        long,
        alias = "p",
        global = true,
        value_name = "PASSWORD",
        allow_hyphen_values = true
    )]
    pub password: Option<String>,

    /// Read the password from the first line of FILE. [-passwordfile:]
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        value_hint = clap::ValueHint::FilePath,
        allow_hyphen_values = true
    )]
    pub password_file: Option<PathBuf>,

    /// Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm,
    /// credssp, certificate, basic, digest or none. Default: negotiate when
    /// a user is given, else none. Over http:// negotiate, kerberos, ntlm
    /// and credssp encrypt every message. [-a: -auth: -authentication:]
    #[arg(
        long,
        aliases = ["a", "authentication"],
        global = true,
        value_name = "METHOD",
        allow_hyphen_values = true
    )]
    pub auth: Option<String>,

    /// Allow unencrypted HTTP: needed for Basic over http://; turns off
    /// message encryption for negotiate, kerberos and ntlm. [-unencrypted]
    #[arg(long, alias = "un", global = true)]
    pub unencrypted: bool,

    /// Use HTTPS (default port 5986). [-usessl]
    #[arg(long, alias = "ssl", global = true)]
    pub use_ssl: bool,

    /// Accept a server certificate that no trusted authority signed
    /// (the name is still checked). [-skipCAcheck]
    #[arg(long, alias = "skipCAcheck", global = true)]
    pub skip_ca_check: bool,

    /// Accept a server certificate issued for another name (the issuer is
    /// still checked). [-skipCNcheck]
    #[arg(long, alias = "skipCNcheck", global = true)]
    pub skip_cn_check: bool,

    /// Accepted for compatibility; revocation is not checked. [-skipRevocationcheck]
    #[arg(long, alias = "skipRevocationcheck", global = true, hide = true)]
    pub skip_revocation_check: bool,

    /// Also trust the CA certificates in this PEM file. [-cacert:]
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        value_hint = clap::ValueHint::FilePath,
        allow_hyphen_values = true
    )]
    pub cacert: Option<PathBuf>,

    /// Accept only the server certificate with this fingerprint
    /// (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that
    /// winrm/config/listener and iDRAC show). A pinned certificate needs no
    /// trusted CA and no matching name; any other is refused before a
    /// credential is sent. [-pin:]
    #[arg(long, global = true, value_name = "HASH", allow_hyphen_values = true)]
    pub pin: Vec<String>,

    /// Operation timeout in milliseconds (the server's wsman:OperationTimeout;
    /// the client waits that long plus a margin). Default 60000. [-timeout:]
    #[arg(long, global = true, value_name = "MS", allow_hyphen_values = true)]
    pub timeout: Option<u64>,

    /// Request encoding: utf-8 (default) or utf-16. [-encoding:]
    #[arg(
        long,
        global = true,
        value_name = "ENCODING",
        allow_hyphen_values = true
    )]
    pub encoding: Option<String>,

    /// Locale for messages (wsman:Locale). Default en-US. [-locale:]
    #[arg(long, global = true, value_name = "LANG", allow_hyphen_values = true)]
    pub locale: Option<String>,

    /// Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]
    #[arg(
        long,
        alias = "dataLocale",
        global = true,
        value_name = "LANG",
        allow_hyphen_values = true
    )]
    pub data_locale: Option<String>,

    /// Largest reply envelope to ask for, in bytes. Default 512000.
    /// [-maxenvelopesize:]
    #[arg(
        long,
        alias = "maxEnvelopeSize",
        global = true,
        value_name = "BYTES",
        allow_hyphen_values = true
    )]
    pub max_envelope_size: Option<u32>,

    /// Windows certificate-store thumbprint; not available off Windows. [-c:]
    #[arg(
        long,
        alias = "c",
        global = true,
        hide = true,
        value_name = "THUMBPRINT",
        allow_hyphen_values = true
    )]
    pub certificate: Option<String>,

    /// Log on with your Kerberos ticket (kinit) from the credential cache
    /// (KRB5CCNAME or the default; with -u, that principal's), through
    /// the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]
    #[arg(long, alias = "defaultCreds", global = true)]
    pub default_creds: bool,

    /// Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]
    #[arg(long, alias = "SPNPort", global = true)]
    pub spn_port: bool,

    /// Kerberos service principal name, instead of HTTP/<host>. [-spn:]
    #[arg(long, global = true, value_name = "SPN", allow_hyphen_values = true)]
    pub spn: Option<String>,

    /// Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf's
    /// ($KRB5_CONFIG) entry for the user's realm. [-kdc:]
    #[arg(
        long,
        global = true,
        value_name = "HOST",
        value_hint = clap::ValueHint::Hostname,
        allow_hyphen_values = true
    )]
    pub kdc: Option<String>,

    /// Send no TLS channel binding with Kerberos, NTLM or Negotiate over
    /// HTTPS, for a server that refuses any binding. The server is still
    /// proven by its certificate. [-nochannelbinding]
    #[arg(long, global = true)]
    pub no_channel_binding: bool,

    /// Kerberos: the user's key from this MIT keytab, instead of a
    /// password. [-keytab:]
    #[arg(long, global = true, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub keytab: Option<std::path::PathBuf>,

    /// -a:certificate: the client certificate (PEM; may hold the chain).
    /// [-cert:]
    #[arg(long, global = true, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub cert: Option<std::path::PathBuf>,

    /// -a:certificate: the client certificate's private key (PEM). [-key:]
    #[arg(long, global = true, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub key: Option<std::path::PathBuf>,

    /// Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or
    /// http://USER:PASSWORD@HOST:PORT for a proxy that wants a login.
    /// Default: $https_proxy or $http_proxy (by the endpoint's scheme),
    /// then $all_proxy, unless $no_proxy lists the host. [-proxy:]
    #[arg(long, global = true, value_name = "URL", allow_hyphen_values = true)]
    pub proxy: Option<String>,

    /// no_proxy ignores every proxy setting; winrm.cmd's other choices read
    /// Windows settings. [-proxyaccess:]
    #[arg(
        long,
        alias = "pac",
        global = true,
        hide = true,
        value_name = "ACCESS",
        allow_hyphen_values = true
    )]
    pub proxy_access: Option<String>,

    /// Proxy authentication; not supported yet. [-proxyauth:]
    #[arg(
        long,
        alias = "pa",
        global = true,
        hide = true,
        value_name = "METHOD",
        allow_hyphen_values = true
    )]
    pub proxy_auth: Option<String>,

    /// Proxy user; not supported yet. [-proxyusername:]
    #[arg(
        long,
        alias = "pu",
        global = true,
        hide = true,
        value_name = "USER",
        allow_hyphen_values = true
    )]
    pub proxy_username: Option<String>,

    /// Proxy password; not supported yet. [-proxypassword:]
    #[arg(
        long,
        alias = "pp",
        global = true,
        hide = true,
        value_name = "PASSWORD",
        allow_hyphen_values = true
    )]
    pub proxy_password: Option<String>,
}

/// Output switches.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format: text (winrm.cmd's layout, default), xml (as
    /// received), pretty (indented xml), json, jsonl (alias ndjson: one
    /// JSON object per line), table, csv or tsv. A leading # is ignored;
    /// see 'winrm help formats' and 'winrm help json'. [-format: -f:]
    #[arg(
        long,
        short = 'o',
        alias = "f",
        global = true,
        value_name = "FORMAT",
        allow_hyphen_values = true
    )]
    pub format: Option<String>,

    /// Columns of a table, csv or tsv, in order: property names separated
    /// by commas (repeatable; --property is the same). The default shows
    /// the key properties first, then as many others as fit (a table) or
    /// all (csv, tsv). [-columns: -property:]
    #[arg(
        long,
        visible_alias = "property",
        global = true,
        value_name = "NAME,NAME",
        allow_hyphen_values = true
    )]
    pub columns: Vec<String>,

    /// Leave out the header line of csv and tsv. [-noheader]
    #[arg(long, global = true)]
    pub no_header: bool,

    /// Properties to show as arrays in JSON and tables even when the
    /// server sent one value (comma-separated, repeatable). [-array:]
    #[arg(
        long,
        global = true,
        value_name = "NAME,NAME",
        allow_hyphen_values = true
    )]
    pub array: Vec<String>,

    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, or
    /// never. NO_COLOR always wins. [-color:]
    #[arg(
        long,
        alias = "colour",
        global = true,
        value_name = "WHEN",
        allow_hyphen_values = true
    )]
    pub color: Option<String>,

    /// Print each HTTP request and reply (headers and envelopes) to stderr,
    /// credentials redacted; sealed envelopes are shown decrypted, marked as
    /// sealed on the wire. [-debug]
    #[arg(long, short = 'v', global = true)]
    pub debug: bool,
}

/// Provider options and fragments, for every verb that names a resource.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// Provider options as a hash: {Name="value";Other=$null}. [-options:]
    #[arg(long, value_name = "{KEY=\"VALUE\"}", allow_hyphen_values = true)]
    pub options: Option<String>,

    /// One provider option, NAME=VALUE (repeatable). [-option:]
    #[arg(long = "option", value_name = "NAME=VALUE", allow_hyphen_values = true)]
    pub option: Vec<String>,

    /// Read or write only part of the resource (an XPath-like expression such
    /// as Status/text()). [-fragment:]
    #[arg(long, value_name = "EXPRESSION", allow_hyphen_values = true)]
    pub fragment: Option<String>,

    /// Dialect of the filter or fragment: wql, selector, association, xpath,
    /// cql, or a URI. [-dialect:]
    #[arg(long, value_name = "DIALECT", allow_hyphen_values = true)]
    pub dialect: Option<String>,
}

/// Where a request body comes from, besides `@{...}`.
#[derive(Debug, Args)]
pub struct BodyArgs {
    /// Send the XML in FILE as the body. [-file:]
    #[arg(
        long,
        value_name = "FILE",
        value_hint = clap::ValueHint::FilePath,
        allow_hyphen_values = true
    )]
    pub file: Option<PathBuf>,
}

/// Enumeration switches.
#[derive(Debug, Args)]
pub struct EnumerateArgs {
    /// Filter expression; WQL unless --dialect says otherwise. [-filter:]
    #[arg(long, value_name = "EXPRESSION", allow_hyphen_values = true)]
    pub filter: Option<String>,

    /// With the association dialect: return the association instances
    /// rather than the associated ones. [-associations]
    #[arg(long)]
    pub associations: bool,

    /// What each item is: object (default), epr, or objectandepr. [-ReturnType:]
    #[arg(
        long,
        alias = "ReturnType",
        value_name = "TYPE",
        allow_hyphen_values = true
    )]
    pub return_type: Option<String>,

    /// Only instances of the class itself, not of subclasses. [-Shallow]
    #[arg(long, alias = "Shallow")]
    pub shallow: bool,

    /// Subclass instances with base-class properties only. [-BasePropertiesOnly]
    #[arg(long, alias = "BasePropertiesOnly")]
    pub base_properties_only: bool,

    /// Items per reply (wsman:MaxElements). Default 100. [-maxelements:]
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub max_elements: Option<u32>,

    /// Stop after N items: the rest are not fetched, the enumeration is
    /// released, and the exit status is 0. [-limit:]
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub limit: Option<u64>,

    /// Do not ask for items in the first reply (for servers that mishandle
    /// OptimizeEnumeration). [-nooptimize]
    #[arg(long)]
    pub no_optimize: bool,
}

/// How `exec` runs its command.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Run this PowerShell script (powershell.exe -EncodedCommand; `-` reads
    /// it from stdin) instead of COMMAND. [-powershell:]
    #[arg(long, value_name = "SCRIPT", allow_hyphen_values = true)]
    pub powershell: Option<String>,

    /// Run the PowerShell script in FILE. [-powershellfile:]
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub powershell_file: Option<PathBuf>,

    /// The working directory on the host. [-d: -directory:]
    #[arg(long, alias = "d", value_name = "PATH", allow_hyphen_values = true)]
    pub directory: Option<String>,

    /// An environment variable for the command, NAME=VALUE (repeatable).
    /// [-env: -environment:]
    #[arg(
        long,
        alias = "environment",
        value_name = "NAME=VALUE",
        allow_hyphen_values = true
    )]
    pub env: Vec<String>,

    /// Do not load the user's profile on the host. [-nop -noprofile]
    #[arg(long, alias = "nop")]
    pub no_profile: bool,

    /// The console code page of the output (65001, UTF-8, by default).
    /// [-codepage:]
    #[arg(long, value_name = "N")]
    pub codepage: Option<u32>,

    /// Close the shell after this many seconds without a request.
    /// [-idletimeout:]
    #[arg(long, value_name = "SECONDS")]
    pub idle_timeout: Option<u64>,

    /// Start the program directly, without cmd.exe around it.
    /// [-skipcmdshell]
    #[arg(long)]
    pub skip_cmd_shell: bool,

    /// Send nothing to the command's stdin (it sees end of file).
    /// [-nostdin]
    #[arg(long)]
    pub no_stdin: bool,

    /// With several targets: print each host's output whole under a
    /// header line, instead of each line as it comes prefixed with
    /// `HOST: `. [-group]
    #[arg(long)]
    pub group: bool,

    /// winrs.exe's -noecho: accepted; input is never echoed here. [-noe]
    #[arg(long, alias = "noe", hide = true)]
    pub no_echo: bool,

    /// winrs.exe's -compression: accepted; replies are not compressed.
    /// [-comp]
    #[arg(long, alias = "comp", hide = true)]
    pub compression: bool,

    /// winrs.exe's -allowdelegate: credentials travel to the host only with
    /// CredSSP (-a:credssp).
    #[arg(long, hide = true)]
    pub allow_delegate: bool,
}
