//! The host paths behind containers' mounts (CIS 5.6, 5.32), gathered once per scan:
//! - the local volume driver's options: a volume created with `type=none,o=bind,device=/etc`
//!   is a bind mount of /etc (live from one `/volumes` listing, offline from each volume's
//!   `opts.json`, which moby's local driver writes);
//! - every host path resolved with its symlinks followed, where the daemon resolves it: in
//!   its own mount namespace (`/proc/<daemon pid>/root`) for a daemon of this host, inside
//!   the clone offline;
//! - the daemon's sockets matched by file identity (device, inode): a hard link to the
//!   socket, a bind-mounted alias of /run, or a symlink chain all name the same file.
//!
//! Read-only: `stat`, `readlink` and reads of small JSON files.
use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::rootfs::RootFs;
use crate::snapshot::Snapshot;

/// Volume name → its driver options (`type`, `o`, `device`).
pub type VolumeOptions = HashMap<String, BTreeMap<String, String>>;

/// The options of every volume of a live daemon, from one `/volumes` listing.
pub async fn live_volume_options(
    docker: &bollard::Docker,
    deadline: std::time::Duration,
) -> Result<VolumeOptions, String> {
    let list = tokio::time::timeout(
        deadline,
        docker.list_volumes(None::<bollard::query_parameters::ListVolumesOptions>),
    )
    .await
    .map_err(|_| format!("no answer within {} s", deadline.as_secs_f64()))?
    .map_err(|e| e.to_string())?;
    Ok(list
        .volumes
        .unwrap_or_default()
        .into_iter()
        .filter(|v| !v.options.is_empty())
        .map(|v| (v.name, v.options.into_iter().collect()))
        .collect())
}

/// The options of the local volumes the containers use, from
/// `<data-root>/volumes/NAME/opts.json` (`{"MountType":…,"MountOpts":…,"MountDevice":…}`),
/// under the option names `docker volume create --opt` takes. A volume without the file has
/// no options; a file that cannot be read or parsed is named in `notes`.
pub fn offline_volume_options(
    fs: &RootFs,
    data_root: &str,
    snap: &Snapshot,
    notes: &mut Vec<String>,
) -> VolumeOptions {
    let mut out = VolumeOptions::new();
    let names: std::collections::BTreeSet<&str> = snap
        .containers
        .iter()
        .flat_map(|c| &c.Mounts)
        .filter(|m| m.Type == "volume" && matches!(m.Driver.as_str(), "" | "local"))
        .map(|m| m.Name.as_str())
        .filter(|n| !n.is_empty() && !n.contains('/') && *n != "." && *n != "..")
        .collect();
    for name in names {
        let path = format!("{data_root}/volumes/{name}/opts.json");
        let text = match fs.read_to_string(&path) {
            Ok(t) => t,
            Err(e) if super::rootfs::is_not_found(&e) => continue,
            Err(e) => {
                notes.push(format!(
                    "volume {name}: {path}: {e} (its mount options are unknown)"
                ));
                continue;
            }
        };
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                notes.push(format!(
                    "volume {name}: {path}: {e} (its mount options are unknown)"
                ));
                continue;
            }
        };
        let mut options = BTreeMap::new();
        for (key, field) in [
            ("type", "MountType"),
            ("o", "MountOpts"),
            ("device", "MountDevice"),
        ] {
            if let Some(v) = value
                .get(field)
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
            {
                options.insert(key.to_string(), v.to_string());
            }
        }
        if !options.is_empty() {
            out.insert(name.to_string(), options);
        }
    }
    out
}

/// A live scan's mounts annotated: volume options from the daemon (a failed listing is a
/// note: those volumes are then judged by the containers' `--mount` options only), paths
/// resolved where the daemon is on this host.
pub async fn annotate_live(
    docker: &bollard::Docker,
    snap: &mut Snapshot,
    deadline: std::time::Duration,
) {
    let uses_volumes = snap
        .containers
        .iter()
        .any(|c| c.Mounts.iter().any(|m| m.Type == "volume"));
    let volumes = if uses_volumes {
        match live_volume_options(docker, deadline).await {
            Ok(v) => v,
            Err(e) => {
                snap.notes.push(format!(
                    "listing volumes failed: {e}; a volume that is a bind mount of a host path (local driver, o=bind) is not seen (5.6, 5.32)"
                ));
                VolumeOptions::new()
            }
        }
    } else {
        VolumeOptions::new()
    };
    let fs = daemon_root(snap);
    annotate(snap, &volumes, fs.as_ref());
    // The user a name resolves to at start is in the container's own layers (a passwd
    // changed with `docker cp`), readable where the daemon is on this host.
    if fs.is_some() {
        for c in &mut snap.containers {
            let name = c.Config.User.split(':').next().unwrap_or("");
            if !name.is_empty() && name.parse::<i64>().is_err() {
                c.Passwd = super::layers::container_passwd(&c.GraphDriver);
            }
        }
    }
}

/// Where the daemon of a live scan resolves bind sources: its own root (`/proc/PID/root`:
/// a rootless daemon's mount namespace differs from ours); `None` when the daemon is not on
/// this host.
pub fn daemon_root(snap: &Snapshot) -> Option<RootFs> {
    let t = &snap.daemon.Target;
    if !t.Local {
        return None;
    }
    let root = format!("/proc/{}/root", t.Pid);
    if t.Pid > 0 && std::fs::metadata(&root).is_ok() {
        Some(RootFs::new(root))
    } else {
        Some(RootFs::new("/"))
    }
}

