//! What CIS 1.7.0 and 1.8.0 change, evaluated on host.json (1.7.0: 1.1.9 audits docker.sock,
//! 1.1.4/15/17/18 change assessment, 5.6 adds /lib64; 1.8.0: new 2.7 devicemapper, old
//! 2.7-2.18 renumbered to 2.8-2.19), and the rule that every check of every shipped
//! benchmark has a fixture case in the test sources.
#[path = "support/fixtures.rs"]
mod fixtures;

use std::collections::BTreeSet;

use dockbench::engine::{cel_env, load::embedded_ids, load_embedded};
use dockbench::report::CheckResult;
use fixtures::*;
use serde_json::{Value, json};

const RULES: &str = "(rules from /etc/audit/rules.d/docker.rules)";

fn assessment(r: &CheckResult) -> Value {
    serde_json::to_value(r.assessment).unwrap()
}

#[test]
fn v17_1_1_9_audits_the_docker_socket_file() {
    let socket = "/var/run/docker.sock";
    pass(
        check_in(V17, "1.1.9", |_| {}),
        &format!("audited: {socket} {RULES}"),
    );
    // 1.6.0 judged the docker.socket unit; 1.7.0 the socket file, whatever the unit says.
    warn(
        check_in(V17, "1.1.9", |s| {
            file(s, "docker.sock")["Audited"] = json!(false)
        }),
        &format!("no audit rule watches {socket} {RULES}"),
    );
    pass(
        check("1.1.9", |s| {
            file(s, "docker.sock")["Audited"] = json!(false)
        }),
        &format!("audited: /usr/lib/systemd/system/docker.socket {RULES}"),
    );
    skip(
        check_in(V17, "1.1.9", |s| {
            file(s, "docker.sock")["Exists"] = json!(false)
        }),
        "the Docker socket does not exist on this host",
    );
    error(
        check_in(
            V17,
            "1.1.9",
            |s| {
                s["host"]["Audit"] =
                    json!({ "Available": false, "Reason": "auditctl -l: permission denied" })
            },
        ),
        "auditctl -l: permission denied",
    );
    error(
        check_in(V17, "1.1.9", |s| {
            file(s, "docker.sock")["Error"] = json!("permission denied")
        }),
        &format!("{socket}: permission denied"),
    );
}

#[test]
fn v17_assessment_changes_keep_the_verdicts() {
    for (id, role, path, v16, v17) in [
        (
            "1.1.4",
            "/run/containerd",
            "/run/containerd",
            "automated",
            "manual",
        ),
        (
            "1.1.15",
            "containerd-shim",
            "/usr/bin/containerd-shim",
            "manual",
            "automated",
        ),
        (
            "1.1.17",
            "containerd-shim-runc-v2",
            "/usr/bin/containerd-shim-runc-v2",
            "manual",
            "automated",
        ),
        ("1.1.18", "runc", "/usr/bin/runc", "manual", "automated"),
    ] {
        let r = check_in(V17, id, |_| {});
        assert_eq!(assessment(&r), v17, "{id}");
        pass(r, &format!("audited: {path} {RULES}"));
        let r = check(id, |_| {});
        assert_eq!(assessment(&r), v16, "{id}");
        for bench in [DEFAULT, V17, V18] {
            warn(
                check_in(bench, id, |s| file(s, role)["Audited"] = json!(false)),
                &format!("no audit rule watches {path} {RULES}"),
            );
        }
    }
}

fn bind(source: &str, rw: bool) -> Value {
    json!([{ "Type": "bind", "Source": source, "Destination": "/x", "RW": rw,
             "Mode": if rw { "" } else { "ro" }, "Propagation": "rprivate" }])
}

#[test]
fn v17_5_6_adds_lib64() {
    let lib64 = |s: &mut Value| s["containers"][0]["Mounts"] = bind("/lib64", true);
    flagged_on(
        check_in(V17, "5.6", lib64),
        "WARN",
        CONTAINER,
        "/lib64 -> /x (rw)",
    );
    flagged_on(
        check_in(V18, "5.6", lib64),
        "WARN",
        CONTAINER,
        "/lib64 -> /x (rw)",
    );
    pass(check("5.6", lib64), "1 container compliant");
    // The rest of the list is unchanged.
    for bench in [DEFAULT, V17] {
        flagged_on(
            check_in(bench, "5.6", |s| {
                s["containers"][0]["Mounts"] = bind("/lib/modules", true)
            }),
            "WARN",
            CONTAINER,
            "/lib/modules -> /x (rw)",
        );
        pass(
            check_in(bench, "5.6", |s| {
                s["containers"][0]["Mounts"] = bind("/lib64", false)
            }),
            "1 container compliant",
        );
    }
}

