//! Read-only access to a host's file system through a root directory: `/` for the live host,
//! or a mounted clone of another host's disk (`scan --root DIR`).
//!
//! Paths are given as seen on the scanned host (`/var/run/docker.sock`). Symlinks are followed
//! by us, not by the kernel, so that an absolute link inside a clone (`var/run -> /run`) stays
//! inside the clone and `..` never climbs above the root.
use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::Metadata;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Linux's limit on symlinks followed during one lookup (`MAXSYMLINKS`).
const MAX_HOPS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootFs {
    pub root: PathBuf,
}

impl RootFs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        RootFs { root: root.into() }
    }

    /// The scanner's own root: symlinks resolve the same way for us and for the kernel.
    pub fn is_host_root(&self) -> bool {
        self.root == Path::new("/")
    }

    /// Where `path` (as seen on the scanned host) is, below the root, with every symlink
    /// followed inside the root. On a symlink loop this returns the path unresolved; the
    /// methods below report the loop as an error instead, so prefer them for reading.
    pub fn resolve(&self, path: impl AsRef<Path>) -> PathBuf {
        let path = path.as_ref();
        self.try_resolve(path, true)
            .unwrap_or_else(|_| self.join(&components(path).into_iter().collect::<Vec<_>>()))
    }

    /// Like `resolve`; `follow_last` false leaves the final component as it is (for lstat).
    /// Errors only on a symlink loop (more than 40 hops) or an unreadable link.
    pub fn try_resolve(&self, path: &Path, follow_last: bool) -> io::Result<PathBuf> {
        let mut done: Vec<OsString> = Vec::new();
        let mut todo: VecDeque<OsString> = components(path);
        let mut hops = 0;
        while let Some(name) = todo.pop_front() {
            if name == ".." {
                // Clamped: popping an empty stack stays at the root.
                done.pop();
                continue;
            }
            done.push(name);
            if todo.is_empty() && !follow_last {
                break;
            }
            let here = self.join(&done);
            // Missing or unreadable: keep the name; the caller's stat reports why.
            let Ok(meta) = std::fs::symlink_metadata(&here) else {
                continue;
            };
            if !meta.file_type().is_symlink() {
                continue;
            }
            hops += 1;
            if hops > MAX_HOPS {
                return Err(io::Error::from_raw_os_error(
                    rustix::io::Errno::LOOP.raw_os_error(),
                ));
            }
            let target = std::fs::read_link(&here)?;
            done.pop();
            if target.has_root() {
                done.clear();
            }
            for c in components(&target).into_iter().rev() {
                todo.push_front(c);
            }
        }
        Ok(self.join(&done))
    }

    /// `stat` (following symlinks inside the root) or, with `follow_last` false, `lstat`.
    pub fn stat(&self, path: impl AsRef<Path>, follow_last: bool) -> io::Result<Metadata> {
        std::fs::symlink_metadata(self.try_resolve(path.as_ref(), follow_last)?)
    }

    pub fn read_to_string(&self, path: impl AsRef<Path>) -> io::Result<String> {
        std::fs::read_to_string(self.try_resolve(path.as_ref(), true)?)
    }

    /// Entry names of a directory, sorted.
    pub fn read_dir(&self, path: impl AsRef<Path>) -> io::Result<Vec<OsString>> {
        let mut names = std::fs::read_dir(self.try_resolve(path.as_ref(), true)?)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<io::Result<Vec<_>>>()?;
        names.sort();
        Ok(names)
    }

    fn join(&self, parts: &[OsString]) -> PathBuf {
        let mut p = self.root.clone();
        p.extend(parts);
        p
    }
}

