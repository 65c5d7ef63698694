//! An image as `docker image inspect` and `docker history` show it.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::FactStatus;

use super::HealthConfig;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Image {
    pub Id: String,
    pub RepoTags: Vec<String>,
    pub RepoDigests: Vec<String>,
    pub Created: String,
    pub Size: i64,
    pub Os: String,
    pub Architecture: String,
    pub Config: ImageConfig,
    /// Full, untruncated build history, newest first.
    pub History: Vec<HistoryEntry>,
    /// What a read-only walk of the image's layer directories found.
    pub Layers: LayerFacts,
    /// Why the image could not be inspected (every image check is ERROR for it); "" when it was.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub Error: String,
}

/// Files of an image found by walking its layer directories on the host (overlay2 and
/// fuse-overlayfs: `GraphDriver.Data` UpperDir and LowerDir), read-only, bounded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct LayerFacts {
    /// Whether these facts could be had (flattened: `Available`, `State`, `Reason`, `Cause`,
    /// `ScanMode`; see `FactStatus`).
    #[serde(flatten)]
    pub Status: FactStatus,
    /// Regular files with the setuid or setgid bit: `/bin/su (4755)`.
    pub SetuidFiles: Vec<String>,
    /// Risky tools present: netcat, sshd, compilers, package managers (`/usr/bin/gcc`).
    pub Tools: Vec<String>,
    /// The walk stopped at its entry or depth bound: the lists may be incomplete.
    pub Truncated: bool,
    /// User names → UIDs of the image's `/etc/passwd` (the top-most layer's copy), for
    /// resolving `USER name` as the runtime does. Empty when the image has none.
    pub Users: std::collections::BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ImageConfig {
    pub User: String,
    pub Env: Vec<String>,
    pub Cmd: Vec<String>,
    pub Entrypoint: Vec<String>,
    pub Labels: BTreeMap<String, String>,
    pub Healthcheck: Option<HealthConfig>,
    pub ExposedPorts: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct HistoryEntry {
    /// Unix seconds.
    pub Created: i64,
    /// The instruction, untruncated (`/bin/sh -c #(nop) ADD file:… in /`).
    pub CreatedBy: String,
    pub Comment: String,
    /// Layer size in bytes (0 for metadata-only steps).
    pub Size: i64,
    pub Tags: Vec<String>,
}
