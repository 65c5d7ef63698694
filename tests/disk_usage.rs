//! Writable layers sized on this host (src/collect/writable_layer.rs) against the daemon's own
//! sizing (`/containers/json?size=1`, `/system/df`): on the shared Docker 20.10
//! (fuse-overlayfs, a naive diff; API 1.41 has no `type=` filters, so `/system/df` is still
//! asked whole for the totals) and on a private Docker 26 (overlay2, API 1.45: `/system/df`
//! without the containers, the stopped ones sized here).
#[path = "support/engines.rs"]
mod engines;
mod support;

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;
use support::{Guard, dockbench, require_docker};

/// What the container writes: a 3,000,000-byte file, a hard link to it (counted once), a
/// symlink (its name's length), a deleted image file (a whiteout: nothing).
const WRITES: &str = "dd if=/dev/zero of=/data bs=1000 count=3000 2>/dev/null && ln /data /data2 \
     && ln -s /bin/busybox /link && rm /bin/ls; echo done > /ready";

/// `SizeRw` of each container of `socket` the daemon reports, by ID.
fn daemon_size_rw(socket: &str) -> BTreeMap<String, i64> {
    let out = Command::new("curl")
        .args([
            "-s",
            "--unix-socket",
            socket,
            "http://d/v1.41/containers/json?all=1&size=1",
        ])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).expect("containers list");
    list.as_array()
        .unwrap()
        .iter()
        .filter_map(|c| Some((c["Id"].as_str()?.to_string(), c["SizeRw"].as_i64()?)))
        .collect()
}

/// The snapshot `dockbench collect --all` writes for the daemon at `host`.
fn collected(host: &str) -> Value {
    let out = dockbench()
        .args(["collect", "--all", "--host", host, "--output", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "collect: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("snapshot")
}

fn size_rw_of(snapshot: &Value, id: &str) -> i64 {
    snapshot["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["Id"] == id)
        .unwrap_or_else(|| panic!("{id} not collected"))["SizeRw"]
        .as_i64()
        .unwrap_or_else(|| panic!("{id}: no SizeRw"))
}

fn wait_ready(docker: &dyn Fn(&[&str]) -> std::process::Output, name: &str) {
    for _ in 0..100 {
        if docker(&["exec", name, "/bin/busybox", "cat", "/ready"])
            .status
            .success()
        {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{name} did not write its files");
}

#[test]
fn writable_layers_sized_here_are_what_docker_reports() {
    if !require_docker() {
        return;
    }
    let mut g = Guard::new("sizerw");
    let running = g.run(
        "writer",
        &["--network", "none"],
        &["sh", "-c", &format!("{WRITES}; exec sleep 3600")],
    );
    let stopped = g.run("stopped", &["--network", "none"], &["sh", "-c", WRITES]);
    wait_ready(&support::docker, &running);
    let status = Command::new("docker")
        .args(["wait", &stopped])
        .output()
        .unwrap();
    assert!(status.status.success());
    let id = |name: &str| {
        support::docker_ok(&["inspect", "-f", "{{.Id}}", name])
            .trim()
            .to_string()
    };
    let daemon = daemon_size_rw("/var/run/docker.sock");
    let snapshot = collected("unix:///var/run/docker.sock");
    for name in [&running, &stopped] {
        let id = id(name);
        let ours = size_rw_of(&snapshot, &id);
        assert!(ours >= 3_000_000, "{name}: {ours}");
        assert_eq!(
            ours, daemon[&id],
            "{name}: sized here vs the daemon's naive diff"
        );
    }
    assert_eq!(snapshot["daemon"]["DiskUsage"]["Available"], true);
}

#[test]
fn newer_apis_leave_the_containers_out_of_system_df() {
    let Some(engine) = engines::Engine::start(engines::Kind::Docker26, "du")
        .map_err(|e| {
            assert!(std::env::var_os("CI").is_none(), "Docker 26 in CI: {e}");
            eprintln!("skipped: {e}");
        })
        .ok()
    else {
        return;
    };
    let rootfs = tempfile::tempdir().unwrap();
    engines::busybox_rootfs(rootfs.path());
    engine.import(rootfs.path(), "dbdu/busybox:1");
    let run = |name: &str, detach_then_sleep: bool| {
        let script = if detach_then_sleep {
            format!("{WRITES}; exec sleep 3600")
        } else {
            WRITES.to_string()
        };
        engine.docker_ok(&[
            "run",
            "-d",
            "--name",
            name,
            "--network",
            "none",
            "dbdu/busybox:1",
            "sh",
            "-c",
            &script,
        ])
    };
    let running = run("writer", true);
    let stopped = run("stopped", false);
    wait_ready(&|args| engine.docker(args), "writer");
    engine.docker_ok(&["wait", "stopped"]);
    let socket = engine.address().trim_start_matches("unix://").to_string();
    let daemon = daemon_size_rw(&socket);
    // The daemon's own totals, asked whole.
    let out = Command::new("curl")
        .args(["-s", "--unix-socket", &socket, "http://d/v1.45/system/df"])
        .output()
        .unwrap();
    let df: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stopped_bytes: i64 = df["Containers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["State"] != "running")
        .map(|c| c["SizeRw"].as_i64().unwrap())
        .sum();
    // A filtered answer has no containers at all: the daemon did not size them.
    let out = Command::new("curl")
        .args([
            "-s",
            "--unix-socket",
            &socket,
            "http://d/v1.45/system/df?type=image&type=volume&type=build-cache",
        ])
        .output()
        .unwrap();
    let filtered: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        filtered["Containers"]
            .as_array()
            .is_none_or(|c| c.is_empty()),
        "{filtered}"
    );

    let snapshot = collected(&engine.address());
    for id in [running.trim(), stopped.trim()] {
        assert_eq!(size_rw_of(&snapshot, id), daemon[id], "{id}");
    }
    let usage = &snapshot["daemon"]["DiskUsage"];
    assert_eq!(usage["Available"], true, "{usage}");
    assert_eq!(usage["StoppedContainers"]["Count"], 1, "{usage}");
    assert_eq!(
        usage["StoppedContainers"]["Bytes"], stopped_bytes,
        "{usage}"
    );
}
