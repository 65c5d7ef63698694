//! The scan pipeline as a library call: resolved options and a source in, the Report and the
//! policy outcome out. `dockbench scan` is this plus argument parsing, the configuration
//! file, output files, printing and exit codes (`cli/scan.rs`).
//!
//! ```text
//! load benchmarks → select checks → read the baseline → collect (or take a snapshot)
//!   → include/exclude filters → evaluate → waivers → Report → baseline diff → redact
//!   → policy (--fail-on, --min-score, --fail-on-new) and partial-scan faults
//! ```
//!
//! [`run`] does it all; [`prepare`] + [`Prepared::run`] split it where the binary takes its
//! output lock (after cheap input errors, before the costly collection).
pub mod policy;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::collect::CollectError;
use crate::engine::filter::Filters;
use crate::engine::select::Selection;
use crate::engine::waivers::Waiver;
use crate::engine::{Benchmark, Check};
use crate::report::{self, Report, Status};
use crate::snapshot::{Mode, Snapshot};
pub use policy::{FailOn, ProfileLevel};

/// Everything a scan needs to know, resolved (command line over configuration file over
/// defaults: `cli/scan.rs` does that). `Default` is `dockbench scan` without flags.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Benchmark ids, run together in this order (empty: `cis-docker-1.6.0`).
    pub benchmarks: Vec<String>,
    /// Folders of custom benchmarks (`--checks-dir`), selectable by their id.
    pub checks_dirs: Vec<PathBuf>,
    /// `--check` / `--skip` ID prefixes.
    pub selection: Selection,
    /// `--level`: the CIS profile; `None`: every check.
    pub level: Option<ProfileLevel>,
    /// `--scored-only`.
    pub scored_only: bool,
    /// `--trusted-users`: who may be in the docker group (check 1.1.2).
    pub trusted_users: Vec<String>,
    /// `--all`: stopped and created containers too (live and root sources).
    pub all: bool,
    /// `--all-images`: every image, not only those in use.
    pub all_images: bool,
    /// `--include-self`: keep dockbench's own container.
    pub include_self: bool,
    /// `--host-label`: the operator's name for the host (replaces a snapshot's).
    pub host_label: Option<String>,
    /// Include/exclude filters of the configuration file.
    pub filters: Filters,
    /// Accepted exceptions of the configuration file.
    pub waivers: Vec<Waiver>,
    /// The day waivers expire against; `None`: today (UTC).
    pub today: Option<chrono::NaiveDate>,
    /// `--baseline`: a previous JSON report to compare with.
    pub baseline: Option<PathBuf>,
    /// `--fail-on`.
    pub fail_on: Option<FailOn>,
    /// `--min-score`: each benchmark's score must reach it.
    pub min_score: Option<i64>,
    /// `--fail-on-new` (needs `baseline`).
    pub fail_on_new: bool,
}

impl ScanOptions {
    /// Does the scan run the check `d` (`--check`/`--skip`, `--level`, `--scored-only`)?
    pub fn wants(&self, d: &crate::engine::check::CheckDef) -> bool {
        self.selection.selects(&d.id)
            && self.level.is_none_or(|l| l.includes(d.level))
            && (!self.scored_only || d.scored)
    }
}

