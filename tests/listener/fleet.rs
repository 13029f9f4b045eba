//! Many simulated Windows hosts in one process, for fleet runs (`winrm VERB
//! -r:@FILE`): [`Fleet`] serves one HTTP endpoint per host on 127.0.0.1,
//! each a whole service of its own (computer name, configuration, CIM
//! repository, shells, request log), and makes the hosts it is told to
//! misbehave the way hosts in a real fleet do ([`Behaviour`]).
//!
//! Scaling: one accept thread per endpoint (a small stack: it only accepts)
//! and one thread per connection, with the connections served at once
//! bounded for the whole fleet, below the process's open-file limit. When
//! every slot is taken, an endpoint's next connection waits for one (and
//! those behind it in the kernel's accept queue) instead of failing. Idle connections close after the listener's idle
//! timeout, stalled ones when their client gives up, so threads and file
//! descriptors come back to about one per endpoint between runs.

use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::{Config, Recorded, Shared, connection};

/// Connections open at once across the fleet, at most (fewer when the
/// open-file limit is low).
const MAX_CONNECTIONS: usize = 512;
/// Open files kept free for everything else (stdio, the ready file, ...).
const SPARE_FILES: u64 = 64;
/// An accept loop needs little stack.
const ACCEPT_STACK: usize = 128 * 1024;
/// How long a stalled host holds a connection its client keeps open.
const STALL_LIMIT: Duration = Duration::from_secs(600);

/// How one endpoint of a fleet behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers like a Windows host.
    Healthy,
    /// Answers like a Windows host, each reply after this long.
    Slow(Duration),
    /// Expects another password: every request gets 401, as a host whose
    /// local administrator password differs.
    WrongPassword,
    /// Authenticates, then answers every request with the "Access is
    /// denied" fault ([`Config::deny_access`]).
    Fault,
    /// Accepts connections, reads what arrives and never answers: a hung
    /// service (the client's timeout must end the wait).
    Stall,
    /// Nothing listens on its port: connections are refused, as by a host
    /// that is down or has no listener.
    Dead,
}

impl Behaviour {
    /// How it is named in listings and docs.
    pub fn describe(self) -> String {
        match self {
            Behaviour::Healthy => "healthy".into(),
            Behaviour::Slow(d) => format!("slow (each reply after {} ms)", d.as_millis()),
            Behaviour::WrongPassword => "wrong password (401 to every request)".into(),
            Behaviour::Fault => "fault (Access is denied to every request)".into(),
            Behaviour::Stall => "stall (accepts, never answers)".into(),
            Behaviour::Dead => "dead (connection refused)".into(),
        }
    }
}

/// One endpoint of a [`Fleet`].
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// `http://127.0.0.1:PORT/wsman`, what `winrm -r:` takes.
    pub url: String,
    pub port: u16,
    /// Its computer name (CSName, faults' Machine, `hostname`).
    pub machine: String,
    pub behaviour: Behaviour,
}

/// Connection slots shared by every endpoint of a fleet.
struct Slots {
    open: Mutex<usize>,
    freed: Condvar,
    max: usize,
}

/// One taken slot; dropping it frees the slot.
struct Slot(Arc<Slots>);

impl Slots {
    /// Waits for a free slot; None once the fleet stops.
    fn take(slots: &Arc<Slots>, stop: &AtomicBool) -> Option<Slot> {
        let mut open = slots.open.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if stop.load(Ordering::SeqCst) {
                return None;
            }
            if *open < slots.max {
                *open += 1;
                return Some(Slot(slots.clone()));
            }
            open = match slots.freed.wait_timeout(open, Duration::from_millis(200)) {
                Ok((guard, _)) => guard,
                Err(e) => e.into_inner().0,
            };
        }
    }

    fn open(&self) -> usize {
        *self.open.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.open.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        self.0.freed.notify_one();
    }
}

/// Many simulated hosts, serving until dropped.
pub struct Fleet {
    endpoints: Vec<Endpoint>,
    /// One service per endpoint, in the same order (dead ones included, so
    /// indexes line up; nothing reaches those).
    services: Vec<Arc<Shared>>,
    /// Every bound socket, so Drop can wake each accept loop.
    bound: Vec<SocketAddr>,
    slots: Arc<Slots>,
    stop: Arc<AtomicBool>,
}

