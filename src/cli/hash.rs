//! The `@{Key="value";Other=$null}` grammar that winrm.cmd accepts as an input
//! body (`winrm set URI @{...}`), as provider options (`-options:{...}`) and as
//! a selector filter (`-filter:{...}`), plus the looser
//! `{Object=Class?Key=Value;Role=...}` form that association filters use.
//!
//! This module owns only the syntax: text in, ordered pairs out, and errors
//! that carry a 1-based column. It must not know what the pairs mean
//! (properties, selectors, options), how values are escaped into XML, or which
//! command-line switch the text came from.

use std::fmt;

/// One key/value pair of a hash; `None` is `$null`.
pub type Pair = (String, Option<String>);

/// A syntax error in a hash, located at the character where it was noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashError {
    /// 1-based column, counted in characters (not bytes) from the start of the input.
    pub column: usize,
    /// What was wrong and how to fix it, as a lowercase phrase.
    pub message: String,
}

impl fmt::Display for HashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for HashError {}

/// Parses `@{...}` (as a winrm input body) or `{...}` (as `-options:` or a
/// selector `-filter:`); the leading `@` is optional.
///
/// Follows winrm.vbs: pairs `Key="value"` or `Key=$null` separated by `;`,
/// keys made of ASCII letters, digits, `_` and `:`, values double-quoted with
/// no embedded `"`. Whitespace is allowed around the braces, keys, `=` and
/// values; one trailing `;` before `}` is tolerated. Keys come back in input
/// order.
///
/// # Errors
///
/// Any deviation from that grammar, and a key given twice (compared
/// case-insensitively).
pub fn parse_hash(input: &str) -> Result<Vec<Pair>, HashError> {
    let mut cur = Cursor::new(input);
    let opening = open_brace(&mut cur)?;
    let pairs = parse_pairs(&mut cur, |cur, key| hash_value(cur, key, opening))?;
    if cur.peek() != Some('}') {
        return Err(unclosed(&cur));
    }
    cur.bump();
    cur.skip_ws();
    match cur.peek() {
        None => Ok(pairs),
        Some(_) => Err(cur.error("unexpected text after the closing '}'; the hash must end there")),
    }
}

/// Parses the association-filter form that winrm.cmd hands to the service
/// unparsed, e.g. `{Object=Win32_Service?Name=WinRM;ResultRole=Antecedent}`.
///
/// Pairs are split on `;` and then on the first `=`, so values may contain
/// `=`, `?`, `+` and braces; surrounding whitespace is trimmed. A value wrapped
/// in double quotes loses its quotes (and may then contain `;`). Keys follow
/// the hash rules and are returned as written.
///
/// # Errors
///
/// Missing braces, an empty key or value, a key given twice (compared
/// case-insensitively), or an unterminated quote.
pub fn parse_association(input: &str) -> Result<Vec<(String, String)>, HashError> {
    let mut cur = Cursor::new(input);
    open_brace(&mut cur)?;
    // The body ends at the last '}' of the input, so braces inside values are fine.
    match cur.chars.iter().rposition(|c| !c.is_whitespace()) {
        Some(close) if close >= cur.pos && cur.chars.get(close) == Some(&'}') => cur.end = close,
        _ => return Err(unclosed(&cur)),
    }
    let pairs = parse_pairs(&mut cur, association_value)?;
    match cur.peek() {
        None => Ok(pairs),
        Some(c) => Err(cur.error(format!("unexpected '{c}' where a key should start"))),
    }
}

/// Character cursor; positions are char indices, so `pos + 1` is the column.
struct Cursor {
    chars: Vec<char>,
    pos: usize,
    /// Exclusive end of the region being parsed (shrunk by `parse_association`).
    end: usize,
}

impl Cursor {
    fn new(input: &str) -> Self {
        let chars: Vec<char> = input.chars().collect();
        let end = chars.len();
        Cursor { chars, pos: 0, end }
    }

    fn peek(&self) -> Option<char> {
        self.chars
            .get(self.pos)
            .copied()
            .filter(|_| self.pos < self.end)
    }

    fn bump(&mut self) {
        if self.pos < self.end {
            self.pos += 1;
        }
    }

    fn column(&self) -> usize {
        self.pos + 1
    }

    fn skip_ws(&mut self) {
        self.take_while(char::is_whitespace);
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let mut taken = String::new();
        while let Some(c) = self.peek().filter(|&c| keep(c)) {
            taken.push(c);
            self.bump();
        }
        taken
    }

