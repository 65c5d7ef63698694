//! The run lock: two overlapping runs that write the same outputs (a nightly timer and a
//! manual run, a slow scan and the next one) must not clobber each other. An exclusive
//! `flock` on a lock file; the holder writes its PID into the file so the loser can name it.
//! The kernel drops the lock when the holder exits, however it exits, so a stale file never
//! blocks anyone; the file itself is left in place (removing it would race with a waiter).
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::fs::{FlockOperation, flock};

/// Name of the lock file put next to the first output when `--lock` is not given.
pub const DEFAULT_NAME: &str = ".dockbench.lock";

/// How often a waiting run tries again.
const POLL: Duration = Duration::from_millis(100);

/// A held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another dockbench run{} holds the lock {} (wait for it with --wait-lock SECONDS)", holder(*.pid), path.display())]
    Held { path: PathBuf, pid: Option<u32> },
    #[error("cannot open the lock file {}: {err}", path.display())]
    Io { path: PathBuf, err: io::Error },
}

fn holder(pid: Option<u32>) -> String {
    pid.map(|p| format!(" (PID {p})")).unwrap_or_default()
}

/// The lock file for outputs written to `first_output`: `.dockbench.lock` in its directory.
pub fn default_path(first_output: &Path) -> PathBuf {
    match first_output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(DEFAULT_NAME),
        _ => PathBuf::from(DEFAULT_NAME),
    }
}

/// Takes the lock at `path`, waiting up to `wait` for a holder to finish (zero: fail at once).
pub fn acquire(path: &Path, wait: Duration) -> Result<RunLock, LockError> {
    let io_err = |err| LockError::Io {
        path: path.to_path_buf(),
        err,
    };
    // Not truncated on open: the PID in it belongs to the holder until we hold the lock.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .open(path)
        .map_err(io_err)?;
    let deadline = Instant::now() + wait;
    loop {
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => break,
            Err(rustix::io::Errno::WOULDBLOCK) if Instant::now() < deadline => {
                std::thread::sleep(POLL)
            }
            Err(rustix::io::Errno::WOULDBLOCK) => {
                return Err(LockError::Held {
                    path: path.to_path_buf(),
                    pid: read_pid(&mut file),
                });
            }
            Err(e) => return Err(io_err(e.into())),
        }
    }
    let record = |f: &mut File| -> io::Result<()> {
        f.set_len(0)?;
        f.rewind()?;
        writeln!(f, "{}", std::process::id())
    };
    record(&mut file).map_err(io_err)?;
    Ok(RunLock {
        _file: file,
        path: path.to_path_buf(),
    })
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_with_the_pid_then_succeeds_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l");
        let first = acquire(&path, Duration::ZERO).unwrap();
        // flock locks belong to the open file description: a second open in the same process
        // conflicts just as another process would.
        match acquire(&path, Duration::from_millis(250)) {
            Err(LockError::Held { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Held, got {other:?}"),
        }
        drop(first);
        let again = acquire(&path, Duration::ZERO).unwrap();
        assert_eq!(again.path, path);
    }

    #[test]
    fn default_path_is_beside_the_first_output() {
        assert_eq!(
            default_path(Path::new("/srv/r/report.json")),
            Path::new("/srv/r/.dockbench.lock")
        );
        assert_eq!(
            default_path(Path::new("report.json")),
            Path::new(".dockbench.lock")
        );
    }
}
