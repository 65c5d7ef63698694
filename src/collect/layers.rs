//! A read-only walk of an image's layer directories on the host (overlay2 and
//! fuse-overlayfs, from `GraphDriver.Data`), for setuid/setgid files (CIS 4.8) and risky
//! tools (CIS 4.3). Bounded in entries and depth; never follows symlinks; never writes.
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

use crate::snapshot::{Cause, FactStatus, LayerFacts};

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

/// Storage drivers whose layers are plain directories that can be walked.
pub const OVERLAY_DRIVERS: [&str; 4] = ["overlay2", "overlay", "overlayfs", "fuse-overlayfs"];

/// The layer directories of an image, top (newest) first, from `GraphDriver`.
pub fn layer_dirs(
    driver: &str,
    data: &std::collections::HashMap<String, String>,
) -> Result<Vec<PathBuf>, String> {
    if !OVERLAY_DRIVERS.contains(&driver) {
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

/// One layer directory to walk: its name for messages, and the directory opened (a clone's
/// layers are opened through the confined lookup of `RootFs`, so the walk starts inside).
pub struct LayerDir {
    pub name: String,
    pub dir: std::io::Result<OwnedFd>,
}

impl LayerDir {
    /// A directory of this host (the daemon's `GraphDriver` paths in a live scan).
    pub fn open(path: &Path) -> LayerDir {
        LayerDir {
            name: path.display().to_string(),
            dir: rustix::fs::open(path, dir_flags(), Mode::empty()).map_err(Into::into),
        }
    }
}

fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC
}

/// Walks `dirs` (top first): a path in an upper layer hides the same path below, and an
/// overlay whiteout (a 0/0 character device) deletes it. Every directory is opened by
/// descriptor relative to its parent with `O_NOFOLLOW`, so no symlink (a loop, a link to
/// the scanner's `/usr/bin`) is ever followed. A directory or entry that cannot be read
/// makes the facts unavailable, naming it: "nothing found" must mean "nothing there".
pub fn walk(dirs: Vec<LayerDir>) -> LayerFacts {
    let mut facts = LayerFacts {
        Status: FactStatus::Available,
        ..LayerFacts::default()
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    // Paths deleted by an upper layer (whiteouts) or hidden by an opaque directory there:
    // nothing at or below them in lower layers is part of the image.
    let mut deleted: BTreeSet<String> = BTreeSet::new();
    let mut entries = 0usize;
    let mut unreadable: Option<String> = None;
    let mut passwd_seen = false;
    let mut passwd_link: Option<Result<String, String>> = None;
    // Each layer's root, top first, for resolving /etc/passwd's link after the walk.
    let mut tops: Vec<Arc<OwnedFd>> = Vec::new();
    'layers: for layer in dirs {
        let top = match layer.dir {
            Ok(fd) => {
                let fd = Arc::new(fd);
                tops.push(fd.clone());
                fd
            }
            Err(e) => {
                return LayerFacts {
                    Status: FactStatus::io(format!("cannot read layer {}: {e}", layer.name), &e),
                    ..LayerFacts::default()
                };
            }
        };
        // Opaque directories of this layer hide lower layers only.
        let mut opaque: Vec<String> = Vec::new();
        // (parent directory, name in it, path in the image, depth); the root has no name.
        let mut stack: Vec<(Arc<OwnedFd>, Option<OsString>, String, usize)> =
            vec![(top, None, String::new(), 0)];
        while let Some((parent, name, rel, depth)) = stack.pop() {
            let dir = match &name {
                None => parent.try_clone(),
                Some(n) => rustix::fs::openat(&*parent, n.as_os_str(), dir_flags(), Mode::empty())
                    .map_err(Into::into),
            };
            // One descriptor lists the directory, a copy of it anchors the children.
            let opened = dir.and_then(|d: OwnedFd| {
                let anchor = Arc::new(d.try_clone()?);
                Ok((anchor, rustix::fs::Dir::new(d)?))
            });
            let (this, mut listing) = match opened {
                Ok(o) => o,
                Err(e) => {
                    unreadable.get_or_insert(format!("{}{}: {e}", layer.name, rel));
                    continue;
                }
            };
            if is_opaque(&this) {
                opaque.push(rel.clone());
            }
            while let Some(entry) = listing.read() {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        unreadable.get_or_insert(format!("{}{}: {e}", layer.name, rel));
                        break;
                    }
                };
                let raw = entry.file_name().to_bytes();
                if raw == b"." || raw == b".." {
                    continue;
                }
                entries += 1;
                if entries > MAX_ENTRIES {
                    facts.Truncated = true;
                    break 'layers;
                }
                let os_name = OsString::from(std::ffi::OsStr::from_bytes(raw));
                let name = os_name.to_string_lossy().into_owned();
                let path = format!("{rel}/{name}");
                if deleted.contains(&path) {
                    continue;
                }
                // fuse-overlayfs (and the layer tar format) mark deletions with files:
                // `.wh.NAME` deletes NAME, `.wh..wh..opq` makes the directory opaque.
                if name == ".wh..wh..opq" {
                    opaque.push(rel.clone());
                    continue;
                }
                if let Some(target) = name.strip_prefix(".wh.") {
                    deleted.insert(format!("{rel}/{target}"));
                    continue;
                }
                let st = match rustix::fs::statat(&*this, &os_name, AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) => st,
                    Err(e) => {
                        unreadable.get_or_insert(format!("{}{path}: {e}", layer.name));
                        continue;
                    }
                };
                let kind = FileType::from_raw_mode(st.st_mode);
                let mode = st.st_mode & 0o7777;
                if kind == FileType::CharacterDevice && st.st_rdev == 0 {
                    // overlay whiteout: deleted in this layer, for the layers below.
                    deleted.insert(path);
                    continue;
                }
                if path == "/etc/passwd" && !passwd_seen {
                    passwd_seen = true;
                    if kind == FileType::RegularFile {
                        facts.Users = read_passwd(&this, &os_name);
                        facts.PasswdPath = path.clone();
                    } else if kind == FileType::Symlink {
                        // Resolved through the merged layers once the walk is done.
                        passwd_link = Some(
                            rustix::fs::readlinkat(&*this, &os_name, Vec::new())
                                .map(|t| t.to_string_lossy().into_owned())
                                .map_err(|e| e.to_string()),
                        );
                    } else {
                        facts.PasswdProblem = "/etc/passwd is not a regular file".into();
                    }
                }
                if !seen.insert(path.clone()) {
                    // Hidden by a newer layer; a directory may still hold files of its own.
                    if kind == FileType::Directory && depth < MAX_DEPTH {
                        stack.push((this.clone(), Some(os_name), path, depth + 1));
                    }
                    continue;
                }
                if kind == FileType::Directory {
                    if depth < MAX_DEPTH {
                        stack.push((this.clone(), Some(os_name), path, depth + 1));
                    } else {
                        facts.Truncated = true;
                    }
                    continue;
                }
                if kind == FileType::RegularFile && mode & 0o6000 != 0 {
                    facts.SetuidFiles.push(format!("{path} ({mode:04o})"));
                }
                if matches!(kind, FileType::RegularFile | FileType::Symlink)
                    && in_bin_dir(&rel)
                    && TOOLS.contains(&name.as_str())
                {
                    facts.Tools.push(path);
                }
            }
        }
        // Lower layers' contents of an opaque directory are hidden; the directory itself
        // (this layer's) was walked already.
        let mut hides_all = false;
        for dir in opaque {
            hides_all |= dir.is_empty(); // an opaque layer root hides every lower layer
            deleted.insert(dir);
        }
        if hides_all {
            break;
        }
    }
    facts.SetuidFiles.sort();
    facts.Tools.sort();
    match passwd_link {
        None => {}
        Some(Err(e)) => facts.PasswdProblem = format!("/etc/passwd: cannot read the link: {e}"),
        Some(Ok(target)) => match merged_file(&tops, "/etc", &target) {
            Ok((path, fd)) => {
                facts.Users = read_passwd_fd(fd);
                facts.PasswdPath = path;
            }
            Err(why) => facts.PasswdProblem = format!("/etc/passwd -> {target}: {why}"),
        },
    }
    if let Some(what) = unreadable {
        facts.Status = FactStatus::unreadable(
            Cause::Unreadable,
            format!(
                "cannot read {what}: the layers were not fully walked, so a file there would go unseen"
            ),
        );
    }
    facts
}

