//! What every test module shares: the built `winrm` binary run with a
//! scrubbed environment ([`Cmd`]), the captured fixtures under
//! `tests/fixtures`, the simulated Windows listener, and tiny raw TCP
//! servers for peers that misbehave ([`raw`]), an HTTPS peer with crafted
//! certificates ([`tls_peer`]), an HTTP CONNECT proxy
//! ([`proxy`]), and golden files with `SNAPSHOTS=overwrite` ([`golden`]).

pub mod golden;
pub mod proxy;
pub mod raw;
pub mod replay;
pub mod tls_peer;

#[path = "../../listener/mod.rs"]
#[allow(dead_code, unused_imports)]
mod listener;

pub use listener::{Behaviour, Config, DigestConfig, Fleet, Listener, Recorded};

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The user and password every [`Listener`] accepts by default.
pub const USER: &str = "demo";
/// See [`USER`].
pub const PASSWORD: &str = "demo-pass";

/// util-linux's setsid(1), on every Debian system.
const SETSID: &str = "/usr/bin/setsid";

/// The longest any one run of the binary may take before the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(40);

/// Where the fixture files live: in the repository, so a clone stands alone.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

/// The bytes of one fixture, by path relative to the fixtures folder.
#[track_caller]
pub fn fixture(relative: &str) -> Vec<u8> {
    let path = fixtures_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// Every file under the fixtures folder, sorted, as paths relative to it.
pub fn all_fixtures() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if let Ok(rel) = path.strip_prefix(base) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let base = fixtures_dir();
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.sort();
    out
}

/// A scratch directory unique to one test, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory named after `tag`.
    pub fn new(tag: &str) -> TempDir {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("winrm-it-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to `name` inside the directory, readable by its
    /// owner only (as a password file should be); returns its path.
    pub fn write(&self, name: &str, contents: &[u8]) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write temp file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .expect("chmod temp file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One run of the `winrm` binary: arguments, and the only environment it
/// gets (PATH plus what the test adds). Stdin is null unless the test gives
/// bytes for it, so a prompt can never hang a test.
#[derive(Debug, Clone)]
pub struct Cmd {
    args: Vec<OsString>,
    env: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
    program: Option<PathBuf>,
}

impl Cmd {
    /// `winrm ARGS...`.
    pub fn new<S: AsRef<str>>(args: &[S]) -> Cmd {
        Cmd {
            args: args.iter().map(|a| OsString::from(a.as_ref())).collect(),
            env: Vec::new(),
            stdin: None,
            program: None,
        }
    }

    /// `winrm ARGS... -r:URL -u:demo -a:basic -unencrypted` with the
    /// listener's password in `WINRM_PASSWORD`: the usual way tests reach
    /// a listener (which speaks Basic only).
    pub fn to<S: AsRef<str>>(listener: &Listener, args: &[S]) -> Cmd {
        let url = listener.http_url();
        Cmd::new(args)
            .args(&[
                format!("-r:{url}"),
                format!("-u:{USER}"),
                "-a:basic".into(),
                "-unencrypted".into(),
            ])
            .env("WINRM_PASSWORD", PASSWORD)
    }

    /// Appends arguments.
    pub fn args<S: AsRef<str>>(mut self, args: &[S]) -> Cmd {
        self.args
            .extend(args.iter().map(|a| OsString::from(a.as_ref())));
        self
    }

    /// Feeds `bytes` to the run's stdin (through a pipe, closed after).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Cmd {
        self.stdin = Some(bytes.into());
        self
    }

    /// Runs the binary under another path (a link named `winrs`).
    pub fn program(mut self, path: &Path) -> Cmd {
        self.program = Some(path.to_path_buf());
        self
    }

    /// Adds one environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Cmd {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }

    fn command(&self) -> Command {
        let program = self
            .program
            .clone()
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_winrm")));
        // In a session of its own (setsid execs in place: same pid), so
        // the run has no controlling terminal: a password prompt, which
        // would use /dev/tty, must never wait on the developer's.
        let mut command = if Path::new(SETSID).exists() {
            let mut c = Command::new(SETSID);
            c.arg(program);
            c
        } else {
            Command::new(program)
        };
        let stdin = if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        command.args(&self.args).env_clear().stdin(stdin);
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        // A run given no Kerberos setting of its own gets a cache that
        // cannot exist: a ticket the developer got with kinit would make
        // a run without -u or -a log on with it.
        if !self.env.iter().any(|(k, _)| k.starts_with("KRB5")) {
            command.env("KRB5CCNAME", "FILE:/nonexistent/winrm-tests-no-ticket");
        }
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command
    }

    /// Starts the process with stdout and stderr piped, for tests that read
    /// the output as it streams.
    pub fn spawn(&self) -> Child {
        let mut child = self
            .command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start winrm");
        if let (Some(bytes), Some(mut pipe)) = (self.stdin.clone(), child.stdin.take()) {
            // A thread, so a large input cannot block against a full
            // stdout pipe; dropping the pipe is the end of file.
            std::thread::spawn(move || {
                let _ = std::io::Write::write_all(&mut pipe, &bytes);
            });
        }
        child
    }

    /// Starts the process with stdin, stdout and stderr piped, and hands
    /// stdin to the test to write (the bytes given to [`Cmd::stdin`] are
    /// not sent).
    pub fn spawn_with_stdin(&self) -> Child {
        self.command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start winrm")
    }

    /// Runs to completion under a small Python parent that reads the
    /// run's peak resident memory (`getrusage` of its children, in KiB),
    /// which the standard library cannot. `None`, with a note, when there
    /// is no python3 on PATH.
    #[track_caller]
    pub fn run_measuring_memory(&self) -> Option<(Run, u64)> {
        const PARENT: &str = "import resource, subprocess, sys\n\
                              code = subprocess.run(sys.argv[2:]).returncode\n\
                              peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n\
                              open(sys.argv[1], 'w').write(str(peak))\n\
                              sys.exit(code if code >= 0 else 128 - code)\n";
        let Some(python) = std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("python3"))
                .find(|p| p.is_file())
        }) else {
            eprintln!("note: no python3 on PATH, so peak memory is not measured");
            return None;
        };
        let dir = TempDir::new("rss");
        let report = dir.path().join("peak-kib");
        let program = self
            .program
            .clone()
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_winrm")));
        let mut measured = self.clone();
        measured.program = Some(python);
        measured.args = [
            OsString::from("-c"),
            PARENT.into(),
            report.clone().into(),
            program.into(),
        ]
        .into_iter()
        .chain(self.args.iter().cloned())
        .collect();
        let mut run = measured.run();
        run.args = self
            .args
            .iter()
            .map(|a| a.to_string_lossy().into())
            .collect();
        let peak = std::fs::read_to_string(&report)
            .expect("the measuring parent wrote the peak")
            .trim()
            .parse()
            .expect("a number of KiB");
        Some((run, peak))
    }

    /// Runs to completion (killed, and the test failed, after 40 s).
    #[track_caller]
    pub fn run(&self) -> Run {
        let started = Instant::now();
        let mut child = self.spawn();
        let stdout = reader(child.stdout.take());
        let stderr = reader(child.stderr.take());
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for winrm") {
                break status;
            }
            if started.elapsed() > RUN_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("winrm {:?} still running after {RUN_LIMIT:?}", self.args);
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        Run {
            args: self
                .args
                .iter()
                .map(|a| a.to_string_lossy().into())
                .collect(),
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
            code: status.code(),
            elapsed: started.elapsed(),
        }
    }
}

fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// What a finished run produced.
#[derive(Debug)]
pub struct Run {
    /// The arguments, for failure messages.
    pub args: Vec<String>,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
    /// The exit code (None if killed by a signal).
    pub code: Option<i32>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl Run {
    fn context(&self) -> String {
        format!(
            "winrm {:?}\n--- exit {:?}\n--- stdout\n{}--- stderr\n{}---",
            self.args, self.code, self.stdout, self.stderr
        )
    }

    /// Asserts the exit code.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(expected),
            "unexpected exit code\n{}",
            self.context()
        );
        self
    }

    /// Asserts exit code 0 and an empty stderr.
    #[track_caller]
    pub fn ok(&self) -> &Run {
        self.code(0);
        assert_eq!(
            self.stderr,
            "",
            "stderr should be empty\n{}",
            self.context()
        );
        self
    }

    /// Stdout lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// Asserts stdout has exactly this line.
    #[track_caller]
    pub fn line(&self, line: &str) -> &Run {
        assert!(
            self.stdout.lines().any(|l| l == line),
            "stdout lacks the line {line:?}\n{}",
            self.context()
        );
        self
    }

    /// Asserts stdout contains `fragment`.
    #[track_caller]
    pub fn stdout_has(&self, fragment: &str) -> &Run {
        assert!(
            self.stdout.contains(fragment),
            "stdout lacks {fragment:?}\n{}",
            self.context()
        );
        self
    }

    /// Asserts stderr contains `fragment`, ignoring ASCII case.
    #[track_caller]
    pub fn stderr_has(&self, fragment: &str) -> &Run {
        assert!(
            self.stderr
                .to_ascii_lowercase()
                .contains(&fragment.to_ascii_lowercase()),
            "stderr lacks {fragment:?}\n{}",
            self.context()
        );
        self
    }

    /// Asserts stderr has exactly this line.
    #[track_caller]
    pub fn stderr_line(&self, line: &str) -> &Run {
        assert!(
            self.stderr.lines().any(|l| l == line),
            "stderr lacks the line {line:?}\n{}",
            self.context()
        );
        self
    }

    /// Asserts `secret` appears in neither stdout nor stderr.
    #[track_caller]
    pub fn hides(&self, secret: &str) -> &Run {
        assert!(
            !self.stdout.contains(secret) && !self.stderr.contains(secret),
            "the output shows {secret:?}\n{}",
            self.context()
        );
        self
    }
}

/// A listener with the default configuration (120 services, HTTP only).
pub fn listener() -> Listener {
    Listener::start(Config::default()).expect("start the listener")
}

/// A listener with HTTPS as well.
pub fn https_listener() -> Listener {
    Listener::start(Config {
        https: true,
        ..Config::default()
    })
    .expect("start the HTTPS listener")
}

/// The recorded requests whose action ends with `/name` (Get, Put, Pull...).
pub fn with_action<'a>(requests: &'a [Recorded], name: &str) -> Vec<&'a Recorded> {
    let suffix = format!("/{name}");
    requests
        .iter()
        .filter(|r| r.action.as_deref().is_some_and(|a| a.ends_with(&suffix)))
        .collect()
}

/// The local names of the recorded actions, in order (`Get`, `Put`, ...;
/// `Identify` for a request without one).
pub fn actions(requests: &[Recorded]) -> Vec<String> {
    requests
        .iter()
        .map(|r| match &r.action {
            Some(a) => a.rsplit('/').next().unwrap_or(a).to_string(),
            None if r.body.contains("Identify") => "Identify".into(),
            None => "?".into(),
        })
        .collect()
}
