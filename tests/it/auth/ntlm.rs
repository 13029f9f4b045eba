//! Negotiate and NTLM against an acceptor we did not write: pyspnego, inside
//! `tests/auth/listener.py`, which checks and builds the MS-WSMV sealing
//! itself and forwards the SOAP to the simulated Windows listener.
//!
//! Needs python3 with pyspnego (and cryptography). Outside CI a developer
//! without them gets a loud skip; under CI=true a missing package fails.

use super::front::{Front, PASSWORD, available};

#[test]
fn ntlm_and_negotiate_seal_every_message_over_http() {
    if !available() {
        return;
    }
    for method in ["ntlm", "negotiate"] {
        let front = Front::start(false, 120, &[]);
        front
            .cmd(method, &["get", "wmicimv2/Win32_Service?Name=Spooler"])
            .run()
            .ok()
            .stdout_has("Name = Spooler")
            .hides(PASSWORD);
        let events = front.events();
        assert!(
            events
                .iter()
                .any(|(_, e, l)| e == "soap" && l.contains("\"sealed\": true"))
        );
        assert!(
            !events
                .iter()
                .any(|(_, e, l)| e == "soap" && l.contains("\"sealed\": false"))
        );
        assert_eq!(front.count("authenticated"), 1);
        front.assert_no_crossing();
    }
}

