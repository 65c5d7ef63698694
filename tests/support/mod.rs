//! Shared helpers for integration tests: Docker availability, the local test image,
//! labelled containers that are always removed, and running the binary for its JSON report.
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Built locally from Debian's busybox-static: nothing can be pulled here.
pub const IMAGE: &str = "dockbench-test/busybox:1";
/// Every test container carries `dockbench.test=<test name>`, so leftovers can be found.
pub const LABEL: &str = "dockbench.test";
/// Applets the image links to busybox (busybox dispatches on argv[0]).
const APPLETS: [&str; 9] = [
    "sh", "sleep", "ps", "cat", "ls", "true", "false", "wget", "echo",
];

/// Runs `cmd` and returns its output; panics with its stderr when it fails (test setup steps).
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs the docker CLI.
pub fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run docker {args:?}: {e}"))
}

/// Runs the docker CLI, panics with its stderr on failure, returns trimmed stdout.
pub fn docker_ok(args: &[&str]) -> String {
    let out = docker(args);
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Whether tests that need Docker can run. Without Docker the caller returns early (the
/// test is skipped, with the reason printed), except under CI, where that is a failure:
/// Docker tests must never skip silently there.
pub fn require_docker() -> bool {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        let out = Command::new("docker")
            .args(["info", "--format", "{{.ServerVersion}}"])
            .output()
            .map_err(|e| format!("cannot run docker: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "docker info failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        ensure_image()
    });
    match ready {
        Ok(()) => true,
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!("Docker is required when CI is set: {why}")
        }
        Err(why) => {
            eprintln!("SKIPPED: Docker is not usable here: {why}");
            false
        }
    }
}

/// Builds the test image once per machine. A file lock makes concurrent test processes
/// (nextest runs one per test) wait for the first builder instead of racing it.
fn ensure_image() -> Result<(), String> {
    let lock_path = std::env::temp_dir().join("dockbench-test-image.lock");
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    if docker(&["image", "inspect", IMAGE]).status.success() {
        return Ok(());
    }
    let busybox = Path::new("/bin/busybox");
    if !busybox.exists() {
        return Err("/bin/busybox is missing: apt-get install busybox-static".into());
    }
    let root = tempfile::tempdir().map_err(|e| e.to_string())?;
    let r = root.path();
    for dir in ["bin", "usr/sbin", "tmp", "etc"] {
        std::fs::create_dir_all(r.join(dir)).map_err(|e| e.to_string())?;
    }
    std::fs::copy(busybox, r.join("bin/busybox")).map_err(|e| e.to_string())?;
    for applet in APPLETS {
        std::os::unix::fs::symlink("busybox", r.join("bin").join(applet))
            .map_err(|e| e.to_string())?;
    }
    // A copy, not a link: its /proc/PID/comm is then "sshd" whatever argv[0] says.
    std::fs::copy(busybox, r.join("usr/sbin/sshd")).map_err(|e| e.to_string())?;
    let mut tar = Command::new("tar")
        .arg("-C")
        .arg(r)
        .args(["-c", "."])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let import = Command::new("docker")
        .args(["import", "--change", r#"CMD ["sleep","3600"]"#, "-", IMAGE])
        .stdin(tar.stdout.take().expect("piped"))
        .output()
        .map_err(|e| format!("cannot run docker import: {e}"))?;
    let tar_ok = tar.wait().map(|s| s.success()).unwrap_or(false);
    if !tar_ok || !import.status.success() {
        return Err(format!(
            "building {IMAGE} failed: {}",
            String::from_utf8_lossy(&import.stderr)
        ));
    }
    Ok(())
}

/// Containers of one test: unique names (`dbt-<test>-<role>-<pid>`), labelled, and removed
/// with `docker rm -f` when the guard drops, also when the test panics.
pub struct Guard {
    test: String,
    names: Vec<String>,
    network: Option<String>,
}

impl Guard {
    pub fn new(test: &str) -> Guard {
        Guard {
            test: test.to_string(),
            names: Vec::new(),
            network: None,
        }
    }

    /// A labelled user-defined bridge network of this test (created once, removed on drop),
    /// for containers that publish ports.
    pub fn network(&mut self) -> String {
        if let Some(n) = &self.network {
            return n.clone();
        }
        let name = format!("dbt-{}-{}", self.test, std::process::id());
        docker_ok(&["network", "create", "--label", &self.label(), &name]);
        self.network = Some(name.clone());
        name
    }

    /// The name a container of this test with this role gets.
    pub fn name(&self, role: &str) -> String {
        format!("dbt-{}-{}-{}", self.test, role, std::process::id())
    }

    fn label(&self) -> String {
        format!("{LABEL}={}", self.test)
    }

    /// `docker run -d` with `flags`, the test image and `cmd` (the image's `sleep 3600`
    /// when empty); returns the container name. Panics when it does not start.
    pub fn run(&mut self, role: &str, flags: &[&str], cmd: &[&str]) -> String {
        self.try_run(role, flags, cmd)
            .unwrap_or_else(|e| panic!("docker run {role} {flags:?}: {e}"))
    }

    /// Like `run`, but returns Docker's error (the container is removed again).
    pub fn try_run(&mut self, role: &str, flags: &[&str], cmd: &[&str]) -> Result<String, String> {
        self.launch("run", role, flags, cmd)
    }

    /// `docker create`: for flags the kernel here refuses to start (`--privileged`,
    /// `--cap-add ALL`) or that would change the host when started. Scan with `--all`.
    pub fn create(&mut self, role: &str, flags: &[&str], cmd: &[&str]) -> String {
        self.launch("create", role, flags, cmd)
            .unwrap_or_else(|e| panic!("docker create {role} {flags:?}: {e}"))
    }

    fn launch(
        &mut self,
        how: &str,
        role: &str,
        flags: &[&str],
        cmd: &[&str],
    ) -> Result<String, String> {
        let name = self.name(role);
        // Registered first: a failed `run` may still leave a created container behind.
        self.names.push(name.clone());
        let label = self.label();
        let mut args = vec![how];
        if how == "run" {
            args.push("-d");
        }
        args.extend(["--name", &name, "--label", &label]);
        // No network unless asked: faster, and independent of the default bridge (docker0),
        // which other users of this shared daemon may take down.
        if !flags
            .iter()
            .any(|f| matches!(*f, "--network" | "--net") || f.starts_with("--net="))
        {
            args.extend(["--network", "none"]);
        }
        args.extend(flags);
        args.push(IMAGE);
        args.extend(cmd);
        let out = docker(&args);
        if out.status.success() {
            Ok(name)
        } else {
            docker(&["rm", "-f", &name]);
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// Creates (and starts, when `start`) a container through the Engine API directly, for
    /// field values the docker CLI would normalise (`CapAdd: ["net_admin"]`). `host_config`
    /// is the API's HostConfig object.
    pub fn api_create(&mut self, role: &str, mut host_config: Value, start: bool) -> String {
        let name = self.name(role);
        // As in `launch`: no network unless asked.
        if host_config.get("NetworkMode").is_none() {
            host_config["NetworkMode"] = "none".into();
        }
        self.names.push(name.clone());
        let body = serde_json::json!({
            "Image": IMAGE,
            "Labels": { LABEL: self.test },
            "HostConfig": host_config,
        });
        let out = Command::new("curl")
            .args([
                "-sS",
                "--fail-with-body",
                "--unix-socket",
                "/var/run/docker.sock",
                "-H",
                "Content-Type: application/json",
                "-X",
                "POST",
                "-d",
                &body.to_string(),
            ])
            .arg(format!(
                "http://localhost/v1.41/containers/create?name={name}"
            ))
            .output()
            .expect("curl is needed to create containers through the API");
        assert!(
            out.status.success(),
            "API create {role}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if start {
            docker_ok(&["start", &name]);
        }
        name
    }

    /// Waits until the container's health status is `status` (panics after 60 s).
    pub fn wait_health(&self, name: &str, status: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let now = docker_ok(&["inspect", "-f", "{{.State.Health.Status}}", name]);
            if now == status {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{name}: health still '{now}', expected '{status}'"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// The container's main process ID in the host's PID namespace.
    pub fn pid(&self, name: &str) -> i64 {
        docker_ok(&["inspect", "-f", "{{.State.Pid}}", name])
            .parse()
            .expect("a pid")
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        // Best effort: a failed removal must not turn into a double panic.
        let quiet = |args: &[&str]| {
            let _ = Command::new("docker")
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        };
        if !self.names.is_empty() {
            let mut args = vec!["rm", "-f", "-v"];
            args.extend(self.names.iter().map(String::as_str));
            quiet(&args);
        }
        if let Some(network) = &self.network {
            quiet(&["network", "rm", network]);
        }
    }
}

/// The built binary, without colours.
pub fn dockbench() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("dockbench").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs `dockbench <args> --format json`, asserts exit 0 and parses the report.
pub fn report_of(args: &[&str]) -> Report {
    let out = dockbench()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "dockbench {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Report(serde_json::from_slice(&out.stdout).expect("JSON report"))
}

/// A live scan of `checks` (comma-separated IDs) plus `extra` flags. 5.11 and 5.27 are
/// always added: nearly every test container lacks a memory limit or a healthcheck, so
/// together they show the scan saw a container (see `Report::assert_clean`).
pub fn scan(checks: &str, extra: &[&str]) -> Report {
    let checks = format!("{checks},5.11,5.27");
    let mut args = vec!["scan", "--check", &checks];
    args.extend(extra);
    report_of(&args)
}

/// A parsed JSON report with lookups by check and container name.
pub struct Report(pub Value);

impl Report {
    pub fn result(&self, id: &str) -> &Value {
        self.0["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no result for {id}"))
    }

    pub fn status(&self, id: &str) -> &str {
        self.result(id)["status"].as_str().unwrap()
    }

    fn entry<'a>(&'a self, id: &str, list: &str, object: &str) -> Option<&'a str> {
        self.result(id)[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["object"] == object)
            .map(|f| f["value"].as_str().unwrap())
    }

    /// The value a check reports for `object`, if it is among its findings.
    pub fn finding(&self, id: &str, object: &str) -> Option<&str> {
        self.entry(id, "findings", object)
    }

    /// Whether `object` appears anywhere in the report (findings or exceptions).
    pub fn saw(&self, object: &str) -> bool {
        self.0["results"].as_array().unwrap().iter().any(|r| {
            ["findings", "exceptions"].iter().any(|l| {
                r[l].as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["object"] == object)
            })
        })
    }

    /// `object` is a finding of `id`, its value contains `value`, and the check's status
    /// is `status` (WARN or INFO; other containers can only add findings, never remove).
    #[track_caller]
    pub fn assert_offender(&self, id: &str, object: &str, value: &str) {
        let got = self.finding(id, object).unwrap_or_else(|| {
            panic!(
                "{id}: {object} is not an offender; result: {:#}",
                self.result(id)
            )
        });
        assert!(
            got.contains(value),
            "{id}: {object}: value '{got}' does not contain '{value}'"
        );
        assert!(
            matches!(self.status(id), "WARN" | "INFO"),
            "{id}: status {} with findings",
            self.status(id)
        );
    }

    /// `object` was scanned and is neither a finding nor an exception of `id`.
    #[track_caller]
    pub fn assert_clean(&self, id: &str, object: &str) {
        assert!(
            self.saw(object),
            "{object} is nowhere in the report: not scanned?"
        );
        assert_eq!(
            self.finding(id, object),
            None,
            "{id}: {object} should not be an offender"
        );
        assert_eq!(
            self.entry(id, "exceptions", object),
            None,
            "{id}: {object} should have been evaluated"
        );
    }
}

/// Writes `value` as JSON to a new temporary file (kept while the handle lives).
pub fn temp_json(value: &Value) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    f.write_all(value.to_string().as_bytes()).unwrap();
    f
}
