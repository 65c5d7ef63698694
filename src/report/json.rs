//! The Report as JSON (documented in the README; `schema_version` guards changes).
use super::Report;

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("report serialises");
    s.push('\n');
    s
}

/// Reads a saved JSON report back: the current schema version, or an older one, upgraded on
/// the way in — version 1 (written before severities and per-benchmark scores) and version 2
/// (before typed object kinds, file paths and an exception status in every report).
pub fn parse(text: &str) -> Result<Report, String> {
    let mut raw: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let version = match raw.get("schema_version").and_then(|v| v.as_u64()) {
        Some(v) if (1..=super::SCHEMA_VERSION as u64).contains(&v) => v,
        Some(v) => {
            return Err(format!(
                "report schema version {v} is not supported (this dockbench reads 1 to {})",
                super::SCHEMA_VERSION
            ));
        }
        None => return Err("not a dockbench JSON report: no \"schema_version\"".into()),
    };
    if version == 1
        && let Some(summary) = raw.get_mut("summary").and_then(|s| s.as_object_mut())
    {
        // Recomputed below from the results; only the field names must fit for now.
        if let Some(score) = summary.remove("score") {
            summary.insert("combined_score".into(), score);
        }
        summary
            .entry("benchmarks")
            .or_insert(serde_json::Value::Array(Vec::new()));
    }
    let mut report: Report =
        serde_json::from_value(raw).map_err(|e| format!("not a dockbench JSON report: {e}"))?;
    if version == 1 {
        upgrade_v1(&mut report);
    }
    if version < 3 {
        type_exceptions(&mut report);
        // Findings of version 2 name no file; they stay on the host they were found on.
        report.schema_version = super::SCHEMA_VERSION;
    }
    Ok(report)
}

/// Reports written before every exception had a typed `status` (version 1, and version 2
/// as dockbench wrote it before exceptions were typed) carry it only as the text of `value` (`SKIP: …`, `ERROR: …`; a host or
/// daemon check's ERROR: the bare reason). Read once here, for those versions only, so
/// nothing downstream parses text; a SKIP naming the offline phrase was a fact an offline
/// scan cannot have.
fn type_exceptions(report: &mut Report) {
    use crate::results::Status;
    use crate::snapshot::ScanMode;
    for r in &mut report.results {
        for e in r.exceptions.iter_mut().filter(|e| e.status.is_none()) {
            let (status, reason) = if let Some(why) = e.value.strip_prefix("SKIP: ") {
                (Status::Skip, why)
            } else if let Some(why) = e.value.strip_prefix("ERROR: ") {
                (Status::Error, why)
            } else {
                (Status::Error, e.value.as_str())
            };
            e.not_in_mode = (status == Status::Skip && reason.contains(ScanMode::Offline.phrase()))
                .then_some(ScanMode::Offline);
            e.reason = reason.to_string();
            e.status = Some(status);
        }
    }
}

/// Version 1 results have no benchmark and no severity: both come from the embedded
/// benchmarks the report names (a check of none of them — a custom one — keeps the report's
/// first benchmark and no severity). The summary is then recomputed per benchmark, with the
/// same rule version 1 used for its one score.
fn upgrade_v1(report: &mut Report) {
    let names: Vec<String> = if report.benchmarks.is_empty() {
        vec![report.benchmark.id.clone()]
    } else {
        report.benchmarks.iter().map(|b| b.id.clone()).collect()
    };
    let env = crate::engine::cel_env();
    let loaded: Vec<crate::engine::Benchmark> = names
        .iter()
        .filter_map(|id| crate::engine::load_embedded(id, &env).ok())
        .collect();
    for r in &mut report.results {
        let found = loaded
            .iter()
            .find_map(|b| b.checks.iter().find(|c| c.def.id == r.id));
        match found {
            Some(c) => {
                r.benchmark = c.benchmark.to_string();
                if r.severity.is_none() {
                    r.severity = Some(c.def.severity);
                    r.severity_rationale = c.def.severity_rationale.trim().to_string();
                }
            }
            None if r.benchmark.is_empty() => r.benchmark = names[0].clone(),
            None => {}
        }
    }
    report.summary = super::Summary::of(&report.results);
    // Its content is now that of the current version: written back, it says so.
    report.schema_version = super::SCHEMA_VERSION;
}

/// Reads a saved JSON report (`-` = standard input); the message names the file.
pub fn read(input: &std::path::Path) -> Result<super::Report, String> {
    let text = if input.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| format!("cannot read standard input: {e}"))?
    } else {
        crate::output::read_input(input)
            .map_err(|e| format!("cannot read report {}: {e}", input.display()))?
    };
    parse(&text).map_err(|e| format!("{}: {e}", input.display()))
}
