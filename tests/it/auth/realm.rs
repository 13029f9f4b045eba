//! A throw-away MIT Kerberos realm on loopback, for the Kerberos tests:
//! Debian's krb5-kdc (`kdb5_util`, `kadmin.local`, `krb5kdc`) in a
//! temporary directory, with a random master password, a user with a
//! password, the service principal `HTTP/localhost` in a keytab for the
//! acceptor, and a krb5.conf naming the KDC's port. `krb5kdc` runs in the
//! foreground and is killed (by its own PID) when the realm drops.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::front::skip_or_fail;
use crate::support::TempDir;

/// MIT's client tools (Debian's krb5-user).
pub const KINIT: &str = "/usr/bin/kinit";
const KLIST: &str = "/usr/bin/klist";

const KDC_TOOLS: [&str; 3] = [
    "/usr/sbin/kdb5_util",
    "/usr/sbin/kadmin.local",
    "/usr/sbin/krb5kdc",
];

/// A running KDC and the files that describe its realm.
pub struct Realm {
    dir: TempDir,
    kdc: Child,
    /// The KDC's TCP (and UDP) port on 127.0.0.1.
    pub port: u16,
    /// The realm's name ([`Realm::NAME`] unless started as another).
    pub name: String,
}

impl Drop for Realm {
    fn drop(&mut self) {
        let _ = self.kdc.kill();
        let _ = self.kdc.wait();
    }
}

impl Realm {
    /// The realm's name.
    pub const NAME: &'static str = "WINRM.TEST";
    /// The user's account name.
    pub const USER: &'static str = "alice";
    /// The user's password.
    pub const PASSWORD: &'static str = "Kerb-Pa55!";
    /// Another user (a random key, in `bob.keytab`).
    pub const OTHER_USER: &'static str = "bob";

    /// Whether the KDC tools and the GSSAPI acceptor are installed; panics
    /// under CI when not.
    pub fn available() -> bool {
        if let Some(missing) = KDC_TOOLS.iter().find(|t| !Path::new(t).exists()) {
            skip_or_fail(&format!(
                "{missing} is missing (apt-get install krb5-kdc krb5-admin-server)"
            ));
            return false;
        }
        super::front::python_has(
            "gssapi, spnego, cryptography",
            "apt-get install python3-gssapi python3-cryptography; pip install pyspnego",
        )
    }

    /// Creates the realm and starts its KDC.
    pub fn start() -> Realm {
        Self::start_named(Self::NAME)
    }

