//! Single sign-on: `kinit` into a credential cache, then winrm with no
//! password logs on with that ticket through the system GSSAPI library
//! (MIT's here), against the real MIT KDC and acceptor of
//! [`super::kerberos`]. The KDC's log proves no password was used: the
//! run makes TGS requests only, never an AS request.

use super::front::Front;
use super::realm::Realm;
use base64::Engine as _;

/// A fresh realm, or `None` (after a loud skip) without the tools.
fn realm() -> Option<Realm> {
    if !Realm::available() {
        return None;
    }
    if !std::path::Path::new(super::realm::KINIT).exists() {
        super::front::skip_or_fail("kinit is missing (apt-get install krb5-user)");
        return None;
    }
    Some(Realm::start())
}

/// A FILE cache holding alice's ticket.
fn file_cache(realm: &Realm) -> String {
    let cache = format!("FILE:{}/alice.cc", realm.scratch("cc").display());
    realm.kinit(Realm::USER, &cache, None).expect("kinit alice");
    cache
}

fn as_requests(realm: &Realm) -> usize {
    realm.kdc_log().matches("AS_REQ").count()
}

#[test]
fn a_kinit_ticket_logs_on_without_a_password_sealed_over_http() {
    let Some(realm) = realm() else { return };
    let cache = file_cache(&realm);
    let before = as_requests(&realm);
    for (method, mech) in [("kerberos", "kerberos"), ("negotiate", "spnego-kerberos")] {
        let front = Front::kerberos(&realm, false, 120, &[]);
        front
            .cmd_sso(
                method,
                &cache,
                &["get", "wmicimv2/Win32_Service?Name=Spooler"],
            )
            .run()
            .ok()
            .stdout_has("Name = Spooler");
        assert!(front.logged(&format!("\"mech\": \"{mech}\"")), "{method}");
        assert!(front.logged("\"sealed\": true"));
        assert!(!front.logged("\"sealed\": false"));
        assert!(front.logged("\"user\": \"alice@WINRM.TEST\""));
        assert_eq!(front.count("authenticated"), 1);
        front.assert_no_crossing();
    }
    // -defaultCreds (and its long spelling) with the default method.
    for switch in ["-defaultCreds", "--default-creds"] {
        let front = Front::kerberos(&realm, false, 120, &[]);
        front.cmd_sso("", &cache, &["id", switch]).run().ok();
        assert!(front.logged("\"mech\": \"spnego-kerberos\""), "{switch}");
    }
    assert_eq!(
        as_requests(&realm),
        before,
        "no password logon (AS_REQ) was made"
    );
}

#[test]
fn https_with_a_cached_ticket_binds_to_the_channel() {
    let Some(realm) = realm() else { return };
    let cache = file_cache(&realm);
    for method in ["kerberos", "negotiate"] {
        let front = Front::kerberos(&realm, true, 120, &[]);
        front.cmd_sso(method, &cache, &["id"]).run().ok();
        assert!(front.logged("\"sealed\": false"));
        assert_eq!(front.count("authenticated"), 1, "{method}");
    }
    let front = Front::kerberos(&realm, true, 120, &["--wrong-binding"]);
    front
        .cmd_sso("kerberos", &cache, &["id"])
        .run()
        .code(3)
        .stderr_has("channel binding");
    assert_eq!(front.count("authenticated"), 0);
}

#[test]
fn a_dir_collection_picks_the_principal_named_with_u() {
    let Some(realm) = realm() else { return };
    let dir = realm.scratch("collection");
    let cache = format!("DIR:{}", dir.display());
    realm.kinit(Realm::USER, &cache, None).expect("kinit alice");
    // bob's cache becomes the collection's primary.
    realm
        .kinit(Realm::OTHER_USER, &cache, None)
        .expect("kinit bob");
    let front = Front::kerberos(&realm, false, 120, &[]);
    front.cmd_sso("kerberos", &cache, &["id"]).run().ok();
    assert!(front.logged("\"user\": \"bob@WINRM.TEST\""));
    // -u with no password: that principal's cache, no prompt.
    front
        .cmd_sso("kerberos", &cache, &["id", "-u:alice@WINRM.TEST"])
        .run()
        .ok();
    assert!(front.logged("\"user\": \"alice@WINRM.TEST\""));
    // The default method (Negotiate) with -u does the same, also with the
    // name written the Windows way.
    front
        .cmd_sso("", &cache, &["id", "-u:alice@WINRM.TEST"])
        .run()
        .ok();
    front
        .cmd_sso("", &cache, &["id", "-u:WINRM.TEST\\alice"])
        .run()
        .ok();
    assert_eq!(front.count("authenticated"), 4);
    assert_eq!(
        front
            .events()
            .iter()
            .filter(|(_, e, l)| e == "authenticated" && l.contains("alice@WINRM.TEST"))
            .count(),
        3
    );
    // A principal with no cache in the collection, and no terminal to
    // prompt on: one line saying both ways out.
    front
        .cmd_sso("kerberos", &cache, &["id", "-u:carol@WINRM.TEST"])
        .run()
        .code(2)
        .stderr_has("no password for carol@WINRM.TEST")
        .stderr_has("kinit carol@WINRM.TEST");
}

