//! The engine matrix: a container engine of a given kind and version started for one test,
//! with its own containerd (Docker) or storage (Podman), data root, exec root, socket and
//! network namespace, stopped and removed again when the `Engine` drops (also when the test
//! panics). The machine's shared daemon (/var/run/docker.sock) is never touched: Docker 20.10
//! is a private instance of the machine's own binaries. The newer engines come unpacked from
//! Debian packages by scripts/fetch-engines.sh (cache: $DOCKBENCH_ENGINES, default
//! /var/cache/dockbench-engines), which this harness runs when the cache lacks one; every
//! Docker uses the machine's runc.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// An engine of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// The machine's dockerd 20.10 and containerd 1.6 (API 1.41), overlay2.
    Docker20,
    /// docker.io 26.1 + containerd 1.7 from Debian trixie (API 1.45), overlay2.
    Docker26,
    /// docker.io 28.5 + containerd 2.1 from Debian sid (API 1.51), overlay2 (the classic store).
    Docker28,
    /// Docker 28.5 with `"features": {"containerd-snapshotter": true}`: the containerd image
    /// store (overlayfs snapshotter), as fresh Docker 29 installs have it by default.
    Docker28Containerd,
    /// Debian 12's podman 4.3 serving the Docker-compatible API (`podman system service`).
    Podman4,
    /// podman 5.4 from Debian trixie, chrooted into a minimal trixie root (it needs glibc
    /// 2.38; the machine has 2.36).
    Podman5,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Docker20,
        Kind::Docker26,
        Kind::Docker28,
        Kind::Docker28Containerd,
        Kind::Podman4,
        Kind::Podman5,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Docker20 => "docker-20.10",
            Kind::Docker26 => "docker-26",
            Kind::Docker28 => "docker-28",
            Kind::Docker28Containerd => "docker-28-containerd",
            Kind::Podman4 => "podman-4",
            Kind::Podman5 => "podman-5",
        }
    }

    /// The directory of the fetch script's cache this engine comes from (None: the machine's).
    fn package(self) -> Option<&'static str> {
        match self {
            Kind::Docker20 | Kind::Podman4 => None,
            Kind::Docker26 => Some("docker-26"),
            Kind::Docker28 | Kind::Docker28Containerd => Some("docker-28"),
            Kind::Podman5 => Some("podman-5-root"),
        }
    }

    pub fn is_podman(self) -> bool {
        matches!(self, Kind::Podman4 | Kind::Podman5)
    }

    /// The image store a scan should name (`host.image_store` of the report).
    pub fn image_store(self) -> &'static str {
        match self {
            Kind::Docker28Containerd => "containerd (overlayfs)",
            Kind::Podman4 | Kind::Podman5 => "containers/storage (overlay)",
            _ => "graphdriver (overlay2)",
        }
    }

    /// The API version the engine speaks at most (`/version` ApiVersion).
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::Docker20 | Kind::Podman4 => "1.41",
            Kind::Docker26 => "1.45",
            Kind::Docker28 | Kind::Docker28Containerd => "1.51",
            Kind::Podman5 => "1.41",
        }
    }
}

/// The cache of unpacked engines.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("DOCKBENCH_ENGINES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/dockbench-engines"))
}

