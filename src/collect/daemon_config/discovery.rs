//! Finding the dockerd process in /proc, and so its command line.
use std::path::Path;

use serde_json::Value;

use super::flags::parse_flags;

/// The arguments (without argv[0]) of the dockerd process in `proc_root` (`/proc`), or `None`
/// when no process whose argv[0] basename is `dockerd` is visible. Unreadable entries are
/// skipped (processes come and go while we read).
///
/// When several run (Docker-in-Docker containers, a rootless daemon next to the rootful one),
/// the host's own daemon is preferred: first one in the mount namespace of PID 1 (when the
/// namespace links are readable), then one serving the default socket (no `-H`, `fd://`, or
/// `unix:///var/run/docker.sock`), then the lowest PID.
pub fn find_dockerd_args(proc_root: &Path) -> Option<Vec<String>> {
    find_dockerd_args_for(proc_root, None)
}

/// Like `find_dockerd_args`, but a dockerd that holds the listening unix socket `socket`
/// (the one the scan talks to) wins over every other rule: with several daemons on a host,
/// the command line must be the scanned daemon's.
pub fn find_dockerd_args_for(proc_root: &Path, socket: Option<&str>) -> Option<Vec<String>> {
    let pids: Vec<u64> = std::fs::read_dir(proc_root)
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse::<u64>().ok()))
        .collect();
    find_dockerd_args_among(proc_root, &pids, socket)
}

/// Like `find_dockerd_args_for`, over the processes `pids` only: the candidates a scan's one
/// walk of /proc already found (`procs::ProcTable::pids_named("dockerd")`), so /proc is not
/// listed a second time.
pub fn find_dockerd_args_among(
    proc_root: &Path,
    pids: &[u64],
    socket: Option<&str>,
) -> Option<Vec<String>> {
    find_dockerd_among(proc_root, pids, socket).map(|(_, args)| args)
}

/// The sockets process `pid` listens on — `tcp://ADDR:PORT` and `unix://PATH`, sorted,
/// unique — from its open descriptors (`fd/N -> socket:[inode]`) matched against the TCP and
/// unix socket tables of its own network namespace (`net/tcp`, `net/tcp6`, `net/unix`). This
/// is what it serves however it got the sockets: `-H`, or inherited with `-H fd://` from
/// systemd socket activation. Err says what could not be read.
pub fn listening_sockets(proc_root: &Path, pid: u64) -> Result<Vec<String>, String> {
    let dir = proc_root.join(pid.to_string());
    listening_sockets_among(&dir, &open_socket_inodes(&dir)?)
}

/// The inodes of the sockets the process at `pid_dir` (`/proc/PID`) has open
/// (`fd/N -> socket:[inode]`). Err when its descriptors cannot be listed.
pub fn open_socket_inodes(pid_dir: &Path) -> Result<std::collections::BTreeSet<u64>, String> {
    let fds = std::fs::read_dir(pid_dir.join("fd"))
        .map_err(|e| format!("cannot list {}/fd: {e}", pid_dir.display()))?;
    Ok(fds
        .flatten()
        .filter_map(|fd| socket_inode(&std::fs::read_link(fd.path()).ok()?))
        .collect())
}

/// `listening_sockets` of the process at `pid_dir` whose open socket inodes are `inodes`
/// (`open_socket_inodes`, when they were read already).
pub fn listening_sockets_among(
    pid_dir: &Path,
    inodes: &std::collections::BTreeSet<u64>,
) -> Result<Vec<String>, String> {
    use procfs::net::TcpState;
    let process = procfs::process::Process::new_with_root(pid_dir.to_path_buf())
        .map_err(|e| format!("cannot read {}: {e}", pid_dir.display()))?;
    let tcp = process
        .tcp()
        .map_err(|e| format!("cannot read {}/net/tcp: {e}", pid_dir.display()))?;
    let mut out: std::collections::BTreeSet<String> = tcp
        .into_iter()
        .chain(process.tcp6().unwrap_or_default())
        .filter(|e| e.state == TcpState::Listen && inodes.contains(&e.inode))
        .map(|e| format!("tcp://{}", e.local_address))
        .collect();
    // A listening unix socket has __SO_ACCEPTCON among its flags
    // (`Num RefCount Protocol Flags Type St Inode Path`).
    const ACCEPTCON: u32 = 1 << 16;
    let unix = std::fs::read_to_string(pid_dir.join("net/unix")).unwrap_or_default();
    out.extend(unix.lines().skip(1).filter_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let flags = u32::from_str_radix(f.get(3)?, 16).ok()?;
        let inode: u64 = f.get(6)?.parse().ok()?;
        let path = f.get(7)?;
        (flags & ACCEPTCON != 0 && inodes.contains(&inode)).then(|| format!("unix://{path}"))
    }));
    Ok(out.into_iter().collect())
}

