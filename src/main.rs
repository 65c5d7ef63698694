//! dockbench: security benchmark runner for Docker hosts.
use std::process::ExitCode;

use clap::Parser;
use dockbench::cli::{Cli, Command};

// A scan allocates and frees millions of small strings and CEL values (malloc and free were a
// quarter of the samples of a 10,000-container scan), and renders formats on several threads:
// glibc's per-thread arenas could not reuse the memory evaluation had freed (peak RSS 257 →
// 465 MiB). mimalloc is faster at both and returns freed pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` of mimalloc.h's `mi_option_e` (15 in mimalloc 2 and 3; the -sys
/// crate names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed pages go back to the OS after 10 ms (mimalloc 2's default) instead of mimalloc 3's
/// second: a scan frees each object's values as it goes, and with the long delay its peak RSS
/// held them all (10,000 containers, both benchmarks, all formats: 258 → 197 MiB; 1,000 live:
/// 54–80 → 36 MiB). 0 ms saved 3 MiB more for 0.25 s more system time.
fn allocator_options() {
    // SAFETY: sets an option's value (an integer in mimalloc's option table); valid at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    allocator_options();
    // A panic is a bug, never an answer to input; its message may quote scanned data (a
    // suspected secret), so only where it happened is printed.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        dockbench::term::error(&format!(
            "internal error{at}: this is a bug, please report it (details are not printed: they may quote scanned data)"
        ));
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                dockbench::cli::exit::USAGE
            } else {
                0
            });
        }
    };
    let code = match cli.command {
        Command::Scan(args) => dockbench::cli::scan::run(args).await,
        Command::Collect(args) => dockbench::cli::collect::run(args).await,
        Command::Checks(cmd) => dockbench::cli::checks::run(cmd),
        Command::Report(args) => dockbench::cli::report::run(args),
        Command::Diff(args) => dockbench::cli::diff::run(args),
        Command::Schema(args) => dockbench::cli::schema::run(args),
        Command::Merge(args) => dockbench::cli::merge::run(args),
        Command::Completions(args) => dockbench::cli::generate::run_completions(args),
        Command::Man(args) => dockbench::cli::generate::run_man(args),
        Command::Generate(args) => dockbench::cli::generate::run_generate(args),
    };
    ExitCode::from(code)
}
