//! The command line itself: both switch styles, aliases, help, helpmsg,
//! usage errors (exit 2 with a line that says what to fix), where the
//! password comes from, and the target forms `-r:` accepts.

use crate::support::{Cmd, PASSWORD, TempDir, USER, actions, listener};

#[test]
fn help_without_arguments_and_with_dash_question() {
    for args in [&[][..], &["help"], &["-?"], &["/?"]] {
        let run = Cmd::new(args).run();
        run.ok().stdout_has("Usage: winrm");
        run.stdout_has("identify");
        run.stdout_has("enumerate");
    }
    // Bare `winrm`, `help` and `--help` print the same text, topics last.
    let help = Cmd::new(&["--help"]).run();
    help.ok().stdout_has("Topics: winrm help uris | aliases");
    for args in [&[][..], &["help"]] {
        assert_eq!(Cmd::new(args).run().stdout, help.stdout, "{args:?}");
    }
}

#[test]
fn help_topics() {
    let run = Cmd::new(&["help", "input"]).run();
    run.ok();
    assert!(
        run.lines()[0].starts_with("winrm help input "),
        "{}",
        run.stdout
    );
    run.stdout_has("@{");
    // Topic names ignore case and accept switch names, as winrm.cmd's do.
    let remoting = Cmd::new(&["help", "remoting"]).run();
    assert_eq!(
        Cmd::new(&["help", "UnEncrypted"]).run().stdout,
        remoting.stdout
    );
    let unknown = Cmd::new(&["help", "nosuchtopic"]).run();
    unknown
        .code(2)
        .stderr_has("there is no help topic 'nosuchtopic'; the topics are: uris, aliases");
    assert_eq!(unknown.stdout, "");
    Cmd::new(&["help", "fromats"])
        .run()
        .code(2)
        .stderr_has("(did you mean 'formats'?)");
}

/// help.rs promises that `winrm help -R:` finds the remoting page; the
/// switch rewriting must not turn the topic into a switch first.
#[test]
fn help_topic_spelled_as_a_switch() {
    let remoting = Cmd::new(&["help", "remoting"]).run();
    for spelling in ["-R:", "-unencrypted", "/usessl"] {
        let run = Cmd::new(&["help", spelling]).run();
        run.ok();
        assert_eq!(
            run.lines().first(),
            remoting.lines().first(),
            "winrm help {spelling} shows another page"
        );
    }
}

#[test]
fn helpmsg_accepts_hex_negative_and_unsigned() {
    let runs: Vec<_> = ["0x80338012", "-2144108526", "2150858770", "0X80338012"]
        .iter()
        .map(|code| Cmd::new(&["helpmsg", code]).run())
        .collect();
    for run in &runs {
        run.ok();
        assert_eq!(run.lines()[0], "Error number:  -2144108526 0x80338012");
        assert_eq!(run.stdout, runs[0].stdout, "same number, same text");
    }
    runs[0].line("ERROR_WSMAN_DESTINATION_UNREACHABLE");
    let unknown = Cmd::new(&["helpmsg", "0x1234"]).run();
    unknown.ok().line("Error number:  4660 0x1234");
}

#[test]
fn helpmsg_garbage_is_a_usage_error() {
    for code in ["garbage", "0x", "99999999999", "0x1FFFFFFFF"] {
        Cmd::new(&["helpmsg", code])
            .run()
            .code(2)
            .stderr_has("invalid error number");
    }
}

