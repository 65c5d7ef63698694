//! Daemon faults (issue 14, kind 4): a fake Engine API on a Unix socket that fails, freezes
//! and drips. A partial scan is never a PASS: the containers it could not inspect make their
//! checks ERROR, the run exits 3, and the messages say what happened.
mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::{Duration, Instant};

use support::dockbench;

const A: &str = "aaaa000000000000000000000000000000000000000000000000000000000001";
const B: &str = "bbbb000000000000000000000000000000000000000000000000000000000002";
const C: &str = "cccc000000000000000000000000000000000000000000000000000000000003";

fn reply(s: &mut UnixStream, status: &str, body: &str) -> std::io::Result<()> {
    write!(
        s,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    s.flush()
}

fn inspect(id: &str, name: &str) -> String {
    format!(
        r#"{{"Id":"{id}","Name":"/{name}","Image":"","State":{{"Running":true,"Status":"running","Pid":0}},"Config":{{}},"HostConfig":{{}},"Mounts":[]}}"#
    )
}

/// What the fake daemon does wrong besides its fixed faults (B answers 500, C drips).
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// B's 500 carries a 5 MiB message.
    HugeError,
    /// A's inspect is a 300 MiB body.
    HugeBody,
}

/// One connection: answers request after request (keep-alive) as the fake daemon.
fn serve(stream: UnixStream, fault: Fault) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                break;
            }
        }
        let p = path.split('?').next().unwrap_or("");
        let p = match p.strip_prefix("/v1.41") {
            Some(rest) => rest,
            None => p,
        };
        let r = match p {
            "/_ping" => reply(&mut out, "200 OK", "OK"),
            "/version" => reply(
                &mut out,
                "200 OK",
                r#"{"Version":"20.10.99","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}"#,
            ),
            "/info" => reply(
                &mut out,
                "200 OK",
                r#"{"ID":"FAKE","Name":"fake","DockerRootDir":"/nonexistent/docker","Swarm":{"LocalNodeState":"inactive"}}"#,
            ),
            "/containers/json" => reply(
                &mut out,
                "200 OK",
                &format!(
                    r#"[{{"Id":"{A}","Names":["/alpha"],"State":"running"}},{{"Id":"{B}","Names":["/bravo"],"State":"running"}},{{"Id":"{C}","Names":["/charlie"],"State":"running"}}]"#
                ),
            ),
            p if p == format!("/containers/{A}/json") && fault == Fault::HugeBody => {
                let size: usize = 300 << 20;
                let _ = write!(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n{{\"Id\":\""
                );
                let chunk = vec![b'a'; 1 << 20];
                for _ in 0..300 {
                    if out.write_all(&chunk).is_err() {
                        return;
                    }
                }
                return;
            }
            p if p == format!("/containers/{A}/json") => {
                reply(&mut out, "200 OK", &inspect(A, "alpha"))
            }
            p if p == format!("/containers/{B}/json") => {
                let big = if fault == Fault::HugeError {
                    "x".repeat(5 << 20)
                } else {
                    String::new()
                };
                reply(
                    &mut out,
                    "500 Internal Server Error",
                    &format!(r#"{{"message":"boom: store corrupt{big}"}}"#),
                )
            }
            p if p == format!("/containers/{C}/json") => {
                // Headers, then one byte a second: a frozen or hostile daemon.
                let _ = write!(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                );
                for _ in 0..600 {
                    if out.write_all(b" ").and_then(|()| out.flush()).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
                return;
            }
            "/images/json" | "/networks" => reply(&mut out, "200 OK", "[]"),
            _ => reply(&mut out, "404 Not Found", r#"{"message":"page not found"}"#),
        };
        if r.is_err() {
            return;
        }
    }
}

fn fake_daemon(dir: &Path, fault: Fault) -> String {
    let sock = dir.join("docker.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream, fault));
        }
    });
    format!("unix://{}", sock.display())
}

#[test]
fn a_partial_scan_errors_the_affected_checks_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let host = fake_daemon(dir.path(), Fault::HugeError);
    let started = Instant::now();
    let out = dockbench()
        .args([
            "scan",
            "--host",
            &host,
            "--timeout",
            "8",
            "--check",
            "5",
            "-f",
            "json",
        ])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        elapsed < Duration::from_secs(30),
        "held for {elapsed:?} by a dripping daemon"
    );
    assert!(
        err.contains("partial scan: 2 of 3 containers could not be inspected"),
        "{err}"
    );
    // The daemon's 5 MiB error body is quoted, not printed whole.
    assert!(err.len() < 4000, "{} bytes on stderr", err.len());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = report.to_string();
    assert!(
        text.contains("the daemon answered 500: boom: store corrupt"),
        "{text:.2000}"
    );
    assert!(text.contains("did not answer within 4 s"));
    for r in report["results"].as_array().unwrap() {
        if r["scope"] == "container" {
            assert_ne!(
                r["status"], "PASS",
                "{} with 2 of 3 containers not inspected",
                r["id"]
            );
        }
    }
}

/// bollard reads a body whole: before the cap, a 300 MiB answer took over a GiB of memory
/// (a 1.3 GB one took 7.5 GB). Under a 768 MiB address-space limit the scan would abort.
#[test]
fn an_oversized_answer_is_cut_off_and_errors_its_container() {
    let dir = tempfile::tempdir().unwrap();
    let host = fake_daemon(dir.path(), Fault::HugeBody);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 786432 && exec \"$0\" \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("dockbench"))
        .args([
            "scan",
            "--host",
            &host,
            "--timeout",
            "8",
            "--check",
            "5.4",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("of 3 containers could not be inspected"),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = report.to_string();
    assert!(text.contains("larger than 256 MiB"), "{text:.3000}");
    assert_ne!(report["results"][0]["status"], "PASS");
}

#[test]
fn the_whole_scan_has_a_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("docker.sock");
    // Accepts connections and never answers.
    let listener = UnixListener::bind(&sock).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let started = Instant::now();
    let out = dockbench()
        .args([
            "scan",
            "--host",
            &format!("unix://{}", sock.display()),
            "--timeout",
            "4",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(started.elapsed() < Duration::from_secs(20));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("did not answer within 2 s") || err.contains("within --timeout 4 s"),
        "{err}"
    );
}

#[test]
fn permission_denied_on_the_socket_says_so() {
    if !rustix::process::geteuid().is_root() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let host = fake_daemon(dir.path(), Fault::None);
    std::fs::set_permissions(
        dir.path().join("docker.sock"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(assert_cmd::cargo::cargo_bin("dockbench"))
        .args(["scan", "--host", &host])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("permission denied on the socket") && err.contains("docker group"),
        "{err}"
    );
}
