//! Whole runs of the binary, shown exactly: command line, exit code, stdout
//! and stderr of the main verbs and of the errors users meet, compared with
//! `tests/golden/cli/<case>.txt` (see `support::golden` for the few things
//! replaced before comparing). The other modules check fragments; these
//! files pin the rest, so a refactor of error reporting, argument handling
//! or verb dispatch that leaves every file alone changed nothing these
//! cases show. `SNAPSHOTS=overwrite cargo test --locked --test it snapshots`
//! rewrites them; review every diff.

use crate::support::golden::assert_run;
use crate::support::raw::{RawServer, closed_port};
use crate::support::{Cmd, Config, Listener, PASSWORD, Run, TempDir, USER};

/// A listener with four services (Spooler, WinRM, wuauserv, W32Time): the
/// full 120 would bury the layout under repetition.
fn server() -> Listener {
    Listener::start(Config {
        services: 4,
        ..Config::default()
    })
    .expect("start the listener")
}

/// `winrm ARGS` as demo over Basic, unencrypted: the usual authenticated run.
fn to(server: &Listener, args: &[&str]) -> Run {
    Cmd::to(server, args).run()
}

/// `winrm ARGS` and nothing else: no target or credentials unless ARGS
/// give them.
fn bare(args: &[&str]) -> Run {
    Cmd::new(args).run()
}

const SERVICES: &str = "wmicimv2/Win32_Service";
const HTTPS_LISTENER: &str = "winrm/config/Listener?Address=*+Transport=HTTPS";

// identify

#[test]
fn identify_unauthenticated_text() {
    let server = server();
    let url = format!("-r:{}", server.http_url());
    assert_run("identify-none-text", &bare(&["identify", &url, "-a:none"]));
}

#[test]
fn identify_unauthenticated_json() {
    let server = server();
    let url = format!("-r:{}", server.http_url());
    let run = bare(&["identify", &url, "-a:none", "-format:json"]);
    assert_run("identify-none-json", &run);
}

// get, in every format

#[test]
fn get_config_text() {
    assert_run("get-config-text", &to(&server(), &["get", "winrm/config"]));
}

#[test]
fn get_config_pretty() {
    let run = to(&server(), &["get", "winrm/config", "-format:#pretty"]);
    assert_run("get-config-pretty", &run);
}

#[test]
fn get_config_json() {
    let run = to(&server(), &["get", "winrm/config", "-format:json"]);
    assert_run("get-config-json", &run);
}

#[test]
fn get_config_table() {
    // The table's width comes from the terminal; fix it.
    let run = Cmd::to(&server(), &["get", "winrm/config", "-format:table"])
        .env("COLUMNS", "100")
        .run();
    assert_run("get-config-table", &run);
}

// set, create, delete

