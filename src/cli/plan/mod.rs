//! The parsed command line plus the environment → a validated [`Plan`]:
//! what to do, where, as whom, and how to show it. The stage between clap
//! and the network (ripgrep's LowArgs → HiArgs): every switch is checked
//! and typed here, in the order the user reads them (output, then the
//! verb's own arguments, then the connection), so no request is sent from
//! a command line that is wrong anywhere.
//!
//! No network and no prompt: a password the user must type is planned as
//! [`CredentialSource::Prompt`] and asked for once, later, by
//! [`super::connect::credentials`]. Files named on the command line
//! (`-file:`, `--password-file`) are read here, so their errors are usage
//! errors before anything is sent. The environment comes in through
//! [`Environment`], so tests give their own.

pub mod exec;
pub mod request;
pub mod targets;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use winrm::protocol::codes;
use winrm::render::{Format, RenderOptions};
use winrm::session::{
    Encoding, EnumerateOptions, RequestOptions, ResourceUri, SessionOptions, create_input,
    invoke_input,
};
use winrm::transport::tls::Pin;
use winrm::transport::{AuthOptions, Endpoint, EndpointError, Method, Proxy, Secret, TlsOptions};

use super::UsageError;
use super::args::{Cli, Command, ConnectionArgs, Generated};
use super::environment::Environment;
use super::{local_file, output};
use request::{Input, enumerate_options, parse_resource, request_options};

/// How long to wait for a TCP and TLS connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// How much longer than the OperationTimeout to wait for a reply: the server
/// may hold a request for the whole OperationTimeout before answering.
/// Windows' client allows its NetworkDelayms (5 s) the same way.
const REPLY_MARGIN: Duration = Duration::from_secs(5);
/// The smallest MaxEnvelopeSize that still fits a fault (DSP0226 R6.2-3).
const MIN_ENVELOPE: u32 = 8192;
/// Hosts worked on at a time when several are given (`--parallel`): enough
/// to hide network latency, few enough that the connections, threads and
/// per-host output buffers stay small.
pub const DEFAULT_PARALLEL: usize = 32;
/// The most `--parallel` may ask for.
const MAX_PARALLEL: u64 = 1024;

/// Everything a run needs, checked.
#[derive(Debug)]
pub struct Plan {
    /// What to do.
    pub verb: Verb,
    /// How to show results.
    pub output: OutputPlan,
    /// Where and how to connect; `None` for verbs that stay local (help).
    pub connection: Option<ConnectionPlan>,
    /// What the user should know before anything runs (a password file
    /// others can read).
    pub warnings: Vec<String>,
}

/// One operation, with its arguments parsed and typed.
#[derive(Debug)]
pub enum Verb {
    /// `help [TOPIC]` (and a bare `winrm`).
    Help(Option<String>),
    /// `helpmsg CODE`: an error number explained.
    Helpmsg(u32),
    /// `generate KIND [VERB]` (hidden): a man page or a completion script.
    Generate(Generated, Option<String>),
    /// `quickconfig`, `configsddl`: they change the local Windows service.
    WindowsOnly,
    /// WS-Man Identify; unauthenticated with `-a:none`.
    Identify,
    /// WS-Transfer Get.
    Get(Request),
    /// Get, change, Put (`@{...}`), or Put a whole body (`-file:`).
    Set(Request, Change),
    /// WS-Transfer Create with this body.
    Create(Request, String),
    /// WS-Transfer Delete.
    Delete(Request),
    /// A custom action with this input body (empty: `<p:ACTION_INPUT/>`).
    Invoke {
        /// The method name or action URI.
        action: String,
        /// The resource and options.
        request: Request,
        /// The input body.
        input: String,
    },
    /// Enumerate + Pull until the end, or until the limit (`--limit`).
    Enumerate(Request, EnumerateOptions, Option<u64>),
    /// A command in a remote shell.
    Exec(exec::Exec),
}

