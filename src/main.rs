//! `winrm`: parse, run, report. The process exits in one place.

/// `eprintln!` that never panics: stderr may be full or closed
/// (`2>/dev/full`), and a message that cannot be written must not turn a
/// failure into a crash with another exit code.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod report;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let mut args = std::env::args_os();
    let argv0 = args.next();
    let mut argv: Vec<_> = args.collect();
    let winrs = cli::winrs::invoked_as_winrs(argv0.as_ref());
    // Known before parsing, so that even a usage error answers in JSON, and
    // with exec's exit codes.
    let mut style = report::Style {
        format: report::format_in(&argv),
        exec: winrs || cli::compat::names_exec(&argv),
        color: cli::output::stderr_color(None),
    };
    if winrs {
        argv = match cli::winrs::translate(argv) {
            Ok(argv) => argv,
            Err(e) => return report::usage(&e.to_string(), style),
        };
    }
    let argv = match cli::compat::normalize(argv) {
        Ok(argv) => argv,
        Err(e) => return report::usage(&e.to_string(), style),
    };
    let parsed = match cli::args::Cli::try_parse_from(
        std::iter::once(std::ffi::OsString::from("winrm")).chain(argv),
    ) {
        Ok(parsed) => parsed,
        Err(e) => return report::clap(e, style),
    };
    style.color = cli::output::stderr_color(parsed.output.color.as_deref());
    style.format = match report::format(&parsed) {
        Ok(format) => format,
        Err(e) => return report::usage(&e, style),
    };
    let environment = cli::environment::Environment::current();
    let plan = match cli::plan::Plan::new(parsed, style.format, &environment) {
        Ok(plan) => plan,
        Err(e) => return report::error(&e.into(), style, false),
    };
    for warning in &plan.warnings {
        say!("winrm: warning: {warning}");
    }
    if plan
        .connection
        .as_ref()
        .is_some_and(|c| c.targets.len() > 1)
    {
        return cli::fleet::run(plan, style);
    }
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
        Err(e) => report::error(&e, style, https),
    }
}
