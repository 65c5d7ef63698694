//! Unattended runs: the run lock between two real processes (exit code 5, the holder's PID,
//! --wait-lock), atomic outputs, the host identity block and --host-label, completions and the
//! man page.
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use predicates::prelude::*;

const SNAPSHOT: &str = "tests/fixtures/snapshots/risky.json";
const REPORT: &str = "tests/fixtures/reports/risky-report.json";

fn dockbench() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("dockbench").unwrap();
    cmd.env_remove("DOCKER_HOST").env("NO_COLOR", "1");
    cmd
}

/// A dockbench run that holds the lock of `dir` until its standard input is closed:
/// `report -` takes the lock of its outputs, then reads the report from stdin.
struct Holder(Child);

impl Holder {
    fn start(lock: &Path, out: &Path) -> Holder {
        let child = Command::cargo_bin("dockbench")
            .unwrap()
            .args(["report", "-", "-q", "--lock"])
            .arg(lock)
            .arg("-o")
            .arg(format!("json={}", out.display()))
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The holder writes its PID into the lock file once it holds the lock.
        let pid = child.id().to_string();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::fs::read_to_string(lock).unwrap_or_default().trim() != pid {
            assert!(Instant::now() < deadline, "the holder never took the lock");
            std::thread::sleep(Duration::from_millis(20));
        }
        Holder(child)
    }

    /// Feeds the saved report and waits: the holder finishes normally.
    fn finish(mut self) {
        let mut stdin = self.0.stdin.take().unwrap();
        stdin.write_all(&std::fs::read(REPORT).unwrap()).unwrap();
        drop(stdin);
        let out = self.0.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn overlapping_run_exits_5_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join(".dockbench.lock");
    let holder = Holder::start(&lock, &dir.path().join("held.json"));
    let pid = holder.0.id();

    // Same directory, default lock file: refused at once (a run that waited would be killed
    // by the timeout: the holder never ends by itself), with the holder's PID.
    dockbench()
        .timeout(Duration::from_secs(60))
        .args(["scan", "--snapshot", SNAPSHOT, "-q", "-o"])
        .arg(format!("json={}", dir.path().join("r.json").display()))
        .assert()
        .code(5)
        .stderr(
            predicate::str::contains(format!("(PID {pid})"))
                .and(predicate::str::contains(".dockbench.lock"))
                .and(predicate::str::contains("--wait-lock")),
        );
    assert!(!dir.path().join("r.json").exists(), "nothing written");

    // A run that writes no file takes no lock.
    dockbench()
        .args(["scan", "--snapshot", SNAPSHOT, "-q"])
        .assert()
        .code(0);
    // Another directory has its own lock.
    let other = tempfile::tempdir().unwrap();
    dockbench()
        .args(["scan", "--snapshot", SNAPSHOT, "-q", "-o"])
        .arg(format!("json={}", other.path().join("r.json").display()))
        .assert()
        .code(0);
    // collect takes the lock too.
    dockbench()
        .args(["collect", "--lock"])
        .arg(&lock)
        .args(["--host", "unix:///nonexistent.sock", "-o"])
        .arg(dir.path().join("snap.json"))
        .assert()
        .code(5);

    holder.finish();
    assert!(dir.path().join("held.json").exists());
    // Released when the holder exited: the next run goes through.
    dockbench()
        .args(["scan", "--snapshot", SNAPSHOT, "-q", "-o"])
        .arg(format!("json={}", dir.path().join("r.json").display()))
        .assert()
        .code(0);
}

#[test]
fn wait_lock_waits_for_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("run.lock");
    let holder = Holder::start(&lock, &dir.path().join("held.json"));
    let out = dir.path().join("r.txt");
    let waiter = Command::cargo_bin("dockbench")
        .unwrap()
        .args([
            "scan",
            "--snapshot",
            SNAPSHOT,
            "-q",
            "--wait-lock",
            "30",
            "--lock",
        ])
        .arg(&lock)
        .arg("-o")
        .arg(format!("text={}", out.display()))
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        !out.exists(),
        "the waiter must not run while the lock is held"
    );
    holder.finish();
    let status = waiter.wait_with_output().unwrap().status;
    assert_eq!(status.code(), Some(0));
    assert!(std::fs::read_to_string(&out).unwrap().contains("Score:"));
}

