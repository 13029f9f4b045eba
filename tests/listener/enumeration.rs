//! WS-Enumeration: Enumerate (optionally optimized, with WQL, SelectorFilter
//! or association filters and the EnumerateEPR / EnumerateObjectAndEPR
//! modes), Pull and Release. Results are materialised as XML strings when
//! the enumeration starts and handed out in pages cut to both MaxElements
//! and the request's MaxEnvelopeSize, as Windows does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::State;
use super::cim::Class;
use super::codes as code;
use super::faults::Fault;
use super::http::wire_len;
use super::query::{self, Cond, bind, eval, parse_assoc, parse_wql, run_assoc};
use super::soap::{ENUMERATION, Ns, Reply, Req, Target, envelope, resolve};
use super::xml::{NS_ENUM, NS_WSMAN, child, esc, is, new_uuid, text};

const WQL: &str = "http://schemas.microsoft.com/wbem/wsman/1/WQL";
const SELECTOR: &str = "http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter";
const ASSOCIATION: &str = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter";
/// Oldest contexts are forgotten beyond this many (abandoned enumerations).
const MAX_CONTEXTS: usize = 1024;

pub struct Context {
    items: Vec<Arc<str>>,
    pos: usize,
    last_used: Instant,
}

#[derive(Clone, Copy)]
enum Mode {
    Object,
    Epr,
    ObjectAndEpr,
}

fn item(class: &Class, i: usize, only: Option<&[usize]>, mode: Mode) -> Arc<str> {
    match mode {
        Mode::Object => class.object(i, only),
        Mode::Epr => Arc::from(class.epr(i, "a:EndpointReference")),
        Mode::ObjectAndEpr => Arc::from(format!(
            "<w:Item>{}{}</w:Item>",
            class.object(i, only),
            class.epr(i, "a:EndpointReference")
        )),
    }
}

fn concat(items: &[Arc<str>]) -> String {
    let mut s = String::with_capacity(items.iter().map(|i| i.len()).sum());
    for it in items {
        s.push_str(it);
    }
    s
}

fn positive(node: Option<roxmltree::Node>, what: &str) -> Result<Option<usize>, Fault> {
    match node.map(text) {
        None => Ok(None),
        Some(t) => match t.parse::<usize>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(Fault::invalid_parameter(&format!(
                "{what} must be a positive number, not '{t}'."
            ))),
        },
    }
}

pub fn enumerate(req: &Req, st: &mut State) -> Result<Reply, Fault> {
    let body = req
        .body
        .filter(|b| is(*b, NS_ENUM, "Enumerate"))
        .ok_or_else(|| Fault::schema("The Body of an Enumerate request must hold n:Enumerate."))?;
    let optimize = child(body, NS_WSMAN, "OptimizeEnumeration").is_some();
    let max_elements = positive(child(body, NS_WSMAN, "MaxElements"), "MaxElements")?.unwrap_or(1);
    let mode = match child(body, NS_WSMAN, "EnumerationMode")
        .map(text)
        .as_deref()
    {
        None => Mode::Object,
        Some("EnumerateEPR") => Mode::Epr,
        Some("EnumerateObjectAndEPR") => Mode::ObjectAndEpr,
        Some(other) => return Err(Fault::enumeration_mode(other)),
    };
    let filter = child(body, NS_WSMAN, "Filter").or_else(|| child(body, NS_ENUM, "Filter"));
    let items = collect(req, st, filter, mode)?;
    let total = items.len();
    let max_batch = st.config.max_batch_items().max(1);
    let id = new_uuid();
    let mut ctx = Context {
        items,
        pos: 0,
        last_used: Instant::now(),
    };
    let action = format!("{ENUMERATION}EnumerateResponse");
    let mut reply = Reply::new(Ns::Enumeration, action, "");
    if req.total_estimate {
        reply.headers = format!("<w:TotalItemsCountEstimate>{total}</w:TotalItemsCountEstimate>");
    }
    if !optimize {
        reply.body = format!(
            "<n:EnumerateResponse><n:EnumerationContext>{id}</n:EnumerationContext>\
             </n:EnumerateResponse>"
        );
        store(st, id, ctx);
        return Ok(reply);
    }
    let frame = |ctx_text: &str, items: &str, end: bool| {
        let items = if items.is_empty() {
            String::new()
        } else {
            format!("<w:Items>{items}</w:Items>")
        };
        let eos = if end { "<w:EndOfSequence/>" } else { "" };
        format!(
            "<n:EnumerateResponse><n:EnumerationContext>{ctx_text}</n:EnumerationContext>\
             {items}{eos}</n:EnumerateResponse>"
        )
    };
    let count = page(
        req,
        &reply,
        &ctx,
        max_elements.min(max_batch),
        &frame(&id, "", true),
    )?;
    let items = concat(&ctx.items[..count]);
    ctx.pos = count;
    if ctx.pos == ctx.items.len() {
        // Windows: empty context plus EndOfSequence when all fit at once.
        reply.body = frame("", &items, true);
    } else {
        reply.body = frame(&id, &items, false);
        store(st, id, ctx);
    }
    Ok(reply)
}

