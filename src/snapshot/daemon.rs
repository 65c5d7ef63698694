//! The Docker daemon: `/info`, `/version` (Docker's field names) and its effective configuration.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Daemon {
    /// `null` when the daemon was not asked (offline scans) or did not answer.
    pub Info: Option<Info>,
    pub Version: Option<Version>,
    pub Config: DaemonConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Info {
    pub ID: String,
    pub Name: String,
    pub ServerVersion: String,
    pub OperatingSystem: String,
    pub OSType: String,
    pub KernelVersion: String,
    pub Architecture: String,
    pub Driver: String,
    pub DockerRootDir: String,
    pub LoggingDriver: String,
    pub CgroupDriver: String,
    pub CgroupVersion: String,
    pub SecurityOptions: Vec<String>,
    pub LiveRestoreEnabled: bool,
    pub ExperimentalBuild: bool,
    pub DefaultRuntime: String,
    pub Containers: i64,
    pub ContainersRunning: i64,
    pub ContainersPaused: i64,
    pub ContainersStopped: i64,
    pub Images: i64,
    pub NCPU: i64,
    pub MemTotal: i64,
    pub Swarm: SwarmInfo,
    pub RegistryConfig: RegistryConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct SwarmInfo {
    pub NodeID: String,
    pub NodeAddr: String,
    /// "", "inactive", "pending", "active", "error", "locked".
    pub LocalNodeState: String,
    pub ControlAvailable: bool,
    pub Managers: i64,
    pub Nodes: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct RegistryConfig {
    pub InsecureRegistryCIDRs: Vec<String>,
    pub Mirrors: Vec<String>,
    pub IndexConfigs: BTreeMap<String, IndexInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct IndexInfo {
    pub Name: String,
    pub Secure: bool,
    pub Official: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Version {
    pub Version: String,
    pub ApiVersion: String,
    pub MinAPIVersion: String,
    pub Os: String,
    pub Arch: String,
    pub KernelVersion: String,
    pub Experimental: bool,
}

/// The daemon's effective configuration: its config file merged with its command line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct DaemonConfig {
    /// The dockerd command line (argv), empty when no dockerd process was found.
    pub Args: Vec<String>,
    /// Path of the config file the daemon reads (`--config-file` or the default).
    pub File: String,
    /// Whether that file exists.
    pub FilePresent: bool,
    /// Why the file could not be used (parse error with line and column), else "".
    pub FileError: String,
    /// Effective settings by daemon.json key (`no-new-privileges`), each with its source.
    pub Settings: BTreeMap<String, Setting>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Setting {
    pub Value: serde_json::Value,
    /// "file" or "flag".
    pub Source: String,
    /// The file path or the command-line flag as written.
    pub Origin: String,
}