/// overlay2 marks an opaque directory with an extended attribute (`trusted.` when rootful,
/// `user.` for rootless and fuse-overlayfs).
fn is_opaque(dir: &OwnedFd) -> bool {
    let mut buf = [0u8; 4];
    [
        "trusted.overlay.opaque",
        "user.overlay.opaque",
        "user.fuseoverlayfs.opaque",
    ]
    .iter()
    .any(|attr| {
        matches!(rustix::fs::fgetxattr(dir, *attr, &mut buf), Ok(n) if n >= 1 && buf[0] == b'y')
    })
}

/// A container's `/etc/passwd` through its layers (`GraphDriver.Data`: the writable
/// `UpperDir` over `LowerDir`), following links inside them; `None` for other drivers or
/// when the directories cannot be opened.
pub fn container_passwd(
    g: &crate::snapshot::GraphDriverData,
) -> Option<crate::snapshot::PasswdFacts> {
    let data: std::collections::HashMap<String, String> =
        g.Data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let dirs = layer_dirs(&g.Name, &data).ok()?;
    let tops: Vec<Arc<OwnedFd>> = dirs
        .iter()
        .map(|d| rustix::fs::open(d, dir_flags(), Mode::empty()).map(Arc::new))
        .collect::<Result<_, _>>()
        .ok()?;
    let mut facts = crate::snapshot::PasswdFacts::default();
    match merged_file(&tops, "/etc", "passwd") {
        Ok((path, fd)) => {
            facts.Users = read_passwd_fd(fd);
            facts.Path = path;
        }
        Err(why) if why.contains("not in any layer") => {}
        Err(why) => facts.Problem = why,
    }
    Some(facts)
}