/// The resource a verb addresses, with the per-request options.
#[derive(Debug)]
pub struct Request {
    /// The resource URI and its selectors.
    pub resource: ResourceUri,
    /// OptionSet, fragment.
    pub options: RequestOptions,
}

/// What `set` changes.
#[derive(Debug)]
pub enum Change {
    /// Named properties (`@{Name="value"}`; `None` is `$null`).
    Pairs(Vec<(String, Option<String>)>),
    /// A whole new body (`-file:`).
    Body(String),
}

/// How results are shown.
#[derive(Debug, Clone)]
pub struct OutputPlan {
    /// The format.
    pub format: Format,
    /// Colour, width, columns and array hints for the renderers.
    pub render: RenderOptions,
    /// Trace every HTTP exchange to stderr.
    pub debug: bool,
    /// Draw a progress line for long enumerations (on a terminal); off
    /// when many hosts share stderr.
    pub progress: bool,
}

/// Where to connect and with what.
#[derive(Debug)]
pub struct ConnectionPlan {
    /// The endpoints, in the order given; several make a fleet.
    pub targets: Vec<Target>,
    /// How many hosts of a fleet are worked on at a time.
    pub parallel: usize,
    /// The method and the credential source.
    pub auth: AuthPlan,
    /// Settings every request of a session shares.
    pub session: SessionOptions,
    /// Certificate checks for HTTPS.
    pub tls: TlsOptions,
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long to wait for a reply.
    pub reply_timeout: Duration,
    /// The largest reply accepted, in bytes.
    pub max_reply_bytes: u64,
    /// The user allowed unencrypted traffic (`-unencrypted`).
    pub allow_unencrypted: bool,
    /// Kerberos and SPN settings.
    pub mechanism: AuthOptions,
}

/// One endpoint and the proxy on the way to it.
#[derive(Debug)]
pub struct Target {
    /// The target as the user wrote it: how output and errors name it.
    pub label: String,
    /// Where the service listens.
    pub endpoint: Endpoint,
    /// The proxy to go through (`-proxy`, or the environment's unless
    /// `no_proxy` lists the host).
    pub proxy: Option<Proxy>,
}

/// How to authenticate.
#[derive(Debug)]
pub struct AuthPlan {
    /// The method.
    pub method: Method,
    /// The user, when the method takes one.
    pub user: Option<String>,
    /// Where the proof of identity comes from.
    pub credential: CredentialSource,
}

/// Where the proof of the user's identity comes from.
#[derive(Debug)]
pub enum CredentialSource {
    /// Nothing is sent (`-a:none`), or the certificate is the credential.
    None,
    /// A password from `-p`, `--password-file` or `WINRM_PASSWORD`.
    Password(Secret),
    /// A password typed at the terminal, asked for once before connecting.
    Prompt,
    /// The user's Kerberos key, from this keytab.
    Keytab(PathBuf),
    /// The Kerberos ticket `kinit` left in the credential cache, through
    /// the system GSSAPI library: the default cache's principal, or the
    /// user's when one is named (`-defaultCreds`, or -a:kerberos /
    /// -a:negotiate with no user and no password).
    TicketCache,
    /// A user named with no password, by Kerberos or Negotiate: their
    /// cached ticket when the cache holds a valid one, else a typed
    /// password (decided when connecting, where the prompt lives).
    TicketCacheOrPrompt,
    /// No `-a`, no user and no certificate, for a verb that needs a logon
    /// (anything but Identify): the default cache's ticket by Negotiate
    /// when the cache holds a valid one, as winrm.cmd logs on as the
    /// signed-in user; otherwise nothing is sent, as before. The plan's
    /// method stays [`Method::None`]; connecting decides.
    TicketCacheIfAny,
    /// A TLS client certificate and its key (PEM files).
    Certificate {
        /// The certificate file.
        cert: PathBuf,
        /// The private key file.
        key: PathBuf,
    },
}

