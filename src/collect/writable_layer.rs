//! The size of a container's writable layer (`SizeRw`) from its own upper directory
//! (`GraphDriver.Data.UpperDir` of overlay2 and fuse-overlayfs), counted as moby's overlay2
//! driver counts it (`directory.Size`): the apparent size of every entry that is not a
//! directory, each hard-linked inode once. A local scan then need not ask `/system/df`, for
//! which the daemon sizes every container (on fuse-overlayfs by a naive diff of whole trees).
//!
//! Read-only and bounded: every directory is opened relative to its parent with `O_NOFOLLOW`
//! (a symlink is counted, never followed), at most [`MAX_ENTRIES`] entries and [`MAX_DEPTH`]
//! levels; past a bound the size is not known and the caller asks the daemon.
use std::collections::HashSet;
use std::os::fd::OwnedFd;
use std::path::Path;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

/// At most this many directory entries per container.
pub const MAX_ENTRIES: usize = 200_000;
/// At most this many directory levels below the upper directory.
pub const MAX_DEPTH: usize = 64;

/// The upper directory of a container's layer, when its storage driver keeps one.
pub fn upper_dir<'a>(
    driver: &str,
    data: &'a std::collections::HashMap<String, String>,
) -> Option<&'a str> {
    super::layers::OVERLAY_DRIVERS
        .contains(&driver)
        .then(|| data.get("UpperDir").map(String::as_str))
        .flatten()
        .filter(|d| d.starts_with('/'))
}

fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC
}

/// Bytes in the upper directory `upper` (a path of this host), or why they are not known.
pub fn size(upper: &Path) -> Result<i64, String> {
    let root = rustix::fs::open(upper, dir_flags(), Mode::empty())
        .map_err(|e| format!("cannot open {}: {e}", upper.display()))?;
    let mut total: i64 = 0;
    let mut entries = 0usize;
    let mut linked: HashSet<(u64, u64)> = HashSet::new();
    // (directory, depth); a directory's children are opened from its descriptor.
    let mut stack: Vec<(OwnedFd, usize)> = vec![(root, 0)];
    while let Some((dir, depth)) = stack.pop() {
        let anchor = dir
            .try_clone()
            .map_err(|e| format!("{}: {e}", upper.display()))?;
        let mut listing =
            rustix::fs::Dir::new(dir).map_err(|e| format!("{}: {e}", upper.display()))?;
        while let Some(entry) = listing.read() {
            let entry = entry.map_err(|e| format!("{}: {e}", upper.display()))?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            entries += 1;
            if entries > MAX_ENTRIES {
                return Err(format!(
                    "{}: more than {MAX_ENTRIES} entries",
                    upper.display()
                ));
            }
            let name = entry.file_name();
            let stat = rustix::fs::statat(&anchor, name, AtFlags::SYMLINK_NOFOLLOW)
                .map_err(|e| format!("{}: {e}", upper.display()))?;
            if FileType::from_raw_mode(stat.st_mode) == FileType::Directory {
                if depth + 1 > MAX_DEPTH {
                    return Err(format!(
                        "{}: deeper than {MAX_DEPTH} levels",
                        upper.display()
                    ));
                }
                let child = rustix::fs::openat(&anchor, name, dir_flags(), Mode::empty())
                    .map_err(|e| format!("{}: {e}", upper.display()))?;
                stack.push((child, depth + 1));
                continue;
            }
            let bytes = stat.st_size;
            if bytes <= 0 {
                continue;
            }
            if stat.st_nlink > 1 && !linked.insert((stat.st_dev, stat.st_ino)) {
                continue;
            }
            total = total.saturating_add(bytes);
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn files_count_once_directories_not_symlinks_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::write(d.join("a/b/data"), vec![0u8; 3000]).unwrap();
        std::fs::hard_link(d.join("a/b/data"), d.join("a/again")).unwrap();
        std::fs::write(d.join("empty"), b"").unwrap();
        // A symlink counts its own length (the target's name), and is not followed.
        symlink("/usr/bin", d.join("link")).unwrap();
        assert_eq!(size(d).unwrap(), 3000 + "/usr/bin".len() as i64);
    }

    #[test]
    fn a_bound_makes_the_size_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = dir.path().to_path_buf();
        for _ in 0..=MAX_DEPTH {
            p.push("d");
        }
        std::fs::create_dir_all(&p).unwrap();
        let err = size(dir.path()).unwrap_err();
        assert!(err.contains("deeper than"), "{err}");
        assert!(size(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn only_overlay_drivers_have_an_upper_dir() {
        let data = std::collections::HashMap::from([(
            "UpperDir".to_string(),
            "/var/lib/docker/overlay2/x/diff".to_string(),
        )]);
        assert_eq!(
            upper_dir("overlay2", &data),
            Some("/var/lib/docker/overlay2/x/diff")
        );
        assert_eq!(upper_dir("vfs", &data), None);
        assert_eq!(upper_dir("overlay2", &Default::default()), None);
    }
}
