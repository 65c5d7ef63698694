//! Unattended use: configuration file, include/exclude filters, waivers in every format, exit
//! policy, baselines and `diff`, Prometheus output. Everything runs on the fixture snapshot
//! (`scan --snapshot`), so no daemon is needed.
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const RISKY: &str = "tests/fixtures/snapshots/risky.json";
const HOSTILE_REPORT: &str = "tests/fixtures/reports/hostile-report.json";
/// Contains `"`, `<`, `>` and `&`: every format must carry it intact or escaped.
const REASON: &str = "reads per-process <metrics> of the \"host\" & more";

fn dockbench() -> Command {
    let mut cmd = Command::cargo_bin("dockbench").unwrap();
    cmd.env("NO_COLOR", "1")
        .env_remove("DOCKBENCH_CONFIG")
        .env_remove("DOCKER_HOST");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// 5.16 (PidMode=host) has one offender in the fixture, vanilla-ns: waived entirely.
/// 5.4 has two (fx-priv, vanilla-ns): fx-priv waived, the check stays WARN.
/// 5.10's waiver expired; 5.99 matches nothing.
fn waiver_config() -> String {
    format!(
        r#"
[[waiver]]
check = "5.16"
container = "vanilla-*"
reason = {reason}
expires = 2999-12-31

[[waiver]]
check = "5.4"
container = "fx-priv"
reason = "privileged on purpose"

[[waiver]]
check = "5.10"
reason = "was accepted once"
expires = 2001-01-01

[[waiver]]
check = "5.99"
image = "nothing/*"
reason = "matches nothing"
"#,
        reason = toml_string(REASON)
    )
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn json_report(args: &[&str]) -> Value {
    let out = dockbench()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn result<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no result {id}"))
}

fn objects(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["object"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
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
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Waivers

#[test]
fn waivers_apply_expire_and_report_unused_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "dockbench.toml", &waiver_config());
    let formats = [
        "json",
        "text",
        "html",
        "sarif",
        "junit",
        "csv",
        "markdown",
        "docker-bench",
        "prometheus",
    ];
    let mut cmd = dockbench();
    cmd.args(["scan", "--snapshot", RISKY, "--view", "full", "--config"])
        .arg(&config)
        .arg("-q");
    for f in formats {
        cmd.arg("-o")
            .arg(format!("{f}={}", dir.path().join(f).display()));
    }
    cmd.assert().code(0);
    let out = |f: &str| read(&dir.path().join(f));

    // JSON: statuses, the waived list, the waiver summary; valid against the schema.
    let json: Value = serde_json::from_str(&out("json")).unwrap();
    validate(
        &serde_json::from_str(&read(Path::new("docs/report.schema.json"))).unwrap(),
        &json,
        "report with waivers",
    );
    let r516 = result(&json, "5.16");
    assert_eq!(r516["status"], "WAIVED");
    assert_eq!(r516["reason"], REASON);
    assert_eq!(objects(&r516["findings"]), Vec::<String>::new());
    assert_eq!(objects(&r516["waived"]), ["vanilla-ns"]);
    assert_eq!(r516["waived"][0]["reason"], REASON);
    assert_eq!(r516["waived"][0]["expires"], "2999-12-31");
    let r54 = result(&json, "5.4");
    assert_eq!(r54["status"], "WARN", "partly waived stays WARN");
    assert_eq!(objects(&r54["findings"]), ["vanilla-ns"]);
    assert_eq!(objects(&r54["waived"]), ["fx-priv"]);
    assert!(r54["reason"].as_str().unwrap().ends_with(", 1 waived"));
    let r510 = result(&json, "5.10");
    assert_eq!(
        r510["status"], "WARN",
        "an expired waiver no longer applies"
    );
    assert!(r510.get("waived").is_none());
    assert_eq!(json["summary"]["counts"]["waived"], 1);
    let w = &json["waivers"];
    let checks = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|u| u["check"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(checks(&w["applied"]), ["5.16", "5.4"]);
    assert_eq!(checks(&w["expired"]), ["5.10"]);
    assert_eq!(w["expired"][0]["matched"], 1);
    assert_eq!(checks(&w["unused"]), ["5.99"]);
    assert!(
        w["applied"][0]["origin"]
            .as_str()
            .unwrap()
            .ends_with("dockbench.toml:3")
    );

    // Text.
    let text = out("text");
    // The status tag, then the severity marker (HIGH), then the check.
    assert!(text.contains("[WAIVED] HIGH 5.16"), "{text}");
    assert!(text.contains(REASON));
    assert!(text.contains("~ waived container fx-priv"));
    assert!(text.contains("Waivers: 2 applied, 1 expired, 1 unused"));
    assert!(text.contains("expired  5.10"));
    assert!(text.contains("unused   5.99 image nothing/*"));

    // HTML: escaped, never raw.
    let html = out("html");
    let escaped = "reads per-process &lt;metrics&gt; of the &quot;host&quot; &amp; more";
    assert!(html.contains(escaped));
    assert!(!html.contains("<metrics>"));
    assert!(html.contains(r#"data-status="WAIVED""#));
    assert!(html.contains("id=\"waivers\""));

    // SARIF: waived findings are suppressed results with the justification.
    let sarif: Value = serde_json::from_str(&out("sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<(&str, &str)> = results
        .iter()
        .filter_map(|r| {
            let s = r.get("suppressions")?;
            Some((
                r["ruleId"].as_str().unwrap(),
                s[0]["justification"].as_str().unwrap(),
            ))
        })
        .collect();
    assert_eq!(
        suppressed,
        [
            ("cis-docker-1.6.0/5.4", "privileged on purpose"),
            ("cis-docker-1.6.0/5.16", REASON)
        ]
    );
    assert!(
        results
            .iter()
            .all(|r| r.get("suppressions").is_none() || r["suppressions"][0]["kind"] == "external")
    );
    validate(&sarif_schema(), &sarif, "SARIF with suppressions");

    // JUnit: a skipped test case with the reason.
    let junit = out("junit");
    let case = junit
        .split("<testcase ")
        .find(|c| c.contains("name=\"5.16 "))
        .unwrap();
    assert!(case.contains("<skipped message=\"WAIVED: reads per-process &lt;metrics&gt; of the &quot;host&quot; &amp; more\""), "{case}");

    // CSV: the waived object has its own row, status WAIVED, with the reason.
    let csv_text = out("csv");
    let mut csv = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    let waived: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| &r[7] == "WAIVED")
        .map(|r| (&r[0], &r[9]))
        .collect();
    assert_eq!(waived, [("5.4", "fx-priv"), ("5.16", "vanilla-ns")]);
    assert!(
        rows.iter()
            .any(|r| &r[0] == "5.16" && r[11].ends_with(&format!("(waived: {REASON})")))
    );

    // Markdown: the waived table and the waivers to review.
    let md = out("markdown");
    assert!(md.contains("### Waived (accepted exceptions)"));
    assert!(
        md.contains("reads per-process &lt;metrics&gt; of the \"host\" &amp; more"),
        "{md}"
    );
    assert!(md.contains("expired 2001-01-01: **5.10**"));
    assert!(md.contains("unused (matches nothing): **5.99**"));

    // docker-bench: INFO with "Waived: <reason>" and the object.
    let db: Value = serde_json::from_str(&out("docker-bench")).unwrap();
    let r = db["tests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["results"].as_array().unwrap())
        .find(|r| r["id"] == "5.16")
        .unwrap();
    assert_eq!(r["result"], "INFO");
    assert_eq!(r["details"], format!("Waived: {REASON}:  vanilla-ns"));

    // Prometheus: counts and waiver states.
    let prom = out("prometheus");
    assert!(prom.contains("dockbench_checks{status=\"waived\"} 1\n"));
    assert!(prom.contains("dockbench_waivers{state=\"expired\"} 1\n"));
    assert!(prom.contains("dockbench_check_status{benchmark=\"cis-docker-1.6.0\",id=\"5.16\",severity=\"high\",status=\"WAIVED\"} 1"));
    assert!(
        prom.contains("dockbench_waived_findings{benchmark=\"cis-docker-1.6.0\",id=\"5.4\"} 1\n")
    );

    // Re-rendering the saved JSON keeps all of it.
    dockbench()
        .arg("report")
        .arg(dir.path().join("json"))
        .args(["--view", "full"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("[WAIVED] HIGH 5.16")
                .and(predicate::str::contains("1 expired, 1 unused")),
        );
}

fn sarif_schema() -> Value {
    let mut schema: Value = serde_json::from_str(&read(Path::new(
        "tests/fixtures/schemas/sarif-schema-2.1.0.json",
    )))
    .unwrap();
    // The same erratum fix as tests/render.rs (a stray `]` in the `language` pattern).
    fn fix(v: &mut Value) {
        match v {
            Value::String(s) if s == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" => {
                *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
            }
            Value::Array(a) => a.iter_mut().for_each(fix),
            Value::Object(o) => o.values_mut().for_each(fix),
            _ => {}
        }
    }
    fix(&mut schema);
    schema
}

/// A waiver of a check the run left out (`--check`, `--benchmark`) is not "unused": it is not
/// listed at all; a waiver that names no check (a typo) still is.
#[test]
fn waivers_of_checks_not_run_are_not_unused() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "w.toml",
        "[[waiver]]\ncheck = \"5.16\"\nreason = \"host metrics\"\n\n[[waiver]]\ncheck = \"5.99\"\nreason = \"typo\"\n",
    );
    let config = config.to_str().unwrap();
    let json = json_report(&[
        "scan",
        "--snapshot",
        RISKY,
        "--check",
        "5.4",
        "--config",
        config,
    ]);
    let w = &json["waivers"];
    let checks = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| e["check"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(checks(&w["unused"]), ["5.99"], "{w}");
    assert!(checks(&w["applied"]).is_empty() && checks(&w["expired"]).is_empty());
    // The same waiver applies when its check runs.
    let json = json_report(&[
        "scan",
        "--snapshot",
        RISKY,
        "--check",
        "5.16",
        "--config",
        config,
    ]);
    assert_eq!(checks(&json["waivers"]["applied"]), ["5.16"]);
}

#[test]
fn waived_checks_count_neither_way_in_the_score() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "c.toml", &waiver_config());
    let config = config.to_str().unwrap();
    let without = json_report(&["scan", "--snapshot", RISKY]);
    let with = json_report(&["scan", "--snapshot", RISKY, "--config", config]);
    assert_eq!(result(&without, "5.16")["status"], "WARN");
    assert_eq!(result(&without, "5.16")["scored"], true);
    // 5.16: WARN (−1) → WAIVED (0); 5.4 stays WARN.
    assert_eq!(
        with["summary"]["combined_score"].as_i64().unwrap(),
        without["summary"]["combined_score"].as_i64().unwrap() + 1
    );
}

// ---------------------------------------------------------------------------------------------
// Exit policy

#[test]
fn fail_on_ignores_waived_findings() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "c.toml", &waiver_config());
    let scan = |extra: &[&str]| {
        let mut cmd = dockbench();
        cmd.args(["scan", "--snapshot", RISKY, "-q", "--fail-on", "warn"])
            .args(extra);
        cmd.assert()
    };
    scan(&["--check", "5.16"]).code(1);
    scan(&["--check", "5.16", "--config", config.to_str().unwrap()]).code(0);
    // Partly waived: the other offender still fails the run.
    scan(&["--check", "5.4", "--config", config.to_str().unwrap()]).code(1);
}

#[test]
fn min_score_and_precedence_over_the_config_file() {
    let score = json_report(&["scan", "--snapshot", RISKY])["summary"]["benchmarks"][0]["score"]
        .as_i64()
        .unwrap();
    let code = |extra: &[&str]| {
        dockbench()
            .args(["scan", "--snapshot", RISKY, "-q"])
            .args(extra)
            .output()
            .unwrap()
            .status
            .code()
            .unwrap()
    };
    assert_eq!(code(&["--min-score", &score.to_string()]), 0);
    assert_eq!(code(&["--min-score", &(score + 1).to_string()]), 1);
    let dir = tempfile::tempdir().unwrap();
    let strict = write(dir.path(), "strict.toml", "min_score = 1000\n");
    let strict = strict.to_str().unwrap();
    assert_eq!(
        code(&["--config", strict]),
        1,
        "the file's min_score applies"
    );
    assert_eq!(
        code(&["--config", strict, "--min-score", "-1000"]),
        0,
        "the command line wins over the file"
    );
    // DOCKBENCH_CONFIG names the file when --config does not.
    let out = dockbench()
        .env("DOCKBENCH_CONFIG", strict)
        .args(["scan", "--snapshot", RISKY, "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // A policy failure does not hide an output error: 4 wins.
    assert_eq!(
        code(&["--min-score", "1000", "-o", "json=/nonexistent-dir/r.json"]),
        4
    );
}

#[test]
fn config_errors_name_line_and_column_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "level = 1\nbenchmrk = \"x\"\n",
            ":2:1: unknown field `benchmrk`",
        ),
        (
            "[[waiver]]\ncheck = \"5.4\"\nexpires = 2027-03-31\n",
            ":1:1: missing field `reason`",
        ),
        ("level = 3\n", ":1:9: level 3: expected 1 or 2"),
        (
            "[output]\npdf = \"r.pdf\"\n",
            ":2:7: [output] unknown format 'pdf'",
        ),
        (
            "[containers]\nexclude_labels = [\"=x\"]\n",
            ":2:19: [containers] label '=x'",
        ),
        ("check = [\"5\"\n", ":1:"),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = write(dir.path(), &format!("c{i}.toml"), text);
        dockbench()
            .args(["scan", "--snapshot", RISKY, "--config"])
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{}{expected}",
                path.display()
            )));
    }
    dockbench()
        .args([
            "scan",
            "--snapshot",
            RISKY,
            "--config",
            "/nonexistent/dockbench.toml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read configuration"));
}

