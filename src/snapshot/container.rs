//! A container as `docker inspect` shows it (the fields the checks use), plus the
//! processes the host's /proc shows for it.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Container {
    pub Id: String,
    /// Name without Docker's leading slash.
    pub Name: String,
    /// Image ID (sha256:…).
    pub Image: String,
    pub Created: String,
    pub Driver: String,
    pub AppArmorProfile: String,
    pub ProcessLabel: String,
    pub MountLabel: String,
    pub State: ContainerState,
    pub Config: ContainerConfig,
    pub HostConfig: HostConfig,
    /// Effective mounts (`docker inspect .Mounts`).
    pub Mounts: Vec<MountPoint>,
    pub NetworkSettings: NetworkSettings,
    /// Size of the writable layer in bytes when the collector asked for sizes.
    pub SizeRw: Option<i64>,
    /// Processes of this container read from the host's /proc: the init process
    /// (`State.Pid`), its descendants, and (with a PID namespace of its own) every other
    /// process in that namespace, such as `docker exec` sessions. `null` when they could
    /// not be read (see `Kernel.Status` and `host.Proc`).
    pub Processes: Option<Vec<Process>>,
    /// What the kernel shows for the running container's init process, read once from the
    /// host's /proc. `Kernel.Status` says why not when the observation could not be made
    /// (not running, offline clone, snapshot of a remote daemon, no permission).
    pub Kernel: KernelView,
    /// Why this container's facts could not be read (offline: a corrupt or truncated
    /// `config.v2.json`), else "". Every container check reports ERROR for it.
    pub Error: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ContainerState {
    pub Status: String,
    pub Running: bool,
    pub Paused: bool,
    pub Restarting: bool,
    pub OOMKilled: bool,
    pub Dead: bool,
    pub Pid: i64,
    pub ExitCode: i64,
    pub StartedAt: String,
    pub FinishedAt: String,
    /// `null` when the container has no healthcheck.
    pub Health: Option<Health>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Health {
    pub Status: String,
    pub FailingStreak: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ContainerConfig {
    pub Hostname: String,
    pub User: String,
    pub Env: Vec<String>,
    pub Cmd: Vec<String>,
    pub Entrypoint: Vec<String>,
    /// Image reference as given at creation (`nginx:latest`).
    pub Image: String,
    pub WorkingDir: String,
    pub Labels: BTreeMap<String, String>,
    /// `null` when neither the container nor its image defines one.
    pub Healthcheck: Option<HealthConfig>,
    pub ExposedPorts: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct HealthConfig {
    /// `["NONE"]` disables a healthcheck inherited from the image.
    pub Test: Vec<String>,
    pub Interval: i64,
    pub Timeout: i64,
    pub Retries: i64,
    pub StartPeriod: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct HostConfig {
    pub Privileged: bool,
    pub CapAdd: Vec<String>,
    pub CapDrop: Vec<String>,
    pub PidMode: String,
    pub NetworkMode: String,
    pub IpcMode: String,
    pub UTSMode: String,
    pub UsernsMode: String,
    pub CgroupnsMode: String,
    pub CgroupParent: String,
    pub ReadonlyRootfs: bool,
    /// Path in the container → mount options.
    pub Tmpfs: BTreeMap<String, String>,
    pub Binds: Vec<String>,
    pub SecurityOpt: Vec<String>,
    pub Memory: i64,
    pub MemorySwap: i64,
    pub MemoryReservation: i64,
    pub CpuShares: i64,
    pub NanoCpus: i64,
    pub CpuQuota: i64,
    pub CpuPeriod: i64,
    pub CpusetCpus: String,
    /// `null`, 0 or -1 mean unlimited.
    pub PidsLimit: Option<i64>,
    pub RestartPolicy: RestartPolicy,
    pub Devices: Vec<DeviceMapping>,
    /// `--device-cgroup-rule` entries (`c 1:3 mr`, `a *:* rwm`): device access granted in
    /// the devices cgroup without a device node.
    pub DeviceCgroupRules: Vec<String>,
    pub Ulimits: Vec<Ulimit>,
    pub PortBindings: BTreeMap<String, Vec<PortBinding>>,
    pub PublishAllPorts: bool,
    /// `null` when not set (the daemon default applies).
    pub Init: Option<bool>,
    pub LogConfig: LogConfig,
    pub Runtime: String,
    pub OomKillDisable: Option<bool>,
    pub Sysctls: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct RestartPolicy {
    /// "", "no", "always", "unless-stopped", "on-failure".
    pub Name: String,
    pub MaximumRetryCount: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct DeviceMapping {
    pub PathOnHost: String,
    pub PathInContainer: String,
    pub CgroupPermissions: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Ulimit {
    pub Name: String,
    pub Soft: i64,
    pub Hard: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct PortBinding {
    pub HostIp: String,
    pub HostPort: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct LogConfig {
    pub Type: String,
    pub Config: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct MountPoint {
    /// "bind", "volume", "tmpfs", "npipe".
    pub Type: String,
    pub Name: String,
    /// Host path (for binds) or the volume's path on the host.
    pub Source: String,
    pub Destination: String,
    pub Driver: String,
    pub Mode: String,
    pub RW: bool,
    pub Propagation: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct NetworkSettings {
    /// "80/tcp" → host bindings (`null` for exposed but unpublished ports becomes empty).
    pub Ports: BTreeMap<String, Vec<PortBinding>>,
    pub Networks: BTreeMap<String, EndpointSettings>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct EndpointSettings {
    pub NetworkID: String,
    pub IPAddress: String,
    pub GlobalIPv6Address: String,
}

/// One process of a container, read from the host's /proc (never by exec).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Process {
    /// PID in the host's namespace.
    pub Pid: i64,
    pub PPid: i64,
    /// Short command name (`/proc/PID/comm`).
    pub Comm: String,
    /// Full command line.
    pub Args: Vec<String>,
    /// Effective user ID in the host's namespace.
    pub Uid: i64,
    /// `NoNewPrivs` from /proc/PID/status.
    pub NoNewPrivs: bool,
    /// Seccomp mode: 0 disabled, 1 strict, 2 filter.
    pub Seccomp: i64,
    /// Process state letter (R, S, Z…).
    pub State: String,
}

/// The kernel's view of a running container's init process (`/proc/<State.Pid>`), read once.
/// Every field is meaningful only when `Status.Available`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct KernelView {
    /// Whether the observation was made; if not, why.
    pub Status: super::FactStatus,
    /// Host PID of the init process that was read.
    pub Pid: i64,
    /// Real and effective user and group IDs as the container sees them (its user
    /// namespace: with userns-remap the host's 100000 is the container's 0).
    pub Uid: i64,
    pub EUid: i64,
    pub Gid: i64,
    pub EGid: i64,
    /// Effective user ID in the host's user namespace (`/proc/PID/status` read by the host).
    pub HostUid: i64,
    /// Effective capabilities, by name (`CAP_NET_ADMIN`), decoded from `CapEff`.
    pub CapEff: Vec<String>,
    /// Bounding set by name, from `CapBnd`: every capability the container's processes can
    /// ever hold (what Docker granted: its default set plus `--cap-add`, minus `--cap-drop`).
    pub CapBnd: Vec<String>,
    /// The bounding set holds every capability this kernel knows (a privileged container).
    pub AllCapabilities: bool,
    /// `NoNewPrivs` of the init process.
    pub NoNewPrivs: bool,
    /// Seccomp mode of the init process: 0 none, 1 strict, 2 filter.
    pub Seccomp: i64,
    /// LSM label of the init process (`/proc/PID/attr/current`): `docker-default (enforce)`,
    /// `unconfined`, `system_u:system_r:container_t:s0:c1,c2`; "" when no LSM labels it.
    pub Label: String,
    /// Namespaces the init process shares with the host's init (`/proc/1/ns/*`, or a
    /// kernel thread's when PID 1's are not readable): any of `net`, `pid`, `ipc`, `uts`,
    /// `user`, `cgroup`.
    pub HostNamespaces: Vec<String>,
    /// Namespaces that could not be compared (link not readable), with the same names.
    pub UnknownNamespaces: Vec<String>,
    /// Limits of the init process's cgroup, as the kernel enforces them.
    pub Cgroup: CgroupLimits,
}

/// cgroup limits in force for a container (cgroup v1 or v2 files of the init's cgroup).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct CgroupLimits {
    /// Whether the cgroup files could be read; if not, why.
    pub Status: super::FactStatus,
    /// Memory limit in bytes; `null` when unlimited (`max`, or v1's page-counter maximum).
    pub MemoryLimit: Option<i64>,
    /// Maximum number of tasks; `null` when unlimited (`max`).
    pub PidsLimit: Option<i64>,
    /// CPU weight: v1 `cpu.shares` (default 1024) or v2 `cpu.weight` (default 100).
    pub CpuWeight: Option<i64>,
    /// "v1" or "v2".
    pub Version: String,
}
