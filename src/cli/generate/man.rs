//! The man pages. winrm.1 is written here section by section, from the
//! clap definition (verbs, aliases, value names, help), compat's switch
//! table (every winrm.cmd spelling) and the help topics (formats, JSON,
//! exit status, environment), plus the examples and files below. The page
//! of each verb is clap_mangen's.
//!
//! clap_mangen is not used for winrm.1 because it prints the top-level
//! `after_help` as a section named EXTRA with its line breaks lost, and its
//! synopsis names options without their values. All roff escaping goes
//! through [`escape`].

use std::fmt::Write as _;
use std::io::Write;

use clap::{Args as _, Command, CommandFactory as _};

use super::super::args::{Cli, OutputArgs};
use super::super::{UsageError, compat, help};

/// Verbs that never reach a server, so their synopsis has no `-r:HOST`.
const LOCAL_VERBS: &[&str] = &["help", "helpmsg"];

/// Command lines for EXAMPLES, each after the sentence that explains it.
/// Passwords come from `$WINRM_PASSWORD` or the prompt, never argv.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "Ask a host whether WS-Management answers, without logging on:",
        "winrm identify -r:srv01 -a:none",
    ),
    (
        "Read the WinRM service configuration over HTTPS, as a domain user:",
        "winrm get winrm/config/service -r:https://srv01:5986 -u:'CORP\\admin'",
    ),
    (
        "Read one service, selected by its key:",
        "winrm get 'wmicimv2/Win32_Service?Name=spooler' -r:srv01 -u:admin",
    ),
    (
        "Change properties: the resource is read, the named values changed, and the whole resource put back:",
        "winrm set winrm/config/client '@{TrustedHosts=\"*\";AllowUnencrypted=\"false\"}' -r:srv01 -u:admin",
    ),
    (
        "List instances chosen by a WQL query:",
        "winrm enumerate 'wmicimv2/*' -filter:\"select Name,State from Win32_Service where StartMode='Auto'\" -r:srv01 -u:admin",
    ),
    (
        "Run a method with parameters:",
        "winrm invoke StartService 'wmicimv2/Win32_Service?Name=spooler' -r:srv01 -u:admin",
    ),
    (
        "Run a command in a remote cmd shell; its output streams, and winrm exits with its exit code:",
        "winrm exec -r:srv01 -u:admin ipconfig /all",
    ),
    (
        "Run a PowerShell script instead:",
        "winrm exec -r:srv01 -u:admin --powershell 'Get-Service | Where Status -eq Running'",
    ),
    (
        "The same through winrs.exe's command line, with winrm linked as winrs:",
        "winrs -r:srv01 -u:admin -d:'C:\\Temp' dir",
    ),
    (
        "JSON for scripts: property values are strings, so jq converts them:",
        "winrm e wmicimv2/Win32_Service -r:srv01 -u:admin -format:json | jq '[.[].ProcessId | tonumber] | max'",
    ),
    (
        "One JSON object per line, stopped early without an error:",
        "winrm e wmicimv2/Win32_Process -r:srv01 -u:admin -format:jsonl | head -n 5",
    ),
    (
        "A table with the chosen columns:",
        "winrm e wmicimv2/Win32_LogicalDisk -r:srv01 -u:admin -format:table --columns DeviceID,FreeSpace,Size",
    ),
    (
        "A Dell iDRAC, with Basic over HTTPS and a self-signed certificate:",
        "winrm e http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/root/dcim/DCIM_SystemView -r:https://idrac01/wsman -u:root -a:basic -skipCAcheck -skipCNcheck",
    ),
    (
        "An Intel AMT, with Digest, the password read from a file:",
        "winrm get http://intel.com/wbem/wscim/1/amt-schema/1/AMT_GeneralSettings -r:http://amt01:16992/wsman -u:admin -a:digest --password-file ~/.amt-password",
    ),
    (
        "Explain the error number of a fault:",
        "winrm helpmsg 0x80338012",
    ),
];

/// Writes winrm.1, or winrm-VERB.1 for one visible verb.
///
/// # Errors
///
/// A verb that does not exist or is hidden, or a failed write.
pub fn write(verb: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    let command = Cli::command();
    match verb {
        Some(verb) => verb_page(&command, verb, out)?,
        None => out.write_all(main_page(&command).as_bytes())?,
    }
    out.flush()?;
    Ok(())
}

