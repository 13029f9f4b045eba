//! The frame around output from several hosts (a fleet): what names each
//! host's part, per format. The parts themselves are the single-host
//! output, unchanged; these functions only write what goes around them.
//!
//! - text: a header line `=== HOST ===` above each host's output; a remote
//!   command's lines are prefixed with `HOST: `, as pdsh does.
//! - json: one array with an object per host,
//!   `{"@host": HOST, "result": OUTPUT, "error": ERROR}`: `result` is what
//!   the single-host run prints (an object, an enumeration's array, a
//!   command's `{"stdout",…,"exitCode"}`, or `null` when it prints
//!   nothing), `error` the single-host error object, present only when the
//!   host failed (with `result` holding what came before the failure).
//! - jsonl: every record gets `"@host"` as its first member.
//! - xml, pretty: one `<Hosts>` document; each host's output inside
//!   `<Host name="HOST">`, a failure as `<Error kind=".." exitCode="..">`.
//! - table, csv, tsv: a first `Host` column (see [`super::RenderOptions`]).

use super::json::escape_into;
use crate::protocol::xml::{escape_attribute_into, escape_into as xml_escape_into};

/// The longest host name shown in a header or prefix, in characters.
const LABEL_LIMIT: usize = 256;

/// A target as shown on a terminal: one line, defused (a targets file
/// is anyone's text).
pub fn shown(label: &str) -> std::borrow::Cow<'_, str> {
    crate::terminal::one_line(label, LABEL_LIMIT)
}

/// The header line above a host's text output.
pub fn text_header(label: &str) -> String {
    format!("=== {} ===\n", shown(label))
}

/// What goes in front of each line of a host's command output.
pub fn line_prefix(label: &str) -> String {
    format!("{}: ", shown(label))
}

/// A JSON Lines record with `"@host"` added as its first member. A line
/// that is not an object becomes `{"@host":…,"value":LINE}`.
pub fn jsonl_record(line: &str, label: &str) -> String {
    let mut out = String::with_capacity(line.len() + label.len() + 16);
    out.push_str("{\"@host\":");
    escape_into(&mut out, label);
    let body = line.trim_end_matches(['\r', '\n']);
    match body.strip_prefix('{') {
        Some(rest) if rest.trim_start().starts_with('}') => out.push_str(rest.trim_start()),
        Some(rest) => {
            out.push(',');
            out.push_str(rest);
        }
        None => {
            out.push_str(",\"value\":");
            out.push_str(body);
            out.push('}');
        }
    }
    out.push('\n');
    out
}

/// The start of a host's object in the JSON array, up to its `"@host"`
/// member: `[` before the first, `,` before the others.
pub fn json_host_open(label: &str, first: bool) -> String {
    let mut out = String::from(if first {
        "[\n  {\n    "
    } else {
        ",\n  {\n    "
    });
    escape_into(&mut out, "@host");
    out.push_str(": ");
    escape_into(&mut out, label);
    out
}

/// What comes before a host's output in its JSON object.
pub const JSON_RESULT: &str = ",\n    \"result\": ";
/// A host's `result` when its run printed nothing.
pub const JSON_NO_RESULT: &str = ",\n    \"result\": null";

/// A failed host's `error` member.
pub fn json_host_error(error_object: &str) -> String {
    format!(",\n    \"error\": {error_object}")
}

/// The end of a host's JSON object.
pub const JSON_HOST_CLOSE: &str = "\n  }";

/// The end of the JSON array (`[]` when no host got an object).
pub fn json_close(any: bool) -> &'static str {
    if any { "\n]\n" } else { "[]\n" }
}

/// Indents a host's JSON output to its place inside the array, as it
/// streams through: after each line break, four spaces; the final line
/// break is dropped.
#[derive(Debug, Default)]
pub struct Reindent {
    pending_break: bool,
}

impl Reindent {
    /// Appends `bytes`, indented, to `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        for &byte in bytes {
            if std::mem::take(&mut self.pending_break) {
                out.extend_from_slice(b"\n    ");
            }
            if byte == b'\n' {
                self.pending_break = true;
            } else {
                out.push(byte);
            }
        }
    }
}

/// The opening of the XML document of a fleet.
pub const XML_OPEN: &str = "<Hosts>\n";
/// The end of the XML document of a fleet.
pub const XML_CLOSE: &str = "</Hosts>\n";

/// The opening tag of a host's part of the XML document.
pub fn xml_host_open(label: &str) -> String {
    let mut out = String::from("<Host name=\"");
    escape_attribute_into(&mut out, label);
    out.push_str("\">\n");
    out
}

/// A failed host's `<Error>` element.
pub fn xml_host_error(kind: &str, exit: u8, message: &str) -> String {
    let mut out = String::from("<Error kind=\"");
    escape_attribute_into(&mut out, kind);
    out.push_str(&format!("\" exitCode=\"{exit}\">"));
    xml_escape_into(&mut out, message);
    out.push_str("</Error>\n");
    out
}

/// The closing tag of a host's part.
pub const XML_HOST_CLOSE: &str = "</Host>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_get_the_host_first() {
        assert_eq!(
            jsonl_record("{\"a\":1}\n", "web01:5985"),
            "{\"@host\":\"web01:5985\",\"a\":1}\n"
        );
        assert_eq!(jsonl_record("{}", "h"), "{\"@host\":\"h\"}\n");
        assert_eq!(jsonl_record("3", "h"), "{\"@host\":\"h\",\"value\":3}\n");
        assert_eq!(
            jsonl_record("{\"x\":\"\\\"\"}\n", "a\"b"),
            "{\"@host\":\"a\\\"b\",\"x\":\"\\\"\"}\n"
        );
    }

    #[test]
    fn host_output_is_indented_into_the_array() {
        let mut out = Vec::new();
        let mut indent = Reindent::default();
        indent.push(b"{\n  \"a\": 1", &mut out);
        indent.push(b"\n}\n", &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "{\n      \"a\": 1\n    }");
        let whole = format!(
            "{}{}{}{}{}",
            json_host_open("h", true),
            JSON_RESULT,
            "{\n      \"a\": 1\n    }",
            JSON_HOST_CLOSE,
            json_close(true)
        );
        assert_eq!(
            whole,
            "[\n  {\n    \"@host\": \"h\",\n    \"result\": {\n      \"a\": 1\n    }\n  }\n]\n"
        );
    }

    #[test]
    fn names_are_escaped_and_defused() {
        assert_eq!(xml_host_open("a<\"b"), "<Host name=\"a&lt;&quot;b\">\n");
        assert_eq!(
            xml_host_error("connection", 4, "x < y"),
            "<Error kind=\"connection\" exitCode=\"4\">x &lt; y</Error>\n"
        );
        assert!(!text_header("evil\x1b[2Jhost").contains('\x1b'));
        assert_eq!(line_prefix("web01"), "web01: ");
    }
}
