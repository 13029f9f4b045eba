//! Text from a server, made safe to show on a terminal: control characters
//! (C0 other than line breaks and tabs, DEL, and C1 such as U+009B, which
//! some terminals read as the start of an escape sequence) are shown as
//! `�`, so a reply can never retitle the window, move the cursor or clear
//! the screen. For one-line messages, line breaks go too and the length is
//! bounded. Every printer of server text goes through here.

use std::borrow::Cow;

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
pub fn push_safe(out: &mut String, text: &str) {
    if !maybe_control(text) || text.chars().all(harmless) {
        out.push_str(text);
    } else {
        out.extend(
            text.chars()
                .map(|c| if harmless(c) { c } else { '\u{FFFD}' }),
        );
    }
}

/// `text` with its dangerous control characters shown as `�`.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !maybe_control(text) || text.chars().all(harmless) {
        Cow::Borrowed(text)
    } else {
        let mut out = String::with_capacity(text.len());
        push_safe(&mut out, text);
        Cow::Owned(out)
    }
}

/// `text` on one line for a message: every control character (line breaks
/// too) shown as a space or `�`, and at most `max` characters, the rest
/// counted (`… (12,345 more characters)`), so a hostile megabyte of reason
/// text stays one readable line.
pub fn one_line(text: &str, max: usize) -> Cow<'_, str> {
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
