//! Live tests of the dockbench-practices facts and checks, and of the CIS checks we
//! automate, against this machine's Docker daemon: containers (and images) with exactly
//! the property under test, labelled and removed afterwards; judged from the JSON report by
//! the names of this test's own objects (other tests share the daemon).
mod support;

use std::process::{Command, Stdio};

use support::{Guard, docker, docker_ok, report_of, require_docker};

macro_rules! need_docker {
    () => {
        if !require_docker() {
            return;
        }
    };
}

/// A live scan of `checks` of both benchmarks with `extra` flags. DP.3.2 and DP.5.1 are
/// always added: a test container runs by tag or keeps its capabilities, so together they
/// show the scan saw it (see `Report::assert_clean`).
fn scan(checks: &str, extra: &[&str]) -> support::Report {
    let checks = format!("{checks},DP.3.2,DP.5.1");
    let mut args = vec![
        "scan",
        "--benchmark",
        "cis-docker-1.6.0,dockbench-practices",
        "--check",
        &checks,
    ];
    args.extend(extra);
    report_of(&args)
}

#[test]
fn oom_killed_container_and_unlimited_neighbour() {
    need_docker!();
    let mut g = Guard::new("pr-oom");
    // A string that doubles until the 8 MB limit (no swap) is hit: the kernel OOM-kills it.
    let hog = g.run(
        "hog",
        &["--memory", "8m", "--memory-swap", "8m"],
        &[
            "sh",
            "-c",
            "x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done",
        ],
    );
    let code = docker_ok(&["wait", &hog]);
    assert_eq!(code, "137", "the hog was not killed");
    let unlimited = g.run("unlimited", &[], &[]);
    let limited = g.run("limited", &["--memory", "64m"], &[]);
    let r = scan("DP.1", &["--all"]);
    // Docker sets OOMKilled from the kernel's OOM event, which it can miss under load (the
    // container still exits 137): the verdict follows what Docker recorded.
    let oom = docker_ok(&["inspect", "-f", "{{.State.OOMKilled}}", &hog]);
    let expected = if oom == "true" {
        "OOMKilled (exit code 137"
    } else {
        "killed (137): SIGKILL without OOMKilled"
    };
    r.assert_offender("DP.1.1", &hog, expected);
    r.assert_clean("DP.1.1", &unlimited);
    r.assert_offender("DP.1.2", &unlimited, "OOM-killed on this host: ");
    assert!(r.finding("DP.1.2", &unlimited).unwrap().contains(&hog));
    r.assert_clean("DP.1.2", &limited);
}

