//! Hostile input and careless operation (issue 14): terminal injection, panics, secrets in
//! outputs, the lock file, unreadable facts and the exit policy. Each test failed on the code
//! before the fix it guards.
mod support;

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use support::dockbench;

const RISKY: &str = "tests/fixtures/snapshots/risky.json";
const FORMATS: [&str; 9] = [
    "text",
    "json",
    "html",
    "sarif",
    "junit",
    "csv",
    "markdown",
    "docker-bench",
    "prometheus",
];
/// ESC sequences that clear the screen, retitle the window and move the cursor up to
/// overwrite the line above, then a forged result; and bidi overrides.
const INJECT: &str =
    "\x1b[2J\x1b]0;pwned\x07\x1b[1A\r[PASS] 5.5 - forged\n[PASS] forged\u{202e}\u{9b}";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("dockbench")
}

fn risky() -> Value {
    serde_json::from_str(&std::fs::read_to_string(RISKY).unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, v.to_string()).unwrap();
    p.to_string_lossy().into_owned()
}

/// risky.json with attacker-chosen strings in every place a scanned host controls.
fn hostile() -> Value {
    let mut s = risky();
    s["host"]["Hostname"] = json!(format!("host{INJECT}"));
    s["host"]["OperatingSystem"] = json!(format!("Debian{INJECT}"));
    for c in s["containers"].as_array_mut().unwrap() {
        let name = c["Name"].as_str().unwrap().to_string();
        c["Name"] = json!(format!("{name}{INJECT}"));
        for m in c["Mounts"].as_array_mut().unwrap() {
            m["Source"] = json!(format!("/etc{INJECT}"));
        }
        for p in c["Processes"].as_array_mut().into_iter().flatten() {
            p["Args"] = json!(["sh", "-c", format!("sleep 1{INJECT}")]);
        }
    }
    s
}

