//! Read-only access to a host's file system through a root directory: `/` for the live host,
//! or a mounted clone of another host's disk (`scan --root DIR`).
//!
//! Paths are given as seen on the scanned host (`/var/run/docker.sock`). Under a clone root
//! every lookup is confined to the root by the kernel: `openat2` with `RESOLVE_IN_ROOT`, so
//! an absolute link inside the clone (`var/run -> /run`) resolves inside the clone, `..`
//! never climbs above it, and a link swapped in during the scan cannot lead out. Where
//! `openat2` is missing (Linux < 5.6, or refused by a seccomp filter) an equivalent walk
//! follows each component by file descriptor (`O_NOFOLLOW`, links read and resolved by us),
//! never by path.
//!
//! Reads are of regular files only, opened without blocking and capped in size: a FIFO or a
//! device node planted where a file is expected is an error, never a hang, never opened
//! (device opens can have effects), and never read without end.
use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustix::fs::{AtFlags, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

/// Linux's limit on symlinks followed during one lookup (`MAXSYMLINKS`).
const MAX_HOPS: usize = 40;
/// Largest file read (bytes). Docker's JSON files, units and configuration are far smaller;
/// more is a planted or corrupt file, reported as an error rather than read.
pub const MAX_READ: u64 = 64 << 20;

#[derive(Debug, Clone)]
pub struct RootFs {
    pub root: PathBuf,
    /// The root directory, opened once (`O_PATH`); `None` when it cannot be opened (each
    /// access then reports why).
    dir: OnceLock<Option<Arc<OwnedFd>>>,
    /// Use the descriptor walk even where `openat2` exists (tests of the fallback).
    walk_only: bool,
}

impl PartialEq for RootFs {
    fn eq(&self, other: &Self) -> bool {
        self.root == other.root
    }
}
impl Eq for RootFs {}

impl RootFs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        RootFs {
            root: root.into(),
            dir: OnceLock::new(),
            walk_only: false,
        }
    }

    /// The same root, resolved by the descriptor walk only (what hosts without `openat2` do).
    pub fn with_walk_only(mut self) -> Self {
        self.walk_only = true;
        self
    }

    /// The scanner's own root: symlinks resolve the same way for us and for the kernel.
    pub fn is_host_root(&self) -> bool {
        self.root == Path::new("/")
    }

    /// Where `path` (as seen on the scanned host) is, below the root, with every symlink
    /// followed inside the root — for naming and comparing paths, not for opening them (the
    /// methods below open through the confined lookup). On a symlink loop this returns the
    /// path unresolved.
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
                return Err(Errno::LOOP.into());
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
        let fd = self.open(path.as_ref(), OFlags::PATH, follow_last)?;
        File::from(fd).metadata()
    }

    /// A regular file's text (UTF-8), at most `MAX_READ` bytes.
    pub fn read_to_string(&self, path: impl AsRef<Path>) -> io::Result<String> {
        String::from_utf8(self.read(path.as_ref(), MAX_READ)?)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
    }

    /// A regular file's text with invalid UTF-8 replaced (U+FFFD): for files such as
    /// passwd and group where one stray byte must not hide every other line.
    pub fn read_lossy(&self, path: impl AsRef<Path>) -> io::Result<String> {
        let bytes = self.read(path.as_ref(), MAX_READ)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// A regular file's bytes, at most `cap`. Errors: not a regular file (FIFO, device,
    /// socket, directory: not opened for reading), larger than `cap`, or the open's error.
    pub fn read(&self, path: &Path, cap: u64) -> io::Result<Vec<u8>> {
        let handle = self.open(path, OFlags::PATH, true)?;
        let meta = File::from(handle.try_clone()?).metadata()?;
        if !meta.is_file() {
            return Err(not_regular(&meta));
        }
        if meta.len() > cap {
            return Err(too_large(cap));
        }
        let file = File::from(reopen(&handle)?);
        let now = file.metadata()?;
        if !now.is_file() || now.ino() != meta.ino() || now.dev() != meta.dev() {
            return Err(io::Error::other("the file changed while it was opened"));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(cap + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > cap {
            return Err(too_large(cap));
        }
        Ok(bytes)
    }

    /// Entry names of a directory, sorted.
    pub fn read_dir(&self, path: impl AsRef<Path>) -> io::Result<Vec<OsString>> {
        let fd = self.open_dir(path)?;
        let mut names = Vec::new();
        for entry in rustix::fs::Dir::new(fd)? {
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            if name != b"." && name != b".." {
                names.push(OsString::from(std::ffi::OsStr::from_bytes(name)));
            }
        }
        names.sort();
        Ok(names)
    }

    /// A directory opened for listing (symlinks followed inside the root).
    pub fn open_dir(&self, path: impl AsRef<Path>) -> io::Result<OwnedFd> {
        self.open(
            path.as_ref(),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NONBLOCK,
            true,
        )
    }

    /// Opens `path` below the root with `flags` (plus `O_CLOEXEC | O_NOCTTY`, and
    /// `O_NOFOLLOW` when `follow_last` is false), confined to the root.
    fn open(&self, path: &Path, flags: OFlags, follow_last: bool) -> io::Result<OwnedFd> {
        let flags = open_flags(flags, follow_last);
        if self.is_host_root() && !self.walk_only {
            let abs = Path::new("/").join(relative(path));
            return Ok(rustix::fs::open(abs, flags, Mode::empty())?);
        }
        let root = self.root_dir()?;
        if !self.walk_only {
            let how = ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS;
            let rel = relative(path);
            for _ in 0..3 {
                match rustix::fs::openat2(&*root, &rel, flags, Mode::empty(), how) {
                    Ok(fd) => return Ok(fd),
                    // A rename raced with `..` resolution: try again.
                    Err(Errno::AGAIN) => continue,
                    // No openat2 (old kernel, seccomp, unknown flag): the walk below.
                    Err(Errno::NOSYS | Errno::PERM | Errno::INVAL | Errno::OPNOTSUPP) => break,
                    Err(e) => return Err(e.into()),
                }
            }
        }
        walk_open(root.as_fd(), path, flags, follow_last)
    }

    fn root_dir(&self) -> io::Result<Arc<OwnedFd>> {
        let open = || {
            rustix::fs::open(
                &self.root,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
        };
        match self.dir.get_or_init(|| open().ok().map(Arc::new)) {
            Some(fd) => Ok(fd.clone()),
            None => Err(open().err().map_or_else(
                || io::Error::other("cannot open the root directory"),
                io::Error::from,
            )),
        }
    }

    fn join(&self, parts: &[OsString]) -> PathBuf {
        let mut p = self.root.clone();
        p.extend(parts);
        p
    }
}

/// `flags` plus `O_CLOEXEC`, `O_NOCTTY` (not with `O_PATH`: openat2 refuses any flag but
/// `O_DIRECTORY`, `O_NOFOLLOW` and `O_CLOEXEC` with it) and `O_NOFOLLOW` for an lstat.
fn open_flags(flags: OFlags, follow_last: bool) -> OFlags {
    let mut flags = flags | OFlags::CLOEXEC;
    if !flags.contains(OFlags::PATH) {
        flags |= OFlags::NOCTTY;
    }
    if !follow_last {
        flags |= OFlags::NOFOLLOW;
    }
    flags
}

/// The lookup `openat2(RESOLVE_IN_ROOT)` does, one component at a time by descriptor: `..`
/// at the root stays at the root, an absolute link restarts at the root, every component is
/// opened with `O_NOFOLLOW` relative to its parent's descriptor.
fn walk_open(
    root: BorrowedFd<'_>,
    path: &Path,
    flags: OFlags,
    follow_last: bool,
) -> io::Result<OwnedFd> {
    let mut stack: Vec<OwnedFd> = Vec::new();
    let mut todo = components(path);
    let mut hops = 0;
    loop {
        let cur = stack.last().map_or(root, |f| f.as_fd());
        let Some(name) = todo.pop_front() else {
            return Ok(rustix::fs::openat(cur, ".", flags, Mode::empty())?);
        };
        if name == ".." {
            stack.pop();
            continue;
        }
        let last = todo.is_empty();
        let st = rustix::fs::statat(cur, &name, AtFlags::SYMLINK_NOFOLLOW)?;
        let is_link = rustix::fs::FileType::from_raw_mode(st.st_mode).is_symlink();
        if is_link && (!last || follow_last) {
            hops += 1;
            if hops > MAX_HOPS {
                return Err(Errno::LOOP.into());
            }
            let target = rustix::fs::readlinkat(cur, &name, Vec::new())?;
            let target = Path::new(std::ffi::OsStr::from_bytes(target.as_bytes()));
            if target.has_root() {
                stack.clear();
            }
            for c in components(target).into_iter().rev() {
                todo.push_front(c);
            }
            continue;
        }
        if last {
            return Ok(rustix::fs::openat(
                cur,
                &name,
                flags | OFlags::NOFOLLOW,
                Mode::empty(),
            )?);
        }
        let dir = rustix::fs::openat(
            cur,
            &name,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        stack.push(dir);
    }
}

/// Opens for reading the file an `O_PATH` descriptor names, without a second lookup by
/// path (through `/proc/self/fd`), never blocking.
fn reopen(handle: &OwnedFd) -> io::Result<OwnedFd> {
    use std::os::fd::AsRawFd;
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
    Ok(rustix::fs::open(
        format!("/proc/self/fd/{}", handle.as_raw_fd()),
        flags,
        Mode::empty(),
    )?)
}

fn not_regular(meta: &Metadata) -> io::Error {
    let t = meta.file_type();
    let what = if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a plain file"
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({what}): not read"),
    )
}

fn too_large(cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("larger than {} MiB: not read", cap >> 20),
    )
}

/// `path` relative to the root (`.` for the root itself), `..` kept for the kernel to clamp.
fn relative(path: &Path) -> PathBuf {
    let parts = components(path);
    if parts.is_empty() {
        return PathBuf::from(".");
    }
    parts.into_iter().collect()
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

    #[test]
    fn openat2_is_used_where_the_kernel_has_it() {
        let (_dir, fs) = tree();
        let root = fs.root_dir().unwrap();
        let how = ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS;
        // Every flag set `open` passes is one the kernel accepts: EINVAL would mean each
        // lookup silently took the fallback walk.
        for (flags, follow) in [
            (OFlags::PATH, true),
            (OFlags::PATH, false),
            (OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NONBLOCK, true),
        ] {
            match rustix::fs::openat2(&*root, "etc", open_flags(flags, follow), Mode::empty(), how)
            {
                Ok(_) | Err(Errno::NOSYS | Errno::PERM) => {}
                Err(e) => panic!("openat2 refused {flags:?}: {e}"),
            }
        }
    }

    /// Both lookups (openat2 and the descriptor walk) keep every read inside the root.
    fn both(fs: &RootFs) -> [RootFs; 2] {
        [fs.clone(), RootFs::new(&fs.root).with_walk_only()]
    }

    #[test]
    fn reads_never_leave_the_root_whatever_the_lookup() {
        let (dir, fs) = tree();
        let r = dir.path();
        // A link out of the root by absolute path, by `..`, and through a link loop's exit.
        symlink("/etc", r.join("hostetc")).unwrap();
        symlink("../../../../../../../../etc/passwd", r.join("up2")).unwrap();
        for fs in both(&fs) {
            assert_eq!(fs.read_to_string("/etc/abs").unwrap(), "clone\n");
            assert_eq!(fs.read_to_string("/etc/up").unwrap(), "clone\n");
            assert_eq!(fs.read_to_string("/up2").unwrap(), "clone\n");
            assert_eq!(fs.read_to_string("/hostetc/passwd").unwrap(), "clone\n");
            assert_eq!(fs.read_to_string("etc/os-release").unwrap(), "NAME=Clone\n");
            // The scanner's own /etc/hostname is not in the clone: not found, not read.
            assert!(is_not_found(
                &fs.read_to_string("/hostetc/hostname").unwrap_err()
            ));
            let e = fs.read_dir("/loop/a").unwrap_err();
            assert_eq!(e.raw_os_error(), Some(Errno::LOOP.raw_os_error()));
            assert!(fs.stat("/loop/a", false).unwrap().file_type().is_symlink());
            assert!(fs.stat("/var/run/docker.sock", true).unwrap().is_file());
            assert_eq!(
                fs.read_dir("/var/run/../etc").unwrap(),
                ["abs", "os-release", "parent", "passwd", "up"]
            );
        }
    }

    #[test]
    fn fifos_devices_and_huge_files_are_errors_not_hangs() {
        let (dir, fs) = tree();
        let r = dir.path();
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            r.join("etc/fifo"),
            Mode::from_raw_mode(0o644),
        )
        .unwrap();
        // A /dev/zero lookalike (1,5), where the scanner is allowed to make one.
        let zero = rustix::fs::mknodat(
            rustix::fs::CWD,
            r.join("etc/zero"),
            rustix::fs::FileType::CharacterDevice,
            Mode::from_raw_mode(0o644),
            rustix::fs::makedev(1, 5),
        )
        .is_ok();
        let big = File::create(r.join("etc/big")).unwrap();
        big.set_len(MAX_READ + 1).unwrap();
        for fs in both(&fs) {
            let e = fs.read_to_string("/etc/fifo").unwrap_err();
            assert!(e.to_string().contains("a FIFO"), "{e}");
            if zero {
                let e = fs.read_to_string("/etc/zero").unwrap_err();
                assert!(e.to_string().contains("character device"), "{e}");
            }
            let e = fs.read_to_string("/etc/big").unwrap_err();
            assert!(e.to_string().contains("larger than 64 MiB"), "{e}");
            assert!(fs.read_to_string("/etc").is_err());
        }
    }

    #[test]
    fn lossy_reads_keep_the_other_lines() {
        let (dir, fs) = tree();
        std::fs::write(
            dir.path().join("etc/group"),
            b"docker:x:999:al\xffice,bob\n",
        )
        .unwrap();
        assert!(fs.read_to_string("/etc/group").is_err());
        assert_eq!(
            fs.read_lossy("/etc/group").unwrap(),
            "docker:x:999:al\u{fffd}ice,bob\n"
        );
    }

    #[test]
    fn a_root_path_with_a_colon_works() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("clone:2024-01-01");
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(root.join("etc/hostname"), "c\n").unwrap();
        for fs in both(&RootFs::new(&root)) {
            assert_eq!(fs.read_to_string("/etc/hostname").unwrap(), "c\n");
        }
    }
}
