//! `cargo run --example listener -- [options]`: a simulated Windows WinRM
//! service for trying the client without a Windows host. Prints where it
//! listens and serves until killed. With `--endpoints N` it is a whole
//! fleet instead: N simulated hosts, one HTTP port each, some of which can
//! be told to misbehave.

#[path = "mod.rs"]
mod listener;

use std::process::ExitCode;
use std::time::Duration;

use listener::{Behaviour, Fleet};

const USAGE: &str = "\
usage: listener [--port N] [--https-port N] [--services N] [--user U] [--password P]
                [--machine NAME] [--ready-file PATH] [--targets-file PATH]
                [--shell-tick-ms N] [--delay-ms N]
       listener --endpoints N [--port N] [--machine PREFIX] [--slow K] [--slow-ms N]
                [--wrong-password K] [--fault K] [--stall K] [--dead K] [...]
Ports default to 5985 (HTTP) and 5986 (HTTPS); 0 picks a free port.
WinRS shells (winrm exec) run scripted commands; --shell-tick-ms sets the
length of their second (ping, timeout), 1000 by default. --delay-ms holds
every reply that long.
--endpoints N serves N simulated hosts over HTTP on 127.0.0.1, on ports
--port, --port + 1, ... (free ones with --port 0), named PREFIX-0001,
PREFIX-0002, ... (PREFIX: --machine, WIN by default). The last of them
misbehave, in this order: --slow K answer after --slow-ms (1000),
--wrong-password K refuse the password (401), --fault K answer every
request with Access is denied, --stall K accept and never answer, --dead K
refuse connections. --targets-file and --ready-file get their URLs, one per
line (for winrm -r:@PATH), once all of them serve.";

/// How many endpoints of each misbehaviour `--endpoints` mode serves.
#[derive(Default)]
struct Mix {
    slow: usize,
    wrong_password: usize,
    fault: usize,
    stall: usize,
    dead: usize,
}