/// The PID and arguments of the dockerd `find_dockerd_args_among` would choose.
pub fn find_dockerd_among(
    proc_root: &Path,
    pids: &[u64],
    socket: Option<&str>,
) -> Option<(u64, Vec<String>)> {
    let init_mnt = std::fs::read_link(proc_root.join("1/ns/mnt")).ok();
    // Lower is better: (not the socket's owner, other namespace, not default socket, pid).
    type Rank = (bool, bool, bool, u64);
    let mut best: Option<(Rank, Vec<String>)> = None;
    for &pid in pids {
        let dir = proc_root.join(pid.to_string());
        let Ok(raw) = std::fs::read(dir.join("cmdline")) else {
            continue;
        };
        let argv: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect();
        let Some((argv0, args)) = argv.split_first() else {
            continue;
        };
        if basename(argv0) != "dockerd" {
            continue;
        }
        let other_namespace = match (&init_mnt, std::fs::read_link(dir.join("ns/mnt"))) {
            (Some(init), Ok(own)) => *init != own,
            _ => false,
        };
        // Unix sockets are listed per network namespace: read the candidate's own table.
        let owns = socket.is_some_and(|s| {
            let inodes = socket_inodes(&dir, s);
            !inodes.is_empty() && holds_socket(&dir, &inodes)
        });
        let rank = (!owns, other_namespace, !serves_default_socket(args), pid);
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, args.to_vec()));
        }
    }
    best.map(|((.., pid), args)| (pid, args))
}

/// Inodes of the unix sockets bound to `path`, from `<proc or proc/PID>/net/unix`
/// (`Num RefCount Protocol Flags Type St Inode Path`).
fn socket_inodes(proc_root: &Path, path: &str) -> std::collections::BTreeSet<u64> {
    let text = std::fs::read_to_string(proc_root.join("net/unix")).unwrap_or_default();
    // /var/run is usually a symlink to /run: compare resolved paths too.
    let wanted = std::fs::canonicalize(path).ok();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let bound = *fields.get(7)?;
            let same =
                bound == path || wanted.is_some() && std::fs::canonicalize(bound).ok() == wanted;
            same.then(|| fields[6].parse().ok()).flatten()
        })
        .collect()
}

/// Does the process at `pid_dir` have one of `inodes` open (`fd/N -> socket:[inode]`)?
/// Stops at the first match.
pub fn holds_socket(pid_dir: &Path, inodes: &std::collections::BTreeSet<u64>) -> bool {
    let Ok(fds) = std::fs::read_dir(pid_dir.join("fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path())
            .is_ok_and(|target| socket_inode(&target).is_some_and(|inode| inodes.contains(&inode)))
    })
}

