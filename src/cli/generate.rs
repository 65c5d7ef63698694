//! `dockbench completions SHELL` and `dockbench man`: generated from the clap definition, so
//! they never drift from the real flags.
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, exit};

mod docs;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {}

pub fn completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "dockbench", &mut out);
    out
}

/// One roff page: dockbench's own, followed by a section per subcommand (nested ones too),
/// so `man dockbench` shows every flag.
pub fn man_page() -> Vec<u8> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render(&mut out).expect("writing to memory");
    let mut roff = clap_mangen::roff::Roff::new();
    for sub in cmd.get_subcommands() {
        subcommand_sections(&mut roff, "dockbench", sub);
    }
    out.extend(roff.to_roff().into_bytes());
    out
}

fn subcommand_sections(roff: &mut clap_mangen::roff::Roff, parent: &str, cmd: &clap::Command) {
    use clap_mangen::roff::{bold, roman};
    let name = format!("{parent} {}", cmd.get_name());
    roff.control("SH", [name.to_uppercase().as_str()]);
    if let Some(about) = cmd.get_long_about().or(cmd.get_about()) {
        roff.text([roman(about.to_string())]);
    }
    for arg in cmd.get_arguments() {
        if arg.is_hide_set() {
            continue;
        }
        let mut flag = match (arg.get_short(), arg.get_long()) {
            (Some(s), Some(l)) => format!("-{s}, --{l}"),
            (None, Some(l)) => format!("--{l}"),
            (Some(s), None) => format!("-{s}"),
            (None, None) => arg.get_id().to_string().to_uppercase(),
        };
        if arg.get_action().takes_values()
            && (arg.get_long().is_some() || arg.get_short().is_some())
            && let Some(names) = arg.get_value_names()
        {
            flag.push(' ');
            flag.push_str(&names.join(" "));
        }
        roff.control("TP", []);
        roff.text([bold(flag)]);
        if let Some(help) = arg.get_long_help().or(arg.get_help()) {
            roff.text([roman(help.to_string())]);
        }
    }
    for sub in cmd.get_subcommands() {
        subcommand_sections(roff, &name, sub);
    }
}

pub fn run_completions(args: CompletionsArgs) -> u8 {
    crate::output::print(&String::from_utf8_lossy(&completions(args.shell)))
}

pub fn run_man(_args: ManArgs) -> u8 {
    crate::output::print(&String::from_utf8_lossy(&man_page()))
}

/// `dockbench generate [--check]`: the docs made from the registry and the schemas.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Do not write: list the stale files and exit 1 when any is (the test suite runs this).
    #[arg(long)]
    pub check: bool,
    /// The checkout to write into.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: std::path::PathBuf,
}

/// The command that rewrites every generated file; stale-file messages name it.
pub const GENERATE_COMMAND: &str = "cargo run -- generate";

pub fn run_generate(args: GenerateArgs) -> u8 {
    if !args.root.join("checks").is_dir() || !args.root.join("docs").is_dir() {
        eprintln!(
            "error: {} is not a dockbench checkout (no checks/ and docs/)",
            args.root.display()
        );
        return exit::USAGE;
    }
    let files = match docs::generated_files(&args.root) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let mut stale = Vec::new();
    for (rel, text) in &files {
        let path = args.root.join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if args.check {
            stale.push(rel.clone());
        } else if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: {}: {e}", path.display());
            return exit::OUTPUT;
        } else {
            println!("wrote {rel}");
        }
    }
    if !stale.is_empty() {
        eprintln!(
            "generated files are stale: {}\nregenerate them with `{GENERATE_COMMAND}`",
            stale.join(", ")
        );
        return exit::POLICY;
    }
    exit::OK
}