/// winrm-VERB.1: clap_mangen's page, except that an `after_help` becomes
/// a NOTES section that keeps its lines (clap_mangen's EXTRA joins them).
fn verb_page(command: &Command, verb: &str, out: &mut dyn Write) -> anyhow::Result<()> {
    let visible = || command.get_subcommands().filter(|s| !s.is_hide_set());
    let Some(sub) = visible().find(|s| s.get_name() == verb) else {
        let names: Vec<&str> = visible().map(Command::get_name).collect();
        return Err(UsageError::new(format!(
            "no man page for verb '{verb}'; choose one of: {}",
            names.join(", ")
        ))
        .into());
    };
    let notes = sub.get_after_help().map(ToString::to_string);
    let page = sub
        .clone()
        .display_name(format!("winrm-{verb}"))
        .bin_name(format!("winrm {verb}"))
        .after_help(None::<&str>);
    clap_mangen::Man::new(page).render(out)?;
    if let Some(notes) = notes {
        out.write_all(format!(".SH NOTES\n{}", preformatted(&notes)).as_bytes())?;
    }
    Ok(())
}

/// The whole of winrm.1.
fn main_page(command: &Command) -> String {
    let version = command.get_version().unwrap_or_default();
    let verbs: Vec<&Command> = command
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .collect();
    let mut roff = String::new();
    roff.push_str(&format!(
        ".TH WINRM 1 \"\" \"winrm {version}\" \"User Commands\"\n"
    ));
    roff.push_str(
        ".SH NAME\nwinrm \\- WS\\-Management command line: winrm.cmd and winrs.exe \
         for Linux and macOS\n",
    );
    synopsis(&verbs, &mut roff);
    description(command, &mut roff);
    verbs_section(&verbs, &mut roff);
    options(&mut roff);
    topic_section("OUTPUT FORMATS", "formats", &mut roff);
    topic_section("JSON OUTPUT", "json", &mut roff);
    roff.push_str(".SH EXAMPLES\n");
    for (what, line) in EXAMPLES {
        let _ = write!(roff, ".PP\n{}\n.PP\n.RS 4\n.nf\n", escape(what));
        let _ = write!(roff, "{}\n.fi\n.RE\n", escape(line));
    }
    topic_section("EXIT STATUS", "exit", &mut roff);
    topic_section("ENVIRONMENT", "env", &mut roff);
    files(&mut roff);
    see_also(&verbs, &mut roff);
    roff
}

/// One line per verb, with its operands, and the winrs form.
fn synopsis(verbs: &[&Command], roff: &mut String) {
    roff.push_str(".SH SYNOPSIS\n.nf\n");
    roff.push_str(
        "\\fBwinrm\\fR \\fIVERB\\fR [\\fB\\-r:\\fR\\fIHOST\\fR] [\\fB\\-u:\\fR\\fIUSER\\fR] \
         [\\fB\\-a:\\fR\\fIMETHOD\\fR] [\\fIOPTIONS\\fR] [\\fIOPERANDS\\fR]\n",
    );
    for verb in verbs {
        let name = verb.get_name();
        let _ = write!(roff, "\\fBwinrm {name}\\fR");
        if !LOCAL_VERBS.contains(&name) {
            roff.push_str(" [\\fB\\-r:\\fR\\fIHOST\\fR] [\\fIOPTIONS\\fR]");
        }
        for operand in verb.get_positionals() {
            let value = operand
                .get_value_names()
                .and_then(|n| n.first())
                .map_or_else(
                    || operand.get_id().as_str().to_uppercase(),
                    |n| n.to_string(),
                );
            let value = format!("\\fI{}\\fR", escape(&value));
            if operand.is_trailing_var_arg_set() {
                let _ = write!(roff, " [\\fB\\-\\-\\fR] {value} [\\fIARG\\fR...]");
            } else if operand.is_required_set() {
                let _ = write!(roff, " {value}");
            } else {
                let _ = write!(roff, " [{value}]");
            }
        }
        roff.push('\n');
    }
    roff.push_str(
        "\\fBwinrs\\fR \\fB\\-r:\\fR\\fIHOST\\fR [\\fB\\-u:\\fR\\fIUSER\\fR] \
         [\\fIwinrs switches\\fR] \\fICOMMAND\\fR [\\fIARG\\fR...]\n.fi\n",
    );
}

