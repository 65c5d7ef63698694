//! Fixture tests of the dockbench-practices benchmark and of the CIS manual checks it
//! automates (4.3, 4.8, 4.10, 5.28): `tests/fixtures/snapshots/clean.json` with the facts
//! under test changed, evaluated by the library. Each check has a passing case and a
//! finding case, and SKIP/ERROR cases where facts can be missing or not apply. Then the
//! CLI: both benchmarks in one report, `[params]` overrides, and a planted secret that must
//! not appear in any output format.
mod support;

use std::sync::Arc;

use cel::Env;
use dockbench::engine::{Benchmark, cel_env, evaluate, load_embedded};
use dockbench::report::CheckResult;
use dockbench::snapshot::Snapshot;
use serde_json::{Value, json};

const CLEAN: &str = "tests/fixtures/snapshots/clean.json";
/// The only container of clean.json.
const NAME: &str = "fx-clean";
/// The only image of clean.json.
const IMAGE: &str = "dockbench-fixture/busybox:1";
/// clean.json was collected at 2026-11-22T23:08:26Z; its image was built 18 s earlier.
const COLLECTED: &str = "2026-11-22T23:08:26Z";

fn clean() -> Value {
    serde_json::from_str(&std::fs::read_to_string(CLEAN).unwrap()).unwrap()
}

thread_local! {
    static BENCHES: (Vec<Benchmark>, Arc<Env>) = {
        let env = cel_env();
        let b = ["cis-docker-1.6.0", "dockbench-practices"]
            .map(|id| load_embedded(id, &env).unwrap());
        (b.into(), env)
    };
}

fn eval(id: &str, snap: &Value) -> CheckResult {
    let snap = Snapshot::from_json(&snap.to_string()).unwrap();
    BENCHES.with(|(benches, env)| {
        let check = benches
            .iter()
            .flat_map(|b| &b.checks)
            .find(|c| c.def.id == id)
            .unwrap_or_else(|| panic!("no check {id}"));
        evaluate(&[check], &snap, env).remove(0)
    })
}

/// clean.json with `edit` applied to the whole snapshot, evaluated by check `id`.
fn with_snapshot(id: &str, edit: impl FnOnce(&mut Value)) -> CheckResult {
    let mut snap = clean();
    edit(&mut snap);
    eval(id, &snap)
}

/// clean.json with `edit` applied to its container.
fn with(id: &str, edit: impl FnOnce(&mut Value)) -> CheckResult {
    with_snapshot(id, |s| edit(&mut s["containers"][0]))
}

/// clean.json with `edit` applied to its image.
fn with_image(id: &str, edit: impl FnOnce(&mut Value)) -> CheckResult {
    with_snapshot(id, |s| edit(&mut s["images"][0]))
}

#[track_caller]
fn status(r: &CheckResult, expected: &str) {
    assert_eq!(
        r.status.as_str(),
        expected,
        "{}: {} {:?} {:?}",
        r.id,
        r.reason,
        r.findings,
        r.exceptions
    );
}

#[track_caller]
fn pass(r: CheckResult) {
    status(&r, "PASS");
    assert!(r.findings.is_empty() && r.exceptions.is_empty());
}

/// `status` with `object` as the one finding, whose value contains `value`.
#[track_caller]
fn flagged(r: CheckResult, expected: &str, object: &str, value: &str) {
    status(&r, expected);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert_eq!(r.findings[0].object, object);
    assert!(
        r.findings[0].value.contains(value),
        "{}: '{}' does not contain '{value}'",
        r.id,
        r.findings[0].value
    );
}

#[track_caller]
fn warn(r: CheckResult, value: &str) {
    flagged(r, "WARN", NAME, value);
}

#[track_caller]
fn info(r: CheckResult, value: &str) {
    flagged(r, "INFO", NAME, value);
}

#[track_caller]
fn skip(r: CheckResult, reason: &str) {
    status(&r, "SKIP");
    assert!(r.reason.contains(reason), "{}: {}", r.id, r.reason);
}

