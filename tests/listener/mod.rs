//! A WS-Management listener that answers like a Windows WinRM service, for
//! integration tests (in-process) and as a demo server (`bin.rs`).
//!
//! This module owns the public API (`Config`, `Listener`, `Recorded`), the
//! accept loops and the per-connection request loop: recording, HTTP-level
//! checks (path, method, Basic or, opt-in, AMT-style Digest authentication,
//! Content-Type, the AllowUnencrypted policy) before handing the SOAP
//! envelope to `soap`.
//!
//! The public items carry `#[allow(dead_code)]` because each test binary
//! (and the demo program) uses a different subset of the API.

mod cim;
mod codes;
mod config;
mod digest;
mod enumeration;
mod faults;
mod faults_enum;
mod fleet;
mod http;
mod listeners;
mod query;
mod record;
mod shell;
mod shell_commands;
mod shell_faults;
mod shell_program;
mod shell_ps;
mod shell_tools;
mod soap;
mod tls;
mod winrs;
mod wmi;
mod wmi_data;
mod xml;

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;

use http::{Charset, Conn, ReadError, Response};

pub use digest::{DigestConfig, DigestStats};
#[allow(unused_imports)] // the demo program lists endpoints without naming the type
pub use fleet::{Behaviour, Endpoint, Fleet};
pub use record::Recorded;

use record::record;

/// Connections idle longer than this are dropped, so threads never pile up.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct Config {
    pub user: String,
    pub password: String,
    /// Number of Win32_Service instances.
    pub services: usize,
    /// Also serve HTTPS on a second port.
    pub https: bool,
    /// Machine name reported in faults, CSName, SystemName...
    pub machine: String,
    /// How long each reply waits before it is sent: a slow server, for
    /// the progress line and for timeouts.
    pub reply_delay: Duration,
    /// Answer like Intel AMT: Digest (MD5, `qop=auth`) only, no Basic.
    pub digest: Option<DigestConfig>,
    /// WinRS shells one user may have open (Windows' default is 30); the
    /// smaller of this and winrm/config/winrs MaxShellsPerUser applies.
    pub max_shells_per_user: usize,
    /// False refuses every shell Create with access denied, like
    /// winrm/config/winrs AllowRemoteShellAccess=false (either switch).
    pub allow_remote_shell_access: bool,
    /// The second of scripted shell commands (`ping`'s cadence, `timeout`):
    /// shorter keeps tests fast.
    pub shell_tick: Duration,
    /// WinRS Receive requests (counted from 1) whose connection is closed
    /// as soon as they arrive, unanswered and unprocessed: the network
    /// dropping a kept-alive connection in the middle of a command.
    pub drop_receives: Vec<usize>,
    /// Every authenticated request, Identify included, gets the "Access is
    /// denied" fault (WSManFault code 5), as from a host where the account
    /// has no rights; an anonymous Identify is still answered.
    pub deny_access: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            user: "demo".into(),
            password: "demo-pass".into(),
            services: 120,
            https: false,
            machine: "WIN-TEST01".into(),
            reply_delay: Duration::ZERO,
            digest: None,
            max_shells_per_user: 30,
            allow_remote_shell_access: true,
            shell_tick: Duration::from_secs(1),
            drop_receives: Vec::new(),
            deny_access: false,
        }
    }
}

/// Mutable service state behind one lock (requests are tiny; one lock keeps
/// Put/Invoke/Enumerate consistent without ordering worries).
pub(crate) struct State {
    pub config: config::Tree,
    pub listeners: Vec<listeners::ListenerRec>,
    pub cim: cim::Repo,
    pub contexts: HashMap<String, enumeration::Context>,
    /// The same registry as `Shared::shells`, for enumerations.
    pub shells: Arc<shell::Shells>,
}

pub(crate) struct Shared {
    pub cfg: Config,
    digest: Option<digest::Server>,
    pub state: Mutex<State>,
    /// Open WinRS shells: their own locks, never taken with `state` held
    /// longer than a listing.
    pub shells: Arc<shell::Shells>,
    records: Mutex<Vec<Recorded>>,
    connections: AtomicUsize,
    /// WinRS Receive requests seen, for [`Config::drop_receives`].
    receives: AtomicUsize,
    stop: AtomicBool,
}

impl Shared {
    /// A fresh service for `config`: its own configuration tree, CIM
    /// repository (named after `config.machine`), shells and request log.
    fn new(config: Config) -> Arc<Shared> {
        let shells = Arc::new(shell::Shells::default());
        let state = State {
            config: config::Tree::default_tree(),
            listeners: vec![listeners::ListenerRec::default_http()],
            cim: wmi_data::build(config.services, &config.machine),
            contexts: HashMap::new(),
            shells: shells.clone(),
        };
        let digest = config
            .digest
            .clone()
            .map(|d| digest::Server::new(d, &config.user, &config.password));
        Arc::new(Shared {
            digest,
            cfg: config,
            state: Mutex::new(state),
            shells,
            records: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            receives: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        })
    }

