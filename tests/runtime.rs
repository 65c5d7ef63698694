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
