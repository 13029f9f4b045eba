//! `-r` values → the targets, as the user wrote them. `-r` may be given
//! several times and may hold a comma-separated list; `-r:@FILE` reads
//! targets from a file, one per line (commas work there too), and `-r:@-`
//! from stdin. Blank lines, `#` comments and empty list entries are
//! skipped; a target written twice is worked on once (and one endpoint
//! spelled two ways, once the targets are parsed). Each target is what a
//! single `-r` takes; it is parsed later, with the other switches.

use std::collections::HashSet;
use std::io::Read as _;
use std::path::Path;

use crate::cli::{UsageError, local_file};

/// `-r:@-`: the targets come from stdin.
const FROM_STDIN: &str = "-";
/// The most a targets file (or stdin) may hold: a million hosts' names.
const LIST_LIMIT: u64 = 64 << 20;

/// The targets, and whether reading them used up stdin.
#[derive(Debug, PartialEq, Eq)]
pub struct Targets {
    /// Each target as written (trimmed), first occurrence first.
    pub names: Vec<String>,
    /// `-r:@-` was given: stdin held the list.
    pub from_stdin: bool,
}

/// Whether the `-r` values read the targets from stdin (`-r:@-`).
pub fn from_stdin(values: &[String]) -> bool {
    values
        .iter()
        .any(|v| v.trim().strip_prefix('@') == Some(FROM_STDIN))
}

/// Expands the `-r` values; without any, the one target is `localhost`
/// (winrm.cmd's default). `stdin` reads the whole of stdin, for `-r:@-`.
pub fn expand(
    values: &[String],
    stdin: &mut dyn FnMut() -> Result<String, UsageError>,
) -> Result<Targets, UsageError> {
    if values.is_empty() {
        return Ok(Targets {
            names: vec!["localhost".into()],
            from_stdin: false,
        });
    }
    let mut names: Vec<String> = Vec::new();
    let mut from_stdin = false;
    // What was listed already, to keep each target once: a set, since a
    // list may hold a million names.
    let mut seen: HashSet<String> = HashSet::new();
    let mut add = |name: &str, names: &mut Vec<String>| {
        if seen.insert(name.to_string()) {
            names.push(name.to_string());
        }
    };
    for value in values {
        let Some(list) = value.trim().strip_prefix('@') else {
            // A lone `-r:` (or `-r:,`) keeps its own error from the
            // endpoint parser.
            let mut pieces = list_pieces(value);
            match pieces.next() {
                None => add(value.trim(), &mut names),
                Some(first) => {
                    add(first, &mut names);
                    pieces.for_each(|p| add(p, &mut names));
                }
            }
            continue;
        };
        let (text, source) = if list == FROM_STDIN {
            if from_stdin {
                return Err(UsageError::new(
                    "-r:@- is given twice; stdin holds one list",
                ));
            }
            from_stdin = true;
            (stdin()?, "stdin".to_string())
        } else if list.is_empty() {
            return Err(UsageError::new(
                "-r:@ needs a file of targets after the @ (-r:@hosts.txt), or - for stdin",
            ));
        } else {
            let path = Path::new(list);
            (
                local_file::read_to_string(path, "the targets file", LIST_LIMIT)?,
                format!("the targets file {}", path.display()),
            )
        };
        let mut listed = 0;
        // Notepad starts a UTF-8 file with a byte order mark; lines may
        // end in CRLF (`lines` drops the CR).
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        for line in text.lines().map(str::trim) {
            if line.starts_with('#') {
                continue;
            }
            for piece in list_pieces(line) {
                listed += 1;
                add(piece, &mut names);
            }
        }
        if listed == 0 {
            return Err(UsageError::new(format!(
                "{source} lists no targets; put one HOST, HOST:PORT or URL on each line"
            )));
        }
    }
    Ok(Targets { names, from_stdin })
}

