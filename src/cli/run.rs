//! Per verb: validated arguments → one Session call → the printer.
//!
//! Reads `-file:` bodies, turns `@{...}`, `-options:`, `-filter:` and
//! `-dialect:` into typed request data, and picks the renderer. It never
//! formats output or builds XML itself.

use std::io::Write;

use winrm::protocol::{codes, ns};
use winrm::render::{Format, Printer, RenderOptions};
use winrm::session::{
    self, Association, EnumerateOptions, Filter, Fragment, OptionValue, RequestOptions,
    ResourceUri, ReturnType,
};

use super::args::{BodyArgs, Cli, Command, EnumerateArgs, RequestArgs};
use super::hash::{parse_association, parse_hash};
use super::output::{self, Progress};
use super::{UsageError, compat, connect, help, interrupt};

/// Runs the parsed command line, writing results to `out`.
pub fn run(mut cli: Cli, format: Format, out: &mut dyn Write) -> anyhow::Result<()> {
    let Some(command) = cli.command.take() else {
        return print_help(None, out);
    };
    let render = output::render_options(&cli.output, format)?;
    let debug = cli.output.debug;
    match command {
        Command::Help { topic } => print_help(topic.as_deref(), out),
        Command::Helpmsg { code } => helpmsg(&code, out),
        Command::Generate { kind, verb } => super::generate::write(kind, verb.as_deref(), out),
        Command::Quickconfig { .. } | Command::Configsddl { .. } => Err(UsageError::new(
            "this verb changes the local Windows WinRM service and is not available off Windows; \
             run it on the Windows host, or change settings remotely with 'winrm set winrm/config/service ...' \
             (see 'winrm help config')",
        )
        .into()),
        Command::Identify => {
            let (mut session, method) = connect::session(&mut cli.connection, debug)?;
            let reply = session.identify(method == winrm::transport::Method::None)?;
            print_optional(format, render, out, Some(&reply))
        }
        Command::Get { resource, request } => {
            let resource = parse_resource(&resource)?;
            let request = request_options(&request)?;
            let (mut session, _) = connect::session(&mut cli.connection, debug)?;
            let reply = session.get(&resource, &request)?;
            print_optional(format, render, out, Some(&reply))
        }
        Command::Set {
            resource,
            input,
            body,
            request,
        } => {
            let resource = parse_resource(&resource)?;
            let request = request_options(&request)?;
            let input = Input::read(input.as_deref(), &body)?;
            let (mut session, _) = connect::session(&mut cli.connection, debug)?;
            let reply = match input {
                Input::Pairs(pairs) => session.set(&resource, &request, &pairs)?,
                Input::File(text) => session.put(&resource, &request, &text)?,
                Input::None => {
                    return Err(UsageError::new(
                        "set needs the new values: '@{Name=\"value\"}' or -file:FILE",
                    )
                    .into());
                }
            };
            print_optional(format, render, out, reply.as_ref())
        }
        Command::Create {
            resource,
            input,
            body,
            request,
        } => {
            let resource = parse_resource(&resource)?;
            let request = request_options(&request)?;
            let text = match Input::read(input.as_deref(), &body)? {
                Input::Pairs(pairs) => session::create_input(&resource, &pairs)?,
                Input::File(text) => text,
                Input::None => {
                    return Err(UsageError::new(
                        "create needs the new resource: '@{Name=\"value\"}' or -file:FILE",
                    )
                    .into());
                }
            };
            let (mut session, _) = connect::session(&mut cli.connection, debug)?;
            let reply = session.create(&resource, &request, &text)?;
            print_optional(format, render, out, reply.as_ref())
        }
        Command::Delete { resource, request } => {
            let resource = parse_resource(&resource)?;
            let request = request_options(&request)?;
            let (mut session, _) = connect::session(&mut cli.connection, debug)?;
            session.delete(&resource, &request)?;
            Ok(())
        }
        Command::Invoke {
            action,
            resource,
            input,
            body,
            request,
        } => {
            let resource = parse_resource(&resource)?;
            let request = request_options(&request)?;
            let text = match Input::read(input.as_deref(), &body)? {
                Input::Pairs(pairs) => session::invoke_input(&action, &resource, &pairs)?,
                Input::File(text) => text,
                // The session sends the empty `<p:ACTION_INPUT/>`.
                Input::None => String::new(),
            };
            let (mut session, _) = connect::session(&mut cli.connection, debug)?;
            let reply = session.invoke(&action, &resource, &request, &text)?;
            print_optional(format, render, out, reply.as_ref())
        }
        Command::Enumerate {
            resource,
            enumeration,
            request,
        } => {
            let resource = parse_resource(&resource)?;
            let options = enumerate_options(&enumeration, request.dialect.as_deref(), &resource)?;
            let mut request = request_options(&request)?;
            // -dialect belongs to the filter here, not to a fragment.
            if let Some(f) = request.fragment.as_mut() {
                f.dialect = None;
            }
            let (mut session, _) = connect::session(&mut cli.connection, debug)?;
            interrupt::install();
            let mut printer = Printer::with_options(format, render, out);
            let mut progress = Progress::new(debug);
            let mut items = session.enumerate(&resource, &request, &options)?;
            while let Some(item) = items.next() {
                let item = match item {
                    Ok(item) => item,
                    Err(e) => {
                        // What was printed stays well-formed (a closed JSON
                        // array, a closed XML wrapper); the exit code and
                        // the error say it is incomplete, and how many
                        // items came before.
                        drop(items);
                        progress.clear();
                        let _ = printer.finish_list();
                        return Err(anyhow::Error::from(e).context(Incomplete {
                            items: printer.items(),
                        }));
                    }
                };
                printer.item(&item)?;
                // Show each page as soon as it is printed, not per item:
                // one write per page keeps large enumerations cheap.
                if items.page_done() {
                    printer.flush()?;
                    progress.page(printer.items());
                    if interrupt::requested() {
                        // Dropping the iterator sends the Release.
                        drop(items);
                        progress.clear();
                        printer.finish_list()?;
                        return Err(interrupt::Interrupted {
                            items: printer.items(),
                        }
                        .into());
                    }
                }
            }
            drop(items);
            progress.clear();
            printer.finish_list()?;
            warn_unmatched(&printer.unmatched_columns());
            Ok(())
        }
    }
}