#[test]
fn windows_only_verbs_are_refused() {
    for args in [
        &["quickconfig"][..],
        &["qc", "-q"],
        &["configsddl", "default"],
    ] {
        let run = Cmd::new(args).run();
        run.code(2).stderr_has("not available off Windows");
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn unknown_switch_names_the_switch_and_suggests() {
    Cmd::new(&["get", "winrm/config", "-bogus"])
        .run()
        .code(2)
        .stderr_has("unknown switch '-bogus'")
        .stderr_has("winrm help switches");
    Cmd::new(&["get", "winrm/config", "-usrname:bob"])
        .run()
        .code(2)
        .stderr_has("did you mean '-username'");
    // A value after '=' is taken, and never echoed in an error: it could
    // be a password.
    Cmd::new(&["id", "-p=hunter2"])
        .run()
        .code(2)
        .stderr_has("-a:none sends no credentials")
        .hides("hunter2");
    Cmd::new(&["id", "-passwrd=hunter2"])
        .run()
        .code(2)
        .stderr_has("did you mean '-password'")
        .hides("hunter2");
}

#[test]
fn switch_not_valid_for_the_verb() {
    Cmd::new(&["get", "winrm/config", "-filter:select"])
        .run()
        .code(2)
        .stderr_has("filter");
    Cmd::new(&["identify", "-fragment:x"])
        .run()
        .code(2)
        .stderr_has("fragment");
    Cmd::new(&["delete", "winrm/config/listener", "-file:x.xml"])
        .run()
        .code(2)
        .stderr_has("file");
    Cmd::new(&["get", "winrm/config", "-unencrypted:yes"])
        .run()
        .code(2)
        .stderr_has("takes no value");
    Cmd::new(&["get", "winrm/config", "-r"])
        .run()
        .code(2)
        .stderr_has("needs a value");
}

#[test]
fn bad_hash_names_the_column() {
    let run = Cmd::new(&["set", "winrm/config", "@{a=1}", "-r:127.0.0.1:1"]).run();
    run.code(2)
        .stderr_has("column 5")
        .stderr_has("double quotes");
    Cmd::new(&["set", "winrm/config", r#"@{a="1""#, "-r:127.0.0.1:1"])
        .run()
        .code(2)
        .stderr_has("column");
    Cmd::new(&["create", "winrm/config/listener", r#"@{a="1";a="2"}"#])
        .run()
        .code(2)
        .stderr_has("duplicate key 'a'");
    Cmd::new(&[
        "enumerate",
        "wmicimv2/Win32_Service",
        "-dialect:selector",
        "-filter:{State}",
    ])
    .run()
    .code(2)
    .stderr_has("column");
}

#[test]
fn other_usage_errors() {
    let cases: [(&[&str], &str); 7] = [
        (&["get", "bogus/thing"], "known alias"),
        (&["get", "winrm/config", "-format:json5"], "unknown format"),
        (&["get", "winrm/config", "-r:ftp://x"], "http://"),
        (&["get", "winrm/config", "-r:h:99999"], "port"),
        (
            &["get", "winrm/config", "-encoding:latin1", "-a:none"],
            "utf-16",
        ),
        (&["set", "winrm/config", "-a:none"], "set needs"),
        (
            &["enumerate", "wmicimv2/*", "-ReturnType:everything"],
            "objectandepr",
        ),
    ];
    for (args, fragment) in cases {
        let run = Cmd::new(args).run();
        run.code(2).stderr_has(fragment);
        assert_eq!(run.stdout, "", "{args:?}");
    }
}

#[test]
fn no_password_and_no_terminal_is_a_clear_error() {
    let run = Cmd::new(&[
        "get",
        "winrm/config",
        "-r:127.0.0.1:1",
        "-u:demo",
        "-a:basic",
        "-unencrypted",
    ])
    .run();
    run.code(2)
        .stderr_has("no password for demo")
        .stderr_has("WINRM_PASSWORD")
        .stderr_has("--password-file");
    assert!(run.elapsed.as_secs() < 10, "took {:?}", run.elapsed);
}

#[test]
fn every_auth_method_is_accepted() {
    // -a:credssp gets as far as the network (nothing listens on port 1).
    Cmd::new(&["id", "-r:127.0.0.1:1", "-a:credssp", "-u:demo"])
        .env("WINRM_PASSWORD", "x")
        .run()
        .code(4);
    // -a:certificate (any case) is supported, and asks for its files.
    Cmd::new(&["id", "-r:https://127.0.0.1:1/wsman", "-a:Certificate"])
        .run()
        .code(2)
        .stderr_has("--cert FILE --key FILE");
    Cmd::new(&["id", "-r:127.0.0.1:1", "-a:magic"])
        .run()
        .code(2)
        .stderr_has("unknown authentication method 'magic'");
    Cmd::new(&["id", "-r:127.0.0.1:1", "-a:none", "-u:demo"])
        .run()
        .code(2)
        .stderr_has("-a:none");
}

#[test]
fn basic_over_http_needs_unencrypted() {
    let server = listener();
    let run = Cmd::new(&[
        "get",
        "winrm/config",
        &format!("-r:{}", server.http_url()),
        "-u:demo",
        "-a:basic",
    ])
    .env("WINRM_PASSWORD", PASSWORD)
    .run();
    run.code(2).stderr_has("-unencrypted").hides(PASSWORD);
    assert!(server.requests().is_empty(), "nothing may be sent");
}

#[test]
fn both_switch_styles_and_mixing_reach_the_listener() {
    let server = listener();
    let url = server.http_url();
    let port = server.http_port().to_string();
    let forms: [Vec<String>; 5] = [
        vec![
            format!("-r:{url}"),
            "-u:demo".into(),
            "-a:basic".into(),
            "-unencrypted".into(),
        ],
        vec![
            "--remote".into(),
            url.clone(),
            "--username".into(),
            USER.into(),
            "--auth".into(),
            "basic".into(),
            "--unencrypted".into(),
        ],
        vec![
            format!("-REMOTE:127.0.0.1:{port}"),
            "--username=demo".into(),
            "/Auth:BASIC".into(),
            "-UN".into(),
        ],
        vec![
            format!("/r:http://127.0.0.1:{port}"),
            "-U:demo".into(),
            "-a:basic".into(),
            "/unencrypted".into(),
        ],
        vec![
            format!("-machine:http://127.0.0.1:{port}/wsman"),
            "-username:demo".into(),
            "-authentication:basic".into(),
            "--unencrypted".into(),
        ],
    ];
    let mut outputs = Vec::new();
    for form in &forms {
        let mut args = vec!["get".to_string(), "winrm/config/client".to_string()];
        args.extend(form.iter().cloned());
        let run = Cmd::new(&args).env("WINRM_PASSWORD", PASSWORD).run();
        run.ok().line("Client");
        outputs.push(run.stdout);
    }
    assert!(outputs.iter().all(|o| *o == outputs[0]), "{outputs:#?}");
    let requests = server.requests();
    assert_eq!(requests.len(), forms.len());
    for r in &requests {
        assert_eq!(r.path, "/wsman");
        assert_eq!(r.method, "POST");
    }
    // Connection switches may also stand before the verb.
    Cmd::new(&[
        &format!("-r:{url}"),
        "-u:demo",
        "-a:basic",
        "-unencrypted",
        "g",
        "winrm/config/client",
    ])
    .env("WINRM_PASSWORD", PASSWORD)
    .run()
    .ok()
    .line("Client");
}

#[test]
fn format_switch_spellings() {
    let server = listener();
    let pretty = Cmd::to(&server, &["get", "winrm/config/client", "-format:#pretty"]).run();
    pretty.ok();
    assert!(
        pretty.lines()[0].starts_with("<cfg:Client"),
        "{}",
        pretty.stdout
    );
    assert!(
        pretty.lines()[1].starts_with("  <cfg:"),
        "{}",
        pretty.stdout
    );
    for spelling in ["-f:PRETTY", "--format=pretty", "-o", "/format:#Pretty"] {
        let mut args = vec!["get", "winrm/config/client", spelling];
        if spelling == "-o" {
            args.push("pretty");
        }
        let run = Cmd::to(&server, &args).run();
        assert_eq!(run.stdout, pretty.stdout, "{spelling}");
    }
}

#[test]
fn every_verb_alias_works() {
    let server = listener();
    let listener_uri = "winrm/config/Listener?Address=*+Transport=HTTPS";
    let steps: [(&[&str], &str); 10] = [
        (&["id"], "Identify"),
        (&["g", "winrm/config/client"], "Get"),
        (
            &["s", "winrm/config/client", r#"@{TrustedHosts="a"}"#],
            "Put",
        ),
        (
            &["put", "winrm/config/client", r#"@{TrustedHosts="b"}"#],
            "Put",
        ),
        (
            &["p", "winrm/config/client", r#"@{TrustedHosts="c"}"#],
            "Put",
        ),
        (&["c", listener_uri, r#"@{Hostname="srv01"}"#], "Create"),
        (&["d", listener_uri], "Delete"),
        (&["e", "winrm/config/listener"], "Enumerate"),
        (&["enum", "winrm/config/listener"], "Enumerate"),
        (
            &["i", "StartService", "wmicimv2/Win32_Service?Name=Spooler"],
            "StartService",
        ),
    ];
    for (args, action) in steps {
        let before = server.requests().len();
        Cmd::to(&server, args).run().ok();
        let after = server.requests();
        let sent = actions(&after[before..]);
        assert_eq!(
            sent.last().map(String::as_str),
            Some(action),
            "{args:?}: {sent:?}"
        );
    }
    let client = Cmd::to(&server, &["get", "winrm/config/client"]).run();
    client.ok().line("    TrustedHosts = c");
}

/// winrm.cmd resolves the operation and its aliases ignoring case.
#[test]
fn verbs_ignore_case() {
    let server = listener();
    Cmd::to(&server, &["Identify"])
        .run()
        .ok()
        .line("IdentifyResponse");
    Cmd::to(&server, &["GET", "winrm/config/client"])
        .run()
        .ok()
        .line("Client");
    Cmd::to(&server, &["ENUM", "winrm/config/listener"])
        .run()
        .ok();
    Cmd::to(
        &server,
        &["Set", "winrm/config/client", r#"@{TrustedHosts="d"}"#],
    )
    .run()
    .ok()
    .line("    TrustedHosts = d");
}

#[test]
fn password_from_environment_or_file() {
    let server = listener();
    let from_env = Cmd::to(&server, &["get", "winrm/config/client"]).run();
    from_env.ok().hides(PASSWORD);

    let dir = TempDir::new("password");
    let file = dir.write(
        "pw",
        format!("{PASSWORD}\nignored second line\n").as_bytes(),
    );
    let url = server.http_url();
    let from_file = Cmd::new(&[
        "get",
        "winrm/config/client",
        &format!("-r:{url}"),
        "-u:demo",
        "-a:basic",
        "-unencrypted",
        "--password-file",
        file.to_str().expect("utf-8 path"),
    ])
    .run();
    from_file.ok().hides(PASSWORD);
    assert_eq!(from_file.stdout, from_env.stdout);

    // -p on the command line works too (winrm.cmd habit).
    Cmd::new(&[
        "id",
        &format!("-r:{url}"),
        "-u:demo",
        "-a:basic",
        &format!("-p:{PASSWORD}"),
        "-unencrypted",
    ])
    .run()
    .ok();
}

#[test]
fn user_from_winrm_user() {
    let server = listener();
    Cmd::new(&[
        "get",
        "winrm/config/client",
        &format!("-r:{}", server.http_url()),
        "-a:basic",
        "-unencrypted",
    ])
    .env("WINRM_USER", USER)
    .env("WINRM_PASSWORD", PASSWORD)
    .run()
    .ok()
    .line("Client");
    assert!(server.requests()[0].header("authorization").is_some());
}

/// A password named on the command line (--password-file) is more specific
/// than one exported for the whole shell, so it must win.
#[test]
fn password_file_beats_the_environment() {
    let server = listener();
    let dir = TempDir::new("password-order");
    let file = dir.write("pw", format!("{PASSWORD}\n").as_bytes());
    let run = Cmd::new(&[
        "id",
        &format!("-r:{}", server.http_url()),
        "-u:demo",
        "-a:basic",
        "-unencrypted",
        "--password-file",
        file.to_str().expect("UTF-8 path"),
    ])
    .env("WINRM_PASSWORD", "stale-password-for-another-host")
    .run();
    run.ok();
}

#[test]
fn a_password_on_the_command_line_is_never_echoed() {
    for args in [
        &["get", "bogus/thing", "-p:hunter2"][..],
        &["get", "winrm/config", "-p:hunter2", "-bogus"],
        &["get", "winrm/config", "-p:hunter2", "-r:ftp://x"],
        &["id", "-p:hunter2", "-a:none"],
    ] {
        let run = Cmd::new(args).run();
        run.code(2).hides("hunter2");
    }
}

/// winrm.cmd takes the `@{...}` hash anywhere after the operation, not only
/// after the resource URI (winrm-cmd.md §1).
#[test]
fn the_hash_may_come_anywhere_after_the_verb() {
    let server = listener();
    Cmd::to(
        &server,
        &["set", r#"@{TrustedHosts="early"}"#, "winrm/config/client"],
    )
    .run()
    .ok()
    .line("    TrustedHosts = early");
    Cmd::to(
        &server,
        &[
            "invoke",
            "StopService",
            "@{}",
            "wmicimv2/Win32_Service?Name=Spooler",
        ],
    )
    .run()
    .ok()
    .line("    ReturnValue = 0");
}

/// Verbs without input say so, instead of calling the hash a switch.
#[test]
fn input_to_a_verb_that_takes_none() {
    for verb in ["get", "delete", "enumerate"] {
        let run = Cmd::new(&[verb, "winrm/config", r#"@{a="b"}"#]).run();
        run.code(2).stderr_has("input");
        assert!(!run.stderr.contains("not a switch"), "{}", run.stderr);
    }
}

/// winrm.cmd strips the double quotes around a switch value
/// (`-filter:"select ..."`), which survive when a Windows command line is
/// pasted inside single quotes (winrm-cmd.md §1).
#[test]
fn quoted_switch_values_lose_their_quotes() {
    let server = listener();
    Cmd::to(
        &server,
        &[
            "enumerate",
            "wmicimv2/*",
            r#"-filter:"select Name from Win32_Service where Name='Spooler'""#,
        ],
    )
    .run()
    .ok()
    .line("    Name = Spooler");
}

#[test]
fn ipv6_literal_targets() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: no IPv6 loopback here");
        return;
    }
    let server = listener();
    let port = server.http_port();
    for target in [
        format!("[::1]:{port}"),
        format!("http://[::1]:{port}/wsman"),
    ] {
        Cmd::new(&["id", &format!("-r:{target}"), "-a:none"])
            .run()
            .ok()
            .line("IdentifyResponse");
    }
}

#[test]
fn basic_needs_a_user_name() {
    Cmd::new(&["id", "-r:127.0.0.1:1", "-a:basic", "-unencrypted"])
        .env("WINRM_PASSWORD", "x")
        .run()
        .code(2)
        .stderr_has("needs a user name")
        .stderr_has("WINRM_USER");
}

/// A password that starts with '-' is a value, not a switch: it reaches the
/// server and is never echoed.
#[test]
fn a_password_starting_with_a_dash_is_a_value() {
    let server = crate::support::Listener::start(crate::support::Config {
        password: "-SECRETVALUE".into(),
        ..crate::support::Config::default()
    })
    .expect("listener");
    let run = Cmd::new(&[
        "id",
        &format!("-r:{}", server.http_url()),
        "-u:demo",
        "-a:basic",
        "-unencrypted",
        "--password",
        "-SECRETVALUE",
    ])
    .run();
    run.ok().hides("SECRETVALUE");
    // The same word after --password must not be read as a winrm.cmd switch
    // either (here: the server refuses it, exit 3, nothing echoed).
    let run = Cmd::new(&[
        "id",
        &format!("-r:{}", server.http_url()),
        "-u:demo",
        "-a:basic",
        "-unencrypted",
        "--password",
        "/u:other",
    ])
    .run();
    run.code(3).hides("/u:other");
}

#[test]
fn credentials_in_the_target_are_refused_unechoed() {
    let run = Cmd::new(&["id", "-r:http://demo:SECRETVALUE@127.0.0.1:1"]).run();
    run.code(2).stderr_has("-u:USER").hides("SECRETVALUE");
}

#[test]
fn hash_keys_must_be_element_names() {
    let server = listener();
    for bad in [r#"@{a:b="1"}"#, r#"@{1x="2"}"#] {
        let run = Cmd::to(&server, &["create", "winrm/config/Listener", bad]).run();
        run.code(2).stderr_has("cannot be a property name");
    }
    assert!(
        actions(&server.requests()).is_empty(),
        "nothing may be sent for a bad body"
    );
}

#[test]
fn bad_file_bodies_are_refused_before_sending() {
    let server = listener();
    let dir = TempDir::new("bad-bodies");
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.xml", b"", "empty"),
        ("blank.xml", b" \n\t\n", "empty"),
        ("unclosed.xml", b"<x>unclosed", "not well-formed XML"),
        ("binary.xml", &[0xFF, 0x00, 0xC3, 0x28, 0x80], "not valid"),
    ];
    for (name, contents, complaint) in cases {
        let path = dir.write(name, contents);
        let file = format!("-file:{}", path.to_str().expect("UTF-8 path"));
        let run = Cmd::to(&server, &["create", "winrm/config/Listener", &file]).run();
        run.code(2).stderr_has(complaint).stderr_has(name);
    }
    assert!(actions(&server.requests()).is_empty());
}

/// Writing the output can fail locally (a full disk): exit 2 and say so,
/// not exit 1, which means the server returned a fault.
#[cfg(target_os = "linux")]
#[test]
fn a_local_write_failure_is_not_a_fault() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else {
        return;
    };
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_winrm"))
        .args(["helpmsg", "5"])
        .stdout(full)
        .output()
        .expect("run winrm");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot write the output"), "{stderr}");
}

/// Stray words are never echoed: they are often a password that lost its
/// switch (`-p: secret`, with a space), or a misspelt password option.
#[test]
fn stray_words_and_misspelt_password_options_are_not_echoed() {
    for args in [
        &[
            "get",
            "winrm/config",
            "-r:127.0.0.1:1",
            "-u:demo",
            "-a:basic",
            "-p:",
            "SECRETX",
        ][..],
        &[
            "set",
            "winrm/config",
            "-r:127.0.0.1:1",
            "-u:demo",
            "-a:basic",
            "-p:",
            "SECRETX",
        ],
        &["set", "winrm/config", "--pass", "SECRETX"],
        &["get", "winrm/config", "--PASSWORD", "-SECRETX"],
        &["get", "winrm/config", "--proxy-password", "-SECRETX"],
        &["help", "-p:SECRETX"],
        &["id", "-r:http://admin:SECRETX/x@h"],
    ] {
        let run = Cmd::new(args).run();
        run.hides("SECRETX");
    }
}

/// `help` takes one topic; switches after it are ordinary switches, and a
/// switch name as the topic finds that switch's page.
#[test]
fn help_then_switches_and_switch_topics() {
    Cmd::new(&["help", "get", "-r:h"])
        .run()
        .ok()
        .stdout_has("winrm help get");
    Cmd::new(&["help", "Enumerate", "-format:xml"])
        .run()
        .ok()
        .stdout_has("winrm help enumerate");
    Cmd::new(&["help", "-p"])
        .run()
        .ok()
        .stdout_has("winrm help auth");
    let quiet = Cmd::new(&["help", "/?"]).run();
    quiet.ok().stdout_has("Usage: winrm");
    assert!(!quiet.stdout.contains("There is no help topic"));
}

#[test]
fn empty_credentials_are_refused() {
    let server = listener();
    let url = format!("-r:{}", server.http_url());
    Cmd::new(&["id", &url, "-u:", "-a:basic", "-unencrypted"])
        .env("WINRM_PASSWORD", PASSWORD)
        .run()
        .code(2)
        .stderr_has("-u is empty");
    // An empty WINRM_PASSWORD counts as unset: no terminal, so an error.
    Cmd::new(&["id", &url, "-u:demo", "-a:basic", "-unencrypted"])
        .env("WINRM_PASSWORD", "")
        .run()
        .code(2)
        .stderr_has("no password for demo");
    assert!(actions(&server.requests()).is_empty());
}

#[test]
fn a_password_file_can_be_stdin_and_is_checked_for_other_readers() {
    use std::os::unix::fs::PermissionsExt as _;
    let server = listener();
    let url = format!("-r:{}", server.http_url());
    // `-` is stdin's first line; the rest is the remote command's stdin.
    let run = Cmd::new(&[
        "exec",
        &url,
        "-u:demo",
        "-a:basic",
        "-unencrypted",
        "--password-file",
        "-",
        "findstr",
        "r",
    ])
    .stdin(format!("{PASSWORD}\nrest\nnot\n"))
    .run();
    run.ok();
    assert_eq!(run.stdout, "rest\r\n");
    let dir = TempDir::new("pwfile");
    let file = dir.write("pw", PASSWORD.as_bytes());
    let path = file.display().to_string();
    let args = [
        "id",
        &url,
        "-u:demo",
        "-a:basic",
        "-unencrypted",
        "--password-file",
        &path,
    ];
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    Cmd::new(&args)
        .run()
        .code(0)
        .stderr_has("can be read by other users (mode 644); chmod 600 it");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let quiet = Cmd::new(&args).run();
    quiet.ok();
    assert_eq!(quiet.stderr, "");
}

#[test]
fn winrm_cmd_short_switches_take_gnu_style_values() {
    let server = listener();
    let url = server.http_url();
    for args in [
        vec![
            "get",
            "winrm/config/client",
            "-r",
            &url,
            "-u",
            "demo",
            "-a",
            "basic",
            "-un",
        ],
        vec![
            "get",
            "winrm/config/client",
            &format!("-r={url}"),
            "-u=demo",
            "-a=basic",
            "-un",
        ],
    ] {
        Cmd::new(&args)
            .env("WINRM_PASSWORD", PASSWORD)
            .run()
            .ok()
            .stdout_has("NetworkDelayms = 5000");
    }
}

#[test]
fn gnu_typos_and_verb_typos_get_one_did_you_mean() {
    Cmd::new(&["get", "winrm/config", "--fromat", "json"])
        .run()
        .code(2)
        .stderr_has("unknown switch '--fromat' (did you mean '--format'?)");
    let run = Cmd::new(&["gte", "winrm/config"]).run();
    run.code(2).stderr_has(
        "winrm: error: unknown verb 'gte' (did you mean 'get'?); the verbs are: identify, get",
    );
    assert!(!run.stderr.contains("tip:"), "{}", run.stderr);
    Cmd::new(&["enumrate", "x", "-format:json"])
        .run()
        .code(2)
        .stderr_has("\"message\":\"unknown verb 'enumrate' (did you mean 'enumerate'?)");
}
