//! CredSSP against an acceptor we did not write: pyspnego's, inside
//! `tests/auth/listener.py` (its own TLS session with a certificate it
//! generates, SPNEGO/NTLM inside), which checks and builds the MS-WSMV
//! CredSSP sealing itself, 16 KiB parts included.
//!
//! Needs python3 with pyspnego (and cryptography). Outside CI a developer
//! without them gets a loud skip; under CI=true a missing package fails.

use std::collections::BTreeSet;

use super::front::{Front, PASSWORD, USER, available};

/// The connections that carried SOAP requests.
fn soap_connections(front: &Front) -> BTreeSet<u64> {
    front
        .events()
        .iter()
        .filter(|(_, e, _)| e == "soap")
        .map(|(c, _, _)| *c)
        .collect()
}

#[test]
fn credssp_seals_every_message_over_http_in_16_kib_parts() {
    if !available() {
        return;
    }
    let front = Front::credssp(false, 120, &[]);
    front
        .cmd(
            "credssp",
            &["get", "wmicimv2/Win32_Service?Name=Spooler", "--debug"],
        )
        .run()
        .code(0)
        .stdout_has("Name = Spooler")
        .stderr_has("Authorization: CredSSP [redacted]")
        .hides(PASSWORD);
    // The credentials were delegated: the acceptor decrypted TSCredentials.
    assert!(front.logged(&format!("\"delegated\": \"{}", USER.replace('\\', "\\\\"))));

    // A request and a reply over 16 KiB: both travel in 16 KiB parts.
    let hosts = "h".repeat(40_000);
    front
        .cmd(
            "credssp",
            &[
                "set",
                "winrm/config/client",
                &format!("@{{TrustedHosts=\"{hosts}\"}}"),
            ],
        )
        .run()
        .ok()
        .stdout_has(&hosts);
    let events = front.events();
    assert!(
        events
            .iter()
            .any(|(_, e, l)| e == "soap" && l.contains("\"multi\": true")),
        "no chunked request: {events:?}"
    );
    assert!(
        events
            .iter()
            .any(|(_, e, l)| e == "sealed" && !l.contains("\"parts\": 1}")),
        "no chunked reply: {events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|(_, e, l)| e == "soap" && l.contains("\"sealed\": false"))
    );
    assert_eq!(front.count("authenticated"), 2);
    front.assert_no_crossing();
}

#[test]
fn credssp_over_https_is_not_sealed() {
    if !available() {
        return;
    }
    let front = Front::credssp(true, 120, &[]);
    front.cmd("credssp", &["id"]).run().ok().hides(PASSWORD);
    let events = front.events();
    assert!(
        events
            .iter()
            .any(|(_, e, l)| e == "soap" && l.contains("\"sealed\": false")),
        "{events:?}"
    );
    assert_eq!(front.count("authenticated"), 1);
    front.assert_no_crossing();
}

#[test]
fn credssp_unencrypted_only_when_asked() {
    if !available() {
        return;
    }
    let front = Front::credssp(false, 120, &["--allow-unencrypted"]);
    front.cmd("credssp", &["id", "-unencrypted"]).run().ok();
    assert!(front.logged("\"sealed\": false"));
    assert!(!front.logged("\"sealed\": true"));
}

#[test]
fn credssp_wrong_password_exits_3_without_echoing_it() {
    if !available() {
        return;
    }
    let front = Front::credssp(false, 120, &[]);
    front
        .cmd("credssp", &["id"])
        .env("WINRM_PASSWORD", "not-the-password")
        .run()
        .code(3)
        .stderr_has("refused the user name or password")
        .hides("not-the-password");
    assert_eq!(front.count("authenticated"), 0);
}

#[test]
fn credssp_tampered_reply_is_refused() {
    if !available() {
        return;
    }
    let front = Front::credssp(false, 120, &["--tamper", "2"]);
    front
        .cmd(
            "credssp",
            &["e", "wmicimv2/Win32_Service", "--max-elements", "10"],
        )
        .run()
        .code(5)
        .stderr_has("encrypted reply")
        .stderr_has("refused");
    assert_eq!(front.count("tampered"), 1);
}

#[test]
fn credssp_hundred_pages_authenticate_exactly_once() {
    if !available() {
        return;
    }
    let front = Front::credssp(false, 100, &[]);
    let run = front
        .cmd(
            "credssp",
            &["e", "wmicimv2/Win32_Service", "--max-elements", "1"],
        )
        .run();
    run.ok();
    let items = run
        .lines()
        .iter()
        .filter(|l| **l == "Win32_Service")
        .count();
    assert_eq!(items, 100);
    assert_eq!(front.count("authenticated"), 1, "{:?}", front.events());
    assert!(front.count("soap") >= 100);
    let conns = soap_connections(&front);
    assert_eq!(conns.len(), 1, "requests spread over connections {conns:?}");
    front.assert_no_crossing();
}

#[test]
fn credssp_closed_connection_logs_on_again_once() {
    if !available() {
        return;
    }
    // A Get is safe to repeat: a new connection, a new CredSSP handshake.
    let front = Front::credssp(false, 120, &["--close-after", "1"]);
    front
        .cmd("credssp", &["get", "wmicimv2/Win32_Service?Name=Spooler"])
        .run()
        .ok()
        .stdout_has("Name = Spooler");
    assert_eq!(front.count("authenticated"), 2, "{:?}", front.events());
    front.assert_no_crossing();
}
