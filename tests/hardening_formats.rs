//! Property tests (issue 14): arbitrary strings — controls, bidi overrides, quotes, markup,
//! separators, newlines — in every string field of a report, and every format stays valid:
//! JSON and docker-bench JSON parse back, JUnit is well-formed XML, CSV keeps its columns,
//! SARIF meets its schema, Markdown tables keep their cells, Prometheus lines stay lines, and
//! the text report has no raw control character.
use std::sync::OnceLock;

use dockbench::report::{self, Format, Report};
use proptest::prelude::*;
use serde_json::Value;

const BASE: &str = "tests/fixtures/reports/risky-report.json";
const SARIF_SCHEMA: &str = "tests/fixtures/schemas/sarif-schema-2.1.0.json";
/// Fields whose values are a vocabulary (statuses, levels, …) or a check's identity (the
/// loader never lets an ID or section be empty), not free text.
const VOCABULARY: [&str; 10] = [
    "id",
    "section",
    "status",
    "level",
    "scope",
    "assessment",
    "evaluation",
    "mode",
    "started_at",
    "expires",
];

fn base() -> &'static Value {
    static BASE_REPORT: OnceLock<Value> = OnceLock::new();
    BASE_REPORT
        .get_or_init(|| serde_json::from_str(&std::fs::read_to_string(BASE).unwrap()).unwrap())
}

fn sarif_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = std::fs::read_to_string(SARIF_SCHEMA).unwrap();
        // The published schema's `language` pattern has a stray `]` the regex engine rejects
        // (see tests/render.rs); corrected in memory.
        let text = text.replace(
            "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
            "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}?$",
        );
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    })
}

/// Every free-text string of the base report replaced, in turn, by one of `texts`.
fn hostile_report(texts: &[String]) -> Option<Report> {
    fn walk(v: &mut Value, key: &str, texts: &[String], i: &mut usize) {
        match v {
            Value::String(s) if !VOCABULARY.contains(&key) => {
                *s = texts[*i % texts.len()].clone();
                *i += 1;
            }
            Value::Array(items) => items.iter_mut().for_each(|x| walk(x, key, texts, i)),
            Value::Object(map) => map.iter_mut().for_each(|(k, x)| walk(x, k, texts, i)),
            _ => {}
        }
    }
    let mut v = base().clone();
    walk(&mut v, "", texts, &mut 0);
    report::json::parse(&v.to_string()).ok()
}

/// Strings an attacker or an accident puts into names, paths and messages.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}|,\"'<>&\\\\`*_\\[\\]#\\n\\r\\t =}{a-z]{0,40}",
        Just("\u{1b}[2J\u{1b}]0;x\u{7}\r[PASS] forged\n| a | b |".to_string()),
        Just("</testcase><script>alert(1)</script>]]>".to_string()),
        Just("\"quoted\",\r\nnext,row".to_string()),
    ]
}

fn markdown_tables_intact(md: &str) -> Result<(), String> {
    // Cells split on '|' not escaped by a backslash.
    let cells = |line: &str| {
        let mut n = 0;
        let mut escaped = false;
        for c in line.chars() {
            if c == '|' && !escaped {
                n += 1;
            }
            escaped = c == '\\' && !escaped;
        }
        n
    };
    let mut header: Option<usize> = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let n = cells(line);
            match header {
                None => header = Some(n),
                Some(h) if h != n => return Err(format!("{n} cells, header {h}: {line:?}")),
                _ => {}
            }
        } else {
            header = None;
        }
    }
    Ok(())
}

fn check_all(r: &Report) -> Result<(), TestCaseError> {
    for format in Format::ALL {
        let out = report::render(r, format, false);
        match format {
            Format::Json => {
                let back = report::json::parse(&out).map_err(|e| TestCaseError::fail(e))?;
                prop_assert_eq!(&back, r);
            }
            Format::DockerBench => {
                serde_json::from_str::<Value>(&out)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            Format::Sarif => {
                let v: Value =
                    serde_json::from_str(&out).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(sarif_validator().is_valid(&v), "SARIF not valid");
            }
            Format::Junit => {
                let mut reader = quick_xml::Reader::from_str(&out);
                loop {
                    match reader.read_event() {
                        Ok(quick_xml::events::Event::Eof) => break,
                        Ok(_) => {}
                        Err(e) => return Err(TestCaseError::fail(format!("JUnit XML: {e}"))),
                    }
                }
                // XML 1.0 forbids C0 controls other than tab and line ends, and U+FFFE/U+FFFF.
                prop_assert!(
                    !out.chars().any(|c| (c < ' ' && !"\n\r\t".contains(c))
                        || c == '\u{fffe}'
                        || c == '\u{ffff}'),
                    "character XML forbids"
                );
            }
            Format::Csv => {
                let mut rd = csv::ReaderBuilder::new()
                    .flexible(false)
                    .from_reader(out.as_bytes());
                for rec in rd.records() {
                    rec.map_err(|e| TestCaseError::fail(format!("CSV: {e}")))?;
                }
            }
            Format::Markdown => markdown_tables_intact(&out).map_err(TestCaseError::fail)?,
            Format::Prometheus => {
                for line in out.lines() {
                    prop_assert!(
                        line.is_empty() || line.starts_with('#') || line.starts_with("dockbench_"),
                        "Prometheus line {:?}",
                        line
                    );
                }
            }
            Format::Text => {
                prop_assert!(
                    dockbench::term::is_visible_safe(&out),
                    "raw control or bidi character in the text report"
                );
                prop_assert!(!out.lines().any(|l| l.starts_with("[PASS] forged")));
            }
            Format::Html => {
                prop_assert!(
                    !out.contains("<script>alert(1)</script>"),
                    "unescaped markup in HTML"
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_format_stays_valid_whatever_the_strings(texts in prop::collection::vec(nasty(), 1..8)) {
        let Some(r) = hostile_report(&texts) else {
            return Ok(());
        };
        check_all(&r)?;
    }
}