#[test]
fn set_with_a_hash_then_get_shows_the_value() {
    let server = server();
    let set = to(
        &server,
        &["set", "winrm/config", r#"@{MaxTimeoutms="90000"}"#],
    );
    assert_run("set-config-hash", &set);
    assert_run(
        "set-config-hash-then-get",
        &to(&server, &["get", "winrm/config"]),
    );
}

#[test]
fn create_then_delete_a_listener() {
    let server = server();
    let create = to(
        &server,
        &[
            "create",
            HTTPS_LISTENER,
            r#"@{Hostname="srv01.corp";CertificateThumbprint="0123456789ABCDEF0123456789ABCDEF01234567"}"#,
        ],
    );
    assert_run("create-listener", &create);
    let again = to(&server, &["create", HTTPS_LISTENER, r#"@{Hostname="x"}"#]);
    assert_run("create-listener-again-fault", &again);
    assert_run("delete-listener", &to(&server, &["delete", HTTPS_LISTENER]));
    let gone = to(&server, &["get", HTTPS_LISTENER]);
    assert_run("delete-listener-then-get-fault", &gone);
}

// enumerate

#[test]
fn enumerate_services_text() {
    assert_run(
        "enumerate-services-text",
        &to(&server(), &["enumerate", SERVICES]),
    );
}

#[test]
fn enumerate_services_json() {
    let run = to(&server(), &["enumerate", SERVICES, "-format:json"]);
    assert_run("enumerate-services-json", &run);
}

#[test]
fn enumerate_services_jsonl() {
    let run = to(&server(), &["enumerate", SERVICES, "-format:jsonl"]);
    assert_run("enumerate-services-jsonl", &run);
}

#[test]
fn enumerate_services_table_with_columns() {
    let run = Cmd::to(
        &server(),
        &[
            "enumerate",
            SERVICES,
            "-format:table",
            "--columns",
            "Name,State,StartMode",
        ],
    )
    .env("COLUMNS", "100")
    .run();
    assert_run("enumerate-services-table-columns", &run);
}

#[test]
fn enumerate_with_a_wql_filter() {
    let run = to(
        &server(),
        &[
            "enumerate",
            "wmicimv2/*",
            "-filter:select Name,State from Win32_Service where State='Running'",
        ],
    );
    assert_run("enumerate-wql-filter", &run);
}

#[test]
fn enumerate_with_a_wql_filter_on_a_missing_class() {
    let run = to(
        &server(),
        &[
            "enumerate",
            "wmicimv2/*",
            "-filter:select * from Win32_NoSuchClass",
        ],
    );
    assert_run("enumerate-wql-missing-class-fault", &run);
}

// invoke, helpmsg, help

#[test]
fn invoke_start_service() {
    let run = to(
        &server(),
        &[
            "invoke",
            "StartService",
            "wmicimv2/Win32_Service?Name=wuauserv",
        ],
    );
    assert_run("invoke-startservice", &run);
}

/// The method's own failure is its ReturnValue (10: already running), not
/// an error: winrm.cmd exits 0 here too.
#[test]
fn invoke_start_service_already_running() {
    let run = to(
        &server(),
        &[
            "invoke",
            "StartService",
            "wmicimv2/Win32_Service?Name=W32Time",
        ],
    );
    assert_run("invoke-startservice-already-running", &run);
}

#[test]
fn invoke_an_unknown_method() {
    let run = to(
        &server(),
        &[
            "invoke",
            "FlyToTheMoon",
            "wmicimv2/Win32_Service?Name=Spooler",
        ],
    );
    assert_run("invoke-unknown-method-fault", &run);
}

#[test]
fn helpmsg_of_a_known_code() {
    assert_run("helpmsg-known", &bare(&["helpmsg", "0x80338012"]));
}

#[test]
fn helpmsg_of_garbage() {
    assert_run("helpmsg-garbage", &bare(&["helpmsg", "garbage"]));
}

#[test]
fn help_on_exit_codes() {
    assert_run("help-exit", &bare(&["help", "exit"]));
}

// WS-Man faults

#[test]
fn fault_for_a_missing_service_text() {
    let run = to(
        &server(),
        &["get", "wmicimv2/Win32_Service?Name=NoSuchService"],
    );
    assert_run("fault-missing-service-text", &run);
}

#[test]
fn fault_for_a_missing_service_json() {
    let run = to(
        &server(),
        &[
            "get",
            "wmicimv2/Win32_Service?Name=NoSuchService",
            "-format:json",
        ],
    );
    assert_run("fault-missing-service-json", &run);
}

#[test]
fn fault_for_a_missing_service_xml() {
    let run = to(
        &server(),
        &[
            "get",
            "wmicimv2/Win32_Service?Name=NoSuchService",
            "-format:xml",
        ],
    );
    assert_run("fault-missing-service-xml", &run);
}

// usage errors (exit 2): all refused before any connection, so most need
// no server; `-r:127.0.0.1:1` would be refused if one were attempted.

#[test]
fn usage_unknown_switch() {
    assert_run(
        "usage-unknown-switch",
        &bare(&["get", "winrm/config", "-bogus"]),
    );
}

#[test]
fn usage_misspelt_switch() {
    let run = bare(&["get", "winrm/config", "-usrname:bob"]);
    assert_run("usage-misspelt-switch", &run);
}

#[test]
fn usage_unknown_auth_method() {
    let run = bare(&["identify", "-r:127.0.0.1:1", "-a:magic"]);
    assert_run("usage-bad-auth", &run);
}

/// With -format:json every error is one JSON object on stderr, usage errors
/// included.
#[test]
fn usage_unknown_switch_json() {
    let run = bare(&["get", "winrm/config", "-bogus", "-format:json"]);
    assert_run("usage-unknown-switch-json", &run);
}

#[test]
fn usage_unknown_format() {
    let run = bare(&["get", "winrm/config", "-format:yaml"]);
    assert_run("usage-bad-format", &run);
}

#[test]
fn usage_basic_without_a_user() {
    let run = Cmd::new(&["identify", "-r:127.0.0.1:1", "-a:basic", "-unencrypted"])
        .env("WINRM_PASSWORD", "x")
        .run();
    assert_run("usage-basic-without-user", &run);
}

#[test]
fn usage_basic_without_a_password() {
    let user = format!("-u:{USER}");
    let run = bare(&[
        "get",
        "winrm/config",
        "-r:127.0.0.1:1",
        &user,
        "-a:basic",
        "-unencrypted",
    ]);
    assert_run("usage-basic-without-password", &run);
}

#[test]
fn usage_bad_hash() {
    let run = bare(&["set", "winrm/config", "@{a=1}", "-r:127.0.0.1:1"]);
    assert_run("usage-bad-hash", &run);
}

#[test]
fn usage_missing_input_file() {
    let dir = TempDir::new("snapshot-file");
    let missing = dir.path().join("missing.xml");
    let file = format!("-file:{}", missing.display());
    let run = Cmd::new(&["set", "winrm/config", &file, "-r:127.0.0.1:1", "-a:none"]).run();
    assert_run("usage-missing-input-file", &run);
}

#[test]
fn basic_over_http_without_unencrypted() {
    let server = server();
    let run = Cmd::new(&[
        "get",
        "winrm/config",
        &format!("-r:{}", server.http_url()),
        &format!("-u:{USER}"),
        "-a:basic",
    ])
    .env("WINRM_PASSWORD", PASSWORD)
    .run();
    assert_run("basic-over-http-without-unencrypted", &run);
}

// below WS-Man: the network, authentication, and peers that are not WinRM

/// `winrm get winrm/config EXTRA` as demo (Basic, unencrypted) against a
/// URL where no listener is.
fn get_config_at(url: &str, extra: &[&str]) -> Run {
    Cmd::new(&["get", "winrm/config"])
        .args(extra)
        .args(&[&format!("-r:{url}"), "-u:demo", "-a:basic", "-unencrypted"])
        .env("WINRM_PASSWORD", PASSWORD)
        .run()
}

#[test]
fn connection_refused() {
    let url = format!("http://127.0.0.1:{}/wsman", closed_port());
    assert_run("connection-refused", &get_config_at(&url, &[]));
}

#[test]
fn connection_refused_json() {
    let url = format!("http://127.0.0.1:{}/wsman", closed_port());
    let run = get_config_at(&url, &["-format:json"]);
    assert_run("connection-refused-json", &run);
}

#[test]
fn wrong_password() {
    let server = server();
    let run = Cmd::to(&server, &["get", "winrm/config"])
        .env("WINRM_PASSWORD", "not-the-password")
        .run();
    assert_run("wrong-password", &run);
}

#[test]
fn wrong_password_json() {
    let server = server();
    let run = Cmd::to(&server, &["get", "winrm/config", "-format:json"])
        .env("WINRM_PASSWORD", "not-the-password")
        .run();
    assert_run("wrong-password-json", &run);
}

#[test]
fn http_500_with_a_non_soap_body() {
    let body = "<html><body><h1>Internal Server Error</h1></body></html>";
    let server = RawServer::answering("500 Internal Server Error", "text/html", body);
    assert_run("http-500-html", &get_config_at(&server.url(), &[]));
}

#[test]
fn http_500_with_no_body() {
    let server = RawServer::answering("500 Internal Server Error", "", "");
    assert_run("http-500-empty", &get_config_at(&server.url(), &[]));
}

#[test]
fn a_reply_that_is_not_ws_management() {
    let body = "<html><head><title>IIS</title></head><body>Welcome</body></html>";
    let server = RawServer::answering("200 OK", "text/html", body);
    assert_run("not-wsman-html", &get_config_at(&server.url(), &[]));
}