#[test]
fn a_hundred_pages_authenticate_exactly_once() {
    if !available() {
        return;
    }
    let front = Front::start(false, 100, &[]);
    let run = front
        .cmd(
            "negotiate",
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
    // Enumerate + 100 Pulls (the last one says EndOfSequence) at most.
    assert!(front.count("soap") >= 100);
    let conns: std::collections::BTreeSet<u64> = front
        .events()
        .iter()
        .filter(|(_, e, _)| e == "soap")
        .map(|(c, _, _)| *c)
        .collect();
    assert_eq!(conns.len(), 1, "requests spread over connections {conns:?}");
    front.assert_no_crossing();
}

#[test]
fn https_carries_the_channel_binding_and_no_sealing() {
    if !available() {
        return;
    }
    for method in ["ntlm", "negotiate"] {
        let front = Front::start(true, 120, &[]);
        front.cmd(method, &["id"]).run().ok();
        let events = front.events();
        assert!(
            events
                .iter()
                .any(|(_, e, l)| e == "soap" && l.contains("\"sealed\": false"))
        );
        assert_eq!(front.count("authenticated"), 1);
        front.assert_no_crossing();
    }
    // A server expecting another certificate's binding (a man in the
    // middle, as Strict CBT sees it) refuses us.
    let front = Front::start(true, 120, &["--wrong-binding"]);
    front.cmd("ntlm", &["id"]).run().code(3);
    assert!(front.logged("BadBindings"));
}

#[test]
fn a_wrong_password_exits_3_without_echoing_it() {
    if !available() {
        return;
    }
    let front = Front::start(false, 120, &[]);
    front
        .cmd("negotiate", &["id"])
        .env("WINRM_PASSWORD", "not-the-password")
        .run()
        .code(3)
        .stderr_has("refused the credentials")
        .hides("not-the-password");
    assert_eq!(front.count("authenticated"), 0);
}

#[test]
fn a_tampered_reply_is_refused() {
    if !available() {
        return;
    }
    let front = Front::start(false, 120, &["--tamper", "2"]);
    front
        .cmd(
            "ntlm",
            &["e", "wmicimv2/Win32_Service", "--max-elements", "10"],
        )
        .run()
        .code(5)
        .stderr_has("encrypted reply")
        .stderr_has("refused");
    assert_eq!(front.count("tampered"), 1);
}

#[test]
fn a_closed_connection_is_reauthenticated_once_for_safe_requests_only() {
    if !available() {
        return;
    }
    // A Get is safe to repeat: authenticate again on a new connection and
    // resend.
    let front = Front::start(false, 120, &["--close-after", "1"]);
    front
        .cmd("negotiate", &["get", "wmicimv2/Win32_Service?Name=Spooler"])
        .run()
        .ok()
        .stdout_has("Name = Spooler");
    assert_eq!(front.count("authenticated"), 2, "{:?}", front.events());
    front.assert_no_crossing();

    // A Pull is not: the run stops with a clear error.
    let front = Front::start(false, 120, &["--close-after", "3"]);
    front
        .cmd(
            "ntlm",
            &["e", "wmicimv2/Win32_Service", "--max-elements", "5"],
        )
        .run()
        .code(4)
        .stderr_has("closed the connection");
    assert_eq!(front.count("authenticated"), 1);
}

#[test]
fn debug_shows_sealed_envelopes_decrypted_and_no_secret() {
    if !available() {
        return;
    }
    let front = Front::start(false, 10, &[]);
    let run = front
        .cmd(
            "ntlm",
            &["get", "wmicimv2/Win32_Service?Name=Spooler", "--debug"],
        )
        .run();
    run.code(0).hides(PASSWORD);
    let trace = &run.stderr;
    assert!(trace.contains("bytes; shown decrypted below"), "{trace}");
    assert!(
        trace.contains("> (sealed on the wire; decrypted:)"),
        "{trace}"
    );
    assert!(
        trace.contains("< (sealed on the wire; decrypted:)"),
        "{trace}"
    );
    // The decrypted request is the Get itself; the reply holds the service.
    assert!(
        trace.contains("<a:Action s:mustUnderstand=\"true\">http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action>"),
        "{trace}"
    );
    assert!(trace.contains("Spooler"), "{trace}");
}

/// A server that offers raw NTLM under its own word (`WWW-Authenticate:
/// NTLM`), not inside Negotiate: `-a:ntlm` switches to that word and
/// seals as usual; `-a:negotiate` says plainly why it does not follow.
#[test]
fn ntlm_offered_as_its_own_scheme() {
    if !available() {
        return;
    }
    for https in [false, true] {
        let front = Front::start(https, 120, &["--ntlm-scheme"]);
        front
            .cmd("ntlm", &["get", "wmicimv2/Win32_Service?Name=Spooler"])
            .run()
            .ok()
            .stdout_has("Name = Spooler")
            .hides(PASSWORD);
        let events = front.events();
        assert!(
            events
                .iter()
                .any(|(_, e, l)| e == "authenticated" && l.contains("\"scheme\": \"NTLM\"")),
            "{events:?}"
        );
        if !https {
            assert!(
                events
                    .iter()
                    .any(|(_, e, l)| e == "soap" && l.contains("\"sealed\": true")),
                "{events:?}"
            );
        }
        assert_eq!(front.count("authenticated"), 1);
        front.assert_no_crossing();

        let run = front.cmd("negotiate", &["id"]).run();
        run.code(3)
            .stderr_has(
                "the server does not offer Negotiate, only NTLM on its own (it offers: NTLM",
            )
            .stderr_has("ask for NTLM by name")
            .stderr_has("hint: choose one of the methods the server offers with -a:")
            .hides(PASSWORD);
    }
}

/// A sealed upload the server turns away unread with a clear-text 413:
/// the status is reported, not as a dropped connection, and not the
/// answer's words, which anyone on the path could have written.
#[test]
fn an_early_answer_to_a_sealed_upload_gives_its_status_only() {
    if !available() {
        return;
    }
    let front = Front::start(false, 120, &["--early-413", "65536"]);
    let dir = crate::support::TempDir::new("sealed-early");
    let file = dir.write(
        "big.xml",
        format!(
            r#"<p:Big_INPUT xmlns:p="urn:big"><p:Data>{}</p:Data></p:Big_INPUT>"#,
            // Beyond what loopback's socket buffers take in at once (they
            // grow to a few MiB), so the answer comes while it is sent.
            "x".repeat(16 << 20)
        )
        .as_bytes(),
    );
    let run = front
        .cmd(
            "ntlm",
            &[
                "invoke",
                "Big",
                "urn:big/Thing",
                &format!("-file:{}", file.display()),
            ],
        )
        .run();
    // Should the kernel still have taken the whole request in, the answer
    // is an ordinary (unsealed, so refused) reply: its status only too.
    run.code(5).stderr_has("HTTP 413").hides(PASSWORD);
    if !run.stderr.contains("in clear text to a sealed request") {
        run.stderr_has("answered HTTP 413 Payload Too Large before the request was fully sent")
            .stderr_has("hint: the server will not take a request this large");
    }
    for words in ["Re-enter", "evil.example", "closed the connection"] {
        assert!(!run.stderr.contains(words), "{}", run.stderr);
    }
    assert_eq!(front.count("early-413"), 1, "{:?}", front.events());
}
