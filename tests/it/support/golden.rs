//! Golden files: compare what a test produced with a file under
//! `tests/golden/`, or rewrite the file when `SNAPSHOTS=overwrite` is set.
//! Every module that keeps golden files goes through [`overwriting`], so
//! one variable rewrites them all; a rewrite is only as good as the review
//! of its `git diff`.
//!
//! [`assert_run`] snapshots a whole run of the binary (the command line,
//! exit code, stdout and stderr) in one file per case,
//! `tests/golden/cli/<case>.txt`, so a diff shows all four together.
//! Before comparing, it replaces what changes from run to run, and nothing
//! else:
//!
//! - `[PORT]`: the digits after `127.0.0.1:`, `localhost:` or `[::1]:`
//!   (every test server binds an ephemeral port; a refused connection
//!   uses a port just closed).
//! - `[TMP]`: a [`TempDir`](super::TempDir), `$TMPDIR/winrm-it-PID-TAG-N`
//!   (the pid and the counter differ every run).
//! - `uuid:[UUID]`: `uuid:` and 8-4-4-4-12 hex digits (MessageIDs and
//!   enumeration contexts are fresh each run).

use std::path::{Path, PathBuf};

use super::Run;

/// True when `SNAPSHOTS=overwrite`: golden files are rewritten, not checked.
pub fn overwriting() -> bool {
    std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite")
}

/// Compares `actual` with the file at `path`, or writes it there under
/// `SNAPSHOTS=overwrite`. A mismatch fails with a line diff and the
/// command that rewrites the file; `filter` is the `cargo test` name filter
/// that reaches the test (usually its module).
#[track_caller]
pub fn assert_file(path: &Path, actual: &str, filter: &str) {
    if overwriting() {
        std::fs::create_dir_all(path.parent().expect("a golden file sits in a folder"))
            .expect("create the golden folder");
        std::fs::write(path, actual).expect("write the golden file");
        return;
    }
    // Paths relative to the crate root, as the user will type them.
    let shown = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path);
    let rewrite = format!(
        "if the new output is right: SNAPSHOTS=overwrite cargo test --locked --test it {filter}\n\
         then review `git diff {}`",
        shown.parent().unwrap_or(shown).display()
    );
    let expected = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => panic!(
            "no golden file {} ({e})\n--- actual\n{actual}---\n{rewrite}",
            shown.display()
        ),
    };
    if expected != actual {
        panic!(
            "{} differs (- golden, + actual)\n{}{rewrite}",
            shown.display(),
            diff(&expected, actual)
        );
    }
}

/// Where the CLI snapshots live.
fn cli_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/cli")
}

/// Compares a finished run with `tests/golden/cli/<case>.txt`, after the
/// substitutions listed at the top of this file.
#[track_caller]
pub fn assert_run(case: &str, run: &Run) {
    let path = cli_dir().join(format!("{case}.txt"));
    assert_file(&path, &scrub(&render(run)), "snapshots");
}

/// The snapshot text of a run: the command, the exit code, then each
/// stream under a header that also says when it is empty or lacks a final
/// newline (otherwise invisible in a diff).
fn render(run: &Run) -> String {
    let mut out = String::from("$ winrm");
    for arg in &run.args {
        out.push(' ');
        out.push_str(&quote(arg));
    }
    out.push('\n');
    match run.code {
        Some(code) => out.push_str(&format!("exit code: {code}\n")),
        None => out.push_str("exit code: none (killed by a signal)\n"),
    }
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        out.push_str("--- ");
        out.push_str(name);
        if text.is_empty() {
            out.push_str(" (empty)\n");
        } else if !text.ends_with('\n') {
            out.push_str(" (no newline at end)\n");
            out.push_str(text);
            out.push('\n');
        } else {
            out.push('\n');
            out.push_str(text);
        }
    }
    out
}

/// An argument as a POSIX shell would need it, so the header line can be
/// pasted (after putting a real port back): bare when nothing in it is
/// special, in double quotes when only single quotes are (WQL filters read
/// better so), else in single quotes.
fn quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@,+%#".contains(c);
    if !arg.is_empty() && !arg.starts_with('#') && arg.chars().all(plain) {
        arg.to_string()
    } else if arg.contains('\'') && !arg.contains(['"', '$', '`', '\\', '!']) {
        format!("\"{arg}\"")
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Applies the substitutions listed at the top of this file.
fn scrub(text: &str) -> String {
    let tmp = std::env::temp_dir();
    let tmp = format!("{}/winrm-it-", tmp.to_string_lossy().trim_end_matches('/'));
    let text = replace_after(text, &[&tmp], |_, rest| {
        let name = rest
            .find(|c: char| c == '/' || c == '\'' || c == '"' || c.is_whitespace())
            .unwrap_or(rest.len());
        Some((name, "[TMP]".to_string()))
    });
    let text = replace_after(
        &text,
        &["127.0.0.1:", "localhost:", "[::1]:"],
        |marker, rest| {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            (digits > 0).then(|| (digits, format!("{marker}[PORT]")))
        },
    );
    replace_after(&text, &["uuid:"], |marker, rest| {
        is_uuid(rest).then(|| (36, format!("{marker}[UUID]")))
    })
}

/// Wherever one of `markers` occurs, asks `what` (given the marker and the
/// text after it) how many bytes after the marker to take, and what to put
/// in place of the marker and those bytes.
fn replace_after(
    text: &str,
    markers: &[&str],
    what: impl Fn(&str, &str) -> Option<(usize, String)>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = markers
            .iter()
            .filter_map(|m| rest.find(m).map(|at| (at, *m)))
            .min_by_key(|(at, _)| *at);
        let Some((at, marker)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at]);
        let after = &rest[at + marker.len()..];
        match what(marker, after) {
            Some((skip, with)) => {
                out.push_str(&with);
                rest = &after[skip..];
            }
            None => {
                out.push_str(marker);
                rest = after;
            }
        }
    }
}

