//! `dockbench merge`: host reports (and snapshots) into one fleet report — identity rules
//! (latest per host, clones, stale, inventory), counts, order, baseline, exit codes, formats,
//! the published schema, and the fleet HTML in headless Chromium.
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command as Cmd;
use serde_json::{Value, json};

const RISKY: &str = "tests/fixtures/reports/risky-report.json";
const SNAPSHOT: &str = "tests/fixtures/snapshots/risky.json";
const FLEET_SCHEMA: &str = "docs/fleet.schema.json";

fn dockbench() -> Cmd {
    let mut cmd = Cmd::cargo_bin("dockbench").unwrap();
    cmd.env_remove("DOCKER_HOST").env("NO_COLOR", "1");
    cmd
}

fn risky() -> Value {
    serde_json::from_str(&std::fs::read_to_string(RISKY).unwrap()).unwrap()
}

/// The risky report as another host: identity, time, and checks made PASS.
fn host(name: &str, machine_id: &str, engine_id: &str, finished: &str, passing: &[&str]) -> Value {
    let mut r = risky();
    r["host"]["hostname"] = json!(name);
    r["host"]["label"] = json!(format!("lbl-{name}"));
    r["host"]["machine_id"] = json!(machine_id);
    r["host"]["engine_id"] = json!(engine_id);
    r["finished_at"] = json!(finished);
    for res in r["results"].as_array_mut().unwrap() {
        if passing.contains(&res["id"].as_str().unwrap()) {
            res["status"] = json!("PASS");
            res["findings"] = json!([]);
        }
    }
    r
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn merge_json(args: &[&str]) -> (Value, Output) {
    let out = dockbench()
        .arg("merge")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (v, out)
}

fn host_row<'a>(fleet: &'a Value, name: &str) -> &'a Value {
    fleet["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("no host {name} in {:#}", fleet["hosts"]))
}

fn names(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

#[test]
fn newest_report_per_host_clones_apart_stale_and_missing_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // a: two reports, the newer one has 5.4 fixed.
    write(
        d,
        "a-old.json",
        &host("a", "m-a", "e-a", "2026-11-20T10:00:00Z", &[]),
    );
    write(
        d,
        "a-new.json",
        &host("a", "m-a", "e-a", "2026-11-29T10:00:00Z", &["5.4"]),
    );
    // b and c: a cloned VM (same machine-id), different hostnames.
    write(
        d,
        "b.json",
        &host(
            "b",
            "m-shared",
            "e-b",
            "2026-11-29T10:00:00Z",
            &["5.4", "5.5"],
        ),
    );
    write(
        d,
        "c.json",
        &host("c", "m-shared", "e-c", "2026-11-29T10:00:00Z", &[]),
    );
    // old: last seen long ago.
    write(
        d,
        "old.json",
        &host("old", "m-old", "e-old", "2025-01-01T00:00:00Z", &[]),
    );
    let inv = d.join("inventory.txt");
    std::fs::write(
        &inv,
        "lbl-a\nb\nlbl-c\nold\nnever-reported # decommissioned?\n",
    )
    .unwrap();
    let (fleet, out) = merge_json(&[
        d.to_str().unwrap(),
        "--stale",
        "30",
        "--inventory",
        inv.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fleet["fleet_schema_version"], 1);
    let s = &fleet["summary"];
    assert_eq!(s["reports"], 5);
    assert_eq!(s["hosts"], 4);
    assert_eq!(s["superseded"], 1);
    assert_eq!(
        fleet["superseded"][0]["source"].as_str().unwrap(),
        d.join("a-old.json").to_str().unwrap()
    );

    // The newest report of a is the one merged: 5.4 passes there.
    let a = host_row(&fleet, "lbl-a");
    assert_eq!(a["finished_at"], "2026-11-29T10:00:00Z");
    assert!(
        !a["failing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "5.4")
    );

    // Clones: both kept, flagged, pointing at each other.
    assert_eq!(fleet["clones"][0]["kind"], "machine-id");
    assert_eq!(names(&fleet["clones"][0]["hosts"]), ["lbl-b", "lbl-c"]);
    assert_eq!(names(&host_row(&fleet, "lbl-b")["clone_of"]), ["lbl-c"]);
    assert!(
        host_row(&fleet, "lbl-a")["clone_of"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    assert_eq!(host_row(&fleet, "lbl-old")["stale"], true);
    assert_eq!(host_row(&fleet, "lbl-a")["stale"], false);
    // Inventory names match a label or a hostname.
    assert_eq!(names(&fleet["missing"]), ["never-reported"]);
}

#[test]
fn counts_scores_and_order_worst_first() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "good.json",
        &host(
            "good",
            "m1",
            "e1",
            "2026-11-29T10:00:00Z",
            &["5.4", "5.5", "5.6", "5.7"],
        ),
    );
    write(
        d,
        "bad.json",
        &host("bad", "m2", "e2", "2026-11-29T10:00:00Z", &[]),
    );
    let (fleet, _) = merge_json(&[d.to_str().unwrap()]);
    let hosts: Vec<&str> = fleet["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["lbl-bad", "lbl-good"], "worst host first");

    // The host's counts and score are those of its report.
    let r = risky();
    let bad = host_row(&fleet, "lbl-bad");
    assert_eq!(bad["counts"], r["summary"]["counts"]);
    assert_eq!(bad["score"], r["summary"]["combined_score"]);
    assert_eq!(bad["benchmarks"][0]["id"], "cis-docker-1.6.0");
    assert_eq!(
        bad["benchmarks"][0]["score"],
        r["summary"]["benchmarks"][0]["score"]
    );
    // WARN results per severity, as the report rates its checks.
    for sev in ["critical", "high", "medium", "low"] {
        let n = r["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["status"] == "WARN" && x["severity"] == sev)
            .count();
        assert_eq!(bad["severity"][sev].as_u64().unwrap() as usize, n, "{sev}");
    }
    assert_eq!(bad["severity"]["unrated"], 0);
    assert!(bad["severity"]["high"].as_u64().unwrap() > 0);
    let good = host_row(&fleet, "lbl-good");
    // Four scored WARNs made PASS: +2 each.
    assert_eq!(
        good["score"].as_i64().unwrap(),
        r["summary"]["combined_score"].as_i64().unwrap() + 8
    );
    assert_eq!(
        good["counts"]["warn"].as_u64().unwrap(),
        r["summary"]["counts"]["warn"].as_u64().unwrap() - 4
    );

    // Per check: how many hosts fail it and which; most failed first.
    let checks = fleet["checks"].as_array().unwrap();
    let c54 = checks.iter().find(|c| c["id"] == "5.4").unwrap();
    assert_eq!(c54["hosts_failing"], 1);
    assert_eq!(c54["hosts_run"], 2);
    assert_eq!(names(&c54["failing"]), ["lbl-bad"]);
    let c511 = checks.iter().position(|c| c["id"] == "5.11").unwrap();
    let p54 = checks.iter().position(|c| c["id"] == "5.4").unwrap();
    assert!(
        c511 < p54,
        "5.11 fails on 2 hosts and comes before 5.4 (1 host)"
    );
    assert_eq!(checks[c511]["hosts_failing"], 2);
    let failing: Vec<u64> = checks
        .iter()
        .map(|c| c["hosts_failing"].as_u64().unwrap())
        .collect();
    assert!(failing.windows(2).all(|w| w[0] >= w[1]), "{failing:?}");

    // Heat map cells: WARN per section of the host.
    let cell5 = bad["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5")
        .unwrap();
    let warn5 = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["section"] == "5" && x["status"] == "WARN")
        .count();
    assert_eq!(cell5["warn"].as_u64().unwrap() as usize, warn5);
}

#[test]
fn severity_is_counted_when_reports_carry_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = host("s", "m1", "e1", "2026-11-29T10:00:00Z", &[]);
    let mut expect_high = 0;
    for res in r["results"].as_array_mut().unwrap() {
        let sev = if res["id"] == "5.5" || res["id"] == "5.4" {
            "high"
        } else {
            "medium"
        };
        res["severity"] = json!(sev);
        if sev == "high" && res["status"] == "WARN" {
            expect_high += 1;
        }
    }
    write(dir.path(), "s.json", &r);
    let (fleet, _) = merge_json(&[dir.path().to_str().unwrap()]);
    let h = host_row(&fleet, "lbl-s");
    assert_eq!(h["severity"]["high"], expect_high);
    assert_eq!(h["severity"]["unrated"], 0);
    assert_eq!(
        h["severity"]["medium"].as_u64().unwrap() + h["severity"]["high"].as_u64().unwrap(),
        h["counts"]["warn"].as_u64().unwrap()
    );
    assert_eq!(fleet["summary"]["severity"]["high"], expect_high);
    // Among checks failing on the same number of hosts, the more severe comes first.
    assert_eq!(fleet["checks"][0]["severity"], "high");
}

#[test]
fn version_1_reports_get_severities_from_the_embedded_checks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "tests/fixtures/reports/v1/risky-report.json",
        dir.path().join("v1.json"),
    )
    .unwrap();
    let (old, out) = merge_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir2 = tempfile::tempdir().unwrap();
    std::fs::copy(RISKY, dir2.path().join("v2.json")).unwrap();
    let (new, _) = merge_json(&[dir2.path().to_str().unwrap()]);
    assert_eq!(old["hosts"][0]["severity"], new["hosts"][0]["severity"]);
    assert_eq!(old["hosts"][0]["severity"]["unrated"], 0);
    assert_eq!(old["hosts"][0]["benchmarks"], new["hosts"][0]["benchmarks"]);
}

#[test]
fn a_critical_finding_outranks_more_low_ones() {
    let dir = tempfile::tempdir().unwrap();
    let rate = |mut r: Value, sev: &str| {
        for res in r["results"].as_array_mut().unwrap() {
            res["severity"] = json!(sev);
        }
        r
    };
    let all: Vec<String> = risky()["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "WARN")
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    let keep_one: Vec<&str> = all[1..].iter().map(String::as_str).collect();
    let keep_three: Vec<&str> = all[3..].iter().map(String::as_str).collect();
    let one = host(
        "one-critical",
        "m1",
        "e1",
        "2026-11-29T10:00:00Z",
        &keep_one,
    );
    let three = host("three-low", "m2", "e2", "2026-11-29T10:00:00Z", &keep_three);
    write(dir.path(), "a.json", &rate(one, "critical"));
    write(dir.path(), "b.json", &rate(three, "low"));
    let (fleet, _) = merge_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(fleet["hosts"][0]["name"], "lbl-one-critical");
    assert_eq!(fleet["hosts"][0]["severity"]["critical"], 1);
    assert_eq!(fleet["hosts"][1]["severity"]["low"], 3);
}

#[test]
fn policy_applies_per_host_and_exit_codes_follow_scan() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "a.json",
        &host("a", "m1", "e1", "2026-11-29T10:00:00Z", &[]),
    );
    let r = risky();
    let score = r["summary"]["combined_score"].as_i64().unwrap();
    let (fleet, out) = merge_json(&[d.to_str().unwrap(), "--fail-on", "warn"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(host_row(&fleet, "lbl-a")["policy_failed"], true);
    assert_eq!(fleet["summary"]["policy_failed"], 1);
    let below = (score + 1).to_string();
    let (_, out) = merge_json(&[d.to_str().unwrap(), "--min-score", &below]);
    assert_eq!(out.status.code(), Some(1));
    let at = score.to_string();
    let (fleet, out) = merge_json(&[d.to_str().unwrap(), "--min-score", &at]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(host_row(&fleet, "lbl-a")["policy_failed"], false);
    // Without a policy, findings never change the exit code.
    let (_, out) = merge_json(&[d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));

    // Bad input: exit 2 with the file named, nothing merged.
    std::fs::write(d.join("broken.json"), "{ not json").unwrap();
    let (_, out) = merge_json(&[d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.json") && err.contains("nothing merged"),
        "{err}"
    );
    let (_, out) = merge_json(&["/nonexistent/reports"]);
    assert_eq!(out.status.code(), Some(2));
    let empty = tempfile::tempdir().unwrap();
    let (_, out) = merge_json(&[empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no JSON report"));
    // An output that cannot be written: 4, over a policy failure.
    let out = dockbench()
        .args([
            "merge",
            d.join("a.json").to_str().unwrap(),
            "-q",
            "--fail-on",
            "warn",
            "-o",
            "html=/nonexistent/dir/f.html",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn snapshots_are_evaluated_centrally_and_fleet_reports_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(SNAPSHOT, d.join("node-1.snapshot.json")).unwrap();
    let fleet_out = d.join("fleet.json");
    let hr = d.join("hosts");
    let out = dockbench()
        .args([
            "merge",
            d.to_str().unwrap(),
            "-q",
            "--benchmark",
            "cis-docker-1.6.0,dockbench-practices",
        ])
        .arg("-o")
        .arg(format!("json={}", fleet_out.display()))
        .arg("-o")
        .arg(format!("html={}", d.join("fleet.html").display()))
        .arg("--host-reports")
        .arg(&hr)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fleet: Value = serde_json::from_str(&std::fs::read_to_string(&fleet_out).unwrap()).unwrap();
    let h = &fleet["hosts"][0];
    assert_eq!(h["mode"], "snapshot");
    let ids: Vec<&str> = h["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["cis-docker-1.6.0", "dockbench-practices"]);
    // Evaluated by the current checks: the same verdicts as `scan --snapshot`.
    let scan = dockbench()
        .args([
            "scan",
            "--snapshot",
            SNAPSHOT,
            "--benchmark",
            "cis-docker-1.6.0,dockbench-practices",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let scan: Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(h["counts"], scan["summary"]["counts"]);
    // The host's own report was written and is linked relative to the fleet HTML.
    assert_eq!(h["report_html"], "hosts/node-1.snapshot.html");
    assert!(hr.join("node-1.snapshot.html").is_file());
    let html = std::fs::read_to_string(d.join("fleet.html")).unwrap();
    assert!(html.contains("href=\"hosts/node-1.snapshot.html\""));

    // A second run over the same directory: the fleet report there is skipped, not merged.
    let (again, out) = merge_json(&[d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(again["summary"]["hosts"], 1);
    assert_eq!(
        again["skipped_inputs"][0]["reason"],
        "a fleet report, not a host's"
    );
}

#[test]
fn baseline_names_new_and_resolved_hosts_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let before = d.join("before");
    let after = d.join("after");
    std::fs::create_dir_all(&before).unwrap();
    std::fs::create_dir_all(&after).unwrap();
    write(
        &before,
        "a.json",
        &host("a", "m1", "e1", "2026-11-20T10:00:00Z", &["5.5"]),
    );
    write(
        &before,
        "gone.json",
        &host("gone", "m2", "e2", "2026-11-20T10:00:00Z", &[]),
    );
    write(
        &after,
        "a.json",
        &host("a", "m1", "e1", "2026-11-29T10:00:00Z", &["5.4"]),
    );
    write(
        &after,
        "new.json",
        &host("new", "m3", "e3", "2026-11-29T10:00:00Z", &[]),
    );
    let old = d.join("old-fleet.json");
    let out = dockbench()
        .args(["merge", before.to_str().unwrap(), "-q", "-o"])
        .arg(format!("json={}", old.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let (fleet, out) = merge_json(&[after.to_str().unwrap(), "--baseline", old.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b = &fleet["baseline"];
    assert_eq!(names(&b["new_hosts"]), ["lbl-new"]);
    assert_eq!(names(&b["gone_hosts"]), ["lbl-gone"]);
    assert_eq!(
        b["new_findings"],
        json!([{"host": "lbl-a", "check": "5.5"}])
    );
    assert_eq!(
        b["resolved_findings"],
        json!([{"host": "lbl-a", "check": "5.4"}])
    );
    // A host report is not a fleet baseline.
    let (_, out) = merge_json(&[
        after.to_str().unwrap(),
        "--baseline",
        after.join("a.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a fleet report"));
}

#[test]
fn globs_csv_markdown_and_hostile_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut evil = host(
        "=cmd|' /C calc'!A0",
        "m1",
        "e1",
        "2026-11-29T10:00:00Z",
        &[],
    );
    evil["host"]["label"] = json!("<script>alert(1)</script>|x");
    write(d, "evil.json", &evil);
    write(
        d,
        "plain.json",
        &host("plain", "m2", "e2", "2026-11-29T10:00:00Z", &[]),
    );
    write(d, "other.txt.json.bak", &json!({}));
    let pattern = format!("{}/e*.json", d.display());
    let (fleet, out) = merge_json(&[&pattern]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fleet["summary"]["hosts"], 1,
        "the glob picks evil.json only"
    );
    let run = |format: &str| {
        let out = dockbench()
            .args(["merge", d.to_str().unwrap(), "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let csv = run("csv");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().unwrap().clone();
    assert_eq!(&headers[0], "host");
    let recs: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 2);
    let evil_row = recs.iter().find(|r| r[2].contains("script")).unwrap();
    assert!(
        evil_row[1].starts_with("'="),
        "formula defused: {:?}",
        &evil_row[1]
    );
    let md = run("markdown");
    assert!(!md.contains("<script>"), "{md}");
    assert!(md.contains("\\|x"));
    let html = run("html");
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;|x"));
}

fn validate(schema: &Value, instance: &Value) {
    let validator = jsonschema::options().build(schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "fleet JSON is not valid:\n{}",
        errors.join("\n")
    );
}

#[test]
fn published_fleet_schema_is_current_and_output_validates() {
    let current = dockbench::fleet::schema();
    let committed = std::fs::read_to_string(FLEET_SCHEMA).unwrap_or_default();
    assert!(
        committed == current,
        "{FLEET_SCHEMA} is stale: regenerate it with `cargo run -- merge --print-schema > {FLEET_SCHEMA}`"
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.json",
        &host("a", "m", "e", "2026-11-29T10:00:00Z", &[]),
    );
    write(
        dir.path(),
        "b.json",
        &host("b", "m", "e2", "2026-11-29T10:00:00Z", &[]),
    );
    let (fleet, _) = merge_json(&[
        dir.path().to_str().unwrap(),
        "--stale",
        "1",
        "--fail-on",
        "error",
    ]);
    validate(&serde_json::from_str(&committed).unwrap(), &fleet);
}

#[test]
fn merge_help_is_stable() {
    let out = dockbench().args(["merge", "--help"]).output().unwrap();
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

// ---- headless Chromium ----

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|n| {
            std::env::split_paths(&path)
                .map(|d| d.join(n))
                .find(|c| c.is_file())
        })
}

/// Headless Chromium with a fresh profile, killed after two minutes; output through files.
fn browse(browser: &Path, args: &[String]) -> Vec<u8> {
    let profile = tempfile::tempdir().unwrap();
    let stdout = profile.path().join("stdout");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 2 minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read(&stdout).unwrap()
}

#[test]
fn fleet_html_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but no chromium was found"
        );
        eprintln!("skipped: no chromium");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut v = host("web-1", "m1", "e1", "2026-11-29T10:00:00Z", &[]);
    v["host"]["label"] = json!("web");
    write(d, "web-1.json", &v);
    let mut v = host("db-1", "m2", "e2", "2026-11-29T10:00:00Z", &["5.4", "5.5"]);
    v["host"]["label"] = json!("db");
    write(d, "db-1.json", &v);
    let mut v = host(
        "db-2",
        "m3",
        "e3",
        "2026-11-29T10:00:00Z",
        &["5.4", "5.5", "5.6", "5.7", "5.8"],
    );
    v["host"]["label"] = json!("db <img src=x onerror=alert(1)>");
    write(d, "db-2.json", &v);
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-test");
    std::fs::create_dir_all(&out_dir).unwrap();
    let html = out_dir.join("fleet.html");
    let out = dockbench()
        .args([
            "merge",
            d.to_str().unwrap(),
            "-q",
            "--fail-on",
            "warn",
            "-o",
        ])
        .arg(format!("html={}", html.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // The host-label filter from the address: only db's row and drill-down stay visible.
    let dom = String::from_utf8(browse(
        &browser,
        &[
            "--dump-dom".into(),
            format!("file://{}#label=db", html.display()),
        ],
    ))
    .unwrap();
    let heat_rows: Vec<&str> = dom
        .match_indices("<tr data-label=")
        .map(|(at, _)| &dom[at..at + dom[at..].find('>').unwrap()])
        .collect();
    assert_eq!(heat_rows.len(), 3, "{heat_rows:?}");
    for row in &heat_rows {
        let visible = !row.contains("class=\"hidden\"");
        assert_eq!(visible, row.contains("data-label=\"db\""), "{row}");
    }
    assert!(
        dom.contains("1 host shown"),
        "the script ran, one host in the singular"
    );
    assert!(!dom.contains("1 hosts shown"));
    // Hostile label: text, no element.
    assert!(!dom.contains("<img src=\"x\""), "an injected element");
    assert!(dom.contains("db &lt;img src=x onerror=alert(1)&gt;"));
    // Self-contained: no external resource.
    let page = std::fs::read_to_string(&html).unwrap();
    for bad in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!page.contains(bad), "external resource: {bad}");
    }
    // A screenshot for review, and a PDF (print) that renders.
    let png = out_dir.join("fleet.png");
    browse(
        &browser,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,1100".into(),
            format!("file://{}", html.display()),
        ],
    );
    assert!(std::fs::metadata(&png).unwrap().len() > 10_000);
    let pdf = out_dir.join("fleet.pdf");
    browse(
        &browser,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
            format!("file://{}", html.display()),
        ],
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    if std::env::var_os("DOCKBENCH_UPDATE_SCREENSHOT").is_some() {
        std::fs::copy(&png, "docs/fleet-report.png").unwrap();
    }
}
