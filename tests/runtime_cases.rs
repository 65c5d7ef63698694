//! Fixture cases for container verdicts read the way Docker reads its configuration, and
//! from the kernel's view where one was made: host.json (one running container, its image,
//! a daemon with userns remapping and a custom seccomp profile) changed per case. The
//! non-running and offline forms of the kinds tests/runtime.rs shows on a real daemon.
#[path = "support/fixtures.rs"]
mod fixtures;

use dockbench::results::CheckResult;
use fixtures::{CONTAINER, check, check_in, set, setting};
use serde_json::{Value, json};

fn container(s: &mut Value) -> &mut Value {
    &mut s["containers"][0]
}

fn stopped(s: &mut Value) {
    let c = container(s);
    c["State"]["Running"] = json!(false);
    c["State"]["Status"] = json!("exited");
    c["State"]["Pid"] = json!(0);
    c["Processes"] = json!([]);
}

/// The container's kernel view, observed, with `edit` applied.
fn observed(s: &mut Value, edit: impl FnOnce(&mut Value)) {
    let mut k = json!({
        "Status": { "Available": true, "Reason": "" },
        "Pid": 8737, "Uid": 1000, "EUid": 1000, "Gid": 1000, "EGid": 1000, "HostUid": 101000,
        "CapEff": [], "CapBnd": ["CAP_CHOWN", "CAP_KILL"], "AllCapabilities": false,
        "NoNewPrivs": true, "Seccomp": 2, "Label": "docker-default (enforce)",
        "HostNamespaces": [], "UnknownNamespaces": [],
        "Cgroup": { "Status": { "Available": true, "Reason": "" }, "MemoryLimit": 1000,
                    "PidsLimit": 100, "CpuWeight": 512, "Version": "v1" }
    });
    edit(&mut k);
    container(s)["Kernel"] = k;
}

#[track_caller]
fn finding(r: CheckResult, status: &str, value: &str) {
    assert_eq!(
        r.status.as_str(),
        status,
        "{}: {} {:?}",
        r.id,
        r.reason,
        r.findings
    );
    assert_eq!(r.findings.len(), 1, "{}: {:?}", r.id, r.findings);
    assert_eq!(r.findings[0].object, CONTAINER);
    assert_eq!(r.findings[0].value, value, "{}", r.id);
}

#[track_caller]
fn clean(r: CheckResult) {
    assert_eq!(
        r.status.as_str(),
        "PASS",
        "{}: {} {:?}",
        r.id,
        r.reason,
        r.findings
    );
}

#[test]
fn user_resolved_as_the_runtime_does_4_1() {
    let user = |spec: &'static str| {
        check("4.1", move |s| {
            stopped(s);
            set(container(s), "Config.User", json!(spec));
            s["images"][0]["Layers"]["Users"] = json!({ "admin": 0, "app": 1000 });
        })
    };
    // Numbers in any spelling, names through the image's /etc/passwd.
    finding(user("00"), "WARN", "User=00 (uid 0)");
    finding(user("+0:0"), "WARN", "User=+0:0 (uid 0)");
    finding(
        user("admin"),
        "WARN",
        "User=admin (uid 0 in the image's /etc/passwd)",
    );
    finding(
        user(":1000"),
        "WARN",
        "User=:1000 (no user part: runs as root)",
    );
    clean(user("app"));
    clean(user("1000"));
    // Running: the kernel's real UID decides, and the evidence shows both when they differ.
    finding(
        check("4.1", |s| {
            set(container(s), "Config.User", json!("app"));
            observed(s, |k| {
                k["Uid"] = json!(0);
                k["EUid"] = json!(0);
            });
        }),
        "WARN",
        "configured: User=app (the name could not be resolved: the image's layers were not read); kernel: uid 0",
    );
    // A setuid entrypoint of a --user 1000 container: still uid 1000 (5.26 is about that).
    clean(check("4.1", |s| {
        set(container(s), "Config.User", json!("1000"));
        observed(s, |k| k["EUid"] = json!(0));
    }));
    // Root configured but dropped by the entrypoint (gosu, `su app -c`): docker exec still
    // runs as root, so the configuration decides and the kernel only adds (old code: PASS).
    finding(
        check("4.1", |s| {
            set(container(s), "Config.User", json!(""));
            observed(s, |_| {});
        }),
        "WARN",
        "configured: no user set: runs as root; kernel: uid 1000 (the init switched users; docker exec and other processes Docker starts run as root)",
    );
    // A name the image's passwd does not resolve, or that cannot be read: never a PASS.
    let r = check("4.1", |s| {
        stopped(s);
        set(container(s), "Config.User", json!("svc"));
        s["images"][0]["Layers"]["Users"] = json!({});
        s["images"][0]["Layers"]["PasswdProblem"] = json!(
            "/etc/passwd -> ../usr/lib/passwd: /usr/lib/passwd: not in any layer (a dangling link)"
        );
    });
    assert_eq!(r.status.as_str(), "ERROR", "{:?}", r.findings);
    assert!(r.reason.contains("could not be evaluated"), "{}", r.reason);
    // Resolved through a link: the evidence names the file.
    finding(
        check("4.1", |s| {
            stopped(s);
            set(container(s), "Config.User", json!("svc"));
            s["images"][0]["Layers"]["Users"] = json!({ "svc": 0 });
            s["images"][0]["Layers"]["PasswdPath"] = json!("/usr/lib/passwd");
        }),
        "WARN",
        "User=svc (uid 0 in the image's /etc/passwd (a link to /usr/lib/passwd))",
    );
}

