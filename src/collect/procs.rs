//! Container processes read from the host's /proc, matched to containers by the container
//! ID in their cgroup path (works with cgroup v1 and v2, cgroupfs and systemd drivers, and
//! with `--pid host`). Never `docker exec`.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::snapshot::Process;

/// Processes by container ID, for the IDs in `ids`. Returns an error when /proc cannot be
/// listed at all.
pub fn by_container(
    proc_root: &Path,
    ids: &BTreeSet<String>,
) -> Result<BTreeMap<String, Vec<Process>>, String> {
    let entries = std::fs::read_dir(proc_root)
        .map_err(|e| format!("cannot read {}: {e}", proc_root.display()))?;
    let mut out: BTreeMap<String, Vec<Process>> = BTreeMap::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|s| s.parse::<i64>().ok()) else {
            continue;
        };
        let dir = entry.path();
        // The process may exit while we read it: skip it quietly.
        let Ok(cgroup) = std::fs::read_to_string(dir.join("cgroup")) else {
            continue;
        };
        let Some(id) = container_id_in_cgroup(&cgroup, ids) else {
            continue;
        };
        if let Some(p) = read_process(&dir, pid) {
            out.entry(id).or_default().push(p);
        }
    }
    for procs in out.values_mut() {
        procs.sort_by_key(|p| p.Pid);
    }
    Ok(out)
}

/// The container ID (one of `ids`) that a /proc/PID/cgroup text names, if any.
pub fn container_id_in_cgroup(cgroup: &str, ids: &BTreeSet<String>) -> Option<String> {
    for line in cgroup.lines() {
        let path = line.splitn(3, ':').nth(2).unwrap_or("");
        for segment in path.split('/').rev() {
            // "docker-<id>.scope" (systemd driver) or "<id>" (cgroupfs driver).
            let candidate = segment
                .trim_start_matches("docker-")
                .trim_end_matches(".scope");
            if candidate.len() == 64 && ids.contains(candidate) {
                return Some(candidate.to_string());
            }
        }
    }
    None
}

fn read_process(dir: &Path, pid: i64) -> Option<Process> {
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    // comm is in parentheses and may itself contain spaces or parentheses.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    // `get`: a malformed line with `)` before `(` is no process, not a panic.
    let comm = stat.get(open + 1..close)?.to_string();
    let mut rest = stat.get(close + 1..)?.split_whitespace();
    let state = rest.next().unwrap_or("").to_string();
    let ppid = rest.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let args = std::fs::read(dir.join("cmdline"))
        .map(|raw| {
            raw.split(|b| *b == 0)
                .filter(|s| !s.is_empty())
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        })
        .unwrap_or_default();
    let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .map(|v| v.trim().to_string())
    };
    let uid = field("Uid")
        .and_then(|v| v.split_whitespace().nth(1).and_then(|s| s.parse().ok()))
        .unwrap_or(-1);
    Some(Process {
        Pid: pid,
        PPid: ppid,
        Comm: comm,
        Args: args,
        Uid: uid,
        NoNewPrivs: field("NoNewPrivs").as_deref() == Some("1"),
        Seccomp: field("Seccomp").and_then(|v| v.parse().ok()).unwrap_or(0),
        State: state,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn cgroup_forms_are_recognised() {
        let ids = BTreeSet::from([ID.to_string()]);
        for text in [
            format!("0::/system.slice/docker-{ID}.scope\n"),
            format!("0::/docker/{ID}\n"),
            format!("12:pids:/docker/{ID}\n11:memory:/docker/{ID}\n"),
            format!("0::/docker/{ID}/init.scope\n"),
        ] {
            assert_eq!(
                container_id_in_cgroup(&text, &ids).as_deref(),
                Some(ID),
                "{text}"
            );
        }
        assert_eq!(container_id_in_cgroup("0::/user.slice\n", &ids), None);
    }

    #[test]
    fn reads_a_fake_proc_tree() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("42");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("cgroup"), format!("0::/docker/{ID}\n")).unwrap();
        std::fs::write(dir.join("stat"), "42 (ss hd) S 7 42 42 0 -1").unwrap();
        std::fs::write(dir.join("cmdline"), b"/usr/sbin/sshd\0-D\0").unwrap();
        std::fs::write(
            dir.join("status"),
            "Name:\tsshd\nUid:\t0\t1000\t0\t0\nNoNewPrivs:\t1\nSeccomp:\t2\n",
        )
        .unwrap();
        let found = by_container(root.path(), &BTreeSet::from([ID.to_string()])).unwrap();
        let p = &found[ID][0];
        assert_eq!(
            (p.Pid, p.PPid, p.Comm.as_str(), p.Uid),
            (42, 7, "ss hd", 1000)
        );
        assert_eq!(p.Args, vec!["/usr/sbin/sshd", "-D"]);
        assert!(p.NoNewPrivs);
        assert_eq!(p.Seccomp, 2);
    }
}
