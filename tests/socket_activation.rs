//! Socket activation, live: a private dockerd started by `systemd-socket-activate` (Debian's
//! systemd) with `-H fd://`, handed a unix listener and a TCP listener, in its own network
//! namespace, with its own data root, exec root and containerd namespace. Its command line
//! names no TCP address; the scan must find the sockets the process listens on and WARN on
//! 2.7. The machine's own daemon is never touched.
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The TCP port handed to dockerd (inside its own network namespace: no clash with the host).
const PORT: u16 = 23750;

struct ActivatedDaemon {
    dir: PathBuf,
    child: Option<Child>,
}

impl ActivatedDaemon {
    fn start(name: &str) -> Option<ActivatedDaemon> {
        let have = |prog: &str| {
            Command::new("sh")
                .args(["-c", &format!("command -v {prog}")])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let usable = ["dockerd", "docker", "unshare", "systemd-socket-activate"]
            .iter()
            .all(|p| have(p))
            && rustix::process::geteuid().is_root();
        if !usable {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI: socket activation needs root, dockerd, docker, unshare and systemd-socket-activate (Debian's systemd package)"
            );
            eprintln!("skipped: cannot start a socket-activated dockerd here");
            return None;
        }
        let dir = PathBuf::from(format!("/tmp/dbsa-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("daemon.json"), "{}").unwrap();
        let d = dir.display();
        let log = std::fs::File::create(dir.join("dockerd.log")).unwrap();
        let child = Command::new("unshare")
            .args(["--net", "--", "systemd-socket-activate"])
            .arg(format!("--listen={d}/d.sock"))
            .arg(format!("--listen={PORT}"))
            .args(["dockerd", "-H", "fd://"])
            .args([
                format!("--config-file={d}/daemon.json"),
                format!("--data-root={d}/data"),
                format!("--exec-root={d}/exec"),
                format!("--pidfile={d}/dockerd.pid"),
                "--bridge=none".into(),
                "--iptables=false".into(),
                "--ip6tables=false".into(),
                format!("--containerd-namespace=dbsa-{name}"),
                format!("--containerd-plugins-namespace=dbsa-{name}-plugins"),
                "--storage-driver=vfs".into(),
            ])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("start systemd-socket-activate");
        let daemon = ActivatedDaemon {
            dir,
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let up = Command::new("docker")
                .args(["-H", &daemon.address(), "version"])
                .output()
                .is_ok_and(|o| o.status.success());
            if up {
                return Some(daemon);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = std::fs::read_to_string(daemon.dir.join("dockerd.log")).unwrap_or_default();
        panic!("socket-activated dockerd did not start:\n{log}");
    }

    fn address(&self) -> String {
        format!("unix://{}/d.sock", self.dir.display())
    }
}

impl Drop for ActivatedDaemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // systemd-socket-activate execs dockerd: the child is dockerd itself.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline && child.try_wait().ok().flatten().is_none() {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
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

#[test]
fn tcp_listener_handed_by_socket_activation_is_found() {
    let Some(d) = ActivatedDaemon::start("tcp") else {
        return;
    };
    let out = assert_cmd::Command::cargo_bin("dockbench")
        .unwrap()
        .args(["scan", "--host", &d.address(), "--check", "2.7"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "2.7")
        .unwrap()
        .clone();
    // The command line says only `-H fd://`: the TCP socket is known from the process.
    assert_eq!(r["status"], "WARN", "{r}");
    let reason = r["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("tcp://[::]:{PORT} without TLS"))
            && reason.contains("sockets the dockerd process listens on"),
        "{reason}"
    );
    assert!(
        !reason.contains("d.sock"),
        "unix sockets are not TCP: {reason}"
    );
}
