//! contrib/: the systemd units pass `systemd-analyze verify` (and stay well hardened by
//! `systemd-analyze security`), and the nightly wrapper writes dated runs, switches `latest`
//! and keeps the newest N, driven by a fake dockbench that records its arguments.
use std::path::{Path, PathBuf};
use std::process::Command;

const UNITS: &str = "contrib/systemd";

/// systemd-analyze, or None when the test may skip (never under CI).
fn systemd_analyze() -> Option<&'static str> {
    let found = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("systemd-analyze");
    }
    if std::env::var_os("CI").is_some() {
        panic!("systemd-analyze is required when CI is set (apt-get install systemd)");
    }
    eprintln!("SKIPPED: systemd-analyze is not installed");
    None
}

/// The units in a temporary directory, ExecStart pointed at the wrapper in this checkout
/// (verify insists that the command exists).
fn units_in_tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let wrapper = std::fs::canonicalize(Path::new(UNITS).join("dockbench-nightly")).unwrap();
    for name in ["dockbench.service", "dockbench.timer"] {
        let text = std::fs::read_to_string(Path::new(UNITS).join(name)).unwrap();
        let text = text.replace(
            "ExecStart=/usr/local/libexec/dockbench-nightly",
            &format!("ExecStart={}", wrapper.display()),
        );
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn systemd_units_verify() {
    let Some(analyze) = systemd_analyze() else {
        return;
    };
    let dir = units_in_tempdir();
    let out = Command::new(analyze)
        .args(["verify", "--man=no"])
        .arg(dir.path().join("dockbench.service"))
        .arg(dir.path().join("dockbench.timer"))
        .output()
        .unwrap();
    // verify exits 0 on unknown keys, which it only prints: any output is a finding.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "systemd-analyze verify: {stderr}"
    );
}

