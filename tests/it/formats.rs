//! The json, jsonl and table formats end to end, on what real servers
//! sent: the binary runs against a server replaying captured fixtures
//! (Windows, OMI, AMT, iDRAC, openwsman) and its output is compared with
//! the golden files in tests/golden/output (`SNAPSHOTS=overwrite` rewrites
//! them; review every diff). JSON is also parsed and checked against the
//! documented shape, and jsonl against json; csv and tsv are checked for
//! their quoting and escapes.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::replay::{Canned, Replay};
use crate::support::{Cmd, Run};

/// One replayed conversation: the verb and resource, and the replies.
struct Case {
    name: &'static str,
    args: &'static [&'static str],
    replies: &'static [&'static str],
    formats: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "windows-win32-process",
        args: &["enumerate", "wmicimv2/Win32_Process"],
        replies: &[
            "windows/enumerate-wql-win32-process.response.xml",
            "windows/pull-wql-win32-process.response.xml",
        ],
        formats: &["text", "json", "jsonl", "table", "csv", "tsv"],
    },
    Case {
        name: "omi-identify-objectandepr",
        args: &[
            "enumerate",
            "http://schemas.dmtf.org/wbem/wscim/1/*",
            "-ReturnType:ObjectAndEPR",
        ],
        replies: &["omi/enumerate-omi-identify-wql-objectandepr.response.xml"],
        formats: &["json", "table"],
    },
    Case {
        name: "omi-datetime",
        args: &[
            "enumerate",
            "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/OMI_Datetime",
        ],
        replies: &["omi/enumerate-omi-datetime.response.xml"],
        formats: &["text", "json"],
    },
    Case {
        name: "amt-softwareidentity",
        args: &["enumerate", "cimv2/CIM_SoftwareIdentity"],
        replies: &[
            "amt/enumerate-cim-softwareidentity.response.xml",
            "amt/pull-cim-softwareidentity.response.xml",
        ],
        formats: &["json", "jsonl", "table"],
    },
    Case {
        name: "idrac-controllerview",
        args: &[
            "enumerate",
            "http://schemas.dell.com/wbem/wscim/1/cim-schema/2/DCIM_ControllerView",
        ],
        replies: &["idrac/enumerate-dcim-controllerview.response.xml"],
        formats: &["json", "table"],
    },
    Case {
        name: "amt-card",
        args: &["get", "cimv2/CIM_Card"],
        replies: &["amt/get-cim-card.response.xml"],
        formats: &["text", "json", "table", "csv", "tsv"],
    },
    Case {
        name: "openwsman-get",
        args: &[
            "get",
            "http://schema.openwsman.org/2006/openwsman/test?Name=Foo",
        ],
        replies: &["openwsman/get-test-resource.response.xml"],
        formats: &["json", "table"],
    },
    Case {
        name: "idrac-invoke",
        args: &[
            "invoke",
            "CreateConfigJob",
            "http://schemas.dell.com/wbem/wscim/1/cim-schema/2/DCIM_RAIDService?Name=DCIM:RAIDService",
        ],
        replies: &["idrac/invoke-createconfigjob-ok.response.xml"],
        formats: &["text", "json", "table"],
    },
    Case {
        name: "openwsman-identify",
        args: &["identify"],
        replies: &["openwsman/identify.response.xml"],
        formats: &["json", "table"],
    },
];

fn golden_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/output")
        .join(file)
}

/// Compares `actual` with a golden file, or rewrites it with
/// `SNAPSHOTS=overwrite`.
#[track_caller]
fn golden(file: &str, actual: &str) {
    crate::support::golden::assert_file(&golden_path(file), actual, "formats");
}

fn replay(case: &Case, format: &str) -> Run {
    let server = Replay::start(case.replies.iter().map(|r| Canned::fixture(r)).collect());
    Cmd::new(case.args)
        .args(&[
            format!("-r:{}", server.url()),
            "-a:none".into(),
            format!("-format:{format}"),
        ])
        .env("COLUMNS", "100")
        .env("LANG", "C.UTF-8")
        .run()
}

#[test]
fn every_format_of_every_fixture_matches_its_golden_file() {
    for case in CASES {
        for format in case.formats {
            let run = replay(case, format);
            run.ok();
            assert!(run.stderr.is_empty(), "{}: {}", case.name, run.stderr);
            golden(&format!("{}.{format}", case.name), &run.stdout);
        }
    }
}

