//! `dockbench merge`: many hosts' JSON reports (and snapshots, evaluated here with the current
//! checks) into one fleet report. Inputs are files, directories (every `*.json` below them) and
//! glob patterns (`'fleet/*.json'`, for shells that do not expand them); they are read in
//! parallel, each reduced to what the fleet view needs (see `fleet::input`).
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Args;

use super::{CheckArgs, FailOn, exit, scan::fail};
use crate::fleet::render::FleetFormat;

/// `merge --format`: the names and help lines of [`FleetFormat::VALUES`].
impl clap::ValueEnum for FleetFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            FleetFormat::Text,
            FleetFormat::Json,
            FleetFormat::Html,
            FleetFormat::Csv,
            FleetFormat::Markdown,
        ]
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let (_, name, help) = FleetFormat::VALUES.iter().find(|(f, _, _)| f == self)?;
        Some(clap::builder::PossibleValue::new(*name).help(*help))
    }
}
use crate::fleet::{self, Input, SkippedInput, input::HostReport};
use crate::report::{self, Report};
use crate::snapshot::{Mode, Snapshot};

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports (`scan -o json=…`) and snapshots (`collect -o …`) of the hosts: files,
    /// directories (every *.json below them) or glob patterns.
    #[arg(value_name = "INPUT", required_unless_present = "print_schema")]
    pub inputs: Vec<String>,
    /// Format written to standard output.
    #[arg(long, short = 'f', value_enum, default_value_t = FleetFormat::Text)]
    pub format: FleetFormat,
    /// Also write FORMAT to PATH (repeatable), e.g. --output html=fleet.html.
    #[arg(long, short = 'o', value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub output: Vec<(FleetFormat, PathBuf)>,
    /// Flag hosts whose newest report finished more than DAYS ago (fractions allowed).
    #[arg(long, value_name = "DAYS")]
    pub stale: Option<f64>,
    /// The hosts that should have reported: one name per line (host label or hostname;
    /// `#` comments). Those without a report are listed as missing.
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// An older fleet JSON report: hosts and findings new or resolved since then.
    #[arg(long, value_name = "OLD-FLEET.json")]
    pub baseline: Option<PathBuf>,
    /// Exit with code 1 when any host has a result at or above this level.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Exit with code 1 when any host's score is below N.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub min_score: Option<i64>,
    /// Benchmarks and check folders that evaluate the snapshot inputs (as for `scan`).
    #[command(flatten)]
    pub checks: CheckArgs,
    /// Configuration file for evaluating snapshots: its benchmarks, trusted users, filters
    /// and waivers apply (as `scan --config`). Reports are taken as they are.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Write each host's own HTML report into DIR (`<input name>.html`), linked from the fleet
    /// HTML. Without it, an HTML report next to a JSON input (same name) is linked.
    #[arg(long, value_name = "DIR")]
    pub host_reports: Option<PathBuf>,
    /// Print the JSON Schema of the fleet JSON and exit.
    #[arg(long)]
    pub print_schema: bool,
    /// Print nothing on standard output (outputs given with --output are still written).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn parse_output(s: &str) -> Result<(FleetFormat, PathBuf), String> {
    let (format, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=PATH, got '{s}'"))?;
    if path.is_empty() {
        return Err(format!("no path after '{format}='"));
    }
    Ok((format.parse()?, PathBuf::from(path)))
}

/// One input file, classified.
enum Parsed {
    Host(Box<HostReport>, Option<Box<Report>>),
    Snapshot(Box<Snapshot>),
    Skipped(String),
}

