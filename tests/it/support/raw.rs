//! Tiny HTTP peers that misbehave on purpose: one that never answers, one
//! that hangs up, one that answers HTML, one that sends an empty 500, one
//! whose reply answers another message, or one replaying a captured
//! fixture; and scripted ones ([`Behaviour::Script`]) that pick a [`Step`]
//! per request: answer and keep the connection, hang up, cut a reply short,
//! or stream without end; and [`Behaviour::Early`], which answers a large
//! request before reading all of it. Each listens on 127.0.0.1:0 in its own thread,
//! lives at most 30 s, and stops by itself (or when dropped).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a raw server lives at most.
const LIFETIME: Duration = Duration::from_secs(30);

/// What the server does with each request it reads.
#[derive(Clone)]
pub enum Behaviour {
    /// Reads the request and never answers; keeps the socket open until the
    /// client goes away (or the server's lifetime ends).
    Silent,
    /// Answers with these bytes (a whole HTTP response), then closes.
    Reply(Vec<u8>),
    /// Reads the request, then closes the connection without a word.
    Hangup,
    /// Asks the function what to do with each request: it gets the request
    /// number (1 = first, counted over every connection) and the body.
    Script(Arc<Script>),
    /// Like `Script`, except that a request whose body is longer than
    /// `after` bytes is answered with `reply` as soon as its head and
    /// `after` bytes of its body have arrived, and the connection is then
    /// closed (20 ms later) with the rest unread, so the kernel answers
    /// what still comes with a reset: a server that turns away an upload
    /// that is too large without draining it. Such a request counts in
    /// [`RawServer::requests`] too.
    Early {
        /// Body bytes read before answering.
        after: usize,
        /// The whole HTTP response sent.
        reply: Vec<u8>,
        /// What to do with the requests that are not that long.
        script: Arc<Script>,
    },
}

/// What a scripted server consults: request number and body → step.
pub type Script = dyn Fn(usize, &str) -> Step + Send + Sync;

/// What a scripted server does with one request.
#[derive(Clone)]
pub enum Step {
    /// Sends these bytes (a whole HTTP response) and keeps the connection
    /// open for the next request.
    Reply(Vec<u8>),
    /// Closes the connection without a byte of reply.
    Hangup,
    /// Sends these bytes (the start of a response), then closes.
    Cut(Vec<u8>),
    /// Sends `head`, then `chunk` again and again, pausing `pause` between
    /// writes, until the client goes away (or 2 GiB, or the lifetime).
    Stream {
        /// The status line and headers, up to the blank line.
        head: Vec<u8>,
        /// What is sent each time.
        chunk: Vec<u8>,
        /// The pause between chunks.
        pause: Duration,
    },
}

impl Step {
    /// A keep-alive response: `status`, a Content-Type, and `body`.
    pub fn answer(status: &str, content_type: &str, body: &[u8]) -> Step {
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        Step::Reply([head.as_bytes(), body].concat())
    }

    /// A 200 SOAP reply whose RelatesTo names the request's MessageID, with
    /// `body` inside `s:Body` (prefixes: s, a, w, n declared on the envelope).
    pub fn soap(request: &str, action: &str, body: &str) -> Step {
        Step::answer(
            "200 OK",
            "application/soap+xml;charset=UTF-8",
            soap_envelope(request, action, body).as_bytes(),
        )
    }
}

/// A SOAP 1.2 envelope answering `request` (RelatesTo = its MessageID).
pub fn soap_envelope(request: &str, action: &str, body: &str) -> String {
    let relates_to = message_id(request).unwrap_or_default();
    format!(
        concat!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" "#,
            r#"xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" "#,
            r#"xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" "#,
            r#"xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration">"#,
            "<s:Header><a:Action>{}</a:Action><a:RelatesTo>{}</a:RelatesTo></s:Header>",
            "<s:Body>{}</s:Body></s:Envelope>"
        ),
        action, relates_to, body
    )
}

/// The MessageID of a request body, if it has one.
pub fn message_id(request: &str) -> Option<&str> {
    let start = request.find("MessageID>")? + "MessageID>".len();
    let len = request[start..].find('<')?;
    Some(&request[start..start + len])
}

/// The local name of a request's action (`Get`, `Put`, `Pull`...).
pub fn action(request: &str) -> Option<&str> {
    let start = request.find("Action")?;
    let start = start + request[start..].find('>')? + 1;
    let len = request[start..].find('<')?;
    request[start..start + len].rsplit('/').next()
}

/// A running raw server.
pub struct RawServer {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    written: Arc<AtomicU64>,
    connections: Arc<AtomicUsize>,
}

/// What the connection threads share.
struct Counters {
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    written: Arc<AtomicU64>,
}