    /// Locks the state; a panic elsewhere must not wedge the listener.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct Listener {
    shared: Arc<Shared>,
    http_addr: SocketAddr,
    https_addr: Option<SocketAddr>,
    /// Every bound socket (IPv4 and, when available, the same ports on
    /// ::1), so Drop can wake each accept loop.
    bound: Vec<SocketAddr>,
    tls_dir: Option<PathBuf>,
    ca_pem: Option<PathBuf>,
}

#[allow(dead_code)]
impl Listener {
    /// Binds 127.0.0.1 on free ports and starts serving at once.
    pub fn start(config: Config) -> io::Result<Listener> {
        Self::start_on(config, 0, 0)
    }

    /// Binds fixed ports (0 = any free port).
    pub fn start_on(config: Config, http_port: u16, https_port: u16) -> io::Result<Listener> {
        let http = TcpListener::bind(("127.0.0.1", http_port))?;
        let https = if config.https {
            Some(TcpListener::bind(("127.0.0.1", https_port))?)
        } else {
            None
        };
        let tls = match &https {
            Some(_) => Some(tls::setup(&config.machine)?),
            None => None,
        };
        let shared = Shared::new(config);
        let http_addr = http.local_addr()?;
        let mut bound = vec![http_addr];
        spawn_accept(shared.clone(), http, None)?;
        bound.extend(also_ipv6(&shared, http_addr.port(), None));
        let mut https_addr = None;
        if let (Some(l), Some(t)) = (https, tls.as_ref()) {
            let addr = l.local_addr()?;
            https_addr = Some(addr);
            bound.push(addr);
            spawn_accept(shared.clone(), l, Some(t.config.clone()))?;
            bound.extend(also_ipv6(&shared, addr.port(), Some(t.config.clone())));
        }
        Ok(Listener {
            shared,
            http_addr,
            https_addr,
            bound,
            tls_dir: tls.as_ref().map(|t| t.dir.clone()),
            ca_pem: tls.map(|t| t.ca_pem),
        })
    }

    pub fn http_port(&self) -> u16 {
        self.http_addr.port()
    }

    pub fn https_port(&self) -> Option<u16> {
        self.https_addr.map(|a| a.port())
    }

    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}/wsman", self.http_port())
    }

    pub fn https_url(&self) -> Option<String> {
        self.https_port()
            .map(|p| format!("https://localhost:{p}/wsman"))
    }

    pub fn ca_pem_path(&self) -> Option<PathBuf> {
        self.ca_pem.clone()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Digest counters (all zero without `Config::digest`).
    pub fn digest_stats(&self) -> DigestStats {
        self.shared
            .digest
            .as_ref()
            .map(digest::Server::stats)
            .unwrap_or_default()
    }

    /// WinRS shells open now (idle ones past their IdleTimeOut excluded).
    pub fn open_shells(&self) -> usize {
        self.shared.shells.count()
    }

    /// Every Signal code received, in order, as sent (e.g.
    /// `http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c`).
    pub fn signals(&self) -> Vec<String> {
        self.shared.shells.signals()
    }

    /// Makes every Digest nonce issued so far stale.
    pub fn expire_digest_nonces(&self) {
        if let Some(d) = &self.shared.digest {
            d.expire();
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake any Receive waiting for output.
        self.shared.shells.close_all();
        // Wake the blocking accept() calls so their threads see the flag.
        for addr in &self.bound {
            let _ = TcpStream::connect_timeout(addr, Duration::from_millis(500));
        }
        if let Some(dir) = &self.tls_dir {
            tls::remove(dir);
        }
    }
}

/// Best effort: serve the same port on ::1 too, because clients resolving
/// `localhost` (the HTTPS certificate's only name) may try IPv6 first.
fn also_ipv6(
    shared: &Arc<Shared>,
    port: u16,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> Option<SocketAddr> {
    let l = TcpListener::bind(("::1", port)).ok()?;
    let addr = l.local_addr().ok()?;
    spawn_accept(shared.clone(), l, tls).ok()?;
    Some(addr)
}

fn spawn_accept(
    shared: Arc<Shared>,
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> io::Result<()> {
    std::thread::Builder::new()
        .name("wsman-accept".into())
        .spawn(move || {
            for stream in listener.incoming() {
                if shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let id = shared.connections.fetch_add(1, Ordering::SeqCst) + 1;
                let shared = shared.clone();
                let tls = tls.clone();
                let _ = std::thread::Builder::new()
                    .name(format!("wsman-conn-{id}"))
                    .spawn(move || connection(shared, stream, id, tls));
            }
        })?;
    Ok(())
}

fn connection(
    shared: Arc<Shared>,
    stream: TcpStream,
    id: usize,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    match tls {
        None => serve(&shared, stream, id, false),
        Some(cfg) => {
            let Ok(conn) = rustls::ServerConnection::new(cfg) else {
                return;
            };
            serve(&shared, rustls::StreamOwned::new(conn, stream), id, true);
        }
    }
}

fn serve<S: Read + Write>(shared: &Shared, stream: S, id: usize, https: bool) {
    let mut conn = Conn::new(stream);
    while !shared.stop.load(Ordering::SeqCst) {
        match conn.read_request() {
            Ok(req) => {
                if drops(shared, &req) {
                    break;
                }
                let close = req.wants_close();
                let resp = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    handle(shared, &req, id, https)
                }))
                .unwrap_or_else(|_| Response::empty(500));
                std::thread::sleep(shared.cfg.reply_delay);
                if http::write_response(&mut conn.stream, &resp, close).is_err() || close {
                    break;
                }
            }
            Err(ReadError::Bad) => {
                let _ = http::write_response(&mut conn.stream, &Response::empty(400), true);
                break;
            }
            Err(_) => break,
        }
    }
}

