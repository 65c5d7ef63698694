//! The scan's target: which engine answered, and whether the process serving the scanned
//! address runs on this host. "Local" is proven, never assumed: the listening socket (a unix
//! socket's inode in `net/unix`, a TCP port's in `net/tcp{,6}`) is found, then the process
//! holding it (`/proc/PID/fd/* -> socket:[inode]`). Only then are that process's command
//! line and this host's files the daemon's own.
use std::collections::BTreeSet;
use std::net::{IpAddr, ToSocketAddrs, UdpSocket};
use std::path::Path;

use super::connect::{Address, Endpoint};
use super::procs::ProcTable;
use crate::snapshot::Target;

/// The `Host.Files` roles that are dockerd's own (its binaries and containerd's, unit files,
/// config files, TLS files, containerd's socket): for Podman they are "not applicable to
/// Podman". `docker.sock` (the scanned socket), `data-root` (the engine's storage) and `runc`
/// (Podman's OCI runtime too) apply to both.
pub const DOCKERD_ONLY_ROLES: &[&str] = &[
    "dockerd",
    "containerd",
    "containerd-shim",
    "containerd-shim-runc-v1",
    "containerd-shim-runc-v2",
    "docker.service",
    "docker.socket",
    "containerd.sock",
    "daemon.json",
    "certs.d",
    "/run/containerd",
    "/etc/docker",
    "/etc/default/docker",
    "/etc/sysconfig/docker",
    "/etc/containerd/config.toml",
    "tlscacert",
    "tlscert",
    "tlskey",
];

/// The process serving the scanned address on this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub pid: u64,
    /// argv, argv[0] first.
    pub argv: Vec<String>,
    /// Unix socket paths it listens on (`net/unix`, in its own network namespace).
    pub sockets: Vec<String>,
    /// Everything it listens on (`tcp://…`, `unix://…`, from
    /// `daemon_config::listening_sockets`: its descriptors read once), or why that could not
    /// be read.
    pub listening: Result<Vec<String>, String>,
    /// Basename of the program it runs (`/proc/PID/exe`, which argv cannot fake); None when
    /// that link cannot be read (no permission, PID unknown).
    pub exe: Option<String>,
    /// Its root directory (`/proc/PID/root`, as the kernel names it) when that is neither
    /// ours nor the host init's: a daemon in a chroot or a container of its own, whose files
    /// (configuration, binaries, storage paths) are not at this host's paths. None when it
    /// is ours, the host's (dockbench in a container with the host's PID namespace, whose
    /// mounts lend it the host's files), or cannot be told (PID unknown or unreadable).
    pub other_root: Option<String>,
}

impl Server {
    /// Basename of argv[0] (`dockerd`, `podman`).
    pub fn program(&self) -> &str {
        self.argv
            .first()
            .map(|a| a.rsplit('/').next().unwrap_or(a))
            .unwrap_or("")
    }

    /// What the process runs, as proof of the engine: the executable's basename when
    /// readable, else argv[0]'s.
    pub fn identity(&self) -> &str {
        self.exe.as_deref().unwrap_or_else(|| self.program())
    }

    /// The real UID the process runs as (`/proc/PID/status` `Uid:`, host view); None when
    /// its PID is unknown or the file unreadable.
    pub fn uid(&self, proc_root: &Path) -> Option<i64> {
        if self.pid == 0 {
            return None;
        }
        let status =
            std::fs::read_to_string(proc_root.join(self.pid.to_string()).join("status")).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }
}

