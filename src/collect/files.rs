//! `stat` of Docker's files by role (CIS 1.1.x audit targets and section 3 ownership and
//! permissions), each looked up where this host really has it rather than at hard-coded paths.
use std::collections::BTreeMap;
use std::fs::Metadata;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::rootfs::{RootFs, is_not_found};
use super::users::Users;
use crate::snapshot::{DaemonConfig, FactStatus, FileFact};

/// Where binaries are looked for, in order (the first existing one is the one that runs).
const BIN_DIRS: &[&str] = &[
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/bin",
    "/sbin",
];
const BINARIES: &[&str] = &[
    "dockerd",
    "containerd",
    "containerd-shim",
    "containerd-shim-runc-v1",
    "containerd-shim-runc-v2",
    "runc",
];
/// systemd's system unit search path, highest priority first.
pub const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];
use crate::docker::{CERTS_D, DEFAULT_CONFIG_FILE, DEFAULT_SOCKET};
/// Deep enough for `certs.d/<registry>/<file>`; bounds a pathological tree.
const MAX_CERT_DEPTH: usize = 8;

/// Docker's files by role (the roles of `Host.Files`), and every regular file below certs.d.
pub fn stat_docker_files(
    fs: &RootFs,
    users: &Users,
    config: &DaemonConfig,
    docker_root_dir: &str,
) -> (BTreeMap<String, FileFact>, Vec<FileFact>) {
    let stat = |path: &str| stat_fact(fs, users, path, true);
    let mut files = BTreeMap::new();
    for name in BINARIES {
        files.insert(name.to_string(), find_binary(fs, users, name));
    }
    for unit in ["docker.service", "docker.socket"] {
        files.insert(unit.to_string(), find_unit(fs, users, unit));
    }
    let config_file = if config.File.is_empty() {
        DEFAULT_CONFIG_FILE
    } else {
        &config.File
    };
    let roles = [
        ("data-root", docker_root_dir.to_string()),
        ("docker.sock", docker_socket(config)),
        (
            "containerd.sock",
            super::daemon_config::containerd_socket(config, |p| fs.stat(p, false).is_ok()),
        ),
        ("daemon.json", config_file.to_string()),
        ("certs.d", CERTS_D.to_string()),
    ];
    for (role, path) in roles {
        files.insert(role.to_string(), stat(&path));
    }
    for path in [
        "/run/containerd",
        "/etc/docker",
        "/etc/default/docker",
        "/etc/sysconfig/docker",
        "/etc/containerd/config.toml",
    ] {
        files.insert(path.to_string(), stat(path));
    }
    for key in ["tlscacert", "tlscert", "tlskey"] {
        let path = tls_file(config, key).unwrap_or_default();
        files.insert(key.to_string(), stat(&path));
    }
    let mut certs = Vec::new();
    walk_certs(fs, users, Path::new(CERTS_D), 0, &mut certs);
    (files, certs)
}

/// Every role `stat_docker_files` fills, each an empty fact: for a daemon whose host is not
/// this one, where nothing may be stat'ed (the caller says why in each `Error`).
pub fn roles() -> BTreeMap<String, FileFact> {
    BINARIES
        .iter()
        .copied()
        .chain(["docker.service", "docker.socket"])
        .chain([
            "data-root",
            "docker.sock",
            "containerd.sock",
            "daemon.json",
            "certs.d",
        ])
        .chain([
            "/run/containerd",
            "/etc/docker",
            "/etc/default/docker",
            "/etc/sysconfig/docker",
            "/etc/containerd/config.toml",
        ])
        .chain(["tlscacert", "tlscert", "tlskey"])
        .map(|role| (role.to_string(), FileFact::default()))
        .collect()
}

/// One `stat`: `follow` false is lstat. `Path` stays the path as seen on the scanned host.
/// An empty path is a role that is not configured: missing, not the root directory.
pub fn stat_fact(fs: &RootFs, users: &Users, path: &str, follow: bool) -> FileFact {
    if path.is_empty() {
        return FileFact::default();
    }
    let mut fact = FileFact {
        Path: path.to_string(),
        ..FileFact::default()
    };
    match fs.stat(path, follow) {
        Ok(meta) => fill(&mut fact, &meta, users),
        Err(e) if is_not_found(&e) => {}
        Err(e) => fact.Status = FactStatus::io(e.to_string(), &e),
    }
    fact
}

