//! Facts about the host itself: identity, Docker's files, audit rules, users, mounts.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::FactStatus;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Host {
    /// The scanned host's name: live the kernel's nodename (uname), offline the clone's
    /// `/etc/hostname`.
    pub Hostname: String,
    /// Live: the running kernel's release (uname). Offline: the newest kernel installed on the
    /// clone (its modules directory or /boot image); a note in the report says which.
    pub KernelVersion: String,
    /// Offline only: the Docker Engine version the clone's package database records (dpkg,
    /// apk), in the daemon's own form (`24.0.7`); "" when it shows none and in live scans,
    /// where the daemon's `/version` tells.
    pub InstalledDockerVersion: String,
    /// PRETTY_NAME from os-release.
    pub OperatingSystem: String,
    /// Content of /etc/machine-id, "" when absent.
    pub MachineId: String,
    /// `--host-label` given when the facts were collected: the operator's name for the host.
    pub Label: String,
    /// Whether container processes could be read from /proc.
    pub Proc: FactStatus,
    /// Environment of the scanner relevant to checks (`DOCKER_CONTENT_TRUST`).
    pub ContentTrust: String,
    /// Whether the scanner's environment is the scanned host's (not in an offline scan).
    pub Environment: FactStatus,
    /// Docker's files by role, each stat'ed once. Roles: `dockerd`, `containerd`,
    /// `containerd-shim`, `containerd-shim-runc-v1`, `containerd-shim-runc-v2`, `runc`
    /// (binaries), `data-root`, `/run/containerd`, `/etc/docker`, `docker.service`,
    /// `docker.socket` (systemd units, with drop-ins), `containerd.sock`, `docker.sock`,
    /// `/etc/default/docker`, `/etc/sysconfig/docker`, `daemon.json`,
    /// `/etc/containerd/config.toml`, `certs.d`, `tlscacert`, `tlscert`, `tlskey`.
    pub Files: BTreeMap<String, FileFact>,
    /// Every regular file below the registry certificate directory (`/etc/docker/certs.d`).
    pub RegistryCerts: Vec<FileFact>,
    /// Audit rules of the host.
    pub Audit: AuditFacts,
    /// The `docker` group: who may control the daemon through its socket.
    pub DockerGroup: GroupFacts,
    /// The mount that holds Docker's data root.
    pub DataRootMount: MountFacts,
    /// TCP sockets listening on the host (from /proc/net/tcp and tcp6).
    pub Listeners: ListenerFacts,
    /// The host's DNS resolver (`/etc/resolv.conf`).
    pub Resolver: ResolverFacts,
    /// ufw and the DOCKER-USER firewall chain.
    pub Firewall: FirewallFacts,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ResolverFacts {
    /// Whether these facts could be had (flattened: `Available`, `State`, `Reason`, `Cause`,
    /// `ScanMode`; see `FactStatus`).
    #[serde(flatten)]
    pub Status: FactStatus,
    /// `nameserver` entries of /etc/resolv.conf, in order.
    pub Nameservers: Vec<String>,
    /// Every nameserver is a loopback address (systemd-resolved's 127.0.0.53, dnsmasq on
    /// 127.0.0.1): unreachable from a container's network namespace.
    pub LoopbackOnly: bool,
    /// The file Docker builds containers' resolv.conf from: /etc/resolv.conf, or
    /// /run/systemd/resolve/resolv.conf when the former only names the 127.0.0.53 stub.
    pub Source: String,
    /// Nameservers containers get: those of `Source` without loopback addresses.
    pub ContainerNameservers: Vec<String>,
    /// None is left, so Docker gives containers its public fallback (8.8.8.8, 8.8.4.4)
    /// unless the daemon sets `dns`.
    pub PublicFallback: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct FirewallFacts {
    /// Whether /etc/ufw/ufw.conf could be read (false also when ufw is not installed).
    pub UfwInstalled: bool,
    /// `ENABLED=yes` in /etc/ufw/ufw.conf.
    pub UfwEnabled: bool,
    /// Whether /etc/ufw/ufw.conf could be read (available also when it does not exist).
    pub UfwStatus: FactStatus,
    /// Whether the ruleset could be read, and why not (no iptables-save/nft binary,
    /// permission denied); flattened as in every fact group.
    #[serde(flatten)]
    pub Status: FactStatus,
    /// "iptables-save" or "nft list ruleset".
    pub Source: String,
    /// The DOCKER-USER chain exists.
    pub DockerUserChain: bool,
    /// Rules of DOCKER-USER other than the default `RETURN`.
    pub DockerUserRules: Vec<String>,
}

impl Default for FirewallFacts {
    /// Nothing read: the ruleset unavailable; no error reading ufw.conf (ufw not installed).
    fn default() -> Self {
        FirewallFacts {
            UfwInstalled: false,
            UfwEnabled: false,
            UfwStatus: FactStatus::Available,
            Status: FactStatus::default(),
            Source: String::new(),
            DockerUserChain: false,
            DockerUserRules: Vec::new(),
        }
    }
}

/// "WHAT: not available in an offline scan" (the reason text of `FactStatus::offline`).
pub fn offline_reason(what: &str) -> String {
    format!("{what}: {}", super::ScanMode::Offline.phrase())
}

/// `stat` of one file, with owner names resolved from the scanned root's passwd/group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct FileFact {
    /// Path on the scanned host ("" when the role is not configured, e.g. no TLS key).
    pub Path: String,
    /// Something is at `Path` (`stat`, or `lstat` for roles where a link matters: then `Kind` is
    /// `symlink`); false when missing or the role is not configured.
    pub Exists: bool,
    /// "file", "dir", "socket", "symlink", "other" ("" when missing).
    pub Kind: String,
    /// Owner's user ID (`st_uid`); 0 when missing.
    pub Uid: i64,
    /// Owner's group ID (`st_gid`); 0 when missing.
    pub Gid: i64,
    /// User and group names ("" when the id has no name on the scanned host).
    pub Owner: String,
    /// Group name of `Gid` in the scanned root's /etc/group; "" when it has none.
    pub Group: String,
    /// Permission bits (`st_mode & 0o7777`) as a number, and as octal text (`0644`).
    pub Mode: i64,
    /// `Mode` as four octal digits (`0644`, `4755`); "" when missing.
    pub ModeOctal: String,
    /// Whether it could be stat'ed (also available when it does not exist), flattened.
    #[serde(flatten)]
    pub Status: FactStatus,
    /// An audit rule watches exactly this path (`-w PATH` or `-F path=`/`dir=`).
    pub Audited: bool,
    /// The rule that audits it, as listed ("" when none). Its path may differ from `Path`
    /// when a symlink leads to the same file (`-w /run/docker.sock` for `/var/run/docker.sock`).
    pub AuditRule: String,
    /// The `never` rule that suppresses this path's events ("" when none): the kernel tries
    /// it before any rule that would audit the path, so `Audited` is false.
    pub AuditSuppressedBy: String,
    /// For systemd units: the drop-in files (`<unit>.d/*.conf`) in the unit search path.
    pub DropIns: Vec<FileFact>,
}