impl Plan {
    /// Checks and types the whole command line. The password moves out of
    /// `cli`, so the one copy is the plan's.
    pub fn new(mut cli: Cli, format: Format, env: &Environment) -> Result<Plan, UsageError> {
        let output = OutputPlan {
            render: output::render_options(&cli.output, format, env)?,
            format,
            debug: cli.output.debug,
            progress: true,
        };
        check_stdin_readers(&cli)?;
        let mut verb = match cli.command.take() {
            None => Verb::Help(None),
            Some(command) => verb(command, env)?,
        };
        if matches!(verb, Verb::Exec(_))
            && !matches!(format, Format::Text | Format::Json | Format::Jsonl)
        {
            return Err(UsageError::new(format!(
                "exec prints its command's output as text, json or jsonl, not {}",
                format.name()
            )));
        }
        let mut warnings = Vec::new();
        if let Verb::Exec(exec) = &verb
            && targets::from_stdin(&cli.connection.remote)
            && exec.stdin == exec::Stdin::Forward
        {
            return Err(UsageError::new(
                "-r:@- reads the targets from stdin, so the command cannot read its input \
                 from there too; add --no-stdin, or list the targets in a file (-r:@FILE)",
            ));
        }
        let connection = match verb {
            Verb::Help(_) | Verb::Helpmsg(_) | Verb::Generate(..) | Verb::WindowsOnly => None,
            // Identify stays anonymous unless asked: BMCs and OMI answer
            // it without a logon, and a ticket found by chance must not
            // turn it into a Kerberos exchange they cannot take part in.
            _ => Some(connection(
                &mut cli.connection,
                env,
                !matches!(verb, Verb::Identify),
                &mut warnings,
            )?),
        };
        if let (Verb::Exec(exec), Some(c)) = (&mut verb, &connection)
            && c.targets.len() > 1
        {
            exec.for_fleet(env.stdin_is_terminal)?;
        }
        Ok(Plan {
            verb,
            output,
            connection,
            warnings,
        })
    }
}

/// Stdin can be read once: by the targets (`-r:@-`), the password
/// (`--password-file -`) or the script (`--powershell -`), not two of them.
fn check_stdin_readers(cli: &Cli) -> Result<(), UsageError> {
    let mut readers = Vec::new();
    if targets::from_stdin(&cli.connection.remote) {
        readers.push("-r:@-");
    }
    if cli
        .connection
        .password_file
        .as_ref()
        .is_some_and(|p| p.as_os_str() == "-")
    {
        readers.push("--password-file -");
    }
    if let Some(Command::Exec { exec, .. }) = &cli.command
        && exec.powershell.as_deref() == Some("-")
    {
        readers.push("--powershell -");
    }
    if readers.len() > 1 {
        let all = if readers.len() == 2 { "both" } else { "all" };
        return Err(UsageError::new(format!(
            "{} {all} read stdin, which can be read once; give all but one in files",
            readers.join(" and ")
        )));
    }
    Ok(())
}