    fn error(&self, message: impl Into<String>) -> HashError {
        error_at(self.column(), message)
    }
}

fn error_at(column: usize, message: impl Into<String>) -> HashError {
    HashError {
        column,
        message: message.into(),
    }
}

/// Consumes leading whitespace, an optional `@` and the `{`; returns the
/// opening as written so examples in later messages match the user's form.
fn open_brace(cur: &mut Cursor) -> Result<&'static str, HashError> {
    cur.skip_ws();
    let at = cur.peek() == Some('@');
    if at {
        cur.bump();
    }
    if cur.peek() != Some('{') {
        return Err(cur.error(if at {
            "expected '{' right after '@', e.g. @{Key=\"value\"}"
        } else {
            "a hash must start with '{' (or '@{'), e.g. @{Key=\"value\"}"
        }));
    }
    cur.bump();
    Ok(if at { "@{" } else { "{" })
}

/// The `Key=value;...` list shared by both forms. Stops, without consuming
/// it, at the end of the region or at a `}` where a key would start; the
/// caller decides whether that is the right place to stop.
fn parse_pairs<V>(
    cur: &mut Cursor,
    mut value: impl FnMut(&mut Cursor, &str) -> Result<V, HashError>,
) -> Result<Vec<(String, V)>, HashError> {
    let mut pairs: Vec<(String, V)> = Vec::new();
    loop {
        cur.skip_ws();
        match cur.peek() {
            None | Some('}') => return Ok(pairs),
            Some(';') => return Err(cur.error("empty pair; remove the extra ';'")),
            Some(_) => {}
        }
        let key_column = cur.column();
        let key = parse_key(cur)?;
        expect_equals(cur, &key)?;
        let parsed = value(cur, &key)?;
        if pairs.iter().any(|(k, _)| k.eq_ignore_ascii_case(&key)) {
            return Err(error_at(
                key_column,
                format!("duplicate key '{key}'; give each key only once"),
            ));
        }
        cur.skip_ws();
        match cur.peek() {
            Some(';') => cur.bump(),
            None | Some('}') => {}
            Some(c) => {
                let mut message =
                    format!("unexpected '{c}' after the value of '{key}'; separate pairs with ';'");
                // Text glued to a closing quote usually means a '"' inside the value.
                if cur.pos.checked_sub(1).and_then(|p| cur.chars.get(p)) == Some(&'"') {
                    message.push_str(" (values cannot contain '\"')");
                }
                return Err(cur.error(message));
            }
        }
        pairs.push((key, parsed));
    }
}

const KEY_RULE: &str = "keys may contain only letters, digits, '_' and ':'";

/// Reads a key and checks that it ends where a key may end.
fn parse_key(cur: &mut Cursor) -> Result<String, HashError> {
    let key = cur.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    match cur.peek() {
        Some(c) if key.is_empty() => Err(cur.error(match c {
            '=' => "missing key before '='; write Key=\"value\"".to_string(),
            '"' => "keys are not quoted; write Key=\"value\"".to_string(),
            _ => format!("a key cannot start with '{c}'; {KEY_RULE}"),
        })),
        Some(c) if !(c.is_whitespace() || matches!(c, '=' | ';' | '}')) => Err(cur.error(format!(
            "invalid character '{c}' in key '{key}'; {KEY_RULE}"
        ))),
        _ => Ok(key),
    }
}

/// Consumes `=` and the whitespace around it.
fn expect_equals(cur: &mut Cursor, key: &str) -> Result<(), HashError> {
    cur.skip_ws();
    if cur.peek() != Some('=') {
        return Err(cur.error(format!(
            "missing '=' after key '{key}'; write {key}=\"value\" or {key}=$null"
        )));
    }
    cur.bump();
    cur.skip_ws();
    Ok(())
}

