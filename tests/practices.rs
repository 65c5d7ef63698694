//! The dockbench-practices benchmark through the CLI: both benchmarks in one report,
//! `[params]` overrides, and a planted secret that must not appear in any output format. Its
//! per-check verdicts are case files: checks/dockbench-practices/cases/ (tests/cases.rs).
mod support;

use dockbench::engine::{cel_env, load_embedded};
use serde_json::{Value, json};

const CLEAN: &str = "tests/fixtures/snapshots/clean.json";
const PLANTED: &str = "Sup3rS3cretPlant3dValue";

fn clean() -> Value {
    serde_json::from_str(&std::fs::read_to_string(CLEAN).unwrap()).unwrap()
}

fn set(v: &mut Value, path: &str, value: Value) {
    let mut target = v;
    for key in path.split('.') {
        target = match key.parse::<usize>() {
            Ok(i) => &mut target[i],
            Err(_) => &mut target[key],
        };
    }
    *target = value;
}

/// The number of checks of an embedded benchmark, from the registry.
fn count(bench: &str) -> usize {
    load_embedded(bench, &cel_env()).unwrap().checks.len()
}

#[test]
fn both_benchmarks_run_in_one_report() {
    let report = support::report_of(&[
        "scan",
        "--snapshot",
        CLEAN,
        "--benchmark",
        "cis-docker-1.6.0,dockbench-practices",
    ]);
    let r = &report.0;
    assert_eq!(r["benchmark"]["id"], "cis-docker-1.6.0+dockbench-practices");
    let ids: Vec<&str> = r["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["cis-docker-1.6.0", "dockbench-practices"]);
    let results: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    let cis = count("cis-docker-1.6.0");
    assert_eq!(results.len(), cis + count("dockbench-practices"));
    assert_eq!(results[0], "1.1.1");
    assert_eq!(results[cis], "DP.1.1");
    assert!(
        r["sections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "DP.6")
    );
    // Prefix selection on whole components across both.
    let report = support::report_of(&[
        "scan",
        "--snapshot",
        CLEAN,
        "--benchmark",
        "cis-docker-1.6.0",
        "--benchmark",
        "dockbench-practices",
        "--check",
        "DP.2,5.28",
    ]);
    let n = report.0["results"].as_array().unwrap().len();
    assert_eq!(n, 6);
    // The text report names both.
    let out = support::dockbench()
        .args([
            "scan",
            "--snapshot",
            CLEAN,
            "--benchmark",
            "cis-docker-1.6.0,dockbench-practices",
            "--check",
            "DP.1",
        ])
        .output()
        .unwrap();
    // Lines are wrapped at 80 columns: compare words.
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("CIS Docker Benchmark 1.6.0 + dockbench production practices 1.0"),
        "{text}"
    );
}

#[test]
fn duplicate_ids_across_benchmarks_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchmark.toml"),
        "id='mine'\ntitle='Mine'\nversion='1'\n[[section]]\nid='DP.1'\ntitle='x'\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[[check]]\nid='DP.1.1'\ntitle='t'\nlevel='1'\nscope='host'\nseverity='low'\nseverity_rationale='t'\nremediation='r'\nfinding='false'\n",
    )
    .unwrap();
    let out = support::dockbench()
        .args(["scan", "--snapshot", CLEAN, "--checks-dir"])
        .arg(dir.path())
        .args(["--benchmark", "dockbench-practices,mine"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("check DP.1.1 is in both dockbench-practices and mine"),
        "{err}"
    );
}

#[test]
fn params_are_overridden_by_an_extending_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchmark.toml"),
        "id='strict'\ntitle='Strict'\nversion='1'\nextends='dockbench-practices'\n[params]\nmax_image_size_mb = 1\n",
    )
    .unwrap();
    let args = |bench: &str| {
        let d = dir.path().to_str().unwrap().to_string();
        let report = support::report_of(&[
            "scan",
            "--snapshot",
            CLEAN,
            "--checks-dir",
            &d,
            "--benchmark",
            bench,
            "--check",
            "DP.3.3,DP.3.4",
        ]);
        let statuses: Vec<String> = report.0["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap().to_string())
            .collect();
        statuses
    };
    assert_eq!(args("dockbench-practices"), ["PASS", "PASS"]);
    // 3.96 MB > 1 MB; the inherited age threshold stays 90 days.
    assert_eq!(args("strict"), ["INFO", "PASS"]);
}

#[test]
fn unknown_params_are_load_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchmark.toml"),
        "id='p'\ntitle='P'\nversion='1'\n[params]\nlimit = 3\n[[section]]\nid='1'\ntitle='x'\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[[check]]\nid='1.1'\ntitle='t'\nlevel='1'\nscope='host'\nseverity='low'\nseverity_rationale='t'\nremediation='r'\nfinding='params.limt > 1'\n",
    )
    .unwrap();
    let out = support::dockbench()
        .args(["checks", "validate"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field 'limt'"));
}

#[test]
fn a_planted_secret_never_appears_in_any_output() {
    let mut snap = clean();
    let image = &mut snap["images"][0];
    set(image, "Config.Env", json!([format!("API_TOKEN={PLANTED}")]));
    set(image, "Config.Labels", json!({"deploy.password": PLANTED}));
    image["History"]
        .as_array_mut()
        .unwrap()
        .insert(0, json!({"Created": 1795388890, "CreatedBy": format!("/bin/sh -c #(nop)  ENV API_TOKEN={PLANTED}"), "Comment": "", "Size": 0, "Tags": []}));
    let file = support::temp_json(&snap);
    let path = file.path().to_str().unwrap();
    for format in [
        "text",
        "json",
        "html",
        "sarif",
        "junit",
        "csv",
        "markdown",
        "docker-bench",
    ] {
        let out = support::dockbench()
            .args([
                "scan",
                "--snapshot",
                path,
                "--benchmark",
                "cis-docker-1.6.0,dockbench-practices",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains(PLANTED), "{format} output shows the secret");
        assert!(
            // Markdown escapes the underscore; docker-bench's layout lists object names only.
            format == "docker-bench" || text.contains("API_TOKEN") || text.contains("API\\_TOKEN"),
            "{format} output does not name the key"
        );
    }
}
