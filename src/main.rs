//! `winrm`: parse, run, report. The process exits in one place.

mod cli;
mod report;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let argv: Vec<_> = std::env::args_os().skip(1).collect();
    // Known before parsing, so that even a usage error answers in JSON.
    let asked = report::format_in(&argv);
    let argv = match cli::compat::normalize(argv) {
        Ok(argv) => argv,
        Err(e) => return report::usage(&e.to_string(), asked),
    };
    let parsed = match cli::args::Cli::try_parse_from(
        std::iter::once(std::ffi::OsString::from("winrm")).chain(argv),
    ) {
        Ok(parsed) => parsed,
        Err(e) => return report::clap(e, asked),
    };
    let format = match report::format(&parsed) {
        Ok(format) => format,
        Err(e) => return report::usage(&e, asked),
    };
    let plan = match cli::plan::Plan::new(parsed, format, &cli::environment::Environment::current())
    {
        Ok(plan) => plan,
        Err(e) => return report::error(&e.into(), format, false),
    };
    // Hints differ for HTTPS endpoints.
    let https = plan
        .connection
        .as_ref()
        .is_some_and(|c| c.targets.iter().all(|t| t.endpoint.is_https()));
    // Buffered: the printers flush at page boundaries themselves.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let result = cli::verbs::run(plan, &mut out);
    // Whatever was printed goes out before any error text.
    let flushed = std::io::Write::flush(&mut out);
    match result.and_then(|code| flushed.map(|()| code).map_err(Into::into)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => report::error(&e, format, https),
    }
}
