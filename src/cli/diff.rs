//! `dockbench diff OLD.json NEW.json`: what changed between two saved JSON reports, at
//! check × object granularity (see `report::diff` for the key).
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{exit, scan::fail};
use crate::report::diff;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older JSON report (the baseline).
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The newer JSON report.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit with code 1 when a finding is new.
    #[arg(long)]
    pub fail_on_new: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Counts, then one line per new and resolved finding.
    Text,
    /// Counts and every new, resolved and unchanged finding.
    Json,
    /// Tables for merge requests and wikis.
    Markdown,
}

pub fn run(args: DiffArgs) -> u8 {
    let old = match super::report::read(&args.old) {
        Ok(r) => r,
        Err(e) => return fail(exit::USAGE, &e),
    };
    let new = match super::report::read(&args.new) {
        Ok(r) => r,
        Err(e) => return fail(exit::USAGE, &e),
    };
    let d = diff::diff(&old, &new);
    match args.format {
        DiffFormat::Text => print!("{}", diff::render_text(&d, false)),
        DiffFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&d).expect("a diff serialises")
        ),
        DiffFormat::Markdown => print!("{}", diff::render_markdown(&d)),
    }
    if args.fail_on_new && d.counts.new > 0 {
        exit::POLICY
    } else {
        exit::OK
    }
}