/// Fails when any JSON object in `text` has a key twice (serde_json's
/// `Value` would silently keep the last one).
fn assert_unique_keys(text: &str) {
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    struct Checked;
    impl<'de> Deserialize<'de> for Checked {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(CheckedVisitor)
        }
    }
    struct CheckedVisitor;
    impl<'de> Visitor<'de> for CheckedVisitor {
        type Value = Checked;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !seen.insert(key.clone()) {
                    return Err(serde::de::Error::custom(format!("duplicate key {key}")));
                }
                map.next_value::<Checked>()?;
            }
            Ok(Checked)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
            while seq.next_element::<Checked>()?.is_some() {}
            Ok(Checked)
        }
        fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_unit<E>(self) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
            Ok(Checked)
        }
    }

    if let Err(e) = serde_json::from_str::<Checked>(text) {
        panic!("{e}:\n{text}");
    }
}

#[test]
fn duplicate_keys_are_caught() {
    let result = std::panic::catch_unwind(|| assert_unique_keys(r#"{"a":1,"b":{"c":2,"c":3}}"#));
    assert!(result.is_err());
    assert_unique_keys(r#"{"a":[{"b":null},{"b":"x"}],"c":true}"#);
}

/// Walks every object in a JSON document.
fn objects<'v>(value: &'v Value, out: &mut Vec<&'v serde_json::Map<String, Value>>) {
    match value {
        Value::Object(map) => {
            out.push(map);
            map.values().for_each(|v| objects(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| objects(v, out)),
        _ => {}
    }
}

#[test]
fn json_has_the_documented_shape() {
    const META: [&str; 4] = ["@class", "@epr", "@attributes", "@value"];
    for case in CASES.iter().filter(|c| c.formats.contains(&"json")) {
        let run = replay(case, "json");
        let document: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e}):\n{}", case.name, run.stdout));
        assert_unique_keys(&run.stdout);
        let results: Vec<&Value> = match (&document, case.args[0]) {
            (Value::Array(items), "enumerate") => items.iter().collect(),
            (Value::Object(_), verb) if verb != "enumerate" => vec![&document],
            _ => panic!("{}: wrong top level: {document}", case.name),
        };
        assert!(!results.is_empty(), "{}", case.name);
        for result in &results {
            assert!(result["@class"].is_string(), "{}: {result}", case.name);
        }
        let mut all = Vec::new();
        objects(&document, &mut all);
        for object in all {
            for (key, value) in object {
                if key.starts_with('@') {
                    assert!(META.contains(&key.as_str()), "{}: {key}", case.name);
                    continue;
                }
                // Values are strings, null, arrays or objects: never a
                // number or a boolean guessed from the text.
                assert!(
                    !value.is_number() && !value.is_boolean(),
                    "{}: {key} = {value}",
                    case.name
                );
            }
        }
    }
}

#[test]
fn json_keeps_document_order_nulls_and_repeats() {
    let case = &CASES[0];
    let run = replay(case, "json");
    let items: Vec<Value> = serde_json::from_str(&run.stdout).expect("JSON");
    // Both pages: two processes in the Enumerate reply, more in the Pull.
    assert!(items.len() >= 3, "{}", items.len());
    let idle = &items[0];
    assert_eq!(idle["@class"], "Win32_Process");
    assert_eq!(idle["Caption"], "System Idle Process");
    assert_eq!(idle["CommandLine"], Value::Null);
    assert_eq!(idle["KernelModeTime"], "33618906250");
    // Keys in the order the server sent them.
    let keys: Vec<&str> = run.stdout.lines().skip(2).take(3).collect();
    assert_eq!(
        keys,
        [
            r#"    "@class": "Win32_Process","#,
            r#"    "Caption": "System Idle Process","#,
            r#"    "CommandLine": null,"#
        ]
    );
}

#[test]
fn jsonl_is_json_one_item_per_line() {
    for case in CASES.iter().filter(|c| c.formats.contains(&"jsonl")) {
        let json: Vec<Value> = serde_json::from_str(&replay(case, "json").stdout).expect("JSON");
        let jsonl = replay(case, "jsonl");
        let lines: Vec<Value> = jsonl
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON value per line"))
            .collect();
        assert_eq!(lines, json, "{}", case.name);
    }
}

#[test]
fn object_and_epr_items_carry_their_reference() {
    let run = replay(&CASES[1], "json");
    let items: Vec<Value> = serde_json::from_str(&run.stdout).expect("JSON");
    let epr = &items[0]["@epr"];
    assert!(epr["Address"].is_string(), "{epr}");
    assert!(
        epr["ResourceURI"]
            .as_str()
            .is_some_and(|u| u.contains("OMI_Identify")),
        "{epr}"
    );
    assert!(epr["Selectors"].is_object(), "{epr}");
}

#[test]
fn a_fault_is_a_json_error_on_stderr() {
    let server = Replay::start(vec![Canned::fixture(
        "windows/fault-invalid-selectors-nested-providerfault.response.xml",
    )]);
    let run = Cmd::new(&["get", "wmicimv2/Win32_Service?Nope=1"])
        .args(&[
            format!("-r:{}", server.url()),
            "-a:none".into(),
            "-o".into(),
            "json".into(),
        ])
        .run();
    run.code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {}", run.stderr);
    let error: Value = serde_json::from_str(lines[0]).expect("JSON on stderr");
    let error = &error["error"];
    assert_eq!(error["kind"], "fault");
    assert_eq!(error["exitCode"], 1);
    assert!(error["errorNumber"].is_i64(), "{error}");
    assert!(
        error["errorHex"]
            .as_str()
            .is_some_and(|h| h.starts_with("0x")),
        "{error}"
    );
    assert_eq!(error["detail"]["@class"], "WSManFault");
    golden("fault-invalid-selectors.stderr.json", &run.stderr);
}

/// AMT's CIM_Card with values a spreadsheet chokes on: a comma, quotes and
/// a line break in one, a tab in another.
fn awkward_card() -> Canned {
    let mut reply = Canned::fixture("amt/get-cim-card.response.xml");
    let body = String::from_utf8(reply.body)
        .expect("UTF-8 fixture")
        .replace(
            "Managed System Base Board",
            "Base Board, rev &quot;A&quot;&#10;second line",
        )
        .replace("<g:Model>0MVDNX<", "<g:Model>0MV&#9;DNX<");
    reply.body = body.into_bytes();
    reply
}

fn get_card(format: &str, more: &[&str]) -> Run {
    let server = Replay::start(vec![awkward_card()]);
    Cmd::new(&["get", "cimv2/CIM_Card"])
        .args(&[
            format!("-r:{}", server.url()),
            "-a:none".into(),
            format!("-format:{format}"),
        ])
        .args(more)
        .run()
}

#[test]
fn csv_quotes_and_tsv_escapes_what_would_break_a_row() {
    let csv = get_card("csv", &[]);
    csv.ok();
    golden("awkward-card.csv", &csv.stdout);
    assert!(
        csv.stdout.contains(
            "\n\"Base Board, rev \"\"A\"\"\nsecond line\",true,CIM_Card,Dell Inc.,0MV\tDNX,"
        ),
        "{}",
        csv.stdout
    );
    let tsv = get_card("tsv", &[]);
    tsv.ok();
    golden("awkward-card.tsv", &tsv.stdout);
    let lines: Vec<&str> = tsv.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "a header and one row: {}", tsv.stdout);
    assert!(
        lines[1].starts_with(
            "Base Board, rev \"A\"\\nsecond line\ttrue\tCIM_Card\tDell Inc.\t0MV\\tDNX\t"
        ),
        "{}",
        lines[1]
    );
    // Every row has as many fields as the header.
    assert_eq!(lines[0].split('\t').count(), lines[1].split('\t').count());
}

#[test]
fn no_header_drops_only_the_header_line() {
    for format in ["csv", "tsv"] {
        let with = get_card(format, &[]);
        let without = get_card(format, &["--no-header"]);
        without.ok();
        let (header, rows) = with.stdout.split_once('\n').expect("a header line");
        assert!(header.starts_with("ElementName"), "{header}");
        assert_eq!(without.stdout, rows, "{format}");
        // winrm.cmd's spelling works too.
        assert_eq!(get_card(format, &["-noheader"]).stdout, rows, "{format}");
    }
}

#[test]
fn columns_choose_csv_columns_in_their_order() {
    let run = get_card("csv", &["--columns", "model,tag"]);
    run.ok();
    assert_eq!(run.stdout, "Model,Tag\n0MV\tDNX,CIM_Card\n");
}