#[track_caller]
fn error(r: CheckResult, reason: &str) {
    status(&r, "ERROR");
    let all = format!("{} {:?}", r.reason, r.exceptions);
    assert!(all.contains(reason), "{}: {all}", r.id);
}

fn set(v: &mut Value, path: &str, value: Value) {
    let mut target = v;
    for key in path.split('.') {
        target = match key.parse::<usize>() {
            Ok(i) => &mut target[i],
            Err(_) => &mut target[key],
        };
    }
    *target = value;
}

fn stopped(c: &mut Value, exit_code: i64) {
    set(c, "State.Status", json!("exited"));
    set(c, "State.Running", json!(false));
    set(c, "State.Pid", json!(0));
    set(c, "State.ExitCode", json!(exit_code));
    set(c, "State.FinishedAt", json!("2026-11-22T23:00:00Z"));
    set(c, "Processes", json!([]));
}

fn process(pid: i64, comm: &str, args: &[&str], state: &str) -> Value {
    json!({"Pid": pid, "PPid": 1, "Comm": comm, "Args": args, "Uid": 0, "NoNewPrivs": true,
           "Seccomp": 2, "State": state})
}

/// Daemon settings as the collector resolves them, with the command line known.
fn settings(snap: &mut Value, pairs: &[(&str, Value)]) {
    set(
        snap,
        "daemon.Config.CommandLine",
        json!({"Available": true, "Reason": ""}),
    );
    for (k, v) in pairs {
        set(
            snap,
            &format!("daemon.Config.Settings.{k}"),
            json!({"Value": v, "Source": "daemon.json", "Origin": "/etc/docker/daemon.json"}),
        );
    }
}

// ---- DP.1 memory -------------------------------------------------------------------------

#[test]
fn dp_1_1_oom_killed() {
    pass(with("DP.1.1", |_| {}));
    warn(
        with("DP.1.1", |c| {
            stopped(c, 137);
            set(c, "State.OOMKilled", json!(true));
        }),
        "OOMKilled (exit code 137",
    );
    warn(
        with("DP.1.1", |c| stopped(c, 137)),
        "exit code 137 (SIGKILL",
    );
    pass(with("DP.1.1", |c| stopped(c, 0)));
}

#[test]
fn dp_1_2_no_memory_limit_where_oom_happened() {
    skip(
        with("DP.1.2", |_| {}),
        "no container in scope was OOM-killed",
    );
    let oom_host = |memory: i64| {
        with_snapshot("DP.1.2", |s| {
            let mut victim = s["containers"][0].clone();
            stopped(&mut victim, 137);
            set(&mut victim, "State.OOMKilled", json!(true));
            set(&mut victim, "Name", json!("fx-victim"));
            set(&mut victim, "Id", json!("f".repeat(64)));
            set(&mut s["containers"][0], "HostConfig.Memory", json!(memory));
            s["containers"].as_array_mut().unwrap().push(victim);
        })
    };
    let r = oom_host(0);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    flagged(r, "WARN", NAME, "OOM-killed on this host: fx-victim");
    pass_or_skip_only(oom_host(64 << 20));
}

/// A check where the compliant objects pass and the rest do not apply.
#[track_caller]
fn pass_or_skip_only(r: CheckResult) {
    status(&r, "PASS");
    assert!(r.findings.is_empty());
}

// ---- DP.2 logs, disk, data ---------------------------------------------------------------

#[test]
fn dp_2_1_daemon_log_rotation() {
    error(
        with_snapshot("DP.2.1", |_| {}),
        "daemon settings not collected",
    );
    warn_daemon(
        with_snapshot("DP.2.1", |s| {
            settings(
                s,
                &[("log-driver", json!("json-file")), ("log-opts", json!({}))],
            )
        }),
        "log-driver=json-file without max-size",
    );
    pass(with_snapshot("DP.2.1", |s| {
        settings(
            s,
            &[
                ("log-driver", json!("json-file")),
                ("log-opts", json!({"max-size": "10m"})),
            ],
        )
    }));
    pass(with_snapshot("DP.2.1", |s| {
        settings(
            s,
            &[("log-driver", json!("local")), ("log-opts", json!({}))],
        )
    }));
}

