//! Facts computed once in Rust from the raw snapshot, for what is too intricate for an
//! expression: capability names, published ports. Exposed to checks as `c.Derived`.
#![allow(non_snake_case)]

use schemars::JsonSchema;
use serde::Serialize;

use crate::snapshot::Container;

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
    Derived {
        CapAdd: cap_add,
        CapDrop: cap_drop,
        ExtraCapabilities: extra,
        PublishedPorts: published_ports(c),
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
