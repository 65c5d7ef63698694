//! Which Docker installation a clone holds and how its daemon was configured: the data root
//! (daemon.json `data-root`, a `--data-root` in the unit's ExecStart, or the default), and
//! the command line systemd would start dockerd with (unit + drop-ins; there is no /proc).
//! A rootful installation wins; else the first user with a rootless one (`~/.local/share/docker`).
use std::collections::BTreeMap;
use std::path::Path;

use super::super::daemon_config;
use super::super::files;
use super::super::rootfs::RootFs;
use super::super::users::Users;
use crate::snapshot::{DaemonConfig, FactStatus};

/// The installation found on the clone.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The data root as a path on the scanned host (`/var/lib/docker`).
    pub data_root: String,
    pub config: DaemonConfig,
    /// The user of a rootless installation, else None.
    pub rootless_user: Option<String>,
    /// Other installations seen and not scanned.
    pub notes: Vec<String>,
}

/// The installation to scan, or why there is none (no data root with `containers/` or `image/`).
pub fn locate(fs: &RootFs) -> Result<Layout, String> {
    let users = Users::load(fs);
    let mut candidates = vec![rootful(fs, &users)];
    candidates.extend(rootless_homes(fs).into_iter().map(|(user, home)| {
        let mut layout = rootless(fs, &home);
        layout.rootless_user = Some(user);
        layout
    }));
    // A daemon.json that cannot be parsed but names a data root: falling back to the default
    // would scan an empty or stale directory and report a clean host.
    if let Some(bad) = candidates
        .iter()
        .find(|l| !l.config.FileError.is_empty() && names_data_root(fs, &l.config))
    {
        return Err(format!(
            "{}; it sets a data root, so where the containers are is not known (fix the file, or scan a copy of the clone with it repaired)",
            bad.config.FileError
        ));
    }
    let mut found: Vec<Layout> = candidates
        .into_iter()
        .map(|l| remapped(fs, l))
        .filter(|l| is_data_root(fs, &l.data_root))
        .collect();
    if found.is_empty() {
        return Err(format!(
            "{}: no Docker data root found (looked for var/lib/docker or the data-root of etc/docker/daemon.json and of the unit's ExecStart, and home/*/.local/share/docker); is this the root of a mounted host disk?",
            fs.root.display()
        ));
    }
    let mut chosen = found.remove(0);
    chosen.notes.extend(found.iter().map(|l| {
        format!(
            "another Docker installation was not scanned: data root {}{}",
            l.data_root,
            l.rootless_user
                .as_ref()
                .map(|u| format!(" (rootless, user {u})"))
                .unwrap_or_default()
        )
    }));
    Ok(chosen)
}

/// Does the daemon's configuration file mention a data root (`data-root`, or `graph` as
/// older daemons called it), parsed or not?
fn names_data_root(fs: &RootFs, config: &DaemonConfig) -> bool {
    let file = if config.File.is_empty() {
        daemon_config::DEFAULT_CONFIG_FILE
    } else {
        &config.File
    };
    fs.read_lossy(file)
        .is_ok_and(|t| t.contains("\"data-root\"") || t.contains("\"graph\""))
}

