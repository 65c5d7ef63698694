//! Assembles the Report of one evaluation from the benchmarks, the snapshot and the results.
use crate::results::{
    BenchmarkInfo, CheckResult, HostInfo, Report, SCHEMA_VERSION, Summary, Timings,
};

impl Report {
    /// Assembles the report of one evaluation.
    pub fn new(
        benches: &[super::Benchmark],
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
            // A clone has no daemon to ask: the version its packages record. Podman's own
            // version is its "Podman Engine" component's (Target.Version), not the top-level
            // one of its Docker-compatible answer.
            docker_version: match &snap.daemon.Target {
                t if t.Engine == "Podman" && !t.Version.is_empty() => t.Version.clone(),
                _ => version
                    .map(|v| v.Version.clone())
                    .unwrap_or_else(|| snap.host.InstalledDockerVersion.clone()),
            },
            api_version: version.map(|v| v.ApiVersion.clone()).unwrap_or_default(),
            machine_id: snap.host.MachineId.clone(),
            engine_id: info.map(|i| i.ID.clone()).unwrap_or_default(),
            engine_name: info.map(|i| i.Name.clone()).unwrap_or_default(),
            label: snap.host.Label.clone(),
            target: snap.daemon.Target.summary(),
            engine: snap.daemon.Target.Engine.clone(),
            image_store: snap.daemon.Target.ImageStore.clone(),
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
}
