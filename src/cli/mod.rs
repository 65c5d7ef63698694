//! Command line: raw arguments resolved into one config per subcommand.
pub mod checks;
pub mod collect;
pub mod diff;
pub mod report;
pub mod scan;
pub mod schema;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes (documented in the README and in `--help`).
pub mod exit {
    /// The run completed (whatever the findings, unless --fail-on says otherwise).
    pub const OK: u8 = 0;
    /// Policy: --fail-on level reached, score below --min-score, or (diff) --fail-on-new.
    pub const POLICY: u8 = 1;
    /// Bad usage or bad input: unknown flag, invalid check files, unreadable snapshot.
    pub const USAGE: u8 = 2;
    /// Nothing to scan: the Docker daemon could not be reached.
    pub const COLLECT: u8 = 3;
    /// The scan ran but an output file could not be written (the others were written).
    pub const OUTPUT: u8 = 4;
}

const AFTER_HELP: &str = "\
Exit codes:
  0  the run completed (findings do not change this unless a policy flag is given)
  1  policy: a result at or above --fail-on, a score below --min-score, or a new
     finding with --fail-on-new (WAIVED results never count)
  2  usage or input error (bad flag, invalid checks or configuration file, unreadable
     snapshot or baseline)
  3  could not collect: the Docker daemon could not be reached
  4  an output file could not be written (the report was still produced)";

#[derive(Debug, Parser)]
#[command(name = "dockbench", version, about = "Security benchmark runner for Docker hosts (CIS Docker Benchmark)", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect facts, evaluate the checks and report.
    Scan(scan::ScanArgs),
    /// Collect facts and write them to a snapshot file for a later `scan --snapshot`.
    Collect(collect::CollectArgs),
    /// List, show or validate checks.
    #[command(subcommand)]
    Checks(checks::ChecksCommand),
    /// Re-render a saved JSON report in any format.
    Report(report::ReportArgs),
    /// Compare two saved JSON reports: findings new, resolved or unchanged.
    Diff(diff::DiffArgs),
    /// Print the JSON Schema of the JSON report.
    Schema(schema::SchemaArgs),
}

/// Where facts come from.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// Docker daemon address (unix:///path or tcp://host:port). Default: $DOCKER_HOST, else
    /// unix:///var/run/docker.sock.
    #[arg(long, value_name = "URL")]
    pub host: Option<String>,
    /// Also scan created, exited and paused containers (default: running only).
    #[arg(long, short = 'a')]
    pub all: bool,
    /// Check every image on the host in section 4, not only the images containers use.
    #[arg(long)]
    pub all_images: bool,
}

impl SourceArgs {
    pub fn live_options(&self) -> crate::collect::LiveOptions {
        crate::collect::LiveOptions {
            host: self.host.clone(),
            all: self.all,
            all_images: self.all_images,
        }
    }
}

/// Which checks run.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Benchmark to run (see `dockbench checks list --benchmarks`). Default: cis-docker-1.6.0.
    #[arg(long, value_name = "NAME")]
    pub benchmark: Option<String>,
    /// Load a benchmark folder of your own (benchmark.toml + check files); select it with
    /// --benchmark and its id.
    #[arg(long, value_name = "DIR")]
    pub checks_dir: Vec<PathBuf>,
}

/// CIS profile level (`--level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileLevel {
    /// Level 1 checks (plus the swarm checks, which have their own Level 1 profile).
    #[value(name = "1")]
    One,
    /// Level 1 and Level 2 checks (Level 2 includes Level 1): everything.
    #[value(name = "2")]
    Two,
}

impl ProfileLevel {
    pub fn includes(self, level: crate::engine::check::Level) -> bool {
        use crate::engine::check::Level;
        match self {
            ProfileLevel::One => matches!(level, Level::L1 | Level::Swarm),
            ProfileLevel::Two => true,
        }
    }
}

/// Minimum status that makes `--fail-on` exit with code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    /// Any INFO, WARN or ERROR.
    Info,
    /// Any WARN or ERROR.
    Warn,
    /// Any ERROR (a check that could not be evaluated).
    Error,
}

/// A loaded benchmark plus the CEL environment, or exit code 2 with a message.
pub fn load_benchmark(
    args: &CheckArgs,
) -> Result<(crate::engine::Benchmark, std::sync::Arc<cel::Env>), String> {
    let env = crate::engine::cel_env();
    let id = args
        .benchmark
        .as_deref()
        .unwrap_or(crate::engine::DEFAULT_BENCHMARK);
    for dir in &args.checks_dir {
        let b = crate::engine::load_dir(dir, &env).map_err(|e| e.to_string())?;
        if b.def.id == id {
            return Ok((b, env));
        }
    }
    let b = crate::engine::load_embedded(id, &env).map_err(|e| e.to_string())?;
    Ok((b, env))
}
