//! Sections 2 and 3 against a private dockerd started by the test (its own data root, exec
//! root, socket, pid file and containerd namespace; no bridge, no iptables changes). The
//! machine's own daemon is never reconfigured. The same settings are given once in a
//! daemon.json and once on the command line; the verdicts must agree and name their source.
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

struct PrivateDaemon {
    dir: PathBuf,
    child: Option<Child>,
}

impl PrivateDaemon {
    /// Starts dockerd with `config` as its config file and `args` on the command line, or
    /// returns None (skip) when this machine cannot run one and CI is not set.
    fn start(name: &str, config: &str, args: &[&str]) -> Option<PrivateDaemon> {
        let usable = Command::new("dockerd").arg("--version").output().is_ok()
            && Command::new("unshare").arg("--version").output().is_ok()
            && rustix::process::geteuid().is_root();
        if !usable {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI: a private dockerd is needed (dockerd and unshare installed, tests run as root)"
            );
            eprintln!("skipped: cannot start a private dockerd (not root or no dockerd)");
            return None;
        }
        // Unix socket paths must stay short: keep the directory directly under /tmp.
        let dir = PathBuf::from(format!("/tmp/dbd-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("daemon.json"), config).unwrap();
        let log = std::fs::File::create(dir.join("dockerd.log")).unwrap();
        let d = dir.display();
        // Its own network namespace: a dockerd started with --bridge=none deletes the host's
        // docker0 interface (the shared daemon's default bridge) in the namespace it runs in.
        let child = Command::new("unshare")
            .args(["--net", "--", "dockerd"])
            .args([
                format!("--config-file={d}/daemon.json"),
                format!("--data-root={d}/data"),
                format!("--exec-root={d}/exec"),
                format!("--pidfile={d}/dockerd.pid"),
                format!("--host=unix://{d}/d.sock"),
                "--bridge=none".into(),
                "--iptables=false".into(),
                "--ip6tables=false".into(),
                format!("--containerd-namespace=dbd-{name}"),
                format!("--containerd-plugins-namespace=dbd-{name}-plugins"),
                "--storage-driver=vfs".into(),
            ])
            .args(args)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("start dockerd");
        let daemon = PrivateDaemon {
            dir,
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let ok = Command::new("docker")
                .args(["-H", &daemon.address(), "version"])
                .output()
                .is_ok_and(|o| o.status.success());
            if ok {
                return Some(daemon);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = std::fs::read_to_string(daemon.dir.join("dockerd.log")).unwrap_or_default();
        panic!("private dockerd did not start:\n{log}");
    }

    fn address(&self) -> String {
        format!("unix://{}/d.sock", self.dir.display())
    }

    fn config_path(&self) -> PathBuf {
        self.dir.join("daemon.json")
    }

    /// Scans this daemon and returns results by check id.
    fn scan(&self, checks: &str) -> std::collections::BTreeMap<String, Value> {
        let out = assert_cmd::Command::cargo_bin("dockbench")
            .unwrap()
            .args(["scan", "--host", &self.address(), "--check", checks])
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
}

impl Drop for PrivateDaemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        // dockerd makes its data root a mount of its own; undo what is left, deepest first.
        let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        let mut ours: Vec<&str> = mounts
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1))
            .filter(|m| Path::new(m).starts_with(&self.dir))
            .collect();
        ours.sort_by_key(|m| std::cmp::Reverse(m.len()));
        for m in ours {
            let _ = Command::new("umount").arg("-l").arg(m).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
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
    let r = d.scan("2,3.17,3.18");
    assert_common(&r, "file");
    // 3.17/3.18 look at the daemon's real config file (--config-file), not /etc/docker.
    assert_eq!(status(&r, "3.17"), "PASS", "{}", r["3.17"]);
    assert_eq!(status(&r, "3.18"), "PASS", "{}", r["3.18"]);

    // 0460 is numerically below 644 but gives the group write access: a bit-mask WARN.
    set_mode(0o460);
    let r = d.scan("3.18");
    assert_eq!(status(&r, "3.18"), "WARN");
    assert!(evidence(&r, "3.18").contains(&format!("{} has mode 0460", path.display())));

    // An invalid daemon.json is an ERROR with the parse position, never a PASS or WARN.
    set_mode(0o640);
    std::fs::write(&path, "{\n  \"icc\": false,\n  \"live-restore\" true\n}\n").unwrap();
    let r = d.scan("2.2,2.14");
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
    let r = d.scan("2");
    assert_common(&r, "flag");
}