/// The inode of a descriptor's link target `socket:[inode]`; None for anything else.
fn socket_inode(target: &Path) -> Option<u64> {
    target
        .to_str()?
        .strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

pub(super) fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn serves_default_socket(args: &[String]) -> bool {
    match parse_flags(args).remove("hosts") {
        Some((Value::Array(hosts), _)) => hosts.iter().any(|h| {
            let h = h.as_str().unwrap_or("");
            h.starts_with("fd://")
                || h == "unix:///var/run/docker.sock"
                || h == "unix:///run/docker.sock"
        }),
        _ => true,
    }
}

/// Does a dockerd with these arguments serve the unix socket `path`? A `-H unix://PATH`
/// naming it, or the default socket (`/var/run/docker.sock`) when no `-H` is given, `-H
/// unix://` leaves the path out, or `fd://` takes systemd's docker.socket. Paths compare
/// as given and resolved. Hosts set in daemon.json are not seen here (it says no then).
pub fn names_socket(args: &[String], path: &str) -> bool {
    let resolved = |p: &str| std::fs::canonicalize(p).ok();
    let same = |p: &str| p == path || resolved(p).is_some_and(|r| Some(r) == resolved(path));
    let default = || same("/var/run/docker.sock") || same("/run/docker.sock");
    match parse_flags(args).remove("hosts") {
        Some((Value::Array(hosts), _)) => {
            hosts
                .iter()
                .filter_map(Value::as_str)
                .any(|h| match h.strip_prefix("unix://") {
                    Some("") => default(),
                    Some(p) => same(p),
                    None => h.starts_with("fd://") && default(),
                })
        }
        _ => default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The descriptor-less fallback may only take a dockerd whose flags name the scanned
    /// socket: a forwarder's socket elsewhere (`/tmp/fwd.sock`) is not the daemon's.
    #[test]
    fn a_dockerd_names_the_sockets_it_serves() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(names_socket(&args(&[]), "/var/run/docker.sock"));
        assert!(names_socket(&args(&["-H", "fd://"]), "/run/docker.sock"));
        assert!(!names_socket(&args(&[]), "/tmp/fwd.sock"));
        assert!(!names_socket(&args(&["-H", "fd://"]), "/tmp/fwd.sock"));
        assert!(names_socket(
            &args(&["-H", "unix:///srv/d.sock", "-H", "tcp://0.0.0.0:2375"]),
            "/srv/d.sock"
        ));
        assert!(!names_socket(
            &args(&["-H", "unix:///srv/d.sock"]),
            "/var/run/docker.sock"
        ));
        assert!(names_socket(
            &args(&["--host=unix://"]),
            "/var/run/docker.sock"
        ));
    }

    fn fake_proc(dir: &Path, pid: &str, cmdline: &[&str], mnt: Option<&str>) {
        let p = dir.join(pid);
        std::fs::create_dir_all(p.join("ns")).unwrap();
        let mut raw = cmdline.join("\0").into_bytes();
        raw.push(0);
        std::fs::write(p.join("cmdline"), raw).unwrap();
        if let Some(mnt) = mnt {
            std::os::unix::fs::symlink(mnt, p.join("ns/mnt")).unwrap();
        }
    }

    #[test]
    fn find_dockerd_picks_the_host_daemon() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let host = Some("mnt:[4026531841]");
        fake_proc(root, "1", &["/sbin/init"], host);
        fake_proc(root, "5", &["/usr/bin/dockerd-rootless.sh"], host);
        fake_proc(root, "7", &["notdockerd", "-H", "fd://"], host);
        // Docker-in-Docker: lower pid, default socket, but another mount namespace.
        fake_proc(
            root,
            "40",
            &["dockerd", "--host=unix:///var/run/docker.sock"],
            Some("mnt:[4026532000]"),
        );
        // Host namespace, but not the default socket.
        fake_proc(root, "60", &["dockerd", "-H", "tcp://127.0.0.1:2375"], host);
        fake_proc(
            root,
            "900",
            &["/usr/bin/dockerd", "-H", "fd://", "--icc=false"],
            host,
        );
        fake_proc(root, "901", &["/usr/bin/dockerd", "--debug"], host);
        std::fs::create_dir(root.join("self")).unwrap();
        std::fs::create_dir(root.join("1234")).unwrap(); // exited: no cmdline
        std::fs::write(root.join("1235"), b"").unwrap(); // not even a directory
        std::fs::create_dir_all(root.join("77")).unwrap();
        std::fs::write(root.join("77/cmdline"), b"").unwrap(); // kernel thread
        assert_eq!(
            find_dockerd_args(root).unwrap(),
            vec!["-H", "fd://", "--icc=false"]
        );
    }

    #[test]
    fn find_dockerd_without_namespace_links_prefers_default_socket_then_lowest_pid() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fake_proc(root, "30", &["dockerd", "-H", "tcp://0.0.0.0:2375"], None);
        fake_proc(root, "300", &["dockerd", "--debug"], None);
        fake_proc(root, "200", &["dockerd", "-Hfd://"], None);
        assert_eq!(find_dockerd_args(root).unwrap(), vec!["-Hfd://"]);
        let empty = tempfile::tempdir().unwrap();
        fake_proc(empty.path(), "1", &["/sbin/init"], None);
        assert_eq!(find_dockerd_args(empty.path()), None);
        assert_eq!(find_dockerd_args(&empty.path().join("missing")), None);
    }
}
