//! The Docker daemon: `/info`, `/version` (Docker's field names) and its effective configuration.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::FactStatus;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Daemon {
    /// `null` when the daemon was not asked (offline scans) or did not answer.
    pub Info: Option<Info>,
    /// Why `Info` is `null` (e.g. not available in an offline scan), else available.
    pub InfoStatus: crate::snapshot::FactStatus,
    pub Version: Option<Version>,
    /// What was scanned and how it was reached (live scans; empty offline).
    pub Target: Target,
    pub Config: DaemonConfig,
    /// Networks (`/networks`), with the names of their containers.
    pub Networks: Vec<Network>,
    /// Swarm facts a manager can tell (secrets); `Available` false elsewhere.
    pub Swarm: SwarmFacts,
    /// Counts for the sprawl checks, over all containers and images (not only those in scope).
    pub Inventory: Inventory,
    /// Reclaimable disk space (`/system/df`).
    pub DiskUsage: DiskUsage,
}

/// The scan's target: the engine that answered and whether it runs on this host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Target {
    /// "Docker" or "Podman" (from `/version`); "" when no daemon was asked.
    pub Engine: String,
    /// The engine's version (`/version` Version).
    pub Version: String,
    /// Whether the daemon runs rootless (`/info` SecurityOptions `name=rootless`); null when
    /// unknown.
    pub Rootless: Option<bool>,
    /// The address scanned (`unix:///path`, `tcp://host:port`).
    pub Address: String,
    /// How it was reached: "unix socket", "TCP+TLS", "TCP (plaintext)", with ", context NAME".
    pub Via: String,
    /// The docker context that named the address ("" when none).
    pub Context: String,
    /// The process serving the scanned address was found on this host: only then are this
    /// host's files, /proc, audit rules and mounts the daemon's own.
    pub Local: bool,
    /// PID of that process; 0 when not local (or when its PID could not be read).
    pub Pid: i64,
    /// Program of that process (`dockerd`, `podman`, `rootlesskit`); "" when not local.
    pub Process: String,
    /// How locality was decided ("served by PID 812 (dockerd) on this host", or why not).
    pub LocalReason: String,
    /// Unix socket paths the serving process listens on (all sockets of the scanned daemon).
    pub Sockets: Vec<String>,
    /// Real UID of the serving process on this host (`/proc/PID/status`); -1 when not local
    /// or unknown. A rootless daemon's socket is owned by this user (3.15).
    pub Uid: i64,
    /// The API version the daemon speaks at most (`/version` ApiVersion: `1.51`); "" when no
    /// daemon was asked.
    pub ApiVersion: String,
    /// Where the engine keeps images: `containerd (overlayfs)` for Docker's containerd image
    /// store (`/info` DriverStatus `driver-type io.containerd.snapshotter.v1`; an offline
    /// clone without `image/<driver>/imagedb`), `graphdriver (overlay2)` for the classic one,
    /// `containers/storage (overlay)` for Podman; "" when unknown.
    pub ImageStore: String,
}

impl Default for Target {
    fn default() -> Self {
        Target {
            Engine: String::new(),
            Version: String::new(),
            Rootless: None,
            Address: String::new(),
            Via: String::new(),
            Context: String::new(),
            Local: false,
            Pid: 0,
            Process: String::new(),
            LocalReason: String::new(),
            Sockets: Vec::new(),
            Uid: -1,
            ApiVersion: String::new(),
            ImageStore: String::new(),
        }
    }
}

impl Target {
    /// One line for the report: "Docker 20.10.24 · rootful · unix socket · local (PID 812,
    /// dockerd)"; "" when no daemon was asked.
    pub fn summary(&self) -> String {
        if self.Engine.is_empty() {
            return String::new();
        }
        let mode = match self.Rootless {
            Some(true) => "rootless",
            Some(false) => "rootful",
            None => "rootless or rootful unknown",
        };
        let place = if self.Local {
            format!("local (PID {}, {})", self.Pid, self.Process)
        } else {
            format!("remote ({})", self.LocalReason)
        };
        let mut identity = format!("{} {}", self.Engine, self.Version);
        if !self.ApiVersion.is_empty() {
            identity.push_str(&format!(" (API {})", self.ApiVersion));
        }
        if !self.ImageStore.is_empty() {
            identity.push_str(&format!(" · image store {}", self.ImageStore));
        }
        format!(
            "{identity} · {mode} · {} {} · {place}",
            self.Via, self.Address
        )
    }
}

