//! The scan as a library call (`dockbench::scan::run`): options and a source in, the Report
//! and the policy outcome out, without the binary. The binary's own scan of the same input
//! gives the same results (it is this call plus printing).
use std::path::{Path, PathBuf};

use dockbench::report::{ObjectKind, Status};
use dockbench::scan::{self, Decision, ScanError, ScanOptions, Source};

const FILES: &str = "tests/fixtures/v2/files-snapshot.json";

fn snapshot(path: &str) -> Source {
    scan::read_snapshot(Path::new(path)).unwrap()
}

#[tokio::test]
async fn a_snapshot_scanned_through_the_library() {
    let outcome = scan::run(&ScanOptions::default(), snapshot(FILES))
        .await
        .unwrap();
    let r = &outcome.report;
    assert_eq!(r.benchmark.id, "cis-docker-1.6.0");
    assert_eq!(r.schema_version, dockbench::report::SCHEMA_VERSION);
    assert!(
        r.source.location.contains("files-snapshot.json"),
        "{}",
        r.source.location
    );
    let r32 = r.results.iter().find(|c| c.id == "3.2").unwrap();
    assert_eq!(r32.status, Status::Warn);
    assert!(r32.findings.iter().all(|f| f.kind == ObjectKind::File));
    assert_eq!(
        r32.findings[0].path.as_deref(),
        Some("/usr/lib/systemd/system/docker.service")
    );
    // No policy given: findings do not fail it, and the scan is complete.
    assert_eq!(outcome.decision(), Decision::Pass);
    assert!(outcome.faults.is_empty());
}

#[tokio::test]
async fn the_policy_outcome_is_returned_not_printed() {
    let options = ScanOptions {
        fail_on: Some(dockbench::cli::FailOn::Warn),
        min_score: Some(1000),
        ..ScanOptions::default()
    };
    let outcome = scan::run(&options, snapshot(FILES)).await.unwrap();
    let Decision::PolicyFailed(why) = outcome.decision() else {
        panic!("{:?}", outcome.decision());
    };
    assert!(why[0].contains("at or above --fail-on warn"), "{why:?}");
    assert!(why[0].contains("3.2"), "{why:?}");
    assert!(why[1].contains("below --min-score 1000"), "{why:?}");
    // A selection and a level narrow what runs.
    let options = ScanOptions {
        selection: dockbench::engine::select::Selection {
            check: vec!["3".into()],
            skip: vec!["3.2".into()],
        },
        fail_on: Some(dockbench::cli::FailOn::Warn),
        ..ScanOptions::default()
    };
    let outcome = scan::run(&options, snapshot(FILES)).await.unwrap();
    assert!(
        outcome
            .report
            .results
            .iter()
            .all(|c| c.section == "3" && c.id != "3.2")
    );
    assert!(matches!(outcome.decision(), Decision::PolicyFailed(_)));
    // With a baseline of the same facts nothing is new.
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("before.json");
    let before = scan::run(&ScanOptions::default(), snapshot(FILES))
        .await
        .unwrap();
    std::fs::write(&baseline, dockbench::report::json::render(&before.report)).unwrap();
    let options = ScanOptions {
        baseline: Some(baseline),
        fail_on_new: true,
        ..ScanOptions::default()
    };
    let outcome = scan::run(&options, snapshot(FILES)).await.unwrap();
    assert_eq!(outcome.report.baseline.as_ref().unwrap().counts.new, 0);
    assert_eq!(outcome.decision(), Decision::Pass);
}

#[tokio::test]
async fn bad_input_is_a_typed_error_with_its_exit_code() {
    let usage = |e: ScanError| {
        assert!(matches!(e, ScanError::Usage(_)), "{e:?}");
        assert_eq!(e.exit_code(), 2);
        e.to_string()
    };
    let options = ScanOptions {
        fail_on_new: true,
        ..ScanOptions::default()
    };
    let e = scan::run(&options, snapshot(FILES)).await.unwrap_err();
    assert!(usage(e).contains("--fail-on-new needs a --baseline"));
    let options = ScanOptions {
        selection: dockbench::engine::select::Selection {
            check: vec!["DP.9".into()],
            skip: vec![],
        },
        ..ScanOptions::default()
    };
    let e = scan::run(&options, snapshot(FILES)).await.unwrap_err();
    assert!(usage(e).contains("no check of cis-docker-1.6.0 matches: DP.9"));
    let e = scan::read_snapshot(Path::new("tests/fixtures/none.json")).unwrap_err();
    assert!(usage(e).contains("cannot read snapshot"));
    // No daemon at the address: nothing collected (exit 3).
    let dir = tempfile::tempdir().unwrap();
    let live = scan::LiveSource {
        connect: dockbench::collect::connect::ConnectArgs {
            host: Some(format!("unix://{}/none.sock", dir.path().display())),
            ..Default::default()
        },
        timeout: std::time::Duration::from_secs(10),
        progress: false,
    };
    let e = scan::run(&ScanOptions::default(), Source::Live(live))
        .await
        .unwrap_err();
    assert!(matches!(e, ScanError::Collect(_)), "{e:?}");
    assert_eq!(e.exit_code(), 3);
}

#[tokio::test]
async fn an_offline_root_through_the_library() {
    let options = ScanOptions {
        benchmarks: vec!["cis-docker-1.6.0".into(), "dockbench-practices".into()],
        host_label: Some("clone-1".into()),
        ..ScanOptions::default()
    };
    let outcome = scan::run(
        &options,
        Source::Root(PathBuf::from("tests/fixtures/roots/normal")),
    )
    .await
    .unwrap();
    let r = &outcome.report;
    assert_eq!(r.source.mode.to_string(), "root");
    assert_eq!(r.host.label, "clone-1");
    assert_eq!(r.summary.benchmarks.len(), 2);
    assert!(r.results.iter().any(|c| c.id.starts_with("DP.")));
}

#[tokio::test]
async fn the_binary_reports_what_the_library_returns() {
    let outcome = scan::run(&ScanOptions::default(), snapshot(FILES))
        .await
        .unwrap();
    let out = assert_cmd::Command::cargo_bin("dockbench")
        .unwrap()
        .env_remove("DOCKER_HOST")
        .args(["scan", "--snapshot", FILES, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let binary = dockbench::report::json::parse(&String::from_utf8(out.stdout).unwrap()).unwrap();
    assert_eq!(binary.results, outcome.report.results);
    assert_eq!(binary.summary, outcome.report.summary);
}