#[test]
fn systemd_service_is_hardened() {
    let Some(analyze) = systemd_analyze() else {
        return;
    };
    let dir = units_in_tempdir();
    let out = Command::new(analyze)
        .args(["security", "--offline=yes", "--no-pager"])
        .arg(dir.path().join("dockbench.service"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let level: f64 = text
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for dockbench.service: ")
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in: {text}"));
    // 0 = fully locked down, 10 = unprotected; a plain root service scores 9.6.
    assert!(level <= 3.0, "exposure {level}: {text}");
    let service = std::fs::read_to_string(Path::new(UNITS).join("dockbench.service")).unwrap();
    for setting in [
        "ProtectSystem=strict",
        "ProtectHome=read-only",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "Type=oneshot",
        "StateDirectory=dockbench",
    ] {
        assert!(service.contains(setting), "{setting}");
    }
    let timer = std::fs::read_to_string(Path::new(UNITS).join("dockbench.timer")).unwrap();
    assert!(timer.contains("RandomizedDelaySec=1h") && timer.contains("Persistent=true"));
}

/// A fake dockbench: appends its arguments to $FAKE_LOG, writes every `--output FORMAT=PATH`
/// file (if $FAKE_RC is 4, all but the last) and exits with $FAKE_RC.
fn fake_dockbench(dir: &Path) -> PathBuf {
    let path = dir.join("fake-dockbench");
    std::fs::write(
        &path,
        r#"#!/bin/sh
echo "$*" >> "$FAKE_LOG"
last=""
while [ $# -gt 0 ]; do
  if [ "$1" = --output ]; then
    [ -n "$last" ] && echo "fake $last" > "${last#*=}"
    last=$2; shift
  fi
  shift
done
if [ -n "$last" ] && [ "${FAKE_RC:-0}" != 4 ]; then echo "fake $last" > "${last#*=}"; fi
exit "${FAKE_RC:-0}"
"#,
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

struct Nightly {
    tmp: tempfile::TempDir,
    fake: PathBuf,
}

impl Nightly {
    fn new() -> Nightly {
        let tmp = tempfile::tempdir().unwrap();
        let fake = fake_dockbench(tmp.path());
        Nightly { tmp, fake }
    }
    fn reports(&self) -> PathBuf {
        self.tmp.path().join("reports")
    }
    fn run(&self, env: &[(&str, &str)]) -> i32 {
        let mut cmd = Command::new(Path::new(UNITS).join("dockbench-nightly"));
        cmd.env("DOCKBENCH", &self.fake)
            .env("DOCKBENCH_REPORT_DIR", self.reports())
            .env("FAKE_LOG", self.tmp.path().join("log"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.status().unwrap().code().unwrap()
    }
    /// Run directories, oldest first.
    fn runs(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.reports())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        names.sort();
        names
    }
    fn log(&self) -> Vec<String> {
        std::fs::read_to_string(self.tmp.path().join("log"))
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    }
}

#[test]
fn nightly_writes_dated_runs_and_keeps_the_newest() {
    let n = Nightly::new();
    for _ in 0..4 {
        assert_eq!(
            n.run(&[
                ("DOCKBENCH_KEEP", "2"),
                ("DOCKBENCH_HOST_LABEL", "web eu-1")
            ]),
            0
        );
    }
    let runs = n.runs();
    assert_eq!(runs.len(), 2, "{runs:?}");
    let latest = std::fs::read_link(n.reports().join("latest")).unwrap();
    assert_eq!(latest, Path::new(runs.last().unwrap()));
    for file in ["report.json", "report.html", "dockbench.prom"] {
        let content = std::fs::read_to_string(n.reports().join("latest").join(file)).unwrap();
        assert!(content.starts_with("fake "), "{file}: {content}");
    }
    let log = n.log();
    assert_eq!(log.len(), 4);
    let lock = n.reports().join(".dockbench.lock");
    assert!(
        log[0].starts_with(&format!(
            "scan --quiet --lock {} --host-label web eu-1 --output json=",
            lock.display()
        )),
        "{}",
        log[0]
    );
    assert!(log[0].contains("--output prometheus="), "{}", log[0]);
    // Nothing half-done is left: no partial directories.
    let hidden: Vec<_> = std::fs::read_dir(n.reports())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".partial"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn nightly_passes_exit_codes_and_drops_failed_runs() {
    let n = Nightly::new();
    let prom = n.tmp.path().join("textfile");
    std::fs::create_dir(&prom).unwrap();
    let prom_dir = prom.to_str().unwrap();
    // Findings with --fail-on (1) and a missing output (4) keep the run.
    assert_eq!(
        n.run(&[
            ("FAKE_RC", "1"),
            ("DOCKBENCH_ARGS", "--fail-on warn --level 1"),
            ("DOCKBENCH_PROM_DIR", prom_dir),
        ]),
        1
    );
    assert!(n.log()[0].ends_with("--fail-on warn --level 1"));
    assert!(prom.join("dockbench.prom").exists());
    assert_eq!(n.run(&[("FAKE_RC", "4")]), 4);
    assert_eq!(n.runs().len(), 2);
    // The daemon unreachable (3) or another run holding the lock (5): no run directory.
    assert_eq!(n.run(&[("FAKE_RC", "3")]), 3);
    assert_eq!(n.run(&[("FAKE_RC", "5")]), 5);
    assert_eq!(n.runs().len(), 2);
    let all: Vec<_> = std::fs::read_dir(n.reports()).unwrap().collect();
    assert_eq!(
        all.len(),
        3,
        "two runs and latest (the lock is the fake's to make)"
    );
    // Bad settings are refused before anything runs.
    assert_eq!(n.run(&[("DOCKBENCH_KEEP", "0")]), 2);
    assert_eq!(n.run(&[("DOCKBENCH_FORMATS", "json pdf")]), 2);
    assert_eq!(n.log().len(), 4);
    // Only the formats asked for.
    assert_eq!(n.run(&[("DOCKBENCH_FORMATS", "sarif")]), 0);
    let latest = n.reports().join("latest");
    assert!(latest.join("report.sarif").exists() && !latest.join("report.json").exists());
}
