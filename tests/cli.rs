//! CLI behaviour: help text, exit codes, bad input.
use assert_cmd::Command;
use predicates::prelude::*;

fn dockbench() -> Command {
    let mut cmd = Command::cargo_bin("dockbench").unwrap();
    cmd.env_remove("DOCKER_HOST").env("NO_COLOR", "1");
    cmd
}

fn stdout_of(args: &[&str]) -> String {
    let out = dockbench().args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_texts() {
    insta::assert_snapshot!("help", stdout_of(&["--help"]));
    insta::assert_snapshot!("scan_help", stdout_of(&["scan", "--help"]));
    insta::assert_snapshot!("collect_help", stdout_of(&["collect", "--help"]));
    insta::assert_snapshot!("checks_list_help", stdout_of(&["checks", "list", "--help"]));
    insta::assert_snapshot!("report_help", stdout_of(&["report", "--help"]));
    insta::assert_snapshot!("diff_help", stdout_of(&["diff", "--help"]));
    insta::assert_snapshot!("schema_help", stdout_of(&["schema", "--help"]));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    dockbench()
        .args(["scan", "--bogus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--bogus"));
}

#[test]
fn unreachable_daemon_exits_3_with_advice() {
    dockbench()
        .args(["scan", "--host", "unix:///nonexistent/docker.sock"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("cannot reach the Docker daemon")
                .and(predicate::str::contains("--snapshot")),
        );
}

/// A refused TCP connection says so, not only bollard's "client error (Connect)".
#[test]
fn unreachable_tcp_daemon_names_the_os_error() {
    // A loopback port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    dockbench()
        .args(["scan", "--host", &format!("tcp://127.0.0.1:{port}")])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("Connection refused"));
}

#[test]
fn unreadable_snapshot_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    dockbench()
        .args(["scan", "--snapshot"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.json"));
    std::fs::write(&bad, r#"{"format_version": 999}"#).unwrap();
    dockbench()
        .args(["scan", "--snapshot"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("format version 999"));
    dockbench()
        .args(["scan", "--snapshot"])
        .arg(dir.path().join("missing.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read snapshot"));
}

#[test]
fn selector_that_matches_nothing_is_a_usage_error() {
    dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--check",
            "5.99",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("5.99"));
}

#[test]
fn unknown_benchmark_is_a_usage_error() {
    dockbench()
        .args(["checks", "list", "--benchmark", "nope"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown benchmark 'nope'")
                .and(predicate::str::contains("cis-docker-1.6.0")),
        );
}

#[test]
fn broken_custom_check_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchmark.toml"),
        "id = 'mine'\ntitle = 'Mine'\nversion = '1'\n[[section]]\nid = '1'\ntitle = 'One'\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("checks.toml"),
        "[[check]]\nid = '1.1'\ntitle = 'x'\nlevel = '1'\nscope = 'container'\nseverity = 'low'\nseverity_rationale = 'test'\nremediation = 'r'\nfinding = 'c.HostConfig.Priviliged'\n",
    )
    .unwrap();
    dockbench()
        .args(["checks", "validate"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "check 1.1: finding: unknown field 'Priviliged'",
        ));
    dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--benchmark",
            "mine",
            "--checks-dir",
        ])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field 'Priviliged'"));
}

#[test]
fn custom_benchmark_folder_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchmark.toml"),
        "id = 'mine'\ntitle = 'Mine'\nversion = '1'\n[[section]]\nid = '1'\ntitle = 'One'\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("checks.toml"),
        "[[check]]\nid = '1.1'\ntitle = 'no web'\nlevel = '1'\nscope = 'container'\nseverity = 'low'\nseverity_rationale = 'test'\nremediation = 'r'\nfinding = \"c.Name.startsWith('web')\"\nevidence = \"'name ' + c.Name\"\n",
    )
    .unwrap();
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--benchmark",
            "mine",
            "--format",
            "json",
            "--checks-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["benchmark"]["id"], "mine");
    assert_eq!(report["results"].as_array().unwrap().len(), 1);
}

#[test]
fn fail_on_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let text = dir.path().join("r.txt");
    dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--quiet",
            "--fail-on",
            "warn",
        ])
        .arg("--output")
        .arg(format!("json={}", json.display()))
        .arg("-o")
        .arg(format!("text={}", text.display()))
        .assert()
        .code(1)
        .stdout("");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["schema_version"], dockbench::report::SCHEMA_VERSION);
    assert!(std::fs::read_to_string(&text).unwrap().contains("Score:"));
    // Without --fail-on, findings do not change the exit code.
    dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--quiet",
        ])
        .assert()
        .code(0);
    // Only checks that pass: --fail-on warn is satisfied.
    dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--quiet",
            "--fail-on",
            "warn",
            "--check",
            "5.1",
        ])
        .assert()
        .code(0);
}