#[track_caller]
fn warn_daemon(r: CheckResult, value: &str) {
    status(&r, "WARN");
    assert!(r.findings[0].value.contains(value), "{:?}", r.findings);
}

#[test]
fn dp_2_2_container_log_rotation() {
    pass(with("DP.2.2", |_| {}));
    warn(
        with("DP.2.2", |c| {
            set(c, "HostConfig.LogConfig.Config", json!({"max-file": "3"}))
        }),
        "json-file without max-size (log-opts: max-file=3)",
    );
    pass(with("DP.2.2", |c| {
        set(
            c,
            "HostConfig.LogConfig",
            json!({"Type": "journald", "Config": {}}),
        )
    }));
}

fn disk(s: &mut Value, stopped_bytes: i64) {
    set(
        s,
        "daemon.DiskUsage",
        json!({"Available": true, "Reason": "",
               "DanglingImages": {"Count": 2, "Bytes": 3_000_000_000i64},
               "StoppedContainers": {"Count": 1, "Bytes": stopped_bytes},
               "UnusedVolumes": {"Count": 0, "Bytes": 0},
               "BuildCache": {"Count": 0, "Bytes": 0},
               "TotalBytes": 3_000_000_000i64 + stopped_bytes}),
    );
}

#[test]
fn dp_2_3_reclaimable_space() {
    error(with_snapshot("DP.2.3", |_| {}), "not collected");
    error(
        with_snapshot("DP.2.3", |s| {
            set(
                s,
                "daemon.DiskUsage.Reason",
                json!("reading /system/df failed: timeout"),
            )
        }),
        "reading /system/df failed: timeout",
    );
    let r = with_snapshot("DP.2.3", |s| disk(s, 1_000_000));
    status(&r, "PASS");
    assert!(
        r.reason.contains("reclaimable 3001 MB (threshold 10 GB)"),
        "{}",
        r.reason
    );
    warn_daemon(
        with_snapshot("DP.2.3", |s| disk(s, 8_000_000_000)),
        "reclaimable 11000 MB (threshold 10 GB): dangling images 2 / 3000 MB, stopped containers 1 / 8000 MB",
    );
}

#[test]
fn dp_2_4_writable_layer() {
    error(with("DP.2.4", |_| {}), "writable layer size not collected");
    pass(with("DP.2.4", |c| set(c, "SizeRw", json!(4096))));
    warn(
        with("DP.2.4", |c| set(c, "SizeRw", json!(2_500_000_000i64))),
        "writable layer 2500 MB (threshold 1000 MB)",
    );
}

#[test]
fn dp_2_5_anonymous_volumes() {
    pass(with("DP.2.5", |_| {}));
    let volume = |name: String| {
        json!([{"Type": "volume", "Name": name, "Source": "/var/lib/docker/volumes/x/_data",
                "Destination": "/data", "Driver": "local", "Mode": "", "RW": true, "Propagation": ""}])
    };
    warn(
        with("DP.2.5", |c| set(c, "Mounts", volume("a".repeat(64)))),
        "anonymous volumes at: /data",
    );
    pass(with("DP.2.5", |c| {
        set(c, "Mounts", volume("appdata".into()))
    }));
}

// ---- DP.3 images -------------------------------------------------------------------------

#[test]
fn dp_3_1_latest_or_no_tag() {
    pass(with("DP.3.1", |_| {}));
    warn(
        with("DP.3.1", |c| set(c, "Config.Image", json!("nginx"))),
        "nginx (no tag: latest)",
    );
    warn(
        with("DP.3.1", |c| {
            set(c, "Config.Image", json!("reg:5000/app:latest"))
        }),
        "reg:5000/app:latest",
    );
    pass(with("DP.3.1", |c| {
        set(c, "Config.Image", json!("nginx@sha256:0123456789abcdef"))
    }));
}

