//! `-a:negotiate` runs Kerberos whenever the user's realm has a known KDC
//! and the host is a name, and NTLM only when Kerberos cannot work; no
//! silent NTLM after a Kerberos failure. `--debug` says which and why.

use super::front::Front;
use super::realm::Realm;

#[test]
fn negotiate_chooses_kerberos_when_the_realm_has_a_kdc() {
    if !Realm::available() {
        return;
    }
    let realm = Realm::start();
    for user in [
        realm.user(),
        "alice@WINRM.TEST".into(),
        "alice@winrm.test".into(),
    ] {
        let front = Front::kerberos(&realm, false, 120, &[]);
        front
            .cmd_as("negotiate", &user, &["id", "--debug"])
            .run()
            .code(0)
            .stderr_has("Negotiate chose Kerberos, because the KDC of WINRM.TEST is known");
        assert!(front.logged("\"mech\": \"spnego-kerberos\""), "{user}");
        assert_eq!(front.count("authenticated"), 1, "{user}");
    }
    // A krb5.conf that names no KDC for the realm: --kdc is enough.
    let front = Front::kerberos(&realm, false, 120, &[]);
    let bare = front.dir.write(
        "bare-krb5.conf",
        b"[libdefaults]\n  dns_lookup_kdc = false\n  dns_lookup_realm = false\n",
    );
    let kdc = format!("127.0.0.1:{}", realm.port);
    front
        .cmd("negotiate", &["id", "--debug", "--kdc", &kdc])
        .env("KRB5_CONFIG", &bare.display().to_string())
        .run()
        .code(0)
        .stderr_has("Kerberos, with the KDC tcp://127.0.0.1");
    assert!(front.logged("\"mech\": \"spnego-kerberos\""));
    // A wrong password is Kerberos's refusal, not an NTLM attempt the
    // MIT acceptor could never take.
    front
        .cmd("negotiate", &["id"])
        .env("WINRM_PASSWORD", "not-the-password")
        .run()
        .code(3)
        .stderr_has("refused the password");
}

#[test]
fn negotiate_uses_ntlm_only_when_kerberos_cannot_work() {
    if !super::front::available() {
        return;
    }
    // The NTLM front is reached by address: Kerberos cannot name it.
    let front = Front::start(false, 120, &[]);
    front
        .cmd("negotiate", &["id", "--debug"])
        .run()
        .code(0)
        .stderr_has("Negotiate chose NTLM, because 127.0.0.1 is an IP address");
    // By name, in a realm (CORP) with no KDC anywhere: NTLM, said so.
    let front = Front::start(true, 120, &[]);
    let conf = front.dir.write(
        "no-realm-krb5.conf",
        b"[libdefaults]\n  dns_lookup_kdc = false\n  dns_lookup_realm = false\n",
    );
    front
        .cmd("negotiate", &["id", "--debug"])
        .env("KRB5_CONFIG", &conf.display().to_string())
        .run()
        .code(0)
        .stderr_has("Negotiate chose NTLM, because no KDC is known for the realm CORP");
    assert_eq!(front.count("authenticated"), 1);
}
