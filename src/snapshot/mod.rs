//! The typed facts a scan evaluates. Engine API objects keep Docker's own field names
//! (`HostConfig.Privileged`) so anyone who knows `docker inspect` can read and write checks.
//! Every field is always present when serialised (no skipping), so CEL expressions never
//! trip over a missing key; `null` means "not known".
#![allow(non_snake_case)]

mod container;
mod daemon;
mod host;
mod image;

pub use container::*;
pub use daemon::*;
pub use host::*;
pub use image::*;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Bumped whenever a change makes older snapshot files unreadable or misleading.
pub const FORMAT_VERSION: u32 = 1;

/// Everything a scan knows about one host, gathered once.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Snapshot {
    /// Snapshot file format version (see `FORMAT_VERSION`).
    pub format_version: u32,
    /// dockbench version that collected it.
    pub tool_version: String,
    /// Where the facts came from.
    pub source: Source,
    /// RFC 3339 time when collection started and ended.
    pub started_at: String,
    pub finished_at: String,
    pub host: Host,
    pub daemon: Daemon,
    pub containers: Vec<Container>,
    pub images: Vec<Image>,
    /// Scope of the container list: running only, or all.
    pub all_containers: bool,
    /// Scope of the image list: images in use only, or all (`--all-images`).
    pub all_images: bool,
    /// Things worth knowing about the collection (a container that vanished, a fact skipped).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Engine API of a running daemon plus the local host.
    #[default]
    Live,
    /// A mounted clone of a host's disk (`--root`).
    Root,
    /// A snapshot file written by `dockbench collect`.
    Snapshot,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Live => "live",
            Mode::Root => "root",
            Mode::Snapshot => "snapshot",
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Source {
    pub mode: Mode,
    /// Daemon address, root directory or snapshot path.
    pub location: String,
}

/// The phrase every "cannot be known from a disk clone" reason contains. The engine turns an
/// `unknown` reason containing it into SKIP (not ERROR): the fact is missing by the nature of
/// the scan, not because something went wrong.
pub const OFFLINE: &str = "not available in an offline scan";
/// The phrase of facts that need the daemon's own host when the daemon runs elsewhere.
pub const REMOTE: &str = "not available for a remote daemon";
/// The phrase of dockerd-only facts when the engine is Podman.
pub const NOT_PODMAN: &str = "not applicable to Podman";

/// Whether `reason` says a fact is missing by the nature of the scan (offline clone, remote
/// daemon, another engine), so the check SKIPs rather than ERRORs. The one place that reads
/// these phrases; the typed fact status replaces it.
pub fn not_in_this_mode(reason: &str) -> bool {
    [OFFLINE, REMOTE, NOT_PODMAN]
        .iter()
        .any(|phrase| reason.contains(phrase))
}

/// A fact that could not be gathered: the checks that need it report ERROR with this reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Unavailable {
    pub Reason: String,
}

impl Snapshot {
    pub fn from_json(text: &str) -> Result<Snapshot, SnapshotError> {
        let raw: serde_json::Value =
            serde_json::from_str(text).map_err(|e| SnapshotError::Parse(e.to_string()))?;
        let version = raw.get("format_version").and_then(|v| v.as_u64());
        match version {
            Some(v) if v == FORMAT_VERSION as u64 => {}
            Some(v) => return Err(SnapshotError::Version(v)),
            None => return Err(SnapshotError::NotASnapshot),
        }
        serde_json::from_value(raw).map_err(|e| SnapshotError::Parse(e.to_string()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("not valid JSON or not a dockbench snapshot: {0}")]
    Parse(String),
    #[error(
        "snapshot format version {0} is not supported by this dockbench (reads version {FORMAT_VERSION}); collect it again with this version"
    )]
    Version(u64),
    #[error("not a dockbench snapshot: no \"format_version\" field")]
    NotASnapshot,
}

/// Removes `null` members from JSON objects, so `#[serde(default)]` fills them: Docker
/// writes `"CapAdd": null` where we want an empty list.
pub fn strip_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
