//! Container verdicts from the kernel and from Docker's own parse rules, on this machine's
//! daemon: labelled containers with the exact flags of each kind (created only where the VM
//! refuses to start them), judged from the JSON report. See tests/runtime_cases.rs for the
//! non-running and offline forms.
mod support;

use support::{Guard, docker_ok, require_docker, scan};

macro_rules! need_docker {
    () => {
        if !require_docker() {
            return;
        }
    };
}

#[test]
fn user_spelled_otherwise_and_kernel_uid_4_1() {
    need_docker!();
    let mut g = Guard::new("rtuser");
    let zeros = g.create("zeros", &["--user", "00"], &[]);
    let plain = g.run("plain", &[], &[]);
    let user = g.run("user", &["--user", "1000"], &[]);
    let r = scan("4.1", &["--all"]);
    // Old code: "00" is not "0" or "root" → PASS.
    r.assert_offender("4.1", &zeros, "User=00 (uid 0)");
    assert_eq!(r.finding("4.1", &plain), Some("no user set: runs as root"));
    r.assert_clean("4.1", &user);
}

#[test]
fn no_new_privileges_forms_and_kernel_5_26() {
    need_docker!();
    let mut g = Guard::new("rtnnp");
    let one = g.create("one", &["--security-opt", "no-new-privileges=1"], &[]);
    let off = g.create("off", &["--security-opt", "no-new-privileges=false"], &[]);
    let running = g.run("run", &["--security-opt", "no-new-privileges"], &[]);
    let open = g.run("open", &[], &[]);
    let r = scan("5.26", &["--all"]);
    // Old code: only `=true`/`:true` counted, so `=1` was a WARN.
    r.assert_clean("5.26", &one);
    r.assert_offender("5.26", &off, "SecurityOpt=no-new-privileges=false");
    r.assert_clean("5.26", &running);
    r.assert_offender("5.26", &open, "NoNewPrivs=0");
}

#[test]
fn container_modes_transitively_5_10_5_16() {
    need_docker!();
    let mut g = Guard::new("rtns");
    // Created only: a host-network or host-PID container is not started on this VM.
    let hostnet = g.create("hostnet", &["--network", "host"], &[]);
    let joiner = g.create(
        "joiner",
        &["--network", &format!("container:{hostnet}")],
        &[],
    );
    let hostpid = g.create("hostpid", &["--pid", "host"], &[]);
    let pidjoin = g.create("pidjoin", &["--pid", &format!("container:{hostpid}")], &[]);
    let plain = g.run("plain", &[], &[]);
    let r = scan("5.10,5.16", &["--all"]);
    // Old code: only NetworkMode == "host" itself, so the joiner passed.
    r.assert_offender(
        "5.10",
        &joiner,
        // Docker stores the joined container's ID; the chain names it.
        &format!(" → {hostnet}: NetworkMode=host"),
    );
    r.assert_offender("5.16", &pidjoin, &format!(" → {hostpid}: PidMode=host"));
    r.assert_clean("5.10", &plain);
    r.assert_clean("5.16", &plain);
}

#[test]
fn docker_socket_volumes_and_read_only_5_32() {
    need_docker!();
    let mut g = Guard::new("rtsock");
    let volume = g.create("volume", &["-v", "/var/run/docker.sock"], &[]);
    let ro = g.create("ro", &["-v", "/var/run/docker.sock:/s.sock:ro"], &[]);
    let r = scan("5.32", &["--all"]);
    // Old code: a volume whose destination ends in docker.sock was a WARN.
    r.assert_clean("5.32", &volume);
    let shown = r.finding("5.32", &ro).expect("ro bind is an offender");
    assert!(shown.contains("does not stop API calls"), "{shown}");
    assert!(!shown.ends_with("(ro)"), "{shown}");
}

#[test]
fn seccomp_from_the_kernel_and_the_daemon_5_22() {
    need_docker!();
    let options = docker_ok(&["info", "-f", "{{json .SecurityOptions}}"]);
    let mut g = Guard::new("rtsec");
    let plain = g.run("plain", &[], &[]);
    let unconfined = g.run("unconf", &["--security-opt", "seccomp=unconfined"], &[]);
    let r = scan("5.22", &[]);
    r.assert_offender("5.22", &unconfined, "seccomp=unconfined");
    if options.contains("name=seccomp") {
        r.assert_clean("5.22", &plain);
    } else {
        // This daemon applies no profile at all: every container runs without a filter
        // (old code: PASS, from the configuration alone).
        r.assert_offender("5.22", &plain, "the daemon applies no seccomp profile");
    }
}

