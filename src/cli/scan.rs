//! `dockbench scan`: collect (or read a snapshot), evaluate, report.
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::{CheckArgs, FailOn, SourceArgs, exit};
use crate::config::Config;
use crate::engine::select::Selection;
use crate::report::{self, Format, Report, Status};
use crate::snapshot::{Mode, Snapshot};

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Configuration file (dockbench.toml): defaults for these flags, include/exclude filters,
    /// waivers. Only read when given (here or in DOCKBENCH_CONFIG); flags win over it.
    #[arg(
        long,
        value_name = "PATH",
        env = "DOCKBENCH_CONFIG",
        hide_env_values = true
    )]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Evaluate a snapshot written by `dockbench collect` instead of asking a daemon ("-":
    /// standard input).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["host", "context", "tlsverify", "root", "all", "all_images", "include_self"])]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub checks: CheckArgs,
    /// Run only these checks (ID prefixes on whole components: `5` = all of section 5,
    /// `5.1` = 5.1 but not 5.12). Comma-separated or repeated.
    #[arg(long = "check", value_name = "IDS", value_delimiter = ',')]
    pub check: Vec<String>,
    /// Leave out these checks (same prefixes; the most specific of --check/--skip wins).
    #[arg(long = "skip", value_name = "IDS", value_delimiter = ',')]
    pub skip: Vec<String>,
    /// CIS profile: `1` = Level 1 (and the swarm checks), `2` = Level 1 and Level 2.
    /// Default: every check of the benchmark.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub level: Option<super::ProfileLevel>,
    /// Run only the scored checks (those that count for the score).
    #[arg(long)]
    pub scored_only: bool,
    /// Users allowed in the docker group (check 1.1.2 WARNs on any other member; without
    /// this it lists the members as INFO). Comma-separated or repeated.
    #[arg(long, value_name = "USERS", value_delimiter = ',')]
    pub trusted_users: Vec<String>,
    /// Format written to standard output. Default: text.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,
    /// Also write FORMAT to PATH (repeatable), e.g. --output sarif=out/r.sarif; a bare PATH
    /// takes the format from its extension (-o report.json).
    #[arg(long, short = 'o', value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub output: Vec<(Format, PathBuf)>,
    /// Exit with code 1 when a result at or above this level exists: a status (info, warn,
    /// error), or a severity (critical, high, medium, low: a WARN of a check rated at least
    /// that).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Exit with code 1 when a benchmark's score is below N.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub min_score: Option<i64>,
    /// Compare with a previous JSON report: findings new, resolved or unchanged since then.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Exit with code 1 when a finding is new since --baseline.
    #[arg(long)]
    pub fail_on_new: bool,
    /// No colours in the terminal report (also: NO_COLOR set in the environment).
    #[arg(long)]
    pub no_color: bool,
    #[command(flatten)]
    pub text: super::format::TextArgs,
    /// Print nothing on standard output (outputs given with --output are still written), and
    /// no progress line on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub lock: super::run_lock::LockArgs,
}

/// `FORMAT=PATH`, or a bare PATH whose extension names the format (`report.json`).
fn parse_output(s: &str) -> Result<(Format, PathBuf), String> {
    if let Some((format, path)) = s.split_once('=')
        && let Ok(format) = format.parse::<Format>()
    {
        if path.is_empty() {
            return Err(format!("no path after '{}='", format.name()));
        }
        return Ok((format, PathBuf::from(path)));
    }
    if s.is_empty() {
        return Err("empty path".into());
    }
    let path = PathBuf::from(s);
    match Format::from_extension(&path) {
        Some(format) => Ok((format, path)),
        // `pdf=r.pdf`: a format we do not have, said so.
        None if s.contains('=') => Err(s
            .split('=')
            .next()
            .unwrap_or_default()
            .parse::<Format>()
            .err()
            .unwrap_or_default()),
        None => Err(format!(
            "expected FORMAT=PATH or a file name ending in .json, .sarif, .html, .xml, .csv, .md, .prom or .txt, got '{s}'"
        )),
    }
}

