//! An image as `docker image inspect` and `docker history` show it.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
