//! `cargo run --example listener -- [options]`: a simulated Windows WinRM
//! service for trying the client without a Windows host. Prints where it
//! listens and serves until killed.

#[path = "mod.rs"]
mod listener;

use std::process::ExitCode;

const USAGE: &str = "usage: listener [--port N] [--https-port N] [--services N] [--user U] \
                     [--password P] [--machine NAME] [--ready-file PATH]\n\
                     \x20              [--shell-tick-ms N]\n\
                     Ports default to 5985 (HTTP) and 5986 (HTTPS); 0 picks a free port.\n\
                     WinRS shells (winrm exec) run scripted commands; --shell-tick-ms sets the\n\
                     length of their second (ping, timeout), 1000 by default.";

struct Args {
    port: u16,
    https_port: u16,
    ready_file: Option<String>,
    config: listener::Config,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 5985,
        https_port: 5986,
        ready_file: None,
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
        match flag.as_str() {
            "--port" => args.port = number(&value)?,
            "--https-port" => args.https_port = number(&value)?,
            "--services" => {
                args.config.services = value
                    .parse()
                    .map_err(|_| format!("--services: '{value}' is not a number"))?;
            }
            "--user" => args.config.user = value,
            "--password" => args.config.password = value,
            "--machine" => args.config.machine = value,
            "--ready-file" => args.ready_file = Some(value),
            "--shell-tick-ms" => {
                let ms = value
                    .parse()
                    .map_err(|_| format!("--shell-tick-ms: '{value}' is not a number"))?;
                args.config.shell_tick = std::time::Duration::from_millis(ms);
            }
            _ => return Err(format!("unknown option {flag}")),
        }
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
    let l = match listener::Listener::start_on(args.config.clone(), args.port, args.https_port) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "error: cannot listen on 127.0.0.1 port {} (HTTP) / {} (HTTPS): {e}\n\
                 Is another listener already running? Pick other ports with --port and \
                 --https-port (0 = any free port).",
                args.port, args.https_port
            );
            return ExitCode::from(1);
        }
    };
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
    if let Some(path) = &args.ready_file
        && let Err(e) = std::fs::write(path, l.http_port().to_string())
    {
        eprintln!("error: cannot write {path}: {e}");
        return ExitCode::from(1);
    }
    loop {
        std::thread::park();
    }
}