#[test]
fn a_keyring_cache_works_where_the_kernel_allows() {
    let Some(realm) = realm() else { return };
    let cache = format!("KEYRING:session:winrm-test-{}", std::process::id());
    if let Err(why) = realm.kinit(Realm::USER, &cache, None) {
        // Containers often deny the keyring system calls.
        eprintln!("\n*** SKIPPED KEYRING cache: kinit says: {why} ***\n");
        return;
    }
    let front = Front::kerberos(&realm, false, 120, &[]);
    let run = front.cmd_sso("kerberos", &cache, &["id"]).run();
    // The key outlives the test process's session otherwise.
    let _ = std::process::Command::new("/usr/bin/kdestroy")
        .env("KRB5CCNAME", &cache)
        .status();
    run.ok();
    assert_eq!(front.count("authenticated"), 1);
}

#[test]
fn an_expired_or_missing_ticket_names_the_cache() {
    let Some(realm) = realm() else { return };
    let front = Front::kerberos(&realm, false, 120, &[]);
    let missing = format!("FILE:{}/none.cc", realm.scratch("cc").display());
    front
        .cmd_sso("kerberos", &missing, &["id"])
        .run()
        .code(3)
        .stderr_has(&format!("no Kerberos ticket in {missing}"))
        .stderr_has("kinit");
    // A ticket that lives one second: wait (bounded) until klist itself
    // calls it expired, so nothing races the clock.
    let short = format!("FILE:{}/short.cc", realm.scratch("cc").display());
    realm
        .kinit(Realm::USER, &short, Some("1s"))
        .expect("kinit -l 1s");
    let started = std::time::Instant::now();
    while realm.has_valid_ticket(&short) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the 1-second ticket never expired"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    front
        .cmd_sso("kerberos", &short, &["id"])
        .run()
        .code(3)
        .stderr_has(&format!("ticket in {short} has expired"))
        .stderr_has("kinit");
    assert_eq!(front.count("leg"), 0, "nothing reached the server");
}

#[test]
fn an_unknown_service_principal_is_named() {
    let Some(realm) = realm() else { return };
    let cache = file_cache(&realm);
    let front = Front::kerberos(&realm, false, 120, &[]);
    front
        .cmd_sso(
            "kerberos",
            &cache,
            &["id", "--spn", "HTTP/nosuch.winrm.test"],
        )
        .run()
        .code(3)
        .stderr_has("HTTP/nosuch.winrm.test")
        .stderr_has("--spn");
}

#[test]
fn without_the_system_library_passwords_still_work_and_sso_says_what_to_install() {
    let Some(realm) = realm() else { return };
    let cache = file_cache(&realm);
    let front = Front::kerberos(&realm, false, 120, &[]);
    front
        .cmd_sso("kerberos", &cache, &["id"])
        .env("WINRM_GSSAPI_LIBRARY", "/nonexistent/libgssapi_krb5.so.2")
        .run()
        .code(3)
        .stderr_has("GSSAPI library")
        .stderr_has("libgssapi-krb5-2");
    // A library named by a relative path is never loaded: it would be
    // whatever the current directory holds.
    front
        .cmd_sso("kerberos", &cache, &["id"])
        .env("WINRM_GSSAPI_LIBRARY", "./libgssapi_krb5.so.2")
        .run()
        .code(3)
        .stderr_has("WINRM_GSSAPI_LIBRARY=./libgssapi_krb5.so.2 is not an absolute path");
    // A user with no password and no library: the prompt, as before (no
    // terminal here, so the error that says where a password comes from).
    let run = front
        .cmd_sso("kerberos", &cache, &["id", "-u:alice@WINRM.TEST"])
        .env("WINRM_GSSAPI_LIBRARY", "/nonexistent/libgssapi_krb5.so.2")
        .run();
    run.code(2).stderr_has("no password for alice@WINRM.TEST");
    assert!(!run.stderr.contains("kinit"), "{}", run.stderr);
    // The password (sspi, pure Rust) needs no system library.
    for method in ["kerberos", "negotiate"] {
        front
            .cmd(method, &["id"])
            .env("WINRM_GSSAPI_LIBRARY", "/nonexistent/libgssapi_krb5.so.2")
            .run()
            .ok();
    }
    assert_eq!(front.count("authenticated"), 2);
}

