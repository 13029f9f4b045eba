//! Kerberos and Negotiate(Kerberos) against a real MIT KDC on loopback and
//! MIT's GSSAPI acceptor (python3-gssapi inside `tests/auth/listener.py`):
//! sealed over HTTP, channel-bound over HTTPS, and the ways it fails.
//!
//! Needs Debian's krb5-kdc, krb5-admin-server and python3-gssapi. Outside
//! CI a developer without them gets a loud skip; under CI=true it fails.

use super::front::Front;
use super::realm::{Realm, free_port};
use crate::support::Cmd;

/// A fresh realm, or `None` (after a loud skip) without the tools.
fn realm() -> Option<Realm> {
    Realm::available().then(Realm::start)
}

#[test]
fn kerberos_and_negotiate_seal_every_message_over_http() {
    let Some(realm) = realm() else { return };
    for (method, mech) in [("kerberos", "kerberos"), ("negotiate", "spnego-kerberos")] {
        let front = Front::kerberos(&realm, false, 120, &[]);
        front
            .cmd(method, &["get", "wmicimv2/Win32_Service?Name=Spooler"])
            .run()
            .ok()
            .stdout_has("Name = Spooler")
            .hides(Realm::PASSWORD);
        assert!(
            front.logged(&format!("\"mech\": \"{mech}\"")),
            "{method}: {:?}",
            front.events()
        );
        assert!(front.logged("\"sealed\": true"));
        assert!(!front.logged("\"sealed\": false"));
        assert_eq!(front.count("authenticated"), 1);
        assert!(front.logged("\"user\": \"alice@WINRM.TEST\""));
        front.assert_no_crossing();
    }
    // The KDC issued the ticket for HTTP/localhost.
    assert!(realm.kdc_log().contains("HTTP/localhost@WINRM.TEST"));
}

#[test]
fn a_user_principal_name_works_against_an_mit_realm() {
    let Some(realm) = realm() else { return };
    let front = Front::kerberos(&realm, false, 120, &[]);
    front
        .cmd_as("kerberos", "alice@WINRM.TEST", &["id"])
        .run()
        .ok();
    assert_eq!(front.count("authenticated"), 1);
}

#[test]
fn https_binds_kerberos_to_the_channel_against_mit() {
    let Some(realm) = realm() else { return };
    // MIT checks KERB_AP_OPTIONS_CBT and compares the binding: with the
    // 4-byte value (patches/picky-krb) it accepts ours, unsealed over TLS.
    for method in ["kerberos", "negotiate"] {
        let front = Front::kerberos(&realm, true, 120, &[]);
        front.cmd(method, &["id"]).run().ok();
        assert!(front.logged("\"sealed\": false"));
        assert!(!front.logged("\"sealed\": true"));
        assert_eq!(front.count("authenticated"), 1, "{method}");
    }
    // An acceptor that expects another certificate's binding (a TLS
    // interceptor in between) refuses the logon.
    let front = Front::kerberos(&realm, true, 120, &["--wrong-binding"]);
    front
        .cmd("kerberos", &["id"])
        .run()
        .code(3)
        .stderr_has("channel binding");
    assert_eq!(front.count("authenticated"), 0);
    // --no-channel-binding still sends none (an acceptor that wants none).
    let front = Front::kerberos(&realm, true, 120, &[]);
    front
        .cmd("kerberos", &["id", "--no-channel-binding"])
        .run()
        .ok();
    assert_eq!(front.count("authenticated"), 1);
}