/// The names and `..` of a path; the root, `.` and prefixes are dropped (every path is taken
/// from the scanned root, relative or not).
fn components(path: &Path) -> VecDeque<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// Not found, or a path component is not a directory: the file does not exist.
pub fn is_not_found(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    /// A clone-host tree: `var/run -> /run` (absolute), `etc/os-release -> ../usr/lib/os-release`
    /// (relative), links that try to escape, and a loop.
    fn tree() -> (tempfile::TempDir, RootFs) {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        for d in ["run", "var", "etc", "usr/lib", "loop"] {
            std::fs::create_dir_all(r.join(d)).unwrap();
        }
        std::fs::write(r.join("run/docker.sock"), "").unwrap();
        std::fs::write(r.join("usr/lib/os-release"), "NAME=Clone\n").unwrap();
        std::fs::write(r.join("etc/passwd"), "clone\n").unwrap();
        symlink("/run", r.join("var/run")).unwrap();
        symlink("../usr/lib/os-release", r.join("etc/os-release")).unwrap();
        symlink("../../../../../../etc/passwd", r.join("etc/up")).unwrap();
        symlink("/etc/passwd", r.join("etc/abs")).unwrap();
        symlink("/../../etc", r.join("etc/parent")).unwrap();
        symlink("b", r.join("loop/a")).unwrap();
        symlink("a", r.join("loop/b")).unwrap();
        let fs = RootFs::new(r);
        (dir, fs)
    }

    #[test]
    fn absolute_links_stay_inside_the_root() {
        let (dir, fs) = tree();
        let r = dir.path();
        assert_eq!(
            fs.resolve("/var/run/docker.sock"),
            r.join("run/docker.sock")
        );
        assert_eq!(fs.resolve("/etc/abs"), r.join("etc/passwd"));
        assert_eq!(fs.read_to_string("/etc/abs").unwrap(), "clone\n");
        assert!(fs.stat("/var/run/docker.sock", true).unwrap().is_file());
    }

    #[test]
    fn relative_links_and_dotdot_are_clamped_at_the_root() {
        let (dir, fs) = tree();
        let r = dir.path();
        assert_eq!(fs.read_to_string("etc/os-release").unwrap(), "NAME=Clone\n");
        assert_eq!(fs.resolve("/etc/up"), r.join("etc/passwd"));
        assert_eq!(fs.read_to_string("/etc/up").unwrap(), "clone\n");
        assert_eq!(fs.resolve("/../../../etc/./passwd"), r.join("etc/passwd"));
        assert_eq!(fs.resolve("/etc/parent/passwd"), r.join("etc/passwd"));
        // A missing component keeps its name; `..` after it is lexical.
        assert_eq!(fs.resolve("/nope/../etc"), r.join("etc"));
    }

    #[test]
    fn lstat_keeps_the_final_link() {
        let (_dir, fs) = tree();
        assert!(fs.stat("/var/run", false).unwrap().file_type().is_symlink());
        assert!(fs.stat("/var/run", true).unwrap().is_dir());
    }

    #[test]
    fn loops_are_errors_not_hangs() {
        let (_dir, fs) = tree();
        let e = fs.stat("/loop/a", true).unwrap_err();
        assert_eq!(
            e.raw_os_error(),
            Some(rustix::io::Errno::LOOP.raw_os_error())
        );
        assert!(fs.stat("/loop/a", false).unwrap().file_type().is_symlink());
        assert!(is_not_found(&fs.stat("/run/missing", true).unwrap_err()));
        assert!(is_not_found(
            &fs.stat("/run/docker.sock/x", true).unwrap_err()
        ));
    }

    /// On the live root our resolution must agree with the kernel's.
    #[test]
    fn live_root_agrees_with_the_kernel() {
        let fs = RootFs::new("/");
        assert!(fs.is_host_root());
        for p in [
            "/var/run/docker.sock",
            "/etc/os-release",
            "/bin/sh",
            "/proc/self",
        ] {
            if let Ok(real) = std::fs::canonicalize(p) {
                assert_eq!(fs.resolve(p), real, "{p}");
            }
        }
        if Path::new("/var/run/docker.sock").exists() {
            use std::os::unix::fs::FileTypeExt;
            let meta = fs.stat("/var/run/docker.sock", true).unwrap();
            assert!(meta.file_type().is_socket());
        }
    }

    #[test]
    fn read_dir_is_sorted() {
        let (_dir, fs) = tree();
        let names = fs.read_dir("/var/run/../etc").unwrap();
        // `var/run` is `/run`, so `..` from it is the root.
        assert_eq!(names, ["abs", "os-release", "parent", "passwd", "up"]);
    }
}