#[test]
fn kernel_capabilities_without_false_warns_5_4_5_5() {
    need_docker!();
    let mut g = Guard::new("rtcaps");
    let minimal = g.run("minimal", &["--cap-drop", "ALL", "--cap-add", "CHOWN"], &[]);
    let user_admin = g.run(
        "useradm",
        &["--user", "1000", "--cap-add", "NET_ADMIN"],
        &[],
    );
    let r = scan("5.4,5.5", &[]);
    r.assert_clean("5.4", &minimal);
    r.assert_clean("5.5", &minimal);
    // A non-root user has no effective capabilities, but the bounding set keeps NET_ADMIN.
    assert_eq!(r.finding("5.4", &user_admin), Some("CapAdd=CAP_NET_ADMIN"));
}

#[test]
fn healthcheck_cpu_ports_devices_5_27_5_12_5_8_5_18() {
    need_docker!();
    let mut g = Guard::new("rtcfg");
    let net = g.network();
    let notest = g.create("notest", &["--health-interval", "5s"], &[]);
    let shares = g.create("shares", &["--cpu-shares", "1024"], &[]);
    let range = g.create("range", &["--network", &net, "-p", "80-85:8080"], &[]);
    let rule = g.create("rule", &["--device-cgroup-rule", "c 1:3 mr"], &[]);
    let r = scan("5.8,5.12,5.18", &["--all"]);
    // Old code: each of these passed.
    r.assert_offender("5.27", &notest, "options without a test");
    r.assert_offender("5.12", &shares, "CpuShares=1024 is the default weight");
    r.assert_offender("5.8", &range, ":80-85->8080/tcp");
    r.assert_offender("5.18", &rule, "device-cgroup-rule=c 1:3 mr");
}

#[test]
fn sshd_behind_a_shell_and_shell_flags_5_7_dp_4_1() {
    need_docker!();
    let mut g = Guard::new("rtsh");
    let configured = g.create("cfg", &[], &["sh", "-c", "/usr/sbin/sshd -D"]);
    // `; true` keeps busybox sh from exec'ing sleep in its place.
    let wrapper = g.run("ec", &[], &["sh", "-ec", "sleep 3600; true"]);
    let r = scan("5.7", &["--all"]);
    // Old code: "/usr/sbin/sshd -D" does not end in sshd → PASS.
    r.assert_offender(
        "5.7",
        &configured,
        "configured command: sh -c /usr/sbin/sshd -D",
    );
    let p = support::report_of(&[
        "scan",
        "--benchmark",
        "dockbench-practices",
        "--check",
        "DP.4.1",
    ]);
    // Old code: only a lone `-c` counted.
    p.assert_offender("DP.4.1", &wrapper, "PID 1: sh -ec");
}

#[test]
fn killed_is_not_oom_killed_dp_1_1() {
    need_docker!();
    let mut g = Guard::new("rtkill");
    let killed = g.run("killed", &[], &[]);
    docker_ok(&["kill", &killed]);
    docker_ok(&["wait", &killed]);
    let r = support::report_of(&[
        "scan",
        "--all",
        "--benchmark",
        "dockbench-practices",
        "--check",
        "DP.1.1",
    ]);
    // Old code: WARN "exit code 137 (SIGKILL: an OOM kill or …)".
    let shown = r.finding("DP.1.1", &killed).expect("137 is reported");
    assert!(shown.starts_with("killed (137)"), "{shown}");
}

#[test]
fn whiteouts_hide_deleted_files_4_3_4_8() {
    need_docker!();
    let mut g = Guard::new("rtwh");
    // A layer that deletes sshd (a file) and replaces /usr/sbin (an opaque directory).
    let base = g.run(
        "base",
        &[],
        &[
            "sh",
            "-c",
            "rm /usr/sbin/sshd && rm -rf /usr/sbin && mkdir /usr/sbin && sleep 3600",
        ],
    );
    std::thread::sleep(std::time::Duration::from_secs(1));
    let tag = format!("dockbench-test/whiteout:{}", std::process::id());
    docker_ok(&["commit", "-c", "LABEL dockbench.test=rtwh", &base, &tag]);
    struct Rmi(String);
    impl Drop for Rmi {
        fn drop(&mut self) {
            let _ = std::process::Command::new("docker")
                .args(["rmi", "-f", &self.0])
                .output();
        }
    }
    let _image = Rmi(tag.clone());
    let r = support::report_of(&["scan", "--all-images", "--check", "4.3"]);
    let shown = r.finding("4.3", &tag).unwrap_or("");
    assert!(
        !shown.contains("sshd"),
        "deleted sshd still reported: {shown}"
    );
}

