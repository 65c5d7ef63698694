//! Files of the previous formats (tests/fixtures/v1: snapshots of format 1, reports of schema 1
//! and 2, written by the release before typed fact status) still load and give the same
//! verdicts: `scan --snapshot`, `report`, `diff` and `--baseline` of files users already have.
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
