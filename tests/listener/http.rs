//! Minimal HTTP/1.1 server side: reads requests (Content-Length or chunked
//! bodies, `Expect: 100-continue`, keep-alive), writes responses the way
//! HTTP.sys does for WinRM (`Server: Microsoft-HTTPAPI/2.0`, Content-Length),
//! and converts SOAP bodies between bytes and text (UTF-8, UTF-16 LE/BE).

use std::io::{self, Read, Write};
use std::time::{SystemTime, UNIX_EPOCH};

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 64 * 1024 * 1024;

pub struct Request {
    pub method: String,
    pub path: String,
    /// HTTP/1.0 closes after the reply unless it asks for keep-alive.
    pub http10: bool,
    /// Names lowercased, values trimmed, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn wants_close(&self) -> bool {
        let conn = self.header("connection").unwrap_or("").to_ascii_lowercase();
        conn.split(',').any(|t| t.trim() == "close")
            || (self.http10 && !conn.split(',').any(|t| t.trim() == "keep-alive"))
    }
}

#[derive(Debug)]
pub enum ReadError {
    /// Connection closed cleanly between requests.
    Eof,
    /// Socket error or idle timeout: just drop the connection.
    Io,
    /// Not HTTP we understand: answer 400 and close.
    Bad,
}

/// A connection's byte stream with a buffer that survives between requests
/// (a client may pipeline or send the body in several packets).
pub struct Conn<S> {
    pub stream: S,
    buf: Vec<u8>,
    pos: usize,
}

impl<S: Read + Write> Conn<S> {
    pub fn new(stream: S) -> Self {
        Conn {
            stream,
            buf: Vec::with_capacity(16 * 1024),
            pos: 0,
        }
    }

    /// Reads more bytes; Ok(false) on EOF.
    fn fill(&mut self) -> Result<bool, ReadError> {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        let mut tmp = [0u8; 16 * 1024];
        match self.stream.read(&mut tmp) {
            Ok(0) => Ok(false),
            Ok(n) => {
                self.buf.extend_from_slice(&tmp[..n]);
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(true),
            Err(_) => Err(ReadError::Io),
        }
    }

    /// One CRLF- (or LF-) terminated line, without the terminator.
    fn line(&mut self, limit: usize) -> Result<Vec<u8>, ReadError> {
        loop {
            if let Some(i) = self.buf[self.pos..].iter().position(|&b| b == b'\n') {
                let mut line = self.buf[self.pos..self.pos + i].to_vec();
                self.pos += i + 1;
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buf.len() - self.pos > limit {
                return Err(ReadError::Bad);
            }
            if !self.fill()? {
                return Err(ReadError::Io);
            }
        }
    }

    fn take(&mut self, n: usize) -> Result<Vec<u8>, ReadError> {
        while self.buf.len() - self.pos < n {
            if !self.fill()? {
                return Err(ReadError::Io);
            }
        }
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(out)
    }

    pub fn read_request(&mut self) -> Result<Request, ReadError> {
        // Skip stray empty lines between requests (allowed by RFC 9112).
        let mut first = Vec::new();
        for _ in 0..8 {
            if self.pos == self.buf.len() && !self.fill()? {
                return Err(ReadError::Eof);
            }
            first = self.line(MAX_HEAD)?;
            if !first.is_empty() {
                break;
            }
        }
        let first = String::from_utf8(first).map_err(|_| ReadError::Bad)?;
        let mut parts = first.split(' ').filter(|p| !p.is_empty());
        let (Some(method), Some(path), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ReadError::Bad);
        };
        let http10 = match version {
            "HTTP/1.1" => false,
            "HTTP/1.0" => true,
            _ => return Err(ReadError::Bad),
        };
        if !method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ReadError::Bad);
        }
        let mut headers = Vec::new();
        let mut total = 0;
        loop {
            let line = self.line(MAX_HEAD)?;
            if line.is_empty() {
                break;
            }
            total += line.len();
            if total > MAX_HEAD || headers.len() > 200 {
                return Err(ReadError::Bad);
            }
            let line = String::from_utf8_lossy(&line).into_owned();
            let (name, value) = line.split_once(':').ok_or(ReadError::Bad)?;
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(ReadError::Bad);
            }
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        }
        let mut req = Request {
            method: method.to_string(),
            path: path.to_string(),
            http10,
            headers,
            body: Vec::new(),
        };
        let chunked = req
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        let length = match req.header("content-length") {
            Some(v) if !chunked => Some(v.parse::<usize>().map_err(|_| ReadError::Bad)?),
            _ => None,
        };
        let expects_body = chunked || length.unwrap_or(0) > 0;
        if expects_body
            && req
                .header("expect")
                .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
        {
            let _ = self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
            let _ = self.stream.flush();
        }
        if chunked {
            req.body = self.read_chunked()?;
        } else if let Some(n) = length {
            if n > MAX_BODY {
                return Err(ReadError::Bad);
            }
            req.body = self.take(n)?;
        }
        Ok(req)
    }

    fn read_chunked(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        loop {
            let line = self.line(4096)?;
            let line = String::from_utf8_lossy(&line);
            let size_text = line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16).map_err(|_| ReadError::Bad)?;
            if size == 0 {
                // Trailer section ends with an empty line.
                while !self.line(MAX_HEAD)?.is_empty() {}
                return Ok(body);
            }
            if body.len() + size > MAX_BODY {
                return Err(ReadError::Bad);
            }
            body.extend_from_slice(&self.take(size)?);
            if !self.line(16)?.is_empty() {
                return Err(ReadError::Bad);
            }
        }
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn empty(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A SOAP reply in the charset the request used.
    pub fn soap(status: u16, xml: &str, charset: Charset) -> Self {
        let (body, name) = match charset {
            Charset::Utf8 => (xml.as_bytes().to_vec(), "UTF-8"),
            Charset::Utf16 => (encode_utf16le(xml), "UTF-16"),
        };
        Response {
            status,
            headers: vec![(
                "Content-Type".into(),
                format!("application/soap+xml;charset={name}"),
            )],
            body,
        }
    }
}

