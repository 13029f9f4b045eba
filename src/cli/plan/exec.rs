//! `exec`'s arguments → what to run and how: the program and its
//! arguments, or a PowerShell script (encoded for `-EncodedCommand`, or fed
//! through stdin when it is too long for a command line), the shell's
//! settings and where stdin comes from. Reads `--powershell-file`; nothing
//! here touches the network.

use base64::Engine as _;
use winrm::session::{CommandOptions, ShellOptions};

use crate::cli::args::ExecArgs;
use crate::cli::fleet::SharedStdin;
use crate::cli::{UsageError, local_file};

/// cmd.exe's longest command line (characters); a longer
/// `-EncodedCommand` goes through stdin instead.
const COMMAND_LINE_LIMIT: usize = 8191;

/// A command to run in a remote shell.
#[derive(Debug)]
pub struct Exec {
    /// The program.
    pub program: String,
    /// Its arguments, passed on as given.
    pub arguments: Vec<String>,
    /// How the shell is set up.
    pub shell: ShellOptions,
    /// How the command is started.
    pub command: CommandOptions,
    /// What the command reads.
    pub stdin: Stdin,
    /// stderr is PowerShell's CLIXML, to be decoded into plain text.
    pub powershell: bool,
    /// On several hosts, print each host's output whole (`--group`)
    /// rather than line by line with the host's name in front.
    pub group: bool,
}

/// Where the remote command's stdin comes from.
#[derive(Debug, PartialEq, Eq)]
pub enum Stdin {
    /// Our stdin, streamed (a pipe or a file; on a terminal, lines as
    /// they are typed).
    Forward,
    /// Nothing: the command sees end of file at once.
    Closed,
    /// These bytes, then end of file (a PowerShell script too long for a
    /// command line).
    Bytes(Vec<u8>),
    /// Our stdin, read once and given whole to each of several hosts, as
    /// it comes (see [`SharedStdin`]).
    Shared(SharedStdin),
}

impl Exec {
    /// The plan for `exec COMMAND...` with these switches. With no command
    /// and a terminal on stdin, the command is an interactive cmd.exe.
    pub fn new(
        command: Vec<String>,
        args: &ExecArgs,
        interactive: bool,
    ) -> Result<Exec, UsageError> {
        if args.allow_delegate {
            return Err(UsageError::new(
                "-allowdelegate: credentials reach the host only with CredSSP; use -a:credssp",
            ));
        }
        let shell = ShellOptions {
            working_directory: args.directory.clone(),
            environment: environment(&args.env)?,
            idle_timeout: args.idle_timeout.map(std::time::Duration::from_secs),
            no_profile: args.no_profile,
            codepage: Some(args.codepage.unwrap_or(65001)),
        };
        let options = CommandOptions {
            skip_cmd_shell: args.skip_cmd_shell,
            console_stdin: false,
        };
        let script = match (&args.powershell, &args.powershell_file) {
            (Some(_), Some(_)) => {
                return Err(UsageError::new(
                    "give --powershell SCRIPT or --powershell-file FILE, not both",
                ));
            }
            (Some(script), None) if script == "-" => Some(read_script_from_stdin()?),
            (Some(script), None) => Some(script.clone()),
            (None, Some(path)) => Some(local_file::read_to_string(
                path,
                "the PowerShell script",
                local_file::BODY_FILE,
            )?),
            (None, None) => None,
        };
        let stdin = if args.no_stdin {
            Stdin::Closed
        } else {
            Stdin::Forward
        };
        if let Some(script) = script {
            if !command.is_empty() {
                return Err(UsageError::new(
                    "--powershell runs the script; drop the COMMAND after it",
                ));
            }
            let (program, arguments, stdin) = powershell(&script, stdin);
            return Ok(Exec {
                program,
                arguments,
                shell,
                command: options,
                stdin,
                powershell: true,
                group: args.group,
            });
        }
        let mut words = command.into_iter();
        let Some(program) = words.next().filter(|p| !p.trim().is_empty()) else {
            if interactive && !args.no_stdin {
                // What is typed goes to cmd.exe, which answers with its
                // prompt; it ends at `exit` or end of input (Ctrl-D).
                return Ok(Exec {
                    program: "cmd.exe".into(),
                    arguments: Vec::new(),
                    shell,
                    command: CommandOptions {
                        console_stdin: true,
                        ..options
                    },
                    stdin,
                    powershell: false,
                    group: args.group,
                });
            }
            return Err(UsageError::new(
                "exec needs a command, e.g. winrm exec -r:HOST -- ipconfig /all \
                 (without one, on a terminal, it opens an interactive cmd.exe)",
            ));
        };
        Ok(Exec {
            program,
            arguments: words.collect(),
            shell,
            command: options,
            stdin,
            powershell: false,
            group: args.group,
        })
    }