/// The inodes of the listening sockets of `endpoint` visible from `proc_root` (`/proc`), or
/// why there are none (the daemon is then treated as remote, and nothing else of /proc is
/// read): an ssh address, an address of another host, no listener.
pub fn listening_inodes(proc_root: &Path, endpoint: &Endpoint) -> Result<BTreeSet<u64>, String> {
    let inodes: BTreeSet<u64> = match &endpoint.address {
        Address::Unix(path) => unix_listeners_any_netns(proc_root, &path.to_string_lossy()),
        Address::Tcp { host, port } => {
            let ips = local_ips(host)?;
            tcp_listeners(&proc_root.join("self"), &ips, *port)
        }
        Address::Ssh(t) => {
            return Err(format!(
                "reached through ssh to {}: the daemon runs on that host",
                t.host
            ));
        }
    };
    if inodes.is_empty() {
        return Err(format!(
            "no listening socket for {} is visible on this host",
            endpoint.url()
        ));
    }
    Ok(inodes)
}

/// Finds the process holding one of `inodes` (`listening_inodes` of `endpoint`) among the
/// processes of `table`, or says why none was found (the daemon is then treated as remote).
pub fn serving_process(
    table: &ProcTable,
    endpoint: &Endpoint,
    inodes: &BTreeSet<u64>,
) -> Result<Server, String> {
    let proc_root = table.root();
    let Some((holder, held)) = holder(table, inodes) else {
        // A unix socket listed here is served here, but its holder's fds may be unreadable
        // (a container without CAP_SYS_PTRACE, a docker-group user): take the dockerd that
        // discovery ranks first for that socket, PID unknown (0) — only when its flags name
        // that socket (a forwarder's socket elsewhere is not the daemon's).
        if let Address::Unix(path) = &endpoint.address {
            let path = path.to_string_lossy();
            let pids: Vec<u64> = table.pids().filter_map(|p| u64::try_from(p).ok()).collect();
            if let Some(args) =
                super::daemon_config::find_dockerd_args_among(proc_root, &pids, Some(&path))
                    .filter(|args| super::daemon_config::names_socket(args, &path))
            {
                let mut argv = vec!["dockerd".to_string()];
                argv.extend(args);
                return Ok(Server {
                    pid: 0,
                    argv,
                    sockets: vec![path.into_owned()],
                    listening: Err("the serving process's descriptors cannot be read".into()),
                    exe: None,
                    other_root: None,
                });
            }
        }
        return Err(format!(
            "the process listening on {} is not visible here (another PID namespace, or no permission)",
            endpoint.url()
        ));
    };
    // A rootless daemon's TCP port is held on the host side by rootlesskit's port driver:
    // the daemon is the dockerd it runs (its child's child), when there is one.
    let pid = match exe_name(&proc_root.join(holder.to_string())).as_deref() {
        Some("rootlesskit") => engine_descendant(proc_root, holder).unwrap_or(holder),
        _ => holder,
    };
    let dir = proc_root.join(pid.to_string());
    let argv: Vec<String> = std::fs::read(dir.join("cmdline"))
        .unwrap_or_default()
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    // The holder's descriptors were read to find it: not a second time.
    let listening = match held {
        Some(held) if pid == holder => super::daemon_config::listening_sockets_among(&dir, &held),
        _ => super::daemon_config::listening_sockets(proc_root, pid),
    };
    let sockets = listening
        .as_ref()
        .map(|l| {
            l.iter()
                .filter_map(|a| a.strip_prefix("unix://"))
                .filter(|p| p.starts_with('/'))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(Server {
        pid,
        argv,
        sockets,
        listening,
        exe: exe_name(&dir),
        other_root: other_root(proc_root, pid),
    })
}

/// The first dockerd or podman among the descendants of `pid` (three generations, from
/// `/proc/PID/task/*/children`).
fn engine_descendant(proc_root: &Path, pid: u64) -> Option<u64> {
    let children = |p: u64| -> Vec<u64> {
        let tasks = proc_root.join(p.to_string()).join("task");
        std::fs::read_dir(tasks)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
            .flat_map(|c| {
                c.split_whitespace()
                    .filter_map(|n| n.parse().ok())
                    .collect::<Vec<u64>>()
            })
            .collect()
    };
    let mut generation = vec![pid];
    for _ in 0..3 {
        generation = generation.into_iter().flat_map(children).collect();
        if let Some(found) = generation.iter().copied().find(|c| {
            matches!(
                exe_name(&proc_root.join(c.to_string())).as_deref(),
                Some("dockerd" | "podman")
            )
        }) {
            return Some(found);
        }
    }
    None
}

/// Basename of `<pid_dir>/exe`'s target (" (deleted)" of a replaced binary dropped).
fn exe_name(pid_dir: &Path) -> Option<String> {
    let target = std::fs::read_link(pid_dir.join("exe")).ok()?;
    let target = target.to_string_lossy();
    let target = target.strip_suffix(" (deleted)").unwrap_or(&target);
    Some(target.rsplit('/').next().unwrap_or(target).to_string())
}

/// The root directory of process `pid` when it is neither the scanner's nor the host init's
/// (or kthreadd's; compared by device and inode of `/proc/PID/root`, which the kernel resolves to the
/// process's root whatever mount namespace it is in): its path as `readlink` gives it.
pub fn other_root(proc_root: &Path, pid: u64) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let id = |p: &str| {
        std::fs::metadata(proc_root.join(p).join("root"))
            .ok()
            .map(|m| (m.dev(), m.ino()))
    };
    let theirs = id(&pid.to_string())?;
    // kthreadd (PID 2) has the initial root too: PID 1's links may be closed to us (this
    // VM's init), and a scanner in a container with the host's PID namespace then still
    // recognises the host's root.
    if [id("self"), id("1"), id("2")].contains(&Some(theirs)) {
        return None;
    }
    let link = std::fs::read_link(proc_root.join(pid.to_string()).join("root"))
        .map(|l| l.display().to_string())
        .unwrap_or_else(|_| "unreadable".into());
    Some(link)
}

/// The IP addresses `host` names, when every one is an address of this host (a bind to it
/// succeeds; nothing is sent). A name that resolves elsewhere is remote.
fn local_ips(host: &str) -> Result<Vec<IpAddr>, String> {
    let ips: Vec<IpAddr> = (host, 0)
        .to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?
        .map(|a| a.ip())
        .collect();
    let local: Vec<IpAddr> = ips
        .iter()
        .copied()
        .filter(|ip| UdpSocket::bind((*ip, 0)).is_ok())
        .collect();
    if local.is_empty() {
        return Err(format!("{host} is not an address of this host"));
    }
    Ok(local)
}

/// Listening unix sockets bound to `path` in any network namespace: `net/unix` lists only
/// the reader's namespace, and a daemon in its own (`unshare --net`, rootlesskit) still serves
/// a socket file on the shared filesystem. One table per distinct namespace is read.
fn unix_listeners_any_netns(proc_root: &Path, path: &str) -> BTreeSet<u64> {
    let mut found = unix_listeners(&proc_root.join("self"), path);
    if !found.is_empty() {
        return found;
    }
    // The host's init (readable with --pid host even where namespace links are not).
    found.extend(unix_listeners(&proc_root.join("1"), path));
    if !found.is_empty() {
        return found;
    }
    // The engines' namespaces first (a daemon's socket is in its own), stopping at the first
    // table that lists the socket.
    let mut dirs: Vec<(bool, std::path::PathBuf)> = std::fs::read_dir(proc_root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(|e| (!is_engine(&e.path()), e.path()))
        .collect();
    dirs.sort();
    let mut seen = BTreeSet::new();
    for (_, dir) in dirs {
        let Ok(ns) = std::fs::read_link(dir.join("ns/net")) else {
            continue;
        };
        if seen.insert(ns) {
            found.extend(unix_listeners(&dir, path));
            if !found.is_empty() {
                break;
            }
        }
    }
    found
}

/// Is the process at `pid_dir` one of `ENGINE_COMMS`?
fn is_engine(pid_dir: &Path) -> bool {
    std::fs::read_to_string(pid_dir.join("comm"))
        .is_ok_and(|c| ENGINE_COMMS.contains(&c.trim_end()))
}

/// Inodes of listening unix sockets bound to `path` (`net/unix`: `Num RefCount Protocol Flags
/// Type St Inode Path`; flag 0x10000 = listening). /var/run → /run links compare resolved.
fn unix_listeners(proc_dir: &Path, path: &str) -> BTreeSet<u64> {
    let text = std::fs::read_to_string(proc_dir.join("net/unix")).unwrap_or_default();
    let wanted = std::fs::canonicalize(path).ok();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let bound = *f.get(7)?;
            let listening = u32::from_str_radix(f.get(3)?, 16).ok()? & 0x10000 != 0;
            let same =
                bound == path || wanted.is_some() && std::fs::canonicalize(bound).ok() == wanted;
            (listening && same).then(|| f[6].parse().ok()).flatten()
        })
        .collect()
}

