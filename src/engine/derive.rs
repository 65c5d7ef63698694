//! Facts computed once in Rust from the raw snapshot, for what is too intricate for an
//! expression: capability names, published ports. Exposed to checks as `c.Derived`.
#![allow(non_snake_case)]

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::snapshot::{Container, Image, Mode, MountPoint, MountSpec, Snapshot};

pub use crate::docker::image_reference;

/// Docker's default capability set (moby `oci/caps/defaults.go`).
pub const DEFAULT_CAPS: [&str; 14] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Derived {
    /// `HostConfig.CapAdd` normalised: `CAP_NET_ADMIN` form, `ALL` for all.
    pub CapAdd: Vec<String>,
    /// `HostConfig.CapDrop` normalised the same way.
    pub CapDrop: Vec<String>,
    /// Capabilities granted beyond Docker's default set: `["ALL"]` when privileged or
    /// `--cap-add ALL`, else the added ones that are not default.
    pub ExtraCapabilities: Vec<String>,
    /// Every host port the container publishes (running: actual bindings; created: requested).
    pub PublishedPorts: Vec<PublishedPort>,
    /// Command line of the container's PID 1 (the process with the host PID `State.Pid`);
    /// `null` when its processes are not known or it is not running.
    pub Pid1: Option<Vec<String>>,
    /// PID 1 is a shell running a command string (`sh -c "…"`): it does not forward
    /// SIGTERM to the program it started.
    pub Pid1ShellWrapper: bool,
    /// PID 1 is a process supervisor (supervisord, s6, runit, systemd…), "" otherwise.
    pub Supervisor: String,
    /// Processes of the container in state Z (zombies nobody reaps).
    pub Zombies: i64,
    /// Distinct programs running in the container, not counting init, shells and zombies.
    pub Programs: Vec<String>,
    /// Mount destinations of anonymous volumes (named by Docker with 64 hex digits).
    pub AnonymousVolumes: Vec<String>,
    /// The tag of `Config.Image` ("" when none is given, which means `latest`).
    pub ImageTag: String,
    /// `Config.Image` names an immutable image: by digest (`@sha256:…`) or by image ID.
    pub ImagePinned: bool,
    /// Whether the kernel's view of this container (`c.Kernel`) was read.
    pub Observed: bool,
    /// Why not, for a running container whose kernel view could not be read ("" otherwise):
    /// its verdicts then come from the configuration, and the evidence says so.
    pub NotObserved: String,
    /// CIS 4.1: the container's processes run as UID 0 (kernel: the init's real UID in the
    /// container's user namespace; configuration: `Config.User` resolved as the runtime
    /// does — numeric in any spelling, names through the image's /etc/passwd).
    pub User: UserFact,
    /// CIS 5.26: no-new-privileges is off (kernel: a process without NoNewPrivs;
    /// configuration: `SecurityOpt` in every form Docker accepts over the daemon default).
    pub NoNewPrivileges: Judged,
    /// CIS 5.22: no seccomp filter applies (kernel: Seccomp 0; configuration: privileged,
    /// `seccomp=unconfined`, or a daemon-wide unconfined or missing profile).
    pub Seccomp: Judged,
    /// CIS 5.4: capabilities beyond Docker's default set (kernel: the bounding set).
    pub Capabilities: Judged,
    /// CIS 5.5: privileged (kernel: every capability, no seccomp, no LSM confinement).
    pub Privileged: Judged,
    /// CIS 5.10, 5.16, 5.17, 5.21, 5.31: the host's namespaces are shared, directly or
    /// through `container:<name|id>` modes followed transitively, or as the kernel shows.
    pub HostNetwork: Judged,
    /// Shares the host's PID namespace (`--pid=host`, or through `container:` modes, or as the
    /// kernel shows) (CIS 5.16).
    pub HostPid: Judged,
    /// Shares the host's IPC namespace (`--ipc=host`, through `container:` modes, or as the kernel
    /// shows) (CIS 5.17).
    pub HostIpc: Judged,
    /// Shares the host's UTS namespace (`--uts=host`, or as the kernel shows) (CIS 5.21).
    pub HostUts: Judged,
    /// Shares the host's user namespace (`--userns=host` with userns-remap, or as the kernel shows)
    /// (CIS 5.31).
    pub HostUserns: Judged,
    /// CIS 5.11: no memory limit (kernel: the cgroup's limit).
    pub NoMemoryLimit: Judged,
    /// CIS 5.12: no CPU priority or limit (CpuShares 0 and 1024 are the default weight).
    pub NoCpuPriority: Judged,
    /// CIS 5.29: no PIDs limit (kernel: the cgroup's pids.max).
    pub NoPidsLimit: Judged,
    /// CIS 5.27: no working healthcheck: none, no test, `NONE` (from the image or
    /// `--no-healthcheck`), or unhealthy.
    pub Healthcheck: Judged,
    /// CIS 5.32: bind mounts of a socket the scanned daemon serves (its `hosts`, the scanned
    /// socket, `docker.sock`/`podman.sock` anywhere) or of a directory holding one, also
    /// through a symlink, a hard link or a local volume mounted with `o=bind`.
    pub DockerSocketMounts: Vec<String>,
    /// Host paths the container sees (CIS 5.6, 5.32): bind mounts, and local-driver volumes
    /// whose options make them bind mounts of their `device` (`type=none,o=bind`).
    pub HostBinds: Vec<HostBind>,
    /// CIS 5.7: the configured command starts sshd, also through a shell (`sh -c "… sshd"`).
    pub ConfiguredSshd: bool,
}

/// A host path mounted into the container.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct HostBind {
    /// The host path as configured: the bind's source, or the volume's `device`.
    pub Source: String,
    /// `Source` with every symlink followed ("" when not resolved: remote daemon).
    pub Resolved: String,
    /// The paths to judge: `Source`, and `Resolved` when it differs.
    pub Paths: Vec<String>,
    /// The path in the container (Mounts[].Destination).
    pub Destination: String,
    /// The container may write there (Mounts[].RW).
    pub RW: bool,
    /// "bind", or "volume NAME (local driver: o=bind, device=/etc)".
    pub Via: String,
    /// "/etc -> /host (rw)", naming the volume and the resolved path when there is one.
    pub Display: String,
}

/// A fact judged once in Rust: whether it is a finding, with the evidence (configuration
/// and observation when they differ).
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Judged {
    /// Whether the fact is a finding (the check's `finding` is usually just this).
    pub Finding: bool,
    /// What decided it, as report text: the configured value and, when they differ or one is
    /// missing, the observed one.
    pub Evidence: String,
    /// The finding is for review (INFO), not a verdict: what decides it is not known (a
    /// `container:` mode naming a container that is not there).
    pub Info: bool,
}

