//! A server that answers with captured fixture replies, one per request,
//! in order, so the real binary can print what real servers sent. The
//! reply's `RelatesTo` is rewritten to the request's `MessageID` (the
//! client refuses a reply to another message); everything else goes out
//! byte for byte. Keep-alive, like the servers it stands in for. Lives at
//! most 30 s.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::fixture;

/// One canned reply.
#[derive(Clone)]
pub struct Canned {
    /// HTTP status.
    pub status: u16,
    /// The SOAP envelope.
    pub body: Vec<u8>,
}

impl Canned {
    /// A fixture file as a 200 reply (or 500 when its name says fault).
    pub fn fixture(name: &str) -> Canned {
        let status = if name.contains("fault") { 500 } else { 200 };
        Canned {
            status,
            body: fixture(name),
        }
    }
}

/// A running replay server.
pub struct Replay {
    port: u16,
}

impl Replay {
    /// Serves `replies` in order; after the last one, every request gets an
    /// empty 500.
    pub fn start(replies: Vec<Canned>) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind replay server");
        let port = listener.local_addr().expect("local addr").port();
        let queue = Arc::new(Mutex::new(replies.into_iter()));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let queue = queue.clone();
                std::thread::spawn(move || serve(stream, &queue));
            }
        });
        Replay { port }
    }

    /// The endpoint URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/wsman", self.port)
    }
}

fn serve(stream: TcpStream, queue: &Mutex<std::vec::IntoIter<Canned>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut request = vec![0; length];
        if reader.read_exact(&mut request).is_err() {
            return;
        }
        let next = queue.lock().ok().and_then(|mut q| q.next());
        let (status, body) = match next {
            Some(canned) => (canned.status, answer(&canned.body, &request)),
            None => (500, Vec::new()),
        };
        let head = format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: application/soap+xml;charset=UTF-8\r\n\
             Content-Length: {}\r\n\r\n",
            if status == 200 { "OK" } else { "Error" },
            body.len()
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&body).is_err() {
            return;
        }
    }
}

/// The canned body with its RelatesTo answering the request's MessageID.
fn answer(body: &[u8], request: &[u8]) -> Vec<u8> {
    let (Ok(text), Ok(request)) = (std::str::from_utf8(body), std::str::from_utf8(request)) else {
        return body.to_vec();
    };
    let Some(id) = element_text(request, "MessageID>") else {
        return body.to_vec();
    };
    match element_span(text, "RelatesTo>") {
        Some((start, end)) => format!("{}{}{}", &text[..start], id, &text[end..]).into_bytes(),
        None => body.to_vec(),
    }
}

fn element_text<'a>(text: &'a str, tag_end: &str) -> Option<&'a str> {
    element_span(text, tag_end).map(|(s, e)| &text[s..e])
}

/// Byte range of the text of the first `<prefix:NAME>` whose name ends
/// with `tag_end` (`RelatesTo>`).
fn element_span(text: &str, tag_end: &str) -> Option<(usize, usize)> {
    let start = text.find(tag_end)? + tag_end.len();
    let end = start + text[start..].find('<')?;
    Some((start, end))
}
