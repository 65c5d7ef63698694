//! Files of the previous formats (tests/fixtures/v1: snapshots of format 1, reports of schema 1
//! and 2, written by the release before typed fact status) still load and give the same
//! verdicts: `scan --snapshot`, `report`, `diff` and `--baseline` of files users already have.
//! tests/fixtures/v2: a report of schema version 2 (findings of file checks on the host).
use std::collections::BTreeMap;

use assert_cmd::Command;
use dockbench::engine::eval::{EvalOptions, evaluate_with};
use dockbench::engine::{cel_env, load_embedded};
use dockbench::report::{CheckResult, Status};
use dockbench::snapshot::{FactStatus, ScanMode, Snapshot};
use serde_json::Value;

const DIR: &str = "tests/fixtures/v1";
const BENCHMARKS: [&str; 2] = ["cis-docker-1.6.0", "dockbench-practices"];

fn dockbench() -> Command {
    let mut cmd = Command::cargo_bin("dockbench").unwrap();
    cmd.env_remove("DOCKER_HOST").env("NO_COLOR", "1");
    cmd
}

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap()
}

fn evaluate(snapshot: &str) -> Vec<CheckResult> {
    let snap = Snapshot::from_json(&read(snapshot)).unwrap();
    let env = cel_env();
    let benches: Vec<_> = BENCHMARKS
        .iter()
        .map(|b| load_embedded(b, &env).unwrap())
        .collect();
    let checks: Vec<_> = benches.iter().flat_map(|b| b.checks.iter()).collect();
    evaluate_with(&checks, &snap, &env, &EvalOptions::default())
}

/// id → (status, reason, exceptions as (status, object, reason)) of a report JSON.
type Verdicts = BTreeMap<String, (String, String, Vec<(String, String, String)>)>;

fn verdicts_of_report(report: &Value) -> Verdicts {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let exceptions = r["exceptions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let value = e["value"].as_str().unwrap();
                    let (status, reason) = value.split_once(": ").unwrap_or(("ERROR", value));
                    let object = e["object"].as_str().unwrap().to_string();
                    (status.to_string(), object, reason.to_string())
                })
                .collect();
            (
                r["id"].as_str().unwrap().to_string(),
                (
                    r["status"].as_str().unwrap().to_string(),
                    r["reason"].as_str().unwrap().to_string(),
                    exceptions,
                ),
            )
        })
        .collect()
}

fn verdicts(results: &[CheckResult]) -> Verdicts {
    results
        .iter()
        .map(|r| {
            let exceptions = r
                .exceptions
                .iter()
                .map(|e| {
                    let status = e.status.expect("every exception has a typed status");
                    (status.to_string(), e.object.clone(), e.reason.clone())
                })
                .collect();
            (
                r.id.clone(),
                (r.status.to_string(), r.reason.clone(), exceptions),
            )
        })
        .collect()
}

#[test]
fn format_1_snapshots_give_the_verdicts_of_the_release_that_wrote_them() {
    for (snapshot, reports) in [
        (
            "live-snapshot.json",
            ["live-report.json", "live-report-schema1.json"],
        ),
        (
            "root-snapshot.json",
            ["root-report.json", "root-report-schema1.json"],
        ),
    ] {
        let now = verdicts(&evaluate(snapshot));
        for report in reports {
            let then: Value = serde_json::from_str(&read(report)).unwrap();
            let then = verdicts_of_report(&then);
            // Checks added since (DP.1.3) are not in the old report; every old one still is.
            assert!(then.len() <= now.len(), "{report}");
            for (id, was) in &then {
                // Host and daemon checks' ERROR exceptions carried the bare reason.
                let is = now
                    .get(id)
                    .unwrap_or_else(|| panic!("{report}: {id} is gone"));
                // A daemon setting the running daemon reported is now shown from there
                // (`daemon.Effective`, issue 12): same verdict, the reason names the source.
                if is.1.contains("(running daemon: ") {
                    assert_eq!(was.0, is.0, "{snapshot}: {id}");
                } else {
                    assert_eq!((&was.0, &was.1), (&is.0, &is.1), "{snapshot}: {id}");
                }
                assert_eq!(was.2.len(), is.2.len(), "{snapshot}: {id}");
            }
        }
    }
}

