//! A read-only walk of an image's layer directories on the host (overlay2 and
//! fuse-overlayfs, from `GraphDriver.Data`), for setuid/setgid files (CIS 4.8) and risky
//! tools (CIS 4.3). Bounded in entries and depth; never follows symlinks; never writes.
use std::collections::BTreeSet;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::snapshot::{FactStatus, LayerFacts};

/// At most this many directory entries per image.
pub const MAX_ENTRIES: usize = 200_000;
/// At most this many directory levels below the layer root.
pub const MAX_DEPTH: usize = 32;

/// Program names that CIS 4.3 calls unnecessary in a production image: network tools a
/// attacker uses, remote shells, compilers and package managers. Matched in `bin`/`sbin`.
pub const TOOLS: [&str; 22] = [
    "nc", "netcat", "ncat", "socat", "sshd", "telnet", "gcc", "g++", "cc", "c++", "clang", "tcc",
    "make", "apt", "apt-get", "dpkg", "yum", "dnf", "microdnf", "apk", "rpm", "zypper",
];

/// The layer directories of an image, top (newest) first, from `GraphDriver`.
pub fn layer_dirs(
    driver: &str,
    data: &std::collections::HashMap<String, String>,
) -> Result<Vec<PathBuf>, String> {
    if !matches!(
        driver,
        "overlay2" | "overlay" | "overlayfs" | "fuse-overlayfs"
    ) {
        return Err(format!(
            "storage driver '{driver}': layer directories are only walked for overlay2 and fuse-overlayfs"
        ));
    }
    let mut dirs: Vec<PathBuf> = data
        .get("UpperDir")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    if let Some(lower) = data.get("LowerDir") {
        dirs.extend(
            lower
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        );
    }
    if dirs.is_empty() {
        return Err("the daemon reports no layer directories (GraphDriver.Data)".into());
    }
    Ok(dirs)
}

/// Walks `dirs` (top first): a path in an upper layer hides the same path below, and an
/// overlay whiteout (a 0/0 character device) deletes it.
pub fn walk(dirs: &[PathBuf]) -> LayerFacts {
    let mut facts = LayerFacts {
        Status: FactStatus::Available,
        ..LayerFacts::default()
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut entries = 0usize;
    for dir in dirs {
        if let Err(e) = std::fs::symlink_metadata(dir) {
            return LayerFacts {
                Status: FactStatus::unavailable(format!(
                    "cannot read layer {}: {e}",
                    dir.display()
                )),
                ..LayerFacts::default()
            };
        }
        let mut stack: Vec<(PathBuf, String, usize)> = vec![(dir.clone(), String::new(), 0)];
        while let Some((abs, rel, depth)) = stack.pop() {
            let Ok(read) = std::fs::read_dir(&abs) else {
                continue;
            };
            for entry in read.flatten() {
                entries += 1;
                if entries > MAX_ENTRIES {
                    facts.Truncated = true;
                    break;
                }
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = format!("{rel}/{name}");
                let Ok(meta) = entry.metadata() else { continue };
                let ft = meta.file_type();
                if !seen.insert(path.clone()) {
                    // Hidden by a newer layer; a directory may still hold files of its own.
                    if ft.is_dir() && depth < MAX_DEPTH {
                        stack.push((entry.path(), path, depth + 1));
                    }
                    continue;
                }
                if ft.is_char_device() && meta.rdev() == 0 {
                    continue; // whiteout: deleted in this layer
                }
                if ft.is_dir() {
                    if depth < MAX_DEPTH {
                        stack.push((entry.path(), path, depth + 1));
                    } else {
                        facts.Truncated = true;
                    }
                    continue;
                }
                if ft.is_file() && meta.mode() & 0o6000 != 0 {
                    facts
                        .SetuidFiles
                        .push(format!("{path} ({:04o})", meta.mode() & 0o7777));
                }
                if (ft.is_file() || ft.is_symlink())
                    && in_bin_dir(&rel)
                    && TOOLS.contains(&name.as_str())
                {
                    facts.Tools.push(path);
                }
            }
            if facts.Truncated && entries > MAX_ENTRIES {
                break;
            }
        }
    }
    facts.SetuidFiles.sort();
    facts.Tools.sort();
    facts
}

fn in_bin_dir(rel: &str) -> bool {
    Path::new(rel)
        .file_name()
        .is_some_and(|d| d == "bin" || d == "sbin")
}

/// The facts for one image, or the reason they could not be gathered.
pub fn collect(driver: &str, data: &std::collections::HashMap<String, String>) -> LayerFacts {
    match layer_dirs(driver, data) {
        Ok(dirs) => walk(&dirs),
        Err(reason) => LayerFacts {
            Status: FactStatus::unavailable(reason),
            ..LayerFacts::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn finds_setuid_files_and_tools_and_honours_upper_layers() {
        let lower = tempfile::tempdir().unwrap();
        let upper = tempfile::tempdir().unwrap();
        for d in ["usr/bin", "bin"] {
            std::fs::create_dir_all(lower.path().join(d)).unwrap();
        }
        std::fs::create_dir_all(upper.path().join("usr/bin")).unwrap();
        let su = lower.path().join("bin/su");
        std::fs::write(&su, "x").unwrap();
        std::fs::set_permissions(&su, std::fs::Permissions::from_mode(0o4755)).unwrap();
        std::fs::write(lower.path().join("usr/bin/gcc"), "x").unwrap();
        std::os::unix::fs::symlink("busybox", lower.path().join("bin/nc")).unwrap();
        // The upper layer replaces /usr/bin/passwd's setuid copy with a plain one.
        let passwd = lower.path().join("usr/bin/passwd");
        std::fs::write(&passwd, "x").unwrap();
        std::fs::set_permissions(&passwd, std::fs::Permissions::from_mode(0o4755)).unwrap();
        std::fs::write(upper.path().join("usr/bin/passwd"), "y").unwrap();
        // A file called gcc outside a bin directory is not a tool.
        std::fs::write(lower.path().join("gcc"), "x").unwrap();
        let facts = walk(&[upper.path().into(), lower.path().into()]);
        assert!(facts.Status.is_available());
        assert_eq!(facts.SetuidFiles, vec!["/bin/su (4755)"]);
        assert_eq!(facts.Tools, vec!["/bin/nc", "/usr/bin/gcc"]);
        assert!(!facts.Truncated);
    }

    #[test]
    fn other_drivers_are_not_walked() {
        let f = collect("btrfs", &Default::default());
        assert!(!f.Status.is_available());
        assert!(f.Status.reason().contains("btrfs"), "{}", f.Status.reason());
    }
}
