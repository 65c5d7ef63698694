//! docker-bench-security's JSON log layout, so its consumers (dashboards, `jq '.score'` gates)
//! keep working. Top level: `dockerbenchsecurity`, `start`, `tests`, `checks`, `score`, `end`;
//! a section: `id`, `desc`, `results`; a result: `id`, `desc`, `result`, and optionally
//! `details`, `items`, `remediation`, `remediation-impact`.
//!
//! Status mapping (docker-bench-security only knows PASS, WARN, INFO and NOTE):
//!
//! | dockbench | docker-bench | details |
//! |---|---|---|
//! | PASS | PASS | the reason |
//! | WARN | WARN | `<reason>: <objects>`, `items` = object names |
//! | INFO | INFO | as WARN |
//! | NOTE | NOTE | what to review |
//! | SKIP | INFO | `Not applicable: <reason>` |
//! | ERROR | INFO | `Could not evaluate: <reason>` (like its "File not found" INFO lines) |
//! | WAIVED | INFO | `Waived: <reason>` |
//!
//! `desc` is the title followed by the CIS assessment, `(Automated)` or `(Manual)`, as the
//! reference tool prints it. Only one benchmark's results are written, the CIS benchmark's when the run
//! has one. `checks` is the number of its results, `score` ours (the same formula:
//! +1 per scored PASS, −1 per scored WARN). `start`/`end` are Unix seconds (0 when the report's
//! timestamps cannot be read). `remediation` and `remediation-impact` are given for every result
//! other than PASS (the reference tool does so with `-p`). `dockerbenchsecurity` carries
//! dockbench's version.
use serde::Serialize;

use super::{CheckResult, Report, Status};
use crate::results::Assessment;

/// The log; fields in the order the reference tool writes them.
#[derive(Debug, Serialize)]
pub struct Log {
    pub dockerbenchsecurity: String,
    pub start: i64,
    pub tests: Vec<Section>,
    pub checks: usize,
    pub score: i64,
    pub end: i64,
}

#[derive(Debug, Serialize)]
pub struct Section {
    pub id: String,
    pub desc: String,
    pub results: Vec<Result>,
}

#[derive(Debug, Serialize)]
pub struct Result {
    pub id: String,
    pub desc: String,
    pub result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    #[serde(rename = "remediation-impact", skip_serializing_if = "Option::is_none")]
    pub remediation_impact: Option<String>,
}

pub fn result_string(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Info | Status::Skip | Status::Error | Status::Waived => "INFO",
        Status::Note => "NOTE",
    }
}

fn epoch(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

fn result(r: &CheckResult) -> Result {
    let desc = match r.assessment {
        Some(Assessment::Automated) => format!("{} (Automated)", r.title),
        Some(Assessment::Manual) => format!("{} (Manual)", r.title),
        None => r.title.clone(),
    };
    let objects = if r.findings.is_empty() {
        &r.exceptions
    } else {
        &r.findings
    };
    let details = match r.status {
        Status::Skip => format!("Not applicable: {}", r.reason),
        Status::Error => format!("Could not evaluate: {}", r.reason),
        Status::Waived => format!("Waived: {}", r.reason),
        _ => r.reason.clone(),
    };
    let (details, items) = if matches!(r.status, Status::Warn | Status::Info) && !objects.is_empty()
    {
        // The reference tool's "<label>: <list>", the list starting with a space.
        let names: Vec<String> = objects.iter().map(|f| f.object.clone()).collect();
        (
            Some(format!("{details}:  {}", names.join(" "))),
            Some(names),
        )
    } else if r.status == Status::Waived && !r.waived.is_empty() {
        let names: Vec<String> = r.waived.iter().map(|w| w.finding.object.clone()).collect();
        (
            Some(format!("{details}:  {}", names.join(" "))),
            Some(names),
        )
    } else {
        ((!details.is_empty()).then_some(details), None)
    };
    let not_pass = r.status != Status::Pass;
    Result {
        id: r.id.clone(),
        desc,
        result: result_string(r.status),
        details,
        items,
        remediation: not_pass.then(|| r.remediation.clone()),
        remediation_impact: (not_pass && !r.impact.is_empty()).then(|| r.impact.clone()),
    }
}

pub fn log(report: &Report) -> Log {
    // One benchmark, as docker-bench-security runs one: its sections, results, count and
    // score agree (a CIS + practices run gives the CIS part).
    let (bench, score) = cis_benchmark(report);
    let ours = |r: &&CheckResult| bench.is_none_or(|b| r.benchmark == b);
    let sections = report.section_list();
    Log {
        dockerbenchsecurity: report.tool_version.clone(),
        start: epoch(&report.started_at),
        tests: sections
            .into_iter()
            .map(|(id, desc)| Section {
                results: report
                    .results
                    .iter()
                    .filter(ours)
                    .filter(|r| r.section == id)
                    .map(result)
                    .collect(),
                id: id.to_string(),
                desc: desc.to_string(),
            })
            .filter(|s| !s.results.is_empty())
            .collect(),
        checks: report.results.iter().filter(ours).count(),
        score,
        end: epoch(&report.finished_at),
    }
}

/// The benchmark docker-bench-security's consumers (`jq .score` gates) read, and its score:
/// the CIS benchmark's own, not a sum with dockbench's practices. Without a CIS benchmark in
/// the run, the first benchmark's; `None` (every result, the combined score) for a report
/// without per-benchmark scores.
fn cis_benchmark(report: &Report) -> (Option<&str>, i64) {
    let b = &report.summary.benchmarks;
    match b.iter().find(|b| b.id.starts_with("cis-")).or(b.first()) {
        Some(b) => (Some(b.id.as_str()), b.score),
        None => (None, report.summary.combined_score),
    }
}

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&log(report)).expect("JSON serialises");
    s.push('\n');
    s
}
