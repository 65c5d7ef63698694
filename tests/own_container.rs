//! dockbench run as a container (the built binary bind-mounted into the busybox test image,
//! with the host's libraries, the Docker socket and the host's PID and UTS namespaces, as the
//! README's `docker run` line does) leaves its own container out of the scan and says so,
//! while another container with the same risky flags is still flagged.
mod support;

use std::path::Path;

use serde_json::Value;
use support::{Guard, docker_ok, require_docker};

/// Runs `dockbench <args>` in a container of `guard`; returns the container and its stdout
/// as JSON.
fn run_in_a_container(guard: &mut Guard, role: &str, args: &[&str]) -> (String, Value) {
    let bin = assert_cmd::cargo::cargo_bin("dockbench");
    let bin_mount = format!("{}:/usr/local/bin/dockbench:ro", bin.display());
    let mut flags = vec![
        "--pid",
        "host",
        "--uts",
        "host",
        "-v",
        "/var/run/docker.sock:/var/run/docker.sock:ro",
        "-v",
        &bin_mount,
    ];
    // The binary is dynamically linked: lend it the host's C library (read-only). Docker
    // follows the symlinks of merged-/usr hosts (/lib -> usr/lib) in the source.
    for dir in ["/lib", "/lib64"] {
        if Path::new(dir).exists() {
            flags.extend([
                "-v",
                if dir == "/lib" {
                    "/lib:/lib:ro"
                } else {
                    "/lib64:/lib64:ro"
                },
            ]);
        }
    }
    let mut cmd = vec!["/usr/local/bin/dockbench"];
    cmd.extend(args);
    let name = guard.run(role, &flags, &cmd);
    let code = docker_ok(&["wait", &name]);
    let logs = support::docker(&["logs", &name]);
    assert_eq!(
        code,
        "0",
        "dockbench in a container failed: {}",
        String::from_utf8_lossy(&logs.stderr)
    );
    let report = serde_json::from_slice(&logs.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&logs.stdout)));
    (name, report)
}

fn offenders(report: &Value, id: &str) -> Vec<String> {
    let result = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no result {id}"));
    result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["object"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn own_container_is_left_out_and_others_are_not() {
    if !require_docker() {
        return;
    }
    let mut guard = Guard::new("own-container");
    // Another container with the same risky flags as ours: it must still be flagged.
    let other = guard.run(
        "other",
        &[
            "--pid",
            "host",
            "-v",
            "/var/run/docker.sock:/var/run/docker.sock:ro",
        ],
        &[],
    );

    const SCAN: [&str; 5] = ["scan", "--check", "5.16,5.21,5.32", "--format", "json"];
    let (me, report) = run_in_a_container(&mut guard, "self", &SCAN);
    let id = docker_ok(&["inspect", "-f", "{{.Id}}", &me]);
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.iter().any(|n| *n
            == format!(
                "dockbench's own container {me} ({}) left out (--include-self keeps it)",
                &id[..12]
            )),
        "{notes:?}"
    );
    for check in ["5.16", "5.32"] {
        let found = offenders(&report, check);
        assert!(found.contains(&other), "{check} misses {other}: {found:?}");
        assert!(
            !found.contains(&me),
            "{check} flags dockbench itself: {found:?}"
        );
    }
    assert!(!offenders(&report, "5.21").contains(&me));
    // --uts host: the report names the host, not the container.
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(report["host"]["hostname"], hostname.trim());

    let mut args = SCAN.to_vec();
    args.push("--include-self");
    let (me2, report) = run_in_a_container(&mut guard, "self-included", &args);
    assert!(offenders(&report, "5.32").contains(&me2));
    assert!(offenders(&report, "5.21").contains(&me2));
    let notes = report["notes"].to_string();
    assert!(notes.contains("is included (--include-self)"), "{notes}");
}

/// In a container (here with `--network none`), the host's mount table and TCP listeners
/// are read through the host init's /proc/1, not from the container's own namespaces.
#[test]
fn host_mounts_and_listeners_are_seen_from_a_container() {
    if !require_docker() {
        return;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = i64::from(listener.local_addr().unwrap().port());
    let host = support::dockbench()
        .args(["collect", "-o", "-"])
        .output()
        .unwrap();
    assert!(host.status.success());
    let host: Value = serde_json::from_slice(&host.stdout).unwrap();

    let mut guard = Guard::new("own-container-view");
    let (_, snap) = run_in_a_container(&mut guard, "collect", &["collect", "-o", "-"]);
    let mounts = &snap["host"]["DataRootMount"];
    assert_eq!(mounts["Available"], true, "{mounts}");
    assert_eq!(mounts, &host["host"]["DataRootMount"]);
    let tcp = &snap["host"]["Listeners"];
    assert_eq!(tcp["Available"], true, "{tcp}");
    assert!(
        tcp["Tcp"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["Address"] == "127.0.0.1" && l["Port"] == port),
        "the host's listener on {port} is missing: {tcp}"
    );
}