pub fn run(args: MergeArgs) -> u8 {
    if args.print_schema {
        print!("{}", fleet::schema());
        return exit::OK;
    }
    if args.stale.is_some_and(|d| d.is_nan() || d < 0.0) {
        return fail(exit::USAGE, "--stale takes a number of days, 0 or more");
    }
    let config = match &args.config {
        Some(path) => match crate::config::load(path) {
            Ok(c) => Some(c),
            Err(e) => return fail(exit::USAGE, &e.to_string()),
        },
        None => None,
    };
    let inventory = match &args.inventory {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some(parse_inventory(&text)),
            Err(e) => {
                return fail(
                    exit::USAGE,
                    &format!("cannot read inventory {}: {e}", path.display()),
                );
            }
        },
        None => None,
    };
    let baseline = match &args.baseline {
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| fleet::parse(&t))
        {
            Ok(f) => Some(f),
            Err(e) => return fail(exit::USAGE, &format!("baseline {}: {e}", path.display())),
        },
        None => None,
    };
    let outputs: Vec<PathBuf> = args.output.iter().map(|(_, p)| absolute(p)).collect();
    let files = match expand(&args.inputs) {
        Ok(f) => f,
        Err(e) => return fail(exit::USAGE, &e),
    };
    // Our own outputs, from an earlier run into the same directory, are not inputs.
    let files: Vec<PathBuf> = files
        .into_iter()
        .filter(|f| !outputs.contains(&absolute(f)))
        .collect();
    if files.is_empty() {
        return fail(
            exit::USAGE,
            &format!(
                "no JSON report or snapshot found in {}",
                args.inputs.join(" ")
            ),
        );
    }
    let full = args.host_reports.is_some();
    let parsed = par_map(&files, |path| classify(path, full));
    let mut errors = Vec::new();
    let mut hosts: Vec<(usize, HostReport, Option<Box<Report>>)> = Vec::new();
    let mut snapshots: Vec<(usize, Snapshot)> = Vec::new();
    let mut skipped = Vec::new();
    for (i, p) in parsed.into_iter().enumerate() {
        match p {
            Ok(Parsed::Host(h, r)) => hosts.push((i, *h, r)),
            Ok(Parsed::Snapshot(s)) => snapshots.push((i, *s)),
            Ok(Parsed::Skipped(reason)) => skipped.push(SkippedInput {
                source: files[i].display().to_string(),
                reason,
            }),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("dockbench: {e}");
        }
        return fail(
            exit::USAGE,
            &format!(
                "{} of {} could not be read; nothing merged",
                errors.len(),
                crate::term::count(files.len(), "input")
            ),
        );
    }

    // Version 1 reports carry neither severities nor each result's benchmark: both come from
    // the embedded benchmarks they name, as `report`/`diff` read them (`json::parse`).
    upgrade_v1(&mut hosts);
    if !snapshots.is_empty() {
        let cfg = config.unwrap_or_default();
        let checks = CheckArgs {
            benchmark: if args.checks.benchmark.is_empty() {
                cfg.scan.benchmarks.clone()
            } else {
                args.checks.benchmark.clone()
            },
            checks_dir: if args.checks.checks_dir.is_empty() {
                cfg.scan.checks_dirs.clone()
            } else {
                args.checks.checks_dir.clone()
            },
        };
        let (benches, env) = match super::load_benchmarks(&checks) {
            Ok(b) => b,
            Err(e) => return fail(exit::USAGE, &e),
        };
        let evaluated = evaluate(snapshots, &benches, &env, &cfg);
        hosts.extend(
            evaluated
                .into_iter()
                .map(|(i, r)| (i, HostReport::of(&r), Some(Box::new(r)))),
        );
    }

    // Links to each host's own report, relative to the fleet HTML when possible.
    let html_dir = args
        .output
        .iter()
        .find(|(f, _)| *f == FleetFormat::Html)
        .map(|(_, p)| {
            absolute(p)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        });
    let mut code = exit::OK;
    if let Some(dir) = &args.host_reports
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("dockbench: cannot create {}: {e}", dir.display());
        code = exit::OUTPUT;
    }
    let mut used_names = std::collections::HashSet::new();
    let mut inputs = Vec::with_capacity(hosts.len());
    hosts.sort_by_key(|(i, _, _)| *i);
    for (i, host, full_report) in hosts {
        let file = &files[i];
        let report_html = match (&args.host_reports, &full_report) {
            (Some(dir), Some(r)) if code == exit::OK => {
                let name = unique_name(file, &mut used_names);
                let path = dir.join(&name);
                match crate::output::write_atomic(
                    &path,
                    report::render(r, report::Format::Html, false).as_bytes(),
                ) {
                    Ok(()) => Some(link(&path, html_dir.as_deref())),
                    Err(e) => {
                        eprintln!("dockbench: cannot write {}: {e}", path.display());
                        code = exit::OUTPUT;
                        None
                    }
                }
            }
            _ => {
                let sibling = file.with_extension("html");
                sibling
                    .is_file()
                    .then(|| link(&sibling, html_dir.as_deref()))
            }
        };
        inputs.push(Input {
            report: host,
            source: file.display().to_string(),
            report_html,
        });
    }

    let opts = fleet::Options {
        stale_days: args.stale,
        inventory,
        fail_on: args.fail_on,
        min_score: args.min_score,
    };
    let mut merged = fleet::merge(inputs, skipped, &opts, chrono::Utc::now());
    merged.baseline = baseline.map(|old| fleet::baseline::diff(&old, &merged));
    for s in &merged.skipped_inputs {
        eprintln!("dockbench: skipped {}: {}", s.source, s.reason);
    }
    for (format, path) in &args.output {
        if let Err(e) =
            crate::output::write_atomic(path, fleet::render::render(&merged, *format).as_bytes())
        {
            eprintln!("dockbench: cannot write {}: {e}", path.display());
            code = exit::OUTPUT;
        }
    }
    if !args.quiet {
        print!("{}", fleet::render::render(&merged, args.format));
    }
    if code == exit::OK && merged.summary.policy_failed > 0 {
        code = exit::POLICY;
    }
    code
}

