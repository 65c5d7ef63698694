//! A dockerd of the test's own: its own data root, exec root, socket, pid file and containerd
//! namespace, no bridge and no iptables changes, in its own network namespace (a dockerd with
//! `--bridge=none` in the host's namespace deletes the shared daemon's docker0). The machine's
//! own daemon is never touched. Used by tests/daemon.rs and tests/offline.rs.
// Each test binary uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub struct PrivateDaemon {
    pub dir: PathBuf,
    /// dockerd's whole command line (without the program name).
    pub args: Vec<String>,
    child: Option<Child>,
    /// The TCP address it serves instead of a unix socket (`start_tcp_only`).
    tcp: Option<String>,
}

impl PrivateDaemon {
    /// Starts dockerd with `config` as its config file and `extra` on the command line, or
    /// returns None (skip) when this machine cannot run one and CI is not set.
    pub fn start(name: &str, config: &str, extra: &[&str]) -> Option<PrivateDaemon> {
        Self::start_with(name, config, extra, None)
    }

    /// Like `start`, but the daemon serves only `tcp://127.0.0.1:PORT` (in its network
    /// namespace): no unix socket at all.
    pub fn start_tcp_only(name: &str, config: &str, port: u16) -> Option<PrivateDaemon> {
        Self::start_with(name, config, &[], Some(format!("tcp://127.0.0.1:{port}")))
    }

    fn start_with(
        name: &str,
        config: &str,
        extra: &[&str],
        tcp: Option<String>,
    ) -> Option<PrivateDaemon> {
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
        let d = dir.display();
        let mut args: Vec<String> = vec![
            format!("--config-file={d}/daemon.json"),
            format!("--data-root={d}/data"),
            format!("--exec-root={d}/exec"),
            format!("--pidfile={d}/dockerd.pid"),
            match &tcp {
                Some(address) => format!("--host={address}"),
                None => format!("--host=unix://{d}/d.sock"),
            },
            "--bridge=none".into(),
            "--iptables=false".into(),
            "--ip6tables=false".into(),
            // Its own containerd (started below, in the same network namespace): not the
            // machine's, which the shared daemon uses.
            format!("--containerd={d}/ctd.sock"),
            format!("--containerd-namespace=dbd-{name}"),
            format!("--containerd-plugins-namespace=dbd-{name}-plugins"),
            "--storage-driver=vfs".into(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        std::fs::write(
            dir.join("containerd.toml"),
            format!(
                "version = 2\nroot = \"{d}/containerd\"\nstate = \"{d}/containerd-state\"\n\
                 disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n\
                 [grpc]\n  address = \"{d}/ctd.sock\"\n[ttrpc]\n  address = \"{d}/ctd.sock.ttrpc\"\n\
                 [debug]\n  address = \"\"\n[metrics]\n  address = \"\"\n"
            ),
        )
        .unwrap();
        // Loopback up in the new namespace, so a test can have dockerd listen on 127.0.0.1
        // and reach it from inside (`in_netns`); containerd in the background (its PID in
        // containerd.pid, for `stop`), dockerd once containerd's socket is there.
        let script = format!(
            "ip link set lo up && \
             {{ containerd --config {d}/containerd.toml >{d}/containerd.log 2>&1 & echo $! >{d}/containerd.pid; }} && \
             i=0; while [ ! -S {d}/ctd.sock ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; \
             exec dockerd \"$@\""
        );
        let log = std::fs::File::create(dir.join("dockerd.log")).unwrap();
        let child = Command::new("unshare")
            .args(["--net", "--", "sh", "-c", &script, "sh"])
            .args(&args)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("start dockerd");
        let daemon = PrivateDaemon {
            dir,
            args,
            child: Some(child),
            tcp,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if daemon.docker(&["version"]).status.success() {
                return Some(daemon);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = std::fs::read_to_string(daemon.dir.join("dockerd.log")).unwrap_or_default();
        panic!("private dockerd did not start:\n{log}");
    }

    /// dockerd's PID (`sh` execs it).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// A command run in dockerd's network namespace (its TCP listeners are only there).
    pub fn in_netns(&self, program: &Path) -> Command {
        let mut cmd = Command::new("nsenter");
        cmd.arg(format!("--net=/proc/{}/ns/net", self.pid()))
            .arg("--")
            .arg(program);
        cmd
    }

    pub fn address(&self) -> String {
        match &self.tcp {
            Some(address) => address.clone(),
            None => format!("unix://{}/d.sock", self.dir.display()),
        }
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.join("daemon.json")
    }

    pub fn docker(&self, args: &[&str]) -> Output {
        // A TCP-only daemon is reached in its network namespace (nothing listens outside).
        let mut cmd = match &self.tcp {
            Some(_) => self.in_netns(Path::new("docker")),
            None => Command::new("docker"),
        };
        cmd.args(["-H", &self.address()])
            .args(args)
            .output()
            .unwrap()
    }

    #[track_caller]
    pub fn docker_ok(&self, args: &[&str]) {
        let out = self.docker(args);
        assert!(
            out.status.success(),
            "docker {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops dockerd (SIGTERM, as systemd would) and waits for it, then its containerd and
    /// the shims of its containers.
    pub fn stop(&mut self) {
        self.stop_dockerd();
        if let Some(pid) = std::fs::read_to_string(self.dir.join("containerd.pid"))
            .ok()
            .and_then(|p| p.trim().parse::<i32>().ok())
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
            let deadline = Instant::now() + Duration::from_secs(30);
            while Path::new(&format!("/proc/{}", pid.as_raw_nonzero())).exists()
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = std::fs::remove_file(self.dir.join("containerd.pid"));
        }
        // Shims outlive containerd by design; ours name this directory on their command line.
        let needle = self.dir.display().to_string();
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
            let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            if comm.trim() == "containerd-shim"
                && String::from_utf8_lossy(&cmdline).contains(&needle)
                && let Some(pid) = e
                    .file_name()
                    .to_str()
                    .and_then(|p| p.parse::<i32>().ok())
                    .and_then(rustix::process::Pid::from_raw)
            {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
            }
        }
    }

    fn stop_dockerd(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if child.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateDaemon {
    fn drop(&mut self) {
        self.stop();
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