#[test]
fn dp_3_2_digest_pinning() {
    info(
        with("DP.3.2", |_| {}),
        "runs dockbench-fixture/busybox:1 by tag",
    );
    pass(with("DP.3.2", |c| {
        set(c, "Config.Image", json!("busybox@sha256:0123456789abcdef"))
    }));
}

#[test]
fn dp_3_3_large_images() {
    pass(with_image("DP.3.3", |_| {}));
    flagged(
        with_image("DP.3.3", |i| set(i, "Size", json!(1_500_000_000i64))),
        "INFO",
        IMAGE,
        "size 1500 MB (threshold 1000 MB)",
    );
}

#[test]
fn dp_3_4_old_images() {
    pass(with_image("DP.3.4", |_| {}));
    flagged(
        with_image("DP.3.4", |i| {
            set(i, "Created", json!("2026-01-01T00:00:00Z"))
        }),
        "INFO",
        IMAGE,
        "built 325 days ago",
    );
    skip(
        with_image("DP.3.4", |i| {
            set(i, "Created", json!("1970-01-01T00:00:00Z"))
        }),
        "no creation time",
    );
}

#[test]
fn dp_3_5_registry_mirror() {
    status(&with_snapshot("DP.3.5", |_| {}), "INFO");
    pass(with_snapshot("DP.3.5", |s| {
        set(
            s,
            "daemon.Info.RegistryConfig.Mirrors",
            json!(["https://mirror.example/"]),
        )
    }));
    // Offline (no daemon info): the daemon.json / command-line setting.
    pass(with_snapshot("DP.3.5", |s| {
        set(s, "daemon.Info", Value::Null);
        set(
            s,
            "daemon.Config.Settings",
            json!({"registry-mirrors": {"Value": ["https://m.example/"], "Source": "file"}}),
        )
    }));
    status(
        &with_snapshot("DP.3.5", |s| {
            set(s, "daemon.Info", Value::Null);
            set(
                s,
                "daemon.Config.Settings",
                json!({"registry-mirrors": {"Value": [], "Source": "default"}}),
            )
        }),
        "INFO",
    );
    error(
        with_snapshot("DP.3.5", |s| set(s, "daemon.Info", Value::Null)),
        "neither daemon info nor the daemon configuration is available",
    );
}

// ---- DP.4 processes ----------------------------------------------------------------------

fn pid1(c: &mut Value, procs: Vec<Value>) {
    set(c, "State.Pid", json!(100));
    set(c, "Processes", Value::Array(procs));
}

#[test]
fn dp_4_1_shell_wrapper_pid1() {
    pass(with("DP.4.1", |_| {}));
    warn(
        with("DP.4.1", |c| {
            pid1(
                c,
                vec![
                    process(100, "sh", &["/bin/sh", "-c", "sleep 3600; echo done"], "S"),
                    process(101, "sleep", &["sleep", "3600"], "S"),
                ],
            )
        }),
        "PID 1: /bin/sh -c sleep 3600; echo done (no --init)",
    );
    // With --init, PID 1 is docker-init and the shell is its child.
    pass(with("DP.4.1", |c| {
        set(c, "HostConfig.Init", json!(true));
        pid1(
            c,
            vec![
                process(
                    100,
                    "docker-init",
                    &["/sbin/docker-init", "--", "sh", "-c", "x"],
                    "S",
                ),
                process(101, "sh", &["sh", "-c", "x"], "S"),
            ],
        )
    }));
    error(
        with_snapshot("DP.4.1", |s| {
            set(&mut s["containers"][0], "Processes", Value::Null);
            set(
                s,
                "host.Proc",
                json!({"Available": false, "Reason": "no /proc access"}),
            );
        }),
        "no /proc access",
    );
    error(
        with("DP.4.1", |c| set(c, "State.Pid", json!(4242))),
        "PID 1 (host PID 4242) not found",
    );
    skip(with("DP.4.1", |c| stopped(c, 0)), "not running");
}

