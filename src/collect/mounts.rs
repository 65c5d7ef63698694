//! The mount holding Docker's data root (CIS 1.1.1), from `/proc/self/mountinfo` — or, when
//! dockbench runs in a container, from the host init's (`/proc/1/mountinfo`, with `--pid host`),
//! since in the container's own table a `-v /var/lib:/var/lib` bind mount looks like a
//! partition of its own.
use super::rootfs::RootFs;
use crate::snapshot::{FactStatus, MountFacts, ScanMode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub mount_point: String,
    pub fs_type: String,
    pub source: String,
    /// `MAJ:MIN` of the file system (the 3rd field): equal for every mount of one file system,
    /// bind mounts included.
    pub device: String,
    /// The directory of that file system mounted here (`/` for a whole file system, the
    /// directory for a bind mount such as `/var/lib/docker`).
    pub root: String,
}

pub fn collect(fs: &RootFs, live: bool, data_root: &str) -> MountFacts {
    let mut facts = MountFacts {
        Path: data_root.to_string(),
        ..MountFacts::default()
    };
    if !live || !fs.is_host_root() {
        facts.Status = FactStatus::NotInMode {
            mode: ScanMode::Offline,
            reason: "mounts are not available in an offline scan".into(),
        };
        return facts;
    }
    // In a container, our own mount table would show the bind mount of /var/lib as a
    // partition of its own: read the host init's instead.
    let dir = match super::own_container::host_process_dir(
        std::path::Path::new("/proc"),
        "mount table",
    ) {
        Ok(d) => d,
        Err(reason) => {
            facts.Status = FactStatus::unavailable(reason);
            return facts;
        }
    };
    let path = dir.join("mountinfo");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            facts.Status = FactStatus::unavailable(format!("cannot read {}: {e}", path.display()));
            return facts;
        }
    };
    // Mount points are real paths: a data root reached through a symlink lives where the
    // link points.
    let real = fs.resolve(data_root);
    let mounts = parse_mountinfo(&text);
    match find(&mounts, &real.to_string_lossy()) {
        Some(m) => {
            facts.Status = FactStatus::Available;
            fill(&mut facts, m, find(&mounts, "/"));
        }
        None => facts.Status = FactStatus::unavailable(format!("no mount holds {data_root}")),
    }
    facts
}

/// The facts of the mount `m` holding the data root, against the root file system's mount
/// `root`. Separate only when the file systems differ (device numbers): a bind mount of a
/// directory of `/` has a mount point of its own but fills the same disk.
fn fill(facts: &mut MountFacts, m: &Mount, root: Option<&Mount>) {
    facts.MountPoint = m.mount_point.clone();
    facts.FsType = m.fs_type.clone();
    facts.Device = m.source.clone();
    facts.DeviceNumber = m.device.clone();
    facts.BindRoot = m.root.clone();
    facts.RootDeviceNumber = root.map(|r| r.device.clone()).unwrap_or_default();
    facts.Separate = m.mount_point != "/" && root.is_none_or(|r| r.device != m.device);
}

/// Mount point, file system type and source of each line of a mountinfo text:
/// `ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS`.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let left: Vec<&str> = left.split(' ').collect();
            let mount_point = left.get(4)?;
            let mut right = right.split(' ');
            Some(Mount {
                device: left.get(2)?.to_string(),
                root: unescape(left.get(3)?),
                mount_point: unescape(mount_point),
                fs_type: unescape(right.next()?),
                source: unescape(right.next().unwrap_or("")),
            })
        })
        .collect()
}

