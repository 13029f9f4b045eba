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

/// `winrm ARGS` inside script(1), so it has a terminal to prompt on, with
/// `typed` (a line) as what the user types and only `env` (and PATH) as
/// its environment: what the terminal showed. `None`, after a loud skip,
/// without script(1).
fn on_a_terminal(args: &[String], env: &[(&str, &str)], typed: &str) -> Option<String> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    if Command::new("script").arg("--version").output().is_err() {
        super::front::skip_or_fail("script(1) is missing (apt-get install bsdutils)");
        return None;
    }
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_winrm").to_string())
        .chain(args.iter().cloned())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let mut command = Command::new("script");
    command
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("run script");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(format!("{typed}\n").as_bytes())
        .expect("type");
    drop(input);
    let output = child.wait_with_output().expect("output");
    Some(String::from_utf8_lossy(&output.stdout).replace('\r', ""))
}

#[test]
fn negotiate_to_an_address_asks_for_the_password_despite_a_cached_ticket() {
    if !Realm::available() || !super::front::available() {
        return;
    }
    // A realm named as the NTLM front's domain, with a valid ticket for
    // CORP\alice in the cache: the ticket names no service at an address,
    // so Negotiate must run NTLM with the password, as before SSO.
    let realm = Realm::start_named("CORP");
    let cache = format!("FILE:{}/alice.cc", realm.scratch("cc").display());
    realm
        .kinit(Realm::USER, &cache, None)
        .expect("kinit alice@CORP");
    assert!(realm.has_valid_ticket(&cache));
    let conf = realm.krb5_conf().display().to_string();
    let front = Front::start(false, 120, &[]);
    let args = vec![
        "id".to_string(),
        "--debug".into(),
        format!("-r:{}", front.url()),
        format!("-u:{}", super::front::USER),
        "-a:negotiate".into(),
    ];
    let env = [
        ("KRB5CCNAME", cache.as_str()),
        ("KRB5_CONFIG", conf.as_str()),
    ];
    // No terminal: the error that says where a password comes from, not
    // a Kerberos refusal of the address.
    let mut cmd = crate::support::Cmd::new(&args);
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    let run = cmd.run();
    run.code(2)
        .stderr_has(&format!("no password for {}", super::front::USER));
    assert!(!run.stderr.contains("Kerberos needs"), "{}", run.stderr);
    assert!(!run.stderr.contains("kinit"), "{}", run.stderr);
    // On a terminal: the prompt, then NTLM with the typed password.
    let Some(shown) = on_a_terminal(&args, &env, super::front::PASSWORD) else {
        return;
    };
    assert!(
        shown.contains(&format!("Password for {} at ", super::front::USER)),
        "{shown}"
    );
    assert!(
        shown.contains("Negotiate chose NTLM, because 127.0.0.1 is an IP address"),
        "{shown}"
    );
    assert_eq!(front.count("authenticated"), 1, "{shown}");
    assert!(!front.logged("kerberos"), "{shown}");
}
