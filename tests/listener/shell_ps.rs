//! A scripted powershell.exe for WinRS commands: reads `-EncodedCommand`
//! (base64 of UTF-16LE, what pywinrm's `run_ps` sends), `-Command TEXT` or
//! `-Command -` (the script from stdin), and runs a few statements:
//! `Write-Output`/`echo`/`Write-Host`, string literals, `$env:NAME`,
//! `Write-Error`, `exit N`, `$input` (stdin lines), `Get-Service` (a fixed
//! list) and pipelines through `Where-Object`, `Sort-Object`,
//! `ForEach-Object { $_.ToUpper() }`, `Select-Object -First N`, `Out-String`.
//!
//! Errors look like Windows PowerShell 5.1's: with `-EncodedCommand` the
//! error stream is serialized as `#< CLIXML` (one `<S S="Error">` per line,
//! CR LF written `_x000D__x000A_`, after the "Preparing modules" progress
//! record PowerShell emits), otherwise plain text. The exit code is N for
//! `exit N`, else 1 when the last statement failed, else 0.

use base64::Engine;

use super::shell_program::{Env, Filter, Step, Stream};
use super::shell_tools::shell_words;
use super::xml::esc;

/// What runs once stdin is known (or at once when it is not needed).
pub struct PsRun {
    /// None: the script is stdin itself (`-Command -`).
    script: Option<String>,
    clixml: bool,
}

/// `powershell ARGS` → steps.
pub fn start(args: &str, env: &Env) -> Vec<Step> {
    let words = shell_words(args);
    let mut script = None;
    let mut clixml = false;
    let mut i = 0;
    while i < words.len() {
        let w = words[i].to_ascii_lowercase();
        let flag = w.trim_start_matches(['-', '/']);
        let is = |full: &str, min: usize| flag.len() >= min && full.starts_with(flag);
        if !w.starts_with(['-', '/']) {
            script = Some(words[i..].join(" "));
            break;
        } else if is("encodedcommand", 1) || flag == "ec" || flag == "enc" {
            let Some(decoded) = words.get(i + 1).and_then(|b| utf16_base64(b)) else {
                let msg = "Cannot process the command because the value specified with \
                           -EncodedCommand is not properly encoded. The value must be Base64 \
                           encoded.\r\n";
                return vec![env.out(Stream::Stderr, msg), Step::Level(1)];
            };
            script = Some(decoded);
            clixml = true;
            break;
        } else if is("command", 1) {
            let rest = words[i + 1..].join(" ");
            if rest.trim() != "-" {
                script = Some(rest);
            }
            break;
        } else if is("executionpolicy", 2)
            || is("inputformat", 2)
            || is("outputformat", 2)
            || is("windowstyle", 2)
        {
            i += 1;
        }
        i += 1;
    }
    let run = PsRun { script, clixml };
    let needs_stdin = run
        .script
        .as_ref()
        .is_none_or(|s| s.to_ascii_lowercase().contains("$input"));
    if needs_stdin {
        vec![Step::Filter(Filter::Ps(run))]
    } else {
        run.run(None, env)
    }
}

fn utf16_base64(text: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

#[derive(Clone)]
enum Value {
    Text(String),
    Service(&'static [&'static str; 3]),
}

/// Status, Name, DisplayName of the simulated host's services.
const SERVICES: &[[&str; 3]] = &[
    ["Running", "BITS", "Background Intelligent Transfer Service"],
    ["Stopped", "Fax", "Fax"],
    ["Running", "Spooler", "Print Spooler"],
    ["Running", "W32Time", "Windows Time"],
    [
        "Running",
        "WinRM",
        "Windows Remote Management (WS-Management)",
    ],
    ["Stopped", "wuauserv", "Windows Update"],
];

