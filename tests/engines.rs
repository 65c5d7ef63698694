//! The engine matrix (tests/support/engines.rs): the same deliberately misconfigured
//! containers on every engine — Docker 20.10, 26, 28 (classic store), 28 (containerd image
//! store), Podman 4.3 — scanned live; the verdicts must be those the configuration calls for,
//! and the same on every engine except where an engine really differs (listed, with why).
#[path = "support/engines.rs"]
mod engines;
mod support;

use std::collections::BTreeMap;

use engines::{Engine, Kind};
use serde_json::Value;
use support::report_of;

const IMAGE: &str = "dbe/busybox:1";

/// Container checks judged per container, and the image checks.
const CHECKS: &str =
    "4.1,4.3,4.6,4.8,5.4,5.5,5.6,5.10,5.11,5.12,5.13,5.16,5.17,5.22,5.25,5.26,5.27,5.29,5.31,5.32";

/// The misconfigured set: (name, flags, start). Privileged and `--cap-add ALL` containers are
/// only created: this VM refuses to start them.
fn set() -> Vec<(&'static str, Vec<&'static str>, bool)> {
    vec![
        ("privileged", vec!["--privileged"], false),
        ("capall", vec!["--cap-add", "ALL"], false),
        ("hostpid", vec!["--pid", "host"], true),
        ("hostnet", vec!["--network", "host"], true),
        (
            "sock",
            vec!["-v", "/var/run/docker.sock:/var/run/docker.sock"],
            false,
        ),
        (
            "capadd",
            vec!["--cap-add", "NET_ADMIN", "--cap-add", "SYS_ADMIN"],
            true,
        ),
        (
            "seccomp",
            vec!["--security-opt", "seccomp=unconfined"],
            true,
        ),
        ("nolimits", vec![], true),
        (
            "hardened",
            vec![
                "--read-only",
                "--memory",
                "64m",
                "--cpu-shares",
                "512",
                "--pids-limit",
                "100",
                "--security-opt",
                "no-new-privileges",
                "--cap-drop",
                "ALL",
                "--user",
                "1000",
                "--health-cmd",
                "true",
                "--cgroup-parent",
                "/dbe",
            ],
            true,
        ),
    ]
}

/// Per check: its status, and the containers (or images) among its findings.
type Verdicts = BTreeMap<String, (String, Vec<String>)>;

fn verdicts(report: &Value) -> Verdicts {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut offenders: Vec<String> = r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let o = f["object"].as_str().unwrap();
                    // Image names differ by engine (`localhost/` under Podman).
                    if o.contains("busybox") {
                        "image".into()
                    } else {
                        o.to_string()
                    }
                })
                .collect();
            offenders.sort();
            offenders.dedup();
            (
                r["id"].as_str().unwrap().to_string(),
                (r["status"].as_str().unwrap().to_string(), offenders),
            )
        })
        .collect()
}

/// Starts `kind`, makes the set on it, scans it.
fn scan_engine(kind: Kind) -> (Value, Verdicts) {
    let engine = Engine::must_start(kind, &format!("m{}", kind as u8));
    let rootfs = tempfile::tempdir().unwrap();
    engines::busybox_rootfs(rootfs.path());
    engine.import(rootfs.path(), IMAGE);
    for (name, flags, start) in set() {
        let mut args = vec![
            "create",
            "--name",
            name,
            "--label",
            "dockbench.test=engines",
        ];
        if !flags.contains(&"--network") {
            args.extend(["--network", "none"]);
        }
        args.extend(flags.iter().copied());
        args.push(IMAGE);
        engine.docker_ok(&args);
        if start {
            engine.docker_ok(&["start", name]);
        }
    }
    let report = report_of(&[
        "scan",
        "--all",
        "--check",
        CHECKS,
        "--host",
        &engine.address(),
    ]);
    let v = verdicts(&report.0);
    (report.0, v)
}

/// Differences from Docker 20.10 an engine really has: (engine, check, why). Anything else
/// that differs fails the test.
const KNOWN: &[(&str, &str, &str)] = &[];