/// Context on an error that cut an enumeration short after its start.
#[derive(Debug)]
pub struct Incomplete {
    /// Items printed before the failure.
    pub items: usize,
}

impl std::fmt::Display for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let noun = if self.items == 1 { "item" } else { "items" };
        write!(
            f,
            "the enumeration stopped after {} {noun}; the list is incomplete",
            self.items
        )
    }
}

fn print_optional(
    format: Format,
    render: RenderOptions,
    out: &mut dyn Write,
    reply: Option<&winrm::Element>,
) -> anyhow::Result<()> {
    if let Some(element) = reply {
        let mut printer = Printer::with_options(format, render, out);
        printer.single(element)?;
        printer.flush()?;
    }
    Ok(())
}

/// A `--columns` name that matched nothing is most likely misspelt.
fn warn_unmatched(columns: &[String]) {
    if !columns.is_empty() {
        eprintln!(
            "winrm: warning: no item has the column(s) {}; property names are case-insensitive, \
             and -format:json shows them all",
            columns
                .iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

fn print_help(topic: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
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

    match text {
        Some(text) => out.write_all(text.as_bytes())?,
        None => {
            if let Some(t) = topic {
                writeln!(out, "There is no help topic '{t}'.\n")?;
            }
            let mut command = <Cli as clap::CommandFactory>::command();
            write!(out, "{}", command.render_long_help())?;
            writeln!(out, "\nHelp topics: {}", help::TOPICS.join(", "))?;
        }
    }
    out.flush()?;
    Ok(())
}

fn helpmsg(code: &str, out: &mut dyn Write) -> anyhow::Result<()> {
    let value = codes::parse_code(code).map_err(UsageError::new)?;
    writeln!(out, "Error number:  {}", codes::signed_and_hex(value))?;
    match codes::lookup(value) {
        Some(entry) => {
            writeln!(out, "{}", entry.name)?;
            writeln!(out, "{}", entry.summary)?;
            if let Some(hint) = entry.hint {
                writeln!(out, "hint: {hint}")?;
            }
        }
        None => writeln!(
            out,
            "This number is not in winrm's table of WinRM and Windows errors."
        )?,
    }
    Ok(())
}

fn parse_resource(text: &str) -> Result<ResourceUri, UsageError> {
    ResourceUri::parse(text).map_err(|e| UsageError::new(format!("{e}; see 'winrm help uris'")))
}

/// A request body from the command line: `@{...}` pairs or `-file:` text.
/// As in winrm.cmd, the file is used when the hash is absent or empty.
enum Input {
    None,
    Pairs(Vec<(String, Option<String>)>),
    File(String),
}

impl Input {
    fn read(hash: Option<&str>, body: &BodyArgs) -> Result<Input, UsageError> {
        let pairs = match hash {
            None => Vec::new(),
            // Not echoed: a stray word here is often a password whose
            // switch lost it (`-p: secret`).
            Some(text) if !text.trim_start().starts_with('@') => {
                return Err(UsageError::new(
                    "an unexpected extra word was given (not shown, in case it is a secret); \
                     input is written '@{Name=\"value\"}', and values go after their switch",
                ));
            }

            Some(text) => parse_hash(text)
                .map_err(|e| UsageError::new(format!("in the @{{...}} input: {e}")))?,
        };
        let file = match &body.file {
            None => None,
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|e| {
                    UsageError::new(format!("cannot read -file {}: {e}", path.display()))
                })?;
                let text = session::body_from_bytes(&bytes)
                    .map_err(|e| UsageError::new(format!("-file {}: {e}", path.display())))?;
                Some(text)
            }
        };
        match (pairs.is_empty(), file) {
            (false, Some(_)) => Err(UsageError::new(
                "give either '@{...}' or -file:FILE, not both",
            )),
            (false, None) => Ok(Input::Pairs(pairs)),
            (true, Some(text)) => Ok(Input::File(text)),
            (true, None) => Ok(Input::None),
        }
    }
}

/// Expands a `-dialect:` alias.
fn dialect_uri(dialect: &str) -> String {
    match dialect.to_ascii_lowercase().as_str() {
        "wql" => ns::DIALECT_WQL.into(),
        "cql" => ns::DIALECT_CQL.into(),
        "selector" => ns::DIALECT_SELECTOR.into(),
        "association" => ns::DIALECT_ASSOCIATION.into(),
        "xpath" => ns::DIALECT_XPATH.into(),
        _ => dialect.to_string(),
    }
}

fn request_options(args: &RequestArgs) -> Result<RequestOptions, UsageError> {
    let mut options: Vec<OptionValue> = Vec::new();
    if let Some(hash) = &args.options {
        let pairs = parse_hash(hash).map_err(|e| UsageError::new(format!("in -options: {e}")))?;
        for (name, value) in pairs {
            options.push(OptionValue { name, value });
        }
    }
    for item in &args.option {
        let (name, value) = item.split_once('=').ok_or_else(|| {
            UsageError::new(format!("--option '{item}' needs the form NAME=VALUE"))
        })?;
        if name.trim().is_empty() {
            return Err(UsageError::new(format!("--option '{item}' has no name")));
        }
        options.push(OptionValue {
            name: name.trim().to_string(),
            value: Some(value.to_string()),
        });
    }
    for (i, o) in options.iter().enumerate() {
        if options[..i]
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(&o.name))
        {
            return Err(UsageError::new(format!(
                "the option '{}' is given twice",
                o.name
            )));
        }
    }
    let fragment = args.fragment.as_ref().map(|expression| Fragment {
        expression: expression.clone(),
        dialect: args.dialect.as_deref().map(dialect_uri),
    });
    Ok(RequestOptions { options, fragment })
}

