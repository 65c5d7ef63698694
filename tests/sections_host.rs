//! CIS sections 1 (host) and 3 (daemon files) from the input a host really has to the
//! verdict: audit rules through the collector's own parsing and matching (symlinks of the
//! scanned root included), ownership through stat with the scanned root's passwd/group; then
//! the whole report of host.json. Per-check verdicts on edited fixtures are case files
//! (`checks/<benchmark>/cases/`, run by tests/cases.rs).
#[path = "support/fixtures.rs"]
mod fixtures;
mod support;

use dockbench::collect::audit::{mark_audited, parse_rules, watched_paths};
use dockbench::collect::files::stat_fact;
use dockbench::collect::rootfs::RootFs;
use dockbench::collect::users::Users;
use dockbench::engine::{cel_env, load_embedded};
use dockbench::snapshot::{AuditFacts, FactStatus, FileFact};
use fixtures::*;
use serde_json::{Value, json};

const RULES: &str = "(rules from /etc/audit/rules.d/docker.rules)";

/// host.json with its audit rules replaced by `rules` (as a rule file has them), marked on
/// Docker's files by the collector's own matching, in a scanned root without symlinks.
fn with_rules(s: &mut Value, rules: &str) {
    let root = tempfile::tempdir().unwrap();
    with_rules_in(&RootFs::new(root.path()), s, rules);
}

/// `with_rules` with symlinks resolved in the scanned root `fs`.
fn with_rules_in(fs: &RootFs, s: &mut Value, rules: &str) {
    let rules = parse_rules(rules);
    let audit = AuditFacts {
        Status: FactStatus::Available,
        Source: "/etc/audit/rules.d/docker.rules".into(),
        WatchedPaths: watched_paths(&rules),
        Rules: rules,
    };
    let mut files: std::collections::BTreeMap<String, FileFact> =
        serde_json::from_value(s["host"]["Files"].take()).unwrap();
    mark_audited(fs, files.values_mut(), &audit);
    s["host"]["Files"] = serde_json::to_value(files).unwrap();
    s["host"]["Audit"] = serde_json::to_value(audit).unwrap();
}

#[test]
fn audit_counts_only_rules_on_the_exact_path() {
    let dockerd = |rules: &str| check("1.1.3", |s| with_rules(s, rules));
    let audited = |rule: &str| format!("audited: /usr/sbin/dockerd by rule \"{rule}\" {RULES}");
    let missing = format!("no audit rule watches /usr/sbin/dockerd {RULES}");
    // A watch counts, with or without a trailing `/`; so does a syscall rule on the path, as
    // `-F path=` and glued `-Fpath=`. The evidence names the rule.
    for rule in [
        "-w /usr/sbin/dockerd -p rwxa -k docker",
        "-w /usr/sbin/dockerd/ -k docker",
        "-a always,exit -F arch=b64 -S all -F path=/usr/sbin/dockerd -F perm=x -k docker",
        "-a always,exit -Fpath=/usr/sbin/dockerd -k docker",
    ] {
        pass(dockerd(rule), &audited(rule));
    }
    // Substrings, parents, comments and deleting rules do not (docker-bench-security greps).
    for rules in [
        "-w /usr/sbin/dockerd.old -k docker",
        "-w /usr/sbin -k docker",
        "-w /usr/sbin/dockerd-helper -k docker",
        "# -w /usr/sbin/dockerd -k docker",
        "-W /usr/sbin/dockerd -k docker",
        "-a always,exit -F path!=/usr/sbin/dockerd",
        "-a always,exit -F exe=/usr/sbin/dockerd -k docker",
    ] {
        warn(dockerd(rules), &missing);
    }
    // `-F dir=` watches a directory tree: the data root is audited by it.
    pass(
        check("1.1.5", |s| {
            with_rules(
                s,
                "-a exit,always -F arch=b64 -S openat -F dir=/var/lib/docker/ -k docker",
            )
        }),
        &format!(
            "audited: /var/lib/docker by rule \"-a exit,always -F arch=b64 -S openat -F dir=/var/lib/docker/ -k docker\" {RULES}"
        ),
    );
    // Auditing one file says nothing about another.
    warn(
        check("1.1.11", |s| with_rules(s, "-w /etc/docker -k docker")),
        &format!("no audit rule watches /etc/docker/daemon.json {RULES}"),
    );
}

/// `/var/run -> /run` (absolute, as on every systemd host): auditd resolves a rule's path when
/// it loads it, so a rule on either name audits the socket. Resolved inside the scanned root.
#[test]
fn audit_rules_match_through_symlinks_of_the_scanned_root() {
    let linked = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(linked.path().join("run/containerd")).unwrap();
    std::fs::create_dir_all(linked.path().join("var")).unwrap();
    std::os::unix::fs::symlink("/run", linked.path().join("var/run")).unwrap();
    let linked = RootFs::new(linked.path());
    let plain = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(plain.path().join("var/run")).unwrap();
    let plain = RootFs::new(plain.path());

    // 1.7.0 1.1.9: the daemon's socket is /var/run/docker.sock, the rule names /run.
    let rule = "-w /run/docker.sock -p rwxa -k docker";
    pass(
        check_in(V17, "1.1.9", |s| with_rules_in(&linked, s, rule)),
        &format!("audited: /var/run/docker.sock by rule \"{rule}\" {RULES}"),
    );
    warn(
        check_in(V17, "1.1.9", |s| with_rules_in(&plain, s, rule)),
        &format!("no audit rule watches /var/run/docker.sock {RULES}"),
    );
    // The other way round (1.6.0 1.1.8): a -F path= rule through the link.
    let rule = "-a always,exit -F path=/var/run/containerd/containerd.sock -k docker";
    pass(
        check("1.1.8", |s| with_rules_in(&linked, s, rule)),
        &format!("audited: /run/containerd/containerd.sock by rule \"{rule}\" {RULES}"),
    );
    // Still no parents: a rule on /run does not audit the socket below it.
    warn(
        check_in(V17, "1.1.9", |s| {
            with_rules_in(&linked, s, "-w /run -p rwxa -k docker")
        }),
        &format!("no audit rule watches /var/run/docker.sock {RULES}"),
    );
}