/// Fills each mount's `VolumeOptions` from `volumes`, and, with `fs`, its `Resolved` host
/// path and the daemon sockets it `Reaches` (is, or holds, by file identity).
pub fn annotate(snap: &mut Snapshot, volumes: &VolumeOptions, fs: Option<&RootFs>) {
    for c in &mut snap.containers {
        for m in &mut c.Mounts {
            if m.Type == "volume"
                && matches!(m.Driver.as_str(), "" | "local")
                && let Some(o) = volumes.get(&m.Name)
            {
                m.VolumeOptions = o.clone();
            }
        }
    }
    let Some(fs) = fs else {
        return;
    };
    // (device, inode) of each socket and of each directory holding it → the socket.
    let mut ids: HashMap<(u64, u64), Vec<String>> = HashMap::new();
    for socket in crate::engine::derive::daemon_sockets(snap) {
        let Ok(meta) = fs.stat(&socket, true) else {
            continue;
        };
        if !std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type()) {
            continue;
        }
        let mut add = |id: (u64, u64)| {
            let e = ids.entry(id).or_default();
            if !e.contains(&socket) {
                e.push(socket.clone());
            }
        };
        add((meta.dev(), meta.ino()));
        let real = host_path(fs, &fs.resolve(&socket));
        let mut dir = Path::new(&real).parent();
        while let Some(d) = dir {
            if let Ok(m) = fs.stat(d, true) {
                add((m.dev(), m.ino()));
            }
            dir = d.parent();
        }
    }
    for c in &mut snap.containers {
        let specs = c.HostConfig.Mounts.clone();
        for m in &mut c.Mounts {
            let Some((source, _)) = crate::engine::derive::host_path(m, &specs) else {
                continue;
            };
            if !source.starts_with('/') {
                continue;
            }
            if let Ok(real) = fs.try_resolve(Path::new(&source), true) {
                m.Resolved = host_path(fs, &real);
            }
            if let Ok(meta) = fs.stat(&source, true)
                && let Some(sockets) = ids.get(&(meta.dev(), meta.ino()))
            {
                m.Reaches = sockets.clone();
            }
        }
    }
}

/// A path below `fs.root` as the scanned host names it.
fn host_path(fs: &RootFs, joined: &Path) -> String {
    match joined.strip_prefix(&fs.root) {
        Ok(rest) => format!("/{}", rest.display()),
        Err(_) => joined.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{Container, MountPoint};

    fn snap_with(mounts: Vec<MountPoint>) -> Snapshot {
        let mut s = Snapshot::default();
        s.containers.push(Container {
            Id: "c1".into(),
            Mounts: mounts,
            ..Container::default()
        });
        s
    }

    #[test]
    fn opts_json_and_links_inside_a_clone() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::create_dir_all(r.join("var/lib/docker/volumes/v/_data")).unwrap();
        std::fs::write(
            r.join("var/lib/docker/volumes/v/opts.json"),
            r#"{"MountType":"none","MountOpts":"bind","MountDevice":"/etc","Quota":{"Size":0}}"#,
        )
        .unwrap();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::create_dir_all(r.join("srv")).unwrap();
        std::os::unix::fs::symlink("/etc", r.join("srv/conf")).unwrap();
        let mut snap = snap_with(vec![
            MountPoint {
                Type: "volume".into(),
                Name: "v".into(),
                Driver: "local".into(),
                Destination: "/host".into(),
                RW: true,
                ..MountPoint::default()
            },
            MountPoint {
                Type: "bind".into(),
                Source: "/srv/conf".into(),
                Destination: "/c".into(),
                RW: true,
                ..MountPoint::default()
            },
        ]);
        let fs = RootFs::new(r);
        let mut notes = Vec::new();
        let volumes = offline_volume_options(&fs, "/var/lib/docker", &snap, &mut notes);
        annotate(&mut snap, &volumes, Some(&fs));
        let m = &snap.containers[0].Mounts;
        assert_eq!(
            m[0].VolumeOptions.get("device").map(String::as_str),
            Some("/etc")
        );
        assert_eq!(m[0].Resolved, "/etc");
        assert_eq!(m[1].Resolved, "/etc");
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn hard_links_and_symlinks_of_a_socket_are_the_socket() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::create_dir_all(r.join("run")).unwrap();
        std::fs::create_dir_all(r.join("tmp/x")).unwrap();
        let _listener = std::os::unix::net::UnixListener::bind(r.join("run/docker.sock")).unwrap();
        std::fs::hard_link(r.join("run/docker.sock"), r.join("tmp/x/hl")).unwrap();
        std::os::unix::fs::symlink("/run/docker.sock", r.join("tmp/x/sl")).unwrap();
        std::fs::create_dir_all(r.join("srv")).unwrap();
        let bind = |src: &str| MountPoint {
            Type: "bind".into(),
            Source: src.into(),
            Destination: format!("/m{}", src.len()),
            ..MountPoint::default()
        };
        let mut snap = snap_with(vec![bind("/tmp/x/hl"), bind("/tmp/x/sl"), bind("/srv")]);
        annotate(&mut snap, &VolumeOptions::new(), Some(&RootFs::new(r)));
        let m = &snap.containers[0].Mounts;
        assert!(
            m[0].Reaches.contains(&"/run/docker.sock".to_string()),
            "{:?}",
            m[0]
        );
        assert_eq!(m[1].Resolved, "/run/docker.sock");
        assert!(m[1].Reaches.contains(&"/run/docker.sock".to_string()));
        assert!(m[2].Reaches.is_empty());
    }
}
