//! Renderers: a snapshot per format from one fixture report, schema validation (SARIF 2.1.0,
//! our own JSON Schema), escaping of hostile strings, and `dockbench report`.
//!
//! Fixtures: `tests/fixtures/reports/risky-report.json` is `scan --snapshot
//! tests/fixtures/snapshots/risky.json --format json` with timings and timestamps fixed;
//! `hostile-report.json` is the same with container names, values and the hostname replaced by
//! markup, formulas and control characters. Regenerate both with
//! `cargo test --test render -- --ignored regenerate_fixtures` (then review the snapshots).
use assert_cmd::Command;
use dockbench::report::{self, Format, Report};
use serde_json::Value;

const RISKY: &str = "tests/fixtures/reports/risky-report.json";
const HOSTILE: &str = "tests/fixtures/reports/hostile-report.json";
/// Findings on files (schema version 3): `scan --snapshot tests/fixtures/v2/files-snapshot.json`.
const FILES: &str = "tests/fixtures/reports/files-report.json";
const SARIF_SCHEMA: &str = "tests/fixtures/schemas/sarif-schema-2.1.0.json";
const REPORT_SCHEMA: &str = "docs/report.schema.json";

pub const SCRIPT: &str = "<script>alert(1)</script>";
pub const IMG: &str = "<img src=x onerror=alert(1)>";

fn dockbench() -> Command {
    let mut cmd = Command::cargo_bin("dockbench").unwrap();
    cmd.env_remove("DOCKER_HOST").env("NO_COLOR", "1");
    cmd
}

fn load(path: &str) -> Report {
    report::json::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn json_file(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn validate(schema: &Value, instance: &Value, what: &str) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is not valid:\n{}",
        errors.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/// Writes the two fixture reports. Run on purpose only (`--ignored`): the snapshots depend on
/// them, so they must not change with every change of a check.
#[test]
#[ignore]
fn regenerate_fixtures() {
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut r: Value = serde_json::from_slice(&out.stdout).unwrap();
    r["started_at"] = "2026-11-22T23:08:26Z".into();
    r["finished_at"] = "2026-11-22T23:08:27Z".into();
    r["timings"] = serde_json::json!({ "collect_ms": 12, "evaluate_ms": 34 });
    std::fs::create_dir_all("tests/fixtures/reports").unwrap();
    std::fs::write(RISKY, serde_json::to_string_pretty(&r).unwrap() + "\n").unwrap();

    // Hostile: names, values and host facts as an attacker who runs containers could set them.
    let rename = |s: &str| match s {
        "fx-priv" => SCRIPT.to_string(),
        "fx-mounts" => IMG.to_string(),
        "vanilla-ns" => "=HYPERLINK(\"http://x\",\"click\")|`x`\u{1}".to_string(),
        other => other.to_string(),
    };
    r["host"]["hostname"] = "vm\"'></title><script>alert(2)</script>".into();
    r["notes"] = serde_json::json!(["container </script><script>alert(3)</script> vanished"]);
    for result in r["results"].as_array_mut().unwrap() {
        for list in ["findings", "exceptions"] {
            for f in result[list].as_array_mut().unwrap() {
                let object = rename(f["object"].as_str().unwrap());
                f["object"] = object.into();
                let value = f["value"].as_str().unwrap().to_string();
                f["value"] = if value.contains("/host-etc") {
                    format!("{value}, label com.evil=\"><svg onload=alert(4)>")
                } else if value.starts_with("CapAdd") {
                    format!("-{value} | @SUM(1) </details>")
                } else {
                    value
                }
                .into();
            }
        }
    }
    std::fs::write(HOSTILE, serde_json::to_string_pretty(&r).unwrap() + "\n").unwrap();
}

#[test]
fn fixtures_are_reports_of_this_schema_version() {
    for path in [RISKY, HOSTILE] {
        let r = load(path);
        assert_eq!(r.schema_version, report::SCHEMA_VERSION);
        assert!(!r.results.is_empty());
    }
    let hostile = std::fs::read_to_string(HOSTILE).unwrap();
    assert!(hostile.contains("<script>alert(1)</script>"));
    assert!(hostile.contains("<img src=x onerror=alert(1)>"));
}

// ---------------------------------------------------------------------------------------------
// Snapshots: one per format, of the same report.

#[test]
fn snapshot_every_format() {
    let r = load(RISKY);
    for format in [
        Format::Text,
        Format::Json,
        Format::Html,
        Format::Sarif,
        Format::Junit,
        Format::Csv,
        Format::Markdown,
        Format::DockerBench,
    ] {
        let name = format!("risky_{}", format.name().replace('-', "_"));
        insta::assert_snapshot!(name, report::render(&r, format, false));
    }
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_validates_against_the_official_schema() {
    let mut schema = json_file(SARIF_SCHEMA);
    // The official schema's `language` patterns have a stray `]` (an erratum the Rust regex
    // engines reject: `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`). Correct it in memory; the
    // vendored file stays byte-for-byte the published one.
    fn fix(v: &mut Value) -> usize {
        match v {
            Value::String(s) if s == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" => {
                *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
                1
            }
            Value::Array(a) => a.iter_mut().map(fix).sum(),
            Value::Object(o) => o.values_mut().map(fix).sum(),
            _ => 0,
        }
    }
    assert!(fix(&mut schema) > 0);
    for path in [RISKY, HOSTILE, FILES] {
        let sarif: Value =
            serde_json::from_str(&report::render(&load(path), Format::Sarif, false)).unwrap();
        validate(&schema, &sarif, &format!("SARIF of {path}"));
    }
}

#[test]
fn sarif_has_a_rule_per_check_and_a_result_per_offender() {
    let r = load(HOSTILE);
    let sarif: Value = serde_json::from_str(&report::render(&r, Format::Sarif, false)).unwrap();
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), r.results.len());
    for (rule, check) in rules.iter().zip(&r.results) {
        assert_eq!(rule["id"], format!("cis-docker-1.6.0/{}", check.id));
        let sev = check.severity.unwrap().as_str();
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        // GitHub's bands: critical ≥ 9, high 7–8.9, medium 4–6.9, low < 4.
        let band = match score {
            s if s >= 9.0 => "critical",
            s if s >= 7.0 => "high",
            s if s >= 4.0 => "medium",
            _ => "low",
        };
        assert_eq!(band, sev, "{}", check.id);
        let tags: Vec<&str> = rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(
            tags.contains(&format!("level-{}", check.level.id()).as_str()),
            "{tags:?}"
        );
        assert!(
            !tags.iter().any(|t| t.starts_with("level-level")),
            "{tags:?}"
        );
        assert_eq!(rule["shortDescription"]["text"], check.title.as_str());
        assert_eq!(rule["help"]["text"], check.remediation.as_str());
        assert!(rule["properties"]["tags"].as_array().unwrap().len() >= 3);
    }
    let expected: usize = r
        .results
        .iter()
        .filter(|c| matches!(c.status, report::Status::Warn | report::Status::Info))
        .map(|c| c.findings.len().max(1))
        .sum();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), expected);
    let mut fingerprints = std::collections::HashSet::new();
    for res in results {
        let check = r
            .results
            .iter()
            .find(|c| format!("cis-docker-1.6.0/{}", c.id) == res["ruleId"])
            .unwrap();
        let level = res["level"].as_str().unwrap();
        let sev = check.severity.unwrap().as_str();
        match check.status {
            report::Status::Warn if ["critical", "high"].contains(&sev) => {
                assert_eq!(level, "error")
            }
            report::Status::Warn if sev == "medium" => assert_eq!(level, "warning"),
            report::Status::Warn => assert_eq!(level, "note"),
            report::Status::Info => assert_eq!(level, "note"),
            s => panic!("no result expected for {s}"),
        }
        let uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        // GitHub accepts relative paths only ("URI scheme did not match the checkout URI").
        assert!(!uri.contains(':') && !uri.starts_with('/'), "{uri}");
        assert!(
            uri.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)),
            "{uri}"
        );
        let fp = res["partialFingerprints"]["dockbench/v2"].as_str().unwrap();
        assert!(
            fingerprints.insert(fp.to_string()),
            "duplicate fingerprint {fp}"
        );
    }
    // The same input gives the same fingerprints (stable across runs).
    let again: Value = serde_json::from_str(&report::render(&r, Format::Sarif, false)).unwrap();
    assert_eq!(again["runs"][0]["results"], run["results"]);
}