/// The container's user (CIS 4.1).
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct UserFact {
    /// The UID its processes run as; `null` when a user name cannot be resolved (the image's
    /// /etc/passwd was not read) and nothing was observed.
    pub Uid: Option<i64>,
    /// UID 0, whatever its name.
    pub Root: bool,
    /// Who it runs as for the report (`User=app (uid 1000 in the image's /etc/passwd)`), and the
    /// kernel's UID when it differs (`configured: …; kernel: uid 0`).
    pub Evidence: String,
    /// Why the UID is not known (a name the image's /etc/passwd does not resolve, layers not
    /// read) and nothing was observed: 4.1 cannot say PASS. "" when known.
    pub Unknown: String,
}

/// What `derive` needs beyond the container: the other containers (for `container:` modes),
/// images (passwd, healthcheck), the daemon's defaults and sockets. Built once per snapshot.
pub struct DeriveContext<'a> {
    /// Unix socket paths of engines that are not the scanned daemon but are as good as
    /// root (containerd's API); a bind of one is reported with 5.32.
    runtime_sockets: Vec<String>,
    by_id: HashMap<&'a str, &'a Container>,
    by_name: HashMap<&'a str, &'a Container>,
    images: HashMap<&'a str, &'a Image>,
    /// The daemon default for no-new-privileges and where it comes from.
    nnp_default: (bool, String),
    /// The seccomp profile the daemon applies to containers without their own: `Some("default")`,
    /// a path, `Some("unconfined")`; `None` when it applies none (not in its security options).
    daemon_seccomp: Option<String>,
    /// Unix socket paths the scanned daemon serves, each under `/run` and `/var/run`.
    sockets: Vec<String>,
    /// The daemon remaps user namespaces: sharing the host's is then an opt-out.
    userns_remap: bool,
}

impl<'a> DeriveContext<'a> {
    pub fn new(snap: &'a Snapshot) -> Self {
        let info = snap.daemon.Info.as_ref();
        let setting = |k: &str| snap.daemon.Config.Settings.get(k).map(|s| &s.Value);
        let secopts: &[String] = info.map(|i| i.SecurityOptions.as_slice()).unwrap_or(&[]);
        let nnp_default = if secopts.iter().any(|o| o == "name=no-new-privileges") {
            (
                true,
                "the daemon's default (no-new-privileges in docker info)".to_string(),
            )
        } else if setting("no-new-privileges").and_then(|v| v.as_bool()) == Some(true) {
            (
                true,
                "the daemon's default (\"no-new-privileges\": true)".to_string(),
            )
        } else {
            (false, "not set by the container or the daemon".to_string())
        };
        let daemon_seccomp = match info {
            Some(i) => i.SecurityOptions.iter().find_map(|o| {
                let rest = o.strip_prefix("name=seccomp")?;
                Some(
                    rest.split(',')
                        .find_map(|kv| kv.strip_prefix("profile="))
                        .unwrap_or("default")
                        .to_string(),
                )
            }),
            _ => Some(
                setting("seccomp-profile")
                    .and_then(|v| v.as_str())
                    .filter(|s| !s.is_empty())
                    .unwrap_or("default")
                    .to_string(),
            ),
        };
        let sockets = daemon_sockets(snap);
        DeriveContext {
            by_id: snap.containers.iter().map(|c| (c.Id.as_str(), c)).collect(),
            by_name: snap
                .containers
                .iter()
                .map(|c| (c.Name.as_str(), c))
                .collect(),
            images: snap.images.iter().map(|i| (i.Id.as_str(), i)).collect(),
            nnp_default,
            daemon_seccomp,
            sockets,
            runtime_sockets: RUNTIME_SOCKETS.iter().map(|p| p.to_string()).collect(),
            userns_remap: secopts.iter().any(|o| o == "name=userns"),
        }
    }

    /// The container a `container:<ref>` mode names: by full ID, name, or unique ID prefix.
    fn container(&self, reference: &str) -> Option<&'a Container> {
        let r = reference.trim_start_matches('/');
        if let Some(c) = self.by_id.get(r).or_else(|| self.by_name.get(r)) {
            return Some(c);
        }
        let mut found = self
            .by_id
            .iter()
            .filter(|(id, _)| r.len() >= 4 && id.starts_with(r));
        match (found.next(), found.next()) {
            (Some((_, c)), None) => Some(c),
            _ => None,
        }
    }
}

/// containerd's and CRI sockets: whoever reaches them can start a privileged container.
const RUNTIME_SOCKETS: [&str; 4] = [
    "/run/containerd/containerd.sock",
    "/run/docker/containerd/containerd.sock",
    "/run/crio/crio.sock",
    "/run/podman/podman.sock",
];

