//! HTTP Basic (RFC 7617): the credentials, base64'd, on every request.
//!
//! Sent with the first request rather than after a 401 challenge: OMI never
//! sends a challenge, so a client that waits for one waits forever.

use base64::Engine as _;

use super::Credentials;

/// The `Authorization` header value for `credentials`.
pub fn authorization(credentials: &Credentials) -> String {
    let pair = format!("{}:{}", credentials.username, credentials.password.expose());
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::secret::Secret;

    #[test]
    fn encodes_user_and_password() {
        let c = Credentials {
            username: "Aladdin".into(),
            password: Secret::new("open sesame"),
        };
        assert_eq!(authorization(&c), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    }
}