pub fn write_response<W: Write>(w: &mut W, resp: &Response, close: bool) -> io::Result<()> {
    let reason = match resp.status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        415 => "Unsupported Media Type",
        _ => "Internal Server Error",
    };
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason);
    for (n, v) in &resp.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("Server: Microsoft-HTTPAPI/2.0\r\n");
    head.push_str(&format!("Date: {}\r\n", http_date()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", resp.body.len()));
    let mut out = head.into_bytes();
    out.extend_from_slice(&resp.body);
    w.write_all(&out)?;
    w.flush()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Utf16,
}

impl Charset {
    pub fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Utf16 => "utf-16",
        }
    }
}

/// Checks the Content-Type is SOAP 1.2 and returns its charset parameter
/// (lowercase, quotes removed). Err(()) means "answer 415".
pub fn soap_content_type(value: Option<&str>) -> Result<Option<String>, ()> {
    let value = value.ok_or(())?;
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/soap+xml") {
        return Err(());
    }
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
    });
    Ok(charset)
}

/// Decodes a request body: a BOM wins, then the declared charset; UTF-16
/// without BOM is guessed from where the zero bytes are. Err(()) = not text.
pub fn decode(body: &[u8], charset: Option<&str>) -> Result<(String, Charset), ()> {
    let declared16 = charset.is_some_and(|c| c.starts_with("utf-16"));
    if let Some(rest) = body.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true).map(|s| (s, Charset::Utf16));
    }
    if let Some(rest) = body.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false).map(|s| (s, Charset::Utf16));
    }
    if let Some(rest) = body.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec())
            .map(|s| (s, Charset::Utf8))
            .map_err(|_| ());
    }
    if declared16 {
        let little = match charset {
            Some("utf-16be") => false,
            Some("utf-16le") => true,
            _ => body.first() != Some(&0),
        };
        return utf16(body, little).map(|s| (s, Charset::Utf16));
    }
    match charset {
        None | Some("utf-8") | Some("utf8") => String::from_utf8(body.to_vec())
            .map(|s| (s, Charset::Utf8))
            .map_err(|_| ()),
        Some(_) => Err(()),
    }
}

fn utf16(bytes: &[u8], little: bool) -> Result<String, ()> {
    if !bytes.len().is_multiple_of(2) {
        return Err(());
    }
    let units = bytes.chunks_exact(2).map(|c| {
        if little {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| ())
}

/// UTF-16LE with a BOM, as Windows answers a UTF-16 request.
pub fn encode_utf16le(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + s.len() * 2);
    out.extend_from_slice(&[0xFF, 0xFE]);
    for u in s.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

/// Size in bytes of `s` once encoded for the wire in `charset`.
pub fn wire_len(s: &str, charset: Charset) -> usize {
    match charset {
        Charset::Utf8 => s.len(),
        Charset::Utf16 => 2 + 2 * s.encode_utf16().count(),
    }
}

/// RFC 9110 IMF-fixdate for the Date header.
fn http_date() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86400;
    let rem = secs % 86400;
    let (y, m, d) = civil_from_days(days as i64);
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MON: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        WD[(days % 7) as usize],
        d,
        MON[(m - 1) as usize],
        y,
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) — Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