pub fn pull(req: &Req, st: &mut State) -> Result<Reply, Fault> {
    let body = req
        .body
        .filter(|b| is(*b, NS_ENUM, "Pull"))
        .ok_or_else(|| Fault::schema("The Body of a Pull request must hold n:Pull."))?;
    let id = child(body, NS_ENUM, "EnumerationContext")
        .map(text)
        .ok_or_else(|| Fault::schema("The Pull request has no EnumerationContext."))?;
    let max_elements = positive(child(body, NS_ENUM, "MaxElements"), "MaxElements")?.unwrap_or(1);
    let max_batch = st.config.max_batch_items().max(1);
    let timeout = Duration::from_millis(st.config.enumeration_timeout_ms());
    let Some(ctx) = st.contexts.get_mut(&id) else {
        return Err(Fault::invalid_context());
    };
    if ctx.last_used.elapsed() > timeout {
        st.contexts.remove(&id);
        return Err(Fault::invalid_context());
    }
    ctx.last_used = Instant::now();
    let mut reply = Reply::new(Ns::Enumeration, format!("{ENUMERATION}PullResponse"), "");
    if req.total_estimate {
        reply.headers = format!(
            "<w:TotalItemsCountEstimate>{}</w:TotalItemsCountEstimate>",
            ctx.items.len()
        );
    }
    let frame = |ctx_text: Option<&str>, items: &str| {
        let c = ctx_text
            .map(|c| format!("<n:EnumerationContext>{}</n:EnumerationContext>", esc(c)))
            .unwrap_or_default();
        let items = if items.is_empty() {
            String::new()
        } else {
            format!("<n:Items>{items}</n:Items>")
        };
        let eos = if ctx_text.is_none() {
            "<n:EndOfSequence/>"
        } else {
            ""
        };
        format!("<n:PullResponse>{c}{items}{eos}</n:PullResponse>")
    };
    let worst = format!("{}<n:EndOfSequence/>", frame(Some(&id), ""));
    let count = page(req, &reply, ctx, max_elements.min(max_batch), &worst)?;
    let items = concat(&ctx.items[ctx.pos..ctx.pos + count]);
    ctx.pos += count;
    if ctx.pos == ctx.items.len() {
        // The context ends with the sequence (Windows forgets it).
        st.contexts.remove(&id);
        reply.body = frame(None, &items);
    } else {
        reply.body = frame(Some(&id), &items);
    }
    Ok(reply)
}

pub fn release(req: &Req, st: &mut State) -> Result<Reply, Fault> {
    let id = req
        .body
        .filter(|b| is(*b, NS_ENUM, "Release"))
        .and_then(|b| child(b, NS_ENUM, "EnumerationContext"))
        .map(text)
        .ok_or_else(|| Fault::schema("The Body of a Release request must hold n:Release."))?;
    st.contexts.remove(&id).ok_or_else(Fault::invalid_context)?;
    Ok(Reply::new(
        Ns::Enumeration,
        format!("{ENUMERATION}ReleaseResponse"),
        "",
    ))
}

fn store(st: &mut State, id: String, ctx: Context) {
    if st.contexts.len() >= MAX_CONTEXTS {
        let oldest = st
            .contexts
            .iter()
            .min_by_key(|(_, c)| c.last_used)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            st.contexts.remove(&k);
        }
    }
    st.contexts.insert(id, ctx);
}

/// How many of the remaining items fit in one reply: at most `max`, and the
/// envelope (measured with `frame` as its body plus the items) must stay
/// within MaxEnvelopeSize. At least one item, else `w:EncodingLimit`.
fn page(req: &Req, reply: &Reply, ctx: &Context, max: usize, frame: &str) -> Result<usize, Fault> {
    let probe = Reply {
        ns: reply.ns,
        action: reply.action.clone(),
        body: frame.to_string(),
        headers: reply.headers.clone(),
    };
    // Items tags ("<w:Items></w:Items>") are counted generously.
    let mut size = wire_len(&envelope(&probe, &req.message_id), req.charset) + 40;
    let mut count = 0;
    for it in ctx.items[ctx.pos..].iter().take(max) {
        let len = match req.charset {
            super::http::Charset::Utf8 => it.len(),
            super::http::Charset::Utf16 => 2 * it.encode_utf16().count(),
        };
        if size + len > req.max_envelope {
            if count == 0 {
                return Err(Fault::encoding_limit(size + len, req.max_envelope));
            }
            break;
        }
        size += len;
        count += 1;
    }
    Ok(count)
}