fn enumerate_options(
    args: &EnumerateArgs,
    dialect: Option<&str>,
    resource: &ResourceUri,
) -> Result<EnumerateOptions, UsageError> {
    let return_type = match args
        .return_type
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("object") => ReturnType::Object,
        Some("epr") => ReturnType::Epr,
        Some("objectandepr") => ReturnType::ObjectAndEpr,
        Some(other) => {
            return Err(UsageError::new(format!(
                "unknown -ReturnType '{other}'; choose object, epr or objectandepr"
            )));
        }
    };
    let dialect = dialect.map(dialect_uri);
    let filter = match (&args.filter, dialect) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(UsageError::new(
                "-dialect needs a -filter to apply to (or a -fragment)",
            ));
        }
        (Some(expression), dialect) => {
            let dialect = dialect.unwrap_or_else(|| ns::DIALECT_WQL.to_string());
            Some(filter(expression, dialect, args.associations, resource)?)
        }
    };
    if args.associations && !matches!(filter, Some(Filter::Association(_))) {
        return Err(UsageError::new(
            "-associations only applies with -dialect:association",
        ));
    }
    let max_elements = args.max_elements.unwrap_or(100);
    if max_elements == 0 {
        return Err(UsageError::new("--max-elements must be at least 1"));
    }
    Ok(EnumerateOptions {
        return_type,
        shallow: args.shallow,
        base_properties_only: args.base_properties_only,
        filter,
        optimize: !args.no_optimize,
        max_elements,
    })
}