/// Reads `"..."` or `$null`; anything else is explained rather than guessed at.
fn hash_value(cur: &mut Cursor, key: &str, opening: &str) -> Result<Option<String>, HashError> {
    if cur.peek() == Some('"') {
        return quoted_string(cur, key).map(Some);
    }
    let start = cur.column();
    let bare = cur.take_while(|c| !(c.is_whitespace() || matches!(c, ';' | '}')));
    if bare.eq_ignore_ascii_case("$null") {
        return Ok(None);
    }
    let message = if bare.is_empty() {
        format!("missing value for '{key}'; write {key}=\"\" for an empty string or {key}=$null")
    } else if bare.starts_with(['@', '{']) {
        "nested hashes are not supported; put structured input in an XML file instead".to_string()
    } else {
        // Usually the shell ate the quotes, so show the fix and how to keep
        // the shell away from it.
        let example: String = bare
            .trim_matches('\'')
            .chars()
            .filter(|&c| c != '"')
            .collect();
        format!(
            "value of '{key}' must be in double quotes, e.g. {key}=\"{example}\" \
             (in a Unix shell quote the whole hash: '{opening}{key}=\"{example}\"}}')"
        )
    };
    Err(error_at(start, message))
}

/// Reads a quoted value as is, or a bare one up to the next `;`, trimmed.
fn association_value(cur: &mut Cursor, key: &str) -> Result<String, HashError> {
    if cur.peek() == Some('"') {
        return quoted_string(cur, key);
    }
    let value = cur.take_while(|c| c != ';');
    match value.trim_end() {
        "" => Err(cur.error(format!("missing value for '{key}'; write {key}=VALUE"))),
        value => Ok(value.to_string()),
    }
}

/// Reads a double-quoted string with no escapes; the cursor is on the `"`.
fn quoted_string(cur: &mut Cursor, key: &str) -> Result<String, HashError> {
    let open = cur.column();
    cur.bump();
    let text = cur.take_while(|c| c != '"');
    if cur.peek() != Some('"') {
        let message = format!("unterminated quote in the value of '{key}'; add the closing '\"'");
        return Err(error_at(open, message));
    }
    cur.bump();
    Ok(text)
}

