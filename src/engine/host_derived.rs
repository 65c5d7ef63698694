//! Facts about all objects at once, computed in one pass before evaluation: a per-object
//! check that scanned `containers` or `images` itself would be quadratic (DP.1.2 asked
//! every container whether any container was OOM-killed: 35 s at 1,000 containers).
//! Exposed as `host.Derived` (about the whole host) and as more fields of `c.Derived`
//! (a container against the other objects, e.g. its image).
#![allow(non_snake_case)]

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Serialize;

use super::derive::{Derived, ImageDerived};
use crate::snapshot::{Container, Image};

/// `host.Derived`: facts over every container (and image) in scope.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct HostDerived {
    /// Names of the containers in scope whose last exit was an OOM kill (`State.OOMKilled`),
    /// in snapshot order.
    pub OOMKilled: Vec<String>,
    /// Containers in scope publishing a port on every interface: the name, then each such
    /// port's `Display` (`web 0.0.0.0:8080->80/tcp [::]:8080->80/tcp`), in snapshot order.
    pub OpenToAll: Vec<String>,
    /// Each role of `host.Files` (and every audit role, collected or not) judged for the
    /// audit checks (CIS 1.1.3–1.1.18): see `AuditedPath`.
    pub Audit: BTreeMap<String, AuditedPath>,
}

/// `host.Derived.Audit[ROLE]`: whether the file of that role is covered by an audit rule —
/// a rule on exactly its path that the kernel tries before any `never` rule on it.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct AuditedPath {
    /// The file exists and a rule audits it.
    pub Audited: bool,
    /// "" when known; else a fact status (the file could not be stat'ed, the rules could not
    /// be read) to return from a check's `unknown` as it is.
    pub Unknown: serde_json::Value,
    /// `audited: PATH by rule "…" (rules from …)`, `no audit rule watches PATH (…)`, or
    /// `events on PATH are suppressed by the never rule "…" (…)`.
    pub Evidence: String,
}

/// The roles the audit checks read (`host.Files` keys).
const AUDIT_ROLES: &[&str] = &[
    "dockerd",
    "/run/containerd",
    "data-root",
    "/etc/docker",
    "docker.service",
    "containerd.sock",
    "docker.socket",
    "/etc/default/docker",
    "daemon.json",
    "/etc/containerd/config.toml",
    "/etc/sysconfig/docker",
    "containerd",
    "containerd-shim",
    "containerd-shim-runc-v1",
    "containerd-shim-runc-v2",
    "runc",
];

/// `host.Derived.Audit` of `host`.
pub fn audit_paths(host: &crate::snapshot::Host) -> BTreeMap<String, AuditedPath> {
    let status = |s: &crate::snapshot::FactStatus| serde_json::to_value(s).unwrap_or_default();
    let audit = &host.Audit;
    let source = format!("(rules from {})", audit.Source);
    let mut roles: BTreeSet<&str> = AUDIT_ROLES.iter().copied().collect();
    roles.extend(host.Files.keys().map(String::as_str));
    roles
        .into_iter()
        .map(|role| {
            let Some(f) = host.Files.get(role) else {
                return (
                    role.to_string(),
                    AuditedPath {
                        Unknown: "file facts not collected".into(),
                        Evidence: "file facts not collected".into(),
                        ..AuditedPath::default()
                    },
                );
            };
            let unknown = if !f.Status.is_available() {
                status(&f.Status.with_reason(format!("{}: {}", f.Path, f.Status.reason())))
            } else if f.Exists && !audit.Status.is_available() {
                match audit.Status.reason() {
                    "" => "audit rules not collected".into(),
                    _ => status(&audit.Status),
                }
            } else {
                "".into()
            };
            let evidence = if f.Audited {
                let by = if f.AuditRule.is_empty() {
                    String::new()
                } else {
                    format!(" by rule \"{}\"", f.AuditRule)
                };
                format!("audited: {}{by} {source}", f.Path)
            } else if !f.AuditSuppressedBy.is_empty() {
                format!(
                    "events on {} are suppressed by the never rule \"{}\", which the kernel tries first {source}",
                    f.Path, f.AuditSuppressedBy
                )
            } else {
                format!("no audit rule watches {} {source}", f.Path)
            };
            let evidence = match &unknown {
                serde_json::Value::String(s) if s.is_empty() => evidence,
                serde_json::Value::String(s) => s.clone(),
                other => other["Reason"].as_str().unwrap_or_default().to_string(),
            };
            (
                role.to_string(),
                AuditedPath {
                    Audited: f.Exists && f.Audited,
                    Unknown: unknown,
                    Evidence: evidence,
                },
            )
        })
        .collect()
}

/// More of `c.Derived`: the container against the collected images.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct ContainerRelations {
    /// The container's image (`Image`, an ID) was collected.
    pub ImageCollected: bool,
    /// That image's age in whole days at collection (`image.Derived.AgeDays`); `null` when
    /// it was not collected or has no creation time.
    pub ImageAgeDays: Option<i64>,
    /// Another collected image now carries the reference the container was created from
    /// (`Config.Image`, or `Config.Image:latest`): its tag moved on.
    pub ImageSuperseded: bool,
}