// ---------------------------------------------------------------------------------------------
// Our JSON and its schema

#[test]
fn published_json_schema_is_current() {
    let current = dockbench::cli::schema::render();
    let committed = std::fs::read_to_string(REPORT_SCHEMA).unwrap_or_default();
    assert!(
        committed == current,
        "{REPORT_SCHEMA} is stale: regenerate it with `cargo run -- schema > {REPORT_SCHEMA}`"
    );
    let out = dockbench().arg("schema").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), current);
}

#[test]
fn json_output_validates_against_the_published_schema() {
    let schema = json_file(REPORT_SCHEMA);
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let live: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&schema, &live, "scan --format json");
    validate(&schema, &json_file(RISKY), RISKY);
    validate(&schema, &json_file(FILES), FILES);
    // A report missing a required field does not validate.
    let mut broken = json_file(RISKY);
    broken.as_object_mut().unwrap().remove("results");
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(!validator.is_valid(&broken));
}

// ---------------------------------------------------------------------------------------------
// HTML

#[test]
fn html_escapes_every_hostile_string() {
    let html = report::render(&load(HOSTILE), Format::Html, false);
    for raw in [
        SCRIPT,
        IMG,
        "<script>alert(2)",
        "<script>alert(3)",
        "<svg onload",
        "\"><svg",
    ] {
        assert!(!html.contains(raw), "unescaped {raw:?} in the HTML");
    }
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    // Exactly one script element: ours, at the end.
    assert_eq!(html.matches("<script").count(), 1);
    assert_eq!(html.matches("</script>").count(), 1);
    // Self-contained: nothing is loaded from elsewhere.
    for external in ["src=\"http", "href=\"//", "<link ", "@import", "url(http"] {
        assert!(!html.contains(external), "external asset {external:?}");
    }
}

#[test]
fn html_shows_every_check_and_the_metadata() {
    let r = load(RISKY);
    let html = report::render(&r, Format::Html, false);
    assert_eq!(
        html.matches("<details class=\"check ").count(),
        r.results.len()
    );
    for needle in [
        r.host.hostname.as_str(),
        r.host.kernel.as_str(),
        r.host.docker_version.as_str(),
        r.benchmark.id.as_str(),
        r.tool_version.as_str(),
        "CIS assessment",
        "Our evaluation",
        "<svg class=\"bar\"",
        "@media print",
    ] {
        assert!(html.contains(needle), "{needle:?} missing");
    }
}

