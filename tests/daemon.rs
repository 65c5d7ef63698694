//! Sections 2 and 3 against a private dockerd started by the test (its own data root, exec
//! root, socket, pid file and containerd namespace; no bridge, no iptables changes). The
//! machine's own daemon is never reconfigured. The same settings are given once in a
//! daemon.json and once on the command line; the verdicts must agree and name their source.
#[path = "support/private_daemon.rs"]
mod private_daemon;

use serde_json::Value;

use private_daemon::PrivateDaemon;

/// Scans the private daemon and returns results by check id.
fn scan(d: &PrivateDaemon, checks: &str) -> std::collections::BTreeMap<String, Value> {
    let out = assert_cmd::Command::cargo_bin("dockbench")
        .unwrap()
        .args(["scan", "--host", &d.address(), "--check", checks])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

fn status(results: &std::collections::BTreeMap<String, Value>, id: &str) -> String {
    results[id]["status"].as_str().unwrap().to_string()
}

fn evidence(results: &std::collections::BTreeMap<String, Value>, id: &str) -> String {
    results[id]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["value"].as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The verdicts both runs must give, whatever the source of the settings.
fn assert_common(r: &std::collections::BTreeMap<String, Value>, source: &str) {
    for id in ["2.8", "2.13", "2.14", "2.15", "2.16"] {
        assert_eq!(status(r, id), "PASS", "{id}: {}", r[id]);
    }
    assert_eq!(status(r, "2.3"), "WARN");
    assert!(
        evidence(r, "2.3").contains(&format!("log-level=warn ({source}")),
        "{}",
        evidence(r, "2.3")
    );
    assert_eq!(status(r, "2.5"), "WARN");
    assert!(evidence(r, "2.5").contains("10.0.0.0/8"));
    // The private daemon runs with --iptables=false on its command line.
    assert_eq!(status(r, "2.4"), "WARN");
    assert!(evidence(r, "2.4").contains("--iptables=false"));
    // Settings nobody gave stay at dockerd's defaults, and say so.
    assert_eq!(status(r, "2.12"), "WARN");
    assert!(evidence(r, "2.12").contains("(default)"));
    assert_eq!(status(r, "2.7"), "SKIP");
}

#[test]
fn settings_from_daemon_json() {
    let config = r#"{
        "live-restore": true,
        "no-new-privileges": true,
        "userland-proxy": false,
        "log-driver": "syslog",
        "log-level": "warn",
        "insecure-registries": ["10.0.0.0/8"],
        "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 2048}}
    }"#;
    let Some(d) = PrivateDaemon::start("file", config, &[]) else {
        return;
    };
    let path = d.config_path();
    let set_mode = |mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    set_mode(0o640);
    let r = scan(&d, "2,3.17,3.18");
    assert_common(&r, "file");
    // 3.17/3.18 look at the daemon's real config file (--config-file), not /etc/docker.
    assert_eq!(status(&r, "3.17"), "PASS", "{}", r["3.17"]);
    assert_eq!(status(&r, "3.18"), "PASS", "{}", r["3.18"]);

    // 0460 is numerically below 644 but gives the group write access: a bit-mask WARN.
    set_mode(0o460);
    let r = scan(&d, "3.18");
    assert_eq!(status(&r, "3.18"), "WARN");
    assert!(evidence(&r, "3.18").contains(&format!("{} has mode 0460", path.display())));

    // An invalid daemon.json is an ERROR with the parse position, never a PASS or WARN.
    set_mode(0o640);
    std::fs::write(&path, "{\n  \"icc\": false,\n  \"live-restore\" true\n}\n").unwrap();
    let r = scan(&d, "2.2,2.14");
    for id in ["2.2", "2.14"] {
        assert_eq!(status(&r, id), "ERROR", "{id}: {}", r[id]);
        let reason = r[id]["reason"].as_str().unwrap();
        assert!(reason.contains("line 3 column"), "{reason}");
    }
}

#[test]
fn settings_from_the_command_line() {
    let Some(d) = PrivateDaemon::start(
        "flags",
        "{}",
        &[
            "--live-restore",
            "--no-new-privileges",
            "--userland-proxy=false",
            "--log-driver",
            "syslog",
            "--log-level=warn",
            "--insecure-registry",
            "10.0.0.0/8",
            "--default-ulimit",
            "nofile=1024:2048",
        ],
    ) else {
        return;
    };
    let r = scan(&d, "2");
    assert_common(&r, "flag");
}

/// What the running daemon reports beats its files: a daemon.json edited after the start is
/// drift, named in the evidence, and the verdict follows the daemon (old verdict: PASS from
/// the file). Debug mode (-D) runs at debug level (old verdict: PASS, log-level=info).
#[test]
fn running_daemon_beats_its_file() {
    let Some(d) = PrivateDaemon::start("drift", "{}", &["-D"]) else {
        return;
    };
    std::fs::write(d.config_path(), r#"{"live-restore": true}"#).unwrap();
    let r = scan(&d, "2.3,2.15");
    assert_eq!(status(&r, "2.15"), "WARN", "{}", r["2.15"]);
    let reason = r["2.15"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("live-restore=false (running daemon: /info LiveRestoreEnabled)")
            && reason.contains(
                "daemon.json sets live-restore=true, the running daemon has live-restore disabled: restart pending"
            ),
        "{reason}"
    );
    assert_eq!(status(&r, "2.3"), "WARN", "{}", r["2.3"]);
    assert!(
        evidence(&r, "2.3").contains("log-level=debug (running daemon: /info Debug"),
        "{}",
        evidence(&r, "2.3")
    );
}

/// dockerd reads log levels in any case: `--log-level=INFO` is info (old verdict: WARN).
#[test]
fn log_level_in_upper_case_is_info() {
    let Some(d) = PrivateDaemon::start("level", "{}", &["--log-level=INFO"]) else {
        return;
    };
    let r = scan(&d, "2.3");
    assert_eq!(status(&r, "2.3"), "PASS", "{}", r["2.3"]);
    assert!(
        r["2.3"]["reason"]
            .as_str()
            .unwrap()
            .contains("log-level=info (flag: --log-level=INFO)"),
        "{}",
        r["2.3"]
    );
}

/// A second dockerd that serves TCP only, next to the machine's own: it is local (the process
/// holding the listening port is that dockerd), and 3.15/3.16 judge only sockets that process
/// serves — it serves none, so they SKIP. (Old verdicts: PASS on /var/run/docker.sock, the
/// machine's other daemon's socket, credited to this one.)
#[test]
fn a_tcp_only_daemon_is_not_credited_with_the_default_socket() {
    let Some(d) = PrivateDaemon::start_tcp_only("tcponly", "{}", 2375) else {
        return;
    };
    let out = d
        .in_netns(&assert_cmd::cargo::cargo_bin("dockbench"))
        .args(["scan", "--host", &d.address(), "--check", "3.15,3.16"])
        .args(["--format", "json"])
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let target = report["host"]["target"].as_str().unwrap_or_default();
    assert!(
        target.contains(&format!("local (PID {}, dockerd)", d.pid())),
        "{target}"
    );
    for r in report["results"].as_array().unwrap() {
        assert_eq!(r["status"], "SKIP", "{r:#}");
        assert!(!r.to_string().contains("/run/docker.sock"), "{r:#}");
    }
}
