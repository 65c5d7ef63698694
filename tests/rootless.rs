//! A rootless dockerd for real: a user made by the test (removed after), dockerd started
//! under Debian's rootlesskit the way dockerd-rootless.sh does (Debian's docker.io does not
//! ship that script), its own data root, exec root and socket, its config in the user's
//! `~/.config/docker/daemon.json`. That config is deliberately bad (icc on, debug logging):
//! the scan must read it (not /etc/docker/daemon.json), judge the socket actually scanned
//! (3.15 owned by the user, 3.16 with the sticky bit dockerd sets), and PASS 2.9 for the user
//! namespace rootless mode is.
mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::run_ok;

const LABEL: &str = "dockbench.test=rootless";

struct Rootless {
    user: String,
    uid: u32,
    dir: PathBuf,
    child: Option<Child>,
}

impl Rootless {
    fn start() -> Option<Rootless> {
        let has = |p: &str| Command::new(p).arg("--version").output().is_ok();
        let usable = has("rootlesskit")
            && has("dockerd")
            && Path::new("/usr/bin/newuidmap").exists()
            && Path::new("/bin/busybox").exists()
            && rustix::process::geteuid().is_root();
        if !usable {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI: rootlesskit, uidmap, dockerd, busybox-static and root are needed for tests/rootless.rs"
            );
            eprintln!("skipped: rootlesskit, newuidmap, dockerd, busybox or root missing");
            return None;
        }
        let pid = std::process::id();
        let user = format!("dbrl{}", pid % 1_000_000);
        let dir = PathBuf::from(format!("/tmp/dbr-{pid}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home/.config/docker")).unwrap();
        std::fs::create_dir_all(dir.join("run")).unwrap();
        run_ok(
            Command::new("useradd")
                .args(["-M", "-s", "/bin/sh", "-d"])
                .arg(dir.join("home"))
                .arg(&user),
        );
        let uid: u32 =
            String::from_utf8_lossy(&run_ok(Command::new("id").args(["-u", &user])).stdout)
                .trim()
                .parse()
                .unwrap();
        let mut r = Rootless {
            user,
            uid,
            dir,
            child: None,
        };
        // useradd gives subordinate IDs when login.defs says so; make sure of them.
        let subuid = std::fs::read_to_string("/etc/subuid").unwrap_or_default();
        if !subuid
            .lines()
            .any(|l| l.starts_with(&format!("{}:", r.user)))
        {
            run_ok(
                Command::new("usermod")
                    .args([
                        "--add-subuids",
                        "300000-365535",
                        "--add-subgids",
                        "300000-365535",
                    ])
                    .arg(&r.user),
            );
        }
        std::fs::write(
            r.dir.join("home/.config/docker/daemon.json"),
            r#"{"icc": true, "log-level": "debug"}"#,
        )
        .unwrap();
        run_ok(
            Command::new("chown")
                .arg("-R")
                .arg(format!("{0}:{0}", r.user))
                .arg(&r.dir),
        );
        run_ok(Command::new("chmod").arg("700").arg(r.dir.join("run")));
        let d = r.dir.display();
        let log = std::fs::File::create(r.dir.join("dockerd.log")).unwrap();
        // dockerd-rootless.sh's steps: rootlesskit with copied-up /etc and /run, the stale
        // /run/docker links removed in the child, then dockerd. slirp4netns: a network
        // namespace of its own.
        let child = Command::new("runuser")
            .args(["-u", &r.user, "--", "env", "-i"])
            .arg("PATH=/usr/sbin:/usr/bin:/sbin:/bin")
            .arg(format!("HOME={d}/home"))
            .arg(format!("XDG_RUNTIME_DIR={d}/run"))
            .args([
                "rootlesskit",
                "--net=slirp4netns",
                "--disable-host-loopback",
                "--copy-up=/etc",
                "--copy-up=/run",
            ])
            .arg(format!("--state-dir={d}/run/rk"))
            .args([
                "sh",
                "-c",
                "rm -f /run/docker /run/containerd /run/xtables.lock; exec dockerd \"$@\"",
                "sh",
                "--storage-driver=vfs",
                "--bridge=none",
                "--iptables=false",
                "--ip6tables=false",
            ])
            .arg(format!("--host=unix://{d}/run/docker.sock"))
            .arg(format!("--data-root={d}/home/data"))
            .arg(format!("--exec-root={d}/run/exec"))
            .arg(format!("--pidfile={d}/run/dockerd.pid"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("runuser rootlesskit dockerd");
        r.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if r.docker(&["info"]).status.success() {
                return Some(r);
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        let log = std::fs::read_to_string(r.dir.join("dockerd.log")).unwrap_or_default();
        panic!("rootless dockerd did not start:\n{log}");
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("run/docker.sock")
    }

    fn address(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    fn docker(&self, args: &[&str]) -> Output {
        Command::new("docker")
            .arg("-H")
            .arg(self.address())
            .args(args)
            .env_remove("DOCKER_CONTEXT")
            .output()
            .unwrap()
    }

    /// PIDs of every process of the test's user (all started by this test).
    fn user_pids(&self) -> Vec<i32> {
        let mut pids = Vec::new();
        for e in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
                continue;
            };
            let status = std::fs::read_to_string(e.path().join("status")).unwrap_or_default();
            let uid = status
                .lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().next().map(str::to_string));
            if uid.as_deref() == Some(&self.uid.to_string()) {
                pids.push(pid);
            }
        }
        pids
    }
}