/// `scan`'s settings after merging the command line over the configuration file.
struct Settings {
    checks: CheckArgs,
    selection: Selection,
    level: Option<super::ProfileLevel>,
    scored_only: bool,
    trusted_users: Vec<String>,
    format: Format,
    output: Vec<(Format, PathBuf)>,
    fail_on: Option<FailOn>,
    min_score: Option<i64>,
    baseline: Option<PathBuf>,
    fail_on_new: bool,
    quiet: bool,
    no_color: bool,
    text: super::format::TextArgs,
    source: super::SourceArgs,
    filters: crate::engine::filter::Filters,
    waivers: Vec<crate::engine::waivers::Waiver>,
}

/// Command line > configuration file > built-in default.
fn resolve(args: ScanArgs, config: Option<Config>) -> Settings {
    let cfg = config.unwrap_or_default();
    let or = |cli: Vec<String>, file: Vec<String>| if cli.is_empty() { file } else { cli };
    // Outputs: the file's, except formats the command line names again; then the command line's.
    let mut output: Vec<(Format, PathBuf)> = cfg
        .output
        .into_iter()
        .filter(|(f, _)| !args.output.iter().any(|(g, _)| g == f))
        .collect();
    output.extend(args.output);
    Settings {
        checks: CheckArgs {
            benchmark: or(args.checks.benchmark, cfg.benchmark),
            checks_dir: if args.checks.checks_dir.is_empty() {
                cfg.checks_dir
            } else {
                args.checks.checks_dir
            },
        },
        selection: Selection {
            check: or(args.check, cfg.check),
            skip: or(args.skip, cfg.skip),
        },
        level: args.level.or(cfg.level),
        scored_only: args.scored_only || cfg.scored_only.unwrap_or(false),
        trusted_users: or(args.trusted_users, cfg.trusted_users),
        format: args.format.or(cfg.format).unwrap_or(Format::Text),
        output,
        fail_on: args.fail_on.or(cfg.fail_on),
        min_score: args.min_score.or(cfg.min_score),
        baseline: args.baseline.or(cfg.baseline),
        fail_on_new: args.fail_on_new || cfg.fail_on_new.unwrap_or(false),
        quiet: args.quiet || cfg.quiet.unwrap_or(false),
        no_color: args.no_color || cfg.no_color.unwrap_or(false),
        text: args.text.clone(),
        source: super::SourceArgs {
            host: args.source.host.or(cfg.host),
            all: args.source.all || cfg.all.unwrap_or(false),
            all_images: args.source.all_images || cfg.all_images.unwrap_or(false),
            include_self: args.source.include_self || cfg.include_self.unwrap_or(false),
            host_label: args.source.host_label.or(cfg.host_label),
            ..args.source
        },
        filters: cfg.filters,
        waivers: cfg.waivers,
    }
}

