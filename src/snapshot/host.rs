//! Facts about the host itself.
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Host {
    pub Hostname: String,
    pub KernelVersion: String,
    /// PRETTY_NAME from os-release.
    pub OperatingSystem: String,
    /// Content of /etc/machine-id, "" when absent.
    pub MachineId: String,
    /// Whether container processes could be read from /proc.
    pub Proc: FactStatus,
    /// Environment of the scanner relevant to checks (`DOCKER_CONTENT_TRUST`).
    pub ContentTrust: String,
}

/// Whether a group of facts could be gathered, and if not, why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct FactStatus {
    pub Available: bool,
    pub Reason: String,
}

impl FactStatus {
    pub fn available() -> Self {
        FactStatus {
            Available: true,
            Reason: String::new(),
        }
    }
    pub fn unavailable(reason: impl Into<String>) -> Self {
        FactStatus {
            Available: false,
            Reason: reason.into(),
        }
    }
}