/// Ownership facts as the collector makes them: stat of a real file, names from the
/// scanned root's own passwd and group (not the scanner's).
#[test]
fn ownership_names_come_from_the_scanned_root() {
    use std::os::unix::fs::{PermissionsExt, chown};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("etc/docker")).unwrap();
    std::fs::write(
        root.join("etc/passwd"),
        "toor:x:0:0:root:/root:/bin/sh\ndeploy:x:1000:1000::/home/deploy:/bin/sh\n",
    )
    .unwrap();
    std::fs::write(
        root.join("etc/group"),
        "wheel:x:0:\ndeploy:x:1000:\ndocker:x:999:alice\n",
    )
    .unwrap();
    let json_file = root.join("etc/docker/daemon.json");
    std::fs::write(&json_file, "{}").unwrap();
    std::fs::set_permissions(&json_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let fs = RootFs::new(root);
    let users = Users::load(&fs);
    let stat = |s: &mut Value| {
        let fact = stat_fact(&fs, &users, "/etc/docker/daemon.json", false);
        *file(s, "daemon.json") = serde_json::to_value(fact).unwrap();
    };
    // Changing ownership needs root; without it only the root-owned case can run.
    let as_root = chown(&json_file, Some(0), Some(0)).is_ok();
    if as_root {
        pass(check("3.17", stat), "/etc/docker/daemon.json toor:wheel");
        pass(check("3.18", stat), "/etc/docker/daemon.json 0640");
        chown(&json_file, Some(1000), Some(999)).unwrap();
        warn(
            check("3.17", stat),
            "/etc/docker/daemon.json is deploy:docker (want root:root)",
        );
        chown(&json_file, Some(4242), Some(4343)).unwrap();
        warn(
            check("3.17", stat),
            "/etc/docker/daemon.json is 4242:4343 (want root:root)",
        );
    } else {
        eprintln!("not root: ownership changes skipped");
    }
    std::fs::set_permissions(&json_file, std::fs::Permissions::from_mode(0o660)).unwrap();
    warn(
        check("3.18", stat),
        "/etc/docker/daemon.json has mode 0660 (allowed: 644 or fewer bits)",
    );
    std::fs::remove_file(&json_file).unwrap();
    skip(
        check("3.17", stat),
        "daemon.json file does not exist on this host",
    );
}

/// The verdicts of host.json's report for sections 1-4, 6 and 7 (tests/checks.rs has 5),
/// through the CLI: status, reason, findings and exceptions of every check at a glance (the
/// report's other fields have their own tests).
#[test]
fn full_report_of_host_fixture() {
    let out = support::dockbench()
        .args([
            "scan",
            "--snapshot",
            HOST,
            // 4.3, 4.8 and 4.10 read image layers host.json does not have; their cases are files.
            "--skip",
            "5,4.3,4.8,4.10",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdicts: Vec<Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!({ "id": r["id"], "status": r["status"], "reason": r["reason"],
                    "findings": r["findings"], "exceptions": r["exceptions"] })
        })
        .collect();
    // Every check but the skipped ones, counted from the registry.
    let bench = load_embedded(DEFAULT, &cel_env()).unwrap();
    let skipped = |id: &str| id.starts_with("5.") || ["4.3", "4.8", "4.10"].contains(&id);
    let expected = bench.checks.iter().filter(|c| !skipped(&c.def.id)).count();
    assert_eq!(verdicts.len(), expected);
    insta::assert_yaml_snapshot!("host_report", verdicts);
}

/// A `never` rule the kernel tries first suppresses the path's events: not audited (old
/// verdict: PASS, the later watch counted).
#[test]
fn never_rules_suppress_auditing() {
    let rules =
        "-a never,exit -F path=/usr/sbin/dockerd -k quiet\n-w /usr/sbin/dockerd -k docker\n";
    let r = check("1.1.3", |s| with_rules(s, rules));
    warn(
        r,
        &format!(
            "events on /usr/sbin/dockerd are suppressed by the never rule \"-a never,exit -F path=/usr/sbin/dockerd -k quiet\", which the kernel tries first {RULES}"
        ),
    );
    // After the watch, the never rule changes nothing.
    let rules = "-w /usr/sbin/dockerd -k docker\n-a never,exit -F path=/usr/sbin/dockerd\n";
    pass(
        check("1.1.3", |s| with_rules(s, rules)),
        &format!("audited: /usr/sbin/dockerd by rule \"-w /usr/sbin/dockerd -k docker\" {RULES}"),
    );
}

/// A second `docker:` line in /etc/group adds members (glibc merges them): 1.1.2 sees them
/// (old verdict: PASS, only the first line's members).
#[test]
fn repeated_docker_group_lines_are_merged() {
    let users = Users::parse(
        Ok("root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n".into()),
        Ok("docker:x:998:alice\nstaff:x:50:\ndocker:x:998:mallory\n".into()),
    );
    let mut s = host();
    s["host"]["DockerGroup"] = serde_json::to_value(users.group_facts("docker")).unwrap();
    let r = eval_full(DEFAULT, "1.1.2", &s, &["alice"]);
    assert_eq!(r.status.to_string(), "WARN", "{r:?}");
    assert!(
        r.findings.iter().any(|f| f.value.contains("mallory")),
        "{:?}",
        r.findings
    );
}