#[test]
fn dp_4_2_zombies() {
    pass(with("DP.4.2", |_| {}));
    warn(
        with("DP.4.2", |c| {
            pid1(
                c,
                vec![
                    process(100, "app", &["app"], "S"),
                    process(105, "worker", &[], "Z"),
                ],
            )
        }),
        "1 zombie process(es): worker (pid 105); PID 1: app",
    );
    skip(with("DP.4.2", |c| stopped(c, 0)), "not running");
}

#[test]
fn dp_4_3_one_application() {
    pass(with("DP.4.3", |_| {}));
    info(
        with("DP.4.3", |c| {
            pid1(
                c,
                vec![
                    process(
                        100,
                        "supervisord",
                        &["/usr/bin/python3", "/usr/bin/supervisord"],
                        "S",
                    ),
                    process(101, "nginx", &["nginx"], "S"),
                ],
            )
        }),
        "supervisor supervisord as PID 1; programs: nginx",
    );
    info(
        with("DP.4.3", |c| {
            pid1(
                c,
                vec![
                    process(100, "nginx", &["nginx"], "S"),
                    process(101, "nginx", &["nginx"], "S"),
                    process(102, "php-fpm", &["php-fpm"], "S"),
                ],
            )
        }),
        "programs: nginx, php-fpm",
    );
}

// ---- DP.5 privilege ----------------------------------------------------------------------

#[test]
fn dp_5_1_cap_drop_all() {
    pass(with("DP.5.1", |_| {}));
    warn(
        with("DP.5.1", |c| {
            set(c, "HostConfig.CapDrop", json!(["net_raw"]))
        }),
        "CapDrop: CAP_NET_RAW (ALL not dropped)",
    );
}

#[test]
fn dp_5_2_escape_capabilities() {
    pass(with("DP.5.2", |_| {}));
    pass(with("DP.5.2", |c| {
        set(
            c,
            "HostConfig.CapAdd",
            json!(["NET_BIND_SERVICE", "CAP_SYS_TIME"]),
        )
    }));
    warn(
        with("DP.5.2", |c| {
            set(
                c,
                "HostConfig.CapAdd",
                json!(["sys_ptrace", "CAP_BPF", "CHOWN"]),
            )
        }),
        "capabilities: CAP_SYS_PTRACE, CAP_BPF",
    );
    warn(
        with("DP.5.2", |c| set(c, "HostConfig.Privileged", json!(true))),
        "capabilities: ALL (privileged)",
    );
}

#[test]
fn dp_5_3_read_only_without_tmpfs() {
    info(
        with("DP.5.3", |_| {}),
        "without a writable mount at: /run, /var/tmp",
    );
    pass(with("DP.5.3", |c| {
        set(
            c,
            "HostConfig.Tmpfs",
            json!({"/tmp": "", "/run": "", "/var/tmp": ""}),
        )
    }));
    skip(
        with("DP.5.3", |c| {
            set(c, "HostConfig.ReadonlyRootfs", json!(false))
        }),
        "writable",
    );
}

// ---- DP.6 network ------------------------------------------------------------------------

fn ufw(s: &mut Value, rules: Value) {
    set(
        s,
        "host.Firewall",
        json!({"UfwInstalled": true, "UfwEnabled": true, "RulesAvailable": true, "Reason": "",
               "Source": "iptables-save", "DockerUserChain": true, "DockerUserRules": rules}),
    );
}

fn publish(c: &mut Value, ip: &str) {
    set(
        c,
        "NetworkSettings.Ports",
        json!({"80/tcp": [{"HostIp": ip, "HostPort": "8080"}]}),
    );
}

