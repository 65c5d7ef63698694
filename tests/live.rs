//! Integration tests against this machine's Docker daemon: for each automatable 5.x check,
//! containers with the exact flag under test and a clean one, judged from the JSON report.
//! Other tests (and other people) run containers on the same daemon at the same time, so
//! every assertion is about this test's own containers, by name.
mod support;

use support::{Guard, docker_ok, report_of, require_docker, scan};

macro_rules! need_docker {
    () => {
        if !require_docker() {
            return;
        }
    };
}

#[test]
fn swarm_state_5_1() {
    need_docker!();
    let state = docker_ok(&["info", "-f", "{{.Swarm.LocalNodeState}}"]);
    let r = scan("5.1", &[]);
    let expected = if matches!(state.as_str(), "" | "inactive") {
        "PASS"
    } else {
        "WARN"
    };
    assert_eq!(r.status("5.1"), expected, "swarm state {state}");
    assert!(
        r.result("5.1")["reason"]
            .as_str()
            .unwrap()
            .contains("LocalNodeState=")
    );
}

#[test]
fn apparmor_and_selinux_5_2_5_3() {
    need_docker!();
    let options = docker_ok(&["info", "-f", "{{json .SecurityOptions}}"]);
    let mut g = Guard::new("lsm");
    let plain = g.run("plain", &[], &[]);
    let apparmor = options.contains("name=apparmor");
    let selinux = options.contains("name=selinux");
    let unconfined = apparmor.then(|| {
        g.run(
            "unconfined",
            &["--security-opt", "apparmor=unconfined"],
            &[],
        )
    });
    let unlabelled =
        selinux.then(|| g.run("unlabelled", &["--security-opt", "label=disable"], &[]));
    let r = scan("5.2,5.3", &[]);
    match unconfined {
        Some(name) => {
            r.assert_offender("5.2", &name, "AppArmorProfile=unconfined");
            r.assert_clean("5.2", &plain);
        }
        None => {
            assert_eq!(r.status("5.2"), "SKIP");
            let reason = r.result("5.2")["reason"].as_str().unwrap();
            assert!(reason.contains("AppArmor is not enabled"), "{reason}");
        }
    }
    match unlabelled {
        Some(name) => {
            r.assert_offender("5.3", &name, "label=disable");
            r.assert_clean("5.3", &plain);
        }
        None => {
            assert_eq!(r.status("5.3"), "SKIP");
            let reason = r.result("5.3")["reason"].as_str().unwrap();
            assert!(reason.contains("SELinux is not enabled"), "{reason}");
        }
    }
}

#[test]
fn capabilities_5_4() {
    need_docker!();
    let mut g = Guard::new("caps");
    let net_admin = g.run("netadmin", &["--cap-add", "NET_ADMIN"], &[]);
    // The docker CLI normalises names; the API stores what it is given.
    let raw = g.api_create(
        "raw",
        serde_json::json!({ "CapAdd": ["net_admin", "cap_sys_admin", "chown"] }),
        true,
    );
    let default_only = g.run("chown", &["--cap-add", "CHOWN"], &[]);
    let dropped = g.run("dropped", &["--cap-drop", "ALL"], &[]);
    // The kernel here refuses to start these two: created only, scanned with --all.
    let all = g.create("all", &["--cap-add", "ALL"], &[]);
    let privileged = g.create("priv", &["--privileged"], &[]);

    let r = scan("5.4", &["--all"]);
    assert_eq!(r.finding("5.4", &net_admin), Some("CapAdd=CAP_NET_ADMIN"));
    assert_eq!(
        r.finding("5.4", &raw),
        Some("CapAdd=CAP_NET_ADMIN,CAP_SYS_ADMIN")
    );
    assert_eq!(r.finding("5.4", &all), Some("CapAdd=ALL"));
    r.assert_offender("5.4", &privileged, "Privileged=true");
    r.assert_clean("5.4", &default_only);
    r.assert_clean("5.4", &dropped);
    assert_eq!(r.status("5.4"), "WARN");

    // Created containers are out of scope without --all.
    let running_only = scan("5.4", &[]);
    assert_eq!(running_only.finding("5.4", &all), None);
    assert!(!running_only.saw(&privileged));
    running_only.assert_offender("5.4", &net_admin, "CAP_NET_ADMIN");
}

