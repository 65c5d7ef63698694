//! `dockbench scan`: the arguments and the configuration file resolved into
//! [`ScanOptions`], the library scan (`crate::scan`) run, its report written and printed, and
//! its outcome mapped to the documented exit codes.
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::{CheckArgs, FailOn, SourceArgs, exit};
use crate::config::Config;
use crate::report::{self, Format};
use crate::scan::{self, Decision, ScanLayer, ScanOptions, Source};

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
    #[arg(long, overrides_with = "no_scored_only")]
    pub scored_only: bool,
    /// Run scored and unscored checks (undoes `scored_only = true`).
    #[arg(long, overrides_with = "scored_only")]
    pub no_scored_only: bool,
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
    #[arg(long, overrides_with = "no_fail_on_new")]
    pub fail_on_new: bool,
    /// New findings do not fail the run (undoes `fail_on_new = true`).
    #[arg(long, overrides_with = "fail_on_new")]
    pub no_fail_on_new: bool,
    /// No colours in the terminal report (also: NO_COLOR set in the environment).
    #[arg(long, overrides_with = "color")]
    pub no_color: bool,
    /// Colours on a terminal (undoes `no_color = true`; NO_COLOR still turns them off).
    #[arg(long, overrides_with = "no_color")]
    pub color: bool,
    #[command(flatten)]
    pub text: super::format::TextArgs,
    /// Print nothing on standard output (outputs given with --output are still written), and
    /// no progress line on standard error.
    #[arg(long, short = 'q', overrides_with = "no_quiet")]
    pub quiet: bool,
    /// Print the report on standard output (undoes `quiet = true`).
    #[arg(long, overrides_with = "quiet")]
    pub no_quiet: bool,
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

/// `scan`'s settings after merging the command line over the configuration file: what the
/// library scan needs ([`ScanOptions`]) and what only the binary does with its result.
struct Settings {
    scan: ScanOptions,
    format: Format,
    output: Vec<(Format, PathBuf)>,
    quiet: bool,
    no_color: bool,
    /// `view` and `remediation` (colour is decided when printing).
    text: report::text::TextOptions,
    source: super::SourceArgs,
}

/// Command line > configuration file > built-in default, for every setting both can give
/// (one [`ScanLayer`] each).
fn resolve(args: ScanArgs, config: Option<Config>) -> Settings {
    let cfg = config.unwrap_or_default();
    // Outputs: the file's, except formats the command line names again; then the command line's.
    let mut output: Vec<(Format, PathBuf)> = cfg
        .output
        .into_iter()
        .filter(|(f, _)| !args.output.iter().any(|(g, _)| g == f))
        .collect();
    output.extend(args.output);
    // A switch given neither way is unset (the file decides), not `false`.
    let switch = super::switch;
    let flags = ScanLayer {
        benchmarks: args.checks.benchmark,
        checks_dirs: args.checks.checks_dir,
        check: args.check,
        skip: args.skip,
        level: args.level,
        scored_only: switch(args.scored_only, args.no_scored_only),
        trusted_users: args.trusted_users,
        all: switch(args.source.all, args.source.no_all),
        all_images: switch(args.source.all_images, args.source.no_all_images),
        include_self: switch(args.source.include_self, args.source.no_include_self),
        host_label: args.source.host_label.clone(),
        baseline: args.baseline,
        fail_on: args.fail_on,
        min_score: args.min_score,
        fail_on_new: switch(args.fail_on_new, args.no_fail_on_new),
        host: args.source.host.clone(),
        timeout: args.source.timeout,
        format: args.format,
        quiet: switch(args.quiet, args.no_quiet),
        no_color: switch(args.no_color, args.color),
        view: args.text.view,
        remediation: switch(args.text.remediation, args.text.no_remediation),
    };
    let merged = flags.over(cfg.scan);
    let settings = (
        merged.format.unwrap_or(Format::Text),
        merged.quiet.unwrap_or(false),
        merged.no_color.unwrap_or(false),
        report::text::TextOptions {
            color: false,
            view: merged.view.unwrap_or_default(),
            remediation: merged.remediation.unwrap_or(false),
        },
        merged.host.clone(),
        merged.timeout,
    );
    let scan = merged.resolve(cfg.filters, cfg.waivers);
    let (format, quiet, no_color, text, host, timeout) = settings;
    let source = super::SourceArgs {
        host,
        timeout,
        all: scan.all,
        all_images: scan.all_images,
        include_self: scan.include_self,
        host_label: scan.host_label.clone(),
        ..args.source
    };
    Settings {
        scan,
        format,
        output,
        quiet,
        no_color,
        text,
        source,
    }
}