#[test]
fn dp_6_1_ufw_bypass() {
    skip(with_snapshot("DP.6.1", |_| {}), "ufw is not installed");
    skip(
        with_snapshot("DP.6.1", |s| {
            set(
                s,
                "host.Firewall",
                json!({"UfwInstalled": true, "UfwEnabled": true, "RulesAvailable": false,
                       "Reason": "iptables-save failed: Permission denied (you must be root)"}),
            )
        }),
        "the firewall rules cannot be read: iptables-save failed: Permission denied",
    );
    let r = with_snapshot("DP.6.1", |s| {
        ufw(s, json!([]));
        publish(&mut s["containers"][0], "0.0.0.0");
    });
    status(&r, "WARN");
    assert!(
        r.findings[0]
            .value
            .contains("ports are open to all: fx-clean 0.0.0.0:8080->80/tcp"),
        "{:?}",
        r.findings
    );
    pass(with_snapshot("DP.6.1", |s| {
        ufw(s, json!([]));
        publish(&mut s["containers"][0], "127.0.0.1");
    }));
    pass(with_snapshot("DP.6.1", |s| {
        ufw(s, json!(["-i eth0 -j DROP"]));
        publish(&mut s["containers"][0], "::");
    }));
}

fn resolver(s: &mut Value, nameservers: &[&str], fallback: bool) {
    set(
        s,
        "host.Resolver",
        json!({"Available": true, "Reason": "", "Nameservers": nameservers,
               "LoopbackOnly": fallback, "Source": "/etc/resolv.conf",
               "ContainerNameservers": if fallback { json!([]) } else { json!(nameservers) },
               "PublicFallback": fallback}),
    );
}

#[test]
fn dp_6_2_public_dns_fallback() {
    error(
        with_snapshot("DP.6.2", |_| {}),
        "the host resolver was not collected",
    );
    warn_daemon(
        with_snapshot("DP.6.2", |s| {
            resolver(s, &["127.0.0.1"], true);
            settings(s, &[("dns", json!([]))]);
        }),
        "host nameservers 127.0.0.1 (/etc/resolv.conf) leave containers none",
    );
    pass(with_snapshot("DP.6.2", |s| {
        resolver(s, &["127.0.0.1"], true);
        settings(s, &[("dns", json!(["10.0.0.2"]))]);
    }));
    skip(
        with_snapshot("DP.6.2", |s| {
            resolver(s, &["10.0.0.2"], false);
            settings(s, &[("dns", json!([]))]);
        }),
        "non-loopback nameserver",
    );
}

// ---- CIS checks we automate --------------------------------------------------------------

fn layers(i: &mut Value, setuid: &[&str], tools: &[&str], truncated: bool) {
    set(
        i,
        "Layers",
        json!({"Available": true, "Reason": "", "SetuidFiles": setuid, "Tools": tools,
               "Truncated": truncated}),
    );
}

#[test]
fn cis_4_3_risky_tools() {
    error(with_image("4.3", |_| {}), "image layers not walked");
    error(
        with_image("4.3", |i| {
            set(
                i,
                "Layers.Reason",
                json!(
                    "storage driver 'btrfs': layer directories are only walked for overlay2 and fuse-overlayfs"
                ),
            )
        }),
        "storage driver 'btrfs'",
    );
    pass(with_image("4.3", |i| layers(i, &[], &[], false)));
    flagged(
        with_image("4.3", |i| {
            layers(i, &[], &["/usr/bin/gcc", "/usr/sbin/sshd"], false)
        }),
        "INFO",
        IMAGE,
        "/usr/bin/gcc, /usr/sbin/sshd",
    );
    error(
        with_image("4.3", |i| layers(i, &[], &[], true)),
        "stopped at its bound",
    );
}

#[test]
fn cis_4_8_setuid_files() {
    error(with_image("4.8", |_| {}), "image layers not walked");
    pass(with_image("4.8", |i| layers(i, &[], &["/bin/nc"], false)));
    flagged(
        with_image("4.8", |i| layers(i, &["/bin/su (4755)"], &[], false)),
        "WARN",
        IMAGE,
        "/bin/su (4755)",
    );
    flagged(
        with_image("4.8", |i| layers(i, &["/bin/su (4755)"], &[], true)),
        "WARN",
        IMAGE,
        "(walk truncated: there may be more)",
    );
    error(
        with_image("4.8", |i| layers(i, &[], &[], true)),
        "stopped at its bound",
    );
}