#[test]
fn pid1_shell_wrapper_zombies_and_programs() {
    need_docker!();
    let mut g = Guard::new("pr-pid1");
    // busybox sh execs a lone command itself; a second command keeps the shell as PID 1.
    let wrapper = g.run("wrapper", &[], &["sh", "-c", "sleep 3600; echo done"]);
    let with_init = g.run("init", &["--init"], &["sh", "-c", "sleep 3600; echo done"]);
    // `sleep 0` exits while its parent has become `sleep 3600`, which never reaps it.
    let zombie = g.run("zombie", &[], &["sh", "-c", "sleep 0 & exec sleep 3600"]);
    let plain = g.run("plain", &[], &[]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let r = scan("DP.4", &[]);
    r.assert_offender(
        "DP.4.1",
        &wrapper,
        "PID 1: sh -c sleep 3600; echo done (no --init)",
    );
    r.assert_clean("DP.4.1", &with_init);
    r.assert_clean("DP.4.1", &plain);
    r.assert_offender("DP.4.2", &zombie, "1 zombie process(es): sleep");
    r.assert_clean("DP.4.2", &plain);
    r.assert_clean("DP.4.3", &plain);
}

#[test]
fn logs_volumes_capabilities_and_read_only() {
    need_docker!();
    let mut g = Guard::new("pr-misc");
    let plain = g.run("plain", &["--cap-drop", "ALL"], &[]);
    let anon = g.run("anon", &["-v", "/data"], &[]);
    let ptrace = g.run("ptrace", &["--cap-add", "SYS_PTRACE"], &[]);
    let ro = g.run("ro", &["--read-only", "--tmpfs", "/tmp"], &[]);
    let local = g.run("local", &["--log-driver", "local"], &[]);
    let r = scan("DP.2.2,DP.2.4,DP.2.5,DP.5", &[]);
    r.assert_offender("DP.2.5", &anon, "anonymous volumes at: /data");
    r.assert_clean("DP.2.5", &plain);
    r.assert_offender("DP.5.2", &ptrace, "capabilities: CAP_SYS_PTRACE");
    r.assert_clean("DP.5.2", &plain);
    r.assert_offender("DP.5.1", &ptrace, "ALL not dropped");
    r.assert_clean("DP.5.1", &plain);
    r.assert_offender("DP.5.3", &ro, "without a writable mount at: /run, /var/tmp");
    r.assert_clean("DP.2.2", &local);
    // The writable layer size comes from /system/df: evaluated, not an error.
    r.assert_clean("DP.2.4", &plain);
    // Whatever this shared daemon holds, the reclaimable space was read.
    let r = scan("DP.2.3", &[]);
    let disk = r.result("DP.2.3");
    assert!(
        matches!(disk["status"].as_str(), Some("PASS" | "WARN")),
        "{disk:#}"
    );
    assert!(disk.to_string().contains("reclaimable "), "{disk:#}");
}

#[test]
fn latest_tag_and_digest_pinning() {
    need_docker!();
    let mut g = Guard::new("pr-tag");
    let repo = format!("dbt-pr-latest-{}", std::process::id());
    docker_ok(&["tag", support::IMAGE, &format!("{repo}:latest")]);
    let _untag = Untag(format!("{repo}:latest"));
    // Only a created container: the reference as given is what counts.
    let untagged = g.create("untagged", &[], &[]);
    let latest = g.name("latest");
    let id = docker_ok(&["image", "inspect", "-f", "{{.Id}}", support::IMAGE]);
    let out = docker(&[
        "create",
        "--name",
        &latest,
        "--label",
        "dockbench.test=pr-tag",
        "--network",
        "none",
        &repo,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _rm = Remove(latest.clone());
    let by_id = g.name("byid");
    docker_ok(&[
        "create",
        "--name",
        &by_id,
        "--label",
        "dockbench.test=pr-tag",
        "--network",
        "none",
        &id,
    ]);
    let _rm2 = Remove(by_id.clone());
    let r = scan("DP.3.1,DP.3.2", &["--all"]);
    r.assert_offender("DP.3.1", &latest, &format!("{repo} (no tag: latest)"));
    r.assert_clean("DP.3.1", &untagged);
    r.assert_offender("DP.3.2", &untagged, "by tag, not by digest");
    r.assert_clean("DP.3.2", &by_id);
}

/// Removes an image tag when dropped (the image itself stays: it has other tags).
struct Untag(String);
impl Drop for Untag {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rmi", &self.0])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Removes a container when dropped.
struct Remove(String);
impl Drop for Remove {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", "-v", &self.0])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

const SECRET: &str = "Pl4nt3dLiveS3cretValue";

/// Imports a one-layer image: busybox plus a setuid copy at /bin/passwd, a password in
/// ENV and a token in a LABEL.
fn import_risky_image(tag: &str) {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::create_dir_all(r.join("bin")).unwrap();
    std::fs::copy("/bin/busybox", r.join("bin/busybox")).unwrap();
    std::os::unix::fs::symlink("busybox", r.join("bin/sleep")).unwrap();
    std::os::unix::fs::symlink("busybox", r.join("bin/nc")).unwrap();
    std::fs::copy("/bin/busybox", r.join("bin/passwd")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        r.join("bin/passwd"),
        std::fs::Permissions::from_mode(0o4755),
    )
    .unwrap();
    let mut tar = Command::new("tar")
        .arg("-C")
        .arg(r)
        .args(["-c", "."])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = Command::new("docker")
        .args([
            "import",
            "--change",
            r#"CMD ["sleep","3600"]"#,
            "--change",
            &format!("ENV DB_PASSWORD={SECRET}"),
            "--change",
            &format!("LABEL api.token={SECRET}"),
            "--change",
            "LABEL dockbench.test=pr-image",
            "-",
            tag,
        ])
        .stdin(tar.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(tar.wait().unwrap().success());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn setuid_tools_and_secrets_in_a_local_image() {
    need_docker!();
    if !std::path::Path::new("/bin/busybox").exists() {
        eprintln!("SKIPPED: /bin/busybox is missing");
        return;
    }
    let tag = format!("dbt-pr-image-{}:1", std::process::id());
    import_risky_image(&tag);
    let _untag = Untag(tag.clone());
    let g = Guard::new("pr-image");
    let name = g.name("risky");
    docker_ok(&[
        "run",
        "-d",
        "--name",
        &name,
        "--label",
        "dockbench.test=pr-image",
        "--network",
        "none",
        &tag,
    ]);
    let _rm = Remove(name.clone());
    let driver = docker_ok(&["info", "-f", "{{.Driver}}"]);
    let out = support::dockbench()
        .args(["scan", "--check", "4.3,4.8,4.10", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(SECRET), "the secret value is in the report");
    let r = support::Report(serde_json::from_str(&text).unwrap());
    r.assert_offender(
        "4.10",
        &tag,
        "ENV DB_PASSWORD: the key names a secret (value redacted)",
    );
    r.assert_offender(
        "4.10",
        &tag,
        "LABEL api.token: the key names a secret (value redacted)",
    );
    if matches!(driver.as_str(), "overlay2" | "fuse-overlayfs") {
        r.assert_offender("4.8", &tag, "/bin/passwd (4755)");
        r.assert_offender("4.3", &tag, "/bin/nc");
    } else {
        assert_eq!(r.status("4.8"), "ERROR", "storage driver {driver}");
    }
}
