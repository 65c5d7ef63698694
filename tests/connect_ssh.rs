//! ssh:// for real: an sshd of the test's own on 127.0.0.1 (own host key, own config, a high
//! port, key authentication only) whose sessions get `DOCKER_HOST` of a private dockerd, so
//! `docker system dial-stdio` over ssh reaches that daemon and nothing else. `ssh` is the one
//! on PATH, as for the docker CLI: a wrapper in front adds the test's client config (key,
//! known_hosts). Also the full-facts workflow over the same sshd:
//! `ssh HOST dockbench collect -o - | dockbench scan --snapshot -`.
#[path = "support/private_daemon.rs"]
mod private_daemon;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use private_daemon::PrivateDaemon;
use support::run_ok;

struct Sshd {
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Sshd {
    /// An sshd whose sessions talk to `docker_host`, or None (skip) without sshd outside CI.
    fn start(docker_host: &str) -> Option<Sshd> {
        if !Path::new("/usr/sbin/sshd").exists() || Command::new("ssh").arg("-V").output().is_err()
        {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI: openssh-server and openssh-client are needed for tests/connect_ssh.rs"
            );
            eprintln!("skipped: no sshd or ssh");
            return None;
        }
        let dir = PathBuf::from(format!("/tmp/dbs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        for key in ["host_key", "client_key"] {
            run_ok(
                Command::new("ssh-keygen")
                    .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                    .arg(dir.join(key)),
            );
        }
        std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).unwrap();
        // A free port now (a race with another process is possible but harmless: sshd fails).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let host_pub = std::fs::read_to_string(dir.join("host_key.pub")).unwrap();
        std::fs::write(
            dir.join("known_hosts"),
            format!("[127.0.0.1]:{port} {host_pub}"),
        )
        .unwrap();
        let d = dir.display();
        std::fs::write(
            dir.join("sshd_config"),
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
                 AuthorizedKeysFile {d}/authorized_keys\nStrictModes no\nUsePAM no\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                 PermitRootLogin prohibit-password\nSetEnv DOCKER_HOST={docker_host}\n"
            ),
        )
        .unwrap();
        std::fs::write(
            dir.join("ssh_config"),
            format!(
                "Host *\n  IdentityFile {d}/client_key\n  IdentitiesOnly yes\n  \
                 UserKnownHostsFile {d}/known_hosts\n  StrictHostKeyChecking yes\n"
            ),
        )
        .unwrap();
        let wrapper = dir.join("bin/ssh");
        std::fs::write(
            &wrapper,
            format!("#!/bin/sh\nexec /usr/bin/ssh -F {d}/ssh_config \"$@\"\n"),
        )
        .unwrap();
        run_ok(Command::new("chmod").arg("755").arg(&wrapper));
        // sshd's privilege separation directory (Debian's package makes it at boot).
        std::fs::create_dir_all("/run/sshd").unwrap();
        let log = std::fs::File::create(dir.join("sshd.log")).unwrap();
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let sshd = Sshd {
            dir,
            port,
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(sshd);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "sshd did not start: {}",
            std::fs::read_to_string(sshd.dir.join("sshd.log")).unwrap_or_default()
        );
    }

    /// PATH with the wrapper first.
    fn path(&self) -> String {
        format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    fn url(&self) -> String {
        format!("ssh://root@127.0.0.1:{}", self.port)
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn dockbench(sshd: &Sshd) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("dockbench"));
    for var in ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY"] {
        cmd.env_remove(var);
    }
    cmd.env("PATH", sshd.path());
    cmd
}

fn result<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no result {id}"))
}

