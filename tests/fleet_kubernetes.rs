//! contrib/kubernetes: the manifests validated against the Kubernetes schemas (kubernetes-validate
//! from PyPI, which ships them — no cluster, no download), their lock-down asserted, and the
//! collect-in-a-container path run for real: `docker run` with the DaemonSet's own host mounts
//! and security settings collects a snapshot, and the CronJob's merge evaluates it, also in a
//! container. The image is imported from the built binary and its libraries (no registry).
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const DIR: &str = "contrib/kubernetes";
const MANIFESTS: [&str; 3] = [
    "namespace.yaml",
    "daemonset-collect.yaml",
    "cronjob-merge.yaml",
];
const LABEL: &str = "dockbench.test=fleet_kubernetes";

fn validator() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("DOCKBENCH_ANSIBLE_BIN") {
        dirs.push(d.into());
    }
    dirs.push("/opt/dockbench-ci-venv/bin".into());
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    let found = dirs
        .into_iter()
        .map(|d| d.join("kubernetes-validate"))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: kubernetes-validate is needed (pip install kubernetes-validate)"
        );
        eprintln!("skipped: no kubernetes-validate (pip install kubernetes-validate)");
    }
    found
}

fn validate(bin: &Path, files: &[PathBuf]) -> (bool, String) {
    let out = Command::new(bin)
        .args(["--kubernetes-version", "1.33.0", "--strict"])
        .args(files)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn manifests_validate_against_the_kubernetes_schemas() {
    let Some(bin) = validator() else { return };
    let files: Vec<PathBuf> = MANIFESTS.iter().map(|m| Path::new(DIR).join(m)).collect();
    let (ok, log) = validate(&bin, &files);
    assert!(ok, "{log}");
    assert_eq!(log.matches("passed for resource").count(), 10, "{log}");
    // The validator can fail: a misspelt field is rejected.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&files[1]).unwrap();
    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        text.replace("readOnlyRootFilesystem", "readOnlyRootFileSystem"),
    )
    .unwrap();
    let (ok, log) = validate(&bin, &[broken]);
    assert!(!ok, "a misspelt field passed: {log}");
}

/// The collector's host paths (hostPath volumes), as the DaemonSet lists them.
fn host_paths(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .filter_map(|l| {
            let at = l.find("hostPath: {path: ")?;
            let rest = &l[at + "hostPath: {path: ".len()..];
            Some(rest[..rest.find(',')?].to_string())
        })
        .collect()
}

#[test]
fn the_collector_is_locked_down() {
    let ds = std::fs::read_to_string(Path::new(DIR).join("daemonset-collect.yaml")).unwrap();
    for needle in [
        "hostPID: true",
        "privileged: false",
        "allowPrivilegeEscalation: false",
        "readOnlyRootFilesystem: true",
        "drop: [ALL]",
        "add: [DAC_READ_SEARCH, SYS_PTRACE]",
        "type: RuntimeDefault",
        "automountServiceAccountToken: false",
        "limits:",
    ] {
        assert!(ds.contains(needle), "daemonset lacks {needle}");
    }
    assert!(!ds.contains("hostNetwork: true"));
    // Every host mount is read-only, mounted where it is on the host.
    let paths = host_paths(&ds);
    assert!(paths.len() >= 10, "{paths:?}");
    for p in &paths {
        let line = ds
            .lines()
            .find(|l| l.contains(&format!("mountPath: {p},")))
            .unwrap_or_else(|| panic!("{p} is not mounted at its own path"));
        assert!(line.contains("readOnly: true"), "{line}");
    }
    // Not all of /etc or /var/lib (the kubelet's credentials live there).
    assert!(!paths.iter().any(|p| p == "/etc" || p == "/var/lib"));
    let cj = std::fs::read_to_string(Path::new(DIR).join("cronjob-merge.yaml")).unwrap();
    assert!(cj.contains("drop: [ALL]") && cj.contains("readOnly: true"));
}

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker").args(args).output().unwrap()
}