// ---------------------------------------------------------------------------------------------
// JUnit

#[test]
fn junit_is_well_formed_and_counts_match() {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let r = load(HOSTILE);
    let xml = report::render(&r, Format::Junit, false);
    let mut reader = Reader::from_str(&xml);
    let (mut cases, mut failures, mut skipped) = (0, 0, 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "testcase" => cases += 1,
                "failure" => failures += 1,
                "skipped" => skipped += 1,
                _ => {}
            },
            _ => {}
        }
    }
    let c = &r.summary.counts;
    assert_eq!(cases, r.results.len());
    assert_eq!(failures, c.warn);
    assert_eq!(skipped, c.info + c.note + c.skip + c.waived);
    assert!(!xml.contains(SCRIPT));
    assert!(!xml.contains('\u{1}'), "control character in XML");
    assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

// ---------------------------------------------------------------------------------------------
// CSV

#[test]
fn csv_has_a_row_per_object_and_neutralises_formulas() {
    let r = load(HOSTILE);
    let text = report::render(&r, Format::Csv, false);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        report::csv::COLUMNS.to_vec()
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let expected: usize = r
        .results
        .iter()
        .map(|c| (c.findings.len() + c.unevaluated().count()).max(1))
        .sum();
    assert_eq!(rows.len(), expected);
    for row in &rows {
        assert_eq!(row.len(), report::csv::COLUMNS.len());
        // Host identity and scan time on every row: many hosts' CSVs concatenate.
        assert!(!row[16].is_empty());
        assert_eq!(&row[19], r.started_at.as_str());
        assert_eq!(&row[18], r.host.machine_id.as_str());
        assert!(["critical", "high", "medium", "low"].contains(&&row[13]));
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "formula cell {cell:?}"
            );
        }
    }
    assert!(
        rows.iter().any(|row| row[9].starts_with("'=HYPERLINK(")),
        "the formula-like container name is kept, neutralised"
    );
}

// ---------------------------------------------------------------------------------------------
// Markdown

#[test]
fn markdown_data_stays_inert() {
    let r = load(HOSTILE);
    let md = report::render(&r, Format::Markdown, false);
    // Our own collapsible sections are the only HTML.
    let ours = md
        .replace("<details><summary>", "")
        .replace("</summary>", "")
        .replace("</details>", "");
    assert!(!ours.contains('<'), "raw '<' in Markdown");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Every table row keeps its column count: no '|' or newline from data breaks a table.
    for line in md.lines().filter(|l| l.starts_with('|')) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert!(cells == 4 || cells == 7, "broken table row: {line}");
    }
    // A <summary> line is raw HTML: data in it is entity-escaped, never a tag.
    for line in md.lines().filter(|l| l.starts_with("<details><summary>")) {
        let inner = &line["<details><summary>".len()..line.len() - "</summary>".len()];
        assert!(!inner.contains('<') && !inner.contains('>'), "{line}");
    }
    for c in r
        .results
        .iter()
        .filter(|c| matches!(c.status, report::Status::Warn | report::Status::Info))
    {
        assert!(md.contains(&format!(" · {} ", c.id)), "{} missing", c.id);
    }
}

/// The risky report with `n` containers: every container finding repeated for each of them,
/// with long names, and a baseline that calls all of them new.
fn report_with_containers(n: usize) -> Report {
    let mut r = load(RISKY);
    let mut new = Vec::new();
    for c in &mut r.results {
        let Some(seed) = c.findings.iter().find(|f| f.kind == "container").cloned() else {
            continue;
        };
        c.findings = (0..n)
            .map(|i| report::Finding {
                object: format!("/production-service-{i:03}-{}", "x".repeat(24)),
                id: format!("{i:064x}"),
                ..seed.clone()
            })
            .collect();
        c.evaluated = n;
        for f in &c.findings {
            new.push(report::DiffEntry {
                check: c.id.clone(),
                title: c.title.clone(),
                status: c.status,
                kind: f.kind.to_string(),
                object: f.object.clone(),
                id: f.id.clone(),
                path: f.path.clone(),
                value: f.value.clone(),
            });
        }
    }
    r.containers_scanned = n;
    r.baseline = Some(report::Diff {
        counts: report::DiffCounts {
            new: new.len(),
            ..Default::default()
        },
        resolved: new[..40].to_vec(),
        new,
        ..Default::default()
    });
    r
}

