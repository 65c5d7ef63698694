//! Fixture tests per check: `tests/fixtures/snapshots/clean.json` with the one field under
//! test changed, evaluated by the library (no daemon). Every 5.x check has a PASS and a
//! finding case, SKIP where it can be not applicable; then insta snapshots of the full
//! reports of clean.json and risky.json.
mod support;

use std::sync::Arc;

use cel::Env;
use dockbench::engine::{Benchmark, DEFAULT_BENCHMARK, cel_env, evaluate, load_embedded};
use dockbench::report::CheckResult;
use dockbench::snapshot::Snapshot;
use serde_json::{Value, json};

const CLEAN: &str = "tests/fixtures/snapshots/clean.json";
const RISKY: &str = "tests/fixtures/snapshots/risky.json";
/// The only container of clean.json.
const NAME: &str = "fx-clean";

fn clean() -> Value {
    serde_json::from_str(&std::fs::read_to_string(CLEAN).unwrap()).unwrap()
}

thread_local! {
    // Compiled once per test thread: compiling every check for each case is slow.
    static BENCH: (Benchmark, Arc<Env>) = {
        let env = cel_env();
        (load_embedded(DEFAULT_BENCHMARK, &env).unwrap(), env)
    };
}

/// Evaluates check `id` over a snapshot given as JSON.
fn eval(id: &str, snap: &Value) -> CheckResult {
    let snap = Snapshot::from_json(&snap.to_string()).unwrap();
    BENCH.with(|(bench, env)| {
        let check = bench
            .checks
            .iter()
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

/// clean.json with `edit` applied to its container, evaluated by check `id`.
fn with(id: &str, edit: impl FnOnce(&mut Value)) -> CheckResult {
    with_snapshot(id, |s| edit(&mut s["containers"][0]))
}

/// The result passes and lists no finding.
#[track_caller]
fn pass(r: CheckResult) {
    assert_eq!(
        r.status.as_str(),
        "PASS",
        "{}: {} {:?}",
        r.id,
        r.reason,
        r.findings
    );
    assert!(r.findings.is_empty());
    assert!(r.exceptions.is_empty(), "{:?}", r.exceptions);
}

/// The result has `status` with fx-clean as its one finding, with exactly `value`.
#[track_caller]
fn flagged(r: CheckResult, status: &str, value: &str) {
    assert_eq!(r.status.as_str(), status, "{}: {}", r.id, r.reason);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert_eq!(r.findings[0].object, NAME);
    assert_eq!(r.findings[0].value, value, "{}", r.id);
}

#[track_caller]
fn warn(r: CheckResult, value: &str) {
    flagged(r, "WARN", value);
}

#[track_caller]
fn info(r: CheckResult, value: &str) {
    flagged(r, "INFO", value);
}

#[track_caller]
fn skip(r: CheckResult, reason: &str) {
    assert_eq!(r.status.as_str(), "SKIP", "{}: {}", r.id, r.reason);
    assert!(r.reason.contains(reason), "{}: {}", r.id, r.reason);
    assert!(r.findings.is_empty());
}

fn set(c: &mut Value, path: &str, value: Value) {
    let mut target = c;
    for key in path.split('.') {
        target = match key.parse::<usize>() {
            Ok(i) => &mut target[i],
            Err(_) => &mut target[key],
        };
    }
    *target = value;
}

/// A container that is created, not running: no processes, no actual port bindings.
fn stopped(c: &mut Value) {
    set(c, "State.Status", json!("created"));
    set(c, "State.Running", json!(false));
    set(c, "State.Pid", json!(0));
    set(c, "State.Health", Value::Null);
    set(c, "Processes", json!([]));
    set(c, "NetworkSettings.Ports", json!({}));
}

fn bind(source: &str, rw: bool) -> Value {
    json!([{ "Type": "bind", "Source": source, "Destination": "/x", "RW": rw,
             "Mode": if rw { "" } else { "ro" }, "Propagation": "rprivate" }])
}

fn ports(host_ip: &str, host_port: &str) -> Value {
    json!({ "80/tcp": [{ "HostIp": host_ip, "HostPort": host_port }] })
}

fn security_options(s: &mut Value, option: &str) {
    s["daemon"]["Info"]["SecurityOptions"] = json!([option, "name=seccomp,profile=default"]);
}

#[test]
fn s5_1_swarm() {
    pass(with_snapshot("5.1", |_| {}));
    let r = with_snapshot("5.1", |s| {
        s["daemon"]["Info"]["Swarm"]["LocalNodeState"] = json!("active")
    });
    assert_eq!(r.status.as_str(), "WARN");
    assert_eq!(r.findings[0].value, "Swarm.LocalNodeState=active");
    // Facts missing: an error with the reason, never a silent PASS.
    let r = with_snapshot("5.1", |s| s["daemon"]["Info"] = Value::Null);
    assert_eq!(r.status.as_str(), "ERROR");
    assert_eq!(r.reason, "daemon info not available");
}

#[test]
fn s5_2_apparmor() {
    skip(with("5.2", |_| {}), "AppArmor is not enabled");
    let apparmor = |edit: fn(&mut Value)| {
        with_snapshot("5.2", move |s| {
            security_options(s, "name=apparmor");
            edit(&mut s["containers"][0]);
        })
    };
    pass(apparmor(|c| {
        set(c, "AppArmorProfile", json!("docker-default"))
    }));
    warn(
        apparmor(|_| {}),
        "AppArmorProfile=(none) SecurityOpt=no-new-privileges",
    );
    warn(
        apparmor(|c| {
            set(c, "AppArmorProfile", json!("unconfined"));
            set(c, "HostConfig.SecurityOpt", json!(["apparmor=unconfined"]));
        }),
        "AppArmorProfile=unconfined SecurityOpt=apparmor=unconfined",
    );
    warn(
        apparmor(|c| set(c, "HostConfig.Privileged", json!(true))),
        "Privileged=true (runs unconfined)",
    );
    // A created container has no profile yet: only its options can be judged.
    pass(apparmor(stopped));
}

#[test]
fn s5_3_selinux() {
    skip(with("5.3", |_| {}), "SELinux is not enabled");
    let selinux = |edit: fn(&mut Value)| {
        with_snapshot("5.3", move |s| {
            security_options(s, "name=selinux");
            edit(&mut s["containers"][0]);
        })
    };
    pass(selinux(|c| {
        set(
            c,
            "ProcessLabel",
            json!("system_u:system_r:container_t:s0:c1,c2"),
        )
    }));
    warn(selinux(|_| {}), "no SELinux process label");
    // label=disable weakens isolation: never a pass (docker-bench-security passes it).
    for option in ["label=disable", "label:disable"] {
        let r = with_snapshot("5.3", |s| {
            security_options(s, "name=selinux");
            let c = &mut s["containers"][0];
            set(c, "ProcessLabel", json!("system_u:system_r:spc_t:s0"));
            set(c, "HostConfig.SecurityOpt", json!([option]));
        });
        warn(r, "SecurityOpt=label=disable");
    }
}

#[test]
fn s5_4_capabilities() {
    pass(with("5.4", |_| {}));
    for form in ["NET_ADMIN", "net_admin", "CAP_NET_ADMIN", "cap_net_admin"] {
        warn(
            with("5.4", |c| set(c, "HostConfig.CapAdd", json!([form]))),
            "CapAdd=CAP_NET_ADMIN",
        );
    }
    warn(
        with("5.4", |c| {
            set(
                c,
                "HostConfig.CapAdd",
                json!(["NET_ADMIN", "net_admin", "sys_admin", "CHOWN"]),
            )
        }),
        "CapAdd=CAP_NET_ADMIN,CAP_SYS_ADMIN",
    );
    for all in ["ALL", "all", "CAP_ALL"] {
        warn(
            with("5.4", |c| set(c, "HostConfig.CapAdd", json!([all]))),
            "CapAdd=ALL",
        );
    }
    // Docker's default set is not extra, in any spelling.
    pass(with("5.4", |c| {
        set(
            c,
            "HostConfig.CapAdd",
            json!(["CHOWN", "cap_kill", "Net_Bind_Service"]),
        )
    }));
    warn(
        with("5.4", |c| set(c, "HostConfig.Privileged", json!(true))),
        "Privileged=true (all capabilities)",
    );
}

#[test]
fn s5_5_privileged() {
    pass(with("5.5", |_| {}));
    warn(
        with("5.5", |c| set(c, "HostConfig.Privileged", json!(true))),
        "Privileged=true",
    );
}

#[test]
fn s5_6_sensitive_mounts() {
    pass(with("5.6", |_| {}));
    for (source, rw, value) in [
        ("/etc", true, "/etc -> /x (rw)"),
        ("/etc/ssl", true, "/etc/ssl -> /x (rw)"),
        ("/etc/", true, "/etc/ -> /x (rw)"),
        ("/var/../etc/ssl", true, "/var/../etc/ssl -> /x (rw)"),
        ("/usr/lib", true, "/usr/lib -> /x (rw)"),
        ("/dev", true, "/dev -> /x (rw)"),
        ("/proc", true, "/proc -> /x (rw)"),
        ("/", false, "/ -> /x (ro)"),
    ] {
        warn(with("5.6", |c| c["Mounts"] = bind(source, rw)), value);
    }
    // Prefixes of names, read-only system directories and other paths are fine.
    for (source, rw) in [
        ("/etcd", true),
        ("/etc-backup/x", true),
        ("/usr2", true),
        ("/etc", false),
        ("/srv/data", true),
    ] {
        pass(with("5.6", |c| c["Mounts"] = bind(source, rw)));
    }
    // A named volume lives under /var/lib/docker: not a host system directory.
    pass(with("5.6", |c| {
        c["Mounts"] = json!([{ "Type": "volume", "Name": "data",
            "Source": "/var/lib/docker/volumes/data/_data", "Destination": "/etc", "RW": true }])
    }));
}

fn sshd_process() -> Value {
    json!({ "Pid": 4242, "PPid": 1, "Comm": "sshd", "Args": ["/usr/sbin/sshd", "-D"],
            "Uid": 0, "NoNewPrivs": true, "Seccomp": 2, "State": "S" })
}

#[test]
fn s5_7_sshd() {
    pass(with("5.7", |_| {}));
    warn(
        with("5.7", |c| {
            c["Processes"].as_array_mut().unwrap().push(sshd_process())
        }),
        "pid 4242 (sshd): /usr/sbin/sshd -D",
    );
    // Judged by the process name, not by words in its arguments.
    pass(with("5.7", |c| {
        set(c, "Processes.0.Args", json!(["sleep", "sshd"]));
    }));
    // A stopped container is judged by its configured command.
    warn(
        with("5.7", |c| {
            stopped(c);
            set(c, "Config.Cmd", json!(["/usr/sbin/sshd", "-D"]));
        }),
        "configured command: /usr/sbin/sshd -D",
    );
    pass(with("5.7", stopped));
    // Processes that could not be read: ERROR with the reason, never a silent PASS.
    let r = with_snapshot("5.7", |s| {
        s["host"]["Proc"] = json!({ "Available": false, "Reason": "no PID namespace" });
        s["containers"][0]["Processes"] = Value::Null;
    });
    assert_eq!(r.status.as_str(), "ERROR");
    assert_eq!(
        r.exceptions[0].value,
        "ERROR: processes not readable: no PID namespace"
    );
}

/// Sets both the requested and the actual bindings of port 80/tcp.
fn publish(c: &mut Value, host_ip: &str, host_port: &str) {
    set(c, "HostConfig.PortBindings", ports(host_ip, host_port));
    set(c, "NetworkSettings.Ports", ports(host_ip, host_port));
}

#[test]
fn s5_8_privileged_ports() {
    pass(with("5.8", |_| {}));
    pass(with("5.8", |c| publish(c, "127.0.0.1", "1024")));
    warn(
        with("5.8", |c| publish(c, "127.0.0.1", "1023")),
        "127.0.0.1:1023->80/tcp",
    );
    warn(with("5.8", |c| publish(c, "", "80")), "0.0.0.0:80->80/tcp");
    // IPv6 bindings count (docker-bench-security skips them), in both spellings.
    for v6 in ["::", "[::]"] {
        warn(with("5.8", |c| publish(c, v6, "443")), "[::]:443->80/tcp");
    }
    // Created, ephemeral port: Docker picks one above 1024 at start.
    pass(with("5.8", |c| {
        stopped(c);
        set(c, "HostConfig.PortBindings", ports("127.0.0.1", ""));
    }));
    // Created with a requested low port: judged by the request.
    warn(
        with("5.8", |c| {
            stopped(c);
            set(c, "HostConfig.PortBindings", ports("127.0.0.1", "80"));
        }),
        "127.0.0.1:80->80/tcp",
    );
}

#[test]
fn s5_9_published_ports() {
    info(with("5.9", |_| {}), "127.0.0.1:18080->80/tcp");
    pass(with("5.9", |c| {
        set(c, "HostConfig.PortBindings", json!({}));
        set(c, "NetworkSettings.Ports", json!({}));
    }));
    info(
        with("5.9", |c| {
            stopped(c);
            set(c, "HostConfig.PortBindings", json!({}));
            set(c, "HostConfig.PublishAllPorts", json!(true));
        }),
        "PublishAllPorts=true",
    );
}

#[test]
fn s5_10_host_network() {
    pass(with("5.10", |_| {}));
    pass(with("5.10", |c| {
        set(c, "HostConfig.NetworkMode", json!("bridge"))
    }));
    warn(
        with("5.10", |c| set(c, "HostConfig.NetworkMode", json!("host"))),
        "NetworkMode=host",
    );
}

#[test]
fn s5_11_memory() {
    pass(with("5.11", |_| {}));
    warn(
        with("5.11", |c| set(c, "HostConfig.Memory", json!(0))),
        "Memory=0 (unlimited)",
    );
}

#[test]
fn s5_12_cpu() {
    let no_cpu = |c: &mut Value| set(c, "HostConfig.CpuShares", json!(0));
    pass(with("5.12", |_| {}));
    warn(
        with("5.12", no_cpu),
        "no CpuShares, NanoCpus, CpuQuota or CpusetCpus set",
    );
    for (field, value) in [
        ("HostConfig.NanoCpus", json!(500_000_000)),
        ("HostConfig.CpuQuota", json!(50_000)),
        ("HostConfig.CpusetCpus", json!("0")),
    ] {
        pass(with("5.12", |c| {
            no_cpu(c);
            set(c, field, value);
        }));
    }
}

#[test]
fn s5_13_read_only_rootfs() {
    pass(with("5.13", |_| {}));
    warn(
        with("5.13", |c| {
            set(c, "HostConfig.ReadonlyRootfs", json!(false))
        }),
        "ReadonlyRootfs=false",
    );
}

#[test]
fn s5_14_bound_interface() {
    pass(with("5.14", |_| {}));
    pass(with("5.14", |c| publish(c, "::1", "18080")));
    pass(with("5.14", |c| publish(c, "10.0.0.5", "18080")));
    for (ip, shown) in [
        ("0.0.0.0", "0.0.0.0:18080->80/tcp"),
        ("", "0.0.0.0:18080->80/tcp"),
        ("::", "[::]:18080->80/tcp"),
        ("[::]", "[::]:18080->80/tcp"),
    ] {
        warn(with("5.14", |c| publish(c, ip, "18080")), shown);
    }
    // Created with no host address: it will bind every interface.
    warn(
        with("5.14", |c| {
            stopped(c);
            set(c, "HostConfig.PortBindings", ports("", ""));
        }),
        "0.0.0.0:*->80/tcp",
    );
}

#[test]
fn s5_15_restart_policy() {
    let policy = |name: &'static str, count: i64| {
        with("5.15", move |c| {
            set(
                c,
                "HostConfig.RestartPolicy",
                json!({ "Name": name, "MaximumRetryCount": count }),
            )
        })
    };
    pass(policy("on-failure", 5));
    pass(policy("on-failure", 1));
    pass(policy("no", 0));
    pass(policy("", 0));
    warn(policy("always", 0), "RestartPolicy=always");
    warn(policy("unless-stopped", 0), "RestartPolicy=unless-stopped");
    warn(policy("on-failure", 0), "RestartPolicy=on-failure:0");
    warn(policy("on-failure", 6), "RestartPolicy=on-failure:6");
}

#[test]
fn s5_16_5_17_5_21_5_31_host_namespaces() {
    for (id, field, value) in [
        ("5.16", "HostConfig.PidMode", "PidMode=host"),
        ("5.17", "HostConfig.IpcMode", "IpcMode=host"),
        ("5.21", "HostConfig.UTSMode", "UTSMode=host"),
        ("5.31", "HostConfig.UsernsMode", "UsernsMode=host"),
    ] {
        pass(with(id, |_| {}));
        warn(with(id, |c| set(c, field, json!("host"))), value);
        // Sharing with another container is not sharing with the host.
        pass(with(id, |c| set(c, field, json!("container:abc"))));
    }
    pass(with("5.17", |c| {
        set(c, "HostConfig.IpcMode", json!("shareable"))
    }));
    warn(
        with("5.31", |c| set(c, "HostConfig.UsernsMode", json!("HOST"))),
        "UsernsMode=host",
    );
}

#[test]
fn s5_18_devices() {
    pass(with("5.18", |_| {}));
    info(
        with("5.18", |c| {
            set(
                c,
                "HostConfig.Devices",
                json!([{ "PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse",
                         "CgroupPermissions": "rwm" }]),
            )
        }),
        "/dev/fuse:/dev/fuse:rwm",
    );
    info(
        with("5.18", |c| set(c, "HostConfig.Privileged", json!(true))),
        "Privileged=true (every host device)",
    );
}

#[test]
fn s5_19_ulimits() {
    pass(with("5.19", |_| {}));
    info(
        with("5.19", |c| set(c, "HostConfig.Ulimits", json!([]))),
        "no per-container ulimits (daemon defaults apply)",
    );
}

#[test]
fn s5_20_mount_propagation() {
    let propagation = |p: &'static str| {
        with("5.20", move |c| {
            c["Mounts"] = bind("/srv/data", true);
            set(c, "Mounts.0.Propagation", json!(p));
        })
    };
    pass(with("5.20", |_| {}));
    pass(propagation("rprivate"));
    pass(propagation("rslave"));
    warn(propagation("shared"), "/srv/data -> /x (shared)");
    warn(propagation("rshared"), "/srv/data -> /x (rshared)");
}

#[test]
fn s5_22_seccomp() {
    pass(with("5.22", |_| {}));
    pass(with("5.22", |c| {
        set(
            c,
            "HostConfig.SecurityOpt",
            json!(["seccomp=/etc/docker/strict.json"]),
        )
    }));
    for option in ["seccomp=unconfined", "seccomp:unconfined"] {
        warn(
            with("5.22", |c| {
                set(c, "HostConfig.SecurityOpt", json!([option]))
            }),
            "SecurityOpt=seccomp=unconfined",
        );
    }
    warn(
        with("5.22", |c| set(c, "HostConfig.Privileged", json!(true))),
        "Privileged=true (seccomp disabled)",
    );
}

#[test]
fn s5_23_5_24_are_manual_notes() {
    // 5.28 is automated (image age): tests/practices.rs.
    for id in ["5.23", "5.24"] {
        let r = with(id, |_| {});
        assert_eq!(r.status.as_str(), "NOTE", "{id}");
        assert!(!r.reason.is_empty(), "{id}: a NOTE says what to review");
    }
}

#[test]
fn s5_25_cgroup_parent() {
    pass(with("5.25", |_| {}));
    warn(
        with("5.25", |c| {
            set(c, "HostConfig.CgroupParent", json!("/custom"))
        }),
        "CgroupParent=/custom",
    );
}

#[test]
fn s5_26_no_new_privileges() {
    pass(with("5.26", |_| {}));
    // Running: the effective NoNewPrivs of its processes decides, whatever the options say.
    warn(
        with("5.26", |c| set(c, "Processes.0.NoNewPrivs", json!(false))),
        // The options say otherwise: the evidence shows both.
        "configured: no-new-privileges=true (SecurityOpt=no-new-privileges); kernel: pid 8737 (sleep): NoNewPrivs=0",
    );
    pass(with("5.26", |c| {
        set(c, "HostConfig.SecurityOpt", json!([]))
    }));
    // Not running: its options, or the daemon's default.
    let created = |options: Value| {
        with("5.26", move |c| {
            stopped(c);
            set(c, "HostConfig.SecurityOpt", options);
        })
    };
    pass(created(json!(["no-new-privileges"])));
    pass(created(json!(["no-new-privileges:true"])));
    pass(created(json!(["no-new-privileges=true"])));
    let unset = "no-new-privileges not in SecurityOpt and not set by the daemon";
    warn(created(json!([])), unset);
    warn(
        created(json!(["no-new-privileges=false"])),
        "SecurityOpt=no-new-privileges=false",
    );
    pass(with_snapshot("5.26", |s| {
        stopped(&mut s["containers"][0]);
        set(&mut s["containers"][0], "HostConfig.SecurityOpt", json!([]));
        s["daemon"]["Config"]["Settings"]["no-new-privileges"] =
            json!({ "Value": true, "Source": "file", "Origin": "/etc/docker/daemon.json" });
    }));
}

#[test]
fn s5_27_healthcheck() {
    pass(with("5.27", |_| {}));
    pass(with("5.27", |c| {
        set(c, "State.Health.Status", json!("starting"))
    }));
    warn(
        with("5.27", |c| {
            set(c, "Config.Healthcheck", Value::Null);
            set(c, "State.Health", Value::Null);
        }),
        "no healthcheck",
    );
    warn(
        with("5.27", |c| {
            set(c, "Config.Healthcheck.Test", json!(["NONE"]));
            set(c, "State.Health", Value::Null);
        }),
        "healthcheck disabled (--no-healthcheck)",
    );
    // Unhealthy needs attention (docker-bench-security passes it).
    warn(
        with("5.27", |c| {
            set(
                c,
                "State.Health",
                json!({ "Status": "unhealthy", "FailingStreak": 3 }),
            )
        }),
        "unhealthy (failing streak 3)",
    );
}

#[test]
fn s5_29_pids_limit() {
    pass(with("5.29", |_| {}));
    warn(
        with("5.29", |c| set(c, "HostConfig.PidsLimit", Value::Null)),
        "PidsLimit not set (unlimited)",
    );
    for n in [0, -1] {
        warn(
            with("5.29", |c| set(c, "HostConfig.PidsLimit", json!(n))),
            &format!("PidsLimit={n} (unlimited)"),
        );
    }
}

#[test]
fn s5_30_default_bridge() {
    pass(with("5.30", |_| {}));
    for mode in ["bridge", "default"] {
        info(
            with("5.30", |c| set(c, "HostConfig.NetworkMode", json!(mode))),
            "on the default bridge network",
        );
    }
    info(
        with("5.30", |c| {
            set(
                c,
                "NetworkSettings.Networks.bridge",
                json!({ "NetworkID": "x" }),
            )
        }),
        "on the default bridge network",
    );
}

#[test]
fn s5_32_docker_socket() {
    pass(with("5.32", |_| {}));
    for (source, rw, shown) in [
        (
            "/var/run/docker.sock",
            false,
            "/var/run/docker.sock -> /x (ro: a read-only mount does not stop API calls)",
        ),
        ("/run/docker.sock", true, "/run/docker.sock -> /x (rw)"),
        (
            "/var/run",
            false,
            "/var/run -> /x (ro: a read-only mount does not stop API calls)",
        ),
        ("/run", true, "/run -> /x (rw)"),
        (
            "/var",
            false,
            "/var -> /x (ro: a read-only mount does not stop API calls)",
        ),
    ] {
        warn(with("5.32", |c| c["Mounts"] = bind(source, rw)), shown);
    }
    pass(with("5.32", |c| c["Mounts"] = bind("/run/user", true)));
    pass(with("5.32", |c| c["Mounts"] = bind("/var/run-data", true)));
}

#[test]
fn names_containing_nil_are_checked_like_others() {
    for name in ["nil", "vanilla"] {
        let r = with("5.5", |c| {
            set(c, "Name", json!(name));
            set(c, "HostConfig.Privileged", json!(true));
        });
        assert_eq!(r.status.as_str(), "WARN");
        assert_eq!(r.findings[0].object, name);
    }
}

#[test]
fn no_containers_is_skip_for_container_checks() {
    let r = with_snapshot("5.4", |s| s["containers"] = json!([]));
    skip(r, "no containers to check");
    let r = with_snapshot("5.4", |s| {
        s["containers"] = json!([]);
        s["all_containers"] = json!(false);
    });
    skip(r, "no running containers to check");
}

/// The whole JSON report of a fixture, through the CLI, minus what changes per run. These
/// fixtures carry container facts only, so the report covers section 5 (tests/sections_*.rs
/// covers the host and daemon sections).
fn report_snapshot(fixture: &str) -> Value {
    let out = support::dockbench()
        .args([
            "scan",
            "--snapshot",
            fixture,
            "--check",
            "5",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn full_report_of_clean_fixture() {
    insta::assert_yaml_snapshot!("clean_report", report_snapshot(CLEAN), {
        ".tool_version" => "[version]",
        ".finished_at" => "[time]",
        ".timings" => "[timings]",
    });
}

#[test]
fn full_report_of_risky_fixture() {
    insta::assert_yaml_snapshot!("risky_report", report_snapshot(RISKY), {
        ".tool_version" => "[version]",
        ".finished_at" => "[time]",
        ".timings" => "[timings]",
    });
}

/// A fact a disk clone cannot have is SKIP with the reason, not ERROR; a container whose
/// files could not be read is ERROR in every container check; the swarm manual checks SKIP
/// when whether swarm is active cannot be known.
#[test]
fn offline_facts_skip_and_broken_containers_error() {
    let offline = |s: &mut Value| {
        s["host"]["Proc"] = json!({ "Available": false,
            "Reason": "running processes: not available in an offline scan" });
        s["containers"][0]["Processes"] = Value::Null;
        s["daemon"]["Info"] = Value::Null;
        s["daemon"]["InfoStatus"] = json!({ "Available": false,
            "Reason": "daemon info (/info): not available in an offline scan" });
        s["host"]["Environment"] = json!({ "Available": false,
            "Reason": "the environment of the host's docker clients: not available in an offline scan" });
    };
    skip(
        with_snapshot("5.7", offline),
        "processes not readable: running processes: not available in an offline scan",
    );
    for id in [
        "2.1", "5.1", "5.2", "5.3", "7.1", "7.4", "7.6", "7.9", "4.5",
    ] {
        skip(
            with_snapshot(id, offline),
            "not available in an offline scan",
        );
    }
    // Without the marker the same missing facts are ERROR, as before.
    let r = with_snapshot("7.1", |s| s["daemon"]["Info"] = Value::Null);
    assert_eq!(r.status.as_str(), "ERROR", "{}", r.reason);
    let r = with_snapshot("7.4", |s| s["daemon"]["Info"] = Value::Null);
    assert_eq!(r.status.as_str(), "ERROR", "{}", r.reason);

    let broken = |s: &mut Value| {
        s["containers"][0]["Error"] = json!("/var/lib/docker/containers/x/config.v2.json: EOF");
    };
    for id in ["5.5", "5.11", "4.1"] {
        let r = with_snapshot(id, broken);
        assert_eq!(r.status.as_str(), "ERROR", "{id}");
        assert_eq!(
            r.exceptions[0].value,
            "ERROR: /var/lib/docker/containers/x/config.v2.json: EOF"
        );
    }
}