/// One layer of scan settings as a user gives them: the command line, or the configuration
/// file (`config::Config::scan`). Unset (`None`, empty) leaves a setting to the layer below:
/// [`ScanLayer::over`] puts the command line over the file, [`ScanLayer::resolve`] fills in
/// the built-in defaults. The one definition of what both may set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanLayer {
    pub benchmarks: Vec<String>,
    pub checks_dirs: Vec<PathBuf>,
    pub check: Vec<String>,
    pub skip: Vec<String>,
    pub level: Option<ProfileLevel>,
    pub scored_only: Option<bool>,
    pub trusted_users: Vec<String>,
    pub all: Option<bool>,
    pub all_images: Option<bool>,
    pub include_self: Option<bool>,
    pub host_label: Option<String>,
    pub baseline: Option<PathBuf>,
    pub fail_on: Option<FailOn>,
    pub min_score: Option<i64>,
    pub fail_on_new: Option<bool>,
    /// `--host`: the daemon's address (live scans).
    pub host: Option<String>,
    /// `--timeout`: the live collection's deadline in seconds (default
    /// [`DEFAULT_TIMEOUT_SECS`]).
    pub timeout: Option<u64>,
    // How the binary prints the report: not part of `ScanOptions` (the library returns a
    // Report), but set by the same two layers with the same precedence.
    /// `--format`: the format on standard output (default text).
    pub format: Option<crate::report::Format>,
    /// `--quiet`.
    pub quiet: Option<bool>,
    /// `--no-color`.
    pub no_color: Option<bool>,
    /// `--view`: how much the text report shows (default `findings`).
    pub view: Option<crate::report::text::TextView>,
    /// `--remediation`: each finding's remediation in the text report.
    pub remediation: Option<bool>,
}

/// `--timeout` when neither the command line nor the configuration file sets it.
pub const DEFAULT_TIMEOUT_SECS: u64 = 600;

impl ScanLayer {
    /// `self` where it sets something, else `below`. A list is taken whole (a command-line
    /// `--check` replaces the file's list, it does not add to it).
    pub fn over(self, below: ScanLayer) -> ScanLayer {
        fn list<T>(top: Vec<T>, below: Vec<T>) -> Vec<T> {
            if top.is_empty() { below } else { top }
        }
        ScanLayer {
            benchmarks: list(self.benchmarks, below.benchmarks),
            checks_dirs: list(self.checks_dirs, below.checks_dirs),
            check: list(self.check, below.check),
            skip: list(self.skip, below.skip),
            level: self.level.or(below.level),
            scored_only: self.scored_only.or(below.scored_only),
            trusted_users: list(self.trusted_users, below.trusted_users),
            all: self.all.or(below.all),
            all_images: self.all_images.or(below.all_images),
            include_self: self.include_self.or(below.include_self),
            host_label: self.host_label.or(below.host_label),
            baseline: self.baseline.or(below.baseline),
            fail_on: self.fail_on.or(below.fail_on),
            min_score: self.min_score.or(below.min_score),
            fail_on_new: self.fail_on_new.or(below.fail_on_new),
            host: self.host.or(below.host),
            timeout: self.timeout.or(below.timeout),
            format: self.format.or(below.format),
            quiet: self.quiet.or(below.quiet),
            no_color: self.no_color.or(below.no_color),
            view: self.view.or(below.view),
            remediation: self.remediation.or(below.remediation),
        }
    }

    /// The options of a scan: this layer, the built-in defaults where it sets nothing, and the
    /// configuration file's filters and waivers (only the file has those).
    pub fn resolve(self, filters: Filters, waivers: Vec<Waiver>) -> ScanOptions {
        ScanOptions {
            benchmarks: self.benchmarks,
            checks_dirs: self.checks_dirs,
            selection: Selection {
                check: self.check,
                skip: self.skip,
            },
            level: self.level,
            scored_only: self.scored_only.unwrap_or(false),
            trusted_users: self.trusted_users,
            all: self.all.unwrap_or(false),
            all_images: self.all_images.unwrap_or(false),
            include_self: self.include_self.unwrap_or(false),
            host_label: self.host_label,
            filters,
            waivers,
            today: None,
            baseline: self.baseline,
            fail_on: self.fail_on,
            min_score: self.min_score,
            fail_on_new: self.fail_on_new.unwrap_or(false),
        }
    }
}

/// Where the facts come from.
#[derive(Debug)]
pub enum Source {
    /// A running daemon (and, when it is local, this host's files and /proc).
    Live(LiveSource),
    /// A mounted clone of a host's disk (`--root DIR`), read offline.
    Root(PathBuf),
    /// Facts collected earlier (`dockbench collect`; see [`read_snapshot`]).
    Snapshot(Box<Snapshot>),
}