fn assert_terminal_safe(what: &str, text: &str) {
    assert!(
        !text.chars().any(|c| (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
        "{what}: raw control or bidi character in {text:?}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("[PASS] forged") || l.starts_with("[PASS] 5.5 - forged")),
        "{what}: a forged result line"
    );
}

#[test]
fn kind1_scanned_strings_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let snap = write(dir.path(), "hostile.json", &hostile());
    let json_out = dir.path().join("r.json");
    let label = format!("label{INJECT}");
    let out = dockbench()
        .args(["scan", "--snapshot", &snap, "--benchmark"])
        .args([
            "cis-docker-1.6.0,dockbench-practices",
            "--host-label",
            &label,
        ])
        .arg("-o")
        .arg(format!("json={}", json_out.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\\e[2J"), "the escape is shown, visibly");
    assert_terminal_safe("scan text", &text);
    assert_terminal_safe("scan stderr", &String::from_utf8_lossy(&out.stderr));
    // The JSON keeps the data as it was (escaped by JSON's own rules).
    let saved = std::fs::read_to_string(&json_out).unwrap();
    assert!(saved.contains("\\u001b[2J"));
    // Re-rendered as text, and in a diff.
    let report = dockbench()
        .args(["report", "-f", "text"])
        .arg(&json_out)
        .output()
        .unwrap();
    assert_terminal_safe("report -f text", &String::from_utf8(report.stdout).unwrap());
    // CSV and Prometheus text are read in terminals too (`cat report.csv`).
    for format in ["csv", "prometheus", "markdown"] {
        let out = dockbench()
            .args(["report", "-f", format])
            .arg(&json_out)
            .output()
            .unwrap();
        assert_terminal_safe(
            &format!("report -f {format}"),
            &String::from_utf8(out.stdout).unwrap(),
        );
    }
    let diff = dockbench()
        .arg("diff")
        .arg(&json_out)
        .arg(&json_out)
        .output()
        .unwrap();
    assert_terminal_safe("diff", &String::from_utf8(diff.stdout).unwrap());
}

#[test]
fn kind1_error_messages_on_stderr_are_escaped() {
    let path = format!("/nonexistent/snap{INJECT}.json");
    let out = dockbench()
        .args(["scan", "--snapshot", &path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("\\e[2J"), "{err}");
    assert_terminal_safe("stderr", &err);
}

/// Every subcommand that prints, with the reader gone before it writes.
fn printing_commands(dir: &Path) -> Vec<Vec<String>> {
    let report = dir.join("r.json");
    let ok = dockbench()
        .args(["scan", "--snapshot", RISKY, "-q", "-o"])
        .arg(format!("json={}", report.display()))
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let r = report.to_string_lossy().into_owned();
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        v(&["scan", "--snapshot", RISKY]),
        v(&["scan", "--snapshot", RISKY, "-f", "json"]),
        v(&["report", &r, "-f", "html"]),
        v(&["diff", &r, &r]),
        v(&["checks", "list"]),
        v(&["checks", "list", "--benchmarks"]),
        v(&["checks", "show", "5.4"]),
        v(&["checks", "validate"]),
        v(&["schema"]),
        v(&["completions", "bash"]),
        v(&["man"]),
    ]
}

#[test]
fn kind2_a_closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for args in printing_commands(dir.path()) {
        let mut child = Command::new(bin())
            .args(&args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away at once, as `| head -0` would.
        drop(child.stdout.take());
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("internal error"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn kind2_a_full_disk_is_exit_4_with_a_message() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for args in printing_commands(dir.path()) {
        let out = Command::new(bin())
            .args(&args)
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {err}");
        assert!(
            err.contains("cannot write to standard output: No space left"),
            "{args:?}: {err}"
        );
    }
    // An output file on a full disk, too.
    let out = dockbench()
        .args(["scan", "--snapshot", RISKY, "-q", "-o", "json=/dev/full"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn kind2_multi_byte_values_do_not_panic_the_secret_detector() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = risky();
    s["images"][0]["Config"]["Env"] = json!(["X=AKIAaÉÉÉÉÉÉÉÉ", "P=sécrétsécrétsécrétsécrét€€"]);
    let snap = write(dir.path(), "s.json", &s);
    let out = dockbench()
        .args(["scan", "--snapshot", &snap, "--check", "4.10", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Known secrets planted in every place a value can come from.
const PLANTED: [&str; 8] = [
    "hunter2hunter2",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_0123456789abcdefghijABCDEFGHIJ012345",
    "s3cr3t-pw-in-args",
    "pw-in-url-4242",
    "health-pw-777",
    "label-secret-xyz",
    "history-token-abc",
];

fn with_secrets() -> Value {
    let mut s = risky();
    for c in s["containers"].as_array_mut().unwrap() {
        c["Config"]["Env"] = json!(["DB_PASSWORD=hunter2hunter2", "PATH=/bin"]);
        c["Config"]["Labels"] = json!({"api_token": "label-secret-xyz", "team": "web"});
        c["Config"]["Cmd"] = json!(["app", "--password=s3cr3t-pw-in-args"]);
        c["Config"]["Healthcheck"] =
            json!({"Test": ["CMD-SHELL", "curl -u admin --password health-pw-777 http://x"]});
        for p in c["Processes"].as_array_mut().into_iter().flatten() {
            p["Args"] = json!([
                "sh",
                "-c",
                "exec app --db postgres://app:pw-in-url-4242@db/app --password=s3cr3t-pw-in-args"
            ]);
        }
    }
    let img = &mut s["images"][0];
    img["Config"]["Env"] = json!(["KEY_ID=AKIAIOSFODNN7EXAMPLE"]);
    img["Config"]["Labels"] = json!({"SECRET": "label-secret-xyz"});
    img["History"][0]["CreatedBy"] = json!(
        "/bin/sh -c #(nop) ENV GH=ghp_0123456789abcdefghijABCDEFGHIJ012345 NPM_TOKEN=history-token-abc"
    );
    s
}

#[test]
fn kind5_planted_secrets_appear_in_no_format() {
    let dir = tempfile::tempdir().unwrap();
    let snap = write(dir.path(), "s.json", &with_secrets());
    let mut args = vec![
        "scan".to_string(),
        "--snapshot".into(),
        snap,
        "--benchmark".into(),
        "cis-docker-1.6.0,dockbench-practices".into(),
    ];
    for f in FORMATS {
        args.push("-o".into());
        args.push(format!(
            "{f}={}",
            dir.path().join(format!("out.{f}")).display()
        ));
    }
    let out = dockbench().args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut texts = vec![("stdout".to_string(), String::from_utf8(out.stdout).unwrap())];
    for f in FORMATS {
        let p = dir.path().join(format!("out.{f}"));
        texts.push((f.to_string(), std::fs::read_to_string(&p).unwrap()));
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{f} report mode");
    }
    for (what, text) in &texts {
        for secret in PLANTED {
            assert!(!text.contains(secret), "{secret} in {what}");
        }
    }
    // 4.10 still finds them, naming the rule; and the redaction is visible in evidence.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    let r = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "4.10")
        .unwrap();
    assert_eq!(r["status"], "WARN");
    let evidence = r["findings"][0]["value"].as_str().unwrap();
    assert!(
        evidence.contains("KEY_ID: value looks like an AWS access key ID"),
        "{evidence}"
    );
    assert!(
        evidence.contains("NPM_TOKEN: the key names a secret"),
        "{evidence}"
    );
}

#[test]
fn kind5_a_collected_snapshot_holds_no_secret_and_is_0600() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    copy_tree(Path::new("tests/fixtures/roots/normal"), &root);
    let containers = root.join("var/lib/docker/containers");
    for entry in std::fs::read_dir(&containers).unwrap() {
        let p = entry.unwrap().path().join("config.v2.json");
        let mut c: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        c["Config"]["Env"] = json!(["DB_PASSWORD=hunter2hunter2"]);
        c["Config"]["Labels"] = json!({"api_token": "label-secret-xyz"});
        c["Config"]["Cmd"] = json!(["app", "--password=s3cr3t-pw-in-args"]);
        c["Config"]["Healthcheck"] =
            json!({"Test": ["CMD", "check", "--password", "health-pw-777"]});
        std::fs::write(&p, c.to_string()).unwrap();
    }
    let snap = dir.path().join("snap.json");
    let out = dockbench()
        .args(["collect", "--root"])
        .arg(&root)
        .arg("-o")
        .arg(&snap)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&snap).unwrap();
    for secret in PLANTED {
        assert!(!text.contains(secret), "{secret} in the snapshot");
    }
    assert!(text.contains("DB_PASSWORD=<redacted: the key names a secret>"));
    let mode = std::fs::metadata(&snap).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

pub fn copy_tree(from: &Path, to: &Path) {
    let ok = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn kind6_a_planted_lock_symlink_does_not_truncate_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join(".dockbench.lock")).unwrap();
    let out = dockbench()
        .args(["scan", "--snapshot", RISKY, "-q", "-o"])
        .arg(format!("json={}", dir.path().join("r.json").display()))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    // An explicit --lock that is a link is a usage error.
    let out = dockbench()
        .args(["scan", "--snapshot", RISKY, "-q", "--lock"])
        .arg(dir.path().join(".dockbench.lock"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
}

#[test]
fn kind8_a_selection_of_nothing_is_a_usage_error() {
    let out = dockbench()
        .args([
            "scan",
            "--snapshot",
            RISKY,
            "--check",
            "5",
            "--skip",
            "5",
            "--fail-on",
            "warn",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("leaves no check to run"));
}

#[test]
fn kind8_two_outputs_to_one_path_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("r.out");
    let out = dockbench()
        .current_dir(dir.path())
        .args(["scan", "--snapshot"])
        .arg(std::fs::canonicalize(RISKY).unwrap())
        .arg("-o")
        .arg(format!("json={}", a.display()))
        .args(["-o", "csv=./r.out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("given twice"));
    assert!(!a.exists());
}

#[test]
fn kind8_a_failing_gate_says_why_even_when_quiet() {
    let out = dockbench()
        .args(["scan", "--snapshot", RISKY, "-q", "--fail-on", "warn"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("exit code 1:") && err.contains("at or above --fail-on warn"),
        "{err}"
    );
    let out = dockbench()
        .args(["scan", "--snapshot", RISKY, "-q", "--min-score", "1000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("below --min-score 1000"));
    // A passing gate prints nothing.
    let out = dockbench()
        .args(["scan", "--snapshot", RISKY, "-q", "--min-score", "-1000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
}

const LAYER1: &str =
    "var/lib/docker/overlay2/dddd000000000000000000000000000000000000000000000000000000000001/diff";

/// A copy of the normal clone-host fixture, readable by any user (for the non-root cases).
fn clone_root(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let root = dir.path().join(name);
    copy_tree(Path::new("tests/fixtures/roots/normal"), &root);
    (dir, root)
}

fn scan_clone(root: &Path, extra: &[&str]) -> support::Report {
    let r = root.to_string_lossy().into_owned();
    let mut args = vec!["scan", "--root", r.as_str(), "-a", "--all-images"];
    args.extend(extra);
    support::report_of(&args)
}

fn setuid_evidence(report: &support::Report) -> String {
    report.result("4.8").to_string()
}

#[test]
fn kind3_layer_links_out_of_the_clone_never_reach_the_scanners_files() {
    let (_dir, root) = clone_root("clone");
    let layer = root.join(LAYER1);
    // The layer directory itself is a link to "/" (the clone's root, not ours), and a
    // directory inside it is a link loop.
    std::fs::rename(&layer, root.join("moved")).unwrap();
    std::os::unix::fs::symlink("/", &layer).unwrap();
    std::os::unix::fs::symlink("loop2", root.join("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", root.join("loop2")).unwrap();
    let report = scan_clone(&root, &[]);
    let ev = setuid_evidence(&report);
    for ours in ["/usr/bin/su", "/usr/bin/passwd", "/usr/bin/mount"] {
        assert!(!ev.contains(ours), "the scanner's {ours} reported: {ev}");
    }
    // The case: the clone's /usr links to /usr (a loop inside the clone, a real
    // directory on the scanning machine) and the layer links to /usr. Resolved in the clone
    // it is a loop (ERROR with the reason); resolved by the kernel outside it, it was the
    // scanner's own /usr with its setuid su, passwd and mount.
    std::fs::remove_file(&layer).unwrap();
    std::fs::remove_dir_all(root.join("usr")).unwrap();
    std::os::unix::fs::symlink("/usr", root.join("usr")).unwrap();
    std::os::unix::fs::symlink("/usr", &layer).unwrap();
    let report = scan_clone(&root, &[]);
    let ev = setuid_evidence(&report);
    for ours in ["/bin/su", "/bin/passwd", "/bin/mount"] {
        assert!(!ev.contains(ours), "the scanner's {ours} reported: {ev}");
    }
    assert_eq!(report.status("4.8"), "ERROR", "{ev}");
    assert!(ev.contains("Too many levels of symbolic links"), "{ev}");
}

fn container_dir(root: &Path) -> PathBuf {
    root.join("var/lib/docker/containers/a000000000000000000000000000000000000000000000000000000000000001")
}

#[test]
fn kind3_fifos_and_devices_where_files_belong_are_errors_not_hangs() {
    let (_dir, root) = clone_root("clone");
    let c = container_dir(&root);
    std::fs::remove_file(c.join("config.v2.json")).unwrap();
    let made = Command::new("mkfifo")
        .arg(c.join("config.v2.json"))
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::remove_file(c.join("hostconfig.json")).unwrap();
    // A /dev/zero lookalike (as root; else a second FIFO).
    let zero = Command::new("mknod")
        .arg(c.join("hostconfig.json"))
        .args(["c", "1", "5"])
        .status()
        .is_ok_and(|s| s.success());
    if !zero {
        Command::new("mkfifo")
            .arg(c.join("hostconfig.json"))
            .status()
            .unwrap();
    }
    std::fs::remove_file(root.join("etc/docker/daemon.json")).unwrap();
    Command::new("mkfifo")
        .arg(root.join("etc/docker/daemon.json"))
        .status()
        .unwrap();
    let started = std::time::Instant::now();
    let r = root.to_string_lossy().into_owned();
    let out = dockbench()
        .args(["scan", "--root", &r, "-a", "-f", "json"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(started.elapsed().as_secs() < 60, "the scan hung");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("not a regular file (a FIFO)"), "{text}");
}

#[test]
fn kind3_stray_entries_under_containers_are_not_containers() {
    let (_dir, root) = clone_root("clone");
    let before = scan_clone(&root, &[]).0["containers_scanned"].clone();
    let cs = root.join("var/lib/docker/containers");
    std::fs::write(cs.join("README"), "x").unwrap();
    std::fs::create_dir(cs.join("empty")).unwrap();
    Command::new("mkfifo")
        .arg(cs.join("fifo"))
        .status()
        .unwrap();
    // A non-ASCII name whose 12th byte is inside a character, with corrupt files: kept as
    // a broken container (ERROR), never a panic.
    let odd = cs.join("aaaaaaaaaaaé-odd");
    std::fs::create_dir(&odd).unwrap();
    std::fs::write(odd.join("config.v2.json"), "{not json").unwrap();
    std::fs::write(odd.join("hostconfig.json"), "{}").unwrap();
    let report = scan_clone(&root, &[]);
    assert_eq!(
        report.0["containers_scanned"].as_i64().unwrap(),
        before.as_i64().unwrap() + 1
    );
    assert!(report.0.to_string().contains("aaaaaaaaaaa"));
}

#[test]
fn kind3_a_root_path_with_a_colon_scans_the_same() {
    let (_dir, plain) = clone_root("clone");
    let (_dir2, colon) = clone_root("clone:2026-12-01");
    let strip = |r: support::Report| {
        let mut v = r.0["results"].clone();
        for r in v.as_array_mut().unwrap() {
            r["reason"] = Value::Null;
        }
        v.to_string().replace(":2026-12-01", "")
    };
    let a = strip(scan_clone(&plain, &[]));
    let b = strip(scan_clone(&colon, &[]));
    assert_eq!(a, b);
    assert!(!b.contains("cannot read layer"), "{b}");
}

/// Runs dockbench as `nobody` (the unreadable cases: root reads everything).
fn scan_as_nobody(root: &Path, extra: &[&str]) -> Option<support::Report> {
    if !rustix::process::geteuid().is_root()
        || Command::new("setpriv").arg("--help").output().is_err()
    {
        return None;
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(bin())
        .args(["scan", "--root"])
        .arg(root)
        .args(["-a", "--all-images", "-f", "json"])
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(support::Report(
        serde_json::from_slice(&out.stdout).unwrap(),
    ))
}

#[test]
fn kind7_an_unreadable_layer_directory_is_an_error_not_a_pass() {
    let (_dir, root) = clone_root("clone");
    let secret_dir = root.join(LAYER1).join("usr/sbin");
    std::fs::create_dir_all(&secret_dir).unwrap();
    std::fs::write(secret_dir.join("suid"), "x").unwrap();
    std::fs::set_permissions(
        secret_dir.join("suid"),
        std::fs::Permissions::from_mode(0o4755),
    )
    .unwrap();
    std::fs::set_permissions(&secret_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let Some(report) = scan_as_nobody(&root, &["--check", "4.8"]) else {
        return;
    };
    assert_eq!(report.status("4.8"), "ERROR");
    assert!(
        setuid_evidence(&report).contains("usr/sbin"),
        "{}",
        setuid_evidence(&report)
    );
}

#[test]
fn kind7_an_unreadable_drop_in_directory_is_not_the_default() {
    let (_dir, root) = clone_root("clone");
    let d = root.join("etc/systemd/system/docker.service.d");
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    let Some(report) = scan_as_nobody(&root, &["--check", "2.15,2.16"]) else {
        return;
    };
    for id in ["2.15", "2.16"] {
        assert_eq!(report.status(id), "ERROR", "{id}: {}", report.result(id));
        assert!(report.result(id).to_string().contains("docker.service.d"));
    }
}

#[test]
fn kind7_an_invalid_daemon_json_naming_a_data_root_stops_the_scan() {
    let (_dir, root) = clone_root("clone");
    std::fs::write(
        root.join("etc/docker/daemon.json"),
        "{\"data-root\": \"/srv/docker\", \"icc\": false,,}",
    )
    .unwrap();
    let out = dockbench()
        .args(["scan", "--root"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sets a data root"), "{err}");
}

#[test]
fn kind7_a_stray_byte_in_group_is_read_lossily() {
    let (_dir, root) = clone_root("clone");
    let mut group = std::fs::read(root.join("etc/group")).unwrap();
    group.extend_from_slice(b"odd\xff:x:4000:\n");
    std::fs::write(root.join("etc/group"), group).unwrap();
    let report = scan_clone(&root, &["--check", "1.1.2"]);
    assert_ne!(
        report.status("1.1.2"),
        "ERROR",
        "{}",
        report.result("1.1.2")
    );
}
