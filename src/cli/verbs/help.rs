//! The verbs that stay local: `help [TOPIC]`, `helpmsg CODE`, and the
//! Windows-only verbs, which are refused with what to do instead.

use std::io::Write;

use winrm::protocol::codes;

use crate::cli::args::Cli;
use crate::cli::{UsageError, compat, help, hints};

/// `help [TOPIC]`: a topic, or the whole help when there is none.
pub fn help(topic: Option<&str>, out: &mut dyn Write) -> anyhow::Result<u8> {
    // A topic spelled as a switch (`-p:`, `/usessl`) is looked up by the
    // switch it names; whatever follows ':' is dropped unseen (it may be a
    // password someone pasted).
    let topic = topic
        .map(|t| match t.strip_prefix(['-', '/']) {
            Some(switch) => {
                let name = switch.trim_start_matches('-');
                let name = name.split(':').next().unwrap_or(name);
                compat::long_name(name).unwrap_or(name).to_string()
            }
            None => t.to_string(),
        })
        .filter(|t| !t.is_empty() && t != "?");
    let topic = topic.as_deref();
    let text = match topic {
        None => None,
        Some(t) => help::topic(t),
    };

    match (text, topic) {
        (Some(text), _) => out.write_all(text.as_bytes())?,
        (None, Some(t)) => {
            let guess = compat::closest(t, help::TOPICS.iter().copied())
                .map(|g| format!(" (did you mean '{g}'?)"))
                .unwrap_or_default();
            return Err(UsageError::new(format!(
                "there is no help topic '{t}'{guess}; the topics are: {}",
                help::TOPICS.join(", ")
            ))
            .into());
        }
        // The same text as --help: its last lines list the topics.
        (None, None) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            write!(out, "{}", command.render_help())?;
        }
    }
    out.flush()?;
    Ok(0)
}

/// `helpmsg CODE`: the error number, its name, what it means and a hint.
pub fn helpmsg(code: u32, out: &mut dyn Write) -> anyhow::Result<u8> {
    writeln!(out, "Error number:  {}", codes::signed_and_hex(code))?;
    match codes::lookup(code) {
        Some(entry) => {
            writeln!(out, "{}", entry.name)?;
            writeln!(out, "{}", entry.summary)?;
            if let Some(hint) = hints::for_code(code) {
                writeln!(out, "hint: {hint}")?;
            }
        }
        None => writeln!(
            out,
            "This number is not in winrm's table of WinRM and Windows errors."
        )?,
    }
    Ok(0)
}

/// `quickconfig`, `configsddl`: they change the local Windows service.
pub fn windows_only() -> anyhow::Result<u8> {
    Err(UsageError::new(
        "this verb changes the local Windows WinRM service and is not available off Windows; \
         run it on the Windows host, or change settings remotely with 'winrm set winrm/config/service ...' \
         (see 'winrm help config')",
    )
    .into())
}