#[test]
fn config_sets_defaults_for_flags() {
    let dir = tempfile::tempdir().unwrap();
    let json_out = dir.path().join("r.json");
    let config = write(
        dir.path(),
        "c.toml",
        &format!(
            "check = [\"5\"]\nskip = [\"5.9\"]\nlevel = 1\nscored_only = true\nformat = \"csv\"\nhost_label = \"web-eu-1\"\nbenchmark = [\"cis-docker-1.6.0\", \"dockbench-practices\"]\n[output]\njson = {}\n",
            toml_string(json_out.to_str().unwrap())
        ),
    );
    let out = dockbench()
        .args(["scan", "--snapshot", RISKY, "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("id,title,")
    );
    let report: Value = serde_json::from_str(&read(&json_out)).unwrap();
    assert_eq!(report["host"]["label"], "web-eu-1");
    assert_eq!(report["benchmarks"].as_array().unwrap().len(), 2);
    let results = report["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let id = r["id"].as_str().unwrap();
        assert!(id.starts_with("5.") && id != "5.9", "{id}");
        assert_eq!(r["scored"], true, "{id}");
        assert_ne!(r["level"], "2", "{id}");
    }
    // The command line overrides the file's selection and format.
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            RISKY,
            "--check",
            "1.1.2",
            "-f",
            "json",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["results"].as_array().unwrap().len(), 1);
    // ... and its benchmark list.
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            RISKY,
            "--benchmark",
            "dockbench-practices",
            "--check",
            "DP",
            "--skip",
            "DP.1.1",
            "-f",
            "json",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["benchmarks"].as_array().unwrap().len(), 1);
    assert_eq!(report["benchmark"]["id"], "dockbench-practices");
}