/// Materialises the items of an enumeration for its resource and filter.
fn collect(
    req: &Req,
    st: &State,
    filter: Option<roxmltree::Node>,
    mode: Mode,
) -> Result<Vec<Arc<str>>, Fault> {
    let dialect = filter.map(|f| f.attribute("Dialect").unwrap_or(""));
    let repo = &st.cim;
    match resolve(&req.resource_uri) {
        Target::Listener => {
            if filter.is_some() {
                return Err(Fault::filtering_not_supported());
            }
            Ok(st
                .listeners
                .iter()
                .map(|l| {
                    let epr = super::xml::epr(
                        "a:EndpointReference",
                        super::listeners::LISTENER_URI,
                        &l.selectors(),
                    );
                    Arc::from(match mode {
                        Mode::Object => l.render(),
                        Mode::Epr => epr,
                        Mode::ObjectAndEpr => format!("<w:Item>{}{epr}</w:Item>", l.render()),
                    })
                })
                .collect())
        }
        Target::Shell => Ok(super::winrs::items(&st.shells, &req.resource_uri)
            .into_iter()
            .map(Arc::from)
            .collect()),
        Target::Config(_) => Err(Fault::action_not_supported(&req.action)),
        Target::Unknown => Err(Fault::invalid_resource_uri(&req.resource_uri)),
        Target::WmiClass(name) => {
            let ci = repo.class(&name).ok_or_else(|| {
                Fault::not_found_wmi(
                    "ExecQuery",
                    "The class does not exist in namespace root/cimv2.",
                )
            })?;
            match (dialect, filter) {
                (None, _) | (_, None) => {
                    let class = &repo.classes[ci];
                    Ok((0..class.instances.len())
                        .map(|i| item(class, i, None, mode))
                        .collect())
                }
                (Some(d), Some(f)) if d == WQL => wql(repo, &text(f), mode),
                (Some(d), Some(f)) if d == SELECTOR => {
                    let cond = query::selector_filter(f);
                    filtered(&repo.classes[ci], cond, None, mode, None)
                }
                (Some(d), Some(f)) if d.eq_ignore_ascii_case(ASSOCIATION) => {
                    association(repo, f, mode)
                }
                (Some(d), _) => Err(Fault::dialect_unavailable(d)),
            }
        }
        Target::WmiNamespace => match (dialect, filter) {
            (Some(d), Some(f)) if d == WQL => wql(repo, &text(f), mode),
            (Some(d), Some(f)) if d.eq_ignore_ascii_case(ASSOCIATION) => association(repo, f, mode),
            (Some(d), Some(_)) if d != SELECTOR => Err(Fault::dialect_unavailable(d)),
            _ => Err(Fault::cannot_process_filter(
                code::WBEM_INVALID_QUERY,
                "Enumerating root/cimv2/* needs a WQL or association filter.",
                None,
            )),
        },
    }
}

fn wql(repo: &super::cim::Repo, q: &str, mode: Mode) -> Result<Vec<Arc<str>>, Fault> {
    let invalid = |e: String| {
        Fault::cannot_process_filter(
            code::WBEM_INVALID_QUERY,
            &format!("The WQL query is not valid: {e}."),
            Some(q),
        )
    };
    let parsed = parse_wql(q).map_err(invalid)?;
    let ci = repo.class_ci(&parsed.class).ok_or_else(|| {
        Fault::cannot_process_filter(
            code::CANNOT_PROCESS_FILTER,
            "The class named in the query does not exist in this namespace.",
            Some(q),
        )
    })?;
    let class = &repo.classes[ci];
    let only = match &parsed.props {
        None => None,
        Some(names) => Some(
            names
                .iter()
                .map(|n| {
                    class
                        .prop(n)
                        .ok_or_else(|| invalid(format!("no property {n}")))
                })
                .collect::<Result<Vec<usize>, Fault>>()?,
        ),
    };
    filtered(class, parsed.cond, only, mode, Some(q))
}

fn filtered(
    class: &Class,
    cond: Option<Cond<String>>,
    only: Option<Vec<usize>>,
    mode: Mode,
    query_text: Option<&str>,
) -> Result<Vec<Arc<str>>, Fault> {
    let bound = match cond {
        None => None,
        Some(c) => Some(bind(&c, &|n| class.prop(n)).map_err(|p| {
            Fault::cannot_process_filter(
                code::WBEM_INVALID_QUERY,
                &format!(
                    "The filter names a property {p} that {} does not have.",
                    class.name
                ),
                query_text,
            )
        })?),
    };
    Ok(class
        .instances
        .iter()
        .enumerate()
        .filter(|(_, inst)| bound.as_ref().is_none_or(|c| eval(c, &inst.vals)))
        .map(|(i, _)| item(class, i, only.as_deref(), mode))
        .collect())
}

fn association(
    repo: &super::cim::Repo,
    filter: roxmltree::Node,
    mode: Mode,
) -> Result<Vec<Arc<str>>, Fault> {
    let fail = |e: String| {
        Fault::cannot_process_filter(
            code::CANNOT_PROCESS_FILTER,
            &format!("The association filter cannot be processed: {e}."),
            None,
        )
    };
    let a = parse_assoc(filter).map_err(fail)?;
    let results = run_assoc(repo, &a).map_err(fail)?;
    Ok(results
        .into_iter()
        .map(|(ci, i)| {
            let class = &repo.classes[ci];
            let only: Option<Vec<usize>> = (a.associated && !a.include.is_empty())
                .then(|| a.include.iter().filter_map(|n| class.prop(n)).collect());
            item(class, i, only.as_deref(), mode)
        })
        .collect())
}
