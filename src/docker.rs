//! What dockbench knows about Docker itself, shared by the collectors, the engine and the
//! renderers: default paths, the shapes of IDs and names, image references, anonymous volumes,
//! container IDs in cgroup and mount paths, and path containment. No I/O.

/// Where Docker keeps its state unless `data-root` says otherwise.
pub const DEFAULT_DATA_ROOT: &str = "/var/lib/docker";
/// The daemon's default Unix socket (`-H unix://` without a path).
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";
/// dockerd's default `--config-file`.
pub const DEFAULT_CONFIG_FILE: &str = "/etc/docker/daemon.json";
/// Registry certificates, one folder per registry.
pub const CERTS_D: &str = "/etc/docker/certs.d";

/// The 12-digit short form of a container or image ID (`sha256:` dropped), as `docker ps`
/// shows it; shorter IDs unchanged.
pub fn short_id(id: &str) -> &str {
    let id = id.trim_start_matches("sha256:");
    // By characters, not bytes: a clone's directory names are anyone's text.
    let end = id.char_indices().nth(12).map_or(id.len(), |(i, _)| i);
    &id[..end]
}

/// A full container ID: 64 lowercase hex digits.
pub fn is_full_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// An image's display name: its first real tag, else its short ID.
pub fn image_display_name(repo_tags: &[String], id: &str) -> String {
    repo_tags
        .iter()
        .find(|t| *t != "<none>:<none>")
        .cloned()
        .unwrap_or_else(|| short_id(id).to_string())
}

/// (tag, pinned) of an image reference as given at `docker run`.
pub fn image_reference(reference: &str) -> (String, bool) {
    if reference.contains('@') {
        return (String::new(), true);
    }
    let hex = |s: &str| s.len() >= 12 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if reference.starts_with("sha256:") || hex(reference) {
        return (String::new(), true);
    }
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let tag = last
        .split_once(':')
        .map(|(_, t)| t.to_string())
        .unwrap_or_default();
    (tag, false)
}

/// Docker names anonymous volumes with 64 hex digits.
pub fn is_anonymous_volume(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The container ID in a `/proc/<pid>/cgroup` text: `docker-<id>.scope` (systemd driver,
/// rootful or rootless) or `/docker/<id>` (cgroupfs driver, also nested below a parent).
pub fn id_from_cgroup(text: &str) -> Option<String> {
    for line in text.lines() {
        let path = line.splitn(3, ':').nth(2).unwrap_or("");
        let segments: Vec<&str> = path.split('/').collect();
        for (i, seg) in segments.iter().enumerate().rev() {
            if let Some(id) = seg
                .strip_prefix("docker-")
                .and_then(|s| s.strip_suffix(".scope"))
                && is_full_id(id)
            {
                return Some(id.to_string());
            }
            if is_full_id(seg) && i > 0 && segments[i - 1] == "docker" {
                return Some(seg.to_string());
            }
        }
    }
    None
}

/// The container ID in a `/proc/<pid>/mountinfo` text: the root of the bind mount on
/// `/etc/hostname`, `/etc/hosts` or `/etc/resolv.conf` is `…/containers/<id>/<that file>`.
pub fn id_from_mountinfo(text: &str) -> Option<String> {
    for line in text.lines() {
        let mut fields = line.split(' ');
        let (Some(root), Some(mount_point)) = (fields.nth(3), fields.next()) else {
            continue;
        };
        if !matches!(
            mount_point,
            "/etc/hostname" | "/etc/hosts" | "/etc/resolv.conf"
        ) {
            continue;
        }
        let mut parts = root.rsplit('/');
        let (_file, id, dir) = (parts.next(), parts.next(), parts.next());
        if dir == Some("containers")
            && let Some(id) = id.filter(|id| is_full_id(id))
        {
            return Some(id.to_string());
        }
    }
    None
}

/// The components of `p` after lexical normalisation (`.` and empty ones dropped, `..` pops).
pub fn normalize_path(p: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts
}

/// `path` is `dir` or below it, compared on whole components after normalisation
/// (`/etcd` is not within `/etc`).
pub fn path_within(path: &str, dir: &str) -> bool {
    let (p, d) = (normalize_path(path), normalize_path(dir));
    p.len() >= d.len() && p[..d.len()] == d[..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_within_matches_whole_components() {
        assert!(path_within("/etc", "/etc"));
        assert!(path_within("/etc/ssl/certs", "/etc/"));
        assert!(path_within("//etc//ssl", "/etc"));
        assert!(!path_within("/etcd", "/etc"));
        assert!(path_within("/var/../etc/passwd", "/etc"));
        assert!(path_within("/anything", "/"));
    }
}