fn fill(fact: &mut FileFact, meta: &Metadata, users: &Users) {
    let t = meta.file_type();
    fact.Exists = true;
    fact.Kind = if t.is_file() {
        "file"
    } else if t.is_dir() {
        "dir"
    } else if t.is_socket() {
        "socket"
    } else if t.is_symlink() {
        "symlink"
    } else {
        "other"
    }
    .to_string();
    fact.Uid = meta.uid().into();
    fact.Gid = meta.gid().into();
    fact.Owner = users.user_name(meta.uid());
    fact.Group = users.group_name(meta.gid());
    let mode = meta.mode() & 0o7777;
    fact.Mode = mode.into();
    fact.ModeOctal = format!("{mode:04o}");
}

/// The first of the bin dirs that has it; else `/usr/bin/NAME` (CIS's audit rule path), missing.
fn find_binary(fs: &RootFs, users: &Users, name: &str) -> FileFact {
    BIN_DIRS
        .iter()
        .map(|dir| stat_fact(fs, users, &format!("{dir}/{name}"), true))
        .find(|f| f.Exists || !f.Status.is_available())
        .unwrap_or_else(|| FileFact {
            Path: format!("/usr/bin/{name}"),
            ..FileFact::default()
        })
}

/// A unit as systemd finds it: the first search-path dir that has it. When there is none,
/// Path is the packaged location, missing.
pub fn find_unit(fs: &RootFs, users: &Users, unit: &str) -> FileFact {
    let mut found = FileFact {
        Path: format!("/usr/lib/systemd/system/{unit}"),
        ..FileFact::default()
    };
    for dir in UNIT_DIRS {
        let (fact, masked) = unit_file(fs, users, &format!("{dir}/{unit}"));
        // A dangling link hides nothing: systemd looks further down the path.
        let dangling = fact.Kind == "symlink" && !masked;
        if fact.Exists && !dangling || !fact.Status.is_available() {
            found = fact;
            break;
        }
    }
    found.DropIns = drop_ins(fs, users, unit);
    found
}

/// A unit file or drop-in, following links, except that a masked one (a link to /dev/null)
/// is reported as that link so checks see the mask rather than /dev/null's owner and mode.
/// A dangling link is reported as the link too. Also says whether it is masked.
fn unit_file(fs: &RootFs, users: &Users, path: &str) -> (FileFact, bool) {
    let link = stat_fact(fs, users, path, false);
    if link.Kind != "symlink" {
        return (link, false);
    }
    let masked = fs.try_resolve(Path::new(path), true).ok() == Some(fs.resolve("/dev/null"));
    let fact = stat_fact(fs, users, path, true);
    if masked || !fact.Exists && fact.Status.is_available() {
        return (link, masked);
    }
    (fact, false)
}

/// `<dir>/<unit>.d/*.conf` over the whole search path, by file name; a name in an earlier dir
/// hides the same name in later ones, as in systemd.
fn drop_ins(fs: &RootFs, users: &Users, unit: &str) -> Vec<FileFact> {
    let mut by_name: BTreeMap<String, FileFact> = BTreeMap::new();
    for dir in UNIT_DIRS {
        let d = format!("{dir}/{unit}.d");
        let names = match fs.read_dir(&d) {
            Ok(names) => names,
            Err(e) if is_not_found(&e) => continue,
            // Unreadable is not empty: the drop-ins there are unknown, and say so.
            Err(e) => {
                by_name.insert(
                    format!("{d}/"),
                    FileFact {
                        Path: d.clone(),
                        Status: FactStatus::io(
                            format!("cannot list the drop-in directory: {e}"),
                            &e,
                        ),
                        ..FileFact::default()
                    },
                );
                continue;
            }
        };
        for name in names {
            let name = name.to_string_lossy().into_owned();
            if name.ends_with(".conf") && !by_name.contains_key(&name) {
                let (fact, _) = unit_file(fs, users, &format!("{d}/{name}"));
                by_name.insert(name, fact);
            }
        }
    }
    by_name.into_values().collect()
}