fn verb(command: Command, env: &Environment) -> Result<Verb, UsageError> {
    let request = |resource: &str, args| -> Result<Request, UsageError> {
        Ok(Request {
            resource: parse_resource(resource)?,
            options: request_options(args)?,
        })
    };
    Ok(match command {
        Command::Help { topic } => Verb::Help(topic),
        Command::Helpmsg { code } => {
            Verb::Helpmsg(codes::parse_code(&code).map_err(UsageError::new)?)
        }
        Command::Generate { kind, verb } => Verb::Generate(kind, verb),
        Command::Quickconfig { .. } | Command::Configsddl { .. } => Verb::WindowsOnly,
        Command::Identify => Verb::Identify,
        Command::Exec { command, exec } => {
            Verb::Exec(exec::Exec::new(command, &exec, env.stdin_is_terminal)?)
        }
        Command::Get {
            resource,
            request: r,
        } => Verb::Get(request(&resource, &r)?),
        Command::Set {
            resource,
            input,
            body,
            request: r,
        } => {
            let request = request(&resource, &r)?;
            let change = match Input::read(input.as_deref(), &body)? {
                Input::Pairs(pairs) => Change::Pairs(pairs),
                Input::File(text) => Change::Body(text),
                Input::None => {
                    return Err(UsageError::new(
                        "set needs the new values: '@{Name=\"value\"}' or -file:FILE",
                    ));
                }
            };
            Verb::Set(request, change)
        }
        Command::Create {
            resource,
            input,
            body,
            request: r,
        } => {
            let request = request(&resource, &r)?;
            // Without @{} (or with an empty one) the resource element goes
            // empty, as winrm.cmd sends it: `create
            // winrm/config/Listener?Address=*+Transport=HTTP` is its own
            // documented example; the selectors say what to create.
            let body = match Input::read(input.as_deref(), &body)? {
                Input::Pairs(pairs) => create_input(&request.resource, &pairs)
                    .map_err(|e| UsageError::new(e.to_string()))?,
                Input::File(text) => text,
                Input::None => create_input(&request.resource, &[])
                    .map_err(|e| UsageError::new(e.to_string()))?,
            };
            Verb::Create(request, body)
        }
        Command::Delete {
            resource,
            request: r,
        } => Verb::Delete(request(&resource, &r)?),
        Command::Invoke {
            action,
            resource,
            input,
            body,
            request: r,
        } => {
            let request = request(&resource, &r)?;
            let input = match Input::read(input.as_deref(), &body)? {
                Input::Pairs(pairs) => invoke_input(&action, &request.resource, &pairs)
                    .map_err(|e| UsageError::new(e.to_string()))?,
                Input::File(text) => text,
                // The session sends the empty `<p:ACTION_INPUT/>`.
                Input::None => String::new(),
            };
            Verb::Invoke {
                action,
                request,
                input,
            }
        }
        Command::Enumerate {
            resource,
            enumeration,
            request: r,
        } => {
            let resource = parse_resource(&resource)?;
            let mut options = enumerate_options(&enumeration, r.dialect.as_deref(), &resource)?;
            let limit = enumeration.limit;
            if limit == Some(0) {
                return Err(UsageError::new("--limit must be at least 1"));
            }
            // No page need hold more than the items wanted.
            if let Some(limit) = limit {
                options.max_elements = options
                    .max_elements
                    .min(u32::try_from(limit).unwrap_or(u32::MAX));
            }
            let mut request_options = request_options(&r)?;
            // -dialect belongs to the filter here, not to a fragment.
            if let Some(f) = request_options.fragment.as_mut() {
                f.dialect = None;
            }
            Verb::Enumerate(
                Request {
                    resource,
                    options: request_options,
                },
                options,
                limit,
            )
        }
    })
}