/// With `userns-remap` the daemon keeps its state in `<data-root>/<uid>.<gid>` (what `/info`
/// reports as DockerRootDir): the first such directory with Docker state.
fn remapped(fs: &RootFs, mut layout: Layout) -> Layout {
    let remap = layout
        .config
        .Settings
        .get("userns-remap")
        .and_then(|s| s.Value.as_str())
        .is_some_and(|v| !v.is_empty());
    if !remap {
        return layout;
    }
    let is_remap_dir = |name: &str| {
        name.split_once('.').is_some_and(|(u, g)| {
            [u, g]
                .iter()
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    let sub = fs
        .read_dir(&layout.data_root)
        .unwrap_or_default()
        .into_iter()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| is_remap_dir(n))
        .map(|n| format!("{}/{n}", layout.data_root))
        .find(|d| is_data_root(fs, d));
    if let Some(dir) = sub {
        layout.data_root = dir;
    }
    layout
}

/// A directory with Docker's on-disk state.
fn is_data_root(fs: &RootFs, path: &str) -> bool {
    ["containers", "image"].iter().any(|d| {
        fs.stat(format!("{path}/{d}"), true)
            .is_ok_and(|m| m.is_dir())
    })
}

/// The system daemon: docker.service (+ drop-ins) and /etc/docker/daemon.json.
fn rootful(fs: &RootFs, users: &Users) -> Layout {
    let unit = files::find_unit(fs, users, "docker.service");
    let mut paths: Vec<String> = Vec::new();
    if unit.Exists && unit.Kind != "symlink" {
        paths.push(unit.Path.clone());
    }
    paths.extend(
        unit.DropIns
            .iter()
            .filter(|d| d.Exists && d.Kind != "symlink")
            .map(|d| d.Path.clone()),
    );
    let unreadable_dir = unit
        .DropIns
        .iter()
        .find(|d| !d.Exists && !d.Status.is_available())
        .map(|d| format!("{}: {}", d.Path, d.Status.reason()));
    let args = match unreadable_dir {
        Some(e) => Err(e),
        None => unit_args(fs, &paths, &["dockerd"]),
    };
    let mut config = config_of(fs, args, daemon_config::DEFAULT_CONFIG_FILE, &paths);
    config.SocketUnit = socket_unit(fs, users, "docker.socket");
    Layout {
        data_root: data_root_of(&config, crate::docker::DEFAULT_DATA_ROOT),
        config,
        rootless_user: None,
        notes: Vec::new(),
    }
}

/// A rootless daemon of the user whose home is `home`: its user unit runs
/// `dockerd-rootless.sh`, its config is `~/.config/docker/daemon.json`.
fn rootless(fs: &RootFs, home: &str) -> Layout {
    let unit = format!("{home}/.config/systemd/user/docker.service");
    let mut paths = vec![unit.clone()];
    let mut unreadable_dir = None;
    match fs.read_dir(format!("{unit}.d")) {
        Ok(names) => paths.extend(
            names
                .iter()
                .map(|n| n.to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".conf"))
                .map(|n| format!("{unit}.d/{n}")),
        ),
        Err(e) if super::super::rootfs::is_not_found(&e) => {}
        Err(e) => unreadable_dir = Some(format!("{unit}.d: {e}")),
    }
    let args = match unreadable_dir {
        Some(e) => Err(e),
        None => unit_args(fs, &paths, &["dockerd", "dockerd-rootless.sh"]),
    };
    let file = format!("{home}/.config/docker/daemon.json");
    let config = config_of(fs, args, &file, &paths);
    Layout {
        data_root: data_root_of(&config, &format!("{home}/.local/share/docker")),
        config,
        rootless_user: None,
        notes: Vec::new(),
    }
}

/// Users with a home under /home (the rootless install location), sorted by name.
fn rootless_homes(fs: &RootFs) -> Vec<(String, String)> {
    fs.read_dir("/home")
        .unwrap_or_default()
        .into_iter()
        .map(|n| n.to_string_lossy().into_owned())
        .map(|n| (n.clone(), format!("/home/{n}")))
        .collect()
}

/// The `ListenStream=` addresses of socket unit `name` and its drop-ins (unreadable ones
/// are skipped: the unit's own stat records why), on the host `fs` (a clone, or `/`).
pub fn socket_unit(fs: &RootFs, users: &Users, name: &str) -> Vec<String> {
    let unit = files::find_unit(fs, users, name);
    let texts: Vec<String> = std::iter::once(&unit)
        .chain(unit.DropIns.iter())
        .filter(|f| f.Exists)
        .filter_map(|f| fs.read_to_string(&f.Path).ok())
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    daemon_config::listen_streams(&refs)
}

/// A unit's dockerd command line: the arguments, the variable references that could not be
/// expanded (with why), and why systemd would not start the unit at all ("" when it would).
type UnitCommand = (Vec<String>, Vec<String>, String);

/// The dockerd arguments of these unit files (read in order), with `$VAR`/`${VAR}` expanded
/// from the unit's `Environment=` and `EnvironmentFile=`s (`$OPTIONS` of /etc/sysconfig/docker,
/// `$DOCKER_OPTS` of /etc/default/docker), or None; Err names a unit file that exists but
/// cannot be read (then the command line is unknown, not default).
fn unit_args(
    fs: &RootFs,
    paths: &[String],
    programs: &[&str],
) -> Result<Option<UnitCommand>, String> {
    let mut texts: Vec<String> = Vec::new();
    for p in paths {
        match fs.read_to_string(p) {
            Ok(t) => texts.push(t),
            Err(e) if super::super::rootfs::is_not_found(&e) => {}
            Err(e) => return Err(format!("{p}: {e}")),
        }
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let Some(args) = daemon_config::exec_start_args_of(&refs, programs) else {
        return Ok(None);
    };
    let unit_env = daemon_config::unit_environment(&refs);
    let mut env: BTreeMap<String, String> = unit_env.assignments.into_iter().collect();
    // Variables a file would set whose value cannot be known: every variable is suspect when
    // a file cannot be read, since any of them might be in it.
    let mut unreadable: Vec<String> = Vec::new();
    // systemd.exec: an EnvironmentFile= without the `-` prefix that does not exist fails the
    // unit ("Failed to load environment files"): dockerd would not run with any setting.
    let mut missing: Vec<String> = Vec::new();
    for (path, optional) in &unit_env.files {
        match fs.read_lossy(path) {
            // Settings from these files override Environment= (systemd.exec).
            Ok(text) => env.extend(daemon_config::parse_environment_file(&text)),
            Err(e) if super::super::rootfs::is_not_found(&e) && *optional => {}
            Err(e) if super::super::rootfs::is_not_found(&e) => missing.push(format!(
                "EnvironmentFile={path} does not exist and has no '-' prefix"
            )),
            // The scanner may lack a permission systemd has: the values are unknown.
            Err(e) => unreadable.push(format!("EnvironmentFile={path} cannot be read: {e}")),
        }
    }
    let refused = if missing.is_empty() {
        String::new()
    } else {
        format!(
            "the unit would not start (systemd fails a unit whose required environment file is missing): {}",
            missing.join("; ")
        )
    };
    let unknown: BTreeMap<String, String> = if unreadable.is_empty() {
        BTreeMap::new()
    } else {
        referenced_names(&args)
            .into_iter()
            .map(|n| (n, unreadable.join("; ")))
            .collect()
    };
    let (args, unexpanded) = daemon_config::expand_environment(&args, &env, &unknown);
    Ok(Some((args, unexpanded, refused)))
}

/// Names referenced as `$NAME` or `${NAME}` in `args`.
fn referenced_names(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for a in args {
        let mut rest = a.as_str();
        while let Some(i) = rest.find('$') {
            rest = &rest[i + 1..];
            let (name, after) = match rest.strip_prefix('{') {
                Some(r) => match r.find('}') {
                    Some(end) => (&r[..end], &r[end + 1..]),
                    None => break,
                },
                None => {
                    let end = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    (&rest[..end], &rest[end..])
                }
            };
            if !name.is_empty() && !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
            rest = after;
        }
    }
    out
}

fn config_of(
    fs: &RootFs,
    args: Result<Option<UnitCommand>, String>,
    default_file: &str,
    units: &[String],
) -> DaemonConfig {
    let unreadable = args.as_ref().err().cloned();
    let args = args.unwrap_or_default();
    let known = args.is_some();
    let (args, unexpanded, unit_refused) = args.unwrap_or_default();
    let mut config = daemon_config::resolve_planned(&args, known, default_file, |path| {
        match fs.read_to_string(path) {
            Ok(text) => Some(Ok(text)),
            Err(e) if super::super::rootfs::is_not_found(&e) => None,
            Err(e) => Some(Err(e.to_string())),
        }
    });
    config.Unexpanded = unexpanded;
    if !unit_refused.is_empty() {
        config.Refused = if config.Refused.is_empty() {
            format!("dockerd would not start with this configuration: {unit_refused}")
        } else {
            format!("{}; {unit_refused}", config.Refused)
        };
    }
    config.ListeningStatus = FactStatus::offline("the sockets the dockerd process listens on");
    if let Some(e) = unreadable {
        // Not an offline limit: the unit is there and could not be read (ERROR, not SKIP).
        config.CommandLine = FactStatus::unavailable(format!(
            "the dockerd command line is not known: cannot read {e}"
        ));
    } else if !known {
        let looked = if units.is_empty() {
            "no docker.service unit".to_string()
        } else {
            format!("no ExecStart running dockerd in {}", units.join(", "))
        };
        config.CommandLine = FactStatus::offline(&format!(
            "the dockerd command line ({looked}; a running process's arguments are not on disk)"
        ));
    }
    config
}

/// The configured data root (flag or file), else `default`.
fn data_root_of(config: &DaemonConfig, default: &str) -> String {
    config
        .Settings
        .get("data-root")
        .filter(|s| s.Source != "default")
        .and_then(|s| s.Value.as_str())
        .filter(|p| !p.is_empty())
        .map(|p| p.trim_end_matches('/').to_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// The storage driver whose image store holds the images: the configured one when its
/// directory exists, else the only one, else the one whose `repositories.json` changed last.
pub fn storage_driver(fs: &RootFs, data_root: &str, config: &DaemonConfig) -> Option<String> {
    let configured = config
        .Settings
        .get("storage-driver")
        .and_then(|s| s.Value.as_str())
        .filter(|d| !d.is_empty());
    let dir = format!("{data_root}/image");
    let drivers: Vec<String> = fs
        .read_dir(&dir)
        .unwrap_or_default()
        .into_iter()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|d| {
            fs.stat(format!("{dir}/{d}"), true)
                .is_ok_and(|m| m.is_dir())
        })
        .collect();
    if let Some(c) = configured
        && drivers.iter().any(|d| d == c)
    {
        return Some(c.to_string());
    }
    drivers.into_iter().max_by_key(|d| {
        fs.stat(Path::new(&dir).join(d).join("repositories.json"), true)
            .and_then(|m| m.modified())
            .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn mkdir(root: &Path, path: &str) {
        std::fs::create_dir_all(root.join(path)).unwrap();
    }

    #[test]
    fn data_root_from_a_drop_in_flag_and_userns_remap() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(
            r,
            "lib/systemd/system/docker.service",
            "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n",
        );
        write(
            r,
            "etc/systemd/system/docker.service.d/10-root.conf",
            "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --data-root /data/docker --userns-remap=default\n",
        );
        mkdir(r, "data/docker/165536.165536/containers");
        mkdir(r, "var/lib/docker/containers");
        let layout = locate(&RootFs::new(r)).unwrap();
        assert_eq!(layout.data_root, "/data/docker/165536.165536");
        assert!(layout.config.CommandLine.is_available());
        assert_eq!(layout.config.Settings["data-root"].Source, "flag");
        assert!(layout.rootless_user.is_none());
    }

    /// `$OPTIONS` from /etc/sysconfig/docker and `$DOCKER_OPTS` from /etc/default/docker are
    /// expanded; an EnvironmentFile that cannot be read leaves its variables unexpanded and
    /// listed, never empty. docker.socket's ListenStream= is what `-H fd://` serves.
    #[test]
    fn environment_files_and_socket_unit() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        mkdir(r, "var/lib/docker/containers");
        write(
            r,
            "usr/lib/systemd/system/docker.service",
            "[Service]\nEnvironmentFile=-/etc/sysconfig/docker\nEnvironmentFile=-/etc/default/docker\nExecStart=/usr/bin/dockerd -H fd:// $OPTIONS $DOCKER_OPTS\n",
        );
        write(
            r,
            "etc/sysconfig/docker",
            "# RHEL style\nOPTIONS='--selinux-enabled --log-level=debug'\n",
        );
        write(r, "etc/default/docker", "DOCKER_OPTS=\"--icc=false\"\n");
        write(
            r,
            "usr/lib/systemd/system/docker.socket",
            "[Socket]\nListenStream=/run/docker.sock\n",
        );
        write(
            r,
            "etc/systemd/system/docker.socket.d/tcp.conf",
            "[Socket]\nListenStream=0.0.0.0:2375\n",
        );
        let layout = locate(&RootFs::new(r)).unwrap();
        let c = &layout.config;
        assert_eq!(c.Settings["log-level"].Value, serde_json::json!("debug"));
        assert_eq!(c.Settings["icc"].Source, "flag");
        assert_eq!(c.Settings["selinux-enabled"].Value, serde_json::json!(true));
        assert!(c.Unexpanded.is_empty(), "{:?}", c.Unexpanded);
        assert_eq!(
            c.SocketUnit,
            vec!["unix:///run/docker.sock", "tcp://0.0.0.0:2375"]
        );

        // Unreadable (here: a directory where the file should be): unknown, not default.
        std::fs::remove_file(r.join("etc/sysconfig/docker")).unwrap();
        mkdir(r, "etc/sysconfig/docker");
        let c = locate(&RootFs::new(r)).unwrap().config;
        assert_eq!(c.Unexpanded.len(), 2, "{:?}", c.Unexpanded);
        assert!(
            c.Unexpanded[0]
                .starts_with("$OPTIONS: EnvironmentFile=/etc/sysconfig/docker cannot be read"),
            "{:?}",
            c.Unexpanded
        );
    }

    #[test]
    fn rootful_wins_and_rootless_is_noted() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        mkdir(r, "var/lib/docker/image/overlay2");
        mkdir(r, "home/bob/.local/share/docker/containers");
        let layout = locate(&RootFs::new(r)).unwrap();
        assert_eq!(layout.data_root, "/var/lib/docker");
        assert!(
            layout.notes[0].contains("rootless, user bob"),
            "{:?}",
            layout.notes
        );
        // No unit: the command line is unknown, and says why in offline terms.
        assert!(!layout.config.CommandLine.is_available());
        assert!(
            layout
                .config
                .CommandLine
                .reason()
                .contains(crate::snapshot::ScanMode::Offline.phrase())
        );
        assert!(matches!(
            layout.config.CommandLine,
            FactStatus::NotInMode {
                mode: crate::snapshot::ScanMode::Offline,
                ..
            }
        ));
    }

    #[test]
    fn rootless_only_and_nothing_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        assert!(
            locate(&RootFs::new(r))
                .unwrap_err()
                .contains("no Docker data root")
        );
        mkdir(r, "home/bob/.local/share/docker/containers");
        write(
            r,
            "home/bob/.config/docker/daemon.json",
            r#"{"icc": false}"#,
        );
        let layout = locate(&RootFs::new(r)).unwrap();
        assert_eq!(layout.rootless_user.as_deref(), Some("bob"));
        assert_eq!(layout.data_root, "/home/bob/.local/share/docker");
        assert_eq!(layout.config.File, "/home/bob/.config/docker/daemon.json");
        assert_eq!(layout.config.Settings["icc"].Source, "file");
    }
}