/// `dockbench scan`: parse, resolve, run the library scan, write and print, exit code.
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
    let text_flags = args.text.given();
    let set = resolve(args, config);
    let mut rendered: Vec<Format> = set.output.iter().map(|(f, _)| *f).collect();
    if !set.quiet {
        rendered.insert(0, set.format);
    }
    super::format::note_unused_text_flags(&text_flags, &rendered);
    if let Some(path) = crate::output::repeated(set.output.iter().map(|(_, p)| p.as_path())) {
        return fail(
            exit::USAGE,
            &format!(
                "{} is given twice as an output: each --output needs its own file",
                path.display()
            ),
        );
    }
    let prepared = match scan::prepare(&set.scan) {
        Ok(p) => p,
        Err(e) => return fail(e.exit_code(), &e.to_string()),
    };
    // Taken before collecting, so an overlapping run fails fast instead of after its scan.
    let _lock = match lock_args.take(set.output.first().map(|(_, p)| p.as_path())) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let source = match &snapshot_path {
        Some(path) => match scan::read_snapshot(path) {
            Ok(s) => s,
            Err(e) => return fail(e.exit_code(), &e.to_string()),
        },
        None => match &set.source.root {
            Some(root) => Source::Root(root.clone()),
            None => Source::Live(
                set.source
                    .live(crate::progress::Progress::wanted(set.quiet)),
            ),
        },
    };
    let outcome = match prepared.run(source).await {
        Ok(o) => o,
        Err(e) => return fail(e.exit_code(), &e.to_string()),
    };
    let report = &outcome.report;

    let render_start = Instant::now();
    let jobs: Vec<(Format, &std::path::Path)> =
        set.output.iter().map(|(f, p)| (*f, p.as_path())).collect();
    let mut code = crate::output::write_outputs(&jobs, |format, w| {
        report::render_to_with(report, *format, &set.text, w)
    });
    if !set.quiet {
        let color = set.format == Format::Text
            && !set.no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal();
        // Streamed: no String of the whole rendering (a SARIF of 10,000 containers is 130 MB).
        let options = report::text::TextOptions { color, ..set.text };
        let printed =
            crate::output::print_with(|w| report::render_to_with(report, set.format, &options, w));
        if printed != exit::OK {
            code = printed;
        }
    }
    // For scripts/bench.sh: where a run's time goes, without a profiler.
    if std::env::var_os("DOCKBENCH_TIMINGS").is_some_and(|v| !v.is_empty()) {
        eprintln!(
            "timings: load {} ms, collect {} ms, evaluate {} ms, render {} ms",
            outcome.load_ms,
            report.timings.collect_ms,
            report.timings.evaluate_ms,
            render_start.elapsed().as_millis()
        );
    }
    match outcome.decision() {
        // A partial scan is never a pass, whatever the policy says.
        Decision::Partial(faults) if code != exit::OUTPUT => {
            crate::term::error(&format!("exit code 3: partial scan: {}", faults.join("; ")));
            exit::COLLECT
        }
        Decision::PolicyFailed(why) if code == exit::OK => {
            // Also with -q: a gate that fails must say why.
            crate::term::error(&format!("exit code 1: {}", why.join("; ")));
            exit::POLICY
        }
        _ => code,
    }
}

pub fn fail(code: u8, message: &str) -> u8 {
    crate::term::error(message);
    code
}

#[cfg(test)]
mod tests {
    use super::*;

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

#[cfg(test)]
mod layer_tests {
    use super::*;
    use clap::Parser;

    fn settings(args: &[&str], file: &str) -> Settings {
        let cli =
            crate::cli::Cli::try_parse_from(["dockbench", "scan"].iter().chain(args).copied())
                .unwrap();
        let crate::cli::Command::Scan(args) = cli.command else {
            panic!("not scan")
        };
        resolve(args, Some(crate::config::parse(file, "t.toml").unwrap()))
    }

    /// Flags win both ways: `--no-X` turns off what the file turns on, and `--X` turns on
    /// what the file leaves off; the last of `--X`/`--no-X` on the command line wins.
    #[test]
    fn switches_of_the_file_are_turned_off_by_flags() {
        let file = "all = true\nall_images = true\ninclude_self = true\nscored_only = true\n\
                    quiet = true\nno_color = true\nremediation = true\n";
        let s = settings(
            &[
                "--no-all",
                "--no-all-images",
                "--no-include-self",
                "--no-scored-only",
                "--no-quiet",
                "--color",
                "--no-remediation",
            ],
            file,
        );
        assert!(!s.scan.all && !s.scan.all_images && !s.scan.include_self);
        assert!(!s.source.all && !s.source.all_images && !s.source.include_self);
        assert!(!s.scan.scored_only && !s.quiet && !s.no_color && !s.text.remediation);
        let s = settings(&[], file);
        assert!(s.scan.all && s.scan.scored_only && s.quiet && s.no_color && s.text.remediation);
        let s = settings(&["--all", "--no-all"], "");
        assert!(!s.scan.all);
        let s = settings(&["--no-all", "-a"], "");
        assert!(s.scan.all);
        let s = settings(&["--no-fail-on-new"], "fail_on_new = true\n");
        assert!(!s.scan.fail_on_new);
    }

    #[test]
    fn view_remediation_and_timeout_come_from_the_file_unless_flags_say() {
        use crate::report::text::TextView;
        let file = "view = \"full\"\nremediation = true\ntimeout = 42\n";
        let s = settings(&[], file);
        assert_eq!(s.text.view, TextView::Full);
        assert!(s.text.remediation);
        assert_eq!(s.source.live(false).timeout.as_secs(), 42);
        let s = settings(&["--view", "summary", "--timeout", "7"], file);
        assert_eq!(s.text.view, TextView::Summary);
        assert_eq!(s.source.live(false).timeout.as_secs(), 7);
        let s = settings(&[], "");
        assert_eq!(s.text.view, TextView::Findings);
        assert!(!s.text.remediation);
        assert_eq!(
            s.source.live(false).timeout.as_secs(),
            crate::scan::DEFAULT_TIMEOUT_SECS
        );
    }
}