#[test]
fn debug_says_which_mechanism_and_shows_no_ticket_or_token() {
    let Some(realm) = realm() else { return };
    let cache = file_cache(&realm);
    let front = Front::kerberos(&realm, false, 120, &[]);
    let run = front.cmd_sso("kerberos", &cache, &["id", "--debug"]).run();
    run.code(0)
        .stderr_has("auth: Kerberos for HTTP/localhost")
        .stderr_has("ticket cache")
        .stderr_has("alice@WINRM.TEST");
    // MIT's SPNEGO is restricted to Kerberos, and --debug says so only
    // because the library accepted the restriction.
    front
        .cmd_sso("negotiate", &cache, &["id", "--debug"])
        .run()
        .code(0)
        .stderr_has("auth: Negotiate offering Kerberos only for HTTP/localhost");
    // The cache's bytes (the ticket and its session key) appear nowhere,
    // in any encoding the trace could use; tokens show as their length.
    let ticket = std::fs::read(cache.trim_start_matches("FILE:")).expect("read cache");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&ticket[ticket.len() - 64..]);
    assert!(!run.stderr.contains(&b64[..40]));
    for line in run.stderr.lines() {
        let lower = line.to_ascii_lowercase();
        if lower.contains("authorization:") || lower.contains("www-authenticate:") {
            assert!(
                line.split_whitespace().all(|w| w.len() < 40),
                "a token in the trace: {line}"
            );
        }
    }
}

#[test]
fn a_skewed_clock_is_said_as_such() {
    let Some(realm) = realm() else { return };
    let cache = file_cache(&realm);
    // MIT keeps the KDC's time offset in a FILE cache's header (version
    // 4, tag 1: seconds, then microseconds): set it to one hour, and the
    // client's authenticators are an hour off, as with a wrong clock.
    let path = cache.trim_start_matches("FILE:");
    let mut bytes = std::fs::read(path).expect("read cache");
    assert_eq!(
        &bytes[..8],
        &[5, 4, 0, 12, 0, 1, 0, 8],
        "a v4 cache with a time offset"
    );
    bytes[8..12].copy_from_slice(&3600u32.to_be_bytes());
    std::fs::write(path, &bytes).expect("write cache");
    let front = Front::kerberos(&realm, false, 120, &[]);
    front
        .cmd_sso("kerberos", &cache, &["id"])
        .run()
        .code(3)
        .stderr_has("clock")
        .stderr_has("NTP");
    assert_eq!(front.count("leg"), 0, "nothing reached the server");
}

#[test]
fn a_ticket_from_another_realm_is_named() {
    let Some(realm) = realm() else { return };
    let other = Realm::start_named("OTHER.TEST");
    let cache = format!("FILE:{}/other.cc", realm.scratch("cc").display());
    other
        .kinit(Realm::USER, &cache, None)
        .expect("kinit alice@OTHER.TEST");
    // The client knows both realms; the server's name maps to WINRM.TEST,
    // and the realms trust each other not.
    let front = Front::kerberos(&realm, false, 120, &[]);
    let conf = front.dir.write(
        "two-realms.conf",
        format!(
            "[libdefaults]\n  default_realm = WINRM.TEST\n  dns_lookup_kdc = false\n  \
             dns_lookup_realm = false\n  rdns = false\n[realms]\n  \
             WINRM.TEST = {{\n    kdc = 127.0.0.1:{}\n  }}\n  \
             OTHER.TEST = {{\n    kdc = 127.0.0.1:{}\n  }}\n\
             [domain_realm]\n  localhost = WINRM.TEST\n",
            realm.port, other.port
        )
        .as_bytes(),
    );
    front
        .cmd_sso("kerberos", &cache, &["id"])
        .env("KRB5_CONFIG", &conf.display().to_string())
        .run()
        .code(3)
        .stderr_has("is for alice@OTHER.TEST")
        .stderr_has("the server's realm");
    assert_eq!(front.count("leg"), 0, "nothing reached the server");
}