/// Every check that needs attention is in the Markdown, and each of its lists shows all its
/// rows or says how many it left out; the comment fits GitHub's 65,536 characters.
fn assert_nothing_silently_lost(r: &Report, md: &str) {
    let chars = md.chars().count();
    assert!(chars <= report::markdown::BUDGET, "{chars} characters");
    assert!(chars < 65_536);
    let attention: Vec<&report::CheckResult> = r
        .results
        .iter()
        .filter(|c| {
            matches!(
                c.status,
                report::Status::Warn | report::Status::Error | report::Status::Info
            )
        })
        .collect();
    let blocks: Vec<&str> = md.split("<details><summary>").skip(1).collect();
    let mut listed = 0;
    for c in &attention {
        let Some(block) = blocks.iter().find(|b| {
            b.split("</summary>")
                .next()
                .unwrap()
                .contains(&format!(" · {} ", c.id))
        }) else {
            continue;
        };
        listed += 1;
        let block = block.split("</details>").next().unwrap();
        let rows = block
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Kind "))
            .count();
        let more: usize = block
            .lines()
            .find_map(|l| l.strip_prefix("… and "))
            .map(|rest| rest.split(' ').next().unwrap().parse().unwrap())
            .unwrap_or(0);
        assert_eq!(
            rows + more,
            c.findings.len(),
            "{}: {rows} rows + {more} more",
            c.id
        );
        if more > 0 {
            assert!(
                block.contains(&format!(
                    "… and {more} more of {} affected objects",
                    c.findings.len()
                )) || block.contains(&format!("… and {more} more affected objects")),
                "{}",
                c.id
            );
        }
    }
    // Checks left out entirely are counted, and named, after the last one shown.
    let left = attention.len() - listed;
    if left > 0 {
        assert!(md.contains(&format!("… and {left} more checks that need attention")));
    }
    if let Some(b) = &r.baseline {
        let new_listed = md.lines().filter(|l| l.starts_with("- new: ")).count();
        let new_more: usize = md
            .lines()
            .find_map(|l| l.strip_prefix("- … and "))
            .and_then(|rest| rest.strip_suffix(" more new findings (in the full report)"))
            .map(|n| n.parse().unwrap())
            .unwrap_or(0);
        assert_eq!(new_listed + new_more, b.new.len());
        // New since the baseline comes before the findings.
        assert!(md.find("### New since the baseline").unwrap() < md.find("### Findings").unwrap());
    }
}

#[test]
fn markdown_fits_a_pull_request_comment_and_loses_nothing_silently() {
    for n in [6, 17, 100, 1000] {
        let r = report_with_containers(n);
        let md = report::render(&r, Format::Markdown, false);
        assert_nothing_silently_lost(&r, &md);
        assert!(md.contains("<details><summary>By section</summary>"));
    }
    // 100 containers: offenders are cut (with counts), every check is still there.
    let r = report_with_containers(100);
    let md = report::render(&r, Format::Markdown, false);
    assert!(
        md.contains("… and 90 more of 100 affected objects"),
        "{md:.3000}"
    );
    for c in r
        .results
        .iter()
        .filter(|c| c.status == report::Status::Warn)
    {
        assert!(md.contains(&format!(" · {} ", c.id)), "{} missing", c.id);
    }
}

// ---------------------------------------------------------------------------------------------
// docker-bench-security JSON

#[test]
fn docker_bench_layout_matches_the_reference_tool() {
    let r = load(RISKY);
    let text = report::render(&r, Format::DockerBench, false);
    let v: Value = serde_json::from_str(&text).unwrap();
    // Top-level keys in the reference tool's order.
    let order: Vec<usize> = [
        "\"dockerbenchsecurity\"",
        "\"start\"",
        "\"tests\"",
        "\"checks\"",
        "\"score\"",
        "\"end\"",
    ]
    .iter()
    .map(|k| text.find(k).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "key order {order:?}");
    assert!(v["dockerbenchsecurity"].is_string());
    assert!(v["start"].as_i64().unwrap() > 0);
    assert!(v["end"].as_i64().unwrap() >= v["start"].as_i64().unwrap());
    assert_eq!(v["checks"], r.results.len());
    assert_eq!(v["score"], r.summary.benchmarks[0].score);
    assert!(v.get("totalChecks").is_none());
    let mut n = 0;
    for section in v["tests"].as_array().unwrap() {
        assert!(section["id"].is_string() && section["desc"].is_string());
        for res in section["results"].as_array().unwrap() {
            n += 1;
            let allowed = [
                "id",
                "desc",
                "result",
                "details",
                "items",
                "remediation",
                "remediation-impact",
            ];
            for key in res.as_object().unwrap().keys() {
                assert!(allowed.contains(&key.as_str()), "unexpected key {key}");
            }
            assert!(["PASS", "WARN", "INFO", "NOTE"].contains(&res["result"].as_str().unwrap()));
            let ours = r.results.iter().find(|c| c.id == res["id"]).unwrap();
            assert_eq!(
                res["result"],
                report::docker_bench::result_string(ours.status)
            );
            if let Some(items) = res.get("items") {
                let names: Vec<&str> = ours.findings.iter().map(|f| f.object.as_str()).collect();
                assert_eq!(items, &serde_json::json!(names));
                assert!(res["details"].as_str().unwrap().contains(":  "));
            }
            if res["result"] == "PASS" {
                assert!(res.get("remediation").is_none());
            }
        }
    }
    assert_eq!(n, r.results.len());
}

// ---------------------------------------------------------------------------------------------
// `dockbench report`

#[test]
fn report_re_renders_a_saved_result() {
    let dir = tempfile::tempdir().unwrap();
    // Same JSON back.
    let out = dockbench()
        .args(["report", RISKY, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        report::render(&load(RISKY), Format::Json, false)
    );
    // --format with a bare path: written there, nothing on stdout.
    let html = dir.path().join("report.html");
    dockbench()
        .args(["report", RISKY, "--format", "html", "-o"])
        .arg(&html)
        .assert()
        .code(0)
        .stdout("");
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    // FORMAT=PATH, repeatable, like scan; stdout keeps --format.
    let sarif = dir.path().join("r.sarif");
    let db = dir.path().join("db.json");
    dockbench()
        .args(["report", RISKY, "--format", "markdown"])
        .arg("-o")
        .arg(format!("sarif={}", sarif.display()))
        .arg("--output")
        .arg(format!("docker-bench={}", db.display()))
        .assert()
        .code(0)
        .stdout(predicates::str::contains("### Findings"));
    assert!(
        std::fs::read_to_string(&sarif)
            .unwrap()
            .contains("\"2.1.0\"")
    );
    assert!(
        std::fs::read_to_string(&db)
            .unwrap()
            .contains("dockerbenchsecurity")
    );
    // From standard input.
    dockbench()
        .args(["report", "-", "--format", "csv"])
        .write_stdin(std::fs::read_to_string(RISKY).unwrap())
        .assert()
        .code(0)
        .stdout(predicates::str::starts_with("id,title,section"));
    // scan takes the new formats too.
    dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--format",
            "junit",
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("<testsuites"));
}