fn connection(
    args: &mut ConnectionArgs,
    env: &Environment,
    logon_by_default: bool,
    warnings: &mut Vec<String>,
) -> Result<ConnectionPlan, UsageError> {
    reject_windows_only(args)?;
    let names = targets::expand(&args.remote, &mut targets::read_stdin)?.names;
    let parsed = names
        .iter()
        .map(|name| Endpoint::parse(name, args.use_ssl).map_err(|e| endpoint_error(&e)))
        .collect::<Result<Vec<_>, _>>()?;
    // One endpoint spelled two ways (web01, http://WEB01:5985/wsman) runs
    // once, under the first spelling: a change must not be made twice.
    let mut seen = HashSet::new();
    let (names, endpoints): (Vec<String>, Vec<Endpoint>) = names
        .into_iter()
        .zip(parsed)
        .filter(|(_, endpoint)| {
            seen.insert((
                endpoint.scheme().as_str(),
                endpoint.authority(),
                endpoint.path().to_string(),
            ))
        })
        .unzip();
    let parallel = match args.parallel {
        None => DEFAULT_PARALLEL,
        Some(n @ 1..=MAX_PARALLEL) => usize::try_from(n).unwrap_or(DEFAULT_PARALLEL),
        Some(n) => {
            return Err(UsageError::new(format!(
                "--parallel {n} is out of range; give 1 to {MAX_PARALLEL} hosts at a time"
            )));
        }
    };
    if endpoints.len() > 1 && args.spn.is_some() {
        return Err(UsageError::new(
            "--spn names one host's service principal, and there are several targets; \
             drop it (each host's own HTTP/HOST is used) or run each host on its own",
        ));
    }
    let auth = auth_plan(args, env, &endpoints, logon_by_default, warnings)?;

    let operation_timeout = Duration::from_millis(args.timeout.unwrap_or(60_000));
    if operation_timeout.is_zero() {
        return Err(UsageError::new("-timeout must be more than 0 milliseconds"));
    }
    let max_envelope_size = args.max_envelope_size.unwrap_or(512_000);
    if max_envelope_size < MIN_ENVELOPE {
        return Err(UsageError::new(format!(
            "--max-envelope-size {max_envelope_size} is too small; servers need at least {MIN_ENVELOPE} bytes"
        )));
    }
    let encoding = match args
        .encoding
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("utf-8" | "utf8") => Encoding::Utf8,
        Some("utf-16" | "utf16") => Encoding::Utf16,
        Some(other) => {
            return Err(UsageError::new(format!(
                "unknown encoding '{other}'; choose utf-8 or utf-16"
            )));
        }
    };
    if !args.pin.is_empty() && endpoints.iter().any(|e| !e.is_https()) {
        return Err(UsageError::new(
            "--pin checks the server's TLS certificate, so it needs HTTPS; \
             use -r:https://HOST:5986 or -usessl",
        ));
    }
    // The files the transport reads later: wrong ones are usage errors
    // now, before anything is sent (a missing keytab is not a refused
    // logon).
    if let Some(path) = &args.cacert {
        local_file::check(path, "the CA file", local_file::CA_FILE)?;
    }
    for (path, what) in [
        (&args.cert, "the client certificate"),
        (&args.key, "the client key"),
        (&args.keytab, "the keytab"),
    ] {
        if let Some(path) = path {
            local_file::check(path, what, local_file::KEY_FILE)?;
        }
    }
    let targets = names
        .into_iter()
        .zip(endpoints)
        .map(|(label, endpoint)| {
            Ok(Target {
                label,
                proxy: proxy_for(args, &endpoint, env)?,
                endpoint,
            })
        })
        .collect::<Result<Vec<_>, UsageError>>()?;
    let client_identity = match &auth.credential {
        CredentialSource::Certificate { cert, key } => Some((cert.clone(), key.clone())),
        _ => None,
    };
    Ok(ConnectionPlan {
        targets,
        parallel,
        auth,
        session: SessionOptions {
            max_envelope_size,
            operation_timeout,
            locale: Some(args.locale.clone().unwrap_or_else(|| "en-US".into())),
            data_locale: args.data_locale.clone(),
            encoding,
        },
        tls: TlsOptions {
            skip_ca_check: args.skip_ca_check,
            skip_cn_check: args.skip_cn_check,
            ca_file: args.cacert.clone(),
            client_identity,
            pins: args
                .pin
                .iter()
                .map(|text| {
                    Pin::parse(text).map_err(|why| {
                        UsageError::new(format!(
                            "--pin '{text}' {why}; write sha256:HEX or sha1:HEX"
                        ))
                    })
                })
                .collect::<Result<_, _>>()?,
        },
        connect_timeout: CONNECT_TIMEOUT,
        reply_timeout: operation_timeout + REPLY_MARGIN,
        // UTF-16 doubles the bytes of an envelope; leave room for servers
        // that overshoot a little. Anything bigger is refused unread.
        max_reply_bytes: u64::from(max_envelope_size) * 4 + 65_536,
        allow_unencrypted: args.unencrypted,
        mechanism: AuthOptions {
            kdc: args.kdc.clone(),
            spn: args.spn.clone(),
            spn_port: args.spn_port,
            no_channel_binding: args.no_channel_binding,
        },
    })
}