/// The targets of a comma-separated list, trimmed, empty ones skipped. A
/// URL's query may hold commas (`http://h:5985/wsman?PSVersion=5.1,x`, as
/// one `-r` always took it): once a URL reaches its `?`, the rest of the
/// list is that URL. Other targets go before it, or in their own `-r`.
fn list_pieces(list: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(list);
    std::iter::from_fn(move || {
        let text = rest?;
        let piece = match text.find(',') {
            Some(comma) if !is_url_with_query(&text[..comma]) => {
                rest = Some(&text[comma + 1..]);
                &text[..comma]
            }
            _ => {
                rest = None;
                text
            }
        };
        Some(piece)
    })
    .map(str::trim)
    .filter(|p| !p.is_empty())
}

/// Whether a piece of a list is a URL that has reached its query.
fn is_url_with_query(piece: &str) -> bool {
    piece
        .find("://")
        .is_some_and(|scheme| piece[scheme..].contains('?'))
}

/// Reads the whole of stdin for `-r:@-`, up to the size a targets file
/// may have.
pub fn read_stdin() -> Result<String, UsageError> {
    let mut text = String::new();
    std::io::stdin()
        .take(LIST_LIMIT + 1)
        .read_to_string(&mut text)
        .map_err(|e| UsageError::new(format!("cannot read the targets from stdin: {e}")))?;
    if text.len() as u64 > LIST_LIMIT {
        return Err(UsageError::new(format!(
            "stdin holds more than {LIST_LIMIT} bytes, too much for a list of targets"
        )));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(values: &[&str], stdin: &str) -> Result<Targets, String> {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        let stdin = stdin.to_string();
        expand(&values, &mut || Ok(stdin.clone())).map_err(|e| e.to_string())
    }

    #[test]
    fn repeated_and_comma_separated_in_order_once_each() {
        let t = names(&["a", "b, c,", "http://d:5985/wsman,a"], "").unwrap();
        assert_eq!(t.names, ["a", "b", "c", "http://d:5985/wsman"]);
        assert!(!t.from_stdin);
        assert_eq!(names(&[], "").unwrap().names, ["localhost"]);
        // An empty value stays, for the endpoint parser's own message.
        assert_eq!(names(&[""], "").unwrap().names, [""]);
    }

    #[test]
    fn a_url_keeps_the_commas_of_its_query() {
        let t = names(&["a,http://h:5985/wsman?PSVersion=5.1,x"], "").unwrap();
        assert_eq!(t.names, ["a", "http://h:5985/wsman?PSVersion=5.1,x"]);
        let t = names(&["@-"], "http://h/wsman?a=1,2\nb,c\n").unwrap();
        assert_eq!(t.names, ["http://h/wsman?a=1,2", "b", "c"]);
    }

    #[test]
    fn files_and_stdin_skip_blank_lines_and_comments() {
        let dir = std::env::temp_dir().join(format!("winrm-targets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("hosts");
        std::fs::write(
            &file,
            "# web\nweb01\n\n  web02:5986  \n#web03\nhttps://db01/wsman\n",
        )
        .unwrap();
        let at = format!("@{}", file.display());
        let t = names(&[&at, "x"], "").unwrap();
        assert_eq!(t.names, ["web01", "web02:5986", "https://db01/wsman", "x"]);
        let t = names(&["@-"], "s1\r\ns2\n").unwrap();
        assert_eq!(t.names, ["s1", "s2"]);
        assert!(t.from_stdin);
        std::fs::write(&file, "# nothing yet\n\n").unwrap();
        let e = names(&[&at], "").unwrap_err();
        assert!(e.contains("lists no targets"), "{e}");
        let e = names(&["@/no/such/file"], "").unwrap_err();
        assert!(
            e.contains("cannot read the targets file /no/such/file"),
            "{e}"
        );
        assert!(names(&["@-", "@-"], "a").unwrap_err().contains("twice"));
        assert!(names(&["@"], "").unwrap_err().contains("-r:@hosts.txt"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