/// Inodes of TCP sockets in LISTEN on `port` bound to one of `ips` or to the wildcard
/// address, from `<proc_dir>/net/tcp{,6}`.
fn tcp_listeners(proc_dir: &Path, ips: &[IpAddr], port: u16) -> BTreeSet<u64> {
    let Ok(process) = procfs::process::Process::new_with_root(proc_dir.to_path_buf()) else {
        return BTreeSet::new();
    };
    let v4 = process.tcp().unwrap_or_default();
    let v6 = process.tcp6().unwrap_or_default();
    v4.into_iter()
        .chain(v6)
        .filter(|e| e.state == procfs::net::TcpState::Listen && e.local_address.port() == port)
        .filter(|e| {
            let bound = e.local_address.ip();
            bound.is_unspecified()
                || ips
                    .iter()
                    .any(|ip| *ip == bound || mapped(bound) == Some(*ip))
        })
        .map(|e| e.inode)
        .collect()
}

fn mapped(ip: IpAddr) -> Option<IpAddr> {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
        IpAddr::V4(_) => None,
    }
}

/// Process names (`/proc/PID/comm`) that can serve the Engine API: the engines, and
/// rootlesskit, whose port driver holds a rootless daemon's TCP port on the host side.
const ENGINE_COMMS: &[&str] = &["dockerd", "podman", "rootlesskit"];