/// Unix socket paths the scanned daemon serves, each spelled under `/run` and `/var/run`:
/// the default socket, the scanned one (live), the serving process's sockets and the unix
/// addresses of its `hosts` setting. Sorted, without duplicates.
pub fn daemon_sockets(snap: &Snapshot) -> Vec<String> {
    let setting = |k: &str| snap.daemon.Config.Settings.get(k).map(|s| &s.Value);
    let mut sockets = vec!["/run/docker.sock".to_string()];
    if snap.source.mode == Mode::Live
        && let Some(path) = snap.source.location.strip_prefix("unix://")
    {
        sockets.push(run_path(path));
    }
    // Every socket the scanned daemon's process serves (its other -H sockets, podman.sock).
    sockets.extend(snap.daemon.Target.Sockets.iter().map(|p| run_path(p)));
    let hosts: Vec<String> = match setting("hosts") {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    for h in hosts {
        if let Some(path) = h.strip_prefix("unix://").filter(|p| !p.is_empty()) {
            sockets.push(run_path(path));
        }
    }
    // Both spellings: /var/run is a link to /run, and a bind of /var holds that link.
    let var_run: Vec<String> = sockets
        .iter()
        .filter_map(|p| p.strip_prefix("/run/").map(|r| format!("/var/run/{r}")))
        .collect();
    sockets.extend(var_run);
    sockets.sort();
    sockets.dedup();
    sockets
}

/// The host path a mount shows the container, and how: a bind's source, or the `device` of
/// a local-driver volume whose mount options hold `bind`/`rbind` (moby's local driver
/// mounts `device` with those options, so the kernel bind-mounts it whatever `type` says).
/// The options come from the volume (`VolumeOptions`), else from the container's `--mount`
/// specification for that destination (`volume-opt=`).
pub fn host_path(m: &MountPoint, specs: &[MountSpec]) -> Option<(String, String)> {
    if m.Type == "bind" || (m.Type.is_empty() && m.Source.starts_with('/')) {
        return Some((m.Source.clone(), "bind".to_string()));
    }
    if m.Type != "volume" || !matches!(m.Driver.as_str(), "" | "local") {
        return None;
    }
    let spec_options = || {
        let dst = m.Destination.trim_end_matches('/');
        specs
            .iter()
            .filter(|s| s.Type == "volume" && s.Target.trim_end_matches('/') == dst)
            .filter_map(|s| s.VolumeOptions.as_ref()?.DriverConfig.as_ref())
            .find(|d| matches!(d.Name.as_str(), "" | "local"))
            .map(|d| &d.Options)
    };
    let options = if m.VolumeOptions.is_empty() {
        spec_options()?
    } else {
        &m.VolumeOptions
    };
    let o = options.get("o").map(String::as_str).unwrap_or("");
    let device = options.get("device").map(String::as_str).unwrap_or("");
    let bind = o.split(',').any(|x| matches!(x.trim(), "bind" | "rbind"));
    if !bind || device.is_empty() {
        return None;
    }
    let name = if crate::docker::is_anonymous_volume(&m.Name) {
        "(anonymous)".to_string()
    } else {
        m.Name.clone()
    };
    Some((
        device.to_string(),
        format!("volume {name} (local driver: o={o}, device={device})"),
    ))
}

fn host_binds(c: &Container) -> Vec<HostBind> {
    c.Mounts
        .iter()
        .filter_map(|m| {
            let (source, via) = host_path(m, &c.HostConfig.Mounts)?;
            let resolved = m.Resolved.clone();
            let mut paths = vec![source.clone()];
            if !resolved.is_empty() && resolved != source {
                paths.push(resolved.clone());
            }
            let rw = if m.RW { "rw" } else { "ro" };
            let mut display = format!("{source} -> {} ({rw})", m.Destination);
            if via != "bind" {
                display.push_str(&format!(" [{via}]"));
            }
            if paths.len() > 1 && run_path(&source) != run_path(&resolved) {
                display.push_str(&format!(" [resolves to {resolved}]"));
            }
            Some(HostBind {
                Source: source,
                Resolved: resolved,
                Paths: paths,
                Destination: m.Destination.clone(),
                RW: m.RW,
                Via: via,
                Display: display,
            })
        })
        .collect()
}

/// `/var/run/x` as `/run/x` (on every current distribution /var/run links to /run).
fn run_path(path: &str) -> String {
    match path.strip_prefix("/var/run/") {
        Some(rest) => format!("/run/{rest}"),
        None if path == "/var/run" => "/run".to_string(),
        None => path.to_string(),
    }
}

/// Facts computed for an image, as `image.Derived`.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct ImageDerived {
    /// Whole days between the image's `Created` and the time of collection; `null` when
    /// either is unknown.
    pub AgeDays: Option<i64>,
    /// Size in whole megabytes (10^6 bytes).
    pub SizeMB: i64,
    /// Secrets found in Config.Env, Config.Labels and History (CIS 4.10): the place and
    /// the key, never the value.
    pub Secrets: Vec<String>,
}

/// Shells that run a command string with `-c`.
const SHELLS: [&str; 6] = ["sh", "bash", "ash", "dash", "zsh", "ksh"];
/// Init processes that forward signals and reap zombies.
const INITS: [&str; 5] = [
    "docker-init",
    "tini",
    "dumb-init",
    "catatonit",
    "tini-static",
];
/// Process supervisors: several services in one container.
const SUPERVISORS: [&str; 9] = [
    "supervisord",
    "s6-svscan",
    "runsvdir",
    "runsv",
    "systemd",
    "init",
    "monit",
    "pm2",
    "circusd",
];

pub fn derive_image(
    i: &crate::snapshot::Image,
    now: Option<chrono::DateTime<chrono::Utc>>,
) -> ImageDerived {
    let created = chrono::DateTime::parse_from_rfc3339(&i.Created).ok();
    ImageDerived {
        AgeDays: match (created, now) {
            (Some(c), Some(n)) if c.timestamp() > 0 => {
                Some((n.timestamp() - c.timestamp()).max(0) / 86_400)
            }
            _ => None,
        },
        SizeMB: i.Size / 1_000_000,
        Secrets: super::secrets::scan(&i.Config.Env, &i.Config.Labels, &i.History),
    }
}

