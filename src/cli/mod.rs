//! Command line: raw arguments resolved into one config per subcommand.
pub mod checks;
pub mod collect;
pub mod diff;
pub mod format;
pub mod generate;
pub mod merge;
pub mod report;
pub mod run_lock;
pub mod scan;
pub mod schema;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::exit;

const AFTER_HELP: &str = "\
Exit codes:
  0  the run completed (findings do not change this unless a policy flag is given)
  1  policy: a result at or above --fail-on, a score below --min-score, or a new
     finding with --fail-on-new (WAIVED results never count)
  2  usage or input error (bad flag, invalid checks or configuration file, unreadable
     snapshot or baseline)
  3  could not collect: the Docker daemon could not be reached, or --root DIR has no
     Docker data root; or a partial scan: the daemon failed for some containers or
     images (reports are written, the affected checks are ERROR)
  4  an output file could not be written (the report was still produced)
  5  another dockbench run holds the lock on the outputs (see --lock, --wait-lock)";

#[derive(Debug, Parser)]
#[command(name = "dockbench", version, about = "Security benchmark runner for Docker hosts (CIS Docker Benchmark)", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per run: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
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
    /// Merge many hosts' reports (and snapshots) into one fleet report.
    Merge(merge::MergeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(generate::CompletionsArgs),
    /// Print the man page (roff) of dockbench and its subcommands.
    Man(generate::ManArgs),
    /// Regenerate the docs made from the registry (a development command, run in a checkout).
    #[command(hide = true)]
    Generate(generate::GenerateArgs),
}

/// Where facts come from.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// Docker daemon address, as the docker CLI reads it: unix:///PATH, tcp://HOST[:PORT]
    /// (port 2375, 2376 with TLS), HOST:PORT or ssh://[USER@]HOST[:PORT]. Default:
    /// $DOCKER_HOST, else the docker context, else unix:///var/run/docker.sock. See
    /// docs/connections.md.
    #[arg(long, short = 'H', value_name = "URL")]
    pub host: Option<String>,
    /// Docker context to scan (as `docker context ls` lists it). Default: $DOCKER_CONTEXT,
    /// else the current context of $DOCKER_CONFIG/config.json; --host and DOCKER_HOST win.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["host", "root"])]
    pub context: Option<String>,
    /// Use TLS without verifying the daemon: refused (use --tlsverify); accepted for the
    /// docker CLI's spelling only so that it fails clearly.
    #[arg(long, hide = true)]
    pub tls: bool,
    /// TCP with TLS, the daemon's certificate verified against --tlscacert (also: DOCKER_TLS_VERIFY
    /// set). Never falls back to plaintext.
    #[arg(long, conflicts_with = "root")]
    pub tlsverify: bool,
    /// CA certificate the daemon's certificate must chain to. Default: $DOCKER_CERT_PATH/ca.pem,
    /// else ~/.docker/ca.pem.
    #[arg(long, value_name = "PATH")]
    pub tlscacert: Option<PathBuf>,
    /// Client certificate. Default: $DOCKER_CERT_PATH/cert.pem, else ~/.docker/cert.pem.
    #[arg(long, value_name = "PATH")]
    pub tlscert: Option<PathBuf>,
    /// Client key. Default: $DOCKER_CERT_PATH/key.pem, else ~/.docker/key.pem.
    #[arg(long, value_name = "PATH")]
    pub tlskey: Option<PathBuf>,
    /// Scan a mounted clone of another host's disk offline: every fact is read from DIR
    /// (Docker's on-disk state, unit files, audit rules, passwd/group) — no daemon, no
    /// network, no writes. Facts only a running host has make their checks SKIP.
    #[arg(long, value_name = "DIR", conflicts_with = "host")]
    pub root: Option<PathBuf>,
    /// Also scan created, exited and paused containers (default: running only).
    #[arg(long, short = 'a', overrides_with = "no_all")]
    pub all: bool,
    /// Running containers only: the default (for `scan`, undoes `all = true` of the
    /// configuration file).
    #[arg(long, overrides_with = "all")]
    pub no_all: bool,
    /// Check every image on the host in section 4, not only the images containers use.
    #[arg(long, overrides_with = "no_all_images")]
    pub all_images: bool,
    /// Only the images containers use: the default (for `scan`, undoes `all_images = true`).
    #[arg(long, overrides_with = "all_images")]
    pub no_all_images: bool,
    /// Keep dockbench's own container in the scan when dockbench runs as a container (by
    /// default it is recognised and left out, with a note in the report).
    #[arg(long, overrides_with = "no_include_self")]
    pub include_self: bool,
    /// Leave dockbench's own container out: the default (for `scan`, undoes
    /// `include_self = true`).
    #[arg(long, overrides_with = "include_self")]
    pub no_include_self: bool,
    /// Give up a live scan after SECONDS in all (exit code 3); each request to the daemon
    /// also has its own deadline (30 s, or half of SECONDS when that is shorter). Default:
    /// 600.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
    /// Your name for this host (fleet, role, site), recorded in the report's host identity
    /// next to the hostname, machine-id and Docker engine ID.
    #[arg(long, value_name = "TEXT")]
    pub host_label: Option<String>,
}

