//! The README and docs/ must match the code: the generated files (check tables, benchmark
//! counts, the field reference) are current, every flag of every subcommand is documented in
//! docs/cli.md, and every link between the README and the docs resolves, anchors included.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("dockbench")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn generated_docs_are_current() {
    let out = Command::cargo_bin("dockbench")
        .unwrap()
        .args(["generate", "--check", "--root", env!("CARGO_MANIFEST_DIR")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_flag_is_documented() {
    // docs/cli.md, or the reports page (docs/reports.md: views, severity, formats).
    let doc = std::fs::read_to_string("docs/cli.md").unwrap()
        + &std::fs::read_to_string("docs/reports.md").unwrap();
    for cmd in [
        vec!["scan"],
        vec!["collect"],
        vec!["checks", "list"],
        vec!["checks", "show"],
        vec!["report"],
        vec!["diff"],
        vec!["schema"],
        vec!["completions"],
        vec!["man"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        for line in run(&args).lines() {
            let line = line.trim_start();
            if !line.starts_with('-') {
                continue; // a wrapped description line
            }
            let Some(flag) = line.split([' ', ',', '=']).find(|w| w.starts_with("--")) else {
                continue;
            };
            if flag == "--help" || flag == "--version" {
                continue;
            }
            assert!(
                doc.contains(&format!("`{flag}")),
                "docs/cli.md (or docs/reports.md) does not document {flag} of {cmd:?}"
            );
        }
    }
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut code = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.starts_with("```") {
            code = !code;
        }
        if !code && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// `[text](target)` links of a Markdown text, outside code blocks.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            code = !code;
        }
        if code {
            continue;
        }
        for part in line.split("](").skip(1) {
            if let Some(end) = part.find(')') {
                out.push(part[..end].to_string());
            }
        }
    }
    out
}

#[test]
fn readme_and_docs_links_resolve() {
    let mut files = vec![PathBuf::from("README.md")];
    for dir in ["docs", "docs/checks"] {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.path().extension().is_some_and(|e| e == "md") {
                files.push(entry.path());
            }
        }
    }
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (path, frag) = link.split_once('#').unwrap_or((&link, ""));
            let target = if path.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap_or(Path::new("")).join(path)
            };
            if !target.exists() {
                broken.push(format!(
                    "{}: {link} (no {})",
                    file.display(),
                    target.display()
                ));
                continue;
            }
            if !frag.is_empty() && target.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&target).unwrap();
                if !anchors(&text).contains(frag) {
                    broken.push(format!("{}: {link} (no heading #{frag})", file.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// What a newcomer needs is in the README itself; the reference is linked.
#[test]
fn readme_keeps_what_a_newcomer_needs() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for needed in [
        "cargo build --release",
        "dockbench scan",
        "cargo nextest run",
        "cargo install cargo-nextest",
        "--root",
        "dockbench collect",
        "--snapshot",
        "## Exit codes",
        "## Formats",
        "## Reference",
    ] {
        assert!(readme.contains(needed), "README lacks {needed:?}");
    }
    // Exit codes: the README's table has every code `--help` lists.
    let help = run(&["--help"]);
    for code in ["0", "1", "2", "3", "4", "5"] {
        assert!(
            help.contains(&format!("  {code}  ")),
            "--help lacks exit code {code}"
        );
        assert!(
            readme.contains(&format!("| {code} |")),
            "README lacks exit code {code}"
        );
    }
}
