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
    let text = match args.format {
        DiffFormat::Text => diff::render_text(&crate::term::safe_copy(&d), false),
        DiffFormat::Json => serde_json::to_string_pretty(&d).expect("a diff serialises") + "\n",
        DiffFormat::Markdown => diff::render_markdown(&d),
    };
    let printed = crate::output::print(&text);
    if printed != exit::OK {
        printed
    } else if args.fail_on_new && d.counts.new > 0 {
        crate::term::error(&format!(
            "exit code 1: {} new finding{} since {} (--fail-on-new)",
            d.counts.new,
            if d.counts.new == 1 { "" } else { "s" },
            args.old.display()
        ));
        exit::POLICY
    } else {
        exit::OK
    }
}