/// Symlinks followed at most while resolving /etc/passwd through the layers.
const MAX_LINKS: usize = 8;

/// The regular file a link `target` (found in directory `dir` of the image) leads to in the
/// merged view of the layers (`tops`, top first): each component is looked up from the
/// top-most layer down, stopping at a whiteout (`.wh.NAME` or a 0/0 character device) or an
/// opaque directory, and links are followed inside the image (never outside the layers).
/// Returns the image path and the file opened.
fn merged_file(
    tops: &[Arc<OwnedFd>],
    dir: &str,
    target: &str,
) -> Result<(String, OwnedFd), String> {
    let mut path = normalize(dir, target);
    for _ in 0..MAX_LINKS {
        match merged_lookup(tops, &path)? {
            Found::File(fd) => return Ok((path, fd)),
            Found::Link(next) => {
                let parent = path.rsplit_once('/').map_or("", |(p, _)| p).to_string();
                path = normalize(if parent.is_empty() { "/" } else { &parent }, &next);
            }
        }
    }
    Err("too many levels of symbolic links".into())
}

enum Found {
    File(OwnedFd),
    Link(String),
}

/// `target` taken from directory `dir`, as an absolute image path without `.` or `..`
/// (`..` never climbs above the image's root).
fn normalize(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let base = if target.starts_with('/') { "" } else { dir };
    for c in base.split('/').chain(target.split('/')) {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// One path of the merged image: the top-most layer that has it decides. A directory on the
/// way that is a link is not followed (reported), which the passwd files of real images
/// never need.
fn merged_lookup(tops: &[Arc<OwnedFd>], path: &str) -> Result<Found, String> {
    let names: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let Some((last, dirs)) = names.split_last() else {
        return Err("not a file".into());
    };
    'layer: for top in tops {
        let mut dir: OwnedFd = top.try_clone().map_err(|e| e.to_string())?;
        let mut hidden_below = false;
        for name in dirs {
            if whited_out(&dir, name) {
                return Err(format!("{path}: deleted in a layer"));
            }
            match rustix::fs::openat(&dir, *name, dir_flags(), Mode::empty()) {
                Ok(d) => dir = d,
                Err(rustix::io::Errno::NOENT) => continue 'layer,
                Err(rustix::io::Errno::NOTDIR | rustix::io::Errno::LOOP) => {
                    return Err(format!(
                        "{path}: a component is not a directory in the image"
                    ));
                }
                Err(e) => return Err(format!("{path}: {e}")),
            }
            hidden_below |= is_opaque(&dir);
        }
        if whited_out(&dir, last) {
            return Err(format!("{path}: deleted in a layer"));
        }
        match rustix::fs::statat(&dir, *last, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => {
                let kind = FileType::from_raw_mode(st.st_mode);
                return match kind {
                    FileType::RegularFile => {
                        let flags =
                            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
                        rustix::fs::openat(&dir, *last, flags, Mode::empty())
                            .map(Found::File)
                            .map_err(|e| format!("{path}: {e}"))
                    }
                    FileType::Symlink => rustix::fs::readlinkat(&dir, *last, Vec::new())
                        .map(|t| Found::Link(t.to_string_lossy().into_owned()))
                        .map_err(|e| format!("{path}: {e}")),
                    FileType::CharacterDevice if st.st_rdev == 0 => {
                        Err(format!("{path}: deleted in a layer"))
                    }
                    _ => Err(format!("{path}: not a regular file")),
                };
            }
            Err(rustix::io::Errno::NOENT) if !hidden_below => {}
            Err(rustix::io::Errno::NOENT) => break,
            Err(e) => return Err(format!("{path}: {e}")),
        }
    }
    Err(format!("{path}: not in any layer (a dangling link)"))
}

/// A `.wh.NAME` whiteout file for `name` in `dir`.
fn whited_out(dir: &OwnedFd, name: &str) -> bool {
    rustix::fs::statat(dir, format!(".wh.{name}"), AtFlags::SYMLINK_NOFOLLOW).is_ok()
}

fn read_passwd_fd(fd: OwnedFd) -> std::collections::BTreeMap<String, i64> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let _ = std::fs::File::from(fd)
        .take(1 << 20)
        .read_to_end(&mut bytes);
    parse_passwd(&String::from_utf8_lossy(&bytes))
}

