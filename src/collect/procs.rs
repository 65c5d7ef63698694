//! The host's /proc, read once per scan: one walk lists every process (`stat`: parent,
//! command name, state; `ns/pid`), and every /proc fact is taken from that table — the
//! processes of each container, found from its init process (`State.Pid`) rather than from
//! cgroup names (which differ for Podman's `libpod-<id>`, rootless and cgroup v1 layouts);
//! the kernel's view of each container's init (IDs, capabilities, NoNewPrivs, seccomp, LSM
//! label, namespaces, cgroup limits); and the candidates for the daemon's own process.
//! Read-only; never `docker exec`.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::snapshot::{CgroupLimits, FactStatus, KernelView, Process};

/// The namespaces compared with the host's, by their /proc/PID/ns names.
pub const NAMESPACES: [&str; 6] = ["net", "pid", "ipc", "uts", "user", "cgroup"];

/// One process as the walk saw it.
#[derive(Debug, Clone)]
struct Entry {
    ppid: i64,
    comm: String,
    state: String,
    /// `ns/pid` link target (`pid:[4026531836]`), "" when not readable.
    pid_ns: String,
}

/// Every process of the host's /proc, from one walk.
#[derive(Debug, Clone)]
pub struct ProcTable {
    root: PathBuf,
    cgroup_root: PathBuf,
    entries: BTreeMap<i64, Entry>,
    children: HashMap<i64, Vec<i64>>,
    /// PIDs by PID namespace (`ns/pid` target): a container's members are found by lookup,
    /// not by a pass over every process per container (quadratic at 1,000 containers).
    by_pid_ns: HashMap<String, Vec<i64>>,
    /// The host's namespaces by name: PID 1's, or a kernel thread's (PID 2, kthreadd, lives
    /// in the initial namespaces) where PID 1's links are not readable.
    host_ns: BTreeMap<&'static str, String>,
    /// Highest capability number this kernel knows (`/proc/sys/kernel/cap_last_cap`).
    cap_last: Option<u32>,
    /// A second walk, made once (`later`), for a container whose init this walk does not
    /// know: it started, or its PID was reused, after the walk.
    later: std::sync::OnceLock<Option<Box<ProcTable>>>,
}

