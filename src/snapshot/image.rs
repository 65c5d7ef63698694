//! An image as `docker image inspect` and `docker history` show it.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::FactStatus;

use super::HealthConfig;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Image {
    /// Content-addressable image ID, `sha256:` and 64 hex characters, the digest of its config
    /// (`GET /images/{id}/json` Id; offline: the imagedb file name).
    pub Id: String,
    /// Local `name:tag` references of it; empty for an untagged image (`GET /images/{id}/json`
    /// RepoTags; offline: repositories.json).
    pub RepoTags: Vec<String>,
    /// `name@sha256:…` manifest digests it was pulled or pushed as; empty for locally built images
    /// (`GET /images/{id}/json` RepoDigests).
    pub RepoDigests: Vec<String>,
    /// When it was built, RFC 3339 with nanoseconds; "" when the image does not record it (`GET
    /// /images/{id}/json` Created).
    pub Created: String,
    /// Total size of its layers in bytes (`GET /images/{id}/json` Size).
    pub Size: i64,
    /// Operating system it is built for (`linux`) (`GET /images/{id}/json` Os).
    pub Os: String,
    /// CPU architecture it is built for (`amd64`, `arm64`) (`GET /images/{id}/json` Architecture).
    pub Architecture: String,
    /// Defaults containers of it start with: user, command, environment, healthcheck (`GET
    /// /images/{id}/json` Config; offline: the image config in imagedb).
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
    /// Where `Users` came from: `/etc/passwd`, or the file a symlink there leads to
    /// (`/usr/lib/passwd`); "" when the image has no passwd file.
    pub PasswdPath: String,
    /// Why the image's passwd could not be read although the image has one (a link that
    /// leaves the layers or loops, an unreadable file), else "".
    pub PasswdProblem: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ImageConfig {
    /// `USER` of the image, `user|UID[:group|GID]`; "" means root (Config.User).
    pub User: String,
    /// `ENV` as `NAME=value` strings (Config.Env). Values may be secrets: evidence must not print
    /// them.
    pub Env: Vec<String>,
    /// `CMD`, each argument a string (Config.Cmd).
    pub Cmd: Vec<String>,
    /// `ENTRYPOINT`, each argument a string; empty when none (Config.Entrypoint).
    pub Entrypoint: Vec<String>,
    /// `LABEL`s, key → value (Config.Labels).
    pub Labels: BTreeMap<String, String>,
    /// `HEALTHCHECK`; `null` when the image has none, `Test` `["NONE"]` when it disables one
    /// (Config.Healthcheck).
    pub Healthcheck: Option<HealthConfig>,
    /// `EXPOSE`d ports as keys `PORT/PROTO`; values are empty objects (Config.ExposedPorts).
    pub ExposedPorts: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct HistoryEntry {
    /// Unix seconds.
    pub Created: i64,
    /// The instruction, untruncated (`/bin/sh -c #(nop) ADD file:… in /`).
    pub CreatedBy: String,
    /// Comment of the step (`buildkit.dockerfile.v0`, an import message) (`GET
    /// /images/{id}/history` Comment).
    pub Comment: String,
    /// Layer size in bytes (0 for metadata-only steps).
    pub Size: i64,
    /// Tags pointing at the image this step produced; empty for intermediate steps
    /// (`/images/{id}/history` Tags).
    pub Tags: Vec<String>,
}
