//! The Ansible role and playbook (contrib/ansible) run for real with ansible-core against a
//! simulated fleet: three private dockerd instances with different misconfigurations, each an
//! inventory "host" reached with `ansible_connection=local` and its own `dockbench_docker_host`.
//! Asserts the merged fleet report names each host's own findings, a second run changes
//! nothing, and ansible-lint passes. Needs ansible-playbook and ansible-lint (PyPI: ansible-core,
//! ansible-lint; .ci/run installs them into a venv) — without them skipped, except under CI.
#[path = "support/private_daemon.rs"]
mod private_daemon;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use private_daemon::PrivateDaemon;

/// An Ansible tool from $DOCKBENCH_ANSIBLE_BIN, the CI venv, or PATH.
fn tool(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("DOCKBENCH_ANSIBLE_BIN") {
        dirs.push(d.into());
    }
    dirs.push("/opt/dockbench-ci-venv/bin".into());
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

fn tools() -> Option<(PathBuf, PathBuf)> {
    match (tool("ansible-playbook"), tool("ansible-lint")) {
        (Some(p), Some(l)) => Some((p, l)),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI: ansible-playbook and ansible-lint are needed (pip install ansible-core ansible-lint)"
            );
            eprintln!(
                "skipped: no ansible-playbook/ansible-lint (pip install ansible-core ansible-lint)"
            );
            None
        }
    }
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