/// The lowest PID with one of `inodes` open, and when it is an engine's, the inodes of every
/// socket it has open (its listening sockets are among them). The engines' processes (by
/// `comm`, from the table's walk) are looked at first and the first holder among them wins;
/// only when none holds the socket are the other processes' descriptors read, to name the
/// forwarder or proxy that does. At 1,000 containers this reads the engine's descriptors
/// once instead of thousands of processes'.
fn holder(table: &ProcTable, inodes: &BTreeSet<u64>) -> Option<(u64, Option<BTreeSet<u64>>)> {
    let engines = table.pids_named_any(ENGINE_COMMS);
    for &pid in &engines {
        if let Ok(held) = super::daemon_config::open_socket_inodes(&table.dir(pid))
            && !held.is_disjoint(inodes)
        {
            return Some((u64::try_from(pid).ok()?, Some(held)));
        }
    }
    table
        .pids()
        .filter(|pid| !engines.contains(pid))
        .find(|pid| super::daemon_config::holds_socket(&table.dir(*pid), inodes))
        .and_then(|pid| Some((u64::try_from(pid).ok()?, None)))
}

/// "Docker" or "Podman", from `/version` (Podman names itself in `Components` and
/// `Platform.Name`: "Podman Engine").
pub fn engine(version: &serde_json::Value) -> &'static str {
    let podman = |v: &serde_json::Value| {
        v.as_str()
            .is_some_and(|s| s.to_ascii_lowercase().contains("podman"))
    };
    let in_components = version
        .get("Components")
        .and_then(|c| c.as_array())
        .is_some_and(|c| c.iter().any(|c| podman(&c["Name"])));
    if in_components || podman(&version["Platform"]["Name"]) {
        "Podman"
    } else {
        "Docker"
    }
}

