//! TCP with TLS against a private dockerd of the test's own, with certificates made here by
//! openssl: DOCKER_TLS_VERIFY/DOCKER_CERT_PATH and the --tls* flags both connect; a wrong CA
//! or a plaintext request is refused, never answered in plaintext; the daemon is recognised as
//! local (the PID listening on the port), so 2.7 judges that daemon's own flags.
#[path = "support/private_daemon.rs"]
mod private_daemon;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use private_daemon::PrivateDaemon;

const PORT: &str = "2376";

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, as ca.pem,
/// server-cert.pem/server-key.pem, cert.pem/key.pem (the docker CLI's file names).
fn make_certs(dir: &Path, ca_name: &str) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let ca: Vec<&str> = [
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
        ],
    ]
    .concat();
    let subj = format!("/CN={ca_name}");
    openssl(dir, &[ca.as_slice(), &[subj.as_str()]].concat());
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    for (name, key, cert, ext) in [
        (
            "localhost",
            "server-key.pem",
            "server-cert.pem",
            "server.ext",
        ),
        ("client", "key.pem", "cert.pem", "client.ext"),
    ] {
        let csr = format!("{name}.csr");
        let subj = format!("/CN={name}");
        openssl(
            dir,
            &[
                &["req"][..],
                &ec,
                &["-keyout", key, "-out", &csr, "-subj", &subj],
            ]
            .concat(),
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-out",
                cert,
                "-days",
                "2",
                "-extfile",
                ext,
            ],
        );
    }
}

struct TlsDaemon {
    daemon: PrivateDaemon,
    certs: tempfile::TempDir,
}

/// A private dockerd serving TLS on 127.0.0.1:2376 in its network namespace; `verify`:
/// `--tlsverify` (clients need a certificate), else only `--tls`.
fn start(name: &str, verify: bool) -> Option<TlsDaemon> {
    if Command::new("openssl").arg("version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI: openssl is needed");
        return None;
    }
    let certs = tempfile::tempdir().unwrap();
    make_certs(certs.path(), "dbt-ca");
    let c = |f: &str| certs.path().join(f).display().to_string();
    let mode = if verify { "--tlsverify" } else { "--tls" };
    let flags = [
        mode.to_string(),
        format!("--tlscacert={}", c("ca.pem")),
        format!("--tlscert={}", c("server-cert.pem")),
        format!("--tlskey={}", c("server-key.pem")),
        format!("--host=tcp://127.0.0.1:{PORT}"),
    ];
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let daemon = PrivateDaemon::start(name, "{}", &flags)?;
    Some(TlsDaemon { daemon, certs })
}

impl TlsDaemon {
    fn cert(&self, f: &str) -> PathBuf {
        self.certs.path().join(f)
    }

    /// dockbench in the daemon's network namespace, without the caller's docker settings.
    fn dockbench(&self, args: &[&str], env: &[(&str, &Path)]) -> Output {
        let mut cmd = self
            .daemon
            .in_netns(&assert_cmd::cargo::cargo_bin("dockbench"));
        cmd.args(args);
        for var in [
            "DOCKER_HOST",
            "DOCKER_CONTEXT",
            "DOCKER_TLS_VERIFY",
            "DOCKER_CERT_PATH",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }
}

fn report(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn result<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()
}

#[test]
fn tls_from_the_environment_and_from_flags_never_plaintext() {
    let Some(d) = start("tls", true) else {
        return;
    };
    let scan = ["scan", "--check", "2.7", "-f", "json"];
    // DOCKER_TLS_VERIFY + DOCKER_CERT_PATH; tcp:// without a port is 2376 with TLS.
    let out = d.dockbench(
        &scan,
        &[
            ("DOCKER_HOST", Path::new("tcp://127.0.0.1")),
            ("DOCKER_TLS_VERIFY", Path::new("1")),
            ("DOCKER_CERT_PATH", d.certs.path()),
        ],
    );
    let r = report(&out);
    assert_eq!(r["source"]["location"], "tcp://127.0.0.1:2376");
    // The dockerd listening on the port is found: 2.7 judges its own --tlsverify.
    let r27 = result(&r, "2.7");
    assert_eq!(r27["status"], "PASS", "{r27:#}");
    // The same with the docker CLI's flags.
    let ca = d.cert("ca.pem");
    let cert = d.cert("cert.pem");
    let key = d.cert("key.pem");
    let flags = [
        "--host",
        "tcp://127.0.0.1:2376",
        "--tlsverify",
        "--tlscacert",
        ca.to_str().unwrap(),
        "--tlscert",
        cert.to_str().unwrap(),
        "--tlskey",
        key.to_str().unwrap(),
    ];
    let out = d.dockbench(
        &["collect", "-o", "-"]
            .iter()
            .chain(&flags)
            .copied()
            .collect::<Vec<_>>(),
        &[],
    );
    let snap = report(&out);
    let target = &snap["daemon"]["Target"];
    assert_eq!(target["Via"], "TCP+TLS", "{target:#}");
    assert_eq!(target["Local"], true, "{target:#}");
    assert_eq!(target["Process"], "dockerd");
    assert_eq!(target["Pid"], d.daemon.pid() as i64);
    // /system/df goes over the same TLS connection as every other request (it was read with
    // a plain HTTP request of its own, which TLS daemons never got: DP.2.3 could not judge).
    let usage = &snap["daemon"]["DiskUsage"];
    assert_eq!(usage["Available"], true, "{usage:#}");

    // Plaintext to the TLS port is not an answer.
    let out = d.dockbench(&["scan", "--host", "tcp://127.0.0.1:2376"], &[]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Another CA: the daemon's certificate is refused, no fallback.
    let other = tempfile::tempdir().unwrap();
    make_certs(other.path(), "other-ca");
    let out = d.dockbench(
        &["scan", "--host", "tcp://127.0.0.1:2376"],
        &[
            ("DOCKER_TLS_VERIFY", Path::new("1")),
            ("DOCKER_CERT_PATH", other.path()),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    // TLS asked for but the CA file is missing: an error naming it, not plaintext.
    let empty = tempfile::tempdir().unwrap();
    let out = d.dockbench(
        &["scan", "--host", "tcp://127.0.0.1:2376", "--tlsverify"],
        &[("DOCKER_CERT_PATH", empty.path())],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("ca.pem"), "{err}");
}

/// The deliberately misconfigured kind: TLS without client verification (`--tls`): anyone
/// who can connect controls the daemon. 2.7 WARNs with the daemon's own flags as evidence.
#[test]
fn tls_without_client_verification_warns() {
    let Some(d) = start("tlsnv", false) else {
        return;
    };
    let ca = d.cert("ca.pem");
    let out = d.dockbench(
        &[
            "scan",
            "--host",
            "tcp://127.0.0.1:2376",
            "--tlsverify",
            "--tlscacert",
            ca.to_str().unwrap(),
            "--check",
            "2.7",
            "-f",
            "json",
        ],
        &[("DOCKER_CERT_PATH", d.certs.path())],
    );
    let r = report(&out);
    let r27 = result(&r, "2.7");
    assert_eq!(r27["status"], "WARN", "{r27:#}");
    assert!(
        r27.to_string().contains("without client verification"),
        "{r27:#}"
    );
}
