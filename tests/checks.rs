//! The whole reports of the container fixtures (`tests/fixtures/snapshots/clean.json` and
//! `risky.json`) as insta snapshots. Per-check verdicts are case files beside the checks
//! (`checks/<benchmark>/cases/`, run by tests/cases.rs).
mod support;

use serde_json::Value;

const CLEAN: &str = "tests/fixtures/snapshots/clean.json";
const RISKY: &str = "tests/fixtures/snapshots/risky.json";

/// The whole JSON report of a fixture, through the CLI, minus what changes per run. These
/// fixtures carry container facts only, so the report covers section 5 (tests/sections_host.rs
/// covers the host and daemon sections).
fn report_snapshot(fixture: &str) -> Value {
    let out = support::dockbench()
        .args([
            "scan",
            "--snapshot",
            fixture,
            "--check",
            "5",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn full_report_of_clean_fixture() {
    insta::assert_yaml_snapshot!("clean_report", report_snapshot(CLEAN), {
        ".tool_version" => "[version]",
        ".finished_at" => "[time]",
        ".timings" => "[timings]",
    });
}

#[test]
fn full_report_of_risky_fixture() {
    insta::assert_yaml_snapshot!("risky_report", report_snapshot(RISKY), {
        ".tool_version" => "[version]",
        ".finished_at" => "[time]",
        ".timings" => "[timings]",
    });
}