impl ProcTable {
    /// Walks `proc_root` once. Err when it cannot be listed at all. `cgroup_root` is where
    /// the cgroup hierarchies are mounted (`/sys/fs/cgroup`).
    pub fn scan(proc_root: &Path, cgroup_root: &Path) -> Result<ProcTable, String> {
        let listing = std::fs::read_dir(proc_root)
            .map_err(|e| format!("cannot read {}: {e}", proc_root.display()))?;
        let mut entries = BTreeMap::new();
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut by_pid_ns: HashMap<String, Vec<i64>> = HashMap::new();
        for entry in listing.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<i64>().ok())
            else {
                continue;
            };
            let dir = entry.path();
            // The process may exit while we read it: skip it quietly.
            let Some((comm, state, ppid)) = std::fs::read_to_string(dir.join("stat"))
                .ok()
                .and_then(|s| parse_stat(&s))
            else {
                continue;
            };
            let pid_ns = link(&dir.join("ns/pid"));
            children.entry(ppid).or_default().push(pid);
            if !pid_ns.is_empty() {
                by_pid_ns.entry(pid_ns.clone()).or_default().push(pid);
            }
            entries.insert(
                pid,
                Entry {
                    ppid,
                    comm,
                    state,
                    pid_ns,
                },
            );
        }
        let mut host_ns = BTreeMap::new();
        for ns in NAMESPACES {
            let target = ["1", "2"]
                .iter()
                .map(|pid| link(&proc_root.join(pid).join("ns").join(ns)))
                .find(|t| !t.is_empty());
            if let Some(t) = target {
                host_ns.insert(ns, t);
            }
        }
        let cap_last = std::fs::read_to_string(proc_root.join("sys/kernel/cap_last_cap"))
            .ok()
            .and_then(|s| s.trim().parse().ok());
        Ok(ProcTable {
            root: proc_root.to_path_buf(),
            cgroup_root: cgroup_root.to_path_buf(),
            entries,
            children,
            by_pid_ns,
            host_ns,
            cap_last,
            later: std::sync::OnceLock::new(),
        })
    }

    /// PIDs whose command name (`comm`) is `name`, in PID order.
    pub fn pids_named(&self, name: &str) -> Vec<i64> {
        self.pids_named_any(&[name])
    }

    /// PIDs whose command name (`comm`, from `stat`: the first 15 bytes of the program's
    /// name, as `/proc/PID/comm` has it) is one of `names`, in PID order.
    pub fn pids_named_any(&self, names: &[&str]) -> Vec<i64> {
        self.entries
            .iter()
            .filter(|(_, e)| names.contains(&e.comm.as_str()))
            .map(|(pid, _)| *pid)
            .collect()
    }

    /// Every PID of the walk, in order.
    pub fn pids(&self) -> impl Iterator<Item = i64> + '_ {
        self.entries.keys().copied()
    }

    /// The /proc the table was read from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The `/proc/PID` directory of a process.
    pub fn dir(&self, pid: i64) -> PathBuf {
        self.root.join(pid.to_string())
    }

    /// The processes of the container whose init is `init` and the kernel's view of that
    /// init. `id` is the container's ID and `command` its configured command line
    /// (entrypoint + cmd): one of them must match the process (its cgroup names the ID, or
    /// its command line ends with the configured one), or the PID is not this container's
    /// (a remote daemon's PID, another PID namespace) and nothing is observed.
    /// `private_pid_ns`: the container has a PID namespace of its own, so every process in
    /// it (also `docker exec` sessions, whose parent is the runtime's shim) belongs to it.
    pub fn container(
        &self,
        init: i64,
        id: &str,
        command: &[String],
        private_pid_ns: bool,
    ) -> (Option<Vec<Process>>, KernelView) {
        self.container_in(init, id, command, private_pid_ns, true)
    }

    /// The walk made now, once for the whole scan: every process and namespace member as it
    /// is now. None when /proc cannot be listed any more.
    fn later(&self) -> Option<&ProcTable> {
        self.later
            .get_or_init(|| {
                ProcTable::scan(&self.root, &self.cgroup_root)
                    .ok()
                    .map(Box::new)
            })
            .as_deref()
    }

    /// `container` from this walk; `rewalk`: a container this walk does not know (its init is
    /// not in it, or the PID now has another parent) is looked up in `later`, whose members
    /// (children, exec sessions) are complete, instead of being judged from a partial view.
    fn container_in(
        &self,
        init: i64,
        id: &str,
        command: &[String],
        private_pid_ns: bool,
        rewalk: bool,
    ) -> (Option<Vec<Process>>, KernelView) {
        let unobserved = |reason: String| {
            (
                None,
                KernelView {
                    Status: FactStatus::unavailable(reason),
                    Pid: init,
                    ..KernelView::default()
                },
            )
        };
        let later = || {
            rewalk
                .then(|| self.later())
                .flatten()
                .map(|t| t.container_in(init, id, command, private_pid_ns, false))
        };
        let dir = self.dir(init);
        let Some(entry) = self.entries.get(&init) else {
            return later().unwrap_or_else(|| {
                unobserved(format!(
                    "host PID {init} is not in {}: the container stopped or restarted during the scan, or the scanner runs in another PID namespace or on another host than the daemon",
                    self.root.display()
                ))
            });
        };
        let status = match std::fs::read_to_string(dir.join("status")) {
            Ok(s) => s,
            Err(e) => return unobserved(format!("cannot read {}/status: {e}", dir.display())),
        };
        // The PID now names another process than the walk's (it exited and the PID was
        // reused): the walk's parent, name, namespace and children are not this one's.
        let ppid = status_field(&status, "PPid").and_then(|v| v.parse::<i64>().ok());
        if ppid.is_some_and(|p| p != entry.ppid) {
            return later().unwrap_or_else(|| {
                unobserved(format!(
                    "host PID {init} changed while it was read (another process has it now)"
                ))
            });
        }
        let cgroup = std::fs::read_to_string(dir.join("cgroup")).unwrap_or_default();
        let args = cmdline(&dir);
        let ours = cgroup.contains(id)
            || (!command.is_empty() && args.len() >= command.len() && args.ends_with(command));
        if !ours {
            return unobserved(format!(
                "host PID {init} does not belong to this container (its cgroup and command line differ): the daemon's processes are not in this /proc"
            ));
        }
        let mut members = BTreeSet::from([init]);
        let mut queue = vec![init];
        while let Some(pid) = queue.pop() {
            for child in self.children.get(&pid).into_iter().flatten() {
                if members.insert(*child) {
                    queue.push(*child);
                }
            }
        }
        if private_pid_ns && !entry.pid_ns.is_empty() {
            members.extend(self.by_pid_ns.get(&entry.pid_ns).into_iter().flatten());
        }
        let processes = members
            .iter()
            .filter_map(|pid| {
                if *pid == init {
                    return Some(process(*pid, entry, args.clone(), &status));
                }
                let e = self.entries.get(pid)?;
                let d = self.dir(*pid);
                let st = std::fs::read_to_string(d.join("status")).ok()?;
                Some(process(*pid, e, cmdline(&d), &st))
            })
            .collect();
        (
            Some(processes),
            self.kernel_view(init, &dir, &status, &cgroup),
        )
    }

    fn kernel_view(&self, pid: i64, dir: &Path, status: &str, cgroup: &str) -> KernelView {
        let field = |key: &str| status_field(status, key);
        let ids = |key: &str| -> Vec<i64> {
            field(key)
                .map(|v| {
                    v.split_whitespace()
                        .filter_map(|s| s.parse().ok())
                        .collect()
                })
                .unwrap_or_default()
        };
        let uids = ids("Uid");
        let gids = ids("Gid");
        let mask = |key: &str| field(key).and_then(|v| u64::from_str_radix(&v, 16).ok());
        let bnd = mask("CapBnd").unwrap_or(0);
        let mut host = Vec::new();
        let mut unknown = Vec::new();
        for ns in NAMESPACES {
            let own = link(&dir.join("ns").join(ns));
            match self.host_ns.get(ns) {
                Some(h) if !own.is_empty() => {
                    if *h == own {
                        host.push(ns.to_string());
                    }
                }
                _ => unknown.push(ns.to_string()),
            }
        }
        // IDs as the container sees them: mapped back through its user namespace.
        let in_userns = !host.iter().any(|n| n == "user") && !unknown.iter().any(|n| n == "user");
        let map = |file: &str, id: i64| {
            if !in_userns || id < 0 {
                return id;
            }
            let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
            map_to_inside(&text, id).unwrap_or(id)
        };
        let get = |v: &[i64], i: usize| v.get(i).copied().unwrap_or(-1);
        let all = self
            .cap_last
            .map(|last| {
                let want = if last >= 63 {
                    u64::MAX
                } else {
                    (1u64 << (last + 1)) - 1
                };
                bnd & want == want
            })
            .unwrap_or(false);
        KernelView {
            Status: FactStatus::available(),
            Pid: pid,
            Uid: map("uid_map", get(&uids, 0)),
            EUid: map("uid_map", get(&uids, 1)),
            Gid: map("gid_map", get(&gids, 0)),
            EGid: map("gid_map", get(&gids, 1)),
            HostUid: get(&uids, 1),
            CapEff: cap_names(mask("CapEff").unwrap_or(0)),
            CapBnd: cap_names(bnd),
            AllCapabilities: all,
            NoNewPrivs: field("NoNewPrivs").as_deref() == Some("1"),
            Seccomp: field("Seccomp").and_then(|v| v.parse().ok()).unwrap_or(0),
            Label: std::fs::read_to_string(dir.join("attr/current"))
                .map(|s| s.trim_end_matches(['\0', '\n']).to_string())
                .unwrap_or_default(),
            HostNamespaces: host,
            UnknownNamespaces: unknown,
            Cgroup: cgroup_limits(&self.cgroup_root, cgroup),
        }
    }
}

