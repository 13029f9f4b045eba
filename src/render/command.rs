//! A remote command's output in each format. Text is the bytes themselves,
//! stdout to stdout and stderr to stderr, as they arrive. JSON Lines is a
//! record per piece of output, `{"stream":"stdout","text":"..."}`, then
//! `{"exitCode":N}` when the command ends. JSON is one object at the end,
//! `{"stdout":"...","stderr":"...","exitCode":N}` (so it holds the output
//! in memory; JSON Lines does not). JSON carries text: output is decoded as
//! UTF-8 (code page 65001, the default), a character split between two
//! pieces is kept whole, and bytes that are not UTF-8 become U+FFFD.

use std::io::{self, Write};

use super::Format;
use super::json::escape_into;
use crate::protocol::shell::Stream;

/// Writes one command's output to stdout and stderr.
pub struct CommandPrinter<'w> {
    format: Format,
    out: &'w mut dyn Write,
    err: &'w mut dyn Write,
    stdout: Utf8Carry,
    stderr: Utf8Carry,
    /// For JSON: the whole output so far.
    held: [String; 2],
}

impl<'w> CommandPrinter<'w> {
    /// A printer for `format` (text, json or jsonl; anything else prints
    /// as text).
    pub fn new(format: Format, out: &'w mut dyn Write, err: &'w mut dyn Write) -> Self {
        CommandPrinter {
            format,
            out,
            err,
            stdout: Utf8Carry::default(),
            stderr: Utf8Carry::default(),
            held: [String::new(), String::new()],
        }
    }

    /// Prints one piece of output as it arrived, and flushes it.
    ///
    /// # Errors
    ///
    /// A failed write (a closed pipe, a full disk).
    pub fn chunk(&mut self, stream: Stream, bytes: &[u8]) -> io::Result<()> {
        match self.format {
            Format::Json | Format::Jsonl => {
                let carry = match stream {
                    Stream::Stdout => &mut self.stdout,
                    Stream::Stderr => &mut self.stderr,
                };
                let text = carry.decode(bytes);
                self.text(stream, &text)
            }
            _ => {
                let sink = match stream {
                    Stream::Stdout => &mut *self.out,
                    Stream::Stderr => &mut *self.err,
                };
                sink.write_all(bytes)?;
                sink.flush()
            }
        }
    }

    fn text(&mut self, stream: Stream, text: &str) -> io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let index = usize::from(stream == Stream::Stderr);
        if self.format == Format::Json {
            self.held[index].push_str(text);
            return Ok(());
        }
        let mut line = String::with_capacity(text.len() + 32);
        line.push_str("{\"stream\":");
        line.push_str(if index == 0 {
            "\"stdout\""
        } else {
            "\"stderr\""
        });
        line.push_str(",\"text\":");
        escape_into(&mut line, text);
        line.push_str("}\n");
        self.out.write_all(line.as_bytes())?;
        self.out.flush()
    }

    /// Ends the output: what is left of split characters, then the exit
    /// code (JSON Lines) or the whole object (JSON). `None`: the command
    /// was stopped before it reported one.
    ///
    /// # Errors
    ///
    /// A failed write.
    pub fn finish(&mut self, exit_code: Option<i64>) -> io::Result<()> {
        if !self.format.is_json() {
            return Ok(());
        }
        let rest = [self.stdout.finish(), self.stderr.finish()];
        self.text(Stream::Stdout, &rest[0])?;
        self.text(Stream::Stderr, &rest[1])?;
        let code = exit_code.map_or_else(|| "null".to_string(), |c| c.to_string());
        let mut line = String::new();
        if self.format == Format::Json {
            line.push_str("{\"stdout\":");
            escape_into(&mut line, &self.held[0]);
            line.push_str(",\"stderr\":");
            escape_into(&mut line, &self.held[1]);
            line.push(',');
        } else {
            line.push('{');
        }
        line.push_str("\"exitCode\":");
        line.push_str(&code);
        line.push_str("}\n");
        self.out.write_all(line.as_bytes())?;
        self.out.flush()
    }
}

/// UTF-8 decoding across pieces: an incomplete character at the end of a
/// piece waits for the next one.
#[derive(Default)]
struct Utf8Carry {
    pending: Vec<u8>,
}

impl Utf8Carry {
    fn decode(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let keep = incomplete_tail(&self.pending);
        let cut = self.pending.len() - keep;
        let text = String::from_utf8_lossy(&self.pending[..cut]).into_owned();
        self.pending.drain(..cut);
        text
    }

    fn finish(&mut self) -> String {
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        text
    }
}

/// How many bytes at the end of `bytes` start a character that is not
/// complete yet (0 to 3).
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let byte = bytes[bytes.len() - back];
        if byte & 0b1100_0000 == 0b1000_0000 {
            continue; // a continuation byte: look further back
        }
        let needed = match byte {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return 0,
        };
        return if needed > back { back } else { 0 };
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(format: Format, pieces: &[(Stream, &[u8])], code: Option<i64>) -> (String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut printer = CommandPrinter::new(format, &mut out, &mut err);
        for (stream, bytes) in pieces {
            printer.chunk(*stream, bytes).unwrap();
        }
        printer.finish(code).unwrap();
        drop(printer);
        (
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn text_is_the_bytes_on_their_streams() {
        let pieces: &[(Stream, &[u8])] = &[(Stream::Stdout, b"a\r\n"), (Stream::Stderr, b"e\r\n")];
        assert_eq!(
            run(Format::Text, pieces, Some(0)),
            ("a\r\n".into(), "e\r\n".into())
        );
    }

    #[test]
    fn json_lines_keep_split_characters_whole() {
        // "é" is C3 A9: split across two pieces.
        let pieces: &[(Stream, &[u8])] = &[
            (Stream::Stdout, b"caf\xC3"),
            (Stream::Stdout, b"\xA9\r\n"),
            (Stream::Stderr, b"oops\xFF"),
        ];
        let (out, err) = run(Format::Jsonl, pieces, Some(3));
        assert_eq!(err, "");
        assert_eq!(
            out,
            "{\"stream\":\"stdout\",\"text\":\"caf\"}\n\
             {\"stream\":\"stdout\",\"text\":\"é\\r\\n\"}\n\
             {\"stream\":\"stderr\",\"text\":\"oops\u{FFFD}\"}\n\
             {\"exitCode\":3}\n"
        );
    }

    #[test]
    fn json_is_one_object_at_the_end() {
        let pieces: &[(Stream, &[u8])] =
            &[(Stream::Stdout, b"1\r\n"), (Stream::Stdout, b"2\"\r\n")];
        let (out, _) = run(Format::Json, pieces, None);
        assert_eq!(
            out,
            "{\"stdout\":\"1\\r\\n2\\\"\\r\\n\",\"stderr\":\"\",\"exitCode\":null}\n"
        );
    }

    #[test]
    fn incomplete_tails() {
        assert_eq!(incomplete_tail(b"ab"), 0);
        assert_eq!(incomplete_tail(b"a\xC3"), 1);
        assert_eq!(incomplete_tail(b"a\xE2\x82"), 2);
        assert_eq!(incomplete_tail(b"a\xE2\x82\xAC"), 0);
        assert_eq!(incomplete_tail(b"\xF0\x9F\x98"), 3);
        assert_eq!(incomplete_tail(b"\x80\x80\x80\x80"), 0);
    }
}