/// The unix socket the daemon serves (3.15/3.16 judge it), "" when it serves none. A running
/// process's own listeners first (`Listening`: what that PID holds, the default path
/// preferred), else the configuration: the first `unix://` of `hosts`; with `fd://` the socket
/// unit's unix `ListenStream=` (docker.socket's default is the default path); no hosts at all
/// is dockerd's default socket. A daemon configured with TCP hosts only serves no unix socket,
/// so the default path (another daemon's, if anyone's) is not its.
fn docker_socket(config: &DaemonConfig) -> String {
    let unix_of = |list: &[String]| -> Option<String> {
        let paths: Vec<&str> = list
            .iter()
            .filter_map(|h| h.strip_prefix("unix://"))
            .filter(|p| !p.is_empty())
            .collect();
        paths
            .iter()
            .find(|p| **p == DEFAULT_SOCKET || **p == "/run/docker.sock")
            .or(paths.first())
            .map(|p| p.to_string())
    };
    if config.ListeningStatus.is_available() {
        // dockerd's own sockets under its exec root (libnetwork's, metrics.sock, swarm's
        // control.sock, plugins) are not the API.
        let exec_root = config
            .Settings
            .get("exec-root")
            .and_then(|s| s.Value.as_str())
            .filter(|p| !p.is_empty())
            .unwrap_or("/var/run/docker");
        let under_exec_root = |h: &str| {
            let run = |p: &str| p.replacen("/var/run/", "/run/", 1);
            let root = format!("{}/", run(exec_root.trim_end_matches('/')));
            h.strip_prefix("unix://")
                .is_some_and(|p| run(p).starts_with(&root))
        };
        let api: Vec<String> = config
            .Listening
            .iter()
            .filter(|h| !under_exec_root(h))
            .cloned()
            .collect();
        return unix_of(&api).unwrap_or_default();
    }
    let hosts = config.Settings.get("hosts").map(|s| &s.Value);
    let entries: Vec<String> = match hosts {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let entries: Vec<String> = entries
        .into_iter()
        .filter(|h| !h.trim().is_empty())
        .collect();
    if entries.is_empty() {
        return DEFAULT_SOCKET.to_string();
    }
    if let Some(path) = unix_of(&entries) {
        return path;
    }
    if entries.iter().any(|h| h.starts_with("fd://")) {
        return match unix_of(&config.SocketUnit) {
            Some(path) => path,
            None if config.SocketUnit.is_empty() => DEFAULT_SOCKET.to_string(),
            None => String::new(),
        };
    }
    String::new()
}

/// A TLS file the daemon uses: set in the file or on the command line, or dockerd's default
/// path when TLS is on (`tls`/`tlsverify`). `None` when TLS files are not in play.
fn tls_file(config: &DaemonConfig, key: &str) -> Option<String> {
    let setting = config.Settings.get(key)?;
    let path = setting.Value.as_str().filter(|p| !p.is_empty())?;
    let tls_on = ["tls", "tlsverify"].iter().any(|k| {
        config
            .Settings
            .get(*k)
            .is_some_and(|s| s.Value.as_bool() == Some(true))
    });
    (setting.Source != "default" || tls_on).then(|| path.to_string())
}

/// Regular files below `dir` (following links to files, not into linked dirs), sorted by path.
fn walk_certs(fs: &RootFs, users: &Users, dir: &Path, depth: usize, out: &mut Vec<FileFact>) {
    if depth > MAX_CERT_DEPTH {
        return;
    }
    // A directory or entry that cannot be read is recorded with its error: the certificate
    // checks must say they could not look, not that there is nothing to check.
    let unreadable = |path: &Path, e: std::io::Error| FileFact {
        Path: path.to_string_lossy().into_owned(),
        Status: FactStatus::io(e.to_string(), &e),
        ..FileFact::default()
    };
    let names = match fs.read_dir(dir) {
        Ok(names) => names,
        Err(e) if is_not_found(&e) => return,
        Err(e) => return out.push(unreadable(dir, e)),
    };
    for name in names {
        let path: PathBuf = dir.join(&name);
        let text = path.to_string_lossy().into_owned();
        let meta = match fs.stat(&path, false) {
            Ok(meta) => meta,
            // Removed while we walked: nothing to check.
            Err(e) if is_not_found(&e) => continue,
            Err(e) => {
                out.push(unreadable(&path, e));
                continue;
            }
        };
        if meta.is_dir() {
            walk_certs(fs, users, &path, depth + 1, out);
            continue;
        }
        let fact = stat_fact(fs, users, &text, true);
        if fact.Kind == "file" {
            out.push(fact);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;
    use crate::snapshot::Setting;

    fn setting(value: serde_json::Value, source: &str) -> Setting {
        Setting {
            Value: value,
            Source: source.into(),
            Origin: String::new(),
        }
    }

    /// A small clone-host tree with Docker's files in non-default places.
    fn clone_host() -> (tempfile::TempDir, RootFs) {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        let mk = |p: &str| std::fs::create_dir_all(r.join(p)).unwrap();
        let write = |p: &str, mode: u32| {
            std::fs::write(r.join(p), "x").unwrap();
            std::fs::set_permissions(
                r.join(p),
                std::os::unix::fs::PermissionsExt::from_mode(mode),
            )
            .unwrap();
        };
        for d in [
            "etc/docker/certs.d/reg.example:5000/sub",
            "etc/systemd/system/docker.service.d",
            "lib/systemd/system/docker.service.d",
            "usr/sbin",
            "usr/bin",
            "run/docker",
            "run/systemd/system",
            "var",
        ] {
            mk(d);
        }
        symlink("/run", r.join("var/run")).unwrap();
        write("usr/sbin/dockerd", 0o755);
        write("usr/bin/runc", 0o755);
        symlink("/usr/bin/runc", r.join("usr/bin/containerd")).unwrap();
        write("etc/docker/daemon.json", 0o644);
        write("etc/docker/certs.d/reg.example:5000/ca.crt", 0o444);
        write("etc/docker/certs.d/reg.example:5000/sub/client.key", 0o600);
        write("lib/systemd/system/docker.service", 0o644);
        write("lib/systemd/system/docker.socket", 0o644);
        symlink("/dev/null", r.join("etc/systemd/system/docker.socket")).unwrap();
        write("etc/systemd/system/docker.service.d/10-a.conf", 0o644);
        symlink(
            "/dev/null",
            r.join("etc/systemd/system/docker.service.d/30-off.conf"),
        )
        .unwrap();
        symlink("/nowhere", r.join("run/systemd/system/docker.service")).unwrap();
        write("lib/systemd/system/docker.service.d/10-a.conf", 0o600);
        write("lib/systemd/system/docker.service.d/20-b.conf", 0o644);
        write("lib/systemd/system/docker.service.d/readme", 0o644);
        write("run/docker/api.sock", 0o660);
        let fs = RootFs::new(r);
        (dir, fs)
    }

    fn facts(config: &DaemonConfig) -> (BTreeMap<String, FileFact>, Vec<FileFact>) {
        let (_dir, fs) = clone_host();
        let users = Users::parse(Ok("root:x:0:0::/:\n".into()), Ok("root:x:0:\n".into()));
        stat_docker_files(&fs, &users, config, "/var/lib/docker")
    }

    #[test]
    fn every_role_is_present() {
        let (files, _) = facts(&DaemonConfig::default());
        let roles: Vec<&str> = files.keys().map(String::as_str).collect();
        let mut expected = vec![
            "dockerd",
            "containerd",
            "containerd-shim",
            "containerd-shim-runc-v1",
            "containerd-shim-runc-v2",
            "runc",
            "data-root",
            "/run/containerd",
            "/etc/docker",
            "docker.service",
            "docker.socket",
            "containerd.sock",
            "docker.sock",
            "/etc/default/docker",
            "/etc/sysconfig/docker",
            "daemon.json",
            "/etc/containerd/config.toml",
            "certs.d",
            "tlscacert",
            "tlscert",
            "tlskey",
        ];
        expected.sort();
        assert_eq!(roles, expected);
    }

    #[test]
    fn binaries_are_found_where_they_are() {
        let (files, _) = facts(&DaemonConfig::default());
        let dockerd = &files["dockerd"];
        assert_eq!(dockerd.Path, "/usr/sbin/dockerd");
        assert_eq!(
            (dockerd.Kind.as_str(), dockerd.ModeOctal.as_str()),
            ("file", "0755")
        );
        assert_eq!(dockerd.Mode, 0o755);
        assert_eq!(dockerd.Owner, if dockerd.Uid == 0 { "root" } else { "" });
        // A link is followed: the file it points to is what runs.
        assert_eq!(files["containerd"].Path, "/usr/bin/containerd");
        assert_eq!(files["containerd"].Kind, "file");
        let shim = &files["containerd-shim"];
        assert_eq!(
            (shim.Path.as_str(), shim.Exists, shim.Kind.as_str()),
            ("/usr/bin/containerd-shim", false, "")
        );
    }

    #[test]
    fn units_masking_and_drop_ins() {
        let (files, _) = facts(&DaemonConfig::default());
        let service = &files["docker.service"];
        assert_eq!(service.Path, "/lib/systemd/system/docker.service");
        assert_eq!(service.Kind, "file");
        let drop_ins: Vec<(&str, &str)> = service
            .DropIns
            .iter()
            .map(|d| (d.Path.as_str(), d.ModeOctal.as_str()))
            .collect();
        assert_eq!(
            drop_ins,
            [
                ("/etc/systemd/system/docker.service.d/10-a.conf", "0644"),
                ("/lib/systemd/system/docker.service.d/20-b.conf", "0644"),
                ("/etc/systemd/system/docker.service.d/30-off.conf", "0777"),
            ]
        );
        let socket = &files["docker.socket"];
        assert_eq!(socket.Path, "/etc/systemd/system/docker.socket");
        assert!(socket.Exists);
        assert_eq!(socket.Kind, "symlink");
    }

    /// 3.15/3.16 judge a socket the daemon serves: never the default path for a daemon that
    /// holds only TCP (and its own sockets under the exec root are not the API).
    #[test]
    fn the_docker_socket_is_one_the_daemon_serves() {
        let hosts = |v: serde_json::Value| {
            let mut c = DaemonConfig::default();
            c.Settings.insert("hosts".into(), setting(v, "flag"));
            c
        };
        // Offline: from `hosts`.
        assert_eq!(docker_socket(&DaemonConfig::default()), DEFAULT_SOCKET);
        assert_eq!(docker_socket(&hosts(serde_json::json!([]))), DEFAULT_SOCKET);
        assert_eq!(
            docker_socket(&hosts(serde_json::json!(["tcp://0.0.0.0:2375"]))),
            ""
        );
        assert_eq!(
            docker_socket(&hosts(serde_json::json!([
                "tcp://0.0.0.0:2375",
                "unix:///srv/d.sock"
            ]))),
            "/srv/d.sock"
        );
        let mut activated = hosts(serde_json::json!(["fd://"]));
        assert_eq!(docker_socket(&activated), DEFAULT_SOCKET);
        activated.SocketUnit = vec!["tcp://[::]:2375".into()];
        assert_eq!(docker_socket(&activated), "");
        activated.SocketUnit.push("unix:///run/docker.sock".into());
        assert_eq!(docker_socket(&activated), "/run/docker.sock");
        // Live: what the process listens on, whatever `hosts` says.
        let mut live = hosts(serde_json::json!([]));
        live.ListeningStatus = FactStatus::available();
        live.Listening = vec![
            "tcp://127.0.0.1:2375".into(),
            "unix:///var/run/docker/libnetwork/4b5e6157b55c.sock".into(),
            "unix:///run/docker/metrics.sock".into(),
        ];
        assert_eq!(docker_socket(&live), "");
        live.Listening.push("unix:///srv/api.sock".into());
        live.Listening.push("unix:///var/run/docker.sock".into());
        assert_eq!(docker_socket(&live), "/var/run/docker.sock");
        live.Settings.insert(
            "exec-root".into(),
            setting(serde_json::json!("/srv/exec"), "flag"),
        );
        live.Listening = vec!["unix:///srv/exec/libnetwork/x.sock".into()];
        assert_eq!(docker_socket(&live), "");
    }

    #[test]
    fn sockets_and_config_paths_follow_the_config() {
        let (files, _) = facts(&DaemonConfig::default());
        assert_eq!(files["docker.sock"].Path, "/var/run/docker.sock");
        assert!(!files["docker.sock"].Exists);
        assert_eq!(files["daemon.json"].Path, "/etc/docker/daemon.json");
        assert!(files["daemon.json"].Exists);
        assert_eq!(files["tlscacert"], FileFact::default());

        let mut config = DaemonConfig {
            File: "/etc/docker/other.json".into(),
            ..DaemonConfig::default()
        };
        config.Settings.insert(
            "hosts".into(),
            setting(
                serde_json::json!(["tcp://0.0.0.0:2376", "unix:///var/run/docker/api.sock"]),
                "file",
            ),
        );
        config.Settings.insert(
            "tlscacert".into(),
            setting(serde_json::json!("/etc/docker/daemon.json"), "flag"),
        );
        config.Settings.insert(
            "tlscert".into(),
            setting(serde_json::json!("/root/.docker/cert.pem"), "default"),
        );
        let (files, _) = facts(&config);
        let sock = &files["docker.sock"];
        assert_eq!(
            (sock.Path.as_str(), sock.Kind.as_str()),
            ("/var/run/docker/api.sock", "file")
        );
        assert_eq!(files["daemon.json"].Path, "/etc/docker/other.json");
        assert!(!files["daemon.json"].Exists);
        assert!(files["tlscacert"].Exists);
        // A default TLS path matters only when TLS is on.
        assert_eq!(files["tlscert"].Path, "");
        config
            .Settings
            .insert("tlsverify".into(), setting(serde_json::json!(true), "file"));
        let (files, _) = facts(&config);
        assert_eq!(files["tlscert"].Path, "/root/.docker/cert.pem");
    }

    #[test]
    fn registry_certs_recursively_sorted() {
        let (_, certs) = facts(&DaemonConfig::default());
        let paths: Vec<&str> = certs.iter().map(|c| c.Path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/etc/docker/certs.d/reg.example:5000/ca.crt",
                "/etc/docker/certs.d/reg.example:5000/sub/client.key",
            ]
        );
        assert_eq!(certs[0].ModeOctal, "0444");
    }
}