impl Drop for Rootless {
    fn drop(&mut self) {
        let ids = String::from_utf8_lossy(
            &self
                .docker(&["ps", "-aq", "--filter", &format!("label={LABEL}")])
                .stdout,
        )
        .to_string();
        for id in ids.split_whitespace() {
            let _ = self.docker(&["rm", "-f", id]);
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        // rootlesskit and everything below it run as the test's user: stop them by PID.
        for signal in ["TERM", "KILL"] {
            for pid in self.user_pids() {
                let _ = Command::new("kill")
                    .arg(format!("-{signal}"))
                    .arg(pid.to_string())
                    .status();
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while !self.user_pids().is_empty() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        let _ = Command::new("userdel").arg(&self.user).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn result<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no result {id}"))
}

#[test]
fn a_rootless_daemon_is_judged_by_its_own_config_and_socket() {
    let Some(r) = Rootless::start() else {
        return;
    };
    // A privileged container from a busybox-static rootfs.
    let rootfs = r.dir.join("rootfs");
    std::fs::create_dir_all(rootfs.join("bin")).unwrap();
    std::fs::copy("/bin/busybox", rootfs.join("bin/busybox")).unwrap();
    std::os::unix::fs::symlink("busybox", rootfs.join("bin/sleep")).unwrap();
    let tar = r.dir.join("rootfs.tar");
    run_ok(
        Command::new("tar")
            .arg("-C")
            .arg(&rootfs)
            .arg("-cf")
            .arg(&tar)
            .arg("."),
    );
    let out = r.docker(&["import", tar.to_str().unwrap(), "dbr-busybox:1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = r.docker(&[
        "run",
        "-d",
        "--name",
        "dbr-priv",
        "--label",
        LABEL,
        "--privileged",
        "--network",
        "none",
        "dbr-busybox:1",
        "/bin/sleep",
        "600",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = Command::new(assert_cmd::cargo::cargo_bin("dockbench"))
        .args(["scan", "--host", &r.address(), "-f", "json"])
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let rep: Value = serde_json::from_slice(&out.stdout).unwrap();
    let target = rep["host"]["target"].as_str().unwrap();
    assert!(target.contains("· rootless ·"), "{target}");
    assert!(target.contains("local (PID"), "{target}");

    // The user's daemon.json, not /etc/docker/daemon.json.
    let user_config = r.dir.join("home/.config/docker/daemon.json");
    let user_config = user_config.display().to_string();
    for (id, says) in [("2.2", "icc=true"), ("2.3", "log-level=debug")] {
        let res = result(&rep, id);
        assert_eq!(res["status"], "WARN", "{id}: {res:#}");
        let text = res.to_string();
        assert!(
            text.contains(says) && text.contains(&user_config),
            "{id}: {res:#}"
        );
    }
    // Rootless mode is the user namespace 2.9 asks for.
    let r29 = result(&rep, "2.9");
    assert_eq!(r29["status"], "PASS", "{r29:#}");
    assert!(r29.to_string().contains("rootless"), "{r29:#}");
    assert_eq!(result(&rep, "2.1")["status"], "PASS");
    // The socket scanned, owned by the user, mode 1660 (sticky bit: no access granted).
    let sock = r.socket().display().to_string();
    for id in ["3.15", "3.16"] {
        let res = result(&rep, id);
        assert_eq!(res["status"], "PASS", "{id}: {res:#}");
        assert!(res.to_string().contains(&sock), "{id}: {res:#}");
    }
    let r55 = result(&rep, "5.5");
    assert_eq!(r55["status"], "WARN", "{r55:#}");

    // 3.15 fails when the socket is not the daemon user's.
    run_ok(Command::new("chown").arg("root").arg(r.socket()));
    let out = Command::new(assert_cmd::cargo::cargo_bin("dockbench"))
        .args([
            "scan",
            "--host",
            &r.address(),
            "--check",
            "3.15",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let rep: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r315 = result(&rep, "3.15");
    assert_eq!(r315["status"], "WARN", "{r315:#}");
    assert!(
        r315.to_string()
            .contains(&format!("want the rootless daemon's user, UID {}", r.uid)),
        "{r315:#}"
    );
}
