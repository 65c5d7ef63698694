//! The scan's target: which engine answered, and whether the process serving the scanned
//! address runs on this host. "Local" is proven, never assumed: the listening socket (a unix
//! socket's inode in `net/unix`, a TCP port's in `net/tcp{,6}`) is found, then the process
//! holding it (`/proc/PID/fd/* -> socket:[inode]`). Only then are that process's command
//! line and this host's files the daemon's own.
use std::collections::BTreeSet;
use std::net::{IpAddr, ToSocketAddrs, UdpSocket};
use std::path::Path;

use super::connect::{Address, Endpoint};
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

/// Finds the process holding the listening socket of `endpoint` in `proc_root` (`/proc`),
/// or says why none was found (the daemon is then treated as remote).
pub fn serving_process(proc_root: &Path, endpoint: &Endpoint) -> Result<Server, String> {
    let inodes: BTreeSet<String> = match &endpoint.address {
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
    let Some(pid) = holder(proc_root, &inodes) else {
        // A unix socket listed here is served here, but its holder's fds may be unreadable
        // (a container without CAP_SYS_PTRACE): take the dockerd that discovery ranks first
        // for that socket, PID unknown (0).
        if let Address::Unix(path) = &endpoint.address {
            let path = path.to_string_lossy();
            if let Some(args) = super::daemon_config::find_dockerd_args_for(proc_root, Some(&path))
            {
                let mut argv = vec!["dockerd".to_string()];
                argv.extend(args);
                return Ok(Server {
                    pid: 0,
                    argv,
                    sockets: vec![path.into_owned()],
                    other_root: None,
                });
            }
        }
        return Err(format!(
            "the process listening on {} is not visible here (another PID namespace, or no permission)",
            endpoint.url()
        ));
    };
    let dir = proc_root.join(pid.to_string());
    let argv: Vec<String> = std::fs::read(dir.join("cmdline"))
        .unwrap_or_default()
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    Ok(Server {
        pid,
        argv,
        sockets: own_unix_sockets(&dir),
        other_root: other_root(proc_root, pid),
    })
}

/// The root directory of process `pid` when it is neither the scanner's nor the host init's
/// (compared by device and inode of `/proc/PID/root`, which the kernel resolves to the
/// process's root whatever mount namespace it is in); its path as `readlink` gives it.
pub fn other_root(proc_root: &Path, pid: u64) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let id = |p: &str| {
        std::fs::metadata(proc_root.join(p).join("root"))
            .ok()
            .map(|m| (m.dev(), m.ino()))
    };
    let theirs = id(&pid.to_string())?;
    if [id("self"), id("1")].contains(&Some(theirs)) {
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
fn unix_listeners_any_netns(proc_root: &Path, path: &str) -> BTreeSet<String> {
    let mut found = unix_listeners(&proc_root.join("self"), path);
    if !found.is_empty() {
        return found;
    }
    // The host's init (readable with --pid host even where namespace links are not).
    found.extend(unix_listeners(&proc_root.join("1"), path));
    if !found.is_empty() {
        return found;
    }
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(proc_root).into_iter().flatten().flatten() {
        let name = entry.file_name();
        if !name
            .to_str()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let Ok(ns) = std::fs::read_link(entry.path().join("ns/net")) else {
            continue;
        };
        if seen.insert(ns) {
            found.extend(unix_listeners(&entry.path(), path));
        }
    }
    found
}

/// Inodes of listening unix sockets bound to `path` (`net/unix`: `Num RefCount Protocol Flags
/// Type St Inode Path`; flag 0x10000 = listening). /var/run → /run links compare resolved.
fn unix_listeners(proc_dir: &Path, path: &str) -> BTreeSet<String> {
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
            (listening && same).then(|| f[6].to_string())
        })
        .collect()
}

/// Inodes of TCP sockets in LISTEN on `port` bound to one of `ips` or to the wildcard
/// address, from `<proc_dir>/net/tcp{,6}`.
fn tcp_listeners(proc_dir: &Path, ips: &[IpAddr], port: u16) -> BTreeSet<String> {
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
        .map(|e| e.inode.to_string())
        .collect()
}

fn mapped(ip: IpAddr) -> Option<IpAddr> {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
        IpAddr::V4(_) => None,
    }
}

/// The lowest PID with one of `inodes` open.
fn holder(proc_root: &Path, inodes: &BTreeSet<String>) -> Option<u64> {
    let mut pids: Vec<u64> = std::fs::read_dir(proc_root)
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    pids.into_iter().find(|pid| {
        socket_fds(&proc_root.join(pid.to_string()))
            .iter()
            .any(|i| inodes.contains(i))
    })
}

/// Socket inodes the process has open.
fn socket_fds(pid_dir: &Path) -> Vec<String> {
    let Ok(fds) = std::fs::read_dir(pid_dir.join("fd")) else {
        return Vec::new();
    };
    fds.flatten()
        .filter_map(|fd| {
            let t = std::fs::read_link(fd.path()).ok()?;
            let t = t.to_string_lossy();
            Some(t.strip_prefix("socket:[")?.strip_suffix(']')?.to_string())
        })
        .collect()
}

/// Paths of the listening unix sockets the process holds, from its own `net/unix`.
fn own_unix_sockets(pid_dir: &Path) -> Vec<String> {
    let held: BTreeSet<String> = socket_fds(pid_dir).into_iter().collect();
    let text = std::fs::read_to_string(pid_dir.join("net/unix")).unwrap_or_default();
    let mut out: BTreeSet<String> = BTreeSet::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (Some(flags), Some(inode), Some(path)) = (f.get(3), f.get(6), f.get(7)) else {
            continue;
        };
        let listening = u32::from_str_radix(flags, 16).is_ok_and(|v| v & 0x10000 != 0);
        if listening && held.contains(*inode) && path.starts_with('/') {
            out.insert(path.to_string());
        }
    }
    out.into_iter().collect()
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
        Version: version["Version"].as_str().unwrap_or("").to_string(),
        Rootless: Some(rootless),
        Address: endpoint.url(),
        Via: endpoint.via(),
        Context: endpoint.context.clone().unwrap_or_default(),
        Local: server.is_ok(),
        Pid: server.as_ref().map(|s| s.pid as i64).unwrap_or(0),
        Process: server
            .as_ref()
            .map(|s| s.program().to_string())
            .unwrap_or_default(),
        LocalReason: match server {
            Ok(s) => format!("served by PID {} ({}) on this host", s.pid, s.program()),
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
        assert_eq!(
            other_root(Path::new("/proc"), std::process::id() as u64),
            None
        );
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
        let server = serving_process(Path::new("/proc"), &endpoint).unwrap();
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
        assert_eq!(
            serving_process(Path::new("/proc"), &endpoint).unwrap().pid,
            std::process::id() as u64
        );
        // An address of another host is remote whatever listens here on that port.
        let far = Endpoint {
            address: Address::Tcp {
                host: "192.0.2.1".into(),
                port: tcp.local_addr().unwrap().port(),
            },
            tls: None,
            context: None,
        };
        assert!(serving_process(Path::new("/proc"), &far).is_err());
    }
}