/// What /proc is asked about one container, from its inspect: `Id`, `State.Running`,
/// `State.Pid`, `State.Status`, `Config.Entrypoint` + `Config.Cmd` and `HostConfig.PidMode`.
#[derive(Debug, Clone)]
pub struct ProcQuery {
    pub id: String,
    pub running: bool,
    /// The init's host PID (`State.Pid`; 0 when not running).
    pub pid: i64,
    /// `State.Status` ("exited", "created"…), for the reason of a container not running.
    pub status: String,
    /// Entrypoint and cmd: the command line its init must end with when no cgroup names it.
    pub command: Vec<String>,
    /// A PID namespace of its own (`PidMode` "" or "private").
    pub private_pid_ns: bool,
}

impl ProcQuery {
    pub fn of(c: &crate::snapshot::Container) -> ProcQuery {
        ProcQuery {
            id: c.Id.clone(),
            running: c.State.Running,
            pid: c.State.Pid,
            status: c.State.Status.clone(),
            command: c
                .Config
                .Entrypoint
                .iter()
                .chain(&c.Config.Cmd)
                .cloned()
                .collect(),
            private_pid_ns: matches!(c.HostConfig.PidMode.as_str(), "" | "private"),
        }
    }
}

/// One container's /proc facts: its processes (None: not observed, the view says why) and
/// the kernel's view of its init.
pub type Observed = (Option<Vec<Process>>, KernelView);