/// How to reach a daemon.
#[derive(Debug, Clone)]
pub struct LiveSource {
    /// `-H`, `--context`, TLS settings (as the docker CLI reads them).
    pub connect: crate::collect::connect::ConnectArgs,
    /// `--timeout`: the whole collection's deadline.
    pub timeout: Duration,
    /// A progress line may be drawn on standard error.
    pub progress: bool,
}

/// Why a scan could not produce a report. [`ScanError::exit_code`] maps it to the documented
/// exit codes.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// Bad input: invalid checks, a selection that matches nothing, an unreadable baseline or
    /// snapshot, `fail_on_new` without a baseline (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Nothing could be collected: no daemon, no Docker root, bad connection settings.
    #[error("{0}")]
    Collect(#[from] CollectError),
}

impl ScanError {
    /// 2 for bad input and connection settings, 3 when nothing could be collected.
    pub fn exit_code(&self) -> u8 {
        match self {
            ScanError::Usage(_) => crate::exit::USAGE,
            ScanError::Collect(e) => e.exit_code(),
        }
    }
}

/// A finished scan.
#[derive(Debug)]
pub struct ScanOutcome {
    /// The report (secrets redacted), with the baseline comparison when one was given.
    pub report: Report,
    /// Why the policy fails (`fail_on`, `min_score`, `fail_on_new`), one phrase each; empty
    /// when it passes.
    pub policy_failures: Vec<String>,
    /// What the daemon failed to answer (a partial scan); empty for a complete one.
    pub faults: Vec<String>,
    /// Milliseconds spent loading the checks (the report has collection and evaluation).
    pub load_ms: u64,
}

/// What a scan means for its caller (the exit code of `dockbench scan`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Complete, and the policy passes (exit 0).
    Pass,
    /// Complete, and the policy fails, with why (exit 1).
    PolicyFailed(Vec<String>),
    /// Some facts could not be had: never a pass, whatever the policy (exit 3).
    Partial(Vec<String>),
}

impl ScanOutcome {
    pub fn decision(&self) -> Decision {
        if !self.faults.is_empty() {
            Decision::Partial(self.faults.clone())
        } else if !self.policy_failures.is_empty() {
            Decision::PolicyFailed(self.policy_failures.clone())
        } else {
            Decision::Pass
        }
    }
}

/// A scan whose inputs were read and checked; collection has not started.
pub struct Prepared {
    options: ScanOptions,
    benches: Vec<Benchmark>,
    env: Arc<cel::Env>,
    baseline: Option<Report>,
    load_ms: u64,
}

/// Scans `source` with `options`.
pub async fn run(options: &ScanOptions, source: Source) -> Result<ScanOutcome, ScanError> {
    prepare(options)?.run(source).await
}

/// Loads the benchmarks, checks the selection and reads the baseline: every input error
/// before anything is collected.
pub fn prepare(options: &ScanOptions) -> Result<Prepared, ScanError> {
    let start = Instant::now();
    if options.fail_on_new && options.baseline.is_none() {
        return Err(ScanError::Usage(
            "--fail-on-new needs a --baseline to compare with".into(),
        ));
    }
    // Only the checks that run are compiled (most of the start-up); the others are loaded
    // for their ids and metadata (the report lists them, the selection is checked on them).
    let (benches, env) =
        load_benchmarks_selected(&options.benchmarks, &options.checks_dirs, &|d| {
            options.wants(d)
        })
        .map_err(ScanError::Usage)?;
    let prepared = Prepared {
        options: options.clone(),
        benches,
        env,
        baseline: None,
        load_ms: 0,
    };
    let names: Vec<&str> = prepared.benches.iter().map(|b| b.def.id.as_str()).collect();
    let ids: Vec<&str> = prepared.all_checks().map(|c| c.def.id.as_str()).collect();
    let unmatched = options.selection.unmatched(&ids);
    if !unmatched.is_empty() {
        return Err(ScanError::Usage(format!(
            "no check of {} matches: {} (see `dockbench checks list`){}",
            names.join(", "),
            unmatched.join(", "),
            other_benchmark_hint(&unmatched, &names, &ids, &prepared.env)
        )));
    }
    // Read the baseline first: a bad one should not cost a whole collection.
    let baseline = match &options.baseline {
        Some(path) => Some(
            crate::report::json::read(path)
                .map_err(|e| ScanError::Usage(format!("baseline {e}")))?,
        ),
        None => None,
    };
    if prepared.selected().is_empty() {
        // A gate that evaluates nothing would always pass: refused, not reported as clean.
        return Err(ScanError::Usage(
            "the selection leaves no check to run (see --check, --skip, --level, --scored-only)"
                .into(),
        ));
    }
    Ok(Prepared {
        baseline,
        load_ms: start.elapsed().as_millis() as u64,
        ..prepared
    })
}