#[test]
fn no_new_privileges_value_forms_5_26() {
    let opts = |o: Value, daemon: bool| {
        check("5.26", move |s| {
            stopped(s);
            set(container(s), "HostConfig.SecurityOpt", o);
            setting(
                s,
                "no-new-privileges",
                json!(daemon),
                "file",
                "/etc/docker/daemon.json",
            );
        })
    };
    for on in [
        "no-new-privileges",
        "no-new-privileges=1",
        "no-new-privileges:true",
        "no-new-privileges=True",
    ] {
        clean(opts(json!([on]), false));
    }
    // The container's explicit false overrides the daemon's default of true.
    finding(
        opts(json!(["no-new-privileges=false"]), true),
        "WARN",
        "SecurityOpt=no-new-privileges=false, overriding the daemon's default",
    );
    clean(opts(json!([]), true));
    // The last option wins, as in moby's parser.
    clean(opts(
        json!(["no-new-privileges=false", "no-new-privileges"]),
        false,
    ));
}

#[test]
fn container_modes_followed_transitively_5_10_5_16() {
    // c0 joins c1's network, c1 joins c2's, c2 uses the host's: all stopped (--all, offline).
    let chain = |id: &'static str, field: &'static str| {
        check(id, move |s| {
            stopped(s);
            let mut c1 = s["containers"][0].clone();
            let mut c2 = s["containers"][0].clone();
            c1["Id"] = json!("1".repeat(64));
            c1["Name"] = json!("middle");
            c2["Id"] = json!("2".repeat(64));
            c2["Name"] = json!("hostnet");
            c1["HostConfig"][field] = json!(format!("container:{}", "2".repeat(12)));
            c2["HostConfig"][field] = json!("host");
            s["containers"][0]["HostConfig"][field] = json!("container:middle");
            s["containers"].as_array_mut().unwrap().extend([c1, c2]);
        })
    };
    for (id, field) in [
        ("5.10", "NetworkMode"),
        ("5.16", "PidMode"),
        ("5.17", "IpcMode"),
    ] {
        let r = chain(id, field);
        assert_eq!(r.status.as_str(), "WARN", "{id}");
        let mine = r.findings.iter().find(|f| f.object == CONTAINER).unwrap();
        assert_eq!(
            mine.value,
            format!(
                "{field}=container:middle → middle: {field}=container:222222222222 → hostnet: {field}=host"
            ),
            "{id}"
        );
        assert_eq!(r.findings.len(), 3, "{id}: every container of the chain");
    }
    // Running: the kernel's namespaces compared with the host's.
    finding(
        check("5.10", |s| {
            observed(s, |k| k["HostNamespaces"] = json!(["net"]))
        }),
        "WARN",
        "kernel: the net namespace is the host's; configured: NetworkMode=fxnet",
    );
    // Without userns remapping every container shares the host's user namespace: not judged.
    clean(check("5.31", |s| {
        s["daemon"]["Info"]["SecurityOptions"] = json!(["name=seccomp,profile=default"]);
        observed(s, |k| k["HostNamespaces"] = json!(["user"]));
    }));
    finding(
        check("5.31", |s| {
            observed(s, |k| k["HostNamespaces"] = json!(["user"]))
        }),
        "WARN",
        "kernel: the user namespace is the host's; configured: UsernsMode=",
    );
}