/// `-r`'s problems in its own words.
fn endpoint_error(e: &EndpointError) -> UsageError {
    UsageError::new(match e {
        EndpointError::Empty => {
            "-remote needs a host, e.g. -r:server01 or -r:https://server01:5986".to_string()
        }
        EndpointError::Scheme(scheme) => {
            format!("-remote has the scheme '{scheme}://'; use http:// or https://")
        }
        EndpointError::HttpsConflict => {
            "-usessl conflicts with an http:// target; drop one of them".to_string()
        }
        // Never echo the target: the part before '@' may be a password.
        EndpointError::Credentials => {
            "credentials in -remote are not supported (and would show in the process list); \
             give -u:USER and the password through WINRM_PASSWORD, --password-file or the prompt"
                .to_string()
        }
        EndpointError::NotAHost(target) => {
            format!("-remote '{target}' does not name a host; use HOST, HOST:PORT or a URL")
        }
        EndpointError::Port(port) => {
            format!("the port '{port}' in -remote is not a number from 1 to 65535")
        }
        EndpointError::UnclosedIpv6 => {
            "an IPv6 address in -remote is missing its closing ']'".to_string()
        }
        EndpointError::Ambiguous(text) => format!(
            "-remote '{text}' is neither HOST:PORT nor an IPv6 address \
             (write IPv6 with a port as [ADDRESS]:PORT)"
        ),
        other => format!("-remote: {other}"),
    })
}