fn base_name(arg: &str) -> &str {
    arg.rsplit('/').next().unwrap_or(arg)
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct PublishedPort {
    /// Host address as Docker reports it ("" and "0.0.0.0" and "::" all mean every interface).
    pub HostIp: String,
    /// Host port (the first of a range); 0 when Docker picks an ephemeral one at start.
    pub HostPort: i64,
    /// Last host port of a requested range (`-p 80-85:8080`, created containers); equals
    /// `HostPort` for a single port. Every port of the range counts.
    pub HostPortLast: i64,
    /// "80/tcp".
    pub ContainerPort: String,
    /// Bound on every IPv4 or IPv6 interface.
    pub AllInterfaces: bool,
    /// "0.0.0.0:8080->80/tcp", "[::]:8080->80/tcp".
    pub Display: String,
}

/// Normalises a capability name as stored by any Docker client: `net_admin`,
/// `NET_ADMIN`, `CAP_NET_ADMIN` → `CAP_NET_ADMIN`; `all` → `ALL`.
pub fn normalize_cap(raw: &str) -> String {
    let upper = raw.trim().to_ascii_uppercase();
    match upper.as_str() {
        "ALL" | "CAP_ALL" => "ALL".to_string(),
        _ if upper.starts_with("CAP_") => upper,
        _ => format!("CAP_{upper}"),
    }
}

pub fn derive(c: &Container, ctx: &DeriveContext) -> Derived {
    let cap_add: Vec<String> = dedup(c.HostConfig.CapAdd.iter().map(|s| normalize_cap(s)));
    let cap_drop: Vec<String> = dedup(c.HostConfig.CapDrop.iter().map(|s| normalize_cap(s)));
    let extra = if c.HostConfig.Privileged || cap_add.iter().any(|x| x == "ALL") {
        vec!["ALL".to_string()]
    } else {
        cap_add
            .iter()
            .filter(|cap| !DEFAULT_CAPS.contains(&cap.as_str()))
            .cloned()
            .collect()
    };
    let procs = c.Processes.as_ref();
    let pid1 = procs.and_then(|ps| ps.iter().find(|p| p.Pid == c.State.Pid && c.State.Pid > 0));
    let pid1_args = pid1.map(|p| {
        if p.Args.is_empty() {
            vec![p.Comm.clone()]
        } else {
            p.Args.clone()
        }
    });
    let pid1_name = pid1_args
        .as_ref()
        .and_then(|a| a.first())
        .map(|a| base_name(a).to_string())
        .unwrap_or_default();
    let wrapper = pid1_args.as_ref().is_some_and(|a| shell_command(a));
    let supervisor = if SUPERVISORS.contains(&pid1_name.as_str()) {
        pid1_name.clone()
    } else {
        // Interpreted supervisors show as `python /usr/bin/supervisord`.
        pid1_args
            .as_ref()
            .and_then(|a| {
                a.iter()
                    .skip(1)
                    .take(2)
                    .map(|x| base_name(x))
                    .find(|x| SUPERVISORS.contains(x))
            })
            .unwrap_or_default()
            .to_string()
    };
    let mut programs: Vec<String> = Vec::new();
    for p in procs.into_iter().flatten() {
        let comm = p.Comm.as_str();
        if p.State == "Z" || SHELLS.contains(&comm) || INITS.contains(&comm) || comm == supervisor {
            continue;
        }
        if !programs.iter().any(|x| x == comm) {
            programs.push(comm.to_string());
        }
    }
    let anonymous = c
        .Mounts
        .iter()
        .filter(|m| m.Type == "volume" && crate::docker::is_anonymous_volume(&m.Name))
        .map(|m| m.Destination.clone())
        .collect();
    let (tag, pinned) = image_reference(&c.Config.Image);
    let observed = c.Kernel.Status.is_available();
    let not_observed = if observed || !c.State.Running {
        String::new()
    } else {
        c.Kernel.Status.reason().to_string()
    };
    let note = |evidence: String| {
        if not_observed.is_empty() {
            evidence
        } else {
            format!("{evidence} (configuration only: {not_observed})")
        }
    };
    let j = |finding: bool, evidence: String| Judged {
        Finding: finding,
        Evidence: if finding { note(evidence) } else { evidence },
        Info: false,
    };
    let ns = |(finding, evidence, info): (bool, String, bool)| Judged {
        Info: info,
        ..j(finding, evidence)
    };
    let image = ctx.images.get(c.Image.as_str()).copied();
    let user = user_fact(c, image, &note);
    let nnp = no_new_privileges(c, ctx);
    let seccomp = seccomp(c, ctx);
    let caps = capabilities(c, &extra);
    let privileged = privileged(c);
    let [net, pid, ipc, uts, userns] =
        [Ns::Net, Ns::Pid, Ns::Ipc, Ns::Uts, Ns::User].map(|kind| host_namespace(c, ctx, kind));
    let memory = limit_fact(
        c.HostConfig.Memory > 0,
        "Memory=0 (unlimited)",
        observed.then(|| c.Kernel.Cgroup.MemoryLimit.map(|v| format!("{v} bytes"))),
        "memory",
        &c.Kernel.Cgroup,
    );
    let pids_set = c.HostConfig.PidsLimit.is_some_and(|v| v > 0);
    let pids = limit_fact(
        pids_set,
        &match c.HostConfig.PidsLimit {
            None => "PidsLimit not set (unlimited)".to_string(),
            Some(v) => format!("PidsLimit={v} (unlimited)"),
        },
        observed.then(|| c.Kernel.Cgroup.PidsLimit.map(|v| v.to_string())),
        "pids",
        &c.Kernel.Cgroup,
    );
    let cpu = cpu_priority(c);
    let health = healthcheck(c, image);
    let binds = host_binds(c);
    Derived {
        Observed: observed,
        NotObserved: not_observed.clone(),
        User: user,
        NoNewPrivileges: j(nnp.0, nnp.1),
        Seccomp: j(seccomp.0, seccomp.1),
        Capabilities: j(caps.0, caps.1),
        Privileged: j(privileged.0, privileged.1),
        HostNetwork: ns(net),
        HostPid: ns(pid),
        HostIpc: ns(ipc),
        HostUts: ns(uts),
        HostUserns: ns(userns),
        NoMemoryLimit: j(memory.0, memory.1),
        NoCpuPriority: j(cpu.0, cpu.1),
        NoPidsLimit: j(pids.0, pids.1),
        Healthcheck: j(health.0, health.1),
        DockerSocketMounts: docker_socket_mounts(c, &binds, ctx),
        HostBinds: binds,
        ConfiguredSshd: configured_sshd(c),
        CapAdd: cap_add,
        CapDrop: cap_drop,
        ExtraCapabilities: extra,
        PublishedPorts: published_ports(c),
        Pid1: pid1_args,
        Pid1ShellWrapper: wrapper,
        Supervisor: supervisor,
        Zombies: procs.map_or(0, |ps| ps.iter().filter(|p| p.State == "Z").count() as i64),
        Programs: programs,
        AnonymousVolumes: anonymous,
        ImageTag: tag,
        ImagePinned: pinned,
    }
}

/// A shell running a command string: `sh -c`, `bash -lc`, `sh -ec`, `busybox sh -xc` (any
/// cluster of single-letter options that holds `c`).
pub fn shell_command(args: &[String]) -> bool {
    let Some(first) = args.first() else {
        return false;
    };
    let name = base_name(first);
    let rest = if SHELLS.contains(&name) {
        &args[1..]
    } else if name == "busybox" && args.get(1).is_some_and(|s| SHELLS.contains(&base_name(s))) {
        &args[2..]
    } else {
        return false;
    };
    rest.iter().any(|a| {
        a.len() > 1
            && a.starts_with('-')
            && a[1..].bytes().all(|b| b.is_ascii_alphabetic())
            && a[1..].contains('c')
    })
}

/// Go's `strconv.ParseBool`, which Docker uses for option values.
pub fn go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// A `--security-opt` as Docker splits it (moby `parseSecurityOpt`): `key=value`, else the
/// deprecated `key:value`; `None` for a bare word.
pub fn security_opt(opt: &str) -> Option<(&str, &str)> {
    if opt.contains('=') {
        opt.split_once('=')
    } else {
        opt.split_once(':')
    }
}

fn user_fact(c: &Container, image: Option<&Image>, note: &dyn Fn(String) -> String) -> UserFact {
    let spec = c.Config.User.as_str();
    let name = spec.split(':').next().unwrap_or("");
    // As the runtime resolves it (moby/sys/user): a number is a UID in any spelling
    // (`00`, `+0`); a name is looked up in the container's /etc/passwd.
    let (configured, desc): (Option<i64>, String) = if name.is_empty() {
        let desc = if spec.is_empty() {
            "no user set: runs as root".to_string()
        } else {
            format!("User={spec} (no user part: runs as root)")
        };
        (Some(0), desc)
    } else if let Ok(n) = name.parse::<i64>() {
        if n < 0 {
            (
                None,
                format!("User={spec} (not a valid UID: the container cannot start)"),
            )
        } else if name == n.to_string() {
            (Some(n), format!("User={spec}"))
        } else {
            (Some(n), format!("User={spec} (uid {n})"))
        }
    } else {
        let layers = image.map(|i| &i.Layers);
        let from = layers
            .map(|l| l.PasswdPath.as_str())
            .filter(|p| !p.is_empty() && *p != "/etc/passwd")
            .map(|p| format!("the image's /etc/passwd (a link to {p})"))
            .unwrap_or_else(|| "the image's /etc/passwd".to_string());
        // The container's own passwd, when read, is what the runtime reads at start.
        let own = c
            .Passwd
            .as_ref()
            .filter(|p| p.Problem.is_empty() && !p.Path.is_empty());
        if let Some(uid) = own.and_then(|p| p.Users.get(name)) {
            let differs = layers.and_then(|l| l.Users.get(name)) != Some(uid);
            let shown = if differs {
                "the container's /etc/passwd (changed in its writable layer)"
            } else {
                "the image's /etc/passwd"
            };
            (Some(*uid), format!("User={spec} (uid {uid} in {shown})"))
        } else {
            match layers.and_then(|l| l.Users.get(name)) {
                Some(uid) => (Some(*uid), format!("User={spec} (uid {uid} in {from})")),
                None if name == "root" => (Some(0), format!("User={spec}")),
                None => {
                    let why = match layers {
                    None => "the image was not inspected".to_string(),
                    Some(l) if !l.Status.is_available() => match l.Status.reason() {
                        "" => "the image's layers were not read".to_string(),
                        why => format!("the image's layers were not read: {why}"),
                    },
                    Some(l) if !l.PasswdProblem.is_empty() => l.PasswdProblem.clone(),
                    Some(l) if l.PasswdPath.is_empty() && l.Users.is_empty() => {
                        "the image has no /etc/passwd: the runtime refuses to start it (unable to find user)".to_string()
                    }
                    Some(_) => format!(
                        "no such name in {from}: the runtime refuses to start it (unable to find user)"
                    ),
                };
                    (
                        None,
                        format!("User={spec} (the name could not be resolved: {why})"),
                    )
                }
            }
        }
    };
    // The configuration decides for every process Docker starts as the container's user
    // (`docker exec` sessions too), so a root configuration stays a finding when the init
    // switched users (`su app -c …`, gosu); the kernel view only adds findings.
    let (uid, root, evidence) = if c.Kernel.Status.is_available() {
        let k = &c.Kernel;
        let setuid = if k.EUid != k.Uid {
            format!(" (effective uid {}: a setuid program)", k.EUid)
        } else {
            String::new()
        };
        let evidence = if configured == Some(k.Uid) {
            format!("{desc}{setuid}")
        } else if configured == Some(0) {
            format!(
                "configured: {desc}; kernel: uid {}{setuid} (the init switched users; docker exec and other processes Docker starts run as root)",
                k.Uid
            )
        } else {
            format!("configured: {desc}; kernel: uid {}{setuid}", k.Uid)
        };
        let uid = if configured == Some(0) { 0 } else { k.Uid };
        (Some(uid), uid == 0, evidence)
    } else {
        (configured, configured == Some(0), desc)
    };
    UserFact {
        Uid: uid,
        Root: root,
        Unknown: if uid.is_none() {
            note(evidence.clone())
        } else {
            String::new()
        },
        Evidence: if root { note(evidence) } else { evidence },
    }
}

fn no_new_privileges(c: &Container, ctx: &DeriveContext) -> (bool, String) {
    let (mut on, mut source) = ctx.nnp_default.clone();
    for o in &c.HostConfig.SecurityOpt {
        // The container's options override the daemon default; the last one wins.
        let value = if o == "no-new-privileges" {
            Some(true)
        } else {
            match security_opt(o) {
                Some(("no-new-privileges", v)) => go_bool(v),
                _ => None,
            }
        };
        if let Some(v) = value {
            on = v;
            source = format!("SecurityOpt={o}");
        }
    }
    let configured = if on {
        format!("no-new-privileges=true ({source})")
    } else if source.starts_with("SecurityOpt=") {
        let over = if ctx.nnp_default.0 {
            ", overriding the daemon's default"
        } else {
            ""
        };
        format!("{source}{over}")
    } else {
        format!("no-new-privileges {source}")
    };
    // Processes read from /proc (also in snapshots saved before `Kernel` existed) decide.
    let procs = c.Processes.as_deref().unwrap_or(&[]);
    if procs.is_empty() {
        let evidence = if on || source.starts_with("SecurityOpt=") {
            configured
        } else {
            "no-new-privileges not in SecurityOpt and not set by the daemon".to_string()
        };
        return (!on, evidence);
    }
    let offenders: Vec<String> = procs
        .iter()
        .filter(|p| !p.NoNewPrivs)
        .map(|p| format!("pid {} ({}): NoNewPrivs=0", p.Pid, p.Comm))
        .collect();
    // The configuration decides for every process Docker starts (`docker exec` sessions
    // get no-new-privileges from it, whatever the init did with prctl): the kernel only adds.
    let finding = !on || !offenders.is_empty();
    let evidence = match (offenders.is_empty(), on) {
        (false, false) => offenders.join(", "),
        (false, true) => format!("configured: {configured}; kernel: {}", offenders.join(", ")),
        (true, false) => format!(
            "configured: {configured}; kernel: NoNewPrivs=1 for all {} process(es), set by the container's own program (docker exec sessions start without it)",
            procs.len()
        ),
        (true, true) => format!("kernel: NoNewPrivs=1 for all {} process(es)", procs.len()),
    };
    (finding, evidence)
}

fn seccomp(c: &Container, ctx: &DeriveContext) -> (bool, String) {
    let own = c
        .HostConfig
        .SecurityOpt
        .iter()
        .filter_map(|o| match security_opt(o) {
            Some(("seccomp", v)) => Some((o, v)),
            _ => None,
        })
        .next_back();
    let (unconfined, desc) = if c.HostConfig.Privileged {
        (true, "Privileged=true (seccomp disabled)".to_string())
    } else {
        match own {
            // Shown as configured (`seccomp:unconfined` too).
            Some((o, "unconfined")) => (true, format!("SecurityOpt={o}")),
            Some((_, p)) if p.trim_start().starts_with('{') => allow_all_profile(p),
            Some((o, _)) => (false, format!("SecurityOpt={o}")),
            None => match ctx.daemon_seccomp.as_deref() {
                Some("unconfined") => (
                    true,
                    "the daemon's seccomp profile is unconfined (seccomp-profile applies to every container without its own)".to_string(),
                ),
                Some(p) => (false, format!("the daemon's seccomp profile ({p})")),
                None => (
                    true,
                    "the daemon applies no seccomp profile (seccomp is not in its security options)"
                        .to_string(),
                ),
            },
        }
    };
    if !c.Kernel.Status.is_available() {
        return (unconfined, desc);
    }
    let mode = c.Kernel.Seccomp;
    let none = mode == 0;
    // A filter the container's program installed itself does not confine `docker exec`
    // sessions: an unconfined configuration stays a finding, the kernel only adds.
    let evidence = match (none, unconfined) {
        (true, true) => desc,
        (true, false) => format!("kernel: Seccomp 0 (no filter); configured: {desc}"),
        (false, true) => format!(
            "configured: {desc}; kernel: Seccomp {mode} (the configuration decides: docker exec sessions get the configured profile)"
        ),
        (false, false) => format!("kernel: Seccomp {mode}; configured: {desc}"),
    };
    (none || unconfined, evidence)
}

/// A custom profile (the CLI stores its JSON in `SecurityOpt`): one whose default action
/// allows (or only logs) every system call it does not list filters close to nothing.
fn allow_all_profile(json: &str) -> (bool, String) {
    let profile: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let action = profile
        .get("defaultAction")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let rules = profile
        .get("syscalls")
        .and_then(|v| v.as_array())
        .map_or(0, |a| a.len());
    if matches!(action, "SCMP_ACT_ALLOW" | "SCMP_ACT_LOG") {
        (
            true,
            format!(
                "SecurityOpt=seccomp=<custom profile> with defaultAction {action} and {rules} syscall rule(s): every other system call is allowed"
            ),
        )
    } else {
        let shown = if action.is_empty() { "?" } else { action };
        (
            false,
            format!("SecurityOpt=seccomp=<custom profile, defaultAction {shown}>"),
        )
    }
}

fn capabilities(c: &Container, extra: &[String]) -> (bool, String) {
    let desc = if c.HostConfig.Privileged {
        "Privileged=true (all capabilities)".to_string()
    } else {
        format!("CapAdd={}", extra.join(","))
    };
    if !c.Kernel.Status.is_available() {
        return (!extra.is_empty(), desc);
    }
    let k = &c.Kernel;
    let kernel: Vec<String> = if k.AllCapabilities {
        vec!["ALL".to_string()]
    } else {
        k.CapBnd
            .iter()
            .filter(|cap| !DEFAULT_CAPS.contains(&cap.as_str()))
            .cloned()
            .collect()
    };
    // Capabilities the init dropped from its own bounding set are still granted to
    // `docker exec` sessions: the configuration stays a finding, the kernel only adds.
    let finding = !kernel.is_empty() || !extra.is_empty();
    let evidence = if kernel == extra {
        desc
    } else {
        let configured = if extra.is_empty() {
            "no capability beyond the default set".to_string()
        } else {
            desc
        };
        let observed = if kernel.is_empty() {
            "no capability beyond the default set in the bounding set".to_string()
        } else {
            format!("bounding set holds {}", kernel.join(","))
        };
        format!("kernel: {observed}; configured: {configured}")
    };
    (finding, evidence)
}

fn privileged(c: &Container) -> (bool, String) {
    let k = &c.Kernel;
    let unconfined_lsm =
        k.Label.is_empty() || k.Label.starts_with("unconfined") || k.Label.contains(":spc_t:");
    let kernel = k.Status.is_available() && k.AllCapabilities && k.Seccomp == 0 && unconfined_lsm;
    if c.HostConfig.Privileged {
        (true, "Privileged=true".to_string())
    } else if kernel {
        (
            true,
            "kernel: every capability, no seccomp filter, no LSM confinement; configured: Privileged=false".to_string(),
        )
    } else {
        (false, "Privileged=false".to_string())
    }
}

#[derive(Clone, Copy)]
enum Ns {
    Net,
    Pid,
    Ipc,
    Uts,
    User,
}

impl Ns {
    fn field(self) -> &'static str {
        match self {
            Ns::Net => "NetworkMode",
            Ns::Pid => "PidMode",
            Ns::Ipc => "IpcMode",
            Ns::Uts => "UTSMode",
            Ns::User => "UsernsMode",
        }
    }
    fn kernel(self) -> &'static str {
        match self {
            Ns::Net => "net",
            Ns::Pid => "pid",
            Ns::Ipc => "ipc",
            Ns::Uts => "uts",
            Ns::User => "user",
        }
    }
    fn mode(self, c: &Container) -> &str {
        let h = &c.HostConfig;
        match self {
            Ns::Net => &h.NetworkMode,
            Ns::Pid => &h.PidMode,
            Ns::Ipc => &h.IpcMode,
            Ns::Uts => &h.UTSMode,
            Ns::User => &h.UsernsMode,
        }
    }
}