/// What winrm is, how switches are spelled, and the lines of the top-level
/// help's epilogue, each its own paragraph.
fn description(command: &Command, roff: &mut String) {
    roff.push_str(".SH DESCRIPTION\n");
    if let Some(about) = command.get_about() {
        let _ = writeln!(roff, "{}", escape(&about.to_string()));
    }
    roff.push_str(
        ".PP\nEach verb is one WS\\-Management operation on one resource, named by \
         a resource URI or a short alias of one (\\fBwmicimv2/Win32_Service\\fR), \
         with selectors after \\fB?\\fR (\\fB?Name=spooler\\fR); \\fBexec\\fR runs a \
         command in a remote shell instead. \\fBwinrm help uris\\fR lists the aliases.\n",
    );
    roff.push_str(
        ".PP\nEvery switch may also be written as winrm.cmd writes it: \
         \\fB\\-name:value\\fR or \\fB/name:value\\fR, in any case, where name is the \
         long option (\\fB\\-use\\-ssl\\fR), the long option in one word \
         (\\fB\\-usessl\\fR) or one of winrm.cmd's short forms (\\fB\\-r:\\fR); \
         OPTIONS lists them all.\n",
    );
    if let Some(epilogue) = command.get_after_help() {
        for line in epilogue
            .to_string()
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let _ = writeln!(roff, ".PP\n{}", escape(line));
        }
    }
    roff.push_str(
        ".PP\nThe program also answers to the name \\fBwinrs\\fR (a link to it), \
         with winrs.exe's command line; \\fBwinrm help exec\\fR describes it.\n",
    );
}

/// Each visible verb with its aliases, operands and one line.
fn verbs_section(verbs: &[&Command], roff: &mut String) {
    roff.push_str(".SH VERBS\n");
    for verb in verbs {
        let mut names = vec![format!("\\fB{}\\fR", verb.get_name())];
        names.extend(verb.get_visible_aliases().map(|a| format!("\\fB{a}\\fR")));
        let about = verb.get_about().map(|a| a.to_string()).unwrap_or_default();
        let _ = write!(roff, ".TP\n{}\n{}\n", names.join(", "), escape(&about));
    }
}

/// Every visible switch: its GNU spelling with its value, the help, and
/// each winrm.cmd spelling; global connection switches, then output, then
/// those of particular verbs.
fn options(roff: &mut String) {
    let output: Vec<String> = OutputArgs::augment_args(Command::new("output"))
        .get_arguments()
        .filter_map(|a| a.get_long().map(String::from))
        .collect();
    let visible: Vec<&compat::Switch> = compat::switches().iter().filter(|s| !s.hidden).collect();
    let mut groups: Vec<(String, Vec<&compat::Switch>)> = vec![
        ("Connection and authentication".into(), Vec::new()),
        ("Output".into(), Vec::new()),
    ];
    for switch in visible {
        let title = if !switch.verbs.is_empty() {
            format!("Options of {}", switch.verbs.join(", "))
        } else if output.contains(&switch.long) {
            groups[1].0.clone()
        } else {
            groups[0].0.clone()
        };
        match groups.iter_mut().find(|(t, _)| *t == title) {
            Some((_, list)) => list.push(switch),
            None => groups.push((title, vec![switch])),
        }
    }
    roff.push_str(".SH OPTIONS\n");
    for (title, switches) in groups {
        let _ = writeln!(roff, ".SS \"{}\"", escape(&title));
        for switch in switches {
            option(switch, roff);
        }
    }
    roff.push_str(
        ".SS \"Help and version\"\n.TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\n\
         Print the help; \\fBwinrm help\\fR \\fITOPIC\\fR says more.\n.br\n\
         winrm.cmd: \\fB\\-?\\fR, \\fB/?\\fR\n.TP\n\\fB\\-V\\fR, \\fB\\-\\-version\\fR\n\
         Print the version.\n",
    );
}

