//! `ssh://[user@]host[:port]` the docker CLI's way: each API connection is an `ssh` child
//! running `docker system dial-stdio` on the remote host, whose stdin/stdout is the remote
//! daemon's socket. The API client talks to a private unix socket (in a 0700 temporary
//! directory of this process) and each connection to it is bridged to one such child.
//!
//! One master connection authenticates once (`ControlMaster`); every bridged connection is a
//! session over it, so many concurrent requests do not open many SSH logins (sshd's
//! `MaxStartups` would refuse them). `ssh` is the one on `PATH` with the user's own ssh
//! configuration, `BatchMode=yes` (no prompt can hang a scan).
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// An `ssh://` daemon address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl SshTarget {
    /// `ssh://[user@]host[:port]`.
    pub fn url(&self) -> String {
        let user = self
            .user
            .as_ref()
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        format!("ssh://{user}{host}{port}")
    }

    /// Parses what follows `ssh://`: `[user@]host[:port]`, no path (as the docker CLI).
    pub fn parse(rest: &str) -> Result<SshTarget, String> {
        let bad = |why: &str| format!("ssh://{rest}: {why}");
        let rest = rest.trim_end_matches('/');
        if rest.contains('/') {
            return Err(bad(
                "an ssh address has no path (the remote docker CLI's default socket is used)",
            ));
        }
        let (user, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) if !u.is_empty() => (Some(u.to_string()), h),
            Some(_) => return Err(bad("empty user name")),
            None => (None, rest),
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(|| bad("unclosed '['"))?;
            (h, after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if host.is_empty() || host.starts_with('-') {
            return Err(bad("no host name"));
        }
        let port = match port {
            None => None,
            Some(p) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| bad(&format!("invalid port '{p}'")))?,
            ),
        };
        Ok(SshTarget {
            user,
            host: host.to_string(),
            port,
        })
    }

    /// `ssh` options every child gets (the docker CLI's `-o ConnectTimeout=30 -T -l -p`).
    fn args(&self, control: &Path, master: bool) -> Vec<String> {
        let mut a: Vec<String> = [
            "-o",
            "ConnectTimeout=30",
            "-o",
            "BatchMode=yes",
            "-T",
            "-o",
            if master {
                "ControlMaster=yes"
            } else {
                "ControlMaster=no"
            },
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.push("-o".into());
        a.push(format!("ControlPath={}", control.display()));
        if let Some(u) = &self.user {
            a.extend(["-l".into(), u.clone()]);
        }
        if let Some(p) = self.port {
            a.extend(["-p".into(), p.to_string()]);
        }
        a
    }
}

/// A running bridge: the private socket the API client uses, and the master connection.
/// Dropping it stops both and removes the directory.
pub struct Bridge {
    dir: tempfile::TempDir,
    master: Child,
    stop: Arc<AtomicBool>,
}

