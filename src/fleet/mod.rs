//! The fleet layer: many hosts' reports merged into one fleet report. Pure: the caller reads
//! the files (`cli/merge.rs`) and hands over each host's [`input::HostReport`]; nothing here
//! does I/O. The fleet JSON is versioned (`fleet_schema_version`, schema in
//! `docs/fleet.schema.json`).
//!
//! A host is its (label, hostname, machine-id) — machine-id, else engine ID, when the
//! report has none: several reports of one host keep the newest (by `finished_at`), the others
//! are listed as superseded. Two hosts that share a machine-id or an engine ID are clones of
//! one VM image (or one Docker data root copied): both stay, flagged, never merged into one.
pub mod baseline;
pub mod input;
pub mod render;

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::{Counts, Severity, Status};
use crate::scan::FailOn;
use input::HostReport;

/// Bumped on any incompatible change of the fleet JSON.
pub const FLEET_SCHEMA_VERSION: u32 = 1;

/// The fleet report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Fleet {
    pub fleet_schema_version: u32,
    pub tool: String,
    pub tool_version: String,
    /// When the merge ran (RFC 3339, UTC).
    pub generated_at: String,
    /// `--stale DAYS`: hosts whose newest report is older are flagged `stale`.
    #[serde(default)]
    pub stale_days: Option<f64>,
    /// The policy applied per host (`--fail-on`, `--min-score`), as given.
    #[serde(default)]
    pub policy: Policy,
    pub summary: FleetSummary,
    /// Every section any host's report has, in benchmark order: the heat map's columns.
    pub sections: Vec<SectionRef>,
    /// One row per host, worst first (most critical, high, medium, low findings, then WARN and
    /// ERROR counts, then the lower score).
    pub hosts: Vec<FleetHost>,
    /// Every check any host ran, most failed first (hosts with WARN, then severity, then ERROR).
    pub checks: Vec<FleetCheck>,
    /// `--inventory` names with no report.
    pub missing: Vec<String>,
    /// Hosts sharing a machine-id or engine ID.
    pub clones: Vec<CloneGroup>,
    /// Older reports of a host that has a newer one: not merged.
    pub superseded: Vec<Superseded>,
    /// Inputs that were not host reports (a fleet report among the inputs), with the reason.
    #[serde(default)]
    pub skipped_inputs: Vec<SkippedInput>,
    /// Comparison with an older fleet report (`--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<baseline::FleetDiff>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Policy {
    /// INFO, WARN or ERROR: a host with a result at or above it fails.
    pub fail_on: Option<String>,
    /// A host whose total score is below it fails.
    pub min_score: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FleetSummary {
    /// Hosts merged (one row each).
    pub hosts: usize,
    /// Host reports read (snapshots evaluated included).
    pub reports: usize,
    pub superseded: usize,
    pub stale: usize,
    pub missing: usize,
    /// Hosts in a clone group.
    pub clones: usize,
    /// Hosts failing the policy (0 when no policy is given).
    pub policy_failed: usize,
    /// Hosts with at least one WARN.
    pub hosts_with_findings: usize,
    /// Results of every host, per status.
    pub counts: Counts,
    /// WARN results of every host, per severity.
    pub severity: SeverityCounts,
}

/// WARN results per severity of their check; `unrated`: checks without a severity (reports
/// written before checks had one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub unrated: usize,
}

impl SeverityCounts {
    fn bump(&mut self, severity: Option<Severity>) {
        match severity {
            Some(Severity::Critical) => self.critical += 1,
            Some(Severity::High) => self.high += 1,
            Some(Severity::Medium) => self.medium += 1,
            Some(Severity::Low) => self.low += 1,
            None => self.unrated += 1,
        }
    }
    fn add(&mut self, o: &SeverityCounts) {
        self.critical += o.critical;
        self.high += o.high;
        self.medium += o.medium;
        self.low += o.low;
        self.unrated += o.unrated;
    }
}

