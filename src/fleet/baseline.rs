//! `merge --baseline OLD-FLEET.json`: hosts and findings new or resolved since an older fleet
//! report. A fleet finding is a host × check that is WARN; object-level changes within one
//! host are `dockbench diff` of that host's two reports.
use std::collections::HashSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Fleet;
use crate::report::Status;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FleetDiff {
    /// The older report's `generated_at`.
    pub baseline_generated_at: String,
    /// Hosts in this report only.
    pub new_hosts: Vec<String>,
    /// Hosts in the older report only.
    pub gone_hosts: Vec<String>,
    /// Host × check WARN now, not then (hosts in both reports only).
    pub new_findings: Vec<FleetFinding>,
    /// Host × check WARN then, not now (hosts in both reports only).
    pub resolved_findings: Vec<FleetFinding>,
}

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub struct FleetFinding {
    pub host: String,
    pub check: String,
}

fn warn_set(f: &Fleet, hosts: &HashSet<&str>) -> HashSet<FleetFinding> {
    f.hosts
        .iter()
        .filter(|h| hosts.contains(h.name.as_str()))
        .flat_map(|h| {
            h.failing
                .iter()
                .filter(|c| c.status == Status::Warn)
                .map(|c| FleetFinding {
                    host: h.name.clone(),
                    check: c.id.clone(),
                })
        })
        .collect()
}

/// What changed from `old` to `new`; hosts are matched by name.
pub fn diff(old: &Fleet, new: &Fleet) -> FleetDiff {
    let old_names: HashSet<&str> = old.hosts.iter().map(|h| h.name.as_str()).collect();
    let new_names: HashSet<&str> = new.hosts.iter().map(|h| h.name.as_str()).collect();
    let both: HashSet<&str> = old_names.intersection(&new_names).copied().collect();
    let mut new_hosts: Vec<String> = new_names
        .difference(&old_names)
        .map(|s| s.to_string())
        .collect();
    let mut gone_hosts: Vec<String> = old_names
        .difference(&new_names)
        .map(|s| s.to_string())
        .collect();
    new_hosts.sort();
    gone_hosts.sort();
    let before = warn_set(old, &both);
    let after = warn_set(new, &both);
    let mut new_findings: Vec<FleetFinding> = after.difference(&before).cloned().collect();
    let mut resolved_findings: Vec<FleetFinding> = before.difference(&after).cloned().collect();
    new_findings.sort();
    resolved_findings.sort();
    FleetDiff {
        baseline_generated_at: old.generated_at.clone(),
        new_hosts,
        gone_hosts,
        new_findings,
        resolved_findings,
    }
}