pub async fn run(args: ScanArgs) -> u8 {
    let config = match &args.config {
        Some(path) => match crate::config::load(path) {
            Ok(c) => Some(c),
            Err(e) => return fail(exit::USAGE, &e),
        },
        None => None,
    };
    let snapshot_path = args.snapshot.clone();
    let lock_args = args.lock.clone();
    let set = resolve(args, config);
    if let Some(path) = crate::output::repeated(set.output.iter().map(|(_, p)| p.as_path())) {
        return fail(
            exit::USAGE,
            &format!(
                "{} is given twice as an output: each --output needs its own file",
                path.display()
            ),
        );
    }
    if set.fail_on_new && set.baseline.is_none() {
        return fail(
            exit::USAGE,
            "--fail-on-new needs a --baseline to compare with",
        );
    }
    let load_start = Instant::now();
    let (benches, env) = match super::load_benchmarks(&set.checks) {
        Ok(b) => b,
        Err(e) => return fail(exit::USAGE, &e),
    };
    let bench_names: Vec<&str> = benches.iter().map(|b| b.def.id.as_str()).collect();
    let all_checks: Vec<&crate::engine::Check> = benches.iter().flat_map(|b| &b.checks).collect();
    let selection = &set.selection;
    let ids: Vec<&str> = all_checks.iter().map(|c| c.def.id.as_str()).collect();
    let unmatched = selection.unmatched(&ids);
    if !unmatched.is_empty() {
        return fail(
            exit::USAGE,
            &format!(
                "no check of {} matches: {} (see `dockbench checks list`){}",
                bench_names.join(", "),
                unmatched.join(", "),
                other_benchmark_hint(&unmatched, &bench_names, &ids, &env)
            ),
        );
    }
    // Read the baseline first: a bad one should not cost a whole collection.
    let baseline = match &set.baseline {
        Some(path) => match super::report::read(path) {
            Ok(r) => Some(r),
            Err(e) => return fail(exit::USAGE, &format!("baseline {e}")),
        },
        None => None,
    };

    // Taken before collecting, so an overlapping run fails fast instead of after its scan.
    let _lock = match lock_args.take(set.output.first().map(|(_, p)| p.as_path())) {
        Ok(l) => l,
        Err(code) => return code,
    };

    let selected: Vec<&crate::engine::Check> = all_checks
        .iter()
        .copied()
        .filter(|c| selection.selects(&c.def.id))
        .filter(|c| set.level.is_none_or(|l| l.includes(c.def.level)))
        .filter(|c| !set.scored_only || c.def.scored)
        .collect();
    if selected.is_empty() {
        // A gate that evaluates nothing would always pass: refused, not reported as clean.
        return fail(
            exit::USAGE,
            "the selection leaves no check to run (see --check, --skip, --level, --scored-only)",
        );
    }
    let needs_disk_usage = selected
        .iter()
        .any(|c| c.def.reads("DiskUsage") || c.def.reads("SizeRw"));

    let load_ms = load_start.elapsed().as_millis();
    let collect_start = Instant::now();
    let mut snapshot = match &snapshot_path {
        Some(path) => match read_snapshot(path) {
            Ok(mut s) => {
                set.source.apply_label(&mut s);
                s
            }
            Err(e) => return fail(exit::USAGE, &e),
        },
        None => match set
            .source
            .collect(
                crate::progress::Progress::wanted(set.quiet),
                needs_disk_usage,
            )
            .await
        {
            Ok(s) => s,
            Err(e) => return fail(e.exit_code(), &e.to_string()),
        },
    };
    let collect_ms = collect_start.elapsed().as_millis() as u64;

    let eval_start = Instant::now();
    let filtered = (!set.filters.is_empty()).then(|| set.filters.apply(&mut snapshot));
    let options = crate::engine::eval::EvalOptions {
        trusted_users: set.trusted_users.clone(),
    };
    let mut results = crate::engine::eval::evaluate_with(&selected, &snapshot, &env, &options);
    let waivers = (!set.waivers.is_empty()).then(|| {
        let today = chrono::Utc::now().date_naive();
        let ran: Vec<&str> = selected.iter().map(|c| c.def.id.as_str()).collect();
        let waivers = crate::engine::waivers::for_run(&set.waivers, &ran, &ids);
        crate::engine::waivers::apply(&mut results, &snapshot, &waivers, today)
    });
    let evaluate_ms = eval_start.elapsed().as_millis() as u64;
    let mut report = Report::new(
        &benches,
        &snapshot,
        results,
        report::Timings {
            collect_ms,
            evaluate_ms,
        },
    );
    report.filtered = filtered;
    report.waivers = waivers;
    report.baseline = baseline.map(|old| report::diff::diff(&old, &report));
    crate::engine::secrets::redact_all(&mut report);

    let render_start = Instant::now();
    let mut code = exit::OK;
    for (format, path) in &set.output {
        if let Err(e) = crate::output::write_atomic_with(path, |w| {
            report::render_to_with(&report, *format, &set.text.options(false), w)
        }) {
            crate::term::error(&format!("cannot write {}: {e}", path.display()));
            code = exit::OUTPUT;
        }
    }
    if !set.quiet {
        let color = set.format == Format::Text
            && !set.no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal();
        let printed = crate::output::print(&report::render_with(
            &report,
            set.format,
            &set.text.options(color),
        ));
        if printed != exit::OK {
            code = printed;
        }
    }
    // For scripts/bench.sh: where a run's time goes, without a profiler.
    if std::env::var_os("DOCKBENCH_TIMINGS").is_some_and(|v| !v.is_empty()) {
        eprintln!(
            "timings: load {load_ms} ms, collect {collect_ms} ms, evaluate {evaluate_ms} ms, render {} ms",
            render_start.elapsed().as_millis()
        );
    }
    let new_findings = match &report.baseline {
        Some(b) if set.fail_on_new => b.counts.new,
        _ => 0,
    };
    let mut why = policy_failures(&report, set.fail_on, set.min_score);
    if new_findings > 0 {
        why.push(format!(
            "{new_findings} new finding{} since the baseline (--fail-on-new)",
            plural(new_findings)
        ));
    }
    if !snapshot.faults.is_empty() && code != exit::OUTPUT {
        // A partial scan is never a pass, whatever the policy says.
        crate::term::error(&format!(
            "exit code 3: partial scan: {}",
            snapshot.faults.join("; ")
        ));
        return exit::COLLECT;
    }
    if code == exit::OK && !why.is_empty() {
        // Also with -q: a gate that fails must say why.
        crate::term::error(&format!("exit code 1: {}", why.join("; ")));
        code = exit::POLICY;
    }
    code
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Why the report breaks the exit policy (`--fail-on`, `--min-score`), one phrase per
/// reason; empty when it does not. WAIVED results never count, and a partly waived check
/// counts only for its other findings.
fn policy_failures(
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
                // A severity: WARN checks rated at least that (a check without a rating, from
                // an old report's custom check, counts: unknown is not harmless).
                Some(min) => r.status == Status::Warn && r.severity.is_none_or(|s| s >= min),
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
                level
                    .to_possible_value()
                    .map(|v| v.get_name().to_string())
                    .unwrap_or_default(),
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

fn read_snapshot(path: &std::path::Path) -> Result<Snapshot, String> {
    // "-": standard input, for `ssh HOST dockbench collect -o - | dockbench scan --snapshot -`
    // (read through /dev/stdin so the size cap holds).
    let file = if path.as_os_str() == "-" {
        std::path::Path::new("/dev/stdin")
    } else {
        path
    };
    let text = crate::output::read_input(file)
        .map_err(|e| format!("cannot read snapshot {}: {e}", path.display()))?;
    let mut snap = Snapshot::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    // Keep where the facts were originally collected from in the location.
    let origin = format!(
        "{} ({} collected from {})",
        path.display(),
        snap.source.mode,
        snap.source.location
    );
    snap.source.mode = Mode::Snapshot;
    // A snapshot written by an older dockbench may hold values in clear.
    crate::engine::secrets::redact_snapshot(&mut snap);
    snap.source.location = origin;
    Ok(snap)
}

pub fn fail(code: u8, message: &str) -> u8 {
    crate::term::error(message);
    code
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
        let Ok(b) = crate::engine::load_embedded(&other, env) else {
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
    fn fail_on_levels_are_ordered() {
        assert!(meets(Status::Error, FailOn::Warn));
        assert!(meets(Status::Warn, FailOn::Warn));
        assert!(!meets(Status::Info, FailOn::Warn));
        assert!(meets(Status::Info, FailOn::Info));
        assert!(!meets(Status::Warn, FailOn::Error));
        assert!(!meets(Status::Note, FailOn::Info));
        assert!(!meets(Status::Skip, FailOn::Info));
    }

    #[test]
    fn output_argument_parses() {
        assert_eq!(
            parse_output("json=a.json").unwrap(),
            (Format::Json, PathBuf::from("a.json"))
        );
        assert!(parse_output("json").is_err());
        // A bare path: the format from its extension.
        assert_eq!(
            parse_output("out/report.json").unwrap(),
            (Format::Json, PathBuf::from("out/report.json"))
        );
        assert_eq!(parse_output("r.SARIF").unwrap().0, Format::Sarif);
        assert_eq!(parse_output("a=b/r.prom").unwrap().0, Format::Prometheus);
        assert!(
            parse_output("report.pdf")
                .unwrap_err()
                .contains("FORMAT=PATH")
        );
        assert!(parse_output("pdf=x").is_err());
    }
}