/// The /proc facts of the container `q` asks about. `table` is the walk's result (Err: why
/// /proc could not be read); `remote` is the status of a daemon whose host is not this one
/// (its PIDs are another host's and nothing is observed). A container that is not running
/// has no processes and the reason instead of a view.
pub fn observe(
    table: Result<&ProcTable, &str>,
    remote: Option<&FactStatus>,
    q: &ProcQuery,
) -> Observed {
    if !q.running || q.pid <= 0 {
        let status = if q.status.is_empty() {
            "stopped"
        } else {
            q.status.as_str()
        };
        let kernel = KernelView {
            Status: FactStatus::unavailable(format!(
                "not running ({status}): no process to observe"
            )),
            ..KernelView::default()
        };
        return (Some(Vec::new()), kernel);
    }
    let unobserved = |status: FactStatus| {
        (
            None,
            KernelView {
                Status: status,
                Pid: q.pid,
                ..KernelView::default()
            },
        )
    };
    match (remote, table) {
        (Some(status), _) => unobserved(status.clone()),
        (None, Err(e)) => unobserved(FactStatus::unavailable(e.to_string())),
        (None, Ok(t)) => t.container(q.pid, &q.id, &q.command, q.private_pid_ns),
    }
}

/// The status of the host's /proc as a whole, given every container's observation: the
/// remote status, why /proc could not be read, or how many running containers were not
/// observed and the first one's reason.
fn proc_status<'a>(
    table: Result<&ProcTable, &str>,
    remote: Option<&FactStatus>,
    observed: impl IntoIterator<Item = &'a Observed>,
) -> FactStatus {
    match (remote, table) {
        (Some(status), _) => status.clone(),
        (None, Err(e)) => FactStatus::unavailable(e.to_string()),
        (None, Ok(_)) => {
            let mut blind = observed.into_iter().filter(|(procs, _)| procs.is_none());
            match blind.next() {
                None => FactStatus::available(),
                Some((_, first)) => FactStatus::unavailable(format!(
                    "{} running container(s) not observed: {}",
                    1 + blind.count(),
                    first.Status.reason()
                )),
            }
        }
    }
}

/// Fills `Processes` and `Kernel` of every container and returns the status of the host's
/// /proc as a whole (`proc_status`). `done` holds observations made already (by container
/// ID: while the inspects went on); the others are made here (`observe`).
pub fn observe_containers(
    table: Result<&ProcTable, &str>,
    containers: &mut [crate::snapshot::Container],
    remote: Option<&FactStatus>,
    mut done: HashMap<String, Observed>,
) -> FactStatus {
    let observed: Vec<Observed> = containers
        .iter()
        .map(|c| {
            done.remove(&c.Id)
                .unwrap_or_else(|| observe(table, remote, &ProcQuery::of(c)))
        })
        .collect();
    let status = proc_status(table, remote, &observed);
    for (c, (procs, kernel)) in containers.iter_mut().zip(observed) {
        c.Processes = procs;
        c.Kernel = kernel;
    }
    status
}

