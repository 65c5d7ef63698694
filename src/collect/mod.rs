//! Collectors: each produces the same `Snapshot`. Everything here is read-only: no writes,
//! no exec into containers, no state changes on the host or the daemon.
pub mod audit;
pub mod binds;
pub mod bolt;
pub mod build_cache;
pub mod capped;
pub mod connect;
pub mod content_store;
pub mod daemon_config;
pub mod disk_usage;
pub mod files;
pub mod firewall;
pub mod host;
pub mod layers;
pub mod listeners;
pub mod live;
pub mod mounts;
pub mod offline;
pub mod own_container;
pub mod procs;
pub mod reclaimable;
pub mod resolver;
pub mod rootfs;
pub mod ssh;
pub mod target;
pub mod users;
pub mod writable_layer;

pub use live::{LiveOptions, collect_live};
pub use offline::{OfflineOptions, collect_root};

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The daemon could not be reached or refused the basic calls.
    #[error("{0}")]
    Daemon(String),
    /// `--root`: the directory holds no Docker installation to scan.
    #[error("{0}")]
    Root(String),
    /// The daemon address or connection settings are unusable (exit 2: bad usage).
    #[error("{0}")]
    Usage(String),
}

impl CollectError {
    /// The documented exit code: 2 for bad connection settings, 3 for a collection failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            CollectError::Usage(_) => crate::exit::USAGE,
            _ => crate::exit::COLLECT,
        }
    }
}
