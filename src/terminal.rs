//! Text from a server, made safe to show on a terminal: control characters
//! (C0 other than line breaks and tabs, DEL, and C1 such as U+009B, which
//! some terminals read as the start of an escape sequence) are shown as
//! `�`, so a reply can never retitle the window, move the cursor or clear
//! the screen. For one-line messages, line breaks go too and the length is
//! bounded. Every printer of server text goes through here.
//!
//! The same path keeps the run's secrets off the screen: a server page
//! that echoes the password (`login failed for x:hunter2`) or the Basic
//! header's base64 shows `[redacted]` in its place. The application names
//! those secrets ([`conceal`]) once it has the credentials.

use std::borrow::Cow;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::protocol::model::Element;

/// What a concealed secret reads as.
const REDACTED: &str = "[redacted]";

/// Secrets shorter than this are not looked for in output: hiding every
/// `a` of a reply for a one-letter password would ruin it and protect
/// nothing. (The `--debug` trace hides them all the same.)
const SHORTEST_CONCEALED: usize = 4;

/// The run's secrets. Process-wide, like the terminal it guards.
static CONCEALED: RwLock<Vec<Box<str>>> = RwLock::new(Vec::new());
/// Whether [`CONCEALED`] holds anything, so text is only searched then.
static CONCEALING: AtomicBool = AtomicBool::new(false);

/// Keeps `secret`, as typed and as XML writes it, out of every server
/// text shown from now on.
pub fn conceal(secret: &str) {
    if secret.chars().count() < SHORTEST_CONCEALED {
        return;
    }
    let escaped = crate::protocol::xml::escape(secret);
    let mut secrets = CONCEALED.write().unwrap_or_else(|e| e.into_inner());
    for form in [secret, &escaped] {
        if !secrets.iter().any(|known| &**known == form) {
            secrets.push(form.into());
        }
    }
    // Longest first, so a secret containing another is hidden whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    CONCEALING.store(true, Ordering::Release);
}

/// `text` with the run's secrets replaced by `[redacted]`.
pub fn redacted(text: &str) -> Cow<'_, str> {
    if !CONCEALING.load(Ordering::Acquire) {
        return Cow::Borrowed(text);
    }
    let secrets = CONCEALED.read().unwrap_or_else(|e| e.into_inner());
    let mut out = Cow::Borrowed(text);
    for secret in secrets.iter() {
        if out.contains(&**secret) {
            out = Cow::Owned(out.replace(&**secret, REDACTED));
        }
    }
    out
}

/// `element` with the run's secrets redacted from every text and
/// attribute value; borrowed when none holds one (nearly always).
pub fn redacted_element(element: &Element) -> Cow<'_, Element> {
    fn holds_secret(e: &Element, secrets: &[Box<str>]) -> bool {
        let holds = |text: &str| secrets.iter().any(|secret| text.contains(&**secret));
        e.text.as_deref().is_some_and(holds)
            || e.attributes.iter().any(|a| holds(&a.value))
            || e.children.iter().any(|child| holds_secret(child, secrets))
    }
    if !CONCEALING.load(Ordering::Acquire) {
        return Cow::Borrowed(element);
    }
    // One look at the secrets for the whole element, not one per text.
    let found = holds_secret(
        element,
        &CONCEALED.read().unwrap_or_else(|e| e.into_inner()),
    );
    if !found {
        return Cow::Borrowed(element);
    }
    let mut clean = element.clone();
    rewrite_texts(&mut clean, &redacted);
    Cow::Owned(clean)
}

/// Applies `change` to every text and attribute value in `element`,
/// replacing those it returns changed.
pub fn rewrite_texts(element: &mut Element, change: &dyn Fn(&str) -> Cow<'_, str>) {
    if let Some(text) = &mut element.text
        && let Cow::Owned(new) = change(text)
    {
        *text = new.into();
    }
    for attribute in &mut element.attributes {
        if let Cow::Owned(new) = change(&attribute.value) {
            attribute.value = new.into();
        }
    }
    for child in &mut element.children {
        rewrite_texts(child, change);
    }
}

/// Whether `c` is safe to print as it is (line breaks and tabs are).
fn harmless(c: char) -> bool {
    !c.is_control() || matches!(c, '\n' | '\r' | '\t')
}

