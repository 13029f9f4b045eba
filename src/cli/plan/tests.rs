//! The plan from command lines and made-up environments: no network, no
//! terminal, no prompt.

use std::ffi::OsString;

use clap::Parser as _;
use winrm::render::Format;
use winrm::session::{Encoding, ReturnType};
use winrm::transport::Method;

use super::{Change, CredentialSource, Plan, Verb};
use crate::cli::args::Cli;
use crate::cli::compat;
use crate::cli::environment::Environment;

/// The plan for `winrm ARGS` in an environment holding `vars`, or the
/// usage error's message.
fn plan(args: &[&str], vars: &[(&str, &str)]) -> Result<Plan, String> {
    let argv =
        compat::normalize(args.iter().map(OsString::from).collect()).map_err(|e| e.to_string())?;
    let cli = Cli::try_parse_from(std::iter::once(OsString::from("winrm")).chain(argv))
        .map_err(|e| e.to_string())?;
    Plan::new(cli, Format::Text, &Environment::fake(vars)).map_err(|e| e.to_string())
}

/// A real file for switches that name one (the plan checks they exist).
fn some_file(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("winrm-plan-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, "x").unwrap();
    path.display().to_string()
}

fn error(args: &[&str], vars: &[(&str, &str)]) -> String {
    match plan(args, vars) {
        Ok(p) => panic!("{args:?} planned: {p:?}"),
        Err(e) => e,
    }
}

#[test]
fn a_bare_host_gets_winrm_cmd_defaults_and_negotiate() {
    let p = plan(
        &["get", "winrm/config", "-r:srv01"],
        &[("WINRM_USER", "admin"), ("WINRM_PASSWORD", "pw")],
    )
    .unwrap();
    let c = p.connection.expect("a network verb connects");
    assert_eq!(c.targets.len(), 1);
    assert_eq!(c.targets[0].endpoint.url(), "http://srv01:5985/wsman");
    assert_eq!(c.auth.method, Method::Negotiate);
    assert_eq!(c.auth.user.as_deref(), Some("admin"));
    assert!(matches!(c.auth.credential, CredentialSource::Password(ref p) if p.expose() == "pw"));
    assert_eq!(c.session.operation_timeout.as_secs(), 60);
    assert_eq!(c.reply_timeout.as_secs(), 65);
    assert!(matches!(p.verb, Verb::Get(ref r) if r.resource.uri.ends_with("/config")));
}

#[test]
fn where_the_password_comes_from() {
    let user = [("WINRM_USER", "admin")];
    let keytab = some_file("k.keytab");
    let source = |args: &[&str], vars: &[(&str, &str)]| {
        let mut all = vec!["id", "-r:h"];
        all.extend_from_slice(args);
        plan(&all, vars)
            .unwrap()
            .connection
            .unwrap()
            .auth
            .credential
    };
    // Nothing given: the user's cached ticket, else asked for later,
    // once, not while planning (Negotiate is the default with a user).
    assert!(matches!(
        source(&[], &user),
        CredentialSource::TicketCacheOrPrompt
    ));
    assert!(matches!(
        source(&[], &[("WINRM_USER", "admin"), ("WINRM_PASSWORD", "")]),
        CredentialSource::TicketCacheOrPrompt
    ));
    assert!(matches!(
        source(&["-a:ntlm"], &user),
        CredentialSource::Prompt
    ));
    // Negotiate to an IP address runs NTLM, which needs the password:
    // no ticket may stand in for it, also when one target of several is
    // an address. Kerberos, or --spn naming the service, keeps the cache.
    let credential = |args: &[&str]| {
        let mut all = vec!["id"];
        all.extend_from_slice(args);
        plan(&all, &user)
            .unwrap()
            .connection
            .unwrap()
            .auth
            .credential
    };
    for args in [
        &["-r:192.0.2.7"][..],
        &["-r:http://[2001:db8::7]:5985/wsman"],
        &["-r:2001:db8::7"],
        &["-r:srv01,192.0.2.7"],
        &["-r:192.0.2.7", "-a:negotiate"],
    ] {
        assert!(
            matches!(credential(args), CredentialSource::Prompt),
            "{args:?}"
        );
    }
    for args in [
        &["-r:192.0.2.7", "-a:kerberos"][..],
        &["-r:192.0.2.7", "--spn", "HTTP/srv01.corp.example"],
        &["-r:srv01,srv02.corp.example"],
    ] {
        assert!(
            matches!(credential(args), CredentialSource::TicketCacheOrPrompt),
            "{args:?}"
        );
    }
    // No user, no password, Kerberos or Negotiate: the ticket cache.
    for args in [
        &["-a:kerberos"][..],
        &["-a:negotiate"],
        &["-defaultCreds"],
        &["--default-creds", "-a:kerberos"],
        &["-defaultCreds", "-u:alice@CORP.EXAMPLE"],
    ] {
        assert!(
            matches!(source(args, &[]), CredentialSource::TicketCache),
            "{args:?}"
        );
    }
    let with_kdc = plan(&["id", "-r:h", "-defaultCreds", "--kdc", "kdc1"], &[]).unwrap();
    assert!(
        with_kdc
            .warnings
            .iter()
            .any(|w| w.contains("--kdc does not apply")),
        "{:?}",
        with_kdc.warnings
    );
    for (args, says) in [
        (&["-defaultCreds", "-a:basic"][..], "not -a:basic"),
        (&["-defaultCreds", "-p:x", "-u:a"], "drop -p"),
        (
            &["-a:kerberos", "--keytab", keytab.as_str()],
            "give -u:user@REALM",
        ),
    ] {
        let e = error(&[&["id", "-r:h"][..], args].concat(), &[]);
        assert!(e.contains(says), "{args:?}: {e}");
    }
    assert!(matches!(
        source(&["-p:typed"], &[("WINRM_USER", "a"), ("WINRM_PASSWORD", "env")]),
        CredentialSource::Password(ref p) if p.expose() == "typed"
    ));
    assert!(matches!(
        source(&["--keytab", &keytab, "-a:kerberos"], &user),
        CredentialSource::Keytab(ref p) if p.to_str() == Some(keytab.as_str())
    ));
    let none = plan(&["id", "-r:h", "-a:none"], &[]).unwrap();
    let auth = none.connection.unwrap().auth;
    assert!(matches!(auth.credential, CredentialSource::None));
    assert_eq!(auth.user, None);
}

#[test]
fn a_password_file_is_read_while_planning() {
    let dir = std::env::temp_dir().join(format!("winrm-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("pw");
    std::fs::write(&file, "from-file\nignored\n").unwrap();
    let path = file.to_str().unwrap();
    let p = plan(&["id", "-r:h", "-u:a", "--password-file", path], &[]).unwrap();
    let credential = p.connection.unwrap().auth.credential;
    assert!(matches!(credential, CredentialSource::Password(ref p) if p.expose() == "from-file"));
    std::fs::write(&file, "").unwrap();
    let e = error(&["id", "-r:h", "-u:a", "--password-file", path], &[]);
    assert!(e.contains("is empty"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn credentials_that_do_not_fit_the_method_are_refused() {
    let e = error(&["id", "-r:h", "-a:none", "-u:x"], &[]);
    assert!(e.contains("-a:none sends no credentials"), "{e}");
    let e = error(&["id", "-r:h", "-a:basic"], &[]);
    assert!(e.contains("needs a user name"), "{e}");
    let keytab = some_file("k");
    let e = error(
        &["id", "-r:h", "-a:basic", "-u:x", "--keytab", &keytab],
        &[],
    );
    assert!(e.contains("--keytab goes with"), "{e}");
    let e = error(&["id", "-r:h", "-a:certificate"], &[]);
    assert!(e.contains("--cert FILE --key FILE"), "{e}");
    let (cert, key) = (some_file("c"), some_file("k"));
    let e = error(
        &[
            "id",
            "-r:h",
            &format!("--cert={cert}"),
            &format!("--key={key}"),
        ],
        &[],
    );
    assert!(e.contains("needs HTTPS"), "{e}");
    let e = error(&["id", "-r:h", "-a:magic", "-u:x"], &[]);
    assert!(e.contains("choose one of: none, basic"), "{e}");
}

#[test]
fn a_client_certificate_is_the_credential() {
    let p = plan(
        &[
            "id",
            "-r:https://h",
            &format!("--cert={}", some_file("c.pem")),
            &format!("--key={}", some_file("k.pem")),
        ],
        &[],
    )
    .unwrap();
    let c = p.connection.unwrap();
    assert_eq!(c.auth.method, Method::Certificate);
    assert!(matches!(
        c.auth.credential,
        CredentialSource::Certificate { .. }
    ));
    assert!(c.tls.client_identity.is_some());
    assert_eq!(c.targets[0].endpoint.port(), 443);
}

#[test]
fn line_breaks_in_user_names_and_passwords() {
    let e = error(
        &["id", "-r:h"],
        &[("WINRM_USER", "ad\nmin"), ("WINRM_PASSWORD", "p")],
    );
    assert!(e.contains("user name holds a line break"), "{e}");
    let p = plan(&["id", "-r:h", "-u:a"], &[("WINRM_PASSWORD", "secret\r\n")]).unwrap();
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("ended with a line break"))
    );
    let credential = p.connection.unwrap().auth.credential;
    assert!(matches!(credential, CredentialSource::Password(ref p) if p.expose() == "secret"));
}

#[test]
fn files_named_on_the_command_line_must_be_plain_files() {
    let vars = [("WINRM_USER", "a")];
    let e = error(
        &["id", "-r:h", "-a:kerberos", "--keytab", "/no/such.keytab"],
        &vars,
    );
    assert!(
        e.starts_with("cannot read the keytab /no/such.keytab"),
        "{e}"
    );
    let e = error(&["id", "-r:h", "-u:a", "--password-file", "/dev/zero"], &[]);
    assert!(e.contains("/dev/zero is not a regular file"), "{e}");
    let e = error(&["id", "-r:https://h", "--cacert", "/"], &vars);
    assert!(e.contains("the CA file / is not a regular file"), "{e}");
}

#[test]
fn bad_targets_name_the_switch_and_never_echo_a_password() {
    let e = error(&["id", "-r:http://u:SECRET@h"], &[]);
    assert!(e.contains("credentials in -remote"), "{e}");
    assert!(!e.contains("SECRET"), "{e}");
    let e = error(&["id", "-r:h:99999"], &[]);
    assert!(e.contains("the port '99999' in -remote"), "{e}");
    let e = error(&["id", "-r:http://h", "-usessl"], &[]);
    assert!(e.contains("-usessl conflicts"), "{e}");
}

#[test]
fn local_verbs_plan_no_connection() {
    // A switch that would be wrong for a connection does not stop help.
    let p = plan(&["help", "auth", "-a:magic"], &[]).unwrap();
    assert!(matches!(p.verb, Verb::Help(Some(ref t)) if t == "auth"));
    assert!(p.connection.is_none());
    let p = plan(&[], &[]).unwrap();
    assert!(matches!(p.verb, Verb::Help(None)));
    let p = plan(&["helpmsg", "0x8033801A"], &[]).unwrap();
    assert!(matches!(p.verb, Verb::Helpmsg(0x8033_801A)));
}

#[test]
fn switches_become_types() {
    let vars = [("WINRM_USER", "a"), ("WINRM_PASSWORD", "b")];
    let p = plan(
        &[
            "e",
            "wmicimv2/Win32_Service",
            "-r:h",
            "-encoding:UTF-16",
            "-ReturnType:EPR",
            "-timeout:1500",
            "--max-elements",
            "7",
        ],
        &vars,
    )
    .unwrap();
    let c = p.connection.unwrap();
    assert_eq!(c.session.encoding, Encoding::Utf16);
    assert_eq!(c.session.operation_timeout.as_millis(), 1500);
    let Verb::Enumerate(_, options, None) = p.verb else {
        panic!("an enumeration")
    };
    assert_eq!(options.return_type, ReturnType::Epr);
    assert_eq!(options.max_elements, 7);
    for (bad, says) in [
        ("-encoding:latin1", "unknown encoding"),
        ("-timeout:0", "more than 0"),
        ("-ReturnType:x", "unknown -ReturnType"),
        ("-maxenvelopesize:100", "too small"),
    ] {
        let e = error(&["e", "wmicimv2/Win32_Service", "-r:h", bad], &vars);
        assert!(e.contains(says), "{bad}: {e}");
    }
}

#[test]
fn set_input_is_parsed_before_anything_is_sent() {
    let vars = [("WINRM_USER", "a"), ("WINRM_PASSWORD", "b")];
    let p = plan(
        &[
            "set",
            "winrm/config/client",
            r#"@{TrustedHosts="*"}"#,
            "-r:h",
        ],
        &vars,
    )
    .unwrap();
    let Verb::Set(_, Change::Pairs(pairs)) = p.verb else {
        panic!("a set of pairs")
    };
    assert_eq!(pairs, [("TrustedHosts".to_string(), Some("*".to_string()))]);
    let e = error(&["set", "winrm/config/client", "-r:h"], &vars);
    assert!(e.contains("set needs the new values"), "{e}");
}

#[test]
fn the_proxy_follows_the_environment_and_no_proxy() {
    let vars = [
        ("WINRM_USER", "a"),
        ("WINRM_PASSWORD", "b"),
        ("http_proxy", "http://user:pw@proxy:3128"),
        ("no_proxy", ".corp.example"),
    ];
    let proxy = |target: &str| {
        let p = plan(&["id", &format!("-r:{target}")], &vars).unwrap();
        p.connection.unwrap().targets[0]
            .proxy
            .as_ref()
            .map(|p| p.shown().to_string())
    };
    assert_eq!(proxy("srv01").as_deref(), Some("http://***@proxy:3128"));
    assert_eq!(proxy("srv01.corp.example"), None);
    let e = error(&["id", "-r:h", "-proxyaccess:ie"], &vars);
    assert!(e.contains("Windows proxy settings"), "{e}");
}

#[test]
fn several_targets_make_a_fleet_with_labels_as_written() {
    let p = plan(
        &[
            "id",
            "-r:web01, https://db01:5986",
            "-r:web01",
            "-r:[::1]:8080",
        ],
        &[],
    )
    .unwrap();
    let c = p.connection.unwrap();
    let labels: Vec<&str> = c.targets.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["web01", "https://db01:5986", "[::1]:8080"]);
    assert_eq!(c.targets[1].endpoint.url(), "https://db01:5986/wsman");
    assert_eq!(c.parallel, super::DEFAULT_PARALLEL);
    let p = plan(&["id", "-r:a,b", "--parallel", "3"], &[]).unwrap();
    assert_eq!(p.connection.unwrap().parallel, 3);
    let e = error(&["id", "-r:a,b", "--parallel", "5000"], &[]);
    assert!(e.contains("give 1 to 1024 hosts at a time"), "{e}");
}

#[test]
fn every_target_of_a_fleet_is_checked() {
    let e = error(&["id", "-r:https://a,http://b", "--pin", "sha256:00"], &[]);
    assert!(
        e.contains("--pin checks the server's TLS certificate"),
        "{e}"
    );
    let e = error(
        &[
            "id",
            "-r:https://a,b",
            &format!("--cert={}", some_file("fc.pem")),
            &format!("--key={}", some_file("fk.pem")),
        ],
        &[],
    );
    assert!(e.contains("http://b:5985/wsman is plain HTTP"), "{e}");
    let e = error(&["id", "-r:a,b:0"], &[]);
    assert!(e.contains("the port '0'"), "{e}");
    let e = error(
        &["id", "-r:a,b", "-a:kerberos", "-u:x", "--spn", "HTTP/a"],
        &[("WINRM_PASSWORD", "p")],
    );
    assert!(
        e.contains("--spn names one host's service principal"),
        "{e}"
    );
}

#[test]
fn stdin_is_read_by_one_switch_only() {
    let e = error(&["id", "-r:@-", "--password-file", "-", "-u:x"], &[]);
    assert!(
        e.contains("-r:@- and --password-file - both read stdin"),
        "{e}"
    );
    let e = error(&["exec", "-r:@-", "--powershell", "-"], &[]);
    assert!(e.contains("-r:@- and --powershell -"), "{e}");
    let e = error(
        &["exec", "-r:@-", "-u:x", "hostname"],
        &[("WINRM_PASSWORD", "p")],
    );
    assert!(e.contains("add --no-stdin"), "{e}");
}