/// Fills in the benchmark and severity of results that lack them (schema version 1): from
/// the first of the report's benchmarks, embedded in this dockbench, that has the check; a
/// check none has (a custom one) keeps no severity and goes to the report's first benchmark.
fn upgrade_v1(hosts: &mut [(usize, HostReport, Option<Box<Report>>)]) {
    let mut cache: std::collections::HashMap<String, Option<crate::engine::Benchmark>> =
        std::collections::HashMap::new();
    let env = crate::engine::cel_env();
    for (_, h, _) in hosts.iter_mut() {
        let lacking = |r: &fleet::input::HostResult| {
            r.severity.is_none() || r.benchmark.as_deref().is_none_or(str::is_empty)
        };
        if !h.results.iter().any(lacking) {
            continue;
        }
        let names: Vec<String> = if h.benchmarks.is_empty() {
            vec![h.benchmark.id.clone()]
        } else {
            h.benchmarks.iter().map(|b| b.id.clone()).collect()
        };
        for n in &names {
            cache
                .entry(n.clone())
                .or_insert_with(|| crate::engine::load_embedded(n, &env).ok());
        }
        for r in h.results.iter_mut().filter(|r| lacking(r)) {
            let found = names.iter().find_map(|n| {
                let b = cache.get(n)?.as_ref()?;
                b.checks.iter().find(|c| c.def.id == r.id).map(|c| (n, c))
            });
            match found {
                Some((n, c)) => {
                    if r.benchmark.as_deref().is_none_or(str::is_empty) {
                        r.benchmark = Some(n.clone());
                    }
                    if r.severity.is_none() {
                        r.severity = Some(c.def.severity);
                    }
                }
                None => {
                    if r.benchmark.as_deref().is_none_or(str::is_empty) {
                        r.benchmark = names.first().cloned();
                    }
                }
            }
        }
    }
}

/// Names of an inventory file: one per line, `#` starts a comment, blank lines ignored.
fn parse_inventory(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    names.dedup();
    names
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// `path` relative to `from` when it lies below it, else absolute.
fn link(path: &Path, from: Option<&Path>) -> String {
    let abs = absolute(path);
    match from.and_then(|f| abs.strip_prefix(f).ok()) {
        Some(rel) => rel.display().to_string(),
        None => abs.display().to_string(),
    }
}

fn unique_name(file: &Path, used: &mut std::collections::HashSet<String>) -> String {
    let stem: String = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "host".into())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut name = format!("{stem}.html");
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("{stem}-{n}.html");
        n += 1;
    }
    name
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// Files, directories (every `*.json` below, sorted) and glob patterns, in order, without
/// repeats. A name that matches nothing is an error.
fn expand(args: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |p: PathBuf, out: &mut Vec<PathBuf>| {
        if seen.insert(p.clone()) {
            out.push(p);
        }
    };
    for arg in args {
        let path = Path::new(arg);
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found).map_err(|e| format!("cannot read {arg}: {e}"))?;
            found.retain(|p| p.extension().is_some_and(|e| e == "json"));
            found.sort();
            for p in found {
                add(p, &mut out);
            }
        } else if path.exists() {
            add(path.to_path_buf(), &mut out);
        } else if has_glob(arg) {
            let glob = globset::GlobBuilder::new(arg)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("bad pattern {arg}: {e}"))?
                .compile_matcher();
            // Walk from the pattern's literal leading directories.
            let mut base = PathBuf::new();
            for c in path.components() {
                if has_glob(&c.as_os_str().to_string_lossy()) {
                    break;
                }
                base.push(c);
            }
            if base.as_os_str().is_empty() {
                base.push(".");
            }
            let mut found = Vec::new();
            if base.is_dir() {
                walk(&base, &mut found)
                    .map_err(|e| format!("cannot read {}: {e}", base.display()))?;
            }
            let strip_dot = !arg.starts_with("./");
            found.retain(|p| {
                let p = if strip_dot {
                    p.strip_prefix("./").unwrap_or(p)
                } else {
                    p
                };
                glob.is_match(p)
            });
            if found.is_empty() {
                return Err(format!("{arg}: no file matches"));
            }
            found.sort();
            for p in found {
                let p = if strip_dot {
                    p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p)
                } else {
                    p
                };
                add(p, &mut out);
            }
        } else {
            return Err(format!("{arg}: no such file or directory"));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            walk(&path, out)?;
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            out.push(path);
        }
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct Probe {
    schema_version: Option<u64>,
    format_version: Option<u64>,
    fleet_schema_version: Option<u64>,
}

