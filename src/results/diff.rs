//! A baseline comparison as the report carries it (`scan --baseline`, `diff`); computed by
//! [`crate::report::diff::diff`].
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Status;

/// One open finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DiffEntry {
    pub check: String,
    pub title: String,
    pub status: Status,
    pub kind: String,
    pub object: String,
    #[serde(default)]
    pub id: String,
    /// The file, for a finding about one (schema version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DiffCounts {
    pub new: usize,
    pub resolved: usize,
    pub unchanged: usize,
}

/// Which report the comparison started from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DiffBase {
    pub started_at: String,
    pub hostname: String,
    pub benchmark: String,
    /// The baseline's combined score (`summary.combined_score`).
    #[serde(alias = "score")]
    pub combined_score: i64,
    /// The baseline's score per benchmark (empty in reports before schema version 2).
    #[serde(default)]
    pub scores: Vec<BenchmarkScore>,
}

/// One benchmark's score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BenchmarkScore {
    pub id: String,
    pub score: i64,
}

impl DiffBase {
    /// "score 12", or "scores cis-docker-1.6.0 12, dockbench-practices -3".
    pub fn scores_text(&self) -> String {
        match self.scores.as_slice() {
            [_, _, ..] => {
                let each: Vec<String> = self
                    .scores
                    .iter()
                    .map(|s| format!("{} {}", s.id, s.score))
                    .collect();
                format!("scores {}", each.join(", "))
            }
            _ => format!("score {}", self.combined_score),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Diff {
    /// The older report.
    pub baseline: DiffBase,
    pub counts: DiffCounts,
    /// Open now, not in the baseline.
    pub new: Vec<DiffEntry>,
    /// Open in the baseline, not now.
    pub resolved: Vec<DiffEntry>,
    /// Open in both (values as they are now).
    pub unchanged: Vec<DiffEntry>,
    /// Checks left out of the comparison: in only one of the reports, or ERROR or SKIP in either.
    #[serde(default)]
    pub not_compared: Vec<String>,
}
