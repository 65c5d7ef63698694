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
    /// The daemon's `/version`; `null` offline or when it did not answer (`InfoStatus` says why).
    pub Version: Option<Version>,
    /// What was scanned and how it was reached (live scans; empty offline).
    pub Target: Target,
    /// The daemon's configuration: daemon.json merged with the dockerd command line, each setting
    /// with its source.
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
    /// How many objects of this kind (`/system/df`).
    pub Count: i64,
    /// Space they take, in bytes (`/system/df` Size / UsageData.Size).
    pub Bytes: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Network {
    /// Network ID, 64 hex characters (`GET /networks` Id).
    pub Id: String,
    /// Network name (`bridge`, `host`, `none`, user-defined) (`GET /networks` Name).
    pub Name: String,
    /// Network driver (`bridge`, `host`, `overlay`, `macvlan`, `null`) (`GET /networks` Driver).
    pub Driver: String,
    /// `local` (this host) or `swarm` (the cluster) (`GET /networks` Scope).
    pub Scope: String,
    /// No route out of the network: containers on it reach only each other (`GET /networks`
    /// Internal).
    pub Internal: bool,
    /// Driver options, name → value (`com.docker.network.bridge.enable_icc` = `false`) (`GET
    /// /networks` Options).
    pub Options: BTreeMap<String, String>,
    /// User-defined labels, key → value (`GET /networks` Labels).
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
    /// All containers, running or not (`GET /containers/json?all=1`; offline: the containers
    /// directory).
    pub ContainersTotal: i64,
    /// Containers whose state is `running`.
    pub ContainersRunning: i64,
    /// All images, tagged or not (`GET /images/json?all=1`; offline: imagedb).
    pub ImagesTotal: i64,
    /// Distinct images used by any container, running or not.
    pub ImagesInUse: i64,
    /// Images no container uses (tags, else short IDs).
    pub UnusedImages: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Info {
    /// Unique ID of the daemon (`GET /info` ID).
    pub ID: String,
    /// Hostname of the daemon's host (`GET /info` Name).
    pub Name: String,
    /// Version of the daemon (`20.10.24`) (`GET /info` ServerVersion).
    pub ServerVersion: String,
    /// The host's operating system (`Debian GNU/Linux 12 (bookworm)`) (`GET /info`
    /// OperatingSystem).
    pub OperatingSystem: String,
    /// `linux` or `windows` (Go's GOOS) (`GET /info` OSType).
    pub OSType: String,
    /// Kernel release of the daemon's host (`uname -r`) (`GET /info` KernelVersion).
    pub KernelVersion: String,
    /// Machine architecture of the host (`uname -m`: `x86_64`) (`GET /info` Architecture).
    pub Architecture: String,
    /// Storage driver (`overlay2`, `btrfs`, `vfs`) (`GET /info` Driver).
    pub Driver: String,
    /// The daemon's data root (`data-root`; default `/var/lib/docker`) (`GET /info` DockerRootDir).
    pub DockerRootDir: String,
    /// Default log driver of new containers (`log-driver`; `json-file`) (`GET /info`
    /// LoggingDriver).
    pub LoggingDriver: String,
    /// `cgroupfs`, `systemd` or `none` (rootless on v1) (`GET /info` CgroupDriver).
    pub CgroupDriver: String,
    /// `1` or `2` (`GET /info` CgroupVersion).
    pub CgroupVersion: String,
    /// Enabled security features as `name=NAME[,key=value…]` (`name=seccomp,profile=builtin`,
    /// `name=apparmor`, `name=userns`, `name=rootless`); read with `securityOption()` (`GET /info`
    /// SecurityOptions).
    pub SecurityOptions: Vec<String>,
    /// `live-restore`: containers keep running while the daemon is down (`GET /info`
    /// LiveRestoreEnabled).
    pub LiveRestoreEnabled: bool,
    /// Experimental features are enabled (`GET /info` ExperimentalBuild).
    pub ExperimentalBuild: bool,
    /// OCI runtime of containers that name none (`runc`) (`GET /info` DefaultRuntime).
    pub DefaultRuntime: String,
    /// All containers on the host (`GET /info` Containers).
    pub Containers: i64,
    /// Containers running (`GET /info` ContainersRunning).
    pub ContainersRunning: i64,
    /// Containers paused (`GET /info` ContainersPaused).
    pub ContainersPaused: i64,
    /// Containers stopped (`GET /info` ContainersStopped).
    pub ContainersStopped: i64,
    /// Images, tagged and dangling (`GET /info` Images).
    pub Images: i64,
    /// Logical CPUs the daemon can use, as counted at its start (`GET /info` NCPU).
    pub NCPU: i64,
    /// Physical memory of the host in bytes (`GET /info` MemTotal).
    pub MemTotal: i64,
    /// This node's swarm membership (`GET /info` Swarm).
    pub Swarm: SwarmInfo,
    /// Registry settings: insecure registries, mirrors (`GET /info` RegistryConfig).
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
    /// This node's ID in the swarm; "" when not a member (`GET /info` Swarm.NodeID).
    pub NodeID: String,
    /// Address other nodes reach this one at; "" when not a member (`GET /info` Swarm.NodeAddr).
    pub NodeAddr: String,
    /// "", "inactive", "pending", "active", "error", "locked".
    pub LocalNodeState: String,
    /// This node is a manager (`GET /info` Swarm.ControlAvailable).
    pub ControlAvailable: bool,
    /// Managers in the swarm; 0 when not a member (`GET /info` Swarm.Managers).
    pub Managers: i64,
    /// Nodes in the swarm; 0 when not a member (`GET /info` Swarm.Nodes).
    pub Nodes: i64,
    /// Present on managers only.
    pub Cluster: Option<ClusterInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ClusterInfo {
    /// The swarm's ID (`GET /info` Swarm.Cluster.ID).
    pub ID: String,
    /// When the swarm was initialised, RFC 3339 (`GET /info` Swarm.Cluster.CreatedAt).
    pub CreatedAt: String,
    /// When its spec last changed, RFC 3339 (`GET /info` Swarm.Cluster.UpdatedAt).
    pub UpdatedAt: String,
    /// The swarm's settings (`GET /info` Swarm.Cluster.Spec).
    pub Spec: ClusterSpec,
    /// A root CA rotation is under way (`GET /info` Swarm.Cluster.RootRotationInProgress).
    pub RootRotationInProgress: bool,
    /// UDP port of overlay (VXLAN) traffic; 0 means the default 4789 (`GET /info`
    /// Swarm.Cluster.DataPathPort).
    pub DataPathPort: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ClusterSpec {
    /// Name of the swarm (`default`) (`GET /info` Swarm.Cluster.Spec.Name).
    pub Name: String,
    /// Encryption at rest of the managers' Raft data (`GET /info`
    /// Swarm.Cluster.Spec.EncryptionConfig).
    pub EncryptionConfig: EncryptionConfig,
    /// The swarm's certificate authority settings (`GET /info` Swarm.Cluster.Spec.CAConfig).
    pub CAConfig: CAConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct EncryptionConfig {
    /// Autolock: a restarted manager needs the unlock key before it decrypts its Raft data (`GET
    /// /info` …EncryptionConfig.AutoLockManagers).
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
    /// Address ranges of insecure registries (HTTP or unverified TLS), CIDR; `127.0.0.0/8` and
    /// `::1/128` by default (`GET /info` RegistryConfig.InsecureRegistryCIDRs).
    pub InsecureRegistryCIDRs: Vec<String>,
    /// `registry-mirrors`: URLs of Docker Hub mirrors (`GET /info` RegistryConfig.Mirrors).
    pub Mirrors: Vec<String>,
    /// Known registries by name (`docker.io`, `registry.local:5000`) (`GET /info`
    /// RegistryConfig.IndexConfigs).
    pub IndexConfigs: BTreeMap<String, IndexInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct IndexInfo {
    /// Registry name (`docker.io`, `registry.local:5000`) (RegistryConfig.IndexConfigs[].Name).
    pub Name: String,
    /// false for an insecure registry: HTTP or TLS without verification
    /// (RegistryConfig.IndexConfigs[].Secure).
    pub Secure: bool,
    /// It is Docker Hub (RegistryConfig.IndexConfigs[].Official).
    pub Official: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Version {
    /// The engine's version (`20.10.24`, `5.4.0` for Podman) (`GET /version` Version).
    pub Version: String,
    /// Highest Engine API version it speaks (`1.41`) (`GET /version` ApiVersion).
    pub ApiVersion: String,
    /// Lowest Engine API version it accepts (`1.12`) (`GET /version` MinAPIVersion).
    pub MinAPIVersion: String,
    /// `linux` or `windows` (Go's GOOS) (`GET /version` Os).
    pub Os: String,
    /// Go's GOARCH of the daemon binary (`amd64`) (`GET /version` Arch).
    pub Arch: String,
    /// Kernel release the daemon runs on (`uname -r`) (`GET /version` KernelVersion).
    pub KernelVersion: String,
    /// Started with experimental features (`GET /version` Experimental).
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
    /// The setting's value in daemon.json's JSON form (bool, number, string, list, object): a
    /// flag's value is converted to it.
    pub Value: serde_json::Value,
    /// "file", "flag" or "default" (dockerd's built-in default).
    pub Source: String,
    /// The file path or the command-line flag as written.
    pub Origin: String,
}