/// User name → UID from a passwd file (`name:x:uid:gid:…`) in `dir`, opened without
/// following a link or blocking, at most 1 MiB read.
fn read_passwd(dir: &OwnedFd, name: &std::ffi::OsStr) -> std::collections::BTreeMap<String, i64> {
    use std::io::Read;
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let mut bytes = Vec::new();
    if let Ok(fd) = rustix::fs::openat(dir, name, flags, Mode::empty()) {
        let _ = std::fs::File::from(fd)
            .take(1 << 20)
            .read_to_end(&mut bytes);
    }
    parse_passwd(&String::from_utf8_lossy(&bytes))
}

/// User name → UID of a passwd file's text (`name:x:uid:gid:…`), parsed as the runtime
/// does (moby/sys/user `ParsePasswdFilter`, used by runc and dockerd): each line trimmed,
/// empty lines skipped, the FIRST entry of a name wins, and a UID that is missing or not a
/// number reads as 0 (Go's `strconv.Atoi` error is ignored there), so such a user is root.
pub(crate) fn parse_passwd(text: &str) -> std::collections::BTreeMap<String, i64> {
    let mut users = std::collections::BTreeMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut f = line.split(':');
        let name = f.next().unwrap_or("");
        let uid = f.nth(1).and_then(go_atoi).unwrap_or(0);
        users.entry(name.to_string()).or_insert(uid);
    }
    users
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits, nothing else.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

pub(crate) fn in_bin_dir(rel: &str) -> bool {
    Path::new(rel)
        .file_name()
        .is_some_and(|d| d == "bin" || d == "sbin")
}

