//! Collectors: each produces the same `Snapshot`. Everything here is read-only: no writes,
//! no exec into containers, no state changes on the host or the daemon.
pub mod daemon_config;
pub mod host;
pub mod live;
pub mod procs;

pub use live::{LiveOptions, collect_live};

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The daemon could not be reached or refused the basic calls.
    #[error("{0}")]
    Daemon(String),
}