/// A switch and its `--no-` form as a settings layer sees them: `Some(true)`, `Some(false)`,
/// or `None` when neither is given (the configuration file decides). clap's
/// `overrides_with` leaves only the last of the two set.
pub fn switch(on: bool, off: bool) -> Option<bool> {
    if on {
        Some(true)
    } else if off {
        Some(false)
    } else {
        None
    }
}

impl SourceArgs {
    /// Collects from the mounted root (`--root`) or the live daemon; `progress`: a progress
    /// line may be shown on stderr.
    /// `disk_usage`: ask the daemon's `/system/df` (see `LiveOptions::disk_usage`).
    pub async fn collect(
        &self,
        progress: bool,
        disk_usage: bool,
    ) -> Result<crate::snapshot::Snapshot, crate::collect::CollectError> {
        let options = crate::scan::ScanOptions {
            all: self.all,
            all_images: self.all_images,
            include_self: self.include_self,
            host_label: self.host_label.clone(),
            ..Default::default()
        };
        let source = match &self.root {
            Some(root) => crate::scan::Source::Root(root.clone()),
            None => crate::scan::Source::Live(self.live(progress)),
        };
        let wanted = match disk_usage {
            true => crate::collect::live::DiskUsageWanted::ALL,
            false => crate::collect::live::DiskUsageWanted::NONE,
        };
        crate::scan::collect(&options, source, wanted).await
    }

    /// The daemon to ask, as the library scan takes it (`crate::scan::Source::Live`).
    pub fn live(&self, progress: bool) -> crate::scan::LiveSource {
        crate::scan::LiveSource {
            connect: crate::collect::connect::ConnectArgs {
                host: self.host.clone(),
                context: self.context.clone(),
                tls: self.tls,
                tlsverify: self.tlsverify,
                tlscacert: self.tlscacert.clone(),
                tlscert: self.tlscert.clone(),
                tlskey: self.tlskey.clone(),
            },
            timeout: std::time::Duration::from_secs(
                self.timeout.unwrap_or(crate::scan::DEFAULT_TIMEOUT_SECS),
            ),
            progress,
        }
    }

    /// `--host-label`, on collected facts or a saved snapshot (where it replaces the stored one).
    pub fn apply_label(&self, snap: &mut crate::snapshot::Snapshot) {
        if let Some(label) = &self.host_label {
            snap.host.Label = label.clone();
        }
    }
}

/// Which checks run.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Benchmarks to run, in this order, e.g. `cis-docker-1.6.0,dockbench-practices`
    /// (comma-separated or repeated; `dockbench checks list --benchmarks` names them).
    /// Default: cis-docker-1.6.0.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub benchmark: Vec<String>,
    /// Load a benchmark folder of your own (benchmark.toml + check files); select it with
    /// --benchmark and its id.
    #[arg(long, value_name = "DIR")]
    pub checks_dir: Vec<PathBuf>,
}

pub use crate::scan::{FailOn, ProfileLevel};

/// `--level 1|2`: the names and help lines of [`ProfileLevel::VALUES`].
impl ValueEnum for ProfileLevel {
    fn value_variants<'a>() -> &'a [Self] {
        &[ProfileLevel::One, ProfileLevel::Two]
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let (_, name, help) = ProfileLevel::VALUES.iter().find(|(v, _, _)| v == self)?;
        Some(clap::builder::PossibleValue::new(*name).help(*help))
    }
}

/// `--fail-on`: the names and help lines of [`FailOn::VALUES`].
impl ValueEnum for FailOn {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            FailOn::Info,
            FailOn::Warn,
            FailOn::Error,
            FailOn::Critical,
            FailOn::High,
            FailOn::Medium,
            FailOn::Low,
        ]
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let (_, name, help) = FailOn::VALUES.iter().find(|(v, _, _)| v == self)?;
        Some(clap::builder::PossibleValue::new(*name).help(*help))
    }
}

/// The selected benchmarks in the order given, plus the CEL environment, or exit code 2
/// with a message. Check IDs must be unique across them.
pub fn load_benchmarks(
    args: &CheckArgs,
) -> Result<(Vec<crate::engine::Benchmark>, std::sync::Arc<cel::Env>), String> {
    crate::scan::load_benchmarks(&args.benchmark, &args.checks_dir)
}