#[test]
fn format_1_statuses_become_typed() {
    let live = Snapshot::from_json(&read("live-snapshot.json")).unwrap();
    assert_eq!(live.host.Proc, FactStatus::Available);
    assert!(live.host.Files["docker.sock"].Status.is_available());
    let root = Snapshot::from_json(&read("root-snapshot.json")).unwrap();
    for status in [
        &root.host.Proc,
        &root.daemon.InfoStatus,
        &root.host.Environment,
        &root.daemon.Swarm.Status,
        &root.daemon.DiskUsage.Status,
        &root.host.Listeners.Status,
        &root.host.DataRootMount.Status,
        &root.host.Files["docker.sock"].Status,
    ] {
        assert!(
            matches!(
                status,
                FactStatus::NotInMode {
                    mode: ScanMode::Offline,
                    ..
                }
            ),
            "{status:?}"
        );
    }
    // Written again, it is the current format, with the state spelt out.
    let text = serde_json::to_string(&root).unwrap();
    let again: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(again["host"]["Proc"]["State"], "not_in_mode");
    assert_eq!(again["host"]["Proc"]["ScanMode"], "offline");
    assert_eq!(
        again["host"]["Files"]["docker.sock"]["State"],
        "not_in_mode"
    );
}

#[test]
fn old_reports_are_read_with_typed_exceptions() {
    for name in [
        "live-report.json",
        "live-report-schema1.json",
        "root-report-schema1.json",
    ] {
        let report = dockbench::report::json::parse(&read(name)).unwrap();
        let skips: Vec<_> = report
            .results
            .iter()
            .flat_map(|r| &r.exceptions)
            .filter(|e| e.status == Some(Status::Skip))
            .collect();
        assert!(!skips.is_empty(), "{name}");
        assert!(
            skips.iter().all(|e| !e.reason.starts_with("SKIP")),
            "{name}"
        );
    }
}

