//! Golden files: compare what a test produced with a file under
//! `tests/golden/`, or rewrite the file when `SNAPSHOTS=overwrite` is set.
//! Every module that keeps golden files goes through [`overwriting`], so
//! one variable rewrites them all; a rewrite is only as good as the review
//! of its `git diff`.
//!
//! On a mismatch the failure shows a line diff and the command that
//! rewrites the file.

use std::path::Path;

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