/// The unpacked package directory of `name`, fetched first when the cache lacks it (under a
/// lock: parallel test processes wait for one fetch).
pub fn fetched(name: &str) -> Result<PathBuf, String> {
    let dir = cache_dir().join(name);
    let lock_path = std::env::temp_dir().join("dockbench-fetch-engines.lock");
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("{}: {e}", lock_path.display()))?;
    lock.lock().map_err(|e| format!("lock: {e}"))?;
    if dir.join(".done").exists() {
        return Ok(dir);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-engines.sh");
    let out = Command::new(&script)
        .arg(name)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !out.status.success() || !dir.join(".done").exists() {
        return Err(format!(
            "scripts/fetch-engines.sh {name} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(dir)
}

/// A running engine of the test's own.
pub struct Engine {
    pub kind: Kind,
    /// Everything of this engine lives below it: configs, data, state, sockets, logs.
    pub dir: PathBuf,
    /// The daemon's command line (dockerd's or podman's, without the program).
    pub args: Vec<String>,
    /// The engine's containerd data root (Docker only).
    pub containerd_root: Option<PathBuf>,
    /// Processes started, in start order; stopped in reverse order.
    children: Vec<(String, Child)>,
    /// Holds the network namespace every process of this engine joins.
    netns: Option<Child>,
}

fn usable_here() -> Result<(), String> {
    if !rustix::process::geteuid().is_root() {
        return Err("tests that start engines run as root".into());
    }
    for tool in ["unshare", "nsenter", "docker"] {
        if Command::new(tool).arg("--version").output().is_err() {
            return Err(format!("{tool} is not installed"));
        }
    }
    Ok(())
}

impl Engine {
    /// Starts an engine of `kind`, or says why it cannot run on this machine.
    pub fn start(kind: Kind, name: &str) -> Result<Engine, String> {
        Engine::start_configured(kind, name, serde_json::Map::new())
    }

    /// Like `start`, with `settings` added to dockerd's daemon.json (Docker only).
    pub fn start_configured(
        kind: Kind,
        name: &str,
        settings: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Engine, String> {
        // Unix socket paths must stay short: the directory directly under /tmp.
        let dir = PathBuf::from(format!("/tmp/dbe-{name}-{}", std::process::id()));
        Engine::start_full(kind, dir, settings)
    }

    /// Starts an engine of `kind` whose files all live below `dir` (made afresh).
    pub fn start_in(kind: Kind, dir: PathBuf) -> Result<Engine, String> {
        Engine::start_full(kind, dir, serde_json::Map::new())
    }

    fn start_full(
        kind: Kind,
        dir: PathBuf,
        settings: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Engine, String> {
        usable_here()?;
        static REAPED: std::sync::Once = std::sync::Once::new();
        REAPED.call_once(reap_stale);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let mut engine = Engine {
            kind,
            dir,
            args: Vec::new(),
            containerd_root: None,
            children: Vec::new(),
            netns: None,
        };
        engine.enter_netns()?;
        if kind.is_podman() {
            engine.start_podman()?;
        } else {
            engine.start_docker(settings)?;
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if engine.docker(&["version"]).status.success() {
                return Ok(engine);
            }
            if let Some(exited) = engine.exited() {
                return Err(format!("{exited}\n{}", engine.logs()));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "{} did not answer within 60 s\n{}",
            kind.name(),
            engine.logs()
        ))
    }

    /// Starts `kind` and panics when it cannot: in CI every engine of the matrix must run.
    #[track_caller]
    pub fn must_start(kind: Kind, name: &str) -> Engine {
        Engine::start(kind, name).unwrap_or_else(|e| panic!("{} did not start: {e}", kind.name()))
    }

    /// A namespace holder: `unshare --net` running `sleep`, its loopback up.
    fn enter_netns(&mut self) -> Result<(), String> {
        let child = Command::new("unshare")
            .args(["--net", "--", "sleep", "86400"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("unshare: {e}"))?;
        let pid = child.id();
        self.netns = Some(child);
        // Recorded until `stop`: a test killed before it (SIGKILL, a timeout) leaves its
        // engine to the next test process's `reap_stale`.
        let me = std::process::id();
        let record = format!(
            "{me} {} {} {}\n",
            start_time(me).unwrap_or(0),
            start_time(pid).unwrap_or(0),
            self.dir.display()
        );
        let _ = std::fs::create_dir_all(holders_dir());
        let _ = std::fs::write(holders_dir().join(pid.to_string()), record);
        // unshare execs sleep once the namespace exists.
        let own = std::fs::read_link("/proc/self/ns/net").ok();
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::fs::read_link(format!("/proc/{pid}/ns/net")).ok() == own {
            if Instant::now() > deadline {
                return Err("unshare --net did not make a namespace".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self
            .in_netns("ip")
            .args(["link", "set", "lo", "up"])
            .status();
        Ok(())
    }

    /// A command run in the engine's network namespace.
    fn in_netns(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let pid = self.netns.as_ref().map(|c| c.id()).unwrap_or(0);
        let mut cmd = Command::new("nsenter");
        cmd.arg(format!("--net=/proc/{pid}/ns/net"))
            .arg("--")
            .arg(program);
        cmd
    }

    fn spawn(&mut self, what: &str, mut cmd: Command) -> Result<(), String> {
        let log = std::fs::File::create(self.dir.join(format!("{what}.log")))
            .map_err(|e| e.to_string())?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{what}: {e}"))?;
        self.children.push((what.to_string(), child));
        Ok(())
    }

    fn exited(&mut self) -> Option<String> {
        for (what, child) in &mut self.children {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(format!("{what} exited: {status}"));
            }
        }
        None
    }

    /// The engine's logs, for a failure message.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for (what, _) in &self.children {
            let text =
                std::fs::read_to_string(self.dir.join(format!("{what}.log"))).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(30).collect();
            out.push_str(&format!("--- {what}.log (last lines)\n"));
            for l in tail.into_iter().rev() {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }

    /// containerd + dockerd: containerd with its own root, state and socket (no CRI), dockerd
    /// with `--containerd=` that socket and its own data root, exec root, pid file and socket.
    fn start_docker(
        &mut self,
        settings: serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), String> {
        let (bin, sbin) = match self.kind.package() {
            Some(p) => {
                let root = fetched(p)?;
                (root.join("usr/bin"), root.join("usr/sbin"))
            }
            None => (PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")),
        };
        let d = self.dir.display().to_string();
        let root = self.dir.join("containerd");
        std::fs::write(
            self.dir.join("containerd.toml"),
            format!(
                "version = 2\nroot = \"{d}/containerd\"\nstate = \"{d}/containerd-state\"\n\
                 disabled_plugins = [\"io.containerd.grpc.v1.cri\", \"io.containerd.cri.v1.images\", \"io.containerd.cri.v1.runtime\"]\n\
                 [grpc]\n  address = \"{d}/ctd.sock\"\n[ttrpc]\n  address = \"{d}/ctd.sock.ttrpc\"\n\
                 [debug]\n  address = \"\"\n[metrics]\n  address = \"\"\n"
            ),
        )
        .map_err(|e| e.to_string())?;
        self.containerd_root = Some(root);
        // The engine's own shim first, then the machine's runc and tools.
        let path = format!(
            "{}:{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            bin.display(),
            sbin.display()
        );
        let mut ctd = self.in_netns(bin.join("containerd"));
        ctd.args(["--config", &format!("{d}/containerd.toml")])
            .env("PATH", &path);
        self.spawn("containerd", ctd)?;
        let sock = self.dir.join("ctd.sock");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !sock.exists() {
            if let Some(e) = self.exited() {
                return Err(format!("{e}\n{}", self.logs()));
            }
            if Instant::now() > deadline {
                return Err(format!("containerd did not start\n{}", self.logs()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut config = match self.kind {
            Kind::Docker28Containerd => serde_json::json!({
                "features": {"containerd-snapshotter": true},
                "storage-driver": "overlayfs"
            }),
            _ => serde_json::json!({"storage-driver": "overlay2"}),
        };
        config.as_object_mut().unwrap().extend(settings);
        std::fs::write(self.dir.join("daemon.json"), config.to_string())
            .map_err(|e| e.to_string())?;
        self.args = vec![
            format!("--config-file={d}/daemon.json"),
            format!("--containerd={d}/ctd.sock"),
            format!("--data-root={d}/data"),
            format!("--exec-root={d}/exec"),
            format!("--pidfile={d}/dockerd.pid"),
            format!("--host=unix://{d}/d.sock"),
            "--bridge=none".into(),
            "--iptables=false".into(),
            "--ip6tables=false".into(),
        ];
        let mut dockerd = self.in_netns(sbin.join("dockerd"));
        dockerd.args(&self.args).env("PATH", &path);
        self.spawn("dockerd", dockerd)
    }

    /// `podman system service` on a socket of its own, with its own storage (overlay), run
    /// root, tmp dir and configuration files, all below the engine's directory. Podman 4.3
    /// is the machine's; podman 5 runs chrooted into the trixie root of the fetch script
    /// (`chrooted_podman`).
    fn start_podman(&mut self) -> Result<(), String> {
        let d = self.dir.display().to_string();
        let chroot = match self.kind.package() {
            Some(p) => Some(fetched(p)?),
            None => None,
        };
        // Rootful podman gives containers RLIMIT_NOFILE 1048576 and RLIMIT_NPROC 4194304,
        // which runc cannot set above the service's own hard limits without CAP_SYS_RESOURCE
        // (the test runner here has 20000 and 96365, and not the capability): ask for less.
        // An NPROC of the hard limit, or half of it, still failed in runc's init here; 4096 works.
        let hard = |r| rustix::process::getrlimit(r).maximum.unwrap_or(1 << 20);
        let nofile = hard(rustix::process::Resource::Nofile);
        let nproc = hard(rustix::process::Resource::Nproc).min(4096);
        std::fs::write(
            self.dir.join("storage.conf"),
            format!(
                "[storage]\ndriver = \"overlay\"\nrunroot = \"{d}/run\"\ngraphroot = \"{d}/storage\"\n"
            ),
        )
        .map_err(|e| e.to_string())?;
        // This machine's cgroups are v1 (hybrid), which crun refuses: podman 5 uses the
        // root's runc (trixie's; the machine's runc is podman 4's).
        let runtime = if chroot.is_some() {
            "runtime = \"runc\"\n"
        } else {
            ""
        };
        std::fs::write(
            self.dir.join("containers.conf"),
            format!(
                "[engine]\n{runtime}cgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n\
                 events_logfile_path = \"{d}/events.log\"\ntmp_dir = \"{d}/tmp\"\n\
                 static_dir = \"{d}/storage/libpod\"\nvolume_path = \"{d}/storage/volumes\"\n\
                 image_copy_tmp_dir = \"{d}/tmp\"\n\
                 [network]\nnetwork_config_dir = \"{d}/net\"\n\
                 [containers]\ndefault_ulimits = [\"nofile={nofile}:{nofile}\", \"nproc={nproc}:{nproc}\"]\n"
            ),
        )
        .map_err(|e| e.to_string())?;
        std::fs::write(self.dir.join("registries.conf"), "").map_err(|e| e.to_string())?;
        self.args = vec![
            format!("--root={d}/storage"),
            format!("--runroot={d}/run"),
            format!("--tmpdir={d}/tmp"),
            "system".into(),
            "service".into(),
            "--time=0".into(),
            format!("unix://{d}/d.sock"),
        ];
        let mut cmd = match &chroot {
            Some(root) => self.chrooted_podman(root),
            None => self.in_netns("podman"),
        };
        cmd.args(&self.args)
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("CONTAINERS_CONF", self.dir.join("containers.conf"))
            .env("CONTAINERS_STORAGE_CONF", self.dir.join("storage.conf"))
            .env(
                "CONTAINERS_REGISTRIES_CONF",
                self.dir.join("registries.conf"),
            );
        self.spawn("podman", cmd)
    }

    /// podman 5 chrooted into `root` (the fetch script's trixie root: its glibc, conmon,
    /// runc, netavark), in a mount namespace of its own so that every mount below vanishes
    /// with it: the root bound read-only onto itself (the cache stays as fetched), /proc,
    /// /sys and /dev bound in, tmpfs on /run, /tmp and /var/tmp, and the engine's directory
    /// bound in at its own path — the socket, storage and configuration are reached from
    /// outside at the same paths. `/var/run/docker.sock` inside is an empty file (the set's
    /// docker.sock container needs a source to be created; the machine's socket is not lent).
    /// The command execs down to podman: the child's PID is podman's.
    fn chrooted_podman(&self, root: &Path) -> Command {
        let script = r#"set -e
r=$1 d=$2
shift 2
mount --bind "$r" "$r"
mount -o remount,bind,ro "$r"
mount --rbind /proc "$r/proc"
mount --rbind /sys "$r/sys"
mount --rbind /dev "$r/dev"
mount -t tmpfs -o mode=755 tmpfs "$r/run"
mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
mount -t tmpfs -o mode=1777 tmpfs "$r/var/tmp"
: >"$r/run/docker.sock"
mkdir -p "$r$d"
mount --bind "$d" "$r$d"
exec chroot "$r" /usr/bin/podman "$@"
"#;
        let mut cmd = self.in_netns("unshare");
        cmd.args([
            "--mount",
            "--propagation",
            "private",
            "--",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .arg(root)
        .arg(&self.dir);
        cmd
    }

    pub fn address(&self) -> String {
        format!("unix://{}/d.sock", self.dir.display())
    }

    pub fn docker(&self, args: &[&str]) -> Output {
        Command::new("docker")
            .args(["-H", &self.address()])
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs the docker CLI against this engine; panics with its stderr on failure.
    #[track_caller]
    pub fn docker_ok(&self, args: &[&str]) -> String {
        let out = self.docker(args);
        assert!(
            out.status.success(),
            "{} docker {args:?}: {}",
            self.kind.name(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Imports `rootfs` (a directory) as image `tag` with `CMD ["sleep","3600"]`.
    pub fn import(&self, rootfs: &Path, tag: &str) {
        let mut tar = Command::new("tar")
            .arg("-C")
            .arg(rootfs)
            .args(["--numeric-owner", "-c", "."])
            .stdout(Stdio::piped())
            .spawn()
            .expect("tar");
        let out = Command::new("docker")
            .args([
                "-H",
                &self.address(),
                "import",
                "--change",
                r#"CMD ["sleep","3600"]"#,
                "-",
                tag,
            ])
            .stdin(tar.stdout.take().unwrap())
            .output()
            .unwrap();
        assert!(tar.wait().unwrap().success());
        assert!(
            out.status.success(),
            "{} import: {}",
            self.kind.name(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops the engine's processes, newest first (SIGTERM, then SIGKILL after 30 s), and the
    /// namespace holder.
    pub fn stop(&mut self) {
        while let Some((_, mut child)) = self.children.pop() {
            let _ = rustix::process::kill_process(
                rustix::process::Pid::from_raw(child.id() as i32).unwrap(),
                rustix::process::Signal::TERM,
            );
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        // Shims outlive containerd by design; ours are those whose socket or bundle is here.
        kill_shims(&self.dir);
        if let Some(mut ns) = self.netns.take() {
            let _ = std::fs::remove_file(holders_dir().join(ns.id().to_string()));
            let _ = ns.kill();
            let _ = ns.wait();
        }
    }

    /// The PID of the process holding the engine's network namespace.
    pub fn holder_pid(&self) -> Option<u32> {
        self.netns.as_ref().map(|c| c.id())
    }

    /// The PIDs of the engine's processes (containerd, dockerd or podman), in start order.
    pub fn pids(&self) -> Vec<u32> {
        self.children.iter().map(|(_, c)| c.id()).collect()
    }
}

/// Where each running engine's namespace holder is recorded (`<holder PID>`: the test
/// process's PID and start time, the holder's start time, the engine's directory).
fn holders_dir() -> PathBuf {
    std::env::temp_dir().join("dbe-holders")
}

/// A process's start time (`/proc/PID/stat` field 22, clock ticks since boot): a PID with
/// another start time is another process (PIDs are reused).
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()
}

/// Stops the engines of test processes that died without stopping them (SIGKILL, a
/// timeout): every process in such an engine's network namespace (containerd, dockerd,
/// podman, shims, `--network host` containers), its shims and conmons, its namespace holder;
/// then its mounts and directory. An engine whose test process still runs is left alone.
/// Run once per test process, before its first engine starts.
pub fn reap_stale() {
    let Ok(entries) = std::fs::read_dir(holders_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let Some(holder) = e.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let record = std::fs::read_to_string(e.path()).unwrap_or_default();
        let f: Vec<&str> = record.trim_end().splitn(4, ' ').collect();
        let [owner, owner_start, holder_start, dir] = f[..] else {
            let _ = std::fs::remove_file(e.path());
            continue;
        };
        let alive = |pid: &str, start: &str| {
            pid.parse::<u32>()
                .ok()
                .and_then(start_time)
                .is_some_and(|t| t.to_string() == start)
        };
        if alive(owner, owner_start) {
            continue;
        }
        if alive(&holder.to_string(), holder_start) {
            let kill = |pid: i32| {
                if let Some(p) = rustix::process::Pid::from_raw(pid) {
                    let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
                }
            };
            if let Ok(ns) = std::fs::read_link(format!("/proc/{holder}/ns/net")) {
                for p in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                    let Some(pid) = p.file_name().to_str().and_then(|p| p.parse::<i32>().ok())
                    else {
                        continue;
                    };
                    if pid as u32 != holder
                        && std::fs::read_link(p.path().join("ns/net")).ok().as_ref() == Some(&ns)
                    {
                        kill(pid);
                    }
                }
            }
            kill_shims(Path::new(dir));
            kill(holder as i32);
        }
        unmount_below(Path::new(dir));
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::fs::remove_file(e.path());
    }
}

/// Unmounts what is mounted below `dir` in our mount namespace, deepest first (dockerd and
/// containerd mount below their roots).
fn unmount_below(dir: &Path) {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let mut ours: Vec<&str> = mounts
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|m| Path::new(m).starts_with(dir))
        .collect();
    ours.sort_by_key(|m| std::cmp::Reverse(m.len()));
    for m in ours {
        let _ = Command::new("umount").arg("-l").arg(m).status();
    }
}

/// Kills containerd shims (and podman's conmon) started for `dir`: their command line
/// names a path below it.
fn kill_shims(dir: &Path) {
    let needle = dir.display().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
        if matches!(
            comm.trim(),
            "containerd-shim" | "containerd-shim-runc-v2" | "conmon"
        ) && cmdline.contains(&needle)
            && let Some(p) = rustix::process::Pid::from_raw(pid)
        {
            let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.stop();
        unmount_below(&self.dir);
        if std::env::var_os("DOCKBENCH_KEEP_ENGINE").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A busybox-static root file system for the matrix's image: a shell and a few applets, a
/// netcat link (CIS 4.3), a setuid copy of busybox as `/bin/su` (CIS 4.8), a passwd file.
pub fn busybox_rootfs(dir: &Path) {
    let busybox = Path::new("/bin/busybox");
    assert!(
        busybox.exists(),
        "/bin/busybox is missing: apt-get install busybox-static"
    );
    for d in ["bin", "etc", "tmp", "usr/sbin"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    std::fs::copy(busybox, dir.join("bin/busybox")).unwrap();
    for applet in ["sh", "sleep", "cat", "ls", "true", "nc"] {
        std::os::unix::fs::symlink("busybox", dir.join("bin").join(applet)).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    let su = dir.join("bin/su");
    std::fs::copy(busybox, &su).unwrap();
    std::fs::set_permissions(&su, std::fs::Permissions::from_mode(0o4755)).unwrap();
    std::fs::write(
        dir.join("etc/passwd"),
        "root:x:0:0:root:/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n",
    )
    .unwrap();
}