/// `host.Derived` from the containers in scope and their `Derived` facts (same order).
pub fn derive_host(containers: &[Container], derived: &[Derived]) -> HostDerived {
    let oom = containers
        .iter()
        .filter(|c| c.State.OOMKilled)
        .map(|c| c.Name.clone())
        .collect();
    let open = containers
        .iter()
        .zip(derived)
        .filter_map(|(c, d)| {
            let ports: Vec<&str> = d
                .PublishedPorts
                .iter()
                .filter(|p| p.AllInterfaces)
                .map(|p| p.Display.as_str())
                .collect();
            (!ports.is_empty()).then(|| format!("{} {}", c.Name, ports.join(" ")))
        })
        .collect();
    HostDerived {
        OOMKilled: oom,
        OpenToAll: open,
        Audit: BTreeMap::new(),
    }
}

/// The images by ID and by tag, built once: each container then looks its image up.
pub struct ImageIndex<'a> {
    age: BTreeMap<&'a str, Option<i64>>,
    tagged: BTreeMap<&'a str, BTreeSet<&'a str>>,
}

impl<'a> ImageIndex<'a> {
    pub fn new(images: &'a [Image], derived: &[ImageDerived]) -> Self {
        let mut age = BTreeMap::new();
        let mut tagged: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (i, d) in images.iter().zip(derived) {
            age.entry(i.Id.as_str()).or_insert(d.AgeDays);
            for tag in &i.RepoTags {
                tagged
                    .entry(tag.as_str())
                    .or_default()
                    .insert(i.Id.as_str());
            }
        }
        ImageIndex { age, tagged }
    }

    pub fn relations(&self, c: &Container) -> ContainerRelations {
        let age = self.age.get(c.Image.as_str());
        let latest = format!("{}:latest", c.Config.Image);
        let moved = |tag: &str| {
            self.tagged
                .get(tag)
                .is_some_and(|ids| ids.iter().any(|id| *id != c.Image))
        };
        ContainerRelations {
            ImageCollected: age.is_some(),
            ImageAgeDays: age.copied().flatten(),
            ImageSuperseded: moved(&c.Config.Image) || moved(&latest),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(name: &str, image: &str, reference: &str, oom: bool) -> Container {
        let mut c = Container {
            Name: name.into(),
            Image: image.into(),
            ..Container::default()
        };
        c.Config.Image = reference.into();
        c.State.OOMKilled = oom;
        c
    }

    fn image(id: &str, tags: &[&str]) -> Image {
        Image {
            Id: id.into(),
            RepoTags: tags.iter().map(|t| t.to_string()).collect(),
            ..Image::default()
        }
    }

    #[test]
    fn oom_killed_containers_are_listed_once_for_the_host() {
        let cs = [
            container("a", "", "", false),
            container("b", "", "", true),
            container("c", "", "", true),
        ];
        let d = vec![Derived::default(); 3];
        assert_eq!(derive_host(&cs, &d).OOMKilled, vec!["b", "c"]);
        assert!(derive_host(&cs[..1], &d[..1]).OOMKilled.is_empty());
    }

    #[test]
    fn ports_open_to_all_name_their_container() {
        let cs = [
            container("web", "", "", false),
            container("db", "", "", false),
        ];
        let port = |all: bool, display: &str| super::super::derive::PublishedPort {
            AllInterfaces: all,
            Display: display.into(),
            ..Default::default()
        };
        let mut d = vec![Derived::default(); 2];
        d[0].PublishedPorts = vec![port(true, "0.0.0.0:80->80/tcp"), port(false, "x")];
        d[1].PublishedPorts = vec![port(false, "127.0.0.1:5432->5432/tcp")];
        assert_eq!(
            derive_host(&cs, &d).OpenToAll,
            vec!["web 0.0.0.0:80->80/tcp"]
        );
    }

    #[test]
    fn a_container_finds_its_image_and_a_moved_tag() {
        let images = [
            image("sha256:old", &[]),
            image("sha256:new", &["app:latest"]),
            image("sha256:pinned", &["db:1"]),
        ];
        let derived = [
            ImageDerived {
                AgeDays: Some(200),
                ..Default::default()
            },
            ImageDerived::default(),
            ImageDerived::default(),
        ];
        let index = ImageIndex::new(&images, &derived);
        let r = index.relations(&container("x", "sha256:old", "app", false));
        assert!(r.ImageCollected && r.ImageSuperseded);
        assert_eq!(r.ImageAgeDays, Some(200));
        let r = index.relations(&container("y", "sha256:pinned", "db:1", false));
        assert!(r.ImageCollected && !r.ImageSuperseded);
        assert_eq!(r.ImageAgeDays, None);
        let r = index.relations(&container("z", "sha256:gone", "db:1", false));
        assert!(!r.ImageCollected && r.ImageSuperseded);
    }
}
