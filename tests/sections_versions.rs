//! What CIS 1.7.0 and 1.8.0 change beyond per-check verdicts (those are case files in
//! `checks/cis-docker-1.7.0/cases/` and `checks/cis-docker-1.8.0/cases/`, run by
//! tests/cases.rs): assessment status moves (1.1.4/15/17/18), and renumbered checks (old
//! 2.7-2.18 are 2.8-2.19 in 1.8.0) that give the same verdicts as before on host.json.
#[path = "support/fixtures.rs"]
mod fixtures;

use std::collections::BTreeSet;

use dockbench::engine::{cel_env, load_embedded};
use fixtures::*;
use serde_json::{Value, json};

#[test]
fn v17_assessment_changes() {
    let env = cel_env();
    let assessment = |bench: &str, id: &str| {
        let b = load_embedded(bench, &env).unwrap();
        let c = b.checks.iter().find(|c| c.def.id == id).unwrap();
        serde_json::to_value(c.def.assessment).unwrap()
    };
    for (id, v16, v17) in [
        ("1.1.4", "automated", "manual"),
        ("1.1.15", "manual", "automated"),
        ("1.1.17", "manual", "automated"),
        ("1.1.18", "manual", "automated"),
    ] {
        assert_eq!(assessment(DEFAULT, id), v16, "{id}");
        assert_eq!(assessment(V17, id), v17, "{id}");
    }
}

/// A daemon configured badly on every section-2 point (and listening on TCP without TLS).
fn risky_daemon(s: &mut Value) {
    let f = "/etc/docker/daemon.json";
    for (key, value) in [
        ("icc", json!(true)),
        ("log-level", json!("debug")),
        ("iptables", json!(false)),
        ("insecure-registries", json!(["registry.local:5000"])),
        ("hosts", json!(["tcp://0.0.0.0:2375"])),
        ("default-ulimits", json!({})),
        ("userns-remap", json!("")),
        ("cgroup-parent", json!("/custom")),
        ("storage-opts", json!(["dm.basesize=20G"])),
        ("authorization-plugins", json!([])),
        ("no-new-privileges", json!(false)),
        ("userland-proxy", json!(true)),
        ("seccomp-profile", json!("unconfined")),
    ] {
        setting(s, key, value, "file", f);
    }
    let info = &mut s["daemon"]["Info"];
    info["SecurityOptions"] = json!(["name=seccomp,profile=default"]);
    info["LoggingDriver"] = json!("json-file");
    info["LiveRestoreEnabled"] = json!(false);
    info["ExperimentalBuild"] = json!(true);
}

#[test]
fn v18_renumbered_checks_give_the_same_verdicts() {
    let renumbered = [
        ("2.7", "2.8"),
        ("2.8", "2.9"),
        ("2.9", "2.10"),
        ("2.10", "2.11"),
        ("2.11", "2.12"),
        ("2.12", "2.13"),
        ("2.13", "2.14"),
        ("2.14", "2.15"),
        ("2.15", "2.16"),
        ("2.16", "2.17"),
        ("2.17", "2.18"),
        ("2.18", "2.19"),
    ];
    let unchanged = [
        ("2.1", "2.1"),
        ("2.2", "2.2"),
        ("2.3", "2.3"),
        ("2.4", "2.4"),
        ("2.5", "2.5"),
        ("2.6", "2.6"),
    ];
    let clean = host();
    let mut risky = host();
    risky_daemon(&mut risky);
    for (old, new) in renumbered.iter().chain(&unchanged) {
        let mut verdicts = BTreeSet::new();
        for snap in [&clean, &risky] {
            let a = eval_full(DEFAULT, old, snap, &[]);
            let b = eval_full(V18, new, snap, &[]);
            assert_eq!(b.id, *new);
            assert_eq!(a.title, b.title, "{old} -> {new}");
            assert_eq!(a.status, b.status, "{old} -> {new}: {}", b.reason);
            assert_eq!(a.reason, b.reason, "{old} -> {new}");
            assert_eq!(a.findings, b.findings, "{old} -> {new}");
            verdicts.insert(a.status.as_str());
        }
        // The two fixtures really differ for each renumbered check.
        if renumbered.contains(&(*old, *new)) {
            assert_eq!(verdicts.len(), 2, "{old}: {verdicts:?}");
        }
    }
}
