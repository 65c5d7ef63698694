//! The check vocabulary the engine, the check files and the report share: profile levels,
//! assessment and evaluation modes, scopes, severities, finding statuses, sections.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub id: String,
    pub title: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum Level {
    #[serde(rename = "1")]
    L1,
    #[serde(rename = "2")]
    L2,
    #[serde(rename = "swarm")]
    Swarm,
}

impl Level {
    /// The value JSON and SARIF use (`1`, `2`, `swarm`): machine-facing formats say the same.
    pub fn id(self) -> &'static str {
        match self {
            Level::L1 => "1",
            Level::L2 => "2",
            Level::Swarm => "swarm",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::L1 => "Level 1",
            Level::L2 => "Level 2",
            Level::Swarm => "Swarm Level 1",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Assessment {
    Automated,
    Manual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Evaluation {
    Automated,
    Manual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Host,
    Daemon,
    Container,
    Image,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum FindingStatus {
    Warn,
    Info,
}

/// How bad a finding of a check is, dockbench's own rating (CIS defines none):
/// critical = host takeover from a container or the network (privileged, docker.sock mounted,
/// unauthenticated TCP API); high = isolation broken or a privilege-escalation path;
/// medium = defence in depth weakened, resource exhaustion; low = hygiene, logging, manual
/// review. Ordered low < medium < high < critical.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Most severe first: the order reports list findings in.
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// `critical`, `high`, `medium`, `low`: the value every format uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity '{s}' (expected critical, high, medium or low)")
            })
    }
}