const PLANTED: &str = "Sup3rS3cretPlant3dValue";

#[test]
fn cis_4_10_secrets_in_images() {
    pass(with_image("4.10", |_| {}));
    let r = with_image("4.10", |i| {
        set(
            i,
            "Config.Env",
            json!([format!("DB_PASSWORD={PLANTED}"), "PATH=/bin"]),
        );
        set(
            i,
            "Config.Labels",
            json!({"aws.key": "AKIAIOSFODNN7EXAMPLE"}),
        );
    });
    flagged(
        r.clone(),
        "WARN",
        IMAGE,
        "ENV DB_PASSWORD: the key names a secret (value redacted), LABEL aws.key: value looks like an AWS access key ID (value redacted)",
    );
    assert!(!r.findings[0].value.contains(PLANTED));
    assert!(!r.findings[0].value.contains("AKIAIOSF"));
}

#[test]
fn cis_5_28_image_age() {
    pass(with("5.28", |_| {}));
    warn(
        with_snapshot("5.28", |s| {
            set(
                &mut s["images"][0],
                "Created",
                json!("2026-06-01T00:00:00Z"),
            )
        }),
        "image built 174 days ago (threshold 90)",
    );
    // The tag now names another (newer) local image.
    warn(
        with_snapshot("5.28", |s| {
            let mut newer = s["images"][0].clone();
            set(
                &mut newer,
                "Id",
                json!(format!("sha256:{}", "e".repeat(64))),
            );
            set(&mut s["images"][0], "RepoTags", json!([]));
            s["images"].as_array_mut().unwrap().push(newer);
        }),
        "dockbench-fixture/busybox:1 now names a newer image",
    );
    error(
        with_snapshot("5.28", |s| set(s, "images", json!([]))),
        "was not collected",
    );
    skip(
        with_snapshot("5.28", |s| {
            set(
                &mut s["images"][0],
                "Created",
                json!("1970-01-01T00:00:00Z"),
            )
        }),
        "no creation time",
    );
}

#[test]
fn image_age_is_measured_at_collection() {
    // Not at evaluation: the same snapshot gives the same verdict later.
    assert_eq!(clean()["started_at"], COLLECTED);
    let r = with_image("DP.3.4", |i| {
        set(i, "Created", json!("2026-08-24T23:08:26Z"))
    });
    status(&r, "PASS");
    let r = with_image("DP.3.4", |i| {
        set(i, "Created", json!("2026-08-23T23:08:25Z"))
    });
    status(&r, "INFO");
}

// ---- CLI ---------------------------------------------------------------------------------