/// Rank of a severity for sorting: critical 0 … low 3, none 4.
pub fn severity_rank(severity: Option<Severity>) -> u8 {
    match severity {
        Some(Severity::Critical) => 0,
        Some(Severity::High) => 1,
        Some(Severity::Medium) => 2,
        Some(Severity::Low) => 3,
        None => 4,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SectionRef {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FleetHost {
    /// Unique in this fleet report: the host label, else the hostname (with the machine-id's
    /// first 8 characters when two hosts would share it).
    pub name: String,
    pub hostname: String,
    /// `--host-label` of the scan ("" when none).
    pub label: String,
    pub machine_id: String,
    pub engine_id: String,
    pub operating_system: String,
    pub docker_version: String,
    /// How the report was made: live, root or snapshot (a snapshot evaluated by `merge` says
    /// snapshot).
    pub mode: String,
    /// When the host's scan finished (RFC 3339), as its report says.
    pub finished_at: String,
    /// Days between `finished_at` and the merge; None when the time cannot be read.
    pub age_days: Option<f64>,
    /// The input file.
    pub source: String,
    /// The host's own HTML report, relative to the fleet HTML when it can be, else as found.
    #[serde(default)]
    pub report_html: Option<String>,
    pub containers_scanned: usize,
    pub images_scanned: usize,
    /// Total over the host's benchmarks.
    pub score: i64,
    pub counts: Counts,
    pub severity: SeverityCounts,
    pub benchmarks: Vec<HostBenchmark>,
    /// Per section: WARN and ERROR counts and the number of checks (heat map cells).
    pub sections: Vec<SectionCell>,
    /// The host's WARN and ERROR checks, in report order.
    pub failing: Vec<HostCheck>,
    /// Newest report older than `--stale DAYS` (or of unknown time).
    pub stale: bool,
    /// Names of the other hosts sharing this one's machine-id or engine ID.
    pub clone_of: Vec<String>,
    /// Breaks `--fail-on`/`--min-score`.
    pub policy_failed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HostBenchmark {
    pub id: String,
    pub title: String,
    pub version: String,
    /// +1 per scored PASS, −1 per scored WARN, as in the host's report.
    pub score: i64,
    pub counts: Counts,
    pub severity: SeverityCounts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SectionCell {
    pub id: String,
    pub warn: usize,
    pub error: usize,
    pub checks: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HostCheck {
    pub id: String,
    pub status: Status,
    pub severity: Option<Severity>,
    /// Offending objects the check listed (containers, images, files).
    pub objects: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FleetCheck {
    pub id: String,
    pub title: String,
    pub section: String,
    pub severity: Option<Severity>,
    /// Hosts where the check is WARN.
    pub hosts_failing: usize,
    /// Hosts where it is ERROR (could not be evaluated).
    pub hosts_error: usize,
    /// Hosts that ran it.
    pub hosts_run: usize,
    /// Offending objects over all hosts.
    pub objects: usize,
    /// Names of the hosts where it is WARN, worst host first.
    pub failing: Vec<String>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum IdKind {
    MachineId,
    EngineId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CloneGroup {
    pub kind: IdKind,
    pub value: String,
    pub hosts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Superseded {
    pub host: String,
    pub source: String,
    pub finished_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SkippedInput {
    pub source: String,
    pub reason: String,
}

/// One host report with where it came from.
#[derive(Debug, Clone)]
pub struct Input {
    pub report: HostReport,
    /// The file it was read from (shown, and the key of superseded reports).
    pub source: String,
    /// Link to the host's own HTML report, if there is one.
    pub report_html: Option<String>,
}

/// How to merge.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub stale_days: Option<f64>,
    /// `--inventory`: the host names expected.
    pub inventory: Option<Vec<String>>,
    pub fail_on: Option<FailOn>,
    pub min_score: Option<i64>,
}

/// Merges the host reports as of `now`. `skipped`: inputs the caller did not read as host
/// reports, listed in the result.
pub fn merge(
    inputs: Vec<Input>,
    skipped: Vec<SkippedInput>,
    opts: &Options,
    now: chrono::DateTime<chrono::Utc>,
) -> Fleet {
    let reports = inputs.len();
    // Newest report per host identity.
    let mut latest: HashMap<(String, String, String), Input> = HashMap::new();
    let mut superseded_inputs = Vec::new();
    for input in inputs {
        let h = &input.report.host;
        let id = if h.machine_id.is_empty() {
            h.engine_id.clone()
        } else {
            h.machine_id.clone()
        };
        let key = (h.label.clone(), h.hostname.clone(), id);
        match latest.get_mut(&key) {
            Some(kept) => {
                let newer = (input.report.finished_at.as_str(), input.source.as_str())
                    > (kept.report.finished_at.as_str(), kept.source.as_str());
                let old = if newer {
                    std::mem::replace(kept, input)
                } else {
                    input
                };
                superseded_inputs.push(old);
            }
            None => {
                latest.insert(key, input);
            }
        }
    }
    let mut kept: Vec<Input> = latest.into_values().collect();
    kept.sort_by(|a, b| a.source.cmp(&b.source));
    let names = unique_names(&kept);

    let mut sections: Vec<SectionRef> = Vec::new();
    let mut hosts: Vec<FleetHost> = kept
        .iter()
        .zip(&names)
        .map(|(input, name)| host_row(input, name, opts, now, &mut sections))
        .collect();

    // Clones: hosts sharing a machine-id or an engine ID.
    let mut clones = Vec::new();
    for kind in [IdKind::MachineId, IdKind::EngineId] {
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, h) in hosts.iter().enumerate() {
            let v = match kind {
                IdKind::MachineId => h.machine_id.as_str(),
                IdKind::EngineId => h.engine_id.as_str(),
            };
            if !v.is_empty() {
                groups.entry(v).or_default().push(i);
            }
        }
        for (value, members) in groups.into_iter().filter(|(_, m)| m.len() > 1) {
            clones.push(CloneGroup {
                kind,
                value: value.to_string(),
                hosts: members.iter().map(|&i| hosts[i].name.clone()).collect(),
            });
        }
    }
    for g in &clones {
        for h in hosts.iter_mut().filter(|h| g.hosts.contains(&h.name)) {
            for other in g.hosts.iter().filter(|o| **o != h.name) {
                if !h.clone_of.contains(other) {
                    h.clone_of.push(other.clone());
                }
            }
        }
    }

    hosts.sort_by(|a, b| {
        worst_first(a)
            .cmp(&worst_first(b))
            .then(a.name.cmp(&b.name))
    });
    let checks = check_rows(&kept, &names, &hosts);

    let missing = match &opts.inventory {
        Some(inv) => inv
            .iter()
            .filter(|n| !hosts.iter().any(|h| &h.label == *n || &h.hostname == *n))
            .cloned()
            .collect(),
        None => Vec::new(),
    };

    let mut superseded: Vec<Superseded> = superseded_inputs
        .into_iter()
        .map(|i| Superseded {
            host: display_base(&i.report),
            source: i.source,
            finished_at: i.report.finished_at,
        })
        .collect();
    superseded.sort_by(|a, b| (&a.host, &a.source).cmp(&(&b.host, &b.source)));

    let mut summary = FleetSummary {
        hosts: hosts.len(),
        reports,
        superseded: superseded.len(),
        stale: hosts.iter().filter(|h| h.stale).count(),
        missing: missing.len(),
        clones: hosts.iter().filter(|h| !h.clone_of.is_empty()).count(),
        policy_failed: hosts.iter().filter(|h| h.policy_failed).count(),
        hosts_with_findings: hosts.iter().filter(|h| h.counts.warn > 0).count(),
        ..FleetSummary::default()
    };
    for h in &hosts {
        add_counts(&mut summary.counts, &h.counts);
        summary.severity.add(&h.severity);
    }

    Fleet {
        fleet_schema_version: FLEET_SCHEMA_VERSION,
        tool: "dockbench".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        stale_days: opts.stale_days,
        policy: Policy {
            fail_on: opts.fail_on.map(|f| {
                match f {
                    FailOn::Info => "INFO",
                    FailOn::Warn => "WARN",
                    FailOn::Error => "ERROR",
                    FailOn::Critical => "critical",
                    FailOn::High => "high",
                    FailOn::Medium => "medium",
                    FailOn::Low => "low",
                }
                .to_string()
            }),
            min_score: opts.min_score,
        },
        summary,
        sections,
        hosts,
        checks,
        missing,
        clones,
        superseded,
        skipped_inputs: skipped,
        baseline: None,
    }
}

/// Label, else hostname (else the source file's name would be needed: "unknown").
fn display_base(r: &HostReport) -> String {
    if !r.host.label.is_empty() {
        r.host.label.clone()
    } else if !r.host.hostname.is_empty() {
        r.host.hostname.clone()
    } else {
        "unknown".into()
    }
}

/// Display names, unique: the base name, qualified by hostname and then by the machine-id's
/// (or engine ID's) start when several hosts share it.
fn unique_names(kept: &[Input]) -> Vec<String> {
    let base: Vec<String> = kept.iter().map(|i| display_base(&i.report)).collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for b in &base {
        *seen.entry(b.as_str()).or_default() += 1;
    }
    let mut names: Vec<String> = kept
        .iter()
        .zip(&base)
        .map(|(i, b)| {
            let h = &i.report.host;
            if seen[b.as_str()] == 1 {
                return b.clone();
            }
            let mut n = b.clone();
            if !h.label.is_empty() && !h.hostname.is_empty() && h.label != h.hostname {
                n = format!("{n} ({})", h.hostname);
            }
            n
        })
        .collect();
    // Still shared: add the identity's start.
    let mut count: HashMap<String, usize> = HashMap::new();
    for n in &names {
        *count.entry(n.clone()).or_default() += 1;
    }
    for (n, i) in names.iter_mut().zip(kept) {
        if count[n.as_str()] > 1 {
            let h = &i.report.host;
            let id = if h.machine_id.is_empty() {
                &h.engine_id
            } else {
                &h.machine_id
            };
            let short: String = id.chars().take(8).collect();
            *n = format!("{n} [{short}]");
        }
    }
    // Identical identities cannot reach here (one report per identity is kept), except an
    // identity shorter than 8 characters; number the rest.
    let mut used: HashMap<String, usize> = HashMap::new();
    for n in names.iter_mut() {
        let k = used.entry(n.clone()).or_default();
        *k += 1;
        if *k > 1 {
            *n = format!("{n} #{k}");
        }
    }
    names
}

fn add_counts(to: &mut Counts, from: &Counts) {
    to.pass += from.pass;
    to.warn += from.warn;
    to.info += from.info;
    to.note += from.note;
    to.skip += from.skip;
    to.error += from.error;
    to.waived += from.waived;
}

fn bump(c: &mut Counts, s: Status) {
    match s {
        Status::Pass => c.pass += 1,
        Status::Warn => c.warn += 1,
        Status::Info => c.info += 1,
        Status::Note => c.note += 1,
        Status::Skip => c.skip += 1,
        Status::Error => c.error += 1,
        Status::Waived => c.waived += 1,
    }
}

fn host_row(
    input: &Input,
    name: &str,
    opts: &Options,
    now: chrono::DateTime<chrono::Utc>,
    fleet_sections: &mut Vec<SectionRef>,
) -> FleetHost {
    let r = &input.report;
    let mut counts = Counts::default();
    let mut severity = SeverityCounts::default();
    let mut score = 0i64;
    let mut failing = Vec::new();
    // Benchmarks of the report, in order; results attributed by their own field, the
    // check → benchmark map, or to the only benchmark.
    let mut benches: Vec<HostBenchmark> = if r.benchmarks.is_empty() {
        vec![r.benchmark.clone()]
    } else {
        r.benchmarks.clone()
    }
    .into_iter()
    .map(|b| HostBenchmark {
        id: b.id,
        title: b.title,
        version: b.version,
        score: 0,
        counts: Counts::default(),
        severity: SeverityCounts::default(),
    })
    .collect();
    let mut cells: Vec<SectionCell> = Vec::new();
    for s in &r.sections {
        note_section(fleet_sections, &s.id, &s.title);
    }
    for res in &r.results {
        note_section(fleet_sections, &res.section, &res.section_title);
        bump(&mut counts, res.status);
        let points = match (res.scored, res.status) {
            (true, Status::Pass) => 1,
            (true, Status::Warn) => -1,
            _ => 0,
        };
        score += points;
        let sev = res.severity;
        if res.status == Status::Warn {
            severity.bump(sev);
        }
        let bench_id = res
            .benchmark
            .as_deref()
            .filter(|b| !b.is_empty())
            .map(str::to_string);
        let slot = match &bench_id {
            Some(id) => benches.iter().position(|b| &b.id == id),
            None => None,
        }
        .or(if benches.len() == 1 { Some(0) } else { None });
        let slot = match slot {
            Some(i) => i,
            None => {
                // A check no benchmark claims: its own bucket, never silently dropped.
                benches.push(HostBenchmark {
                    id: bench_id.unwrap_or_else(|| "unattributed".into()),
                    title: String::new(),
                    version: String::new(),
                    score: 0,
                    counts: Counts::default(),
                    severity: SeverityCounts::default(),
                });
                benches.len() - 1
            }
        };
        let b = &mut benches[slot];
        bump(&mut b.counts, res.status);
        b.score += points;
        if res.status == Status::Warn {
            b.severity.bump(sev);
        }
        let cell = match cells.iter_mut().position(|c| c.id == res.section) {
            Some(i) => &mut cells[i],
            None => {
                cells.push(SectionCell {
                    id: res.section.clone(),
                    warn: 0,
                    error: 0,
                    checks: 0,
                });
                cells.last_mut().expect("just pushed")
            }
        };
        cell.checks += 1;
        match res.status {
            Status::Warn => cell.warn += 1,
            Status::Error => cell.error += 1,
            _ => {}
        }
        if matches!(res.status, Status::Warn | Status::Error) {
            failing.push(HostCheck {
                id: res.id.clone(),
                status: res.status,
                severity: res.severity,
                objects: res.findings,
            });
        }
    }
    let age_days = chrono::DateTime::parse_from_rfc3339(&r.finished_at)
        .ok()
        .map(|t| (now - t.with_timezone(&chrono::Utc)).num_seconds() as f64 / 86_400.0);
    let stale = match opts.stale_days {
        Some(days) => age_days.is_none_or(|a| a > days),
        None => false,
    };
    let policy_failed = opts.fail_on.is_some_and(|level| {
        let n = match level {
            FailOn::Info => counts.info + counts.warn + counts.error,
            FailOn::Warn => counts.warn + counts.error,
            FailOn::Error => counts.error,
            // A severity: WARN checks rated at least that (as `scan --fail-on`).
            FailOn::Critical | FailOn::High | FailOn::Medium | FailOn::Low => {
                let min = level.severity();
                r.results
                    .iter()
                    .filter(|c| {
                        c.status == Status::Warn && c.severity.is_none_or(|s| Some(s) >= min)
                    })
                    .count()
            }
        };
        n > 0
    }) || opts.min_score.is_some_and(|m| score < m);
    FleetHost {
        name: name.to_string(),
        hostname: r.host.hostname.clone(),
        label: r.host.label.clone(),
        machine_id: r.host.machine_id.clone(),
        engine_id: r.host.engine_id.clone(),
        operating_system: r.host.operating_system.clone(),
        docker_version: r.host.docker_version.clone(),
        mode: r.source.mode.clone(),
        finished_at: r.finished_at.clone(),
        age_days: age_days.map(|a| (a * 100.0).round() / 100.0),
        source: input.source.clone(),
        report_html: input.report_html.clone(),
        containers_scanned: r.containers_scanned,
        images_scanned: r.images_scanned,
        score,
        counts,
        severity,
        benchmarks: benches,
        sections: cells,
        failing,
        stale,
        clone_of: Vec::new(),
        policy_failed,
    }
}

fn note_section(list: &mut Vec<SectionRef>, id: &str, title: &str) {
    if !list.iter().any(|s| s.id == id) {
        list.push(SectionRef {
            id: id.to_string(),
            title: title.to_string(),
        });
    }
}

/// Sort key of a host: the most severe findings first.
fn worst_first(h: &FleetHost) -> impl Ord {
    let s = &h.severity;
    (
        std::cmp::Reverse((s.critical, s.high, s.medium, s.low)),
        std::cmp::Reverse(h.counts.warn),
        std::cmp::Reverse(h.counts.error),
        h.score,
    )
}

/// Per check over the hosts: how many fail it and which (in the hosts' worst-first order).
fn check_rows(kept: &[Input], names: &[String], hosts: &[FleetHost]) -> Vec<FleetCheck> {
    let rank: HashMap<&str, usize> = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.as_str(), i))
        .collect();
    let mut order: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, (FleetCheck, Vec<usize>)> = HashMap::new();
    for (input, name) in kept.iter().zip(names) {
        let host_rank = rank[name.as_str()];
        for res in &input.report.results {
            let entry = by_id.entry(res.id.clone()).or_insert_with(|| {
                order.push(res.id.clone());
                (
                    FleetCheck {
                        id: res.id.clone(),
                        title: res.title.clone(),
                        section: res.section.clone(),
                        severity: res.severity,
                        hosts_failing: 0,
                        hosts_error: 0,
                        hosts_run: 0,
                        objects: 0,
                        failing: Vec::new(),
                    },
                    Vec::new(),
                )
            });
            let c = &mut entry.0;
            if c.severity.is_none() {
                c.severity = res.severity;
            }
            c.hosts_run += 1;
            match res.status {
                Status::Warn => {
                    c.hosts_failing += 1;
                    c.objects += res.findings;
                    entry.1.push(host_rank);
                }
                Status::Error => c.hosts_error += 1,
                _ => {}
            }
        }
    }
    let mut checks: Vec<(usize, FleetCheck)> = order
        .into_iter()
        .enumerate()
        .map(|(i, id)| {
            let (mut c, mut ranks) = by_id.remove(&id).expect("every id has an entry");
            ranks.sort_unstable();
            c.failing = ranks.into_iter().map(|r| hosts[r].name.clone()).collect();
            (i, c)
        })
        .collect();
    checks.sort_by(|(ia, a), (ib, b)| {
        b.hosts_failing
            .cmp(&a.hosts_failing)
            .then(severity_rank(a.severity).cmp(&severity_rank(b.severity)))
            .then(b.hosts_error.cmp(&a.hosts_error))
            .then(ia.cmp(ib))
    });
    checks.into_iter().map(|(_, c)| c).collect()
}

/// Reads a fleet JSON report back (for `--baseline`).
pub fn parse(text: &str) -> Result<Fleet, String> {
    let raw: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    match raw.get("fleet_schema_version").and_then(|v| v.as_u64()) {
        Some(v) if v == FLEET_SCHEMA_VERSION as u64 => {}
        Some(v) => {
            return Err(format!(
                "fleet schema version {v} is not supported (this dockbench reads {FLEET_SCHEMA_VERSION})"
            ));
        }
        None if raw.get("schema_version").is_some() => {
            return Err(
                "a host's report, not a fleet report (`dockbench merge` writes those)".into(),
            );
        }
        None => return Err("not a dockbench fleet report: no \"fleet_schema_version\"".into()),
    }
    serde_json::from_value(raw).map_err(|e| format!("not a dockbench fleet report: {e}"))
}

/// The JSON Schema of the fleet JSON, pretty, with a trailing newline.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Fleet);
    let mut s = serde_json::to_string_pretty(&schema).expect("schema serialises");
    s.push('\n');
    s
}
