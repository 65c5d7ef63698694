//! Facts about the scanned host: identity, Docker's files, audit rules, the docker group, the
//! data root's mount and TCP listeners. Read through a `RootFs`, so the same code serves the live
//! host (`/`) and a mounted clone of another host's disk.
use std::path::Path;

use super::rootfs::RootFs;
use super::users::Users;
use super::{audit, files, listeners, mounts};
use crate::snapshot::{DaemonConfig, FactStatus, Host};

use crate::docker::DEFAULT_DATA_ROOT;

/// Identity facts of the live host (kept for callers that want only these).
pub fn collect(root: &Path) -> Host {
    identity(&RootFs::new(root), true)
}

/// Every host fact. `live` is a scan of the machine the scanner runs on (then uname, mounts,
/// listeners and `auditctl` are asked); `docker_root_dir` is `/info`'s DockerRootDir, or ""
/// to take it from the daemon config. `Proc` is left to the caller.
pub fn collect_host_facts(
    fs: &RootFs,
    live: bool,
    config: &DaemonConfig,
    docker_root_dir: &str,
) -> Host {
    let data_root = data_root(config, docker_root_dir);
    let users = Users::load(fs);
    let (mut files, mut certs) = files::stat_docker_files(fs, &users, config, &data_root);
    let audit = audit::collect(fs, live);
    audit::mark_audited(fs, files.values_mut().chain(certs.iter_mut()), &audit);
    Host {
        Files: files,
        RegistryCerts: certs,
        Audit: audit,
        DockerGroup: users.group_facts("docker"),
        DataRootMount: mounts::collect(fs, live, &data_root),
        Listeners: listeners::collect(fs, live),
        ..identity(fs, live)
    }
}

