//! An HTTPS peer that presents whatever certificate chain a test crafted
//! (not yet valid, expired, a CA certificate as its own): rustls on
//! 127.0.0.1:0, one thread per connection, each request answered with what
//! the test's function makes of its body, or ([`TlsPeer::early`]) a large
//! one turned away before it is read. A handshake the client refuses just
//! ends that connection. Lives at most 30 s; stops when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// How long a peer lives at most.
const LIFETIME: Duration = Duration::from_secs(30);

/// The whole HTTP response for a request body.
type Answer = dyn Fn(&str) -> Vec<u8> + Send + Sync;

/// A request body longer than `.0` bytes is answered with `.1` once `.0`
/// bytes have arrived, and the connection closed with the rest unread.
type Early = Option<(usize, Vec<u8>)>;

/// A running HTTPS peer.
pub struct TlsPeer {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
}

impl TlsPeer {
    /// Serves `chain` (leaf first) with `key`, answering each request with
    /// `answer(body)`.
    pub fn start(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        answer: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
    ) -> TlsPeer {
        TlsPeer::with(chain, key, None, answer)
    }

    /// Serves `chain` with `key`, and answers `reply` to a request whose
    /// body is longer than `after` bytes as soon as `after` of them have
    /// arrived, closing with the rest unread (as http.sys turns away an
    /// upload that is too large); shorter requests get `reply` too.
    pub fn early(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        after: usize,
        reply: Vec<u8>,
    ) -> TlsPeer {
        let answer = reply.clone();
        TlsPeer::with(chain, key, Some((after, reply)), move |_| answer.clone())
    }

    fn with(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        early: Early,
        answer: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
    ) -> TlsPeer {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("certificate and key");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind TLS peer");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("local addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let answer: Arc<Answer> = Arc::new(answer);
        let (stopped, counted) = (stop.clone(), requests.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            while !stopped.load(Ordering::Relaxed) && started.elapsed() < LIFETIME {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (config, answer, counted, early) = (
                            config.clone(),
                            answer.clone(),
                            counted.clone(),
                            early.clone(),
                        );
                        std::thread::spawn(move || {
                            serve(stream, config, &*answer, early.as_ref(), &counted)
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        TlsPeer {
            port,
            stop,
            requests,
        }
    }

    /// `https://localhost:PORT/wsman`.
    pub fn url(&self) -> String {
        format!("https://localhost:{}/wsman", self.port)
    }

    /// How many requests arrived over an accepted handshake.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

impl Drop for TlsPeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(
    stream: TcpStream,
    config: Arc<rustls::ServerConfig>,
    answer: &Answer,
    early: Option<&(usize, Vec<u8>)>,
    requests: &AtomicUsize,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(connection) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut reader = BufReader::new(rustls::StreamOwned::new(connection, stream));
    // One request after another until the client goes away (or refused
    // the certificate, which ends the first read).
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let text = line.trim_end();
            if text.is_empty() {
                break;
            }
            if let Some((name, value)) = text.split_once(':')
                && name.trim().eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        if let Some((after, reply)) = early.filter(|(after, _)| length > *after) {
            requests.fetch_add(1, Ordering::Relaxed);
            let mut some = vec![0u8; *after];
            let _ = reader.read_exact(&mut some);
            let stream = reader.get_mut();
            let _ = stream.write_all(reply).and_then(|()| stream.flush());
            // The answer goes out before the close: a close with unread
            // input resets the connection at once, and the kernel drops
            // whatever it had not yet put on the wire (so no client could
            // read it). Then closed with the rest unread: a reset.
            let _ = stream.sock.shutdown(std::net::Shutdown::Write);
            std::thread::sleep(Duration::from_millis(20));
            return;
        }
        let mut body = vec![0u8; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        requests.fetch_add(1, Ordering::Relaxed);
        let reply = answer(&String::from_utf8_lossy(&body));
        let stream = reader.get_mut();
        if stream
            .write_all(&reply)
            .and_then(|()| stream.flush())
            .is_err()
        {
            return;
        }
    }
}