/// Whether the container shares the host's namespace of `kind`: its mode is `host`, or it
/// joins (`container:<name|id>`, transitively) a container whose mode is, or the kernel shows
/// its init in the host's namespace. A user namespace is judged by the kernel only where
/// the daemon remaps users (without remapping every container shares the host's).
fn host_namespace(c: &Container, ctx: &DeriveContext, kind: Ns) -> (bool, String, bool) {
    let field = kind.field();
    let mut parts = Vec::new();
    let mut current = c;
    let mut host = false;
    let mut visited = vec![c.Id.as_str()];
    let mut unknown_join: Option<String> = None;
    loop {
        let mode = kind.mode(current);
        // `host` in any case is the host's (moby compares case-insensitively for userns).
        let mode = if mode.eq_ignore_ascii_case("host") {
            "host"
        } else {
            mode
        };
        let shown = if std::ptr::eq(current, c) {
            format!("{field}={mode}")
        } else {
            format!("{}: {field}={mode}", current.Name)
        };
        parts.push(shown);
        if mode.eq_ignore_ascii_case("host") {
            host = true;
            break;
        }
        let Some(target) = mode.strip_prefix("container:") else {
            break;
        };
        match ctx.container(target) {
            Some(t) if !visited.contains(&t.Id.as_str()) => {
                visited.push(t.Id.as_str());
                current = t;
            }
            Some(_) => break,
            None => {
                parts.push(format!("{target}: not in this scan"));
                unknown_join = Some(target.to_string());
                break;
            }
        }
    }
    let desc = parts.join(" → ");
    let applies = !matches!(kind, Ns::User) || ctx.userns_remap;
    let k = &c.Kernel;
    if !k.Status.is_available()
        || !applies
        || k.UnknownNamespaces.iter().any(|n| n == kind.kernel())
    {
        // A stopped container (a running one joins a running container, which is scanned
        // too, and its kernel view decides).
        if let Some(target) = unknown_join.filter(|_| !host && !c.State.Running) {
            // Whether the joined container shares the host's namespace cannot be told.
            return (
                true,
                format!(
                    "{desc}: the joined container {target} is unknown, so whether it uses the host's {} namespace cannot be judged (INFO)",
                    kind.kernel()
                ),
                true,
            );
        }
        return (host, desc, false);
    }
    let kernel = k.HostNamespaces.iter().any(|n| n == kind.kernel());
    let name = kind.kernel();
    let evidence = match (host, kernel) {
        (true, true) => desc,
        (false, true) => format!("kernel: the {name} namespace is the host's; configured: {desc}"),
        (true, false) => format!("{desc} (kernel: not the host init's {name} namespace)"),
        (false, false) => format!("kernel: own {name} namespace; configured: {desc}"),
    };
    (host || kernel, evidence, false)
}