fn failing(fleet: &Value, host: &str) -> Vec<String> {
    let h = fleet["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == host)
        .unwrap_or_else(|| panic!("{host} is not in the fleet report: {:#}", fleet["hosts"]));
    h["failing"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "WARN")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// Runs the playbook; returns (exit status, output).
fn playbook(bin: &Path, dir: &Path, extra: &[String]) -> (bool, String) {
    let started = Instant::now();
    let out = Command::new(bin)
        .current_dir(dir)
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_LOCAL_TEMP", dir.join("ansible-tmp"))
        .env("ANSIBLE_HOME", dir.join("ansible-home"))
        .env("ANSIBLE_FORCE_COLOR", "0")
        .args(["-i", "inventory.ini"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/ansible/playbook.yml"))
        .args(extra)
        .output()
        .expect("ansible-playbook runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "ansible-playbook took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    (out.status.success(), text)
}

#[test]
fn ansible_playbook_scans_a_simulated_fleet_and_merges_it() {
    let Some((ansible, lint)) = tools() else {
        return;
    };
    // ansible-lint first: it needs no daemon.
    let out = Command::new(&lint)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/ansible"))
        .env(
            "ANSIBLE_HOME",
            std::env::temp_dir().join("dockbench-ansible-lint-home"),
        )
        .args(["--offline", "--nocolor", "playbook.yml", "roles/dockbench"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ansible-lint: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Three hosts, three different daemon configurations. The helper's own flags
    // (--iptables=false, no bridge) are common to all.
    let configs = [
        (
            "node-a",
            r#"{"log-level": "debug", "insecure-registries": ["10.1.2.3:5000"]}"#,
        ),
        ("node-b", r#"{"experimental": true}"#),
        (
            "node-c",
            r#"{"live-restore": true, "userland-proxy": false, "no-new-privileges": true}"#,
        ),
    ];
    let mut daemons = Vec::new();
    for (name, config) in configs {
        let Some(d) = PrivateDaemon::start(&format!("an{}", &name[5..]), config, &[]) else {
            return;
        };
        daemons.push((name, d));
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut inventory = String::from("[docker_hosts]\n");
    for (name, daemon) in &daemons {
        inventory += &format!(
            "{name} ansible_connection=local dockbench_docker_host={} dockbench_report_dir={}/hosts/{name}\n",
            daemon.address(),
            d.display()
        );
    }
    // The Python that runs ansible-playbook also runs the modules ("hosts" are local).
    inventory += "[docker_hosts:vars]\nansible_python_interpreter={{ ansible_playbook_python }}\n\
                  [all:vars]\nansible_python_interpreter={{ ansible_playbook_python }}\n";
    std::fs::write(d.join("inventory.ini"), inventory).unwrap();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_dockbench"));
    let extra = vec![
        "-e".to_string(),
        format!("dockbench_binary_src={}", binary.display()),
        "-e".into(),
        format!("dockbench_binary_sha256={}", sha256(&binary)),
        "-e".into(),
        format!("dockbench_install_path={}/bin/dockbench", d.display()),
        "-e".into(),
        format!("dockbench_fetch_dir={}/fetched", d.display()),
        "-e".into(),
        format!("dockbench_fleet_dir={}/fleet", d.display()),
        "-e".into(),
        "dockbench_become=false".into(),
    ];
    std::fs::create_dir_all(d.join("bin")).unwrap();

    let (ok, log) = playbook(&ansible, d, &extra);
    assert!(ok, "ansible-playbook failed:\n{log}");
    // Host-named files on the controller, one merge.
    for (name, _) in &daemons {
        assert!(d.join(format!("fetched/{name}.json")).is_file(), "{log}");
    }
    let fleet: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("fleet/fleet.json")).unwrap())
            .unwrap();
    assert_eq!(fleet["summary"]["hosts"], 3, "{:#}", fleet["summary"]);
    assert!(fleet["missing"].as_array().unwrap().is_empty());
    let a = failing(&fleet, "node-a");
    let b = failing(&fleet, "node-b");
    let c = failing(&fleet, "node-c");
    // Each host's own misconfiguration is named for it, and only for it.
    for (check, host, list) in [
        ("2.3", "node-a", &a),
        ("2.5", "node-a", &a),
        ("2.18", "node-b", &b),
    ] {
        assert!(
            list.contains(&check.to_string()),
            "{host} lacks {check}: {list:?}"
        );
    }
    for (check, others) in [("2.3", [&b, &c]), ("2.5", [&b, &c]), ("2.18", [&a, &c])] {
        for o in others {
            assert!(
                !o.contains(&check.to_string()),
                "{check} on a host without it: {o:?}"
            );
        }
    }
    // The hardened host passes what the others fail.
    for check in ["2.14", "2.15", "2.16"] {
        assert!(
            a.contains(&check.to_string()) && b.contains(&check.to_string()),
            "{check}: {a:?} {b:?}"
        );
        assert!(
            !c.contains(&check.to_string()),
            "node-c fails {check}: {c:?}"
        );
    }
    // Private daemons on one machine share its machine-id: flagged, not merged.
    assert_eq!(fleet["clones"][0]["kind"], "machine-id");
    assert_eq!(fleet["clones"][0]["hosts"].as_array().unwrap().len(), 3);
    // Every host's own HTML report is linked from the fleet HTML.
    let html = std::fs::read_to_string(d.join("fleet/fleet.html")).unwrap();
    for (name, _) in &daemons {
        assert!(
            html.contains(&format!("href=\"hosts/{name}.html\"")),
            "{name}"
        );
    }
    let _ = std::fs::copy(
        d.join("fleet/fleet.html"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ansible-fleet.html"),
    );

    // Idempotent: a second run changes nothing.
    let (ok, log) = playbook(&ansible, d, &extra);
    assert!(ok, "second run failed:\n{log}");
    let recap: Vec<&str> = log
        .lines()
        .skip_while(|l| !l.starts_with("PLAY RECAP"))
        .skip(1)
        .filter(|l| l.contains("ok="))
        .collect();
    assert_eq!(recap.len(), 4, "{log}");
    for line in recap {
        assert!(
            line.contains("changed=0") && line.contains("failed=0"),
            "{line}"
        );
    }

    // A wrong checksum stops the play before anything runs.
    let mut bad = extra.clone();
    bad[3] = format!("dockbench_binary_sha256={}", "0".repeat(64));
    let (ok, log) = playbook(&ansible, d, &bad);
    assert!(!ok, "a wrong checksum must fail:\n{log}");
    assert!(log.contains("SHA-256"), "{log}");
    drop(daemons);
}