/// (comm, state, ppid) from a `/proc/PID/stat` line; comm is in parentheses and may itself
/// contain spaces or parentheses.
fn parse_stat(stat: &str) -> Option<(String, String, i64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    // `get`: a malformed line with `)` before `(` is no process, not a panic.
    let comm = stat.get(open + 1..close)?.to_string();
    let mut rest = stat.get(close + 1..)?.split_whitespace();
    let state = rest.next().unwrap_or("").to_string();
    let ppid = rest.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    Some((comm, state, ppid))
}

fn link(path: &Path) -> String {
    std::fs::read_link(path)
        .map(|t| t.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn cmdline(dir: &Path) -> Vec<String> {
    std::fs::read(dir.join("cmdline"))
        .map(|raw| {
            raw.split(|b| *b == 0)
                .filter(|s| !s.is_empty())
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn status_field(status: &str, key: &str) -> Option<String> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(|v| v.trim().to_string())
}

fn process(pid: i64, e: &Entry, args: Vec<String>, status: &str) -> Process {
    let field = |key: &str| status_field(status, key);
    Process {
        Pid: pid,
        PPid: e.ppid,
        Comm: e.comm.clone(),
        Args: args,
        Uid: field("Uid")
            .and_then(|v| v.split_whitespace().nth(1).and_then(|s| s.parse().ok()))
            .unwrap_or(-1),
        NoNewPrivs: field("NoNewPrivs").as_deref() == Some("1"),
        Seccomp: field("Seccomp").and_then(|v| v.parse().ok()).unwrap_or(0),
        State: e.state.clone(),
    }
}

/// Capability names (`CAP_CHOWN`) of the bits set in `mask`, in bit order; bits this
/// build of `caps` does not know are shown as `CAP_<n>`.
pub fn cap_names(mask: u64) -> Vec<String> {
    let known: HashMap<u8, caps::Capability> =
        caps::all().into_iter().map(|c| (c.index(), c)).collect();
    (0..64u8)
        .filter(|bit| mask & (1u64 << bit) != 0)
        .map(|bit| match known.get(&bit) {
            Some(c) => c.to_string(),
            None => format!("CAP_{bit}"),
        })
        .collect()
}

/// The ID inside a user namespace for `outside` (an ID of the parent namespace), from a
/// `uid_map`/`gid_map` text (`inside outside count` per line).
fn map_to_inside(map: &str, outside: i64) -> Option<i64> {
    map.lines().find_map(|line| {
        let v: Vec<i64> = line
            .split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect();
        let [inside, start, count] = v[..] else {
            return None;
        };
        (outside >= start && outside < start + count).then(|| inside + outside - start)
    })
}

/// Limits of the cgroup a `/proc/PID/cgroup` text names, read below `root`. cgroup v1
/// controllers (`N:memory:/path`) win over the unified v2 line (`0::/path`).
pub fn cgroup_limits(root: &Path, cgroup: &str) -> CgroupLimits {
    let mut v1: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    let mut v2: Option<&str> = None;
    for line in cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next(), parts.next(), parts.next());
        let (Some(controllers), Some(path)) = (controllers, path) else {
            continue;
        };
        if controllers.is_empty() {
            v2 = Some(path);
            continue;
        }
        for c in controllers.split(',') {
            v1.insert(c, (controllers, path));
        }
    }
    let read = |p: PathBuf| -> Result<String, String> {
        std::fs::read_to_string(&p)
            .map(|s| s.trim().to_string())
            .map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    // v1 memory reports "unlimited" as the page counter's maximum (about 2^63).
    let limit = |s: &str| -> Option<i64> {
        if s == "max" {
            return None;
        }
        s.parse::<i64>().ok().filter(|v| *v < (1i64 << 62))
    };
    let rel = |p: &str| p.trim_start_matches('/').to_string();
    let mut out = CgroupLimits::default();
    let mut errors = Vec::new();
    if !v1.is_empty() {
        out.Version = "v1".into();
        let file = |controller: &str, name: &str| -> Option<Result<String, String>> {
            let (mount, path) = v1.get(controller)?;
            Some(read(root.join(mount).join(rel(path)).join(name)))
        };
        for (controller, name, slot) in [
            ("memory", "memory.limit_in_bytes", 0),
            ("pids", "pids.max", 1),
            ("cpu", "cpu.shares", 2),
        ] {
            match file(controller, name) {
                Some(Ok(v)) => match slot {
                    0 => out.MemoryLimit = limit(&v),
                    1 => out.PidsLimit = limit(&v),
                    _ => out.CpuWeight = v.parse().ok(),
                },
                Some(Err(e)) => errors.push(e),
                None => {}
            }
        }
    } else if let Some(path) = v2 {
        out.Version = "v2".into();
        let dir = root.join(rel(path));
        for (name, slot) in [("memory.max", 0), ("pids.max", 1), ("cpu.weight", 2)] {
            match read(dir.join(name)) {
                Ok(v) => match slot {
                    0 => out.MemoryLimit = limit(&v),
                    1 => out.PidsLimit = limit(&v),
                    _ => out.CpuWeight = v.parse().ok(),
                },
                Err(e) => errors.push(e),
            }
        }
    } else {
        errors.push("no cgroup in /proc/PID/cgroup".into());
    }
    out.Status = if errors.is_empty() {
        FactStatus::available()
    } else {
        FactStatus::unavailable(errors.join("; "))
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn write_proc(root: &Path, pid: i64, ppid: i64, comm: &str, args: &[&str], status: &str) {
        let dir = root.join(pid.to_string());
        std::fs::create_dir_all(dir.join("ns")).unwrap();
        std::fs::write(
            dir.join("stat"),
            format!("{pid} ({comm}) S {ppid} 1 1 0 -1"),
        )
        .unwrap();
        let mut raw = Vec::new();
        for a in args {
            raw.extend_from_slice(a.as_bytes());
            raw.push(0);
        }
        std::fs::write(dir.join("cmdline"), raw).unwrap();
        std::fs::write(dir.join("status"), status).unwrap();
    }

    fn ns(root: &Path, pid: i64, name: &str, target: &str) {
        std::os::unix::fs::symlink(target, root.join(pid.to_string()).join("ns").join(name))
            .unwrap();
    }

    /// A fake /proc: host init 1, a shim 50, the container's init 100 (sh) with child 101
    /// (sshd), and 102, an exec session (child of the shim) in the container's PID namespace.
    fn fake() -> (tempfile::TempDir, ProcTable) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("proc");
        let cg = tmp.path().join("cgroup");
        write_proc(
            &root,
            1,
            0,
            "systemd",
            &["/sbin/init"],
            "Uid:\t0\t0\t0\t0\n",
        );
        write_proc(
            &root,
            50,
            1,
            "containerd-shim",
            &["shim"],
            "Uid:\t0\t0\t0\t0\n",
        );
        let status = "Uid:\t0\t1000\t0\t0\nGid:\t0\t0\t0\t0\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80435fb\nNoNewPrivs:\t1\nSeccomp:\t2\n";
        write_proc(
            &root,
            100,
            50,
            "sh",
            &["sh", "-ec", "/usr/sbin/sshd -D"],
            status,
        );
        write_proc(&root, 101, 100, "ss hd", &["/usr/sbin/sshd", "-D"], status);
        write_proc(&root, 102, 50, "top", &["top"], "Uid:\t0\t0\t0\t0\n");
        for (pid, pidns) in [
            (1, "pid:[1]"),
            (50, "pid:[1]"),
            (100, "pid:[9]"),
            (101, "pid:[9]"),
            (102, "pid:[9]"),
        ] {
            ns(&root, pid, "pid", pidns);
        }
        for name in ["net", "ipc", "uts", "user", "cgroup"] {
            ns(&root, 1, name, &format!("{name}:[1]"));
        }
        ns(&root, 100, "net", "net:[1]");
        ns(&root, 100, "ipc", "ipc:[9]");
        ns(&root, 100, "uts", "uts:[9]");
        ns(&root, 100, "user", "user:[1]");
        std::fs::write(
            root.join("100/cgroup"),
            format!("4:memory:/docker/{ID}\n3:pids:/docker/{ID}\n2:cpu,cpuacct:/docker/{ID}\n"),
        )
        .unwrap();
        std::fs::create_dir_all(root.join("100/attr")).unwrap();
        std::fs::write(root.join("100/attr/current"), "docker-default (enforce)\n").unwrap();
        std::fs::create_dir_all(root.join("sys/kernel")).unwrap();
        std::fs::write(root.join("sys/kernel/cap_last_cap"), "40\n").unwrap();
        for (dir, file, value) in [
            ("memory", "memory.limit_in_bytes", "536870912"),
            ("pids", "pids.max", "max"),
            ("cpu,cpuacct", "cpu.shares", "512"),
        ] {
            let d = cg.join(dir).join("docker").join(ID);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join(file), value).unwrap();
        }
        let table = ProcTable::scan(&root, &cg).unwrap();
        (tmp, table)
    }

    #[test]
    fn container_processes_come_from_the_init_pid_and_its_namespace() {
        let (_tmp, t) = fake();
        let (procs, k) = t.container(100, ID, &[], true);
        let procs = procs.unwrap();
        let pids: Vec<i64> = procs.iter().map(|p| p.Pid).collect();
        assert_eq!(pids, vec![100, 101, 102]);
        assert_eq!(procs[1].Comm, "ss hd");
        assert_eq!(procs[1].Args, vec!["/usr/sbin/sshd", "-D"]);
        assert_eq!(procs[1].Uid, 1000);
        // Sharing another PID namespace: only the init's descendants.
        let (procs, _) = t.container(100, ID, &[], false);
        assert_eq!(procs.unwrap().len(), 2);
        assert!(k.Status.is_available(), "{:?}", k.Status);
        assert_eq!((k.Uid, k.EUid, k.HostUid), (0, 1000, 1000));
        assert!(k.NoNewPrivs);
        assert_eq!(k.Seccomp, 2);
        assert_eq!(k.Label, "docker-default (enforce)");
        assert_eq!(k.HostNamespaces, vec!["net", "user"]);
        assert_eq!(k.UnknownNamespaces, vec!["cgroup"]);
        assert!(k.CapBnd.contains(&"CAP_NET_RAW".to_string()));
        assert!(!k.CapEff.contains(&"CAP_NET_ADMIN".to_string()));
        assert!(!k.AllCapabilities);
        assert_eq!(k.Cgroup.Version, "v1");
        assert_eq!(k.Cgroup.MemoryLimit, Some(536_870_912));
        assert_eq!(k.Cgroup.PidsLimit, None);
        assert_eq!(k.Cgroup.CpuWeight, Some(512));
        assert!(k.Cgroup.Status.is_available(), "{:?}", k.Cgroup.Status);
    }

    #[test]
    fn a_pid_of_another_container_or_host_is_not_observed() {
        let (_tmp, t) = fake();
        let (procs, k) = t.container(100, "feedbeef", &["other".into()], true);
        assert!(procs.is_none());
        assert!(!k.Status.is_available());
        assert!(
            k.Status.reason().contains("does not belong"),
            "{}",
            k.Status.reason()
        );
        // Found by its command line when the cgroup names no ID (Podman, rootless layouts).
        let cmd: Vec<String> = ["-ec", "/usr/sbin/sshd -D"].map(String::from).to_vec();
        let (procs, k) = t.container(100, "feedbeef", &cmd, true);
        assert!(procs.is_some() && k.Status.is_available());
        let (_, k) = t.container(4242, ID, &[], true);
        assert!(
            k.Status.reason().contains("another PID namespace"),
            "{}",
            k.Status.reason()
        );
        assert_eq!(t.pids_named("containerd-shim"), vec![50]);
    }

    /// A container started between the walk and its inspect is looked up in a second walk,
    /// children and all (it was "not in /proc", as if the daemon were another host's).
    #[test]
    fn a_container_started_after_the_walk_is_observed_whole() {
        let (tmp, t) = fake();
        let root = tmp.path().join("proc");
        let status = "Uid:\t0\t0\t0\t0\nSeccomp:\t2\n";
        write_proc(&root, 300, 50, "late", &["sh", "-c", "sshd"], status);
        write_proc(&root, 301, 300, "sshd", &["sshd"], status);
        ns(&root, 300, "pid", "pid:[30]");
        ns(&root, 301, "pid", "pid:[30]");
        std::fs::write(root.join("300/cgroup"), format!("0::/docker/{ID}\n")).unwrap();
        let (procs, k) = t.container(300, ID, &[], true);
        let procs = procs.expect("observed");
        let seen: Vec<(i64, &str)> = procs.iter().map(|p| (p.Pid, p.Comm.as_str())).collect();
        assert_eq!(seen, vec![(300, "late"), (301, "sshd")]);
        assert_eq!(k.Seccomp, 2);
        assert!(k.Status.is_available(), "{:?}", k.Status);
    }

    /// A PID the walk saw as another container's process (an exec session) and that is now
    /// a new container's init: its members are the new container's, not the old PID
    /// namespace's (the walk's entry would have lent it the other container's processes).
    #[test]
    fn a_reused_pid_is_judged_from_the_process_that_has_it_now() {
        let (tmp, t) = fake();
        let root = tmp.path().join("proc");
        std::fs::remove_dir_all(root.join("102")).unwrap();
        write_proc(
            &root,
            102,
            77,
            "reborn",
            &["sleep", "9"],
            "PPid:\t77\nUid:\t0\t0\t0\t0\n",
        );
        ns(&root, 102, "pid", "pid:[40]");
        std::fs::write(root.join("102/cgroup"), "0::/docker/feedbeef\n").unwrap();
        let (procs, k) = t.container(102, "feedbeef", &[], true);
        let seen: Vec<(i64, String)> = procs
            .expect("observed")
            .into_iter()
            .map(|p| (p.Pid, p.Comm))
            .collect();
        assert_eq!(seen, vec![(102, "reborn".to_string())]);
        assert!(k.Status.is_available(), "{:?}", k.Status);
    }

    /// Observations made while the inspects went on are used as they are; the others are
    /// made from the table, and the whole's status counts the unobserved.
    #[test]
    fn observations_made_already_are_kept() {
        let (_tmp, t) = fake();
        let mut running = crate::snapshot::Container {
            Id: ID.into(),
            ..Default::default()
        };
        running.State.Running = true;
        running.State.Pid = 100;
        let mut elsewhere = running.clone();
        elsewhere.Id = "feedbeef".into();
        elsewhere.Config.Cmd = vec!["other".into()];
        let mut containers = vec![running.clone(), elsewhere];
        let mut done = HashMap::new();
        let mut marked = observe(Ok(&t), None, &ProcQuery::of(&running));
        marked.1.Label = "from the pipeline".into();
        done.insert(ID.to_string(), marked);
        let status = observe_containers(Ok(&t), &mut containers, None, done);
        assert_eq!(containers[0].Kernel.Label, "from the pipeline");
        assert_eq!(containers[0].Processes.as_ref().map(Vec::len), Some(3));
        assert!(containers[1].Processes.is_none());
        assert!(
            status
                .reason()
                .starts_with("1 running container(s) not observed: host PID 100 does not belong"),
            "{}",
            status.reason()
        );
    }

    #[test]
    fn ids_are_mapped_into_the_user_namespace_and_v2_limits_read() {
        assert_eq!(map_to_inside("0 100000 65536\n", 100_000), Some(0));
        assert_eq!(map_to_inside("0 100000 65536\n", 101_000), Some(1000));
        assert_eq!(map_to_inside("0 100000 65536\n", 5), None);
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("system.slice/docker-x.scope");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("memory.max"), "max\n").unwrap();
        std::fs::write(d.join("pids.max"), "100\n").unwrap();
        std::fs::write(d.join("cpu.weight"), "100\n").unwrap();
        let l = cgroup_limits(tmp.path(), "0::/system.slice/docker-x.scope\n");
        assert_eq!(
            (l.Version.as_str(), l.MemoryLimit, l.PidsLimit, l.CpuWeight),
            ("v2", None, Some(100), Some(100))
        );
        assert!(l.Status.is_available());
        let missing = cgroup_limits(tmp.path(), "0::/gone\n");
        assert!(!missing.Status.is_available());
    }

    #[test]
    fn capability_bits_are_named() {
        assert_eq!(cap_names(0b101), vec!["CAP_CHOWN", "CAP_DAC_READ_SEARCH"]);
        assert_eq!(cap_names(1 << 63), vec!["CAP_63"]);
    }
}