impl PsRun {
    /// Runs the script; `stdin` is the whole of it when it was needed.
    pub fn run(&self, stdin: Option<&[u8]>, env: &Env) -> Vec<Step> {
        let stdin_text = stdin.map(|b| env.decode(b)).unwrap_or_default();
        let input: Vec<String> = stdin_text.lines().map(str::to_string).collect();
        let script = match &self.script {
            Some(s) => s.clone(),
            None => stdin_text.clone(),
        };
        let mut out = String::new();
        let mut err = String::new();
        let mut failed = false;
        let mut exit = None;
        for statement in split_outside(&script, &['\n', ';']) {
            let statement = statement.trim();
            if statement.is_empty() || statement.starts_with('#') {
                continue;
            }
            let lower = statement.to_ascii_lowercase();
            if lower == "exit" || lower.starts_with("exit ") {
                exit = Some(statement[4..].trim().parse::<i64>().unwrap_or(0) as u32);
                break;
            }
            failed = false;
            match pipeline(statement, &input, env) {
                Ok(values) => out.push_str(&format_values(&values)),
                Err(e) => {
                    err.push_str(&e);
                    failed = true;
                }
            }
        }
        let mut steps = vec![env.out(Stream::Stdout, &out)];
        if !err.is_empty() {
            let text = if self.clixml { clixml(&err) } else { err };
            steps.push(env.out(Stream::Stderr, &text));
        }
        steps.push(match exit {
            Some(code) => Step::Exit(code),
            None => Step::Level(u32::from(failed)),
        });
        steps
    }
}

/// Splits on any of `seps` outside quotes and braces.
fn split_outside(text: &str, seps: &[char]) -> Vec<String> {
    let mut out = vec![String::new()];
    let (mut quote, mut depth) = (None, 0u32);
    for c in text.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '{') => depth += 1,
            (None, '}') => depth = depth.saturating_sub(1),
            (None, _) if depth == 0 && seps.contains(&c) => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

/// PowerShell argument words: quotes removed, `$env:X` expanded outside
/// single quotes.
fn arguments(text: &str, env: &Env) -> Vec<String> {
    split_outside(text, &[' '])
        .into_iter()
        .filter(|w| !w.is_empty())
        .map(|w| literal(&w, env))
        .collect()
}

