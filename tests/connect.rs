//! Connections the docker CLI's way (docs/connections.md): address forms, usage errors, the
//! API version on every request, contexts, and the collect-and-pipe workflow for remote
//! hosts. A small fake Engine API on loopback records every request line; a private dockerd
//! stands behind a docker context.
#[path = "support/private_daemon.rs"]
mod private_daemon;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use private_daemon::PrivateDaemon;

/// A fake daemon at API 1.41: answers `/version`, `/info` and empty lists, one request per
/// connection, and records each request's path.
struct Fake {
    port: u16,
    paths: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    fn start(bind: &str, version: Value) -> Option<Fake> {
        let listener = TcpListener::bind(bind).ok()?;
        let port = listener.local_addr().unwrap().port();
        let paths = Arc::new(Mutex::new(Vec::new()));
        let seen = paths.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                seen.lock().unwrap().push(path.clone());
                let bare = path.split('?').next().unwrap_or("");
                let bare = match bare.strip_prefix("/v") {
                    Some(rest) => rest.find('/').map_or(bare, |i| &rest[i..]),
                    None => bare,
                };
                let (status, body) = match bare {
                    "/version" => ("200 OK", version.clone()),
                    "/info" => (
                        "200 OK",
                        json!({"ID": "FAKE", "Name": "fake", "ServerVersion": "20.10.99",
                               "SecurityOptions": [], "DockerRootDir": "/var/lib/fake-docker"}),
                    ),
                    "/containers/json" | "/images/json" | "/networks" => ("200 OK", json!([])),
                    _ => ("404 Not Found", json!({"message": "not found"})),
                };
                let body = body.to_string();
                let mut s = stream;
                let _ = write!(
                    s,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Some(Fake { port, paths })
    }

    fn docker_20() -> Value {
        json!({"ApiVersion": "1.41", "MinAPIVersion": "1.12", "Version": "20.10.99",
               "Os": "linux", "Arch": "amd64", "KernelVersion": "6.1.0"})
    }

    fn paths(&self) -> Vec<String> {
        self.paths.lock().unwrap().clone()
    }
}

fn dockbench() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("dockbench"));
    for var in [
        "DOCKER_HOST",
        "DOCKER_CONTEXT",
        "DOCKER_TLS_VERIFY",
        "DOCKER_CERT_PATH",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn json_report(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_request_carries_the_negotiated_api_version_and_version_is_asked_once() {
    let fake = Fake::start("127.0.0.1:0", Fake::docker_20()).unwrap();
    // Scheme-less HOST:PORT is TCP; -H is --host.
    let out = dockbench()
        .args([
            "collect",
            "-o",
            "-",
            "-H",
            &format!("127.0.0.1:{}", fake.port),
        ])
        .output()
        .unwrap();
    let snap = json_report(&out);
    assert_eq!(
        snap["source"]["location"],
        format!("tcp://127.0.0.1:{}", fake.port)
    );
    let paths = fake.paths();
    let versions: Vec<&String> = paths.iter().filter(|p| p.ends_with("/version")).collect();
    assert_eq!(versions.len(), 1, "/version asked once: {paths:?}");
    let after: Vec<&String> = paths.iter().filter(|p| !p.ends_with("/version")).collect();
    assert!(after.len() >= 4, "{paths:?}");
    for p in after {
        assert!(
            p.starts_with("/v1.41/"),
            "not at the negotiated version: {p} ({paths:?})"
        );
    }
}

#[test]
fn tcp_without_a_port_is_2375() {
    // Only when the port is free on loopback (nothing of ours listens there otherwise).
    let Some(fake) = Fake::start("127.0.0.1:2375", Fake::docker_20()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: 127.0.0.1:2375 must be free for this test"
        );
        eprintln!("skipped: 127.0.0.1:2375 is taken");
        return;
    };
    let out = dockbench()
        .args(["collect", "-o", "-"])
        .env("DOCKER_HOST", "tcp://127.0.0.1")
        .output()
        .unwrap();
    assert_eq!(
        json_report(&out)["source"]["location"],
        "tcp://127.0.0.1:2375"
    );
    assert!(!fake.paths().is_empty());
}

#[test]
fn unusable_addresses_are_usage_errors_naming_the_alternative() {
    for (host, says) in [
        (
            "ssh://me@box/var/run/docker.sock",
            "an ssh address has no path",
        ),
        (
            "npipe:////./pipe/docker_engine",
            "unsupported address scheme",
        ),
        ("fd://", "not one a client can connect to"),
        ("tcp://127.0.0.1:99999", "invalid port"),
    ] {
        for env in [false, true] {
            let mut cmd = dockbench();
            cmd.args(["scan", "--check", "2.1"]);
            if env {
                cmd.env("DOCKER_HOST", host);
            } else {
                cmd.args(["--host", host]);
            }
            let out = cmd.output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{host}: {err}");
            assert!(err.contains(says), "{host}: {err}");
        }
    }
    // --context with --host is the docker CLI's conflict.
    let out = dockbench()
        .args(["scan", "--host", "unix:///x.sock", "--context", "lab"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The full-facts workflow for a remote host, with the ssh hop replaced by a pipe:
/// `dockbench collect -o - | dockbench scan --snapshot -`.
#[test]
fn collect_to_stdout_piped_into_scan_from_stdin() {
    let fake = Fake::start("127.0.0.1:0", Fake::docker_20()).unwrap();
    let host = format!("tcp://127.0.0.1:{}", fake.port);
    let mut collect = dockbench()
        .args(["collect", "-o", "-", "--host", &host])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let scan = dockbench()
        .args([
            "scan",
            "--snapshot",
            "-",
            "--check",
            "2.1,4.1",
            "-f",
            "json",
        ])
        .stdin(collect.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(collect.wait().unwrap().success());
    let report = json_report(&scan);
    let location = report["source"]["location"].as_str().unwrap_or_default();
    assert!(location.contains(&host), "{report:#}");
    assert_eq!(report["results"].as_array().unwrap().len(), 2);
}

/// A docker context (the CLI's meta store, made here the way `docker context create` lays
/// it out) naming a private daemon: `--context`, `DOCKER_CONTEXT` and `currentContext` all
/// scan that daemon, and `DOCKER_HOST` wins over the last two.
#[test]
fn a_context_scans_the_daemon_it_names() {
    let Some(d) = PrivateDaemon::start("ctx", r#"{"log-level": "warn"}"#, &[]) else {
        return;
    };
    let cfg = tempfile::tempdir().unwrap();
    let meta = cfg.path().join("contexts/meta/0123abcd");
    std::fs::create_dir_all(&meta).unwrap();
    let m = json!({"Name": "lab", "Metadata": {}, "Endpoints": {"docker": {"Host": d.address(), "SkipTLSVerify": false}}});
    std::fs::write(meta.join("meta.json"), m.to_string()).unwrap();
    std::fs::write(
        cfg.path().join("config.json"),
        r#"{"currentContext": "lab"}"#,
    )
    .unwrap();
    let private_id = {
        let out = d.docker(&["info", "--format", "{{.ID}}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let scan = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = dockbench();
        cmd.args(["collect", "-o", "-"]).args(args);
        cmd.env("DOCKER_CONFIG", cfg.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        json_report(&cmd.output().unwrap())
    };
    for (args, env) in [
        (&["--context", "lab"][..], &[][..]),
        (&[], &[("DOCKER_CONTEXT", "lab")]),
        (&[], &[]),
    ] {
        let snap = scan(args, env);
        assert_eq!(snap["source"]["location"], d.address(), "{args:?} {env:?}");
        assert_eq!(snap["daemon"]["Info"]["ID"], private_id.as_str());
        assert_eq!(snap["daemon"]["Target"]["Context"], "lab");
    }
    let snap = scan(&[], &[("DOCKER_HOST", "unix:///var/run/docker.sock")]);
    assert_eq!(snap["source"]["location"], "unix:///var/run/docker.sock");
    // An unknown context is a usage error, as in the docker CLI.
    let out = dockbench()
        .args(["scan", "--context", "nope"])
        .env("DOCKER_CONFIG", cfg.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A daemon whose serving process is not a dockerd of this host (here the fake, served by the
/// test itself) is remote: every host fact is typed "not in a remote scan", its checks SKIP
/// with that reason, and what the Engine API tells (/info) is still judged.
#[test]
fn a_remote_daemon_skips_host_facts_with_a_typed_reason() {
    let fake = Fake::start("127.0.0.1:0", Fake::docker_20()).unwrap();
    let host = format!("tcp://127.0.0.1:{}", fake.port);
    let snap = json_report(
        &dockbench()
            .args(["collect", "-o", "-", "--host", &host])
            .output()
            .unwrap(),
    );
    let target = &snap["daemon"]["Target"];
    assert_eq!(target["Local"], false, "{target:#}");
    assert_eq!(target["Via"], "TCP (plaintext)");
    for status in [
        &snap["daemon"]["Config"]["CommandLine"],
        &snap["host"]["Audit"],
        &snap["host"]["Files"]["docker.service"],
        &snap["host"]["DataRootMount"],
        &snap["host"]["Firewall"],
        &snap["host"]["Proc"],
    ] {
        assert_eq!(status["State"], "not_in_mode", "{status:#}");
        assert_eq!(status["ScanMode"], "remote", "{status:#}");
        assert!(
            status["Reason"]
                .as_str()
                .unwrap()
                .contains("not available for a remote daemon"),
            "{status:#}"
        );
    }
    let out = dockbench()
        .args(["scan", "--host", &host, "--check", "1.1.3,2.2,3.1,2.15"])
        .args(["-f", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let status = |id: &str| {
        let r = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone();
        (
            r["status"].as_str().unwrap().to_string(),
            r["reason"].to_string(),
        )
    };
    for id in ["1.1.3", "2.2", "3.1"] {
        let (s, why) = status(id);
        assert_eq!(s, "SKIP", "{id}: {why}");
        assert!(
            why.contains("not available for a remote daemon"),
            "{id}: {why}"
        );
    }
    // live-restore is in /info: judged (the fake says false).
    assert_eq!(status("2.15").0, "WARN");
    assert!(
        report["host"]["target"]
            .as_str()
            .unwrap()
            .contains("remote ("),
        "{report:#}"
    );
}
