//! Podman for real: Debian's podman (4.3) serving the Docker-compatible API with
//! `podman system service` on a private socket, with private storage, run root and tmpdir,
//! containers from `podman import` of a busybox-static rootfs, no network. The scan must say
//! Podman (header and JSON), SKIP dockerd's own files and flags as "not applicable to Podman",
//! give no verdict from the fields Podman fills its own way (logging driver, experimental,
//! live restore), judge the scanned socket for 3.15/3.16, count it as the Docker socket for
//! 5.32, and still judge the containers (a privileged one WARNs 5.5).
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const LABEL: &str = "dockbench.test=podman";

struct Podman {
    dir: PathBuf,
    service: Option<Child>,
}

impl Podman {
    /// Starts the service, or None (skip) where podman cannot run and CI is not set.
    fn start() -> Option<Podman> {
        let usable = Command::new("podman").arg("--version").output().is_ok()
            && rustix::process::geteuid().is_root()
            && Path::new("/bin/busybox").exists();
        if !usable {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI: podman, busybox-static and root are needed for tests/podman.rs"
            );
            eprintln!("skipped: podman, /bin/busybox or root missing");
            return None;
        }
        let dir = PathBuf::from(format!("/tmp/dbp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        let mut p = Podman { dir, service: None };
        let log = std::fs::File::create(p.dir.join("service.log")).unwrap();
        let child = p
            .podman_local()
            .args(["system", "service", "--time", "0"])
            .arg(format!("unix://{}", p.socket().display()))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("podman system service");
        p.service = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if p.remote(&["version"]).status.success() {
                return Some(p);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = std::fs::read_to_string(p.dir.join("service.log")).unwrap_or_default();
        panic!("podman system service did not start:\n{log}");
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("p.sock")
    }

    /// podman with this test's storage, run root and tmpdir (nothing shared with the host's).
    fn podman_local(&self) -> Command {
        let d = self.dir.display();
        let mut cmd = Command::new("podman");
        cmd.args([
            format!("--root={d}/graph"),
            format!("--runroot={d}/run"),
            format!("--tmpdir={d}/tmp"),
            "--storage-driver=vfs".into(),
            "--cgroup-manager=cgroupfs".into(),
            "--events-backend=file".into(),
        ]);
        cmd
    }

    /// The podman CLI as a client of the private service.
    fn remote(&self, args: &[&str]) -> Output {
        Command::new("podman")
            .arg("--remote")
            .arg(format!("--url=unix://{}", self.socket().display()))
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.remote(args);
        assert!(
            out.status.success(),
            "podman {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn address(&self) -> String {
        format!("unix://{}", self.socket().display())
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        let _ = self.remote(&["rm", "-f", "-t", "0", "--filter", &format!("label={LABEL}")]);
        let ids = String::from_utf8_lossy(
            &self
                .remote(&["ps", "-aq", "--filter", &format!("label={LABEL}")])
                .stdout,
        )
        .to_string();
        for id in ids.split_whitespace() {
            let _ = self.remote(&["rm", "-f", id]);
        }
        if let Some(mut c) = self.service.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = self.podman_local().args(["system", "reset", "-f"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A busybox-static rootfs as a tar, imported as an image.
fn import_busybox(p: &Podman) -> String {
    let root = p.dir.join("rootfs");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::copy("/bin/busybox", root.join("bin/busybox")).unwrap();
    for applet in ["sh", "sleep"] {
        std::os::unix::fs::symlink("busybox", root.join("bin").join(applet)).unwrap();
    }
    let tar = p.dir.join("rootfs.tar");
    let st = Command::new("tar")
        .arg("-C")
        .arg(&root)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()
        .unwrap();
    assert!(st.success());
    p.ok(&["import", tar.to_str().unwrap(), "localhost/dbp-busybox:1"]);
    "localhost/dbp-busybox:1".into()
}

fn dockbench(args: &[&str]) -> Output {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("dockbench"));
    for var in ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY"] {
        cmd.env_remove(var);
    }
    cmd.args(args).output().unwrap()
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
fn podman_is_scanned_as_podman() {
    let Some(p) = Podman::start() else {
        return;
    };
    let image = import_busybox(&p);
    // Podman's default rlimits (nofile, nproc 1048576+) exceed this kind of machine's hard
    // limits: give its own.
    let limits = [
        "--ulimit",
        "nofile=1024:1024",
        "--ulimit",
        "nproc=1024:1024",
    ];
    let run = |name: &str, extra: &[&str]| {
        let mut args = vec!["run", "-d", "--name", name, "--label", LABEL];
        args.extend(["--network", "none"]);
        args.extend(limits);
        args.extend(extra);
        args.extend([image.as_str(), "/bin/sleep", "600"]);
        p.ok(&args);
    };
    let sock = p.socket();
    let mount = format!("{}:/var/run/engine.sock", sock.display());
    run("dbp-priv", &["--privileged"]);
    run("dbp-sock", &["-v", &mount]);

    let address = p.address();
    let out = dockbench(&["scan", "--host", &address, "-f", "json"]);
    assert!(
        out.status.code() == Some(0),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["host"]["engine"], "Podman", "{:#}", r["host"]);
    let target = r["host"]["target"].as_str().unwrap();
    assert!(target.starts_with("Podman 4."), "{target}");
    assert!(target.contains("local (PID"), "{target}");

    // dockerd's flags, daemon.json and files: not applicable, typed.
    for id in ["2.2", "1.1.3", "3.1", "3.17", "1.1.2"] {
        let res = result(&r, id);
        assert_eq!(res["status"], "SKIP", "{id}: {res:#}");
        assert!(
            res["reason"]
                .as_str()
                .unwrap()
                .contains("not applicable to Podman"),
            "{id}: {res:#}"
        );
    }
    // Fields Podman fills its own way give no verdict.
    for id in ["2.13", "2.15", "2.18"] {
        let res = result(&r, id);
        assert_eq!(res["status"], "SKIP", "{id}: {res:#}");
    }
    // The scanned socket is the one judged, and counts as the Docker socket.
    let sock_text = sock.display().to_string();
    for id in ["3.15", "3.16"] {
        let res = result(&r, id);
        assert_eq!(res["status"], "PASS", "{id}: {res:#}");
        assert!(res.to_string().contains(&sock_text), "{id}: {res:#}");
    }
    let r532 = result(&r, "5.32");
    assert_eq!(r532["status"], "WARN", "{r532:#}");
    assert!(r532.to_string().contains("dbp-sock"), "{r532:#}");
    // The containers are judged as ever.
    let r55 = result(&r, "5.5");
    assert_eq!(r55["status"], "WARN", "{r55:#}");
    assert!(r55.to_string().contains("dbp-priv"), "{r55:#}");

    // The snapshot says why, typed: not in this engine.
    let out = dockbench(&["collect", "-o", "-", "--host", &address]);
    assert!(out.status.success());
    let snap: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cl = &snap["daemon"]["Config"]["CommandLine"];
    assert_eq!(cl["State"], "not_in_mode", "{cl:#}");
    assert_eq!(cl["ScanMode"], "engine", "{cl:#}");
    assert_eq!(snap["daemon"]["Target"]["Engine"], "Podman");
    assert_eq!(snap["daemon"]["Target"]["Process"], "podman");

    // The text header names the engine.
    let out = dockbench(&["scan", "--host", &address, "--check", "5.5"]);
    // Flattened: the header is wrapped by words, where depends on the kernel's name.
    let text = String::from_utf8_lossy(&out.stdout);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("· Podman 4."), "{text}");
    assert!(flat.contains("target Podman"), "{text}");
}