#[test]
fn report_refuses_bad_input_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("{ not json", "not valid JSON"),
        (r#"{"format_version": 1}"#, "not a dockbench JSON report"),
        (
            r#"{"schema_version": 99}"#,
            "report schema version 99 is not supported",
        ),
        (
            r#"{"schema_version": 1, "tool": "x"}"#,
            "not a dockbench JSON report",
        ),
    ];
    for (i, (text, message)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.json"));
        std::fs::write(&path, text).unwrap();
        dockbench()
            .arg("report")
            .arg(&path)
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                predicates::str::contains(*message).and(predicates::str::contains(
                    path.file_name().unwrap().to_str().unwrap(),
                )),
            );
    }
    dockbench()
        .args(["report", "/nonexistent/r.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read report"));
    // A snapshot is not a report.
    dockbench()
        .args(["report", "tests/fixtures/snapshots/risky.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a dockbench JSON report"));
    dockbench()
        .args(["report", RISKY, "--format", "pdf"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("pdf"));
    dockbench()
        .args(["report", RISKY, "-o", "json=/nonexistent-dir/r.json"])
        .assert()
        .code(4);
}

use predicates::prelude::*;

/// Two benchmarks together have no single version: the headings do not show an empty one.
#[test]
fn headings_of_a_two_benchmark_report_have_no_empty_version() {
    let mut r = load(RISKY);
    r.benchmark.title = "CIS Docker Benchmark 1.6.0 + dockbench production practices 1.0".into();
    r.benchmark.version = String::new();
    let md = report::render(&r, Format::Markdown, false);
    assert!(
        md.contains("## CIS Docker Benchmark 1.6.0 + dockbench production practices 1.0 — "),
        "{}",
        md.lines().take(5).collect::<Vec<_>>().join("\n")
    );
    let html = report::render(&r, Format::Html, false);
    assert!(
        html.contains("<h1>CIS Docker Benchmark 1.6.0 + dockbench production practices 1.0</h1>")
    );
}

// ---------------------------------------------------------------------------------------------
// Severity and per-benchmark scores (schema version 2); version 1 reports still read.

const RISKY_V1: &str = "tests/fixtures/reports/v1/risky-report.json";

/// A scan of the risky snapshot with both embedded benchmarks, as JSON.
fn two_benchmark_report() -> Report {
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--benchmark",
            "cis-docker-1.6.0,dockbench-practices",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    report::json::parse(&String::from_utf8(out.stdout).unwrap()).unwrap()
}

#[test]
fn every_result_carries_its_severity_and_benchmark() {
    let r = load(RISKY);
    let v = json_file(RISKY);
    for (res, raw) in r.results.iter().zip(v["results"].as_array().unwrap()) {
        assert!(res.severity.is_some(), "{}", res.id);
        assert!(!res.severity_rationale.is_empty(), "{}", res.id);
        assert_eq!(res.benchmark, "cis-docker-1.6.0");
        let sev = raw["severity"].as_str().unwrap();
        assert!(
            ["critical", "high", "medium", "low"].contains(&sev),
            "{sev}"
        );
    }
    let privileged = r.results.iter().find(|c| c.id == "5.5").unwrap();
    assert_eq!(raw_severity(&v, "5.5"), "critical");
    assert_eq!(privileged.severity.unwrap().as_str(), "critical");
}

fn raw_severity<'a>(v: &'a Value, id: &str) -> &'a str {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()["severity"]
        .as_str()
        .unwrap()
}