#[test]
fn relative_paths_in_the_config_are_relative_to_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("etc");
    std::fs::create_dir(&sub).unwrap();
    let config = write(
        &sub,
        "dockbench.toml",
        "check = [\"5.4\"]\n[output]\nprometheus = \"out/dockbench.prom\"\n",
    );
    std::fs::create_dir(sub.join("out")).unwrap();
    dockbench()
        .current_dir(dir.path())
        .args(["scan", "-q", "--snapshot"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(RISKY))
        .arg("--config")
        .arg(&config)
        .assert()
        .code(0);
    let prom = read(&sub.join("out/dockbench.prom"));
    assert!(prom.contains("dockbench_check_info{benchmark=\"cis-docker-1.6.0\",id=\"5.4\""));
}

#[test]
fn scored_only_runs_only_scored_checks() {
    let all = json_report(&["scan", "--snapshot", RISKY]);
    let scored = json_report(&["scan", "--snapshot", RISKY, "--scored-only"]);
    let n_scored = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["scored"] == true)
        .count();
    assert!(n_scored < all["results"].as_array().unwrap().len());
    assert_eq!(scored["results"].as_array().unwrap().len(), n_scored);
    assert_eq!(scored["summary"]["score"], all["summary"]["score"]);
}

// ---------------------------------------------------------------------------------------------
// Filters

