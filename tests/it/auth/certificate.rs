//! `-a:certificate`: a TLS client certificate plus the https/mutual
//! Authorization header, against Python's ssl module requiring a client
//! certificate (`tests/auth/listener.py --client-ca`).

use std::path::Path;

use super::front::{Front, available, certificates};
use crate::support::{Cmd, TempDir};

/// `winrm id -a:certificate` to `front` with the given extra switches.
fn id(front: &Front, extra: &[String]) -> Cmd {
    let ca = front.dir.path().join("server-ca.pem");
    Cmd::new(&[
        "id".to_string(),
        format!("-r:{}", front.url()),
        "--cacert".into(),
        ca.display().to_string(),
    ])
    .args(extra)
}

fn pair(cert: &Path, key: &Path) -> Vec<String> {
    vec![
        "-a:certificate".into(),
        "--cert".into(),
        cert.display().to_string(),
        "--key".into(),
        key.display().to_string(),
    ]
}

#[test]
fn a_client_certificate_authenticates_over_https() {
    if !available() {
        return;
    }
    let certs = TempDir::new("client-certs");
    let (ca, cert, key) = certificates(&certs, "client", &["alice"]);
    let (_, stranger, stranger_key) = certificates(&certs, "other", &["mallory"]);
    let ca = ca.display().to_string();
    let front = Front::start(true, 120, &["--client-ca", &ca]);

    id(&front, &pair(&cert, &key)).run().ok();
    assert_eq!(front.count("certificate"), 1, "{:?}", front.events());
    assert_eq!(front.count("refused"), 0);

    // No certificate, or one the server's CA did not sign: the TLS
    // handshake fails, and the message says what to present.
    let run = id(&front, &["-a:none".into()]).run();
    run.code(4);
    assert!(
        run.stderr.contains("client certificate") || run.stderr.contains("closed the connection"),
        "{}",
        run.stderr
    );
    // (TLS 1.3: the refusal arrives as an alert or, when the alert is
    // lost with the connection, as a reset.)
    id(&front, &pair(&stranger, &stranger_key))
        .run()
        .code(4)
        .stderr_has("refused the client certificate");
    assert_eq!(front.count("certificate"), 1);
}

#[test]
fn certificate_authentication_needs_https_and_both_files() {
    let certs = TempDir::new("client-certs");
    let (_, cert, key) = certificates(&certs, "client", &["alice"]);
    let mut args = vec!["id".to_string(), "-r:http://localhost:5985/wsman".into()];
    args.extend(pair(&cert, &key));
    Cmd::new(&args).run().code(2).stderr_has("needs HTTPS");
    Cmd::new(&[
        "id",
        "-r:https://localhost:5986/wsman",
        "-a:certificate",
        "--cert",
        &cert.display().to_string(),
    ])
    .run()
    .code(2)
    .stderr_has("--key FILE");
    // The key is checked before anything is sent, and never printed.
    let garbage = certs.write("garbage.pem", b"not a key");
    let mut args = vec!["id".to_string(), "-r:https://localhost:1/wsman".into()];
    args.extend(pair(&cert, &garbage));
    Cmd::new(&args)
        .run()
        .code(2)
        .stderr_has("no usable private key");
}