/// Whether `req` is a Receive that [`Config::drop_receives`] says to drop.
fn drops(shared: &Shared, req: &http::Request) -> bool {
    const RECEIVE: &[u8] = b"http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive<";
    if shared.cfg.drop_receives.is_empty() || !req.body.windows(RECEIVE.len()).any(|w| w == RECEIVE)
    {
        return false;
    }
    let n = shared.receives.fetch_add(1, Ordering::SeqCst) + 1;
    shared.cfg.drop_receives.contains(&n)
}

/// Everything between "a request arrived" and "here is the HTTP reply".
fn handle(shared: &Shared, req: &http::Request, id: usize, https: bool) -> Response {
    let declared = http::soap_content_type(req.header("content-type"));
    let charset_param = declared.as_ref().ok().and_then(|c| c.clone());
    let decoded = http::decode(&req.body, charset_param.as_deref());
    let doc = decoded
        .as_ref()
        .ok()
        .and_then(|(text, _)| roxmltree::Document::parse(text).ok());
    record(shared, req, id, &decoded, doc.as_ref());

    let path = req.path.split('?').next().unwrap_or("");
    if !path.eq_ignore_ascii_case("/wsman") {
        return Response::empty(404);
    }
    if req.method != "POST" {
        return Response::empty(405);
    }
    let verdict = match &shared.digest {
        Some(d) => d.check(req.header("authorization"), &req.method, &req.path),
        None if check_basic(shared, req.header("authorization")) => digest::Verdict::Accepted,
        None => digest::Verdict::Refused,
    };
    let authorized = verdict == digest::Verdict::Accepted;
    let anonymous_identify = !authorized
        && req.header("authorization").is_none()
        && req
            .header("wsmanidentify")
            .is_some_and(|v| v.eq_ignore_ascii_case("unauthenticated"));
    if !authorized && !anonymous_identify {
        return unauthorized(shared, verdict == digest::Verdict::Stale);
    }
    if declared.is_err() {
        return Response::empty(415);
    }
    let Ok((_, charset)) = decoded else {
        let fault = faults::Fault::malformed("The request body is not valid UTF-8 or UTF-16 text.");
        return soap_fault(shared, &fault, Charset::Utf8);
    };
    let Some(doc) = doc else {
        let fault = faults::Fault::malformed(
            "The request is not a well-formed XML document with a SOAP Envelope.",
        );
        return soap_fault(shared, &fault, charset);
    };
    let identify = soap::is_identify(&doc);
    if anonymous_identify {
        if !identify {
            return unauthorized(shared, false);
        }
        return Response::soap(200, &soap::identify_reply(shared, false), charset);
    }
    if !https && !identify && !shared.state().config.allow_unencrypted() {
        // Windows refuses plain-HTTP traffic this way once AllowUnencrypted
        // is false: a bare 500 with no SOAP body.
        return Response::empty(500);
    }
    let (status, xml) = soap::handle(shared, &doc, charset);
    Response::soap(status, &xml, charset)
}

fn soap_fault(shared: &Shared, fault: &faults::Fault, charset: Charset) -> Response {
    let xml = fault.envelope(&xml::new_uuid(), None, &shared.cfg.machine);
    Response::soap(500, &xml, charset)
}

fn check_basic(shared: &Shared, header: Option<&str>) -> bool {
    let Some(value) = header else { return false };
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") || !shared.state().config.basic_enabled() {
        return false;
    }
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(token.trim()) else {
        return false;
    };
    let Ok(text) = String::from_utf8(raw) else {
        return false;
    };
    let Some((user, pass)) = text.split_once(':') else {
        return false;
    };
    // Windows account names are case-insensitive; passwords are not.
    user.eq_ignore_ascii_case(&shared.cfg.user) && pass == shared.cfg.password
}

/// 401 with Windows' challenge list (Basic only while it is enabled), or
/// AMT's single Digest challenge.
fn unauthorized(shared: &Shared, stale: bool) -> Response {
    if let Some(d) = &shared.digest {
        return d.challenge(stale);
    }
    let mut resp = Response::empty(401);
    resp.headers
        .push(("WWW-Authenticate".into(), "Negotiate".into()));
    resp.headers
        .push(("WWW-Authenticate".into(), "Kerberos".into()));
    if shared.state().config.basic_enabled() {
        resp.headers
            .push(("WWW-Authenticate".into(), "Basic realm=\"WSMAN\"".into()));
    }
    resp
}