/// The facts for one image, or the reason they could not be gathered.
pub fn collect(driver: &str, data: &std::collections::HashMap<String, String>) -> LayerFacts {
    match layer_dirs(driver, data) {
        Ok(dirs) => walk(dirs.iter().map(|d| LayerDir::open(d)).collect()),
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
        let facts = walk(vec![
            LayerDir::open(upper.path()),
            LayerDir::open(lower.path()),
        ]);
        assert!(facts.Status.is_available());
        assert_eq!(facts.SetuidFiles, vec!["/bin/su (4755)"]);
        assert_eq!(facts.Tools, vec!["/bin/nc", "/usr/bin/gcc"]);
        assert!(!facts.Truncated);
    }

    #[test]
    fn whiteout_files_and_opaque_directories_hide_lower_layers() {
        let lower = tempfile::tempdir().unwrap();
        let upper = tempfile::tempdir().unwrap();
        for d in ["usr/sbin", "opt/bin", "etc"] {
            std::fs::create_dir_all(lower.path().join(d)).unwrap();
        }
        std::fs::write(lower.path().join("usr/sbin/sshd"), "x").unwrap();
        std::fs::write(lower.path().join("opt/bin/nc"), "x").unwrap();
        std::fs::write(lower.path().join("etc/passwd"), "root:x:0:0::/:/bin/sh\n").unwrap();
        // fuse-overlayfs: `.wh.sshd` deletes sshd; `.wh..wh..opq` makes /opt/bin opaque.
        std::fs::create_dir_all(upper.path().join("usr/sbin")).unwrap();
        std::fs::write(upper.path().join("usr/sbin/.wh.sshd"), "").unwrap();
        std::fs::create_dir_all(upper.path().join("opt/bin")).unwrap();
        std::fs::write(upper.path().join("opt/bin/.wh..wh..opq"), "").unwrap();
        std::fs::create_dir_all(upper.path().join("etc")).unwrap();
        std::fs::write(
            upper.path().join("etc/passwd"),
            "admin:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n",
        )
        .unwrap();
        let facts = walk(vec![
            LayerDir::open(upper.path()),
            LayerDir::open(lower.path()),
        ]);
        assert!(facts.Tools.is_empty(), "{:?}", facts.Tools);
        // The top-most passwd is the image's.
        assert_eq!(facts.Users.get("admin"), Some(&0));
        assert_eq!(facts.Users.get("app"), Some(&1000));
        assert_eq!(facts.Users.get("root"), None);
    }

    #[test]
    fn passwd_as_the_runtime_reads_it_first_entry_and_links() {
        // moby/sys/user: the first entry of a name wins; a UID that is not a number is 0.
        let users =
            parse_passwd("dup:x:0:0::/:/bin/sh\n  dup:x:1001:1001::/:/bin/sh\nodd:x:abc:0\n");
        assert_eq!(users.get("dup"), Some(&0));
        assert_eq!(users.get("odd"), Some(&0));
        // /etc/passwd -> ../usr/lib/passwd, the file in a lower layer.
        let lower = tempfile::tempdir().unwrap();
        let upper = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(lower.path().join("usr/lib")).unwrap();
        std::fs::write(
            lower.path().join("usr/lib/passwd"),
            "svc:x:0:0::/:/bin/sh\n",
        )
        .unwrap();
        std::fs::create_dir_all(upper.path().join("etc")).unwrap();
        std::os::unix::fs::symlink("../usr/lib/passwd", upper.path().join("etc/passwd")).unwrap();
        let facts = walk(vec![
            LayerDir::open(upper.path()),
            LayerDir::open(lower.path()),
        ]);
        assert_eq!(facts.Users.get("svc"), Some(&0), "{facts:?}");
        assert_eq!(facts.PasswdPath, "/usr/lib/passwd");
        // The target deleted in the upper layer: a problem named, no users.
        std::fs::create_dir_all(upper.path().join("usr/lib")).unwrap();
        std::fs::write(upper.path().join("usr/lib/.wh.passwd"), "").unwrap();
        let facts = walk(vec![
            LayerDir::open(upper.path()),
            LayerDir::open(lower.path()),
        ]);
        assert!(facts.Users.is_empty());
        assert!(
            facts.PasswdProblem.contains("deleted"),
            "{}",
            facts.PasswdProblem
        );
    }

    #[test]
    fn other_drivers_are_not_walked() {
        let f = collect("btrfs", &Default::default());
        assert!(!f.Status.is_available());
        assert!(f.Status.reason().contains("btrfs"), "{}", f.Status.reason());
    }
}