/// The image: the binary and the shared libraries it links, nothing else.
fn import_image(tag: &str) {
    let bin = Path::new(env!("CARGO_BIN_EXE_dockbench"));
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::create_dir_all(r.join("opt/dockbench")).unwrap();
    std::fs::create_dir_all(r.join("tmp")).unwrap();
    std::fs::copy(bin, r.join("opt/dockbench/dockbench")).unwrap();
    let ldd = Command::new("ldd").arg(bin).output().unwrap();
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
        let lib = line
            .split("=>")
            .last()
            .and_then(|s| s.split_whitespace().next())
            .filter(|s| s.starts_with('/'));
        if let Some(lib) = lib {
            let dest = r.join(lib.trim_start_matches('/'));
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::copy(lib, &dest).unwrap();
        }
    }
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
            r#"ENTRYPOINT ["/opt/dockbench/dockbench"]"#,
            "--change",
        ])
        .arg(format!("LABEL {LABEL}"))
        .args(["-", tag])
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

struct Cleanup(String);
impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rmi", "-f", &self.0])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[test]
fn collect_in_a_container_with_the_daemonset_mounts_then_merge() {
    let ready = docker(&["info", "--format", "{{.ID}}"]);
    if !ready.status.success() {
        assert!(std::env::var_os("CI").is_none(), "CI: Docker is required");
        eprintln!("skipped: no Docker");
        return;
    }
    let engine_id = String::from_utf8_lossy(&ready.stdout).trim().to_string();
    let tag = format!("dockbench-test/fleet-k8s:{}", std::process::id());
    let _cleanup = Cleanup(tag.clone());
    import_image(&tag);
    let snapshots = tempfile::tempdir().unwrap();
    let reports = tempfile::tempdir().unwrap();
    let ds = std::fs::read_to_string(Path::new(DIR).join("daemonset-collect.yaml")).unwrap();
    let name = format!("dbt-fleet-k8s-{}", std::process::id());
    let mut args: Vec<String> = [
        "run",
        "--rm",
        "--name",
        &name,
        "--label",
        LABEL,
        "--network",
        "none",
        "--pid",
        "host",
        "--user",
        "0",
        "--read-only",
        "--security-opt",
        "no-new-privileges",
        "--cap-drop",
        "ALL",
        "--cap-add",
        "DAC_READ_SEARCH",
        "--cap-add",
        "SYS_PTRACE",
        "--memory",
        "256m",
        "--cpus",
        "0.5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // The DaemonSet's hostPath volumes that exist here (DirectoryOrCreate ones may not).
    for p in host_paths(&ds) {
        if Path::new(&p).exists() {
            args.push("-v".into());
            args.push(format!("{p}:{p}:ro"));
        }
    }
    args.push("-v".into());
    args.push(format!("{}:/snapshots", snapshots.path().display()));
    args.push(tag.clone());
    args.extend(
        [
            "collect",
            "--all",
            "--host-label",
            "node-1",
            "--output",
            "/snapshots/node-1.snapshot.json",
        ]
        .map(String::from),
    );
    let out = Command::new("docker").args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "collect in a container: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let snap: Value = serde_json::from_str(
        &std::fs::read_to_string(snapshots.path().join("node-1.snapshot.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(snap["host"]["Label"], "node-1");
    assert_eq!(snap["daemon"]["Info"]["ID"], engine_id.as_str());
    assert_eq!(
        snap["host"]["Proc"]["Available"], true,
        "host PID: {:#}",
        snap["host"]["Proc"]
    );

    // The CronJob's merge, as a non-root user with a read-only root and the snapshots read-only.
    std::fs::set_permissions(
        reports.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let out = Command::new("docker")
        .args([
            "run",
            "--rm",
            "--label",
            LABEL,
            "--network",
            "none",
            // As the CronJob: the snapshots' owner (0600, UID 0), no capability.
            "--user",
            "0:0",
            "--read-only",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
        ])
        .arg("-v")
        .arg(format!("{}:/snapshots:ro", snapshots.path().display()))
        .arg("-v")
        .arg(format!("{}:/reports", reports.path().display()))
        .arg(&tag)
        .args([
            "merge",
            "/snapshots",
            "--quiet",
            "--benchmark",
            "cis-docker-1.6.0,dockbench-practices",
            "--stale",
            "2",
            "--host-reports",
            "/reports/hosts",
            "--output=json=/reports/fleet.json",
            "--output=html=/reports/fleet.html",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "merge in a container: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fleet: Value =
        serde_json::from_str(&std::fs::read_to_string(reports.path().join("fleet.json")).unwrap())
            .unwrap();
    let h = &fleet["hosts"][0];
    assert_eq!(h["name"], "node-1");
    assert_eq!(h["mode"], "snapshot");
    assert_eq!(h["engine_id"], engine_id.as_str());
    assert_eq!(h["stale"], false);
    assert!(reports.path().join("hosts/node-1.snapshot.html").is_file());
}
