//! `dockbench collect`: gather the facts once and save them for a later `scan --snapshot`.
use std::path::PathBuf;

use clap::Args;

use super::{SourceArgs, exit, scan::fail};

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Snapshot file to write ("-" for standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub lock: super::run_lock::LockArgs,
}

pub async fn run(args: CollectArgs) -> u8 {
    let to_file = args.output.as_os_str() != "-";
    let _lock = match args.lock.take(to_file.then_some(args.output.as_path())) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let snap = match args
        .source
        .collect(crate::progress::Progress::wanted(false), true)
        .await
    {
        Ok(s) => s,
        Err(e) => return fail(e.exit_code(), &e.to_string()),
    };
    let text = serde_json::to_string_pretty(&snap).expect("snapshot serialises") + "\n";
    if !to_file {
        return crate::output::print(&text);
    }
    match crate::output::write_atomic(&args.output, text.as_bytes()) {
        Ok(()) => {
            crate::term::error(&format!(
                "wrote {} ({}, {})",
                args.output.display(),
                crate::term::count(snap.containers.len(), "container"),
                crate::term::count(snap.images.len(), "image")
            ));
            exit::OK
        }
        Err(e) => fail(
            exit::OUTPUT,
            &format!("cannot write {}: {e}", args.output.display()),
        ),
    }
}