#[allow(dead_code)]
impl Fleet {
    /// Serves one endpoint per entry of `plan` on 127.0.0.1: on ports
    /// `first_port`, `first_port + 1`, ... or, with `first_port` 0, on
    /// free ports. Each is a service built from `base`, named
    /// `{base.machine}-0001`, `-0002`, ...
    pub fn start(base: &Config, first_port: u16, plan: &[Behaviour]) -> io::Result<Fleet> {
        let files = open_file_limit();
        // A listening socket per endpoint, and at most one accepted
        // connection each waiting for a slot.
        let needed = 2 * plan.len() as u64 + SPARE_FILES;
        if files < needed + 16 {
            return Err(io::Error::other(format!(
                "{} endpoints need more than {needed} open files, and the limit is {files}; \
                 raise it (ulimit -n) or ask for fewer endpoints",
                plan.len()
            )));
        }
        let max = MAX_CONNECTIONS.min((files - needed) as usize);
        let slots = Arc::new(Slots {
            open: Mutex::new(0),
            freed: Condvar::new(),
            max,
        });
        let stop = Arc::new(AtomicBool::new(false));
        let width = plan.len().to_string().len().max(4);
        let mut fleet = Fleet {
            endpoints: Vec::with_capacity(plan.len()),
            services: Vec::with_capacity(plan.len()),
            bound: Vec::new(),
            slots,
            stop,
        };
        // Live endpoints bind first, so a free port given back for a dead
        // one cannot be handed to a later endpoint of ours.
        let mut sockets: Vec<Option<TcpListener>> = Vec::with_capacity(plan.len());
        for (i, behaviour) in plan.iter().enumerate() {
            let port = port_for(first_port, i)?;
            sockets.push(match behaviour {
                Behaviour::Dead => None,
                _ => Some(bind(port)?),
            });
        }
        for (i, (behaviour, socket)) in plan.iter().zip(sockets).enumerate() {
            let mut config = base.clone();
            config.machine = format!("{}-{:0width$}", base.machine, i + 1);
            match behaviour {
                Behaviour::Slow(delay) => config.reply_delay = *delay,
                Behaviour::WrongPassword => config.password = format!("not-{}", base.password),
                Behaviour::Fault => config.deny_access = true,
                _ => {}
            }
            let port = match &socket {
                Some(s) => s.local_addr()?.port(),
                // Bound and let go at once: nothing listens there, so
                // connections are refused.
                None => bind(port_for(first_port, i)?)?.local_addr()?.port(),
            };
            let service = Shared::new(config);
            if let Some(socket) = socket {
                fleet.bound.push(socket.local_addr()?);
                fleet.spawn_accept(socket, service.clone(), *behaviour)?;
            }
            fleet.endpoints.push(Endpoint {
                url: format!("http://127.0.0.1:{port}/wsman"),
                port,
                machine: service.cfg.machine.clone(),
                behaviour: *behaviour,
            });
            fleet.services.push(service);
        }
        Ok(fleet)
    }

    /// The endpoints, in the order of the plan.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// One URL per line, for `winrm -r:@FILE`.
    pub fn targets(&self) -> String {
        self.endpoints
            .iter()
            .map(|e| format!("{}\n", e.url))
            .collect()
    }

    /// The requests endpoint `index` received, in order.
    pub fn requests(&self, index: usize) -> Vec<Recorded> {
        self.services[index]
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Connections endpoint `index` accepted so far.
    pub fn connections(&self, index: usize) -> usize {
        self.services[index].connections.load(Ordering::SeqCst)
    }

    /// Connections open now, across the fleet.
    pub fn open_connections(&self) -> usize {
        self.slots.open()
    }

    /// WinRS shells open now on endpoint `index`.
    pub fn open_shells(&self, index: usize) -> usize {
        self.services[index].shells.count()
    }

    fn spawn_accept(
        &self,
        socket: TcpListener,
        service: Arc<Shared>,
        behaviour: Behaviour,
    ) -> io::Result<()> {
        let slots = self.slots.clone();
        let stop = self.stop.clone();
        std::thread::Builder::new()
            .name(format!("accept-{}", service.cfg.machine))
            .stack_size(ACCEPT_STACK)
            .spawn(move || {
                loop {
                    let stream = match socket.accept() {
                        Ok((stream, _)) => stream,
                        Err(_) => {
                            // Out of file descriptors, say: let some close.
                            std::thread::sleep(Duration::from_millis(20));
                            continue;
                        }
                    };
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    // Past the bound, this client waits (and the ones behind
                    // it in the accept queue) until a connection closes.
                    let Some(slot) = Slots::take(&slots, &stop) else {
                        break;
                    };
                    let id = service.connections.fetch_add(1, Ordering::SeqCst) + 1;
                    let service = service.clone();
                    let stop = stop.clone();
                    // A failed spawn drops the stream (the client sees the
                    // connection close) and the slot.
                    let _ = std::thread::Builder::new()
                        .name(format!("conn-{}-{id}", service.cfg.machine))
                        .spawn(move || {
                            let _slot = slot;
                            if behaviour == Behaviour::Stall {
                                hold(stream, &stop);
                            } else {
                                connection(service, stream, id, None);
                            }
                        });
                }
            })?;
        Ok(())
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.slots.freed.notify_all();
        for service in &self.services {
            service.stop.store(true, Ordering::SeqCst);
            service.shells.close_all();
        }
        // Wake the blocking accept() calls so their threads see the flag.
        for addr in &self.bound {
            let _ = TcpStream::connect_timeout(addr, Duration::from_millis(500));
        }
    }
}

/// A stalled host's side of a connection: reads and drops whatever the
/// client sends, answers nothing, and lets go when the client closes, the
/// fleet stops, or after [`STALL_LIMIT`].
fn hold(mut stream: TcpStream, stop: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let started = Instant::now();
    let mut sink = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) && started.elapsed() < STALL_LIMIT {
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}

fn port_for(first_port: u16, index: usize) -> io::Result<u16> {
    if first_port == 0 {
        return Ok(0);
    }
    u16::try_from(usize::from(first_port) + index).map_err(|_| {
        io::Error::other(format!(
            "endpoint {} would need port {}, past 65535; start lower or use port 0",
            index + 1,
            usize::from(first_port) + index
        ))
    })
}

fn bind(port: u16) -> io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot listen on 127.0.0.1 port {port}: {e}"),
        )
    })
}

/// The soft limit on open files (Linux's /proc/self/limits); unlimited
/// where that file is missing.
fn open_file_limit() -> u64 {
    let Ok(text) = std::fs::read_to_string("/proc/self/limits") else {
        return u64::MAX;
    };
    text.lines()
        .find_map(|line| {
            let rest = line.strip_prefix("Max open files")?;
            let soft = rest.split_whitespace().next()?;
            Some(soft.parse().unwrap_or(u64::MAX)) // "unlimited"
        })
        .unwrap_or(u64::MAX)
}