#[test]
fn privileged_5_5_5_18_5_22() {
    need_docker!();
    let mut g = Guard::new("priv");
    let privileged = g.create("priv", &["--privileged"], &[]);
    let plain = g.create("plain", &[], &[]);
    let r = scan("5.5,5.18,5.22", &["--all"]);
    assert_eq!(r.finding("5.5", &privileged), Some("Privileged=true"));
    r.assert_clean("5.5", &plain);
    r.assert_offender("5.18", &privileged, "every host device");
    r.assert_clean("5.18", &plain);
    r.assert_offender("5.22", &privileged, "Privileged=true");
    r.assert_clean("5.22", &plain);
}

#[test]
fn sensitive_mounts_5_6() {
    need_docker!();
    // A host directory whose name merely starts with "/etc": not sensitive. Declared
    // before the guard so the containers are gone before it is removed.
    let etcd = tempfile::Builder::new()
        .prefix("etcd-dbt-")
        .tempdir_in("/")
        .unwrap();
    let etcd_path = etcd.path().to_str().unwrap().to_string();
    let other = tempfile::tempdir().unwrap();
    let mut g = Guard::new("mounts");
    let etc = g.run("etc", &["-v", "/etc:/x"], &[]);
    let ssl = g.run("ssl", &["-v", "/etc/ssl:/x"], &[]);
    let root = g.run("root", &["-v", "/:/host:ro"], &[]);
    let etc_ro = g.run("etcro", &["-v", "/etc:/x:ro"], &[]);
    let etcd_like = g.run("etcd", &["-v", &format!("{etcd_path}:/x")], &[]);
    let tmp = g.run(
        "tmp",
        &["-v", &format!("{}:/x", other.path().display())],
        &[],
    );
    let r = scan("5.6", &[]);
    assert_eq!(r.finding("5.6", &etc), Some("/etc -> /x (rw)"));
    assert_eq!(r.finding("5.6", &ssl), Some("/etc/ssl -> /x (rw)"));
    assert_eq!(r.finding("5.6", &root), Some("/ -> /host (ro)"));
    r.assert_clean("5.6", &etc_ro);
    r.assert_clean("5.6", &etcd_like);
    r.assert_clean("5.6", &tmp);
}

#[test]
fn sshd_from_host_proc_5_7() {
    need_docker!();
    let mut g = Guard::new("sshd");
    // busybox picks its applet from argv[0] ("sleep"), while /proc/PID/comm comes from
    // the executable's file name ("sshd"): an sshd that only sleeps.
    let sshd = g.run(
        "sshd",
        &[],
        &["sh", "-c", "exec -a sleep /usr/sbin/sshd 3600"],
    );
    let plain = g.run("plain", &[], &[]);
    let configured = g.create("configured", &[], &["/usr/sbin/sshd", "-D"]);
    let pid = g.pid(&sshd);
    let r = scan("5.7", &["--all"]);
    // The host PID proves it was read from the host's /proc, not by exec in the container.
    assert_eq!(
        r.finding("5.7", &sshd),
        Some(format!("pid {pid} (sshd): sleep 3600").as_str())
    );
    r.assert_clean("5.7", &plain);
    assert_eq!(
        r.finding("5.7", &configured),
        Some("configured command: /usr/sbin/sshd -D")
    );
}

#[test]
fn published_ports_5_8_5_9_5_14() {
    need_docker!();
    let mut g = Guard::new("ports");
    let net = g.network();
    // A privileged host port that is free: other tests and users share this host.
    let base = 600 + (std::process::id() % 300);
    let (privileged, port) = (0..40)
        .find_map(|i| {
            let port = base + i;
            g.try_run(
                &format!("low{port}"),
                &["--network", &net, "-p", &format!("127.0.0.1:{port}:80")],
                &[],
            )
            .ok()
            .map(|name| (name, port))
        })
        .expect("no free privileged port for the test");
    let all_v4 = g.run("allv4", &["--network", &net, "-p", "0.0.0.0::80"], &[]);
    let local = g.run("local", &["--network", &net, "-p", "127.0.0.1::80"], &[]);
    let none = g.run("none", &["--network", &net], &[]);
    let all_v6 = match g.try_run("allv6", &["--network", &net, "-p", "[::]::80"], &[]) {
        Ok(name) => Some(name),
        Err(e) => {
            eprintln!(
                "daemon refuses an IPv6 binding ({e}); checks/cis-docker-1.6.0/cases/ covers it"
            );
            None
        }
    };
    let r = scan("5.8,5.9,5.14", &[]);
    assert_eq!(
        r.finding("5.8", &privileged),
        Some(format!("127.0.0.1:{port}->80/tcp").as_str())
    );
    for clean in [&all_v4, &local, &none] {
        r.assert_clean("5.8", clean);
    }
    r.assert_offender("5.9", &local, "127.0.0.1:");
    r.assert_offender("5.9", &all_v4, "0.0.0.0:");
    r.assert_clean("5.9", &none);
    r.assert_offender("5.14", &all_v4, "0.0.0.0:");
    for clean in [&privileged, &local, &none] {
        r.assert_clean("5.14", clean);
    }
    if let Some(v6) = all_v6 {
        r.assert_offender("5.14", &v6, "[::]:");
        r.assert_offender("5.9", &v6, "[::]:");
    }
}