/// What `docker system df` calls reclaimable, per kind (`/system/df`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct DiskUsage {
    /// Whether these facts could be had (flattened: `Available`, `State`, `Reason`, `Cause`,
    /// `ScanMode`; see `FactStatus`).
    #[serde(flatten)]
    pub Status: FactStatus,
    /// Dangling images (untagged) that no container uses.
    pub DanglingImages: Reclaimable,
    /// Writable layers of containers that are not running.
    pub StoppedContainers: Reclaimable,
    /// Anonymous volumes no container references (`RefCount` 0).
    pub UnusedVolumes: Reclaimable,
    /// Build cache records not in use.
    pub BuildCache: Reclaimable,
    /// The sum of the four, in bytes.
    pub TotalBytes: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Reclaimable {
    pub Count: i64,
    pub Bytes: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Network {
    pub Id: String,
    pub Name: String,
    pub Driver: String,
    pub Scope: String,
    pub Internal: bool,
    pub Options: BTreeMap<String, String>,
    pub Labels: BTreeMap<String, String>,
    /// Names of the containers attached (as the daemon reports them).
    pub Containers: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct SwarmFacts {
    /// Whether these facts could be had (flattened: `Available`, `State`, `Reason`, `Cause`,
    /// `ScanMode`; see `FactStatus`).
    #[serde(flatten)]
    pub Status: FactStatus,
    /// Number of swarm secrets (`docker secret ls`).
    pub Secrets: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Inventory {
    /// Whether these facts could be had (flattened: `Available`, `State`, `Reason`, `Cause`,
    /// `ScanMode`; see `FactStatus`).
    #[serde(flatten)]
    pub Status: FactStatus,
    pub ContainersTotal: i64,
    pub ContainersRunning: i64,
    pub ImagesTotal: i64,
    /// Distinct images used by any container, running or not.
    pub ImagesInUse: i64,
    /// Images no container uses (tags, else short IDs).
    pub UnusedImages: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Info {
    pub ID: String,
    pub Name: String,
    pub ServerVersion: String,
    pub OperatingSystem: String,
    pub OSType: String,
    pub KernelVersion: String,
    pub Architecture: String,
    pub Driver: String,
    pub DockerRootDir: String,
    pub LoggingDriver: String,
    pub CgroupDriver: String,
    pub CgroupVersion: String,
    pub SecurityOptions: Vec<String>,
    pub LiveRestoreEnabled: bool,
    pub ExperimentalBuild: bool,
    pub DefaultRuntime: String,
    pub Containers: i64,
    pub ContainersRunning: i64,
    pub ContainersPaused: i64,
    pub ContainersStopped: i64,
    pub Images: i64,
    pub NCPU: i64,
    pub MemTotal: i64,
    pub Swarm: SwarmInfo,
    pub RegistryConfig: RegistryConfig,
    /// Debug mode of the running daemon (`-D`, `--debug`, `"debug": true`); null when the
    /// daemon did not say (snapshots of older releases of dockbench).
    pub Debug: Option<bool>,
    /// The containerd the daemon uses (API 1.46+); null when not reported.
    pub Containerd: Option<ContainerdInfo>,
}

/// `/info` Containerd.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ContainerdInfo {
    /// The containerd socket the daemon talks to.
    pub Address: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct SwarmInfo {
    pub NodeID: String,
    pub NodeAddr: String,
    /// "", "inactive", "pending", "active", "error", "locked".
    pub LocalNodeState: String,
    pub ControlAvailable: bool,
    pub Managers: i64,
    pub Nodes: i64,
    /// Present on managers only.
    pub Cluster: Option<ClusterInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ClusterInfo {
    pub ID: String,
    pub CreatedAt: String,
    pub UpdatedAt: String,
    pub Spec: ClusterSpec,
    pub RootRotationInProgress: bool,
    pub DataPathPort: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ClusterSpec {
    pub Name: String,
    pub EncryptionConfig: EncryptionConfig,
    pub CAConfig: CAConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct EncryptionConfig {
    pub AutoLockManagers: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct CAConfig {
    /// Validity of node certificates, in nanoseconds.
    pub NodeCertExpiry: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct RegistryConfig {
    pub InsecureRegistryCIDRs: Vec<String>,
    pub Mirrors: Vec<String>,
    pub IndexConfigs: BTreeMap<String, IndexInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct IndexInfo {
    pub Name: String,
    pub Secure: bool,
    pub Official: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Version {
    pub Version: String,
    pub ApiVersion: String,
    pub MinAPIVersion: String,
    pub Os: String,
    pub Arch: String,
    pub KernelVersion: String,
    pub Experimental: bool,
}

/// The daemon's effective configuration: its config file merged with its command line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct DaemonConfig {
    /// The dockerd command line (argv), empty when no dockerd process was found.
    pub Args: Vec<String>,
    /// Whether the command line is known (no dockerd process visible → not available).
    pub CommandLine: crate::snapshot::FactStatus,
    /// Path of the config file the daemon reads (`--config-file` or the default).
    pub File: String,
    /// Whether that file exists.
    pub FilePresent: bool,
    /// Why the file could not be used (parse error with line and column), else "".
    pub FileError: String,
    /// Why dockerd would refuse to start with this file and command line ("dockerd would not
    /// start with this configuration: …": a value of the wrong JSON type, a key it does not
    /// know, a setting given both as a flag and in the file), else "".
    pub Refused: String,
    /// Sockets the running dockerd process listens on (`tcp://0.0.0.0:2375`,
    /// `unix:///run/docker.sock`), from its open file descriptors and its network namespace's
    /// socket tables: what it serves, however configured (socket activation included).
    pub Listening: Vec<String>,
    /// Whether `Listening` is known (only for a dockerd process found on this host).
    pub ListeningStatus: crate::snapshot::FactStatus,
    /// `ListenStream=` addresses of the docker.socket unit (and drop-ins), as dockerd receives
    /// them with `-H fd://` (`tcp://0.0.0.0:2375`, `unix:///run/docker.sock`); empty without.
    pub SocketUnit: Vec<String>,
    /// Variable references in the unit's ExecStart that could not be expanded (the setting
    /// they could carry is unknown, never dockerd's default), each with why.
    pub Unexpanded: Vec<String>,
    /// Effective settings by daemon.json key (`no-new-privileges`), each with its source.
    pub Settings: BTreeMap<String, Setting>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Setting {
    pub Value: serde_json::Value,
    /// "file", "flag" or "default" (dockerd's built-in default).
    pub Source: String,
    /// The file path or the command-line flag as written.
    pub Origin: String,
}