#[test]
fn a_hundred_pages_authenticate_exactly_once() {
    let Some(realm) = realm() else { return };
    let front = Front::kerberos(&realm, false, 100, &[]);
    let run = front
        .cmd(
            "kerberos",
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
    assert_eq!(front.count("authenticated"), 1);
    assert!(front.count("soap") >= 100);
    front.assert_no_crossing();
    // One AS exchange and one TGS exchange for the whole run.
    assert_eq!(realm.kdc_log().matches("TGS_REQ").count(), 1);
}

#[test]
fn a_tampered_reply_is_refused() {
    let Some(realm) = realm() else { return };
    let front = Front::kerberos(&realm, false, 120, &["--tamper", "2"]);
    front
        .cmd(
            "kerberos",
            &["e", "wmicimv2/Win32_Service", "--max-elements", "10"],
        )
        .run()
        .code(5)
        .stderr_has("encrypted reply")
        .stderr_has("refused");
    assert_eq!(front.count("tampered"), 1);
}

#[test]
fn wrong_password_and_unknown_user_exit_3_with_a_clear_message() {
    let Some(realm) = realm() else { return };
    let front = Front::kerberos(&realm, false, 120, &[]);
    front
        .cmd("kerberos", &["id"])
        .env("WINRM_PASSWORD", "not-the-password")
        .run()
        .code(3)
        .stderr_has("password")
        .hides("not-the-password");
    front
        .cmd_as("kerberos", "WINRM.TEST\\mallory", &["id"])
        .run()
        .code(3)
        .stderr_has("mallory")
        .stderr_has("not known");
    assert_eq!(front.count("authenticated"), 0);
    assert_eq!(front.count("leg"), 0, "nothing reached the server");
}

#[test]
fn an_unreachable_kdc_is_named() {
    let Some(realm) = realm() else { return };
    let front = Front::kerberos(&realm, false, 120, &[]);
    let closed = free_port();
    let conf = realm.krb5_conf_with_kdc_port(closed);
    front
        .cmd("kerberos", &["id"])
        .env("KRB5_CONFIG", &conf.display().to_string())
        .run()
        .code(4)
        .stderr_has(&format!("KDC 127.0.0.1:{closed}"))
        .stderr_has("--kdc");
    // --kdc wins over krb5.conf, both ways.
    front
        .cmd(
            "kerberos",
            &["id", "--kdc", &format!("127.0.0.1:{}", realm.port)],
        )
        .env("KRB5_CONFIG", &conf.display().to_string())
        .run()
        .ok();
    front
        .cmd("kerberos", &["id", "--kdc", &format!("127.0.0.1:{closed}")])
        .run()
        .code(4)
        .stderr_has(&format!("127.0.0.1:{closed}"));
}

#[test]
fn an_ip_address_asks_for_the_host_name() {
    let Some(realm) = realm() else { return };
    let front = Front::kerberos(&realm, false, 120, &[]);
    let by_address = |extra: &[&str]| {
        Cmd::new(&[
            "id".to_string(),
            format!("-r:http://127.0.0.1:{}/wsman", front.port),
            format!("-u:{}", realm.user()),
            "-a:kerberos".into(),
        ])
        .args(extra)
        .env("WINRM_PASSWORD", Realm::PASSWORD)
        .env("KRB5_CONFIG", &realm.krb5_conf().display().to_string())
    };
    by_address(&[])
        .run()
        .code(3)
        .stderr_has("fully qualified domain name");
    // --spn names the service, so the address is fine.
    by_address(&["--spn", "HTTP/localhost"]).run().ok();
}

#[test]
fn a_keytab_replaces_the_password() {
    let Some(realm) = realm() else { return };
    let front = Front::kerberos(&realm, false, 120, &[]);
    let keytab = realm.user_keytab().display().to_string();
    for user in ["WINRM.TEST\\alice", "alice@WINRM.TEST"] {
        front
            .cmd_as("kerberos", user, &["id", "--keytab", &keytab])
            .env("WINRM_PASSWORD", "")
            .run()
            .ok();
    }
    assert_eq!(front.count("authenticated"), 2);
    // A keytab without the user's key says so.
    front
        .cmd_as("kerberos", "WINRM.TEST\\bob", &["id", "--keytab", &keytab])
        .run()
        .code(3)
        .stderr_has("holds no AES key for bob@WINRM.TEST");
}

#[test]
fn a_fleet_asks_each_host_for_its_own_ticket() {
    let Some(realm) = realm() else { return };
    // Two acceptors, one reached by name and one by address: each host's
    // principal comes from its own endpoint, so the first gets a ticket
    // for HTTP/localhost and the second alone is refused for want of a
    // name (Kerberos has no principal for an address).
    let known = Front::kerberos(&realm, false, 120, &[]);
    let other = Front::kerberos(&realm, false, 120, &[]);
    let by_address = other.url().replace("localhost", "127.0.0.1");
    let run = known
        .cmd(
            "kerberos",
            &["id", "-format:jsonl", &format!("-r:{by_address}")],
        )
        .run();
    run.code(3).hides(Realm::PASSWORD);
    let records: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let failed: Vec<&str> = records
        .iter()
        .filter(|r| r.get("error").is_some())
        .filter_map(|r| r["@host"].as_str())
        .collect();
    assert_eq!(failed, [by_address.as_str()], "{}", run.stdout);
    assert!(
        records
            .iter()
            .any(|r| r["@host"] == known.url().as_str() && r.get("error").is_none()),
        "{}",
        run.stdout
    );
    assert_eq!(known.count("authenticated"), 1);
    let refused = records
        .iter()
        .find(|r| r.get("error").is_some())
        .and_then(|r| r["error"]["message"].as_str())
        .unwrap_or_default();
    assert!(refused.contains("not the address 127.0.0.1"), "{refused}");
    let log = realm.kdc_log();
    assert_eq!(
        log.matches("for HTTP/localhost@WINRM.TEST").count(),
        1,
        "{log}"
    );
}