/// The engine's own version: for Podman the "Podman Engine" component's (the top-level
/// `Version` of its Docker-compatible answer is not guaranteed to be Podman's), else the
/// top-level `Version`.
pub fn engine_version(version: &serde_json::Value) -> String {
    let top = version["Version"].as_str().unwrap_or("").to_string();
    if engine(version) != "Podman" {
        return top;
    }
    version["Components"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| {
            c["Name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("podman engine"))
        })
        .and_then(|c| c["Version"].as_str())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .unwrap_or(top)
}

/// The target of a live scan.
pub fn describe(
    endpoint: &Endpoint,
    version: &serde_json::Value,
    security_options: &[String],
    server: &Result<Server, String>,
) -> Target {
    let engine = engine(version);
    let rootless = security_options.iter().any(|o| o.contains("name=rootless"));
    Target {
        Engine: engine.to_string(),
        Version: engine_version(version),
        Rootless: Some(rootless),
        Address: endpoint.url(),
        Via: endpoint.via(),
        Context: endpoint.context.clone().unwrap_or_default(),
        Local: server.is_ok(),
        Pid: server.as_ref().map(|s| s.pid as i64).unwrap_or(0),
        Process: server
            .as_ref()
            .map(|s| s.identity().to_string())
            .unwrap_or_default(),
        LocalReason: match server {
            Ok(s) => format!("served by PID {} ({}) on this host", s.pid, s.identity()),
            Err(e) => e.clone(),
        },
        Sockets: server
            .as_ref()
            .map(|s| s.sockets.clone())
            .unwrap_or_default(),
        Uid: server
            .as_ref()
            .ok()
            .and_then(|s| s.uid(Path::new("/proc")))
            .unwrap_or(-1),
        ApiVersion: version["ApiVersion"].as_str().unwrap_or("").to_string(),
        // Filled from `/info` by the caller (content_store::image_store).
        ImageStore: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn podman_is_told_by_its_version_answer() {
        let podman = json!({"Version": "4.3.1", "ApiVersion": "1.41",
            "Platform": {"Name": "linux/amd64/debian-12"},
            "Components": [{"Name": "Podman Engine", "Version": "4.3.1"}]});
        assert_eq!(engine(&podman), "Podman");
        let docker = json!({"Version": "20.10.24", "Platform": {"Name": "Docker Engine - Community"},
            "Components": [{"Name": "Engine"}, {"Name": "containerd"}]});
        assert_eq!(engine(&docker), "Docker");
    }

    /// The header names Podman's own version, not the top-level one of its Docker-compatible
    /// answer (old: "Podman 1.41-compat").
    #[test]
    fn podman_version_is_the_podman_engine_components() {
        let podman = json!({"Version": "5.4.2-compat", "ApiVersion": "1.41",
            "Components": [{"Name": "Conmon", "Version": "2.1"},
                           {"Name": "Podman Engine", "Version": "5.4.2"}]});
        assert_eq!(engine_version(&podman), "5.4.2");
        let docker = json!({"Version": "28.5.1",
            "Components": [{"Name": "Engine", "Version": "28.5.1-x"}]});
        assert_eq!(engine_version(&docker), "28.5.1");
    }

    /// A process whose root is another directory (a chroot) has another root; one whose
    /// root is ours or init's has not. The proc tree is modelled with links, which `metadata`
    /// follows as the kernel's `/proc/PID/root` links are followed.
    #[test]
    fn a_process_in_a_chroot_has_another_root() {
        let proc_root = tempfile::tempdir().unwrap();
        let chroot = tempfile::tempdir().unwrap();
        for (pid, root) in [
            ("self", Path::new("/")),
            ("1", Path::new("/")),
            ("42", chroot.path()),
            ("7", Path::new("/")),
        ] {
            std::fs::create_dir(proc_root.path().join(pid)).unwrap();
            std::os::unix::fs::symlink(root, proc_root.path().join(pid).join("root")).unwrap();
        }
        assert_eq!(
            other_root(proc_root.path(), 42),
            Some(chroot.path().display().to_string())
        );
        assert_eq!(other_root(proc_root.path(), 7), None);
        // Unknown: not claimed to be elsewhere.
        assert_eq!(other_root(proc_root.path(), 99), None);
        // A scanner in a container with the host's PID namespace, where PID 1's root cannot
        // be read (this VM's init): the host's root is kthreadd's.
        let in_container = tempfile::tempdir().unwrap();
        for (pid, root) in [
            ("self", chroot.path()),
            ("2", Path::new("/")),
            ("12", Path::new("/")),
        ] {
            std::fs::create_dir(in_container.path().join(pid)).unwrap();
            std::os::unix::fs::symlink(root, in_container.path().join(pid).join("root")).unwrap();
        }
        std::fs::create_dir(in_container.path().join("1")).unwrap();
        assert_eq!(other_root(in_container.path(), 12), None);
        assert_eq!(
            other_root(Path::new("/proc"), std::process::id() as u64),
            None
        );
    }

    /// The engine holding the socket wins over a process with a lower PID that holds it too
    /// (a forwarder), and its descriptors come back with it (its listening sockets are read
    /// from them, not a second time); without an engine, the lowest holder.
    #[test]
    fn the_engine_holding_the_socket_is_the_holder() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for (pid, comm, sockets) in [
            (5, "socat", &[777u64][..]),
            (9, "dockerd", &[777, 778][..]),
            (12, "sleep", &[][..]),
        ] {
            let dir = root.join(pid.to_string());
            std::fs::create_dir_all(dir.join("fd")).unwrap();
            std::fs::write(dir.join("stat"), format!("{pid} ({comm}) S 1 1 1 0 -1")).unwrap();
            std::os::unix::fs::symlink("/dev/null", dir.join("fd/0")).unwrap();
            for (n, inode) in sockets.iter().enumerate() {
                let target = format!("socket:[{inode}]");
                std::os::unix::fs::symlink(target, dir.join(format!("fd/{}", n + 3))).unwrap();
            }
        }
        let table = ProcTable::scan(root, &root.join("cgroup")).unwrap();
        let (pid, held) = holder(&table, &BTreeSet::from([777])).unwrap();
        assert_eq!((pid, held), (9, Some(BTreeSet::from([777, 778]))));
        std::fs::remove_file(root.join("9/fd/3")).unwrap();
        assert_eq!(holder(&table, &BTreeSet::from([777])), Some((5, None)));
        assert_eq!(holder(&table, &BTreeSet::from([999])), None);
    }

    /// `serving_process` as the live scan runs it: the listeners, then the walk of /proc.
    fn serve(endpoint: &Endpoint) -> Result<Server, String> {
        let inodes = listening_inodes(Path::new("/proc"), endpoint)?;
        let table = ProcTable::scan(Path::new("/proc"), Path::new("/sys/fs/cgroup"))?;
        serving_process(&table, endpoint, &inodes)
    }

    #[test]
    fn a_socket_served_by_this_process_is_found_with_its_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.sock");
        let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let endpoint = Endpoint {
            address: Address::Unix(path.clone()),
            tls: None,
            context: None,
        };
        let server = serve(&endpoint).unwrap();
        assert_eq!(server.pid, std::process::id() as u64);
        assert!(
            server.sockets.contains(&path.display().to_string()),
            "{server:?}"
        );
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = Endpoint {
            address: Address::Tcp {
                host: "127.0.0.1".into(),
                port: tcp.local_addr().unwrap().port(),
            },
            tls: None,
            context: None,
        };
        assert_eq!(serve(&endpoint).unwrap().pid, std::process::id() as u64);
        // An address of another host is remote whatever listens here on that port.
        let far = Endpoint {
            address: Address::Tcp {
                host: "192.0.2.1".into(),
                port: tcp.local_addr().unwrap().port(),
            },
            tls: None,
            context: None,
        };
        assert!(serve(&far).is_err());
    }
}