#[test]
fn each_benchmark_has_its_own_score_and_docker_bench_carries_the_cis_one() {
    let r = two_benchmark_report();
    let ids: Vec<&str> = r.summary.benchmarks.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["cis-docker-1.6.0", "dockbench-practices"]);
    for b in &r.summary.benchmarks {
        let mine: Vec<_> = r.results.iter().filter(|c| c.benchmark == b.id).collect();
        assert_eq!(b.total, mine.len());
        let score: i64 = mine
            .iter()
            .filter(|c| c.scored)
            .map(|c| match c.status {
                report::Status::Pass => 1,
                report::Status::Warn => -1,
                _ => 0,
            })
            .sum();
        assert_eq!(b.score, score, "{}", b.id);
        assert_eq!(
            b.counts.warn,
            mine.iter()
                .filter(|c| c.status == report::Status::Warn)
                .count()
        );
    }
    let (cis, dp) = (&r.summary.benchmarks[0], &r.summary.benchmarks[1]);
    assert_eq!(r.summary.combined_score, cis.score + dp.score);
    assert_ne!(
        dp.score, 0,
        "the practices score must differ for this test to mean anything"
    );
    let db: Value = serde_json::from_str(&report::render(&r, Format::DockerBench, false)).unwrap();
    assert_eq!(db["score"], cis.score);
    // ... and only the CIS results, so its count and tests agree with its score.
    let cis_results = r.results.iter().filter(|c| c.benchmark == cis.id).count();
    assert_eq!(db["checks"], cis_results);
    let listed: Vec<&str> = db["tests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["results"].as_array().unwrap())
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), cis_results);
    assert!(listed.iter().all(|id| !id.starts_with("DP.")), "{listed:?}");
    // Two score cards fill the HTML summary's first row: the status tiles get their own.
    let html = report::render(&r, Format::Html, false);
    assert!(html.contains(r#"<div class="summary multi">"#));
    // The text summary names each benchmark's score, not one combined "Score".
    let text = report::render(&r, Format::Text, false);
    assert!(
        text.contains(&format!("  cis-docker-1.6.0: {} (", cis.score)),
        "{text}"
    );
    assert!(text.contains(&format!("  dockbench-practices: {} (", dp.score)));
    assert!(!text.contains("\nScore: "));
    let prom = report::render(&r, Format::Prometheus, false);
    assert!(prom.contains(&format!(
        "dockbench_score{{benchmark=\"cis-docker-1.6.0\"}} {}",
        cis.score
    )));
    let junit = report::render(&r, Format::Junit, false);
    assert!(junit.contains(&format!(
        "name=\"score.dockbench-practices\" value=\"{}\"",
        dp.score
    )));
    let html = report::render(&r, Format::Html, false);
    assert!(html.contains("Score · dockbench-practices"));
}

#[test]
fn version_1_reports_are_read_with_severities_and_per_benchmark_scores() {
    let old = json_file(RISKY_V1);
    assert_eq!(old["schema_version"], 1);
    let v1 = load(RISKY_V1);
    assert_eq!(
        v1.schema_version,
        report::SCHEMA_VERSION,
        "upgraded on reading"
    );
    assert_eq!(v1.summary.benchmarks.len(), 1);
    assert_eq!(v1.summary.benchmarks[0].id, "cis-docker-1.6.0");
    assert_eq!(
        v1.summary.benchmarks[0].score,
        old["summary"]["score"].as_i64().unwrap()
    );
    assert_eq!(
        v1.summary.combined_score,
        old["summary"]["score"].as_i64().unwrap()
    );
    let now = load(RISKY);
    for r in &v1.results {
        assert_eq!(r.benchmark, "cis-docker-1.6.0");
        let current = now.results.iter().find(|c| c.id == r.id).unwrap();
        assert_eq!(r.severity, current.severity, "{}", r.id);
    }
    // `report`, `diff` and `scan --baseline` take it.
    dockbench()
        .args(["report", RISKY_V1, "--format", "sarif"])
        .assert()
        .code(0)
        .stdout(
            predicates::str::contains("security-severity").or(predicates::str::contains("2.1.0")),
        );
    dockbench()
        .args(["diff", RISKY_V1, RISKY])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("Compared with"));
    dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--baseline",
            RISKY_V1,
            "--format",
            "json",
        ])
        .assert()
        .stdout(predicates::str::contains("\"combined_score\""));
}