impl Bridge {
    /// Logs in (the master), checks that the remote host has the docker CLI, and starts
    /// accepting connections. Errors say what ssh said.
    pub fn start(target: &SshTarget, deadline: Duration) -> Result<Bridge, String> {
        let url = target.url();
        // A scan killed with SIGKILL leaves its directory (and maybe its ssh master): those of
        // dead dockbench processes go first.
        remove_stale(&std::env::temp_dir());
        // 0700: only this user reaches the socket (set before anything is made inside). The
        // name carries our PID, so that a later scan can tell whether we are gone.
        let dir = tempfile::Builder::new()
            .prefix(&format!("{STALE_PREFIX}{}-", std::process::id()))
            .tempdir()
            .map_err(|e| format!("{url}: cannot make a private directory: {e}"))?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
                .map_err(|e| format!("{url}: cannot make a private directory: {e}"))?;
        }
        let control = dir.path().join("cm");
        let err_log = dir.path().join("master.err");
        let mut master = Command::new("ssh")
            .args(target.args(&control, true))
            .arg("-N")
            .arg("--")
            .arg(&target.host)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(&err_log)
                    .map(Stdio::from)
                    .unwrap_or(Stdio::null()),
            )
            .spawn()
            .map_err(|e| format!("{url}: cannot run ssh: {e}"))?;
        let until = Instant::now() + deadline.min(Duration::from_secs(40));
        loop {
            if control.exists() {
                break;
            }
            let said = || {
                std::fs::read_to_string(&err_log)
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            };
            if let Ok(Some(status)) = master.try_wait() {
                return Err(format!("{url}: ssh login failed ({status}): {}", said()));
            }
            if Instant::now() > until {
                let _ = master.kill();
                let _ = master.wait();
                return Err(format!("{url}: ssh did not log in in time: {}", said()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut bridge = Bridge {
            dir,
            master,
            stop: Arc::new(AtomicBool::new(false)),
        };
        // The remote end needs the docker CLI (`docker system dial-stdio`). What it prints is
        // read up to a cap (the remote host decides how much it sends).
        let check_err = bridge.dir.path().join("check.err");
        let mut check = Command::new("ssh")
            .args(target.args(&control, false))
            .args([
                "--",
                &target.host,
                "docker",
                "version",
                "--format",
                "{{.Client.Version}}",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(
                std::fs::File::create(&check_err)
                    .map(Stdio::from)
                    .unwrap_or(Stdio::null()),
            )
            .spawn()
            .map_err(|e| format!("{url}: cannot run ssh: {e}"))?;
        let mut out = Vec::new();
        if let Some(stdout) = check.stdout.take() {
            let _ = stdout.take(MAX_CHECK_OUTPUT + 1).read_to_end(&mut out);
        }
        if out.len() as u64 > MAX_CHECK_OUTPUT {
            let _ = check.kill();
            let _ = check.wait();
            return Err(format!(
                "{url}: `docker version` on the remote host printed more than {} KiB: not a docker CLI",
                MAX_CHECK_OUTPUT >> 10
            ));
        }
        let status = check
            .wait()
            .map_err(|e| format!("{url}: cannot run ssh: {e}"))?;
        if !status.success() {
            let mut said = Vec::new();
            if let Ok(f) = std::fs::File::open(&check_err) {
                let _ = f.take(MAX_CHECK_OUTPUT).read_to_end(&mut said);
            }
            return Err(format!(
                "{url}: `docker` did not run on the remote host (the ssh transport runs `docker system dial-stdio` there): {}",
                String::from_utf8_lossy(&said).trim()
            ));
        }
        let listener = UnixListener::bind(bridge.socket())
            .map_err(|e| format!("{url}: cannot listen on the private socket: {e}"))?;
        let stop = bridge.stop.clone();
        let target = target.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let target = target.clone();
                let control = control.clone();
                std::thread::spawn(move || relay(stream, &target, &control));
            }
        });
        bridge.master_alive()?;
        Ok(bridge)
    }

    /// The private unix socket the API client connects to.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("api.sock")
    }

    fn master_alive(&mut self) -> Result<(), String> {
        match self.master.try_wait() {
            Ok(None) => Ok(()),
            _ => Err("the ssh master connection ended".into()),
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees `stop`.
        let _ = UnixStream::connect(self.socket());
        let _ = self.master.kill();
        let _ = self.master.wait();
    }
}

/// The most the remote `docker version --format …` may print (a version string is a few bytes).
const MAX_CHECK_OUTPUT: u64 = 64 << 10;

/// The name of a bridge's directory in the temporary directory: this, the owner's PID, `-`.
const STALE_PREFIX: &str = "dockbench-ssh-";

/// Removes the bridge directories in `tmp` that belong to this user and to a process that no
/// longer runs (`dockbench-ssh-<pid>-*`), after asking an ssh master still listening on its
/// control socket there to exit (`ssh -O exit`). Directories of live processes, of other users
/// and names that do not parse are left alone.
pub fn remove_stale(tmp: &Path) {
    use std::os::unix::fs::MetadataExt;
    let uid = rustix::process::getuid().as_raw();
    for entry in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(STALE_PREFIX))
            .and_then(|r| r.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        let ours = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir() && m.uid() == uid);
        if !ours || pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let control = path.join("cm");
        if control.exists() {
            let _ = Command::new("ssh")
                .arg("-o")
                .arg(format!("ControlPath={}", control.display()))
                .args(["-O", "exit", "dockbench-stale"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&path);
    }
}

/// One API connection: bytes both ways between it and a `docker system dial-stdio` session.
fn relay(stream: UnixStream, target: &SshTarget, control: &Path) {
    let child = Command::new("ssh")
        .args(target.args(control, false))
        .args(["--", &target.host, "docker", "system", "dial-stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return;
    };
    let (Some(mut to_remote), Some(mut from_remote)) = (child.stdin.take(), child.stdout.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return;
    };
    let Ok(mut inbound) = stream.try_clone() else {
        let _ = child.kill();
        let _ = child.wait();
        return;
    };
    // Plain read/write loops: `std::io::copy` between a socket and a pipe may use splice(2),
    // which here held the bytes of a request until more arrived (a keep-alive client never
    // sends more).
    let upstream = std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        loop {
            match inbound.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to_remote.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        // The client finished sending: close the session's input half.
        drop(to_remote);
    });
    let mut outbound = stream;
    let mut buf = [0u8; 64 * 1024];
    loop {
        match from_remote.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if outbound.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = outbound.shutdown(std::net::Shutdown::Both);
    let _ = child.kill();
    let _ = child.wait();
    let _ = upstream.join();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bridge directory of a dead scan (SIGKILL leaves it) is removed by the next one; a live
    /// process's, another name's and a file are kept.
    #[test]
    fn bridge_directories_of_dead_scans_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let mut gone = Command::new("true").spawn().unwrap();
        let dead = gone.id();
        gone.wait().unwrap();
        let stale = tmp.path().join(format!("{STALE_PREFIX}{dead}-AbC123"));
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join("master.err"), "x").unwrap();
        let alive = tmp
            .path()
            .join(format!("{STALE_PREFIX}{}-XyZ", std::process::id()));
        std::fs::create_dir(&alive).unwrap();
        let init = tmp.path().join(format!("{STALE_PREFIX}1-Q"));
        std::fs::create_dir(&init).unwrap();
        let other = tmp.path().join("dockbench-ssh-notapid");
        std::fs::create_dir(&other).unwrap();
        let file = tmp.path().join(format!("{STALE_PREFIX}{dead}-file"));
        std::fs::write(&file, "").unwrap();
        remove_stale(tmp.path());
        assert!(!stale.exists(), "stale directory kept");
        for kept in [&alive, &init, &other, &file] {
            assert!(kept.exists(), "{} removed", kept.display());
        }
    }

    #[test]
    fn ssh_addresses_as_the_docker_cli_reads_them() {
        let t = SshTarget::parse("me@box.example:2222").unwrap();
        assert_eq!(
            t,
            SshTarget {
                user: Some("me".into()),
                host: "box.example".into(),
                port: Some(2222)
            }
        );
        assert_eq!(t.url(), "ssh://me@box.example:2222");
        let t = SshTarget::parse("box").unwrap();
        assert_eq!((t.user, t.port), (None, None));
        assert_eq!(SshTarget::parse("[::1]:22").unwrap().host, "::1");
        for bad in [
            "",
            "me@",
            "@box",
            "box:0",
            "box:x",
            "box/var/run/docker.sock",
            "-oProxyCommand=x",
        ] {
            assert!(SshTarget::parse(bad).is_err(), "{bad}");
        }
    }
}