/// A limit judged from the kernel's cgroup when it was read (`kernel`: `Some(limit)`, the
/// limit `None` when unlimited), else from the configuration.
fn limit_fact(
    configured: bool,
    desc: &str,
    kernel: Option<Option<String>>,
    what: &str,
    cgroup: &crate::snapshot::CgroupLimits,
) -> (bool, String) {
    match kernel {
        Some(limit) if cgroup.Status.is_available() => match (limit, configured) {
            (None, false) => (true, desc.to_string()),
            (None, true) => (
                true,
                format!("kernel: no {what} limit in the container's cgroup (configured: set)"),
            ),
            (Some(v), _) => (false, format!("kernel: {what} limit {v}")),
        },
        _ => (!configured, desc.to_string()),
    }
}

fn cpu_priority(c: &Container) -> (bool, String) {
    let h = &c.HostConfig;
    // 1024 is the default weight (CIS audit: "0 or 1024" means shares are not set).
    let shares = !matches!(h.CpuShares, 0 | 1024);
    let set = shares || h.NanoCpus > 0 || h.CpuQuota > 0 || !h.CpusetCpus.is_empty();
    let k = &c.Kernel;
    let weight = k
        .Cgroup
        .CpuWeight
        .filter(|_| k.Status.is_available() && k.Cgroup.Status.is_available());
    let default_weight = if k.Cgroup.Version == "v2" { 100 } else { 1024 };
    if let Some(w) = weight
        && !set
        && w != default_weight
    {
        return (false, format!("kernel: CPU weight {w}"));
    }
    let desc = if h.CpuShares == 1024 {
        "CpuShares=1024 is the default weight; no NanoCpus, CpuQuota or CpusetCpus set"
    } else {
        "no CpuShares, NanoCpus, CpuQuota or CpusetCpus set"
    };
    (!set, desc.to_string())
}