fn filter(
    expression: &str,
    dialect: String,
    associations: bool,
    resource: &ResourceUri,
) -> Result<Filter, UsageError> {
    if dialect.eq_ignore_ascii_case(ns::DIALECT_SELECTOR) {
        let pairs = parse_hash(expression)
            .map_err(|e| UsageError::new(format!("in the selector -filter: {e}")))?;
        let mut selectors = Vec::new();
        for (name, value) in pairs {
            let value = value.ok_or_else(|| {
                UsageError::new(format!(
                    "the selector filter cannot match '{name}' to $null"
                ))
            })?;
            selectors.push((name, value));
        }
        return Ok(Filter::Selectors(selectors));
    }
    let is_association = dialect.eq_ignore_ascii_case(ns::DIALECT_ASSOCIATION);
    if !is_association {
        return Ok(Filter::Text {
            dialect,
            expression: expression.to_string(),
        });
    }
    let pairs = parse_association(expression)
        .map_err(|e| UsageError::new(format!("in the association -filter: {e}")))?;
    let mut object = None;
    let mut fields = Vec::new();
    for (key, value) in pairs {
        let field = match key.to_ascii_lowercase().as_str() {
            "object" => {
                object = Some(value);
                continue;
            }
            "associationclassname" => "AssociationClassName",
            "role" => "Role",
            "resultclassname" => "ResultClassName",
            "resultrole" => "ResultRole",
            _ => {
                return Err(UsageError::new(format!(
                    "the association filter has no field '{key}'; use Object, \
                     AssociationClassName, Role, ResultClassName, ResultRole"
                )));
            }
        };
        fields.push((field, value));
    }
    // DSP0227 order: AssociationClassName, Role, ResultClassName, ResultRole.
    let order = [
        "AssociationClassName",
        "Role",
        "ResultClassName",
        "ResultRole",
    ];
    fields.sort_by_key(|(name, _)| order.iter().position(|o| o == name));
    let object = object
        .ok_or_else(|| UsageError::new("the association filter needs Object=CLASS?Key=Value"))?;
    // Object is relative to the request's namespace (wmicimv2/* →
    // .../root/cimv2/CLASS) unless it is a full URI or alias path.
    let object = if object.contains('/') {
        parse_resource(&object)?
    } else {
        let base = resource.uri.trim_end_matches('*').trim_end_matches('/');
        let (class, query) = match object.split_once('?') {
            Some((c, q)) => (c, Some(q)),
            None => (object.as_str(), None),
        };
        let full = format!("{base}/{class}");
        let text = match query {
            Some(q) => format!("{full}?{q}"),
            None => full,
        };
        parse_resource(&text)?
    };
    Ok(Filter::Association(Association {
        dialect,
        association_instances: associations,
        object_uri: object.uri,
        object_selectors: object.selectors,
        fields,
    }))
}