#[test]
fn host_namespaces_5_10_5_16_5_17_5_21_5_31() {
    need_docker!();
    let mut g = Guard::new("ns");
    let cases = [
        ("5.10", "net", "--network", "NetworkMode=host"),
        ("5.16", "pid", "--pid", "PidMode=host"),
        ("5.17", "ipc", "--ipc", "IpcMode=host"),
        ("5.21", "uts", "--uts", "UTSMode=host"),
        ("5.31", "userns", "--userns", "UsernsMode=host"),
    ];
    let names: Vec<String> = cases
        .iter()
        .map(|(_, role, flag, _)| g.run(role, &[flag, "host"], &[]))
        .collect();
    let plain = g.run("plain", &[], &[]);
    let r = scan("5.10,5.16,5.17,5.21,5.31", &[]);
    // Each check flags its own container and none of the others.
    for (i, (id, _, _, value)) in cases.iter().enumerate() {
        for (j, name) in names.iter().enumerate() {
            if i == j {
                assert_eq!(r.finding(id, name), Some(*value), "{id}");
            } else {
                r.assert_clean(id, name);
            }
        }
        r.assert_clean(id, &plain);
    }
}

#[test]
fn resource_limits_5_11_5_12_5_13_5_19_5_29() {
    need_docker!();
    let mut g = Guard::new("limits");
    let limited = g.run(
        "limited",
        &[
            "--memory",
            "64m",
            "--cpu-shares",
            "512",
            "--read-only",
            "--pids-limit",
            "50",
            "--ulimit",
            "nofile=1024:2048",
        ],
        &[],
    );
    let cpus = g.run("cpus", &["--cpus", "0.5", "--pids-limit", "-1"], &[]);
    let plain = g.run("plain", &[], &[]);
    let r = scan("5.12,5.13,5.19,5.29", &[]);
    assert_eq!(r.finding("5.11", &plain), Some("Memory=0 (unlimited)"));
    r.assert_clean("5.11", &limited);
    r.assert_offender("5.12", &plain, "no CpuShares");
    r.assert_clean("5.12", &limited);
    r.assert_clean("5.12", &cpus);
    assert_eq!(r.finding("5.13", &plain), Some("ReadonlyRootfs=false"));
    r.assert_clean("5.13", &limited);
    r.assert_offender("5.19", &plain, "no per-container ulimits");
    assert_eq!(r.status("5.19"), "INFO");
    r.assert_clean("5.19", &limited);
    assert_eq!(
        r.finding("5.29", &plain),
        Some("PidsLimit not set (unlimited)")
    );
    r.assert_offender("5.29", &cpus, "unlimited");
    r.assert_clean("5.29", &limited);
}

#[test]
fn restart_policies_5_15() {
    need_docker!();
    let mut g = Guard::new("restart");
    let findings = [
        ("always", "RestartPolicy=always"),
        ("unless-stopped", "RestartPolicy=unless-stopped"),
        ("on-failure", "RestartPolicy=on-failure:0"),
        ("on-failure:10", "RestartPolicy=on-failure:10"),
    ];
    let risky: Vec<(String, &str)> = findings
        .iter()
        .map(|(policy, value)| {
            let role = policy.replace(':', "");
            (g.run(&role, &["--restart", policy], &[]), *value)
        })
        .collect();
    let five = g.run("onfailure5", &["--restart", "on-failure:5"], &[]);
    let no = g.run("no", &["--restart", "no"], &[]);
    let r = scan("5.15", &[]);
    for (name, value) in &risky {
        assert_eq!(r.finding("5.15", name), Some(*value));
    }
    r.assert_clean("5.15", &five);
    r.assert_clean("5.15", &no);
}