impl RawServer {
    /// Starts a server that treats every connection as `behaviour` says.
    pub fn start(behaviour: Behaviour) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind raw server");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("local addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let written = Arc::new(AtomicU64::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let counters = Arc::new(Counters {
            stop: stop.clone(),
            requests: requests.clone(),
            written: written.clone(),
        });
        let accepted = connections.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            while !counters.stop.load(Ordering::Relaxed) && started.elapsed() < LIFETIME {
                match listener.accept() {
                    Ok((stream, _)) => {
                        accepted.fetch_add(1, Ordering::Relaxed);
                        let (behaviour, counters) = (behaviour.clone(), counters.clone());
                        std::thread::spawn(move || serve(stream, &behaviour, &counters));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        RawServer {
            port,
            stop,
            requests,
            written,
            connections,
        }
    }

    /// A scripted server: `script(n, body)` says what to do with request n.
    pub fn script(script: impl Fn(usize, &str) -> Step + Send + Sync + 'static) -> RawServer {
        RawServer::start(Behaviour::Script(Arc::new(script)))
    }

    /// A server answering every request with `status` and this body.
    pub fn answering(status: &str, content_type: &str, body: &str) -> RawServer {
        let mut head = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        if !content_type.is_empty() {
            head.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        head.push_str("\r\n");
        RawServer::start(Behaviour::Reply(
            [head.as_bytes(), body.as_bytes()].concat(),
        ))
    }

    /// A server that answers `reply` to any request longer than `after`
    /// bytes before reading it all (see [`Behaviour::Early`]), and the
    /// shorter ones as `script` says.
    pub fn early(
        after: usize,
        reply: Vec<u8>,
        script: impl Fn(usize, &str) -> Step + Send + Sync + 'static,
    ) -> RawServer {
        RawServer::start(Behaviour::Early {
            after,
            reply,
            script: Arc::new(script),
        })
    }

    /// `http://127.0.0.1:PORT/wsman`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/wsman", self.port)
    }

    /// How many whole requests it has read.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// How many connections it has accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// How many bytes of streamed body it managed to write.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, behaviour: &Behaviour, counters: &Counters) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut reader = BufReader::new(stream);
    let (script, early) = match behaviour {
        Behaviour::Script(script) => (Some(script), None),
        Behaviour::Early {
            after,
            reply,
            script,
        } => (Some(script), Some((*after, reply))),
        _ => (None, None),
    };
    if let Some(script) = script {
        // Requests on one connection until a step closes it.
        while let Some(length) = read_head(&mut reader) {
            let number = counters.requests.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some((after, reply)) = early.filter(|(after, _)| length > *after) {
                // Answer with most of the body unread, then close: the
                // unread bytes make the close a reset.
                let _ = read_body(&mut reader, after);
                let stream = reader.get_mut();
                let _ = stream.write_all(reply).and_then(|()| stream.flush());
                // Sent before the close (a reset drops what the kernel has
                // not yet put on the wire, which no client could read).
                let _ = stream.shutdown(std::net::Shutdown::Write);
                std::thread::sleep(Duration::from_millis(20));
                return;
            }
            let Some(body) = read_body(&mut reader, length) else {
                return;
            };
            let body = String::from_utf8_lossy(&body).into_owned();
            if !perform(reader.get_mut(), &script(number, &body), counters) {
                return;
            }
        }
        return;
    }
    if read_request(&mut reader).is_none() {
        return;
    }
    counters.requests.fetch_add(1, Ordering::Relaxed);
    let (stop, mut stream) = (&counters.stop, reader.into_inner());
    match behaviour {
        Behaviour::Script(_) | Behaviour::Early { .. } => {}
        Behaviour::Reply(bytes) => {
            let _ = stream.write_all(bytes);
            let _ = stream.flush();
        }
        Behaviour::Hangup => {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        Behaviour::Silent => {
            // Hold the connection until the client hangs up.
            let started = Instant::now();
            let mut buf = [0u8; 512];
            while !stop.load(Ordering::Relaxed) && started.elapsed() < LIFETIME {
                match stream.read(&mut buf) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => break,
                }
            }
        }
    }
}

/// Carries out one step; false when the connection is done.
fn perform(stream: &mut TcpStream, step: &Step, counters: &Counters) -> bool {
    match step {
        Step::Reply(bytes) => stream
            .write_all(bytes)
            .and_then(|()| stream.flush())
            .is_ok(),
        Step::Hangup => {
            let _ = stream.shutdown(std::net::Shutdown::Both);
            false
        }
        Step::Cut(bytes) => {
            let _ = stream.write_all(bytes);
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Both);
            false
        }
        Step::Stream { head, chunk, pause } => {
            let started = Instant::now();
            if stream.write_all(head).is_err() {
                return false;
            }
            let mut sent = 0u64;
            while sent < 2 << 30
                && !counters.stop.load(Ordering::Relaxed)
                && started.elapsed() < LIFETIME
            {
                if stream.write_all(chunk).is_err() {
                    break;
                }
                sent += chunk.len() as u64;
                counters
                    .written
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                if !pause.is_zero() {
                    std::thread::sleep(*pause);
                }
            }
            let _ = stream.shutdown(std::net::Shutdown::Both);
            false
        }
    }
}

/// Reads one HTTP request (head, then Content-Length bytes of body).
/// Returns None if the client went away or stalled for ~5 s.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let length = read_head(reader)?;
    read_body(reader, length)
}

/// Reads a request's head; returns its Content-Length (0 without one).
fn read_head(reader: &mut BufReader<TcpStream>) -> Option<usize> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut length = 0usize;
    let mut line = String::new();
    let mut first = true;
    loop {
        // On a timeout the partial line stays in `line`; keep reading into it.
        match reader.read_line(&mut line) {
            Ok(0) => return None,
            Ok(_) if !line.ends_with('\n') => continue,
            Ok(_) => {}
            Err(_) if Instant::now() < deadline => continue,
            Err(_) => return None,
        }
        let trimmed = std::mem::take(&mut line);
        let trimmed = trimmed.trim_end();
        if trimmed.is_empty() && !first {
            break;
        }
        first = false;
        if let Some((name, value)) = trimmed.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    Some(length)
}

/// Reads `length` bytes of body; None if the client went away or stalled
/// for ~5 s.
fn read_body(reader: &mut BufReader<TcpStream>, length: usize) -> Option<Vec<u8>> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut body = vec![0u8; length];
    let mut filled = 0;
    while filled < length {
        match reader.read(&mut body[filled..]) {
            Ok(0) => return None,
            Ok(n) => filled += n,
            Err(_) if Instant::now() < deadline => {}
            Err(_) => return None,
        }
    }
    Some(body)
}

/// A 127.0.0.1 port that refuses connections: bound, then released.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    port
}
