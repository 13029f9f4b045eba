//! A small HTTP CONNECT proxy for the proxy tests: it records each
//! CONNECT line and Proxy-Authorization header, optionally demands a
//! login (407), and pipes bytes both ways to the target. It listens on
//! 127.0.0.1:0, lives at most 30 s, and stops by itself (or when dropped).

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LIFETIME: Duration = Duration::from_secs(30);

/// What the proxy saw of one connection.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The request line, e.g. `CONNECT 127.0.0.1:5985 HTTP/1.1`.
    pub request_line: String,
    /// The Proxy-Authorization header value, if sent.
    pub authorization: Option<String>,
}

/// A running proxy.
pub struct TestProxy {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl TestProxy {
    /// Starts a proxy; with `login`, CONNECTs without exactly that
    /// Proxy-Authorization value get 407.
    pub fn start(login: Option<String>) -> TestProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            while !stop2.load(Ordering::Relaxed) && started.elapsed() < LIFETIME {
                match listener.accept() {
                    Ok((client, _)) => {
                        let (seen, login) = (seen2.clone(), login.clone());
                        std::thread::spawn(move || tunnel(client, &seen, login.as_deref()));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        TestProxy { port, seen, stop }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every connection's CONNECT line and login, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn tunnel(client: TcpStream, seen: &Mutex<Vec<Seen>>, login: Option<&str>) {
    let _ = client.set_nonblocking(false);
    let _ = client.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(reader_side) = client.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(reader_side);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut authorization = None;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line.trim_end().is_empty() => break,
            Ok(_) => {
                if let Some((name, value)) = line.split_once(':')
                    && name.trim().eq_ignore_ascii_case("proxy-authorization")
                {
                    authorization = Some(value.trim().to_string());
                }
            }
        }
    }
    let request_line = request_line.trim_end().to_string();
    if let Ok(mut seen) = seen.lock() {
        seen.push(Seen {
            request_line: request_line.clone(),
            authorization: authorization.clone(),
        });
    }
    let mut client = client;
    if login.is_some() && authorization.as_deref() != login {
        let _ = client.write_all(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n",
        );
        return;
    }
    let target = request_line
        .strip_prefix("CONNECT ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|target| TcpStream::connect(target).ok());
    let Some(target) = target else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let _ = client.set_read_timeout(None);
    let (Ok(mut client_out), Ok(mut target_in)) = (client.try_clone(), target.try_clone()) else {
        return;
    };
    let mut target_out = target;
    // The reader hands over whatever it buffered past the head first.
    let upstream = std::thread::spawn(move || {
        let _ = std::io::copy(&mut reader, &mut target_out);
        let _ = target_out.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut target_in, &mut client_out);
    let _ = client_out.shutdown(Shutdown::Both);
    let _ = upstream.join();
}
