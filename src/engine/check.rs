//! The data form of a check, as written in `checks/<benchmark>/*.toml`.
use std::collections::BTreeMap;

use serde::Deserialize;

pub use crate::results::{
    Assessment, Evaluation, FindingStatus, Level, Scope, SectionDef, Severity,
};

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
    /// Another benchmark whose checks this one inherits (versions share check logic).
    #[serde(default)]
    pub extends: Option<String>,
    /// Inherited check ids that this version numbers differently (old id → new id).
    #[serde(default)]
    pub renumber: BTreeMap<String, String>,
    /// Per-check changes to inherited checks: `id` plus the fields that differ.
    #[serde(rename = "override", default)]
    pub overrides: Vec<toml::Table>,
    /// Inherited from the parent when empty.
    #[serde(rename = "section", default)]
    pub sections: Vec<SectionDef>,
    /// Thresholds and other settings checks read as `params.NAME`; merged over the
    /// parent's when the benchmark `extends` another.
    #[serde(default)]
    pub params: toml::Table,
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
    /// How bad a finding is (ours; CIS rates none): required.
    pub severity: Severity,
    /// One line: why this severity (shown by `checks show` and in the reports).
    pub severity_rationale: String,
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
    /// CEL, string: a non-empty result means the check cannot apply here → SKIP with that
    /// reason (evaluated after `unknown`, for reasons that depend on the facts).
    #[serde(default)]
    pub not_applicable: Option<String>,
    /// CEL, list of file facts (objects with `Path`: `host.Files['daemon.json']`, a unit
    /// with its `DropIns`, `host.RegistryCerts`), host and daemon checks only: the check is
    /// about these files. `finding`, `info_when`, `evidence` and `pass_evidence` then run
    /// once per file, bound as `f`; each offending file is a finding of kind `file` located
    /// at its path (SARIF points at the file), and the reason lists every offender's evidence
    /// (joined with ", "). Evaluated after `unknown`, `not_applicable` and `applies`.
    #[serde(default)]
    pub files: Option<String>,
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
    /// CEL, bool: when true, this finding is reported as INFO instead (e.g. 1.1.2 lists the
    /// docker group as INFO until trusted users are configured, then WARNs on the others).
    #[serde(default)]
    pub info_when: Option<String>,
    /// For manual evaluation: what the reviewer should look at.
    #[serde(default)]
    pub review: String,
}

impl CheckDef {
    /// Does any expression of the check mention `name` (a fact such as `DiskUsage`)? Lets a
    /// scan leave out costly facts no selected check reads.
    pub fn reads(&self, name: &str) -> bool {
        [
            &self.applies,
            &self.unknown,
            &self.not_applicable,
            &self.files,
            &self.finding,
            &self.evidence,
            &self.pass_evidence,
            &self.info_when,
        ]
        .into_iter()
        .flatten()
        .any(|expr| expr.contains(name))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_finds_facts_in_any_expression() {
        let def: CheckDef = toml::from_str(
            r#"
id = "X.1"
title = "t"
level = "1"
description = "d"
remediation = "r"
scope = "daemon"
severity = "low"
severity_rationale = "test"
unknown = "daemon.Info == null ? 'no info' : ''"
finding = "daemon.DiskUsage.TotalBytes > 0"
"#,
        )
        .unwrap();
        assert!(def.reads("DiskUsage"));
        assert!(def.reads("Info"));
        assert!(!def.reads("SizeRw"));
    }
}