impl Prepared {
    fn all_checks(&self) -> impl Iterator<Item = &Check> {
        self.benches.iter().flat_map(|b| &b.checks)
    }

    /// The checks that run, in benchmark order.
    fn selected(&self) -> Vec<&Check> {
        let o = &self.options;
        self.all_checks().filter(|c| o.wants(&c.def)).collect()
    }

    /// Collects from `source` (a snapshot is taken as it is) and evaluates.
    pub async fn run(self, source: Source) -> Result<ScanOutcome, ScanError> {
        let o = &self.options;
        let selected = self.selected();
        let ids: Vec<&str> = self.all_checks().map(|c| c.def.id.as_str()).collect();
        // Costly facts only when a selected check reads them.
        // The totals are read through their fields; `daemon.DiskUsage.Reason` alone (a
        // SizeRw check's unknown reason) does not need them.
        let reads_totals = |c: &&Check| {
            [
                "TotalBytes",
                "DanglingImages",
                "StoppedContainers",
                "UnusedVolumes",
                "BuildCache",
            ]
            .iter()
            .any(|f| c.def.reads(&format!("DiskUsage.{f}")))
        };
        let disk_usage = crate::collect::live::DiskUsageWanted {
            totals: selected.iter().any(reads_totals),
            size_rw: selected.iter().any(|c| c.def.reads("SizeRw")),
        };
        let collect_start = Instant::now();
        let mut snapshot = collect(o, source, disk_usage).await?;
        let collect_ms = collect_start.elapsed().as_millis() as u64;

        let eval_start = Instant::now();
        let filtered = (!o.filters.is_empty()).then(|| o.filters.apply(&mut snapshot));
        let eval = crate::engine::eval::EvalOptions {
            trusted_users: o.trusted_users.clone(),
        };
        let mut results =
            crate::engine::eval::evaluate_with(&selected, &snapshot, &self.env, &eval);
        let waivers = (!o.waivers.is_empty()).then(|| {
            let today = o.today.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let ran: Vec<&str> = selected.iter().map(|c| c.def.id.as_str()).collect();
            let waivers = crate::engine::waivers::for_run(&o.waivers, &ran, &ids);
            crate::engine::waivers::apply(&mut results, &snapshot, &waivers, today)
        });
        let evaluate_ms = eval_start.elapsed().as_millis() as u64;
        let mut report = Report::new(
            &self.benches,
            &snapshot,
            results,
            report::Timings {
                collect_ms,
                evaluate_ms,
            },
        );
        report.filtered = filtered;
        report.waivers = waivers;
        report.baseline = self
            .baseline
            .as_ref()
            .map(|old| report::diff::diff(old, &report));
        crate::engine::secrets::redact_report(&mut report);

        let mut policy_failures = policy_failures(&report, o.fail_on, o.min_score);
        let new_findings = match &report.baseline {
            Some(b) if o.fail_on_new => b.counts.new,
            _ => 0,
        };
        if new_findings > 0 {
            policy_failures.push(format!(
                "{new_findings} new finding{} since the baseline (--fail-on-new)",
                plural(new_findings)
            ));
        }
        Ok(ScanOutcome {
            report,
            policy_failures,
            faults: snapshot.faults.clone(),
            load_ms: self.load_ms,
        })
    }
}

