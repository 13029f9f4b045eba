//! `winrm`: parse, run, report. The process exits in one place.

mod cli;
mod report;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let argv: Vec<_> = std::env::args_os().skip(1).collect();
    let argv = match cli::compat::normalize(argv) {
        Ok(argv) => argv,
        Err(e) => return report::usage(&e.to_string()),
    };
    let parsed = match cli::args::Cli::try_parse_from(
        std::iter::once(std::ffi::OsString::from("winrm")).chain(argv),
    ) {
        Ok(parsed) => parsed,
        Err(e) => return report::clap(e),
    };
    let format = match report::format(&parsed) {
        Ok(format) => format,
        Err(e) => return report::usage(&e),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli::run::run(parsed, format, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report::error(&e, format),
    }
}
