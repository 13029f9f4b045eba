//! HTTP Basic (RFC 7617): the credentials, base64'd, on every request.
//!
//! Sent with the first request rather than after a 401 challenge: OMI never
//! sends a challenge, so a client that waits for one waits forever.

use base64::Engine as _;

use crate::transport::secret::Secret;

/// The `Authorization` header value for a user and password.
pub fn authorization(username: &str, password: &Secret) -> String {
    let pair = format!("{username}:{}", password.expose());
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_user_and_password() {
        let password = Secret::new("open sesame");
        assert_eq!(
            authorization("Aladdin", &password),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }
}