    /// [`Realm::start`] for a realm of another name (with the same users
    /// and service principal).
    pub fn start_named(name: &str) -> Realm {
        let dir = TempDir::new("realm");
        let port = free_port();
        write_configuration(&dir, name, port);
        let d = dir.path().display().to_string();
        let mut master = [0u8; 24];
        getrandom::fill(&mut master).expect("random master password");
        let master: String = master.iter().map(|b| format!("{b:02x}")).collect();
        let path = dir.path();
        admin(
            path,
            "/usr/sbin/kdb5_util",
            &["create", "-s", "-r", name, "-P", &master],
        );
        let user = format!("+requires_preauth -pw {} {}", Self::PASSWORD, Self::USER);
        for query in [
            format!("addprinc {user}"),
            "addprinc -randkey HTTP/localhost".into(),
            format!("ktadd -k {d}/http.keytab HTTP/localhost"),
            // The user's own key, unchanged (-norandkey), for --keytab.
            format!("ktadd -norandkey -k {d}/alice.keytab {}", Self::USER),
            // A second user, for a cache collection holding two.
            format!("addprinc -randkey {}", Self::OTHER_USER),
            format!("ktadd -k {d}/bob.keytab {}", Self::OTHER_USER),
        ] {
            admin(path, "/usr/sbin/kadmin.local", &["-r", name, "-q", &query]);
        }
        // A port free a moment ago may have been taken since (by another
        // test's KDC or listener): krb5kdc then runs with one socket, and
        // a connect check would reach the other process. Only a KDC that
        // logged both of its sockets is ours; else try another port.
        let mut port = port;
        for _ in 0..5 {
            let logged = std::fs::read_to_string(path.join("kdc.log"))
                .unwrap_or_default()
                .len();
            let mut kdc = command(path, "/usr/sbin/krb5kdc")
                .args(["-n", "-r", name, "-P"])
                .arg(path.join("kdc.pid"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start krb5kdc");
            let started = Instant::now();
            let log = loop {
                let log = std::fs::read_to_string(path.join("kdc.log")).unwrap_or_default();
                let fresh = log.get(logged..).unwrap_or_default().to_string();
                if fresh.contains("commencing operation")
                    || kdc.try_wait().is_ok_and(|s| s.is_some())
                {
                    break fresh;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(20),
                    "krb5kdc did not start on port {port}: {fresh}"
                );
                std::thread::sleep(Duration::from_millis(50));
            };
            let alive = kdc.try_wait().is_ok_and(|s| s.is_none());
            if alive
                && log.contains("set up 2 sockets")
                && TcpStream::connect(("127.0.0.1", port)).is_ok()
            {
                return Realm {
                    dir,
                    kdc,
                    port,
                    name: name.to_string(),
                };
            }
            let _ = kdc.kill();
            let _ = kdc.wait();
            port = free_port();
            write_configuration(&dir, name, port);
        }
        panic!(
            "krb5kdc found no free port: {}",
            std::fs::read_to_string(path.join("kdc.log")).unwrap_or_default()
        );
    }

    /// The generated krb5.conf (for KRB5_CONFIG).
    pub fn krb5_conf(&self) -> PathBuf {
        self.dir.path().join("krb5.conf")
    }

    /// A krb5.conf naming this realm with its KDC at `port` instead.
    pub fn krb5_conf_with_kdc_port(&self, port: u16) -> PathBuf {
        self.dir.write(
            &format!("krb5-{port}.conf"),
            krb5_conf(&self.name, port).as_bytes(),
        )
    }

    /// The acceptor's keytab (HTTP/localhost).
    pub fn service_keytab(&self) -> PathBuf {
        self.dir.path().join("http.keytab")
    }

    /// The user's keytab (kadmin.local ktadd -norandkey).
    pub fn user_keytab(&self) -> PathBuf {
        self.dir.path().join("alice.keytab")
    }

    /// `REALM\user`.
    pub fn user(&self) -> String {
        format!("{}\\{}", self.name, Self::USER)
    }

    /// `kinit` as `user` (from its keytab) into the credential cache
    /// `cache` (`FILE:...`, `DIR:...`, `KEYRING:...`), asking for
    /// `lifetime` (kinit's `-l`) when given. `Err` carries kinit's words.
    pub fn kinit(&self, user: &str, cache: &str, lifetime: Option<&str>) -> Result<(), String> {
        self.kinit_with(user, &self.krb5_conf(), Some(cache), lifetime)
    }

    /// [`Realm::kinit`] with another krb5.conf, and into the default cache
    /// it names when `cache` is `None`.
    pub fn kinit_with(
        &self,
        user: &str,
        krb5_conf: &Path,
        cache: Option<&str>,
        lifetime: Option<&str>,
    ) -> Result<(), String> {
        let keytab = self.dir.path().join(format!("{user}.keytab"));
        let mut cmd = Command::new(KINIT);
        cmd.env_clear().env("KRB5_CONFIG", krb5_conf);
        if let Some(cache) = cache {
            cmd.env("KRB5CCNAME", cache);
        }
        cmd.stdin(Stdio::null()).arg("-k").arg("-t").arg(&keytab);
        if let Some(lifetime) = lifetime {
            cmd.args(["-l", lifetime]);
        }
        let out = cmd
            .arg(format!("{user}@{}", self.name))
            .output()
            .map_err(|e| format!("run {KINIT}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// Whether `klist -s` finds a valid ticket in `cache`.
    pub fn has_valid_ticket(&self, cache: &str) -> bool {
        Command::new(KLIST)
            .env_clear()
            .env("KRB5_CONFIG", self.krb5_conf())
            .env("KRB5CCNAME", cache)
            .arg("-s")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// A scratch directory inside the realm's, for caches.
    pub fn scratch(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(&path).expect("scratch directory");
        path
    }

    /// What the KDC logged (for failure messages and assertions).
    pub fn kdc_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("kdc.log")).unwrap_or_default()
    }
}

/// The client's krb5.conf and the KDC's kdc.conf for `name` on `port`.
fn write_configuration(dir: &TempDir, name: &str, port: u16) {
    let d = dir.path().display().to_string();
    dir.write("krb5.conf", krb5_conf(name, port).as_bytes());
    let kdc_conf = format!(
        // kdc_listen (MIT 1.15+) takes an address: loopback only, never
        // every interface as kdc_ports would.
        "[kdcdefaults]\n  kdc_listen = 127.0.0.1:{port}\n  kdc_tcp_listen = 127.0.0.1:{port}\n\
         [realms]\n  {name} = {{\n    database_name = {d}/principal\n    \
         key_stash_file = {d}/stash\n    acl_file = {d}/kadm5.acl\n  }}\n\
         [logging]\n  kdc = FILE:{d}/kdc.log\n"
    );
    dir.write("kdc.conf", kdc_conf.as_bytes());
}

/// A KDC tool with the realm's configuration files.
fn command(dir: &Path, program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("KRB5_CONFIG", dir.join("krb5.conf"))
        .env("KRB5_KDC_PROFILE", dir.join("kdc.conf"))
        .stdin(Stdio::null());
    cmd
}

/// Runs a KDC tool to completion; the test fails if it does.
fn admin(dir: &Path, program: &str, args: &[&str]) {
    let out = command(dir, program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {} failed: {}",
        args.first().unwrap_or(&""),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn krb5_conf(realm: &str, port: u16) -> String {
    format!(
        "[libdefaults]\n  default_realm = {realm}\n  dns_lookup_realm = false\n  \
         dns_lookup_kdc = false\n  rdns = false\n  udp_preference_limit = 1\n\
         [realms]\n  {realm} = {{\n    kdc = 127.0.0.1:{port}\n  }}\n\
         [domain_realm]\n  localhost = {realm}\n",
    )
}

/// A TCP port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
