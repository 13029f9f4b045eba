//! Tiny HTTP peers that misbehave on purpose: one that never answers, one
//! that hangs up, one that answers HTML, one that sends an empty 500, one
//! whose reply answers another message, or one replaying a captured
//! fixture. Each listens on 127.0.0.1:0 in its own thread, lives at most
//! 30 s, and stops by itself (or when dropped).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
}

/// A running raw server.
pub struct RawServer {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
}

impl RawServer {
    /// Starts a server that treats every connection as `behaviour` says.
    pub fn start(behaviour: Behaviour) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind raw server");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("local addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let (stop2, requests2) = (stop.clone(), requests.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            while !stop2.load(Ordering::Relaxed) && started.elapsed() < LIFETIME {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (behaviour, stop, requests) =
                            (behaviour.clone(), stop2.clone(), requests2.clone());
                        std::thread::spawn(move || serve(stream, &behaviour, &stop, &requests));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        RawServer {
            port,
            stop,
            requests,
        }
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

    /// `http://127.0.0.1:PORT/wsman`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/wsman", self.port)
    }

    /// How many whole requests it has read.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, behaviour: &Behaviour, stop: &AtomicBool, requests: &AtomicUsize) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut reader = BufReader::new(stream);
    if read_request(&mut reader).is_none() {
        return;
    }
    requests.fetch_add(1, Ordering::Relaxed);
    let mut stream = reader.into_inner();
    match behaviour {
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

/// Reads one HTTP request (head, then Content-Length bytes of body).
/// Returns None if the client went away or stalled for ~5 s.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
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