struct Args {
    port: u16,
    https_port: u16,
    /// `--https-port` given explicitly (refused with `--endpoints`).
    https_port_set: bool,
    ready_file: Option<String>,
    targets_file: Option<String>,
    /// Machine name given explicitly (otherwise a fleet's prefix is WIN).
    machine_set: bool,
    endpoints: Option<usize>,
    mix: Mix,
    slow_ms: u64,
    config: listener::Config,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 5985,
        https_port: 5986,
        https_port_set: false,
        ready_file: None,
        targets_file: None,
        machine_set: false,
        endpoints: None,
        mix: Mix::default(),
        slow_ms: 1000,
        config: listener::Config {
            https: true,
            ..listener::Config::default()
        },
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<u16>()
                .map_err(|_| format!("{flag}: '{v}' is not a port number"))
        };
        let count = |v: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: '{v}' is not a number"))
        };
        let millis = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: '{v}' is not a number of milliseconds"))
        };
        match flag.as_str() {
            "--port" => args.port = number(&value)?,
            "--https-port" => {
                args.https_port = number(&value)?;
                args.https_port_set = true;
            }
            "--services" => args.config.services = count(&value)?,
            "--user" => args.config.user = value,
            "--password" => args.config.password = value,
            "--machine" => {
                args.config.machine = value;
                args.machine_set = true;
            }
            "--ready-file" => args.ready_file = Some(value),
            "--targets-file" => args.targets_file = Some(value),
            "--shell-tick-ms" => {
                args.config.shell_tick = Duration::from_millis(millis(&value)?);
            }
            "--delay-ms" => args.config.reply_delay = Duration::from_millis(millis(&value)?),
            "--endpoints" => match count(&value)? {
                0 => return Err("--endpoints: give at least 1".into()),
                n => args.endpoints = Some(n),
            },
            "--slow" => args.mix.slow = count(&value)?,
            "--slow-ms" => args.slow_ms = millis(&value)?,
            "--wrong-password" => args.mix.wrong_password = count(&value)?,
            "--fault" => args.mix.fault = count(&value)?,
            "--stall" => args.mix.stall = count(&value)?,
            "--dead" => args.mix.dead = count(&value)?,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    let m = &args.mix;
    let misbehaving = m.slow + m.wrong_password + m.fault + m.stall + m.dead;
    match args.endpoints {
        None if misbehaving > 0 => {
            return Err(
                "--slow, --wrong-password, --fault, --stall and --dead need --endpoints N".into(),
            );
        }
        Some(n) if misbehaving > n => {
            return Err(format!(
                "{misbehaving} misbehaving endpoints asked for, but --endpoints is {n}"
            ));
        }
        Some(_) if args.https_port_set => {
            return Err("--https-port: the endpoints of --endpoints serve HTTP only".into());
        }
        _ => {}
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(if e.is_empty() { 0 } else { 2 });
        }
    };
    // Whichever serves, kept alive until the process is killed.
    let served: Result<Box<dyn std::any::Any>, String> = match args.endpoints {
        Some(n) => serve_fleet(&args, n).map(|f| Box::new(f) as _),
        None => serve_one(&args).map(|l| Box::new(l) as _),
    };
    match served {
        Ok(_serving) => loop {
            std::thread::park();
        },
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// One simulated host on HTTP and HTTPS; returns it serving.
fn serve_one(args: &Args) -> Result<listener::Listener, String> {
    let l = listener::Listener::start_on(args.config.clone(), args.port, args.https_port).map_err(
        |e| {
            format!(
                "cannot listen on 127.0.0.1 port {} (HTTP) / {} (HTTPS): {e}\n\
                 Is another listener already running? Pick other ports with --port and \
                 --https-port (0 = any free port).",
                args.port, args.https_port
            )
        },
    )?;
    println!("winrm test listener (simulated Windows WinRM)");
    println!("  HTTP : {}", l.http_url());
    if let (Some(url), Some(ca)) = (l.https_url(), l.ca_pem_path()) {
        println!("  HTTPS: {url}   (CA certificate: {})", ca.display());
    }
    println!(
        "  user : {}   password: {}",
        args.config.user, args.config.password
    );
    println!("  shell: WinRS cmd shell with scripted commands (echo, ping, ipconfig, powershell…)");
    if let Some(path) = &args.targets_file {
        write_whole(path, &format!("{}\n", l.http_url()))?;
    }
    if let Some(path) = &args.ready_file {
        std::fs::write(path, l.http_port().to_string())
            .map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    Ok(l)
}

/// `n` simulated hosts, one HTTP endpoint each; returns them serving.
fn serve_fleet(args: &Args, n: usize) -> Result<Fleet, String> {
    let m = &args.mix;
    let healthy = n - (m.slow + m.wrong_password + m.fault + m.stall + m.dead);
    let slow = Behaviour::Slow(Duration::from_millis(args.slow_ms));
    let plan: Vec<Behaviour> = [
        (healthy, Behaviour::Healthy),
        (m.slow, slow),
        (m.wrong_password, Behaviour::WrongPassword),
        (m.fault, Behaviour::Fault),
        (m.stall, Behaviour::Stall),
        (m.dead, Behaviour::Dead),
    ]
    .into_iter()
    .flat_map(|(count, b)| std::iter::repeat_n(b, count))
    .collect();
    let mut base = args.config.clone();
    base.https = false;
    if !args.machine_set {
        base.machine = "WIN".into();
    }
    let fleet = Fleet::start(&base, args.port, &plan).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "{e}\nIs another listener already running? Pick another --port (0 = free ports)."
        ),
        _ => e.to_string(),
    })?;
    let eps = fleet.endpoints();
    let (first, last) = (&eps[0], &eps[n - 1]);
    println!("winrm test listener (simulated Windows WinRM): {n} hosts, HTTP on 127.0.0.1");
    if args.port == 0 {
        println!("  ports: free ones, {} ... {}", first.url, last.url);
    } else {
        println!(
            "  ports: {}-{} ({} ... {})",
            first.port, last.port, first.url, last.url
        );
    }
    println!("  names: {} ... {}", first.machine, last.machine);
    println!(
        "  user : {}   password: {}",
        args.config.user, args.config.password
    );
    println!("  {healthy} healthy");
    for e in eps.iter().filter(|e| e.behaviour != Behaviour::Healthy) {
        println!("  {}  {}  {}", e.machine, e.url, e.behaviour.describe());
    }
    // The targets file first: a ready file means everything is in place.
    for path in [&args.targets_file, &args.ready_file].into_iter().flatten() {
        write_whole(path, &fleet.targets())?;
        println!("  targets: {path} (winrm VERB -r:@{path})");
    }
    Ok(fleet)
}

/// Writes `text` to `path` so a reader polling for it never sees part of
/// it: a file beside it, then a rename.
fn write_whole(path: &str, text: &str) -> Result<(), String> {
    let partial = format!("{path}.partial");
    std::fs::write(&partial, text)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| format!("cannot write {path}: {e}"))
}
