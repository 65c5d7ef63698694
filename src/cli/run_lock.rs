//! `--lock` / `--wait-lock`: the run lock for runs that write output files.
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::exit;
use crate::lock::{self, LockError, RunLock};

#[derive(Debug, Clone, Args)]
pub struct LockArgs {
    /// Lock file that keeps overlapping runs from writing the same outputs (default:
    /// `.dockbench.lock` in the directory of the first output file). Only runs that write
    /// output files take it; a second run exits with code 5.
    #[arg(long, value_name = "FILE")]
    pub lock: Option<PathBuf>,
    /// Wait up to SECONDS for the lock held by another run instead of exiting with code 5.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait_lock: u64,
}

impl LockArgs {
    /// Takes the lock when the run writes `first_output` (or when `--lock` names a file).
    /// `Ok(None)`: nothing to lock. A default lock file that cannot be created is only a
    /// warning (the output will fail with its own message and code); an explicit `--lock`
    /// that cannot be opened is a usage error. An output that is a device or pipe
    /// (`/dev/stdout`) gets no default lock: its directory is not a report directory.
    pub fn take(&self, first_output: Option<&Path>) -> Result<Option<RunLock>, u8> {
        let first_output =
            first_output.filter(|p| std::fs::metadata(p).map_or(true, |m| m.is_file()));
        let (path, explicit) = match (&self.lock, first_output) {
            (Some(p), _) => (p.clone(), true),
            (None, Some(out)) => (lock::default_path(out), false),
            (None, None) => return Ok(None),
        };
        match lock::acquire(&path, Duration::from_secs(self.wait_lock)) {
            Ok(l) => Ok(Some(l)),
            Err(e @ LockError::Held { .. }) => {
                crate::term::error(&e.to_string());
                Err(exit::LOCKED)
            }
            Err(e) if explicit => {
                crate::term::error(&e.to_string());
                Err(exit::USAGE)
            }
            Err(e) => {
                crate::term::error(&format!("warning: {e}; running without a lock"));
                Ok(None)
            }
        }
    }
}