/// A labelled named volume of a test, removed on drop (after the containers using it:
/// declare it before the `Guard`).
struct Volume(String);

impl Volume {
    fn local(test: &str, role: &str, opts: &[&str]) -> Volume {
        let name = format!("dbt-{test}-{role}-{}", std::process::id());
        let mut args = vec!["volume", "create", "--label", "dockbench.test=rtvol"];
        for o in opts {
            args.extend(["--opt", o]);
        }
        args.push(&name);
        docker_ok(&args);
        Volume(name)
    }
}

impl Drop for Volume {
    fn drop(&mut self) {
        let _ = std::process::Command::new("docker")
            .args(["volume", "rm", "-f", &self.0])
            .output();
    }
}

#[test]
fn volumes_that_are_bind_mounts_5_6_5_32() {
    need_docker!();
    let hostrun = Volume::local("rtvol", "run", &["type=none", "o=bind", "device=/var/run"]);
    let etc = Volume::local("rtvol", "etc", &["type=none", "o=bind", "device=/etc"]);
    let plain = Volume::local("rtvol", "plain", &[]);
    let mut g = Guard::new("rtvol");
    // Created only: nothing is mounted, the volume's options say what would be.
    let sock = g.create("sock", &["-v", &format!("{}:/hostrun", hostrun.0)], &[]);
    let conf = g.create(
        "etc",
        &["--mount", &format!("source={},target=/host", etc.0)],
        &[],
    );
    let inline = g.create(
        "inline",
        &[
            "--mount",
            "type=volume,dst=/x,volume-driver=local,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/dev",
        ],
        &[],
    );
    let data = g.create("data", &["-v", &format!("{}:/data", plain.0)], &[]);
    let r = scan("5.6,5.32", &["--all"]);
    // Old code: a volume was never a host path → PASS for each.
    r.assert_offender(
        "5.32",
        &sock,
        &format!(
            "/var/run -> /hostrun (rw) [volume {} (local driver: o=bind, device=/var/run)]",
            hostrun.0
        ),
    );
    r.assert_offender("5.6", &conf, "/etc -> /host (rw) [volume ");
    r.assert_offender(
        "5.6",
        &inline,
        "/dev -> /x (rw) [volume (anonymous) (local driver: o=bind, device=/dev)]",
    );
    r.assert_clean("5.6", &data);
    r.assert_clean("5.32", &data);
}

#[test]
fn socket_through_symlink_and_hard_link_5_32() {
    need_docker!();
    let socket = std::fs::canonicalize("/var/run/docker.sock").expect("the daemon's socket");
    let dir = tempfile::Builder::new()
        .prefix("dbt-rtlink-")
        .tempdir()
        .unwrap();
    let link = dir.path().join("sock-link");
    std::os::unix::fs::symlink("/var/run/docker.sock", &link).unwrap();
    let hard = dir.path().join("hl");
    let hard_ok = std::fs::hard_link(&socket, &hard).is_ok();
    let mut g = Guard::new("rtlink");
    let via_link = g.create("sl", &["-v", &format!("{}:/s", link.display())], &[]);
    let via_hard = hard_ok.then(|| g.create("hl", &["-v", &format!("{}:/s", hard.display())], &[]));
    let r = scan("5.32", &["--all"]);
    // Old code: neither path names docker.sock → PASS.
    r.assert_offender("5.32", &via_link, "[resolves to /run/docker.sock]");
    if let Some(c) = via_hard {
        r.assert_offender(
            "5.32",
            &c,
            "[by device and inode: is or holds the daemon's ",
        );
    }
}