fn report(out: &Output) -> Value {
    assert!(
        out.status.code() == Some(0),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn ssh_scans_the_remote_daemon_and_the_collect_pipe_gives_full_facts() {
    // The deliberately bad daemon: icc on in its daemon.json, a container sharing the host's
    // PID namespace with the daemon's socket mounted.
    let Some(d) = PrivateDaemon::start("ssh", r#"{"icc": true}"#, &[]) else {
        return;
    };
    let rootfs = d.dir.join("rootfs");
    std::fs::create_dir_all(rootfs.join("bin")).unwrap();
    std::fs::copy("/bin/busybox", rootfs.join("bin/busybox")).unwrap();
    std::os::unix::fs::symlink("busybox", rootfs.join("bin/sleep")).unwrap();
    let tar = d.dir.join("rootfs.tar");
    run_ok(
        Command::new("tar")
            .arg("-C")
            .arg(&rootfs)
            .arg("-cf")
            .arg(&tar)
            .arg("."),
    );
    d.docker_ok(&["import", tar.to_str().unwrap(), "dbs-busybox:1"]);
    let sock = format!("{}:/var/run/docker.sock", d.dir.join("d.sock").display());
    d.docker_ok(&[
        "run",
        "-d",
        "--name",
        "dbs-priv",
        "--label",
        "dockbench.test=ssh",
        "--pid",
        "host",
        "-v",
        &sock,
        "--network",
        "none",
        "dbs-busybox:1",
        "/bin/sleep",
        "600",
    ]);
    let Some(sshd) = Sshd::start(&d.address()) else {
        return;
    };

    // --host ssh://, and DOCKER_HOST=ssh:// the same.
    for env in [false, true] {
        let mut cmd = dockbench(&sshd);
        cmd.args(["scan", "-f", "json"]);
        if env {
            cmd.env("DOCKER_HOST", sshd.url());
        } else {
            cmd.args(["--host", &sshd.url()]);
        }
        let r = report(&cmd.output().unwrap());
        let target = r["host"]["target"].as_str().unwrap();
        assert!(target.contains("· ssh ssh://root@127.0.0.1:"), "{target}");
        assert!(target.contains("remote (reached through ssh"), "{target}");
        // The API's facts: the private daemon's container, judged.
        for id in ["5.16", "5.32"] {
            let res = result(&r, id);
            assert_eq!(res["status"], "WARN", "{id}: {res:#}");
            assert!(res.to_string().contains("dbs-priv"), "{id}: {res:#}");
        }
        // Its host's files are not this host's: SKIP, typed remote.
        let r22 = result(&r, "2.2");
        assert_eq!(r22["status"], "SKIP", "{r22:#}");
        assert!(
            r22["reason"]
                .as_str()
                .unwrap()
                .contains("not available for a remote daemon"),
            "{r22:#}"
        );
    }

    // The full-facts workflow: the collector runs on the remote host (its DOCKER_HOST is the
    // private daemon), its snapshot is scanned here; daemon.json is then known (2.2 WARN).
    let bin = assert_cmd::cargo::cargo_bin("dockbench");
    let mut collect = Command::new(sshd.dir.join("bin/ssh"))
        .args(["-p", &sshd.port.to_string(), "root@127.0.0.1", "--"])
        .arg(&bin)
        .args(["collect", "-o", "-"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let scan = dockbench(&sshd)
        .args(["scan", "--snapshot", "-", "-f", "json"])
        .stdin(collect.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(collect.wait().unwrap().success());
    let r = report(&scan);
    let r22 = result(&r, "2.2");
    assert_eq!(r22["status"], "WARN", "{r22:#}");
    assert!(r22.to_string().contains("icc=true"), "{r22:#}");
    assert!(result(&r, "5.16").to_string().contains("dbs-priv"));

    // No login: exit 3, saying what ssh said and naming the workflow.
    let out = dockbench(&sshd)
        .args(["scan", "--host", "ssh://nobody-here@127.0.0.1:1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("dockbench collect -o -"), "{err}");
    // And nothing left behind by the bridge.
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("dockbench-ssh-")
                && e.metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().unwrap_or_default() < Duration::from_secs(120))
        })
        .collect();
    assert!(left.is_empty(), "bridge directories left: {left:?}");
}