#[test]
fn daemon_wide_seccomp_5_22() {
    let daemon = |profile: Option<&'static str>| {
        check("5.22", move |s| {
            stopped(s);
            s["daemon"]["Info"]["SecurityOptions"] = match profile {
                Some(p) => json!([format!("name=seccomp,profile={p}")]),
                None => json!([]),
            };
        })
    };
    finding(
        daemon(Some("unconfined")),
        "WARN",
        "the daemon's seccomp profile is unconfined (seccomp-profile applies to every container without its own)",
    );
    finding(
        daemon(None),
        "WARN",
        "the daemon applies no seccomp profile (seccomp is not in its security options)",
    );
    clean(daemon(Some("default")));
    // Offline: the daemon.json setting.
    finding(
        check("5.22", |s| {
            stopped(s);
            s["daemon"]["Info"] = Value::Null;
            setting(
                s,
                "seccomp-profile",
                json!("unconfined"),
                "file",
                "/etc/docker/daemon.json",
            );
        }),
        "WARN",
        "the daemon's seccomp profile is unconfined (seccomp-profile applies to every container without its own)",
    );
    // Its own profile wins over the daemon's.
    clean(check("5.22", |s| {
        stopped(s);
        s["daemon"]["Info"]["SecurityOptions"] = json!(["name=seccomp,profile=unconfined"]);
        set(
            container(s),
            "HostConfig.SecurityOpt",
            json!(["seccomp=/p.json"]),
        );
    }));
    // Running: the kernel's mode.
    finding(
        check("5.22", |s| observed(s, |k| k["Seccomp"] = json!(0))),
        "WARN",
        "kernel: Seccomp 0 (no filter); configured: the daemon's seccomp profile (/etc/docker/seccomp.json)",
    );
}

#[test]
fn sockets_the_daemon_serves_5_32() {
    let mounts = |m: Value, hosts: Option<Value>| {
        check("5.32", move |s| {
            container(s)["Mounts"] = m;
            if let Some(h) = hosts {
                setting(s, "hosts", h, "file", "/etc/docker/daemon.json");
            }
        })
    };
    let bind = |src: &str, dst: &str, rw: bool| json!([{ "Type": "bind", "Source": src, "Destination": dst, "RW": rw, "Mode": "", "Propagation": "rprivate" }]);
    // A socket at a non-default path that the daemon serves, or a directory holding it.
    finding(
        mounts(
            bind("/srv/api", "/api", true),
            Some(json!(["unix:///srv/api/engine.sock"])),
        ),
        "WARN",
        "/srv/api -> /api (rw)",
    );
    clean(mounts(bind("/srv/api", "/api", true), None));
    finding(
        mounts(
            bind("/run/user/1000/podman/podman.sock", "/p.sock", false),
            None,
        ),
        "WARN",
        "/run/user/1000/podman/podman.sock -> /p.sock (ro: a read-only mount does not stop API calls)",
    );
    // A named volume at the socket's usual place is not the host's socket.
    clean(mounts(
        json!([{ "Type": "volume", "Name": "sock", "Source": "/var/lib/docker/volumes/sock/_data",
                 "Destination": "/var/run/docker.sock", "RW": true }]),
        None,
    ));
}

#[test]
fn healthcheck_cpu_ports_devices_5_27_5_12_5_8_5_18() {
    finding(
        check("5.27", |s| {
            set(
                container(s),
                "Config.Healthcheck",
                json!({ "Test": [], "Interval": 5000000000i64 }),
            );
            container(s)["State"]["Health"] = Value::Null;
        }),
        "WARN",
        "healthcheck options without a test (no --health-cmd, none in the image): no healthcheck",
    );
    finding(
        check("5.27", |s| {
            set(
                container(s),
                "Config.Healthcheck",
                json!({ "Test": ["NONE"] }),
            );
            s["images"][0]["Config"]["Healthcheck"] = json!({ "Test": ["NONE"] });
        }),
        "WARN",
        "healthcheck disabled in the image (HEALTHCHECK NONE)",
    );
    finding(
        check("5.12", |s| {
            stopped(s);
            set(container(s), "HostConfig.CpuShares", json!(1024));
            for k in ["NanoCpus", "CpuQuota"] {
                set(container(s), &format!("HostConfig.{k}"), json!(0));
            }
            set(container(s), "HostConfig.CpusetCpus", json!(""));
        }),
        "WARN",
        "CpuShares=1024 is the default weight; no NanoCpus, CpuQuota or CpusetCpus set",
    );
    finding(
        check("5.8", |s| {
            stopped(s);
            container(s)["NetworkSettings"]["Ports"] = json!({});
            container(s)["HostConfig"]["PortBindings"] =
                json!({ "8080/tcp": [{ "HostIp": "", "HostPort": "80-85" }] });
        }),
        "WARN",
        "0.0.0.0:80-85->8080/tcp",
    );
    let r = check("5.18", |s| {
        set(
            container(s),
            "HostConfig.DeviceCgroupRules",
            json!(["c 1:3 mr"]),
        );
    });
    assert_eq!(r.status.as_str(), "INFO", "{:?}", r.findings);
    assert_eq!(r.findings[0].value, "device-cgroup-rule=c 1:3 mr");
}