#[test]
fn explicit_lock_that_cannot_be_opened_is_a_usage_error() {
    dockbench()
        .args(["scan", "--snapshot", SNAPSHOT, "-q"])
        .args(["--lock", "/nonexistent-dir/dockbench.lock"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot open the lock file"));
    // The default lock beside an unwritable output only warns; the output fails with 4.
    dockbench()
        .args(["scan", "--snapshot", SNAPSHOT, "-q"])
        .args(["-o", "json=/nonexistent-dir/r.json"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("running without a lock"));
}

#[test]
fn a_device_output_takes_no_default_lock() {
    dockbench()
        .args(["scan", "--snapshot", SNAPSHOT, "-q", "-o", "json=/dev/null"])
        .assert()
        .code(0);
    assert!(!Path::new("/dev/.dockbench.lock").exists());
}

#[test]
fn outputs_replace_files_whole_and_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    std::fs::write(&json, "old").unwrap();
    std::fs::set_permissions(&json, std::fs::Permissions::from_mode(0o640)).unwrap();
    let held = std::fs::File::open(&json).unwrap();
    dockbench()
        .args(["scan", "--snapshot", SNAPSHOT, "-q", "-o"])
        .arg(format!("json={}", json.display()))
        .arg("-o")
        .arg(format!("html={}", dir.path().join("r.html").display()))
        .assert()
        .code(0);
    // A reader that opened the old file still reads it whole: the new one was renamed in.
    assert_eq!(std::io::read_to_string(held).unwrap(), "old");
    let meta = std::fs::metadata(&json).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    let html = dir.path().join("r.html");
    assert_eq!(
        std::fs::metadata(&html).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // No temporary file left; the lock file stays (removing it would race with a waiter).
    assert_eq!(names, [".dockbench.lock", "r.html", "r.json"]);
}

#[test]
fn host_identity_and_label_reach_every_format() {
    let scan = |format: &str| {
        let out = dockbench()
            .args(["scan", "--snapshot", SNAPSHOT, "--format", format])
            .args(["--host-label", "fleet-eu-7 <db>"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let report: serde_json::Value = serde_json::from_str(&scan("json")).unwrap();
    let host = &report["host"];
    assert_eq!(host["label"], "fleet-eu-7 <db>");
    assert_eq!(host["hostname"], "vm");
    assert_eq!(host["machine_id"], "3d1219c7c4c5404aaa1f6d2a48adfda4");
    assert!(!host["engine_id"].as_str().unwrap().is_empty());
    assert!(host.get("engine_name").is_some());

    let text = scan("text");
    assert!(
        text.contains("label fleet-eu-7 <db> · machine-id 3d1219c7c4c5404aaa1f6d2a48adfda4"),
        "{text}"
    );
    assert!(scan("html").contains("<dd>fleet-eu-7 &lt;db&gt;</dd>"));
    assert!(scan("markdown").contains("Host identity: label fleet-eu-7 &lt;db&gt; · machine-id"));
    assert!(
        scan("junit").contains(r#"<property name="host_label" value="fleet-eu-7 &lt;db&gt;"/>"#)
    );
    let sarif: serde_json::Value = serde_json::from_str(&scan("sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["properties"]["host"]["label"],
        "fleet-eu-7 <db>"
    );
    assert_eq!(sarif["runs"][0]["invocations"][0]["machine"], "vm");
}

/// A report saved before the identity block grew (no engine_name, no label) still reads.
#[test]
fn older_reports_without_the_new_identity_fields_still_render() {
    let mut old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(REPORT).unwrap()).unwrap();
    let host = old["host"].as_object_mut().unwrap();
    host.remove("engine_name");
    host.remove("label");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.json");
    std::fs::write(&path, old.to_string()).unwrap();
    dockbench()
        .arg("report")
        .arg(&path)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("machine-id"));
}

const SUBCOMMANDS: [&str; 7] = [
    "scan",
    "collect",
    "checks",
    "report",
    "schema",
    "completions",
    "man",
];

#[test]
fn completions_know_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = dockbench().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(script.contains("wait-lock"), "{shell}: scan flags");
    }
    dockbench().args(["completions", "tcsh"]).assert().code(2);
    // bash accepts what it generates.
    if Path::new("/bin/bash").exists() {
        let out = dockbench().args(["completions", "bash"]).output().unwrap();
        let mut bash = Command::new("bash")
            .args(["-n"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        bash.stdin.take().unwrap().write_all(&out.stdout).unwrap();
        assert!(bash.wait().unwrap().success());
    }
}

#[test]
fn man_page_documents_every_subcommand_and_flag() {
    let out = dockbench().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH dockbench"),
        "roff"
    );
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("DOCKBENCH {}", sub.to_uppercase())),
            "no section for {sub}"
        );
    }
    for flag in ["wait\\-lock", "host\\-label", "include\\-self", "fail\\-on"] {
        assert!(page.contains(flag), "man page lacks {flag}");
    }
    assert!(
        page.contains("another dockbench run holds the lock"),
        "exit codes"
    );
}