/// The method, the user and where the proof comes from. winrm.cmd's
/// default method: Kerberos in a domain, NTLM otherwise (Negotiate).
/// `logon_by_default`: with no `-a` and no user, a valid cached ticket
/// logs on (every verb but Identify).
fn auth_plan(
    args: &mut ConnectionArgs,
    env: &Environment,
    endpoints: &[Endpoint],
    logon_by_default: bool,
    warnings: &mut Vec<String>,
) -> Result<AuthPlan, UsageError> {
    let user = args.username.clone().or_else(|| env.var("WINRM_USER"));
    if user.as_deref().is_some_and(|u| u.contains(['\r', '\n'])) {
        return Err(UsageError::new(
            "the user name holds a line break; give it on one line",
        ));
    }
    if user.as_deref().is_some_and(|u| u.trim().is_empty()) {
        return Err(UsageError::new(
            "-u is empty; give a user name, e.g. -u:Administrator",
        ));
    }
    let method = match args.auth.as_deref() {
        Some(name) => Method::parse(name).ok_or_else(|| {
            let names: Vec<&str> = Method::ALL.iter().map(|(_, n)| *n).collect();
            UsageError::new(format!(
                "unknown authentication method '{name}'; choose one of: {}",
                names.join(", ")
            ))
        })?,
        None if user.is_some() || args.default_creds => Method::Negotiate,
        None if args.cert.is_some() => Method::Certificate,
        None => Method::None,
    };
    let certificate = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) if method == Method::Certificate => Some((cert, key)),
        (None, None) if method == Method::Certificate => {
            return Err(UsageError::new(
                "-a:certificate needs the client certificate and its key: --cert FILE --key FILE (PEM)",
            ));
        }
        (None, None) => None,
        _ if method != Method::Certificate => {
            return Err(UsageError::new("--cert and --key go with -a:certificate"));
        }
        _ => {
            return Err(UsageError::new(
                "-a:certificate needs both --cert FILE and --key FILE (PEM)",
            ));
        }
    };
    if args.default_creds && !matches!(method, Method::Kerberos | Method::Negotiate) {
        return Err(UsageError::new(format!(
            "-defaultCreds logs on with your Kerberos ticket (kinit); it goes with \
             -a:negotiate or -a:kerberos, not -a:{}",
            method.name()
        )));
    }
    let credential = match method {
        Method::Certificate => match certificate {
            Some((cert, key)) => CredentialSource::Certificate {
                cert: cert.clone(),
                key: key.clone(),
            },
            None => CredentialSource::None,
        },
        Method::None => {
            if args.username.is_some() || args.password.is_some() {
                return Err(UsageError::new(
                    "-a:none sends no credentials; drop -u/-p or choose -a:basic",
                ));
            }
            // Kerberos needs each host's name: with an address among the
            // targets, a ticket cannot log on, so nothing changes.
            if args.auth.is_none()
                && logon_by_default
                && ticket_may_replace_password(Method::Negotiate, args.spn.is_some(), endpoints)
            {
                CredentialSource::TicketCacheIfAny
            } else {
                CredentialSource::None
            }
        }
        _ if args.default_creds => {
            if args.password.is_some() || args.password_file.is_some() || args.keytab.is_some() {
                return Err(UsageError::new(
                    "-defaultCreds logs on with your Kerberos ticket (kinit); \
                     drop -p, --password-file and --keytab, or drop -defaultCreds",
                ));
            }
            CredentialSource::TicketCache
        }
        Method::Kerberos | Method::Negotiate
            if user.is_none() && args.password.is_none() && args.password_file.is_none() =>
        {
            if args.keytab.is_some() {
                return Err(UsageError::new(
                    "--keytab needs the user whose key it holds: give -u:user@REALM",
                ));
            }
            CredentialSource::TicketCache
        }
        _ => {
            if user.is_none() {
                return Err(UsageError::new(format!(
                    "-a:{} needs a user name: give -u:USER or set WINRM_USER",
                    method.name()
                )));
            }
            match &args.keytab {
                Some(path) if matches!(method, Method::Kerberos | Method::Negotiate) => {
                    CredentialSource::Keytab(path.clone())
                }
                Some(_) => {
                    return Err(UsageError::new(
                        "--keytab goes with -a:kerberos or -a:negotiate",
                    ));
                }
                None => match password_source(args, env, warnings)? {
                    CredentialSource::Prompt
                        if ticket_may_replace_password(method, args.spn.is_some(), endpoints) =>
                    {
                        CredentialSource::TicketCacheOrPrompt
                    }
                    other => other,
                },
            }
        }
    };
    if matches!(credential, CredentialSource::TicketCache) && args.kdc.is_some() {
        warnings.push(
            "--kdc does not apply to a logon with the ticket cache: the system Kerberos \
             library finds the KDC (krb5.conf, DNS)"
                .into(),
        );
    }
    if method == Method::Certificate
        && let Some(endpoint) = endpoints.iter().find(|e| !e.is_https())
    {
        return Err(UsageError::new(format!(
            "-a:certificate presents the certificate in the TLS handshake, so it needs HTTPS; \
             {endpoint} is plain HTTP (use -r:https://HOST:5986/wsman or -usessl)"
        )));
    }
    Ok(AuthPlan {
        method,
        user: (method != Method::Certificate && method != Method::None)
            .then_some(user)
            .flatten(),
        credential,
    })
}

/// Whether a named user's cached ticket may stand in for the password
/// that would be prompted for. Kerberos, yes. Negotiate only where it will
/// run Kerberos: an IP address names no Kerberos service (unless --spn
/// names it), so Negotiate runs NTLM there, which needs the password
/// (issue 15 point 3). One address among several targets is enough: the
/// password is asked for once for the whole fleet.
fn ticket_may_replace_password(method: Method, spn: bool, endpoints: &[Endpoint]) -> bool {
    match method {
        Method::Kerberos => true,
        Method::Negotiate => spn || !endpoints.iter().any(Endpoint::host_is_address),
        _ => false,
    }
}