#[test]
fn devices_and_propagation_5_18_5_20() {
    need_docker!();
    let dir = tempfile::tempdir().unwrap();
    let mut g = Guard::new("propagation");
    let device = g.run("device", &["--device", "/dev/null:/dev/xnull"], &[]);
    let src = dir.path().display().to_string();
    // Shared propagation needs a shared host mount to start; created is enough to judge.
    let rshared = g.create("rshared", &["-v", &format!("{src}:/x:rshared")], &[]);
    let shared = g.create("shared", &["-v", &format!("{src}:/x:shared")], &[]);
    let private = g.run("rprivate", &["-v", &format!("{src}:/x:rprivate")], &[]);
    let r = scan("5.18,5.20", &["--all"]);
    assert_eq!(r.finding("5.18", &device), Some("/dev/null:/dev/xnull:rwm"));
    r.assert_clean("5.18", &private);
    assert_eq!(
        r.finding("5.20", &rshared),
        Some(format!("{src} -> /x (rshared)").as_str())
    );
    r.assert_offender("5.20", &shared, "(shared)");
    r.assert_clean("5.20", &private);
    r.assert_clean("5.20", &device);
}

#[test]
fn seccomp_unconfined_5_22() {
    need_docker!();
    let mut g = Guard::new("seccomp");
    let unconfined = g.run("unconfined", &["--security-opt", "seccomp=unconfined"], &[]);
    let plain = g.run("plain", &[], &[]);
    let r = scan("5.22", &[]);
    assert_eq!(
        r.finding("5.22", &unconfined),
        Some("SecurityOpt=seccomp=unconfined")
    );
    r.assert_clean("5.22", &plain);
}

#[test]
fn cgroup_parent_5_25() {
    need_docker!();
    let mut g = Guard::new("cgroup");
    // Created only: starting it would leave the parent cgroup behind on the host.
    let parent = format!("/dbt-cgroup-{}", std::process::id());
    let custom = g.create("custom", &["--cgroup-parent", &parent], &[]);
    let plain = g.create("plain", &[], &[]);
    let r = scan("5.25", &["--all"]);
    assert_eq!(
        r.finding("5.25", &custom),
        Some(format!("CgroupParent={parent}").as_str())
    );
    r.assert_clean("5.25", &plain);
}

#[test]
fn no_new_privileges_5_26() {
    need_docker!();
    let mut g = Guard::new("nnp");
    let nnp = g.run("nnp", &["--security-opt", "no-new-privileges"], &[]);
    let plain = g.run("plain", &[], &[]);
    let nnp_created = g.create("nnpcreated", &["--security-opt", "no-new-privileges"], &[]);
    let plain_created = g.create("plaincreated", &[], &[]);
    let pid = g.pid(&plain);
    let r = scan("5.26", &["--all"]);
    // Running containers are judged by NoNewPrivs of their processes in /proc.
    assert_eq!(
        r.finding("5.26", &plain),
        Some(format!("pid {pid} (sleep): NoNewPrivs=0").as_str())
    );
    r.assert_clean("5.26", &nnp);
    r.assert_offender("5.26", &plain_created, "not in SecurityOpt");
    r.assert_clean("5.26", &nnp_created);
}

#[test]
fn healthchecks_5_27() {
    need_docker!();
    let mut g = Guard::new("health");
    let none = g.run("none", &[], &[]);
    let disabled = g.run("disabled", &["--no-healthcheck"], &[]);
    let healthy = g.run(
        "healthy",
        &["--health-cmd", "true", "--health-interval", "1s"],
        &[],
    );
    let unhealthy = g.run(
        "unhealthy",
        &[
            "--health-cmd",
            "false",
            "--health-interval",
            "1s",
            "--health-retries",
            "1",
        ],
        &[],
    );
    g.wait_health(&healthy, "healthy");
    g.wait_health(&unhealthy, "unhealthy");
    let r = scan("5.27", &[]);
    assert_eq!(r.finding("5.27", &none), Some("no healthcheck"));
    r.assert_offender("5.27", &disabled, "disabled");
    r.assert_offender("5.27", &unhealthy, "unhealthy");
    r.assert_clean("5.27", &healthy);
}

#[test]
fn default_bridge_5_30() {
    need_docker!();
    let mut g = Guard::new("bridge");
    // Created, not started: starting needs the docker0 device, which other users of this
    // shared daemon may take down; the verdict only depends on the configuration.
    let bridged = g.create("bridged", &["--network", "bridge"], &[]);
    let default = g.create("default", &["--network", "default"], &[]);
    let user = g.network();
    let own = g.run("own", &["--network", &user], &[]);
    let isolated = g.run("isolated", &["--network", "none"], &[]);
    let r = scan("5.30", &["--all"]);
    assert_eq!(
        r.finding("5.30", &default),
        Some("on the default bridge network")
    );
    r.assert_clean("5.30", &own);
    assert_eq!(
        r.finding("5.30", &bridged),
        Some("on the default bridge network")
    );
    assert_eq!(r.status("5.30"), "INFO");
    r.assert_clean("5.30", &isolated);
}

