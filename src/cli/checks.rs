//! `dockbench checks list|show|validate`.
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{CheckArgs, exit, scan::fail};
use crate::engine::Benchmark;
use crate::engine::check::{Assessment, Evaluation, FindingStatus};

#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// List the checks of a benchmark.
    List(ListArgs),
    /// Show one check in full: metadata, remediation and its CEL logic.
    Show {
        /// Check ID, e.g. 5.4.
        id: String,
        #[command(flatten)]
        checks: CheckArgs,
    },
    /// Validate benchmark folders (benchmark.toml + check files) without scanning.
    Validate {
        /// Folders to validate; without any, the embedded benchmarks.
        dirs: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub checks: CheckArgs,
    /// List the available benchmarks instead.
    #[arg(long)]
    pub benchmarks: bool,
    #[arg(short = 'f', long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    /// A Markdown table (the README's check table is generated with this).
    Markdown,
    Json,
}

pub fn run(cmd: ChecksCommand) -> u8 {
    match cmd {
        ChecksCommand::List(args) => {
            if args.benchmarks {
                let ids = crate::engine::load::embedded_ids();
                return crate::output::print(&(ids.join("\n") + "\n"));
            }
            match super::load_benchmarks(&args.checks) {
                Ok((benches, _)) => {
                    let text: String = benches.iter().map(|b| list(b, args.format)).collect();
                    crate::output::print(&crate::term::visible_lines(&text))
                }
                Err(e) => fail(exit::USAGE, &e),
            }
        }
        ChecksCommand::Show { id, checks } => {
            let (mut benches, env) = match super::load_benchmarks(&checks) {
                Ok(b) => b,
                Err(e) => return fail(exit::USAGE, &e),
            };
            // Without --benchmark, an ID of another embedded benchmark (`DP.4.1`) is still
            // found: the default is searched first, so CIS IDs keep meaning 1.6.0.
            if checks.benchmark.is_empty() {
                for other in crate::engine::load::embedded_ids() {
                    if benches.iter().any(|b| b.def.id == other) {
                        continue;
                    }
                    if let Ok(b) = crate::engine::load_embedded(&other, &env) {
                        benches.push(b);
                    }
                }
            }
            match benches
                .iter()
                .flat_map(|b| &b.checks)
                .find(|c| c.def.id == id)
            {
                Some(c) => crate::output::print(&crate::term::visible_lines(&show(c))),
                None => {
                    let names: Vec<&str> = benches.iter().map(|b| b.def.id.as_str()).collect();
                    fail(
                        exit::USAGE,
                        &format!("no check {id} in {}", names.join(", ")),
                    )
                }
            }
        }
        ChecksCommand::Validate { dirs } => {
            let env = crate::engine::cel_env();
            let mut code = exit::OK;
            let results: Vec<(String, Result<Benchmark, crate::engine::LoadError>)> =
                if dirs.is_empty() {
                    crate::engine::load::embedded_ids()
                        .into_iter()
                        .map(|id| (id.clone(), crate::engine::load_embedded(&id, &env)))
                        .collect()
                } else {
                    dirs.iter()
                        .map(|d| (d.display().to_string(), crate::engine::load_dir(d, &env)))
                        .collect()
                };
            let mut ok = String::new();
            for (name, result) in results {
                match result {
                    Ok(b) => ok.push_str(&format!(
                        "{name}: ok ({})\n",
                        crate::term::count(b.checks.len(), "check")
                    )),
                    Err(e) => {
                        crate::term::error(&format!("{name}: {e}"));
                        code = exit::USAGE;
                    }
                }
            }
            match crate::output::print(&crate::term::visible_lines(&ok)) {
                exit::OK => code,
                failed => failed,
            }
        }
    }
}

fn assessment(a: Option<Assessment>) -> &'static str {
    match a {
        Some(Assessment::Automated) => "Automated",
        Some(Assessment::Manual) => "Manual",
        None => "-",
    }
}

fn evaluation(e: Evaluation) -> &'static str {
    match e {
        Evaluation::Automated => "automated",
        Evaluation::Manual => "manual review",
    }
}

pub fn list(b: &Benchmark, format: ListFormat) -> String {
    let mut out = String::new();
    match format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = b
                .checks
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.def.id, "title": c.def.title, "section": c.section,
                        "level": c.def.level, "assessment": c.def.assessment,
                        "evaluation": c.def.evaluation, "scored": c.def.scored, "scope": c.def.scope,
                        "severity": c.def.severity, "severity_rationale": c.def.severity_rationale.trim(),
                    })
                })
                .collect();
            out = serde_json::to_string_pretty(&rows).unwrap() + "\n";
        }
        ListFormat::Markdown => {
            out.push_str("| ID | Title | Level | CIS assessment | dockbench | Scored |\n|---|---|---|---|---|---|\n");
            for c in &b.checks {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    c.def.id,
                    c.def.title.replace('|', "\\|"),
                    c.def.level.label(),
                    assessment(c.def.assessment),
                    evaluation(c.def.evaluation),
                    if c.def.scored { "yes" } else { "no" }
                ));
            }
        }
        ListFormat::Text => {
            out.push_str(&format!(
                "{} — {} ({})\n",
                b.def.id,
                b.def.title,
                crate::term::count(b.checks.len(), "check")
            ));
            for c in &b.checks {
                out.push_str(&format!(
                    "{:<7} {:<8} {:<14} {:<10} {:<14} {:<9} {}\n",
                    c.def.id,
                    c.def.severity.as_str(),
                    c.def.level.label(),
                    assessment(c.def.assessment),
                    evaluation(c.def.evaluation),
                    if c.def.scored { "scored" } else { "unscored" },
                    c.def.title
                ));
            }
        }
    }
    out
}