/// A redeploy recreates containers (new IDs, same names): the SARIF alerts stay the same, as
/// `dockbench diff` calls the findings unchanged. Another host's same-named container is
/// another alert.
#[test]
fn sarif_fingerprints_survive_a_redeploy_and_tell_hosts_apart() {
    let before = load(RISKY);
    let mut after = before.clone();
    for c in &mut after.results {
        for f in c.findings.iter_mut().chain(&mut c.exceptions) {
            if !f.id.is_empty() {
                f.id = format!("new{}", f.id);
            }
        }
    }
    let prints = |r: &Report| -> Vec<String> {
        let v: Value = serde_json::from_str(&report::render(r, Format::Sarif, false)).unwrap();
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                x["partialFingerprints"]["dockbench/v2"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(prints(&before), prints(&after));
    assert_eq!(report::diff::diff(&before, &after).counts.new, 0);
    let mut other_host = before.clone();
    other_host.host.machine_id = "another-machine".into();
    let a = prints(&before);
    assert!(prints(&other_host).iter().all(|p| !a.contains(p)));
}

/// `--fail-on` takes a severity: a WARN or ERROR of a check rated at least that fails the run.
#[test]
fn fail_on_a_severity() {
    let code = |check: &str, level: &str| {
        dockbench()
            .args([
                "scan",
                "--snapshot",
                "tests/fixtures/snapshots/risky.json",
                "-q",
            ])
            .args(["--check", check, "--fail-on", level])
            .output()
            .unwrap()
            .status
            .code()
    };
    let r = load(RISKY);
    let warn_of = |sev: &str| {
        r.results
            .iter()
            .find(|c| c.status == report::Status::Warn && c.severity.unwrap().as_str() == sev)
            .unwrap_or_else(|| panic!("the fixture has a WARN of a {sev} check"))
            .id
            .clone()
    };
    let (critical, medium) = (warn_of("critical"), warn_of("medium"));
    assert_eq!(code(&critical, "critical"), Some(1));
    assert_eq!(code(&medium, "critical"), Some(0));
    assert_eq!(code(&medium, "high"), Some(0));
    assert_eq!(code(&medium, "medium"), Some(1));
    assert_eq!(code(&medium, "low"), Some(1));
    // A check of that severity that could not be evaluated is no pass either.
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let scanned: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = scanned["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "ERROR" && c["severity"] == "high")
        .expect("the snapshot gives an ERROR of a high check")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(code(&error, "high"), Some(1));
    assert_eq!(code(&error, "critical"), Some(0));
}

/// docs/reports.md lists every check's severity and rationale: generated from
/// `checks list -f json`, so it cannot drift from the check files.
#[test]
fn severity_tables_in_docs_are_current() {
    let doc = std::fs::read_to_string("docs/reports.md").unwrap();
    for bench in ["cis-docker-1.6.0", "dockbench-practices"] {
        let out = dockbench()
            .args(["checks", "list", "-f", "json", "--benchmark", bench])
            .output()
            .unwrap();
        let checks: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut table = String::from("| ID | Severity | Why |\n|---|---|---|\n");
        for c in checks.as_array().unwrap() {
            table.push_str(&format!(
                "| {} | {} | {} |\n",
                c["id"].as_str().unwrap(),
                c["severity"].as_str().unwrap(),
                c["severity_rationale"]
                    .as_str()
                    .unwrap()
                    .replace('|', "\\|")
            ));
        }
        let start = format!("<!-- severity-table:{bench} -->\n");
        let at = doc
            .find(&start)
            .unwrap_or_else(|| panic!("docs/reports.md has no {start:?}"));
        let body = &doc[at + start.len()..];
        let found = &body[..body.find("<!-- /severity-table -->").unwrap()];
        if found != table && std::env::var_os("DOCKBENCH_UPDATE_DOCS").is_some() {
            let fixed = doc.replacen(&format!("{start}{found}"), &format!("{start}{table}"), 1);
            std::fs::write("docs/reports.md", fixed).unwrap();
            continue;
        }
        assert_eq!(
            found, table,
            "docs/reports.md severity table of {bench} is stale (DOCKBENCH_UPDATE_DOCS=1 rewrites it)"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Prometheus for many hosts

/// Label sets of one metric's samples.
fn series(text: &str, metric: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")))
        .map(|l| l[..l.rfind(' ').unwrap()].to_string())
        .collect()
}

/// A check changing status changes values, never the series: labels are fixed per check, the
/// title is in the info metric; `promtool check metrics` accepts the output.
#[test]
fn prometheus_series_do_not_change_with_status_and_pass_promtool() {
    let before = load(RISKY);
    let mut after = before.clone();
    for r in &mut after.results {
        r.status = match r.status {
            report::Status::Warn => report::Status::Pass,
            _ => report::Status::Warn,
        };
    }
    let (a, b) = (
        report::render(&before, Format::Prometheus, false),
        report::render(&after, Format::Prometheus, false),
    );
    for metric in [
        "dockbench_check_status",
        "dockbench_check_info",
        "dockbench_findings",
    ] {
        assert_eq!(series(&a, metric), series(&b, metric), "{metric}");
    }
    assert_ne!(a, b, "the values changed");
    let warn_5_5 = "dockbench_check_status{benchmark=\"cis-docker-1.6.0\",id=\"5.5\",severity=\"critical\",status=\"WARN\"}";
    assert!(a.contains(&format!("{warn_5_5} 1\n")), "{a}");
    assert!(b.contains(&format!("{warn_5_5} 0\n")));
    assert!(
        series(&a, "dockbench_check_status")
            .iter()
            .all(|s| !s.contains("title="))
    );
    assert!(a.contains("dockbench_check_info{benchmark=\"cis-docker-1.6.0\",id=\"5.5\",section=\"5\",level=\"1\",scored=\"true\",severity=\"critical\",title=\"Ensure that privileged containers are not used\"} 1"));

    let Ok(mut child) = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but promtool is missing (apt-get install prometheus)"
        );
        eprintln!("skipped promtool: not installed (apt-get install prometheus)");
        return;
    };
    use std::io::Write as _;
    let hostile = report::render(&load(HOSTILE), Format::Prometheus, false);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(hostile.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Objects a check did not apply to are counted, never listed as offenders, in every format.
#[test]
fn not_applicable_objects_are_counted_not_listed() {
    let mut r = load(RISKY);
    let c = r.results.iter_mut().find(|c| c.id == "5.5").unwrap();
    for i in 0..15 {
        c.exceptions.push(report::Finding::exception(
            report::ObjectKind::Container,
            &format!("na-object-{i}"),
            &format!("na{i}"),
            report::Status::Skip,
            "the root filesystem is writable".into(),
            None,
        ));
    }
    let counted = "15 containers not applicable (the root filesystem is writable)";
    for format in [
        Format::Text,
        Format::Csv,
        Format::Markdown,
        Format::Html,
        Format::Sarif,
        Format::Junit,
    ] {
        let out = report::render(&r, format, false);
        assert!(
            !out.contains("na-object-"),
            "{} lists a not-applicable object",
            format.name()
        );
        if format != Format::Sarif && format != Format::Csv {
            assert!(
                out.contains(counted),
                "{} does not count them",
                format.name()
            );
        }
    }
    let full = report::render_with(
        &r,
        Format::Text,
        &report::text::TextOptions {
            view: report::text::TextView::Full,
            ..Default::default()
        },
    );
    assert!(!full.contains("na-object-") && full.contains(counted));
    let csv = report::render(&r, Format::Csv, false);
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|x| x.unwrap()).collect();
    let of_5_5: Vec<_> = rows.iter().filter(|x| &x[0] == "5.5").collect();
    assert_eq!(of_5_5.len(), 1, "one row: the one offender");
    assert_eq!(&of_5_5[0][15], "15");
}

// ---------------------------------------------------------------------------------------------
// Offline header

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn offline_header_shows_the_kernel_and_docker_version_the_clone_reveals() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    copy_tree(std::path::Path::new("tests/fixtures/roots/normal"), &root);
    let header = |root: &std::path::Path| {
        let out = dockbench()
            .args(["scan", "--root"])
            .arg(root)
            .args(["-f", "text", "--view", "summary"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    // Nothing installed that says: unknown, as before.
    let before = header(&root);
    assert!(
        before.contains("kernel unknown") && before.contains("Docker unknown"),
        "{before}"
    );

    for rel in ["6.1.0-9-amd64", "6.1.0-28-amd64"] {
        let d = root.join("usr/lib/modules").join(rel);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("modules.order"), "").unwrap();
    }
    std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    std::fs::write(
        root.join("var/lib/dpkg/status"),
        "Package: docker-ce\nStatus: install ok installed\nVersion: 5:24.0.7-1~debian.12~bookworm\n",
    )
    .unwrap();
    // (The text view wraps at 80 columns.)
    let text = header(&root).replace('\n', " ");
    assert!(text.contains("kernel 6.1.0-28-amd64"), "{text}");
    assert!(text.contains("Docker 24.0.7"), "{text}");
    assert!(
        text.contains("installed, not running: kernel newest of 2 in /usr/lib/modules; Docker version from package docker-ce in /var/lib/dpkg/status"),
        "{text}"
    );
    let out = dockbench()
        .args(["scan", "--root"])
        .arg(&root)
        .args(["-f", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("kernel 6.1.0-28-amd64 · Docker 24.0.7"),
        "{md:.600}"
    );
}

#[test]
fn html_per_object_view_lists_each_object_with_its_checks_and_links_both_ways() {
    // Files: one entry per path (their `object` is the host), both 3.1 and 3.2 under the drop-in.
    let html = report::render(&load(FILES), Format::Html, false);
    assert!(
        html.contains("<h3>Files <span class=\"muted\">(3)</span></h3>"),
        "files group"
    );
    let dropin = "/etc/systemd/system/docker.service.d/override.conf";
    let at = html
        .find(&format!("<span class=\"name mono\">{dropin}"))
        .expect("the drop-in has its own entry");
    let entry = &html[at..at + html[at..].find("</details>").unwrap()];
    assert!(entry.contains("href=\"#check-3.1\"") && entry.contains("href=\"#check-3.2\""));
    assert!(entry.contains("2 WARN"));

    // Containers: every offender of a WARN check links to its entry, which links back.
    let r = load(RISKY);
    let html = report::render(&r, Format::Html, false);
    let check = |id: &str| {
        let at = html.find(&format!("id=\"check-{id}\"")).unwrap();
        html[at..at + html[at..].find("</details>").unwrap()].to_string()
    };
    for c in r
        .results
        .iter()
        .filter(|c| c.status == report::Status::Warn)
    {
        let body = check(&c.id);
        for f in c.findings.iter().filter(|f| f.kind == *"container") {
            let link = format!("\">{}</a>", f.object);
            let at = body
                .find(&link)
                .unwrap_or_else(|| panic!("{} {} unlinked", c.id, f.object));
            let href = &body[body[..at].rfind("href=\"#").unwrap() + 7..at];
            let entry_at = html.find(&format!("id=\"{href}\"")).unwrap();
            let entry = &html[entry_at..entry_at + html[entry_at..].find("</details>").unwrap()];
            assert!(entry.contains(&f.object), "{href} is not {}", f.object);
            assert!(
                entry.contains(&format!("href=\"#check-{}\"", c.id)),
                "{href} lacks {}",
                c.id
            );
        }
    }
    // Anchors are indexes, never names (names are whoever runs containers' choice).
    let hostile = report::render(&load(HOSTILE), Format::Html, false);
    for at in hostile.match_indices("class=\"object ").map(|(i, _)| i) {
        let tag = &hostile[at..at + hostile[at..].find('>').unwrap()];
        let id = tag
            .split("id=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(
            id.starts_with("obj-") && id[4..].bytes().all(|b| b.is_ascii_digit()),
            "{id}"
        );
    }
}

/// More objects than tera's `range` allows (100,000): the frame once looped over a range of
/// object marks, and a 100,000-container scan's HTML panicked ("Function `range` would
/// produce 100002 elements").
#[test]
fn html_of_more_than_100000_objects() {
    let mut r = load(RISKY);
    let i = r
        .results
        .iter()
        .position(|c| {
            c.findings
                .iter()
                .any(|f| f.kind == dockbench::results::ObjectKind::Container)
        })
        .expect("a check with a container finding");
    let seed = r.results[i]
        .findings
        .iter()
        .find(|f| f.kind == dockbench::results::ObjectKind::Container)
        .unwrap()
        .clone();
    r.results[i].findings = (0..100_001)
        .map(|n| {
            let mut f = seed.clone();
            f.object = format!("gen-{n}");
            f.id = format!("{n:064x}");
            f
        })
        .collect();
    let html = report::render(&r, Format::Html, false);
    let objects = html.matches("<details class=\"object ").count();
    assert!(objects > 100_000, "{objects} objects rendered");
}
