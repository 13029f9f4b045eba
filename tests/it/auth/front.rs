//! The authenticating front (`tests/auth/listener.py`) and the simulated
//! Windows listener behind it, as the authentication tests start them. Its
//! log says which TCP connection carried each handshake leg and each
//! request.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::realm::Realm;
use crate::support::{Cmd, Config, Listener, TempDir};

/// The NTLM user the front accepts (from its NTLM_USER_FILE).
pub const USER: &str = "CORP\\alice";
/// Its password.
pub const PASSWORD: &str = "Pa55-word!";
/// Debian's python, where python3-gssapi lives.
pub const PYTHON: &str = "/usr/bin/python3";

/// Whether `modules` import in [`PYTHON`]; panics under CI when not, and
/// says loudly that the test is skipped otherwise.
pub fn python_has(modules: &str, install: &str) -> bool {
    let ok = Command::new(PYTHON)
        .args(["-c", &format!("import {modules}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        skip_or_fail(&format!("{PYTHON} lacks {modules} ({install})"));
    }
    ok
}

/// Under CI a missing tool is a failure; elsewhere, a loud skip.
pub fn skip_or_fail(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what}; .ci/run must install it");
    }
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED auth test: {what} ***\n");
}

/// Whether the NTLM acceptor's packages are here.
pub fn available() -> bool {
    python_has(
        "spnego, cryptography",
        "apt-get install python3-cryptography python3-pip; pip install pyspnego",
    )
}

/// Who the client authenticates as, and the environment it needs.
#[derive(Debug, Clone)]
pub struct Client {
    /// `-u:` value.
    pub user: String,
    /// `WINRM_PASSWORD`.
    pub password: String,
    /// The host name in `-r:`.
    pub host: String,
    /// Extra environment (KRB5_CONFIG).
    pub env: Vec<(String, String)>,
}

/// The Python front and the Rust backend behind it.
pub struct Front {
    child: Child,
    pub port: u16,
    log: PathBuf,
    https: bool,
    pub dir: TempDir,
    client: Client,
    _backend: Listener,
}

impl Drop for Front {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throw-away CA and a certificate it signs for `names`, as PEM files
/// (`<tag>-ca.pem`, `<tag>-cert.pem`, `<tag>-key.pem`).
pub fn certificates(dir: &TempDir, tag: &str, names: &[&str]) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    // Distinct subject names: OpenSSL takes a leaf whose subject equals
    // its issuer for a self-signed certificate.
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, format!("{tag} test CA"));
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut leaf = rcgen::CertificateParams::new(names.clone()).unwrap();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, names.join(" "));
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    (
        dir.write(&format!("{tag}-ca.pem"), ca_cert.pem().as_bytes()),
        dir.write(&format!("{tag}-cert.pem"), cert.pem().as_bytes()),
        dir.write(&format!("{tag}-key.pem"), key.serialize_pem().as_bytes()),
    )
}

impl Front {
    /// NTLM/Negotiate through pyspnego, reached as 127.0.0.1 (HTTP) or
    /// localhost (HTTPS).
    pub fn start(https: bool, services: usize, extra: &[&str]) -> Front {
        let client = Client {
            user: USER.into(),
            password: PASSWORD.into(),
            host: if https { "localhost" } else { "127.0.0.1" }.into(),
            env: Vec::new(),
        };
        Self::launch(https, services, extra, client, &[])
    }

    /// CredSSP through pyspnego's acceptor (NTLM inside), reached as
    /// 127.0.0.1 (HTTP) or localhost (HTTPS).
    pub fn credssp(https: bool, services: usize, extra: &[&str]) -> Front {
        let client = Client {
            user: USER.into(),
            password: PASSWORD.into(),
            host: if https { "localhost" } else { "127.0.0.1" }.into(),
            env: Vec::new(),
        };
        let mut all = vec!["--credssp"];
        all.extend_from_slice(extra);
        Self::launch(https, services, &all, client, &[])
    }

    /// Kerberos and SPNEGO through MIT GSSAPI, with the acceptor key from
    /// `realm`'s keytab, reached as `localhost`.
    pub fn kerberos(realm: &Realm, https: bool, services: usize, extra: &[&str]) -> Front {
        let conf = realm.krb5_conf().display().to_string();
        let client = Client {
            user: realm.user(),
            password: Realm::PASSWORD.into(),
            host: "localhost".into(),
            env: vec![("KRB5_CONFIG".into(), conf.clone())],
        };
        let mut all = vec!["--kerberos"];
        all.extend_from_slice(extra);
        let keytab = realm.service_keytab().display().to_string();
        let env = [
            ("KRB5_CONFIG", conf.as_str()),
            ("KRB5_KTNAME", keytab.as_str()),
        ];
        Self::launch(https, services, &all, client, &env)
    }

