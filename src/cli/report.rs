//! `dockbench report`: re-render a saved JSON report (`scan --format json`) in any format.
//!
//! Outputs work as in `scan`: `--format` is written to standard output, and each
//! `--output FORMAT=PATH` also writes FORMAT to PATH. In addition, `--output PATH` without a
//! format prefix writes the `--format` rendering to PATH instead of standard output, so
//! `dockbench report r.json --format html -o report.html` does what it reads like.
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::{exit, scan::fail};
use crate::report::{self, Format};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A JSON report written by `dockbench scan --format json` (or `-o json=FILE`); "-" for
    /// standard input.
    #[arg(value_name = "RESULT.json")]
    pub input: PathBuf,
    /// Format written to standard output (or to a PATH given with --output without FORMAT=).
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write FORMAT to PATH (repeatable), e.g. --output sarif=report.sarif; a bare PATH
    /// takes the format its extension names (report.json), else the --format output instead of
    /// standard output.
    #[arg(long, short = 'o', value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub output: Vec<Output>,
    /// No colours in the terminal report (also: NO_COLOR set in the environment).
    #[arg(long)]
    pub no_color: bool,
    /// Print nothing on standard output (outputs given with --output are still written).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub text: super::format::TextArgs,
    #[command(flatten)]
    pub lock: super::run_lock::LockArgs,
}

/// One `--output`: an explicit format, or (None) the `--format` one.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub format: Option<Format>,
    pub path: PathBuf,
}

fn parse_output(s: &str) -> Result<Output, String> {
    if s.is_empty() {
        return Err("empty path".into());
    }
    if let Some((format, path)) = s.split_once('=')
        && let Ok(format) = format.parse::<Format>()
    {
        if path.is_empty() {
            return Err(format!("no path after '{}='", format.name()));
        }
        return Ok(Output {
            format: Some(format),
            path: PathBuf::from(path),
        });
    }
    Ok(Output {
        format: None,
        path: PathBuf::from(s),
    })
}

pub use crate::report::json::read;

pub fn run(args: ReportArgs) -> u8 {
    if let Some(path) = crate::output::repeated(args.output.iter().map(|o| o.path.as_path())) {
        return fail(
            exit::USAGE,
            &format!(
                "{} is given twice as an output: each --output needs its own file",
                path.display()
            ),
        );
    }
    // Taken before the input is read, as in `scan`: the lock covers the whole run.
    let _lock = match args
        .lock
        .take(args.output.first().map(|o| o.path.as_path()))
    {
        Ok(l) => l,
        Err(code) => return code,
    };
    let report = match read(&args.input) {
        Ok(mut r) => {
            // A report written by an older dockbench may quote secrets in its evidence.
            crate::engine::secrets::redact_report(&mut r);
            r
        }
        Err(e) => return fail(exit::USAGE, &e),
    };
    let mut stdout = !args.quiet;
    let mut rendered: Vec<Format> = Vec::new();
    for out in &args.output {
        rendered.push(
            out.format
                .or_else(|| Format::from_extension(&out.path))
                .unwrap_or(args.format),
        );
    }
    if stdout && args.output.iter().all(|o| o.format.is_some()) {
        rendered.push(args.format);
    }
    super::format::note_unused_text_flags(&args.text.given(), &rendered);
    let mut jobs: Vec<(Format, &std::path::Path)> = Vec::new();
    for out in &args.output {
        // A bare path: its extension's format (`-o report.sarif`), else the --format one.
        let format = out
            .format
            .or_else(|| Format::from_extension(&out.path))
            .unwrap_or(args.format);
        if out.format.is_none() {
            stdout = false;
        }
        jobs.push((format, out.path.as_path()));
    }
    let options = args.text.options(false);
    let mut code = crate::output::write_outputs(&jobs, |format, w| {
        report::render_to_with(&report, *format, &options, w)
    });
    if stdout {
        let color = args.format == Format::Text
            && !args.no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal();
        let printed = crate::output::print_with(|w| {
            report::render_to_with(&report, args.format, &args.text.options(color), w)
        });
        if printed != exit::OK {
            code = printed;
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_format_path_or_a_bare_path() {
        assert_eq!(
            parse_output("sarif=r.sarif").unwrap(),
            Output {
                format: Some(Format::Sarif),
                path: "r.sarif".into()
            }
        );
        assert_eq!(
            parse_output("docker-bench=db.json").unwrap().format,
            Some(Format::DockerBench)
        );
        assert_eq!(
            parse_output("report.html").unwrap(),
            Output {
                format: None,
                path: "report.html".into()
            }
        );
        // Not a format before '=': a path that contains '='.
        assert_eq!(parse_output("a=b.html").unwrap().format, None);
        assert!(parse_output("html=").is_err());
    }
}
