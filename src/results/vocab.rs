//! The check vocabulary the engine, the check files and the report share: profile levels,
//! assessment and evaluation modes, scopes, finding statuses, sections.
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