    fn launch(
        https: bool,
        services: usize,
        extra: &[&str],
        client: Client,
        env: &[(&str, &str)],
    ) -> Front {
        let backend = Listener::start(Config {
            services,
            ..Config::default()
        })
        .expect("start the backend");
        let dir = TempDir::new("auth");
        let users = dir.write("users", format!("CORP:alice:{PASSWORD}\n").as_bytes());
        let ready = dir.path().join("ready");
        let log = dir.write("log", b"");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/auth/listener.py");
        let mut cmd = Command::new(PYTHON);
        cmd.arg(script)
            .arg("--backend")
            .arg(backend.http_url())
            .arg("--ready-file")
            .arg(&ready)
            .arg("--log")
            .arg(&log)
            .args(extra)
            .env("NTLM_USER_FILE", &users)
            .stdout(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        if https {
            let (_, cert, key) = certificates(&dir, "server", &["localhost"]);
            cmd.arg("--cert").arg(cert).arg("--key").arg(key);
        }
        let child = cmd.spawn().expect("start listener.py");
        let port = wait_for_port(&ready, "listener.py");
        Front {
            child,
            port,
            log,
            https,
            dir,
            client,
            _backend: backend,
        }
    }

    /// The endpoint URL.
    pub fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}:{}/wsman", self.client.host, self.port)
    }

    /// `winrm ARGS -r:URL -u:USER -a:METHOD` with the password set.
    pub fn cmd(&self, method: &str, args: &[&str]) -> Cmd {
        self.cmd_as(method, &self.client.user, args)
    }

    /// [`Front::cmd`] as another user.
    pub fn cmd_as(&self, method: &str, user: &str, args: &[&str]) -> Cmd {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend([
            format!("-r:{}", self.url()),
            format!("-u:{user}"),
            format!("-a:{method}"),
        ]);
        if self.https {
            all.push("--cacert".into());
            all.push(self.dir.path().join("server-ca.pem").display().to_string());
        }
        let mut cmd = Cmd::new(&all).env("WINRM_PASSWORD", &self.client.password);
        for (k, v) in &self.client.env {
            cmd = cmd.env(k, v);
        }
        cmd
    }

    /// `winrm ARGS -r:URL -a:METHOD` with no user and no password: single
    /// sign-on from the credential cache `cache` (KRB5CCNAME).
    pub fn cmd_sso(&self, method: &str, cache: &str, args: &[&str]) -> Cmd {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.push(format!("-r:{}", self.url()));
        if !method.is_empty() {
            all.push(format!("-a:{method}"));
        }
        if self.https {
            all.push("--cacert".into());
            all.push(self.dir.path().join("server-ca.pem").display().to_string());
        }
        let mut cmd = Cmd::new(&all).env("KRB5CCNAME", cache);
        // `WINRM_GSSAPI_LIBRARY=libgssapi.so.3 cargo test ticket_cache`
        // runs these against Heimdal instead of MIT (its FILE caches;
        // Heimdal reads no MIT DIR or KEYRING collection).
        if let Ok(library) = std::env::var("WINRM_GSSAPI_LIBRARY") {
            cmd = cmd.env("WINRM_GSSAPI_LIBRARY", &library);
        }
        for (k, v) in &self.client.env {
            cmd = cmd.env(k, v);
        }
        cmd
    }

    /// `winrm exec` with the front's switches first, then `command`: what
    /// follows the command word is the remote command's.
    pub fn exec(&self, method: &str, command: &[&str]) -> Cmd {
        let mut all = vec![
            "exec".to_string(),
            format!("-r:{}", self.url()),
            format!("-u:{}", self.client.user),
            format!("-a:{method}"),
        ];
        if self.https {
            all.push("--cacert".into());
            all.push(self.dir.path().join("server-ca.pem").display().to_string());
        }
        all.extend(command.iter().map(|s| s.to_string()));
        let mut cmd = Cmd::new(&all).env("WINRM_PASSWORD", &self.client.password);
        for (k, v) in &self.client.env {
            cmd = cmd.env(k, v);
        }
        cmd
    }

    /// (connection, event, line) for every logged event.
    pub fn events(&self) -> Vec<(u64, String, String)> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .map(|line| {
                let field = |name: &str| {
                    let key = format!("\"{name}\": ");
                    let at = line.find(&key).map(|i| i + key.len()).unwrap_or(line.len());
                    let rest = line[at..].trim_start_matches('"');
                    let end = rest.find(['"', ',', '}']).unwrap_or(rest.len());
                    rest[..end].to_string()
                };
                (
                    field("conn").parse().unwrap_or(0),
                    field("event"),
                    line.to_string(),
                )
            })
            .collect()
    }

    /// How many events of this kind were logged.
    pub fn count(&self, event: &str) -> usize {
        self.events().iter().filter(|(_, e, _)| e == event).count()
    }

    /// Whether any logged line contains `text`.
    pub fn logged(&self, text: &str) -> bool {
        self.events().iter().any(|(_, _, l)| l.contains(text))
    }

    /// Every handshake leg travelled on the connection that then carried
    /// its requests.
    pub fn assert_no_crossing(&self) {
        let events = self.events();
        for (conn, event, line) in &events {
            if event == "soap" {
                assert!(
                    events
                        .iter()
                        .any(|(c, e, _)| c == conn && e == "authenticated"),
                    "a request on a connection that never authenticated: {line}"
                );
            }
            if event == "authenticated" {
                let legs = events
                    .iter()
                    .filter(|(c, e, _)| c == conn && e == "leg")
                    .count();
                assert!(legs >= 1, "authenticated without legs on connection {conn}");
            }
        }
    }
}

/// Waits (20 s at most) for a helper to write its port into `ready`.
pub fn wait_for_port(ready: &Path, what: &str) -> u16 {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(ready)
            && let Ok(port) = text.trim().parse()
        {
            return port;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