/// The kernel writes space, tab, newline and backslash as `\040`, `\011`, `\012`, `\134`.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match octal.and_then(|d| u8::from_str_radix(std::str::from_utf8(d).ok()?, 8).ok()) {
            Some(b) => {
                out.push(b);
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The longest mount point that is `path` or a parent of it (whole components: `/var/lib`
/// is not a parent of `/var/library`). Of mounts on the same point the last one is on top.
pub fn find<'a>(mounts: &'a [Mount], path: &str) -> Option<&'a Mount> {
    let contains = |mp: &str| {
        mp == "/"
            || path == mp
            || path
                .strip_prefix(mp.trim_end_matches('/'))
                .is_some_and(|rest| rest.starts_with('/'))
    };
    mounts
        .iter()
        .enumerate()
        .filter(|(_, m)| contains(&m.mount_point))
        .max_by_key(|(i, m)| (m.mount_point.trim_end_matches('/').len(), *i))
        .map(|(_, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
30 22 8:2 / /var/lib rw,relatime shared:2 - xfs /dev/sdb1 rw
31 30 8:3 / /var/lib/docker rw - ext4 /dev/sdc1 rw
32 30 8:3 / /var/lib/docker rw - overlay overlay rw
40 22 8:4 / /srv/my\\040data rw shared:4 - btrfs /dev/sdd\\0401 rw,space_cache
";

    #[test]
    fn parses_and_unescapes() {
        let mounts = parse_mountinfo(MOUNTINFO);
        assert_eq!(mounts.len(), 6);
        assert_eq!(
            mounts[5],
            Mount {
                mount_point: "/srv/my data".into(),
                fs_type: "btrfs".into(),
                source: "/dev/sdd 1".into(),
                device: "8:4".into(),
                root: "/".into(),
            }
        );
        assert_eq!(unescape("a\\134b\\0"), "a\\b\\0");
    }

    #[test]
    fn longest_parent_mount_wins() {
        let mounts = parse_mountinfo(MOUNTINFO);
        let at = |p: &str| find(&mounts, p).map(|m| (m.mount_point.as_str(), m.fs_type.as_str()));
        assert_eq!(at("/var/lib/docker"), Some(("/var/lib/docker", "overlay")));
        assert_eq!(
            at("/var/lib/docker/volumes"),
            Some(("/var/lib/docker", "overlay"))
        );
        assert_eq!(at("/var/lib/containerd"), Some(("/var/lib", "xfs")));
        assert_eq!(at("/var/library"), Some(("/", "ext4")));
        assert_eq!(at("/srv/my data/docker"), Some(("/srv/my data", "btrfs")));
        assert_eq!(find(&[], "/x"), None);
    }

    fn facts_for(mountinfo: &str, path: &str) -> MountFacts {
        let mounts = parse_mountinfo(mountinfo);
        let mut facts = MountFacts::default();
        fill(&mut facts, find(&mounts, path).unwrap(), find(&mounts, "/"));
        facts
    }

    /// This machine's own layout: /var/lib/docker bind-mounted from a directory of `/`. It has
    /// a mount point of its own but is the root file system (same device 254:0).
    #[test]
    fn bind_mount_of_a_root_directory_is_not_separate() {
        let text = "\
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
42 27 254:0 /var/lib/docker /var/lib/docker rw,relatime shared:1 - ext4 /dev/vda rw,discard
";
        let f = facts_for(text, "/var/lib/docker");
        assert_eq!(f.MountPoint, "/var/lib/docker");
        assert!(!f.Separate, "{f:?}");
        assert_eq!(
            (
                f.DeviceNumber.as_str(),
                f.RootDeviceNumber.as_str(),
                f.BindRoot.as_str()
            ),
            ("254:0", "254:0", "/var/lib/docker")
        );
        // Its own file system (the MOUNTINFO layout): separate; a parent partition counts.
        assert!(facts_for(MOUNTINFO, "/var/lib/docker").Separate);
        assert!(facts_for(MOUNTINFO, "/var/lib/containerd").Separate);
        assert!(!facts_for(MOUNTINFO, "/opt/docker").Separate);
        // A bind mount from another disk is on that disk: separate.
        let other = "27 1 254:0 / / rw - ext4 /dev/vda rw\n50 27 8:16 /docker /var/lib/docker rw - xfs /dev/sdb rw\n";
        assert!(facts_for(other, "/var/lib/docker").Separate);
    }

    #[test]
    fn offline_is_unavailable() {
        let m = collect(&RootFs::new("/tmp"), false, "/var/lib/docker");
        assert!(!m.Status.is_available());
        assert_eq!(
            m.Status.reason(),
            "mounts are not available in an offline scan"
        );
        assert_eq!(m.Path, "/var/lib/docker");
    }
}