#[test]
fn report_diff_and_baseline_read_old_files() {
    let dir = tempfile::tempdir().unwrap();
    for old in ["live-report.json", "live-report-schema1.json"] {
        let path = format!("{DIR}/{old}");
        dockbench()
            .args(["report", &path, "--format", "text"])
            .assert()
            .success();
        let out = dockbench()
            .args(["diff", &path, &path, "--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(diff["counts"]["new"], 0, "{diff}");
        assert_eq!(diff["counts"]["resolved"], 0, "{diff}");
        // The old snapshot scanned now against the old report: nothing new, nothing resolved.
        let json = dir.path().join("now.json");
        let out = dockbench()
            .args([
                "scan",
                "--snapshot",
                &format!("{DIR}/live-snapshot.json"),
                "--benchmark",
                &BENCHMARKS.join(","),
                "--baseline",
                &path,
                "-q",
                "--output",
                &format!("json={}", json.display()),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let now: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(now["baseline"]["counts"]["new"], 0, "{}", now["baseline"]);
        assert_eq!(
            now["baseline"]["counts"]["resolved"], 0,
            "{}",
            now["baseline"]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Report schema version 2 (tests/fixtures/v2: written by the release before typed object kinds
// and file locations).

const V2: &str = "tests/fixtures/v2";

#[test]
fn schema_2_report_is_read_upgraded() {
    let text = std::fs::read_to_string(format!("{V2}/report.json")).unwrap();
    assert!(text.contains("\"schema_version\": 2"));
    let report = dockbench::report::json::parse(&text).unwrap();
    assert_eq!(report.schema_version, dockbench::report::SCHEMA_VERSION);
    assert!(
        report
            .results
            .iter()
            .flat_map(|r| &r.exceptions)
            .all(|e| e.status.is_some())
    );
    // Its file findings stay where version 2 put them: on the host, without a path.
    let r32 = report.results.iter().find(|r| r.id == "3.2").unwrap();
    assert_eq!(r32.status, Status::Warn);
    assert_eq!(r32.findings.len(), 1);
    assert_eq!(r32.findings[0].kind, dockbench::report::ObjectKind::Host);
    assert_eq!(r32.findings[0].path, None);
    let sarif = dockbench()
        .args(["report", &format!("{V2}/report.json"), "--format", "sarif"])
        .output()
        .unwrap();
    assert!(sarif.status.success());
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let uris = sarif_uris(&sarif, "cis-docker-1.6.0/3.2");
    assert_eq!(uris, ["docker/hosts/vm"]);
}

#[test]
fn schema_2_report_gives_the_verdicts_of_this_release() {
    let snap =
        Snapshot::from_json(&std::fs::read_to_string(format!("{V2}/files-snapshot.json")).unwrap())
            .unwrap();
    let env = cel_env();
    let bench = load_embedded("cis-docker-1.6.0", &env).unwrap();
    let checks: Vec<_> = bench.checks.iter().collect();
    let now = evaluate_with(&checks, &snap, &env, &EvalOptions::default());
    let old: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{V2}/report.json")).unwrap())
            .unwrap();
    let old = verdicts_of_report(&old);
    let now = verdicts(&now);
    // The file checks (section 3) and the container checks (5) moved onto shared helpers
    // after this report was written; other sections may change verdicts on purpose.
    let mut compared = 0;
    for (id, (status, reason, _)) in old
        .iter()
        .filter(|(id, _)| id.starts_with("3.") || id.starts_with("5."))
    {
        let (s, r, _) = &now[id];
        assert_eq!((s, r), (status, reason), "{id}");
        compared += 1;
    }
    assert!(compared > 40, "{compared}");
    // This release locates each offending file: 3.2 has two, at their paths.
    let r32 = evaluate_with(&checks, &snap, &env, &EvalOptions::default())
        .into_iter()
        .find(|r| r.id == "3.2")
        .unwrap();
    let files: Vec<_> = r32
        .findings
        .iter()
        .map(|f| (f.kind, f.object.as_str(), f.path.as_deref().unwrap_or("")))
        .collect();
    use dockbench::report::ObjectKind::File;
    assert_eq!(
        files,
        [
            (File, "vm", "/usr/lib/systemd/system/docker.service"),
            (
                File,
                "vm",
                "/etc/systemd/system/docker.service.d/override.conf"
            ),
        ]
    );
}

/// The artifact URIs of the SARIF results of rule `rule`.
fn sarif_uris(sarif: &Value, rule: &str) -> Vec<String> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == rule)
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn file_findings_compare_with_a_schema_2_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let old = format!("{V2}/report.json");
    let json = dir.path().join("now.json");
    let sarif = dir.path().join("now.sarif");
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            &format!("{V2}/files-snapshot.json"),
            "--baseline",
            &old,
            "-q",
            "--output",
            &format!("json={}", json.display()),
            "--output",
            &format!("sarif={}", sarif.display()),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let now: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    // The same file findings, once on the host and now per file: none new, none resolved
    // (other sections may have changed verdicts since).
    let of_files = |diff: &Value, list: &str| -> Vec<Value> {
        diff[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["check"].as_str().unwrap().starts_with("3."))
            .cloned()
            .collect()
    };
    let base = &now["baseline"];
    assert!(of_files(base, "new").is_empty(), "{base}");
    assert!(of_files(base, "resolved").is_empty(), "{base}");
    assert_eq!(of_files(base, "unchanged").len(), 4, "{base}");
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(
        sarif_uris(&sarif, "cis-docker-1.6.0/3.2"),
        [
            "usr/lib/systemd/system/docker.service",
            "etc/systemd/system/docker.service.d/override.conf"
        ]
    );
    assert_eq!(
        sarif_uris(&sarif, "cis-docker-1.6.0/3.17"),
        ["etc/docker/daemon.json"]
    );
    // `diff` of the old report against the new one, both ways: the same.
    for (a, b) in [
        (old.clone(), json.display().to_string()),
        (json.display().to_string(), old.clone()),
    ] {
        let out = dockbench()
            .args(["diff", &a, &b, "--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(of_files(&diff, "new").is_empty(), "{diff}");
        assert!(of_files(&diff, "resolved").is_empty(), "{diff}");
        assert!(!of_files(&diff, "unchanged").is_empty(), "{diff}");
    }
    // Two reports of this version compare per file.
    let out = dockbench()
        .args([
            "diff",
            "tests/fixtures/reports/files-report.json",
            &json.display().to_string(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = diff["unchanged"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["check"] == "3.2")
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "{diff}");
    dockbench()
        .args(["report", &old, "--format", "text"])
        .assert()
        .success();
}