/// DockerRootDir when the daemon told us, else the config's `data-root`, else dockerd's
/// default. With `userns-remap` the daemon reports `<data-root>/<uid>.<gid>`; the data root
/// that audit rules and mounts are about is its parent.
fn data_root(config: &DaemonConfig, docker_root_dir: &str) -> String {
    let setting = |key: &str| config.Settings.get(key).map(|s| &s.Value);
    let configured = setting("data-root").and_then(|v| v.as_str()).unwrap_or("");
    let root = [docker_root_dir, configured]
        .into_iter()
        .find(|p| !p.is_empty())
        .unwrap_or(DEFAULT_DATA_ROOT);
    let remapped =
        setting("userns-remap").is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()));
    let remap_dir = |name: &str| {
        name.split_once('.').is_some_and(|(u, g)| {
            [u, g]
                .iter()
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    match root.trim_end_matches('/').rsplit_once('/') {
        Some((parent, name)) if remapped && !parent.is_empty() && remap_dir(name) => parent,
        _ => root,
    }
    .to_string()
}

fn identity(fs: &RootFs, live: bool) -> Host {
    let read = |p: &str| fs.read_to_string(p).unwrap_or_default();
    let (hostname, kernel) = if live && fs.is_host_root() {
        let uname = rustix::system::uname();
        (
            uname.nodename().to_string_lossy().into_owned(),
            uname.release().to_string_lossy().into_owned(),
        )
    } else {
        // A clone's kernel is not running: only what its files say.
        (read("/etc/hostname").trim().to_string(), String::new())
    };
    let os_release = match read("/etc/os-release") {
        t if t.is_empty() => read("/usr/lib/os-release"),
        t => t,
    };
    Host {
        Hostname: hostname,
        KernelVersion: kernel,
        OperatingSystem: os_release_name(&os_release),
        MachineId: read("/etc/machine-id").trim().to_string(),
        // The scanner's environment says nothing about a clone's users.
        ContentTrust: if live {
            std::env::var("DOCKER_CONTENT_TRUST").unwrap_or_default()
        } else {
            String::new()
        },
        Environment: if live {
            FactStatus::available()
        } else {
            FactStatus::offline("the environment of the host's docker clients")
        },
        ..Host::default()
    }
}

/// PRETTY_NAME (else NAME) of an os-release file.
pub fn os_release_name(text: &str) -> String {
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim().trim_matches('"').to_string())
    };
    value("PRETTY_NAME")
        .or_else(|| value("NAME"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_root_precedence() {
        let mut config = DaemonConfig::default();
        assert_eq!(data_root(&config, ""), "/var/lib/docker");
        config.Settings.insert(
            "data-root".into(),
            crate::snapshot::Setting {
                Value: serde_json::json!("/srv/docker"),
                Source: "file".into(),
                Origin: String::new(),
            },
        );
        assert_eq!(data_root(&config, ""), "/srv/docker");
        assert_eq!(data_root(&config, "/data/docker"), "/data/docker");
        assert_eq!(
            data_root(&config, "/data/docker/100000.100000"),
            "/data/docker/100000.100000"
        );
        config.Settings.insert(
            "userns-remap".into(),
            crate::snapshot::Setting {
                Value: serde_json::json!("default"),
                Source: "file".into(),
                Origin: String::new(),
            },
        );
        assert_eq!(
            data_root(&config, "/data/docker/100000.100000"),
            "/data/docker"
        );
        assert_eq!(data_root(&config, "/data/docker"), "/data/docker");
    }

    #[test]
    fn offline_identity_comes_from_the_root_files() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::create_dir_all(r.join("usr/lib")).unwrap();
        std::fs::write(r.join("etc/hostname"), "clone-host\n").unwrap();
        std::fs::write(r.join("usr/lib/os-release"), "PRETTY_NAME=\"Clone OS\"\n").unwrap();
        std::os::unix::fs::symlink("../usr/lib/os-release", r.join("etc/os-release")).unwrap();
        let host = collect_host_facts(&RootFs::new(r), false, &DaemonConfig::default(), "");
        assert_eq!(host.Hostname, "clone-host");
        assert_eq!(host.KernelVersion, "");
        assert_eq!(host.OperatingSystem, "Clone OS");
        assert_eq!(host.Files["data-root"].Path, "/var/lib/docker");
        assert!(!host.Files["data-root"].Exists);
        assert!(host.Audit.Status.is_available() && host.Audit.Rules.is_empty());
        assert!(!host.DockerGroup.Status.is_available());
        assert!(!host.DataRootMount.Status.is_available() && !host.Listeners.Status.is_available());
    }

    /// A clone with users, binaries and audit rules: names come from the clone's files and
    /// rules audit only the exact paths they name.
    #[test]
    fn clone_host_facts_fit_together() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        for d in ["etc/audit/rules.d", "usr/bin", "var/lib/docker"] {
            std::fs::create_dir_all(r.join(d)).unwrap();
        }
        std::fs::write(
            r.join("etc/passwd"),
            "root:x:0:0::/root:/bin/sh\nci:x:1001:4242::/:\n",
        )
        .unwrap();
        std::fs::write(r.join("etc/group"), "root:x:0:\ndocker:x:4242:alice\n").unwrap();
        std::fs::write(
            r.join("etc/audit/rules.d/docker.rules"),
            "-w /usr/bin/containerd-shim -k docker\n-w /var/lib/docker/ -k docker\n",
        )
        .unwrap();
        for bin in ["containerd", "containerd-shim"] {
            std::fs::write(r.join("usr/bin").join(bin), "").unwrap();
        }
        let host = collect_host_facts(&RootFs::new(r), false, &DaemonConfig::default(), "");
        let g = &host.DockerGroup;
        assert!(g.Status.is_available() && g.Exists);
        assert_eq!(
            (g.Gid, g.Members.clone()),
            (4242, vec!["alice".into(), "ci".into()])
        );
        assert!(host.Audit.Status.is_available());
        assert!(host.Files["containerd-shim"].Audited);
        assert!(!host.Files["containerd"].Audited);
        assert!(host.Files["data-root"].Audited);
        assert_eq!(host.Files["data-root"].Kind, "dir");
        if host.Files["data-root"].Uid == 0 {
            assert_eq!(host.Files["data-root"].Owner, "root");
        }
    }

    /// Against this machine's real `/`: only facts that hold on any Linux host.
    #[test]
    fn live_host_facts_are_sane() {
        let host = collect_host_facts(&RootFs::new("/"), true, &DaemonConfig::default(), "");
        assert!(!host.Hostname.is_empty() && !host.KernelVersion.is_empty());
        assert_eq!(host.Files.len(), 21);
        for (role, f) in &host.Files {
            assert_eq!(f.Exists, !f.Kind.is_empty(), "{role}: {f:?}");
            if f.Exists {
                assert_eq!(f.ModeOctal, format!("{:04o}", f.Mode), "{role}");
            }
        }
        if Path::new("/etc/docker").is_dir() {
            assert_eq!(host.Files["/etc/docker"].Kind, "dir");
        }
        let sock = &host.Files["docker.sock"];
        assert_eq!(sock.Path, "/var/run/docker.sock");
        if Path::new("/var/run/docker.sock").exists() {
            assert_eq!(sock.Kind, "socket");
        }
        if host.Files["/etc/docker"].Uid == 0 && host.Files["/etc/docker"].Exists {
            assert_eq!(host.Files["/etc/docker"].Owner, "root");
        }
        assert!(host.Audit.Status.is_available() || !host.Audit.Status.reason().is_empty());
        assert!(
            host.DockerGroup.Status.is_available(),
            "{}",
            host.DockerGroup.Status.reason()
        );
        let mount = &host.DataRootMount;
        assert!(mount.Status.is_available(), "{}", mount.Status.reason());
        assert!(mount.MountPoint.starts_with('/'));
        assert_eq!(
            mount.Separate,
            mount.MountPoint != "/" && mount.DeviceNumber != mount.RootDeviceNumber
        );
        assert!(
            host.Listeners.Status.is_available(),
            "{}",
            host.Listeners.Status.reason()
        );
    }

    #[test]
    fn os_release_pretty_name() {
        let text = "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(
            super::os_release_name(text),
            "Debian GNU/Linux 12 (bookworm)"
        );
        assert_eq!(super::os_release_name("NAME=Alpine\n"), "Alpine");
    }
}
