//! PowerShell's CLIXML on stderr → the text a person would read.
//!
//! powershell.exe run without a console writes its error, warning, verbose
//! and debug records to stderr as serialized objects: a `#< CLIXML` line,
//! then `<Objs>` with one `<S S="Error">` string per line of text, and
//! `<Obj S="progress">` records for progress bars. Strings escape control
//! characters as `_xHHHH_` (so a line break is `_x000D__x000A_`). This
//! keeps the strings, prefixed as the console would show them, and drops
//! progress. Anything that is not CLIXML is returned unchanged.

/// The marker powershell.exe writes before CLIXML.
const MARKER: &[u8] = b"#< CLIXML";

/// The plain text of `stderr`: decoded when it is CLIXML, else as it is.
pub fn plain_text(stderr: &[u8]) -> Vec<u8> {
    let Some(rest) = stderr.strip_prefix(MARKER) else {
        return stderr.to_vec();
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return stderr.to_vec();
    };
    // Several documents may follow one another (one per write); each
    // starts with `<Objs`.
    let mut out = String::new();
    for document in text.split("#< CLIXML") {
        let document = document.trim();
        if document.is_empty() {
            continue;
        }
        match roxmltree::Document::parse(document) {
            Ok(doc) => strings_into(&doc, &mut out),
            Err(_) => return stderr.to_vec(),
        }
    }
    out.into_bytes()
}

fn strings_into(doc: &roxmltree::Document, out: &mut String) {
    let root = doc.root_element();
    for node in root.children().filter(|n| n.has_tag_name("S")) {
        let prefix = match node.attribute("S") {
            Some("Error") => "",
            Some("warning") => "WARNING: ",
            Some("verbose") => "VERBOSE: ",
            Some("debug") => "DEBUG: ",
            Some("information") | None => "",
            // Other streams are not meant for people.
            Some(_) => continue,
        };
        out.push_str(prefix);
        unescape_into(node.text().unwrap_or(""), out);
    }
}

/// `_xHHHH_` → the character; `_x005F_` is a literal underscore.
fn unescape_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        let decoded = candidate
            .get(2..6)
            .filter(|_| candidate.as_bytes().get(6) == Some(&b'_'))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &candidate[7..];
            }
            None => {
                out.push_str("_x");
                rest = &candidate[2..];
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::plain_text;

    #[test]
    fn errors_become_lines_and_progress_goes() {
        let clixml = concat!(
            "#< CLIXML\r\n",
            "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">",
            "<Obj S=\"progress\" RefId=\"0\"><TN RefId=\"0\"><T>System.Management.Automation.PSCustomObject</T></TN>",
            "<MS><I64 N=\"SourceId\">1</I64></MS></Obj>",
            "<S S=\"Error\">oops: a_x005F_b _x000D__x000A_</S>",
            "<S S=\"Error\">second line_x000D__x000A_</S>",
            "<S S=\"warning\">careful_x000D__x000A_</S>",
            "</Objs>"
        );
        assert_eq!(
            String::from_utf8(plain_text(clixml.as_bytes())).unwrap(),
            "oops: a_b \r\nsecond line\r\nWARNING: careful\r\n"
        );
    }

    #[test]
    fn anything_else_is_left_alone() {
        assert_eq!(plain_text(b"plain error\r\n"), b"plain error\r\n");
        assert_eq!(plain_text(b"#< CLIXML\r\n<Objs"), b"#< CLIXML\r\n<Objs");
        assert_eq!(
            plain_text(b"#< CLIXML\r\n<Objs><S S=\"Error\">_x12_</S></Objs>"),
            b"_x12_"
        );
    }
}
