//! `enumerate`: Enumerate + Pull until the end, printing each page as it
//! arrives. Ctrl-C stops after the page in flight and releases the
//! server's enumeration context; a failure part-way keeps what was printed
//! well-formed and says how many items came before it.

use std::io::Write;

use winrm::render::Printer;
use winrm::session::{Cancel, EnumerateOptions, Session};

use crate::cli::interrupt::Interrupted;
use crate::cli::output::Progress;
use crate::cli::plan::{OutputPlan, Request};

pub fn run(
    session: &mut Session,
    (request, options, limit): (&Request, &EnumerateOptions, Option<u64>),
    output: &OutputPlan,
    cancel: &Cancel,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let limit = limit.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let mut printer = Printer::with_options(output.format, output.render.clone(), out);
    let mut progress = Progress::new(output.debug || !output.progress);
    let mut items = session
        .enumerate(&request.resource, &request.options, options)?
        .stop_on(cancel.clone());
    while let Some(item) = items.next() {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                // What was printed stays well-formed (a closed JSON array,
                // a closed XML wrapper); the exit code and the error say it
                // is incomplete, and how many items came before.
                drop(items);
                progress.clear();
                let _ = printer.finish_list();
                return Err(anyhow::Error::from(e).context(Incomplete {
                    items: printer.items(),
                }));
            }
        };
        printer.item(&item)?;
        if printer.items() >= limit {
            // Enough: dropping the iterator releases the enumeration.
            break;
        }
        // Show each page as soon as it is printed, not per item: one write
        // per page keeps large enumerations cheap.
        if items.page_done() {
            printer.flush()?;
            progress.page(printer.items());
            if cancel.is_cancelled() {
                // Dropping the iterator sends the Release.
                drop(items);
                progress.clear();
                printer.finish_list()?;
                return Err(Interrupted::Enumeration {
                    items: printer.items(),
                }
                .into());
            }
        }
    }
    drop(items);
    progress.clear();
    printer.finish_list()?;
    if cancel.is_cancelled() {
        // Stopped while the server sent empty pages.
        return Err(Interrupted::Enumeration {
            items: printer.items(),
        }
        .into());
    }
    // On several hosts this names the host; a fleet's shared table or
    // csv is checked once, at its end.
    if let Some(warning) = crate::cli::hints::unmatched_columns(&printer.unmatched_columns()) {
        let _ = writeln!(err, "{warning}");
    }
    Ok(0)
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