fn literal(word: &str, env: &Env) -> String {
    if word.len() >= 2 && word.starts_with('\'') && word.ends_with('\'') {
        return word[1..word.len() - 1].replace("''", "'");
    }
    let inner = if word.len() >= 2 && word.starts_with('"') && word.ends_with('"') {
        &word[1..word.len() - 1]
    } else {
        word
    };
    let mut s = inner.to_string();
    while let Some(at) = s.to_ascii_lowercase().find("$env:") {
        let end = s[at + 5..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .map_or(s.len(), |e| at + 5 + e);
        let value = env.var(&s[at + 5..end]).unwrap_or("").to_string();
        s.replace_range(at..end, &value);
    }
    s
}

fn pipeline(statement: &str, input: &[String], env: &Env) -> Result<Vec<Value>, String> {
    let stages = split_outside(statement, &['|']);
    let first = stages[0].trim();
    let (name, rest) = first.split_once(' ').unwrap_or((first, ""));
    let lower = name.to_ascii_lowercase();
    let texts = |v: Vec<String>| v.into_iter().map(Value::Text).collect::<Vec<_>>();
    let mut values = match lower.as_str() {
        "write-output" | "echo" | "write" | "write-host" => texts(arguments(rest, env)),
        "write-error" => {
            let msg = arguments(rest, env).join(" ");
            return Err(error_record(
                first,
                &msg,
                "NotSpecified: (:) [Write-Error], WriteErrorException",
                "Microsoft.PowerShell.Commands.WriteErrorException",
            ));
        }
        "$input" => texts(input.to_vec()),
        "get-service" => SERVICES.iter().map(Value::Service).collect(),
        "hostname" => texts(vec![env.machine.clone()]),
        _ if first.starts_with(['\'', '"', '$']) || first.parse::<f64>().is_ok() => {
            texts(vec![literal(first, env)])
        }
        _ => {
            let msg = format!(
                "The term '{name}' is not recognized as the name of a cmdlet, function, script \
                 file, or operable program. Check the spelling of the name, or if a path was \
                 included, verify that the path is correct and try again."
            );
            let category = format!("ObjectNotFound: ({name}:String) [], CommandNotFoundException");
            return Err(error_record(
                name,
                &msg,
                &category,
                "CommandNotFoundException",
            ));
        }
    };
    for stage in &stages[1..] {
        values = transform(stage.trim(), values)?;
    }
    Ok(values)
}

fn transform(stage: &str, values: Vec<Value>) -> Result<Vec<Value>, String> {
    let (name, rest) = stage.split_once(' ').unwrap_or((stage, ""));
    let rest = rest
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim();
    match name.to_ascii_lowercase().as_str() {
        "where-object" | "where" | "?" => {
            // `Status -eq Running` or `{ $_.Status -eq 'Running' }`.
            let words: Vec<String> = rest
                .split_whitespace()
                .map(|w| w.trim_matches(['\'', '"']).to_string())
                .collect();
            let [prop, op, want] = words.as_slice() else {
                return Err(error_record(
                    stage,
                    "Cannot bind parameter.",
                    "InvalidArgument: (:) [Where-Object], ParameterBindingException",
                    "ParameterBindingException",
                ));
            };
            let prop = prop
                .trim_start_matches("$_")
                .trim_start_matches('.')
                .to_ascii_lowercase();
            Ok(values
                .into_iter()
                .filter(|v| {
                    let have = field(v, &prop);
                    match op.to_ascii_lowercase().as_str() {
                        "-ne" => !have.eq_ignore_ascii_case(want),
                        "-like" | "-match" => have
                            .to_lowercase()
                            .contains(&want.trim_matches('*').to_lowercase()),
                        _ => have.eq_ignore_ascii_case(want),
                    }
                })
                .collect())
        }
        "sort-object" | "sort" => {
            let mut v = values;
            v.sort_by_key(|x| field(x, "name").to_lowercase());
            Ok(v)
        }
        "foreach-object" | "foreach" | "%" => Ok(values
            .into_iter()
            .map(|v| {
                let text = field(&v, "");
                Value::Text(match rest.to_ascii_lowercase().as_str() {
                    "$_.toupper()" => text.to_uppercase(),
                    "$_.tolower()" => text.to_lowercase(),
                    _ => text,
                })
            })
            .collect()),
        "select-object" | "select" => {
            let n = rest
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(usize::MAX);
            Ok(values.into_iter().take(n).collect())
        }
        "out-string" | "out-host" | "out-default" | "write-output" => Ok(values),
        _ => Err(error_record(
            name,
            &format!("The term '{name}' is not recognized as the name of a cmdlet."),
            &format!("ObjectNotFound: ({name}:String) [], CommandNotFoundException"),
            "CommandNotFoundException",
        )),
    }
}

/// A property of a value (`""` = the value as text).
fn field(v: &Value, prop: &str) -> String {
    match v {
        Value::Text(t) => t.clone(),
        Value::Service([status, name, display]) => match prop {
            "status" => status.to_string(),
            "displayname" => display.to_string(),
            _ => name.to_string(),
        },
    }
}

/// Strings one per line; services as PowerShell's default table.
fn format_values(values: &[Value]) -> String {
    let mut s = String::new();
    let mut table = false;
    for v in values {
        match v {
            Value::Text(t) => s.push_str(&format!("{t}\r\n")),
            Value::Service([status, name, display]) => {
                if !table {
                    s.push_str("\r\nStatus   Name               DisplayName\r\n------   ----               -----------\r\n");
                    table = true;
                }
                let name = if name.len() > 18 {
                    format!("{}...", &name[..15])
                } else {
                    name.to_string()
                };
                s.push_str(&format!("{status:<8} {name:<18} {display}\r\n"));
            }
        }
    }
    if table {
        s.push_str("\r\n\r\n");
    }
    s
}

/// PowerShell 5.1's error view of one record.
fn error_record(command: &str, message: &str, category: &str, id: &str) -> String {
    format!(
        "{command} : {message}\r\n    + CategoryInfo          : {category}\r\n    \
         + FullyQualifiedErrorId : {id}\r\n \r\n"
    )
}

/// The error text serialized the way powershell.exe writes its error
/// stream when started with -EncodedCommand.
fn clixml(text: &str) -> String {
    let mut s = String::from(
        "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">\
         <Obj S=\"progress\" RefId=\"0\"><TN RefId=\"0\"><T>System.Management.Automation.PSCustomObject</T>\
         <T>System.Object</T></TN><MS><I64 N=\"SourceId\">1</I64><PR N=\"Record\"><AV>Preparing modules \
         for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD>\
         </PR></MS></Obj>",
    );
    for line in text.split_inclusive("\r\n") {
        let body = esc(line).replace("\r\n", "_x000D__x000A_");
        s.push_str(&format!("<S S=\"Error\">{body}</S>"));
    }
    s.push_str("</Objs>");
    s
}