#[test]
fn configured_sshd_and_shell_pid1_5_7_dp_4_1() {
    finding(
        check("5.7", |s| {
            stopped(s);
            set(container(s), "Config.Entrypoint", json!([]));
            set(
                container(s),
                "Config.Cmd",
                json!(["sh", "-c", "/usr/sbin/sshd -D"]),
            );
        }),
        "WARN",
        "configured command: sh -c /usr/sbin/sshd -D",
    );
    // Running but not observable (remote daemon): the configured command still finds it.
    finding(
        check("5.7", |s| {
            set(container(s), "Config.Cmd", json!(["/usr/sbin/sshd", "-D"]));
            container(s)["Processes"] = Value::Null;
            container(s)["Kernel"]["Status"] = json!({ "Available": false, "Reason": "remote daemon (tcp://h:2375): its host's /proc cannot be read from here" });
        }),
        "WARN",
        "configured command: /usr/sbin/sshd -D (configuration only: remote daemon (tcp://h:2375): its host's /proc cannot be read from here)",
    );
    for flags in ["-ec", "-lc", "-xc", "-c"] {
        let r = check_in("dockbench-practices", "DP.4.1", move |s| {
            set(container(s), "HostConfig.Init", json!(false));
            set(
                container(s),
                "Processes.0.Args",
                json!(["/bin/sh", flags, "app; true"]),
            );
        });
        assert_eq!(
            r.status.as_str(),
            "WARN",
            "{flags}: {} {:?}",
            r.reason,
            r.findings
        );
    }
}

#[test]
fn kernel_capabilities_and_limits_5_4_5_5_5_11_5_29() {
    // --cap-drop ALL --cap-add CHOWN: nothing beyond the default set in the bounding set.
    clean(check("5.4", |s| observed(s, |_| {})));
    finding(
        check("5.4", |s| {
            observed(s, |k| k["CapBnd"] = json!(["CAP_CHOWN", "CAP_SYS_ADMIN"]))
        }),
        "WARN",
        "kernel: bounding set holds CAP_SYS_ADMIN; configured: no capability beyond the default set",
    );
    finding(
        check("5.5", |s| {
            observed(s, |k| {
                k["AllCapabilities"] = json!(true);
                k["Seccomp"] = json!(0);
                k["Label"] = json!("unconfined");
            })
        }),
        "WARN",
        "kernel: every capability, no seccomp filter, no LSM confinement; configured: Privileged=false",
    );
    finding(
        check("5.11", |s| {
            observed(s, |k| k["Cgroup"]["MemoryLimit"] = Value::Null)
        }),
        "WARN",
        "kernel: no memory limit in the container's cgroup (configured: set)",
    );
    clean(check("5.29", |s| observed(s, |_| {})));
}

