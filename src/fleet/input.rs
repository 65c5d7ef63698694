//! What the fleet layer reads of one host's JSON report: identity, time, and per check its
//! status, severity and how many objects it found — not the evidence texts, which a fleet view
//! does not show and which make up most of a report's bytes (parsing only these keeps a merge
//! of 1,000 reports within seconds).
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::report::{Report, Severity, Status};

/// One host's report as the fleet sees it. Field names are the Report JSON's; schema versions
/// 1 (no severity, no per-result benchmark) and later read alike.
#[derive(Debug, Clone, Deserialize)]
pub struct HostReport {
    pub schema_version: u32,
    #[serde(default)]
    pub benchmark: Bench,
    #[serde(default)]
    pub benchmarks: Vec<Bench>,
    #[serde(default)]
    pub source: Source,
    #[serde(default)]
    pub host: crate::report::HostInfo,
    #[serde(default)]
    pub started_at: String,
    #[serde(default)]
    pub finished_at: String,
    #[serde(default)]
    pub containers_scanned: usize,
    #[serde(default)]
    pub images_scanned: usize,
    #[serde(default)]
    pub sections: Vec<Section>,
    pub results: Vec<HostResult>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Bench {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Source {
    /// "live", "root" or "snapshot".
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub location: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Section {
    pub id: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HostResult {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub section_title: String,
    #[serde(default)]
    pub scored: bool,
    pub status: Status,
    /// None in reports written before checks had one (schema version 1).
    #[serde(default)]
    pub severity: Option<Severity>,
    /// The benchmark the check belongs to, when the report says (reports of several
    /// benchmarks); None: the report's only benchmark.
    #[serde(default)]
    pub benchmark: Option<String>,
    /// Offending objects: only their number is kept.
    #[serde(default, deserialize_with = "count")]
    pub findings: usize,
}

fn count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    Ok(Vec::<IgnoredAny>::deserialize(d)?.len())
}

impl HostReport {
    /// The fleet's view of a full Report (a snapshot evaluated by `merge`).
    pub fn of(r: &Report) -> HostReport {
        let bench = |b: &crate::report::BenchmarkInfo| Bench {
            id: b.id.clone(),
            title: b.title.clone(),
            version: b.version.clone(),
        };
        HostReport {
            schema_version: r.schema_version,
            benchmark: bench(&r.benchmark),
            benchmarks: r.benchmarks.iter().map(bench).collect(),
            source: Source {
                mode: r.source.mode.to_string(),
                location: r.source.location.clone(),
            },
            host: r.host.clone(),
            started_at: r.started_at.clone(),
            finished_at: r.finished_at.clone(),
            containers_scanned: r.containers_scanned,
            images_scanned: r.images_scanned,
            sections: r
                .section_list()
                .into_iter()
                .map(|(id, title)| Section {
                    id: id.into(),
                    title: title.into(),
                })
                .collect(),
            results: r
                .results
                .iter()
                .map(|c| HostResult {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    section: c.section.clone(),
                    section_title: c.section_title.clone(),
                    scored: c.scored,
                    status: c.status,
                    severity: c.severity,
                    benchmark: Some(c.benchmark.clone()),
                    findings: c.findings.len(),
                })
                .collect(),
        }
    }
}
