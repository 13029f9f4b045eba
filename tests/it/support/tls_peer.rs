//! An HTTPS peer that presents whatever certificate chain a test crafted
//! (not yet valid, expired, a CA certificate as its own): rustls on
//! 127.0.0.1:0, one thread per connection, each request answered with what
//! the test's function makes of its body. A handshake the client refuses
//! just ends that connection. Lives at most 30 s; stops when dropped.

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
                        let (config, answer, counted) =
                            (config.clone(), answer.clone(), counted.clone());
                        std::thread::spawn(move || serve(stream, config, &*answer, &counted));
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
