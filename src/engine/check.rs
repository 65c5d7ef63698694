//! The data form of a check, as written in `checks/<benchmark>/*.toml`.
use serde::{Deserialize, Serialize};

/// `benchmark.toml` of a benchmark folder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkDef {
    /// Folder name and `--benchmark` value, e.g. `cis-docker-1.6.0`.
    pub id: String,
    pub title: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "section")]
    pub sections: Vec<SectionDef>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub id: String,
    pub title: String,
}

/// A section file: a list of `[[check]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckFile {
    #[serde(rename = "check", default)]
    pub checks: Vec<CheckDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    pub id: String,
    pub title: String,
    /// Profile: `1`, `2` (CIS Level 1/2) or `swarm` (CIS Docker Swarm Level 1).
    pub level: Level,
    /// The benchmark's own assessment status (CIS "Automated"/"Manual").
    #[serde(default)]
    pub assessment: Option<Assessment>,
    /// How dockbench evaluates it: `automated` gives a verdict, `manual` gives NOTE.
    #[serde(default = "default_evaluation")]
    pub evaluation: Evaluation,
    #[serde(default = "default_true")]
    pub scored: bool,
    pub scope: Scope,
    #[serde(default)]
    pub description: String,
    pub remediation: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// Where and why our verdict differs on purpose from docker-bench-security.
    #[serde(default)]
    pub notes: String,
    /// CEL, bool: does the check apply (to this object)? false → SKIP with `skip_reason`.
    #[serde(default)]
    pub applies: Option<String>,
    #[serde(default)]
    pub skip_reason: Option<String>,
    /// CEL, string: a non-empty result means the facts are missing → ERROR with that reason.
    #[serde(default)]
    pub unknown: Option<String>,
    /// CEL, bool: is this object a finding?
    #[serde(default)]
    pub finding: Option<String>,
    /// CEL, any: the offending value shown as evidence.
    #[serde(default)]
    pub evidence: Option<String>,
    /// CEL, any: what a passing object looked like (host and daemon scopes).
    #[serde(default)]
    pub pass_evidence: Option<String>,
    /// Status of a finding: WARN (default) or INFO.
    #[serde(default = "default_finding_status")]
    pub finding_status: FindingStatus,
    /// For manual evaluation: what the reviewer should look at.
    #[serde(default)]
    pub review: String,
}

fn default_true() -> bool {
    true
}
fn default_evaluation() -> Evaluation {
    Evaluation::Automated
}
fn default_finding_status() -> FindingStatus {
    FindingStatus::Warn
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