#[test]
fn docker_socket_5_32() {
    need_docker!();
    let dir = tempfile::tempdir().unwrap();
    let mut g = Guard::new("sock");
    let sock = g.run(
        "sock",
        &["-v", "/var/run/docker.sock:/var/run/docker.sock:ro"],
        &[],
    );
    // The directory that holds the socket gives the same access.
    let run_dir = g.run("rundir", &["-v", "/var/run:/hostrun:ro"], &[]);
    let plain = g.run(
        "plain",
        &["-v", &format!("{}:/x", dir.path().display())],
        &[],
    );
    let r = scan("5.32", &[]);
    assert_eq!(
        r.finding("5.32", &sock),
        // Read-only protects nothing: the evidence must not suggest it does.
        Some(
            "/var/run/docker.sock -> /var/run/docker.sock (ro: a read-only mount does not stop API calls)"
        )
    );
    assert_eq!(
        r.finding("5.32", &run_dir),
        Some("/var/run -> /hostrun (ro: a read-only mount does not stop API calls)")
    );
    r.assert_clean("5.32", &plain);
}

#[test]
fn names_containing_nil_are_scanned() {
    need_docker!();
    let mut g = Guard::new("names");
    let nil = g.run("nil", &["--cap-add", "NET_ADMIN"], &[]);
    let vanilla = g.run("vanilla", &["--cap-add", "NET_ADMIN"], &[]);
    let r = scan("5.4", &[]);
    for name in [&nil, &vanilla] {
        assert!(name.contains("nil"));
        assert_eq!(r.finding("5.4", name), Some("CapAdd=CAP_NET_ADMIN"));
    }
}

#[test]
fn snapshot_gives_the_same_verdicts() {
    need_docker!();
    let mut g = Guard::new("roundtrip");
    g.run(
        "caps",
        &["--cap-add", "SYS_ADMIN", "-p", "0.0.0.0::80"],
        &[],
    );
    g.run(
        "sshd",
        &[],
        &["sh", "-c", "exec -a sleep /usr/sbin/sshd 3600"],
    );
    g.run("plain", &["--memory", "64m", "--read-only"], &[]);
    g.create("created", &["--privileged"], &[]);
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    support::dockbench()
        .args(["collect", "--all", "-o"])
        .arg(&snap)
        .assert()
        .code(0);
    let snap = snap.to_str().unwrap();
    let from_file = report_of(&["scan", "--check", "5", "--snapshot", snap]);
    let direct = report_of(&["scan", "--check", "5", "--all"]);
    assert_eq!(from_file.0["source"]["mode"], "snapshot");

    // Other tests change the daemon meanwhile: compare this test's containers only.
    let prefix = "dbt-roundtrip-";
    let ours = |r: &support::Report| -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for result in r.0["results"].as_array().unwrap() {
            for list in ["findings", "exceptions"] {
                for f in result[list].as_array().unwrap() {
                    let object = f["object"].as_str().unwrap();
                    if object.starts_with(prefix) {
                        out.push((
                            result["id"].as_str().unwrap().to_string(),
                            object.to_string(),
                            f["value"].as_str().unwrap().to_string(),
                        ));
                    }
                }
            }
        }
        out.sort();
        out
    };
    let (a, b) = (ours(&from_file), ours(&direct));
    assert_eq!(a, b);
    // Not vacuous: the interesting verdicts are there.
    for (id, role) in [("5.4", "caps"), ("5.7", "sshd"), ("5.5", "created")] {
        assert!(
            a.iter().any(|(i, o, _)| i == id && o == &g.name(role)),
            "{id} {role} missing: {a:?}"
        );
    }
}

#[test]
fn running_only_by_default_all_with_flag() {
    need_docker!();
    let mut g = Guard::new("scope");
    let running = g.run("running", &[], &[]);
    let created = g.create("created", &[], &[]);
    let exited = g.run("exited", &[], &["true"]);
    docker_ok(&["wait", &exited]);
    let default = scan("5.11", &[]);
    assert_eq!(default.0["all_containers"], false);
    assert!(default.saw(&running));
    assert!(!default.saw(&created));
    assert!(!default.saw(&exited));
    let all = scan("5.11", &["--all"]);
    assert_eq!(all.0["all_containers"], true);
    for name in [&running, &created, &exited] {
        assert_eq!(all.finding("5.11", name), Some("Memory=0 (unlimited)"));
    }
}