/// The facts of `source` (what `dockbench collect` writes): collected from a daemon or a root
/// (secrets redacted before anything else sees them), or a snapshot as it is; `host_label`
/// applied. `disk_usage`: which disk-usage facts to gather (costly on big hosts).
pub async fn collect(
    o: &ScanOptions,
    source: Source,
    disk_usage: crate::collect::live::DiskUsageWanted,
) -> Result<Snapshot, CollectError> {
    let mut snapshot = match source {
        Source::Snapshot(s) => *s,
        Source::Root(root) => {
            let opts = crate::collect::OfflineOptions {
                root,
                all: o.all,
                all_images: o.all_images,
            };
            // Thousands of small file reads: off the async runtime's thread.
            let mut snap = tokio::task::spawn_blocking(move || crate::collect::collect_root(&opts))
                .await
                .map_err(|e| CollectError::Root(e.to_string()))??;
            // Before anything is written or evaluated: no secret value leaves the collector.
            crate::engine::secrets::redact_snapshot(&mut snap);
            snap
        }
        Source::Live(live) => {
            let mut snap = collect_live(&live, o, disk_usage).await?;
            crate::engine::secrets::redact_snapshot(&mut snap);
            snap
        }
    };
    if let Some(label) = &o.host_label {
        snapshot.host.Label = label.clone();
    }
    Ok(snapshot)
}

async fn collect_live(
    live: &LiveSource,
    o: &ScanOptions,
    disk_usage: crate::collect::live::DiskUsageWanted,
) -> Result<Snapshot, CollectError> {
    let opts = crate::collect::LiveOptions {
        connect: live.connect.clone(),
        all: o.all,
        all_images: o.all_images,
        include_self: o.include_self,
        progress: live.progress,
        disk_usage,
        // Half the scan's time at most: one stuck request leaves time for the rest.
        request_timeout: (live.timeout / 2).min(crate::collect::live::REQUEST_TIMEOUT),
    };
    match tokio::time::timeout(live.timeout, crate::collect::collect_live(&opts)).await {
        Ok(r) => r,
        Err(_) => Err(CollectError::Daemon(format!(
            "the scan did not finish within --timeout {} s: the daemon at {} stopped answering (or is very slow); nothing was reported",
            live.timeout.as_secs(),
            crate::collect::live::daemon_address(&opts)
        ))),
    }
}

/// Reads a snapshot file written by `dockbench collect` ("-": standard input), as a
/// [`Source::Snapshot`]: its mode becomes `snapshot`, its location says where the facts were
/// collected, and values an older dockbench left in clear are redacted.
pub fn read_snapshot(path: &Path) -> Result<Source, ScanError> {
    // "-": standard input, for `ssh HOST dockbench collect -o - | dockbench scan --snapshot -`
    // (read through /dev/stdin so the size cap holds).
    let file = if path.as_os_str() == "-" {
        Path::new("/dev/stdin")
    } else {
        path
    };
    let text = crate::output::read_input(file)
        .map_err(|e| ScanError::Usage(format!("cannot read snapshot {}: {e}", path.display())))?;
    let mut snap = Snapshot::from_json(&text)
        .map_err(|e| ScanError::Usage(format!("{}: {e}", path.display())))?;
    // Keep where the facts were originally collected from in the location.
    let origin = format!(
        "{} ({} collected from {})",
        path.display(),
        snap.source.mode,
        snap.source.location
    );
    snap.source.mode = Mode::Snapshot;
    crate::engine::secrets::redact_snapshot(&mut snap);
    snap.source.location = origin;
    Ok(Source::Snapshot(Box::new(snap)))
}

/// The selected benchmarks in the order given (`ids`; empty: the default one), from the
/// embedded ones and the folders `dirs`, plus the CEL environment. Check IDs must be unique
/// across them; errors are messages for exit code 2.
pub fn load_benchmarks(
    ids: &[String],
    dirs: &[PathBuf],
) -> Result<(Vec<Benchmark>, Arc<cel::Env>), String> {
    load_benchmarks_selected(ids, dirs, &|_| true)
}