/// Whether `text` may hold a control character: C0 (< 0x20), DEL or C1
/// (UTF-8 0xC2 0x80..0x9F). Text without those bytes needs no closer look.
fn maybe_control(text: &str) -> bool {
    text.bytes()
        .fold(false, |any, b| any | (b < 0x20) | (b == 0x7F) | (b == 0xC2))
}

/// Appends `text` with its dangerous control characters shown as `�`.
/// Secrets are not looked for: this is for renderers, whose elements the
/// printer has already redacted ([`redacted_element`]) once for all.
pub fn push_defused(out: &mut String, text: &str) {
    if is_harmless(text) {
        out.push_str(text);
    } else {
        out.extend(defuse_chars(text));
    }
}

/// `text` with its dangerous control characters shown as `�`; like
/// [`push_defused`], it leaves secrets to the printer.
pub fn defused(text: &str) -> Cow<'_, str> {
    if is_harmless(text) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(defuse_chars(text).collect())
    }
}

/// Whether `text` holds nothing to defuse (the quick byte scan first).
fn is_harmless(text: &str) -> bool {
    !maybe_control(text) || text.chars().all(harmless)
}

fn defuse_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .map(|c| if harmless(c) { c } else { '\u{FFFD}' })
}

/// `text` with the run's secrets redacted and its dangerous control
/// characters shown as `�`: for server text that reaches no printer.
pub fn safe(text: &str) -> Cow<'_, str> {
    match redacted(text) {
        Cow::Borrowed(text) => defused(text),
        Cow::Owned(text) => Cow::Owned(defused(&text).into_owned()),
    }
}

/// `text` on one line for a message: every control character (line breaks
/// too) shown as a space or `�`, and at most `max` characters, the rest
/// counted (`… (12,345 more characters)`), so a hostile megabyte of reason
/// text stays one readable line.
pub fn one_line(text: &str, max: usize) -> Cow<'_, str> {
    // Redacted once: a second pass could find a secret inside `[redacted]`.
    match redacted(text) {
        Cow::Borrowed(text) => one_line_clean(text, max),
        Cow::Owned(clean) => Cow::Owned(one_line_clean(&clean, max).into_owned()),
    }
}

/// [`one_line`] on text already redacted.
fn one_line_clean(text: &str, max: usize) -> Cow<'_, str> {
    let short = text.len() <= max;
    if short && !maybe_control(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(max + 32));
    for (kept, c) in text.chars().enumerate() {
        if kept == max {
            let rest = text.chars().count() - kept;
            out.push_str(&format!("… ({rest} more characters)"));
            return Cow::Owned(out);
        }
        out.push(match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        });
    }
    Cow::Owned(out)
}

/// `text` cut to at most `max` characters, the rest counted as by
/// [`one_line`]; line breaks stay. For multi-line server text (a fault's
/// details) that must not flood the screen.
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    match redacted(text) {
        Cow::Borrowed(text) => cut_clean(text, max),
        Cow::Owned(clean) => Cow::Owned(cut_clean(&clean, max).into_owned()),
    }
}

/// [`cut`] on text already redacted.
fn cut_clean(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((end, _)) => {
            let rest = text[end..].chars().count();
            Cow::Owned(format!("{}… ({rest} more characters)", &text[..end]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_defused_and_lines_kept() {
        assert_eq!(safe("plain\ttext\r\n"), "plain\ttext\r\n");
        assert_eq!(
            safe("\u{1b}]0;title\u{7}\u{1b}[2J"),
            "\u{FFFD}]0;title\u{FFFD}\u{FFFD}[2J"
        );
        assert_eq!(safe("csi\u{9b}31m"), "csi\u{FFFD}31m");
        assert_eq!(safe("é ✓"), "é ✓");
    }

    #[test]
    fn one_line_is_one_bounded_line() {
        assert_eq!(one_line("a\r\nb\u{1b}[2J", 100), "a  b\u{FFFD}[2J");
        let long = "x".repeat(1000);
        assert_eq!(one_line(&long, 10), "xxxxxxxxxx… (990 more characters)");
        assert_eq!(one_line("short", 10), "short");
    }

    #[test]
    fn cut_keeps_lines_and_counts_the_rest() {
        assert_eq!(cut("a\nbcdef", 3), "a\nb… (4 more characters)");
        assert_eq!(cut("é✓", 2), "é✓");
        assert_eq!(cut("ééé", 1), "é… (2 more characters)");
    }
}
