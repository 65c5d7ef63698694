//! The progress line: shown on a terminal (a pseudo-terminal from util-linux `script`) for a
//! scan of more than 50 containers, never with `--quiet` or when stderr is not a terminal.
mod support;

use std::process::Command;

use support::{Guard, require_docker};

/// Runs `dockbench <args>` with stdin/stdout/stderr on a pseudo-terminal; returns what the
/// terminal showed.
fn on_a_terminal(args: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("dockbench");
    let out = Command::new("script")
        .args(["-q", "-e", "-c"])
        .arg(format!("{} {args}", bin.display()))
        .arg("/dev/null")
        .env("NO_COLOR", "1")
        .output()
        .expect("util-linux `script` runs the scan on a pseudo-terminal");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn progress_on_a_terminal_only() {
    if !require_docker() {
        return;
    }
    if Command::new("script").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "script is needed under CI"
        );
        eprintln!("SKIPPED: util-linux `script` is not installed");
        return;
    }
    let mut guard = Guard::new("progress");
    // Created, not started: cheap, and `--all` scans them.
    for i in 0..51 {
        guard.create(&format!("c{i}"), &[], &[]);
    }
    let shown = on_a_terminal("scan --all --check 5.1");
    let line = shown
        .split(['\r', '\n'])
        .find(|l| l.starts_with("collecting: inspected "))
        .unwrap_or_else(|| panic!("no progress line on the terminal: {shown:?}"));
    let (done, total) = line
        .trim_start_matches("collecting: inspected ")
        .trim_end_matches(" containers")
        .split_once('/')
        .unwrap();
    let total: usize = total.parse().unwrap();
    assert!(
        total > 50 && done.parse::<usize>().unwrap() <= total,
        "{line}"
    );
    // Cleared before the report: the report starts on a clean line.
    assert!(shown.contains("dockbench 0.1.0"), "{shown}");

    let quiet = on_a_terminal("scan --all --check 5.1 --quiet -o json=/dev/null");
    assert!(!quiet.contains("collecting"), "--quiet: {quiet:?}");

    // Not a terminal (captured by a pipe): no progress line in the logs.
    let out = support::dockbench()
        .args(["scan", "--all", "--check", "5.1"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("collecting"));
}