#[test]
fn v18_2_7_devicemapper() {
    pass(check_in(V18, "2.7", |_| {}), "Storage Driver: overlay2");
    warn(
        check_in(V18, "2.7", |s| {
            set(s, "daemon.Info.Driver", json!("devicemapper"))
        }),
        "Storage Driver: devicemapper",
    );
    warn(
        check_in(V18, "2.7", |s| {
            s["daemon"]["Info"] = Value::Null;
            setting(
                s,
                "storage-driver",
                json!("devicemapper"),
                "file",
                "/etc/docker/daemon.json",
            );
        }),
        "Storage Driver: devicemapper",
    );
    error(
        check_in(V18, "2.7", |s| {
            s["daemon"]["Info"] = Value::Null;
            setting(s, "storage-driver", json!(""), "default", "");
        }),
        "storage driver not known (no daemon info and no storage-driver setting)",
    );
    // 1.6.0's 2.7 is the TLS check.
    skip(
        check("2.7", |_| {}),
        "the daemon does not listen on TCP (only local sockets)",
    );
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

/// The ids a benchmark folder adds, overrides or renumbers (its own TOML files).
fn changed_ids(bench: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(format!("checks/{bench}")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let doc: toml::Table = text.parse().unwrap();
        for key in ["check", "override"] {
            for item in doc
                .get(key)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                ids.insert(item["id"].as_str().unwrap().to_string());
            }
        }
        if let Some(map) = doc.get("renumber").and_then(|v| v.as_table()) {
            ids.extend(map.values().map(|v| v.as_str().unwrap().to_string()));
        }
    }
    ids
}

/// Check ids written as arguments in a test source: `("1.1.3", …`, `check("2.2", …`,
/// `["5.23", "5.24"]`: a quoted id after `(`, `[` or `,` and before `,`, `)` or `]`.
fn ids_in_source(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for (start, _) in text.match_indices('"') {
        let Some(len) = text[start + 1..].find('"') else {
            continue;
        };
        let inner = &text[start + 1..start + 1 + len];
        // Numeric components, optionally after a benchmark prefix (`DP.1.1`).
        let numeric = inner.strip_prefix("DP.").unwrap_or(inner);
        let is_id = !inner.is_empty()
            && inner.split('.').count() >= 2
            && numeric
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let before = text[..start].trim_end().bytes().last();
        let after = text[start + 2 + len..].trim_start().bytes().next();
        if is_id
            && matches!(before, Some(b'(' | b'[' | b','))
            && matches!(after, Some(b',' | b')' | b']'))
        {
            ids.insert(inner.to_string());
        }
    }
    ids
}

/// Every check of every shipped benchmark has a fixture case: a check added without a test
/// fails here. Checks a newer version inherits unchanged are covered by the older version's
/// cases; what it adds, overrides or renumbers needs a case of its own in this file.
#[test]
fn every_check_of_every_benchmark_has_a_fixture_case() {
    let read = |f: &str| std::fs::read_to_string(f).unwrap();
    let default_sources = [
        "tests/checks.rs",
        "tests/sections_host.rs",
        "tests/sections_daemon.rs",
        "tests/sections_images.rs",
        "tests/practices.rs",
    ];
    let covered: BTreeSet<String> = default_sources
        .iter()
        .flat_map(|f| ids_in_source(&read(f)))
        .collect();
    let versions = read("tests/sections_versions.rs");
    let env = cel_env();
    let ids = |bench: &str| -> BTreeSet<String> {
        load_embedded(bench, &env)
            .unwrap()
            .checks
            .iter()
            .map(|c| c.def.id.clone())
            .collect()
    };
    let base = ids(DEFAULT);
    let missing: Vec<&String> = base.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "{DEFAULT}: no fixture case for {missing:?}"
    );

    let mut benches = embedded_ids();
    benches.retain(|b| b != DEFAULT);
    assert!(benches.contains(&V17.to_string()) && benches.contains(&V18.to_string()));
    // Cases of the version changes are the ids written as arguments in this file; the
    // practices benchmark has its cases in tests/practices.rs.
    let mut own = ids_in_source(&versions);
    own.extend(ids_in_source(&read("tests/practices.rs")));
    for bench in benches {
        let all = ids(&bench);
        let changed = changed_ids(&bench);
        for id in &changed {
            assert!(all.contains(id), "{bench}: {id} is not one of its checks");
            assert!(own.contains(id), "{bench}: no fixture case for {id}");
        }
        let inherited: Vec<&String> = all
            .difference(&changed)
            .filter(|id| !base.contains(*id))
            .collect();
        assert!(
            inherited.is_empty(),
            "{bench}: unexplained ids {inherited:?}"
        );
    }
}

#[test]
fn id_scanner_finds_arguments_only() {
    let ids = ids_in_source(
        r#"check("1.1.3", x); for id in ["5.23", "5.24"] {} ("2.7", "2.8"), let v = "1.0.0";
           format!("{}", "3.1 is text") assert_eq!(a, "9.9"); f("DP.2.1", "DX.1")"#,
    );
    let want: BTreeSet<String> = ["1.1.3", "5.23", "5.24", "2.7", "2.8", "9.9", "DP.2.1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(ids, want);
}