impl Default for FileFact {
    /// No file (a role that is not configured): nothing failed, so available.
    fn default() -> Self {
        FileFact {
            Path: String::new(),
            Exists: false,
            Kind: String::new(),
            Uid: 0,
            Gid: 0,
            Owner: String::new(),
            Group: String::new(),
            Mode: 0,
            ModeOctal: String::new(),
            Status: FactStatus::Available,
            Audited: false,
            AuditRule: String::new(),
            AuditSuppressedBy: String::new(),
            DropIns: Vec::new(),
        }
    }
}

/// Audit rules: `auditctl -l` when permitted, else the rule files.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AuditFacts {
    /// Whether these facts could be had (flattened: `Available`, `State`, `Reason`, `Cause`,
    /// `ScanMode`; see `FactStatus`).
    #[serde(flatten)]
    pub Status: FactStatus,
    /// "auditctl -l" or the rule files read.
    pub Source: String,
    /// The rules, one per line, comments dropped.
    pub Rules: Vec<String>,
    /// Paths watched by a rule (`-w PATH`, `-F path=PATH`, `-F dir=PATH`).
    pub WatchedPaths: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct GroupFacts {
    /// Whether these facts could be had (flattened: `Available`, `State`, `Reason`, `Cause`,
    /// `ScanMode`; see `FactStatus`).
    #[serde(flatten)]
    pub Status: FactStatus,
    /// Whether the group exists in the scanned root's /etc/group.
    pub Exists: bool,
    /// The group's ID in the scanned root's /etc/group; 0 when the group does not exist.
    pub Gid: i64,
    /// Users listed in the group, plus users whose primary group it is; sorted, unique.
    pub Members: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct MountFacts {
    /// Whether these facts could be had (flattened: `Available`, `State`, `Reason`, `Cause`,
    /// `ScanMode`; see `FactStatus`).
    #[serde(flatten)]
    pub Status: FactStatus,
    /// The directory looked at (Docker's data root).
    pub Path: String,
    /// The mount point that holds it (the longest mount point that is a parent or itself).
    pub MountPoint: String,
    /// File system type of that mount (`ext4`, `xfs`, `btrfs`) (mountinfo's file system type
    /// field).
    pub FsType: String,
    /// The mounted device or source.
    pub Device: String,
    /// The data root (or a parent of it other than `/`) is on a file system other than the
    /// root file system's: its mount's device number differs from `/`'s (a bind mount of a
    /// directory of `/` is not separate).
    pub Separate: bool,
    /// `MAJ:MIN` of the mount's file system (mountinfo's third field), "" when not known.
    pub DeviceNumber: String,
    /// `MAJ:MIN` of the root file system (`/`'s mount).
    pub RootDeviceNumber: String,
    /// The directory of its file system that is mounted there: `/` for a whole file system,
    /// else a bind mount of that directory.
    pub BindRoot: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ListenerFacts {
    /// Whether these facts could be had (flattened: `Available`, `State`, `Reason`, `Cause`,
    /// `ScanMode`; see `FactStatus`).
    #[serde(flatten)]
    pub Status: FactStatus,
    /// Sockets in LISTEN state, one per address and port (`/proc/net/tcp`, `/proc/net/tcp6`).
    pub Tcp: Vec<Listener>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Listener {
    /// Local address as text (`0.0.0.0`, `::`, `127.0.0.1`).
    pub Address: String,
    /// Local TCP port (1–65535).
    pub Port: i64,
}
