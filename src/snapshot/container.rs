//! A container as `docker inspect` shows it (the fields the checks use), plus the
//! processes the host's /proc shows for it.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Container {
    /// Full container ID, 64 hex characters (`GET /containers/{id}/json` Id; offline: the
    /// container's config.v2.json ID).
    pub Id: String,
    /// Name without Docker's leading slash.
    pub Name: String,
    /// Image ID (sha256:…).
    pub Image: String,
    /// When the container was created, RFC 3339 with nanoseconds (`GET /containers/{id}/json`
    /// Created).
    pub Created: String,
    /// Storage driver (graph driver or snapshotter) of its filesystem, e.g. `overlay2` (`GET
    /// /containers/{id}/json` Driver).
    pub Driver: String,
    /// AppArmor profile Docker set for it (`docker-default`, `unconfined`, a custom name); "" when
    /// AppArmor is not in use (`GET /containers/{id}/json` AppArmorProfile).
    pub AppArmorProfile: String,
    /// SELinux process label Docker set (`system_u:system_r:container_t:s0:c1,c2`); "" without
    /// SELinux (`GET /containers/{id}/json` ProcessLabel).
    pub ProcessLabel: String,
    /// SELinux label of its mounts; "" without SELinux (`GET /containers/{id}/json` MountLabel).
    pub MountLabel: String,
    /// Run state: running, paused, exit code, health (`GET /containers/{id}/json` State; offline:
    /// the container's config.v2.json State).
    pub State: ContainerState,
    /// Configuration from the image and `docker run` that does not depend on the host: user,
    /// command, environment, labels (`GET /containers/{id}/json` Config).
    pub Config: ContainerConfig,
    /// Host-dependent settings given at creation: privileges, namespaces, limits, mounts, ports,
    /// restart policy (`GET /containers/{id}/json` HostConfig; offline: hostconfig.json).
    pub HostConfig: HostConfig,
    /// Effective mounts (`docker inspect .Mounts`).
    pub Mounts: Vec<MountPoint>,
    /// Published ports and attached networks (`GET /containers/{id}/json` NetworkSettings).
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
    /// The storage driver and its directories for this container (`docker inspect
    /// .GraphDriver`: `UpperDir` is its writable layer, `LowerDir` the image's layers).
    pub GraphDriver: GraphDriverData,
    /// The container's own `/etc/passwd` (its writable layer over the image's layers), read
    /// where the daemon is on this host, for a `Config.User` that is a name: the runtime
    /// resolves it there at start (`docker cp` can change it). `null` when not read.
    pub Passwd: Option<PasswdFacts>,
    /// Why this container's facts could not be read (offline: a corrupt or truncated
    /// `config.v2.json`), else "". Every container check reports ERROR for it.
    pub Error: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ContainerState {
    /// One of `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead` (`GET
    /// /containers/{id}/json` State.Status).
    pub Status: String,
    /// Whether the container runs; a paused container is also running (State.Running).
    pub Running: bool,
    /// Whether its processes are frozen by the freezer cgroup (State.Paused).
    pub Paused: bool,
    /// Whether the daemon is restarting it under its restart policy (State.Restarting).
    pub Restarting: bool,
    /// A process of it was killed for running out of memory since it last started
    /// (State.OOMKilled).
    pub OOMKilled: bool,
    /// The daemon failed to remove it and marked it dead (State.Dead).
    pub Dead: bool,
    /// Host PID of its init process; 0 when not running (State.Pid).
    pub Pid: i64,
    /// Exit code of its last run; 137 is a SIGKILL, e.g. by the OOM killer (State.ExitCode).
    pub ExitCode: i64,
    /// When it last started, RFC 3339; `0001-01-01T00:00:00Z` when never (State.StartedAt).
    pub StartedAt: String,
    /// When it last exited, RFC 3339; `0001-01-01T00:00:00Z` when never (State.FinishedAt).
    pub FinishedAt: String,
    /// `null` when the container has no healthcheck.
    pub Health: Option<Health>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Health {
    /// `starting`, `healthy` or `unhealthy` (`none` without healthcheck) (State.Health.Status).
    pub Status: String,
    /// Number of consecutive failed health probes (State.Health.FailingStreak).
    pub FailingStreak: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ContainerConfig {
    /// Hostname inside the container; the short ID unless `--hostname` set one (`GET
    /// /containers/{id}/json` Config.Hostname).
    pub Hostname: String,
    /// User the processes run as, `user|UID[:group|GID]`; "" means the image's user, else root
    /// (`GET /containers/{id}/json` Config.User).
    pub User: String,
    /// Environment as `NAME=value` strings, the image's merged with `-e` (`GET
    /// /containers/{id}/json` Config.Env). Values may be secrets: evidence must not print them.
    pub Env: Vec<String>,
    /// Command (arguments to the entrypoint), each argument a string (`GET /containers/{id}/json`
    /// Config.Cmd).
    pub Cmd: Vec<String>,
    /// Entrypoint, each argument a string; empty when none (`GET /containers/{id}/json`
    /// Config.Entrypoint).
    pub Entrypoint: Vec<String>,
    /// Image reference as given at creation (`nginx:latest`).
    pub Image: String,
    /// Working directory of its commands; "" means `/` (`GET /containers/{id}/json`
    /// Config.WorkingDir).
    pub WorkingDir: String,
    /// User-defined labels, key → value, the image's merged with `--label` (`GET
    /// /containers/{id}/json` Config.Labels).
    pub Labels: BTreeMap<String, String>,
    /// `null` when neither the container nor its image defines one.
    pub Healthcheck: Option<HealthConfig>,
    /// Exposed ports as keys `PORT/PROTO` (`80/tcp`, `53/udp`); values are empty objects (`GET
    /// /containers/{id}/json` Config.ExposedPorts).
    pub ExposedPorts: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct HealthConfig {
    /// `["NONE"]` disables a healthcheck inherited from the image.
    pub Test: Vec<String>,
    /// Time between probes in nanoseconds; 0 inherits (the default is 30 s) (Healthcheck.Interval).
    pub Interval: i64,
    /// Time a probe may take before it counts as failed, in nanoseconds; 0 inherits (default 30 s)
    /// (Healthcheck.Timeout).
    pub Timeout: i64,
    /// Consecutive failures before the container is `unhealthy`; 0 inherits (default 3)
    /// (Healthcheck.Retries).
    pub Retries: i64,
    /// Grace period after start in nanoseconds in which failures do not count; 0 inherits
    /// (Healthcheck.StartPeriod).
    pub StartPeriod: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct HostConfig {
    /// `--privileged`: every capability, all devices, no seccomp or LSM confinement
    /// (HostConfig.Privileged).
    pub Privileged: bool,
    /// `--cap-add` capabilities as given (`NET_ADMIN`, `CAP_NET_ADMIN`, `ALL`); compare via
    /// `c.Derived.Capabilities` (HostConfig.CapAdd).
    pub CapAdd: Vec<String>,
    /// `--cap-drop` capabilities as given (`ALL`, `NET_RAW`) (HostConfig.CapDrop).
    pub CapDrop: Vec<String>,
    /// PID namespace: "" own, `host`, `container:<name|id>` (HostConfig.PidMode).
    pub PidMode: String,
    /// Network mode: `bridge`, `host`, `none`, `container:<name|id>`, or a network's name;
    /// `default` is bridge (HostConfig.NetworkMode).
    pub NetworkMode: String,
    /// IPC namespace: `private`, `shareable`, `none`, `host`, `container:<name|id>`; "" the daemon
    /// default (HostConfig.IpcMode).
    pub IpcMode: String,
    /// UTS namespace: "" own, `host` (HostConfig.UTSMode).
    pub UTSMode: String,
    /// User namespace: "" the daemon's (remapped with `userns-remap`), `host` opts out of remapping
    /// (HostConfig.UsernsMode).
    pub UsernsMode: String,
    /// cgroup namespace: `private` or `host`; "" the daemon default (HostConfig.CgroupnsMode).
    pub CgroupnsMode: String,
    /// `--cgroup-parent`: cgroup under which its cgroup is created; "" the daemon's default
    /// (HostConfig.CgroupParent).
    pub CgroupParent: String,
    /// `--read-only`: the root filesystem is mounted read-only (HostConfig.ReadonlyRootfs).
    pub ReadonlyRootfs: bool,
    /// Path in the container → mount options.
    pub Tmpfs: BTreeMap<String, String>,
    /// `-v` bind and volume specs as given, `SRC:DEST[:OPTIONS]` (`/etc:/host/etc:ro`); `Mounts`
    /// has the effective result (HostConfig.Binds).
    pub Binds: Vec<String>,
    /// `--security-opt` values as given: `no-new-privileges[:true]`, `seccomp=unconfined|PROFILE`,
    /// `apparmor=PROFILE`, `label=…` (HostConfig.SecurityOpt).
    pub SecurityOpt: Vec<String>,
    /// Memory limit in bytes; 0 unlimited (HostConfig.Memory).
    pub Memory: i64,
    /// Memory plus swap limit in bytes; -1 unlimited swap, 0 unset (HostConfig.MemorySwap).
    pub MemorySwap: i64,
    /// Memory soft limit in bytes; 0 none (HostConfig.MemoryReservation).
    pub MemoryReservation: i64,
    /// Relative CPU weight against other containers; 0 means the default 1024
    /// (HostConfig.CpuShares).
    pub CpuShares: i64,
    /// `--cpus` in units of 10^-9 CPUs (1.5 CPUs = 1500000000); 0 unlimited (HostConfig.NanoCpus).
    pub NanoCpus: i64,
    /// CPU time per period in microseconds; 0 or -1 unlimited (HostConfig.CpuQuota).
    pub CpuQuota: i64,
    /// Length of a CPU period in microseconds; 0 the default 100000 (HostConfig.CpuPeriod).
    pub CpuPeriod: i64,
    /// CPUs it may run on (`0-3`, `0,1`); "" all (HostConfig.CpusetCpus).
    pub CpusetCpus: String,
    /// `null`, 0 or -1 mean unlimited.
    pub PidsLimit: Option<i64>,
    /// What the daemon does when it exits (HostConfig.RestartPolicy); `restartRetries()` counts the
    /// restarts.
    pub RestartPolicy: RestartPolicy,
    /// `--device` host devices made available (HostConfig.Devices).
    pub Devices: Vec<DeviceMapping>,
    /// `--device-cgroup-rule` entries (`c 1:3 mr`, `a *:* rwm`): device access granted in
    /// the devices cgroup without a device node.
    pub DeviceCgroupRules: Vec<String>,
    /// `--ulimit` resource limits; empty means the daemon's `default-ulimits` apply
    /// (HostConfig.Ulimits).
    pub Ulimits: Vec<Ulimit>,
    /// `--mount` specifications as given at creation (`HostConfig.Mounts`): an inline
    /// volume's driver options (`volume-opt=o=bind`) are here.
    pub Mounts: Vec<MountSpec>,
    /// Requested port publications, `PORT/PROTO` → host bindings (`-p`) (HostConfig.PortBindings);
    /// `NetworkSettings.Ports` has what is bound now.
    pub PortBindings: BTreeMap<String, Vec<PortBinding>>,
    /// `-P`: every exposed port is published on an ephemeral host port of every interface
    /// (HostConfig.PublishAllPorts).
    pub PublishAllPorts: bool,
    /// `null` when not set (the daemon default applies).
    pub Init: Option<bool>,
    /// Log driver and its options for this container (HostConfig.LogConfig).
    pub LogConfig: LogConfig,
    /// OCI runtime that runs it (`runc`, `runsc`, `io.containerd.runc.v2`); "" the daemon default
    /// (HostConfig.Runtime).
    pub Runtime: String,
    /// `--oom-kill-disable`: the kernel's OOM killer spares its processes; `null` when not set
    /// (HostConfig.OomKillDisable).
    pub OomKillDisable: Option<bool>,
    /// `--sysctl` kernel parameters set in its namespaces, name → value (HostConfig.Sysctls).
    pub Sysctls: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct RestartPolicy {
    /// "", "no", "always", "unless-stopped", "on-failure".
    pub Name: String,
    /// For `on-failure`: restarts before giving up; 0 without limit
    /// (HostConfig.RestartPolicy.MaximumRetryCount).
    pub MaximumRetryCount: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct DeviceMapping {
    /// Device node on the host (`/dev/sda`) (HostConfig.Devices[].PathOnHost).
    pub PathOnHost: String,
    /// Where it appears in the container (HostConfig.Devices[].PathInContainer).
    pub PathInContainer: String,
    /// Device cgroup access: letters of `r` read, `w` write, `m` mknod (`rwm`)
    /// (HostConfig.Devices[].CgroupPermissions).
    pub CgroupPermissions: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Ulimit {
    /// Resource name without `RLIMIT_` (`nofile`, `nproc`, `core`) (HostConfig.Ulimits[].Name).
    pub Name: String,
    /// Soft limit in the resource's unit (files, processes, bytes); -1 unlimited
    /// (HostConfig.Ulimits[].Soft).
    pub Soft: i64,
    /// Hard limit, the ceiling of the soft one; -1 unlimited (HostConfig.Ulimits[].Hard).
    pub Hard: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct PortBinding {
    /// Host address the port is bound to; "", `0.0.0.0` and `::` mean every interface
    /// (…PortBindings / Ports HostIp).
    pub HostIp: String,
    /// Host port as text, a number or a range `8000-8005`; "" lets Docker pick an ephemeral one
    /// (…PortBindings / Ports HostPort).
    pub HostPort: String,
}

/// One `--mount` specification (`HostConfig.Mounts[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct MountSpec {
    /// "bind", "volume", "tmpfs" (HostConfig.Mounts[].Type).
    pub Type: String,
    /// Host path of a bind, volume name of a volume; "" for an anonymous volume
    /// (HostConfig.Mounts[].Source).
    pub Source: String,
    /// The path in the container (HostConfig.Mounts[].Target).
    pub Target: String,
    /// Mounted read-only (HostConfig.Mounts[].ReadOnly).
    pub ReadOnly: bool,
    /// A volume's creation options; `null` for other types (HostConfig.Mounts[].VolumeOptions).
    pub VolumeOptions: Option<MountVolumeOptions>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct MountVolumeOptions {
    /// The volume driver and its options (`volume-driver=local`, `volume-opt=device=/etc`).
    pub DriverConfig: Option<MountDriverConfig>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct MountDriverConfig {
    /// The volume driver, `local` or a plugin's name (`volume-driver=`).
    pub Name: String,
    /// Driver options, option → value (`volume-opt=type=none`, `o=bind`, `device=/etc`).
    pub Options: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct LogConfig {
    /// Log driver (`json-file`, `local`, `journald`, `syslog`, `none`); "" the daemon's
    /// `log-driver` (HostConfig.LogConfig.Type).
    pub Type: String,
    /// Driver options, name → value (`max-size` = `10m`, `max-file` = `3`)
    /// (HostConfig.LogConfig.Config).
    pub Config: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct MountPoint {
    /// "bind", "volume", "tmpfs", "npipe".
    pub Type: String,
    /// Volume name for `volume` mounts (64 hex characters for an anonymous volume); "" otherwise
    /// (Mounts[].Name).
    pub Name: String,
    /// Host path (for binds) or the volume's path on the host.
    pub Source: String,
    /// Path inside the container (Mounts[].Destination).
    pub Destination: String,
    /// Volume driver for `volume` mounts (`local`); "" otherwise (Mounts[].Driver).
    pub Driver: String,
    /// Options given with `-v` as written (`ro`, `z`, `Z`, `rw,rshared`); "" when none
    /// (Mounts[].Mode).
    pub Mode: String,
    /// Whether the container may write to it (Mounts[].RW).
    pub RW: bool,
    /// Mount propagation: `rprivate`, `private`, `rshared`, `shared`, `rslave`, `slave`; "" for
    /// volumes (Mounts[].Propagation).
    pub Propagation: String,
    /// The volume's driver options (`type`, `o`, `device` of the local driver) as the daemon
    /// keeps them: live from `/volumes`, offline from `<data-root>/volumes/NAME/opts.json`.
    /// Empty for binds and for volumes without options.
    pub VolumeOptions: BTreeMap<String, String>,
    /// The host path the container really sees here, every symlink followed in the daemon's
    /// mount namespace (live, daemon on this host) or inside the clone (offline): for a bind
    /// its source, for a local volume mounted with `o=bind` its `device`. "" when not
    /// resolved (remote daemon, not a host path).
    pub Resolved: String,
    /// Unix sockets of the scanned daemon this host path is, or holds, matched by file
    /// identity (device and inode, so hard links and other spellings count). Empty when none
    /// or not known.
    pub Reaches: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct NetworkSettings {
    /// "80/tcp" → host bindings (`null` for exposed but unpublished ports becomes empty).
    pub Ports: BTreeMap<String, Vec<PortBinding>>,
    /// Attached networks by name, with its address on each (NetworkSettings.Networks).
    pub Networks: BTreeMap<String, EndpointSettings>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct EndpointSettings {
    /// ID of the network (64 hex characters) (NetworkSettings.Networks[].NetworkID).
    pub NetworkID: String,
    /// Its IPv4 address on that network; "" when not running
    /// (NetworkSettings.Networks[].IPAddress).
    pub IPAddress: String,
    /// Its global IPv6 address on that network; "" when none
    /// (NetworkSettings.Networks[].GlobalIPv6Address).
    pub GlobalIPv6Address: String,
}

/// One process of a container, read from the host's /proc (never by exec).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Process {
    /// PID in the host's namespace.
    pub Pid: i64,
    /// Parent PID in the host's namespace (`/proc/PID/stat`).
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
    /// Effective user ID as the container sees it (`/proc/PID/status` Uid, second column, mapped
    /// through its user namespace).
    pub EUid: i64,
    /// Real group ID as the container sees it (`/proc/PID/status` Gid, first column).
    pub Gid: i64,
    /// Effective group ID as the container sees it (`/proc/PID/status` Gid, second column).
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct GraphDriverData {
    /// The storage driver: `overlay2`, `fuse-overlayfs`, `btrfs` (GraphDriver.Name).
    pub Name: String,
    /// `UpperDir`, `LowerDir` (colon-separated, top first), `MergedDir`, `WorkDir`.
    pub Data: BTreeMap<String, String>,
}

/// A passwd file as the runtime reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct PasswdFacts {
    /// User name → UID (the first entry of a name).
    pub Users: BTreeMap<String, i64>,
    /// The file read: `/etc/passwd`, or where its link leads; "" when there is none.
    pub Path: String,
    /// Why it could not be read although it exists, else "".
    pub Problem: String,
}