/// Reads one input: a host report, a snapshot, or a fleet report (skipped). `full`: also the
/// whole Report (for `--host-reports`).
fn classify(path: &Path, full: bool) -> Result<Parsed, String> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if let Ok(h) = serde_json::from_slice::<HostReport>(&bytes)
        && (1..=report::SCHEMA_VERSION).contains(&h.schema_version)
    {
        let r = if full {
            let text = std::str::from_utf8(&bytes).map_err(|e| format!("{shown}: {e}"))?;
            Some(Box::new(
                report::json::parse(text).map_err(|e| format!("{shown}: {e}"))?,
            ))
        } else {
            None
        };
        return Ok(Parsed::Host(Box::new(h), r));
    }
    let probe: Probe =
        serde_json::from_slice(&bytes).map_err(|e| format!("{shown}: not valid JSON: {e}"))?;
    if probe.fleet_schema_version.is_some() {
        return Ok(Parsed::Skipped("a fleet report, not a host's".into()));
    }
    if probe.format_version.is_some() {
        let text = std::str::from_utf8(&bytes).map_err(|e| format!("{shown}: {e}"))?;
        let mut snap = Snapshot::from_json(text).map_err(|e| format!("{shown}: {e}"))?;
        snap.source.location = format!(
            "{shown} ({} collected from {})",
            snap.source.mode, snap.source.location
        );
        snap.source.mode = Mode::Snapshot;
        return Ok(Parsed::Snapshot(Box::new(snap)));
    }
    if probe.schema_version.is_some() {
        // A report this version cannot read: the full parser says why.
        let text = String::from_utf8_lossy(&bytes);
        return Err(match report::json::parse(&text) {
            Err(e) => format!("{shown}: {e}"),
            Ok(_) => format!("{shown}: not a dockbench JSON report"),
        });
    }
    Err(format!(
        "{shown}: neither a dockbench JSON report (`scan -o json=…`) nor a snapshot (`collect`)"
    ))
}

/// Evaluates snapshots as `scan --snapshot` would, with the configuration's trusted users,
/// filters and waivers.
fn evaluate(
    snapshots: Vec<(usize, Snapshot)>,
    benches: &[crate::engine::Benchmark],
    env: &std::sync::Arc<cel::Env>,
    cfg: &crate::config::Config,
) -> Vec<(usize, Report)> {
    let checks: Vec<&crate::engine::Check> = benches.iter().flat_map(|b| &b.checks).collect();
    let ids: Vec<&str> = checks.iter().map(|c| c.def.id.as_str()).collect();
    let options = crate::engine::eval::EvalOptions {
        trusted_users: cfg.scan.trusted_users.clone(),
    };
    let waivers = crate::engine::waivers::for_run(&cfg.waivers, &ids, &ids);
    let today = chrono::Utc::now().date_naive();
    snapshots
        .into_iter()
        .map(|(i, mut snap)| {
            let start = std::time::Instant::now();
            let filtered = (!cfg.filters.is_empty()).then(|| cfg.filters.apply(&mut snap));
            let mut results = crate::engine::eval::evaluate_with(&checks, &snap, env, &options);
            let applied = (!cfg.waivers.is_empty())
                .then(|| crate::engine::waivers::apply(&mut results, &snap, &waivers, today));
            let mut r = Report::new(
                benches,
                &snap,
                results,
                report::Timings {
                    collect_ms: 0,
                    evaluate_ms: start.elapsed().as_millis() as u64,
                },
            );
            r.filtered = filtered;
            r.waivers = applied;
            (i, r)
        })
        .collect()
}

/// `f` over `items` on every core, results in the items' order.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut parts: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= items.len() {
                            break mine;
                        }
                        mine.push((i, f(&items[i])));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a merge worker panicked"))
            .collect()
    });
    let mut all: Vec<(usize, R)> = parts.drain(..).flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_lines_and_comments() {
        assert_eq!(
            parse_inventory("web-1\n# comment\n\n db-2  # primary\n"),
            vec!["web-1".to_string(), "db-2".to_string()]
        );
    }

    #[test]
    fn output_argument_parses() {
        assert_eq!(
            parse_output("html=f.html").unwrap(),
            (FleetFormat::Html, PathBuf::from("f.html"))
        );
        assert!(parse_output("sarif=x").is_err());
        assert!(parse_output("html=").is_err());
    }
}