#[test]
fn the_misconfigured_set_gets_the_same_verdicts_on_every_engine() {
    if !support::require_docker() {
        return;
    }
    let mut table: BTreeMap<Kind, Verdicts> = BTreeMap::new();
    let mut headers: BTreeMap<Kind, Value> = BTreeMap::new();
    for kind in Kind::ALL {
        // DOCKBENCH_ENGINES_ONLY=docker-28,… narrows the matrix for a local run.
        let only = std::env::var("DOCKBENCH_ENGINES_ONLY").unwrap_or_default();
        if kind == Kind::Podman5
            || !only.is_empty()
                && kind != Kind::Docker20
                && !only.split(',').any(|o| o == kind.name())
        {
            continue;
        }
        let (report, v) = scan_engine(kind);
        // The report names the engine, its version, API version and image store.
        let host = &report["host"];
        assert_eq!(
            host["api_version"],
            kind.api_version(),
            "{}: {host}",
            kind.name()
        );
        assert_eq!(
            host["image_store"],
            kind.image_store(),
            "{}: {host}",
            kind.name()
        );
        let target = host["target"].as_str().unwrap_or_default();
        let engine = if kind.is_podman() {
            "Podman "
        } else {
            "Docker "
        };
        assert!(
            target.starts_with(engine)
                && target.contains(&format!("(API {})", kind.api_version()))
                && target.contains(&format!("image store {}", kind.image_store())),
            "{}: {target}",
            kind.name()
        );
        headers.insert(kind, host.clone());
        // What the configuration calls for, on every engine.
        let offender = |id: &str, object: &str| {
            let (status, offenders) = &v[id];
            assert!(
                offenders.iter().any(|o| o == object),
                "{}: {id} ({status}) does not name {object}: {offenders:?}",
                kind.name()
            );
        };
        offender("5.5", "privileged");
        offender("5.4", "capall");
        offender("5.4", "capadd");
        offender("5.16", "hostpid");
        offender("5.10", "hostnet");
        offender("5.32", "sock");
        offender("5.22", "seccomp");
        offender("5.11", "nolimits");
        offender("5.29", "nolimits");
        offender("4.8", "image");
        offender("4.3", "image");
        for id in [
            "5.5", "5.4", "5.16", "5.10", "5.32", "5.22", "5.11", "5.29", "5.13",
        ] {
            assert!(
                !v[id].1.iter().any(|o| o == "hardened"),
                "{}: {id} names the hardened container: {:?}",
                kind.name(),
                v[id]
            );
        }
        table.insert(kind, v);
    }
    // The matrix, for the record (target/engine-matrix.md) and the test log.
    let kinds: Vec<Kind> = table.keys().copied().collect();
    let mut md = String::from("| check |");
    for k in &kinds {
        md.push_str(&format!(" {} |", k.name()));
    }
    md.push_str("\n|---|");
    for _ in &kinds {
        md.push_str("---|");
    }
    md.push('\n');
    let base = &table[&Kind::Docker20];
    let mut unexplained = Vec::new();
    for id in base.keys() {
        md.push_str(&format!("| {id} |"));
        for k in &kinds {
            let (status, offenders) = &table[k][id];
            md.push_str(&format!(" {status} {} |", offenders.join(" ")));
            if table[k][id] != base[id] && !KNOWN.iter().any(|(e, c, _)| *e == k.name() && c == id)
            {
                unexplained.push(format!(
                    "{id} on {}: {status} {offenders:?}; docker-20.10: {:?}",
                    k.name(),
                    base[id]
                ));
            }
        }
        md.push('\n');
    }
    md.push_str("\ntargets:\n");
    for (k, h) in &headers {
        md.push_str(&format!("- {}: {h}\n", k.name()));
    }
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("engine-matrix.md");
    std::fs::write(&out, &md).unwrap();
    eprintln!("{md}");
    assert!(
        unexplained.is_empty(),
        "verdicts differ from Docker 20.10:\n{}",
        unexplained.join("\n")
    );
}

/// Podman 5 from Debian trixie needs glibc 2.38 (this machine has Debian 12's 2.36): the
/// harness says so instead of starting it. When this test fails, Podman 5 runs here and
/// belongs in the matrix above.
#[test]
fn podman_5_says_why_it_cannot_run_here() {
    if !support::require_docker() {
        return;
    }
    match Engine::start(Kind::Podman5, "p5") {
        Ok(_) => panic!("podman 5 runs on this machine: add it to the matrix"),
        Err(e) => assert!(
            e.contains("does not run on this machine's libraries") && e.contains("GLIBC"),
            "{e}"
        ),
    }
}
