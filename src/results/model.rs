//! The one Report model every renderer reads. Its JSON form is versioned (`schema_version`).
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::diff::Diff;
use super::vocab::{Assessment, Evaluation, Level, Scope, SectionDef, Severity};
use crate::snapshot::{ScanMode, Source};

/// Bumped on any incompatible change of the Report JSON. 2: `results[].severity`,
/// `results[].benchmark`, `summary.benchmarks` (a score per benchmark) and `summary.score`
/// renamed `summary.combined_score`. 3: a finding's `kind` is one of [`ObjectKind`] (`file`
/// is new: a finding about one file, with its `path`), every exception has a `status`.
/// Versions 1 and 2 are still read (`json::parse`).
pub const SCHEMA_VERSION: u32 = 3;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Pass,
    Warn,
    Info,
    Note,
    Skip,
    Error,
    Waived,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Pass,
        Status::Warn,
        Status::Info,
        Status::Note,
        Status::Skip,
        Status::Error,
        Status::Waived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Info => "INFO",
            Status::Note => "NOTE",
            Status::Skip => "SKIP",
            Status::Error => "ERROR",
            Status::Waived => "WAIVED",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of object a finding is about.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    Container,
    Image,
    /// A file on the scanned host (its `path` says which); `object` is the host.
    File,
    /// The host itself (a host-scoped check).
    #[default]
    Host,
    /// The daemon (a daemon-scoped check).
    Daemon,
    Network,
    Swarm,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Container => "container",
            ObjectKind::Image => "image",
            ObjectKind::File => "file",
            ObjectKind::Host => "host",
            ObjectKind::Daemon => "daemon",
            ObjectKind::Network => "network",
            ObjectKind::Swarm => "swarm",
        }
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ObjectKind {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ObjectKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One object (container, image, file, the host, the daemon) and what the check saw in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    pub kind: ObjectKind,
    /// Human name (container name, image tag; the host name for host, daemon and file
    /// findings).
    pub object: String,
    /// Stable identifier (container or image ID), "" for host-level facts.
    #[serde(default)]
    pub id: String,
    /// For a `file` finding: the file's absolute path as the scanned host sees it (under
    /// `--root` offline), from the check's `files` expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The offending value as display text; for an exception the same text as `status` and
    /// `reason` give (`SKIP: …`), written for people — programs read `status` and `reason`,
    /// and dockbench never reads it back.
    pub value: String,
    /// For an exception (`exceptions[]`): SKIP (it did not apply, or needs a fact this kind
    /// of scan cannot have) or ERROR (it could not be evaluated); always present there since
    /// schema version 3. Absent for findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// For an exception: why, without the status word.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// For a SKIP exception caused by a fact the scan cannot have: the kind of scan
    /// ("offline", "remote", "engine").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_in_mode: Option<ScanMode>,
}

impl Finding {
    /// An object that could not be evaluated (ERROR) or did not apply (SKIP), with its reason.
    pub fn exception(
        kind: ObjectKind,
        object: &str,
        id: &str,
        status: Status,
        reason: String,
        not_in_mode: Option<ScanMode>,
    ) -> Finding {
        Finding {
            kind,
            object: object.into(),
            id: id.into(),
            path: None,
            value: format!("{status}: {reason}"),
            status: Some(status),
            reason,
            not_in_mode,
        }
    }

