//! The README's generated parts must match the code: the check tables come from the
//! registry, and every flag of every subcommand is documented.
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
fn check_tables_are_current() {
    // The default benchmark's table is in the README; each other version has its page
    // under docs/checks/.
    for id in run(&["checks", "list", "--benchmarks"]).lines() {
        let file = if id == "cis-docker-1.6.0" {
            "README.md".to_string()
        } else {
            format!("docs/checks/{id}.md")
        };
        let readme = std::fs::read_to_string(&file).unwrap_or_default();
        let start = format!("<!-- checks-table:{id} -->\n");
        let Some(at) = readme.find(&start) else {
            panic!("{file} has no check table for {id} (add the {start:?} marker)");
        };
        let body = &readme[at + start.len()..];
        let table = &body[..body.find("<!-- /checks-table -->").unwrap()];
        let expected = run(&["checks", "list", "--benchmark", id, "--format", "markdown"]);
        assert_eq!(
            table, expected,
            "README check table for {id} is stale: regenerate it with `dockbench checks list --benchmark {id} --format markdown`"
        );
    }
}

#[test]
fn every_flag_is_documented() {
    // The README, or the reports page it links (docs/reports.md: views, severity, formats).
    let readme = std::fs::read_to_string("README.md").unwrap()
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
                readme.contains(&format!("`{flag}")),
                "README does not document {flag} of {cmd:?}"
            );
        }
    }
}