    /// Readies the command for several hosts at once. Our stdin cannot be
    /// streamed to many: from a terminal nothing is sent; from a pipe or a
    /// file each host gets all of it, as it comes (up to 16 MiB, see
    /// [`SharedStdin`]). An interactive cmd.exe needs one host.
    pub fn for_fleet(&mut self, stdin_is_terminal: bool) -> Result<(), UsageError> {
        if self.command.console_stdin {
            return Err(UsageError::new(
                "an interactive cmd.exe needs one target; with several, give the COMMAND to run",
            ));
        }
        if self.stdin != Stdin::Forward {
            return Ok(());
        }
        self.stdin = if stdin_is_terminal {
            Stdin::Closed
        } else {
            Stdin::Shared(SharedStdin::default())
        };
        Ok(())
    }
}

/// `NAME=VALUE` pairs, names non-empty.
fn environment(pairs: &[String]) -> Result<Vec<(String, String)>, UsageError> {
    pairs
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                Ok((name.trim().to_string(), value.to_string()))
            }
            _ => Err(UsageError::new(format!(
                "-env '{pair}' needs the form NAME=VALUE"
            ))),
        })
        .collect()
}

fn read_script_from_stdin() -> Result<String, UsageError> {
    let mut script = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut script)
        .map_err(|e| UsageError::new(format!("cannot read the script from stdin: {e}")))?;
    Ok(script)
}

/// powershell.exe with the script: `-EncodedCommand` (UTF-16LE, base64)
/// when it fits cmd.exe's command line, else `-Command -` with the script
/// on stdin (which then carries nothing else).
fn powershell(script: &str, stdin: Stdin) -> (String, Vec<String>, Stdin) {
    let utf16: Vec<u8> = script.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(utf16);
    let mut arguments = vec!["-NoLogo".to_string(), "-NonInteractive".to_string()];
    let program = "powershell.exe".to_string();
    // The program name, the switches and their spaces count too.
    let line = program.len() + arguments.iter().map(|a| a.len() + 1).sum::<usize>() + 17;
    if line + encoded.len() <= COMMAND_LINE_LIMIT {
        arguments.extend(["-EncodedCommand".to_string(), encoded]);
        return (program, arguments, stdin);
    }
    arguments.extend(["-Command".to_string(), "-".to_string()]);
    // PowerShell reads the script line by line; the last line must end.
    let mut text = script.replace("\r\n", "\n").replace('\n', "\r\n");
    if !text.ends_with("\r\n") {
        text.push_str("\r\n");
    }
    (program, arguments, Stdin::Bytes(text.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_scripts_are_encoded_on_the_command_line() {
        let (program, arguments, stdin) = powershell("Get-Date", Stdin::Forward);
        assert_eq!(program, "powershell.exe");
        assert_eq!(arguments[2], "-EncodedCommand");
        // "Get-Date" in UTF-16LE, base64.
        assert_eq!(arguments[3], "RwBlAHQALQBEAGEAdABlAA==");
        assert_eq!(stdin, Stdin::Forward);
    }

    #[test]
    fn long_scripts_go_through_stdin() {
        let script = "Write-Output 'x'\n".repeat(400);
        let (_, arguments, stdin) = powershell(&script, Stdin::Forward);
        assert_eq!(arguments[2..], ["-Command", "-"]);
        let Stdin::Bytes(bytes) = stdin else {
            panic!("the script goes through stdin")
        };
        assert!(bytes.starts_with(b"Write-Output 'x'\r\n"));
        assert_eq!(bytes.len(), script.len() + 400);
    }

    #[test]
    fn environment_pairs_need_a_name() {
        assert_eq!(
            environment(&["A=1=2".into(), "B=".into()]).unwrap(),
            [("A".into(), "1=2".into()), ("B".into(), String::new())]
        );
        assert!(environment(&["=x".into()]).is_err());
        assert!(environment(&["novalue".into()]).is_err());
    }
}
