//! The request log tests read back ([`Recorded`]): every HTTP request as it
//! arrived, with the SOAP fields worth asserting on, written before the
//! request is answered.

use super::http::{self, Charset};
use super::{Shared, digest, soap};

/// One HTTP request as received (recorded before it is answered).
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Which accepted connection it came on (1 = first).
    pub connection: usize,
    pub method: String,
    pub path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    /// Body decoded to text ("" when empty).
    pub body: String,
    /// "utf-8" or "utf-16".
    pub charset: String,
    pub action: Option<String>,
    pub resource_uri: Option<String>,
    pub message_id: Option<String>,
    /// The nonce count of a Digest `Authorization` (0 if it had none);
    /// `None` when the request carried no Digest credentials.
    pub digest_nc: Option<u32>,
}

#[allow(dead_code)]
impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(super) fn record(
    shared: &Shared,
    req: &http::Request,
    id: usize,
    decoded: &Result<(String, Charset), ()>,
    doc: Option<&roxmltree::Document>,
) {
    let (body, charset) = match decoded {
        Ok((text, cs)) => (text.clone(), cs.name()),
        Err(()) => (String::from_utf8_lossy(&req.body).into_owned(), "utf-8"),
    };
    let fields = doc.map(soap::record_fields).unwrap_or_default();
    let rec = Recorded {
        connection: id,
        method: req.method.clone(),
        path: req.path.clone(),
        headers: req.headers.clone(),
        body,
        charset: charset.to_string(),
        action: fields.0,
        resource_uri: fields.1,
        message_id: fields.2,
        digest_nc: digest::nc_of(req.header("authorization")),
    };
    shared
        .records
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(rec);
}
