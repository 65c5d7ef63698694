//! Report model and one renderer per format.
pub mod csv;
pub mod diff;
pub mod docker_bench;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod prometheus;
pub mod sarif;
pub mod text;
pub mod view;

pub use model::*;

use clap::ValueEnum;

/// Output formats (`--format`, `--output FORMAT=PATH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Terminal report grouped by section.
    Text,
    /// The Report as JSON (schema_version 1; `dockbench schema` prints its JSON Schema).
    Json,
    /// One self-contained HTML page: summary, filter, search, print to PDF.
    Html,
    /// SARIF 2.1.0 for code scanning (one rule per check, one result per offending object).
    Sarif,
    /// JUnit XML: a testsuite per section, a testcase per check.
    Junit,
    /// CSV: one row per check and offending object (for spreadsheets).
    Csv,
    /// Markdown: summary table and the non-passing checks (wikis, merge requests).
    Markdown,
    /// docker-bench-security's JSON log layout, for its consumers.
    DockerBench,
    /// Prometheus text format for node_exporter's textfile collector.
    Prometheus,
}

impl Format {
    /// The name on the command line (`docker-bench` for DockerBench).
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Html => "html",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::DockerBench => "docker-bench",
            Format::Prometheus => "prometheus",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        <Format as ValueEnum>::from_str(s, true).map_err(|_| {
            let names: Vec<&str> = Format::value_variants().iter().map(|f| f.name()).collect();
            format!(
                "unknown format '{s}' (expected one of: {})",
                names.join(", ")
            )
        })
    }
}

/// Renders a report in one format. `color` only matters for text.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        // Scanned strings reach a terminal here: escaped at this boundary (see `term`).
        Format::Text => text::render(&crate::term::safe_copy(report), color),
        Format::Json => json::render(report),
        Format::Html => html::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Csv => csv::render(report),
        Format::Markdown => markdown::render(report),
        Format::DockerBench => docker_bench::render(report),
        Format::Prometheus => prometheus::render(report),
    }
}

impl Report {
    /// Assembles the report of one evaluation.
    pub fn new(
        benches: &[crate::engine::Benchmark],
        snap: &crate::snapshot::Snapshot,
        results: Vec<CheckResult>,
        timings: Timings,
    ) -> Report {
        let info = snap.daemon.Info.as_ref();
        let version = snap.daemon.Version.as_ref();
        let host = HostInfo {
            hostname: snap.host.Hostname.clone(),
            operating_system: snap.host.OperatingSystem.clone(),
            kernel: snap.host.KernelVersion.clone(),
            docker_version: version.map(|v| v.Version.clone()).unwrap_or_default(),
            api_version: version.map(|v| v.ApiVersion.clone()).unwrap_or_default(),
            machine_id: snap.host.MachineId.clone(),
            engine_id: info.map(|i| i.ID.clone()).unwrap_or_default(),
            engine_name: info.map(|i| i.Name.clone()).unwrap_or_default(),
            label: snap.host.Label.clone(),
        };
        let sections = benches
            .iter()
            .flat_map(|b| &b.def.sections)
            .filter(|s| results.iter().any(|r| r.section == s.id))
            .cloned()
            .collect();
        let infos: Vec<BenchmarkInfo> = benches
            .iter()
            .map(|b| BenchmarkInfo {
                id: b.def.id.clone(),
                title: b.def.title.clone(),
                version: b.def.version.clone(),
            })
            .collect();
        let benchmark = match infos.as_slice() {
            [one] => one.clone(),
            many => BenchmarkInfo {
                id: many
                    .iter()
                    .map(|b| b.id.as_str())
                    .collect::<Vec<_>>()
                    .join("+"),
                title: many
                    .iter()
                    .map(|b| format!("{} {}", b.title, b.version))
                    .collect::<Vec<_>>()
                    .join(" + "),
                version: String::new(),
            },
        };
        let summary = Summary::of(&results);
        Report {
            schema_version: SCHEMA_VERSION,
            tool: "dockbench".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            benchmark,
            benchmarks: infos,
            source: snap.source.clone(),
            host,
            started_at: snap.started_at.clone(),
            finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            timings,
            all_containers: snap.all_containers,
            containers_scanned: snap.containers.len(),
            images_scanned: snap.images.len(),
            notes: snap.notes.clone(),
            sections,
            results,
            summary,
            filtered: None,
            waivers: None,
            baseline: None,
        }
    }

    /// (id, title) of each section: as the report lists them, then any section a result names
    /// that is not listed (a custom check in a section of its own).
    pub fn section_list(&self) -> Vec<(&str, &str)> {
        let mut sections: Vec<(&str, &str)> = self
            .sections
            .iter()
            .map(|s| (s.id.as_str(), s.title.as_str()))
            .collect();
        for r in &self.results {
            if !sections.iter().any(|(id, _)| *id == r.section) {
                sections.push((&r.section, &r.section_title));
            }
        }
        sections
    }
}