#[test]
fn heimdal_logs_on_from_a_file_cache_too() {
    let Some(realm) = realm() else { return };
    // Heimdal's library beside MIT's (Debian's libgssapi3-heimdal), picked
    // with the override; it reads MIT's FILE caches and krb5.conf.
    let found = ["x86_64-linux-gnu", "aarch64-linux-gnu"]
        .iter()
        .map(|arch| format!("/usr/lib/{arch}/libgssapi.so.3"))
        .find(|path| std::path::Path::new(path).exists());
    let Some(heimdal) = found else {
        super::front::skip_or_fail(
            "Heimdal's libgssapi.so.3 is missing (apt-get install libgssapi3-heimdal)",
        );
        return;
    };
    let heimdal = heimdal.as_str();
    let cache = file_cache(&realm);
    for (https, method) in [
        (false, "kerberos"),
        (false, "negotiate"),
        (true, "negotiate"),
    ] {
        let front = Front::kerberos(&realm, https, 120, &[]);
        front
            .cmd_sso(method, &cache, &["id", "--debug"])
            .env("WINRM_GSSAPI_LIBRARY", heimdal)
            .run()
            .code(0)
            .stderr_has(&format!("through {heimdal}"))
            // Heimdal 7 cannot restrict SPNEGO; --debug does not claim it.
            .stderr_has(if method == "kerberos" {
                "auth: Kerberos for"
            } else {
                "auth: Negotiate with Kerberos for"
            });
        assert!(front.logged(&format!("\"sealed\": {}", !https)), "{method}");
        assert_eq!(front.count("authenticated"), 1, "{method} https={https}");
    }
}

#[test]
fn the_default_cache_is_used_without_krb5ccname() {
    let Some(realm) = realm() else { return };
    // The default cache as krb5.conf names it (default_ccache_name), so
    // the machine's own /tmp/krb5cc_UID is never touched.
    let default = format!("FILE:{}/default.cc", realm.scratch("cc").display());
    let conf = std::fs::read_to_string(realm.krb5_conf()).expect("read krb5.conf");
    let conf = conf.replacen(
        "[libdefaults]\n",
        &format!("[libdefaults]\n  default_ccache_name = {default}\n"),
        1,
    );
    let conf_path = realm.scratch("conf").join("krb5.conf");
    std::fs::write(&conf_path, conf).expect("write krb5.conf");
    realm
        .kinit_with(Realm::USER, &conf_path, None, None)
        .expect("kinit into the default cache");
    let front = Front::kerberos(&realm, false, 120, &[]);
    let url = front.url();
    crate::support::Cmd::new(&["id", &format!("-r:{url}"), "-a:kerberos", "--debug"])
        .env("KRB5_CONFIG", &conf_path.display().to_string())
        .run()
        .code(0)
        .stderr_has("alice@WINRM.TEST from the ticket cache (the default ticket cache");
    assert_eq!(front.count("authenticated"), 1);
}

#[test]
fn mit_fills_an_empty_cache_from_the_client_keytab() {
    let Some(realm) = realm() else { return };
    // KRB5_CLIENT_KTNAME (MIT): a service account with a keytab needs no
    // kinit; the library gets the ticket itself and caches it.
    let cache = format!("FILE:{}/empty.cc", realm.scratch("cc").display());
    let keytab = realm.user_keytab().display().to_string();
    let front = Front::kerberos(&realm, false, 120, &[]);
    front
        .cmd_sso("kerberos", &cache, &["id"])
        .env("KRB5_CLIENT_KTNAME", &keytab)
        .run()
        .ok();
    assert!(front.logged("\"user\": \"alice@WINRM.TEST\""));
    assert!(realm.has_valid_ticket(&cache), "the ticket was cached");
}

#[test]
fn a_run_without_u_or_a_logs_on_with_a_valid_ticket_but_identify_stays_anonymous() {
    let Some(realm) = realm() else { return };
    let cache = file_cache(&realm);
    // As winrm.cmd logs on as the signed-in user: a valid cached ticket,
    // neither -u nor -a, and the run logs on with it by Negotiate.
    let front = Front::kerberos(&realm, false, 120, &[]);
    front
        .cmd_sso("", &cache, &["get", "winrm/config"])
        .run()
        .ok();
    assert!(front.logged("\"mech\": \"spnego-kerberos\""));
    assert!(front.logged("\"user\": \"alice@WINRM.TEST\""));
    assert_eq!(front.count("authenticated"), 1);

    // Identify sends nothing unless asked (iDRAC, AMT and OMI answer it
    // without a logon): this front wants one, so its 401 stands.
    let front = Front::kerberos(&realm, false, 120, &[]);
    let run = front.cmd_sso("", &cache, &["id"]).run();
    run.code(3);
    assert_eq!(front.count("leg"), 0, "no token was sent: {}", run.stderr);

    // With no valid ticket the run stays anonymous as before, and the
    // hint says how to log on.
    let empty = format!("FILE:{}/nobody.cc", realm.scratch("cc").display());
    let front = Front::kerberos(&realm, false, 120, &[]);
    let run = front.cmd_sso("", &empty, &["get", "winrm/config"]).run();
    run.code(3)
        .stderr_has("refused the credentials (HTTP 401)")
        .stderr_has("give -u:USER")
        .stderr_has("-defaultCreds");
    assert_eq!(front.count("leg"), 0, "no token was sent: {}", run.stderr);
}