/// 8-4-4-4-12 hex digits at the start of `s` (either case).
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 36
        && (0..36).all(|i| match i {
            8 | 13 | 18 | 23 => b[i] == b'-',
            _ => b[i].is_ascii_hexdigit(),
        })
}

/// Lines of context shown around each change.
const CONTEXT: usize = 2;
/// Above this many changed lines on either side, the middle is shown as
/// removed-then-added rather than aligned (the alignment is quadratic).
const ALIGN_LIMIT: usize = 2000;

/// A unified-style line diff of `old` → `new`: `-` lines only in the
/// golden file, `+` lines only in the actual output, `@@ line N` before
/// each hunk.
fn diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (mid_a, mid_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);

    // (tag, line): ' ' same, '-' golden only, '+' actual only.
    let mut ops: Vec<(char, &str)> = a[..prefix].iter().map(|l| (' ', *l)).collect();
    if mid_a.len() > ALIGN_LIMIT || mid_b.len() > ALIGN_LIMIT {
        ops.extend(mid_a.iter().map(|l| ('-', *l)));
        ops.extend(mid_b.iter().map(|l| ('+', *l)));
    } else {
        ops.extend(align(mid_a, mid_b));
    }
    ops.extend(a[a.len() - suffix..].iter().map(|l| (' ', *l)));

    let mut out = String::new();
    let mut shown_to = 0; // first op index not yet printed
    let mut line = 0; // golden line number of op i
    let mut lines = Vec::with_capacity(ops.len());
    for (tag, _) in &ops {
        lines.push(line + 1);
        if *tag != '+' {
            line += 1;
        }
    }
    let mut i = 0;
    while i < ops.len() {
        if ops[i].0 == ' ' {
            i += 1;
            continue;
        }
        let start = i.saturating_sub(CONTEXT).max(shown_to);
        let mut end = i;
        // Extend the hunk while the next change is within reach.
        while end < ops.len() {
            if ops[end].0 != ' ' {
                end += 1;
                continue;
            }
            let gap = ops[end..].iter().take_while(|(t, _)| *t == ' ').count();
            if end + gap < ops.len() && gap <= 2 * CONTEXT {
                end += gap;
            } else {
                break;
            }
        }
        let stop = (end + CONTEXT).min(ops.len());
        if start > shown_to || start == 0 {
            out.push_str(&format!("@@ line {}\n", lines[start]));
        }
        for (tag, text) in &ops[start..stop] {
            out.push(*tag);
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push_str("\n\\ no newline at end\n");
            }
        }
        shown_to = stop;
        i = stop;
    }
    out
}

/// The longest-common-subsequence alignment of two line lists.
fn align<'t>(a: &[&'t str], b: &[&'t str]) -> Vec<(char, &'t str)> {
    let w = b.len() + 1;
    // lcs[i * w + j]: LCS length of a[i..] and b[j..].
    let mut lcs = vec![0u32; (a.len() + 1) * w];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(a.len() + b.len());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], code: Option<i32>, stdout: &str, stderr: &str) -> Run {
        Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            stdout: stdout.into(),
            stderr: stderr.into(),
            code,
            elapsed: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn golden_render_shows_all_three_and_marks_edges() {
        let text = render(&run(
            &["get", "@{a=\"b c\"}", "it's", "#x", "'$HOME'"],
            Some(1),
            "",
            "no newline",
        ));
        assert_eq!(
            text,
            "$ winrm get '@{a=\"b c\"}' \"it's\" '#x' ''\\''$HOME'\\'''\nexit code: 1\n\
             --- stdout (empty)\n--- stderr (no newline at end)\nno newline\n"
        );
        let text = render(&run(&["id"], None, "a\n", "b\n"));
        assert_eq!(
            text,
            "$ winrm id\nexit code: none (killed by a signal)\n--- stdout\na\n--- stderr\nb\n"
        );
    }

    #[test]
    fn golden_scrub_replaces_only_what_varies() {
        let tmp = std::env::temp_dir().join("winrm-it-4242-bad-ca-7/ca.pem");
        let input = format!(
            "http://127.0.0.1:54321/wsman localhost:5986 [::1]:80 127.0.0.1: \
             uuid:0A1b2C3d-0000-4000-8000-00000000ABCD uuid:not-one {} Port 5985\n",
            tmp.display()
        );
        assert_eq!(
            scrub(&input),
            "http://127.0.0.1:[PORT]/wsman localhost:[PORT] [::1]:[PORT] 127.0.0.1: \
             uuid:[UUID] uuid:not-one [TMP]/ca.pem Port 5985\n"
        );
    }

    #[test]
    fn golden_diff_shows_changed_lines_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n";
        assert_eq!(
            diff(old, new),
            "@@ line 3\n 3\n 4\n-5\n+five\n 6\n 7\n@@ line 9\n 9\n 10\n+11\n"
        );
        assert_eq!(
            diff("a\n", "a"),
            "@@ line 1\n-a\n+a\n\\ no newline at end\n"
        );
    }
}
