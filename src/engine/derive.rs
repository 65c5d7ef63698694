//! Facts computed once in Rust from the raw snapshot, for what is too intricate for an
//! expression: capability names, published ports. Exposed to checks as `c.Derived`.
#![allow(non_snake_case)]

use schemars::JsonSchema;
use serde::Serialize;

use crate::snapshot::Container;

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
    /// Host port; 0 when Docker picks an ephemeral one at start.
    pub HostPort: i64,
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

pub fn derive(c: &Container) -> Derived {
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
    let wrapper = pid1_args.as_ref().is_some_and(|a| {
        let shell = SHELLS.contains(&pid1_name.as_str())
            || (pid1_name == "busybox" && a.get(1).is_some_and(|s| SHELLS.contains(&s.as_str())));
        shell && a.iter().any(|x| x == "-c")
    });
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
    Derived {
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
            let port = b.HostPort.parse::<i64>().unwrap_or(0);
            let shown_ip = match ip.as_str() {
                "" => "0.0.0.0".to_string(),
                v6 if v6.contains(':') => format!("[{v6}]"),
                v4 => v4.to_string(),
            };
            let shown_port = if port == 0 {
                "*".to_string()
            } else {
                port.to_string()
            };
            out.push(PublishedPort {
                Display: format!("{shown_ip}:{shown_port}->{container_port}"),
                HostIp: ip,
                HostPort: port,
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
        assert_eq!(derive(&c).ExtraCapabilities, vec!["ALL"]);
    }

    #[test]
    fn default_capabilities_are_not_extra() {
        let mut c = Container::default();
        c.HostConfig.CapAdd = vec!["chown".into(), "NET_ADMIN".into(), "CAP_NET_ADMIN".into()];
        assert_eq!(derive(&c).ExtraCapabilities, vec!["CAP_NET_ADMIN"]);
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
        let d = derive(&c);
        assert!(d.Pid1ShellWrapper);
        assert_eq!(d.Zombies, 1);
        assert_eq!(d.Programs, vec!["node"]);
        c.Processes = None;
        assert_eq!(derive(&c).Pid1, None);
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
        let ports = derive(&c).PublishedPorts;
        assert!(ports[0].AllInterfaces);
        assert_eq!(ports[0].Display, "[::]:8080->80/tcp");
        assert!(!ports[1].AllInterfaces);
    }
}
