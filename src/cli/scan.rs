//! `dockbench scan`: collect (or read a snapshot), evaluate, report.
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::{CheckArgs, FailOn, SourceArgs, exit};
use crate::engine::select::Selection;
use crate::report::{self, Format, Report, Status};
use crate::snapshot::{Mode, Snapshot};

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Evaluate a snapshot written by `dockbench collect` instead of asking a daemon.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["host", "root", "all", "all_images", "include_self"])]
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
    /// Users allowed in the docker group (check 1.1.2 WARNs on any other member; without
    /// this it lists the members as INFO). Comma-separated or repeated.
    #[arg(long, value_name = "USERS", value_delimiter = ',')]
    pub trusted_users: Vec<String>,
    /// Format written to standard output.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write FORMAT to PATH (repeatable), e.g. --output json=report.json.
    #[arg(long, short = 'o', value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub output: Vec<(Format, PathBuf)>,
    /// Exit with code 1 when a result at or above this level exists.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// No colours in the terminal report (also: NO_COLOR set in the environment).
    #[arg(long)]
    pub no_color: bool,
    /// Print nothing on standard output (outputs given with --output are still written), and
    /// no progress line on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub lock: super::run_lock::LockArgs,
}

fn parse_output(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=PATH, got '{s}'"))?;
    if path.is_empty() {
        return Err(format!("no path after '{format}='"));
    }
    Ok((format.parse()?, PathBuf::from(path)))
}

pub async fn run(args: ScanArgs) -> u8 {
    let (benches, env) = match super::load_benchmarks(&args.checks) {
        Ok(b) => b,
        Err(e) => return fail(exit::USAGE, &e),
    };
    let bench_names: Vec<&str> = benches.iter().map(|b| b.def.id.as_str()).collect();
    let all_checks: Vec<&crate::engine::Check> = benches.iter().flat_map(|b| &b.checks).collect();
    let selection = Selection {
        check: args.check.clone(),
        skip: args.skip.clone(),
    };
    let ids: Vec<&str> = all_checks.iter().map(|c| c.def.id.as_str()).collect();
    let unmatched = selection.unmatched(&ids);
    if !unmatched.is_empty() {
        return fail(
            exit::USAGE,
            &format!(
                "no check of {} matches: {} (see `dockbench checks list`)",
                bench_names.join(", "),
                unmatched.join(", ")
            ),
        );
    }

    // Taken before collecting, so an overlapping run fails fast instead of after its scan.
    let _lock = match args
        .lock
        .take(args.output.first().map(|(_, p)| p.as_path()))
    {
        Ok(l) => l,
        Err(code) => return code,
    };

    let collect_start = Instant::now();
    let snapshot = match &args.snapshot {
        Some(path) => match read_snapshot(path) {
            Ok(mut s) => {
                if let Some(label) = &args.source.host_label {
                    s.host.Label = label.clone();
                }
                s
            }
            Err(e) => return fail(exit::USAGE, &e),
        },
        None => match args
            .source
            .collect(crate::progress::Progress::wanted(args.quiet))
            .await
        {
            Ok(s) => s,
            Err(e) => return fail(exit::COLLECT, &e.to_string()),
        },
    };
    let collect_ms = collect_start.elapsed().as_millis() as u64;

    let eval_start = Instant::now();
    let selected: Vec<&crate::engine::Check> = all_checks
        .iter()
        .copied()
        .filter(|c| selection.selects(&c.def.id))
        .filter(|c| args.level.is_none_or(|l| l.includes(c.def.level)))
        .collect();
    let options = crate::engine::eval::EvalOptions {
        trusted_users: args.trusted_users.clone(),
    };
    let results = crate::engine::eval::evaluate_with(&selected, &snapshot, &env, &options);
    let evaluate_ms = eval_start.elapsed().as_millis() as u64;
    let report = Report::new(
        &benches,
        &snapshot,
        results,
        report::Timings {
            collect_ms,
            evaluate_ms,
        },
    );

    let mut code = exit::OK;
    for (format, path) in &args.output {
        if let Err(e) =
            crate::output::write_atomic(path, report::render(&report, *format, false).as_bytes())
        {
            eprintln!("dockbench: cannot write {}: {e}", path.display());
            code = exit::OUTPUT;
        }
    }
    if !args.quiet {
        let color = args.format == Format::Text
            && !args.no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal();
        print!("{}", report::render(&report, args.format, color));
    }
    if code == exit::OK
        && let Some(level) = args.fail_on
        && report.results.iter().any(|r| meets(r.status, level))
    {
        code = exit::POLICY;
    }
    code
}

/// Does `status` count for `--fail-on level`?
fn meets(status: Status, level: FailOn) -> bool {
    let rank = match status {
        Status::Info => FailOn::Info,
        Status::Warn => FailOn::Warn,
        Status::Error => FailOn::Error,
        _ => return false,
    };
    rank >= level
}

fn read_snapshot(path: &PathBuf) -> Result<Snapshot, String> {
    let text = std::fs::read_to_string(path)
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
    snap.source.location = origin;
    Ok(snap)
}

pub fn fail(code: u8, message: &str) -> u8 {
    eprintln!("dockbench: {message}");
    code
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
        assert!(parse_output("pdf=x").is_err());
    }
}
