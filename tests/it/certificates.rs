//! Server certificates crafted to be refused, end to end over a real TLS
//! handshake: one not valid yet, one expired, and a CA certificate
//! presented as the server's own. Each is refused with its sentence (never
//! rustls' `NotValidYetContext { … }` or `CaUsedAsEndEntity`), exit 4, and
//! a hint only where one can help: none suggests -skipCAcheck for a date it
//! does not waive, or --cacert when the issuer is not what is wrong.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::support::raw::soap_envelope;
use crate::support::tls_peer::TlsPeer;
use crate::support::{Cmd, Run, TempDir};

/// What a crafted server presents, and the CA file that vouches for it.
struct Crafted {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    ca_pem: String,
    _dir: TempDir,
}

fn key_der(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()))
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("CA params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

/// A certificate for `localhost` signed by a fresh CA, its dates changed
/// by `dates`.
fn issued(tag: &str, dates: impl FnOnce(&mut CertificateParams)) -> Crafted {
    let ca_key = KeyPair::generate().expect("CA key");
    let ca_cert = ca_params(&format!("{tag} CA"))
        .self_signed(&ca_key)
        .expect("CA certificate");
    let issuer = Issuer::new(ca_params(&format!("{tag} CA")), ca_key);
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, format!("{tag} server"));
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    dates(&mut params);
    let key = KeyPair::generate().expect("key");
    let cert = params.signed_by(&key, &issuer).expect("certificate");
    let dir = TempDir::new("crafted");
    let ca_pem = dir.write("ca.pem", ca_cert.pem().as_bytes());
    Crafted {
        chain: vec![cert.der().clone(), ca_cert.der().clone()],
        key: key_der(&key),
        ca_pem: ca_pem.display().to_string(),
        _dir: dir,
    }
}

/// A self-signed CA certificate for `localhost`, presented as the
/// server's own (as many devices do); its CA file is itself.
fn ca_as_server() -> Crafted {
    let key = KeyPair::generate().expect("key");
    let cert = ca_params("device CA")
        .self_signed(&key)
        .expect("certificate");
    let dir = TempDir::new("crafted");
    let ca_pem = dir.write("ca.pem", cert.pem().as_bytes());
    Crafted {
        chain: vec![cert.der().clone()],
        key: key_der(&key),
        ca_pem: ca_pem.display().to_string(),
        _dir: dir,
    }
}

const IDENTIFY: &str = concat!(
    r#"<wsmid:IdentifyResponse xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">"#,
    "<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion>",
    "<wsmid:ProductVendor>Crafted</wsmid:ProductVendor><wsmid:ProductVersion>1</wsmid:ProductVersion>",
    "</wsmid:IdentifyResponse>"
);

/// Serves `crafted`, answering Identify.
fn serve(crafted: &Crafted) -> TlsPeer {
    TlsPeer::start(crafted.chain.clone(), crafted.key.clone_key(), |request| {
        let body = soap_envelope(request, "", IDENTIFY);
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml;charset=UTF-8\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    })
}

/// `winrm id -a:none` to the peer with the given trust switches.
fn identify(peer: &TlsPeer, trust: &[&str]) -> Run {
    let run = Cmd::new(&[
        "id".to_string(),
        format!("-r:{}", peer.url()),
        "-a:none".into(),
    ])
    .args(trust)
    .run();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    for debug in ["Context", "{", "Other(", "CaUsedAsEndEntity", "UnixTime"] {
        assert!(!run.stderr.contains(debug), "{trust:?}: {}", run.stderr);
    }
    run
}

/// Refused with `sentence`, exit 4, and `hint` (or none).
#[track_caller]
fn refused(run: &Run, sentence: &str, hint: Option<&str>) {
    run.code(4).stderr_has(sentence);
    let hints: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("hint:"))
        .collect();
    match hint {
        Some(hint) => assert!(
            hints.len() == 1 && hints[0].contains(hint),
            "{}",
            run.stderr
        ),
        None => assert!(hints.is_empty(), "no hint can help: {}", run.stderr),
    }
}

#[test]
fn a_certificate_not_valid_yet_is_refused_whatever_is_trusted() {
    let crafted = issued("future", |p| {
        p.not_before = date_time_ymd(2090, 1, 1);
        p.not_after = date_time_ymd(2091, 1, 1);
    });
    let peer = serve(&crafted);
    let sentence = "the server's certificate is not valid yet (check this computer's clock, or \
                    the certificate's start date)";
    // Trusted, untrusted, and with the CA check skipped: the date is what
    // is wrong, and no switch waives it, so none is suggested.
    for trust in [
        vec!["--cacert", &crafted.ca_pem],
        vec![],
        vec!["-skipCAcheck"],
    ] {
        refused(&identify(&peer, &trust), sentence, None);
    }
    assert_eq!(
        peer.requests(),
        0,
        "nothing is sent over a refused handshake"
    );
}

#[test]
fn an_expired_certificate_is_refused_with_a_hint_to_renew_it() {
    let crafted = issued("past", |p| {
        p.not_before = date_time_ymd(2001, 1, 1);
        p.not_after = date_time_ymd(2002, 1, 1);
    });
    let peer = serve(&crafted);
    for trust in [
        vec!["--cacert", &crafted.ca_pem],
        vec![],
        vec!["-skipCAcheck"],
    ] {
        let run = identify(&peer, &trust);
        refused(
            &run,
            "the server's certificate has expired",
            Some("the certificate must be renewed on the server"),
        );
        assert!(!run.stderr.contains("-skipCAcheck"), "{}", run.stderr);
    }
    assert_eq!(peer.requests(), 0);
}

#[test]
fn a_ca_certificate_presented_as_the_servers_is_named() {
    let crafted = ca_as_server();
    let peer = serve(&crafted);
    let sentence = "the server's certificate is a CA certificate, which a server may not present \
                    as its own";
    // Trusting it changes nothing, so --cacert is not suggested; skipping
    // the CA check is what helps.
    for trust in [vec!["--cacert", &crafted.ca_pem], vec![]] {
        let run = identify(&peer, &trust);
        refused(
            &run,
            sentence,
            Some(
                "self-signed device certificates often look like this: accept it with -skipCAcheck",
            ),
        );
        assert!(!run.stderr.contains("--cacert"), "{}", run.stderr);
    }
    assert_eq!(peer.requests(), 0);
    identify(&peer, &["-skipCAcheck"])
        .ok()
        .stdout_has("ProductVendor = Crafted");
    assert_eq!(peer.requests(), 1);
}