    /// The file this finding locates, when it is about one.
    pub fn file(&self) -> Option<&str> {
        self.path.as_deref().filter(|p| !p.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub section: String,
    pub section_title: String,
    /// The id of the benchmark the check belongs to (`cis-docker-1.6.0`).
    #[serde(default)]
    pub benchmark: String,
    pub level: Level,
    /// dockbench's rating of a finding of this check: `critical`, `high`, `medium` or `low`.
    /// Null only in a report written before schema version 2 for a check that no embedded
    /// benchmark has (a custom check).
    pub severity: Option<Severity>,
    /// One line: why this severity.
    #[serde(default)]
    pub severity_rationale: String,
    /// CIS assessment status, as the benchmark states it.
    pub assessment: Option<Assessment>,
    /// How dockbench evaluated it: automated verdict or manual review (NOTE).
    pub evaluation: Evaluation,
    pub scored: bool,
    pub scope: Scope,
    pub status: Status,
    /// One line: why this status.
    pub reason: String,
    /// Offending objects (WARN/INFO), or the single object a host/daemon check looked at.
    pub findings: Vec<Finding>,
    /// Objects that could not be evaluated (ERROR) or did not apply (SKIP), with reasons.
    pub exceptions: Vec<Finding>,
    /// How many objects were evaluated (containers, images; 1 for host and daemon checks).
    pub evaluated: usize,
    /// Findings an accepted exception (`[[waiver]]`) covers, each with the waiver's reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waived: Vec<WaivedFinding>,
    pub description: String,
    pub remediation: String,
    pub impact: String,
    pub references: Vec<String>,
}

impl Finding {
    /// Why this exception did not apply (a SKIP exception), `None` for any other entry. By
    /// its typed status only: reports of older versions get one when read (`json::parse`).
    fn skip_reason(&self) -> Option<&str> {
        match self.status {
            Some(Status::Skip) => Some(&self.reason),
            _ => None,
        }
    }
}

impl CheckResult {
    /// Exceptions that are objects which could not be evaluated (listed in every format:
    /// they need attention), leaving out those the check did not apply to.
    pub fn unevaluated(&self) -> impl Iterator<Item = &Finding> {
        self.exceptions.iter().filter(|e| e.skip_reason().is_none())
    }

    /// Objects the check did not apply to, counted per reason in first-seen order: not
    /// findings, so formats count them instead of listing them.
    pub fn not_applicable(&self) -> Vec<(&str, usize)> {
        let mut out: Vec<(&str, usize)> = Vec::new();
        for e in &self.exceptions {
            if let Some(why) = e.skip_reason() {
                match out.iter_mut().find(|(w, _)| *w == why) {
                    Some((_, n)) => *n += 1,
                    None => out.push((why, 1)),
                }
            }
        }
        out
    }

    /// "15 containers not applicable (the root filesystem is writable)" per reason; "" when
    /// the check applied to every object.
    pub fn not_applicable_line(&self) -> String {
        let noun = match self.scope {
            Scope::Image => "image",
            Scope::Container => "container",
            _ => "object",
        };
        self.not_applicable()
            .iter()
            .map(|(why, n)| {
                let s = if *n == 1 { "" } else { "s" };
                format!("{n} {noun}{s} not applicable ({why})")
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    pub pass: usize,
    pub warn: usize,
    pub info: usize,
    pub note: usize,
    pub skip: usize,
    pub error: usize,
    pub waived: usize,
}

impl Counts {
    pub fn get(&self, s: Status) -> usize {
        match s {
            Status::Pass => self.pass,
            Status::Warn => self.warn,
            Status::Info => self.info,
            Status::Note => self.note,
            Status::Skip => self.skip,
            Status::Error => self.error,
            Status::Waived => self.waived,
        }
    }
    fn bump(&mut self, s: Status) {
        let slot = match s {
            Status::Pass => &mut self.pass,
            Status::Warn => &mut self.warn,
            Status::Info => &mut self.info,
            Status::Note => &mut self.note,
            Status::Skip => &mut self.skip,
            Status::Error => &mut self.error,
            Status::Waived => &mut self.waived,
        };
        *slot += 1;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub total: usize,
    pub counts: Counts,
    /// The sum of the benchmarks' scores when several ran together; with one benchmark, its
    /// score. Each benchmark's own score is in `benchmarks` — compare those, not this.
    pub combined_score: i64,
    /// One entry per benchmark that ran, in report order: its checks' counts and its score.
    pub benchmarks: Vec<BenchmarkSummary>,
}

/// The counts and score of one benchmark's checks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BenchmarkSummary {
    /// Benchmark id (`cis-docker-1.6.0`), as in `results[].benchmark`.
    pub id: String,
    pub total: usize,
    pub counts: Counts,
    /// docker-bench-security's score: +1 per scored PASS, −1 per scored WARN (WAIVED counts
    /// neither).
    pub score: i64,
}

impl Summary {
    /// Counts and scores of `results`, per benchmark in order of first appearance.
    pub fn of(results: &[CheckResult]) -> Summary {
        let mut s = Summary {
            total: results.len(),
            ..Summary::default()
        };
        for r in results {
            s.counts.bump(r.status);
            let delta = match (r.scored, r.status) {
                (true, Status::Pass) => 1,
                (true, Status::Warn) => -1,
                _ => 0,
            };
            s.combined_score += delta;
            let b = match s.benchmarks.iter().position(|b| b.id == r.benchmark) {
                Some(i) => &mut s.benchmarks[i],
                None => {
                    s.benchmarks.push(BenchmarkSummary {
                        id: r.benchmark.clone(),
                        ..BenchmarkSummary::default()
                    });
                    s.benchmarks.last_mut().expect("just pushed")
                }
            };
            b.total += 1;
            b.counts.bump(r.status);
            b.score += delta;
        }
        s
    }

    /// The score of benchmark `id`, if it ran.
    pub fn score_of(&self, id: &str) -> Option<i64> {
        self.benchmarks.iter().find(|b| b.id == id).map(|b| b.score)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BenchmarkInfo {
    pub id: String,
    pub title: String,
    pub version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HostInfo {
    pub hostname: String,
    pub operating_system: String,
    pub kernel: String,
    pub docker_version: String,
    pub api_version: String,
    pub machine_id: String,
    pub engine_id: String,
    /// The daemon's own name for itself (`docker info` Name; usually the host name).
    #[serde(default)]
    pub engine_name: String,
    /// `--host-label`: what the operator calls this host (fleet, role, site); "" when not given.
    #[serde(default)]
    pub label: String,
    /// What was scanned and how (live scans): "Docker 20.10.24 · rootful · unix socket ·
    /// local (PID 812, dockerd)", or "… · remote (why)"; "" for offline scans.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target: String,
    /// The engine that answered (`/version`): "Docker" or "Podman"; "" when no daemon was
    /// asked (offline scans). `docker_version` is that engine's version.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub engine: String,
    /// Where the engine keeps images: `containerd (overlayfs)`, `graphdriver (overlay2)`,
    /// `containers/storage (overlay)`; "" when unknown. API version: `api_version`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub image_store: String,
}

impl HostInfo {
    /// "label web-eu-1 · machine-id … · engine ID … (name)": the facts that tell hosts of a
    /// fleet (or a clone and its origin) apart; only those known; "" when none is.
    pub fn identity_line(&self) -> String {
        let mut parts = Vec::new();
        if !self.label.is_empty() {
            parts.push(format!("label {}", self.label));
        }
        if !self.machine_id.is_empty() {
            parts.push(format!("machine-id {}", self.machine_id));
        }
        if !self.engine_id.is_empty() {
            let name = if self.engine_name.is_empty() || self.engine_name == self.hostname {
                String::new()
            } else {
                format!(" ({})", self.engine_name)
            };
            parts.push(format!("engine ID {}{name}", self.engine_id));
        }
        parts.join(" · ")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Timings {
    pub collect_ms: u64,
    pub evaluate_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub schema_version: u32,
    pub tool: String,
    pub tool_version: String,
    /// The benchmark; when several ran together, their names joined (`a+b`) — each one
    /// is in `benchmarks`.
    pub benchmark: BenchmarkInfo,
    /// Every benchmark that ran, in order (reports written before this field had one:
    /// `benchmark`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub benchmarks: Vec<BenchmarkInfo>,
    pub source: Source,
    pub host: HostInfo,
    pub started_at: String,
    pub finished_at: String,
    pub timings: Timings,
    /// Containers in scope: running only, or all (`--all`).
    pub all_containers: bool,
    pub containers_scanned: usize,
    pub images_scanned: usize,
    /// Collection notes (containers that vanished, facts that could not be read).
    pub notes: Vec<String>,
    pub sections: Vec<SectionDef>,
    pub results: Vec<CheckResult>,
    pub summary: Summary,
    /// Objects left out by the configuration's include/exclude filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filtered: Option<Filtered>,
    /// Waivers of the configuration: which applied, which expired, which matched nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waivers: Option<WaiverSummary>,
    /// Comparison with a previous report (`scan --baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Diff>,
}

/// A finding an accepted exception covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WaivedFinding {
    #[serde(flatten)]
    pub finding: Finding,
    /// The waiver's reason.
    pub reason: String,
    /// The waiver's expiry date (YYYY-MM-DD), if it has one.
    #[serde(default)]
    pub expires: Option<String>,
}

impl Report {
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

/// How many objects the filters left out (shown in every report that has filters).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Filtered {
    pub containers_excluded: usize,
    pub images_excluded: usize,
}

/// A waiver as the report lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WaiverUse {
    pub check: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    pub origin: String,
    /// Findings it covers (for an expired waiver: would cover).
    pub matched: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WaiverSummary {
    pub applied: Vec<WaiverUse>,
    pub expired: Vec<WaiverUse>,
    pub unused: Vec<WaiverUse>,
}