#[test]
fn filters_remove_objects_from_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "c.toml",
        "[containers]\nexclude = [\"fx-pr*\"]\n[images]\nexclude = [\"dockbench-fixture/*\"]\n",
    );
    let all = json_report(&["scan", "--snapshot", RISKY]);
    let filtered = json_report(&[
        "scan",
        "--snapshot",
        RISKY,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(filtered["filtered"]["containers_excluded"], 1);
    assert!(filtered["filtered"]["images_excluded"].as_u64().unwrap() >= 1);
    assert_eq!(
        filtered["containers_scanned"].as_u64().unwrap() + 1,
        all["containers_scanned"].as_u64().unwrap()
    );
    let text = serde_json::to_string(&filtered["results"]).unwrap();
    assert!(text.contains("vanilla-ns"));
    assert!(
        !text.contains("fx-priv"),
        "an excluded container appears in no check"
    );
    assert!(!text.contains("dockbench-fixture/busybox"));
    assert!(all.get("filtered").is_none());
    for format in ["text", "markdown"] {
        dockbench()
            .args(["scan", "--snapshot", RISKY, "-f", format, "--config"])
            .arg(dir.path().join("c.toml"))
            .assert()
            .code(0)
            .stdout(predicate::str::contains(
                "left out by the configuration's filters: 1 container, 1 image",
            ));
    }
    // Include by label: nothing in the fixture carries it, so every container check SKIPs.
    let config = write(
        dir.path(),
        "l.toml",
        "[containers]\ninclude_labels = [\"team=none\"]\n",
    );
    let r = json_report(&[
        "scan",
        "--snapshot",
        RISKY,
        "--check",
        "5.4",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(r["containers_scanned"], 0);
    assert_eq!(result(&r, "5.4")["status"], "SKIP");
}

// ---------------------------------------------------------------------------------------------
// Baselines and diff

/// Two reports: the full fixture, and the fixture without the container fx-priv and without
/// check 5.10's offender (vanilla-ns is also excluded from nothing else).
fn two_reports(dir: &Path) -> (PathBuf, PathBuf) {
    let old = dir.join("old.json");
    let new = dir.join("new.json");
    dockbench()
        .args(["scan", "--snapshot", RISKY, "-q", "-o"])
        .arg(format!("json={}", old.display()))
        .assert()
        .code(0);
    let config = write(dir, "c.toml", "[containers]\nexclude = [\"fx-priv\"]\n");
    dockbench()
        .args(["scan", "--snapshot", RISKY, "-q", "--config"])
        .arg(&config)
        .arg("-o")
        .arg(format!("json={}", new.display()))
        .assert()
        .code(0);
    (old, new)
}

fn diff_json(old: &Path, new: &Path) -> Value {
    let out = dockbench()
        .arg("diff")
        .arg(old)
        .arg(new)
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn diff_classifies_new_resolved_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = two_reports(dir.path());
    let d = diff_json(&old, &new);
    let entries = |k: &str| -> Vec<(String, String)> {
        d[k].as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["check"].as_str().unwrap().to_string(),
                    e["object"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let resolved = entries("resolved");
    assert!(
        resolved.contains(&("5.5".into(), "fx-priv".into())),
        "{resolved:?}"
    );
    assert!(resolved.iter().all(|(_, o)| o == "fx-priv"), "{resolved:?}");
    assert!(entries("new").is_empty());
    let unchanged = entries("unchanged");
    assert!(unchanged.contains(&("5.10".into(), "vanilla-ns".into())));
    assert!(unchanged.iter().all(|(_, o)| o != "fx-priv"));
    assert_eq!(
        d["counts"]["resolved"].as_u64().unwrap() as usize,
        resolved.len()
    );
    assert_eq!(
        d["counts"]["unchanged"].as_u64().unwrap() as usize,
        unchanged.len()
    );

    // The other way round the same findings are new.
    let back = diff_json(&new, &old);
    assert_eq!(back["counts"]["new"], d["counts"]["resolved"]);
    assert_eq!(back["counts"]["resolved"], 0);

    // --fail-on-new: exit 1 only when something is new.
    dockbench()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .arg("--fail-on-new")
        .assert()
        .code(0);
    dockbench()
        .arg("diff")
        .arg(&new)
        .arg(&old)
        .arg("--fail-on-new")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "new       5.5 [WARN] container fx-priv",
        ));
    dockbench()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .args(["-f", "markdown"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("## Resolved").and(predicate::str::contains("fx-priv")));
}

#[test]
fn scan_with_baseline_embeds_the_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let (old, _) = two_reports(dir.path());
    let config = dir.path().join("c.toml");
    let html = dir.path().join("r.html");
    let out = dockbench()
        .args(["scan", "--snapshot", RISKY, "--baseline"])
        .arg(&old)
        .arg("--config")
        .arg(&config)
        .arg("-o")
        .arg(format!("html={}", html.display()))
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let b = &report["baseline"];
    assert_eq!(b["counts"]["new"], 0);
    assert!(b["counts"]["resolved"].as_u64().unwrap() > 0);
    assert_eq!(
        b["baseline"]["started_at"],
        serde_json::from_str::<Value>(&read(&old)).unwrap()["started_at"]
    );
    validate(
        &serde_json::from_str(&read(Path::new("docs/report.schema.json"))).unwrap(),
        &report,
        "report with a baseline",
    );
    let html = read(&html);
    assert!(html.contains("Since the baseline"));
    assert!(html.contains("fx-priv"));
    // --fail-on-new: the filtered report as baseline makes fx-priv's findings new.
    let (old_full, new_filtered) = (old.clone(), dir.path().join("new.json"));
    dockbench()
        .args([
            "scan",
            "--snapshot",
            RISKY,
            "-q",
            "--fail-on-new",
            "--baseline",
        ])
        .arg(&new_filtered)
        .assert()
        .code(1);
    dockbench()
        .args([
            "scan",
            "--snapshot",
            RISKY,
            "-q",
            "--fail-on-new",
            "--baseline",
        ])
        .arg(&old_full)
        .assert()
        .code(0);
    dockbench()
        .args(["scan", "--snapshot", RISKY, "-q", "--fail-on-new"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a --baseline"));
    // Text: the baseline block, and `report` re-renders it from the JSON.
    dockbench()
        .args(["scan", "--snapshot", RISKY, "--baseline"])
        .arg(&old)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 new, 0 resolved,"));
}

#[test]
fn a_baseline_that_is_not_a_report_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = Path::new(RISKY);
    dockbench()
        .args(["scan", "--snapshot", RISKY, "--baseline"])
        .arg(snapshot)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("baseline")
                .and(predicate::str::contains("not a dockbench JSON report")),
        );
    let other = write(dir.path(), "v9.json", r#"{"schema_version": 9}"#);
    dockbench()
        .args(["scan", "--snapshot", RISKY, "--baseline"])
        .arg(&other)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "schema version 9 is not supported",
        ));
    dockbench()
        .arg("diff")
        .arg(&other)
        .arg(HOSTILE_REPORT)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("v9.json"));
}

// ---------------------------------------------------------------------------------------------
// Prometheus

/// A strict checker of the Prometheus text exposition format (version 0.0.4) as far as this
/// output uses it: `# HELP`/`# TYPE` before a family's samples, each family once and its
/// samples together, valid metric and label names, label values escaped, float values, no
/// duplicate series.
fn check_exposition(text: &str) -> Result<usize, String> {
    fn metric_name(s: &str) -> bool {
        let mut cs = s.chars();
        cs.next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    }
    fn label_name(s: &str) -> bool {
        let mut cs = s.chars();
        cs.next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !s.starts_with("__")
    }
    fn value(s: &str) -> bool {
        matches!(s, "NaN" | "+Inf" | "-Inf") || s.parse::<f64>().is_ok()
    }
    /// Parses `{a="x",b="y"}` at the start of `s`; returns the labels and the rest.
    type Labels = Vec<(String, String)>;
    fn labels(s: &str) -> Result<(Labels, &str), String> {
        let mut out = Vec::new();
        let mut rest = s.strip_prefix('{').ok_or("expected {")?;
        loop {
            if let Some(r) = rest.strip_prefix('}') {
                return Ok((out, r));
            }
            let eq = rest.find('=').ok_or("label without =")?;
            let name = &rest[..eq];
            if !label_name(name) {
                return Err(format!("bad label name {name:?}"));
            }
            let mut chars = rest[eq + 1..].char_indices();
            if chars.next() != Some((0, '"')) {
                return Err("label value must be quoted".into());
            }
            let mut v = String::new();
            let end = loop {
                match chars.next() {
                    None => return Err("unterminated label value".into()),
                    Some((i, '"')) => break i,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, '\\')) => v.push('\\'),
                        Some((_, '"')) => v.push('"'),
                        Some((_, 'n')) => v.push('\n'),
                        other => return Err(format!("bad escape {other:?}")),
                    },
                    Some((_, '\n')) => return Err("raw newline in label value".into()),
                    Some((_, c)) => v.push(c),
                }
            };
            if out.iter().any(|(n, _): &(String, String)| n == name) {
                return Err(format!("label {name} twice"));
            }
            out.push((name.to_string(), v));
            rest = &rest[eq + 1 + end + 1..];
            if let Some(r) = rest.strip_prefix(',') {
                rest = r;
            } else if !rest.starts_with('}') {
                return Err("expected , or }".into());
            }
        }
    }
    let mut help: HashSet<String> = HashSet::new();
    let mut typed: HashMap<String, String> = HashMap::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut current: Option<String> = None;
    let mut series: HashSet<String> = HashSet::new();
    let mut samples = 0;
    let mut in_family = 0;
    if !text.ends_with('\n') {
        return Err("must end with a newline".into());
    }
    for (n, line) in text.lines().enumerate() {
        let at = |e: String| format!("line {}: {e}: {line:?}", n + 1);
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (kw, name, arg) = (parts.next(), parts.next(), parts.next());
            let name = name.ok_or_else(|| at("comment without a metric name".into()))?;
            if !metric_name(name) {
                return Err(at("bad metric name".into()));
            }
            if finished.contains(name) {
                return Err(at("family split: metadata after another family".into()));
            }
            if current.as_deref() == Some(name) {
                if in_family > 0 {
                    return Err(at("metadata after the family's samples".into()));
                }
            } else {
                if let Some(c) = current.take() {
                    finished.insert(c);
                }
                current = Some(name.to_string());
                in_family = 0;
            }
            match kw {
                Some("HELP") => {
                    let mut chars = arg.unwrap_or("").chars();
                    while let Some(c) = chars.next() {
                        if c == '\\' && !matches!(chars.next(), Some('\\' | 'n')) {
                            return Err(at("bad escape in HELP".into()));
                        }
                    }
                    if !help.insert(name.to_string()) {
                        return Err(at("second HELP".into()));
                    }
                }
                Some("TYPE") => {
                    let t = arg.ok_or_else(|| at("TYPE without a type".into()))?;
                    if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&t) {
                        return Err(at(format!("unknown type {t}")));
                    }
                    if typed.insert(name.to_string(), t.to_string()).is_some() {
                        return Err(at("second TYPE".into()));
                    }
                }
                _ => return Err(at("comment is neither HELP nor TYPE".into())),
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            return Err(at("empty line or bare comment".into()));
        }
        let name_end = line
            .find(['{', ' '])
            .ok_or_else(|| at("sample without value".into()))?;
        let name = &line[..name_end];
        if !metric_name(name) {
            return Err(at("bad metric name".into()));
        }
        if current.as_deref() != Some(name) || !typed.contains_key(name) || !help.contains(name) {
            return Err(at("sample before its HELP and TYPE, or family split".into()));
        }
        let (lbls, rest) = if line[name_end..].starts_with('{') {
            labels(&line[name_end..]).map_err(at)?
        } else {
            (Vec::new(), &line[name_end..])
        };
        let rest = rest
            .strip_prefix(' ')
            .ok_or_else(|| at("expected a space before the value".into()))?;
        let mut fields = rest.split(' ');
        let v = fields.next().unwrap_or("");
        if !value(v) {
            return Err(at(format!("bad value {v:?}")));
        }
        if let Some(ts) = fields.next()
            && ts.parse::<i64>().is_err()
        {
            return Err(at("bad timestamp".into()));
        }
        if fields.next().is_some() {
            return Err(at("trailing fields".into()));
        }
        let mut sorted = lbls.clone();
        sorted.sort();
        if !series.insert(format!("{name}{sorted:?}")) {
            return Err(at("duplicate series".into()));
        }
        samples += 1;
        in_family += 1;
    }
    Ok(samples)
}