fn healthcheck(c: &Container, image: Option<&Image>) -> (bool, String) {
    let Some(h) = &c.Config.Healthcheck else {
        return (true, "no healthcheck".to_string());
    };
    match h.Test.first().map(String::as_str) {
        None => (
            true,
            "healthcheck options without a test (no --health-cmd, none in the image): no healthcheck".to_string(),
        ),
        Some("NONE") => {
            let from_image = image
                .and_then(|i| i.Config.Healthcheck.as_ref())
                .is_some_and(|ih| ih.Test.first().map(String::as_str) == Some("NONE"));
            if from_image {
                (true, "healthcheck disabled in the image (HEALTHCHECK NONE)".to_string())
            } else {
                (true, "healthcheck disabled (--no-healthcheck)".to_string())
            }
        }
        // moby's getProbe knows exactly these two (case-sensitive); any other type gets no
        // probe ("Unknown healthcheck type"), and State.Health stays null.
        Some(kind @ ("CMD" | "CMD-SHELL")) if h.Test.len() < 2 => (
            true,
            format!("healthcheck {kind} without a command: no working probe"),
        ),
        Some("CMD" | "CMD-SHELL") => match &c.State.Health {
            Some(s) if s.Status == "unhealthy" => (
                true,
                format!("unhealthy (failing streak {})", s.FailingStreak),
            ),
            None if c.State.Running => (
                true,
                format!(
                    "healthcheck: {}, but Docker runs no probe (State.Health is null)",
                    h.Test.join(" ")
                ),
            ),
            _ => (false, format!("healthcheck: {}", h.Test.join(" "))),
        },
        Some(other) => (
            true,
            format!(
                "healthcheck type '{other}' is unknown to Docker (only CMD, CMD-SHELL and NONE): no probe runs"
            ),
        ),
    }
}