#[test]
fn unwritable_output_exits_4_but_still_reports() {
    dockbench()
        .args([
            "scan",
            "--snapshot",
            "tests/fixtures/snapshots/risky.json",
            "--format",
            "json",
        ])
        .args(["--output", "json=/nonexistent-dir/r.json"])
        .assert()
        .code(4)
        .stdout(predicate::str::contains("\"results\""))
        .stderr(predicate::str::contains(
            "cannot write /nonexistent-dir/r.json",
        ));
}

/// The README's `dockbench checks show DP.4.1` works without `--benchmark`; CIS IDs still
/// resolve in the default benchmark first.
#[test]
fn checks_show_finds_ids_of_other_embedded_benchmarks() {
    let out = stdout_of(&["checks", "show", "DP.4.1"]);
    assert!(out.starts_with("DP.4.1 "), "{out}");
    let out = stdout_of(&["checks", "show", "2.7"]);
    assert!(
        out.contains("TLS authentication"),
        "1.6.0's 2.7, not 1.8.0's: {out}"
    );
    dockbench()
        .args(["checks", "show", "DP.9.9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no check DP.9.9 in cis-docker-1.6.0",
        ));
}

/// A selector of a benchmark that is not selected says which benchmark has it, and how to add
/// it (or, for another CIS version, whose IDs clash, how to run it instead).
#[test]
fn check_selectors_of_other_benchmarks_name_them() {
    let snap = "tests/fixtures/snapshots/clean.json";
    dockbench()
        .args(["scan", "--snapshot", snap, "--check", "5.4,DP.2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "dockbench-practices has DP.2: add it with --benchmark cis-docker-1.6.0,dockbench-practices",
        ));
    dockbench()
        .args(["scan", "--snapshot", snap, "--check", "2.19"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cis-docker-1.8.0 has 2.19: run it with --benchmark cis-docker-1.8.0",
        ));
}

#[test]
fn checks_list_shows_every_check() {
    let out = stdout_of(&["checks", "list"]);
    assert!(out.contains("5.32"));
    insta::assert_snapshot!("checks_list", out);
}

/// `--view`/`--remediation` shape only the text report: with `-f json` and no text output
/// they did nothing, silently. Now a one-line note says so, and the run still succeeds;
/// with a text rendering anywhere (stdout or `-o text=`) there is no note.
#[test]
fn text_flags_without_a_text_report_are_noted() {
    let snap = "tests/fixtures/snapshots/risky.json";
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            snap,
            "-f",
            "json",
            "--view",
            "full",
            "--remediation",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "note: --view and --remediation shape only the text report; this run renders json (ignored)"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.matches("note:").count(), 1, "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("r.txt");
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            snap,
            "-f",
            "json",
            "--view",
            "full",
            "-o",
        ])
        .arg(format!("text={}", text.display()))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("note:"));
    assert!(std::fs::read_to_string(&text).unwrap().contains("Summary"));
    // `report` too.
    let json = dir.path().join("r.json");
    dockbench()
        .args(["scan", "--snapshot", snap, "-q", "-o"])
        .arg(format!("json={}", json.display()))
        .assert()
        .code(0);
    dockbench()
        .arg("report")
        .arg(&json)
        .args(["-f", "sarif", "--remediation"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "note: --remediation shapes only the text report; this run renders sarif (ignored)",
        ));
}

/// A switch turned on by the configuration file is turned off by its `--no-` form.
#[test]
fn no_flags_undo_the_configuration_files_switches() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "quiet = true\nview = \"summary\"\n").unwrap();
    let snap = "tests/fixtures/snapshots/risky.json";
    let quiet = stdout_of(&[
        "scan",
        "--snapshot",
        snap,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(quiet, "", "quiet from the file");
    let shown = stdout_of(&[
        "scan",
        "--snapshot",
        snap,
        "--config",
        config.to_str().unwrap(),
        "--no-quiet",
    ]);
    assert!(shown.contains("Summary"), "{shown}");
    // view = "summary" from the file: no findings listing.
    assert!(!shown.contains("Findings:"), "{shown}");
    let full = stdout_of(&[
        "scan",
        "--snapshot",
        snap,
        "--config",
        config.to_str().unwrap(),
        "--no-quiet",
        "--view",
        "findings",
    ]);
    assert!(full.contains("Findings:"), "{full}");
}