#[test]
fn the_exposition_checker_rejects_broken_input() {
    let ok = "# HELP a x\n# TYPE a gauge\na{l=\"v\\\"\\\\\\n\"} 1\n";
    assert_eq!(check_exposition(ok), Ok(1));
    for bad in [
        "a 1\n",                                                                   // no HELP/TYPE
        "# HELP a x\n# TYPE a gauge\na{l=\"v\"\"} 1\n", // unescaped quote
        "# HELP a x\n# TYPE a gauge\na{l=\"v\"} 1\na{l=\"v\"} 2\n", // duplicate series
        "# HELP a x\n# TYPE a gauge\na{1l=\"v\"} 1\n",  // bad label name
        "# HELP a x\n# TYPE a gauge\na one\n",          // bad value
        "# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na 2\n", // split family
        "# HELP a x\n# TYPE a gauge\na 1",              // no final newline
    ] {
        assert!(check_exposition(bad).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn prometheus_output_follows_the_exposition_format() {
    // Hostile names and values (quotes, backslashes, newlines, markup) from the fixture report,
    // plus waivers and a baseline from a scan.
    let out = dockbench()
        .args(["report", HOSTILE_REPORT, "-f", "prometheus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let samples = check_exposition(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let report: Value = serde_json::from_str(&read(Path::new(HOSTILE_REPORT))).unwrap();
    let checks = report["results"].as_array().unwrap().len();
    // Per check: info, 7 statuses, findings, waived findings; then 7 status counts, info, score,
    // 2 scanned object counts, timestamp and duration.
    assert_eq!(samples, 10 * checks + 13);
    assert!(text.contains(&format!(
        "dockbench_score{{benchmark=\"cis-docker-1.6.0\"}} {}\n",
        report["summary"]["benchmarks"][0]["score"]
    )));
    assert!(text.contains("dockbench_scan_timestamp_seconds "));
    assert!(text.contains("dockbench_scan_duration_seconds "));
    for status in ["pass", "warn", "info", "note", "skip", "error", "waived"] {
        assert!(text.contains(&format!("dockbench_checks{{status=\"{status}\"}} ")));
    }

    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "waivers.toml", &waiver_config());
    let (old, _) = two_reports(dir.path());
    let out = dockbench()
        .args(["scan", "--snapshot", RISKY, "-f", "prometheus", "--config"])
        .arg(&config)
        .arg("--baseline")
        .arg(&old)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    check_exposition(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(text.contains("dockbench_baseline_findings{state=\"new\"} 0\n"));
    assert!(text.contains("dockbench_waivers{state=\"unused\"} 1\n"));
}

// ---------------------------------------------------------------------------------------------
// Documentation

#[test]
fn the_readme_shows_the_shipped_example_config() {
    // The configuration reference moved from the README to docs/configuration.md.
    let readme = read(Path::new("docs/configuration.md"));
    let example = read(Path::new("docs/dockbench.example.toml"));
    let start = "<!-- example-config -->\n```toml\n";
    let at = readme
        .find(start)
        .expect("docs/configuration.md has the example-config marker")
        + start.len();
    let end = readme[at..].find("```\n<!-- /example-config -->").unwrap();
    assert_eq!(
        &readme[at..at + end],
        example,
        "docs/configuration.md's example configuration differs from docs/dockbench.example.toml"
    );
}

/// The example's waivers must waive the checks their reasons talk about: a waiver on the wrong
/// check id is an exception nobody accepted (and "unused" on the real finding).
#[test]
fn the_example_config_waives_the_checks_its_reasons_describe() {
    let example: toml::Table = read(Path::new("docs/dockbench.example.toml"))
        .parse()
        .unwrap();
    // Words of a waiver's reason → words of the title of the check it must name.
    let expected = [
        ("per-process metrics", "process namespace"),
        ("cgroup", "memory usage"),
    ];
    let waivers = example["waiver"].as_array().unwrap();
    assert_eq!(waivers.len(), expected.len());
    for w in waivers {
        let reason = w["reason"].as_str().unwrap();
        let check = w["check"].as_str().unwrap();
        let (_, topic) = expected
            .iter()
            .find(|(words, _)| reason.contains(words))
            .unwrap_or_else(|| panic!("no expectation for the waiver {reason:?}"));
        let out = dockbench()
            .args(["checks", "show", check])
            .output()
            .unwrap();
        let title = String::from_utf8(out.stdout).unwrap();
        let title = title.lines().next().unwrap_or_default();
        assert!(
            title.contains(topic),
            "waiver {check} ({reason}) names {title:?}, not a check about {topic}"
        );
    }
}

/// Alert rules and JSON queries name a level the same way: `level="1"`, as in JSON and SARIF.
#[test]
fn prometheus_levels_are_the_json_levels() {
    let json = json_report(&["scan", "--snapshot", RISKY]);
    let out = dockbench()
        .args(["scan", "--snapshot", RISKY, "-f", "prometheus"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for r in json["results"].as_array().unwrap() {
        let sample = format!(
            "dockbench_check_info{{benchmark=\"{}\",id=\"{}\",section=\"{}\",level=\"{}\",",
            r["benchmark"].as_str().unwrap(),
            r["id"].as_str().unwrap(),
            r["section"].as_str().unwrap(),
            r["level"].as_str().unwrap()
        );
        assert!(text.contains(&sample), "no {sample} in\n{text}");
    }
}

/// The host identity of the other formats is in `dockbench_info` too (a fleet's series).
#[test]
fn prometheus_info_carries_the_host_label_and_machine_id() {
    let json = json_report(&["scan", "--snapshot", RISKY, "--host-label", "web-eu-1"]);
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            RISKY,
            "--host-label",
            "web-eu-1",
            "-f",
            "prometheus",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let info = text
        .lines()
        .find(|l| l.starts_with("dockbench_info{"))
        .unwrap();
    assert!(info.contains("label=\"web-eu-1\""), "{info}");
    let machine_id = json["host"]["machine_id"].as_str().unwrap();
    assert!(
        info.contains(&format!("machine_id=\"{machine_id}\"")),
        "{info}"
    );
}

/// "1 finding", not "1 findings", in the text report's waiver list.
#[test]
fn text_waiver_list_counts_in_the_singular_for_one() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "w.toml",
        "[[waiver]]\ncheck = \"5.16\"\nreason = \"host metrics\"\n",
    );
    let out = dockbench()
        .args(["scan", "--snapshot", RISKY, "--check", "5.16", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("host metrics (1 finding; "), "{text}");
}

#[test]
fn prometheus_snapshot() {
    let out = dockbench()
        .args([
            "report",
            "tests/fixtures/reports/risky-report.json",
            "-f",
            "prometheus",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("risky_prometheus", String::from_utf8(out.stdout).unwrap());
}