fn unclosed(cur: &Cursor) -> HashError {
    error_at(cur.chars.len() + 1, "missing closing '}' at the end")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses and renders pairs compactly: `K=[value]` or `K=null`.
    fn show(input: &str) -> String {
        let pairs = parse_hash(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        let shown: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| v.map_or(format!("{k}=null"), |v| format!("{k}=[{v}]")))
            .collect();
        shown.join(" ")
    }

    fn assert_errors<T: fmt::Debug>(
        parse: fn(&str) -> Result<T, HashError>,
        cases: &[(&str, usize, &str)],
    ) {
        for &(input, column, needle) in cases {
            match parse(input) {
                Ok(v) => panic!("{input:?} parsed as {v:?}"),
                Err(e) => {
                    assert_eq!(e.column, column, "{input:?}: {e}");
                    assert!(e.message.contains(needle), "{input:?}: {e}");
                }
            }
        }
    }

    #[test]
    fn accepts_valid_hashes() {
        let cases = [
            (r#"@{TrustedHosts="*"}"#, "TrustedHosts=[*]"),
            (r#"{Z="b";A="d"}"#, "Z=[b] A=[d]"),
            (r#"@{A=$NULL;b_2:x=""}"#, "A=null b_2:x=[]"),
            (
                r#"  @{ A = "x; y={z} \path" ;  B="é€" ; }  "#,
                r"A=[x; y={z} \path] B=[é€]",
            ),
            ("\n@{\tK=\"1\"\n}\n", "K=[1]"),
            ("{}", ""),
            ("@{}", ""),
            (" @{ } ", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(show(input), expected, "{input:?}");
        }
    }

    #[test]
    fn unquoted_value_says_how_to_quote() {
        let e = parse_hash("@{MaxEnvelopeSizekb=500}").unwrap_err();
        let expected = "column 21: value of 'MaxEnvelopeSizekb' must be in double quotes, \
            e.g. MaxEnvelopeSizekb=\"500\" (in a Unix shell quote the whole hash: \
            '@{MaxEnvelopeSizekb=\"500\"}')";
        assert_eq!(e.to_string(), expected);
    }

    #[test]
    fn hash_errors_carry_message_and_column() {
        assert_errors(
            parse_hash,
            &[
                ("", 1, "must start with '{'"),
                ("@", 2, "right after '@'"),
                ("@ {}", 2, "right after '@'"),
                (r#"A="b""#, 1, "must start with '{'"),
                (r#"@{A="b""#, 8, "missing closing '}'"),
                ("@{", 3, "missing closing '}'"),
                (r#"@{A="b"} x"#, 10, "after the closing '}'"),
                (r#"@{A="b"}}"#, 9, "after the closing '}'"),
                (r#"@{A "b"}"#, 5, "missing '=' after key 'A'"),
                ("@{A}", 4, "missing '='"),
                (r#"@{="b"}"#, 3, "missing key"),
                (r#"@{"A"="b"}"#, 3, "not quoted"),
                (r#"@{A-B="c"}"#, 4, "invalid character '-' in key 'A'"),
                (r#"@{Ä="c"}"#, 3, "cannot start with 'Ä'"),
                (r#"@{A="b;C="d"}"#, 11, "unexpected 'd'"),
                (r#"@{A="b}"#, 5, "unterminated quote"),
                (r#"@{A="b" C="d"}"#, 9, "separate pairs with ';'"),
                (r#"@{A="say "hi""}"#, 11, "cannot contain '\"'"),
                (r#"@{A="1";;B="2"}"#, 9, "empty pair"),
                (r#"@{;A="1"}"#, 3, "empty pair"),
                ("@{A=}", 5, "missing value for 'A'"),
                ("@{A=;B=\"c\"}", 5, "A=$null"),
                (r#"@{A="1";a="2"}"#, 9, "duplicate key 'a'"),
                ("{A=b}", 4, r#"'{A="b"}'"#),
                ("@{A='x'}", 5, r#"A="x""#),
                ("@{A=$nullx}", 5, "double quotes"),
                (r#"@{A=@{B="c"}}"#, 5, "nested hashes"),
                // Columns count characters, not bytes.
                (r#"@{A="é€";B=5}"#, 12, "double quotes"),
            ],
        );
    }

    #[test]
    fn association_filter() {
        let cases = [
            (
                "{Object=Win32_Service?Name=WinRM;AssociationClassName=Win32_DependentService;\
                 ResultClassName=Win32_Service;ResultRole=Antecedent;Role=Dependent}",
                "Object=[Win32_Service?Name=WinRM] AssociationClassName=[Win32_DependentService] \
                 ResultClassName=[Win32_Service] ResultRole=[Antecedent] Role=[Dependent]",
            ),
            (
                r#" @{ object = "A?x=1;y=2" ; Role=a+b=c} ; } "#,
                "object=[A?x=1;y=2] Role=[a+b=c}]",
            ),
            ("{}", ""),
            ("{A=b;}", "A=[b]"),
            (r#"{A=""}"#, "A=[]"),
        ];
        for (input, expected) in cases {
            let pairs = parse_association(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            let shown: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}=[{v}]")).collect();
            assert_eq!(shown.join(" "), expected, "{input:?}");
        }
    }

    #[test]
    fn association_errors() {
        assert_errors(
            parse_association,
            &[
                ("", 1, "must start with '{'"),
                ("{", 2, "missing closing '}'"),
                ("{A=b", 5, "missing closing '}'"),
                ("{A=b} x", 8, "missing closing '}'"),
                ("{A=b;;C=d}", 6, "empty pair"),
                ("{A}", 3, "missing '='"),
                ("{A=}", 4, "missing value for 'A'"),
                ("{A= ;B=c}", 5, "missing value"),
                (r#"{A="b}"#, 4, "unterminated quote"),
                (r#"{A="b" x;C=d}"#, 8, "unexpected 'x'"),
                ("{A=b;}}", 6, "where a key should start"),
                ("{A=b;a=c}", 6, "duplicate key 'a'"),
                ("{A.B=c}", 3, "invalid character '.'"),
            ],
        );
    }

    /// Pseudo-random strings of grammar characters and awkward Unicode; both
    /// parsers must return, with a column inside the input or just past it.
    #[test]
    fn never_panics() {
        let alphabet: Vec<char> = "@{}=;\"$null :_aZ9 \t\n\\'é€😀\u{0}\u{200b}\u{301}"
            .chars()
            .collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let body: String = (0..(seed % 16) as usize)
                .map(|i| alphabet[((seed >> (i * 4)) as usize + i) % alphabet.len()])
                .collect();
            for input in [format!("@{{{body}}}"), format!("{{{body}"), body] {
                let limit = input.chars().count() + 1;
                for column in [parse_hash(&input).err(), parse_association(&input).err()]
                    .into_iter()
                    .flatten()
                    .map(|e| e.column)
                {
                    assert!((1..=limit).contains(&column), "{input:?}");
                }
            }
        }
    }
}