#[test]
fn configuration_decides_the_kernel_only_adds_4_1_5_26() {
    need_docker!();
    let mut g = Guard::new("rtcfgk");
    // The init drops to uid 1000 itself; docker exec still runs as root.
    let switched = g.run(
        "su",
        &[],
        &[
            "sh",
            "-c",
            "mkdir -p /etc && echo app:x:1000:1000::/:/bin/sh >> /etc/passwd && exec busybox su -s /bin/sh app -c 'exec busybox sleep 3600'",
        ],
    );
    // The init sets NoNewPrivs itself; exec sessions start without it.
    let nnp = g.run(
        "nnp",
        &[],
        &["busybox", "setpriv", "--nnp", "busybox", "sleep", "3600"],
    );
    let user = g.run("user", &["--user", "1000"], &[]);
    let r = scan("4.1,5.26", &[]);
    // Old code: the kernel view alone → PASS for both.
    r.assert_offender("4.1", &switched, "kernel: uid 1000");
    r.assert_offender("5.26", &nnp, "kernel: NoNewPrivs=1");
    r.assert_clean("4.1", &user);
}

/// Containers created through the Engine API with a `Config` of their own (the CLI refuses
/// these healthcheck forms), labelled, removed on drop.
struct ApiContainers(Vec<String>);

impl ApiContainers {
    fn create(&mut self, role: &str, config: serde_json::Value) -> String {
        let name = format!("dbt-rthc-{role}-{}", std::process::id());
        self.0.push(name.clone());
        let mut body = config;
        body["Image"] = support::IMAGE.into();
        let label = support::LABEL;
        body["Labels"] = serde_json::json!({ label: "rthc" });
        body["HostConfig"] = serde_json::json!({ "NetworkMode": "none" });
        let out = std::process::Command::new("curl")
            .args([
                "-sS",
                "--fail-with-body",
                "--unix-socket",
                "/var/run/docker.sock",
            ])
            .args(["-H", "Content-Type: application/json", "-X", "POST", "-d"])
            .arg(body.to_string())
            .arg(format!(
                "http://localhost/v1.41/containers/create?name={name}"
            ))
            .output()
            .expect("curl");
        assert!(
            out.status.success(),
            "API create {role}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        name
    }
}

impl Drop for ApiContainers {
    fn drop(&mut self) {
        for n in &self.0 {
            let _ = std::process::Command::new("docker")
                .args(["rm", "-f", n])
                .output();
        }
    }
}

#[test]
fn healthcheck_types_docker_ignores_and_unknown_joins_5_27_5_10() {
    need_docker!();
    // Never START a container with Test ["CMD"] alone (dockerd 20.10 panics): created only.
    let mut api = ApiContainers(Vec::new());
    let created: Vec<(&str, String)> = [
        ("none", serde_json::json!(["none"])),
        ("cmd", serde_json::json!(["cmd", "true"])),
        ("shell", serde_json::json!(["SHELL", "true"])),
        ("bare", serde_json::json!(["CMD"])),
    ]
    .into_iter()
    .map(|(role, test)| {
        let name = api.create(role, serde_json::json!({ "Healthcheck": { "Test": test } }));
        (role, name)
    })
    .collect();
    let mut g = Guard::new("rtjoin");
    let joined = g.create("joined", &[], &[]);
    let joiner = g.create(
        "joiner",
        &["--network", &format!("container:{joined}")],
        &[],
    );
    docker_ok(&["rm", "-f", &joined]);
    let r = scan("5.27,5.10", &["--all"]);
    // Old code: any first word but NONE counted as a healthcheck → PASS.
    for (role, name) in &created {
        let shown = r
            .finding("5.27", name)
            .unwrap_or_else(|| panic!("{role}: no finding"));
        assert!(
            shown.contains("unknown to Docker") || shown.contains("without a command"),
            "{role}: {shown}"
        );
    }
    // Old code: PASS for a stopped container joined to one that is gone; now a finding
    // for review (INFO: 5.10 lists it with `info_when`).
    r.assert_offender(
        "5.10",
        &joiner,
        "is unknown, so whether it uses the host's net namespace cannot be judged",
    );
}

#[test]
fn passwd_changed_in_the_containers_own_layer_4_1() {
    need_docker!();
    let mut g = Guard::new("rtcp");
    let app = g.create("app", &["--user", "app"], &[]);
    let dir = tempfile::tempdir().unwrap();
    let passwd = dir.path().join("passwd");
    std::fs::write(&passwd, "app:x:0:0::/:/bin/sh\n").unwrap();
    docker_ok(&[
        "cp",
        &passwd.display().to_string(),
        &format!("{app}:/etc/passwd"),
    ]);
    let r = scan("4.1", &["--all"]);
    // Old code: the image has no passwd, so `app` was unresolved and passed.
    r.assert_offender(
        "4.1",
        &app,
        "User=app (uid 0 in the container's /etc/passwd (changed in its writable layer))",
    );
}
