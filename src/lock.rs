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
    // The directory may be writable by others: a symlink planted at `path` is not followed
    // (else a root run would truncate the file it names), a FIFO does not block the open,
    // and what was opened must be our own plain file before anything is written to it.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc_flags())
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(code) if code == rustix::io::Errno::LOOP.raw_os_error() => io_err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "it is a symbolic link (not followed: give the lock file itself)",
            )),
            _ => io_err(e),
        })?;
    refuse_foreign(&file).map_err(io_err)?;
    // `--wait-lock 18446744073709551615` must not overflow the clock: no deadline, wait on.
    let deadline = Instant::now().checked_add(wait);
    loop {
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => break,
            Err(rustix::io::Errno::WOULDBLOCK) if deadline.is_none_or(|d| Instant::now() < d) => {
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

/// `O_NOFOLLOW | O_NONBLOCK`: never through a symlink, never waiting on a FIFO.
fn libc_flags() -> i32 {
    (rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32
}

/// A lock file must be a regular file with one link, owned by the user running dockbench:
/// anything else (a device, a FIFO, another user's file, a hard link to a file elsewhere) is
/// not ours to write a PID into.
fn refuse_foreign(file: &File) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata()?;
    let refuse = |why: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, why.to_string()));
    if !meta.is_file() {
        return refuse("it is not a regular file");
    }
    if meta.uid() != rustix::process::geteuid().as_raw() {
        return refuse(&format!(
            "it belongs to another user (UID {}); remove it or give another --lock",
            meta.uid()
        ));
    }
    if meta.nlink() > 1 {
        return refuse("it has other hard links (not written: it may be another file)");
    }
    Ok(())
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

    #[test]
    fn a_symlink_at_the_lock_path_is_not_followed_and_its_target_is_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious\n").unwrap();
        let path = dir.path().join(DEFAULT_NAME);
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let err = acquire(&path, Duration::ZERO).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
        // A dangling link is not followed to create its target either.
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("created"), &dangling).unwrap();
        assert!(acquire(&dangling, Duration::ZERO).is_err());
        assert!(!dir.path().join("created").exists());
    }

    #[test]
    fn a_fifo_or_a_hard_link_is_refused_without_blocking_or_truncating() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        let err = acquire(&fifo, Duration::ZERO).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious\n").unwrap();
        let link = dir.path().join("hard");
        std::fs::hard_link(&victim, &link).unwrap();
        let err = acquire(&link, Duration::ZERO).unwrap_err();
        assert!(err.to_string().contains("hard links"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    }

    #[test]
    fn another_users_file_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DEFAULT_NAME);
        std::fs::write(&path, "theirs\n").unwrap();
        let me = rustix::process::geteuid().as_raw();
        let other = if me == 0 { 4242 } else { 0 };
        if rustix::fs::chown(&path, Some(rustix::fs::Uid::from_raw(other)), None).is_err() {
            return; // not root: cannot make a file of another user to test with
        }
        let err = acquire(&path, Duration::ZERO).unwrap_err();
        assert!(err.to_string().contains("another user"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "theirs\n");
    }
}