fn show(c: &crate::engine::Check) -> String {
    let d = &c.def;
    let mut out = format!("{} {}\n", d.id, d.title);
    out.push_str(&format!(
        "section {} ({}) · {} · CIS {} · dockbench {} · {} · scope {:?}\n",
        c.section,
        c.section_title,
        d.level.label(),
        assessment(d.assessment),
        evaluation(d.evaluation),
        if d.scored { "scored" } else { "unscored" },
        d.scope
    ));
    out.push_str(&format!(
        "severity {} — {}\n",
        d.severity,
        d.severity_rationale.trim()
    ));
    let mut block = |name: &str, text: &str| {
        if !text.trim().is_empty() {
            out.push_str(&format!(
                "\n{name}:\n  {}\n",
                text.trim().replace('\n', "\n  ")
            ));
        }
    };
    block("Description", &d.description);
    block("Review", &d.review);
    // Every expression, in the order the engine evaluates them (engine/eval.rs).
    block(
        "Unknown when (CEL, string: ERROR with that reason)",
        d.unknown.as_deref().unwrap_or(""),
    );
    block(
        "Not applicable when (CEL, string: SKIP with that reason)",
        d.not_applicable.as_deref().unwrap_or(""),
    );
    block(
        "Applies when (CEL, bool)",
        d.applies.as_deref().unwrap_or(""),
    );
    block("Skip reason", d.skip_reason.as_deref().unwrap_or(""));
    block(
        "Files (CEL, list: the expressions below run once per file as f)",
        d.files.as_deref().unwrap_or(""),
    );
    block(
        "Finding when (CEL, bool)",
        d.finding.as_deref().unwrap_or(""),
    );
    if d.finding.is_some() {
        block(
            "Finding status",
            match d.finding_status {
                FindingStatus::Warn => "WARN",
                FindingStatus::Info => "INFO",
            },
        );
    }
    block(
        "INFO instead of WARN when (CEL, bool)",
        d.info_when.as_deref().unwrap_or(""),
    );
    block("Evidence (CEL)", d.evidence.as_deref().unwrap_or(""));
    block(
        "Pass evidence (CEL)",
        d.pass_evidence.as_deref().unwrap_or(""),
    );
    block("Remediation", &d.remediation);
    block("Impact", &d.impact);
    block("Notes", &d.notes);
    block("References", &d.references.join("\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `checks show` prints every expression a check has, each under its own heading.
    #[test]
    fn show_prints_every_expression() {
        let env = crate::engine::cel_env();
        let find = |bench: &str, id: &str| {
            let b = crate::engine::load_embedded(bench, &env).unwrap();
            let c = b.checks.into_iter().find(|c| c.def.id == id).unwrap();
            (show(&c), c.def)
        };
        for (bench, id) in [
            ("cis-docker-1.7.0", "1.1.9"),
            ("cis-docker-1.6.0", "1.1.2"),
            ("dockbench-practices", "DP.6.1"),
            ("cis-docker-1.6.0", "5.2"),
            ("cis-docker-1.6.0", "3.1"),
        ] {
            let (text, d) = find(bench, id);
            for (heading, expr) in [
                ("Unknown when", &d.unknown),
                ("Not applicable when", &d.not_applicable),
                ("Applies when", &d.applies),
                ("Skip reason", &d.skip_reason),
                ("Files (CEL", &d.files),
                ("Finding when", &d.finding),
                ("INFO instead of WARN when", &d.info_when),
                ("Evidence (CEL)", &d.evidence),
                ("Pass evidence", &d.pass_evidence),
            ] {
                if let Some(expr) = expr {
                    assert!(text.contains(heading), "{id}: no {heading}:\n{text}");
                    assert!(
                        text.contains(expr.trim()),
                        "{id}: {heading} not shown in full"
                    );
                }
            }
        }
        // The four above cover every expression key between them.
        let (a, _) = find("cis-docker-1.7.0", "1.1.9");
        let (b, _) = find("cis-docker-1.6.0", "1.1.2");
        let (c, _) = find("dockbench-practices", "DP.6.1");
        for heading in [
            "Unknown when",
            "Applies when",
            "Skip reason",
            "Pass evidence",
        ] {
            assert!(a.contains(heading), "{heading}");
        }
        assert!(b.contains("INFO instead of WARN when"));
        assert!(c.contains("Not applicable when"));
    }
}