fn path_within(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

fn docker_socket_mounts(c: &Container, binds: &[HostBind], ctx: &DeriveContext) -> Vec<String> {
    binds
        .iter()
        .filter_map(|b| {
            let m = c.Mounts.iter().find(|m| m.Destination == b.Destination);
            let reaches = m.map(|m| m.Reaches.as_slice()).unwrap_or(&[]);
            let dst = b.Destination.trim_end_matches('/');
            // A host file bound where containers look for the engine socket is one (a remote
            // scan does not know the daemon's own socket path).
            let names_socket = |p: &str| {
                let p = p.trim_end_matches('/');
                matches!(base_name(p), "docker.sock" | "podman.sock")
                    || ctx.sockets.iter().any(|s| path_within(s, p))
            };
            let by_source =
                names_socket(&b.Source) || matches!(base_name(dst), "docker.sock" | "podman.sock");
            let by_link = !by_source && !b.Resolved.is_empty() && names_socket(&b.Resolved);
            let named = by_source || by_link;
            let runtime = b
                .Paths
                .iter()
                .flat_map(|p| {
                    let p = run_path(p.trim_end_matches('/'));
                    ctx.runtime_sockets
                        .iter()
                        .filter(move |s| path_within(s, &p))
                        .cloned()
                })
                .next();
            let how = if b.RW {
                " (rw)"
            } else {
                " (ro: a read-only mount does not stop API calls)"
            };
            let mut shown = format!("{} -> {}{how}", b.Source, b.Destination);
            if b.Via != "bind" {
                shown.push_str(&format!(" [{}]", b.Via));
            }
            // Only what explains the finding: the link's target, else the file identity.
            if by_link {
                shown.push_str(&format!(" [resolves to {}]", b.Resolved));
            } else if !named && !reaches.is_empty() {
                let more = match reaches.len() {
                    n if n > 2 => format!(" and {} more", n - 2),
                    _ => String::new(),
                };
                shown.push_str(&format!(
                    " [by device and inode: is or holds the daemon's {}{more}]",
                    reaches[..reaches.len().min(2)].join(", ")
                ));
            }
            if named || !reaches.is_empty() {
                Some(shown)
            } else {
                runtime
                    .map(|s| format!("{shown} [{s}: a container runtime's API, as good as root]"))
            }
        })
        .collect()
}

fn configured_sshd(c: &Container) -> bool {
    c.Config
        .Entrypoint
        .iter()
        .chain(&c.Config.Cmd)
        .flat_map(|a| a.split(|ch: char| ch.is_whitespace() || ";&|()`'\"".contains(ch)))
        .any(|word| base_name(word) == "sshd")
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

fn published_ports(c: &Container) -> Vec<PublishedPort> {
    // A running container's actual bindings are authoritative; a created or stopped one only
    // has what was requested.
    let actual: Vec<_> = c
        .NetworkSettings
        .Ports
        .iter()
        .filter(|(_, b)| !b.is_empty())
        .collect();
    let source = if c.State.Running || !actual.is_empty() {
        actual
    } else {
        c.HostConfig.PortBindings.iter().collect()
    };
    let mut out = Vec::new();
    for (container_port, bindings) in source {
        for b in bindings {
            let ip = b
                .HostIp
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let all = matches!(ip.as_str(), "" | "0.0.0.0" | "::");
            let (port, last) = match b.HostPort.split_once('-') {
                Some((a, z)) => (
                    a.trim().parse::<i64>().unwrap_or(0),
                    z.trim().parse::<i64>().unwrap_or(0),
                ),
                None => {
                    let p = b.HostPort.trim().parse::<i64>().unwrap_or(0);
                    (p, p)
                }
            };
            let shown_ip = match ip.as_str() {
                "" => "0.0.0.0".to_string(),
                v6 if v6.contains(':') => format!("[{v6}]"),
                v4 => v4.to_string(),
            };
            let shown_port = if port == 0 {
                "*".to_string()
            } else if last > port {
                format!("{port}-{last}")
            } else {
                port.to_string()
            };
            out.push(PublishedPort {
                Display: format!("{shown_ip}:{shown_port}->{container_port}"),
                HostIp: ip,
                HostPort: port,
                HostPortLast: last.max(port),
                ContainerPort: container_port.clone(),
                AllInterfaces: all,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derived(c: &Container) -> Derived {
        derive(c, &DeriveContext::new(&Snapshot::default()))
    }

    #[test]
    fn capability_names_are_normalised() {
        assert_eq!(normalize_cap("net_admin"), "CAP_NET_ADMIN");
        assert_eq!(normalize_cap("NET_ADMIN"), "CAP_NET_ADMIN");
        assert_eq!(normalize_cap("CAP_NET_ADMIN"), "CAP_NET_ADMIN");
        assert_eq!(normalize_cap("cap_sys_admin"), "CAP_SYS_ADMIN");
        assert_eq!(normalize_cap("all"), "ALL");
    }

    #[test]
    fn privileged_means_all_capabilities() {
        let mut c = Container::default();
        c.HostConfig.Privileged = true;
        assert_eq!(derived(&c).ExtraCapabilities, vec!["ALL"]);
    }

    #[test]
    fn default_capabilities_are_not_extra() {
        let mut c = Container::default();
        c.HostConfig.CapAdd = vec!["chown".into(), "NET_ADMIN".into(), "CAP_NET_ADMIN".into()];
        assert_eq!(derived(&c).ExtraCapabilities, vec!["CAP_NET_ADMIN"]);
    }

    #[test]
    fn image_references_are_parsed() {
        assert_eq!(image_reference("nginx"), (String::new(), false));
        assert_eq!(image_reference("nginx:latest"), ("latest".into(), false));
        assert_eq!(image_reference("reg:5000/app:1.2"), ("1.2".into(), false));
        assert_eq!(image_reference("reg:5000/app"), (String::new(), false));
        assert!(image_reference("app@sha256:abcd").1);
        assert!(image_reference("sha256:0123456789abcdef").1);
    }

    #[test]
    fn shell_wrapper_pid1_and_zombies_are_seen() {
        let mut c = Container::default();
        c.State.Pid = 10;
        let p = |pid, comm: &str, args: &[&str], state: &str| crate::snapshot::Process {
            Pid: pid,
            Comm: comm.into(),
            Args: args.iter().map(|s| s.to_string()).collect(),
            State: state.into(),
            ..Default::default()
        };
        c.Processes = Some(vec![
            p(10, "sh", &["/bin/sh", "-c", "node app.js"], "S"),
            p(11, "node", &["node", "app.js"], "S"),
            p(12, "worker", &[], "Z"),
        ]);
        let d = derived(&c);
        assert!(d.Pid1ShellWrapper);
        assert_eq!(d.Zombies, 1);
        assert_eq!(d.Programs, vec!["node"]);
        c.Processes = None;
        assert_eq!(derived(&c).Pid1, None);
    }

    #[test]
    fn shells_with_combined_flags_and_go_booleans() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for ok in [
            &["sh", "-c", "x"][..],
            &["/bin/bash", "-lc", "x"],
            &["sh", "-ec", "x"],
            &["busybox", "sh", "-xc", "x"],
        ] {
            assert!(shell_command(&a(ok)), "{ok:?}");
        }
        for no in [
            &["sh", "script.sh"][..],
            &["node", "-c", "x"],
            &["sh", "--norc"],
        ] {
            assert!(!shell_command(&a(no)), "{no:?}");
        }
        assert_eq!(go_bool("1"), Some(true));
        assert_eq!(go_bool("False"), Some(false));
        assert_eq!(go_bool("yes"), None);
        assert_eq!(
            security_opt("no-new-privileges:true"),
            Some(("no-new-privileges", "true"))
        );
        assert_eq!(security_opt("seccomp=a:b"), Some(("seccomp", "a:b")));
    }

    #[test]
    fn port_ranges_and_sshd_through_a_shell() {
        let mut c = Container::default();
        c.HostConfig.PortBindings.insert(
            "8080/tcp".into(),
            vec![crate::snapshot::PortBinding {
                HostIp: String::new(),
                HostPort: "80-85".into(),
            }],
        );
        let p = &derived(&c).PublishedPorts[0];
        assert_eq!((p.HostPort, p.HostPortLast), (80, 85));
        assert_eq!(p.Display, "0.0.0.0:80-85->8080/tcp");
        c.Config.Cmd = vec!["sh".into(), "-c".into(), "exec /usr/sbin/sshd -D; x".into()];
        assert!(derived(&c).ConfiguredSshd);
        c.Config.Cmd = vec!["sshd-keygen".into()];
        assert!(!derived(&c).ConfiguredSshd);
    }

    #[test]
    fn ipv6_wildcard_bindings_are_all_interfaces() {
        let mut c = Container::default();
        c.State.Running = true;
        c.NetworkSettings.Ports.insert(
            "80/tcp".into(),
            vec![
                crate::snapshot::PortBinding {
                    HostIp: "::".into(),
                    HostPort: "8080".into(),
                },
                crate::snapshot::PortBinding {
                    HostIp: "127.0.0.1".into(),
                    HostPort: "81".into(),
                },
            ],
        );
        let ports = derived(&c).PublishedPorts;
        assert!(ports[0].AllInterfaces);
        assert_eq!(ports[0].Display, "[::]:8080->80/tcp");
        assert!(!ports[1].AllInterfaces);
    }
}