#[test]
fn volumes_links_and_runtime_sockets_5_6_5_32() {
    let mounts = |id: &'static str, m: Value, specs: Value| {
        check(id, move |s| {
            stopped(s);
            container(s)["Mounts"] = m;
            container(s)["HostConfig"]["Mounts"] = specs;
        })
    };
    let volume = |name: &str, dst: &str, opts: Value| {
        json!([{ "Type": "volume", "Name": name, "Driver": "local", "Destination": dst, "RW": true,
                 "Source": format!("/var/lib/docker/volumes/{name}/_data"), "VolumeOptions": opts }])
    };
    // A named local volume with o=bind is a bind mount of its device (old code: PASS).
    finding(
        mounts(
            "5.32",
            volume(
                "v",
                "/hostrun",
                json!({ "type": "none", "o": "bind", "device": "/var/run" }),
            ),
            json!([]),
        ),
        "WARN",
        "/var/run -> /hostrun (rw) [volume v (local driver: o=bind, device=/var/run)]",
    );
    finding(
        mounts(
            "5.6",
            volume(
                "v",
                "/host",
                json!({ "type": "none", "o": "rbind,ro", "device": "/" }),
            ),
            json!([]),
        ),
        "WARN",
        "/ -> /host (rw) [volume v (local driver: o=rbind,ro, device=/)]",
    );
    // The inline form: the options are in HostConfig.Mounts.
    let anon = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    finding(
        mounts(
            "5.6",
            volume(anon, "/x", json!({})),
            json!([{ "Type": "volume", "Target": "/x", "VolumeOptions": { "DriverConfig": {
                "Name": "local", "Options": { "type": "none", "o": "bind", "device": "/dev" } } } }]),
        ),
        "WARN",
        "/dev -> /x (rw) [volume (anonymous) (local driver: o=bind, device=/dev)]",
    );
    // An NFS volume is not a host path.
    clean(mounts(
        "5.6",
        volume(
            "nfs",
            "/data",
            json!({ "type": "nfs", "o": "addr=10.0.0.1", "device": ":/etc" }),
        ),
        json!([]),
    ));
    let bind = |src: &str, resolved: &str, reaches: Value| {
        json!([{ "Type": "bind", "Source": src, "Destination": "/s", "RW": true,
                 "Resolved": resolved, "Reaches": reaches }])
    };
    // A symlink to the socket (resolved where the daemon resolves it) and a hard link
    // (the same inode as the daemon's socket).
    finding(
        mounts(
            "5.32",
            bind("/tmp/x/sock-link", "/run/docker.sock", json!([])),
            json!([]),
        ),
        "WARN",
        "/tmp/x/sock-link -> /s (rw) [resolves to /run/docker.sock]",
    );
    finding(
        mounts(
            "5.32",
            bind(
                "/tmp/x/hl",
                "/tmp/x/hl",
                json!(["/run/docker.sock", "/var/run/docker.sock"]),
            ),
            json!([]),
        ),
        "WARN",
        "/tmp/x/hl -> /s (rw) [by device and inode: is or holds the daemon's /run/docker.sock, /var/run/docker.sock]",
    );
    // A link to /etc bound writable is /etc.
    finding(
        mounts("5.6", bind("/srv/conf", "/etc", json!([])), json!([])),
        "WARN",
        "/srv/conf -> /s (rw) [resolves to /etc]",
    );
    // containerd's socket is as good as root.
    finding(
        mounts("5.32", bind("/run/containerd", "", json!([])), json!([])),
        "WARN",
        "/run/containerd -> /s (rw) [/run/containerd/containerd.sock: a container runtime's API, as good as root]",
    );
    clean(mounts(
        "5.32",
        bind("/srv/data", "/srv/data", json!([])),
        json!([]),
    ));
}

#[test]
fn configuration_decides_kernel_adds_5_4_5_22() {
    // Configured CAP_SYS_ADMIN that the init dropped from its own bounding set: exec
    // sessions still get it (old code: PASS from the kernel view alone).
    let r = check("5.4", |s| {
        set(container(s), "HostConfig.CapAdd", json!(["SYS_ADMIN"]));
        observed(s, |_| {});
    });
    assert_eq!(r.status.as_str(), "WARN", "{:?}", r.findings);
    // Configured unconfined; the program installed a filter of its own.
    let r = check("5.22", |s| {
        set(
            container(s),
            "HostConfig.SecurityOpt",
            json!(["seccomp=unconfined"]),
        );
        observed(s, |_| {});
    });
    assert_eq!(r.status.as_str(), "WARN", "{:?}", r.findings);
}

#[test]
fn healthcheck_types_and_unknown_joins_5_27_5_10() {
    for test in [
        json!(["none"]),
        json!(["cmd", "true"]),
        json!(["SHELL", "true"]),
        json!(["CMD"]),
    ] {
        let shown = test.to_string();
        let r = check("5.27", move |s| {
            stopped(s);
            set(container(s), "Config.Healthcheck", json!({ "Test": test }));
        });
        // Old code: any first word but NONE was a healthcheck → PASS.
        assert_eq!(r.status.as_str(), "WARN", "{shown}: {:?}", r.findings);
    }
    // Running with a test Docker accepted but no health state: Docker runs no probe.
    finding(
        check("5.27", |s| {
            set(
                container(s),
                "Config.Healthcheck",
                json!({ "Test": ["CMD", "true"] }),
            );
            container(s)["State"]["Health"] = Value::Null;
        }),
        "WARN",
        "healthcheck: CMD true, but Docker runs no probe (State.Health is null)",
    );
    // A stopped container joined to one that is not there: INFO (old code: PASS).
    let r = check("5.10", |s| {
        stopped(s);
        set(
            container(s),
            "HostConfig.NetworkMode",
            json!("container:gone"),
        );
    });
    assert_eq!(r.status.as_str(), "INFO", "{:?}", r.findings);
    assert!(
        r.findings[0].value.contains("gone: not in this scan"),
        "{:?}",
        r.findings
    );
}
