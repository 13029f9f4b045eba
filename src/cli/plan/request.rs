//! The verb's own arguments → typed request data: the resource URI,
//! `-options:`/`--option`, `-fragment:`/`-dialect:`, enumeration filters
//! (WQL, selector, association) and the `@{...}`/`-file:` input. Reads
//! `-file:` from disk; nothing here touches the network.

use winrm::protocol::ns;
use winrm::session::{
    self, Association, EnumerateOptions, Filter, Fragment, OptionValue, RequestOptions,
    ResourceUri, ReturnType,
};

use crate::cli::args::{BodyArgs, EnumerateArgs, RequestArgs};
use crate::cli::hash::{parse_association, parse_hash};
use crate::cli::{UsageError, local_file};

pub fn parse_resource(text: &str) -> Result<ResourceUri, UsageError> {
    ResourceUri::parse(text).map_err(|e| UsageError::new(format!("{e}; see 'winrm help uris'")))
}

/// A request body from the command line: `@{...}` pairs or `-file:` text.
/// As in winrm.cmd, the file is used when the hash is absent or empty.
pub enum Input {
    None,
    Pairs(Vec<(String, Option<String>)>),
    File(String),
}

impl Input {
    pub fn read(hash: Option<&str>, body: &BodyArgs) -> Result<Input, UsageError> {
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
                let bytes = local_file::read(path, "-file", local_file::BODY_FILE)?;
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

pub fn request_options(args: &RequestArgs) -> Result<RequestOptions, UsageError> {
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

pub fn enumerate_options(
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