#[test]
fn both_benchmarks_run_in_one_report() {
    let report = support::report_of(&[
        "scan",
        "--snapshot",
        CLEAN,
        "--benchmark",
        "cis-docker-1.6.0,dockbench-practices",
    ]);
    let r = &report.0;
    assert_eq!(r["benchmark"]["id"], "cis-docker-1.6.0+dockbench-practices");
    let ids: Vec<&str> = r["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["cis-docker-1.6.0", "dockbench-practices"]);
    let results: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(results.len(), 117 + 20);
    assert_eq!(results[0], "1.1.1");
    assert_eq!(results[117], "DP.1.1");
    assert!(
        r["sections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "DP.6")
    );
    // Prefix selection on whole components across both.
    let report = support::report_of(&[
        "scan",
        "--snapshot",
        CLEAN,
        "--benchmark",
        "cis-docker-1.6.0",
        "--benchmark",
        "dockbench-practices",
        "--check",
        "DP.2,5.28",
    ]);
    let n = report.0["results"].as_array().unwrap().len();
    assert_eq!(n, 6);
    // The text report names both.
    let out = support::dockbench()
        .args([
            "scan",
            "--snapshot",
            CLEAN,
            "--benchmark",
            "cis-docker-1.6.0,dockbench-practices",
            "--check",
            "DP.1",
        ])
        .output()
        .unwrap();
    // Lines are wrapped at 80 columns: compare words.
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("CIS Docker Benchmark 1.6.0 + dockbench production practices 1.0"),
        "{text}"
    );
}

#[test]
fn duplicate_ids_across_benchmarks_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchmark.toml"),
        "id='mine'\ntitle='Mine'\nversion='1'\n[[section]]\nid='DP.1'\ntitle='x'\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[[check]]\nid='DP.1.1'\ntitle='t'\nlevel='1'\nscope='host'\nseverity='low'\nseverity_rationale='t'\nremediation='r'\nfinding='false'\n",
    )
    .unwrap();
    let out = support::dockbench()
        .args(["scan", "--snapshot", CLEAN, "--checks-dir"])
        .arg(dir.path())
        .args(["--benchmark", "dockbench-practices,mine"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("check DP.1.1 is in both dockbench-practices and mine"),
        "{err}"
    );
}

#[test]
fn params_are_overridden_by_an_extending_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchmark.toml"),
        "id='strict'\ntitle='Strict'\nversion='1'\nextends='dockbench-practices'\n[params]\nmax_image_size_mb = 1\n",
    )
    .unwrap();
    let args = |bench: &str| {
        let d = dir.path().to_str().unwrap().to_string();
        let report = support::report_of(&[
            "scan",
            "--snapshot",
            CLEAN,
            "--checks-dir",
            &d,
            "--benchmark",
            bench,
            "--check",
            "DP.3.3,DP.3.4",
        ]);
        let statuses: Vec<String> = report.0["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap().to_string())
            .collect();
        statuses
    };
    assert_eq!(args("dockbench-practices"), ["PASS", "PASS"]);
    // 3.96 MB > 1 MB; the inherited age threshold stays 90 days.
    assert_eq!(args("strict"), ["INFO", "PASS"]);
}

#[test]
fn unknown_params_are_load_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchmark.toml"),
        "id='p'\ntitle='P'\nversion='1'\n[params]\nlimit = 3\n[[section]]\nid='1'\ntitle='x'\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[[check]]\nid='1.1'\ntitle='t'\nlevel='1'\nscope='host'\nseverity='low'\nseverity_rationale='t'\nremediation='r'\nfinding='params.limt > 1'\n",
    )
    .unwrap();
    let out = support::dockbench()
        .args(["checks", "validate"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field 'limt'"));
}

#[test]
fn a_planted_secret_never_appears_in_any_output() {
    let mut snap = clean();
    let image = &mut snap["images"][0];
    set(image, "Config.Env", json!([format!("API_TOKEN={PLANTED}")]));
    set(image, "Config.Labels", json!({"deploy.password": PLANTED}));
    image["History"]
        .as_array_mut()
        .unwrap()
        .insert(0, json!({"Created": 1795388890, "CreatedBy": format!("/bin/sh -c #(nop)  ENV API_TOKEN={PLANTED}"), "Comment": "", "Size": 0, "Tags": []}));
    let file = support::temp_json(&snap);
    let path = file.path().to_str().unwrap();
    for format in [
        "text",
        "json",
        "html",
        "sarif",
        "junit",
        "csv",
        "markdown",
        "docker-bench",
    ] {
        let out = support::dockbench()
            .args([
                "scan",
                "--snapshot",
                path,
                "--benchmark",
                "cis-docker-1.6.0,dockbench-practices",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains(PLANTED), "{format} output shows the secret");
        assert!(
            // Markdown escapes the underscore; docker-bench's layout lists object names only.
            format == "docker-bench" || text.contains("API_TOKEN") || text.contains("API\\_TOKEN"),
            "{format} output does not name the key"
        );
    }
}