/// The password: -p, then --password-file (explicit switches win), then
/// $WINRM_PASSWORD, then a prompt (planned, not asked yet).
fn password_source(
    args: &mut ConnectionArgs,
    env: &Environment,
    warnings: &mut Vec<String>,
) -> Result<CredentialSource, UsageError> {
    // Moved, not copied, so the one copy is zeroed when the Secret drops.
    if let Some(p) = args.password.take() {
        return Ok(CredentialSource::Password(Secret::new(p)));
    }
    if let Some(path) = &args.password_file {
        // `-` is stdin's first line; what follows stays for the command.
        let text = if path.as_os_str() == "-" {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|e| {
                UsageError::new(format!("cannot read the password from stdin: {e}"))
            })?;
            line
        } else {
            let text =
                local_file::read_to_string(path, "the password file", local_file::PASSWORD_FILE)?;
            if let Some(mode) = readable_by_others(path) {
                warnings.push(format!(
                    "the password file {} can be read by other users (mode {mode:o}); \
                     chmod 600 it",
                    path.display()
                ));
            }
            text
        };
        let first = text.lines().next().unwrap_or("");
        if first.is_empty() {
            return Err(UsageError::new(format!(
                "the password file {} is empty; put the password on its first line",
                path.display()
            )));
        }
        return Ok(CredentialSource::Password(Secret::new(first.to_string())));
    }
    if let Some(mut p) = env.var("WINRM_PASSWORD") {
        // `export WINRM_PASSWORD=$(cat file)` drops it, `read` keeps none,
        // but a here-string or an echo adds one: like the file, one line.
        if p.ends_with('\n') {
            let kept = p.trim_end_matches(['\r', '\n']).len();
            p.truncate(kept);
            warnings.push("WINRM_PASSWORD ended with a line break, which was left out".into());
        }
        return Ok(CredentialSource::Password(Secret::new(p)));
    }
    Ok(CredentialSource::Prompt)
}

/// The file's mode when users other than its owner may read it.
fn readable_by_others(path: &std::path::Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o044 != 0).then_some(mode)
}

fn reject_windows_only(args: &ConnectionArgs) -> Result<(), UsageError> {
    if args.certificate.is_some() {
        return Err(UsageError::new(
            "-certificate takes a Windows certificate-store thumbprint, which does not exist here; \
             use -a:certificate with the certificate and key as PEM files (--cert FILE --key FILE)",
        ));
    }
    if args.proxy_auth.is_some() || args.proxy_username.is_some() || args.proxy_password.is_some() {
        return Err(UsageError::new(
            "give the proxy's user and password in its URL instead: \
             -proxy:http://USER:PASSWORD@HOST:PORT, or https_proxy/http_proxy in the environment \
             (see 'winrm help remoting')",
        ));
    }
    Ok(())
}

/// The proxy to go through: none with -proxyaccess:no_proxy; else
/// -proxy, or the environment's (see [`winrm::transport::proxy::select`]).
fn proxy_for(
    args: &ConnectionArgs,
    endpoint: &Endpoint,
    env: &Environment,
) -> Result<Option<Proxy>, UsageError> {
    match args.proxy_access.as_deref() {
        Some(access) if access.eq_ignore_ascii_case("no_proxy") => {
            if args.proxy.is_some() {
                return Err(UsageError::new(
                    "-proxyaccess:no_proxy and -proxy contradict each other; give one",
                ));
            }
            return Ok(None);
        }
        Some(access) => {
            return Err(UsageError::new(format!(
                "-proxyaccess:{access} reads Windows proxy settings, which do not exist here; \
                 give -proxy:URL or set https_proxy/http_proxy (or -proxyaccess:no_proxy)"
            )));
        }
        None => {}
    }
    winrm::transport::proxy::select(args.proxy.as_deref(), endpoint, |name| env.var(name))
        .map_err(|e| UsageError::new(e.to_string()))
}

#[cfg(test)]
mod tests;
