//! `winrm exec` over the authentication methods that seal or bind: the
//! remote shell rides on NTLM and Negotiate sealing over HTTP (pyspnego),
//! Kerberos sealing (MIT KDC and acceptor), and channel binding over HTTPS,
//! each with output, stdin and the exit code, and no shell left open.

use super::front::{self, Front, PASSWORD};
use super::realm::Realm;

fn runs_a_command(front: &Front, method: &str, secret: &str) {
    let run = front.exec(method, &["hostname"]).run();
    run.ok().hides(secret);
    assert_eq!(run.stdout, "WIN-TEST01\r\n");
    let run = front
        .exec(method, &["findstr", "needle"])
        .stdin("hay\nneedle 1\nhay\nneedle 2\n")
        .run();
    run.ok();
    assert_eq!(run.stdout, "needle 1\r\nneedle 2\r\n");
    front
        .exec(method, &["cmd", "/c", "exit", "7"])
        .run()
        .code(7);
    front.assert_no_crossing();
}

#[test]
fn exec_over_ntlm_and_negotiate_sealing() {
    if !front::available() {
        return;
    }
    for method in ["ntlm", "negotiate"] {
        let front = Front::start(false, 10, &[]);
        runs_a_command(&front, method, PASSWORD);
        assert!(front.logged("\"sealed\": true"), "{method}");
        assert!(!front.logged("\"sealed\": false"), "{method}");
    }
}

#[test]
fn exec_over_https_with_channel_binding() {
    if !front::available() {
        return;
    }
    let front = Front::start(true, 10, &[]);
    runs_a_command(&front, "ntlm", PASSWORD);
}

#[test]
fn exec_over_kerberos_sealing() {
    if !Realm::available() {
        return;
    }
    let realm = Realm::start();
    let front = Front::kerberos(&realm, false, 10, &[]);
    runs_a_command(&front, "kerberos", Realm::PASSWORD);
    assert!(front.logged("\"sealed\": true"));
}