/// One switch as a tagged paragraph.
fn option(switch: &compat::Switch, roff: &mut String) {
    let mut tag = String::new();
    if let Some(short) = switch.short {
        let _ = write!(tag, "\\fB\\-{short}\\fR, ");
    }
    let _ = write!(tag, "\\fB\\-\\-{}\\fR", escape(&switch.long));
    let value = switch.value.as_deref().map(escape);
    if let Some(value) = &value {
        let _ = write!(tag, " \\fI{value}\\fR");
    }
    // The help ends with a note of winrm.cmd names for --help's sake; the
    // page lists every spelling from the switch table instead.
    let help = switch.help.trim_end();
    let help = match help.rfind(" [") {
        Some(at) if help.ends_with(']') => &help[..at],
        _ => help,
    };
    let spellings: Vec<String> = switch
        .names
        .iter()
        .map(|name| match &value {
            Some(value) => format!("\\fB\\-{}:\\fR\\fI{value}\\fR", escape(name)),
            None => format!("\\fB\\-{}\\fR", escape(name)),
        })
        .collect();
    let _ = write!(
        roff,
        ".TP\n{tag}\n{}\n.br\nwinrm.cmd: {}\n",
        escape(help),
        spellings.join(", ")
    );
}

/// A help topic as a section, its lines kept; the topic's first line is its
/// own heading, which the section title replaces.
fn topic_section(title: &str, topic: &str, roff: &mut String) {
    let text = help::topic(topic).unwrap_or_default();
    let body: Vec<&str> = text.lines().skip(1).collect();
    let _ = write!(roff, ".SH \"{title}\"\n{}", preformatted(&body.join("\n")));
}

/// The files winrm reads besides its operands.
fn files(roff: &mut String) {
    roff.push_str(
        ".SH FILES\n\
         .TP\n\\fI/etc/krb5.conf\\fR\n\
         The KDC of each Kerberos realm, for \\fB\\-a:kerberos\\fR and \
         \\fB\\-a:negotiate\\fR; \\fBKRB5_CONFIG\\fR names another file and \
         \\fB\\-\\-kdc\\fR sets the KDC outright.\n\
         .TP\n\\fI/dev/tty\\fR\n\
         The password prompt reads the controlling terminal, so it works when \
         stdin is a pipe; without a terminal there is no prompt.\n\
         .TP\nthe \\fB\\-\\-password\\-file\\fR \\fIFILE\\fR\n\
         The password is its first line (\\fB\\-\\fR reads it from stdin); a file \
         other users can read draws a warning.\n",
    );
}

/// The help topics and the pages of the verbs.
fn see_also(verbs: &[&Command], roff: &mut String) {
    roff.push_str(".SH \"SEE ALSO\"\n");
    let mut pages: Vec<String> = verbs
        .iter()
        .map(|v| format!(".BR winrm\\-{} (1)", v.get_name()))
        .collect();
    pages.extend([".BR krb5.conf (5)".to_string(), ".BR jq (1)".to_string()]);
    let _ = writeln!(roff, "{}", pages.join(",\n"));
    let topics: Vec<&str> = help::TOPICS.to_vec();
    let _ = write!(
        roff,
        ".PP\n\\fBwinrm help\\fR \\fITOPIC\\fR, where \\fITOPIC\\fR is one of: {}.\n",
        escape(&topics.join(", "))
    );
}

/// Lines kept as they are, in roff's no-fill mode.
fn preformatted(text: &str) -> String {
    let mut roff = String::from(".nf\n");
    for line in text.lines() {
        roff.push_str(&escape(line));
        roff.push('\n');
    }
    roff.push_str(".fi\n");
    roff
}

/// `text` as roff: backslashes and hyphens escaped (a plain `-` may print
/// as a hyphen that cannot be pasted into a shell), and a line that would
/// start with a control character made literal.
fn escape(text: &str) -> String {
    let mut roff = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            roff.push('\n');
        }
        if line.starts_with(['.', '\'']) {
            roff.push_str("\\&");
        }
        for c in line.chars() {
            match c {
                '\\' => roff.push_str("\\e"),
                '-' => roff.push_str("\\-"),
                c => roff.push(c),
            }
        }
    }
    roff
}
