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

/// A private engine of `kind` with `dbdu/busybox:1` imported; `None` (skipped) where it cannot
/// run here, a failure in CI.
fn engine_with_busybox(
    kind: engines::Kind,
    name: &str,
    settings: serde_json::Map<String, Value>,
) -> Option<engines::Engine> {
    let engine = engines::Engine::start_configured(kind, name, settings)
        .map_err(|e| {
            assert!(
                std::env::var_os("CI").is_none(),
                "{} in CI: {e}",
                kind.name()
            );
            eprintln!("skipped: {e}");
        })
        .ok()?;
    let rootfs = tempfile::tempdir().unwrap();
    engines::busybox_rootfs(rootfs.path());
    engine.import(rootfs.path(), "dbdu/busybox:1");
    Some(engine)
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
    let Some(engine) = engine_with_busybox(engines::Kind::Docker26, "du", Default::default())
    else {
        return;
    };
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

/// `/system/df`'s totals by `disk_usage::parse`'s rules, from the daemon's own answer.
fn df_totals(df: &Value) -> [(i64, i64); 4] {
    let list = |k: &str| df[k].as_array().cloned().unwrap_or_default();
    let int = |v: &Value| v.as_i64().unwrap_or(0);
    let mut t = [(0, 0); 4];
    for i in list("Images") {
        let tags = i["RepoTags"].as_array().cloned().unwrap_or_default();
        if tags.iter().all(|t| t == "<none>:<none>") && int(&i["Containers"]) <= 0 {
            t[0].0 += 1;
            t[0].1 += int(&i["Size"]) - int(&i["SharedSize"]).max(0);
        }
    }
    for c in list("Containers") {
        if !matches!(c["State"].as_str(), Some("running" | "paused")) {
            t[1].0 += 1;
            t[1].1 += int(&c["SizeRw"]);
        }
    }
    for v in list("Volumes") {
        let name = v["Name"].as_str().unwrap_or_default();
        let anonymous = name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit());
        if anonymous && int(&v["UsageData"]["RefCount"]) == 0 {
            t[2].0 += 1;
            t[2].1 += int(&v["UsageData"]["Size"]).max(0);
        }
    }
    for b in list("BuildCache") {
        if b["InUse"] != true && b["Shared"] != true {
            t[3].0 += 1;
            t[3].1 += int(&b["Size"]).max(0);
        }
    }
    t
}

fn usage_totals(usage: &Value) -> [(i64, i64); 4] {
    let part = |k: &str| {
        (
            usage[k]["Count"].as_i64().unwrap(),
            usage[k]["Bytes"].as_i64().unwrap(),
        )
    };
    [
        part("DanglingImages"),
        part("StoppedContainers"),
        part("UnusedVolumes"),
        part("BuildCache"),
    ]
}

/// API 1.41 cannot leave the containers out of `/system/df`, so a local Docker 20.10's totals
/// are put together here (src/collect/reclaimable.rs): dangling images from the layer store,
/// unused anonymous volumes sized from their directories, the build cache from BuildKit's API
/// over `/grpc`. They must be the daemon's own, and the daemon must not be asked.
#[test]
fn api_1_41_totals_are_put_together_here_as_the_daemon_counts_them() {
    let mut settings = serde_json::Map::new();
    settings.insert("debug".into(), true.into());
    let Some(engine) = engine_with_busybox(engines::Kind::Docker20, "dfl", settings) else {
        return;
    };
    // Two BuildKit builds under one tag: the first becomes a dangling image that shares its
    // base layer with dbdu/busybox:1, and both leave build cache records.
    let context = tempfile::tempdir().unwrap();
    std::fs::write(
        context.path().join("Dockerfile"),
        "FROM dbdu/busybox:1\nCOPY data /data\n",
    )
    .unwrap();
    // Debian's docker.io 20.10 CLI builds with BuildKit by itself; newer CLIs need buildx.
    let cli = ["/usr/bin/docker", "docker"]
        .into_iter()
        .find(|c| std::path::Path::new(c).exists())
        .unwrap_or("docker");
    for bytes in [2_000_000usize, 1_000_000] {
        std::fs::write(context.path().join("data"), vec![7u8; bytes]).unwrap();
        let out = Command::new(cli)
            .args(["-H", &engine.address(), "build", "-q", "-t", "dbdu/app:1"])
            .arg(context.path())
            .env("DOCKER_BUILDKIT", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "build: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            engine.logs()
        );
    }
    // An anonymous volume left behind by a removed container, with 500,000 bytes in it.
    engine.docker_ok(&[
        "run",
        "--name",
        "vol",
        "--network",
        "none",
        "-v",
        "/vol",
        "dbdu/busybox:1",
        "sh",
        "-c",
        "dd if=/dev/zero of=/vol/x bs=1000 count=500 2>/dev/null",
    ]);
    engine.docker_ok(&["rm", "vol"]);
    // An anonymous local volume with mount options (a tmpfs): `/system/df` leaves it out.
    engine.docker_ok(&[
        "create",
        "--name",
        "tmpvol",
        "--mount",
        "type=volume,dst=/t,volume-opt=type=tmpfs,volume-opt=device=tmpfs",
        "dbdu/busybox:1",
    ]);
    engine.docker_ok(&["rm", "tmpvol"]);
    let dangling = engine.docker_ok(&["volume", "ls", "-q", "--filter", "dangling=true"]);
    assert_eq!(dangling.lines().count(), 2, "{dangling}");
    engine.docker_ok(&[
        "run",
        "--name",
        "stopped",
        "--network",
        "none",
        "dbdu/busybox:1",
        "sh",
        "-c",
        WRITES,
    ]);

    let logged = |what: &str| {
        std::fs::read_to_string(engine_log(&engine))
            .unwrap_or_default()
            .matches(what)
            .count()
    };
    let before = logged("/system/df");
    let snapshot = collected(&engine.address());
    assert_eq!(
        logged("/system/df"),
        before,
        "the daemon was asked /system/df"
    );
    assert!(logged("/grpc") > 0, "BuildKit's API was not asked");
    let usage = &snapshot["daemon"]["DiskUsage"];
    assert_eq!(usage["Available"], true, "{usage}");

    let socket = engine.address().trim_start_matches("unix://").to_string();
    let out = Command::new("curl")
        .args(["-s", "--unix-socket", &socket, "http://d/v1.41/system/df"])
        .output()
        .unwrap();
    let df: Value = serde_json::from_slice(&out.stdout).unwrap();
    let daemon = df_totals(&df);
    let ours = usage_totals(usage);
    assert_eq!(
        ours, daemon,
        "ours (images, stopped, volumes, cache) vs /system/df: {df}"
    );
    assert_eq!(daemon[0].0, 1, "one dangling image: {df}");
    assert!(daemon[0].1 >= 2_000_000, "its own layer only: {df}");
    assert_eq!(daemon[2], (1, 500_000), "{df}");
    assert!(daemon[3].0 >= 1, "build cache records: {df}");
    assert_eq!(
        usage["TotalBytes"].as_i64().unwrap(),
        daemon.iter().map(|p| p.1).sum::<i64>()
    );
}

/// The file dockerd of `engine` logs to (debug: every API call).
fn engine_log(engine: &engines::Engine) -> std::path::PathBuf {
    engine.dir.join("dockerd.log")
}