/// [`load_benchmarks`], compiling only the embedded checks `wanted` selects (the folders
/// `dirs` are always compiled whole: a broken custom check is an error either way).
pub fn load_benchmarks_selected(
    ids: &[String],
    dirs: &[PathBuf],
    wanted: &dyn Fn(&crate::engine::check::CheckDef) -> bool,
) -> Result<(Vec<Benchmark>, Arc<cel::Env>), String> {
    let env = crate::engine::cel_env();
    let mut custom = Vec::new();
    for dir in dirs {
        custom.push(crate::engine::load_dir(dir, &env).map_err(|e| e.to_string())?);
    }
    let mut out: Vec<Benchmark> = Vec::new();
    let default = [crate::engine::DEFAULT_BENCHMARK.to_string()];
    let ids = if ids.is_empty() { &default[..] } else { ids };
    for id in ids {
        if out.iter().any(|b| &b.def.id == id) {
            continue;
        }
        let b = match custom.iter().position(|b| &b.def.id == id) {
            Some(i) => custom.swap_remove(i),
            None => crate::engine::load::load_embedded_selected(id, &env, wanted)
                .map_err(|e| e.to_string())?,
        };
        for c in &b.checks {
            if let Some(other) = out
                .iter()
                .find(|o| o.checks.iter().any(|x| x.def.id == c.def.id))
            {
                return Err(format!(
                    "check {} is in both {} and {}: benchmarks run together need distinct check IDs",
                    c.def.id, other.def.id, b.def.id
                ));
            }
        }
        out.push(b);
    }
    Ok((out, env))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Why the report breaks the exit policy (`--fail-on`, `--min-score`), one phrase per
/// reason; empty when it does not. WAIVED results never count, and a partly waived check
/// counts only for its other findings.
pub fn policy_failures(
    report: &Report,
    fail_on: Option<FailOn>,
    min_score: Option<i64>,
) -> Vec<String> {
    let mut why = Vec::new();
    if let Some(level) = fail_on {
        let hits: Vec<&str> = report
            .results
            .iter()
            .filter(|r| match level.severity() {
                // A severity: WARN and ERROR checks rated at least that (a check of that
                // severity that could not be evaluated is no pass; a check without a rating,
                // from an old report's custom check, counts: unknown is not harmless).
                Some(min) => {
                    matches!(r.status, Status::Warn | Status::Error)
                        && r.severity.is_none_or(|s| s >= min)
                }
                None => meets(r.status, level),
            })
            .map(|r| r.id.as_str())
            .collect();
        if !hits.is_empty() {
            let shown: Vec<&str> = hits.iter().take(10).copied().collect();
            let more = if hits.len() > shown.len() {
                format!(" and {} more", hits.len() - shown.len())
            } else {
                String::new()
            };
            why.push(format!(
                "{} check{} at or above --fail-on {} ({}{more})",
                hits.len(),
                plural(hits.len()),
                level.name(),
                shown.join(", ")
            ));
        }
    }
    // Each benchmark's own score: a practices score must not hide a CIS one below the bar.
    if let Some(n) = min_score {
        for b in report.summary.benchmarks.iter().filter(|b| b.score < n) {
            why.push(format!(
                "{} score {} is below --min-score {n}",
                b.id, b.score
            ));
        }
    }
    why
}

/// Does `status` count for `--fail-on level`?
fn meets(status: Status, level: FailOn) -> bool {
    let rank = match status {
        Status::Info => FailOn::Info,
        Status::Warn => FailOn::Warn,
        Status::Error => FailOn::Error,
        _ => return false,
    };
    level.severity().is_none() && rank >= level
}

/// "; dockbench-practices has DP.2: add it with --benchmark A,dockbench-practices" when a
/// selector that matched nothing names checks of an embedded benchmark not selected (one
/// whose IDs clash with the loaded ones, another CIS version, replaces rather than joins).
fn other_benchmark_hint(
    unmatched: &[&str],
    selected: &[&str],
    loaded_ids: &[&str],
    env: &cel::Env,
) -> String {
    for other in crate::engine::load::embedded_ids() {
        if selected.contains(&other.as_str()) {
            continue;
        }
        // Only its ids are read: nothing compiled.
        let Ok(b) = crate::engine::load::load_embedded_selected(&other, env, &|_| false) else {
            continue;
        };
        let hits: Vec<&str> = unmatched
            .iter()
            .filter(|sel| {
                b.checks
                    .iter()
                    .any(|c| crate::engine::select::covers(sel, &c.def.id))
            })
            .copied()
            .collect();
        if hits.is_empty() {
            continue;
        }
        let clash = b
            .checks
            .iter()
            .any(|c| loaded_ids.contains(&c.def.id.as_str()));
        let flag = if clash {
            format!("run it with --benchmark {other}")
        } else {
            format!("add it with --benchmark {},{other}", selected.join(","))
        };
        return format!("; {other} has {}: {flag}", hits.join(", "));
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upper_layer_wins_where_it_sets_something() {
        let file = ScanLayer {
            check: vec!["5".into()],
            skip: vec!["5.4".into()],
            scored_only: Some(true),
            min_score: Some(3),
            all: Some(true),
            ..ScanLayer::default()
        };
        let flags = ScanLayer {
            check: vec!["4".into()],
            min_score: Some(-1),
            all: Some(false),
            ..ScanLayer::default()
        };
        let o = flags.over(file).resolve(Filters::default(), Vec::new());
        assert_eq!(o.selection.check, ["4"]);
        assert_eq!(o.selection.skip, ["5.4"]);
        assert!(o.scored_only);
        assert_eq!(o.min_score, Some(-1));
        assert!(!o.all);
        assert!(!o.fail_on_new);
    }

    /// Every setting the file may set is one the command line may undo: a switch turned on
    /// by the file is turned off by `--no-…` (`Some(false)`), and the printing settings
    /// (`view`, `remediation`, `timeout`, …) layer the same way.
    #[test]
    fn the_command_line_turns_off_what_the_file_turns_on() {
        use crate::report::text::TextView;
        let file = ScanLayer {
            scored_only: Some(true),
            all_images: Some(true),
            include_self: Some(true),
            fail_on_new: Some(true),
            quiet: Some(true),
            no_color: Some(true),
            remediation: Some(true),
            view: Some(TextView::Full),
            timeout: Some(60),
            ..ScanLayer::default()
        };
        let flags = ScanLayer {
            scored_only: Some(false),
            all_images: Some(false),
            include_self: Some(false),
            fail_on_new: Some(false),
            quiet: Some(false),
            no_color: Some(false),
            remediation: Some(false),
            view: Some(TextView::Summary),
            ..ScanLayer::default()
        };
        let merged = flags.over(file);
        assert_eq!(merged.quiet, Some(false));
        assert_eq!(merged.no_color, Some(false));
        assert_eq!(merged.remediation, Some(false));
        assert_eq!(merged.view, Some(TextView::Summary));
        assert_eq!(
            merged.timeout,
            Some(60),
            "unset on the command line: the file's"
        );
        let o = merged.resolve(Filters::default(), Vec::new());
        assert!(!o.scored_only && !o.all_images && !o.include_self && !o.fail_on_new);
    }

    #[test]
    fn fail_on_levels_are_ordered() {
        assert!(meets(Status::Error, FailOn::Warn));
        assert!(meets(Status::Warn, FailOn::Warn));
        assert!(!meets(Status::Info, FailOn::Warn));
        assert!(meets(Status::Info, FailOn::Info));
        assert!(!meets(Status::Warn, FailOn::Error));
        assert!(!meets(Status::Note, FailOn::Info));
        assert!(!meets(Status::Skip, FailOn::Info));
    }
}
